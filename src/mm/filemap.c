// SPDX-License-Identifier: GPL-2.0-only
/*
 * The page cache: the page lock and its hashed waitqueues, lookup and insertion
 * by index, the file fault handler (filemap_fault, with the mmap_lock-dropping
 * retry of the kernel's), reads and writes through the cache, host files' a_ops.
 */
#include "fs/internal.h"
#include "lib/rcu.h"
#include <gup/pagemap.h>

#define PAGE_WAIT_BUCKETS 64

struct page_waitqueue {
	pthread_mutex_t lock;
	pthread_cond_t cond;
};

static struct page_waitqueue page_waitqueues[PAGE_WAIT_BUCKETS];
static pthread_once_t page_waitqueues_once = PTHREAD_ONCE_INIT;

static void init_page_waitqueues_once(void)
{
	for (int i = 0; i < PAGE_WAIT_BUCKETS; i++) {
		pthread_mutex_init(&page_waitqueues[i].lock, NULL);
		pthread_cond_init(&page_waitqueues[i].cond, NULL);
	}
}

static struct page_waitqueue *page_waitqueue(struct page *page)
{
	return &page_waitqueues[page_to_pfn(page) % PAGE_WAIT_BUCKETS];
}

bool trylock_page(struct page *page)
{
	return !TestSetPageLocked(compound_head(page));
}

/*
 * PG_waiters, as the kernel's: a sleeper sets it (an atomic read-modify-write of
 * page->flags, under its waitqueue's mutex) before it looks at PG_locked, and
 * unlock_page() clears PG_locked with one read-modify-write that also returns the
 * old flags. Both change the same word, so either the unlock comes first (the
 * sleeper then finds the page unlocked) or it sees PG_waiters and wakes the queue,
 * whose mutex the sleeper holds until it waits: no wake-up is lost, and an unlock
 * nobody waits for touches no mutex.
 */
void lock_page(struct page *page)
{
	struct page_waitqueue *wq;

	page = compound_head(page);
	if (trylock_page(page))
		return;
	wq = page_waitqueue(page);
	pthread_mutex_lock(&wq->lock);
	for (;;) {
		SetPageWaiters(page);
		if (!TestSetPageLocked(page))
			break;
		pthread_cond_wait(&wq->cond, &wq->lock);
	}
	pthread_mutex_unlock(&wq->lock);
}

/* Wake every sleeper of @page's bucket; each looks at its own page again. */
static void wake_page_waiters(struct page *page)
{
	struct page_waitqueue *wq = page_waitqueue(page);

	pthread_mutex_lock(&wq->lock);
	pthread_cond_broadcast(&wq->cond);
	pthread_mutex_unlock(&wq->lock);
}

/*
 * The unlock is our last touch of @page: once PG_locked is clear another thread
 * may lock it, truncate it and free it. So PG_waiters is cleared in the same
 * atomic as PG_locked, under the waitqueue's mutex (a sleeper that must go on
 * waiting sets it again before it looks), and the wake-up needs only the pfn.
 */
void unlock_page(struct page *page)
{
	const unsigned long locked = 1UL << PG_locked, waiters = 1UL << PG_waiters;
	struct page_waitqueue *wq;

	page = compound_head(page);
	/* Release: a trylock_page() that skips the mutex must see our stores. */
	if (!test_bit(PG_waiters, &page->flags)) {
		if (clear_bits_unlock_fetch(locked, &page->flags) & waiters)
			wake_page_waiters(page); /* a sleeper came meanwhile; its bit stays */
		return;
	}
	wq = page_waitqueue(page);
	pthread_mutex_lock(&wq->lock);
	clear_bits_unlock_fetch(locked | waiters, &page->flags);
	pthread_cond_broadcast(&wq->cond);
	pthread_mutex_unlock(&wq->lock);
}

