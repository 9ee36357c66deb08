/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Basic kernel-style types for libgup: atomics, list heads, locks, seqcounts and
 * the errno values the simulated kernel returns. Everything else builds on these.
 */
#ifndef GUP_TYPES_H
#define GUP_TYPES_H

/*
 * POSIX spinlocks here and MAP_ANONYMOUS in every caller need _DEFAULT_SOURCE (or
 * _GNU_SOURCE) under a strict -std=c11; `pkg-config --cflags libgup` passes it.
 * Defining it here would come too late once a system header is in.
 */
#if defined(__STRICT_ANSI__) && !defined(__cplusplus) && !defined(_DEFAULT_SOURCE) &&              \
	!defined(_GNU_SOURCE)
#error "libgup.h needs _DEFAULT_SOURCE or _GNU_SOURCE with -std=c11: use $(pkg-config --cflags libgup)"
#endif

#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef ERESTARTSYS
#define ERESTARTSYS 512
#endif

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define container_of(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))
#define min_t(t, a, b) ((t)(a) < (t)(b) ? (t)(a) : (t)(b))
#define max_t(t, a, b) ((t)(a) > (t)(b) ? (t)(a) : (t)(b))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a)-1))
#define ALIGN_UP(x, a) (((x) + (a)-1) & ~((__typeof__(x))(a)-1))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a)-1)) == 0)
#define MAX_ERRNO 4095
#define IS_ERR_VALUE(x) unlikely((unsigned long)(x) >= (unsigned long)-MAX_ERRNO)

/* Single-copy atomic accesses, as the kernel's READ_ONCE/WRITE_ONCE on aligned words. */
#define READ_ONCE(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
#ifndef __SANITIZE_THREAD__
#define smp_mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define smp_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define smp_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)
#else
/*
 * GCC refuses thread fences under -fsanitize=thread, which does not model them
 * anyway. TSan runs on x86, where loads are not reordered with loads nor stores
 * with stores: a compiler barrier keeps smp_rmb/smp_wmb; smp_mb stays a full one.
 */
#define smp_mb() __sync_synchronize()
#define smp_rmb() __atomic_signal_fence(__ATOMIC_SEQ_CST)
#define smp_wmb() __atomic_signal_fence(__ATOMIC_SEQ_CST)
#endif

typedef struct {
	int counter;
} atomic_t;

typedef struct {
	long counter;
} atomic_long_t;

static inline int atomic_read(const atomic_t *v)
{
	return __atomic_load_n(&v->counter, __ATOMIC_RELAXED);
}

static inline void atomic_set(atomic_t *v, int i)
{
	__atomic_store_n(&v->counter, i, __ATOMIC_RELAXED);
}

static inline int atomic_add_return(int i, atomic_t *v)
{
	return __atomic_add_fetch(&v->counter, i, __ATOMIC_SEQ_CST);
}

static inline void atomic_add(int i, atomic_t *v)
{
	__atomic_add_fetch(&v->counter, i, __ATOMIC_RELAXED);
}

static inline void atomic_sub(int i, atomic_t *v)
{
	__atomic_sub_fetch(&v->counter, i, __ATOMIC_RELAXED);
}

static inline void atomic_inc(atomic_t *v)
{
	atomic_add(1, v);
}

static inline void atomic_dec(atomic_t *v)
{
	atomic_sub(1, v);
}

static inline int atomic_sub_return(int i, atomic_t *v)
{
	return __atomic_sub_fetch(&v->counter, i, __ATOMIC_SEQ_CST);
}

static inline bool atomic_dec_and_test(atomic_t *v)
{
	return atomic_sub_return(1, v) == 0;
}

static inline bool atomic_inc_and_test(atomic_t *v)
{
	return atomic_add_return(1, v) == 0;
}

/* Add @a unless the counter equals @u; true if the add happened. */
static inline bool atomic_add_unless(atomic_t *v, int a, int u)
{
	int c = atomic_read(v);

	do {
		if (c == u)
			return false;
	} while (!__atomic_compare_exchange_n(&v->counter, &c, c + a, true, __ATOMIC_SEQ_CST,
					      __ATOMIC_RELAXED));
	return true;
}

static inline long atomic_long_read(const atomic_long_t *v)
{
	return __atomic_load_n(&v->counter, __ATOMIC_RELAXED);
}

static inline void atomic_long_set(atomic_long_t *v, long i)
{
	__atomic_store_n(&v->counter, i, __ATOMIC_RELAXED);
}

static inline void atomic_long_add(long i, atomic_long_t *v)
{
	__atomic_add_fetch(&v->counter, i, __ATOMIC_RELAXED);
}

static inline void set_bit(int nr, unsigned long *addr)
{
	__atomic_fetch_or(addr, 1UL << nr, __ATOMIC_RELAXED);
}

static inline void clear_bit(int nr, unsigned long *addr)
{
	__atomic_fetch_and(addr, ~(1UL << nr), __ATOMIC_RELAXED);
}

/*
 * Clear the bits of @mask with one releasing read-modify-write (the bits are a
 * lock and its companions) and return the whole word as it was, so an unlock
 * learns from the same atomic whether a waiter bit beside the lock bit was set.
 */
static inline unsigned long clear_bits_unlock_fetch(unsigned long mask, unsigned long *addr)
{
	return __atomic_fetch_and(addr, ~mask, __ATOMIC_RELEASE);
}

static inline bool test_bit(int nr, const unsigned long *addr)
{
	return (__atomic_load_n(addr, __ATOMIC_RELAXED) >> nr) & 1;
}

