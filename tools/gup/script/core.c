// SPDX-License-Identifier: GPL-2.0-only
/*
 * The core of the scenario language (docs/scenarios.md): messages, the machine
 * a script boots on demand, data display, and the runner: line by line, each
 * command through its table row, then the end-of-run report and shutdown.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
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

/* ---------------------------------------------------------------- machine -- */

bool boot_machine(struct script *s, const struct bk_boot *cfg)
{
	int err = s->be->boot(cfg);

	if (err && cfg->hugetlb_1g)
		return fail(s,
			    "cannot boot the machine: %s (hugetlb1g=%lu needs mem= of at least "
			    "%lu GiB: 1G pages are carved above the first gigabyte)",
			    NUM(err), cfg->hugetlb_1g, cfg->hugetlb_1g + 1);
	if (err && cfg->device_bytes % (2UL << 20))
		return fail(s, "cannot boot the machine: %s (device=%s is not a multiple of 2M)",
			    NUM(err), NUM((long)cfg->device_bytes));
	if (err)
		return fail(s,
			    "cannot boot the machine: %s (sizes must be multiples of 4M, mem at "
			    "least 8M, and the profile one that exists)",
			    NUM(err));
	s->booted = true;
	return true;
}

bool need_machine(struct script *s)
{
	struct bk_boot cfg = {.mem_bytes = DEFAULT_MEM, .profile = s->profile};

	return s->booted || boot_machine(s, &cfg);
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

/* ---------------------------------------------------- gup diff's record -- */

void note_answer(struct script *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!s->on_step || s->answer_len + 3 >= sizeof(s->answer))
		return;
	if (s->answer_len)
		s->answer[s->answer_len++] = ' ';
	va_start(ap, fmt);
	n = vsnprintf(s->answer + s->answer_len, sizeof(s->answer) - s->answer_len, fmt, ap);
	va_end(ap);
	if (n > 0)
		s->answer_len += (size_t)n;
	if (s->answer_len >= sizeof(s->answer))
		s->answer_len = sizeof(s->answer) - 1;
}

void note_sim_only(struct script *s, const char *why)
{
	if (!s->sim_only)
		s->sim_only = why;
}

/* "zero page", "not present", or frame#N: the Nth distinct frame this run has seen. */
const char *name_frame(struct script *s, const struct page_facts *pf, char *buf, size_t size)
{
	unsigned long pfn = (unsigned long)pf->f[PF_PFN];
	int i;

	if (pf->f[PF_PFN] == PF_UNKNOWN)
		return "unknown";
	if (pf->f[PF_ZERO] > 0)
		return "zero-page";
	if (!pf->f[PF_PRESENT])
		return "not-present";
	for (i = 0; i < s->nr_frames && s->frames[i] != pfn; i++)
		;
	if (i == s->nr_frames && i < MAX_FRAMES)
		s->frames[s->nr_frames++] = pfn;
	snprintf(buf, size, "frame#%d", i + 1);
	return buf;
}

/* mmap, mremap and secretmem: an address, which differs from machine to machine. */
static bool returns_address(const struct command *cmd)
{
	return !strcmp(cmd->name, "mmap") || !strcmp(cmd->name, "mremap") ||
	       !strcmp(cmd->name, "secretmem");
}

/* What a command answered when it noted nothing itself: the result it left in ret. */
static void note_default_answer(struct script *s, const struct command *cmd, long ret_before)
{
	static const char *const with_result[] = {"mapping", "access", "gup",
						  "remote",  "files",  NULL};
	bool has_result = false;

	for (int i = 0; with_result[i]; i++)
		has_result |= !strcmp(cmd->topic, with_result[i]);
	if (s->answer_len || !strcmp(cmd->name, "expect"))
		return;
	if (!has_result ||
	    (s->ret == ret_before && (!strcmp(cmd->name, "unpin") || !strcmp(cmd->name, "put"))))
		return;
	/* An address differs from machine to machine: only its success compares. */
	if (returns_address(cmd) && (unsigned long)s->ret < -4095UL)
		note_answer(s, "ret=ok");
	else
		note_answer(s, "ret=%s", NUM(s->ret));
}

/*
 * What the values a step defined and its ret came from: the host's sim-only
 * steps taint what they set (the bare names of the line, as `as NAME`, `count
 * NAME`, `set NAME =` write them), mmap and fork give addresses and pids.
 */
static void taint_results(struct script *s, const struct command *cmd, const struct line *ln)
{
	static const char *const with_result[] = {"mapping", "access", "gup",
						  "remote",  "tasks",  "files"};
	bool opaque = returns_address(cmd) || !strcmp(cmd->name, "fork");
	unsigned char taint = (s->sim_only ? TAINT_SIM_ONLY : 0) | (opaque ? TAINT_OPAQUE : 0);

	for (size_t i = 0; i < sizeof(with_result) / sizeof(with_result[0]); i++)
		if (!strcmp(cmd->topic, with_result[i]) && strcmp(cmd->name, "switch"))
			s->ret_taint = taint;
	if (!strcmp(cmd->name, "expect"))
		return;
	taint |= s->read_taint & TAINT_SIM_ONLY;
	if (!strcmp(cmd->name, "set"))
		taint |= s->read_taint;
	for (int i = 1; taint && i < ln->n; i++) {
		const struct word *w = &ln->w[i];
		struct symbol *sym;

		if (w->kind == W_WORD &&
		    (sym = find_symbol(s, w->key ? w->key : w->text,
				       strlen(w->key ? w->key : w->text))) &&
		    sym->kind == SYM_VALUE)
			sym->taint |= taint;
	}
}

