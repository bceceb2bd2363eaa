// SPDX-License-Identifier: MIT
/*
 * Copyright © 2026 The drm-svm authors
 */

/**
 * TEST: svm lib basic
 * Description: libdrm-svm device handling: open by path and by search,
 *              query, reference counting and -errno error reporting.
 * Category: Core
 * Mega feature: drm-svm
 * Sub-category: libdrm-svm
 */

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <xf86drm.h>

#include "igt.h"
#include "igt_vsvm.h"
#include "libdrm_svm.h"

static struct svm_device *open_first(void)
{
	struct svm_device *dev = NULL;
	int ret = svm_device_open_first(&dev);

	igt_require_f(ret != -ENODEV, "no vsvm device\n");
	igt_assert_eq(ret, 0);
	igt_assert(dev);
	return dev;
}

static void test_open_first(void)
{
	struct svm_device_info info;
	struct svm_device *dev = open_first();
	int fd = svm_device_fd(dev);

	igt_assert(fd >= 0);
	igt_assert_eq(svm_device_query(dev, &info), 0);
	igt_assert(!strcmp(info.driver, "vsvm"));
	igt_assert(!strncmp(info.node, "/dev/dri/renderD", 16));
	igt_assert_eq(info.api_major, DRM_VSVM_UAPI_MAJOR);
	igt_assert_eq_u64(info.vram_size,
			  vsvm_get_param(fd, DRM_VSVM_PARAM_VRAM_SIZE));
	igt_assert_eq_u64(info.visible_vram_size,
			  vsvm_get_param(fd, DRM_VSVM_PARAM_VISIBLE_VRAM_SIZE));
	igt_assert_eq_u64(info.gtt_size,
			  vsvm_get_param(fd, DRM_VSVM_PARAM_GTT_SIZE));
	igt_assert_eq_u64(info.page_sizes,
			  vsvm_get_param(fd, DRM_VSVM_PARAM_PAGE_SIZES));
	igt_assert_eq_u64(info.num_copy_engines,
			  vsvm_get_param(fd, DRM_VSVM_PARAM_NUM_COPY_ENGINES));
	svm_device_unref(dev);
}

static void test_open_path(void)
{
	struct svm_device_info info;
	struct svm_device *first = open_first(), *dev = NULL;

	igt_assert_eq(svm_device_query(first, &info), 0);
	igt_assert_eq(svm_device_open(info.node, &dev), 0);
	igt_assert(svm_device_fd(dev) != svm_device_fd(first));
	svm_device_unref(first);
	igt_assert_eq(svm_device_query(dev, &info), 0);
	svm_device_unref(dev);
}

static void test_open_errors(void)
{
	struct svm_device *dev = (struct svm_device *)0x1;
	char longpath[200];

	igt_assert_eq(svm_device_open("/dev/dri/does-not-exist", &dev), -ENOENT);
	igt_assert(dev == (struct svm_device *)0x1);
	/* Not a DRM device at all. */
	igt_assert_eq(svm_device_open("/dev/null", &dev), -ENODEV);
	igt_assert_eq(svm_device_open(NULL, &dev), -EINVAL);
	igt_assert_eq(svm_device_open("/dev/null", NULL), -EINVAL);
	igt_assert_eq(svm_device_open_first(NULL), -EINVAL);
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[sizeof(longpath) - 1] = '\0';
	igt_assert_eq(svm_device_open(longpath, &dev), -ENAMETOOLONG);
}

static void test_other_driver(void)
{
	struct svm_device *dev = NULL;
	bool tried = false;
	glob_t g;
	size_t i;

	if (glob("/dev/dri/renderD*", 0, NULL, &g))
		igt_skip("no render nodes\n");
	for (i = 0; i < g.gl_pathc; i++) {
		int fd = open(g.gl_pathv[i], O_RDWR);
		drmVersionPtr v;

		if (fd < 0)
			continue;
		v = drmGetVersion(fd);
		close(fd);
		if (v && strcmp(v->name, "vsvm")) {
			igt_info("%s is %s\n", g.gl_pathv[i], v->name);
			igt_assert_eq(svm_device_open(g.gl_pathv[i], &dev),
				      -ENODEV);
			tried = true;
		}
		drmFreeVersion(v);
	}
	globfree(&g);
	igt_require_f(tried, "no render node of another driver\n");
}

static void test_refcount(void)
{
	struct svm_device *dev = open_first();
	struct svm_device_info info;
	int fd = svm_device_fd(dev);

	igt_assert(svm_device_ref(dev) == dev);
	svm_device_unref(dev);
	/* One reference left: the fd is still open and usable. */
	igt_assert_eq(fcntl(fd, F_GETFD), FD_CLOEXEC);
	igt_assert_eq(svm_device_query(dev, &info), 0);
	svm_device_unref(dev);
	igt_assert_eq(fcntl(fd, F_GETFD), -1);
	igt_assert_eq(errno, EBADF);
	svm_device_unref(NULL);
	igt_assert(svm_device_ref(NULL) == NULL);
}

static void test_bad_args(void)
{
	struct svm_device *dev = open_first();
	struct svm_device_info info;
	uint64_t v;

	igt_assert_eq(svm_device_query(NULL, &info), -EINVAL);
	igt_assert_eq(svm_device_query(dev, NULL), -EINVAL);
	igt_assert_eq(svm_device_get_param(dev, DRM_VSVM_PARAM_COUNT, &v),
		      -EINVAL);
	igt_assert_eq(svm_device_get_param(dev, DRM_VSVM_PARAM_VRAM_SIZE,
					   NULL), -EINVAL);
	igt_assert_eq(svm_device_get_param(NULL, DRM_VSVM_PARAM_VRAM_SIZE,
					   &v), -EINVAL);
	igt_assert_eq(svm_device_fd(NULL), -EINVAL);
	svm_device_unref(dev);
}

static void test_strerror(void)
{
	igt_assert(!strcmp(svm_strerror(0), "Success"));
	igt_assert(!strcmp(svm_strerror(-ENODEV), "No drm-svm device"));
	igt_assert(!strcmp(svm_strerror(-ENOSPC), "Out of device memory"));
	igt_assert(!strcmp(svm_strerror(-EINVAL), "Invalid argument"));
	igt_assert(!strcmp(svm_strerror(EINVAL), "Invalid argument"));
	igt_assert(!strcmp(svm_strerror(-100000), "Unknown error"));
}

int igt_main()
{
	igt_describe("svm_device_open_first() finds the vsvm node and svm_device_query() matches the uAPI.");
	igt_subtest("open-first")
		test_open_first();

	igt_describe("svm_device_open() by node path gives an independent handle.");
	igt_subtest("open-path")
		test_open_path();

	igt_describe("Bad paths and arguments give -errno, never a crash.");
	igt_subtest("open-errors")
		test_open_errors();

	igt_describe("A render node of another driver (virtio-gpu) is refused with -ENODEV.");
	igt_subtest("other-driver")
		test_other_driver();

	igt_describe("Handles are reference counted; the last unref closes the fd.");
	igt_subtest("refcount")
		test_refcount();

	igt_describe("NULL handles and bad parameters give -EINVAL.");
	igt_subtest("bad-args")
		test_bad_args();

	igt_describe("svm_strerror() describes library and system errors.");
	igt_subtest("strerror")
		test_strerror();
}
