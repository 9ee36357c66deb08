// SPDX-License-Identifier: GPL-2.0-only
/*
 * Semantics profiles: the 5.11 answers to every decision of struct mm_profile,
 * the table of known profiles, and the choice sim_boot() makes between them
 * (struct sim_config.profile, else GUP_PROFILE, else 5.11).
 */
#include "mm/internal.h"

const struct mm_profile *mm_profile = &profile_5_11;
__thread unsigned int memalloc_pin_depth;

/*
 * Reuse an anonymous page in place only when nobody else holds a reference at
 * all (the 5.9 rule). Called with the PTE lock held.
 */
static bool wp_can_reuse_anon_page_5_11(struct vm_area_struct *vma, struct page *page)
{
	bool reuse;

	(void)vma;
	if (page_count(page) != 1)
		return false;
	sim_point(SP_COW_BEFORE_PAGE_LOCK, page);
	if (!trylock_page(page))
		return false;
	sim_point(SP_COW_AFTER_PAGE_LOCK, page);
	/*
	 * Acquire: the last other holder may have just finished copying the page
	 * (wp_page_copy) and dropped its reference; our stores must come after.
	 */
	reuse = page_mapcount(page) == 1 &&
		__atomic_load_n(&compound_head(page)->_refcount.counter, __ATOMIC_ACQUIRE) == 1;
	unlock_page(page);
	return reuse;
}

/*
 * A writable PTE, or - for a forced write (ptrace into a read-only private
 * mapping) - a read-only one, but only once a write fault has broken COW for
 * it (FOLL_COW) and left it dirty: then the page is our private copy.
 */
static bool can_follow_write_pte_5_11(pte_t pte, struct page *page, struct vm_area_struct *vma,
				      unsigned int flags)
{
	bool forced_after_cow = (flags & FOLL_FORCE) && (flags & FOLL_COW) && pte_dirty(pte);

	(void)page;
	(void)vma;
	return pte_write(pte) || forced_after_cow;
}

/* As can_follow_write_pte_5_11(), for a huge pmd. */
static bool can_follow_write_pmd_5_11(pmd_t pmd, struct page *page, struct vm_area_struct *vma,
				      unsigned int flags)
{
	bool forced_after_cow = (flags & FOLL_FORCE) && (flags & FOLL_COW) && pmd_dirty(pmd);

	(void)page;
	(void)vma;
	return pmd_write(pmd) || forced_after_cow;
}

/*
 * Is the THP @head mapped exactly once, by one pmd and no PTE? That is what lets
 * 5.11 reuse it on a write fault (reuse_swap_page() of a THP: its largest
 * mapcount is 1).
 */
static bool wp_can_reuse_anon_thp_5_11(struct vm_area_struct *vma, struct page *head)
{
	(void)vma;
	for (int i = 0; i < HPAGE_PMD_NR; i++)
		if (page_mapcount(head + i) != 1)
			return false;
	return true;
}

/* A R/O pin of a COW-shared page keeps sharing it (not coherent after a write). */
static bool gup_must_unshare_5_11(struct vm_area_struct *vma, unsigned int flags, struct page *page)
{
	(void)vma;
	(void)flags;
	(void)page;
	return false;
}

/* No lookup asks to unshare under 5.11, so the fault is what the flags say. */
static unsigned int faultin_page_fault_flags_5_11(unsigned int fault_flags, bool unshare)
{
	WARN_ON_ONCE(unshare);
	return fault_flags;
}

/*
 * A write fault in a VMA without VM_WRITE (a forced write) broke COW but left
 * the PTE read-only. Looping until the PTE is writable would never end, so from
 * now on accept the dirty read-only PTE: it maps our copy. This is kept to
 * forced writes on purpose: an ordinary writable mapping must see a writable
 * PTE, or a later user write could COW again and leave us holding a page the
 * process no longer maps.
 */
static unsigned int faultin_page_foll_flags_5_11(struct vm_area_struct *vma, vm_fault_t ret,
						 unsigned int foll_flags)
{
	return gup_cow_left_pte_readonly(vma, ret) ? foll_flags | FOLL_COW : foll_flags;
}

