// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright © 2026 The drm-svm authors
 */

#include <linux/overflow.h>
#include <linux/sizes.h>
#include <linux/uaccess.h>

#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_syncobj.h>
#include <drm/drm_vma_manager.h>
#include <drm/vsvm_drm.h>

#include "vsvm_drv.h"

/**
 * vsvm_get_param_ioctl() - DRM_IOCTL_VSVM_GET_PARAM
 * @drm: the device
 * @data: &struct drm_vsvm_get_param
 * @file: the client
 *
 * Return: 0 on success, -EINVAL for an unknown parameter or non-zero pad.
 */
int vsvm_get_param_ioctl(struct drm_device *drm, void *data,
			 struct drm_file *file)
{
	struct vsvm_device *vdev = to_vsvm(drm);
	struct drm_vsvm_get_param *args = data;

	if (args->pad)
		return -EINVAL;

	switch (args->param) {
	case DRM_VSVM_PARAM_UAPI_VERSION:
		args->value = (DRM_VSVM_UAPI_MAJOR << 16) | DRM_VSVM_UAPI_MINOR;
		break;
	case DRM_VSVM_PARAM_VRAM_SIZE:
		args->value = vdev->cfg.vram_size;
		break;
	case DRM_VSVM_PARAM_VISIBLE_VRAM_SIZE:
		args->value = vdev->cfg.visible_vram_size;
		break;
	case DRM_VSVM_PARAM_GTT_SIZE:
		args->value = vdev->cfg.gtt_size;
		break;
	case DRM_VSVM_PARAM_NUM_COPY_ENGINES:
		args->value = vdev->cfg.num_copy_engines;
		break;
	case DRM_VSVM_PARAM_PAGE_SIZES:
		args->value = vdev->cfg.page_sizes;
		break;
	case DRM_VSVM_PARAM_VRAM_USED:
		args->value = drm_svm_vram_used(&vdev->vram);
		break;
	case DRM_VSVM_PARAM_GTT_USED:
		args->value = atomic64_read(&vdev->svm.gtt_used);
		break;
	case DRM_VSVM_PARAM_CAPS:
		/* Every instance mirrors, has a device-private pagemap of its
		 * VRAM (probe fails without) and a compute engine.
		 */
		args->value = DRM_VSVM_CAP_MIRROR |
			DRM_VSVM_CAP_DEVICE_PRIVATE | DRM_VSVM_CAP_COMPUTE;
		if (drm_svm_pagemap_has_thp(&vdev->devmem))
			args->value |= DRM_VSVM_CAP_DEVICE_THP;
		break;
	case DRM_VSVM_PARAM_NUM_COMPUTE_ENGINES:
		args->value = 1;
		break;
	case DRM_VSVM_PARAM_SYSTEM_SIZE:
		args->value = vdev->svm.system_limit;
		break;
	case DRM_VSVM_PARAM_SYSTEM_USED:
		args->value = atomic64_read(&vdev->svm.system_used);
		break;
	default:
		return -EINVAL;
	}
	return 0;
}

/* uAPI and helper placements and flags are the same numbers. */
static_assert(DRM_SVM_PL_SYSTEM == DRM_VSVM_PL_SYSTEM);
static_assert(DRM_SVM_PL_GTT == DRM_VSVM_PL_GTT);
static_assert(DRM_SVM_PL_VRAM == DRM_VSVM_PL_VRAM);
static_assert(DRM_SVM_BO_CPU_MIGRATE_SYSTEM == DRM_VSVM_GEM_CPU_MIGRATE_SYSTEM);
static_assert(DRM_SVM_BO_CPU_PREFER_VISIBLE == DRM_VSVM_GEM_CPU_PREFER_VISIBLE);

static u32 vsvm_chunk_flags(const struct drm_svm_chunk_info *info)
{
	return (info->populated ? DRM_VSVM_CHUNK_POPULATED : 0) |
		(info->visible ? DRM_VSVM_CHUNK_VISIBLE : 0) |
		(info->busy ? DRM_VSVM_CHUNK_BUSY : 0);
}

static struct drm_svm_bo *vsvm_lookup(struct drm_file *file, u32 handle)
{
	struct drm_gem_object *obj = drm_gem_object_lookup(file, handle);

	return obj ? to_drm_svm_bo(obj) : NULL;
}

