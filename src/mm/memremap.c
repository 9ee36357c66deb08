// SPDX-License-Identifier: GPL-2.0-only
/*
 * ZONE_DEVICE (mm/memremap.c): dev_pagemaps over the machine's device frames, their
 * reference, the free rules of device pages, and device-dax's mapping of device
 * memory with devmap PTEs, PMDs and PUDs (drivers/dax/device.c's faults).
 */
#include <sys/mman.h>
#include <gup/memremap.h>
#include "mm/internal.h"
#include "lib/rcu.h"

/* Device memory is handed out in subsections of 2 MiB, as the kernel's memory hotplug. */
#define SUBSECTION_PAGES HPAGE_PMD_NR

unsigned long sim_device_start_pfn(void)
{
	return sim.device_start_pfn;
}

unsigned long sim_device_nr_pages(void)
{
	return sim.device_pages;
}

/* The pgmap of each device subsection, read locklessly (GUP-fast) under RCU. */
static struct dev_pagemap **subsection_slot(unsigned long pfn)
{
	return &sim.device_pgmaps[(pfn - sim.device_start_pfn) / SUBSECTION_PAGES];
}

static bool pfn_is_device(unsigned long pfn)
{
	return pfn >= sim.device_start_pfn && pfn - sim.device_start_pfn < sim.device_pages;
}

static bool pgmap_covers(const struct dev_pagemap *pgmap, unsigned long pfn)
{
	return pfn - pgmap_start_pfn(pgmap) < pgmap_nr_pages(pgmap);
}

/* Types whose pages the device takes back when they are idle (page_is_devmap_managed()). */
static bool type_is_managed(enum memory_type type)
{
	return type == MEMORY_DEVICE_PRIVATE || type == MEMORY_DEVICE_FS_DAX ||
	       type == MEMORY_DEVICE_COHERENT;
}

/* Types whose pages a driver hands out one by one, each with a pgmap reference (6.x). */
static bool type_pages_handed_out(enum memory_type type)
{
	return type == MEMORY_DEVICE_PRIVATE || type == MEMORY_DEVICE_COHERENT;
}

/*
 * The order of @pgmap's folios: device-dax's vmemmap_shift, the log of its
 * alignment under devmap_pmd_is_folio (6.x), else 0 (every page order 0).
 */
static unsigned int pgmap_folio_order(const struct dev_pagemap *pgmap)
{
	if (!mm_profile->devmap_pmd_is_folio || pgmap->type != MEMORY_DEVICE_GENERIC ||
	    pgmap->align <= PAGE_SIZE)
		return 0;
	return pgmap->align == PUD_SIZE ? PUD_SHIFT - PAGE_SHIFT : HPAGE_PMD_ORDER;
}

/* Pfns from one folio head of @pgmap to the next: the steps of a per-folio walk. */
static unsigned long pgmap_folio_nr(const struct dev_pagemap *pgmap)
{
	return 1UL << pgmap_folio_order(pgmap);
}

/*
 * The pgmap references the pages of @pgmap hold while it is live: 5.11 (and 6.x
 * for all but PRIVATE and COHERENT) one per folio from memremap_pages() on (6.x's
 * pfn_len(): a compound range counts its folios); 6.x's PRIVATE and COHERENT
 * pages one each while a driver has handed them out.
 */
static long pgmap_page_refs(struct dev_pagemap *pgmap)
{
	unsigned long start = pgmap_start_pfn(pgmap), nr = pgmap_nr_pages(pgmap);
	long held = 0;

	if (mm_profile->devmap_pages_hold_pgmap || !type_pages_handed_out(pgmap->type))
		return (long)(nr >> pgmap_folio_order(pgmap));
	for (unsigned long pfn = start; pfn < start + nr; pfn++)
		held += page_ref_count(pfn_to_page(pfn)) > 0;
	return held;
}

/* --- the reference: a percpu_ref, one atomic here --- */

