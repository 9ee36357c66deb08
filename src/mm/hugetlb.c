// SPDX-License-Identifier: GPL-2.0-only
/*
 * hugetlb: the boot-time pools of 2 MiB (pmd-mapped) and 1 GiB (pud-mapped) pages,
 * their reservations, the hugetlbfs-like object behind MAP_HUGETLB, and hugetlb
 * faults, COW, fork, zap, mprotect and GUP's walk of hugetlb VMAs, as 5.11 does them.
 */
#include <fcntl.h>

#include "fs/internal.h"
#include "mm/internal.h"
#include "mm/page_isolation.h"
#include <gup/pagemap.h>

/*
 * Simplifications against the kernel, each visible in docs/design.md:
 *  - the pools are fixed at boot: no nr_hugepages writes, no surplus pages
 *    (HugePages_Surp is always 0), no overcommit;
 *  - reservations are made at mmap for every huge page of the mapping (unless
 *    MAP_NORESERVE), one flag per huge page in the mapping's object; a private
 *    mapping's flags serve only the mm that mapped it, so a COW after fork (or any
 *    fault of the child) takes a page outside the reservations or gets SIGBUS;
 *    the kernel's owner would instead unmap the page from the children and retry;
 *  - no hugetlb fault mutex: two faults on one huge page race to install it under
 *    the page-table lock and the loser gives its page (and reservation) back;
 *  - no hugetlb_usage counter in the mm: show_status()'s HugetlbPages line walks
 *    the hugetlb VMAs instead;
 *  - a hugetlbfs memfd (MFD_HUGETLB) reserves nothing: an empty pool is SIGBUS at
 *    the fault, where the kernel's mmap would fail with -ENOMEM;
 *  - migration: the free lists are per zone (the kernel's per node); a temporary
 *    migration target is counted apart (temporary_huge_pages), not in
 *    nr_huge_pages as the kernel counts it while it lives.
 */

static struct hstate hstates[HUGE_MAX_HSTATE];
static spinlock_t hugetlb_lock; /* the pools' free lists and counters */

/* What one MAP_HUGETLB mapping's object (its file's inode->i_private) holds. */
struct hugetlbfs_inode {
	struct hstate *h;
	bool shared;
	struct mm_struct *owner; /* private: the mm whose faults the reservations serve */
	unsigned long nr;	 /* huge pages the object spans */
	unsigned long nr_resv;	 /* reservations still held */
	unsigned char *resv;	 /* per huge page: a pool page is reserved for it */
};

static struct hugetlbfs_inode *hugetlb_inode(struct vm_area_struct *vma)
{
	return vma->vm_file->f_inode->i_private;
}

struct hstate *hstate_vma(struct vm_area_struct *vma)
{
	return hugetlb_inode(vma)->h;
}

static struct hstate *page_hstate(struct page *head)
{
	return &hstates[compound_order(head) == HUGETLB_1G_ORDER ? HSTATE_1G : HSTATE_2M];
}

/* The huge page index of @addr in @vma's object. */
static unsigned long vma_hugecache_offset(struct hstate *h, struct vm_area_struct *vma,
					  unsigned long addr)
{
	return ((addr - vma->vm_start) >> (h->order + PAGE_SHIFT)) + (vma->vm_pgoff >> h->order);
}

/* --- the pools --- */

int hugetlb_gigantic_range(unsigned long nr_1g, unsigned long normal_pages, unsigned long *start)
{
	unsigned long per_page = 1UL << HUGETLB_1G_ORDER;
	unsigned long top = ALIGN_DOWN(normal_pages, per_page);

	*start = normal_pages;
	if (!nr_1g)
		return 0;
	/* The low reserved frames (pfn 0, the zero and gate pages) are never carved. */
	if (nr_1g > top / per_page || top - nr_1g * per_page < RESERVED_LOW_PFNS) {
		fprintf(stderr,
			"libgup: hugetlb_1g_pages=%lu does not fit: ZONE_NORMAL holds %lu MiB and "
			"1 GiB pages need aligned gigabytes above the first frames\n",
			nr_1g, (normal_pages << PAGE_SHIFT) >> 20);
		return -EINVAL;
	}
	*start = top - nr_1g * per_page;
	return 0;
}

static void hstate_init(struct hstate *h, unsigned int order, const char *name)
{
	*h = (struct hstate){.order = order, .name = name};
	for (int z = 0; z < MAX_NR_ZONES; z++)
		INIT_LIST_HEAD(&h->free_lists[z]);
	INIT_LIST_HEAD(&h->active_list);
}

static bool hstate_is_gigantic(const struct hstate *h)
{
	return h->order >= MAX_ORDER;
}

/*
 * 5.11's htlb_alloc_mask(): a 2 MiB page may be migrated, so it is a movable
 * allocation (ZONE_MOVABLE and CMA pageblocks may hold it); a gigantic page is
 * not, since finding a free gigantic range to move it to is not feasible.
 */
static gfp_t htlb_alloc_mask(const struct hstate *h)
{
	return hstate_is_gigantic(h) ? GFP_HIGHUSER : GFP_HIGHUSER_MOVABLE;
}

/* The hugetlb state bits a head keeps in ->private_data (6.x's hugetlb_page_flags). */
#define HPG_MIGRATABLE 0x1UL /* mapped or in its cache, not isolated: 5.11's page_huge_active */
#define HPG_TEMPORARY 0x2UL  /* a migration target from the buddy allocator, not the pool's */
/* The machine's own, for the checker: the reference isolation or a target allocation holds. */
#define HPG_ISOLATED 0x4UL
#define HPG_TARGET 0x8UL

static bool hpage_test(struct page *head, unsigned long bit)
{
	return head->private_data & bit;
}

static void hpage_set(struct page *head, unsigned long bit)
{
	head->private_data |= bit;
}

static void hpage_clear(struct page *head, unsigned long bit)
{
	head->private_data &= ~bit;
}

/* A free page goes on the free list of its zone. hugetlb_lock held. */
static void enqueue_huge_page(struct hstate *h, struct page *page)
{
	list_add_tail(&page->lru, &h->free_lists[page_zonenum(page)]);
	h->free_huge_pages++;
}

/* A new pool page: free (refcount 0) and marked as hugetlb's. */
static void enqueue_new_huge_page(struct hstate *h, struct page *page)
{
	page[1].compound_dtor = HUGETLB_PAGE_DTOR;
	set_page_count(page, 0);
	h->pages[h->nr_huge_pages++] = page;
	enqueue_huge_page(h, page);
}

void hugetlb_init_pools(unsigned long nr_2m, unsigned long gigantic_start, unsigned long nr_1g,
			bool quiet)
{
	struct hstate *h2 = &hstates[HSTATE_2M], *h1 = &hstates[HSTATE_1G];
	unsigned long most_2m = sim.zones[ZONE_NORMAL].spanned_pages >> HPAGE_PMD_ORDER;
	unsigned long want_2m = nr_2m;

	spin_lock_init(&hugetlb_lock);
	hstate_init(h2, HPAGE_PMD_ORDER, "hugepages-2048kB");
	hstate_init(h1, HUGETLB_1G_ORDER, "hugepages-1048576kB");
	nr_2m = min_t(unsigned long, nr_2m, most_2m); /* more could never be allocated */
	h2->pages = nr_2m ? calloc(nr_2m, sizeof(struct page *)) : NULL;
	h1->pages = nr_1g ? calloc(nr_1g, sizeof(struct page *)) : NULL;
	if ((nr_2m && !h2->pages) || (nr_1g && !h1->pages))
		nr_2m = nr_1g = 0; /* no host memory for the lists: no pools */
	for (unsigned long i = 0; i < nr_1g; i++) {
		unsigned long pfn = gigantic_start + (i << HUGETLB_1G_ORDER);

		prep_gigantic_page(pfn, HUGETLB_1G_ORDER);
		enqueue_new_huge_page(h1, pfn_to_page(pfn));
	}
	for (unsigned long i = 0; i < nr_2m; i++) {
		struct page *page = alloc_pages(htlb_alloc_mask(h2) | __GFP_COMP | __GFP_NOWARN,
						HPAGE_PMD_ORDER);

		if (!page)
			break;
		enqueue_new_huge_page(h2, page);
	}
	if (h2->nr_huge_pages < want_2m && !quiet)
		fprintf(stderr,
			"libgup: HugeTLB: allocating %lu of page size 2.00 MiB failed. Only "
			"allocated %lu hugepages.\n",
			want_2m, h2->nr_huge_pages);
}

