/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tests/harness.h - common boilerplate for libgup cmocka tests.
 *
 * Each test gets a freshly booted simulator; sim_shutdown() in the teardown
 * doubles as a leak check (non-zero return => cmocka fails the test).
 */
#ifndef GUP_TESTS_HARNESS_H
#define GUP_TESTS_HARNESS_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include <libgup.h>
#include <gup/testing.h>

__attribute__((unused)) static int sim_setup(void **state)
{
	(void)state;
	return sim_boot(NULL);
}

__attribute__((unused)) static int sim_teardown(void **state)
{
	(void)state;
	return sim_shutdown();
}

/*
 * Teardown of tests that boot their own machine (and end with sim_shutdown() == 0):
 * after a failed assertion, shut down what the test left so the next one boots.
 */
__attribute__((unused)) static int shutdown_left_machine(void **state)
{
	(void)state;
	if (sim_running())
		sim_shutdown();
	return 0;
}

/*
 * Helpers shared by the tests. Each one asserts that its own step worked, so a
 * test reads as the sequence of things it checks. They act on the current task
 * unless they take one.
 */

/* Create a task called @comm and make it current. */
static inline struct task_struct *start_task(const char *comm)
{
	struct task_struct *t = task_create(comm);

	assert_non_null(t);
	set_current(t);
	return t;
}

/* sys_mmap(0, @len, @prot, @flags, -1, 0), which must succeed. */
static inline unsigned long map_bytes(unsigned long len, unsigned long prot, unsigned long flags)
{
	unsigned long addr = sys_mmap(0, len, prot, flags, -1, 0);

	assert_false(IS_ERR_VALUE(addr));
	return addr;
}

/* @nr anonymous pages (MAP_ANONYMOUS is added to @flags). */
static inline unsigned long map_pages(unsigned long nr, unsigned long prot, unsigned long flags)
{
	return map_bytes(nr * PAGE_SIZE, prot, flags | MAP_ANONYMOUS);
}

/* @nr private anonymous read-write pages. */
static inline unsigned long map_rw(unsigned long nr)
{
	return map_pages(nr, PROT_READ | PROT_WRITE, MAP_PRIVATE);
}

/* Write the byte 'w' at @addr, as the current task would. */
static inline void touch_page(unsigned long addr)
{
	char c = 'w';

	assert_int_equal(copy_to_user(addr, &c, 1), 0);
}

/* Write 'a' + i to the first byte of page i of @nr pages at @addr. */
static inline void touch_pages(unsigned long addr, unsigned long nr)
{
	for (unsigned long i = 0; i < nr; i++) {
		char c = (char)('a' + i);

		assert_int_equal(copy_to_user(addr + i * PAGE_SIZE, &c, 1), 0);
	}
}

/* The VMA of @t that contains @addr, or NULL. */
static inline struct vm_area_struct *vma_at(struct task_struct *t, unsigned long addr)
{
	struct vm_area_struct *vma;

	mmap_read_lock(t->mm);
	vma = find_vma(t->mm, addr);
	mmap_read_unlock(t->mm);
	return vma && vma->vm_start <= addr ? vma : NULL;
}

/* The pagemap entry of @addr in @t (the read itself must succeed). */
static inline uint64_t pagemap_entry(struct task_struct *t, unsigned long addr)
{
	uint64_t entry;

	assert_int_equal(pagemap_read(t->mm, addr, &entry), 0);
	return entry;
}

/* The pfn mapped at @addr in @t, which must be present. */
static inline unsigned long pfn_of(struct task_struct *t, unsigned long addr)
{
	uint64_t entry = pagemap_entry(t, addr);

	assert_true(entry & PM_PRESENT);
	return (unsigned long)(entry & PM_PFRAME_MASK);
}

/* Drop the references of @nr pages taken with FOLL_GET. */
static inline void put_pages(struct page **pages, long nr)
{
	for (long i = 0; i < nr; i++)
		put_page(pages[i]);
}

/* vmstat counters the tests compare before and after a call. */
static inline unsigned long page_faults(void)
{
	return global_node_page_state(NR_PAGE_FAULTS);
}

static inline unsigned long pins_acquired(void)
{
	return global_node_page_state(NR_FOLL_PIN_ACQUIRED);
}

