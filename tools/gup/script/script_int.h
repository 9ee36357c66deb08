/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Inside the scenario language: the run's state, words, the argument spec every
 * command is declared with (cmd_table.c), and the helpers command modules share.
 * Command modules see the machine only through struct backend_ops.
 */
#ifndef GUP_SCRIPT_INT_H
#define GUP_SCRIPT_INT_H

#include <gup/gup.h> /* constants only: FOLL_*, PROT_*, MAP_*, MADV_*, VM_*, errnos */
#include <gup/mm.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "backend.h"
#include "script.h"

/* Limits that keep any input, however hostile, cheap and in bounds. */
#define MAX_LINE 1024		  /* bytes per line */
#define MAX_WORDS 32		  /* words per line */
#define MAX_NAME 31		  /* characters in a value, task or page-set name */
#define MAX_SYMBOLS 256		  /* named values and page sets */
#define MAX_TASKS 64		  /* tasks alive at once */
#define MAX_GUP_PAGES 65536	  /* pages per GUP call (256 MiB) */
#define MAX_IO 65536		  /* bytes per read, write or access */
#define MAX_FILL (64UL << 20)	  /* bytes per fill */
#define MAX_MEM (4UL << 30)	  /* simulated RAM */
#define MAX_SCRIPT (16UL << 20)	  /* bytes of script */
#define DEFAULT_MEM (256UL << 20) /* RAM when the script does not boot itself */
#define SHORT_DUMP 64		  /* reads up to this long print as one string */
#define MAX_RETRY_INJECT 1000	  /* fault_retry failures armed at once */
#define LISTED_PFNS 16		  /* pfns listed after a GUP call */
#define MAX_PICTURE_TASKS 8	  /* tasks in one page-table picture */
#define MAX_HOOKED_POINTS 32	  /* interleaving points a script can hook */
#define MAX_ANSWER 512		  /* bytes of one step's answer (gup diff) */
#define MAX_FRAMES 1024		  /* frames named frame#N in one run (gup diff) */
#define MAX_FILES 16		  /* descriptors a script names (tmpfile, open) */
#define MAX_FILE_SIZE (64L << 20) /* bytes of one tmpfile */
#define MAX_PGMAPS 8		  /* device ranges a script names (memremap) */

/* ------------------------------------------------------------------ state -- */

enum ref_kind { REF_GET, REF_PIN };

/* Pages a GUP call (or get_dump_page, follow_page) returned, under one name. */
struct page_set {
	enum ref_kind kind;
	struct bk_page **pages;
	long nr;
	bool released;
};

enum sym_kind { SYM_FREE, SYM_VALUE, SYM_PAGES };

/* gup diff: what a value came from, so that comparing it means something. */
#define TAINT_SIM_ONLY 1 /* set by a step the host did not play */
#define TAINT_OPAQUE 2	 /* an address or a pid: differs from machine to machine */

struct symbol {
	enum sym_kind kind;
	char name[MAX_NAME + 1];
	long value;
	unsigned char taint; /* TAINT_* */
	struct page_set set;
};

/* `at POINT [once] COMMAND ...`: the command a point runs. */
struct at_hook {
	struct script *s; /* NULL: the point was never hooked */
	bool once;
	char text[MAX_LINE + 1];
};

struct task_slot {
	char name[MAX_NAME + 1];
	struct bk_task *task;
};

/* A device range the script named (memremap): the back end's pgmap id. */
struct pgmap_slot {
	char name[MAX_NAME + 1]; /* "": a free slot */
	int id;
};

/* A descriptor the script named (tmpfile, open): `$NAME` is its number. */
struct file_slot {
	char name[MAX_NAME + 1]; /* "": a free slot */
	char *path;		 /* the host path, kept after close for `expect file` */
	int fd;			 /* in the current task's table when opened; -1 once closed */
};

