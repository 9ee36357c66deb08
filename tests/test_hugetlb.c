// SPDX-License-Identifier: GPL-2.0-only
/*
 * tests/test_hugetlb.c - hugetlb: the boot pools and their accounting, MAP_HUGETLB's
 * errors and reservations, 2 MiB and 1 GiB faults, private COW and shared pages
 * across fork, GUP slow and fast with the exact pincount, zap, fault injection.
 */
#include "hugetlb_harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HUGE_SHARED (MAP_SHARED | MAP_ANONYMOUS | MAP_HUGETLB)
#define SZ_2M PMD_SIZE
#define SZ_1G PUD_SIZE
#define NR_2M HPAGE_PMD_NR
#define NR_1G (1UL << HUGETLB_1G_ORDER)

static struct sim_hugepages pool(unsigned long size)
{
	struct sim_hugepages hp;

	assert_int_equal(sim_hugepages(size, &hp), 0);
	return hp;
}

static void assert_pool(unsigned long size, unsigned long total, unsigned long free,
			unsigned long rsvd)
{
	struct sim_hugepages hp = pool(size);

	assert_int_equal(hp.total, total);
	assert_int_equal(hp.free, free);
	assert_int_equal(hp.rsvd, rsvd);
	assert_int_equal(hp.surp, 0);
}

/* sim_check() with its report thrown away: the test only counts violations. */
static int check_quietly(void)
{
	FILE *null = fopen("/dev/null", "w");
	int violations;

	assert_non_null(null);
	violations = sim_check(null);
	fclose(null);
	return violations;
}

/* --- pools and mmap --- */

static void test_pool_accounting(void **state)
{
	struct task_struct *t;
	unsigned long addr;
	char *text = NULL;
	size_t len = 0;
	FILE *out;

	(void)state;
	t = boot_pools(4, 0);
	assert_pool(SZ_2M, 4, 4, 0);
	out = open_memstream(&text, &len);
	assert_int_equal(sim_meminfo(out), 0);
	fclose(out);
	assert_non_null(strstr(text, "HugePages_Total:       4\n"));
	assert_non_null(strstr(text, "HugePages_Surp:        0\n"));
	assert_non_null(strstr(text, "Hugepagesize:       2048 kB\n"));
	free(text);

	addr = map_huge(2 * SZ_2M, HUGE_PRIVATE);
	assert_pool(SZ_2M, 4, 4, 2); /* reserved at mmap */
	put_byte(addr, 'x');
	assert_pool(SZ_2M, 4, 3, 1); /* the fault took its reservation */
	assert_int_equal(sim_check(NULL), 0);
	assert_int_equal(sys_munmap(addr, 2 * SZ_2M), 0);
	assert_pool(SZ_2M, 4, 4, 0); /* page and the unused reservation both back */
	finish(t);
}

static void test_mmap_errors(void **state)
{
	struct task_struct *t;
	unsigned long addr;

	(void)state;
	t = boot_pools(0, 0);
	/* No pool: the reservation fails at mmap. */
	assert_int_equal(sys_mmap(0, SZ_2M, RW, HUGE_PRIVATE, -1, 0), -ENOMEM);
	assert_int_equal(sys_mmap(0, SZ_2M, RW, HUGE_SHARED, -1, 0), -ENOMEM);
	/* A size no pool has. */
	assert_int_equal(sys_mmap(0, SZ_2M, RW, HUGE_PRIVATE | (22UL << MAP_HUGE_SHIFT), -1, 0),
			 -EINVAL);
	/* MAP_NORESERVE maps, and the fault finds no page: GUP gets -EFAULT. */
	addr = map_huge(SZ_2M, HUGE_PRIVATE | MAP_NORESERVE);
	assert_int_equal(pin_user_pages_fast(addr, 1, FOLL_WRITE, (struct page *[1]){0}), -EFAULT);
	assert_int_equal(sys_munmap(addr, SZ_2M), 0);
	task_exit(t);
	assert_int_equal(sim_shutdown(), 0);

	t = boot_pools(1, 0);
	assert_int_equal(sys_mmap(0, 2 * SZ_2M, RW, HUGE_PRIVATE, -1, 0), -ENOMEM);
	assert_int_equal(
		sys_mmap(0x40000000UL + PAGE_SIZE, SZ_2M, RW, HUGE_PRIVATE | MAP_FIXED, -1, 0),
		-EINVAL);
	/* The length is rounded up to the huge page; the hint to its boundary. */
	addr = sys_mmap(0x40000000UL + PAGE_SIZE, PAGE_SIZE, RW, HUGE_PRIVATE, -1, 0);
	assert_int_equal(addr, 0x40000000UL + SZ_2M);
	assert_int_equal(vma_at(t, addr)->vm_end, addr + SZ_2M);
	assert_true(vma_at(t, addr)->vm_flags & VM_HUGETLB);
	/* Cuts inside the huge page are refused. */
	assert_int_equal(sys_munmap(addr, PAGE_SIZE), -EINVAL);
	assert_int_equal(sys_mprotect(addr + PAGE_SIZE, PAGE_SIZE, PROT_READ), -EINVAL);
	assert_int_equal(sys_munmap(addr, SZ_2M), 0);
	assert_pool(SZ_2M, 1, 1, 0);
	finish(t);
}