/* The first free page on @zone's list that @gfp may use (CMA pageblocks only with __GFP_CMA). */
static struct page *dequeue_huge_page_zone(struct hstate *h, enum zone_type zone, gfp_t gfp)
{
	struct page *page;

	list_for_each_entry(page, &h->free_lists[zone], lru)
	{
		if (is_migrate_cma_page(page) && !(gfp & __GFP_CMA))
			continue;
		/* dequeue_huge_page_node_exact(): none from a range being emptied. */
		if (pfn_isolated(page_to_pfn(page)))
			continue;
		list_del(&page->lru);
		h->free_huge_pages--;
		return page;
	}
	return NULL;
}

/*
 * A free pool page for an allocation of @gfp in the current allocation context
 * (5.11 dequeue_huge_page_nodemask(); 6.x's pin context skips pages a long-term
 * pin may not keep): @zone's list only when @zone < MAX_NR_ZONES (a migration to
 * that zone), else the zones @gfp allows, ZONE_MOVABLE first as the buddy
 * allocator orders them. hugetlb_lock held. Return: the page, or NULL.
 */
static struct page *dequeue_huge_page(struct hstate *h, gfp_t gfp, int zone)
{
	struct page *page = NULL;

	gfp = current_gfp_context(gfp);
	if (zone < MAX_NR_ZONES)
		return dequeue_huge_page_zone(h, (enum zone_type)zone, gfp);
	if (gfp & __GFP_MOVABLE)
		page = dequeue_huge_page_zone(h, ZONE_MOVABLE, gfp);
	return page ? page : dequeue_huge_page_zone(h, ZONE_NORMAL, gfp);
}

/* Any free page, whatever its zone (shutdown). hugetlb_lock held. */
static struct page *dequeue_any_huge_page(struct hstate *h)
{
	for (int z = 0; z < MAX_NR_ZONES; z++)
		if (!list_empty(&h->free_lists[z]))
			return dequeue_huge_page_zone(h, (enum zone_type)z, __GFP_CMA);
	return NULL;
}

/* A free page of @h overlapping [@start, @end), or NULL. hugetlb_lock held. */
static struct page *free_huge_page_in(struct hstate *h, unsigned long start, unsigned long end)
{
	struct page *page;

	for (int z = 0; z < MAX_NR_ZONES; z++)
		list_for_each_entry(page, &h->free_lists[z], lru)
		{
			unsigned long pfn = page_to_pfn(page);

			if (pfn < end && pfn + pages_per_huge_page(h) > start)
				return page;
		}
	return NULL;
}

/* @old, free and off its list, leaves the pool: @fresh takes its place, or nothing does. */
static void pool_replace(struct hstate *h, struct page *old, struct page *fresh)
{
	unsigned long i = 0;

	while (i < h->nr_huge_pages && h->pages[i] != old)
		i++;
	if (WARN_ON_ONCE(i == h->nr_huge_pages))
		return;
	if (fresh) {
		fresh[1].compound_dtor = HUGETLB_PAGE_DTOR;
		set_page_count(fresh, 0);
		h->pages[i] = fresh;
		enqueue_huge_page(h, fresh);
	} else {
		h->pages[i] = h->pages[--h->nr_huge_pages];
	}
}

/* A page out of the pool goes back to the buddy allocator (update_and_free_page()). */
static void free_pool_page_to_buddy(struct hstate *h, struct page *page)
{
	page[1].compound_dtor = 0;
	if (hstate_is_gigantic(h)) {
		free_gigantic_page(page, h->order);
	} else {
		set_page_count(page, 1);
		__free_pages(page, h->order);
	}
}

int dissolve_free_huge_pages(unsigned long start_pfn, unsigned long end_pfn, bool replace)
{
	int dissolved = 0;

	for (int i = 0; i < HUGE_MAX_HSTATE; i++) {
		struct hstate *h = &hstates[i];

		/* isolate_or_dissolve_huge_page(): no replacement for a gigantic page. */
		if (replace && hstate_is_gigantic(h))
			continue;
		for (;;) {
			struct page *old, *fresh = NULL;

			spin_lock(&hugetlb_lock);
			old = free_huge_page_in(h, start_pfn, end_pfn);
			/* dissolve_free_huge_page(): never below what reservations promised. */
			if (old && !replace && h->free_huge_pages == h->resv_huge_pages)
				old = NULL;
			if (old) {
				list_del(&old->lru);
				h->free_huge_pages--;
			}
			spin_unlock(&hugetlb_lock);
			if (!old)
				break;
			if (replace)
				fresh = alloc_pages(htlb_alloc_mask(h) | __GFP_COMP | __GFP_NOWARN,
						    h->order);
			spin_lock(&hugetlb_lock);
			if (replace && !fresh)
				enqueue_huge_page(h, old); /* nowhere to go: it stays */
			else
				pool_replace(h, old, fresh);
			spin_unlock(&hugetlb_lock);
			if (replace && !fresh)
				break;
			free_pool_page_to_buddy(h, old);
			dissolved++;
		}
	}
	return dissolved;
}

void hugetlb_release_pools(void)
{
	for (int i = 0; i < HUGE_MAX_HSTATE; i++) {
		struct hstate *h = &hstates[i];
		struct page *page;

		while ((page = dequeue_any_huge_page(h)))
			free_pool_page_to_buddy(h, page);
		free(h->pages);
		hstate_init(h, h->order, h->name);
	}
}

unsigned long hugetlb_pages_in_use(void)
{
	unsigned long n = 0;

	for (int i = 0; i < HUGE_MAX_HSTATE; i++)
		n += hstates[i].nr_huge_pages - hstates[i].free_huge_pages +
		     hstates[i].temporary_huge_pages;
	return n;
}

/*
 * Take a free pool page for the huge page @idx of @inode faulted through @vma.
 * With @may_use_reserve it consumes the reservation held for @idx, if this fault
 * may use it (*@used_reserve says so); else it takes a free page nobody was
 * promised. Return: the page with refcount 1 (not zeroed), or NULL: the pool is
 * exhausted, or the "hugetlb_alloc" injection point fired.
 */
static struct page *alloc_huge_page(struct hugetlbfs_inode *inode, struct vm_area_struct *vma,
				    unsigned long idx, bool may_use_reserve, bool *used_reserve)
{
	struct hstate *h = inode->h;
	struct page *page = NULL;
	bool reserved;

	*used_reserve = false;
	if (sim_point(SP_HUGETLB_ALLOC, vma))
		return NULL;
	spin_lock(&hugetlb_lock);
	reserved = may_use_reserve && inode->resv && idx < inode->nr && inode->resv[idx] &&
		   (inode->shared || vma->vm_mm == inode->owner);
	if (reserved || h->free_huge_pages > h->resv_huge_pages)
		page = dequeue_huge_page(h, htlb_alloc_mask(h), MAX_NR_ZONES);
	if (page && reserved) {
		inode->resv[idx] = 0;
		inode->nr_resv--;
		h->resv_huge_pages--;
		*used_reserve = true;
	}
	if (page)
		list_add(&page->lru, &h->active_list);
	spin_unlock(&hugetlb_lock);
	if (!page)
		return NULL;
	page_alloc_note_used(page, h->order);
	set_page_count(page, 1);
	return page;
}

/* A fault that consumed @idx's reservation lost its race: the reservation comes back. */
static void restore_reserve(struct hugetlbfs_inode *inode, unsigned long idx)
{
	spin_lock(&hugetlb_lock);
	inode->resv[idx] = 1;
	inode->nr_resv++;
	inode->h->resv_huge_pages++;
	spin_unlock(&hugetlb_lock);
}

/* A temporary page's last reference: it leaves hugetlb for the buddy allocator. */
static void free_temporary_huge_page(struct hstate *h, struct page *page)
{
	page[1].compound_dtor = 0;
	page->private_data = 0;
	set_page_count(page, 1);
	__free_pages(page, h->order);
}

void free_huge_page(struct page *page)
{
	struct hstate *h = page_hstate(page);
	bool temporary = hpage_test(page, HPG_TEMPORARY);

	VM_BUG_ON_PAGE(page_ref_count(page) != 0, page);
	VM_BUG_ON_PAGE(compound_pincount(page) != 0, page);
	WRITE_ONCE(page->mapping, NULL);
	page->index = 0;
	/* Only the zone and the head bit survive (dirty, swapbacked, referenced go). */
	WRITE_ONCE(page->flags, (page->flags & (~0UL << ZONES_PGSHIFT)) | (1UL << PG_head));
	atomic_set(&page->_mapcount, -1);
	atomic_set(&page[1].compound_mapcount, -1);
	pin_owner_forget(page);
	spin_lock(&hugetlb_lock);
	list_del(&page->lru); /* off the active list */
	page->private_data = 0;
	if (temporary) {
		h->temporary_huge_pages--;
		spin_unlock(&hugetlb_lock);
		free_temporary_huge_page(h, page);
		return;
	}
	enqueue_huge_page(h, page);
	spin_unlock(&hugetlb_lock);
}

