// SPDX-License-Identifier: GPL-2.0-only
/*
 * Semantics profiles: choosing one by sim_config and by GUP_PROFILE, refusing
 * unknown ones, and the 5.11 answers no other test pins down (R/O pins keep the
 * shared page, zero-page pins count, ZONE_MOVABLE pins stay, NUMA hints fault).
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

/* --- the 5.11 answers (run under GUP_PROFILE=5.11 by CTest) --- */

/*
 * gup_must_unshare: 5.11 pins a COW-shared page as it is. The pin then loses
 * the page at the parent's next write: the pinned page is the child's only.
 */
static void test_ro_pin_of_cow_shared_page_does_not_unshare(void **state)
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
	assert_int_equal(page_faults(), faults); /* no unshare fault */
	assert_int_equal(page_to_pfn(pinned), pfn_of(parent, addr));
	assert_int_equal(page_to_pfn(pinned), pfn_of(child, addr));
	touch_page(addr); /* the parent's write copies the page away from the pin */
	assert_true(page_to_pfn(pinned) != pfn_of(parent, addr));
	assert_int_equal(page_to_pfn(pinned), pfn_of(child, addr));
	unpin_user_page(pinned);
	task_exit(child);
	task_exit(parent);
}

/* pins_zero_page: 5.11 pins the zero page like any page, bias and counters. */
static void test_pin_of_zero_page_is_counted(void **state)
{
	struct task_struct *t = start_task("zero");
	unsigned long addr = map_rw(1);
	unsigned long acquired = pins_acquired(), released = pins_released();
	int refs = page_count(zero_page());
	struct page *page;

	(void)state;
	assert_int_equal(pin_user_pages_fast(addr, 1, 0, &page), 1);
	assert_ptr_equal(page, zero_page());
	assert_int_equal(page_count(zero_page()), refs + (int)GUP_PIN_COUNTING_BIAS);
	assert_int_equal(pins_acquired(), acquired + 1);
	assert_true(page_maybe_dma_pinned(zero_page()));
	unpin_user_page(page);
	assert_int_equal(page_count(zero_page()), refs);
	assert_int_equal(pins_released(), released + 1);
	task_exit(t);
}

/* is_valid_gup_args: 5.11 lets callers pass internal flags such as FOLL_TOUCH. */
static void test_internal_flags_from_callers_pass(void **state)
{
	struct task_struct *t = start_task("flags");
	unsigned long addr = map_rw(1);
	unsigned long warnings = sim_warn_count();
	struct page *page;

	(void)state;
	touch_page(addr);
	assert_int_equal(gup_under_lock(addr, 1, FOLL_TOUCH | FOLL_WRITE, &page, NULL), 1);
	put_page(page);
	assert_int_equal(sim_warn_count(), warnings);
	task_exit(t);
}

/* is_pinnable_page: 5.11 keeps long-term pins out of CMA only, ZONE_MOVABLE is fine. */
static void test_longterm_pin_may_stay_in_movable_zone(void **state)
{
	struct sim_config cfg = {.mem_bytes = 16UL << 20,
				 .movable_bytes = 16UL << 20,
				 .profile = SIM_PROFILE_5_11,
				 .quiet = true};
	struct task_struct *t;
	struct page *page;
	unsigned long addr;

	(void)state;
	assert_int_equal(sim_boot(&cfg), 0);
	t = start_task("movable");
	addr = map_rw(2);
	touch_page(addr);
	assert_int_equal(page_zonenum(pfn_to_page(pfn_of(t, addr))), ZONE_MOVABLE);
	assert_int_equal(pin_user_pages_fast_only(addr, 1, FOLL_LONGTERM | FOLL_WRITE, &page), 1);
	unpin_user_page(page);
	assert_int_equal(pin_user_pages(addr, 1, FOLL_LONGTERM | FOLL_WRITE, &page, NULL), 1);
	assert_int_equal(page_to_pfn(page), pfn_of(t, addr)); /* not migrated */
	unpin_user_page(page);
	/* memalloc_pin_gfp: a page a long-term pin faults in may come from ZONE_MOVABLE. */
	assert_int_equal(
		pin_user_pages(addr + PAGE_SIZE, 1, FOLL_LONGTERM | FOLL_WRITE, &page, NULL), 1);
	assert_int_equal(page_zonenum(page), ZONE_MOVABLE);
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
		PROFILE_TEST(test_longterm_pin_may_stay_in_movable_zone),
		PROFILE_SIM_TEST(test_ro_pin_of_cow_shared_page_does_not_unshare),
		PROFILE_SIM_TEST(test_pin_of_zero_page_is_counted),
		PROFILE_SIM_TEST(test_internal_flags_from_callers_pass),
		PROFILE_SIM_TEST(test_numa_hint_faults_unless_forced),
	};

	int failed;

	ctest_profile = env ? strdup(env) : NULL;
	failed = cmocka_run_group_tests(tests, NULL, NULL);
	free(ctest_profile);
	return failed;
}
