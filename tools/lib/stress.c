// SPDX-License-Identifier: GPL-2.0-only
/*
 * The `gup stress` engine: worker threads of one simulated process race GUP
 * against mapping changes, round after round; between rounds the controller
 * checks the machine, the pin accounting and (in coherence rounds) DMA coherence.
 */

/*
 * Rounds alternate between two kinds:
 *
 *  - chaos: pinners take and drop pins and references with every GUP flavour,
 *    mutators munmap, mmap MAP_FIXED, mprotect, MADV_DONTNEED, fork and write
 *    anywhere in the arena. Nothing about the pinned pages' contents is promised.
 *  - coherence: the controller first maps the arena afresh, then mutators only
 *    fork (the child scribbles and exits) and write. This is exactly the case
 *    the kernel's early COW at fork guarantees: while a FOLL_PIN | FOLL_WRITE pin
 *    is held, the process's own writes through the mapping land in the pinned
 *    page. Pinners check that after every pin and again later in the round,
 *    after forks had a chance to happen in between.
 *
 * Beside the arena lies the huge arena: two 2 MiB aligned ranges advised
 * MADV_HUGEPAGE, so writes make THPs; chaos rounds also advise them (NO)HUGEPAGE,
 * map them afresh, and split them (a mapping change of part of one), while
 * pinners pin up to a whole THP in one call and unpin it in one call.
 * Above it lies the hugetlb arena: a private and a shared 2 MiB hugetlb page that
 * chaos rounds map afresh and write while pinners pin and unpin runs of their
 * subpages and forks share (or, 5.12+, copy while pinned) the private one.
 *
 * Every thread owns distinct 8-byte slots of each page (pinner, writer and child
 * slots), so no two threads ever store to the same bytes: whatever a race
 * detector reports is the library's, not the engine's.
 */
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <libgup.h>
#include <gup/migrate.h>
#include "gup_calls.h"
#include "stress.h"
#include "tool_args.h"

#define STRESS_MEM_BYTES (64UL << 20)
#define STRESS_MOVABLE_BYTES (16UL << 20) /* where migrate_range() moves pages to */
#define ARENA_PAGES 512UL
#define ARENA_HALF (ARENA_PAGES / 2)
/* Half a pmd past a boundary: the arena spans two page tables, one half each. */
#define ARENA_BASE ((1UL << 40) + PMD_SIZE / 2)
#define MAX_HELD 64	  /* references a worker keeps across operations */
#define MAX_BATCH 8	  /* pages per GUP call */
#define MAX_SPAN 32	  /* pages per mapping change, unless a whole half */
#define OPS_PER_ROUND 200 /* per worker */
#define MAX_THREADS 64
#define MIN_ROUNDS 2 /* one of each kind, however small the time budget */
/* Two aligned huge ranges above the arena; a huge pin takes up to one whole. */
#define HUGE_ARENA_BASE ((1UL << 40) + 4 * PMD_SIZE)
#define HUGE_RANGE_PAGES (PMD_SIZE / PAGE_SIZE)
#define HUGE_ARENA_PAGES (2 * HUGE_RANGE_PAGES)
/* Two 2 MiB hugetlb ranges (private, shared) above the huge arena. */
#define HUGETLB_ARENA_BASE ((1UL << 40) + 6 * PMD_SIZE)
/*
 * The pool: the two mapped pages, fresh reservations while one is remapped, pages
 * a pin keeps after a remap, and fork's copies of pinned private pages (5.12+):
 * enough that no operation runs out.
 */
#define HUGETLB_POOL_PAGES 16

/* Byte offsets in every page: who stores where. */
#define PINNER_SLOT(id) ((unsigned long)(id)*8)
#define WRITER_SLOT(id) (1024 + (unsigned long)(id)*8)
#define CHILD_SLOT(id) (2048 + (unsigned long)(id)*8)

enum round_kind { ROUND_CHAOS, ROUND_COHERENCE };

/* The entry points chaos rounds draw from; the seed picks by index. */
static const enum gup_entry chaos_calls[] = {
	GUP_PIN_FAST, GUP_GET_FAST, GUP_PIN, GUP_PIN_FAST_ONLY, GUP_GET_FAST_ONLY,
};

enum stress_stat {
	STAT_PIN_FAST,
	STAT_GET_FAST,
	STAT_PIN_SLOW,
	STAT_PIN_FAST_ONLY,
	STAT_GET_FAST_ONLY,
	STAT_RELEASE,
	STAT_MUNMAP,
	STAT_MMAP_FIXED,
	STAT_MPROTECT,
	STAT_DONTNEED,
	STAT_FORK,
	STAT_WRITE,
	STAT_COHERENCE_CHECK,
	STAT_HUGE_PIN,
	STAT_HUGE_ADVISE,
	STAT_HUGE_REMAP,
	STAT_HUGETLB_PIN,
	STAT_HUGETLB_REMAP,
	STAT_HUGETLB_WRITE,
	STAT_MIGRATE,
	NR_STRESS_STATS,
};

static const char *const stress_stat_names[NR_STRESS_STATS] = {
	[STAT_PIN_FAST] = "pin_user_pages_fast",
	[STAT_GET_FAST] = "get_user_pages_fast",
	[STAT_PIN_SLOW] = "pin_user_pages",
	[STAT_PIN_FAST_ONLY] = "pin_user_pages_fast_only",
	[STAT_GET_FAST_ONLY] = "get_user_pages_fast_only",
	[STAT_RELEASE] = "unpin/put",
	[STAT_MUNMAP] = "munmap",
	[STAT_MMAP_FIXED] = "mmap(MAP_FIXED)",
	[STAT_MPROTECT] = "mprotect",
	[STAT_DONTNEED] = "madvise(DONTNEED)",
	[STAT_FORK] = "fork+exit",
	[STAT_WRITE] = "copy_to_user",
	[STAT_COHERENCE_CHECK] = "coherence checks",
	[STAT_HUGE_PIN] = "pin_user_pages_fast(huge)",
	[STAT_HUGE_ADVISE] = "madvise((NO)HUGEPAGE)",
	[STAT_HUGE_REMAP] = "mmap(huge range)",
	[STAT_HUGETLB_PIN] = "pin_user_pages(_fast)(hugetlb)",
	[STAT_HUGETLB_REMAP] = "mmap(MAP_HUGETLB)",
	[STAT_HUGETLB_WRITE] = "copy_to_user(hugetlb)",
	[STAT_MIGRATE] = "sim_migrate_range",
};

