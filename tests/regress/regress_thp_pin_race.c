// SPDX-License-Identifier: GPL-2.0-only
/*
 * Pins on transparent huge pages: a pinned THP across fork stays coherent for the
 * parent; GUP-fast racing a pmd split (mprotect of half, MADV_DONTNEED of part) or
 * a zap (munmap), forced inside its window at the sim points; page_maybe_dma_pinned
 * on heads and tails, and unpinning the subpages of one compound page in one call.
 */
#include "harness.h"
#include <string.h>
#include "mm/internal.h"
#include "race.h"

#define THP_BASE 0x40000000UL /* 2 MiB aligned */
#define RW (PROT_READ | PROT_WRITE)

static struct page *pages[2 * HPAGE_PMD_NR];

/* Two written THPs at THP_BASE in the current task; returns the first's head. */
static struct page *two_thps(void)
{
	pmd_t *pmd;

	assert_int_equal(sys_mmap(THP_BASE, 2 * HPAGE_PMD_SIZE, RW,
				  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0),
			 THP_BASE);
	assert_int_equal(sys_madvise(THP_BASE, 2 * HPAGE_PMD_SIZE, MADV_HUGEPAGE), 0);
	for (unsigned long i = 0; i < 2 * HPAGE_PMD_NR; i++) {
		char c = (char)('a' + i % 26);

		assert_int_equal(copy_to_user(THP_BASE + i * PAGE_SIZE, &c, 1), 0);
	}
	pmd = mm_alloc_pmd(current->mm, THP_BASE);
	assert_true(pmd_trans_huge(pmdp_get(pmd)));
	assert_true(pmd_trans_huge(pmdp_get(mm_alloc_pmd(current->mm, THP_BASE + HPAGE_PMD_SIZE))));
	return pmd_page(pmdp_get(pmd));
}

/* The head of the THP a huge pmd of @t maps at @addr. */
static struct page *huge_head(struct task_struct *t, unsigned long addr)
{
	pmd_t pmd = pmdp_get(mm_alloc_pmd(t->mm, addr));

	assert_true(pmd_trans_huge(pmd));
	return pmd_page(pmd);
}

static bool huge_at(struct task_struct *t, unsigned long addr)
{
	return pmd_trans_huge(pmdp_get(mm_alloc_pmd(t->mm, addr)));
}

static char byte_at(unsigned long addr)
{
	char c = 0;

	assert_int_equal(copy_from_user(&c, addr, 1), 0);
	return c;
}

static void put_byte(unsigned long addr, char c)
{
	assert_int_equal(copy_to_user(addr, &c, 1), 0);
}

static void finish(struct task_struct *t)
{
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
	set_current(NULL);
}

/* --- fork --- */

static void test_pinned_thp_across_fork_stays_coherent(void **state)
{
	struct task_struct *parent, *child;
	struct page *head;

	(void)state;
	parent = start_task("parent");
	head = two_thps();
	assert_int_equal(
		pin_user_pages_fast(THP_BASE, HPAGE_PMD_NR, FOLL_WRITE | FOLL_LONGTERM, pages),
		HPAGE_PMD_NR);
	child = sys_fork();
	assert_non_null(child);
	set_current(child);
	/* The child writes every page of its copy: none of it may reach the pinned THP. */
	for (unsigned long i = 0; i < HPAGE_PMD_NR; i += 37)
		put_byte(THP_BASE + i * PAGE_SIZE, 'C');
	assert_int_equal(byte_at(THP_BASE + 37 * PAGE_SIZE), 'C');
	assert_int_not_equal(pfn_of(child, THP_BASE), page_to_pfn(head));
	for (unsigned long i = 0; i < HPAGE_PMD_NR; i += 37)
		assert_int_equal(*(char *)page_address(pages[i]), (char)('a' + i % 26));
	/* The parent's mapping and its pin are still one page, both ways. */
	set_current(parent);
	assert_int_equal(pfn_of(parent, THP_BASE + 74 * PAGE_SIZE), page_to_pfn(head + 74));
	put_byte(THP_BASE + 74 * PAGE_SIZE, 'P');
	assert_int_equal(*(char *)page_address(pages[74]), 'P');
	*(char *)page_address(pages[112]) = 'D'; /* as a device would write */
	assert_int_equal(byte_at(THP_BASE + 112 * PAGE_SIZE), 'D');
	set_current(child);
	assert_int_equal(byte_at(THP_BASE + 112 * PAGE_SIZE), (char)('a' + 112 % 26));
	assert_int_equal(byte_at(THP_BASE + 74 * PAGE_SIZE), 'C');
	/* The unpinned THP was shared as 5.11 shares it: the child's write copied. */
	put_byte(THP_BASE + HPAGE_PMD_SIZE, 'c');
	set_current(parent);
	assert_int_equal(byte_at(THP_BASE + HPAGE_PMD_SIZE), (char)('a' + HPAGE_PMD_NR % 26));
	assert_int_equal(sim_check(NULL), 0);
	task_exit(child);
	set_current(parent);
	unpin_user_pages(pages, HPAGE_PMD_NR);
	finish(parent);
}

