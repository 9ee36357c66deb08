/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * An index -> pointer radix tree with 64-way nodes, as the kernel's xarray holds
 * the page cache: lookups walk it lock-free under RCU; changes take the owner's lock.
 */
#ifndef GUP_XARRAY_H
#define GUP_XARRAY_H

#include <gup/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define XA_CHUNK_SHIFT 6
#define XA_CHUNK_SIZE (1UL << XA_CHUNK_SHIFT)
#define XA_CHUNK_MASK (XA_CHUNK_SIZE - 1)

struct xa_node;

/* An empty tree is all zeroes. Entries are non-NULL pointers; NULL means absent. */
struct xarray {
	struct xa_node *xa_head;
};

#define XARRAY_INIT                                                                                \
	{                                                                                          \
		.xa_head = NULL                                                                    \
	}

/**
 * xa_load() - the entry at @index.
 * @xa: the tree; the caller holds the RCU read lock or the writers' lock.
 * @index: any index.
 *
 * Return: the entry, or NULL when none is stored there.
 */
void *xa_load(const struct xarray *xa, unsigned long index);

/**
 * xa_insert() - store @entry at @index if nothing is there; writers' lock held.
 *
 * Return: 0; -EEXIST when an entry is already stored at @index (nothing changes);
 * -EINVAL for a NULL @entry; -ENOMEM when a node could not be allocated.
 */
int xa_insert(struct xarray *xa, unsigned long index, void *entry);

/**
 * xa_erase() - remove the entry at @index; writers' lock held. Nodes left empty
 * are freed after an RCU grace period, so concurrent lookups stay safe.
 *
 * Return: the entry that was there, or NULL.
 */
void *xa_erase(struct xarray *xa, unsigned long index);

/**
 * xa_find() - the first entry at an index in [*@index, @max].
 * @xa: the tree; RCU read lock or writers' lock held.
 * @index: where to start; set to the entry's index when one is found.
 * @max: last index to look at.
 *
 * Return: the entry, or NULL (and *@index untouched) when there is none.
 */
void *xa_find(const struct xarray *xa, unsigned long *index, unsigned long max);

/*
 * A cursor for walking one tree in order under one RCU read-side section (the
 * kernel's XA_STATE): it remembers the leaf of the last entry it found, so the
 * next lookup nearby reads slots instead of walking down from the head again.
 */
struct xa_node;
struct xa_state {
	const struct xarray *xa;
	unsigned long xa_index;	     /* where the next xas_find() starts; the entry found */
	struct xa_node *xa_node;     /* the leaf holding xa_index's entry, or NULL */
	unsigned long xa_leaf_chunk; /* the indices that leaf covers, shifted down */
};

#define XA_STATE(name, array, index)                                                               \
	struct xa_state name = {.xa = (array), .xa_index = (index), .xa_node = NULL}

/* Forget the leaf: the next lookup walks from the head (after a failed reload). */
static inline void xas_reset(struct xa_state *xas)
{
	xas->xa_node = NULL;
}

/**
 * xas_find() - the first entry at an index in [@xas->xa_index, @max].
 * @xas: the cursor; the RCU read lock is held from the cursor's first lookup on
 *       (a leaf it remembers stays readable that long).
 * @max: last index to look at.
 *
 * An entry stored while the lookup runs may be missed, as by any lockless lookup;
 * a leaf emptied and unlinked meanwhile reads as empty.
 *
 * Return: the entry, with @xas->xa_index set to its index; NULL when there is none.
 */
void *xas_find(struct xa_state *xas, unsigned long max);

/**
 * xas_reload() - read again the slot of the entry xas_find() returned.
 * @xas: the cursor, under the same RCU read-side section as the find.
 *
 * Return: what is stored there now: the same entry unless it was erased or
 * replaced meanwhile (NULL too when its leaf was unlinked).
 */
void *xas_reload(const struct xa_state *xas);

/**
 * xa_replace() - put @entry in the place of the entry at @index in one store;
 * writers' lock held. Nothing is stored where there is no entry.
 *
 * Return: the entry that was there, or NULL (nothing changed; also for a NULL @entry).
 */
void *xa_replace(struct xarray *xa, unsigned long index, void *entry);

/*
 * Value entries (the kernel's xa_mk_value()): an integer stored in place of a
 * pointer, its low bit set (pointers to pages are aligned). shmem keeps a swap
 * entry in the page cache slot of a page it swapped out.
 */
static inline void *xa_mk_value(unsigned long v)
{
	return (void *)((v << 1) | 1);
}

static inline unsigned long xa_to_value(const void *entry)
{
	return (unsigned long)entry >> 1;
}

static inline bool xa_is_value(const void *entry)
{
	return (unsigned long)entry & 1;
}

/* Return: true when no entry is stored. */
static inline bool xa_empty(const struct xarray *xa)
{
	return READ_ONCE(xa->xa_head) == NULL;
}

/**
 * xa_destroy() - free every node (entries are the caller's). No lookup may be
 * running or start; nodes go at once.
 */
void xa_destroy(struct xarray *xa);

/* Every entry from index 0 up, in order: @index and @entry are the loop's variables. */
#define xa_for_each(xa, index, entry)                                                              \
	for ((index) = 0; ((entry) = xa_find((xa), &(index), ~0UL)) != NULL; (index)++)

#ifdef __cplusplus
}
#endif

#endif /* GUP_XARRAY_H */
