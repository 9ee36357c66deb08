// SPDX-License-Identifier: GPL-2.0-only
/*
 * fcntl: the commands libgup's files have, which are the memfd seals
 * (F_ADD_SEALS, F_GET_SEALS, mm/memfd.c); any other command is -EINVAL.
 */
#include <fcntl.h>

#include "fs/internal.h"

long sys_fcntl(int fd, unsigned int cmd, unsigned long arg)
{
	SIM_ENTER(sim_entry_err);
	struct file *file = fget(fd);
	long ret;

	if (!file)
		return -EBADF;
	switch (cmd) {
	case F_ADD_SEALS:
	case F_GET_SEALS:
		ret = memfd_fcntl(file, cmd, arg);
		break;
	default:
		ret = -EINVAL;
		break;
	}
	fput(file);
	return ret;
}
