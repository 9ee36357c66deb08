/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * x86-64 page-table entries: the four levels (p4d folded into pgd), the real bit
 * layout, protection values, swap and migration entries, and the offset/addr_end
 * helpers that every walker uses. Tables live in simulated frames.
 */
#ifndef GUP_PGTABLE_H
#define GUP_PGTABLE_H

#include <gup/page.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
	unsigned long pte;
} pte_t;
typedef struct {
	unsigned long pmd;
} pmd_t;
typedef struct {
	unsigned long pud;
} pud_t;
typedef struct {
	unsigned long p4d;
} p4d_t;
typedef struct {
	unsigned long pgd;
} pgd_t;
typedef struct {
	unsigned long pgprot;
} pgprot_t;

#define __pte(x) ((pte_t){(x)})
#define __pmd(x) ((pmd_t){(x)})
#define __pud(x) ((pud_t){(x)})
#define __p4d(x) ((p4d_t){(x)})
#define __pgd(x) ((pgd_t){(x)})
#define __pgprot(x) ((pgprot_t){(x)})
#define pte_val(x) ((x).pte)
#define pmd_val(x) ((x).pmd)
#define pud_val(x) ((x).pud)
#define p4d_val(x) ((x).p4d)
#define pgd_val(x) ((x).pgd)
#define pgprot_val(x) ((x).pgprot)

#define PTE_SHIFT 12
#define PMD_SHIFT 21
#define PUD_SHIFT 30
#define P4D_SHIFT 39
#define PGDIR_SHIFT 39
#define PTRS_PER_PTE 512
#define PTRS_PER_PMD 512
#define PTRS_PER_PUD 512
#define PTRS_PER_P4D 1
#define PTRS_PER_PGD 512
#define PMD_SIZE (1UL << PMD_SHIFT)
#define PMD_MASK (~(PMD_SIZE - 1))
#define PUD_SIZE (1UL << PUD_SHIFT)
#define PUD_MASK (~(PUD_SIZE - 1))
#define P4D_SIZE (1UL << P4D_SHIFT)
#define P4D_MASK (~(P4D_SIZE - 1))
#define PGDIR_SIZE (1UL << PGDIR_SHIFT)
#define PGDIR_MASK (~(PGDIR_SIZE - 1))

/* Bit positions, as in arch/x86/include/asm/pgtable_types.h. */
#define _PAGE_BIT_PRESENT 0
#define _PAGE_BIT_RW 1
#define _PAGE_BIT_USER 2
#define _PAGE_BIT_PWT 3
#define _PAGE_BIT_PCD 4
#define _PAGE_BIT_ACCESSED 5
#define _PAGE_BIT_DIRTY 6
#define _PAGE_BIT_PSE 7
#define _PAGE_BIT_GLOBAL 8
#define _PAGE_BIT_SOFTW1 9
#define _PAGE_BIT_SOFTW2 10
#define _PAGE_BIT_SOFTW3 11
#define _PAGE_BIT_SOFTW4 58
#define _PAGE_BIT_NX 63
#define _PAGE_BIT_SPECIAL _PAGE_BIT_SOFTW1
#define _PAGE_BIT_DEVMAP _PAGE_BIT_SOFTW4
#define _PAGE_BIT_PROTNONE _PAGE_BIT_GLOBAL   /* only when not present */
#define _PAGE_BIT_SOFT_DIRTY _PAGE_BIT_SOFTW3 /* CONFIG_MEM_SOFT_DIRTY */