void wait_on_page_locked(struct page *page)
{
	struct page_waitqueue *wq;

	page = compound_head(page);
	wq = page_waitqueue(page);
	pthread_mutex_lock(&wq->lock);
	for (;;) {
		SetPageWaiters(page); /* also what a test holding the lock can see */
		if (!test_bit_acquire(PG_locked, &page->flags))
			break;
		pthread_cond_wait(&wq->cond, &wq->lock);
	}
	pthread_mutex_unlock(&wq->lock);
}

void put_and_wait_on_page_locked(struct page *page)
{
	struct page_waitqueue *wq;
	bool sleep;

	page = compound_head(page);
	wq = page_waitqueue(page);
	pthread_mutex_lock(&wq->lock);
	SetPageWaiters(page);
	sleep = test_bit_acquire(PG_locked, &page->flags);
	if (sleep) {
		/*
		 * The lock holder has a reference of its own, so ours is not the last;
		 * the unlock sees PG_waiters and waits for wq->lock to wake us.
		 */
		put_page(page);
		pthread_cond_wait(&wq->cond, &wq->lock);
	}
	pthread_mutex_unlock(&wq->lock);
	if (!sleep)
		put_page(page);
}

void pagecache_init(void)
{
	pthread_once(&page_waitqueues_once, init_page_waitqueues_once);
}

/* --- the page cache --- */

struct page *find_get_page(struct address_space *mapping, pgoff_t index)
{
	struct page *page;

	sim_rcu_read_lock();
	for (;;) {
		page = xa_load(&mapping->i_pages, index);
		/* A swap entry is no page (pagecache_get_page() without FGP_ENTRY). */
		if (!page || xa_is_value(page)) {
			page = NULL;
			break;
		}
		/* A page being freed has count 0 and stays out of reach. */
		if (!page_cache_add_speculative(page, 1))
			continue;
		/* Removed (and maybe reused) since the load: look again. */
		if (likely(xa_load(&mapping->i_pages, index) == page))
			break;
		put_page(page);
	}
	sim_rcu_read_unlock();
	return page;
}

struct page *find_lock_page(struct address_space *mapping, pgoff_t index)
{
	struct page *page;

	while ((page = find_get_page(mapping, index)) != NULL) {
		lock_page(page);
		/* Truncated while we waited for the lock. */
		if (likely(page->mapping == mapping))
			break;
		unlock_and_put_page(page);
	}
	return page;
}

/*
 * find_get_next_page() with a cursor, inside the caller's RCU read-side section:
 * the first page at or after @xas->xa_index up to @end, referenced, and the
 * cursor on its index; NULL when there is none.
 */
static struct page *next_cached_page(struct xa_state *xas, pgoff_t end)
{
	struct page *page;

	for (;;) {
		page = xas_find(xas, end);
		if (!page)
			break;
		if (xa_is_value(page)) {
			page = NULL;
			if (xas->xa_index++ == end)
				break;
			continue;
		}
		if (!page_cache_add_speculative(page, 1)) {
			xas_reset(xas);
			continue;
		}
		if (likely(xas_reload(xas) == page))
			break;
		put_page(page);
		xas_reset(xas);
	}
	return page;
}

struct page *find_get_next_page(struct address_space *mapping, pgoff_t *index, pgoff_t end)
{
	XA_STATE(xas, &mapping->i_pages, *index);
	struct page *page;

	sim_rcu_read_lock();
	page = next_cached_page(&xas, end);
	sim_rcu_read_unlock();
	if (page)
		*index = xas.xa_index;
	return page;
}

int add_to_page_cache_lru(struct page *page, struct address_space *mapping, pgoff_t index,
			  gfp_t gfp)
{
	int err;

	(void)gfp;
	VM_BUG_ON_PAGE(PageLocked(page) || page->mapping, page);
	SetPageLocked(page);
	get_page(page); /* the cache's */
	page->mapping = mapping;
	page->index = index;
	spin_lock(&mapping->i_pages_lock);
	err = xa_insert(&mapping->i_pages, index, page);
	if (!err)
		mapping->nrpages++;
	spin_unlock(&mapping->i_pages_lock);
	if (err) {
		page->mapping = NULL;
		ClearPageLocked(page);
		page_ref_sub(page, 1);
		return err;
	}
	count_vm_stat(NR_FILE_PAGES, 1);
	if (PageSwapBacked(page))
		count_vm_stat(NR_SHMEM, 1);
	lru_cache_add(page);
	return 0;
}

