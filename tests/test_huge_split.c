// SPDX-License-Identifier: GPL-2.0-only
/*
 * tests/test_huge_split.c - the compound split of an anonymous THP (split_huge_page):
 * refused under a pin or GUP reference, FOLL_SPLIT on pmd- and PTE-mapped THPs, the
 * deferred split queue after a partial unmap, munlock of a whole THP, fork under a pin.
 * The partial munmap/mprotect/madvise/mlock pmd splits are in test_huge_memory.c.
 */
#include "harness.h"
#include "mm/internal.h"

#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)
#define THP_BASE 0x40000000UL /* 2 MiB aligned */

static void boot_thp(void)
{
	struct sim_config cfg = {.thp = SIM_THP_MADVISE};

	assert_int_equal(sim_boot(&cfg), 0);
}

/* One THP at THP_BASE, its first @nr pages written 'a', 'b', ... */
static struct page *map_thp(unsigned long nr)
{
	unsigned long addr = sys_mmap(THP_BASE, HPAGE_PMD_SIZE, RW, ANON | MAP_FIXED, -1, 0);
	pmd_t *pmd;

	assert_int_equal(addr, THP_BASE);
	assert_int_equal(sys_madvise(addr, HPAGE_PMD_SIZE, MADV_HUGEPAGE), 0);
	touch_pages(addr, nr);
	pmd = mm_alloc_pmd(current->mm, addr);
	assert_true(pmd_trans_huge(pmdp_get(pmd)));
	return pmd_page(pmdp_get(pmd));
}

static bool huge_at(unsigned long addr)
{
	return pmd_trans_huge(pmdp_get(mm_alloc_pmd(current->mm, addr)));
}

static char byte_at(unsigned long addr)
{
	char c = 0;

	assert_int_equal(copy_from_user(&c, addr, 1), 0);
	return c;
}

static void finish(struct task_struct *t)
{
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
	assert_int_equal(sim_shutdown(), 0);
}

/* Every subpage is a small page of its own, mapped once, with the THP's identity. */
static void assert_split(struct page *head, unsigned long index, void *mapping)
{
	for (int i = 0; i < HPAGE_PMD_NR; i++) {
		assert_false(PageCompound(head + i));
		assert_int_equal(page_ref_count(head + i), 1);
		assert_int_equal(page_mapcount(head + i), 1);
		assert_int_equal(head[i].index, index + (unsigned long)i);
		assert_ptr_equal(head[i].mapping, mapping);
		assert_false(PageLocked(head + i));
	}
}

/* --- split_huge_page --- */

static void test_split_gives_small_pages_in_place(void **state)
{
	struct task_struct *t;
	struct page *head;
	unsigned long index;
	void *mapping;

	(void)state;
	boot_thp();
	t = start_task("split");
	head = map_thp(26);
	index = head->index;
	mapping = head->mapping;
	assert_int_equal(sim_split_huge_page_at(t->mm, THP_BASE + 7 * PAGE_SIZE), 0);
	assert_false(huge_at(THP_BASE));
	assert_split(head, index, mapping);
	for (unsigned long i = 0; i < HPAGE_PMD_NR; i++) {
		pte_t *pte = mm_find_pte(t->mm, THP_BASE + i * PAGE_SIZE, NULL);

		assert_int_equal(pfn_of(t, THP_BASE + i * PAGE_SIZE), page_to_pfn(head) + i);
		assert_true(pte && pte_write(ptep_get(pte))); /* remapped writable */
	}
	for (unsigned long i = 0; i < 26; i++)
		assert_int_equal(byte_at(THP_BASE + i * PAGE_SIZE), 'a' + i);
	assert_int_equal(global_node_page_state(NR_ANON_THPS), 0);
	assert_int_equal(global_node_page_state(NR_ANON_MAPPED), HPAGE_PMD_NR);
	assert_int_equal(atomic_long_read(&t->mm->rss_anon), HPAGE_PMD_NR);
	/* Small pages now: a partial munmap frees exactly what it unmaps. */
	assert_int_equal(sys_munmap(THP_BASE, 3 * PAGE_SIZE), 0);
	assert_int_equal(global_node_page_state(NR_ANON_MAPPED), HPAGE_PMD_NR - 3);
	assert_int_equal(sim_split_huge_page_at(t->mm, THP_BASE + 7 * PAGE_SIZE), -EINVAL);
	assert_int_equal(sim_split_huge_page_at(t->mm, THP_BASE), -EFAULT);
	finish(t);
}

