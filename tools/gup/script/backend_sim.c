// SPDX-License-Identifier: GPL-2.0-only
/*
 * The scenario back end on libgup's simulated machine: the only part of the
 * scenario language that sees struct page, page tables, VMAs and the library's
 * test seams (the debug pin count). Commands reach it through
 * struct backend_ops (backend.h).
 */
#include <errno.h>
#include <gup/fs.h>
#include <gup/memremap.h>
#include <gup/pagewalk.h>
#include <gup/sim_point.h>
#include <gup/testing.h>
#include <libgup.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"

#define TASK(t) ((struct task_struct *)(t))
#define PAGE(p) ((struct page *)(p))

/* The task memory commands act as; fork and the remote calls restore it. */
static struct task_struct *sim_cur;

/* -------------------------------------------------------------- machine -- */

static int sim_be_boot(const struct bk_boot *bk)
{
	static const enum sim_vsyscall vsyscall[] = {
		[BK_VSYSCALL_XONLY] = SIM_VSYSCALL_XONLY,
		[BK_VSYSCALL_EMULATE] = SIM_VSYSCALL_EMULATE,
		[BK_VSYSCALL_NONE] = SIM_VSYSCALL_NONE,
	};
	static const enum sim_thp thp[] = {
		[BK_THP_MADVISE] = SIM_THP_MADVISE,
		[BK_THP_ALWAYS] = SIM_THP_ALWAYS,
		[BK_THP_NEVER] = SIM_THP_NEVER,
	};
	struct sim_config cfg = {
		.mem_bytes = bk->mem_bytes,
		.movable_bytes = bk->movable_bytes,
		.vsyscall = vsyscall[bk->vsyscall],
		.thp = thp[bk->thp],
		.hugetlb_2m_pages = bk->hugetlb_2m,
		.hugetlb_1g_pages = bk->hugetlb_1g,
		.soft_dirty = bk->soft_dirty,
		.cma_bytes = bk->cma_bytes,
		.swap_bytes = bk->swap_bytes,
		.lru_batch = bk->lru_batch,
		.device_bytes = bk->device_bytes,
		.kswapd = bk->kswapd,
		.min_free_kbytes = bk->min_free_kbytes,
		.fault_around_bytes = bk->fault_around_bytes,
		.init_on_free = bk->init_on_free,
	};

	if (bk->profile && sim_profile_from_name(bk->profile, &cfg.profile))
		return -EINVAL;
	sim_cur = NULL;
	return sim_boot(&cfg);
}

static bool sim_be_profile_known(const char *name)
{
	enum sim_profile profile;

	return !sim_profile_from_name(name, &profile);
}

static const char *sim_be_profile_current(void)
{
	return sim_profile_name(sim_current_profile());
}

static long sim_mseal(unsigned long addr, unsigned long len, unsigned long flags)
{
	return sys_mseal(addr, len, flags);
}

/* -------------------------------------------------------- ZONE_DEVICE -- */

/* The pgmaps scripts memremap()ed, by id; freed when taken away or at shutdown. */
#define MAX_SIM_PGMAPS 8
static struct dev_pagemap *sim_pgmaps[MAX_SIM_PGMAPS];

/* After sim_shutdown(), which took any still live off the machine (reporting each). */
static void release_pgmaps(void)
{
	for (int i = 0; i < MAX_SIM_PGMAPS; i++) {
		free(sim_pgmaps[i]);
		sim_pgmaps[i] = NULL;
	}
}

static struct dev_pagemap *sim_pgmap(int id)
{
	return id >= 0 && id < MAX_SIM_PGMAPS ? sim_pgmaps[id] : NULL;
}

/* The script's driver keeps nothing per page: an idle page needs no freeing. */
static void sim_device_page_free(struct page *page)
{
	(void)page;
}

static const struct dev_pagemap_ops sim_device_ops = {.page_free = sim_device_page_free};

static enum memory_type memory_type_of(const char *type)
{
	return !strcmp(type, "fsdax")	   ? MEMORY_DEVICE_FS_DAX
	       : !strcmp(type, "private")  ? MEMORY_DEVICE_PRIVATE
	       : !strcmp(type, "coherent") ? MEMORY_DEVICE_COHERENT
					   : MEMORY_DEVICE_GENERIC;
}

/*
 * As the driver of a COHERENT range, hand out (@get) or take back every page:
 * such memory is only mapped once its driver gave the pages out (6.x's
 * zone_device_page_init(), which takes each page's pgmap reference).
 */
static void coherent_pages_handed_out(struct dev_pagemap *pgmap, bool get)
{
	for (unsigned long i = 0; i < pgmap_nr_pages(pgmap); i++) {
		struct page *page = pfn_to_page(pgmap_start_pfn(pgmap) + i);

		if (get)
			WARN_ON_ONCE(sim_device_page_get(page));
		else
			put_page(page);
	}
}