/* --- GUP-fast against a split or zap inside its window --- */

enum racer_op { SPLIT_BY_MPROTECT, SPLIT_BY_DONTNEED, ZAP_BY_MUNMAP };

struct window {
	struct task_struct *owner; /* the pinning task; the racer is another of its threads */
	enum racer_op op;
	unsigned long base; /* the huge range the racer splits or zaps */
	int fired;
};

static void *racer(void *arg)
{
	struct window *w = arg;

	switch (w->op) {
	case SPLIT_BY_MPROTECT: /* the upper half read-only: the pmd must split */
		assert_int_equal(
			sys_mprotect(w->base + HPAGE_PMD_SIZE / 2, HPAGE_PMD_SIZE / 2, PROT_READ),
			0);
		break;
	case SPLIT_BY_DONTNEED: /* the first 16 pages thrown away */
		assert_int_equal(sys_madvise(w->base, 16 * PAGE_SIZE, MADV_DONTNEED), 0);
		break;
	case ZAP_BY_MUNMAP:
		assert_int_equal(sys_munmap(w->base, HPAGE_PMD_SIZE), 0);
		break;
	}
	task_exit(current);
	return NULL;
}

/*
 * Inside the window (the first time only), another thread of the pinning process
 * splits or zaps the huge pmd, and the pinner goes on only once it is done: the
 * interleaving is forced. The pinner holds no mmap_lock there, only RCU's read side.
 */
static void race_in_window(enum sim_point_id id, void *ctx, void *arg)
{
	struct window *w = arg;
	struct task_struct *thread;

	(void)id;
	(void)ctx;
	if (current != w->owner || w->fired++)
		return;
	thread = task_clone_thread(w->owner);
	assert_non_null(thread);
	race_join(race_start(thread, racer, w));
}

/* Pin the THP at @base fast with @op forced in at @point; returns what the pin returned. */
static long pin_with_racer(enum sim_point_id point, enum racer_op op, unsigned long base)
{
	struct window w = {.owner = current, .op = op, .base = base};
	long got;

	assert_int_equal(sim_point_set_hook(point, race_in_window, &w), 0);
	got = pin_user_pages_fast(base, HPAGE_PMD_NR, 0, pages);
	sim_point_set_hook(point, NULL, NULL);
	assert_int_equal(w.fired, 1);
	return got;
}

/* Split after the grab: the fast path backs off, the slow path pins through the PTEs. */
static void test_fast_pin_against_split_after_grab(void **state)
{
	unsigned long released_before;
	struct task_struct *t;
	struct page *head;
	int refs_before;

	(void)state;
	t = start_task("pinner");
	head = two_thps();
	refs_before = page_ref_count(head);
	released_before = global_node_page_state(NR_FOLL_PIN_RELEASED);
	assert_int_equal(pin_with_racer(SP_GUP_FAST_HUGE_GRAB, SPLIT_BY_MPROTECT, THP_BASE),
			 HPAGE_PMD_NR);
	assert_false(huge_at(t, THP_BASE));
	/* The grab was given back (512 references, one atomic) before the slow pin. */
	assert_int_equal(global_node_page_state(NR_FOLL_PIN_RELEASED) - released_before,
			 HPAGE_PMD_NR);
	for (int i = 0; i < HPAGE_PMD_NR; i++)
		assert_ptr_equal(pages[i], head + i);
	assert_int_equal(compound_pincount(head), HPAGE_PMD_NR);
	/* Split into 512 PTEs, each holding the head: 511 more, plus the 512 pins. */
	assert_int_equal(page_ref_count(head), refs_before + HPAGE_PMD_NR - 1 + HPAGE_PMD_NR);
	assert_int_equal(sim_check(NULL), 0);
	put_byte(THP_BASE + 3 * PAGE_SIZE, 'x');
	assert_int_equal(*(char *)page_address(pages[3]), 'x');
	unpin_user_pages(pages, HPAGE_PMD_NR);
	assert_int_equal(compound_pincount(head), 0);
	finish(t);
}