/*
 * A page that may be pinned must not be shared with the child, or the child's
 * or parent's next write would COW it away from the pin: copy it now. Only mms
 * that have ever pinned pay for the check.
 */
static bool page_needs_cow_for_dma_5_11(struct vm_area_struct *src_vma, struct page *page)
{
	return READ_ONCE(src_vma->vm_mm->has_pinned) && page_maybe_dma_pinned(page);
}

/* 5.11 keeps no exclusivity bit: the refcount decides reuse. */
static void mark_new_anon_page_5_11(struct page *page)
{
	(void)page;
}

/* Nothing beyond the checks every profile makes in check_vma_flags(). */
static int check_vma_flags_5_11(struct vm_area_struct *vma, unsigned long gup_flags)
{
	(void)vma;
	(void)gup_flags;
	return 0;
}

/* Nothing beyond the checks every entry point makes itself. */
static bool is_valid_gup_args_5_11(struct page **pages, int *locked, unsigned int gup_flags,
				   unsigned int to_set)
{
	(void)pages;
	(void)locked;
	(void)gup_flags;
	(void)to_set;
	return true;
}

/* A NUMA hint is honoured by every lookup __get_user_pages() marked FOLL_NUMA. */
static bool gup_can_follow_protnone_5_11(struct vm_area_struct *vma, unsigned int flags)
{
	(void)vma;
	return !(flags & FOLL_NUMA);
}

/* The lockless walk may keep whatever it could grab. */
static bool gup_fast_folio_allowed_5_11(struct page *page, unsigned int flags)
{
	(void)page;
	(void)flags;
	return true;
}

/* CMA must stay migratable; ZONE_MOVABLE may hold long-term pins in 5.11. */
static bool is_pinnable_page_5_11(struct page *page)
{
	return !is_migrate_cma_page(page);
}

/* memalloc_nocma_save(): movable still, but never from CMA pageblocks. */
static gfp_t memalloc_pin_gfp_5_11(gfp_t gfp)
{
	return gfp & ~__GFP_CMA;
}

const struct mm_profile profile_5_11 = {
	.id = SIM_PROFILE_5_11,
	.name = "5.11",
	.wp_can_reuse_anon_page = wp_can_reuse_anon_page_5_11,
	.wp_can_reuse_anon_thp = wp_can_reuse_anon_thp_5_11,
	.can_follow_write_pte = can_follow_write_pte_5_11,
	.can_follow_write_pmd = can_follow_write_pmd_5_11,
	.gup_must_unshare = gup_must_unshare_5_11,
	.faultin_page_fault_flags = faultin_page_fault_flags_5_11,
	.faultin_page_foll_flags = faultin_page_foll_flags_5_11,
	.page_needs_cow_for_dma = page_needs_cow_for_dma_5_11,
	.mark_new_anon_page = mark_new_anon_page_5_11,
	.gup_vma_lookup = find_extend_vma,
	.check_vma_flags = check_vma_flags_5_11,
	.is_valid_gup_args = is_valid_gup_args_5_11,
	.gup_can_follow_protnone = gup_can_follow_protnone_5_11,
	.gup_fast_folio_allowed = gup_fast_folio_allowed_5_11,
	.pins_zero_page = true,
	.is_pinnable_page = is_pinnable_page_5_11,
	.memalloc_pin_gfp = memalloc_pin_gfp_5_11,
};

/*
 * Linux 6.18. Slots not yet given their 6.18 answer keep 5.11's (issue 13 moves
 * them one by one; docs/profiles.md says which).
 */
