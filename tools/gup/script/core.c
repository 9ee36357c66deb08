// SPDX-License-Identifier: GPL-2.0-only
/*
 * gup run: the scenario language (docs/scenarios.md). Splits a script into lines
 * and words, evaluates expressions and queries, runs each command on the simulated
 * machine and owns what scripts create: named values, tasks and page sets.
 */
#include <ctype.h>
#include <errno.h>
#include <libgup.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gup_calls.h"
#include "gup_tool.h"
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

/* ------------------------------------------------------------------ state -- */

enum ref_kind { REF_GET, REF_PIN };

/* Pages a GUP call (or get_dump_page, follow_page) returned, under one name. */
struct page_set {
	enum ref_kind kind;
	struct page **pages;
	long nr;
	bool released;
};

enum sym_kind { SYM_FREE, SYM_VALUE, SYM_PAGES };

struct symbol {
	enum sym_kind kind;
	char name[MAX_NAME + 1];
	long value;
	struct page_set set;
};

struct task_slot {
	char name[MAX_NAME + 1];
	struct task_struct *task;
};

struct script {
	const char *file;
	int line;
	FILE *out;
	bool quiet;
	bool booted;
	bool stop;  /* a script error ends the run */
	int errors; /* script errors (at most one: the run stops) */
	int held;   /* expectations that held */
	int failed; /* expectations (and checks) that failed */
	long ret;   /* result of the last command that called the library */
	struct task_struct *cur;
	struct task_slot tasks[MAX_TASKS];
	struct symbol syms[MAX_SYMBOLS];
};

/* ----------------------------------------------------------- diagnostics -- */

/* A script error: say where and what was expected, and stop the run. */
static bool __attribute__((format(printf, 2, 3))) fail(struct script *s, const char *fmt, ...)
{
	va_list ap;

	fprintf(s->out, "%s:%d: ", s->file, s->line);
	va_start(ap, fmt);
	vfprintf(s->out, fmt, ap);
	va_end(ap);
	fputc('\n', s->out);
	s->errors++;
	s->stop = true;
	return false;
}

/* Routine output, suppressed by -q. */
static void __attribute__((format(printf, 2, 3))) say(struct script *s, const char *fmt, ...)
{
	va_list ap;

	if (s->quiet)
		return;
	va_start(ap, fmt);
	vfprintf(s->out, fmt, ap);
	va_end(ap);
}

/* Output the script asked for explicitly (queries, dumps, echo). */
static void __attribute__((format(printf, 2, 3))) show(struct script *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(s->out, fmt, ap);
	va_end(ap);
}

/* ---------------------------------------------------------------- errnos -- */

struct named_value {
	const char *name;
	unsigned long value;
};

static const struct named_value errno_names[] = {
	{"EPERM", EPERM},
	{"ENOENT", ENOENT},
	{"ESRCH", ESRCH},
	{"EINTR", EINTR},
	{"EIO", EIO},
	{"ENXIO", ENXIO},
	{"E2BIG", E2BIG},
	{"EBADF", EBADF},
	{"EAGAIN", EAGAIN},
	{"ENOMEM", ENOMEM},
	{"EACCES", EACCES},
	{"EFAULT", EFAULT},
	{"EBUSY", EBUSY},
	{"EEXIST", EEXIST},
	{"ENODEV", ENODEV},
	{"EINVAL", EINVAL},
	{"ENOSPC", ENOSPC},
	{"ERANGE", ERANGE},
	{"ENOSYS", ENOSYS},
	{"EOVERFLOW", EOVERFLOW},
	{"EOPNOTSUPP", EOPNOTSUPP},
	{"EHWPOISON", EHWPOISON},
	{NULL, 0},
};

static const char *errno_name(long err)
{
	for (const struct named_value *e = errno_names; e->name; e++)
		if ((long)e->value == err)
			return e->name;
	return NULL;
}

/* A number as scripts write it: -EFAULT for errors, hex for big values. */
static const char *fmt_num(long v, char *buf, size_t size)
{
	const char *err = v < 0 ? errno_name(-v) : NULL;

	if (err)
		snprintf(buf, size, "-%s", err);
	else if (v >= 4096)
		snprintf(buf, size, "%#lx", (unsigned long)v);
	else
		snprintf(buf, size, "%ld", v);
	return buf;
}

#define NUM(v) fmt_num((v), (char[32]){0}, 32)

/* ------------------------------------------------------------ flag tables -- */

static const struct named_value foll_names[] = {
	{"write", FOLL_WRITE},	     {"touch", FOLL_TOUCH},	    {"get", FOLL_GET},
	{"dump", FOLL_DUMP},	     {"force", FOLL_FORCE},	    {"nowait", FOLL_NOWAIT},
	{"populate", FOLL_POPULATE}, {"split", FOLL_SPLIT},	    {"hwpoison", FOLL_HWPOISON},
	{"numa", FOLL_NUMA},	     {"migration", FOLL_MIGRATION}, {"tried", FOLL_TRIED},
	{"mlock", FOLL_MLOCK},	     {"remote", FOLL_REMOTE},	    {"cow", FOLL_COW},
	{"anon", FOLL_ANON},	     {"longterm", FOLL_LONGTERM},   {"split_pmd", FOLL_SPLIT_PMD},
	{"pin", FOLL_PIN},	     {"fast_only", FOLL_FAST_ONLY}, {NULL, 0},
};

static const struct named_value mmap_flag_names[] = {
	{"private", MAP_PRIVATE},
	{"shared", MAP_SHARED},
	{"populate", MAP_POPULATE},
	{"locked", MAP_LOCKED},
	{"fixed", MAP_FIXED},
	{"fixed_noreplace", MAP_FIXED_NOREPLACE},
	{"growsdown", MAP_GROWSDOWN},
	{"noreserve", MAP_NORESERVE},
	{NULL, 0},
};

static const struct named_value madvise_names[] = {
	{"normal", MADV_NORMAL},
	{"random", MADV_RANDOM},
	{"sequential", MADV_SEQUENTIAL},
	{"willneed", MADV_WILLNEED},
	{"dontneed", MADV_DONTNEED},
	{"dontfork", MADV_DONTFORK},
	{"dofork", MADV_DOFORK},
	{"wipeonfork", MADV_WIPEONFORK},
	{"keeponfork", MADV_KEEPONFORK},
	{"populate_read", MADV_POPULATE_READ},
	{"populate_write", MADV_POPULATE_WRITE},
	{NULL, 0},
};

/* The two-letter VmFlags of /proc/pid/smaps ("lf" for VM_LOCKONFAULT is libgup's). */
static const struct named_value vm_flag_names[] = {
	{"rd", VM_READ},	{"wr", VM_WRITE},      {"ex", VM_EXEC},
	{"sh", VM_SHARED},	{"mr", VM_MAYREAD},    {"mw", VM_MAYWRITE},
	{"me", VM_MAYEXEC},	{"ms", VM_MAYSHARE},   {"gd", VM_GROWSDOWN},
	{"pf", VM_PFNMAP},	{"dw", VM_DENYWRITE},  {"lo", VM_LOCKED},
	{"lf", VM_LOCKONFAULT}, {"io", VM_IO},	       {"sr", VM_SEQ_READ},
	{"rr", VM_RAND_READ},	{"dc", VM_DONTCOPY},   {"de", VM_DONTEXPAND},
	{"ac", VM_ACCOUNT},	{"nr", VM_NORESERVE},  {"ht", VM_HUGETLB},
	{"sf", VM_SYNC},	{"wf", VM_WIPEONFORK}, {"dd", VM_DONTDUMP},
	{"sd", VM_SOFTDIRTY},	{"mm", VM_MIXEDMAP},   {"hg", VM_HUGEPAGE},
	{"nh", VM_NOHUGEPAGE},	{"mg", VM_MERGEABLE},  {NULL, 0},
};

static const struct named_value *lookup_name(const struct named_value *table, const char *name,
					     size_t len)
{
	for (const struct named_value *e = table; e->name; e++)
		if (strlen(e->name) == len && !strncmp(e->name, name, len))
			return e;
	return NULL;
}

static void print_foll_flags(char *buf, size_t size, unsigned int flags)
{
	size_t used = 0;

	buf[0] = '\0';
	for (const struct named_value *e = foll_names; e->name && used < size; e++) {
		if (!(flags & e->value))
			continue;
		used += snprintf(buf + used, size - used, "%sFOLL_", used ? "|" : "");
		for (const char *c = e->name; *c && used + 1 < size; c++)
			buf[used++] = (char)toupper((unsigned char)*c);
		buf[used < size ? used : size - 1] = '\0';
		flags &= ~(unsigned int)e->value;
	}
	if (flags && used < size)
		snprintf(buf + used, size - used, "%s%#x", used ? "|" : "", flags);
	else if (!used)
		snprintf(buf, size, "0");
}

/* ------------------------------------------------------------------ words -- */

enum word_kind { W_WORD, W_STRING, W_OP };

struct word {
	enum word_kind kind;
	char *text; /* NUL-terminated (strings may also hold NULs: see len) */
	size_t len;
	char *key; /* key=value words: text is the key, val the value */
	char *val;
};

struct line {
	const char *raw;
	struct word w[MAX_WORDS];
	int n;
	char buf[2 * MAX_LINE + MAX_WORDS + 2];
};

static bool is_op(const char *t)
{
	static const char *const ops[] = {"==", "!=", "<", "<=", ">", ">=", NULL};

	for (int i = 0; ops[i]; i++)
		if (!strcmp(t, ops[i]))
			return true;
	return false;
}

static int hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Decode a "..." string starting at *pp (on the quote) into dst; advance *pp. */
static bool read_string(struct script *s, const char **pp, char *dst, size_t *len)
{
	const char *p = *pp + 1;
	size_t n = 0;

	for (; *p && *p != '"'; p++) {
		int c = (unsigned char)*p;

		if (c == '\\') {
			int hi, lo;

			p++;
			switch (*p) {
			case 'n':
				c = '\n';
				break;
			case 't':
				c = '\t';
				break;
			case 'r':
				c = '\r';
				break;
			case '0':
				c = 0;
				break;
			case '\\':
				c = '\\';
				break;
			case '"':
				c = '"';
				break;
			case 'x':
				hi = hex_digit((unsigned char)p[1]);
				lo = hi < 0 ? -1 : hex_digit((unsigned char)p[2]);
				if (lo < 0)
					return fail(
						s, "expected two hex digits after \\x in a string");
				c = hi * 16 + lo;
				p += 2;
				break;
			default:
				return fail(
					s,
					"unknown escape '\\%c' in a string (use \\n \\t \\r \\0 "
					"\\\\ \\\" or \\xHH)",
					*p ? *p : '?');
			}
		}
		dst[n++] = (char)c;
	}
	if (*p != '"')
		return fail(s, "unterminated string: expected a closing '\"'");
	dst[n] = '\0';
	*len = n;
	*pp = p + 1;
	return true;
}

static void classify_word(struct word *w)
{
	char *eq = strchr(w->text, '=');

	if (is_op(w->text)) {
		w->kind = W_OP;
	} else if (eq && eq != w->text) {
		*eq = '\0';
		w->key = w->text;
		w->val = eq + 1;
	}
}

/* Split @raw into words: "strings", key=value, operators and plain words; '#' ends it. */
static bool split_words(struct script *s, const char *raw, struct line *ln)
{
	const char *p = raw;
	char *dst = ln->buf;

	ln->raw = raw;
	ln->n = 0;
	for (;;) {
		struct word *w;

		while (*p == ' ' || *p == '\t' || *p == '\r')
			p++;
		if (!*p || *p == '#')
			return true;
		if (ln->n == MAX_WORDS)
			return fail(s, "more than %d words on one line", MAX_WORDS);
		w = &ln->w[ln->n++];
		memset(w, 0, sizeof(*w));
		w->text = dst;
		if (*p == '"') {
			if (!read_string(s, &p, dst, &w->len))
				return false;
			w->kind = W_STRING;
			dst += w->len + 1;
			continue;
		}
		while (*p && *p != ' ' && *p != '\t' && *p != '\r') {
			if (*p == '"')
				return fail(s, "unexpected '\"' inside a word: put a space before "
					       "strings");
			*dst++ = *p++;
		}
		*dst++ = '\0';
		w->len = strlen(w->text);
		w->kind = W_WORD;
		classify_word(w);
		if (w->key && !*w->val)
			return fail(s, "expected a value after '%s='", w->key);
	}
}

