/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Copyright © 2026 The drm-svm authors
 */
#ifndef __VSVM_DRV_H__
#define __VSVM_DRV_H__

#include <linux/platform_device.h>

#include <drm/drm_device.h>
#include <drm/drm_svm.h>

#define VSVM_DRIVER_NAME	"vsvm"

/**
 * struct vsvm_config - simulated hardware configuration
 *
 * Filled from the module parameters at load time and constant afterwards.
 */
struct vsvm_config {
	/** @vram_size: bytes of simulated device memory. */
	u64 vram_size;
	/** @visible_vram_size: bytes of it reachable through the BAR. */
	u64 visible_vram_size;
	/** @gtt_size: bytes of GART aperture. */
	u64 gtt_size;
	/** @num_copy_engines: number of copy engines. */
	u32 num_copy_engines;
	/** @page_sizes: bit mask of device MMU page sizes. */
	u64 page_sizes;
};

/**
 * struct vsvm_device - one instance of the virtual SVM GPU
 */
struct vsvm_device {
	/** @drm: the DRM device; its lifetime is the lifetime of this struct. */
	struct drm_device drm;
	/** @pdev: the platform device the instance is bound to. */
	struct platform_device *pdev;
	/** @cfg: the simulated hardware configuration. */
	struct vsvm_config cfg;
	/** @vram: the device memory manager. */
	struct drm_svm_vram vram;
};

static inline struct vsvm_device *to_vsvm(struct drm_device *drm)
{
	return container_of(drm, struct vsvm_device, drm);
}

int vsvm_get_param_ioctl(struct drm_device *drm, void *data,
			 struct drm_file *file);

#endif /* __VSVM_DRV_H__ */
