/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libgup: Linux's get_user_pages / pin_user_pages and the memory manager beneath
 * it, in userspace. Include this header alone.
 */
#ifndef LIBGUP_H
#define LIBGUP_H

#include <stddef.h>
#include <gup/types.h>
#include <gup/bug.h>
#include <gup/page.h>
#include <gup/pin.h>
#include <gup/pgtable.h>
#include <gup/mm_types.h>
#include <gup/mmap_lock.h>
#include <gup/sched.h>
#include <gup/mm.h>
#include <gup/gup.h>
#include <gup/sim.h>
#include <gup/inject.h>
#include <gup/sim_point.h>
#include <gup/sim_thread.h>
#include <gup/rmap.h>
#include <gup/migrate.h>
#include <gup/cma.h>
#include <gup/memory_hotplug.h>
#include <gup/memremap.h>
#include <gup/swap.h>

#endif /* LIBGUP_H */
