/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Copyright © 2026 The drm-svm authors
 */
#ifndef __DRM_SVM_MIRROR_H__
#define __DRM_SVM_MIRROR_H__

#include <linux/interval_tree.h>
#include <linux/list.h>
#include <linux/mmu_notifier.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/workqueue.h>

struct drm_svm_mirror;

/**
 * struct drm_svm_mirror_ops - driver callbacks of a process mirror
 */
struct drm_svm_mirror_ops {
	/**
	 * @invalidate: Zap the device mappings of [@start, @end) and flush
	 * the device TLB before returning. Called with the mirror lock held
	 * (&drm_svm_mirror.lock), from the mmu notifier. Mandatory.
	 */
	void (*invalidate)(struct drm_svm_mirror *mirror, unsigned long start,
			   unsigned long end);
};

/* drm_svm_range.flags */
/** DRM_SVM_RANGE_DEVICE_MAPPED - every page of the range is device-mapped */
#define DRM_SVM_RANGE_DEVICE_MAPPED	BIT(0)
/** DRM_SVM_RANGE_DEVMEM - the last fault found the range in device memory */
#define DRM_SVM_RANGE_DEVMEM		BIT(1)
/** DRM_SVM_RANGE_UNMAPPED - the VMA is gone, waiting for the collector */
#define DRM_SVM_RANGE_UNMAPPED		BIT(2)
/** DRM_SVM_RANGE_THRASHING - bounced too often, may not migrate for now */
#define DRM_SVM_RANGE_THRASHING		BIT(3)

/**
 * struct drm_svm_range - a piece of a mirror that faults as one
 *
 * Created by drm_svm_range_obtain() around a faulting address with the
 * largest chunk size (%SZ_2M, %SZ_64K, %SZ_4K) whose aligned chunk fits in
 * the VMA, the caller's span and the gaps between existing ranges. Ranges
 * never overlap and never cross a notifier window. A partial unmap shrinks
 * or splits a range; the pieces keep their flags and counters. All fields
 * are protected by &drm_svm_mirror.lock; a range pointer is only valid while
 * that lock is held.
 */
struct drm_svm_range {
	/** @itree: node in &drm_svm_mirror.ranges ([start, last]). */
	struct interval_tree_node itree;
	/** @gc_link: in &drm_svm_mirror.gc_list once unmapped. */
	struct list_head gc_link;
	/** @flags: DRM_SVM_RANGE_*. */
	unsigned long flags;
	/** @chunk: the chunk size the range was created with, in bytes. */
	unsigned long chunk;
	/** @migrations: migrations into device memory accounted so far. */
	unsigned int migrations;
	/** @window_migrations: migrations since @window_start. */
	unsigned int window_migrations;
	/** @window_start: jiffies when the thrash window began. */
	unsigned long window_start;
	/** @blocked_until: jiffies until which the range may not migrate. */
	unsigned long blocked_until;
	/** @last_migration_ns: ktime of the last migration, 0 if none. */
	u64 last_migration_ns;
};

static inline unsigned long drm_svm_range_start(const struct drm_svm_range *r)
{
	return r->itree.start;
}

static inline unsigned long drm_svm_range_end(const struct drm_svm_range *r)
{
	return r->itree.last + 1;
}

/**
 * struct drm_svm_mirror - a device's mirror of one process address space
 *
 * The CPU page tables of @mm are mirrored on demand: a device fault calls
 * drm_svm_mirror_fault(), which faults the CPU pages in with
 * hmm_range_fault() (no pinning) and hands them to the driver under @lock
 * once no invalidation raced with it. Invalidations take @lock and call
 * &drm_svm_mirror_ops.invalidate. Address space is watched in windows of
 * %DRM_SVM_MIRROR_WINDOW bytes, each an mmu_interval_notifier.
 */
