// SPDX-License-Identifier: GPL-2.0-only
/*
 * /proc/PID/pagemap: the 64-bit entry for one virtual page (present bit, pfn or
 * swap entry, file and exclusive-mapping bits; each subpage of a huge pmd), read
 * through walk_page_range();
 * /proc/PID/maps and smaps: each VMA's line, and smaps' page counts and VmFlags;
 * /proc/PID/clear_refs: the young bits, and soft-dirty ("4"), which write-protects
 * so that the next write faults and marks the page again.
 * Hugetlb VMAs are walked by their huge entries (pagemap: each subpage).
 */
#include <sys/sysmacros.h>

#include "lib/rcu.h"
#include "mm/internal.h"

/* A swap or migration entry: its type and offset (plus @index, a subpage's) as 5.11 packs them. */
static uint64_t pagemap_swap_entry(swp_entry_t e, unsigned long index, bool soft_dirty)
{
	uint64_t offset = swp_offset(e) + index;

	return PM_SWAP | ((uint64_t)swp_type(e) & 0x1f) | (offset << 5) |
	       (soft_dirty ? PM_SOFT_DIRTY : 0);
}

static uint64_t pagemap_entry(struct vm_area_struct *vma, unsigned long addr, pte_t pte)
{
	struct page *page;
	uint64_t entry;

	if (is_swap_pte(pte))
		return pagemap_swap_entry(pte_to_swp_entry(pte), 0, pte_swp_soft_dirty(pte));
	if (!pte_present(pte))
		return 0;
	entry = PM_PRESENT | (pte_pfn(pte) & PM_PFRAME_MASK);
	if (pte_soft_dirty(pte))
		entry |= PM_SOFT_DIRTY;
	page = vm_normal_page(vma, addr, pte);
	if (page && !PageAnon(page))
		entry |= PM_FILE;
	if (page && page_mapcount(page) == 1)
		entry |= PM_MMAP_EXCLUSIVE;
	return entry;
}

/* Holes (no VMA, no table) leave the entry at 0: not present. */
static int pagemap_pte(pte_t *pte, unsigned long addr, unsigned long next, struct mm_walk *walk)
{
	uint64_t *entry = walk->private_data;

	(void)next;
	*entry = pagemap_entry(walk->vma, addr, ptep_get(pte));
	if (walk->vma->vm_flags & VM_SOFTDIRTY) /* a new mapping: all of it, even holes */
		*entry |= PM_SOFT_DIRTY;
	return 0;
}

/* A hole with no table under a VMA: soft-dirty if the VMA is (pagemap_pte_hole). */
static int pagemap_hole(unsigned long addr, unsigned long next, int depth, struct mm_walk *walk)
{
	uint64_t *entry = walk->private_data;

	(void)addr, (void)next, (void)depth;
	if (walk->vma && (walk->vma->vm_flags & VM_SOFTDIRTY))
		*entry = PM_SOFT_DIRTY;
	return 0;
}

/*
 * A huge pmd: the entry of the subpage at @addr, without splitting the pmd (which a
 * pte_entry walk would). The huge zero page has no struct page flags to report.
 */
static int pagemap_pmd(pmd_t *pmdp, unsigned long addr, unsigned long next, struct mm_walk *walk)
{
	pmd_t pmd = pmdp_get(pmdp);
	uint64_t *entry = walk->private_data;
	struct page *page;

	(void)next;
	if (is_pmd_migration_entry(pmd)) {
		/* A THP under migration: swapped, the subpage's pfn in the offset (no split). */
		walk->action = ACTION_CONTINUE;
		*entry = pagemap_swap_entry(pmd_to_swp_entry(pmd),
					    (addr & ~HPAGE_PMD_MASK) >> PAGE_SHIFT,
					    pmd_swp_soft_dirty(pmd));
		if (walk->vma->vm_flags & VM_SOFTDIRTY)
			*entry |= PM_SOFT_DIRTY;
		return 0;
	}
	/* A devmap pmd (device-dax, fsdax) is a huge leaf too, as pmd_trans_huge_lock() says. */
	if (!pmd_trans_huge(pmd) && !pmd_devmap(pmd))
		return 0;
	walk->action = ACTION_CONTINUE;
	page = pmd_page(pmd) + ((addr & ~HPAGE_PMD_MASK) >> PAGE_SHIFT);
	*entry = PM_PRESENT | (page_to_pfn(page) & PM_PFRAME_MASK);
	if (!is_huge_zero_page(page) && page_mapcount(page) == 1)
		*entry |= PM_MMAP_EXCLUSIVE;
	if (pmd_soft_dirty(pmd) || (walk->vma->vm_flags & VM_SOFTDIRTY))
		*entry |= PM_SOFT_DIRTY;
	return 0;
}