#define _PAGE_PRESENT (1UL << _PAGE_BIT_PRESENT)
#define _PAGE_RW (1UL << _PAGE_BIT_RW)
#define _PAGE_USER (1UL << _PAGE_BIT_USER)
#define _PAGE_PWT (1UL << _PAGE_BIT_PWT)
#define _PAGE_PCD (1UL << _PAGE_BIT_PCD)
#define _PAGE_ACCESSED (1UL << _PAGE_BIT_ACCESSED)
#define _PAGE_DIRTY (1UL << _PAGE_BIT_DIRTY)
#define _PAGE_PSE (1UL << _PAGE_BIT_PSE)
#define _PAGE_GLOBAL (1UL << _PAGE_BIT_GLOBAL)
#define _PAGE_SPECIAL (1UL << _PAGE_BIT_SPECIAL)
#define _PAGE_DEVMAP (1UL << _PAGE_BIT_DEVMAP)
#define _PAGE_PROTNONE (1UL << _PAGE_BIT_PROTNONE)
#define _PAGE_NX (1UL << _PAGE_BIT_NX)
/*
 * Soft-dirty: set with the dirty bit by the kernel (pte_mkdirty), never by the
 * CPU, cleared by clear_refs "4", reported as pagemap bit 55. In a swap or
 * migration entry it moves to bit 1, free there (x86's _PAGE_SWP_SOFT_DIRTY).
 */
#define _PAGE_SOFT_DIRTY (1UL << _PAGE_BIT_SOFT_DIRTY)
#define _PAGE_SWP_SOFT_DIRTY _PAGE_RW

/* Booted with soft-dirty (sim_config.soft_dirty, CONFIG_MEM_SOFT_DIRTY)? */
extern bool pgtable_soft_dirty;
static inline bool pgtable_supports_soft_dirty(void)
{
	return __atomic_load_n(&pgtable_soft_dirty, __ATOMIC_RELAXED);
}

/* The soft-dirty bit where the machine has it, else nothing. */
static inline unsigned long soft_dirty_bit(void)
{
	return pgtable_supports_soft_dirty() ? _PAGE_SOFT_DIRTY : 0;
}

#define PTE_PFN_MASK 0x000ffffffffff000UL
#define PTE_FLAGS_MASK (~PTE_PFN_MASK)
/* Bits pte_modify() keeps when the protection changes. */
#define _PAGE_CHG_MASK                                                                             \
	(PTE_PFN_MASK | _PAGE_PCD | _PAGE_PWT | _PAGE_SPECIAL | _PAGE_ACCESSED | _PAGE_DIRTY |     \
	 _PAGE_DEVMAP | _PAGE_PSE | _PAGE_SOFT_DIRTY)

#define _PAGE_TABLE (_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY)
#define PAGE_NONE __pgprot(_PAGE_PROTNONE | _PAGE_ACCESSED)
#define PAGE_SHARED __pgprot(_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_NX)
#define PAGE_SHARED_EXEC __pgprot(_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED)
#define PAGE_COPY __pgprot(_PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED | _PAGE_NX)
#define PAGE_COPY_EXEC __pgprot(_PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED)
#define PAGE_READONLY PAGE_COPY
#define PAGE_READONLY_EXEC PAGE_COPY_EXEC

/* PTE predicates and modifiers. */
static inline unsigned long pte_flags(pte_t pte)
{
	return pte_val(pte) & PTE_FLAGS_MASK;
}

static inline bool pte_none(pte_t pte)
{
	return pte_val(pte) == 0;
}

/* A PROT_NONE or NUMA-hinting entry still maps its page, so it counts as present. */
static inline bool pte_present(pte_t pte)
{
	return pte_flags(pte) & (_PAGE_PRESENT | _PAGE_PROTNONE);
}

static inline bool pte_protnone(pte_t pte)
{
	return (pte_flags(pte) & (_PAGE_PROTNONE | _PAGE_PRESENT)) == _PAGE_PROTNONE;
}

#define PTE_TEST(name, bit)                                                                        \
	static inline bool pte_##name(pte_t pte)                                                   \
	{                                                                                          \
		return (pte_flags(pte) & (bit)) != 0;                                              \
	}
