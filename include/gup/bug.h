/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * WARN_ON, WARN_ON_ONCE, BUG_ON and the VM_BUG_ON family. Warnings print the call
 * site to stderr and are counted, so tests can assert that misuse was reported.
 */
#ifndef GUP_BUG_H
#define GUP_BUG_H

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

struct page;

void __gup_warn(const char *file, int line, const char *func, const char *cond);
__attribute__((noreturn)) void __gup_bug(const char *file, int line, const char *func,
					 const char *cond);
void dump_page(struct page *page, const char *reason);

/* Number of WARN_ON / WARN_ON_ONCE reports since boot. */
unsigned long sim_warn_count(void);

#define WARN_ON(cond)                                                                              \
	__extension__({                                                                            \
		bool __w = !!(cond);                                                               \
		if (__builtin_expect(__w, 0))                                                      \
			__gup_warn(__FILE__, __LINE__, __func__, #cond);                           \
		__w;                                                                               \
	})

#define WARN_ON_ONCE(cond)                                                                         \
	__extension__({                                                                            \
		static bool __warned;                                                              \
		bool __w = !!(cond);                                                               \
		if (__builtin_expect(__w, 0) &&                                                    \
		    !__atomic_exchange_n(&__warned, true, __ATOMIC_RELAXED))                       \
			__gup_warn(__FILE__, __LINE__, __func__, #cond);                           \
		__w;                                                                               \
	})

#define BUG_ON(cond)                                                                               \
	do {                                                                                       \
		if (__builtin_expect(!!(cond), 0))                                                 \
			__gup_bug(__FILE__, __LINE__, __func__, #cond);                            \
	} while (0)

#ifdef CONFIG_DEBUG_VM
#define VM_BUG_ON(cond) BUG_ON(cond)
#define VM_BUG_ON_PAGE(cond, page)                                                                 \
	do {                                                                                       \
		if (__builtin_expect(!!(cond), 0)) {                                               \
			dump_page(page, "VM_BUG_ON_PAGE(" #cond ")");                              \
			__gup_bug(__FILE__, __LINE__, __func__, #cond);                            \
		}                                                                                  \
	} while (0)
#define VM_WARN_ON_ONCE(cond) WARN_ON_ONCE(cond)
#else
#define VM_BUG_ON(cond) ((void)sizeof(!!(cond)))
#define VM_BUG_ON_PAGE(cond, page) ((void)sizeof(!!(cond)), (void)(page))
#define VM_WARN_ON_ONCE(cond) ((void)sizeof(!!(cond)))
#endif

#ifdef __cplusplus
}
#endif

#endif /* GUP_BUG_H */