/* Part thrown away after the grab: those pages fault anew, the rest stay the THP's. */
static void test_fast_pin_against_partial_dontneed_after_grab(void **state)
{
	struct task_struct *t;
	struct page *head;

	(void)state;
	t = start_task("pinner");
	head = two_thps();
	assert_int_equal(pin_with_racer(SP_GUP_FAST_HUGE_GRAB, SPLIT_BY_DONTNEED, THP_BASE),
			 HPAGE_PMD_NR);
	for (int i = 0; i < 16; i++) {
		assert_false(PageCompound(pages[i]));
		assert_int_equal(*(char *)page_address(pages[i]), 0);
	}
	for (int i = 16; i < HPAGE_PMD_NR; i++)
		assert_ptr_equal(pages[i], head + i);
	assert_int_equal(compound_pincount(head), HPAGE_PMD_NR - 16);
	assert_int_equal(sim_check(NULL), 0);
	unpin_user_pages(pages, HPAGE_PMD_NR);
	finish(t);
}

/* Unmapped after the grab: the grab is given back, the slow path finds nothing. */
static void test_fast_pin_against_munmap_after_grab(void **state)
{
	struct task_struct *t;

	(void)state;
	t = start_task("pinner");
	two_thps();
	assert_int_equal(pin_with_racer(SP_GUP_FAST_HUGE_GRAB, ZAP_BY_MUNMAP, THP_BASE), -EFAULT);
	assert_int_equal(global_node_page_state(NR_ANON_THPS), 1); /* the first THP is gone */
	finish(t);
}

/*
 * Split or zapped after the walk, with the pins already taken: the pins keep the
 * pages they name. Split: still the mapped subpages. Zapped: the THP lives on,
 * pinned and unmapped, until the last unpin frees it.
 */
static void test_fast_pin_holds_through_split_and_zap_after_walk(void **state)
{
	struct task_struct *t;
	struct page *head;

	(void)state;
	t = start_task("pinner");
	head = two_thps();
	assert_int_equal(pin_with_racer(SP_GUP_FAST_WALK_END, SPLIT_BY_MPROTECT, THP_BASE),
			 HPAGE_PMD_NR);
	assert_false(huge_at(t, THP_BASE));
	assert_ptr_equal(pages[HPAGE_PMD_NR - 1], head + HPAGE_PMD_NR - 1);
	put_byte(THP_BASE + 9 * PAGE_SIZE, 'y');
	assert_int_equal(*(char *)page_address(pages[9]), 'y');
	assert_int_equal(sim_check(NULL), 0);
	unpin_user_pages(pages, HPAGE_PMD_NR);

	head = huge_head(t, THP_BASE + HPAGE_PMD_SIZE);
	assert_int_equal(
		pin_with_racer(SP_GUP_FAST_WALK_END, ZAP_BY_MUNMAP, THP_BASE + HPAGE_PMD_SIZE),
		HPAGE_PMD_NR);
	assert_int_equal(global_node_page_state(NR_ANON_THPS), 0);
	assert_ptr_equal(pages[0], head);
	assert_true(page_maybe_dma_pinned(head + 7));
	assert_int_equal(page_mapcount(head + 7), 0);
	assert_int_equal(*(char *)page_address(pages[7]), (char)('a' + (HPAGE_PMD_NR + 7) % 26));
	assert_int_equal(sim_check(NULL), 0);
	unpin_user_pages(pages, HPAGE_PMD_NR);
	/* The last unpin freed it (sim_check() finds any frame lost on the way). */
	assert_int_equal(page_ref_count(head), 0);
	assert_false(PageHead(head));
	finish(t);
}

/* --- page_maybe_dma_pinned and unpinning runs of subpages --- */

