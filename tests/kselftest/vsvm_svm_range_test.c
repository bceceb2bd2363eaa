// SPDX-License-Identifier: MIT
/*
 * Copyright © 2026 The drm-svm authors
 *
 * Ranges, attributes, prefetch, thrash guard and device atomics of vsvm's
 * SVM (issue 4): chunk sizes, partial munmap/mremap splitting a 2 MiB range
 * (the pieces keep their device pages and data), collection of unmapped
 * ranges, madvise attributes and their fault policy, asynchronous prefetch
 * with a syncobj (racing munmap, exit and close), the thrash guard, and
 * device atomics through VRAM or device-exclusive entries (ports of
 * hmm-tests' exclusive, exclusive_mprotect and exclusive_cow).
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/sync_file.h>
#include <drm/drm.h>
#include "vsvm_drm.h"
#include "vsvm_test_util.h"

#include "kselftest_harness.h"

#define SZ_4K	0x1000ul
#define SZ_64K	0x10000ul
#define SZ_2M	0x200000ul

static int xioctl(int fd, unsigned long req, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, req, arg);
	} while (ret && errno == EINTR);
	return ret ? -errno : 0;
}

static int dev_op(int fd, int op, void *addr, void *buf, size_t size,
		  uint64_t *faults)
{
	struct drm_vsvm_svm_access a = {
		.addr = (uintptr_t)addr,
		.size = size,
		.data = (uintptr_t)buf,
		.op = op,
	};
	int ret = xioctl(fd, DRM_IOCTL_VSVM_SVM_ACCESS, &a);

	if (faults)
		*faults = a.faults;
	return ret;
}

static int dev_snapshot(int fd, void *addr, unsigned long npages, uint8_t *out)
{
	struct drm_vsvm_svm_snapshot s = {
		.addr = (uintptr_t)addr,
		.npages = npages,
		.data = (uintptr_t)out,
	};

	return xioctl(fd, DRM_IOCTL_VSVM_SVM_SNAPSHOT, &s);
}

static int dev_migrate(int fd, void *addr, size_t size, unsigned int target)
{
	struct drm_vsvm_svm_migrate m = {
		.addr = (uintptr_t)addr,
		.size = size,
		.target = target,
	};

	return xioctl(fd, DRM_IOCTL_VSVM_SVM_MIGRATE, &m);
}

static int dev_madvise(int fd, void *addr, size_t size, unsigned int attr,
		       unsigned int value)
{
	struct drm_vsvm_svm_madvise m = {
		.addr = (uintptr_t)addr,
		.size = size,
		.attr = attr,
		.value = value,
	};

	return xioctl(fd, DRM_IOCTL_VSVM_SVM_MADVISE, &m);
}

/* Ranges overlapping [addr, addr + size): returns the total or -errno. */
static int dev_ranges(int fd, void *addr, size_t size,
		      struct drm_vsvm_svm_range_info *out, unsigned int cap)
{
	struct drm_vsvm_svm_ranges r = {
		.addr = (uintptr_t)addr,
		.size = size,
		.ranges = (uintptr_t)out,
		.count = cap,
	};
	int ret = xioctl(fd, DRM_IOCTL_VSVM_SVM_RANGES, &r);

	return ret ? ret : (int)r.count;
}

static int dev_prefetch(int fd, void *addr, size_t size, unsigned int target,
			unsigned int flags, uint32_t syncobj, uint64_t *moved)
{
	struct drm_vsvm_svm_prefetch p = {
		.addr = (uintptr_t)addr,
		.size = size,
		.target = target,
		.flags = flags,
		.out_syncobj = syncobj,
	};
	int ret = xioctl(fd, DRM_IOCTL_VSVM_SVM_PREFETCH, &p);

	if (moved)
		*moved = p.moved;
	return ret;
}

static uint32_t syncobj_create(int fd)
{
	struct drm_syncobj_create c = { 0 };

	return xioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, &c) ? 0 : c.handle;
}

static int syncobj_wait(int fd, uint32_t handle)
{
	struct drm_syncobj_wait w = {
		.handles = (uintptr_t)&handle,
		.count_handles = 1,
		.timeout_nsec = INT64_MAX,
		.flags = DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT,
	};

	return xioctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, &w);
}

/* Status of the syncobj's fence: 1 signalled, 0 pending, <0 its error. */
static int syncobj_status(int fd, uint32_t handle)
{
	struct drm_syncobj_handle h = {
		.handle = handle,
		.flags = DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE,
		.fd = -1,
	};
	struct sync_file_info info = { 0 };
	int ret;

	ret = xioctl(fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &h);
	if (ret)
		return ret;
	ret = xioctl(h.fd, SYNC_IOC_FILE_INFO, &info);
	close(h.fd);
	return ret ? ret : info.status;
}

static void syncobj_destroy(int fd, uint32_t handle)
{
	struct drm_syncobj_destroy d = { .handle = handle };

	xioctl(fd, DRM_IOCTL_SYNCOBJ_DESTROY, &d);
}

