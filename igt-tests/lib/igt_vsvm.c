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
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/sync_file.h>
#include <xf86drm.h>

#include "igt.h"
#include "igt_vsvm.h"
#include "sw_sync.h"

/**
 * __vsvm_ioctl() - ioctl on a vsvm node, restarted on EINTR/EAGAIN
 * Returns 0 or -errno.
 */
int __vsvm_ioctl(int fd, unsigned long request, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, request, arg);
	} while (ret == -1 && (errno == EINTR || errno == EAGAIN));
	return ret == -1 ? -errno : 0;
}

int __vsvm_get_param(int fd, uint32_t param, uint64_t *value)
{
	struct drm_vsvm_get_param gp = { .param = param };
	int ret;

	ret = __vsvm_ioctl(fd, DRM_IOCTL_VSVM_GET_PARAM, &gp);
	if (!ret)
		*value = gp.value;
	return ret;
}

uint64_t vsvm_get_param(int fd, uint32_t param)
{
	uint64_t value = 0;

	igt_assert_eq(__vsvm_get_param(fd, param, &value), 0);
	return value;
}

bool vsvm_module_loaded(void)
{
	return access("/sys/module/vsvm", F_OK) == 0;
}

/* "name=value name=value" of the loaded module's parameters into buf. */
int vsvm_module_params(char *buf, int len)
{
	const char *dirname = "/sys/module/vsvm/parameters";
	struct dirent *de;
	int used = 0;
	DIR *dir;

	buf[0] = '\0';
	dir = opendir(dirname);
	if (!dir)
		return -errno;
	while ((de = readdir(dir))) {
		char path[512], val[64];
		FILE *f;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dirname, de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(val, sizeof(val), f)) {
			val[strcspn(val, "\n")] = '\0';
			used += snprintf(buf + used, len > used ? len - used : 0,
					 "%s%s=%s", used ? " " : "", de->d_name, val);
		}
		fclose(f);
	}
	closedir(dir);
	return used < len ? 0 : -ENOSPC;
}

/* Returns 0 or -errno of delete_module(2) (non-blocking). */
int vsvm_module_unload(void)
{
	if (syscall(SYS_delete_module, "vsvm", O_NONBLOCK))
		return -errno;
	return 0;
}

int vsvm_module_load(const char *params)
{
	char cmd[1024];
	int status;

	snprintf(cmd, sizeof(cmd), "modprobe vsvm %s", params ? params : "");
	status = system(cmd);
	if (status == -1)
		return -errno;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}

int __vsvm_gem_create(int fd, uint64_t size, uint32_t placements,
		      uint32_t preferred, uint32_t flags, uint32_t chunk_shift,
		      uint32_t *handle)
{
	struct drm_vsvm_gem_create c = {
		.size = size,
		.placements = placements,
		.preferred = preferred,
		.flags = flags,
		.chunk_shift = chunk_shift,
	};
	int ret = __vsvm_ioctl(fd, DRM_IOCTL_VSVM_GEM_CREATE, &c);

	if (!ret)
		*handle = c.handle;
	return ret;
}

uint32_t vsvm_gem_create(int fd, uint64_t size, uint32_t placements,
			 uint32_t preferred, uint32_t flags)
{
	uint32_t handle = 0;

	igt_assert_eq(__vsvm_gem_create(fd, size, placements, preferred, flags,
					0, &handle), 0);
	igt_assert(handle);
	return handle;
}

void vsvm_gem_close(int fd, uint32_t handle)
{
	struct drm_gem_close c = { .handle = handle };

	igt_assert_eq(__vsvm_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &c), 0);
}

int __vsvm_gem_mmap_offset(int fd, uint32_t handle, uint64_t *offset)
{
	struct drm_vsvm_gem_mmap_offset m = { .handle = handle };
	int ret = __vsvm_ioctl(fd, DRM_IOCTL_VSVM_GEM_MMAP_OFFSET, &m);

	if (!ret)
		*offset = m.offset;
	return ret;
}

void *vsvm_gem_mmap(int fd, uint32_t handle, uint64_t size)
{
	uint64_t offset = 0;
	void *p;

	igt_assert_eq(__vsvm_gem_mmap_offset(fd, handle, &offset), 0);
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, offset);
	igt_assert(p != MAP_FAILED);
	return p;
}

int __vsvm_gem_migrate(int fd, uint32_t handle, uint32_t placement,
		       uint64_t offset, uint64_t size, uint32_t flags,
		       uint32_t out_syncobj)
{
	struct drm_vsvm_gem_migrate m = {
		.handle = handle,
		.placement = placement,
		.offset = offset,
		.size = size,
		.flags = flags,
		.out_syncobj = out_syncobj,
	};

	return __vsvm_ioctl(fd, DRM_IOCTL_VSVM_GEM_MIGRATE, &m);
}