static void tell_step(struct script *s, const char *raw, size_t len, bool error)
{
	char text[MAX_LINE + 1];
	struct script_step step = {.line = s->line, .text = text, .error = error};

	snprintf(text, sizeof(text), "%.*s", (int)len, raw);
	s->answer[s->answer_len] = '\0';
	step.answer = s->answer;
	step.sim_only = s->sim_only;
	s->on_step(s->step_ctx, &step);
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

/* Bytes a step showed, for gup diff: short ones as text, long ones by a hash. */
static void note_bytes(struct script *s, const unsigned char *b, size_t n)
{
	char text[4 * SHORT_DUMP + 3] = "";
	unsigned long hash = 5381;
	size_t len = 0;

	if (!s->on_step)
		return;
	if (n > SHORT_DUMP) {
		for (size_t i = 0; i < n; i++)
			hash = hash * 33 + b[i];
		note_answer(s, "%zu bytes, hash %#lx", n, hash);
		return;
	}
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(
			text + len, sizeof(text) - len,
			b[i] >= 0x20 && b[i] < 0x7f && b[i] != '"' ? "%c" : "\\x%02x", b[i]);
	note_answer(s, "\"%s\"", text);
}

/* Short data as one string, long data as a hexdump with repeated lines folded. */
void print_bytes(struct script *s, unsigned long base, const unsigned char *b, size_t n)
{
	bool folded = false;

	note_bytes(s, b, n);
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

/*
 * GUP references a command takes are charged to its line, so that what a run
 * leaves behind is reported by `script.gup:LINE`. Only the commands that call
 * GUP set it: each new label is kept for the life of the process.
 */
static void charge_refs_to_line(struct script *s, const struct command *cmd)
{
	const char *base = strrchr(s->file, '/');
	char site[96];

	if (strcmp(cmd->topic, "gup") && strcmp(cmd->topic, "remote"))
		return;
	snprintf(site, sizeof(site), "%s:%d", base ? base + 1 : s->file, s->line);
	s->be->set_call_site(site);
}

static void run_line(struct script *s, const char *raw)
{
	const struct command *cmd;
	char guarded[MAX_LINE + 1];
	const char *body = raw;
	struct cmd_args a;
	struct line ln;
	size_t len;

	while (*raw == ' ' || *raw == '\t')
		raw++;
	if (!*raw || *raw == '#')
		return;
	switch (profile_guard(s, raw, guarded, sizeof(guarded), &body)) {
	case PROFILE_LINE_ERROR:
		return;
	case PROFILE_LINE_SKIP:
		say(s, "> %s\n  skipped: not this profile (%s)\n", raw, s->be->profile_current());
		return;
	default:
		break;
	}
	for (cmd = commands; cmd->name; cmd++) {
		size_t n = strlen(cmd->name);

		if (cmd->raw && !strncmp(raw, cmd->name, n) &&
		    (!raw[n] || raw[n] == ' ' || raw[n] == '\t')) {
			memset(&a, 0, sizeof(a));
			a.cmd = cmd;
			a.arg[0].str = raw + n;
			s->commands++;
			cmd->fn(s, &a);
			return;
		}
	}
	s->raw_line = body;
	if (!split_words(s, body, &ln) || !ln.n)
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
	s->answer_len = 0;
	s->sim_only = NULL;
	s->read_taint = 0;
	if (s->be->plays_command && !s->be->plays_command(cmd->name)) {
		/* gup diff: no host equivalent; the step is shown, not compared. */
		say(s, "  (sim-only: not played on %s)\n", s->be->name);
		note_sim_only(s, "no host equivalent");
	} else {
		long ret_before = s->ret;
		const char *why;

		charge_refs_to_line(s, cmd);
		if (parse_command(s, cmd, ln.w + 1, ln.n - 1, &a)) {
			a.cmd->fn(s, &a);
			if (s->be->take_sim_only && (why = s->be->take_sim_only()))
				note_sim_only(s, why);
			/* e.g. an address a sim-only mmap gave: not the host's to compare */
			if (s->read_taint & TAINT_SIM_ONLY)
				note_sim_only(s, "a value only a sim-only step set");
			note_default_answer(s, a.cmd, ret_before);
		}
	}
	if (s->on_step) {
		taint_results(s, cmd, &ln);
		tell_step(s, raw, len, s->stop);
	}
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

	s->be->set_call_site(NULL);
	if (s->booted) {
		remove_at_hooks(s);
		report_unreleased(s);
		s->be->report_refs(s->out);
		for (int i = 0; i < MAX_TASKS; i++)
			if (s->tasks[i].task)
				s->be->task_exit(s->tasks[i].task);
		leaked = s->be->shutdown() != 0;
	}
	remove_script_files(s);
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
	s->be = opts && opts->backend ? opts->backend : &sim_backend;
	s->file = name ? name : "<script>";
	s->out = out;
	s->quiet = opts && opts->quiet;
	s->dot_dir = opts ? opts->dot_dir : NULL;
	s->no_files = opts && opts->no_files;
	s->profile = opts ? opts->profile : NULL;
	s->on_step = opts ? opts->on_step : NULL;
	s->step_ctx = opts ? opts->step_ctx : NULL;
	s->runner = pthread_self();
	if (s->be->running())
		fail(s, "a simulated machine is already running");
	else if (s->profile && !s->be->profile_known(s->profile))
		fail(s, "unknown profile '%s' (known: %s)", s->profile, s->be->profile_names());
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
