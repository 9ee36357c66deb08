/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Pin ownership inside the library: the per-thread call-site scope that entry
 * points open, and the hooks the GUP accounting calls (mm/pin_owner.c).
 */
#ifndef GUP_MM_PIN_OWNER_H
#define GUP_MM_PIN_OWNER_H

#include <libgup.h>

/*
 * Who is calling into libgup on this thread: the return address into the caller
 * of the outermost entry point (or the label set by sim_set_call_site(), which
 * wins), and that entry point's name, the operation a misuse message names.
 * Inside a scope the records of the references taken and dropped wait in a
 * per-thread queue (nr_queued of them) until the scope closes or something looks
 * at the records: one lock per run of pages instead of one per page.
 */
#define PIN_OWNER_QUEUE 128

struct pin_owner_update {
	struct page *head;
	unsigned int kind;
	int delta;
};

struct pin_owner_scope {
	const void *addr;
	const char *fn;
	const char *label;
#ifdef CONFIG_DEBUG_VM
	unsigned int nr_queued;
	struct pin_owner_update queue[PIN_OWNER_QUEUE];
#endif
};

extern __thread struct pin_owner_scope pin_owner_here;

#ifdef CONFIG_DEBUG_VM
/* Open the scope unless an outer entry point already did; true if this one did. */
static inline bool pin_owner_enter(const void *addr, const char *fn)
{
	if (pin_owner_here.addr)
		return false;
	pin_owner_here.addr = addr;
	pin_owner_here.fn = fn;
	return true;
}

/* Apply this thread's queued record updates now. */
void pin_owner_flush(void);

static inline void pin_owner_settle(void)
{
	if (unlikely(pin_owner_here.nr_queued))
		pin_owner_flush();
}

static inline void pin_owner_leave(const bool *opened)
{
	if (*opened) {
		pin_owner_settle(); /* while the scope still names the site */
		pin_owner_here.addr = NULL;
		pin_owner_here.fn = NULL;
	}
}

/*
 * Put at the top of an exported function: GUP references taken or dropped until
 * it returns are charged to the function's caller.
 */
#define PIN_OWNER_SCOPE() PIN_OWNER_SCOPE_AS(__func__)
#define PIN_OWNER_SCOPE_AS(name)                                                                   \
	const bool pin_owner_opened_ __attribute__((cleanup(pin_owner_leave), unused)) =           \
		pin_owner_enter(__builtin_return_address(0), name)

/*
 * @delta references of @kind (FOLL_GET or FOLL_PIN) taken on (positive), or
 * dropped from (negative), @head: recorded when the thread's scope closes, or at
 * once outside a scope. Inline: it is two stores per page on GUP's hot path.
 */
static inline void pin_owner_account(struct page *head, unsigned int kind, int delta)
{
	struct pin_owner_scope *here = &pin_owner_here;

	if (unlikely(here->nr_queued == PIN_OWNER_QUEUE))
		pin_owner_flush();
	here->queue[here->nr_queued++] = (struct pin_owner_update){head, kind, delta};
	if (unlikely(!here->addr)) /* no scope will close: now */
		pin_owner_flush();
}

/* Drop @n of @kind from @head at once. Return: how many of them had no record. */
int pin_owner_drop(struct page *head, unsigned int kind, int n);
/* @head starts a new life (allocation): its records, live or released, go. */
void pin_owner_forget(struct page *head);
/* Set up the record locks (boot); drop every record (shutdown). */
void pin_owner_init(void);
void pin_owner_reset(void);
/*
 * A release that does not match what @head holds: print the operation, the page
 * and every record on it (who took, who released), then BUG.
 */
__attribute__((noreturn)) void pin_owner_bad_release(struct page *head, const char *why,
						     const char *file, int line);
/* An unpin of @head, which holds fewer pins than that: BUG, saying why. */
__attribute__((noreturn)) void pin_owner_bad_unpin(struct page *head, const char *file, int line);
#else
#define PIN_OWNER_SCOPE() ((void)0)
#define PIN_OWNER_SCOPE_AS(name) ((void)0)
static inline void pin_owner_account(struct page *head, unsigned int kind, int delta)
{
}
static inline void pin_owner_settle(void)
{
}
static inline int pin_owner_drop(struct page *head, unsigned int kind, int n)
{
	return 0;
}
static inline void pin_owner_forget(struct page *head)
{
}
static inline void pin_owner_init(void)
{
}
static inline void pin_owner_reset(void)
{
}
#endif

#endif /* GUP_MM_PIN_OWNER_H */
