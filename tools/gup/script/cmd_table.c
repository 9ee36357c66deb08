// SPDX-License-Identifier: GPL-2.0-only
/*
 * The scenario language's commands as data: one row per form with its name,
 * arguments, options, handler and summary. Argument checking, usage errors,
 * `gup help run` and the command tables of docs/scenarios.md and docs/gup.1 all
 * come from this table.
 */
#include <limits.h>

#include "script_int.h"

/* The table is laid out by hand, one form per row: clang-format would scatter it. */
/* clang-format off */

/* Positional arguments. */
#define ARG(m, k) {.meta = m, .kind = k}
#define ADDR ARG("ADDR", ARG_EXPR)
#define LEN ARG("LEN", ARG_EXPR)
#define EXPR(meta) ARG(meta, ARG_EXPR)
#define NAME(meta) ARG(meta, ARG_NAME)
#define WORD(meta) ARG(meta, ARG_WORD)
#define OPT_WORD(m) {.meta = m, .kind = ARG_WORD, .optional = true}
#define OPT_EXPR(m) {.meta = m, .kind = ARG_EXPR, .optional = true}
#define TASKNAME(meta) ARG(meta, ARG_TASK)
#define KEYWORD(word) ARG(word, ARG_KEYWORD)
#define FLAG(word) ARG(word, ARG_FLAG)
#define RANGE(m, lo, hi, w) {.meta = m, .kind = ARG_RANGE, .min = lo, .max = hi, .what = w}
#define PAGE_REF(meta) ARG(meta, ARG_PAGE_REF)
#define STRING ARG("\"text\"", ARG_STRING)
#define REST(meta) ARG(meta, ARG_REST)

/* key=value options. */
#define OPTION(k, m, kd, d) {.key = k, .meta = m, .kind = kd, .def = d}
#define OPT_REQUIRED(k, m, kd) {.key = k, .meta = m, .kind = kd, .required = true}
#define OPT_IN(k, m, d, lo, hi, w)                                                                 \
	{.key = k, .meta = m, .kind = OPT_RANGE, .def = d, .min = lo, .max = hi, .what = w}
#define OPT_IN_REQUIRED(k, m, lo, hi, w)                                                           \
	{.key = k, .meta = m, .kind = OPT_RANGE, .required = true, .min = lo, .max = hi, .what = w}
#define BYTE_OPTIONS                                                                               \
	OPT_IN("byte", "B", NULL, 0, 255, "a byte"), OPT_IN("len", "N", "1", 1, MAX_IO, "a length")

const char *const command_topics[][2] = {
	{"machine", "The machine"},
	{"tasks", "Tasks"},
	{"mapping", "Mapping calls (on the current task)"},
	{"files", "Files (on the current task)"},
	{"access", "The task's own loads and stores"},
	{"gup", "GUP and pin"},
	{"remote", "Remote accessors, populate, fixup"},
	{"query", "Looking at the machine"},
	{NULL, NULL},
};

