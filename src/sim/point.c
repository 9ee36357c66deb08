// SPDX-License-Identifier: GPL-2.0-only
/*
 * The sim point table and what a thread does at a point: fault injection, the
 * point's hook, the scheduler's yield; plus the gates of section points.
 */
#include <stdlib.h>
#include <string.h>
#include <gup/inject.h>
#include <gup/sim_point.h>

static const struct sim_point_info points[NR_SIM_POINTS] = {
	[SP_PAGE_ALLOC] = {"page_alloc", "alloc_pages(), before taking a free block",
			   "the caller's: none, mmap_lock, or (fork's early COW) both PTE locks",
			   "NULL", true, false},
	[SP_PGTABLE_ALLOC] = {"pgtable_alloc", "pgtable_page_alloc(), before allocating",
			      "mmap_lock (read in faults, write in fork)", "struct mm_struct *",
			      true, false},
	[SP_VMA_ALLOC] = {"vma_alloc", "vm_area_alloc(), before allocating", "mmap_lock for write",
			  "struct mm_struct *", true, false},
	[SP_FAULT_RETRY] = {"fault_retry",
			    "handle_mm_fault() entry, when the fault may retry; failing drops "
			    "mmap_lock unless FAULT_FLAG_RETRY_NOWAIT",
			    "mmap_lock for read", "struct vm_area_struct *", true, false},
	[SP_FAULT_OOM] = {"fault_oom", "handle_mm_fault() entry", "mmap_lock for read",
			  "struct vm_area_struct *", true, false},
	[SP_FAULT_SIGBUS] = {"fault_sigbus", "handle_mm_fault() entry", "mmap_lock for read",
			     "struct vm_area_struct *", true, false},
	[SP_GUP_SIGNAL] = {"gup_signal",
			   "each page of the slow GUP walk, before follow_page_mask(); failing "
			   "sends SIGKILL to current",
			   "mmap_lock for read", "NULL", true, false},
	[SP_HUGETLB_ALLOC] = {"hugetlb_alloc",
			      "alloc_huge_page(), before taking a pool page; failing is an "
			      "exhausted pool (a fault gets SIGBUS)",
			      "mmap_lock for read", "struct vm_area_struct *", true, false},
	[SP_THP_ALLOC] = {"thp_alloc",
			  "do_huge_pmd_anonymous_page(), before allocating the THP; failing "
			  "falls back to small pages without reaching page_alloc",
			  "mmap_lock for read", "struct vm_area_struct *", true, false},
	[SP_THP_ZERO_PAGE_ALLOC] = {"thp_zero_page_alloc",
				    "get_huge_zero_page(), before allocating the huge zero page "
				    "(the first read fault of a boot); failing maps the small "
				    "zero page instead",
				    "mmap_lock for read", "NULL", true, false},
	[SP_MIGRATE_MOVE] = {"migrate_move",
			     "__unmap_and_move(), the page unmapped behind migration entries, "
			     "before its mapping moves to the new page; failing is a reference "
			     "found at the move (-EAGAIN: the page is remapped and retried, and "
			     "counts as failed after the last pass)",
			     "the old and new pages' locks", "struct page * (the old page)", true,
			     false},
	[SP_GUP_FAST_AFTER_GRAB] = {"gup_fast_after_grab",
				    "gup_fast_one_pte(), after the speculative reference and "
				    "before the PTE is read again",
				    "RCU read side only (no mmap_lock, no PTE lock)", "pte_t *",
				    false, false},
	[SP_GUP_FAST_WALK_END] = {"gup_fast_walk_end",
				  "lockless_pages_from_mm(), after the walk, before the RCU "
				  "section ends and write_protect_seq is checked",
				  "RCU read side only", "struct mm_struct *", false, false},
	[SP_FORK_WRPROTECT] = {"fork_wrprotect",
			       "copy_one_pte(), after the parent's PTE was write-protected and "
			       "before the child's is set",
			       "both mmap_locks for write, both PTE locks, write_protect_seq "
			       "write section",
			       "pte_t * (the parent's)", false, false},
	[SP_FAULT_BEFORE_PTE_LOCK] = {"fault_before_pte_lock",
				      "handle_pte_fault(), after reading the PTE unlocked, "
				      "before taking its lock",
				      "mmap_lock for read", "struct vm_fault *", false, false},
	[SP_PGTABLE_FREE] = {"pgtable_free",
			     "the RCU callback freeing an unlinked page-table page, before it "
			     "frees (a section: sim_point_hold keeps frees off)",
			     "none (liburcu's callback thread)", "struct page * (the table)", false,
			     true},
	[SP_COW_BEFORE_PAGE_LOCK] = {"cow_before_page_lock",
				     "wp_can_reuse_anon_page(), after the unlocked refcount "
				     "check, before trylock_page()",
				     "mmap_lock for read, the PTE lock", "struct page *", false,
				     false},
	[SP_COW_AFTER_PAGE_LOCK] = {"cow_after_page_lock",
				    "wp_can_reuse_anon_page(), with the page locked, before the "
				    "counts are checked again",
				    "mmap_lock for read, the PTE lock, the page lock",
				    "struct page *", false, false},
	[SP_GUP_AFTER_FAULTIN] = {"gup_after_faultin",
				  "follow_or_fault_page(), after faultin_page() succeeded and "
				  "before follow_page_mask() is retried",
				  "mmap_lock for read", "struct vm_area_struct *", false, false},
	[SP_GUP_FAST_HUGE_GRAB] = {"gup_fast_huge_grab",
				   "gup_huge_leaf(), after the one speculative reference on "
				   "the huge page and before the huge entry is read again",
				   "RCU read side only (no mmap_lock, no pmd lock)",
				   "unsigned long * (the huge entry)", false, false},
	[SP_FILE_READ] = {"file_read",
			  "host_readpage(), the page locked and !Uptodate, before the host "
			  "pread: the read is in flight",
			  "the page lock; mmap_lock for read unless the fault dropped it",
			  "struct page *", false, false},
	[SP_MIGRATE_AFTER_UNMAP] =
		{"migrate_after_unmap",
		 "unmap_and_move(), after try_to_unmap() left migration "
		 "entries, before the references are checked and the data copied",
		 "the old page's lock", "struct page * (the old page)", false, false},
	[SP_FILE_PAGE_WAIT] = {"file_page_wait",
			       "filemap_fault(), the page found locked (a read in flight), "
			       "before the fault drops mmap_lock to wait or returns RETRY",
			       "mmap_lock for read", "struct vm_fault *", false, false},
	[SP_SWAP_WRITE] = {"swap_write",
			   "swap_writepage(), the page locked, unmapped and in the swap cache, "
			   "before the host pwrite: the swap-out is in flight",
			   "the page lock", "struct page *", false, false},
	[SP_SWAP_READ] = {"swap_read",
			  "swap_readpage(), the new page locked in the swap cache and "
			  "!Uptodate, before the host pread: the swap-in is in flight",
			  "the page lock; mmap_lock for read", "struct page *", false, false},
	[SP_THP_SPLIT_FROZEN] = {"thp_split_frozen",
				 "split_huge_page_to_list(), every PTE of the THP a migration "
				 "entry, before the reference count is frozen",
				 "the THP's lock; mmap_lock for read of every mm",
				 "struct page * (the head)", false, false},
	[SP_MIGRATE_BEFORE_UNMAP] = {"migrate_before_unmap",
				     "__unmap_and_move(), both pages locked, before try_to_unmap() "
				     "installs migration entries",
				     "the old and new pages' locks", "struct page * (the old page)",
				     false, false},
	[SP_MIGRATE_BEFORE_REMAP] = {"migrate_before_remap",
				     "__unmap_and_move(), the move done or refused, before "
				     "remove_migration_ptes() replaces the migration entries",
				     "the old and new pages' locks", "struct page * (the old page)",
				     false, false},
	[SP_MIGRATE_AFTER_REMAP] = {"migrate_after_remap",
				    "__unmap_and_move(), after remove_migration_ptes(), before "
				    "the pages are unlocked",
				    "the old and new pages' locks", "struct page * (the old page)",
				    false, false},
	[SP_HUGETLB_COW_COPY] = {"hugetlb_cow_copy",
				 "hugetlb_cow(), the old page referenced and the entry's lock "
				 "dropped, before the copy into the new page",
				 "the huge page's fault mutex; mmap_lock for read",
				 "struct page * (the old page)", false, false},
	[SP_HUGETLB_FAULT_WAIT] = {"hugetlb_fault_wait",
				   "hugetlb_fault(), another fault holds this huge page's fault "
				   "mutex: before waiting for it",
				   "mmap_lock for read", "struct vm_area_struct *", false, false},
	[SP_GUP_FAST_BEFORE_GRAB] = {"gup_fast_before_grab",
				     "try_get_compound_head(), the head found, before the "
				     "speculative reference is added to its count (the page may "
				     "be split, or freed and reused, here)",
				     "whatever the caller holds: RCU read side only in GUP-fast",
				     "struct page * (the page asked for)", false, false},
};

