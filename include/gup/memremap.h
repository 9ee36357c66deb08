/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ZONE_DEVICE memory: struct dev_pagemap, memremap_pages()/memunmap_pages() over the
 * machine's device frames (sim_config.device_bytes), the pgmap reference GUP holds
 * while it references a device page, and the driver-style mapping of device memory.
 */
#ifndef GUP_MEMREMAP_H
#define GUP_MEMREMAP_H

#include <pthread.h>
#include <stdint.h>
#include <gup/page.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * What the device memory is (docs/design.md, "Device memory", says what each does
 * in the machine):
 * PRIVATE: memory the CPU cannot address (a GPU's); only its driver hands the
 *   pages out, and they never appear in a CPU page table here.
 * FS_DAX: persistent memory under a DAX file system: the pages of files under
 *   sim_config.dax_dir, mapped with devmap entries.
 * GENERIC: device-dax: a driver maps its memory into user space as it is
 *   (sim_mmap_device()), with devmap entries of the pgmap's alignment.
 * COHERENT: (6.0) device memory the CPU may address coherently, which a
 *   long-term pin must migrate away first. 6.18 profile only.
 */
enum memory_type {
	MEMORY_DEVICE_PRIVATE = 1,
	MEMORY_DEVICE_FS_DAX,
	MEMORY_DEVICE_GENERIC,
	MEMORY_DEVICE_COHERENT,
};

/* Physical byte addresses, both ends inclusive, as the kernel's struct range. */
struct range {
	uint64_t start;
	uint64_t end;
};

struct dev_pagemap_ops {
	/* A managed page's refcount fell to its idle value: the device may reuse it. */
	void (*page_free)(struct page *page);
};

/*
 * One device range. The caller fills type, range, ops (optional), owner and
 * vmemmap_shift-free mapping alignment (align: PAGE_SIZE, PMD_SIZE or PUD_SIZE,
 * what sim_mmap_device() maps it with; 0 means PAGE_SIZE); memremap_pages() owns
 * the rest until memunmap_pages() returns.
 */
struct dev_pagemap {
	enum memory_type type;
	struct range range;
	unsigned long align;
	const struct dev_pagemap_ops *ops;
	void *owner;

	/* --- private to memremap.c --- */
	atomic_long_t ref;	       /* the percpu_ref: live references */
	bool dying;		       /* percpu_ref_kill()ed: no new references */
	pthread_mutex_t lock;	       /* guards the wait for the last reference */
	pthread_cond_t done;	       /* the last reference went */
	struct list_head list;	       /* on the machine's list of pgmaps */
	atomic_long_t nr_page_free;    /* page_free callbacks so far */
	atomic_long_t nr_mapping_refs; /* references held by open device files */
};

/* The first pfn of device memory and how many device frames the machine has. */
unsigned long sim_device_start_pfn(void);
unsigned long sim_device_nr_pages(void);

static inline unsigned long pgmap_start_pfn(const struct dev_pagemap *pgmap)
{
	return (unsigned long)(pgmap->range.start >> PAGE_SHIFT);
}

static inline unsigned long pgmap_nr_pages(const struct dev_pagemap *pgmap)
{
	return (unsigned long)((pgmap->range.end - pgmap->range.start + 1) >> PAGE_SHIFT);
}

/**
 * memremap_pages() - give a device range struct pages in ZONE_DEVICE
 * @pgmap: type, range (page aligned, inside device memory) and ops filled in.
 *
 * Every page of the range gets @pgmap and the type's idle refcount (5.11: 1;
 * 6.18: 0, but 1 for GENERIC). The pgmap reference starts with one count per
 * page (5.11, and 6.18 for all but PRIVATE and COHERENT, whose pages take one
 * each when a driver hands them out).
 *
 * Return: 0; -EINVAL for a range that is empty, unaligned, outside device memory,
 * a type that is not known (COHERENT under 5.11), an alignment that is not 4 KiB,
 * 2 MiB or 1 GiB or does not divide the range's start, or PRIVATE with no
 * page_free; -EBUSY when the range overlaps a live pgmap; -ENODEV with no machine.
 */
int memremap_pages(struct dev_pagemap *pgmap);

/**
 * memunmap_pages() - take a range's struct pages away again
 * @pgmap: a pgmap memremap_pages() set up.
 *
 * Kills the pgmap reference (get_dev_pagemap() fails from here on), drops each
 * page's initial reference and waits until every reference is gone: a page GUP
 * still holds keeps it waiting until it is released. The pages then go back to
 * device memory.
 *
 * Return: nothing. A @pgmap that is not live warns once and is left alone.
 */
void memunmap_pages(struct dev_pagemap *pgmap);

/**
 * memunmap_pages_try() - memunmap_pages() only if nothing would have to be waited for
 * @pgmap: a live pgmap.
 *
 * Return: 0 when the range was taken away; -EBUSY (nothing changed) while a page
 * of it is referenced beyond its idle count or a pgmap reference is held;
 * -EINVAL for a pgmap that is not live.
 */
int memunmap_pages_try(struct dev_pagemap *pgmap);

/**
 * get_dev_pagemap() - the live pgmap of @pfn, with a reference
 * @pfn: a device pfn.
 * @pgmap: a pgmap the caller holds a reference on, or NULL. When it covers @pfn
 *         it is returned as it is (no second reference); otherwise its reference
 *         is dropped first.
 *
 * Return: the pgmap with a reference the caller drops with put_dev_pagemap();
 * NULL when no live pgmap covers @pfn (never mapped, or memunmap_pages() has
 * started on it).
 */
struct dev_pagemap *get_dev_pagemap(unsigned long pfn, struct dev_pagemap *pgmap);

/* Drop a reference get_dev_pagemap() gave; NULL is ignored. */
void put_dev_pagemap(struct dev_pagemap *pgmap);

/* References held on @pgmap now (pages' and callers'), for tests and the checker. */
long dev_pagemap_refs(struct dev_pagemap *pgmap);

/* Has memunmap_pages() killed @pgmap's reference (it may still wait)? */
static inline bool dev_pagemap_dying(const struct dev_pagemap *pgmap)
{
	return __atomic_load_n(&pgmap->dying, __ATOMIC_ACQUIRE);
}

/*
 * page_pgmap() - the pgmap of device page @page: its folio's, since a tail of a
 * compound device page (the 6.18 profile's devmap_pmd_is_folio) keeps its
 * compound_head where the pgmap pointer would be (6.15's page_pgmap()).
 */
static inline struct dev_pagemap *page_pgmap(const struct page *page)
{
	return compound_head((struct page *)page)->pgmap;
}

static inline bool is_device_private_page(const struct page *page)
{
	return is_zone_device_page(page) && page_pgmap(page)->type == MEMORY_DEVICE_PRIVATE;
}

static inline bool is_fsdax_page(const struct page *page)
{
	return is_zone_device_page(page) && page_pgmap(page)->type == MEMORY_DEVICE_FS_DAX;
}

static inline bool is_device_coherent_page(const struct page *page)
{
	return is_zone_device_page(page) && page_pgmap(page)->type == MEMORY_DEVICE_COHERENT;
}

/**
 * sim_device_page_get() - a driver hands a free device page out (6.x's
 * zone_device_page_init(); 5.11's drivers get_page() it)
 * @page: a page of a live PRIVATE or COHERENT pgmap at its idle refcount.
 *
 * Return: 0 with one reference the driver drops with put_page() (which calls
 * the pgmap's page_free when the page is idle again); -EBUSY when the page is
 * already handed out; -EINVAL for a page of another type or no device page;
 * -ENXIO when its pgmap is being taken away.
 */
int sim_device_page_get(struct page *page);

/**
 * sim_mmap_device() - a device-dax driver's mmap: map @len bytes of @pgmap from
 * byte @offset into the current task, MAP_SHARED
 * @pgmap: a live GENERIC (or, 6.18, COHERENT) pgmap.
 * @offset: bytes into the range; a multiple of the pgmap's alignment.
 * @len: bytes; a multiple of the alignment, @offset + @len inside the range.
 * @prot: PROT_READ, PROT_WRITE.
 *
 * The VMA is placed at an address aligned to the pgmap's alignment; faults map
 * devmap PTEs, PMDs or PUDs of that size. The mapping holds a pgmap reference
 * of its own until it is gone (so memunmap_pages() waits for munmap).
 *
 * Return: the address, or -errno as an unsigned long: -EINVAL for a pgmap that
 * is not live or of another type, unaligned @offset or @len, a range past the
 * pgmap's end, or unknown @prot bits; -ENOMEM when no address range fits;
 * -EINTR when killed waiting for mmap_lock.
 */
unsigned long sim_mmap_device(struct dev_pagemap *pgmap, unsigned long offset, unsigned long len,
			      unsigned long prot);

/* The machine's fsdax "pmem" pgmap (all of device memory when dax_dir is set), or NULL. */
struct dev_pagemap *sim_fsdax_pgmap(void);

#ifdef __cplusplus
}
#endif

#endif /* GUP_MEMREMAP_H */
