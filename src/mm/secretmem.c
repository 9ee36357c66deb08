// SPDX-License-Identifier: GPL-2.0-only
/*
 * Secret memory (memfd_secret, Linux 5.14): a shared file whose pages leave the
 * kernel's direct map, so only the mappings that own them reach them. GUP
 * refuses the VMAs, GUP-fast the pages; /proc/pid/mem and process_vm_readv
 * read nothing. 6.18 profile only: 5.11 has no such call (-ENOSYS).
 */
#include <fcntl.h>

#include "fs/internal.h"

/*
 * The owner's private page flag marks a page taken out of the direct map (the
 * kernel's set_direct_map_invalid_noflush()). A flag, not the mapping, because
 * GUP-fast asks about pages it holds no lock for: the flag lives in the page,
 * and freeing the page clears it.
 */
#define PG_secretmem PG_owner_priv_1

bool page_is_secretmem(const struct page *page)
{
	return test_bit(PG_secretmem, &page->flags);
}

/* Fault the page in as shared memory does, then take it out of the direct map. */
static vm_fault_t secretmem_fault(struct vm_fault *vmf)
{
	vm_fault_t ret = shmem_vm_ops.fault(vmf);

	if (!(ret & VM_FAULT_ERROR) && vmf->page)
		set_bit(PG_secretmem, &vmf->page->flags);
	return ret;
}

static const char *secretmem_vma_name(struct vm_area_struct *vma)
{
	(void)vma;
	return "/secretmem (deleted)";
}

static const struct vm_operations_struct secretmem_vm_ops = {
	.fault = secretmem_fault,
	.name = secretmem_vma_name,
};

bool vma_is_secretmem(const struct vm_area_struct *vma)
{
	return vma->vm_ops == &secretmem_vm_ops;
}

/*
 * secretmem_mmap(): only shared mappings (a private COW copy would be an
 * ordinary page), locked and left out of core dumps. Return: 0 or -EINVAL.
 */
static int secretmem_mmap(struct file *file, struct vm_area_struct *vma)
{
	(void)file;
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	vma->vm_flags |= VM_LOCKED | VM_DONTDUMP;
	vma->vm_ops = &secretmem_vm_ops;
	return 0;
}

/* A pseudo file without FMODE_PREAD/FMODE_PWRITE: pread64 and pwrite64 are -ESPIPE. */
static ssize_t secretmem_rw(struct file *file, unsigned long buf, size_t count, loff_t pos)
{
	(void)file;
	(void)buf;
	(void)count;
	(void)pos;
	return -ESPIPE;
}

/* secretmem_setattr(): the size is set once; a file that has one keeps it (-EINVAL). */
static int secretmem_setsize_allowed(struct file *file, loff_t size)
{
	(void)size;
	return file_inode(file)->i_size ? -EINVAL : 0;
}

static const struct file_operations secretmem_fops = {
	.mmap = secretmem_mmap,
	.read = secretmem_rw,
	.write = secretmem_rw,
	.setsize_allowed = secretmem_setsize_allowed,
};

/* A secretmem file of @size bytes: shared memory's object behind secretmem_fops. */
static struct file *secretmem_file_create(unsigned long size)
{
	struct file *file = shmem_file_setup(size);

	if (file)
		file->f_op = &secretmem_fops;
	return file;
}

int sys_memfd_secret(unsigned int flags)
{
	SIM_ENTER(sim_entry_err);
	struct file *file;
	int fd;

	if (!mm_has_call(MM_CALL_MEMFD_SECRET))
		return -ENOSYS;
	if (flags & ~(unsigned int)O_CLOEXEC)
		return -EINVAL;
	file = secretmem_file_create(0);
	if (!file)
		return -ENOMEM;
	fd = fd_install_lowest(file);
	if (fd < 0)
		fput(file);
	return fd;
}

/**
 * sim_mmap_secretmem() - memfd_secret(0), ftruncate(fd, @len), mmap(NULL, @len,
 *                        @prot, MAP_SHARED, fd, 0) and close(fd) in one call
 * @len: bytes (rounded up to pages).
 * @prot: PROT_READ, PROT_WRITE, PROT_EXEC.
 *
 * A shortcut for tools and tests: the file, its mmap and its pages are the
 * ones sys_memfd_secret() and its descriptor give, without the descriptor.
 *
 * Return: the address, or -errno as an unsigned long: -ENOSYS when the
 * running profile has no memfd_secret (5.11); -EINVAL for a zero length or
 * unknown @prot bits; -ENOMEM when the range does not fit or memory ran out;
 * -EINTR when killed waiting for mmap_lock.
 */
unsigned long sim_mmap_secretmem(unsigned long len, unsigned long prot)
{
	SIM_ENTER(sim_entry_err);
	struct mm_struct *mm = current->mm;
	unsigned long addr, populate;
	struct file *file;

	if (!mm_has_call(MM_CALL_MEMFD_SECRET))
		return -ENOSYS;
	if (!len || (prot & ~(unsigned long)(PROT_READ | PROT_WRITE | PROT_EXEC)))
		return -EINVAL;
	if (len > TASK_SIZE)
		return -ENOMEM;
	file = secretmem_file_create(ALIGN_UP(len, PAGE_SIZE));
	if (!file)
		return -ENOMEM;
	if (mmap_write_lock_killable(mm)) {
		fput(file);
		return -EINTR;
	}
	addr = do_mmap(file, 0, len, prot, MAP_SHARED, 0, &populate);
	mmap_write_unlock(mm);
	fput(file); /* the VMA holds its own reference, as after close(fd) */
	return addr;
}
