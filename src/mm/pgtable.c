// SPDX-License-Identifier: GPL-2.0-only
/*
 * Page-table pages: allocation at each level (in simulated frames), the split
 * PTE-table locks, and freeing through RCU so that a lockless walker that read
 * an entry pointing at a table can still read that table.
 */
#include "mm/internal.h"
#include "lib/rcu.h"

_Static_assert(sizeof(struct rcu_head) == sizeof(struct page_rcu_head),
	       "struct page must hold a liburcu rcu_head");

static struct page *pgtable_page_alloc(struct mm_struct *mm)
{
	struct page *page;

	if (sim_point(SP_PGTABLE_ALLOC, mm))
		return NULL;
	page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!page)
		return NULL;
	SetPageTable(page);
	page->pt_mm = mm;
	spin_lock_init(&page->ptl);
	count_vm_stat(NR_PAGETABLE, 1);
	atomic_long_add(PAGE_SIZE, &mm->pgtables_bytes);
	return page;
}

static void pgtable_page_release(struct page *page)
{
	pthread_spin_destroy(&page->ptl);
	page->pt_mm = NULL;
	ClearPageTable(page);
	count_vm_stat(NR_PAGETABLE, -1);
	__free_pages(page, 0);
}

/*
 * Unlinked tables wait for a grace period in two FIFO lists (through page->lru,
 * free in a table page): in_grace went with the one call_rcu() in flight, waiting
 * came after it and goes with the next. One head for all keeps liburcu's
 * worker, which sleeps some 10 ms before each batch, off the barrier's path:
 * pgtable_rcu_barrier() waits one grace period itself and frees both lists.
 */
static struct list_head tables_in_grace = LIST_HEAD_INIT(tables_in_grace);
static struct list_head tables_waiting = LIST_HEAD_INIT(tables_waiting);
static bool grace_in_flight;
static struct rcu_head grace_head;

/* Held while tables are queued or freed. */
static pthread_mutex_t pgtable_free_lock = PTHREAD_MUTEX_INITIALIZER;

/* Move every table of @from to the tail of @to, keeping their order. */
static void move_tables(struct list_head *from, struct list_head *to)
{
	while (!list_empty(from)) {
		struct list_head *entry = from->next;

		list_del(entry);
		list_add_tail(entry, to);
	}
}

/*
 * Free every table on @list, oldest first (the order frees reach the buddy lists).
 * Each free is the section of the pgtable_free sim point: sim_check() holds the
 * point to keep frees off while it counts tables.
 */
static void release_tables(struct list_head *list)
{
	while (!list_empty(list)) {
		struct page *page = list_first_entry(list, struct page, lru);

		list_del(&page->lru);
		sim_point_section_begin(SP_PGTABLE_FREE, page);
		pgtable_page_release(page);
		sim_point_section_end(SP_PGTABLE_FREE);
	}
}

static void tables_grace_ended(struct rcu_head *head);

/* Send what waits into a grace period of its own; pgtable_free_lock held. */
static void start_grace_period(void)
{
	move_tables(&tables_waiting, &tables_in_grace);
	grace_in_flight = true;
	sim_call_rcu(&grace_head, tables_grace_ended);
}

static void tables_grace_ended(struct rcu_head *head)
{
	sim_rcu_callback_begin(head);
	pthread_mutex_lock(&pgtable_free_lock);
	release_tables(&tables_in_grace);
	grace_in_flight = false;
	if (!list_empty(&tables_waiting))
		start_grace_period();
	pthread_mutex_unlock(&pgtable_free_lock);
}

/* Free a table once no lockless walker can still be reading it. */
static void pgtable_page_free(struct mm_struct *mm, struct page *page)
{
	atomic_long_add(-(long)PAGE_SIZE, &mm->pgtables_bytes);
	page->pt_mm = NULL; /* unlinked: no mm owns it while it waits for its grace period */
	pthread_mutex_lock(&pgtable_free_lock);
	list_add_tail(&page->lru, &tables_waiting);
	if (!grace_in_flight)
		start_grace_period();
	pthread_mutex_unlock(&pgtable_free_lock);
}

/*
 * Free every table unlinked so far: one grace period (liburcu's synchronize,
 * no worker round trip), then the frees in the order the tables were queued.
 * A callback still in flight finds its list empty afterwards.
 */
void pgtable_rcu_barrier(void)
{
	struct list_head due;

	INIT_LIST_HEAD(&due);
	pthread_mutex_lock(&pgtable_free_lock);
	move_tables(&tables_in_grace, &due);
	move_tables(&tables_waiting, &due);
	pthread_mutex_unlock(&pgtable_free_lock);
	if (list_empty(&due))
		return;
	sim_synchronize_rcu();
	pthread_mutex_lock(&pgtable_free_lock);
	release_tables(&due);
	pthread_mutex_unlock(&pgtable_free_lock);
}

static unsigned long table_entry(struct page *table)
{
	return (page_to_pfn(table) << PAGE_SHIFT) | _PAGE_TABLE;
}

struct page *pte_alloc_one(struct mm_struct *mm)
{
	return pgtable_page_alloc(mm);
}

void pte_free(struct mm_struct *mm, struct page *table)
{
	pgtable_page_free(mm, table);
}

void pmd_populate(pmd_t *pmd, struct page *table)
{
	set_pmd(pmd, __pmd(table_entry(table)));
}

pgd_t *pgd_alloc(struct mm_struct *mm)
{
	struct page *page = pgtable_page_alloc(mm);

	return page ? page_address(page) : NULL;
}

void pgd_free(struct mm_struct *mm, pgd_t *pgd)
{
	pgtable_page_free(mm, virt_to_page(pgd));
}