static bool pgmap_tryget_live(struct dev_pagemap *pgmap)
{
	if (READ_ONCE(pgmap->dying))
		return false;
	atomic_long_add(1, &pgmap->ref);
	/* Killed meanwhile: memunmap_pages() may already wait for zero. */
	if (unlikely(__atomic_load_n(&pgmap->dying, __ATOMIC_SEQ_CST))) {
		put_dev_pagemap(pgmap);
		return false;
	}
	return true;
}

/* Wake memunmap_pages() if it waits for this pgmap. */
static void pgmap_wake(struct dev_pagemap *pgmap)
{
	pthread_mutex_lock(&pgmap->lock);
	pthread_cond_broadcast(&pgmap->done);
	pthread_mutex_unlock(&pgmap->lock);
}

void put_dev_pagemap(struct dev_pagemap *pgmap)
{
	if (!pgmap)
		return;
	if (__atomic_sub_fetch(&pgmap->ref.counter, 1, __ATOMIC_SEQ_CST) == 0)
		pgmap_wake(pgmap);
}

struct dev_pagemap *get_dev_pagemap(unsigned long pfn, struct dev_pagemap *pgmap)
{
	struct dev_pagemap *found;

	if (pgmap) {
		if (pgmap_covers(pgmap, pfn))
			return pgmap;
		put_dev_pagemap(pgmap);
	}
	if (!sim.device_pgmaps || !pfn_is_device(pfn))
		return NULL;
	sim_rcu_read_lock();
	found = __atomic_load_n(subsection_slot(pfn), __ATOMIC_ACQUIRE);
	if (found && !pgmap_tryget_live(found))
		found = NULL;
	sim_rcu_read_unlock();
	return found;
}

long dev_pagemap_refs(struct dev_pagemap *pgmap)
{
	return atomic_long_read(&pgmap->ref);
}

/* --- the free rules of device pages --- */

/* A managed page is idle again: give it back to its device (free_devmap_managed_page()). */
static void free_devmap_managed_page(struct page *page)
{
	struct dev_pagemap *pgmap = page_pgmap(page);

	atomic_long_add(1, &pgmap->nr_page_free);
	if (pgmap->type == MEMORY_DEVICE_FS_DAX) {
		/* The file system waits for idle pages (wake_up_var()); nothing to free. */
		if (mm_profile->dax_evict_defers_busy_blocks)
			dax_page_idle(page);
		return;
	}
	WRITE_ONCE(page->mapping, NULL);
	page->zone_device_data = NULL;
	if (pgmap->ops && pgmap->ops->page_free)
		pgmap->ops->page_free(page);
}

/*
 * 5.11: managed pages idle at refcount 1 (put_devmap_managed_page() calls
 * free_devmap_managed_page() there); 0 comes only after memunmap_pages() dropped
 * the initial reference, and __put_page() then drops the page's pgmap reference.
 * 6.18 (free_zone_device_folio()): every page but GENERIC idles at 0; PRIVATE and
 * COHERENT pages give back the reference their driver took, GENERIC is set to 1.
 */
void put_devmap_page_refs(struct page *page, int count)
{
	struct dev_pagemap *pgmap = page_pgmap(page);
	int idle = mm_profile->devmap_idle_refcount(pgmap->type);

	if (idle && count == idle && type_is_managed(pgmap->type)) {
		free_devmap_managed_page(page);
	} else if (!count && idle) {
		put_dev_pagemap(pgmap);
	} else if (!count) {
		if (pgmap->type == MEMORY_DEVICE_GENERIC)
			set_page_count(page, 1);
		else
			free_devmap_managed_page(page);
		if (type_pages_handed_out(pgmap->type))
			put_dev_pagemap(pgmap);
	}
	if (count <= idle && READ_ONCE(pgmap->dying))
		pgmap_wake(pgmap);
}

