// SPDX-License-Identifier: MIT
/*
 * Copyright © 2026 The drm-svm authors
 *
 * GEM objects and SVM device memory share one VRAM pool and evict each
 * other under pressure. To oversubscribe quickly, each test first fills
 * VRAM with a VRAM-only "balloon" object (never evictable) that leaves
 * FREE bytes, then puts 2 x FREE of GEM and SVM data through those bytes in
 * both orders, checking every byte after every eviction, the eviction
 * counters in debugfs (vsvm_info) and that VRAM usage is back to its
 * starting value at the end.
 */
#include <errno.h>
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

#include <drm/drm.h>
#include "vsvm_drm.h"
#include "vsvm_test_util.h"

#include "kselftest_harness.h"

#define FREE	(16ul << 20)
#define PART	(FREE / 4)

/* Pages of [addr, addr + size) in this device's VRAM. */
static long svm_device_pages(int fd, void *addr, size_t size)
{
	unsigned long i, n = size / getpagesize();
	uint8_t *prot = malloc(n);
	struct drm_vsvm_svm_snapshot s = {
		.addr = (uintptr_t)addr,
		.npages = n,
		.data = (uintptr_t)prot,
	};
	long dev = 0;

	if (!prot || ioctl(fd, DRM_IOCTL_VSVM_SVM_SNAPSHOT, &s)) {
		free(prot);
		return -1;
	}
	for (i = 0; i < n; i++)
		dev += (prot[i] & 0x30) == DRM_VSVM_SVM_PROT_DEV_PRIVATE_LOCAL;
	free(prot);
	return dev;
}

FIXTURE(evict) {
	int fd;
	__u32 balloon;
	uint64_t used0;
	void *buf;
};

FIXTURE_SETUP(evict)
{
	uint64_t size, used, bsize;

	self->fd = open_vsvm();
	self->balloon = 0;
	self->buf = NULL;
	if (self->fd < 0)
		SKIP(return, "no vsvm render node");
	size = vsvm_param(self->fd, DRM_VSVM_PARAM_VRAM_SIZE);
	used = vsvm_param(self->fd, DRM_VSVM_PARAM_VRAM_USED);
	self->used0 = used;
	ASSERT_GT(size, used + FREE);
	bsize = (size - used - FREE) & ~((2ull << 20) - 1);
	ASSERT_EQ(0, gem_create(self->fd, bsize, DRM_VSVM_PL_MASK(DRM_VSVM_PL_VRAM),
				DRM_VSVM_PL_VRAM, &self->balloon));
	ASSERT_EQ(0, gem_migrate(self->fd, self->balloon, bsize,
				 DRM_VSVM_PL_VRAM));
	ASSERT_EQ(used + bsize, vsvm_param(self->fd, DRM_VSVM_PARAM_VRAM_USED));
	self->buf = malloc(FREE);
	ASSERT_NE(NULL, self->buf);
}

FIXTURE_TEARDOWN(evict)
{
	int i;

	if (self->fd < 0)
		return;
	if (self->balloon)
		gem_close(self->fd, self->balloon);
	/* Device pages go back to the pool from a worker: give it a moment. */
	for (i = 0; i < 200; i++) {
		if (vsvm_param(self->fd, DRM_VSVM_PARAM_VRAM_USED) == self->used0)
			break;
		usleep(10000);
	}
	EXPECT_EQ(self->used0, vsvm_param(self->fd, DRM_VSVM_PARAM_VRAM_USED));
	free(self->buf);
	close(self->fd);
}

/* A GEM object (SYSTEM or VRAM) of @size filled with @seed, in VRAM. */
static int gem_filled_in_vram(int fd, size_t size, uint32_t seed, void *buf,
			      __u32 *handle)
{
	int ret = gem_create(fd, size, DRM_VSVM_PL_MASK(DRM_VSVM_PL_SYSTEM) |
			     DRM_VSVM_PL_MASK(DRM_VSVM_PL_VRAM),
			     DRM_VSVM_PL_SYSTEM, handle);

	if (ret)
		return ret;
	fill_words(buf, size, seed);
	ret = gem_access(fd, *handle, DRM_VSVM_ACCESS_WRITE, buf, size);
	return ret ?: gem_migrate(fd, *handle, size, DRM_VSVM_PL_VRAM);
}