/* An anonymous private mapping of @size whose start is @align-aligned. */
static uint8_t *map_aligned(size_t size, size_t align)
{
	uint8_t *p = mmap(NULL, size + align, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uintptr_t a;

	if (p == MAP_FAILED)
		return NULL;
	a = ((uintptr_t)p + align - 1) & ~(align - 1);
	if (a > (uintptr_t)p)
		munmap(p, a - (uintptr_t)p);
	munmap((uint8_t *)a + size, (uintptr_t)p + align - a);
	/* No THP: keep the 2 MiB tests on 4 KiB pages. */
	madvise((void *)a, size, MADV_NOHUGEPAGE);
	return (uint8_t *)a;
}

static void fill(uint8_t *p, size_t size, unsigned int seed)
{
	size_t i;

	for (i = 0; i < size / 4; i++)
		((uint32_t *)p)[i] = i * 2654435761u + seed;
}

/* Index of the first 32-bit word that differs from fill(seed), or -1. */
static long check(const uint8_t *p, size_t size, unsigned int seed)
{
	size_t i;

	for (i = 0; i < size / 4; i++)
		if (((const uint32_t *)p)[i] != (uint32_t)(i * 2654435761u + seed))
			return i;
	return -1;
}

/* Pages of [p, p + npages) the snapshot shows in this device's VRAM. */
static long vram_pages(int fd, void *p, unsigned long npages)
{
	uint8_t *snap = malloc(npages);
	unsigned long i, n = 0;

	if (!snap || dev_snapshot(fd, p, npages, snap)) {
		free(snap);
		return -1;
	}
	for (i = 0; i < npages; i++)
		n += (snap[i] & 0x30) == DRM_VSVM_SVM_PROT_DEV_PRIVATE_LOCAL;
	free(snap);
	return n;
}

FIXTURE(range) {
	int fd;
	uint8_t *buf;
};

FIXTURE_SETUP(range)
{
	self->fd = open_vsvm();
	if (self->fd < 0)
		SKIP(return, "no vsvm render node");
	self->buf = malloc(2 * SZ_2M);
	ASSERT_NE(NULL, self->buf);
}

FIXTURE_TEARDOWN(range)
{
	free(self->buf);
	if (self->fd >= 0)
		close(self->fd);
}

/* The chunk is the largest aligned one around the address inside the VMA. */
TEST_F(range, chunk_sizes)
{
	struct drm_vsvm_svm_range_info ri[4];
	uint8_t *p = map_aligned(2 * SZ_2M, SZ_2M);

	ASSERT_NE(NULL, p);
	memset(p, 1, 2 * SZ_2M);
	/* One page read in the middle maps the whole 2 MiB around it. */
	ASSERT_EQ(0, dev_op(self->fd, DRM_VSVM_SVM_READ, p + SZ_2M + SZ_4K,
			    self->buf, SZ_4K, NULL));
	ASSERT_EQ(1, dev_ranges(self->fd, p, 2 * SZ_2M, ri, 4));
	ASSERT_EQ((uintptr_t)p + SZ_2M, ri[0].start);
	ASSERT_EQ((uintptr_t)p + 2 * SZ_2M, ri[0].end);
	ASSERT_EQ(SZ_2M, ri[0].chunk_size);
	ASSERT_TRUE(ri[0].flags & DRM_VSVM_SVM_RANGE_DEVICE_MAPPED);
	/* The rest of the range reads without another fault. */
	uint64_t faults;

	ASSERT_EQ(0, dev_op(self->fd, DRM_VSVM_SVM_READ, p + SZ_2M, self->buf,
			    SZ_2M, &faults));
	ASSERT_EQ(0, faults);
	ASSERT_EQ(0, munmap(p, 2 * SZ_2M));

	/* A 192 KiB VMA at a 64 KiB boundary: 64 KiB chunks. */
	p = map_aligned(SZ_2M, SZ_2M);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, munmap(p, SZ_64K));
	ASSERT_EQ(0, munmap(p + 4 * SZ_64K, SZ_2M - 4 * SZ_64K));
	ASSERT_EQ(0, dev_op(self->fd, DRM_VSVM_SVM_READ, p + SZ_64K + SZ_4K,
			    self->buf, SZ_4K, NULL));
	ASSERT_EQ(1, dev_ranges(self->fd, p, SZ_2M, ri, 4));
	ASSERT_EQ((uintptr_t)p + SZ_64K, ri[0].start);
	ASSERT_EQ(SZ_64K, ri[0].chunk_size);
	ASSERT_EQ(0, munmap(p + SZ_64K, 3 * SZ_64K));

	/* Three pages at an odd page: 4 KiB chunks, one per page. */
	p = map_aligned(SZ_64K, SZ_64K);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, munmap(p, SZ_4K));
	ASSERT_EQ(0, munmap(p + 4 * SZ_4K, SZ_64K - 4 * SZ_4K));
	ASSERT_EQ(0, dev_op(self->fd, DRM_VSVM_SVM_READ, p + SZ_4K, self->buf,
			    3 * SZ_4K, NULL));
	ASSERT_EQ(3, dev_ranges(self->fd, p, SZ_64K, ri, 4));
	ASSERT_EQ(SZ_4K, ri[2].chunk_size);
	ASSERT_EQ((uintptr_t)p + 3 * SZ_4K, ri[2].start);
	munmap(p + SZ_4K, 3 * SZ_4K);
}

/* A 2 MiB mapping filled with fill(7) and migrated into VRAM. */
static uint8_t *vram_2m(struct __test_metadata *_metadata, int fd)
{
	uint8_t *p = map_aligned(SZ_2M, SZ_2M);

	ASSERT_NE(NULL, p);
	fill(p, SZ_2M, 7);
	ASSERT_EQ(0, dev_migrate(fd, p, SZ_2M, DRM_VSVM_SVM_TARGET_DEVICE));
	return p;
}

/*
 * The device maps the 2 MiB range; a 64 KiB hole is punched at 1 MiB.
 * The pieces keep their VRAM pages, and their device mappings (device
 * first) or fault again after the CPU took the pages back (CPU first).
 */
