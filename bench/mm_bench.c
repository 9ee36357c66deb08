// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench/mm_bench.c - memory-manager throughput in ns per 4 KiB page: anonymous
 * write faults, copy_to_user over populated memory and fork of a populated
 * region, THP write faults beside memset of 2 MiB, next to the host kernel's own
 * MADV_POPULATE_WRITE for scale.
 */
#include <libgup.h>
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

/*
 * THP write faults (MADV_HUGEPAGE, one byte per 2 MiB) against memset() of 2 MiB of
 * host memory already faulted in: the budget is 1.3x the memset.
 */
static void bench_thp_write_faults(void)
{
	unsigned long addr = map_region(), huge = 2UL << 20;
	unsigned long first = (addr + huge - 1) & ~(huge - 1), nr = 0;
	char *buf = malloc(huge);
	double t0, fault_ns, memset_ns;

	if (!buf || sys_madvise(addr, REGION_BYTES, MADV_HUGEPAGE)) {
		fprintf(stderr, "mm_bench: THP setup failed\n");
		exit(1);
	}
	t0 = now_ns();
	for (unsigned long a = first; a + huge <= addr + REGION_BYTES; a += huge, nr++)
		if (copy_to_user(a, "", 1)) {
			fprintf(stderr, "mm_bench: THP write fault failed at %#lx\n", a);
			exit(1);
		}
	fault_ns = (now_ns() - t0) / (double)nr;
	memset(buf, 1, huge);
	t0 = now_ns();
	for (unsigned long i = 0; i < nr; i++) {
		memset(buf, (int)i, huge);
		__asm__ volatile("" : : "r"(buf) : "memory");
	}
	memset_ns = (now_ns() - t0) / (double)nr;
	printf("%-44s %10.1f us/THP %8.2fx memset of 2 MiB (%.1f us), %lu faults\n",
	       "THP write fault (MADV_HUGEPAGE)", fault_ns / 1e3, fault_ns / memset_ns,
	       memset_ns / 1e3, nr);
	free(buf);
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

int main(void)
{
	struct sim_config cfg = {.prefault = true};
	struct task_struct *task;

	if (sim_boot(&cfg)) {
		fprintf(stderr, "mm_bench: cannot boot the simulated machine\n");
		return 1;
	}
	task = task_create("mm_bench");
	set_current(task);
	printf("mm_bench: %lu MiB regions (%lu pages), frame pool prefaulted\n", REGION_BYTES >> 20,
	       REGION_PAGES);
	bench_write_faults();
	bench_copy_to_user();
	bench_fork(task);
	bench_thp_write_faults();
	bench_host_populate();
	task_exit(task);
	return sim_shutdown() ? 1 : 0;
}
