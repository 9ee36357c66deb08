/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Test seams: what tests and tools may look at that a kernel caller would not.
 * libgup.h does not include this; tests, tools and bench include it explicitly.
 */
#ifndef GUP_TESTING_H
#define GUP_TESTING_H

#include <stdio.h>
#include <libgup.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * sim_check() for a caller that checks after every step: the same invariants, but
 * only over the frames the allocator touched since boot and the reserved ones
 * (the rest are as boot left them), so its cost follows what the machine used,
 * not its size. sim_shutdown() still checks every frame.
 * Return: the number of violations.
 */
int sim_check_used(FILE *out);

/*
 * Follow @addr's page tables without allocating; mmap_lock held.
 * Return: the PTE pointer (and the pmd in *@pmdp if given), or NULL when a level
 * above is empty or huge.
 */
pte_t *mm_find_pte(struct mm_struct *mm, unsigned long addr, pmd_t **pmdp);

/*
 * Make the range's PTEs NUMA-hinting (protnone), as task_numa_work would; mmap_lock
 * held. Skips the zero page, raw pfns and pages still shared copy-on-write.
 * Return: the number of PTEs changed.
 */
unsigned long change_prot_numa(struct vm_area_struct *vma, unsigned long start, unsigned long end);

/*
 * Exact GUP reference counts on @page's head, which only CONFIG_DEBUG_VM builds of
 * the library keep (two atomics per page).
 * Return: the FOLL_GET references (sim_page_gup_refs) or FOLL_PIN pins
 * (sim_page_gup_pins) held on the head, or -1 when the library keeps no exact count.
 */
int sim_page_gup_refs(struct page *page);
int sim_page_gup_pins(struct page *page);
/*
 * Pretend @delta pins were taken (or dropped) on @page's head without touching its
 * refcount, so a test can make the checker see a pin nobody accounted for. A no-op
 * where no exact count is kept.
 */
void sim_page_fake_gup_pins(struct page *page, int delta);

/*
 * Pin ownership (CONFIG_DEBUG_VM builds): every outstanding FOLL_GET reference and
 * FOLL_PIN pin taken through GUP is recorded with its call site and a sequence
 * number. The site is the return address into the caller of the outermost libgup
 * entry point, shown as function+offset (dladdr: link executables with -rdynamic
 * to name their own non-static functions), or the label the calling thread set
 * with sim_set_call_site(). FOLL_GET references are released by a put_page()
 * from outside libgup, pins by unpin_user_page*().
 */
struct sim_pin_record {
	struct page *page; /* the head page holding the references */
	bool pin;	   /* FOLL_PIN pins (true) or FOLL_GET references */
	int count;	   /* outstanding from this site on this page */
	unsigned long seq; /* when the first of them was taken (counts from 1 per boot) */
	const void *addr;  /* the caller's return address, or NULL for a label */
	char site[96];	   /* "function+0x1c", a sim_set_call_site() label, or "0x..." */
};

/*
 * Charge the GUP references this thread takes from now on to @site ("script.gup:12");
 * NULL goes back to return addresses. The string is copied. A no-op where no
 * records are kept.
 */
void sim_set_call_site(const char *site);

/*
 * The records on @page's head, one per call site and kind: up to @max of them
 * are stored in @recs. Return: how many there are (may exceed @max), or -1 when
 * the library keeps no records.
 */
int sim_page_pins(struct page *page, struct sim_pin_record *recs, int max);

/*
 * Call @fn on each outstanding record (a snapshot: @fn may call into libgup).
 * A non-zero return from @fn stops the walk. Return: the number of records @fn
 * was called on, or -1 when the library keeps no records.
 */
int sim_for_each_pin(int (*fn)(const struct sim_pin_record *rec, void *arg), void *arg);

/*
 * Print the outstanding pins and FOLL_GET references on @out grouped by call
 * site, with counts; nothing when there are none. This is what sim_shutdown()
 * prints for a leak and what a tool prints at the end of a run.
 * Return: the number of outstanding pins plus references (0 without records).
 */
unsigned long sim_report_pins(FILE *out);

/*
 * The host I/O seam of file-backed memory (src/fs/host_io.c). Each operation
 * returns what the libc call returns, or -errno instead of -1: a test's table can
 * fail (-EIO, -ENOSPC), transfer short, or wait at will.
 */
struct host_io_ops {
	ssize_t (*pread)(int fd, void *buf, size_t count, loff_t pos);
	ssize_t (*pwrite)(int fd, const void *buf, size_t count, loff_t pos);
	int (*fsync)(int fd);
	int (*ftruncate)(int fd, loff_t length);
};
/* The host's own calls. */
extern const struct host_io_ops host_io_default_ops;
/* Route host I/O through @ops (NULL: the defaults). Return: the table used until now. */
const struct host_io_ops *host_io_set_ops(const struct host_io_ops *ops);

/**
 * host_io_inject() - make host operation @op ("pread", "pwrite", "fsync",
 * "ftruncate" of host files; "swap_read", "swap_write" of the swap device) fail
 * with @fault ("eio", "enospc"; "short", for the reads and writes only: transfer
 * half of what was asked) on its @nth call from now (1 = next),
 * for @count calls in a row (0 = every call from then on). One rule per @op; a
 * new one replaces it. Disarmed by host_io_inject_off() and at sim_shutdown().
 *
 * Return: 0, or -EINVAL for an unknown @op or @fault, "short" of another op, or
 * @nth < 1.
 */
int host_io_inject(const char *op, const char *fault, unsigned long nth, unsigned long count);
void host_io_inject_off(void);
/* The failures injected into @op since it was armed (0 for an unknown @op). */
unsigned long host_io_injected(const char *op);

#ifdef __cplusplus
}
#endif

#endif /* GUP_TESTING_H */
