/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Copyright © 2026 The drm-svm authors
 */
#ifndef __DRM_SVM_IMPORT_H__
#define __DRM_SVM_IMPORT_H__

#include <linux/types.h>

#include <drm/drm_svm_bo.h>

struct dma_buf;
struct drm_gem_object;

struct drm_gem_object *drm_svm_bo_import(struct drm_svm_device *sdev,
					 struct dma_buf *dmabuf);

/**
 * drm_svm_bo_is_import() - is @bo an imported dma-buf?
 * @bo: the object
 *
 * Return: true for an object made by drm_svm_bo_import().
 */
static inline bool drm_svm_bo_is_import(const struct drm_svm_bo *bo)
{
	return bo->import;
}

/* Internal to drm_svm.ko: the paths of drm_svm_bo.c for imported objects. */
int drm_svm_import_walk(struct drm_svm_bo *bo, u64 offset, u64 len,
			void (*fn)(void *vaddr, size_t n, void *arg),
			void *arg);
int drm_svm_import_residency(struct drm_svm_bo *bo, unsigned long first,
			     unsigned long count,
			     struct drm_svm_chunk_info *info);

#endif /* __DRM_SVM_IMPORT_H__ */