/* GEM fills the free VRAM, then SVM takes it: the GEM chunks are evicted. */
TEST_F_TIMEOUT(evict, gem_then_svm, 300)
{
	long long gem_ev = info_counter("evictions");
	long long svm_ev = info_counter("device private evictions");
	void *s = map_private_anon(FREE);
	uint64_t moved = 0;
	__u32 g = 0;

	ASSERT_NE(NULL, s);
	ASSERT_LE(0, gem_ev);
	ASSERT_EQ(0, gem_filled_in_vram(self->fd, FREE, 1, self->buf, &g));
	ASSERT_EQ(FREE >> 21, gem_chunks_in(self->fd, g, DRM_VSVM_PL_VRAM));

	fill_words(s, FREE, 2);
	ASSERT_EQ(0, svm_dev_migrate(self->fd, s, FREE, DRM_VSVM_SVM_TARGET_DEVICE,
				 &moved));
	ASSERT_EQ(FREE / getpagesize(), moved);
	ASSERT_EQ(FREE / getpagesize(), svm_device_pages(self->fd, s, FREE));
	ASSERT_EQ(0, gem_chunks_in(self->fd, g, DRM_VSVM_PL_VRAM));
	ASSERT_LE(gem_ev + (long long)(FREE >> 21), info_counter("evictions"));
	ASSERT_EQ(svm_ev, info_counter("device private evictions"));

	/* Every byte of both survived. */
	ASSERT_EQ(0, svm_dev_access(self->fd, DRM_VSVM_SVM_READ, s,
				self->buf, FREE, NULL));
	ASSERT_EQ(-1, check_words(self->buf, FREE, 2));
	ASSERT_EQ(0, gem_access(self->fd, g, DRM_VSVM_ACCESS_READ, self->buf,
				FREE));
	ASSERT_EQ(-1, check_words(self->buf, FREE, 1));

	/* Now GEM wants VRAM back: the SVM pages go to system memory. */
	ASSERT_EQ(0, gem_migrate(self->fd, g, FREE, DRM_VSVM_PL_VRAM));
	ASSERT_EQ(FREE >> 21, gem_chunks_in(self->fd, g, DRM_VSVM_PL_VRAM));
	ASSERT_EQ(0, svm_device_pages(self->fd, s, FREE));
	ASSERT_LT(svm_ev, info_counter("device private evictions"));
	ASSERT_EQ(-1, check_words(s, FREE, 2));
	ASSERT_EQ(0, gem_access(self->fd, g, DRM_VSVM_ACCESS_READ, self->buf,
				FREE));
	ASSERT_EQ(-1, check_words(self->buf, FREE, 1));

	ASSERT_EQ(0, gem_close(self->fd, g));
	ASSERT_EQ(0, munmap(s, FREE));
}

/* SVM fills the free VRAM, then GEM takes it: the SVM pages are evicted. */
TEST_F_TIMEOUT(evict, svm_then_gem, 300)
{
	long long svm_ev = info_counter("device private evictions");
	long long svm_pages = info_counter("device private evicted pages");
	void *s = map_private_anon(FREE);
	uint64_t moved = 0;
	__u32 g = 0;

	ASSERT_NE(NULL, s);
	fill_words(s, FREE, 3);
	ASSERT_EQ(0, svm_dev_migrate(self->fd, s, FREE, DRM_VSVM_SVM_TARGET_DEVICE,
				 &moved));
	ASSERT_EQ(FREE / getpagesize(), moved);
	ASSERT_EQ(FREE / getpagesize(), svm_device_pages(self->fd, s, FREE));

	ASSERT_EQ(0, gem_filled_in_vram(self->fd, FREE, 4, self->buf, &g));
	ASSERT_EQ(FREE >> 21, gem_chunks_in(self->fd, g, DRM_VSVM_PL_VRAM));
	ASSERT_EQ(0, svm_device_pages(self->fd, s, FREE));
	/* Whole batches (2 MiB) went, each as one eviction. */
	ASSERT_EQ(svm_ev + (long long)(FREE >> 21),
		  info_counter("device private evictions"));
	ASSERT_EQ(svm_pages + (long long)(FREE / getpagesize()),
		  info_counter("device private evicted pages"));
	ASSERT_EQ(0, gem_access(self->fd, g, DRM_VSVM_ACCESS_READ, self->buf,
				FREE));
	ASSERT_EQ(-1, check_words(self->buf, FREE, 4));
	ASSERT_EQ(-1, check_words(s, FREE, 3));

	/* And back: SVM evicts the GEM chunks. */
	ASSERT_EQ(0, svm_dev_migrate(self->fd, s, FREE, DRM_VSVM_SVM_TARGET_DEVICE,
				 &moved));
	ASSERT_EQ(FREE / getpagesize(), svm_device_pages(self->fd, s, FREE));
	ASSERT_EQ(0, gem_chunks_in(self->fd, g, DRM_VSVM_PL_VRAM));
	ASSERT_EQ(0, svm_dev_access(self->fd, DRM_VSVM_SVM_READ, s,
				self->buf, FREE, NULL));
	ASSERT_EQ(-1, check_words(self->buf, FREE, 3));
	ASSERT_EQ(0, gem_access(self->fd, g, DRM_VSVM_ACCESS_READ, self->buf,
				FREE));
	ASSERT_EQ(-1, check_words(self->buf, FREE, 4));

	ASSERT_EQ(0, gem_close(self->fd, g));
	ASSERT_EQ(0, munmap(s, FREE));
}

