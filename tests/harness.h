/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tests/harness.h - common boilerplate for libgup cmocka tests.
 *
 * Each test gets a freshly booted simulator; sim_shutdown() in the teardown
 * doubles as a leak check (non-zero return => cmocka fails the test).
 */
#ifndef GUP_TESTS_HARNESS_H
#define GUP_TESTS_HARNESS_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <libgup.h>

__attribute__((unused)) static int sim_setup(void **state)
{
	(void)state;
	return sim_boot(NULL);
}

__attribute__((unused)) static int sim_teardown(void **state)
{
	(void)state;
	return sim_shutdown();
}

#define GUP_TEST(fn) cmocka_unit_test_setup_teardown(fn, sim_setup, sim_teardown)

#endif /* GUP_TESTS_HARNESS_H */