static void test_split_refused_while_pinned(void **state)
{
	struct task_struct *t;
	struct page *head, *page;

	(void)state;
	boot_thp();
	t = start_task("split");
	head = map_thp(2);
	assert_int_equal(pin_user_pages(THP_BASE + PAGE_SIZE, 1, FOLL_WRITE, &page, NULL), 1);
	assert_ptr_equal(page, head + 1);
	assert_int_equal(sim_split_huge_page_at(t->mm, THP_BASE), -EBUSY);
	/* Refused before anything was unmapped: still one huge pmd. */
	assert_true(huge_at(THP_BASE));
	assert_true(PageHead(head));
	assert_int_equal(sim_check(NULL), 0);
	unpin_user_page(page);
	assert_int_equal(sim_split_huge_page_at(t->mm, THP_BASE), 0);
	assert_false(PageCompound(head + 1));
	finish(t);
}

/* A GUP reference (FOLL_GET) holds the THP as a pin does. */
static void test_split_refused_while_referenced(void **state)
{
	struct task_struct *t;
	struct page *head, *page;

	(void)state;
	boot_thp();
	t = start_task("split");
	head = map_thp(1);
	assert_int_equal(gup_under_lock(THP_BASE, 1, 0, &page, NULL), 1);
	assert_int_equal(sim_split_huge_page_at(t->mm, THP_BASE), -EBUSY);
	assert_true(PageHead(head));
	put_page(page);
	assert_int_equal(sim_split_huge_page_at(t->mm, THP_BASE), 0);
	finish(t);
}

/* PTE-mapped first (FOLL_SPLIT_PMD): the split finds the PTEs and keeps their write bit. */
static void test_split_pte_mapped_thp(void **state)
{
	struct task_struct *t;
	struct page *head, *page;
	char c = 'z';

	(void)state;
	boot_thp();
	t = start_task("split");
	head = map_thp(3);
	assert_int_equal(gup_under_lock(THP_BASE, 1, FOLL_SPLIT_PMD, &page, NULL), 1);
	put_page(page);
	assert_false(huge_at(THP_BASE));
	assert_true(PageHead(head));
	assert_int_equal(sim_split_huge_page_at(t->mm, THP_BASE + 2 * PAGE_SIZE), 0);
	assert_split(head, head->index, head->mapping);
	assert_int_equal(copy_to_user(THP_BASE + 5 * PAGE_SIZE, &c, 1), 0);
	assert_int_equal(byte_at(THP_BASE + 5 * PAGE_SIZE), 'z');
	assert_int_equal(page_to_pfn(head) + 5, pfn_of(t, THP_BASE + 5 * PAGE_SIZE));
	finish(t);
}

/* A THP fork shares is split in both mms: each subpage mapped twice, COW still works. */
static void test_split_thp_shared_by_fork(void **state)
{
	struct task_struct *parent, *child;
	struct page *head;

	(void)state;
	boot_thp();
	parent = start_task("split");
	head = map_thp(4);
	child = sys_fork();
	assert_non_null(child);
	assert_int_equal(sim_split_huge_page_at(parent->mm, THP_BASE), 0);
	assert_false(huge_at(THP_BASE));
	set_current(child);
	assert_false(huge_at(THP_BASE));
	for (int i = 0; i < HPAGE_PMD_NR; i++) {
		assert_false(PageCompound(head + i));
		assert_int_equal(page_mapcount(head + i), 2);
		assert_int_equal(page_ref_count(head + i), 2);
	}
	assert_int_equal(sim_check(NULL), 0);
	touch_page(THP_BASE + PAGE_SIZE); /* COW of one small page */
	assert_int_not_equal(pfn_of(child, THP_BASE + PAGE_SIZE), page_to_pfn(head + 1));
	set_current(parent);
	assert_int_equal(byte_at(THP_BASE + PAGE_SIZE), 'b');
	task_exit(child);
	set_current(parent);
	finish(parent);
}