static void test_1g_pool_must_fit(void **state)
{
	struct sim_config cfg = {.hugetlb_1g_pages = 1, .quiet = true};

	(void)state;
	/* 1 GiB of ZONE_NORMAL cannot hold a 1 GiB page above the reserved frames. */
	assert_int_equal(sim_boot(&cfg), -EINVAL);
	assert_false(sim_running());
	cfg.mem_bytes = 2UL << 30;
	assert_int_equal(sim_boot(&cfg), 0);
	assert_pool(SZ_1G, 1, 1, 0);
	assert_int_equal(sim_check(NULL), 0);
	assert_int_equal(sim_shutdown(), 0);
}

/* As nr_hugepages: a pool bigger than memory gets what the buddy allocator can give. */
static void test_2m_pool_takes_what_fits(void **state)
{
	struct sim_config cfg = {.mem_bytes = 16UL << 20, .hugetlb_2m_pages = 100, .quiet = true};

	(void)state;
	assert_int_equal(sim_boot(&cfg), 0);
	/* 16 MiB is eight 2 MiB blocks; the first holds the reserved low frames. */
	assert_pool(SZ_2M, 7, 7, 0);
	assert_int_equal(sim_check(NULL), 0);
	assert_int_equal(sim_shutdown(), 0);
}

/* The checker's hugetlb section: a pool page's count against the pool's lists and pins. */
static void test_checker_sees_pool_and_pincount_errors(void **state)
{
	struct task_struct *t;
	struct page *pages[1], *head;
	unsigned long addr;

	(void)state;
	t = boot_pools(1, 0);
	addr = map_huge(SZ_2M, HUGE_PRIVATE);
	put_byte(addr, 1);
	head = head_at(t, addr);
	assert_int_equal(sys_munmap(addr, SZ_2M), 0);
	/* Free in the pool but referenced: neither free nor in use. */
	set_page_count(head, 1);
	assert_true(check_quietly() > 0);
	set_page_count(head, 0);
	assert_int_equal(sim_check(NULL), 0);
	addr = map_huge(SZ_2M, HUGE_PRIVATE);
	assert_int_equal(pin_user_pages_fast(addr, 1, FOLL_WRITE, pages), 1);
	if (sim_page_gup_pins(pages[0]) >= 0) { /* debug builds record pins per page */
		sim_page_fake_gup_pins(pages[0], 1);
		assert_true(check_quietly() > 0);
		sim_page_fake_gup_pins(pages[0], -1);
	}
	assert_int_equal(sim_check(NULL), 0);
	unpin_user_page(pages[0]);
	finish(t);
}

/* --- faults --- */

static void test_fault_2m(void **state)
{
	struct task_struct *t;
	struct page *head;
	unsigned long addr;
	pmd_t *pmd;

	(void)state;
	t = boot_pools(2, 0);
	addr = map_huge(SZ_2M, HUGE_PRIVATE);
	assert_int_equal(get_byte(addr + 12345), 0); /* read: a zeroed page, read-only */
	pmd = mm_alloc_pmd(t->mm, addr);
	assert_true(pmd_huge(pmdp_get(pmd)));
	assert_false(pmd_write(pmdp_get(pmd)));
	put_byte(addr + SZ_2M - 1, 'z'); /* write: the same page, now writable */
	assert_true(pmd_write(pmdp_get(pmd)));
	head = head_at(t, addr);
	assert_true(PageHuge(head));
	assert_int_equal(compound_order(head), HPAGE_PMD_ORDER);
	/* pagemap reports each subpage. */
	assert_int_equal(pfn_of(t, addr + 7 * PAGE_SIZE), page_to_pfn(head) + 7);
	assert_int_equal(page_count(head), 1);
	assert_int_equal(page_mapcount(head), 1);
	assert_int_equal(get_byte(addr + SZ_2M - 1), 'z');
	assert_pool(SZ_2M, 2, 1, 0);
	finish(t);
}