static inline unsigned long pins_released(void)
{
	return global_node_page_state(NR_FOLL_PIN_RELEASED);
}

/* An address nothing is mapped at: map a page and unmap it again. */
static inline unsigned long unmapped_address(void)
{
	unsigned long addr = map_pages(1, PROT_READ | PROT_WRITE, MAP_PRIVATE);

	assert_int_equal(sys_munmap(addr, PAGE_SIZE), 0);
	return addr;
}

/* get_user_pages() on current's mm, taking and dropping mmap_lock around it. */
static inline long gup_under_lock(unsigned long start, unsigned long nr, unsigned int flags,
				  struct page **pages, struct vm_area_struct **vmas)
{
	long ret;

	mmap_read_lock(current->mm);
	ret = get_user_pages(start, nr, flags, pages, vmas);
	mmap_read_unlock(current->mm);
	return ret;
}

/* Does a present PTE map @addr in current's mm (pagemap's present bit)? */
static inline bool addr_present(unsigned long addr)
{
	return pagemap_entry(current, addr) & PM_PRESENT;
}

/* @expr must equal @expect and print exactly @warnings WARNING lines. */
#define assert_warned(expr, expect, warnings)                                                      \
	do {                                                                                       \
		unsigned long __before = sim_warn_count();                                         \
		assert_int_equal((expr), (expect));                                                \
		assert_int_equal(sim_warn_count() - __before, (warnings));                         \
	} while (0)

#define GUP_TEST(fn) cmocka_unit_test_setup_teardown(fn, sim_setup, sim_teardown)

/*
 * The answer the running profile expects, for a check whose expectation
 * differs between kernels: @v5_11 under 5.11, @v6_18 under 6.18.
 */
static inline long by_profile(long v5_11, long v6_18)
{
	return sim_current_profile() == SIM_PROFILE_6_18 ? v6_18 : v5_11;
}

static inline bool profile_is_6_18(void)
{
	return sim_current_profile() == SIM_PROFILE_6_18;
}

/*
 * pin_user_pages_fast_only() where the profile has it (5.11); 6.18 dropped the
 * call, and pin_user_pages_fast() over populated memory takes the same lockless
 * walk (falling back only where the fast-only call would have failed).
 */
static inline int pin_fast_only_or_fast(unsigned long start, int nr_pages, unsigned int gup_flags,
					struct page **pages)
{
	if (profile_is_6_18())
		return pin_user_pages_fast(start, nr_pages, gup_flags, pages);
	return pin_user_pages_fast_only(start, nr_pages, gup_flags, pages);
}

/*
 * A new page of the current task (map_rw(1), touched), pinned FOLL_WRITE by
 * GUP-fast with @site as the pin's call site; it lies in ZONE_MOVABLE (the
 * tests that offline or migrate it boot with one). Return: the pinned page;
 * *@addr is where the task maps it.
 */
static inline struct page *pin_new_movable_page(const char *site, unsigned long *addr)
{
	struct page *pin;

	*addr = map_rw(1);
	touch_page(*addr);
	sim_set_call_site(site);
	assert_int_equal(pin_user_pages_fast(*addr, 1, FOLL_WRITE, &pin), 1);
	sim_set_call_site(NULL);
	assert_int_equal(page_zonenum(pin), ZONE_MOVABLE);
	return pin;
}

/*
 * The @field line ("Swap", "AnonHugePages", ...) of @t's smaps for the VMA that
 * starts at @vm_start, in kB; the VMA and its line must be there.
 */
static inline unsigned long smaps_field_kb(struct task_struct *t, unsigned long vm_start,
					   const char *field)
{
	char *text = NULL, *vma, *line, head[32], key[40];
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	unsigned long kb = 0;

	assert_non_null(out);
	assert_int_equal(show_smaps(out, t->mm), 0);
	fclose(out);
	snprintf(head, sizeof(head), "%08lx-", vm_start);
	snprintf(key, sizeof(key), "\n%s:", field);
	vma = strstr(text, head);
	assert_non_null(vma);
	assert_true(vma == text || vma[-1] == '\n');
	line = strstr(vma, key);
	assert_non_null(line);
	assert_int_equal(sscanf(line + strlen(key), "%lu kB", &kb), 1);
	free(text);
	return kb;
}

#endif /* GUP_TESTS_HARNESS_H */