void page_cache_delete(struct page *page, void *shadow)
{
	struct address_space *mapping = page->mapping;

	if (shadow)
		xa_replace(&mapping->i_pages, page->index, shadow);
	else
		xa_erase(&mapping->i_pages, page->index);
	mapping->nrpages--;
	if (PageDirty(page) && mapping_accounts_dirty(mapping))
		count_vm_stat(NR_FILE_DIRTY, -1);
	WRITE_ONCE(page->mapping, NULL);
	count_vm_stat(NR_FILE_PAGES, -1);
	if (PageSwapBacked(page))
		count_vm_stat(NR_SHMEM, -1);
}

void __delete_from_page_cache(struct page *page)
{
	page_cache_delete(page, NULL);
}

void delete_from_page_cache(struct page *page)
{
	struct address_space *mapping = page->mapping;

	VM_BUG_ON_PAGE(!PageLocked(page), page);
	spin_lock(&mapping->i_pages_lock);
	__delete_from_page_cache(page);
	spin_unlock(&mapping->i_pages_lock);
	put_page(page); /* the cache's */
}

static pgoff_t inode_size_pages(struct inode *inode)
{
	return (pgoff_t)DIV_ROUND_UP(READ_ONCE(inode->i_size), PAGE_SIZE);
}

/*
 * A new page for @index of @mapping, locked, with a reference, in *@pagep.
 * @within_eof: a reader's page, which truncation racing its insertion must not
 * leave beyond the end: truncation sets the size before it looks for pages, we
 * insert before we look at the size, so one of the two sees the other.
 * Return: 0; -EEXIST when another thread added one first (look it up again);
 * -ENXIO when the file now ends before @index; -ENOMEM.
 */
static int page_cache_alloc_locked(struct address_space *mapping, pgoff_t index, bool within_eof,
				   struct page **pagep)
{
	struct page *page = alloc_page(GFP_HIGHUSER_MOVABLE);
	int err;

	if (!page)
		return -ENOMEM;
	err = add_to_page_cache_lru(page, mapping, index, GFP_HIGHUSER_MOVABLE);
	if (err) {
		put_page(page);
		return err;
	}
	smp_mb(); /* the insertion before the size read; do_truncate() pairs */
	if (within_eof && index >= inode_size_pages(mapping->host)) {
		delete_from_page_cache(page);
		unlock_and_put_page(page);
		return -ENXIO;
	}
	*pagep = page;
	return 0;
}

/*
 * Read the locked, !Uptodate @page and wait for it. Return: 0 with the page
 * Uptodate (and unlocked), else -errno.
 */
static int read_page_sync(struct file *file, struct page *page)
{
	const struct address_space_operations *a_ops = page->mapping->a_ops;
	int err;

	/* A mapping with no backing store (shmem) reads its holes as zeroes. */
	if (!a_ops->readpage) {
		memset(page_address(page), 0, PAGE_SIZE);
		SetPageUptodate(page);
		unlock_page(page);
		return 0;
	}
	err = a_ops->readpage(file, page);

	if (err)
		return err;
	wait_on_page_locked(page);
	return PageUptodate(page) ? 0 : -EIO;
}

/*
 * read_cache_page() - the Uptodate page at @index, read in if need be.
 * Return: the page with a reference (unlocked), or NULL with *@err set.
 */
static struct page *read_cache_page(struct file *file, pgoff_t index, int *err)
{
	struct address_space *mapping = file->f_mapping;
	struct page *page;

