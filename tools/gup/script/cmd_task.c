// SPDX-License-Identifier: GPL-2.0-only
/*
 * Scenario commands about tasks: create, fork, clone a thread, switch the
 * current task, kill, exit and list them.
 */
#include <string.h>

#include "script_int.h"

bool cmd_task(struct script *s, struct cmd_args *a)
{
	const char *name = a->arg[0].str;
	struct bk_task_info info;
	struct bk_task *t;

	if (!check_new_task_name(s, name))
		return false;
	t = s->be->task_create(name);
	if (!t)
		return fail(s, "task_create failed: out of simulated memory");
	if (!add_task(s, name, t))
		return false;
	s->cur = t;
	s->be->set_current(t);
	s->be->task_info(t, &info);
	say(s, "  task %s: pid %d, now current\n", name, info.pid);
	return true;
}

bool cmd_fork(struct script *s, struct cmd_args *a)
{
	struct bk_task *parent = a->arg[0].task, *child;
	const char *parent_name = a->arg[0].str, *child_name = a->as;
	struct bk_task_info pinfo, cinfo;
	char fallback[MAX_NAME + 8];
	long err;

	if (!child_name) {
		snprintf(fallback, sizeof(fallback), "%s_child", parent_name);
		child_name = fallback;
	}
	if (!check_new_task_name(s, child_name))
		return false;
	child = s->be->task_fork(parent, &err);
	if (!child) {
		report(s, "fork", err);
		return true;
	}
	s->be->task_info(parent, &pinfo);
	s->be->task_info(child, &cinfo);
	s->ret = cinfo.pid;
	say(s, "  fork: %s (pid %d) -> %s (pid %d)\n", parent_name, pinfo.pid, child_name,
	    cinfo.pid);
	return add_task(s, child_name, child);
}

bool cmd_thread(struct script *s, struct cmd_args *a)
{
	struct bk_task_info info;
	struct bk_task *thread;

	if (!check_new_task_name(s, a->as))
		return false;
	thread = s->be->task_clone_thread(a->arg[0].task);
	if (!thread)
		return fail(s, "task_clone_thread failed: out of memory");
	s->be->task_info(thread, &info);
	say(s, "  thread %s: pid %d sharing %s's address space\n", a->as, info.pid, a->arg[0].str);
	return add_task(s, a->as, thread);
}

bool cmd_switch(struct script *s, struct cmd_args *a)
{
	s->cur = a->arg[0].task;
	s->be->set_current(s->cur);
	return true;
}

bool cmd_kill(struct script *s, struct cmd_args *a)
{
	s->be->task_kill(a->arg[0].task);
	return true;
}

bool cmd_exit(struct script *s, struct cmd_args *a)
{
	struct task_slot *slot = find_task_slot(s, a->arg[0].str);

	if (!slot)
		return fail(s, "expected the name of a live task, got '%s'", a->arg[0].str);
	if (slot->task == s->cur)
		s->cur = NULL;
	s->be->task_exit(slot->task);
	slot->task = NULL;
	s->be->set_current(s->cur);
	return true;
}

bool cmd_tasks(struct script *s, struct cmd_args *a)
{
	for (int i = 0; i < MAX_TASKS; i++) {
		struct bk_task *t = s->tasks[i].task;
		struct bk_task_info info;

		if (!t)
			continue;
		s->be->task_info(t, &info);
		show(s, "  %-12s pid %d tgid %d mm %u%s%s\n", s->tasks[i].name, info.pid, info.tgid,
		     info.mm_id, info.killed ? " killed" : "", t == s->cur ? " (current)" : "");
	}
	return true;
}
