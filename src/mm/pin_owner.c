// SPDX-License-Identifier: GPL-2.0-only
/*
 * Pin ownership, as XNU's IOTracking does for wired memory: in debug builds every
 * outstanding GUP reference and pin is recorded with its call site and sequence
 * number; the reports by site, the query API of <gup/testing.h>, and the messages
 * of the release-misuse BUGs.
 */
#include <dlfcn.h>
#include <sys/mman.h>
#include "mm/internal.h"

__thread struct pin_owner_scope pin_owner_here;

#ifdef CONFIG_DEBUG_VM

/*
 * Records live in a per-frame slot, as the kernel's page_owner keeps its data in
 * page_ext: slot[pfn] is the first record on that head page (one cache line), and
 * further ones (other sites, other kinds) chain off it. A GUP call walks pages in
 * pfn order, so the slots it touches are adjacent and the hardware prefetches
 * them (a hash of the page scattered them: a cache miss per page taken and per
 * page released). One record per page, kind and site carries a count. A record
 * whose count reached zero stays as history (who released the last one) until its
 * page is allocated again, and is reused when the same site takes the page again:
 * a steady pin/unpin loop allocates nothing. Locks are striped by runs of pfns, so
 * a flush of one call's pages takes few of them.
 */
#define OWNER_LOCK_BITS 8
#define OWNER_LOCKS (1U << OWNER_LOCK_BITS)
#define OWNER_PFNS_PER_LOCK 64

struct pin_owner {
	struct pin_owner *next;
	unsigned int kind; /* FOLL_GET or FOLL_PIN; 0: a slot that holds no record */
	int count;
	const void *addr;	    /* taken from: return address... */
	const char *label;	    /* ...or sim_set_call_site() label */
	unsigned long seq;	    /* first take of those outstanding */
	unsigned long released_seq; /* the last release that brought count to 0 */
	const void *released_addr;
	const char *released_label;
} __attribute__((aligned(64)));

/*
 * One slot per frame of the running machine, mapped on the first take of a boot
 * (boot sets max_pfn after pin_owner_init()) and unmapped at shutdown; pages of
 * it that were never touched cost nothing. Slots at owner_high_pfn and above
 * never held a record.
 */
static struct pin_owner *owner_slots;
static unsigned long owner_nr_slots, owner_high_pfn;
static pthread_mutex_t owner_slots_lock = PTHREAD_MUTEX_INITIALIZER;
/* One cache line each: threads pinning disjoint pages must not share a lock's line. */
static struct {
	spinlock_t lock;
} __attribute__((aligned(64))) owner_locks[OWNER_LOCKS];
static pthread_once_t owner_locks_once = PTHREAD_ONCE_INIT;
static long owner_records;	/* live records of any count: 0 lets forget skip */
static unsigned long owner_seq; /* sequence of takes and releases */

static void init_owner_locks(void)
{
	for (unsigned int i = 0; i < OWNER_LOCKS; i++)
		spin_lock_init(&owner_locks[i].lock);
}

void pin_owner_init(void)
{
	pthread_once(&owner_locks_once, init_owner_locks);
}

/* The slot table, or NULL while no record was taken this boot. */
static struct pin_owner *slots(void)
{
	return __atomic_load_n(&owner_slots, __ATOMIC_ACQUIRE);
}

/* The slot table, mapped now if this is the boot's first take; NULL without memory. */
static struct pin_owner *slots_for_take(void)
{
	struct pin_owner *table = slots();
	void *map;

