/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The door of every call a task makes into the machine (sys_*, GUP, user copies,
 * /proc readers): no machine is -ENODEV, no current task a WARNING and -ESRCH.
 */
#ifndef GUP_SIM_ENTRY_H
#define GUP_SIM_ENTRY_H

#include "sim/machine.h"
#include "mm/pin_owner.h"

/* 0 when the calling thread may run task code now, else the errno to refuse with. */
static inline int sim_enter(void)
{
	if (unlikely(!sim.running))
		return -ENODEV;
	if (unlikely(!current))
		return -ESRCH;
	return 0;
}

/*
 * First statement of an entry point. When the call cannot run, return @fail from
 * the calling function; @fail may use sim_entry_err (-ENODEV or -ESRCH). A
 * thread with no task warns once per entry point, naming it. Opens the pin-owner
 * scope for the references the call takes.
 */
#define SIM_ENTER(fail)                                                                            \
	PIN_OWNER_SCOPE();                                                                         \
	int sim_entry_err = sim_enter();                                                           \
	if (unlikely(sim_entry_err)) {                                                             \
		static bool sim_entry_warned_;                                                     \
		if (sim_entry_err == -ESRCH &&                                                     \
		    !__atomic_exchange_n(&sim_entry_warned_, true, __ATOMIC_RELAXED))              \
			__gup_warn(__FILE__, __LINE__, __func__,                                   \
				   "called by a thread that runs no task");                        \
		return (fail);                                                                     \
	}

#endif /* GUP_SIM_ENTRY_H */