/* test_bit() that acquires: finding a lock bit clear, we see what its holder wrote. */
static inline bool test_bit_acquire(int nr, const unsigned long *addr)
{
	return (__atomic_load_n(addr, __ATOMIC_ACQUIRE) >> nr) & 1;
}

static inline bool test_and_set_bit(int nr, unsigned long *addr)
{
	return (__atomic_fetch_or(addr, 1UL << nr, __ATOMIC_ACQUIRE) >> nr) & 1;
}

static inline bool test_and_clear_bit(int nr, unsigned long *addr)
{
	return (__atomic_fetch_and(addr, ~(1UL << nr), __ATOMIC_RELEASE) >> nr) & 1;
}

/* Doubly linked list, the kernel's shape. */
struct list_head {
	struct list_head *next, *prev;
};

#define LIST_HEAD_INIT(name)                                                                       \
	{                                                                                          \
		&(name), &(name)                                                                   \
	}

/*
 * Link stores are single-copy atomic: a free page's lru.next shares its word with
 * compound_head, which lockless GUP reads speculatively without the zone lock.
 */
static inline void INIT_LIST_HEAD(struct list_head *list)
{
	WRITE_ONCE(list->next, list);
	WRITE_ONCE(list->prev, list);
}

static inline void list_add(struct list_head *entry, struct list_head *head)
{
	WRITE_ONCE(entry->next, head->next);
	WRITE_ONCE(entry->prev, head);
	WRITE_ONCE(head->next->prev, entry);
	WRITE_ONCE(head->next, entry);
}

static inline void list_add_tail(struct list_head *entry, struct list_head *head)
{
	WRITE_ONCE(entry->prev, head->prev);
	WRITE_ONCE(entry->next, head);
	WRITE_ONCE(head->prev->next, entry);
	WRITE_ONCE(head->prev, entry);
}

static inline void list_del(struct list_head *entry)
{
	WRITE_ONCE(entry->next->prev, entry->prev);
	WRITE_ONCE(entry->prev->next, entry->next);
	WRITE_ONCE(entry->next, NULL);
	WRITE_ONCE(entry->prev, NULL);
}

static inline bool list_empty(const struct list_head *head)
{
	return head->next == head;
}

#define list_entry(ptr, type, member) container_of(ptr, type, member)
#define list_first_entry(head, type, member) list_entry((head)->next, type, member)
#define list_for_each_entry(pos, head, member)                                                     \
	for (pos = list_entry((head)->next, __typeof__(*pos), member); &pos->member != (head);     \
	     pos = list_entry(pos->member.next, __typeof__(*pos), member))
#define list_for_each_entry_safe(pos, n, head, member)                                             \
	for (pos = list_entry((head)->next, __typeof__(*pos), member),                             \
	    n = list_entry(pos->member.next, __typeof__(*pos), member);                            \
	     &pos->member != (head);                                                               \
	     pos = n, n = list_entry(n->member.next, __typeof__(*n), member))
#define LIST_HEAD(name) struct list_head name = LIST_HEAD_INIT(name)

static inline void list_move(struct list_head *entry, struct list_head *head)
{
	list_del(entry);
	list_add(entry, head);
}

static inline void list_move_tail(struct list_head *entry, struct list_head *head)
{
	list_del(entry);
	list_add_tail(entry, head);
}

/* Move every entry of @list to the front of @head; @list is left empty. */
static inline void list_splice_init(struct list_head *list, struct list_head *head)
{
	if (list_empty(list))
		return;
	list->next->prev = head;
	list->prev->next = head->next;
	head->next->prev = list->prev;
	head->next = list->next;
	INIT_LIST_HEAD(list);
}

/*
 * A spinlock that yields the CPU while it waits: the simulation often runs more
 * threads than cores, and a preempted holder must not be spun against for a slice.
 */
typedef pthread_spinlock_t spinlock_t;

static inline void spin_lock_init(spinlock_t *lock)
{
	pthread_spin_init(lock, PTHREAD_PROCESS_PRIVATE);
}

static inline void spin_lock(spinlock_t *lock)
{
	while (pthread_spin_trylock(lock))
		sched_yield();
}

static inline bool spin_trylock(spinlock_t *lock)
{
	return pthread_spin_trylock(lock) == 0;
}

static inline void spin_unlock(spinlock_t *lock)
{
	pthread_spin_unlock(lock);
}

/*
 * Sequence counter: writers make the count odd for the duration of an update;
 * readers sample it and retry when it was odd or moved.
 */
typedef struct {
	unsigned int sequence;
} seqcount_t;

static inline void raw_write_seqcount_begin(seqcount_t *s)
{
	__atomic_add_fetch(&s->sequence, 1, __ATOMIC_SEQ_CST);
}

static inline void raw_write_seqcount_end(seqcount_t *s)
{
	__atomic_add_fetch(&s->sequence, 1, __ATOMIC_SEQ_CST);
}

static inline unsigned int raw_read_seqcount(const seqcount_t *s)
{
	return __atomic_load_n(&s->sequence, __ATOMIC_ACQUIRE);
}

static inline unsigned int read_seqcount_begin(const seqcount_t *s)
{
	unsigned int seq;

	while ((seq = raw_read_seqcount(s)) & 1)
		sched_yield();
	return seq;
}

static inline bool read_seqcount_retry(const seqcount_t *s, unsigned int start)
{
	smp_rmb();
	return __atomic_load_n(&s->sequence, __ATOMIC_RELAXED) != start;
}

#ifdef __cplusplus
}
#endif

#endif /* GUP_TYPES_H */