struct held_ref {
	struct page *page;
	unsigned long addr;
	unsigned int round;
	bool pinned;	/* FOLL_PIN (unpin) rather than FOLL_GET (put_page) */
	bool counted;	/* the reference shows in the page (6.18's zero-page pins do not) */
	bool checkable; /* a FOLL_PIN | FOLL_WRITE pin taken in a coherence round */
};

struct stress_run;

struct worker {
	struct stress_run *run;
	int id;
	bool pinner;
	uint64_t rng;
	struct task_struct *task;
	struct held_ref held[MAX_HELD];
	int nr_held;
	unsigned long stats[NR_STRESS_STATS];
	struct page *huge_pages[HUGE_RANGE_PAGES]; /* one huge pin's pages */
	struct sim_thread *thread;
};

struct stress_run {
	const struct stress_opts *opts;
	FILE *out;
	struct task_struct *proc;
	unsigned long arena;
	pthread_barrier_t go, done;
	/* Set by the controller between rounds; workers read them after `go`. */
	unsigned int round;
	enum round_kind kind;
	unsigned long ops_per_worker;
	bool quit;
	/* Deterministic mode: whose turn it is to make one operation. */
	pthread_mutex_t turn_lock;
	pthread_cond_t turn_cond;
	int turn;
	pthread_mutex_t report_lock;
	unsigned long violations;
	unsigned long rounds_of[2];
	unsigned long ops_done;
	struct worker *workers;
	int nr_workers;
};

static const char *round_kind_name(enum round_kind kind)
{
	return kind == ROUND_COHERENCE ? "coherence" : "chaos";
}

static void __attribute__((format(printf, 2, 3)))
report(struct stress_run *run, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&run->report_lock);
	fprintf(run->out, "VIOLATION (seed %#llx, round %u, %s): ", run->opts->seed, run->round,
		round_kind_name(run->kind));
	va_start(ap, fmt);
	vfprintf(run->out, fmt, ap);
	va_end(ap);
	fputc('\n', run->out);
	fflush(run->out);
	run->violations++;
	pthread_mutex_unlock(&run->report_lock);
}

/* ------------------------------------------------------------------------- */
/* Randomness                                                                */
/* ------------------------------------------------------------------------- */

static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned long rnd(struct worker *w, unsigned long bound)
{
	return (unsigned long)(splitmix64(&w->rng) % bound);
}

/* A random run of 1..@max_pages pages inside the arena, or (one time in three) the huge one. */
static unsigned long pick_range(struct worker *w, unsigned long max_pages, unsigned long *nr_pages)
{
	bool huge = rnd(w, 3) == 0;
	unsigned long pages = huge ? HUGE_ARENA_PAGES : ARENA_PAGES;
	unsigned long first = rnd(w, pages);
	unsigned long n = 1 + rnd(w, max_pages);

	*nr_pages = n < pages - first ? n : pages - first;
	return (huge ? HUGE_ARENA_BASE : w->run->arena) + first * PAGE_SIZE;
}

/* One of the two huge ranges, whole. */
static unsigned long pick_huge_range(struct worker *w)
{
	return HUGE_ARENA_BASE + rnd(w, 2) * PMD_SIZE;
}

/* Mostly a small range; sometimes a whole half, so a page table empties and is freed. */
static unsigned long pick_mapping_range(struct worker *w, unsigned long *len)
{
	unsigned long nr_pages, addr;

	if (rnd(w, 4) == 0) {
		*len = ARENA_HALF * PAGE_SIZE;
		return w->run->arena + rnd(w, 2) * ARENA_HALF * PAGE_SIZE;
	}
	if (rnd(w, 8) == 0) { /* a whole huge range: zapped, protected, remapped as one pmd */
		*len = PMD_SIZE;
		return pick_huge_range(w);
	}
	addr = pick_range(w, MAX_SPAN, &nr_pages); /* in the huge arena: a split */
	*len = nr_pages * PAGE_SIZE;
	return addr;
}

/* ------------------------------------------------------------------------- */
/* References the pinners hold                                               */
/* ------------------------------------------------------------------------- */

static void drop_ref(const struct held_ref *ref)
{
	if (ref->pinned)
		unpin_user_page(ref->page);
	else
		put_page(ref->page);
}

static void release_held(struct worker *w, int idx)
{
	drop_ref(&w->held[idx]);
	w->held[idx] = w->held[--w->nr_held];
	w->stats[STAT_RELEASE]++;
}

static void release_all_held(struct worker *w)
{
	while (w->nr_held)
		release_held(w, w->nr_held - 1);
}

/* Keep @ref if there is room, otherwise drop it at once. Returns the slot or -1. */
static int hold_ref(struct worker *w, const struct held_ref *ref)
{
	if (w->nr_held == MAX_HELD) {
		drop_ref(ref);
		w->stats[STAT_RELEASE]++;
		return -1;
	}
	w->held[w->nr_held] = *ref;
	return w->nr_held++;
}