static void test_fault_1g(void **state)
{
	struct task_struct *t;
	struct page *head;
	unsigned long addr;
	pud_t *pud;

	(void)state;
	t = boot_pools(0, 1);
	addr = map_huge(SZ_1G, HUGE_PRIVATE | MAP_HUGE_1GB);
	assert_true(IS_ALIGNED(addr, SZ_1G));
	put_byte(addr + SZ_1G - 1, 'g');
	pud = pud_offset(p4d_offset(pgd_offset(t->mm, addr), addr), addr);
	assert_true(pud_huge(pudp_get(pud)));
	head = head_at(t, addr);
	assert_int_equal(compound_order(head), HUGETLB_1G_ORDER);
	assert_int_equal(pfn_of(t, addr + SZ_1G - PAGE_SIZE), page_to_pfn(head) + NR_1G - 1);
	assert_int_equal(get_byte(addr + SZ_1G - 1), 'g');
	assert_int_equal(get_byte(addr), 0);
	assert_pool(SZ_1G, 1, 0, 0);
	assert_int_equal(sim_check(NULL), 0);
	assert_int_equal(sys_munmap(addr, SZ_1G), 0);
	assert_pool(SZ_1G, 1, 1, 0);
	finish(t);
}

static void test_private_cow_after_fork(void **state)
{
	struct task_struct *parent, *child;
	unsigned long addr;
	struct page *head;

	(void)state;
	parent = boot_pools(3, 0);
	addr = map_huge(SZ_2M, HUGE_PRIVATE);
	put_byte(addr, 'a');
	head = head_at(parent, addr);
	child = sys_fork();
	assert_non_null(child);
	assert_int_equal(page_mapcount(head), 2);
	assert_int_equal(sim_check(NULL), 0);
	set_current(child);
	assert_int_equal(get_byte(addr), 'a');
	assert_ptr_equal(head_at(child, addr), head);
	put_byte(addr, 'b'); /* COW: the child gets its own huge page */
	assert_ptr_not_equal(head_at(child, addr), head);
	assert_pool(SZ_2M, 3, 1, 0);
	set_current(parent);
	assert_int_equal(get_byte(addr), 'a');
	put_byte(addr, 'c'); /* mapped once again: reused in place */
	assert_ptr_equal(head_at(parent, addr), head);
	assert_pool(SZ_2M, 3, 1, 0);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(child);
	set_current(parent);
	assert_pool(SZ_2M, 3, 2, 0);
	finish(parent);
}

static void test_shared_across_fork(void **state)
{
	struct task_struct *parent, *child;
	unsigned long addr;

	(void)state;
	parent = boot_pools(2, 0);
	addr = map_huge(2 * SZ_2M, HUGE_SHARED);
	assert_pool(SZ_2M, 2, 2, 2);
	put_byte(addr, 'p');
	child = sys_fork();
	assert_non_null(child);
	set_current(child);
	assert_int_equal(get_byte(addr), 'p');
	put_byte(addr + SZ_2M, 'c'); /* the child faults the second page into the object */
	set_current(parent);
	assert_int_equal(get_byte(addr + SZ_2M), 'c');
	assert_int_equal(pfn_of(parent, addr + SZ_2M), pfn_of(child, addr + SZ_2M));
	assert_false(pagemap_entry(parent, addr) & PM_MMAP_EXCLUSIVE);
	assert_true(pagemap_entry(parent, addr) & PM_FILE);
	assert_pool(SZ_2M, 2, 0, 0);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(child);
	set_current(parent);
	/* The object keeps its pages until its last mapping goes. */
	assert_pool(SZ_2M, 2, 0, 0);
	assert_int_equal(sys_munmap(addr, 2 * SZ_2M), 0);
	assert_pool(SZ_2M, 2, 2, 0);
	finish(parent);
}

static void test_cow_without_a_free_page_is_sigbus(void **state)
{
	struct task_struct *parent, *child;
	struct page *pages[1];
	unsigned long addr;

	(void)state;
	parent = boot_pools(1, 0);
	addr = map_huge(SZ_2M, HUGE_PRIVATE);
	put_byte(addr, 'a');
	child = sys_fork();
	assert_non_null(child);
	set_current(child);
	/* The child owns no reservation and the pool is empty. */
	assert_int_equal(copy_to_user(addr, "b", 1), 1);
	assert_int_equal(get_user_pages_fast(addr, 1, FOLL_WRITE, pages), -EFAULT);
	mmap_read_lock(child->mm);
	assert_int_equal(handle_mm_fault(vma_at(child, addr), addr, FAULT_FLAG_WRITE, NULL),
			 VM_FAULT_SIGBUS);
	mmap_read_unlock(child->mm);
	assert_int_equal(get_byte(addr), 'a');
	task_exit(child);
	set_current(parent);
	finish(parent);
}