static void check_split(struct __test_metadata *_metadata, int fd, uint8_t *p,
			bool cpu_first, uint8_t *buf)
{
	struct drm_vsvm_svm_range_info ri[4];
	uint64_t faults;

	ASSERT_EQ(0, dev_op(fd, DRM_VSVM_SVM_READ, p, buf, SZ_2M, NULL));
	ASSERT_EQ(-1, check(buf, SZ_2M, 7));
	ASSERT_EQ(1, dev_ranges(fd, p, SZ_2M, ri, 4));
	ASSERT_EQ(SZ_2M / SZ_4K, ri[0].vram_pages);
	ASSERT_TRUE(ri[0].flags & DRM_VSVM_SVM_RANGE_VRAM);

	ASSERT_EQ(0, munmap(p + SZ_2M / 2, SZ_64K));
	ASSERT_EQ(2, dev_ranges(fd, p, SZ_2M, ri, 4));
	ASSERT_EQ((uintptr_t)p, ri[0].start);
	ASSERT_EQ((uintptr_t)p + SZ_2M / 2, ri[0].end);
	ASSERT_EQ((uintptr_t)p + SZ_2M / 2 + SZ_64K, ri[1].start);
	ASSERT_EQ((uintptr_t)p + SZ_2M, ri[1].end);
	ASSERT_EQ(SZ_2M, ri[0].chunk_size);
	/* Nothing was evicted: both pieces are still in VRAM. */
	ASSERT_EQ(SZ_2M / 2 / SZ_4K, vram_pages(fd, p, SZ_2M / 2 / SZ_4K));
	ASSERT_EQ((SZ_2M / 2 - SZ_64K) / SZ_4K,
		  vram_pages(fd, p + SZ_2M / 2 + SZ_64K,
			     (SZ_2M / 2 - SZ_64K) / SZ_4K));
	if (!cpu_first) {
		/*
		 * The pieces are still in VRAM. (The VMA split itself
		 * invalidates the whole PMD, MMU_NOTIFY_CLEAR from
		 * split_huge_pmd_address(), so they may fault once more: the
		 * device maps the same VRAM pages again, nothing migrates.)
		 */
		ASSERT_TRUE(ri[0].flags & DRM_VSVM_SVM_RANGE_VRAM);
		ASSERT_TRUE(ri[1].flags & DRM_VSVM_SVM_RANGE_VRAM);
		ASSERT_EQ(0, dev_op(fd, DRM_VSVM_SVM_READ, p, buf, SZ_2M / 2,
				    &faults));
		ASSERT_LE(faults, 1);
		ASSERT_EQ(-1, check(buf, SZ_2M / 2, 7));
		ASSERT_EQ(0, dev_op(fd, DRM_VSVM_SVM_READ, p + SZ_2M / 2 + SZ_64K,
				    buf, SZ_2M / 2 - SZ_64K, &faults));
		ASSERT_LE(faults, 1);
		ASSERT_EQ(-1, check(buf, SZ_2M / 2 - SZ_64K, 7 +
				    (uint32_t)((SZ_2M / 2 + SZ_64K) / 4 *
					       2654435761u)));
		ASSERT_EQ(2, dev_ranges(fd, p, SZ_2M, ri, 4));
		ASSERT_TRUE(ri[0].flags & DRM_VSVM_SVM_RANGE_DEVICE_MAPPED);
		ASSERT_TRUE(ri[1].flags & DRM_VSVM_SVM_RANGE_DEVICE_MAPPED);
		ASSERT_EQ(SZ_2M / 2 / SZ_4K, ri[0].vram_pages);
		ASSERT_EQ((SZ_2M / 2 - SZ_64K) / SZ_4K, ri[1].vram_pages);
		ASSERT_EQ(SZ_2M, ri[1].chunk_size);
	}
	/* The CPU reads every remaining byte right (faults VRAM back). */
	ASSERT_EQ(-1, check(p, SZ_2M / 2, 7));
	ASSERT_EQ(-1, check(p + SZ_2M / 2 + SZ_64K, SZ_2M / 2 - SZ_64K,
			    7 + (uint32_t)((SZ_2M / 2 + SZ_64K) / 4 *
					   2654435761u)));
	ASSERT_EQ(0, vram_pages(fd, p, SZ_2M / 2 / SZ_4K));
	if (cpu_first) {
		/* The device faults the pieces again and reads the same. */
		ASSERT_EQ(0, dev_op(fd, DRM_VSVM_SVM_READ, p, buf, SZ_2M / 2,
				    &faults));
		ASSERT_EQ(1, faults);
		ASSERT_EQ(-1, check(buf, SZ_2M / 2, 7));
	}
	ASSERT_EQ(-EFAULT, dev_op(fd, DRM_VSVM_SVM_READ, p + SZ_2M / 2, buf,
				  SZ_4K, NULL));
	ASSERT_EQ(2, dev_ranges(fd, p, SZ_2M, ri, 4));
	munmap(p, SZ_2M / 2);
	munmap(p + SZ_2M / 2 + SZ_64K, SZ_2M / 2 - SZ_64K);
}

/* Partial munmap in the middle of a 2 MiB range, device reads first. */
TEST_F(range, partial_munmap_split)
{
	uint8_t *p = vram_2m(_metadata, self->fd);

	check_split(_metadata, self->fd, p, false, self->buf);
}

/* The same, but the CPU touches the remaining parts before the device. */
TEST_F(range, partial_munmap_split_cpu_fault)
{
	uint8_t *p = vram_2m(_metadata, self->fd);

	check_split(_metadata, self->fd, p, true, self->buf);
}

/* mremap of the tail of a range: the head keeps its mapping. */
TEST_F(range, mremap_part)
{
	struct drm_vsvm_svm_range_info ri[4];
	uint8_t *p = map_aligned(SZ_2M, SZ_2M), *q;
	uint64_t faults;

	ASSERT_NE(NULL, p);
	fill(p, SZ_2M, 3);
	ASSERT_EQ(0, dev_op(self->fd, DRM_VSVM_SVM_READ, p, self->buf, SZ_2M,
			    NULL));
	q = mmap(NULL, SZ_2M / 4, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, q);
	q = mremap(p + 3 * SZ_2M / 4, SZ_2M / 4, SZ_2M / 4,
		   MREMAP_MAYMOVE | MREMAP_FIXED, q);
	ASSERT_NE(MAP_FAILED, q);
	ASSERT_EQ(1, dev_ranges(self->fd, p, SZ_2M, ri, 4));
	ASSERT_EQ((uintptr_t)p + 3 * SZ_2M / 4, ri[0].end);
	ASSERT_FALSE(ri[0].flags & DRM_VSVM_SVM_RANGE_UNMAPPED);
	/* At most one fault: the VMA split invalidates the PMD (CLEAR). */
	ASSERT_EQ(0, dev_op(self->fd, DRM_VSVM_SVM_READ, p, self->buf,
			    3 * SZ_2M / 4, &faults));
	ASSERT_LE(faults, 1);
	ASSERT_EQ(-1, check(self->buf, 3 * SZ_2M / 4, 3));
	ASSERT_EQ(1, dev_ranges(self->fd, p, SZ_2M, ri, 4));
	ASSERT_EQ((uintptr_t)p + 3 * SZ_2M / 4, ri[0].end);
	ASSERT_EQ(SZ_2M, ri[0].chunk_size);
	ASSERT_TRUE(ri[0].flags & DRM_VSVM_SVM_RANGE_DEVICE_MAPPED);
	/* The moved tail faults at its new address and holds the same data. */
	ASSERT_EQ(0, dev_op(self->fd, DRM_VSVM_SVM_READ, q, self->buf,
			    SZ_2M / 4, &faults));
	ASSERT_EQ(1, faults);
	ASSERT_EQ(0, memcmp(self->buf, q, SZ_2M / 4));
	ASSERT_EQ(-1, check(self->buf, SZ_2M / 4,
			    3 + (uint32_t)(3 * SZ_2M / 16 * 2654435761u)));
	munmap(p, 3 * SZ_2M / 4);
	munmap(q, SZ_2M / 4);
}

/* Ranges whose VMA is gone are collected by the worker. */
TEST_F(range, gc_after_munmap)
{
	struct drm_vsvm_svm_range_info ri[4];
	uint8_t *p = map_aligned(2 * SZ_2M, SZ_2M);
	int i, n = -1;

	ASSERT_NE(NULL, p);
	memset(p, 5, 2 * SZ_2M);
	ASSERT_EQ(0, dev_op(self->fd, DRM_VSVM_SVM_READ, p, self->buf,
			    2 * SZ_2M, NULL));
	ASSERT_EQ(2, dev_ranges(self->fd, p, 2 * SZ_2M, ri, 4));
	ASSERT_EQ(0, munmap(p, 2 * SZ_2M));
	for (i = 0; i < 200; i++) {
		n = dev_ranges(self->fd, p, 2 * SZ_2M, ri, 4);
		ASSERT_GE(n, 0);
		if (n > 0)
			ASSERT_TRUE(ri[0].flags & DRM_VSVM_SVM_RANGE_UNMAPPED);
		if (!n)
			break;
		usleep(10000);
	}
	ASSERT_EQ(0, n);
}

