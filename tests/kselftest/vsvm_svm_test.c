// SPDX-License-Identifier: MIT
/*
 * Copyright © 2026 The drm-svm authors
 *
 * The SVM contract of vsvm on the kselftest harness: the device reaches
 * process memory through an HMM mirror, without pinning. The cases follow
 * tools/testing/selftests/mm/hmm-tests.c (anon read/write/prot, child/COW,
 * shared, huge, file, multiple, teardown race, snapshot, mixed mappings,
 * mixedmap), and migration to device-private VRAM (migrate, fault back,
 * multiple, release, shared/holes, COW in device, read-only, gup), ported to
 * vsvm's test uAPI.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/io_uring.h>

#include <drm/drm.h>
#include "vsvm_drm.h"
#include "vsvm_test_util.h"

#include "kselftest_harness.h"
#include "gup_test.h"

#define NPAGES 16

static int dev_access(int fd, int op, void *addr, void *buf, size_t size,
		      uint64_t *faults)
{
	struct drm_vsvm_svm_access a = {
		.addr = (uintptr_t)addr,
		.size = size,
		.data = (uintptr_t)buf,
		.op = op,
	};
	int ret;

	do {
		ret = ioctl(fd, DRM_IOCTL_VSVM_SVM_ACCESS, &a);
	} while (ret && errno == EINTR);
	if (faults)
		*faults = a.faults;
	return ret ? -errno : 0;
}

static int dev_snapshot(int fd, void *addr, unsigned long npages, uint8_t *out)
{
	struct drm_vsvm_svm_snapshot s = {
		.addr = (uintptr_t)addr,
		.npages = npages,
		.data = (uintptr_t)out,
	};

	return ioctl(fd, DRM_IOCTL_VSVM_SVM_SNAPSHOT, &s) ? -errno : 0;
}

FIXTURE(svm) {
	int fd;
	size_t page;
	size_t size;
};

FIXTURE_SETUP(svm)
{
	self->page = sysconf(_SC_PAGESIZE);
	self->size = NPAGES * self->page;
	self->fd = open_vsvm();
	if (self->fd < 0)
		SKIP(return, "no vsvm render node");
}

FIXTURE_TEARDOWN(svm)
{
	if (self->fd >= 0)
		close(self->fd);
}

static void *map_anon(size_t size, int prot, int flags)
{
	void *p = mmap(NULL, size, prot, flags | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* Device reads anonymous memory: once faulted in, again from its PT. */
