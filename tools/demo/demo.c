// SPDX-License-Identifier: GPL-2.0-only
/*
 * demo: boot the simulated machine, fork a process and show copy-on-write and a
 * pin at work, printing page state as /proc/pid/pagemap and vmstat would.
 */
#include <libgup.h>
#include <stdio.h>
#include <string.h>

static void show(const char *who, struct task_struct *t, unsigned long addr)
{
	uint64_t pm;
	char buf[16] = {0};
	struct task_struct *prev = set_current(t);

	copy_from_user(buf, addr, sizeof(buf) - 1);
	pagemap_read(t->mm, addr, &pm);
	printf("  %-7s pid %d reads \"%s\"  pfn %#llx%s%s\n", who, t->pid, buf,
	       (unsigned long long)(pm & PM_PFRAME_MASK), (pm & PM_PRESENT) ? " present" : "",
	       (pm & PM_MMAP_EXCLUSIVE) ? " exclusive" : " shared");
	set_current(prev);
}

int main(void)
{
	struct task_struct *parent, *child;
	struct page *page;
	unsigned long addr;
	int ret;

	if (sim_boot(NULL)) {
		fprintf(stderr, "demo: cannot boot the simulated machine\n");
		return 1;
	}
	parent = task_create("parent");
	set_current(parent);
	addr = sys_mmap(0, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	printf("1. parent maps one anonymous page at %#lx and writes \"hello\"\n", addr);
	copy_to_user(addr, "hello", 6);
	show("parent", parent, addr);

	child = sys_fork();
	printf("2. fork: both map the same frame, write-protected\n");
	show("parent", parent, addr);
	show("child", child, addr);

	set_current(child);
	copy_to_user(addr, "child", 6);
	printf("3. the child writes: copy-on-write gives it its own frame\n");
	show("parent", parent, addr);
	show("child", child, addr);

	set_current(parent);
	ret = pin_user_pages_fast(addr, 1, FOLL_WRITE | FOLL_LONGTERM, &page);
	printf("4. parent pins its page (pin_user_pages_fast -> %d): refcount %d, maybe pinned "
	       "%s\n",
	       ret, page_count(page), page_maybe_dma_pinned(page) ? "yes" : "no");
	memcpy(page_address(page), "dma!", 5);
	printf("   a device writes \"dma!\" through the pin\n");
	show("parent", parent, addr);
	unpin_user_pages_dirty_lock(&page, 1, true);

	printf("5. vmstat\n");
	vmstat_print(stdout);
	task_exit(child);
	task_exit(parent);
	ret = sim_shutdown();
	printf("6. shutdown: %s\n", ret ? "LEAKS FOUND" : "every frame and pin accounted for");
	return ret ? 1 : 0;
}
