// SPDX-License-Identifier: GPL-2.0-only
/*
 * The model-based fuzzing decoder: up to four tasks share a 16-page arena at a
 * fixed address; each operation runs on the simulated machine and on a plain
 * model (bytes per page, protections, COW copies at fork, shared objects), and
 * every result, byte read and GUP outcome must agree. In huge mode two 2 MiB
 * ranges (the huge arena) take THP operations too: MADV_(NO)HUGEPAGE, huge faults,
 * partial munmap, mprotect and MADV_DONTNEED (splits), GUP over huge ranges; and
 * one 2 MiB hugetlb range per task (private or shared, faults, fork and COW, pins,
 * munmap), whose bytes the model keeps at a few sample offsets.
 * The model reads the machine's semantics profile at boot and applies that
 * kernel's rule where the two differ (mseal: -ENOSYS under 5.11, sealed pages
 * under 6.18), and what each kernel promises about a pin's coherence: when a
 * pin is released, a pin the profile says must still be the page the task
 * maps there is checked against the task's page table (held_pin_coherent()).
 */
#include <stdarg.h>
#include <libgup.h>
#include <gup/testing.h>
#include "mm/internal.h"
#include "model_ops.h"
#include "gup_calls.h"

#include "model_int.h"

void __attribute__((format(printf, 2, 3))) diverged(struct model *m, const char *fmt, ...)
{
	va_list ap;

	if (m->log && !m->failed) {
		fprintf(m->log, "model: step %d: ", m->step);
		va_start(ap, fmt);
		vfprintf(m->log, fmt, ap);
		va_end(ap);
		fputc('\n', m->log);
	}
	m->failed = true;
}

void __attribute__((format(printf, 2, 3))) trace(struct model *m, const char *fmt, ...)
{
	va_list ap;

	if (!m->log)
		return;
	fprintf(m->log, "  %3d task %d: ", m->step, (int)(m->cur - m->tasks));
	va_start(ap, fmt);
	vfprintf(m->log, fmt, ap);
	va_end(ap);
	fputc('\n', m->log);
}

unsigned long slot_addr(int slot)
{
	return ARENA_BASE + (unsigned long)slot * PAGE_SIZE;
}

/* --- the model's pages --- */

static unsigned char *page_bytes(struct model_page *p)
{
	if (p->file && (p->shared || !p->bytes))
		return p->file->bytes[p->fpage]; /* the page cache's page */
	return p->shared ? p->object->bytes[p->index] : p->bytes;
}

/*
 * The bytes a store into @p changes: a private file page is copied first (COW),
 * a shared one is the file's, which the host no longer holds.
 */
static unsigned char *page_bytes_for_write(struct model_page *p)
{
	if (p->file && !p->shared && !p->bytes) {
		p->bytes = malloc(PAGE_SIZE);
		memcpy(p->bytes, p->file->bytes[p->fpage], PAGE_SIZE);
		p->incarnation = new_incarnation();
	}
	if (p->file && p->shared)
		p->file->synced[p->fpage] = false;
	return page_bytes(p);
}

void drop_page(struct model_page *p)
{
	if (p->mapped && p->shared && p->object && --p->object->users == 0)
		free(p->object);
	if (p->mapped && !p->shared)
		free(p->bytes);
	*p = (struct model_page){0};
}

/* A fresh identity for a model page whose machine page may be a new one. */
unsigned long new_incarnation(void)
{
	static unsigned long last;

	return ++last;
}

static void map_private(struct model_page *p, int prot)
{
	drop_page(p);
	*p = (struct model_page){.mapped = true, .prot = prot, .incarnation = new_incarnation()};
	p->bytes = calloc(1, PAGE_SIZE);
}

static void map_shared(struct model_page *p, int prot, struct model_object *object, int index)
{
	drop_page(p);
	*p = (struct model_page){
		.mapped = true, .shared = true, .prot = prot, .object = object, .index = index};
	object->users++;
}

/* What a child gets for @parent's page at fork. */
static void fork_page(struct model_page *child, const struct model_page *parent)
{
	*child = (struct model_page){0};
	if (!parent->mapped || parent->dontfork)
		return;
	*child = *parent;
	if (parent->shared) {
		if (child->object)
			child->object->users++;
		return;
	}
	child->incarnation = new_incarnation();
	if (parent->file && !parent->bytes)
		return; /* both still read the page cache */
	child->bytes = calloc(1, PAGE_SIZE);
	if (!parent->wipeonfork)
		memcpy(child->bytes, parent->bytes, PAGE_SIZE);
}

/* May a user load or store reach @p? */
static bool user_may_access(const struct model_page *p, bool write)
{
	if (!p->mapped || (p->file && !file_page_in_eof(p)))
		return false; /* beyond EOF: SIGBUS */
	return write ? p->prot & PROT_WRITE : p->prot != PROT_NONE;
}

/* May GUP with FOLL_WRITE = @write and FOLL_FORCE = @force get @p (check_vma_flags)? */
bool gup_may_access(const struct model_page *p, bool write, bool force)
{
	if (!p->mapped || (p->file && !file_page_in_eof(p)))
		return false;
	if (write)
		return (p->prot & PROT_WRITE) || (force && !p->shared);
	return (p->prot & PROT_READ) || force;
}

/* Bytes of [addr, addr + len) a user access reaches before the first refusal. */
size_t accessible_prefix(struct model_task *mt, unsigned long addr, size_t len, bool write,
			 bool gup, bool force)
{
	size_t done = 0;

	while (done < len) {
		unsigned long at = addr + done;
		struct model_page *p = &mt->pages[(at - ARENA_BASE) >> PAGE_SHIFT];
		size_t chunk = min_t(size_t, len - done, PAGE_SIZE - (at & ~PAGE_MASK));

		if (gup ? !gup_may_access(p, write, force) : !user_may_access(p, write))
			break;
		done += chunk;
	}
	return done;
}

void model_copy(struct model_task *mt, unsigned long addr, void *buf, size_t len, bool to_model)
{
	unsigned char *b = buf;

	while (len) {
		struct model_page *p = &mt->pages[(addr - ARENA_BASE) >> PAGE_SHIFT];
		size_t off = addr & ~PAGE_MASK, chunk = min_t(size_t, len, PAGE_SIZE - off);

		if (to_model)
			memcpy(page_bytes_for_write(p) + off, b, chunk);
		else
			memcpy(b, page_bytes(p) + off, chunk);
		addr += chunk;
		b += chunk;
		len -= chunk;
	}
}

