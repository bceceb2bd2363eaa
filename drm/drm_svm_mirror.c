// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright © 2026 The drm-svm authors
 */

#include <linux/delay.h>
#include <linux/hmm.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pagemap.h>
#include <linux/rmap.h>
#include <linux/sched/mm.h>
#include <linux/sizes.h>
#include <linux/slab.h>

#include <drm/drm_svm_compat.h>
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
 * hmm_range_fault() and lost races are retried until
 * %HMM_RANGE_DEFAULT_TIMEOUT with a bounded back-off: the first
 * %DRM_SVM_MIRROR_SPIN_TRIES tries only yield, later ones sleep, doubling
 * from 10 us up to 1 ms, so a fault that keeps racing with invalidations
 * (migration, reclaim, a CPU writing the range) sleeps instead of spinning
 * for the whole timeout.
 *
 * Windows: the first fault in an aligned %DRM_SVM_MIRROR_WINDOW of address
 * space registers an mmu_interval_notifier over it; the windows live until
 * the mirror is torn down.
 */

/**
 * DOC: Ranges
 *
 * Inside the windows the mirror keeps &struct drm_svm_range objects in an
 * interval tree: the unit a device fault resolves. drm_svm_range_obtain()
 * returns the range holding a faulting address or creates one with the
 * largest chunk (2 MiB, 64 KiB, 4 KiB) whose aligned extent around the
 * address lies inside the VMA, inside the span the driver allows (its
 * attribute boundaries, for instance) and in the gap between existing
 * ranges. The driver then migrates it if its policy says so
 * (drm_svm_range_account_migration() is the thrash guard) and faults the
 * whole range with drm_svm_mirror_fault().
 *
 * Partial unmapping: an %MMU_NOTIFY_UNMAP invalidation (munmap, mremap,
 * process exit) over part of a range shrinks it, or splits it in two when
 * the hole is in the middle; only the unmapped pages are zapped, so the
 * pieces keep their device mappings, their flags and their counters, and
 * pages in device memory stay there. The piece of a split comes from
 * &drm_svm_mirror.spare (refilled by every fault) or a non-blocking
 * allocation; if both fail the whole range is dropped and zapped, which
 * costs a device fault later, never data. A range unmapped entirely is
 * flagged %DRM_SVM_RANGE_UNMAPPED and freed by a worker (the collector),
 * never from the notifier. drm_svm_range_split() cuts a range at an address
 * from process context (attribute changes).
 *
 * Thrash guard: a range migrated into device memory more than
 * &drm_svm_mirror.thrash_count times within &drm_svm_mirror.thrash_window_ms
 * is refused migration for &drm_svm_mirror.thrash_hold_ms; the driver then
 * maps the pages where they are (remote access).
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
 * - The mmap lock is taken (read) by hmm_range_fault_unlocked_timeout(),
 *   which may let a fault handler drop it, around make_device_exclusive()
 *   and around range creation (so a range is never created for a VMA
 *   already unmapped). The mirror lock nests inside it, never the other
 *   way round.
 * - Ranges and their fields are protected by &drm_svm_mirror.lock. The
 *   notifier shrinks, splits and flags them; the collector (a work item)
 *   and fault paths remove unmapped ones. Range pointers must not be kept
 *   after the lock is dropped: faults look ranges up again by address and
 *   retry if their extent changed.
 * - Lifetime: ranges belong to the mirror; drm_svm_mirror_fini() removes
 *   the notifiers, stops the collector and frees every range.
 */

struct drm_svm_mirror_window {
	struct mmu_interval_notifier notifier;
	struct drm_svm_mirror *mirror;
	struct list_head link;
	unsigned long start, end;
};

static void drm_svm_range_remove(struct drm_svm_mirror *mirror,
				 struct drm_svm_range *r)
{
	lockdep_assert_held(&mirror->lock);
	interval_tree_remove(&r->itree, &mirror->ranges);
	if (r->flags & DRM_SVM_RANGE_UNMAPPED)
		list_del(&r->gc_link);
	kfree(r);
}

