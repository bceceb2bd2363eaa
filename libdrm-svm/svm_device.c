// SPDX-License-Identifier: MIT
/*
 * Copyright © 2026 The drm-svm authors
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <xf86drm.h>
#include <vsvm_drm.h>

#include "svm_priv.h"

#define SVM_DRIVER_NAME "vsvm"

int svm_ioctl(int fd, unsigned long request, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, request, arg);
	} while (ret == -1 && (errno == EINTR || errno == EAGAIN));
	return ret == -1 ? -errno : 0;
}

/* The DRM driver name of an open node, or -errno. */
static int svm_driver_name(int fd, char *name, size_t len)
{
	char buf[32] = "";
	struct drm_version v = {
		.name = buf,
		.name_len = sizeof(buf) - 1,
	};
	int ret;

	ret = svm_ioctl(fd, DRM_IOCTL_VERSION, &v);
	if (ret)
		return ret;
	snprintf(name, len, "%s", buf);
	return 0;
}

svm_public int svm_device_open(const char *path, struct svm_device **out)
{
	struct svm_device *dev;
	char driver[32];
	int fd, ret;

	if (!path || !out)
		return -EINVAL;
	if (strlen(path) >= sizeof(dev->node))
		return -ENAMETOOLONG;

	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;

	ret = svm_driver_name(fd, driver, sizeof(driver));
	if (ret == -ENOTTY || ret == -EINVAL)
		ret = -ENODEV;	/* not a DRM node */
	if (!ret && strcmp(driver, SVM_DRIVER_NAME))
		ret = -ENODEV;	/* a DRM node of another driver */
	if (ret)
		goto err_close;

	dev = calloc(1, sizeof(*dev));
	if (!dev) {
		ret = -ENOMEM;
		goto err_close;
	}
	dev->refcount = 1;
	dev->fd = fd;
	dev->pid = getpid();
	pthread_mutex_init(&dev->lock, NULL);
	snprintf(dev->node, sizeof(dev->node), "%s", path);
	snprintf(dev->driver, sizeof(dev->driver), "%s", driver);
	*out = dev;
	return 0;

err_close:
	close(fd);
	return ret;
}

static int svm_node_cmp(const void *a, const void *b)
{
	return strcmp(*(char * const *)a, *(char * const *)b);
}

svm_public int svm_device_open_first(struct svm_device **out)
{
	char *names[DRM_MAX_MINOR * 2];
	int count = 0, ret = -ENODEV, i;
	struct dirent *de;
	DIR *dir;

	if (!out)
		return -EINVAL;
	dir = opendir(DRM_DIR_NAME);
	if (!dir)
		return -ENODEV;
	while ((de = readdir(dir)) && count < DRM_MAX_MINOR * 2) {
		if (strncmp(de->d_name, DRM_RENDER_MINOR_NAME,
			    strlen(DRM_RENDER_MINOR_NAME)))
			continue;
		if (asprintf(&names[count], "%s/%s", DRM_DIR_NAME,
			     de->d_name) < 0) {
			ret = -ENOMEM;
			break;
		}
		count++;
	}
	closedir(dir);
	qsort(names, count, sizeof(names[0]), svm_node_cmp);

	/* The first vsvm node wins; otherwise report why none opened. */
	for (i = 0; i < count && ret != -ENOMEM && ret != 0; i++) {
		int r = svm_device_open(names[i], out);

		if (!r || (r != -ENODEV && ret == -ENODEV))
			ret = r;
	}
	for (i = 0; i < count; i++)
		free(names[i]);
	return ret;
}

svm_public struct svm_device *svm_device_ref(struct svm_device *dev)
{
	if (dev)
		__atomic_add_fetch(&dev->refcount, 1, __ATOMIC_RELAXED);
	return dev;
}

svm_public void svm_device_unref(struct svm_device *dev)
{
	if (!dev || __atomic_sub_fetch(&dev->refcount, 1, __ATOMIC_ACQ_REL))
		return;
	/*
	 * Allocations still listed die with the fd: closing it releases the
	 * GEM handles and the VM; the mappings stay until munmap or exit.
	 */
	free(dev->allocs);
	pthread_mutex_destroy(&dev->lock);
	close(dev->fd);
	free(dev);
}

svm_public int svm_device_fd(const struct svm_device *dev)
{
	return dev ? dev->fd : -EINVAL;
}

svm_public int svm_device_get_param(struct svm_device *dev, uint32_t param,
				    uint64_t *value)
{
	struct drm_vsvm_get_param gp = { .param = param };
	int ret;

	if (!dev || !value)
		return -EINVAL;
	ret = svm_ioctl(dev->fd, DRM_IOCTL_VSVM_GET_PARAM, &gp);
	if (!ret)
		*value = gp.value;
	return ret;
}

svm_public int svm_device_query(struct svm_device *dev,
				struct svm_device_info *info)
{
	static const uint32_t params[] = {
		DRM_VSVM_PARAM_UAPI_VERSION, DRM_VSVM_PARAM_VRAM_SIZE,
		DRM_VSVM_PARAM_VISIBLE_VRAM_SIZE, DRM_VSVM_PARAM_GTT_SIZE,
		DRM_VSVM_PARAM_NUM_COPY_ENGINES, DRM_VSVM_PARAM_PAGE_SIZES,
		DRM_VSVM_PARAM_CAPS, DRM_VSVM_PARAM_NUM_COMPUTE_ENGINES,
	};
	uint64_t v[sizeof(params) / sizeof(params[0])];
	unsigned int i;
	int ret;

	if (!dev || !info)
		return -EINVAL;
	for (i = 0; i < sizeof(params) / sizeof(params[0]); i++) {
		ret = svm_device_get_param(dev, params[i], &v[i]);
		if (ret)
			return ret;
	}
	memset(info, 0, sizeof(*info));
	info->api_major = v[0] >> 16;
	info->api_minor = v[0] & 0xffff;
	info->vram_size = v[1];
	info->visible_vram_size = v[2];
	info->gtt_size = v[3];
	info->num_copy_engines = v[4];
	info->page_sizes = v[5];
	info->caps = (v[6] & DRM_VSVM_CAP_MIRROR ? SVM_CAP_MIRROR : 0) |
		(v[6] & DRM_VSVM_CAP_DEVICE_PRIVATE ? SVM_CAP_DEVICE_PRIVATE : 0) |
		(v[6] & DRM_VSVM_CAP_COMPUTE ? SVM_CAP_COMPUTE : 0) |
		(v[6] & DRM_VSVM_CAP_DEVICE_THP ? SVM_CAP_DEVICE_THP : 0);
	info->num_compute_engines = v[7];
	snprintf(info->driver, sizeof(info->driver), "%s", dev->driver);
	snprintf(info->node, sizeof(info->node), "%s", dev->node);
	return 0;
}

svm_public const char *svm_strerror(int err)
{
	const char *desc;

	switch (err) {
	case 0:
		return "Success";
	case -ENODEV:
		return "No drm-svm device";
	case -ENOSPC:
		return "Out of device memory";
	default:
		desc = strerrordesc_np(err < 0 ? -err : err);
		return desc ? desc : "Unknown error";
	}
}