/* --- FOLL_SPLIT --- */

static void test_foll_split_on_pmd_mapped_thp(void **state)
{
	struct task_struct *t;
	struct page *head, *page;

	(void)state;
	boot_thp();
	t = start_task("split");
	head = map_thp(4);
	assert_int_equal(gup_under_lock(THP_BASE + 3 * PAGE_SIZE, 1, FOLL_SPLIT, &page, NULL), 1);
	assert_ptr_equal(page, head + 3);
	assert_false(PageCompound(page));
	assert_false(PageHead(head));
	assert_false(huge_at(THP_BASE));
	assert_int_equal(page_ref_count(page), 2); /* the mapping and ours */
	assert_int_equal(*(char *)page_address(page), 'd');
	put_page(page);
	finish(t);
}

static void test_foll_split_on_pte_mapped_thp(void **state)
{
	struct task_struct *t;
	struct page *head, *page;

	(void)state;
	boot_thp();
	t = start_task("split");
	head = map_thp(4);
	/* mprotect of half the range cuts the VMA: the pmd splits, the page does not. */
	assert_int_equal(sys_mprotect(THP_BASE, HPAGE_PMD_SIZE / 2, PROT_READ), 0);
	assert_false(huge_at(THP_BASE));
	assert_true(PageHead(head));
	assert_int_equal(gup_under_lock(THP_BASE + 2 * PAGE_SIZE, 1, FOLL_SPLIT, &page, NULL), 1);
	assert_ptr_equal(page, head + 2);
	assert_false(PageCompound(page));
	assert_false(PageCompound(head + HPAGE_PMD_NR - 1));
	put_page(page);
	finish(t);
}

/*
 * FOLL_SPLIT on the huge zero page: there is no compound page to split, so only the
 * pmd is split (5.11's is_huge_zero_page() case); the small zero page comes back.
 */
static void test_foll_split_on_huge_zero_page(void **state)
{
	struct task_struct *t;
	struct page *page;
	unsigned long addr;

	(void)state;
	boot_thp();
	t = start_task("split");
	addr = sys_mmap(THP_BASE, HPAGE_PMD_SIZE, RW, ANON | MAP_FIXED, -1, 0);
	assert_int_equal(addr, THP_BASE);
	assert_int_equal(sys_madvise(addr, HPAGE_PMD_SIZE, MADV_HUGEPAGE), 0);
	assert_int_equal(byte_at(addr + PAGE_SIZE), 0);
	assert_true(is_huge_zero_pmd(pmdp_get(mm_alloc_pmd(t->mm, addr))));
	assert_int_equal(gup_under_lock(addr + 5 * PAGE_SIZE, 1, FOLL_SPLIT, &page, NULL), 1);
	assert_false(huge_at(addr));
	assert_ptr_equal(page, ZERO_PAGE(0));
	assert_true(is_zero_pfn(pfn_of(t, addr + 5 * PAGE_SIZE)));
	put_page(page);
	finish(t);
}

