// SPDX-License-Identifier: GPL-2.0-only
/*
 * The radix tree behind the page cache (the kernel's lib/xarray.c, reduced to
 * what a page cache needs): 64-way nodes, lock-free lookups under RCU, inserts and
 * erases under the owner's lock, empty nodes freed after a grace period.
 */
#include <errno.h>
#include <stdlib.h>
#include <gup/xarray.h>

#include "lib/rcu.h"

/*
 * Entries live only in leaves (shift 0); an inner node's slots point to nodes
 * whose shift is XA_CHUNK_SHIFT less. The head covers the indices below
 * XA_CHUNK_SIZE << head->shift; the tree grows a level at the top when an index
 * does not fit, and the old head becomes slot 0 of the new one.
 */
struct xa_node {
	unsigned char shift;
	unsigned char offset; /* slot in the parent */
	unsigned char count;  /* non-NULL slots */
	struct xa_node *parent;
	void *slots[XA_CHUNK_SIZE];
	struct rcu_head rcu;
};

/* Publishing a pointer orders the node's initialisation before it (rcu_assign_pointer). */
#define xa_publish(p, v) __atomic_store_n(&(p), (v), __ATOMIC_RELEASE)
#define xa_deref(p) __atomic_load_n(&(p), __ATOMIC_ACQUIRE)

static unsigned int xa_slot_of(const struct xa_node *node, unsigned long index)
{
	return (index >> node->shift) & XA_CHUNK_MASK;
}

static bool xa_node_covers(const struct xa_node *node, unsigned long index)
{
	return node->shift >= 64 - XA_CHUNK_SHIFT || (index >> node->shift) < XA_CHUNK_SIZE;
}

void *xa_load(const struct xarray *xa, unsigned long index)
{
	struct xa_node *node = xa_deref(((struct xarray *)xa)->xa_head);
	void *entry;

	if (!node || !xa_node_covers(node, index))
		return NULL;
	for (;;) {
		entry = xa_deref(node->slots[xa_slot_of(node, index)]);
		if (!node->shift || !entry)
			return entry;
		node = entry;
	}
}

static struct xa_node *xa_node_alloc(unsigned int shift, struct xa_node *parent,
				     unsigned int offset)
{
	struct xa_node *node = calloc(1, sizeof(*node));

	if (!node)
		return NULL;
	node->shift = (unsigned char)shift;
	node->parent = parent;
	node->offset = (unsigned char)offset;
	return node;
}

/* Add levels on top until the head covers @index. */
static int xa_grow(struct xarray *xa, unsigned long index)
{
	struct xa_node *head = xa->xa_head, *top;

	if (!head) {
		unsigned int shift = 0;

		while (shift < 64 - XA_CHUNK_SHIFT && (index >> shift) >= XA_CHUNK_SIZE)
			shift += XA_CHUNK_SHIFT;
		head = xa_node_alloc(shift, NULL, 0);
		if (!head)
			return -ENOMEM;
		xa_publish(xa->xa_head, head);
		return 0;
	}
	while (!xa_node_covers(head, index)) {
		top = xa_node_alloc(head->shift + XA_CHUNK_SHIFT, NULL, 0);
		if (!top)
			return -ENOMEM;
		top->slots[0] = head;
		top->count = 1;
		head->parent = top;
		xa_publish(xa->xa_head, top);
		head = top;
	}
	return 0;
}

int xa_insert(struct xarray *xa, unsigned long index, void *entry)
{
	struct xa_node *node;
	unsigned int slot;
	int err;

	if (!entry)
		return -EINVAL;
	err = xa_grow(xa, index);
	if (err)
		return err;
	node = xa->xa_head;
	while (node->shift) {
		struct xa_node *child;

		slot = xa_slot_of(node, index);
		child = node->slots[slot];
		if (!child) {
			child = xa_node_alloc(node->shift - XA_CHUNK_SHIFT, node, slot);
			if (!child)
				return -ENOMEM; /* an empty node left behind is harmless */
			xa_publish(node->slots[slot], child);
			node->count++;
		}
		node = child;
	}
	slot = xa_slot_of(node, index);
	if (node->slots[slot])
		return -EEXIST;
	xa_publish(node->slots[slot], entry);
	node->count++;
	return 0;
}

static void xa_node_free_rcu(struct rcu_head *head)
{
	sim_rcu_callback_begin(head);
	free((char *)head - offsetof(struct xa_node, rcu));
}

/* Unlink empty nodes from @node up; lookups still inside them see NULL slots. */
static void xa_delete_empty(struct xarray *xa, struct xa_node *node)
{
	while (node && !node->count) {
		struct xa_node *parent = node->parent;

		if (parent) {
			xa_publish(parent->slots[node->offset], NULL);
			parent->count--;
		} else {
			xa_publish(xa->xa_head, NULL);
		}
		sim_call_rcu(&node->rcu, xa_node_free_rcu);
		node = parent;
	}
}