/* Does anyone but the driver hold a COHERENT page or the pgmap (a pin, a mapping)? */
static bool coherent_pages_busy(struct dev_pagemap *pgmap)
{
	for (unsigned long i = 0; i < pgmap_nr_pages(pgmap); i++)
		if (page_ref_count(pfn_to_page(pgmap_start_pfn(pgmap) + i)) != 1)
			return true;
	return dev_pagemap_refs(pgmap) != 1 + (long)pgmap_nr_pages(pgmap);
}

static long sim_memremap(const char *type, unsigned long off, unsigned long size,
			 unsigned long align)
{
	struct dev_pagemap *pgmap;
	uint64_t start = ((uint64_t)sim_device_start_pfn() << PAGE_SHIFT) + off;
	int id = 0, err;

	while (id < MAX_SIM_PGMAPS && sim_pgmaps[id])
		id++;
	if (id == MAX_SIM_PGMAPS)
		return -ENOSPC;
	if (!size || off + size < off || off + size > sim_device_nr_pages() << PAGE_SHIFT)
		return -EINVAL;
	pgmap = calloc(1, sizeof(*pgmap));
	if (!pgmap)
		return -ENOMEM;
	pgmap->type = memory_type_of(type);
	pgmap->range = (struct range){.start = start, .end = start + size - 1};
	pgmap->align = align;
	if (pgmap->type == MEMORY_DEVICE_PRIVATE || pgmap->type == MEMORY_DEVICE_COHERENT)
		pgmap->ops = &sim_device_ops;
	err = memremap_pages(pgmap);
	if (err) {
		free(pgmap);
		return err;
	}
	if (pgmap->type == MEMORY_DEVICE_COHERENT)
		coherent_pages_handed_out(pgmap, true);
	sim_pgmaps[id] = pgmap;
	return id;
}

static long sim_memunmap(int id)
{
	struct dev_pagemap *pgmap = sim_pgmap(id);
	int err;

	if (!pgmap)
		return -EINVAL;
	if (pgmap->type == MEMORY_DEVICE_COHERENT) {
		if (coherent_pages_busy(pgmap))
			return -EBUSY;
		coherent_pages_handed_out(pgmap, false);
	}
	err = memunmap_pages_try(pgmap);
	if (!err) {
		free(pgmap);
		sim_pgmaps[id] = NULL;
	}
	return err;
}

static unsigned long sim_be_mmap_device(int id, unsigned long off, unsigned long len,
					unsigned long prot)
{
	struct dev_pagemap *pgmap = sim_pgmap(id);

	if (!pgmap)
		return (unsigned long)-EINVAL;
	return sim_mmap_device(pgmap, off, len, prot);
}

static long sim_pgmap_refs(int id)
{
	struct dev_pagemap *pgmap = sim_pgmap(id);

	return pgmap ? dev_pagemap_refs(pgmap) : -EINVAL;
}

static long sim_pgmap_pfn(int id)
{
	struct dev_pagemap *pgmap = sim_pgmap(id);

	return pgmap ? (long)pgmap_start_pfn(pgmap) : -EINVAL;
}

static int sim_be_shutdown(void)
{
	int ret;

	set_current(NULL);
	sim_cur = NULL;
	ret = sim_shutdown();
	release_pgmaps();
	return ret;
}

/* GUP_PROFILE is read at boot, which refuses an unknown one with a bare -EINVAL. */
static const char *profile_env_error(char *why, size_t size)
{
	const char *name = getenv("GUP_PROFILE");
	enum sim_profile profile;

	if (!name || !*name || !sim_profile_from_name(name, &profile))
		return NULL;
	snprintf(why, size, "unknown GUP_PROFILE='%.200s' (known: %s)", name, sim_profile_names());
	return why;
}

/*
 * GUP_INJECT is parsed at boot, where a malformed one is only warned about, and
 * GUP_PROFILE is read there too: both are checked before the script runs.
 */
static const char *sim_env_error(void)
{
	static char why[512];
	const char *spec = getenv("GUP_INJECT");
	int bad;

	if (profile_env_error(why, sizeof(why)))
		return why;
	if (!spec || !*spec)
		return NULL;
	bad = inject_parse(spec);
	inject_disarm_all();
	if (!bad)
		return NULL;
	snprintf(why, sizeof(why),
		 "malformed GUP_INJECT='%.200s': expected POINT:nth=N[:count=M][,...] with POINT "
		 "one of page_alloc pgtable_alloc vma_alloc fault_retry fault_oom fault_sigbus "
		 "gup_signal",
		 spec);
	return why;
}

/* ------------------------------------------------------- sim points -- */

static bool sim_be_point_info(int point, struct bk_point_info *info)
{
	const struct sim_point_info *row;

	if (point < 0 || !(row = sim_point_info((enum sim_point_id)point)))
		return false;
	info->name = row->name;
	info->where = row->where;
	info->locks = row->locks;
	info->can_fail = row->can_fail;
	/* Page-table frees run in liburcu's callback thread; every other point in the caller. */
	info->script_thread = point != SP_PGTABLE_FREE;
	return true;
}

/* The script's hook per point, called from the library's sim_point hook. */
static struct {
	bk_point_hook_fn fn;
	void *arg;
} point_hooks[NR_SIM_POINTS];

