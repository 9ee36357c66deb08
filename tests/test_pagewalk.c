// SPDX-License-Identifier: GPL-2.0-only
/*
 * tests/test_pagewalk.c - walk_page_range's callbacks at every level, holes and
 * VMA bounds; zap, fork, mprotect, munlock and remap_pfn_range over ranges that
 * cross a PTE table (2 MiB), a PMD table (1 GiB) and a PUD table (512 GiB); a huge
 * pmd left to its slot.
 */
#include "harness.h"

#include <gup/pagewalk.h>
#include <stdlib.h>
#include <string.h>

#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)

/* Far from where mmap places things on its own; 512 GiB aligned. */
#define BASE 0x100000000000UL

/* One boundary of each kind: a 2 MiB, a 1 GiB and a 512 GiB one. */
static const unsigned long boundaries[] = {
	BASE + PMD_SIZE,
	BASE + PUD_SIZE,
	BASE + PGDIR_SIZE,
};

enum visit_kind { V_PGD, V_P4D, V_PUD, V_PMD, V_PTE, V_HOLE, V_NONE };

struct visit {
	enum visit_kind kind;
	unsigned long addr, next;
	int depth;	     /* holes only */
	unsigned long table; /* the frame holding the entry */
	bool present;	     /* ptes only */
};

#define MAX_VISITS 1100

struct walk_log {
	struct visit v[MAX_VISITS];
	int n;
	int stop_after_ptes;	    /* pte_entry returns 7 once this many were seen */
	enum visit_kind skip_below; /* this level's callback sets ACTION_CONTINUE (V_NONE: none) */
	int again;		    /* ACTION_AGAIN this many times at the pmd level */
};

static struct visit *log_visit(struct mm_walk *walk, enum visit_kind kind, unsigned long addr,
			       unsigned long next, const void *entry)
{
	struct walk_log *log = walk->private_data;
	struct visit *v;

	assert_true(log->n < MAX_VISITS);
	v = &log->v[log->n++];
	*v = (struct visit){.kind = kind,
			    .addr = addr,
			    .next = next,
			    .table = (unsigned long)entry & PAGE_MASK};
	if (log->skip_below == kind)
		walk->action = ACTION_CONTINUE;
	return v;
}

static int log_pgd(pgd_t *pgd, unsigned long addr, unsigned long next, struct mm_walk *walk)
{
	log_visit(walk, V_PGD, addr, next, pgd);
	return 0;
}

static int log_p4d(p4d_t *p4d, unsigned long addr, unsigned long next, struct mm_walk *walk)
{
	log_visit(walk, V_P4D, addr, next, p4d);
	return 0;
}

static int log_pud(pud_t *pud, unsigned long addr, unsigned long next, struct mm_walk *walk)
{
	log_visit(walk, V_PUD, addr, next, pud);
	return 0;
}

static int log_pmd(pmd_t *pmd, unsigned long addr, unsigned long next, struct mm_walk *walk)
{
	struct walk_log *log = walk->private_data;

	log_visit(walk, V_PMD, addr, next, pmd);
	if (log->again > 0) {
		log->again--;
		walk->action = ACTION_AGAIN;
	}
	return 0;
}

static int log_pte(pte_t *pte, unsigned long addr, unsigned long next, struct mm_walk *walk)
{
	struct walk_log *log = walk->private_data;
	struct visit *v = log_visit(walk, V_PTE, addr, next, pte);
	int ptes = 0;

	v->present = pte_present(ptep_get(pte));
	for (int i = 0; i < log->n; i++)
		ptes += log->v[i].kind == V_PTE;
	return log->stop_after_ptes && ptes == log->stop_after_ptes ? 7 : 0;
}

static int log_hole(unsigned long addr, unsigned long next, int depth, struct mm_walk *walk)
{
	log_visit(walk, V_HOLE, addr, next, NULL)->depth = depth;
	return 0;
}

static const struct mm_walk_ops log_ops = {
	.pgd_entry = log_pgd,
	.p4d_entry = log_p4d,
	.pud_entry = log_pud,
	.pmd_entry = log_pmd,
	.pte_entry = log_pte,
	.pte_hole = log_hole,
};

static struct walk_log *walk_logged(struct mm_struct *mm, unsigned long start, unsigned long end)
{
	struct walk_log *log = calloc(1, sizeof(*log));

