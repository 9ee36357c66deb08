// SPDX-License-Identifier: GPL-2.0-only
/*
 * tests/test_migrate_hugetlb.c - hugetlb page migration as 5.11 does it: private and
 * shared 2 MiB pages move whole to a pool page (or a temporary one) in another zone
 * behind huge migration entries; pins keep their page; a 1 GiB page needs a free
 * gigantic pool page (-ENOMEM without) and moves whole on offlining behind a PUD
 * migration entry; faults, GUP-fast, fork, munmap and mprotect meeting the
 * migration entries in the window between unmap and remap (a waiter does not fail
 * the pass); offline_range() and, by profile, cma_alloc() over hugetlb pages.
 */
#include "migrate_window.h"

#define HUGE_PRIVATE (MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB)
#define HUGE_SHARED (MAP_SHARED | MAP_ANONYMOUS | MAP_HUGETLB)
#define RW (PROT_READ | PROT_WRITE)

/* 8 MiB of ZONE_MOVABLE: the first four pool pages land there, the rest in ZONE_NORMAL. */
static int boot_pool(unsigned long nr_2m)
{
	struct sim_config cfg = {
		.mem_bytes = 64 * MIB, .movable_bytes = 8 * MIB, .hugetlb_2m_pages = nr_2m};

	return sim_boot(&cfg);
}

static int boot_with_normal(void **state)
{
	(void)state;
	return boot_pool(5);
}

static int boot_movable_only(void **state)
{
	(void)state;
	return boot_pool(4);
}

static struct sim_hugepages pool(unsigned long size)
{
	struct sim_hugepages hp;

	assert_int_equal(sim_hugepages(size, &hp), 0);
	return hp;
}

static void assert_pool(unsigned long total, unsigned long free, unsigned long rsvd)
{
	struct sim_hugepages hp = pool(PMD_SIZE);

	assert_int_equal(hp.total, total);
	assert_int_equal(hp.free, free);
	assert_int_equal(hp.rsvd, rsvd);
	assert_int_equal(hp.surp, 0);
}

static void put_byte(unsigned long addr, char c)
{
	assert_int_equal(copy_to_user(addr, &c, 1), 0);
}

static char get_byte(unsigned long addr)
{
	char c = 0;

	assert_int_equal(copy_from_user(&c, addr, 1), 0);
	return c;
}

/* One huge page mapped with @flags, its first, a middle and its last byte written. */
static unsigned long map_huge_page(unsigned long flags)
{
	unsigned long addr = sys_mmap(0, PMD_SIZE, RW, flags, -1, 0);

	assert_false(IS_ERR_VALUE(addr));
	put_byte(addr, 'f');
	put_byte(addr + PMD_SIZE / 2, 'm');
	put_byte(addr + PMD_SIZE - 1, 'l');
	return addr;
}

static void assert_bytes_at(unsigned long addr, unsigned long size)
{
	assert_int_equal(get_byte(addr), 'f');
	assert_int_equal(get_byte(addr + size / 2), 'm');
	assert_int_equal(get_byte(addr + size - 1), 'l');
}

static void assert_bytes(unsigned long addr)
{
	assert_bytes_at(addr, PMD_SIZE);
}

static unsigned long huge_entry(struct task_struct *t, unsigned long addr)
{
	unsigned long *ptep = huge_pte_offset(t->mm, addr, PMD_SIZE);

	assert_non_null(ptep);
	return __atomic_load_n(ptep, __ATOMIC_ACQUIRE);
}

/* A present huge pmd maps the whole pool page at @addr: one head, 512 pfns in a row. */
static void assert_pmd_mapped(struct task_struct *t, unsigned long addr)
{
	unsigned long entry = huge_entry(t, addr);
	struct page *head = pfn_to_page(pfn_of(t, addr));

	assert_true(pmd_huge(__pmd(entry)) && (entry & _PAGE_PRESENT));
	assert_true(PageHuge(head) && PageHead(head));
	assert_int_equal(pfn_of(t, addr + PMD_SIZE - PAGE_SIZE),
			 page_to_pfn(head) + HPAGE_PMD_NR - 1);
}

