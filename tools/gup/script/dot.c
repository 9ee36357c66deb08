// SPDX-License-Identifier: GPL-2.0-only
/*
 * Page tables as Graphviz pictures (`pagetable ... dot=FILE`, `gup run --dot DIR`):
 * each table a record listing its populated slots, leaf entries pointing at page
 * nodes coloured by kind. Nodes are named by pfn, so a frame (or table) that
 * several tasks map is drawn once, with an edge from each mapping.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "script_int.h"

#define DOT_MAX_ENTRIES 4096 /* entries drawn in one picture; the rest are counted */

struct dot_picture {
	struct bk_pt_entry *entries; /* in walk order */
	int nr, cap;
	unsigned long dropped;
	int nr_tasks;
	const char *task_name[MAX_PICTURE_TASKS];
	struct bk_task_info task_info[MAX_PICTURE_TASKS];
	unsigned long root[MAX_PICTURE_TASKS];
};

static const char *const level_names[BK_NR_LEVELS] = {"pgd", "pud", "pmd", "pte"};

/* Fill colours by kind; a pinned page keeps its kind's fill and gets a red outline. */
#define COLOUR_ANON "#aec7e8"
#define COLOUR_ZERO "#d9d9d9"
#define COLOUR_FILE "#98df8a"
#define COLOUR_OTHER "#ffffff"
#define COLOUR_PINNED "#d62728"

static void collect_entry(void *ctx, const struct bk_pt_entry *e)
{
	struct dot_picture *p = ctx;

	if (p->nr == DOT_MAX_ENTRIES) {
		p->dropped++;
		return;
	}
	if (p->nr == p->cap) {
		int cap = p->cap ? 2 * p->cap : 64;
		struct bk_pt_entry *grown = realloc(p->entries, (size_t)cap * sizeof(*grown));

		if (!grown) {
			p->dropped++;
			return;
		}
		p->entries = grown;
		p->cap = cap;
	}
	p->entries[p->nr++] = *e;
}

/* Whether entry @i is the first met at its (table, index): threads walk the same tables. */
static bool first_slot(const struct dot_picture *p, int i)
{
	const struct bk_pt_entry *e = &p->entries[i];

	for (int j = 0; j < i; j++)
		if (p->entries[j].table == e->table && p->entries[j].index == e->index)
			return false;
	return true;
}

/* Whether an entry before @i points at the same table or page (it is drawn there). */
static bool target_seen(const struct dot_picture *p, int i)
{
	const struct bk_pt_entry *e = &p->entries[i];

	for (int j = 0; j < i; j++)
		if (p->entries[j].leaf == e->leaf && p->entries[j].pfn == e->pfn &&
		    (!e->leaf || p->entries[j].present))
			return true;
	return false;
}

static bool root_seen(const struct dot_picture *p, int t)
{
	for (int u = 0; u < t; u++)
		if (p->root[u] == p->root[t])
			return true;
	return false;
}

static void slot_text(FILE *out, const struct bk_pt_entry *e)
{
	fprintf(out, "|<s%lu>[%lu] %012lx", e->index, e->index, e->addr);
	if (!e->leaf)
		return;
	if (!e->present)
		fprintf(out, " swap");
	else if (e->protnone)
		fprintf(out, " protnone");
	else
		fprintf(out, " %s%s%s", e->writable ? "rw" : "ro", e->dirty ? " D" : "",
			e->level < BK_PTE ? " huge" : "");
}

static void write_table(FILE *out, const struct dot_picture *p, unsigned long pfn, int level)
{
	fprintf(out, "\ttable_%#lx [shape=record, label=\"%s (pfn %#lx)", pfn, level_names[level],
		pfn);
	for (int i = 0; i < p->nr; i++)
		if (p->entries[i].table == pfn && first_slot(p, i))
			slot_text(out, &p->entries[i]);
	fprintf(out, "\"];\n");
}

static void write_page(FILE *out, const struct bk_pt_entry *e)
{
	const struct page_facts *pf = &e->page;
	const char *kind = "no struct page", *fill = COLOUR_OTHER;

	if (e->has_page && pf->f[PF_ZERO]) {
		kind = "zero page";
		fill = COLOUR_ZERO;
	} else if (e->has_page && pf->f[PF_ANON]) {
		kind = "anon";
		fill = COLOUR_ANON;
	} else if (e->has_page) {
		kind = "file/shmem";
		fill = COLOUR_FILE;
	}
	fprintf(out, "\tpage_%#lx [shape=box, style=filled, fillcolor=\"%s\"", e->pfn, fill);
	if (e->has_page && pf->f[PF_MAYBE_PINNED])
		fprintf(out, ", color=\"%s\", penwidth=3", COLOUR_PINNED);
	fprintf(out, ", label=\"pfn %#lx\\n%s", e->pfn, kind);
	if (e->has_page && !pf->f[PF_ZERO])
		fprintf(out, "\\nrefcount %ld mapcount %ld", pf->f[PF_REFCOUNT],
			pf->f[PF_MAPCOUNT]);
	if (e->has_page && pf->f[PF_MAYBE_PINNED])
		fprintf(out, "\\npinned x%ld", pf->f[PF_PINS]);
	fprintf(out, "\"];\n");
}

