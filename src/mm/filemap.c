// SPDX-License-Identifier: GPL-2.0-only
/*
 * The page lock: lock_page and friends, with the hashed waitqueues that sleepers
 * wait on (the kernel's page_wait_table).
 */
#include "mm/internal.h"

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

void lock_page(struct page *page)
{
	struct page_waitqueue *wq;

	page = compound_head(page);
	if (trylock_page(page))
		return;
	wq = page_waitqueue(page);
	pthread_mutex_lock(&wq->lock);
	while (TestSetPageLocked(page))
		pthread_cond_wait(&wq->cond, &wq->lock);
	pthread_mutex_unlock(&wq->lock);
}

void unlock_page(struct page *page)
{
	struct page_waitqueue *wq;

	page = compound_head(page);
	wq = page_waitqueue(page);
	pthread_mutex_lock(&wq->lock);
	ClearPageLocked(page);
	pthread_cond_broadcast(&wq->cond);
	pthread_mutex_unlock(&wq->lock);
}

void wait_on_page_locked(struct page *page)
{
	struct page_waitqueue *wq;

	page = compound_head(page);
	wq = page_waitqueue(page);
	pthread_mutex_lock(&wq->lock);
	while (PageLocked(page))
		pthread_cond_wait(&wq->cond, &wq->lock);
	pthread_mutex_unlock(&wq->lock);
}

void pagecache_init(void)
{
	pthread_once(&page_waitqueues_once, init_page_waitqueues_once);
}
