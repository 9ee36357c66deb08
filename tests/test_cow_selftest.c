// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kernel's COW selftest (tools/testing/selftests/mm/cow.c) for the cases
 * libgup can run: COW after fork, vmsplice-style FOLL_GET references with an
 * unmap in child or parent, R/O pins of shared, previously shared and R/O
 * exclusive pages, R/W pins across fork and mprotect, R/O long-term pins of the
 * zero pages. Each case reports whether the kernel's check passed, and the test
 * asserts the running profile's answer: 6.18 passes them all, 5.11 fails those
 * the exclusivity and unsharing work fixed. The anonymous cases run again on a
 * page swapped out first (MADV_PAGEOUT), as cow.c's swap variants do.
 */
#include "harness.h"
#include "mm/internal.h"

#define RW (PROT_READ | PROT_WRITE)
#define THP_BASE 0x40000000UL /* 2 MiB aligned */

/* How the pin of a R/O pin case is taken (cow.c's "GUP" and "GUP-fast" runs). */
enum pin_kind { PIN_SLOW, PIN_FAST };

static struct page *page_at(struct task_struct *t, unsigned long addr)
{
	return pfn_to_page(pfn_of(t, addr));
}

/* cow.c's "swapped-out base page" runs: the first page written goes to swap at once. */
static bool swap_out_first_fill;

static void fill(unsigned long addr, char c)
{
	assert_int_equal(copy_to_user(addr, &c, 1), 0);
	if (!swap_out_first_fill)
		return;
	swap_out_first_fill = false;
	assert_int_equal(sys_madvise(addr, PAGE_SIZE, MADV_PAGEOUT), 0);
	assert_true(pagemap_entry(current, addr) & PM_SWAP);
}

static char byte_at(unsigned long addr)
{
	char c = 0;

	assert_int_equal(copy_from_user(&c, addr, 1), 0);
	return c;
}

/* What a holder of @page (a pipe, a device) reads from it. */
static char held_byte(struct page *page)
{
	return *(const char *)page_address(page);
}

static struct task_struct *fork_child(struct task_struct *parent)
{
	struct task_struct *child = sys_fork();

	assert_non_null(child);
	set_current(parent);
	return child;
}

static void mprotect_round_trip(unsigned long addr)
{
	assert_int_equal(sys_mprotect(addr, PAGE_SIZE, PROT_READ), 0);
	assert_int_equal(sys_mprotect(addr, PAGE_SIZE, RW), 0);
}

/* A R/O long-term pin, as gup_test's PIN_LONGTERM_TEST_START without the write flag. */
static struct page *ro_longterm_pin(unsigned long addr, enum pin_kind kind)
{
	struct page *page = NULL;
	long ret;

	if (kind == PIN_FAST) {
		ret = pin_user_pages_fast(addr, 1, FOLL_LONGTERM, &page);
	} else {
		mmap_read_lock(current->mm);
		ret = pin_user_pages(addr, 1, FOLL_LONGTERM, &page, NULL);
		mmap_read_unlock(current->mm);
	}
	assert_int_equal(ret, 1);
	return page;
}

static struct page *rw_longterm_pin(unsigned long addr)
{
	struct page *page = NULL;

	assert_int_equal(pin_user_pages_fast(addr, 1, FOLL_LONGTERM | FOLL_WRITE, &page), 1);
	return page;
}

/* --- COW after fork() --- */

/* "Basic COW after fork()": the child's write must not reach the parent. */
static bool cow_in_child(bool mprotect_first)
{
	struct task_struct *parent = start_task("parent"), *child;
	unsigned long addr = map_rw(1);
	bool pass;

	fill(addr, 'o');
	child = fork_child(parent);
	set_current(child);
	if (mprotect_first)
		mprotect_round_trip(addr);
	fill(addr, 'c');
	set_current(parent);
	pass = byte_at(addr) == 'o';
	task_exit(child);
	task_exit(parent);
	return pass;
}

/* --- vmsplice(): a FOLL_GET reference, then an unmap --- */

/*
 * "vmsplice() + unmap in child": the child takes a reference on the shared page
 * and unmaps it; the parent's later write must not show through the reference.
 */
