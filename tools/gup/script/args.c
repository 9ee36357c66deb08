// SPDX-License-Identifier: GPL-2.0-only
/*
 * Each command's words checked and converted from its row of the command table
 * (cmd_table.c): the form that fits, option names and defaults, ranges, flag
 * and prot words, and the usage message when no form fits.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "script_int.h"

/* ------------------------------------------------------------ flag tables -- */

const struct named_value foll_names[] = {
	{"write", FOLL_WRITE},
	{"touch", FOLL_TOUCH},
	{"get", FOLL_GET},
	{"dump", FOLL_DUMP},
	{"force", FOLL_FORCE},
	{"nowait", FOLL_NOWAIT},
	{"populate", FOLL_POPULATE},
	{"split", FOLL_SPLIT},
	{"hwpoison", FOLL_HWPOISON},
	{"numa", FOLL_NUMA},
	{"migration", FOLL_MIGRATION},
	{"tried", FOLL_TRIED},
	{"mlock", FOLL_MLOCK},
	{"remote", FOLL_REMOTE},
	{"cow", FOLL_COW},
	{"anon", FOLL_ANON},
	{"longterm", FOLL_LONGTERM},
	{"split_pmd", FOLL_SPLIT_PMD},
	{"pin", FOLL_PIN},
	{"fast_only", FOLL_FAST_ONLY},
	{"unlockable", FOLL_UNLOCKABLE},
	{"madv_populate", FOLL_MADV_POPULATE},
	{"nofault", FOLL_NOFAULT},
	{"honor_numa_fault", FOLL_HONOR_NUMA_FAULT},
	{NULL, 0},
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
	{"hugetlb", MAP_HUGETLB},
	{"hugetlb=2M", MAP_HUGETLB | MAP_HUGE_2MB},
	{"hugetlb=1G", MAP_HUGETLB | MAP_HUGE_1GB},
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
	{"hugepage", MADV_HUGEPAGE},
	{"nohugepage", MADV_NOHUGEPAGE},
	{"populate_read", MADV_POPULATE_READ},
	{"populate_write", MADV_POPULATE_WRITE},
	{"cold", MADV_COLD},
	{"pageout", MADV_PAGEOUT},
	{NULL, 0},
};

/* The two-letter VmFlags of /proc/pid/smaps ("lf" for VM_LOCKONFAULT is libgup's). */
const struct named_value vm_flag_names[] = {
	{"rd", VM_READ},
	{"wr", VM_WRITE},
	{"ex", VM_EXEC},
	{"sh", VM_SHARED},
	{"mr", VM_MAYREAD},
	{"mw", VM_MAYWRITE},
	{"me", VM_MAYEXEC},
	{"ms", VM_MAYSHARE},
	{"gd", VM_GROWSDOWN},
	{"pf", VM_PFNMAP},
	{"dw", VM_DENYWRITE},
	{"lo", VM_LOCKED},
	{"lf", VM_LOCKONFAULT},
	{"io", VM_IO},
	{"sr", VM_SEQ_READ},
	{"rr", VM_RAND_READ},
	{"dc", VM_DONTCOPY},
	{"de", VM_DONTEXPAND},
	{"ac", VM_ACCOUNT},
	{"nr", VM_NORESERVE},
	{"ht", VM_HUGETLB},
	{"sf", VM_SYNC},
	{"wf", VM_WIPEONFORK},
	{"dd", VM_DONTDUMP},
	{"sd", VM_SOFTDIRTY},
	{"mm", VM_MIXEDMAP},
	{"hg", VM_HUGEPAGE},
	{"nh", VM_NOHUGEPAGE},
	{"mg", VM_MERGEABLE},
	{"sl", VM_SEALED},
	{NULL, 0},
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
			    "populate_read populate_write normal random sequential willneed "
			    "hugepage nohugepage cold pageout), "
			    "got '%s'",
			    text);
	*advice = (long)adv->value;
	return true;
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
int print_usage(char *buf, size_t size, const struct command *cmd)
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

const struct command *first_form(const char *name)
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
	case OPT_TEXT:
		v->str = text;
		return true;
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

		if (!w[i].key || first->rest_takes_options) {
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

bool parse_command(struct script *s, const struct command *first, struct word *w, int nw,
		   struct cmd_args *a)
{
	const struct command *form;

	if (first->needs == NEEDS_NO_MACHINE && s->booted)
		return fail(s, "`%s` must come before every command that uses the machine",
			    first->name);
	if (!collect_args(s, first, w, nw, a))
		return false;
	for (form = first; form->name && !strcmp(form->name, first->name); form++)
		if (match_form(form, a))
			return convert_args(s, a);
	return usage_error(s, first);
}
