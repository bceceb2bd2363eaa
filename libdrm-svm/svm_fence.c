// SPDX-License-Identifier: MIT
/*
 * Copyright © 2026 The drm-svm authors
 */

/*
 * Fences and command submission. A fence is the set of DRM syncobjs of the
 * pieces of one operation (a prefetch over managed and system memory takes
 * one ioctl per piece); it is done when all of them are. It exports as one
 * sync_file (the pieces merged) or one new syncobj holding that.
 */

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <linux/sync_file.h>
#include <xf86drm.h>
#include <vsvm_drm.h>

#include "svm_priv.h"

int svm_fence_new(struct svm_device *dev, uint32_t count,
		  struct svm_fence **out)
{
	struct svm_fence *f;

	f = calloc(1, sizeof(*f) + count * sizeof(f->syncobjs[0]));
	if (!f)
		return -ENOMEM;
	f->dev = svm_device_ref(dev);
	f->count = count;
	*out = f;
	return 0;
}

svm_public void svm_fence_destroy(struct svm_fence *fence)
{
	uint32_t i;

	if (!fence)
		return;
	for (i = 0; i < fence->count; i++)
		drmSyncobjDestroy(fence->dev->fd, fence->syncobjs[i]);
	svm_device_unref(fence->dev);
	free(fence);
}

static int64_t svm_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

/* One sync_file of all pieces (-1 and 0 when there are none). */
static int svm_fence_merged_fd(struct svm_fence *fence, int *out)
{
	int fd = -1, ret;
	uint32_t i;

	for (i = 0; i < fence->count; i++) {
		struct sync_merge_data m = { .name = "svm_fence" };
		int piece;

		ret = drmSyncobjExportSyncFile(fence->dev->fd,
					       fence->syncobjs[i], &piece);
		if (ret)
			goto err;
		if (fd < 0) {
			fd = piece;
			continue;
		}
		m.fd2 = piece;
		ret = ioctl(fd, SYNC_IOC_MERGE, &m) ? -errno : 0;
		close(piece);
		if (ret)
			goto err;
		close(fd);
		fd = m.fence;
	}
	*out = fd;
	return 0;
err:
	if (fd >= 0)
		close(fd);
	return ret < 0 ? ret : -EINVAL;
}

/* The error the operation ended with: 0, or -errno of a failed piece. */
static int svm_fence_status(struct svm_fence *fence)
{
	struct sync_file_info info = { 0 };
	int fd, ret;

	ret = svm_fence_merged_fd(fence, &fd);
	if (ret || fd < 0)
		return ret;
	ret = ioctl(fd, SYNC_IOC_FILE_INFO, &info) ? -errno : info.status;
	close(fd);
	/* status: 1 signalled, 0 active, < 0 the first error. */
	return ret == 1 ? 0 : ret == 0 ? -EBUSY : ret;
}

svm_public int svm_fence_wait(struct svm_fence *fence, int64_t timeout_ns)
{
	int64_t deadline;
	int ret;

	if (!fence || timeout_ns < 0)
		return -EINVAL;
	if (!fence->count)
		return 0;
	deadline = timeout_ns > INT64_MAX - svm_now_ns() ? INT64_MAX :
		svm_now_ns() + timeout_ns;
	ret = drmSyncobjWait(fence->dev->fd, fence->syncobjs, fence->count,
			     deadline, DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL, NULL);
	if (ret)
		return ret == -ETIME ? -ETIMEDOUT : ret;
	return svm_fence_status(fence);
}

svm_public int svm_fence_poll(struct svm_fence *fence)
{
	if (!fence)
		return -EINVAL;
	return fence->count ? svm_fence_status(fence) : 0;
}

svm_public int svm_fence_export_sync_file(struct svm_fence *fence, int *fd)
{
	struct drm_syncobj_create c = { .flags = DRM_SYNCOBJ_CREATE_SIGNALED };
	int ret;

	if (!fence || !fd)
		return -EINVAL;
	if (fence->count)
		return svm_fence_merged_fd(fence, fd);
	/* Nothing to wait for: an already signalled fence. */
	ret = svm_ioctl(fence->dev->fd, DRM_IOCTL_SYNCOBJ_CREATE, &c);
	if (ret)
		return ret;
	ret = drmSyncobjExportSyncFile(fence->dev->fd, c.handle, fd);
	drmSyncobjDestroy(fence->dev->fd, c.handle);
	return ret;
}