/* ------------------------------------------------------------------ names -- */

static bool is_name(const char *t, size_t len)
{
	if (!len || len > MAX_NAME || !(isalpha((unsigned char)t[0]) || t[0] == '_'))
		return false;
	for (size_t i = 1; i < len; i++)
		if (!isalnum((unsigned char)t[i]) && t[i] != '_')
			return false;
	return true;
}

static bool check_name(struct script *s, const char *t, const char *what)
{
	if (!is_name(t, strlen(t)))
		return fail(s, "expected a %s name (letters, digits, '_', at most %d), got '%s'",
			    what, MAX_NAME, t);
	return true;
}

static struct symbol *find_symbol(struct script *s, const char *name, size_t len)
{
	for (int i = 0; i < MAX_SYMBOLS; i++)
		if (s->syms[i].kind != SYM_FREE && strlen(s->syms[i].name) == len &&
		    !strncmp(s->syms[i].name, name, len))
			return &s->syms[i];
	return NULL;
}

static bool set_holds_refs(const struct page_set *set)
{
	return !set->released && set->nr > 0;
}

/* The slot a name is (re)defined in; refuses to drop page references silently. */
static struct symbol *define_symbol(struct script *s, const char *name)
{
	struct symbol *sym;

	if (!check_name(s, name, "value"))
		return NULL;
	sym = find_symbol(s, name, strlen(name));
	if (sym && sym->kind == SYM_PAGES && set_holds_refs(&sym->set)) {
		fail(s,
		     "'%s' still holds %ld page reference(s): unpin/put it before reusing the name",
		     name, sym->set.nr);
		return NULL;
	}
	if (!sym) {
		for (int i = 0; i < MAX_SYMBOLS && !sym; i++)
			if (s->syms[i].kind == SYM_FREE)
				sym = &s->syms[i];
		if (!sym) {
			fail(s, "more than %d names defined", MAX_SYMBOLS);
			return NULL;
		}
	}
	free(sym->set.pages);
	memset(sym, 0, sizeof(*sym));
	snprintf(sym->name, sizeof(sym->name), "%s", name);
	return sym;
}

static bool set_value(struct script *s, const char *name, long value)
{
	struct symbol *sym = define_symbol(s, name);

	if (!sym)
		return false;
	sym->kind = SYM_VALUE;
	sym->value = value;
	return true;
}

static struct page_set *find_set(struct script *s, const char *name)
{
	struct symbol *sym = find_symbol(s, name, strlen(name));

	if (!sym || sym->kind != SYM_PAGES) {
		fail(s,
		     "expected the name of a page set (from gup/pin/follow/dump_page ... as "
		     "NAME), got '%s'",
		     name);
		return NULL;
	}
	return &sym->set;
}

static struct task_slot *find_task_slot(struct script *s, const char *name)
{
	for (int i = 0; i < MAX_TASKS; i++)
		if (s->tasks[i].task && !strcmp(s->tasks[i].name, name))
			return &s->tasks[i];
	return NULL;
}

static struct task_struct *find_task(struct script *s, const char *name)
{
	struct task_slot *slot = find_task_slot(s, name);

	if (!slot) {
		fail(s, "expected the name of a live task (see `task`, `fork`, `thread`), got '%s'",
		     name);
		return NULL;
	}
	return slot->task;
}

static bool add_task(struct script *s, const char *name, struct task_struct *t)
{
	for (int i = 0; i < MAX_TASKS; i++) {
		if (!s->tasks[i].task) {
			snprintf(s->tasks[i].name, sizeof(s->tasks[i].name), "%.*s", MAX_NAME,
				 name);
			s->tasks[i].task = t;
			return true;
		}
	}
	task_exit(t);
	return fail(s, "more than %d tasks alive", MAX_TASKS);
}

/* A new task name must be valid and not taken. */
static bool check_new_task_name(struct script *s, const char *name)
{
	if (!check_name(s, name, "task"))
		return false;
	if (find_task_slot(s, name))
		return fail(s, "a task named '%s' already exists", name);
	return true;
}

/* ------------------------------------------------------------ expressions -- */

struct expr {
	struct script *s;
	const char *text; /* the whole expression, for messages */
	const char *p;
};

static bool expr_sum(struct expr *e, long *v);

static bool expr_fail(struct expr *e, const char *what)
{
	return fail(e->s, "bad expression '%s': expected %s at '%s'", e->text, what,
		    *e->p ? e->p : "end");
}

static bool size_suffix(struct expr *e, unsigned long *v)
{
	static const char suffixes[] = "KMGT";
	const char *hit = *e->p ? strchr(suffixes, toupper((unsigned char)*e->p)) : NULL;
	unsigned int shift;

	if (!hit)
		return true;
	shift = 10 * (unsigned int)(hit - suffixes + 1);
	if (*v > (ULONG_MAX >> shift))
		return expr_fail(e, "a number that fits in 64 bits");
	*v <<= shift;
	e->p++;
	return true;
}

static bool expr_number(struct expr *e, long *v)
{
	unsigned long n = 0, base = 10;
	int digits = 0;

	if (e->p[0] == '0' && (e->p[1] == 'x' || e->p[1] == 'X')) {
		base = 16;
		e->p += 2;
	}
	for (;; e->p++, digits++) {
		int d = hex_digit((unsigned char)*e->p);

		if (d < 0 || (unsigned long)d >= base)
			break;
		if (n > (ULONG_MAX - (unsigned long)d) / base)
			return expr_fail(e, "a number that fits in 64 bits");
		n = n * base + (unsigned long)d;
	}
	if (!digits)
		return expr_fail(e, "digits");
	if (!size_suffix(e, &n))
		return false;
	*v = (long)n;
	return true;
}

/* $name, an errno name (EFAULT), PAGE_SIZE, true or false. */
static bool expr_name(struct expr *e, long *v)
{
	const char *start = e->p + (*e->p == '$');
	const char *end = start;
	const struct named_value *err;

	while (isalnum((unsigned char)*end) || *end == '_')
		end++;
	if (*e->p == '$') {
		struct symbol *sym = find_symbol(e->s, start, (size_t)(end - start));

		if (!sym)
			return fail(e->s,
				    "unknown value '$%.*s' in '%s' (define it with mmap, set, "
				    "gup ... as NAME)",
				    (int)(end - start), start, e->text);
		*v = sym->kind == SYM_VALUE ? sym->value : (sym->set.released ? 0 : sym->set.nr);
	} else if ((err = lookup_name(errno_names, start, (size_t)(end - start)))) {
		*v = (long)err->value;
	} else if ((size_t)(end - start) == 9 && !strncmp(start, "PAGE_SIZE", 9)) {
		*v = PAGE_SIZE;
	} else if ((size_t)(end - start) == 4 && !strncmp(start, "true", 4)) {
		*v = 1;
	} else if ((size_t)(end - start) == 5 && !strncmp(start, "false", 5)) {
		*v = 0;
	} else {
		return expr_fail(e, "a number, $name, PAGE_SIZE, true, false or an errno name");
	}
	e->p = end;
	return true;
}

static bool expr_primary(struct expr *e, long *v)
{
	if (*e->p == '-') {
		e->p++;
		if (!expr_primary(e, v))
			return false;
		*v = (long)(0UL - (unsigned long)*v);
		return true;
	}
	if (*e->p == '(') {
		e->p++;
		if (!expr_sum(e, v))
			return false;
		if (*e->p != ')')
			return expr_fail(e, "')'");
		e->p++;
		return true;
	}
	if (isdigit((unsigned char)*e->p))
		return expr_number(e, v);
	if (*e->p == '$' || isalpha((unsigned char)*e->p))
		return expr_name(e, v);
	return expr_fail(e, "a number, $name or '('");
}

static bool expr_product(struct expr *e, long *v)
{
	if (!expr_primary(e, v))
		return false;
	while (*e->p == '*' || *e->p == '/' || *e->p == '%') {
		char op = *e->p++;
		long r;

		if (!expr_primary(e, &r))
			return false;
		if (op == '*') {
			*v = (long)((unsigned long)*v * (unsigned long)r);
		} else {
			if (r == 0 || (r == -1 && *v == LONG_MIN))
				return fail(e->s,
					    "bad expression '%s': division by zero or overflow",
					    e->text);
			*v = op == '/' ? *v / r : *v % r;
		}
	}
	return true;
}

static bool expr_sum(struct expr *e, long *v)
{
	if (!expr_product(e, v))
		return false;
	while (*e->p == '+' || *e->p == '-') {
		char op = *e->p++;
		long r;

		if (!expr_product(e, &r))
			return false;
		*v = (long)(op == '+' ? (unsigned long)*v + (unsigned long)r
				      : (unsigned long)*v - (unsigned long)r);
	}
	return true;
}

/* Evaluate an expression (no spaces inside): 4K, $buf+2*4096, -EFAULT... */
static bool eval_text(struct script *s, const char *text, long *v)
{
	struct expr e = {.s = s, .text = text, .p = text};

	if (!expr_sum(&e, v))
		return false;
	if (*e.p)
		return expr_fail(&e, "an operator (+ - * / %) or the end");
	return true;
}

static bool eval_word(struct script *s, const struct word *w, long *v)
{
	if (w->kind != W_WORD)
		return fail(s, "expected a number or expression, got a string");
	return eval_text(s, w->key ? w->val : w->text, v);
}

/* An expression that must lie in [min, max], described as @what in errors. */
static bool eval_range(struct script *s, const struct word *w, long min, long max, const char *what,
		       long *v)
{
	if (!eval_word(s, w, v))
		return false;
	if (*v < min || *v > max)
		return fail(s, "expected %s from %ld to %ld, got %ld", what, min, max, *v);
	return true;
}

static bool eval_addr(struct script *s, const struct word *w, unsigned long *addr)
{
	long v = 0;

	if (!eval_word(s, w, &v))
		return false;
	*addr = (unsigned long)v;
	return true;
}

/* --------------------------------------------------------------- arguments -- */

/* A command's words after its name: positional words and key=value options. */
struct args {
	struct word *pos[MAX_WORDS];
	int npos;
	struct word *kv[MAX_WORDS];
	int nkv;
};

static struct word *opt(struct args *a, const char *key)
{
	for (int i = 0; i < a->nkv; i++)
		if (!strcmp(a->kv[i]->key, key))
			return a->kv[i];
	return NULL;
}

static bool is_word(const struct word *w, const char *text)
{
	return w && w->kind == W_WORD && !w->key && !strcmp(w->text, text);
}

/* Take a trailing "as NAME" off the positional words. */
static const char *take_as(struct args *a)
{
	if (a->npos >= 2 && is_word(a->pos[a->npos - 2], "as")) {
		a->npos -= 2;
		return a->pos[a->npos + 1]->text;
	}
	return NULL;
}

/* Take an optional trailing keyword (dirty, onfault, force...) off the positional words. */
static bool take_flag_word(struct args *a, const char *text)
{
	if (a->npos && is_word(a->pos[a->npos - 1], text)) {
		a->npos--;
		return true;
	}
	return false;
}

static bool parse_table_list(struct script *s, const char *list, const struct named_value *table,
			     const char *what, unsigned long *out)
{
	const char *p = list;

	*out = 0;
	if (isdigit((unsigned char)*p)) {
		long v = 0;

		if (!eval_text(s, p, &v))
			return false;
		*out = (unsigned long)v;
		return true;
	}
	while (*p) {
		size_t len = strcspn(p, ",|");
		const struct named_value *e = lookup_name(table, p, len);

		if (!e)
			return fail(s, "expected %s, got '%.*s'", what, (int)len, p);
		*out |= e->value;
		p += len;
		if (*p)
			p++;
	}
	return true;
}