static void test_allocation_injection_is_sigbus(void **state)
{
	struct task_struct *t;
	struct page *pages[1];
	unsigned long addr;

	(void)state;
	t = boot_pools(1, 0);
	addr = map_huge(SZ_2M, HUGE_PRIVATE);
	assert_int_equal(inject_arm("hugetlb_alloc", 1, 1), 0);
	assert_int_equal(pin_user_pages(addr, 1, FOLL_WRITE, pages, NULL), -EFAULT);
	assert_int_equal(inject_fired(INJECT_HUGETLB_ALLOC), 1);
	assert_pool(SZ_2M, 1, 1, 1); /* nothing was taken */
	assert_int_equal(pin_user_pages(addr, 1, FOLL_WRITE, pages, NULL), 1);
	unpin_user_page(pages[0]);
	finish(t);
}

/* --- GUP --- */

static void test_slow_gup_pins_exactly_2m(void **state)
{
	struct page *pages[NR_2M + 16];
	struct task_struct *t;
	struct page *head, *second;
	unsigned long addr;

	(void)state;
	t = boot_pools(2, 0);
	addr = map_huge(2 * SZ_2M, HUGE_PRIVATE);
	/* From subpage 3 of the first page into the second: faults both in. */
	assert_int_equal(pin_user_pages(addr + 3 * PAGE_SIZE, NR_2M + 8, FOLL_WRITE, pages, NULL),
			 NR_2M + 8);
	head = head_at(t, addr);
	second = head_at(t, addr + SZ_2M);
	for (int i = 0; i < NR_2M - 3; i++)
		assert_ptr_equal(pages[i], head + 3 + i);
	for (int i = 0; i < 11; i++)
		assert_ptr_equal(pages[NR_2M - 3 + i], second + i);
	assert_int_equal(compound_pincount(head), NR_2M - 3);
	assert_int_equal(compound_pincount(second), 11);
	assert_int_equal(page_count(head), 1 + NR_2M - 3); /* the mapping's + one per pin */
	assert_true(page_maybe_dma_pinned(head + 100));
	assert_int_equal(sim_check(NULL), 0);
	/* Unpin the subpages of one compound page in one call. */
	unpin_user_pages(pages, NR_2M - 3);
	assert_false(page_maybe_dma_pinned(head));
	assert_int_equal(page_count(head), 1);
	unpin_user_pages(pages + NR_2M - 3, 11);
	assert_int_equal(compound_pincount(second), 0);
	/* One call across both huge pages. */
	assert_int_equal(pin_user_pages(addr + SZ_2M - 2 * PAGE_SIZE, 4, FOLL_WRITE, pages, NULL),
			 4);
	unpin_user_pages(pages, 4);
	assert_int_equal(compound_pincount(head), 0);
	assert_int_equal(compound_pincount(second), 0);
	assert_int_equal(page_count(second), 1);
	/* Out of order: each entry its own put. */
	assert_int_equal(pin_user_pages(addr, 3, FOLL_WRITE, pages, NULL), 3);
	pages[3] = pages[0], pages[0] = pages[2], pages[2] = pages[3];
	unpin_user_pages(pages, 3);
	assert_int_equal(compound_pincount(head), 0);
	/* FOLL_GET through follow_page(): follow_huge_pmd(). */
	mmap_read_lock(t->mm);
	assert_ptr_equal(follow_page(vma_at(t, addr), addr + 5 * PAGE_SIZE, FOLL_GET), head + 5);
	mmap_read_unlock(t->mm);
	put_page(head + 5);
	finish(t);
}

/*
 * Two pool pages adjacent in the memmap (halves of one 4 MiB block): an unpin whose
 * array runs on from the end of one into the start of the other puts each head once.
 */
static void test_unpin_run_stops_at_compound_end(void **state)
{
	struct page *pages[4], *heads[4];
	struct task_struct *t;
	unsigned long addr;
	int lo = -1, hi = -1;

	(void)state;
	t = boot_pools(4, 0);
	addr = map_huge(4 * SZ_2M, HUGE_PRIVATE);
	for (int i = 0; i < 4; i++) {
		put_byte(addr + i * SZ_2M, 1);
		heads[i] = head_at(t, addr + i * SZ_2M);
	}
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < 4; j++)
			if (heads[j] == heads[i] + NR_2M)
				lo = i, hi = j;
	assert_true(lo >= 0);
	assert_int_equal(pin_user_pages(addr + lo * SZ_2M + SZ_2M - 2 * PAGE_SIZE, 2, FOLL_WRITE,
					pages, NULL),
			 2);
	assert_int_equal(pin_user_pages(addr + hi * SZ_2M, 2, FOLL_WRITE, pages + 2, NULL), 2);
	assert_ptr_equal(pages[2], pages[1] + 1); /* one run of struct pages, two heads */
	unpin_user_pages(pages, 4);
	assert_int_equal(compound_pincount(heads[lo]), 0);
	assert_int_equal(compound_pincount(heads[hi]), 0);
	assert_int_equal(page_count(heads[hi]), 1);
	finish(t);
}