static void sim_point_trampoline(enum sim_point_id id, void *ctx, void *arg)
{
	(void)ctx;
	(void)arg;
	if (point_hooks[id].fn)
		point_hooks[id].fn((int)id, point_hooks[id].arg);
}

static int sim_be_point_hook(int point, bk_point_hook_fn fn, void *arg)
{
	if (point < 0 || point >= NR_SIM_POINTS)
		return -EINVAL;
	point_hooks[point].fn = fn;
	point_hooks[point].arg = arg;
	return sim_point_set_hook((enum sim_point_id)point, fn ? sim_point_trampoline : NULL, NULL);
}

static unsigned long sim_be_report_refs(FILE *out)
{
	return sim_report_pins(out);
}

static void sim_be_inject_off(void)
{
	inject_disarm_all();
	host_io_inject_off();
}

static int sim_be_inject_arm(const char *point, unsigned long nth, unsigned long count)
{
	return inject_arm(point, nth, count);
}

/* ---------------------------------------------------------------- tasks -- */

static struct bk_task *sim_task_create(const char *name)
{
	return (struct bk_task *)task_create(name);
}

static struct bk_task *sim_task_fork(struct bk_task *parent, long *err)
{
	struct task_struct *child;

	set_current(TASK(parent));
	errno = 0;
	child = sys_fork();
	*err = child ? 0 : -(long)(errno ? errno : ENOMEM);
	set_current(sim_cur);
	return (struct bk_task *)child;
}

static struct bk_task *sim_task_clone_thread(struct bk_task *task)
{
	return (struct bk_task *)task_clone_thread(TASK(task));
}

static void sim_task_kill(struct bk_task *task)
{
	task_kill(TASK(task));
}

static void sim_task_exit(struct bk_task *task)
{
	if (TASK(task) == sim_cur)
		sim_cur = NULL;
	task_exit(TASK(task));
	set_current(sim_cur);
}

static void sim_set_current(struct bk_task *task)
{
	sim_cur = TASK(task);
	set_current(sim_cur);
}

static void sim_task_info(struct bk_task *task, struct bk_task_info *info)
{
	struct task_struct *t = TASK(task);

	info->pid = t->pid;
	info->tgid = t->tgid;
	info->mm_id = t->mm->id;
	info->killed = fatal_signal_pending(t);
}

/* ------------------------------------------------------- mapping calls -- */

static unsigned long sim_mmap(unsigned long addr, unsigned long len, unsigned long prot,
			      unsigned long flags)
{
	return sys_mmap(addr, len, prot, flags | MAP_ANONYMOUS, -1, 0);
}

/* ---------------------------------------------------------------- files -- */

static int sim_clear_refs(int type)
{
	return clear_refs_write(sim_cur ? sim_cur->mm : NULL, type);
}

static unsigned long sim_mmap_file(unsigned long addr, unsigned long len, unsigned long prot,
				   unsigned long flags, int fd, unsigned long off)
{
	return sys_mmap(addr, len, prot, flags, fd, off);
}

static int sim_file_open(const char *path, int flags)
{
	return sys_open(path, flags, 0600);
}

static long sim_file_pread(int fd, unsigned long buf, unsigned long count, long pos)
{
	return sys_pread64(fd, buf, count, pos);
}

static long sim_file_pwrite(int fd, unsigned long buf, unsigned long count, long pos)
{
	return sys_pwrite64(fd, buf, count, pos);
}

static int sim_file_truncate(int fd, long length)
{
	return sys_ftruncate(fd, length);
}

static int sim_msync(unsigned long addr, unsigned long len, int flags)
{
	return sys_msync(addr, len, flags);
}

static long sim_file_fcntl(int fd, unsigned int cmd, unsigned long arg)
{
	return sys_fcntl(fd, cmd, arg);
}

static long sim_munmap(unsigned long addr, unsigned long len)
{
	return sys_munmap(addr, len);
}

static long sim_mprotect(unsigned long addr, unsigned long len, unsigned long prot)
{
	return sys_mprotect(addr, len, prot);
}

static long sim_madvise(unsigned long addr, unsigned long len, int advice)
{
	return sys_madvise(addr, len, advice);
}

static long sim_mlock(unsigned long addr, unsigned long len, bool onfault)
{
	return onfault ? sys_mlock2(addr, len, MLOCK_ONFAULT) : sys_mlock(addr, len);
}

static long sim_munlock(unsigned long addr, unsigned long len)
{
	return sys_munlock(addr, len);
}

static unsigned long sim_mremap(unsigned long addr, unsigned long old_len, unsigned long new_len,
				unsigned long flags, unsigned long new_addr)
{
	return sys_mremap(addr, old_len, new_len, flags, new_addr);
}

static long sim_be_reclaim(unsigned long nr)
{
	return sim_reclaim(nr);
}

static void sim_be_swap_stats(unsigned long counts[3])
{
	struct sim_swap_stats stats;

	sim_swap_stats(&stats);
	counts[0] = stats.total_slots;
	counts[1] = stats.used_slots;
	counts[2] = stats.cached_pages;
}

