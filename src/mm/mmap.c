// SPDX-License-Identifier: GPL-2.0-only
/*
 * VMAs: the per-mm tree and list, lookup, split and merge, stack growth, and the
 * mmap/munmap system calls. Also the x86-64 vsyscall gate VMA.
 */
#include "mm/internal.h"

static int vma_cmp(struct vm_area_struct *a, struct vm_area_struct *b)
{
	return a->vm_start < b->vm_start ? -1 : a->vm_start > b->vm_start;
}

/* libbsd's tree.h spells the unused attribute the BSD way. */
#ifndef __unused
#define __unused __attribute__((unused))
#endif
RB_GENERATE_STATIC(vma_tree, vm_area_struct, vm_rb, vma_cmp)

/* x86-64 protection for each combination of READ, WRITE, EXEC and SHARED. */
pgprot_t vm_get_page_prot(vm_flags_t vm_flags)
{
	static const unsigned long map[16] = {
		[0] = _PAGE_PROTNONE | _PAGE_ACCESSED,
		[VM_READ] = _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED | _PAGE_NX,
		[VM_WRITE] = _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED | _PAGE_NX,
		[VM_WRITE | VM_READ] = _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED | _PAGE_NX,
		[VM_EXEC] = _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED,
		[VM_EXEC | VM_READ] = _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED,
		[VM_EXEC | VM_WRITE] = _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED,
		[VM_EXEC | VM_WRITE | VM_READ] = _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED,
		[VM_SHARED] = _PAGE_PROTNONE | _PAGE_ACCESSED,
		[VM_SHARED | VM_READ] = _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED | _PAGE_NX,
		[VM_SHARED | VM_WRITE] =
			_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_NX,
		[VM_SHARED | VM_WRITE | VM_READ] =
			_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_NX,
		[VM_SHARED | VM_EXEC] = _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED,
		[VM_SHARED | VM_EXEC | VM_READ] = _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED,
		[VM_SHARED | VM_EXEC | VM_WRITE] =
			_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED,
		[VM_SHARED | VM_EXEC | VM_WRITE | VM_READ] =
			_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED,
	};

	return __pgprot(map[vm_flags & (VM_READ | VM_WRITE | VM_EXEC | VM_SHARED)]);
}

/*
 * A shared writable mapping of a file that tracks dirty pages (page_mkwrite), or
 * one whose soft-dirty bits were cleared, maps its pages read-only until a write
 * fault dirties them, as vma_wants_writenotify().
 */
bool vma_wants_writenotify(const struct vm_area_struct *vma)
{
	if ((vma->vm_flags & (VM_WRITE | VM_SHARED)) != (VM_WRITE | VM_SHARED))
		return false;
	if (vma->vm_ops && vma->vm_ops->page_mkwrite)
		return true;
	/* After clear_refs soft-dirty, writes must fault to be seen (CONFIG_MEM_SOFT_DIRTY). */
	return pgtable_supports_soft_dirty() && !(vma->vm_flags & (VM_SOFTDIRTY | VM_PFNMAP));
}

void vma_set_page_prot(struct vm_area_struct *vma)
{
	vm_flags_t flags = vma->vm_flags;

	vma->vm_page_prot =
		vm_get_page_prot(vma_wants_writenotify(vma) ? flags & ~VM_SHARED : flags);
}

/* --- allocation and linking --- */

struct vm_area_struct *vm_area_alloc(struct mm_struct *mm)
{
	struct vm_area_struct *vma;

	if (sim_point(SP_VMA_ALLOC, mm))
		return NULL;
	vma = calloc(1, sizeof(*vma));
	if (!vma)
		return NULL;
	vma->vm_mm = mm;
	INIT_LIST_HEAD(&vma->anon_vma_chain);
	INIT_LIST_HEAD(&vma->shared);
	atomic_long_add(1, &sim.nr_vmas);
	return vma;
}

struct vm_area_struct *vm_area_dup(struct vm_area_struct *orig)
{
	struct vm_area_struct *vma = vm_area_alloc(orig->vm_mm);