/* "rw", "r-x", "rwx", "r", "none" -> PROT_*. */
static bool parse_prot(struct script *s, const char *text, unsigned long *prot)
{
	static const char letters[] = "rwx";
	static const unsigned long bits[] = {PROT_READ, PROT_WRITE, PROT_EXEC};
	size_t len = strlen(text);

	*prot = 0;
	if (!strcmp(text, "none"))
		return true;
	if (!len || len > 3)
		goto bad;
	for (size_t i = 0; i < len; i++) {
		const char *hit = strchr(letters, text[i]);

		if (text[i] == '-' && len == 3)
			continue;
		if (!hit || (len == 3 && hit - letters != (long)i))
			goto bad;
		*prot |= bits[hit - letters];
	}
	return true;
bad:
	return fail(s, "expected a prot like rw or r-x (or none), got '%s'", text);
}

/* ---------------------------------------------------------------- machine -- */

static bool boot_machine(struct script *s, unsigned long mem, unsigned long movable)
{
	struct sim_config cfg = {.mem_bytes = mem, .movable_bytes = movable};
	int err = sim_boot(&cfg);

	if (err)
		return fail(s,
			    "cannot boot the machine: %s (sizes must be multiples of 4M, mem at "
			    "least 8M)",
			    NUM(err));
	s->booted = true;
	return true;
}

static bool need_machine(struct script *s)
{
	return s->booted || boot_machine(s, DEFAULT_MEM, 0);
}

static bool need_task(struct script *s)
{
	if (!need_machine(s))
		return false;
	if (!s->cur)
		return fail(s, "no current task: create one with `task NAME` (or `switch NAME`)");
	set_current(s->cur);
	return true;
}

/* Record and print the result of a library call. */
static void report(struct script *s, const char *call, long ret)
{
	s->ret = ret;
	say(s, "  %s = %s\n", call, NUM(ret));
}

/* ----------------------------------------------------------- data display -- */

static void print_escaped(FILE *out, const unsigned char *b, size_t n)
{
	fputc('"', out);
	for (size_t i = 0; i < n; i++) {
		if (b[i] == '"' || b[i] == '\\')
			fprintf(out, "\\%c", b[i]);
		else if (b[i] == '\n')
			fputs("\\n", out);
		else if (b[i] == 0)
			fputs("\\0", out);
		else if (isprint(b[i]))
			fputc(b[i], out);
		else
			fprintf(out, "\\x%02x", b[i]);
	}
	fputc('"', out);
}

/* Short data as one string, long data as a hexdump with repeated lines folded. */
static void print_bytes(struct script *s, unsigned long base, const unsigned char *b, size_t n)
{
	bool folded = false;

	if (n <= SHORT_DUMP) {
		fputs("  ", s->out);
		print_escaped(s->out, b, n);
		fputc('\n', s->out);
		return;
	}
	for (size_t off = 0; off < n; off += 16) {
		size_t len = n - off < 16 ? n - off : 16;

		if (off && len == 16 && off + 16 <= n && !memcmp(b + off, b + off - 16, 16)) {
			if (!folded)
				show(s, "  *\n");
			folded = true;
			continue;
		}
		folded = false;
		show(s, "  %012lx ", base + off);
		for (size_t i = 0; i < 16; i++)
			i < len ? show(s, " %02x", b[off + i]) : show(s, "   ");
		show(s, "  |");
		for (size_t i = 0; i < len; i++)
			fputc(isprint(b[off + i]) ? b[off + i] : '.', s->out);
		show(s, "|\n");
	}
}

/* Bytes to write: a "string" word, or byte=B with len=N. Caller frees *buf. */
static bool data_operand(struct script *s, struct args *a, int at, unsigned char **buf, size_t *len)
{
	struct word *byte = opt(a, "byte"), *lenw = opt(a, "len");
	long b = 0, n = 1;

	if (at < a->npos && a->pos[at]->kind == W_STRING) {
		n = (long)a->pos[at]->len;
	} else if (!byte) {
		return fail(s, "expected a \"string\" or byte=B [len=N] to write");
	} else if (!eval_range(s, byte, 0, 255, "a byte", &b) ||
		   (lenw && !eval_range(s, lenw, 1, MAX_IO, "a length", &n))) {
		return false;
	}
	*buf = malloc((size_t)n + 1);
	if (!*buf)
		return fail(s, "out of host memory");
	if (byte)
		memset(*buf, (int)b, (size_t)n);
	else
		memcpy(*buf, a->pos[at]->text, (size_t)n);
	*len = (size_t)n;
	return true;
}

/* ------------------------------------------------------------- page facts -- */

enum page_field {
	PF_PRESENT,
	PF_PFN,
	PF_ZERO,
	PF_EXCLUSIVE,
	PF_SHARED,
	PF_ANON,
	PF_REFCOUNT,
	PF_MAPCOUNT,
	PF_PINS,
	PF_MAYBE_PINNED,
	PF_DIRTY,
	PF_MLOCKED,
	PF_WRITABLE, /* from here on: PTE bits, known only for addresses */
	PF_PTE_DIRTY,
	PF_YOUNG,
	NR_PAGE_FIELDS
};

static const char *const page_field_names[NR_PAGE_FIELDS] = {
	"present", "pfn",      "zero",	   "exclusive", "shared",
	"anon",	   "refcount", "mapcount", "pins",	"maybe_pinned",
	"dirty",   "mlocked",  "writable", "pte_dirty", "young",
};

struct page_facts {
	long f[NR_PAGE_FIELDS];
	bool has_pte;
};

/*
 * Pins on a page without a compound pincount: exact where the library keeps its
 * debug accounting, otherwise the kernel's own estimate from the bias.
 */
static long small_page_pins(struct page *head)
{
#ifdef CONFIG_DEBUG_VM
	return atomic_read(&head->dbg_gup_pins);
#else
	return page_ref_count(head) / GUP_PIN_COUNTING_BIAS;
#endif
}

static void page_struct_facts(struct page *page, struct page_facts *pf)
{
	struct page *head = compound_head(page);

	pf->f[PF_PRESENT] = 1;
	pf->f[PF_PFN] = (long)page_to_pfn(page);
	pf->f[PF_ZERO] = is_zero_pfn(page_to_pfn(page));
	pf->f[PF_ANON] = PageAnon(page);
	pf->f[PF_REFCOUNT] = page_count(page);
	pf->f[PF_MAPCOUNT] = page_mapcount(page);
	pf->f[PF_PINS] =
		hpage_pincount_available(head) ? compound_pincount(head) : small_page_pins(head);
	pf->f[PF_MAYBE_PINNED] = page_maybe_dma_pinned(page);
	pf->f[PF_DIRTY] = PageDirty(head);
	pf->f[PF_MLOCKED] = PageMlocked(head);
}

/* Facts about what the current task maps at @addr, as pagemap and the PTE tell. */
static bool addr_facts(struct script *s, unsigned long addr, struct page_facts *pf)
{
	struct mm_struct *mm = s->cur->mm;
	uint64_t pm;
	pte_t *ptep;
	int err = pagemap_read(mm, addr, &pm);

	memset(pf, 0, sizeof(*pf));
	pf->has_pte = true;
	if (err)
		return fail(s, "expected a user address, got %#lx (%s)", addr, NUM(err));
	if (!(pm & PM_PRESENT))
		return true;
	if (pfn_valid(pm & PM_PFRAME_MASK))
		page_struct_facts(pfn_to_page(pm & PM_PFRAME_MASK), pf);
	pf->f[PF_PRESENT] = 1;
	pf->f[PF_PFN] = (long)(pm & PM_PFRAME_MASK);
	pf->f[PF_EXCLUSIVE] = !!(pm & PM_MMAP_EXCLUSIVE);
	pf->f[PF_SHARED] = !!(pm & PM_FILE);
	mmap_read_lock(mm);
	ptep = mm_find_pte(mm, addr, NULL);
	if (ptep) {
		pte_t pte = ptep_get(ptep);

		pf->f[PF_WRITABLE] = pte_write(pte);
		pf->f[PF_PTE_DIRTY] = pte_dirty(pte);
		pf->f[PF_YOUNG] = pte_young(pte);
	}
	mmap_read_unlock(mm);
	return true;
}

/* "NAME[i]": the i-th page a page set holds. */
static bool set_page_ref(struct script *s, const char *text, struct page **page)
{
	const char *open = strchr(text, '[');
	size_t len = strlen(text);
	char name[MAX_NAME + 1], index[MAX_LINE];
	struct page_set *set;
	long i;

	if (!open || text[len - 1] != ']' || open == text || (size_t)(open - text) > MAX_NAME)
		return fail(s, "expected NAME[INDEX], got '%s'", text);
	snprintf(name, sizeof(name), "%.*s", (int)(open - text), text);
	snprintf(index, sizeof(index), "%.*s", (int)(len - (size_t)(open - text) - 2), open + 1);
	set = find_set(s, name);
	if (!set || !eval_text(s, index, &i))
		return false;
	if (set->released)
		return fail(s, "'%s' was released (unpin/put): its pages may be gone", name);
	if (i < 0 || i >= set->nr)
		return fail(s, "expected an index from 0 to %ld for '%s', got %ld", set->nr - 1,
			    name, i);
	*page = set->pages[i];
	return true;
}

/* A page reference: NAME[i] (a page set's page) or an address in the current task. */
static bool page_facts(struct script *s, const struct word *w, struct page_facts *pf)
{
	unsigned long addr;
	struct page *page;

	if (w->kind == W_WORD && strchr(w->text, '[')) {
		if (!set_page_ref(s, w->text, &page))
			return false;
		memset(pf, 0, sizeof(*pf));
		page_struct_facts(page, pf);
		return true;
	}
	if (!need_task(s) || !eval_addr(s, w, &addr))
		return false;
	return addr_facts(s, addr, pf);
}

static bool page_field(struct script *s, const struct page_facts *pf, const char *name, long *v)
{
	for (int i = 0; i < NR_PAGE_FIELDS; i++) {
		if (strcmp(name, page_field_names[i]))
			continue;
		if (i >= PF_WRITABLE && !pf->has_pte)
			return fail(s, "'%s' is a PTE bit: ask with an address, not NAME[i]", name);
		*v = pf->f[i];
		return true;
	}
	return fail(s,
		    "expected a page field (present pfn zero exclusive shared anon refcount "
		    "mapcount pins maybe_pinned dirty mlocked writable pte_dirty young), got '%s'",
		    name);
}

static void print_page_facts(struct script *s, const char *label, const struct page_facts *pf)
{
	show(s, "  page %s:", label);
	for (int i = 0; i < NR_PAGE_FIELDS; i++) {
		if (i >= PF_WRITABLE && !pf->has_pte)
			break;
		if (i == PF_PFN)
			show(s, " pfn=%#lx", (unsigned long)pf->f[i]);
		else
			show(s, " %s=%ld", page_field_names[i], pf->f[i]);
	}
	show(s, "\n");
}

/* --------------------------------------------------------------- VMA facts -- */

static bool vma_field(struct script *s, unsigned long addr, const char *name, long *v)
{
	struct mm_struct *mm = s->cur->mm;
	struct vm_area_struct *vma;
	const struct named_value *flag = lookup_name(vm_flag_names, name, strlen(name));
	bool known = flag || !strcmp(name, "exists") || !strcmp(name, "start") ||
		     !strcmp(name, "end") || !strcmp(name, "flags");

	if (!known)
		return fail(s,
			    "expected a VMA field (exists start end flags, or a VmFlags "
			    "mnemonic like rd wr lo dc wf), got '%s'",
			    name);
	mmap_read_lock(mm);
	vma = find_vma(mm, addr);
	if (vma && vma->vm_start > addr)
		vma = NULL;
	if (!strcmp(name, "exists"))
		*v = vma != NULL;
	else if (!vma)
		*v = 0;
	else if (!strcmp(name, "start"))
		*v = (long)vma->vm_start;
	else if (!strcmp(name, "end"))
		*v = (long)vma->vm_end;
	else if (!strcmp(name, "flags"))
		*v = (long)vma->vm_flags;
	else
		*v = !!(vma->vm_flags & flag->value);
	mmap_read_unlock(mm);
	return true;
}

