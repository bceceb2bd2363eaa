// SPDX-License-Identifier: MIT
/*
 * Minimal DRM device opening for the IGT-compatible test layer.  Nodes
 * under /dev/dri are matched by their DRM driver name (DRM_IOCTL_VERSION
 * through libdrm's drmGetVersion()).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <xf86drm.h>

#include "drmtest.h"

#define DRM_DIR "/dev/dri"

static const struct {
	const char *name;
	unsigned int bit;
} known_drivers[] = {
	{ "i915", DRIVER_INTEL },
	{ "xe", DRIVER_XE },
	{ "vc4", DRIVER_VC4 },
	{ "vgem", DRIVER_VGEM },
	{ "amdgpu", DRIVER_AMDGPU },
	{ "v3d", DRIVER_V3D },
	{ "panfrost", DRIVER_PANFROST },
	{ "msm", DRIVER_MSM },
	{ "msm_drm", DRIVER_MSM },
	{ "vmwgfx", DRIVER_VMWGFX },
	{ "vkms", DRIVER_VKMS },
	{ "virtio_gpu", DRIVER_VIRTIO },
	{ "panthor", DRIVER_PANTHOR },
	{ "asahi", DRIVER_ASAHI },
	{ "powervr", DRIVER_POWERVR },
	{ "vsvm", DRIVER_VSVM },
};

static int ioctl_restart(int fd, unsigned long request, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, request, arg);
	} while (ret == -1 && (errno == EINTR || errno == EAGAIN));
	return ret;
}

int (*igt_ioctl)(int fd, unsigned long request, void *arg) = ioctl_restart;

static unsigned int driver_bit(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(known_drivers); i++)
		if (!strcmp(known_drivers[i].name, name))
			return known_drivers[i].bit;
	return DRIVER_OTHER;
}

int __get_drm_device_name(int fd, char *name, int name_size)
{
	drmVersionPtr v;

	if (name_size <= 0)
		return -EINVAL;

	v = drmGetVersion(fd);
	if (!v)
		return errno ? -errno : -ENODEV;

	snprintf(name, (size_t)name_size, "%s", v->name ? v->name : "");
	drmFreeVersion(v);
	return 0;
}

unsigned int drm_get_chipset(int fd)
{
	char name[64];

	if (__get_drm_device_name(fd, name, sizeof(name)))
		return 0;
	return driver_bit(name);
}

bool is_vsvm_device(int fd)
{
	return drm_get_chipset(fd) == DRIVER_VSVM;
}

void igt_require_vsvm(int fd)
{
	igt_require(is_vsvm_device(fd));
}

static int node_number(const char *name, const char *prefix)
{
	size_t plen = strlen(prefix);
	char *end;
	long n;

	if (strncmp(name, prefix, plen) || !name[plen])
		return -1;
	n = strtol(name + plen, &end, 10);
	if (*end || n < 0 || n > 0xffff)
		return -1;
	return (int)n;
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/*
 * Fill @nums with the sorted minor numbers of /dev/dri/<prefix>N nodes.
 * Returns the count, or -errno if the directory can't be read.
 */
static int list_nodes(const char *prefix, int *nums, int max)
{
	struct dirent *de;
	DIR *dir;
	int count = 0;

	dir = opendir(DRM_DIR);
	if (!dir)
		return -errno;

	while ((de = readdir(dir)) && count < max) {
		int n = node_number(de->d_name, prefix);

		if (n >= 0)
			nums[count++] = n;
	}
	closedir(dir);

	qsort(nums, (size_t)count, sizeof(*nums), cmp_int);
	return count;
}

/* Open @path if its driver matches @chipset (or, with @want, that name). */
static int try_node(const char *path, unsigned int chipset, const char *want)
{
	char name[64];
	int fd;

	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;

	if (__get_drm_device_name(fd, name, sizeof(name)) == 0) {
		if (want ? !strcmp(name, want) : (chipset & driver_bit(name)) != 0) {
			igt_debug("Opened %s (driver %s)\n", path, name);
			return fd;
		}
	}
	close(fd);
	return -ENODEV;
}

