// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench/mm_bench.c - memory-manager throughput in ns per 4 KiB page: anonymous
 * write faults, copy_to_user over populated memory and fork of a populated
 * region, THP write faults beside memset of 2 MiB, next to the host kernel's own
 * MADV_POPULATE_WRITE for scale. `migrate`: migrating a region's pages between
 * zones beside memcpy of the same bytes; `longterm`: FOLL_LONGTERM pins of memory
 * with nothing to migrate beside plain pins.
 */
#include <libgup.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>

#define REGION_BYTES (256UL << 20)
#define REGION_PAGES (REGION_BYTES >> PAGE_SHIFT)

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void report(const char *what, double ns)
{
	printf("%-44s %10.1f ns/page %8.1f ms total\n", what, ns / REGION_PAGES, ns / 1e6);
}

static unsigned long map_region(void)
{
	unsigned long addr = sys_mmap(0, REGION_BYTES, PROT_READ | PROT_WRITE,
				      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (IS_ERR_VALUE(addr)) {
		fprintf(stderr, "mm_bench: sys_mmap: %ld\n", (long)addr);
		exit(1);
	}
	return addr;
}

/* Populate for write through MADV_POPULATE_WRITE, or one byte per page if it fails. */
static const char *populate_write(unsigned long addr)
{
	if (sys_madvise(addr, REGION_BYTES, MADV_POPULATE_WRITE) == 0)
		return "MADV_POPULATE_WRITE";
	for (unsigned long off = 0; off < REGION_BYTES; off += PAGE_SIZE)
		if (copy_to_user(addr + off, "", 1)) {
			fprintf(stderr, "mm_bench: write fault failed at +%#lx\n", off);
			exit(1);
		}
	return "copy_to_user, 1 byte/page";
}

static void bench_write_faults(void)
{
	unsigned long addr = map_region();
	char label[80];
	const char *how;
	double t0 = now_ns();

	how = populate_write(addr);
	snprintf(label, sizeof(label), "write fault (%s)", how);
	report(label, now_ns() - t0);
	sys_munmap(addr, REGION_BYTES);
}

static void bench_copy_to_user(void)
{
	unsigned long addr = map_region();
	void *src = malloc(REGION_BYTES);
	double t0;

	memset(src, 0x5a, REGION_BYTES);
	populate_write(addr);
	t0 = now_ns();
	if (copy_to_user(addr, src, REGION_BYTES))
		fprintf(stderr, "mm_bench: copy_to_user came up short\n");
	report("copy_to_user over populated memory", now_ns() - t0);
	free(src);
	sys_munmap(addr, REGION_BYTES);
}

static void bench_fork(struct task_struct *parent)
{
	unsigned long addr = map_region();
	struct task_struct *child;
	double t0;

	populate_write(addr);
	t0 = now_ns();
	child = sys_fork();
	report("fork of a populated region", now_ns() - t0);
	if (!child) {
		fprintf(stderr, "mm_bench: fork failed\n");
		exit(1);
	}
	t0 = now_ns();
	task_exit(child);
	report("exit of the forked child", now_ns() - t0);
	set_current(parent);
	sys_munmap(addr, REGION_BYTES);
}

#define HUGE_BYTES (2UL << 20)

/* An aligned MADV_HUGEPAGE region of @bytes: faults in it map 2 MiB pages. */
static unsigned long map_thp_region(unsigned long bytes)
{
	unsigned long addr = sys_mmap(0, bytes + HUGE_BYTES, PROT_READ | PROT_WRITE,
				      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned long start = (addr + HUGE_BYTES - 1) & ~(HUGE_BYTES - 1);

	if (!IS_ERR_VALUE(addr)) { /* keep only [start, start + bytes) */
		if (start != addr)
			sys_munmap(addr, start - addr);
		sys_munmap(start + bytes, addr + HUGE_BYTES - start);
	}
	if (IS_ERR_VALUE(addr) || sys_madvise(start, bytes, MADV_HUGEPAGE)) {
		fprintf(stderr, "mm_bench: THP setup failed\n");
		exit(1);
	}
	return start;
}

static void thp_write_fault(unsigned long addr)
{
	if (copy_to_user(addr, "", 1)) {
		fprintf(stderr, "mm_bench: THP write fault failed at %#lx\n", addr);
		exit(1);
	}
}

/* ns per memset() of 2 MiB: one buffer over and over (cache-hot), or each 2 MiB of @cold once. */
static double memset_2m_ns(char *cold, unsigned long cold_bytes)
{
	static char hot[HUGE_BYTES];
	unsigned long nr = cold_bytes / HUGE_BYTES;
	double t0 = now_ns();

	for (unsigned long i = 0; i < nr; i++) {
		char *p = cold ? cold + i * HUGE_BYTES : hot;

		memset(p, (int)i, HUGE_BYTES);
		__asm__ volatile("" : : "r"(p) : "memory");
	}
	return (now_ns() - t0) / (double)nr;
}

static void report_thp(const char *what, double fault_ns, double memset_ns, const char *kind,
		       unsigned long nr)
{
	printf("%-44s %10.1f us/THP %8.2fx memset of 2 MiB %s (%.1f us), %lu faults\n", what,
	       fault_ns / 1e3, fault_ns / memset_ns, kind, memset_ns / 1e3, nr);
}

/*
 * THP write faults (MADV_HUGEPAGE, one byte per 2 MiB), the budget being
 * 1.3x a memset() of 2 MiB, at two temperatures each against its own memset:
 * fresh frames (a 256 MiB region, every 2 MiB zeroed for the first time: beside
 * memset over 256 MiB of host memory not in cache), and a recycled frame (fault,
 * MADV_DONTNEED, fault again: the buddy allocator hands back the block just
 * freed, still in cache, beside memset of one 2 MiB buffer again and again).
 */
static void bench_thp_write_faults(void)
{
	unsigned long addr = map_thp_region(REGION_BYTES), nr = REGION_BYTES / HUGE_BYTES;
	char *cold = malloc(REGION_BYTES);
	double t0, fault_ns;

	if (!cold) {
		fprintf(stderr, "mm_bench: out of host memory\n");
		exit(1);
	}
	memset(cold, 1, REGION_BYTES); /* faulted in; the loop below finds it out of cache */
	t0 = now_ns();
	for (unsigned long i = 0; i < nr; i++)
		thp_write_fault(addr + i * HUGE_BYTES);
	fault_ns = (now_ns() - t0) / (double)nr;
	report_thp("THP write fault, fresh frames", fault_ns, memset_2m_ns(cold, REGION_BYTES),
		   "not in cache", nr);
	free(cold);

	memset_2m_ns(NULL, REGION_BYTES); /* warm the buffer */
	t0 = now_ns();
	for (unsigned long i = 0; i < nr; i++) {
		thp_write_fault(addr);
		sys_madvise(addr, HUGE_BYTES, MADV_DONTNEED);
	}
	fault_ns = (now_ns() - t0) / (double)nr;
	report_thp("THP write fault + zap, recycled frame", fault_ns,
		   memset_2m_ns(NULL, REGION_BYTES), "in cache", nr);
	sys_munmap(addr, REGION_BYTES);
}

/* The host kernel populating fresh anonymous memory, for comparison. */
static void bench_host_populate(void)
{
	char *p = mmap(NULL, REGION_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		       0);
	const char *label = "host kernel MADV_POPULATE_WRITE";
	double t0;

	if (p == MAP_FAILED) {
		perror("mm_bench: mmap");
		return;
	}
	t0 = now_ns();
	if (madvise(p, REGION_BYTES, MADV_POPULATE_WRITE)) {
		label = "host kernel write faults (1 byte/page)";
		for (unsigned long off = 0; off < REGION_BYTES; off += PAGE_SIZE)
			p[off] = 1;
	}
	report(label, now_ns() - t0);
	munmap(p, REGION_BYTES);
}

/* Migration of REGION_PAGES anonymous pages from ZONE_MOVABLE to ZONE_NORMAL, and memcpy. */
static int bench_migrate(void)
{
	struct sim_config cfg = {
		.prefault = true, .mem_bytes = 2 * REGION_BYTES, .movable_bytes = 2 * REGION_BYTES};
	char *from = malloc(REGION_BYTES), *to = malloc(REGION_BYTES);
	struct task_struct *task;
	double t0, migrate_ns, memcpy_ns;
	unsigned long addr;
	long left;

	if (!from || !to || sim_boot(&cfg)) {
		fprintf(stderr, "mm_bench: cannot boot the simulated machine\n");
		return 1;
	}
	task = task_create("mm_bench");
	set_current(task);
	addr = map_region();
	populate_write(addr); /* movable allocations: ZONE_MOVABLE first */
	t0 = now_ns();
	left = sim_migrate_range(addr, REGION_BYTES, ZONE_NORMAL);
	migrate_ns = now_ns() - t0;
	memset(from, 1, REGION_BYTES);
	memset(to, 2, REGION_BYTES);
	t0 = now_ns();
	memcpy(to, from, REGION_BYTES);
	__asm__ volatile("" : : "r"(to) : "memory"); /* the copy is used: keep it */
	memcpy_ns = now_ns() - t0;
	printf("mm_bench migrate: %lu pages, %ld left behind\n", REGION_PAGES, left);
	report("sim_migrate_range (unmap, copy, remap)", migrate_ns);
	report("memcpy of the same bytes", memcpy_ns);
	printf("%-44s %10.2f x\n", "migration / memcpy", migrate_ns / memcpy_ns);
	free(from);
	free(to);
	task_exit(task);
	return sim_shutdown() || left ? 1 : 0;
}

#define PIN_BATCH 512

/* Pin and unpin the whole region PIN_BATCH pages at a time with @flags; ns in all. */
static double pin_region(unsigned long addr, unsigned int flags)
{
	static struct page *pages[PIN_BATCH];
	double t0 = now_ns();

	for (unsigned long off = 0; off < REGION_BYTES; off += PIN_BATCH * PAGE_SIZE) {
		if (pin_user_pages_fast(addr + off, PIN_BATCH, flags, pages) != PIN_BATCH) {
			fprintf(stderr, "mm_bench: pin failed at +%#lx\n", off);
			exit(1);
		}
		unpin_user_pages(pages, PIN_BATCH);
	}
	return now_ns() - t0;
}

/* FOLL_LONGTERM over memory with no CMA or movable pages: the check should cost little. */
static int bench_longterm(void)
{
	struct sim_config cfg = {.prefault = true};
	double plain = 1e300, longterm = 1e300;
	struct task_struct *task;
	unsigned long addr;

	if (sim_boot(&cfg)) {
		fprintf(stderr, "mm_bench: cannot boot the simulated machine\n");
		return 1;
	}
	task = task_create("mm_bench");
	set_current(task);
	addr = map_region();
	populate_write(addr);
	for (int round = 0; round < 5; round++) { /* the best of five, alternating */
		double p = pin_region(addr, FOLL_WRITE),
		       l = pin_region(addr, FOLL_WRITE | FOLL_LONGTERM);

		plain = p < plain ? p : plain;
		longterm = l < longterm ? l : longterm;
	}
	report("pin_user_pages_fast + unpin", plain);
	report("pin_user_pages_fast(FOLL_LONGTERM) + unpin", longterm);
	printf("%-44s %10.2f x\n", "long-term / plain", longterm / plain);
	task_exit(task);
	return sim_shutdown() ? 1 : 0;
}

int main(int argc, char **argv)
{
	bool thp_only = argc > 1 && !strcmp(argv[1], "thp"); /* `bench_mm_bench thp`: for perf */
	struct sim_config cfg = {.prefault = true};
	struct task_struct *task;

	if (argc > 1 && !strcmp(argv[1], "migrate"))
		return bench_migrate();
	if (argc > 1 && !strcmp(argv[1], "longterm"))
		return bench_longterm();
	if (sim_boot(&cfg)) {
		fprintf(stderr, "mm_bench: cannot boot the simulated machine\n");
		return 1;
	}
	task = task_create("mm_bench");
	set_current(task);
	printf("mm_bench: %lu MiB regions (%lu pages), frame pool prefaulted\n", REGION_BYTES >> 20,
	       REGION_PAGES);
	if (!thp_only) {
		bench_write_faults();
		bench_copy_to_user();
		bench_fork(task);
	}
	bench_thp_write_faults();
	if (!thp_only)
		bench_host_populate();
	task_exit(task);
	return sim_shutdown() ? 1 : 0;
}
