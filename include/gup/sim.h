/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The simulated machine: boot and shutdown (with the leak report), the invariant
 * checker, and vmstat counters.
 */
#ifndef GUP_SIM_H
#define GUP_SIM_H

#include <stdio.h>
#include <gup/types.h>

#ifdef __cplusplus
extern "C" {
#endif
/*
 * How the x86-64 vsyscall page is mapped, as the boot option vsyscall= chooses.
 * XONLY (Linux's default since 5.3) maps it execute-only: calls into it are
 * emulated, but nothing can read it, GUP and /proc/pid/mem included. EMULATE
 * also maps it readable. NONE has no vsyscall page and no gate VMA at all.
 */
enum sim_vsyscall {
	SIM_VSYSCALL_XONLY,
	SIM_VSYSCALL_EMULATE,
	SIM_VSYSCALL_NONE,
};

struct sim_config {
	unsigned long mem_bytes;     /* ZONE_NORMAL size; 0 means 1 GiB */
	unsigned long movable_bytes; /* ZONE_MOVABLE size; 0 means none */
	bool prefault;		     /* touch every frame at boot so faults are not host faults */
	bool quiet;		     /* no leak report on stderr */
	enum sim_vsyscall vsyscall;  /* vsyscall=; 0 is xonly, Linux's default */
};

/**
 * sim_boot() - create the simulated machine.
 * @cfg: sizes and options; NULL means 1 GiB of ZONE_NORMAL.
 *
 * Return: 0, -EBUSY if a machine is already running, -EINVAL for a size that is
 * not a multiple of 4 MiB or is under 8 MiB or an unknown vsyscall mode, -ENOMEM
 * if the host refused the memory.
 */
int sim_boot(const struct sim_config *cfg);

/**
 * sim_shutdown() - tear the machine down after checking nothing leaked.
 *
 * Return: 0 if every task had exited, every frame came back and every pin was
 * released; -EBUSY with a leak report on stderr otherwise (the machine is torn
 * down either way); -ENODEV if no machine was running.
 */
int sim_shutdown(void);

/* True between sim_boot() and sim_shutdown(). */
bool sim_running(void);

/**
 * sim_check() - verify the invariants of every frame, page table and VMA.
 * @out: where violations are described (NULL: stderr).
 *
 * Call only while no operation is in flight. Return: the number of violations.
 */
int sim_check(FILE *out);

/* vmstat items, as the kernel's node_stat_item ones that GUP touches. */
enum node_stat_item {
	NR_FREE_PAGES,
	NR_ANON_MAPPED,
	NR_SHMEM,
	NR_PAGETABLE,
	NR_MLOCK,
	NR_FOLL_PIN_ACQUIRED,
	NR_FOLL_PIN_RELEASED,
	NR_COW_FAULTS,	   /* libgup extra: COW copies made by do_wp_page */
	NR_COW_REUSES,	   /* libgup extra: write faults that reused the page */
	NR_FORK_EARLY_COW, /* libgup extra: pinned pages copied at fork */
	NR_PAGE_FAULTS,	   /* libgup extra: calls to handle_mm_fault */
	NR_VM_NODE_STAT_ITEMS
};

/**
 * global_node_page_state() - the machine-wide value of a vmstat counter.
 *
 * Sums the global counter and every thread's pending delta, so the value is
 * exact when nothing is in flight.
 *
 * Return: the counter (0 for an unknown item, and never below 0).
 */
unsigned long global_node_page_state(enum node_stat_item item);
void mod_node_page_state(enum node_stat_item item, long delta);
const char *vmstat_name(enum node_stat_item item);
void vmstat_print(FILE *out);

/* Total and free frames of the machine. */
unsigned long sim_total_pages(void);
unsigned long sim_free_pages(void);

#ifdef __cplusplus
}
#endif

#endif /* GUP_SIM_H */