PTE_TEST(write, _PAGE_RW)
PTE_TEST(dirty, _PAGE_DIRTY)
PTE_TEST(young, _PAGE_ACCESSED)
PTE_TEST(special, _PAGE_SPECIAL)
PTE_TEST(devmap, _PAGE_DEVMAP)
PTE_TEST(user, _PAGE_USER)
PTE_TEST(huge, _PAGE_PSE)
PTE_TEST(soft_dirty, _PAGE_SOFT_DIRTY)
PTE_TEST(swp_soft_dirty, _PAGE_SWP_SOFT_DIRTY)
#undef PTE_TEST

static inline bool pte_exec(pte_t pte)
{
	return !(pte_flags(pte) & _PAGE_NX);
}

#define PTE_SET(name, op)                                                                          \
	static inline pte_t pte_##name(pte_t pte)                                                  \
	{                                                                                          \
		return __pte(pte_val(pte) op);                                                     \
	}
PTE_SET(mkwrite, | _PAGE_RW)
PTE_SET(wrprotect, &~_PAGE_RW)
PTE_SET(mkdirty, | _PAGE_DIRTY | soft_dirty_bit())
PTE_SET(mkclean, &~_PAGE_DIRTY)
PTE_SET(mkyoung, | _PAGE_ACCESSED)
PTE_SET(mkold, &~_PAGE_ACCESSED)
PTE_SET(mkspecial, | _PAGE_SPECIAL)
PTE_SET(mkdevmap, | _PAGE_SPECIAL | _PAGE_DEVMAP)
PTE_SET(mksoft_dirty, | soft_dirty_bit())
PTE_SET(clear_soft_dirty, &~_PAGE_SOFT_DIRTY)
PTE_SET(swp_mksoft_dirty, | (pgtable_supports_soft_dirty() ? _PAGE_SWP_SOFT_DIRTY : 0))
PTE_SET(swp_clear_soft_dirty, &~_PAGE_SWP_SOFT_DIRTY)
#undef PTE_SET

static inline unsigned long pte_pfn(pte_t pte)
{
	return (pte_val(pte) & PTE_PFN_MASK) >> PAGE_SHIFT;
}

static inline pte_t pfn_pte(unsigned long pfn, pgprot_t prot)
{
	return __pte(((pfn << PAGE_SHIFT) & PTE_PFN_MASK) | pgprot_val(prot));
}

static inline pte_t mk_pte(struct page *page, pgprot_t prot)
{
	return pfn_pte(page_to_pfn(page), prot);
}

static inline struct page *pte_page(pte_t pte)
{
	return pfn_to_page(pte_pfn(pte));
}

static inline pte_t pte_modify(pte_t pte, pgprot_t newprot)
{
	return __pte((pte_val(pte) & _PAGE_CHG_MASK) | (pgprot_val(newprot) & ~_PAGE_CHG_MASK));
}

static inline bool pte_same(pte_t a, pte_t b)
{
	return pte_val(a) == pte_val(b);
}

/* Upper levels: an entry either points to a table or, with PSE, maps a huge page. */
static inline unsigned long pmd_flags(pmd_t pmd)
{
	return pmd_val(pmd) & PTE_FLAGS_MASK;
}
static inline bool pmd_none(pmd_t pmd)
{
	return pmd_val(pmd) == 0;
}
static inline bool pmd_present(pmd_t pmd)
{
	return pmd_flags(pmd) & (_PAGE_PRESENT | _PAGE_PROTNONE | _PAGE_PSE);
}
static inline bool pmd_huge(pmd_t pmd)
{
	return !pmd_none(pmd) && (pmd_flags(pmd) & (_PAGE_PRESENT | _PAGE_PSE)) != _PAGE_PRESENT;
}
static inline bool pmd_trans_huge(pmd_t pmd)
{
	return (pmd_val(pmd) & (_PAGE_PSE | _PAGE_DEVMAP)) == _PAGE_PSE;
}
/*
 * Present only: a pmd migration entry's inverted offset sets the high bits, bit 58
 * among them, so the bit alone would read a swap pmd as a devmap leaf.
 */