static bool vmsplice_unmap_in_child(bool mprotect_first)
{
	struct task_struct *parent = start_task("parent"), *child;
	unsigned long addr = map_rw(1);
	struct page *ref;
	bool pass;

	fill(addr, 'o');
	child = fork_child(parent);
	set_current(child);
	assert_int_equal(get_user_pages_fast(addr, 1, 0, &ref), 1);
	assert_int_equal(sys_munmap(addr, PAGE_SIZE), 0);
	set_current(parent);
	if (mprotect_first)
		mprotect_round_trip(addr);
	fill(addr, 'p');
	pass = held_byte(ref) == 'o';
	put_page(ref);
	task_exit(child);
	task_exit(parent);
	return pass;
}

/*
 * "vmsplice() before fork(), unmap in parent after fork()" and "vmsplice() +
 * unmap in parent after fork()": the parent's reference must not see the
 * child's write.
 */
static bool vmsplice_unmap_in_parent(bool before_fork)
{
	struct task_struct *parent = start_task("parent"), *child;
	unsigned long addr = map_rw(1);
	struct page *ref;
	bool pass;

	fill(addr, 'o');
	if (before_fork)
		assert_int_equal(get_user_pages_fast(addr, 1, 0, &ref), 1);
	child = fork_child(parent);
	if (!before_fork)
		assert_int_equal(get_user_pages_fast(addr, 1, 0, &ref), 1);
	assert_int_equal(sys_munmap(addr, PAGE_SIZE), 0);
	set_current(child);
	fill(addr, 'c');
	set_current(parent);
	pass = held_byte(ref) == 'o';
	put_page(ref);
	task_exit(child);
	task_exit(parent);
	return pass;
}

/* --- R/O pins --- */

enum ro_pin_case { RO_PIN, RO_PIN_SHARED, RO_PIN_PREVIOUSLY_SHARED, RO_PIN_RO_EXCLUSIVE };

/*
 * do_test_ro_pin(): take a R/O long-term pin, write through the mapping, and
 * the pin must see the write.
 */
static bool ro_pin(enum ro_pin_case which, enum pin_kind kind)
{
	struct task_struct *parent = start_task("parent"), *child = NULL;
	unsigned long addr = map_rw(1);
	struct page *pinned;
	bool pass;

	fill(addr, 'o');
	if (which == RO_PIN_SHARED || which == RO_PIN_PREVIOUSLY_SHARED)
		child = fork_child(parent);
	if (which == RO_PIN_PREVIOUSLY_SHARED) {
		task_exit(child);
		child = NULL;
	}
	if (which == RO_PIN_RO_EXCLUSIVE)
		assert_int_equal(sys_mprotect(addr, PAGE_SIZE, PROT_READ), 0);
	pinned = ro_longterm_pin(addr, kind);
	if (which == RO_PIN_RO_EXCLUSIVE)
		assert_int_equal(sys_mprotect(addr, PAGE_SIZE, RW), 0);
	fill(addr, 'n');
	pass = held_byte(pinned) == 'n';
	unpin_user_page(pinned);
	if (child)
		task_exit(child);
	task_exit(parent);
	return pass;
}

/* --- R/W pins (cow.c's io_uring fixed buffers) --- */

/*
 * "io_uring fixed buffer with fork()": the buffer is pinned R/W, the process
 * forks and then writes: the pin must see the write, the child not.
 */
static bool rw_pin_then_fork(void)
{
	struct task_struct *parent = start_task("parent"), *child;
	unsigned long addr = map_rw(1);
	struct page *pinned;
	bool pass;

	fill(addr, 'o');
	pinned = rw_longterm_pin(addr);
	child = fork_child(parent);
	fill(addr, 'n');
	set_current(child);
	pass = held_byte(pinned) == 'n' && byte_at(addr) == 'o';
	set_current(parent);
	unpin_user_page(pinned);
	task_exit(child);
	task_exit(parent);
	return pass;
}

/*
 * A R/W pin and an mprotect() round trip, before or after pinning, then a
 * write: the pin must see it. After pinning, 5.11's write fault sees a raised
 * refcount and copies the page away from the pin.
 */
