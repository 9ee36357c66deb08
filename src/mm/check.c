// SPDX-License-Identifier: GPL-2.0-only
/*
 * The invariant checker behind sim_check() and sim_shutdown(): every frame is
 * free, reserved, a page table or in use, and its refcount and mapcount equal
 * what holds and maps it; VMAs, page tables and buddy lists are consistent; LRU
 * lists, LRU-add batches, swap counts and the swap cache agree with the pages.
 */
#include <stdarg.h>
#include <sys/mman.h>
#include "mm/internal.h"
#include "mm/page_isolation.h"
#include <gup/pagemap.h>

struct check_ctx {
	FILE *out;
	int errors;
	unsigned int *maps;	/* PTEs mapping each pfn */
	unsigned int *refs;	/* references each pfn should have */
	unsigned int *pmd_maps; /* huge pmds mapping each compound head */
	unsigned char *tables;	/* entries (or mm->pgd) reaching each page-table pfn */
	unsigned char *free;	/* pfns inside a block on a buddy free list */
	unsigned long lo, hi;	/* frames checked: the reserved ones and [lo, hi) */
	long mm_tables;		/* tables reached in the mm being walked */
	long mm_huge_pmds;	/* huge pmds in the mm being walked, each with a deposited table */
	long mm_rss_anon, mm_rss_shmem, mm_rss_file;
	long file_dirty;			/* dirty pages of host-file page caches */
	long cached_pages;			/* pages of every page cache */
	unsigned char *lru;			/* LRU lists and LRU-add batches holding each pfn */
	unsigned long lru_listed[NR_LRU_LISTS]; /* pages found on each LRU list */
	unsigned long lru_recorded[NR_LRU_LISTS]; /* and the lists' own counts */
};

#define CHECK_LIMIT 20

/* GUP records its references per page (dbg_gup_refs/pins) in debug builds only. */
#ifdef CONFIG_DEBUG_VM
#define GUP_REFS_TRACKED true
#else
#define GUP_REFS_TRACKED false
#endif

static void __attribute__((format(printf, 2, 3)))
violation(struct check_ctx *c, const char *fmt, ...)
{
	va_list ap;

	if (c->out && c->errors < CHECK_LIMIT) {
		fputs("sim_check: ", c->out);
		va_start(ap, fmt);
		vfprintf(c->out, fmt, ap);
		va_end(ap);
		fputc('\n', c->out);
	}
	c->errors++;
}

bool vma_is_valid(struct vm_area_struct *vma, FILE *out)
{
	const char *why = NULL;

	if (vma->vm_start >= vma->vm_end)
		why = "empty or inverted range";
	else if (!IS_ALIGNED(vma->vm_start, PAGE_SIZE) || !IS_ALIGNED(vma->vm_end, PAGE_SIZE))
		why = "unaligned bounds";
	else if (vma->vm_end > TASK_SIZE)
		why = "beyond TASK_SIZE";
	else if ((vma->vm_flags & (VM_SHARED | VM_PFNMAP)) == VM_SHARED && !vma->vm_file)
		why = "shared without a backing object";
	if (why && out)
		fprintf(out, "sim_check: vma [%#lx-%#lx): %s\n", vma->vm_start, vma->vm_end, why);
	return !why;
}

bool mm_is_valid(struct mm_struct *mm, FILE *out)
{
	struct vm_area_struct *vma, *prev = NULL;
	int count = 0;
	bool ok = true;

	for (vma = mm->mmap; vma; prev = vma, vma = vma->vm_next) {
		count++;
		ok &= vma_is_valid(vma, out);
		if (vma->vm_prev != prev || (prev && prev->vm_end > vma->vm_start)) {
			if (out)
				fprintf(out, "sim_check: mm %u: vma list broken at %#lx\n", mm->id,
					vma->vm_start);
			ok = false;
		}
		if (find_vma(mm, vma->vm_start) != vma) {
			if (out)
				fprintf(out, "sim_check: mm %u: tree misses vma %#lx\n", mm->id,
					vma->vm_start);
			ok = false;
		}
	}
	if (count != mm->map_count) {
		if (out)
			fprintf(out, "sim_check: mm %u: map_count %d but %d vmas\n", mm->id,
				mm->map_count, count);
		ok = false;
	}
	return ok;
}

/*
 * A compound head: an order from 1 up to a 1 GiB page's (the buddy allocator's
 * orders, and a gigantic page a pool makes), compound_nr saying the same, aligned to
 * its size, and every tail pointing back at it. NULL when all holds.
 */
static const char *compound_head_flaw(struct page *head)
{
	unsigned int order = head[1].compound_order;
	unsigned long nr = 1UL << order;

	if (order < 1 || order > PUD_SHIFT - PAGE_SHIFT)
		return "compound head with an order no allocation gives";
	if (head[1].compound_nr != nr)
		return "compound head whose compound_nr disagrees with its order";
	if (!IS_ALIGNED(page_to_pfn(head), nr) || !pfn_valid(page_to_pfn(head) + nr - 1))
		return "compound head not aligned to its order";
	for (unsigned long i = 1; i < nr; i++)
		if (compound_head(head + i) != head)
			return "compound head with a tail that does not point back at it";
	return NULL;
}

/* A tail lies inside the compound page of a real head, and holds no reference of its own. */
static const char *compound_tail_flaw(struct page *tail)
{
	struct page *head = compound_head(tail);
	unsigned long pfn = page_to_pfn(head);

	if (!pfn_valid(pfn) || pfn >= page_to_pfn(tail) || !PageHead(head))
		return "compound tail of a page that is not a compound head";
	if (page_to_pfn(tail) - pfn >= head[1].compound_nr)
		return "compound tail beyond its head's compound_nr";
	if (page_ref_count(tail))
		return "compound tail with a refcount of its own (tails hold 0)";
	return NULL;
}

bool page_is_valid(struct page *page, FILE *out)
{
	const char *why = NULL;

	if (PageBuddy(page) && page_ref_count(page))
		why = "free but referenced";
	else if (PageTable(page) && page_ref_count(page) != 1)
		why = "page table with refcount != 1";
	else if (page_ref_count(page) < 0)
		why = "negative refcount";
	else if (atomic_read(&page->_mapcount) < -1)
		why = "mapcount below -1";
	else if (PageTail(page) && PageHead(page))
		why = "both head and tail";
	else if (PageHead(page))
		why = compound_head_flaw(page);
	else if (PageTail(page))
		why = compound_tail_flaw(page);
	if (why && out)
		fprintf(out, "sim_check: pfn %#lx: %s\n", page_to_pfn(page), why);
	return !why;
}

/* Does any VMA of @mm intersect [base, base + span)? */
static bool span_has_vma(struct mm_struct *mm, unsigned long base, unsigned long span)
{
	struct vm_area_struct *vma = find_vma(mm, base);

	return vma && vma->vm_start < base + span;
}

/* An empty table is only allowed where a VMA may still fault into it. */
static void check_empty_table(struct check_ctx *c, struct mm_struct *mm, const char *level,
			      unsigned long base, unsigned long span)
{
	if (!span_has_vma(mm, base, span))
		violation(c, "mm %u: empty %s table for %#lx left outside any vma", mm->id, level,
			  base);
}

static void scratch_mark_stray(void);

/*
 * A tally for @pfn outside the checked frames (only something corrupt points
 * there): the next check zeroes all tallies first.
 */
static void tally_at(struct check_ctx *c, unsigned long pfn)
{
	if (pfn >= RESERVED_LOW_PFNS && (pfn < c->lo || pfn >= c->hi))
		scratch_mark_stray();
}