const struct command commands[] = {
	/* ------------------------------------------------------------ machine -- */
	{"boot", "machine", {{0}},
	 {OPT_IN("mem", "SIZE", "256M", 0, (long)MAX_MEM, "a size"),
	  OPT_IN("movable", "SIZE", "0", 0, (long)MAX_MEM, "a size"),
	  OPTION("profile", "NAME", OPT_TEXT, NULL), OPTION("vsyscall", "MODE", OPT_TEXT, NULL),
	  OPTION("thp", "MODE", OPT_TEXT, NULL),
	  OPT_IN("hugetlb2m", "N", "0", 0, 1L << 20, "a count of 2M pages"),
	  OPT_IN("hugetlb1g", "N", "0", 0, 4, "a count of 1G pages"),
	  OPTION("soft_dirty", "on|off", OPT_TEXT, NULL),
	  OPT_IN("cma", "SIZE", "0", 0, (long)MAX_MEM, "a size"),
	  OPT_IN("swap", "SIZE", "0", 0, (long)MAX_MEM, "a size"),
	  OPT_IN("lru_batch", "N", "0", 0, 15, "a batch size (at most 15)"),
	  OPT_IN("device", "SIZE", "0", 0, (long)MAX_MEM, "a size"),
	  OPTION("kswapd", "on|off", OPT_TEXT, NULL),
	  OPT_IN("min_free_kbytes", "N", "0", 0, 1L << 20, "a size in KiB"),
	  OPT_IN("fault_around", "SIZE", "64K", 0, 2L << 20, "a size (at most 2M)"),
	  OPT_IN("init_on_free", "0|1", "0", 0, 1, "0 or 1")},
	 .needs = NEEDS_NO_MACHINE, .fn = cmd_boot,
	 .summary = "Boot with SIZE of ZONE_NORMAL (default 256M) and optional ZONE_MOVABLE. "
		    "Multiples of 4M, mem at least 8M, at most 4G. `profile=NAME` chooses the "
		    "semantics profile (`5.11` or `6.18`; default: `gup run --profile`, else GUP_PROFILE, "
		    "else 5.11); `vsyscall=xonly|emulate|none` the vsyscall page as the kernel's "
		    "boot option (default xonly); `thp=madvise|always|never` transparent huge pages as "
		    "/sys/kernel/mm/transparent_hugepage/enabled (default madvise); `hugetlb2m=N` and "
		    "`hugetlb1g=N` the hugetlb pools, as `hugepages=` on the kernel's command line "
		    "(1G pages come from the top gigabytes of mem, which must hold them); `soft_dirty=on` "
		    "builds the machine with CONFIG_MEM_SOFT_DIRTY (default off, as this host's kernel); "
		    "`swap=SIZE` a swap device (a host temporary file, default none); `lru_batch=N` "
		    "pages per thread's LRU-add batch (15 is 5.11's pagevec; default 0, none held "
		    "back); `device=SIZE` ZONE_DEVICE memory for `memremap` (a multiple of 2M, default "
		    "none, sim-only); `kswapd=on` runs kswapd, woken when a zone falls below its low "
		    "watermark to reclaim until high (default off: only a fault that finds memory "
		    "exhausted reclaims); `min_free_kbytes=N` vm.min_free_kbytes, the watermarks' "
		    "base (default the kernel's, sqrt(16 x memory in KiB); sim-only); "
		    "`fault_around=SIZE` the window a read fault on a file or shmem mapping also maps "
		    "of what is cached, as /sys/kernel/debug/fault_around_bytes (default 64K; 4K or "
		    "less: off; sim-only); `init_on_free=1` zeroes a page as it is freed, as the "
		    "kernel's boot option, so an anonymous fault finds its page zeroed already and "
		    "clears nothing (default 0; sim-only). Must come "
		    "before any command that uses the "
		    "machine; without it the first such command boots with the defaults."},
	{"inject", "machine", {WORD("POINT")},
	 {OPT_IN_REQUIRED("nth", "N", 1, LONG_MAX, "nth"),
	  OPT_IN("count", "M", "1", 0, LONG_MAX, "count")},
	 .needs = NEEDS_MACHINE, .fn = cmd_inject,
	 .summary = "Arm fault injection: POINT fails on its Nth hit from now, M times in a row "
		    "(default 1; 0 = forever). Points: `page_alloc pgtable_alloc vma_alloc "
		    "fault_retry fault_oom fault_sigbus gup_signal hugetlb_alloc thp_alloc "
		    "thp_zero_page_alloc migrate_move` (a page will not migrate: -EAGAIN at the move)."},
	{"inject", "machine", {KEYWORD("off")}, .needs = NEEDS_MACHINE, .fn = cmd_inject_off,
	 .summary = "Disarm every point."},
	{"inject", "machine", {KEYWORD("host_io"), WORD("OP"), WORD("FAULT")},
	 {OPT_IN("nth", "N", "1", 1, LONG_MAX, "nth"), OPT_IN("count", "M", "1", 0, LONG_MAX, "count")},
	 .needs = NEEDS_MACHINE, .fn = cmd_inject_host_io,
	 .summary = "Make host file I/O fail: OP (`pread pwrite fsync ftruncate` of host files, "
		    "`swap_read swap_write` of the swap device) answers FAULT "
		    "(`eio`, `enospc`, or `short`: half the bytes, for the reads and writes) on its "
		    "Nth call from now (default 1), M times in a row (default 1; 0 = forever). "
		    "A failed swap-out keeps the page dirty in memory; a failed swap-in leaves the "
		    "page in the swap cache not uptodate, and every fault on it is SIGBUS (GUP "
		    "-EFAULT) until reclaim drops that copy, as the kernel's do_swap_page(). "
		    "`inject off` disarms it."},
	{"check", "machine", .needs = NEEDS_MACHINE, .fn = cmd_check,
	 .summary = "Run `sim_check()`: every frame, table and VMA invariant. Violations are "
		    "printed and count as a failure."},
	{"echo", "machine", {REST("TEXT")}, .fn = cmd_echo, .raw = true, .at_point = true,
	 .summary = "Print TEXT (the rest of the line, verbatim; `$name` is replaced by its "
		    "value)."},
	{"set", "machine", {WORD("NAME"), KEYWORD("="), REST("EXPR|QUERY")}, .fn = cmd_set,
	 .summary = "Define a named value: an expression, or a query as expect reads one "
		    "(`set before = page $a pfn`), kept for later comparison. Query and "
		    "constant names (`ret page read pinned vmstat vma warnings free_pages "
		    "violations PAGE_SIZE true false`, errno names) are reserved."},
	{"set", "machine", {{0}}, {OPTION("NAME", "EXPR", OPT_ANY, NULL)}, .fn = cmd_set,
	 .summary = "The same as `set NAME = EXPR`."},
	{"expect", "machine", {REST("LEFT OP RIGHT")}, .fn = cmd_expect,
	 .summary = "Compare two values (see expect below); a failure is reported and the run "
		    "goes on."},
	{"count", "machine", {NAME("NAME")}, .fn = cmd_count, .at_point = true,
	 .summary = "Add 1 to the named value NAME (1 when it is new): a hit counter for `at`."},
	{"points", "machine", .fn = cmd_points,
	 .summary = "List the interleaving points (sim points): name, where, and the locks the "
		    "thread holds there."},
	{"at", "machine", {WORD("POINT"), KEYWORD("off")}, .needs = NEEDS_MACHINE,
	 .fn = cmd_at_off, .rest_takes_options = true, .summary = "Remove the command hooked on POINT."},
	{"at", "machine", {WORD("POINT"), FLAG("once"), REST("COMMAND ARGS...")},
	 .needs = NEEDS_MACHINE, .fn = cmd_at,
	 .summary = "Each time a thread reaches POINT (see `points`), run COMMAND there (with "
		    "`once`: the next time only); replaces POINT's earlier command. COMMAND runs "
		    "under the point's locks, so only commands that leave the machine alone may "
		    "(`echo`, `count`); others are refused. Not at `pgtable_free`, which runs on "
		    "liburcu's thread."},

	/* -------------------------------------------------------------- tasks -- */
	{"task", "tasks", {WORD("NAME")}, .needs = NEEDS_MACHINE, .fn = cmd_task,
	 .summary = "Create a process with an empty address space; it becomes current."},
	{"fork", "tasks", {TASKNAME("NAME")}, .as = AS_OPTIONAL, .as_meta = "CHILD",
	 .needs = NEEDS_MACHINE, .fn = cmd_fork,
	 .summary = "Fork task NAME (default child name `NAME_child`). `ret` is the child's "
		    "pid. Current does not change."},
	{"thread", "tasks", {TASKNAME("NAME")}, .as = AS_REQUIRED, .as_meta = "THREAD",
	 .needs = NEEDS_MACHINE, .fn = cmd_thread,
	 .summary = "A new thread THREAD sharing NAME's address space."},
	{"switch", "tasks", {TASKNAME("NAME")}, .needs = NEEDS_MACHINE, .fn = cmd_switch,
	 .summary = "Make NAME current."},
	{"kill", "tasks", {TASKNAME("NAME")}, .needs = NEEDS_MACHINE, .fn = cmd_kill,
	 .summary = "Send SIGKILL: NAME's killable waits and GUP loops (when NAME is the caller) "
		    "fail with -EINTR."},
	{"exit", "tasks", {WORD("NAME")}, .needs = NEEDS_MACHINE, .fn = cmd_exit,
	 .summary = "The task exits; its address space goes with its last user."},
	{"tasks", "tasks", .needs = NEEDS_MACHINE, .fn = cmd_tasks,
	 .summary = "List live tasks with pid, tgid, mm id."},

	/* ------------------------------------------------------------ mapping -- */
	{"mmap", "mapping", {NAME("NAME")},
	 {OPT_REQUIRED("len", "LEN", OPT_EXPR), OPTION("prot", "rw", OPT_PROT, "rw"),
	  OPTION("flags", "private", OPT_MMAP_FLAGS, "private"),
	  OPTION("addr", "ADDR", OPT_EXPR, "0"), OPTION("fd", "FILE", OPT_TEXT, NULL),
	  OPTION("off", "OFF", OPT_EXPR, "0")},
	 .needs = NEEDS_TASK, .fn = cmd_mmap,
	 .summary = "`sys_mmap(ADDR, LEN, PROT, FLAGS|MAP_ANONYMOUS)`. FLAGS: `private` or "
		    "`shared`, plus any of `populate locked fixed fixed_noreplace growsdown "
		    "noreserve hugetlb hugetlb=2M hugetlb=1G` (`hugetlb`: MAP_HUGETLB of the "
		    "default 2M size), comma-separated. With `fd=FILE` (a name from tmpfile or open) "
		    "`sys_mmap(ADDR, LEN, PROT, FLAGS, $FILE, OFF)` maps the file from byte OFF "
		    "instead. Stores the address (or -errno) in `$NAME` and `ret`."},
	{"munmap", "mapping", {ADDR, LEN}, .needs = NEEDS_TASK, .fn = cmd_munmap,
	 .summary = "`sys_munmap`"},
	{"mprotect", "mapping", {ADDR, LEN, ARG("PROT", ARG_PROT)}, .needs = NEEDS_TASK,
	 .fn = cmd_mprotect, .summary = "`sys_mprotect`"},
	{"madvise", "mapping", {ADDR, LEN, ARG("ADVICE", ARG_ADVICE)}, .needs = NEEDS_TASK,
	 .fn = cmd_madvise,
	 .summary = "`sys_madvise`; ADVICE: `dontneed dontfork dofork wipeonfork keeponfork "
		    "populate_read populate_write normal random sequential willneed hugepage nohugepage "
		    "cold pageout`"},
	{"mlock", "mapping", {ADDR, LEN, FLAG("onfault")}, .needs = NEEDS_TASK, .fn = cmd_mlock,
	 .summary = "`sys_mlock`, or `sys_mlock2(MLOCK_ONFAULT)`"},
	{"munlock", "mapping", {ADDR, LEN}, .needs = NEEDS_TASK, .fn = cmd_munlock,
	 .summary = "`sys_munlock`"},
	{"mremap", "mapping", {NAME("NAME"), ADDR, LEN, FLAG("maymove"), FLAG("dontunmap")},
	 {OPTION("fixed", "ADDR", OPT_EXPR, NULL), OPT_REQUIRED("new", "LEN", OPT_EXPR)},
	 .needs = NEEDS_TASK, .fn = cmd_mremap,
	 .summary = "`sys_mremap(ADDR, LEN, new, FLAGS, fixed)`: `maymove` MREMAP_MAYMOVE, "
		    "`dontunmap` MREMAP_DONTUNMAP, `fixed=ADDR` MREMAP_FIXED to ADDR (the flags "
		    "Linux wants with them are not added). Stores the new address (or -errno) in "
		    "`$NAME` and `ret`."},
	{"split", "mapping", {ADDR}, .needs = NEEDS_TASK, .fn = cmd_split,
	 .summary = "`split_huge_page` of the THP mapped at ADDR, as debugfs split_huge_pages: "
		    "`ret` 0, -EBUSY while it is pinned or referenced, -EINVAL for no THP, "
		    "-EFAULT for nothing mapped."},
	{"mseal", "mapping", {ADDR, LEN}, {OPTION("flags", "N", OPT_EXPR, "0")},
	 .needs = NEEDS_TASK, .fn = cmd_mseal,
	 .summary = "`sys_mseal` (6.10; -ENOSYS under the 5.11 profile). Sealed VMAs refuse "
		    "munmap, mmap over them, mprotect and discarding madvise of read-only anonymous "
		    "memory with -EPERM."},
	{"secretmem", "mapping", {NAME("NAME")},
	 {OPT_REQUIRED("len", "LEN", OPT_EXPR), OPTION("prot", "rw", OPT_PROT, "rw")},
	 .needs = NEEDS_TASK, .fn = cmd_secretmem,
	 .summary = "`sim_mmap_secretmem(LEN, PROT)`: memfd_secret (5.14; -ENOSYS under the 5.11 "
		    "profile) mapped shared, until libgup has file descriptors. GUP, GUP-fast, "
		    "`access_remote` and `process_vm_readv` reach none of it. Stores the address (or "
		    "-errno) in `$NAME` and `ret`."},

	/* -------------------------------------------------------------- files -- */
	{"tmpfile", "files", {NAME("NAME")},
	 {OPT_IN_REQUIRED("size", "SIZE", 0, MAX_FILE_SIZE, "a size"),
	  OPT_IN("fill", "BYTE", "0", 0, 255, "a byte")},
	 .needs = NEEDS_TASK, .fn = cmd_tmpfile,
	 .summary = "Make the host file NAME of SIZE bytes of BYTE (default 0) in the run's "
		    "private temporary directory (under $TMPDIR, else /tmp; removed with its files "
		    "at the end of the run) and `sys_open` it O_RDWR as the current task: "
		    "`$NAME` and `ret` are the descriptor (or -errno). Descriptors are the task's: "
		    "another task reaches the file through fork or its own `open`."},
	{"tmpfile", "files", {NAME("NAME"), STRING},
	 {OPT_IN_REQUIRED("size", "SIZE", 0, MAX_FILE_SIZE, "a size"),
	  OPT_IN("fill", "BYTE", "0", 0, 255, "a byte")},
	 .needs = NEEDS_TASK, .fn = cmd_tmpfile,
	 .summary = "The same, starting with the string's bytes (cut at SIZE)."},
	{"open", "files", {NAME("NAME"), WORD("PATH"), OPT_WORD("ro|rw")}, .needs = NEEDS_TASK,
	 .fn = cmd_open,
	 .summary = "`sys_open(PATH, O_RDONLY or O_RDWR (default))` as `$NAME`; a PATH without "
		    "'/' is a tmpfile of this run (`open ro data ro`)."},
	{"close", "files", {WORD("NAME")}, .needs = NEEDS_TASK, .fn = cmd_close,
	 .summary = "`sys_close($NAME)`; `expect file NAME` still reads the host file."},
	{"truncate", "files", {WORD("NAME"), EXPR("SIZE")}, .needs = NEEDS_TASK, .fn = cmd_truncate,
	 .summary = "`sys_ftruncate($NAME, SIZE)`: pages beyond the new end are unmapped and dropped "
		    "from the page cache."},
	{"pread", "files", {WORD("NAME"), ADDR, RANGE("LEN", 0, MAX_FILL, "a length"), EXPR("OFF")},
	 .needs = NEEDS_TASK, .fn = cmd_pread,
	 .summary = "`sys_pread64($NAME, ADDR, LEN, OFF)` through the page cache into the current "
		    "task's memory at ADDR; `ret` the bytes read or -errno."},
	{"pwrite", "files", {WORD("NAME"), ADDR, RANGE("LEN", 0, MAX_FILL, "a length"), EXPR("OFF")},
	 .needs = NEEDS_TASK, .fn = cmd_pwrite,
	 .summary = "`sys_pwrite64($NAME, ADDR, LEN, OFF)` from the task's memory (put the bytes "
		    "there with `write`); written back by fsync, msync or the last close."},
	{"fsync", "files", {WORD("NAME")}, .needs = NEEDS_TASK, .fn = cmd_fsync,
	 .summary = "`sys_fsync($NAME)`: every dirty page to the host file."},
	{"msync", "files", {ADDR, LEN, OPT_WORD("sync|async|invalidate")}, .needs = NEEDS_TASK,
	 .fn = cmd_msync,
	 .summary = "`sys_msync(ADDR, LEN, MS_SYNC (default), MS_ASYNC or MS_INVALIDATE)`."},
	{"memfd", "files", {NAME("NAME")},
	 {OPT_IN("size", "SIZE", "0", 0, MAX_FILE_SIZE, "a size"),
	  OPTION("flags", "FLAGS", OPT_TEXT, NULL)},
	 .needs = NEEDS_TASK, .fn = cmd_memfd,
	 .summary = "`sys_memfd_create(NAME, FLAGS)` then `sys_ftruncate` to SIZE (default 0): "
		    "`$NAME` and `ret` are the descriptor (or -errno). FLAGS: any of `cloexec "
		    "allow_sealing hugetlb noexec_seal exec`, comma-separated. Use it as a file: pread, pwrite, "
		    "truncate, `mmap fd=NAME`; `expect seals NAME == \"write,grow\"` (or "
		    "\"none\") reads F_GET_SEALS."},
	{"seal", "files", {WORD("NAME"), WORD("SEALS")}, .needs = NEEDS_TASK, .fn = cmd_seal,
	 .summary = "`sys_fcntl($NAME, F_ADD_SEALS, SEALS)`; SEALS: any of `seal shrink grow write "
		    "future_write exec`, comma-separated. `ret`: 0 or -errno (F_SEAL_WRITE: -EBUSY while a "
		    "shared mapping may write or a page is pinned)."},

	/* ------------------------------------------------------------- access -- */
	{"write", "access", {ADDR, STRING}, .needs = NEEDS_TASK, .fn = cmd_write,
	 .summary = "`copy_to_user` the string's bytes (no terminating NUL). `ret`: 0, or "
		    "-EFAULT if a byte could not be stored."},
	{"write", "access", {ADDR},
	 {OPT_IN_REQUIRED("byte", "B", 0, 255, "a byte"),
	  OPT_IN("len", "N", "1", 1, MAX_IO, "a length")},
	 .needs = NEEDS_TASK, .fn = cmd_write,
	 .summary = "Store N (default 1) copies of byte B."},
	{"fill", "access", {ADDR, LEN, RANGE("BYTE", 0, 255, "a byte")}, .needs = NEEDS_TASK,
	 .fn = cmd_fill, .summary = "Store LEN copies of BYTE (up to 64 MiB)."},
	{"read", "access", {ADDR, RANGE("LEN", 1, MAX_IO, "a length")}, .needs = NEEDS_TASK,
	 .fn = cmd_read,
	 .summary = "`copy_from_user` and print (a string up to 64 bytes, a hexdump beyond). "
		    "`ret`: 0 or -EFAULT."},
	{"touch", "access", {ADDR, LEN, FLAG("write")}, .needs = NEEDS_TASK, .fn = cmd_touch,
	 .summary = "Read (or read and write back) one byte in each page: fault pages in "
		    "without changing data."},

	/* ---------------------------------------------------------------- gup -- */
	{"gup", "gup",
	 {ARG("VARIANT", ARG_VARIANT), ADDR,
	  EXPR("NPAGES") /* its range depends on VARIANT: cmd_gup checks it */},
	 {OPTION("flags", "FLAGS", OPT_FOLL_FLAGS, "0")}, .as = AS_OPTIONAL, .as_meta = "NAME",
	 .needs = NEEDS_TASK, .fn = cmd_gup,
	 .summary = "`get_user_pages`, or its VARIANT: `_fast`, `_fast_only`, `_remote` (on "
		    "TASK's mm), `_locked`, `_unlocked`; with `as NAME` the pages become a "
		    "reference set."},
	{"pin", "gup",
	 {ARG("VARIANT", ARG_VARIANT), ADDR,
	  EXPR("NPAGES") /* its range depends on VARIANT: cmd_gup checks it */},
	 {OPTION("flags", "FLAGS", OPT_FOLL_FLAGS, "0")}, .as = AS_OPTIONAL, .as_meta = "NAME",
	 .needs = NEEDS_TASK, .fn = cmd_gup,
	 .summary = "`pin_user_pages`, or its VARIANT as for gup; with `as NAME` the pages "
		    "become a pin set."},
	{"unpin", "gup", {WORD("NAME"), FLAG("dirty")}, .needs = NEEDS_MACHINE, .fn = cmd_unpin,
	 .summary = "`unpin_user_pages`, or `unpin_user_pages_dirty_lock(..., true)` with "
		    "`dirty`. Only for pin sets."},
	{"put", "gup", {WORD("NAME")}, .needs = NEEDS_MACHINE, .fn = cmd_put,
	 .summary = "`put_page` on each page of a reference set."},
	{"follow", "gup", {ADDR}, {OPTION("flags", "FLAGS", OPT_FOLL_FLAGS, "0")},
	 .as = AS_OPTIONAL, .as_meta = "NAME", .needs = NEEDS_TASK, .fn = cmd_follow,
	 .summary = "`follow_page` under mmap_lock. `ret` is the pfn (0 for NULL) or -errno. "
		    "With `get` or `pin` in FLAGS a reference is taken and `as NAME` is "
		    "required."},
	{"dump_page", "gup", {ADDR}, .as = AS_REQUIRED, .as_meta = "NAME", .needs = NEEDS_TASK,
	 .fn = cmd_dump_page,
	 .summary = "`get_dump_page`: a referenced page (set of 1, release with `put`) or NULL "
		    "(a hole: `ret` 0, empty set)."},

	/* ------------------------------------------------------------- remote -- */
	{"access_remote", "remote",
	 {TASKNAME("TASK"), ADDR, KEYWORD("read"), RANGE("LEN", 1, MAX_IO, "a length"),
	  FLAG("force")},
	 .needs = NEEDS_MACHINE, .fn = cmd_access,
	 .summary = "`access_remote_vm(TASK->mm, ...)`; prints the bytes; `ret` = bytes copied."},
	{"access_remote", "remote", {TASKNAME("TASK"), ADDR, KEYWORD("write"), STRING, FLAG("force")},
	 {BYTE_OPTIONS}, .needs = NEEDS_MACHINE, .fn = cmd_access,
	 .summary = "The same with FOLL_WRITE (`byte=B len=N` instead of the string works too). "
		    "`force` adds FOLL_FORCE, as ptrace and /proc/pid/mem do."},
	{"access_process", "remote",
	 {TASKNAME("TASK"), ADDR, KEYWORD("read"), RANGE("LEN", 1, MAX_IO, "a length"),
	  FLAG("force")},
	 .needs = NEEDS_MACHINE, .fn = cmd_access,
	 .summary = "The same through `access_process_vm(TASK, ...)`."},
	{"access_process", "remote", {TASKNAME("TASK"), ADDR, KEYWORD("write"), STRING, FLAG("force")},
	 {BYTE_OPTIONS}, .needs = NEEDS_MACHINE, .fn = cmd_access,
	 .summary = "The same through `access_process_vm(TASK, ...)` with FOLL_WRITE."},
	{"process_vm_readv", "remote",
	 {TASKNAME("TASK"), EXPR("LOCAL"), EXPR("REMOTE"), RANGE("LEN", 0, MAX_FILL, "a length")},
	 .needs = NEEDS_TASK, .fn = cmd_process_vm,
	 .summary = "Copy LEN bytes from TASK's REMOTE address to the current task's LOCAL "
		    "address."},
	{"process_vm_writev", "remote",
	 {TASKNAME("TASK"), EXPR("LOCAL"), EXPR("REMOTE"), RANGE("LEN", 0, MAX_FILL, "a length")},
	 .needs = NEEDS_TASK, .fn = cmd_process_vm, .summary = "The other way round."},
	{"populate", "remote", {ADDR, LEN}, .needs = NEEDS_TASK, .fn = cmd_populate,
	 .summary = "`__mm_populate(start, len, 0)` on the page-aligned range."},
	{"populate_vma", "remote", {ADDR, LEN}, .needs = NEEDS_TASK, .fn = cmd_populate_vma,
	 .summary = "`populate_vma_page_range` under mmap_lock; the range must lie in one VMA."},
	{"fixup", "remote", {ADDR, FLAG("write"), FLAG("unlocked")}, .needs = NEEDS_TASK,
	 .fn = cmd_fixup,
	 .summary = "`fixup_user_fault` under mmap_lock, with FAULT_FLAG_WRITE and/or an "
		    "`unlocked` pointer."},

	/* -------------------------------------------------------------- query -- */
	{"page", "query", {PAGE_REF("ADDR|NAME[i]"), OPT_WORD("FIELD")}, .needs = NEEDS_MACHINE,
	 .fn = cmd_page,
	 .summary = "Every page field (below) of what the current task maps at ADDR, or of the "
		    "i-th page of a page set (without the PTE bits); with FIELD, one field; "
		    "with `dump`, the kernel's `dump_page()` view of the frame."},
	{"pinned", "query", {PAGE_REF("NAME[i]"), KEYWORD("read"), RANGE("LEN", 1, 4096, "a length")},
	 .needs = NEEDS_MACHINE, .fn = cmd_pinned_read,
	 .summary = "The device's view of a set's page: LEN bytes from `page_address()` (up to "
		    "4096). Works on any page set, pinned or merely referenced."},
	{"pinned", "query", {PAGE_REF("NAME[i]"), KEYWORD("write"), STRING}, {BYTE_OPTIONS},
	 .needs = NEEDS_MACHINE, .fn = cmd_pinned_write,
	 .summary = "A device writes the bytes at the start of the page (`byte=B len=N` too)."},
	{"vma", "query", {ADDR, WORD("FIELD")}, .needs = NEEDS_TASK, .fn = cmd_vma,
	 .summary = "A field of the VMA containing ADDR (see below)."},
	{"vmstat", "query", {OPT_WORD("ITEM")}, .needs = NEEDS_MACHINE, .fn = cmd_vmstat,
	 .summary = "All counters, or one: `nr_free_pages nr_anon_pages nr_shmem "
		    "nr_file_pages nr_dirty nr_writeback nr_page_table_pages nr_mlock nr_foll_pin_acquired nr_foll_pin_released "
		    "nr_cow_faults nr_cow_reuses nr_fork_early_cow nr_page_faults pgscan_kswapd "
		    "pgscan_direct pgsteal_kswapd pgsteal_direct nr_vmscan_write pageoutrun`."},
	{"maps", "query", .needs = NEEDS_TASK, .fn = cmd_maps,
	 .summary = "`/proc/pid/maps` as the library's `show_maps()` prints it: `start-end "
		    "perms offset dev inode name`."},
	{"meminfo", "query", .needs = NEEDS_MACHINE, .fn = cmd_meminfo,
	 .summary = "`/proc/meminfo`'s hugetlb lines as the library's `sim_meminfo()` prints "
		    "them: HugePages_Total/Free/Rsvd/Surp of the 2M pool, Hugepagesize, Hugetlb. "
		    "`expect hugepages 2M|1G total|free|rsvd|surp` reads one counter."},
	{"smaps", "query", .needs = NEEDS_TASK, .fn = cmd_maps,
	 .summary = "`/proc/pid/smaps` as the library's `show_smaps()` prints it: each VMA with "
		    "Size, Rss, Anonymous, AnonHugePages, Shared_Hugetlb, Private_Hugetlb, Swap, Locked, "
		    "Pinned (libgup's addition) and VmFlags."},
	{"pagetable", "query", {ADDR, OPT_EXPR("LEN")},
	 {OPTION("dot", "FILE", OPT_TEXT, NULL), OPTION("tasks", "T1,T2", OPT_TEXT, NULL)},
	 .needs = NEEDS_TASK, .fn = cmd_pagetable,
	 .summary = "The pgd/pud/pmd/pte entries covering the range (one page without LEN; "
		    "levels with no entry are left out): index, address, raw value, pfn and "
		    "decoded bits, and for PTEs the page's refcount and mapcount or \"zero page\". "
		    "With `dot=FILE`, instead writes the tree as a Graphviz picture (docs/scenarios.md: "
		    "\"Page tables as a picture\"), "
		    "of the current task or of each task in `tasks=` (up to 8, in one file)."},
	{"clear_refs", "mapping", {WORD("soft_dirty|young|anon|mapped")}, .needs = NEEDS_TASK,
	 .fn = cmd_clear_refs,
	 .summary = "Write to the current task's `/proc/pid/clear_refs`: `soft_dirty` (\"4\") "
		    "clears every soft-dirty bit and write-protects, so the next write faults and "
		    "sets it again (a writable page of a private mapping that may be pinned is "
		    "left alone); `young` (\"1\"), `anon` (\"2\"), `mapped` (\"3\") clear the "
		    "young bits. `expect page ADDR soft_dirty` reads pagemap bit 55."},
	/* ------------------------------------- contiguous memory (sim-only) -- */
	{"cma_alloc", "machine", {NAME("NAME"), EXPR("N")},
	 {OPT_IN("align", "ORDER", "0", 0, 20, "an order")},
	 .needs = NEEDS_MACHINE, .fn = cmd_cma_alloc,
	 .summary = "cma_alloc(): N contiguous frames from the CMA area (`boot cma=SIZE`), "
		    "aligned to 2^ORDER pages, migrating the user pages that occupy them. $NAME and "
		    "ret are the first pfn, or -errno; -EBUSY lists the pages that would not move and "
		    "their pins by call site. Sim-only."},
	{"cma_release", "machine", {EXPR("PFN"), EXPR("N")}, .needs = NEEDS_MACHINE,
	 .fn = cmd_cma_release,
	 .summary = "cma_release(): give back N frames from `cma_alloc` at PFN. Sim-only."},
	{"offline", "machine", {EXPR("PFN"), EXPR("N")}, .needs = NEEDS_MACHINE, .fn = cmd_offline,
	 .summary = "offline_range(): migrate every page out of N frames at PFN and keep them from "
		    "the allocator (5.11's offline_pages(), its retry loop bounded); -EBUSY lists the "
		    "pages that would not move and their pins by call site. Sim-only."},
	{"online", "machine", {EXPR("PFN"), EXPR("N")}, .needs = NEEDS_MACHINE, .fn = cmd_online,
	 .summary = "online_range(): give a range `offline` took back to the allocator. Sim-only."},
	{"pageout", "mapping", {ADDR, LEN}, .needs = NEEDS_TASK, .fn = cmd_pageout,
	 .summary = "`madvise(MADV_PAGEOUT)`: reclaim the range's pages: anonymous ones to swap "
		    "(boot `swap=SIZE`), file pages written back and dropped; `expect swap "
		    "total|used|cached` reads the device."},
	{"reclaim", "machine", {ARG("N", ARG_EXPR)}, .needs = NEEDS_TASK, .fn = cmd_reclaim,
	 .summary = "`sim_reclaim(N)`: direct reclaim of up to N pages, oldest first (file "
		    "pages, then anonymous ones to swap); sets `ret` to the pages freed."},
	{"memremap", "mapping", {NAME("NAME")},
	 {OPT_IN_REQUIRED("size", "SIZE", 1, (long)MAX_MEM, "a size"),
	  OPT_IN("off", "OFF", "0", 0, (long)MAX_MEM, "an offset"),
	  OPTION("type", "generic|fsdax|private|coherent", OPT_TEXT, "generic"),
	  OPTION("align", "4K|2M|1G", OPT_EXPR, "4096")},
	 .needs = NEEDS_MACHINE, .fn = cmd_memremap,
	 .summary = "`memremap_pages()` of SIZE bytes of device memory (`boot device=SIZE`) from "
		    "byte OFF: struct pages in ZONE_DEVICE of MEMORY_DEVICE_GENERIC (device-dax, "
		    "the default: `devmap` maps it with ALIGN-sized devmap entries, default 4K) or "
		    "MEMORY_DEVICE_FS_DAX (a DAX file system's, which `devmap` refuses with -EINVAL), "
		    "MEMORY_DEVICE_PRIVATE (memory the CPU cannot reach: `devmap` -EINVAL too) or "
		    "MEMORY_DEVICE_COHERENT (6.0+, so -EINVAL under the 5.11 profile: mapped as "
		    "GENERIC, every page handed out by the script's driver, which takes them back "
		    "at `memunmap`). A 1G ALIGN needs the range 1G-aligned in physical memory: "
		    "device memory starts right after RAM, so `boot mem=16M device=2G` and "
		    "`off=1008M`. `$NAME` and `ret` are the first pfn, or -errno. Sim-only."},
	{"devmap", "mapping", {NAME("NAME"), WORD("PGMAP")},
	 {OPT_REQUIRED("len", "LEN", OPT_EXPR), OPTION("off", "OFF", OPT_EXPR, "0"),
	  OPTION("prot", "rw", OPT_PROT, "rw")},
	 .needs = NEEDS_TASK, .fn = cmd_devmap,
	 .summary = "`sim_mmap_device(PGMAP, OFF, LEN, PROT)`: a device-dax driver's shared "
		    "mapping of PGMAP (from `memremap`), which holds a pgmap reference until it is "
		    "unmapped. Stores the address (or -errno) in `$NAME` and `ret`. Sim-only."},
	{"memunmap", "mapping", {WORD("PGMAP")}, .needs = NEEDS_MACHINE, .fn = cmd_memunmap,
	 .summary = "`memunmap_pages_try(PGMAP)`: `ret` 0 when the range is gone, -EBUSY (nothing "
		    "changes) while a page is pinned or referenced, a mapping or a pgmap reference "
		    "is held. Sim-only."},
	{"pgmap", "query", {WORD("PGMAP")}, .needs = NEEDS_MACHINE, .fn = cmd_pgmap,
	 .summary = "Print the references held on PGMAP (pages', mappings' and GUP's); `ret` is "
		    "their number. Sim-only."},
	{"status", "query", {OPT_WORD("ITEM")}, .needs = NEEDS_TASK, .fn = cmd_status,
	 .summary = "The memory lines of `/proc/pid/status` as the library's `show_status()` "
		    "prints them: VmRSS, RssAnon (private COW copies of file pages included), "
		    "RssFile, RssShmem (memfd and MAP_SHARED|MAP_ANONYMOUS), HugetlbPages, in kB. "
		    "With ITEM only that line, and `ret` is its kB."},
	{"kswapd", "machine", {KEYWORD("wait")}, .needs = NEEDS_MACHINE, .fn = cmd_kswapd_wait,
	 .summary = "Wait until kswapd (`boot kswapd=on`) sleeps again with no wakeup pending: "
		    "every wakeup so far was answered by reclaim up to the high watermark, or "
		    "gave up. `ret` 0, or -ENODEV without kswapd. Sim-only."},
	{.name = NULL},
};
/* clang-format on */