static void drm_svm_range_resize(struct drm_svm_mirror *mirror,
				 struct drm_svm_range *r, unsigned long start,
				 unsigned long end)
{
	interval_tree_remove(&r->itree, &mirror->ranges);
	r->itree.start = start;
	r->itree.last = end - 1;
	interval_tree_insert(&r->itree, &mirror->ranges);
}

/* Split @r around the hole [@start, @end); false when out of memory. */
static bool drm_svm_range_punch(struct drm_svm_mirror *mirror,
				struct drm_svm_range *r, unsigned long start,
				unsigned long end)
{
	unsigned long rend = drm_svm_range_end(r);
	struct drm_svm_range *piece = mirror->spare;

	if (piece)
		mirror->spare = NULL;
	else
		piece = kmalloc(sizeof(*piece), GFP_NOWAIT | __GFP_NOWARN);
	if (!piece)
		return false;
	*piece = *r;
	INIT_LIST_HEAD(&piece->gc_link);
	drm_svm_range_resize(mirror, r, drm_svm_range_start(r), start);
	piece->itree.start = end;
	piece->itree.last = rend - 1;
	interval_tree_insert(&piece->itree, &mirror->ranges);
	atomic64_inc(&mirror->ranges_split);
	return true;
}

static void drm_svm_range_unmapped(struct drm_svm_mirror *mirror,
				   struct drm_svm_range *r)
{
	r->flags = DRM_SVM_RANGE_UNMAPPED;
	list_add_tail(&r->gc_link, &mirror->gc_list);
	queue_work(system_dfl_wq, &mirror->gc_work);
}

/*
 * Update the ranges overlapping an invalidation of [@start, @end): on unmap
 * shrink, split or retire them; otherwise they are no longer fully mapped.
 */
static void drm_svm_ranges_invalidate(struct drm_svm_mirror *mirror,
				      unsigned long start, unsigned long end,
				      bool unmap)
{
	struct interval_tree_node *node;
	unsigned long addr = start;

	while (addr < end &&
	       (node = interval_tree_iter_first(&mirror->ranges, addr, end - 1))) {
		struct drm_svm_range *r =
			container_of(node, struct drm_svm_range, itree);
		unsigned long rs = drm_svm_range_start(r), re = drm_svm_range_end(r);

		addr = re;
		if (r->flags & DRM_SVM_RANGE_UNMAPPED)
			continue;
		trace_drm_svm_range_invalidate(mirror, rs, re, start, end, unmap);
		if (!unmap) {
			r->flags &= ~(DRM_SVM_RANGE_DEVICE_MAPPED |
				      DRM_SVM_RANGE_DEVMEM);
		} else if (rs >= start && re <= end) {
			drm_svm_range_unmapped(mirror, r);
		} else if (rs < start && re > end) {
			if (!drm_svm_range_punch(mirror, r, start, end)) {
				/* No memory: give the whole range up. */
				mirror->ops->invalidate(mirror, rs, re);
				drm_svm_range_unmapped(mirror, r);
			}
		} else if (rs < start) {
			drm_svm_range_resize(mirror, r, rs, start);
		} else {
			drm_svm_range_resize(mirror, r, end, re);
		}
	}
}

static bool drm_svm_mirror_invalidate(struct mmu_interval_notifier *mni,
				      const struct mmu_notifier_range *range,
				      unsigned long cur_seq)
{
	struct drm_svm_mirror_window *w =
		container_of(mni, struct drm_svm_mirror_window, notifier);
	struct drm_svm_mirror *mirror = w->mirror;
	unsigned long start = max(range->start, w->start);
	unsigned long end = min(range->end, w->end);

	/*
	 * This mirror's own conversion to device-exclusive entries keeps the
	 * pages and its device mappings: ignoring it keeps the atomic fault
	 * from retrying forever. The conversion is tagged with the mirror
	 * itself, not with the page owner, which several devices may share:
	 * every other mirror of the address space (another device, another
	 * context) loses its mapping, as exclusive access requires.
	 */
	if (range->event == MMU_NOTIFY_EXCLUSIVE && range->owner == mirror)
		return true;
	if (mmu_notifier_range_blockable(range))
		mutex_lock(&mirror->lock);
	else if (!mutex_trylock(&mirror->lock))
		return false;
	mmu_interval_set_seq(mni, cur_seq);
	atomic64_inc(&mirror->invalidations);
	trace_drm_svm_mirror_invalidate(mirror, start, end, range->event);
	mirror->ops->invalidate(mirror, start, end);
	drm_svm_ranges_invalidate(mirror, start, end,
				  range->event == MMU_NOTIFY_UNMAP);
	mutex_unlock(&mirror->lock);
	return true;
}

