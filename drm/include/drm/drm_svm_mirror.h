/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Copyright © 2026 The drm-svm authors
 */
#ifndef __DRM_SVM_MIRROR_H__
#define __DRM_SVM_MIRROR_H__

#include <linux/list.h>
#include <linux/mmu_notifier.h>
#include <linux/mutex.h>
#include <linux/types.h>

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

#endif /* __DRM_SVM_MIRROR_H__ */