static enum stress_stat call_stat(enum gup_entry call)
{
	static const enum stress_stat stats[NR_GUP_ENTRIES] = {
		[GUP_PIN_FAST] = STAT_PIN_FAST,
		[GUP_GET_FAST] = STAT_GET_FAST,
		[GUP_PIN] = STAT_PIN_SLOW,
		[GUP_PIN_FAST_ONLY] = STAT_PIN_FAST_ONLY,
		[GUP_GET_FAST_ONLY] = STAT_GET_FAST_ONLY,
	};
	return stats[call];
}

/*
 * Take references on @nr_pages pages at @addr and hold them. Returns how many
 * were taken (negative errno if none); @first_slot gets the held[] index of the
 * first one kept, or -1.
 */
static long take_refs(struct worker *w, enum gup_entry call, unsigned long addr, int nr_pages,
		      unsigned int flags, bool checkable)
{
	struct page *pages[MAX_BATCH];
	long ret = gup_call_entry(call, current->mm, addr, nr_pages, flags, pages, NULL, NULL);

	w->stats[call_stat(call)]++;
	if (ret > nr_pages) {
		report(w->run, "%s(%#lx, %d) returned %ld pages",
		       stress_stat_names[call_stat(call)], addr, nr_pages, ret);
		return -EINVAL; /* the array holds no more than we asked for: leak, not overrun */
	}
	for (long i = 0; i < ret; i++) {
		struct held_ref ref = {
			.page = pages[i],
			.addr = addr + (unsigned long)i * PAGE_SIZE,
			.round = w->run->round,
			.pinned = gup_entry_pins(call),
			.counted = !gup_entry_pins(call) || sim_pin_is_counted(pages[i]),
			.checkable = checkable,
		};

		if (ref.pinned && ref.counted && !page_maybe_dma_pinned(ref.page))
			report(w->run, "page pfn %#lx pinned at %#lx does not look pinned",
			       page_to_pfn(ref.page), ref.addr);
		hold_ref(w, &ref);
	}
	return ret;
}

/* ------------------------------------------------------------------------- */
/* Pinners                                                                   */
/* ------------------------------------------------------------------------- */

static unsigned int pick_gup_flags(struct worker *w, enum gup_entry call)
{
	static const unsigned int pin_flags[] = {FOLL_WRITE, 0, FOLL_WRITE | FOLL_LONGTERM,
						 FOLL_LONGTERM, FOLL_WRITE | FOLL_FORCE};
	static const unsigned int get_flags[] = {FOLL_WRITE, 0};

	if (!gup_entry_pins(call))
		return get_flags[rnd(w, ARRAY_SIZE(get_flags))];
	/* FOLL_FORCE (last) only on the slow path, as ptrace-like callers use it. */
	if (call != GUP_PIN)
		return pin_flags[rnd(w, ARRAY_SIZE(pin_flags) - 1)];
	return pin_flags[rnd(w, ARRAY_SIZE(pin_flags))];
}

/*
 * The property: a store through the mapping lands in the page we hold pinned
 * for writing, even if the process forked since the pin was taken.
 */
static void check_coherence(struct worker *w, const struct held_ref *ref)
{
	unsigned long slot = PINNER_SLOT(w->id);
	uint64_t token = splitmix64(&w->rng) | 1, seen;

	w->stats[STAT_COHERENCE_CHECK]++;
	if (copy_to_user(ref->addr + slot, &token, sizeof(token))) {
		report(w->run, "store to %#lx, pinned for writing and mapped read-write, faulted",
		       ref->addr + slot);
		return;
	}
	memcpy(&seen, (const char *)page_address(ref->page) + slot, sizeof(seen));
	if (seen != token)
		report(w->run,
		       "store of %#" PRIx64
		       " to %#lx missed the page pinned there (pfn %#lx holds %#" PRIx64
		       "): the mapping moved to another page while a FOLL_WRITE pin was held",
		       token, ref->addr + slot, page_to_pfn(ref->page), seen);
}

static bool is_checkable_now(const struct worker *w, const struct held_ref *ref)
{
	return ref->checkable && ref->round == w->run->round;
}

/* Pin a few pages for writing and check each at once; all must come. */
static void pin_and_check(struct worker *w)
{
	enum gup_entry call = rnd(w, 2) ? GUP_PIN_FAST : GUP_PIN;
	unsigned int flags = FOLL_WRITE | (rnd(w, 4) ? 0 : FOLL_LONGTERM);
	unsigned long nr_pages, addr = pick_range(w, MAX_BATCH, &nr_pages);
	int before = w->nr_held;
	long got = take_refs(w, call, addr, (int)nr_pages, flags, true);

	if (got != (long)nr_pages)
		report(w->run, "%s(%#lx, %lu, FOLL_WRITE) of a mapped read-write range got %ld",
		       stress_stat_names[call_stat(call)], addr, nr_pages, got);
	for (int i = before; i < w->nr_held; i++)
		check_coherence(w, &w->held[i]);
}

/*
 * Pin 16..512 pages of one huge range in one call (GUP-fast takes a huge pmd with
 * one atomic), check each looks pinned (and in coherence rounds, that stores land
 * in a few of them), keep the first and unpin the rest in one call: a run of
 * subpages of one compound page.
 */