struct script {
	const struct backend_ops *be;
	const char *file;
	int line;
	FILE *out;
	bool quiet;
	bool booted;
	bool stop;    /* a script error ends the run */
	int errors;   /* script errors (at most one: the run stops) */
	int held;     /* expectations that held */
	int failed;   /* expectations (and checks) that failed */
	int commands; /* command lines run */
	long ret;     /* result of the last command that called the library */
	struct bk_task *cur;
	const char *dot_dir;  /* gup run --dot DIR: a picture at each pagetable command */
	int dot_count;	      /* pictures written there so far */
	bool no_files;	      /* draw pictures into memory only (the fuzzer) */
	const char *profile;  /* gup run --profile: the default of boot profile= */
	const char *raw_line; /* the line being run, as written */
	pthread_t runner;     /* the thread running the script: hooks run only there */
	/* gup diff: the step's answer, told to on_step (NULL: not recorded). */
	void (*on_step)(void *ctx, const struct script_step *step);
	void *step_ctx;
	char answer[MAX_ANSWER];
	size_t answer_len;
	const char *sim_only;		  /* why the step is not compared (NULL: it is) */
	unsigned char ret_taint;	  /* TAINT_* of ret */
	unsigned char read_taint;	  /* TAINT_* of the values the step has read so far */
	char frame_label[32];		  /* the last pfn page_field() read, named by identity */
	unsigned long frames[MAX_FRAMES]; /* pfns in first-seen order: frame#1... */
	int nr_frames;
	struct task_slot tasks[MAX_TASKS];
	struct file_slot files[MAX_FILES];
	struct pgmap_slot pgmaps[MAX_PGMAPS];
	char *tmp_dir; /* the run's private directory for tmpfile (NULL: none yet) */
	struct symbol syms[MAX_SYMBOLS];
	struct at_hook at_hooks[MAX_HOOKED_POINTS];
};

/* ------------------------------------------------------------------ words -- */

enum word_kind { W_WORD, W_STRING, W_OP };

struct word {
	enum word_kind kind;
	char *text; /* NUL-terminated (strings may also hold NULs: see len) */
	size_t len;
	char *key; /* key=value words: text is the key, val the value */
	char *val;
};

/* ------------------------------------------------------- the command table -- */

/* What one positional argument is, and so how it is checked and converted. */
enum arg_kind {
	ARG_END,      /* ends the list */
	ARG_KEYWORD,  /* the literal word @meta: tells forms apart */
	ARG_FLAG,     /* the literal word @meta, optional: .given */
	ARG_EXPR,     /* an expression: .n */
	ARG_RANGE,    /* an expression in [min, max], @what in errors: .n */
	ARG_NAME,     /* a name to define: .str */
	ARG_WORD,     /* any word (a field, a point, an advice): .str */
	ARG_TASK,     /* the name of a live task: .task */
	ARG_PAGE_REF, /* ADDR or NAME[i]: .w, resolved by the command */
	ARG_PROT,     /* rw, r-x, none: .u */
	ARG_ADVICE,   /* a madvise advice name: .n */
	ARG_STRING,   /* a "string", optional when byte=/len= can stand in: .w */
	ARG_VARIANT,  /* fast | fast_only | remote TASK [locked] | locked | unlocked */
	ARG_REST,     /* every remaining word, for the command to read: .w, .nrest */
};

/* How an option's value is read. */
enum opt_kind { OPT_EXPR, OPT_RANGE, OPT_PROT, OPT_MMAP_FLAGS, OPT_FOLL_FLAGS, OPT_TEXT, OPT_ANY };

struct arg_spec {
	const char *meta; /* as usage shows it: ADDR, LEN, "text", the keyword */
	enum arg_kind kind;
	long min, max;	  /* ARG_RANGE */
	const char *what; /* ARG_RANGE */
	bool optional;	  /* ARG_EXPR, ARG_WORD, ARG_RANGE */
};

struct opt_spec {
	const char *key; /* NULL ends the list */
	const char *meta;
	enum opt_kind kind;
	const char *def; /* the value when absent (NULL: none, .given false) */
	bool required;
	long min, max;	  /* OPT_RANGE */
	const char *what; /* OPT_RANGE */
};

enum cmd_needs {
	NEEDS_NOTHING,
	NEEDS_NO_MACHINE, /* must come before the machine boots (boot) */
	NEEDS_MACHINE,
	NEEDS_TASK, /* a booted machine and a current task */
};
enum as_kind { AS_NONE, AS_OPTIONAL, AS_REQUIRED };

#define MAX_ARGS 6
#define MAX_OPTS 16

struct cmd_args;
typedef bool (*cmd_fn)(struct script *s, struct cmd_args *a);

/* One form of a command: a row of the table (a command may have several forms). */
struct command {
	const char *name;
	const char *topic; /* the docs section: machine tasks mapping access gup remote query */
	struct arg_spec args[MAX_ARGS];
	struct opt_spec opts[MAX_OPTS];
	enum as_kind as; /* a trailing "as NAME" */
	const char *as_meta;
	enum cmd_needs needs; /* booted machine, or a current task too, before arguments */
	cmd_fn fn;
	const char *summary;
	bool raw;      /* takes the rest of the line verbatim (echo) */
	bool at_point; /* may run at an interleaving point (`at`): leaves the machine alone */
	bool rest_takes_options; /* key=value words are positional: they belong to its REST */
};