static void test_fast_gup_pins_exactly_2m(void **state)
{
	struct page *pages[2 * NR_2M];
	struct task_struct *t;
	struct page *head;
	unsigned long addr;

	(void)state;
	t = boot_pools(2, 0);
	addr = map_huge(2 * SZ_2M, HUGE_PRIVATE);
	put_byte(addr, 1);
	put_byte(addr + SZ_2M, 1);
	head = head_at(t, addr);
	assert_int_equal(get_user_pages_fast_only(addr, 2 * NR_2M, FOLL_WRITE, pages), 2 * NR_2M);
	put_pages(pages, 2 * NR_2M);
	assert_int_equal(pin_fast_only_or_fast(addr, 2 * NR_2M, FOLL_WRITE | FOLL_LONGTERM, pages),
			 2 * NR_2M);
	assert_ptr_equal(pages[NR_2M - 1], head + NR_2M - 1);
	assert_int_equal(compound_pincount(head), NR_2M);
	assert_int_equal(page_count(head), 1 + NR_2M);
	assert_int_equal(sim_check(NULL), 0);
	unpin_user_pages(pages, 2 * NR_2M);
	assert_int_equal(compound_pincount(head), 0);
	finish(t);
}

static void test_gup_1g_slow_and_fast(void **state)
{
	struct page **pages = calloc(1024, sizeof(*pages));
	struct task_struct *t;
	struct page *head;
	unsigned long addr;

	(void)state;
	assert_non_null(pages);
	t = boot_pools(0, 1);
	addr = map_huge(SZ_1G, HUGE_SHARED | MAP_HUGE_1GB);
	assert_int_equal(
		pin_user_pages(addr + SZ_2M, 1024, FOLL_WRITE | FOLL_LONGTERM, pages, NULL), 1024);
	head = head_at(t, addr);
	assert_ptr_equal(pages[0], head + NR_2M);
	assert_ptr_equal(pages[1023], head + NR_2M + 1023);
	assert_int_equal(compound_pincount(head), 1024);
	/* follow_huge_pud() takes no reference (5.11): the lookup reads as a hole. */
	mmap_read_lock(t->mm);
	assert_null(follow_page(vma_at(t, addr), addr, FOLL_GET));
	assert_ptr_equal(follow_page(vma_at(t, addr), addr + PAGE_SIZE, 0), head + 1);
	mmap_read_unlock(t->mm);
	unpin_user_pages(pages, 1024);
	/* GUP-fast through the pud leaf: one grab for the range. */
	assert_int_equal(
		pin_fast_only_or_fast(addr + SZ_1G - 1024 * PAGE_SIZE, 1024, FOLL_WRITE, pages),
		1024);
	assert_ptr_equal(pages[1023], head + NR_1G - 1);
	assert_int_equal(compound_pincount(head), 1024);
	assert_int_equal(sim_check(NULL), 0);
	unpin_user_pages(pages, 1024);
	assert_int_equal(page_count(head), 2); /* the object's and the mapping's */
	free(pages);
	finish(t);
}

static void test_pinned_page_outlives_munmap(void **state)
{
	struct task_struct *t;
	struct page *pages[4];
	unsigned long addr;

	(void)state;
	t = boot_pools(1, 0);
	addr = map_huge(SZ_2M, HUGE_PRIVATE);
	assert_int_equal(pin_user_pages_fast(addr, 4, FOLL_WRITE, pages), 4);
	assert_int_equal(sys_munmap(addr, SZ_2M), 0);
	assert_pool(SZ_2M, 1, 0, 0); /* the pins hold it */
	assert_int_equal(sim_check(NULL), 0);
	unpin_user_pages(pages, 4);
	assert_pool(SZ_2M, 1, 1, 0);
	finish(t);
}

/* 5.11 shares a pinned hugetlb page with the child; later kernels copy it at fork. */
static void test_fork_of_pinned_page(void **state)
{
	struct task_struct *parent, *child;
	struct page *pages[1];
	unsigned long addr;
	bool copies;

	(void)state;
	parent = boot_pools(2, 0);
	copies = sim_current_profile() == SIM_PROFILE_6_18;
	addr = map_huge(SZ_2M, HUGE_PRIVATE);
	assert_int_equal(pin_user_pages_fast(addr, 1, FOLL_WRITE, pages), 1);
	child = sys_fork();
	assert_non_null(child);
	if (copies)
		assert_int_not_equal(pfn_of(child, addr), page_to_pfn(pages[0]));
	else
		assert_int_equal(pfn_of(child, addr), page_to_pfn(pages[0]));
	assert_int_equal(sim_check(NULL), 0);
	/* 5.11: the parent's write COWs it away from its own pin. */
	put_byte(addr, 'w');
	assert_int_equal(pfn_of(parent, addr) == page_to_pfn(pages[0]), copies);
	unpin_user_page(pages[0]);
	task_exit(child);
	set_current(parent);
	finish(parent);
}

