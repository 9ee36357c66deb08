/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The model fuzzer's state, shared by its decoder (model_ops.c) and the file
 * mode's operations (model_file.c): the arena's model pages, tasks, held pages,
 * the model files, and the helpers both sides call.
 */
#ifndef GUP_TESTS_MODEL_INT_H
#define GUP_TESTS_MODEL_INT_H

#include <limits.h>
#include <stdbool.h>
#include <libgup.h>
#include "model_ops.h"

#define ARENA_BASE 0x40000000UL
#define ARENA_PAGES 16
#define ARENA_END (ARENA_BASE + ARENA_PAGES * PAGE_SIZE)
#define MAX_TASKS 4
#define MAX_HELD 64
#define MAX_OPS 512
#define MAX_ACCESS (2 * PAGE_SIZE)
#define GUP_MARK_BYTES 8
#define HUGE_BASE 0x40200000UL /* 2 MiB aligned, above the arena */
#define HUGE_RANGES 2
#define HUGE_PAGES (HUGE_RANGES * HPAGE_PMD_NR)
#define HUGE_BATCHES 2		  /* huge GUP calls whose pages are held at once */
#define HUGETLB_BASE 0x40800000UL /* 2 MiB aligned, above the huge arena */
#define HUGETLB_SLOTS 8		  /* sample offsets the model keeps bytes for */
#define HUGETLB_SLOT_SIZE (HPAGE_PMD_SIZE / HUGETLB_SLOTS)
/*
 * Enough 2 MiB pages that no operation runs out: per task one mapped page and one
 * COW copy or reservation, a shared object per task, and pages pins keep after munmap.
 */
#define HUGETLB_POOL 16
/* Migrate mode's machine: zones to migrate between, a CMA area, device memory. */
#define MIGRATE_MEM_BYTES (96UL << 20)
#define MOVABLE_BYTES (16UL << 20)
#define CMA_BYTES (48UL << 20) /* over half of ZONE_NORMAL's free frames: CMA goes first */
#define DEVICE_BYTES (4UL << 20)
#define MAX_OFFLINE 4	    /* ranges offline at once */
#define OFFLINE_UNIT 256    /* pages: an offline range is 1 to 4 MiB of ZONE_MOVABLE */
#define MAX_CMA_GRANTS 4    /* cma_alloc() grants held at once */
#define CMA_MAX_COUNT 128   /* pages one grant asks for, at most */
#define DEVICE_MAX_UNITS 16 /* a device mapping: up to 16 units of the pgmap's alignment */

/* File mode: pages the model keeps per file (a mapping reaches offset 15 + 16 pages). */
#define FILE_PAGES 32
#define MODEL_FILES 2

/*
 * A file of file mode: a host file in the model's temporary directory, or a memfd.
 * Its bytes are the page cache's; synced[i]: the host file must hold bytes[i] (it
 * was written back since the page last changed).
 */
struct model_file {
	bool memfd;
	int fd;		     /* the same descriptor in every task */
	struct file *keep;   /* memfd: the model's reference, for tasks started later */
	char path[PATH_MAX]; /* host file */
	int size;	     /* in pages: the model keeps sizes page-aligned */
	unsigned int seals;  /* memfd: F_SEAL_SHRINK, _GROW, _WRITE, _FUTURE_WRITE */
	bool synced[FILE_PAGES];
	unsigned char bytes[FILE_PAGES][PAGE_SIZE];
};

/* The pages of one MAP_SHARED mmap call, shared by every task that maps them. */
struct model_object {
	int users; /* model pages referring to it */
	unsigned char bytes[ARENA_PAGES][PAGE_SIZE];
};

struct model_page {
	bool mapped;
	bool shared;
	bool dontfork;
	bool wipeonfork;
	bool sealed; /* mseal()ed: 6.18 only */
	int prot;
	unsigned long incarnation;   /* new whenever the page may be replaced by another */
	unsigned long wp_events;     /* mprotect()s that took write access away */
	struct model_object *object; /* shared: the backing object ... */
	int index;		     /* ... and the page of it */
	unsigned char *bytes;	     /* private: this task's own copy */
	/* A file mapping: its file and page; private: bytes NULL until COW. */
	struct model_file *file;
	int fpage;
	bool ro_sealed; /* shared, mapped under a write seal: never writable (no VM_MAYWRITE) */
};

/* A page of the huge arena: always private anonymous. */
struct model_huge_page {
	bool mapped;
	int prot;
	unsigned char *bytes; /* NULL: still zero */
};

/* The bytes of a 2 MiB hugetlb page at the model's sample offsets. */
struct hugetlb_bytes {
	unsigned char slot[HUGETLB_SLOTS][GUP_MARK_BYTES];
};

/*
 * File mode's hugetlbfs memfd (config bit 7): up to HFILE_PAGES 2 MiB pages, whose
 * bytes the model keeps at the HUGETLB_SLOTS sample offsets, mapped one huge page
 * at a time at HUGETLB_BASE. The pool has room for every page the operations can
 * hold: the file's, a private copy per task, one pinned page truncated away.
 */