static void pin_huge(struct worker *w, bool coherence)
{
	unsigned long first = rnd(w, HUGE_RANGE_PAGES / 16) * 16;
	unsigned long addr = pick_huge_range(w) + first * PAGE_SIZE;
	unsigned long nr_pages = 16 * (1 + rnd(w, (HUGE_RANGE_PAGES - first) / 16));
	unsigned int flags = coherence ? FOLL_WRITE : pick_gup_flags(w, GUP_PIN_FAST);
	long got = pin_user_pages_fast(addr, (int)nr_pages, flags, w->huge_pages);

	w->stats[STAT_HUGE_PIN]++;
	if (coherence && got != (long)nr_pages)
		report(w->run,
		       "pin_user_pages_fast(%#lx, %lu, FOLL_WRITE) of a mapped read-write "
		       "huge range got %ld",
		       addr, nr_pages, got);
	if (got <= 0)
		return;
	for (long i = 0; i < got; i++)
		if (sim_pin_is_counted(w->huge_pages[i]) &&
		    !page_maybe_dma_pinned(w->huge_pages[i]))
			report(w->run, "page pfn %#lx pinned at %#lx does not look pinned",
			       page_to_pfn(w->huge_pages[i]), addr + (unsigned long)i * PAGE_SIZE);
	for (long i = 0; coherence && i < got; i += got / 3 + 1) {
		struct held_ref ref = {.page = w->huge_pages[i],
				       .addr = addr + (unsigned long)i * PAGE_SIZE};

		check_coherence(w, &ref);
	}
	hold_ref(w, &(struct held_ref){.page = w->huge_pages[0],
				       .addr = addr,
				       .round = w->run->round,
				       .pinned = true,
				       .counted = sim_pin_is_counted(w->huge_pages[0]),
				       .checkable = coherence && (flags & FOLL_WRITE)});
	unpin_user_pages(w->huge_pages + 1, (unsigned long)got - 1);
}

/* --- the hugetlb arena --- */

static unsigned long hugetlb_range(unsigned long index)
{
	return HUGETLB_ARENA_BASE + index * PMD_SIZE;
}

/* Range 0 private, range 1 shared, mapped afresh. */
static int map_hugetlb_range(unsigned long index)
{
	unsigned long flags = MAP_FIXED | MAP_ANONYMOUS | MAP_HUGETLB | MAP_HUGE_2MB |
			      (index ? MAP_SHARED : MAP_PRIVATE);
	unsigned long ret =
		sys_mmap(hugetlb_range(index), PMD_SIZE, PROT_READ | PROT_WRITE, flags, -1, 0);

	return IS_ERR_VALUE(ret) ? (int)ret : 0;
}

static void remap_hugetlb_range(struct worker *w)
{
	unsigned long index = rnd(w, 2);
	int ret = map_hugetlb_range(index);

	w->stats[STAT_HUGETLB_REMAP]++;
	if (ret)
		report(w->run, "mapping hugetlb range %lu afresh failed: %d", index, ret);
}

/* A store into one subpage of a hugetlb range (a fault, or a COW after a fork). */
static void write_hugetlb_page(struct worker *w)
{
	unsigned long addr = hugetlb_range(rnd(w, 2)) + rnd(w, HUGE_RANGE_PAGES) * PAGE_SIZE +
			     WRITER_SLOT(w->id);
	uint64_t value = splitmix64(&w->rng);

	w->stats[STAT_HUGETLB_WRITE]++;
	if (copy_to_user(addr, &value, sizeof(value)))
		report(w->run, "store to the mapped hugetlb page at %#lx faulted", addr);
}

/*
 * Pin a run of 1..512 subpages of one hugetlb page (slow or fast), check each is
 * the next subpage and looks pinned, and unpin the run in one call at once: a
 * pin held across other operations would keep its page out of the pool.
 */
static void pin_hugetlb(struct worker *w)
{
	unsigned long first = rnd(w, HUGE_RANGE_PAGES);
	unsigned long addr = hugetlb_range(rnd(w, 2)) + first * PAGE_SIZE;
	int nr_pages = (int)(1 + rnd(w, HUGE_RANGE_PAGES - first));
	unsigned int flags = rnd(w, 2) ? FOLL_WRITE : 0;
	long got;

	w->stats[STAT_HUGETLB_PIN]++;
	if (rnd(w, 2)) {
		got = pin_user_pages_fast(addr, nr_pages, flags, w->huge_pages);
	} else {
		mmap_read_lock(current->mm);
		got = pin_user_pages(addr, (unsigned long)nr_pages, flags, w->huge_pages, NULL);
		mmap_read_unlock(current->mm);
	}
	if (got != nr_pages)
		report(w->run, "pinning %d subpages of the hugetlb page at %#lx got %ld", nr_pages,
		       addr, got);
	if (got <= 0)
		return;
	for (long i = 0; i < got; i++) {
		if (w->huge_pages[i] != w->huge_pages[0] + i)
			report(w->run, "hugetlb pin %ld at %#lx is not the next subpage", i, addr);
		else if (!page_maybe_dma_pinned(w->huge_pages[i]))
			report(w->run, "hugetlb page pfn %#lx pinned at %#lx does not look pinned",
			       page_to_pfn(w->huge_pages[i]), addr);
	}
	unpin_user_pages(w->huge_pages, (unsigned long)got);
}

static void pinner_chaos_op(struct worker *w)
{
	enum gup_entry call = chaos_calls[rnd(w, ARRAY_SIZE(chaos_calls))];
	unsigned long nr_pages, addr;

	if (w->nr_held && rnd(w, 10) < 3) {
		release_held(w, (int)rnd(w, (unsigned long)w->nr_held));
		return;
	}
	if (rnd(w, 8) == 0) {
		pin_huge(w, false);
		return;
	}
	if (rnd(w, 12) == 0) {
		pin_hugetlb(w);
		return;
	}
	addr = pick_range(w, MAX_BATCH, &nr_pages);
	take_refs(w, call, addr, (int)nr_pages, pick_gup_flags(w, call), false);
}

static void pinner_coherence_op(struct worker *w)
{
	unsigned long r = rnd(w, 10);
	int idx;

	if (r == 9) {
		pin_huge(w, true);
		return;
	}
	if (!w->nr_held || r >= 7) {
		pin_and_check(w);
		return;
	}
	idx = (int)rnd(w, (unsigned long)w->nr_held);
	if (r < 5 && is_checkable_now(w, &w->held[idx]))
		check_coherence(w, &w->held[idx]);
	else
		release_held(w, idx);
}

