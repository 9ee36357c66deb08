/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The messages between gup diff's driver (backend_host.c) and its worker
 * processes (host_worker.c): one request, one reply, over a SOCK_SEQPACKET pair.
 */
#ifndef GUP_SCRIPT_HOST_PROTO_H
#define GUP_SCRIPT_HOST_PROTO_H

#include <stdbool.h>
#include <sys/types.h>

#define HW_MAX_DATA 65536 /* bytes carried by one message: the language's MAX_IO */
#define HW_MAX_RINGS 16	  /* io_uring instances (long-term pins) one worker holds */
#define HW_MAX_THREADS 64 /* threads (each with its socket) in one worker */
#define HW_MAX_FILES 64	  /* descriptors a worker holds for the scenario */

enum hw_op {
	HW_MMAP,
	HW_MUNMAP,
	HW_MPROTECT,
	HW_MADVISE,
	HW_MLOCK,
	HW_MUNLOCK,
	HW_STORE,      /* the worker's own stores: bytes not stored in .left */
	HW_LOAD,       /* the worker's own loads */
	HW_FORK,       /* reply: the child's pid and (SCM_RIGHTS) its socket */
	HW_EXIT,       /* no reply: the socket closes once the mm is gone (.flags: a thread's) */
	HW_PROCESS_VM, /* process_vm_readv/writev on .pid */
	HW_VMSPLICE,   /* a held FOLL_GET: reply carries the pipe's read end */
	HW_RING_PIN,   /* io_uring fixed-buffer registration: reply .ret = ring id */
	HW_RING_UNPIN, /* unregistration and io_uring_queue_exit of ring .ring */
	HW_RING_READ,  /* the device reads page .index: WRITE_FIXED to a memfd */
	HW_RING_WRITE, /* the device writes page .index: READ_FIXED from a memfd */
	HW_DIRECT_IO,  /* a short-term pin: O_DIRECT I/O on an O_TMPFILE */
	HW_THREAD,     /* a new thread serving its own socket: reply .ret = its tid, the socket */
	HW_MREMAP,     /* mremap(.addr, .len, .new_len, .flags, .new_addr) */
	HW_MSEAL,      /* the mseal syscall on .addr, .len with .flags */
	HW_SECRETMEM,  /* memfd_secret, ftruncate to .len, mmap MAP_SHARED with .prot */
	HW_HANG,       /* tests: never answer (the driver's timeout path) */
	HW_FILE_OPEN,  /* open(.data, .flags): reply .ret = the scenario's descriptor number */
	HW_FILE_CLOSE, /* close(.fd) */
	HW_FILE_TRUNCATE, /* ftruncate(.fd, .len) */
	HW_FILE_PREAD,	  /* pread(.fd, .addr, .len, .off): the kernel copies into the task */
	HW_FILE_PWRITE,	  /* pwrite(.fd, .addr, .len, .off): the kernel copies from it */
	HW_FILE_FSYNC,	  /* fsync(.fd) */
	HW_MSYNC,	  /* msync(.addr, .len, .flags) */
	HW_MMAP_FILE,	  /* mmap(.addr, .len, .prot, .flags, .fd, .off) */
	HW_MEMFD_CREATE,  /* memfd_create(.data, .flags): reply .ret = the scenario's descriptor */
	HW_FILE_FCNTL,	  /* fcntl(.fd, .flags, .len): F_ADD_SEALS and F_GET_SEALS only */
};

struct hw_req {
	enum hw_op op;
	unsigned long addr, len, prot, flags, local;
	unsigned long new_len, new_addr; /* HW_MREMAP */
	int advice, ring, index;
	int fd;	  /* HW_FILE_*, HW_MMAP_FILE: the scenario's descriptor number */
	long off; /* HW_FILE_PREAD/PWRITE, HW_MMAP_FILE */
	pid_t pid;
	bool write, onfault;
	char tmpdir[256]; /* HW_DIRECT_IO: where the unnamed temporary file goes */
	unsigned int data_len;
	unsigned char data[HW_MAX_DATA];
};

struct hw_reply {
	long ret;	    /* the call's result, or -errno */
	unsigned long left; /* HW_STORE, HW_LOAD: bytes not copied */
	unsigned int data_len;
	unsigned char data[HW_MAX_DATA];
};

/* The worker's loop on @sock until HW_EXIT or the driver's end closes (host_worker.c). */
void host_worker_main(int sock) __attribute__((noreturn));

#endif /* GUP_SCRIPT_HOST_PROTO_H */
