// SPDX-License-Identifier: MIT
/*
 * Copyright © 2026 The drm-svm authors
 *
 * Two vsvm devices (load vsvm with num_devices=2; skipped otherwise): a
 * range in device A's VRAM migrates to device B with B's copy engine
 * reading A's VRAM directly (the peer-copy counter proves that no page went
 * through system memory), B maps A's pages peer-to-peer without migrating
 * them, the CPU faults pages back from B, and B evicts them under VRAM
 * pressure. Also hmm-tests' double_map with two devices, device-exclusive
 * access across devices, and B as a dynamic dma-buf importer of A's object.
 */
#include <errno.h>
#include <glob.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <drm/drm.h>
#include "vsvm_drm.h"
#include "vsvm_test_util.h"

#include "kselftest_harness.h"

#define SIZE	(4ul << 20)

/* Pages of the range whose snapshot state on @fd is @kind. */
static long count_state(int fd, void *addr, size_t size, uint8_t kind)
{
	unsigned long i, n = size / getpagesize();
	uint8_t *prot = malloc(n);
	struct drm_vsvm_svm_snapshot s = {
		.addr = (uintptr_t)addr,
		.npages = n,
		.data = (uintptr_t)prot,
	};
	long cnt = 0;

	if (!prot || ioctl(fd, DRM_IOCTL_VSVM_SVM_SNAPSHOT, &s)) {
		free(prot);
		return -1;
	}
	for (i = 0; i < n; i++)
		cnt += (prot[i] & 0x30) == kind;
	free(prot);
	return cnt;
}

#define LOCAL	DRM_VSVM_SVM_PROT_DEV_PRIVATE_LOCAL
#define REMOTE	DRM_VSVM_SVM_PROT_DEV_PRIVATE_REMOTE

FIXTURE(two) {
	int a, b;
	void *buf;
	uint64_t used_a, used_b;
};

FIXTURE_SETUP(two)
{
	self->a = open_vsvm_nth(0);
	self->b = open_vsvm_nth(1);
	self->buf = NULL;
	if (self->a < 0 || self->b < 0)
		SKIP(return, "needs two vsvm devices (num_devices=2)");
	self->used_a = vsvm_param(self->a, DRM_VSVM_PARAM_VRAM_USED);
	self->used_b = vsvm_param(self->b, DRM_VSVM_PARAM_VRAM_USED);
	self->buf = malloc(SIZE);
	ASSERT_NE(NULL, self->buf);
}

FIXTURE_TEARDOWN(two)
{
	int i;

	if (self->a >= 0 && self->b >= 0) {
		for (i = 0; i < 200; i++) {
			if (vsvm_param(self->a, DRM_VSVM_PARAM_VRAM_USED) ==
			    self->used_a &&
			    vsvm_param(self->b, DRM_VSVM_PARAM_VRAM_USED) ==
			    self->used_b)
				break;
			usleep(10000);
		}
		EXPECT_EQ(self->used_a,
			  vsvm_param(self->a, DRM_VSVM_PARAM_VRAM_USED));
		EXPECT_EQ(self->used_b,
			  vsvm_param(self->b, DRM_VSVM_PARAM_VRAM_USED));
	}
	free(self->buf);
	if (self->a >= 0)
		close(self->a);
	if (self->b >= 0)
		close(self->b);
}

