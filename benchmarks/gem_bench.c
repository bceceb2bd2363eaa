// SPDX-License-Identifier: MIT
/*
 * Copyright © 2026 The drm-svm authors
 *
 * GEM placement benchmarks, run in the test VM against peers measured in
 * the same run (see docs/benchmarks.md):
 *  - first-touch CPU fault rate of a mapped object in each placement vs a
 *    TTM-backed dumb buffer (bochs) and a shmem-backed one (virtio-gpu);
 *  - migration bandwidth SYSTEM<->VRAM and GTT<->VRAM vs memcpy.
 * Not a test: prints figures and ratios.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <xf86drm.h>
#include <xf86drmMode.h>

#include "libdrm_svm.h"
#include "vsvm_drm.h"

#define MiB (1024ull * 1024)

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double touch_pages(volatile char *p, uint64_t size)
{
	double t = now();
	uint64_t i;

	for (i = 0; i < size; i += 4096)
		p[i] = 1;
	return now() - t;
}

/* Open the primary node of a DRM driver by name, or -1. */
static int open_card(const char *driver)
{
	char path[64];
	int i, fd;

	for (i = 0; i < 16; i++) {
		drmVersionPtr v;

		snprintf(path, sizeof(path), "/dev/dri/card%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		v = drmGetVersion(fd);
		if (v && !strcmp(v->name, driver)) {
			drmFreeVersion(v);
			return fd;
		}
		drmFreeVersion(v);
		close(fd);
	}
	return -1;
}

struct touch_rates {
	double fault;	/* pages/s touching a buffer whose memory exists */
	double total;	/* pages/s for create + map + first touch */
};

/* Dumb buffers allocate at create: time create and faults separately. */
static struct touch_rates dumb_rates(const char *driver, uint64_t *size)
{
	struct touch_rates r = { 0, 0 };
	int fd = open_card(driver);
	struct drm_mode_create_dumb c = { .bpp = 32, .width = 4096 };
	double t0, t1, t2;
	int round;
	void *p;

	if (fd < 0)
		return r;
	for (; *size >= 16 * MiB; *size /= 2) {
		c.height = *size / (4096 * 4);
		if (!drmIoctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &c))
			break;
	}
	if (*size < 16 * MiB)
		goto out;
	drmIoctl(fd, DRM_IOCTL_MODE_DESTROY_DUMB,
		 &(struct drm_mode_destroy_dumb){ c.handle });
	for (round = 0; round < 3; round++) {
		struct drm_mode_map_dumb m = { 0 };

		t0 = now();
		if (drmIoctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &c))
			break;
		m.handle = c.handle;
		if (drmIoctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &m))
			break;
		p = mmap(NULL, *size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
			 m.offset);
		if (p == MAP_FAILED)
			break;
		t1 = now();
		t2 = touch_pages(p, *size);
		if (*size / 4096 / t2 > r.fault)
			r.fault = *size / 4096 / t2;
		if (*size / 4096 / (t1 - t0 + t2) > r.total)
			r.total = *size / 4096 / (t1 - t0 + t2);
		munmap(p, *size);
		drmIoctl(fd, DRM_IOCTL_MODE_DESTROY_DUMB,
			 &(struct drm_mode_destroy_dumb){ c.handle });
	}
out:
	close(fd);
	return r;
}

/*
 * drm_svm objects allocate on first touch: the first touch is the total;
 * a second mapping of the populated object measures the faults alone.
 */
static struct touch_rates svm_rates(struct svm_device *dev, uint32_t pl,
				    uint64_t size)
{
	struct touch_rates r = { 0, 0 };
	double t0, t1, t2;
	int round;
	uint32_t h;
	void *p;

	for (round = 0; round < 3; round++) {
		t0 = now();
		if (svm_bo_create(dev, size, 7, pl, 0, &h) ||
		    svm_bo_map(dev, h, size, &p))
			return r;
		t1 = now();
		t2 = touch_pages(p, size);
		if (size / 4096 / (t1 - t0 + t2) > r.total)
			r.total = size / 4096 / (t1 - t0 + t2);
		munmap(p, size);
		if (svm_bo_map(dev, h, size, &p))
			return r;
		t2 = touch_pages(p, size);
		if (size / 4096 / t2 > r.fault)
			r.fault = size / 4096 / t2;
		munmap(p, size);
		svm_bo_destroy(dev, h);
	}
	return r;
}