static inline bool pmd_devmap(pmd_t pmd)
{
	return pmd_present(pmd) && (pmd_flags(pmd) & _PAGE_DEVMAP);
}
static inline bool pmd_protnone(pmd_t pmd)
{
	return (pmd_flags(pmd) & (_PAGE_PROTNONE | _PAGE_PRESENT)) == _PAGE_PROTNONE;
}
static inline bool pmd_write(pmd_t pmd)
{
	return pmd_flags(pmd) & _PAGE_RW;
}
static inline bool pmd_bad(pmd_t pmd)
{
	return (pmd_flags(pmd) & ~_PAGE_USER & 0xfffUL) != (_PAGE_TABLE & ~_PAGE_USER);
}
static inline unsigned long pmd_pfn(pmd_t pmd)
{
	return (pmd_val(pmd) & PTE_PFN_MASK) >> PAGE_SHIFT;
}
static inline struct page *pmd_page(pmd_t pmd)
{
	return pfn_to_page(pmd_pfn(pmd));
}

static inline bool pud_none(pud_t pud)
{
	return pud_val(pud) == 0;
}
static inline bool pud_present(pud_t pud)
{
	return pud_val(pud) & _PAGE_PRESENT;
}
static inline bool pud_huge(pud_t pud)
{
	return !pud_none(pud) && (pud_val(pud) & (_PAGE_PRESENT | _PAGE_PSE)) != _PAGE_PRESENT;
}
static inline bool pud_devmap(pud_t pud)
{
	return pud_val(pud) & _PAGE_DEVMAP;
}
static inline bool pud_bad(pud_t pud)
{
	return (pud_val(pud) & ~_PAGE_USER & 0xfffUL) != (_PAGE_TABLE & ~_PAGE_USER);
}
static inline bool pud_write(pud_t pud)
{
	return pud_val(pud) & _PAGE_RW;
}
static inline unsigned long pud_pfn(pud_t pud)
{
	return (pud_val(pud) & PTE_PFN_MASK) >> PAGE_SHIFT;
}
static inline struct page *pud_page(pud_t pud)
{
	return pfn_to_page(pud_pfn(pud));
}

/* The p4d level is folded: a p4d entry is the pgd entry itself. */
static inline bool p4d_none(p4d_t p4d)
{
	return p4d_val(p4d) == 0;
}
static inline bool p4d_present(p4d_t p4d)
{
	return p4d_val(p4d) & _PAGE_PRESENT;
}
static inline bool p4d_bad(p4d_t p4d)
{
	return (p4d_val(p4d) & ~_PAGE_USER & 0xfffUL) != (_PAGE_TABLE & ~_PAGE_USER);
}
static inline bool p4d_huge(p4d_t p4d)
{
	(void)p4d;
	return false;
}
static inline bool pgd_none(pgd_t pgd)
{
	return pgd_val(pgd) == 0;
}
static inline bool pgd_present(pgd_t pgd)
{
	return pgd_val(pgd) & _PAGE_PRESENT;
}
static inline bool pgd_bad(pgd_t pgd)
{
	return (pgd_val(pgd) & ~_PAGE_USER & 0xfffUL) != (_PAGE_TABLE & ~_PAGE_USER);
}
static inline bool pgd_huge(pgd_t pgd)
{
	(void)pgd;
	return false;
}
static inline bool is_hugepd(unsigned long val)
{
	(void)val;
	return false; /* x86 has no hugepd directories */
}

/* Indices and range ends. */
static inline unsigned long pte_index(unsigned long addr)
{
	return (addr >> PAGE_SHIFT) & (PTRS_PER_PTE - 1);
}
static inline unsigned long pmd_index(unsigned long addr)
{
	return (addr >> PMD_SHIFT) & (PTRS_PER_PMD - 1);
}
static inline unsigned long pud_index(unsigned long addr)
{
	return (addr >> PUD_SHIFT) & (PTRS_PER_PUD - 1);
}
static inline unsigned long pgd_index(unsigned long addr)
{
	return (addr >> PGDIR_SHIFT) & (PTRS_PER_PGD - 1);
}