	for (;;) {
		page = find_get_page(mapping, index);
		if (page && PageUptodate(page))
			return page;
		if (page) {
			lock_page(page);
		} else {
			int ret = page_cache_alloc_locked(mapping, index, true, &page);

			if (ret == -EEXIST)
				continue;
			if (ret) {
				*err = ret == -ENXIO ? 0 : ret; /* truncated: the end of the file */
				return NULL;
			}
		}
		if (page->mapping != mapping) { /* truncated meanwhile */
			unlock_and_put_page(page);
			continue;
		}
		if (PageUptodate(page)) {
			unlock_page(page);
			return page;
		}
		*err = read_page_sync(file, page);
		if (*err) {
			put_page(page);
			page = NULL;
		}
		return page;
	}
}

/* --- the fault handler --- */

/*
 * Before sleeping for I/O, give mmap_lock up if the fault may retry, pinning the
 * file so it outlives the VMA. A retried fault (TRIED) waits with the lock held,
 * so that retrying ends. Return: the pinned file, or NULL when the lock is kept.
 */
static struct file *maybe_unlock_mmap_for_io(struct vm_fault *vmf, struct file *fpin)
{
	unsigned int flags = vmf->flags;

	if (fpin)
		return fpin;
	if ((flags & (FAULT_FLAG_ALLOW_RETRY | FAULT_FLAG_TRIED)) == FAULT_FLAG_ALLOW_RETRY &&
	    !(flags & FAULT_FLAG_RETRY_NOWAIT)) {
		fpin = get_file(vmf->vma->vm_file);
		mmap_read_unlock(vmf->vma->vm_mm);
	}
	return fpin;
}

/*
 * Lock a page another thread may be reading in (lock_page_or_retry as
 * filemap_fault uses it): RETRY_NOWAIT gives up at once with mmap_lock kept;
 * otherwise a first try drops mmap_lock before waiting. Return: true with the
 * page locked, false when the fault must return VM_FAULT_RETRY.
 */
static bool lock_page_maybe_drop_mmap(struct vm_fault *vmf, struct page *page, struct file **fpin)
{
	if (trylock_page(page))
		return true;
	sim_point(SP_FILE_PAGE_WAIT, vmf);
	if (vmf->flags & FAULT_FLAG_RETRY_NOWAIT)
		return false;
	*fpin = maybe_unlock_mmap_for_io(vmf, *fpin);
	lock_page(page);
	return true;
}

/*
 * FAULT_FLAG_RETRY_NOWAIT on a miss: as readahead does, submit the read of the
 * new locked @page and return without waiting for it; a later fault finds the
 * page, locked until the read completes. Return: true when the read was
 * submitted (our reference went with it), false to read it here.
 */
static bool start_read_nowait(struct vm_fault *vmf, struct file *file, struct page *page)
{
	if (!(vmf->flags & FAULT_FLAG_RETRY_NOWAIT) || !(vmf->flags & FAULT_FLAG_ALLOW_RETRY) ||
	    !page->mapping->a_ops->readpage)
		return false;
	return read_page_async(file, page) == 0;
}

/*
 * May fault-around map @page, found in @mapping, at the none-or-not entry @pte?
 * Only a page that needs nothing more: up to date, within the file, and ours to
 * lock at once (a locked page is under I/O or being truncated: ->fault waits for
 * it, fault-around does not). Return: true with @page locked.
 */
static bool fault_around_may_map(struct page *page, struct address_space *mapping,
				 pgoff_t size_pages, pte_t *pte)
{
	bool still_ours;

	if (!pte_none(ptep_get(pte)) || !PageUptodate(page) || !trylock_page(page))
		return false;
	/* Truncated or replaced since the lookup: the lock makes the answer stick. */
	still_ours = page->mapping == mapping && PageUptodate(page) && page->index < size_pages;
	if (!still_ours)
		unlock_page(page);
	return still_ours;
}

