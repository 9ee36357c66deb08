// SPDX-License-Identifier: GPL-2.0-only
/*
 * `gup diff FILE...` (docs/diff.md): play each scenario on libgup and on the
 * host's kernel (backend_host.c), then print every step with both answers and
 * `=` or `≠`; a known-differences file explains the differences CI accepts.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "gup_tool.h"
#include "script_int.h"

#define DEFAULT_PROFILE "6.18"
#define MAX_STEPS 4096
#define MAX_KNOWN 256

struct step_rec {
	int line;
	char *text, *answer, *sim_only;
	bool error;
};

struct side {
	struct step_rec steps[MAX_STEPS];
	int nr;
};

/* V_PROFILE: an expect[P] line for libgup's profile or for the host's kernel, not both. */
enum verdict { V_NONE, V_SAME, V_DIFFER, V_KNOWN, V_SIM_ONLY, V_ERROR, V_PROFILE };

static const char *const verdict_mark[] = {"·", "=", "≠", "≠", "sim-only", "error", "profile"};
static const char *const verdict_json[] = {"none",     "same",	"differ", "known",
					   "sim-only", "error", "profile"};

/* One line of the known-differences file: SCRIPT[@PROFILE]: COMMAND -- WHY */
struct known {
	char *script, *profile, *command, *why;
	bool seen;
};

struct diff_opts {
	bool json, verbose;
	const char *profile;
	int skip_exit; /* the status when the host cannot play at all (default 2) */
	struct known known[MAX_KNOWN];
	int nr_known;
	int hang_line, raise_line; /* tests: GUP_DIFF_HANG_LINE, GUP_DIFF_RAISE_LINE */
};

struct totals {
	int steps, compared, matched, known, sim_only;
};

static void record_step(void *ctx, const struct script_step *st)
{
	struct side *side = ctx;
	struct step_rec *r;

	if (side->nr == MAX_STEPS)
		return;
	r = &side->steps[side->nr++];
	r->line = st->line;
	r->text = strdup(st->text);
	r->answer = strdup(st->answer);
	r->sim_only = st->sim_only ? strdup(st->sim_only) : NULL;
	r->error = st->error;
}

static struct diff_opts *host_run_opts; /* the test hooks, during the host run */

static void record_host_step(void *ctx, const struct script_step *st)
{
	record_step(ctx, st);
	if (host_run_opts->hang_line == st->line)
		host_backend_hang_current();
	if (host_run_opts->raise_line == st->line)
		raise(SIGINT);
}

static void free_side(struct side *side)
{
	for (int i = 0; i < side->nr; i++) {
		free(side->steps[i].text);
		free(side->steps[i].answer);
		free(side->steps[i].sim_only);
	}
	side->nr = 0;
}

/* ------------------------------------------------------ known differences -- */

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static bool load_known(struct diff_opts *o, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[2048];
	int nr = 0;

	if (!f) {
		fprintf(stderr, "gup diff: cannot open known-differences file '%s': %s\n", path,
			strerror(errno));
		return false;
	}
	while (fgets(line, sizeof(line), f)) {
		char *l = trim(line), *colon, *sep, *at;
		struct known *k;

		nr++;
		if (!*l || *l == '#')
			continue;
		colon = strchr(l, ':');
		sep = strstr(l, " -- ");
		if (!colon || !sep || sep < colon || o->nr_known == MAX_KNOWN) {
			fprintf(stderr,
				"gup diff: %s:%d: expected SCRIPT[@PROFILE]: COMMAND -- WHY\n",
				path, nr);
			fclose(f);
			return false;
		}
		*colon = *sep = '\0';
		k = &o->known[o->nr_known++];
		at = strchr(l, '@');
		if (at)
			*at = '\0';
		k->script = strdup(trim(l));
		k->profile = at ? strdup(trim(at + 1)) : NULL;
		k->command = strdup(trim(colon + 1));
		k->why = strdup(trim(sep + 4));
	}
	fclose(f);
	return true;
}

