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
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>
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
	/* A new mapping of a new object: a pin of the page it replaced is not of this one. */
	*p = (struct model_page){.mapped = true,
				 .shared = true,
				 .prot = prot,
				 .object = object,
				 .index = index,
				 .incarnation = new_incarnation()};
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
	/*
	 * VMAs before a hole are changed, those after it are not; nor are those from
	 * one that may not become writable (a shared mapping made under a write seal).
	 */
	for (i = slot; i < slot + n && m->cur->pages[i].mapped; i++) {
		if ((prot & PROT_WRITE) && m->cur->pages[i].ro_sealed) {
			expect = -EACCES;
			break;
		}
		if (!(prot & PROT_WRITE))
			m->cur->pages[i].wp_events++;
		m->cur->pages[i].prot = prot;
	}
	if (i < slot + n && !expect)
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

/* --- the device mapping's private copies (migrate mode) --- */

/* Is the page at byte @off of @d an anonymous copy (a private mapping's written page)? */
static bool dev_copied(const struct model_dev *d, unsigned long off)
{
	unsigned long p = off >> PAGE_SHIFT;

	return d->cow && (d->copied[p / 64] >> (p % 64) & 1);
}

/* The bytes the task sees at byte @off of @d: its copy's, else the device's. */
static unsigned char *dev_bytes_at(const struct model *m, const struct model_dev *d,
				   unsigned long off)
{
	return dev_copied(d, off) ? d->cow + off : m->dev_bytes + d->offset + off;
}

/*
 * A write fault on the page at byte @off of the private writable mapping @d:
 * the first one copies the device page as it is now (do_wp_page() or
 * do_cow_fault()); the task's later writes there go to its copy alone.
 */
static void dev_cow(const struct model *m, struct model_dev *d, unsigned long off)
{
	unsigned long p = off >> PAGE_SHIFT;

	if (!d->cow || dev_copied(d, off))
		return;
	memcpy(d->cow + (p << PAGE_SHIFT), m->dev_bytes + d->offset + (p << PAGE_SHIFT), PAGE_SIZE);
	d->copied[p / 64] |= 1ULL << (p % 64);
}

/* The pages of [start, end) of @d are unmapped: their copies are gone. */
static void dev_forget(struct model_dev *d, unsigned long start, unsigned long end)
{
	for (unsigned long p = start >> PAGE_SHIFT; d->cow && p < end >> PAGE_SHIFT; p++)
		d->copied[p / 64] &= ~(1ULL << (p % 64));
}

/* The task's device mapping is gone (munmap of all of it, or exit). */
static void dev_drop(struct model_dev *d)
{
	free(d->cow);
	*d = (struct model_dev){0};
}

/*
 * fork: a shared mapping maps the same device bytes in the child; a private
 * one's copies are COW-shared with the child, which sees the same bytes and
 * keeps them as its own from then on.
 */