/* Preferred location device: a device fault migrates the range. */
TEST_F(range, madvise_preferred_device)
{
	struct drm_vsvm_svm_range_info ri[2];
	uint8_t *p = map_aligned(SZ_2M, SZ_2M);

	ASSERT_NE(NULL, p);
	fill(p, SZ_2M, 11);
	ASSERT_EQ(0, dev_madvise(self->fd, p, SZ_2M,
				 DRM_VSVM_SVM_ATTR_PREFERRED_LOC,
				 DRM_VSVM_SVM_LOC_DEVICE));
	ASSERT_EQ(0, dev_op(self->fd, DRM_VSVM_SVM_READ, p, self->buf, SZ_2M,
			    NULL));
	ASSERT_EQ(-1, check(self->buf, SZ_2M, 11));
	ASSERT_EQ(SZ_2M / SZ_4K, vram_pages(self->fd, p, SZ_2M / SZ_4K));
	ASSERT_EQ(1, dev_ranges(self->fd, p, SZ_2M, ri, 2));
	ASSERT_EQ(DRM_VSVM_SVM_LOC_DEVICE, ri[0].preferred_loc);
	ASSERT_EQ(1, ri[0].migrations);
	ASSERT_TRUE(ri[0].flags & DRM_VSVM_SVM_RANGE_VRAM);
	ASSERT_EQ(-1, check(p, SZ_2M, 11));
	munmap(p, SZ_2M);
}

/* Preferred location system: pages in VRAM come back on a device fault. */
TEST_F(range, madvise_preferred_system)
{
	uint8_t *p = map_aligned(SZ_2M, SZ_2M);

	ASSERT_NE(NULL, p);
	fill(p, SZ_2M, 12);
	ASSERT_EQ(0, dev_migrate(self->fd, p, SZ_2M,
				 DRM_VSVM_SVM_TARGET_DEVICE));
	ASSERT_EQ(SZ_2M / SZ_4K, vram_pages(self->fd, p, SZ_2M / SZ_4K));
	ASSERT_EQ(0, dev_madvise(self->fd, p, SZ_2M,
				 DRM_VSVM_SVM_ATTR_PREFERRED_LOC,
				 DRM_VSVM_SVM_LOC_SYSTEM));
	ASSERT_EQ(0, dev_op(self->fd, DRM_VSVM_SVM_READ, p, self->buf, SZ_2M,
			    NULL));
	ASSERT_EQ(-1, check(self->buf, SZ_2M, 12));
	ASSERT_EQ(0, vram_pages(self->fd, p, SZ_2M / SZ_4K));
	ASSERT_EQ(-1, check(p, SZ_2M, 12));
	munmap(p, SZ_2M);
}

/* Accessed-by: the device maps remotely even if it prefers itself. */
TEST_F(range, madvise_accessed_by)
{
	struct drm_vsvm_svm_range_info ri[2];
	uint8_t *p = map_aligned(SZ_2M, SZ_2M);

	ASSERT_NE(NULL, p);
	fill(p, SZ_2M, 13);
	ASSERT_EQ(0, dev_madvise(self->fd, p, SZ_2M,
				 DRM_VSVM_SVM_ATTR_PREFERRED_LOC,
				 DRM_VSVM_SVM_LOC_DEVICE));
	ASSERT_EQ(0, dev_madvise(self->fd, p, SZ_2M,
				 DRM_VSVM_SVM_ATTR_ACCESSED_BY, 1));
	ASSERT_EQ(0, dev_op(self->fd, DRM_VSVM_SVM_WRITE, p, p, SZ_2M, NULL));
	ASSERT_EQ(0, vram_pages(self->fd, p, SZ_2M / SZ_4K));
	ASSERT_EQ(1, dev_ranges(self->fd, p, SZ_2M, ri, 2));
	ASSERT_TRUE(ri[0].flags & DRM_VSVM_SVM_RANGE_ACCESSED_BY);
	ASSERT_EQ(0, ri[0].migrations);
	ASSERT_EQ(-1, check(p, SZ_2M, 13));
	munmap(p, SZ_2M);
}

/* Read-mostly: device reads stay remote, writes follow the preference. */
TEST_F(range, madvise_read_mostly)
{
	uint8_t *p = map_aligned(SZ_2M, SZ_2M);

	ASSERT_NE(NULL, p);
	fill(p, SZ_2M, 14);
	ASSERT_EQ(0, dev_madvise(self->fd, p, SZ_2M,
				 DRM_VSVM_SVM_ATTR_PREFERRED_LOC,
				 DRM_VSVM_SVM_LOC_DEVICE));
	ASSERT_EQ(0, dev_madvise(self->fd, p, SZ_2M,
				 DRM_VSVM_SVM_ATTR_READ_MOSTLY, 1));
	ASSERT_EQ(0, dev_op(self->fd, DRM_VSVM_SVM_READ, p, self->buf, SZ_2M,
			    NULL));
	ASSERT_EQ(-1, check(self->buf, SZ_2M, 14));
	ASSERT_EQ(0, vram_pages(self->fd, p, SZ_2M / SZ_4K));
	fill(self->buf, SZ_2M, 15);
	ASSERT_EQ(0, dev_op(self->fd, DRM_VSVM_SVM_WRITE, p, self->buf, SZ_2M,
			    NULL));
	ASSERT_EQ(SZ_2M / SZ_4K, vram_pages(self->fd, p, SZ_2M / SZ_4K));
	ASSERT_EQ(-1, check(p, SZ_2M, 15));
	munmap(p, SZ_2M);
}