/* The counter the page's PTE counts in: the same rule as mm_rss_counter(). */
static void tally_rss(struct check_ctx *c, struct page *page)
{
	if (PageAnon(page))
		c->mm_rss_anon++;
	else if (PageSwapBacked(page))
		c->mm_rss_shmem++;
	else
		c->mm_rss_file++;
}

/*
 * A migration entry stands for a page a migration has locked and unmapped: it
 * exists only while one runs, names a locked page, and keeps its rss count.
 */
static void tally_migration_entry(struct check_ctx *c, struct mm_struct *mm, pte_t pte,
				  unsigned long addr)
{
	struct page *page = migration_entry_to_page(pte_to_swp_entry(pte));

	if (!pfn_valid(page_to_pfn(page))) {
		violation(c, "mm %u: migration entry at %#lx names invalid pfn %#lx", mm->id, addr,
			  page_to_pfn(page));
		return;
	}
	if (!atomic_read(&migrations_in_flight))
		violation(c, "mm %u: migration entry at %#lx left after migration finished", mm->id,
			  addr);
	else if (!PageLocked(compound_head(page))) /* a THP's: the head is locked */
		violation(c, "mm %u: migration entry at %#lx names unlocked pfn %#lx", mm->id, addr,
			  page_to_pfn(page));
	tally_rss(c, page);
}

/*
 * A pmd migration entry stands for a whole THP a migration unmapped: it names a
 * locked order-9 anonymous head, lies inside one VMA, exists only while a
 * migration runs, keeps its 512 pages of rss and its deposited table, and holds
 * neither a reference nor a compound mapcount (the head's count is the isolation's).
 */
static void tally_pmd_migration_entry(struct check_ctx *c, struct mm_struct *mm, pmd_t pmd,
				      unsigned long addr)
{
	struct vm_area_struct *vma = find_vma(mm, addr);
	struct page *head = migration_entry_to_page(pmd_to_swp_entry(pmd));
	unsigned long pfn = page_to_pfn(head);

	c->mm_huge_pmds++;
	c->mm_rss_anon += HPAGE_PMD_NR;
	if (!vma || vma->vm_start > addr || vma->vm_end < addr + HPAGE_PMD_SIZE)
		violation(c, "mm %u: pmd migration entry at %#lx not inside one vma", mm->id, addr);
	if (!pfn_valid(pfn) || !IS_ALIGNED(pfn, HPAGE_PMD_NR)) {
		violation(c, "mm %u: pmd migration entry at %#lx names bad pfn %#lx", mm->id, addr,
			  pfn);
		return;
	}
	tally_at(c, pfn);
	if (!PageHead(head) || compound_order(head) != HPAGE_PMD_ORDER || !PageAnon(head))
		violation(c, "mm %u: pmd migration entry at %#lx names pfn %#lx, not a THP head",
			  mm->id, addr, pfn);
	else if (!atomic_read(&migrations_in_flight))
		violation(c, "mm %u: pmd migration entry at %#lx left after migration finished",
			  mm->id, addr);
	else if (!PageLocked(head))
		violation(c, "mm %u: pmd migration entry at %#lx names unlocked pfn %#lx", mm->id,
			  addr, pfn);
}

static void tally_pte(struct check_ctx *c, struct mm_struct *mm, pte_t pte, unsigned long addr)
{
	struct vm_area_struct *vma = find_vma(mm, addr);
	struct page *page;

	if (!vma || vma->vm_start > addr) {
		violation(c, "mm %u: pte %#lx at %#lx outside any vma", mm->id, pte_val(pte), addr);
		return;
	}
	if (is_swap_pte(pte) && is_migration_entry(pte_to_swp_entry(pte))) {
		tally_migration_entry(c, mm, pte, addr);
		return;
	}
	if (is_swap_pte(pte) && swap_enabled() && !swap_check_tally(pte_to_swp_entry(pte)))
		violation(c, "mm %u: swap entry %#lx at %#lx names no swap slot", mm->id,
			  pte_val(pte), addr);
	if (!pte_present(pte) || pte_special(pte))
		return;
	if (!pfn_valid(pte_pfn(pte))) {
		violation(c, "mm %u: pte at %#lx maps invalid pfn %#lx", mm->id, addr,
			  pte_pfn(pte));
		return;
	}
	page = compound_head(pte_page(pte));
	tally_at(c, pte_pfn(pte));
	tally_at(c, page_to_pfn(page));
	c->maps[pte_pfn(pte)]++;
	c->refs[page_to_pfn(page)]++;
	tally_rss(c, page);
}

/*
 * Count one more entry reaching the table frame @entry points at. Returns the
 * table's contents, or NULL if the entry does not point at one of @mm's tables.
 */
static unsigned long *reach_table(struct check_ctx *c, struct mm_struct *mm, unsigned long entry)
{
	unsigned long pfn = (entry & PTE_PFN_MASK) >> PAGE_SHIFT;
	struct page *page;

	if (!pfn_valid(pfn)) {
		violation(c, "mm %u: entry %#lx points at invalid pfn %#lx", mm->id, entry, pfn);
		return NULL;
	}
	page = pfn_to_page(pfn);
	if (!PageTable(page) || page->pt_mm != mm) {
		violation(c, "mm %u: entry %#lx points at pfn %#lx, not one of its tables", mm->id,
			  entry, pfn);
		return NULL;
	}
	tally_at(c, pfn);
	if (c->tables[pfn]++)
		violation(c, "mm %u: page table pfn %#lx reached by more than one entry", mm->id,
			  pfn);
	c->mm_tables++;
	return page_address(page);
}

/* Does @entry point at one of @mm's table frames? Returns its contents or NULL. */
static unsigned long *owned_table(struct mm_struct *mm, unsigned long entry, FILE *out)
{
	unsigned long pfn = (entry & PTE_PFN_MASK) >> PAGE_SHIFT;

	if (pfn_valid(pfn) && PageTable(pfn_to_page(pfn)) && pfn_to_page(pfn)->pt_mm == mm)
		return page_address(pfn_to_page(pfn));
	if (out)
		fprintf(out, "sim_check: mm %u: entry %#lx is not one of its tables\n", mm->id,
			entry);
	return NULL;
}

/*
 * A table entry the walker may descend through: it points at one of @mm's
 * tables (@table, NULL if not) and carries a table's flags. Else @why says so.
 */
static bool entry_descends(unsigned long *table, bool bad, const char **why)
{
	*why = !table ? NULL : bad ? "has the flags of no table pointer" : NULL;
	return table && !bad;
}

/*
 * What the checker's walk carries: the tallies, and the pte, pmd and pud table
 * it is inside of (pending), with whether any of that table's entries is set.
 */
struct check_walk {
	struct check_ctx *c;
	bool pending[3], any[3];
	unsigned long base[3];
};

enum { PTE_TABLE, PMD_TABLE, PUD_TABLE };

static const struct {
	const char *name;
	unsigned long span;
} table_level[] = {
	[PTE_TABLE] = {"pte", PMD_SIZE},
	[PMD_TABLE] = {"pmd", PUD_SIZE},
	[PUD_TABLE] = {"pud", PGDIR_SIZE},
};

static void open_table(struct check_walk *w, int level, unsigned long base)
{
	w->pending[level] = true;
	w->any[level] = false;
	w->base[level] = base;
}

/*
 * The next entry at the level that led into a table or above, or the walk's end:
 * the walker has left the table, and an empty one must lie where a VMA may still
 * fault into it. Closing the innermost first keeps the reports in walk order.
 */
static void close_tables(struct check_walk *w, struct mm_struct *mm, int levels)
{
	for (int level = 0; level < levels; level++) {
		if (w->pending[level] && !w->any[level])
			check_empty_table(w->c, mm, table_level[level].name, w->base[level],
					  table_level[level].span);
		w->pending[level] = false;
	}
}

