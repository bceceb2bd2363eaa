/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Copyright © 2026 The drm-svm authors
 */
#ifndef __DRM_SVM_FAULT_H__
#define __DRM_SVM_FAULT_H__

#include <linux/bits.h>
#include <linux/types.h>

#include <drm/drm_svm_attr.h>

struct drm_svm_mirror;
struct drm_svm_pagemap;
struct drm_svm_policy;

/* drm_svm_fault() access kinds */
/** DRM_SVM_FAULT_WRITE - the device access that faulted writes */
#define DRM_SVM_FAULT_WRITE		BIT(0)
/** DRM_SVM_FAULT_ATOMIC - the device access that faulted is an atomic */
#define DRM_SVM_FAULT_ATOMIC		BIT(1)

/* &drm_svm_policy_ops.update flags */
/** DRM_SVM_UPDATE_READ_ONLY - map read-only even where the CPU may write */
#define DRM_SVM_UPDATE_READ_ONLY	BIT(0)
/**
 * DRM_SVM_UPDATE_EXCLUSIVE - the pages are device-exclusive entries of
 * system memory made for this device: map them for device atomics
 */
#define DRM_SVM_UPDATE_EXCLUSIVE	BIT(1)

/**
 * enum drm_svm_place - where a device fault puts a range before mapping it
 * @DRM_SVM_PLACE_IN_PLACE: map the pages wherever they are
 * @DRM_SVM_PLACE_DEVICE: migrate into the device's memory first (unless
 *	the thrash guard holds the range)
 * @DRM_SVM_PLACE_SYSTEM: bring pages in device memory back first
 */
enum drm_svm_place {
	DRM_SVM_PLACE_IN_PLACE,
	DRM_SVM_PLACE_DEVICE,
	DRM_SVM_PLACE_SYSTEM,
};

/**
 * struct drm_svm_policy_ops - driver callbacks of the fault policy
 */
struct drm_svm_policy_ops {
	/**
	 * @prepare: Allocate what @update will need to map [@start, @end)
	 * (page-table memory), so that @update does not have to allocate
	 * with reclaim. Called before the range is faulted, without the
	 * mirror lock or the mmap lock; may sleep. Optional.
	 */
	int (*prepare)(struct drm_svm_policy *policy, unsigned long start,
		       unsigned long end);
	/**
	 * @update: Write the device page-table entries of the @npages pages
	 * starting at @start from @pfns (hmm_pfns: HMM_PFN_VALID,
	 * HMM_PFN_WRITE, the map order) as @flags (DRM_SVM_UPDATE_*) allow.
	 * Called with &drm_svm_mirror.lock held (no allocation with reclaim)
	 * and the pages current. Return 0 or a negative errno that fails the
	 * fault. Mandatory.
	 */
	int (*update)(struct drm_svm_policy *policy, unsigned long start,
		      const unsigned long *pfns, unsigned long npages,
		      unsigned int flags);
	/**
	 * @placement: Override the placement drm_svm_fault() chose for the
	 * range [@start, @end) from its attributes @attr and the access kind
	 * @access (DRM_SVM_FAULT_*): return @place to keep it. Called without
	 * any lock held, only when the policy has a pagemap. Optional.
	 */
	enum drm_svm_place (*placement)(struct drm_svm_policy *policy,
					const struct drm_svm_attr *attr,
					unsigned int access,
					unsigned long start, unsigned long end,
					enum drm_svm_place place);
};

/**
 * struct drm_svm_policy - attributes and fault policy of one mirror
 *
 * Embedded by the driver next to its &struct drm_svm_mirror; set up with
 * drm_svm_policy_init() after the mirror and torn down with
 * drm_svm_policy_fini() after it. The fields are the helper's.
 */
struct drm_svm_policy {
	/** @mirror: the process mirror the policy faults through. */
	struct drm_svm_mirror *mirror;
	/**
	 * @pagemap: the device's memory, or NULL: without it every range is
	 * mapped in place.
	 */
	struct drm_svm_pagemap *pagemap;
	/** @ops: driver callbacks. */
	const struct drm_svm_policy_ops *ops;
	/** @attrs: the attributes the process set (drm_svm_madvise()). */
	struct drm_svm_attrs attrs;
};

int drm_svm_policy_init(struct drm_svm_policy *policy,
			struct drm_svm_mirror *mirror,
			struct drm_svm_pagemap *pagemap,
			const struct drm_svm_policy_ops *ops);
void drm_svm_policy_fini(struct drm_svm_policy *policy);
int drm_svm_madvise(struct drm_svm_policy *policy, unsigned long start,
		    unsigned long end, enum drm_svm_attr_kind kind, u32 value);
enum drm_svm_place drm_svm_placement(const struct drm_svm_attr *attr,
				     unsigned int access);
int drm_svm_fault(struct drm_svm_policy *policy, unsigned long start,
		  unsigned long end, unsigned int access);

#endif /* __DRM_SVM_FAULT_H__ */