/* A -> B through B's copy engine reading A's VRAM; then back to the CPU. */
TEST_F_TIMEOUT(two, migrate_a_to_b, 300)
{
	unsigned long npages = SIZE / getpagesize();
	long long peer = info_counter("device private peer pages");
	void *p = map_private_anon(SIZE);
	uint64_t moved = 0;

	ASSERT_NE(NULL, p);
	ASSERT_LE(0, peer);
	fill_words(p, SIZE, 1);
	ASSERT_EQ(0, svm_dev_migrate(self->a, p, SIZE, DRM_VSVM_SVM_TARGET_DEVICE,
				 &moved));
	ASSERT_EQ(npages, moved);
	ASSERT_EQ(npages, count_state(self->a, p, SIZE, LOCAL));
	ASSERT_EQ(npages, count_state(self->b, p, SIZE, REMOTE));
	ASSERT_EQ(peer, info_counter("device private peer pages"));
	ASSERT_EQ(SIZE, vsvm_param(self->a, DRM_VSVM_PARAM_VRAM_USED) -
		  self->used_a);

	ASSERT_EQ(0, svm_dev_migrate(self->b, p, SIZE, DRM_VSVM_SVM_TARGET_DEVICE,
				 &moved));
	ASSERT_EQ(npages, moved);
	/* Every page came straight from A's VRAM. */
	ASSERT_EQ(peer + (long long)npages,
		  info_counter("device private peer pages"));
	ASSERT_EQ(npages, count_state(self->b, p, SIZE, LOCAL));
	ASSERT_EQ(npages, count_state(self->a, p, SIZE, REMOTE));
	ASSERT_EQ(SIZE, vsvm_param(self->b, DRM_VSVM_PARAM_VRAM_USED) -
		  self->used_b);
	/* A's VRAM is free again (its pages go back from a worker). */
	for (int i = 0; i < 100 && vsvm_param(self->a,
			DRM_VSVM_PARAM_VRAM_USED) != self->used_a; i++)
		usleep(10000);
	ASSERT_EQ(self->used_a, vsvm_param(self->a, DRM_VSVM_PARAM_VRAM_USED));

	/* Both devices read the right data: B locally, A from B's VRAM. */
	memset(self->buf, 0, SIZE);
	ASSERT_EQ(0, svm_dev_access(self->b, DRM_VSVM_SVM_READ, p, self->buf, SIZE,
				NULL));
	ASSERT_EQ(-1, check_words(self->buf, SIZE, 1));
	memset(self->buf, 0, SIZE);
	ASSERT_EQ(0, svm_dev_access(self->a, DRM_VSVM_SVM_READ, p, self->buf, SIZE,
				NULL));
	ASSERT_EQ(-1, check_words(self->buf, SIZE, 1));
	/* Peer access did not migrate anything. */
	ASSERT_EQ(npages, count_state(self->b, p, SIZE, LOCAL));

	/* Migrating to B again moves nothing: it is all there. */
	ASSERT_EQ(0, svm_dev_migrate(self->b, p, SIZE, DRM_VSVM_SVM_TARGET_DEVICE,
				 &moved));
	ASSERT_EQ(0, moved);

	/* The CPU faults it back from B. */
	ASSERT_EQ(-1, check_words(p, SIZE, 1));
	ASSERT_EQ(0, count_state(self->b, p, SIZE, LOCAL));
	ASSERT_EQ(0, count_state(self->a, p, SIZE, REMOTE));
	ASSERT_EQ(0, munmap(p, SIZE));
}

/* B writes through its peer mapping of A's pages; the CPU sees it. */
TEST_F_TIMEOUT(two, peer_write, 300)
{
	unsigned long npages = SIZE / getpagesize();
	void *p = map_private_anon(SIZE);

	ASSERT_NE(NULL, p);
	fill_words(p, SIZE, 2);
	ASSERT_EQ(0, svm_dev_migrate(self->a, p, SIZE, DRM_VSVM_SVM_TARGET_DEVICE,
				 NULL));
	fill_words(self->buf, SIZE, 3);
	ASSERT_EQ(0, svm_dev_access(self->b, DRM_VSVM_SVM_WRITE, p, self->buf,
				SIZE, NULL));
	/* Still in A: B wrote into A's VRAM. */
	ASSERT_EQ(npages, count_state(self->a, p, SIZE, LOCAL));
	memset(self->buf, 0, SIZE);
	ASSERT_EQ(0, svm_dev_access(self->a, DRM_VSVM_SVM_READ, p, self->buf, SIZE,
				NULL));
	ASSERT_EQ(-1, check_words(self->buf, SIZE, 3));
	ASSERT_EQ(-1, check_words(p, SIZE, 3));
	ASSERT_EQ(0, count_state(self->a, p, SIZE, LOCAL));
	ASSERT_EQ(0, munmap(p, SIZE));
}

