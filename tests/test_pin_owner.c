// SPDX-License-Identifier: GPL-2.0-only
/*
 * Pin ownership: each outstanding GUP reference and pin is recorded with the call
 * site that took it; reports group them by site, records go on unpin/put, and the
 * query API (sim_page_pins, sim_for_each_pin) sees exactly what is outstanding.
 */
#include "harness.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define AREA_PAGES 8

/*
 * The call sites. Not static and not inlined, so that dladdr() names them
 * (tests link with -rdynamic) and each is one return address.
 */
__attribute__((noinline)) long pin_from_site_a(unsigned long addr, int nr, struct page **pages)
{
	long got = pin_user_pages_fast(addr, nr, FOLL_WRITE, pages);

	return got;
}

__attribute__((noinline)) long pin_from_site_b(unsigned long addr, int nr, struct page **pages)
{
	long got = pin_user_pages_unlocked(addr, (unsigned long)nr, pages, FOLL_WRITE);

	return got;
}

__attribute__((noinline)) long get_from_site_c(unsigned long addr, int nr, struct page **pages)
{
	long got = get_user_pages_fast(addr, nr, 0, pages);

	return got;
}

static unsigned long touched_area(void)
{
	unsigned long addr = map_rw(AREA_PAGES);

	touch_pages(addr, AREA_PAGES);
	return addr;
}

/* sim_report_pins() into a string (caller frees); *total gets its return. */
static char *report_text(unsigned long *total)
{
	char *text = NULL;
	size_t len;
	FILE *out = open_memstream(&text, &len);

	assert_non_null(out);
	*total = sim_report_pins(out);
	fclose(out);
	return text;
}

static void assert_contains(const char *text, const char *needle)
{
	if (!strstr(text, needle))
		fprintf(stderr, "expected \"%s\" in:\n%s", needle, text);
	assert_non_null(strstr(text, needle));
}

static void test_record_names_site_and_is_cleared_by_unpin(void **state)
{
	struct task_struct *t = start_task("owner");
	unsigned long addr = touched_area();
	struct sim_pin_record rec;
	struct page *page;

	(void)state;
	assert_int_equal(pin_from_site_a(addr, 1, &page), 1);
	assert_int_equal(sim_page_pins(page, &rec, 1), 1);
	assert_ptr_equal(rec.page, page);
	assert_true(rec.pin);
	assert_int_equal(rec.count, 1);
	assert_true(rec.seq > 0);
	assert_non_null(rec.addr);
	assert_contains(rec.site, "pin_from_site_a+0x");

	unpin_user_page(page);
	assert_int_equal(sim_page_pins(page, &rec, 1), 0);
	task_exit(t);
}

static void test_get_record_is_cleared_by_put_page(void **state)
{
	struct task_struct *t = start_task("owner");
	unsigned long addr = touched_area();
	struct sim_pin_record rec;
	struct page *pages[2];

	(void)state;
	assert_int_equal(get_from_site_c(addr, 2, pages), 2);
	assert_int_equal(sim_page_pins(pages[1], &rec, 1), 1);
	assert_false(rec.pin);
	assert_contains(rec.site, "get_from_site_c+0x");
	put_page(pages[0]);
	put_page(pages[1]);
	assert_int_equal(sim_page_pins(pages[0], &rec, 1), 0);
	assert_int_equal(sim_page_pins(pages[1], &rec, 1), 0);
	task_exit(t);
}

/* Three pins from one site, two from another: one line each, with its count. */
static void test_report_groups_by_call_site(void **state)
{
	struct task_struct *t = start_task("owner");
	unsigned long addr = touched_area(), total;
	struct page *a[3], *b[2];
	char *text;

	(void)state;
	assert_int_equal(pin_from_site_a(addr, 3, a), 3);
	assert_int_equal(pin_from_site_b(addr + 3 * PAGE_SIZE, 2, b), 2);
	text = report_text(&total);
	assert_int_equal(total, 5);
	assert_contains(text, "3 pin(s) on 3 page(s), taken at pin_from_site_a+0x");
	assert_contains(text, "2 pin(s) on 2 page(s), taken at pin_from_site_b+0x");
	free(text);

	/* Two pins on one page from one site are one record with count 2. */
	assert_int_equal(pin_from_site_b(addr + 3 * PAGE_SIZE, 1, b), 1);
	text = report_text(&total);
	assert_int_equal(total, 6);
	assert_contains(text, "3 pin(s) on 2 page(s), taken at pin_from_site_b+0x");
	free(text);

	unpin_user_pages(a, 3);
	unpin_user_pages(b, 2);
	unpin_user_page(b[0]);
	text = report_text(&total);
	assert_int_equal(total, 0);
	assert_string_equal(text, "");
	free(text);
	task_exit(t);
}