/* The table (cmd_table.c), ended by a NULL name. */
extern const struct command commands[];
extern const char *const command_topics[][2]; /* {topic, heading}, NULL-ended */

/* A converted argument or option. */
struct arg_val {
	bool given;
	long n;
	unsigned long u;
	const char *str;
	struct word *w;
	struct bk_task *task;
	struct word **rest; /* ARG_REST: the remaining words, nrest of them */
	int nrest;
	/* ARG_VARIANT */
	int flavour; /* enum gup_flavour */
	bool remote_locked;
};

struct cmd_args {
	const struct command *cmd;
	struct arg_val arg[MAX_ARGS];
	struct arg_val opt[MAX_OPTS];
	const char *as; /* the "as NAME" name, or NULL */
	struct word *pos[MAX_WORDS];
	int npos;
	struct word *kv[MAX_WORDS];
	int nkv;
};

/* A line split into words (lexer.c). */
struct line {
	const char *raw;
	struct word w[MAX_WORDS];
	int n;
	char buf[2 * MAX_LINE + MAX_WORDS + 2];
};

bool split_words(struct script *s, const char *raw, struct line *ln);
int hex_digit(int c);

/* args.c: the form of @first's command that fits the words, converted into @a. */
bool parse_command(struct script *s, const struct command *first, struct word *w, int nw,
		   struct cmd_args *a);
const struct command *first_form(const char *name);
int print_usage(char *buf, size_t size, const struct command *form);

/* ----------------------------------------------------------------- helpers -- */

