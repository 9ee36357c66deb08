// SPDX-License-Identifier: GPL-2.0-only
/*
 * File lifetime: allocating a struct file and dropping its references, the last
 * of which hands the file to its f_op->release.
 */
#include "mm/internal.h"

struct file *alloc_file(struct address_space *mapping, const struct file_operations *fop)
{
	struct file *file = calloc(1, sizeof(*file));

	if (!file)
		return NULL;
	atomic_set(&file->f_count, 1);
	file->f_mapping = mapping;
	file->f_op = fop;
	return file;
}

void fput(struct file *file)
{
	if (!atomic_dec_and_test(&file->f_count))
		return;
	if (file->f_op && file->f_op->release)
		file->f_op->release(file);
	free(file);
}