static void test_mprotect_and_mlock(void **state)
{
	struct task_struct *t;
	unsigned long addr;

	(void)state;
	t = boot_pools(2, 0);
	addr = map_huge(2 * SZ_2M, HUGE_PRIVATE);
	put_byte(addr, 'm');
	assert_int_equal(sys_mprotect(addr, SZ_2M, PROT_READ), 0);
	assert_int_equal(copy_to_user(addr, "n", 1), 1);
	assert_int_equal(get_byte(addr), 'm');
	assert_int_equal(sys_mprotect(addr, SZ_2M, RW), 0);
	put_byte(addr, 'n');
	/* mlock succeeds but never locks hugetlb (VM_SPECIAL); it populates. */
	assert_int_equal(sys_mlock(addr, 2 * SZ_2M), 0);
	assert_false(vma_at(t, addr)->vm_flags & VM_LOCKED);
	assert_true(addr_present(addr + SZ_2M));
	/* MADV_DONTNEED is refused on hugetlb in 5.11; a cut inside a huge page too. */
	assert_int_equal(sys_madvise(addr, SZ_2M, MADV_DONTNEED), -EINVAL);
	assert_int_equal(sys_madvise(addr, PAGE_SIZE, MADV_DONTFORK), -EINVAL);
	assert_int_equal(sys_madvise(addr, SZ_2M, MADV_DONTFORK), 0);
	finish(t);
}

static void test_smaps_hugetlb_lines(void **state)
{
	struct task_struct *t;
	unsigned long addr;
	char *text = NULL;
	size_t len = 0;
	FILE *out;

	(void)state;
	t = boot_pools(2, 0);
	addr = map_huge(2 * SZ_2M, HUGE_PRIVATE);
	put_byte(addr, 's');
	out = open_memstream(&text, &len);
	assert_int_equal(show_smaps(out, t->mm), 0);
	fclose(out);
	assert_non_null(strstr(text, "Private_Hugetlb:    2048 kB\n"));
	assert_non_null(strstr(text, "Shared_Hugetlb:        0 kB\n"));
	assert_non_null(strstr(text, "Rss:                   0 kB\n"));
	assert_non_null(strstr(text, " ht"));
	free(text);
	finish(t);
}

/* 5.11: a forced write COWs (or reuses) and leaves the huge entry writable. */
static void test_forced_write_on_read_only_mapping(void **state)
{
	struct task_struct *t;
	struct page *pages[1];
	unsigned long addr;

	(void)state;
	t = boot_pools(1, 0);
	addr = sys_mmap(0, SZ_2M, PROT_READ, HUGE_PRIVATE, -1, 0);
	assert_false(IS_ERR_VALUE(addr));
	assert_int_equal(get_byte(addr), 0);
	assert_int_equal(gup_under_lock(addr, 1, FOLL_WRITE, pages, NULL), -EFAULT);
	/* 6.2 refuses FOLL_FORCE|FOLL_WRITE on hugetlb; 5.11 breaks COW for it. */
	assert_int_equal(gup_under_lock(addr, 1, FOLL_WRITE | FOLL_FORCE, pages, NULL),
			 by_profile(1, -EFAULT));
	if (profile_is_6_18()) {
		finish(t);
		return;
	}
	put_page(pages[0]);
	assert_true(pmd_write(pmdp_get(mm_alloc_pmd(t->mm, addr))));
	finish(t);
}

/* A core dump reads a never-faulted huge page as a hole (follow_hugetlb_page, FOLL_DUMP). */
static void test_dump_of_unfaulted_page_is_a_hole(void **state)
{
	struct task_struct *t;
	unsigned long addr;

	(void)state;
	t = boot_pools(1, 0);
	addr = map_huge(SZ_2M, HUGE_PRIVATE);
	assert_null(get_dump_page(addr));
	put_byte(addr, 'd');
	assert_ptr_equal(get_dump_page(addr + PAGE_SIZE), head_at(t, addr) + 1);
	put_page(head_at(t, addr));
	assert_pool(SZ_2M, 1, 0, 0);
	finish(t);
}

/*
 * Faults on one huge page take turns (5.11's hugetlb fault mutex): a write that
 * arrives while a COW copies the page waits for the copy, then writes into the
 * copy. Without the turns it would reuse the old page (the child has gone, so it
 * looks exclusive), make it writable and write it while the copy reads it, and the
 * copy would be thrown away.
 */