/* A pinned THP is not split: FOLL_SPLIT gives split_huge_page()'s -EBUSY. */
static void test_foll_split_of_pinned_thp_is_ebusy(void **state)
{
	struct task_struct *t;
	struct page *head, *pin, *page;

	(void)state;
	boot_thp();
	t = start_task("split");
	head = map_thp(1);
	assert_int_equal(pin_user_pages_fast(THP_BASE, 1, FOLL_WRITE, &pin), 1);
	assert_int_equal(gup_under_lock(THP_BASE + PAGE_SIZE, 1, FOLL_SPLIT, &page, NULL), -EBUSY);
	assert_true(huge_at(THP_BASE));
	/* PTE-mapped, the same answer from the PTE level. */
	assert_int_equal(gup_under_lock(THP_BASE, 1, FOLL_SPLIT_PMD, &page, NULL), 1);
	put_page(page);
	assert_false(huge_at(THP_BASE));
	assert_int_equal(gup_under_lock(THP_BASE + PAGE_SIZE, 1, FOLL_SPLIT, &page, NULL), -EBUSY);
	assert_true(PageHead(head));
	assert_int_equal(sim_check(NULL), 0);
	unpin_user_page(pin);
	assert_int_equal(gup_under_lock(THP_BASE + PAGE_SIZE, 1, FOLL_SPLIT, &page, NULL), 1);
	assert_false(PageCompound(page));
	put_page(page);
	finish(t);
}

/* --- a pin racing the split --- */

struct split_at_grab {
	struct mm_struct *mm;
	unsigned long reread; /* split_before_fast_grab(): read after the split */
	int ret;
	int ran;
};

/* At GUP-fast's speculative grab, before its recheck: try the split there. */
static void split_during_fast_grab(enum sim_point_id id, void *ctx, void *arg)
{
	struct split_at_grab *race = arg;

	(void)ctx;
	sim_point_set_hook(id, NULL, NULL);
	race->ret = sim_split_huge_page_at(race->mm, THP_BASE);
	race->ran++;
}

/*
 * A GUP-fast pin that has grabbed the THP but not yet checked the PTE again holds a
 * reference the split sees: the split is refused and the pin keeps a whole THP.
 */
static void test_split_refused_under_a_racing_fast_pin(void **state)
{
	struct split_at_grab race = {.ret = 1};
	struct task_struct *t;
	struct page *head, *pin;

	(void)state;
	boot_thp();
	t = start_task("split");
	race.mm = t->mm;
	head = map_thp(2);
	/* PTE-mapped, so the lockless walk grabs through a PTE (the point is there). */
	assert_int_equal(gup_under_lock(THP_BASE, 1, FOLL_SPLIT_PMD, &pin, NULL), 1);
	put_page(pin);
	assert_int_equal(sim_point_set_hook(SP_GUP_FAST_AFTER_GRAB, split_during_fast_grab, &race),
			 0);
	assert_int_equal(pin_user_pages_fast(THP_BASE + PAGE_SIZE, 1, FOLL_WRITE, &pin), 1);
	assert_int_equal(race.ran, 1);
	assert_int_equal(race.ret, -EBUSY);
	assert_ptr_equal(pin, head + 1);
	assert_true(PageHead(head));
	assert_int_equal(compound_pincount(head), 1);
	assert_int_equal(sim_check(NULL), 0);
	unpin_user_page(pin);
	assert_int_equal(sim_split_huge_page_at(t->mm, THP_BASE), 0);
	finish(t);
}

/*
 * Between GUP-fast finding a page's head and adding to the head's count: the split
 * completes there, so the grab lands on a page that is no longer what was found.
 */
static void split_before_fast_grab(enum sim_point_id id, void *ctx, void *arg)
{
	struct split_at_grab *race = arg;

	(void)ctx;
	if (current->mm != race->mm || race->ran)
		return;
	sim_point_set_hook(id, NULL, NULL);
	race->ret = sim_split_huge_page_at(race->mm, THP_BASE);
	race->ran++;
	/* The CPU reads there again: accessed once more, the PTE reads as it did. */
	if (race->reread) {
		char c;

		assert_int_equal(copy_from_user(&c, race->reread, 1), 0);
	}
}

/*
 * Pin @nr pages at @addr fast with the split forced in before the grab; @reread,
 * if not 0, is an address read once the split is done.
 */
static long pin_fast_with_split_before_grab(struct task_struct *t, unsigned long addr,
					    unsigned long nr, unsigned long reread,
					    struct page **pages)
{
	struct split_at_grab race = {.mm = t->mm, .ret = 1, .reread = reread};
	long got;

