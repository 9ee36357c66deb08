// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tasks and address spaces: creating processes and threads, fork's copy of the
 * mm (dup_mmap), exit, SIGKILL and mm reference counting.
 */
#include "mm/internal.h"

__thread struct task_struct *current_task;

#define MMAP_BASE (TASK_SIZE - (128UL << 30)) /* below a 128 GiB stack gap */

/* --- mm lifetime --- */

struct mm_struct *mm_alloc(void)
{
	struct mm_struct *mm = calloc(1, sizeof(*mm));

	if (!mm)
		return NULL;
	RB_INIT(&mm->mm_rb);
	atomic_set(&mm->mm_users, 1);
	atomic_set(&mm->mm_count, 1);
	init_rwsem(&mm->mmap_lock);
	spin_lock_init(&mm->page_table_lock);
	mm->mmap_base = MMAP_BASE;
	mm->task_size = TASK_SIZE;
	mm->pgd = pgd_alloc(mm);
	if (!mm->pgd) {
		destroy_rwsem(&mm->mmap_lock);
		free(mm);
		return NULL;
	}
	mm->id = __atomic_add_fetch(&sim.next_mm_id, 1, __ATOMIC_RELAXED);
	atomic_long_add(1, &sim.nr_mms);
	return mm;
}

void mmgrab(struct mm_struct *mm)
{
	atomic_inc(&mm->mm_count);
}

void mmdrop(struct mm_struct *mm)
{
	if (!atomic_dec_and_test(&mm->mm_count))
		return;
	pgd_free(mm, mm->pgd);
	destroy_rwsem(&mm->mmap_lock);
	pthread_spin_destroy(&mm->page_table_lock);
	free(mm);
	atomic_long_add(-1, &sim.nr_mms);
}

void mmget(struct mm_struct *mm)
{
	atomic_inc(&mm->mm_users);
}

bool mmget_not_zero(struct mm_struct *mm)
{
	return atomic_add_unless(&mm->mm_users, 1, 0);
}

void mmput(struct mm_struct *mm)
{
	if (!atomic_dec_and_test(&mm->mm_users))
		return;
	mmap_write_lock(mm);
	VM_CHECK(mm_is_valid(mm, stderr) && pgtable_is_valid(mm, stderr));
	exit_mmap(mm);
	mmap_write_unlock(mm);
	mmdrop(mm);
}

/* --- fork --- */

/* The child's copy of one VMA: shared, copied on write, or wiped. */
static int dup_one_vma(struct mm_struct *mm, struct vm_area_struct *mpnt)
{
	struct vm_area_struct *tmp = vm_area_dup(mpnt);

	if (!tmp)
		return -ENOMEM;
	tmp->vm_mm = mm;
	tmp->vm_flags &= ~(VM_LOCKED | VM_LOCKONFAULT);
	if (tmp->vm_flags & VM_WIPEONFORK) {
		unlink_anon_vmas(tmp); /* the child starts empty */
	} else if (anon_vma_fork(tmp, mpnt)) {
		vm_area_free(tmp);
		return -ENOMEM;
	}
	vma_link(mm, tmp);
	mm->total_vm += vma_pages(tmp);
	if (tmp->vm_flags & VM_WIPEONFORK)
		return 0;
	return copy_page_range(tmp, mpnt);
}

static int dup_mmap(struct mm_struct *mm, struct mm_struct *oldmm)
{
	struct vm_area_struct *mpnt;
	int ret = 0;

	if (mmap_write_lock_killable(oldmm))
		return -EINTR;
	mm->mmap_base = oldmm->mmap_base;
	mm->def_flags = oldmm->def_flags;
	for (mpnt = oldmm->mmap; mpnt && !ret; mpnt = mpnt->vm_next) {
		if (mpnt->vm_flags & VM_DONTCOPY)
			continue;
		ret = dup_one_vma(mm, mpnt);
	}
	mmap_write_unlock(oldmm);
	return ret;
}

struct mm_struct *dup_mm(struct task_struct *tsk, struct mm_struct *oldmm)
{
	struct mm_struct *mm = mm_alloc();

	if (!mm)
		return NULL;
	mm->owner = tsk;
	if (dup_mmap(mm, oldmm)) {
		mmput(mm);
		return NULL;
	}
	return mm;
}

/* --- tasks --- */

