// SPDX-License-Identifier: GPL-2.0-only
/*
 * The invariant checker behind sim_check() and sim_shutdown(): every frame is
 * free, reserved, a page table or in use, and its refcount and mapcount equal
 * what holds and maps it; VMAs, page tables and buddy lists are consistent.
 */
#include <stdarg.h>
#include "mm/internal.h"

struct check_ctx {
	FILE *out;
	int errors;
	unsigned int *maps; /* PTEs mapping each pfn */
	unsigned int *refs; /* references each pfn should have */
};

#define CHECK_LIMIT 20

static void __attribute__((format(printf, 2, 3))) violation(struct check_ctx *c, const char *fmt,
							    ...)
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
	else if ((vma->vm_flags & VM_SHARED) && !vma->vm_file)
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
	if (why && out)
		fprintf(out, "sim_check: pfn %#lx: %s\n", page_to_pfn(page), why);
	return !why;
}

static void check_pte_table(struct check_ctx *c, struct mm_struct *mm, pte_t *table,
			    unsigned long base)
{
	bool any = false;

	for (int i = 0; i < PTRS_PER_PTE; i++) {
		unsigned long addr = base + ((unsigned long)i << PAGE_SHIFT);
		pte_t pte = ptep_get(&table[i]);
		struct vm_area_struct *vma;

		if (pte_none(pte))
			continue;
		any = true;
		vma = find_vma(mm, addr);
		if (!vma || vma->vm_start > addr) {
			violation(c, "mm %u: pte %#lx at %#lx outside any vma", mm->id,
				  pte_val(pte), addr);
			continue;
		}
		if (!pte_present(pte) || pte_special(pte))
			continue;
		if (!pfn_valid(pte_pfn(pte))) {
			violation(c, "mm %u: pte at %#lx maps invalid pfn %#lx", mm->id, addr,
				  pte_pfn(pte));
			continue;
		}
		c->maps[pte_pfn(pte)]++;
		c->refs[page_to_pfn(compound_head(pte_page(pte)))]++;
	}
	if (!any) {
		struct vm_area_struct *vma = find_vma(mm, base);

		if (!vma || vma->vm_start >= base + PMD_SIZE)
			violation(c, "mm %u: empty page table for %#lx left outside any vma",
				  mm->id, base);
	}
}

static void check_table_page(struct check_ctx *c, struct mm_struct *mm, unsigned long entry)
{
	struct page *page = pfn_to_page((entry & PTE_PFN_MASK) >> PAGE_SHIFT);

	if (!PageTable(page) || page->pt_mm != mm)
		violation(c, "mm %u: entry %#lx points at pfn %#lx, not one of its tables", mm->id,
			  entry, page_to_pfn(page));
}

bool pgtable_is_valid(struct mm_struct *mm, FILE *out)
{
	(void)mm;
	(void)out;
	return true; /* walked in detail by check_mm_tables() with the frame tallies */
}

static void check_mm_tables(struct check_ctx *c, struct mm_struct *mm)
{
	pgd_t *pgd = mm->pgd;

	for (int g = 0; g < PTRS_PER_PGD; g++) {
		unsigned long gv = pgd_val(pgdp_get(&pgd[g]));
		pud_t *pud;

		if (!gv)
			continue;
		check_table_page(c, mm, gv);
		pud = page_address(pfn_to_page((gv & PTE_PFN_MASK) >> PAGE_SHIFT));
		for (int u = 0; u < PTRS_PER_PUD; u++) {
			unsigned long uv = pud_val(pudp_get(&pud[u]));
			pmd_t *pmd;

			if (!uv)
				continue;
			check_table_page(c, mm, uv);
			pmd = page_address(pfn_to_page((uv & PTE_PFN_MASK) >> PAGE_SHIFT));
			for (int m = 0; m < PTRS_PER_PMD; m++) {
				unsigned long mv = pmd_val(pmdp_get(&pmd[m]));
				unsigned long base = ((unsigned long)g << PGDIR_SHIFT) |
						     ((unsigned long)u << PUD_SHIFT) |
						     ((unsigned long)m << PMD_SHIFT);

				if (!mv)
					continue;
				check_table_page(c, mm, mv);
				check_pte_table(c, mm,
						page_address(pfn_to_page((mv & PTE_PFN_MASK) >>
									 PAGE_SHIFT)),
						base);
			}
		}
	}
}

