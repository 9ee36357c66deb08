// SPDX-License-Identifier: GPL-2.0-only
/*
 * The core of the scenario language (docs/scenarios.md): splits a script into
 * lines and words, evaluates expressions, owns what scripts name (values, tasks,
 * page sets), checks each command's words against its row of the command table
 * and runs it, and prints `gup help run` from the same table.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gup_tool.h"
#include "script.h"
#include "script_int.h"
/* ----------------------------------------------------------- diagnostics -- */

/* A script error: say where and what was expected, and stop the run. */
bool fail(struct script *s, const char *fmt, ...)
{
	va_list ap;

	if (s->line)
		fprintf(s->out, "%s:%d: ", s->file, s->line);
	else
		fprintf(s->out, "%s: ", s->file); /* about the whole script */
	va_start(ap, fmt);
	vfprintf(s->out, fmt, ap);
	va_end(ap);
	fputc('\n', s->out);
	s->errors++;
	s->stop = true;
	return false;
}

/* Routine output, suppressed by -q. */
void say(struct script *s, const char *fmt, ...)
{
	va_list ap;

	if (s->quiet)
		return;
	va_start(ap, fmt);
	vfprintf(s->out, fmt, ap);
	va_end(ap);
}

/* Output the script asked for explicitly (queries, dumps, echo). */
void show(struct script *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(s->out, fmt, ap);
	va_end(ap);
}

/* ---------------------------------------------------------------- errnos -- */

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
const char *fmt_num(long v, char *buf, size_t size)
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

/* ------------------------------------------------------------ flag tables -- */

