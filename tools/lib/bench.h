/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * `gup bench`: the kernel's gup_test benchmarks run against the simulated
 * machine, and the host kernel's nearest equivalents timed in the same run
 * (vmsplice, io_uring buffer registration, MADV_POPULATE_WRITE). Shared with bench/.
 */
#ifndef GUP_TOOL_BENCH_H
#define GUP_TOOL_BENCH_H

#include <stdbool.h>
#include <stdio.h>

#if __has_include("gup_tool.h")
#include "gup_tool.h"
#else
int gup_bench_main(int argc, char **argv);
#endif

/* The commands of the kernel's gup_test, with its names. */
enum bench_cmd {
	GUP_FAST_BENCHMARK,
	PIN_FAST_BENCHMARK,
	PIN_LONGTERM_BENCHMARK,
	GUP_BASIC_TEST,
	PIN_BASIC_TEST,
	DUMP_USER_PAGES_TEST,
};

/* gup_test's -t / -T: madvise the region MADV_HUGEPAGE / MADV_NOHUGEPAGE, or neither. */
enum bench_thp {
	BENCH_THP_UNSET, /* neither: the machine's (and host's) thp= mode decides */
	BENCH_THP_ON,	 /* -t: MADV_HUGEPAGE over a 2 MiB-aligned region */
	BENCH_THP_OFF,	 /* -T: MADV_NOHUGEPAGE */
};

/* gup_test's limit on the pages one DUMP_USER_PAGES_TEST names. */
#define BENCH_MAX_DUMP 8

struct bench_config {
	unsigned long size;	/* bytes of the region, a multiple of the page size */
	long nr_pages_per_call; /* -1: the whole (per-thread) range in one call */
	int threads;		/* all get the whole region, as gup_test's threads do */
	bool split;		/* instead each thread takes its own disjoint slice */
	enum bench_cmd cmd;
	unsigned int gup_flags; /* FOLL_* passed to every call */
	bool shared;		/* MAP_SHARED rather than MAP_PRIVATE */
	enum bench_thp thp;
	unsigned long hugetlb; /* -H: MAP_HUGETLB pages of this size (2 or 1024 MiB); 0: none */
	bool dump_use_pin;     /* DUMP_USER_PAGES_TEST pins (gup_test -p) */
	bool device;	       /* --device: a device-dax mapping of ZONE_DEVICE memory (2 MiB) */
	int nr_dump;	       /* DUMP_USER_PAGES_TEST: page indices to describe */
	unsigned long dump_index[BENCH_MAX_DUMP];
	bool no_prefault; /* --no-prefault: frames are host-faulted on first use, not at boot */
};

/* What DUMP_USER_PAGES_TEST reports about one page (first thread's range). */
struct bench_page_dump {
	unsigned long index, pfn, flags;
	int refcount, mapcount;
	bool dma_pinned;
};

/* One repeat: wall-clock time of the get phase and of the put phase. */
struct bench_sample {
	double get_us, put_us;
	unsigned long pages;	/* pages got over all threads */
	unsigned long expected; /* pages asked for: fewer got means truncated */
	int error;		/* the first call's -errno that ended a range, or 0 */
	int nr_dump;
	struct bench_page_dump dump[BENCH_MAX_DUMP];
};

/* Pages the run asks for per repeat: the region once per thread, or once if split. */
unsigned long bench_expected_pages(const struct bench_config *cfg);
/* Host bytes bench_sim_open() takes for @cfg: the simulated memory and the page arrays. */
unsigned long bench_sim_footprint(const struct bench_config *cfg);

struct bench_sim;

const char *bench_cmd_name(enum bench_cmd cmd);
/* Does @cmd pin (FOLL_PIN) rather than get (FOLL_GET)? */
bool bench_cmd_pins(enum bench_cmd cmd, unsigned int gup_flags);

/*
 * Boot a machine big enough for @cfg, map and populate the region in one
 * process, and park @cfg->threads threads of it. Return 0 or -errno.
 */
int bench_sim_open(const struct bench_config *cfg, struct bench_sim **simp);
/* Bytes of the populated region mapped by huge pmds (smaps' AnonHugePages). */
unsigned long bench_sim_thp_bytes(const struct bench_sim *bs);
/* One repeat of the get/put loop over the whole region. */
void bench_sim_run(struct bench_sim *bs, struct bench_sample *sample);
/* Stop the threads, unmap, shut the machine down. Return 0 if nothing leaked. */
int bench_sim_close(struct bench_sim *bs);

/* Host-kernel measurements (bench_host.c). */
struct host_sample {
	double get_us, put_us;	 /* put_us < 0: no put phase */
	unsigned long calls;	 /* system calls the get phase took */
	const char *mechanism;	 /* the host kernel path timed, in a few words */
	unsigned long thp_bytes; /* of the region, in huge pages (AnonHugePages) */
	char note[160];		 /* how it was measured, or why it was skipped */
	bool ok;
};

/* What a host measurement covers, as the simulated run it is compared with. */
struct host_run {
	unsigned long size;  /* bytes of anonymous private host memory, populated for writing */
	long pages_per_call; /* -1: the whole region at once */
	enum bench_thp thp;  /* BENCH_THP_ON: 2 MiB-aligned and MADV_HUGEPAGE (what the host
			      * then gives is in host_sample.thp_bytes); else MADV_NOHUGEPAGE */
	int repeats;	     /* timed passes over the region; the fastest of each phase is kept */
	unsigned long hugetlb_flags; /* MAP_HUGETLB | MAP_HUGE_* (the -H runs), or 0 */
};

/* Passes a host measurement makes at most, however many repeats the run has. */
#define HOST_MAX_REPEATS 10

/*
 * vmsplice(2) the region into a pipe, @run->pages_per_call pages per call
 * (capped by the pipe's capacity), draining the pipe into /dev/null after each
 * call: the kernel takes the pages with get_user_pages_fast() (no FOLL_WRITE)
 * and drops them with put_page().
 */
void host_bench_gup_fast(const struct host_run *run, struct host_sample *out);

/*
 * Pin the region and unpin it, as io_uring buffer registration does
 * (pin_user_pages FOLL_WRITE | FOLL_LONGTERM in the kernel). Each iovec covers
 * @run->pages_per_call pages (at most 1 GiB); each register call takes at most
 * 16384 iovecs, then they are unregistered before the next batch.
 */
void host_bench_pin(const struct host_run *run, struct host_sample *out);
/* MADV_POPULATE_WRITE over the already populated region: GUP's slow walk. */
void host_bench_populate(const struct host_run *run, struct host_sample *out);
/* The host's /sys/kernel/mm/transparent_hugepage/enabled line, or "unknown". */
const char *host_thp_enabled(char *buf, size_t len);

#endif /* GUP_TOOL_BENCH_H */
