// SPDX-License-Identifier: GPL-2.0-only
/*
 * The swap device (sim_config.swap_bytes): one swap area over an unlinked host
 * temporary file, its slots and their counts (swap_map with SWAP_HAS_CACHE), and
 * the page I/O to it through the host I/O seam.
 */
#include <fcntl.h>
#include <unistd.h>

#include "fs/internal.h"

/* swap_map: the PTEs (and fork copies) naming a slot, plus the swap cache's bit. */
#define SWAP_HAS_CACHE 0x8000u
#define SWAP_COUNT_MASK 0x7fffu
#define SWAP_TYPE_FIRST 0 /* the one device's type in swap entries */

struct swap_device {
	int fd;			/* -1: no swap device */
	unsigned long nr_slots; /* slot 0 stays unused, as the kernel's header page */
	unsigned short *map;
	unsigned long used; /* slots with a count or in the swap cache */
	unsigned long hint; /* where the next search for a free slot starts */
	spinlock_t lock;
	unsigned int *check_tally; /* the checker's count of PTEs naming each slot */
};

static struct swap_device swap = {.fd = -1};

int swap_init(unsigned long bytes)
{
	char path[] = "/tmp/libgup-swap-XXXXXX";
	const char *dir = getenv("TMPDIR");
	char dpath[4096];
	int fd;

	swap.fd = -1;
	swap.nr_slots = 0;
	swap_cache_init();
	if (!bytes)
		return 0;
	if (bytes < 2 * PAGE_SIZE || !IS_ALIGNED(bytes, PAGE_SIZE))
		return -EINVAL;
	if (dir && *dir &&
	    (size_t)snprintf(dpath, sizeof(dpath), "%s/libgup-swap-XXXXXX", dir) < sizeof(dpath))
		fd = mkstemp(dpath);
	else
		fd = mkstemp(path);
	if (fd < 0)
		return -errno;
	unlink(dir && *dir ? dpath : path);
	if (ftruncate(fd, (off_t)bytes)) {
		close(fd);
		return -ENOSPC;
	}
	swap.nr_slots = bytes >> PAGE_SHIFT;
	swap.map = calloc(swap.nr_slots, sizeof(*swap.map));
	swap.check_tally = calloc(swap.nr_slots, sizeof(*swap.check_tally));
	if (!swap.map || !swap.check_tally) {
		free(swap.map);
		free(swap.check_tally);
		close(fd);
		swap.nr_slots = 0;
		return -ENOMEM;
	}
	spin_lock_init(&swap.lock);
	swap.used = 0;
	swap.hint = 1;
	swap.fd = fd;
	return 0;
}

void swap_exit(void)
{
	if (swap.fd >= 0)
		close(swap.fd);
	free(swap.map);
	free(swap.check_tally);
	swap.map = NULL;
	swap.check_tally = NULL;
	swap.fd = -1;
	swap.nr_slots = 0;
}

bool swap_enabled(void)
{
	return swap.fd >= 0;
}

bool is_swapfile_entry(swp_entry_t entry)
{
	return swp_type(entry) == SWAP_TYPE_FIRST && swp_offset(entry) > 0 &&
	       swp_offset(entry) < swap.nr_slots;
}

int get_swap_page(swp_entry_t *entry)
{
	unsigned long n = swap.nr_slots;

	if (!swap_enabled())
		return -ENODEV;
	spin_lock(&swap.lock);
	for (unsigned long i = 0; i + 1 < n; i++) {
		unsigned long off = 1 + (swap.hint - 1 + i) % (n - 1);

		if (swap.map[off])
			continue;
		swap.map[off] = SWAP_HAS_CACHE;
		swap.used++;
		swap.hint = off + 1 < n ? off + 1 : 1;
		spin_unlock(&swap.lock);
		*entry = swp_entry(SWAP_TYPE_FIRST, off);
		return 0;
	}
	spin_unlock(&swap.lock);
	return -ENOSPC;
}

/* Drop @dec from the slot's map entry (a count or the cache bit); free it at zero. */
static unsigned short swap_entry_put(swp_entry_t entry, unsigned short dec)
{
	unsigned long off = swp_offset(entry);
	unsigned short left;

	spin_lock(&swap.lock);
	if (WARN_ON_ONCE(!is_swapfile_entry(entry) || !swap.map[off])) {
		spin_unlock(&swap.lock);
		return 0;
	}
	if (dec == SWAP_HAS_CACHE)
		WARN_ON_ONCE(!(swap.map[off] & SWAP_HAS_CACHE));
	else
		WARN_ON_ONCE(!(swap.map[off] & SWAP_COUNT_MASK));
	swap.map[off] -= dec;
	left = swap.map[off];
	if (!left)
		swap.used--;
	spin_unlock(&swap.lock);
	return left;
}

int swapcache_prepare(swp_entry_t entry)
{
	unsigned long off = swp_offset(entry);
	int ret = 0;

	if (!is_swapfile_entry(entry))
		return -ENOENT;
	spin_lock(&swap.lock);
	if (!(swap.map[off] & SWAP_COUNT_MASK))
		ret = -ENOENT;
	else if (swap.map[off] & SWAP_HAS_CACHE)
		ret = -EEXIST;
	else
		swap.map[off] |= SWAP_HAS_CACHE;
	spin_unlock(&swap.lock);
	return ret;
}

