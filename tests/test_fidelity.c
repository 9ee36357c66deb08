// SPDX-License-Identifier: GPL-2.0-only
/*
 * Behaviours checked against the host kernel (pagemap of pfn maps, vsyscall=,
 * follow_page on special PTEs) and rules mutation testing found unguarded: PTE
 * dirty/young bits, RCU table frees, TASK_SIZE and guard-gap edges, locked_vm.
 */
#include "harness.h"

#include <pthread.h>
#include <semaphore.h>
#include <string.h>
#include <sys/mman.h>

#include "lib/rcu.h"
#include "mm/internal.h"

#define STACK_GUARD_PAGES 256UL /* stack_guard_gap's default: 1 MiB */
/* A 2 MiB-aligned address nothing else maps, so its PTE table is the test's alone. */
#define LONE_TABLE_ADDR (1UL << 40)

/* --- helpers --- */

/* The PTE mapping @addr in current's mm; the caller must not hold mmap_lock. */
static pte_t *pte_of(unsigned long addr)
{
	pte_t *ptep;

	mmap_read_lock(current->mm);
	ptep = mm_find_pte(current->mm, addr, NULL);
	mmap_read_unlock(current->mm);
	assert_non_null(ptep);
	return ptep;
}

/* Clear the PTE's young and dirty bits, as reclaim aging and writeback would. */
static void make_pte_old_and_clean(unsigned long addr)
{
	pte_t *ptep = pte_of(addr);

	set_pte(ptep, pte_mkold(pte_mkclean(ptep_get(ptep))));
}

static struct page *page_at(unsigned long addr)
{
	return pfn_to_page(pfn_of(current, addr));
}

static int fault_under_lock(unsigned long addr, unsigned int fault_flags)
{
	int ret;

	mmap_read_lock(current->mm);
	ret = fixup_user_fault(current->mm, addr, fault_flags, NULL);
	mmap_read_unlock(current->mm);
	return ret;
}

static struct page *follow_under_lock(unsigned long addr, unsigned int flags)
{
	struct page *page;

	mmap_read_lock(current->mm);
	page = follow_page(vma_at(current, addr), addr, flags);
	mmap_read_unlock(current->mm);
	return page;
}

/* --- pagemap: a VM_PFNMAP range is not present (host 6.18: [vvar] reads 0) --- */

static void test_pagemap_reports_pfnmap_as_a_hole(void **state)
{
	struct task_struct *t = start_task("pfnmap");
	struct page *frame = alloc_page(GFP_KERNEL | __GFP_ZERO);
	unsigned long addr, anon = map_rw(1);

	(void)state;
	assert_non_null(frame);
	addr = sys_mmap_pfn(page_to_pfn(frame), 1, PROT_READ | PROT_WRITE);
	assert_false(IS_ERR_VALUE(addr));
	assert_true(pte_present(ptep_get(pte_of(addr)))); /* mapped, yet... */
	assert_int_equal(pagemap_entry(t, addr), 0);	  /* ...a hole to pagemap */
	touch_page(anon);
	assert_true(pagemap_entry(t, anon) & PM_PRESENT); /* ordinary pages still show */
	assert_int_equal(sys_munmap(addr, PAGE_SIZE), 0);
	task_exit(t);
	__free_pages(frame, 0);
}

/* --- follow_page(FOLL_PIN) on a special PTE: the reference's -EEXIST --- */

static void test_follow_page_pin_of_pfn_pte_is_eexist(void **state)
{
	struct task_struct *t = start_task("pfnpin");
	struct page *frame = alloc_page(GFP_KERNEL | __GFP_ZERO);
	unsigned long pins = pins_acquired();
	struct page *pages[1];
	unsigned long addr;

	(void)state;
	assert_non_null(frame);
	addr = sys_mmap_pfn(page_to_pfn(frame), 1, PROT_READ | PROT_WRITE);
	assert_false(IS_ERR_VALUE(addr));
	make_pte_old_and_clean(addr);

	/*
	 * FOLL_PIN skips the frame as a plain lookup would, touching the PTE...
	 * (5.19 refuses follow_page(FOLL_PIN) before looking: NULL, untouched.)
	 */
	assert_int_equal((long)follow_under_lock(addr, FOLL_PIN | FOLL_TOUCH | FOLL_WRITE),
			 by_profile(-EEXIST, 0));
	assert_true(pte_young(ptep_get(pte_of(addr))) == !profile_is_6_18());
	assert_true(pte_dirty(ptep_get(pte_of(addr))) == !profile_is_6_18());
	/* ...and pins nothing; FOLL_GET is refused. */
	assert_int_equal(pins_acquired(), pins);
	assert_int_equal(page_count(frame), 1);
	assert_int_equal((long)follow_under_lock(addr, FOLL_GET), -EFAULT);
	/* GUP with a page array never meets the -EEXIST: the VMA is refused first. */
	mmap_read_lock(current->mm);
	assert_int_equal(pin_user_pages(addr, 1, 0, pages, NULL), -EFAULT);
	mmap_read_unlock(current->mm);
	assert_int_equal(pins_acquired(), pins);

	assert_int_equal(sys_munmap(addr, PAGE_SIZE), 0);
	task_exit(t);
	__free_pages(frame, 0);
}