/* --- the huge arena's pages (huge mode) --- */

static void huge_drop(struct model_huge_page *p)
{
	free(p->bytes);
	*p = (struct model_huge_page){0};
}

static void huge_zero(struct model_huge_page *p)
{
	free(p->bytes);
	p->bytes = NULL;
}

static unsigned char *huge_bytes_for_write(struct model_huge_page *p)
{
	if (!p->bytes)
		p->bytes = calloc(1, PAGE_SIZE);
	return p->bytes;
}

static bool huge_page_holds(const struct model_huge_page *p, const unsigned char *frame)
{
	static const unsigned char zeros[PAGE_SIZE];

	return !memcmp(frame, p->bytes ? p->bytes : zeros, PAGE_SIZE);
}

static void huge_fork(struct model_task *child, const struct model_task *parent)
{
	for (int i = 0; i < HUGE_PAGES; i++) {
		const struct model_huge_page *p = &parent->huge[i];

		child->huge[i] = (struct model_huge_page){.mapped = p->mapped, .prot = p->prot};
		if (p->mapped && p->bytes)
			memcpy(huge_bytes_for_write(&child->huge[i]), p->bytes, PAGE_SIZE);
	}
}

/* Is any page of [slot, slot + n) sealed (then the range refuses change)? */
bool range_sealed(const struct model_task *mt, int slot, int n)
{
	for (int i = slot; i < slot + n; i++)
		if (mt->pages[i].mapped && mt->pages[i].sealed)
			return true;
	return false;
}

/* Private anonymous memory the task cannot write: a seal keeps it from being discarded. */
static bool sealed_ro_anon(const struct model_page *p)
{
	return p->mapped && p->sealed && !p->shared && !p->file && !(p->prot & PROT_WRITE);
}

/* --- decoding helpers --- */

int slot_of(uint8_t byte)
{
	return byte % ARENA_PAGES;
}

/* A page count from @byte that keeps [slot, slot + n) inside the arena. */
int count_of(uint8_t byte, int slot)
{
	return 1 + byte % (ARENA_PAGES - slot);
}

int prot_of(uint8_t bits)
{
	static const int prots[] = {PROT_NONE, PROT_READ, PROT_READ | PROT_WRITE,
				    PROT_READ | PROT_WRITE};

	return prots[bits & 3];
}

struct model_task *task_of(struct model *m, uint8_t byte)
{
	struct model_task *mt = &m->tasks[byte % MAX_TASKS];

	return mt->task ? mt : m->cur;
}

void fill_pattern(struct model *m, unsigned char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (unsigned char)(m->step * 131 + i * 7 + 1);
}

/* --- the hugetlb range's model (huge mode) --- */

static void hugetlb_drop(struct model_hugetlb *h)
{
	if (h->object && !--h->object->users)
		free(h->object);
	*h = (struct model_hugetlb){0};
}

static struct hugetlb_bytes *hugetlb_bytes_of(struct model_hugetlb *h)
{
	return h->object ? &h->object->bytes : &h->bytes;
}

/* The child shares the object of a shared range and copies a private one's bytes. */
static void hugetlb_fork(struct model_task *child, struct model_task *parent)
{
	child->hugetlb = parent->hugetlb;
	if (child->hugetlb.object)
		child->hugetlb.object->users++;
}

/* --- operations --- */

static void op_mmap(struct model *m, const struct model_op *op)
{
	int slot = slot_of(op->a), n = count_of(op->b, slot), prot = prot_of(op->c);
	bool shared = op->c & 4, populate = op->c & 8;
	unsigned long flags = MAP_FIXED | MAP_ANONYMOUS | (shared ? MAP_SHARED : MAP_PRIVATE) |
			      (populate ? MAP_POPULATE : 0);
	unsigned long ret = sys_mmap(slot_addr(slot), n * PAGE_SIZE, prot, flags, -1, 0);
	struct model_object *object = NULL;

	trace(m, "mmap slot %d n %d prot %d %s%s", slot, n, prot, shared ? "shared" : "private",
	      populate ? " populate" : "");
	/* MAP_FIXED over a sealed page unmaps nothing and maps nothing. */
	if (range_sealed(m->cur, slot, n)) {
		if (ret != (unsigned long)-EPERM)
			diverged(m, "mmap over a sealed page returned %#lx, expected -EPERM", ret);
		return;
	}
	if (ret != slot_addr(slot)) {
		diverged(m, "mmap returned %#lx, expected %#lx", ret, slot_addr(slot));
		return;
	}
	if (shared)
		object = calloc(1, sizeof(*object));
	for (int i = 0; i < n; i++) {
		if (shared)
			map_shared(&m->cur->pages[slot + i], prot, object, i);
		else
			map_private(&m->cur->pages[slot + i], prot);
	}
}

static void op_munmap(struct model *m, const struct model_op *op)
{
	int slot = slot_of(op->a), n = count_of(op->b, slot);
	int ret = sys_munmap(slot_addr(slot), n * PAGE_SIZE);

	trace(m, "munmap slot %d n %d", slot, n);
	if (range_sealed(m->cur, slot, n)) {
		if (ret != -EPERM)
			diverged(m, "munmap of a sealed page returned %d, expected -EPERM", ret);
		return;
	}
	if (ret)
		diverged(m, "munmap returned %d", ret);
	for (int i = 0; i < n; i++)
		drop_page(&m->cur->pages[slot + i]);
	if (m->file_mode)
		file_check_synced(m);
}

/* mseal (the mprotect opcode with bit 7 of its last byte set). */
static void op_mseal(struct model *m, int slot, int n)
{
	int ret = sys_mseal(slot_addr(slot), n * PAGE_SIZE, 0);
	int expect = m->has_mseal ? 0 : -ENOSYS, i;

	trace(m, "mseal slot %d n %d", slot, n);
	for (i = slot; i < slot + n && m->cur->pages[i].mapped; i++)
		;
	/* A hole anywhere: nothing is sealed. */
	if (m->has_mseal && i < slot + n)
		expect = -ENOMEM;
	if (ret != expect)
		diverged(m, "mseal returned %d, expected %d", ret, expect);
	for (i = slot; !expect && i < slot + n; i++)
		m->cur->pages[i].sealed = true;
}