static void write_legend(FILE *out)
{
	fprintf(out, "\tsubgraph cluster_legend {\n\t\tlabel=\"legend\"; fontsize=10; "
		     "node [shape=box, style=filled];\n");
	fprintf(out, "\t\tlegend_anon [fillcolor=\"%s\", label=\"anonymous\"];\n", COLOUR_ANON);
	fprintf(out, "\t\tlegend_zero [fillcolor=\"%s\", label=\"zero page\"];\n", COLOUR_ZERO);
	fprintf(out, "\t\tlegend_file [fillcolor=\"%s\", label=\"file / shmem\"];\n", COLOUR_FILE);
	fprintf(out,
		"\t\tlegend_pinned [fillcolor=\"%s\", color=\"%s\", penwidth=3, "
		"label=\"pinned (red outline)\"];\n",
		COLOUR_ANON, COLOUR_PINNED);
	fprintf(out, "\t\tlegend_anon -> legend_zero -> legend_file -> legend_pinned "
		     "[style=invis];\n\t}\n");
}

static void write_picture(FILE *out, const struct dot_picture *p, unsigned long start,
			  unsigned long end)
{
	fprintf(out,
		"digraph pagetables {\n\trankdir=LR;\n\tfontname=\"Helvetica\";\n\tlabel=\"page "
		"tables of %#lx-%#lx\";\n",
		start, end);
	fprintf(out, "\tnode [fontname=\"Helvetica\", fontsize=10];\n\tedge [arrowsize=0.6];\n");
	write_legend(out);
	for (int t = 0; t < p->nr_tasks; t++) {
		fprintf(out,
			"\ttask_%d [shape=box, style=\"rounded,bold\", label=\"%s\\npid %d\"];\n",
			t, p->task_name[t], p->task_info[t].pid);
		if (!root_seen(p, t)) /* threads share their tables */
			write_table(out, p, p->root[t], BK_PGD);
		fprintf(out, "\ttask_%d -> table_%#lx;\n", t, p->root[t]);
	}
	for (int i = 0; i < p->nr; i++) {
		const struct bk_pt_entry *e = &p->entries[i];

		if (!first_slot(p, i))
			continue;
		if (!e->leaf) {
			if (!target_seen(p, i))
				write_table(out, p, e->pfn, e->level + 1);
			fprintf(out, "\ttable_%#lx:s%lu -> table_%#lx;\n", e->table, e->index,
				e->pfn);
		} else if (e->present) {
			if (!target_seen(p, i)) /* a COW-shared frame: one node */
				write_page(out, e);
			fprintf(out, "\ttable_%#lx:s%lu -> page_%#lx;\n", e->table, e->index,
				e->pfn);
		}
	}
	if (p->dropped)
		fprintf(out, "\tnot_drawn [shape=note, label=\"%lu more entries not drawn\"];\n",
			p->dropped);
	fprintf(out, "}\n");
}

bool write_pagetable_dot(struct script *s, const char *path, struct bk_task *const *tasks,
			 const char *const *names, int nr_tasks, unsigned long start,
			 unsigned long end)
{
	struct dot_picture p = {0};
	char *discard = NULL;
	size_t discard_len = 0;
	bool ok = true;
	FILE *out;

	if (!s->be->walk_pagetable)
		return fail(s, "the %s back end cannot draw page tables", s->be->name);
	if (nr_tasks > MAX_PICTURE_TASKS)
		return fail(s, "at most %d tasks in one picture, got %d", MAX_PICTURE_TASKS,
			    nr_tasks);
	for (int t = 0; t < nr_tasks && ok; t++) {
		int err =
			s->be->walk_pagetable(tasks[t], start, end, &p.root[t], collect_entry, &p);

		if (err)
			ok = fail(s, "the %s back end cannot draw page tables (%s)", s->be->name,
				  NUM(err));
		p.task_name[t] = names[t];
		s->be->task_info(tasks[t], &p.task_info[t]);
		p.nr_tasks = t + 1;
	}
	if (ok)
		out = s->no_files ? open_memstream(&discard, &discard_len) : fopen(path, "w");
	else
		out = NULL;
	if (ok && !out)
		ok = fail(s, "cannot write '%s': %s", path, strerror(errno));
	if (out) {
		write_picture(out, &p, start, end);
		if (fclose(out))
			ok = fail(s, "cannot write '%s': %s", path, strerror(errno));
	}
	if (ok)
		say(s, "  wrote %s: %d task(s), %d entries%s\n", path, nr_tasks, p.nr,
		    p.dropped ? " (truncated)" : "");
	free(p.entries);
	free(discard);
	return ok;
}
