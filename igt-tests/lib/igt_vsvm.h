/* SPDX-License-Identifier: MIT */
/*
 * Copyright © 2026 The drm-svm authors
 */
#ifndef IGT_VSVM_H
#define IGT_VSVM_H

#include <stdbool.h>
#include <stdint.h>

#include "vsvm_drm.h"

int __vsvm_get_param(int fd, uint32_t param, uint64_t *value);
uint64_t vsvm_get_param(int fd, uint32_t param);
int __vsvm_ioctl(int fd, unsigned long request, void *arg);

int vsvm_module_params(char *buf, int len);
int vsvm_module_unload(void);
int vsvm_module_load(const char *params);
bool vsvm_module_loaded(void);

#endif /* IGT_VSVM_H */

/* GEM objects with placements */
int __vsvm_gem_create(int fd, uint64_t size, uint32_t placements,
		      uint32_t preferred, uint32_t flags, uint32_t chunk_shift,
		      uint32_t *handle);
uint32_t vsvm_gem_create(int fd, uint64_t size, uint32_t placements,
			 uint32_t preferred, uint32_t flags);
void vsvm_gem_close(int fd, uint32_t handle);
int __vsvm_gem_mmap_offset(int fd, uint32_t handle, uint64_t *offset);
void *vsvm_gem_mmap(int fd, uint32_t handle, uint64_t size);
int __vsvm_gem_migrate(int fd, uint32_t handle, uint32_t placement,
		       uint64_t offset, uint64_t size, uint32_t flags,
		       uint32_t out_syncobj);
void vsvm_gem_migrate(int fd, uint32_t handle, uint32_t placement,
		      uint64_t offset, uint64_t size);
int __vsvm_gem_residency(int fd, uint32_t handle,
			 struct drm_vsvm_chunk_state *chunks, uint32_t count,
			 uint32_t *nchunks, uint64_t *chunk_size);
/* placement of every chunk into pl[] (at most max), returns the count */
uint32_t vsvm_gem_placements(int fd, uint32_t handle, uint32_t *pl,
			     uint32_t *flags, uint32_t max);
int __vsvm_gem_access(int fd, uint32_t handle, uint32_t op, uint64_t offset,
		      uint64_t size, void *data, uint32_t value);
void vsvm_gem_read(int fd, uint32_t handle, uint64_t offset, void *buf,
		   uint64_t size);
void vsvm_gem_write(int fd, uint32_t handle, uint64_t offset,
		    const void *buf, uint64_t size);
void vsvm_gem_fill(int fd, uint32_t handle, uint64_t offset, uint64_t size,
		   uint32_t value);