void vsvm_gem_migrate(int fd, uint32_t handle, uint32_t placement,
		      uint64_t offset, uint64_t size)
{
	igt_assert_eq(__vsvm_gem_migrate(fd, handle, placement, offset, size,
					 0, 0), 0);
}

int __vsvm_gem_residency(int fd, uint32_t handle,
			 struct drm_vsvm_chunk_state *chunks, uint32_t count,
			 uint32_t *nchunks, uint64_t *chunk_size)
{
	struct drm_vsvm_gem_residency r = {
		.handle = handle,
		.count = count,
		.chunks = (uintptr_t)chunks,
	};
	int ret = __vsvm_ioctl(fd, DRM_IOCTL_VSVM_GEM_RESIDENCY, &r);

	if (!ret) {
		if (nchunks)
			*nchunks = r.nchunks;
		if (chunk_size)
			*chunk_size = r.chunk_size;
	}
	return ret;
}

uint32_t vsvm_gem_placements(int fd, uint32_t handle, uint32_t *pl,
			     uint32_t *flags, uint32_t max)
{
	struct drm_vsvm_chunk_state *st = calloc(max, sizeof(*st));
	uint32_t n = 0, i;

	igt_assert(st);
	igt_assert_eq(__vsvm_gem_residency(fd, handle, st, max, &n, NULL), 0);
	for (i = 0; i < n && i < max; i++) {
		if (pl)
			pl[i] = st[i].placement;
		if (flags)
			flags[i] = st[i].flags;
	}
	free(st);
	return n;
}

int __vsvm_gem_access(int fd, uint32_t handle, uint32_t op, uint64_t offset,
		      uint64_t size, void *data, uint32_t value)
{
	struct drm_vsvm_gem_access a = {
		.handle = handle,
		.op = op,
		.offset = offset,
		.size = size,
		.data = (uintptr_t)data,
		.value = value,
	};

	return __vsvm_ioctl(fd, DRM_IOCTL_VSVM_GEM_ACCESS, &a);
}

void vsvm_gem_read(int fd, uint32_t handle, uint64_t offset, void *buf,
		   uint64_t size)
{
	igt_assert_eq(__vsvm_gem_access(fd, handle, DRM_VSVM_ACCESS_READ,
					offset, size, buf, 0), 0);
}

void vsvm_gem_write(int fd, uint32_t handle, uint64_t offset,
		    const void *buf, uint64_t size)
{
	igt_assert_eq(__vsvm_gem_access(fd, handle, DRM_VSVM_ACCESS_WRITE,
					offset, size, (void *)buf, 0), 0);
}

void vsvm_gem_fill(int fd, uint32_t handle, uint64_t offset, uint64_t size,
		   uint32_t value)
{
	igt_assert_eq(__vsvm_gem_access(fd, handle, DRM_VSVM_ACCESS_FILL,
					offset, size, NULL, value), 0);
}

int __vsvm_vm_create(int fd, uint32_t flags, uint32_t *vm_id)
{
	struct drm_vsvm_vm_create c = { .flags = flags };
	int ret;

	ret = __vsvm_ioctl(fd, DRM_IOCTL_VSVM_VM_CREATE, &c);
	if (!ret)
		*vm_id = c.vm_id;
	return ret;
}

uint32_t vsvm_vm_create(int fd, uint32_t flags)
{
	uint32_t id = 0;

	igt_assert_eq(__vsvm_vm_create(fd, flags, &id), 0);
	igt_assert_neq(id, 0);
	return id;
}

int __vsvm_vm_destroy(int fd, uint32_t vm_id)
{
	struct drm_vsvm_vm_destroy d = { .vm_id = vm_id };

	return __vsvm_ioctl(fd, DRM_IOCTL_VSVM_VM_DESTROY, &d);
}

void vsvm_vm_destroy(int fd, uint32_t vm_id)
{
	igt_assert_eq(__vsvm_vm_destroy(fd, vm_id), 0);
}

int __vsvm_vm_bind(int fd, uint32_t vm_id, uint32_t op, uint32_t flags,
		   uint32_t handle, uint64_t addr, uint64_t range,
		   uint64_t obj_offset)
{
	struct drm_vsvm_vm_bind b = {
		.vm_id = vm_id, .op = op, .flags = flags, .handle = handle,
		.addr = addr, .range = range, .obj_offset = obj_offset,
	};

	return __vsvm_ioctl(fd, DRM_IOCTL_VSVM_VM_BIND, &b);
}

void vsvm_vm_bind(int fd, uint32_t vm_id, uint32_t op, uint32_t flags,
		  uint32_t handle, uint64_t addr, uint64_t range,
		  uint64_t obj_offset)
{
	igt_assert_eq(__vsvm_vm_bind(fd, vm_id, op, flags, handle, addr, range,
				     obj_offset), 0);
}