static void op_mprotect(struct model *m, const struct model_op *op)
{
	int slot = slot_of(op->a), n = count_of(op->b, slot), prot = prot_of(op->c);
	int ret, expect = 0, i;

	if (op->c & 0x80) {
		op_mseal(m, slot, n);
		return;
	}
	ret = sys_mprotect(slot_addr(slot), n * PAGE_SIZE, prot);
	trace(m, "mprotect slot %d n %d prot %d", slot, n, prot);
	if (range_sealed(m->cur, slot, n)) {
		if (ret != -EPERM)
			diverged(m, "mprotect of a sealed page returned %d, expected -EPERM", ret);
		return;
	}
	/* VMAs before a hole are changed, those after it are not. */
	for (i = slot; i < slot + n && m->cur->pages[i].mapped; i++) {
		if (!(prot & PROT_WRITE))
			m->cur->pages[i].wp_events++;
		m->cur->pages[i].prot = prot;
	}
	if (i < slot + n)
		expect = -ENOMEM;
	if (ret != expect)
		diverged(m, "mprotect returned %d, expected %d", ret, expect);
}

/* Apply madvise @behavior to the model's page @p; returns the errno it meets, or 0. */
static int advise_page(struct model_page *p, int behavior)
{
	switch (behavior) {
	case MADV_DONTNEED:
		if (p->file && !p->shared) { /* the COW copy goes: the file's page again */
			free(p->bytes);
			p->bytes = NULL;
		} else if (!p->shared) {
			memset(p->bytes, 0, PAGE_SIZE);
		}
		p->incarnation = new_incarnation();
		break;
	case MADV_DONTFORK:
		p->dontfork = true;
		break;
	case MADV_DOFORK:
		p->dontfork = false;
		break;
	case MADV_WIPEONFORK:
		if (p->shared || p->file)
			return -EINVAL;
		p->wipeonfork = true;
		break;
	case MADV_KEEPONFORK:
		p->wipeonfork = false;
		break;
	}
	return 0;
}

static void op_madvise(struct model *m, const struct model_op *op)
{
	static const int behaviors[] = {MADV_DONTNEED, MADV_DONTFORK, MADV_DOFORK, MADV_WIPEONFORK,
					MADV_KEEPONFORK};
	int slot = slot_of(op->a), n = count_of(op->b, slot);
	int behavior = behaviors[op->c % ARRAY_SIZE(behaviors)];
	int ret = sys_madvise(slot_addr(slot), n * PAGE_SIZE, behavior);
	int expect = 0, unmapped = 0;

	trace(m, "madvise slot %d n %d behavior %d", slot, n, behavior);
	/* Discarding advice on sealed read-only anonymous memory changes nothing. */
	if (behavior == MADV_DONTNEED || behavior == MADV_DONTFORK || behavior == MADV_WIPEONFORK)
		for (int i = slot; i < slot + n; i++)
			if (sealed_ro_anon(&m->cur->pages[i]))
				expect = -EPERM;
	if (expect) {
		if (ret != expect)
			diverged(m, "madvise(%d) of sealed memory returned %d, expected -EPERM",
				 behavior, ret);
		return;
	}
	for (int i = slot; i < slot + n && !expect; i++) {
		if (!m->cur->pages[i].mapped)
			unmapped = -ENOMEM;
		else
			expect = advise_page(&m->cur->pages[i], behavior);
	}
	if (!expect)
		expect = unmapped;
	if (ret != expect)
		diverged(m, "madvise(%d) returned %d, expected %d", behavior, ret, expect);
}

static struct model_task *free_task_slot(struct model *m)
{
	for (int i = 0; i < MAX_TASKS; i++)
		if (!m->tasks[i].task)
			return &m->tasks[i];
	return NULL;
}

static void op_fork(struct model *m, const struct model_op *op)
{
	struct model_task *child = free_task_slot(m);

	(void)op;
	if (!child)
		return;
	trace(m, "fork -> task %d", (int)(child - m->tasks));
	child->task = sys_fork();
	if (!child->task) {
		diverged(m, "fork failed");
		return;
	}
	for (int i = 0; i < ARENA_PAGES; i++)
		fork_page(&child->pages[i], &m->cur->pages[i]);
	huge_fork(child, m->cur);
	hugetlb_fork(child, m->cur);
}

static void op_switch(struct model *m, const struct model_op *op)
{
	m->cur = task_of(m, op->a);
	set_current(m->cur->task);
	trace(m, "switch");
}

/* Decode an access [addr, addr + len) inside the arena from two bytes. */
static void access_range(const struct model_op *op, unsigned long *addr, size_t *len)
{
	*addr = slot_addr(slot_of(op->a)) + ((op->b * 16UL) & ~PAGE_MASK);
	*len = min_t(size_t, 1 + op->c * 24UL, ARENA_END - *addr);
	*len = min_t(size_t, *len, MAX_ACCESS);
}

static void op_write(struct model *m, const struct model_op *op)
{
	unsigned char buf[MAX_ACCESS];
	unsigned long addr, left;
	size_t len, expect;

	access_range(op, &addr, &len);
	fill_pattern(m, buf, len);
	expect = accessible_prefix(m->cur, addr, len, true, false, false);
	trace(m, "write %#lx len %zu", addr, len);
	left = copy_to_user(addr, buf, len);
	if (len - left != expect)
		diverged(m, "write at %#lx copied %zu of %zu, expected %zu", addr, len - left, len,
			 expect);
	model_copy(m->cur, addr, buf, len - left, true);
}

static void op_read(struct model *m, const struct model_op *op)
{
	unsigned char buf[MAX_ACCESS], want[MAX_ACCESS];
	unsigned long addr, left;
	size_t len, expect;

	access_range(op, &addr, &len);
	expect = accessible_prefix(m->cur, addr, len, false, false, false);
	trace(m, "read %#lx len %zu", addr, len);
	left = copy_from_user(buf, addr, len);
	if (len - left != expect) {
		diverged(m, "read at %#lx copied %zu of %zu, expected %zu", addr, len - left, len,
			 expect);
		return;
	}
	model_copy(m->cur, addr, want, expect, false);
	for (size_t i = 0; i < expect; i++)
		if (buf[i] != want[i]) {
			diverged(m, "read at %#lx: byte %zu is %#x, model has %#x", addr, i, buf[i],
				 want[i]);
			return;
		}
}

