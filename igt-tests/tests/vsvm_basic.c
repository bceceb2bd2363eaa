// SPDX-License-Identifier: MIT
/*
 * Copyright © 2026 The drm-svm authors
 */

/**
 * TEST: vsvm basic
 * Description: Basic sanity of the vsvm render node and its uAPI: open and
 *              close, parameters, rejected input, several clients, debugfs,
 *              sysfs, unbinding and unloading with clients open.
 * Category: Core
 * Mega feature: drm-svm
 * Sub-category: uAPI
 */

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <xf86drm.h>

#include "igt.h"
#include "igt_vsvm.h"

static void check_version(int fd)
{
	drmVersionPtr v = drmGetVersion(fd);

	igt_assert(v);
	igt_assert_f(!strcmp(v->name, "vsvm"), "driver name %s\n", v->name);
	igt_assert_eq(v->version_major, DRM_VSVM_UAPI_MAJOR);
	igt_assert_lte(DRM_VSVM_UAPI_MINOR, v->version_minor);
	drmFreeVersion(v);
}

static void test_params(int fd)
{
	uint64_t version = vsvm_get_param(fd, DRM_VSVM_PARAM_UAPI_VERSION);
	uint64_t vram = vsvm_get_param(fd, DRM_VSVM_PARAM_VRAM_SIZE);
	uint64_t visible = vsvm_get_param(fd, DRM_VSVM_PARAM_VISIBLE_VRAM_SIZE);
	uint64_t gtt = vsvm_get_param(fd, DRM_VSVM_PARAM_GTT_SIZE);
	uint64_t engines = vsvm_get_param(fd, DRM_VSVM_PARAM_NUM_COPY_ENGINES);
	uint64_t sizes = vsvm_get_param(fd, DRM_VSVM_PARAM_PAGE_SIZES);
	drmVersionPtr v = drmGetVersion(fd);

	igt_assert(v);
	igt_assert_eq_u64(version >> 16, v->version_major);
	igt_assert_eq_u64(version & 0xffff, v->version_minor);
	drmFreeVersion(v);

	igt_info("vram %llu MiB, visible %llu MiB, gtt %llu MiB, %llu copy engines, page sizes 0x%llx\n",
		 (unsigned long long)vram >> 20, (unsigned long long)visible >> 20,
		 (unsigned long long)gtt >> 20, (unsigned long long)engines,
		 (unsigned long long)sizes);
	igt_assert(vram > 0);
	igt_assert_eq_u64(vram % 4096, 0);
	igt_assert_lte_u64(visible, vram);
	igt_assert_eq_u64(visible % 4096, 0);
	igt_assert(gtt > 0);
	igt_assert(engines >= 1 && engines <= 64);
	igt_assert_f(sizes & 4096, "4 KiB pages must be supported\n");
	igt_assert_eq_u64(sizes & 4095, 0);
}

static int ioctl_errno(int fd, unsigned long req, void *arg)
{
	return __vsvm_ioctl(fd, req, arg);
}

static void test_bad_param(int fd)
{
	uint32_t bad[] = { DRM_VSVM_PARAM_COUNT, DRM_VSVM_PARAM_COUNT + 1,
			   0x7fffffff, 0xffffffff };
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct drm_vsvm_get_param gp = {
			.param = bad[i],
			.value = 0x1234,
		};

		igt_assert_eq(ioctl_errno(fd, DRM_IOCTL_VSVM_GET_PARAM, &gp),
			      -EINVAL);
	}
}

static void test_bad_pad(int fd)
{
	struct drm_vsvm_get_param gp = {
		.param = DRM_VSVM_PARAM_VRAM_SIZE,
		.pad = 1,
	};

	igt_assert_eq(ioctl_errno(fd, DRM_IOCTL_VSVM_GET_PARAM, &gp), -EINVAL);
	gp.pad = 0x80000000;
	igt_assert_eq(ioctl_errno(fd, DRM_IOCTL_VSVM_GET_PARAM, &gp), -EINVAL);
	gp.pad = 0;
	igt_assert_eq(ioctl_errno(fd, DRM_IOCTL_VSVM_GET_PARAM, &gp), 0);
}