	assert_int_equal(sim_point_set_hook(SP_GUP_FAST_BEFORE_GRAB, split_before_fast_grab, &race),
			 0);
	got = pin_user_pages_fast(addr, nr, FOLL_WRITE, pages);
	sim_point_set_hook(SP_GUP_FAST_BEFORE_GRAB, NULL, NULL);
	assert_int_equal(race.ran, 1);
	assert_int_equal(race.ret, 0);
	return got;
}

/*
 * A PTE-mapped subpage whose THP is split before the grab, and read again so
 * that its PTE reads as it did: the PTE's recheck cannot tell. The head GUP-fast
 * found is not the subpage's any more, so that reference goes back and the pin
 * lands on the subpage, now a small page. Without the head's recheck the pin's
 * references would sit on the head, and none on the page the caller gets.
 */
static void test_fast_pin_of_tail_split_before_grab(void **state)
{
	unsigned long addr = THP_BASE + PAGE_SIZE;
	struct task_struct *t;
	struct page *head, *pin;
	pte_t before;

	(void)state;
	boot_thp();
	t = start_task("split");
	head = map_thp(2);
	assert_int_equal(gup_under_lock(THP_BASE, 1, FOLL_SPLIT_PMD, &pin, NULL), 1);
	put_page(pin);
	before = ptep_get(mm_find_pte(t->mm, addr, NULL));
	assert_int_equal(pin_fast_with_split_before_grab(t, addr, 1, addr, &pin), 1);
	assert_int_equal(pte_val(ptep_get(mm_find_pte(t->mm, addr, NULL))), pte_val(before));
	assert_ptr_equal(pin, head + 1);
	assert_false(PageCompound(pin));
	assert_true(page_maybe_dma_pinned(pin));
	assert_int_equal(page_ref_count(pin), 1 + (int)GUP_PIN_COUNTING_BIAS);
	assert_int_equal(page_ref_count(head), 1); /* its PTE's only */
	assert_int_equal(sim_check(NULL), 0);
	unpin_user_page(pin);
	assert_int_equal(page_ref_count(pin), 1);
	finish(t);
}

/*
 * A pmd-mapped THP split before GUP-fast's one grab on its head: the head is a small
 * page by the time the 512 references land, so they must count as small-page pins
 * (the bias), not as a compound pincount the page no longer has. The pmd is gone
 * too, so GUP-fast gives them back and the slow path pins the 512 small pages.
 */
static void test_fast_pin_of_huge_pmd_split_before_grab(void **state)
{
	static struct page *pages[HPAGE_PMD_NR];
	struct task_struct *t;
	struct page *head;

	(void)state;
	boot_thp();
	t = start_task("split");
	head = map_thp(HPAGE_PMD_NR);
	assert_int_equal(pin_fast_with_split_before_grab(t, THP_BASE, HPAGE_PMD_NR, 0, pages),
			 HPAGE_PMD_NR);
	assert_false(huge_at(THP_BASE));
	for (int i = 0; i < HPAGE_PMD_NR; i++) {
		assert_ptr_equal(pages[i], head + i);
		assert_false(PageCompound(pages[i]));
		assert_int_equal(page_ref_count(pages[i]), 1 + (int)GUP_PIN_COUNTING_BIAS);
	}
	assert_int_equal(sim_check(NULL), 0);
	unpin_user_pages(pages, HPAGE_PMD_NR);
	for (int i = 0; i < HPAGE_PMD_NR; i++)
		assert_false(page_maybe_dma_pinned(pages[i]));
	finish(t);
}

/* At the split's frozen moment (every PTE a migration entry): zap two of them. */
static void dontneed_while_frozen(enum sim_point_id id, void *ctx, void *arg)
{
	int *ret = arg;

	(void)ctx;
	sim_point_set_hook(id, NULL, NULL);
	*ret = sys_madvise(THP_BASE + PAGE_SIZE, 2 * PAGE_SIZE, MADV_DONTNEED);
}