/* remap_pfn_range() marks the VMA it fills, so GUP refuses it whoever mapped it. */
static void test_remap_pfn_range_makes_the_vma_pfnmap(void **state)
{
	struct task_struct *t = start_task("remap");
	struct page *frame = alloc_page(GFP_KERNEL | __GFP_ZERO);
	unsigned long addr = map_rw(1), pins = pins_acquired();
	struct vm_area_struct *vma;
	struct page *pages[1];

	(void)state;
	assert_non_null(frame);
	mmap_write_lock(current->mm);
	vma = find_vma(current->mm, addr);
	assert_int_equal(
		remap_pfn_range(vma, addr, page_to_pfn(frame), PAGE_SIZE, vma->vm_page_prot), 0);
	mmap_write_unlock(current->mm);
	assert_int_equal(vma->vm_flags & (VM_IO | VM_PFNMAP), VM_IO | VM_PFNMAP);
	mmap_read_lock(current->mm);
	assert_int_equal(pin_user_pages(addr, 1, 0, pages, NULL), -EFAULT);
	mmap_read_unlock(current->mm);
	assert_int_equal(pins_acquired(), pins);
	assert_int_equal(page_count(frame), 1);
	assert_int_equal(sys_munmap(addr, PAGE_SIZE), 0);
	task_exit(t);
	__free_pages(frame, 0);
}

/* --- vsyscall=xonly|emulate|none (host 6.18, xonly: /proc/self/mem EIO, GUP EFAULT) --- */

static int boot_vsyscall(enum sim_vsyscall mode)
{
	struct sim_config cfg = {.vsyscall = mode};

	return sim_boot(&cfg);
}

static int setup_xonly(void **state)
{
	(void)state;
	return boot_vsyscall(SIM_VSYSCALL_XONLY);
}

static int setup_emulate(void **state)
{
	(void)state;
	return boot_vsyscall(SIM_VSYSCALL_EMULATE);
}

static int setup_none(void **state)
{
	(void)state;
	return boot_vsyscall(SIM_VSYSCALL_NONE);
}

/* Read the vsyscall page as /proc/pid/mem does. */
static int read_vsyscall(struct task_struct *t, unsigned char *buf, int len)
{
	return access_process_vm(t, VSYSCALL_ADDR, buf, len, FOLL_FORCE);
}

/* process_vm_readv() of 16 bytes of @t's vsyscall page into a page of the current task. */
static long process_vm_read_vsyscall(struct task_struct *t)
{
	struct iovec local = {.iov_base = (void *)map_rw(1), .iov_len = 16};
	struct iovec remote = {.iov_base = (void *)VSYSCALL_ADDR, .iov_len = 16};

	return sys_process_vm_readv(t, &local, 1, &remote, 1, 0);
}

static void test_vsyscall_default_is_xonly(void **state)
{
	(void)state;
	assert_int_equal(sim_shutdown(), 0);
	assert_int_equal(sim_boot(NULL), 0);
	assert_int_equal(get_gate_vma(NULL)->vm_flags, VM_EXEC);
}

