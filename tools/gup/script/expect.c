// SPDX-License-Identifier: GPL-2.0-only
/*
 * expect: the scenario language's assertions. Evaluates each side (a query, a
 * string or an expression), compares, and counts what held and what failed.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "script_int.h"

struct operand {
	bool is_str;
	long num;
	unsigned char *bytes; /* strings; owned when @owned */
	size_t len;
	bool owned;
	char label[32]; /* a pfn, named by identity (gup diff); "" otherwise */
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

/* file NAME OFFSET LEN: the host file's own bytes, not the page cache's. */
static bool query_file(struct script *s, struct word **w, int n, struct operand *o)
{
	size_t got = 0;
	long off, len;

	if (n != 4)
		return fail(s, "expected: file NAME OFFSET LEN");
	if (!eval_range(s, w[2], 0, LONG_MAX, "an offset", &off) ||
	    !eval_range(s, w[3], 1, MAX_IO, "a length", &len))
		return false;
	o->bytes = host_file_read(s, w[1]->text, off, len, &got);
	o->len = got;
	o->is_str = o->owned = true;
	return o->bytes != NULL;
}

static bool query_seals(struct script *s, struct word **w, int n, struct operand *o)
{
	char *text;

	if (n != 2)
		return fail(s, "expected: seals NAME");
	if (!need_machine(s) || !(text = file_seals_text(s, w[1]->text)))
		return false;
	o->bytes = (unsigned char *)text;
	o->len = strlen(text);
	o->is_str = o->owned = true;
	return true;
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
	if (!strcmp(what, "ret")) {
		o->num = s->ret;
		s->read_taint |= s->ret_taint;
	} else if (!strcmp(what, "warnings"))
		o->num = (long)s->be->warn_count();
	else if (!strcmp(what, "free_pages"))
		o->num = (long)s->be->free_pages();
	else
		o->num = s->be->check(s->out);
	return true;
}

static bool eval_operand_value(struct script *s, struct word **w, int n, struct operand *o);

/*
 * One side of an expect, and for gup diff what it was computed from: a value
 * from a sim-only step makes the step sim-only; an address or a pid (from an
 * expression or ret, not a query) compares only as such.
 */
static bool eval_operand(struct script *s, struct word **w, int n, struct operand *o)
{
	unsigned char before = s->read_taint;
	bool query = n > 1 &&
		     (is_word(w[0], "page") || is_word(w[0], "read") || is_word(w[0], "pinned") ||
		      is_word(w[0], "file") || is_word(w[0], "vmstat") || is_word(w[0], "seals") ||
		      /* a VMA's bounds are addresses, its other fields are not */
		      (is_word(w[0], "vma") &&
		       !(n == 3 && (is_word(w[2], "start") || is_word(w[2], "end")))));
	bool ok;

	s->read_taint = 0;
	ok = eval_operand_value(s, w, n, o);
	if (ok && (s->read_taint & TAINT_SIM_ONLY))
		note_sim_only(s, "a value only a sim-only step set");
	if (ok && (s->read_taint & TAINT_OPAQUE) && !query && !o->is_str)
		snprintf(o->label, sizeof(o->label), "an-address-or-pid");
	s->read_taint |= before;
	return ok;
}

/* One side of an expect: a query, a "string" or an expression. */
static bool eval_operand_value(struct script *s, struct word **w, int n, struct operand *o)
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
		s->frame_label[0] = '\0';
		if (!need_machine(s) || !page_facts(s, w[1], &pf) ||
		    !page_field(s, &pf, w[2]->text, &o->num))
			return false;
		snprintf(o->label, sizeof(o->label), "%s", s->frame_label);
		return true;
	}
	if (is_word(w[0], "read"))
		return query_read(s, w, n, o);
	if (is_word(w[0], "pinned"))
		return query_pinned(s, w, n, o);
	if (is_word(w[0], "file"))
		return query_file(s, w, n, o);
	if (is_word(w[0], "seals"))
		return query_seals(s, w, n, o);
	if (is_word(w[0], "vmstat")) {
		if (n != 2)
			return fail(s, "expected: vmstat ITEM");
		return need_machine(s) && vmstat_item(s, w[1]->text, &o->num);
	}
	if (is_word(w[0], "hugepages")) {
		if (n != 3)
			return fail(s, "expected: hugepages SIZE FIELD");
		return need_machine(s) && hugepages_item(s, w[1], w[2]->text, &o->num);
	}
	if (is_word(w[0], "swap")) {
		if (n != 2)
			return fail(s, "expected: swap used|cached|total");
		return need_machine(s) && swap_item(s, w[1]->text, &o->num);
	}
	if (is_word(w[0], "vma")) {
		if (n != 3)
			return fail(s, "expected: vma ADDR FIELD");
		return need_task(s) && eval_addr(s, w[1], &addr) &&
		       vma_field(s, addr, w[2]->text, &o->num);
	}
	if (n != 1)
		return fail(s,
			    "expected a value: a query (ret page read pinned file seals vmstat "
			    "hugepages vma warnings free_pages violations), a \"string\" or an "
			    "expression, got '%s ...'",
			    w[0]->text);
	return eval_word(s, w[0], &o->num);
}