/* hmm-tests double_map: read-only memory read by two devices. */
TEST_F_TIMEOUT(two, double_map, 300)
{
	size_t size = 6 * getpagesize();
	uint64_t faults = 0, moved = 0;
	int *p = map_private_anon(size);
	int *m = self->buf;
	size_t i;

	ASSERT_NE(NULL, p);
	for (i = 0; i < size / sizeof(*p); i++)
		p[i] = i;
	ASSERT_EQ(0, mprotect(p, size, PROT_READ));

	ASSERT_EQ(0, svm_dev_access(self->a, DRM_VSVM_SVM_READ, p, m, size,
				&faults));
	ASSERT_EQ(1, faults);
	for (i = 0; i < size / sizeof(*p); i++)
		ASSERT_EQ((int)i, m[i]);
	ASSERT_EQ(0, svm_dev_access(self->b, DRM_VSVM_SVM_READ, p, m, size,
				&faults));
	ASSERT_EQ(1, faults);
	for (i = 0; i < size / sizeof(*p); i++)
		ASSERT_EQ((int)i, m[i]);

	/* Migrate to device B and read from device A. */
	ASSERT_EQ(0, svm_dev_migrate(self->b, p, size, DRM_VSVM_SVM_TARGET_DEVICE,
				 &moved));
	ASSERT_EQ(6, moved);
	memset(m, 0, size);
	ASSERT_EQ(0, svm_dev_access(self->a, DRM_VSVM_SVM_READ, p, m, size,
				&faults));
	ASSERT_EQ(1, faults);
	for (i = 0; i < size / sizeof(*p); i++)
		ASSERT_EQ((int)i, m[i]);
	/* A mapped B's pages (peer), they were not pulled back. */
	ASSERT_EQ(6, count_state(self->a, p, size, REMOTE));
	ASSERT_EQ(6, count_state(self->b, p, size, LOCAL));
	ASSERT_EQ(0, munmap(p, size));
}

/* B's VRAM under pressure evicts pages it got from A, data intact. */
TEST_F_TIMEOUT(two, evict_from_b, 300)
{
	uint64_t vsize = vsvm_param(self->b, DRM_VSVM_PARAM_VRAM_SIZE);
	long long ev = info_counter("device private evictions");
	struct drm_vsvm_gem_create c = {
		.placements = DRM_VSVM_PL_MASK(DRM_VSVM_PL_VRAM),
		.preferred = DRM_VSVM_PL_VRAM,
	};
	struct drm_vsvm_gem_migrate mig = { .placement = DRM_VSVM_PL_VRAM };
	struct drm_gem_close cl = { 0 };
	void *x = map_private_anon(SIZE), *y = map_private_anon(SIZE);

	ASSERT_NE(NULL, x);
	ASSERT_NE(NULL, y);
	ASSERT_GT(vsize, self->used_b + SIZE);
	/* A VRAM-only balloon leaves exactly SIZE free on B. */
	c.size = (vsize - self->used_b - SIZE) & ~((2ull << 20) - 1);
	ASSERT_EQ(0, ioctl(self->b, DRM_IOCTL_VSVM_GEM_CREATE, &c));
	mig.handle = c.handle;
	mig.size = c.size;
	ASSERT_EQ(0, ioctl(self->b, DRM_IOCTL_VSVM_GEM_MIGRATE, &mig));

	fill_words(x, SIZE, 4);
	fill_words(y, SIZE, 5);
	ASSERT_EQ(0, svm_dev_migrate(self->a, x, SIZE, DRM_VSVM_SVM_TARGET_DEVICE,
				 NULL));
	ASSERT_EQ(0, svm_dev_migrate(self->b, x, SIZE, DRM_VSVM_SVM_TARGET_DEVICE,
				 NULL));
	ASSERT_EQ(SIZE / getpagesize(), count_state(self->b, x, SIZE, LOCAL));
	/* y needs B's VRAM: x (older) goes to system memory. */
	ASSERT_EQ(0, svm_dev_migrate(self->b, y, SIZE, DRM_VSVM_SVM_TARGET_DEVICE,
				 NULL));
	ASSERT_LT(ev, info_counter("device private evictions"));
	ASSERT_EQ(0, count_state(self->b, x, SIZE, LOCAL));
	ASSERT_EQ(0, count_state(self->a, x, SIZE, REMOTE));
	ASSERT_EQ(SIZE / getpagesize(), count_state(self->b, y, SIZE, LOCAL));
	ASSERT_EQ(0, svm_dev_access(self->a, DRM_VSVM_SVM_READ, y, self->buf, SIZE,
				NULL));
	ASSERT_EQ(-1, check_words(self->buf, SIZE, 5));
	ASSERT_EQ(-1, check_words(x, SIZE, 4));
	ASSERT_EQ(-1, check_words(y, SIZE, 5));

	cl.handle = c.handle;
	ASSERT_EQ(0, ioctl(self->b, DRM_IOCTL_GEM_CLOSE, &cl));
	ASSERT_EQ(0, munmap(x, SIZE));
	ASSERT_EQ(0, munmap(y, SIZE));
}