static void test_vsyscall_xonly_cannot_be_read(void **state)
{
	struct task_struct *t = start_task("xonly");
	struct vm_area_struct *gate = get_gate_vma(t->mm);
	unsigned char buf[16];
	struct page *page;

	(void)state;
	assert_non_null(gate);
	assert_int_equal(gate->vm_flags, VM_EXEC); /* maps shows --xp [vsyscall] */
	assert_true(in_gate_area(t->mm, VSYSCALL_ADDR));
	assert_int_equal(gup_under_lock(VSYSCALL_ADDR, 1, 0, &page, NULL), -EFAULT);
	assert_int_equal(gup_under_lock(VSYSCALL_ADDR, 1, FOLL_FORCE, &page, NULL), -EFAULT);
	assert_int_equal(read_vsyscall(t, buf, sizeof(buf)), 0); /* the host's read(2): EIO */
	assert_int_equal(process_vm_read_vsyscall(t), -EFAULT);	 /* as on the host */
	task_exit(t);
}

static void test_vsyscall_emulate_is_readable_not_writable(void **state)
{
	struct task_struct *t = start_task("emulate");
	struct vm_area_struct *gate = get_gate_vma(t->mm), *vma = NULL;
	unsigned char buf[16], expect[16];
	struct page *page;

	(void)state;
	assert_int_equal(gate->vm_flags, VM_READ | VM_EXEC);
	assert_int_equal(gup_under_lock(VSYSCALL_ADDR, 1, 0, &page, &vma), 1);
	assert_ptr_equal(vma, gate);
	assert_ptr_equal(page, gate->vm_private_data);
	assert_int_equal(*(unsigned char *)page_address(page), 0xcc);
	put_page(page);
	memset(expect, 0xcc, sizeof(expect));
	assert_int_equal(read_vsyscall(t, buf, sizeof(buf)), (int)sizeof(buf));
	assert_memory_equal(buf, expect, sizeof(buf));
	assert_int_equal(process_vm_read_vsyscall(t), 16);
	/* GUP-fast stays out: the address fails access_ok() whatever the mode. */
	assert_int_equal(get_user_pages_fast(VSYSCALL_ADDR, 1, 0, &page), -EFAULT);
	/* Read-only to everyone, forced access included. */
	assert_int_equal(gup_under_lock(VSYSCALL_ADDR, 1, FOLL_WRITE | FOLL_FORCE, &page, NULL),
			 -EFAULT);
	assert_int_equal(access_process_vm(t, VSYSCALL_ADDR, buf, 1, FOLL_WRITE | FOLL_FORCE), 0);
	task_exit(t);
}

static void test_vsyscall_none_has_no_gate(void **state)
{
	struct task_struct *t = start_task("none");
	unsigned char buf[16];
	struct page *page;

	(void)state;
	assert_null(get_gate_vma(t->mm));
	assert_false(in_gate_area(t->mm, VSYSCALL_ADDR));
	assert_int_equal(gup_under_lock(VSYSCALL_ADDR, 1, 0, &page, NULL), -EFAULT);
	assert_int_equal(read_vsyscall(t, buf, sizeof(buf)), 0);
	assert_int_equal(process_vm_read_vsyscall(t), -EFAULT);
	task_exit(t);
}

static void test_vsyscall_unknown_mode_is_refused(void **state)
{
	struct sim_config cfg = {.vsyscall = (enum sim_vsyscall)3};

	(void)state;
	assert_int_equal(sim_boot(&cfg), -EBUSY); /* one machine at a time, checked first */
	assert_int_equal(sim_shutdown(), 0);
	assert_int_equal(sim_boot(&cfg), -EINVAL);
	assert_int_equal(sim_boot(NULL), 0);
}

/* --- FOLL_COW --- */

/*
 * Only a write fault into a VMA without VM_WRITE (which GUP allows only when
 * forced) lets the retry accept a read-only PTE. In a writable VMA the rule is
 * observable only when the PTE is write-protected between the fault and the
 * retry, so the decision is checked where it is made.
 */
static void test_foll_cow_only_for_writes_into_unwritable_vmas(void **state)
{
	struct task_struct *t = start_task("follcow");
	unsigned long rw = map_rw(1), ro = map_pages(1, PROT_READ, MAP_PRIVATE);
	unsigned long shared = map_pages(1, PROT_READ | PROT_WRITE, MAP_SHARED);
	struct page *page;

	(void)state;
	assert_true(gup_cow_left_pte_readonly(vma_at(t, ro), VM_FAULT_WRITE));
	assert_false(gup_cow_left_pte_readonly(vma_at(t, ro), 0));
	assert_false(gup_cow_left_pte_readonly(vma_at(t, rw), VM_FAULT_WRITE));
	assert_false(gup_cow_left_pte_readonly(vma_at(t, shared), VM_FAULT_WRITE));

	/* What it is for: a forced write ends on our dirty, still read-only, copy. */
	assert_int_equal(gup_under_lock(ro, 1, FOLL_WRITE | FOLL_FORCE, &page, NULL), 1);
	assert_int_equal(page_to_pfn(page), pfn_of(t, ro));
	assert_true(PageAnon(page));
	assert_false(pte_write(ptep_get(pte_of(ro))));
	assert_true(pte_dirty(ptep_get(pte_of(ro))));
	put_page(page);
	task_exit(t);
}