/* ----------------------------------------------------------- page tables -- */

enum pt_level { PT_PGD, PT_PUD, PT_PMD, PT_PTE };

/* Called for every non-empty entry of [start, end); return false to skip its table. */
typedef bool (*pt_visit_fn)(void *ctx, enum pt_level level, unsigned long addr, unsigned long index,
			    unsigned long val);

static bool table_entry_descends(unsigned long val)
{
	return (val & _PAGE_PRESENT) && !(val & _PAGE_PSE);
}

static void walk_ptes(pmd_t *pmd, unsigned long addr, unsigned long end, pt_visit_fn fn, void *ctx)
{
	for (; addr < end; addr += PAGE_SIZE) {
		pte_t pte = ptep_get(pte_offset_map(pmd, addr));

		if (!pte_none(pte))
			fn(ctx, PT_PTE, addr, pte_index(addr), pte_val(pte));
	}
}

static void walk_pmds(pud_t *pud, unsigned long addr, unsigned long end, pt_visit_fn fn, void *ctx)
{
	for (unsigned long next; addr < end; addr = next) {
		pmd_t *pmd = pmd_offset(pud, addr);
		pmd_t val = pmdp_get(pmd);

		next = pmd_addr_end(addr, end);
		if (pmd_none(val) || !fn(ctx, PT_PMD, addr, pmd_index(addr), pmd_val(val)))
			continue;
		if (table_entry_descends(pmd_val(val)))
			walk_ptes(pmd, addr, next, fn, ctx);
	}
}

static void walk_puds(p4d_t *p4d, unsigned long addr, unsigned long end, pt_visit_fn fn, void *ctx)
{
	for (unsigned long next; addr < end; addr = next) {
		pud_t *pud = pud_offset(p4d, addr);
		pud_t val = __pud(READ_ONCE(pud->pud));

		next = pud_addr_end(addr, end);
		if (pud_none(val) || !fn(ctx, PT_PUD, addr, pud_index(addr), pud_val(val)))
			continue;
		if (table_entry_descends(pud_val(val)))
			walk_pmds(pud, addr, next, fn, ctx);
	}
}

/* Visit the page-table entries of @mm covering [start, end); caller holds mmap_lock. */
static void walk_tables(struct mm_struct *mm, unsigned long start, unsigned long end,
			pt_visit_fn fn, void *ctx)
{
	for (unsigned long addr = start, next; addr < end; addr = next) {
		pgd_t *pgd = pgd_offset(mm, addr);
		pgd_t val = __pgd(READ_ONCE(pgd->pgd));

		next = pgd_addr_end(addr, end);
		if (pgd_none(val) || !fn(ctx, PT_PGD, addr, pgd_index(addr), pgd_val(val)))
			continue;
		if (table_entry_descends(pgd_val(val)))
			walk_puds(p4d_offset(pgd, addr), addr, next, fn, ctx);
	}
}

static void decode_entry_bits(char *buf, size_t size, enum pt_level level, unsigned long val)
{
	static const struct named_value bits[] = {
		{"P", _PAGE_PRESENT},
		{"RW", _PAGE_RW},
		{"US", _PAGE_USER},
		{"PWT", _PAGE_PWT},
		{"PCD", _PAGE_PCD},
		{"A", _PAGE_ACCESSED},
		{"D", _PAGE_DIRTY},
		{"PSE", _PAGE_PSE},
		{"G", _PAGE_GLOBAL},
		{"SPECIAL", _PAGE_SPECIAL},
		{"DEVMAP", _PAGE_DEVMAP},
		{"NX", _PAGE_NX},
		{NULL, 0},
	};
	size_t used = 0;

	buf[0] = '\0';
	for (const struct named_value *b = bits; b->name && used < size; b++) {
		const char *name = b->name;

		if (!(val & b->value))
			continue;
		if (b->value == _PAGE_GLOBAL && !(val & _PAGE_PRESENT))
			name = "PROTNONE";
		else if (b->value == _PAGE_PSE && level == PT_PTE)
			name = "PAT";
		used += snprintf(buf + used, size - used, "%s%s", used ? " " : "", name);
	}
	if (!(val & (_PAGE_PRESENT | _PAGE_PROTNONE)) && used < size)
		snprintf(buf + used, size - used, "%sswap/migration entry", used ? " " : "");
}

static bool print_pt_entry(void *ctx, enum pt_level level, unsigned long addr, unsigned long index,
			   unsigned long val)
{
	static const char *const names[] = {"pgd", "pud", "pmd", "pte"};
	struct script *s = ctx;
	unsigned long pfn = (val & PTE_PFN_MASK) >> PAGE_SHIFT;
	char bits[160];

	decode_entry_bits(bits, sizeof(bits), level, val);
	show(s, "  %*s%s[%3lu] %012lx: %#018lx pfn %#lx %s", 2 * (int)level, "", names[level],
	     index, addr, val, pfn, bits);
	if (level == PT_PTE && (val & (_PAGE_PRESENT | _PAGE_PROTNONE)) && pfn_valid(pfn)) {
		struct page *page = pfn_to_page(pfn);

		if (is_zero_pfn(pfn))
			show(s, "  -> zero page");
		else
			show(s, "  -> %s refcount=%d mapcount=%d", PageAnon(page) ? "anon" : "page",
			     page_count(page), page_mapcount(page));
	}
	show(s, "\n");
	return true;
}

/* ------------------------------------------------------------ maps, smaps -- */

static const char *vma_name(struct vm_area_struct *vma)
{
	if (vma->vm_ops && vma->vm_ops->name)
		return vma->vm_ops->name(vma);
	if (vma->vm_flags & VM_GROWSDOWN)
		return "[stack]";
	return vma->vm_file ? "/dev/zero (deleted)" : "";
}

static void print_maps_line(struct script *s, struct vm_area_struct *vma)
{
	vm_flags_t f = vma->vm_flags;

	show(s, "  %08lx-%08lx %c%c%c%c %08lx 00:00 0 %s\n", vma->vm_start, vma->vm_end,
	     f & VM_READ ? 'r' : '-', f & VM_WRITE ? 'w' : '-', f & VM_EXEC ? 'x' : '-',
	     f & VM_MAYSHARE ? 's' : 'p', vma->vm_file ? vma->vm_pgoff << PAGE_SHIFT : 0,
	     vma_name(vma));
}

struct smaps_count {
	struct vm_area_struct *vma;
	unsigned long rss, anon, pinned;
};

static bool count_smaps_entry(void *ctx, enum pt_level level, unsigned long addr,
			      unsigned long index, unsigned long val)
{
	struct smaps_count *c = ctx;
	unsigned long nr = level == PT_PMD ? HPAGE_PMD_NR : 1;
	struct page *page;

	(void)index;
	if (level != PT_PTE && !(level == PT_PMD && (val & _PAGE_PSE)))
		return true;
	if (!(val & (_PAGE_PRESENT | _PAGE_PROTNONE)))
		return false;
	page = level == PT_PTE ? vm_normal_page(c->vma, addr, __pte(val))
			       : pfn_to_page((val & PTE_PFN_MASK) >> PAGE_SHIFT);
	if (!page)
		return false;
	c->rss += nr;
	if (PageAnon(page))
		c->anon += nr;
	if (page_maybe_dma_pinned(page))
		c->pinned += nr;
	return false;
}

static void print_smaps_vma(struct script *s, struct vm_area_struct *vma)
{
	struct smaps_count c = {.vma = vma};
	unsigned long kb = PAGE_SIZE >> 10;

	walk_tables(vma->vm_mm, vma->vm_start, vma->vm_end, count_smaps_entry, &c);
	print_maps_line(s, vma);
	show(s, "  Size:           %8lu kB\n", (vma->vm_end - vma->vm_start) >> 10);
	show(s, "  Rss:            %8lu kB\n", c.rss * kb);
	show(s, "  Anonymous:      %8lu kB\n", c.anon * kb);
	show(s, "  Locked:         %8lu kB\n", vma->vm_flags & VM_LOCKED ? c.rss * kb : 0);
	show(s, "  Pinned:         %8lu kB\n", c.pinned * kb);
	show(s, "  VmFlags:");
	for (const struct named_value *e = vm_flag_names; e->name; e++)
		if (vma->vm_flags & e->value)
			show(s, " %s", e->name);
	show(s, "\n");
}

/* ======================================================== the commands ===== */

typedef bool (*cmd_fn)(struct script *s, struct args *a);

/* ---------------------------------------------------------- boot and tasks -- */

static bool size_option(struct script *s, struct args *a, const char *key, unsigned long *v)
{
	struct word *w = opt(a, key);
	long n;

	if (!w)
		return true;
	if (!eval_range(s, w, 0, (long)MAX_MEM, "a size", &n))
		return false;
	*v = (unsigned long)n;
	return true;
}

static bool cmd_boot(struct script *s, struct args *a)
{
	unsigned long mem = DEFAULT_MEM, movable = 0;

	if (s->booted)
		return fail(s, "`boot` must come before every command that uses the machine");
	if (a->npos)
		return fail(s, "usage: boot [mem=SIZE] [movable=SIZE]");
	if (!size_option(s, a, "mem", &mem) || !size_option(s, a, "movable", &movable))
		return false;
	if (!boot_machine(s, mem, movable))
		return false;
	say(s, "  booted: %lu pages (%lu MiB normal, %lu MiB movable), %lu free\n",
	    sim_total_pages(), mem >> 20, movable >> 20, sim_free_pages());
	return true;
}

static bool cmd_task(struct script *s, struct args *a)
{
	struct task_struct *t;

	if (a->npos != 1)
		return fail(s, "usage: task NAME");
	if (!need_machine(s) || !check_new_task_name(s, a->pos[0]->text))
		return false;
	t = task_create(a->pos[0]->text);
	if (!t)
		return fail(s, "task_create failed: out of simulated memory");
	if (!add_task(s, a->pos[0]->text, t))
		return false;
	s->cur = t;
	set_current(t);
	say(s, "  task %s: pid %d, now current\n", a->pos[0]->text, t->pid);
	return true;
}

static bool cmd_fork(struct script *s, struct args *a)
{
	const char *child_name = take_as(a);
	char fallback[MAX_NAME + 8];
	struct task_struct *parent, *child;

	if (a->npos != 1)
		return fail(s, "usage: fork NAME [as CHILD]");
	if (!need_machine(s) || !(parent = find_task(s, a->pos[0]->text)))
		return false;
	if (!child_name) {
		snprintf(fallback, sizeof(fallback), "%s_child", a->pos[0]->text);
		child_name = fallback;
	}
	if (!check_new_task_name(s, child_name))
		return false;
	set_current(parent);
	errno = 0;
	child = sys_fork();
	set_current(s->cur);
	if (!child) {
		report(s, "fork", -(long)(errno ? errno : ENOMEM));
		return true;
	}
	s->ret = child->pid;
	say(s, "  fork: %s (pid %d) -> %s (pid %d)\n", a->pos[0]->text, parent->pid, child_name,
	    child->pid);
	return add_task(s, child_name, child);
}

static bool cmd_thread(struct script *s, struct args *a)
{
	const char *name = take_as(a);
	struct task_struct *t, *thread;

	if (a->npos != 1 || !name)
		return fail(s, "usage: thread NAME as THREAD");
	if (!need_machine(s) || !(t = find_task(s, a->pos[0]->text)) ||
	    !check_new_task_name(s, name))
		return false;
	thread = task_clone_thread(t);
	if (!thread)
		return fail(s, "task_clone_thread failed: out of memory");
	say(s, "  thread %s: pid %d sharing %s's address space\n", name, thread->pid,
	    a->pos[0]->text);
	return add_task(s, name, thread);
}

static bool cmd_switch(struct script *s, struct args *a)
{
	struct task_struct *t;

	if (a->npos != 1)
		return fail(s, "usage: switch NAME");
	if (!need_machine(s) || !(t = find_task(s, a->pos[0]->text)))
		return false;
	s->cur = t;
	set_current(t);
	return true;
}

