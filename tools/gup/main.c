// SPDX-License-Identifier: GPL-2.0-only
/*
 * gup: the command-line front end of libgup. Dispatches `run`, `diff`, `bench`, `stress`,
 * `help` and `--version`, and parses the options of `run` (the scenario runner).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "gup_tool.h"
#include "script.h"

#ifndef GUP_VERSION
#define GUP_VERSION "unknown" /* CMake passes the project version */
#endif

static const char usage_text[] =
	"usage: gup <command> [options]\n"
	"\n"
	"commands:\n"
	"  run [-q] FILE|-...   run scenario scripts (docs/scenarios.md) on a fresh\n"
	"                       simulated machine each; exit 0 only if every expect held\n"
	"                       and nothing leaked. -q: print only explicit output,\n"
	"                       failures and the summary. --dot DIR: each pagetable\n"
	"                       command also writes DIR/<script>-<n>.dot (Graphviz).\n"
	"                       --profile NAME: boot with that semantics profile\n"
	"  diff [options] FILE...\n"
	"                       play each scenario on libgup and on the host kernel\n"
	"                       (real processes, as root) and show each step's two\n"
	"                       answers, = or ≠ (docs/diff.md); exit 1 on a difference.\n"
	"      --profile NAME   libgup's profile (default 6.18)\n"
	"      --known FILE     explained differences: printed, not failed\n"
	"      --json           machine-readable; -v: both runs' output too\n"
	"      --skip-exit N    the status when the host cannot play (default 2)\n"
	"  bench [options]      gup_test-style benchmarks (gup bench --help for all):\n"
	"      -m MiB           region size (default 128)\n"
	"      -r N             repeats (default 1)\n"
	"      -n N             pages per call, -1: the whole region (default 1)\n"
	"      -j N             threads sharing the region (default 1); --split: slices\n"
	"      -a | -L | -u | -U | -b | -c [PAGE...]\n"
	"                       PIN_FAST, PIN_LONGTERM, GUP_FAST (default), GUP_BASIC,\n"
	"                       PIN_BASIC, DUMP_USER_PAGES\n"
	"      -F FLAGS         extra FOLL_* flags (decimal, 0x hex, 0 octal)\n"
	"      -w / -W          write (default) / do not write\n"
	"      -S               shared mapping\n"
	"      -T               no THP (the only mode; -t and -H are refused)\n"
	"      --json           machine-readable results\n"
	"      --vs-kernel      time the host kernel's nearest path too\n"
	"  stress [options]     randomized concurrent GUP stress (gup stress --help):\n"
	"      --seconds N      how long to run (default 10)\n"
	"      --threads N      worker threads (default 4)\n"
	"      --seed N         random seed (default: from the clock, printed)\n"
	"      --ops N          exactly N operations, deterministic: the seed repeats it\n"
	"  help, --help, -h     this summary\n"
	"  help run [COMMAND]   the scenario commands (--markdown, --man: as the docs\n"
	"                       tables)\n"
	"  --version            print the version\n"
	"\n"
	"exit status: 0 success, 1 a check failed, 2 usage or script error.\n"
	"See gup(1) and docs/scenarios.md.\n";

void gup_print_usage(FILE *out)
{
	fputs(usage_text, out);
}

/*
 * Run one script file ("-" is stdin); a file that cannot be opened or read,
 * or is a directory, is a usage error that says why.
 */
static int run_one_file(const char *path, const struct script_options *opts)
{
	FILE *in = strcmp(path, "-") ? fopen(path, "r") : stdin;
	struct stat st;
	int ret;

	if (!in) {
		fprintf(stderr, "gup: run: cannot open '%s': %s\n", path, strerror(errno));
		return GUP_EXIT_USAGE;
	}
	if (!fstat(fileno(in), &st) && S_ISDIR(st.st_mode)) {
		fprintf(stderr, "gup: run: '%s' is a directory, not a script\n", path);
		fclose(in);
		return GUP_EXIT_USAGE;
	}
	ret = script_run_stream(in, strcmp(path, "-") ? path : "<stdin>", stdout, opts);
	if (in != stdin)
		fclose(in);
	return ret;
}

int gup_run_main(int argc, char **argv)
{
	struct script_options opts = {0};
	int worst = GUP_EXIT_OK, i = 1;

	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet")) {
			opts.quiet = true;
		} else if (!strcmp(argv[i], "--dot")) {
			if (++i == argc) {
				fprintf(stderr, "gup: run: --dot needs a directory\n");
				return GUP_EXIT_USAGE;
			}
			opts.dot_dir = argv[i];
		} else if (!strcmp(argv[i], "--profile")) {
			if (++i == argc) {
				fprintf(stderr, "gup: run: --profile needs a name\n");
				return GUP_EXIT_USAGE;
			}
			opts.profile = argv[i];
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			gup_print_usage(stdout);
			return GUP_EXIT_OK;
		} else if (!strcmp(argv[i], "--")) {
			i++;
			break;
		} else {
			fprintf(stderr, "gup: run: unknown option '%s'\n", argv[i]);
			return GUP_EXIT_USAGE;
		}
	}
	if (i == argc) {
		fprintf(stderr, "usage: gup run [-q] [--dot DIR] [--profile NAME] FILE|-...\n");
		return GUP_EXIT_USAGE;
	}
	for (; i < argc; i++) {
		int ret = run_one_file(argv[i], &opts);

		if (ret > worst)
			worst = ret;
	}
	return worst;
}

/* `gup help run [--markdown|--man] [COMMAND|TOPIC]`: the command table. */
static int help_run_main(int argc, char **argv)
{
	enum script_help_format fmt = SCRIPT_HELP_TEXT;
	const char *name = NULL;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--markdown"))
			fmt = SCRIPT_HELP_MARKDOWN;
		else if (!strcmp(argv[i], "--man"))
			fmt = SCRIPT_HELP_MAN;
		else if (argv[i][0] == '-' || name)
			return fprintf(stderr,
				       "usage: gup help run [--markdown|--man] [COMMAND]\n"),
			       GUP_EXIT_USAGE;
		else
			name = argv[i];
	}
	if (fmt == SCRIPT_HELP_TEXT && !name)
		printf("Scenario commands (gup run; the language: docs/scenarios.md):\n\n");
	if (script_help(stdout, fmt, name)) {
		fprintf(stderr, "gup: help run: no command or topic '%s'\n", name);
		return GUP_EXIT_USAGE;
	}
	return GUP_EXIT_OK;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;

	if (!cmd) {
		gup_print_usage(stderr);
		return GUP_EXIT_USAGE;
	}
	if (!strcmp(cmd, "help") && argc > 2 && !strcmp(argv[2], "run"))
		return help_run_main(argc - 2, argv + 2);
	if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
		gup_print_usage(stdout);
		return GUP_EXIT_OK;
	}
	if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
		printf("gup (libgup) %s\n", GUP_VERSION);
		return GUP_EXIT_OK;
	}
	if (!strcmp(cmd, "run"))
		return gup_run_main(argc - 1, argv + 1);
	if (!strcmp(cmd, "diff"))
		return gup_diff_main(argc - 1, argv + 1);
	if (!strcmp(cmd, "bench"))
		return gup_bench_main(argc - 1, argv + 1);
	if (!strcmp(cmd, "stress"))
		return gup_stress_main(argc - 1, argv + 1);
	fprintf(stderr, "gup: unknown command '%s' (try gup --help)\n", cmd);
	return GUP_EXIT_USAGE;
}