/*
 * Install a fresh lower table under @entry unless another thread beat us to it.
 * Returns false only when the allocation failed.
 */
static bool populate_entry(struct mm_struct *mm, unsigned long *entry)
{
	struct page *table = pgtable_page_alloc(mm);

	if (!table)
		return false;
	spin_lock(&mm->page_table_lock);
	if (!READ_ONCE(*entry)) {
		__atomic_store_n(entry, table_entry(table), __ATOMIC_RELEASE);
		table = NULL;
	}
	spin_unlock(&mm->page_table_lock);
	if (table) {
		/* Never visible to anyone: free at once. */
		atomic_long_add(-(long)PAGE_SIZE, &mm->pgtables_bytes);
		pgtable_page_release(table);
	}
	return true;
}

pud_t *pud_alloc(struct mm_struct *mm, p4d_t *p4d, unsigned long addr)
{
	if (p4d_none(p4dp_get(p4d)) && !populate_entry(mm, &p4d->p4d))
		return NULL;
	return pud_offset(p4d, addr);
}

pmd_t *pmd_alloc(struct mm_struct *mm, pud_t *pud, unsigned long addr)
{
	if (pud_none(pudp_get(pud)) && !populate_entry(mm, &pud->pud))
		return NULL;
	return pmd_offset(pud, addr);
}

int __pte_alloc(struct mm_struct *mm, pmd_t *pmd)
{
	return populate_entry(mm, &pmd->pmd) ? 0 : -ENOMEM;
}

pmd_t *mm_alloc_pmd(struct mm_struct *mm, unsigned long addr)
{
	pgd_t *pgd = pgd_offset(mm, addr);
	p4d_t *p4d = p4d_offset(pgd, addr);
	pud_t *pud = pud_alloc(mm, p4d, addr);

	return pud ? pmd_alloc(mm, pud, addr) : NULL;
}

pte_t *mm_find_pte(struct mm_struct *mm, unsigned long addr, pmd_t **pmdp)
{
	pgd_t *pgd = pgd_offset(mm, addr);
	p4d_t *p4d = p4d_offset(pgd, addr);
	pud_t *pud;
	pmd_t *pmd;

	if (p4d_none(p4dp_get(p4d)))
		return NULL;
	pud = pud_offset(p4d, addr);
	if (pud_none(pudp_get(pud)) || pud_huge(pudp_get(pud)))
		return NULL;
	pmd = pmd_offset(pud, addr);
	if (pmd_none(pmdp_get(pmd)) || pmd_huge(pmdp_get(pmd)))
		return NULL;
	if (pmdp)
		*pmdp = pmd;
	return pte_offset_map(pmd, addr);
}

spinlock_t *pte_lockptr(struct mm_struct *mm, pmd_t *pmd)
{
	(void)mm;
	return &pmd_page(pmdp_get(pmd))->ptl;
}

pte_t *pte_offset_map_lock(struct mm_struct *mm, pmd_t *pmd, unsigned long addr, spinlock_t **ptlp)
{
	spinlock_t *ptl = pte_lockptr(mm, pmd);

	spin_lock(ptl);
	*ptlp = ptl;
	return pte_offset_map(pmd, addr);
}

void pte_unmap_unlock(pte_t *pte, spinlock_t *ptl)
{
	(void)pte;
	spin_unlock(ptl);
}

static bool table_is_empty(const unsigned long *table)
{
	for (int i = 0; i < 512; i++)
		if (READ_ONCE(table[i]))
			return false;
	return true;
}

/* Detach and free the table under @entry if it maps nothing; true if freed. */
static bool free_table_if_empty(struct mm_struct *mm, unsigned long *entry)
{
	unsigned long val = READ_ONCE(*entry);
	struct page *table;

	if (!val || (val & _PAGE_PSE))
		return false;
	table = pfn_to_page((val & PTE_PFN_MASK) >> PAGE_SHIFT);
	if (!table_is_empty(page_address(table)))
		return false;
	spin_lock(&mm->page_table_lock);
	__atomic_store_n(entry, 0UL, __ATOMIC_RELEASE);
	spin_unlock(&mm->page_table_lock);
	pgtable_page_free(mm, table);
	return true;
}

static void free_pmd_range(struct mm_struct *mm, pud_t *pud, unsigned long addr, unsigned long end)
{
	pmd_t *pmd;
	unsigned long next;

	if (pud_none(pudp_get(pud)) || pud_huge(pudp_get(pud)))
		return;
	pmd = pmd_offset(pud, addr);
	do {
		next = pmd_addr_end(addr, end);
		free_table_if_empty(mm, &pmd->pmd);
	} while (pmd++, addr = next, addr != end);
	free_table_if_empty(mm, &pud->pud);
}

static void free_pud_range(struct mm_struct *mm, p4d_t *p4d, unsigned long addr, unsigned long end)
{
	pud_t *pud;
	unsigned long next;

	if (p4d_none(p4dp_get(p4d)))
		return;
	pud = pud_offset(p4d, addr);
	do {
		next = pud_addr_end(addr, end);
		free_pmd_range(mm, pud, addr, next);
	} while (pud++, addr = next, addr != end);
	free_table_if_empty(mm, &p4d->p4d);
}

void free_pgtables_range(struct mm_struct *mm, unsigned long start, unsigned long end)
{
	unsigned long addr = start, next;
	pgd_t *pgd;

	if (start >= end)
		return;
	pgd = pgd_offset(mm, addr);
	do {
		next = pgd_addr_end(addr, end);
		free_pud_range(mm, p4d_offset(pgd, addr), addr, next);
	} while (pgd++, addr = next, addr != end);
}

void free_all_pgtables(struct mm_struct *mm)
{
	free_pgtables_range(mm, 0, TASK_SIZE);
}