static enum zone_type zone_of(struct task_struct *t, unsigned long addr)
{
	return page_zonenum(pfn_to_page(pfn_of(t, addr)));
}

/* The move of one mapped huge page from ZONE_MOVABLE to a free ZONE_NORMAL pool page. */
static void migrate_and_check(unsigned long flags)
{
	struct task_struct *t = start_task("huge");
	unsigned long addr = map_huge_page(flags), before = pfn_of(t, addr);

	assert_int_equal(zone_of(t, addr), ZONE_MOVABLE);
	assert_pool(5, 4, 0);
	assert_int_equal(sim_migrate_range(addr, PMD_SIZE, ZONE_NORMAL), 0);
	assert_int_not_equal(pfn_of(t, addr), before);
	assert_int_equal(zone_of(t, addr), ZONE_NORMAL);
	assert_pmd_mapped(t, addr);
	assert_true(huge_entry(t, addr) & _PAGE_RW); /* a write entry comes back writable */
	assert_bytes(addr);
	/* The old page is free in the pool again: the counters did not move. */
	assert_pool(5, 4, 0);
	assert_int_equal(sim_check(NULL), 0);
	assert_int_equal(sys_munmap(addr, PMD_SIZE), 0);
	assert_pool(5, 5, 0);
	task_exit(t);
}

static void test_private_page_moves_to_pool_page(void **state)
{
	(void)state;
	migrate_and_check(HUGE_PRIVATE);
}

/* A shared page changes places in its hugetlbfs object's cache too. */
static void test_shared_page_moves_to_pool_page(void **state)
{
	(void)state;
	migrate_and_check(HUGE_SHARED);
}

/*
 * The second huge page of a shared object, mapped by a child too: the reverse map
 * finds both mappings by the page's offset in the object (index << order).
 */
static void test_shared_second_page_moves_in_both_mms(void **state)
{
	struct task_struct *t = start_task("huge"), *child;
	unsigned long addr = sys_mmap(0, 2 * PMD_SIZE, RW, HUGE_SHARED, -1, 0), second, first_pfn;

	(void)state;
	assert_false(IS_ERR_VALUE(addr));
	second = addr + PMD_SIZE;
	put_byte(addr, 'a');
	put_byte(second + 7, 's');
	first_pfn = pfn_of(t, addr);
	child = sys_fork();
	assert_non_null(child);
	set_current(t);
	assert_int_equal(zone_of(t, second), ZONE_MOVABLE);
	assert_int_equal(sim_migrate_range(second, PMD_SIZE, ZONE_NORMAL), 0);
	assert_int_equal(zone_of(t, second), ZONE_NORMAL);
	assert_int_equal(pfn_of(child, second), pfn_of(t, second));
	assert_int_equal(pfn_of(t, addr), first_pfn);
	assert_int_equal(get_byte(second + 7), 's');
	set_current(child);
	assert_int_equal(get_byte(second + 7), 's');
	put_byte(second + 8, 'c'); /* shared: the parent sees it */
	set_current(t);
	assert_int_equal(get_byte(second + 8), 'c');
	assert_int_equal(sim_check(NULL), 0);
	task_exit(child);
	task_exit(t);
}

/*
 * No free pool page in ZONE_NORMAL: a temporary page from the buddy allocator
 * takes the old one's place in the pool, and the old page leaves for the buddy.
 */
