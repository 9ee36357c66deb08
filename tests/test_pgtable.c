// SPDX-License-Identifier: GPL-2.0-only
/*
 * tests/test_pgtable.c - x86-64 page-table entries (bit layout, PTE helpers, swap
 * and migration entries, index and addr_end arithmetic) and the life of table
 * pages: allocated by faults, freed through RCU when their range is unmapped.
 */
#include "harness.h"
#include "mm/internal.h"

static void test_entry_bit_layout(void **state)
{
	(void)state;
	assert_int_equal(_PAGE_PRESENT, 0x1);
	assert_int_equal(_PAGE_RW, 0x2);
	assert_int_equal(_PAGE_USER, 0x4);
	assert_int_equal(_PAGE_PWT, 0x8);
	assert_int_equal(_PAGE_PCD, 0x10);
	assert_int_equal(_PAGE_ACCESSED, 0x20);
	assert_int_equal(_PAGE_DIRTY, 0x40);
	assert_int_equal(_PAGE_PSE, 0x80);
	assert_int_equal(_PAGE_GLOBAL, 0x100);
	assert_int_equal(_PAGE_SPECIAL, 0x200);
	assert_int_equal(_PAGE_PROTNONE, _PAGE_GLOBAL);
	assert_int_equal(_PAGE_DEVMAP, 1UL << 58);
	assert_int_equal(_PAGE_NX, 1UL << 63);
	assert_int_equal(PTE_PFN_MASK, 0x000ffffffffff000UL);
	assert_int_equal(_PAGE_TABLE, 0x67);
	assert_int_equal(PMD_SIZE, 2UL << 20);
	assert_int_equal(PUD_SIZE, 1UL << 30);
	assert_int_equal(PGDIR_SIZE, 512UL << 30);
}

static void test_pte_helpers(void **state)
{
	pte_t pte = pfn_pte(0x12345, PAGE_SHARED);

	(void)state;
	assert_int_equal(pte_pfn(pte), 0x12345);
	assert_true(pte_present(pte));
	assert_true(pte_write(pte));
	assert_true(pte_user(pte));
	assert_true(pte_young(pte));
	assert_false(pte_exec(pte));
	assert_false(pte_dirty(pte));
	assert_false(pte_special(pte));
	assert_true(pte_dirty(pte_mkdirty(pte)));
	assert_false(pte_dirty(pte_mkclean(pte_mkdirty(pte))));
	assert_false(pte_young(pte_mkold(pte)));
	assert_false(pte_write(pte_wrprotect(pte)));
	assert_true(pte_write(pte_mkwrite(pte_wrprotect(pte))));
	assert_true(pte_special(pte_mkspecial(pte)));
	assert_true(pte_devmap(pte_mkdevmap(pte)) && pte_special(pte_mkdevmap(pte)));
	assert_true(pte_exec(pfn_pte(1, PAGE_COPY_EXEC)));
	assert_true(pte_same(pte, pfn_pte(0x12345, PAGE_SHARED)));
	assert_true(pte_none(__pte(0)));
}

static void test_pte_modify_keeps_pfn_and_dirty(void **state)
{
	pte_t pte = pte_mkspecial(pte_mkdirty(pfn_pte(0x777, PAGE_SHARED)));
	pte_t ro = pte_modify(pte, PAGE_READONLY);
	pte_t none = pte_modify(pte, PAGE_NONE);

	(void)state;
	assert_int_equal(pte_pfn(ro), 0x777);
	assert_true(pte_dirty(ro));
	assert_true(pte_special(ro));
	assert_false(pte_write(ro));
	assert_true(pte_present(ro) && !pte_protnone(ro));
	/* PROT_NONE still maps the page: present for the mm, protnone for the CPU. */
	assert_true(pte_present(none));
	assert_true(pte_protnone(none));
	assert_int_equal(pte_pfn(none), 0x777);
}

static void test_swap_entry_round_trip(void **state)
{
	swp_entry_t entry = swp_entry(3, 0xabcdef);
	pte_t pte = swp_entry_to_pte(entry);
	swp_entry_t back = pte_to_swp_entry(pte);

	(void)state;
	assert_int_equal(swp_type(back), 3);
	assert_int_equal(swp_offset(back), 0xabcdef);
	assert_false(pte_none(pte));
	assert_false(pte_present(pte));
	assert_false(pte_protnone(pte));
	assert_true(is_swap_pte(pte));
	assert_false(is_migration_entry(back));
}

static void test_migration_entry_round_trip(void **state)
{
	struct page *page = alloc_page(GFP_KERNEL);

	(void)state;
	for (int write = 0; write <= 1; write++) {
		pte_t pte = swp_entry_to_pte(make_migration_entry(page, write));
		swp_entry_t entry = pte_to_swp_entry(pte);

		assert_true(is_swap_pte(pte));
		assert_false(pte_present(pte));
		assert_false(pte_protnone(pte));
		assert_true(is_migration_entry(entry));
		assert_int_equal(is_write_migration_entry(entry), write);
		assert_ptr_equal(migration_entry_to_page(entry), page);
	}
	__free_pages(page, 0);
}

static void test_indices(void **state)
{
	unsigned long addr = (5UL << PGDIR_SHIFT) | (6UL << PUD_SHIFT) | (7UL << PMD_SHIFT) |
			     (8UL << PAGE_SHIFT) | 0x123;

	(void)state;
	assert_int_equal(pgd_index(addr), 5);
	assert_int_equal(pud_index(addr), 6);
	assert_int_equal(pmd_index(addr), 7);
	assert_int_equal(pte_index(addr), 8);
}