vm_fault_t filemap_map_pages(struct vm_fault *vmf, pgoff_t start_pgoff, pgoff_t end_pgoff)
{
	struct vm_area_struct *vma = vmf->vma;
	struct address_space *mapping = vma->vm_file->f_mapping;
	unsigned long start =
		(vmf->address & PAGE_MASK) - ((vmf->pgoff - start_pgoff) << PAGE_SHIFT);
	pgoff_t size_pages = inode_size_pages(mapping->host);
	vm_fault_t ret = 0;
	spinlock_t *ptl;
	pte_t *ptes = pte_offset_map_lock(vma->vm_mm, vmf->pmd, start, &ptl);
	XA_STATE(xas, &mapping->i_pages, start_pgoff);

	/* One read-side section for the whole window: nothing in it sleeps. */
	sim_rcu_read_lock();
	for (; xas.xa_index <= end_pgoff; xas.xa_index++) {
		struct page *page = next_cached_page(&xas, end_pgoff);
		pgoff_t index = xas.xa_index;
		pte_t *pte;

		if (!page)
			break;
		pte = ptes + (index - start_pgoff);
		if (!fault_around_may_map(page, mapping, size_pages, pte)) {
			put_page(page);
			continue;
		}
		do_set_pte(vma, pte, start + ((index - start_pgoff) << PAGE_SHIFT), page);
		unlock_page(page);
		if (index == vmf->pgoff)
			ret = VM_FAULT_NOPAGE;
	}
	sim_rcu_read_unlock();
	pte_unmap_unlock(ptes, ptl);
	return ret;
}

vm_fault_t filemap_fault(struct vm_fault *vmf)
{
	struct file *file = vmf->vma->vm_file, *fpin = NULL;
	struct address_space *mapping = file->f_mapping;
	struct inode *inode = mapping->host;
	pgoff_t offset = vmf->pgoff;
	vm_fault_t ret = 0;
	struct page *page;
	int err;

	if (offset >= inode_size_pages(inode))
		return VM_FAULT_SIGBUS;
retry_find:
	page = find_get_page(mapping, offset);
	if (!page) {
		ret = VM_FAULT_MAJOR;
		err = page_cache_alloc_locked(mapping, offset, true, &page);
		if (err == -EEXIST)
			goto retry_find;
		if (err)
			goto no_page;
		if (start_read_nowait(vmf, file, page))
			return ret | VM_FAULT_RETRY; /* mmap_lock kept, the page ours no more */
	} else if (!lock_page_maybe_drop_mmap(vmf, page, &fpin)) {
		goto out_retry;
	}
	if (unlikely(page->mapping != mapping)) {
		unlock_and_put_page(page);
		goto retry_find;
	}
	if (!PageUptodate(page))
		goto page_not_uptodate;
	/* The lock went while we waited: the page is there now, retry to map it. */
	if (fpin) {
		unlock_page(page);
		goto out_retry;
	}
	/* Truncation sets the size before it takes the pages: check under the page lock. */
	if (unlikely(offset >= inode_size_pages(inode))) {
		unlock_and_put_page(page);
		return VM_FAULT_SIGBUS;
	}
	vmf->page = page;
	return ret | VM_FAULT_LOCKED;

page_not_uptodate:
	fpin = maybe_unlock_mmap_for_io(vmf, fpin);
	err = read_page_sync(file, page);
	if (fpin)
		goto out_retry;
	put_page(page);
	if (!err)
		goto retry_find;
	return VM_FAULT_SIGBUS;

out_retry:
	put_page(page);
	if (fpin)
		fput(fpin);
	return ret | VM_FAULT_RETRY;
no_page:
	/* Without mmap_lock any more, only a retry may be answered: it finds out. */
	if (fpin) {
		fput(fpin);
		return VM_FAULT_RETRY;
	}
	return err == -ENXIO ? VM_FAULT_SIGBUS : VM_FAULT_OOM;
}