	assert_non_null(log);
	log->skip_below = V_NONE;
	mmap_read_lock(mm);
	assert_int_equal(walk_page_range(mm, start, end, &log_ops, log), 0);
	mmap_read_unlock(mm);
	return log;
}

static void expect_visit(struct walk_log *log, int i, enum visit_kind kind, unsigned long addr,
			 unsigned long next)
{
	assert_true(i < log->n);
	assert_int_equal(log->v[i].kind, kind);
	assert_int_equal(log->v[i].addr, addr);
	assert_int_equal(log->v[i].next, next);
}

/* Map 4 pages at @boundary - 2 pages and write 'a' + i to page i. */
static unsigned long map_across(unsigned long boundary)
{
	unsigned long addr = boundary - 2 * PAGE_SIZE;

	assert_int_equal(sys_mmap(addr, 4 * PAGE_SIZE, RW, ANON | MAP_FIXED, -1, 0), addr);
	touch_pages(addr, 4);
	return addr;
}

static char byte_at(struct task_struct *t, unsigned long addr)
{
	struct task_struct *prev = set_current(t);
	char c = 0;

	assert_int_equal(copy_from_user(&c, addr, 1), 0);
	set_current(prev);
	return c;
}

static bool pte_writable(struct task_struct *t, unsigned long addr)
{
	pte_t *pte = mm_find_pte(t->mm, addr, NULL);

	assert_non_null(pte);
	return pte_write(ptep_get(pte));
}

static void test_walk_visits_every_level_across_a_pmd_boundary(void **state)
{
	struct task_struct *t = start_task("walk");
	unsigned long b = boundaries[0], a = map_across(b);
	struct walk_log *log = walk_logged(t->mm, a, a + 4 * PAGE_SIZE);
	int i = 0;

	(void)state;
	expect_visit(log, i++, V_PGD, a, a + 4 * PAGE_SIZE);
	expect_visit(log, i++, V_P4D, a, a + 4 * PAGE_SIZE);
	expect_visit(log, i++, V_PUD, a, a + 4 * PAGE_SIZE);
	expect_visit(log, i++, V_PMD, a, b);
	expect_visit(log, i++, V_PTE, a, a + PAGE_SIZE);
	expect_visit(log, i++, V_PTE, a + PAGE_SIZE, b);
	expect_visit(log, i++, V_PMD, b, b + 2 * PAGE_SIZE);
	expect_visit(log, i++, V_PTE, b, b + PAGE_SIZE);
	expect_visit(log, i++, V_PTE, b + PAGE_SIZE, b + 2 * PAGE_SIZE);
	assert_int_equal(log->n, i);
	for (i = 0; i < log->n; i++)
		assert_true(log->v[i].kind != V_PTE || log->v[i].present);
	/* Two PTE tables under one PMD table. */
	assert_int_not_equal(log->v[5].table, log->v[7].table);
	assert_int_equal(log->v[3].table, log->v[6].table);
	free(log);
	task_exit(t);
}

static void test_walk_visits_every_level_across_a_pud_boundary(void **state)
{
	struct task_struct *t = start_task("walk");
	unsigned long b = boundaries[1], a = map_across(b);
	struct walk_log *log = walk_logged(t->mm, a, a + 4 * PAGE_SIZE);
	int i = 0;

	(void)state;
	expect_visit(log, i++, V_PGD, a, a + 4 * PAGE_SIZE);
	expect_visit(log, i++, V_P4D, a, a + 4 * PAGE_SIZE);
	expect_visit(log, i++, V_PUD, a, b);
	expect_visit(log, i++, V_PMD, a, b);
	expect_visit(log, i++, V_PTE, a, a + PAGE_SIZE);
	expect_visit(log, i++, V_PTE, a + PAGE_SIZE, b);
	expect_visit(log, i++, V_PUD, b, b + 2 * PAGE_SIZE);
	expect_visit(log, i++, V_PMD, b, b + 2 * PAGE_SIZE);
	expect_visit(log, i++, V_PTE, b, b + PAGE_SIZE);
	expect_visit(log, i++, V_PTE, b + PAGE_SIZE, b + 2 * PAGE_SIZE);
	assert_int_equal(log->n, i);
	/* Two PMD tables (and so two PTE tables) under one PUD table. */
	assert_int_not_equal(log->v[3].table, log->v[7].table);
	assert_int_not_equal(log->v[5].table, log->v[8].table);
	assert_int_equal(log->v[2].table, log->v[6].table);
	free(log);
	task_exit(t);
}

