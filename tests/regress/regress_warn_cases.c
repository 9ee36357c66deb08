// SPDX-License-Identifier: GPL-2.0-only
/*
 * GUP misuse the kernel answers with a one-time warning and -EINVAL: FOLL_PIN
 * through get_user_pages*(), FOLL_GET through pin_user_pages*(), FOLL_LONGTERM
 * with a droppable lock. Each call site warns once, then stays quiet.
 */
#include "harness.h"

struct misuse {
	const char *what;
	long (*call)(unsigned long addr, unsigned int flags, struct page **pages);
	unsigned int flags;
	/*
	 * Warnings of its first call under 6.18, where is_valid_gup_args() makes
	 * each check once for every entry point (one warning per rule, not per
	 * call site): 0 when an earlier misuse of the table broke the same rule;
	 * VALID_IN_6_18 for a call 6.18 accepts (test_profile_later.c has it).
	 */
	unsigned long warns_6_18;
};

#define VALID_IN_6_18 (~0UL)

/* One page at @addr through each entry point; the _locked ones start locked. */
static long gup(unsigned long addr, unsigned int flags, struct page **pages)
{
	return get_user_pages(addr, 1, flags, pages, NULL);
}

static long gup_locked(unsigned long addr, unsigned int flags, struct page **pages)
{
	int locked = 1;

	return get_user_pages_locked(addr, 1, flags, pages, &locked);
}

static long pup(unsigned long addr, unsigned int flags, struct page **pages)
{
	return pin_user_pages(addr, 1, flags, pages, NULL);
}

static long pup_fast(unsigned long addr, unsigned int flags, struct page **pages)
{
	return pin_user_pages_fast(addr, 1, flags, pages);
}

static long pup_remote(unsigned long addr, unsigned int flags, struct page **pages)
{
	return pin_user_pages_remote(current->mm, addr, 1, flags, pages, NULL, NULL);
}

static long pup_remote_locked(unsigned long addr, unsigned int flags, struct page **pages)
{
	int locked = 1;

	return pin_user_pages_remote(current->mm, addr, 1, flags, pages, NULL, &locked);
}

static long pup_locked(unsigned long addr, unsigned int flags, struct page **pages)
{
	int locked = 1;

	return pin_user_pages_locked(addr, 1, flags, pages, &locked);
}

/* The _unlocked calls take mmap_lock themselves; drop ours around them. */
static long gup_unlocked(unsigned long addr, unsigned int flags, struct page **pages)
{
	long ret;

	mmap_read_unlock(current->mm);
	ret = get_user_pages_unlocked(addr, 1, pages, flags);
	mmap_read_lock(current->mm);
	return ret;
}

static long pup_unlocked(unsigned long addr, unsigned int flags, struct page **pages)
{
	long ret;

	mmap_read_unlock(current->mm);
	ret = pin_user_pages_unlocked(addr, 1, pages, flags);
	mmap_read_lock(current->mm);
	return ret;
}

static const struct misuse misuses[] = {
	{"get_user_pages(FOLL_PIN)", gup, FOLL_PIN, 1}, /* 6.18: an internal flag */
	{"get_user_pages(FOLL_LONGTERM)", gup, FOLL_LONGTERM, 1},
	{"get_user_pages_locked(FOLL_LONGTERM)", gup_locked, FOLL_LONGTERM, 0},
	{"get_user_pages_locked(FOLL_PIN)", gup_locked, FOLL_PIN, 0},
	{"pin_user_pages(FOLL_GET)", pup, FOLL_GET, 1}, /* 6.18: FOLL_GET with FOLL_PIN */
	{"pin_user_pages_fast(FOLL_GET)", pup_fast, FOLL_GET, 0},
	{"pin_user_pages_remote(FOLL_GET)", pup_remote, FOLL_GET, 0},
	/* 6.3 allows a long-term pin with a droppable lock. */
	{"pin_user_pages_remote(FOLL_LONGTERM, locked)", pup_remote_locked, FOLL_LONGTERM,
	 VALID_IN_6_18},
	{"pin_user_pages_locked(FOLL_LONGTERM)", pup_locked, FOLL_LONGTERM, 1},
	{"pin_user_pages_locked(FOLL_GET)", pup_locked, FOLL_GET, 0},
	{"get_user_pages_unlocked(FOLL_LONGTERM)", gup_unlocked, FOLL_LONGTERM, 0},
	{"pin_user_pages_unlocked(FOLL_GET)", pup_unlocked, FOLL_GET, 0},
};

/* Call @m and return how many warnings it printed; it must fail with -EINVAL. */
static unsigned long warnings_of(const struct misuse *m, unsigned long addr)
{
	unsigned long before = sim_warn_count();
	struct page *page = NULL;
	long ret = m->call(addr, m->flags, &page);

	if (ret != -EINVAL)
		fail_msg("%s returned %ld, expected -EINVAL", m->what, ret);
	assert_null(page);
	return sim_warn_count() - before;
}

static void test_each_misuse_warns_once_and_fails(void **state)
{
	unsigned long addr;

	(void)state;
	start_task("misuse");
	addr = map_rw(1);
	mmap_read_lock(current->mm);
	for (size_t i = 0; i < ARRAY_SIZE(misuses); i++) {
		unsigned long want =
			sim_current_profile() == SIM_PROFILE_6_18 ? misuses[i].warns_6_18 : 1;

		if (want == VALID_IN_6_18)
			continue;

		if (warnings_of(&misuses[i], addr) != want)
			fail_msg("%s: first call did not warn %lu time(s)", misuses[i].what, want);
		if (warnings_of(&misuses[i], addr) != 0)
			fail_msg("%s: second call warned again", misuses[i].what);
	}
	/* get_user_pages_remote() shares get_user_pages()'s check: already warned. */
	assert_int_equal(get_user_pages_remote(current->mm, addr, 1, FOLL_PIN, NULL, NULL, NULL),
			 -EINVAL);
	mmap_read_unlock(current->mm);
	assert_int_equal(pins_acquired(), 0);
	task_exit(current);
	set_current(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		GUP_TEST(test_each_misuse_warns_once_and_fails),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
