// SPDX-License-Identifier: GPL-2.0-only
/*
 * The invariant checker: each check of sim_check() fires on state corrupted on
 * purpose, names the page or entry at fault, and is quiet again once repaired;
 * sim_check_used() sees the same in the frames handed out since boot. Compound
 * pages too: head and tails, mapcounts, pincount, deposits, the huge zero page.
 */
#include "harness.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mm/internal.h"

#define AREA_PAGES 4

/* Run @check into a buffer; returns the violations, *report gets the text. */
static int report_of(int (*check)(FILE *out), char **report)
{
	size_t len;
	FILE *out = open_memstream(report, &len);
	int errors;

	assert_non_null(out);
	errors = check(out);
	fclose(out);
	return errors;
}

static int check_report(char **report)
{
	return report_of(sim_check, report);
}

/* Assert @check reports violations and that one message contains @needle. */
static void assert_fires(int (*check)(FILE *out), const char *needle)
{
	char *report = NULL;
	int errors = report_of(check, &report);

	if (!strstr(report, needle))
		fprintf(stderr, "expected \"%s\" in:\n%s", needle, report);
	assert_true(errors > 0);
	assert_non_null(strstr(report, needle));
	free(report);
}

/* Assert sim_check() reports violations and that one message contains @needle. */
static void assert_check_fires(const char *needle)
{
	assert_fires(sim_check, needle);
}

static void assert_check_clean(void)
{
	char *report = NULL;
	int errors = check_report(&report);

	if (errors)
		fprintf(stderr, "%s", report);
	assert_int_equal(errors, 0);
	free(report);
}

static char *pfn_name(struct page *page)
{
	static char name[32];

	snprintf(name, sizeof(name), "pfn %#lx", page_to_pfn(page));
	return name;
}

/* A task with AREA_PAGES written anonymous pages; returns the area. */
static unsigned long populated_area(void)
{
	unsigned long addr;
	char byte = 'x';

	start_task("check");
	addr = map_rw(AREA_PAGES);
	for (int i = 0; i < AREA_PAGES; i++)
		assert_int_equal(copy_to_user(addr + i * PAGE_SIZE, &byte, 1), 0);
	return addr;
}

static struct page *mapped_page(unsigned long addr)
{
	pte_t *pte = mm_find_pte(current->mm, addr, NULL);

	assert_non_null(pte);
	assert_true(pte_present(ptep_get(pte)));
	return pte_page(ptep_get(pte));
}

static void end_task(void)
{
	task_exit(current);
	set_current(NULL);
}

/* An address with no VMA near it: its own pgd slot, far above the areas. */
#define NO_VMA_ADDR (1UL << 46)

static void test_clean_machine_passes(void **state)
{
	(void)state;
	populated_area();
	assert_check_clean();
	end_task();
}

static void test_extra_reference_is_reported(void **state)
{
	struct page *page;

	(void)state;
	page = mapped_page(populated_area());
	page_ref_add(page, 1);
	assert_check_fires(pfn_name(page));
	assert_check_fires("refcount");
	page_ref_sub(page, 1);
	assert_check_clean();
	end_task();
}

static void test_missing_reference_is_reported(void **state)
{
	struct task_struct *child;
	struct page *page;

	(void)state;
	page = mapped_page(populated_area());
	child = sys_fork();
	assert_non_null(child);
	page_ref_sub(page, 1); /* the child's mapping no longer holds its reference */
	assert_check_fires("refcount 1 but 2 mappings/objects");
	assert_check_fires(pfn_name(page));
	page_ref_add(page, 1);
	assert_check_clean();
	task_exit(child);
	end_task();
}

static void test_mapcount_mismatch_is_reported(void **state)
{
	struct page *page;

	(void)state;
	page = mapped_page(populated_area());
	atomic_inc(&page->_mapcount);
	assert_check_fires("mapcount 2 but 1 ptes map it");
	assert_check_fires(pfn_name(page));
	atomic_dec(&page->_mapcount);
	assert_check_clean();
	end_task();
}

static void test_pte_outside_vma_is_reported(void **state)
{
	pmd_t *pmd;
	pte_t *pte;
	char where[48];

	(void)state;
	populated_area();
	mmap_write_lock(current->mm);
	pmd = mm_alloc_pmd(current->mm, NO_VMA_ADDR);
	assert_non_null(pmd);
	assert_int_equal(__pte_alloc(current->mm, pmd), 0);
	pte = pte_offset_map(pmd, NO_VMA_ADDR);
	set_pte(pte, pte_mkspecial(pfn_pte(zero_pfn(), PAGE_READONLY)));
	mmap_write_unlock(current->mm);

	snprintf(where, sizeof(where), "at %#lx outside any vma", NO_VMA_ADDR);
	assert_check_fires(where);

	mmap_write_lock(current->mm);
	ptep_get_and_clear(pte);
	free_pgtables_range(current->mm, NO_VMA_ADDR, NO_VMA_ADDR + PAGE_SIZE);
	mmap_write_unlock(current->mm);
	assert_check_clean();
	end_task();
}