/* --- GUP --- */

/*
 * The got pages must hold what the model says; a page got for writing then
 * takes a mark written through it, as a device would DMA into it.
 */
void check_got_pages(struct model *m, struct model_task *mt, int slot, long got,
		     struct page **pages, bool write)
{
	for (long i = 0; i < got; i++) {
		struct model_page *p = &mt->pages[slot + i];
		unsigned char *frame = page_address(pages[i]);

		if (memcmp(frame, page_bytes(p), PAGE_SIZE)) {
			diverged(m, "gup page %ld (slot %ld) does not hold the model's bytes", i,
				 slot + i);
			return;
		}
		if (write) {
			unsigned long off = (m->step * GUP_MARK_BYTES) & ~PAGE_MASK;

			fill_pattern(m, frame + off, GUP_MARK_BYTES);
			memcpy(page_bytes_for_write(p) + off, frame + off, GUP_MARK_BYTES);
		}
	}
}

long expected_gup(long accessible, int n)
{
	if (accessible == n)
		return n;
	return accessible ? accessible : -EFAULT;
}

static void op_gup(struct model *m, const struct model_op *op)
{
	enum gup_entry v = (op->c & 0xf) % NR_GUP_ENTRIES;
	bool write = op->c & 0x10, force = op->c & 0x20;
	struct model_task *mt =
		gup_entry_flavour(v) == GUP_REMOTE ? task_of(m, op->c >> 6) : m->cur;
	int slot = slot_of(op->a), n = min_t(int, 1 + (op->b & 15), ARENA_PAGES - slot);
	unsigned int flags = (write ? FOLL_WRITE : 0) | (force ? FOLL_FORCE : 0);
	struct page *pages[ARENA_PAGES];
	long accessible, got, expect;
	int locked;

	if (m->nr_held + n > MAX_HELD)
		return;
	accessible = accessible_prefix(mt, slot_addr(slot), n * PAGE_SIZE, write, true, force) >>
		     PAGE_SHIFT;
	trace(m, "gup variant %d of task %d slot %d n %d%s%s", v, (int)(mt - m->tasks), slot, n,
	      write ? " write" : "", force ? " force" : "");
	/* get_user_pages_remote() may let a fault drop the lock, the pin one not. */
	got = gup_call_entry(v, mt->task->mm, slot_addr(slot), n, flags, pages, NULL,
			     v == GUP_PIN_REMOTE ? NULL : &locked);
	expect = expected_gup(accessible, n);
	if (v == GUP_PIN_FAST_ONLY && !m->has_pin_fast_only) {
		if (got != -EINVAL)
			diverged(m, "pin_user_pages_fast_only returned %ld, expected -EINVAL", got);
		return;
	}
	if (gup_entry_flavour(v) == GUP_FAST_ONLY ? got < 0 || got > accessible : got != expect) {
		diverged(m, "gup variant %d returned %ld, expected %ld", v, got, expect);
		return;
	}
	check_got_pages(m, mt, slot, got, pages, write);
	hold_got_pages(m, mt, slot, got, pages, gup_entry_pins(v), write);
}

void hold_got_pages(struct model *m, struct model_task *mt, int slot, long got, struct page **pages,
		    bool pinned, bool write)
{
	for (long i = 0; i < got; i++) {
		struct model_page *p = &mt->pages[slot + i];

		m->held[m->nr_held++] = (struct held_page){
			.page = pages[i],
			.pinned = pinned,
			/* A private file page not yet copied is the page cache's. */
			.private_anon = !p->shared && (p->prot & PROT_READ) &&
					!(p->file && !p->bytes) &&
					!is_zero_pfn(page_to_pfn(pages[i])),
			.write = write,
			.writable = p->prot & PROT_WRITE,
			.task = (int)(mt - m->tasks),
			.slot = slot + (int)i,
			.incarnation = p->incarnation,
			.wp_events = p->wp_events,
		};
	}
}

/*
 * Must the pin @h still be the page its task maps at its slot? Only while the
 * model page is the same one (not unmapped, discarded or gone with its task),
 * and only as far as the kernel promises it:
 * - 6.18 (5.19's exclusivity): any FOLL_PIN of a private anonymous page: a
 *   R/O pin unshared it first, fork copies a pinned exclusive page for the
 *   child, and a write fault reuses an exclusive page.
 * - 5.11: a R/W pin of a writable mapping, until an mprotect() takes write
 *   access away: a later write fault sees the pin's references and copies
 *   (the cow.c R/W pin and mprotect case; a forced write pin of a read-only
 *   mapping leaves such a read-only PTE from the start); a R/O pin of a page fork shared is copied away by the next
 *   write, so it promises nothing. FOLL_GET references promise nothing either.
 */
static bool held_pin_must_be_coherent(struct model *m, const struct held_page *h)
{
	const struct model_task *mt = &m->tasks[h->task];
	const struct model_page *p = &mt->pages[h->slot];

	if (!h->pinned || !h->private_anon || !mt->task || !p->mapped || p->shared ||
	    p->incarnation != h->incarnation)
		return false;
	if (m->has_mseal) /* the 6.18 profile */
		return true;
	return h->write && h->writable && p->wp_events == h->wp_events;
}

/* The page the task of @h maps at its slot now, or NULL. */
static struct page *mapped_page(const struct model *m, const struct held_page *h)
{
	struct mm_struct *mm = m->tasks[h->task].task->mm;
	struct page *page = NULL;
	pte_t *pte;

	mmap_read_lock(mm);
	pte = mm_find_pte(mm, slot_addr(h->slot), NULL);
	if (pte && pte_present(ptep_get(pte)))
		page = pfn_to_page(pte_pfn(ptep_get(pte)));
	mmap_read_unlock(mm);
	return page;
}

static void check_held_coherent(struct model *m, const struct held_page *h)
{
	struct page *now;

	if (!held_pin_must_be_coherent(m, h))
		return;
	now = mapped_page(m, h);
	/* Not faulted back in since (a swapped or migrated entry would show here too). */
	if (now && now != h->page)
		diverged(m,
			 "%s pin of task %d slot %d lost coherence: pinned pfn %#lx, mapped %#lx",
			 h->write ? "R/W" : "R/O", h->task, h->slot, page_to_pfn(h->page),
			 page_to_pfn(now));
}