	if (!vma)
		return NULL;
	/* orig's i_mmap node may change under i_mmap_rwsem alone (a neighbour unlinked). */
	if (orig->vm_file)
		i_mmap_lock_read(orig->vm_file->f_mapping);
	*vma = *orig;
	if (orig->vm_file)
		i_mmap_unlock_read(orig->vm_file->f_mapping);
	vma->vm_next = vma->vm_prev = NULL;
	memset(&vma->vm_rb, 0, sizeof(vma->vm_rb));
	INIT_LIST_HEAD(&vma->shared); /* on i_mmap when vma_link() puts it in an mm */
	anon_vma_get(vma->anon_vma);
	if (anon_vma_clone(vma, orig)) {
		vma->vm_file = NULL;
		vma->vm_ops = NULL;
		vm_area_free(vma);
		return NULL;
	}
	if (vma->vm_file) {
		get_file(vma->vm_file);
		/* A copy of a counted mapping counts too, seal or not (__vma_link_file). */
		vma_dup_writable(vma);
	}
	return vma;
}

void vm_area_free(struct vm_area_struct *vma)
{
	if (vma->vm_ops && vma->vm_ops->close)
		vma->vm_ops->close(vma);
	unlink_anon_vmas(vma);
	unlink_file_vma(vma);
	if (vma->vm_file) {
		vma_unmap_writable(vma);
		fput(vma->vm_file);
	}
	free(vma);
	atomic_long_add(-1, &sim.nr_vmas);
}

void vma_link(struct mm_struct *mm, struct vm_area_struct *vma)
{
	VM_CHECK(vma_is_valid(vma, stderr));
	struct vm_area_struct *prev = NULL, *next;

	RB_INSERT(vma_tree, &mm->mm_rb, vma);
	next = RB_NEXT(vma_tree, &mm->mm_rb, vma);
	prev = RB_PREV(vma_tree, &mm->mm_rb, vma);
	vma->vm_prev = prev;
	vma->vm_next = next;
	if (prev)
		prev->vm_next = vma;
	else
		mm->mmap = vma;
	if (next)
		next->vm_prev = vma;
	else
		mm->highest_vm_end = vma->vm_end;
	mm->map_count++;
	vma_link_file(vma);
}

void vma_unlink(struct mm_struct *mm, struct vm_area_struct *vma)
{
	RB_REMOVE(vma_tree, &mm->mm_rb, vma);
	if (vma->vm_prev)
		vma->vm_prev->vm_next = vma->vm_next;
	else
		mm->mmap = vma->vm_next;
	if (vma->vm_next)
		vma->vm_next->vm_prev = vma->vm_prev;
	else
		mm->highest_vm_end = vma->vm_prev ? vma->vm_prev->vm_end : 0;
	vma->vm_next = vma->vm_prev = NULL;
	mm->map_count--;
}

/* --- lookup --- */

struct vm_area_struct *find_vma(struct mm_struct *mm, unsigned long addr)
{
	struct vm_area_struct *node = RB_ROOT(&mm->mm_rb), *best = NULL;

	while (node) {
		if (node->vm_end > addr) {
			best = node;
			if (node->vm_start <= addr)
				break;
			node = RB_LEFT(node, vm_rb);
		} else {
			node = RB_RIGHT(node, vm_rb);
		}
	}
	return best;
}

struct vm_area_struct *find_vma_prev(struct mm_struct *mm, unsigned long addr,
				     struct vm_area_struct **pprev)
{
	struct vm_area_struct *vma = find_vma(mm, addr), *last;

	if (vma) {
		*pprev = vma->vm_prev;
		return vma;
	}
	for (last = mm->mmap; last && last->vm_next; last = last->vm_next)
		;
	*pprev = last;
	return NULL;
}

#define STACK_GUARD_GAP (256UL << PAGE_SHIFT)
#define STACK_RLIMIT (8UL << 20)