static void test_empty_table_outside_vma_is_reported(void **state)
{
	pmd_t *pmd;
	char where[64];

	(void)state;
	populated_area();
	mmap_write_lock(current->mm);
	pmd = mm_alloc_pmd(current->mm, NO_VMA_ADDR);
	assert_non_null(pmd);
	mmap_write_unlock(current->mm);
	snprintf(where, sizeof(where), "empty pmd table for %#lx left outside any vma",
		 NO_VMA_ADDR & PUD_MASK);
	assert_check_fires(where);

	mmap_write_lock(current->mm);
	assert_int_equal(__pte_alloc(current->mm, pmd), 0);
	mmap_write_unlock(current->mm);
	snprintf(where, sizeof(where), "empty pte table for %#lx left outside any vma",
		 NO_VMA_ADDR & PMD_MASK);
	assert_check_fires(where);

	mmap_write_lock(current->mm);
	free_pgtables_range(current->mm, NO_VMA_ADDR, NO_VMA_ADDR + PAGE_SIZE);
	mmap_write_unlock(current->mm);
	assert_check_clean();
	end_task();
}

static void test_unreachable_page_table_is_reported(void **state)
{
	unsigned long entry;
	struct page *table;
	pmd_t *pmd;

	(void)state;
	populated_area();
	mmap_write_lock(current->mm);
	pmd = mm_alloc_pmd(current->mm, NO_VMA_ADDR);
	assert_int_equal(__pte_alloc(current->mm, pmd), 0);
	entry = pmd_val(pmdp_get(pmd));
	table = pfn_to_page((entry & PTE_PFN_MASK) >> PAGE_SHIFT);
	WRITE_ONCE(pmd->pmd, 0UL); /* detach the table without freeing it */
	mmap_write_unlock(current->mm);

	assert_check_fires("page table reachable from no mm (leaked)");
	assert_check_fires(pfn_name(table));
	assert_check_fires("pgtables_bytes says");

	mmap_write_lock(current->mm);
	WRITE_ONCE(pmd->pmd, entry);
	free_pgtables_range(current->mm, NO_VMA_ADDR, NO_VMA_ADDR + PAGE_SIZE);
	mmap_write_unlock(current->mm);
	assert_check_clean();
	end_task();
}

/* Plant @entry in @slot, check that sim_check() names it without a WARN, restore. */
static void assert_entry_refused(pmd_t *slot, unsigned long entry, const char *needle)
{
	unsigned long saved = pmd_val(pmdp_get(slot));
	unsigned long warnings = sim_warn_count();

	WRITE_ONCE(slot->pmd, entry);
	assert_check_fires(needle);
	assert_int_equal(sim_warn_count() - warnings, 0);
	WRITE_ONCE(slot->pmd, saved);
}

static void test_bad_table_entry_is_refused(void **state)
{
	unsigned long addr, table_entry;
	pmd_t *stray, *area;

	(void)state;
	addr = populated_area();
	mmap_write_lock(current->mm);
	area = mm_alloc_pmd(current->mm, addr);
	stray = mm_alloc_pmd(current->mm, NO_VMA_ADDR);
	assert_non_null(area);
	assert_non_null(stray);
	table_entry = pmd_val(pmdp_get(area));
	mmap_write_unlock(current->mm);

	/* A data frame is not a table: the walk must not read it as PTEs. */
	assert_entry_refused(stray, (page_to_pfn(mapped_page(addr)) << PAGE_SHIFT) | _PAGE_TABLE,
			     "not one of its tables");
	assert_entry_refused(stray, table_entry, "reached by more than one entry");
	/* The mm's own table, but without the write bit every table pointer carries. */
	assert_entry_refused(area, table_entry & ~_PAGE_RW, "has the flags of no table pointer");
	/* With the huge bit it is a huge leaf, and a table frame is no THP to map. */
	assert_entry_refused(area, table_entry | _PAGE_PSE, "huge pmd at");
	assert_fires(sim_check, "empty pmd table"); /* the stray slot is empty again */

	mmap_write_lock(current->mm);
	free_pgtables_range(current->mm, NO_VMA_ADDR, NO_VMA_ADDR + PAGE_SIZE);
	mmap_write_unlock(current->mm);
	assert_check_clean();
	end_task();
}