void swapcache_free_entry(swp_entry_t entry)
{
	swap_entry_put(entry, SWAP_HAS_CACHE);
}

int swap_duplicate(swp_entry_t entry)
{
	unsigned long off = swp_offset(entry);
	int ret = 0;

	if (!is_swapfile_entry(entry))
		return -EINVAL;
	spin_lock(&swap.lock);
	if (!swap.map[off])
		ret = -ENOENT;
	else if ((swap.map[off] & SWAP_COUNT_MASK) == SWAP_COUNT_MASK)
		ret = -ENOMEM;
	else
		swap.map[off]++;
	spin_unlock(&swap.lock);
	return ret;
}

void swap_free(swp_entry_t entry)
{
	swap_entry_put(entry, 1);
}

int swap_count(swp_entry_t entry)
{
	int count;

	if (!is_swapfile_entry(entry))
		return 0;
	spin_lock(&swap.lock);
	count = swap.map[swp_offset(entry)] & SWAP_COUNT_MASK;
	spin_unlock(&swap.lock);
	return count;
}

bool swap_slot_in_use(swp_entry_t entry)
{
	bool used;

	if (!is_swapfile_entry(entry))
		return false;
	spin_lock(&swap.lock);
	used = swap.map[swp_offset(entry)] != 0;
	spin_unlock(&swap.lock);
	return used;
}

void free_swap_and_cache(swp_entry_t entry)
{
	struct page *page;

	if (!is_swapfile_entry(entry))
		return;
	if (swap_entry_put(entry, 1) != SWAP_HAS_CACHE)
		return;
	/* The last PTE naming it went while a page still caches it: that copy can go too. */
	page = lookup_swap_cache(entry);
	if (!page)
		return;
	if (trylock_page(page)) {
		try_to_free_swap(page);
		unlock_page(page);
	}
	put_page(page);
}

void sim_swap_stats(struct sim_swap_stats *stats)
{
	memset(stats, 0, sizeof(*stats));
	if (!swap_enabled())
		return;
	spin_lock(&swap.lock);
	stats->total_slots = swap.nr_slots - 1;
	stats->used_slots = swap.used;
	spin_unlock(&swap.lock);
	stats->cached_pages = swap_cache_pages();
}

/* --- I/O --- */

int swap_writepage(struct page *page)
{
	swp_entry_t entry = {page->private_data};
	ssize_t n;

	sim_point(SP_SWAP_WRITE, page);
	n = host_pwrite_fd(swap.fd, page_address(page), PAGE_SIZE,
			   (loff_t)(swp_offset(entry) << PAGE_SHIFT));
	return n == (ssize_t)PAGE_SIZE ? 0 : -EIO;
}

int swap_pageout(struct page *page)
{
	ClearPageDirty(page);
	if (swap_writepage(page)) {
		/* end_swap_bio_write(): SetPageError, redirty; the data stays in this page. */
		SetPageError(page);
		SetPageDirty(page);
		return -EIO;
	}
	count_vm_stat(NR_VMSCAN_WRITE, 1);
	return 0;
}

int swap_readpage(struct page *page, swp_entry_t entry)
{
	ssize_t n;

	sim_point(SP_SWAP_READ, page);
	n = host_pread_fd(swap.fd, page_address(page), PAGE_SIZE,
			  (loff_t)(swp_offset(entry) << PAGE_SHIFT));
	if (n != (ssize_t)PAGE_SIZE)
		return -EIO;
	SetPageUptodate(page);
	return 0;
}

bool swap_leaked(FILE *out)
{
	unsigned long used;

	if (!swap_enabled())
		return false;
	spin_lock(&swap.lock);
	used = swap.used;
	spin_unlock(&swap.lock);
	if (used && out)
		fprintf(out, "libgup: %lu swap slot(s) still in use at shutdown\n", used);
	return used != 0;
}

/* --- the checker's side --- */

bool swap_check_tally(swp_entry_t entry)
{
	if (!is_swapfile_entry(entry))
		return false;
	swap.check_tally[swp_offset(entry)]++;
	return true;
}

int swap_check_counts(FILE *out)
{
	int errors = 0;

	for (unsigned long off = 1; off < swap.nr_slots; off++) {
		unsigned int want = swap.map[off] & SWAP_COUNT_MASK;
		bool cached = swap.map[off] & SWAP_HAS_CACHE;
		struct page *page = swap_cache_peek(swp_entry(SWAP_TYPE_FIRST, off));

		if (swap.check_tally[off] != want) {
			if (out && errors < 20)
				fprintf(out,
					"sim_check: swap slot %lu: count %u but %u entries name "
					"it\n",
					off, want, swap.check_tally[off]);
			errors++;
		}
		if (cached != (page != NULL)) {
			if (out && errors < 20)
				fprintf(out, "sim_check: swap slot %lu: %s\n", off,
					cached ? "SWAP_HAS_CACHE but no page in the swap cache"
					       : "a swap-cache page without SWAP_HAS_CACHE");
			errors++;
		}
		swap.check_tally[off] = 0;
	}
	return errors;
}