/*
 * Device-exclusive access is exclusive across devices: when A makes pages
 * device-exclusive for its atomics, B (same page owner, other device) loses
 * its mapping and must fault again; B's fault restores the CPU PTEs, which
 * in turn takes the pages away from A.
 */
TEST_F_TIMEOUT(two, exclusive_invalidates_peer, 300)
{
	size_t size = 8 * getpagesize();
	uint32_t *p = map_private_anon(size);
	uint32_t *m = self->buf;
	uint64_t faults = 0;
	size_t i;

	ASSERT_NE(NULL, p);
	for (i = 0; i < size / 4; i++)
		p[i] = i * 3;
	ASSERT_EQ(0, svm_dev_access(self->b, DRM_VSVM_SVM_READ, p, m, size,
				&faults));
	ASSERT_EQ(1, faults);
	ASSERT_EQ(0, svm_dev_access(self->b, DRM_VSVM_SVM_READ, p, m, size,
				&faults));
	ASSERT_EQ(0, faults);

	ASSERT_EQ(0, svm_dev_access(self->a, DRM_VSVM_SVM_ATOMIC_INC, p, NULL,
				size, &faults));
	ASSERT_EQ(1, faults);
	/* Still exclusive to A: a second atomic needs no fault. */
	ASSERT_EQ(0, svm_dev_access(self->a, DRM_VSVM_SVM_ATOMIC_INC, p, NULL,
				size, &faults));
	ASSERT_EQ(0, faults);

	/* B's mapping went away with the conversion. */
	memset(m, 0, size);
	ASSERT_EQ(0, svm_dev_access(self->b, DRM_VSVM_SVM_READ, p, m, size,
				&faults));
	ASSERT_EQ(1, faults);
	for (i = 0; i < size / 4; i++)
		ASSERT_EQ(i * 3 + 2, m[i]);
	/* B's fault restored the CPU PTEs: A must convert again. */
	ASSERT_EQ(0, svm_dev_access(self->a, DRM_VSVM_SVM_ATOMIC_INC, p, NULL,
				size, &faults));
	ASSERT_EQ(1, faults);
	for (i = 0; i < size / 4; i++)
		ASSERT_EQ(i * 3 + 3, p[i]);
	ASSERT_EQ(0, munmap(p, size));
}

/*
 * A dynamic dma-buf importer: device B imports an object of device A
 * (foreign to B, so B attaches dynamically). A may still move the object
 * into VRAM while B holds it; the move notifies B, which drops its mapping
 * and maps the object again, in system memory, on its next access. Every
 * access on either side sees the other side's last write.
 */