svm_public int svm_fence_export_syncobj(struct svm_fence *fence,
					uint32_t *handle)
{
	uint32_t h;
	int fd, ret;

	if (!fence || !handle)
		return -EINVAL;
	ret = svm_fence_export_sync_file(fence, &fd);
	if (ret)
		return ret;
	ret = drmSyncobjCreate(fence->dev->fd, 0, &h);
	if (!ret) {
		ret = drmSyncobjImportSyncFile(fence->dev->fd, h, fd);
		if (ret)
			drmSyncobjDestroy(fence->dev->fd, h);
		else
			*handle = h;
	}
	close(fd);
	return ret;
}

svm_public int svm_fence_import_sync_file(struct svm_device *dev, int fd,
					  struct svm_fence **fence)
{
	struct svm_fence *f;
	int ret;

	if (!dev || fd < 0 || !fence)
		return -EINVAL;
	ret = svm_fence_new(dev, 1, &f);
	if (ret)
		return ret;
	ret = drmSyncobjCreate(dev->fd, 0, &f->syncobjs[0]);
	if (ret) {
		f->count = 0;
		goto err;
	}
	ret = drmSyncobjImportSyncFile(dev->fd, f->syncobjs[0], fd);
	if (ret)
		goto err;
	*fence = f;
	return 0;
err:
	svm_fence_destroy(f);
	return ret;
}

svm_public int svm_fence_import_syncobj(struct svm_device *dev,
					uint32_t handle, struct svm_fence **fence)
{
	int fd, ret;

	if (!dev || !handle || !fence)
		return -EINVAL;
	/* A snapshot of the syncobj's current fence. */
	ret = drmSyncobjExportSyncFile(dev->fd, handle, &fd);
	if (ret)
		return ret;
	ret = svm_fence_import_sync_file(dev, fd, fence);
	close(fd);
	return ret;
}

svm_public int svm_exec(struct svm_device *dev,
			const struct drm_vsvm_cmd *cmds, uint32_t count,
			struct svm_fence *const *wait, uint32_t num_wait,
			struct svm_fence **fence)
{
	struct drm_vsvm_exec e = { 0 };
	struct svm_fence *out = NULL;
	uint32_t *in = NULL, nin = 0, i, j;
	int ret;

	if (!dev || !cmds || !count || count > DRM_VSVM_EXEC_MAX_CMDS ||
	    (num_wait && !wait))
		return -EINVAL;
	for (i = 0; i < num_wait; i++) {
		if (!wait[i] || wait[i]->dev->fd != dev->fd)
			return -EINVAL;
		nin += wait[i]->count;
	}
	if (nin > DRM_VSVM_EXEC_MAX_SYNCS)
		return -E2BIG;
	ret = svm_device_vm(dev, &e.vm_id);
	if (ret)
		return ret;
	if (nin) {
		in = calloc(nin, sizeof(*in));
		if (!in)
			return -ENOMEM;
		for (nin = 0, i = 0; i < num_wait; i++)
			for (j = 0; j < wait[i]->count; j++)
				in[nin++] = wait[i]->syncobjs[j];
	}
	ret = svm_fence_new(dev, 1, &out);
	if (ret)
		goto out;
	ret = drmSyncobjCreate(dev->fd, 0, &out->syncobjs[0]);
	if (ret) {
		out->count = 0;
		goto out;
	}
	e.out_syncobj = out->syncobjs[0];
	e.cmds = (uintptr_t)cmds;
	e.cmds_size = (uint64_t)count * sizeof(*cmds);
	e.in_syncobjs = (uintptr_t)in;
	e.num_in_syncobjs = nin;
	ret = svm_ioctl(dev->fd, DRM_IOCTL_VSVM_EXEC, &e);
	if (ret)
		goto out;
	if (fence) {
		*fence = out;
		out = NULL;
	} else {
		/* Synchronous: the job's own error is the result. */
		ret = svm_fence_wait(out, INT64_MAX);
	}
out:
	svm_fence_destroy(out);
	free(in);
	return ret;
}