vm_fault_t filemap_page_mkwrite(struct vm_fault *vmf)
{
	struct page *page = vmf->page;
	struct inode *inode = vmf->vma->vm_file->f_inode;

	lock_page(page);
	if (page->mapping != &inode->i_data || page->index >= inode_size_pages(inode)) {
		unlock_page(page);
		return VM_FAULT_NOPAGE; /* truncated: the fault is retried and finds out */
	}
	set_page_dirty(page);
	return VM_FAULT_LOCKED;
}

/* --- read and write through the cache --- */

ssize_t generic_file_read(struct file *file, unsigned long buf, size_t count, loff_t pos)
{
	struct inode *inode = file_inode(file);
	ssize_t done = 0;
	int err = 0;

	while (count) {
		loff_t size = READ_ONCE(inode->i_size);
		unsigned long offset = pos & ~PAGE_MASK, nr, left;
		struct page *page;

		if (pos >= size)
			break;
		nr = min_t(unsigned long, PAGE_SIZE - offset, count);
		nr = min_t(unsigned long, nr, (unsigned long)(size - pos));
		page = read_cache_page(file, (pgoff_t)(pos >> PAGE_SHIFT), &err);
		if (!page)
			break;
		/* No page lock held: the copy may fault on a mapping of this very page. */
		left = copy_to_user(buf + done, (char *)page_address(page) + offset, nr);
		mark_page_accessed(page);
		put_page(page);
		done += nr - left;
		pos += nr - left;
		count -= nr - left;
		if (left) {
			err = -EFAULT;
			break;
		}
	}
	return done ? done : err;
}

/*
 * As the page-cache write_begin of a file system with a backing store (the
 * kernel's simple_write_begin with a readpage behind it): the locked page at
 * @pos, ready for @len bytes there. Beyond the end of the file it is zeroed;
 * a write covering it whole leaves it !Uptodate (write_end then decides); else
 * it is read in first. Return 0 with *@pagep locked and referenced, or -errno.
 */
static int host_write_begin(struct file *file, loff_t pos, unsigned long len, struct page **pagep)
{
	struct address_space *mapping = file->f_mapping;
	pgoff_t index = (pgoff_t)(pos >> PAGE_SHIFT);
	struct page *page;
	int err;

	for (;;) {
		err = 0;
		page = find_lock_page(mapping, index);
		/* A writer may place pages past the end: it is extending the file. */
		if (!page)
			err = page_cache_alloc_locked(mapping, index, false, &page);
		if (err == -EEXIST)
			continue;
		if (err)
			return err;
		*pagep = page;
		if (PageUptodate(page))
			return 0;
		if ((loff_t)index << PAGE_SHIFT >= READ_ONCE(mapping->host->i_size)) {
			memset(page_address(page), 0, PAGE_SIZE);
			SetPageUptodate(page);
			return 0;
		}
		if ((pos & ~PAGE_MASK) == 0 && len == PAGE_SIZE)
			return 0;
		/* Read in, then looked up again: a truncation may have come between. */
		err = read_page_sync(file, page);
		put_page(page);
		if (err < 0)
			return err;
	}
}

/*
 * As the kernel's simple_write_end(), for every mapping here: the page @copied
 * of @len bytes at @pos went into is dirty, the file grows to cover them, the
 * page is unlocked and put. A page that was to be covered whole, not read in,
 * and was not (a short copy) is refused: the caller begins again with @copied.
 * Return: true, or false when refused.
 */
static bool write_end(struct file *file, loff_t pos, unsigned long len, unsigned long copied,
		      struct page *page)
{
	struct inode *inode = file_inode(file);

	if (!PageUptodate(page)) {
		if (copied < len) {
			unlock_and_put_page(page);
			return false;
		}
		SetPageUptodate(page);
	}
	set_page_dirty(page);
	/* Under the page lock, as the kernel's: writeback clips to i_size. */
	if (pos + (loff_t)copied > inode->i_size)
		WRITE_ONCE(inode->i_size, pos + (loff_t)copied);
	unlock_and_put_page(page);
	return true;
}