int __vsvm_vm_query(int fd, uint32_t vm_id, struct drm_vsvm_vm_query *q)
{
	memset(q, 0, sizeof(*q));
	q->vm_id = vm_id;
	return __vsvm_ioctl(fd, DRM_IOCTL_VSVM_VM_QUERY, q);
}

void vsvm_vm_query(int fd, uint32_t vm_id, struct drm_vsvm_vm_query *q)
{
	igt_assert_eq(__vsvm_vm_query(fd, vm_id, q), 0);
}

int __vsvm_exec(int fd, uint32_t vm_id, const struct drm_vsvm_cmd *cmds,
		uint32_t ncmds, const uint32_t *in, uint32_t nin,
		uint32_t out, uint64_t *seqno)
{
	struct drm_vsvm_exec e = {
		.vm_id = vm_id,
		.cmds = (uintptr_t)cmds,
		.cmds_size = (uint64_t)ncmds * sizeof(*cmds),
		.in_syncobjs = (uintptr_t)in,
		.num_in_syncobjs = nin,
		.out_syncobj = out,
	};
	int ret;

	ret = __vsvm_ioctl(fd, DRM_IOCTL_VSVM_EXEC, &e);
	if (!ret && seqno)
		*seqno = e.seqno;
	return ret;
}

uint64_t vsvm_exec(int fd, uint32_t vm_id, const struct drm_vsvm_cmd *cmds,
		   uint32_t ncmds, const uint32_t *in, uint32_t nin,
		   uint32_t out)
{
	uint64_t seqno = 0;

	igt_assert_eq(__vsvm_exec(fd, vm_id, cmds, ncmds, in, nin, out,
				  &seqno), 0);
	igt_assert_neq(seqno, 0);
	return seqno;
}

static int held_timeline = -1;

/*
 * Signal the held timeline before it is closed at exit: sw_sync's release
 * signals its pending fences under the timeline lock, and a killed job's
 * callback dropping the last reference of one takes that lock again
 * (lockdep: recursive locking in timeline_fence_release()).
 */
static void held_timeline_exit(int sig)
{
	if (held_timeline >= 0)
		sw_sync_timeline_inc(held_timeline, 1);
}

/*
 * A sw_sync timeline whose fences the test holds back; if the test fails
 * while holding it, the exit handler advances it by one before it closes.
 * One at a time; give it back with vsvm_timeline_release().
 */
int vsvm_timeline_hold(void)
{
	igt_assert(held_timeline < 0);
	held_timeline = sw_sync_timeline_create();
	igt_install_exit_handler(held_timeline_exit);
	return held_timeline;
}

/* Close the timeline of vsvm_timeline_hold(). */
void vsvm_timeline_release(int timeline)
{
	igt_assert_eq(timeline, held_timeline);
	held_timeline = -1;
	close(timeline);
}

/* A syncobj holding a fence that signals when sw_sync @timeline reaches @seqno. */
uint32_t vsvm_syncobj_from_timeline(int fd, int timeline, uint32_t seqno)
{
	int fence = sw_sync_timeline_create_fence(timeline, seqno);
	uint32_t s;

	igt_assert_eq(drmSyncobjCreate(fd, 0, &s), 0);
	igt_assert_eq(drmSyncobjImportSyncFile(fd, s, fence), 0);
	close(fence);
	return s;
}

int vsvm_syncobj_status(int fd, uint32_t syncobj)
{
	struct sync_file_info info = { 0 };
	int sync_fd = -1, ret;

	igt_assert_eq(drmSyncobjExportSyncFile(fd, syncobj, &sync_fd), 0);
	ret = ioctl(sync_fd, SYNC_IOC_FILE_INFO, &info);
	close(sync_fd);
	igt_assert_eq(ret, 0);
	return info.status;
}

int vsvm_exec_wait(int fd, uint32_t vm_id, const struct drm_vsvm_cmd *cmds,
		   uint32_t ncmds)
{
	uint32_t out;
	int status;

	igt_assert_eq(drmSyncobjCreate(fd, 0, &out), 0);
	vsvm_exec(fd, vm_id, cmds, ncmds, NULL, 0, out);
	igt_assert_eq(drmSyncobjWait(fd, &out, 1, INT64_MAX, 0, NULL), 0);
	status = vsvm_syncobj_status(fd, out);
	igt_assert_eq(drmSyncobjDestroy(fd, out), 0);
	igt_assert(status != 0);
	return status == 1 ? 0 : status;
}

uint64_t vsvm_fnv1a(const void *buf, uint64_t len)
{
	const uint8_t *p = buf;
	uint64_t h = 0xcbf29ce484222325ull;
	uint64_t i;

	for (i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

uint64_t vsvm_xorshift(uint64_t x)
{
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return x;
}
