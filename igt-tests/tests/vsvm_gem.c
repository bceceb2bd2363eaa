// SPDX-License-Identifier: MIT
/*
 * Copyright © 2026 The drm-svm authors
 */

/**
 * TEST: vsvm gem
 * Description: GEM objects whose single CPU mapping follows their chunks
 *              between SYSTEM, GTT and VRAM: data integrity across every
 *              placement pair, CPU faults on invisible VRAM, eviction under
 *              oversubscription, concurrency and teardown, bad input.
 * Category: Core
 * Mega feature: drm-svm
 * Sub-category: GEM placements
 */

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <xf86drm.h>

#include "igt.h"
#include "igt_vsvm.h"

#define MiB (1024ull * 1024)
#define ALL_PL (DRM_VSVM_PL_MASK(DRM_VSVM_PL_SYSTEM) | \
		DRM_VSVM_PL_MASK(DRM_VSVM_PL_GTT) | \
		DRM_VSVM_PL_MASK(DRM_VSVM_PL_VRAM))

static const char *pl_name[] = { "system", "gtt", "vram" };

/* A pattern that differs per word, per seed. */
static uint32_t pat(uint64_t i, uint32_t seed)
{
	uint64_t x = (i + 1) * 0x9e3779b97f4a7c15ull ^ seed;

	return (uint32_t)(x >> 29) ^ (uint32_t)x;
}

static void fill_pattern(uint32_t *p, uint64_t size, uint32_t seed)
{
	uint64_t i;

	for (i = 0; i < size / 4; i++)
		p[i] = pat(i, seed);
}

/* First mismatching word index, or -1. */
static int64_t check_pattern(const uint32_t *p, uint64_t size, uint32_t seed)
{
	uint64_t i;

	for (i = 0; i < size / 4; i++)
		if (p[i] != pat(i, seed))
			return i;
	return -1;
}

static void assert_pattern(const uint32_t *p, uint64_t size, uint32_t seed,
			   const char *what)
{
	int64_t bad = check_pattern(p, size, seed);

	igt_assert_f(bad < 0, "%s: word %lld is 0x%08x, expected 0x%08x\n",
		     what, (long long)bad, bad < 0 ? 0 : p[bad],
		     bad < 0 ? 0 : pat(bad, seed));
}

/* The device's view of the whole object must match the pattern. */
static void assert_device_pattern(int fd, uint32_t handle, uint64_t size,
				  uint32_t seed)
{
	uint32_t *buf = malloc(size);

	igt_assert(buf);
	vsvm_gem_read(fd, handle, 0, buf, size);
	assert_pattern(buf, size, seed, "device view");
	free(buf);
}

static void assert_all_placed(int fd, uint32_t handle, uint32_t pl)
{
	uint32_t p[512], n, i;

	n = vsvm_gem_placements(fd, handle, p, NULL, 512);
	for (i = 0; i < n && i < 512; i++)
		igt_assert_f(p[i] == pl, "chunk %u in %s, expected %s\n", i,
			     pl_name[p[i]], pl_name[pl]);
}

static uint64_t vram_used(int fd)
{
	return vsvm_get_param(fd, DRM_VSVM_PARAM_VRAM_USED);
}

static void wait_vram_idle(int fd)
{
	int i;

	/* Memory of finished moves is freed from a worker: allow a moment. */
	for (i = 0; i < 200 && vram_used(fd); i++)
		usleep(10000);
	igt_assert_eq_u64(vram_used(fd), 0);
}

/* Unmap and close an object; all VRAM must come back. */
static void release(int fd, uint32_t h, void *p, uint64_t size)
{
	munmap(p, size);
	vsvm_gem_close(fd, h);
	wait_vram_idle(fd);
}

static void test_create(int fd)
{
	struct drm_vsvm_chunk_state st[8];
	uint64_t chunk_size = 0;
	uint32_t handle, n = 0, i;

	handle = vsvm_gem_create(fd, 8 * MiB, ALL_PL, DRM_VSVM_PL_VRAM, 0);
	igt_assert_eq(__vsvm_gem_residency(fd, handle, st, 8, &n, &chunk_size),
		      0);
	igt_assert_eq(n, 4);
	igt_assert_eq_u64(chunk_size, 2 * MiB);
	for (i = 0; i < n; i++) {
		igt_assert_eq(st[i].placement, DRM_VSVM_PL_VRAM);
		igt_assert_eq(st[i].flags & DRM_VSVM_CHUNK_POPULATED, 0);
	}
	/* Nothing is allocated before first use. */
	igt_assert_eq_u64(vram_used(fd), 0);
	vsvm_gem_close(fd, handle);

	/* Small objects get a small chunk. */
	handle = vsvm_gem_create(fd, 12345, ALL_PL, DRM_VSVM_PL_SYSTEM, 0);
	igt_assert_eq(__vsvm_gem_residency(fd, handle, NULL, 0, &n,
					   &chunk_size), 0);
	igt_assert_eq(n, 1);
	igt_assert_eq_u64(chunk_size, 16384);
	vsvm_gem_close(fd, handle);
}