/* Reach the table @entry points at. Return: whether to descend (it is @mm's and sane). */
static bool check_entry(struct mm_walk *walk, unsigned long entry, bool bad)
{
	struct check_walk *w = walk->private_data;
	const char *why;

	if (entry_descends(reach_table(w->c, walk->mm, entry), bad, &why))
		return true;
	if (why)
		violation(w->c, "mm %u: entry %#lx %s", walk->mm->id, entry, why);
	walk->action = ACTION_CONTINUE;
	return false;
}

static int check_pgd_entry(pgd_t *pgd, unsigned long addr, unsigned long next, struct mm_walk *walk)
{
	pgd_t v = pgdp_get(pgd);

	(void)next;
	close_tables(walk->private_data, walk->mm, 3);
	if (check_entry(walk, pgd_val(v), pgd_bad(v)))
		open_table(walk->private_data, PUD_TABLE, addr);
	return 0;
}

/* --- hugetlb: the leaves of hugetlb VMAs and the pools --- */

/*
 * A huge pmd or pud inside a hugetlb VMA maps one whole pool page of the VMA's size:
 * one reference and one compound mapcount per entry, no rss, no deposited table.
 * Return: false when @addr is not in a hugetlb VMA (the entry is someone else's).
 */
static bool tally_hugetlb_leaf(struct check_ctx *c, struct mm_struct *mm, unsigned long entry,
			       unsigned long addr, unsigned long size)
{
	struct vm_area_struct *vma = find_vma(mm, addr);
	unsigned long pfn = (entry & PTE_PFN_MASK) >> PAGE_SHIFT;
	struct page *page;

	if (!vma || vma->vm_start > addr || !is_vm_hugetlb_page(vma))
		return false;
	if (vma->vm_end < addr + size || huge_page_size(hstate_vma(vma)) != size)
		violation(c, "mm %u: hugetlb leaf at %#lx does not fit its vma's page size", mm->id,
			  addr);
	if (!pfn_valid(pfn) || !IS_ALIGNED(pfn, size >> PAGE_SHIFT)) {
		violation(c, "mm %u: hugetlb leaf at %#lx maps bad pfn %#lx", mm->id, addr, pfn);
		return true;
	}
	page = pfn_to_page(pfn);
	if (!PageHuge(page) || page != compound_head(page) ||
	    compound_nr(page) != size >> PAGE_SHIFT || page_ref_count(page) <= 0) {
		violation(c, "mm %u: hugetlb leaf at %#lx maps pfn %#lx, not a pool page in use",
			  mm->id, addr, pfn);
		return true;
	}
	tally_at(c, pfn);
	c->pmd_maps[pfn]++;
	c->refs[pfn]++;
	return true;
}

/*
 * A huge migration entry inside a hugetlb VMA: it exists only while a migration
 * runs and names a locked pool (or temporary) head of the VMA's page size; it
 * holds no reference and no mapcount (try_to_unmap() dropped both).
 * Return: false when @addr is not in a hugetlb VMA.
 */
static bool tally_hugetlb_migration_entry(struct check_ctx *c, struct mm_struct *mm,
					  unsigned long entry, unsigned long addr,
					  unsigned long size)
{
	struct vm_area_struct *vma = find_vma(mm, addr);
	struct page *page = migration_entry_to_page(pte_to_swp_entry(__pte(entry)));

	if (!vma || vma->vm_start > addr || !is_vm_hugetlb_page(vma))
		return false;
	if (!pfn_valid(page_to_pfn(page)) || !PageHuge(page) || page != compound_head(page) ||
	    compound_nr(page) != size >> PAGE_SHIFT) {
		violation(c,
			  "mm %u: hugetlb migration entry at %#lx names pfn %#lx, not a "
			  "hugetlb head of its size",
			  mm->id, addr, page_to_pfn(page));
		return true;
	}
	if (!atomic_read(&migrations_in_flight))
		violation(c, "mm %u: hugetlb migration entry at %#lx left after migration finished",
			  mm->id, addr);
	else if (!PageLocked(page))
		violation(c, "mm %u: hugetlb migration entry at %#lx names unlocked pfn %#lx",
			  mm->id, addr, page_to_pfn(page));
	tally_at(c, page_to_pfn(page));
	return true;
}

/*
 * The pools: their own accounting (hugetlb_check_pools()), and their free pages
 * (unreferenced heads outside the buddy allocator) counted as free frames, so the
 * frame walk does not take them for lost ones.
 */
static void check_hugetlb(struct check_ctx *c)
{
	c->errors += hugetlb_check_pools(c->out);
	for (unsigned long pfn = c->lo; pfn < c->hi; pfn++) {
		struct page *page = pfn_to_page(pfn);

		if (PageHead(page) && PageHuge(page) && page_ref_count(page) > 0) {
			/* In use: a migration's isolation or target allocation holds it too. */
			c->refs[pfn] += hugetlb_page_held_refs(page);
			pfn += compound_nr(page) - 1;
			continue;
		}
		if (!PageHead(page) || !hugetlb_page_is_free(page))
			continue;
		if (c->free[pfn])
			violation(c, "pfn %#lx: free hugetlb page inside a buddy block", pfn);
		c->free[pfn] = 1;
		pfn += compound_nr(page) - 1;
	}
}

/*
 * A devmap pmd or pud maps @size bytes of one live pgmap's device memory, aligned,
 * inside one DAX VMA; it holds no reference and no mapcount (5.11's DAX).
 */
static void tally_devmap_leaf(struct check_ctx *c, struct mm_struct *mm, unsigned long entry,
			      unsigned long addr, unsigned long size)
{
	struct vm_area_struct *vma = find_vma(mm, addr);
	unsigned long pfn = (entry & PTE_PFN_MASK) >> PAGE_SHIFT, nr = size >> PAGE_SHIFT;
	struct page *page = pfn_to_page(pfn);

	if (!vma || vma->vm_start > addr || vma->vm_end < addr + size || !vma->vm_ops ||
	    !vma->vm_ops->huge_fault)
		violation(c, "mm %u: devmap entry at %#lx not inside one DAX vma", mm->id, addr);
	if (!pfn_valid(pfn) || !pfn_valid(pfn + nr - 1) || !IS_ALIGNED(pfn, nr) ||
	    !is_zone_device_page(page) || !page_pgmap(page) ||
	    pfn + nr > pgmap_start_pfn(page_pgmap(page)) + pgmap_nr_pages(page_pgmap(page)))
		violation(c, "mm %u: devmap entry at %#lx maps pfn %#lx outside a pgmap", mm->id,
			  addr, pfn);
}

static int check_pud_entry(pud_t *pud, unsigned long addr, unsigned long next, struct mm_walk *walk)
{
	struct check_walk *w = walk->private_data;
	pud_t v = pudp_get(pud);

	(void)next;
	close_tables(walk->private_data, walk->mm, 2);
	w->any[PUD_TABLE] = true;
	if (is_hugetlb_entry_migration(pud_val(v)) &&
	    tally_hugetlb_migration_entry(w->c, walk->mm, pud_val(v), addr, PUD_SIZE)) {
		walk->action = ACTION_CONTINUE;
		return 0;
	}
	/* Before devmap: a swap entry's inverted offset may carry the devmap bit. */
	if (pud_devmap(v)) {
		tally_devmap_leaf(w->c, walk->mm, pud_val(v), addr, PUD_SIZE);
		walk->action = ACTION_CONTINUE;
		return 0;
	}
	if (pud_trans_huge(v)) { /* only hugetlb maps 1 GiB: a leaf */
		if (!tally_hugetlb_leaf(w->c, walk->mm, pud_val(v), addr, PUD_SIZE))
			violation(w->c, "mm %u: huge pud at %#lx outside a hugetlb vma",
				  walk->mm->id, addr);
		walk->action = ACTION_CONTINUE;
		return 0;
	}
	if (check_entry(walk, pud_val(v), pud_bad(v)))
		open_table(w, PMD_TABLE, addr);
	return 0;
}

