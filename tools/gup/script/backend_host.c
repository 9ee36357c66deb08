// SPDX-License-Identifier: GPL-2.0-only
/*
 * The scenario language on the host's real kernel (gup diff, docs/diff.md): each
 * task is a worker process (host_worker.c) this driver forks and commands over a
 * socketpair, each thread a real thread of it; GUP goes through the kernel's own GUP users; pages are observed in
 * /proc (pagemap, kpagecount, kpageflags, smaps, vmstat). What has no host
 * equivalent is sim-only: take_sim_only() says why.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#ifdef HAVE_LIBURING
#include <liburing.h>
#endif
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "host_proto.h"
#undef PF_FILE /* <sys/socket.h>'s PF_LOCAL alias: a page field here */
#include "script_int.h"

#define MAX_REGIONS 64	  /* scenario mappings per address space */
#define HOST_TIMEOUT_S 20 /* a worker that answers nothing for this long is broken */
#define PAGEMAP_PRESENT (1UL << 63)
#define PAGEMAP_FILE (1UL << 61)
#define PAGEMAP_EXCLUSIVE (1UL << 56)
#define PAGEMAP_SOFT_DIRTY (1UL << 55)
#define PAGEMAP_PFN ((1UL << 55) - 1)
#define KPF_ANON 12
#define KPF_COMPOUND_HEAD 15
#define KPF_THP 22
#define KPF_ZERO_PAGE 24
#define KPF_MLOCKED 33

/* The scenario's own mappings in one address space: the only ranges workers touch. */
struct host_mm {
	unsigned long start[MAX_REGIONS], end[MAX_REGIONS];
	int nr, users;
	bool thread_pending; /* new_task() is adding a thread: no pid of its own to reap */
};

struct bk_task {
	char name[MAX_NAME + 1];
	pid_t pid;
	int sock;	       /* the driver's end; -1 once the worker exited */
	struct bk_task *owner; /* a thread: the process task it is played as */
	struct host_mm *mm;
	bool exited;
	bool killed; /* SIGKILLed: the process is gone on the host */
};

enum host_pin { PIN_VMSPLICE, PIN_RING, PIN_DIRECT, PIN_PLACEHOLDER, PIN_REMOTE_VM };

/* One GUP call's pages and the host object that holds them. */
struct host_set {
	enum host_pin how;
	struct bk_task *owner;
	int ring, pipe_fd, refs;
	struct bk_page **pages; /* the handles, freed at shutdown (the script frees its array) */
	long nr;
	struct host_set *next;
};

struct bk_page {
	struct host_set *set;
	int index;
	unsigned long addr; /* where the call found it, in set->owner */
	bool dropped;	    /* the scenario put or unpinned it */
	unsigned long pfn;  /* what pagemap said right after the call */
	unsigned char data[PAGE_SIZE];
};

static struct {
	bool booted;
	struct bk_task *tasks[4 * MAX_TASKS];
	int nr_tasks;
	struct bk_task *cur;
	struct host_set *sets;
	const char *sim_only; /* why the last call had no host equivalent */
	char error[256];      /* a host failure: the run cannot be trusted */
	int kpagecount, kpageflags;
	long pin_base[2]; /* nr_foll_pin_acquired/released at boot */
	int timeout_s;
	bool machine_wide_off;
	int thp_advice; /* boot thp= played on a madvise host: advice for each mapping, or 0 */
	const char *tmpdir;
	bool thp_unsplit; /* a sim-only split: the host's THPs stay whole */
	bool soft_dirty;  /* the scenario booted soft_dirty=on */
} host = {.kpagecount = -1, .kpageflags = -1};

/* Pids for the signal handler: async-signal-safe cleanup reads only this. */
static volatile pid_t worker_pids[4 * MAX_TASKS];
static volatile int nr_worker_pids;
/* The run's files the workers opened, for the same handler (the script removes them otherwise). */
#define MAX_RUN_FILES 64
static char run_files[MAX_RUN_FILES][512];
static volatile int nr_run_files;
static struct hw_req req;
static struct hw_reply rep;

static void sim_only(const char *why)
{
	if (!host.sim_only)
		host.sim_only = why;
}

static void host_fail(const char *fmt, const char *arg)
{
	if (!host.error[0])
		snprintf(host.error, sizeof(host.error), fmt, arg);
}

const char *host_backend_error(void)
{
	return host.error[0] ? host.error : NULL;
}

/* ------------------------------------------------------------- cleanup -- */

/* Kill every worker and reap them parents first (each child is ours once its parent died). */
static void end_workers(void)
{
	for (int i = 0; i < nr_worker_pids; i++)
		kill(worker_pids[i], SIGKILL);
	for (int i = 0; i < nr_worker_pids; i++)
		while (waitpid(worker_pids[i], NULL, 0) < 0 && errno == EINTR)
			;
	nr_worker_pids = 0;
}

/* The run's files and their directory (the signal path: the run will not finish). */
static void remove_run_files(void)
{
	for (int i = 0; i < nr_run_files; i++)
		unlink(run_files[i]);
	for (int i = 0; i < nr_run_files; i++) {
		char *slash = strrchr(run_files[i], '/');

		if (slash) {
			*slash = '\0';
			rmdir(run_files[i]);
		}
	}
	nr_run_files = 0;
}

static void on_signal(int sig)
{
	end_workers();
	remove_run_files();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void catch_signals(bool on)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		signal(sigs[i], on ? on_signal : SIG_DFL);
}

/* -------------------------------------------------------- the channel -- */

static struct bk_task *process_of(struct bk_task *t)
{
	return t && t->owner ? t->owner : t;
}

/* One request to @t's worker and its reply (and a passed fd into *@fd): false on failure. */
static bool call(struct bk_task *t, struct hw_req *q, struct hw_reply *r, int *fd)
{
	char ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {.iov_base = r, .iov_len = sizeof(*r)};
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = ctl,
			     .msg_controllen = sizeof(ctl)};
	size_t len = offsetof(struct hw_req, data) + q->data_len;
	struct cmsghdr *c;
	ssize_t n;

	if (t && process_of(t)->killed) {
		sim_only("the task was killed: on the host a SIGKILL ends the process at once");
		return false;
	}
	t = t && t->sock >= 0 ? t : process_of(t); /* a thread has its own socket */
	if (fd)
		*fd = -1;
	if (host.error[0] || !t || t->sock < 0)
		return false;
	do
		n = send(t->sock, q, len, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)len) {
		host_fail("worker %s is gone (send failed)", t->name);
		return false;
	}
	do /* a signal (a worker's SIGCHLD under the sanitizer) may interrupt the wait */
		n = recvmsg(t->sock, &msg, 0);
	while (n < 0 && errno == EINTR);
	if (n < (ssize_t)offsetof(struct hw_reply, data)) {
		host_fail(n < 0 && errno == EAGAIN ? "worker %s did not answer in time (timeout)"
						   : "worker %s died",
			  t->name);
		return false;
	}
	c = CMSG_FIRSTHDR(&msg);
	if (c && c->cmsg_type == SCM_RIGHTS) {
		int got;

		memcpy(&got, CMSG_DATA(c), sizeof(int));
		if (fd)
			*fd = got;
		else
			close(got);
	}
	return true;
}

static void request(enum hw_op op)
{
	memset(&req, 0, offsetof(struct hw_req, data));
	req.op = op;
}

/* ------------------------------------------------------------ regions -- */

static bool in_regions(const struct host_mm *mm, unsigned long addr)
{
	for (int i = 0; mm && i < mm->nr; i++)
		if (addr >= mm->start[i] && addr < mm->end[i])
			return true;
	return false;
}

/* Bytes from @addr that lie in the scenario's mappings, up to @len. */
static unsigned long region_run(const struct host_mm *mm, unsigned long addr, unsigned long len)
{
	unsigned long done = 0;

	while (done < len && in_regions(mm, addr + done))
		done += PAGE_SIZE - ((addr + done) & (PAGE_SIZE - 1));
	return done < len ? done : len;
}

static void add_region(struct host_mm *mm, unsigned long start, unsigned long end)
{
	if (mm->nr < MAX_REGIONS) {
		mm->start[mm->nr] = start;
		mm->end[mm->nr++] = end;
	}
}

static void remove_region(struct host_mm *mm, unsigned long start, unsigned long end)
{
	for (int i = 0; i < mm->nr; i++) {
		unsigned long s = mm->start[i], e = mm->end[i];

		if (end <= s || start >= e)
			continue;
		mm->start[i] = mm->start[--mm->nr];
		mm->end[i] = mm->end[mm->nr];
		i--;
		if (s < start)
			add_region(mm, s, start);
		if (e > end)
			add_region(mm, end, e);
	}
}

static bool smaps_vma(pid_t pid, unsigned long addr, struct bk_vma_info *info);

/* The kernel grew the scenario stack of @t starting at @stack: its new pages are the scenario's. */
static void grow_region(struct bk_task *t, unsigned long stack)
{
	struct bk_vma_info vma = {0};

	if (smaps_vma(t->pid, stack, &vma) && vma.start < stack) {
		remove_region(t->mm, vma.start, stack);
		add_region(t->mm, vma.start, stack);
	}
}

