// SPDX-License-Identifier: GPL-2.0-only
/*
 * Reads submitted without waiting: the kernel's readahead hands a locked page to
 * the block layer and returns; here one I/O worker thread (our "device") runs the
 * queued a_ops->readpage calls, so the submitter never waits for the host.
 */
#include "fs/internal.h"
#include <gup/sim_thread.h>

struct async_read {
	struct async_read *next;
	struct file *file;
	struct page *page;
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t work; /* a read was queued, or stop */
	pthread_cond_t idle; /* the queue emptied and nothing is being read */
	struct async_read *head, **tail;
	struct sim_thread *worker;
	bool busy, stop;
	unsigned long submitted, completed;
} io = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.work = PTHREAD_COND_INITIALIZER,
	.idle = PTHREAD_COND_INITIALIZER,
	.tail = &io.head,
};

static struct async_read *next_read_locked(void)
{
	struct async_read *r;

	while (!io.head && !io.stop) {
		io.busy = false;
		pthread_cond_broadcast(&io.idle);
		pthread_cond_wait(&io.work, &io.lock);
	}
	r = io.head;
	if (r) {
		io.head = r->next;
		if (!io.head)
			io.tail = &io.head;
		io.busy = true;
	}
	return r;
}

/* The device: read each queued page (readpage unlocks it), then drop what the submitter gave. */
static void *io_worker(void *arg)
{
	struct async_read *r;

	(void)arg;
	pthread_mutex_lock(&io.lock);
	while ((r = next_read_locked()) != NULL) {
		pthread_mutex_unlock(&io.lock);
		r->page->mapping->a_ops->readpage(r->file, r->page);
		put_page(r->page);
		fput(r->file);
		free(r);
		pthread_mutex_lock(&io.lock);
		io.completed++;
	}
	io.busy = false;
	pthread_cond_broadcast(&io.idle);
	pthread_mutex_unlock(&io.lock);
	return NULL;
}

/**
 * read_page_async() - start reading the locked, !Uptodate @page of @file and
 * return without waiting: the page stays locked until the read completes, then
 * is Uptodate (or, after a host error, not).
 *
 * Takes over the caller's reference on @page and takes one on @file.
 * Return: 0; -ENOMEM or -EAGAIN (no worker) with nothing taken over, the page
 * still locked: the caller reads it itself.
 */
int read_page_async(struct file *file, struct page *page)
{
	struct async_read *r = malloc(sizeof(*r));
	int err = 0;

	if (!r)
		return -ENOMEM;
	*r = (struct async_read){.file = get_file(file), .page = page};
	pthread_mutex_lock(&io.lock);
	if (!io.worker) {
		io.stop = false;
		io.busy = true; /* until it first finds the queue empty */
		err = sim_thread_spawn(NULL, io_worker, NULL, &io.worker);
	}
	if (!err) {
		*io.tail = r;
		io.tail = &r->next;
		io.submitted++;
		pthread_cond_signal(&io.work);
	}
	pthread_mutex_unlock(&io.lock);
	if (err) {
		fput(file);
		free(r);
	}
	return err;
}

void async_reads_wait(void)
{
	pthread_mutex_lock(&io.lock);
	while (io.worker && (io.head || io.busy))
		pthread_cond_wait(&io.idle, &io.lock);
	pthread_mutex_unlock(&io.lock);
}

unsigned long async_reads_completed(void)
{
	unsigned long n;

	pthread_mutex_lock(&io.lock);
	n = io.completed;
	pthread_mutex_unlock(&io.lock);
	return n;
}

void async_reads_stop(void)
{
	struct sim_thread *worker;

	pthread_mutex_lock(&io.lock);
	io.stop = true;
	worker = io.worker;
	io.worker = NULL;
	pthread_cond_signal(&io.work);
	pthread_mutex_unlock(&io.lock);
	/* The worker empties the queue before it sees stop. */
	if (worker)
		sim_thread_join(worker);
	pthread_mutex_lock(&io.lock);
	io.submitted = io.completed = 0;
	pthread_mutex_unlock(&io.lock);
}