static void tally_mapping(struct check_ctx *c, struct address_space *mapping)
{
	for (unsigned long i = 0; i < mapping->nr_slots; i++)
		if (mapping->i_pages[i])
			c->refs[page_to_pfn(mapping->i_pages[i])]++;
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
	int nmm = 0, nmap = 0, cap = 1024;
	void **mms = calloc(cap, sizeof(void *)), **maps = calloc(cap * 8, sizeof(void *));

	pthread_mutex_lock(&sim.tasks_lock);
	list_for_each_entry(t, &sim.tasks, tasks) {
		struct vm_area_struct *vma;

		if (nmm >= cap || seen_before(mms, &nmm, t->mm))
			continue;
		if (!mm_is_valid(t->mm, c->out))
			c->errors++;
		check_mm_tables(c, t->mm);
		for (vma = t->mm->mmap; vma; vma = vma->vm_next)
			if (vma->vm_file && nmap < cap * 8 && !seen_before(maps, &nmap, vma->vm_file))
				tally_mapping(c, vma->vm_file);
	}
	pthread_mutex_unlock(&sim.tasks_lock);
	free(mms);
	free(maps);
}

static void check_buddy_lists(struct check_ctx *c)
{
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		struct zone *zone = &sim.zones[z];
		unsigned long free_pages = 0;

		for (int o = 0; o < MAX_ORDER; o++) {
			unsigned long n = 0;
			struct page *page;

			list_for_each_entry(page, &zone->free_area[o].free_list, lru) {
				if (!PageBuddy(page) || page->private != (unsigned long)o ||
				    page_zone(page) != zone)
					violation(c, "zone %s: pfn %#lx on order-%d list is not such a free block",
						  zone->name, page_to_pfn(page), o);
				n++;
			}
			if (n != zone->free_area[o].nr_free)
				violation(c, "zone %s: order %d holds %lu blocks, nr_free says %lu",
					  zone->name, o, n, zone->free_area[o].nr_free);
			free_pages += n << o;
		}
		if (free_pages != (unsigned long)atomic_long_read(&zone->free_pages))
			violation(c, "zone %s: %lu pages on free lists, counter says %ld",
				  zone->name, free_pages, atomic_long_read(&zone->free_pages));
	}
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
	if (PageBuddy(page) || PageTable(page) || PageTail(page))
		return;
	gets = atomic_read(&page->dbg_gup_refs);
	pin = atomic_read(&page->dbg_gup_pins);
	*pins += pin;
	if (!PageReserved(page) && page_ref_count(page) == 0)
		return; /* inside a free block */
	if (!PageReserved(page) && !PageCompound(page) &&
	    (unsigned int)page_mapcount(page) != c->maps[pfn])
		violation(c, "pfn %#lx: mapcount %d but %u ptes map it", pfn, page_mapcount(page),
			  c->maps[pfn]);
	expect_ref = (long)c->refs[pfn] +
		     (long)pin * (hpage_pincount_available(page) ? 1 : GUP_PIN_COUNTING_BIAS) +
		     (PageReserved(page) ? 1 : 0);
	if (PageReserved(page) && page == zero_page())
		return; /* the zero page is referenced by GUP only, not by its PTEs */
	/*
	 * FOLL_GET references come back through plain put_page(), which cannot tell
	 * them from others, so their count is an upper bound on what may still be held.
	 */
	if (page_ref_count(page) < expect_ref || page_ref_count(page) > expect_ref + gets)
		violation(c, "pfn %#lx: refcount %d but %u mappings/objects, %d pins and at most %d gets hold it",
			  pfn, page_ref_count(page), c->refs[pfn], pin, gets);
}

int __sim_check(FILE *out)
{
	struct check_ctx c = { .out = out };
	long pins = 0, outstanding;

	if (!sim.running)
		return 0;
	c.maps = calloc(sim.nr_pages, sizeof(*c.maps));
	c.refs = calloc(sim.nr_pages, sizeof(*c.refs));
	if (!c.maps || !c.refs) {
		free(c.maps);
		free(c.refs);
		return 0;
	}
	check_all_mms(&c);
	check_buddy_lists(&c);
	for (unsigned long pfn = 0; pfn < sim.nr_pages; pfn++)
		check_frame(&c, pfn, &pins);
	outstanding = (long)global_node_page_state(NR_FOLL_PIN_ACQUIRED) -
		      (long)global_node_page_state(NR_FOLL_PIN_RELEASED);
	if (pins != outstanding)
		violation(&c, "pins held on pages (%ld) != acquired - released (%ld)", pins,
			  outstanding);
	free(c.maps);
	free(c.refs);
	return c.errors;
}

int sim_check(FILE *out)
{
	return __sim_check(out ? out : stderr);
}