int expand_stack(struct vm_area_struct *vma, unsigned long address)
{
	struct mm_struct *mm = vma->vm_mm;
	struct vm_area_struct *prev = vma->vm_prev;
	unsigned long grow;

	if (!(vma->vm_flags & VM_GROWSDOWN))
		return -EFAULT;
	address &= PAGE_MASK;
	if (address >= vma->vm_start)
		return 0;
	if (address < PAGE_SIZE)
		return -EPERM;
	/* The guard gap only keeps stacks off accessible mappings (PROT_NONE guards are fine). */
	if (prev && !(prev->vm_flags & VM_GROWSDOWN) && vma_is_accessible(prev) &&
	    address - prev->vm_end < STACK_GUARD_GAP)
		return -ENOMEM;
	if (vma->vm_end - address > STACK_RLIMIT)
		return -ENOMEM; /* RLIMIT_STACK, at its usual 8 MiB */
	/*
	 * GUP grows stacks under mmap_lock held for read, so two threads may get
	 * here at once: serialise on page_table_lock, as the kernel does. The gap
	 * below the VMA is free, so its place in the tree does not change.
	 */
	spin_lock(&mm->page_table_lock);
	if (address < vma->vm_start) {
		grow = (vma->vm_start - address) >> PAGE_SHIFT;
		mm->total_vm += grow;
		if (vma->vm_flags & VM_LOCKED)
			mm->locked_vm += grow;
		vma->vm_pgoff -= grow;
		WRITE_ONCE(vma->vm_start, address);
	}
	spin_unlock(&mm->page_table_lock);
	return 0;
}

struct vm_area_struct *find_extend_vma(struct mm_struct *mm, unsigned long addr)
{
	struct vm_area_struct *vma;
	unsigned long start;

	addr &= PAGE_MASK;
	vma = find_vma(mm, addr);
	if (vma && vma->vm_start <= addr)
		return vma;
	if (!vma || !(vma->vm_flags & VM_GROWSDOWN))
		return NULL;
	start = vma->vm_start;
	if (expand_stack(vma, addr))
		return NULL;
	/* Populate (and mlock) everything the stack just grew by. */
	if (vma->vm_flags & VM_LOCKED)
		populate_vma_page_range(vma, addr, start, NULL);
	return vma;
}

/*
 * 6.5's expand_stack(mm, addr), for __access_remote_vm(): called with mmap_lock
 * held for read, which is dropped and taken for write, as growing a stack now
 * needs. Return: the VMA covering @addr (grown down to it if it is a stack),
 * with mmap_lock held for read again; NULL with mmap_lock not held.
 */
struct vm_area_struct *expand_stack_unlocked(struct mm_struct *mm, unsigned long addr)
{
	struct vm_area_struct *vma;

	mmap_read_unlock(mm);
	if (mmap_write_lock_killable(mm))
		return NULL;
	vma = find_vma(mm, addr);
	if (vma && vma->vm_start > addr && expand_stack(vma, addr))
		vma = NULL;
	if (!vma) {
		mmap_write_unlock(mm);
		return NULL;
	}
	mmap_write_downgrade(mm);
	return vma;
}

/*
 * The vsyscall page: one VMA above TASK_SIZE, shared by every mm, shaped by the
 * vsyscall= mode as arch/x86/entry/vsyscall/vsyscall_64.c shapes it. Only in
 * emulate mode is the frame mapped readable; xonly leaves it out of the page
 * tables (vm_private_data NULL here, so get_gate_page() finds nothing to read),
 * and none has no gate VMA.
 */
static struct vm_area_struct gate_vma = {
	.vm_start = VSYSCALL_ADDR,
	.vm_end = VSYSCALL_ADDR + PAGE_SIZE,
	.vm_page_prot = {_PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED},
};

/* Shape the gate VMA for the boot's vsyscall= mode; sim_boot() calls it once. */
void gate_vma_init(enum sim_vsyscall mode)
{
	bool readable = mode == SIM_VSYSCALL_EMULATE;

	gate_vma.vm_flags = readable ? VM_READ | VM_EXEC : VM_EXEC;
	gate_vma.vm_private_data = readable ? gate_page() : NULL;
}

struct vm_area_struct *get_gate_vma(struct mm_struct *mm)
{
	(void)mm;
	return sim.vsyscall == SIM_VSYSCALL_NONE ? NULL : &gate_vma;
}

bool in_gate_area(struct mm_struct *mm, unsigned long addr)
{
	struct vm_area_struct *vma = get_gate_vma(mm);

	return vma && addr >= vma->vm_start && addr < vma->vm_end;
}

/* --- split and merge --- */