/* A task over @mm and @files, taking over the caller's references on both. */
static struct task_struct *task_alloc(const char *comm, struct mm_struct *mm,
				      struct files_struct *files, int tgid)
{
	struct task_struct *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	snprintf(t->comm, sizeof(t->comm), "%s", comm ? comm : "task");
	t->mm = mm;
	t->files = files;
	pthread_mutex_init(&t->blocked_lock, NULL);
	pthread_mutex_lock(&sim.tasks_lock);
	t->pid = sim.next_pid++;
	t->tgid = tgid ? tgid : t->pid;
	list_add_tail(&t->tasks, &sim.tasks);
	pthread_mutex_unlock(&sim.tasks_lock);
	if (!mm->owner)
		mm->owner = t;
	return t;
}

struct task_struct *task_create(const char *comm)
{
	struct files_struct *files;
	struct mm_struct *mm;
	struct task_struct *t;

	if (!sim.running)
		return NULL;
	mm = mm_alloc();
	if (!mm)
		return NULL;
	files = files_alloc();
	t = files ? task_alloc(comm, mm, files, 0) : NULL;
	if (!t) {
		if (files)
			put_files_struct(files);
		mmput(mm);
	}
	return t;
}

struct task_struct *task_clone_thread(struct task_struct *t)
{
	struct task_struct *thread;

	if (!t)
		return NULL;
	mmget(t->mm);
	atomic_inc(&t->files->count);
	thread = task_alloc(t->comm, t->mm, t->files, t->tgid);
	if (!thread) {
		put_files_struct(t->files);
		mmput(t->mm);
	}
	return thread;
}

struct task_struct *set_current(struct task_struct *t)
{
	struct task_struct *prev = current_task;

	current_task = t;
	return prev;
}

struct task_struct *sys_fork(void)
{
	SIM_ENTER((errno = -sim_entry_err, NULL));
	struct task_struct *parent = current, *child;
	struct files_struct *files;
	struct mm_struct *mm;

	mm = dup_mm(NULL, parent->mm);
	if (!mm) {
		errno = ENOMEM;
		return NULL;
	}
	files = dup_fd(parent->files);
	child = files ? task_alloc(parent->comm, mm, files, 0) : NULL;
	if (!child) {
		if (files)
			put_files_struct(files);
		mmput(mm);
		errno = ENOMEM;
	}
	return child;
}

void task_exit(struct task_struct *t)
{
	if (!t)
		return;
	pthread_mutex_lock(&sim.tasks_lock);
	list_del(&t->tasks);
	pthread_mutex_unlock(&sim.tasks_lock);
	if (t->mm->owner == t)
		t->mm->owner = NULL;
	mmput(t->mm);
	put_files_struct(t->files);
	if (current_task == t)
		current_task = NULL;
	pthread_mutex_destroy(&t->blocked_lock);
	free(t);
}

void task_kill(struct task_struct *t)
{
	struct rw_semaphore *sem;

	__atomic_fetch_or(&t->fatal_signal, 1UL, __ATOMIC_SEQ_CST);
	pthread_mutex_lock(&t->blocked_lock);
	sem = t->blocked_on;
	if (sem)
		rwsem_wake_all(sem);
	pthread_mutex_unlock(&t->blocked_lock);
}

struct task_struct *find_task_by_pid(int pid)
{
	struct task_struct *t, *found = NULL;

	pthread_mutex_lock(&sim.tasks_lock);
	list_for_each_entry(t, &sim.tasks, tasks) if (t->pid == pid)
	{
		found = t;
		break;
	}
	pthread_mutex_unlock(&sim.tasks_lock);
	return found;
}

unsigned long sim_live_tasks(void)
{
	struct task_struct *t;
	unsigned long n = 0;

	pthread_mutex_lock(&sim.tasks_lock);
	list_for_each_entry(t, &sim.tasks, tasks) n++;
	pthread_mutex_unlock(&sim.tasks_lock);
	return n;
}

/*
 * Shutdown with tasks left: a test that failed while holding an mmap_lock must
 * not hang the teardown, so a lock still held here (nothing else runs) is broken.
 */
void sim_reap_tasks(void)
{
	while (!list_empty(&sim.tasks)) {
		struct task_struct *t = list_first_entry(&sim.tasks, struct task_struct, tasks);

		if (rwsem_is_locked(&t->mm->mmap_lock)) {
			fprintf(stderr, "libgup: mm %u: mmap_lock still held at shutdown\n",
				t->mm->id);
			destroy_rwsem(&t->mm->mmap_lock);
			init_rwsem(&t->mm->mmap_lock);
		}
		task_exit(t);
	}
}
