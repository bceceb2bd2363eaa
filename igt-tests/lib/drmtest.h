/* SPDX-License-Identifier: MIT */
/*
 * drmtest.h - minimal IGT-compatible DRM device helpers: open the first
 * DRM node whose driver matches a chipset mask, skipping the (sub)test
 * when there is none.
 */
#ifndef DRMTEST_H
#define DRMTEST_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <unistd.h>

#include <xf86drm.h>

#include "igt_core.h"

/* Chipset bits, same values as IGT where IGT has them. */
#define DRIVER_INTEL	(1 << 0)
#define DRIVER_VC4	(1 << 1)
#define DRIVER_VGEM	(1 << 2)
#define DRIVER_AMDGPU	(1 << 3)
#define DRIVER_V3D	(1 << 4)
#define DRIVER_PANFROST	(1 << 5)
#define DRIVER_MSM	(1 << 6)
#define DRIVER_XE	(1 << 7)
#define DRIVER_VMWGFX	(1 << 8)
#define DRIVER_VKMS	(1 << 9)
#define DRIVER_VIRTIO	(1 << 10)
#define DRIVER_PANTHOR	(1 << 11)
#define DRIVER_ASAHI	(1 << 12)
#define DRIVER_POWERVR	(1 << 13)
/* Our virtual SVM GPU (not an upstream IGT bit). */
#define DRIVER_VSVM	(1 << 24)
/* Any driver this layer has no bit for. */
#define DRIVER_OTHER	(1 << 30)

/*
 * As in IGT, DRIVER_ANY leaves out the purely virtual vgem, vkms and
 * virtio-gpu, which would otherwise win on machines that also have a real
 * device.  vsvm and unknown drivers are included.
 */
#define DRIVER_ANY	~(DRIVER_VGEM | DRIVER_VKMS | DRIVER_VIRTIO)

#ifndef ALIGN
#define ALIGN(v, a) (((v) + (typeof(v))(a) - 1) & ~((typeof(v))(a) - 1))
#endif
#ifndef ALIGN_DOWN
#define ALIGN_DOWN(v, a) ((v) & ~((typeof(v))(a) - 1))
#endif
#ifndef IS_ALIGNED
#define IS_ALIGNED(v, a) (((v) & ((typeof(v))(a) - 1)) == 0)
#endif

/* Open helpers.  The __ variants return a negative value instead of skipping. */
int __drm_open_driver(int chipset);
int __drm_open_driver_render(int chipset);
int drm_open_driver(int chipset);
int drm_open_driver_render(int chipset);
int drm_open_driver_master(int chipset);
int __drm_close_driver(int fd);
int drm_close_driver(int fd);

/* First render node driven by @driver_name, or -ENODEV. */
int drm_open_render_by_name(const char *driver_name);

/* Copies the DRM driver name of @fd into @name; 0 or -errno. */
int __get_drm_device_name(int fd, char *name, int name_size);

/* The DRIVER_* bit of the driver behind @fd (DRIVER_OTHER if unknown, 0 on error). */
unsigned int drm_get_chipset(int fd);

bool is_vsvm_device(int fd);
void igt_require_vsvm(int fd);

/* ioctl wrapper used by do_ioctl(); restarts on EINTR/EAGAIN. */
extern int (*igt_ioctl)(int fd, unsigned long request, void *arg);

#define do_or_die(x) igt_assert((x) == 0)

#define do_ioctl(fd, ioc, ioc_data) do { \
	igt_assert_eq(igt_ioctl((fd), (ioc), (ioc_data)), 0); \
	errno = 0; \
} while (0)

#define do_ioctl_err(fd, ioc, ioc_data, err) do { \
	igt_assert_eq(igt_ioctl((fd), (ioc), (ioc_data)), -1); \
	igt_assert_eq(errno, (err)); \
	errno = 0; \
} while (0)

#endif /* DRMTEST_H */
