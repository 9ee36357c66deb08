// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench/mm_bench.c - memory-manager throughput in ns per 4 KiB page: anonymous
 * write faults, copy_to_user over populated memory and fork of a populated
 * region, THP write faults beside memset of 2 MiB, next to the host kernel's own
 * MADV_POPULATE_WRITE for scale; `file` (or filefault, filepin, writeback): the
 * page cache's figures, each beside its anonymous or host counterpart. `migrate`:
 * migrating a region's pages between zones, small pages and whole THPs, beside
 * memcpy of the same bytes, and the small pages' unmap, move and remap apart;
 * `longterm`: FOLL_LONGTERM pins of memory with nothing to migrate beside plain pins.
 */
#include <fcntl.h>
#include <unistd.h>
#include <gup/fs.h>
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
 * freed, still in cache, beside memset of one 2 MiB buffer again and again; the best of five interleaved rounds of each).
 */
#define THP_RECYCLE_ROUNDS 5

static void bench_thp_write_faults(void)
{
	unsigned long addr = map_thp_region(REGION_BYTES), nr = REGION_BYTES / HUGE_BYTES;
	char *cold = malloc(REGION_BYTES);
	double t0, fault_ns, hot_ns = 0;

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
	/* Rounds of each, interleaved, the best of each kept: load between them drops out. */
	for (int round = 0; round < THP_RECYCLE_ROUNDS; round++) {
		double ns, m;

		t0 = now_ns();
		for (unsigned long i = 0; i < nr; i++) {
			thp_write_fault(addr);
			sys_madvise(addr, HUGE_BYTES, MADV_DONTNEED);
		}
		ns = (now_ns() - t0) / (double)nr;
		m = memset_2m_ns(NULL, REGION_BYTES);
		fault_ns = !round || ns < fault_ns ? ns : fault_ns;
		hot_ns = !round || m < hot_ns ? m : hot_ns;
	}
	report_thp("THP write fault + zap, recycled frame", fault_ns, hot_ns,
		   "in cache (best rounds)", nr);
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

/* --- files --- */

#define FILE_BYTES (64UL << 20)
#define FILE_PAGES (FILE_BYTES >> PAGE_SHIFT)
#define FILE_ROUNDS 9
#define PIN_BATCH 512
#define PIN_ROUNDS 100

struct bench_file {
	char path[64];
	int host_fd; /* the bench's own descriptor, for the host pwrite figure */
	int fd;	     /* the simulated task's */
};

static void die(const char *what)
{
	fprintf(stderr, "mm_bench: %s failed\n", what);
	exit(1);
}

static void bench_file_open(struct bench_file *f)
{
	strcpy(f->path, "/tmp/mm_bench-XXXXXX");
	f->host_fd = mkstemp(f->path);
	if (f->host_fd < 0 || ftruncate(f->host_fd, (off_t)FILE_BYTES))
		die("host file");
	f->fd = sys_open(f->path, O_RDWR, 0);
	if (f->fd < 0)
		die("sys_open");
}

static void bench_file_close(struct bench_file *f)
{
	sys_close(f->fd);
	close(f->host_fd);
	unlink(f->path);
}

static unsigned long map_file_region(struct bench_file *f, unsigned long prot)
{
	unsigned long addr = sys_mmap(0, FILE_BYTES, prot, MAP_SHARED, f->fd, 0);

	if (IS_ERR_VALUE(addr))
		die("sys_mmap of the file");
	return addr;
}

static unsigned long map_anon_region(void)
{
	unsigned long addr =
		sys_mmap(0, FILE_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (IS_ERR_VALUE(addr))
		die("sys_mmap");
	return addr;
}

static double min_ns(double a, double b)
{
	return a < b ? a : b;
}

/* The median of @n ratios (sorted in place); a round whose base was not positive is left out. */
static double median_ratio(double *ratios, int n)
{
	int kept = 0;

	for (int i = 0; i < n; i++)
		if (ratios[i] > 0)
			ratios[kept++] = ratios[i];
	for (int i = 1; i < kept; i++)
		for (int j = i; j > 0 && ratios[j - 1] > ratios[j]; j--) {
			double t = ratios[j];

			ratios[j] = ratios[j - 1];
			ratios[j - 1] = t;
		}
	return kept ? ratios[kept / 2] : 0;
}

static double per_page(double ns)
{
	return ns / (double)FILE_PAGES;
}

/* Best times per page, and the median of the rounds' own ratios (each round times both sides). */
static void report_ratio(const char *what, double ns, const char *base_what, double base_ns,
			 double ratio, double budget)
{
	printf("%-44s %8.1f ns/page vs %s %.1f ns/page: %.2fx (budget %.1fx)\n", what, ns,
	       base_what, base_ns, ratio, budget);
}

/*
 * A read fault on a page already in the page cache, beside an anonymous write
 * fault less its zeroing: the machine is booted init_on_free (as the kernel's
 * init_on_free=1, frames are zeroed when freed, so the anonymous fault clears
 * nothing and the zeroing is paid at munmap, untimed). What is left of each is
 * the fault path, so the cache lookup shows. Best of FILE_ROUNDS, each on fresh VMAs.
 */
static void bench_file_faults(struct bench_file *f)
{
	double file_ns = 1e30, anon_ns = 1e30, t0, ratios[FILE_ROUNDS];

	for (int r = 0; r < FILE_ROUNDS; r++) {
		unsigned long addr = map_file_region(f, PROT_READ);
		double anon_r;

		if (r == 0 && sys_madvise(addr, FILE_BYTES, MADV_POPULATE_READ))
			die("populating the cache");
		sys_munmap(addr, FILE_BYTES);
		addr = map_file_region(f, PROT_READ);
		t0 = now_ns();
		if (sys_madvise(addr, FILE_BYTES, MADV_POPULATE_READ))
			die("MADV_POPULATE_READ");
		ratios[r] = now_ns() - t0;
		file_ns = min_ns(file_ns, ratios[r]);
		sys_munmap(addr, FILE_BYTES);

		addr = map_anon_region();
		t0 = now_ns();
		if (sys_madvise(addr, FILE_BYTES, MADV_POPULATE_WRITE))
			die("MADV_POPULATE_WRITE");
		anon_r = now_ns() - t0;
		anon_ns = min_ns(anon_ns, anon_r);
		sys_munmap(addr, FILE_BYTES);
		ratios[r] /= anon_r;
	}
	report_ratio("file read fault, page cached", per_page(file_ns),
		     "anon write fault, no zeroing (init_on_free)", per_page(anon_ns),
		     file_ns / anon_ns, 1.3);
	printf("%-44s %8.2fx\n", "  median of the rounds' own ratios",
	       median_ratio(ratios, FILE_ROUNDS));
}

/* ns of one pass of pin_user_pages_fast + unpin over the populated region at @addr. */
static double pin_fast_pass_ns(unsigned long addr)
{
	static struct page *pages[PIN_BATCH];
	double t0 = now_ns();

	for (unsigned long i = 0; i < FILE_PAGES; i += PIN_BATCH) {
		if (pin_user_pages_fast(addr + i * PAGE_SIZE, PIN_BATCH, FOLL_WRITE, pages) !=
		    PIN_BATCH)
			die("pin_user_pages_fast");
		unpin_user_pages(pages, PIN_BATCH);
	}
	return now_ns() - t0;
}

/* A pass is short (a few hundred microseconds): many rounds, file and anon in turn. */
static void bench_file_pins(struct bench_file *f)
{
	unsigned long file = map_file_region(f, PROT_READ | PROT_WRITE), anon = map_anon_region();
	double file_ns = 1e30, anon_ns = 1e30, ratios[PIN_ROUNDS];

	if (sys_madvise(file, FILE_BYTES, MADV_POPULATE_WRITE) ||
	    sys_madvise(anon, FILE_BYTES, MADV_POPULATE_WRITE))
		die("populating");
	for (int r = 0; r < PIN_ROUNDS; r++) {
		double file_r = pin_fast_pass_ns(file), anon_r = pin_fast_pass_ns(anon);

		file_ns = min_ns(file_ns, file_r);
		anon_ns = min_ns(anon_ns, anon_r);
		ratios[r] = file_r / anon_r;
	}
	report_ratio("pin_user_pages_fast, file pages", per_page(file_ns), "anon pages",
		     per_page(anon_ns), median_ratio(ratios, PIN_ROUNDS), 1.2);
	sys_munmap(anon, FILE_BYTES);
	sys_munmap(file, FILE_BYTES);
}

/*
 * Writeback of every page of the file dirtied through a shared mapping (msync
 * MS_SYNC: write-protect, then a host pwrite per page) beside the host pwrite of
 * the same bytes, page by page, to the same file.
 */
static void bench_writeback(struct bench_file *f)
{
	unsigned long addr = map_file_region(f, PROT_READ | PROT_WRITE);
	double wb_ns = 1e30, pw_ns = 1e30, t0, wb_r, ratios[FILE_ROUNDS];
	char *buf = malloc(PAGE_SIZE);

	if (!buf)
		die("malloc");
	memset(buf, 0x77, PAGE_SIZE);
	for (int r = 0; r < FILE_ROUNDS; r++) {
		for (unsigned long i = 0; i < FILE_PAGES; i++)
			if (copy_to_user(addr + i * PAGE_SIZE, &r, sizeof(r)))
				die("dirtying");
		t0 = now_ns();
		if (sys_msync(addr, FILE_BYTES, MS_SYNC))
			die("msync");
		wb_r = now_ns() - t0;
		wb_ns = min_ns(wb_ns, wb_r);
		/* msync ends with the host's fsync: so does the pwrite side. */
		t0 = now_ns();
		for (unsigned long i = 0; i < FILE_PAGES; i++)
			if (pwrite(f->host_fd, buf, PAGE_SIZE, (off_t)(i * PAGE_SIZE)) != PAGE_SIZE)
				die("pwrite");
		fsync(f->host_fd);
		ratios[r] = wb_r / (now_ns() - t0);
		pw_ns = min_ns(pw_ns, now_ns() - t0);
	}
	free(buf);
	report_ratio("writeback (msync) of dirty file pages", per_page(wb_ns), "host pwrite+fsync",
		     per_page(pw_ns), median_ratio(ratios, FILE_ROUNDS), 1.5);
	sys_munmap(addr, FILE_BYTES);
}

static bool bench_files(const char *mode)
{
	bool all = !strcmp(mode, "file");
	struct bench_file f;

	if (!all && strcmp(mode, "filefault") && strcmp(mode, "filepin") &&
	    strcmp(mode, "writeback"))
		return false;
	printf("mm_bench: a %lu MiB host file (%lu pages) in /tmp, init_on_free; best ns/page of "
	       "%d rounds (pins %d), ratio: the median of the rounds' own\n",
	       FILE_BYTES >> 20, FILE_PAGES, FILE_ROUNDS, PIN_ROUNDS);
	bench_file_open(&f);
	if (all || !strcmp(mode, "filefault"))
		bench_file_faults(&f);
	if (all || !strcmp(mode, "filepin"))
		bench_file_pins(&f);
	if (all || !strcmp(mode, "writeback"))
		bench_writeback(&f);
	bench_file_close(&f);
	return true;
}

#define REGION_PIN_BATCH 512

/*
 * Migration's phases, summed over the pages: the hooks on the migrate_* phase points
 * take a timestamp at each and add the time since the previous one to its phase.
 */
struct migrate_phases {
	double unmap; /* try_to_unmap(): migration entries in */
	double move;  /* the reference check, the mapping's move and the data copy */
	double remap; /* remove_migration_ptes(): the entries replaced by PTEs */
	double last;
	unsigned long pages;
};

static void time_phase(enum sim_point_id id, void *ctx, void *arg)
{
	struct migrate_phases *ph = arg;
	double t = now_ns();

	(void)ctx;
	if (id == SP_MIGRATE_BEFORE_UNMAP)
		ph->pages++;
	else if (id == SP_MIGRATE_AFTER_UNMAP)
		ph->unmap += t - ph->last;
	else if (id == SP_MIGRATE_BEFORE_REMAP)
		ph->move += t - ph->last;
	else
		ph->remap += t - ph->last;
	ph->last = t;
}

static const enum sim_point_id phase_points[] = {SP_MIGRATE_BEFORE_UNMAP, SP_MIGRATE_AFTER_UNMAP,
						 SP_MIGRATE_BEFORE_REMAP, SP_MIGRATE_AFTER_REMAP};

/* Hook the phase points to @ph, or unhook them when @ph is NULL. */
static void hook_phases(struct migrate_phases *ph)
{
	for (unsigned int i = 0; i < sizeof(phase_points) / sizeof(phase_points[0]); i++)
		if (sim_point_set_hook(phase_points[i], ph ? time_phase : NULL, ph)) {
			fprintf(stderr, "mm_bench: cannot hook the migrate points\n");
			exit(1);
		}
}

/*
 * What one phase costs with nothing in it: two hooked points back to back, the
 * timestamp and the hook's dispatch. Each phase of each page pays it once.
 */
static double phase_overhead_ns(void)
{
	struct migrate_phases ph = {0};
	const unsigned long rounds = 1UL << 20;

	hook_phases(&ph);
	for (unsigned long i = 0; i < rounds; i++) {
		sim_point(SP_MIGRATE_BEFORE_UNMAP, NULL);
		sim_point(SP_MIGRATE_AFTER_UNMAP, NULL);
	}
	hook_phases(NULL);
	return ph.unmap / rounds;
}

/* Rounds of each measurement; each figure is its best round, so load between rounds drops out. */
#define MIGRATE_ROUNDS 9

/*
 * Best ns of MIGRATE_ROUNDS migrations of REGION_BYTES of anonymous memory between
 * ZONE_MOVABLE and ZONE_NORMAL (there and back: every round moves every page) on a
 * machine of its own: small pages, or 2 MiB THPs, which move whole (pmd migration
 * entries). With @ph, the phase points are hooked and @ph gets the best round's
 * phases less @overhead per page and phase. Return: the most pages a round left
 * behind, or -1 when the machine would not boot.
 */
static long migrate_region(bool thp, double *ns, struct migrate_phases *ph, double overhead)
{
	struct sim_config cfg = {
		.prefault = true, .mem_bytes = 2 * REGION_BYTES, .movable_bytes = 2 * REGION_BYTES};
	struct migrate_phases round_ph;
	struct task_struct *task;
	unsigned long addr;
	long left = 0;

	if (sim_boot(&cfg))
		return -1;
	task = task_create("mm_bench");
	set_current(task);
	addr = thp ? map_thp_region(REGION_BYTES) : map_region();
	for (unsigned long off = 0; thp && off < REGION_BYTES; off += HUGE_BYTES)
		thp_write_fault(addr + off);
	populate_write(addr); /* movable allocations: ZONE_MOVABLE first */
	*ns = 0;
	for (int round = 0; round < MIGRATE_ROUNDS; round++) {
		enum zone_type to = round % 2 ? ZONE_MOVABLE : ZONE_NORMAL;
		double t0, t;
		long round_left;

		if (ph) {
			round_ph = (struct migrate_phases){0};
			hook_phases(&round_ph);
		}
		t0 = now_ns();
		round_left = sim_migrate_range(addr, REGION_BYTES, to);
		t = now_ns() - t0;
		if (ph)
			hook_phases(NULL);
		/* Whole means whole: every THP still mapped by its pmd after the move. */
		if (thp && global_node_page_state(NR_ANON_THPS) != REGION_BYTES / HUGE_BYTES)
			round_left = (long)REGION_PAGES;
		left = round_left > left ? round_left : left;
		if (*ns && t >= *ns)
			continue;
		*ns = t;
		if (ph) {
			*ph = round_ph;
			ph->unmap -= overhead * ph->pages;
			ph->move -= overhead * ph->pages;
			ph->remap -= overhead * ph->pages;
		}
	}
	task_exit(task);
	return sim_shutdown() ? -1 : left;
}

/* Best ns of MIGRATE_ROUNDS memcpys of REGION_BYTES between two buffers written before. */
static double memcpy_region(char *to, const char *from)
{
	double best = 0;

	for (int round = 0; round < MIGRATE_ROUNDS; round++) {
		double t0 = now_ns(), t;

		memcpy(to, from, REGION_BYTES);
		__asm__ volatile("" : : "r"(to) : "memory"); /* the copy is used: keep it */
		t = now_ns() - t0;
		best = !best || t < best ? t : best;
	}
	return best;
}

/*
 * Migration of small pages and of whole THPs, beside memcpy of the same bytes; then
 * the small pages again with the phase points hooked, for unmap, move and remap
 * apart, and issue 15's target: migration <= 2 x memcpy + unmap + remap. Every
 * figure is the best of MIGRATE_ROUNDS rounds.
 */
static int bench_migrate(void)
{
	char *from = malloc(REGION_BYTES), *to = malloc(REGION_BYTES);
	double migrate_ns, thp_ns, memcpy_ns, hooked_ns, overhead, budget;
	struct migrate_phases ph;
	long left, thp_left, hooked_left;

	if (!from || !to) {
		fprintf(stderr, "mm_bench: out of memory\n");
		return 1;
	}
	memset(from, 1, REGION_BYTES);
	memset(to, 2, REGION_BYTES);
	left = migrate_region(false, &migrate_ns, NULL, 0);
	thp_left = migrate_region(true, &thp_ns, NULL, 0);
	overhead = phase_overhead_ns();
	hooked_left = migrate_region(false, &hooked_ns, &ph, overhead);
	memcpy_ns = memcpy_region(to, from);
	if (left < 0 || thp_left < 0 || hooked_left < 0) {
		fprintf(stderr, "mm_bench: cannot boot the simulated machine\n");
		return 1;
	}
	printf("mm_bench migrate: %lu pages, best of %d rounds; %ld left behind; as THPs, %ld left "
	       "behind\n",
	       REGION_PAGES, MIGRATE_ROUNDS, left, thp_left);
	report("sim_migrate_range (unmap, copy, remap)", migrate_ns);
	report("sim_migrate_range of whole THPs", thp_ns);
	report("memcpy of the same bytes", memcpy_ns);
	printf("%-44s %10.2f x\n", "migration / memcpy", migrate_ns / memcpy_ns);
	printf("%-44s %10.2f x\n", "THP migration / memcpy", thp_ns / memcpy_ns);
	printf("%-44s %10.2f x\n", "THP migration / small-page migration", thp_ns / migrate_ns);
	printf("phases (phase points hooked, %lu pages, %.1f ns/page/phase of timing taken off):\n",
	       ph.pages, overhead);
	report("  unmap (try_to_unmap)", ph.unmap);
	report("  move (refs, mapping, copy_highpage)", ph.move);
	report("  remap (remove_migration_ptes)", ph.remap);
	report("  rest (isolate, alloc, lock, LRU)",
	       hooked_ns - ph.unmap - ph.move - ph.remap - 3 * overhead * ph.pages);
	report("  hooked total", hooked_ns);
	budget = 2 * memcpy_ns + ph.unmap + ph.remap;
	report("target: 2 x memcpy + unmap + remap", budget);
	printf("%-44s %10.2f x (target met: %s)\n", "migration / (2 x memcpy + unmap + remap)",
	       migrate_ns / budget, migrate_ns <= budget ? "yes" : "no");
	free(from);
	free(to);
	return left || thp_left || hooked_left ? 1 : 0;
}

/* Pin and unpin REGION_PIN_BATCH pages at @addr with @flags; ns taken. */
static double pin_batch(unsigned long addr, unsigned int flags)
{
	static struct page *pages[REGION_PIN_BATCH];
	double t0 = now_ns();

	if (pin_user_pages_fast(addr, REGION_PIN_BATCH, flags, pages) != REGION_PIN_BATCH) {
		fprintf(stderr, "mm_bench: pin failed at %#lx\n", addr);
		exit(1);
	}
	unpin_user_pages(pages, REGION_PIN_BATCH);
	return now_ns() - t0;
}

#define LONGTERM_BATCHES (REGION_PAGES / REGION_PIN_BATCH)
#define LONGTERM_ROUNDS 31
#define LONGTERM_PAIRS (LONGTERM_BATCHES * LONGTERM_ROUNDS)

/*
 * One round over the region: each batch is pinned both ways back to back (the
 * order alternating from batch to batch), so a change of load on a shared host
 * hits both sides alike. @ratios gets each batch's long-term / plain; the
 * round's totals (ns) go to *@plain and *@longterm.
 */
static void pin_round(unsigned long addr, double *ratios, double *plain, double *longterm)
{
	const unsigned int base = FOLL_WRITE, lt = FOLL_WRITE | FOLL_LONGTERM;

	*plain = *longterm = 0;
	for (unsigned long i = 0; i < LONGTERM_BATCHES; i++) {
		unsigned long at = addr + i * REGION_PIN_BATCH * PAGE_SIZE;
		double p, l;

		if (i & 1) {
			l = pin_batch(at, lt);
			p = pin_batch(at, base);
		} else {
			p = pin_batch(at, base);
			l = pin_batch(at, lt);
		}
		ratios[i] = p > 0 ? l / p : 0;
		*plain += p;
		*longterm += l;
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * FOLL_LONGTERM over memory with no CMA or movable pages: the check is one
 * is_pinnable_page() per page in GUP-fast, so the ratio should stay near 1.
 * Each of LONGTERM_PAIRS back-to-back batch pairs gives a ratio; the median of
 * them and their quartiles are reported (a preemption hits one pair, not the
 * figure), beside the best round's totals.
 */
static int bench_longterm(void)
{
	static double ratios[LONGTERM_PAIRS];
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
	for (int round = 0; round < LONGTERM_ROUNDS; round++) {
		double p, l;

		pin_round(addr, ratios + round * LONGTERM_BATCHES, &p, &l);
		plain = p < plain ? p : plain;
		longterm = l < longterm ? l : longterm;
	}
	qsort(ratios, LONGTERM_PAIRS, sizeof(ratios[0]), cmp_double);
	report("pin_user_pages_fast + unpin (best round)", plain);
	report("pin_user_pages_fast(FOLL_LONGTERM) + unpin", longterm);
	printf("%-44s %10.3f x (best rounds)\n", "long-term / plain", longterm / plain);
	printf("%-44s %10.3f x (median of %lu interleaved %d-page pairs)\n", "long-term / plain",
	       ratios[LONGTERM_PAIRS / 2], (unsigned long)LONGTERM_PAIRS, REGION_PIN_BATCH);
	printf("%-44s %.3f %.3f %.3f %.3f %.3f x (min, 10%%, 25%%, 75%%, 90%%)\n", "  spread",
	       ratios[0], ratios[LONGTERM_PAIRS / 10], ratios[LONGTERM_PAIRS / 4],
	       ratios[3 * LONGTERM_PAIRS / 4], ratios[9 * LONGTERM_PAIRS / 10]);
	task_exit(task);
	return sim_shutdown() ? 1 : 0;
}

int main(int argc, char **argv)
{
	bool thp_only = argc > 1 && !strcmp(argv[1], "thp"); /* `bench_mm_bench thp`: for perf */
	/* The file figures' anonymous faults are timed without their zeroing. */
	bool files =
		argc > 1 && !thp_only && strcmp(argv[1], "migrate") && strcmp(argv[1], "longterm");
	struct sim_config cfg = {.prefault = true, .init_on_free = files};
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
	if (argc > 1 && !thp_only) {
		if (!bench_files(argv[1])) {
			fprintf(stderr,
				"usage: mm_bench "
				"[thp|file|filefault|filepin|writeback|migrate|longterm]\n");
			task_exit(task);
			sim_shutdown();
			return 2;
		}
		task_exit(task);
		return sim_shutdown() ? 1 : 0;
	}
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