int sim_device_page_get(struct page *page)
{
	struct dev_pagemap *pgmap;
	int idle;

	if (!pfn_valid(page_to_pfn(page)) || !is_zone_device_page(page) || !page_pgmap(page))
		return -EINVAL;
	pgmap = page_pgmap(page);
	if (!type_pages_handed_out(pgmap->type))
		return -EINVAL;
	idle = mm_profile->devmap_idle_refcount(pgmap->type);
	if (page_ref_count(page) != idle)
		return -EBUSY;
	if (!idle) { /* 6.x zone_device_page_init(): the page takes a pgmap reference */
		if (!pgmap_tryget_live(pgmap))
			return -ENXIO;
		set_page_count(page, 1);
		return 0;
	}
	if (READ_ONCE(pgmap->dying))
		return -ENXIO;
	page_ref_add(page, 1);
	return 0;
}

/* --- memremap_pages / memunmap_pages --- */

static void init_device_page(struct page *page, struct dev_pagemap *pgmap, int count)
{
	memset(page, 0, sizeof(*page));
	page->flags = (unsigned long)ZONE_DEVICE << ZONES_PGSHIFT;
	atomic_set(&page->_mapcount, -1);
	page->pgmap = pgmap;
	set_page_count(page, count);
}

static int validate_pgmap(const struct dev_pagemap *pgmap)
{
	unsigned long start, nr, align = pgmap->align ? pgmap->align : PAGE_SIZE;

	if (pgmap->range.end < pgmap->range.start ||
	    !IS_ALIGNED(pgmap->range.start, SUBSECTION_PAGES * PAGE_SIZE) ||
	    !IS_ALIGNED(pgmap->range.end + 1, SUBSECTION_PAGES * PAGE_SIZE))
		return -EINVAL;
	start = pgmap_start_pfn(pgmap);
	nr = pgmap_nr_pages(pgmap);
	if (!pfn_is_device(start) || nr > sim.device_pages - (start - sim.device_start_pfn))
		return -EINVAL;
	if (align != PAGE_SIZE && align != PMD_SIZE && align != PUD_SIZE)
		return -EINVAL;
	if (!IS_ALIGNED(pgmap->range.start, align) || !IS_ALIGNED(pgmap->range.end + 1, align))
		return -EINVAL;
	switch (pgmap->type) {
	case MEMORY_DEVICE_PRIVATE:
		return pgmap->ops && pgmap->ops->page_free ? 0 : -EINVAL;
	case MEMORY_DEVICE_FS_DAX:
	case MEMORY_DEVICE_GENERIC:
		return 0;
	case MEMORY_DEVICE_COHERENT:
		return mm_profile->devmap_has_coherent && pgmap->ops && pgmap->ops->page_free
			       ? 0
			       : -EINVAL;
	}
	return -EINVAL;
}

int memremap_pages(struct dev_pagemap *pgmap)
{
	unsigned long start, nr, pfn;
	int idle, err;

	if (!sim.running)
		return -ENODEV;
	if (!pgmap)
		return -EINVAL;
	err = validate_pgmap(pgmap);
	if (err)
		return err;
	start = pgmap_start_pfn(pgmap);
	nr = pgmap_nr_pages(pgmap);
	pthread_mutex_lock(&sim.pgmaps_lock);
	for (pfn = start; pfn < start + nr; pfn += SUBSECTION_PAGES)
		if (*subsection_slot(pfn)) {
			pthread_mutex_unlock(&sim.pgmaps_lock);
			return -EBUSY;
		}
	idle = mm_profile->devmap_idle_refcount(pgmap->type);
	for (pfn = start; pfn < start + nr; pfn++)
		init_device_page(pfn_to_page(pfn), pgmap, idle);
	/* memmap_init_compound(): a tail's count is 0; its compound_head hides its pgmap. */
	if (pgmap_folio_order(pgmap))
		for (pfn = start; pfn < start + nr; pfn += pgmap_folio_nr(pgmap)) {
			for (unsigned long i = 1; i < pgmap_folio_nr(pgmap); i++)
				set_page_count(pfn_to_page(pfn + i), 0);
			prep_compound_page(pfn_to_page(pfn), pgmap_folio_order(pgmap));
		}
	pthread_mutex_init(&pgmap->lock, NULL);
	pthread_cond_init(&pgmap->done, NULL);
	pgmap->dying = false;
	atomic_long_set(&pgmap->nr_page_free, 0);
	/* The percpu_ref's own count, which the kill drops, and the pages' (5.11, 6.x bulk). */
	atomic_long_set(&pgmap->ref, 0);
	atomic_long_set(&pgmap->nr_mapping_refs, 0);
	atomic_long_set(&pgmap->ref, 1 + pgmap_page_refs(pgmap));
	list_add(&pgmap->list, &sim.pgmaps);
	for (pfn = start; pfn < start + nr; pfn += SUBSECTION_PAGES)
		__atomic_store_n(subsection_slot(pfn), pgmap, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&sim.pgmaps_lock);
	return 0;
}