	if (likely(table))
		return table;
	pthread_mutex_lock(&owner_slots_lock);
	table = owner_slots;
	if (!table && max_pfn) {
		map = mmap(NULL, max_pfn * sizeof(*table), PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (map != MAP_FAILED) {
			table = map;
			owner_nr_slots = max_pfn;
			__atomic_store_n(&owner_slots, table, __ATOMIC_RELEASE);
		}
	}
	pthread_mutex_unlock(&owner_slots_lock);
	return table;
}

static spinlock_t *owner_lock(unsigned long pfn)
{
	return &owner_locks[(pfn / OWNER_PFNS_PER_LOCK) & (OWNER_LOCKS - 1)].lock;
}

/*
 * Threads take sequence numbers in batches, so pinning threads do not bounce one
 * counter's line: numbers are unique and ordered per thread, and across threads
 * to within a batch. A new boot starts every thread on a fresh batch.
 */
#define SEQ_BATCH 64

static unsigned long owner_boot; /* which boot the batches belong to */
static __thread struct {
	unsigned long next, end, boot;
} seq_batch;

/* Numbers to hand out, next to end: a copy of the thread's batch while a flush runs. */
struct seq_block {
	unsigned long next, end;
};

static struct seq_block thread_seqs(void)
{
	unsigned long boot = __atomic_load_n(&owner_boot, __ATOMIC_RELAXED);

	if (seq_batch.boot != boot) {
		seq_batch.next = seq_batch.end = 0;
		seq_batch.boot = boot;
	}
	return (struct seq_block){seq_batch.next, seq_batch.end};
}

static void keep_seqs(const struct seq_block *seqs)
{
	seq_batch.next = seqs->next;
	seq_batch.end = seqs->end;
}

static unsigned long seq_take(struct seq_block *seqs)
{
	if (unlikely(seqs->next == seqs->end)) {
		seqs->next = __atomic_fetch_add(&owner_seq, SEQ_BATCH, __ATOMIC_RELAXED) + 1;
		seqs->end = seqs->next + SEQ_BATCH;
	}
	return seqs->next++;
}

/* --- labels: interned once, alive for the process, so records may point at them --- */

struct owner_label {
	struct owner_label *next;
	char text[];
};

static struct owner_label *owner_labels;
static pthread_mutex_t owner_labels_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *intern_label(const char *text)
{
	struct owner_label *l;
	size_t len = strlen(text);

	pthread_mutex_lock(&owner_labels_lock);
	for (l = owner_labels; l; l = l->next)
		if (!strcmp(l->text, text))
			break;
	if (!l) {
		l = malloc(sizeof(*l) + len + 1);
		if (l) {
			memcpy(l->text, text, len + 1);
			l->next = owner_labels;
			owner_labels = l;
		}
	}
	pthread_mutex_unlock(&owner_labels_lock);
	return l ? l->text : NULL;
}

void sim_set_call_site(const char *site)
{
	pin_owner_settle(); /* what was queued belongs to the old site */
	pin_owner_here.label = site ? intern_label(site) : NULL;
}

/* --- records --- */

/* A call site: a return address, or a sim_set_call_site() label (addr NULL). */
struct owner_site {
	const void *addr;
	const char *label;
};

/* The calling thread's site: its label if it set one, else the scope's address. */
static struct owner_site current_site(void)
{
	const char *label = pin_owner_here.label;