static void release_held(struct model *m, int i)
{
	struct held_page h = m->held[i];

	check_held_coherent(m, &h);
	if (h.pinned)
		unpin_user_page(h.page);
	else
		put_page(h.page);
	m->held[i] = m->held[--m->nr_held];
}

void release_held_dirty(struct model *m, int i, bool dirty)
{
	struct held_page h = m->held[i];

	check_held_coherent(m, &h);
	if (h.pinned) {
		unpin_user_pages_dirty_lock(&h.page, 1, dirty);
	} else {
		if (dirty)
			set_page_dirty_lock(h.page);
		put_page(h.page);
	}
	m->held[i] = m->held[--m->nr_held];
}

static void op_release(struct model *m, const struct model_op *op)
{
	if (!m->nr_held)
		return;
	trace(m, "release held %d", op->a % m->nr_held);
	release_held(m, op->a % m->nr_held);
}

static void op_access_remote(struct model *m, const struct model_op *op)
{
	struct model_task *mt = task_of(m, op->b >> 6);
	bool write = op->c & 1, force = op->c & 2;
	unsigned char buf[MAX_ACCESS], want[MAX_ACCESS];
	unsigned long addr;
	size_t len, expect;
	int done;

	access_range(op, &addr, &len);
	expect = accessible_prefix(mt, addr, len, write, true, force);
	if (write)
		fill_pattern(m, buf, len);
	trace(m, "access_remote of task %d %#lx len %zu%s%s", (int)(mt - m->tasks), addr, len,
	      write ? " write" : "", force ? " force" : "");
	done = access_process_vm(mt->task, addr, buf, (int)len,
				 (write ? FOLL_WRITE : 0) | (force ? FOLL_FORCE : 0));
	if (done != (int)expect) {
		diverged(m, "access_remote copied %d of %zu, expected %zu", done, len, expect);
		return;
	}
	if (write) {
		model_copy(mt, addr, buf, expect, true);
		return;
	}
	model_copy(mt, addr, want, expect, false);
	if (memcmp(buf, want, expect))
		diverged(m, "access_remote read at %#lx differs from the model", addr);
}

static void drop_task(struct model_task *mt)
{
	for (int i = 0; i < ARENA_PAGES; i++)
		drop_page(&mt->pages[i]);
	for (int i = 0; i < HUGE_PAGES; i++)
		huge_drop(&mt->huge[i]);
	hugetlb_drop(&mt->hugetlb);
	task_exit(mt->task);
	mt->task = NULL;
}

static bool start_task(struct model *m, struct model_task *mt)
{
	mt->task = task_create("model");
	if (!mt->task) {
		diverged(m, "task_create failed");
		return false;
	}
	m->cur = mt;
	set_current(mt->task);
	if (m->file_mode)
		file_mode_task_started(m);
	return true;
}

static void op_exit(struct model *m, const struct model_op *op)
{
	(void)op;
	trace(m, "exit");
	drop_task(m->cur);
	set_current(NULL);
	for (int i = 0; i < MAX_TASKS; i++)
		if (m->tasks[i].task) {
			m->cur = &m->tasks[i];
			set_current(m->cur->task);
			if (m->file_mode)
				file_check_synced(m);
			return;
		}
	if (m->file_mode)
		file_mode_all_exited(m);
	start_task(m, &m->tasks[0]);
}

/* --- the huge arena (huge mode) --- */

static unsigned long huge_addr(int index)
{
	return HUGE_BASE + (unsigned long)index * PAGE_SIZE;
}

/*
 * The pages [first, first + n) of the huge arena: the bytes of one decoded range.
 * Return: -ENOMEM when some page in it is unmapped (the call still acts on the
 * mapped ones before the hole, or on all, as the caller's syscall does), else 0.
 */
static int huge_hole(struct model_task *mt, int first, int n)
{
	for (int i = first; i < first + n; i++)
		if (!mt->huge[i].mapped)
			return -ENOMEM;
	return 0;
}

/* The decoded place of a huge operation: a page of one range and a count within it. */
struct huge_place {
	int range, first, n;
};

static struct huge_place huge_place_of(const struct model_op *op)
{
	struct huge_place at = {.range = (op->a >> 3) & 1};
	int page = (op->b | ((op->c & 1) << 8)) % HPAGE_PMD_NR;

	at.first = at.range * HPAGE_PMD_NR + page;
	/* 16 to 512 pages, in steps of 16, kept inside the range. */
	at.n = min_t(int, (((op->c >> 1) & 0x1f) + 1) * 16, HPAGE_PMD_NR - page);
	return at;
}

static void huge_map(struct model *m, const struct model_op *op, struct huge_place at)
{
	int prot = op->c & 2 ? PROT_READ : PROT_READ | PROT_WRITE;
	unsigned long base = huge_addr(at.range * HPAGE_PMD_NR), ret;
	bool advise = op->c & 4;
	int err;

	trace(m, "huge map range %d prot %d%s", at.range, prot, advise ? " hugepage" : "");
	ret = sys_mmap(base, HPAGE_PMD_SIZE, prot, MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ret != base) {
		diverged(m, "huge mmap returned %#lx, expected %#lx", ret, base);
		return;
	}
	for (int i = 0; i < HPAGE_PMD_NR; i++) {
		huge_drop(&m->cur->huge[at.range * HPAGE_PMD_NR + i]);
		m->cur->huge[at.range * HPAGE_PMD_NR + i] =
			(struct model_huge_page){.mapped = true, .prot = prot};
	}
	err = advise ? sys_madvise(base, HPAGE_PMD_SIZE, MADV_HUGEPAGE) : 0;
	if (err)
		diverged(m, "madvise(MADV_HUGEPAGE) of a mapped range returned %d", err);
}

