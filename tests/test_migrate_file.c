// SPDX-License-Identifier: GPL-2.0-only
/*
 * tests/test_migrate_file.c - migrating page-cache pages: a host file's dirty page
 * shared by parent and child moves with its data, its dirty state and its xarray
 * slot, and reaches the host at fsync; a shmem page moves too; a pinned page and
 * a page under writeback (outside MIGRATE_SYNC) stay where they are.
 */
#include "file_harness.h"
#include "mm/internal.h"

#define MIB (1UL << 20)
#define RW (PROT_READ | PROT_WRITE)

static int boot_movable(void **state)
{
	struct sim_config cfg = {.mem_bytes = 64 * MIB, .movable_bytes = 16 * MIB};

	(void)state;
	make_test_dir();
	return sim_boot(&cfg);
}

#define MIGRATE_FILE_TEST(fn) cmocka_unit_test_setup_teardown(fn, boot_movable, file_teardown)

static struct page *cached_page(int fd, pgoff_t index)
{
	struct page *page = find_get_page(current->files->fd[fd]->f_mapping, index);

	assert_non_null(page);
	return page;
}

static enum zone_type zone_at(struct task_struct *t, unsigned long addr)
{
	return page_zonenum(pfn_to_page(pfn_of(t, addr)));
}

static void test_dirty_file_page_moves_with_cache_slot_and_dirt(void **state)
{
	struct task_struct *parent = start_task("parent"), *child;
	const char *path = make_pattern_file("f", 2 * PAGE_SIZE, 0600);
	int fd = open_file(path, O_RDWR);
	unsigned long a = map_file(fd, 2 * PAGE_SIZE, RW, MAP_SHARED, 0);
	unsigned long dirty = global_node_page_state(NR_FILE_DIRTY), old_pfn;
	struct page *page;

	(void)state;
	assert_int_equal(copy_to_user(a + PAGE_SIZE, "m", 1), 0);
	child = sys_fork();
	assert_non_null(child);
	set_current(child);
	assert_int_equal(user_byte(a + PAGE_SIZE), 'm');
	set_current(parent);
	old_pfn = pfn_of(parent, a + PAGE_SIZE);
	assert_int_equal(zone_at(parent, a + PAGE_SIZE), ZONE_MOVABLE);
	assert_int_equal(global_node_page_state(NR_FILE_DIRTY), dirty + 1);
	assert_int_equal(sim_migrate_range(a, 2 * PAGE_SIZE, ZONE_NORMAL), 0);
	assert_int_equal(sim_check(NULL), 0);
	assert_int_not_equal(pfn_of(parent, a + PAGE_SIZE), old_pfn);
	assert_int_equal(zone_at(parent, a + PAGE_SIZE), ZONE_NORMAL);
	assert_int_equal(pfn_of(child, a + PAGE_SIZE), pfn_of(parent, a + PAGE_SIZE));
	/* The cache finds the new page, dirty; the count of dirty pages did not change. */
	page = cached_page(fd, 1);
	assert_int_equal(page_to_pfn(page), pfn_of(parent, a + PAGE_SIZE));
	assert_true(PageDirty(page));
	assert_int_equal(global_node_page_state(NR_FILE_DIRTY), dirty + 1);
	put_page(page);
	assert_int_equal(user_byte(a + PAGE_SIZE), 'm');
	assert_int_equal(user_byte(a), 'A');
	assert_int_equal(sys_fsync(fd), 0);
	assert_int_equal(host_byte(path, PAGE_SIZE), 'm');
	assert_int_equal(global_node_page_state(NR_FILE_DIRTY), dirty);
	task_exit(child);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(parent);
}

static void test_shmem_page_moves(void **state)
{
	struct task_struct *parent = start_task("parent"), *child;
	unsigned long a = map_pages(1, RW, MAP_SHARED | MAP_ANONYMOUS);

	(void)state;
	assert_int_equal(copy_to_user(a, "s", 1), 0);
	child = sys_fork();
	assert_non_null(child);
	set_current(parent);
	assert_int_equal(sim_migrate_range(a, PAGE_SIZE, ZONE_NORMAL), 0);
	assert_int_equal(zone_at(parent, a), ZONE_NORMAL);
	set_current(child);
	assert_int_equal(copy_to_user(a, "t", 1), 0); /* shared: the parent sees it */
	assert_int_equal(pfn_of(child, a), pfn_of(parent, a));
	set_current(parent);
	assert_int_equal(user_byte(a), 't');
	task_exit(child);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(parent);
}