static void test_temporary_page_replaces_the_old_one(void **state)
{
	struct task_struct *t = start_task("huge");
	unsigned long addr = map_huge_page(HUGE_PRIVATE), before = pfn_of(t, addr);

	(void)state;
	assert_int_equal(zone_of(t, addr), ZONE_MOVABLE);
	assert_int_equal(sim_migrate_range(addr, PMD_SIZE, ZONE_NORMAL), 0);
	assert_int_not_equal(pfn_of(t, addr), before);
	assert_int_equal(zone_of(t, addr), ZONE_NORMAL);
	assert_true(PageBuddy(pfn_to_page(before)));
	assert_bytes(addr);
	assert_pool(4, 3, 0);
	assert_int_equal(sim_check(NULL), 0);
	assert_int_equal(sys_munmap(addr, PMD_SIZE), 0);
	assert_pool(4, 4, 0);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

/* A pin is a reference migration cannot account for: -EAGAIN every pass; it stays. */
static void test_pinned_page_stays(void **state)
{
	struct task_struct *t = start_task("huge");
	unsigned long addr = map_huge_page(HUGE_PRIVATE), before = pfn_of(t, addr);
	struct page *page;

	(void)state;
	assert_int_equal(pin_user_pages_fast(addr + PAGE_SIZE, 1, FOLL_WRITE, &page), 1);
	assert_int_equal(sim_migrate_range(addr, PMD_SIZE, ZONE_NORMAL), 1);
	assert_int_equal(pfn_of(t, addr), before);
	assert_int_equal(page_to_pfn(page), before + 1);
	assert_pmd_mapped(t, addr);
	assert_pool(5, 4, 0);
	unpin_user_page(page);
	assert_bytes(addr);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

/* No page in ZONE_NORMAL, pool or buddy (injected): -ENOMEM, the page stays mapped. */
static void test_no_target_is_enomem(void **state)
{
	struct task_struct *t = start_task("huge");
	unsigned long addr = map_huge_page(HUGE_PRIVATE), before = pfn_of(t, addr);

	(void)state;
	assert_int_equal(inject_arm("page_alloc", 1, 0), 0);
	assert_int_equal(sim_migrate_range(addr, PMD_SIZE, ZONE_NORMAL), -ENOMEM);
	inject_disarm_all();
	assert_int_equal(pfn_of(t, addr), before);
	assert_pmd_mapped(t, addr);
	assert_bytes(addr);
	assert_pool(4, 3, 0);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

/*
 * A 1 GiB page: 5.11 never allocates a gigantic target, only a free gigantic pool
 * page will do, and ZONE_MOVABLE has none: -ENOMEM, the page stays where it is.
 */
static void test_gigantic_page_needs_a_gigantic_pool_page(void **state)
{
	struct sim_config cfg = {
		.mem_bytes = 2UL << 30, .movable_bytes = 8 * MIB, .hugetlb_1g_pages = 1};
	struct task_struct *t;
	unsigned long addr, before;

	(void)state;
	assert_int_equal(sim_boot(&cfg), 0);
	t = start_task("huge");
	addr = sys_mmap(0, PUD_SIZE, RW, HUGE_PRIVATE | MAP_HUGE_1GB, -1, 0);
	assert_false(IS_ERR_VALUE(addr));
	put_byte(addr + PUD_SIZE - 1, 'g');
	before = pfn_of(t, addr);
	assert_int_equal(sim_migrate_range(addr, PUD_SIZE, ZONE_MOVABLE), -ENOMEM);
	assert_int_equal(pfn_of(t, addr), before);
	assert_int_equal(get_byte(addr + PUD_SIZE - 1), 'g');
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

/* --- the window between unmap and remap --- */

static struct task_struct *window_task;
static unsigned long window_addr;

static void assert_migration_entry(unsigned long addr, bool write)
{
	unsigned long entry = huge_entry(window_task, addr);

	assert_true(is_hugetlb_entry_migration(entry));
	assert_int_equal(is_write_migration_entry(pte_to_swp_entry(__pte(entry))), write);
}

/* GUP-fast meets a non-present huge pmd: it takes nothing (the caller falls back). */
static void gup_fast_in_window(enum sim_point_id id, void *ctx, void *arg)
{
	struct page *page;

	(void)id;
	(void)ctx;
	(void)arg;
	assert_migration_entry(window_addr, true);
	assert_int_equal(get_user_pages_fast_only(window_addr, 1, 0, &page), 0);
	/* pagemap sees no page there (5.11 reports neither present nor swapped). */
	assert_int_equal(
		pagemap_entry(window_task, window_addr + PAGE_SIZE) & (PM_PRESENT | PM_SWAP), 0);
	assert_int_equal(sim_check(NULL), 0);
}

static void run_window(unsigned long flags, sim_point_hook_fn hook)
{
	window_task = start_task("huge");
	window_addr = map_huge_page(flags);
	assert_int_equal(sim_point_set_hook(SP_MIGRATE_AFTER_UNMAP, hook, NULL), 0);
	assert_int_equal(sim_migrate_range(window_addr, PMD_SIZE, ZONE_NORMAL), 0);
	assert_int_equal(sim_point_set_hook(SP_MIGRATE_AFTER_UNMAP, NULL, NULL), 0);
	set_current(window_task);
}

static void test_gup_fast_refuses_migration_entry(void **state)
{
	(void)state;
	run_window(HUGE_PRIVATE, gup_fast_in_window);
	assert_int_equal(zone_of(window_task, window_addr), ZONE_NORMAL);
	assert_bytes(window_addr);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(window_task);
}

/*
 * follow_page() without FOLL_MIGRATION meets the entry: follow_huge_pmd() finds no
 * page, and the lookup reads as nothing mapped (no reference is taken).
 */
static void follow_page_in_window(enum sim_point_id id, void *ctx, void *arg)
{
	struct page *old = ctx;
	int refs = page_ref_count(old);

	(void)id;
	(void)arg;
	assert_migration_entry(window_addr, true);
	mmap_read_lock(window_task->mm);
	assert_null(
		follow_page(vma_at(window_task, window_addr), window_addr + PAGE_SIZE, FOLL_GET));
	mmap_read_unlock(window_task->mm);
	assert_int_equal(page_ref_count(old), refs);
}

static void test_follow_page_without_foll_migration(void **state)
{
	(void)state;
	run_window(HUGE_PRIVATE, follow_page_in_window);
	assert_int_equal(zone_of(window_task, window_addr), ZONE_NORMAL);
	assert_bytes(window_addr);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(window_task);
}

static struct task_struct *window_child;

static void assert_entry_of(struct task_struct *t, unsigned long addr, bool write)
{
	unsigned long entry = huge_entry(t, addr);

	assert_true(is_hugetlb_entry_migration(entry));
	assert_int_equal(is_write_migration_entry(pte_to_swp_entry(__pte(entry))), write);
}

/* fork copies the entry; in a private mapping a write entry turns read in both. */
static void fork_in_window(enum sim_point_id id, void *ctx, void *arg)
{
	(void)id;
	(void)ctx;
	(void)arg;
	window_child = sys_fork();
	assert_non_null(window_child);
	set_current(window_task);
	assert_entry_of(window_task, window_addr, false);
	assert_entry_of(window_child, window_addr, false);
	assert_int_equal(sim_check(NULL), 0);
}

static void test_fork_copies_migration_entry(void **state)
{
	(void)state;
	run_window(HUGE_PRIVATE, fork_in_window);
	/* Both map the new page, read-only: the child's write COWs, the parent keeps its data. */
	assert_int_equal(pfn_of(window_child, window_addr), pfn_of(window_task, window_addr));
	assert_int_equal(zone_of(window_child, window_addr), ZONE_NORMAL);
	assert_false(huge_entry(window_child, window_addr) & _PAGE_RW);
	assert_false(huge_entry(window_task, window_addr) & _PAGE_RW);
	set_current(window_child);
	assert_bytes(window_addr);
	put_byte(window_addr, 'c');
	assert_int_equal(get_byte(window_addr), 'c');
	set_current(window_task);
	assert_bytes(window_addr);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(window_child);
	task_exit(window_task);
}

/* munmap clears the migration entry: the new page ends with no mapping and is freed. */
static void munmap_in_window(enum sim_point_id id, void *ctx, void *arg)
{
	(void)id;
	(void)ctx;
	(void)arg;
	assert_int_equal(sys_munmap(window_addr, PMD_SIZE), 0);
	assert_int_equal(sim_check(NULL), 0);
}

static void test_munmap_in_window(void **state)
{
	(void)state;
	run_window(HUGE_SHARED, munmap_in_window);
	assert_false(addr_present(window_addr));
	assert_pool(5, 5, 0);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(window_task);
}

/* mprotect turns a write entry read (5.11 hugetlb_change_protection()). */
static void mprotect_in_window(enum sim_point_id id, void *ctx, void *arg)
{
	(void)id;
	(void)ctx;
	(void)arg;
	assert_int_equal(sys_mprotect(window_addr, PMD_SIZE, PROT_READ), 0);
	assert_migration_entry(window_addr, false);
	assert_int_equal(sim_check(NULL), 0);
}

static void test_mprotect_in_window(void **state)
{
	(void)state;
	run_window(HUGE_PRIVATE, mprotect_in_window);
	assert_false(huge_entry(window_task, window_addr) & _PAGE_RW);
	assert_int_equal(zone_of(window_task, window_addr), ZONE_NORMAL);
	assert_int_equal(sys_mprotect(window_addr, PMD_SIZE, RW), 0);
	put_byte(window_addr + 1, 'w'); /* a write fault makes it writable again */
	assert_true(huge_entry(window_task, window_addr) & _PAGE_RW);
	assert_bytes(window_addr);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(window_task);
}

/*
 * A fault of another thread on the migration entry sleeps on the old page's lock
 * (migration_entry_wait_huge()) holding no reference, as 5.11's
 * __migration_entry_wait() does for hugetlb too: the pass it waits for moves the
 * page (the window opens once), and the waiter then reads the new page.
 */
static struct window_waiter waiter;
static int window_hits;

static void waiter_pin(struct window_waiter *ww)
{
	struct page *page;

	/* A read pin: a write one would fault on any entry it cannot write. */
	ww->ret = pin_user_pages(ww->addr, 1, 0, &page, NULL);
	if (ww->ret == 1) {
		ww->byte = *((char *)page_address(page));
		ww->page = page;
		unpin_user_page(page);
	}
}

/* follow_page() with FOLL_MIGRATION (5.11's KSM lookup): it waits, then gets the new page. */
static void waiter_follow_migration(struct window_waiter *ww)
{
	waiter_follow_page_migration(ww);
	ww->ret = ww->page ? 1 : 0;
	if (ww->page) {
		ww->byte = *((char *)page_address(ww->page));
		put_page(ww->page);
	}
}

static void fault_in_window(enum sim_point_id id, void *ctx, void *arg)
{
	(void)id;
	(void)arg;
	if (window_hits++)
		return; /* a retried pass: the waiter made the first one fail */
	waiter.task = task_clone_thread(window_task);
	assert_non_null(waiter.task);
	window_waiter_start(&waiter, ctx);
	set_current(window_task);
}

static void run_waiter(void (*fn)(struct window_waiter *ww))
{
	window_hits = 0;
	window_task = start_task("huge");
	window_addr = map_huge_page(HUGE_PRIVATE);
	waiter = (struct window_waiter){.fn = fn, .addr = window_addr + PMD_SIZE / 2};
	assert_int_equal(sim_point_set_hook(SP_MIGRATE_AFTER_UNMAP, fault_in_window, NULL), 0);
	assert_int_equal(sim_migrate_range(window_addr, PMD_SIZE, ZONE_NORMAL), 0);
	assert_int_equal(sim_point_set_hook(SP_MIGRATE_AFTER_UNMAP, NULL, NULL), 0);
	window_waiter_join(&waiter);
	task_exit(waiter.task);
	set_current(window_task);
	/* One pass: the sleeping waiter held no reference that would have failed it. */
	assert_int_equal(window_hits, 1);
	assert_int_equal(zone_of(window_task, window_addr), ZONE_NORMAL);
	assert_int_equal(waiter.byte, 'm');
	if (fn == waiter_pin || fn == waiter_follow_migration) {
		assert_int_equal(waiter.ret, 1);
		assert_int_equal(page_zonenum(waiter.page), ZONE_NORMAL);
	} else {
		assert_int_equal(waiter.ret, 0);
	}
	assert_bytes(window_addr);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(window_task);
}

static void test_fault_waits_for_migration(void **state)
{
	(void)state;
	run_waiter(waiter_read_fault);
}

static void test_slow_gup_waits_for_migration(void **state)
{
	(void)state;
	run_waiter(waiter_pin);
}

static void test_follow_page_waits_for_migration(void **state)
{
	(void)state;
	run_waiter(waiter_follow_migration);
}

/* --- offline_range() and cma_alloc() over hugetlb pages --- */

/*
 * Offlining moves an in-use hugetlb page out of the range (do_migrate_range(),
 * both profiles): its target is a free pool page outside, never one in the range
 * (dequeue skips isolated pageblocks); the old page, free in the pool again, is
 * dissolved (dissolve_free_huge_pages()): the pool shrinks by one.
 */
static void test_offline_moves_in_use_page(void **state)
{
	struct task_struct *t = start_task("huge");
	unsigned long addr = map_huge_page(HUGE_PRIVATE), start = pfn_of(t, addr);
	struct range_busy busy;

	(void)state;
	assert_pool(5, 4, 0);
	assert_int_equal(offline_range(start, HPAGE_PMD_NR, &busy), 0);
	assert_int_equal(busy.error, 0);
	assert_true(pfn_of(t, addr) < start || pfn_of(t, addr) >= start + HPAGE_PMD_NR);
	assert_pmd_mapped(t, addr);
	assert_bytes(addr);
	assert_pool(4, 3, 0);
	assert_int_equal(sim_check(NULL), 0);
	assert_int_equal(online_range(start, HPAGE_PMD_NR), 0);
	assert_int_equal(sys_munmap(addr, PMD_SIZE), 0);
	assert_pool(4, 4, 0);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

/* A pinned hugetlb page stays: -EBUSY, and the report names the pin's call site. */
static void test_offline_refuses_pinned_page(void **state)
{
	struct task_struct *t = start_task("huge");
	unsigned long addr = map_huge_page(HUGE_PRIVATE), start = pfn_of(t, addr);
	struct range_busy busy;
	struct page *pin;

	(void)state;
	sim_set_call_site("vfio.c:7");
	assert_int_equal(pin_user_pages_fast(addr, 1, FOLL_WRITE, &pin), 1);
	sim_set_call_site(NULL);
	assert_int_equal(offline_range(start, HPAGE_PMD_NR, &busy), -EBUSY);
	assert_int_equal(busy.nr_busy, HPAGE_PMD_NR);
	assert_int_equal(busy.first_busy_pfn, start);
	assert_int_equal(busy.nr_pinned, 1);
	assert_int_equal(busy.nr_records, 1);
	assert_true(busy.records[0].pin);
	assert_string_equal(busy.records[0].site, "vfio.c:7");
	assert_int_equal(pfn_of(t, addr), start);
	assert_pool(5, 4, 0);
	assert_int_equal(sim_check(NULL), 0);
	unpin_user_page(pin);
	assert_int_equal(offline_range(start, HPAGE_PMD_NR, &busy), 0);
	assert_bytes(addr);
	assert_int_equal(online_range(start, HPAGE_PMD_NR), 0);
	task_exit(t);
}

/*
 * A free pool page in the range is dissolved, but never one a reservation was
 * promised (dissolve_free_huge_page()'s free - resv check): then -EBUSY.
 */
static void test_offline_dissolves_free_pool_page(void **state)
{
	struct task_struct *t = start_task("huge");
	unsigned long addr = map_huge_page(HUGE_PRIVATE), start = pfn_of(t, addr), resv;

	(void)state;
	assert_int_equal(sys_munmap(addr, PMD_SIZE), 0);
	assert_pool(5, 5, 0);
	/* Every free page promised: nothing may leave the pool. */
	resv = sys_mmap(0, 5 * PMD_SIZE, RW, HUGE_SHARED, -1, 0);
	assert_false(IS_ERR_VALUE(resv));
	assert_pool(5, 5, 5);
	assert_int_equal(offline_range(start, HPAGE_PMD_NR, NULL), -EBUSY);
	assert_pool(5, 5, 5);
	assert_int_equal(sys_munmap(resv, 5 * PMD_SIZE), 0);
	assert_int_equal(offline_range(start, HPAGE_PMD_NR, NULL), 0);
	assert_pool(4, 4, 0);
	assert_int_equal(sim_check(NULL), 0);
	assert_int_equal(online_range(start, HPAGE_PMD_NR), 0);
	task_exit(t);
}

static void count_window(enum sim_point_id id, void *ctx, void *arg)
{
	(void)id;
	(void)ctx;
	(void)arg;
	window_hits++;
}

/* Both pool pages in the CMA area (2 MiB pages are movable allocations). */
static int boot_cma_pool(void **state)
{
	struct sim_config cfg = {
		.mem_bytes = 24 * MIB, .cma_bytes = 16 * MIB, .hugetlb_2m_pages = 2};

	(void)state;
	return sim_boot(&cfg);
}

/*
 * cma_alloc() of the whole area with a hugetlb page in use in it: 5.11's
 * alloc_contig_range() skips hugetlb pages, so the area stays busy; 6.18 moves
 * the in-use page out (a temporary target: the other pool page is in the area)
 * and replaces the free one with a fresh page outside, the pool keeping its size.
 */
static void test_cma_alloc_over_hugetlb_pages(void **state)
{
	struct task_struct *t = start_task("huge");
	struct cma *cma = cma_default_area();
	unsigned long count = cma_get_count(cma), base = cma_get_base_pfn(cma);
	unsigned long addr = map_huge_page(HUGE_PRIVATE), pfn = pfn_of(t, addr);
	struct range_busy busy;
	struct page *first;

	(void)state;
	assert_true(is_migrate_cma_page(pfn_to_page(pfn)));
	assert_pool(2, 1, 0);
	window_hits = 0;
	assert_int_equal(sim_point_set_hook(SP_MIGRATE_AFTER_UNMAP, count_window, NULL), 0);
	first = cma_alloc(cma, count, 0, &busy);
	assert_int_equal(sim_point_set_hook(SP_MIGRATE_AFTER_UNMAP, NULL, NULL), 0);
	/* One move, straight out of the area: no target inside the isolated range. */
	assert_int_equal(window_hits, profile_is_6_18() ? 1 : 0);
	if (!profile_is_6_18()) {
		assert_null(first);
		assert_int_equal(busy.error, -EBUSY);
		assert_int_equal(busy.nr_pinned, 0);
		assert_int_equal(pfn_of(t, addr), pfn);
		assert_pool(2, 1, 0);
	} else {
		assert_non_null(first);
		assert_int_equal(page_to_pfn(first), base);
		pfn = pfn_of(t, addr);
		assert_true(pfn < base || pfn >= base + count);
		assert_pmd_mapped(t, addr);
		assert_pool(2, 1, 0);
		assert_true(cma_release(cma, first, count));
	}
	assert_bytes(addr);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

/* --- a 1 GiB page --- */

static unsigned long gigantic_addr;
static int gigantic_hits;

/* In the window: the PUD holds a huge migration entry for the write mapping. */
static void gigantic_in_window(enum sim_point_id id, void *ctx, void *arg)
{
	unsigned long *ptep = huge_pte_offset(window_task->mm, gigantic_addr, PUD_SIZE);
	unsigned long entry;

	(void)id;
	(void)arg;
	gigantic_hits++;
	assert_non_null(ptep);
	entry = __atomic_load_n(ptep, __ATOMIC_ACQUIRE);
	assert_true(is_hugetlb_entry_migration(entry));
	assert_true(is_write_migration_entry(pte_to_swp_entry(__pte(entry))));
	assert_ptr_equal(migration_entry_to_page(pte_to_swp_entry(__pte(entry))), ctx);
}

/*
 * Offlining the frames of a mapped 1 GiB page moves it whole to the other
 * gigantic pool page behind a PUD migration entry (5.11 allocates no gigantic
 * target: only a free pool page will do); the old page leaves the pool.
 */
static void test_gigantic_page_moves_on_offline(void **state)
{
	struct sim_config cfg = {.mem_bytes = 3UL << 30, .hugetlb_1g_pages = 2};
	unsigned long start, nr = PUD_SIZE >> PAGE_SHIFT;
	struct sim_hugepages hp;
	struct range_busy busy;

	(void)state;
	assert_int_equal(sim_boot(&cfg), 0);
	window_task = start_task("huge");
	gigantic_addr = sys_mmap(0, PUD_SIZE, RW, HUGE_PRIVATE | MAP_HUGE_1GB, -1, 0);
	assert_false(IS_ERR_VALUE(gigantic_addr));
	put_byte(gigantic_addr, 'f');
	put_byte(gigantic_addr + PUD_SIZE / 2, 'm');
	put_byte(gigantic_addr + PUD_SIZE - 1, 'l');
	start = pfn_of(window_task, gigantic_addr);
	gigantic_hits = 0;
	assert_int_equal(sim_point_set_hook(SP_MIGRATE_AFTER_UNMAP, gigantic_in_window, NULL), 0);
	assert_int_equal(offline_range(start, nr, &busy), 0);
	assert_int_equal(sim_point_set_hook(SP_MIGRATE_AFTER_UNMAP, NULL, NULL), 0);
	assert_int_equal(gigantic_hits, 1);
	assert_int_not_equal(pfn_of(window_task, gigantic_addr), start);
	assert_int_equal(pfn_of(window_task, gigantic_addr + PUD_SIZE - PAGE_SIZE),
			 pfn_of(window_task, gigantic_addr) + nr - 1);
	assert_bytes_at(gigantic_addr, PUD_SIZE);
	hp = pool(PUD_SIZE);
	assert_int_equal(hp.total, 1);
	assert_int_equal(hp.free, 0);
	assert_int_equal(sim_check(NULL), 0);
	assert_int_equal(online_range(start, nr), 0);
	task_exit(window_task);
}

#define POOL3_TEST(fn) cmocka_unit_test_setup_teardown(fn, boot_with_normal, shutdown_checked)
#define POOL2_TEST(fn) cmocka_unit_test_setup_teardown(fn, boot_movable_only, shutdown_checked)

int main(void)
{
	const struct CMUnitTest tests[] = {
		POOL3_TEST(test_private_page_moves_to_pool_page),
		POOL3_TEST(test_shared_page_moves_to_pool_page),
		POOL3_TEST(test_shared_second_page_moves_in_both_mms),
		POOL2_TEST(test_temporary_page_replaces_the_old_one),
		POOL3_TEST(test_pinned_page_stays),
		POOL2_TEST(test_no_target_is_enomem),
		cmocka_unit_test_teardown(test_gigantic_page_needs_a_gigantic_pool_page,
					  shutdown_checked),
		POOL3_TEST(test_gup_fast_refuses_migration_entry),
		POOL3_TEST(test_fork_copies_migration_entry),
		POOL3_TEST(test_munmap_in_window),
		POOL3_TEST(test_follow_page_without_foll_migration),
		POOL3_TEST(test_mprotect_in_window),
		POOL3_TEST(test_fault_waits_for_migration),
		POOL3_TEST(test_slow_gup_waits_for_migration),
		POOL3_TEST(test_follow_page_waits_for_migration),
		POOL3_TEST(test_offline_moves_in_use_page),
		POOL3_TEST(test_offline_refuses_pinned_page),
		POOL3_TEST(test_offline_dissolves_free_pool_page),
		cmocka_unit_test_setup_teardown(test_cma_alloc_over_hugetlb_pages, boot_cma_pool,
						shutdown_checked),
		cmocka_unit_test_teardown(test_gigantic_page_moves_on_offline, shutdown_checked),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