const struct mm_profile profile_6_18 = {
	.id = SIM_PROFILE_6_18,
	.name = "6.18",
	.wp_can_reuse_anon_page = wp_can_reuse_anon_page_5_11,
	.wp_can_reuse_anon_thp = wp_can_reuse_anon_thp_5_11,
	.can_follow_write_pte = can_follow_write_pte_5_11,
	.can_follow_write_pmd = can_follow_write_pmd_5_11,
	.gup_must_unshare = gup_must_unshare_5_11,
	.faultin_page_fault_flags = faultin_page_fault_flags_5_11,
	.faultin_page_foll_flags = faultin_page_foll_flags_5_11,
	.page_needs_cow_for_dma = page_needs_cow_for_dma_5_11,
	.mark_new_anon_page = mark_new_anon_page_5_11,
	.gup_vma_lookup = find_extend_vma,
	.check_vma_flags = check_vma_flags_5_11,
	.is_valid_gup_args = is_valid_gup_args_5_11,
	.gup_can_follow_protnone = gup_can_follow_protnone_5_11,
	.gup_fast_folio_allowed = gup_fast_folio_allowed_5_11,
	.pins_zero_page = true,
	.is_pinnable_page = is_pinnable_page_5_11,
	.memalloc_pin_gfp = memalloc_pin_gfp_5_11,
};

/* Every known profile, indexed by enum sim_profile. */
static const struct mm_profile *const known_profiles[NR_SIM_PROFILES] = {
	[SIM_PROFILE_5_11] = &profile_5_11,
	[SIM_PROFILE_6_18] = &profile_6_18,
};

static const struct mm_profile *profile_by_id(enum sim_profile id)
{
	if ((unsigned int)id >= NR_SIM_PROFILES)
		return NULL;
	return known_profiles[id];
}

const char *sim_profile_name(enum sim_profile profile)
{
	const struct mm_profile *p = profile_by_id(profile);

	return p ? p->name : NULL;
}

int sim_profile_from_name(const char *name, enum sim_profile *profile)
{
	if (!name)
		return -EINVAL;
	for (unsigned int id = 0; id < NR_SIM_PROFILES; id++) {
		const struct mm_profile *p = known_profiles[id];

		if (p && !strcmp(p->name, name)) {
			*profile = p->id;
			return 0;
		}
	}
	return -EINVAL;
}

const char *sim_profile_names(void)
{
	static char names[64];

	if (!names[0]) {
		size_t len = 0;

		for (unsigned int id = 0; id < NR_SIM_PROFILES; id++)
			if (known_profiles[id])
				len += (size_t)snprintf(names + len, sizeof(names) - len, "%s%s",
							len ? ", " : "", known_profiles[id]->name);
	}
	return names;
}

enum sim_profile sim_current_profile(void)
{
	return sim_running() ? mm_profile->id : SIM_PROFILE_DEFAULT;
}

const struct mm_profile *mm_profile_select(enum sim_profile cfg_profile)
{
	const char *env = getenv("GUP_PROFILE");
	enum sim_profile id = SIM_PROFILE_5_11;

	if (cfg_profile != SIM_PROFILE_DEFAULT) {
		if (!profile_by_id(cfg_profile)) {
			fprintf(stderr,
				"libgup: unknown profile %d in sim_config.profile (known: %s)\n",
				(int)cfg_profile, sim_profile_names());
			return NULL;
		}
		id = cfg_profile;
	} else if (env && *env && sim_profile_from_name(env, &id)) {
		fprintf(stderr, "libgup: unknown profile GUP_PROFILE=%s (known: %s)\n", env,
			sim_profile_names());
		return NULL;
	}
	return profile_by_id(id);
}

bool profile_is_valid(const struct mm_profile *p, FILE *out)
{
	bool ok = p && p->name && p->wp_can_reuse_anon_page && p->wp_can_reuse_anon_thp &&
		  p->can_follow_write_pte && p->can_follow_write_pmd && p->gup_must_unshare &&
		  p->faultin_page_fault_flags && p->faultin_page_foll_flags &&
		  p->page_needs_cow_for_dma && p->mark_new_anon_page && p->gup_vma_lookup &&
		  p->check_vma_flags && p->is_valid_gup_args && p->is_pinnable_page &&
		  p->memalloc_pin_gfp && p->gup_can_follow_protnone && p->gup_fast_folio_allowed &&
		  profile_by_id(p->id) == p;

	if (!ok && out)
		fprintf(out, "profile %s: a decision is unset or the id does not name it\n",
			p && p->name ? p->name : "(null)");
	return ok;
}