/*
 * A huge pmd maps a whole order-9 THP (one reference, one compound mapcount, 512
 * pages of rss) or the huge zero page (nothing), inside one VMA.
 */
static void tally_huge_pmd(struct check_ctx *c, struct mm_struct *mm, pmd_t pmd, unsigned long addr)
{
	struct vm_area_struct *vma = find_vma(mm, addr);
	unsigned long pfn = pmd_pfn(pmd);
	struct page *page;

	c->mm_huge_pmds++;
	if (!vma || vma->vm_start > addr || vma->vm_end < addr + HPAGE_PMD_SIZE)
		violation(c, "mm %u: huge pmd at %#lx not inside one vma", mm->id, addr);
	if (!pfn_valid(pfn) || !IS_ALIGNED(pfn, HPAGE_PMD_NR)) {
		violation(c, "mm %u: huge pmd at %#lx maps bad pfn %#lx", mm->id, addr, pfn);
		return;
	}
	page = pfn_to_page(pfn);
	if (is_huge_zero_page(page))
		return;
	if (!PageHead(page) || compound_order(page) != HPAGE_PMD_ORDER) {
		violation(c, "mm %u: huge pmd at %#lx maps pfn %#lx, not a THP head", mm->id, addr,
			  pfn);
		return;
	}
	tally_at(c, pfn);
	c->pmd_maps[pfn]++;
	c->refs[pfn]++;
	c->mm_rss_anon += HPAGE_PMD_NR;
}

static int check_pmd_entry(pmd_t *pmd, unsigned long addr, unsigned long next, struct mm_walk *walk)
{
	struct check_walk *w = walk->private_data;
	pmd_t v = pmdp_get(pmd);

	(void)next;
	close_tables(walk->private_data, walk->mm, 1);
	w->any[PMD_TABLE] = true;
	if (is_hugetlb_entry_migration(pmd_val(v)) &&
	    tally_hugetlb_migration_entry(w->c, walk->mm, pmd_val(v), addr, PMD_SIZE)) {
		walk->action = ACTION_CONTINUE;
		return 0;
	}
	if (is_swap_pmd(v)) { /* a leaf too: its table is deposited, not linked */
		if (is_pmd_migration_entry(v))
			tally_pmd_migration_entry(w->c, walk->mm, v, addr);
		else
			violation(w->c, "mm %u: swap pmd %#lx at %#lx is no migration entry",
				  walk->mm->id, pmd_val(v), addr);
		walk->action = ACTION_CONTINUE;
		return 0;
	}
	if (pmd_devmap(v)) {
		tally_devmap_leaf(w->c, walk->mm, pmd_val(v), addr, PMD_SIZE);
		walk->action = ACTION_CONTINUE;
		return 0;
	}
	if (pmd_trans_huge(v)) { /* a leaf: nothing below it to walk */
		if (!tally_hugetlb_leaf(w->c, walk->mm, pmd_val(v), addr, PMD_SIZE))
			tally_huge_pmd(w->c, walk->mm, v, addr);
		walk->action = ACTION_CONTINUE;
		return 0;
	}
	if (check_entry(walk, pmd_val(v), pmd_bad(v)))
		open_table(w, PTE_TABLE, addr);
	return 0;
}

static int check_pte_entry(pte_t *ptep, unsigned long addr, unsigned long next,
			   struct mm_walk *walk)
{
	struct check_walk *w = walk->private_data;
	pte_t pte = ptep_get(ptep);

	(void)next;
	if (pte_none(pte))
		return 0;
	w->any[PTE_TABLE] = true;
	tally_pte(w->c, walk->mm, pte, addr);
	return 0;
}

/* Empty slots need no callback: the next entry above them closes their table. */
static const struct mm_walk_ops check_walk_ops = {
	.pgd_entry = check_pgd_entry,
	.pud_entry = check_pud_entry,
	.pmd_entry = check_pmd_entry,
	.pte_entry = check_pte_entry,
};

/* The pgd slots above TASK_SIZE, which no walk of the user range visits, stay empty. */
static bool pgd_top_is_empty(struct mm_struct *mm, FILE *out)
{
	bool ok = true;

	for (unsigned long g = pgd_index(TASK_SIZE - 1) + 1; g < PTRS_PER_PGD; g++)
		if (pgd_val(pgdp_get(&mm->pgd[g]))) {
			if (out)
				fprintf(out, "sim_check: mm %u: pgd entry %lu above TASK_SIZE\n",
					mm->id, g);
			ok = false;
		}
	return ok;
}

/* What pgtable_is_valid()'s walk carries. */
struct owned_walk {
	FILE *out;
	bool ok;
};

/* Every entry must point at one of the mm's tables; nothing below a pmd is looked at. */
static void owned_entry(struct mm_walk *walk, unsigned long entry, bool bad)
{
	struct owned_walk *w = walk->private_data;
	const char *why;

	if (entry_descends(owned_table(walk->mm, entry, w->out), bad, &why))
		return;
	if (why && w->out)
		fprintf(w->out, "sim_check: mm %u: entry %#lx %s\n", walk->mm->id, entry, why);
	w->ok = false;
	walk->action = ACTION_CONTINUE;
}

static int owned_pgd_entry(pgd_t *pgd, unsigned long addr, unsigned long next, struct mm_walk *walk)
{
	pgd_t v = pgdp_get(pgd);

	(void)addr, (void)next;
	owned_entry(walk, pgd_val(v), pgd_bad(v));
	return 0;
}

static int owned_pud_entry(pud_t *pud, unsigned long addr, unsigned long next, struct mm_walk *walk)
{
	pud_t v = pudp_get(pud);

	(void)addr, (void)next;
	if (pud_trans_huge(v) || pud_devmap(v))
		walk->action = ACTION_CONTINUE; /* a hugetlb or DAX leaf, not a table pointer */
	else
		owned_entry(walk, pud_val(v), pud_bad(v));
	return 0;
}

static int owned_pmd_entry(pmd_t *pmd, unsigned long addr, unsigned long next, struct mm_walk *walk)
{
	pmd_t v = pmdp_get(pmd);

	(void)addr, (void)next;
	if (pmd_trans_huge(v) || pmd_devmap(v) || is_swap_pmd(v))
		walk->action = ACTION_CONTINUE; /* a leaf, not a table pointer */
	else
		owned_entry(walk, pmd_val(v), pmd_bad(v));
	return 0;
}

/* No pte_entry: the walk stops at the pmd entries. */
static const struct mm_walk_ops owned_walk_ops = {
	.pgd_entry = owned_pgd_entry,
	.pud_entry = owned_pud_entry,
	.pmd_entry = owned_pmd_entry,
};

/* Structure only, no tallies: cheap enough for debug builds to call on the fly. */
bool pgtable_is_valid(struct mm_struct *mm, FILE *out)
{
	struct owned_walk w = {.out = out, .ok = true};

	walk_page_range_novma(mm, 0, TASK_SIZE, &owned_walk_ops, &w);
	return pgd_top_is_empty(mm, out) && w.ok;
}

