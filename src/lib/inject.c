// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fault injection points: the sim points that can fail (the first rows of the
 * table in src/sim/point.c). Each counts its hits once armed and fails the hits
 * from the nth on, for count hits (0: forever). GUP_INJECT arms at boot.
 */
#include <stdlib.h>
#include <string.h>
#include <gup/inject.h>
#include <gup/sim_point.h>

static struct inject_rule points[NR_INJECT_POINTS];
static pthread_mutex_t inject_lock = PTHREAD_MUTEX_INITIALIZER;
int inject_armed_any;

const char *inject_point_name(enum inject_point point)
{
	return point < NR_INJECT_POINTS ? sim_point_info((enum sim_point_id)point)->name : "?";
}

static int point_by_name(const char *name, size_t len)
{
	for (int i = 0; i < NR_INJECT_POINTS; i++) {
		const char *point_name = inject_point_name(i);

		if (strlen(point_name) == len && !strncmp(point_name, name, len))
			return i;
	}
	return -1;
}

static void refresh_armed_any(void)
{
	int any = 0;

	for (int i = 0; i < NR_INJECT_POINTS; i++)
		any |= points[i].nth != 0;
	__atomic_store_n(&inject_armed_any, any, __ATOMIC_RELAXED);
	sim_points_set_active(SIM_POINTS_INJECT, any);
}

static int arm_point(int point, unsigned long nth, unsigned long count)
{
	if (point < 0 || nth < 1)
		return -EINVAL;
	pthread_mutex_lock(&inject_lock);
	points[point] = (struct inject_rule){.nth = nth, .count = count};
	refresh_armed_any();
	pthread_mutex_unlock(&inject_lock);
	return 0;
}

int inject_arm(const char *name, unsigned long nth, unsigned long count)
{
	if (!name)
		return -EINVAL;
	return arm_point(point_by_name(name, strlen(name)), nth, count);
}

bool inject_rule_hit(struct inject_rule *rule)
{
	if (!rule->nth)
		return false;
	rule->hits++;
	if (rule->hits < rule->nth || (rule->count && rule->fired >= rule->count))
		return false;
	rule->fired++;
	return true;
}

bool __inject_should_fail(enum inject_point point)
{
	bool fail;

	pthread_mutex_lock(&inject_lock);
	fail = inject_rule_hit(&points[point]);
	pthread_mutex_unlock(&inject_lock);
	return fail;
}

void inject_disarm_all(void)
{
	pthread_mutex_lock(&inject_lock);
	memset(points, 0, sizeof(points));
	refresh_armed_any();
	pthread_mutex_unlock(&inject_lock);
}

unsigned long inject_hits(enum inject_point point)
{
	return point < NR_INJECT_POINTS ? points[point].hits : 0;
}

unsigned long inject_fired(enum inject_point point)
{
	return point < NR_INJECT_POINTS ? points[point].fired : 0;
}

/* Parse "key=N" into *val; returns false on anything else. */
static bool parse_field(const char *s, size_t len, const char *key, unsigned long *val)
{
	size_t klen = strlen(key);
	char *end;

	if (len <= klen + 1 || strncmp(s, key, klen) || s[klen] != '=')
		return false;
	*val = strtoul(s + klen + 1, &end, 10);
	return end == s + len;
}

static int parse_one(const char *s, size_t len)
{
	const char *colon = memchr(s, ':', len);
	unsigned long nth = 0, count = 0;
	const char *p, *end = s + len;
	int point;

	if (!colon)
		return -EINVAL;
	point = point_by_name(s, colon - s);
	for (p = colon + 1; p < end;) {
		const char *next = memchr(p, ':', end - p);
		size_t flen = (next ? next : end) - p;

		if (!parse_field(p, flen, "nth", &nth) && !parse_field(p, flen, "count", &count))
			return -EINVAL;
		p += flen + (next ? 1 : 0);
	}
	return arm_point(point, nth, count);
}

int inject_parse(const char *spec)
{
	const char *p = spec;

	if (!spec)
		return -EINVAL;
	while (*p) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		int ret = parse_one(p, len);

		if (ret)
			return ret;
		p += len + (comma ? 1 : 0);
	}
	return 0;
}
