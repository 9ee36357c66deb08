// SPDX-License-Identifier: GPL-2.0-only
/*
 * `gup help run`: the command table printed for the terminal, as the markdown
 * tables of docs/scenarios.md, or as the entries of docs/gup.1.
 */
#include <errno.h>
#include <string.h>

#include "script.h"
#include "script_int.h"

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
