// SPDX-License-Identifier: GPL-2.0-only
/*
 * Expressions of the scenario language: numbers with size suffixes, $names,
 * errno names and constants, + - * / % and parentheses, 64-bit wrapping; and
 * numbers printed as scripts write them (-EFAULT, hex).
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "script_int.h"

/* ---------------------------------------------------------------- errnos -- */

const struct named_value errno_names[] = {
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
		e->s->read_taint |= sym->taint;
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