static bool pgmap_is_live(struct dev_pagemap *pgmap)
{
	struct dev_pagemap *p;
	bool found = false;

	pthread_mutex_lock(&sim.pgmaps_lock);
	list_for_each_entry(p, &sim.pgmaps, list) found |= p == pgmap;
	pthread_mutex_unlock(&sim.pgmaps_lock);
	return found;
}

/* Every page back at its idle count (or below, once memunmap dropped it)? */
static bool pgmap_pages_idle(struct dev_pagemap *pgmap)
{
	int idle = mm_profile->devmap_idle_refcount(pgmap->type);
	unsigned long start = pgmap_start_pfn(pgmap), nr = pgmap_nr_pages(pgmap);

	for (unsigned long pfn = start; pfn < start + nr; pfn += pgmap_folio_nr(pgmap))
		if (page_ref_count(pfn_to_page(pfn)) >
		    (mm_profile->devmap_pages_hold_pgmap ? 0 : idle))
			return false;
	return true;
}

/* dev_pagemap_kill(), then the initial references the pages hold. */
static void pgmap_kill(struct dev_pagemap *pgmap)
{
	unsigned long start = pgmap_start_pfn(pgmap), nr = pgmap_nr_pages(pgmap);

	__atomic_store_n(&pgmap->dying, true, __ATOMIC_SEQ_CST);
	if (mm_profile->devmap_pages_hold_pgmap) {
		/* 5.11: put_page() of every page, whatever else holds it. */
		for (unsigned long pfn = start; pfn < start + nr; pfn++)
			put_page(pfn_to_page(pfn));
	} else if (!type_pages_handed_out(pgmap->type)) {
		atomic_long_add(-pgmap_page_refs(pgmap), &pgmap->ref);
	}
	put_dev_pagemap(pgmap); /* the percpu_ref's own */
}

/*
 * Wait for the reference and every page. From 6.17 GUP-fast grabs device pages
 * without a pgmap reference (gup_takes_pgmap), so a walker that read a devmap
 * entry before the zap may grab a page after the pages looked idle: once every
 * walker has left (a grace period), look again. 5.11's walkers hold the pgmap,
 * which the kill refuses them.
 */
static void pgmap_wait_idle(struct dev_pagemap *pgmap)
{
	for (;;) {
		pthread_mutex_lock(&pgmap->lock);
		while (atomic_long_read(&pgmap->ref) || !pgmap_pages_idle(pgmap))
			pthread_cond_wait(&pgmap->done, &pgmap->lock);
		pthread_mutex_unlock(&pgmap->lock);
		if (mm_profile->gup_takes_pgmap)
			return;
		sim_synchronize_rcu();
		if (pgmap_pages_idle(pgmap))
			return;
	}
}