static bool cmd_kill(struct script *s, struct args *a)
{
	struct task_struct *t;

	if (a->npos != 1)
		return fail(s, "usage: kill NAME");
	if (!need_machine(s) || !(t = find_task(s, a->pos[0]->text)))
		return false;
	task_kill(t);
	return true;
}

static bool cmd_exit(struct script *s, struct args *a)
{
	struct task_slot *slot;

	if (a->npos != 1)
		return fail(s, "usage: exit NAME");
	if (!need_machine(s))
		return false;
	slot = find_task_slot(s, a->pos[0]->text);
	if (!slot)
		return fail(s, "expected the name of a live task, got '%s'", a->pos[0]->text);
	if (slot->task == s->cur)
		s->cur = NULL;
	task_exit(slot->task);
	slot->task = NULL;
	set_current(s->cur);
	return true;
}

static bool cmd_tasks(struct script *s, struct args *a)
{
	if (a->npos)
		return fail(s, "usage: tasks");
	if (!need_machine(s))
		return false;
	for (int i = 0; i < MAX_TASKS; i++) {
		struct task_struct *t = s->tasks[i].task;

		if (t)
			show(s, "  %-12s pid %d tgid %d mm %u%s%s\n", s->tasks[i].name, t->pid,
			     t->tgid, t->mm->id, fatal_signal_pending(t) ? " killed" : "",
			     t == s->cur ? " (current)" : "");
	}
	return true;
}

/* ----------------------------------------------------------- mapping calls -- */

static bool cmd_mmap(struct script *s, struct args *a)
{
	struct word *len = opt(a, "len"), *prot = opt(a, "prot"), *flags = opt(a, "flags");
	struct word *addr = opt(a, "addr");
	unsigned long p = PROT_READ | PROT_WRITE, f = MAP_PRIVATE, at = 0, ret;
	long n;

	if (a->npos != 1 || !len)
		return fail(s, "usage: mmap NAME len=LEN [prot=rw] [flags=private|shared[,...]] "
			       "[addr=ADDR]");
	if (!check_name(s, a->pos[0]->text, "value") || !need_task(s) || !eval_word(s, len, &n) ||
	    (prot && !parse_prot(s, prot->val, &p)) ||
	    (flags && !parse_table_list(s, flags->val, mmap_flag_names,
					"mmap flags like private,populate", &f)) ||
	    (addr && !eval_addr(s, addr, &at)))
		return false;
	ret = sys_mmap(at, (unsigned long)n, p, f | MAP_ANONYMOUS, -1, 0);
	s->ret = (long)ret;
	if (!set_value(s, a->pos[0]->text, (long)ret))
		return false;
	say(s, "  $%s = %s\n", a->pos[0]->text, NUM((long)ret));
	return true;
}

/* The ADDR LEN pair most mapping calls start with. */
static bool addr_len(struct script *s, struct args *a, unsigned long *addr, unsigned long *len)
{
	long n;

	if (!need_task(s) || !eval_addr(s, a->pos[0], addr) || !eval_word(s, a->pos[1], &n))
		return false;
	*len = (unsigned long)n;
	return true;
}

static bool cmd_munmap(struct script *s, struct args *a)
{
	unsigned long addr, len;

	if (a->npos != 2)
		return fail(s, "usage: munmap ADDR LEN");
	if (!addr_len(s, a, &addr, &len))
		return false;
	report(s, "munmap", sys_munmap(addr, len));
	return true;
}

static bool cmd_mprotect(struct script *s, struct args *a)
{
	unsigned long addr, len, prot;

	if (a->npos != 3)
		return fail(s, "usage: mprotect ADDR LEN PROT");
	if (!addr_len(s, a, &addr, &len) || !parse_prot(s, a->pos[2]->text, &prot))
		return false;
	report(s, "mprotect", sys_mprotect(addr, len, prot));
	return true;
}

static bool cmd_madvise(struct script *s, struct args *a)
{
	unsigned long addr, len;
	const struct named_value *adv;

	if (a->npos != 3)
		return fail(s, "usage: madvise ADDR LEN ADVICE");
	if (!addr_len(s, a, &addr, &len))
		return false;
	adv = lookup_name(madvise_names, a->pos[2]->text, a->pos[2]->len);
	if (!adv)
		return fail(s,
			    "expected an advice (dontneed dontfork dofork wipeonfork keeponfork "
			    "populate_read populate_write normal random sequential willneed), "
			    "got '%s'",
			    a->pos[2]->text);
	report(s, "madvise", sys_madvise(addr, len, (int)adv->value));
	return true;
}

static bool cmd_mlock(struct script *s, struct args *a)
{
	bool onfault = take_flag_word(a, "onfault");
	unsigned long addr, len;

	if (a->npos != 2)
		return fail(s, "usage: mlock ADDR LEN [onfault]");
	if (!addr_len(s, a, &addr, &len))
		return false;
	report(s, onfault ? "mlock2" : "mlock",
	       onfault ? sys_mlock2(addr, len, MLOCK_ONFAULT) : sys_mlock(addr, len));
	return true;
}

static bool cmd_munlock(struct script *s, struct args *a)
{
	unsigned long addr, len;

	if (a->npos != 2)
		return fail(s, "usage: munlock ADDR LEN");
	if (!addr_len(s, a, &addr, &len))
		return false;
	report(s, "munlock", sys_munlock(addr, len));
	return true;
}

/* -------------------------------------------------------- the task's bytes -- */

/* Store @buf at @addr as the current task; ret is 0 or -EFAULT. */
static void user_write(struct script *s, unsigned long addr, const unsigned char *buf, size_t len)
{
	unsigned long left = copy_to_user(addr, buf, len);

	s->ret = left ? -EFAULT : 0;
	if (left)
		say(s, "  write = -EFAULT after %lu of %zu bytes\n", len - left, len);
	else
		say(s, "  wrote %zu bytes\n", len);
}

static bool cmd_write(struct script *s, struct args *a)
{
	unsigned char *buf;
	unsigned long addr;
	size_t len;

	if (a->npos < 1 || a->npos > 2)
		return fail(s, "usage: write ADDR \"text\" | write ADDR byte=B [len=N]");
	if (!need_task(s) || !eval_addr(s, a->pos[0], &addr) || !data_operand(s, a, 1, &buf, &len))
		return false;
	user_write(s, addr, buf, len);
	free(buf);
	return true;
}

static bool cmd_fill(struct script *s, struct args *a)
{
	unsigned char chunk[4096];
	unsigned long addr, len;
	long byte;

	if (a->npos != 3)
		return fail(s, "usage: fill ADDR LEN BYTE");
	if (!addr_len(s, a, &addr, &len) || !eval_range(s, a->pos[2], 0, 255, "a byte", &byte))
		return false;
	if (len > MAX_FILL)
		return fail(s, "expected a length up to %lu, got %lu", MAX_FILL, len);
	memset(chunk, (int)byte, sizeof(chunk));
	s->ret = 0;
	for (unsigned long done = 0; done < len;) {
		unsigned long n = len - done < sizeof(chunk) ? len - done : sizeof(chunk);

		if (copy_to_user(addr + done, chunk, n)) {
			s->ret = -EFAULT;
			break;
		}
		done += n;
	}
	report(s, "fill", s->ret);
	return true;
}

/* Read @len bytes at @addr as the current task into a new buffer; *got says how many. */
static unsigned char *user_read(struct script *s, unsigned long addr, long len, size_t *got)
{
	unsigned char *buf = calloc(1, (size_t)len + 1);

	if (!buf) {
		fail(s, "out of host memory");
		return NULL;
	}
	*got = (size_t)len - copy_from_user(buf, addr, (unsigned long)len);
	s->ret = *got == (size_t)len ? 0 : -EFAULT;
	return buf;
}

static bool cmd_read(struct script *s, struct args *a)
{
	unsigned long addr;
	unsigned char *buf;
	size_t got = 0;
	long len;

	if (a->npos != 2)
		return fail(s, "usage: read ADDR LEN");
	if (!need_task(s) || !eval_addr(s, a->pos[0], &addr) ||
	    !eval_range(s, a->pos[1], 1, MAX_IO, "a length", &len))
		return false;
	buf = user_read(s, addr, len, &got);
	if (!buf)
		return false;
	print_bytes(s, addr, buf, got);
	if (got < (size_t)len)
		show(s, "  read = -EFAULT after %zu of %ld bytes\n", got, len);
	free(buf);
	return true;
}

/* Touch one byte of each page of [ADDR, ADDR+LEN): read faults, or write faults that keep data. */
static bool cmd_touch(struct script *s, struct args *a)
{
	bool write = take_flag_word(a, "write");
	unsigned long addr, len, end;

	if (a->npos != 2)
		return fail(s, "usage: touch ADDR LEN [write]");
	if (!addr_len(s, a, &addr, &len))
		return false;
	if (len > MAX_FILL || __builtin_add_overflow(addr, len, &end))
		return fail(s, "expected a length up to %lu, got %lu", MAX_FILL, len);
	s->ret = 0;
	for (unsigned long p = addr; p < end && !s->ret; p = (p | (PAGE_SIZE - 1)) + 1) {
		unsigned char byte;

		if (copy_from_user(&byte, p, 1) || (write && copy_to_user(p, &byte, 1)))
			s->ret = -EFAULT;
	}
	report(s, "touch", s->ret);
	return true;
}

/* ------------------------------------------------------------- GUP and pin -- */

/* The words that pick a flavour; the plain entry points have none. */
static const char *const flavour_words[NR_GUP_FLAVOURS] = {
	[GUP_PLAIN] = "",	 [GUP_FAST] = "fast",	  [GUP_FAST_ONLY] = "fast_only",
	[GUP_REMOTE] = "remote", [GUP_LOCKED] = "locked", [GUP_UNLOCKED] = "unlocked",
};

struct gup_call {
	bool pin;
	enum gup_flavour flavour;
	struct task_struct *remote;
	bool remote_locked;
	unsigned long start;
	long nr;
	unsigned int flags;
	struct page **pages;
	int locked; /* after the call: is mmap_lock still held (locked flavours) */
};

static long call_gup(struct gup_call *c)
{
	bool lock_may_drop = c->flavour == GUP_LOCKED || c->remote_locked;

	return gup_call_entry(gup_entry_of(c->pin, c->flavour), c->remote ? c->remote->mm : NULL,
			      c->start, c->nr, c->flags, c->pages, NULL,
			      lock_may_drop ? &c->locked : NULL);
}

/* [fast|fast_only|remote TASK [locked]|locked|unlocked] at the front of the words. */
static bool parse_flavour(struct script *s, struct args *a, int *at, struct gup_call *c)
{
	for (int f = GUP_FAST; f < NR_GUP_FLAVOURS; f++) {
		if (a->npos <= *at || !is_word(a->pos[*at], flavour_words[f]))
			continue;
		c->flavour = (enum gup_flavour)f;
		(*at)++;
		if (f != GUP_REMOTE)
			return true;
		if (a->npos <= *at || !(c->remote = find_task(s, a->pos[*at]->text)))
			return a->npos > *at ? false : fail(s, "expected a task after 'remote'");
		(*at)++;
		if (a->npos > *at + 2 && is_word(a->pos[*at], "locked")) {
			c->remote_locked = true;
			(*at)++;
		}
		return true;
	}
	return true;
}

/* Keep the pages a call returned under @name as a page set of @kind. */
static bool store_pages(struct script *s, const char *name, enum ref_kind kind, struct page **pages,
			long nr)
{
	struct symbol *sym = define_symbol(s, name);

	if (!sym) {
		/* The references must not leak unreported: give them back first. */
		for (long i = 0; i < nr; i++)
			kind == REF_PIN ? unpin_user_page(pages[i]) : put_page(pages[i]);
		free(pages);
		return false;
	}
	sym->kind = SYM_PAGES;
	sym->set.kind = kind;
	sym->set.pages = pages;
	sym->set.nr = nr > 0 ? nr : 0;
	sym->set.released = nr <= 0;
	return true;
}

/* store_pages() for calls that return one page or NULL. */
static bool store_single_page(struct script *s, const char *name, enum ref_kind kind,
			      struct page *page)
{
	struct page **pages = malloc(sizeof(*pages));