#define __LEVEL_ADDR_END(name, size, mask)                                                         \
	static inline unsigned long name##_addr_end(unsigned long addr, unsigned long end)         \
	{                                                                                          \
		unsigned long boundary = (addr + (size)) & (mask);                                 \
		return boundary - 1 < end - 1 ? boundary : end;                                    \
	}
__LEVEL_ADDR_END(pmd, PMD_SIZE, PMD_MASK)
__LEVEL_ADDR_END(pud, PUD_SIZE, PUD_MASK)
__LEVEL_ADDR_END(p4d, P4D_SIZE, P4D_MASK)
__LEVEL_ADDR_END(pgd, PGDIR_SIZE, PGDIR_MASK)
#undef __LEVEL_ADDR_END

/* Table pointers: entries hold a frame number; the table's bytes are that frame's. */
static inline pgd_t *pgd_offset_pgd(pgd_t *pgd, unsigned long addr)
{
	return pgd + pgd_index(addr);
}
static inline p4d_t *p4d_offset(pgd_t *pgd, unsigned long addr)
{
	(void)addr;
	return (p4d_t *)pgd;
}
static inline pud_t *pud_offset(p4d_t *p4d, unsigned long addr)
{
	return (pud_t *)page_address(pfn_to_page((p4d_val(*p4d) & PTE_PFN_MASK) >> PAGE_SHIFT)) +
	       pud_index(addr);
}
/* Lockless walkers pass the entry value they read once, so the table is that one. */
static inline pud_t *pud_offset_lockless(p4d_t *p4dp, p4d_t p4d, unsigned long addr)
{
	(void)p4dp;
	return (pud_t *)page_address(pfn_to_page((p4d_val(p4d) & PTE_PFN_MASK) >> PAGE_SHIFT)) +
	       pud_index(addr);
}
static inline pmd_t *pmd_offset(pud_t *pud, unsigned long addr)
{
	return (pmd_t *)page_address(pud_page(*pud)) + pmd_index(addr);
}
static inline pmd_t *pmd_offset_lockless(pud_t *pudp, pud_t pud, unsigned long addr)
{
	(void)pudp;
	return (pmd_t *)page_address(pud_page(pud)) + pmd_index(addr);
}
static inline pte_t *pte_offset_kernel(pmd_t *pmd, unsigned long addr)
{
	return (pte_t *)page_address(pmd_page(*pmd)) + pte_index(addr);
}
static inline pte_t *pte_offset_map(pmd_t *pmd, unsigned long addr)
{
	return pte_offset_kernel(pmd, addr);
}
static inline void pte_unmap(pte_t *pte)
{
	(void)pte;
}

/*
 * Single-load reads and single-store writes of entries. Reads are acquire loads,
 * pairing with the release stores that publish an entry: a lockless walker that
 * follows an entry then sees the zeroed table or initialised page behind it (the
 * kernel relies on the address dependency; C11 needs acquire, free on x86).
 */
#define ENTRY_READ(x) __atomic_load_n(&(x), __ATOMIC_ACQUIRE)
static inline pte_t ptep_get(pte_t *ptep)
{
	return __pte(ENTRY_READ(ptep->pte));
}
static inline pmd_t pmdp_get(pmd_t *pmdp)
{
	return __pmd(ENTRY_READ(pmdp->pmd));
}
static inline pud_t pudp_get(pud_t *pudp)
{
	return __pud(ENTRY_READ(pudp->pud));
}
static inline p4d_t p4dp_get(p4d_t *p4dp)
{
	return __p4d(ENTRY_READ(p4dp->p4d));
}
static inline pgd_t pgdp_get(pgd_t *pgdp)
{
	return __pgd(ENTRY_READ(pgdp->pgd));
}
static inline void set_pte(pte_t *ptep, pte_t pte)
{
	__atomic_store_n(&ptep->pte, pte_val(pte), __ATOMIC_RELEASE);
}
static inline pte_t ptep_get_and_clear(pte_t *ptep)
{
	return __pte(__atomic_exchange_n(&ptep->pte, 0UL, __ATOMIC_SEQ_CST));
}
static inline void pte_clear(pte_t *ptep)
{
	set_pte(ptep, __pte(0));
}
static inline void set_pmd(pmd_t *pmdp, pmd_t pmd)
{
	__atomic_store_n(&pmdp->pmd, pmd_val(pmd), __ATOMIC_RELEASE);
}
static inline void set_pud(pud_t *pudp, pud_t pud)
{
	__atomic_store_n(&pudp->pud, pud_val(pud), __ATOMIC_RELEASE);
}
static inline void set_p4d(p4d_t *p4dp, p4d_t p4d)
{
	__atomic_store_n(&p4dp->p4d, p4d_val(p4d), __ATOMIC_RELEASE);
}
static inline void ptep_set_wrprotect(pte_t *ptep)
{
	__atomic_fetch_and(&ptep->pte, ~_PAGE_RW, __ATOMIC_SEQ_CST);
}