static void test_fault_waits_for_cow_in_progress(void **state)
{
	struct hugetlb_cow_race race = {0};
	struct task_struct *t;
	unsigned long cows, reuses;

	(void)state;
	t = boot_pools(2, 0);
	cows = global_node_page_state(NR_COW_FAULTS);
	reuses = global_node_page_state(NR_COW_REUSES);
	hugetlb_cow_race_run(&race, t);
	assert_int_equal(race.copies_seen, 1);
	assert_int_equal(race.waits_seen, 1);
	assert_int_equal(global_node_page_state(NR_COW_FAULTS), cows + 1);
	assert_int_equal(global_node_page_state(NR_COW_REUSES), reuses);
	assert_int_not_equal(pfn_of(t, race.addr), race.old_pfn);
	assert_int_equal(get_byte(race.addr), 'a');
	assert_int_equal(get_byte(race.addr + 1), 'b');
	assert_pool(SZ_2M, 2, 1, 0); /* the old page went back with the child */
	finish(t);
}

/* get_user_pages() names the VMA of every subpage it takes (follow_hugetlb_page's @vmas). */
static void test_gup_reports_vmas(void **state)
{
	struct vm_area_struct *vmas[3] = {NULL};
	struct page *pages[3];
	struct task_struct *t;
	unsigned long addr;

	(void)state;
	t = boot_pools(1, 0);
	addr = map_huge(SZ_2M, HUGE_PRIVATE);
	put_byte(addr, 'v');
	assert_int_equal(gup_under_lock(addr + SZ_2M - 3 * PAGE_SIZE, 3, 0, pages, vmas), 3);
	for (int i = 0; i < 3; i++) {
		assert_ptr_equal(vmas[i], vma_at(t, addr));
		assert_ptr_equal(pages[i], head_at(t, addr) + NR_2M - 3 + i);
		put_page(pages[i]);
	}
	finish(t);
}

/*
 * A core dump of a shared hugetlb mapping: a page that another mapping of the file
 * faulted in is dumped (hugetlbfs_pagecache_present()), one nobody faulted is a hole.
 */
static void test_dump_of_shared_page_in_cache(void **state)
{
	struct task_struct *t;
	unsigned long a, b;
	struct page *page;
	int fd;

	(void)state;
	t = boot_pools(2, 0);
	fd = sys_memfd_create("dump", MFD_HUGETLB);
	assert_true(fd >= 0);
	assert_int_equal(sys_ftruncate(fd, 2 * SZ_2M), 0);
	a = sys_mmap(0, 2 * SZ_2M, RW, MAP_SHARED, fd, 0);
	b = sys_mmap(0, 2 * SZ_2M, RW, MAP_SHARED, fd, 0);
	assert_false(IS_ERR_VALUE(a));
	assert_false(IS_ERR_VALUE(b));
	put_byte(a + 9, 's');
	assert_false(pagemap_entry(t, b) & PM_PRESENT);
	page = get_dump_page(b + PAGE_SIZE);
	assert_ptr_equal(page, head_at(t, a) + 1);
	assert_true(pagemap_entry(t, b) & PM_PRESENT);
	put_page(page);
	assert_null(get_dump_page(b + SZ_2M));
	assert_null(get_dump_page(a + SZ_2M + PAGE_SIZE));
	assert_false(pagemap_entry(t, a + SZ_2M) & PM_PRESENT);
	assert_pool(SZ_2M, 2, 1, 0);
	assert_int_equal(sys_close(fd), 0);
	finish(t);
}

/* A dying task's GUP of hugetlb memory stops before the first page. */
static void test_fatal_signal_stops_hugetlb_walk(void **state)
{
	struct page *pages[2];
	struct task_struct *t;
	unsigned long addr;

	(void)state;
	t = boot_pools(1, 0);
	addr = map_huge(SZ_2M, HUGE_PRIVATE);
	put_byte(addr, 'k');
	task_kill(t);
	assert_int_equal(gup_under_lock(addr, 2, 0, pages, NULL), -EFAULT);
	assert_int_equal(page_count(head_at(t, addr)), 1);
	finish(t);
}

/*
 * A private read fault maps a 1 GiB page read-only: GUP-fast refuses a write
 * through that pud (pud_access_permitted()), reads through it, and the slow path
 * makes it writable.
 */
static void test_fast_write_refused_on_read_only_1g_pud(void **state)
{
	struct task_struct *t;
	struct page *page;
	unsigned long addr;
	pud_t *pud;

	(void)state;
	t = boot_pools(0, 1);
	addr = map_huge(SZ_1G, HUGE_PRIVATE | MAP_HUGE_1GB);
	assert_int_equal(get_byte(addr + 5 * PAGE_SIZE), 0);
	pud = pud_offset(p4d_offset(pgd_offset(t->mm, addr), addr), addr);
	assert_true(pud_huge(pudp_get(pud)));
	assert_false(pud_write(pudp_get(pud)));
	assert_int_equal(get_user_pages_fast_only(addr + PAGE_SIZE, 1, FOLL_WRITE, &page), 0);
	assert_int_equal(pin_fast_only_or_fast(addr + PAGE_SIZE, 1, 0, &page), 1);
	assert_ptr_equal(page, head_at(t, addr) + 1);
	unpin_user_page(page);
	assert_int_equal(pin_user_pages_fast(addr + PAGE_SIZE, 1, FOLL_WRITE, &page), 1);
	assert_true(pud_write(pudp_get(pud)));
	assert_ptr_equal(page, head_at(t, addr) + 1);
	unpin_user_page(page);
	finish(t);
}