static long sim_split_huge_page(unsigned long addr)
{
	return sim_split_huge_page_at(sim_cur->mm, addr);
}

/* ------------------------------------------------------- user accesses -- */

static unsigned long sim_copy_to_user(unsigned long addr, const void *buf, unsigned long len)
{
	return copy_to_user(addr, buf, len);
}

static unsigned long sim_copy_from_user(void *buf, unsigned long addr, unsigned long len)
{
	return copy_from_user(buf, addr, len);
}

static long sim_access_vm(struct bk_task *task, bool process, unsigned long addr, void *buf,
			  int len, unsigned int gup_flags)
{
	return process ? access_process_vm(TASK(task), addr, buf, len, gup_flags)
		       : access_remote_vm(TASK(task)->mm, addr, buf, len, gup_flags);
}

static long sim_process_vm(struct bk_task *task, bool write, unsigned long local,
			   unsigned long remote, unsigned long len)
{
	struct iovec lvec = {.iov_base = (void *)local, .iov_len = len};
	struct iovec rvec = {.iov_base = (void *)remote, .iov_len = len};

	return write ? sys_process_vm_writev(TASK(task), &lvec, 1, &rvec, 1, 0)
		     : sys_process_vm_readv(TASK(task), &lvec, 1, &rvec, 1, 0);
}

/* ------------------------------------------------------------------ GUP -- */

static long sim_gup(enum gup_entry entry, struct bk_task *remote, unsigned long start, long nr,
		    unsigned int gup_flags, struct bk_page **pages, int *locked)
{
	return gup_call_entry(entry, remote ? TASK(remote)->mm : NULL, start, nr, gup_flags,
			      (struct page **)pages, NULL, locked);
}

static void sim_put_page(struct bk_page *page)
{
	put_page(PAGE(page));
}

static void sim_unpin_page(struct bk_page *page)
{
	unpin_user_page(PAGE(page));
}

static void sim_unpin_pages(struct bk_page **pages, unsigned long nr, bool dirty)
{
	if (dirty)
		unpin_user_pages_dirty_lock((struct page **)pages, nr, true);
	else
		unpin_user_pages((struct page **)pages, nr);
}

static long sim_follow_page(unsigned long addr, unsigned int gup_flags, struct bk_page **out)
{
	struct mm_struct *mm = sim_cur->mm;
	struct vm_area_struct *vma;
	struct page *page = NULL;

	mmap_read_lock(mm);
	vma = find_vma(mm, addr);
	if (vma && vma->vm_start <= addr)
		page = follow_page(vma, addr, gup_flags);
	mmap_read_unlock(mm);
	*out = NULL;
	if (IS_ERR_VALUE((unsigned long)page))
		return (long)page;
	*out = (struct bk_page *)page;
	return 0;
}

static struct bk_page *sim_get_dump_page(unsigned long addr)
{
	return (struct bk_page *)get_dump_page(addr);
}

static long sim_populate(unsigned long start, unsigned long len)
{
	return __mm_populate(start, len, 0);
}

static bool sim_populate_vma(unsigned long start, unsigned long end, long *ret)
{
	struct mm_struct *mm = sim_cur->mm;
	struct vm_area_struct *vma;
	int still_locked = 1;

	mmap_read_lock(mm);
	vma = find_vma(mm, start);
	if (!vma || vma->vm_start > start || end > vma->vm_end || start == end) {
		mmap_read_unlock(mm);
		return false;
	}
	*ret = populate_vma_page_range(vma, start, end, &still_locked);
	/* A fault that had to wait dropped mmap_lock for us. */
	if (still_locked)
		mmap_read_unlock(mm);
	return true;
}

static long sim_fixup(unsigned long addr, bool write, bool *unlocked)
{
	struct mm_struct *mm = sim_cur->mm;
	int ret;

	mmap_read_lock(mm);
	ret = fixup_user_fault(mm, addr, write ? FAULT_FLAG_WRITE : 0, unlocked);
	mmap_read_unlock(mm);
	return ret;
}

/* -------------------------------------------------------------- queries -- */

static unsigned long sim_page_pfn(struct bk_page *page)
{
	return page_to_pfn(PAGE(page));
}

static unsigned char *sim_page_data(struct bk_page *page)
{
	return page_address(PAGE(page));
}

/*
 * Pins on a page without a compound pincount: exact where the library keeps its
 * debug accounting, otherwise the kernel's own estimate from the bias.
 */
static long small_page_pins(struct page *head)
{
	int pins = sim_page_gup_pins(head);

	return pins >= 0 ? pins : (long)(page_ref_count(head) / GUP_PIN_COUNTING_BIAS);
}

