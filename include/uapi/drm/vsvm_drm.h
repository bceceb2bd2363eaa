/* SPDX-License-Identifier: MIT */
/*
 * Copyright © 2026 The drm-svm authors
 */
#ifndef _UAPI_VSVM_DRM_H_
#define _UAPI_VSVM_DRM_H_

#include "drm.h"

#if defined(__cplusplus)
extern "C" {
#endif

/**
 * DOC: vsvm uAPI
 *
 * vsvm is the reference virtual SVM GPU of drm-svm. It exposes a render node
 * (driver name "vsvm"). Every ioctl structure is built from __u32/__u64
 * fields only, with explicit padding that must be zero. Unknown flags,
 * unknown parameters and non-zero padding are rejected with -EINVAL.
 *
 * The interface version is the DRM driver version reported by
 * DRM_IOCTL_VERSION (major.minor); it is also available as
 * %DRM_VSVM_PARAM_UAPI_VERSION. The minor number grows when ioctls or
 * parameters are added; the major number changes only for incompatible
 * changes.
 */

#define DRM_VSVM_UAPI_MAJOR	1
#define DRM_VSVM_UAPI_MINOR	0

#define DRM_VSVM_GET_PARAM	0x00

#define DRM_IOCTL_VSVM_GET_PARAM \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_VSVM_GET_PARAM, struct drm_vsvm_get_param)

/**
 * enum drm_vsvm_param - parameters readable with DRM_IOCTL_VSVM_GET_PARAM
 *
 * @DRM_VSVM_PARAM_UAPI_VERSION: (major << 16) | minor of this interface.
 * @DRM_VSVM_PARAM_VRAM_SIZE: size of the device memory (VRAM) in bytes.
 * @DRM_VSVM_PARAM_VISIBLE_VRAM_SIZE: size of the CPU-visible part of VRAM
 *	(the BAR aperture) in bytes; less than or equal to the VRAM size.
 * @DRM_VSVM_PARAM_GTT_SIZE: size of the GART (GTT) aperture in bytes.
 * @DRM_VSVM_PARAM_NUM_COPY_ENGINES: number of copy engines.
 * @DRM_VSVM_PARAM_PAGE_SIZES: bit mask of the page sizes the device MMU
 *	supports (bit n set: 2^n bytes); always includes 4 KiB.
 * @DRM_VSVM_PARAM_VRAM_USED: bytes of VRAM allocated right now.
 * @DRM_VSVM_PARAM_COUNT: number of parameters; not a parameter.
 */
enum drm_vsvm_param {
	DRM_VSVM_PARAM_UAPI_VERSION = 0,
	DRM_VSVM_PARAM_VRAM_SIZE = 1,
	DRM_VSVM_PARAM_VISIBLE_VRAM_SIZE = 2,
	DRM_VSVM_PARAM_GTT_SIZE = 3,
	DRM_VSVM_PARAM_NUM_COPY_ENGINES = 4,
	DRM_VSVM_PARAM_PAGE_SIZES = 5,
	DRM_VSVM_PARAM_VRAM_USED = 6,
	DRM_VSVM_PARAM_COUNT,
};

/**
 * struct drm_vsvm_get_param - argument of DRM_IOCTL_VSVM_GET_PARAM
 */
struct drm_vsvm_get_param {
	/** @param: in, one of &enum drm_vsvm_param. */
	__u32 param;
	/** @pad: must be zero. */
	__u32 pad;
	/** @value: out, the value of the parameter. */
	__u64 value;
};

#if defined(__cplusplus)
}
#endif

#endif /* _UAPI_VSVM_DRM_H_ */