/* An attribute over part of a range splits it at the attribute's edges. */
TEST_F(range, madvise_split)
{
	struct drm_vsvm_svm_range_info ri[4];
	uint8_t *p = map_aligned(SZ_2M, SZ_2M);
	uint64_t faults;

	ASSERT_NE(NULL, p);
	fill(p, SZ_2M, 16);
	ASSERT_EQ(0, dev_op(self->fd, DRM_VSVM_SVM_READ, p, self->buf, SZ_2M,
			    NULL));
	ASSERT_EQ(0, dev_madvise(self->fd, p + SZ_64K, SZ_64K,
				 DRM_VSVM_SVM_ATTR_PREFERRED_LOC,
				 DRM_VSVM_SVM_LOC_DEVICE));
	ASSERT_EQ(3, dev_ranges(self->fd, p, SZ_2M, ri, 4));
	ASSERT_EQ((uintptr_t)p + SZ_64K, ri[1].start);
	ASSERT_EQ((uintptr_t)p + 2 * SZ_64K, ri[1].end);
	ASSERT_EQ(DRM_VSVM_SVM_LOC_DEFAULT, ri[0].preferred_loc);
	ASSERT_EQ(DRM_VSVM_SVM_LOC_DEVICE, ri[1].preferred_loc);
	ASSERT_EQ(DRM_VSVM_SVM_LOC_DEFAULT, ri[2].preferred_loc);
	/* Only the advised span was zapped; it migrates on the next fault. */
	ASSERT_TRUE(ri[0].flags & DRM_VSVM_SVM_RANGE_DEVICE_MAPPED);
	ASSERT_FALSE(ri[1].flags & DRM_VSVM_SVM_RANGE_DEVICE_MAPPED);
	ASSERT_EQ(0, dev_op(self->fd, DRM_VSVM_SVM_READ, p, self->buf, SZ_2M,
			    &faults));
	ASSERT_EQ(1, faults);
	ASSERT_EQ(-1, check(self->buf, SZ_2M, 16));
	ASSERT_EQ(SZ_64K / SZ_4K, vram_pages(self->fd, p, SZ_2M / SZ_4K));
	ASSERT_EQ(SZ_64K / SZ_4K, vram_pages(self->fd, p + SZ_64K,
					     SZ_64K / SZ_4K));
	ASSERT_EQ(-1, check(p, SZ_2M, 16));
	munmap(p, SZ_2M);
}

TEST_F(range, madvise_bad_args)
{
	struct drm_vsvm_svm_madvise m = {
		.addr = 0x100000, .size = SZ_64K,
		.attr = DRM_VSVM_SVM_ATTR_PREFERRED_LOC,
	};
	struct drm_vsvm_svm_madvise b;

	ASSERT_EQ(0, xioctl(self->fd, DRM_IOCTL_VSVM_SVM_MADVISE, &m));
#define BAD(field, val) do {						\
		b = m;							\
		b.field = (val);					\
		EXPECT_EQ(-EINVAL, xioctl(self->fd,			\
					  DRM_IOCTL_VSVM_SVM_MADVISE, &b)); \
	} while (0)
	BAD(addr, 0x100001);
	BAD(size, 0);
	BAD(size, 100);
	BAD(addr, ~0xffful);
	BAD(size, ~0xffful);
	BAD(addr, 1ull << 63);
	BAD(attr, 4);
	BAD(value, 3);
	BAD(flags, 1);
	BAD(pad, 1);
	m.attr = DRM_VSVM_SVM_ATTR_ACCESSED_BY;
	BAD(value, 2);
	m.attr = DRM_VSVM_SVM_ATTR_READ_MOSTLY;
	BAD(value, 2);
	m.attr = DRM_VSVM_SVM_ATTR_ATOMIC;
	BAD(value, 3);
#undef BAD
}

/*
 * An attribute over the whole 47-bit user address space (valid: attributes
 * belong to addresses, mapped or not) costs what the process mirrored, not
 * one step per 2 MiB of the span: it used to hold the mirror lock for
 * minutes (soft lockup). The device mapping it drops faults back in.
 */
TEST_F_TIMEOUT(range, madvise_whole_address_space, 60)
{
	uint8_t *p = map_aligned(SZ_2M, SZ_2M);

	ASSERT_NE(NULL, p);
	fill(p, SZ_2M, 12);
	ASSERT_EQ(0, dev_op(self->fd, DRM_VSVM_SVM_READ, p, self->buf, SZ_2M,
			    NULL));
	ASSERT_EQ(0, dev_madvise(self->fd, (void *)0, 0x7ffffffff000ull,
				 DRM_VSVM_SVM_ATTR_PREFERRED_LOC,
				 DRM_VSVM_SVM_LOC_SYSTEM));
	ASSERT_EQ(0, dev_madvise(self->fd, (void *)0, 0x7ffffffff000ull,
				 DRM_VSVM_SVM_ATTR_ACCESSED_BY, 1));
	memset(self->buf, 0, SZ_2M);
	ASSERT_EQ(0, dev_op(self->fd, DRM_VSVM_SVM_READ, p, self->buf, SZ_2M,
			    NULL));
	ASSERT_EQ(-1, check(self->buf, SZ_2M, 12));
	munmap(p, SZ_2M);
}

/* Prefetch both ways: the syncobj signals, data and residency are right. */
TEST_F(range, prefetch_async)
{
	uint8_t *p = map_aligned(2 * SZ_2M, SZ_2M);
	uint32_t so = syncobj_create(self->fd);
	uint64_t moved = 0;

	ASSERT_NE(NULL, p);
	ASSERT_NE(0, so);
	fill(p, 2 * SZ_2M, 21);
	ASSERT_EQ(0, dev_prefetch(self->fd, p, 2 * SZ_2M,
				  DRM_VSVM_SVM_TARGET_DEVICE, 0, so, NULL));
	ASSERT_EQ(0, syncobj_wait(self->fd, so));
	ASSERT_EQ(1, syncobj_status(self->fd, so));
	ASSERT_EQ(2 * SZ_2M / SZ_4K, vram_pages(self->fd, p, 2 * SZ_2M / SZ_4K));
	ASSERT_EQ(0, dev_op(self->fd, DRM_VSVM_SVM_READ, p, self->buf,
			    2 * SZ_2M, NULL));
	ASSERT_EQ(-1, check(self->buf, 2 * SZ_2M, 21));
	ASSERT_EQ(0, dev_prefetch(self->fd, p, 2 * SZ_2M,
				  DRM_VSVM_SVM_TARGET_SYSTEM,
				  DRM_VSVM_SVM_PREFETCH_SYNC, 0, &moved));
	ASSERT_EQ(2 * SZ_2M / SZ_4K, moved);
	ASSERT_EQ(0, vram_pages(self->fd, p, 2 * SZ_2M / SZ_4K));
	ASSERT_EQ(-1, check(p, 2 * SZ_2M, 21));
	syncobj_destroy(self->fd, so);
	munmap(p, 2 * SZ_2M);
}

/* A prefetch over a hole fails: the fence carries the error. */
TEST_F(range, prefetch_error)
{
	uint8_t *p = map_aligned(SZ_2M, SZ_2M);
	uint32_t so = syncobj_create(self->fd);

	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, munmap(p + SZ_64K, SZ_64K));
	ASSERT_EQ(0, dev_prefetch(self->fd, p, SZ_2M,
				  DRM_VSVM_SVM_TARGET_DEVICE, 0, so, NULL));
	ASSERT_EQ(0, syncobj_wait(self->fd, so));
	ASSERT_EQ(-EINVAL, syncobj_status(self->fd, so));
	ASSERT_EQ(-EINVAL, dev_prefetch(self->fd, p, SZ_2M,
					DRM_VSVM_SVM_TARGET_DEVICE,
					DRM_VSVM_SVM_PREFETCH_SYNC, 0, NULL));
	syncobj_destroy(self->fd, so);
	munmap(p, SZ_64K);
	munmap(p + 2 * SZ_64K, SZ_2M - 2 * SZ_64K);
}

