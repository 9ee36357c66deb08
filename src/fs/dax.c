// SPDX-License-Identifier: GPL-2.0-only
/*
 * The fsdax "pmem" (fs/dax.c's device side): with sim_config.dax_dir and
 * device_bytes, all device memory is one MEMORY_DEVICE_FS_DAX pgmap, set up at
 * boot and taken away at shutdown.
 */
#include <gup/memremap.h>
#include "mm/internal.h"

int fsdax_pmem_init(void)
{
	struct dev_pagemap *pgmap;
	int err;

	if (!sim.dax_dir || !sim.device_pages)
		return 0;
	pgmap = calloc(1, sizeof(*pgmap));
	if (!pgmap)
		return -ENOMEM;
	pgmap->type = MEMORY_DEVICE_FS_DAX;
	pgmap->range.start = (uint64_t)sim.device_start_pfn << PAGE_SHIFT;
	pgmap->range.end = ((uint64_t)(sim.device_start_pfn + sim.device_pages) << PAGE_SHIFT) - 1;
	err = memremap_pages(pgmap);
	if (err) {
		free(pgmap);
		return err;
	}
	sim.fsdax_pgmap = pgmap;
	return 0;
}