static void test_bad_create(int fd)
{
	struct {
		uint64_t size;
		uint32_t placements, preferred, flags, shift;
	} bad[] = {
		{ 0, ALL_PL, 0, 0, 0 },
		{ 4096, 0, 0, 0, 0 },
		{ 4096, 1u << 3, 0, 0, 0 },
		{ 4096, ALL_PL | (1u << 31), 0, 0, 0 },
		{ 4096, DRM_VSVM_PL_MASK(DRM_VSVM_PL_GTT), DRM_VSVM_PL_SYSTEM, 0, 0 },
		{ 4096, ALL_PL, 3, 0, 0 },
		{ 4096, ALL_PL, 0xffffffff, 0, 0 },
		{ 4096, ALL_PL, 0, 1u << 2, 0 },
		{ 4096, ALL_PL, 0, 1u << 31, 0 },
		{ 4096, ALL_PL, 0, 0, 11 },
		{ 4096, ALL_PL, 0, 0, 31 },
		{ 4096, ALL_PL, 0, 0, 0xffffffff },
	};
	struct drm_vsvm_gem_create c = {
		.size = 4096, .placements = ALL_PL, .pad = 1,
	};
	uint32_t handle;
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		igt_assert_f(__vsvm_gem_create(fd, bad[i].size, bad[i].placements,
					       bad[i].preferred, bad[i].flags,
					       bad[i].shift, &handle) == -EINVAL,
			     "case %u accepted\n", i);
	igt_assert_eq(__vsvm_ioctl(fd, DRM_IOCTL_VSVM_GEM_CREATE, &c), -EINVAL);
	/*
	 * No object larger than its placements can hold (RAM, GTT, VRAM),
	 * nor of more than 2^20 chunks: the chunk array of 1 TiB in 4 KiB
	 * chunks (gigabytes, an allocator warning) is refused up front.
	 */
	igt_assert_eq(__vsvm_gem_create(fd, 1ull << 40, ALL_PL, 0, 0, 12,
					&handle), -E2BIG);
	igt_assert_eq(__vsvm_gem_create(fd, 1ull << 41, ALL_PL, 0, 0, 0,
					&handle), -E2BIG);
	igt_assert_eq(__vsvm_gem_create(fd, ~0ull, ALL_PL, 0, 0, 0,
					&handle), -E2BIG);
	igt_assert_eq(__vsvm_gem_create(fd, (1ull << 32) + 4096, ALL_PL, 0, 0,
					12, &handle), -E2BIG);
	igt_assert_eq(__vsvm_gem_create(fd, 1ull << 28, ALL_PL, 0, 0, 12,
					&handle), 0);
	vsvm_gem_close(fd, handle);
}

/*
 * The size limit is the memory of the placements: a SYSTEM object up to
 * the device's system-memory limit (half of RAM by default), a VRAM-only
 * object up to the VRAM size. Nothing larger can
 * ever be populated whole (a PRIME export or a pin needs all of it).
 */
static void test_size_limits(int fd)
{
	uint64_t vram = vsvm_get_param(fd, DRM_VSVM_PARAM_VRAM_SIZE);
	uint64_t ram = vsvm_get_param(fd, DRM_VSVM_PARAM_SYSTEM_SIZE);
	uint32_t handle;

	igt_assert_eq(__vsvm_gem_create(fd, ram + 4096, ALL_PL,
					DRM_VSVM_PL_SYSTEM, 0, 0, &handle),
		      -E2BIG);
	igt_assert_eq(__vsvm_gem_create(fd, ram, ALL_PL, DRM_VSVM_PL_SYSTEM,
					0, 0, &handle), 0);
	vsvm_gem_close(fd, handle);
	igt_assert_eq(__vsvm_gem_create(fd, vram + 4096,
					DRM_VSVM_PL_MASK(DRM_VSVM_PL_VRAM),
					DRM_VSVM_PL_VRAM, 0, 0, &handle),
		      -E2BIG);
	igt_assert_eq(__vsvm_gem_create(fd, vram,
					DRM_VSVM_PL_MASK(DRM_VSVM_PL_VRAM),
					DRM_VSVM_PL_VRAM, 0, 0, &handle), 0);
	vsvm_gem_close(fd, handle);
}

/*
 * A migration of the largest object (nothing allocated yet) to VRAM: what the call allocates does not grow with the range (it used
 * to size its arrays by it: gigabytes for 256 GiB, an allocator warning),
 * VRAM fills and the call fails cleanly, the object closes.
 */
static void test_huge_migrate(int fd)
{
	uint64_t size = vsvm_get_param(fd, DRM_VSVM_PARAM_SYSTEM_SIZE);
	uint32_t handle;
	int ret;

	igt_assert_eq(__vsvm_gem_create(fd, size, ALL_PL, DRM_VSVM_PL_SYSTEM,
					0, 0, &handle), 0);
	ret = __vsvm_gem_migrate(fd, handle, DRM_VSVM_PL_VRAM, 0, size, 0, 0);
	igt_assert_f(ret == -ENOSPC || ret == -ENOMEM,
		     "migrating %llu bytes to VRAM gave %d\n",
		     (unsigned long long)size, ret);
	vsvm_gem_close(fd, handle);
}

