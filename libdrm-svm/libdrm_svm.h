/* SPDX-License-Identifier: MIT */
/*
 * Copyright © 2026 The drm-svm authors
 */
#ifndef LIBDRM_SVM_H
#define LIBDRM_SVM_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * DOC: libdrm-svm
 *
 * Userspace library for drm-svm devices (the vsvm reference driver and any
 * driver built on the drm_svm helper). Every call that can fail returns 0
 * or a negative errno value; svm_strerror() turns it into text. No call
 * keeps global state: everything lives in the device handle.
 */

/** Opaque, reference-counted device handle. */
struct svm_device;

/** Capability bits of &struct svm_device_info.caps (none defined yet). */
#define SVM_CAP_NONE 0ull

/**
 * struct svm_device_info - what svm_device_query() reports
 */
struct svm_device_info {
	uint32_t api_major;		/* uAPI version of the kernel driver */
	uint32_t api_minor;
	uint64_t vram_size;		/* bytes of device memory */
	uint64_t visible_vram_size;	/* bytes of it the CPU can map */
	uint64_t gtt_size;		/* bytes of GART aperture */
	uint64_t page_sizes;		/* bit n: 2^n-byte pages supported */
	uint64_t caps;			/* SVM_CAP_* */
	uint32_t num_copy_engines;
	uint32_t reserved0;
	char driver[32];		/* kernel driver name */
	char node[64];			/* device node path */
	uint64_t reserved[8];
};

int svm_device_open(const char *path, struct svm_device **out);
int svm_device_open_first(struct svm_device **out);
struct svm_device *svm_device_ref(struct svm_device *dev);
void svm_device_unref(struct svm_device *dev);
int svm_device_fd(const struct svm_device *dev);
int svm_device_query(struct svm_device *dev, struct svm_device_info *info);
int svm_device_get_param(struct svm_device *dev, uint32_t param,
			 uint64_t *value);
const char *svm_strerror(int err);

/*
 * GEM objects with per-chunk placements (SYSTEM, GTT, VRAM; see vsvm_drm.h
 * for the placement and flag values). All return 0 or -errno.
 */
struct drm_vsvm_chunk_state;

int svm_bo_create(struct svm_device *dev, uint64_t size, uint32_t placements,
		  uint32_t preferred, uint32_t flags, uint32_t *handle);
int svm_bo_destroy(struct svm_device *dev, uint32_t handle);
int svm_bo_map(struct svm_device *dev, uint32_t handle, uint64_t size,
	       void **ptr);
int svm_bo_migrate(struct svm_device *dev, uint32_t handle, uint64_t offset,
		   uint64_t size, uint32_t placement, uint32_t flags);
int svm_bo_residency(struct svm_device *dev, uint32_t handle,
		     struct drm_vsvm_chunk_state *chunks, uint32_t count,
		     uint32_t *nchunks, uint64_t *chunk_size);
int svm_bo_device_read(struct svm_device *dev, uint32_t handle,
		       uint64_t offset, void *buf, uint64_t size);
int svm_bo_device_write(struct svm_device *dev, uint32_t handle,
			uint64_t offset, const void *buf, uint64_t size);
int svm_bo_device_fill(struct svm_device *dev, uint32_t handle,
		       uint64_t offset, uint64_t size, uint32_t value);

#ifdef __cplusplus
}
#endif

#endif /* LIBDRM_SVM_H */