static void dev_fork(struct model *m, struct model_dev *child, const struct model_dev *parent)
{
	*child = *parent;
	if (!parent->cow)
		return;
	child->cow = malloc(parent->len);
	if (!child->cow) {
		diverged(m, "out of host memory");
		child->len = 0;
		return;
	}
	memcpy(child->cow, parent->cow, parent->len);
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
	dev_fork(m, &child->dev, &m->cur->dev);
	child->hmap = m->cur->hmap; /* the hugetlbfs memfd: its page, or a copy of this one's */
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
			/* What page_bytes() reads is the file's: the page-cache page. */
			.file = p->file && (p->shared || !p->bytes) ? p->file : NULL,
			.fpage = p->fpage,
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
	dev_drop(&mt->dev);
	mt->hmap = (struct model_hmap){0};
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

void release_batch(struct huge_batch *batch, bool dirty)
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

static void hugetlb_unmap(struct model *m, const struct model_op *op)
{
	int ret;

	(void)op;
	trace(m, "hugetlb munmap");
	ret = sys_munmap(HUGETLB_BASE, HPAGE_PMD_SIZE);
	hugetlb_drop(&m->cur->hugetlb);
	if (ret)
		diverged(m, "hugetlb munmap returned %d", ret);
}

/*
 * One GUP call of @n pages at @addr into @batch, fast or under mmap_lock, FOLL_PIN
 * if @pin: the pages got stay held in @batch. Return: the call's answer.
 */
long batch_gup(struct model *m, struct huge_batch *batch, unsigned long addr, int n,
	       unsigned int flags, bool fast, bool pin)
{
	long got;

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
	return got;
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
	got = batch_gup(m, batch, addr, n, flags, fast, pin);
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

void hugetlb_release(struct model *m, const struct model_op *op)
{
	if (m->hugetlb_batch.nr) {
		trace(m, "hugetlb release");
		release_batch(&m->hugetlb_batch, op->c & 1);
	}
}

static void op_hugetlb(struct model *m, const struct model_op *op)
{
	static const model_op_fn ops[] = {hugetlb_map,	   hugetlb_touch,  hugetlb_touch,
					  hugetlb_unmap,   hugetlb_gup,	   hugetlb_gup,
					  hugetlb_release, hugetlb_release};

	MODEL_DISPATCH(m, op, op->a, ops);
}

/*
 * After a page-out in file mode: a pin on a page of a shared shmem mapping (a
 * memfd, or MAP_SHARED|MAP_ANONYMOUS) that its task still maps is the page a
 * fault maps there now, holding the model's bytes. shmem_writepage() moves the
 * page to the swap cache and the pin keeps it there; the fault finds that page
 * through the swap entry in the mapping's slot, never a copy read back.
 */
static void check_pins_after_pageout(struct model *m)
{
	for (int i = 0; i < m->nr_held && !m->failed; i++) {
		const struct held_page *h = &m->held[i];
		struct model_task *mt = &m->tasks[h->task];
		const struct model_page *p = &mt->pages[h->slot];
		unsigned long addr = slot_addr(h->slot);
		unsigned char got, want;
		struct page *now;

		if (!h->pinned || !mt->task || !p->mapped || !p->shared ||
		    p->incarnation != h->incarnation)
			continue;
		if (p->file ? !p->file->memfd || h->file != p->file || h->fpage != p->fpage ||
				      !file_page_in_eof(p)
			    : !p->object)
			continue;
		if (accessible_prefix(mt, addr, 1, false, true, true) != 1)
			continue;
		/* A read through GUP, as a debugger's: it faults the page back in. */
		if (access_process_vm(mt->task, addr, &got, 1, FOLL_FORCE) != 1) {
			diverged(m, "task %d slot %d: no read after pageout", h->task, h->slot);
			return;
		}
		model_copy(mt, addr, &want, 1, false);
		now = mapped_page(m, h);
		if (now != h->page)
			diverged(m,
				 "pin of task %d slot %d: pinned pfn %#lx, mapped %#lx after "
				 "pageout",
				 h->task, h->slot, page_to_pfn(h->page),
				 now ? page_to_pfn(now) : 0UL);
		else if (got != want)
			diverged(m, "task %d slot %d reads %#x after pageout, the model has %#x",
				 h->task, h->slot, got, want);
	}
}

/*
 * MADV_PAGEOUT or MADV_COLD over arena pages (huge and file modes boot with
 * swap): the contents stay what the model says, later reads and GUP fault them
 * back from swap; a hole in the range gives -ENOMEM after the rest was done.
 */
void op_pageout(struct model *m, const struct model_op *op)
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
	else if (m->file_mode)
		check_pins_after_pageout(m);
}

/* --- migrate mode: the model's references, and what the tasks map --- */

/* Does the model hold a reference (FOLL_PIN if @pin, else FOLL_GET) on compound @head? */
static bool holds_ref(struct model *m, struct page *head, bool pin)
{
	struct huge_batch *batches[HUGE_BATCHES + 2] = {&m->hugetlb_batch, &m->dev_batch};

	for (int i = 0; i < HUGE_BATCHES; i++)
		batches[2 + i] = &m->batches[i];
	for (int i = 0; i < m->nr_held; i++)
		if (m->held[i].pinned == pin && compound_head(m->held[i].page) == head)
			return true;
	for (size_t b = 0; b < ARRAY_SIZE(batches); b++)
		for (int i = 0; batches[b]->pinned == pin && i < batches[b]->nr; i++)
			if (compound_head(batches[b]->pages[i]) == head)
				return true;
	return false;
}

/* Any reference of the model's on @page's compound page: it keeps the page from moving. */
static bool holds_any(struct model *m, struct page *page)
{
	struct page *head = compound_head(page);

	return holds_ref(m, head, true) || holds_ref(m, head, false);
}

/* The page @mm maps at @addr (a PTE, a huge or hugetlb entry's subpage, devmap), or NULL. */
static struct page *page_at(struct mm_struct *mm, unsigned long addr)
{
	uint64_t entry;

	if (pagemap_read(mm, addr, &entry) || !(entry & PM_PRESENT))
		return NULL;
	return pfn_to_page((unsigned long)(entry & PM_PFRAME_MASK));
}

static bool is_zero_frame(struct page *page)
{
	return is_zero_pfn(page_to_pfn(page)) || is_huge_zero_page(compound_head(page));
}

static bool span_overlaps(const struct model_span *spans, int nr, unsigned long start,
			  unsigned long end)
{
	for (int i = 0; i < nr; i++)
		if (start < spans[i].start + spans[i].nr && spans[i].start < end)
			return true;
	return false;
}

/* A frame no task may map: offline, or granted to the model by cma_alloc(). */
static bool frame_taken(const struct model *m, struct page *page)
{
	unsigned long pfn = page_to_pfn(page);

	return span_overlaps(m->offline, m->nr_offline, pfn, pfn + 1) ||
	       span_overlaps(m->cma, m->nr_cma, pfn, pfn + 1);
}

/* Is byte @off of the device mapping @d still mapped (not cut away by a munmap)? */
static bool dev_mapped(const struct model *m, const struct model_dev *d, unsigned long off)
{
	return off < d->len && (d->units & (1U << (off / m->dev_align)));
}

/* Does the frame @mm maps at @addr hold @want (@len bytes)? Unmapped frames are not checked. */
static void check_frame(struct model *m, struct mm_struct *mm, unsigned long addr,
			const unsigned char *want, size_t len)
{
	struct page *page = page_at(mm, addr);

	if (!page || m->failed)
		return;
	if (frame_taken(m, page))
		diverged(m, "%#lx maps pfn %#lx, which is offline or granted to cma_alloc()", addr,
			 page_to_pfn(page));
	else if (memcmp((unsigned char *)page_address(page) + (addr & ~PAGE_MASK), want, len))
		diverged(m, "the frame mapped at %#lx (pfn %#lx) does not hold the model's bytes",
			 addr, page_to_pfn(page));
}

/*
 * Every page @mt maps holds the model's bytes for it, and none is a frame taken
 * offline or by cma_alloc(): what migration, offlining and CMA must keep true.
 * The frames are read where the page tables say, so nothing faults.
 */
static void check_task_frames(struct model *m, struct model_task *mt)
{
	static const unsigned char zeros[PAGE_SIZE];
	struct mm_struct *mm = mt->task->mm;
	struct model_hugetlb *h = &mt->hugetlb;

	for (int i = 0; i < ARENA_PAGES; i++)
		if (mt->pages[i].mapped)
			check_frame(m, mm, slot_addr(i), page_bytes(&mt->pages[i]), PAGE_SIZE);
	for (int i = 0; i < HUGE_PAGES; i++)
		if (mt->huge[i].mapped)
			check_frame(m, mm, huge_addr(i),
				    mt->huge[i].bytes ? mt->huge[i].bytes : zeros, PAGE_SIZE);
	for (int slot = 0; h->mapped && slot < HUGETLB_SLOTS; slot++)
		check_frame(m, mm, hugetlb_slot_addr(slot), hugetlb_bytes_of(h)->slot[slot],
			    GUP_MARK_BYTES);
	for (unsigned long off = 0; off < mt->dev.len; off += PAGE_SIZE)
		if (dev_mapped(m, &mt->dev, off))
			check_frame(m, mm, mt->dev.addr + off, dev_bytes_at(m, &mt->dev, off),
				    PAGE_SIZE);
}

static void check_frames(struct model *m)
{
	for (int i = 0; i < MAX_TASKS && !m->failed; i++)
		if (m->tasks[i].task)
			check_task_frames(m, &m->tasks[i]);
}

/* --- MODEL_OP_MIGRATE (migrate mode) --- */

/*
 * sim_migrate_range() of @n pages from @addr to @zone; @hole: the model has a
 * hole there (-EFAULT, nothing moves). A page a reference of the model's is on
 * (a pin or a FOLL_GET) stays where it is, and counts as not migrated when it is
 * outside @zone; with no such page the call returns 0 and every page but the
 * zero pages is in @zone after. -ENOMEM only when @zone had fewer free frames
 * than the pages to move need: one each, and a THP all its 512 (moved whole, or
 * split and then every subpage moved, as 5.11's migrate_pages() puts the tails
 * on its list). The count is of pages or of THPs: not beyond the range's
 * pages, or in the huge arena and hugetlb range a THP's 512 subpages. In the hugetlb range (@hugetlb) pages may move or stay:
 * only the references and the bytes are predicted there. Whether a THP moves
 * whole or split is not the model's business either.
 */
static void migrate_span(struct model *m, unsigned long addr, int n, bool hole, enum zone_type zone,
			 bool hugetlb)
{
	/* A THP or hugetlb page that stays may count once or per subpage: not beyond 512. */
	long most = addr >= HUGE_BASE ? HPAGE_PMD_NR : n;
	static struct page *before[HPAGE_PMD_NR];
	static bool held[HPAGE_PMD_NR];
	struct mm_struct *mm = m->cur->task->mm;
	long free = atomic_long_read(&node_zones[zone].free_pages), ret;
	struct page *last_stuck = NULL, *last_head = NULL;
	int must_stay = 0, to_move = 0;
	long frames_needed = 0;

	for (int i = 0; i < n; i++) {
		before[i] = page_at(mm, addr + (unsigned long)i * PAGE_SIZE);
		held[i] = before[i] && holds_any(m, before[i]);
		if (!before[i] || is_zero_frame(before[i]) || page_zonenum(before[i]) == zone)
			continue;
		to_move++;
		/* A THP moves whole, or split with all its subpages (5.11's try_split_thp). */
		if (compound_head(before[i]) != last_head) {
			last_head = compound_head(before[i]);
			frames_needed += (long)compound_nr(last_head);
		}
		if (held[i] && compound_head(before[i]) != last_stuck) {
			must_stay++;
			last_stuck = compound_head(before[i]);
		}
	}
	trace(m, "migrate %#lx n %d to zone %d", addr, n, zone);
	ret = sim_migrate_range(addr, (unsigned long)n * PAGE_SIZE, zone);
	trace(m, "  -> %ld (%d to move, %d held outside the zone)", ret, to_move, must_stay);
	if (hole) {
		if (ret != -EFAULT)
			diverged(m, "migrate over a hole returned %ld, expected -EFAULT", ret);
	} else if (ret == -ENOMEM) {
		/*
		 * A referenced THP with no order-9 target cannot split either: both
		 * kernels end the migration with -ENOMEM, however many frames are free.
		 */
		if (!hugetlb && free >= frames_needed && !(addr >= HUGE_BASE && must_stay))
			diverged(m,
				 "migrate returned -ENOMEM with %ld free frames for %d pages (%ld "
				 "frames)",
				 free, to_move, frames_needed);
	} else if (ret < 0 || ret > most) {
		diverged(m, "migrate of %d pages returned %ld", n, ret);
	} else if (!hugetlb && (ret > 0) != (must_stay > 0)) {
		diverged(m, "migrate returned %ld with %d referenced page(s) outside the zone", ret,
			 must_stay);
	}
	for (int i = 0; i < n && !m->failed; i++) {
		unsigned long at = addr + (unsigned long)i * PAGE_SIZE;
		struct page *now = page_at(mm, at);

		if ((held[i] || hole) && now != before[i])
			diverged(m, "%s page at %#lx moved: pfn %#lx, now %#lx",
				 hole ? "a hole's migration failed, but the" : "a referenced", at,
				 before[i] ? page_to_pfn(before[i]) : 0,
				 now ? page_to_pfn(now) : 0);
		else if (!hole && !ret && !hugetlb && now && !is_zero_frame(now) &&
			 page_zonenum(now) != zone)
			diverged(m, "migrate returned 0 but the page at %#lx is in zone %d", at,
				 page_zonenum(now));
	}
	check_frames(m);
}

/*
 * May a long-term pin stay on @page? The model's own rule (not the machine's
 * slot): 5.11 never in CMA (check_and_migrate_cma_pages()); 6.18 in neither CMA
 * nor ZONE_MOVABLE (5.13's is_pinnable_page()); the zero pages always.
 */
static bool longterm_may_stay(const struct model *m, struct page *page)
{
	if (is_zero_frame(page))
		return true;
	if (is_migrate_cma_page(page))
		return false;
	return !m->longterm_avoids_movable || page_zonenum(page) != ZONE_MOVABLE;
}

static bool arena_hole(const struct model_task *mt, int slot, int n)
{
	for (int i = slot; i < slot + n; i++)
		if (!mt->pages[i].mapped)
			return true;
	return false;
}

/*
 * A FOLL_LONGTERM pin of arena pages (fast or slow, R/O or R/W). Each page it
 * keeps must be one a long-term pin may stay on (5.11: not CMA; 6.18: neither
 * CMA nor ZONE_MOVABLE), the others migrated out first, unless a reference the
 * model holds kept such a page from moving: 5.11 then pins it where it is, 6.18
 * fails the pin with -ENOMEM (GUP-fast keeps the pages it pinned before it).
 */
static void longterm_pin(struct model *m, const struct model_op *op)
{
	int slot = slot_of(op->b), n = min_t(int, 1 + (op->c & 15), ARENA_PAGES - slot);
	bool write = op->c & 0x10, fast = op->c & 0x20;
	unsigned int flags = FOLL_LONGTERM | (write ? FOLL_WRITE : 0);
	struct page *pages[ARENA_PAGES], *stuck[ARENA_PAGES];
	int nr_stuck = 0, unpinnable = 0;
	long accessible, got, expect;
	bool may_fail;

	if (m->nr_held + n > MAX_HELD)
		return;
	accessible =
		accessible_prefix(m->cur, slot_addr(slot), n * PAGE_SIZE, write, true, false) >>
		PAGE_SHIFT;
	expect = expected_gup(accessible, n);
	for (long i = 0; i < accessible; i++) {
		struct page *page = page_at(m->cur->task->mm, slot_addr(slot + (int)i));

		unpinnable += page && !longterm_may_stay(m, page);
		if (page && !longterm_may_stay(m, page) && holds_any(m, page))
			stuck[nr_stuck++] = page;
	}
	trace(m, "longterm %spin slot %d n %d%s", fast ? "fast " : "", slot, n,
	      write ? " write" : "");
	if (fast) {
		got = pin_user_pages_fast(slot_addr(slot), n, flags, pages);
	} else {
		mmap_read_lock(m->cur->task->mm);
		got = pin_user_pages(slot_addr(slot), n, flags, pages, NULL);
		mmap_read_unlock(m->cur->task->mm);
	}
	trace(m, "  -> %ld (%d page(s) to migrate out, %d of them held)", got, unpinnable,
	      nr_stuck);
	may_fail = nr_stuck && m->longterm_stuck_fails &&
		   (got == -ENOMEM || (fast && got > 0 && got < expect));
	if (got != expect && !may_fail) {
		diverged(m, "long-term pin returned %ld, expected %ld (%d page(s) held elsewhere)",
			 got, expect, nr_stuck);
		if (got > 0) /* hand them back: the leak check is not what failed */
			hold_got_pages(m, m->cur, slot, got, pages, true, write);
		return;
	}
	for (long i = 0; i < got && !m->failed; i++) {
		bool was_stuck = false;

		for (int s = 0; s < nr_stuck; s++)
			was_stuck |= stuck[s] == pages[i];
		if (!longterm_may_stay(m, pages[i]) && !(was_stuck && !m->longterm_stuck_fails))
			diverged(m, "long-term pin of slot %ld stays on pfn %#lx in zone %d%s",
				 slot + i, page_to_pfn(pages[i]), page_zonenum(pages[i]),
				 is_migrate_cma_page(pages[i]) ? " (CMA)" : "");
	}
	check_got_pages(m, m->cur, slot, got > 0 ? got : 0, pages, write);
	hold_got_pages(m, m->cur, slot, got > 0 ? got : 0, pages, true, write);
}

static void op_migrate(struct model *m, const struct model_op *op)
{
	enum zone_type zone = op->a & 0x10 ? ZONE_MOVABLE : ZONE_NORMAL;
	int slot = slot_of(op->b), n = count_of(op->c, slot);
	struct huge_place at = huge_place_of(op);

	switch (op->a & 3) {
	case 0:
		migrate_span(m, slot_addr(slot), n, arena_hole(m->cur, slot, n), zone, false);
		break;
	case 1:
		migrate_span(m, huge_addr(at.first), at.n, huge_hole(m->cur, at.first, at.n), zone,
			     false);
		break;
	case 2:
		migrate_span(m, HUGETLB_BASE, HPAGE_PMD_NR, !m->cur->hugetlb.mapped, zone, true);
		break;
	default:
		longterm_pin(m, op);
		break;
	}
}

/* --- MODEL_OP_OFFLINE (migrate mode) --- */

/* Who uses the frames [start, end): pages the model holds references on, hugetlb pages. */
struct frame_users {
	bool held, hugetlb;
};

static struct frame_users frame_users(struct model *m, unsigned long start, unsigned long end)
{
	struct frame_users u = {0};

	for (unsigned long pfn = start; pfn < end; pfn++) {
		struct page *head = compound_head(pfn_to_page(pfn));

		/* A hugetlb page, free or not, may or may not leave: hugetlb migration decides. */
		if (PageHuge(head))
			u.hugetlb = true;
		else if (page_count(head) && holds_any(m, head))
			u.held = true;
		pfn = max_t(unsigned long, pfn, page_to_pfn(head) + compound_nr(head) - 1);
	}
	return u;
}

/*
 * A failed offline_range() or cma_alloc() names the references that kept its
 * pages: every record must be one the model holds, and there must be one when
 * the model holds any in the range (@held).
 */
static void check_busy_report(struct model *m, const char *what, const struct range_busy *busy,
			      bool held)
{
	if (held && !busy->nr_records)
		diverged(m, "%s failed with no pin record, but the model holds a page there", what);
	for (int i = 0; i < min_t(int, busy->nr_records, RANGE_BUSY_RECORDS); i++) {
		const struct range_busy_record *rec = &busy->records[i];

		if (!holds_ref(m, pfn_to_page(rec->pfn), rec->pin))
			diverged(m,
				 "%s's busy report names a %s on pfn %#lx (%s) the model does not "
				 "hold",
				 what, rec->pin ? "pin" : "reference", rec->pfn, rec->site);
	}
}

static void span_remove(struct model_span *spans, int *nr, int i)
{
	spans[i] = spans[--*nr];
}

/*
 * offline_range() of 1 to 4 MiB of ZONE_MOVABLE: -EBUSY over a range offline
 * already, or while a page the model holds a reference on is in it (the report
 * names that reference); hugetlb pages may or may not leave; else 0, and no task
 * maps a frame of the range until it is online again.
 */
static void offline_movable(struct model *m, const struct model_op *op)
{
	struct zone *zone = &node_zones[ZONE_MOVABLE];
	unsigned long units = zone->spanned_pages / OFFLINE_UNIT, first = op->b % units;
	unsigned long nr = (1 + op->c % min_t(unsigned long, 4, units - first)) * OFFLINE_UNIT;
	unsigned long start = zone->zone_start_pfn + first * OFFLINE_UNIT;
	bool overlap = span_overlaps(m->offline, m->nr_offline, start, start + nr);
	struct frame_users users = frame_users(m, start, start + nr);
	struct range_busy busy;
	int ret;

	if (m->nr_offline == MAX_OFFLINE)
		return;
	trace(m, "offline pfn %#lx n %lu", start, nr);
	ret = offline_range(start, nr, &busy);
	trace(m, "  -> %d (%d pin records)", ret, busy.nr_records);
	if (overlap || users.held) {
		if (ret != -EBUSY)
			diverged(m, "offline_range returned %d, expected -EBUSY (%s)", ret,
				 overlap ? "offline already" : "a held page");
	} else if (ret && !(users.hugetlb && ret == -EBUSY)) {
		diverged(m, "offline_range returned %d, expected 0", ret);
	}
	if (ret == -EBUSY && !overlap)
		check_busy_report(m, "offline_range", &busy, users.held);
	if (!ret)
		m->offline[m->nr_offline++] = (struct model_span){start, nr};
	check_frames(m);
}

/* online_range() of a range offline (0: its frames are free again), or of one not (-EINVAL). */
static void online_movable(struct model *m, const struct model_op *op)
{
	struct zone *zone = &node_zones[ZONE_MOVABLE];
	struct model_span span = {zone->zone_start_pfn + (op->b % 4) * OFFLINE_UNIT, OFFLINE_UNIT};
	bool known = m->nr_offline && !(op->c & 0x80);
	long free = atomic_long_read(&zone->free_pages);
	int i = known ? op->b % m->nr_offline : 0, ret;

	if (known)
		span = m->offline[i];
	for (int k = 0; !known && k < m->nr_offline; k++)
		if (m->offline[k].start == span.start && m->offline[k].nr == span.nr)
			return; /* it is offline after all: the known case covers it */
	trace(m, "online pfn %#lx n %lu", span.start, span.nr);
	ret = online_range(span.start, span.nr);
	if (ret != (known ? 0 : -EINVAL)) {
		diverged(m, "online_range returned %d, expected %d", ret, known ? 0 : -EINVAL);
		return;
	}
	if (!known)
		return;
	span_remove(m->offline, &m->nr_offline, i);
	if (atomic_long_read(&zone->free_pages) - free != (long)span.nr)
		diverged(m, "online_range freed %ld frames of %lu",
			 atomic_long_read(&zone->free_pages) - free, span.nr);
}

/*
 * cma_alloc() of 1 to CMA_MAX_COUNT frames aligned to 1 to 8 pages. It succeeds
 * when some aligned window of the area that no grant overlaps holds no page the
 * model has a reference on and no hugetlb page; -ENOMEM when no window is free of
 * grants; -EBUSY names held references. A grant is aligned, inside the area and
 * overlaps no other; while granted no task maps its frames.
 */
static void cma_grant(struct model *m, const struct model_op *op)
{
	struct cma *cma = cma_default_area();
	unsigned long base = cma_get_base_pfn(cma), area = cma_get_count(cma);
	unsigned long count = 1 + op->b % CMA_MAX_COUNT, step = 1UL << (op->c % 4), pfn;
	bool any_free = false, fits = false, held = false;
	struct range_busy busy;
	struct page *page;

	if (m->nr_cma == MAX_CMA_GRANTS)
		return;
	for (unsigned long bit = 0; bit + count <= area && !fits; bit += step) {
		struct frame_users users;

		if (span_overlaps(m->cma, m->nr_cma, base + bit, base + bit + count))
			continue;
		any_free = true;
		users = frame_users(m, base + bit, base + bit + count);
		fits = !users.held && !users.hugetlb;
		held |= users.held;
	}
	trace(m, "cma_alloc n %lu align %lu", count, step);
	page = cma_alloc(cma, count, op->c % 4, &busy);
	trace(m, "  -> pfn %#lx (error %d)", page ? page_to_pfn(page) : 0, busy.error);
	if (!page) {
		if (fits || busy.error != (any_free ? -EBUSY : -ENOMEM))
			diverged(m, "cma_alloc failed with %d%s", busy.error,
				 fits ? " though a window is free of references" : "");
		else if (busy.error == -EBUSY)
			check_busy_report(m, "cma_alloc", &busy, false);
		(void)held;
		check_frames(m);
		return;
	}
	pfn = page_to_pfn(page);
	m->cma[m->nr_cma++] = (struct model_span){pfn, count};
	if (pfn < base || pfn + count > base + area || (pfn - base) % step ||
	    span_overlaps(m->cma, m->nr_cma - 1, pfn, pfn + count))
		diverged(m, "cma_alloc granted pfn %#lx n %lu: not an aligned free window", pfn,
			 count);
	check_frames(m);
}

static void cma_give_back(struct model *m, const struct model_op *op)
{
	int i = m->nr_cma ? op->b % m->nr_cma : 0;

	if (!m->nr_cma)
		return;
	trace(m, "cma_release pfn %#lx n %lu", m->cma[i].start, m->cma[i].nr);
	if (!cma_release(cma_default_area(), pfn_to_page(m->cma[i].start), m->cma[i].nr))
		diverged(m, "cma_release of a grant returned false");
	span_remove(m->cma, &m->nr_cma, i);
}

static void op_offline(struct model *m, const struct model_op *op)
{
	static const model_op_fn ops[] = {offline_movable, online_movable, cma_grant,
					  cma_give_back};

	MODEL_DISPATCH(m, op, op->a, ops);
}

/* --- MODEL_OP_DEVICE (migrate mode) --- */

/*
 * The device page at @offset: the GENERIC pgmap and the fsdax file both cover
 * all device memory from its first pfn (the file's blocks are all the pmem).
 */
static struct page *device_page(const struct model *m, unsigned long offset)
{
	(void)m;
	return pfn_to_page(sim_device_start_pfn() + (offset >> PAGE_SHIFT));
}

/* fsdax mode's DAX directory (made once a process, gone at exit) and its one file. */
static char fsdax_dir[64], fsdax_path[96];

static void fsdax_dir_remove(void)
{
	unlink(fsdax_path);
	rmdir(fsdax_dir);
}

/* Return: the DAX directory for sim_config.dax_dir, or NULL when none can be made. */
static const char *fsdax_dir_get(void)
{
	if (fsdax_dir[0])
		return fsdax_dir;
	snprintf(fsdax_dir, sizeof(fsdax_dir), "/tmp/gup-model-dax-XXXXXX");
	if (!mkdtemp(fsdax_dir)) {
		fsdax_dir[0] = '\0';
		return NULL;
	}
	snprintf(fsdax_path, sizeof(fsdax_path), "%s/pmem", fsdax_dir);
	atexit(fsdax_dir_remove);
	return fsdax_dir;
}

/* A zeroed host file over all the pmem, as the model's device bytes start. */
static bool fsdax_file_reset(void)
{
	int fd = open(fsdax_path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	bool ok = fd >= 0 && !ftruncate(fd, DEVICE_BYTES);

	if (fd >= 0)
		close(fd);
	return ok;
}

/*
 * The DAX file mapped at an address aligned to m->dev_align (so its 2 MiB units
 * can be devmap pmds), shared or private; the mapping keeps the file open.
 * Return: the address or -errno.
 */
static unsigned long fsdax_map(struct model *m, unsigned long offset, unsigned long len, int prot,
			       bool private)
{
	int fd = sys_open(fsdax_path, O_RDWR, 0);
	unsigned long area, addr;

	if (fd < 0)
		return (unsigned long)(long)fd;
	area = sys_mmap(0, len + m->dev_align, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	addr = area;
	if (!IS_ERR_VALUE(area)) {
		sys_munmap(area, len + m->dev_align);
		addr = sys_mmap(ALIGN_UP(area, m->dev_align), len, prot,
				(private ? MAP_PRIVATE : MAP_SHARED) | MAP_FIXED, fd, offset);
	}
	sys_close(fd);
	return addr;
}

/* memremap_pages() of the GENERIC pgmap over all device memory, at m->dev_align. */
static void device_remap(struct model *m, const struct model_op *op)
{
	uint64_t base = (uint64_t)sim_device_start_pfn() << PAGE_SHIFT;
	int ret;

	(void)op;
	if (m->pgmap_live || m->dev_fsdax)
		return;
	trace(m, "memremap_pages");
	m->pgmap = (struct dev_pagemap){
		.type = MEMORY_DEVICE_GENERIC,
		.range = {.start = base, .end = base + DEVICE_BYTES - 1},
		.align = m->dev_align,
	};
	ret = memremap_pages(&m->pgmap);
	m->pgmap_live = !ret;
	if (ret)
		diverged(m, "memremap_pages returned %d", ret);
}

/*
 * Map 1 to DEVICE_MAX_UNITS units of the pgmap's alignment, read-only or
 * read-write; of the fsdax file, shared, or (@op->c bit 6) private: read-only,
 * or (bit 5) writable, its written pages copied into anonymous ones.
 */
static void device_map(struct model *m, const struct model_op *op)
{
	struct model_dev *d = &m->cur->dev;
	unsigned long units = DEVICE_BYTES / m->dev_align, first = op->b % units;
	unsigned long n = 1 + op->c % min_t(unsigned long, units - first, DEVICE_MAX_UNITS);
	bool private = m->dev_fsdax && (op->c & 0x40);
	bool read_only = op->c & 0x80 || (private && !(op->c & 0x20));
	int prot = read_only ? PROT_READ : PROT_READ | PROT_WRITE;
	unsigned char *cow = NULL;
	unsigned long addr;

	if (d->len)
		return;
	trace(m, "device map offset %#lx len %#lx prot %d%s", first * m->dev_align,
	      n * m->dev_align, prot, private ? " private" : "");
	if (m->dev_fsdax)
		addr = fsdax_map(m, first * m->dev_align, n * m->dev_align, prot, private);
	else
		addr = sim_mmap_device(&m->pgmap, first * m->dev_align, n * m->dev_align, prot);
	if (!m->pgmap_live && !m->dev_fsdax) {
		if (addr != (unsigned long)-EINVAL)
			diverged(m, "sim_mmap_device of a dead pgmap returned %#lx", addr);
		return;
	}
	if (IS_ERR_VALUE(addr) || !IS_ALIGNED(addr, m->dev_align)) {
		diverged(m, "sim_mmap_device returned %#lx", addr);
		return;
	}
	if (private && !read_only && !(cow = malloc(n * m->dev_align))) {
		diverged(m, "out of host memory");
		return;
	}
	*d = (struct model_dev){.addr = addr,
				.offset = first * m->dev_align,
				.len = n * m->dev_align,
				.prot = prot,
				.units = (1U << n) - 1,
				.private = private,
				.cow = cow};
}

/* A load or store of GUP_MARK_BYTES in the device mapping: every mapping sees the store. */
static void device_touch(struct model *m, const struct model_op *op)
{
	struct model_dev *d = &m->cur->dev;
	unsigned long off, addr, left;
	unsigned char buf[GUP_MARK_BYTES];
	bool write = op->c & 1, may;

	if (!d->len)
		return;
	off = (op->b % (d->len >> PAGE_SHIFT)) * PAGE_SIZE + (((op->c >> 1) * 64UL) & ~PAGE_MASK);
	addr = d->addr + off;
	may = dev_mapped(m, d, off) && (!write || (d->prot & PROT_WRITE));
	trace(m, "device %s %#lx", write ? "write" : "read", addr);
	if (write) {
		fill_pattern(m, buf, sizeof(buf));
		left = copy_to_user(addr, buf, sizeof(buf));
	} else {
		left = copy_from_user(buf, addr, sizeof(buf));
	}
	if ((left == 0) != may) {
		diverged(m, "device %s at %#lx left %lu, expected %s", write ? "write" : "read",
			 addr, left, may ? "success" : "a fault");
		return;
	}
	if (!may)
		return;
	if (write) {
		dev_cow(m, d, off);
		memcpy(dev_bytes_at(m, d, off), buf, sizeof(buf));
	} else if (memcmp(buf, dev_bytes_at(m, d, off), sizeof(buf))) {
		diverged(m, "device read at %#lx differs from the model", addr);
	}
}

/*
 * GUP (fast or slow, get or pin, R/O or R/W, a pin maybe FOLL_LONGTERM) of 1 to
 * 16 pages of the device mapping: each is the device page its offset names and
 * holds the model's bytes. Device-dax memory may be pinned long-term under both
 * profiles (it is neither CMA nor movable; 6.18's GUP-fast pins it itself); fsdax
 * memory never (-EOPNOTSUPP, from the first VMA on). In a private writable fsdax
 * mapping a write GUP breaks COW first, so it and any later GUP get the
 * anonymous copy, which the device's write then reaches alone.
 */
static void device_gup(struct model *m, const struct model_op *op)
{
	struct model_dev *d = &m->cur->dev;
	struct huge_batch *batch = &m->dev_batch;
	bool write = op->c & 0x10, pin = op->c & 0x20, fast = op->c & 0x40;
	bool longterm = pin && (op->c & 0x80);
	unsigned int flags = (write ? FOLL_WRITE : 0) | (longterm ? FOLL_LONGTERM : 0);
	unsigned long npages = d->len >> PAGE_SHIFT, first, addr;
	long got, expect, n, accessible = 0;

	if (!d->len || batch->nr)
		return;
	first = op->b % npages;
	n = min_t(long, 1 + (op->c & 15), (long)(npages - first));
	addr = d->addr + first * PAGE_SIZE;
	while (accessible < n && dev_mapped(m, d, (first + (unsigned long)accessible) * PAGE_SIZE))
		accessible++;
	expect = expected_gup(write && !(d->prot & PROT_WRITE) ? 0 : accessible, (int)n);
	if (m->dev_fsdax && longterm)
		expect = accessible ? -EOPNOTSUPP : -EFAULT;
	trace(m, "device %s%s%s %#lx n %ld%s", fast ? "fast " : "", longterm ? "longterm " : "",
	      pin ? "pin" : "get", addr, n, write ? " write" : "");
	got = batch_gup(m, batch, addr, (int)n, flags, fast, pin);
	if (got != expect) {
		diverged(m, "device gup returned %ld, expected %ld", got, expect);
		return;
	}
	for (long i = 0; i < batch->nr && !m->failed; i++) {
		unsigned long off = (first + (unsigned long)i) * PAGE_SIZE;
		struct page *page = batch->pages[i];
		unsigned char *frame = page_address(page);

		if (write)
			dev_cow(m, d, off);
		if (dev_copied(d, off) && (is_zone_device_page(page) || !PageAnon(page)))
			diverged(m, "device gup page %ld is pfn %#lx, not an anonymous copy", i,
				 page_to_pfn(page));
		else if (!dev_copied(d, off) && page != device_page(m, d->offset + off))
			diverged(m, "device gup page %ld is pfn %#lx, not the device's %#lx", i,
				 page_to_pfn(page), page_to_pfn(device_page(m, d->offset + off)));
		else if (pin && !page_maybe_dma_pinned(page))
			diverged(m, "device pin %ld is not page_maybe_dma_pinned", i);
		else if (memcmp(frame, dev_bytes_at(m, d, off), PAGE_SIZE))
			diverged(m, "device gup page %ld does not hold the model's bytes", i);
		else if (write) { /* a device writes into the page: every mapping of it sees it */
			unsigned long mark = (m->step * GUP_MARK_BYTES) & ~PAGE_MASK;

			fill_pattern(m, frame + mark, GUP_MARK_BYTES);
			memcpy(dev_bytes_at(m, d, off) + mark, frame + mark, GUP_MARK_BYTES);
		}
	}
}

/*
 * munmap of the whole device mapping, or (@op->c bit 0) of some pages or units: a
 * device-dax VMA is cut only at the pgmap's alignment (dev_dax_split()), so a
 * range that starts or ends inside a mapped unit is -EINVAL and nothing goes.
 */
/*
 * Release the device GUP batch. Each page still holds the device's bytes at its
 * offset, whatever was unmapped, forked or refused meanwhile: a device page is its
 * memory and never moves.
 */
static void device_release(struct model *m, const struct model_op *op)
{
	struct huge_batch *batch = &m->dev_batch;

	if (!batch->nr)
		return;
	trace(m, "device release");
	for (int i = 0; i < batch->nr && !m->failed; i++) {
		unsigned long offset = (page_to_pfn(batch->pages[i]) - sim_device_start_pfn())
				       << PAGE_SHIFT;

		/* An anonymous copy is the task's until it writes there again or unmaps it. */
		if (!is_zone_device_page(batch->pages[i]))
			continue;
		if (memcmp(page_address(batch->pages[i]), m->dev_bytes + offset, PAGE_SIZE))
			diverged(m, "device page %d of the batch lost the model's bytes", i);
	}
	release_batch(batch, op->c & 1);
}

static void device_unmap(struct model *m, const struct model_op *op)
{
	struct model_dev *d = &m->cur->dev;
	unsigned long start = 0, end = d->len;
	int ret, expect = 0;

	if (!d->len)
		return;
	if (op->c & 1) { /* pages, or (bit 1, and always for fsdax) whole units */
		unsigned long unit = op->c & 2 || m->dev_fsdax ? m->dev_align : PAGE_SIZE;
		unsigned long nr = d->len / unit;

		start = (op->b % nr) * unit;
		end = start + (1 + (op->c >> 2) % (nr - start / unit)) * unit;
	}
	if ((start % m->dev_align && dev_mapped(m, d, start)) ||
	    (end % m->dev_align && dev_mapped(m, d, end)))
		expect = -EINVAL;
	trace(m, "device munmap %#lx len %#lx", d->addr + start, end - start);
	ret = sys_munmap(d->addr + start, end - start);
	if (ret != expect) {
		diverged(m, "device munmap returned %d, expected %d", ret, expect);
		return;
	}
	for (unsigned long off = start; !expect && off < end; off += PAGE_SIZE)
		d->units &= ~(1U << (off / m->dev_align));
	if (!expect)
		dev_forget(d, start, end);
	if (!d->units)
		dev_drop(d);
}

/* memunmap_pages_try(): -EBUSY while a task maps the device or a GUP reference is held. */
static void device_memunmap(struct model *m, const struct model_op *op)
{
	bool busy = m->dev_batch.nr;
	int ret;

	(void)op;
	if (!m->pgmap_live || m->dev_fsdax)
		return;
	for (int i = 0; i < MAX_TASKS; i++)
		busy |= m->tasks[i].task && m->tasks[i].dev.len;
	trace(m, "memunmap_pages_try%s", busy ? " (busy)" : "");
	ret = memunmap_pages_try(&m->pgmap);
	if (ret != (busy ? -EBUSY : 0))
		diverged(m, "memunmap_pages_try returned %d, expected %d", ret, busy ? -EBUSY : 0);
	if (!ret)
		m->pgmap_live = false;
}

static void op_device(struct model *m, const struct model_op *op)
{
	static const model_op_fn ops[] = {device_map,	   device_touch,   device_touch,
					  device_gup,	   device_release, device_unmap,
					  device_memunmap, device_remap};

	MODEL_DISPATCH(m, op, op->a, ops);
	check_frames(m);
}

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
	[MODEL_OP_MIGRATE] = op_migrate,
	[MODEL_OP_OFFLINE] = op_offline,
	[MODEL_OP_DEVICE] = op_device,
};

/* What migrate mode decodes: huge mode's opcodes, then its own (whatever their values). */
static const enum model_opcode migrate_mode_ops[] = {
	MODEL_OP_MMAP,	  MODEL_OP_MUNMAP,  MODEL_OP_MPROTECT,	    MODEL_OP_MADVISE,
	MODEL_OP_FORK,	  MODEL_OP_SWITCH,  MODEL_OP_WRITE,	    MODEL_OP_READ,
	MODEL_OP_GUP,	  MODEL_OP_RELEASE, MODEL_OP_ACCESS_REMOTE, MODEL_OP_EXIT,
	MODEL_OP_HUGE,	  MODEL_OP_HUGETLB, MODEL_OP_PAGEOUT,	    MODEL_OP_MIGRATE,
	MODEL_OP_OFFLINE, MODEL_OP_DEVICE,
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
	release_batch(&m->dev_batch, false);
	for (int i = 0; i < MAX_TASKS; i++)
		if (m->tasks[i].task)
			drop_task(&m->tasks[i]);
	set_current(NULL);
	while (m->nr_cma)
		cma_give_back(m, &(struct model_op){0});
	while (m->nr_offline) {
		online_range(m->offline[0].start, m->offline[0].nr);
		span_remove(m->offline, &m->nr_offline, 0);
	}
	if (m->dax_keep)
		fput(m->dax_keep); /* after the pins: the inode may go now */
	if (m->pgmap_live)
		memunmap_pages(&m->pgmap); /* nothing maps or holds it: no task is left */
	free(m->dev_bytes);
	if (m->file_mode)
		file_mode_tear_down(m);
}

/* Huge mode's machine: @config gives the THP knobs. */
static void huge_machine(struct sim_config *cfg, uint8_t config)
{
	static const enum sim_thp knobs[] = {SIM_THP_MADVISE, SIM_THP_ALWAYS, SIM_THP_NEVER,
					     SIM_THP_MADVISE};

	cfg->mem_bytes = 64UL << 20;
	cfg->swap_bytes = 4UL << 20; /* for MODEL_OP_PAGEOUT */
	cfg->thp = knobs[config & 3];
	cfg->thp_no_zero_page = config & 4;
	cfg->hugetlb_2m_pages = HUGETLB_POOL;
}

/* Huge mode: the magic's config byte gives the THP knobs; the ops start after it. */
static size_t huge_mode_config(const uint8_t *data, size_t size, struct sim_config *cfg)
{
	if (size < MODEL_OP_BYTES || memcmp(data, MODEL_HUGE_MAGIC, 3))
		return 0;
	huge_machine(cfg, data[3]);
	return MODEL_OP_BYTES;
}

/* Migrate mode: huge mode's machine with somewhere to migrate to, CMA and a device. */
static size_t migrate_mode_config(const uint8_t *data, size_t size, struct sim_config *cfg)
{
	if (size < MODEL_OP_BYTES || memcmp(data, MODEL_MIGRATE_MAGIC, 3))
		return 0;
	huge_machine(cfg, data[3]);
	cfg->mem_bytes = MIGRATE_MEM_BYTES;
	cfg->movable_bytes = MOVABLE_BYTES;
	cfg->cma_bytes = CMA_BYTES;
	cfg->device_bytes = DEVICE_BYTES;
	if (data[3] & 16)
		cfg->dax_dir = fsdax_dir_get();
	return MODEL_OP_BYTES;
}

/*
 * After boot in migrate mode: the device's pgmap, at the alignment bit 3 of
 * @config gives; or, with bit 4, the fsdax pmem's file, zeroed.
 */
static void migrate_mode_start(struct model *m, uint8_t config)
{
	m->migrate_mode = true;
	m->longterm_stuck_fails = sim_current_profile() == SIM_PROFILE_6_18;
	m->longterm_avoids_movable = m->longterm_stuck_fails;
	m->dev_align = config & 8 ? PMD_SIZE : PAGE_SIZE;
	m->dev_bytes = calloc(1, DEVICE_BYTES);
	if (!m->dev_bytes) {
		diverged(m, "out of host memory");
		return;
	}
	m->dev_fsdax = sim_fsdax_pgmap() != NULL;
	if (m->dev_fsdax && !fsdax_file_reset())
		diverged(m, "cannot make the DAX file %s", fsdax_path);
	if (m->dev_fsdax && !m->failed) {
		int fd = sys_open(fsdax_path, O_RDWR, 0);

		m->dax_keep = fd < 0 ? NULL : fget(fd);
		if (fd >= 0)
			sys_close(fd);
		if (!m->dax_keep)
			diverged(m, "cannot open the DAX file %s (%d)", fsdax_path, fd);
	}
	device_remap(m, NULL);
}

/* The operation @code names in the input's mode. */
static enum model_opcode opcode_of(const struct model *m, uint8_t code, bool huge)
{
	if (m->migrate_mode)
		return migrate_mode_ops[code % ARRAY_SIZE(migrate_mode_ops)];
	if (m->file_mode) /* three opcodes past the common ones are file operations */
		return (enum model_opcode)(code % (MODEL_OP_HUGE + 3));
	return (enum model_opcode)(code % (huge ? MODEL_HUGE_NR_OPS : MODEL_OP_HUGE));
}

int model_run(const uint8_t *data, size_t size, enum sim_profile profile, FILE *log)
{
	struct sim_config cfg = {.mem_bytes = 16UL << 20, .quiet = !log, .profile = profile};
	struct model *m = calloc(1, sizeof(*m));
	size_t start = huge_mode_config(data, size, &cfg);
	size_t migrate = start ? 0 : migrate_mode_config(data, size, &cfg);
	size_t file_start = start || migrate ? 0 : file_mode_config(data, size, &cfg);
	int ret;

	if (!m || sim_boot(&cfg)) {
		free(m);
		return 1;
	}
	m->log = log;
	if (log && (start || migrate))
		fprintf(log, "model: %s mode, thp %d%s\n", start ? "huge" : "migrate", cfg.thp,
			cfg.thp_no_zero_page ? ", no huge zero page" : "");
	start = start ? start : migrate;
	m->has_mseal = sim_current_profile() == SIM_PROFILE_6_18;
	m->has_pin_fast_only = !m->has_mseal;
	m->file_mode = file_start;
	m->write_prefaults = sim_current_profile() == SIM_PROFILE_5_11; /* 6.14 stopped */
	m->seals_as_6_18 = m->has_mseal;
	if (file_start)
		start = file_start;
	if (start_task(m, &m->tasks[0]) && (!file_start || !file_mode_setup(m, data[3]))) {
		if (migrate)
			migrate_mode_start(m, data[3]);
		for (size_t pos = start;
		     pos + MODEL_OP_BYTES <= size && m->step < MAX_OPS && !m->failed;
		     pos += MODEL_OP_BYTES, m->step++) {
			struct model_op op = {data[pos], data[pos + 1], data[pos + 2],
					      data[pos + 3]};

			enum model_opcode code = opcode_of(m, op.code, start);

			if (m->file_mode && code >= MODEL_OP_HUGE)
				op_file(m, &op);
			else
				model_ops[code](m, &op);
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