static void test_bad_handle(int fd)
{
	struct drm_vsvm_chunk_state st;
	uint64_t off;
	uint32_t n;
	char buf[64];
	uint32_t bad[] = { 0, 12345, 0xffffffff };
	unsigned int i;

	for (i = 0; i < 3; i++) {
		igt_assert_eq(__vsvm_gem_mmap_offset(fd, bad[i], &off), -ENOENT);
		igt_assert_eq(__vsvm_gem_migrate(fd, bad[i], DRM_VSVM_PL_VRAM,
						 0, 4096, 0, 0), -ENOENT);
		igt_assert_eq(__vsvm_gem_residency(fd, bad[i], &st, 1, &n,
						   NULL), -ENOENT);
		igt_assert_eq(__vsvm_gem_access(fd, bad[i], DRM_VSVM_ACCESS_READ,
						0, sizeof(buf), buf, 0), -ENOENT);
	}
}

static void test_bad_migrate(int fd)
{
	uint32_t h = vsvm_gem_create(fd, 4 * MiB, DRM_VSVM_PL_MASK(DRM_VSVM_PL_SYSTEM) |
				     DRM_VSVM_PL_MASK(DRM_VSVM_PL_VRAM),
				     DRM_VSVM_PL_SYSTEM, 0);

	igt_assert_eq(__vsvm_gem_migrate(fd, h, DRM_VSVM_PL_GTT, 0, 4096, 0, 0),
		      -EINVAL);
	igt_assert_eq(__vsvm_gem_migrate(fd, h, 3, 0, 4096, 0, 0), -EINVAL);
	igt_assert_eq(__vsvm_gem_migrate(fd, h, DRM_VSVM_PL_VRAM, 0, 0, 0, 0),
		      -EINVAL);
	igt_assert_eq(__vsvm_gem_migrate(fd, h, DRM_VSVM_PL_VRAM, 4 * MiB,
					 4096, 0, 0), -EINVAL);
	igt_assert_eq(__vsvm_gem_migrate(fd, h, DRM_VSVM_PL_VRAM, 4096,
					 4 * MiB, 0, 0), -EINVAL);
	igt_assert_eq(__vsvm_gem_migrate(fd, h, DRM_VSVM_PL_VRAM, ~0ull - 10,
					 4096, 0, 0), -EINVAL);
	igt_assert_eq(__vsvm_gem_migrate(fd, h, DRM_VSVM_PL_VRAM, 0, ~0ull,
					 0, 0), -EINVAL);
	igt_assert_eq(__vsvm_gem_migrate(fd, h, DRM_VSVM_PL_VRAM, 0, 4096,
					 1u << 5, 0), -EINVAL);
	igt_assert_eq(__vsvm_gem_migrate(fd, h, DRM_VSVM_PL_SYSTEM, 0, 4096,
					 DRM_VSVM_MIGRATE_VISIBLE, 0), -EINVAL);
	igt_assert_eq(__vsvm_gem_migrate(fd, h, DRM_VSVM_PL_VRAM, 0, 4096, 0,
					 4242), -ENOENT);
	/* Nothing moved. */
	assert_all_placed(fd, h, DRM_VSVM_PL_SYSTEM);
	vsvm_gem_close(fd, h);
}

static void test_bad_access(int fd)
{
	uint32_t h = vsvm_gem_create(fd, 1 * MiB, ALL_PL, DRM_VSVM_PL_SYSTEM, 0);
	struct drm_vsvm_gem_access a = {
		.handle = h, .op = DRM_VSVM_ACCESS_READ, .size = 4,
	};
	char buf[16];

	igt_assert_eq(__vsvm_gem_access(fd, h, 3, 0, 4, buf, 0), -EINVAL);
	igt_assert_eq(__vsvm_gem_access(fd, h, DRM_VSVM_ACCESS_READ, 0, 0, buf,
					0), -EINVAL);
	igt_assert_eq(__vsvm_gem_access(fd, h, DRM_VSVM_ACCESS_READ, MiB, 4,
					buf, 0), -EINVAL);
	igt_assert_eq(__vsvm_gem_access(fd, h, DRM_VSVM_ACCESS_READ, MiB - 2, 4,
					buf, 0), -EINVAL);
	igt_assert_eq(__vsvm_gem_access(fd, h, DRM_VSVM_ACCESS_READ, ~0ull, 4,
					buf, 0), -EINVAL);
	igt_assert_eq(__vsvm_gem_access(fd, h, DRM_VSVM_ACCESS_READ, 0, 4, buf,
					7), -EINVAL);
	igt_assert_eq(__vsvm_gem_access(fd, h, DRM_VSVM_ACCESS_FILL, 0, 4, buf,
					7), -EINVAL);
	igt_assert_eq(__vsvm_gem_access(fd, h, DRM_VSVM_ACCESS_FILL, 2, 4, NULL,
					7), -EINVAL);
	igt_assert_eq(__vsvm_gem_access(fd, h, DRM_VSVM_ACCESS_FILL, 0, 6, NULL,
					7), -EINVAL);
	igt_assert_eq(__vsvm_gem_access(fd, h, DRM_VSVM_ACCESS_READ, 0, 16,
					(void *)8, 0), -EFAULT);
	igt_assert_eq(__vsvm_gem_access(fd, h, DRM_VSVM_ACCESS_WRITE, 0, 16,
					(void *)8, 0), -EFAULT);
	a.flags = 1;
	igt_assert_eq(__vsvm_ioctl(fd, DRM_IOCTL_VSVM_GEM_ACCESS, &a), -EINVAL);
	vsvm_gem_close(fd, h);
}