/**
 * vsvm_gem_create_ioctl() - DRM_IOCTL_VSVM_GEM_CREATE
 * @drm: the device
 * @data: &struct drm_vsvm_gem_create
 * @file: the client
 *
 * Return: 0, -EINVAL for bad sizes, placements, flags or pad, -E2BIG for
 * an object larger than its placements can hold or of more than 2^20
 * chunks, -ENOMEM.
 */
int vsvm_gem_create_ioctl(struct drm_device *drm, void *data,
			  struct drm_file *file)
{
	struct vsvm_device *vdev = to_vsvm(drm);
	struct drm_vsvm_gem_create *args = data;
	struct drm_svm_bo_params params = {
		.allowed = args->placements,
		.preferred = args->preferred,
		.flags = args->flags,
		.chunk_shift = args->chunk_shift,
	};
	struct drm_svm_bo *bo;
	u32 handle;
	int ret;

	if (args->pad)
		return -EINVAL;
	if (args->chunk_shift > 30)
		return -EINVAL;

	bo = drm_svm_bo_create(&vdev->svm, args->size, &params);
	if (IS_ERR(bo))
		return PTR_ERR(bo);
	ret = drm_gem_handle_create(file, &bo->base, &handle);
	drm_gem_object_put(&bo->base);
	if (ret)
		return ret;
	args->handle = handle;
	return 0;
}

/**
 * vsvm_gem_mmap_offset_ioctl() - DRM_IOCTL_VSVM_GEM_MMAP_OFFSET
 * @drm: the device
 * @data: &struct drm_vsvm_gem_mmap_offset
 * @file: the client
 *
 * Return: 0, -EINVAL for flags, -ENOENT for a bad handle.
 */
int vsvm_gem_mmap_offset_ioctl(struct drm_device *drm, void *data,
			       struct drm_file *file)
{
	struct drm_vsvm_gem_mmap_offset *args = data;
	struct drm_svm_bo *bo;

	if (args->flags)
		return -EINVAL;
	bo = vsvm_lookup(file, args->handle);
	if (!bo)
		return -ENOENT;
	args->offset = drm_vma_node_offset_addr(&bo->base.vma_node);
	drm_gem_object_put(&bo->base);
	return 0;
}

/**
 * vsvm_gem_migrate_ioctl() - DRM_IOCTL_VSVM_GEM_MIGRATE
 * @drm: the device
 * @data: &struct drm_vsvm_gem_migrate
 * @file: the client
 *
 * Return: 0, -EINVAL, -ENOENT (handle or syncobj), -EBUSY (pinned by a
 * static dma-buf importer), -ENOSPC, -ENOMEM, -ERESTARTSYS.
 */
int vsvm_gem_migrate_ioctl(struct drm_device *drm, void *data,
			   struct drm_file *file)
{
	struct drm_vsvm_gem_migrate *args = data;
	struct drm_syncobj *syncobj = NULL;
	struct dma_fence *fence = NULL;
	struct drm_svm_bo *bo;
	u32 flags = 0;
	int ret;

	if (args->flags & ~(DRM_VSVM_MIGRATE_ASYNC | DRM_VSVM_MIGRATE_VISIBLE))
		return -EINVAL;
	if (args->flags & DRM_VSVM_MIGRATE_VISIBLE)
		flags |= DRM_SVM_MIGRATE_VISIBLE;
	bo = vsvm_lookup(file, args->handle);
	if (!bo)
		return -ENOENT;
	if (args->out_syncobj) {
		syncobj = drm_syncobj_find(file, args->out_syncobj);
		if (!syncobj) {
			ret = -ENOENT;
			goto out_put;
		}
	}

	ret = drm_svm_bo_migrate(bo, args->offset, args->size, args->placement,
				 flags, &fence);
	if (syncobj) {
		/* Even a failed request signals what it queued. */
		struct dma_fence *f = fence ?: dma_fence_get_stub();

		drm_syncobj_replace_fence(syncobj, f);
		if (!fence)
			dma_fence_put(f);
	}
	if (!ret && fence && !(args->flags & DRM_VSVM_MIGRATE_ASYNC)) {
		long t = dma_fence_wait(fence, true);

		ret = t < 0 ? t : 0;
	}
	dma_fence_put(fence);
	if (syncobj)
		drm_syncobj_put(syncobj);
out_put:
	drm_gem_object_put(&bo->base);
	return ret;
}