/* Set aside @nr free pages. Return: 0, or -ENOMEM when the free pages cannot cover it. */
static int hugetlb_acct_reserve(struct hstate *h, unsigned long nr)
{
	int ret = 0;

	spin_lock(&hugetlb_lock);
	if (h->free_huge_pages - h->resv_huge_pages < nr)
		ret = -ENOMEM;
	else
		h->resv_huge_pages += nr;
	spin_unlock(&hugetlb_lock);
	return ret;
}

/* Give back the reservations @inode still holds for [@first, @last). */
static void release_reserves(struct hugetlbfs_inode *inode, unsigned long first, unsigned long last)
{
	if (!inode->resv)
		return;
	spin_lock(&hugetlb_lock);
	for (unsigned long i = first; i < last && i < inode->nr; i++)
		if (inode->resv[i]) {
			inode->resv[i] = 0;
			inode->nr_resv--;
			inode->h->resv_huge_pages--;
		}
	spin_unlock(&hugetlb_lock);
}

/* --- the hugetlbfs-like object --- */

static void hugetlbfs_release(struct file *file)
{
	struct address_space *mapping = file->f_mapping;
	struct hugetlbfs_inode *inode = file->f_inode->i_private;

	/* The object's cache, emptied here: these pages are no page-cache pages to iput(). */
	for (unsigned long i = 0; i < inode->nr; i++) {
		struct page *page;

		spin_lock(&mapping->i_pages_lock);
		page = xa_erase(&mapping->i_pages, i);
		spin_unlock(&mapping->i_pages_lock);
		if (!page)
			continue;
		mapping->nrpages--;
		WRITE_ONCE(page->mapping, NULL);
		put_page(page);
	}
	release_reserves(inode, 0, inode->nr);
	free(inode->resv);
	free(inode);
}

static const struct file_operations hugetlbfs_file_operations = {
	.release = hugetlbfs_release,
};

struct hstate *hstate_from_mmap_flags(unsigned long flags)
{
	unsigned long log = (flags >> MAP_HUGE_SHIFT) & MAP_HUGE_MASK;

	if (log == 0 || log == PMD_SHIFT)
		return &hstates[HSTATE_2M];
	if (log == PUD_SHIFT)
		return &hstates[HSTATE_1G];
	return NULL;
}

static struct hugetlbfs_inode *hugetlbfs_inode_alloc(struct hstate *h, unsigned long nr,
						     bool shared, bool noreserve,
						     struct mm_struct *owner)
{
	struct hugetlbfs_inode *inode = calloc(1, sizeof(*inode));

	if (!inode)
		return NULL;
	*inode = (struct hugetlbfs_inode){
		.h = h, .shared = shared, .owner = shared ? NULL : owner, .nr = nr};
	if (noreserve)
		return inode;
	inode->resv = malloc(nr);
	if (!inode->resv) {
		free(inode);
		return NULL;
	}
	memset(inode->resv, 1, nr);
	inode->nr_resv = nr;
	return inode;
}

struct file *hugetlb_file_setup(struct hstate *h, unsigned long len, bool shared, bool noreserve,
				struct mm_struct *owner)
{
	unsigned long nr = len >> (h->order + PAGE_SHIFT);
	struct hugetlbfs_inode *hinode;
	struct inode *inode;
	struct file *file;

	if (!noreserve && hugetlb_acct_reserve(h, nr))
		return NULL;
	hinode = hugetlbfs_inode_alloc(h, nr, shared, noreserve, owner);
	inode = hinode ? new_pseudo_inode((loff_t)len) : NULL;
	if (!inode) {
		if (hinode)
			free(hinode->resv);
		free(hinode);
		if (!noreserve) {
			spin_lock(&hugetlb_lock);
			h->resv_huge_pages -= nr;
			spin_unlock(&hugetlb_lock);
		}
		return NULL;
	}
	inode->i_private = hinode;
	file = alloc_file(inode, FMODE_READ | FMODE_WRITE, O_RDWR, &hugetlbfs_file_operations);
	if (!file) {
		struct file tmp = {.f_inode = inode, .f_mapping = &inode->i_data};

		hugetlbfs_release(&tmp);
		iput(inode);
	}
	return file;
}

/* An owner's private VMA going away gives back the reservations of its range. */
static void hugetlb_vm_op_close(struct vm_area_struct *vma)
{
	struct hugetlbfs_inode *inode = hugetlb_inode(vma);
	struct hstate *h = inode->h;

	if (inode->shared || vma->vm_mm != inode->owner)
		return;
	release_reserves(inode, vma_hugecache_offset(h, vma, vma->vm_start),
			 vma_hugecache_offset(h, vma, vma->vm_end));
}

/* MAP_HUGETLB's object is an unlinked hugetlbfs file, private or shared. */
static const char *hugetlb_vma_name(struct vm_area_struct *vma)
{
	(void)vma;
	return "/anon_hugepage (deleted)";
}

/* Faults never reach ->fault: handle_mm_fault() sends hugetlb VMAs to hugetlb_fault(). */
static vm_fault_t hugetlb_vm_op_fault(struct vm_fault *vmf)
{
	(void)vmf;
	WARN_ON_ONCE(1);
	return VM_FAULT_SIGBUS;
}

const struct vm_operations_struct hugetlb_vm_ops = {
	.close = hugetlb_vm_op_close,
	.fault = hugetlb_vm_op_fault,
	.name = hugetlb_vma_name,
};

int hugetlb_split_ok(struct vm_area_struct *vma, unsigned long addr)
{
	return IS_ALIGNED(addr, huge_page_size(hstate_vma(vma))) ? 0 : -EINVAL;
}

/* --- huge entries: a pmd (2 MiB) or a pud (1 GiB) used as one leaf --- */

static unsigned long huge_ptep_get(unsigned long *ptep)
{
	return __atomic_load_n(ptep, __ATOMIC_ACQUIRE);
}

static void set_huge_pte_at(unsigned long *ptep, unsigned long entry)
{
	__atomic_store_n(ptep, entry, __ATOMIC_RELEASE);
}

static unsigned long huge_ptep_get_and_clear(unsigned long *ptep)
{
	return __atomic_exchange_n(ptep, 0UL, __ATOMIC_SEQ_CST);
}

static struct page *huge_pte_page(unsigned long entry)
{
	return pfn_to_page((entry & PTE_PFN_MASK) >> PAGE_SHIFT);
}

unsigned long *huge_pte_offset(struct mm_struct *mm, unsigned long addr, unsigned long sz)
{
	pgd_t *pgd = pgd_offset(mm, addr);
	pud_t *pud;
	pud_t v;

	if (!pgd_present(pgdp_get(pgd)))
		return NULL;
	pud = pud_offset(p4d_offset(pgd, addr), addr);
	if (sz == PUD_SIZE)
		return &pud->pud;
	v = pudp_get(pud);
	if (!pud_present(v) || pud_huge(v))
		return NULL;
	return &pmd_offset(pud, addr)->pmd;
}

static unsigned long *huge_pte_alloc(struct mm_struct *mm, unsigned long addr, unsigned long sz)
{
	p4d_t *p4d = p4d_alloc(mm, pgd_offset(mm, addr), addr);
	pud_t *pud = p4d ? pud_alloc(mm, p4d, addr) : NULL;
	pmd_t *pmd;

	if (!pud)
		return NULL;
	if (sz == PUD_SIZE)
		return &pud->pud;
	pmd = pmd_alloc(mm, pud, addr);
	return pmd ? &pmd->pmd : NULL;
}

/* The leaf mapping @page in @vma: young, and writable and dirty when @writable. */
static unsigned long make_huge_pte(struct vm_area_struct *vma, struct page *page, bool writable)
{
	unsigned long entry = pte_val(mk_pte(page, vma->vm_page_prot)) | _PAGE_PSE | _PAGE_ACCESSED;

	if (writable)
		return entry | _PAGE_RW | _PAGE_DIRTY;
	return entry & ~_PAGE_RW;
}

/* Mapcounts: every huge entry mapping the page counts once in its compound mapcount. */
static void hugetlb_add_new_anon_rmap(struct page *page, struct vm_area_struct *vma,
				      unsigned long haddr)
{
	atomic_set(&page[1].compound_mapcount, 0);
	WRITE_ONCE(page->mapping, (struct address_space *)((unsigned long)READ_ONCE(vma->anon_vma) |
							   PAGE_MAPPING_ANON));
	page->index = ((haddr - vma->vm_start) >> PAGE_SHIFT) + vma->vm_pgoff;
	mark_new_anon_page(page, 1); /* hugetlb: the head speaks for the page */
}