/* A second SVM buffer evicts the older first one (LRU), data intact. */
TEST_F_TIMEOUT(evict, svm_evicts_older_svm, 300)
{
	void *a = map_private_anon(FREE), *b = map_private_anon(FREE);

	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, b);
	fill_words(a, FREE, 5);
	fill_words(b, FREE, 6);
	ASSERT_EQ(0, svm_dev_migrate(self->fd, a, FREE, DRM_VSVM_SVM_TARGET_DEVICE,
				 NULL));
	ASSERT_EQ(0, svm_dev_migrate(self->fd, b, PART, DRM_VSVM_SVM_TARGET_DEVICE,
				 NULL));
	/* The oldest quarter of a went, the rest stayed. */
	ASSERT_EQ((FREE - PART) / getpagesize(),
		  svm_device_pages(self->fd, a, FREE));
	ASSERT_EQ(PART / getpagesize(), svm_device_pages(self->fd,
							 (char *)a + PART * 3,
							 PART));
	ASSERT_EQ(0, svm_device_pages(self->fd, a, PART));
	ASSERT_EQ(0, svm_dev_migrate(self->fd, b, FREE, DRM_VSVM_SVM_TARGET_DEVICE,
				 NULL));
	ASSERT_EQ(0, svm_device_pages(self->fd, a, FREE));
	ASSERT_EQ(FREE / getpagesize(), svm_device_pages(self->fd, b, FREE));
	ASSERT_EQ(0, svm_dev_access(self->fd, DRM_VSVM_SVM_READ, b,
				self->buf, FREE, NULL));
	ASSERT_EQ(-1, check_words(self->buf, FREE, 6));
	ASSERT_EQ(-1, check_words(a, FREE, 5));
	ASSERT_EQ(-1, check_words(b, FREE, 6));
	ASSERT_EQ(0, munmap(a, FREE));
	ASSERT_EQ(0, munmap(b, FREE));
}

/*
 * 2 x FREE in quarters, GEM and SVM interleaved, two rounds: every part is
 * checked after every step, and each step must succeed by evicting.
 */
TEST_F_TIMEOUT(evict, mixed_rounds, 300)
{
	void *s[4];
	__u32 g[4] = { 0 };
	int round, i, j;

	for (i = 0; i < 4; i++) {
		s[i] = map_private_anon(PART);
		ASSERT_NE(NULL, s[i]);
		fill_words(s[i], PART, 10 + i);
		ASSERT_EQ(0, gem_create(self->fd, PART,
					DRM_VSVM_PL_MASK(DRM_VSVM_PL_SYSTEM) |
					DRM_VSVM_PL_MASK(DRM_VSVM_PL_VRAM),
					DRM_VSVM_PL_SYSTEM, &g[i]));
		fill_words(self->buf, PART, 20 + i);
		ASSERT_EQ(0, gem_access(self->fd, g[i], DRM_VSVM_ACCESS_WRITE,
					self->buf, PART));
	}
	for (round = 0; round < 2; round++) {
		for (i = 0; i < 4; i++) {
			bool gem_first = (i + round) % 2;

			if (gem_first)
				ASSERT_EQ(0, gem_migrate(self->fd, g[i], PART,
							 DRM_VSVM_PL_VRAM));
			ASSERT_EQ(0, svm_dev_migrate(self->fd, s[i], PART,
						 DRM_VSVM_SVM_TARGET_DEVICE,
						 NULL));
			if (!gem_first)
				ASSERT_EQ(0, gem_migrate(self->fd, g[i], PART,
							 DRM_VSVM_PL_VRAM));
			for (j = 0; j < 4; j++) {
				ASSERT_EQ(0, svm_dev_access(self->fd, DRM_VSVM_SVM_READ, s[j], self->buf,
						      PART, NULL));
				ASSERT_EQ(-1, check_words(self->buf, PART, 10 + j));
				ASSERT_EQ(0, gem_access(self->fd, g[j],
							DRM_VSVM_ACCESS_READ,
							self->buf, PART));
				ASSERT_EQ(-1, check_words(self->buf, PART, 20 + j));
			}
			/* The two just placed are in VRAM. */
			ASSERT_EQ(PART / getpagesize(),
				  svm_device_pages(self->fd, s[i], PART));
			ASSERT_EQ(PART >> 21, gem_chunks_in(self->fd, g[i],
							    DRM_VSVM_PL_VRAM));
		}
	}
	ASSERT_LT(0, info_counter("device private evictions"));
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(-1, check_words(s[i], PART, 10 + i));
		ASSERT_EQ(0, munmap(s[i], PART));
		ASSERT_EQ(0, gem_close(self->fd, g[i]));
	}
}

