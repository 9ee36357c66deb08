// SPDX-License-Identifier: GPL-2.0-only
/*
 * Scenario commands that move bytes: the current task's own loads and stores
 * (write, fill, read, touch) and the remote accessors (access_remote_vm,
 * access_process_vm, process_vm_readv/writev).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "script_int.h"

/* Store @buf at @addr as the current task; ret is 0 or -EFAULT. */
static void user_write(struct script *s, unsigned long addr, const unsigned char *buf, size_t len)
{
	unsigned long left = s->be->copy_to_user(addr, buf, len);

	s->ret = left ? -EFAULT : 0;
	if (left)
		say(s, "  write = -EFAULT after %lu of %zu bytes\n", len - left, len);
	else
		say(s, "  wrote %zu bytes\n", len);
}

bool cmd_write(struct script *s, struct cmd_args *a)
{
	unsigned char *buf;
	size_t len;

	if (!data_operand(s, a, a->arg[1].w, &buf, &len))
		return false;
	user_write(s, a->arg[0].u, buf, len);
	free(buf);
	return true;
}

bool cmd_fill(struct script *s, struct cmd_args *a)
{
	unsigned long addr = a->arg[0].u, len = a->arg[1].u;
	unsigned char chunk[4096];

	if (len > MAX_FILL)
		return fail(s, "expected a length up to %lu, got %lu", MAX_FILL, len);
	memset(chunk, (int)a->arg[2].n, sizeof(chunk));
	s->ret = 0;
	for (unsigned long done = 0; done < len;) {
		unsigned long n = len - done < sizeof(chunk) ? len - done : sizeof(chunk);

		if (s->be->copy_to_user(addr + done, chunk, n)) {
			s->ret = -EFAULT;
			break;
		}
		done += n;
	}
	report(s, "fill", s->ret);
	return true;
}

bool cmd_read(struct script *s, struct cmd_args *a)
{
	unsigned long addr = a->arg[0].u;
	long len = a->arg[1].n;
	unsigned char *buf;
	size_t got = 0;

	buf = user_read(s, addr, len, &got);
	if (!buf)
		return false;
	print_bytes(s, addr, buf, got);
	if (got < (size_t)len)
		show(s, "  read = -EFAULT after %zu of %ld bytes\n", got, len);
	free(buf);
	return true;
}

/* Touch one byte of each page of [ADDR, ADDR+LEN): read faults, or write faults that keep data. */
bool cmd_touch(struct script *s, struct cmd_args *a)
{
	unsigned long addr = a->arg[0].u, len = a->arg[1].u, end;
	bool write = a->arg[2].given;

	if (len > MAX_FILL || __builtin_add_overflow(addr, len, &end))
		return fail(s, "expected a length up to %lu, got %lu", MAX_FILL, len);
	s->ret = 0;
	for (unsigned long p = addr; p < end && !s->ret; p = (p | (PAGE_SIZE - 1)) + 1) {
		unsigned char byte;

		if (s->be->copy_from_user(&byte, p, 1) ||
		    (write && s->be->copy_to_user(p, &byte, 1)))
			s->ret = -EFAULT;
	}
	report(s, "touch", s->ret);
	return true;
}

/* access_remote / access_process TASK ADDR read LEN | write DATA [force]. */
bool cmd_access(struct script *s, struct cmd_args *a)
{
	bool process = !strcmp(a->cmd->name, "access_process");
	bool write = !strcmp(a->cmd->args[2].meta, "write");
	unsigned int flags = (a->arg[4].given ? FOLL_FORCE : 0) | (write ? FOLL_WRITE : 0);
	unsigned long addr = a->arg[1].u;
	unsigned char *buf = NULL;
	size_t len = 0;
	long ret;

	if (write) {
		if (!data_operand(s, a, a->arg[3].w, &buf, &len))
			return false;
	} else {
		len = (size_t)a->arg[3].n;
		buf = calloc(1, len + 1);
		if (!buf)
			return fail(s, "out of host memory");
	}
	ret = s->be->access_vm(a->arg[0].task, process, addr, buf, (int)len, flags);
	report(s, process ? "access_process_vm" : "access_remote_vm", ret);
	if (!write && ret > 0 && !s->quiet)
		print_bytes(s, addr, buf, (size_t)ret);
	free(buf);
	return true;
}

bool cmd_process_vm(struct script *s, struct cmd_args *a)
{
	bool write = !strcmp(a->cmd->name, "process_vm_writev");
	long ret = s->be->process_vm(a->arg[0].task, write, a->arg[1].u, a->arg[2].u,
				     (unsigned long)a->arg[3].n);

	report(s, write ? "process_vm_writev" : "process_vm_readv", ret);
	return true;
}