/* dev_pagemap_cleanup() and the hot-remove: the range is device memory nobody owns. */
static void pgmap_release(struct dev_pagemap *pgmap)
{
	unsigned long start = pgmap_start_pfn(pgmap), nr = pgmap_nr_pages(pgmap);

	pthread_mutex_lock(&sim.pgmaps_lock);
	for (unsigned long pfn = start; pfn < start + nr; pfn += SUBSECTION_PAGES)
		__atomic_store_n(subsection_slot(pfn), NULL, __ATOMIC_RELEASE);
	list_del(&pgmap->list);
	pthread_mutex_unlock(&sim.pgmaps_lock);
	/* GUP-fast may still be looking at the slot it read. */
	sim_synchronize_rcu();
	/*
	 * The struct pages go; the device's bytes stay: Linux's memunmap_pages() never
	 * touches the memory behind them, so a driver bound again (or pmem) reads what
	 * was written before.
	 */
	for (unsigned long pfn = start; pfn < start + nr; pfn++)
		init_device_page(pfn_to_page(pfn), NULL, 0);
	pthread_cond_destroy(&pgmap->done);
	pthread_mutex_destroy(&pgmap->lock);
}

void memunmap_pages(struct dev_pagemap *pgmap)
{
	if (WARN_ON_ONCE(!pgmap || !pgmap_is_live(pgmap) || pgmap->dying))
		return;
	pgmap_kill(pgmap);
	pgmap_wait_idle(pgmap);
	pgmap_release(pgmap);
}

int memunmap_pages_try(struct dev_pagemap *pgmap)
{
	unsigned long start, nr;
	int idle;

	if (!pgmap || !pgmap_is_live(pgmap) || pgmap->dying)
		return -EINVAL;
	start = pgmap_start_pfn(pgmap);
	nr = pgmap_nr_pages(pgmap);
	idle = mm_profile->devmap_idle_refcount(pgmap->type);
	for (unsigned long pfn = start; pfn < start + nr; pfn += pgmap_folio_nr(pgmap))
		if (page_ref_count(pfn_to_page(pfn)) != idle)
			return -EBUSY;
	if (atomic_long_read(&pgmap->ref) != 1 + pgmap_page_refs(pgmap))
		return -EBUSY;
	memunmap_pages(pgmap);
	return 0;
}

/*
 * Each device page (each folio's head) holds at least its idle count and the
 * pins GUP recorded on it; count them. Its FOLL_GET count is no floor: those
 * references come back through plain put_page(), which cannot tell them from
 * others, so the count only says what may still be held (as sim_check() reads
 * it for RAM).
 */
static bool pgmap_pages_are_valid(struct dev_pagemap *pgmap, FILE *out, long *pins)
{
	unsigned long start = pgmap_start_pfn(pgmap), nr = pgmap_nr_pages(pgmap);
	/* A live pgmap's pages never drop below their idle count (memunmap takes it). */
	int idle = pgmap->dying ? 0 : mm_profile->devmap_idle_refcount(pgmap->type);
	bool ok = true;

	for (unsigned long pfn = start; pfn < start + nr; pfn += pgmap_folio_nr(pgmap)) {
		struct page *page = pfn_to_page(pfn);
		long gets = max_t(int, sim_page_gup_refs(page), 0);
		long pinned = max_t(int, sim_page_gup_pins(page), 0);
		/* A folio of order > 1 counts its pins exactly, one reference each. */
		bool exact = hpage_pincount_available(page);
		long floor = idle + (exact ? pinned : pinned * GUP_PIN_COUNTING_BIAS);

		*pins += pinned;
		if (page_pgmap(page) == pgmap && page_ref_count(page) >= floor &&
		    (!exact || compound_pincount(page) == pinned))
			continue;
		ok = false;
		if (out)
			fprintf(out,
				"  device pfn %#lx: refcount %d, pgmap %p, %ld gets, %ld pins\n",
				pfn, page_ref_count(page), (void *)page_pgmap(page), gets, pinned);
	}
	return ok;
}