#define HFILE_PAGES 2
#define HFILE_POOL 10
struct model_hfile {
	int fd;		   /* the same descriptor in every task */
	struct file *keep; /* the model's reference, for tasks started later */
	int size;	   /* in huge pages */
	bool cached[HFILE_PAGES];
	struct hugetlb_bytes bytes[HFILE_PAGES];
};

/* How a task's private mapping of the hugetlbfs memfd has been faulted. */
enum hmap_state {
	HMAP_UNFAULTED, /* nothing mapped yet */
	HMAP_FILE,	/* the page-cache page, read-only: it sees the file's changes */
	HMAP_PRIVATE,	/* a page of its own (a copy, or a hole's new zeroed page) */
};

/* A task's mapping of one page of the hugetlbfs memfd at HUGETLB_BASE. */
struct model_hmap {
	bool mapped, shared;
	int prot, fpage;
	enum hmap_state state;	    /* private mappings */
	struct hugetlb_bytes bytes; /* HMAP_PRIVATE */
};

/* A MAP_SHARED hugetlb page, shared by every task that maps it after fork. */
struct hugetlb_object {
	int users;
	struct hugetlb_bytes bytes;
};

/* A task's hugetlb range: private (its own bytes) or shared (an object's). */
struct model_hugetlb {
	bool mapped;
	struct hugetlb_object *object; /* shared: the object; NULL: private */
	struct hugetlb_bytes bytes;    /* private: this task's copy */
};

/*
 * A task's mapping of the device-dax pgmap (sim_mmap_device()), MAP_SHARED; or of
 * the fsdax file (dev_fsdax), shared or private. A private writable one's first
 * write of a page (a store, or GUP with FOLL_WRITE) copies the device page into
 * an anonymous page: from then on the task's bytes there are its own.
 */
struct model_dev {
	unsigned long addr, offset, len; /* len 0: none */
	int prot;
	unsigned int units; /* bit u: unit u (of the pgmap's alignment) is still mapped */
	bool private;
	unsigned char *cow; /* private and writable: the bytes of the copied pages (len bytes) */
	uint64_t copied[DEVICE_BYTES / PAGE_SIZE / 64]; /* bit p: page p is an anonymous copy */
};

struct model_task {
	struct task_struct *task; /* NULL: slot free */
	struct model_page pages[ARENA_PAGES];
	struct model_huge_page huge[HUGE_PAGES];
	struct model_hugetlb hugetlb;
	struct model_dev dev;
	struct model_hmap hmap; /* file mode */
};

/* A pfn range: offline, or granted by cma_alloc(). */
struct model_span {
	unsigned long start, nr;
};

struct held_page {
	struct page *page;
	bool pinned;
	/* Where it was got, for the coherence check at release. */
	bool private_anon; /* a private page that was not the zero page, readable */
	bool write;
	bool writable; /* the mapping allowed writes when it was got */
	int task, slot;
	unsigned long incarnation, wp_events;
	/* File mode: the page-cache page it is (file page fpage), until truncated; else NULL. */
	struct model_file *file;
	int fpage;
};

/* The pages one huge GUP call got, released together (one unpin call for a pin). */
struct huge_batch {
	struct page *pages[HPAGE_PMD_NR];
	int nr;
	bool pinned;
};

struct model {
	struct model_task tasks[MAX_TASKS];
	struct model_task *cur;
	struct held_page held[MAX_HELD];
	int nr_held;
	struct huge_batch batches[HUGE_BATCHES];
	FILE *log;
	int step;
	bool failed;
	bool has_mseal;			 /* the profile's kernel has mseal (6.10) */
	bool has_pin_fast_only;		 /* ... and pin_user_pages_fast_only() (gone by 6.18) */
	struct huge_batch hugetlb_batch; /* the pages of one hugetlb GUP call, held */
	bool file_mode;
	char file_dir[64];    /* file mode: the host directory of the model's files */
	bool write_prefaults; /* a write reads a chunk's user bytes before any seal (5.11) */
	/*
	 * 6.18's write seals: only a shared mapping that may still become writable
	 * counts against F_SEAL_WRITE (6.7), and do_mmap() refuses a sealed mapping
	 * before MAP_FIXED unmaps the old range (6.13).
	 */
	bool seals_as_6_18;
	struct model_file files[MODEL_FILES];
	bool has_hfile;
	struct model_hfile hfile;
	/* migrate mode */
	bool migrate_mode;
	bool longterm_avoids_movable; /* a long-term pin may not stay in ZONE_MOVABLE (6.18) */
	bool longterm_stuck_fails;    /* a long-term pin a page cannot leave fails (6.18) */
	struct model_span offline[MAX_OFFLINE];
	int nr_offline;
	struct model_span cma[MAX_CMA_GRANTS];
	int nr_cma;
	struct dev_pagemap pgmap; /* GENERIC, over all device memory */
	bool pgmap_live;
	unsigned long dev_align;
	unsigned char *dev_bytes;    /* the device's bytes, which outlive its pgmap */
	struct huge_batch dev_batch; /* the pages of one device GUP call, held */
	bool dev_fsdax;		     /* config bit 4: the device is fsdax pmem under one DAX file */
	/*
	 * fsdax: the model's reference to the DAX file. Evicting its inode while a page
	 * is pinned would wait in the kernel (6.15's dax_break_layout_final()), which
	 * a single-threaded model cannot: it keeps the inode until the pins are gone.
	 */
	struct file *dax_keep;
};