static void test_bad_mmap(int fd)
{
	uint32_t h = vsvm_gem_create(fd, 1 * MiB, ALL_PL, DRM_VSVM_PL_SYSTEM, 0);
	struct drm_vsvm_gem_mmap_offset m = { .handle = h, .flags = 1 };
	struct drm_vsvm_gem_residency r = { .handle = h, .pad = 1 };
	uint64_t off;
	void *p;

	igt_assert_eq(__vsvm_ioctl(fd, DRM_IOCTL_VSVM_GEM_MMAP_OFFSET, &m),
		      -EINVAL);
	igt_assert_eq(__vsvm_ioctl(fd, DRM_IOCTL_VSVM_GEM_RESIDENCY, &r),
		      -EINVAL);
	igt_assert_eq(__vsvm_gem_mmap_offset(fd, h, &off), 0);
	/* PFN mappings cannot be private (copy-on-write). */
	p = mmap(NULL, MiB, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, off);
	igt_assert(p == MAP_FAILED);
	igt_assert_eq(errno, EINVAL);
	/* Larger than the object. */
	p = mmap(NULL, 2 * MiB, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off);
	igt_assert(p == MAP_FAILED);
	vsvm_gem_close(fd, h);
}

/* CPU first touch populates the preferred placement. */
static void test_first_touch(int fd, uint32_t pl)
{
	uint64_t size = 6 * MiB;
	uint32_t h = vsvm_gem_create(fd, size, ALL_PL, pl, 0);
	uint32_t *p = vsvm_gem_mmap(fd, h, size);
	uint32_t flags[8], n, i;

	fill_pattern(p, size, 1);
	assert_pattern(p, size, 1, "cpu view");
	assert_device_pattern(fd, h, size, 1);
	n = vsvm_gem_placements(fd, h, NULL, flags, 8);
	for (i = 0; i < n; i++)
		igt_assert(flags[i] & DRM_VSVM_CHUNK_POPULATED);
	assert_all_placed(fd, h, pl);
	munmap(p, size);
	vsvm_gem_close(fd, h);
	if (pl == DRM_VSVM_PL_VRAM)
		wait_vram_idle(fd);
}

/*
 * The object stays mapped the whole time: data written by the CPU in @src
 * must read back identical from CPU and device after the move to @dst, and
 * CPU writes after the move must reach the device.
 */
static void test_migrate_pair(int fd, uint32_t src, uint32_t dst)
{
	uint64_t size = 8 * MiB + 4096 * 3;
	uint32_t h = vsvm_gem_create(fd, size, ALL_PL, DRM_VSVM_PL_SYSTEM, 0);
	uint32_t *p = vsvm_gem_mmap(fd, h, size);

	vsvm_gem_migrate(fd, h, src, 0, size);
	fill_pattern(p, size, 2);
	/* Device migration policy may have moved it on CPU fault: re-place. */
	vsvm_gem_migrate(fd, h, src, 0, size);
	assert_device_pattern(fd, h, size, 2);

	vsvm_gem_migrate(fd, h, dst, 0, size);
	assert_all_placed(fd, h, dst);
	assert_device_pattern(fd, h, size, 2);
	assert_pattern(p, size, 2, "cpu view after move");

	fill_pattern(p, size, 3);
	assert_device_pattern(fd, h, size, 3);
	vsvm_gem_migrate(fd, h, src, 0, size);
	assert_pattern(p, size, 3, "cpu view after move back");
	assert_device_pattern(fd, h, size, 3);

	release(fd, h, p, size);
}

static void test_partial(int fd)
{
	uint64_t size = 8 * MiB;
	uint32_t h = vsvm_gem_create(fd, size, ALL_PL, DRM_VSVM_PL_SYSTEM, 0);
	uint32_t *p = vsvm_gem_mmap(fd, h, size);
	uint32_t pl[4];

	fill_pattern(p, size, 4);
	/* One byte range inside chunk 1 and the first byte of chunk 2. */
	vsvm_gem_migrate(fd, h, DRM_VSVM_PL_VRAM, 2 * MiB + 100, 2 * MiB - 99);
	igt_assert_eq(vsvm_gem_placements(fd, h, pl, NULL, 4), 4);
	igt_assert_eq(pl[0], DRM_VSVM_PL_SYSTEM);
	igt_assert_eq(pl[1], DRM_VSVM_PL_VRAM);
	igt_assert_eq(pl[2], DRM_VSVM_PL_VRAM);
	igt_assert_eq(pl[3], DRM_VSVM_PL_SYSTEM);
	assert_device_pattern(fd, h, size, 4);
	igt_assert_eq_u64(vram_used(fd), 4 * MiB);
	release(fd, h, p, size);
}

static bool small_bar(int fd)
{
	return vsvm_get_param(fd, DRM_VSVM_PARAM_VISIBLE_VRAM_SIZE) <
		vsvm_get_param(fd, DRM_VSVM_PARAM_VRAM_SIZE);
}