static void page_struct_facts(struct page *page, struct page_facts *pf)
{
	struct page *head = compound_head(page);

	pf->f[PF_PRESENT] = 1;
	pf->f[PF_PFN] = (long)page_to_pfn(page);
	pf->f[PF_ZERO] = is_zero_pfn(page_to_pfn(page));
	pf->f[PF_ANON] = PageAnon(page);
	pf->f[PF_REFCOUNT] = page_count(page);
	pf->f[PF_MAPCOUNT] = page_mapcount(page);
	pf->f[PF_PINS] =
		hpage_pincount_available(head) ? compound_pincount(head) : small_page_pins(head);
	pf->f[PF_MAYBE_PINNED] = page_maybe_dma_pinned(page);
	pf->f[PF_DIRTY] = PageDirty(head);
	pf->f[PF_MLOCKED] = PageMlocked(head);
}

static void sim_page_query(struct bk_page *page, struct page_facts *pf)
{
	memset(pf, 0, sizeof(*pf));
	page_struct_facts(PAGE(page), pf);
}

/* The leaf entry's bits (a PTE, or a huge PMD's) for the page an address query asks about. */
static void leaf_bits(struct page_facts *pf, unsigned long val)
{
	pf->f[PF_WRITABLE] = !!(val & _PAGE_RW);
	pf->f[PF_PTE_DIRTY] = !!(val & _PAGE_DIRTY);
	pf->f[PF_YOUNG] = !!(val & _PAGE_ACCESSED);
}

static int leaf_pmd(pmd_t *pmd, unsigned long addr, unsigned long next, struct mm_walk *walk)
{
	pmd_t v = pmdp_get(pmd);

	(void)addr, (void)next;
	if (pmd_present(v) && (pmd_trans_huge(v) || pmd_devmap(v))) {
		leaf_bits(walk->private_data, pmd_val(v));
		walk->action = ACTION_CONTINUE;
	}
	return 0;
}

static int leaf_pte(pte_t *pte, unsigned long addr, unsigned long next, struct mm_walk *walk)
{
	(void)addr, (void)next;
	leaf_bits(walk->private_data, pte_val(ptep_get(pte)));
	return 0;
}

static int leaf_hugetlb(pte_t *pte, unsigned long hmask, unsigned long addr, unsigned long next,
			struct mm_walk *walk)
{
	(void)hmask, (void)addr, (void)next;
	leaf_bits(walk->private_data, pte_val(ptep_get(pte)));
	return 0;
}

static const struct mm_walk_ops leaf_walk_ops = {
	.pmd_entry = leaf_pmd,
	.pte_entry = leaf_pte,
	.hugetlb_entry = leaf_hugetlb,
};

/* What the current task maps at @addr, as pagemap and the leaf entry tell. */
static int sim_addr_query(unsigned long addr, struct page_facts *pf)
{
	struct mm_struct *mm = sim_cur->mm;
	unsigned long start = addr & PAGE_MASK;
	uint64_t pm;
	int err = pagemap_read(mm, addr, &pm);

	memset(pf, 0, sizeof(*pf));
	pf->has_pte = true;
	if (err)
		return err;
	pf->f[PF_SOFT_DIRTY] = !!(pm & PM_SOFT_DIRTY); /* holes too, in a soft-dirty VMA */
	if (!(pm & PM_PRESENT))
		return 0;
	if (pfn_valid(pm & PM_PFRAME_MASK))
		page_struct_facts(pfn_to_page(pm & PM_PFRAME_MASK), pf);
	pf->f[PF_PRESENT] = 1;
	pf->f[PF_PFN] = (long)(pm & PM_PFRAME_MASK);
	pf->f[PF_EXCLUSIVE] = !!(pm & PM_MMAP_EXCLUSIVE);
	pf->f[PF_FILE] = !!(pm & PM_FILE);
	mmap_read_lock(mm);
	walk_page_range(mm, start, start + PAGE_SIZE, &leaf_walk_ops, pf);
	mmap_read_unlock(mm);
	return 0;
}

/*
 * The library's own dump_page() view, caught from stderr (where the kernel's
 * goes to the log) and printed indented, with the host pointer of ->mapping
 * reduced to whether there is one, so that output stays deterministic.
 */
