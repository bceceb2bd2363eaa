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

/* VMs, binds and the compute engine */
int __vsvm_vm_create(int fd, uint32_t flags, uint32_t *vm_id);
uint32_t vsvm_vm_create(int fd, uint32_t flags);
int __vsvm_vm_destroy(int fd, uint32_t vm_id);
void vsvm_vm_destroy(int fd, uint32_t vm_id);
int __vsvm_vm_bind(int fd, uint32_t vm_id, uint32_t op, uint32_t flags,
		   uint32_t handle, uint64_t addr, uint64_t range,
		   uint64_t obj_offset);
void vsvm_vm_bind(int fd, uint32_t vm_id, uint32_t op, uint32_t flags,
		  uint32_t handle, uint64_t addr, uint64_t range,
		  uint64_t obj_offset);
int __vsvm_vm_query(int fd, uint32_t vm_id, struct drm_vsvm_vm_query *q);
void vsvm_vm_query(int fd, uint32_t vm_id, struct drm_vsvm_vm_query *q);
int __vsvm_exec(int fd, uint32_t vm_id, const struct drm_vsvm_cmd *cmds,
		uint32_t ncmds, const uint32_t *in, uint32_t nin,
		uint32_t out, uint64_t *seqno);
uint64_t vsvm_exec(int fd, uint32_t vm_id, const struct drm_vsvm_cmd *cmds,
		   uint32_t ncmds, const uint32_t *in, uint32_t nin,
		   uint32_t out);
/* Status of the fence in a syncobj (through a sync_file): 1 signalled,
 * 0 pending, -errno when it signalled with an error. */
int vsvm_syncobj_status(int fd, uint32_t syncobj);
int vsvm_timeline_hold(void);
void vsvm_timeline_release(int timeline);
uint32_t vsvm_syncobj_from_timeline(int fd, int timeline, uint32_t seqno);
/* Exec, wait, and return the job's status: 0 or -errno of the job. */
int vsvm_exec_wait(int fd, uint32_t vm_id, const struct drm_vsvm_cmd *cmds,
		   uint32_t ncmds);
/* CPU references of the engine's CHECKSUM and RANDOM generator. */
uint64_t vsvm_fnv1a(const void *buf, uint64_t len);
uint64_t vsvm_xorshift(uint64_t x);

static inline struct drm_vsvm_cmd vsvm_cmd(uint32_t op, uint64_t a0,
					   uint64_t a1, uint64_t a2,
					   uint64_t a3, uint64_t a4)
{
	struct drm_vsvm_cmd c = { .op = op, .arg = { a0, a1, a2, a3, a4 } };

	return c;
}

#define vsvm_cmd_fill(va, size, value) \
	vsvm_cmd(DRM_VSVM_CMD_FILL, (uintptr_t)(va), (size), (value), 0, 0)
#define vsvm_cmd_copy(dst, src, size) \
	vsvm_cmd(DRM_VSVM_CMD_COPY, (uintptr_t)(dst), (uintptr_t)(src), \
		 (size), 0, 0)
#define vsvm_cmd_add(dst, a, b, n) \
	vsvm_cmd(DRM_VSVM_CMD_ADD, (uintptr_t)(dst), (uintptr_t)(a), \
		 (uintptr_t)(b), (n), 0)
#define vsvm_cmd_checksum(va, size, result) \
	vsvm_cmd(DRM_VSVM_CMD_CHECKSUM, (uintptr_t)(va), (size), \
		 (uintptr_t)(result), 0, 0)
#define vsvm_cmd_atomic_inc(va, n) \
	vsvm_cmd(DRM_VSVM_CMD_ATOMIC_INC, (uintptr_t)(va), (n), 0, 0, 0)
#define vsvm_cmd_strided(va, count, stride, value) \
	vsvm_cmd(DRM_VSVM_CMD_STRIDED, (uintptr_t)(va), (count), (stride), \
		 (value), 0)
#define vsvm_cmd_random(va, span, count, seed, value) \
	vsvm_cmd(DRM_VSVM_CMD_RANDOM, (uintptr_t)(va), (span), (count), \
		 (seed), (value))

#endif /* IGT_VSVM_H */