static void test_walk_visits_every_level_across_a_pgd_boundary(void **state)
{
	struct task_struct *t = start_task("walk");
	unsigned long b = boundaries[2], a = map_across(b);
	struct walk_log *log = walk_logged(t->mm, a, a + 4 * PAGE_SIZE);
	int i = 0;

	(void)state;
	for (int half = 0; half < 2; half++) {
		unsigned long from = half ? b : a, to = half ? b + 2 * PAGE_SIZE : b;

		expect_visit(log, i++, V_PGD, from, to);
		expect_visit(log, i++, V_P4D, from, to);
		expect_visit(log, i++, V_PUD, from, to);
		expect_visit(log, i++, V_PMD, from, to);
		expect_visit(log, i++, V_PTE, from, from + PAGE_SIZE);
		expect_visit(log, i++, V_PTE, from + PAGE_SIZE, to);
	}
	assert_int_equal(log->n, i);
	/* Two PUD tables, two PMD tables, two PTE tables; one pgd. */
	assert_int_not_equal(log->v[2].table, log->v[8].table);
	assert_int_not_equal(log->v[3].table, log->v[9].table);
	assert_int_not_equal(log->v[5].table, log->v[10].table);
	assert_int_equal(log->v[0].table, log->v[6].table);
	free(log);
	task_exit(t);
}

static void test_walk_reports_holes_and_stays_inside_vmas(void **state)
{
	struct task_struct *t = start_task("walk");
	unsigned long a = BASE;
	struct walk_log *log;
	int i = 0;

	(void)state;
	/* Two one-page VMAs with a two-page gap, all in one PTE table. */
	assert_int_equal(sys_mmap(a, PAGE_SIZE, RW, ANON | MAP_FIXED, -1, 0), a);
	assert_int_equal(sys_mmap(a + 3 * PAGE_SIZE, PAGE_SIZE, RW, ANON | MAP_FIXED, -1, 0),
			 a + 3 * PAGE_SIZE);
	touch_page(a);
	touch_page(a + 3 * PAGE_SIZE);
	log = walk_logged(t->mm, a, a + 6 * PAGE_SIZE);
	for (int vma = 0; vma < 2; vma++) {
		unsigned long p = a + 3 * PAGE_SIZE * vma,
			      hole_end = vma ? a + 6 * PAGE_SIZE : p + 3 * PAGE_SIZE;

		expect_visit(log, i++, V_PGD, p, p + PAGE_SIZE);
		expect_visit(log, i++, V_P4D, p, p + PAGE_SIZE);
		expect_visit(log, i++, V_PUD, p, p + PAGE_SIZE);
		expect_visit(log, i++, V_PMD, p, p + PAGE_SIZE);
		expect_visit(log, i++, V_PTE, p, p + PAGE_SIZE);
		expect_visit(log, i, V_HOLE, p + PAGE_SIZE, hole_end);
		assert_int_equal(log->v[i++].depth, -1);
	}
	assert_int_equal(log->n, i);
	free(log);
	task_exit(t);
}