int split_vma(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long addr, int new_below)
{
	struct vm_area_struct *new;
	struct address_space *mapping;

	if (addr <= vma->vm_start || addr >= vma->vm_end)
		return 0;
	/* vm_ops->split: a hugetlb VMA is only cut at its huge page boundaries. */
	if (is_vm_hugetlb_page(vma) && hugetlb_split_ok(vma, addr))
		return -EINVAL;
	if (vma->vm_ops && vma->vm_ops->may_split && vma->vm_ops->may_split(vma, addr))
		return -EINVAL;
	new = vm_area_dup(vma);
	/* No huge pmd may straddle two VMAs (vma_adjust_trans_huge()). */
	if (new)
		vma_adjust_trans_huge(vma, addr);
	if (!new)
		return -ENOMEM;
	vma_unlink(mm, vma);
	/* Both halves stay findable by a file rmap walk while the range moves. */
	mapping = vma_lock_file_range(vma);
	__vma_link_file(new);
	if (new_below) {
		new->vm_end = addr;
		vma->vm_pgoff += (addr - vma->vm_start) >> PAGE_SHIFT;
		vma->vm_start = addr;
	} else {
		new->vm_start = addr;
		new->vm_pgoff += (addr - vma->vm_start) >> PAGE_SHIFT;
		vma->vm_end = addr;
	}
	vma_unlock_file_range(mapping);
	vma_link(mm, vma);
	vma_link(mm, new);
	return 0;
}

static bool vmas_can_merge(struct vm_area_struct *a, struct vm_area_struct *b)
{
	/* VM_SOFTDIRTY does not keep VMAs apart (is_mergeable_vma). */
	if (a->vm_end != b->vm_start || ((a->vm_flags ^ b->vm_flags) & ~VM_SOFTDIRTY) ||
	    a->vm_ops != b->vm_ops || a->vm_file != b->vm_file || (a->vm_flags & VM_SPECIAL))
		return false;
	if (a->vm_pgoff + vma_pages(a) != b->vm_pgoff)
		return false;
	return !a->anon_vma || !b->anon_vma || a->anon_vma == b->anon_vma;
}

/* Absorb @b into @a, its lower neighbour; @b is freed. */
static void merge_into(struct mm_struct *mm, struct vm_area_struct *a, struct vm_area_struct *b)
{
	struct address_space *mapping;

	vma_unlink(mm, b);
	mapping = vma_lock_file_range(a);
	a->vm_end = b->vm_end;
	/* Conservative: soft-dirty over the whole if either half was (a new mapping is). */
	a->vm_flags |= b->vm_flags & VM_SOFTDIRTY;
	vma_unlock_file_range(mapping);
	anon_vma_merge_chain(a, b);
	if (a->vm_next == NULL)
		mm->highest_vm_end = a->vm_end;
	vm_area_free(b);
}

struct vm_area_struct *vma_merge_neighbours(struct mm_struct *mm, struct vm_area_struct *vma)
{
	struct vm_area_struct *prev = vma->vm_prev, *next = vma->vm_next;

	if (next && vmas_can_merge(vma, next))
		merge_into(mm, vma, next);
	if (prev && vmas_can_merge(prev, vma)) {
		merge_into(mm, prev, vma);
		vma = prev;
	}
	return vma;
}

/* --- unmapping --- */

static void remove_vma_range(struct mm_struct *mm, struct vm_area_struct *vma)
{
	if (vma->vm_flags & VM_LOCKED)
		mm->locked_vm -= vma_pages(vma);
	mm->total_vm -= vma_pages(vma);
	unmap_page_range(vma, vma->vm_start, vma->vm_end);
	vma_unlink(mm, vma);
	vm_area_free(vma);
}

int do_munmap(struct mm_struct *mm, unsigned long start, size_t len)
{
	unsigned long end;
	struct vm_area_struct *vma, *next;

	if (!IS_ALIGNED(start, PAGE_SIZE) || start > TASK_SIZE || len > TASK_SIZE - start)
		return -EINVAL;
	end = start + ALIGN_UP(len, PAGE_SIZE);
	if (end == start)
		return -EINVAL;
	vma = find_vma(mm, start);
	if (vma == NULL || end <= vma->vm_start)
		return 0; /* nothing mapped there */
	/* 6.10: a sealed VMA anywhere in the range refuses the whole unmap. */
	if (!can_modify_mm(mm, start, end))
		return -EPERM;
	/* Splits first, so a failure (-ENOMEM, -EINVAL inside a huge page) changes nothing. */
	if (vma->vm_start < start) {
		int err = split_vma(mm, vma, start, 0);

		if (err)
			return err;
	}
	next = find_vma(mm, end - 1);
	if (next && next->vm_start < end && next->vm_end > end) {
		int err = split_vma(mm, next, end, 1);

		if (err)
			return err;
	}
	/* After the splits: the end split may have moved the struct we had to the upper part. */
	vma = find_vma(mm, start);
	while (vma && vma->vm_start < end) {
		next = vma->vm_next;
		remove_vma_range(mm, vma);
		vma = next;
	}
	free_pgtables_range(mm, start, end);
	VM_CHECK(mm_is_valid(mm, stderr));
	return 0;
}