bool fail(struct script *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void say(struct script *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void show(struct script *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

struct named_value {
	const char *name;
	unsigned long value;
};

extern const struct named_value errno_names[];
extern const struct named_value foll_names[];
extern const struct named_value vm_flag_names[];
const struct named_value *lookup_name(const struct named_value *table, const char *name,
				      size_t len);
const char *fmt_num(long v, char *buf, size_t size);
#define NUM(v) fmt_num((v), (char[32]){0}, 32)
void print_foll_flags(char *buf, size_t size, unsigned int flags);
void print_escaped(FILE *out, const unsigned char *b, size_t n);
void print_bytes(struct script *s, unsigned long base, const unsigned char *b, size_t n);

bool is_word(const struct word *w, const char *text);
bool check_name(struct script *s, const char *t, const char *what);
/* A name a value or page set may take: valid and not reserved (ret, PAGE_SIZE, EFAULT...). */
bool check_value_name(struct script *s, const char *name);
bool eval_text(struct script *s, const char *text, long *v);
bool eval_word(struct script *s, const struct word *w, long *v);
bool eval_range(struct script *s, const struct word *w, long min, long max, const char *what,
		long *v);
bool eval_addr(struct script *s, const struct word *w, unsigned long *addr);

struct symbol *find_symbol(struct script *s, const char *name, size_t len);
bool set_holds_refs(const struct page_set *set);
bool set_value(struct script *s, const char *name, long value);
struct page_set *find_set(struct script *s, const char *name);
bool store_pages(struct script *s, const char *name, enum ref_kind kind, struct bk_page **pages,
		 long nr);
bool store_single_page(struct script *s, const char *name, enum ref_kind kind,
		       struct bk_page *page);
bool set_page_ref(struct script *s, const char *text, struct bk_page **page);

struct task_slot *find_task_slot(struct script *s, const char *name);
struct bk_task *find_task(struct script *s, const char *name);
bool add_task(struct script *s, const char *name, struct bk_task *t);
bool check_new_task_name(struct script *s, const char *name);

bool boot_machine(struct script *s, const struct bk_boot *cfg);
bool need_machine(struct script *s);
bool need_task(struct script *s);
void report(struct script *s, const char *call, long ret);

/*
 * gup diff's record of a step (core.c): note_answer appends to the step's answer,
 * note_sim_only marks it not comparable. Frames are named by identity, in the
 * order the run first sees them, so answers compare across machines.
 */
void note_answer(struct script *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void note_sim_only(struct script *s, const char *why);
const char *name_frame(struct script *s, const struct page_facts *pf, char *buf, size_t size);

/* Bytes to write: the "string" argument @str, or byte=B with len=N. Caller frees *buf. */
bool data_operand(struct script *s, struct cmd_args *a, const struct word *str, unsigned char **buf,
		  size_t *len);
/* The bytes @len long at @addr as the current task, in a new buffer; *got: how many. */
unsigned char *user_read(struct script *s, unsigned long addr, long len, size_t *got);
/* [ADDR, ADDR+LEN) widened to pages, inside user space. */
bool page_range(struct script *s, unsigned long addr, unsigned long len, unsigned long *start,
		unsigned long *end);

/* Queries shared by the query commands and expect (cmd_query.c). */
bool page_facts(struct script *s, const struct word *w, struct page_facts *pf);
bool page_field(struct script *s, const struct page_facts *pf, const char *name, long *v);
bool vma_field(struct script *s, unsigned long addr, const char *name, long *v);
bool vmstat_item(struct script *s, const char *name, long *v);
bool hugepages_item(struct script *s, const struct word *size, const char *field, long *v);
unsigned char *dma_view(struct script *s, const struct word *ref);

/* cmd_file.c: the named file @name (NULL after a script error); the end of the run's files. */
struct file_slot *find_file(struct script *s, const char *name);
void remove_script_files(struct script *s);
/* The bytes @len long at @off of the host file itself, in a new buffer; *got: how many. */
unsigned char *host_file_read(struct script *s, const char *name, long off, long len, size_t *got);
/* The seals of the memfd @name as "write,grow" (or "none", or -errno), new; NULL: failed. */
char *file_seals_text(struct script *s, const char *name);

/* dot.c: the page tables of @tasks over [start, end) as a Graphviz file at @path. */
bool write_pagetable_dot(struct script *s, const char *path, struct bk_task *const *tasks,
			 const char *const *names, int nr_tasks, unsigned long start,
			 unsigned long end);

/* expect.c: is @raw an `expect[PROFILE]` line, and does it apply? */
enum profile_line { PROFILE_LINE_PLAIN, PROFILE_LINE_RUN, PROFILE_LINE_SKIP, PROFILE_LINE_ERROR };
enum profile_line profile_guard(struct script *s, const char *raw, char *buf, size_t size,
				const char **body);

/* The command handlers, by module. */
#define CMD(name) bool cmd_##name(struct script *s, struct cmd_args *a)
/* cmd_machine.c */
CMD(boot);
CMD(check);
CMD(inject);
CMD(inject_off);
CMD(inject_host_io);
CMD(set);
CMD(echo);
CMD(expect);
/* cmd_point.c */
CMD(points);
CMD(at);
CMD(at_off);
CMD(count);
/* cmd_task.c */
CMD(task);
CMD(fork);
CMD(thread);
CMD(switch);
CMD(kill);
CMD(exit);
CMD(tasks);
/* cmd_mm.c */
CMD(mmap);
CMD(munmap);
CMD(mprotect);
CMD(madvise);
CMD(mlock);
CMD(munlock);
CMD(mremap);
CMD(split);
CMD(mseal);
CMD(secretmem);
CMD(clear_refs);
/* cmd_file.c */
CMD(tmpfile);
CMD(open);
CMD(close);
CMD(truncate);
CMD(pread);
CMD(pwrite);
CMD(fsync);
CMD(msync);
/* cmd_access.c */
CMD(write);
CMD(fill);
CMD(read);
CMD(touch);
CMD(access);
CMD(process_vm);
/* cmd_gup.c */
CMD(gup);
CMD(unpin);
CMD(put);
CMD(follow);
CMD(dump_page);
CMD(populate);
CMD(populate_vma);
CMD(fixup);
/* cmd_query.c */
CMD(page);
CMD(pinned_read);
CMD(pinned_write);
CMD(vma);
CMD(vmstat);
CMD(meminfo);
CMD(maps);
CMD(pagetable);
/* cmd_file.c: memfds */
CMD(memfd);
CMD(seal);
/* cmd_cma.c */
CMD(cma_alloc);
CMD(cma_release);
CMD(offline);
CMD(online);
/* cmd_reclaim.c */
CMD(pageout);
CMD(reclaim);
CMD(kswapd_wait);
bool swap_item(struct script *s, const char *field, long *v);
/* cmd_memremap.c */
CMD(memremap);
CMD(devmap);
CMD(memunmap);
CMD(pgmap);
/* cmd_query.c: /proc/PID/status */
CMD(status);
#undef CMD

/* Remove every `at` hook of the run (cmd_point.c). */
void remove_at_hooks(struct script *s);

/* One expect operand that must be a number: a query (page $a pfn) or an expression. */
bool eval_number(struct script *s, struct word **w, int n, long *v);

#endif /* GUP_SCRIPT_INT_H */