/*
 * As the kernel's write_failed(): nothing could be copied into the page
 * write_begin readied; one it added beyond the end of the file goes again.
 */
static void write_failed(struct page *page)
{
	if ((loff_t)page->index << PAGE_SHIFT >= READ_ONCE(page->mapping->host->i_size))
		delete_from_page_cache(page);
	unlock_and_put_page(page);
}

/*
 * One chunk of a write: @copied bytes of @bounce at @pos, of @len asked, within
 * a page. Return 0, write_begin's error, or -EFAULT when @copied is 0.
 */
static int write_chunk(struct file *file, loff_t pos, unsigned long len, const char *bounce,
		       unsigned long copied)
{
	const struct address_space_operations *a_ops = file->f_mapping->a_ops;

	for (;;) {
		struct page *page;
		int err = a_ops->write_begin(file, pos, len, &page);

		if (err)
			return err;
		/* The mapping had its say first (6.15's order); now the user's bytes. */
		if (!copied) {
			write_failed(page);
			return -EFAULT;
		}
		memcpy((char *)page_address(page) + (pos & ~PAGE_MASK), bounce, copied);
		if (write_end(file, pos, len, copied, page))
			return 0;
		len = copied;
	}
}

/*
 * generic_file_write() - as the kernel's generic_perform_write(): per page, the
 * user bytes, then the mapping's a_ops->write_begin (its rules: shmem's seals),
 * the copy and write_end; which of the user bytes and write_begin's verdict
 * counts first is the profile's (write_prefaults_chunk). Caller holds i_rwsem and
 * has checked that the mapping has a write_begin (sys_pwrite64's file_can_write()).
 * Return: the bytes written if any; else -EFAULT for a buffer that cannot be read,
 * or write_begin's error (-EPERM for a seal, -ENOMEM, a read error).
 */
ssize_t generic_file_write(struct file *file, unsigned long buf, size_t count, loff_t pos)
{
	char *bounce;
	ssize_t done = 0;
	int err = 0;

	bounce = malloc(PAGE_SIZE);
	if (!bounce)
		return -ENOMEM;
	while (count) {
		unsigned long offset = pos & ~PAGE_MASK, nr, copied;

		nr = min_t(unsigned long, PAGE_SIZE - offset, count);
		/*
		 * The user bytes first, into a bounce buffer, whatever the profile:
		 * copying them under the page lock could fault on a mapping of this
		 * page and wait for our own lock.
		 */
		copied = nr - copy_from_user(bounce, buf + done, nr);
		if (copied < nr && mm_profile->write_prefaults_chunk) {
			err = -EFAULT;
			break;
		}
		err = write_chunk(file, pos, nr, bounce, copied);
		if (err)
			break;
		done += copied;
		pos += copied;
		count -= copied;
		if (copied < nr) {
			err = -EFAULT;
			break;
		}
	}
	free(bounce);
	return done ? done : err;
}

/* --- host files --- */

static int host_readpage(struct file *file, struct page *page)
{
	struct inode *inode = page->mapping->host;
	loff_t pos = (loff_t)page->index << PAGE_SHIFT;
	char *kaddr = page_address(page);
	size_t done = 0;
	int err = 0;

	(void)file;
	sim_point(SP_FILE_READ, page);
	while (done < PAGE_SIZE) {
		ssize_t n = host_pread(inode, kaddr + done, PAGE_SIZE - done, pos + (loff_t)done);

		if (n < 0) {
			err = (int)n;
			break;
		}
		if (!n)
			break; /* the host file ends here: the rest reads as zeroes */
		/* A seam that claims more than asked for is held to the page. */
		done += min_t(size_t, (size_t)n, PAGE_SIZE - done);
	}
	if (done < PAGE_SIZE)
		memset(kaddr + done, 0, PAGE_SIZE - done);
	if (!err)
		SetPageUptodate(page);
	unlock_page(page);
	return err;
}