/* A hugetlb leaf: the entry of the subpage at @addr (5.11 pagemap_hugetlb_range()). */
static int pagemap_hugetlb(pte_t *ptep, unsigned long hmask, unsigned long addr, unsigned long next,
			   struct mm_walk *walk)
{
	unsigned long val = pte_val(ptep_get(ptep));
	uint64_t *entry = walk->private_data;
	struct page *page;

	(void)next;
	if (!(val & (_PAGE_PRESENT | _PAGE_PROTNONE)))
		return 0;
	page = pte_page(__pte(val)) + ((addr & ~hmask) >> PAGE_SHIFT);
	*entry = PM_PRESENT | (page_to_pfn(page) & PM_PFRAME_MASK);
	if (!PageAnon(page))
		*entry |= PM_FILE;
	if (page_mapcount(page) == 1)
		*entry |= PM_MMAP_EXCLUSIVE;
	/* Hugetlb has no soft-dirty of its own: only the VMA's says it (5.11). */
	if (walk->vma->vm_flags & VM_SOFTDIRTY)
		*entry |= PM_SOFT_DIRTY;
	return 0;
}

static const struct mm_walk_ops pagemap_walk_ops = {
	.pmd_entry = pagemap_pmd,
	.pte_entry = pagemap_pte,
	.pte_hole = pagemap_hole,
	.hugetlb_entry = pagemap_hugetlb,
};

int pagemap_read(struct mm_struct *mm, unsigned long addr, uint64_t *entry)
{
	SIM_ENTER(sim_entry_err);
	unsigned long start = addr & PAGE_MASK;

	if (addr >= TASK_SIZE || !entry)
		return -EINVAL;
	*entry = 0;
	mmap_read_lock(mm);
	/*
	 * walk_page_range() never descends into a VM_PFNMAP VMA (no struct page
	 * stands behind it), so pagemap reports its pages as holes, not present,
	 * even where a PTE maps a frame. Linux 5.11 and 6.18 both do.
	 */
	walk_page_range(mm, start, start + PAGE_SIZE, &pagemap_walk_ops, entry);
	mmap_read_unlock(mm);
	return 0;
}

/* -------------------------------------------------------- maps, smaps -- */

static const char *show_map_name(struct vm_area_struct *vma)
{
	if (vma->vm_ops && vma->vm_ops->name)
		return vma->vm_ops->name(vma);
	if (vma->vm_flags & VM_GROWSDOWN)
		return "[stack]";
	return vma->vm_file ? "/dev/zero (deleted)" : "";
}

/* Where /proc puts the name of a file mapping: column 73 (seq_setwidth + seq_pad). */
#define MAPS_NAME_COLUMN (25 + (int)sizeof(void *) * 6)

static void show_map_vma(FILE *out, struct vm_area_struct *vma)
{
	unsigned long f = vma->vm_flags;
	unsigned long pgoff = vma->vm_file ? vma->vm_pgoff : 0;
	struct inode *inode = vma->vm_file ? file_inode(vma->vm_file) : NULL;
	int len;

	if (!inode || inode->host_fd < 0) {
		fprintf(out, "%08lx-%08lx %c%c%c%c %08lx 00:00 0 %s\n", vma->vm_start, vma->vm_end,
			f & VM_READ ? 'r' : '-', f & VM_WRITE ? 'w' : '-', f & VM_EXEC ? 'x' : '-',
			f & VM_MAYSHARE ? 's' : 'p', pgoff << PAGE_SHIFT, show_map_name(vma));
		return;
	}
	/* A host file: its device and inode number, and its path, as Linux shows them. */
	len = fprintf(out, "%08lx-%08lx %c%c%c%c %08lx %02x:%02x %lu", vma->vm_start, vma->vm_end,
		      f & VM_READ ? 'r' : '-', f & VM_WRITE ? 'w' : '-', f & VM_EXEC ? 'x' : '-',
		      f & VM_MAYSHARE ? 's' : 'p', pgoff << PAGE_SHIFT, major(inode->i_dev),
		      minor(inode->i_dev), (unsigned long)inode->i_ino);
	fprintf(out, "%*s%s\n", 1 + (len < MAPS_NAME_COLUMN - 1 ? MAPS_NAME_COLUMN - 1 - len : 0),
		"", show_map_name(vma));
}