TEST_F(svm, anon_read)
{
	unsigned int *p = map_anon(self->size, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	unsigned int *buf = malloc(self->size);
	uint64_t faults;
	size_t i;

	ASSERT_NE(NULL, p);
	for (i = 0; i < self->size / 4; i++)
		p[i] = i;
	ASSERT_EQ(0, dev_access(self->fd, DRM_VSVM_SVM_READ, p, buf,
				self->size, &faults));
	ASSERT_EQ(1, faults);
	ASSERT_EQ(0, memcmp(p, buf, self->size));
	memset(buf, 0, self->size);
	ASSERT_EQ(0, dev_access(self->fd, DRM_VSVM_SVM_READ, p, buf,
				self->size, &faults));
	ASSERT_EQ(0, faults);
	ASSERT_EQ(0, memcmp(p, buf, self->size));
	free(buf);
	munmap(p, self->size);
}

/* Never-touched memory reads as zero (zero page), without allocating. */
TEST_F(svm, anon_read_zero)
{
	uint8_t *p = map_anon(self->size, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	uint8_t *buf = malloc(self->size), snap[NPAGES];
	size_t i;

	ASSERT_NE(NULL, p);
	memset(buf, 0xff, self->size);
	ASSERT_EQ(0, dev_access(self->fd, DRM_VSVM_SVM_READ, p, buf,
				self->size, NULL));
	for (i = 0; i < self->size; i++)
		ASSERT_EQ(0, buf[i]);
	ASSERT_EQ(0, dev_snapshot(self->fd, p, NPAGES, snap));
	for (i = 0; i < NPAGES; i++)
		ASSERT_EQ(DRM_VSVM_SVM_PROT_READ | DRM_VSVM_SVM_PROT_ZERO, snap[i]);
	free(buf);
	munmap(p, self->size);
}

/* PROT_NONE: the device gets EFAULT and its buffer is left alone. */
TEST_F(svm, anon_read_prot)
{
	unsigned int *p = map_anon(self->size, PROT_NONE, MAP_PRIVATE);
	unsigned int *buf = malloc(self->size);
	size_t i;

	ASSERT_NE(NULL, p);
	for (i = 0; i < self->size / 4; i++)
		buf[i] = 0x5a5a5a5a;
	ASSERT_EQ(-EFAULT, dev_access(self->fd, DRM_VSVM_SVM_READ, p, buf,
				      self->size, NULL));
	for (i = 0; i < self->size / 4; i++)
		ASSERT_EQ(0x5a5a5a5a, buf[i]);
	free(buf);
	munmap(p, self->size);
}

/* Device writes are seen by the CPU. */
TEST_F(svm, anon_write)
{
	unsigned int *p = map_anon(self->size, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	unsigned int *buf = malloc(self->size);
	uint64_t faults;
	size_t i;

	ASSERT_NE(NULL, p);
	for (i = 0; i < self->size / 4; i++)
		buf[i] = i * 3;
	ASSERT_EQ(0, dev_access(self->fd, DRM_VSVM_SVM_WRITE, p, buf,
				self->size, &faults));
	ASSERT_EQ(1, faults);
	for (i = 0; i < self->size / 4; i++)
		ASSERT_EQ(i * 3, p[i]);
	free(buf);
	munmap(p, self->size);
}

/* Read-only mapping: device writes get EPERM until mprotect allows them. */
TEST_F(svm, anon_write_prot)
{
	unsigned int *p = map_anon(self->size, PROT_READ, MAP_PRIVATE);
	unsigned int *buf = malloc(self->size);
	size_t i;

	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, dev_access(self->fd, DRM_VSVM_SVM_READ, p, buf,
				self->size, NULL));
	for (i = 0; i < self->size / 4; i++)
		buf[i] = ~i;
	ASSERT_EQ(-EPERM, dev_access(self->fd, DRM_VSVM_SVM_WRITE, p, buf,
				     self->size, NULL));
	for (i = 0; i < self->size / 4; i++)
		ASSERT_EQ(0, p[i]);
	ASSERT_EQ(0, mprotect(p, self->size, PROT_READ | PROT_WRITE));
	ASSERT_EQ(0, dev_access(self->fd, DRM_VSVM_SVM_WRITE, p, buf,
				self->size, NULL));
	for (i = 0; i < self->size / 4; i++)
		ASSERT_EQ((unsigned int)~i, p[i]);
	free(buf);
	munmap(p, self->size);
}

/* After fork, a device write in the child breaks COW: the parent keeps its data. */
TEST_F(svm, anon_write_child)
{
	unsigned int *p = map_anon(self->size, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	int status;
	size_t i;
	pid_t pid;

	ASSERT_NE(NULL, p);
	for (i = 0; i < self->size / 4; i++)
		p[i] = i;
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		unsigned int *buf = malloc(self->size);
		int fd = open_vsvm();

		for (i = 0; i < self->size / 4; i++)
			buf[i] = -i;
		if (fd < 0 || dev_access(fd, DRM_VSVM_SVM_WRITE, p, buf,
					 self->size, NULL))
			_exit(1);
		for (i = 0; i < self->size / 4; i++)
			if (p[i] != (unsigned int)-i)
				_exit(2);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	for (i = 0; i < self->size / 4; i++)
		ASSERT_EQ(i, p[i]);
	munmap(p, self->size);
}

/* MAP_SHARED anonymous memory: the parent sees the child's device writes. */
TEST_F(svm, anon_write_child_shared)
{
	unsigned int *p = map_anon(self->size, PROT_READ | PROT_WRITE, MAP_SHARED);
	int status;
	size_t i;
	pid_t pid;

	ASSERT_NE(NULL, p);
	memset(p, 0, self->size);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		unsigned int *buf = malloc(self->size);
		int fd = open_vsvm();

		for (i = 0; i < self->size / 4; i++)
			buf[i] = i + 7;
		_exit(fd < 0 || dev_access(fd, DRM_VSVM_SVM_WRITE, p, buf,
					   self->size, NULL));
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	for (i = 0; i < self->size / 4; i++)
		ASSERT_EQ(i + 7, p[i]);
	munmap(p, self->size);
}

/* A file opened by another process's mirror is refused. */
TEST_F(svm, other_process)
{
	unsigned int *p = map_anon(self->size, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	unsigned int *buf = malloc(self->size);
	int status;
	pid_t pid;

	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, dev_access(self->fd, DRM_VSVM_SVM_READ, p, buf,
				self->size, NULL));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid)
		_exit(dev_access(self->fd, DRM_VSVM_SVM_READ, p, buf,
				 self->size, NULL) != -EINVAL);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, WEXITSTATUS(status));
	free(buf);
	munmap(p, self->size);
}

/* Transparent huge pages are mirrored (and reported as PMD mappings). */
TEST_F(svm, anon_write_huge)
{
	size_t size = 2 << 20;
	uint8_t *map = map_anon(2 * size, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	unsigned int *p, *buf = malloc(size);
	uint8_t *snap = malloc(size / self->page);
	size_t i;

	ASSERT_NE(NULL, map);
	p = (unsigned int *)(((uintptr_t)map + size - 1) & ~(size - 1));
	ASSERT_EQ(0, madvise(p, size, MADV_HUGEPAGE));
	for (i = 0; i < size / 4; i++)
		p[i] = i;
	for (i = 0; i < size / 4; i++)
		buf[i] = i ^ 0xffff;
	ASSERT_EQ(0, dev_access(self->fd, DRM_VSVM_SVM_WRITE, p, buf, size,
				NULL));
	for (i = 0; i < size / 4; i++)
		ASSERT_EQ(i ^ 0xffff, p[i]);
	ASSERT_EQ(0, dev_snapshot(self->fd, p, size / self->page, snap));
	if (!(snap[0] & DRM_VSVM_SVM_PROT_PMD))
		TH_LOG("no THP for this range (THP setting or memory)");
	for (i = 0; i < size / self->page; i++)
		ASSERT_EQ(DRM_VSVM_SVM_PROT_WRITE,
			  snap[i] & ~DRM_VSVM_SVM_PROT_PMD);
	free(snap);
	free(buf);
	munmap(map, 2 * size);
}

/* A memfd of @size bytes whose word i is i + @add, or -1. */
static int memfd_words(size_t size, unsigned int add)
{
	unsigned int *w = malloc(size);
	int mfd = memfd_create("vsvm_svm", 0);
	size_t i;

	if (w && mfd >= 0) {
		for (i = 0; i < size / 4; i++)
			w[i] = i + add;
		if (pwrite(mfd, w, size, 0) != (ssize_t)size) {
			close(mfd);
			mfd = -1;
		}
	}
	free(w);
	return mfd;
}

/* Shared file mappings: device reads file data, device writes reach the file. */
TEST_F(svm, file_read_write)
{
	int mfd = memfd_words(self->size, 100);
	unsigned int *p, *buf = malloc(self->size);
	size_t i;

	ASSERT_GE(mfd, 0);
	p = mmap(NULL, self->size, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	ASSERT_NE(MAP_FAILED, p);
	memset(buf, 0, self->size);
	ASSERT_EQ(0, dev_access(self->fd, DRM_VSVM_SVM_READ, p, buf,
				self->size, NULL));
	for (i = 0; i < self->size / 4; i++)
		ASSERT_EQ(i + 100, buf[i]);
	for (i = 0; i < self->size / 4; i++)
		buf[i] = i * 5;
	ASSERT_EQ(0, dev_access(self->fd, DRM_VSVM_SVM_WRITE, p, buf,
				self->size, NULL));
	memset(buf, 0, self->size);
	ASSERT_EQ((ssize_t)self->size, pread(mfd, buf, self->size, 0));
	for (i = 0; i < self->size / 4; i++)
		ASSERT_EQ(i * 5, buf[i]);
	munmap(p, self->size);
	close(mfd);
	free(buf);
}

/* Remapping the range invalidates the mirror: every round faults again. */
TEST_F(svm, anon_read_multiple)
{
	unsigned int *buf = malloc(self->size);
	int round;
	size_t i;

	for (round = 0; round < 10; round++) {
		unsigned int *p = map_anon(self->size, PROT_READ | PROT_WRITE,
					   MAP_PRIVATE);
		uint64_t faults;

		ASSERT_NE(NULL, p);
		for (i = 0; i < self->size / 4; i++)
			p[i] = i + round;
		ASSERT_EQ(0, dev_access(self->fd, DRM_VSVM_SVM_READ, p, buf,
					self->size, &faults));
		ASSERT_EQ(1, faults);
		for (i = 0; i < self->size / 4; i++)
			ASSERT_EQ(i + round, buf[i]);
		munmap(p, self->size);
	}
	free(buf);
}

/* munmap of part of a mirrored range: that part faults, the rest reads. */
TEST_F(svm, partial_munmap)
{
	uint8_t *p = map_anon(self->size, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	uint8_t *buf = malloc(self->size);
	size_t pg = self->page;

	ASSERT_NE(NULL, p);
	memset(p, 0x33, self->size);
	ASSERT_EQ(0, dev_access(self->fd, DRM_VSVM_SVM_READ, p, buf,
				self->size, NULL));
	ASSERT_EQ(0, munmap(p + 4 * pg, 4 * pg));
	ASSERT_EQ(-EFAULT, dev_access(self->fd, DRM_VSVM_SVM_READ, p, buf,
				      self->size, NULL));
	ASSERT_EQ(0, dev_access(self->fd, DRM_VSVM_SVM_READ, p, buf, 4 * pg,
				NULL));
	ASSERT_EQ(0x33, buf[4 * pg - 1]);
	ASSERT_EQ(0, dev_access(self->fd, DRM_VSVM_SVM_READ, p + 8 * pg, buf,
				8 * pg, NULL));
	ASSERT_EQ(0x33, buf[0]);
	munmap(p, 4 * pg);
	munmap(p + 8 * pg, self->size - 8 * pg);
	free(buf);
}

struct teardown_arg {
	int fd;
	void *p;
	size_t size;
	int errors;
};

static void *teardown_reader(void *a)
{
	struct teardown_arg *t = a;
	void *buf = malloc(t->size);
	int i, ret;

	for (i = 0; i < 50; i++) {
		ret = dev_access(t->fd, DRM_VSVM_SVM_READ, t->p, buf, t->size,
				 NULL);
		if (ret && ret != -EFAULT)
			t->errors++;
	}
	free(buf);
	return NULL;
}

/* munmap racing device reads: each read succeeds or gets EFAULT. */
TEST_F(svm, anon_teardown)
{
	int round;

	for (round = 0; round < 10; round++) {
		struct teardown_arg t = {
			.fd = self->fd,
			.size = self->size,
			.p = map_anon(self->size, PROT_READ | PROT_WRITE,
				      MAP_PRIVATE),
		};
		pthread_t th;

		ASSERT_NE(NULL, t.p);
		memset(t.p, round, self->size);
		ASSERT_EQ(0, pthread_create(&th, NULL, teardown_reader, &t));
		usleep(round * 100);
		munmap(t.p, self->size);
		pthread_join(th, NULL);
		ASSERT_EQ(0, t.errors);
	}
}

/* Snapshot: holes are errors; read-only, written and zero pages differ. */
TEST_F(svm, snapshot)
{
	uint8_t *p = map_anon(3 * self->page, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	uint8_t snap[4];
	uint8_t *ro;

	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, munmap(p + 2 * self->page, self->page));
	p[0] = 1;			/* page 0 written, page 1 untouched */
	ASSERT_EQ(0, dev_snapshot(self->fd, p, 3, snap));
	ASSERT_EQ(DRM_VSVM_SVM_PROT_WRITE, snap[0]);
	ASSERT_EQ(DRM_VSVM_SVM_PROT_NONE, snap[1]);
	ASSERT_EQ(DRM_VSVM_SVM_PROT_ERROR, snap[2]);

	ro = map_anon(self->page, PROT_READ, MAP_PRIVATE);
	ASSERT_NE(NULL, ro);
	ASSERT_EQ(0, ro[0]);		/* zero page, read-only */
	ASSERT_EQ(0, dev_snapshot(self->fd, ro, 1, snap));
	ASSERT_EQ(DRM_VSVM_SVM_PROT_READ | DRM_VSVM_SVM_PROT_ZERO, snap[0]);
	munmap(ro, self->page);
	munmap(p, 2 * self->page);
}

/* Bad arguments are refused. */
TEST_F(svm, bad_args)
{
	uint8_t *p = map_anon(self->size, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	struct drm_vsvm_svm_access a = {
		.addr = (uintptr_t)p, .size = self->page,
		.data = (uintptr_t)malloc(self->page), .flags = 1,
	};
	struct drm_vsvm_svm_snapshot s = {
		.addr = (uintptr_t)p, .npages = 1, .data = a.data, .pad = 1,
	};
	uint8_t buf[64];

	ASSERT_EQ(-1, ioctl(self->fd, DRM_IOCTL_VSVM_SVM_ACCESS, &a));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, ioctl(self->fd, DRM_IOCTL_VSVM_SVM_SNAPSHOT, &s));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-EINVAL, dev_access(self->fd, 7, p, buf, self->page, NULL));
	ASSERT_EQ(-EINVAL, dev_access(self->fd, DRM_VSVM_SVM_READ, p + 1, buf,
				      self->page, NULL));
	ASSERT_EQ(-EINVAL, dev_access(self->fd, DRM_VSVM_SVM_READ, p, buf, 100,
				      NULL));
	ASSERT_EQ(-EINVAL, dev_access(self->fd, DRM_VSVM_SVM_READ, p, buf, 0,
				      NULL));
	ASSERT_EQ(-EINVAL, dev_access(self->fd, DRM_VSVM_SVM_READ,
				      (void *)(uintptr_t)-4096, buf, 8192, NULL));
	ASSERT_EQ(-EFAULT, dev_access(self->fd, DRM_VSVM_SVM_READ, p,
				      (void *)8, self->page, NULL));
	ASSERT_EQ(-EFAULT, dev_access(self->fd, DRM_VSVM_SVM_READ, NULL, buf,
				      self->page, NULL));
	ASSERT_EQ(-EINVAL, dev_snapshot(self->fd, p, 0, buf));
	free((void *)(uintptr_t)a.data);
	munmap(p, self->size);
}

/* A vsvm GEM object's PFN mapping is not mirrored: the device gets EFAULT. */
TEST_F(svm, gem_mapping)
{
	struct drm_vsvm_gem_create c = {
		.size = self->size,
		.placements = DRM_VSVM_PL_MASK(DRM_VSVM_PL_SYSTEM),
	};
	struct drm_vsvm_gem_mmap_offset m = { 0 };
	uint8_t snap[NPAGES], buf[64];
	uint8_t *p;

	ASSERT_EQ(0, ioctl(self->fd, DRM_IOCTL_VSVM_GEM_CREATE, &c));
	m.handle = c.handle;
	ASSERT_EQ(0, ioctl(self->fd, DRM_IOCTL_VSVM_GEM_MMAP_OFFSET, &m));
	p = mmap(NULL, self->size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 self->fd, m.offset);
	ASSERT_NE(MAP_FAILED, p);
	p[0] = 1;
	ASSERT_EQ(0, dev_snapshot(self->fd, p, NPAGES, snap));
	ASSERT_EQ(DRM_VSVM_SVM_PROT_ERROR, snap[0]);
	ASSERT_EQ(-EFAULT, dev_access(self->fd, DRM_VSVM_SVM_READ, p, buf,
				      self->page, NULL));
	munmap(p, self->size);
}

static int dev_migrate(int fd, void *addr, size_t size, int target,
		       uint64_t *moved)
{
	struct drm_vsvm_svm_migrate m = {
		.addr = (uintptr_t)addr,
		.size = size,
		.target = target,
	};
	int ret = ioctl(fd, DRM_IOCTL_VSVM_SVM_MIGRATE, &m);

	if (moved)
		*moved = m.moved;
	return ret ? -errno : 0;
}

/* Private anonymous memory with word i = i + @add, moved into VRAM. */
static unsigned int *map_in_vram(int fd, size_t size, unsigned int add)
{
	unsigned int *p = map_anon(size, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	size_t i;

	if (!p)
		return NULL;
	for (i = 0; i < size / 4; i++)
		p[i] = i + add;
	if (dev_migrate(fd, p, size, DRM_VSVM_SVM_TARGET_DEVICE, NULL)) {
		munmap(p, size);
		return NULL;
	}
	return p;
}

/* Anonymous memory moves into device-private VRAM and is read there. */
TEST_F(svm, migrate)
{
	unsigned int *p = map_anon(self->size, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	unsigned int *buf = malloc(self->size);
	uint8_t snap[NPAGES];
	uint64_t moved;
	size_t i;

	ASSERT_NE(NULL, p);
	for (i = 0; i < self->size / 4; i++)
		p[i] = i * 11;
	ASSERT_EQ(0, dev_migrate(self->fd, p, self->size,
				 DRM_VSVM_SVM_TARGET_DEVICE, &moved));
	ASSERT_EQ(NPAGES, moved);
	ASSERT_EQ(0, dev_snapshot(self->fd, p, NPAGES, snap));
	for (i = 0; i < NPAGES; i++)
		ASSERT_EQ(DRM_VSVM_SVM_PROT_DEV_PRIVATE_LOCAL |
			  DRM_VSVM_SVM_PROT_WRITE, snap[i]);
	/* The device reads its own memory: no fault back to RAM. */
	ASSERT_EQ(0, dev_access(self->fd, DRM_VSVM_SVM_READ, p, buf,
				self->size, NULL));
	for (i = 0; i < self->size / 4; i++)
		ASSERT_EQ(i * 11, buf[i]);
	ASSERT_EQ(0, dev_snapshot(self->fd, p, NPAGES, snap));
	ASSERT_EQ(DRM_VSVM_SVM_PROT_DEV_PRIVATE_LOCAL | DRM_VSVM_SVM_PROT_WRITE,
		  snap[0]);
	/* The CPU faults each page back (migrate_to_ram). */
	for (i = 0; i < self->size / 4; i++)
		ASSERT_EQ(i * 11, p[i]);
	ASSERT_EQ(0, dev_snapshot(self->fd, p, NPAGES, snap));
	for (i = 0; i < NPAGES; i++)
		ASSERT_EQ(DRM_VSVM_SVM_PROT_WRITE, snap[i]);
	free(buf);
	munmap(p, self->size);
}

/* Device writes to device pages; the CPU then sees them. */
TEST_F(svm, migrate_write)
{
	unsigned int *p = map_anon(self->size, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	unsigned int *buf = malloc(self->size);
	size_t i;

	ASSERT_NE(NULL, p);
	memset(p, 0, self->size);
	ASSERT_EQ(0, dev_migrate(self->fd, p, self->size,
				 DRM_VSVM_SVM_TARGET_DEVICE, NULL));
	for (i = 0; i < self->size / 4; i++)
		buf[i] = i + 42;
	ASSERT_EQ(0, dev_access(self->fd, DRM_VSVM_SVM_WRITE, p, buf,
				self->size, NULL));
	for (i = 0; i < self->size / 4; i++)
		ASSERT_EQ(i + 42, p[i]);
	free(buf);
	munmap(p, self->size);
}

/*
 * One CPU touch brings back the whole 2 MiB window around it (fault-around),
 * and everything can move to the device again.
 */
TEST_F(svm, migrate_fault)
{
	unsigned int *p = map_in_vram(self->fd, self->size, 0);
	uint8_t snap[NPAGES];
	uint64_t moved;
	size_t i;

	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, p[0]);
	ASSERT_EQ(0, dev_snapshot(self->fd, p, NPAGES, snap));
	for (i = 0; i < NPAGES; i++)
		if (((uintptr_t)p & ~((2ul << 20) - 1)) ==
		    (((uintptr_t)p + i * self->page) & ~((2ul << 20) - 1)))
			ASSERT_EQ(DRM_VSVM_SVM_PROT_WRITE, snap[i]);
	ASSERT_EQ(0, dev_migrate(self->fd, p, self->size,
				 DRM_VSVM_SVM_TARGET_DEVICE, &moved));
	ASSERT_LT(0, moved);
	for (i = 0; i < self->size / 4; i++)
		ASSERT_EQ(i, p[i]);
	munmap(p, self->size);
}

/* Ten rounds of migrate, check, fault back. */
TEST_F(svm, migrate_multiple)
{
	unsigned int *p = map_anon(self->size, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	int round;
	size_t i;

	ASSERT_NE(NULL, p);
	for (round = 0; round < 10; round++) {
		for (i = 0; i < self->size / 4; i++)
			p[i] = i ^ round;
		ASSERT_EQ(0, dev_migrate(self->fd, p, self->size,
					 DRM_VSVM_SVM_TARGET_DEVICE, NULL));
		for (i = 0; i < self->size / 4; i++)
			ASSERT_EQ(i ^ round, p[i]);
	}
	munmap(p, self->size);
}

/* Evicting all device memory keeps the data. */
TEST_F(svm, migrate_release)
{
	unsigned int *p = map_in_vram(self->fd, self->size, 9);
	struct drm_vsvm_svm_migrate evict = {
		.flags = DRM_VSVM_SVM_MIGRATE_EVICT_ALL,
	};
	uint8_t snap[NPAGES];
	size_t i;

	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, ioctl(self->fd, DRM_IOCTL_VSVM_SVM_MIGRATE, &evict));
	ASSERT_EQ(0, dev_snapshot(self->fd, p, NPAGES, snap));
	for (i = 0; i < NPAGES; i++)
		ASSERT_EQ(DRM_VSVM_SVM_PROT_WRITE, snap[i]);
	for (i = 0; i < self->size / 4; i++)
		ASSERT_EQ(i + 9, p[i]);
	munmap(p, self->size);
}

/* Shared anonymous memory and holes cannot migrate; nothing is lost. */
TEST_F(svm, migrate_bad)
{
	unsigned int *sh = map_anon(self->size, PROT_READ | PROT_WRITE, MAP_SHARED);
	uint8_t *p = map_anon(self->size, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	struct drm_vsvm_svm_migrate m = {
		.addr = (uintptr_t)p, .size = self->size, .pad = 1,
	};

	ASSERT_NE(NULL, sh);
	ASSERT_NE(NULL, p);
	sh[0] = 77;
	ASSERT_EQ(-EINVAL, dev_migrate(self->fd, sh, self->size,
				       DRM_VSVM_SVM_TARGET_DEVICE, NULL));
	ASSERT_EQ(77, sh[0]);
	ASSERT_EQ(0, munmap(p + self->page, self->page));
	p[0] = 5;
	ASSERT_EQ(-EINVAL, dev_migrate(self->fd, p, self->size,
				       DRM_VSVM_SVM_TARGET_DEVICE, NULL));
	ASSERT_EQ(5, p[0]);
	ASSERT_EQ(-EINVAL, dev_migrate(self->fd, p, self->size, 7, NULL));
	ASSERT_EQ(-EINVAL, dev_migrate(self->fd, p + 1, self->page,
				       DRM_VSVM_SVM_TARGET_DEVICE, NULL));
	ASSERT_EQ(-1, ioctl(self->fd, DRM_IOCTL_VSVM_SVM_MIGRATE, &m));
	ASSERT_EQ(EINVAL, errno);
	munmap(sh, self->size);
	munmap(p, self->page);
	munmap(p + 2 * self->page, self->size - 2 * self->page);
}

/* fork after migrating: COW of device pages keeps parent and child apart. */
TEST_F(svm, cow_in_device)
{
	unsigned int *p = map_in_vram(self->fd, self->size, 0);
	int status;
	size_t i;
	pid_t pid;

	ASSERT_NE(NULL, p);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		usleep(100000);
		for (i = 0; i < self->size / 4; i++)
			if (p[i] != i)
				_exit(1);
		_exit(0);
	}
	for (i = 0; i < self->size / 4; i++)
		p[i] = ~0u;
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	munmap(p, self->size);
}

/*
 * A device write to device-private pages that the CPU maps read-only fails
 * with -EPERM and changes nothing; reads still work, and after mprotect()
 * makes the mapping writable the same write succeeds.
 */
TEST_F(svm, migrate_write_prot)
{
	unsigned int *p = map_in_vram(self->fd, self->size, 5);
	unsigned int *buf = malloc(self->size);
	uint8_t snap[NPAGES];
	size_t i;

	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, mprotect(p, self->size, PROT_READ));
	for (i = 0; i < self->size / 4; i++)
		buf[i] = ~0u;
	ASSERT_EQ(-EPERM, dev_access(self->fd, DRM_VSVM_SVM_WRITE, p, buf,
				     self->size, NULL));
	ASSERT_EQ(-EPERM, dev_access(self->fd, DRM_VSVM_SVM_ATOMIC_INC, p,
				     NULL, self->size, NULL));
	ASSERT_EQ(0, dev_access(self->fd, DRM_VSVM_SVM_READ, p, buf,
				self->size, NULL));
	for (i = 0; i < self->size / 4; i++)
		ASSERT_EQ(i + 5, buf[i]);
	for (i = 0; i < self->size / 4; i++)
		ASSERT_EQ(i + 5, p[i]);

	ASSERT_EQ(0, dev_migrate(self->fd, p, self->size,
				 DRM_VSVM_SVM_TARGET_DEVICE, NULL));
	ASSERT_EQ(0, mprotect(p, self->size, PROT_READ | PROT_WRITE));
	for (i = 0; i < self->size / 4; i++)
		buf[i] = i * 7;
	ASSERT_EQ(0, dev_access(self->fd, DRM_VSVM_SVM_WRITE, p, buf,
				self->size, NULL));
	ASSERT_EQ(0, dev_snapshot(self->fd, p, NPAGES, snap));
	for (i = 0; i < NPAGES; i++)
		ASSERT_EQ(DRM_VSVM_SVM_PROT_WRITE,
			  snap[i] & DRM_VSVM_SVM_PROT_WRITE);
	for (i = 0; i < self->size / 4; i++)
		ASSERT_EQ(i * 7, p[i]);
	free(buf);
	munmap(p, self->size);
}

/*
 * fork after migrating, then a device write in the parent: the write breaks
 * COW like a CPU write would, so the child keeps the old data.
 */
TEST_F(svm, cow_in_device_write)
{
	unsigned int *p = map_in_vram(self->fd, self->size, 0);
	unsigned int *buf = malloc(self->size);
	int pipefd[2], status;
	size_t i;
	pid_t pid;
	char c;

	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, pipe(pipefd));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		close(pipefd[1]);
		if (read(pipefd[0], &c, 1) != 1)
			_exit(2);
		for (i = 0; i < self->size / 4; i++)
			if (p[i] != i)
				_exit(1);
		_exit(0);
	}
	close(pipefd[0]);
	for (i = 0; i < self->size / 4; i++)
		buf[i] = 0x5a000000u | i;
	ASSERT_EQ(0, dev_access(self->fd, DRM_VSVM_SVM_WRITE, p, buf,
				self->size, NULL));
	ASSERT_EQ(1, write(pipefd[1], "x", 1));
	close(pipefd[1]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	for (i = 0; i < self->size / 4; i++)
		ASSERT_EQ(0x5a000000u | i, p[i]);
	free(buf);
	munmap(p, self->size);
}

/*
 * hmm-tests' mixedmap: a VM_MIXEDMAP mapping of another driver's pages. The
 * io_uring submission ring is mapped with vm_insert_pages(); privately
 * mapped, the device sees it read-only with the kernel's data, and a device
 * write breaks COW into an anonymous copy without touching the ring.
 */
TEST_F(svm, mixedmap)
{
	struct io_uring_params params = { 0 };
	uint32_t *priv, *shared, mask;
	uint8_t snap[1];
	uint32_t *buf = malloc(self->page);
	int ring;
	size_t i;

	ring = syscall(__NR_io_uring_setup, 4, &params);
	if (ring < 0)
		SKIP(return, "no io_uring");
	priv = mmap(NULL, self->page, PROT_READ | PROT_WRITE, MAP_PRIVATE,
		    ring, IORING_OFF_SQ_RING);
	ASSERT_NE(MAP_FAILED, priv);
	shared = mmap(NULL, self->page, PROT_READ | PROT_WRITE, MAP_SHARED,
		      ring, IORING_OFF_SQ_RING);
	ASSERT_NE(MAP_FAILED, shared);
	mask = shared[params.sq_off.ring_mask / 4];
	ASSERT_EQ(params.sq_entries - 1, mask);

	ASSERT_EQ(0, dev_snapshot(self->fd, priv, 1, snap));
	ASSERT_EQ(DRM_VSVM_SVM_PROT_READ, snap[0]);
	ASSERT_EQ(0, dev_access(self->fd, DRM_VSVM_SVM_READ, priv, buf,
				self->page, NULL));
	ASSERT_EQ(0, memcmp(buf, shared, self->page));
	ASSERT_EQ(mask, buf[params.sq_off.ring_mask / 4]);

	for (i = 0; i < self->page / 4; i++)
		buf[i] = 0xc0de0000u | i;
	ASSERT_EQ(0, dev_access(self->fd, DRM_VSVM_SVM_WRITE, priv, buf,
				self->page, NULL));
	ASSERT_EQ(0, dev_snapshot(self->fd, priv, 1, snap));
	ASSERT_EQ(DRM_VSVM_SVM_PROT_WRITE, snap[0]);
	for (i = 0; i < self->page / 4; i++)
		ASSERT_EQ(0xc0de0000u | i, priv[i]);
	/* The ring itself is untouched. */
	ASSERT_EQ(mask, shared[params.sq_off.ring_mask / 4]);
	ASSERT_EQ(params.sq_entries, shared[params.sq_off.ring_entries / 4]);
	munmap(priv, self->page);
	munmap(shared, self->page);
	close(ring);
	free(buf);
}

static int write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_TRUNC);
	int ret;

	if (fd < 0)
		return -errno;
	ret = write(fd, val, strlen(val)) == (ssize_t)strlen(val) ? 0 : -EIO;
	close(fd);
	return ret;
}

/* hmm-tests' migrate_file_private: private COW pages of a file migrate. */
TEST_F(svm, migrate_file_private)
{
	int mfd = memfd_words(self->size, 1000);
	unsigned int *p, *buf = malloc(self->size);
	uint8_t snap[NPAGES];
	uint64_t moved;
	size_t i;

	ASSERT_GE(mfd, 0);
	p = mmap(NULL, self->size, PROT_READ | PROT_WRITE, MAP_PRIVATE, mfd, 0);
	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < self->size / 4; i++)
		p[i] = i;
	ASSERT_EQ(0, dev_migrate(self->fd, p, self->size,
				 DRM_VSVM_SVM_TARGET_DEVICE, &moved));
	ASSERT_EQ(NPAGES, moved);
	ASSERT_EQ(0, dev_snapshot(self->fd, p, NPAGES, snap));
	for (i = 0; i < NPAGES; i++)
		ASSERT_EQ(DRM_VSVM_SVM_PROT_DEV_PRIVATE_LOCAL |
			  DRM_VSVM_SVM_PROT_WRITE, snap[i]);
	memset(buf, 0, self->size);
	ASSERT_EQ(0, dev_access(self->fd, DRM_VSVM_SVM_READ, p, buf,
				self->size, NULL));
	for (i = 0; i < self->size / 4; i++)
		ASSERT_EQ(i, buf[i]);
	for (i = 0; i < self->size / 4; i++)
		ASSERT_EQ(i, p[i]);
	/* The file keeps its own data. */
	ASSERT_EQ((ssize_t)self->size, pread(mfd, buf, self->size, 0));
	for (i = 0; i < self->size / 4; i++)
		ASSERT_EQ(i + 1000, buf[i]);
	munmap(p, self->size);
	close(mfd);
	free(buf);
}