/*
 * MADV_DONTNEED holds mmap_lock only for read, so it can zap the migration entries
 * a split left: rss counts an entry until the zap uncounts it, and the split frees
 * the zapped subpages instead of mapping them again.
 */
static void test_zap_of_split_migration_entries_keeps_rss(void **state)
{
	struct task_struct *t;
	struct page *head;
	int ret = 1;

	(void)state;
	boot_thp();
	t = start_task("split");
	head = map_thp(4);
	assert_int_equal(sim_point_set_hook(SP_THP_SPLIT_FROZEN, dontneed_while_frozen, &ret), 0);
	assert_int_equal(sim_split_huge_page_at(t->mm, THP_BASE), 0);
	assert_int_equal(ret, 0);
	assert_int_equal(atomic_long_read(&t->mm->rss_anon), HPAGE_PMD_NR - 2);
	assert_int_equal(global_node_page_state(NR_ANON_MAPPED), HPAGE_PMD_NR - 2);
	assert_int_equal(page_ref_count(head + 1), 0); /* freed by the split */
	assert_int_equal(byte_at(THP_BASE), 'a');
	assert_int_equal(byte_at(THP_BASE + PAGE_SIZE), 0); /* a new zero-filled page */
	assert_int_equal(byte_at(THP_BASE + 3 * PAGE_SIZE), 'd');
	finish(t);
}

/* --- the deferred split queue --- */

static void test_partial_munmap_queues_deferred_split(void **state)
{
	struct task_struct *t;
	struct page *head;
	long free_before;

	(void)state;
	boot_thp();
	t = start_task("split");
	head = map_thp(8);
	assert_int_equal(sim_deferred_split_queued(), 0);
	assert_int_equal(sys_munmap(THP_BASE + 4 * PAGE_SIZE, 2 * PAGE_SIZE), 0);
	/* The pmd split, the THP stays whole with two subpages unmapped. */
	assert_true(PageHead(head));
	assert_int_equal(page_mapcount(head + 4), 0);
	assert_int_equal(sim_deferred_split_queued(), 1);
	assert_int_equal(sim_check(NULL), 0);
	free_before = global_node_page_state(NR_FREE_PAGES);
	assert_int_equal(sim_deferred_split_scan(), 1);
	assert_int_equal(sim_deferred_split_queued(), 0);
	assert_false(PageCompound(head + 7));
	/* The two unmapped subpages went back to the allocator. */
	assert_int_equal(global_node_page_state(NR_FREE_PAGES), free_before + 2);
	assert_int_equal(byte_at(THP_BASE + 7 * PAGE_SIZE), 'h');
	finish(t);
}

/* MADV_DONTNEED on part of a THP: the pmd splits, the PTEs go, the THP is queued. */
static void test_partial_dontneed_queues_deferred_split(void **state)
{
	struct task_struct *t;
	struct page *head, *pin;

	(void)state;
	boot_thp();
	t = start_task("split");
	head = map_thp(3);
	assert_int_equal(sys_madvise(THP_BASE, PAGE_SIZE, MADV_DONTNEED), 0);
	assert_false(huge_at(THP_BASE));
	assert_true(PageHead(head));
	assert_int_equal(byte_at(THP_BASE), 0);
	assert_int_equal(byte_at(THP_BASE + PAGE_SIZE), 'b');
	assert_int_equal(sim_deferred_split_queued(), 1);
	/* Pinned, the scan cannot split it and queues it again. */
	assert_int_equal(pin_user_pages(THP_BASE + PAGE_SIZE, 1, 0, &pin, NULL), 1);
	assert_int_equal(sim_deferred_split_scan(), 0);
	assert_int_equal(sim_deferred_split_queued(), 1);
	unpin_user_page(pin);
	assert_int_equal(sim_deferred_split_scan(), 1);
	assert_false(PageCompound(head + 2));
	assert_int_equal(byte_at(THP_BASE + 2 * PAGE_SIZE), 'c');
	finish(t);
}