/* ------------------------------------------------------------------------- */
/* Mutators                                                                  */
/* ------------------------------------------------------------------------- */

/* Store at @slot of a random page of either arena; in coherence rounds it must work and stick. */
static void write_random_page(struct worker *w, unsigned long slot, bool must_succeed)
{
	unsigned long nr_pages, addr = pick_range(w, 1, &nr_pages) + slot;
	uint64_t value = splitmix64(&w->rng), back = 0;

	w->stats[STAT_WRITE]++;
	if (copy_to_user(addr, &value, sizeof(value))) {
		if (must_succeed)
			report(w->run, "store to mapped read-write %#lx faulted", addr);
		return;
	}
	if (must_succeed && (copy_from_user(&back, addr, sizeof(back)) || back != value))
		report(w->run, "load from %#lx after storing %#" PRIx64 " gave %#" PRIx64, addr,
		       value, back);
}

/* fork(); the child scribbles over its copy of the arena and exits. */
static void fork_and_exit_child(struct worker *w)
{
	struct task_struct *parent = current;
	struct task_struct *child = sys_fork();

	w->stats[STAT_FORK]++;
	if (!child) {
		report(w->run, "fork failed: %s", strerror(errno));
		return;
	}
	set_current(child);
	for (int i = 0; i < 4; i++)
		write_random_page(w, CHILD_SLOT(w->id), false);
	set_current(parent);
	task_exit(child);
}

static void remap_range(struct worker *w)
{
	unsigned long len, addr = pick_mapping_range(w, &len);
	unsigned long prot = rnd(w, 4) ? PROT_READ | PROT_WRITE : PROT_READ;
	unsigned long type = rnd(w, 4) ? MAP_PRIVATE : MAP_SHARED;
	unsigned long ret = sys_mmap(addr, len, prot, type | MAP_FIXED | MAP_ANONYMOUS, -1, 0);

	w->stats[STAT_MMAP_FIXED]++;
	if (ret != addr && ret != (unsigned long)-ENOMEM)
		report(w->run, "mmap(%#lx, %#lx, MAP_FIXED) returned %#lx", addr, len, ret);
}

static void protect_range(struct worker *w)
{
	static const unsigned long prots[] = {PROT_READ, PROT_NONE, PROT_READ | PROT_WRITE};
	unsigned long len, addr = pick_mapping_range(w, &len);

	w->stats[STAT_MPROTECT]++;
	sys_mprotect(addr, len, prots[rnd(w, ARRAY_SIZE(prots))]); /* -ENOMEM over holes */
}

static void unmap_range(struct worker *w)
{
	unsigned long len, addr = pick_mapping_range(w, &len);

	w->stats[STAT_MUNMAP]++;
	if (sys_munmap(addr, len))
		report(w->run, "munmap(%#lx, %#lx) failed", addr, len);
}

static void zap_range(struct worker *w)
{
	unsigned long len, addr = pick_mapping_range(w, &len);

	w->stats[STAT_DONTNEED]++;
	sys_madvise(addr, len, MADV_DONTNEED); /* -ENOMEM over holes */
}