TEST_F(range, prefetch_bad_args)
{
	uint8_t *p = map_aligned(SZ_64K, SZ_64K);

	ASSERT_NE(NULL, p);
	EXPECT_EQ(-EINVAL, dev_prefetch(self->fd, p, SZ_64K, 2, 0, 0, NULL));
	EXPECT_EQ(-EINVAL, dev_prefetch(self->fd, p, SZ_64K, 0, 2, 0, NULL));
	EXPECT_EQ(-EINVAL, dev_prefetch(self->fd, p + 1, SZ_64K, 0, 0, 0, NULL));
	EXPECT_EQ(-EINVAL, dev_prefetch(self->fd, p, 0, 0, 0, 0, NULL));
	EXPECT_EQ(-EINVAL, dev_prefetch(self->fd, p, ~0xffful, 0, 0, 0, NULL));
	EXPECT_EQ(-ENOENT, dev_prefetch(self->fd, p, SZ_64K, 0, 0, 12345,
					NULL));
	struct drm_vsvm_svm_prefetch a = {
		.addr = (uintptr_t)p, .size = SZ_64K, .pad = 1,
	};
	EXPECT_EQ(-EINVAL, xioctl(self->fd, DRM_IOCTL_VSVM_SVM_PREFETCH, &a));
	munmap(p, SZ_64K);
}

/* munmap while prefetches run: every fence signals, nothing leaks. */
TEST_F_TIMEOUT(range, prefetch_race_munmap, 120)
{
	uint32_t so = syncobj_create(self->fd);
	int round;

	ASSERT_NE(0, so);
	for (round = 0; round < 6; round++) {
		uint8_t *p = map_aligned(SZ_2M, SZ_2M);
		int st;

		ASSERT_NE(NULL, p);
		memset(p, round, SZ_2M);
		ASSERT_EQ(0, dev_prefetch(self->fd, p, SZ_2M,
					  DRM_VSVM_SVM_TARGET_DEVICE, 0, so,
					  NULL));
		usleep(round * 500);
		ASSERT_EQ(0, munmap(p, SZ_2M));
		ASSERT_EQ(0, syncobj_wait(self->fd, so));
		st = syncobj_status(self->fd, so);
		ASSERT_TRUE(st == 1 || st == -EINVAL);
	}
	syncobj_destroy(self->fd, so);
}

/* A process exits, or closes its file, with prefetches in flight. */
TEST_F_TIMEOUT(range, prefetch_race_exit_close, 120)
{
	int round;

	for (round = 0; round < 4; round++) {
		pid_t pid = fork();
		int status;

		ASSERT_GE(pid, 0);
		if (!pid) {
			int fd = open_vsvm();
			uint8_t *p = map_aligned(SZ_2M, SZ_2M);
			uint32_t so = syncobj_create(fd);

			if (fd < 0 || !p || !so)
				_exit(1);
			memset(p, 9, SZ_2M);
			if (dev_prefetch(fd, p, SZ_2M,
					 DRM_VSVM_SVM_TARGET_DEVICE, 0, so,
					 NULL))
				_exit(2);
			if (round & 1)
				close(fd);
			_exit(0);
		}
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		ASSERT_TRUE(WIFEXITED(status));
		ASSERT_EQ(0, WEXITSTATUS(status));
	}
}

/*
 * Thrash guard: a range migrated by device faults and pulled back by the
 * CPU more than 4 times in 2 s stays in system memory for 2 s.
 */
static int write_param(const char *name, const char *val)
{
	char path[128];
	FILE *f;
	int ret;

	snprintf(path, sizeof(path), "/sys/module/vsvm/parameters/%s", name);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	ret = fputs(val, f) < 0 ? -EIO : 0;
	return fclose(f) ? -errno : ret;
}

TEST_F_TIMEOUT(range, thrash_guard, 60)
{
	struct drm_vsvm_svm_range_info ri[2];
	uint8_t *p = map_aligned(SZ_2M, SZ_2M);
	uint8_t *q;
	int i;

	ASSERT_NE(NULL, p);
	/*
	 * 4 migrations per 30 s (so a slow emulator still bounces 5 times
	 * inside one window), held for 2 s. A context reads the knobs when
	 * it is created: on this file's first SVM ioctl, below.
	 */
	ASSERT_EQ(0, write_param("svm_thrash_count", "4"));
	ASSERT_EQ(0, write_param("svm_thrash_window_ms", "30000"));
	ASSERT_EQ(0, write_param("svm_thrash_hold_ms", "2000"));
	/* A 64 KiB VMA: one 64 KiB range, cheap to bounce. */
	q = p + SZ_64K;
	ASSERT_EQ(0, munmap(p, SZ_64K));
	ASSERT_EQ(0, munmap(q + SZ_64K, SZ_2M - 2 * SZ_64K));
	fill(q, SZ_64K, 30);
	ASSERT_EQ(0, dev_madvise(self->fd, q, SZ_64K,
				 DRM_VSVM_SVM_ATTR_PREFERRED_LOC,
				 DRM_VSVM_SVM_LOC_DEVICE));
	for (i = 0; i < 5; i++) {
		ASSERT_EQ(0, dev_op(self->fd, DRM_VSVM_SVM_READ, q, self->buf,
				    SZ_64K, NULL));
		ASSERT_EQ(-1, check(self->buf, SZ_64K, 30 + i));
		ASSERT_EQ(SZ_64K / SZ_4K, vram_pages(self->fd, q,
						     SZ_64K / SZ_4K));
		/* The CPU takes it back and changes it. */
		fill(q, SZ_64K, 31 + i);
		ASSERT_EQ(0, vram_pages(self->fd, q, SZ_64K / SZ_4K));
	}
	ASSERT_EQ(1, dev_ranges(self->fd, q, SZ_64K, ri, 2));
	ASSERT_EQ(5, ri[0].migrations);
	ASSERT_TRUE(ri[0].flags & DRM_VSVM_SVM_RANGE_THRASH_BLOCKED);
	/* Held: the device now reads the system pages remotely. */
	ASSERT_EQ(0, dev_op(self->fd, DRM_VSVM_SVM_READ, q, self->buf, SZ_64K,
			    NULL));
	ASSERT_EQ(-1, check(self->buf, SZ_64K, 35));
	ASSERT_EQ(0, vram_pages(self->fd, q, SZ_64K / SZ_4K));
	ASSERT_EQ(1, dev_ranges(self->fd, q, SZ_64K, ri, 2));
	ASSERT_EQ(5, ri[0].migrations);
	/*
	 * After the hold the next device fault migrates again. The hold is
	 * counted in jiffies, which an emulated guest on a busy host can
	 * advance late: wait for it to end (2 s nominal, 20 s at most).
	 */
	usleep(2000 * 1000);
	for (i = 0; i < 180; i++) {
		ASSERT_EQ(1, dev_ranges(self->fd, q, SZ_64K, ri, 2));
		if (!(ri[0].flags & DRM_VSVM_SVM_RANGE_THRASH_BLOCKED))
			break;
		usleep(100 * 1000);
	}
	if (i)
		TH_LOG("hold ended %d ms late", i * 100);
	ASSERT_FALSE(ri[0].flags & DRM_VSVM_SVM_RANGE_THRASH_BLOCKED);
	ASSERT_EQ(5, ri[0].migrations);
	fill(q, SZ_64K, 36);
	/* (Advising again zaps the remote mapping: the next access faults.) */
	ASSERT_EQ(0, dev_madvise(self->fd, q, SZ_64K,
				 DRM_VSVM_SVM_ATTR_PREFERRED_LOC,
				 DRM_VSVM_SVM_LOC_DEVICE));
	ASSERT_EQ(0, dev_op(self->fd, DRM_VSVM_SVM_READ, q, self->buf, SZ_64K,
			    NULL));
	ASSERT_EQ(-1, check(self->buf, SZ_64K, 36));
	ASSERT_EQ(SZ_64K / SZ_4K, vram_pages(self->fd, q, SZ_64K / SZ_4K));
	ASSERT_EQ(1, dev_ranges(self->fd, q, SZ_64K, ri, 2));
	ASSERT_EQ(6, ri[0].migrations);
	munmap(q, SZ_64K);
	write_param("svm_thrash_window_ms", "2000");
}