struct visit {
	int records;
	int pins, refs;
	struct page *seen[AREA_PAGES];
};

static int count_record(const struct sim_pin_record *rec, void *arg)
{
	struct visit *v = arg;

	if (v->records < AREA_PAGES)
		v->seen[v->records] = rec->page;
	v->records++;
	if (rec->pin)
		v->pins += rec->count;
	else
		v->refs += rec->count;
	return 0;
}

static bool was_seen(const struct visit *v, struct page *page)
{
	for (int i = 0; i < v->records && i < AREA_PAGES; i++)
		if (v->seen[i] == page)
			return true;
	return false;
}

static void test_for_each_pin_visits_exactly_the_outstanding(void **state)
{
	struct task_struct *t = start_task("owner");
	unsigned long addr = touched_area();
	struct page *pins[3], *refs[2];
	struct visit v = {0};

	(void)state;
	assert_int_equal(pin_from_site_a(addr, 3, pins), 3);
	assert_int_equal(get_from_site_c(addr + 4 * PAGE_SIZE, 2, refs), 2);
	unpin_user_page(pins[1]);
	put_page(refs[0]);

	assert_int_equal(sim_for_each_pin(count_record, &v), 3);
	assert_int_equal(v.records, 3);
	assert_int_equal(v.pins, 2);
	assert_int_equal(v.refs, 1);
	assert_true(was_seen(&v, pins[0]) && was_seen(&v, pins[2]) && was_seen(&v, refs[1]));
	assert_false(was_seen(&v, pins[1]) || was_seen(&v, refs[0]));

	unpin_user_page(pins[0]);
	unpin_user_page(pins[2]);
	put_page(refs[1]);
	memset(&v, 0, sizeof(v));
	assert_int_equal(sim_for_each_pin(count_record, &v), 0);
	task_exit(t);
}

/* A scenario names its own lines; the label wins over the return address. */
static void test_call_site_label(void **state)
{
	struct task_struct *t = start_task("owner");
	unsigned long addr = touched_area(), total;
	struct sim_pin_record recs[2];
	struct page *page, *again;
	char *text;

	(void)state;
	sim_set_call_site("script.gup:12");
	assert_int_equal(pin_from_site_a(addr, 1, &page), 1);
	sim_set_call_site("script.gup:14");
	assert_int_equal(pin_from_site_a(addr, 1, &again), 1);
	sim_set_call_site(NULL);
	assert_int_equal(sim_page_pins(page, recs, 2), 2);
	assert_null(recs[0].addr);
	text = report_text(&total);
	assert_int_equal(total, 2);
	assert_contains(text, "1 pin(s) on 1 page(s), taken at script.gup:12");
	assert_contains(text, "1 pin(s) on 1 page(s), taken at script.gup:14");
	free(text);
	unpin_user_page(page);
	unpin_user_page(again);
	task_exit(t);
}

/*
 * One call over more pages than a thread queues before applying them: every page
 * has its record when the call returns, numbered in the order the pages were taken.
 */
#define LONG_CALL_PAGES 200

static void test_long_call_records_every_page_in_order(void **state)
{
	struct task_struct *t = start_task("owner");
	unsigned long addr = map_rw(LONG_CALL_PAGES), total;
	struct page *pages[LONG_CALL_PAGES];
	struct sim_pin_record rec;
	unsigned long last_seq = 0;

	(void)state;
	touch_pages(addr, LONG_CALL_PAGES);
	assert_int_equal(pin_from_site_a(addr, LONG_CALL_PAGES, pages), LONG_CALL_PAGES);
	for (int i = 0; i < LONG_CALL_PAGES; i++) {
		assert_int_equal(sim_page_pins(pages[i], &rec, 1), 1);
		assert_int_equal(rec.count, 1);
		assert_true(rec.seq > last_seq);
		last_seq = rec.seq;
	}
	assert_int_equal(sim_report_pins(NULL), LONG_CALL_PAGES);
	unpin_user_pages(pages, LONG_CALL_PAGES);
	for (int i = 0; i < LONG_CALL_PAGES; i++)
		assert_int_equal(sim_page_pins(pages[i], &rec, 1), 0);
	total = sim_report_pins(NULL);
	assert_int_equal(total, 0);
	task_exit(t);
}

