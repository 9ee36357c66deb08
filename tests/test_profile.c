// SPDX-License-Identifier: GPL-2.0-only
/*
 * Semantics profiles: choosing one by sim_config and by GUP_PROFILE, refusing
 * unknown ones, and a first look at where the answers differ (R/O pins of a
 * shared page, zero-page pins, ZONE_MOVABLE pins, internal flags, NUMA hints);
 * test_profile_6_18.c asserts every 6.18 rule under both profiles.
 */
#include "harness.h"

#include <stdlib.h>
#include <string.h>

/* GUP_PROFILE as CTest set it, put back after each test that changes it. */
static char *ctest_profile;

/* The boot tests start from an environment without GUP_PROFILE. */
static int clear_env(void **state)
{
	(void)state;
	return unsetenv("GUP_PROFILE");
}

static int restore_env(void **state)
{
	(void)state;
	return ctest_profile ? setenv("GUP_PROFILE", ctest_profile, 1) : unsetenv("GUP_PROFILE");
}

static int boot_with_profile(enum sim_profile profile)
{
	struct sim_config cfg = {.profile = profile, .quiet = true};

	return sim_boot(&cfg);
}

static void test_names_and_lookup(void **state)
{
	enum sim_profile p = SIM_PROFILE_DEFAULT;

	(void)state;
	assert_string_equal(sim_profile_name(SIM_PROFILE_5_11), "5.11");
	assert_null(sim_profile_name(SIM_PROFILE_DEFAULT));
	assert_null(sim_profile_name(NR_SIM_PROFILES));
	assert_null(sim_profile_name((enum sim_profile) - 1));
	assert_int_equal(sim_profile_from_name("5.11", &p), 0);
	assert_int_equal(p, SIM_PROFILE_5_11);
	p = SIM_PROFILE_DEFAULT;
	assert_int_equal(sim_profile_from_name("5.1", &p), -EINVAL);
	assert_int_equal(sim_profile_from_name("", &p), -EINVAL);
	assert_int_equal(sim_profile_from_name("5.11 ", &p), -EINVAL);
	assert_int_equal(sim_profile_from_name(NULL, &p), -EINVAL);
	assert_int_equal(p, SIM_PROFILE_DEFAULT);
	assert_non_null(strstr(sim_profile_names(), "5.11"));
	/* No machine, no profile. */
	assert_int_equal(sim_current_profile(), SIM_PROFILE_DEFAULT);
}

static void test_config_chooses_5_11(void **state)
{
	(void)state;
	assert_int_equal(boot_with_profile(SIM_PROFILE_5_11), 0);
	assert_int_equal(sim_current_profile(), SIM_PROFILE_5_11);
	assert_string_equal(sim_profile_name(sim_current_profile()), "5.11");
	assert_int_equal(sim_shutdown(), 0);
	assert_int_equal(sim_current_profile(), SIM_PROFILE_DEFAULT);
}

static void test_default_is_5_11(void **state)
{
	(void)state;
	assert_int_equal(sim_boot(NULL), 0);
	assert_int_equal(sim_current_profile(), SIM_PROFILE_5_11);
	assert_int_equal(sim_shutdown(), 0);
	/* An empty GUP_PROFILE counts as unset. */
	assert_int_equal(setenv("GUP_PROFILE", "", 1), 0);
	assert_int_equal(boot_with_profile(SIM_PROFILE_DEFAULT), 0);
	assert_int_equal(sim_current_profile(), SIM_PROFILE_5_11);
	assert_int_equal(sim_shutdown(), 0);
}

static void test_env_chooses_5_11(void **state)
{
	(void)state;
	assert_int_equal(setenv("GUP_PROFILE", "5.11", 1), 0);
	assert_int_equal(boot_with_profile(SIM_PROFILE_DEFAULT), 0);
	assert_string_equal(sim_profile_name(sim_current_profile()), "5.11");
	assert_int_equal(sim_shutdown(), 0);
}

static void test_unknown_env_name_fails_boot(void **state)
{
	(void)state;
	assert_int_equal(setenv("GUP_PROFILE", "4.19", 1), 0);
	assert_int_equal(boot_with_profile(SIM_PROFILE_DEFAULT), -EINVAL);
	assert_false(sim_running());
	assert_int_equal(sim_boot(NULL), -EINVAL);
	assert_false(sim_running());
	assert_int_equal(sim_shutdown(), -ENODEV);
	/* Nothing was left half set up: with a good name the next boot works. */
	assert_int_equal(setenv("GUP_PROFILE", "5.11", 1), 0);
	assert_int_equal(sim_boot(NULL), 0);
	assert_int_equal(sim_shutdown(), 0);
}