struct drm_svm_mirror {
	/** @mm: the mirrored address space (mmgrab'ed). */
	struct mm_struct *mm;
	/** @ops: driver callbacks. */
	const struct drm_svm_mirror_ops *ops;
	/**
	 * @owner: device-private page owner: pages of this owner are reported
	 * as they are instead of being faulted back to system memory.
	 */
	void *owner;
	/**
	 * @lock: the driver's device page table lock ("update lock" in
	 * Documentation/mm/hmm.rst): held while device PTEs are written from
	 * a fault and while they are zapped by an invalidation.
	 */
	struct mutex lock;
	/** @windows_lock: protects @windows. */
	struct mutex windows_lock;
	/** @windows: the notifier windows, &struct drm_svm_mirror_window. */
	struct list_head windows;
	/**
	 * @ranges: interval tree of &struct drm_svm_range, under @lock.
	 */
	struct rb_root_cached ranges;
	/** @gc_list: unmapped ranges for @gc_work, under @lock. */
	struct list_head gc_list;
	/** @gc_work: frees the ranges of @gc_list. */
	struct work_struct gc_work;
	/**
	 * @spare: a range allocated ahead for the notifier's splits, under
	 * @lock (the notifier must not allocate with reclaim).
	 */
	struct drm_svm_range *spare;
	/** @thrash_count: migrations in @thrash_window_ms that block. */
	unsigned int thrash_count;
	/** @thrash_window_ms: the thrash window. */
	unsigned int thrash_window_ms;
	/** @thrash_hold_ms: how long a thrashing range stays put. */
	unsigned int thrash_hold_ms;
	/** @ranges_created: ranges created. */
	atomic64_t ranges_created;
	/** @ranges_split: ranges split by partial unmaps. */
	atomic64_t ranges_split;
	/** @ranges_collected: unmapped ranges freed by the collector. */
	atomic64_t ranges_collected;
	/** @faults: CPU ranges faulted in for the device. */
	atomic64_t faults;
	/** @invalidations: invalidations received. */
	atomic64_t invalidations;
};

/** DRM_SVM_MIRROR_WINDOW - address space watched by one notifier */
#define DRM_SVM_MIRROR_WINDOW	(512ul << 20)

/**
 * typedef drm_svm_mirror_update_t - device PT update after a fault
 * @mirror: the mirror
 * @start: virtual address of the first page
 * @pfns: hmm_pfns of the pages (HMM_PFN_VALID, HMM_PFN_WRITE, ...)
 * @npages: number of pages
 * @arg: the caller's argument
 *
 * Called with &drm_svm_mirror.lock held and the pages guaranteed current.
 */
typedef void (*drm_svm_mirror_update_t)(struct drm_svm_mirror *mirror,
					unsigned long start,
					const unsigned long *pfns,
					unsigned long npages, void *arg);

int drm_svm_mirror_init(struct drm_svm_mirror *mirror, struct mm_struct *mm,
			const struct drm_svm_mirror_ops *ops, void *owner);
void drm_svm_mirror_fini(struct drm_svm_mirror *mirror);
int drm_svm_mirror_fault(struct drm_svm_mirror *mirror, unsigned long start,
			 unsigned long end, bool write, bool snapshot,
			 drm_svm_mirror_update_t update, void *arg);

struct drm_svm_range *drm_svm_range_find(struct drm_svm_mirror *mirror,
					 unsigned long addr);
struct drm_svm_range *drm_svm_range_next(struct drm_svm_mirror *mirror,
					 struct drm_svm_range *range,
					 unsigned long start,
					 unsigned long end);
int drm_svm_range_obtain(struct drm_svm_mirror *mirror, unsigned long addr,
			 unsigned long lo, unsigned long hi,
			 unsigned long *start, unsigned long *end);
int drm_svm_range_split(struct drm_svm_mirror *mirror, unsigned long addr);
bool drm_svm_range_account_migration(struct drm_svm_mirror *mirror,
				     struct drm_svm_range *range);
bool drm_svm_range_thrashing(struct drm_svm_mirror *mirror,
			     const struct drm_svm_range *range);
void drm_svm_mirror_gc_flush(struct drm_svm_mirror *mirror);
int drm_svm_mirror_make_exclusive(struct drm_svm_mirror *mirror,
				  unsigned long start, unsigned long end,
				  drm_svm_mirror_update_t update, void *arg);

#endif /* __DRM_SVM_MIRROR_H__ */