static void test_walk_reports_missing_tables_at_their_depth(void **state)
{
	struct task_struct *t = start_task("walk");
	unsigned long a = BASE, len = PUD_SIZE + PMD_SIZE + PAGE_SIZE;
	struct walk_log *log;
	int i = 0;

	(void)state;
	assert_int_equal(sys_mmap(a, len, RW, ANON | MAP_FIXED, -1, 0), a);
	log = walk_logged(t->mm, a, a + len);
	expect_visit(log, 0, V_HOLE, a, a + len);
	assert_int_equal(log->v[0].depth, 0); /* no pud table at all */
	assert_int_equal(log->n, 1);
	free(log);

	touch_page(a);
	log = walk_logged(t->mm, a, a + len);
	expect_visit(log, i++, V_PGD, a, a + len);
	expect_visit(log, i++, V_P4D, a, a + len);
	expect_visit(log, i++, V_PUD, a, a + PUD_SIZE);
	expect_visit(log, i++, V_PMD, a, a + PMD_SIZE);
	for (int pte = 0; pte < PTRS_PER_PTE; pte++) {
		expect_visit(log, i, V_PTE, a + pte * PAGE_SIZE, a + (pte + 1) * PAGE_SIZE);
		assert_int_equal(log->v[i++].present, pte == 0);
	}
	/* The rest of the PMD table is empty: a hole per entry. */
	for (unsigned long pmd = 1; pmd < PTRS_PER_PMD; pmd++) {
		expect_visit(log, i, V_HOLE, a + pmd * PMD_SIZE, a + (pmd + 1) * PMD_SIZE);
		assert_int_equal(log->v[i++].depth, 3);
	}
	expect_visit(log, i, V_HOLE, a + PUD_SIZE, a + len);
	assert_int_equal(log->v[i++].depth, 2); /* no PMD table for the next GiB */
	assert_int_equal(log->n, i);
	free(log);
	task_exit(t);
}

static void test_walk_actions_and_early_stop(void **state)
{
	struct task_struct *t = start_task("walk");
	unsigned long b = boundaries[0], a = map_across(b);
	struct walk_log *log = calloc(1, sizeof(*log));
	int ptes = 0, pmds = 0;

	assert_non_null(log);

	(void)state;
	mmap_read_lock(t->mm);
	/* ACTION_CONTINUE at the pmd level: the PTEs below are not visited. */
	log->skip_below = V_PMD;
	assert_int_equal(walk_page_range(t->mm, a, a + 4 * PAGE_SIZE, &log_ops, log), 0);
	for (int i = 0; i < log->n; i++)
		ptes += log->v[i].kind == V_PTE;
	assert_int_equal(ptes, 0);
	assert_int_equal(log->n, 5); /* pgd, p4d, pud, two pmds */

	/* ACTION_AGAIN: the same pmd entry is offered again. */
	memset(log, 0, sizeof(*log));
	log->skip_below = V_NONE;
	log->again = 1;
	assert_int_equal(walk_page_range(t->mm, a, a + 4 * PAGE_SIZE, &log_ops, log), 0);
	for (int i = 0; i < log->n; i++)
		pmds += log->v[i].kind == V_PMD;
	assert_int_equal(pmds, 3);
	expect_visit(log, 3, V_PMD, a, b);
	expect_visit(log, 4, V_PMD, a, b);

	/* A callback's non-zero return stops the walk and is returned. */
	memset(log, 0, sizeof(*log));
	log->skip_below = V_NONE;
	log->stop_after_ptes = 3;
	assert_int_equal(walk_page_range(t->mm, a, a + 4 * PAGE_SIZE, &log_ops, log), 7);
	expect_visit(log, log->n - 1, V_PTE, b, b + PAGE_SIZE);

	/* Bad ranges. */
	assert_int_equal(walk_page_range(t->mm, a, a, &log_ops, log), -EINVAL);
	assert_int_equal(walk_page_range(t->mm, a, TASK_SIZE + PAGE_SIZE, &log_ops, log), -EINVAL);
	mmap_read_unlock(t->mm);
	free(log);
	task_exit(t);
}

static void test_walk_novma_sees_tables_between_vmas(void **state)
{
	struct task_struct *t = start_task("walk");
	unsigned long a = BASE;
	struct walk_log *log = calloc(1, sizeof(*log));
	int ptes = 0;

	(void)state;
	assert_non_null(log);
	assert_int_equal(sys_mmap(a, PAGE_SIZE, RW, ANON | MAP_FIXED, -1, 0), a);
	assert_int_equal(sys_mmap(a + 3 * PAGE_SIZE, PAGE_SIZE, RW, ANON | MAP_FIXED, -1, 0),
			 a + 3 * PAGE_SIZE);
	touch_page(a);
	log->skip_below = V_NONE;
	mmap_read_lock(t->mm);
	assert_int_equal(walk_page_range_novma(t->mm, a, a + 4 * PAGE_SIZE, &log_ops, log), 0);
	mmap_read_unlock(t->mm);
	for (int i = 0; i < log->n; i++) {
		if (log->v[i].kind != V_PTE)
			continue;
		assert_int_equal(log->v[i].addr, a + ptes * PAGE_SIZE);
		assert_int_equal(log->v[i].present, ptes == 0);
		ptes++;
	}
	assert_int_equal(ptes, 4);
	free(log);
	task_exit(t);
}