/*
 * hmm-tests' migrate_mixed on one device: PROT_NONE and ranges with holes
 * are refused; a read-only zero page, a read-only page with data and two
 * writable pages migrate together and keep their data and protections.
 */
TEST_F(svm, migrate_mixed)
{
	size_t pg = self->page;
	uint8_t *p = map_anon(6 * pg, PROT_NONE, MAP_PRIVATE);
	unsigned int *buf = malloc(self->page);
	uint8_t snap[4];
	uint64_t moved;
	int i;

	ASSERT_NE(NULL, p);
	ASSERT_NE(NULL, buf);
	ASSERT_EQ(-EINVAL, dev_migrate(self->fd, p, 6 * pg,
				       DRM_VSVM_SVM_TARGET_DEVICE, NULL));
	ASSERT_EQ(0, munmap(p + pg, pg));
	ASSERT_EQ(-EINVAL, dev_migrate(self->fd, p, 3 * pg,
				       DRM_VSVM_SVM_TARGET_DEVICE, NULL));
	/* Page 2: read-only zero page. */
	ASSERT_EQ(0, mprotect(p + 2 * pg, pg, PROT_READ));
	ASSERT_EQ(0, *(volatile unsigned int *)(p + 2 * pg));
	/* Page 3: read-only with data. */
	ASSERT_EQ(0, mprotect(p + 3 * pg, pg, PROT_READ | PROT_WRITE));
	*(unsigned int *)(p + 3 * pg) = 3;
	ASSERT_EQ(0, mprotect(p + 3 * pg, pg, PROT_READ));
	/* Pages 4-5: read-write. */
	ASSERT_EQ(0, mprotect(p + 4 * pg, 2 * pg, PROT_READ | PROT_WRITE));
	*(unsigned int *)(p + 4 * pg) = 4;
	*(unsigned int *)(p + 5 * pg) = 5;

	ASSERT_EQ(0, dev_migrate(self->fd, p + 2 * pg, 4 * pg,
				 DRM_VSVM_SVM_TARGET_DEVICE, &moved));
	ASSERT_EQ(4, moved);
	ASSERT_EQ(0, dev_snapshot(self->fd, p + 2 * pg, 4, snap));
	ASSERT_EQ(DRM_VSVM_SVM_PROT_DEV_PRIVATE_LOCAL | DRM_VSVM_SVM_PROT_READ,
		  snap[0]);
	ASSERT_EQ(DRM_VSVM_SVM_PROT_DEV_PRIVATE_LOCAL | DRM_VSVM_SVM_PROT_READ,
		  snap[1]);
	ASSERT_EQ(DRM_VSVM_SVM_PROT_DEV_PRIVATE_LOCAL | DRM_VSVM_SVM_PROT_WRITE,
		  snap[2]);
	ASSERT_EQ(DRM_VSVM_SVM_PROT_DEV_PRIVATE_LOCAL | DRM_VSVM_SVM_PROT_WRITE,
		  snap[3]);
	for (i = 0; i < 4; i++) {
		buf[0] = ~0u;
		ASSERT_EQ(0, dev_access(self->fd, DRM_VSVM_SVM_READ,
					p + (2 + i) * pg, buf, pg, NULL));
		ASSERT_EQ(i ? (unsigned int)(i + 2) : 0, buf[0]);
	}
	ASSERT_EQ(-EPERM, dev_access(self->fd, DRM_VSVM_SVM_WRITE, p + 3 * pg,
				     buf, pg, NULL));
	for (i = 0; i < 4; i++)
		ASSERT_EQ(i ? (unsigned int)(i + 2) : 0,
			  *(unsigned int *)(p + (2 + i) * pg));
	free(buf);
	munmap(p, pg);
	munmap(p + 2 * pg, 4 * pg);
}