static void hugetlb_dup_rmap(struct page *page)
{
	atomic_inc(&page[1].compound_mapcount);
}

static void hugetlb_remove_rmap(struct page *page)
{
	atomic_dec(&page[1].compound_mapcount);
}

static void clear_huge_page(struct page *page, struct hstate *h)
{
	memset(page_address(page), 0, huge_page_size(h));
}

/* --- migration: hugetlb's own active list, targets, and huge migration entries --- */

/* @page is mapped or in its cache now: a migration may isolate it. */
static void hugetlb_set_migratable(struct page *page)
{
	spin_lock(&hugetlb_lock);
	hpage_set(page, HPG_MIGRATABLE);
	spin_unlock(&hugetlb_lock);
}

bool isolate_huge_page(struct page *page, struct list_head *list)
{
	bool isolated = false;

	spin_lock(&hugetlb_lock);
	if (PageHuge(page) && page == compound_head(page) && hpage_test(page, HPG_MIGRATABLE) &&
	    page_ref_add_unless_zero(page, 1)) {
		hpage_clear(page, HPG_MIGRATABLE);
		hpage_set(page, HPG_ISOLATED);
		list_move_tail(&page->lru, list);
		isolated = true;
	}
	spin_unlock(&hugetlb_lock);
	return isolated;
}

void putback_active_hugepage(struct page *page)
{
	struct hstate *h = page_hstate(page);

	VM_BUG_ON_PAGE(!PageHead(page), page);
	spin_lock(&hugetlb_lock);
	hpage_clear(page, HPG_ISOLATED | HPG_TARGET);
	hpage_set(page, HPG_MIGRATABLE);
	list_move_tail(&page->lru, &h->active_list);
	spin_unlock(&hugetlb_lock);
	put_page(page);
}

/*
 * 5.11's alloc_migrate_huge_page(): a fresh 2 MiB page from the buddy allocator
 * (in @zone when it is one), marked temporary: it does not join the pool's
 * counters, and whichever of old and new is freed last of the two leaves for the
 * buddy allocator again. Gigantic pages have none. Return: the page with
 * refcount 1, or NULL.
 */
static struct page *alloc_temporary_huge_page(struct hstate *h, gfp_t gfp, int zone)
{
	struct page *page;

	if (hstate_is_gigantic(h))
		return NULL;
	gfp |= __GFP_COMP | __GFP_NOWARN;
	page = zone < MAX_NR_ZONES ? alloc_pages_zone(gfp, h->order, (enum zone_type)zone)
				   : alloc_pages(gfp, h->order);
	if (!page)
		return NULL;
	page[1].compound_dtor = HUGETLB_PAGE_DTOR;
	spin_lock(&hugetlb_lock);
	page->private_data = HPG_TEMPORARY | HPG_TARGET;
	h->temporary_huge_pages++;
	list_add(&page->lru, &h->active_list);
	spin_unlock(&hugetlb_lock);
	return page;
}

struct page *alloc_hugetlb_migration_target(struct page *page, int zone)
{
	struct hstate *h = page_hstate(compound_head(page));
	struct page *new = NULL;

	spin_lock(&hugetlb_lock);
	/* Only a page nobody was promised: the reservations stay covered. */
	if (h->free_huge_pages > h->resv_huge_pages)
		new = dequeue_huge_page(h, htlb_alloc_mask(h), zone);
	if (new) {
		list_add(&new->lru, &h->active_list);
		hpage_set(new, HPG_TARGET);
	}
	spin_unlock(&hugetlb_lock);
	if (!new)
		return alloc_temporary_huge_page(h, htlb_alloc_mask(h), zone);
	page_alloc_note_used(new, h->order);
	set_page_count(new, 1);
	return new;
}

void move_hugetlb_state(struct page *old, struct page *new)
{
	struct hstate *h = page_hstate(old);

	if (!hpage_test(new, HPG_TEMPORARY))
		return;
	/* The copy stays in the pool in the old page's place; the old page is freed. */
	spin_lock(&hugetlb_lock);
	hpage_clear(new, HPG_TEMPORARY);
	hpage_set(old, HPG_TEMPORARY);
	for (unsigned long i = 0; i < h->nr_huge_pages; i++)
		if (h->pages[i] == old)
			h->pages[i] = new;
	spin_unlock(&hugetlb_lock);
}

unsigned int hugetlb_page_held_refs(struct page *head)
{
	return !!hpage_test(head, HPG_ISOLATED) + !!hpage_test(head, HPG_TARGET);
}

unsigned long huge_migration_entry(struct page *page, bool write)
{
	return pte_val(swp_entry_to_pte(make_migration_entry(page, write)));
}

static struct page *huge_pte_page_of(unsigned long entry)
{
	return migration_entry_to_page(pte_to_swp_entry(__pte(entry)));
}

/*
 * fork of a huge migration entry (5.11 copy_hugetlb_page_range()): the child
 * gets the same entry; in a COW mapping a write entry turns read in both, so
 * that the page comes back write-protected in parent and child alike.
 */
static void copy_hugetlb_migration_entry(unsigned long *src, unsigned long *dst,
					 unsigned long entry, bool cow)
{
	if (cow && is_write_migration_entry(pte_to_swp_entry(__pte(entry)))) {
		entry = huge_migration_entry(huge_pte_page_of(entry), false);
		set_huge_pte_at(src, entry);
	}
	set_huge_pte_at(dst, entry);
}

/* The huge entry of @vma for @page's rmap @address, or NULL outside a hugetlb VMA. */
static unsigned long *hugetlb_rmap_ptep(struct vm_area_struct *vma, unsigned long address)
{
	struct hstate *h;

	if (!is_vm_hugetlb_page(vma))
		return NULL;
	h = hstate_vma(vma);
	return huge_pte_offset(vma->vm_mm, address & huge_page_mask(h), huge_page_size(h));
}

bool hugetlb_try_to_unmap_one(struct page *page, struct vm_area_struct *vma, unsigned long address,
			      void *arg)
{
	unsigned int flags = *(unsigned int *)arg;
	unsigned long *ptep = hugetlb_rmap_ptep(vma, address), entry;
	spinlock_t *ptl;

	if (!ptep)
		return true;
	ptl = pmd_lock(vma->vm_mm);
	entry = huge_ptep_get(ptep);
	if (!(entry & _PAGE_PRESENT) || huge_pte_page(entry) != page) {
		spin_unlock(ptl);
		return true;
	}
	/* Only migration unmaps a hugetlb page: reclaim never takes it. */
	if (WARN_ON_ONCE(!(flags & TTU_MIGRATION))) {
		spin_unlock(ptl);
		return false;
	}
	entry = huge_ptep_get_and_clear(ptep);
	if (entry & _PAGE_DIRTY)
		SetPageDirty(page);
	set_huge_pte_at(ptep, huge_migration_entry(page, entry & _PAGE_RW));
	hugetlb_remove_rmap(page);
	spin_unlock(ptl);
	put_page(page); /* the entry's */
	return true;
}

bool hugetlb_remove_migration_pte(struct page *new, struct vm_area_struct *vma,
				  unsigned long address, void *arg)
{
	struct page *old = arg;
	unsigned long *ptep = hugetlb_rmap_ptep(vma, address), entry, swp;
	spinlock_t *ptl;

	if (!ptep)
		return true;
	ptl = pmd_lock(vma->vm_mm);
	swp = huge_ptep_get(ptep);
	if (!is_hugetlb_entry_migration(swp) || huge_pte_page_of(swp) != old) {
		spin_unlock(ptl);
		return true;
	}
	/* Old (not young) and clean, writable again only if it was and the VMA is. */
	entry = pte_val(mk_pte(new, vma->vm_page_prot)) | _PAGE_PSE;
	if (is_write_migration_entry(pte_to_swp_entry(__pte(swp))) && (vma->vm_flags & VM_WRITE))
		entry |= _PAGE_RW;
	get_page(new);
	hugetlb_dup_rmap(new);
	set_huge_pte_at(ptep, entry);
	spin_unlock(ptl);
	return true;
}

/* --- faults --- */

/*
 * The page cache of a shared object: the page at @idx, created (zeroed) if absent.
 * Return: the page with a reference for the caller's mapping, or NULL (SIGBUS).
 */
