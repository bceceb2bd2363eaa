/* SPDX-License-Identifier: MIT */
/*
 * Copyright © 2026 The drm-svm authors
 */
#ifndef LIBDRM_SVM_H
#define LIBDRM_SVM_H

#include <stddef.h>
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

/*
 * Capability bits of &struct svm_device_info.caps.
 * SVM_CAP_MIRROR: the device mirrors the process address space: any CPU
 *	pointer (malloc, mmap, stack) is usable on the device, and
 *	svm_alloc(SVM_ALLOC_SYSTEM) works.
 * SVM_CAP_DEVICE_PRIVATE: mirrored memory can migrate into device memory
 *	(svm_prefetch and svm_advise on system-allocator memory).
 * SVM_CAP_COMPUTE: the device runs command buffers (svm_exec) in a VM and
 *	svm_alloc() memory is bound in it at its CPU address.
 * SVM_CAP_DEVICE_THP: device memory moves in 2 MiB folios (Linux 7.2 and
 *	later, never on 6.12).
 */
#define SVM_CAP_NONE		0ull
#define SVM_CAP_MIRROR		(1ull << 0)
#define SVM_CAP_DEVICE_PRIVATE	(1ull << 1)
#define SVM_CAP_COMPUTE		(1ull << 2)
#define SVM_CAP_DEVICE_THP	(1ull << 3)

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
	uint32_t num_compute_engines;
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

/*
 * Shared memory for runtimes: svm_alloc() returns a CPU pointer that is also
 * a valid device address. See docs/libdrm-svm.md for the full reference.
 */

/* svm_alloc() flags */
/** SVM_ALLOC_SYSTEM - plain anonymous memory mirrored through SVM */
#define SVM_ALLOC_SYSTEM		(1u << 0)
/** SVM_ALLOC_DEVICE - start in device memory (VRAM) */
#define SVM_ALLOC_DEVICE		(1u << 1)
/** SVM_ALLOC_DEVICE_READ_ONLY - the device may read but not write it */
#define SVM_ALLOC_DEVICE_READ_ONLY	(1u << 2)

/* Locations for svm_prefetch() and svm_advise() */
#define SVM_LOCATION_SYSTEM	0u
#define SVM_LOCATION_DEVICE	1u

/* svm_advise() advice */
/** SVM_ADVICE_PREFERRED_LOCATION - where device faults should put the data */
#define SVM_ADVICE_PREFERRED_LOCATION		1u
/** SVM_ADVICE_UNSET_PREFERRED_LOCATION - back to "wherever it is" */
#define SVM_ADVICE_UNSET_PREFERRED_LOCATION	2u
/** SVM_ADVICE_ACCESSED_BY - the device maps the data where it is */
#define SVM_ADVICE_ACCESSED_BY			3u
/** SVM_ADVICE_UNSET_ACCESSED_BY - drop SVM_ADVICE_ACCESSED_BY */
#define SVM_ADVICE_UNSET_ACCESSED_BY		4u
/** SVM_ADVICE_READ_MOSTLY - device reads never migrate the data */
#define SVM_ADVICE_READ_MOSTLY			5u
/** SVM_ADVICE_UNSET_READ_MOSTLY - drop SVM_ADVICE_READ_MOSTLY */
#define SVM_ADVICE_UNSET_READ_MOSTLY		6u
/** SVM_ADVICE_ATOMIC - device atomics: DEVICE migrates, SYSTEM stays */
#define SVM_ADVICE_ATOMIC			7u
/** SVM_ADVICE_UNSET_ATOMIC - default atomic policy */
#define SVM_ADVICE_UNSET_ATOMIC			8u
/** SVM_ADVICE_UNSET - every attribute back to its default */
#define SVM_ADVICE_UNSET			9u

/* svm_residency() per-page values */
#define SVM_RESIDENCY_NONE		0u	/* no memory behind the page yet */
#define SVM_RESIDENCY_SYSTEM		1u	/* system memory */
#define SVM_RESIDENCY_GTT		2u	/* system memory bound in the GART */
#define SVM_RESIDENCY_DEVICE		3u	/* this device's memory */
#define SVM_RESIDENCY_OTHER_DEVICE	4u	/* another device's memory */
#define SVM_RESIDENCY_UNMAPPED		5u	/* no mapping at that address */

/** Opaque fence: completion of an asynchronous operation. */
struct svm_fence;

int svm_alloc(struct svm_device *dev, size_t size, uint32_t flags,
	      void **ptr);
int svm_free(struct svm_device *dev, void *ptr);
int svm_device_vm(struct svm_device *dev, uint32_t *vm_id);
int svm_prefetch(struct svm_device *dev, const void *ptr, size_t size,
		 uint32_t location, struct svm_fence **fence);
int svm_advise(struct svm_device *dev, const void *ptr, size_t size,
	       uint32_t advice, uint32_t location);
int svm_residency(struct svm_device *dev, const void *ptr, size_t size,
		  uint8_t *out, size_t count);

struct drm_vsvm_cmd;

int svm_exec(struct svm_device *dev, const struct drm_vsvm_cmd *cmds,
	     uint32_t count, struct svm_fence *const *wait, uint32_t num_wait,
	     struct svm_fence **fence);

int svm_fence_wait(struct svm_fence *fence, int64_t timeout_ns);
int svm_fence_poll(struct svm_fence *fence);
int svm_fence_export_syncobj(struct svm_fence *fence, uint32_t *handle);
int svm_fence_export_sync_file(struct svm_fence *fence, int *fd);
int svm_fence_import_syncobj(struct svm_device *dev, uint32_t handle,
			     struct svm_fence **fence);
int svm_fence_import_sync_file(struct svm_device *dev, int fd,
			       struct svm_fence **fence);
void svm_fence_destroy(struct svm_fence *fence);

#ifdef __cplusplus
}
#endif

#endif /* LIBDRM_SVM_H */
