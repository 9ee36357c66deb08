/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The model-based fuzzing decoder shared by the libFuzzer harness and the replay
 * test: bytes become mapping, fork, access and GUP operations on a small machine,
 * each checked against a plain reference model; in huge mode also THP operations,
 * in migrate mode also migration, offlining, CMA and device memory, in file mode
 * file operations.
 */
#ifndef GUP_TESTS_MODEL_OPS_H
#define GUP_TESTS_MODEL_OPS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <gup/sim.h>

/* Bytes one operation takes: an opcode and three arguments. */
#define MODEL_OP_BYTES 4

/* The opcodes (first byte of an operation, modulo MODEL_NR_OPS). */
enum model_opcode {
	MODEL_OP_MMAP,
	MODEL_OP_MUNMAP,
	MODEL_OP_MPROTECT,
	MODEL_OP_MADVISE,
	MODEL_OP_FORK,
	MODEL_OP_SWITCH,
	MODEL_OP_WRITE,
	MODEL_OP_READ,
	MODEL_OP_GUP,
	MODEL_OP_RELEASE,
	MODEL_OP_ACCESS_REMOTE,
	MODEL_OP_EXIT,
	MODEL_OP_HUGE,	  /* only in huge mode: the operations on the huge arena */
	MODEL_OP_HUGETLB, /* only in huge mode: the hugetlb range */
	MODEL_OP_PAGEOUT, /* only in huge mode (its machine has swap): MADV_PAGEOUT/COLD */
	MODEL_OP_MIGRATE, /* only in migrate mode: sim_migrate_range, long-term pins */
	MODEL_OP_OFFLINE, /* only in migrate mode: offline/online_range, cma_alloc/release */
	MODEL_OP_DEVICE,  /* only in migrate mode: a device-dax pgmap mapped, pinned, unmapped */
	MODEL_NR_OPS
};

/* Huge mode decodes the opcodes up to MODEL_OP_PAGEOUT, as before later modes came. */
#define MODEL_HUGE_NR_OPS (MODEL_OP_PAGEOUT + 1)

/*
 * An input whose first four bytes are "THP" and a config byte runs in huge mode:
 * a 64 MiB machine booted with the THP knobs the config byte gives (bits 0-1: 0 or
 * 3 madvise, 1 always, 2 never; bit 2: no huge zero page), a pool of 2 MiB hugetlb
 * pages and a 4 MiB swap device, and MODEL_OP_HUGE, MODEL_OP_HUGETLB and
 * MODEL_OP_PAGEOUT among the opcodes. Any other input decodes as before huge mode
 * existed.
 */
#define MODEL_HUGE_MAGIC "THP"

/*
 * An input whose first four bytes are "MIG" and a config byte runs in migrate
 * mode: huge mode's machine and operations (the config byte's bits 0-2 as there),
 * booted also with ZONE_MOVABLE, a CMA area and 4 MiB of device memory (one
 * device-dax pgmap aligned to 4 KiB, or with bit 3 to 2 MiB), and decoding
 * MODEL_OP_MIGRATE, MODEL_OP_OFFLINE and MODEL_OP_DEVICE after huge mode's opcodes.
 * With bit 4 the device memory is fsdax pmem instead (sim_config.dax_dir): one
 * DAX file over all of it, which MODEL_OP_DEVICE maps shared (devmap PTEs, or
 * with bit 3 2 MiB devmap PMDs at aligned addresses) or private and read-only.
 */
#define MODEL_MIGRATE_MAGIC "MIG"

/*
 * An input whose first four bytes are "FIL" and a config byte runs in file mode: a
 * 16 MiB machine with two files in a temporary host directory (a host file and a
 * second host file or a memfd, their sizes from the config byte); arena pages may
 * be shared or private mappings of them, and the opcodes huge mode uses for THP
 * become file operations (mmap with an offset, pread, pwrite, ftruncate, fsync,
 * msync, long-term GUP, release with unpin_user_pages_dirty_lock, memfd seals
 * including F_SEAL_WRITE and F_SEAL_FUTURE_WRITE). With bit 7 of the config byte
 * there is also a hugetlbfs memfd (MFD_HUGETLB) over a pool of 2 MiB pages, mapped
 * a huge page at a time (shared or private), truncated, read, written (-EINVAL),
 * touched and GUP'd in place of MADV_PAGEOUT. The machine has a 4 MiB swap
 * device: MADV_PAGEOUT/COLD sends shared memfd and MAP_SHARED|MAP_ANONYMOUS pages
 * to swap, and a pinned one must stay the page a later fault maps.
 * The host file's bytes are part of the model: after fsync, msync, munmap and exit
 * the host bytes written back must be the model's.
 */
#define MODEL_FILE_MAGIC "FIL"

/**
 * model_run() - boot a 16 MiB machine (64 MiB in huge mode, 96 MiB in migrate mode), run
 * the operations @data encodes, and compare every result with the reference model; shut
 * down at the end.
 * @profile: the semantics profile to boot; SIM_PROFILE_DEFAULT: GUP_PROFILE, else 5.11.
 * @log: where the operations and the first divergence are described; NULL: quiet.
 *
 * Return: 0 when the machine agreed with the model throughout, sim_check_used() stayed
 * clean and shutdown found no leak; 1 otherwise.
 */
int model_run(const uint8_t *data, size_t size, enum sim_profile profile, FILE *log);

#endif /* GUP_TESTS_MODEL_OPS_H */