	if (!pages) {
		if (page)
			kind == REF_PIN ? unpin_user_page(page) : put_page(page);
		return fail(s, "out of host memory");
	}
	pages[0] = page;
	return store_pages(s, name, kind, pages, page ? 1 : 0);
}

static void list_pfns(struct script *s, struct page **pages, long nr)
{
	say(s, "    pfns:");
	for (long i = 0; i < nr && i < LISTED_PFNS; i++)
		say(s, " %#lx", page_to_pfn(pages[i]));
	say(s, "%s\n", nr > LISTED_PFNS ? " ..." : "");
}

static bool gup_args(struct script *s, struct args *a, struct gup_call *c, const char **name)
{
	struct word *flags = opt(a, "flags");
	unsigned long f = 0;
	long min_nr;
	int at = 0;

	*name = take_as(a);
	if (!need_task(s) || !parse_flavour(s, a, &at, c))
		return false;
	if (a->npos != at + 2)
		return fail(s,
			    "usage: %s [fast|fast_only|remote TASK [locked]|locked|unlocked] "
			    "ADDR NPAGES [flags=write,...] [as NAME]",
			    c->pin ? "pin" : "gup");
	/* The fast calls take an int and accept a negative count (they return 0). */
	min_nr = c->flavour == GUP_FAST || c->flavour == GUP_FAST_ONLY ? -MAX_GUP_PAGES : 0;
	if (!eval_addr(s, a->pos[at], &c->start) ||
	    !eval_range(s, a->pos[at + 1], min_nr, MAX_GUP_PAGES, "a page count", &c->nr) ||
	    (flags &&
	     !parse_table_list(s, flags->val, foll_names, "FOLL_ flags like write,force", &f)))
		return false;
	if (*name && !check_name(s, *name, "page set"))
		return false;
	c->flags = (unsigned int)f;
	return true;
}

static bool cmd_gup_common(struct script *s, struct args *a, bool pin)
{
	struct gup_call c = {.pin = pin};
	char flags[160], call[256];
	const char *name;
	long ret;

	if (!gup_args(s, a, &c, &name))
		return false;
	if (name) {
		c.pages = calloc((size_t)(c.nr > 0 ? c.nr : 1), sizeof(*c.pages));
		if (!c.pages)
			return fail(s, "out of host memory");
	}
	ret = call_gup(&c);
	print_foll_flags(flags, sizeof(flags), c.flags);
	snprintf(call, sizeof(call), "%s(%#lx, %ld, %s)",
		 gup_entry_names[gup_entry_of(c.pin, c.flavour)], c.start, c.nr, flags);
	report(s, call, ret);
	if ((c.flavour == GUP_LOCKED || c.remote_locked) && !c.locked)
		say(s, "    (mmap_lock was dropped: *locked = 0)\n");
	if (!name)
		return true;
	if (ret > 0)
		list_pfns(s, c.pages, ret);
	return store_pages(s, name, pin || (c.flags & FOLL_PIN) ? REF_PIN : REF_GET, c.pages, ret);
}

static bool cmd_gup(struct script *s, struct args *a)
{
	return cmd_gup_common(s, a, false);
}

static bool cmd_pin(struct script *s, struct args *a)
{
	return cmd_gup_common(s, a, true);
}

static bool release_set(struct script *s, struct args *a, enum ref_kind kind, bool dirty)
{
	struct page_set *set;

	if (a->npos != 1)
		return fail(s, kind == REF_PIN ? "usage: unpin NAME [dirty]" : "usage: put NAME");
	if (!need_machine(s) || !(set = find_set(s, a->pos[0]->text)))
		return false;
	if (set->released)
		return fail(s, "'%s' was already released (or holds no pages)", a->pos[0]->text);
	if (set->kind != kind)
		return fail(s, "'%s' holds %s: release it with `%s`", a->pos[0]->text,
			    set->kind == REF_PIN ? "pins (FOLL_PIN)" : "references (FOLL_GET)",
			    set->kind == REF_PIN ? "unpin" : "put");
	if (kind == REF_GET)
		for (long i = 0; i < set->nr; i++)
			put_page(set->pages[i]);
	else if (dirty)
		unpin_user_pages_dirty_lock(set->pages, (unsigned long)set->nr, true);
	else
		unpin_user_pages(set->pages, (unsigned long)set->nr);
	set->released = true;
	say(s, "  released %ld page(s)%s\n", set->nr, dirty ? ", marked dirty" : "");
	return true;
}

static bool cmd_unpin(struct script *s, struct args *a)
{
	return release_set(s, a, REF_PIN, take_flag_word(a, "dirty"));
}

static bool cmd_put(struct script *s, struct args *a)
{
	return release_set(s, a, REF_GET, false);
}

static bool cmd_follow(struct script *s, struct args *a)
{
	const char *name = take_as(a);
	struct word *flags = opt(a, "flags");
	struct vm_area_struct *vma;
	struct mm_struct *mm;
	unsigned long addr, f = 0;
	struct page *page = NULL;

	if (a->npos != 1)
		return fail(s, "usage: follow ADDR [flags=get,write,...] [as NAME]");
	if (!need_task(s) || !eval_addr(s, a->pos[0], &addr) ||
	    (flags && !parse_table_list(s, flags->val, foll_names, "FOLL_ flags", &f)) ||
	    (name && !check_name(s, name, "page set")))
		return false;
	if ((f & (FOLL_GET | FOLL_PIN)) && !name)
		return fail(s, "follow with flags=get or pin takes a reference: add `as NAME`");
	mm = s->cur->mm;
	mmap_read_lock(mm);
	vma = find_vma(mm, addr);
	if (vma && vma->vm_start <= addr)
		page = follow_page(vma, addr, (unsigned int)f);
	mmap_read_unlock(mm);
	if (IS_ERR_VALUE((unsigned long)page)) {
		report(s, "follow_page", (long)page);
		page = NULL;
	} else {
		s->ret = page ? (long)page_to_pfn(page) : 0;
		say(s, "  follow_page = %s\n", page ? NUM((long)page_to_pfn(page)) : "NULL");
	}
	if (!name || !(f & (FOLL_GET | FOLL_PIN)))
		return true;
	return store_single_page(s, name, f & FOLL_PIN ? REF_PIN : REF_GET, page);
}

static bool cmd_dump_page(struct script *s, struct args *a)
{
	const char *name = take_as(a);
	unsigned long addr;
	struct page *page;

	if (a->npos != 1 || !name)
		return fail(s, "usage: dump_page ADDR as NAME");
	if (!need_task(s) || !eval_addr(s, a->pos[0], &addr) || !check_name(s, name, "page set"))
		return false;
	page = get_dump_page(addr);
	s->ret = page ? 1 : 0;
	say(s, "  get_dump_page(%#lx) = %s\n", addr,
	    page ? NUM((long)page_to_pfn(page)) : "NULL (a hole in the dump)");
	return store_single_page(s, name, REF_GET, page);
}

/* ------------------------------------------------------- remote accessors -- */

static bool cmd_access(struct script *s, struct args *a, bool process)
{
	bool force = take_flag_word(a, "force");
	const char *fn = process ? "access_process_vm" : "access_remote_vm";
	struct task_struct *t;
	unsigned int flags = force ? FOLL_FORCE : 0;
	unsigned char *buf = NULL;
	unsigned long addr;
	size_t len = 0;
	long n = 0;
	int ret;

	if (a->npos < 3 || !(is_word(a->pos[2], "read") || is_word(a->pos[2], "write")))
		return fail(s,
			    "usage: %s TASK ADDR read LEN [force] | %s TASK ADDR write "
			    "\"text\" [force]",
			    process ? "access_process" : "access_remote",
			    process ? "access_process" : "access_remote");
	if (!need_machine(s) || !(t = find_task(s, a->pos[0]->text)) ||
	    !eval_addr(s, a->pos[1], &addr))
		return false;
	if (is_word(a->pos[2], "write")) {
		if (!data_operand(s, a, 3, &buf, &len))
			return false;
		flags |= FOLL_WRITE;
	} else {
		if (a->npos != 4 || !eval_range(s, a->pos[3], 1, MAX_IO, "a length", &n))
			return a->npos != 4 ? fail(s, "expected a length after 'read'") : false;
		len = (size_t)n;
		buf = calloc(1, len + 1);
		if (!buf)
			return fail(s, "out of host memory");
	}
	ret = process ? access_process_vm(t, addr, buf, (int)len, flags)
		      : access_remote_vm(t->mm, addr, buf, (int)len, flags);
	report(s, fn, ret);
	if (!(flags & FOLL_WRITE) && ret > 0 && !s->quiet)
		print_bytes(s, addr, buf, (size_t)ret);
	free(buf);
	return true;
}

static bool cmd_access_remote(struct script *s, struct args *a)
{
	return cmd_access(s, a, false);
}

static bool cmd_access_process(struct script *s, struct args *a)
{
	return cmd_access(s, a, true);
}

static bool cmd_process_vm(struct script *s, struct args *a, bool write)
{
	struct task_struct *t;
	unsigned long local, remote;
	struct iovec lvec, rvec;
	long len, ret;

	if (a->npos != 4)
		return fail(s, "usage: process_vm_%s TASK LOCAL_ADDR REMOTE_ADDR LEN",
			    write ? "writev" : "readv");
	if (!need_task(s) || !(t = find_task(s, a->pos[0]->text)) ||
	    !eval_addr(s, a->pos[1], &local) || !eval_addr(s, a->pos[2], &remote) ||
	    !eval_range(s, a->pos[3], 0, MAX_FILL, "a length", &len))
		return false;
	lvec = (struct iovec){.iov_base = (void *)local, .iov_len = (size_t)len};
	rvec = (struct iovec){.iov_base = (void *)remote, .iov_len = (size_t)len};
	ret = write ? sys_process_vm_writev(t, &lvec, 1, &rvec, 1, 0)
		    : sys_process_vm_readv(t, &lvec, 1, &rvec, 1, 0);
	report(s, write ? "process_vm_writev" : "process_vm_readv", ret);
	return true;
}

static bool cmd_process_vm_readv(struct script *s, struct args *a)
{
	return cmd_process_vm(s, a, false);
}

static bool cmd_process_vm_writev(struct script *s, struct args *a)
{
	return cmd_process_vm(s, a, true);
}

/* -------------------------------------------------------- populate, fixup -- */

/* [ADDR, ADDR+LEN) widened to pages, inside user space. */
static bool page_range(struct script *s, struct args *a, unsigned long *start, unsigned long *end)
{
	unsigned long addr, len;

	if (!addr_len(s, a, &addr, &len))
		return false;
	if (addr >= TASK_SIZE || len > TASK_SIZE - addr)
		return fail(s, "expected a range inside user space (below %#lx)", TASK_SIZE);
	*start = addr & PAGE_MASK;
	*end = (addr + len + PAGE_SIZE - 1) & PAGE_MASK;
	return true;
}

static bool cmd_populate(struct script *s, struct args *a)
{
	unsigned long start = 0, end = 0;

	if (a->npos != 2)
		return fail(s, "usage: populate ADDR LEN");
	if (!page_range(s, a, &start, &end))
		return false;
	report(s, "__mm_populate", __mm_populate(start, end - start, 0));
	return true;
}

static bool cmd_populate_vma(struct script *s, struct args *a)
{
	struct vm_area_struct *vma;
	unsigned long start = 0, end = 0;
	struct mm_struct *mm;
	int locked = 1;
	long ret;

	if (a->npos != 2)
		return fail(s, "usage: populate_vma ADDR LEN");
	if (!page_range(s, a, &start, &end))
		return false;
	mm = s->cur->mm;
	mmap_read_lock(mm);
	vma = find_vma(mm, start);
	if (!vma || vma->vm_start > start || end > vma->vm_end || start == end) {
		mmap_read_unlock(mm);
		return fail(s, "populate_vma needs a non-empty range inside one VMA");
	}
	ret = populate_vma_page_range(vma, start, end, &locked);
	if (locked)
		mmap_read_unlock(mm);
	report(s, "populate_vma_page_range", ret);
	return true;
}

