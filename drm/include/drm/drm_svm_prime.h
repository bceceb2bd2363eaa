/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Copyright © 2026 The drm-svm authors
 */
#ifndef __DRM_SVM_PRIME_H__
#define __DRM_SVM_PRIME_H__

#include <linux/types.h>

struct dma_buf;
struct drm_device;
struct drm_gem_object;
struct drm_svm_bo;

struct dma_buf *drm_svm_prime_export(struct drm_gem_object *obj, int flags);
bool drm_svm_prime_is_export(const struct dma_buf *dmabuf);
struct drm_gem_object *drm_svm_prime_import_self(struct drm_device *dev,
						 struct dma_buf *dmabuf);
void drm_svm_prime_move_notify(struct drm_svm_bo *bo);

#endif /* __DRM_SVM_PRIME_H__ */