/*
 * Swap-style entries in non-present PTEs: the type in bits 9..13 and the offset,
 * inverted, from bit 14 up, so a stale entry never names a real frame.
 */
typedef struct {
	unsigned long val;
} swp_entry_t;

#define SWP_TYPE_FIRST_BIT (_PAGE_BIT_PROTNONE + 1)
#define SWP_TYPE_BITS 5
#define SWP_OFFSET_FIRST_BIT (SWP_TYPE_FIRST_BIT + SWP_TYPE_BITS)
#define SWP_OFFSET_BITS (64 - SWP_OFFSET_FIRST_BIT)
#define MAX_SWAPFILES_SHIFT SWP_TYPE_BITS
#define SWP_MIGRATION_READ ((1 << SWP_TYPE_BITS) - 2)
#define SWP_MIGRATION_WRITE ((1 << SWP_TYPE_BITS) - 1)
#define SWP_DEVICE_PRIVATE ((1 << SWP_TYPE_BITS) - 3)
/* 5.19: a read migration entry of a page mapped exclusively (PageAnonExclusive). */
#define SWP_MIGRATION_READ_EXCLUSIVE ((1 << SWP_TYPE_BITS) - 4)

static inline swp_entry_t swp_entry(unsigned int type, unsigned long offset)
{
	return (swp_entry_t){((unsigned long)type << SWP_OFFSET_BITS) |
			     (offset & ((1UL << SWP_OFFSET_BITS) - 1))};
}
static inline unsigned int swp_type(swp_entry_t e)
{
	return e.val >> SWP_OFFSET_BITS;
}
static inline unsigned long swp_offset(swp_entry_t e)
{
	return e.val & ((1UL << SWP_OFFSET_BITS) - 1);
}
static inline pte_t swp_entry_to_pte(swp_entry_t e)
{
	unsigned long type = swp_type(e), offset = swp_offset(e);

	return __pte((type << SWP_TYPE_FIRST_BIT) | ((~offset) << SWP_OFFSET_FIRST_BIT));
}
static inline swp_entry_t pte_to_swp_entry(pte_t pte)
{
	unsigned long type = (pte_val(pte) >> SWP_TYPE_FIRST_BIT) & ((1UL << SWP_TYPE_BITS) - 1);
	unsigned long offset = (~pte_val(pte)) >> SWP_OFFSET_FIRST_BIT;

	return swp_entry(type, offset);
}
static inline bool is_swap_pte(pte_t pte)
{
	return !pte_none(pte) && !pte_present(pte);
}
/* A PTE moved to a new address reads as soft-dirty there (mremap), swap entries too. */
static inline pte_t move_soft_dirty_pte(pte_t pte)
{
	if (pte_present(pte))
		return pte_mksoft_dirty(pte);
	return is_swap_pte(pte) ? pte_swp_mksoft_dirty(pte) : pte;
}