static bool rw_pin_mprotect(bool mprotect_after_pin)
{
	struct task_struct *t = start_task("pin");
	unsigned long addr = map_rw(1);
	struct page *pinned;
	bool pass;

	fill(addr, 'o');
	if (!mprotect_after_pin)
		mprotect_round_trip(addr);
	pinned = rw_longterm_pin(addr);
	if (mprotect_after_pin)
		mprotect_round_trip(addr);
	fill(addr, 'n');
	pass = held_byte(pinned) == 'n' && page_at(t, addr) == pinned;
	unpin_user_page(pinned);
	task_exit(t);
	return pass;
}

/* --- R/O long-term pins of the zero pages (cow.c's non-anonymous cases) --- */

/* "R/O longterm GUP pin" on the shared zero page: the pin must see a later write. */
static bool ro_pin_zero_page(enum pin_kind kind)
{
	struct task_struct *t = start_task("zero");
	unsigned long addr = map_rw(1);
	struct page *pinned;
	bool pass;

	assert_int_equal(byte_at(addr), 0); /* maps the zero page */
	pinned = ro_longterm_pin(addr, kind);
	fill(addr, 'n');
	pass = held_byte(pinned) == 'n';
	unpin_user_page(pinned);
	task_exit(t);
	return pass;
}