/* CPU access to invisible VRAM migrates the chunk (to SYSTEM by default). */
static void test_invisible(int fd, uint32_t flags)
{
	uint64_t size = 8 * MiB;
	uint32_t h, *p, pl[4], fl[4];
	uint32_t *buf = malloc(size);

	igt_require_f(small_bar(fd), "needs CPU-invisible VRAM\n");
	h = vsvm_gem_create(fd, size, ALL_PL, DRM_VSVM_PL_VRAM, flags);
	fill_pattern(buf, size, 5);
	vsvm_gem_write(fd, h, 0, buf, size);
	vsvm_gem_migrate(fd, h, DRM_VSVM_PL_VRAM, 0, size);
	igt_assert_eq(vsvm_gem_placements(fd, h, pl, fl, 4), 4);
	igt_assert(!(fl[1] & DRM_VSVM_CHUNK_VISIBLE));

	p = vsvm_gem_mmap(fd, h, size);
	/* Touch chunk 1 only. */
	igt_assert_eq_u32(p[(2 * MiB) / 4 + 7], pat((2 * MiB) / 4 + 7, 5));
	igt_assert_eq(vsvm_gem_placements(fd, h, pl, fl, 4), 4);
	if (flags & DRM_VSVM_GEM_CPU_PREFER_VISIBLE) {
		igt_assert_eq(pl[1], DRM_VSVM_PL_VRAM);
		igt_assert(fl[1] & DRM_VSVM_CHUNK_VISIBLE);
	} else {
		igt_assert_eq(pl[1], DRM_VSVM_PL_SYSTEM);
	}
	/* The chunks the CPU did not touch stayed in invisible VRAM. */
	igt_assert_eq(pl[0], DRM_VSVM_PL_VRAM);
	igt_assert(!(fl[0] & DRM_VSVM_CHUNK_VISIBLE));
	igt_assert_eq(pl[3], DRM_VSVM_PL_VRAM);
	assert_pattern(p, size, 5, "cpu view");
	assert_device_pattern(fd, h, size, 5);
	munmap(p, size);
	vsvm_gem_close(fd, h);
	free(buf);
	wait_vram_idle(fd);
}

/* Visible VRAM is mapped through the aperture: CPU access does not move it. */
static void test_visible(int fd)
{
	uint64_t size = 4 * MiB;
	uint32_t h = vsvm_gem_create(fd, size, ALL_PL, DRM_VSVM_PL_SYSTEM, 0);
	uint32_t *p = vsvm_gem_mmap(fd, h, size);
	uint32_t pl[2], fl[2];

	fill_pattern(p, size, 6);
	igt_assert_eq(__vsvm_gem_migrate(fd, h, DRM_VSVM_PL_VRAM, 0, size,
					 DRM_VSVM_MIGRATE_VISIBLE, 0), 0);
	assert_pattern(p, size, 6, "cpu view");
	fill_pattern(p, size, 7);
	igt_assert_eq(vsvm_gem_placements(fd, h, pl, fl, 2), 2);
	igt_assert_eq(pl[0], DRM_VSVM_PL_VRAM);
	igt_assert_eq(pl[1], DRM_VSVM_PL_VRAM);
	igt_assert(fl[0] & DRM_VSVM_CHUNK_VISIBLE);
	igt_assert(fl[1] & DRM_VSVM_CHUNK_VISIBLE);
	assert_device_pattern(fd, h, size, 7);
	release(fd, h, p, size);
}

/* Managed-memory policy: any CPU access brings the chunk to SYSTEM. */
static void test_cpu_migrate_system(int fd)
{
	uint64_t size = 4 * MiB;
	uint32_t h = vsvm_gem_create(fd, size, ALL_PL, DRM_VSVM_PL_VRAM,
				     DRM_VSVM_GEM_CPU_MIGRATE_SYSTEM);
	uint32_t *p = vsvm_gem_mmap(fd, h, size);

	vsvm_gem_fill(fd, h, 0, size, 0xabcd1234);
	assert_all_placed(fd, h, DRM_VSVM_PL_VRAM);
	igt_assert_eq_u32(p[12345], 0xabcd1234);
	igt_assert_eq_u32(p[size / 4 - 1], 0xabcd1234);
	assert_all_placed(fd, h, DRM_VSVM_PL_SYSTEM);
	release(fd, h, p, size);
}

struct writer {
	uint32_t *p;
	uint64_t words;
	volatile int stop;
	uint32_t passes;
};

static void *writer_fn(void *arg)
{
	struct writer *w = arg;
	uint64_t i;

	while (!w->stop) {
		w->passes++;
		for (i = 0; i < w->words; i++)
			w->p[i] = w->passes;
	}
	return NULL;
}

/* A CPU thread writes the chunk while it migrates back and forth. */
static void test_cpu_write_during_migration(int fd)
{
	uint64_t size = 4 * MiB;
	uint32_t h = vsvm_gem_create(fd, size, ALL_PL, DRM_VSVM_PL_SYSTEM, 0);
	struct writer w = { .p = vsvm_gem_mmap(fd, h, size), .words = size / 4 };
	uint32_t *buf = malloc(size);
	pthread_t th;
	uint64_t i;
	int n;

	igt_assert(buf);
	igt_assert_eq(pthread_create(&th, NULL, writer_fn, &w), 0);
	/* Async moves, every fourth one waited for, over several passes. */
	for (n = 0; n < 2000 && (n < 24 || w.passes < 4); n++)
		igt_assert_eq(__vsvm_gem_migrate(fd, h, n % 3, 0, size,
						 n % 4 ? DRM_VSVM_MIGRATE_ASYNC : 0,
						 0), 0);
	w.stop = 1;
	pthread_join(th, NULL);
	igt_info("%u writer passes during %d migrations\n", w.passes, n);
	igt_assert(w.passes >= 2);
	/* The last complete pass must be everywhere, nothing older. */
	vsvm_gem_read(fd, h, 0, buf, size);
	for (i = 0; i < size / 4; i++) {
		igt_assert_eq_u32(buf[i], w.passes);
		igt_assert_eq_u32(w.p[i], w.passes);
	}
	munmap(w.p, size);
	vsvm_gem_close(fd, h);
	free(buf);
	wait_vram_idle(fd);
}