static void test_bad_ioctl(int fd)
{
	struct drm_vsvm_get_param gp = { 0 };
	unsigned int nr;

	/* Driver ioctl numbers past the table are rejected. */
	for (nr = DRM_VSVM_GET_PARAM + 0x20; nr < 0x60; nr += 0x10) {
		unsigned long req = DRM_IOWR(DRM_COMMAND_BASE + nr,
					     struct drm_vsvm_get_param);

		igt_assert_eq(ioctl_errno(fd, req, &gp), -EINVAL);
	}
}

static void test_bad_pointer(int fd)
{
	void *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	igt_assert(ro != MAP_FAILED);
	igt_assert_eq(ioctl_errno(fd, DRM_IOCTL_VSVM_GET_PARAM, NULL), -EFAULT);
	igt_assert_eq(ioctl_errno(fd, DRM_IOCTL_VSVM_GET_PARAM,
				  (void *)(uintptr_t)8), -EFAULT);
	/* Readable but not writable: the copy back must fail cleanly. */
	igt_assert_eq(ioctl_errno(fd, DRM_IOCTL_VSVM_GET_PARAM, ro), -EFAULT);
	munmap(ro, 4096);
}

static void test_second_client(int fd)
{
	int fd2 = drm_open_driver_render(DRIVER_VSVM);
	uint64_t a, b;

	igt_assert_neq(fd, fd2);
	a = vsvm_get_param(fd, DRM_VSVM_PARAM_VRAM_SIZE);
	b = vsvm_get_param(fd2, DRM_VSVM_PARAM_VRAM_SIZE);
	igt_assert_eq_u64(a, b);
	check_version(fd2);
	close(fd2);
	/* The first client is unaffected by the second one leaving. */
	igt_assert_eq_u64(vsvm_get_param(fd, DRM_VSVM_PARAM_VRAM_SIZE), a);
}

/* sysfs directory of the device behind a DRM fd */
static void fd_sysfs_path(int fd, const char *leaf, char *buf, size_t len)
{
	struct stat st;

	igt_assert_eq(fstat(fd, &st), 0);
	igt_assert(S_ISCHR(st.st_mode));
	snprintf(buf, len, "/sys/dev/char/%u:%u/%s", major(st.st_rdev),
		 minor(st.st_rdev), leaf);
}

static void test_sysfs(int fd)
{
	char path[PATH_MAX], target[PATH_MAX];
	ssize_t n;

	fd_sysfs_path(fd, "device/driver", path, sizeof(path));
	n = readlink(path, target, sizeof(target) - 1);
	igt_assert_f(n > 0, "no driver link at %s\n", path);
	target[n] = '\0';
	igt_assert_f(!strcmp(strrchr(target, '/') + 1, "vsvm"),
		     "bound to %s\n", target);
}

static int read_debugfs_u64(const char *file, const char *key, uint64_t *v)
{
	char line[256];
	int found = -ENOENT;
	FILE *f = fopen(file, "r");

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		size_t k = strlen(key);

		if (!strncmp(line, key, k) && line[k] == ':') {
			*v = strtoull(line + k + 1, NULL, 0);
			found = 0;
		}
	}
	fclose(f);
	return found;
}

static void test_debugfs(int fd)
{
	uint64_t vram = vsvm_get_param(fd, DRM_VSVM_PARAM_VRAM_SIZE);
	uint64_t v = 0, used = 1;
	glob_t g;

	igt_require_f(access("/sys/kernel/debug/dri", R_OK) == 0,
		      "debugfs not mounted\n");
	igt_assert_eq(glob("/sys/kernel/debug/dri/*/vsvm_info", 0, NULL, &g), 0);
	igt_assert(g.gl_pathc >= 1);
	igt_assert_eq(read_debugfs_u64(g.gl_pathv[0], "vram size", &v), 0);
	igt_assert_eq_u64(v, vram);
	igt_assert_eq(read_debugfs_u64(g.gl_pathv[0], "vram used", &used), 0);
	igt_assert_eq_u64(used, vsvm_get_param(fd, DRM_VSVM_PARAM_VRAM_USED));
	globfree(&g);
}

static void platform_name(int fd, char *name, size_t len)
{
	char path[PATH_MAX], target[PATH_MAX];
	ssize_t n;

	fd_sysfs_path(fd, "device", path, sizeof(path));
	n = readlink(path, target, sizeof(target) - 1);
	igt_assert(n > 0);
	target[n] = '\0';
	snprintf(name, len, "%s", strrchr(target, '/') + 1);
}