static void test_addr_end(void **state)
{
	(void)state;
	assert_int_equal(pmd_addr_end(0, 1UL << 32), PMD_SIZE);
	assert_int_equal(pmd_addr_end(PMD_SIZE - PAGE_SIZE, 1UL << 32), PMD_SIZE);
	assert_int_equal(pmd_addr_end(0x1000, 0x3000), 0x3000);
	assert_int_equal(pud_addr_end(PUD_SIZE + 5, 1UL << 40), 2 * PUD_SIZE);
	assert_int_equal(pgd_addr_end(0, TASK_SIZE), PGDIR_SIZE);
	assert_int_equal(pgd_addr_end(TASK_SIZE - PAGE_SIZE, TASK_SIZE), TASK_SIZE);
	/* The boundary wraps to 0 at the top of the address space; end 0 means "the top". */
	assert_int_equal(pmd_addr_end(-PMD_SIZE, 0), 0);
	assert_int_equal(pmd_addr_end(-2 * PMD_SIZE, 0), -PMD_SIZE);
}

static void test_fault_allocates_tables_munmap_frees_them(void **state)
{
	struct task_struct *t = start_task("pgtable");
	unsigned long base, addr;

	(void)state;
	base = global_node_page_state(NR_PAGETABLE);
	assert_int_equal(atomic_long_read(&t->mm->pgtables_bytes), PAGE_SIZE); /* the pgd */
	addr = map_bytes(PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
	assert_null(mm_find_pte(t->mm, addr, NULL));
	assert_int_equal(global_node_page_state(NR_PAGETABLE), base);

	assert_int_equal(copy_to_user(addr, "x", 1), 0);
	/* pud, pmd and pte tables for the first touch of this part of the space. */
	assert_int_equal(global_node_page_state(NR_PAGETABLE), base + 3);
	assert_int_equal(atomic_long_read(&t->mm->pgtables_bytes), 4 * PAGE_SIZE);
	assert_non_null(mm_find_pte(t->mm, addr, NULL));

	assert_int_equal(sys_munmap(addr, PAGE_SIZE), 0);
	assert_null(mm_find_pte(t->mm, addr, NULL));
	assert_int_equal(atomic_long_read(&t->mm->pgtables_bytes), PAGE_SIZE);
	/* The frames go back only after an RCU grace period. */
	assert_int_equal(sim_check(NULL), 0);
	pgtable_rcu_barrier();
	assert_int_equal(global_node_page_state(NR_PAGETABLE), base);
	task_exit(t);
}

static void test_tables_shared_by_neighbours_survive_partial_munmap(void **state)
{
	struct task_struct *t = start_task("pgtable");
	unsigned long base, addr;
	char c = 0;

	(void)state;
	base = global_node_page_state(NR_PAGETABLE);
	addr = map_bytes(4 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
	assert_int_equal(copy_to_user(addr, "a", 1), 0);
	assert_int_equal(copy_to_user(addr + 3 * PAGE_SIZE, "b", 1), 0);
	assert_int_equal(sys_munmap(addr + 3 * PAGE_SIZE, PAGE_SIZE), 0);
	assert_int_equal(sim_check(NULL), 0);
	/* The first page still maps through the same pte table. */
	assert_int_equal(copy_from_user(&c, addr, 1), 0);
	assert_int_equal(c, 'a');
	assert_true(global_node_page_state(NR_PAGETABLE) > base);
	assert_int_equal(sys_munmap(addr, 3 * PAGE_SIZE), 0);
	assert_int_equal(sim_check(NULL), 0);
	pgtable_rcu_barrier();
	assert_int_equal(global_node_page_state(NR_PAGETABLE), base);
	task_exit(t);
}

static void test_exit_frees_every_table(void **state)
{
	unsigned long base = global_node_page_state(NR_PAGETABLE);
	struct task_struct *t = start_task("pgtable");
	unsigned long addr;

	(void)state;
	addr = map_bytes(8UL << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
	/* Touch 2 MiB apart so that several pte tables exist. */
	for (unsigned long off = 0; off < (8UL << 20); off += PMD_SIZE)
		assert_int_equal(copy_to_user(addr + off, "z", 1), 0);
	assert_true(global_node_page_state(NR_PAGETABLE) >= base + 1 + 4);
	task_exit(t);
	assert_int_equal(sim_check(NULL), 0);
	pgtable_rcu_barrier();
	assert_int_equal(global_node_page_state(NR_PAGETABLE), base);
}

static void test_pgtable_alloc_failure_is_oom(void **state)
{
	struct task_struct *t = start_task("pgtable");
	unsigned long addr;

	(void)state;
	addr = map_bytes(PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
	assert_int_equal(inject_arm("pgtable_alloc", 1, 1), 0);
	assert_int_equal(copy_to_user(addr, "q", 1), 1);
	inject_disarm_all();
	assert_int_equal(copy_to_user(addr, "q", 1), 0);
	task_exit(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_entry_bit_layout),
		cmocka_unit_test(test_pte_helpers),
		cmocka_unit_test(test_pte_modify_keeps_pfn_and_dirty),
		cmocka_unit_test(test_swap_entry_round_trip),
		GUP_TEST(test_migration_entry_round_trip),
		cmocka_unit_test(test_indices),
		cmocka_unit_test(test_addr_end),
		GUP_TEST(test_fault_allocates_tables_munmap_frees_them),
		GUP_TEST(test_tables_shared_by_neighbours_survive_partial_munmap),
		GUP_TEST(test_exit_frees_every_table),
		GUP_TEST(test_pgtable_alloc_failure_is_oom),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