void exit_mmap(struct mm_struct *mm)
{
	while (mm->mmap)
		remove_vma_range(mm, mm->mmap);
	free_all_pgtables(mm);
}

/* --- mapping --- */

static bool range_is_free(struct mm_struct *mm, unsigned long addr, unsigned long len)
{
	struct vm_area_struct *vma = find_vma(mm, addr);

	return !vma || vma->vm_start >= addr + len;
}

/* Top-down search below mmap_base, as the x86-64 default layout does. */
unsigned long get_unmapped_area(struct mm_struct *mm, unsigned long hint, unsigned long len)
{
	unsigned long top = mm->mmap_base, gap_end;
	struct vm_area_struct *vma;

	if (len > TASK_SIZE)
		return -ENOMEM;
	/* The kernel's round_hint_to_min(): a hint is rounded down to its page. */
	hint &= PAGE_MASK;
	if (hint) {
		if (hint <= TASK_SIZE - len && range_is_free(mm, hint, len))
			return hint;
	}
	/* Walk VMAs from the highest one below top, looking for a gap of len. */
	vma = find_vma(mm, top);
	vma = vma ? vma->vm_prev : NULL;
	if (!vma)
		for (vma = mm->mmap; vma && vma->vm_next; vma = vma->vm_next)
			;
	gap_end = top;
	for (; vma; vma = vma->vm_prev) {
		if (vma->vm_end >= gap_end) {
			gap_end = min_t(unsigned long, gap_end, vma->vm_start);
			continue;
		}
		if (gap_end - vma->vm_end >= len)
			return gap_end - len;
		gap_end = vma->vm_start;
	}
	if (gap_end >= len + PAGE_SIZE * 16)
		return gap_end - len;
	return -ENOMEM;
}

static vm_flags_t calc_vm_flags(unsigned long prot, unsigned long flags, struct mm_struct *mm)
{
	vm_flags_t vm_flags = mm->def_flags | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;

	if (prot & PROT_READ)
		vm_flags |= VM_READ;
	if (prot & PROT_WRITE)
		vm_flags |= VM_WRITE;
	if (prot & PROT_EXEC)
		vm_flags |= VM_EXEC;
	if (flags & MAP_SHARED)
		vm_flags |= VM_SHARED | VM_MAYSHARE;
	if (flags & MAP_GROWSDOWN)
		vm_flags |= VM_GROWSDOWN;
	if (flags & MAP_LOCKED)
		vm_flags |= VM_LOCKED;
	if (flags & MAP_NORESERVE)
		vm_flags |= VM_NORESERVE;
	return vm_flags;
}

static unsigned long map_region(struct mm_struct *mm, unsigned long addr, unsigned long len,
				vm_flags_t vm_flags, struct file *file, unsigned long pgoff)
{
	struct vm_area_struct *vma = vm_area_alloc(mm);

	if (!vma)
		return -ENOMEM;
	/* Every page of a new mapping reads as soft-dirty until clear_refs (mmap_region). */
	if (pgtable_supports_soft_dirty())
		vm_flags |= VM_SOFTDIRTY;
	vma->vm_start = addr;
	vma->vm_end = addr + len;
	vma->vm_flags = vm_flags;
	vma->vm_pgoff = pgoff;
	if (vm_flags & VM_HUGETLB) {
		vma->vm_file = get_file(file); /* private ones too: it holds the hstate */
		vma->vm_ops = &hugetlb_vm_ops;
	} else if (!file && (vm_flags & VM_SHARED) && !(vm_flags & VM_PFNMAP)) {
		/* Shared anonymous memory is a shmem file of its own. */
		vma->vm_file = shmem_file_setup(len);
		if (!vma->vm_file) {
			vm_area_free(vma);
			return -ENOMEM;
		}
	} else if (file) {
		vma->vm_file = get_file(file);
	}
	if (vma->vm_file) {
		int err =
			vma->vm_file->f_op->mmap ? vma->vm_file->f_op->mmap(vma->vm_file, vma) : 0;

		/* Counted after the file's mmap, which a write seal may make read-only (6.7). */
		if (!err)
			err = vma_map_writable(vma);
		if (err) {
			vma->vm_flags &= ~VM_SHARED; /* never counted: nothing to uncount */
			vm_area_free(vma);	     /* drops the file reference */
			return err;
		}
		vm_flags = vma->vm_flags; /* the file may add some (secretmem: VM_LOCKED) */
	}
	vma_set_page_prot(vma);
	vma_link(mm, vma);
	mm->total_vm += len >> PAGE_SHIFT;
	if (vm_flags & VM_LOCKED)
		mm->locked_vm += len >> PAGE_SHIFT;
	vma_merge_neighbours(mm, vma);
	return addr;
}