static void write_sysfs(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);

	igt_assert_f(fd >= 0, "open %s: %s\n", path, strerror(errno));
	igt_assert_eq(write(fd, val, strlen(val)), (ssize_t)strlen(val));
	close(fd);
}

static void test_unbind_with_client(void)
{
	int fd = drm_open_driver_render(DRIVER_VSVM);
	char name[64];
	uint64_t v;

	platform_name(fd, name, sizeof(name));
	write_sysfs("/sys/bus/platform/drivers/vsvm/unbind", name);
	/* The unplugged device answers, but only with -ENODEV. */
	igt_assert_eq(__vsvm_get_param(fd, DRM_VSVM_PARAM_VRAM_SIZE, &v),
		      -ENODEV);
	close(fd);
	write_sysfs("/sys/bus/platform/drivers/vsvm/bind", name);
	fd = drm_open_driver_render(DRIVER_VSVM);
	igt_assert(vsvm_get_param(fd, DRM_VSVM_PARAM_VRAM_SIZE) > 0);
	check_version(fd);
	close(fd);
}

static void test_unload(void)
{
	char params[512];
	int fd, ret;

	igt_require(vsvm_module_loaded());
	igt_assert_eq(vsvm_module_params(params, sizeof(params)), 0);

	fd = drm_open_driver_render(DRIVER_VSVM);
	ret = vsvm_module_unload();
	igt_assert_f(ret == -EBUSY || ret == -EWOULDBLOCK,
		     "unload with a client open returned %d\n", ret);
	/* The client still works after the refused unload. */
	igt_assert(vsvm_get_param(fd, DRM_VSVM_PARAM_VRAM_SIZE) > 0);
	close(fd);

	igt_assert_eq(vsvm_module_unload(), 0);
	igt_assert(!vsvm_module_loaded());
	igt_assert(__drm_open_driver_render(DRIVER_VSVM) < 0);
	igt_assert_eq(vsvm_module_load(params), 0);
	fd = drm_open_driver_render(DRIVER_VSVM);
	check_version(fd);
	close(fd);
}

int igt_main()
{
	int fd = -1;

	igt_fixture() {
		fd = drm_open_driver_render(DRIVER_VSVM);
	}

	igt_describe("Open the render node, check the driver name and uAPI version, close it.");
	igt_subtest("open-close") {
		int fd2 = drm_open_driver_render(DRIVER_VSVM);

		check_version(fd2);
		igt_assert_eq(close(fd2), 0);
	}

	igt_describe("Every parameter is readable and the values are consistent.");
	igt_subtest("get-param")
		test_params(fd);

	igt_describe("A fresh device has no VRAM allocated.");
	igt_subtest("vram-idle")
		igt_assert_eq_u64(vsvm_get_param(fd, DRM_VSVM_PARAM_VRAM_USED), 0);

	igt_describe("Unknown parameters are rejected with EINVAL.");
	igt_subtest("bad-param")
		test_bad_param(fd);

	igt_describe("Non-zero padding is rejected with EINVAL.");
	igt_subtest("bad-pad")
		test_bad_pad(fd);

	igt_describe("Ioctl numbers beyond the driver's table are rejected.");
	igt_subtest("bad-ioctl")
		test_bad_ioctl(fd);

	igt_describe("Bad argument pointers give EFAULT, not a crash.");
	igt_subtest("bad-pointer")
		test_bad_pointer(fd);

	igt_describe("A second client sees the same device; its close does not affect the first.");
	igt_subtest("second-client")
		test_second_client(fd);

	igt_describe("The render node's device is bound to the vsvm driver.");
	igt_subtest("sysfs")
		test_sysfs(fd);

	igt_describe("debugfs reports the same sizes and usage as the uAPI.");
	igt_subtest("debugfs")
		test_debugfs(fd);

	igt_fixture() {
		close(fd);
	}

	igt_describe("Unbinding the device with a client open: the client gets ENODEV, rebinding works.");
	igt_subtest("unbind-with-client")
		test_unbind_with_client();

	igt_describe("Unloading the module with a client open is refused; after close it unloads and reloads.");
	igt_subtest("unload")
		test_unload();
}