TEST_F_TIMEOUT(two, prime_dynamic_import, 300)
{
	const size_t size = 256 << 10;
	struct drm_prime_handle exp = { .flags = DRM_CLOEXEC | DRM_RDWR };
	struct drm_prime_handle imp = { .fd = -1 };
	uint32_t *w = malloc(size), *r = malloc(size);
	long long notifies;
	__u32 ha = 0;

	ASSERT_NE(NULL, w);
	ASSERT_NE(NULL, r);
	ASSERT_EQ(0, gem_create(self->a, size,
				DRM_VSVM_PL_MASK(DRM_VSVM_PL_SYSTEM) |
				DRM_VSVM_PL_MASK(DRM_VSVM_PL_VRAM),
				DRM_VSVM_PL_SYSTEM, &ha));
	fill_words(w, size, 1);
	ASSERT_EQ(0, gem_access(self->a, ha, DRM_VSVM_ACCESS_WRITE, w, size));
	exp.handle = ha;
	ASSERT_EQ(0, ioctl(self->a, DRM_IOCTL_PRIME_HANDLE_TO_FD, &exp));
	imp.fd = exp.fd;
	ASSERT_EQ(0, ioctl(self->b, DRM_IOCTL_PRIME_FD_TO_HANDLE, &imp));
	ASSERT_EQ(0, gem_access(self->b, imp.handle, DRM_VSVM_ACCESS_READ, r,
				size));
	ASSERT_EQ(-1, check_words(r, size, 1));

	/* Not pinned: A moves it to VRAM, which tells B. */
	notifies = info_counter("prime move notifies");
	ASSERT_EQ(0, gem_migrate(self->a, ha, size, DRM_VSVM_PL_VRAM));
	ASSERT_LT(0, gem_chunks_in(self->a, ha, DRM_VSVM_PL_VRAM));
	ASSERT_EQ(0, gem_chunks_in(self->a, ha, DRM_VSVM_PL_SYSTEM));
	ASSERT_LT(notifies, info_counter("prime move notifies"));
	fill_words(w, size, 2);
	ASSERT_EQ(0, gem_access(self->a, ha, DRM_VSVM_ACCESS_WRITE, w, size));

	/* B maps it again (back in system memory) and sees A's write. */
	ASSERT_EQ(0, gem_access(self->b, imp.handle, DRM_VSVM_ACCESS_READ, r,
				size));
	ASSERT_EQ(-1, check_words(r, size, 2));
	ASSERT_EQ(0, gem_chunks_in(self->a, ha, DRM_VSVM_PL_VRAM));
	fill_words(w, size, 3);
	ASSERT_EQ(0, gem_access(self->b, imp.handle, DRM_VSVM_ACCESS_WRITE, w,
				size));
	ASSERT_EQ(0, gem_access(self->a, ha, DRM_VSVM_ACCESS_READ, r, size));
	ASSERT_EQ(-1, check_words(r, size, 3));

	/* Once B lets go, A moves it freely and nothing is lost. */
	ASSERT_EQ(0, gem_close(self->b, imp.handle));
	close(exp.fd);
	ASSERT_EQ(0, gem_migrate(self->a, ha, size, DRM_VSVM_PL_VRAM));
	ASSERT_EQ(0, gem_access(self->a, ha, DRM_VSVM_ACCESS_READ, r, size));
	ASSERT_EQ(-1, check_words(r, size, 3));
	ASSERT_EQ(0, gem_close(self->a, ha));
	free(w);
	free(r);
}

/* Wait up to 2 s for a vsvm_info sum to reach @want (frees are deferred). */
static long long info_wait(const char *name, long long want)
{
	long long v = info_counter(name);
	int i;

	for (i = 0; i < 200 && v != want; i++) {
		usleep(10000);
		v = info_counter(name);
	}
	return v;
}