static void sim_page_dump(unsigned long pfn, FILE *out)
{
	FILE *saved = stderr, *catch;
	char *text = NULL, *line, *mapping;
	size_t len = 0;

	if (!pfn_valid(pfn)) {
		fprintf(out, "  pfn %#lx has no struct page\n", pfn);
		return;
	}
	catch = open_memstream(&text, &len);
	if (!catch)
		return;
	stderr = catch;
	dump_page(pfn_to_page(pfn), NULL);
	stderr = saved;
	fclose(catch);
	mapping = strstr(text, "mapping:");
	if (mapping && strcspn(mapping + 8, " ") >= 3) {
		size_t ptr = strcspn(mapping + 8, " ");
		bool none =
			!strncmp(mapping + 8, "(nil)", ptr) || !strncmp(mapping + 8, "0x0", ptr);

		memmove(mapping + 8 + 3, mapping + 8 + ptr, strlen(mapping + 8 + ptr) + 1);
		memcpy(mapping + 8, none ? "nil" : "set", 3);
	}
	for (line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
		fprintf(out, "  %s\n", line);
	free(text);
}

static void fill_vma_info(struct vm_area_struct *vma, struct bk_vma_info *info)
{
	memset(info, 0, sizeof(*info));
	info->start = vma->vm_start;
	info->end = vma->vm_end;
	info->flags = vma->vm_flags;
	info->pgoff = vma->vm_file ? vma->vm_pgoff : 0;
}

static bool sim_vma_query(unsigned long addr, struct bk_vma_info *info)
{
	struct mm_struct *mm = sim_cur->mm;
	struct vm_area_struct *vma;

	mmap_read_lock(mm);
	vma = find_vma(mm, addr);
	if (vma && vma->vm_start > addr)
		vma = NULL;
	if (vma)
		fill_vma_info(vma, info);
	mmap_read_unlock(mm);
	return vma != NULL;
}

/* --------------------------------------------------------- page tables -- */

enum pt_level { PT_PGD, PT_PUD, PT_PMD, PT_PTE };

/* Called for every non-empty entry of [start, end); return false to skip its table. */
typedef bool (*pt_visit_fn)(void *ctx, enum pt_level level, unsigned long addr, unsigned long index,
			    unsigned long val);

static bool table_entry_descends(unsigned long val)
{
	return (val & _PAGE_PRESENT) && !(val & _PAGE_PSE);
}

/* What walk_tables() hands walk_page_range_novma()'s callbacks. */
struct pt_visit {
	pt_visit_fn fn;
	void *ctx;
};

/* One table entry met by the walker: visit it, and descend only into a present table. */
static int visit_table_entry(struct mm_walk *walk, enum pt_level level, unsigned long addr,
			     unsigned long index, unsigned long val)
{
	struct pt_visit *v = walk->private_data;

	if (!v->fn(v->ctx, level, addr, index, val) || !table_entry_descends(val))
		walk->action = ACTION_CONTINUE;
	return 0;
}

static int visit_pgd(pgd_t *pgd, unsigned long addr, unsigned long next, struct mm_walk *walk)
{
	(void)next;
	return visit_table_entry(walk, PT_PGD, addr, pgd_index(addr), pgd_val(pgdp_get(pgd)));
}

static int visit_pud(pud_t *pud, unsigned long addr, unsigned long next, struct mm_walk *walk)
{
	(void)next;
	return visit_table_entry(walk, PT_PUD, addr, pud_index(addr), pud_val(pudp_get(pud)));
}

static int visit_pmd(pmd_t *pmd, unsigned long addr, unsigned long next, struct mm_walk *walk)
{
	(void)next;
	return visit_table_entry(walk, PT_PMD, addr, pmd_index(addr), pmd_val(pmdp_get(pmd)));
}

/* The walker calls this for every PTE of a table; empty ones are not entries. */
static int visit_pte(pte_t *ptep, unsigned long addr, unsigned long next, struct mm_walk *walk)
{
	struct pt_visit *v = walk->private_data;
	pte_t pte = ptep_get(ptep);

	(void)next;
	if (!pte_none(pte))
		v->fn(v->ctx, PT_PTE, addr, pte_index(addr), pte_val(pte));
	return 0;
}

static const struct mm_walk_ops pt_visit_ops = {
	.pgd_entry = visit_pgd,
	.pud_entry = visit_pud,
	.pmd_entry = visit_pmd,
	.pte_entry = visit_pte,
};

/*
 * Visit the page-table entries of @mm covering [start, end), parents first,
 * whatever VMAs cover them (walk_page_range_novma); caller holds mmap_lock.
 */
static void walk_tables(struct mm_struct *mm, unsigned long start, unsigned long end,
			pt_visit_fn fn, void *ctx)
{
	struct pt_visit v = {.fn = fn, .ctx = ctx};

	if (start < end)
		walk_page_range_novma(mm, start, end, &pt_visit_ops, &v);
}

struct pte_bit {
	const char *name;
	unsigned long value;
};

static void decode_entry_bits(char *buf, size_t size, enum pt_level level, unsigned long val)
{
	static const struct pte_bit bits[] = {
		{"P", _PAGE_PRESENT},
		{"RW", _PAGE_RW},
		{"US", _PAGE_USER},
		{"PWT", _PAGE_PWT},
		{"PCD", _PAGE_PCD},
		{"A", _PAGE_ACCESSED},
		{"D", _PAGE_DIRTY},
		{"PSE", _PAGE_PSE},
		{"G", _PAGE_GLOBAL},
		{"SPECIAL", _PAGE_SPECIAL},
		{"DEVMAP", _PAGE_DEVMAP},
		{"NX", _PAGE_NX},
		{NULL, 0},
	};
	size_t used = 0;

	buf[0] = '\0';
	for (const struct pte_bit *b = bits; b->name && used < size; b++) {
		const char *name = b->name;

		if (!(val & b->value))
			continue;
		if (b->value == _PAGE_GLOBAL && !(val & _PAGE_PRESENT))
			name = "PROTNONE";
		else if (b->value == _PAGE_PSE && level == PT_PTE)
			name = "PAT";
		used += snprintf(buf + used, size - used, "%s%s", used ? " " : "", name);
	}
	if (!(val & (_PAGE_PRESENT | _PAGE_PROTNONE)) && used < size)
		snprintf(buf + used, size - used, "%sswap/migration entry", used ? " " : "");
}

static bool print_pt_entry(void *ctx, enum pt_level level, unsigned long addr, unsigned long index,
			   unsigned long val)
{
	static const char *const names[] = {"pgd", "pud", "pmd", "pte"};
	FILE *out = ctx;
	unsigned long pfn = (val & PTE_PFN_MASK) >> PAGE_SHIFT;
	char bits[160];

	decode_entry_bits(bits, sizeof(bits), level, val);
	fprintf(out, "  %*s%s[%3lu] %012lx: %#018lx pfn %#lx %s", 2 * (int)level, "", names[level],
		index, addr, val, pfn, bits);
	if (level == PT_PTE && (val & (_PAGE_PRESENT | _PAGE_PROTNONE)) && pfn_valid(pfn)) {
		struct page *page = pfn_to_page(pfn);

		if (is_zero_pfn(pfn))
			fprintf(out, "  -> zero page");
		else
			fprintf(out, "  -> %s refcount=%d mapcount=%d",
				PageAnon(page) ? "anon" : "page", page_count(page),
				page_mapcount(page));
	}
	fprintf(out, "\n");
	return true;
}

/* walk_tables() entries handed on as struct bk_pt_entry, each with its table's pfn. */
struct pt_walk {
	unsigned long table[BK_NR_LEVELS];
	bk_pt_visit_fn fn;
	void *ctx;
};

static bool walk_entry_visit(void *ctx, enum pt_level level, unsigned long addr,
			     unsigned long index, unsigned long val)
{
	struct pt_walk *w = ctx;
	struct bk_pt_entry e = {
		.level = (enum bk_pt_level)level,
		.table = w->table[level],
		.index = index,
		.addr = addr,
		.val = val,
		.pfn = (val & PTE_PFN_MASK) >> PAGE_SHIFT,
		.present = val & (_PAGE_PRESENT | _PAGE_PROTNONE),
		.protnone = (val & (_PAGE_PRESENT | _PAGE_PROTNONE)) == _PAGE_PROTNONE,
		.writable = val & _PAGE_RW,
		.dirty = val & _PAGE_DIRTY,
	};

	e.leaf = level == PT_PTE || (val & _PAGE_PSE);
	if (!e.leaf && level < PT_PTE)
		w->table[level + 1] = e.pfn;
	if (e.leaf && e.present && pfn_valid(e.pfn)) {
		e.has_page = true;
		page_struct_facts(pfn_to_page(e.pfn), &e.page);
	}
	w->fn(w->ctx, &e);
	return true;
}

static int sim_walk_pagetable(struct bk_task *task, unsigned long start, unsigned long end,
			      unsigned long *root, bk_pt_visit_fn fn, void *ctx)
{
	struct mm_struct *mm = TASK(task)->mm;
	struct pt_walk w = {.fn = fn, .ctx = ctx};

	if (!mm)
		return -EINVAL;
	w.table[BK_PGD] = page_to_pfn(virt_to_page(mm->pgd));
	*root = w.table[BK_PGD];
	mmap_read_lock(mm);
	walk_tables(mm, start, end, walk_entry_visit, &w);
	mmap_read_unlock(mm);
	return 0;
}

static int sim_show_maps(bool smaps, FILE *out)
{
	return smaps ? show_smaps(out, sim_cur->mm) : show_maps(out, sim_cur->mm);
}

static int sim_show_status(FILE *out)
{
	return show_status(out, sim_cur->mm);
}

static int sim_hugepages_query(unsigned long size, unsigned long counts[4])
{
	struct sim_hugepages hp;
	int err = sim_hugepages(size, &hp);

	if (!err) {
		counts[0] = hp.total;
		counts[1] = hp.free;
		counts[2] = hp.rsvd;
		counts[3] = hp.surp;
	}
	return err;
}

static void sim_dump_pagetable(unsigned long start, unsigned long end, FILE *out)
{
	mmap_read_lock(sim_cur->mm);
	walk_tables(sim_cur->mm, start, end, print_pt_entry, out);
	mmap_read_unlock(sim_cur->mm);
}

static int sim_nr_vmstat(void)
{
	return NR_VM_NODE_STAT_ITEMS;
}

static const char *sim_vmstat_name(int item)
{
	return vmstat_name((enum node_stat_item)item);
}

static long sim_vmstat_value(int item)
{
	return (long)global_node_page_state((enum node_stat_item)item);
}

/* --- contiguous allocation and offlining --- */

static void print_busy(FILE *out, const char *what, const struct range_busy *busy)
{
	if (!busy->nr_busy)
		return;
	fprintf(out,
		"  %s: %d: %lu page(s) in use from pfn %#lx, %lu of them with GUP references\n",
		what, busy->error, busy->nr_busy, busy->first_busy_pfn, busy->nr_pinned);
	for (int i = 0; i < min_t(int, busy->nr_records, RANGE_BUSY_RECORDS); i++)
		fprintf(out, "    pfn %#lx: %d %s by %s\n", busy->records[i].pfn,
			busy->records[i].count, busy->records[i].pin ? "pin(s)" : "reference(s)",
			busy->records[i].site);
}

static long sim_cma_alloc(unsigned long count, unsigned int align, FILE *out)
{
	struct range_busy busy;
	struct page *page = cma_alloc(cma_default_area(), count, align, &busy);

	if (page)
		return (long)page_to_pfn(page);
	print_busy(out, "cma_alloc", &busy);
	return busy.error;
}

static long sim_cma_release(unsigned long pfn, unsigned long count)
{
	if (!pfn_valid(pfn))
		return -EINVAL;
	return cma_release(cma_default_area(), pfn_to_page(pfn), count) ? 0 : -EINVAL;
}

static long sim_offline(unsigned long pfn, unsigned long count, FILE *out)
{
	struct range_busy busy;
	int err = offline_range(pfn, count, &busy);

	print_busy(out, "offline_range", &busy);
	return err;
}

static long sim_online(unsigned long pfn, unsigned long count)
{
	return online_range(pfn, count);
}

const struct backend_ops sim_backend = {
	.name = "sim",
	.boot = sim_be_boot,
	.profile_known = sim_be_profile_known,
	.profile_names = sim_profile_names,
	.profile_current = sim_be_profile_current,
	.shutdown = sim_be_shutdown,
	.running = sim_running,
	.env_error = sim_env_error,
	.total_pages = sim_total_pages,
	.free_pages = sim_free_pages,
	.check = sim_check,
	.warn_count = sim_warn_count,
	.inject_arm = sim_be_inject_arm,
	.inject_off = sim_be_inject_off,
	.point_lookup = sim_point_lookup,
	.point_info = sim_be_point_info,
	.point_hook = sim_be_point_hook,
	.set_call_site = sim_set_call_site,
	.report_refs = sim_be_report_refs,
	.task_create = sim_task_create,
	.task_fork = sim_task_fork,
	.task_clone_thread = sim_task_clone_thread,
	.task_kill = sim_task_kill,
	.task_exit = sim_task_exit,
	.set_current = sim_set_current,
	.task_info = sim_task_info,
	.mmap = sim_mmap,
	.munmap = sim_munmap,
	.mprotect = sim_mprotect,
	.madvise = sim_madvise,
	.mlock = sim_mlock,
	.munlock = sim_munlock,
	.mremap = sim_mremap,
	.split_huge_page = sim_split_huge_page,
	.mseal = sim_mseal,
	.clear_refs = sim_clear_refs,
	.mmap_secretmem = sim_mmap_secretmem,
	.mmap_file = sim_mmap_file,
	.file_open = sim_file_open,
	.file_close = sys_close,
	.file_pread = sim_file_pread,
	.file_pwrite = sim_file_pwrite,
	.file_truncate = sim_file_truncate,
	.file_fsync = sys_fsync,
	.msync = sim_msync,
	.memfd_create = sys_memfd_create,
	.file_fcntl = sim_file_fcntl,
	.copy_to_user = sim_copy_to_user,
	.copy_from_user = sim_copy_from_user,
	.access_vm = sim_access_vm,
	.process_vm = sim_process_vm,
	.gup = sim_gup,
	.put_page = sim_put_page,
	.unpin_page = sim_unpin_page,
	.unpin_pages = sim_unpin_pages,
	.follow_page = sim_follow_page,
	.get_dump_page = sim_get_dump_page,
	.populate = sim_populate,
	.populate_vma = sim_populate_vma,
	.fixup = sim_fixup,
	.page_pfn = sim_page_pfn,
	.page_data = sim_page_data,
	.page_query = sim_page_query,
	.addr_query = sim_addr_query,
	.page_dump = sim_page_dump,
	.vma_query = sim_vma_query,
	.show_maps = sim_show_maps,
	.meminfo = sim_meminfo,
	.hugepages = sim_hugepages_query,
	.walk_pagetable = sim_walk_pagetable,
	.dump_pagetable = sim_dump_pagetable,
	.nr_vmstat = sim_nr_vmstat,
	.vmstat_name = sim_vmstat_name,
	.vmstat_value = sim_vmstat_value,
	.host_io_inject = host_io_inject,
	.cma_alloc = sim_cma_alloc,
	.cma_release = sim_cma_release,
	.offline = sim_offline,
	.online = sim_online,
	.reclaim = sim_be_reclaim,
	.kswapd_wait = sim_kswapd_wait_idle,
	.swap_stats = sim_be_swap_stats,
	.memremap = sim_memremap,
	.memunmap = sim_memunmap,
	.mmap_device = sim_be_mmap_device,
	.pgmap_refs = sim_pgmap_refs,
	.pgmap_pfn = sim_pgmap_pfn,
	.show_status = sim_show_status,
};