/* MADV_HUGEPAGE / MADV_NOHUGEPAGE on a whole aligned range: no data changes. */
static void huge_advise(struct model *m, const struct model_op *op, struct huge_place at)
{
	int behavior = op->c & 2 ? MADV_NOHUGEPAGE : MADV_HUGEPAGE;
	int first = at.range * HPAGE_PMD_NR;
	int ret = sys_madvise(huge_addr(first), HPAGE_PMD_SIZE, behavior);
	int expect = huge_hole(m->cur, first, HPAGE_PMD_NR);

	trace(m, "huge madvise range %d behavior %d", at.range, behavior);
	if (ret != expect)
		diverged(m, "madvise(%d) of a huge range returned %d, expected %d", behavior, ret,
			 expect);
}

/* A load or store of GUP_MARK_BYTES in one page: the fault that makes (or splits) a THP. */
static void huge_touch(struct model *m, const struct model_op *op, struct huge_place at)
{
	struct model_huge_page *p = &m->cur->huge[at.first];
	unsigned long off = ((op->c >> 1) * 64UL) & (PAGE_SIZE - 1);
	unsigned long addr = huge_addr(at.first) + off;
	bool write = !(op->c & 0x80);
	unsigned char buf[GUP_MARK_BYTES];
	bool may = p->mapped && (write ? p->prot & PROT_WRITE : p->prot != PROT_NONE);
	unsigned long left;

	trace(m, "huge %s %#lx", write ? "write" : "read", addr);
	if (write) {
		fill_pattern(m, buf, sizeof(buf));
		left = copy_to_user(addr, buf, sizeof(buf));
	} else {
		left = copy_from_user(buf, addr, sizeof(buf));
	}
	if ((left == 0) != may) {
		diverged(m, "huge %s at %#lx left %lu, expected %s", write ? "write" : "read", addr,
			 left, may ? "success" : "a fault");
		return;
	}
	if (!may)
		return;
	if (write)
		memcpy(huge_bytes_for_write(p) + off, buf, sizeof(buf));
	else if (memcmp(buf, p->bytes ? p->bytes + off : (unsigned char[GUP_MARK_BYTES]){0},
			sizeof(buf)))
		diverged(m, "huge read at %#lx differs from the model", addr);
}

/* munmap, mprotect or MADV_DONTNEED of part of a huge range: the pmd splits. */
static void huge_cut(struct model *m, const struct model_op *op, struct huge_place at, int sub)
{
	unsigned long addr = huge_addr(at.first), len = (unsigned long)at.n * PAGE_SIZE;
	int prot = prot_of(op->a >> 4), expect = 0, ret, i;

	switch (sub) {
	case 3:
		trace(m, "huge munmap %#lx n %d", addr, at.n);
		ret = sys_munmap(addr, len);
		for (i = at.first; i < at.first + at.n; i++)
			huge_drop(&m->cur->huge[i]);
		break;
	case 4:
		trace(m, "huge mprotect %#lx n %d prot %d", addr, at.n, prot);
		ret = sys_mprotect(addr, len, prot);
		for (i = at.first; i < at.first + at.n && m->cur->huge[i].mapped; i++)
			m->cur->huge[i].prot = prot;
		expect = i < at.first + at.n ? -ENOMEM : 0;
		break;
	default:
		trace(m, "huge dontneed %#lx n %d", addr, at.n);
		ret = sys_madvise(addr, len, MADV_DONTNEED);
		for (i = at.first; i < at.first + at.n; i++)
			if (m->cur->huge[i].mapped)
				huge_zero(&m->cur->huge[i]);
		expect = huge_hole(m->cur, at.first, at.n);
		break;
	}
	if (ret != expect)
		diverged(m, "huge cut %d at %#lx returned %d, expected %d", sub, addr, ret, expect);
}

static struct huge_batch *free_batch(struct model *m)
{
	for (int i = 0; i < HUGE_BATCHES; i++)
		if (!m->batches[i].nr)
			return &m->batches[i];
	return NULL;
}

/* GUP-fast over up to a whole huge range; each page got holds the model's bytes. */
static void huge_gup(struct model *m, const struct model_op *op, struct huge_place at)
{
	bool write = op->c & 0x40, pin = op->c & 0x80;
	unsigned int flags = write ? FOLL_WRITE : 0;
	struct huge_batch *batch = free_batch(m);
	long accessible = 0, got, expect;

	if (!batch)
		return;
	while (accessible < at.n && m->cur->huge[at.first + accessible].mapped &&
	       (m->cur->huge[at.first + accessible].prot & (write ? PROT_WRITE : PROT_READ)))
		accessible++;
	trace(m, "huge %s %#lx n %d%s", pin ? "pin" : "get", huge_addr(at.first), at.n,
	      write ? " write" : "");
	got = pin ? pin_user_pages_fast(huge_addr(at.first), at.n, flags, batch->pages)
		  : get_user_pages_fast(huge_addr(at.first), at.n, flags, batch->pages);
	expect = expected_gup(accessible, at.n);
	if (got != expect) {
		diverged(m, "huge gup returned %ld, expected %ld", got, expect);
		if (got > 0) /* hand them back: the leak check is not what failed */
			batch->nr = (int)got, batch->pinned = pin;
		return;
	}
	batch->nr = got > 0 ? (int)got : 0;
	batch->pinned = pin;
	for (long i = 0; i < batch->nr; i++) {
		struct model_huge_page *p = &m->cur->huge[at.first + i];
		unsigned char *frame = page_address(batch->pages[i]);

		if (!huge_page_holds(p, frame)) {
			diverged(m, "huge gup page %ld does not hold the model's bytes", i);
			return;
		}
		/* 6.18 counts no pin of the (huge) zero page (sim_pin_is_counted()). */
		if (pin && sim_pin_is_counted(batch->pages[i]) &&
		    !page_maybe_dma_pinned(batch->pages[i])) {
			diverged(m, "huge gup page %ld is pinned but not page_maybe_dma_pinned", i);
			return;
		}
		if (write) { /* a device writes into the page: the task sees it */
			unsigned long off = (m->step * GUP_MARK_BYTES) & ~PAGE_MASK;

			fill_pattern(m, frame + off, GUP_MARK_BYTES);
			memcpy(huge_bytes_for_write(p) + off, frame + off, GUP_MARK_BYTES);
		}
	}
}

static void release_batch(struct huge_batch *batch, bool dirty)
{
	if (batch->pinned)
		unpin_user_pages_dirty_lock(batch->pages, (unsigned long)batch->nr, dirty);
	else
		for (int i = 0; i < batch->nr; i++)
			put_page(batch->pages[i]);
	batch->nr = 0;
}

