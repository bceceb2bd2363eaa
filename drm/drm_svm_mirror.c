// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright © 2026 The drm-svm authors
 */

#include <linux/hmm.h>
#include <linux/jiffies.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>

#include <drm/drm_svm_mirror.h>

#include "drm_svm_trace.h"

/**
 * DOC: Process mirror
 *
 * &struct drm_svm_mirror lets a device use a process's virtual addresses
 * directly, without pinning: device page-table entries are filled from
 * hmm_range_fault() and zapped when the CPU mapping changes.
 *
 * The fault path follows the pattern of Documentation/mm/hmm.rst: read the
 * notifier sequence, fault the range with the mmap lock held for reading,
 * then take the mirror lock and update the device page table only if no
 * invalidation happened meanwhile; otherwise start again. -EBUSY from
 * hmm_range_fault() is retried until %HMM_RANGE_DEFAULT_TIMEOUT, with a
 * yield between tries, never a busy spin.
 *
 * Windows: the first fault in an aligned %DRM_SVM_MIRROR_WINDOW of address
 * space registers an mmu_interval_notifier over it; the windows live until
 * the mirror is torn down.
 */

/**
 * DOC: Process mirror locking
 *
 * - &drm_svm_mirror.lock is the device page-table lock. Faults hold it while
 *   writing device PTEs, invalidations while zapping them. It may be taken
 *   from the mmu notifier, so nothing under it may allocate memory with
 *   reclaim that could wait for the notifier (GFP_KERNEL is fine outside).
 * - &drm_svm_mirror.windows_lock protects the list of windows; it is never
 *   taken inside the mirror lock.
 * - The mmap lock is taken (read) only around hmm_range_fault().
 */

struct drm_svm_mirror_window {
	struct mmu_interval_notifier notifier;
	struct drm_svm_mirror *mirror;
	struct list_head link;
	unsigned long start, end;
};

static bool drm_svm_mirror_invalidate(struct mmu_interval_notifier *mni,
				      const struct mmu_notifier_range *range,
				      unsigned long cur_seq)
{
	struct drm_svm_mirror_window *w =
		container_of(mni, struct drm_svm_mirror_window, notifier);
	struct drm_svm_mirror *mirror = w->mirror;
	unsigned long start = max(range->start, w->start);
	unsigned long end = min(range->end, w->end);

	if (mmu_notifier_range_blockable(range))
		mutex_lock(&mirror->lock);
	else if (!mutex_trylock(&mirror->lock))
		return false;
	mmu_interval_set_seq(mni, cur_seq);
	atomic64_inc(&mirror->invalidations);
	trace_drm_svm_mirror_invalidate(mirror, start, end, range->event);
	mirror->ops->invalidate(mirror, start, end);
	mutex_unlock(&mirror->lock);
	return true;
}

static const struct mmu_interval_notifier_ops drm_svm_mirror_notifier_ops = {
	.invalidate = drm_svm_mirror_invalidate,
};

/**
 * drm_svm_mirror_init() - start mirroring an address space
 * @mirror: the mirror to set up
 * @mm: the address space, normally current->mm
 * @ops: driver callbacks
 * @owner: owner of the device's private pages (MEMORY_DEVICE_PRIVATE), or
 *	NULL: such pages are then always faulted back to system memory
 *
 * Return: 0, or -EINVAL without an address space or invalidate callback.
 */
int drm_svm_mirror_init(struct drm_svm_mirror *mirror, struct mm_struct *mm,
			const struct drm_svm_mirror_ops *ops, void *owner)
{
	if (!mm || !ops || !ops->invalidate)
		return -EINVAL;
	mmgrab(mm);
	mirror->mm = mm;
	mirror->ops = ops;
	mirror->owner = owner;
	mutex_init(&mirror->lock);
	mutex_init(&mirror->windows_lock);
	INIT_LIST_HEAD(&mirror->windows);
	atomic64_set(&mirror->faults, 0);
	atomic64_set(&mirror->invalidations, 0);
	return 0;
}
EXPORT_SYMBOL_GPL(drm_svm_mirror_init);

/**
 * drm_svm_mirror_fini() - stop mirroring
 * @mirror: the mirror
 *
 * Removes the notifiers (waiting for running invalidations) and drops the
 * address space. May sleep.
 */
void drm_svm_mirror_fini(struct drm_svm_mirror *mirror)
{
	struct drm_svm_mirror_window *w, *tmp;

	list_for_each_entry_safe(w, tmp, &mirror->windows, link) {
		mmu_interval_notifier_remove(&w->notifier);
		list_del(&w->link);
		kfree(w);
	}
	mmdrop(mirror->mm);
	mutex_destroy(&mirror->windows_lock);
	mutex_destroy(&mirror->lock);
}
EXPORT_SYMBOL_GPL(drm_svm_mirror_fini);