/* Export @h of @from and import it into @to: the handle there, or 0. */
static __u32 prime_share(int from, __u32 h, int to)
{
	struct drm_prime_handle exp = {
		.handle = h, .flags = DRM_CLOEXEC | DRM_RDWR,
	};
	struct drm_prime_handle imp = { .fd = -1 };

	if (ioctl(from, DRM_IOCTL_PRIME_HANDLE_TO_FD, &exp))
		return 0;
	imp.fd = exp.fd;
	if (ioctl(to, DRM_IOCTL_PRIME_FD_TO_HANDLE, &imp))
		imp.handle = 0;
	close(exp.fd);
	return imp.handle;
}

/*
 * What one PRIME import can make the exporter allocate is bounded: no
 * object larger than the device's system-memory limit exists (1 TiB:
 * -E2BIG), an import costs nothing until the importer's device uses it,
 * and a use that does not fit fails cleanly with everything it populated
 * freed again, without waking the OOM killer. Both devices have the same
 * limit ("system limit" in vsvm_info, set with vsvm's system_mb).
 */
TEST_F_TIMEOUT(two, prime_import_limits, 600)
{
	long long limit = info_counter("system limit") / 2;
	long long used0 = info_counter("system used");
	__u32 x = 0, y = 0, ix, h;
	char page[4096];

	if (limit > (512ll << 20))
		SKIP(return, "load vsvm with system_mb=256 for this test");
	ASSERT_EQ(-E2BIG, gem_create(self->a, 1ull << 40,
				     DRM_VSVM_PL_MASK(DRM_VSVM_PL_SYSTEM),
				     DRM_VSVM_PL_SYSTEM, &h));
	ASSERT_EQ(-E2BIG, gem_create(self->a, limit + 4096,
				     DRM_VSVM_PL_MASK(DRM_VSVM_PL_SYSTEM),
				     DRM_VSVM_PL_SYSTEM, &h));
	ASSERT_EQ(0, gem_create(self->a, limit,
				DRM_VSVM_PL_MASK(DRM_VSVM_PL_SYSTEM),
				DRM_VSVM_PL_SYSTEM, &x));
	ASSERT_EQ(0, gem_create(self->a, 2ul << 20,
				DRM_VSVM_PL_MASK(DRM_VSVM_PL_SYSTEM),
				DRM_VSVM_PL_SYSTEM, &y));
	fill_words(page, sizeof(page), 9);
	ASSERT_EQ(0, gem_access(self->a, y, DRM_VSVM_ACCESS_WRITE, page,
				sizeof(page)));
	ASSERT_EQ(used0 + (2ll << 20), info_counter("system used"));

	/* The import populates nothing. */
	ix = prime_share(self->a, x, self->b);
	ASSERT_NE(0, ix);
	ASSERT_EQ(used0 + (2ll << 20), info_counter("system used"));
	/* Its first use would need all of x: over the limit, undone. */
	ASSERT_EQ(-ENOSPC, gem_access(self->b, ix, DRM_VSVM_ACCESS_READ, page,
				      sizeof(page)));
	ASSERT_EQ(used0 + (2ll << 20),
		  info_wait("system used", used0 + (2ll << 20)));
	ASSERT_EQ(0, gem_access(self->a, y, DRM_VSVM_ACCESS_READ, page,
				sizeof(page)));
	ASSERT_EQ(-1, check_words(page, sizeof(page), 9));

	/* With room again the same use works and reads zeros. */
	ASSERT_EQ(0, gem_close(self->a, y));
	ASSERT_EQ(used0, info_wait("system used", used0));
	ASSERT_EQ(0, gem_access(self->b, ix, DRM_VSVM_ACCESS_READ, page,
				sizeof(page)));
	ASSERT_EQ(0, page[0] | page[4095]);
	ASSERT_EQ(used0 + limit, info_counter("system used"));
	ASSERT_EQ(0, gem_close(self->b, ix));
	ASSERT_EQ(0, gem_close(self->a, x));
	ASSERT_EQ(used0, info_wait("system used", used0));
}

TEST_HARNESS_MAIN