static void test_zap_across_boundaries(void **state)
{
	struct task_struct *t = start_task("zap");

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(boundaries); i++) {
		unsigned long b = boundaries[i], a = map_across(b);

		assert_int_equal(sys_munmap(b - PAGE_SIZE, 2 * PAGE_SIZE), 0);
		assert_false(pagemap_entry(t, b - PAGE_SIZE) & PM_PRESENT);
		assert_false(pagemap_entry(t, b) & PM_PRESENT);
		assert_int_equal(byte_at(t, a), 'a');
		assert_int_equal(byte_at(t, b + PAGE_SIZE), 'd');
		assert_int_equal(atomic_long_read(&t->mm->rss_anon), 2);
		assert_int_equal(sim_check(NULL), 0);
		assert_int_equal(sys_munmap(a, 4 * PAGE_SIZE), 0);
		assert_int_equal(atomic_long_read(&t->mm->rss_anon), 0);
	}
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

static void test_fork_across_boundaries(void **state)
{
	struct task_struct *parent = start_task("fork"), *child;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(boundaries); i++)
		map_across(boundaries[i]);
	child = sys_fork();
	assert_non_null(child);
	assert_int_equal(atomic_long_read(&child->mm->rss_anon), 4 * ARRAY_SIZE(boundaries));
	for (size_t i = 0; i < ARRAY_SIZE(boundaries); i++) {
		unsigned long a = boundaries[i] - 2 * PAGE_SIZE;

		for (unsigned long p = 0; p < 4; p++) {
			unsigned long addr = a + p * PAGE_SIZE;

			assert_int_equal(pfn_of(child, addr), pfn_of(parent, addr));
			assert_false(pte_writable(parent, addr));
			assert_false(pte_writable(child, addr));
			assert_int_equal(byte_at(child, addr), 'a' + p);
		}
	}
	assert_int_equal(sim_check(NULL), 0);
	task_exit(child);
	set_current(parent);
	task_exit(parent);
}

static void test_mprotect_across_boundaries(void **state)
{
	struct task_struct *t = start_task("mprotect");

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(boundaries); i++) {
		unsigned long b = boundaries[i], a = map_across(b);

		assert_int_equal(sys_mprotect(b - PAGE_SIZE, 2 * PAGE_SIZE, PROT_READ), 0);
		assert_true(pte_writable(t, a));
		assert_false(pte_writable(t, b - PAGE_SIZE));
		assert_false(pte_writable(t, b));
		assert_true(pte_writable(t, b + PAGE_SIZE));
		assert_int_equal(copy_to_user(b, "x", 1), 1);
		assert_int_equal(sys_mprotect(a, 4 * PAGE_SIZE, RW), 0);
		assert_int_equal(copy_to_user(b, "x", 1), 0);
	}
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

static void test_munlock_across_boundaries(void **state)
{
	struct task_struct *t = start_task("munlock");

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(boundaries); i++) {
		unsigned long a = map_across(boundaries[i]);

		assert_int_equal(sys_mlock(a, 4 * PAGE_SIZE), 0);
		for (unsigned long p = 0; p < 4; p++)
			assert_true(PageMlocked(pfn_to_page(pfn_of(t, a + p * PAGE_SIZE))));
		assert_int_equal(sys_munlock(a, 4 * PAGE_SIZE), 0);
		for (unsigned long p = 0; p < 4; p++)
			assert_false(PageMlocked(pfn_to_page(pfn_of(t, a + p * PAGE_SIZE))));
	}
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