/* A THP unmapped whole leaves nothing to split: its queue entry is dropped. */
static void test_deferred_entry_of_freed_thp_is_dropped(void **state)
{
	struct task_struct *t;

	(void)state;
	boot_thp();
	t = start_task("split");
	map_thp(1);
	assert_int_equal(sys_munmap(THP_BASE, PAGE_SIZE), 0);
	assert_int_equal(sim_deferred_split_queued(), 1);
	assert_int_equal(sys_munmap(THP_BASE, HPAGE_PMD_SIZE), 0);
	assert_int_equal(sim_deferred_split_scan(), 0);
	assert_int_equal(sim_deferred_split_queued(), 0);
	finish(t);
}

/* --- mlock --- */

/* 5.11 munlocks a pmd-mapped THP whole and leaves it huge; a split keeps the lock. */
static void test_munlock_keeps_thp_huge(void **state)
{
	struct task_struct *t;
	struct page *head;

	(void)state;
	boot_thp();
	t = start_task("split");
	head = map_thp(1);
	assert_int_equal(sys_mlock(THP_BASE, HPAGE_PMD_SIZE), 0);
	assert_true(PageMlocked(head));
	assert_int_equal(global_node_page_state(NR_MLOCK), HPAGE_PMD_NR);
	assert_int_equal(sys_munlock(THP_BASE, HPAGE_PMD_SIZE), 0);
	assert_true(huge_at(THP_BASE));
	assert_false(PageMlocked(head));
	assert_int_equal(global_node_page_state(NR_MLOCK), 0);
	/*
	 * Locked again, then split: the pmd split munlocks the THP (5.11's
	 * __split_huge_pmd()); mlock finds the small pages again, one by one.
	 */
	assert_int_equal(sys_mlock(THP_BASE, HPAGE_PMD_SIZE), 0);
	assert_int_equal(sim_split_huge_page_at(t->mm, THP_BASE), 0);
	assert_false(PageMlocked(head + HPAGE_PMD_NR - 1));
	assert_int_equal(global_node_page_state(NR_MLOCK), 0);
	assert_int_equal(sys_mlock(THP_BASE, HPAGE_PMD_SIZE), 0);
	assert_true(PageMlocked(head + HPAGE_PMD_NR - 1));
	assert_int_equal(global_node_page_state(NR_MLOCK), HPAGE_PMD_NR);
	assert_int_equal(sys_munlock(THP_BASE, HPAGE_PMD_SIZE), 0);
	assert_int_equal(global_node_page_state(NR_MLOCK), 0);
	finish(t);
}

/*
 * mlock of part of a THP cuts the VMA: the pmd splits, the compound page stays, and
 * 5.11 does not mlock a PTE-mapped THP. Nothing was unmapped, so nothing is queued.
 * Once the page is split, mlock locks the small pages.
 */
static void test_partial_mlock_splits_pmd_not_page(void **state)
{
	struct task_struct *t;
	struct page *head;

	(void)state;
	boot_thp();
	t = start_task("split");
	head = map_thp(6);
	assert_int_equal(sys_mlock(THP_BASE + 4 * PAGE_SIZE, 2 * PAGE_SIZE), 0);
	assert_false(huge_at(THP_BASE));
	assert_true(PageHead(head));
	assert_int_equal(page_mapcount(head + 5), 1);
	assert_int_equal(global_node_page_state(NR_MLOCK), 0);
	assert_int_equal(sim_deferred_split_queued(), 0);
	assert_int_equal(sim_check(NULL), 0);
	assert_int_equal(sim_split_huge_page_at(t->mm, THP_BASE), 0);
	assert_int_equal(sys_mlock(THP_BASE + 4 * PAGE_SIZE, 2 * PAGE_SIZE), 0);
	assert_int_equal(global_node_page_state(NR_MLOCK), 2);
	assert_true(PageMlocked(head + 4));
	assert_false(PageMlocked(head + 3));
	finish(t);
}

