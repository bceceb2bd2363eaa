/* SPDX-License-Identifier: MIT */
/*
 * Copyright © 2026 The drm-svm authors
 *
 * Helpers shared by the vsvm kselftest programs.
 */
#ifndef VSVM_TEST_UTIL_H
#define VSVM_TEST_UTIL_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <drm/drm.h>
#include <linux/capability.h>
#include "vsvm_drm.h"

/* The first vsvm render node, opened, or -1. */
static inline int open_vsvm(void)
{
	char path[300], name[32];
	struct dirent *de;
	DIR *dir = opendir("/dev/dri");
	int fd = -1;

	if (!dir)
		return -1;
	while ((de = readdir(dir)) && fd < 0) {
		struct drm_version v = { .name = name, .name_len = sizeof(name) - 1 };

		if (strncmp(de->d_name, "renderD", 7))
			continue;
		snprintf(path, sizeof(path), "/dev/dri/%s", de->d_name);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		memset(name, 0, sizeof(name));
		if (ioctl(fd, DRM_IOCTL_VERSION, &v) || strcmp(name, "vsvm")) {
			close(fd);
			fd = -1;
		}
	}
	closedir(dir);
	return fd;
}

/* The @n-th vsvm render node in minor order (0: the first), opened, or -1. */
static inline int open_vsvm_nth(int n)
{
	char path[64], name[32];
	int minor, fd;

	for (minor = 128; minor < 192; minor++) {
		struct drm_version v = { .name = name, .name_len = sizeof(name) - 1 };

		snprintf(path, sizeof(path), "/dev/dri/renderD%d", minor);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		memset(name, 0, sizeof(name));
		if (!ioctl(fd, DRM_IOCTL_VERSION, &v) && !strcmp(name, "vsvm") &&
		    n-- == 0)
			return fd;
		close(fd);
	}
	return -1;
}

/* A DRM_VSVM_PARAM_* value, or ~0 on error. */
static inline uint64_t vsvm_param(int fd, __u32 param)
{
	struct drm_vsvm_get_param gp = { .param = param };

	if (ioctl(fd, DRM_IOCTL_VSVM_GET_PARAM, &gp))
		return ~0ull;
	return gp.value;
}

/* Sum of one "name: value" line over the vsvm_info of every device. */
static inline long long info_counter(const char *name)
{
	char line[256];
	long long sum = 0, v;
	size_t len = strlen(name);
	glob_t g;
	size_t i;

	if (glob("/sys/kernel/debug/dri/vsvm.*/vsvm_info", 0, NULL, &g))
		return -1;
	for (i = 0; i < g.gl_pathc; i++) {
		FILE *f = fopen(g.gl_pathv[i], "r");

		if (!f)
			continue;
		while (fgets(line, sizeof(line), f))
			if (!strncmp(line, name, len) && line[len] == ':' &&
			    sscanf(line + len + 1, "%lld", &v) == 1)
				sum += v;
		fclose(f);
	}
	globfree(&g);
	return sum;
}

/* GEM helpers: 0 or -errno. */
static inline int gem_create(int fd, uint64_t size, __u32 placements,
			     __u32 preferred, __u32 *handle)
{
	struct drm_vsvm_gem_create c = {
		.size = size,
		.placements = placements,
		.preferred = preferred,
	};

	if (ioctl(fd, DRM_IOCTL_VSVM_GEM_CREATE, &c))
		return -errno;
	*handle = c.handle;
	return 0;
}

static inline int gem_migrate(int fd, __u32 handle, uint64_t size, __u32 pl)
{
	struct drm_vsvm_gem_migrate m = {
		.handle = handle,
		.placement = pl,
		.size = size,
	};

	return ioctl(fd, DRM_IOCTL_VSVM_GEM_MIGRATE, &m) ? -errno : 0;
}

static inline int gem_access(int fd, __u32 handle, __u32 op, void *buf,
			     uint64_t size)
{
	struct drm_vsvm_gem_access a = {
		.handle = handle,
		.op = op,
		.size = size,
		.data = (uintptr_t)buf,
	};

	return ioctl(fd, DRM_IOCTL_VSVM_GEM_ACCESS, &a) ? -errno : 0;
}

/* Chunks of an object in @pl. */
static inline int gem_chunks_in(int fd, __u32 handle, __u32 pl)
{
	struct drm_vsvm_chunk_state st[64];
	struct drm_vsvm_gem_residency r = {
		.handle = handle,
		.count = 64,
		.chunks = (uintptr_t)st,
	};
	unsigned int i;
	int n = 0;

	if (ioctl(fd, DRM_IOCTL_VSVM_GEM_RESIDENCY, &r))
		return -errno;
	for (i = 0; i < r.nchunks && i < 64; i++)
		n += st[i].placement == pl &&
			(st[i].flags & DRM_VSVM_CHUNK_POPULATED);
	return n;
}

static inline int gem_close(int fd, __u32 handle)
{
	struct drm_gem_close c = { .handle = handle };

	return ioctl(fd, DRM_IOCTL_GEM_CLOSE, &c) ? -errno : 0;
}

/* SVM helpers: 0 or -errno. */
static inline int svm_dev_migrate(int fd, void *addr, size_t size,
				  __u32 target, uint64_t *moved)
{
	struct drm_vsvm_svm_migrate m = {
		.addr = (uintptr_t)addr,
		.size = size,
		.target = target,
	};

	if (ioctl(fd, DRM_IOCTL_VSVM_SVM_MIGRATE, &m))
		return -errno;
	if (moved)
		*moved = m.moved;
	return 0;
}

static inline int svm_dev_access(int fd, int op, void *addr, void *buf,
				 size_t size, uint64_t *faults)
{
	struct drm_vsvm_svm_access a = {
		.addr = (uintptr_t)addr,
		.size = size,
		.data = (uintptr_t)buf,
		.op = op,
	};

	if (ioctl(fd, DRM_IOCTL_VSVM_SVM_ACCESS, &a))
		return -errno;
	if (faults)
		*faults = a.faults;
	return 0;
}

/* Word i of a buffer filled with @seed. */
static inline void fill_words(void *p, size_t size, uint32_t seed)
{
	uint32_t *w = p;
	size_t i;

	for (i = 0; i < size / 4; i++)
		w[i] = seed * 0x9e3779b9u + (uint32_t)i;
}

/* Index of the first word that fill_words() did not write, or -1. */
static inline long check_words(const void *p, size_t size, uint32_t seed)
{
	const uint32_t *w = p;
	size_t i;

	for (i = 0; i < size / 4; i++)
		if (w[i] != seed * 0x9e3779b9u + (uint32_t)i)
			return i;
	return -1;
}

/* Whether vsvm's test-only ioctls are open to all (-1: no such param). */
static inline int test_ioctls_open(void)
{
	char c = 'N';
	FILE *f = fopen("/sys/module/vsvm/parameters/test_ioctls", "r");

	if (!f)
		return -1;
	if (fread(&c, 1, 1, f) != 1)
		c = '?';
	fclose(f);
	return c == 'Y';
}

/* Drop every capability of the calling process: 0 or -1. */
static inline int drop_capabilities(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct caps[2] = { 0 };

	return syscall(SYS_capset, &hdr, caps) ? -1 : 0;
}

/* Private anonymous read-write memory, or NULL. */
static inline void *map_private_anon(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

#endif /* VSVM_TEST_UTIL_H */