/* Each huge pmd keeps one PTE table in reserve: they are @mm's tables too. */
static void check_deposited_tables(struct check_ctx *c, struct mm_struct *mm)
{
	long deposited = 0;

	for (struct page *t = mm->pmd_huge_pte; t && deposited <= c->mm_huge_pmds;
	     t = (struct page *)t->lru.next, deposited++) {
		unsigned long pfn = page_to_pfn(t);

		if (!PageTable(t) || t->pt_mm != mm) {
			violation(c, "mm %u: deposited pfn %#lx is not one of its tables", mm->id,
				  pfn);
			return;
		}
		tally_at(c, pfn);
		c->tables[pfn]++;
		c->mm_tables++;
	}
	if (deposited != c->mm_huge_pmds)
		violation(c, "mm %u: %ld huge pmds but %s%ld deposited tables", mm->id,
			  c->mm_huge_pmds, deposited > c->mm_huge_pmds ? "at least " : "",
			  deposited);
}

/* Walk @mm's tables, tallying mappings; its table and rss counters must agree. */
static void check_mm_tables(struct check_ctx *c, struct mm_struct *mm)
{
	struct page *pgd_page = virt_to_page(mm->pgd);
	struct check_walk w = {.c = c};

	c->mm_tables = 1;
	c->mm_huge_pmds = 0;
	c->mm_rss_anon = c->mm_rss_shmem = c->mm_rss_file = 0;
	tally_at(c, page_to_pfn(pgd_page));
	c->tables[page_to_pfn(pgd_page)]++;
	walk_page_range_novma(mm, 0, TASK_SIZE, &check_walk_ops, &w);
	close_tables(&w, mm, 3);
	check_deposited_tables(c, mm);
	if (!pgd_top_is_empty(mm, c->out))
		c->errors++;
	if (c->mm_tables * (long)PAGE_SIZE != atomic_long_read(&mm->pgtables_bytes))
		violation(c, "mm %u: %ld page tables reachable, pgtables_bytes says %ld", mm->id,
			  c->mm_tables, atomic_long_read(&mm->pgtables_bytes) / (long)PAGE_SIZE);
	if (c->mm_rss_anon != atomic_long_read(&mm->rss_anon) ||
	    c->mm_rss_shmem != atomic_long_read(&mm->rss_shmem) ||
	    c->mm_rss_file != atomic_long_read(&mm->rss_file))
		violation(c,
			  "mm %u: ptes map %ld anon + %ld shmem + %ld file pages, rss says %ld + "
			  "%ld + %ld",
			  mm->id, c->mm_rss_anon, c->mm_rss_shmem, c->mm_rss_file,
			  atomic_long_read(&mm->rss_anon), atomic_long_read(&mm->rss_shmem),
			  atomic_long_read(&mm->rss_file));
}

/*
 * A write seal holds the count of writable shared mappings at -1 (it denied them
 * when there were none, and none came since); without the seal it is a count.
 */
static void check_write_seal(struct check_ctx *c, struct address_space *mapping)
{
	int writable = atomic_read(&mapping->i_mmap_writable);

	if (mapping->host->i_seals & F_SEAL_WRITE ? writable != -1 : writable < 0)
		violation(c, "mapping %p: seals %#x with %d writable shared mappings",
			  (void *)mapping, mapping->host->i_seals, writable);
}

/*
 * The page cache of one file: each cached page names this mapping and its own
 * index, holds the cache's reference, and lies inside the file; dirty pages are
 * counted for nr_dirty, and nrpages is the number of pages found. A swap entry
 * (only a shmem object's) names a slot of the device, which counts it, inside
 * the file; swapped is the number of them.
 */
static void check_page_cache(struct check_ctx *c, struct address_space *mapping)
{
	pgoff_t eof = (pgoff_t)DIV_ROUND_UP(mapping->host->i_size, PAGE_SIZE), end;
	unsigned long index, found = 0, swapped = 0;
	struct page *page;

	xa_for_each(&mapping->i_pages, index, page)
	{
		unsigned long pfn;

		if (xa_is_value(page)) {
			swp_entry_t entry = {xa_to_value(page)};

			/* A shmem page swapped out: its entry counts in its slot's swap_map. */
			swapped++;
			if (!shmem_mapping(mapping) || !swap_check_tally(entry))
				violation(c,
					  "mapping %p: index %#lx holds %#lx, no swap entry of %s",
					  (void *)mapping, index, entry.val,
					  shmem_mapping(mapping) ? "the device" : "a shmem object");
			if (index >= eof)
				violation(c,
					  "mapping %p: swap entry at index %#lx, beyond the file's "
					  "end (%lu pages)",
					  (void *)mapping, index, eof);
			continue;
		}
		pfn = page_to_pfn(page);
		found++;
		/* A hugetlb object's pages are no page-cache pages to vmstat. */
		c->cached_pages += !PageHuge(page);
		tally_at(c, pfn);
		c->refs[pfn]++;
		if (page->mapping != mapping || page->index != index)
			violation(
				c,
				"pfn %#lx: cached at index %#lx of mapping %p but says %#lx of %p",
				pfn, index, (void *)mapping, page->index, (void *)page->mapping);
		/* A hugetlb object (a memfd's too) counts its end in its own huge pages. */
		end = PageHuge(page) ? (pgoff_t)(mapping->host->i_size >>
						 (PAGE_SHIFT + compound_order(page)))
				     : eof;
		if (index >= end)
			violation(c,
				  "pfn %#lx: cached at index %#lx, beyond the file's end (%lu "
				  "pages of its size)",
				  pfn, index, end);
		if (PageLocked(page))
			violation(c, "pfn %#lx: page-cache page locked with nothing in flight",
				  pfn);
		if (PageDirty(page) && mapping_accounts_dirty(mapping))
			c->file_dirty++;
	}
	if (found != mapping->nrpages)
		violation(c, "mapping %p: %lu pages cached, nrpages says %lu", (void *)mapping,
			  found, mapping->nrpages);
	if (swapped != mapping->swapped)
		violation(c, "mapping %p: %lu swap entries, swapped says %lu", (void *)mapping,
			  swapped, mapping->swapped);
	check_write_seal(c, mapping);
}

/* Every inode's page cache, and the vmstat counters they add up to. */
static void check_page_caches(struct check_ctx *c)
{
	struct inode *inode;

	c->file_dirty = c->cached_pages = 0;
	pthread_mutex_lock(&sim.inodes_lock);
	list_for_each_entry(inode, &sim.inodes, i_hash) check_page_cache(c, &inode->i_data);
	pthread_mutex_unlock(&sim.inodes_lock);
	if (c->cached_pages != (long)global_node_page_state(NR_FILE_PAGES))
		violation(c, "page caches hold %ld pages, nr_file_pages says %lu", c->cached_pages,
			  global_node_page_state(NR_FILE_PAGES));
	if (c->file_dirty != (long)global_node_page_state(NR_FILE_DIRTY))
		violation(c, "page caches hold %ld dirty pages, nr_dirty says %lu", c->file_dirty,
			  global_node_page_state(NR_FILE_DIRTY));
	if (global_node_page_state(NR_WRITEBACK))
		violation(c, "nr_writeback is %lu with no writeback in flight",
			  global_node_page_state(NR_WRITEBACK));
}

static bool seen_before(void **seen, int *n, void *p)
{
	for (int i = 0; i < *n; i++)
		if (seen[i] == p)
			return true;
	seen[(*n)++] = p;
	return false;
}

static void check_all_mms(struct check_ctx *c)
{
	struct task_struct *t;
	int nmm = 0, cap = 0;
	void **mms;

	pthread_mutex_lock(&sim.tasks_lock);
	/* Sized to what is there: a check after every step must not zero big arrays. */
	list_for_each_entry(t, &sim.tasks, tasks) cap++;
	mms = malloc((cap + 1) * sizeof(void *));
	if (!mms) {
		violation(c, "no host memory to walk the address spaces");
		cap = 0;
	}
	list_for_each_entry(t, &sim.tasks, tasks)
	{
		if (nmm >= cap || seen_before(mms, &nmm, t->mm))
			continue;
		if (!mm_is_valid(t->mm, c->out))
			c->errors++;
		check_mm_tables(c, t->mm);
	}
	pthread_mutex_unlock(&sim.tasks_lock);
	free(mms);
}