/* The object's page at @idx with a reference, or NULL when there is none. */
static struct page *hugetlbfs_cache_get(struct address_space *mapping, unsigned long idx)
{
	struct page *page;

	spin_lock(&mapping->i_pages_lock);
	page = xa_load(&mapping->i_pages, idx);
	if (page)
		get_page(page);
	spin_unlock(&mapping->i_pages_lock);
	return page;
}

static struct page *hugetlbfs_find_or_create(struct vm_area_struct *vma, unsigned long idx)
{
	struct address_space *mapping = vma->vm_file->f_mapping;
	struct hugetlbfs_inode *inode = hugetlb_inode(vma);
	struct page *page, *fresh;
	bool used_reserve;

	page = hugetlbfs_cache_get(mapping, idx);
	if (page)
		return page;
	fresh = alloc_huge_page(inode, vma, idx, true, &used_reserve);
	if (!fresh)
		return NULL;
	clear_huge_page(fresh, inode->h);
	spin_lock(&mapping->i_pages_lock);
	page = xa_load(&mapping->i_pages, idx);
	if (!page && xa_insert(&mapping->i_pages, idx, fresh)) {
		spin_unlock(&mapping->i_pages_lock);
		if (used_reserve)
			restore_reserve(inode, idx);
		put_page(fresh);
		return NULL; /* no memory for the cache's node: SIGBUS, as a failed allocation */
	}
	if (!page) {
		/* The allocation's reference becomes the object's. */
		page = fresh;
		WRITE_ONCE(fresh->mapping, mapping);
		fresh->index = idx;
		SetPageUptodate(fresh);
		mapping->nrpages++;
		fresh = NULL;
	}
	get_page(page);
	spin_unlock(&mapping->i_pages_lock);
	if (fresh) {
		if (used_reserve)
			restore_reserve(inode, idx);
		put_page(fresh);
	}
	return page;
}

static vm_fault_t hugetlb_no_page(struct mm_struct *mm, struct vm_area_struct *vma,
				  unsigned long haddr, unsigned long *ptep, unsigned int flags)
{
	struct hugetlbfs_inode *inode = hugetlb_inode(vma);
	unsigned long idx = vma_hugecache_offset(inode->h, vma, haddr);
	bool shared = vma->vm_flags & VM_SHARED;
	bool used_reserve = false, writable, file_page = shared;
	struct page *page;
	spinlock_t *ptl;

	/* Beyond the object's end (a memfd's size): SIGBUS, shared or private. */
	if (idx >= READ_ONCE(inode->nr))
		return VM_FAULT_SIGBUS;
	if (shared) {
		page = hugetlbfs_find_or_create(vma, idx);
		writable = vma->vm_flags & VM_WRITE;
	} else if (anon_vma_prepare(vma)) {
		return VM_FAULT_OOM;
	} else if ((page = hugetlbfs_cache_get(vma->vm_file->f_mapping, idx))) {
		/* A private mapping of a memfd maps its page read-only; a write copies it. */
		file_page = true;
		writable = false;
	} else {
		page = alloc_huge_page(inode, vma, idx, true, &used_reserve);
		if (page)
			clear_huge_page(page, inode->h);
		/* A private write fault maps the new page writable, forced or not (5.11). */
		writable = flags & FAULT_FLAG_WRITE;
	}
	/* The pool is empty (the kernel's -ENOSPC): SIGBUS, which GUP reports as -EFAULT. */
	if (!page)
		return VM_FAULT_SIGBUS;
	ptl = pmd_lock(mm);
	if (huge_ptep_get(ptep)) {
		/* Another fault installed it first. */
		spin_unlock(ptl);
		if (used_reserve)
			restore_reserve(inode, idx);
		put_page(page);
		return 0;
	}
	if (file_page)
		hugetlb_dup_rmap(page);
	else
		hugetlb_add_new_anon_rmap(page, vma, haddr);
	set_huge_pte_at(ptep, make_huge_pte(vma, page, writable));
	spin_unlock(ptl);
	hugetlb_set_migratable(page);
	/* The next fault (the access retried) copies the file's page for a private write. */
	return 0;
}

/*
 * 5.11's hugetlb_fault_mutex_table: faults on one huge page of one object (a
 * hugetlbfs file, or the object behind a MAP_HUGETLB mapping, which fork shares)
 * take turns. So a COW's copy never reads a page that another fault is making
 * writable again meanwhile (reuse, once the other mapping went), and two faults on
 * a missing page do not both allocate one. Hashed, as the kernel's.
 */
#define HUGETLB_FAULT_MUTEXES 64
static pthread_mutex_t hugetlb_fault_mutexes[HUGETLB_FAULT_MUTEXES] = {
	[0 ... HUGETLB_FAULT_MUTEXES - 1] = PTHREAD_MUTEX_INITIALIZER};

static pthread_mutex_t *hugetlb_fault_mutex(struct address_space *mapping, unsigned long idx)
{
	unsigned long key = ((unsigned long)mapping >> 6) ^ (idx * 0x9e3779b97f4a7c15UL);

	return &hugetlb_fault_mutexes[(key ^ (key >> 32)) % HUGETLB_FAULT_MUTEXES];
}

/*
 * A write to a read-only private huge entry @entry (5.11 hugetlb_cow()), or 6.x's
 * unshare (FAULT_FLAG_UNSHARE in @flags: a R/O pin of a page that is not exclusive):
 * reuse the page when this is its only mapping, else copy it into a page outside the
 * reservations. A reused or copied page is exclusive (6.x's PageAnonExclusive on
 * the head); an unshare leaves the entry read-only. Called and returns with
 * mmap_lock and this huge page's fault mutex held, nothing else.
 */
static vm_fault_t hugetlb_cow(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long haddr,
			      unsigned long *ptep, unsigned long entry, unsigned int flags)
{
	struct hugetlbfs_inode *inode = hugetlb_inode(vma);
	struct page *old = huge_pte_page(entry), *new;
	bool unshare = !(flags & FAULT_FLAG_WRITE) && (flags & FAULT_FLAG_UNSHARE);
	bool used_reserve;
	spinlock_t *ptl;

	ptl = pmd_lock(mm);
	if (huge_ptep_get(ptep) != entry) {
		spin_unlock(ptl);
		return 0;
	}
	if (page_mapcount(old) == 1 && PageAnon(old)) {
		mark_new_anon_page(old, 1); /* ours alone again */
		if (!unshare)
			set_huge_pte_at(ptep, entry | _PAGE_RW | _PAGE_DIRTY | _PAGE_ACCESSED);
		spin_unlock(ptl);
		count_vm_stat(NR_COW_REUSES, 1);
		return 0;
	}
	get_page(old);
	spin_unlock(ptl);
	new = alloc_huge_page(inode, vma, vma_hugecache_offset(inode->h, vma, haddr), false,
			      &used_reserve);
	if (!new) {
		put_page(old);
		return VM_FAULT_SIGBUS;
	}
	/* No fault can make @old writable again meanwhile: this page's fault mutex is ours. */
	sim_point(SP_HUGETLB_COW_COPY, old);
	memcpy(page_address(new), page_address(old), huge_page_size(inode->h));
	ptl = pmd_lock(mm);
	if (huge_ptep_get(ptep) == entry) {
		hugetlb_add_new_anon_rmap(new, vma, haddr);
		set_huge_pte_at(ptep, make_huge_pte(vma, new, !unshare));
		hugetlb_set_migratable(new);
		hugetlb_remove_rmap(old);
		put_page(old); /* the entry's reference */
		new = NULL;
		count_vm_stat(NR_COW_FAULTS, 1);
	}
	spin_unlock(ptl);
	if (new)
		put_page(new);
	put_page(old);
	return 0;
}

/* hugetlb_fault() with this huge page's fault mutex held. */
static vm_fault_t hugetlb_fault_locked(struct mm_struct *mm, struct vm_area_struct *vma,
				       unsigned long haddr, unsigned long *ptep, unsigned int flags)
{
	/* Looked at again under the mutex: a fault that held it may have changed the entry. */
	unsigned long entry = huge_ptep_get(ptep);
	spinlock_t *ptl;

	if (is_hugetlb_entry_migration(entry))
		return 0; /* the caller faults again, and waits outside the mutex */
	if (!entry)
		return hugetlb_no_page(mm, vma, haddr, ptep, flags);
	if ((flags & (FAULT_FLAG_WRITE | FAULT_FLAG_UNSHARE)) && !(entry & _PAGE_RW) &&
	    !(vma->vm_flags & VM_SHARED))
		return hugetlb_cow(mm, vma, haddr, ptep, entry, flags);
	ptl = pmd_lock(mm);
	if (huge_ptep_get(ptep) == entry) {
		entry |= _PAGE_ACCESSED;
		if (flags & FAULT_FLAG_WRITE)
			entry |= _PAGE_DIRTY | ((vma->vm_flags & VM_WRITE) ? _PAGE_RW : 0);
		set_huge_pte_at(ptep, entry);
	}
	spin_unlock(ptl);
	return 0;
}

