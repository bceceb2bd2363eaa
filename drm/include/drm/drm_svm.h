/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Copyright © 2026 The drm-svm authors
 */
#ifndef __DRM_SVM_H__
#define __DRM_SVM_H__

#include <linux/gpu_buddy.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/types.h>

struct drm_printer;

/**
 * DRM_SVM_VERSION - version of the drm_svm helper, (major << 16) | minor
 */
#define DRM_SVM_VERSION		((1 << 16) | 0)

/*
 * Allocation flags for drm_svm_vram_alloc().
 */
/** DRM_SVM_VRAM_VISIBLE - allocate only from the CPU-visible part of VRAM */
#define DRM_SVM_VRAM_VISIBLE	BIT(0)
/** DRM_SVM_VRAM_CONTIGUOUS - allocate one physically contiguous range */
#define DRM_SVM_VRAM_CONTIGUOUS	BIT(1)
/** DRM_SVM_VRAM_TOPDOWN - prefer the top of VRAM (keeps the BAR free) */
#define DRM_SVM_VRAM_TOPDOWN	BIT(2)
#define DRM_SVM_VRAM_FLAGS	(DRM_SVM_VRAM_VISIBLE | \
				 DRM_SVM_VRAM_CONTIGUOUS | \
				 DRM_SVM_VRAM_TOPDOWN)

/**
 * struct drm_svm_vram - device memory (VRAM) manager
 *
 * A buddy allocator over the device memory of one device, shared later by
 * GEM objects and SVM ranges so that both compete for the same pool. The
 * first @visible_size bytes are CPU-visible through the BAR aperture; the
 * rest is CPU-invisible (small-BAR configurations).
 *
 * All members are protected by @lock; read them through the accessors.
 */
struct drm_svm_vram {
	/** @mm: the buddy allocator. */
	struct gpu_buddy mm;
	/** @lock: protects @mm, @used and @visible_used. */
	struct mutex lock;
	/** @size: total size in bytes. */
	u64 size;
	/** @visible_size: size of the CPU-visible part in bytes. */
	u64 visible_size;
	/** @chunk_size: smallest allocation unit in bytes. */
	u64 chunk_size;
	/** @used: bytes allocated. */
	u64 used;
	/** @visible_used: bytes allocated below @visible_size. */
	u64 visible_used;
};

int drm_svm_vram_init(struct drm_svm_vram *vram, u64 size, u64 visible_size,
		      u64 chunk_size);
void drm_svm_vram_fini(struct drm_svm_vram *vram);
int drm_svm_vram_alloc(struct drm_svm_vram *vram, u64 size, u64 min_page_size,
		       unsigned int flags, struct list_head *blocks);
void drm_svm_vram_free(struct drm_svm_vram *vram, struct list_head *blocks);
u64 drm_svm_vram_used(struct drm_svm_vram *vram);
u64 drm_svm_vram_visible_used(struct drm_svm_vram *vram);
void drm_svm_vram_print(struct drm_svm_vram *vram, struct drm_printer *p);

#endif /* __DRM_SVM_H__ */