static void op_huge(struct model *m, const struct model_op *op)
{
	struct huge_place at = huge_place_of(op);
	int sub = op->a & 7;

	switch (sub) {
	case 0:
		huge_map(m, op, at);
		break;
	case 1:
		huge_advise(m, op, at);
		break;
	case 2:
		huge_touch(m, op, at);
		break;
	case 3:
	case 4:
	case 5:
		huge_cut(m, op, at, sub);
		break;
	case 6:
		huge_gup(m, op, at);
		break;
	default:
		if (m->batches[op->b % HUGE_BATCHES].nr) {
			trace(m, "huge release batch %d", op->b % HUGE_BATCHES);
			release_batch(&m->batches[op->b % HUGE_BATCHES], op->c & 1);
		}
		break;
	}
}

/* --- the hugetlb range (huge mode) --- */

static unsigned long hugetlb_slot_addr(int slot)
{
	return HUGETLB_BASE + (unsigned long)slot * HUGETLB_SLOT_SIZE;
}

/* mmap a private or shared 2 MiB hugetlb page over the range (MAP_FIXED). */
static void hugetlb_map(struct model *m, const struct model_op *op)
{
	struct model_hugetlb *h = &m->cur->hugetlb;
	bool shared = op->c & 1;
	unsigned long ret;

	trace(m, "hugetlb map %s", shared ? "shared" : "private");
	ret = sys_mmap(HUGETLB_BASE, HPAGE_PMD_SIZE, PROT_READ | PROT_WRITE,
		       MAP_FIXED | MAP_ANONYMOUS | MAP_HUGETLB | MAP_HUGE_2MB |
			       (shared ? MAP_SHARED : MAP_PRIVATE),
		       -1, 0);
	hugetlb_drop(h);
	if (ret != HUGETLB_BASE) {
		diverged(m, "hugetlb mmap returned %#lx, expected %#lx", ret, HUGETLB_BASE);
		return;
	}
	h->mapped = true;
	if (shared) {
		h->object = calloc(1, sizeof(*h->object));
		if (!h->object) {
			diverged(m, "out of host memory");
			return;
		}
		h->object->users = 1;
	}
}

/* A load or store of GUP_MARK_BYTES at one sample offset: faults and private COW. */
static void hugetlb_touch(struct model *m, const struct model_op *op)
{
	struct model_hugetlb *h = &m->cur->hugetlb;
	int slot = op->b % HUGETLB_SLOTS;
	unsigned long addr = hugetlb_slot_addr(slot);
	bool write = !(op->c & 0x80);
	unsigned char buf[GUP_MARK_BYTES];
	unsigned long left;

	trace(m, "hugetlb %s slot %d", write ? "write" : "read", slot);
	if (write) {
		fill_pattern(m, buf, sizeof(buf));
		left = copy_to_user(addr, buf, sizeof(buf));
	} else {
		left = copy_from_user(buf, addr, sizeof(buf));
	}
	if ((left == 0) != h->mapped) {
		diverged(m, "hugetlb %s at %#lx left %lu, expected %s", write ? "write" : "read",
			 addr, left, h->mapped ? "success" : "a fault");
		return;
	}
	if (!h->mapped)
		return;
	if (write)
		memcpy(hugetlb_bytes_of(h)->slot[slot], buf, sizeof(buf));
	else if (memcmp(buf, hugetlb_bytes_of(h)->slot[slot], sizeof(buf)))
		diverged(m, "hugetlb read at %#lx differs from the model", addr);
}

static void hugetlb_unmap(struct model *m)
{
	int ret;

	trace(m, "hugetlb munmap");
	ret = sys_munmap(HUGETLB_BASE, HPAGE_PMD_SIZE);
	hugetlb_drop(&m->cur->hugetlb);
	if (ret)
		diverged(m, "hugetlb munmap returned %d", ret);
}

/*
 * GUP (fast or slow, get or pin, read or write) of 1 to 16 subpages from a sample
 * offset; the first holds the model's bytes, and a write pin's device write there
 * is what the task reads next.
 */
static void hugetlb_gup(struct model *m, const struct model_op *op)
{
	struct model_hugetlb *h = &m->cur->hugetlb;
	struct huge_batch *batch = &m->hugetlb_batch;
	bool write = op->c & 0x40, pin = op->c & 0x80, fast = op->c & 0x20;
	int slot = op->b % HUGETLB_SLOTS, n = 1 + ((op->c >> 1) & 15);
	unsigned long addr = hugetlb_slot_addr(slot);
	unsigned int flags = write ? FOLL_WRITE : 0;
	long got, expect = expected_gup(h->mapped ? n : 0, n);
	unsigned char *frame;

	if (batch->nr)
		return;
	trace(m, "hugetlb %s%s slot %d n %d%s", fast ? "fast " : "", pin ? "pin" : "get", slot, n,
	      write ? " write" : "");
	if (fast) {
		got = pin ? pin_user_pages_fast(addr, n, flags, batch->pages)
			  : get_user_pages_fast(addr, n, flags, batch->pages);
	} else {
		mmap_read_lock(m->cur->task->mm);
		got = pin ? pin_user_pages(addr, n, flags, batch->pages, NULL)
			  : get_user_pages(addr, n, flags, batch->pages, NULL);
		mmap_read_unlock(m->cur->task->mm);
	}
	batch->nr = got > 0 ? (int)got : 0;
	batch->pinned = pin;
	if (got != expect) {
		diverged(m, "hugetlb gup returned %ld, expected %ld", got, expect);
		return;
	}
	if (!batch->nr)
		return;
	for (int i = 1; i < batch->nr; i++)
		if (batch->pages[i] != batch->pages[0] + i)
			diverged(m, "hugetlb gup page %d is not the next subpage", i);
	if (pin && !page_maybe_dma_pinned(batch->pages[0]))
		diverged(m, "hugetlb pin is not page_maybe_dma_pinned");
	frame = page_address(batch->pages[0]);
	if (memcmp(frame, hugetlb_bytes_of(h)->slot[slot], GUP_MARK_BYTES)) {
		diverged(m, "hugetlb gup page does not hold the model's bytes");
		return;
	}
	if (write) { /* a device writes into the page: the task sees it */
		fill_pattern(m, frame, GUP_MARK_BYTES);
		memcpy(hugetlb_bytes_of(h)->slot[slot], frame, GUP_MARK_BYTES);
	}
}