/*
 * The worker's own mappings (its code, heap, stack) are off limits: a mapping
 * call is played only if every VMA it would touch is one the scenario made.
 */
static bool range_is_scenarios(struct bk_task *t, unsigned long start, unsigned long len)
{
	unsigned long end = start + ((len + PAGE_SIZE - 1) & PAGE_MASK), s, e;
	char path[64], line[512];
	bool ok = true;
	FILE *maps;

	snprintf(path, sizeof(path), "/proc/%d/maps", process_of(t)->pid);
	maps = fopen(path, "r");
	if (!maps)
		return false;
	while (ok && fgets(line, sizeof(line), maps))
		if (sscanf(line, "%lx-%lx", &s, &e) == 2 && s < end && e > start)
			for (unsigned long a = s > start ? s : start; ok && a < e && a < end;
			     a += PAGE_SIZE)
				ok = in_regions(t->mm, a);
	fclose(maps);
	return ok;
}

/* -------------------------------------------------------------- machine -- */

/* Fold the per-cpu counter deltas into the totals /proc/vmstat shows (root only). */
static void vmstat_refresh(void)
{
	int fd = open("/proc/sys/vm/stat_refresh", O_WRONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (write(fd, "1", 1) < 0)
			host_fail("cannot refresh /proc/vmstat: %s", strerror(errno));
		close(fd);
	}
}

static long vmstat_read(const char *name)
{
	char line[128];
	long v = -1;
	FILE *f = fopen("/proc/vmstat", "r");
	size_t n = strlen(name);

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, name, n) && line[n] == ' ')
			v = strtol(line + n + 1, NULL, 10);
	if (f)
		fclose(f);
	return v;
}

/*
 * Whether this host can play scenarios at all: root (pagemap PFNs, kpageflags,
 * /proc/PID/mem) and io_uring. NULL, or the reason in one line.
 */
const char *host_backend_unavailable(void)
{
	static char why[160];
#ifdef HAVE_LIBURING
	struct io_uring ring;
	int err;
#endif

	if (geteuid())
		return "needs root: PFNs in /proc/PID/pagemap and /proc/kpageflags";
	if (access("/proc/kpageflags", R_OK))
		return "needs /proc/kpageflags (CONFIG_PROC_PAGE_MONITOR)";
#ifdef HAVE_LIBURING
	err = io_uring_queue_init(2, &ring, 0);
	if (err) {
		snprintf(why, sizeof(why),
			 "io_uring unavailable (%s): long-term pins are io_uring fixed buffers",
			 strerror(-err));
		return why;
	}
	io_uring_queue_exit(&ring);
	return NULL;
#else
	snprintf(why, sizeof(why), "built without liburing: long-term pins are io_uring buffers");
	return why;
#endif
}

/*
 * The host's memory size is what it is; its THP mode is the system's. On a
 * host in madvise mode, boot thp=always or never is played by advising every
 * mapping the scenario makes (MADV_HUGEPAGE, MADV_NOHUGEPAGE).
 */
static int thp_emulation(enum bk_thp thp)
{
	char mode[128] = "";
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");

	if (f) {
		if (!fgets(mode, sizeof(mode), f))
			mode[0] = '\0';
		fclose(f);
	}
	if (!strstr(mode, "[madvise]") || thp == BK_THP_MADVISE)
		return 0;
	return thp == BK_THP_ALWAYS ? MADV_HUGEPAGE : MADV_NOHUGEPAGE;
}

static int host_boot(const struct bk_boot *cfg)
{
	const char *t = getenv("GUP_DIFF_TIMEOUT");

	host.thp_advice = thp_emulation(cfg->thp);
	if (host_backend_unavailable())
		return -EPERM;
	host.kpagecount = open("/proc/kpagecount", O_RDONLY | O_CLOEXEC);
	host.kpageflags = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
	vmstat_refresh();
	host.pin_base[0] = vmstat_read("nr_foll_pin_acquired");
	host.pin_base[1] = vmstat_read("nr_foll_pin_released");
	host.timeout_s = t && atoi(t) > 0 ? atoi(t) : HOST_TIMEOUT_S;
	host.machine_wide_off =
		getenv("GUP_DIFF_MACHINE_WIDE") && !strcmp(getenv("GUP_DIFF_MACHINE_WIDE"), "off");
	host.tmpdir = getenv("GUP_DIFF_TMPDIR") ? getenv("GUP_DIFF_TMPDIR") : "/var/tmp";
	host.error[0] = '\0';
	host.sim_only = NULL;
	host.thp_unsplit = false;
	host.soft_dirty = cfg->soft_dirty;
	nr_run_files = 0;
	/* Orphaned workers (a parent exited before its child) come back to us to be reaped. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	catch_signals(true);
	host.booted = true;
	return 0;
}

static void release_set(struct host_set *set);

static int host_shutdown(void)
{
	for (struct host_set *set = host.sets, *next; set; set = next) {
		next = set->next;
		release_set(set);
		for (long i = 0; i < set->nr; i++)
			free(set->pages[i]);
		free(set->pages);
		free(set);
	}
	host.sets = NULL;
	for (int i = 0; i < host.nr_tasks; i++) {
		struct bk_task *t = host.tasks[i];

		if (t->sock >= 0)
			close(t->sock);
		if (t->mm && !--t->mm->users)
			free(t->mm);
		free(t);
	}
	host.nr_tasks = 0;
	end_workers();
	catch_signals(false);
	prctl(PR_SET_CHILD_SUBREAPER, 0);
	close(host.kpagecount);
	close(host.kpageflags);
	host.kpagecount = host.kpageflags = -1;
	host.cur = NULL;
	host.booted = false;
	return 0;
}

static bool host_running(void)
{
	return host.booted;
}

static bool host_profile_known(const char *name)
{
	(void)name; /* the host runs one kernel: any profile is the simulator's business */
	return true;
}

static const char *host_profile_names(void)
{
	return "the running kernel";
}

/* The host runs one kernel: this machine's, 6.18 (expect[6.18] lines apply to it). */
static const char *host_profile_current(void)
{
	return "6.18";
}

/* The host's hugetlb pools are machine-wide, shared with every other process. */
static int host_hugepages(unsigned long size, unsigned long counts[4])
{
	(void)size;
	memset(counts, 0, 4 * sizeof(counts[0]));
	sim_only("the host's hugetlb pool counters are machine-wide");
	return 0;
}

static int host_meminfo(FILE *out)
{
	(void)out;
	sim_only("the host's /proc/meminfo is machine-wide");
	return 0;
}

static const char *host_env_error(void)
{
	return NULL;
}

static unsigned long host_unknown_count(void)
{
	sim_only("the simulator's own bookkeeping");
	return 0;
}

static int host_check(FILE *out)
{
	(void)out;
	sim_only("libgup's invariant checker");
	return 0;
}

static int host_inject_arm(const char *point, unsigned long nth, unsigned long count)
{
	(void)point, (void)nth, (void)count;
	return -EOPNOTSUPP;
}

static void host_inject_off(void)
{
}

static int host_point_lookup(const char *name)
{
	(void)name;
	return -ENOENT;
}

static bool host_point_info(int point, struct bk_point_info *info)
{
	(void)point, (void)info;
	return false;
}

static int host_point_hook(int point, bk_point_hook_fn fn, void *arg)
{
	(void)point, (void)fn, (void)arg;
	return -EOPNOTSUPP;
}

static void host_set_call_site(const char *site)
{
	(void)site;
}

static unsigned long host_report_refs(FILE *out)
{
	(void)out;
	return 0;
}

static const char *host_take_sim_only(void)
{
	const char *why = host.sim_only;

	host.sim_only = NULL;
	if (host.error[0])
		return "the host run failed";
	return why;
}

/* The commands the host plays; every other one (and any added later) is sim-only. */
static bool host_plays_command(const char *command)
{
	static const char *const played[] = {
		"boot",
		"echo",
		"set",
		"expect",
		"task",
		"fork",
		"thread",
		"switch",
		"kill",
		"exit",
		"mmap",
		"munmap",
		"mprotect",
		"madvise",
		"mlock",
		"munlock",
		"mremap",
		"split",
		"mseal",
		"secretmem",
		"write",
		"fill",
		"read",
		"touch",
		"gup",
		"pin",
		"unpin",
		"put",
		"access_remote",
		"access_process",
		"process_vm_readv",
		"process_vm_writev",
		"populate",
		"page",
		"pinned",
		"vma",
		"vmstat",
		"check",
		"follow",
		"dump_page",
		"tmpfile",
		"open",
		"close",
		"truncate",
		"pread",
		"pwrite",
		"fsync",
		"msync",
		"clear_refs",
		"memfd",
		"seal",
		NULL,
	};

	if (host.error[0])
		return false;
	for (int i = 0; played[i]; i++)
		if (!strcmp(command, played[i]))
			return true;
	return false;
}

/* ---------------------------------------------------------------- tasks -- */