/*
 * The checker's view (check.c): a live pgmap's reference is its own count, its
 * pages' and its mappings', with nobody inside GUP (5.11's walks hold a pgmap
 * while they grab; from 6.17, gup_takes_pgmap false, they never take one);
 * *@pins gains the pins its pages hold. Return: true or prints why not.
 */
bool dev_pagemaps_are_valid(FILE *out, long *pins)
{
	struct dev_pagemap *pgmap;
	bool ok = true;

	pthread_mutex_lock(&sim.pgmaps_lock);
	list_for_each_entry(pgmap, &sim.pgmaps, list)
	{
		long want = 1 + pgmap_page_refs(pgmap) + atomic_long_read(&pgmap->nr_mapping_refs);
		long have = atomic_long_read(&pgmap->ref);

		ok &= pgmap_pages_are_valid(pgmap, out, pins);
		if (pgmap->dying || have == want)
			continue;
		ok = false;
		if (out)
			fprintf(out,
				"  pgmap [%#llx-%#llx]: %ld references, its pages and mappings "
				"account for %ld\n",
				(unsigned long long)pgmap->range.start,
				(unsigned long long)pgmap->range.end, have, want);
	}
	pthread_mutex_unlock(&sim.pgmaps_lock);
	return ok;
}

/* Shutdown: the pgmaps a test left (each a leak); the machine's fsdax one goes quietly. */
unsigned long dev_pagemaps_release_all(FILE *out)
{
	unsigned long left = 0;

	while (!list_empty(&sim.pgmaps)) {
		struct dev_pagemap *pgmap = list_first_entry(&sim.pgmaps, struct dev_pagemap, list);

		if (pgmap != sim.fsdax_pgmap) {
			left++;
			if (out)
				fprintf(out, "libgup: pgmap [%#llx-%#llx] never memunmap()ed\n",
					(unsigned long long)pgmap->range.start,
					(unsigned long long)pgmap->range.end);
		}
		if (!pgmap->dying && !atomic_long_read(&pgmap->nr_mapping_refs) &&
		    memunmap_pages_try(pgmap) == 0) {
			if (pgmap == sim.fsdax_pgmap)
				fsdax_pmem_free(pgmap);
			continue;
		}
		/* Still referenced: take it off without waiting; the leak check reports it. */
		left += pgmap == sim.fsdax_pgmap;
		pgmap_release(pgmap);
		if (pgmap == sim.fsdax_pgmap)
			fsdax_pmem_free(pgmap);
	}
	sim.fsdax_pgmap = NULL;
	return left;
}

/* --- device-dax: a driver's mapping of a GENERIC pgmap --- */

static struct dev_pagemap *vma_pgmap(struct vm_area_struct *vma)
{
	return vma->vm_file->f_inode->i_private;
}

/* The entry flags of a devmap mapping of @vma: present, its protection, young (dirty on write). */
static unsigned long devmap_entry_flags(struct vm_area_struct *vma, bool write)
{
	unsigned long flags = pgprot_val(vma->vm_page_prot) | _PAGE_ACCESSED | _PAGE_DEVMAP;

	return write ? flags | _PAGE_DIRTY : flags;
}

/*
 * The device pfn behind @addr of @vma, if the range of @size bytes there lies in the
 * VMA and in the pgmap: dev_dax_pgoff_to_phys(). Return: the pfn, or 0.
 */
static unsigned long devmap_fault_pfn(struct vm_area_struct *vma, unsigned long addr,
				      unsigned long size)
{
	struct dev_pagemap *pgmap = vma_pgmap(vma);
	unsigned long haddr = ALIGN_DOWN(addr, size);
	unsigned long pgoff = vma->vm_pgoff + ((haddr - vma->vm_start) >> PAGE_SHIFT);

	if (haddr < vma->vm_start || haddr + size > vma->vm_end)
		return 0;
	if (pgoff + (size >> PAGE_SHIFT) > pgmap_nr_pages(pgmap))
		return 0;
	return pgmap_start_pfn(pgmap) + pgoff;
}