/* MADV_NOHUGEPAGE on half a THP: the pmd splits at the cut, the data stays. */
static void test_partial_nohugepage_splits_pmd_not_page(void **state)
{
	struct task_struct *t;
	struct page *head;

	(void)state;
	boot_thp();
	t = start_task("split");
	head = map_thp(4);
	assert_int_equal(sys_madvise(THP_BASE, HPAGE_PMD_SIZE / 2, MADV_NOHUGEPAGE), 0);
	assert_false(huge_at(THP_BASE));
	assert_true(PageHead(head));
	assert_int_equal(global_node_page_state(NR_ANON_THPS), 0);
	assert_int_equal(global_node_page_state(NR_ANON_MAPPED), HPAGE_PMD_NR);
	assert_int_equal(byte_at(THP_BASE + 3 * PAGE_SIZE), 'd');
	/* Both VMAs map subpages of the one THP: the split reaches both. */
	assert_int_equal(sim_split_huge_page_at(t->mm, THP_BASE + HPAGE_PMD_SIZE - PAGE_SIZE), 0);
	assert_split(head, head->index, head->mapping);
	finish(t);
}

/* --- fork with a pinned THP --- */

/* The parent's pin stays coherent however the child writes (5.11 copies at fork). */
static void test_pinned_thp_fork_child_writes(void **state)
{
	struct task_struct *parent, *child;
	struct page *pin;
	char c = 'C';

	(void)state;
	boot_thp();
	parent = start_task("split");
	map_thp(2);
	assert_int_equal(pin_user_pages(THP_BASE, 1, FOLL_WRITE, &pin, NULL), 1);
	child = sys_fork();
	assert_non_null(child);
	set_current(child);
	assert_int_equal(copy_to_user(THP_BASE, &c, 1), 0);
	assert_int_equal(copy_to_user(THP_BASE + PAGE_SIZE, &c, 1), 0);
	assert_int_not_equal(pfn_of(child, THP_BASE), page_to_pfn(pin));
	assert_int_equal(sim_check(NULL), 0);
	set_current(parent);
	*(char *)page_address(pin) = 'D'; /* the device writes through the pin */
	assert_int_equal(byte_at(THP_BASE), 'D');
	assert_int_equal(byte_at(THP_BASE + PAGE_SIZE), 'b');
	set_current(child);
	assert_int_equal(byte_at(THP_BASE), 'C');
	task_exit(child);
	set_current(parent);
	unpin_user_page(pin);
	finish(parent);
}

#define SPLIT_TEST(fn) cmocka_unit_test_teardown(fn, shutdown_left_machine)

int main(void)
{
	const struct CMUnitTest tests[] = {
		SPLIT_TEST(test_split_gives_small_pages_in_place),
		SPLIT_TEST(test_split_refused_while_pinned),
		SPLIT_TEST(test_split_refused_while_referenced),
		SPLIT_TEST(test_split_pte_mapped_thp),
		SPLIT_TEST(test_split_thp_shared_by_fork),
		SPLIT_TEST(test_foll_split_on_pmd_mapped_thp),
		SPLIT_TEST(test_foll_split_on_pte_mapped_thp),
		SPLIT_TEST(test_foll_split_on_huge_zero_page),
		SPLIT_TEST(test_foll_split_of_pinned_thp_is_ebusy),
		SPLIT_TEST(test_split_refused_under_a_racing_fast_pin),
		SPLIT_TEST(test_fast_pin_of_tail_split_before_grab),
		SPLIT_TEST(test_fast_pin_of_huge_pmd_split_before_grab),
		SPLIT_TEST(test_zap_of_split_migration_entries_keeps_rss),
		SPLIT_TEST(test_partial_munmap_queues_deferred_split),
		SPLIT_TEST(test_partial_dontneed_queues_deferred_split),
		SPLIT_TEST(test_deferred_entry_of_freed_thp_is_dropped),
		SPLIT_TEST(test_munlock_keeps_thp_huge),
		SPLIT_TEST(test_partial_mlock_splits_pmd_not_page),
		SPLIT_TEST(test_partial_nohugepage_splits_pmd_not_page),
		SPLIT_TEST(test_pinned_thp_fork_child_writes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