static int check_mmap_flags(unsigned long prot, unsigned long flags)
{
	unsigned long type = flags & MAP_TYPE;

	if (prot &
	    ~(unsigned long)(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_GROWSDOWN | PROT_GROWSUP))
		return -EINVAL;
	if (type != MAP_SHARED && type != MAP_PRIVATE && type != MAP_SHARED_VALIDATE)
		return -EINVAL;
	if (!(flags & MAP_ANONYMOUS))
		return 0; /* the file's rules: check_file_mmap() */
	/* Anonymous memory knows no flags to validate, and shared memory cannot grow. */
	if (type == MAP_SHARED_VALIDATE || (type == MAP_SHARED && (flags & MAP_GROWSDOWN)))
		return -EINVAL;
	return 0;
}

/*
 * A free range of @len bytes aligned to @align (a huge page size): the hint rounded
 * up if that is free, else the top of a gap big enough for any alignment.
 */
static unsigned long get_unmapped_area_aligned(struct mm_struct *mm, unsigned long hint,
					       unsigned long len, unsigned long align)
{
	unsigned long addr;

	if (len > TASK_SIZE - align)
		return -ENOMEM;
	hint = ALIGN_UP(hint, align);
	if (hint && hint <= TASK_SIZE - len && range_is_free(mm, hint, len))
		return hint;
	addr = get_unmapped_area(mm, 0, len + align - PAGE_SIZE);
	return IS_ERR_VALUE(addr) ? addr : ALIGN_UP(addr, align);
}

/*
 * MAP_HUGETLB: the mapping's object (with its reservation) and its range, as
 * ksys_mmap_pgoff() and hugetlb_get_unmapped_area() do. Return: the address,
 * or -EINVAL for an unknown size or an unaligned fixed address, -ENOMEM.
 */
static unsigned long mmap_hugetlb(struct mm_struct *mm, unsigned long addr, unsigned long len,
				  unsigned long prot, unsigned long flags)
{
	struct hstate *h = hstate_from_mmap_flags(flags);
	vm_flags_t vm_flags;
	struct file *file;
	unsigned long ret;

	if (!h)
		return -EINVAL;
	len = ALIGN_UP(len, huge_page_size(h));
	if (!len || len > TASK_SIZE)
		return -ENOMEM;
	if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
		if (!IS_ALIGNED(addr, huge_page_size(h)))
			return -EINVAL;
		if (addr > TASK_SIZE - len)
			return -ENOMEM;
		if (!range_is_free(mm, addr, len)) {
			if (flags & MAP_FIXED_NOREPLACE)
				return -EEXIST;
			ret = do_munmap(mm, addr, len);
			if (ret)
				return ret;
		}
	} else {
		addr = get_unmapped_area_aligned(mm, addr, len, huge_page_size(h));
		if (IS_ERR_VALUE(addr))
			return addr;
	}
	/* As mmap_region(): hugetlb is never VM_LOCKED (MAP_LOCKED only populates). */
	vm_flags = (calc_vm_flags(prot, flags, mm) & ~(VM_LOCKED | VM_LOCKONFAULT)) | VM_HUGETLB |
		   VM_DONTEXPAND;
	file = hugetlb_file_setup(h, len, flags & MAP_SHARED, vm_flags & VM_NORESERVE, mm);
	if (!file)
		return -ENOMEM;
	ret = map_region(mm, addr, len, vm_flags, file, 0);
	fput(file);
	return ret;
}