/* A fault smaller than the device's alignment cannot map it; a bigger one falls back. */
static vm_fault_t devmap_fault_size_check(struct vm_area_struct *vma, unsigned long size)
{
	struct dev_pagemap *pgmap = vma_pgmap(vma);
	unsigned long align = pgmap->align ? pgmap->align : PAGE_SIZE;

	if (READ_ONCE(pgmap->dying))
		return VM_FAULT_SIGBUS;
	if (size < align)
		return VM_FAULT_SIGBUS;
	if (size > align)
		return VM_FAULT_FALLBACK;
	return 0;
}

/* vmf_insert_mixed() of device pfn @pfn at the fault's address: a devmap PTE. */
vm_fault_t devmap_insert_pte(struct vm_fault *vmf, unsigned long pfn)
{
	struct vm_area_struct *vma = vmf->vma;
	bool write = vmf->flags & FAULT_FLAG_WRITE;
	spinlock_t *ptl;
	pte_t *ptep;

	ptep = pte_offset_map_lock(vma->vm_mm, vmf->pmd, vmf->address, &ptl);
	if (pte_none(ptep_get(ptep)))
		set_pte(ptep, __pte((pfn << PAGE_SHIFT) | devmap_entry_flags(vma, write) |
				    _PAGE_SPECIAL));
	pte_unmap_unlock(ptep, ptl);
	return VM_FAULT_NOPAGE;
}

/* vmf_insert_pfn_pmd() / vmf_insert_pfn_pud() of the aligned device pfn @pfn. */
vm_fault_t devmap_insert_huge(struct vm_fault *vmf, enum page_entry_size pe_size, unsigned long pfn)
{
	struct vm_area_struct *vma = vmf->vma;
	bool write = vmf->flags & FAULT_FLAG_WRITE;
	unsigned long *entryp, old, want;
	spinlock_t *ptl;

	entryp = pe_size == PE_SIZE_PUD ? &vmf->pud->pud : &vmf->pmd->pmd;
	want = (pfn << PAGE_SHIFT) | devmap_entry_flags(vma, write) | _PAGE_PSE;
	ptl = pmd_lock(vma->vm_mm);
	old = READ_ONCE(*entryp);
	/* Empty: map it; already this device page: a touch (young, dirty on a write). */
	if (!old || ((old & PTE_PFN_MASK) == (want & PTE_PFN_MASK) && (old & _PAGE_DEVMAP)))
		WRITE_ONCE(*entryp, old | want);
	spin_unlock(ptl);
	return VM_FAULT_NOPAGE;
}

/* The PTE fault (__dev_dax_pte_fault()). */
static vm_fault_t devdax_fault(struct vm_fault *vmf)
{
	vm_fault_t ret = devmap_fault_size_check(vmf->vma, PAGE_SIZE);
	unsigned long pfn;

	if (ret)
		return ret;
	pfn = devmap_fault_pfn(vmf->vma, vmf->address, PAGE_SIZE);
	return pfn ? devmap_insert_pte(vmf, pfn) : VM_FAULT_SIGBUS;
}

/* A PMD or PUD fault (__dev_dax_pmd_fault(), __dev_dax_pud_fault()). */
static vm_fault_t devdax_huge_fault(struct vm_fault *vmf, enum page_entry_size pe_size)
{
	unsigned long size = pe_size == PE_SIZE_PUD ? PUD_SIZE : PMD_SIZE;
	vm_fault_t ret = devmap_fault_size_check(vmf->vma, size);
	unsigned long pfn;

	if (ret)
		return ret;
	pfn = devmap_fault_pfn(vmf->vma, vmf->address, size);
	return pfn ? devmap_insert_huge(vmf, pe_size, pfn) : VM_FAULT_FALLBACK;
}

static const char *devdax_vma_name(struct vm_area_struct *vma)
{
	(void)vma;
	return "/dev/dax0.0";
}

