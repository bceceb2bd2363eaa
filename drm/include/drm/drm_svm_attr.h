/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Copyright © 2026 The drm-svm authors
 */
#ifndef __DRM_SVM_ATTR_H__
#define __DRM_SVM_ATTR_H__

#include <linux/maple_tree.h>
#include <linux/mutex.h>
#include <linux/types.h>

/**
 * enum drm_svm_attr_kind - the attributes a span of address space carries
 * @DRM_SVM_ATTR_PREFERRED_LOC: where device faults put the data, an
 *	&enum drm_svm_loc
 * @DRM_SVM_ATTR_ACCESSED_BY: 1: the device accesses the span remotely,
 *	device faults never migrate it; 0: no such hint
 * @DRM_SVM_ATTR_READ_MOSTLY: 1: device reads map the pages in place,
 *	read-only; writes follow the preferred location; 0: no such hint
 * @DRM_SVM_ATTR_ATOMIC: how device atomics on pages outside the device's
 *	memory are served, an &enum drm_svm_atomic
 * @DRM_SVM_ATTR_COUNT: number of attribute kinds
 */
enum drm_svm_attr_kind {
	DRM_SVM_ATTR_PREFERRED_LOC,
	DRM_SVM_ATTR_ACCESSED_BY,
	DRM_SVM_ATTR_READ_MOSTLY,
	DRM_SVM_ATTR_ATOMIC,
	DRM_SVM_ATTR_COUNT,
};

/**
 * enum drm_svm_loc - preferred location of a span
 * @DRM_SVM_LOC_DEFAULT: map the pages wherever they are
 * @DRM_SVM_LOC_SYSTEM: bring pages in device memory back to system memory
 * @DRM_SVM_LOC_DEVICE: migrate into the faulting device's memory
 */
enum drm_svm_loc {
	DRM_SVM_LOC_DEFAULT,
	DRM_SVM_LOC_SYSTEM,
	DRM_SVM_LOC_DEVICE,
};

/**
 * enum drm_svm_atomic - how device atomics on pages not in device memory go
 * @DRM_SVM_ATOMIC_DEFAULT: migrate when the preferred location is the
 *	device, device-exclusive entries otherwise
 * @DRM_SVM_ATOMIC_DEVICE: migrate into device memory
 * @DRM_SVM_ATOMIC_EXCLUSIVE: device-exclusive entries: the pages stay, the
 *	CPU loses access until it touches them again
 */
enum drm_svm_atomic {
	DRM_SVM_ATOMIC_DEFAULT,
	DRM_SVM_ATOMIC_DEVICE,
	DRM_SVM_ATOMIC_EXCLUSIVE,
};

/**
 * struct drm_svm_attr - the attributes at one address
 */
struct drm_svm_attr {
	/** @preferred_loc: &enum drm_svm_loc. */
	enum drm_svm_loc preferred_loc;
	/** @atomic: &enum drm_svm_atomic. */
	enum drm_svm_atomic atomic;
	/** @accessed_by: the device accesses the span remotely. */
	bool accessed_by;
	/** @read_mostly: device reads map in place, read-only. */
	bool read_mostly;
};

/**
 * struct drm_svm_attrs - attributes of an address space, by address
 *
 * A maple tree of value entries over user addresses; an address without
 * an entry has every attribute at its default (the zero value). Neighbours
 * with equal attributes are not merged: the tree holds as many pieces as
 * the updates made, which are bounded by what the process asked for.
 */
struct drm_svm_attrs {
	/** @tree: packed attributes by address, RCU-safe lookups. */
	struct maple_tree tree;
	/** @lock: serialises updates (read-modify-write of pieces). */
	struct mutex lock;
};

void drm_svm_attrs_init(struct drm_svm_attrs *attrs);
void drm_svm_attrs_fini(struct drm_svm_attrs *attrs);
int drm_svm_attrs_set(struct drm_svm_attrs *attrs, unsigned long start,
		      unsigned long end, enum drm_svm_attr_kind kind,
		      u32 value);
void drm_svm_attrs_get(struct drm_svm_attrs *attrs, unsigned long addr,
		       struct drm_svm_attr *attr, unsigned long *lo,
		       unsigned long *hi);

#endif /* __DRM_SVM_ATTR_H__ */
