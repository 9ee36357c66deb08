/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * RCU glue over liburcu's bullet-proof flavour: any host thread may enter a
 * read-side section without registering, which suits a library.
 */
#ifndef GUP_LIB_RCU_H
#define GUP_LIB_RCU_H

#include <urcu-bp.h>

/*
 * liburcu is not built with ThreadSanitizer, so the ordering RCU guarantees is
 * invisible to it: tell it. Every read-side section releases a grace-period
 * token on exit, call_rcu() releases the head it queues, and a callback
 * acquires both first (sim_rcu_callback_begin), so what readers and the queuer
 * did happens before the callback frees anything; sim_synchronize_rcu()
 * acquires the token too.
 */
/* Addresses that are the same in every translation unit. */
#define GUP_RCU_GRACE_TOKEN ((void *)&urcu_bp_synchronize_rcu)
#ifdef __SANITIZE_THREAD__
#include <sanitizer/tsan_interface.h>
#define sim_tsan_release(addr) __tsan_release(addr)
#define sim_tsan_acquire(addr) __tsan_acquire(addr)
#else
#define sim_tsan_release(addr) ((void)(addr))
#define sim_tsan_acquire(addr) ((void)(addr))
#endif

static inline void sim_rcu_read_lock(void)
{
	urcu_bp_read_lock();
}

static inline void sim_rcu_read_unlock(void)
{
	sim_tsan_release(GUP_RCU_GRACE_TOKEN);
	urcu_bp_read_unlock();
}

/* Run @func(@head) after every current read-side section has ended. */
static inline void sim_call_rcu(struct rcu_head *head, void (*func)(struct rcu_head *head))
{
	sim_tsan_release(head);
	urcu_bp_call_rcu(head, func);
}

/* First thing an RCU callback does with its @head (orders it for TSan only). */
static inline void sim_rcu_callback_begin(struct rcu_head *head)
{
	sim_tsan_acquire(head);
	sim_tsan_acquire(GUP_RCU_GRACE_TOKEN);
}

/* Wait until every read-side section that began before the call has ended. */
static inline void sim_synchronize_rcu(void)
{
	urcu_bp_synchronize_rcu();
	sim_tsan_acquire(GUP_RCU_GRACE_TOKEN);
}

#endif /* GUP_LIB_RCU_H */