/* --- dirty and young bits --- */

/* FOLL_TOUCH|FOLL_WRITE on a clean page behind a clean writable PTE dirties the page. */
static void test_touch_write_lookup_dirties_a_clean_page(void **state)
{
	struct task_struct *t = start_task("touch");
	unsigned long addr = map_rw(2);
	unsigned long faults;
	struct page *page;

	(void)state;
	touch_pages(addr, 2);
	for (int i = 0; i < 2; i++) {
		make_pte_old_and_clean(addr + i * PAGE_SIZE);
		ClearPageDirty(page_at(addr + i * PAGE_SIZE));
	}
	faults = page_faults();
	/* A read lookup leaves the page clean, a write lookup dirties it, neither faults. */
	page = follow_under_lock(addr, FOLL_GET | FOLL_TOUCH);
	assert_false(PageDirty(page));
	put_page(page);
	page = follow_under_lock(addr, FOLL_GET | FOLL_TOUCH | FOLL_WRITE);
	assert_true(PageDirty(page));
	put_page(page);
	/* Without FOLL_TOUCH a write lookup records nothing. */
	page = follow_under_lock(addr + PAGE_SIZE, FOLL_GET | FOLL_WRITE);
	assert_false(PageDirty(page));
	put_page(page);
	assert_int_equal(page_faults(), faults);
	task_exit(t);
}

/* A write fault that reuses an exclusive anonymous page makes its PTE writable, young, dirty. */
static void test_reused_page_pte_is_young_and_dirty(void **state)
{
	struct task_struct *t = start_task("reuse");
	unsigned long addr = map_rw(1);
	unsigned long reuses, pfn;
	struct task_struct *child;
	pte_t pte;

	(void)state;
	touch_page(addr);
	pfn = pfn_of(t, addr);
	child = sys_fork(); /* write-protects our PTE */
	assert_non_null(child);
	task_exit(child); /* ...and leaves the page ours alone again */
	set_current(t);
	make_pte_old_and_clean(addr);
	assert_false(pte_write(ptep_get(pte_of(addr))));

	reuses = global_node_page_state(NR_COW_REUSES);
	assert_int_equal(fault_under_lock(addr, FAULT_FLAG_WRITE), 0);
	assert_int_equal(global_node_page_state(NR_COW_REUSES), reuses + 1);
	assert_int_equal(pfn_of(t, addr), pfn);
	pte = ptep_get(pte_of(addr));
	assert_true(pte_write(pte));
	assert_true(pte_young(pte));
	assert_true(pte_dirty(pte));
	task_exit(t);
}

/* A write fault on a writable but clean PTE only has to set the dirty bit. */
static void test_write_fault_on_clean_writable_pte_dirties_it(void **state)
{
	struct task_struct *t = start_task("clean");
	unsigned long addr = map_rw(1);
	unsigned long pfn;
	pte_t pte;

	(void)state;
	touch_page(addr);
	pfn = pfn_of(t, addr);
	make_pte_old_and_clean(addr);
	assert_true(pte_write(ptep_get(pte_of(addr))));

	assert_int_equal(fault_under_lock(addr, FAULT_FLAG_WRITE), 0);
	pte = ptep_get(pte_of(addr));
	assert_true(pte_dirty(pte));
	assert_true(pte_young(pte));
	assert_int_equal(pfn_of(t, addr), pfn);

	/* A read fault makes it young but not dirty. */
	make_pte_old_and_clean(addr);
	assert_int_equal(fault_under_lock(addr, 0), 0);
	pte = ptep_get(pte_of(addr));
	assert_true(pte_young(pte));
	assert_false(pte_dirty(pte));
	task_exit(t);
}

