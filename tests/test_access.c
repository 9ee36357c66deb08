// SPDX-License-Identifier: GPL-2.0-only
/*
 * tests/test_access.c - the GUP consumers that copy another process's memory:
 * access_process_vm / access_remote_vm and process_vm_readv / process_vm_writev.
 */
#include "harness.h"

#include <string.h>

static void test_access_process_vm(void **state)
{
	struct task_struct *target = start_task("target"), *tracer;
	unsigned long addr = map_pages(3, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	unsigned long ro = map_pages(1, PROT_READ, MAP_PRIVATE);
	static char fill[2 * PAGE_SIZE], buf[3 * PAGE_SIZE];

	(void)state;
	memset(fill, 'x', sizeof(fill));
	assert_int_equal(copy_to_user(addr, fill, sizeof(fill)), 0);
	assert_int_equal(sys_munmap(addr + 2 * PAGE_SIZE, PAGE_SIZE), 0);

	tracer = start_task("tracer");
	/* Stops at the hole after two pages. */
	assert_int_equal(access_process_vm(target, addr + 100, buf, sizeof(buf), 0),
			 2 * PAGE_SIZE - 100);
	assert_memory_equal(buf, fill, 2 * PAGE_SIZE - 100);
	assert_int_equal(access_process_vm(target, addr + 2 * PAGE_SIZE, buf, 10, 0), 0);
	assert_int_equal(access_remote_vm(target->mm, addr, buf, 10, 0), 10);

	/* A poke into read-only memory needs FOLL_FORCE, and COWs. */
	assert_int_equal(access_process_vm(target, ro, "poke", 4, FOLL_WRITE), 0);
	assert_int_equal(access_process_vm(target, ro, "poke", 4, FOLL_WRITE | FOLL_FORCE), 4);
	assert_int_equal(access_process_vm(target, addr + PAGE_SIZE - 2, "abcd", 4, FOLL_WRITE), 4);
	assert_int_equal(access_process_vm(NULL, addr, buf, 4, 0), 0);

	set_current(target);
	memset(buf, 0, 8);
	assert_int_equal(copy_from_user(buf, ro, 4), 0);
	assert_memory_equal(buf, "poke", 4);
	assert_int_equal(copy_from_user(buf, addr + PAGE_SIZE - 2, 4), 0);
	assert_memory_equal(buf, "abcd", 4);
	task_exit(tracer);
	task_exit(target);
}

static void test_process_vm_readv_writev(void **state)
{
	struct task_struct *remote = start_task("remote"), *local;
	unsigned long raddr = map_pages(3, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	unsigned long rro = map_pages(1, PROT_READ, MAP_PRIVATE);
	unsigned long laddr, lsmall, lhole;
	static char fill[2 * PAGE_SIZE], buf[3 * PAGE_SIZE];
	static struct iovec many[1025];
	struct iovec l, r, l2[2], r2[2];

	(void)state;
	for (size_t i = 0; i < sizeof(fill); i++)
		fill[i] = (char)i;
	assert_int_equal(copy_to_user(raddr, fill, sizeof(fill)), 0);
	assert_int_equal(sys_munmap(raddr + 2 * PAGE_SIZE, PAGE_SIZE), 0);

	local = start_task("local");
	laddr = map_pages(3, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	lsmall = map_pages(2, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	assert_int_equal(sys_munmap(lsmall + PAGE_SIZE, PAGE_SIZE), 0);
	lhole = lsmall + PAGE_SIZE;

	/* Remote side runs into a hole: the bytes before it. */
	l = (struct iovec){(void *)laddr, 3 * PAGE_SIZE};
	r = (struct iovec){(void *)raddr, 3 * PAGE_SIZE};
	assert_int_equal(sys_process_vm_readv(remote, &l, 1, &r, 1, 0), 2 * PAGE_SIZE);
	assert_int_equal(copy_from_user(buf, laddr, 2 * PAGE_SIZE), 0);
	assert_memory_equal(buf, fill, 2 * PAGE_SIZE);

	/* Scatter/gather across segment and page boundaries. */
	l2[0] = (struct iovec){(void *)(laddr + 10), 100};
	l2[1] = (struct iovec){(void *)(laddr + 2 * PAGE_SIZE), PAGE_SIZE};
	r2[0] = (struct iovec){(void *)(raddr + PAGE_SIZE - 50), 60};
	r2[1] = (struct iovec){(void *)(raddr + 7), 3000};
	assert_int_equal(sys_process_vm_readv(remote, l2, 2, r2, 2, 0), 3060);
	assert_int_equal(copy_from_user(buf, laddr + 10, 100), 0);
	assert_memory_equal(buf, fill + PAGE_SIZE - 50, 60);
	assert_memory_equal(buf + 60, fill + 7, 40);
	assert_int_equal(copy_from_user(buf, laddr + 2 * PAGE_SIZE, 1000), 0);
	assert_memory_equal(buf, fill + 47, 1000);

	/* First remote byte missing: -EFAULT. */
	r = (struct iovec){(void *)(raddr + 2 * PAGE_SIZE), 10};
	assert_int_equal(sys_process_vm_readv(remote, &l, 1, &r, 1, 0), -EFAULT);
	/* Local side faults part way: the bytes before; at once: -EFAULT. */
	l = (struct iovec){(void *)lsmall, 2 * PAGE_SIZE};
	r = (struct iovec){(void *)raddr, 2 * PAGE_SIZE};
	assert_int_equal(sys_process_vm_readv(remote, &l, 1, &r, 1, 0), PAGE_SIZE);
	l = (struct iovec){(void *)lhole, 10};
	assert_int_equal(sys_process_vm_readv(remote, &l, 1, &r, 1, 0), -EFAULT);

	/* Argument checks. */
	l = (struct iovec){(void *)laddr, 10};
	assert_int_equal(sys_process_vm_readv(remote, &l, 1, &r, 1, 1), -EINVAL);
	assert_int_equal(sys_process_vm_readv(remote, many, 1025, &r, 1, 0), -EINVAL);
	assert_int_equal(sys_process_vm_readv(remote, &l, 1, many, 1025, 0), -EINVAL);
	l = (struct iovec){(void *)laddr, SIZE_MAX};
	assert_int_equal(sys_process_vm_readv(remote, &l, 1, &r, 1, 0), -EINVAL);
	l = (struct iovec){(void *)(TASK_SIZE - 5), 10};
	assert_int_equal(sys_process_vm_readv(remote, &l, 1, &r, 1, 0), -EFAULT);
	l = (struct iovec){(void *)laddr, 0};
	assert_int_equal(sys_process_vm_readv(remote, &l, 1, &r, 1, 0), 0);
	l = (struct iovec){(void *)laddr, 10};
	assert_int_equal(sys_process_vm_readv(NULL, &l, 1, &r, 1, 0), -ESRCH);

	/* writev: into writable memory; read-only memory is refused (no force). */
	assert_int_equal(copy_to_user(laddr, "written!", 8), 0);
	l = (struct iovec){(void *)laddr, 8};
	r = (struct iovec){(void *)(raddr + PAGE_SIZE - 4), 8};
	assert_int_equal(sys_process_vm_writev(remote, &l, 1, &r, 1, 0), 8);
	r = (struct iovec){(void *)rro, 8};
	assert_int_equal(sys_process_vm_writev(remote, &l, 1, &r, 1, 0), -EFAULT);

	set_current(remote);
	assert_int_equal(copy_from_user(buf, raddr + PAGE_SIZE - 4, 8), 0);
	assert_memory_equal(buf, "written!", 8);
	assert_int_equal(pins_acquired(), pins_released());
	task_exit(local);
	task_exit(remote);
}

/*
 * access_remote_vm() reads and writes stop at a hole with the bytes moved so
 * far; process_vm_writev() and a later remote segment that faults report the
 * bytes before the failure too.
 */
static void test_remote_partial_transfers(void **state)
{
	struct task_struct *remote = start_task("remote"), *local;
	unsigned long raddr = map_pages(3, PROT_READ | PROT_WRITE, MAP_PRIVATE), laddr;
	static char fill[2 * PAGE_SIZE], buf[3 * PAGE_SIZE];
	struct iovec l, r, r2[2];

	(void)state;
	memset(fill, 'r', sizeof(fill));
	assert_int_equal(copy_to_user(raddr, fill, sizeof(fill)), 0);
	assert_int_equal(sys_munmap(raddr + 2 * PAGE_SIZE, PAGE_SIZE), 0);

	local = start_task("local");
	laddr = map_pages(3, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	assert_int_equal(
		access_remote_vm(remote->mm, raddr + PAGE_SIZE + 10, buf, 2 * PAGE_SIZE, 0),
		PAGE_SIZE - 10);
	assert_memory_equal(buf, fill, PAGE_SIZE - 10);
	memset(buf, 'w', sizeof(buf));
	assert_int_equal(
		access_remote_vm(remote->mm, raddr + 2 * PAGE_SIZE - 6, buf, 100, FOLL_WRITE), 6);
	assert_int_equal(access_remote_vm(remote->mm, raddr + 2 * PAGE_SIZE, buf, 100, 0), 0);

	/* process_vm_writev into a range that runs into the hole. */
	memset(buf, 'v', sizeof(buf));
	assert_int_equal(copy_to_user(laddr, buf, sizeof(buf)), 0);
	l = (struct iovec){(void *)laddr, 3 * PAGE_SIZE};
	r = (struct iovec){(void *)(raddr + PAGE_SIZE + 100), 2 * PAGE_SIZE};
	assert_int_equal(sys_process_vm_writev(remote, &l, 1, &r, 1, 0), PAGE_SIZE - 100);

	/* The second remote segment faults: the first segment's bytes. */
	l = (struct iovec){(void *)laddr, 200};
	r2[0] = (struct iovec){(void *)raddr, 100};
	r2[1] = (struct iovec){(void *)(raddr + 2 * PAGE_SIZE), 100};
	assert_int_equal(sys_process_vm_readv(remote, &l, 1, r2, 2, 0), 100);
	assert_int_equal(sys_process_vm_writev(remote, &l, 1, r2, 2, 0), 100);

	set_current(remote);
	assert_int_equal(copy_from_user(buf, raddr, 2 * PAGE_SIZE), 0);
	assert_memory_equal(buf, "rrrr", 4);
	for (int i = 0; i < 100; i++)
		assert_int_equal(buf[PAGE_SIZE + 100 + i], 'v');
	assert_int_equal(buf[PAGE_SIZE + 99], 'r');
	assert_int_equal(buf[2 * PAGE_SIZE - 7], 'v');
	assert_int_equal(pins_acquired(), pins_released());
	task_exit(local);
	task_exit(remote);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		GUP_TEST(test_access_process_vm),
		GUP_TEST(test_process_vm_readv_writev),
		GUP_TEST(test_remote_partial_transfers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