static struct bk_task *new_task(const char *name, pid_t pid, int sock, struct host_mm *mm)
{
	struct bk_task *t = calloc(1, sizeof(*t));
	struct timeval tv = {.tv_sec = host.timeout_s};

	if (!t || host.nr_tasks == (int)(sizeof(host.tasks) / sizeof(host.tasks[0]))) {
		free(t);
		return NULL;
	}
	snprintf(t->name, sizeof(t->name), "%s", name);
	t->pid = pid;
	t->sock = sock;
	t->mm = mm;
	mm->users++;
	if (sock >= 0)
		setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	host.tasks[host.nr_tasks++] = t;
	if (pid > 0 && sock >= 0 && !mm->thread_pending)
		worker_pids[nr_worker_pids++] = pid;
	mm->thread_pending = false;
	return t;
}

static struct bk_task *host_task_create(const char *name)
{
	struct host_mm *mm = calloc(1, sizeof(*mm));
	char comm[16];
	int sp[2];
	pid_t pid;

	if (!mm || host.error[0] || socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sp)) {
		free(mm);
		return NULL;
	}
	pid = fork();
	if (pid < 0) {
		close(sp[0]);
		close(sp[1]);
		free(mm);
		return NULL;
	}
	if (!pid) {
		/* Keep no fd of the driver's: other workers' sockets, held pipes, /proc files. */
		if (sp[1] > 3)
			close_range(3, (unsigned int)sp[1] - 1, 0);
		close_range((unsigned int)sp[1] + 1, ~0U, 0);
		snprintf(comm, sizeof(comm), "gupw-%d", (int)getppid());
		prctl(PR_SET_NAME, comm);
		host_worker_main(sp[1]);
	}
	close(sp[1]);
	return new_task(name, pid, sp[0], mm);
}

static struct bk_task *host_task_fork(struct bk_task *parent, long *err)
{
	struct host_mm *mm = calloc(1, sizeof(*mm));
	struct bk_task *child;
	char name[MAX_NAME + 2];
	int fd;

	*err = -ENOMEM;
	if (!mm)
		return NULL;
	request(HW_FORK);
	if (!call(parent, &req, &rep, &fd) || rep.ret < 0 || fd < 0) {
		*err = rep.ret < 0 ? rep.ret : -EIO;
		free(mm);
		return NULL;
	}
	memcpy(mm, process_of(parent)->mm, sizeof(*mm));
	mm->users = 0;
	snprintf(name, sizeof(name), "%s'", parent->name);
	child = new_task(name, (pid_t)rep.ret, fd, mm);
	if (!child)
		free(mm);
	return child;
}

/* A real thread of the task's worker, with a socket of its own. */
static struct bk_task *host_task_clone_thread(struct bk_task *task)
{
	struct bk_task *proc = process_of(task), *t;
	pid_t tid = 0;
	int fd;

	request(HW_THREAD);
	if (!call(task, &req, &rep, &fd) || rep.ret < 0 || fd < 0)
		return NULL;
	if (recv(fd, &tid, sizeof(tid), 0) != sizeof(tid)) {
		close(fd);
		host_fail("the new thread of %s did not start", proc->name);
		return NULL;
	}
	proc->mm->thread_pending = true;
	t = new_task(task->name, tid, fd, proc->mm);
	if (!t) {
		close(fd);
		return NULL;
	}
	t->owner = proc;
	return t;
}

/* The worker exits; its socket closes only after exit_mm, so the mm is gone on return. */
/*
 * Has process @pid finished exiting: gone, or a zombie with no thread left?
 * Its socket closes at exit_files(), but the address space of a process whose
 * threads are still on their way out (or that another task's mmget holds) goes
 * later, and a query right after `exit` must not see its mappings.
 */
static bool process_gone(pid_t pid)
{
	char path[64], buf[512];
	const char *state;
	int threads = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return true;
	state = fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL;
	fclose(f);
	if (!state || (state[2] != 'Z' && state[2] != 'X'))
		return false;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return true;
	while (fgets(buf, sizeof(buf), f))
		if (sscanf(buf, "Threads: %d", &threads) == 1)
			break;
	fclose(f);
	return threads <= 1;
}

/* Wait (up to 5 s, in 1 ms steps) for an exited worker's address space to be gone. */
static void wait_process_gone(pid_t pid)
{
	for (int i = 0; i < 5000 && !process_gone(pid); i++)
		nanosleep(&(struct timespec){.tv_nsec = 1000000}, NULL);
}

/* @pid is no worker to end any more: it was reaped, and its number may be reused. */
static void forget_worker_pid(pid_t pid)
{
	for (int i = 0; i < nr_worker_pids; i++)
		if (worker_pids[i] == pid) {
			worker_pids[i] = worker_pids[--nr_worker_pids];
			break;
		}
}

/*
 * A real SIGKILL of the task's process, all its threads with it, and the wait
 * for its address space to go: the driver reaps a worker it forked itself; one
 * a worker forked stays a zombie of its parent (reaped when that one ends), as
 * process_gone() allows. The simulator's killed task stays to run the commands
 * that follow (fatal_signal_pending); on the host those are sim-only.
 */
static void host_task_kill(struct bk_task *task)
{
	struct bk_task *proc = process_of(task);
	pid_t pid = proc->pid, reaped;

	if (proc->killed || proc->sock < 0)
		return;
	if (kill(pid, SIGKILL)) {
		host_fail("cannot kill worker %s", proc->name);
		return;
	}
	for (int i = 0; i < host.nr_tasks; i++) {
		struct bk_task *t = host.tasks[i];

		if (process_of(t) != proc)
			continue;
		t->killed = true;
		if (t->sock >= 0)
			close(t->sock);
		t->sock = -1;
	}
	do
		reaped = waitpid(pid, NULL, __WALL);
	while (reaped < 0 && errno == EINTR);
	if (reaped == pid)
		forget_worker_pid(pid);
	else /* not ours to reap (ECHILD): wait for its address space to go */
		wait_process_gone(pid);
}

static void host_task_exit(struct bk_task *task)
{
	char byte;

	if (task == host.cur)
		host.cur = NULL;
	if (task->sock < 0) {
		task->exited = true;
		return;
	}
	request(HW_EXIT);
	req.flags = task->owner != NULL; /* a thread ends alone */
	if (send(task->sock, &req, offsetof(struct hw_req, data), MSG_NOSIGNAL) > 0)
		while (recv(task->sock, &byte, 1, 0) > 0)
			;
	close(task->sock);
	task->sock = -1;
	task->exited = true;
	if (!task->owner)
		wait_process_gone(task->pid);
}

static void host_set_current(struct bk_task *task)
{
	host.cur = task;
}

static void host_task_info(struct bk_task *task, struct bk_task_info *info)
{
	info->pid = task->pid;
	info->tgid = process_of(task)->pid;
	info->mm_id = 0;
	for (int i = 0; i < host.nr_tasks; i++)
		if (host.tasks[i] == process_of(task))
			info->mm_id = (unsigned int)i + 1;
	info->killed = process_of(task)->killed;
}

/* ------------------------------------------------------- mapping calls -- */

/* The request already made (request()): its range, guarded, to the current task. */
static long simple_call(unsigned long addr, unsigned long len)
{
	if (!host.cur)
		return -ESRCH;
	if (!range_is_scenarios(host.cur, addr, len)) {
		sim_only("the range holds the worker's own mappings on the host");
		return 0;
	}
	req.addr = addr;
	req.len = len;
	return call(host.cur, &req, &rep, NULL) ? rep.ret : -EIO;
}

static unsigned long host_mmap(unsigned long addr, unsigned long len, unsigned long prot,
			       unsigned long flags)
{
	unsigned long ret;

	if (!host.cur)
		return (unsigned long)-ESRCH;
	if (flags & MAP_HUGETLB) {
		/* Reserving pool pages would change a machine-wide setting other processes share. */
		sim_only("MAP_HUGETLB needs the host's hugetlb pool, which is machine-wide");
		return (unsigned long)-ENOMEM;
	}
	request(HW_MMAP);
	req.addr = addr;
	req.len = len;
	req.prot = prot;
	/* Never over the worker's own mappings: a fixed address must be free on the host. */
	req.flags = flags & MAP_FIXED ? (flags & ~MAP_FIXED) | MAP_FIXED_NOREPLACE : flags;
	if (!call(host.cur, &req, &rep, NULL))
		return (unsigned long)-EIO;
	ret = (unsigned long)rep.ret;
	if (rep.ret == -EEXIST && (flags & MAP_FIXED))
		sim_only("the fixed address is taken by the worker on the host");
	if (ret >= -4095UL)
		return ret;
	add_region(process_of(host.cur)->mm, ret, ret + ((len + PAGE_SIZE - 1) & PAGE_MASK));
	if (host.thp_advice) {
		request(HW_MADVISE);
		req.advice = host.thp_advice;
		req.addr = ret;
		req.len = len;
		call(host.cur, &req, &rep, NULL);
	}
	return ret;
}

