// SPDX-License-Identifier: GPL-2.0-only
/*
 * gup: the command-line front end of libgup. Dispatches `run`, `bench`, `stress`,
 * `help` and `--version`, and parses the options of `run` (the scenario runner).
 */
#include <stdio.h>
#include <string.h>

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
	"                       failures and the summary\n"
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
	"  --version            print the version\n"
	"\n"
	"exit status: 0 success, 1 a check failed, 2 usage or script error.\n"
	"See gup(1) and docs/scenarios.md.\n";

void gup_print_usage(FILE *out)
{
	fputs(usage_text, out);
}

/*
 * Until bench.c and stress.c are built into the tool these weak stand-ins keep
 * it linking; the real definitions override them.
 */
__attribute__((weak)) int gup_bench_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "gup: bench: not built yet\n");
	return GUP_EXIT_USAGE;
}

__attribute__((weak)) int gup_stress_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "gup: stress: not built yet\n");
	return GUP_EXIT_USAGE;
}

/* Run one script file ("-" is stdin); a file that cannot be opened is a usage error. */
static int run_one_file(const char *path, const struct script_options *opts)
{
	FILE *in = strcmp(path, "-") ? fopen(path, "r") : stdin;
	int ret;

	if (!in) {
		fprintf(stderr, "gup: run: cannot open '%s'\n", path);
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
		fprintf(stderr, "usage: gup run [-q] FILE|-...\n");
		return GUP_EXIT_USAGE;
	}
	for (; i < argc; i++) {
		int ret = run_one_file(argv[i], &opts);

		if (ret > worst)
			worst = ret;
	}
	return worst;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;

	if (!cmd) {
		gup_print_usage(stderr);
		return GUP_EXIT_USAGE;
	}
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
	if (!strcmp(cmd, "bench"))
		return gup_bench_main(argc - 1, argv + 1);
	if (!strcmp(cmd, "stress"))
		return gup_stress_main(argc - 1, argv + 1);
	fprintf(stderr, "gup: unknown command '%s' (try gup --help)\n", cmd);
	return GUP_EXIT_USAGE;
}