/* Record the pfns of a listed free block; no pfn may be in two blocks. */
static void mark_free_block(struct check_ctx *c, struct zone *zone, unsigned long pfn, int order)
{
	unsigned long start = max_t(unsigned long, pfn, c->lo);
	unsigned long end = min_t(unsigned long, pfn + (1UL << order), c->hi);

	for (unsigned long p = start; p < end; p++)
		if (c->free[p]++)
			violation(c, "zone %s: pfn %#lx is in two free blocks", zone->name, p);
}

/*
 * One set of free lists of @zone (@cma: its CMA pageblocks' set): every block a
 * free block of its order, of this set's migratetype. Returns the pages on them.
 */
static unsigned long check_free_area(struct check_ctx *c, struct zone *zone, struct free_area *area,
				     bool cma)
{
	unsigned long free_pages = 0;

	for (int o = 0; o < MAX_ORDER; o++) {
		unsigned long n = 0;
		struct page *page;

		list_for_each_entry(page, &area[o].free_list, lru)
		{
			if (!PageBuddy(page) || page->private_data != (unsigned long)o ||
			    page_zone(page) != zone)
				violation(c,
					  "zone %s: pfn %#lx on order-%d list is not such "
					  "a free block",
					  zone->name, page_to_pfn(page), o);
			else
				mark_free_block(c, zone, page_to_pfn(page), o);
			if (!zone->is_cma && is_migrate_cma_page(page) != cma)
				violation(c, "zone %s: pfn %#lx on the %s lists", zone->name,
					  page_to_pfn(page), cma ? "CMA" : "non-CMA");
			/* A head outside the frame walk: check it here. */
			if ((page_to_pfn(page) < c->lo || page_to_pfn(page) >= c->hi) &&
			    !page_is_valid(page, c->out))
				c->errors++;
			n++;
		}
		if (n != area[o].nr_free)
			violation(c, "zone %s: order %d holds %lu blocks, nr_free says %lu",
				  zone->name, o, n, area[o].nr_free);
		free_pages += n << o;
	}
	return free_pages;
}

static void check_buddy_lists(struct check_ctx *c)
{
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		struct zone *zone = &sim.zones[z];
		unsigned long cma = check_free_area(c, zone, zone->cma_free_area, true);
		unsigned long free_pages = check_free_area(c, zone, zone->free_area, false) + cma;

		if (free_pages != (unsigned long)atomic_long_read(&zone->free_pages))
			violation(c, "zone %s: %lu pages on free lists, counter says %ld",
				  zone->name, free_pages, atomic_long_read(&zone->free_pages));
		if (cma != (unsigned long)atomic_long_read(&zone->free_cma_pages))
			violation(c, "zone %s: %lu pages on CMA free lists, counter says %ld",
				  zone->name, cma, atomic_long_read(&zone->free_cma_pages));
		/* GUP-fast's long-term check trusts it: ZONE_NORMAL's pages below its CMA area. */
		if (zone->below_cma_pages !=
		    (zone->is_cma ? 0 : zone->spanned_pages - zone->cma_pages))
			violation(c, "zone %s: %lu pages below CMA, but %lu spanned, %lu CMA%s",
				  zone->name, zone->below_cma_pages, zone->spanned_pages,
				  zone->cma_pages, zone->is_cma ? ", all CMA" : "");
		if (zone->watermark[WMARK_MIN] > zone->watermark[WMARK_LOW] ||
		    zone->watermark[WMARK_LOW] > zone->watermark[WMARK_HIGH] ||
		    zone->watermark[WMARK_HIGH] > zone->managed_pages)
			violation(c, "zone %s: watermarks min %lu low %lu high %lu out of order",
				  zone->name, zone->watermark[WMARK_MIN],
				  zone->watermark[WMARK_LOW], zone->watermark[WMARK_HIGH]);
	}
}

/*
 * A compound page's subpage mapcount counts the PTEs mapping it; the head's compound
 * mapcount counts the huge pmds mapping the whole page.
 */
static void check_compound_mapcounts(struct check_ctx *c, unsigned long pfn, struct page *page)
{
	unsigned int ptes = (unsigned int)(atomic_read(&page->_mapcount) + 1);

	if (ptes != c->maps[pfn])
		violation(c, "pfn %#lx: subpage mapcount %u but %u ptes map it", pfn, ptes,
			  c->maps[pfn]);
	if (PageHead(page) && !is_huge_zero_page(page) &&
	    (unsigned int)(atomic_read(&page[1].compound_mapcount) + 1) != c->pmd_maps[pfn])
		violation(c, "pfn %#lx: compound mapcount %d but %u huge pmds map it", pfn,
			  atomic_read(&page[1].compound_mapcount) + 1, c->pmd_maps[pfn]);
}

/*
 * The pins the pin-owner records hold on the compound page @head, or -1 when the
 * records are too many to count here (the other checks still see the page).
 */
static int recorded_pins(struct page *head)
{
	struct sim_pin_record recs[8];
	int n = sim_page_pins(head, recs, ARRAY_SIZE(recs)), pins = 0;

	if (n < 0 || n > (int)ARRAY_SIZE(recs))
		return -1;
	for (int i = 0; i < n; i++)
		pins += recs[i].pin ? recs[i].count : 0;
	return pins;
}

/*
 * A compound page of order > 1 counts its pins exactly: the pincount, the debug
 * count and the pin-owner records must all say the same.
 */
static void check_compound_pins(struct check_ctx *c, unsigned long pfn, struct page *head, int pin)
{
	int recorded;

	if (!GUP_REFS_TRACKED || !hpage_pincount_available(head))
		return;
	if (compound_pincount(head) != pin)
		violation(c, "pfn %#lx: compound pincount %d but %d pins recorded", pfn,
			  compound_pincount(head), pin);
	recorded = recorded_pins(head);
	if (recorded >= 0 && recorded != pin)
		violation(c, "pfn %#lx: %d pins counted but the pin-owner records hold %d", pfn,
			  pin, recorded);
}

/*
 * The huge zero page: one order-9 compound page the machine holds one reference
 * on (check_frame() counts it), which no mapping puts in the rmap.
 */
static void check_huge_zero_page(struct check_ctx *c)
{
	struct page *zero = READ_ONCE(sim.huge_zero_page);

	if (!zero)
		return;
	if (!PageHead(zero) || compound_order(zero) != HPAGE_PMD_ORDER) {
		violation(c, "huge zero page pfn %#lx is not an order-%d compound head",
			  page_to_pfn(zero), HPAGE_PMD_ORDER);
		return;
	}
	if (atomic_read(&zero[1].compound_mapcount) != -1)
		violation(c, "huge zero page pfn %#lx: compound mapcount %d (it is in no rmap)",
			  page_to_pfn(zero), atomic_read(&zero[1].compound_mapcount) + 1);
}

/*
 * PageAnonExclusive (6.x profiles) promises that one mapping alone holds the
 * anonymous page: never more than one PTE (for a THP's head, PTE or pmd) maps it.
 */
static void check_anon_exclusive(struct check_ctx *c, unsigned long pfn, struct page *page)
{
	unsigned int maps;

	if (!PageAnonExclusive(page))
		return;
	if (c->free[pfn] || !PageAnon(compound_head(page))) {
		violation(c, "pfn %#lx: exclusive but not an anonymous page in use", pfn);
		return;
	}
	maps = c->maps[pfn] + (PageHead(page) ? c->pmd_maps[pfn] : 0);
	if (maps > 1)
		violation(c, "pfn %#lx: exclusive but %u entries map it", pfn, maps);
}