/* One decoded operation: the opcode and its three argument bytes. */
struct model_op {
	uint8_t code, a, b, c;
};

/* One operation of the decoder, on the model and the machine. */
typedef void (*model_op_fn)(struct model *m, const struct model_op *op);

/*
 * Run the operation of @table (an array of model_op_fn) that @byte names, modulo
 * the table's size: how each opcode that stands for a family of operations picks
 * one. Tables have a power-of-two size, so that is @byte's low bits; an operation
 * meant to come up more often takes more than one entry.
 */
#define MODEL_DISPATCH(m, op, byte, table) ((table)[(byte) % ARRAY_SIZE(table)]((m), (op)))

/* --- model_ops.c's helpers --- */
void __attribute__((format(printf, 2, 3))) diverged(struct model *m, const char *fmt, ...);
void __attribute__((format(printf, 2, 3))) trace(struct model *m, const char *fmt, ...);
unsigned long slot_addr(int slot);
int slot_of(uint8_t byte);
int count_of(uint8_t byte, int slot);
int prot_of(uint8_t bits);
struct model_task *task_of(struct model *m, uint8_t byte);
void fill_pattern(struct model *m, unsigned char *buf, size_t len);
unsigned long new_incarnation(void);
void drop_page(struct model_page *p);
bool range_sealed(const struct model_task *mt, int slot, int n);
bool gup_may_access(const struct model_page *p, bool write, bool force);
size_t accessible_prefix(struct model_task *mt, unsigned long addr, size_t len, bool write,
			 bool gup, bool force);
void model_copy(struct model_task *mt, unsigned long addr, void *buf, size_t len, bool to_model);
long expected_gup(long accessible, int n);
long batch_gup(struct model *m, struct huge_batch *batch, unsigned long addr, int n,
	       unsigned int flags, bool fast, bool pin);
void check_got_pages(struct model *m, struct model_task *mt, int slot, long got,
		     struct page **pages, bool write);
/* Record the @got pages a GUP of @mt's @slot... returned as held (pinned: FOLL_PIN). */
void hold_got_pages(struct model *m, struct model_task *mt, int slot, long got, struct page **pages,
		    bool pinned, bool write);
/* Hand back the pages of the hugetlb GUP batch if there are any (c bit 0: dirty). */
void hugetlb_release(struct model *m, const struct model_op *op);
/* Hand back the pages of @batch (one unpin call for pins), dirty or not; it is empty after. */
void release_batch(struct huge_batch *batch, bool dirty);
/* Release held page @i: unpin_user_pages_dirty_lock(@dirty) for a pin, else put_page. */
void release_held_dirty(struct model *m, int i, bool dirty);
/*
 * MADV_PAGEOUT (c bit 0) or MADV_COLD over slot_of(a), count_of(b) pages; in file
 * mode, then every pin on a shared shmem page must be the page a fault maps.
 */
void op_pageout(struct model *m, const struct model_op *op);

/* --- model_file.c: file mode --- */
/*
 * An input starting with MODEL_FILE_MAGIC runs in file mode; the config byte
 * (bits 0-2: file 0's pages / 2; bit 3: file 1 is a memfd, else a second host
 * file; bits 4-6: file 1's pages / 2; bit 7: a hugetlbfs memfd too, and its pool)
 * sets up the files.
 * Return: the bytes the magic takes (0: not file mode).
 */
size_t file_mode_config(const uint8_t *data, size_t size, struct sim_config *cfg);
/* Create the files (after boot, in the first task). Return: 0, or -1 (diverged). */
int file_mode_setup(struct model *m, uint8_t config);
/* A task started later opens the files at their descriptors. */
void file_mode_task_started(struct model *m);
/* Every task has gone: each host file's last reference wrote it back; check it. */
void file_mode_all_exited(struct model *m);
/* After munmap or exit: the host bytes the model knows written back still hold. */
void file_check_synced(struct model *m);
/* The model's view of a file page: may it be reached (inside EOF)? */
bool file_page_in_eof(const struct model_page *p);
/* MODEL_OP_HUGE and above in file mode: the file operations. */
void op_file(struct model *m, const struct model_op *op);
/* Drop the memfd references, check the host files; before shutdown. */
void file_mode_tear_down(struct model *m);
/* After shutdown: remove the directory. */
void file_mode_remove_dir(struct model *m);

#endif /* GUP_TESTS_MODEL_INT_H */