int show_maps(FILE *out, struct mm_struct *mm)
{
	if (!out || !mm)
		return -EINVAL;
	mmap_read_lock(mm);
	for (struct vm_area_struct *vma = mm->mmap; vma; vma = vma->vm_next)
		show_map_vma(out, vma);
	mmap_read_unlock(mm);
	return 0;
}

/* What smaps counts in one VMA, in pages. */
struct mem_size_stats {
	unsigned long resident;
	unsigned long anonymous;
	unsigned long anonymous_thp; /* of those, mapped by huge pmds */
	unsigned long pinned;
	unsigned long shared_hugetlb, private_hugetlb; /* in bytes; not in resident */
	unsigned long swap; /* swap slots: anonymous swap PTEs, shmem slots behind holes */
};

static void smaps_account(struct mem_size_stats *mss, struct page *page, unsigned long nr)
{
	mss->resident += nr;
	if (PageAnon(page))
		mss->anonymous += nr;
	if (page_maybe_dma_pinned(page))
		mss->pinned += nr;
}

/* A PROTNONE entry still maps its page: smaps counts it, as pagemap does. */
static bool smaps_entry_maps(unsigned long val)
{
	return val & (_PAGE_PRESENT | _PAGE_PROTNONE);
}

/*
 * The shmem swap slots behind [start, end) of a shmem @vma: pages of its file that
 * reclaim wrote out, which no PTE maps (5.11's smaps_pte_hole() and the pte_none
 * case of smaps_pte_entry(); a private mapping's COWed pages are anonymous and
 * counted through their own swap PTEs).
 */
static unsigned long smaps_shmem_swapped(struct vm_area_struct *vma, unsigned long start,
					 unsigned long end)
{
	struct address_space *mapping;
	unsigned long index, last;
	unsigned long nr = 0;

	if (!vma || !vma_is_shmem(vma))
		return 0;
	mapping = vma->vm_file->f_mapping;
	if (!READ_ONCE(mapping->swapped))
		return 0;
	index = linear_page_index(vma, start);
	last = linear_page_index(vma, end - 1);
	sim_rcu_read_lock();
	for (void *entry; (entry = xa_find(&mapping->i_pages, &index, last)); index++) {
		if (xa_is_value(entry))
			nr++;
		if (index == last)
			break;
	}
	sim_rcu_read_unlock();
	return nr;
}

static int smaps_pte(pte_t *ptep, unsigned long addr, unsigned long next, struct mm_walk *walk)
{
	struct mem_size_stats *mss = walk->private_data;
	pte_t pte = ptep_get(ptep);
	struct page *page;

	(void)next;
	if (is_swap_pte(pte) && is_migration_entry(pte_to_swp_entry(pte))) {
		/* 5.11 counts the page a migration entry stands for. */
		smaps_account(mss, migration_entry_to_page(pte_to_swp_entry(pte)), 1);
		return 0;
	}
	if (is_swap_pte(pte) && !non_swap_entry(pte_to_swp_entry(pte))) {
		mss->swap++;
		return 0;
	}
	if (pte_none(pte)) {
		mss->swap += smaps_shmem_swapped(walk->vma, addr, addr + PAGE_SIZE);
		return 0;
	}
	if (!smaps_entry_maps(pte_val(pte)))
		return 0;
	page = vm_normal_page(walk->vma, addr, pte);
	if (page)
		smaps_account(mss, page, 1);
	return 0;
}

/*
 * As 5.11's smaps, which follows a huge pmd with FOLL_DUMP: the huge zero page counts
 * nothing. A pmd migration entry counts its THP too (5.6, "/proc/PID/smaps: Add PMD
 * migration entry parsing").
 */
static void smaps_huge_pmd(struct mem_size_stats *mss, pmd_t pmd)
{
	struct page *page = is_pmd_migration_entry(pmd)
				    ? migration_entry_to_page(pmd_to_swp_entry(pmd))
				    : pfn_to_page((pmd_val(pmd) & PTE_PFN_MASK) >> PAGE_SHIFT);

	if (is_huge_zero_page(page))
		return;
	smaps_account(mss, page, HPAGE_PMD_NR);
	if (PageAnon(page))
		mss->anonymous_thp += HPAGE_PMD_NR;
}