/* A swap-style entry standing for @old keeps its soft-dirty bit (_PAGE_SWP_SOFT_DIRTY). */
static inline pte_t swp_pte_soft_dirty_from(pte_t swp, pte_t old)
{
	bool dirty = pte_present(old) ? pte_soft_dirty(old) : pte_swp_soft_dirty(old);

	return dirty ? pte_swp_mksoft_dirty(swp) : swp;
}

/*
 * 5.19's _PAGE_SWP_EXCLUSIVE (x86: the PSE bit of a non-present PTE): the page
 * swapped out from this PTE was exclusive, so its swap-in may map it writable.
 */
#define _PAGE_SWP_EXCLUSIVE _PAGE_PSE
static inline pte_t pte_swp_mkexclusive(pte_t pte)
{
	return __pte(pte_val(pte) | _PAGE_SWP_EXCLUSIVE);
}
static inline pte_t pte_swp_clear_exclusive(pte_t pte)
{
	return __pte(pte_val(pte) & ~_PAGE_SWP_EXCLUSIVE);
}
static inline bool pte_swp_exclusive(pte_t pte)
{
	return pte_val(pte) & _PAGE_SWP_EXCLUSIVE;
}

/* Not a slot of a swap device: migration, device-private (the kernel's MAX_SWAPFILES up). */
static inline bool non_swap_entry(swp_entry_t e)
{
	return swp_type(e) >= SWP_MIGRATION_READ_EXCLUSIVE;
}

static inline bool is_migration_entry(swp_entry_t e)
{
	return swp_type(e) == SWP_MIGRATION_READ || swp_type(e) == SWP_MIGRATION_WRITE ||
	       swp_type(e) == SWP_MIGRATION_READ_EXCLUSIVE;
}
/* Does the remap map the page exclusive? A write entry or a readable-exclusive one. */
static inline bool is_exclusive_migration_entry(swp_entry_t e)
{
	return swp_type(e) == SWP_MIGRATION_WRITE || swp_type(e) == SWP_MIGRATION_READ_EXCLUSIVE;
}
static inline bool is_write_migration_entry(swp_entry_t e)
{
	return swp_type(e) == SWP_MIGRATION_WRITE;
}
static inline swp_entry_t make_migration_entry(struct page *page, bool write)
{
	return swp_entry(write ? SWP_MIGRATION_WRITE : SWP_MIGRATION_READ, page_to_pfn(page));
}
static inline struct page *migration_entry_to_page(swp_entry_t e)
{
	return pfn_to_page(swp_offset(e));
}
/* The entry for @page: write, else readable-exclusive when @exclusive, else read. */
static inline swp_entry_t make_migration_entry_excl(struct page *page, bool write, bool exclusive)
{
	if (write)
		return make_migration_entry(page, true);
	return swp_entry(exclusive ? SWP_MIGRATION_READ_EXCLUSIVE : SWP_MIGRATION_READ,
			 page_to_pfn(page));
}
/* @e without its write permission, keeping its exclusive mark when @keep_exclusive. */
static inline swp_entry_t migration_entry_readable(swp_entry_t e, bool keep_exclusive)
{
	return make_migration_entry_excl(migration_entry_to_page(e), false,
					 keep_exclusive && is_exclusive_migration_entry(e));
}

/* The x86 rule for a lockless walk: present, user-accessible, and writable if writing. */
static inline bool __pte_access_permitted(unsigned long pteval, bool write)
{
	unsigned long needed = _PAGE_PRESENT | _PAGE_USER;

	if (write)
		needed |= _PAGE_RW;
	return (pteval & needed) == needed;
}

static inline bool pte_access_permitted(pte_t pte, bool write)
{
	return __pte_access_permitted(pte_val(pte), write);
}

static inline bool pmd_access_permitted(pmd_t pmd, bool write)
{
	return __pte_access_permitted(pmd_val(pmd), write);
}

static inline bool pud_access_permitted(pud_t pud, bool write)
{
	return __pte_access_permitted(pud_val(pud), write);
}

#ifdef __cplusplus
}
#endif

#endif /* GUP_PGTABLE_H */
