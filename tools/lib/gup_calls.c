// SPDX-License-Identifier: GPL-2.0-only
/*
 * The one place that calls "GUP entry point X" by enum: the kernel names of the
 * entry points and gup_call_entry(), which takes and releases mmap_lock around
 * each exactly as the entry point's kernel callers must.
 */
#include <errno.h>
#include <libgup.h>
#include "gup_calls.h"

const char *const gup_entry_names[NR_GUP_ENTRIES] = {
	[GUP_GET] = "get_user_pages",
	[GUP_PIN] = "pin_user_pages",
	[GUP_GET_FAST] = "get_user_pages_fast",
	[GUP_PIN_FAST] = "pin_user_pages_fast",
	[GUP_GET_FAST_ONLY] = "get_user_pages_fast_only",
	[GUP_PIN_FAST_ONLY] = "pin_user_pages_fast_only",
	[GUP_GET_REMOTE] = "get_user_pages_remote",
	[GUP_PIN_REMOTE] = "pin_user_pages_remote",
	[GUP_GET_UNLOCKED] = "get_user_pages_unlocked",
	[GUP_PIN_UNLOCKED] = "pin_user_pages_unlocked",
	[GUP_GET_LOCKED] = "get_user_pages_locked",
	[GUP_PIN_LOCKED] = "pin_user_pages_locked",
};

/* The entry points whose callers hold mmap_read_lock: plain, remote, locked. */
static long call_under_mmap_lock(enum gup_entry entry, struct mm_struct *mm, unsigned long start,
				 unsigned long nr, unsigned int flags, struct page **pages,
				 struct vm_area_struct **vmas, int *locked)
{
	int own_locked = 1;
	int *still_locked = locked ? locked : &own_locked;
	long ret;

	mmap_read_lock(mm);
	*still_locked = 1;
	switch (entry) {
	case GUP_GET:
		ret = get_user_pages(start, nr, flags, pages, vmas);
		break;
	case GUP_PIN:
		ret = pin_user_pages(start, nr, flags, pages, vmas);
		break;
	case GUP_GET_REMOTE:
		ret = get_user_pages_remote(mm, start, nr, flags, pages, vmas, locked);
		break;
	case GUP_PIN_REMOTE:
		ret = pin_user_pages_remote(mm, start, nr, flags, pages, vmas, locked);
		break;
	case GUP_GET_LOCKED:
		ret = get_user_pages_locked(start, nr, flags, pages, still_locked);
		break;
	case GUP_PIN_LOCKED:
	default:
		ret = pin_user_pages_locked(start, nr, flags, pages, still_locked);
		break;
	}
	if (*still_locked)
		mmap_read_unlock(mm);
	return ret;
}

/**
 * gup_call_entry() - call one GUP entry point as its kernel callers do
 * @entry: the entry point
 * @mm: the mm the remote entry points work on; the others work on
 *	current->mm and ignore @mm
 * @start: first user address
 * @nr_pages: pages wanted (the fast entry points take it as an int)
 * @gup_flags: FOLL_* flags, passed through unchanged
 * @pages: the array that receives the pages, or NULL
 * @vmas: passed to the plain and remote entry points; must be NULL for the
 *	others, which have no such parameter
 * @locked: NULL or the caller's flag; see below
 *
 * Locking: the plain, remote and locked entry points run with mmap_read_lock
 * held (on current->mm, or on @mm for remote), taken here and released here
 * unless the entry point dropped it. The fast, fast_only and unlocked entry
 * points are called with no lock held, as they take it themselves if needed.
 *
 * @locked: a remote entry point gets @locked as is: NULL means the lock must
 * stay held throughout; otherwise *@locked is set to 1 and a fault may drop
 * the lock. A locked entry point always gets a flag, @locked or a private one.
 * Either way *@locked is 0 on return if the entry point dropped mmap_lock
 * (so nothing was left to release), 1 if it did not. Other entry points leave
 * *@locked untouched.
 *
 * Return: what the entry point returns: the number of pages got, which may be
 * fewer than @nr_pages, or a negative errno if none were (fast_only: 0 rather
 * than an errno). -EINVAL, without calling anything, for an unknown @entry,
 * a remote call without @mm, or @vmas for an entry point that takes none.
 */
long gup_call_entry(enum gup_entry entry, struct mm_struct *mm, unsigned long start, long nr_pages,
		    unsigned int gup_flags, struct page **pages, struct vm_area_struct **vmas,
		    int *locked)
{
	enum gup_flavour flavour = gup_entry_flavour(entry);
	unsigned long nr = (unsigned long)nr_pages;

	if ((unsigned int)entry >= NR_GUP_ENTRIES)
		return -EINVAL;
	if (vmas && flavour != GUP_PLAIN && flavour != GUP_REMOTE)
		return -EINVAL;

	switch (entry) {
	case GUP_GET_FAST:
		return get_user_pages_fast(start, (int)nr_pages, gup_flags, pages);
	case GUP_PIN_FAST:
		return pin_user_pages_fast(start, (int)nr_pages, gup_flags, pages);
	case GUP_GET_FAST_ONLY:
		return get_user_pages_fast_only(start, (int)nr_pages, gup_flags, pages);
	case GUP_PIN_FAST_ONLY:
		return pin_user_pages_fast_only(start, (int)nr_pages, gup_flags, pages);
	case GUP_GET_UNLOCKED:
		return get_user_pages_unlocked(start, nr, pages, gup_flags);
	case GUP_PIN_UNLOCKED:
		return pin_user_pages_unlocked(start, nr, pages, gup_flags);
	case GUP_GET_REMOTE:
	case GUP_PIN_REMOTE:
		if (!mm)
			return -EINVAL;
		return call_under_mmap_lock(entry, mm, start, nr, gup_flags, pages, vmas, locked);
	default:
		return call_under_mmap_lock(entry, current->mm, start, nr, gup_flags, pages, vmas,
					    flavour == GUP_LOCKED ? locked : NULL);
	}
}