/* Nothing evictable left: -ENOSPC, and nothing is lost or half-moved. */
TEST_F_TIMEOUT(evict, enospc_when_nothing_evictable, 300)
{
	void *s = map_private_anon(PART);
	uint64_t moved = 1;
	__u32 pin = 0, g = 0;

	ASSERT_NE(NULL, s);
	fill_words(s, PART, 7);
	/* SVM pages are evictable: a VRAM-only object can take their place. */
	ASSERT_EQ(0, svm_dev_migrate(self->fd, s, PART, DRM_VSVM_SVM_TARGET_DEVICE,
				 NULL));
	ASSERT_EQ(0, gem_create(self->fd, FREE,
				DRM_VSVM_PL_MASK(DRM_VSVM_PL_VRAM),
				DRM_VSVM_PL_VRAM, &pin));
	ASSERT_EQ(0, gem_migrate(self->fd, pin, FREE, DRM_VSVM_PL_VRAM));
	ASSERT_EQ(0, svm_device_pages(self->fd, s, PART));
	ASSERT_EQ(-1, check_words(s, PART, 7));

	/* Now VRAM holds only unevictable memory. */
	ASSERT_EQ(-ENOSPC, svm_dev_migrate(self->fd, s, PART,
				       DRM_VSVM_SVM_TARGET_DEVICE, &moved));
	ASSERT_EQ(0, svm_device_pages(self->fd, s, PART));
	ASSERT_EQ(-1, check_words(s, PART, 7));
	ASSERT_EQ(0, gem_create(self->fd, PART,
				DRM_VSVM_PL_MASK(DRM_VSVM_PL_SYSTEM) |
				DRM_VSVM_PL_MASK(DRM_VSVM_PL_VRAM),
				DRM_VSVM_PL_SYSTEM, &g));
	ASSERT_EQ(-ENOSPC, gem_migrate(self->fd, g, PART, DRM_VSVM_PL_VRAM));

	ASSERT_EQ(0, gem_close(self->fd, pin));
	ASSERT_EQ(0, svm_dev_migrate(self->fd, s, PART, DRM_VSVM_SVM_TARGET_DEVICE,
				 NULL));
	ASSERT_EQ(PART / getpagesize(), svm_device_pages(self->fd, s, PART));
	ASSERT_EQ(0, gem_close(self->fd, g));
	ASSERT_EQ(0, munmap(s, PART));
}

/*
 * A client that puts 2 MiB into VRAM and unmaps it, over and over, for
 * @secs seconds; each round checks its data first (sometimes after CPU
 * access brought it back). Exits 0, or 1 on a failed check.
 */
static int churn_client(int fd, int secs)
{
	time_t end = time(NULL) + secs;
	uint32_t seed = 1;

	while (time(NULL) < end) {
		void *p = map_private_anon(2ul << 20);

		if (!p)
			return 1;
		fill_words(p, 2ul << 20, ++seed);
		/* -ENOSPC while an evictor holds the chunks is fine */
		svm_dev_migrate(fd, p, 2ul << 20, DRM_VSVM_SVM_TARGET_DEVICE,
				NULL);
		if (seed % 3 == 0 && check_words(p, 2ul << 20, seed) != -1)
			return 1;
		munmap(p, 2ul << 20);
	}
	return 0;
}