static const struct mmu_interval_notifier_ops drm_svm_mirror_notifier_ops = {
	.invalidate = drm_svm_mirror_invalidate,
};

static void drm_svm_mirror_gc_work(struct work_struct *work)
{
	struct drm_svm_mirror *mirror =
		container_of(work, struct drm_svm_mirror, gc_work);
	struct drm_svm_range *r, *tmp;

	mutex_lock(&mirror->lock);
	list_for_each_entry_safe(r, tmp, &mirror->gc_list, gc_link) {
		trace_drm_svm_range_collect(mirror, drm_svm_range_start(r),
					    drm_svm_range_end(r));
		drm_svm_range_remove(mirror, r);
		atomic64_inc(&mirror->ranges_collected);
	}
	mutex_unlock(&mirror->lock);
}

/**
 * drm_svm_mirror_gc_flush() - wait for the collector
 * @mirror: the mirror
 *
 * Returns once ranges unmapped before the call are freed. May sleep; must
 * not be called with &drm_svm_mirror.lock held.
 */
void drm_svm_mirror_gc_flush(struct drm_svm_mirror *mirror)
{
	flush_work(&mirror->gc_work);
}
EXPORT_SYMBOL_GPL(drm_svm_mirror_gc_flush);

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
	mirror->ranges = RB_ROOT_CACHED;
	INIT_LIST_HEAD(&mirror->gc_list);
	INIT_WORK(&mirror->gc_work, drm_svm_mirror_gc_work);
	mirror->spare = NULL;
	mirror->thrash_count = 4;
	mirror->thrash_window_ms = 2000;
	mirror->thrash_hold_ms = 2000;
	atomic64_set(&mirror->ranges_created, 0);
	atomic64_set(&mirror->ranges_split, 0);
	atomic64_set(&mirror->ranges_collected, 0);
	atomic64_set(&mirror->faults, 0);
	atomic64_set(&mirror->invalidations, 0);
	return 0;
}
EXPORT_SYMBOL_GPL(drm_svm_mirror_init);

/**
 * drm_svm_mirror_fini() - stop mirroring
 * @mirror: the mirror
 *
 * Removes the notifiers (waiting for running invalidations), stops the
 * collector, frees every range and drops the address space. May sleep.
 */