static long host_munmap(unsigned long addr, unsigned long len)
{
	long ret;

	request(HW_MUNMAP);
	ret = simple_call(addr, len);
	if (!ret && host.cur)
		remove_region(process_of(host.cur)->mm, addr,
			      addr + ((len + PAGE_SIZE - 1) & PAGE_MASK));
	return ret;
}

static long host_mprotect(unsigned long addr, unsigned long len, unsigned long prot)
{
	request(HW_MPROTECT);
	req.prot = prot;
	return simple_call(addr, len);
}

/* Reclaim on demand is the simulator's: Linux has no call reclaiming one process's pages. */
static long host_reclaim(unsigned long nr)
{
	(void)nr;
	sim_only("the host reclaims machine-wide, not on one scenario's demand");
	return 0;
}

static void host_swap_stats(unsigned long counts[3])
{
	memset(counts, 0, 3 * sizeof(counts[0]));
	sim_only("the host's swap devices are machine-wide");
}

static long host_madvise(unsigned long addr, unsigned long len, int advice)
{
	/* What COLD and PAGEOUT do on the host hangs on its swap and its LRU, machine-wide. */
	if (advice == MADV_COLD || advice == MADV_PAGEOUT) {
		sim_only("MADV_COLD/MADV_PAGEOUT depend on the host's swap and LRU state");
		return 0;
	}
	request(HW_MADVISE);
	req.advice = advice;
	return simple_call(addr, len);
}

static long host_mlock(unsigned long addr, unsigned long len, bool onfault)
{
	request(HW_MLOCK);
	req.onfault = onfault;
	return simple_call(addr, len);
}

static long host_munlock(unsigned long addr, unsigned long len)
{
	request(HW_MUNLOCK);
	return simple_call(addr, len);
}

/*
 * The real mremap. Both the old range and, with MREMAP_FIXED, the range it
 * replaces must be the scenario's (or free): the kernel unmaps whatever lies there.
 */
static unsigned long host_mremap(unsigned long addr, unsigned long old_len, unsigned long new_len,
				 unsigned long flags, unsigned long new_addr)
{
	unsigned long ret, old_end = addr + ((old_len + PAGE_SIZE - 1) & PAGE_MASK);
	struct host_mm *mm;

	if (!host.cur)
		return (unsigned long)-ESRCH;
	mm = process_of(host.cur)->mm;
	if (!range_is_scenarios(host.cur, addr, old_len) ||
	    ((flags & MREMAP_FIXED) && !range_is_scenarios(host.cur, new_addr, new_len))) {
		sim_only("the range holds the worker's own mappings on the host");
		return (unsigned long)-EINVAL;
	}
	request(HW_MREMAP);
	req.addr = addr;
	req.len = old_len;
	req.new_len = new_len;
	req.flags = flags;
	req.new_addr = new_addr;
	if (!call(host.cur, &req, &rep, NULL))
		return (unsigned long)-EIO;
	ret = (unsigned long)rep.ret;
	if (ret >= -4095UL)
		return ret;
	if (!(flags & MREMAP_DONTUNMAP))
		remove_region(mm, addr, old_end);
	remove_region(mm, ret, ret + ((new_len + PAGE_SIZE - 1) & PAGE_MASK));
	add_region(mm, ret, ret + ((new_len + PAGE_SIZE - 1) & PAGE_MASK));
	return ret;
}

/* Linux's split_huge_pages is a debugfs file: not a call the diff makes for one scenario. */
static long host_split_huge_page(unsigned long addr)
{
	(void)addr;
	sim_only("the host's split is debugfs split_huge_pages, a machine-wide debug file");
	host.thp_unsplit = true;
	return 0;
}

static long host_mseal(unsigned long addr, unsigned long len, unsigned long flags)
{
	long ret;

	request(HW_MSEAL);
	req.flags = flags;
	ret = simple_call(addr, len);
	if (ret == -ENOSYS)
		sim_only("the host kernel has no mseal (6.10)");
	return ret;
}

static unsigned long host_mmap_secretmem(unsigned long len, unsigned long prot)
{
	unsigned long ret;

	if (!host.cur)
		return (unsigned long)-ESRCH;
	request(HW_SECRETMEM);
	req.len = len;
	req.prot = prot;
	if (!call(host.cur, &req, &rep, NULL))
		return (unsigned long)-EIO;
	ret = (unsigned long)rep.ret;
	if (rep.ret == -ENOSYS)
		sim_only("the host kernel has no memfd_secret (or secretmem.enable=0)");
	if (ret >= -4095UL)
		return ret;
	add_region(process_of(host.cur)->mm, ret, ret + ((len + PAGE_SIZE - 1) & PAGE_MASK));
	return ret;
}

/* --------------------------------------------------------------- files -- */

/*
 * The files are the run's own: the script makes them in its private directory
 * (cmd_file.c, gup-run-XXXXXX), one per run, so the host's run has its own
 * copy; the worker opens them there. A path elsewhere on the host is not the
 * scenario's to write, so it is not opened at all (sim-only).
 */
static bool run_file_path(const char *path)
{
	const char *slash = strrchr(path, '/'), *dir;

	if (!slash || strstr(path, "/../") || !strcmp(slash, "/.."))
		return false;
	for (dir = slash; dir > path && dir[-1] != '/'; dir--)
		;
	return !strncmp(dir, "gup-run-", 8) && strchr(dir, '/') == slash;
}

/* The signal path removes the run's files too: the paths the workers opened. */
static void remember_file(const char *path)
{
	if (nr_run_files < MAX_RUN_FILES && strlen(path) < sizeof(run_files[0])) {
		snprintf(run_files[nr_run_files], sizeof(run_files[0]), "%s", path);
		nr_run_files++;
	}
}

static int host_file_open(const char *path, int flags)
{
	size_t n = strlen(path);

	if (!host.cur)
		return -ESRCH;
	if (!run_file_path(path) || n >= sizeof(req.data)) {
		sim_only("a host path outside the run's temporary directory is not opened");
		return -EACCES;
	}
	remember_file(path);
	request(HW_FILE_OPEN);
	req.flags = (unsigned long)flags;
	memcpy(req.data, path, n);
	req.data_len = (unsigned int)n;
	return call(host.cur, &req, &rep, NULL) ? (int)rep.ret : -EIO;
}

/* One call on the scenario's descriptor @fd, as the current task. */
static long file_call(enum hw_op op, int fd)
{
	if (!host.cur)
		return -ESRCH;
	req.op = op;
	req.fd = fd;
	return call(host.cur, &req, &rep, NULL) ? rep.ret : -EIO;
}

/*
 * A real memfd in the current task's worker, numbered as the scenario's other
 * descriptors. MFD_HUGETLB would draw on the host's hugetlb pool, which is
 * machine-wide: sim-only, as MAP_HUGETLB.
 */
static int host_memfd_create(const char *name, unsigned int flags)
{
	size_t n = strlen(name);

	if (!host.cur)
		return -ESRCH;
	if (flags & MFD_HUGETLB) {
		sim_only("MFD_HUGETLB needs the host's hugetlb pool, which is machine-wide");
		return -ENOSYS;
	}
	if (n >= sizeof(req.data))
		return -EINVAL;
	request(HW_MEMFD_CREATE);
	req.flags = flags;
	memcpy(req.data, name, n);
	req.data_len = (unsigned int)n;
	return call(host.cur, &req, &rep, NULL) ? (int)rep.ret : -EIO;
}

/* fcntl(F_ADD_SEALS / F_GET_SEALS) on a scenario descriptor; the worker takes no other. */
static long host_file_fcntl(int fd, unsigned int cmd, unsigned long arg)
{
	request(HW_FILE_FCNTL);
	req.flags = cmd;
	req.len = arg;
	return file_call(HW_FILE_FCNTL, fd);
}

static int host_file_close(int fd)
{
	request(HW_FILE_CLOSE);
	return (int)file_call(HW_FILE_CLOSE, fd);
}

static int host_file_truncate(int fd, long length)
{
	request(HW_FILE_TRUNCATE);
	req.len = (unsigned long)length;
	if (length < 0)
		return -EINVAL;
	return (int)file_call(HW_FILE_TRUNCATE, fd);
}

static int host_file_fsync(int fd)
{
	request(HW_FILE_FSYNC);
	return (int)file_call(HW_FILE_FSYNC, fd);
}

/* pread/pwrite: the kernel copies to or from the worker, only into the scenario's memory. */
static long file_rw(enum hw_op op, int fd, unsigned long buf, unsigned long count, long pos)
{
	if (!host.cur)
		return -ESRCH;
	if (count && region_run(process_of(host.cur)->mm, buf, count) < count) {
		sim_only("the buffer is not all the scenario's memory on the host");
		return -EFAULT;
	}
	request(op);
	req.addr = buf;
	req.len = count;
	req.off = pos;
	return file_call(op, fd);
}

static long host_file_pread(int fd, unsigned long buf, unsigned long count, long pos)
{
	return file_rw(HW_FILE_PREAD, fd, buf, count, pos);
}

