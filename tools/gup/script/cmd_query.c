// SPDX-License-Identifier: GPL-2.0-only
/*
 * Scenario commands that look at the machine: page facts, a device's view of a
 * page, VMAs, vmstat, maps and smaps, the page tables; and the queries expect
 * shares with them.
 */
#include <stdlib.h>
#include <string.h>

#include "script_int.h"

static const char *const page_field_names[NR_PAGE_FIELDS] = {
	"present",  "pfn",	 "zero",  "exclusive",	  "file",  "anon",
	"refcount", "mapcount",	 "pins",  "maybe_pinned", "dirty", "mlocked",
	"writable", "pte_dirty", "young", "soft_dirty",
};

/* A page reference: NAME[i] (a page set's page) or an address in the current task. */
bool page_facts(struct script *s, const struct word *w, struct page_facts *pf)
{
	unsigned long addr;
	struct bk_page *page;
	int err;

	if (w->kind == W_WORD && strchr(w->text, '[')) {
		if (!set_page_ref(s, w->text, &page))
			return false;
		s->be->page_query(page, pf);
		return true;
	}
	if (!need_task(s) || !eval_addr(s, w, &addr))
		return false;
	err = s->be->addr_query(addr, pf);
	if (err)
		return fail(s, "expected a user address, got %#lx (%s)", addr, NUM(err));
	return true;
}

bool page_field(struct script *s, const struct page_facts *pf, const char *name, long *v)
{
	for (int i = 0; i < NR_PAGE_FIELDS; i++) {
		if (strcmp(name, page_field_names[i]))
			continue;
		if (i >= PF_WRITABLE && !pf->has_pte)
			return fail(s, "'%s' is a PTE bit: ask with an address, not NAME[i]", name);
		*v = pf->f[i];
		if (*v == PF_UNKNOWN) {
			/* The machine cannot see it (the host: refcounts, pins). */
			note_sim_only(s,
				      i == PF_SOFT_DIRTY
					      ? "soft-dirty compares only where the scenario boots "
						"soft_dirty=on and the host kernel has "
						"CONFIG_MEM_SOFT_DIRTY"
					      : "not visible on the host");
			*v = 0;
		}
		if (i == PF_PFN && s->on_step)
			snprintf(s->frame_label, sizeof(s->frame_label), "%s",
				 name_frame(s, pf, (char[32]){0}, 32));
		return true;
	}
	return fail(s,
		    "expected a page field (present pfn zero exclusive file anon refcount "
		    "mapcount pins maybe_pinned dirty mlocked writable pte_dirty young "
		    "soft_dirty), got '%s'",
		    name);
}

static void print_page_facts(struct script *s, const char *label, const struct page_facts *pf)
{
	show(s, "  page %s:", label);
	for (int i = 0; i < NR_PAGE_FIELDS; i++) {
		if (i >= PF_WRITABLE && !pf->has_pte)
			break;
		if (pf->f[i] == PF_UNKNOWN) /* the host cannot see it */
			show(s, " %s=?", page_field_names[i]);
		else if (i == PF_PFN)
			show(s, " pfn=%#lx", (unsigned long)pf->f[i]);
		else
			show(s, " %s=%ld", page_field_names[i], pf->f[i]);
	}
	show(s, "\n");
}

bool cmd_page(struct script *s, struct cmd_args *a)
{
	const char *ref = a->arg[0].str, *field = a->arg[1].str;
	struct page_facts pf;
	long v = 0;

	if (!page_facts(s, a->arg[0].w, &pf))
		return false;
	if (!field) {
		print_page_facts(s, ref, &pf);
		return true;
	}
	if (!strcmp(field, "dump")) {
		show(s, "  page %s dump:\n", ref);
		if (pf.f[PF_PRESENT])
			s->be->page_dump((unsigned long)pf.f[PF_PFN], s->out);
		else
			show(s, "  not present\n");
		return true;
	}
	if (!page_field(s, &pf, field, &v))
		return false;
	show(s, "  page %s %s = %s\n", ref, field, NUM(v));
	return true;
}

/* The bytes of a page set's page, as the device sees them through page_address(). */
unsigned char *dma_view(struct script *s, const struct word *ref)
{
	struct bk_page *page;

	if (!set_page_ref(s, ref->text, &page))
		return NULL;
	return s->be->page_data(page);
}

bool cmd_pinned_read(struct script *s, struct cmd_args *a)
{
	unsigned char *view = dma_view(s, a->arg[0].w);

	if (!view)
		return false;
	print_bytes(s, 0, view, (size_t)a->arg[2].n);
	return true;
}