static long meminfo_kb(const char *key)
{
	char line[128];
	long v = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)))
			v = strtol(line + strlen(key), NULL, 10);
	fclose(f);
	return v;
}

/*
 * hmm-tests' compound and anon_write_hugetlbfs: one hugetlbfs page is
 * mirrored as one large mapping (PMD) read-write, then read-only after
 * mprotect(); device writes reach it. Reserves one huge page if none is.
 */
TEST_F(svm, hugetlbfs)
{
	const char *nr = "/proc/sys/vm/nr_hugepages";
	long hsize = meminfo_kb("Hugepagesize:") * 1024;
	long before = meminfo_kb("HugePages_Total:");
	unsigned int *p, *buf;
	uint8_t *snap;
	size_t i, n;

	if (hsize <= 0 || before < 0)
		SKIP(return, "no hugetlbfs");
	if (before == 0 && write_file(nr, "1"))
		SKIP(return, "cannot reserve a huge page");
	p = mmap(NULL, hsize, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	if (p == MAP_FAILED) {
		if (before == 0)
			write_file(nr, "0");
		SKIP(return, "no free huge page");
	}
	n = hsize / self->page;
	buf = malloc(hsize);
	snap = malloc(n);
	ASSERT_NE(NULL, buf);
	ASSERT_NE(NULL, snap);
	for (i = 0; i < hsize / 4; i++)
		p[i] = i;
	ASSERT_EQ(0, dev_snapshot(self->fd, p, n, snap));
	for (i = 0; i < n; i++)
		ASSERT_EQ(DRM_VSVM_SVM_PROT_WRITE | DRM_VSVM_SVM_PROT_PMD,
			  snap[i]);
	for (i = 0; i < hsize / 4; i++)
		buf[i] = ~(unsigned int)i;
	ASSERT_EQ(0, dev_access(self->fd, DRM_VSVM_SVM_WRITE, p, buf, hsize,
				NULL));
	for (i = 0; i < hsize / 4; i++)
		ASSERT_EQ(~(unsigned int)i, p[i]);
	ASSERT_EQ(0, mprotect(p, hsize, PROT_READ));
	ASSERT_EQ(0, dev_snapshot(self->fd, p, n, snap));
	for (i = 0; i < n; i++)
		ASSERT_EQ(DRM_VSVM_SVM_PROT_READ | DRM_VSVM_SVM_PROT_PMD,
			  snap[i]);
	ASSERT_EQ(-EPERM, dev_access(self->fd, DRM_VSVM_SVM_WRITE, p, buf,
				     hsize, NULL));
	memset(buf, 0, hsize);
	ASSERT_EQ(0, dev_access(self->fd, DRM_VSVM_SVM_READ, p, buf, hsize,
				NULL));
	for (i = 0; i < hsize / 4; i++)
		ASSERT_EQ(~(unsigned int)i, buf[i]);
	munmap(p, hsize);
	if (before == 0)
		write_file(nr, "0");
	free(buf);
	free(snap);
}

static int gup_test_call(int gup_fd, unsigned long cmd, void *addr,
			 size_t size, unsigned int gup_flags)
{
	struct gup_test gup = {
		.addr = (uintptr_t)addr,
		.size = size,
		.nr_pages_per_call = 1,
		.gup_flags = gup_flags,
	};

	return ioctl(gup_fd, cmd, &gup) ? -errno : 0;
}

#define TEST_FOLL_WRITE		0x01	/* mm_types.h: FOLL_WRITE */
#define TEST_FOLL_LONGTERM	0x100	/* mm_types.h: FOLL_LONGTERM */

/*
 * hmm-tests' hmm_gup_test: get_user_pages() and pin_user_pages() (fast,
 * slow, long-term) on device-private pages bring them back to system
 * memory (the device cannot be pinned into), with the data intact.
 */
TEST_F(svm, gup)
{
	unsigned int *p = map_anon(4 * self->page, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE);
	static const unsigned long cmds[4] = {
		GUP_BASIC_TEST, GUP_FAST_BENCHMARK, PIN_FAST_BENCHMARK,
		PIN_LONGTERM_BENCHMARK,
	};
	static const unsigned int flags[4] = {
		TEST_FOLL_WRITE, TEST_FOLL_WRITE,
		TEST_FOLL_WRITE | TEST_FOLL_LONGTERM, TEST_FOLL_WRITE,
	};
	size_t size = 4 * self->page;
	uint8_t snap[4];
	uint64_t moved;
	int gup_fd, i;
	size_t j;

	gup_fd = open("/sys/kernel/debug/gup_test", O_RDWR);
	if (gup_fd < 0)
		SKIP(return, "no gup_test (CONFIG_GUP_TEST, debugfs)");
	ASSERT_NE(NULL, p);
	for (j = 0; j < size / 4; j++)
		p[j] = j ^ 0xabcd;
	ASSERT_EQ(0, dev_migrate(self->fd, p, size,
				 DRM_VSVM_SVM_TARGET_DEVICE, &moved));
	ASSERT_EQ(4, moved);
	ASSERT_EQ(0, dev_snapshot(self->fd, p, 4, snap));
	for (i = 0; i < 4; i++)
		ASSERT_EQ(DRM_VSVM_SVM_PROT_DEV_PRIVATE_LOCAL |
			  DRM_VSVM_SVM_PROT_WRITE, snap[i]);

	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, gup_test_call(gup_fd, cmds[i],
					   (char *)p + i * self->page,
					   self->page, flags[i]));
	/* Every page was taken back to system memory, writable. */
	ASSERT_EQ(0, dev_snapshot(self->fd, p, 4, snap));
	for (i = 0; i < 4; i++)
		ASSERT_EQ(DRM_VSVM_SVM_PROT_WRITE, snap[i]);
	for (j = 0; j < size / 4; j++)
		ASSERT_EQ(j ^ 0xabcd, p[j]);
	close(gup_fd);
	munmap(p, size);
}