/*
 * dev_dax_split() (6.x dev_dax_may_split()): a device-dax mapping is cut only at
 * its alignment, so that no PMD or PUD of it is left straddling two VMAs.
 */
static int devdax_may_split(struct vm_area_struct *vma, unsigned long addr)
{
	struct dev_pagemap *pgmap = vma_pgmap(vma);
	unsigned long align = pgmap->align ? pgmap->align : PAGE_SIZE;

	return IS_ALIGNED(addr, align) ? 0 : -EINVAL;
}

static const struct vm_operations_struct devdax_vm_ops = {
	.fault = devdax_fault,
	.huge_fault = devdax_huge_fault,
	.name = devdax_vma_name,
	.may_split = devdax_may_split,
};

bool vma_is_device_dax(const struct vm_area_struct *vma)
{
	return vma->vm_ops == &devdax_vm_ops;
}

/* dax_mmap(): shared mappings only, huge faults welcome. */
static int devdax_mmap(struct file *file, struct vm_area_struct *vma)
{
	(void)file;
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	vma->vm_flags |= VM_HUGEPAGE;
	vma->vm_ops = &devdax_vm_ops;
	return 0;
}

/* The last close of the device file: its hold on the pgmap goes (the driver's unbind waits). */
static void devdax_release(struct file *file)
{
	struct dev_pagemap *pgmap = file->f_inode->i_private;

	file->f_inode->i_private = NULL;
	atomic_long_add(-1, &pgmap->nr_mapping_refs);
	put_dev_pagemap(pgmap);
}

static const struct file_operations devdax_fops = {
	.mmap = devdax_mmap,
	.release = devdax_release,
};

static bool pgmap_is_mappable(struct dev_pagemap *pgmap)
{
	return pgmap->type == MEMORY_DEVICE_GENERIC || pgmap->type == MEMORY_DEVICE_COHERENT;
}

unsigned long sim_mmap_device(struct dev_pagemap *pgmap, unsigned long offset, unsigned long len,
			      unsigned long prot)
{
	SIM_ENTER(sim_entry_err);
	struct mm_struct *mm = current->mm;
	unsigned long addr, populate, align;
	struct file *file;

	if (!pgmap || !pgmap_is_live(pgmap) || !pgmap_is_mappable(pgmap))
		return -EINVAL;
	align = pgmap->align ? pgmap->align : PAGE_SIZE;
	if (!len || !IS_ALIGNED(offset, align) || !IS_ALIGNED(len, align) ||
	    (prot & ~(unsigned long)(PROT_READ | PROT_WRITE)))
		return -EINVAL;
	if (offset > pgmap_nr_pages(pgmap) << PAGE_SHIFT ||
	    len > (pgmap_nr_pages(pgmap) << PAGE_SHIFT) - offset)
		return -EINVAL;
	if (!pgmap_tryget_live(pgmap))
		return -EINVAL;
	file = shmem_file_setup(pgmap_nr_pages(pgmap) << PAGE_SHIFT);
	if (!file) {
		put_dev_pagemap(pgmap);
		return -ENOMEM;
	}
	atomic_long_add(1, &pgmap->nr_mapping_refs);
	file->f_inode->i_private = pgmap;
	file->f_op = &devdax_fops;
	if (mmap_write_lock_killable(mm)) {
		fput(file);
		return -EINTR;
	}
	addr = get_unmapped_area(mm, 0, len + align - PAGE_SIZE);
	if (!IS_ERR_VALUE(addr))
		addr = do_mmap(file, ALIGN_UP(addr, align), len, prot, MAP_SHARED | MAP_FIXED,
			       offset >> PAGE_SHIFT, &populate);
	mmap_write_unlock(mm);
	fput(file); /* the VMA holds its own reference, as after close(fd) */
	return addr;
}

struct dev_pagemap *sim_fsdax_pgmap(void)
{
	return sim.fsdax_pgmap;
}