static void op_hugetlb(struct model *m, const struct model_op *op)
{
	switch (op->a & 7) {
	case 0:
		hugetlb_map(m, op);
		break;
	case 1:
	case 2:
		hugetlb_touch(m, op);
		break;
	case 3:
		hugetlb_unmap(m);
		break;
	case 4:
	case 5:
		hugetlb_gup(m, op);
		break;
	default:
		if (m->hugetlb_batch.nr) {
			trace(m, "hugetlb release");
			release_batch(&m->hugetlb_batch, op->c & 1);
		}
		break;
	}
}

/*
 * MADV_PAGEOUT or MADV_COLD over arena pages (huge mode boots with swap): the
 * contents stay what the model says, later reads and GUP fault them back from
 * swap; a hole in the range gives -ENOMEM after the rest was done.
 */
static void op_pageout(struct model *m, const struct model_op *op)
{
	int slot = slot_of(op->a), n = count_of(op->b, slot);
	int behavior = op->c & 1 ? MADV_PAGEOUT : MADV_COLD;
	int ret = sys_madvise(slot_addr(slot), n * PAGE_SIZE, behavior), expect = 0;

	trace(m, "%s slot %d n %d", behavior == MADV_PAGEOUT ? "pageout" : "cold", slot, n);
	for (int i = slot; i < slot + n; i++)
		if (!m->cur->pages[i].mapped)
			expect = -ENOMEM;
	if (ret != expect)
		diverged(m, "madvise(%d) returned %d, expected %d", behavior, ret, expect);
}

typedef void (*model_op_fn)(struct model *m, const struct model_op *op);

static const model_op_fn model_ops[MODEL_NR_OPS] = {
	[MODEL_OP_MMAP] = op_mmap,
	[MODEL_OP_MUNMAP] = op_munmap,
	[MODEL_OP_MPROTECT] = op_mprotect,
	[MODEL_OP_MADVISE] = op_madvise,
	[MODEL_OP_FORK] = op_fork,
	[MODEL_OP_SWITCH] = op_switch,
	[MODEL_OP_WRITE] = op_write,
	[MODEL_OP_READ] = op_read,
	[MODEL_OP_GUP] = op_gup,
	[MODEL_OP_RELEASE] = op_release,
	[MODEL_OP_ACCESS_REMOTE] = op_access_remote,
	[MODEL_OP_EXIT] = op_exit,
	[MODEL_OP_HUGE] = op_huge,
	[MODEL_OP_HUGETLB] = op_hugetlb,
	[MODEL_OP_PAGEOUT] = op_pageout,
};

static void check_machine(struct model *m)
{
	if (sim_check_used(m->log ? m->log : stderr))
		diverged(m, "sim_check found violations");
}

static void tear_down(struct model *m)
{
	while (m->nr_held)
		release_held(m, m->nr_held - 1);
	for (int i = 0; i < HUGE_BATCHES; i++)
		release_batch(&m->batches[i], false);
	release_batch(&m->hugetlb_batch, false);
	for (int i = 0; i < MAX_TASKS; i++)
		if (m->tasks[i].task)
			drop_task(&m->tasks[i]);
	set_current(NULL);
	if (m->file_mode)
		file_mode_tear_down(m);
}

/* Huge mode: the magic's config byte gives the THP knobs; the ops start after it. */
static size_t huge_mode_config(const uint8_t *data, size_t size, struct sim_config *cfg)
{
	static const enum sim_thp knobs[] = {SIM_THP_MADVISE, SIM_THP_ALWAYS, SIM_THP_NEVER,
					     SIM_THP_MADVISE};

	if (size < MODEL_OP_BYTES || memcmp(data, MODEL_HUGE_MAGIC, 3))
		return 0;
	cfg->mem_bytes = 64UL << 20;
	cfg->swap_bytes = 4UL << 20; /* for MODEL_OP_PAGEOUT */
	cfg->thp = knobs[data[3] & 3];
	cfg->thp_no_zero_page = data[3] & 4;
	cfg->hugetlb_2m_pages = HUGETLB_POOL;
	return MODEL_OP_BYTES;
}

int model_run(const uint8_t *data, size_t size, enum sim_profile profile, FILE *log)
{
	struct sim_config cfg = {.mem_bytes = 16UL << 20, .quiet = !log, .profile = profile};
	struct model *m = calloc(1, sizeof(*m));
	size_t start = huge_mode_config(data, size, &cfg);
	size_t file_start = start ? 0 : file_mode_config(data, size, &cfg);
	/* File mode: three opcodes past the common ones are file operations. */
	int nr_ops = start ? MODEL_OP_PAGEOUT + 1 : file_start ? MODEL_OP_HUGE + 3 : MODEL_OP_HUGE;
	int ret;

	if (!m || sim_boot(&cfg)) {
		free(m);
		return 1;
	}
	m->log = log;
	if (log && start)
		fprintf(log, "model: huge mode, thp %d%s\n", cfg.thp,
			cfg.thp_no_zero_page ? ", no huge zero page" : "");
	m->has_mseal = sim_current_profile() == SIM_PROFILE_6_18;
	m->has_pin_fast_only = !m->has_mseal;
	m->file_mode = file_start;
	if (file_start)
		start = file_start;
	if (start_task(m, &m->tasks[0]) && (!file_start || !file_mode_setup(m, data[3]))) {
		for (size_t pos = start;
		     pos + MODEL_OP_BYTES <= size && m->step < MAX_OPS && !m->failed;
		     pos += MODEL_OP_BYTES, m->step++) {
			struct model_op op = {data[pos], data[pos + 1], data[pos + 2],
					      data[pos + 3]};

			if (m->file_mode && op.code % nr_ops >= MODEL_OP_HUGE)
				op_file(m, &op);
			else
				model_ops[op.code % nr_ops](m, &op);
			if (!m->failed)
				check_machine(m);
		}
	}
	tear_down(m);
	if (sim_shutdown())
		diverged(m, "shutdown found leaks");
	if (m->file_mode)
		file_mode_remove_dir(m);
	ret = m->failed;
	free(m);
	return ret;
}