/* Each stage leaves a tracepoint: mirror faults, invalidations, copies. */
TEST_F(svm, tracepoints)
{
	const char *t = "/sys/kernel/tracing";
	unsigned int *p = map_anon(self->size, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	unsigned int *buf = malloc(self->size);
	char path[128], *log = malloc(1 << 20);
	ssize_t n = 0, r;
	int fd;

	if (access("/sys/kernel/tracing/events/drm_svm/enable", W_OK))
		SKIP(return, "no tracefs or no drm_svm events");
	ASSERT_NE(NULL, p);
	snprintf(path, sizeof(path), "%s/trace", t);
	ASSERT_EQ(0, write_file(path, ""));
	snprintf(path, sizeof(path), "%s/events/drm_svm/enable", t);
	ASSERT_EQ(0, write_file(path, "1"));
	memset(p, 1, self->size);
	ASSERT_EQ(0, dev_access(self->fd, DRM_VSVM_SVM_READ, p, buf, self->size,
				NULL));
	ASSERT_EQ(0, munmap(p, self->size));
	ASSERT_EQ(0, write_file(path, "0"));

	snprintf(path, sizeof(path), "%s/trace", t);
	fd = open(path, O_RDONLY);
	ASSERT_GE(fd, 0);
	while ((r = read(fd, log + n, (1 << 20) - 1 - n)) > 0)
		n += r;
	close(fd);
	log[n] = '\0';
	EXPECT_NE(NULL, strstr(log, "drm_svm_mirror_fault:"));
	EXPECT_NE(NULL, strstr(log, "retries="));
	EXPECT_NE(NULL, strstr(log, "drm_svm_mirror_invalidate:"));
	free(log);
	free(buf);
}

/* debugfs svm_clients shows this context's mirror: pages, faults. */
TEST_F(svm, debugfs_clients)
{
	unsigned int *p = map_anon(self->size, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	unsigned int *buf = malloc(self->size);
	unsigned long mapped = 0, writable = 0, device = 0, ranges = 0;
	long long faults = -1, inval = -1;
	char line[256], want[32];
	bool found = false;
	glob_t g;
	FILE *f;

	if (glob("/sys/kernel/debug/dri/*/svm_clients", 0, NULL, &g))
		SKIP(return, "no debugfs");
	ASSERT_NE(NULL, p);
	memset(p, 3, self->size);
	ASSERT_EQ(0, dev_access(self->fd, DRM_VSVM_SVM_READ, p, buf, self->size,
				NULL));
	snprintf(want, sizeof(want), "pid %d:", getpid());
	f = fopen(g.gl_pathv[0], "r");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, want, strlen(want)) &&
		    sscanf(line + strlen(want),
			   " mapped %lu writable %lu device %lu faults %lld invalidations %lld ranges %lu",
			   &mapped, &writable, &device, &faults, &inval,
			   &ranges) == 6)
			found = true;
	fclose(f);
	globfree(&g);
	ASSERT_TRUE(found);
	ASSERT_EQ(NPAGES, mapped);
	ASSERT_EQ(0, device);
	/* One mirror fault per range the access needed. */
	ASSERT_GE(ranges, 1);
	ASSERT_EQ(ranges, faults);
	free(buf);
	munmap(p, self->size);
}

