// SPDX-License-Identifier: GPL-2.0-only
/*
 * tests/test_xarray.c - the page cache's radix tree: insert, load, erase and find
 * at dense, sparse and huge indices, a million entries, the cursor (xas_find,
 * xas_reload), and lookups under RCU racing inserts and erases (ASan sees a node
 * freed too early).
 */
#include "harness.h"
#include "lib/rcu.h"
#include <gup/xarray.h>

#include <pthread.h>

/* A distinct non-NULL entry for each index. */
static void *entry_of(unsigned long index)
{
	return (void *)((index << 3) | 4);
}

static void test_insert_load_erase(void **state)
{
	struct xarray xa = XARRAY_INIT;

	(void)state;
	assert_true(xa_empty(&xa));
	assert_null(xa_load(&xa, 0));
	assert_null(xa_erase(&xa, 5));
	assert_int_equal(xa_insert(&xa, 5, entry_of(5)), 0);
	assert_int_equal(xa_insert(&xa, 5, entry_of(6)), -EEXIST);
	assert_int_equal(xa_insert(&xa, 6, NULL), -EINVAL);
	assert_ptr_equal(xa_load(&xa, 5), entry_of(5));
	assert_null(xa_load(&xa, 4));
	assert_null(xa_load(&xa, 5 + XA_CHUNK_SIZE));
	assert_ptr_equal(xa_erase(&xa, 5), entry_of(5));
	assert_null(xa_load(&xa, 5));
	assert_true(xa_empty(&xa)); /* the emptied node went */
	xa_destroy(&xa);
}

static const unsigned long sparse[] = {
	0, 1, 63, 64, 4095, 4096, 262143, 1UL << 30, (1UL << 40) + 7, ~0UL - 1, ~0UL};

static void test_sparse_indices_and_find(void **state)
{
	const size_t n = sizeof(sparse) / sizeof(sparse[0]);
	struct xarray xa = XARRAY_INIT;
	unsigned long index;
	size_t seen = 0;
	void *entry;

	(void)state;
	/* Inserted high first: the tree grows at the top and keeps what it had. */
	for (size_t i = n; i-- > 0;)
		assert_int_equal(xa_insert(&xa, sparse[i], entry_of(sparse[i] & 0xffff)), 0);
	for (size_t i = 0; i < n; i++)
		assert_ptr_equal(xa_load(&xa, sparse[i]), entry_of(sparse[i] & 0xffff));
	assert_null(xa_load(&xa, 2));
	assert_null(xa_load(&xa, 1UL << 29));
	for (index = 0; seen < n; index++) {
		entry = xa_find(&xa, &index, ~0UL);
		assert_non_null(entry);
		assert_int_equal(index, sparse[seen]);
		seen++;
		if (index == ~0UL)
			break;
	}
	assert_int_equal(seen, n);
	index = 65;
	assert_null(xa_find(&xa, &index, 4094)); /* nothing in [65, 4094] */
	assert_int_equal(index, 65);
	for (size_t i = 0; i < n; i++)
		assert_ptr_equal(xa_erase(&xa, sparse[i]), entry_of(sparse[i] & 0xffff));
	assert_true(xa_empty(&xa));
	xa_destroy(&xa);
}

#define MANY (1UL << 20)

static void test_a_million_entries(void **state)
{
	struct xarray xa = XARRAY_INIT;
	unsigned long index, count = 0;
	void *entry;

	(void)state;
	for (unsigned long i = 0; i < MANY; i++)
		assert_int_equal(xa_insert(&xa, i, entry_of(i)), 0);
	for (unsigned long i = 0; i < MANY; i += 4099)
		assert_ptr_equal(xa_load(&xa, i), entry_of(i));
	xa_for_each(&xa, index, entry)
	{
		if (entry != entry_of(index))
			fail_msg("index %lu holds the wrong entry", index);
		count++;
	}
	assert_int_equal(count, MANY);
	/* Every other one gone: find skips them. */
	for (unsigned long i = 1; i < MANY; i += 2)
		assert_ptr_equal(xa_erase(&xa, i), entry_of(i));
	index = 1;
	assert_ptr_equal(xa_find(&xa, &index, ~0UL), entry_of(2));
	assert_int_equal(index, 2);
	for (unsigned long i = 0; i < MANY; i += 2)
		assert_ptr_equal(xa_erase(&xa, i), entry_of(i));
	assert_true(xa_empty(&xa));
	xa_destroy(&xa);
}

/* --- the cursor --- */

/* xas_find() visits what xa_find() does, in order, and stops at its bound. */
static void test_cursor_finds_in_order(void **state)
{
	const size_t n = sizeof(sparse) / sizeof(sparse[0]);
	struct xarray xa = XARRAY_INIT;
	unsigned long index = 0;
	size_t seen = 0;
	void *entry;

	(void)state;
	for (size_t i = 0; i < n; i++)
		assert_int_equal(xa_insert(&xa, sparse[i], entry_of(sparse[i] & 0xffff)), 0);
	for (unsigned long i = 100; i < 300; i++) /* a dense run across leaves */
		assert_int_equal(xa_insert(&xa, i, entry_of(i)), 0);
	{
		XA_STATE(xas, &xa, 0);

		sim_rcu_read_lock();
		while ((entry = xas_find(&xas, ~0UL)) != NULL) {
			assert_ptr_equal(xa_find(&xa, &index, ~0UL), entry);
			assert_int_equal(xas.xa_index, index);
			seen++;
			if (xas.xa_index++ == ~0UL)
				break;
			index++;
		}
		sim_rcu_read_unlock();
	}
	assert_int_equal(seen, n + 200);
	{
		XA_STATE(xas, &xa, 65);

		assert_null(xas_find(&xas, 99)); /* nothing in [65, 99] */
		assert_ptr_equal(xas_find(&xas, 4094), entry_of(100));
		/* Inside the leaf just found: a gap up to the bound is nothing. */
		for (unsigned long i = 105; i <= 110; i++)
			assert_ptr_equal(xa_erase(&xa, i), entry_of(i));
		xas.xa_index = 105;
		assert_null(xas_find(&xas, 110));
		assert_ptr_equal(xas_find(&xas, 111), entry_of(111));
		xas.xa_index = 300;
		assert_null(xas_find(&xas, 4094));
	}
	xa_destroy(&xa);
}