bool eval_number(struct script *s, struct word **w, int n, long *v)
{
	struct operand o;

	if (!eval_operand(s, w, n, &o))
		return false;
	if (o.owned)
		free(o.bytes);
	if (o.is_str)
		return fail(s, "expected a number (a query or an expression), got a string: "
			       "compare strings with expect");
	*v = o.num;
	return true;
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

/* An operand as gup diff compares it: frames by identity, strings escaped. */
static void format_operand(const struct operand *o, char *buf, size_t size)
{
	size_t n = 0;

	if (o->label[0]) {
		snprintf(buf, size, "%s", o->label);
		return;
	}
	if (!o->is_str) {
		snprintf(buf, size, "%s", NUM(o->num));
		return;
	}
	buf[n++] = '"';
	for (size_t i = 0; i < o->len && n + 6 < size; i++) {
		unsigned char c = o->bytes[i];

		n += (size_t)snprintf(buf + n, size - n,
				      c >= 0x20 && c < 0x7f && c != '"' ? "%c" : "\\x%02x", c);
	}
	snprintf(buf + n, size - n, "\"");
}

static void note_expectation(struct script *s, const char *op, const struct operand *l,
			     const struct operand *r, bool held)
{
	char left[160], right[160];

	if (!s->on_step)
		return;
	format_operand(l, left, sizeof(left));
	format_operand(r, right, sizeof(right));
	note_answer(s, "%s %s %s: %s", left, op, right, held ? "held" : "FAILED");
}

static void print_operand(struct script *s, const struct operand *o)
{
	if (o->is_str)
		print_escaped(s->out, o->bytes, o->len);
	else
		show(s, "%s", NUM(o->num));
}

/* The expect text as written, for messages. */
static void print_expectation(struct script *s, struct word **w, int n)
{
	for (int i = 0; i < n; i++) {
		if (w[i]->kind == W_STRING)
			print_escaped(s->out, (unsigned char *)w[i]->text, w[i]->len);
		else
			show(s, "%s", w[i]->text);
		show(s, i + 1 < n ? " " : "");
	}
}

bool cmd_expect(struct script *s, struct cmd_args *a)
{
	struct word **w = a->arg[0].rest;
	int n = a->arg[0].nrest;
	struct operand l, r;
	int op = -1;
	bool ok;

	for (int i = 0; i < n; i++)
		if (w[i]->kind == W_OP)
			op = op < 0 ? i : -2;
	if (op < 0)
		return fail(s, "usage: expect LEFT OP RIGHT with one OP of == != < <= > >= "
			       "(surrounded by spaces)");
	if (!eval_operand(s, w, op, &l))
		return false;
	ok = eval_operand(s, w + op + 1, n - op - 1, &r);
	if (ok && l.is_str != r.is_str)
		ok = fail(s, "cannot compare a string with a number");
	if (ok) {
		note_expectation(s, w[op]->text, &l, &r, compare(w[op]->text, &l, &r));
		if (compare(w[op]->text, &l, &r)) {
			s->held++;
			say(s, "  ok\n");
		} else {
			s->failed++;
			show(s, "%s:%d: FAILED: expect ", s->file, s->line);
			print_expectation(s, w, n);
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

/*
 * `expect[PROFILE] LEFT OP RIGHT`: an expectation for one semantics profile, so
 * a scenario can state each kernel's answer. Under @PROFILE the line runs as
 * `expect LEFT OP RIGHT` (written into @buf, *@body points there); under any
 * other it is skipped. An unknown profile name is a script error.
 */
enum profile_line profile_guard(struct script *s, const char *raw, char *buf, size_t size,
				const char **body)
{
	static const char prefix[] = "expect[";
	const char *name = raw + sizeof(prefix) - 1, *close;
	char profile[32];
	size_t len;

	if (strncmp(raw, prefix, sizeof(prefix) - 1))
		return PROFILE_LINE_PLAIN;
	close = strchr(name, ']');
	len = close ? (size_t)(close - name) : 0;
	if (!close || !len || len >= sizeof(profile) || (close[1] != ' ' && close[1] != '\t')) {
		fail(s, "expected: expect[PROFILE] LEFT OP RIGHT (PROFILE one of %s)",
		     s->be->profile_names());
		return PROFILE_LINE_ERROR;
	}
	memcpy(profile, name, len);
	profile[len] = '\0';
	if (!s->be->profile_known(profile)) {
		fail(s, "expected a profile (%s) in expect[...], got '%s'", s->be->profile_names(),
		     profile);
		return PROFILE_LINE_ERROR;
	}
	if (!need_machine(s))
		return PROFILE_LINE_ERROR;
	if (strcmp(profile, s->be->profile_current()))
		return PROFILE_LINE_SKIP;
	snprintf(buf, size, "expect%s", close + 1);
	*body = buf;
	return PROFILE_LINE_RUN;
}

/* ------------------------------------------------------------------- echo -- */