/**
 * hugetlb_fault() - handle_mm_fault() for a VM_HUGETLB VMA
 * @mm: the address space; mmap_lock held for read.
 * @vma: the hugetlb VMA containing @address.
 * @address: the faulting address (any byte of the huge page).
 * @flags: FAULT_FLAG_*.
 *
 * Return: 0 when the huge entry is now there (or changed meanwhile: the caller
 * looks again); VM_FAULT_SIGBUS when no pool page could be had (or the
 * "hugetlb_alloc" point fired, or a shared fault lies beyond the object);
 * VM_FAULT_OOM when a page table or the anon_vma could not be allocated.
 */
vm_fault_t hugetlb_fault(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long address,
			 unsigned int flags)
{
	struct hstate *h = hstate_vma(vma);
	unsigned long haddr = address & huge_page_mask(h);
	unsigned long *ptep = huge_pte_alloc(mm, haddr, huge_page_size(h));
	pthread_mutex_t *fault_mutex;
	vm_fault_t ret;

	if (!ptep)
		return VM_FAULT_OOM;
	if (is_hugetlb_entry_migration(huge_ptep_get(ptep))) {
		/* Wait for the migration to put a page back; the caller looks again. */
		migration_entry_wait_huge(mm, ptep);
		return 0;
	}
	fault_mutex =
		hugetlb_fault_mutex(vma->vm_file->f_mapping, vma_hugecache_offset(h, vma, haddr));
	if (pthread_mutex_trylock(fault_mutex)) {
		sim_point(SP_HUGETLB_FAULT_WAIT, vma);
		pthread_mutex_lock(fault_mutex);
	}
	ret = hugetlb_fault_locked(mm, vma, haddr, ptep, flags);
	pthread_mutex_unlock(fault_mutex);
	return ret;
}

/* --- fork, zap, mprotect --- */

/*
 * The child gets its own copy of the maybe-pinned @page at @addr (the early COW of
 * later kernels), from outside the reservations. Return: 0, or -ENOMEM (fork fails)
 * when the pool has no page to spare.
 */
static int hugetlb_fork_copy(struct vm_area_struct *dst_vma, unsigned long addr, unsigned long *dst,
			     struct page *page)
{
	struct hugetlbfs_inode *inode = hugetlb_inode(dst_vma);
	struct page *new;
	bool used_reserve;

	new = alloc_huge_page(inode, dst_vma, vma_hugecache_offset(inode->h, dst_vma, addr), false,
			      &used_reserve);
	if (!new)
		return -ENOMEM;
	memcpy(page_address(new), page_address(page), huge_page_size(inode->h));
	hugetlb_add_new_anon_rmap(new, dst_vma, addr);
	set_huge_pte_at(dst, make_huge_pte(dst_vma, new, dst_vma->vm_flags & VM_WRITE));
	hugetlb_set_migratable(new);
	count_vm_stat(NR_FORK_EARLY_COW, 1);
	return 0;
}

/**
 * copy_hugetlb_page_range() - fork's copy of a hugetlb VMA's entries
 * @dst_vma: the child's VMA.
 * @src_vma: the parent's.
 *
 * Every huge page is shared with the child; in a private mapping both entries are
 * write-protected so the first write COWs. 5.11 does this for pages that may be
 * DMA-pinned too (the early copy came in 5.12): a parent writing after fork COWs
 * away from its own pin. The hugetlb_fork_copies_pinned profile slot asks.
 *
 * Return: 0, or -ENOMEM when the child's tables (or an early copy) could not be
 * allocated.
 */
int copy_hugetlb_page_range(struct vm_area_struct *dst_vma, struct vm_area_struct *src_vma)
{
	struct mm_struct *dst_mm = dst_vma->vm_mm, *src_mm = src_vma->vm_mm;
	struct hstate *h = hstate_vma(src_vma);
	unsigned long sz = huge_page_size(h);
	bool cow = is_cow_mapping(src_vma->vm_flags);

	for (unsigned long addr = src_vma->vm_start; addr < src_vma->vm_end; addr += sz) {
		unsigned long *src = huge_pte_offset(src_mm, addr, sz), *dst, entry;
		spinlock_t *dst_ptl, *src_ptl;
		struct page *page;

		if (!src || !huge_ptep_get(src))
			continue;
		dst = huge_pte_alloc(dst_mm, addr, sz);
		if (!dst)
			return -ENOMEM;
		dst_ptl = pmd_lock(dst_mm);
		src_ptl = pmd_lock(src_mm);
		entry = huge_ptep_get(src);
		if (is_hugetlb_entry_migration(entry)) {
			copy_hugetlb_migration_entry(src, dst, entry, cow);
		} else if (entry) {
			page = huge_pte_page(entry);
			if (cow && hugetlb_fork_copies_pinned(src_vma, page)) {
				int err = hugetlb_fork_copy(dst_vma, addr, dst, page);

				spin_unlock(src_ptl);
				spin_unlock(dst_ptl);
				if (err)
					return err;
				continue;
			}
			if (cow && (entry & _PAGE_RW)) {
				__atomic_fetch_and(src, ~_PAGE_RW, __ATOMIC_SEQ_CST);
				entry &= ~_PAGE_RW;
			}
			get_page(page);
			hugetlb_dup_rmap(page);
			set_huge_pte_at(dst, entry);
		}
		spin_unlock(src_ptl);
		spin_unlock(dst_ptl);
	}
	return 0;
}

/* Clear the huge entries of [@start, @end) of @vma, dropping mapcounts and references. */
void __unmap_hugepage_range(struct vm_area_struct *vma, unsigned long start, unsigned long end)
{
	struct mm_struct *mm = vma->vm_mm;
	unsigned long sz = huge_page_size(hstate_vma(vma));

	for (unsigned long addr = start & ~(sz - 1); addr < end; addr += sz) {
		unsigned long *ptep = huge_pte_offset(mm, addr, sz), entry;
		struct page *page;
		spinlock_t *ptl;

		if (!ptep)
			continue;
		ptl = pmd_lock(mm);
		entry = huge_ptep_get_and_clear(ptep);
		spin_unlock(ptl);
		/* A migration entry holds no reference or mapcount: clearing it is all. */
		if (!entry || is_hugetlb_entry_migration(entry))
			continue;
		page = huge_pte_page(entry);
		if (entry & _PAGE_DIRTY)
			SetPageDirty(page);
		hugetlb_remove_rmap(page);
		put_page(page);
	}
}

/* mprotect: each huge entry of [@start, @end) gets @newprot. Return: base pages changed. */
unsigned long hugetlb_change_protection(struct vm_area_struct *vma, unsigned long start,
					unsigned long end, pgprot_t newprot)
{
	struct mm_struct *mm = vma->vm_mm;
	struct hstate *h = hstate_vma(vma);
	unsigned long sz = huge_page_size(h), pages = 0;

	for (unsigned long addr = start & ~(sz - 1); addr < end; addr += sz) {
		unsigned long *ptep = huge_pte_offset(mm, addr, sz), entry;
		spinlock_t *ptl;

		if (!ptep)
			continue;
		ptl = pmd_lock(mm);
		entry = huge_ptep_get(ptep);
		if (is_hugetlb_entry_migration(entry)) {
			/*
			 * As 5.11: a write entry becomes a read one whatever @newprot says;
			 * the page comes back read-only and a write faults to regain it.
			 */
			if (is_write_migration_entry(pte_to_swp_entry(__pte(entry)))) {
				set_huge_pte_at(
					ptep, huge_migration_entry(huge_pte_page_of(entry), false));
				pages += pages_per_huge_page(h);
			}
		} else if (entry) {
			set_huge_pte_at(ptep, (entry & _PAGE_CHG_MASK) |
						      (pgprot_val(newprot) & ~_PAGE_CHG_MASK));
			pages += pages_per_huge_page(h);
		}
		spin_unlock(ptl);
	}
	return pages;
}

/* --- GUP --- */