static int host_writepage(struct page *page)
{
	struct inode *inode = page->mapping->host;
	loff_t pos = (loff_t)page->index << PAGE_SHIFT, size = READ_ONCE(inode->i_size);
	size_t len, done = 0;
	int err = 0;

	if (pos >= size) {
		unlock_page(page);
		return 0; /* wholly beyond the end: truncation is about to take it */
	}
	len = (size_t)min_t(loff_t, PAGE_SIZE, size - pos);
	SetPageWriteback(page);
	count_vm_stat(NR_WRITEBACK, 1);
	while (done < len) {
		ssize_t n = host_pwrite(inode, (char *)page_address(page) + done, len - done,
					pos + (loff_t)done);

		if (n <= 0) {
			err = n < 0 ? (int)n : -EIO;
			break;
		}
		done += min_t(size_t, (size_t)n, len - done);
	}
	ClearPageWriteback(page);
	count_vm_stat(NR_WRITEBACK, -1);
	if (err) {
		/* Keep the data for a later try; each file's fsync reports the error once. */
		set_page_dirty(page);
		mapping_set_wb_err(inode, err);
	}
	unlock_page(page);
	return err;
}

void mapping_set_wb_err(struct inode *inode, int err)
{
	spin_lock(&inode->i_data.i_pages_lock);
	inode->wb_err = err;
	inode->wb_err_seq++;
	inode->wb_err_seen = false;
	spin_unlock(&inode->i_data.i_pages_lock);
}

unsigned int file_sample_wb_err(struct inode *inode)
{
	unsigned int seq;

	spin_lock(&inode->i_data.i_pages_lock);
	/* An error nobody has reported yet is this opener's to report. */
	seq = inode->wb_err_seq && !inode->wb_err_seen ? inode->wb_err_seq - 1 : inode->wb_err_seq;
	spin_unlock(&inode->i_data.i_pages_lock);
	return seq;
}

int file_check_and_advance_wb_err(struct file *file)
{
	struct inode *inode = file_inode(file);
	int err = 0;

	spin_lock(&inode->i_data.i_pages_lock);
	if (file->f_wb_err != inode->wb_err_seq) {
		err = inode->wb_err;
		file->f_wb_err = inode->wb_err_seq;
		inode->wb_err_seen = true;
	}
	spin_unlock(&inode->i_data.i_pages_lock);
	return err;
}

const struct address_space_operations host_aops = {
	.readpage = host_readpage,
	.writepage = host_writepage,
	.set_page_dirty = __set_page_dirty_nobuffers,
	.write_begin = host_write_begin,
};

static const char *file_vma_name(struct vm_area_struct *vma)
{
	return vma->vm_file->f_inode->path;
}

/*
 * A shared mapping going away (munmap, exit): zap has moved its PTEs' dirty bits
 * to the pages; write its range back now, so nothing written through it is lost.
 */
static void filemap_vma_close(struct vm_area_struct *vma)
{
	if (vma->vm_flags & VM_SHARED)
		filemap_write_range(vma->vm_file->f_mapping, vma->vm_pgoff,
				    vma->vm_pgoff + vma_pages(vma) - 1);
}

const struct vm_operations_struct generic_file_vm_ops = {
	.close = filemap_vma_close,
	.fault = filemap_fault,
	.map_pages = filemap_map_pages,
	.page_mkwrite = filemap_page_mkwrite,
	.name = file_vma_name,
};

static int host_file_mmap(struct file *file, struct vm_area_struct *vma)
{
	/* A DAX file system maps its files' device memory directly (private: copied on write). */
	if (file->f_inode->i_dax && sim.fsdax_pgmap)
		return dax_file_mmap(file, vma);
	vma->vm_ops = &generic_file_vm_ops;
	return 0;
}

const struct file_operations host_file_operations = {
	.mmap = host_file_mmap,
};