static long host_file_pwrite(int fd, unsigned long buf, unsigned long count, long pos)
{
	return file_rw(HW_FILE_PWRITE, fd, buf, count, pos);
}

static int host_msync(unsigned long addr, unsigned long len, int flags)
{
	request(HW_MSYNC);
	req.flags = (unsigned long)flags;
	return (int)simple_call(addr, len);
}

static unsigned long host_mmap_file(unsigned long addr, unsigned long len, unsigned long prot,
				    unsigned long flags, int fd, unsigned long off)
{
	unsigned long ret;

	if (!host.cur)
		return (unsigned long)-ESRCH;
	request(HW_MMAP_FILE);
	req.addr = addr;
	req.len = len;
	req.prot = prot;
	req.flags = flags & MAP_FIXED ? (flags & ~MAP_FIXED) | MAP_FIXED_NOREPLACE : flags;
	req.off = (long)off;
	ret = (unsigned long)file_call(HW_MMAP_FILE, fd);
	if ((long)ret == -EEXIST && (flags & MAP_FIXED))
		sim_only("the fixed address is taken by the worker on the host");
	if (ret >= -4095UL)
		return ret;
	add_region(process_of(host.cur)->mm, ret, ret + ((len + PAGE_SIZE - 1) & PAGE_MASK));
	return ret;
}

/* ------------------------------------------------------- user accesses -- */

/* The worker's own stores (@store) or loads, as far as the scenario's mappings go. */
static unsigned long user_copy(bool store, unsigned long addr, void *buf, unsigned long len)
{
	unsigned long done = 0;

	while (done < len && host.cur) {
		unsigned long n = len - done < HW_MAX_DATA ? len - done : HW_MAX_DATA;
		unsigned long ok = region_run(process_of(host.cur)->mm, addr + done, n);

		request(store ? HW_STORE : HW_LOAD);
		req.addr = addr + done;
		req.len = ok;
		if (store) {
			memcpy(req.data, (char *)buf + done, ok);
			req.data_len = (unsigned int)ok;
		}
		if (!ok || !call(host.cur, &req, &rep, NULL))
			break;
		if (!store)
			memcpy((char *)buf + done, rep.data, ok - rep.left);
		done += ok - rep.left;
		if (rep.left || ok < n)
			break;
	}
	return len - done;
}

static unsigned long host_copy_to_user(unsigned long addr, const void *buf, unsigned long len)
{
	return user_copy(true, addr, (void *)buf, len);
}

static unsigned long host_copy_from_user(void *buf, unsigned long addr, unsigned long len)
{
	return user_copy(false, addr, buf, len);
}

/*
 * access_remote_vm: with FOLL_FORCE it is /proc/PID/mem (mem_rw ->
 * access_remote_vm(FOLL_FORCE)); without, the driver's process_vm_readv/writev
 * (GUP on the target's mm, FOLL_REMOTE, no FOLL_FORCE). Nothing copied is 0, as
 * access_remote_vm says it (mem_rw turns that into -EIO, process_vm into -EFAULT).
 */
/*
 * The start of the scenario's VM_GROWSDOWN mapping of @t just above [@addr,
 * +@len) with no VMA between, or 0: the only VMA a kernel that grows the stack
 * for the access (/proc/PID/mem in 6.5+) would extend is then the scenario's own.
 */
static unsigned long scenario_stack_above(struct bk_task *t, unsigned long addr, unsigned long len)
{
	unsigned long s, e, above = 0;
	struct bk_vma_info vma = {0};
	char path[64], line[512];
	FILE *maps;

	snprintf(path, sizeof(path), "/proc/%d/maps", t->pid);
	maps = fopen(path, "r");
	while (maps && !above && fgets(line, sizeof(line), maps))
		if (sscanf(line, "%lx-%lx", &s, &e) == 2 && e > addr)
			above = s;
	if (maps)
		fclose(maps);
	if (above >= addr + len && in_regions(t->mm, above) && smaps_vma(t->pid, above, &vma) &&
	    (vma.flags & VM_GROWSDOWN))
		return above;
	return 0;
}

static long host_access_vm(struct bk_task *task, bool process, unsigned long addr, void *buf,
			   int len, unsigned int gup_flags)
{
	bool write = gup_flags & FOLL_WRITE;
	unsigned long ok = region_run(process_of(task)->mm, addr, (unsigned long)len);
	unsigned long stack = 0; /* the scenario stack the access may grow */
	char path[64];
	long ret;
	int fd;

	(void)process;
	if (gup_flags & ~(FOLL_WRITE | FOLL_FORCE)) {
		sim_only("GUP flags with no host accessor");
		return 0;
	}
	if (!ok && (gup_flags & FOLL_FORCE))
		stack = scenario_stack_above(process_of(task), addr, (unsigned long)len);
	if (stack)
		ok = (unsigned long)len;
	if (!ok)
		return 0;
	if (gup_flags & FOLL_FORCE) {
		snprintf(path, sizeof(path), "/proc/%d/mem", process_of(task)->pid);
		fd = open(path, (write ? O_WRONLY : O_RDONLY) | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		ret = write ? pwrite(fd, buf, ok, (off_t)addr) : pread(fd, buf, ok, (off_t)addr);
		ret = ret < 0 ? -errno : ret;
		close(fd);
		if (ret > 0 && stack)
			grow_region(process_of(task), stack);
	} else {
		struct iovec local = {.iov_base = buf, .iov_len = ok};
		struct iovec remote = {.iov_base = (void *)addr, .iov_len = ok};

		ret = write ? process_vm_writev(process_of(task)->pid, &local, 1, &remote, 1, 0)
			    : process_vm_readv(process_of(task)->pid, &local, 1, &remote, 1, 0);
		ret = ret < 0 ? -errno : ret;
	}
	return ret == -EIO || ret == -EFAULT ? 0 : ret;
}

/* process_vm_readv/writev, by the current task's worker, on @task's worker. */
static long host_process_vm(struct bk_task *task, bool write, unsigned long local,
			    unsigned long remote, unsigned long len)
{
	if (!host.cur)
		return -ESRCH;
	if (region_run(process_of(host.cur)->mm, local, len) < len ||
	    region_run(process_of(task)->mm, remote, len) < len)
		return -EFAULT;
	request(HW_PROCESS_VM);
	req.pid = process_of(task)->pid;
	req.write = write;
	req.local = local;
	req.addr = remote;
	req.len = len;
	return call(host.cur, &req, &rep, NULL) ? rep.ret : -EIO;
}

/* ------------------------------------------------------- observations -- */

static bool read_u64(int fd, unsigned long index, unsigned long *v)
{
	return pread(fd, v, sizeof(*v), (off_t)(index * sizeof(*v))) == sizeof(*v);
}

static unsigned long pagemap_entry(struct bk_task *t, unsigned long addr)
{
	char path[64];
	unsigned long v = 0;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/pagemap", process_of(t)->pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (!read_u64(fd, addr / PAGE_SIZE, &v))
		v = 0;
	close(fd);
	return v;
}

/*
 * Does the host kernel track soft-dirty (CONFIG_MEM_SOFT_DIRTY)? A new mapping
 * is VM_SOFTDIRTY there, so its first page reads soft-dirty in pagemap: probed
 * once on a page of the driver's own.
 */
static bool host_soft_dirty(void)
{
	static int known = -1;
	unsigned long v = 0;
	char *p;
	int fd;

	if (known >= 0)
		return known;
	known = 0;
	p = mmap(NULL, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return false;
	*(volatile char *)p = 1;
	fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && read_u64(fd, (unsigned long)p / PAGE_SIZE, &v))
		known = !!(v & PAGEMAP_SOFT_DIRTY);
	if (fd >= 0)
		close(fd);
	munmap(p, PAGE_SIZE);
	return known;
}

/*
 * /proc/PID/clear_refs of the current task's worker, written by the driver. A
 * host without soft-dirty takes "4" but leaves every PTE as it was (writable):
 * the step is then sim-only, and what follows runs on unprotected PTEs.
 */
static int host_clear_refs(int type)
{
	char path[64], text[8];
	int fd, len, ret = 0;

	if (!host.cur)
		return -ESRCH;
	snprintf(path, sizeof(path), "/proc/%d/clear_refs", process_of(host.cur)->pid);
	len = snprintf(text, sizeof(text), "%d", type);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, text, (size_t)len) != len)
		ret = -errno;
	close(fd);
	if (type == 4 && host.soft_dirty && !host_soft_dirty())
		sim_only("the host kernel has no soft-dirty (CONFIG_MEM_SOFT_DIRTY): clear_refs "
			 "\"4\" write-protects nothing there");
	return ret;
}

