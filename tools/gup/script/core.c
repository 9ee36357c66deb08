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
	struct cmd_args a;
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
			memset(&a, 0, sizeof(a));
			a.cmd = cmd;
			a.arg[0].str = raw + n;
			s->commands++;
			cmd->fn(s, &a);
			return;
		}
	}
	s->raw_line = raw;
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
	charge_refs_to_line(s, cmd);
	if (parse_command(s, cmd, ln.w + 1, ln.n - 1, &a))
		a.cmd->fn(s, &a);
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
