/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Files and the page caches behind them: struct inode (one per host file or shmem
 * object) with its address_space, struct file, the per-task descriptor table, and
 * the file system calls (open, close, pread64, pwrite64, ftruncate, fsync, msync).
 */
#ifndef GUP_FS_H
#define GUP_FS_H

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <gup/types.h>
#include <gup/xarray.h>
#include <gup/rwsem.h>

#ifdef __cplusplus
extern "C" {
#endif

struct page;
struct file;
struct inode;
struct vm_area_struct;

/*
 * The page cache of one inode: pages by page offset in an xarray, found lock-free
 * under RCU by find_get_page(); added and removed under i_pages_lock. A shmem
 * page swapped out leaves its swap entry in its slot (a value entry, which the
 * page lookups treat as no page).
 */
struct address_space {
	spinlock_t i_pages_lock;
	struct xarray i_pages;
	unsigned long nrpages;
	/*
	 * Swap entries (value entries) in i_pages: shmem pages swapped out (shmem.c).
	 * Written under i_pages_lock with WRITE_ONCE: truncation peeks without it.
	 */
	unsigned long swapped;
	const struct address_space_operations *a_ops;
	struct inode *host;
	/*
	 * Shared mappings that may write (the kernel's i_mmap_writable); negative:
	 * F_SEAL_WRITE denies new ones (mapping_map_writable() and friends, memfd.c).
	 */
	atomic_t i_mmap_writable;

	/*
	 * The file's reverse map: every VMA mapping it (vm_area_struct.shared), under
	 * i_mmap_rwsem. See src/mm/interval_tree.c for the structure.
	 */
	struct rw_semaphore i_mmap_rwsem;
	struct list_head i_mmap;
};

struct address_space_operations {
	/* Fill the locked, !Uptodate @page; unlock it. Return 0 or -errno (page !Uptodate). */
	int (*readpage)(struct file *file, struct page *page);
	/* Write the locked @page out (the caller cleared its dirty bit). Return 0 or -errno. */
	int (*writepage)(struct page *page);
	int (*set_page_dirty)(struct page *page);
	/*
	 * Ready the page at @pos for @len bytes of a write (within one page): the
	 * mapping's rules (shmem: its seals), then the page found or added, locked
	 * and referenced, Uptodate unless the write is to cover it whole. Return 0
	 * with *@pagep set, or -errno. None: the file cannot be written (-EINVAL).
	 */
	int (*write_begin)(struct file *file, loff_t pos, unsigned long len, struct page **pagep);
};

/*
 * A file's object: a host file (host_fd >= 0) or shmem. Every struct file and
 * every VMA mapping one holds a reference through its file; the last drop writes
 * dirty pages back, evicts the page cache and closes the host descriptor.
 */
struct inode {
	atomic_t i_count;
	loff_t i_size;		 /* READ_ONCE; changed under i_rwsem */
	pthread_mutex_t i_rwsem; /* size changes, writes and truncation */
	struct address_space i_data;
	int host_fd;		 /* -1 for shmem */
	bool host_fd_rw;	 /* host_fd was opened for reading and writing */
	int host_fd_retired;	 /* a read-only one it replaced, closed with the inode */
	dev_t i_dev;		 /* the host file's, for lookup and maps lines */
	ino_t i_ino;		 /* the host file's (shmem: a number of our own) */
	bool i_dir;		 /* a directory: open for reading only, no I/O */
	bool i_dax;		 /* under sim_config.dax_dir: the machine treats it as fsdax */
	char *path;		 /* host path, or the name maps shows */
	int wb_err;		 /* the last writeback error (sticky, as AS_EIO/AS_ENOSPC) */
	unsigned int wb_err_seq; /* errors so far: an errseq_t's counter (i_pages_lock) */
	bool wb_err_seen;	 /* an fsync has reported the last one */
	struct list_head i_hash; /* on the machine's list of inodes (sim.inodes) */
	void *i_private;	 /* the owner's (hugetlb: its reservations) */
	unsigned int i_seals;	 /* memfd: F_SEAL_*, under i_rwsem; other files 0 */
};

/* f_mode bits, the kernel's. */
#define FMODE_READ 0x1u
#define FMODE_WRITE 0x2u

struct file_operations {
	/* Set up a new VMA mapping the file (vm_ops); Return 0 or -errno. */
	int (*mmap)(struct file *file, struct vm_area_struct *vma);
	/* The last fput(): drop what the file owns. */
	void (*release)(struct file *file);
	/*
	 * pread/pwrite through this file's own page cache rules (shmem); NULL: the
	 * host files' generic_file_read/write. Same return rules; write holds i_rwsem.
	 */
	ssize_t (*read)(struct file *file, unsigned long buf, size_t count, loff_t pos);
	ssize_t (*write)(struct file *file, unsigned long buf, size_t count, loff_t pos);
	/* May ftruncate make the file @size bytes (i_rwsem held)? 0 or -errno; NULL: yes. */
	int (*setsize_allowed)(struct file *file, loff_t size);
	/* Make it @size bytes (i_rwsem held, allowed): 0 or -errno; NULL: do_truncate(). */
	int (*setsize)(struct file *file, loff_t size);
};

/* An open file. Each descriptor and each VMA mapping it holds one reference. */
struct file {
	atomic_t f_count;
	unsigned int f_mode;  /* FMODE_* */
	unsigned int f_flags; /* the open flags */
	struct inode *f_inode;
	struct address_space *f_mapping;
	const struct file_operations *f_op;
	unsigned int f_wb_err; /* the inode's wb_err_seq this file has reported up to */
};

/* Take a reference on @file; drop it with fput(). Return: @file. */
static inline struct file *get_file(struct file *file)
{
	atomic_inc(&file->f_count);
	return file;
}

static inline struct inode *file_inode(const struct file *file)
{
	return file->f_inode;
}

/*
 * alloc_file() - a file with one reference on @inode (which it takes over: the
 * caller's inode reference becomes the file's).
 * Return: the file, or NULL when out of memory (the inode reference is then still
 * the caller's).
 */
struct file *alloc_file(struct inode *inode, unsigned int f_mode, unsigned int f_flags,
			const struct file_operations *fop);
/* Drop a reference; the last one releases the file and its inode reference. */
void fput(struct file *file);
/* Drop an inode reference; the last one writes back, evicts and closes the host file. */
void iput(struct inode *inode);

/*
 * The descriptor table of a task: threads share one, fork copies it (each copy
 * holds its own file references), the last user closes every file.
 */
struct files_struct {
	atomic_t count;
	pthread_mutex_t file_lock;
	unsigned int max_fds;
	struct file **fd;
};

/* Return: a new empty table, or NULL when out of memory. */
struct files_struct *files_alloc(void);
/* Return: a copy of @old with a reference on each open file, or NULL when out of memory. */
struct files_struct *dup_fd(struct files_struct *old);
/* Drop a reference; the last one closes every descriptor. */
void put_files_struct(struct files_struct *files);
/**
 * fget() - the file behind descriptor @fd of the current task, with a reference.
 *
 * Return: the file (drop it with fput()), or NULL when @fd is not open.
 */
struct file *fget(int fd);

/*
 * The file system calls act for the current task, with the host's flag values and
 * the kernel's errnos; with no machine they return -ENODEV, from a thread running
 * no task -ESRCH (see SIM_ENTER). Paths are host paths.
 */
/**
 * sys_open() - open the host file @path.
 * @flags: O_RDONLY, O_WRONLY or O_RDWR, with O_CREAT, O_EXCL, O_TRUNC; other
 *         flags (O_CLOEXEC, O_NOFOLLOW, ...) are passed to the host's open.
 * @mode: permissions for O_CREAT.
 *
 * Opening one host file twice gives two files over one inode and page cache.
 * O_TRUNC truncates through ftruncate's path, page cache included.
 *
 * Return: the lowest free descriptor; -ENOENT, -EACCES, -EEXIST, -EISDIR (a
 * directory opened for writing), -ENOTDIR, ... as the host's open says; -EINVAL
 * for an access mode of 3; -ENODEV for a host file that is neither regular nor a
 * directory; -EFAULT for a NULL @path; -EMFILE past 1024 descriptors; -ENOMEM.
 */
int sys_open(const char *path, int flags, mode_t mode);
/* Return: 0, or -EBADF when @fd is not open. */
int sys_close(int fd);
/**
 * sys_pread64() - read up to @count bytes at @pos into the current task's @buf,
 * through the page cache.
 *
 * Return: the bytes read (0 at or beyond end of file; short at EOF or where the
 * user buffer stops being writable after some bytes); -EBADF for a descriptor not
 * open for reading; -EISDIR for a directory; -EINVAL for a negative @pos;
 * -EFAULT when not one byte could be stored in @buf; -EIO when the host read
 * failed before any byte was copied.
 */
ssize_t sys_pread64(int fd, unsigned long buf, size_t count, loff_t pos);
/**
 * sys_pwrite64() - write @count bytes from the current task's @buf at @pos,
 * through the page cache (written back later: fsync, msync, close of the last
 * reference). The file grows to @pos + bytes written.
 *
 * Return: the bytes written (short where @buf stops being readable after some
 * bytes); -EBADF for a descriptor not open for writing; -EISDIR; -EINVAL for a
 * negative @pos; -EFBIG when @pos + @count overflows; -EFAULT when no byte could
 * be read from @buf; -EIO when a page could not be read in.
 */
ssize_t sys_pwrite64(int fd, unsigned long buf, size_t count, loff_t pos);
/**
 * sys_ftruncate() - set the size of @fd's file to @length (page cache and host).
 *
 * Pages wholly beyond the new size are unmapped from every VMA and dropped from
 * the cache; the tail of the last page is zeroed.
 *
 * Return: 0; -EINVAL for a negative @length, a directory or a descriptor not open
 * for writing (as Linux); -EBADF when @fd is not open; the host's errno (-EIO,
 * -ENOSPC, ...) when its ftruncate failed.
 */
int sys_ftruncate(int fd, loff_t length);
/**
 * sys_fsync() - write every dirty page of @fd's file to the host and fsync it.
 *
 * Return: 0; -EBADF when @fd is not open; -EIO (or the host's errno) when a
 * writeback since the last fsync failed, reported once.
 */
int sys_fsync(int fd);
#ifndef MS_ASYNC
#define MS_ASYNC 1
#define MS_INVALIDATE 2
#define MS_SYNC 4
#endif
/**
 * sys_msync() - write back the dirty pages that shared file mappings of
 * [@addr, @addr+@len) map (MS_SYNC; MS_ASYNC writes nothing, as Linux since 2.6.19).
 *
 * Return: 0; -EINVAL for an unaligned @addr, unknown flags, or MS_SYNC with
 * MS_ASYNC; -EBUSY for MS_INVALIDATE over a VM_LOCKED VMA (the VMAs before it
 * were synced; MS_INVALIDATE otherwise invalidates nothing, the cache being the
 * mappings' pages); -ENOMEM when part of the range is not mapped (the rest is
 * still written); -EIO (or the host's errno) when a writeback failed.
 */
int sys_msync(unsigned long addr, size_t len, int flags);

/**
 * filemap_write_and_wait_range() - write the dirty pages of @mapping with an
 * index in [@start >> PAGE_SHIFT, @end >> PAGE_SHIFT] to the host.
 *
 * Pinned pages are written and stay. Return: 0, or the first host errno.
 */
int filemap_write_and_wait_range(struct address_space *mapping, loff_t start, loff_t end);

/*
 * memfd and seals (src/mm/memfd.c, src/fs/fcntl.c), with the kernel's flag and
 * seal values as glibc's <sys/mman.h> (MFD_*) and <fcntl.h> (F_*SEAL*) spell them;
 * 6.3's exec flags where glibc has them not yet.
 */
#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 0x8U
#endif
#ifndef MFD_EXEC
#define MFD_EXEC 0x10U
#endif
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x20
#endif
/**
 * sys_memfd_create() - a new empty shmem file at the lowest free descriptor.
 * @name: shown in maps as "/memfd:NAME (deleted)"; at most 249 bytes.
 * @flags: MFD_CLOEXEC (recorded; there is no exec), MFD_ALLOW_SEALING (else
 *         the file carries F_SEAL_SEAL from the start), MFD_HUGETLB with an
 *         MFD_HUGE_* size; under 6.18 also MFD_EXEC (the default) or
 *         MFD_NOEXEC_SEAL (sealable, sealed F_SEAL_EXEC from the start).
 *
 * The file is read and written through pread64/pwrite64, sized by ftruncate
 * and mapped by mmap like any file; its pages are shmem's, as those of
 * MAP_SHARED|MAP_ANONYMOUS.
 *
 * With MFD_HUGETLB the file is hugetlbfs's, of the pool the MFD_HUGE_* size names
 * (none: 2 MiB): ftruncate takes whole huge pages (else -EINVAL), mmap needs
 * huge-page-aligned addresses and offsets and maps pool pages (shared, or private
 * with COW; a writable mapping makes the file as long as its end), pread reads it, pwrite is -EINVAL (5.11's hugetlbfs has no
 * write_iter); it can be sealed. No reservation is made: an empty pool is SIGBUS
 * at the fault.
 *
 * Return: the descriptor; -EINVAL for unknown flags (a huge page size without
 * MFD_HUGETLB included; MFD_EXEC with MFD_NOEXEC_SEAL) or a name too long; -EFAULT
 * for a NULL @name; -ENODEV for an MFD_HUGE_* size no pool has; -EMFILE; -ENOMEM.
 */
int sys_memfd_create(const char *name, unsigned int flags);
/**
 * sys_fcntl() - the file's seals: F_ADD_SEALS @arg, or F_GET_SEALS.
 *
 * F_ADD_SEALS: F_SEAL_SEAL (no more seals), F_SEAL_SHRINK / F_SEAL_GROW
 * (ftruncate and pwrite may not make it smaller / larger: -EPERM),
 * F_SEAL_WRITE (no pwrite, no writable shared mapping: -EPERM; refused while
 * one exists or while a page has a GUP reference or pin after a few looks),
 * F_SEAL_FUTURE_WRITE (as F_SEAL_WRITE for new writes and new mappings, the
 * mappings that exist keep writing); under 6.18 F_SEAL_EXEC, which on an
 * executable file (any not made MFD_NOEXEC_SEAL) adds the four others.
 *
 * Return: F_ADD_SEALS: 0; -EPERM when the file is sealed against sealing or
 * not open for writing; -EBUSY (F_SEAL_WRITE) for a writable shared mapping
 * or a pinned page; -EINVAL for unknown seals, @arg above UINT_MAX or a file
 * that is no memfd. F_GET_SEALS: the seals, or -EINVAL for a file that is no
 * memfd. Any other @cmd: -EINVAL. -EBADF when @fd is not open.
 */
long sys_fcntl(int fd, unsigned int cmd, unsigned long arg);
/**
 * sys_memfd_secret() - a new empty secretmem file at the lowest free descriptor
 * (Linux 5.14): ftruncate sizes it, mmap(MAP_SHARED) maps it as secret memory
 * (locked, out of the direct map: GUP refuses it); a second size is -EINVAL,
 * pread/pwrite -ESPIPE, a private mapping -EINVAL.
 * @flags: O_CLOEXEC only.
 *
 * Return: the descriptor; -ENOSYS under a profile without memfd_secret (5.11);
 * -EINVAL for other flags; -EMFILE; -ENOMEM.
 */
int sys_memfd_secret(unsigned int flags);

/**
 * memfd_pin_folios() - long-term pin the pages of @memfd's bytes [@start, @end]
 * (Linux 6.11), faulting missing ones into its page cache.
 * @memfd: a memfd (a shmem file), not a host file.
 * @start: first byte; @end: last byte (inclusive), inside the file.
 * @folios: out: the pinned head pages (libgup has no struct folio), one per
 *          folio in order; release them with unpin_folios().
 * @max_folios: room in @folios.
 * @offset: out: @start's offset inside the first one.
 *
 * Pins live in memory a long-term pin may stay in (pages in ZONE_MOVABLE or
 * CMA are migrated first, as FOLL_LONGTERM does).
 *
 * Return: the number of folios pinned (fewer than the range holds when
 * @max_folios ran out); -EINVAL for a negative @start, @start > @end, a zero
 * @max_folios, a NULL or non-shmem @memfd, or a range reaching beyond the end of
 * the file (nothing stays pinned); -ENOMEM; -ENOSYS under a profile that
 * predates the call (5.11).
 */
long memfd_pin_folios(struct file *memfd, loff_t start, loff_t end, struct page **folios,
		      unsigned int max_folios, unsigned long *offset);
/* Drop the pins memfd_pin_folios() took on @nr of @folios (6.11's unpin_folios()). */
void unpin_folios(struct page **folios, unsigned long nr);

#ifdef __cplusplus
}
#endif

#endif /* GUP_FS_H */
