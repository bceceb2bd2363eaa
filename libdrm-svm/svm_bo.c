// SPDX-License-Identifier: MIT
/*
 * Copyright © 2026 The drm-svm authors
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>

#include <xf86drm.h>
#include <vsvm_drm.h>

#include "svm_priv.h"

svm_public int svm_bo_create(struct svm_device *dev, uint64_t size,
			     uint32_t placements, uint32_t preferred,
			     uint32_t flags, uint32_t *handle)
{
	struct drm_vsvm_gem_create c = {
		.size = size,
		.placements = placements,
		.preferred = preferred,
		.flags = flags,
	};
	int ret;

	if (!dev || !handle)
		return -EINVAL;
	ret = svm_ioctl(dev->fd, DRM_IOCTL_VSVM_GEM_CREATE, &c);
	if (!ret)
		*handle = c.handle;
	return ret;
}

svm_public int svm_bo_destroy(struct svm_device *dev, uint32_t handle)
{
	struct drm_gem_close c = { .handle = handle };

	if (!dev)
		return -EINVAL;
	return svm_ioctl(dev->fd, DRM_IOCTL_GEM_CLOSE, &c);
}

svm_public int svm_bo_map(struct svm_device *dev, uint32_t handle,
			  uint64_t size, void **ptr)
{
	struct drm_vsvm_gem_mmap_offset m = { .handle = handle };
	void *p;
	int ret;

	if (!dev || !ptr || !size)
		return -EINVAL;
	ret = svm_ioctl(dev->fd, DRM_IOCTL_VSVM_GEM_MMAP_OFFSET, &m);
	if (ret)
		return ret;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, dev->fd,
		 m.offset);
	if (p == MAP_FAILED)
		return -errno;
	*ptr = p;
	return 0;
}

svm_public int svm_bo_migrate(struct svm_device *dev, uint32_t handle,
			      uint64_t offset, uint64_t size,
			      uint32_t placement, uint32_t flags)
{
	struct drm_vsvm_gem_migrate m = {
		.handle = handle,
		.placement = placement,
		.offset = offset,
		.size = size,
		.flags = flags,
	};

	if (!dev)
		return -EINVAL;
	return svm_ioctl(dev->fd, DRM_IOCTL_VSVM_GEM_MIGRATE, &m);
}

svm_public int svm_bo_residency(struct svm_device *dev, uint32_t handle,
				struct drm_vsvm_chunk_state *chunks,
				uint32_t count, uint32_t *nchunks,
				uint64_t *chunk_size)
{
	struct drm_vsvm_gem_residency r = {
		.handle = handle,
		.count = count,
		.chunks = (uintptr_t)chunks,
	};
	int ret;

	if (!dev || (count && !chunks))
		return -EINVAL;
	ret = svm_ioctl(dev->fd, DRM_IOCTL_VSVM_GEM_RESIDENCY, &r);
	if (ret)
		return ret;
	if (nchunks)
		*nchunks = r.nchunks;
	if (chunk_size)
		*chunk_size = r.chunk_size;
	return 0;
}

static int svm_bo_access(struct svm_device *dev, uint32_t handle, uint32_t op,
			 uint64_t offset, void *buf, uint64_t size,
			 uint32_t value)
{
	struct drm_vsvm_gem_access a = {
		.handle = handle,
		.op = op,
		.offset = offset,
		.size = size,
		.data = (uintptr_t)buf,
		.value = value,
	};

	if (!dev || (op != DRM_VSVM_ACCESS_FILL && !buf))
		return -EINVAL;
	return svm_ioctl(dev->fd, DRM_IOCTL_VSVM_GEM_ACCESS, &a);
}

svm_public int svm_bo_device_read(struct svm_device *dev, uint32_t handle,
				  uint64_t offset, void *buf, uint64_t size)
{
	return svm_bo_access(dev, handle, DRM_VSVM_ACCESS_READ, offset, buf,
			     size, 0);
}

svm_public int svm_bo_device_write(struct svm_device *dev, uint32_t handle,
				   uint64_t offset, const void *buf,
				   uint64_t size)
{
	return svm_bo_access(dev, handle, DRM_VSVM_ACCESS_WRITE, offset,
			     (void *)buf, size, 0);
}

svm_public int svm_bo_device_fill(struct svm_device *dev, uint32_t handle,
				  uint64_t offset, uint64_t size,
				  uint32_t value)
{
	return svm_bo_access(dev, handle, DRM_VSVM_ACCESS_FILL, offset, NULL,
			     size, value);
}
