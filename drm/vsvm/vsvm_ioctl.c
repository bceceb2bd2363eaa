// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright © 2026 The drm-svm authors
 */

#include <drm/drm_file.h>
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
	default:
		return -EINVAL;
	}
	return 0;
}
