// SPDX-License-Identifier: GPL-2.0-only
/*
 * Scenario commands at the machine's interleaving points: `points` lists the
 * table, `at POINT [once] COMMAND ...` runs a command each time a thread reaches
 * POINT, `at POINT off` stops it, and `count NAME` is the hit counter such
 * hooks use. Which commands may run at a point is the table's `at_point` flag.
 */
#include <pthread.h>
#include <string.h>

#include "script_int.h"

bool cmd_points(struct script *s, struct cmd_args *a)
{
	struct bk_point_info info;

	for (int id = 0; s->be->point_info(id, &info); id++)
		show(s, "  %-22s %s%s\n  %-22s locks: %s\n", info.name, info.where,
		     info.can_fail ? " (can fail: inject)" : "", "", info.locks);
	return true;
}

bool cmd_count(struct script *s, struct cmd_args *a)
{
	const char *name = a->arg[0].str;
	struct symbol *sym = find_symbol(s, name, strlen(name));

	if (sym && sym->kind != SYM_VALUE)
		return fail(s, "'%s' names a page set, not a count", name);
	return set_value(s, name, sym ? sym->value + 1 : 1);
}

/* The words of a hooked line: after `at`, POINT and an optional `once`. */
static const char *skip_word(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	while (*p && *p != ' ' && *p != '\t')
		p++;
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/*
 * Run the hooked command @text. Only table rows with at_point run here: they
 * touch the script's own state and output, never the machine, so they are safe
 * under whatever lock the point holds.
 */
static void run_hooked(struct script *s, const char *text, bool check_only)
{
	const struct command *cmd;
	struct cmd_args a;
	struct line ln;

	if (!split_words(s, text, &ln))
		return;
	if (!ln.n) {
		fail(s, "usage: at POINT [once] COMMAND ARGS... | at POINT off");
		return;
	}
	cmd = ln.w[0].kind == W_WORD && !ln.w[0].key ? first_form(ln.w[0].text) : NULL;
	if (!cmd) {
		fail(s, "unknown command '%s' after at POINT", ln.w[0].text);
		return;
	}
	if (!cmd->at_point) {
		fail(s,
		     "`%s` cannot run at a point: the thread there holds the point's locks "
		     "(see `points`); only commands that leave the machine alone can (echo, "
		     "count)",
		     cmd->name);
		return;
	}
	if (cmd->raw) {
		memset(&a, 0, sizeof(a));
		a.cmd = cmd;
		a.arg[0].str = text + strlen(cmd->name);
		if (!check_only)
			cmd->fn(s, &a);
		return;
	}
	if (parse_command(s, cmd, ln.w + 1, ln.n - 1, &a) && !check_only)
		a.cmd->fn(s, &a);
}

static void at_hook_fire(int point, void *arg)
{
	struct at_hook *h = arg;
	struct script *s = h->s;

	/* A point reached on a thread the script does not run on is not the script's. */
	if (!pthread_equal(pthread_self(), s->runner) || s->stop)
		return;
	if (h->once)
		s->be->point_hook(point, NULL, NULL);
	run_hooked(s, h->text, false);
}

static bool lookup_point(struct script *s, const char *name, int *id)
{
	char names[512];
	struct bk_point_info info;
	size_t n = 0;

	*id = s->be->point_lookup(name);
	if (*id >= 0 && *id < MAX_HOOKED_POINTS)
		return true;
	names[0] = '\0';
	for (int i = 0; s->be->point_info(i, &info) && n < sizeof(names); i++)
		n += (size_t)snprintf(names + n, sizeof(names) - n, "%s%s", n ? " " : "",
				      info.name);
	return fail(s, "expected a point (%s), got '%s'", names, name);
}

bool cmd_at(struct script *s, struct cmd_args *a)
{
	const char *text = skip_word(skip_word(s->raw_line));
	struct bk_point_info info;
	struct at_hook *h;
	int id, err;

	if (!lookup_point(s, a->arg[0].str, &id))
		return false;
	s->be->point_info(id, &info);
	if (!info.script_thread)
		return fail(s,
			    "point %s is reached on the library's own thread (%s), not the "
			    "script's: it cannot be hooked from a script",
			    info.name, info.locks);
	if (a->arg[1].given)
		text = skip_word(text);
	run_hooked(s, text, true);
	if (s->stop)
		return false;
	h = &s->at_hooks[id];
	h->s = s;
	h->once = a->arg[1].given;
	snprintf(h->text, sizeof(h->text), "%s", text);
	err = s->be->point_hook(id, at_hook_fire, h);
	if (err)
		return fail(s, "cannot hook point %s: %s", info.name, NUM(err));
	return true;
}

bool cmd_at_off(struct script *s, struct cmd_args *a)
{
	int id;

	if (!lookup_point(s, a->arg[0].str, &id))
		return false;
	s->be->point_hook(id, NULL, NULL);
	return true;
}

/* Remove every hook the script set (before the machine goes). */
void remove_at_hooks(struct script *s)
{
	for (int id = 0; id < MAX_HOOKED_POINTS; id++)
		if (s->at_hooks[id].s)
			s->be->point_hook(id, NULL, NULL);
}