_Static_assert(INJECT_PAGE_ALLOC == (int)SP_PAGE_ALLOC && INJECT_GUP_SIGNAL == (int)SP_GUP_SIGNAL &&
		       INJECT_THP_ZERO_PAGE_ALLOC == (int)SP_THP_ZERO_PAGE_ALLOC &&
		       INJECT_MIGRATE_MOVE == (int)SP_MIGRATE_MOVE &&
		       NR_INJECT_POINTS == (int)SP_MIGRATE_MOVE + 1,
	       "the injection points are the first rows of the sim point table");

unsigned int sim_points_active;

struct sim_hook {
	sim_point_hook_fn fn;
	void *arg;
	struct sim_hook *retired_next;
};

/* Hooks are published whole; a replaced one stays allocated (a racing call may run it). */
static struct sim_hook *hooks[NR_SIM_POINTS];
static struct sim_hook *retired_hooks;
static int nr_hooked;
static pthread_mutex_t hooks_lock = PTHREAD_MUTEX_INITIALIZER;
static const struct sim_sched_ops *sched_ops;
static pthread_mutex_t section_gates[NR_SIM_POINTS] = {
	[0 ... NR_SIM_POINTS - 1] = PTHREAD_MUTEX_INITIALIZER,
};

static bool is_point(enum sim_point_id id)
{
	return (unsigned int)id < NR_SIM_POINTS;
}

