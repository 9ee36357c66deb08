/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Numeric option values of the gup tool's subcommands (bench, stress): the whole
 * argument must be a number in the accepted range, or one message names the
 * option, the value and the range. Integers parse as gup_test parses them
 * (strtol base 0: decimal, 0x hex, leading-0 octal).
 */
#ifndef GUP_TOOL_ARGS_H
#define GUP_TOOL_ARGS_H

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

static inline bool tool_arg_rejected(const char *cmd, const char *opt, const char *arg,
				     const char *accepted)
{
	fprintf(stderr, "gup %s: %s: invalid value '%s' (accepted: %s)\n", cmd, opt, arg, accepted);
	return false;
}

/*
 * After getopt_long() with a leading ':' in its optstring returned @c ('?' for an
 * unknown option, ':' for a missing value): say which, and where to look.
 */
static inline void tool_bad_option(const char *cmd, int c, char **argv)
{
	extern int optind, optopt;
	const char *arg = argv[optind - 1];

	if (c == ':')
		fprintf(stderr, "gup %s: %s: needs a value", cmd, arg);
	else if (optopt)
		fprintf(stderr, "gup %s: -%c: unknown option", cmd, optopt);
	else
		fprintf(stderr, "gup %s: %s: unknown option", cmd, arg);
	fprintf(stderr, " (try: gup %s --help)\n", cmd);
}

/* A signed integer in [@min, @max]; @accepted describes the range for the message. */
static inline bool tool_parse_ll(const char *cmd, const char *opt, const char *arg, long long min,
				 long long max, const char *accepted, long long *val)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(arg, &end, 0);
	if (end == arg || *end || errno || v < min || v > max)
		return tool_arg_rejected(cmd, opt, arg, accepted);
	*val = v;
	return true;
}

/* Any unsigned 64-bit value; a leading minus sign is junk, not a wrap-around. */
static inline bool tool_parse_u64(const char *cmd, const char *opt, const char *arg,
				  const char *accepted, unsigned long long *val)
{
	const char *p = arg;
	char *end;
	unsigned long long v;

	while (*p == ' ' || *p == '\t')
		p++;
	errno = 0;
	v = *p == '-' ? 0 : strtoull(p, &end, 0);
	if (*p == '-' || end == p || *end || errno)
		return tool_arg_rejected(cmd, opt, arg, accepted);
	*val = v;
	return true;
}

/* A finite decimal number in [@min, @max]. */
static inline bool tool_parse_double(const char *cmd, const char *opt, const char *arg, double min,
				     double max, const char *accepted, double *val)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (end == arg || *end || errno || !isfinite(v) || v < min || v > max)
		return tool_arg_rejected(cmd, opt, arg, accepted);
	*val = v;
	return true;
}

#endif /* GUP_TOOL_ARGS_H */