/* A huge pmd is counted whole; only a present table is descended into. */
static int smaps_pmd(pmd_t *pmdp, unsigned long addr, unsigned long next, struct mm_walk *walk)
{
	unsigned long val = pmd_val(pmdp_get(pmdp));

	(void)addr;
	(void)next;
	if ((smaps_entry_maps(val) && (val & _PAGE_PSE)) || is_pmd_migration_entry(__pmd(val)))
		smaps_huge_pmd(walk->private_data, __pmd(val));
	if (!(val & _PAGE_PRESENT) || (val & _PAGE_PSE))
		walk->action = ACTION_CONTINUE;
	return 0;
}

/* Huge PUDs are not counted: libgup maps none yet. */
static int smaps_pud(pud_t *pudp, unsigned long addr, unsigned long next, struct mm_walk *walk)
{
	unsigned long val = pud_val(pudp_get(pudp));

	(void)addr;
	(void)next;
	if (!(val & _PAGE_PRESENT) || (val & _PAGE_PSE))
		walk->action = ACTION_CONTINUE;
	return 0;
}

/* A hugetlb page counts as shared when more than one entry maps it (5.11 smaps_hugetlb_range). */
static int smaps_hugetlb(pte_t *ptep, unsigned long hmask, unsigned long addr, unsigned long next,
			 struct mm_walk *walk)
{
	unsigned long val = pte_val(ptep_get(ptep));
	struct mem_size_stats *mss = walk->private_data;
	struct page *page;

	(void)addr;
	(void)next;
	if (!smaps_entry_maps(val))
		return 0;
	page = pte_page(__pte(val));
	if (page_mapcount(page) >= 2)
		mss->shared_hugetlb += ~hmask + 1;
	else
		mss->private_hugetlb += ~hmask + 1;
	return 0;
}

/* A range with no page table in a shmem VMA may still have swapped pages behind it. */
static int smaps_pte_hole(unsigned long addr, unsigned long next, int depth, struct mm_walk *walk)
{
	struct mem_size_stats *mss = walk->private_data;

	(void)depth;
	mss->swap += smaps_shmem_swapped(walk->vma, addr, next);
	return 0;
}

static const struct mm_walk_ops smaps_walk_ops = {
	.pte_hole = smaps_pte_hole,
	.pud_entry = smaps_pud,
	.pmd_entry = smaps_pmd,
	.pte_entry = smaps_pte,
	.hugetlb_entry = smaps_hugetlb,
};

/* The order /proc/PID/smaps prints them in, with libgup's "lf" after "lo". */
static const struct {
	unsigned long flag;
	char name[3];
} smaps_vm_flags[] = {
	{VM_READ, "rd"},	{VM_WRITE, "wr"},      {VM_EXEC, "ex"},	      {VM_SHARED, "sh"},
	{VM_MAYREAD, "mr"},	{VM_MAYWRITE, "mw"},   {VM_MAYEXEC, "me"},    {VM_MAYSHARE, "ms"},
	{VM_GROWSDOWN, "gd"},	{VM_PFNMAP, "pf"},     {VM_DENYWRITE, "dw"},  {VM_LOCKED, "lo"},
	{VM_LOCKONFAULT, "lf"}, {VM_IO, "io"},	       {VM_SEQ_READ, "sr"},   {VM_RAND_READ, "rr"},
	{VM_DONTCOPY, "dc"},	{VM_DONTEXPAND, "de"}, {VM_ACCOUNT, "ac"},    {VM_NORESERVE, "nr"},
	{VM_HUGETLB, "ht"},	{VM_SYNC, "sf"},       {VM_WIPEONFORK, "wf"}, {VM_DONTDUMP, "dd"},
	{VM_SOFTDIRTY, "sd"},	{VM_MIXEDMAP, "mm"},   {VM_HUGEPAGE, "hg"},   {VM_NOHUGEPAGE, "nh"},
	{VM_MERGEABLE, "mg"},	{VM_SEALED, "sl"},
};

static void show_smap_vma_flags(FILE *out, struct vm_area_struct *vma)
{
	fprintf(out, "VmFlags:");
	for (size_t i = 0; i < sizeof(smaps_vm_flags) / sizeof(smaps_vm_flags[0]); i++)
		if (vma->vm_flags & smaps_vm_flags[i].flag)
			fprintf(out, " %s", smaps_vm_flags[i].name);
	fprintf(out, "\n");
}