/* Evict-all in a loop for @secs seconds: 0 or -EBUSY every time. */
static int evict_all_client(int fd, int secs)
{
	struct drm_vsvm_svm_migrate m = {
		.flags = DRM_VSVM_SVM_MIGRATE_EVICT_ALL,
	};
	time_t end = time(NULL) + secs;

	while (time(NULL) < end)
		if (ioctl(fd, DRM_IOCTL_VSVM_SVM_MIGRATE, &m) && errno != EBUSY)
			return 1;
	return 0;
}

/* VRAM pressure for @secs seconds: GEM objects pushed into VRAM. */
static int pressure_client(int fd, int secs)
{
	time_t end = time(NULL) + secs;
	__u32 g = 0;

	while (time(NULL) < end) {
		if (gem_create(fd, FREE, DRM_VSVM_PL_MASK(DRM_VSVM_PL_SYSTEM) |
			       DRM_VSVM_PL_MASK(DRM_VSVM_PL_VRAM),
			       DRM_VSVM_PL_SYSTEM, &g))
			return 1;
		gem_migrate(fd, g, FREE, DRM_VSVM_PL_VRAM);
		gem_close(fd, g);
	}
	return 0;
}

static pid_t spawn(int (*fn)(int fd, int secs), int secs)
{
	pid_t pid = fork();

	if (!pid) {
		int fd = open_vsvm();

		_exit(fd < 0 ? 2 : fn(fd, secs));
	}
	return pid;
}

static int reap(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/*
 * Device memory eviction against munmap in other processes: the evictor
 * must hold what the migration needs (the owner's mm), or munmap frees the
 * anon_vma under it (KASAN use-after-free in rmap_walk_anon; the kernel
 * log fails the run). Both ways: evict-all and VRAM pressure.
 */
TEST_F_TIMEOUT(evict, evict_races_munmap, 300)
{
	pid_t churn[2], ev, press;
	int i;

	if (!test_ioctls_open() && geteuid())
		SKIP(return, "evict-all of other clients needs privilege");
	for (i = 0; i < 2; i++)
		churn[i] = spawn(churn_client, 20);
	ev = spawn(evict_all_client, 20);
	press = spawn(pressure_client, 20);
	for (i = 0; i < 2; i++)
		EXPECT_EQ(0, reap(churn[i]));
	EXPECT_EQ(0, reap(ev));
	EXPECT_EQ(0, reap(press));
	ASSERT_LT(0, info_counter("device private evictions"));
}

/*
 * Without privilege, EVICT_ALL evicts the caller's own device memory and
 * leaves everyone else's where it is.
 */
TEST_F_TIMEOUT(evict, evict_all_own_memory_only, 300)
{
	void *mine = map_private_anon(PART);
	pid_t pid;

	if (test_ioctls_open() > 0)
		SKIP(return, "vsvm was loaded with test_ioctls=1");
	ASSERT_NE(NULL, mine);
	fill_words(mine, PART, 3);
	ASSERT_EQ(0, svm_dev_migrate(self->fd, mine, PART,
				     DRM_VSVM_SVM_TARGET_DEVICE, NULL));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		void *theirs = map_private_anon(PART);
		struct drm_vsvm_svm_migrate m = {
			.flags = DRM_VSVM_SVM_MIGRATE_EVICT_ALL,
		};
		int fd = open_vsvm();

		if (!theirs || fd < 0 || drop_capabilities())
			_exit(2);
		fill_words(theirs, PART, 4);
		if (svm_dev_migrate(fd, theirs, PART,
				    DRM_VSVM_SVM_TARGET_DEVICE, NULL) ||
		    svm_device_pages(fd, theirs, PART) != PART / getpagesize())
			_exit(3);
		if (ioctl(fd, DRM_IOCTL_VSVM_SVM_MIGRATE, &m))
			_exit(4);
		if (svm_device_pages(fd, theirs, PART) ||
		    check_words(theirs, PART, 4) != -1)
			_exit(5);
		_exit(0);
	}
	ASSERT_EQ(0, reap(pid));
	/* The parent's pages stayed in VRAM, intact. */
	ASSERT_EQ(PART / getpagesize(), svm_device_pages(self->fd, mine, PART));
	ASSERT_EQ(-1, check_words(mine, PART, 3));
	ASSERT_EQ(0, munmap(mine, PART));
}

TEST_HARNESS_MAIN