static struct known *find_known(struct diff_opts *o, const char *script, const char *command)
{
	const char *base = strrchr(script, '/');

	base = base ? base + 1 : script;
	for (int i = 0; i < o->nr_known; i++) {
		struct known *k = &o->known[i];

		if (!strcmp(k->script, base) && !strcmp(k->command, command) &&
		    (!k->profile || !strcmp(k->profile, o->profile)))
			return k;
	}
	return NULL;
}

/* ------------------------------------------------------------- printing -- */

static void json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; s && *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(out, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(out, "\\u%04x", *s);
		else
			fputc(*s, out);
	}
	fputc('"', out);
}

static enum verdict judge(struct diff_opts *o, const char *file, const struct step_rec *sim,
			  const struct step_rec *host, struct known **known)
{
	*known = NULL;
	if (!sim || !host || sim->error || host->error)
		return V_ERROR;
	if (host->sim_only)
		return V_SIM_ONLY;
	if (!sim->answer[0] && !host->answer[0])
		return V_NONE;
	if (!strcmp(sim->answer, host->answer))
		return V_SAME;
	*known = find_known(o, file, sim->text);
	return *known ? V_KNOWN : V_DIFFER;
}

static void print_step(struct diff_opts *o, bool first, const struct step_rec *sim,
		       const struct step_rec *host, enum verdict v, const struct known *k)
{
	const struct step_rec *any = sim ? sim : host;
	const char *host_answer = host ? (host->sim_only ? host->sim_only : host->answer) : "";

	if (o->json) {
		printf("%s\n    {\"line\": %d, \"command\": ", first ? "" : ",", any->line);
		json_string(stdout, any->text);
		printf(", \"libgup\": ");
		json_string(stdout, sim ? sim->answer : NULL);
		printf(", \"host\": ");
		json_string(stdout, host ? host->answer : NULL);
		printf(", \"status\": \"%s\"", verdict_json[v]);
		if (host && host->sim_only) {
			printf(", \"sim_only\": ");
			json_string(stdout, host->sim_only);
		}
		if (k) {
			printf(", \"known\": ");
			json_string(stdout, k->why);
		}
		printf("}");
		return;
	}
	printf("%5d %-8s %s\n", any->line, verdict_mark[v], any->text);
	if (v == V_NONE)
		return;
	if (v == V_SAME) {
		printf("               both:   %s\n", sim->answer);
		return;
	}
	if (v == V_PROFILE) {
		printf("               %s %s%s\n",
		       sim ? "libgup:" : "host:  ", any->sim_only ? "sim-only: " : "",
		       any->sim_only ? any->sim_only : any->answer);
		printf("               %s skipped: another profile's expectation\n",
		       sim ? "host:  " : "libgup:");
		return;
	}
	printf("               libgup: %s\n", sim ? sim->answer : "(not reached)");
	printf("               host:   %s%s\n", host && host->sim_only ? "sim-only: " : "",
	       host ? host_answer : "(not reached)");
	if (k)
		printf("               known:  %s\n", k->why);
}

/* ------------------------------------------------------------------ run -- */

static int run_side(const char *buf, size_t len, const char *name, const struct backend_ops *be,
		    const char *profile, struct side *side, bool verbose,
		    void (*on_step)(void *, const struct script_step *))
{
	struct script_options so = {.backend = be,
				    .profile = profile,
				    .no_files = true,
				    .on_step = on_step,
				    .step_ctx = side};
	char *text = NULL;
	size_t text_len = 0;
	FILE *out = open_memstream(&text, &text_len);
	int ret;

	if (!out)
		return GUP_EXIT_USAGE;
	ret = script_run_buffer_opts(buf, len, name, out, &so);
	fclose(out);
	if (verbose)
		printf("---- %s on %s ----\n%s", name, be->name, text);
	else if (ret == GUP_EXIT_USAGE) /* the script error, as gup run shows it */
		fputs(text, stderr);
	free(text);
	return ret;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	long size;

	if (!f)
		return NULL;
	if (!fseek(f, 0, SEEK_END) && (size = ftell(f)) >= 0 && (unsigned long)size <= MAX_SCRIPT &&
	    !fseek(f, 0, SEEK_SET) && (buf = malloc((size_t)size + 1))) {
		*len = fread(buf, 1, (size_t)size, f);
		if (ferror(f)) {
			free(buf);
			buf = NULL;
		}
	}
	fclose(f);
	return buf;
}