bool cmd_pinned_write(struct script *s, struct cmd_args *a)
{
	struct bk_page *page;
	unsigned char *buf;
	size_t len;

	if (!set_page_ref(s, a->arg[0].w->text, &page) ||
	    !data_operand(s, a, a->arg[2].w, &buf, &len))
		return false;
	if (len > PAGE_SIZE) {
		free(buf);
		return fail(s, "a device write through one page is at most %lu bytes", PAGE_SIZE);
	}
	if (s->be->page_write)
		s->be->page_write(page, buf, len);
	else
		memcpy(s->be->page_data(page), buf, len);
	free(buf);
	say(s, "  device wrote %zu bytes to pfn %#lx\n", len, s->be->page_pfn(page));
	return true;
}

bool vma_field(struct script *s, unsigned long addr, const char *name, long *v)
{
	const struct named_value *flag = lookup_name(vm_flag_names, name, strlen(name));
	bool known = flag || !strcmp(name, "exists") || !strcmp(name, "start") ||
		     !strcmp(name, "end") || !strcmp(name, "flags");
	struct bk_vma_info vma;
	bool exists;

	if (!known)
		return fail(s,
			    "expected a VMA field (exists start end flags, or a VmFlags "
			    "mnemonic like rd wr lo dc wf), got '%s'",
			    name);
	exists = s->be->vma_query(addr, &vma);
	if (!strcmp(name, "exists"))
		*v = exists;
	else if (!exists)
		*v = 0;
	else if (!strcmp(name, "start"))
		*v = (long)vma.start;
	else if (!strcmp(name, "end"))
		*v = (long)vma.end;
	else if (!strcmp(name, "flags"))
		*v = (long)vma.flags;
	else
		*v = !!(vma.flags & flag->value);
	return true;
}

bool cmd_vma(struct script *s, struct cmd_args *a)
{
	long v = 0;

	if (!vma_field(s, a->arg[0].u, a->arg[1].str, &v))
		return false;
	show(s, "  vma %s %s = %s\n", a->arg[0].w->text, a->arg[1].str, NUM(v));
	return true;
}

bool vmstat_item(struct script *s, const char *name, long *v)
{
	for (int i = 0; i < s->be->nr_vmstat(); i++) {
		if (!strcmp(name, s->be->vmstat_name(i))) {
			*v = s->be->vmstat_value(i);
			if (*v == PF_UNKNOWN) {
				note_sim_only(s, "not observed on the host");
				*v = 0;
			}
			return true;
		}
	}
	return fail(s, "expected a vmstat item like nr_foll_pin_acquired (see `vmstat`), got '%s'",
		    name);
}

bool cmd_vmstat(struct script *s, struct cmd_args *a)
{
	const char *item = a->arg[0].str;
	long v = 0;

	if (!item) {
		for (int i = 0; i < s->be->nr_vmstat(); i++)
			if (s->be->vmstat_value(i) != PF_UNKNOWN) /* the host sees only some */
				show(s, "  %s %lu\n", s->be->vmstat_name(i),
				     (unsigned long)s->be->vmstat_value(i));
		return true;
	}
	if (!vmstat_item(s, item, &v))
		return false;
	show(s, "  %s %ld\n", item, v);
	return true;
}