/* --- LRU lists and LRU-add batches --- */

/*
 * One page an LRU list or a batch holds. A batch holds a reference; a list
 * holds none. A page on a list has PG_lru and sits on the list its flags name.
 */
static void tally_lru_page(struct page *page, int where, void *arg)
{
	struct check_ctx *c = arg;
	unsigned long pfn = page_to_pfn(page);

	if (!pfn_valid(pfn)) {
		violation(c, "LRU %d holds %p, no page of this machine", where, (void *)page);
		return;
	}
	tally_at(c, pfn);
	if (c->lru[pfn] < UCHAR_MAX)
		c->lru[pfn]++;
	if (where == LRU_WALK_BATCH) {
		c->refs[pfn]++;
		if (PageLRU(page))
			violation(c, "pfn %#lx: in an LRU-add batch but PG_lru", pfn);
		return;
	}
	c->lru_listed[where]++;
	if (!PageLRU(page) || PageIsolated(page) || PageCompound(page))
		violation(c, "pfn %#lx: on LRU list %d but %s", pfn, where,
			  !PageLRU(page)       ? "not PG_lru"
			  : PageIsolated(page) ? "isolated"
					       : "compound");
	else if ((int)page_lru(page) != where)
		violation(c, "pfn %#lx: on LRU list %d, its flags name list %d", pfn, where,
			  page_lru(page));
}

/* A swap-cache page: the cache holds a reference, and the page names its slot. */
static void tally_swap_cache_page(struct page *page, swp_entry_t entry, void *arg)
{
	struct check_ctx *c = arg;
	unsigned long pfn = page_to_pfn(page);

	if (!pfn_valid(pfn)) {
		violation(c, "swap cache: slot %lu holds no page of this machine",
			  swp_offset(entry));
		return;
	}
	tally_at(c, pfn);
	c->refs[pfn]++;
	/* A copy whose read failed (or is in flight) must not be mapped: its bytes are not the data. */
	if (!PageUptodate(page) && page_mapped(page))
		violation(c, "pfn %#lx: mapped from the swap cache at slot %lu but not uptodate",
			  pfn, swp_offset(entry));
	if (!PageSwapCache(page) || page->private_data != entry.val || PageCompound(page))
		violation(c, "pfn %#lx: in the swap cache at slot %lu but %s", pfn,
			  swp_offset(entry),
			  !PageSwapCache(page) ? "not PageSwapCache" : "naming another slot");
}

/* Every slot's count is the swap PTEs naming it; SWAP_HAS_CACHE is a swap-cache page. */
static void check_swap(struct check_ctx *c)
{
	if (!swap_enabled())
		return;
	swap_cache_check(tally_swap_cache_page, c);
	c->errors += swap_check_counts(c->out);
}

static void check_lru_lists(struct check_ctx *c)
{
	memset(c->lru_listed, 0, sizeof(c->lru_listed));
	lru_walk(tally_lru_page, c, c->lru_recorded);
	for (int lru = 0; lru < NR_LRU_LISTS; lru++)
		if (c->lru_listed[lru] != c->lru_recorded[lru])
			violation(c, "LRU list %d holds %lu pages, its count says %lu", lru,
				  c->lru_listed[lru], c->lru_recorded[lru]);
}

/*
 * Every small anonymous page in use is on exactly one LRU list, in one batch or
 * isolated (which holds a reference); a free frame is on none.
 */
static void check_lru_membership(struct check_ctx *c, unsigned long pfn, struct page *page)
{
	unsigned int held = c->lru[pfn];
	bool in_use = !PageBuddy(page) && !c->free[pfn] && page_ref_count(page) > 0;

	if (held > 1)
		violation(c, "pfn %#lx: on %u LRU lists and batches at once", pfn, held);
	if (held && !in_use)
		violation(c, "pfn %#lx: on an LRU list or batch after it was freed", pfn);
	if (PageLRU(page) && !held)
		violation(c, "pfn %#lx: PG_lru but on no LRU list", pfn);
	if (PageIsolated(page)) {
		c->refs[pfn]++; /* the isolation's reference */
		if (held)
			violation(c, "pfn %#lx: isolated but on an LRU list or batch", pfn);
		return;
	}
	if (in_use && !held && !PageCompound(page) && !PageReserved(page) && PageAnon(page))
		violation(c, "pfn %#lx: anonymous page on no LRU list, batch or isolation list",
			  pfn);
}

/*
 * The page a migration copies into, seen between its unmap and remap (the
 * migrate_after_unmap window): locked, on no LRU list, not isolated, nothing
 * maps it and it has no mapping yet; the allocation holds it.
 */
static bool is_migration_target(struct check_ctx *c, unsigned long pfn, struct page *page)
{
	/* A hugetlb target's reference is check_hugetlb()'s (hugetlb_page_held_refs()). */
	return atomic_read(&migrations_in_flight) && PageLocked(page) && !PageLRU(page) &&
	       !PageIsolated(page) && !PageHuge(page) && !READ_ONCE(page->mapping) &&
	       !c->maps[pfn] && !c->pmd_maps[pfn] && !c->free[pfn];
}

static void check_frame(struct check_ctx *c, unsigned long pfn, long *pins)
{
	struct page *page = pfn_to_page(pfn);
	long expect_ref;
	int gets, pin;

	if (!page_is_valid(page, c->out)) {
		c->errors++;
		return;
	}
	if (PageTable(page) && page->pt_mm && !c->tables[pfn])
		violation(c, "pfn %#lx: page table reachable from no mm (leaked)", pfn);
	if (c->free[pfn] && (PageTail(page) || (PageTable(page) && page->pt_mm)))
		violation(c, "pfn %#lx: %s inside a free block", pfn,
			  PageTail(page) ? "compound tail" : "page table");
	if (PageCompound(page) && !c->free[pfn])
		check_compound_mapcounts(c, pfn, page);
	check_anon_exclusive(c, pfn, page);
	check_lru_membership(c, pfn, page);
	if (PageBuddy(page) || PageTable(page) || PageTail(page))
		return;
	if (is_migration_target(c, pfn, page))
		c->refs[pfn]++;			       /* the allocation's, until the remap */
	gets = max_t(int, sim_page_gup_refs(page), 0); /* -1: not counted in this build */
	pin = max_t(int, sim_page_gup_pins(page), 0);
	*pins += pin;
	if (pin < 0)
		violation(c, "pfn %#lx: %d pins recorded (more unpins than pins)", pfn, pin);
	check_compound_pins(c, pfn, page, pin);
	if (!PageReserved(page) && page_ref_count(page) == 0) {
		if (!c->free[pfn])
			violation(c, "pfn %#lx: unreferenced but in no free block (lost)", pfn);
		return;
	}
	if (c->free[pfn])
		violation(c, "pfn %#lx: refcount %d inside a free block", pfn,
			  page_ref_count(page));
	if (!PageReserved(page) && !PageCompound(page) &&
	    (unsigned int)page_mapcount(page) != c->maps[pfn])
		violation(c, "pfn %#lx: mapcount %d but %u ptes map it", pfn, page_mapcount(page),
			  c->maps[pfn]);
	if (!GUP_REFS_TRACKED) {
		/* Without the debug counters GUP's references are unknown: a floor only. */
		if (page_ref_count(page) < (long)c->refs[pfn])
			violation(c, "pfn %#lx: refcount %d below its %u mappings/objects", pfn,
				  page_ref_count(page), c->refs[pfn]);
		return;
	}
	expect_ref = (long)c->refs[pfn] +
		     (long)pin * (hpage_pincount_available(page) ? 1 : GUP_PIN_COUNTING_BIAS) +
		     (PageReserved(page) || is_huge_zero_page(page) ? 1 : 0);
	if (PageReserved(page) && page == zero_page())
		return; /* the zero page is referenced by GUP only, not by its PTEs */
	/*
	 * FOLL_GET references come back through plain put_page(), which cannot tell
	 * them from others, so their count is an upper bound on what may still be held.
	 */
	if (page_ref_count(page) < expect_ref || page_ref_count(page) > expect_ref + gets)
		violation(c,
			  "pfn %#lx: refcount %d but %u mappings/objects, %d pins and at most %d "
			  "gets hold it",
			  pfn, page_ref_count(page), c->refs[pfn], pin, gets);
}