static struct drm_svm_mirror_window *
drm_svm_mirror_window(struct drm_svm_mirror *mirror, unsigned long addr)
{
	unsigned long start = ALIGN_DOWN(addr, DRM_SVM_MIRROR_WINDOW);
	struct drm_svm_mirror_window *w;
	int ret;

	mutex_lock(&mirror->windows_lock);
	list_for_each_entry(w, &mirror->windows, link)
		if (w->start == start)
			goto out;
	w = kzalloc(sizeof(*w), GFP_KERNEL);
	if (!w) {
		w = ERR_PTR(-ENOMEM);
		goto out;
	}
	w->mirror = mirror;
	w->start = start;
	w->end = start + DRM_SVM_MIRROR_WINDOW;
	ret = mmu_interval_notifier_insert(&w->notifier, mirror->mm, w->start,
					   DRM_SVM_MIRROR_WINDOW,
					   &drm_svm_mirror_notifier_ops);
	if (ret) {
		kfree(w);
		w = ERR_PTR(ret);
		goto out;
	}
	list_add(&w->link, &mirror->windows);
out:
	mutex_unlock(&mirror->windows_lock);
	return w;
}

/* Fault [start, end), inside one window, and update the device PT. */
static int drm_svm_mirror_fault_window(struct drm_svm_mirror *mirror,
				       struct drm_svm_mirror_window *w,
				       unsigned long start, unsigned long end,
				       unsigned long *pfns, unsigned long flags,
				       drm_svm_mirror_update_t update, void *arg)
{
	unsigned long timeout = jiffies +
		msecs_to_jiffies(HMM_RANGE_DEFAULT_TIMEOUT);
	struct hmm_range range = {
		.notifier = &w->notifier,
		.start = start,
		.end = end,
		.hmm_pfns = pfns,
		.default_flags = flags,
		.dev_private_owner = mirror->owner,
	};
	int ret, retries = -1;

	for (;;) {
		retries++;
		if (time_after(jiffies, timeout)) {
			ret = -EBUSY;
			break;
		}
		range.notifier_seq = mmu_interval_read_begin(&w->notifier);
		mmap_read_lock(mirror->mm);
		ret = hmm_range_fault(&range);
		mmap_read_unlock(mirror->mm);
		if (ret == -EBUSY) {
			cond_resched();
			continue;
		}
		if (ret)
			break;

		mutex_lock(&mirror->lock);
		if (mmu_interval_read_retry(&w->notifier, range.notifier_seq)) {
			mutex_unlock(&mirror->lock);
			continue;
		}
		update(mirror, start, pfns, (end - start) >> PAGE_SHIFT, arg);
		mutex_unlock(&mirror->lock);
		break;
	}
	trace_drm_svm_mirror_fault(mirror, start, end,
				   flags & HMM_PFN_REQ_WRITE,
				   !(flags & HMM_PFN_REQ_FAULT), retries, ret);
	return ret;
}

/**
 * drm_svm_mirror_fault() - mirror a range of the address space
 * @mirror: the mirror
 * @start: page-aligned start address
 * @end: page-aligned end address (exclusive)
 * @write: fault the pages in writable
 * @snapshot: do not fault: report what the CPU page tables hold now
 * @update: called with the mirror lock held and current pages
 * @arg: passed to @update
 *
 * Without @snapshot, every page is faulted in (write faults break COW);
 * a missing or PROT_NONE mapping fails with -EFAULT, a write to a
 * read-only mapping with -EPERM. With @snapshot nothing is faulted and
 * @update sees the raw state (pages without HMM_PFN_VALID are absent).
 *
 * Return: 0, -EINVAL (unaligned or empty range), -EFAULT, -EPERM, -EBUSY
 * (invalidations kept racing for the whole timeout), -ENOMEM, or -ESRCH
 * when the address space is gone.
 */
int drm_svm_mirror_fault(struct drm_svm_mirror *mirror, unsigned long start,
			 unsigned long end, bool write, bool snapshot,
			 drm_svm_mirror_update_t update, void *arg)
{
	unsigned long flags = snapshot ? 0 :
		HMM_PFN_REQ_FAULT | (write ? HMM_PFN_REQ_WRITE : 0);
	unsigned long *pfns, addr, next;
	int ret = 0;

	if (!PAGE_ALIGNED(start) || !PAGE_ALIGNED(end) || start >= end)
		return -EINVAL;
	if (!mmget_not_zero(mirror->mm))
		return -ESRCH;
	pfns = kvmalloc_array(min(end - start, DRM_SVM_MIRROR_WINDOW) >>
			      PAGE_SHIFT, sizeof(*pfns), GFP_KERNEL);
	if (!pfns) {
		ret = -ENOMEM;
		goto out_put;
	}
	for (addr = start; addr < end && !ret; addr = next) {
		struct drm_svm_mirror_window *w;

		next = min(ALIGN_DOWN(addr, DRM_SVM_MIRROR_WINDOW) +
			   DRM_SVM_MIRROR_WINDOW, end);
		w = drm_svm_mirror_window(mirror, addr);
		if (IS_ERR(w)) {
			ret = PTR_ERR(w);
			break;
		}
		ret = drm_svm_mirror_fault_window(mirror, w, addr, next, pfns,
						  flags, update, arg);
	}
	if (!ret && !snapshot)
		atomic64_inc(&mirror->faults);
	kvfree(pfns);
out_put:
	mmput(mirror->mm);
	return ret;
}
EXPORT_SYMBOL_GPL(drm_svm_mirror_fault);
