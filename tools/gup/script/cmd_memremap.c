// SPDX-License-Identifier: GPL-2.0-only
/*
 * The ZONE_DEVICE commands: memremap (a named device range), devmap (a driver's
 * mapping of it), memunmap and the pgmap query. The host back end plays none of
 * them (its plays_command() does not list them): device memory is the machine's.
 */
#include <string.h>

#include "script_int.h"

static bool have_device_ops(struct script *s, const char *name)
{
	if (!s->be->memremap)
		return fail(s, "`%s` is not played by the %s back end", name, s->be->name);
	return true;
}

/* The live range the script named @name (a leading '$' allowed); a script error otherwise. */
static struct pgmap_slot *find_pgmap(struct script *s, const char *name)
{
	if (name[0] == '$')
		name++;
	for (int i = 0; i < MAX_PGMAPS; i++)
		if (s->pgmaps[i].name[0] && !strcmp(s->pgmaps[i].name, name))
			return &s->pgmaps[i];
	fail(s, "expected the name of a device range (from memremap), got '%s'", name);
	return NULL;
}

static struct pgmap_slot *new_pgmap_slot(struct script *s, const char *name)
{
	for (int i = 0; i < MAX_PGMAPS; i++)
		if (s->pgmaps[i].name[0] && !strcmp(s->pgmaps[i].name, name)) {
			fail(s, "device range '%s' is still mapped (memunmap it first)", name);
			return NULL;
		}
	for (int i = 0; i < MAX_PGMAPS; i++)
		if (!s->pgmaps[i].name[0])
			return &s->pgmaps[i];
	fail(s, "at most %d device ranges at once", MAX_PGMAPS);
	return NULL;
}

bool cmd_memremap(struct script *s, struct cmd_args *a)
{
	const char *name = a->arg[0].str, *type = a->opt[2].str;
	unsigned long align = a->opt[3].u;
	struct pgmap_slot *slot;
	long id;

	if (!have_device_ops(s, "memremap") || !check_value_name(s, name))
		return false;
	if (strcmp(type, "generic") && strcmp(type, "fsdax") && strcmp(type, "private") &&
	    strcmp(type, "coherent"))
		return fail(s,
			    "expected a device memory type (generic fsdax private coherent), got "
			    "'%s'",
			    type);
	if (align != 4096 && align != 2UL << 20 && align != 1UL << 30)
		return fail(s, "expected an alignment of 4K, 2M or 1G, got %s", NUM(a->opt[3].n));
	slot = new_pgmap_slot(s, name);
	if (!slot)
		return false;
	id = s->be->memremap(type, a->opt[1].u, a->opt[0].u, align);
	if (id < 0) {
		report(s, "memremap_pages", id);
		return set_value(s, name, id);
	}
	snprintf(slot->name, sizeof(slot->name), "%s", name);
	slot->id = (int)id;
	report(s, "memremap_pages", 0);
	s->ret = s->be->pgmap_pfn(slot->id);
	return set_value(s, name, s->ret);
}

bool cmd_devmap(struct script *s, struct cmd_args *a)
{
	const char *name = a->arg[0].str;
	struct pgmap_slot *slot;
	unsigned long ret;

	if (!have_device_ops(s, "devmap") || !check_value_name(s, name))
		return false;
	slot = find_pgmap(s, a->arg[1].str);
	if (!slot)
		return false;
	ret = s->be->mmap_device(slot->id, a->opt[1].u, a->opt[0].u, a->opt[2].u);
	report(s, "sim_mmap_device", (long)ret);
	return set_value(s, name, (long)ret);
}

bool cmd_memunmap(struct script *s, struct cmd_args *a)
{
	struct pgmap_slot *slot;
	long ret;

	if (!have_device_ops(s, "memunmap"))
		return false;
	slot = find_pgmap(s, a->arg[0].str);
	if (!slot)
		return false;
	ret = s->be->memunmap(slot->id);
	report(s, "memunmap_pages_try", ret);
	if (!ret)
		slot->name[0] = '\0';
	return true;
}

bool cmd_pgmap(struct script *s, struct cmd_args *a)
{
	struct pgmap_slot *slot;
	long refs;

	if (!have_device_ops(s, "pgmap"))
		return false;
	slot = find_pgmap(s, a->arg[0].str);
	if (!slot)
		return false;
	refs = s->be->pgmap_refs(slot->id);
	say(s, "  pgmap %s: pfn %s, %s reference(s)\n", slot->name, NUM(s->be->pgmap_pfn(slot->id)),
	    NUM(refs));
	s->ret = refs;
	return true;
}