/* maps | smaps: the library's /proc/PID/maps or smaps text, indented as all output is. */
bool cmd_maps(struct script *s, struct cmd_args *a)
{
	bool smaps = !strcmp(a->cmd->name, "smaps");
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	int err;

	if (!mem)
		return fail(s, "out of host memory");
	err = s->be->show_maps(smaps, mem);
	fclose(mem);
	for (char *save, *line = err || !text ? NULL : strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		show(s, "  %s\n", line);
	free(text);
	if (err)
		return fail(s, "%s: %s", a->cmd->name, NUM(err));
	return true;
}

/*
 * status [ITEM]: the memory lines of /proc/PID/status (show_status()); with ITEM
 * (VmRSS, RssAnon, RssFile, RssShmem, HugetlbPages) only that line, and `ret` its kB.
 */
bool cmd_status(struct script *s, struct cmd_args *a)
{
	const char *item = a->arg[0].str;
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	bool found = !item;
	int err;

	if (!mem)
		return fail(s, "out of host memory");
	err = s->be->show_status ? s->be->show_status(mem) : -EOPNOTSUPP;
	fclose(mem);
	for (char *save, *line = err || !text ? NULL : strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		size_t n = strcspn(line, ":");

		if (item && (strlen(item) != n || strncmp(line, item, n)))
			continue;
		show(s, "  %s\n", line);
		if (item) {
			s->ret = strtol(line + n + 1, NULL, 10);
			found = true;
		}
	}
	free(text);
	if (err)
		return fail(s, "status: %s", NUM(err));
	if (!found)
		return fail(
			s, "status: no item '%s' (VmRSS, RssAnon, RssFile, RssShmem, HugetlbPages)",
			item);
	return true;
}

/* meminfo: the library's /proc/meminfo hugetlb lines, indented. */
bool cmd_meminfo(struct script *s, struct cmd_args *a)
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	int err;

	(void)a;
	if (!mem)
		return fail(s, "out of host memory");
	err = s->be->meminfo(mem);
	fclose(mem);
	for (char *save, *line = err || !text ? NULL : strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		show(s, "  %s\n", line);
	free(text);
	return err ? fail(s, "meminfo: %s", NUM(err)) : true;
}

/* `hugepages SIZE FIELD`: a counter of the hugetlb pool of SIZE (2M or 1G) pages. */
bool hugepages_item(struct script *s, const struct word *size, const char *field, long *v)
{
	static const char *const fields[] = {"total", "free", "rsvd", "surp"};
	unsigned long counts[4];
	long bytes;

	if (!eval_text(s, size->text, &bytes))
		return false;
	if (s->be->hugepages((unsigned long)bytes, counts))
		return fail(s, "expected a hugetlb page size (2M or 1G), got '%s'", size->text);
	for (int i = 0; i < 4; i++)
		if (!strcmp(field, fields[i])) {
			*v = (long)counts[i];
			return true;
		}
	return fail(s, "expected a hugepages field (total free rsvd surp), got '%s'", field);
}

/* The tasks of tasks=T1,T2 (the current one without it), named as the script names them. */
static int picture_tasks(struct script *s, const char *list, struct bk_task **tasks,
			 const char **names, char (*buf)[MAX_NAME + 1], int max)
{
	int n = 0;

	if (!list) {
		for (int i = 0; i < MAX_TASKS; i++)
			if (s->tasks[i].task == s->cur && s->cur)
				names[0] = s->tasks[i].name;
		tasks[0] = s->cur;
		return 1;
	}
	if (!*list) {
		fail(s, "expected task names like parent,child in tasks=, got nothing");
		return 0;
	}
	for (const char *p = list; *p; p += *p == ',') {
		size_t len = strcspn(p, ",");

		if (n == max) {
			fail(s, "at most %d tasks in one picture, got '%s'", max, list);
			return 0;
		}
		if (!len || len > MAX_NAME) {
			fail(s, "expected task names like parent,child in tasks=, got '%s'", list);
			return 0;
		}
		memcpy(buf[n], p, len);
		buf[n][len] = '\0';
		tasks[n] = find_task(s, buf[n]);
		if (!tasks[n])
			return 0;
		names[n] = buf[n];
		n++;
		p += len;
	}
	return n;
}

/* gup run --dot DIR: DIR/<script>-<n>.dot, the script's base name without ".gup". */
static void dot_dir_path(struct script *s, char *path, size_t size)
{
	const char *base = strrchr(s->file, '/') ? strrchr(s->file, '/') + 1 : s->file;
	size_t len = strlen(base);

	if (!strcmp(base, "<stdin>"))
		base = "stdin", len = 5;
	else if (len > 4 && !strcmp(base + len - 4, ".gup"))
		len -= 4;
	snprintf(path, size, "%s/%.*s-%d.dot", s->dot_dir, (int)len, base, ++s->dot_count);
}

static bool pagetable_pictures(struct script *s, struct cmd_args *a, unsigned long start,
			       unsigned long end)
{
	struct bk_task *tasks[MAX_PICTURE_TASKS];
	const char *names[MAX_PICTURE_TASKS] = {"current"};
	char buf[MAX_PICTURE_TASKS][MAX_NAME + 1];
	char path[4096];
	int n = picture_tasks(s, a->opt[1].str, tasks, names, buf, MAX_PICTURE_TASKS);

	if (!n)
		return false;
	if (a->opt[0].str && !write_pagetable_dot(s, a->opt[0].str, tasks, names, n, start, end))
		return false;
	if (!s->dot_dir)
		return true;
	dot_dir_path(s, path, sizeof(path));
	return write_pagetable_dot(s, path, tasks, names, n, start, end);
}

bool cmd_pagetable(struct script *s, struct cmd_args *a)
{
	unsigned long start = a->arg[0].u & PAGE_MASK, end;
	struct bk_task_info info;

	if (!a->arg[1].given) {
		end = start < TASK_SIZE ? start + PAGE_SIZE : start;
	} else if (!page_range(s, a->arg[0].u, a->arg[1].u, &start, &end)) {
		return false;
	}
	if (start >= TASK_SIZE)
		return fail(s, "expected a user address, got %#lx", start);
	if (a->opt[1].str && !a->opt[0].str)
		return fail(s, "tasks= names the tasks of a picture: it needs dot=FILE");
	if (a->opt[0].str && !*a->opt[0].str)
		return fail(s, "expected a file name in dot=FILE, got nothing");
	if (!a->opt[0].str) {
		s->be->task_info(s->cur, &info);
		show(s, "  page tables of %#lx-%#lx (pid %d):\n", start, end, info.pid);
		s->be->dump_pagetable(start, end, s->out);
	}
	if (a->opt[0].str || s->dot_dir)
		return pagetable_pictures(s, a, start, end);
	return true;
}