/* Zapping a shmem PTE that is dirty hands the dirty bit to the page, or the data is lost. */
static void test_zap_moves_shmem_pte_dirty_to_page(void **state)
{
	struct task_struct *t = start_task("shmemzap");
	unsigned long addr = map_pages(2, PROT_READ | PROT_WRITE, MAP_SHARED);
	struct page *pages[2];

	(void)state;
	touch_pages(addr, 2);
	assert_int_equal(gup_under_lock(addr, 2, 0, pages, NULL), 2); /* keep them to look at */
	for (int i = 0; i < 2; i++) {
		assert_false(PageAnon(pages[i]));
		ClearPageDirty(pages[i]); /* written back; the PTE stays dirty for page 0 only */
	}
	make_pte_old_and_clean(addr + PAGE_SIZE);
	assert_true(pte_dirty(ptep_get(pte_of(addr))));

	assert_int_equal(sys_madvise(addr, 2 * PAGE_SIZE, MADV_DONTNEED), 0);
	assert_false(addr_present(addr));
	assert_true(PageDirty(pages[0]));
	assert_false(PageDirty(pages[1])); /* a clean PTE moves nothing */
	put_pages(pages, 2);
	task_exit(t);
}

/* --- page tables are freed after an RCU grace period --- */

struct table_reader {
	pte_t *table;	 /* a PTE in the table the reader holds */
	sem_t inside;	 /* posted once the reader is in its read-side section */
	sem_t unmapped;	 /* posted once munmap has returned */
	sem_t read_done; /* posted after the reader read the table, still inside */
	pte_t seen;
	bool table_still_a_table;
};

/* A lockless walker: inside an RCU read-side section it keeps reading a table. */
static void *hold_table(void *arg)
{
	struct table_reader *r = arg;

	sim_rcu_read_lock();
	sem_post(&r->inside);
	sem_wait(&r->unmapped);
	/* Freed memory would be poisoned: ASan stops the test right here. */
	r->seen = ptep_get(r->table);
	r->table_still_a_table = PageTable(virt_to_page(r->table));
	sem_post(&r->read_done);
	sim_rcu_read_unlock();
	return NULL;
}