/* Is the huge page at @vaddr in the page cache of @vma's object (FOLL_DUMP)? */
static bool hugetlbfs_pagecache_present(struct hstate *h, struct vm_area_struct *vma,
					unsigned long vaddr)
{
	struct address_space *mapping = vma->vm_file->f_mapping;
	unsigned long idx = vma_hugecache_offset(h, vma, vaddr);
	bool present;

	if (!(vma->vm_flags & VM_SHARED) || idx >= hugetlb_inode(vma)->nr)
		return false;
	spin_lock(&mapping->i_pages_lock);
	present = xa_load(&mapping->i_pages, idx) != NULL;
	spin_unlock(&mapping->i_pages_lock);
	return present;
}

long follow_hugetlb_page(struct mm_struct *mm, struct vm_area_struct *vma, struct page **pages,
			 struct vm_area_struct **vmas, unsigned long *position,
			 unsigned long *nr_pages, long i, unsigned int flags, int *locked, int *err)
{
	struct hstate *h = hstate_vma(vma);
	unsigned long vaddr = *position, remainder = *nr_pages;

	/* As 5.11: a walk stopped before its first page (signal, dump hole) is -EFAULT. */
	*err = -EFAULT;
	while (vaddr < vma->vm_end && remainder) {
		unsigned long *ptep =
			huge_pte_offset(mm, vaddr & huge_page_mask(h), huge_page_size(h));
		spinlock_t *ptl = ptep ? pmd_lock(mm) : NULL;
		unsigned long entry = ptep ? huge_ptep_get(ptep) : 0, pfn_offset;
		struct page *page;
		bool unshare;

		if (fatal_signal_pending(current)) {
			if (ptl)
				spin_unlock(ptl);
			remainder = 0;
			break;
		}
		/* A core dump gets a hole for what was never faulted, not fresh zeroes. */
		if (!entry && (flags & FOLL_DUMP) && !hugetlbfs_pagecache_present(h, vma, vaddr)) {
			if (ptl)
				spin_unlock(ptl);
			remainder = 0;
			break;
		}
		/* 6.x: a R/O pin of a page that is not exclusive unshares it first. */
		unshare = entry && !is_hugetlb_entry_migration(entry) && !(entry & _PAGE_RW) &&
			  pages && gup_must_unshare(vma, flags, huge_pte_page(entry));
		/* A migration entry is faulted on too: hugetlb_fault() waits it out. */
		if (!entry || is_hugetlb_entry_migration(entry) ||
		    ((flags & FOLL_WRITE) && !(entry & _PAGE_RW)) || unshare) {
			unsigned int fault_flags = mm_profile->faultin_page_fault_flags(
				gup_fault_flags(flags, locked), unshare);
			vm_fault_t ret;

			if (ptl)
				spin_unlock(ptl);
			ret = hugetlb_fault(mm, vma, vaddr, fault_flags);
			if (!(ret & (VM_FAULT_ERROR | VM_FAULT_RETRY)))
				continue; /* look at the entry again */
			if (ret & VM_FAULT_ERROR) {
				/* The kernel's errno for the fault (SIGBUS: -EFAULT); stop. */
				*err = vm_fault_to_errno(ret, (int)flags);
				remainder = 0;
				break;
			}
			/*
			 * The fault let mmap_lock go (unless told to keep it): stop, no error.
			 * Untested: no hugetlb fault here returns VM_FAULT_RETRY (no userfaultfd).
			 */
			if (locked && !(fault_flags & FAULT_FLAG_RETRY_NOWAIT))
				*locked = 0;
			*err = 0;
			*nr_pages = 0;
			return i;
		}
		pfn_offset = (vaddr & ~huge_page_mask(h)) >> PAGE_SHIFT;
		page = huge_pte_page(entry);
		/* Faulting in only (no pages, no vmas): step over the whole huge page. */
		if (!pages && !vmas && !pfn_offset && vaddr + huge_page_size(h) < vma->vm_end &&
		    remainder >= pages_per_huge_page(h)) {
			vaddr += huge_page_size(h);
			remainder -= pages_per_huge_page(h);
			i += pages_per_huge_page(h);
			spin_unlock(ptl);
			continue;
		}
		/* The rest of this huge page, one subpage (and one reference) at a time. */
		do {
			if (pages) {
				pages[i] = page + pfn_offset;
				/* Untested: the mapped page holds a reference. */
				if (WARN_ON_ONCE(!try_grab_page(pages[i], flags))) {
					spin_unlock(ptl);
					*err = -ENOMEM;
					remainder = 0;
					goto out;
				}
			}
			if (vmas)
				vmas[i] = vma;
			vaddr += PAGE_SIZE;
			pfn_offset++;
			remainder--;
			i++;
		} while (vaddr < vma->vm_end && remainder && pfn_offset < pages_per_huge_page(h));
		spin_unlock(ptl);
	}
out:
	*nr_pages = remainder;
	*position = vaddr;
	return i;
}

struct page *follow_huge_pmd(struct mm_struct *mm, unsigned long address, pmd_t *pmd,
			     unsigned int flags)
{
	struct page *page = NULL;
	spinlock_t *ptl;
	pmd_t v;

	if (WARN_ON_ONCE((flags & (FOLL_PIN | FOLL_GET)) == (FOLL_PIN | FOLL_GET)))
		return NULL;
retry:
	ptl = pmd_lock(mm);
	v = pmdp_get(pmd);
	/* As 5.11: FOLL_MIGRATION waits for a migrating page and looks again. */
	if (is_hugetlb_entry_migration(pmd_val(v)) && (flags & FOLL_MIGRATION)) {
		spin_unlock(ptl);
		migration_entry_wait_huge(mm, &pmd->pmd);
		goto retry;
	}
	/* Zapped by another thread meanwhile, or not present (no migration entries here). */
	if (pmd_huge(v) && (pmd_val(v) & (_PAGE_PRESENT | _PAGE_PROTNONE))) {
		page = pmd_page(v) + ((address & ~PMD_MASK) >> PAGE_SHIFT);
		if (WARN_ON_ONCE(!try_grab_page(page, flags)))
			page = NULL;
	}
	spin_unlock(ptl);
	return page;
}

/* As 5.11: no reference can be taken through a huge pud here; callers get NULL then. */
struct page *follow_huge_pud(struct mm_struct *mm, unsigned long address, pud_t *pud,
			     unsigned int flags)
{
	pud_t v = pudp_get(pud);

	(void)mm;
	/* 5.11 would read a page out of a migration entry here; the machine says none. */
	if ((flags & (FOLL_GET | FOLL_PIN)) || !pud_present(v))
		return NULL;
	return pud_page(v) + ((address & ~PUD_MASK) >> PAGE_SHIFT);
}

/* --- checker --- */

bool hugetlb_page_is_free(struct page *head)
{
	return PageHuge(head) && page_ref_count(head) == 0;
}

int hugetlb_check_pools(FILE *out)
{
	int errors = 0;

	spin_lock(&hugetlb_lock);
	for (int i = 0; i < HUGE_MAX_HSTATE; i++) {
		struct hstate *h = &hstates[i];
		unsigned long listed = 0, unreferenced = 0;
		struct page *page;

		for (int z = 0; z < MAX_NR_ZONES; z++)
			list_for_each_entry(page, &h->free_lists[z], lru)
			{
				listed++;
				if ((int)page_zonenum(page) != z) {
					if (out)
						fprintf(out,
							"sim_check: %s: pfn %#lx on the free list "
							"of "
							"another zone\n",
							h->name, page_to_pfn(page));
					errors++;
				}
			}
		for (unsigned long n = 0; n < h->nr_huge_pages; n++) {
			page = h->pages[n];
			if (!PageHuge(page) || compound_order(page) != h->order) {
				if (out)
					fprintf(out,
						"sim_check: %s: pfn %#lx lost its hugetlb mark\n",
						h->name, page_to_pfn(page));
				errors++;
				continue;
			}
			unreferenced += page_ref_count(page) == 0;
			if (page_ref_count(page) > 0 &&
			    compound_pincount(page) * 1L > page_ref_count(page)) {
				if (out)
					fprintf(out,
						"sim_check: %s: pfn %#lx has %d pins but refcount "
						"%d\n",
						h->name, page_to_pfn(page), compound_pincount(page),
						page_ref_count(page));
				errors++;
			}
		}
		if (listed != h->free_huge_pages || unreferenced != listed ||
		    h->resv_huge_pages > h->free_huge_pages) {
			if (out)
				fprintf(out,
					"sim_check: %s: %lu on the free list, %lu unreferenced, "
					"free %lu, reserved %lu, total %lu\n",
					h->name, listed, unreferenced, h->free_huge_pages,
					h->resv_huge_pages, h->nr_huge_pages);
			errors++;
		}
	}
	spin_unlock(&hugetlb_lock);
	return errors;
}

/* --- /proc/meminfo --- */