/**
 * vsvm_gem_residency_ioctl() - DRM_IOCTL_VSVM_GEM_RESIDENCY
 * @drm: the device
 * @data: &struct drm_vsvm_gem_residency
 * @file: the client
 *
 * Return: 0, -EINVAL (pad), -ENOENT, -EFAULT, -ENOMEM.
 */
int vsvm_gem_residency_ioctl(struct drm_device *drm, void *data,
			     struct drm_file *file)
{
	struct drm_vsvm_gem_residency *args = data;
	struct drm_vsvm_chunk_state __user *out = u64_to_user_ptr(args->chunks);
	struct drm_svm_chunk_info *info = NULL;
	struct drm_vsvm_chunk_state st;
	struct drm_svm_bo *bo;
	unsigned long n, i;
	int ret = 0;

	if (args->pad)
		return -EINVAL;
	bo = vsvm_lookup(file, args->handle);
	if (!bo)
		return -ENOENT;
	n = min_t(unsigned long, args->count, bo->nchunks);
	if (n) {
		info = kvcalloc(n, sizeof(*info), GFP_KERNEL);
		ret = info ? drm_svm_bo_residency(bo, 0, n, info) : -ENOMEM;
	}
	/* Copied out without any lock: the user buffer may be our mmap. */
	for (i = 0; !ret && i < n; i++) {
		st.placement = info[i].placement;
		st.flags = vsvm_chunk_flags(&info[i]);
		if (copy_to_user(&out[i], &st, sizeof(st)))
			ret = -EFAULT;
	}
	args->chunk_size = drm_svm_bo_chunk_size(bo);
	args->nchunks = bo->nchunks;
	kvfree(info);
	drm_gem_object_put(&bo->base);
	return ret;
}

#define VSVM_BOUNCE_SIZE	SZ_1M

/**
 * vsvm_gem_access_ioctl() - DRM_IOCTL_VSVM_GEM_ACCESS
 * @drm: the device
 * @data: &struct drm_vsvm_gem_access
 * @file: the client
 *
 * A test-only ioctl (vsvm_test_ioctl_allowed()).
 *
 * Return: 0, -EPERM, -EINVAL, -ENOENT, -EFAULT, -ENOSPC, -ENOMEM,
 * -ERESTARTSYS.
 */
int vsvm_gem_access_ioctl(struct drm_device *drm, void *data,
			  struct drm_file *file)
{
	struct drm_vsvm_gem_access *args = data;
	void __user *user = u64_to_user_ptr(args->data);
	struct drm_svm_bo *bo;
	u64 done = 0, end;
	void *bounce;
	int ret = 0;

	if (!vsvm_test_ioctl_allowed())
		return -EPERM;
	if (args->flags || args->op > DRM_VSVM_ACCESS_FILL || !args->size ||
	    check_add_overflow(args->offset, args->size, &end))
		return -EINVAL;
	if (args->op == DRM_VSVM_ACCESS_FILL ? args->data : args->value)
		return -EINVAL;
	bo = vsvm_lookup(file, args->handle);
	if (!bo)
		return -ENOENT;
	if (end > bo->base.size) {
		ret = -EINVAL;
		goto out_put;
	}
	if (args->op == DRM_VSVM_ACCESS_FILL) {
		ret = drm_svm_bo_fill(bo, args->offset, args->size, args->value);
		goto out_put;
	}

	/* User memory is only touched without the object lock held. */
	bounce = kvmalloc(min_t(u64, args->size, VSVM_BOUNCE_SIZE), GFP_KERNEL);
	if (!bounce) {
		ret = -ENOMEM;
		goto out_put;
	}
	while (!ret && done < args->size) {
		size_t n = min_t(u64, args->size - done, VSVM_BOUNCE_SIZE);

		if (args->op == DRM_VSVM_ACCESS_WRITE) {
			if (copy_from_user(bounce, user + done, n)) {
				ret = -EFAULT;
				break;
			}
			ret = drm_svm_bo_access(bo, args->offset + done, bounce,
						n, true);
		} else {
			ret = drm_svm_bo_access(bo, args->offset + done, bounce,
						n, false);
			if (!ret && copy_to_user(user + done, bounce, n))
				ret = -EFAULT;
		}
		done += n;
	}
	kvfree(bounce);
out_put:
	drm_gem_object_put(&bo->base);
	return ret;
}
