/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * RCU glue over liburcu's bullet-proof flavour: any host thread may enter a
 * read-side section without registering, which suits a library.
 */
#ifndef GUP_LIB_RCU_H
#define GUP_LIB_RCU_H

#include <urcu-bp.h>

static inline void gup_rcu_read_lock(void)
{
	urcu_bp_read_lock();
}

static inline void gup_rcu_read_unlock(void)
{
	urcu_bp_read_unlock();
}

/* Run @func(@head) after every current read-side section has ended. */
static inline void gup_call_rcu(struct rcu_head *head, void (*func)(struct rcu_head *head))
{
	urcu_bp_call_rcu(head, func);
}

/* Wait until callbacks queued so far have run. */
static inline void gup_rcu_barrier(void)
{
	urcu_bp_barrier();
}

#endif /* GUP_LIB_RCU_H */