static void test_maybe_dma_pinned_on_head_and_tails(void **state)
{
	struct task_struct *t;
	struct page *head, *next, *page;

	(void)state;
	t = start_task("pinner");
	head = two_thps();
	for (int i = 0; i < HPAGE_PMD_NR; i += 73)
		assert_false(page_maybe_dma_pinned(head + i));
	assert_int_equal(pin_user_pages(THP_BASE + 100 * PAGE_SIZE, 1, FOLL_WRITE, &page, NULL), 1);
	assert_ptr_equal(page, head + 100);
	/* One pin on one tail: the whole compound page may be pinned, head and every tail. */
	assert_true(page_maybe_dma_pinned(head));
	assert_true(page_maybe_dma_pinned(head + 1));
	assert_true(page_maybe_dma_pinned(head + 100));
	assert_true(page_maybe_dma_pinned(head + HPAGE_PMD_NR - 1));
	/* Exact, not the bias estimate: 1024 plain references on the head say nothing. */
	next = huge_head(t, THP_BASE + HPAGE_PMD_SIZE);
	assert_false(page_maybe_dma_pinned(next));
	page_ref_add(next, GUP_PIN_COUNTING_BIAS);
	assert_false(page_maybe_dma_pinned(next + 5));
	page_ref_sub(next, GUP_PIN_COUNTING_BIAS);
	unpin_user_page(page);
	assert_false(page_maybe_dma_pinned(head));
	assert_false(page_maybe_dma_pinned(head + 100));
	finish(t);
}

/* 512 tails of one head in one unpin call, in order, reversed, and spanning two THPs. */
static void test_unpin_subpages_of_one_compound_in_one_call(void **state)
{
	unsigned long released;
	struct task_struct *t;
	struct page *head, *next;
	int ref, next_ref;

	(void)state;
	t = start_task("pinner");
	head = two_thps();
	next = huge_head(t, THP_BASE + HPAGE_PMD_SIZE);
	ref = page_ref_count(head);
	next_ref = page_ref_count(next);

	assert_int_equal(pin_user_pages(THP_BASE, HPAGE_PMD_NR, FOLL_WRITE, pages, NULL),
			 HPAGE_PMD_NR);
	assert_int_equal(page_ref_count(head), ref + HPAGE_PMD_NR);
	released = global_node_page_state(NR_FOLL_PIN_RELEASED);
	unpin_user_pages_dirty_lock(pages, HPAGE_PMD_NR, true);
	assert_int_equal(global_node_page_state(NR_FOLL_PIN_RELEASED) - released, HPAGE_PMD_NR);
	assert_int_equal(page_ref_count(head), ref);
	assert_int_equal(compound_pincount(head), 0);
	assert_true(PageDirty(head));

	/* Reversed: no run to batch, each subpage alone, the same result. */
	assert_int_equal(pin_user_pages_fast(THP_BASE, HPAGE_PMD_NR, FOLL_WRITE, pages),
			 HPAGE_PMD_NR);
	for (int i = 0; i < HPAGE_PMD_NR / 2; i++) {
		struct page *swap = pages[i];

		pages[i] = pages[HPAGE_PMD_NR - 1 - i];
		pages[HPAGE_PMD_NR - 1 - i] = swap;
	}
	unpin_user_pages(pages, HPAGE_PMD_NR);
	assert_int_equal(page_ref_count(head), ref);
	assert_int_equal(compound_pincount(head), 0);

	/* The last 300 subpages of one THP and the first 300 of the next: two runs. */
	assert_int_equal(pin_user_pages_fast(THP_BASE + (HPAGE_PMD_NR - 300) * PAGE_SIZE, 600,
					     FOLL_WRITE, pages),
			 600);
	assert_int_equal(compound_pincount(head), 300);
	assert_int_equal(compound_pincount(next), 300);
	/* The same subpage twice in a row is two pins, not a run. */
	pages[600] = pages[599];
	assert_int_equal(pin_user_pages_fast(THP_BASE + HPAGE_PMD_SIZE + 299 * PAGE_SIZE, 1,
					     FOLL_WRITE, pages + 600),
			 1);
	assert_ptr_equal(pages[600], pages[599]);
	assert_int_equal(compound_pincount(next), 301);
	assert_int_equal(sim_check(NULL), 0);
	unpin_user_pages(pages, 601);
	assert_int_equal(page_ref_count(head), ref);
	assert_int_equal(page_ref_count(next), next_ref);
	assert_int_equal(compound_pincount(head) + compound_pincount(next), 0);
	finish(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		GUP_TEST(test_pinned_thp_across_fork_stays_coherent),
		GUP_TEST(test_fast_pin_against_split_after_grab),
		GUP_TEST(test_fast_pin_against_partial_dontneed_after_grab),
		GUP_TEST(test_fast_pin_against_munmap_after_grab),
		GUP_TEST(test_fast_pin_holds_through_split_and_zap_after_walk),
		GUP_TEST(test_maybe_dma_pinned_on_head_and_tails),
		GUP_TEST(test_unpin_subpages_of_one_compound_in_one_call),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