/*
 * --device / IGT_DEVICE: the "drm:/dev/dri/NODE" and "/dev/dri/NODE"
 * forms select one node; other filter kinds are not supported here.
 */
static const char *filter_path(void)
{
	const char *f = igt_device_filter;

	if (!f)
		return NULL;
	if (!strncmp(f, "drm:", 4))
		return f + 4;
	if (f[0] == '/')
		return f;
	igt_debug("Ignoring unsupported device filter \"%s\"\n", f);
	return NULL;
}

static int open_first(const char *prefix, unsigned int chipset,
		      const char *want, bool use_filter)
{
	const char *fpath = use_filter ? filter_path() : NULL;
	int nums[256];
	int count, err = -ENODEV;

	if (fpath) {
		int fd = try_node(fpath, chipset, want);

		return fd >= 0 ? fd : -1;
	}

	count = list_nodes(prefix, nums, (int)ARRAY_SIZE(nums));
	if (count < 0)
		return count;

	for (int i = 0; i < count; i++) {
		char path[64];
		int fd;

		snprintf(path, sizeof(path), DRM_DIR "/%s%d", prefix, nums[i]);
		fd = try_node(path, chipset, want);
		if (fd >= 0)
			return fd;
		if (fd != -ENODEV)
			err = fd;
	}

	/* Nothing matched: -1 as in IGT, or the open() error if there was one. */
	return err == -ENODEV ? -1 : err;
}

int __drm_open_driver(int chipset)
{
	return open_first("card", (unsigned int)chipset, NULL, true);
}

int __drm_open_driver_render(int chipset)
{
	return open_first("renderD", (unsigned int)chipset, NULL, true);
}

static const char *chipset_names(unsigned int chipset, char *buf, size_t len)
{
	unsigned int printed = 0;
	size_t used = 0;

	buf[0] = '\0';
	if ((chipset & (unsigned int)DRIVER_ANY) == (unsigned int)DRIVER_ANY) {
		snprintf(buf, len, "any");
		return buf;
	}
	for (size_t i = 0; i < ARRAY_SIZE(known_drivers); i++) {
		if (!(chipset & known_drivers[i].bit) ||
		    (printed & known_drivers[i].bit))
			continue;
		printed |= known_drivers[i].bit;
		used += (size_t)snprintf(buf + used, len > used ? len - used : 0,
					 "%s%s", used ? " " : "",
					 known_drivers[i].name);
		if (used >= len)
			break;
	}
	return buf;
}

static int open_or_skip(bool render, int chipset)
{
	char names[256];
	int fd;

	fd = render ? __drm_open_driver_render(chipset) :
		      __drm_open_driver(chipset);
	igt_skip_on_f(fd < 0, "No known gpu found for chipset flags 0x%x (%s)\n",
		      (unsigned int)chipset,
		      chipset_names((unsigned int)chipset, names, sizeof(names)));
	return fd;
}

int drm_open_driver(int chipset)
{
	return open_or_skip(false, chipset);
}

int drm_open_driver_render(int chipset)
{
	return open_or_skip(true, chipset);
}

int drm_open_driver_master(int chipset)
{
	int fd = drm_open_driver(chipset);

	igt_require_f(drmSetMaster(fd) == 0,
		      "Can't become DRM master, please check if no other DRM "
		      "client is running.\n");
	return fd;
}

int drm_open_render_by_name(const char *driver_name)
{
	int fd = open_first("renderD", 0, driver_name, false);

	return fd >= 0 ? fd : -ENODEV;
}

int __drm_close_driver(int fd)
{
	if (fd < 0)
		return -EBADF;
	return close(fd) ? -errno : 0;
}

int drm_close_driver(int fd)
{
	int ret = __drm_close_driver(fd);

	if (ret)
		igt_warn("Closing DRM fd %d failed: %s\n", fd, strerror(-ret));
	return ret;
}
