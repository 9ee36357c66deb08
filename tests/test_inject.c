// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fault injection: the arming API and the GUP_INJECT syntax, then a sweep that
 * fails every injection point at every hit of each main path (slow, fast and
 * remote GUP, populate, fork, COW) and checks the kernel's answer and no leak.
 */
#include "harness.h"
#include <errno.h>
#include <string.h>
#include "mm/internal.h"

#define SWEEP_PAGES 64
#define SWEEP_BYTES ((int)(SWEEP_PAGES * PAGE_SIZE))
#define SWEEP_MAX_NTH 1000
#define PATTERN 0x5a

/* --- the arming API --- */

static void test_arm_rejects_bad_arguments(void **state)
{
	(void)state;
	assert_int_equal(inject_arm("no_such_point", 1, 0), -EINVAL);
	assert_int_equal(inject_arm(NULL, 1, 0), -EINVAL);
	assert_int_equal(inject_arm("page_alloc", 0, 0), -EINVAL);
	assert_int_equal(inject_arm("page_alloc", 1, 0), 0);
	inject_disarm_all();
}

static void test_parse_rejects_malformed_specs(void **state)
{
	static const char *const bad[] = {
		"page_alloc",
		"page_alloc:",
		"nope:nth=1",
		"page_alloc:nth=0",
		"page_alloc:nth=x",
		"page_alloc:nth=",
		"page_alloc:foo=1",
		"page_alloc:nth=1:count=",
		"page_alloc:nth=1,,",
		"page_alloc:nth=1,x",
		":nth=1",
	};

	(void)state;
	assert_int_equal(inject_parse(NULL), -EINVAL);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		if (inject_parse(bad[i]) != -EINVAL)
			fail_msg("spec \"%s\" accepted", bad[i]);
		inject_disarm_all();
	}
}

static void test_parse_arms_every_point_named(void **state)
{
	struct page *first, *second;

	(void)state;
	assert_int_equal(inject_parse("page_alloc:nth=2:count=1,fault_oom:nth=1"), 0);
	first = alloc_page(GFP_KERNEL);
	second = alloc_page(GFP_KERNEL);
	assert_non_null(first);
	assert_null(second);
	assert_int_equal(inject_hits(INJECT_PAGE_ALLOC), 2);
	assert_int_equal(inject_fired(INJECT_PAGE_ALLOC), 1);
	assert_true(inject_should_fail(INJECT_FAULT_OOM));
	inject_disarm_all();
	__free_pages(first, 0);
}

static void test_nth_and_count_select_the_failures(void **state)
{
	struct page *got[6];
	bool failed[6];

	(void)state;
	assert_int_equal(inject_arm("page_alloc", 2, 3), 0);
	for (int i = 0; i < 6; i++) {
		got[i] = alloc_page(GFP_KERNEL);
		failed[i] = !got[i];
	}
	inject_disarm_all();
	assert_false(failed[0]);
	assert_true(failed[1] && failed[2] && failed[3]);
	assert_false(failed[4] || failed[5]);
	for (int i = 0; i < 6; i++)
		if (got[i])
			__free_pages(got[i], 0);
}

static void test_count_zero_fails_forever(void **state)
{
	(void)state;
	assert_int_equal(inject_arm("page_alloc", 1, 0), 0);
	for (int i = 0; i < 10; i++)
		assert_null(alloc_page(GFP_KERNEL));
	assert_int_equal(inject_fired(INJECT_PAGE_ALLOC), 10);
	inject_disarm_all();
	assert_int_equal(inject_hits(INJECT_PAGE_ALLOC), 0);
}

static void test_point_names_round_trip(void **state)
{
	(void)state;
	for (int p = 0; p < NR_INJECT_POINTS; p++)
		assert_int_equal(inject_arm(inject_point_name(p), 1, 1), 0);
	inject_disarm_all();
	assert_string_equal(inject_point_name(NR_INJECT_POINTS), "?");
}

