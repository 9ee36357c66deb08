// SPDX-License-Identifier: GPL-2.0-only
/*
 * GUP misuse the kernel answers with a one-time warning and -EINVAL: FOLL_PIN
 * through get_user_pages*(), FOLL_GET through pin_user_pages*(), FOLL_LONGTERM
 * with a droppable lock. Each call site warns once, then stays quiet.
 */
#include "harness.h"

struct misuse {
	const char *what;
	long (*call)(unsigned long addr, struct page **pages);
};

static long gup_with_pin(unsigned long addr, struct page **pages)
{
	return get_user_pages(addr, 1, FOLL_PIN, pages, NULL);
}

static long gup_with_longterm(unsigned long addr, struct page **pages)
{
	return get_user_pages(addr, 1, FOLL_LONGTERM, pages, NULL);
}

static long gup_locked_with_longterm(unsigned long addr, struct page **pages)
{
	int locked = 1;

	return get_user_pages_locked(addr, 1, FOLL_LONGTERM, pages, &locked);
}

static long gup_locked_with_pin(unsigned long addr, struct page **pages)
{
	int locked = 1;

	return get_user_pages_locked(addr, 1, FOLL_PIN, pages, &locked);
}

static long pup_with_get(unsigned long addr, struct page **pages)
{
	return pin_user_pages(addr, 1, FOLL_GET, pages, NULL);
}

static long pup_fast_with_get(unsigned long addr, struct page **pages)
{
	return pin_user_pages_fast(addr, 1, FOLL_GET, pages);
}

static long pup_remote_with_get(unsigned long addr, struct page **pages)
{
	return pin_user_pages_remote(current->mm, addr, 1, FOLL_GET, pages, NULL, NULL);
}

static long pup_remote_longterm_locked(unsigned long addr, struct page **pages)
{
	int locked = 1;

	return pin_user_pages_remote(current->mm, addr, 1, FOLL_LONGTERM, pages, NULL, &locked);
}

static long pup_locked_with_longterm(unsigned long addr, struct page **pages)
{
	int locked = 1;

	return pin_user_pages_locked(addr, 1, FOLL_LONGTERM, pages, &locked);
}

static long pup_locked_with_get(unsigned long addr, struct page **pages)
{
	int locked = 1;

	return pin_user_pages_locked(addr, 1, FOLL_GET, pages, &locked);
}

/* The _unlocked calls take mmap_lock themselves; drop ours around them. */
static long gup_unlocked_with_longterm(unsigned long addr, struct page **pages)
{
	long ret;

	mmap_read_unlock(current->mm);
	ret = get_user_pages_unlocked(addr, 1, pages, FOLL_LONGTERM);
	mmap_read_lock(current->mm);
	return ret;
}

static long pup_unlocked_with_get(unsigned long addr, struct page **pages)
{
	long ret;

	mmap_read_unlock(current->mm);
	ret = pin_user_pages_unlocked(addr, 1, pages, FOLL_GET);
	mmap_read_lock(current->mm);
	return ret;
}

static const struct misuse misuses[] = {
	{"get_user_pages(FOLL_PIN)", gup_with_pin},
	{"get_user_pages(FOLL_LONGTERM)", gup_with_longterm},
	{"get_user_pages_locked(FOLL_LONGTERM)", gup_locked_with_longterm},
	{"get_user_pages_locked(FOLL_PIN)", gup_locked_with_pin},
	{"pin_user_pages(FOLL_GET)", pup_with_get},
	{"pin_user_pages_fast(FOLL_GET)", pup_fast_with_get},
	{"pin_user_pages_remote(FOLL_GET)", pup_remote_with_get},
	{"pin_user_pages_remote(FOLL_LONGTERM, locked)", pup_remote_longterm_locked},
	{"pin_user_pages_locked(FOLL_LONGTERM)", pup_locked_with_longterm},
	{"pin_user_pages_locked(FOLL_GET)", pup_locked_with_get},
	{"get_user_pages_unlocked(FOLL_LONGTERM)", gup_unlocked_with_longterm},
	{"pin_user_pages_unlocked(FOLL_GET)", pup_unlocked_with_get},
};

/* Call @m and return how many warnings it printed; it must fail with -EINVAL. */
static unsigned long warnings_of(const struct misuse *m, unsigned long addr)
{
	unsigned long before = sim_warn_count();
	struct page *page = NULL;
	long ret = m->call(addr, &page);

	if (ret != -EINVAL)
		fail_msg("%s returned %ld, expected -EINVAL", m->what, ret);
	assert_null(page);
	return sim_warn_count() - before;
}

static void test_each_misuse_warns_once_and_fails(void **state)
{
	unsigned long addr;

	(void)state;
	set_current(task_create("misuse"));
	addr = sys_mmap(0, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_false(IS_ERR_VALUE(addr));
	mmap_read_lock(current->mm);
	for (size_t i = 0; i < ARRAY_SIZE(misuses); i++) {
		if (warnings_of(&misuses[i], addr) != 1)
			fail_msg("%s: first call did not warn exactly once", misuses[i].what);
		if (warnings_of(&misuses[i], addr) != 0)
			fail_msg("%s: second call warned again", misuses[i].what);
	}
	/* get_user_pages_remote() shares get_user_pages()'s check: already warned. */
	assert_int_equal(get_user_pages_remote(current->mm, addr, 1, FOLL_PIN, NULL, NULL, NULL),
			 -EINVAL);
	mmap_read_unlock(current->mm);
	assert_int_equal(global_node_page_state(NR_FOLL_PIN_ACQUIRED), 0);
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