static void show_smap(FILE *out, struct vm_area_struct *vma)
{
	struct mem_size_stats mss = {0};
	unsigned long kb = PAGE_SIZE >> 10;

	walk_page_vma(vma, &smaps_walk_ops, &mss);
	show_map_vma(out, vma);
	fprintf(out, "Size:           %8lu kB\n", (vma->vm_end - vma->vm_start) >> 10);
	fprintf(out, "Rss:            %8lu kB\n", mss.resident * kb);
	fprintf(out, "Anonymous:      %8lu kB\n", mss.anonymous * kb);
	fprintf(out, "AnonHugePages:  %8lu kB\n", mss.anonymous_thp * kb);
	fprintf(out, "Shared_Hugetlb: %8lu kB\n", mss.shared_hugetlb >> 10);
	fprintf(out, "Private_Hugetlb: %7lu kB\n", mss.private_hugetlb >> 10);
	fprintf(out, "Swap:           %8lu kB\n", mss.swap * kb);
	fprintf(out, "Locked:         %8lu kB\n",
		vma->vm_flags & VM_LOCKED ? mss.resident * kb : 0);
	fprintf(out, "Pinned:         %8lu kB\n", mss.pinned * kb);
	show_smap_vma_flags(out, vma);
}

int show_smaps(FILE *out, struct mm_struct *mm)
{
	if (!out || !mm)
		return -EINVAL;
	mmap_read_lock(mm);
	for (struct vm_area_struct *vma = mm->mmap; vma; vma = vma->vm_next)
		show_smap(out, vma);
	mmap_read_unlock(mm);
	return 0;
}

/* -------------------------------------------------------------- status -- */

/* The hugetlb bytes @mm maps (the kernel keeps mm->hugetlb_usage; the walk finds the same). */
static unsigned long hugetlb_usage(struct mm_struct *mm)
{
	struct mem_size_stats mss = {0};

	for (struct vm_area_struct *vma = mm->mmap; vma; vma = vma->vm_next)
		if (is_vm_hugetlb_page(vma))
			walk_page_vma(vma, &smaps_walk_ops, &mss);
	return mss.shared_hugetlb + mss.private_hugetlb;
}

int show_status(FILE *out, struct mm_struct *mm)
{
	unsigned long kb = PAGE_SIZE >> 10, anon, file, shmem;

	if (!out || !mm)
		return -EINVAL;
	mmap_read_lock(mm);
	anon = atomic_long_read(&mm->rss_anon);
	file = atomic_long_read(&mm->rss_file);
	shmem = atomic_long_read(&mm->rss_shmem);
	fprintf(out, "VmRSS:\t%8lu kB\n", (anon + file + shmem) * kb);
	fprintf(out, "RssAnon:\t%8lu kB\n", anon * kb);
	fprintf(out, "RssFile:\t%8lu kB\n", file * kb);
	fprintf(out, "RssShmem:\t%8lu kB\n", shmem * kb);
	fprintf(out, "HugetlbPages:\t%8lu kB\n", hugetlb_usage(mm) >> 10);
	mmap_read_unlock(mm);
	return 0;
}

/* ----------------------------------------------------------- clear_refs -- */

/*
 * A present PTE of a private (COW) mapping, writable and maybe pinned: left as
 * it is. Write-protecting it would make the next write COW the pinned page away
 * from its pin (5.11-rc4, "mm: don't play games with pinned pages in
 * clear_page_refs"; 6.18 keeps the check, on the folio).
 */
static bool pte_is_pinned(struct vm_area_struct *vma, unsigned long addr, pte_t pte)
{
	struct page *page;

	if (!pte_write(pte) || !is_cow_mapping(vma->vm_flags) || !READ_ONCE(vma->vm_mm->has_pinned))
		return false;
	page = vm_normal_page(vma, addr, pte);
	return page && page_maybe_dma_pinned(page);
}

/*
 * Clear soft-dirty and write-protect, so that the next write faults and the
 * fault's pte_mkdirty() marks the page again. The entry is cleared while it
 * changes (ptep_modify_prot_start), so a lockless GUP-fast sees none and falls
 * back; a swap or migration entry only loses its soft-dirty bit.
 */
static void clear_soft_dirty(struct vm_area_struct *vma, unsigned long addr, pte_t *ptep)
{
	pte_t pte = ptep_get(ptep);

	if (!pgtable_supports_soft_dirty()) /* the kernel's is empty then */
		return;
	if (pte_present(pte)) {
		if (pte_is_pinned(vma, addr, pte))
			return;
		pte = ptep_get_and_clear(ptep);
		set_pte(ptep, pte_clear_soft_dirty(pte_wrprotect(pte)));
	} else if (is_swap_pte(pte)) {
		set_pte(ptep, pte_swp_clear_soft_dirty(pte));
	}
}