static bool cmd_fixup(struct script *s, struct args *a)
{
	bool unlocked_ok = take_flag_word(a, "unlocked");
	bool write = take_flag_word(a, "write");
	bool unlocked = false;
	unsigned long addr;
	struct mm_struct *mm;
	int ret;

	if (a->npos != 1)
		return fail(s, "usage: fixup ADDR [write] [unlocked]");
	if (!need_task(s) || !eval_addr(s, a->pos[0], &addr))
		return false;
	mm = s->cur->mm;
	mmap_read_lock(mm);
	ret = fixup_user_fault(mm, addr, write ? FAULT_FLAG_WRITE : 0,
			       unlocked_ok ? &unlocked : NULL);
	mmap_read_unlock(mm);
	report(s, "fixup_user_fault", ret);
	if (unlocked)
		say(s, "    (mmap_lock was dropped and retaken: *unlocked = true)\n");
	return true;
}

/* ---------------------------------------------------------------- queries -- */

static bool cmd_page(struct script *s, struct args *a)
{
	struct page_facts pf;
	long v = 0;

	if (a->npos < 1 || a->npos > 2)
		return fail(s, "usage: page ADDR|NAME[i] [FIELD]");
	if (!need_machine(s) || !page_facts(s, a->pos[0], &pf))
		return false;
	if (a->npos == 1) {
		print_page_facts(s, a->pos[0]->text, &pf);
		return true;
	}
	if (!page_field(s, &pf, a->pos[1]->text, &v))
		return false;
	show(s, "  page %s %s = %s\n", a->pos[0]->text, a->pos[1]->text, NUM(v));
	return true;
}

/* The bytes of a page set's page, as the device sees them through page_address(). */
static unsigned char *dma_view(struct script *s, const struct word *ref)
{
	struct page *page;

	if (!set_page_ref(s, ref->text, &page))
		return NULL;
	return page_address(page);
}

static bool cmd_pinned(struct script *s, struct args *a)
{
	unsigned char *view, *buf;
	size_t len;
	long n;

	if (a->npos < 2 || !(is_word(a->pos[1], "read") || is_word(a->pos[1], "write")))
		return fail(s,
			    "usage: pinned NAME[i] read LEN | pinned NAME[i] write \"text\"|byte=B "
			    "[len=N]");
	if (!need_machine(s) || !(view = dma_view(s, a->pos[0])))
		return false;
	if (is_word(a->pos[1], "read")) {
		if (a->npos != 3 || !eval_range(s, a->pos[2], 1, PAGE_SIZE, "a length", &n))
			return a->npos != 3 ? fail(s, "expected a length after 'read'") : false;
		print_bytes(s, 0, view, (size_t)n);
		return true;
	}
	if (!data_operand(s, a, 2, &buf, &len))
		return false;
	if (len > PAGE_SIZE) {
		free(buf);
		return fail(s, "a device write through one page is at most %lu bytes", PAGE_SIZE);
	}
	memcpy(view, buf, len);
	free(buf);
	say(s, "  device wrote %zu bytes to pfn %#lx\n", len, page_to_pfn(virt_to_page(view)));
	return true;
}

static bool cmd_vma(struct script *s, struct args *a)
{
	unsigned long addr;
	long v = 0;

	if (a->npos != 2)
		return fail(s, "usage: vma ADDR FIELD");
	if (!need_task(s) || !eval_addr(s, a->pos[0], &addr) ||
	    !vma_field(s, addr, a->pos[1]->text, &v))
		return false;
	show(s, "  vma %s %s = %s\n", a->pos[0]->text, a->pos[1]->text, NUM(v));
	return true;
}

static bool vmstat_item(struct script *s, const char *name, long *v)
{
	for (int i = 0; i < NR_VM_NODE_STAT_ITEMS; i++) {
		if (!strcmp(name, vmstat_name((enum node_stat_item)i))) {
			*v = (long)global_node_page_state((enum node_stat_item)i);
			return true;
		}
	}
	return fail(s, "expected a vmstat item like nr_foll_pin_acquired (see `vmstat`), got '%s'",
		    name);
}

static bool cmd_vmstat(struct script *s, struct args *a)
{
	long v = 0;

	if (a->npos > 1)
		return fail(s, "usage: vmstat [ITEM]");
	if (!need_machine(s))
		return false;
	for (int i = 0; !a->npos && i < NR_VM_NODE_STAT_ITEMS; i++)
		show(s, "  %s %lu\n", vmstat_name((enum node_stat_item)i),
		     global_node_page_state((enum node_stat_item)i));
	if (!a->npos)
		return true;
	if (!vmstat_item(s, a->pos[0]->text, &v))
		return false;
	show(s, "  %s %ld\n", a->pos[0]->text, v);
	return true;
}

static bool cmd_maps_common(struct script *s, struct args *a, bool smaps)
{
	struct mm_struct *mm;

	if (a->npos)
		return fail(s, "usage: %s", smaps ? "smaps" : "maps");
	if (!need_task(s))
		return false;
	mm = s->cur->mm;
	mmap_read_lock(mm);
	for (struct vm_area_struct *vma = mm->mmap; vma; vma = vma->vm_next)
		smaps ? print_smaps_vma(s, vma) : print_maps_line(s, vma);
	mmap_read_unlock(mm);
	return true;
}

static bool cmd_maps(struct script *s, struct args *a)
{
	return cmd_maps_common(s, a, false);
}

static bool cmd_smaps(struct script *s, struct args *a)
{
	return cmd_maps_common(s, a, true);
}

static bool cmd_pagetable(struct script *s, struct args *a)
{
	unsigned long start = 0, end = 0;

	if (a->npos == 1) {
		struct word *len_one[2] = {a->pos[0], NULL};
		long v = 0;

		if (!need_task(s) || !eval_word(s, len_one[0], &v))
			return false;
		start = (unsigned long)v & PAGE_MASK;
		end = start < TASK_SIZE ? start + PAGE_SIZE : start;
	} else if (a->npos != 2 || !page_range(s, a, &start, &end)) {
		return a->npos != 2 ? fail(s, "usage: pagetable ADDR [LEN]") : false;
	}
	if (start >= TASK_SIZE)
		return fail(s, "expected a user address, got %#lx", start);
	show(s, "  page tables of %#lx-%#lx (pid %d):\n", start, end, s->cur->pid);
	mmap_read_lock(s->cur->mm);
	walk_tables(s->cur->mm, start, end, print_pt_entry, s);
	mmap_read_unlock(s->cur->mm);
	return true;
}

static bool cmd_check(struct script *s, struct args *a)
{
	int bad;

	if (a->npos)
		return fail(s, "usage: check");
	if (!need_machine(s))
		return false;
	bad = sim_check(s->out);
	s->ret = bad;
	if (bad) {
		show(s, "%s:%d: check found %d violation(s)\n", s->file, s->line, bad);
		s->failed++;
	} else {
		say(s, "  check: all invariants hold\n");
	}
	return true;
}

static bool cmd_inject(struct script *s, struct args *a)
{
	struct word *nth = opt(a, "nth"), *count = opt(a, "count");
	long n, c = 1;
	int ret;

	if (!need_machine(s))
		return false;
	if (a->npos == 1 && is_word(a->pos[0], "off") && !nth) {
		inject_disarm_all();
		return true;
	}
	if (a->npos != 1 || !nth)
		return fail(s, "usage: inject POINT nth=N [count=M] | inject off");
	if (!eval_range(s, nth, 1, LONG_MAX, "nth", &n) ||
	    (count && !eval_range(s, count, 0, LONG_MAX, "count", &c)))
		return false;
	/* Faults retried without end would make GUP loop for ever, as the kernel would. */
	if (!strcmp(a->pos[0]->text, "fault_retry") && (c < 1 || c > MAX_RETRY_INJECT))
		return fail(s, "fault_retry needs a count from 1 to %d (more retries never end)",
			    MAX_RETRY_INJECT);
	ret = inject_arm(a->pos[0]->text, (unsigned long)n, (unsigned long)c);
	if (ret)
		return fail(s,
			    "expected an injection point (page_alloc pgtable_alloc vma_alloc "
			    "fault_retry fault_oom fault_sigbus gup_signal), got '%s'",
			    a->pos[0]->text);
	return true;
}

static bool cmd_set(struct script *s, struct args *a)
{
	struct word *w = a->nkv == 1 ? a->kv[0] : NULL;
	long v = 0;

	if (w && !a->npos) {
		if (!eval_text(s, w->val, &v))
			return false;
		return set_value(s, w->key, v);
	}
	if (a->npos > 3 && a->nkv == 0 && !strcmp(a->pos[1]->text, "="))
		return fail(s,
			    "set takes one expression, got '%s ...'; compare queries with expect",
			    a->pos[2]->text);
	if (a->npos != 3 || a->nkv || strcmp(a->pos[1]->text, "="))
		return fail(s, "usage: set NAME = EXPR");
	return eval_word(s, a->pos[2], &v) && set_value(s, a->pos[0]->text, v);
}

/* ----------------------------------------------------------------- expect -- */

struct operand {
	bool is_str;
	long num;
	unsigned char *bytes; /* strings; owned when @owned */
	size_t len;
	bool owned;
};

static bool query_read(struct script *s, struct word **w, int n, struct operand *o)
{
	unsigned long addr;
	size_t got = 0;
	long len;

	if (n != 3)
		return fail(s, "expected: read ADDR LEN");
	if (!need_task(s) || !eval_addr(s, w[1], &addr) ||
	    !eval_range(s, w[2], 1, MAX_IO, "a length", &len))
		return false;
	o->bytes = user_read(s, addr, len, &got);
	o->len = got;
	o->is_str = o->owned = true;
	return o->bytes != NULL;
}

static bool query_pinned(struct script *s, struct word **w, int n, struct operand *o)
{
	unsigned char *view;
	long len;

	if (n != 4 || !is_word(w[2], "read"))
		return fail(s, "expected: pinned NAME[i] read LEN");
	if (!need_machine(s) || !(view = dma_view(s, w[1])) ||
	    !eval_range(s, w[3], 1, PAGE_SIZE, "a length", &len))
		return false;
	o->bytes = view;
	o->len = (size_t)len;
	o->is_str = true;
	return true;
}

static bool query_one_word(struct script *s, struct word **w, int n, struct operand *o)
{
	const char *what = w[0]->text;

	if (n != 1)
		return fail(s, "'%s' takes no arguments here", what);
	if (!need_machine(s))
		return false;
	if (!strcmp(what, "ret"))
		o->num = s->ret;
	else if (!strcmp(what, "warnings"))
		o->num = (long)sim_warn_count();
	else if (!strcmp(what, "free_pages"))
		o->num = (long)sim_free_pages();
	else
		o->num = sim_check(s->out);
	return true;
}

/* One side of an expect: a query, a "string" or an expression. */
static bool eval_operand(struct script *s, struct word **w, int n, struct operand *o)
{
	struct page_facts pf;
	unsigned long addr;

	memset(o, 0, sizeof(*o));
	if (!n)
		return fail(s, "expected a value on both sides of the comparison");
	if (w[0]->kind == W_STRING && n == 1) {
		o->is_str = true;
		o->bytes = (unsigned char *)w[0]->text;
		o->len = w[0]->len;
		return true;
	}
	if (is_word(w[0], "ret") || is_word(w[0], "warnings") || is_word(w[0], "free_pages") ||
	    is_word(w[0], "violations"))
		return query_one_word(s, w, n, o);
	if (is_word(w[0], "page")) {
		if (n != 3)
			return fail(s, "expected: page ADDR|NAME[i] FIELD");
		return need_machine(s) && page_facts(s, w[1], &pf) &&
		       page_field(s, &pf, w[2]->text, &o->num);
	}
	if (is_word(w[0], "read"))
		return query_read(s, w, n, o);
	if (is_word(w[0], "pinned"))
		return query_pinned(s, w, n, o);
	if (is_word(w[0], "vmstat")) {
		if (n != 2)
			return fail(s, "expected: vmstat ITEM");
		return need_machine(s) && vmstat_item(s, w[1]->text, &o->num);
	}
	if (is_word(w[0], "vma")) {
		if (n != 3)
			return fail(s, "expected: vma ADDR FIELD");
		return need_task(s) && eval_addr(s, w[1], &addr) &&
		       vma_field(s, addr, w[2]->text, &o->num);
	}
	if (n != 1)
		return fail(s,
			    "expected a value: a query (ret page read pinned vmstat vma warnings "
			    "free_pages violations), a \"string\" or an expression, got '%s ...'",
			    w[0]->text);
	return eval_word(s, w[0], &o->num);
}

