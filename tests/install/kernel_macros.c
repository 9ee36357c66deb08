/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kernel-style macros README lists, expanded the way a consumer writes them, so
 * that strict C11 (-pedantic-errors) and C++17 both compile what the headers expand to.
 */
#include <libgup.h>
#ifdef __cplusplus
#include <iterator> /* has a member named current: must survive libgup.h's current */
#include <vector>
#endif

struct item {
	int value;
	struct list_head node;
};

int consumer_expand_macros(struct list_head *items, struct page *page);

int consumer_expand_macros(struct list_head *items, struct page *page)
{
	struct list_head empty[2] = {LIST_HEAD_INIT(empty[0]), LIST_HEAD_INIT(empty[1])};
	struct item *it;
	int sum = 0;

	list_for_each_entry(it, items, node)
	{
		sum += it->value;
	}
	if (WARN_ON_ONCE(sum < 0) || WARN_ON(!items))
		return -EINVAL;
	BUG_ON(!items);
	VM_BUG_ON_PAGE(!page, page);
	if (likely(READ_ONCE(sum) > 0) && !unlikely(IS_ERR_VALUE((unsigned long)sum)))
		WRITE_ONCE(sum, sum + 1);
	smp_mb();
	sum += (int)ARRAY_SIZE(empty) + list_empty(&empty[1]);
	sum += (int)min_t(unsigned long, ALIGN_UP(PAGE_SIZE + 1, PAGE_SIZE), PMD_SIZE);
	sum += IS_ALIGNED(ALIGN_DOWN(PAGE_SIZE + 1, PAGE_SIZE), PAGE_SIZE);
	sum += (int)pte_val(pte_mkdirty(__pte(_PAGE_PRESENT)));
	sum += (current != NULL) + (ZERO_PAGE(0) != NULL) + !!(FOLL_PIN & FOLL_LONGTERM);
	return sum + container_of(items->next, struct item, node)->value;
}