/* MADV_HUGEPAGE (mostly) or MADV_NOHUGEPAGE on a whole huge range. */
static void advise_huge_range(struct worker *w)
{
	w->stats[STAT_HUGE_ADVISE]++;
	sys_madvise(pick_huge_range(w), PMD_SIZE, /* -ENOMEM over holes */
		    rnd(w, 4) ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
}

/* A whole huge range mapped afresh and advised: the next write makes a THP again. */
static int map_huge_range(unsigned long addr)
{
	unsigned long ret = sys_mmap(addr, PMD_SIZE, PROT_READ | PROT_WRITE,
				     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);

	if (IS_ERR_VALUE(ret))
		return (int)ret;
	return sys_madvise(addr, PMD_SIZE, MADV_HUGEPAGE);
}

static void remap_huge_range(struct worker *w)
{
	unsigned long addr = pick_huge_range(w);
	int ret = map_huge_range(addr);

	w->stats[STAT_HUGE_REMAP]++;
	if (ret && ret != -ENOMEM)
		report(w->run, "mapping the huge range %#lx afresh failed: %d", addr, ret);
}

/*
 * Move a range's pages into ZONE_MOVABLE or back (pinned and referenced pages stay):
 * migration entries for GUP-fast, faults, fork, munmap and splits to meet.
 */
static void migrate_range(struct worker *w)
{
	unsigned long len, addr = pick_mapping_range(w, &len);
	long ret = sim_migrate_range(addr, len, rnd(w, 2) ? ZONE_MOVABLE : ZONE_NORMAL);

	w->stats[STAT_MIGRATE]++;
	if (ret < 0 && ret != -EFAULT && ret != -ENOMEM) /* holes; a full zone */
		report(w->run, "sim_migrate_range(%#lx, %#lx) returned %ld", addr, len, ret);
}

static void mutator_chaos_op(struct worker *w)
{
	switch (rnd(w, 25)) {
	case 22:
		migrate_range(w);
		break;
	case 23:
		remap_hugetlb_range(w);
		break;
	case 24:
		write_hugetlb_page(w);
		break;
	case 20:
		advise_huge_range(w);
		break;
	case 21:
		remap_huge_range(w);
		break;
	case 0:
	case 1:
		unmap_range(w);
		break;
	case 2:
	case 3:
	case 4:
		remap_range(w);
		break;
	case 5:
	case 6:
	case 7:
		protect_range(w);
		break;
	case 8:
	case 9:
	case 10:
		zap_range(w);
		break;
	case 11:
	case 12:
		fork_and_exit_child(w);
		break;
	default:
		write_random_page(w, WRITER_SLOT(w->id), false);
		break;
	}
}

static void mutator_coherence_op(struct worker *w)
{
	if (rnd(w, 4) == 0)
		fork_and_exit_child(w);
	else
		write_random_page(w, WRITER_SLOT(w->id), true);
}

/* ------------------------------------------------------------------------- */
/* Workers and rounds                                                        */
/* ------------------------------------------------------------------------- */

static void worker_op(struct worker *w)
{
	bool coherence = w->run->kind == ROUND_COHERENCE;

	if (w->pinner)
		coherence ? pinner_coherence_op(w) : pinner_chaos_op(w);
	else
		coherence ? mutator_coherence_op(w) : mutator_chaos_op(w);
}

/* Deterministic mode: one operation at a time, workers in id order, round-robin. */
static void worker_op_in_turn(struct worker *w)
{
	struct stress_run *run = w->run;

	pthread_mutex_lock(&run->turn_lock);
	while (run->turn != w->id)
		pthread_cond_wait(&run->turn_cond, &run->turn_lock);
	pthread_mutex_unlock(&run->turn_lock);
	worker_op(w);
	pthread_mutex_lock(&run->turn_lock);
	run->turn = (w->id + 1) % run->nr_workers;
	pthread_cond_broadcast(&run->turn_cond);
	pthread_mutex_unlock(&run->turn_lock);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct stress_run *run = w->run;

	/* sim_thread_spawn() made w->task current. */
	for (;;) {
		pthread_barrier_wait(&run->go);
		if (run->quit)
			break;
		for (unsigned long i = 0; i < run->ops_per_worker; i++) {
			if (run->opts->deterministic)
				worker_op_in_turn(w);
			else
				worker_op(w);
		}
		pthread_barrier_wait(&run->done);
	}
	release_all_held(w);
	task_exit(w->task);
	return NULL;
}

static long pins_held(const struct stress_run *run)
{
	long pins = 0;

	for (int i = 0; i < run->nr_workers; i++)
		for (int j = 0; j < run->workers[i].nr_held; j++)
			pins += run->workers[i].held[j].pinned && run->workers[i].held[j].counted;
	return pins;
}

/* Every worker is parked at a barrier: nothing is in flight. */
static void check_quiescent_machine(struct stress_run *run)
{
	long outstanding = (long)global_node_page_state(NR_FOLL_PIN_ACQUIRED) -
			   (long)global_node_page_state(NR_FOLL_PIN_RELEASED);
	long held = pins_held(run);
	int errors = sim_check(run->out);

	if (errors)
		report(run, "sim_check found %d invariant violation(s) (listed above)", errors);
	if (outstanding != held)
		report(run,
		       "NR_FOLL_PIN_ACQUIRED - NR_FOLL_PIN_RELEASED = %ld but %ld pins are held",
		       outstanding, held);
	for (int i = 0; i < run->nr_workers; i++)
		for (int j = 0; j < run->workers[i].nr_held; j++) {
			struct held_ref *ref = &run->workers[i].held[j];

			if (ref->pinned ? ref->counted && !page_maybe_dma_pinned(ref->page)
					: page_count(ref->page) < 1)
				report(run, "held page pfn %#lx (%s) lost its reference",
				       page_to_pfn(ref->page), ref->pinned ? "pin" : "get");
		}
}

static int map_arena(struct stress_run *run)
{
	unsigned long ret = sys_mmap(ARENA_BASE, ARENA_PAGES * PAGE_SIZE, PROT_READ | PROT_WRITE,
				     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	int err;

	if (IS_ERR_VALUE(ret))
		return (int)ret;
	run->arena = ret;
	for (unsigned long huge = 0; huge < 2; huge++) {
		err = map_huge_range(HUGE_ARENA_BASE + huge * PMD_SIZE);
		if (err)
			return err;
	}
	for (unsigned long index = 0; index < 2; index++) {
		err = map_hugetlb_range(index);
		if (err)
			return err;
	}
	return 0;
}

static double seconds_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

/* The signal that asked the run to stop (SIGINT, SIGTERM), or 0. */
static volatile sig_atomic_t stop_requested;

void stress_request_stop(int sig)
{
	stop_requested = sig ? sig : -1;
}

/*
 * How many operations each worker makes next round; 0 when the budget is spent
 * or a stop was asked for. A deterministic run has no time budget: the clock
 * would make its length differ from one run to the next.
 */
static unsigned long next_round_ops(const struct stress_run *run, const struct timespec *start)
{
	unsigned long left;

	if (stop_requested)
		return 0;
	if (!run->opts->deterministic && run->round >= MIN_ROUNDS &&
	    seconds_since(start) >= run->opts->seconds)
		return 0;
	if (!run->opts->max_ops)
		return OPS_PER_ROUND;
	left = run->opts->max_ops > run->ops_done ? run->opts->max_ops - run->ops_done : 0;
	left /= (unsigned long)run->nr_workers;
	return left < OPS_PER_ROUND ? left : OPS_PER_ROUND;
}

static void run_one_round(struct stress_run *run)
{
	unsigned long before = run->violations;

	run->kind = run->round % 2 ? ROUND_COHERENCE : ROUND_CHAOS;
	if (run->kind == ROUND_COHERENCE && map_arena(run))
		report(run, "could not map the arena afresh");
	run->turn = 0; /* workers are parked: no lock needed before `go` */
	pthread_barrier_wait(&run->go);
	pthread_barrier_wait(&run->done);
	run->ops_done += run->ops_per_worker * (unsigned long)run->nr_workers;
	run->rounds_of[run->kind]++;
	check_quiescent_machine(run);
	if (run->opts->verbose)
		fprintf(run->out, "round %u (%s): %lu ops, %ld pins held, %s\n", run->round,
			round_kind_name(run->kind), run->ops_done, pins_held(run),
			run->violations == before ? "clean" : "VIOLATIONS");
	run->round++;
}

static void run_rounds(struct stress_run *run)
{
	struct timespec start;

	clock_gettime(CLOCK_MONOTONIC, &start);
	while ((run->ops_per_worker = next_round_ops(run, &start)) != 0)
		run_one_round(run);
	run->quit = true;
	pthread_barrier_wait(&run->go);
}

static int start_workers(struct stress_run *run)
{
	for (int i = 0; i < run->nr_workers; i++) {
		struct worker *w = &run->workers[i];

		w->run = run;
		w->id = i;
		w->pinner = i % 2 == 0;
		w->rng = run->opts->seed ^ (0x5851f42d4c957f2dULL * (uint64_t)(i + 1));
		w->task = task_clone_thread(run->proc);
		if (!w->task || sim_thread_spawn(w->task, worker_main, w, &w->thread))
			return -ENOMEM; /* cannot unwind half a barrier group: caller aborts */
	}
	return 0;
}

static void join_workers(struct stress_run *run)
{
	for (int i = 0; i < run->nr_workers; i++)
		sim_thread_join(run->workers[i].thread);
}

/* ------------------------------------------------------------------------- */
/* Reporting                                                                 */
/* ------------------------------------------------------------------------- */

static void print_plan(const struct stress_run *run)
{
	const struct stress_opts *o = run->opts;

	fprintf(run->out, "gup stress: seed %#llx, %d threads (%d pinning, %d mutating), ", o->seed,
		o->threads, (o->threads + 1) / 2, o->threads / 2);
	if (o->deterministic)
		fprintf(run->out,
			"deterministic (one operation at a time, in turn), no time budget");
	else
		fprintf(run->out, "concurrent, %.1f s", o->seconds);
	if (o->max_ops)
		fprintf(run->out, ", at most %lu ops", o->max_ops);
	else
		fprintf(run->out, ", no ops bound");
	fprintf(run->out, ", arena %lu pages at %#lx, huge arena %lu pages at %#lx%s\n",
		ARENA_PAGES, ARENA_BASE, HUGE_ARENA_PAGES, HUGE_ARENA_BASE,
		o->verbose ? ", verbose" : "");
	fflush(run->out); /* the seed is on record before anything can go wrong */
}

static void print_summary(const struct stress_run *run)
{
	unsigned long totals[NR_STRESS_STATS] = {0};

	for (int i = 0; i < run->nr_workers; i++)
		for (int s = 0; s < NR_STRESS_STATS; s++)
			totals[s] += run->workers[i].stats[s];
	fprintf(run->out, "gup stress: ops:");
	for (int s = 0; s < NR_STRESS_STATS; s++)
		fprintf(run->out, " %s=%lu", stress_stat_names[s], totals[s]);
	fprintf(run->out,
		"\ngup stress: checked after each of %u rounds (%lu chaos, %lu coherence): "
		"sim_check "
		"(refcounts, mapcounts, page tables, vmas, free lists), pins acquired - released "
		"== "
		"pins held, every held page still referenced; %lu coherence checks (a store "
		"through "
		"the mapping lands in the page pinned FOLL_PIN|FOLL_WRITE, across concurrent "
		"forks); "
		"leak check at shutdown\n",
		run->round, run->rounds_of[ROUND_CHAOS], run->rounds_of[ROUND_COHERENCE],
		totals[STAT_COHERENCE_CHECK]);
	if (stop_requested > 0)
		fprintf(run->out, "gup stress: stopped by %s after %u rounds\n",
			strsignal(stop_requested), run->round);
	if (run->violations)
		fprintf(run->out,
			"gup stress: FAIL: %lu violation(s); reproduce with --seed %#llx\n",
			run->violations, run->opts->seed);
	else
		fprintf(run->out, "gup stress: PASS: no violations (seed %#llx)\n",
			run->opts->seed);
}

/* ------------------------------------------------------------------------- */
/* Entry points                                                              */
/* ------------------------------------------------------------------------- */

void stress_opts_default(struct stress_opts *opts)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	*opts = (struct stress_opts){
		.seconds = 10,
		.threads = 4,
		.seed = (unsigned long long)now.tv_sec * 1000000007ULL ^
			(unsigned long long)now.tv_nsec ^ (unsigned long long)getpid() << 32,
	};
}

/* Boot, create the process and its arena, start the workers. */
static int stress_setup(struct stress_run *run)
{
	struct sim_config cfg = {.mem_bytes = STRESS_MEM_BYTES,
				 .movable_bytes = STRESS_MOVABLE_BYTES,
				 .hugetlb_2m_pages = HUGETLB_POOL_PAGES};
	int ret = sim_boot(&cfg);

	if (ret)
		return ret;
	run->proc = task_create("stress");
	if (!run->proc)
		return -ENOMEM;
	set_current(run->proc);
	ret = map_arena(run);
	if (ret)
		return ret;
	pthread_barrier_init(&run->go, NULL, (unsigned int)run->nr_workers + 1);
	pthread_barrier_init(&run->done, NULL, (unsigned int)run->nr_workers + 1);
	return start_workers(run);
}

/* Workers have released everything: nothing may be left pinned, nothing leaked. */
static void stress_teardown(struct stress_run *run)
{
	check_quiescent_machine(run);
	sys_munmap(run->arena, ARENA_PAGES * PAGE_SIZE);
	sys_munmap(HUGE_ARENA_BASE, HUGE_ARENA_PAGES * PAGE_SIZE);
	sys_munmap(HUGETLB_ARENA_BASE, 2 * PMD_SIZE);
	task_exit(run->proc);
	if (sim_shutdown())
		report(run, "sim_shutdown found leaks (listed above)");
	pthread_barrier_destroy(&run->go);
	pthread_barrier_destroy(&run->done);
}

int gup_stress_run(const struct stress_opts *opts, FILE *out)
{
	struct stress_run run = {.opts = opts, .out = out, .nr_workers = opts->threads};
	int ret;

	if (opts->threads < 2 || opts->threads > MAX_THREADS || opts->seconds < 0)
		return -EINVAL;
	run.workers = calloc((size_t)opts->threads, sizeof(*run.workers));
	if (!run.workers)
		return -ENOMEM;
	pthread_mutex_init(&run.report_lock, NULL);
	pthread_mutex_init(&run.turn_lock, NULL);
	pthread_cond_init(&run.turn_cond, NULL);
	print_plan(&run);
	ret = stress_setup(&run);
	if (ret) {
		fprintf(out, "gup stress: setup failed: %s\n", strerror(-ret));
		if (sim_running())
			abort(); /* workers may be parked on a barrier: no clean way back */
		free(run.workers);
		return ret;
	}
	run_rounds(&run);
	join_workers(&run);
	stress_teardown(&run);
	print_summary(&run);
	fflush(out);
	pthread_mutex_destroy(&run.report_lock);
	pthread_mutex_destroy(&run.turn_lock);
	pthread_cond_destroy(&run.turn_cond);
	free(run.workers);
	return (int)(run.violations < INT32_MAX ? run.violations : INT32_MAX);
}

#define MAX_SECONDS 31536000.0 /* a year */

static void stress_usage(FILE *out)
{
	fprintf(out,
		"usage: gup stress [--seconds S] [--threads N] [--seed X] [--ops N] [--verbose]\n"
		"Worker threads of one simulated process race GUP against mmap, munmap,\n"
		"mprotect, MADV_DONTNEED, fork, writes and page migration; the machine is\n"
		"checked after every round. The seed and these options are printed before the\n"
		"first round.\n"
		"  --seconds S  time budget, 0..31536000 (default 10); ignored with --ops\n"
		"  --threads N  worker threads, 2..%d (default 4): half pin, half mutate\n"
		"  --seed X     PRNG seed, any 64-bit number (default: from the clock)\n"
		"  --ops N      run exactly N operations over all threads (rounded down to a\n"
		"               multiple of the thread count), 1..%lu, deterministically:\n"
		"               workers take turns, one operation at a time, so a seed\n"
		"               reproduces the same run, operation counts included\n"
		"  --verbose    one line per round\n"
		"  -h, --help   this text\n"
		"Without --ops the threads really race: a seed fixes the random stream each\n"
		"thread draws from, but what the operations find (and so which ones follow,\n"
		"their counts and the number of rounds) depends on the interleaving and the\n"
		"clock; a violation's seed narrows it down, the exact run is not repeatable.\n"
		"SIGINT or SIGTERM stops the run after the round in flight, with the summary.\n"
		"exit status: 0 clean, 1 violations found, 2 usage or setup error\n",
		MAX_THREADS, (unsigned long)LONG_MAX);
}

/* One option with a value; false after the message naming it. */
static bool parse_stress_value(int c, struct stress_opts *opts)
{
	long long v;

	switch (c) {
	case 's':
		return tool_parse_double("stress", "--seconds", optarg, 0, MAX_SECONDS,
					 "0..31536000 seconds", &opts->seconds);
	case 't':
		if (!tool_parse_ll("stress", "--threads", optarg, 2, MAX_THREADS, "2..64", &v))
			return false;
		opts->threads = (int)v;
		return true;
	case 'S':
		return tool_parse_u64("stress", "--seed", optarg,
				      "0..0xffffffffffffffff: decimal, 0x hex or 0 octal",
				      &opts->seed);
	case 'o':
		if (!tool_parse_ll("stress", "--ops", optarg, 1, LONG_MAX, "1..9223372036854775807",
				   &v))
			return false;
		opts->max_ops = (unsigned long)v;
		opts->deterministic = true;
		return true;
	}
	return false;
}

/* Returns 0, -EINVAL after a message, or 1 for --help. */
static int parse_stress_args(int argc, char **argv, struct stress_opts *opts)
{
	static const struct option longopts[] = {
		{"seconds", required_argument, NULL, 's'},
		{"threads", required_argument, NULL, 't'},
		{"seed", required_argument, NULL, 'S'},
		{"ops", required_argument, NULL, 'o'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	optind = 0; /* glibc: start afresh, whatever parsed argv before us */
	while ((c = getopt_long(argc, argv, ":s:t:S:o:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
		case 't':
		case 'S':
		case 'o':
			if (!parse_stress_value(c, opts))
				return -EINVAL;
			break;
		case 'v':
			opts->verbose = true;
			break;
		case 'h':
			return 1;
		default:
			tool_bad_option("stress", c, argv);
			return -EINVAL;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "gup stress: unexpected argument '%s' (try: gup stress --help)\n",
			argv[optind]);
		return -EINVAL;
	}
	return 0;
}

static void stop_on_signal(int sig)
{
	stress_request_stop(sig);
}

/* SIGINT/SIGTERM end the run cleanly; a second one kills as usual. */
static void catch_stop_signals(void)
{
	struct sigaction sa = {.sa_handler = stop_on_signal, .sa_flags = SA_RESETHAND};

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

int gup_stress_main(int argc, char **argv)
{
	struct stress_opts opts;
	int ret;

	setvbuf(stdout, NULL, _IOLBF, 0); /* rounds and violations show as they happen */
	stress_opts_default(&opts);
	ret = parse_stress_args(argc, argv, &opts);
	if (ret) {
		if (ret > 0)
			stress_usage(stdout);
		return ret > 0 ? GUP_EXIT_OK : GUP_EXIT_USAGE;
	}
	catch_stop_signals();
	ret = gup_stress_run(&opts, stdout);
	if (ret < 0)
		return GUP_EXIT_USAGE;
	return ret ? GUP_EXIT_FAILED : GUP_EXIT_OK;
}