/* The frame's own facts: kpagecount (its mapcount) and kpageflags. */
static void frame_facts(unsigned long pfn, struct page_facts *pf)
{
	unsigned long count = 0, flags = 0;

	read_u64(host.kpagecount, pfn, &count);
	read_u64(host.kpageflags, pfn, &flags);
	pf->f[PF_PRESENT] = 1;
	pf->f[PF_PFN] = (long)pfn;
	pf->f[PF_ZERO] = !!(flags & (1UL << KPF_ZERO_PAGE));
	pf->f[PF_ANON] = !!(flags & (1UL << KPF_ANON));
	pf->f[PF_MAPCOUNT] = (long)count;
	/* An anon page's PG_dirty comes from its PTE only at unmap or reclaim. */
	pf->f[PF_DIRTY] = PF_UNKNOWN;
	pf->f[PF_MLOCKED] = !!(flags & (1UL << KPF_MLOCKED));
	/* Reference and pin counts are nowhere in /proc. */
	pf->f[PF_REFCOUNT] = pf->f[PF_PINS] = pf->f[PF_MAYBE_PINNED] = PF_UNKNOWN;
}

/*
 * The fields an address query sees on the host; every other one (the PTE's own
 * bits, counts /proc does not show, and any field added later) stays PF_UNKNOWN,
 * so its expect is sim-only rather than compared against a made-up 0.
 */
static const enum page_field host_addr_fields[] = {
	PF_PRESENT, PF_PFN,	 PF_ZERO,  PF_EXCLUSIVE, PF_FILE,
	PF_ANON,    PF_MAPCOUNT, PF_DIRTY, PF_MLOCKED,
};

static int host_addr_query(unsigned long addr, struct page_facts *pf)
{
	struct page_facts frame;
	unsigned long pm;

	for (int i = 0; i < NR_PAGE_FIELDS; i++)
		pf->f[i] = PF_UNKNOWN;
	pf->has_pte = true;
	if (!host.cur)
		return -ESRCH;
	if (process_of(host.cur)->killed) {
		sim_only("the task was killed: on the host a SIGKILL ends the process at once");
		return 0;
	}
	pm = in_regions(process_of(host.cur)->mm, addr) ? pagemap_entry(host.cur, addr) : 0;
	memset(&frame, 0, sizeof(frame));
	if (pm & PAGEMAP_PRESENT) {
		frame_facts(pm & PAGEMAP_PFN, &frame);
		frame.f[PF_EXCLUSIVE] = !!(pm & PAGEMAP_EXCLUSIVE);
		frame.f[PF_FILE] = !!(pm & PAGEMAP_FILE);
	}
	for (size_t i = 0; i < sizeof(host_addr_fields) / sizeof(host_addr_fields[0]); i++)
		pf->f[host_addr_fields[i]] = frame.f[host_addr_fields[i]];
	/* Compared only where both machines have it: the scenario asked, the host has it. */
	if (host.soft_dirty && host_soft_dirty())
		pf->f[PF_SOFT_DIRTY] = !!(pm & PAGEMAP_SOFT_DIRTY);
	return 0;
}

static void host_page_query(struct bk_page *page, struct page_facts *pf)
{
	memset(pf, 0, sizeof(*pf));
	for (int i = PF_WRITABLE; i < NR_PAGE_FIELDS; i++)
		pf->f[i] = PF_UNKNOWN; /* PTE bits (and later fields): not asked by page */
	if (page->set->how == PIN_PLACEHOLDER || page->set->refs <= 0) {
		/* Never held on the host, or no longer: the frame may be anyone's now. */
		for (int i = 0; i < NR_PAGE_FIELDS; i++)
			pf->f[i] = PF_UNKNOWN;
		sim_only(page->set->how == PIN_PLACEHOLDER
				 ? "the pages were never taken on the host"
				 : "the host no longer holds the page (a short-term pin ends with "
				   "its I/O)");
		return;
	}
	frame_facts(page->pfn, pf);
	pf->f[PF_EXCLUSIVE] = pf->f[PF_FILE] = PF_UNKNOWN; /* mapping facts, per address */
}

static unsigned long host_page_pfn(struct bk_page *page)
{
	return page->pfn;
}

static void host_page_dump(unsigned long pfn, FILE *out)
{
	unsigned long count = 0, flags = 0;

	read_u64(host.kpagecount, pfn, &count);
	read_u64(host.kpageflags, pfn, &flags);
	fprintf(out, "  host page: pfn %#lx kpagecount %lu kpageflags %#lx\n", pfn, count, flags);
}

/* The VMA of process @pid holding @addr, from /proc/PID/smaps: bounds and VmFlags. */
static bool smaps_vma(pid_t pid, unsigned long addr, struct bk_vma_info *info)
{
	char path[64], line[512];
	bool inside = false, found = false;
	unsigned long s, e;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps", pid);
	f = fopen(path, "r");
	while (f && !found && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &s, &e) == 2 &&
		    strchr(line, '-') < strchr(line, ' ')) {
			inside = addr >= s && addr < e;
			if (inside)
				*info = (struct bk_vma_info){.start = s, .end = e};
		} else if (inside && !strncmp(line, "VmFlags:", 8)) {
			for (char *tok = strtok(line + 8, " \n"); tok; tok = strtok(NULL, " \n")) {
				const struct named_value *v =
					lookup_name(vm_flag_names, tok, strlen(tok));

				if (v)
					info->flags |= v->value;
			}
			found = true;
		}
	}
	if (f)
		fclose(f);
	return found;
}

static bool host_vma_query(unsigned long addr, struct bk_vma_info *info)
{
	if (host.cur && process_of(host.cur)->killed)
		sim_only("the task was killed: on the host a SIGKILL ends the process at once");
	if (!host.cur || !in_regions(process_of(host.cur)->mm, addr))
		return false;
	return smaps_vma(process_of(host.cur)->pid, addr, info);
}