static void test_gup_inject_environment_arms_at_boot(void **state)
{
	(void)state;
	assert_int_equal(setenv("GUP_INJECT", "vma_alloc:nth=1", 1), 0);
	assert_int_equal(sim_boot(&(struct sim_config){.mem_bytes = 64UL << 20}), 0);
	unsetenv("GUP_INJECT");
	start_task("env");
	assert_int_equal(sys_mmap(0, PAGE_SIZE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
			 (unsigned long)-ENOMEM);
	assert_int_equal(inject_fired(INJECT_VMA_ALLOC), 1);
	inject_disarm_all();
	task_exit(current);
	set_current(NULL);
	assert_int_equal(sim_shutdown(), 0);
}

/* --- the sweep --- */

/* One operation under test: run with @point armed at @nth; returns whether it fired. */
typedef bool (*sweep_path_fn)(enum inject_point point, unsigned long nth);

static void arm(enum inject_point point, unsigned long nth)
{
	/* A retry is a one-off by nature; the other failures persist. */
	unsigned long count = point == INJECT_FAULT_RETRY ? 1 : 0;

	assert_int_equal(inject_arm(inject_point_name(point), nth, count), 0);
}

static bool disarm(enum inject_point point)
{
	bool fired = inject_fired(point) != 0;

	inject_disarm_all();
	return fired;
}

/* The errno a failure at @point turns into when it hits the first page. */
static long errno_of(enum inject_point point)
{
	switch (point) {
	case INJECT_FAULT_SIGBUS:
		return -EFAULT;
	case INJECT_GUP_SIGNAL:
		return -EINTR;
	default:
		return -ENOMEM;
	}
}

/* A GUP of SWEEP_PAGES returns all of them unless a failure fired (a retry is absorbed). */
static void assert_gup_result(enum inject_point point, bool fired, long ret)
{
	if (!fired || point == INJECT_FAULT_RETRY) {
		assert_int_equal(ret, SWEEP_PAGES);
		return;
	}
	if (ret < 0)
		assert_int_equal(ret, errno_of(point));
	else
		assert_true(ret > 0 && ret < SWEEP_PAGES);
}

static unsigned long map_area(void)
{
	return map_pages(SWEEP_PAGES, PROT_READ | PROT_WRITE, MAP_PRIVATE);
}

static void fill_area(unsigned long addr, int byte)
{
	static unsigned char buf[SWEEP_BYTES];

	memset(buf, byte, sizeof(buf));
	assert_int_equal(copy_to_user(addr, buf, sizeof(buf)), 0);
}

static void assert_area_holds(unsigned long addr, int byte)
{
	static unsigned char buf[SWEEP_BYTES];

	assert_int_equal(copy_from_user(buf, addr, sizeof(buf)), 0);
	for (size_t i = 0; i < sizeof(buf); i++)
		if (buf[i] != byte)
			fail_msg("byte %zu is %#x, expected %#x", i, buf[i], byte);
}

static void release_pages(struct page **pages, long n, bool pinned)
{
	if (n <= 0)
		return;
	if (pinned)
		unpin_user_pages(pages, n);
	else
		put_pages(pages, n);
}

static void end_task(void)
{
	task_exit(current);
	set_current(NULL);
}

static bool slow_gup(enum inject_point point, unsigned long nth, bool pin)
{
	struct page *pages[SWEEP_PAGES];
	unsigned long addr;
	bool fired;
	long ret;

	start_task("slow");
	addr = map_area();
	mmap_read_lock(current->mm);
	arm(point, nth);
	ret = pin ? pin_user_pages(addr, SWEEP_PAGES, FOLL_WRITE, pages, NULL)
		  : get_user_pages(addr, SWEEP_PAGES, FOLL_WRITE, pages, NULL);
	fired = disarm(point);
	mmap_read_unlock(current->mm);
	assert_gup_result(point, fired, ret);
	release_pages(pages, ret, pin);
	end_task();
	return fired;
}

static bool slow_pin(enum inject_point point, unsigned long nth)
{
	return slow_gup(point, nth, true);
}

static bool slow_get(enum inject_point point, unsigned long nth)
{
	return slow_gup(point, nth, false);
}

static bool fast_pin(enum inject_point point, unsigned long nth)
{
	struct page *pages[SWEEP_PAGES];
	unsigned long addr;
	bool fired;
	int ret;

	start_task("fast");
	addr = map_area();
	arm(point, nth);
	ret = pin_user_pages_fast(addr, SWEEP_PAGES, FOLL_WRITE, pages);
	fired = disarm(point);
	assert_gup_result(point, fired, ret);
	release_pages(pages, ret, true);
	end_task();
	return fired;
}

static bool remote_get(enum inject_point point, unsigned long nth)
{
	struct page *pages[SWEEP_PAGES];
	struct task_struct *target;
	unsigned long addr;
	int locked = 1;
	bool fired;
	long ret;

	start_task("target");
	target = current;
	addr = map_area();
	start_task("tracer");
	mmap_read_lock(target->mm);
	arm(point, nth);
	ret = get_user_pages_remote(target->mm, addr, SWEEP_PAGES, FOLL_WRITE, pages, NULL,
				    &locked);
	fired = disarm(point);
	if (locked)
		mmap_read_unlock(target->mm);
	assert_gup_result(point, fired, ret);
	release_pages(pages, ret, false);
	end_task();
	set_current(target);
	end_task();
	return fired;
}

static bool remote_access(enum inject_point point, unsigned long nth)
{
	static unsigned char buf[SWEEP_BYTES];
	struct task_struct *target;
	unsigned long addr;
	bool fired;
	int copied;

	start_task("target");
	target = current;
	addr = map_area();
	start_task("debugger");
	memset(buf, PATTERN, sizeof(buf));
	arm(point, nth);
	copied = access_remote_vm(target->mm, addr, buf, SWEEP_BYTES, FOLL_WRITE | FOLL_FORCE);
	fired = disarm(point);
	if (!fired || point == INJECT_FAULT_RETRY)
		assert_int_equal(copied, SWEEP_BYTES);
	else
		assert_true(copied >= 0 && copied < SWEEP_BYTES);
	end_task();
	set_current(target);
	end_task();
	return fired;
}

static bool populate_mmap(enum inject_point point, unsigned long nth)
{
	unsigned long addr;
	bool fired;

	start_task("populate");
	arm(point, nth);
	addr = sys_mmap(0, SWEEP_BYTES, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	fired = disarm(point);
	/* Population is best effort: only the mapping itself can fail. */
	if (IS_ERR_VALUE(addr))
		assert_int_equal(addr, (unsigned long)-ENOMEM);
	end_task(); /* unmaps whatever was populated */
	return fired;
}

static bool populate_mlock(enum inject_point point, unsigned long nth)
{
	unsigned long addr;
	bool fired;
	int ret;

	start_task("mlock");
	addr = map_area();
	arm(point, nth);
	ret = sys_mlock(addr, SWEEP_BYTES);
	fired = disarm(point);
	if (!fired || point == INJECT_FAULT_RETRY)
		assert_int_equal(ret, 0);
	else if (ret)
		assert_true(ret == -ENOMEM || ret == -EAGAIN || ret == -EFAULT || ret == -EINTR);
	end_task();
	return fired;
}

static bool populate_madvise(enum inject_point point, unsigned long nth)
{
	unsigned long addr;
	bool fired;
	int ret;

	start_task("madvise");
	addr = map_area();
	arm(point, nth);
	ret = sys_madvise(addr, SWEEP_BYTES, MADV_POPULATE_WRITE);
	fired = disarm(point);
	if (!fired || point == INJECT_FAULT_RETRY)
		assert_int_equal(ret, 0);
	else
		assert_true(ret == -ENOMEM || ret == -EFAULT || ret == -EINTR);
	end_task();
	return fired;
}

static bool fork_populated(enum inject_point point, unsigned long nth)
{
	struct task_struct *child;
	unsigned long addr;
	bool fired;

	start_task("parent");
	addr = map_area();
	fill_area(addr, PATTERN);
	arm(point, nth);
	errno = 0;
	child = sys_fork();
	fired = disarm(point);
	if (!child) {
		assert_true(fired);
		assert_int_equal(errno, ENOMEM);
	} else {
		task_exit(child);
	}
	assert_area_holds(addr, PATTERN);
	end_task();
	return fired;
}

static bool cow_in_child(enum inject_point point, unsigned long nth)
{
	static unsigned char buf[SWEEP_BYTES];
	struct task_struct *parent, *child;
	unsigned long addr, left;
	bool fired;

	start_task("parent");
	parent = current;
	addr = map_area();
	fill_area(addr, PATTERN);
	child = sys_fork();
	assert_non_null(child);
	set_current(child);
	memset(buf, PATTERN + 1, sizeof(buf));
	arm(point, nth);
	left = copy_to_user(addr, buf, sizeof(buf));
	fired = disarm(point);
	if (!fired || point == INJECT_FAULT_RETRY)
		assert_int_equal(left, 0);
	else
		assert_true(left > 0);
	end_task();
	set_current(parent);
	assert_area_holds(addr, PATTERN); /* the child's writes never reach the parent */
	end_task();
	return fired;
}

static const enum inject_point sweep_points[] = {
	INJECT_PAGE_ALLOC, INJECT_PGTABLE_ALLOC, INJECT_VMA_ALLOC,  INJECT_FAULT_RETRY,
	INJECT_FAULT_OOM,  INJECT_FAULT_SIGBUS,	 INJECT_GUP_SIGNAL,
};

/* Fail @point at its 1st, 2nd, ... hit until @path completes without it firing. */
static void sweep_point(sweep_path_fn path, enum inject_point point)
{
	struct sim_config cfg = {.mem_bytes = 64UL << 20};
	unsigned long nth;

	for (nth = 1; nth <= SWEEP_MAX_NTH; nth++) {
		bool fired;

		assert_int_equal(sim_boot(&cfg), 0);
		fired = path(point, nth);
		if (sim_shutdown() != 0)
			fail_msg("%s at nth=%lu leaked", inject_point_name(point), nth);
		if (!fired)
			return;
	}
	fail_msg("%s still firing after %d hits", inject_point_name(point), SWEEP_MAX_NTH);
}

static void sweep(sweep_path_fn path)
{
	for (size_t i = 0; i < ARRAY_SIZE(sweep_points); i++)
		sweep_point(path, sweep_points[i]);
}

#define SWEEP_TEST(path)                                                                           \
	static void test_sweep_##path(void **state)                                                \
	{                                                                                          \
		(void)state;                                                                       \
		sweep(path);                                                                       \
	}

SWEEP_TEST(slow_pin)
SWEEP_TEST(slow_get)
SWEEP_TEST(fast_pin)
SWEEP_TEST(remote_get)
SWEEP_TEST(remote_access)
SWEEP_TEST(populate_mmap)
SWEEP_TEST(populate_mlock)
SWEEP_TEST(populate_madvise)
SWEEP_TEST(fork_populated)
SWEEP_TEST(cow_in_child)

/* A fatal signal at the first GUP iteration fails the call with -EINTR (as v5.11). */
static void test_signal_at_first_iteration_is_eintr(void **state)
{
	struct page *pages[SWEEP_PAGES];
	unsigned long addr;
	long ret;

	(void)state;
	start_task("killed");
	addr = map_area();
	mmap_read_lock(current->mm);
	assert_int_equal(inject_arm("gup_signal", 1, 1), 0);
	ret = pin_user_pages(addr, SWEEP_PAGES, FOLL_WRITE, pages, NULL);
	mmap_read_unlock(current->mm);
	inject_disarm_all();
	assert_int_equal(ret, -EINTR);
	assert_true(fatal_signal_pending(current));
	end_task();
}

/* A signal later in the walk leaves the pages got so far with the caller. */
static void test_signal_mid_walk_is_partial(void **state)
{
	struct page *pages[SWEEP_PAGES];
	unsigned long addr;
	long ret;

	(void)state;
	start_task("killed");
	addr = map_area();
	fill_area(addr, PATTERN); /* one signal check per page: no faults */
	mmap_read_lock(current->mm);
	assert_int_equal(inject_arm("gup_signal", 11, 1), 0);
	ret = pin_user_pages(addr, SWEEP_PAGES, FOLL_WRITE, pages, NULL);
	mmap_read_unlock(current->mm);
	inject_disarm_all();
	assert_int_equal(ret, 10);
	unpin_user_pages(pages, ret);
	end_task();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		GUP_TEST(test_arm_rejects_bad_arguments),
		GUP_TEST(test_parse_rejects_malformed_specs),
		GUP_TEST(test_parse_arms_every_point_named),
		GUP_TEST(test_nth_and_count_select_the_failures),
		GUP_TEST(test_count_zero_fails_forever),
		GUP_TEST(test_point_names_round_trip),
		cmocka_unit_test(test_gup_inject_environment_arms_at_boot),
		GUP_TEST(test_signal_at_first_iteration_is_eintr),
		GUP_TEST(test_signal_mid_walk_is_partial),
		cmocka_unit_test(test_sweep_slow_pin),
		cmocka_unit_test(test_sweep_slow_get),
		cmocka_unit_test(test_sweep_fast_pin),
		cmocka_unit_test(test_sweep_remote_get),
		cmocka_unit_test(test_sweep_remote_access),
		cmocka_unit_test(test_sweep_populate_mmap),
		cmocka_unit_test(test_sweep_populate_mlock),
		cmocka_unit_test(test_sweep_populate_madvise),
		cmocka_unit_test(test_sweep_fork_populated),
		cmocka_unit_test(test_sweep_cow_in_child),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