/* A huge pmd: the same for all of it (5.11 has no pinned check here). */
static void clear_soft_dirty_pmd(pmd_t *pmdp)
{
	pmd_t pmd;

	if (!pgtable_supports_soft_dirty())
		return;
	pmd = pmdp_huge_get_and_clear(pmdp);

	set_pmd(pmdp, pmd_clear_soft_dirty(pmd_wrprotect(pmd)));
}

static int clear_refs_pmd(pmd_t *pmdp, unsigned long addr, unsigned long next, struct mm_walk *walk)
{
	enum clear_refs_types type = *(enum clear_refs_types *)walk->private_data;
	pmd_t pmd = pmdp_get(pmdp);

	(void)addr, (void)next;
	if (is_pmd_migration_entry(pmd)) {
		/* Not split by the walk: it only loses its soft-dirty bit, as a PTE entry does. */
		walk->action = ACTION_CONTINUE;
		if (type == CLEAR_REFS_SOFT_DIRTY)
			set_pmd(pmdp, __pmd(pmd_val(pmd) & ~_PAGE_SWP_SOFT_DIRTY));
		return 0;
	}
	if (!pmd_trans_huge(pmd))
		return 0;
	walk->action = ACTION_CONTINUE;
	if (type == CLEAR_REFS_SOFT_DIRTY)
		clear_soft_dirty_pmd(pmdp);
	else if (!is_huge_zero_page(pmd_page(pmd)))
		set_pmd(pmdp, pmd_mkold(pmd));
	return 0;
}

static int clear_refs_pte(pte_t *ptep, unsigned long addr, unsigned long next, struct mm_walk *walk)
{
	enum clear_refs_types type = *(enum clear_refs_types *)walk->private_data;
	pte_t pte = ptep_get(ptep);

	(void)next;
	if (type == CLEAR_REFS_SOFT_DIRTY) {
		clear_soft_dirty(walk->vma, addr, ptep);
		return 0;
	}
	if (pte_present(pte) && vm_normal_page(walk->vma, addr, pte))
		set_pte(ptep, pte_mkold(pte));
	return 0;
}

/* Which VMAs a type walks: "2" anonymous only, "3" file-backed only; never VM_PFNMAP. */
static int clear_refs_test_walk(unsigned long start, unsigned long end, struct mm_walk *walk)
{
	enum clear_refs_types type = *(enum clear_refs_types *)walk->private_data;
	struct vm_area_struct *vma = walk->vma;

	(void)start, (void)end;
	if (vma->vm_flags & VM_PFNMAP)
		return 1;
	if (type == CLEAR_REFS_ANON && vma->vm_file)
		return 1;
	if (type == CLEAR_REFS_MAPPED && !vma->vm_file)
		return 1;
	return 0;
}

static const struct mm_walk_ops clear_refs_walk_ops = {
	.pmd_entry = clear_refs_pmd,
	.pte_entry = clear_refs_pte,
	.test_walk = clear_refs_test_walk,
};

int clear_refs_write(struct mm_struct *mm, int type)
{
	SIM_ENTER(sim_entry_err);
	enum clear_refs_types t = (enum clear_refs_types)type;

	if (!mm)
		return -ESRCH;
	if (type < CLEAR_REFS_ALL || type >= CLEAR_REFS_LAST)
		return -EINVAL;
	if (t == CLEAR_REFS_MM_HIWATER_RSS)
		return 0; /* no RSS high-water mark here */
	if (t != CLEAR_REFS_SOFT_DIRTY) {
		mmap_read_lock(mm);
		walk_page_range(mm, 0, mm->highest_vm_end, &clear_refs_walk_ops, &t);
		mmap_read_unlock(mm);
		return 0;
	}
	/* The VMA flags change too: the write lock (5.11 takes it for soft-dirty). */
	mmap_write_lock(mm);
	for (struct vm_area_struct *vma = mm->mmap; vma; vma = vma->vm_next) {
		if (!(vma->vm_flags & VM_SOFTDIRTY))
			continue;
		vma->vm_flags &= ~VM_SOFTDIRTY;
		vma_set_page_prot(vma);
	}
	if (mm->highest_vm_end)
		walk_page_range(mm, 0, mm->highest_vm_end, &clear_refs_walk_ops, &t);
	mmap_write_unlock(mm);
	return 0;
}