/* Whether step @a is an expect[P] line the other side, now at step @b, skipped. */
static bool other_profile_line(const struct step_rec *a, const struct step_rec *b)
{
	return !strncmp(a->text, "expect[", 7) && !a->error && (!b || b->line > a->line);
}

/* A step only one side ran: another profile's expect[P], else a side that stopped. */
static enum verdict one_sided(const struct step_rec *sim, const struct step_rec *host,
			      struct known **known)
{
	const struct step_rec *any = sim ? sim : host;

	*known = NULL;
	return !strncmp(any->text, "expect[", 7) && !any->error ? V_PROFILE : V_ERROR;
}

/* One scenario on both machines, printed: GUP_EXIT_OK, _FAILED (a difference) or _USAGE. */
static int diff_file(struct diff_opts *o, const char *path, bool first_file, struct totals *t)
{
	static struct side sim, host;
	const char *why;
	size_t len;
	char *buf = slurp(path, &len);
	int sim_ret, host_ret, worst = GUP_EXIT_OK, n;
	struct utsname u;
	bool first = true;

	if (!buf) {
		fprintf(stderr, "gup diff: cannot read '%s': %s\n", path, strerror(errno));
		return GUP_EXIT_USAGE;
	}
	uname(&u);
	sim_ret = run_side(buf, len, path, &sim_backend, o->profile, &sim, o->verbose, record_step);
	host_run_opts = o;
	host_ret =
		run_side(buf, len, path, &host_backend, NULL, &host, o->verbose, record_host_step);
	free(buf);
	why = host_backend_error();
	if (o->json)
		printf("%s  {\"file\": \"%s\", \"profile\": \"%s\", \"kernel\": \"%s\", \"steps\": "
		       "[",
		       first_file ? "" : ",\n", path, o->profile, u.release);
	else
		printf("%s: libgup (profile %s) vs the host (Linux %s)\n", path, o->profile,
		       u.release);
	int compared = 0, matched = 0, known = 0, sim_only = 0, i = 0, j = 0;

	for (n = 0; i < sim.nr || j < host.nr; n++) {
		struct step_rec *s = i < sim.nr ? &sim.steps[i] : NULL;
		struct step_rec *h = j < host.nr ? &host.steps[j] : NULL;
		struct known *k;
		enum verdict v;

		/* An expect[P] line runs on one side only: libgup's profile, the host's kernel. */
		if (s && other_profile_line(s, h))
			h = NULL;
		else if (h && other_profile_line(h, s))
			s = NULL;
		i += s != NULL;
		j += h != NULL;
		v = s && h ? judge(o, path, s, h, &k) : one_sided(s, h, &k);
		if (k)
			k->seen = true;
		compared += v == V_SAME || v == V_DIFFER || v == V_KNOWN;
		matched += v == V_SAME;
		known += v == V_KNOWN;
		sim_only += v == V_SIM_ONLY || v == V_PROFILE;
		if (v == V_DIFFER && worst < GUP_EXIT_FAILED)
			worst = GUP_EXIT_FAILED;
		if (v == V_ERROR)
			worst = GUP_EXIT_USAGE;
		print_step(o, first, s, h, v, k);
		first = false;
	}
	if (sim_ret == GUP_EXIT_USAGE || host_ret == GUP_EXIT_USAGE || why)
		worst = GUP_EXIT_USAGE;
	if (o->json) {
		printf("\n  ], \"compared\": %d, \"matched\": %d, \"known\": %d, \"differ\": %d, "
		       "\"sim_only\": %d, \"host_error\": ",
		       compared, matched, known, compared - matched - known, sim_only);
		json_string(stdout, why);
		printf("}");
	} else {
		printf("%s: %d steps, %d compared: %d matched, %d differ (%d known), %d sim-only\n",
		       path, n, compared, matched, compared - matched, known, sim_only);
		if (why)
			printf("%s: host error: %s\n", path, why);
	}
	t->steps += n;
	t->compared += compared;
	t->matched += matched;
	t->known += known;
	t->sim_only += sim_only;
	free_side(&sim);
	free_side(&host);
	return worst;
}