static int cmp_ulong(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

/*
 * The distinct frames with all kpageflags bits of @kpf_mask mapped in the live workers'
 * scenario mappings, read through pagemap: a frame shared by several workers
 * counts once, as in the machine-wide counter, and no other process counts.
 * (smaps cannot say it: a scenario VMA may merge with a worker's own.)
 */
static long scenario_frames(unsigned long kpf_mask)
{
	unsigned long *pfns = NULL, nr = 0, cap = 0, distinct = 0;

	for (int i = 0; i < host.nr_tasks; i++) {
		struct bk_task *t = host.tasks[i];
		char path[64];
		int fd;

		if (t->owner || t->sock < 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/pagemap", t->pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		for (int r = 0; fd >= 0 && r < t->mm->nr; r++) {
			for (unsigned long a = t->mm->start[r]; a < t->mm->end[r]; a += PAGE_SIZE) {
				unsigned long pm = 0, flags = 0;

				if (!read_u64(fd, a / PAGE_SIZE, &pm) || !(pm & PAGEMAP_PRESENT) ||
				    !read_u64(host.kpageflags, pm & PAGEMAP_PFN, &flags) ||
				    (flags & kpf_mask) != kpf_mask ||
				    (flags & (1UL << KPF_ZERO_PAGE)))
					continue;
				if (nr == cap) {
					unsigned long *n =
						realloc(pfns, (cap = cap * 2 + 64) * sizeof(*pfns));

					if (!n)
						break;
					pfns = n;
				}
				pfns[nr++] = pm & PAGEMAP_PFN;
			}
		}
		if (fd >= 0)
			close(fd);
	}
	if (nr)
		qsort(pfns, nr, sizeof(*pfns), cmp_ulong);
	for (unsigned long i = 0; i < nr; i++)
		distinct += !i || pfns[i] != pfns[i - 1];
	free(pfns);
	return (long)distinct;
}

static long host_vmstat_value(int item)
{
	const char *name = sim_backend.vmstat_name(item);

	/* Machine-wide: another process's pins move them (GUP_DIFF_MACHINE_WIDE=off: unseen). */
	if (!strncmp(name, "nr_foll_pin_", 12) && host.machine_wide_off)
		return PF_UNKNOWN;
	if (!strncmp(name, "nr_foll_pin_", 12))
		vmstat_refresh();
	if (!strcmp(name, "nr_foll_pin_acquired"))
		return vmstat_read(name) - host.pin_base[0];
	if (!strcmp(name, "nr_foll_pin_released"))
		return vmstat_read(name) - host.pin_base[1];
	/* The machine-wide counts hold every process: count the scenario's mappings only. */
	/* A split the host did not make leaves its huge pages whole: their counts differ. */
	if (host.thp_unsplit &&
	    (!strcmp(name, "nr_anon_pages") || !strcmp(name, "nr_anon_transparent_hugepages")))
		return PF_UNKNOWN;
	if (!strcmp(name, "nr_anon_pages"))
		return scenario_frames(1UL << KPF_ANON);
	if (!strcmp(name, "nr_anon_transparent_hugepages")) /* each THP by its head page */
		return scenario_frames(1UL << KPF_ANON | 1UL << KPF_THP | 1UL << KPF_COMPOUND_HEAD);
	if (!strcmp(name, "nr_mlock"))
		return scenario_frames(1UL << KPF_MLOCKED);
	return PF_UNKNOWN;
}

/* ------------------------------------------------------------------ GUP -- */

static struct host_set *new_set(enum host_pin how, struct bk_task *owner)
{
	struct host_set *set = calloc(1, sizeof(*set));

	if (!set)
		return NULL;
	set->how = how;
	set->owner = process_of(owner);
	set->ring = set->pipe_fd = -1;
	set->next = host.sets;
	host.sets = set;
	return set;
}

static void release_set(struct host_set *set)
{
	set->refs = 0;
	if (set->pipe_fd >= 0)
		close(set->pipe_fd); /* vmsplice's references go with the pipe's buffers */
	set->pipe_fd = -1;
	if (set->how == PIN_RING && set->ring >= 0) {
		request(HW_RING_UNPIN);
		req.ring = set->ring;
		call(set->owner, &req, &rep, NULL);
		set->ring = -1;
	}
}

/* Fill @pages (if asked) with handles on @set, their pfns as pagemap shows them now. */
static bool hand_out(struct host_set *set, struct bk_task *t, unsigned long start, long nr,
		     struct bk_page **pages)
{
	if (pages && !(set->pages = calloc((size_t)nr, sizeof(*pages))))
		return false;
	for (long i = 0; pages && i < nr; i++) {
		pages[i] = set->pages[i] = calloc(1, sizeof(*pages[i]));
		if (!pages[i])
			return false;
		set->nr = i + 1;
		pages[i]->set = set;
		pages[i]->index = (int)i;
		pages[i]->addr = start + (unsigned long)i * PAGE_SIZE;
		if (set->how != PIN_PLACEHOLDER)
			pages[i]->pfn = pagemap_entry(t, start + (unsigned long)i * PAGE_SIZE) &
					PAGEMAP_PFN;
	}
	set->refs = pages ? (int)nr : 0;
	return true;
}

/*
 * No O_DIRECT where GUP_DIFF_TMPDIR points: the short-term pin is played as
 * MADV_POPULATE_WRITE (or _READ), the same GUP walk with the same faults and COW
 * breaks, that holds nothing. Its count and the pages' facts are then sim-only.
 */
static long populate_instead(struct host_set *set, struct bk_task *t, unsigned long addr, long nr,
			     bool write, struct bk_page **pages)
{
	sim_only("no O_DIRECT where GUP_DIFF_TMPDIR points: played as MADV_POPULATE_*");
	request(HW_MADVISE);
	req.advice = write ? MADV_POPULATE_WRITE : MADV_POPULATE_READ;
	req.addr = addr;
	req.len = (unsigned long)nr * PAGE_SIZE;
	call(t, &req, &rep, NULL);
	return hand_out(set, t, addr, nr, pages) ? nr : -ENOMEM;
}

/*
 * Which host GUP user stands for this call (docs/diff.md, the mapping table),
 * or PIN_PLACEHOLDER with *@why saying why none does.
 */
static enum host_pin host_mechanism(enum gup_entry entry, unsigned int flags, const char **why)
{
	enum gup_flavour flavour = gup_entry_flavour(entry);

	*why = NULL;
	if (flavour == GUP_FAST_ONLY) {
		*why = "the *_fast_only entries have no system call: only in-kernel callers that "
		       "cannot sleep (KVM's hva_to_pfn_fast, perf) reach them";
		return PIN_PLACEHOLDER;
	}
	if (flavour == GUP_REMOTE && gup_entry_pins(entry)) {
		if (!(flags & ~FOLL_WRITE))
			return PIN_REMOTE_VM; /* process_vm_rw: pin_user_pages_remote */
		*why = "no system call takes a remote pin with these flags (process_vm_readv/"
		       "writev pin short-term with FOLL_WRITE at most)";
		return PIN_PLACEHOLDER;
	}
	if (gup_entry_pins(entry)) {
		if (flags == (FOLL_WRITE | FOLL_LONGTERM))
			return PIN_RING;
		if (!(flags & ~FOLL_WRITE))
			return PIN_DIRECT;
		*why = "no system call takes a pin with these flags";
		return PIN_PLACEHOLDER;
	}
	if (!flags)
		return PIN_VMSPLICE;
	*why = flags & FOLL_WRITE ? "no system call holds a FOLL_GET write reference: O_DIRECT, "
				    "io_uring and SG_IO take FOLL_PIN since 5.x-6.x, /proc/PID/mem "
				    "drops its reference within the call"
				  : "no system call holds a FOLL_GET reference with these flags";
	return PIN_PLACEHOLDER;
}

/*
 * A remote short-term pin: process_vm_readv by the driver (pin_user_pages_remote
 * on the target's mm, read-only), then for FOLL_WRITE process_vm_writev of the
 * same bytes back (FOLL_WRITE: faults and COW breaks, the bytes unchanged).
 * The pins end with each copy. Returns pages done or -errno.
 */
static long remote_vm_pin(struct bk_task *t, unsigned long addr, unsigned long len, bool write)
{
	unsigned char *buf = malloc(len);
	struct iovec local = {.iov_base = buf, .iov_len = len};
	struct iovec remote = {.iov_base = (void *)addr, .iov_len = len};
	long ret;

	if (!buf)
		return -ENOMEM;
	ret = process_vm_readv(process_of(t)->pid, &local, 1, &remote, 1, 0);
	if (ret > 0 && write) {
		local.iov_len = remote.iov_len = (size_t)ret & PAGE_MASK;
		ret = local.iov_len
			      ? process_vm_writev(process_of(t)->pid, &local, 1, &remote, 1, 0)
			      : 0;
	}
	ret = ret < 0 ? -errno : ret / (long)PAGE_SIZE;
	free(buf);
	return ret;
}

static long host_gup(enum gup_entry entry, struct bk_task *remote, unsigned long start, long nr,
		     unsigned int gup_flags, struct bk_page **pages, int *locked)
{
	const char *why;
	enum host_pin how = host_mechanism(entry, gup_flags, &why);
	struct bk_task *t = remote ? remote : host.cur;
	unsigned long addr = start & PAGE_MASK, len = (unsigned long)(nr > 0 ? nr : 0) * PAGE_SIZE;
	struct host_set *set;
	int fd = -1;
	long ret;

	(void)locked;
	if (!pages && how != PIN_PLACEHOLDER) {
		/* Only in-kernel callers can leave the page array out. */
		sim_only("a GUP call without a page array has no host user");
		how = PIN_PLACEHOLDER;
	}
	if (!t || !(set = new_set(how, t)))
		return -ENOMEM;
	if (nr <= 0)
		return 0;
	/* Beyond the scenario's mappings is unmapped, as far as it knows: GUP stops there. */
	if (how != PIN_PLACEHOLDER && !(len = region_run(process_of(t)->mm, addr, len) & PAGE_MASK))
		return -EFAULT;
	nr = (long)(len / PAGE_SIZE);
	switch (how) {
	case PIN_VMSPLICE:
		request(HW_VMSPLICE);
		break;
	case PIN_RING:
		request(HW_RING_PIN);
		break;
	case PIN_DIRECT:
		request(HW_DIRECT_IO);
		req.write = gup_flags & FOLL_WRITE;
		snprintf(req.tmpdir, sizeof(req.tmpdir), "%s", host.tmpdir);
		break;
	case PIN_REMOTE_VM:
		if (host.cur && process_of(host.cur)->killed) {
			sim_only("the calling task was killed: on the host it is gone");
			return hand_out(set, t, addr, nr, pages) ? nr : -ENOMEM;
		}
		ret = remote_vm_pin(t, addr, len, gup_flags & FOLL_WRITE);
		if (ret > 0 && !hand_out(set, t, addr, ret, pages))
			return -ENOMEM;
		set->refs = 0; /* the host's pin ended with the copy */
		return ret;
	case PIN_PLACEHOLDER:
		sim_only(why ? why : "this GUP call has no host equivalent");
		return hand_out(set, t, addr, nr, pages) ? nr : -ENOMEM;
	}
	req.addr = addr;
	req.len = len;
	if (!call(t, &req, &rep, &fd))
		return -EIO;
	ret = rep.ret;
	if (how == PIN_DIRECT && (ret == -EOPNOTSUPP || ret == -EISDIR || ret == -EINVAL))
		return populate_instead(set, t, addr, nr, gup_flags & FOLL_WRITE, pages);
	if (how == PIN_VMSPLICE) {
		set->pipe_fd = fd;
		ret = ret > 0 ? ret / (long)PAGE_SIZE : ret;
	} else if (how == PIN_RING) {
		set->ring = ret >= 0 ? (int)ret : -1;
		ret = ret >= 0 ? nr : ret;
	}
	if (ret > 0 && !hand_out(set, t, addr, ret, pages))
		return -ENOMEM;
	if (how == PIN_DIRECT)
		set->refs = 0; /* the host's pin ended with the I/O */
	return ret;
}

/* follow_page and get_dump_page: placeholders, so that the names they define exist. */
static long host_follow_page(unsigned long addr, unsigned int gup_flags, struct bk_page **page)
{
	struct host_set *set = new_set(PIN_PLACEHOLDER, host.cur);

	(void)gup_flags;
	*page = NULL;
	sim_only("follow_page has no host caller to reach it with");
	if (!set || !hand_out(set, host.cur, addr & PAGE_MASK, 1, page))
		return -ENOMEM;
	return 0;
}

static struct bk_page *host_get_dump_page(unsigned long addr)
{
	struct bk_page *page = NULL;

	host_follow_page(addr, 0, &page);
	host.sim_only = "get_dump_page is reached only by a core dump";
	return page;
}

static void host_put_page(struct bk_page *page)
{
	struct host_set *set = page->set;

	page->dropped = true;
	if (set->how == PIN_PLACEHOLDER || set->how == PIN_DIRECT || set->how == PIN_REMOTE_VM)
		sim_only(set->how != PIN_PLACEHOLDER ? "the host's short-term pin already ended"
						     : "the pages were never taken on the host");
	if (set->refs > 0 && !--set->refs)
		release_set(set);
}

static void host_unpin_pages(struct bk_page **pages, unsigned long nr, bool dirty)
{
	(void)dirty;
	for (unsigned long i = 0; i < nr; i++)
		host_put_page(pages[i]);
}

/*
 * A device access through a short-term pin the scenario still holds: the host's
 * pin ended with its I/O, so the device's access is a new O_DIRECT transfer on
 * the same frame (FOLL_PIN, FOLL_WRITE when it writes), played only while that
 * frame is still mapped where the pin found it and a write cannot COW it away
 * (exclusive, or a file page). The bytes come back in rep.data.
 */
static bool direct_device_io(struct bk_page *page, bool device_writes, const void *buf,
			     unsigned long len)
{
	unsigned long pm;

	if ((page->set->how != PIN_DIRECT && page->set->how != PIN_REMOTE_VM) || page->dropped)
		return false;
	pm = pagemap_entry(page->set->owner, page->addr);
	if (!(pm & PAGEMAP_PRESENT) || (pm & PAGEMAP_PFN) != page->pfn ||
	    (device_writes && !(pm & (PAGEMAP_EXCLUSIVE | PAGEMAP_FILE))))
		return false;
	request(HW_DIRECT_IO);
	req.write = device_writes;
	req.addr = page->addr;
	req.len = PAGE_SIZE;
	snprintf(req.tmpdir, sizeof(req.tmpdir), "%s", host.tmpdir);
	if (device_writes) {
		memcpy(req.data, buf, len);
		req.data_len = (unsigned int)len;
	}
	if (!call(page->set->owner, &req, &rep, NULL) || rep.ret != 1)
		return false;
	return (pagemap_entry(page->set->owner, page->addr) & PAGEMAP_PFN) == page->pfn;
}

/* What the device sees in the page: through the pipe (tee) or the fixed buffer. */
static unsigned char *host_page_data(struct bk_page *page)
{
	struct host_set *set = page->set;
	int p[2];

	memset(page->data, 0, sizeof(page->data));
	if (set->how == PIN_RING && set->ring >= 0) {
		request(HW_RING_READ);
		req.ring = set->ring;
		req.index = page->index;
		req.len = PAGE_SIZE;
		if (call(set->owner, &req, &rep, NULL) && rep.ret > 0)
			memcpy(page->data, rep.data, rep.data_len);
		return page->data;
	}
	if (set->how == PIN_VMSPLICE && set->pipe_fd >= 0 && !pipe(p)) {
		size_t want = (size_t)(page->index + 1) * PAGE_SIZE;
		static unsigned char skip[PAGE_SIZE];
		bool ok;

		fcntl(p[1], F_SETPIPE_SZ, (int)want);
		ok = tee(set->pipe_fd, p[1], want, SPLICE_F_NONBLOCK) == (ssize_t)want;
		for (int i = 0; ok && i < page->index; i++)
			ok = read(p[0], skip, PAGE_SIZE) == (ssize_t)PAGE_SIZE;
		if (!ok || read(p[0], page->data, PAGE_SIZE) != (ssize_t)PAGE_SIZE)
			memset(page->data, 0, PAGE_SIZE);
		close(p[0]);
		close(p[1]);
		return page->data;
	}
	if (direct_device_io(page, false, NULL, 0) && rep.data_len == PAGE_SIZE) {
		memcpy(page->data, rep.data, PAGE_SIZE);
		return page->data;
	}
	sim_only("no host view of this page through its reference");
	return page->data;
}

static void host_page_write(struct bk_page *page, const void *buf, unsigned long len)
{
	struct host_set *set = page->set;

	if ((set->how == PIN_DIRECT || set->how == PIN_REMOTE_VM) && len <= PAGE_SIZE) {
		if (!direct_device_io(page, true, buf, len))
			sim_only("the short-term pin's frame is no longer where it was, or not the "
				 "task's alone: no O_DIRECT on it");
		return;
	}
	if (set->how != PIN_RING || set->ring < 0) {
		sim_only("only a long-term (io_uring) or short-term (O_DIRECT) pin is written "
			 "through on the host");
		return;
	}
	request(HW_RING_WRITE);
	req.ring = set->ring;
	req.index = page->index;
	memcpy(req.data, buf, len);
	req.data_len = (unsigned int)len;
	call(set->owner, &req, &rep, NULL);
}

/*
 * __mm_populate: MADV_POPULATE_WRITE on a private writable VMA (where
 * populate_vma_page_range adds FOLL_WRITE), MADV_POPULATE_READ elsewhere.
 */
static long host_populate(unsigned long start, unsigned long len)
{
	struct bk_vma_info vma = {0};
	bool write;

	host_vma_query(start, &vma);
	write = (vma.flags & (VM_WRITE | VM_SHARED)) == VM_WRITE;
	request(HW_MADVISE);
	req.advice = write ? MADV_POPULATE_WRITE : MADV_POPULATE_READ;
	return simple_call(start, len);
}

/* Boot prints it; only an expect on free_pages compares (and is sim-only). */
static unsigned long host_total_pages(void)
{
	return 0;
}

static unsigned long host_free_pages(void)
{
	return host_unknown_count();
}

/* The counters are the simulator's names; the host answers those it can see. */
static int host_nr_vmstat(void)
{
	return sim_backend.nr_vmstat();
}

static const char *host_vmstat_name(int item)
{
	return sim_backend.vmstat_name(item);
}

/* tests: GUP_DIFF_HANG_WORKER makes the next worker call hang (the timeout path). */
void host_backend_hang_current(void)
{
	if (!host.cur)
		return;
	request(HW_HANG);
	call(host.cur, &req, &rep, NULL);
}

const struct backend_ops host_backend = {
	.name = "host",
	.boot = host_boot,
	.profile_known = host_profile_known,
	.profile_names = host_profile_names,
	.profile_current = host_profile_current,
	.hugepages = host_hugepages,
	.meminfo = host_meminfo,
	.shutdown = host_shutdown,
	.running = host_running,
	.env_error = host_env_error,
	.total_pages = host_total_pages,
	.free_pages = host_free_pages,
	.check = host_check,
	.warn_count = host_unknown_count,
	.inject_arm = host_inject_arm,
	.inject_off = host_inject_off,
	.point_lookup = host_point_lookup,
	.point_info = host_point_info,
	.point_hook = host_point_hook,
	.set_call_site = host_set_call_site,
	.report_refs = host_report_refs,
	.task_create = host_task_create,
	.task_fork = host_task_fork,
	.task_clone_thread = host_task_clone_thread,
	.task_kill = host_task_kill,
	.task_exit = host_task_exit,
	.set_current = host_set_current,
	.task_info = host_task_info,
	.mmap = host_mmap,
	.munmap = host_munmap,
	.mprotect = host_mprotect,
	.madvise = host_madvise,
	.mlock = host_mlock,
	.munlock = host_munlock,
	.mremap = host_mremap,
	.split_huge_page = host_split_huge_page,
	.mseal = host_mseal,
	.mmap_secretmem = host_mmap_secretmem,
	.copy_to_user = host_copy_to_user,
	.copy_from_user = host_copy_from_user,
	.access_vm = host_access_vm,
	.process_vm = host_process_vm,
	.gup = host_gup,
	.put_page = host_put_page,
	.unpin_page = host_put_page,
	.unpin_pages = host_unpin_pages,
	.follow_page = host_follow_page,
	.get_dump_page = host_get_dump_page,
	.populate = host_populate,
	.page_pfn = host_page_pfn,
	.page_data = host_page_data,
	.page_query = host_page_query,
	.addr_query = host_addr_query,
	.page_dump = host_page_dump,
	.vma_query = host_vma_query,
	.nr_vmstat = host_nr_vmstat,
	.vmstat_name = host_vmstat_name,
	.vmstat_value = host_vmstat_value,
	.plays_command = host_plays_command,
	.take_sim_only = host_take_sim_only,
	.page_write = host_page_write,
	.mmap_file = host_mmap_file,
	.file_open = host_file_open,
	.file_close = host_file_close,
	.file_pread = host_file_pread,
	.file_pwrite = host_file_pwrite,
	.file_truncate = host_file_truncate,
	.file_fsync = host_file_fsync,
	.msync = host_msync,
	.memfd_create = host_memfd_create,
	.file_fcntl = host_file_fcntl,
	.clear_refs = host_clear_refs,
	.reclaim = host_reclaim,
	.swap_stats = host_swap_stats,
};
