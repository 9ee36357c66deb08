// SPDX-License-Identifier: GPL-2.0-only
/*
 * CVE-2020-29374: a child takes a read-only FOLL_GET reference on a page it
 * shares copy-on-write with its parent, then unmaps it. The parent's next write
 * must copy (the page's count is above one), so the child's reference keeps the
 * old bytes and never observes the parent's new data.
 */
#include "harness.h"
#include <string.h>
#include "race.h"

#define RACE_ITERATIONS 200

struct cow_leak {
	struct task_struct *parent, *child;
	unsigned long addr;
	struct page *ref; /* the child's reference */
	unsigned int seed;
};

static void fill(unsigned long addr, int byte)
{
	unsigned char bytes[PAGE_SIZE];

	memset(bytes, byte, sizeof(bytes));
	assert_int_equal(copy_to_user(addr, bytes, sizeof(bytes)), 0);
}

static bool page_holds(struct page *page, int byte)
{
	const unsigned char *bytes = page_address(page);

	for (size_t i = 0; i < PAGE_SIZE; i++)
		if (bytes[i] != byte)
			return false;
	return true;
}

/* As the child: a read-only reference on the shared page, then unmap it. */
static void child_takes_reference(struct cow_leak *cl)
{
	struct task_struct *prev = set_current(cl->child);

	mmap_read_lock(cl->child->mm);
	if (get_user_pages(cl->addr, 1, 0, &cl->ref, NULL) != 1)
		cl->ref = NULL;
	mmap_read_unlock(cl->child->mm);
	sys_munmap(cl->addr, PAGE_SIZE);
	set_current(prev);
}

static void setup_parent(struct cow_leak *cl)
{
	cl->parent = start_task("parent");
	cl->addr = map_rw(1);
}

static void fork_child(struct cow_leak *cl, int old)
{
	fill(cl->addr, old);
	cl->child = sys_fork();
	assert_non_null(cl->child);
	set_current(cl->parent);
}

static void test_child_reference_keeps_old_bytes(void **state)
{
	struct cow_leak cl = {0};

	(void)state;
	setup_parent(&cl);
	fork_child(&cl, 'o');
	child_takes_reference(&cl);
	assert_non_null(cl.ref);
	fill(cl.addr, 'n');
	assert_true(page_holds(cl.ref, 'o'));
	assert_int_equal(global_node_page_state(NR_COW_FAULTS), 1);
	put_page(cl.ref);
	task_exit(cl.child);
	task_exit(cl.parent);
	set_current(NULL);
}

static void *child_thread(void *arg)
{
	struct cow_leak *cl = arg;

	child_takes_reference(cl);
	return NULL;
}

static void test_race_child_reference_against_parent_write(void **state)
{
	struct cow_leak cl = {0};

	(void)state;
	cl.seed = race_seed();
	setup_parent(&cl);
	/* The parent's write decides copy or reuse between its fault and the PTE lock. */
	race_widen(SP_FAULT_BEFORE_PTE_LOCK, &cl.seed);
	for (int i = 0; i < RACE_ITERATIONS; i++) {
		int old = 'a' + i % 13, new = 'A' + i % 13;
		struct sim_thread *child;

		fork_child(&cl, old);
		child = race_start(cl.child, child_thread, &cl);
		fill(cl.addr, new);
		race_join(child);
		assert_non_null(cl.ref);
		if (!page_holds(cl.ref, old))
			fail_msg("iteration %d: the child's reference sees the parent's write "
				 "(seed %u)",
				 i, cl.seed);
		put_page(cl.ref);
		task_exit(cl.child);
	}
	sim_point_set_hook(SP_FAULT_BEFORE_PTE_LOCK, NULL, NULL);
	task_exit(cl.parent);
	set_current(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		GUP_TEST(test_child_reference_keeps_old_bytes),
		GUP_TEST(test_race_child_reference_against_parent_write),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