/* FOLL_GET with FOLL_PIN on a hugetlb pmd: a warning and no page (follow_huge_pmd()). */
static void test_follow_page_get_and_pin_is_refused(void **state)
{
	struct task_struct *t;
	unsigned long addr;

	(void)state;
	t = boot_pools(1, 0);
	addr = map_huge(SZ_2M, HUGE_PRIVATE);
	put_byte(addr, 'p');
	mmap_read_lock(t->mm);
	assert_warned((long)follow_page(vma_at(t, addr), addr + PAGE_SIZE, FOLL_GET | FOLL_PIN), 0,
		      1);
	mmap_read_unlock(t->mm);
	assert_int_equal(page_count(head_at(t, addr)), 1);
	assert_int_equal(compound_pincount(head_at(t, addr)), 0);
	finish(t);
}

/*
 * Faulting in without pages or vmas steps over whole huge pages only from a huge
 * page's start, for a request that covers it: an unaligned start, a short request
 * and a request that ends inside the next page each count exactly what was asked.
 */
static void test_populate_counts_only_what_was_asked(void **state)
{
	struct task_struct *t;
	unsigned long addr;

	(void)state;
	t = boot_pools(4, 0);
	addr = map_huge(2 * SZ_2M, HUGE_PRIVATE);
	/* From inside a huge page: the last page asked for lies in the next one. */
	assert_int_equal(gup_under_lock(addr + PAGE_SIZE, NR_2M, 0, NULL, NULL), NR_2M);
	assert_true(addr_present(addr + SZ_2M));
	addr = map_huge(2 * SZ_2M, HUGE_PRIVATE);
	assert_int_equal(gup_under_lock(addr + PAGE_SIZE, 3, 0, NULL, NULL), 3);
	assert_int_equal(gup_under_lock(addr, 3, 0, NULL, NULL), 3);
	assert_int_equal(gup_under_lock(addr, NR_2M + 3, 0, NULL, NULL), NR_2M + 3);
	assert_int_equal(gup_under_lock(addr + SZ_2M, NR_2M, 0, NULL, NULL), NR_2M);
	assert_true(addr_present(addr + SZ_2M + PAGE_SIZE));
	assert_pool(SZ_2M, 4, 0, 0);
	finish(t);
}

#define HUGETLB_TEST(fn) cmocka_unit_test_teardown(fn, shutdown_left_machine)

int main(void)
{
	const struct CMUnitTest tests[] = {
		HUGETLB_TEST(test_pool_accounting),
		HUGETLB_TEST(test_mmap_errors),
		HUGETLB_TEST(test_1g_pool_must_fit),
		HUGETLB_TEST(test_2m_pool_takes_what_fits),
		HUGETLB_TEST(test_checker_sees_pool_and_pincount_errors),
		HUGETLB_TEST(test_fault_2m),
		HUGETLB_TEST(test_fault_1g),
		HUGETLB_TEST(test_private_cow_after_fork),
		HUGETLB_TEST(test_shared_across_fork),
		HUGETLB_TEST(test_cow_without_a_free_page_is_sigbus),
		HUGETLB_TEST(test_allocation_injection_is_sigbus),
		HUGETLB_TEST(test_slow_gup_pins_exactly_2m),
		HUGETLB_TEST(test_unpin_run_stops_at_compound_end),
		HUGETLB_TEST(test_fast_gup_pins_exactly_2m),
		HUGETLB_TEST(test_gup_1g_slow_and_fast),
		HUGETLB_TEST(test_pinned_page_outlives_munmap),
		HUGETLB_TEST(test_fork_of_pinned_page),
		HUGETLB_TEST(test_mprotect_and_mlock),
		HUGETLB_TEST(test_smaps_hugetlb_lines),
		HUGETLB_TEST(test_forced_write_on_read_only_mapping),
		HUGETLB_TEST(test_dump_of_unfaulted_page_is_a_hole),
		HUGETLB_TEST(test_fault_waits_for_cow_in_progress),
		HUGETLB_TEST(test_gup_reports_vmas),
		HUGETLB_TEST(test_dump_of_shared_page_in_cache),
		HUGETLB_TEST(test_fatal_signal_stops_hugetlb_walk),
		HUGETLB_TEST(test_fast_write_refused_on_read_only_1g_pud),
		HUGETLB_TEST(test_follow_page_get_and_pin_is_refused),
		HUGETLB_TEST(test_populate_counts_only_what_was_asked),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