static int usage(void)
{
	fprintf(stderr, "usage: gup diff [--json] [-v] [--profile NAME] [--known FILE] "
			"[--skip-exit N] FILE...\n");
	return GUP_EXIT_USAGE;
}

static void free_known(struct diff_opts *o)
{
	for (int i = 0; i < o->nr_known; i++) {
		free(o->known[i].script);
		free(o->known[i].profile);
		free(o->known[i].command);
		free(o->known[i].why);
	}
}

static int env_line(const char *name)
{
	const char *v = getenv(name);

	return v ? atoi(v) : 0;
}

int gup_diff_main(int argc, char **argv)
{
	static struct diff_opts o;
	struct totals t = {0};
	int worst = GUP_EXIT_OK, i = 1, files = 0;
	const char *why;

	memset(&o, 0, sizeof(o));
	o.profile = getenv("GUP_PROFILE") && *getenv("GUP_PROFILE") ? getenv("GUP_PROFILE")
								    : DEFAULT_PROFILE;
	o.skip_exit = GUP_EXIT_USAGE;
	o.hang_line = env_line("GUP_DIFF_HANG_LINE");
	o.raise_line = env_line("GUP_DIFF_RAISE_LINE");
	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		bool has_value = i + 1 < argc;

		if (!strcmp(argv[i], "--json")) {
			o.json = true;
		} else if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose")) {
			o.verbose = true;
		} else if (!strcmp(argv[i], "--profile") && has_value) {
			o.profile = argv[++i];
		} else if (!strcmp(argv[i], "--known") && has_value) {
			if (!load_known(&o, argv[++i]))
				return free_known(&o), GUP_EXIT_USAGE;
		} else if (!strcmp(argv[i], "--skip-exit") && has_value) {
			o.skip_exit = atoi(argv[++i]);
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage();
			return free_known(&o), GUP_EXIT_OK;
		} else {
			fprintf(stderr, "gup diff: unknown option or missing value: '%s'\n",
				argv[i]);
			return free_known(&o), usage();
		}
	}
	if (i == argc)
		return free_known(&o), usage();
	if (!sim_backend.profile_known(o.profile)) {
		fprintf(stderr, "gup diff: unknown profile '%s' (known: %s)\n", o.profile,
			sim_backend.profile_names());
		return free_known(&o), GUP_EXIT_USAGE;
	}
	if ((why = host_backend_unavailable())) {
		fprintf(stderr, "gup diff: %s\n", why);
		return free_known(&o), o.skip_exit;
	}
	if (o.json)
		printf("{\"scenarios\": [\n");
	for (; i < argc; i++, files++) {
		int ret = diff_file(&o, argv[i], !files, &t);

		if (ret > worst)
			worst = ret;
	}
	if (o.json) {
		printf("\n], \"compared\": %d, \"matched\": %d, \"known\": %d, \"exit\": %d}\n",
		       t.compared, t.matched, t.known, worst);
	} else {
		if (files > 1)
			printf("all: %d steps, %d compared: %d matched, %d differ (%d known), "
			       "%d sim-only\n",
			       t.steps, t.compared, t.matched, t.compared - t.matched, t.known,
			       t.sim_only);
		for (int k = 0; k < o.nr_known; k++)
			if (!o.known[k].seen &&
			    (!o.known[k].profile || !strcmp(o.known[k].profile, o.profile)))
				for (int f = argc - files; f < argc; f++)
					if (strstr(argv[f], o.known[k].script))
						printf("note: known difference no longer seen: %s: "
						       "%s\n",
						       o.known[k].script, o.known[k].command);
	}
	free_known(&o);
	return worst;
}