static void test_pinned_file_page_stays(void **state)
{
	struct task_struct *t = start_task("pin");
	const char *path = make_pattern_file("f", PAGE_SIZE, 0600);
	int fd = open_file(path, O_RDWR);
	unsigned long a = map_file(fd, PAGE_SIZE, PROT_READ, MAP_SHARED, 0);
	unsigned long pfn;
	struct page *page;

	(void)state;
	assert_int_equal(pin_user_pages_fast(a, 1, 0, &page), 1);
	pfn = page_to_pfn(page);
	assert_int_equal(sim_migrate_range(a, PAGE_SIZE, ZONE_NORMAL), 1);
	assert_int_equal(pfn_of(t, a), pfn);
	assert_int_equal(user_byte(a), 'A');
	unpin_user_pages(&page, 1);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

static struct page *alloc_normal(struct page *page, unsigned long private_data)
{
	(void)page;
	(void)private_data;
	return alloc_pages_zone(GFP_HIGHUSER_MOVABLE, 0, ZONE_NORMAL);
}

/* A page under writeback is busy for MIGRATE_ASYNC: counted as failed, not retried, not moved. */
static void test_writeback_page_busy_unless_sync(void **state)
{
	struct task_struct *t = start_task("wb");
	const char *path = make_pattern_file("f", PAGE_SIZE, 0600);
	int fd = open_file(path, O_RDWR);
	unsigned long a = map_file(fd, PAGE_SIZE, PROT_READ, MAP_SHARED, 0);
	struct page *page;
	LIST_HEAD(list);

	(void)state;
	assert_int_equal(user_byte(a), 'A');
	page = cached_page(fd, 0);
	assert_int_equal(migrate_isolate_page(page, &list), 0);
	put_page(page);
	SetPageWriteback(page); /* an I/O in flight, as the kernel's async writeback leaves it */
	mmap_read_lock(t->mm);
	assert_int_equal(migrate_pages(&list, alloc_normal, NULL, 0, MIGRATE_ASYNC, MR_SYSCALL), 1);
	mmap_read_unlock(t->mm);
	assert_int_equal(pfn_of(t, a), page_to_pfn(page));
	ClearPageWriteback(page);
	putback_movable_pages(&list);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

struct race {
	unsigned long addr;
	int fast_ret;
	struct page *fast_page;
	bool entry_seen;
};

/* Between the unmap and the move: the PTE is a migration entry; GUP-fast takes nothing. */
static void gup_fast_under_migration(enum sim_point_id id, void *ctx, void *arg)
{
	struct race *r = arg;
	pte_t *pte = mm_find_pte(current->mm, r->addr, NULL);

	(void)id;
	(void)ctx;
	r->entry_seen = pte && is_swap_pte(ptep_get(pte)) &&
			is_migration_entry(pte_to_swp_entry(ptep_get(pte)));
	r->fast_ret = get_user_pages_fast_only(r->addr, 1, 0, &r->fast_page);
}

static void test_gup_fast_racing_file_migration_entry(void **state)
{
	struct task_struct *t = start_task("race");
	const char *path = make_pattern_file("f", PAGE_SIZE, 0600);
	int fd = open_file(path, O_RDWR);
	struct race r = {.addr = map_file(fd, PAGE_SIZE, PROT_READ, MAP_SHARED, 0), .fast_ret = -1};
	struct page *page;

	(void)state;
	assert_int_equal(user_byte(r.addr), 'A');
	assert_int_equal(sim_point_set_hook(SP_MIGRATE_AFTER_UNMAP, gup_fast_under_migration, &r),
			 0);
	assert_int_equal(sim_migrate_range(r.addr, PAGE_SIZE, ZONE_NORMAL), 0);
	assert_int_equal(sim_point_set_hook(SP_MIGRATE_AFTER_UNMAP, NULL, NULL), 0);
	assert_true(r.entry_seen);
	assert_int_equal(r.fast_ret, 0);
	assert_int_equal(zone_at(t, r.addr), ZONE_NORMAL);
	assert_int_equal(get_user_pages_fast(r.addr, 1, 0, &page), 1);
	assert_int_equal(page_to_pfn(page), pfn_of(t, r.addr));
	put_page(page);
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		MIGRATE_FILE_TEST(test_dirty_file_page_moves_with_cache_slot_and_dirt),
		MIGRATE_FILE_TEST(test_shmem_page_moves),
		MIGRATE_FILE_TEST(test_pinned_file_page_stays),
		MIGRATE_FILE_TEST(test_writeback_page_busy_unless_sync),
		MIGRATE_FILE_TEST(test_gup_fast_racing_file_migration_entry),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