static void fill_seq(uint32_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = i;
}

static long check_seq(const uint32_t *p, size_t n, uint32_t add)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != i + add)
			return i;
	return -1;
}

#define ANPAGES 16
#define ASIZE (ANPAGES * SZ_4K)

/*
 * hmm-tests "exclusive": device atomics on system pages take
 * device-exclusive entries; the CPU gets the device's writes back.
 */
TEST_F(range, atomic_exclusive)
{
	uint32_t *p = (uint32_t *)map_aligned(ASIZE, SZ_64K);
	uint8_t snap[ANPAGES];
	uint64_t faults;
	int i;

	ASSERT_NE(NULL, p);
	fill_seq(p, ASIZE / 4);
	ASSERT_EQ(0, dev_op(self->fd, DRM_VSVM_SVM_ATOMIC_INC, p, NULL, ASIZE,
			    &faults));
	ASSERT_EQ(1, faults);
	/* The CPU has no access now: its PTEs are device-exclusive entries. */
	ASSERT_EQ(0, dev_snapshot(self->fd, p, ANPAGES, snap));
	for (i = 0; i < ANPAGES; i++)
		ASSERT_EQ(DRM_VSVM_SVM_PROT_NONE, snap[i]);
	ASSERT_EQ(0, dev_op(self->fd, DRM_VSVM_SVM_ATOMIC_INC, p, NULL, ASIZE,
			    &faults));
	ASSERT_EQ(0, faults);
	/* The CPU restores its mapping and sees both increments. */
	ASSERT_EQ(-1, check_seq(p, ASIZE / 4, 2));
	ASSERT_EQ(0, vram_pages(self->fd, p, ANPAGES));
	ASSERT_EQ(0, dev_op(self->fd, DRM_VSVM_SVM_ATOMIC_INC, p, NULL, ASIZE,
			    &faults));
	ASSERT_EQ(1, faults);
	p[0] = 100;
	ASSERT_EQ(100, p[0]);
	ASSERT_EQ(-1, check_seq(p + 1, ASIZE / 4 - 1, 4));
	munmap(p, ASIZE);
}

/* hmm-tests "exclusive_mprotect": atomics on a read-only mapping fail. */
TEST_F(range, atomic_exclusive_mprotect)
{
	uint32_t *p = (uint32_t *)map_aligned(ASIZE, SZ_64K);

	ASSERT_NE(NULL, p);
	fill_seq(p, ASIZE / 4);
	ASSERT_EQ(0, dev_op(self->fd, DRM_VSVM_SVM_ATOMIC_INC, p, NULL, ASIZE,
			    NULL));
	ASSERT_EQ(0, mprotect(p, ASIZE, PROT_READ));
	ASSERT_EQ(-EPERM, dev_op(self->fd, DRM_VSVM_SVM_ATOMIC_INC, p, NULL,
				 ASIZE, NULL));
	ASSERT_EQ(-EPERM, dev_op(self->fd, DRM_VSVM_SVM_WRITE, p, p, ASIZE,
				 NULL));
	ASSERT_EQ(-1, check_seq(p, ASIZE / 4, 1));
	munmap(p, ASIZE);
}

/* hmm-tests "exclusive_cow": fork after atomics; the child sees a copy. */
TEST_F(range, atomic_exclusive_cow)
{
	uint32_t *p = (uint32_t *)map_aligned(ASIZE, SZ_64K);
	int status;
	pid_t pid;

	ASSERT_NE(NULL, p);
	fill_seq(p, ASIZE / 4);
	ASSERT_EQ(0, dev_op(self->fd, DRM_VSVM_SVM_ATOMIC_INC, p, NULL, ASIZE,
			    NULL));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		/* Let the parent's device write first; we must not see it. */
		usleep(200 * 1000);
		_exit(check_seq(p, ASIZE / 4, 1) == -1 ? 0 : 1);
	}
	ASSERT_EQ(0, dev_op(self->fd, DRM_VSVM_SVM_ATOMIC_INC, p, NULL, ASIZE,
			    NULL));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	ASSERT_EQ(-1, check_seq(p, ASIZE / 4, 2));
	munmap(p, ASIZE);
}

/* Pages already in VRAM serve atomics in place. */
TEST_F(range, atomic_in_vram)
{
	uint32_t *p = (uint32_t *)map_aligned(ASIZE, SZ_64K);

	ASSERT_NE(NULL, p);
	fill_seq(p, ASIZE / 4);
	ASSERT_EQ(0, dev_migrate(self->fd, p, ASIZE, DRM_VSVM_SVM_TARGET_DEVICE));
	ASSERT_EQ(0, dev_op(self->fd, DRM_VSVM_SVM_ATOMIC_INC, p, NULL, ASIZE,
			    NULL));
	ASSERT_EQ(ANPAGES, vram_pages(self->fd, p, ANPAGES));
	ASSERT_EQ(-1, check_seq(p, ASIZE / 4, 1));
	munmap(p, ASIZE);
}