#define LEGACY_MAP_MASK                                                                            \
	(MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | MAP_DENYWRITE | MAP_EXECUTABLE |   \
	 MAP_GROWSDOWN | MAP_LOCKED | MAP_NORESERVE | MAP_POPULATE | MAP_NONBLOCK | MAP_STACK |    \
	 MAP_HUGETLB)

/*
 * What mapping @file allows, as do_mmap()'s file checks: Return 0 with *@vm_flags
 * adjusted (a shared mapping of a file not open for writing becomes a read-only
 * non-shared one, VM_MAYSHARE kept), or -errno.
 */
static int check_file_mmap(struct file *file, unsigned long prot, unsigned long flags,
			   unsigned long pgoff, unsigned long len, vm_flags_t *vm_flags)
{
	if (pgoff + (len >> PAGE_SHIFT) < pgoff)
		return -EOVERFLOW;
	switch (flags & MAP_TYPE) {
	case MAP_SHARED:
	case MAP_SHARED_VALIDATE:
		if ((flags & MAP_TYPE) == MAP_SHARED_VALIDATE && (flags & ~LEGACY_MAP_MASK))
			return -EOPNOTSUPP;
		if ((prot & PROT_WRITE) && !(file->f_mode & FMODE_WRITE))
			return -EACCES;
		*vm_flags |= VM_SHARED | VM_MAYSHARE;
		if (!(file->f_mode & FMODE_WRITE))
			*vm_flags &= ~(VM_MAYWRITE | VM_SHARED);
		/* fall through */
	case MAP_PRIVATE:
		if (!(file->f_mode & FMODE_READ))
			return -EACCES;
		if (file_inode(file)->i_dir || !file->f_op->mmap)
			return -ENODEV;
		if (*vm_flags & VM_GROWSDOWN)
			return -EINVAL;
		return 0;
	default:
		return -EINVAL;
	}
}

unsigned long do_mmap(struct file *file, unsigned long addr, unsigned long len, unsigned long prot,
		      unsigned long flags, unsigned long pgoff, unsigned long *populate)
{
	struct mm_struct *mm = current->mm;
	/* A hugetlbfs memfd maps whole huge pages at aligned addresses (hugetlb_get_unmapped_area). */
	struct hstate *h = hugetlb_memfd_hstate(file);
	unsigned long align = h ? huge_page_size(h) : PAGE_SIZE;
	vm_flags_t vm_flags;
	unsigned long ret;

	*populate = 0;
	if (!len)
		return -EINVAL;
	if ((flags & MAP_HUGETLB) && !h) {
		ret = mmap_hugetlb(mm, addr, len, prot, flags);
		if (!IS_ERR_VALUE(ret) && ((flags & MAP_LOCKED) || (mm->def_flags & VM_LOCKED) ||
					   (flags & (MAP_POPULATE | MAP_NONBLOCK)) == MAP_POPULATE))
			*populate = ALIGN_UP(len, huge_page_size(hstate_from_mmap_flags(flags)));
		return ret;
	}
	len = ALIGN_UP(len, align);
	if (!len || len > TASK_SIZE)
		return -ENOMEM;
	if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
		if (!IS_ALIGNED(addr, align))
			return -EINVAL;
		if (addr > TASK_SIZE - len)
			return -ENOMEM;
		if ((flags & MAP_FIXED_NOREPLACE) && !range_is_free(mm, addr, len))
			return -EEXIST;
	} else {
		addr = h ? get_unmapped_area_aligned(mm, addr, len, align)
			 : get_unmapped_area(mm, addr, len);
		if (IS_ERR_VALUE(addr))
			return addr;
	}
	/* do_mmap()'s checks come before mmap_region() unmaps anything under MAP_FIXED. */
	vm_flags = calc_vm_flags(prot, flags & ~(unsigned long)MAP_TYPE, mm);
	if (h) /* as mmap_hugetlb(): never VM_LOCKED */
		vm_flags = (vm_flags & ~(VM_LOCKED | VM_LOCKONFAULT)) | VM_HUGETLB | VM_DONTEXPAND;
	if (file) {
		int err = check_file_mmap(file, prot, flags, pgoff, len, &vm_flags);

		if (!err && mm_profile->memfd_seals_before_unmap)
			err = memfd_check_seals_flags(file, &vm_flags);
		if (err)
			return err;
	} else if (flags & MAP_SHARED) {
		vm_flags |= VM_SHARED | VM_MAYSHARE;
	}
	if ((flags & MAP_FIXED) && !range_is_free(mm, addr, len)) {
		ret = do_munmap(mm, addr, len);
		if (ret)
			return ret;
	}
	if (!(flags & MAP_SHARED) || file)
		pgoff = file ? pgoff : addr >> PAGE_SHIFT;
	else
		pgoff = 0;
	ret = map_region(mm, addr, len, vm_flags, file, pgoff);
	if (!IS_ERR_VALUE(ret) &&
	    ((vm_flags & VM_LOCKED) || (flags & (MAP_POPULATE | MAP_NONBLOCK)) == MAP_POPULATE))
		*populate = len;
	return ret;
}