static double memcpy_bw(uint64_t size)
{
	char *a = malloc(size), *b = malloc(size);
	uint64_t inner = size >= 32 * MiB ? 1 : 32 * MiB / size, k;
	double t, best = 0;
	int round;

	memset(a, 1, size);
	memset(b, 2, size);
	for (round = 0; round < 5; round++) {
		t = now();
		for (k = 0; k < inner; k++) {
			memcpy(b, a, size);
			__asm__ volatile("" : : "r"(b) : "memory");
		}
		t = now() - t;
		if (size * inner / t > best)
			best = size * inner / t;
	}
	free(a);
	free(b);
	return best;
}

/* Best bandwidth of moving a populated object from @src to @dst. */
static double migrate_bw(struct svm_device *dev, uint64_t size, uint32_t src,
			 uint32_t dst)
{
	int round, reps = size < MiB ? 64 : size < 64 * MiB ? 8 : 2;
	double t, best = 0;
	uint32_t h;

	if (svm_bo_create(dev, size, 7, src, 0, &h))
		return 0;
	svm_bo_device_fill(dev, h, 0, size & ~3ull, 0x12345678);
	for (round = 0; round < reps; round++) {
		if (svm_bo_migrate(dev, h, 0, size, src, 0))
			break;
		t = now();
		if (svm_bo_migrate(dev, h, 0, size, dst, 0))
			break;
		t = now() - t;
		if (size / t > best)
			best = size / t;
	}
	svm_bo_destroy(dev, h);
	return best;
}

int main(int argc, char **argv)
{
	static const char *pl_name[] = { "SYSTEM", "GTT", "VRAM" };
	uint64_t sizes[] = { 4096, 16384, 65536, 262144, MiB, 2 * MiB, 4 * MiB,
			     16 * MiB, 64 * MiB, 256 * MiB };
	uint64_t fsize = 256 * MiB, ttm_size = fsize, shmem_size = fsize;
	struct svm_device *dev;
	struct touch_rates ttm, shmem;
	unsigned int i;
	uint32_t pl;

	if (svm_device_open_first(&dev)) {
		fprintf(stderr, "no vsvm device\n");
		return 1;
	}

	printf("== CPU faults, one write per 4 KiB page (pages/s)\n");
	printf("   fault: buffer memory exists; total: create + map + first touch\n");
	ttm = dumb_rates("bochs-drm", &ttm_size);
	shmem = dumb_rates("virtio_gpu", &shmem_size);
	printf("%-30s fault %9.0f  total %9.0f  (%llu MiB)\n",
	       "peer TTM dumb (bochs)", ttm.fault, ttm.total,
	       (unsigned long long)ttm_size >> 20);
	printf("%-30s fault %9.0f  total %9.0f  (%llu MiB)\n",
	       "peer shmem dumb (virtio-gpu)", shmem.fault, shmem.total,
	       (unsigned long long)shmem_size >> 20);
	for (pl = 0; pl < 3; pl++) {
		struct touch_rates r = svm_rates(dev, pl, fsize);

		printf("drm_svm %-22s fault %9.0f  total %9.0f  (%llu MiB)\n",
		       pl_name[pl], r.fault, r.total,
		       (unsigned long long)fsize >> 20);
		printf("    ratios: fault x%.2f TTM x%.2f shmem; total x%.2f TTM x%.2f shmem\n",
		       ttm.fault ? r.fault / ttm.fault : 0,
		       shmem.fault ? r.fault / shmem.fault : 0,
		       ttm.total ? r.total / ttm.total : 0,
		       shmem.total ? r.total / shmem.total : 0);
	}

	printf("\n== migration bandwidth vs memcpy (MB/s, ratio)\n");
	printf("%10s %10s %16s %16s %16s %16s\n", "size", "memcpy",
	       "SYSTEM->VRAM", "VRAM->SYSTEM", "GTT->VRAM", "VRAM->GTT");
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint64_t s = sizes[i];
		double mc = memcpy_bw(s);
		double bw[4] = {
			migrate_bw(dev, s, DRM_VSVM_PL_SYSTEM, DRM_VSVM_PL_VRAM),
			migrate_bw(dev, s, DRM_VSVM_PL_VRAM, DRM_VSVM_PL_SYSTEM),
			migrate_bw(dev, s, DRM_VSVM_PL_GTT, DRM_VSVM_PL_VRAM),
			migrate_bw(dev, s, DRM_VSVM_PL_VRAM, DRM_VSVM_PL_GTT),
		};
		int k;

		printf("%9lluK %10.0f", (unsigned long long)s >> 10, mc / 1e6);
		for (k = 0; k < 4; k++)
			printf(" %9.0f x%4.2f", bw[k] / 1e6, bw[k] / mc);
		printf("\n");
	}
	svm_device_unref(dev);
	(void)argc;
	(void)argv;
	return 0;
}