/* Atomic policy device: atomics migrate the range into VRAM. */
TEST_F(range, atomic_policy_device)
{
	uint32_t *p = (uint32_t *)map_aligned(ASIZE, SZ_64K);

	ASSERT_NE(NULL, p);
	fill_seq(p, ASIZE / 4);
	ASSERT_EQ(0, dev_madvise(self->fd, p, ASIZE, DRM_VSVM_SVM_ATTR_ATOMIC,
				 DRM_VSVM_SVM_ATOMIC_DEVICE));
	ASSERT_EQ(0, dev_op(self->fd, DRM_VSVM_SVM_ATOMIC_INC, p, NULL, ASIZE,
			    NULL));
	ASSERT_EQ(ANPAGES, vram_pages(self->fd, p, ANPAGES));
	ASSERT_EQ(-1, check_seq(p, ASIZE / 4, 1));
	munmap(p, ASIZE);
}

TEST_F(range, atomic_bad_args)
{
	uint32_t *p = (uint32_t *)map_aligned(ASIZE, SZ_64K);
	uint32_t *ro;

	ASSERT_NE(NULL, p);
	EXPECT_EQ(-EINVAL, dev_op(self->fd, 3, p, self->buf, ASIZE, NULL));
	EXPECT_EQ(-EINVAL, dev_op(self->fd, DRM_VSVM_SVM_ATOMIC_INC, p,
				  self->buf, ASIZE, NULL));
	ro = mmap(NULL, ASIZE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	EXPECT_EQ(-EPERM, dev_op(self->fd, DRM_VSVM_SVM_ATOMIC_INC, ro, NULL,
				 ASIZE, NULL));
	munmap(ro, ASIZE);
	munmap(p, ASIZE);
}

TEST_F(range, ranges_bad_args)
{
	struct drm_vsvm_svm_range_info ri[1];
	struct drm_vsvm_svm_ranges r = {
		.addr = 0x100000, .size = SZ_2M, .ranges = (uintptr_t)ri,
		.count = 1,
	};
	struct drm_vsvm_svm_ranges b;
	uint8_t *p = map_aligned(SZ_2M, SZ_2M);

	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, xioctl(self->fd, DRM_IOCTL_VSVM_SVM_RANGES, &r));
	b = r;
	b.flags = 1;
	EXPECT_EQ(-EINVAL, xioctl(self->fd, DRM_IOCTL_VSVM_SVM_RANGES, &b));
	b = r;
	b.size = 0;
	EXPECT_EQ(-EINVAL, xioctl(self->fd, DRM_IOCTL_VSVM_SVM_RANGES, &b));
	b = r;
	b.count = 65537;
	EXPECT_EQ(-EINVAL, xioctl(self->fd, DRM_IOCTL_VSVM_SVM_RANGES, &b));
	/* Two ranges, room for one: the total comes back, one is written. */
	memset(p, 1, SZ_2M);
	ASSERT_EQ(0, munmap(p + SZ_2M / 2, SZ_4K));
	ASSERT_EQ(0, dev_op(self->fd, DRM_VSVM_SVM_READ, p, self->buf, SZ_4K,
			    NULL));
	ASSERT_EQ(0, dev_op(self->fd, DRM_VSVM_SVM_READ, p + SZ_2M - SZ_4K,
			    self->buf, SZ_4K, NULL));
	ASSERT_EQ(2, dev_ranges(self->fd, p, SZ_2M, ri, 1));
	ASSERT_EQ((uintptr_t)p, ri[0].start);
	ASSERT_EQ(2, dev_ranges(self->fd, p, SZ_2M, NULL, 0));
	b = r;
	b.addr = (uintptr_t)p;
	b.count = 1;
	b.ranges = 8;
	EXPECT_EQ(-EFAULT, xioctl(self->fd, DRM_IOCTL_VSVM_SVM_RANGES, &b));
	munmap(p, SZ_2M / 2);
	munmap(p + SZ_2M / 2 + SZ_4K, SZ_2M / 2 - SZ_4K);
}

/* Each stage of a device fault leaves its tracepoint. */
TEST_F(range, fault_stage_tracepoints)
{
	const char *t = "/sys/kernel/tracing";
	uint8_t *p = map_aligned(SZ_64K, SZ_64K);
	char path[128], *log = malloc(1 << 20);
	ssize_t n = 0, r;
	int fd;

	if (access("/sys/kernel/tracing/events/drm_svm/enable", W_OK))
		SKIP(return, "no tracefs or no drm_svm events");
	ASSERT_NE(NULL, p);
	ASSERT_NE(NULL, log);
	fill(p, SZ_64K, 40);
	ASSERT_EQ(0, dev_madvise(self->fd, p, SZ_64K,
				 DRM_VSVM_SVM_ATTR_PREFERRED_LOC,
				 DRM_VSVM_SVM_LOC_DEVICE));
	snprintf(path, sizeof(path), "%s/trace", t);
	fd = open(path, O_WRONLY | O_TRUNC);
	ASSERT_GE(fd, 0);
	close(fd);
	snprintf(path, sizeof(path), "%s/events/drm_svm/enable", t);
	fd = open(path, O_WRONLY);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(1, write(fd, "1", 1));
	ASSERT_EQ(0, dev_op(self->fd, DRM_VSVM_SVM_READ, p, self->buf, SZ_64K,
			    NULL));
	ASSERT_EQ(0, munmap(p, SZ_64K));
	ASSERT_EQ(1, write(fd, "0", 1));
	close(fd);
	snprintf(path, sizeof(path), "%s/trace", t);
	fd = open(path, O_RDONLY);
	ASSERT_GE(fd, 0);
	while ((r = read(fd, log + n, (1 << 20) - 1 - n)) > 0)
		n += r;
	close(fd);
	log[n] = '\0';
	EXPECT_NE(NULL, strstr(log, "drm_svm_range_lookup:"));
	EXPECT_NE(NULL, strstr(log, "created=1"));
	EXPECT_NE(NULL, strstr(log, "drm_svm_range_migrate:"));
	EXPECT_NE(NULL, strstr(log, "drm_svm_mirror_fault:"));
	EXPECT_NE(NULL, strstr(log, "drm_svm_range_bind:"));
	EXPECT_NE(NULL, strstr(log, "drm_svm_range_invalidate:"));
	free(log);
}

TEST_HARNESS_MAIN