static void test_unknown_config_value_fails_boot(void **state)
{
	(void)state;
	assert_int_equal(boot_with_profile(NR_SIM_PROFILES), -EINVAL);
	assert_false(sim_running());
	assert_int_equal(boot_with_profile((enum sim_profile) - 3), -EINVAL);
	assert_false(sim_running());
	assert_int_equal(sim_shutdown(), -ENODEV);
}

/* The config's profile wins; GUP_PROFILE is not even parsed then. */
static void test_config_beats_env(void **state)
{
	(void)state;
	assert_int_equal(setenv("GUP_PROFILE", "no-such-kernel", 1), 0);
	assert_int_equal(boot_with_profile(SIM_PROFILE_5_11), 0);
	assert_int_equal(sim_current_profile(), SIM_PROFILE_5_11);
	assert_int_equal(sim_shutdown(), 0);
}

/* --- the answers that differ (CTest runs this file under both profiles) --- */

/*
 * gup_must_unshare: 5.11 pins a COW-shared page as it is. The pin then loses
 * the page at the parent's next write: the pinned page is the child's only.
 * 6.18 unshares first (one fault): the pin holds the parent's own copy, and the
 * parent's write lands in it.
 */
static void test_ro_pin_of_cow_shared_page(void **state)
{
	struct task_struct *parent = start_task("parent"), *child;
	unsigned long addr = map_rw(1);
	unsigned long faults;
	struct page *pinned;

	(void)state;
	touch_page(addr);
	child = sys_fork();
	assert_non_null(child);
	set_current(parent);
	faults = page_faults();
	assert_int_equal(pin_user_pages(addr, 1, 0, &pinned, NULL), 1);
	assert_int_equal(page_faults(), faults + by_profile(0, 1)); /* the unshare fault */
	assert_int_equal(page_to_pfn(pinned), pfn_of(parent, addr));
	assert_true((page_to_pfn(pinned) == pfn_of(child, addr)) == !profile_is_6_18());
	touch_page(addr);
	/* 5.11: the parent's write copies the page away from the pin. */
	assert_true((page_to_pfn(pinned) == pfn_of(parent, addr)) == profile_is_6_18());
	assert_true((page_to_pfn(pinned) == pfn_of(child, addr)) == !profile_is_6_18());
	unpin_user_page(pinned);
	task_exit(child);
	task_exit(parent);
}

/* pins_zero_page: 5.11 pins the zero page like any page, bias and counters; 6.18 not. */
static void test_pin_of_zero_page(void **state)
{
	struct task_struct *t = start_task("zero");
	unsigned long addr = map_rw(1);
	unsigned long acquired = pins_acquired(), released = pins_released();
	int refs = page_count(zero_page());
	struct page *page;
	long counted = by_profile(1, 0);

	(void)state;
	assert_int_equal(pin_user_pages_fast(addr, 1, 0, &page), 1);
	assert_ptr_equal(page, zero_page());
	assert_int_equal(page_count(zero_page()), refs + counted * (int)GUP_PIN_COUNTING_BIAS);
	assert_int_equal(pins_acquired(), acquired + counted);
	assert_true(page_maybe_dma_pinned(zero_page()) == (counted == 1));
	unpin_user_page(page);
	assert_int_equal(page_count(zero_page()), refs);
	assert_int_equal(pins_released(), released + counted);
	task_exit(t);
}

/* is_valid_gup_args: 5.11 lets callers pass internal flags such as FOLL_TOUCH; 6.18 not. */
static void test_internal_flags_from_callers(void **state)
{
	struct task_struct *t = start_task("flags");
	unsigned long addr = map_rw(1);
	unsigned long warnings = sim_warn_count();
	struct page *page = NULL;

	(void)state;
	touch_page(addr);
	assert_int_equal(gup_under_lock(addr, 1, FOLL_TOUCH | FOLL_WRITE, &page, NULL),
			 by_profile(1, -EINVAL));
	if (page)
		put_page(page);
	assert_int_equal(sim_warn_count(), warnings + by_profile(0, 1));
	task_exit(t);
}

/*
 * is_pinnable_page: 5.11 keeps long-term pins out of CMA only, ZONE_MOVABLE is
 * fine. 6.18 refuses ZONE_MOVABLE too: GUP-fast falls back, the slow path
 * cannot migrate and fails with -ENOMEM, and what a long-term pin faults in
 * comes from ZONE_NORMAL (memalloc_pin_save).
 */
