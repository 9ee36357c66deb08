// SPDX-License-Identifier: GPL-2.0-only
/*
 * The scenario language's lexer: a line becomes words ("strings" with escapes,
 * key=value options, comparison operators and plain words); '#' ends a line.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "script_int.h"

/* ------------------------------------------------------------------ words -- */

static bool is_op(const char *t)
{
	static const char *const ops[] = {"==", "!=", "<", "<=", ">", ">=", NULL};

	for (int i = 0; ops[i]; i++)
		if (!strcmp(t, ops[i]))
			return true;
	return false;
}

int hex_digit(int c)
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
bool split_words(struct script *s, const char *raw, struct line *ln)
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