/**
 * sys_mmap() - map anonymous memory or a file in the current task.
 *
 * Return: the address, or -errno as an unsigned long: -EINVAL for a zero length,
 * bad flags or an unaligned fixed address/offset; -ENOMEM when the range does not
 * fit or memory ran out; -EEXIST for MAP_FIXED_NOREPLACE over a mapping; -EBADF
 * when @fd is not open (without MAP_ANONYMOUS); for files, -EACCES for a shared
 * writable mapping of a file not open for writing or any mapping of one not open
 * for reading, -ENODEV for a directory, -EOVERFLOW when the offset wraps.
 */
unsigned long sys_mmap(unsigned long addr, unsigned long len, unsigned long prot,
		       unsigned long flags, int fd, unsigned long off)
{
	SIM_ENTER(sim_entry_err);
	struct mm_struct *mm = current->mm;
	unsigned long populate, ret;
	struct file *file = NULL;
	int err;

	if (!IS_ALIGNED(off, PAGE_SIZE))
		return -EINVAL;
	err = check_mmap_flags(prot, flags);
	if (err)
		return err;
	if (!(flags & MAP_ANONYMOUS)) {
		file = fget(fd);
		if (!file)
			return -EBADF;
	}
	if (mmap_write_lock_killable(mm)) {
		if (file)
			fput(file);
		return -EINTR;
	}
	ret = do_mmap(file, addr, len, prot, flags, off >> PAGE_SHIFT, &populate);
	mmap_write_unlock(mm);
	if (file)
		fput(file);
	if (populate)
		mm_populate(ret, populate);
	return ret;
}

/**
 * sys_munmap() - unmap [addr, addr+len) of the current task.
 *
 * Return: 0 (also when nothing was mapped there), -EINVAL for an unaligned
 * address, a zero length or a range beyond TASK_SIZE, -ENOMEM if a split failed.
 */
int sys_munmap(unsigned long addr, size_t len)
{
	SIM_ENTER(sim_entry_err);
	struct mm_struct *mm = current->mm;
	int ret;

	if (mmap_write_lock_killable(mm))
		return -EINTR;
	ret = do_munmap(mm, addr, len);
	mmap_write_unlock(mm);
	return ret;
}

unsigned long sys_mmap_pfn(unsigned long pfn, unsigned long nr_pages, unsigned long prot)
{
	SIM_ENTER(sim_entry_err);
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	unsigned long addr;

	if (!nr_pages || !pfn_valid(pfn) || !pfn_valid(pfn + nr_pages - 1))
		return -EINVAL;
	if (mmap_write_lock_killable(mm))
		return -EINTR;
	addr = get_unmapped_area(mm, 0, nr_pages << PAGE_SHIFT);
	if (!IS_ERR_VALUE(addr))
		addr = map_region(mm, addr, nr_pages << PAGE_SHIFT,
				  calc_vm_flags(prot, MAP_SHARED, mm) | VM_IO | VM_PFNMAP |
					  VM_DONTEXPAND | VM_DONTDUMP,
				  NULL, pfn);
	if (!IS_ERR_VALUE(addr)) {
		vma = find_vma(mm, addr);
		if (remap_pfn_range(vma, addr, pfn, nr_pages << PAGE_SHIFT, vma->vm_page_prot)) {
			do_munmap(mm, addr, nr_pages << PAGE_SHIFT);
			addr = -ENOMEM;
		}
	}
	mmap_write_unlock(mm);
	return addr;
}