static void test_fake_pin_is_reported(void **state)
{
	struct page *page;

	(void)state;
	page = mapped_page(populated_area());
	sim_page_fake_gup_pins(page, 1);
	assert_check_fires("pins held on pages (1) != acquired - released (0)");
	assert_check_fires(pfn_name(page));
	sim_page_fake_gup_pins(page, -1);
	assert_check_clean();
	end_task();
}

static void test_unbalanced_pin_stat_is_reported(void **state)
{
	(void)state;
	mod_node_page_state(NR_FOLL_PIN_ACQUIRED, 1);
	assert_check_fires("pins held on pages (0) != acquired - released (1)");
	mod_node_page_state(NR_FOLL_PIN_RELEASED, 1);
	assert_check_clean();
}

static void test_gets_are_an_upper_bound(void **state)
{
	unsigned long addr;
	struct page *page;

	(void)state;
	addr = populated_area();
	assert_int_equal(get_user_pages_fast(addr, 1, 0, &page), 1);
	assert_check_clean(); /* a held FOLL_GET reference is allowed */
	put_page(page);
	assert_check_clean(); /* and so is its release, indistinguishable from others */
	end_task();
}

static void test_free_list_count_is_reported(void **state)
{
	struct zone *zone = &sim.zones[ZONE_NORMAL];

	(void)state;
	zone->free_area[0].nr_free++;
	assert_check_fires("zone Normal: order 0 holds");
	zone->free_area[0].nr_free--;
	assert_check_clean();
}

static void test_referenced_free_block_is_reported(void **state)
{
	struct zone *zone = &sim.zones[ZONE_NORMAL];
	struct page *block = NULL;
	int order;

	(void)state;
	for (order = MAX_ORDER - 1; order > 0 && !block; order--)
		if (zone->free_area[order].nr_free)
			block = list_first_entry(&zone->free_area[order].free_list, struct page,
						 lru);
	assert_non_null(block);
	page_ref_add(block + 1, 1);
	assert_check_fires(pfn_name(block + 1));
	assert_check_fires("inside a free block");
	page_ref_sub(block + 1, 1);
	assert_check_clean();
}

static void test_lost_frame_is_reported(void **state)
{
	struct page *page = alloc_page(GFP_KERNEL);

	(void)state;
	assert_non_null(page);
	set_page_count(page, 0); /* dropped without going back to the allocator */
	assert_check_fires("unreferenced but in no free block (lost)");
	assert_check_fires(pfn_name(page));
	set_page_count(page, 1);
	__free_pages(page, 0);
	assert_check_clean();
}

static void test_rss_mismatch_is_reported(void **state)
{
	(void)state;
	populated_area();
	atomic_long_add(1, &current->mm->rss_anon);
	assert_check_fires("rss says");
	atomic_long_add(-1, &current->mm->rss_anon);
	assert_check_clean();
	end_task();
}

static void test_pagetable_stat_is_reported(void **state)
{
	(void)state;
	mod_node_page_state(NR_PAGETABLE, 1);
	assert_check_fires("NR_PAGETABLE says");
	mod_node_page_state(NR_PAGETABLE, -1);
	assert_check_clean();
}

/* sim_shutdown() runs the checks too: a leaked reference fails it. */
static void test_shutdown_reports_a_leak(void **state)
{
	struct sim_config quiet = {.mem_bytes = 64UL << 20, .quiet = true};
	struct page *page;

	(void)state;
	assert_int_equal(sim_boot(&quiet), 0);
	page = mapped_page(populated_area());
	page_ref_add(page, 1);
	end_task();
	assert_int_equal(sim_shutdown(), -EBUSY);
}

/*
 * The per-step check walks only the frames handed out since boot, yet sees what
 * goes wrong there, and the heads of free blocks that were never handed out.
 */