/* The machine-wide counters must agree with what the frames say. */
static void check_counters(struct check_ctx *c, unsigned long nr_tables)
{
	long zone_free = 0;

	for (int z = 0; z < MAX_NR_ZONES; z++)
		zone_free += atomic_long_read(&sim.zones[z].free_pages);
	if (zone_free != (long)global_node_page_state(NR_FREE_PAGES))
		violation(c, "zones hold %ld free pages, NR_FREE_PAGES says %lu", zone_free,
			  global_node_page_state(NR_FREE_PAGES));
	if (nr_tables != global_node_page_state(NR_PAGETABLE))
		violation(c, "%lu page-table frames, NR_PAGETABLE says %lu", nr_tables,
			  global_node_page_state(NR_PAGETABLE));
}

/* cma_alloc()'s frames belong to whoever allocated them: one reference each. */
static void count_cma_owner(unsigned long pfn, void *arg)
{
	struct check_ctx *c = arg;

	tally_at(c, pfn);
	c->refs[pfn]++;
}

static void check_all_frames(struct check_ctx *c, long *pins)
{
	unsigned long spans[2][2] = {{0, RESERVED_LOW_PFNS}, {c->lo, c->hi}};
	unsigned long nr_tables = 0;

	check_all_mms(c);
	check_page_caches(c);
	check_buddy_lists(c);
	check_hugetlb(c);
	if (!dev_pagemaps_are_valid(c->out, pins))
		violation(c, "pgmap references do not match their pages'");
	check_huge_zero_page(c);
	cma_for_each_allocated(count_cma_owner, c);
	check_lru_lists(c);
	check_swap(c);
	for (int i = 0; i < 2; i++)
		for (unsigned long pfn = spans[i][0]; pfn < spans[i][1]; pfn++) {
			nr_tables += PageTable(pfn_to_page(pfn));
			check_frame(c, pfn, pins);
		}
	check_counters(c, nr_tables);
}

/*
 * The per-pfn tallies, kept from one check to the next in a host mapping (no
 * allocation per check, none the fuzzer's malloc accounting sees). Each check
 * zeroes the window it uses; the tallies of a PTE or entry pointing outside it
 * (a corrupt one) land in the rest, zeroed before the next check (stray).
 */
static struct {
	pthread_mutex_t lock;
	unsigned char *mem;
	unsigned long capacity;
	bool stray;
} scratch = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void scratch_mark_stray(void)
{
	scratch.stray = true;
}

#define SCRATCH_BYTES_PER_PFN (3 * sizeof(unsigned int) + 3)

static bool scratch_get(struct check_ctx *c)
{
	unsigned long n = sim.nr_pages;

	if (scratch.capacity < n) {
		if (scratch.mem)
			munmap(scratch.mem, scratch.capacity * SCRATCH_BYTES_PER_PFN);
		scratch.capacity = 0;
		scratch.mem = mmap(NULL, n * SCRATCH_BYTES_PER_PFN, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (scratch.mem == MAP_FAILED) {
			scratch.mem = NULL;
			return false;
		}
		scratch.capacity = n;
		scratch.stray = false;
	}
	c->maps = (unsigned int *)scratch.mem;
	c->refs = c->maps + scratch.capacity;
	c->pmd_maps = c->refs + scratch.capacity;
	c->tables = (unsigned char *)(c->pmd_maps + scratch.capacity);
	c->free = c->tables + scratch.capacity;
	c->lru = c->free + scratch.capacity;
	if (scratch.stray) {
		memset(scratch.mem, 0, scratch.capacity * SCRATCH_BYTES_PER_PFN);
		scratch.stray = false;
	}
	return true;
}

/* Zero the tallies of the frames this check looks at, @c->lo..@c->hi and the reserved ones. */
static void scratch_zero_window(struct check_ctx *c)
{
	unsigned long spans[2][2] = {{0, RESERVED_LOW_PFNS}, {c->lo, c->hi}};

	for (int i = 0; i < 2; i++) {
		unsigned long lo = spans[i][0], n = spans[i][1] > lo ? spans[i][1] - lo : 0;

		memset(c->maps + lo, 0, n * sizeof(*c->maps));
		memset(c->refs + lo, 0, n * sizeof(*c->refs));
		memset(c->pmd_maps + lo, 0, n * sizeof(*c->pmd_maps));
		memset(c->tables + lo, 0, n);
		memset(c->free + lo, 0, n);
		memset(c->lru + lo, 0, n);
	}
}

/*
 * With @used_only, walk only the reserved frames and those handed out since boot
 * (sim.frames_used): every frame in use, every table, every frame a PTE may
 * map lies there; the others never left a free block (whose heads the buddy
 * walk checks) and are as boot left them. Without it, every frame.
 */
int __sim_check(FILE *out, bool used_only)
{
	struct check_ctx c = {.out = out, .lo = RESERVED_LOW_PFNS, .hi = sim.nr_pages};
	long pins = 0, outstanding;

	if (!sim.running)
		return 0;
	if (used_only) {
		c.lo = max_t(unsigned long, sim.frames_used.lo, RESERVED_LOW_PFNS);
		c.hi = max_t(unsigned long, min_t(unsigned long, sim.frames_used.hi, sim.nr_pages),
			     RESERVED_LOW_PFNS);
		c.lo = min_t(unsigned long, c.lo, c.hi);
	}
	pthread_mutex_lock(&scratch.lock);
	if (scratch_get(&c)) {
		scratch_zero_window(&c);
		check_all_frames(&c, &pins);
	} else {
		violation(&c, "no host memory for the checker's tallies");
	}
	pthread_mutex_unlock(&scratch.lock);
	outstanding = (long)global_node_page_state(NR_FOLL_PIN_ACQUIRED) -
		      (long)global_node_page_state(NR_FOLL_PIN_RELEASED);
	if (GUP_REFS_TRACKED && pins != outstanding)
		violation(&c, "pins held on pages (%ld) != acquired - released (%ld)", pins,
			  outstanding);
	return c.errors;
}

/* Hold RCU table frees off meanwhile (see sim_check()). */
static int check_paused(FILE *out, bool used_only)
{
	int errors;

	sim_point_hold(SP_PGTABLE_FREE);
	errors = __sim_check(out ? out : stderr, used_only);
	sim_point_release(SP_PGTABLE_FREE);
	if (errors) /* whose references the violations may be about */
		sim_report_pins(out ? out : stderr);
	return errors;
}

int sim_check(FILE *out)
{
	/*
	 * Tables waiting for their grace period are still tables (and still in
	 * NR_PAGETABLE) but belong to no mm; hold their frees (the section of the
	 * pgtable_free point) off meanwhile instead of waiting a grace period, so a
	 * check after every step stays cheap.
	 */
	return check_paused(out, false);
}

int sim_check_used(FILE *out)
{
	return check_paused(out, true);
}