static void test_longterm_pin_in_movable_zone(void **state)
{
	struct sim_config cfg = {.mem_bytes = 16UL << 20,
				 .movable_bytes = 16UL << 20,
				 .profile = SIM_PROFILE_5_11,
				 .quiet = true};
	struct task_struct *t;
	struct page *page;
	unsigned long addr;

	(void)state;
	/* The environment is cleared for this test: boot the profile CTest chose. */
	if (ctest_profile)
		assert_int_equal(sim_profile_from_name(ctest_profile, &cfg.profile), 0);
	assert_int_equal(sim_boot(&cfg), 0);
	t = start_task("movable");
	addr = map_rw(2);
	touch_page(addr);
	assert_int_equal(page_zonenum(pfn_to_page(pfn_of(t, addr))), ZONE_MOVABLE);
	/* 5.11: GUP-fast may leave a long-term pin in ZONE_MOVABLE (6.18 has no fast-only pin). */
	if (!profile_is_6_18()) {
		assert_int_equal(
			pin_user_pages_fast_only(addr, 1, FOLL_LONGTERM | FOLL_WRITE, &page), 1);
		unpin_user_page(page);
	}
	mmap_read_lock(t->mm);
	assert_int_equal(pin_user_pages(addr, 1, FOLL_LONGTERM | FOLL_WRITE, &page, NULL), 1);
	mmap_read_unlock(t->mm);
	/* 5.11 pins it where it is; 5.13 migrates it out first and pins the new page. */
	assert_int_equal(page_zonenum(page), by_profile(ZONE_MOVABLE, ZONE_NORMAL));
	assert_int_equal(page_to_pfn(page), pfn_of(t, addr));
	unpin_user_page(page);
	assert_int_equal(pins_acquired(), pins_released());
	/* memalloc_pin_gfp: may a page a long-term pin faults in come from ZONE_MOVABLE? */
	mmap_read_lock(t->mm);
	assert_int_equal(
		pin_user_pages(addr + PAGE_SIZE, 1, FOLL_LONGTERM | FOLL_WRITE, &page, NULL), 1);
	mmap_read_unlock(t->mm);
	assert_int_equal(page_zonenum(page), by_profile(ZONE_MOVABLE, ZONE_NORMAL));
	unpin_user_page(page);
	task_exit(t);
	assert_int_equal(sim_shutdown(), 0);
}

/*
 * gup_can_follow_protnone: 5.11 faults a NUMA hint for GUP, except for a forced
 * access; 6.6 follows it (tests/test_profile_extras.c).
 */
static void test_numa_hint_faults_unless_forced(void **state)
{
	struct task_struct *t = start_task("numa");
	unsigned long addr = map_rw(1);
	unsigned long faults;
	struct page *page;

	(void)state;
	touch_page(addr);
	mmap_read_lock(t->mm);
	assert_int_equal(change_prot_numa(find_vma(t->mm, addr), addr, addr + PAGE_SIZE), 1);
	mmap_read_unlock(t->mm);
	faults = page_faults();
	assert_int_equal(gup_under_lock(addr, 1, FOLL_FORCE, &page, NULL), 1);
	assert_int_equal(page_faults(), faults);
	assert_true(pte_protnone(ptep_get(mm_find_pte(t->mm, addr, NULL))));
	put_page(page);
	assert_int_equal(gup_under_lock(addr, 1, 0, &page, NULL), 1);
	if (sim_current_profile() == SIM_PROFILE_6_18) {
		assert_int_equal(page_faults(), faults);
		assert_true(pte_protnone(ptep_get(mm_find_pte(t->mm, addr, NULL))));
	} else {
		assert_int_equal(page_faults(), faults + 1);
		assert_false(pte_protnone(ptep_get(mm_find_pte(t->mm, addr, NULL))));
	}
	put_page(page);
	task_exit(t);
}

#define PROFILE_TEST(fn) cmocka_unit_test_setup_teardown(fn, clear_env, restore_env)
#define PROFILE_SIM_TEST(fn) cmocka_unit_test_setup_teardown(fn, sim_setup, sim_teardown)

int main(void)
{
	const char *env = getenv("GUP_PROFILE");
	const struct CMUnitTest tests[] = {
		PROFILE_TEST(test_names_and_lookup),
		PROFILE_TEST(test_config_chooses_5_11),
		PROFILE_TEST(test_default_is_5_11),
		PROFILE_TEST(test_env_chooses_5_11),
		PROFILE_TEST(test_unknown_env_name_fails_boot),
		PROFILE_TEST(test_unknown_config_value_fails_boot),
		PROFILE_TEST(test_config_beats_env),
		PROFILE_TEST(test_longterm_pin_in_movable_zone),
		PROFILE_SIM_TEST(test_ro_pin_of_cow_shared_page),
		PROFILE_SIM_TEST(test_pin_of_zero_page),
		PROFILE_SIM_TEST(test_internal_flags_from_callers),
		PROFILE_SIM_TEST(test_numa_hint_faults_unless_forced),
	};

	int failed;

	ctest_profile = env ? strdup(env) : NULL;
	failed = cmocka_run_group_tests(tests, NULL, NULL);
	free(ctest_profile);
	return failed;
}
