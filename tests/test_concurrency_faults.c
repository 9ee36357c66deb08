// SPDX-License-Identifier: GPL-2.0-only
/*
 * tests/test_concurrency_faults.c - threads of one process faulting at once:
 * each pthread runs as a thread task of the same mm, faults its own pages and
 * pages every thread touches (read faults racing write faults and COW of the
 * zero page), then checks every byte. Meant to run under TSan as well.
 */
#include "harness.h"

#include <string.h>

#define NR_WORKERS 4
#define OWN_PAGES 64	/* pages only one worker touches */
#define SHARED_PAGES 64 /* pages every worker touches, each in its own slot */
#define ROUNDS 6
#define REGION_PAGES (NR_WORKERS * OWN_PAGES + SHARED_PAGES)

struct slot {
	uint32_t worker;
	uint32_t round;
	uint32_t page;
	uint32_t magic;
};

#define SLOT_MAGIC 0x5eedf00du

struct worker {
	struct task_struct *task;
	pthread_barrier_t *start;
	unsigned long region;
	uint32_t id;
	uint32_t round;
	int errors;
};

static struct slot expected_slot(const struct worker *w, uint32_t page)
{
	return (struct slot){.worker = w->id, .round = w->round, .page = page, .magic = SLOT_MAGIC};
}

/* Each worker owns one slot in every page; its offset differs per worker. */
static unsigned long slot_addr(unsigned long region, uint32_t page, uint32_t worker)
{
	return region + (unsigned long)page * PAGE_SIZE + worker * 256 + 64;
}

/* Read the slot (zero or ours, never another's), write ours, read it back. */
static void fault_slot(struct worker *w, uint32_t page)
{
	unsigned long addr = slot_addr(w->region, page, w->id);
	struct slot want = expected_slot(w, page), got;
	static const struct slot zero;

	if (copy_from_user(&got, addr, sizeof(got)) ||
	    (memcmp(&got, &zero, sizeof(got)) && memcmp(&got, &want, sizeof(got))))
		w->errors++;
	if (copy_to_user(addr, &want, sizeof(want)))
		w->errors++;
	if (copy_from_user(&got, addr, sizeof(got)) || memcmp(&got, &want, sizeof(got)))
		w->errors++;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	uint32_t own = w->id * OWN_PAGES, shared = NR_WORKERS * OWN_PAGES;

	pthread_barrier_wait(w->start);
	for (uint32_t i = 0; i < OWN_PAGES; i++)
		fault_slot(w, own + i);
	/* Start at different pages so that workers collide on every one of them. */
	for (uint32_t i = 0; i < SHARED_PAGES; i++)
		fault_slot(w, shared + (i + w->id * 7) % SHARED_PAGES);
	return NULL;
}

/* From the leader: every slot a worker wrote holds its value, and only those. */
static void check_region(struct worker *workers, unsigned long region)
{
	for (uint32_t page = 0; page < REGION_PAGES; page++) {
		for (uint32_t id = 0; id < NR_WORKERS; id++) {
			struct worker *w = &workers[id];
			bool written = page >= NR_WORKERS * OWN_PAGES || page / OWN_PAGES == id;
			struct slot want = written ? expected_slot(w, page) : (struct slot){0};
			struct slot got;

			assert_int_equal(
				copy_from_user(&got, slot_addr(region, page, id), sizeof(got)), 0);
			assert_memory_equal(&got, &want, sizeof(got));
		}
	}
}

/* One round on a fresh region; @counter counts the region's data frames. */
static void run_round(struct worker *workers, uint32_t round, unsigned long map_flags,
		      enum node_stat_item counter)
{
	unsigned long base = global_node_page_state(counter);
	unsigned long region = map_pages(REGION_PAGES, PROT_READ | PROT_WRITE, map_flags);
	pthread_barrier_t start;
	struct sim_thread *threads[NR_WORKERS];

	pthread_barrier_init(&start, NULL, NR_WORKERS);
	for (uint32_t id = 0; id < NR_WORKERS; id++) {
		workers[id].start = &start;
		workers[id].region = region;
		workers[id].round = round;
		assert_int_equal(
			sim_thread_spawn(workers[id].task, worker_main, &workers[id], &threads[id]),
			0);
	}
	for (uint32_t id = 0; id < NR_WORKERS; id++) {
		sim_thread_join(threads[id]);
		assert_int_equal(workers[id].errors, 0);
	}
	pthread_barrier_destroy(&start);
	check_region(workers, region);
	/* Every page was written, by one worker or by all: one frame each, no more. */
	assert_int_equal(global_node_page_state(counter), base + REGION_PAGES);
	assert_int_equal(sim_check(NULL), 0);
	assert_int_equal(sys_munmap(region, REGION_PAGES * PAGE_SIZE), 0);
	assert_int_equal(global_node_page_state(counter), base);
}

static void run_workers(unsigned long map_flags, enum node_stat_item counter)
{
	struct task_struct *leader = start_task("faulters");
	struct worker workers[NR_WORKERS] = {0};

	for (uint32_t id = 0; id < NR_WORKERS; id++) {
		workers[id].id = id;
		workers[id].task = task_clone_thread(leader);
		assert_non_null(workers[id].task);
	}
	for (uint32_t round = 1; round <= ROUNDS; round++)
		run_round(workers, round, map_flags, counter);
	for (uint32_t id = 0; id < NR_WORKERS; id++)
		task_exit(workers[id].task);
	task_exit(leader);
}

static void test_private_anon_faults_from_many_threads(void **state)
{
	(void)state;
	run_workers(MAP_PRIVATE, NR_ANON_MAPPED);
}

static void test_shared_anon_faults_from_many_threads(void **state)
{
	(void)state;
	run_workers(MAP_SHARED, NR_SHMEM);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		GUP_TEST(test_private_anon_faults_from_many_threads),
		GUP_TEST(test_shared_anon_faults_from_many_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