/* More than a PTE table's worth of raw pfns crosses a 2 MiB boundary wherever it lands. */
static void test_remap_pfn_range_across_a_pmd_boundary(void **state)
{
	struct task_struct *t = start_task("pfnmap");
	unsigned long nr = PTRS_PER_PTE + 8, pfn = 0x1000, addr;

	(void)state;
	addr = sys_mmap_pfn(pfn, nr, PROT_READ);
	assert_false(IS_ERR_VALUE(addr));
	assert_true(ALIGN_UP(addr + PAGE_SIZE, PMD_SIZE) < addr + nr * PAGE_SIZE);
	/* pagemap shows a VM_PFNMAP range as holes, so read the PTEs themselves. */
	for (unsigned long i = 0; i < nr; i++)
		assert_int_equal(pte_pfn(ptep_get(mm_find_pte(t->mm, addr + i * PAGE_SIZE, NULL))),
				 pfn + i);
	assert_false(pagemap_entry(t, addr) & PM_PRESENT);
	assert_false(pagemap_entry(t, addr + nr * PAGE_SIZE) & PM_PRESENT);
	assert_int_equal(sys_munmap(addr, nr * PAGE_SIZE), 0);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

/* The pmd entry covering @addr in @t; its PMD table must exist. */
static pmd_t *pmd_of(struct task_struct *t, unsigned long addr)
{
	pmd_t *pmd;

	assert_non_null(mm_find_pte(t->mm, addr, &pmd));
	return pmd;
}

static int count_pte(pte_t *pte, unsigned long addr, unsigned long next, struct mm_walk *walk)
{
	(void)pte;
	(void)addr;
	(void)next;
	++*(int *)walk->private_data;
	return 0;
}

/*
 * A huge pmd that maps no THP, written by hand: every walker hands it to its slot
 * in huge_memory.c, which warns and declines, and none reads it as a table.
 */
static void test_huge_pmd_is_left_to_its_slot(void **state)
{
	static const struct mm_walk_ops ops = {.pte_entry = count_pte};
	struct task_struct *t = start_task("huge");
	unsigned long a = BASE, huge = a + PMD_SIZE, warns = sim_warn_count();
	pmd_t *pmd, fake = __pmd(PMD_SIZE | _PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_PSE);
	int ptes = 0;

	(void)state;
	assert_int_equal(sys_mmap(a, 2 * PMD_SIZE, RW, ANON | MAP_FIXED, -1, 0), a);
	touch_page(a);
	pmd = pmd_of(t, a) + 1;
	assert_true(pmd_none(pmdp_get(pmd)));
	set_pmd(pmd, fake);

	mmap_read_lock(t->mm);
	assert_int_equal(walk_page_range(t->mm, huge, huge + PMD_SIZE, &ops, &ptes), 0);
	mmap_read_unlock(t->mm);
	assert_int_equal(ptes, 0);
	assert_int_not_equal(copy_to_user(huge, "x", 1), 0); /* SIGBUS, not a retry loop */
	assert_null(sys_fork());			     /* copy_huge_pmd: -ENOMEM */
	assert_int_equal(sys_mprotect(a, 2 * PMD_SIZE, PROT_READ), 0);
	assert_int_equal(pmd_val(pmdp_get(pmd)), pmd_val(fake));
	assert_int_equal(sys_munmap(a, 2 * PMD_SIZE), 0);
	assert_int_equal(pmd_val(pmdp_get(pmd)), pmd_val(fake));
	assert_true(sim_warn_count() > warns);

	/* Take it away again; remapping and unmapping frees the tables left behind. */
	set_pmd(pmd, __pmd(0));
	assert_int_equal(sys_mmap(a, 2 * PMD_SIZE, RW, ANON | MAP_FIXED, -1, 0), a);
	assert_int_equal(sys_munmap(a, 2 * PMD_SIZE), 0);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		GUP_TEST(test_walk_visits_every_level_across_a_pmd_boundary),
		GUP_TEST(test_walk_visits_every_level_across_a_pud_boundary),
		GUP_TEST(test_walk_visits_every_level_across_a_pgd_boundary),
		GUP_TEST(test_walk_reports_holes_and_stays_inside_vmas),
		GUP_TEST(test_walk_reports_missing_tables_at_their_depth),
		GUP_TEST(test_walk_actions_and_early_stop),
		GUP_TEST(test_walk_novma_sees_tables_between_vmas),
		GUP_TEST(test_zap_across_boundaries),
		GUP_TEST(test_fork_across_boundaries),
		GUP_TEST(test_mprotect_across_boundaries),
		GUP_TEST(test_munlock_across_boundaries),
		GUP_TEST(test_remap_pfn_range_across_a_pmd_boundary),
		GUP_TEST(test_huge_pmd_is_left_to_its_slot),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