void *xa_erase(struct xarray *xa, unsigned long index)
{
	struct xa_node *node = xa->xa_head;
	unsigned int slot;
	void *entry;

	if (!node || !xa_node_covers(node, index))
		return NULL;
	while (node->shift) {
		node = node->slots[xa_slot_of(node, index)];
		if (!node)
			return NULL;
	}
	slot = xa_slot_of(node, index);
	entry = node->slots[slot];
	if (!entry)
		return NULL;
	xa_publish(node->slots[slot], NULL);
	node->count--;
	xa_delete_empty(xa, node);
	return entry;
}

/* The first index above @index whose bits above @shift differ (0 on overflow). */
static unsigned long xa_next_chunk(unsigned long index, unsigned int shift)
{
	unsigned long span = 1UL << shift;

	return (index | (span - 1)) + 1;
}

/*
 * The first entry at an index in [*@indexp, @max], walking down from the head;
 * *@leafp is the leaf that holds it. NULL when there is none.
 */
static void *xa_find_leaf(const struct xarray *xa, unsigned long *indexp, unsigned long max,
			  struct xa_node **leafp)
{
	struct xa_node *head = xa_deref(((struct xarray *)xa)->xa_head);
	unsigned long index = *indexp;

	while (head && index <= max && xa_node_covers(head, index)) {
		struct xa_node *node = head;
		void *entry;

		/* Down from the head to the first non-empty slot at or after index. */
		for (;;) {
			entry = xa_deref(node->slots[xa_slot_of(node, index)]);
			if (!entry)
				break;
			if (!node->shift) {
				*indexp = index;
				*leafp = node;
				return entry;
			}
			node = entry;
		}
		/* Nothing in this slot: skip what it covers, restarting from the head. */
		index = xa_next_chunk(index, node->shift);
		if (!index)
			break;
	}
	return NULL;
}

void *xa_find(const struct xarray *xa, unsigned long *indexp, unsigned long max)
{
	struct xa_node *leaf;

	return xa_find_leaf(xa, indexp, max, &leaf);
}

/* The rest of the leaf the cursor stands in, from its index up to @max. */
static void *xas_find_in_leaf(struct xa_state *xas, unsigned long max)
{
	unsigned long index = xas->xa_index;
	unsigned long last = index | XA_CHUNK_MASK;

	if (last > max)
		last = max;
	for (; index <= last; index++) {
		void *entry = xa_deref(xas->xa_node->slots[index & XA_CHUNK_MASK]);

		if (entry) {
			xas->xa_index = index;
			return entry;
		}
	}
	return NULL;
}

void *xas_find(struct xa_state *xas, unsigned long max)
{
	bool in_leaf = xas->xa_node && (xas->xa_index >> XA_CHUNK_SHIFT) == xas->xa_leaf_chunk;
	unsigned long index = xas->xa_index;
	void *entry;

	if (index > max)
		return NULL;
	if (in_leaf) {
		entry = xas_find_in_leaf(xas, max);
		if (entry)
			return entry;
		index = xa_next_chunk(index, XA_CHUNK_SHIFT);
		if (!index || index > max)
			return NULL;
	}
	entry = xa_find_leaf(xas->xa, &index, max, &xas->xa_node);
	if (!entry) {
		xas->xa_node = NULL;
		return NULL;
	}
	xas->xa_index = index;
	xas->xa_leaf_chunk = index >> XA_CHUNK_SHIFT;
	return entry;
}

void *xas_reload(const struct xa_state *xas)
{
	if (!xas->xa_node)
		return xa_load(xas->xa, xas->xa_index);
	return xa_deref(xas->xa_node->slots[xas->xa_index & XA_CHUNK_MASK]);
}

static void xa_free_node(struct xa_node *node)
{
	if (node->shift)
		for (unsigned int i = 0; i < XA_CHUNK_SIZE; i++)
			if (node->slots[i])
				xa_free_node(node->slots[i]);
	free(node);
}

void xa_destroy(struct xarray *xa)
{
	if (xa->xa_head)
		xa_free_node(xa->xa_head);
	xa->xa_head = NULL;
}

void *xa_replace(struct xarray *xa, unsigned long index, void *entry)
{
	struct xa_node *node = xa->xa_head;
	unsigned int slot;
	void *old;

	if (!entry || !node || !xa_node_covers(node, index))
		return NULL;
	while (node->shift) {
		node = node->slots[xa_slot_of(node, index)];
		if (!node)
			return NULL;
	}
	slot = xa_slot_of(node, index);
	old = node->slots[slot];
	if (old)
		xa_publish(node->slots[slot], entry); /* a lookup sees the old entry or the new */
	return old;
}