const struct sim_point_info *sim_point_info(enum sim_point_id id)
{
	return is_point(id) ? &points[id] : NULL;
}

int sim_point_lookup(const char *name)
{
	if (!name)
		return -EINVAL;
	for (int i = 0; i < NR_SIM_POINTS; i++)
		if (!strcmp(points[i].name, name))
			return i;
	return -ENOENT;
}

void sim_points_set_active(unsigned int bit, bool on)
{
	if (on)
		__atomic_fetch_or(&sim_points_active, bit, __ATOMIC_RELAXED);
	else
		__atomic_fetch_and(&sim_points_active, ~bit, __ATOMIC_RELAXED);
}

int sim_point_set_hook(enum sim_point_id id, sim_point_hook_fn fn, void *arg)
{
	struct sim_hook *hook = NULL, *old;

	if (!is_point(id))
		return -EINVAL;
	if (fn) {
		hook = malloc(sizeof(*hook));
		if (!hook)
			return -ENOMEM;
		*hook = (struct sim_hook){.fn = fn, .arg = arg};
	}
	pthread_mutex_lock(&hooks_lock);
	old = hooks[id];
	__atomic_store_n(&hooks[id], hook, __ATOMIC_RELEASE);
	nr_hooked += !!hook - !!old;
	if (old) {
		old->retired_next = retired_hooks;
		retired_hooks = old;
	}
	sim_points_set_active(SIM_POINTS_HOOKED, nr_hooked);
	pthread_mutex_unlock(&hooks_lock);
	return 0;
}

void sim_sched_install(const struct sim_sched_ops *ops)
{
	__atomic_store_n(&sched_ops, ops, __ATOMIC_RELEASE);
	sim_points_set_active(SIM_POINTS_SCHED, ops);
}

void sim_point_reset(void)
{
	sim_sched_install(NULL);
	for (int i = 0; i < NR_SIM_POINTS; i++)
		sim_point_set_hook(i, NULL, NULL);
	/* No thread runs a hook any more: nothing can still use the retired ones. */
	pthread_mutex_lock(&hooks_lock);
	while (retired_hooks) {
		struct sim_hook *next = retired_hooks->retired_next;

		free(retired_hooks);
		retired_hooks = next;
	}
	pthread_mutex_unlock(&hooks_lock);
}

bool __sim_point(enum sim_point_id id, void *ctx)
{
	bool fail = points[id].can_fail && inject_should_fail((enum inject_point)id);
	struct sim_hook *hook = __atomic_load_n(&hooks[id], __ATOMIC_ACQUIRE);
	const struct sim_sched_ops *sched;

	if (hook)
		hook->fn(id, ctx, hook->arg);
	sched = __atomic_load_n(&sched_ops, __ATOMIC_ACQUIRE);
	if (sched && sched->yield)
		sched->yield(id, ctx, sched->arg);
	return fail;
}

void sim_point_section_begin(enum sim_point_id id, void *ctx)
{
	pthread_mutex_lock(&section_gates[id]);
	sim_point(id, ctx);
}

void sim_point_section_end(enum sim_point_id id)
{
	pthread_mutex_unlock(&section_gates[id]);
}

int sim_point_hold(enum sim_point_id id)
{
	if (!is_point(id) || !points[id].section)
		return -EINVAL;
	pthread_mutex_lock(&section_gates[id]);
	return 0;
}

void sim_point_release(enum sim_point_id id)
{
	if (is_point(id) && points[id].section)
		pthread_mutex_unlock(&section_gates[id]);
}