const struct named_value foll_names[] = {
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
const struct named_value vm_flag_names[] = {
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

const struct named_value *lookup_name(const struct named_value *table, const char *name, size_t len)
{
	for (const struct named_value *e = table; e->name; e++)
		if (strlen(e->name) == len && !strncmp(e->name, name, len))
			return e;
	return NULL;
}

void print_foll_flags(char *buf, size_t size, unsigned int flags)
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

bool check_name(struct script *s, const char *t, const char *what)
{
	if (!is_name(t, strlen(t)))
		return fail(s, "expected a %s name (letters, digits, '_', at most %d), got '%s'",
			    what, MAX_NAME, t);
	return true;
}

struct symbol *find_symbol(struct script *s, const char *name, size_t len)
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

/* Words an expression or an expect operand reads as something else. */
static bool is_reserved(const char *name)
{
	static const char *const reserved[] = {
		"ret",	  "warnings", "free_pages", "violations", "page", "read",
		"pinned", "vmstat",   "vma",	    "PAGE_SIZE",  "true", "false",
	};

	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		if (!strcmp(name, reserved[i]))
			return true;
	return lookup_name(errno_names, name, strlen(name)) != NULL;
}

bool check_value_name(struct script *s, const char *name)
{
	if (!check_name(s, name, "value"))
		return false;
	if (is_reserved(name))
		return fail(
			s,
			"'%s' is reserved (a query, a constant or an errno name): choose another "
			"name",
			name);
	return true;
}

/* The slot a name is (re)defined in; refuses to drop page references silently. */
static struct symbol *define_symbol(struct script *s, const char *name)
{
	struct symbol *sym;

	if (!check_value_name(s, name))
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

bool set_value(struct script *s, const char *name, long value)
{
	struct symbol *sym = define_symbol(s, name);

	if (!sym)
		return false;
	sym->kind = SYM_VALUE;
	sym->value = value;
	return true;
}

struct page_set *find_set(struct script *s, const char *name)
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

struct task_slot *find_task_slot(struct script *s, const char *name)
{
	for (int i = 0; i < MAX_TASKS; i++)
		if (s->tasks[i].task && !strcmp(s->tasks[i].name, name))
			return &s->tasks[i];
	return NULL;
}

struct bk_task *find_task(struct script *s, const char *name)
{
	struct task_slot *slot = find_task_slot(s, name);

	if (!slot) {
		fail(s, "expected the name of a live task (see `task`, `fork`, `thread`), got '%s'",
		     name);
		return NULL;
	}
	return slot->task;
}

bool add_task(struct script *s, const char *name, struct bk_task *t)
{
	for (int i = 0; i < MAX_TASKS; i++) {
		if (!s->tasks[i].task) {
			snprintf(s->tasks[i].name, sizeof(s->tasks[i].name), "%.*s", MAX_NAME,
				 name);
			s->tasks[i].task = t;
			return true;
		}
	}
	s->be->task_exit(t);
	return fail(s, "more than %d tasks alive", MAX_TASKS);
}

/* A new task name must be valid and not taken. */
bool check_new_task_name(struct script *s, const char *name)
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
bool eval_text(struct script *s, const char *text, long *v)
{
	struct expr e = {.s = s, .text = text, .p = text};

	if (!expr_sum(&e, v))
		return false;
	if (*e.p)
		return expr_fail(&e, "an operator (+ - * / %) or the end");
	return true;
}

bool eval_word(struct script *s, const struct word *w, long *v)
{
	if (w->kind != W_WORD)
		return fail(s, "expected a number or expression, got a string");
	return eval_text(s, w->key ? w->val : w->text, v);
}

/* An expression that must lie in [min, max], described as @what in errors. */
bool eval_range(struct script *s, const struct word *w, long min, long max, const char *what,
		long *v)
{
	if (!eval_word(s, w, v))
		return false;
	if (*v < min || *v > max)
		return fail(s, "expected %s from %ld to %ld, got %ld", what, min, max, *v);
	return true;
}

bool eval_addr(struct script *s, const struct word *w, unsigned long *addr)
{
	long v = 0;

	if (!eval_word(s, w, &v))
		return false;
	*addr = (unsigned long)v;
	return true;
}

/* ------------------------------------------------------------- word values -- */

bool is_word(const struct word *w, const char *text)
{
	return w && w->kind == W_WORD && !w->key && !strcmp(w->text, text);
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

static bool parse_advice(struct script *s, const char *text, long *advice)
{
	const struct named_value *adv = lookup_name(madvise_names, text, strlen(text));

	if (!adv)
		return fail(s,
			    "expected an advice (dontneed dontfork dofork wipeonfork keeponfork "
			    "populate_read populate_write normal random sequential willneed), "
			    "got '%s'",
			    text);
	*advice = (long)adv->value;
	return true;
}

/* ---------------------------------------------------------------- machine -- */

bool boot_machine(struct script *s, unsigned long mem, unsigned long movable)
{
	int err = s->be->boot(mem, movable);

	if (err)
		return fail(s,
			    "cannot boot the machine: %s (sizes must be multiples of 4M, mem at "
			    "least 8M)",
			    NUM(err));
	s->booted = true;
	return true;
}

bool need_machine(struct script *s)
{
	return s->booted || boot_machine(s, DEFAULT_MEM, 0);
}

bool need_task(struct script *s)
{
	if (!need_machine(s))
		return false;
	if (!s->cur)
		return fail(s, "no current task: create one with `task NAME` (or `switch NAME`)");
	s->be->set_current(s->cur);
	return true;
}

/* Record and print the result of a library call. */
void report(struct script *s, const char *call, long ret)
{
	s->ret = ret;
	say(s, "  %s = %s\n", call, NUM(ret));
}

/* ----------------------------------------------------------- data display -- */

void print_escaped(FILE *out, const unsigned char *b, size_t n)
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
void print_bytes(struct script *s, unsigned long base, const unsigned char *b, size_t n)
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

/* The option @key of the command's form, as converted (NULL: the form has none). */
static const struct arg_val *opt_val(const struct cmd_args *a, const char *key)
{
	for (int i = 0; i < MAX_OPTS && a->cmd->opts[i].key; i++)
		if (!strcmp(a->cmd->opts[i].key, key))
			return &a->opt[i];
	return NULL;
}

bool data_operand(struct script *s, struct cmd_args *a, const struct word *str, unsigned char **buf,
		  size_t *len)
{
	const struct arg_val *byte = opt_val(a, "byte"), *lenv = opt_val(a, "len");
	long n = str ? (long)str->len : lenv ? lenv->n : 1;

	if (!str && !(byte && byte->given))
		return fail(s, "expected a \"string\" or byte=B [len=N] to write");
	*buf = malloc((size_t)n + 1);
	if (!*buf)
		return fail(s, "out of host memory");
	if (str)
		memcpy(*buf, str->text, (size_t)n);
	else
		memset(*buf, (int)byte->n, (size_t)n);
	*len = (size_t)n;
	return true;
}

unsigned char *user_read(struct script *s, unsigned long addr, long len, size_t *got)
{
	unsigned char *buf = calloc(1, (size_t)len + 1);

	if (!buf) {
		fail(s, "out of host memory");
		return NULL;
	}
	*got = (size_t)len - s->be->copy_from_user(buf, addr, (unsigned long)len);
	s->ret = *got == (size_t)len ? 0 : -EFAULT;
	return buf;
}

bool page_range(struct script *s, unsigned long addr, unsigned long len, unsigned long *start,
		unsigned long *end)
{
	if (addr >= TASK_SIZE || len > TASK_SIZE - addr)
		return fail(s, "expected a range inside user space (below %#lx)", TASK_SIZE);
	*start = addr & PAGE_MASK;
	*end = (addr + len + PAGE_SIZE - 1) & PAGE_MASK;
	return true;
}

/* -------------------------------------------------------------- page sets -- */

static void release_refs(struct script *s, enum ref_kind kind, struct bk_page *page)
{
	if (kind == REF_PIN)
		s->be->unpin_page(page);
	else
		s->be->put_page(page);
}

bool store_pages(struct script *s, const char *name, enum ref_kind kind, struct bk_page **pages,
		 long nr)
{
	struct symbol *sym = define_symbol(s, name);

	if (!sym) {
		/* The references must not leak unreported: give them back first. */
		for (long i = 0; i < nr; i++)
			release_refs(s, kind, pages[i]);
		free(pages);
		return false;
	}
	sym->kind = SYM_PAGES;
	sym->set.kind = kind;
	sym->set.pages = pages;
	sym->set.nr = nr > 0 ? nr : 0;
	sym->set.released = false; /* an empty set may still be released, as a no-op */
	return true;
}

bool store_single_page(struct script *s, const char *name, enum ref_kind kind, struct bk_page *page)
{
	struct bk_page **pages = malloc(sizeof(*pages));

	if (!pages) {
		if (page)
			release_refs(s, kind, page);
		return fail(s, "out of host memory");
	}
	pages[0] = page;
	return store_pages(s, name, kind, pages, page ? 1 : 0);
}

/* "NAME[i]": the i-th page a page set holds. */
bool set_page_ref(struct script *s, const char *text, struct bk_page **page)
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
	if (!set->nr)
		return fail(s, "'%s' holds no pages (the call returned none)", name);
	if (i < 0 || i >= set->nr)
		return fail(s, "expected an index from 0 to %ld for '%s', got %ld", set->nr - 1,
			    name, i);
	*page = set->pages[i];
	return true;
}

/* ---------------------------------------------------- the argument spec -- */

/* The words that pick a GUP flavour; the plain entry points have none. */
static const char *const flavour_words[NR_GUP_FLAVOURS] = {
	[GUP_PLAIN] = "",	 [GUP_FAST] = "fast",	  [GUP_FAST_ONLY] = "fast_only",
	[GUP_REMOTE] = "remote", [GUP_LOCKED] = "locked", [GUP_UNLOCKED] = "unlocked",
};

static int flavour_of(const struct word *w)
{
	for (int f = GUP_FAST; f < NR_GUP_FLAVOURS; f++)
		if (is_word(w, flavour_words[f]))
			return f;
	return GUP_PLAIN;
}

static const struct opt_spec *form_option(const struct command *cmd, const char *key)
{
	for (int i = 0; i < MAX_OPTS && cmd->opts[i].key; i++)
		if (cmd->opts[i].kind == OPT_ANY || !strcmp(cmd->opts[i].key, key))
			return &cmd->opts[i];
	return NULL;
}

static bool has_string_arg(const struct command *cmd)
{
	for (const struct arg_spec *arg = cmd->args; arg->kind != ARG_END; arg++)
		if (arg->kind == ARG_STRING)
			return true;
	return false;
}

/* One form's usage: `name ARG [OPTIONAL] key=V [key=V] [as NAME]`. */
static int print_usage(char *buf, size_t size, const struct command *cmd)
{
	int n = snprintf(buf, size, "%s", cmd->name);

#define ADD(...) (n += snprintf(buf + n, (size_t)n < size ? size - (size_t)n : 0, __VA_ARGS__))
	bool data_options = form_option(cmd, "byte") != NULL;

	/* ARG_STRING's byte=/len= stand-ins are shown beside it, not as options. */
	for (const struct arg_spec *arg = cmd->args; arg->kind != ARG_END; arg++) {
		if (arg->kind == ARG_STRING && data_options)
			ADD(" %s|byte=B [len=N]", arg->meta);
		else if (arg->kind == ARG_VARIANT)
			ADD(" [fast|fast_only|remote TASK [locked]|locked|unlocked]");
		else if (arg->kind == ARG_FLAG || arg->optional)
			ADD(" [%s]", arg->meta);
		else
			ADD(" %s", arg->meta);
	}
	for (int i = 0; i < MAX_OPTS && cmd->opts[i].key; i++) {
		const struct opt_spec *o = &cmd->opts[i];
		bool data = !strcmp(o->key, "byte") || !strcmp(o->key, "len");

		if (data && has_string_arg(cmd))
			continue; /* shown with the "text" they stand in for */
		if (o->kind == OPT_ANY || o->required)
			ADD(" %s=%s", o->key, o->meta);
		else
			ADD(" [%s=%s]", o->key, o->meta);
	}
	if (cmd->as == AS_OPTIONAL)
		ADD(" [as %s]", cmd->as_meta);
	else if (cmd->as == AS_REQUIRED)
		ADD(" as %s", cmd->as_meta);
#undef ADD
	return n;
}

static const struct command *first_form(const char *name)
{
	for (const struct command *c = commands; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

/* "usage: FORM | FORM ...": every form of the command. */
static bool usage_error(struct script *s, const struct command *first)
{
	char buf[1024];
	size_t n = 0;

	for (const struct command *c = first; c->name && !strcmp(c->name, first->name); c++) {
		if (n)
			n += (size_t)snprintf(buf + n, n < sizeof(buf) ? sizeof(buf) - n : 0,
					      " | ");
		if (n < sizeof(buf))
			n += (size_t)print_usage(buf + n, sizeof(buf) - n, c);
	}
	return fail(s, "usage: %s", buf);
}

/* Does @w fit @form's shape? Fills a->arg[].w and a->as; prints nothing. */
static bool match_form(const struct command *form, struct cmd_args *a)
{
	int n = a->npos, i = 0;

	memset(a->arg, 0, sizeof(a->arg));
	memset(a->opt, 0, sizeof(a->opt));
	a->as = NULL;
	a->cmd = form;
	for (int k = 0; k < a->nkv; k++)
		if (!form_option(form, a->kv[k]->key))
			return false;
	if (form->opts[0].kind == OPT_ANY && form->opts[0].key && (a->nkv != 1 || n))
		return false;
	for (int k = 0; k < MAX_OPTS && form->opts[k].key; k++) {
		bool given = false;

		for (int j = 0; j < a->nkv && form->opts[k].kind != OPT_ANY; j++)
			given |= !strcmp(a->kv[j]->key, form->opts[k].key);
		if (form->opts[k].kind == OPT_ANY)
			given = a->nkv == 1;
		if (form->opts[k].required && !given)
			return false;
	}
	if (form->as != AS_NONE && n >= 2 && is_word(a->pos[n - 2], "as")) {
		a->as = a->pos[n - 1]->text;
		n -= 2;
	} else if (form->as == AS_REQUIRED) {
		return false;
	}
	for (int k = 0; k < MAX_ARGS && form->args[k].kind != ARG_END; k++) {
		const struct arg_spec *spec = &form->args[k];
		struct arg_val *v = &a->arg[k];

		switch (spec->kind) {
		case ARG_KEYWORD:
			if (i >= n || !is_word(a->pos[i], spec->meta))
				return false;
			v->w = a->pos[i++];
			break;
		case ARG_FLAG:
			if (i < n && is_word(a->pos[i], spec->meta))
				v->w = a->pos[i++];
			break;
		case ARG_VARIANT:
			v->flavour = i < n ? flavour_of(a->pos[i]) : GUP_PLAIN;
			if (v->flavour == GUP_PLAIN)
				break;
			i++;
			if (v->flavour != GUP_REMOTE)
				break;
			if (i >= n)
				return false;
			v->w = a->pos[i++];
			if (n - i > 2 && is_word(a->pos[i], "locked")) {
				v->remote_locked = true;
				i++;
			}
			break;
		case ARG_STRING:
			if (i < n && a->pos[i]->kind == W_STRING)
				v->w = a->pos[i++];
			else if (!form_option(form, "byte"))
				return false;
			break;
		case ARG_REST:
			v->w = i < n ? a->pos[i] : NULL;
			v->rest = &a->pos[i];
			v->nrest = n - i;
			i = n;
			break;
		default:
			if (i < n)
				v->w = a->pos[i++];
			else if (!spec->optional)
				return false;
		}
		v->given = v->w != NULL;
	}
	return i == n;
}

static bool convert_arg(struct script *s, const struct arg_spec *spec, struct arg_val *v)
{
	if (!v->w)
		return true;
	switch (spec->kind) {
	case ARG_EXPR:
		if (!eval_word(s, v->w, &v->n))
			return false;
		v->u = (unsigned long)v->n;
		return true;
	case ARG_RANGE:
		if (!eval_range(s, v->w, spec->min, spec->max, spec->what, &v->n))
			return false;
		v->u = (unsigned long)v->n;
		return true;
	case ARG_NAME:
		v->str = v->w->text;
		return check_value_name(s, v->str);
	case ARG_TASK:
		v->str = v->w->text;
		return (v->task = find_task(s, v->w->text)) != NULL;
	case ARG_VARIANT:
		return (v->task = find_task(s, v->w->text)) != NULL;
	case ARG_PROT:
		return parse_prot(s, v->w->text, &v->u);
	case ARG_ADVICE:
		return parse_advice(s, v->w->text, &v->n);
	default:
		v->str = v->w->text;
		return true;
	}
}

static bool convert_option(struct script *s, const struct opt_spec *spec, struct word *w,
			   struct arg_val *v)
{
	const char *text = w ? w->val : spec->def;

	v->given = w != NULL;
	v->w = w;
	if (!text)
		return true;
	switch (spec->kind) {
	case OPT_EXPR:
		if (!eval_text(s, text, &v->n))
			return false;
		v->u = (unsigned long)v->n;
		return true;
	case OPT_RANGE:
		if (!eval_text(s, text, &v->n))
			return false;
		if (v->n < spec->min || v->n > spec->max)
			return fail(s, "expected %s from %ld to %ld, got %ld", spec->what,
				    spec->min, spec->max, v->n);
		v->u = (unsigned long)v->n;
		return true;
	case OPT_PROT:
		return parse_prot(s, text, &v->u);
	case OPT_MMAP_FLAGS:
		return parse_table_list(s, text, mmap_flag_names,
					"mmap flags like private,populate", &v->u);
	case OPT_FOLL_FLAGS:
		return parse_table_list(s, text, foll_names, "FOLL_ flags like write,force", &v->u);
	case OPT_ANY:
		v->str = w ? w->key : NULL;
		return true;
	}
	return true;
}

/* The form's needs, then every argument and option converted in order. */
static bool convert_args(struct script *s, struct cmd_args *a)
{
	const struct command *form = a->cmd;

	if ((form->needs == NEEDS_MACHINE && !need_machine(s)) ||
	    (form->needs == NEEDS_TASK && !need_task(s)))
		return false;
	for (int k = 0; k < MAX_ARGS && form->args[k].kind != ARG_END; k++)
		if (!convert_arg(s, &form->args[k], &a->arg[k]))
			return false;
	for (int k = 0; k < MAX_OPTS && form->opts[k].key; k++) {
		struct word *w = NULL;

		for (int j = 0; j < a->nkv && !w; j++)
			if (form->opts[k].kind == OPT_ANY ||
			    !strcmp(a->kv[j]->key, form->opts[k].key))
				w = a->kv[j];
		if (!convert_option(s, &form->opts[k], w, &a->opt[k]))
			return false;
	}
	return true;
}

/* The first form of the command that takes option @key (NULL: none). */
static const struct command *first_with_option(const struct command *first, const char *key)
{
	for (const struct command *c = first; c->name && !strcmp(c->name, first->name); c++)
		for (int i = 0; i < MAX_OPTS && c->opts[i].key; i++)
			if (!strcmp(c->opts[i].key, key))
				return c;
	return NULL;
}

static bool command_takes_option(const struct command *first, const char *key)
{
	for (const struct command *c = first; c->name && !strcmp(c->name, first->name); c++)
		if (form_option(c, key))
			return true;
	return false;
}

/* Every option key any form of the command takes, for the message. */
static void option_keys(const struct command *first, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	for (const struct command *c = first; c->name && !strcmp(c->name, first->name); c++) {
		for (int i = 0; i < MAX_OPTS && c->opts[i].key; i++) {
			const char *key = c->opts[i].key;

			if (c->opts[i].kind != OPT_ANY && first_with_option(first, key) == c &&
			    n < size)
				n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? "," : "", key);
		}
	}
}

static bool collect_args(struct script *s, const struct command *first, struct word *w, int nw,
			 struct cmd_args *a)
{
	char keys[256];

	memset(a, 0, sizeof(*a));
	option_keys(first, keys, sizeof(keys));
	for (int i = 0; i < nw; i++) {
		bool dup = false;

		if (!w[i].key) {
			a->pos[a->npos++] = &w[i];
			continue;
		}
		for (int j = 0; j < a->nkv; j++)
			dup |= !strcmp(a->kv[j]->key, w[i].key);
		if (!command_takes_option(first, w[i].key))
			return fail(s, "`%s` takes no option '%s='%s%s", first->name, w[i].key,
				    *keys ? "; it takes: " : "", keys);
		if (dup)
			return fail(s, "option '%s=' given twice", w[i].key);
		a->kv[a->nkv++] = &w[i];
	}
	return true;
}

/* Run the command the words name: pick the form that fits, convert, call. */
static void run_command(struct script *s, const struct command *first, struct word *w, int nw)
{
	const struct command *form;
	struct cmd_args a;

	if (first->needs == NEEDS_NO_MACHINE && s->booted) {
		fail(s, "`%s` must come before every command that uses the machine", first->name);
		return;
	}
	if (!collect_args(s, first, w, nw, &a))
		return;
	for (form = first; form->name && !strcmp(form->name, first->name); form++)
		if (match_form(form, &a))
			break;
	if (!form->name || strcmp(form->name, first->name)) {
		usage_error(s, first);
		return;
	}
	if (convert_args(s, &a))
		form->fn(s, &a);
}

static void run_line(struct script *s, const char *raw)
{
	const struct command *cmd;
	struct line ln;
	size_t len;

	while (*raw == ' ' || *raw == '\t')
		raw++;
	if (!*raw || *raw == '#')
		return;
	for (cmd = commands; cmd->name; cmd++) {
		size_t n = strlen(cmd->name);

		if (cmd->raw && !strncmp(raw, cmd->name, n) &&
		    (!raw[n] || raw[n] == ' ' || raw[n] == '\t')) {
			struct cmd_args a = {.cmd = cmd};

			a.arg[0].str = raw + n;
			s->commands++;
			cmd->fn(s, &a);
			return;
		}
	}
	if (!split_words(s, raw, &ln) || !ln.n)
		return;
	if (ln.w[0].kind != W_WORD || ln.w[0].key || !(cmd = first_form(ln.w[0].text)) ||
	    cmd->raw) {
		fail(s, "unknown command '%s' (see docs/scenarios.md)", ln.w[0].text);
		return;
	}
	len = strlen(raw);
	while (len && isspace((unsigned char)raw[len - 1]))
		len--;
	say(s, "> %.*s\n", (int)len, raw);
	s->commands++;
	run_command(s, cmd, ln.w + 1, ln.n - 1);
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
				s->be->task_exit(s->tasks[i].task);
		leaked = s->be->shutdown() != 0;
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
	s->be = &sim_backend;
	s->file = name ? name : "<script>";
	s->out = out;
	s->quiet = opts && opts->quiet;
	if (s->be->running())
		fail(s, "a simulated machine is already running");
	else if (s->be->env_error())
		fail(s, "%s", s->be->env_error());
	else
		run_lines(s, buf, len);
	if (!s->stop && !s->commands) {
		s->line = 0;
		fail(s, "empty script: no commands to run");
	}
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
	if (ferror(in)) {
		fprintf(out, "%s: cannot read the script: %s\n", name, strerror(errno));
		free(buf);
		return GUP_EXIT_USAGE;
	}
	ret = script_run_buffer_opts(buf, len, name, out, opts);
	free(buf);
	return ret;
}

/* ------------------------------------------------------------------- help -- */

/* @text without markdown's backticks, for the terminal and the man page. */
static void put_plain(FILE *out, const char *text, bool man)
{
	for (const char *p = text; *p; p++) {
		if (*p == '`')
			continue;
		if (man && *p == '\\')
			fputs("\\e", out);
		else if (man && *p == '-')
			fputs("\\-", out);
		else if (man && *p == '"')
			fputs("\\(dq", out);
		else
			fputc(*p, out);
	}
}

/* Word-wrapped at 78 columns, each line indented by @indent. */
static void put_wrapped(FILE *out, const char *text, int indent)
{
	int col = 0;

	for (const char *p = text; *p;) {
		size_t len = strcspn(p, " ");
		int visible = 0;

		for (size_t i = 0; i < len; i++)
			visible += p[i] != '`';
		if (col && col + 1 + visible > 78) {
			fputc('\n', out);
			col = 0;
		}
		if (!col)
			col = fprintf(out, "%*s", indent, "");
		else
			col += fprintf(out, " ");
		for (size_t i = 0; i < len; i++)
			if (p[i] != '`')
				fputc(p[i], out);
		col += visible;
		p += len;
		while (*p == ' ')
			p++;
	}
	fputc('\n', out);
}

static void help_defaults(FILE *out, const struct command *c)
{
	bool any = false;

	for (int i = 0; i < MAX_OPTS && c->opts[i].key; i++) {
		if (!c->opts[i].def)
			continue;
		fprintf(out, "%s%s=%s", any ? " " : "      defaults: ", c->opts[i].key,
			c->opts[i].def);
		any = true;
	}
	if (any)
		fputc('\n', out);
}

static void help_markdown_topic(FILE *out, const char *topic)
{
	char usage[512];

	fprintf(out, "| command | effect |\n|---|---|\n");
	for (const struct command *c = commands; c->name; c++) {
		if (strcmp(c->topic, topic))
			continue;
		print_usage(usage, sizeof(usage), c);
		fputs("| `", out);
		for (const char *p = usage; *p; p++)
			fputs(*p == '|' ? "\\|" : (char[2]){*p, 0}, out);
		fputs("` | ", out);
		for (const char *p = c->summary; *p; p++)
			fputs(*p == '|' ? "\\|" : (char[2]){*p, 0}, out);
		fputs(" |\n", out);
	}
}

int script_help(FILE *out, enum script_help_format fmt, const char *name)
{
	char usage[512];
	bool found = false;

	if (fmt == SCRIPT_HELP_MARKDOWN) {
		for (int t = 0; command_topics[t][0]; t++) {
			if (name && strcmp(name, command_topics[t][0]))
				continue;
			if (!name)
				fprintf(out, "%s### %s\n\n", t ? "\n" : "", command_topics[t][1]);
			help_markdown_topic(out, command_topics[t][0]);
			found = true;
		}
		return found ? 0 : -ENOENT;
	}
	for (int t = 0; command_topics[t][0]; t++) {
		bool heading = false;

		for (const struct command *c = commands; c->name; c++) {
			if (strcmp(c->topic, command_topics[t][0]) ||
			    (name && strcmp(name, c->name)))
				continue;
			print_usage(usage, sizeof(usage), c);
			found = true;
			if (fmt == SCRIPT_HELP_MAN) {
				fputs(".TP\n.B \"", out);
				put_plain(out, usage, true);
				fputs("\"\n", out);
				put_plain(out, c->summary, true);
				fputc('\n', out);
				continue;
			}
			if (!name && !heading)
				fprintf(out, "%s%s\n", t ? "\n" : "", command_topics[t][1]);
			heading = true;
			fprintf(out, "  %s\n", usage);
			put_wrapped(out, c->summary, 6);
			if (name)
				help_defaults(out, c);
		}
	}
	return found ? 0 : -ENOENT;
}