/*
 * xas_reload() sees a replacement, and an erase; a cursor left in a leaf that was
 * emptied and unlinked reads it as empty and walks on to what the tree holds.
 */
static void test_cursor_reload_and_unlinked_leaf(void **state)
{
	struct xarray xa = XARRAY_INIT;
	XA_STATE(xas, &xa, 70);

	(void)state;
	for (unsigned long i = 64; i < 128; i++)
		assert_int_equal(xa_insert(&xa, i, entry_of(i)), 0);
	assert_int_equal(xa_insert(&xa, 200, entry_of(200)), 0);
	sim_rcu_read_lock();
	assert_ptr_equal(xas_find(&xas, ~0UL), entry_of(70));
	assert_ptr_equal(xas_reload(&xas), entry_of(70));
	assert_ptr_equal(xa_replace(&xa, 70, entry_of(7)), entry_of(70));
	assert_ptr_equal(xas_reload(&xas), entry_of(7));
	for (unsigned long i = 64; i < 128; i++)
		xa_erase(&xa, i);
	assert_null(xas_reload(&xas)); /* the leaf is unlinked, not yet freed */
	xas.xa_index = 71;
	assert_ptr_equal(xas_find(&xas, ~0UL), entry_of(200));
	assert_int_equal(xas.xa_index, 200);
	sim_rcu_read_unlock();
	assert_ptr_equal(xa_erase(&xa, 200), entry_of(200));
	assert_true(xa_empty(&xa));
	sim_synchronize_rcu();
	xa_destroy(&xa);
}

/* --- lookups under RCU while the tree changes --- */

#define RACE_INDICES 4096

struct race {
	struct xarray xa;
	spinlock_t lock;
	bool stop;
	unsigned long wrong;
};

/* One ordered walk with a cursor: each entry found is the one its index holds. */
static void cursor_pass(struct race *r)
{
	XA_STATE(xas, &r->xa, 0);
	unsigned long last = 0;
	bool first = true;
	void *entry;

	sim_rcu_read_lock();
	while ((entry = xas_find(&xas, RACE_INDICES * 64UL)) != NULL) {
		bool wrong = xas.xa_index % 64 || entry != entry_of(xas.xa_index / 64) ||
			     (!first && xas.xa_index <= last);

		if (wrong)
			__atomic_fetch_add(&r->wrong, 1, __ATOMIC_RELAXED);
		first = false;
		last = xas.xa_index++;
	}
	sim_rcu_read_unlock();
}

static void *reader(void *arg)
{
	struct race *r = arg;

	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
		for (unsigned long i = 0; i < RACE_INDICES; i += 7) {
			void *entry;

			sim_rcu_read_lock();
			entry = xa_load(&r->xa, i * 64); /* one leaf per index: nodes come and go */
			sim_rcu_read_unlock();
			if (entry && entry != entry_of(i))
				__atomic_fetch_add(&r->wrong, 1, __ATOMIC_RELAXED);
		}
		cursor_pass(r);
	}
	return NULL;
}

static void test_rcu_lookups_race_changes(void **state)
{
	struct race r = {.xa = XARRAY_INIT};
	pthread_t thread;

	(void)state;
	spin_lock_init(&r.lock);
	assert_int_equal(pthread_create(&thread, NULL, reader, &r), 0);
	for (int round = 0; round < 20; round++) {
		for (unsigned long i = 0; i < RACE_INDICES; i++) {
			spin_lock(&r.lock);
			assert_int_equal(xa_insert(&r.xa, i * 64, entry_of(i)), 0);
			spin_unlock(&r.lock);
		}
		for (unsigned long i = 0; i < RACE_INDICES; i++) {
			spin_lock(&r.lock);
			assert_ptr_equal(xa_erase(&r.xa, i * 64), entry_of(i));
			spin_unlock(&r.lock);
		}
	}
	__atomic_store_n(&r.stop, true, __ATOMIC_RELEASE);
	pthread_join(thread, NULL);
	assert_int_equal(r.wrong, 0);
	assert_true(xa_empty(&r.xa));
	sim_synchronize_rcu();
	pthread_spin_destroy(&r.lock);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		GUP_TEST(test_insert_load_erase),
		GUP_TEST(test_sparse_indices_and_find),
		GUP_TEST(test_a_million_entries),
		GUP_TEST(test_cursor_finds_in_order),
		GUP_TEST(test_cursor_reload_and_unlinked_leaf),
		GUP_TEST(test_rcu_lookups_race_changes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