struct toucher {
	uint32_t *p;
	uint64_t words;
	int id, nthreads;
};

static void *toucher_fn(void *arg)
{
	struct toucher *t = arg;
	uint64_t i;

	/* Interleaved pages: every chunk is faulted by every thread. */
	for (i = t->id * 1024; i < t->words; i += 1024 * t->nthreads)
		t->p[i] = pat(i, 8);
	return NULL;
}

static void test_threads_fault(int fd)
{
	uint64_t size = 16 * MiB;
	uint32_t h = vsvm_gem_create(fd, size, ALL_PL, DRM_VSVM_PL_VRAM, 0);
	uint32_t *p = vsvm_gem_mmap(fd, h, size);
	struct toucher t[8];
	pthread_t th[8];
	uint32_t *buf = malloc(size);
	uint64_t i;
	int n;

	for (n = 0; n < 8; n++) {
		t[n] = (struct toucher){ p, size / 4, n, 8 };
		igt_assert_eq(pthread_create(&th[n], NULL, toucher_fn, &t[n]), 0);
	}
	for (n = 0; n < 8; n++)
		pthread_join(th[n], NULL);
	vsvm_gem_read(fd, h, 0, buf, size);
	for (i = 0; i < size / 4; i++)
		igt_assert_eq_u32(buf[i], i % 1024 ? 0 : pat(i, 8));
	munmap(p, size);
	vsvm_gem_close(fd, h);
	free(buf);
	wait_vram_idle(fd);
}

/* A forked child shares the mapping (MAP_SHARED) across moves. */
static void test_fork(int fd)
{
	uint64_t size = 4 * MiB;
	uint32_t h = vsvm_gem_create(fd, size, ALL_PL, DRM_VSVM_PL_SYSTEM, 0);
	uint32_t *p = vsvm_gem_mmap(fd, h, size);

	fill_pattern(p, size, 9);
	igt_fork(child, 1) {
		assert_pattern(p, size, 9, "child view");
		/* visible VRAM: the child's CPU writes do not move it back */
		igt_assert_eq(__vsvm_gem_migrate(fd, h, DRM_VSVM_PL_VRAM, 0,
						 size, DRM_VSVM_MIGRATE_VISIBLE,
						 0), 0);
		fill_pattern(p, size, 10);
	}
	igt_waitchildren();
	assert_all_placed(fd, h, DRM_VSVM_PL_VRAM);
	assert_pattern(p, size, 10, "parent view");
	assert_device_pattern(fd, h, size, 10);
	release(fd, h, p, size);
}

/* Unmapping and closing while moves are in flight. */
static void test_close_while_migrating(int fd)
{
	uint64_t size = 32 * MiB;
	int round;

	for (round = 0; round < 4; round++) {
		uint32_t h = vsvm_gem_create(fd, size, ALL_PL,
					     DRM_VSVM_PL_SYSTEM, 0);
		uint32_t *p = vsvm_gem_mmap(fd, h, size);

		fill_pattern(p, size, round);
		igt_assert_eq(__vsvm_gem_migrate(fd, h, DRM_VSVM_PL_VRAM, 0,
						 size, DRM_VSVM_MIGRATE_ASYNC,
						 0), 0);
		if (round & 1) {
			munmap(p, size);
			vsvm_gem_close(fd, h);
		} else {
			vsvm_gem_close(fd, h);
			munmap(p, size);
		}
	}
	wait_vram_idle(fd);
}

/* A process killed with moves in flight gives all its VRAM back. */
static void test_killed_mid_migration(int fd)
{
	pid_t pid = fork();
	int status;

	igt_assert(pid >= 0);
	if (!pid) {
		int cfd = drm_open_driver_render(DRIVER_VSVM);
		uint64_t size = 64 * MiB;
		uint32_t h = vsvm_gem_create(cfd, size, ALL_PL,
					     DRM_VSVM_PL_SYSTEM, 0);

		vsvm_gem_fill(cfd, h, 0, size, 0x5a5a5a5a);
		for (;;)
			__vsvm_gem_migrate(cfd, h, DRM_VSVM_PL_VRAM -
					   (rand() & 1) * 2, 0, size,
					   DRM_VSVM_MIGRATE_ASYNC, 0);
	}
	usleep(300000);
	kill(pid, SIGKILL);
	igt_assert_eq(waitpid(pid, &status, 0), pid);
	igt_assert(WIFSIGNALED(status));
	wait_vram_idle(fd);
}