static bool compare(const char *op, const struct operand *l, const struct operand *r)
{
	int c;

	if (l->is_str) {
		c = l->len == r->len ? memcmp(l->bytes, r->bytes, l->len)
				     : (l->len < r->len ? -1 : 1);
		c = c < 0 ? -1 : c > 0;
	} else {
		c = l->num < r->num ? -1 : l->num > r->num;
	}
	if (!strcmp(op, "=="))
		return c == 0;
	if (!strcmp(op, "!="))
		return c != 0;
	if (!strcmp(op, "<"))
		return c < 0;
	if (!strcmp(op, "<="))
		return c <= 0;
	if (!strcmp(op, ">"))
		return c > 0;
	return c >= 0;
}

static void print_operand(struct script *s, const struct operand *o)
{
	if (o->is_str)
		print_escaped(s->out, o->bytes, o->len);
	else
		show(s, "%s", NUM(o->num));
}

/* The expect text as written, for messages. */
static void print_expectation(struct script *s, struct args *a)
{
	for (int i = 0; i < a->npos; i++) {
		if (a->pos[i]->kind == W_STRING)
			print_escaped(s->out, (unsigned char *)a->pos[i]->text, a->pos[i]->len);
		else
			show(s, "%s", a->pos[i]->text);
		show(s, i + 1 < a->npos ? " " : "");
	}
}

static bool cmd_expect(struct script *s, struct args *a)
{
	struct operand l, r;
	int op = -1;
	bool ok;

	for (int i = 0; i < a->npos; i++)
		if (a->pos[i]->kind == W_OP)
			op = op < 0 ? i : -2;
	if (op < 0 || a->nkv)
		return fail(s, "usage: expect LEFT OP RIGHT with one OP of == != < <= > >= "
			       "(surrounded by spaces)");
	if (!eval_operand(s, a->pos, op, &l))
		return false;
	ok = eval_operand(s, a->pos + op + 1, a->npos - op - 1, &r);
	if (ok && l.is_str != r.is_str)
		ok = fail(s, "cannot compare a string with a number");
	if (ok) {
		if (compare(a->pos[op]->text, &l, &r)) {
			s->held++;
			say(s, "  ok\n");
		} else {
			s->failed++;
			show(s, "%s:%d: FAILED: expect ", s->file, s->line);
			print_expectation(s, a);
			show(s, "\n  left:  ");
			print_operand(s, &l);
			show(s, "\n  right: ");
			print_operand(s, &r);
			show(s, "\n");
		}
	}
	if (l.owned)
		free(l.bytes);
	if (r.owned)
		free(r.bytes);
	return ok;
}

/* ------------------------------------------------------------------- echo -- */

/* echo TEXT: print the rest of the line, with $name replaced by its value. */
static bool run_echo(struct script *s, const char *text)
{
	while (*text == ' ' || *text == '\t')
		text++;
	while (*text) {
		const char *end = text + 1;
		struct symbol *sym;

		while (*text == '$' && (isalnum((unsigned char)*end) || *end == '_'))
			end++;
		sym = end > text + 1 ? find_symbol(s, text + 1, (size_t)(end - text - 1)) : NULL;
		if (!sym) {
			fputc(*text++, s->out);
			continue;
		}
		show(s, "%s", NUM(sym->kind == SYM_VALUE ? sym->value : sym->set.nr));
		text = end;
	}
	fputc('\n', s->out);
	return true;
}

/* --------------------------------------------------------------- dispatch -- */

struct command {
	const char *name;
	cmd_fn fn;
	const char *keys; /* the key=value options it takes, comma-separated; "*": any */
};

static const struct command commands[] = {
	{"boot", cmd_boot, "mem,movable"},
	{"task", cmd_task, ""},
	{"fork", cmd_fork, ""},
	{"thread", cmd_thread, ""},
	{"switch", cmd_switch, ""},
	{"kill", cmd_kill, ""},
	{"exit", cmd_exit, ""},
	{"tasks", cmd_tasks, ""},
	{"mmap", cmd_mmap, "len,prot,flags,addr"},
	{"munmap", cmd_munmap, ""},
	{"mprotect", cmd_mprotect, ""},
	{"madvise", cmd_madvise, ""},
	{"mlock", cmd_mlock, ""},
	{"munlock", cmd_munlock, ""},
	{"write", cmd_write, "byte,len"},
	{"fill", cmd_fill, ""},
	{"read", cmd_read, ""},
	{"touch", cmd_touch, ""},
	{"gup", cmd_gup, "flags"},
	{"pin", cmd_pin, "flags"},
	{"unpin", cmd_unpin, ""},
	{"put", cmd_put, ""},
	{"follow", cmd_follow, "flags"},
	{"dump_page", cmd_dump_page, ""},
	{"access_remote", cmd_access_remote, "byte,len"},
	{"access_process", cmd_access_process, "byte,len"},
	{"process_vm_readv", cmd_process_vm_readv, ""},
	{"process_vm_writev", cmd_process_vm_writev, ""},
	{"populate", cmd_populate, ""},
	{"populate_vma", cmd_populate_vma, ""},
	{"fixup", cmd_fixup, ""},
	{"page", cmd_page, ""},
	{"pinned", cmd_pinned, "byte,len"},
	{"vma", cmd_vma, ""},
	{"vmstat", cmd_vmstat, ""},
	{"maps", cmd_maps, ""},
	{"smaps", cmd_smaps, ""},
	{"pagetable", cmd_pagetable, ""},
	{"check", cmd_check, ""},
	{"inject", cmd_inject, "nth,count"},
	{"set", cmd_set, "*"},
	{"expect", cmd_expect, ""},
	{NULL, NULL, NULL},
};

static bool key_allowed(const char *keys, const char *key)
{
	size_t len = strlen(key);

	if (!strcmp(keys, "*"))
		return true;
	for (const char *p = keys; *p; p += strcspn(p, ","), p += *p == ',')
		if (strcspn(p, ",") == len && !strncmp(p, key, len))
			return true;
	return false;
}

static bool collect_args(struct script *s, const struct command *cmd, struct line *ln,
			 struct args *a)
{
	memset(a, 0, sizeof(*a));
	for (int i = 1; i < ln->n; i++) {
		struct word *w = &ln->w[i];

		if (!w->key) {
			a->pos[a->npos++] = w;
			continue;
		}
		if (!key_allowed(cmd->keys, w->key))
			return fail(s, "`%s` takes no option '%s='%s%s", cmd->name, w->key,
				    *cmd->keys ? "; it takes: " : "", cmd->keys);
		if (opt(a, w->key))
			return fail(s, "option '%s=' given twice", w->key);
		a->kv[a->nkv++] = w;
	}
	return true;
}

static const struct command *find_command(const char *name)
{
	for (const struct command *c = commands; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

static void run_line(struct script *s, const char *raw)
{
	const struct command *cmd;
	struct line ln;
	struct args a;
	size_t len;

	while (*raw == ' ' || *raw == '\t')
		raw++;
	if (!*raw || *raw == '#')
		return;
	if (!strncmp(raw, "echo", 4) && (!raw[4] || raw[4] == ' ' || raw[4] == '\t')) {
		run_echo(s, raw + 4);
		return;
	}
	if (!split_words(s, raw, &ln) || !ln.n)
		return;
	if (ln.w[0].kind != W_WORD || ln.w[0].key || !(cmd = find_command(ln.w[0].text))) {
		fail(s, "unknown command '%s' (see docs/scenarios.md)", ln.w[0].text);
		return;
	}
	len = strlen(raw);
	while (len && isspace((unsigned char)raw[len - 1]))
		len--;
	say(s, "> %.*s\n", (int)len, raw);
	if (collect_args(s, cmd, &ln, &a))
		cmd->fn(s, &a);
	fflush(s->out); /* a command that hangs or crashes shows up last */
}

/* ------------------------------------------------------------ run, finish -- */

static void run_lines(struct script *s, const char *buf, size_t len)
{
	char line[MAX_LINE + 1];

	for (size_t pos = 0; pos < len && !s->stop;) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t n = (nl ? (size_t)(nl - buf) : len) - pos;

		s->line++;
		if (n > MAX_LINE) {
			fail(s, "line longer than %d bytes", MAX_LINE);
			break;
		}
		memcpy(line, buf + pos, n);
		line[n] = '\0';
		pos += n + 1;
		if (strlen(line) != n) {
			fail(s, "NUL byte in the line: scripts are text");
			break;
		}
		run_line(s, line);
	}
}

/* Name the page sets still holding references: the leak check will count them. */
static void report_unreleased(struct script *s)
{
	for (int i = 0; i < MAX_SYMBOLS; i++) {
		struct symbol *sym = &s->syms[i];

		if (sym->kind == SYM_PAGES && set_holds_refs(&sym->set))
			show(s, "%s: '%s' still holds %ld %s at the end (release it with %s)\n",
			     s->file, sym->name, sym->set.nr,
			     sym->set.kind == REF_PIN ? "pin(s)" : "reference(s)",
			     sym->set.kind == REF_PIN ? "unpin" : "put");
	}
}

/* Exit every task the script left alive, shut down, and say how it went. */
static int finish(struct script *s)
{
	bool leaked = false;

	if (s->booted) {
		report_unreleased(s);
		for (int i = 0; i < MAX_TASKS; i++)
			if (s->tasks[i].task)
				task_exit(s->tasks[i].task);
		set_current(NULL);
		leaked = sim_shutdown() != 0;
	}
	for (int i = 0; i < MAX_SYMBOLS; i++)
		free(s->syms[i].set.pages);
	show(s, "%s: %d expectation(s) held, %d failed%s; %s\n", s->file, s->held, s->failed,
	     s->errors ? ", stopped by an error" : "",
	     !s->booted ? "never booted"
	     : leaked	? "shutdown FOUND LEAKS"
			: "shutdown clean");
	if (s->errors)
		return GUP_EXIT_USAGE;
	return s->failed || leaked ? GUP_EXIT_FAILED : GUP_EXIT_OK;
}

int script_run_buffer_opts(const char *buf, size_t len, const char *name, FILE *out,
			   const struct script_options *opts)
{
	struct script *s = calloc(1, sizeof(*s));
	int ret;

	if (!s) {
		fprintf(out, "%s: out of host memory\n", name);
		return GUP_EXIT_USAGE;
	}
	s->file = name ? name : "<script>";
	s->out = out;
	s->quiet = opts && opts->quiet;
	set_current(NULL);
	if (sim_running())
		fail(s, "a simulated machine is already running");
	else
		run_lines(s, buf, len);
	ret = finish(s);
	fflush(out);
	free(s);
	return ret;
}

int script_run_buffer(const char *buf, size_t len, const char *name, FILE *out)
{
	return script_run_buffer_opts(buf, len, name, out, NULL);
}

int script_run_stream(FILE *in, const char *name, FILE *out, const struct script_options *opts)
{
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap);
	int ret;

	while (buf) {
		size_t n = fread(buf + len, 1, cap - len, in);

		len += n;
		if (len < cap)
			break;
		if (cap >= MAX_SCRIPT) {
			free(buf);
			fprintf(out, "%s: script larger than %lu bytes\n", name, MAX_SCRIPT);
			return GUP_EXIT_USAGE;
		}
		cap *= 2;
		buf = realloc(buf, cap);
	}
	if (!buf) {
		fprintf(out, "%s: out of host memory\n", name);
		return GUP_EXIT_USAGE;
	}
	ret = script_run_buffer_opts(buf, len, name, out, opts);
	free(buf);
	return ret;
}