/* The same on the huge zero page (a read fault in a THP-enabled range). */
static bool ro_pin_huge_zero_page(enum pin_kind kind)
{
	struct task_struct *t = start_task("zero");
	unsigned long addr = sys_mmap(THP_BASE, HPAGE_PMD_SIZE, RW,
				      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	struct page *pinned;
	bool pass;

	assert_int_equal(addr, THP_BASE);
	assert_int_equal(byte_at(addr), 0);
	assert_true(is_huge_zero_page(page_at(t, addr)));
	pinned = ro_longterm_pin(addr, kind);
	fill(addr, 'n');
	pass = held_byte(pinned) == 'n';
	unpin_user_page(pinned);
	task_exit(t);
	return pass;
}

/* --- the cases --- */

struct cow_case {
	const char *name; /* cow.c's test name */
	bool (*run)(const struct cow_case *c);
	int arg;
	bool passes_5_11; /* 6.18 passes every case */
	/*
	 * The same with the page swapped out first. 5.11 fails more: a write to a
	 * page read back from swap reuses it when no other PTE or swap entry names it,
	 * whatever holds it (reuse_swap_page()), and copies it when the swap cache's
	 * reference makes page_count() 2 (do_wp_page()), behind a pin.
	 */
	bool passes_5_11_swapped;
};

static bool run_cow_in_child(const struct cow_case *c)
{
	return cow_in_child(c->arg);
}

static bool run_vmsplice_in_child(const struct cow_case *c)
{
	return vmsplice_unmap_in_child(c->arg);
}

static bool run_vmsplice_in_parent(const struct cow_case *c)
{
	return vmsplice_unmap_in_parent(c->arg);
}

static bool run_ro_pin(const struct cow_case *c)
{
	return ro_pin((enum ro_pin_case)(c->arg / 2), (enum pin_kind)(c->arg % 2));
}

static bool run_rw_pin_fork(const struct cow_case *c)
{
	(void)c;
	return rw_pin_then_fork();
}

static bool run_rw_pin_mprotect(const struct cow_case *c)
{
	return rw_pin_mprotect(c->arg);
}

static bool run_ro_pin_zero_page(const struct cow_case *c)
{
	return ro_pin_zero_page((enum pin_kind)c->arg);
}

static bool run_ro_pin_huge_zero_page(const struct cow_case *c)
{
	return ro_pin_huge_zero_page((enum pin_kind)c->arg);
}

#define RO_PIN_ARG(which, kind) ((which)*2 + (kind))

static const struct cow_case cases[] = {
	{"Basic COW after fork()", run_cow_in_child, 0, true, true},
	{"Basic COW after fork() with mprotect() optimization", run_cow_in_child, 1, true, true},
	{"vmsplice() + unmap in child", run_vmsplice_in_child, 0, true, false},
	{"vmsplice() + unmap in child with mprotect() optimization", run_vmsplice_in_child, 1, true,
	 false},
	{"vmsplice() before fork(), unmap in parent after fork()", run_vmsplice_in_parent, 1, true,
	 true},
	{"vmsplice() + unmap in parent after fork()", run_vmsplice_in_parent, 0, true, false},
	{"R/O GUP pin on exclusive page", run_ro_pin, RO_PIN_ARG(RO_PIN, PIN_SLOW), true, false},
	{"R/O GUP-fast pin on exclusive page", run_ro_pin, RO_PIN_ARG(RO_PIN, PIN_FAST), true,
	 false},
	{"R/O GUP pin on R/O-mapped shared page", run_ro_pin, RO_PIN_ARG(RO_PIN_SHARED, PIN_SLOW),
	 false, false},
	{"R/O GUP-fast pin on R/O-mapped shared page", run_ro_pin,
	 RO_PIN_ARG(RO_PIN_SHARED, PIN_FAST), false, false},
	{"R/O GUP pin on R/O-mapped previously-shared page", run_ro_pin,
	 RO_PIN_ARG(RO_PIN_PREVIOUSLY_SHARED, PIN_SLOW), false, false},
	{"R/O GUP-fast pin on R/O-mapped previously-shared page", run_ro_pin,
	 RO_PIN_ARG(RO_PIN_PREVIOUSLY_SHARED, PIN_FAST), false, false},
	{"R/O GUP pin on R/O-mapped exclusive page", run_ro_pin,
	 RO_PIN_ARG(RO_PIN_RO_EXCLUSIVE, PIN_SLOW), false, false},
	{"R/O GUP-fast pin on R/O-mapped exclusive page", run_ro_pin,
	 RO_PIN_ARG(RO_PIN_RO_EXCLUSIVE, PIN_FAST), false, false},
	{"io_uring fixed buffer with fork()", run_rw_pin_fork, 0, true, true},
	{"R/W pin after mprotect() round trip", run_rw_pin_mprotect, 0, true, true},
	{"R/W pin, then mprotect() round trip", run_rw_pin_mprotect, 1, false, false},
	{"R/O longterm GUP pin on shared zeropage", run_ro_pin_zero_page, PIN_SLOW, false, false},
	{"R/O longterm GUP-fast pin on shared zeropage", run_ro_pin_zero_page, PIN_FAST, false,
	 false},
};

static const struct cow_case huge_zero_cases[] = {
	{"R/O longterm GUP pin on huge zeropage", run_ro_pin_huge_zero_page, PIN_SLOW, false,
	 false},
	{"R/O longterm GUP-fast pin on huge zeropage", run_ro_pin_huge_zero_page, PIN_FAST, false,
	 false},
};

/* Run @c on a machine of its own and compare with the profile's answer. */
static void run_case(const struct cow_case *c, const struct sim_config *cfg)
{
	bool expected, passed;

	assert_int_equal(sim_boot(cfg), 0);
	swap_out_first_fill = cfg->swap_bytes != 0;
	expected = profile_is_6_18() ||
		   (swap_out_first_fill ? c->passes_5_11_swapped : c->passes_5_11);
	passed = c->run(c);
	print_message("%s: %s (%s expects %s)\n", c->name, passed ? "ok" : "not ok",
		      sim_profile_name(sim_current_profile()), expected ? "ok" : "not ok");
	set_current(NULL);
	assert_int_equal(sim_check(NULL), 0);
	assert_int_equal(sim_shutdown(), 0);
	if (passed != expected)
		fail_msg("%s: %s, the kernel's answer is %s", c->name, passed ? "ok" : "not ok",
			 expected ? "ok" : "not ok");
}

static void test_anon_cases(void **state)
{
	struct sim_config cfg = {.quiet = true};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		run_case(&cases[i], &cfg);
}

/* cow.c's anon_test_cases again, each on a page swapped out before the test runs. */
static void test_anon_cases_swapped_out(void **state)
{
	struct sim_config cfg = {.quiet = true, .swap_bytes = 1UL << 20};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		if (cases[i].run != run_ro_pin_zero_page)
			run_case(&cases[i], &cfg);
}

static void test_huge_zero_page_cases(void **state)
{
	struct sim_config cfg = {.thp = SIM_THP_ALWAYS, .quiet = true};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(huge_zero_cases); i++)
		run_case(&huge_zero_cases[i], &cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_anon_cases),
		cmocka_unit_test(test_anon_cases_swapped_out),
		cmocka_unit_test(test_huge_zero_page_cases),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