void drm_svm_mirror_fini(struct drm_svm_mirror *mirror)
{
	struct drm_svm_mirror_window *w, *tmp;
	struct interval_tree_node *node;

	list_for_each_entry_safe(w, tmp, &mirror->windows, link) {
		mmu_interval_notifier_remove(&w->notifier);
		list_del(&w->link);
		kfree(w);
	}
	cancel_work_sync(&mirror->gc_work);
	mutex_lock(&mirror->lock);
	while ((node = interval_tree_iter_first(&mirror->ranges, 0, ULONG_MAX)))
		drm_svm_range_remove(mirror,
				     container_of(node, struct drm_svm_range,
						  itree));
	kfree(mirror->spare);
	mirror->spare = NULL;
	mutex_unlock(&mirror->lock);
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
	w = kzalloc_obj(*w, GFP_KERNEL_ACCOUNT);
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

/*
 * hmm_range_fault() hands out this device's private pages as they are,
 * without honouring HMM_PFN_REQ_WRITE: a read-only device-private entry
 * (a read-only VMA, or COW-shared after fork) comes back valid but not
 * writable. Fault such pages again as if they were foreign, which makes
 * the core migrate them back with a write fault: that breaks COW, or fails
 * with -EPERM when the VMA is not writable. Takes the mmap lock itself and
 * gives up after @timeout jiffies of invalidation retries.
 *
 * Return: 0 when every page is writable, -EAGAIN when pages were faulted
 * (the walk must start again), or the fault's error.
 */
static int drm_svm_mirror_fault_readonly(struct hmm_range *range,
					 unsigned long timeout)
{
	unsigned long i, n = (range->end - range->start) >> PAGE_SHIFT;
	unsigned long first = n, last = 0;
	struct hmm_range sub;
	int ret;

	for (i = 0; i < n; i++) {
		if ((range->hmm_pfns[i] & (HMM_PFN_VALID | HMM_PFN_WRITE)) !=
		    HMM_PFN_VALID)
			continue;
		first = min(first, i);
		last = i;
	}
	if (first == n)
		return 0;
	sub = *range;
	sub.start = range->start + (first << PAGE_SHIFT);
	sub.end = range->start + ((last + 1) << PAGE_SHIFT);
	sub.hmm_pfns = range->hmm_pfns + first;
	sub.dev_private_owner = NULL;
	ret = hmm_range_fault_unlocked_timeout(&sub, timeout);
	return ret && ret != -EBUSY ? ret : -EAGAIN;
}

#define DRM_SVM_MIRROR_SPIN_TRIES	4

/* Wait before try @retries + 1: yield first, then 10 us doubling to 1 ms. */
static void drm_svm_mirror_backoff(int retries)
{
	unsigned long us;

	if (retries < DRM_SVM_MIRROR_SPIN_TRIES) {
		cond_resched();
		return;
	}
	us = 10ul << min(retries - DRM_SVM_MIRROR_SPIN_TRIES, 7);
	usleep_range(min(us, 1000ul), min(us, 1000ul) * 2);
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
	unsigned long left;
	int ret, retries = -1;

	for (;;) {
		retries++;
		if (time_after(jiffies, timeout)) {
			ret = -EBUSY;
			break;
		}
		/* what is left of the budget (0 would mean "no limit") */
		left = max(timeout - jiffies, 1ul);
		/* takes the mmap lock; may let a fault handler drop it */
		ret = hmm_range_fault_unlocked_timeout(&range, left);
		if (!ret && (flags & HMM_PFN_REQ_WRITE))
			ret = drm_svm_mirror_fault_readonly(&range, left);
		if (ret == -EBUSY || ret == -EAGAIN) {
			drm_svm_mirror_backoff(retries);
			continue;
		}
		if (ret)
			break;

		mutex_lock(&mirror->lock);
		if (mmu_interval_read_retry(&w->notifier, range.notifier_seq)) {
			mutex_unlock(&mirror->lock);
			drm_svm_mirror_backoff(retries);
			continue;
		}
		update(mirror, start, pfns, (end - start) >> PAGE_SHIFT, arg);
		if (flags & HMM_PFN_REQ_FAULT)
			trace_drm_svm_range_bind(mirror, start, end);
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

/**
 * drm_svm_range_find() - the range holding an address
 * @mirror: the mirror, its lock held
 * @addr: a process address
 *
 * Return: the range, or NULL (none, or only one waiting for the collector).
 */
struct drm_svm_range *drm_svm_range_find(struct drm_svm_mirror *mirror,
					 unsigned long addr)
{
	struct interval_tree_node *node;
	struct drm_svm_range *r;

	lockdep_assert_held(&mirror->lock);
	node = interval_tree_iter_first(&mirror->ranges, addr, addr);
	if (!node)
		return NULL;
	r = container_of(node, struct drm_svm_range, itree);
	return r->flags & DRM_SVM_RANGE_UNMAPPED ? NULL : r;
}
EXPORT_SYMBOL_GPL(drm_svm_range_find);

/**
 * drm_svm_range_next() - walk the ranges overlapping a span
 * @mirror: the mirror, its lock held
 * @range: the current range, or NULL to start
 * @start: start of the span
 * @end: end of the span (exclusive)
 *
 * Ranges waiting for the collector are included (flag
 * %DRM_SVM_RANGE_UNMAPPED). Loop with
 * ``for (r = drm_svm_range_next(m, NULL, s, e); r;
 * r = drm_svm_range_next(m, r, s, e))`` and do not change the tree in the
 * loop.
 *
 * Return: the next range overlapping [@start, @end), or NULL.
 */
struct drm_svm_range *drm_svm_range_next(struct drm_svm_mirror *mirror,
					 struct drm_svm_range *range,
					 unsigned long start, unsigned long end)
{
	struct interval_tree_node *node;

	lockdep_assert_held(&mirror->lock);
	if (start >= end)
		return NULL;
	node = range ? interval_tree_iter_next(&range->itree, start, end - 1) :
		interval_tree_iter_first(&mirror->ranges, start, end - 1);
	return node ? container_of(node, struct drm_svm_range, itree) : NULL;
}
EXPORT_SYMBOL_GPL(drm_svm_range_next);

static const unsigned long drm_svm_chunks[] = { SZ_2M, SZ_64K, SZ_4K };

/* Largest free aligned chunk around @addr inside [@lo, @hi). */
static unsigned long drm_svm_range_chunk(struct drm_svm_mirror *mirror,
					 unsigned long addr, unsigned long lo,
					 unsigned long hi, unsigned long *start)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(drm_svm_chunks); i++) {
		unsigned long c = max(drm_svm_chunks[i], PAGE_SIZE);
		unsigned long s = ALIGN_DOWN(addr, c);

		if (s < lo || s + c > hi || s + c < s)
			continue;
		if (interval_tree_iter_first(&mirror->ranges, s, s + c - 1))
			continue;
		*start = s;
		return c;
	}
	return 0;
}

/*
 * Free the unmapped ranges overlapping [@start, @end) now: the addresses
 * were mapped again before the collector ran.
 */
static void drm_svm_ranges_reap(struct drm_svm_mirror *mirror,
				unsigned long start, unsigned long end)
{
	struct interval_tree_node *node;
	unsigned long addr = start;

	while (addr < end &&
	       (node = interval_tree_iter_first(&mirror->ranges, addr, end - 1))) {
		struct drm_svm_range *r =
			container_of(node, struct drm_svm_range, itree);

		addr = drm_svm_range_end(r);
		if (!(r->flags & DRM_SVM_RANGE_UNMAPPED))
			continue;
		drm_svm_range_remove(mirror, r);
		atomic64_inc(&mirror->ranges_collected);
	}
}

/* Under the mmap lock: find or insert the range of @addr. */
static int drm_svm_range_obtain_locked(struct drm_svm_mirror *mirror,
				       unsigned long addr, unsigned long lo,
				       unsigned long hi,
				       struct drm_svm_range **new,
				       struct drm_svm_range **spare,
				       unsigned long *start, unsigned long *end)
{
	struct vm_area_struct *vma = vma_lookup(mirror->mm, addr);
	struct interval_tree_node *node;
	struct drm_svm_range *r;
	unsigned long chunk;
	bool created = false;

	if (!vma)
		return -EFAULT;
	lo = max3(lo, vma->vm_start, ALIGN_DOWN(addr, DRM_SVM_MIRROR_WINDOW));
	hi = min3(hi, vma->vm_end,
		  ALIGN_DOWN(addr, DRM_SVM_MIRROR_WINDOW) + DRM_SVM_MIRROR_WINDOW);
	mutex_lock(&mirror->lock);
	drm_svm_ranges_reap(mirror, max(lo, ALIGN_DOWN(addr, SZ_2M)),
			    min(hi, ALIGN_DOWN(addr, SZ_2M) + SZ_2M));
	node = interval_tree_iter_first(&mirror->ranges, addr, addr);
	r = node ? container_of(node, struct drm_svm_range, itree) : NULL;
	if (!r) {
		chunk = drm_svm_range_chunk(mirror, addr, lo, hi, start);
		if (!chunk) {
			mutex_unlock(&mirror->lock);
			return -EINVAL;
		}
		r = *new;
		*new = NULL;
		r->itree.start = *start;
		r->itree.last = *start + chunk - 1;
		r->chunk = chunk;
		interval_tree_insert(&r->itree, &mirror->ranges);
		atomic64_inc(&mirror->ranges_created);
		created = true;
	}
	if (!mirror->spare)
		swap(mirror->spare, *spare);
	*start = drm_svm_range_start(r);
	*end = drm_svm_range_end(r);
	trace_drm_svm_range_lookup(mirror, addr, *start, *end, r->chunk,
				   created);
	mutex_unlock(&mirror->lock);
	return 0;
}

/**
 * drm_svm_range_obtain() - the range a device fault at an address resolves
 * @mirror: the mirror
 * @addr: the faulting address
 * @lo: lowest address the range may start at (the driver's span policy)
 * @hi: highest address the range may end at (exclusive)
 * @start: receives the start of the range
 * @end: receives the end of the range (exclusive)
 *
 * Finds the range holding @addr or creates one (see "Ranges" above). The
 * extent returned may change as soon as the call returns (an invalidation
 * may shrink it): callers fault it with drm_svm_mirror_fault() and look the
 * range up again under the lock to mark it. Must be called without the mmap
 * lock or the mirror lock. May sleep.
 *
 * Return: 0, -EINVAL (@addr outside [@lo, @hi)), -EFAULT (no VMA at @addr),
 * -ENOMEM, -ESRCH (address space gone).
 */
int drm_svm_range_obtain(struct drm_svm_mirror *mirror, unsigned long addr,
			 unsigned long lo, unsigned long hi,
			 unsigned long *start, unsigned long *end)
{
	struct drm_svm_range *new, *spare;
	struct drm_svm_mirror_window *w;
	int ret;

	addr = ALIGN_DOWN(addr, PAGE_SIZE);
	if (!PAGE_ALIGNED(lo) || !PAGE_ALIGNED(hi) || addr < lo || addr >= hi)
		return -EINVAL;
	w = drm_svm_mirror_window(mirror, addr);
	if (IS_ERR(w))
		return PTR_ERR(w);
	new = kzalloc_obj(*new, GFP_KERNEL_ACCOUNT);
	spare = kzalloc_obj(*spare, GFP_KERNEL_ACCOUNT);
	if (!new || !spare) {
		ret = -ENOMEM;
		goto out;
	}
	INIT_LIST_HEAD(&new->gc_link);
	if (!mmget_not_zero(mirror->mm)) {
		ret = -ESRCH;
		goto out;
	}
	mmap_read_lock(mirror->mm);
	ret = drm_svm_range_obtain_locked(mirror, addr, lo, hi, &new, &spare,
					  start, end);
	mmap_read_unlock(mirror->mm);
	mmput(mirror->mm);
out:
	kfree(new);
	kfree(spare);
	return ret;
}
EXPORT_SYMBOL_GPL(drm_svm_range_obtain);

/**
 * drm_svm_range_split() - cut the range holding an address in two at it
 * @mirror: the mirror
 * @addr: page-aligned address; the new piece starts here
 *
 * Nothing is invalidated: both pieces keep their device mappings, flags
 * and counters. Nothing happens if no range holds @addr or one starts
 * there. Must be called without the mirror lock; may sleep.
 *
 * Return: 0 or -ENOMEM.
 */
int drm_svm_range_split(struct drm_svm_mirror *mirror, unsigned long addr)
{
	struct drm_svm_range *r, *piece = kmalloc(sizeof(*piece), GFP_KERNEL_ACCOUNT);
	unsigned long end;

	if (!piece)
		return -ENOMEM;
	mutex_lock(&mirror->lock);
	r = drm_svm_range_find(mirror, addr);
	if (r && drm_svm_range_start(r) < addr) {
		end = drm_svm_range_end(r);
		*piece = *r;
		INIT_LIST_HEAD(&piece->gc_link);
		drm_svm_range_resize(mirror, r, drm_svm_range_start(r), addr);
		piece->itree.start = addr;
		piece->itree.last = end - 1;
		interval_tree_insert(&piece->itree, &mirror->ranges);
		atomic64_inc(&mirror->ranges_split);
		piece = NULL;
	}
	mutex_unlock(&mirror->lock);
	kfree(piece);
	return 0;
}
EXPORT_SYMBOL_GPL(drm_svm_range_split);

/**
 * drm_svm_range_thrashing() - is a range refused migration right now
 * @mirror: the mirror, its lock held
 * @range: the range
 *
 * Return: true while the thrash guard holds the range where it is.
 */
bool drm_svm_range_thrashing(struct drm_svm_mirror *mirror,
			     const struct drm_svm_range *range)
{
	lockdep_assert_held(&mirror->lock);
	return (range->flags & DRM_SVM_RANGE_THRASHING) &&
		time_before(jiffies, range->blocked_until);
}
EXPORT_SYMBOL_GPL(drm_svm_range_thrashing);

/**
 * drm_svm_range_account_migration() - thrash guard: count a migration
 * @mirror: the mirror, its lock held
 * @range: the range that just moved pages into device memory
 *
 * Counts the migration. The one that makes more than
 * &drm_svm_mirror.thrash_count within &drm_svm_mirror.thrash_window_ms
 * starts a hold of &drm_svm_mirror.thrash_hold_ms, during which
 * drm_svm_range_thrashing() is true and the driver should map the pages
 * where they are instead of migrating them.
 *
 * Return: true unless the range is now held.
 */
bool drm_svm_range_account_migration(struct drm_svm_mirror *mirror,
				     struct drm_svm_range *range)
{
	unsigned long now = jiffies;

	lockdep_assert_held(&mirror->lock);
	if (!range->window_migrations ||
	    time_after(now, range->window_start +
		       msecs_to_jiffies(mirror->thrash_window_ms))) {
		range->window_start = now;
		range->window_migrations = 0;
	}
	range->migrations++;
	range->last_migration_ns = ktime_get_ns();
	if (++range->window_migrations > mirror->thrash_count) {
		range->flags |= DRM_SVM_RANGE_THRASHING;
		range->blocked_until = now +
			msecs_to_jiffies(mirror->thrash_hold_ms);
		range->window_migrations = 0;
	}
	trace_drm_svm_range_migrate(mirror, drm_svm_range_start(range),
				    drm_svm_range_end(range),
				    !drm_svm_range_thrashing(mirror, range),
				    range->migrations);
	return !drm_svm_range_thrashing(mirror, range);
}
EXPORT_SYMBOL_GPL(drm_svm_range_account_migration);

/*
 * One try at one page: make it exclusive and map it while its folio is
 * still locked (a CPU access that restores the PTE needs the folio lock, so
 * the entry cannot go away before the device PT holds it). The folio is
 * released before the next page: pages of one large folio share its lock.
 * Return: 0 done, -EAGAIN raced with an invalidation, or an error.
 */
static int drm_svm_exclusive_page(struct drm_svm_mirror *mirror,
				  struct drm_svm_mirror_window *w,
				  unsigned long addr,
				  drm_svm_mirror_update_t update, void *arg)
{
	unsigned long seq, pfn;
	struct folio *folio;
	struct page *page;
	int ret = 0;

	seq = mmu_interval_read_begin(&w->notifier);
	if (mmap_read_lock_killable(mirror->mm))
		return -EINTR;
	page = make_device_exclusive(mirror->mm, addr, mirror, &folio);
	mmap_read_unlock(mirror->mm);
	if (IS_ERR(page))
		return PTR_ERR(page);
	pfn = page_to_pfn(page) | HMM_PFN_VALID | HMM_PFN_WRITE;
	mutex_lock(&mirror->lock);
	if (mmu_interval_read_retry(&w->notifier, seq))
		ret = -EAGAIN;
	else
		update(mirror, addr, &pfn, 1, arg);
	mutex_unlock(&mirror->lock);
	folio_unlock(folio);
	folio_put(folio);
	return ret;
}

/* Every page of [start, end) in turn, each retried while it races. */
static int drm_svm_exclusive_pages(struct drm_svm_mirror *mirror,
				   struct drm_svm_mirror_window *w,
				   unsigned long start, unsigned long end,
				   drm_svm_mirror_update_t update, void *arg)
{
	unsigned long timeout = jiffies +
		msecs_to_jiffies(HMM_RANGE_DEFAULT_TIMEOUT);
	unsigned long addr = start;
	int ret = 0, retries = 0;

	while (addr < end) {
		if (fatal_signal_pending(current))
			return -EINTR;
		ret = drm_svm_exclusive_page(mirror, w, addr, update, arg);
		if (!ret) {
			addr += PAGE_SIZE;
			retries = 0;
		} else if (ret != -EAGAIN) {
			break;
		} else if (time_after(jiffies, timeout)) {
			return -EBUSY;
		}
		drm_svm_mirror_backoff(ret ? retries++ : 0);
	}
	/* not anonymous (a file or shared mapping), or a hugetlb page */
	return ret == -EOPNOTSUPP ? -EBUSY : ret;
}

/**
 * drm_svm_mirror_make_exclusive() - give the device exclusive access
 * @mirror: the mirror; its owner must be set
 * @start: page-aligned start
 * @end: page-aligned end (exclusive)
 * @update: called with the mirror lock held, once per page, with the
 *	exclusive page (HMM_PFN_VALID | HMM_PFN_WRITE), while no invalidation
 *	has raced
 * @arg: passed to @update
 *
 * Replaces the CPU PTEs of [@start, @end) with device-exclusive entries
 * (make_device_exclusive(), one page at a time), for device atomics on
 * system memory. The conversion's own invalidation is ignored by this
 * mirror's notifier, while every other mirror of the address space (other
 * devices included, even when they share the page owner) is invalidated. A
 * later CPU access, or another mirror's fault, restores the PTE and
 * invalidates this mirror's mapping of that page; pages already converted
 * stay exclusive while the rest are. Pages in device memory are first
 * brought back by the CPU page walk; a PMD-mapped THP is remapped by PTEs.
 * Only private anonymous memory can be made exclusive (-EBUSY otherwise).
 * The walk goes one notifier window at a time, reschedules between pages
 * and stops on a fatal signal.
 *
 * Return: 0, -EINVAL, -EFAULT (hole, or not writable), -EBUSY, -EINTR,
 * -ENOMEM, -ESRCH.
 */
int drm_svm_mirror_make_exclusive(struct drm_svm_mirror *mirror,
				  unsigned long start, unsigned long end,
				  drm_svm_mirror_update_t update, void *arg)
{
	unsigned long addr, next;
	int ret = 0;

	if (!mirror->owner || !PAGE_ALIGNED(start) || !PAGE_ALIGNED(end) ||
	    start >= end || end > TASK_SIZE)
		return -EINVAL;
	if (!mmget_not_zero(mirror->mm))
		return -ESRCH;
	for (addr = start; addr < end && !ret; addr = next) {
		struct drm_svm_mirror_window *w;

		next = min(ALIGN_DOWN(addr, DRM_SVM_MIRROR_WINDOW) +
			   DRM_SVM_MIRROR_WINDOW, end);
		w = drm_svm_mirror_window(mirror, addr);
		ret = IS_ERR(w) ? PTR_ERR(w) :
			drm_svm_exclusive_pages(mirror, w, addr, next, update,
						arg);
	}
	trace_drm_svm_range_exclusive(mirror, start, end, ret);
	mmput(mirror->mm);
	return ret;
}
EXPORT_SYMBOL_GPL(drm_svm_mirror_make_exclusive);