static void test_check_used_sees_used_frames(void **state)
{
	struct zone *zone = &sim.zones[ZONE_NORMAL];
	struct page *page, *lost, *untouched = NULL;

	(void)state;
	page = mapped_page(populated_area());
	assert_int_equal(sim_check_used(NULL), 0);
	page_ref_add(page, 1);
	assert_fires(sim_check_used, pfn_name(page));
	page_ref_sub(page, 1);

	lost = alloc_page(GFP_KERNEL);
	assert_non_null(lost);
	set_page_count(lost, 0);
	assert_fires(sim_check_used, "unreferenced but in no free block (lost)");
	set_page_count(lost, 1);
	__free_pages(lost, 0);

	/* The largest free block's head: never handed out on a fresh machine. */
	for (int order = MAX_ORDER - 1; order >= 0 && !untouched; order--)
		if (zone->free_area[order].nr_free)
			untouched = list_first_entry(&zone->free_area[order].free_list, struct page,
						     lru);
	assert_non_null(untouched);
	assert_true(page_to_pfn(untouched) >= sim.frames_used.hi ||
		    page_to_pfn(untouched) < sim.frames_used.lo);
	page_ref_add(untouched, 1);
	assert_fires(sim_check_used, "free but referenced");
	page_ref_sub(untouched, 1);
	assert_int_equal(sim_check_used(NULL), 0);
	end_task();
}

/* --- compound pages --- */

#define THP_AREA 0x40000000UL /* 2 MiB aligned */

/* A task with one written THP at THP_AREA; returns its head. */
static struct page *thp_area(void)
{
	pmd_t *pmd;

	start_task("check");
	assert_int_equal(sys_mmap(THP_AREA, HPAGE_PMD_SIZE, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0),
			 THP_AREA);
	assert_int_equal(sys_madvise(THP_AREA, HPAGE_PMD_SIZE, MADV_HUGEPAGE), 0);
	touch_page(THP_AREA);
	pmd = mm_alloc_pmd(current->mm, THP_AREA);
	assert_non_null(pmd);
	assert_true(pmd_trans_huge(pmdp_get(pmd)));
	assert_check_clean();
	return pmd_page(pmdp_get(pmd));
}

static void test_thp_tail_refcount_is_reported(void **state)
{
	struct page *head;

	(void)state;
	head = thp_area();
	page_ref_add(head + 3, 1);
	assert_check_fires("compound tail with a refcount of its own (tails hold 0)");
	assert_check_fires(pfn_name(head + 3));
	page_ref_sub(head + 3, 1);
	assert_check_clean();
	end_task();
}

static void test_thp_head_and_tails_must_agree(void **state)
{
	unsigned long saved;
	struct page *head;

	(void)state;
	head = thp_area();
	/* A tail that points at another tail rather than at its head. */
	saved = head[5].compound_head;
	WRITE_ONCE(head[5].compound_head, (unsigned long)(head + 1) + 1);
	assert_check_fires("compound tail of a page that is not a compound head");
	assert_check_fires("compound head with a tail that does not point back at it");
	WRITE_ONCE(head[5].compound_head, saved);
	/* compound_nr and the order must say the same. */
	head[1].compound_nr /= 2;
	assert_check_fires("compound_nr disagrees with its order");
	assert_check_fires("beyond its head's compound_nr");
	head[1].compound_nr *= 2;
	head[1].compound_order = 0;
	assert_check_fires("compound head with an order no allocation gives");
	head[1].compound_order = HPAGE_PMD_ORDER;
	assert_check_clean();
	end_task();
}

static void test_thp_compound_mapcount_is_reported(void **state)
{
	struct page *head;

	(void)state;
	head = thp_area();
	atomic_inc(&head[1].compound_mapcount);
	assert_check_fires("compound mapcount 2 but 1 huge pmds map it");
	atomic_dec(&head[1].compound_mapcount);
	assert_check_clean();
	end_task();
}

/* Once the pmd is split each subpage counts its PTE; the compound mapcount none. */
static void test_thp_subpage_mapcount_is_reported(void **state)
{
	struct page *head;

	(void)state;
	head = thp_area();
	assert_int_equal(sys_mprotect(THP_AREA, HPAGE_PMD_SIZE / 2, PROT_READ), 0);
	assert_false(pmd_trans_huge(pmdp_get(mm_alloc_pmd(current->mm, THP_AREA))));
	assert_check_clean();
	atomic_inc(&head[7]._mapcount);
	assert_check_fires("subpage mapcount 2 but 1 ptes map it");
	assert_check_fires(pfn_name(head + 7));
	atomic_dec(&head[7]._mapcount);
	atomic_inc(&head[1].compound_mapcount);
	assert_check_fires("compound mapcount 1 but 0 huge pmds map it");
	atomic_dec(&head[1].compound_mapcount);
	assert_check_clean();
	end_task();
}