/* Twice as much memory as VRAM, several objects and clients. */
static void test_oversubscribe(int fd)
{
	uint64_t vram = vsvm_get_param(fd, DRM_VSVM_PARAM_VRAM_SIZE);
	uint64_t size = vram / 4;
	int nobj = 4, round;

	igt_fork(child, 2) {
		int cfd = drm_open_driver_render(DRIVER_VSVM);
		uint32_t h[4];
		int i;

		for (i = 0; i < nobj; i++) {
			h[i] = vsvm_gem_create(cfd, size, ALL_PL,
					       DRM_VSVM_PL_SYSTEM, 0);
			vsvm_gem_fill(cfd, h[i], 0, size, 0x1000 * child + i);
		}
		for (round = 0; round < 2; round++)
			for (i = 0; i < nobj; i++) {
				int ret = __vsvm_gem_migrate(cfd, h[i],
							     DRM_VSVM_PL_VRAM,
							     0, size, 0, 0);

				/* Another client may hold what we'd evict. */
				igt_assert_f(ret == 0 || ret == -ENOSPC,
					     "migrate: %d\n", ret);
			}
		for (i = 0; i < nobj; i++) {
			uint32_t *buf = malloc(size);
			uint32_t *p = vsvm_gem_mmap(cfd, h[i], size);
			uint64_t w;

			vsvm_gem_read(cfd, h[i], 0, buf, size);
			for (w = 0; w < size / 4; w += 97) {
				igt_assert_eq_u32(buf[w], 0x1000 * child + i);
				igt_assert_eq_u32(p[w], 0x1000 * child + i);
			}
			munmap(p, size);
			free(buf);
			vsvm_gem_close(cfd, h[i]);
		}
		close(cfd);
	}
	igt_waitchildren();
	wait_vram_idle(fd);
}

static void test_syncobj(int fd)
{
	uint64_t size = 16 * MiB;
	uint32_t h = vsvm_gem_create(fd, size, ALL_PL, DRM_VSVM_PL_SYSTEM, 0);
	uint32_t syncobj, fl[8], n, i;

	igt_assert_eq(drmSyncobjCreate(fd, 0, &syncobj), 0);
	vsvm_gem_fill(fd, h, 0, size, 0x77);
	igt_assert_eq(__vsvm_gem_migrate(fd, h, DRM_VSVM_PL_VRAM, 0, size,
					 DRM_VSVM_MIGRATE_ASYNC, syncobj), 0);
	igt_assert_eq(drmSyncobjWait(fd, &syncobj, 1, INT64_MAX, 0, NULL), 0);
	n = vsvm_gem_placements(fd, h, NULL, fl, 8);
	for (i = 0; i < n; i++)
		igt_assert(!(fl[i] & DRM_VSVM_CHUNK_BUSY));
	assert_all_placed(fd, h, DRM_VSVM_PL_VRAM);
	/* Nothing to move: the syncobj is signalled at once. */
	igt_assert_eq(drmSyncobjReset(fd, &syncobj, 1), 0);
	igt_assert_eq(__vsvm_gem_migrate(fd, h, DRM_VSVM_PL_VRAM, 0, size,
					 DRM_VSVM_MIGRATE_ASYNC, syncobj), 0);
	igt_assert_eq(drmSyncobjWait(fd, &syncobj, 1, 0, 0, NULL), 0);
	drmSyncobjDestroy(fd, syncobj);
	vsvm_gem_close(fd, h);
	wait_vram_idle(fd);
}

static bool write_knob(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	bool ok;

	if (fd < 0)
		return false;
	ok = write(fd, val, strlen(val)) == (ssize_t)strlen(val);
	close(fd);
	return ok;
}

/*
 * Page allocations of order >= 1 fail at random for this task. (Slab
 * failures are not injected: the kernel's GPU buddy allocator frees a block
 * that is still in its free tree when a split fails, see docs/gem-placements.md.)
 */
static void inject_failures(bool on)
{
	const char *dir = "/sys/kernel/debug/fail_page_alloc";
	static const char *const knobs[][2] = {
		{ "interval", "1" }, { "times", "-1" }, { "task-filter", "Y" },
		{ "verbose", "0" }, { "ignore-gfp-wait", "N" },
		{ "ignore-gfp-highmem", "N" }, { "min-order", "1" },
	};
	char path[128];
	unsigned int i;

	for (i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, knobs[i][0]);
		igt_assert(write_knob(path, knobs[i][1]));
	}
	snprintf(path, sizeof(path), "%s/probability", dir);
	igt_assert(write_knob(path, on ? "20" : "0"));
	igt_assert(write_knob("/proc/self/make-it-fail", on ? "1" : "0"));
}

static bool allowed_error(int ret)
{
	return ret == 0 || ret == -ENOMEM || ret == -ENOSPC;
}

/*
 * Memory allocations fail at random while objects are created, filled and
 * moved: every call succeeds or fails with ENOMEM/ENOSPC, and what was
 * written is intact afterwards.
 */
