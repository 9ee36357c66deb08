/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The scenario language of `gup run` (docs/scenarios.md): run a script against a
 * freshly booted simulated machine and report whether every expectation held.
 */
#ifndef GUP_SCRIPT_H
#define GUP_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct backend_ops;

/* One command line as it ran, for gup diff (diff.c). */
struct script_step {
	int line;
	const char *text;     /* the command as written */
	const char *answer;   /* what the machine answered, machine-independent ("" if nothing) */
	const char *sim_only; /* NULL, or why this step cannot be compared with the host */
	bool error;	      /* the step stopped the run with a script error */
};

struct script_options {
	bool quiet; /* print only explicit output, failures and the summary */
	/* The machine to run on (backend.h); NULL: the simulated one. */
	const struct backend_ops *backend;
	/* NULL, or a directory: each `pagetable` command also writes DIR/<script>-<n>.dot. */
	const char *dot_dir;
	/* Write no files (the fuzzer): pictures are drawn into memory and dropped. */
	bool no_files;
	/* NULL, or the semantics profile every boot of the run uses (gup run --profile). */
	const char *profile;
	/* NULL, or called after every command with its answer (gup diff). */
	void (*on_step)(void *ctx, const struct script_step *step);
	void *step_ctx;
};

/*
 * Run the script in @buf (@len bytes, need not be NUL-terminated) named @name in
 * messages. Boots the machine (unless one is running: then -EBUSY is reported)
 * and shuts it down before returning. Everything is printed to @out.
 * Return: GUP_EXIT_OK, GUP_EXIT_FAILED or GUP_EXIT_USAGE (see gup_tool.h).
 */
int script_run_buffer(const char *buf, size_t len, const char *name, FILE *out);
int script_run_buffer_opts(const char *buf, size_t len, const char *name, FILE *out,
			   const struct script_options *opts);
/* Read all of @in (at most 16 MiB), then run it as script_run_buffer_opts(). */
int script_run_stream(FILE *in, const char *name, FILE *out, const struct script_options *opts);

enum script_help_format { SCRIPT_HELP_TEXT, SCRIPT_HELP_MARKDOWN, SCRIPT_HELP_MAN };

/*
 * Print the command table of the language: every command's usage and summary
 * (as text for `gup help run`, as the markdown tables of docs/scenarios.md or the
 * man page entries of docs/gup.1). @name limits it to one command (text, man) or
 * one docs topic (markdown); NULL prints all.
 * Return: 0, or -ENOENT when @name matches nothing.
 */
int script_help(FILE *out, enum script_help_format fmt, const char *name);

#endif /* GUP_SCRIPT_H */