static void test_thp_pincount_is_reported(void **state)
{
	struct page *head, *page;

	(void)state;
	head = thp_area();
	assert_int_equal(pin_user_pages_fast(THP_AREA + 9 * PAGE_SIZE, 1, FOLL_WRITE, &page), 1);
	assert_check_clean();
	atomic_inc(compound_pincount_ptr(head));
	assert_check_fires("compound pincount 2 but 1 pins recorded");
	atomic_dec(compound_pincount_ptr(head));
	/* A pin the debug count and the refcount know of, but no owner record. */
	sim_page_fake_gup_pins(head, 1);
	atomic_inc(compound_pincount_ptr(head));
	page_ref_add(head, 1);
	mod_node_page_state(NR_FOLL_PIN_ACQUIRED, 1);
	assert_check_fires("2 pins counted but the pin-owner records hold 1");
	mod_node_page_state(NR_FOLL_PIN_RELEASED, 1);
	page_ref_sub(head, 1);
	atomic_dec(compound_pincount_ptr(head));
	sim_page_fake_gup_pins(head, -1);
	assert_check_clean();
	unpin_user_page(page);
	assert_check_clean();
	end_task();
}

/* A pmd left mapping a page that is no compound head any more (a botched split). */
static void test_pmd_at_non_compound_page_is_reported(void **state)
{
	struct page *head;

	(void)state;
	head = thp_area();
	ClearPageHead(head);
	assert_check_fires("not a THP head");
	SetPageHead(head);
	assert_check_clean();
	end_task();
}

static void test_missing_deposited_table_is_reported(void **state)
{
	struct page *table;

	(void)state;
	thp_area();
	table = current->mm->pmd_huge_pte;
	assert_non_null(table);
	current->mm->pmd_huge_pte = (struct page *)table->lru.next;
	assert_check_fires("1 huge pmds but 0 deposited tables");
	assert_check_fires("page table reachable from no mm (leaked)");
	current->mm->pmd_huge_pte = table;
	assert_check_clean();
	end_task();
}

static void test_huge_zero_page_counts_are_reported(void **state)
{
	struct page *zero;
	char byte;

	(void)state;
	start_task("check");
	assert_int_equal(sys_mmap(THP_AREA, HPAGE_PMD_SIZE, PROT_READ,
				  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0),
			 THP_AREA);
	assert_int_equal(sys_madvise(THP_AREA, HPAGE_PMD_SIZE, MADV_HUGEPAGE), 0);
	assert_int_equal(copy_from_user(&byte, THP_AREA, 1), 0);
	zero = sim.huge_zero_page;
	assert_non_null(zero);
	assert_check_clean();
	page_ref_add(zero, 1);
	assert_check_fires("refcount 2 but 0 mappings/objects, 0 pins");
	assert_check_fires(pfn_name(zero));
	page_ref_sub(zero, 1);
	atomic_inc(&zero[1].compound_mapcount);
	assert_check_fires("compound mapcount 1 (it is in no rmap)");
	atomic_dec(&zero[1].compound_mapcount);
	assert_check_clean();
	end_task();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		GUP_TEST(test_clean_machine_passes),
		GUP_TEST(test_extra_reference_is_reported),
		GUP_TEST(test_missing_reference_is_reported),
		GUP_TEST(test_mapcount_mismatch_is_reported),
		GUP_TEST(test_pte_outside_vma_is_reported),
		GUP_TEST(test_empty_table_outside_vma_is_reported),
		GUP_TEST(test_unreachable_page_table_is_reported),
		GUP_TEST(test_bad_table_entry_is_refused),
		GUP_TEST(test_fake_pin_is_reported),
		GUP_TEST(test_unbalanced_pin_stat_is_reported),
		GUP_TEST(test_gets_are_an_upper_bound),
		GUP_TEST(test_free_list_count_is_reported),
		GUP_TEST(test_referenced_free_block_is_reported),
		GUP_TEST(test_lost_frame_is_reported),
		GUP_TEST(test_rss_mismatch_is_reported),
		GUP_TEST(test_pagetable_stat_is_reported),
		GUP_TEST(test_check_used_sees_used_frames),
		GUP_TEST(test_thp_tail_refcount_is_reported),
		GUP_TEST(test_thp_head_and_tails_must_agree),
		GUP_TEST(test_thp_compound_mapcount_is_reported),
		GUP_TEST(test_thp_subpage_mapcount_is_reported),
		GUP_TEST(test_thp_pincount_is_reported),
		GUP_TEST(test_pmd_at_non_compound_page_is_reported),
		GUP_TEST(test_missing_deposited_table_is_reported),
		GUP_TEST(test_huge_zero_page_counts_are_reported),
		cmocka_unit_test(test_shutdown_reports_a_leak),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