/* A page held by two kinds and two sites keeps one record each, released one by one. */
static void test_one_page_many_records(void **state)
{
	struct task_struct *t = start_task("owner");
	unsigned long addr = touched_area();
	struct sim_pin_record recs[4];
	struct page *got, *pin_a, *pin_b;

	(void)state;
	assert_int_equal(get_from_site_c(addr, 1, &got), 1);
	assert_int_equal(pin_from_site_a(addr, 1, &pin_a), 1);
	assert_int_equal(pin_from_site_b(addr, 1, &pin_b), 1);
	assert_ptr_equal(got, pin_a);
	assert_ptr_equal(got, pin_b);
	assert_int_equal(sim_page_pins(got, recs, 4), 3);
	assert_int_equal(sim_report_pins(NULL), 3);

	put_page(got);
	assert_int_equal(sim_page_pins(got, recs, 4), 2);
	assert_true(recs[0].pin && recs[1].pin);
	unpin_user_page(pin_a); /* the oldest pin's record goes first: site a's */
	assert_int_equal(sim_page_pins(got, recs, 4), 1);
	assert_contains(recs[0].site, "pin_from_site_b+0x");
	unpin_user_page(pin_b);
	assert_int_equal(sim_page_pins(got, recs, 4), 0);
	task_exit(t);
}

/* stderr into a temporary file around sim_shutdown(); returns the text (caller frees). */
static char *shutdown_report(int *ret)
{
	FILE *file = tmpfile();
	int saved = dup(STDERR_FILENO);
	char *text;
	long len;

	assert_non_null(file);
	assert_true(saved >= 0);
	assert_true(dup2(fileno(file), STDERR_FILENO) >= 0);
	*ret = sim_shutdown();
	assert_true(dup2(saved, STDERR_FILENO) >= 0);
	close(saved);
	len = ftell(file);
	text = calloc(1, (size_t)len + 1);
	assert_non_null(text);
	rewind(file);
	assert_int_equal(fread(text, 1, (size_t)len, file), (size_t)len);
	fclose(file);
	return text;
}

/* The leak report at shutdown lists each site that still holds pins, with its count. */
static void test_leak_report_names_the_sites(void **state)
{
	struct task_struct *t = start_task("leaker");
	unsigned long addr = touched_area();
	struct page *a[2], *b[1];
	char *text;
	int ret;

	(void)state;
	assert_int_equal(pin_from_site_a(addr, 2, a), 2);
	assert_int_equal(pin_from_site_b(addr + 2 * PAGE_SIZE, 1, b), 1);
	task_exit(t);
	text = shutdown_report(&ret);
	assert_int_equal(ret, -EBUSY);
	assert_contains(text, "3 pin(s) never released");
	assert_contains(text, "2 pin(s) on 2 page(s), taken at pin_from_site_a+0x");
	assert_contains(text, "1 pin(s) on 1 page(s), taken at pin_from_site_b+0x");
	free(text);

	/* Nothing of it survives into the next machine. */
	assert_int_equal(sim_boot(NULL), 0);
	assert_int_equal(sim_for_each_pin(count_record, &(struct visit){0}), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		GUP_TEST(test_record_names_site_and_is_cleared_by_unpin),
		GUP_TEST(test_get_record_is_cleared_by_put_page),
		GUP_TEST(test_report_groups_by_call_site),
		GUP_TEST(test_for_each_pin_visits_exactly_the_outstanding),
		GUP_TEST(test_call_site_label),
		GUP_TEST(test_long_call_records_every_page_in_order),
		GUP_TEST(test_one_page_many_records),
		cmocka_unit_test_setup_teardown(test_leak_report_names_the_sites, sim_setup,
						sim_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