static void test_alloc_failures(int fd)
{
	uint64_t size = 4 * MiB;
	uint32_t h[8] = { 0 }, filled[8] = { 0 };
	uint32_t *buf = malloc(size);
	int i, ret, n;

	igt_require_f(access("/sys/kernel/debug/fail_page_alloc/probability",
			     W_OK) == 0, "no fault injection in this kernel\n");
	igt_assert(buf);
	igt_fork(child, 1) {
		inject_failures(true);
		for (n = 0; n < 300; n++) {
			i = n % 8;
			if (!h[i]) {
				ret = __vsvm_gem_create(fd, size, ALL_PL,
							n % 3, 0, 0, &h[i]);
				igt_assert_f(allowed_error(ret), "create: %d\n", ret);
				if (ret)
					h[i] = 0;
				continue;
			}
			if (!filled[i]) {
				ret = __vsvm_gem_access(fd, h[i],
							DRM_VSVM_ACCESS_FILL, 0,
							size, NULL, 0x100 + i);
				igt_assert_f(allowed_error(ret), "fill: %d\n", ret);
				filled[i] = !ret;
				continue;
			}
			ret = __vsvm_gem_migrate(fd, h[i], (n / 8) % 3, 0, size,
						 n & 1 ? DRM_VSVM_MIGRATE_ASYNC : 0,
						 0);
			igt_assert_f(allowed_error(ret), "migrate: %d\n", ret);
		}
		inject_failures(false);
		/* Everything that was filled still holds its pattern. */
		for (i = 0; i < 8; i++) {
			uint64_t w;

			if (!h[i])
				continue;
			if (filled[i]) {
				vsvm_gem_read(fd, h[i], 0, buf, size);
				for (w = 0; w < size / 4; w++)
					igt_assert_eq_u32(buf[w], 0x100 + i);
			}
			vsvm_gem_close(fd, h[i]);
		}
	}
	igt_waitchildren();
	free(buf);
	wait_vram_idle(fd);
}

int igt_main()
{
	int fd = -1;

	igt_fixture() {
		fd = drm_open_driver_render(DRIVER_VSVM);
	}

	igt_describe("Objects start unpopulated in their preferred placement; chunk size follows the object size.");
	igt_subtest("create")
		test_create(fd);

	igt_describe("Bad sizes, placements, flags, chunk sizes and padding are rejected with EINVAL.");
	igt_subtest("bad-create")
		test_bad_create(fd);

	igt_describe("Unknown handles give ENOENT on every object ioctl.");
	igt_subtest("huge-migrate")
		test_huge_migrate(fd);
	igt_subtest("size-limits")
		test_size_limits(fd);

	igt_subtest("bad-handle")
		test_bad_handle(fd);

	igt_describe("Bad placements, ranges, flags and syncobjs are rejected and nothing moves.");
	igt_subtest("bad-migrate")
		test_bad_migrate(fd);

	igt_describe("Bad device accesses give EINVAL or EFAULT.");
	igt_subtest("bad-access")
		test_bad_access(fd);

	igt_describe("Private or oversized mappings and bad flags/pad are refused.");
	igt_subtest("bad-mmap")
		test_bad_mmap(fd);

	igt_describe("CPU first touch populates the preferred placement; the device sees the same bytes.");
	igt_subtest_with_dynamic("first-touch") {
		for (uint32_t pl = 0; pl < DRM_VSVM_PL_COUNT; pl++)
			igt_dynamic(pl_name[pl])
				test_first_touch(fd, pl);
	}

	igt_describe("Data is identical byte for byte on CPU and device after a move between each pair of placements, with the object mapped throughout.");
	igt_subtest_with_dynamic("migrate") {
		for (uint32_t s = 0; s < DRM_VSVM_PL_COUNT; s++)
			for (uint32_t d = 0; d < DRM_VSVM_PL_COUNT; d++)
				igt_dynamic_f("%s-%s", pl_name[s], pl_name[d])
					test_migrate_pair(fd, s, d);
	}

	igt_describe("Only the chunks a byte range touches move.");
	igt_subtest("migrate-partial")
		test_partial(fd);

	igt_describe("CPU access to CPU-invisible VRAM migrates the chunk to system memory and succeeds.");
	igt_subtest("invisible-vram-cpu-access")
		test_invisible(fd, 0);

	igt_describe("With CPU_PREFER_VISIBLE, CPU access moves invisible VRAM into the visible part.");
	igt_subtest("invisible-vram-prefer-visible")
		test_invisible(fd, DRM_VSVM_GEM_CPU_PREFER_VISIBLE);

	igt_describe("CPU access to visible VRAM maps the aperture; nothing migrates.");
	igt_subtest("visible-vram-cpu-access")
		test_visible(fd);

	igt_describe("With CPU_MIGRATE_SYSTEM every chunk the CPU touches moves to system memory.");
	igt_subtest("cpu-migrate-system")
		test_cpu_migrate_system(fd);

	igt_describe("A CPU thread writing the object while it migrates loses no write.");
	igt_subtest("cpu-write-during-migration")
		test_cpu_write_during_migration(fd);

	igt_describe("Eight threads faulting the same object concurrently.");
	igt_subtest("threads-fault")
		test_threads_fault(fd);

	igt_describe("A forked child reads and writes the shared mapping and migrates it.");
	igt_subtest("fork")
		test_fork(fd);

	igt_describe("munmap and close while a migration is in flight; VRAM use returns to zero.");
	igt_subtest("close-while-migrating")
		test_close_while_migrating(fd);

	igt_describe("A process killed with migrations in flight leaves VRAM accounting at zero.");
	igt_subtest("killed-mid-migration")
		test_killed_mid_migration(fd);

	igt_describe("Two clients with four objects each, twice the VRAM in total: everything stays correct.");
	igt_subtest("oversubscribe")
		test_oversubscribe(fd);

	igt_describe("An async migration signals its out-syncobj when every chunk has arrived.");
	igt_subtest("syncobj")
		test_syncobj(fd);

	igt_describe("Random high-order page allocation failures (fault injection) give ENOMEM/ENOSPC or fall back, never a crash or lost data.");
	igt_subtest("alloc-failures")
		test_alloc_failures(fd);

	igt_fixture() {
		close(fd);
	}
}