	return (struct owner_site){label ? NULL : pin_owner_here.addr, label};
}

/* Slots below @high may hold records now (slot locks are striped: an atomic max). */
static void raise_high_pfn(unsigned long high)
{
	unsigned long old = __atomic_load_n(&owner_high_pfn, __ATOMIC_RELAXED);

	while (old < high && !__atomic_compare_exchange_n(&owner_high_pfn, &old, high, true,
							  __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

/* Charge @n more of @kind on slot @pfn to the thread's site; the slot's lock held. */
static inline void take_locked(struct pin_owner *table, unsigned long pfn, unsigned int kind, int n,
			       struct owner_site site, struct seq_block *seqs)
{
	struct pin_owner *slot = &table[pfn], *o;

	for (o = slot; o; o = o->next)
		if (o->kind == kind && o->addr == site.addr && o->label == site.label)
			break;
	if (!o) {
		/* A slot holds no record only with nothing chained: records go all at once. */
		o = slot->kind ? aligned_alloc(sizeof(*o), sizeof(*o)) : slot;
		if (!o)
			return; /* without memory the site goes unrecorded; the counts stay exact */
		if (o != slot) {
			memset(o, 0, sizeof(*o));
			o->next = slot->next;
			slot->next = o;
		}
		o->addr = site.addr;
		o->label = site.label;
		WRITE_ONCE(o->kind, kind); /* snapshots peek at the slot's kind without the lock */
		__atomic_add_fetch(&owner_records, 1, __ATOMIC_RELAXED);
		raise_high_pfn(pfn + 1);
	}
	if (o->count <= 0)
		o->seq = seq_take(seqs);
	o->count += n;
}

/*
 * A release does not say which take it ends: charge it to the oldest outstanding
 * record of its kind on the page (@chain, the page's slot).
 */
static struct pin_owner *oldest_record(struct pin_owner *chain, unsigned int kind)
{
	struct pin_owner *o, *oldest = NULL;

	for (o = chain; o; o = o->next)
		if (o->kind == kind && o->count > 0 && (!oldest || o->seq < oldest->seq))
			oldest = o;
	return oldest;
}

/*
 * The record @site itself holds of @kind, if any: a call that takes and drops
 * within itself (FOLL_LONGTERM's unpin before migrating, GUP-fast giving back a
 * walk that raced fork) ends its own take, not an older one of another site.
 */
static struct pin_owner *own_record(struct pin_owner *chain, unsigned int kind,
				    struct owner_site site)
{
	for (struct pin_owner *o = chain; o; o = o->next)
		if (o->kind == kind && o->count > 0 && o->addr == site.addr &&
		    o->label == site.label)
			return o;
	return NULL;
}

/*
 * Drop @n of @kind from slot @pfn, released by @site; its lock held.
 * Return: how many of the @n had no record.
 */
static inline int drop_locked(struct pin_owner *table, unsigned long pfn, unsigned int kind, int n,
			      struct owner_site site, struct seq_block *seqs)
{
	struct pin_owner *o = &table[pfn];

	/* The common case, one record on the page, needs no search for the oldest. */
	if (likely(!o->next && o->kind == kind && o->count >= n)) {
		o->count -= n;
		if (!o->count) {
			o->released_seq = seq_take(seqs);
			o->released_addr = site.addr;
			o->released_label = site.label;
		}
		return 0;
	}
	while (n > 0 && ((o = own_record(&table[pfn], kind, site)) ||
			 (o = oldest_record(&table[pfn], kind)))) {
		int now = min_t(int, n, o->count);

		o->count -= now;
		n -= now;
		if (!o->count) {
			o->released_seq = seq_take(seqs);
			o->released_addr = site.addr;
			o->released_label = site.label;
		}
	}
	return n;
}

/* @head's chain of records (its slot), lock held; NULL when the boot took none. */
static struct pin_owner *chain_of(struct page *head)
{
	struct pin_owner *table = slots();
	unsigned long pfn = page_to_pfn(head);

	return table && pfn < owner_nr_slots ? &table[pfn] : NULL;
}

/*
 * Apply the thread's queued updates, in the order they happened. Pages of one GUP
 * call come in pfn order, so each stripe's lock is taken once per run of pages;
 * the site is the same for all of them, and their sequence numbers come from one
 * block.
 */
void pin_owner_flush(void)
{
	struct pin_owner *table = slots_for_take();
	unsigned int nr = pin_owner_here.nr_queued;
	struct owner_site site = current_site();
	struct seq_block seqs = thread_seqs();
	spinlock_t *held = NULL;

	pin_owner_here.nr_queued = 0;
	for (unsigned int i = 0; table && i < nr; i++) {
		const struct pin_owner_update *u = &pin_owner_here.queue[i];
		unsigned long pfn = page_to_pfn(u->head);

		if (unlikely(pfn >= owner_nr_slots))
			continue;
		if (owner_lock(pfn) != held) {
			if (held)
				spin_unlock(held);
			held = owner_lock(pfn);
			spin_lock(held);
		}
		if (u->delta > 0)
			take_locked(table, pfn, u->kind, u->delta, site, &seqs);
		else
			drop_locked(table, pfn, u->kind, -u->delta, site, &seqs);
	}
	if (held)
		spin_unlock(held);
	keep_seqs(&seqs);
}

int pin_owner_drop(struct page *head, unsigned int kind, int n)
{
	struct seq_block seqs;
	struct pin_owner *table;
	unsigned long pfn = page_to_pfn(head);

	pin_owner_settle();
	table = slots();
	if (!table || pfn >= owner_nr_slots)
		return n;
	seqs = thread_seqs();
	spin_lock(owner_lock(pfn));
	n = drop_locked(table, pfn, kind, n, current_site(), &seqs);
	spin_unlock(owner_lock(pfn));
	keep_seqs(&seqs);
	return n;
}

/* Empty slot @pfn and free what chains off it; its lock held. */
static void unlink_records(struct pin_owner *table, unsigned long pfn)
{
	struct pin_owner *slot = &table[pfn], *o;
	long gone = 1;

	while ((o = slot->next)) {
		slot->next = o->next;
		free(o);
		gone++;
	}
	WRITE_ONCE(slot->kind, 0); /* the field snapshots peek at: never a plain store */
	slot->count = 0;
	slot->addr = NULL;
	slot->label = NULL;
	slot->seq = slot->released_seq = 0;
	slot->released_addr = NULL;
	slot->released_label = NULL;
	__atomic_sub_fetch(&owner_records, gone, __ATOMIC_RELAXED);
}

void pin_owner_forget(struct page *head)
{
	struct pin_owner *table = slots();
	unsigned long pfn = page_to_pfn(head);

	pin_owner_settle();
	if (!__atomic_load_n(&owner_records, __ATOMIC_RELAXED) || !table || pfn >= owner_nr_slots)
		return;
	spin_lock(owner_lock(pfn));
	if (table[pfn].kind)
		unlink_records(table, pfn);
	spin_unlock(owner_lock(pfn));
}

void pin_owner_reset(void)
{
	struct pin_owner *table;
	unsigned long high;

	pin_owner_settle();
	table = slots();
	if (table) {
		high = __atomic_load_n(&owner_high_pfn, __ATOMIC_RELAXED);
		for (unsigned long pfn = 0; pfn < high; pfn++) {
			if (!READ_ONCE(table[pfn].kind))
				continue;
			spin_lock(owner_lock(pfn));
			unlink_records(table, pfn);
			spin_unlock(owner_lock(pfn));
		}
		pthread_mutex_lock(&owner_slots_lock);
		__atomic_store_n(&owner_slots, NULL, __ATOMIC_RELEASE);
		munmap(table, owner_nr_slots * sizeof(*table));
		owner_nr_slots = 0;
		__atomic_store_n(&owner_high_pfn, 0, __ATOMIC_RELAXED);
		pthread_mutex_unlock(&owner_slots_lock);
	}
	__atomic_store_n(&owner_seq, 0, __ATOMIC_RELAXED);
	__atomic_add_fetch(&owner_boot, 1, __ATOMIC_RELAXED);
}

/* --- naming sites --- */

static void site_name(const void *addr, const char *label, char *buf, size_t len)
{
	Dl_info info;

	if (label) {
		snprintf(buf, len, "%s", label);
		return;
	}
	if (addr && dladdr(addr, &info)) {
		if (info.dli_sname) {
			snprintf(buf, len, "%s+%#lx", info.dli_sname,
				 (unsigned long)((uintptr_t)addr - (uintptr_t)info.dli_saddr));
			return;
		}
		if (info.dli_fname) {
			const char *base = strrchr(info.dli_fname, '/');

			snprintf(buf, len, "%s+%#lx", base ? base + 1 : info.dli_fname,
				 (unsigned long)((uintptr_t)addr - (uintptr_t)info.dli_fbase));
			return;
		}
	}
	snprintf(buf, len, "%p", addr);
}

static void fill_record(struct sim_pin_record *rec, const struct pin_owner *o, struct page *head)
{
	rec->page = head;
	rec->pin = o->kind == FOLL_PIN;
	rec->count = o->count;
	rec->seq = o->seq;
	rec->addr = o->addr;
	site_name(o->addr, o->label, rec->site, sizeof(rec->site));
}

/* --- queries --- */

int sim_page_pins(struct page *page, struct sim_pin_record *recs, int max)
{
	struct page *head = compound_head(page);
	unsigned long pfn = page_to_pfn(head);
	struct pin_owner *o;
	int n = 0;

	pin_owner_settle();
	spin_lock(owner_lock(pfn));
	for (o = chain_of(head); o; o = o->next) {
		if (o->count <= 0)
			continue;
		if (n < max)
			fill_record(&recs[n], o, head);
		n++;
	}
	spin_unlock(owner_lock(pfn));
	return n;
}

/* Every outstanding record, copied out page by page; NULL (and *nr 0) if none. */
static struct sim_pin_record *snapshot_records(size_t *nr)
{
	struct pin_owner *table;
	struct sim_pin_record *recs = NULL, *grown;
	size_t n = 0, cap = 0;
	unsigned long high;

	pin_owner_settle();
	table = slots();
	high = __atomic_load_n(&owner_high_pfn, __ATOMIC_RELAXED);

	for (unsigned long pfn = 0; table && pfn < high; pfn++) {
		struct pin_owner *o;

		if (!READ_ONCE(table[pfn].kind))
			continue;
		spin_lock(owner_lock(pfn));
		for (o = &table[pfn]; o; o = o->next) {
			if (o->count <= 0)
				continue;
			if (n == cap) {
				cap = cap ? 2 * cap : 64;
				grown = realloc(recs, cap * sizeof(*recs));
				if (!grown)
					break;
				recs = grown;
			}
			fill_record(&recs[n++], o, pfn_to_page(pfn));
		}
		spin_unlock(owner_lock(pfn));
	}
	*nr = n;
	return recs;
}

int sim_for_each_pin(int (*fn)(const struct sim_pin_record *rec, void *arg), void *arg)
{
	size_t n;
	struct sim_pin_record *recs = snapshot_records(&n);
	int visited = 0;

	for (size_t i = 0; i < n; i++) {
		visited++;
		if (fn(&recs[i], arg))
			break;
	}
	free(recs);
	return visited;
}

/* Pins before references; then by site (the name, so a report reads the same every run). */
static int by_kind_and_site(const void *a, const void *b)
{
	const struct sim_pin_record *x = a, *y = b;
	int c;

	if (x->pin != y->pin)
		return x->pin ? -1 : 1;
	c = strcmp(x->site, y->site);
	if (c)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

unsigned long sim_report_pins(FILE *out)
{
	size_t n, i, j;
	struct sim_pin_record *recs = snapshot_records(&n);
	unsigned long total = 0;

	if (!n) {
		free(recs);
		return 0;
	}
	qsort(recs, n, sizeof(*recs), by_kind_and_site);
	if (out)
		fprintf(out, "libgup: unreleased GUP references by call site:\n");
	for (i = 0; i < n; i = j) {
		unsigned long count = 0, pages = 0;

		for (j = i;
		     j < n && recs[j].pin == recs[i].pin && !strcmp(recs[j].site, recs[i].site);
		     j++) {
			count += (unsigned long)recs[j].count;
			pages++;
		}
		total += count;
		if (out)
			fprintf(out,
				"  %lu %s on %lu page(s), taken at %s (first at seq %lu, pfn "
				"%#lx)\n",
				count, recs[i].pin ? "pin(s)" : "FOLL_GET reference(s)", pages,
				recs[i].site, recs[i].seq, page_to_pfn(recs[i].page));
	}
	free(recs);
	return total;
}

/* --- misuse --- */

static void print_page_history(struct page *head)
{
	unsigned long pfn = page_to_pfn(head);
	struct pin_owner *o;
	char site[96], released[96];
	bool any = false;

	pin_owner_settle();
	spin_lock(owner_lock(pfn));
	for (o = chain_of(head); o; o = o->next) {
		const char *kind = o->kind == FOLL_PIN ? "pin" : "FOLL_GET reference";

		if (!o->kind)
			continue; /* an empty slot */
		any = true;
		site_name(o->addr, o->label, site, sizeof(site));
		if (o->count > 0) {
			fprintf(stderr, "  %d %s(s) held, taken at %s (first at seq %lu)\n",
				o->count, kind, site, o->seq);
			continue;
		}
		site_name(o->released_addr, o->released_label, released, sizeof(released));
		fprintf(stderr, "  %s taken at %s (seq %lu), all released by %s (seq %lu)\n", kind,
			site, o->seq, released, o->released_seq);
	}
	spin_unlock(owner_lock(pfn));
	if (!any)
		fprintf(stderr,
			"  no GUP reference was taken on this page since it was allocated\n");
}

void pin_owner_bad_release(struct page *head, const char *why, const char *file, int line)
{
	const char *op = pin_owner_here.fn ? pin_owner_here.fn : "put_page";
	char caller[96];

	site_name(pin_owner_here.label ? NULL : pin_owner_here.addr, pin_owner_here.label, caller,
		  sizeof(caller));
	fprintf(stderr, "libgup: %s() called from %s: %s (pfn %#lx)\n", op, caller, why,
		page_to_pfn(head));
	dump_page(head, why);
	fprintf(stderr, "GUP references on pfn %#lx:\n", page_to_pfn(head));
	print_page_history(head);
	__gup_bug(file, line, op, why);
}

/* Does @head hold outstanding records of @kind? */
static bool holds(struct page *head, unsigned int kind)
{
	unsigned long pfn = page_to_pfn(head);
	bool found;

	pin_owner_settle();
	spin_lock(owner_lock(pfn));
	found = oldest_record(chain_of(head), kind) != NULL;
	spin_unlock(owner_lock(pfn));
	return found;
}

void pin_owner_bad_unpin(struct page *head, const char *file, int line)
{
	if (holds(head, FOLL_GET))
		pin_owner_bad_release(head,
				      "unpin of a FOLL_GET reference: those are released with "
				      "put_page()",
				      file, line);
	pin_owner_bad_release(head, "unpin of a page that holds no pin (unpinned twice?)", file,
			      line);
}

#else /* !CONFIG_DEBUG_VM: no records */

void sim_set_call_site(const char *site)
{
	(void)site;
}

int sim_page_pins(struct page *page, struct sim_pin_record *recs, int max)
{
	return -1;
}

int sim_for_each_pin(int (*fn)(const struct sim_pin_record *rec, void *arg), void *arg)
{
	return -1;
}

unsigned long sim_report_pins(FILE *out)
{
	return 0;
}

#endif

/*
 * put_page() from outside libgup ends a FOLL_GET reference GUP handed out (the
 * header calls this in debug builds for pages GUP has touched). A page that
 * holds pins and no such reference is being released the wrong way: BUG.
 */
void pin_owner_put_page(struct page *page)
{
	struct page *head = compound_head(page);
#ifdef CONFIG_DEBUG_VM
	PIN_OWNER_SCOPE_AS("put_page");

	if (pin_owner_drop(head, FOLL_GET, 1) && sim_page_gup_pins(head) > 0)
		pin_owner_bad_release(head,
				      "put_page() of a pinned page: pins are released with "
				      "unpin_user_page()",
				      __FILE__, __LINE__);
#endif
	if (unlikely(is_zone_device_page(head))) {
		put_devmap_page_refs(head, page_ref_sub_return(head, 1));
		return;
	}
	if (page_ref_dec_and_test(head))
		__put_page(head);
}