int sim_meminfo(FILE *out)
{
	const struct hstate *h = &hstates[HSTATE_2M];

	if (!sim_running())
		return -ENODEV;
	spin_lock(&hugetlb_lock);
	fprintf(out, "HugePages_Total:   %5lu\n", h->nr_huge_pages);
	fprintf(out, "HugePages_Free:    %5lu\n", h->free_huge_pages);
	fprintf(out, "HugePages_Rsvd:    %5lu\n", h->resv_huge_pages);
	fprintf(out, "HugePages_Surp:    %5lu\n", 0UL);
	fprintf(out, "Hugepagesize:   %8lu kB\n", huge_page_size(h) >> 10);
	fprintf(out, "Hugetlb:        %8lu kB\n",
		(hstates[HSTATE_2M].nr_huge_pages * huge_page_size(&hstates[HSTATE_2M]) +
		 hstates[HSTATE_1G].nr_huge_pages * huge_page_size(&hstates[HSTATE_1G])) >>
			10);
	spin_unlock(&hugetlb_lock);
	return 0;
}

int sim_hugepages(unsigned long size, struct sim_hugepages *out)
{
	const struct hstate *h;

	if (!sim_running())
		return -ENODEV;
	if (size != PMD_SIZE && size != PUD_SIZE)
		return -EINVAL;
	h = &hstates[size == PUD_SIZE ? HSTATE_1G : HSTATE_2M];
	spin_lock(&hugetlb_lock);
	*out = (struct sim_hugepages){.total = h->nr_huge_pages,
				      .free = h->free_huge_pages,
				      .rsvd = h->resv_huge_pages,
				      .surp = 0};
	spin_unlock(&hugetlb_lock);
	return 0;
}

/*
 * --- hugetlbfs memfds (memfd_create(MFD_HUGETLB)) ---
 *
 * An unlinked hugetlbfs file of one pool's page size: shared, sized by ftruncate
 * in whole huge pages (and grown by a writable mapping), mapped (shared or private)
 * with huge-page-aligned addresses and offsets, read with pread (5.11's hugetlbfs has read_iter but no
 * write_iter: pwrite is -EINVAL), sealable. No reservations: an exhausted pool is
 * SIGBUS at the fault (the kernel reserves at mmap and fails it with -ENOMEM).
 */

static ssize_t hugetlbfs_memfd_read(struct file *file, unsigned long buf, size_t count, loff_t pos);
static int hugetlbfs_memfd_mmap(struct file *file, struct vm_area_struct *vma);
static int hugetlbfs_memfd_setsize_allowed(struct file *file, loff_t size);
static int hugetlbfs_memfd_setsize(struct file *file, loff_t size);

static const struct file_operations hugetlbfs_memfd_operations = {
	.release = hugetlbfs_release,
	.mmap = hugetlbfs_memfd_mmap,
	.read = hugetlbfs_memfd_read,
	/* No write method (hugetlbfs has no write_iter): pwrite is -EINVAL, sys_pwrite64() says. */
	.setsize_allowed = hugetlbfs_memfd_setsize_allowed,
	.setsize = hugetlbfs_memfd_setsize,
};

bool hugetlb_memfd_file(const struct file *file)
{
	return file && file->f_op == &hugetlbfs_memfd_operations;
}

struct hstate *hugetlb_memfd_hstate(const struct file *file)
{
	return hugetlb_memfd_file(file) ? ((struct hugetlbfs_inode *)file->f_inode->i_private)->h
					: NULL;
}

struct file *hugetlb_memfd_setup(unsigned int size_log, int *err)
{
	struct hstate *h = hstate_from_mmap_flags((unsigned long)size_log << MAP_HUGE_SHIFT);
	struct file *file;

	/* hugetlb_file_setup()'s -ENODEV for a page size no pool has. */
	*err = -ENODEV;
	if (!h)
		return NULL;
	*err = -ENOMEM;
	file = hugetlb_file_setup(h, 0, true, true, NULL);
	if (!file)
		return NULL;
	file->f_op = &hugetlbfs_memfd_operations;
	file_inode(file)->i_seals = F_SEAL_SEAL;
	return file;
}

static unsigned long memfd_huge_size(struct file *file)
{
	return huge_page_size(hugetlb_memfd_hstate(file));
}

/*
 * hugetlbfs_file_mmap(): the offset must be huge-page aligned; then the seals. A
 * writable mapping (shared or private) makes the file as long as the mapping's
 * end, whatever the seals, as the kernel does (host: a 2 MiB writable mapping at
 * offset 4 MiB of an empty file makes it 6 MiB).
 */
static int hugetlbfs_memfd_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct inode *inode = file_inode(file);
	struct hugetlbfs_inode *hinode = inode->i_private;
	loff_t end = ((loff_t)vma->vm_pgoff << PAGE_SHIFT) + (loff_t)(vma->vm_end - vma->vm_start);
	int err;

	if (((loff_t)vma->vm_pgoff << PAGE_SHIFT) & (memfd_huge_size(file) - 1))
		return -EINVAL;
	err = memfd_check_seals_mmap(file, vma);
	if (err || !(vma->vm_flags & VM_WRITE))
		return err;
	pthread_mutex_lock(&inode->i_rwsem);
	if (inode->i_size < end) {
		WRITE_ONCE(inode->i_size, end);
		WRITE_ONCE(hinode->nr, (unsigned long)(end >> (hinode->h->order + PAGE_SHIFT)));
	}
	pthread_mutex_unlock(&inode->i_rwsem);
	return 0;
}

/* hugetlbfs_setattr(): whole huge pages only (-EINVAL), then the memfd seals (-EPERM). */
static int hugetlbfs_memfd_setsize_allowed(struct file *file, loff_t size)
{
	struct inode *inode = file_inode(file);

	if (size & (memfd_huge_size(file) - 1))
		return -EINVAL;
	if (size < inode->i_size && (inode->i_seals & F_SEAL_SHRINK))
		return -EPERM;
	if (size > inode->i_size && (inode->i_seals & F_SEAL_GROW))
		return -EPERM;
	return 0;
}

/* Drop the object's pages at [@first, @last): pins and mappings keep their own references. */
static void hugetlbfs_remove_pages(struct address_space *mapping, unsigned long first,
				   unsigned long last)
{
	for (unsigned long i = first; i < last; i++) {
		struct page *page;

		spin_lock(&mapping->i_pages_lock);
		page = xa_erase(&mapping->i_pages, i);
		if (page)
			mapping->nrpages--;
		spin_unlock(&mapping->i_pages_lock);
		if (!page)
			continue;
		WRITE_ONCE(page->mapping, NULL);
		put_page(page);
	}
}

/* hugetlb_vmtruncate(): the new size; a shrink unmaps what lies beyond, then drops it. */
static int hugetlbfs_memfd_setsize(struct file *file, loff_t size)
{
	struct inode *inode = file_inode(file);
	struct hugetlbfs_inode *hinode = inode->i_private;
	unsigned long old = hinode->nr, nr = size >> (hinode->h->order + PAGE_SHIFT);

	WRITE_ONCE(inode->i_size, size);
	WRITE_ONCE(hinode->nr, nr);
	smp_mb(); /* the size before the unmap: a fault after it sees the new end */
	if (nr < old) {
		unmap_mapping_range(file->f_mapping, size, 0, 1);
		hugetlbfs_remove_pages(file->f_mapping, nr, old);
	}
	return 0;
}

/* hugetlbfs_read_iter(): holes read as zeroes; a short copy ends the read. */
static ssize_t hugetlbfs_memfd_read(struct file *file, unsigned long buf, size_t count, loff_t pos)
{
	unsigned long hsize = memfd_huge_size(file);
	loff_t size = READ_ONCE(file_inode(file)->i_size);
	static const unsigned char zeroes[PAGE_SIZE];
	size_t done = 0;

	while (done < count && pos + (loff_t)done < size) {
		loff_t at = pos + (loff_t)done;
		unsigned long off = at & (hsize - 1);
		size_t chunk = min_t(size_t, min_t(size_t, count - done, hsize - off),
				     (size_t)(size - at));
		struct page *page = hugetlbfs_cache_get(file->f_mapping, at / hsize);
		unsigned long left;

		if (!page)
			chunk = min_t(size_t, chunk, sizeof(zeroes) - (at & ~PAGE_MASK));
		left = copy_to_user(buf + done,
				    page ? page_address(page) + off : zeroes + (at & ~PAGE_MASK),
				    chunk);
		if (page)
			put_page(page);
		done += chunk - left;
		if (left)
			break;
	}
	if (!done && count && pos < size)
		return -EFAULT;
	return (ssize_t)done;
}