static int module_params(char *buf, size_t len)
{
	const char *dirname = "/sys/module/vsvm/parameters";
	struct dirent *de;
	size_t used = 0;
	DIR *dir = opendir(dirname);

	if (!dir)
		return -1;
	buf[0] = '\0';
	while ((de = readdir(dir))) {
		char path[600], val[64] = "";
		FILE *f;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dirname, de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(val, sizeof(val), f)) {
			val[strcspn(val, "\n")] = '\0';
			used += snprintf(buf + used, len - used, " %s=%s",
					 de->d_name, val);
		}
		fclose(f);
	}
	closedir(dir);
	return used < len ? 0 : -1;
}

/*
 * The driver goes away while a process still has pages in device memory:
 * they are migrated back first and the process keeps its data.
 */
TEST_F(svm, unload_with_device_pages)
{
	unsigned int *p = map_anon(self->size, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	char params[512], cmd[600];
	uint8_t snap[NPAGES];
	size_t i;

	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, module_params(params, sizeof(params)));
	for (i = 0; i < self->size / 4; i++)
		p[i] = i * 13;
	ASSERT_EQ(0, dev_migrate(self->fd, p, self->size,
				 DRM_VSVM_SVM_TARGET_DEVICE, NULL));
	ASSERT_EQ(0, dev_snapshot(self->fd, p, 1, snap));
	ASSERT_EQ(DRM_VSVM_SVM_PROT_DEV_PRIVATE_LOCAL | DRM_VSVM_SVM_PROT_WRITE,
		  snap[0]);
	close(self->fd);
	self->fd = -1;
	ASSERT_EQ(0, system("modprobe -r vsvm"));
	for (i = 0; i < self->size / 4; i++)
		ASSERT_EQ(i * 13, p[i]);
	snprintf(cmd, sizeof(cmd), "modprobe vsvm%s", params);
	ASSERT_EQ(0, system(cmd));
	munmap(p, self->size);
}

TEST_HARNESS_MAIN