static void test_pte_table_outlives_munmap_for_rcu_readers(void **state)
{
	struct task_struct *t = start_task("rcu");
	unsigned long addr = sys_mmap(LONE_TABLE_ADDR, PAGE_SIZE, PROT_READ | PROT_WRITE,
				      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	unsigned long tables;
	struct table_reader r = {0};
	struct sim_thread *reader;

	(void)state;
	assert_int_equal(addr, LONE_TABLE_ADDR);
	touch_page(addr);
	r.table = pte_of(addr);
	sem_init(&r.inside, 0, 0);
	sem_init(&r.unmapped, 0, 0);
	sem_init(&r.read_done, 0, 0);
	/* A lockless walker: an RCU reader that runs no task. */
	assert_int_equal(sim_thread_spawn(NULL, hold_table, &r, &reader), 0);
	sem_wait(&r.inside);

	tables = global_node_page_state(NR_PAGETABLE);
	assert_int_equal(sys_munmap(addr, PAGE_SIZE), 0);
	assert_null(mm_find_pte(t->mm, addr, NULL)); /* unlinked from the tree at once */
	sem_post(&r.unmapped);
	sem_wait(&r.read_done);
	/* The reader saw the cleared table, still a page table, not a reused frame. */
	assert_true(r.table_still_a_table);
	assert_true(pte_none(r.seen));
	assert_int_equal(global_node_page_state(NR_PAGETABLE), tables);
	sim_thread_join(reader);

	/* Once every reader has left, the grace period ends and the tables go. */
	pgtable_rcu_barrier();
	assert_true(global_node_page_state(NR_PAGETABLE) < tables);
	sem_destroy(&r.inside);
	sem_destroy(&r.unmapped);
	sem_destroy(&r.read_done);
	task_exit(t);
}

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define HAVE_FRAME_POISON 1
#endif

#ifdef HAVE_FRAME_POISON
/* A freed frame is poisoned; shutdown lifts it, or the host range stays poisoned. */
static void test_free_frames_are_poisoned_until_shutdown(void **state)
{
	struct page *page = alloc_page(GFP_KERNEL);
	void *bytes;

	(void)state;
	assert_non_null(page);
	bytes = page_address(page);
	assert_false(__asan_address_is_poisoned(bytes));
	__free_pages(page, 0);
	assert_true(__asan_address_is_poisoned(bytes));
	assert_int_equal(sim_shutdown(), 0);
	assert_false(__asan_address_is_poisoned(bytes));
	assert_int_equal(sim_boot(NULL), 0);
}
#endif

/* --- address-space boundaries --- */

/* [TASK_SIZE - 2 pages, TASK_SIZE) is a valid user range for every call; one page more is not. */
static void test_range_ending_at_task_size_is_accepted(void **state)
{
	struct task_struct *t = start_task("top");
	const unsigned long top = TASK_SIZE - 2 * PAGE_SIZE, len = 2 * PAGE_SIZE;
	struct page *pages[2];
	char c = 'x';

	(void)state;
	assert_int_equal(sys_mmap(top, len, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0),
			 top);
	assert_int_equal(copy_to_user(TASK_SIZE - 1, &c, 1), 0);
	assert_int_equal(sys_mprotect(top, len, PROT_READ | PROT_WRITE), 0);
	assert_int_equal(sys_madvise(top, len, MADV_POPULATE_WRITE), 0);
	assert_int_equal(sys_mlock(top, len), 0);
	assert_int_equal(sys_munlock(top, len), 0);
	assert_int_equal(gup_under_lock(top, 2, FOLL_WRITE, pages, NULL), 2);
	put_pages(pages, 2);
	assert_int_equal(pin_user_pages_fast(top, 2, FOLL_WRITE, pages), 2);
	unpin_user_pages(pages, 2);

	/* A page past TASK_SIZE is refused by each of them. */
	assert_true(IS_ERR_VALUE(sys_mmap(top + PAGE_SIZE, len, PROT_READ,
					  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0)));
	assert_int_equal(copy_to_user(TASK_SIZE, &c, 1), 1);
	assert_true(sys_mprotect(top + PAGE_SIZE, len, PROT_READ) < 0);
	assert_true(sys_mlock(top + PAGE_SIZE, len) < 0);
	assert_true(pin_user_pages_fast(top + PAGE_SIZE, 2, 0, pages) <= 0);
	assert_true(sys_munmap(top + PAGE_SIZE, len) < 0);

	assert_int_equal(sys_munmap(top, len), 0);
	assert_null(vma_at(t, top));
	task_exit(t);
}

/*
 * Grow the current task's stack down to @addr: by GUP under 5.11; under 6.18,
 * where GUP grows no stack (6.5), by access_remote_vm(), which still does.
 * Returns 1 (*@page the GUP reference, or NULL) or -EFAULT.
 */
static long grow_stack_to(unsigned long addr, struct page **page)
{
	char byte;

	*page = NULL;
	if (sim_current_profile() != SIM_PROFILE_6_18)
		return gup_under_lock(addr, 1, FOLL_WRITE, page, NULL);
	return access_remote_vm(current->mm, addr, &byte, 1, 0) == 1 ? 1 : -EFAULT;
}

/* A stack may grow to exactly stack_guard_gap above the mapping below it, not a page closer. */
static void test_stack_guard_gap_is_exact(void **state)
{
	struct task_struct *t = start_task("guard");
	const unsigned long below = 1UL << 32, gap = STACK_GUARD_PAGES * PAGE_SIZE;
	const unsigned long limit = below + PAGE_SIZE + gap; /* lowest start the stack may have */
	unsigned long stack;
	struct page *page;

	(void)state;
	assert_int_equal(sys_mmap(below, PAGE_SIZE, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0),
			 below);
	stack = sys_mmap(limit + 2 * PAGE_SIZE, PAGE_SIZE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_GROWSDOWN, -1, 0);
	assert_int_equal(stack, limit + 2 * PAGE_SIZE);

	/* One page inside the gap: refused, and the stack did not move. */
	assert_int_equal(grow_stack_to(limit - PAGE_SIZE, &page), -EFAULT);
	assert_int_equal(vma_at(t, stack)->vm_start, stack);
	/* Right at the gap: allowed. */
	assert_int_equal(grow_stack_to(limit, &page), 1);
	if (page)
		put_page(page);
	assert_int_equal(vma_at(t, stack)->vm_start, limit);
	assert_int_equal(limit - vma_at(t, below)->vm_end, gap);
	task_exit(t);
}

/* --- VMA merging and locked_vm --- */

/* Two anonymous VMAs that each have their own anon_vma stay apart even when they touch. */
static void test_vmas_with_different_anon_vmas_never_merge(void **state)
{
	struct task_struct *t = start_task("anonvma");
	const unsigned long base = 1UL << 33;
	struct vm_area_struct *low, *high;

	(void)state;
	/* Two private mappings with a hole between them, each faulted (own anon_vma). */
	assert_int_equal(sys_mmap(base, PAGE_SIZE, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0),
			 base);
	assert_int_equal(sys_mmap(base + 2 * PAGE_SIZE, PAGE_SIZE, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0),
			 base + 2 * PAGE_SIZE);
	touch_page(base);
	touch_page(base + 2 * PAGE_SIZE);
	assert_ptr_not_equal(vma_at(t, base)->anon_vma, vma_at(t, base + 2 * PAGE_SIZE)->anon_vma);

	/* Filling the hole: the new VMA (no anon_vma yet) may join one side, never both. */
	assert_int_equal(sys_mmap(base + PAGE_SIZE, PAGE_SIZE, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0),
			 base + PAGE_SIZE);
	low = vma_at(t, base);
	high = vma_at(t, base + 2 * PAGE_SIZE);
	assert_ptr_not_equal(low, high);
	assert_ptr_not_equal(low->anon_vma, high->anon_vma);
	assert_int_equal(low->vm_end, high->vm_start);

	/* The same holds when mprotect makes neighbours' flags equal again. */
	assert_int_equal(sys_mprotect(base, 3 * PAGE_SIZE, PROT_READ), 0);
	assert_ptr_not_equal(vma_at(t, base), vma_at(t, base + 2 * PAGE_SIZE));
	assert_int_equal(sim_check(NULL), 0);
	task_exit(t);
}

/* munmap of locked memory, whole or in part, gives the pages back to locked_vm. */
static void test_munmap_of_locked_vma_lowers_locked_vm(void **state)
{
	struct task_struct *t = start_task("lockedvm");
	unsigned long addr = map_rw(4);

	(void)state;
	assert_int_equal(sys_mlock(addr, 4 * PAGE_SIZE), 0);
	assert_int_equal(t->mm->locked_vm, 4);
	assert_int_equal(sys_munmap(addr + PAGE_SIZE, PAGE_SIZE), 0); /* splits it */
	assert_int_equal(t->mm->locked_vm, 3);
	assert_int_equal(sys_munmap(addr, 4 * PAGE_SIZE), 0);
	assert_int_equal(t->mm->locked_vm, 0);
	task_exit(t);
}

#define VSYSCALL_TEST(fn, setup) cmocka_unit_test_setup_teardown(fn, setup, sim_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		GUP_TEST(test_pagemap_reports_pfnmap_as_a_hole),
		GUP_TEST(test_follow_page_pin_of_pfn_pte_is_eexist),
		GUP_TEST(test_remap_pfn_range_makes_the_vma_pfnmap),
		GUP_TEST(test_vsyscall_default_is_xonly),
		VSYSCALL_TEST(test_vsyscall_xonly_cannot_be_read, setup_xonly),
		VSYSCALL_TEST(test_vsyscall_emulate_is_readable_not_writable, setup_emulate),
		VSYSCALL_TEST(test_vsyscall_none_has_no_gate, setup_none),
		GUP_TEST(test_vsyscall_unknown_mode_is_refused),
		GUP_TEST(test_foll_cow_only_for_writes_into_unwritable_vmas),
		GUP_TEST(test_touch_write_lookup_dirties_a_clean_page),
		GUP_TEST(test_reused_page_pte_is_young_and_dirty),
		GUP_TEST(test_write_fault_on_clean_writable_pte_dirties_it),
		GUP_TEST(test_zap_moves_shmem_pte_dirty_to_page),
		GUP_TEST(test_pte_table_outlives_munmap_for_rcu_readers),
#ifdef HAVE_FRAME_POISON
		GUP_TEST(test_free_frames_are_poisoned_until_shutdown),
#endif
		GUP_TEST(test_range_ending_at_task_size_is_accepted),
		GUP_TEST(test_stack_guard_gap_is_exact),
		GUP_TEST(test_vmas_with_different_anon_vmas_never_merge),
		GUP_TEST(test_munmap_of_locked_vma_lowers_locked_vm),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
