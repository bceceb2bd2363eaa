// SPDX-License-Identifier: MIT
/*
 * Copyright © 2026 The drm-svm authors
 *
 * SVM benchmarks against lib/test_hmm and memcpy in the same VM run:
 *  - migration to device memory and back (vsvm: copy engine, batches of
 *    2 MiB; test_hmm: CPU copies);
 *  - CPU faults bringing device pages back (bytes/s);
 *  - device mirror faults on first sequential access (pages/s), with the
 *    data copy (first access) and without it (first access minus a second
 *    one over the same, now mirrored, pages), on 4 KiB pages and on
 *    THP-backed memory (MADV_HUGEPAGE);
 *  - fault-driven migration (vsvm only): device accesses of one page per
 *    2 MiB range of memory whose preferred location is the device, so each
 *    fault migrates a 2 MiB range, vs prefetching the same amount;
 *  - mirror set-up of 1 GiB vs pinning the same GiB as io_uring fixed
 *    buffers (IORING_REGISTER_BUFFERS through raw syscalls).
 * Not a test: prints figures and ratios.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <xf86drm.h>

#include <linux/io_uring.h>

#include "libdrm_svm.h"
#include "test_hmm_uapi.h"
#include "vsvm_drm.h"

#define MiB (1024ull * 1024)

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

enum { PLAIN, ALIGNED_THP, ALIGNED_4K };

/*
 * Touched private anonymous memory; ALIGNED_*: 2 MiB-aligned, with
 * MADV_HUGEPAGE (THP-backed) or MADV_NOHUGEPAGE (4 KiB pages).
 */
static char *fresh_mem(uint64_t size, int thp)
{
	uint64_t len = thp ? size + 2 * MiB : size, i;
	char *m = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), *p;

	if (m == MAP_FAILED)
		return NULL;
	p = m;
	if (thp) {
		p = (char *)(((uintptr_t)m + 2 * MiB - 1) & ~(uintptr_t)(2 * MiB - 1));
		if (p > m)
			munmap(m, p - m);
		if (p + size < m + len)
			munmap(p + size, m + len - (p + size));
		madvise(p, size, thp == ALIGNED_THP ? MADV_HUGEPAGE :
			MADV_NOHUGEPAGE);
	}
	for (i = 0; i < size; i += 4096)
		p[i] = (char)i;
	return p;
}

static char *fresh(uint64_t size)
{
	return fresh_mem(size, PLAIN);
}

static int vsvm_migrate(int fd, void *p, uint64_t size, int target)
{
	struct drm_vsvm_svm_migrate m = {
		.addr = (uintptr_t)p, .size = size, .target = target,
	};

	return ioctl(fd, DRM_IOCTL_VSVM_SVM_MIGRATE, &m);
}

static int hmm_cmd(int fd, unsigned long req, void *p, void *buf,
		   uint64_t size)
{
	struct hmm_dmirror_cmd c = {
		.addr = (uintptr_t)p, .ptr = (uintptr_t)buf,
		.npages = size / 4096,
	};

	return ioctl(fd, req, &c);
}

struct rates {
	double to_dev, to_sys, cpu_fault;	/* B/s */
	/* pages/s: first access, later access (copy only), set-up only */
	double mirror, mirror_copy, mirror_setup;
	double thp_mirror, thp_copy, thp_setup;	/* the same, THP-backed */
};

/* One device read of [p, p + size) into buf; seconds, or -1. */
static double device_read(int vfd, int hfd, char *p, char *buf, uint64_t size)
{
	double t = now();

	if (vfd >= 0) {
		struct drm_vsvm_svm_access a = {
			.addr = (uintptr_t)p, .size = size,
			.data = (uintptr_t)buf, .op = DRM_VSVM_SVM_READ,
		};

		if (ioctl(vfd, DRM_IOCTL_VSVM_SVM_ACCESS, &a))
			return -1;
	} else if (hmm_cmd(hfd, HMM_DMIRROR_READ, p, buf, size)) {
		return -1;
	}
	return now() - t;
}

/*
 * First device access of fresh memory (mirror faults + copy), then two more
 * (copy only, the pages stay mirrored); keeps the best time of each kind.
 */
static int mirror_times(int vfd, int hfd, uint64_t size, char *buf, int thp,
			double *first, double *again)
{
	char *p = fresh_mem(size, thp);
	double t;
	int i;

	if (!p)
		return -1;
	for (i = 0; i < 3; i++) {
		t = device_read(vfd, hfd, p, buf, size);
		if (t < 0)
			break;
		if (!i && (!*first || t < *first))
			*first = t;
		if (i && (!*again || t < *again))
			*again = t;
	}
	munmap(p, size);
	return t < 0 ? -1 : 0;
}

/* pages/s of the first access, of the copy alone and of the set-up alone */
static void mirror_rates(uint64_t size, double first, double again,
			 double *mirror, double *copy, double *setup)
{
	double pages = size / 4096.0;

	*mirror = first > 0 ? pages / first : 0;
	*copy = again > 0 ? pages / again : 0;
	*setup = first > again && again > 0 ? pages / (first - again) : 0;
}

static struct rates measure(int vfd, int hfd, uint64_t size)
{
	double first = 0, again = 0, thp_first = 0, thp_again = 0, t;
	struct rates r = { 0 };
	char *buf = malloc(size), *p;
	uint64_t i;
	int round;

	memset(buf, 0, size);
	for (round = 0; round < 3; round++) {
		p = fresh(size);
		t = now();
		if (vfd >= 0 ? vsvm_migrate(vfd, p, size, DRM_VSVM_SVM_TARGET_DEVICE) :
		    hmm_cmd(hfd, HMM_DMIRROR_MIGRATE_TO_DEV, p, buf, size))
			break;
		t = now() - t;
		if (size / t > r.to_dev)
			r.to_dev = size / t;
		t = now();
		if (vfd >= 0 ? vsvm_migrate(vfd, p, size, DRM_VSVM_SVM_TARGET_SYSTEM) :
		    hmm_cmd(hfd, HMM_DMIRROR_MIGRATE_TO_SYS, p, buf, size))
			break;
		t = now() - t;
		if (size / t > r.to_sys)
			r.to_sys = size / t;

		/* device memory again, then the CPU faults it back */
		if (vfd >= 0 ? vsvm_migrate(vfd, p, size, DRM_VSVM_SVM_TARGET_DEVICE) :
		    hmm_cmd(hfd, HMM_DMIRROR_MIGRATE_TO_DEV, p, buf, size))
			break;
		t = now();
		for (i = 0; i < size; i += 4096)
			((volatile char *)p)[i];
		t = now() - t;
		if (size / t > r.cpu_fault)
			r.cpu_fault = size / t;
		munmap(p, size);

		/* first device access of a fresh range: mirror faults */
		if (mirror_times(vfd, hfd, size, buf, PLAIN, &first, &again) ||
		    mirror_times(vfd, hfd, size, buf, ALIGNED_THP, &thp_first,
				 &thp_again))
			break;
	}
	mirror_rates(size, first, again, &r.mirror, &r.mirror_copy,
		     &r.mirror_setup);
	mirror_rates(size, thp_first, thp_again, &r.thp_mirror, &r.thp_copy,
		     &r.thp_setup);
	free(buf);
	return r;
}

/*
 * Fault-driven migration (vsvm): memory whose preferred location is the
 * device, read by the device one page per 2 MiB range, so every access
 * faults and migrates its whole range first; the data moved is the whole
 * size. Returns the best B/s; *prefetch receives the best B/s of migrating
 * the same kind of memory with DRM_IOCTL_VSVM_SVM_MIGRATE.
 */
static double fault_migration(int vfd, uint64_t size, double *prefetch)
{
	char page[4096];
	double best = 0, t;
	uint64_t off;
	int round;

	*prefetch = 0;
	for (round = 0; round < 3; round++) {
		/* 2 MiB-aligned, so every range is a 2 MiB chunk */
		char *a = fresh_mem(size, ALIGNED_4K), *q = fresh_mem(size, ALIGNED_4K);
		struct drm_vsvm_svm_madvise m = {
			.size = size, .attr = DRM_VSVM_SVM_ATTR_PREFERRED_LOC,
			.value = DRM_VSVM_SVM_LOC_DEVICE,
		};

		if (!a || !q)
			return -1;
		m.addr = (uintptr_t)a;
		if (ioctl(vfd, DRM_IOCTL_VSVM_SVM_MADVISE, &m))
			return -1;
		t = now();
		for (off = 0; off < size; off += 2 * MiB) {
			struct drm_vsvm_svm_access acc = {
				.addr = (uintptr_t)(a + off), .size = 4096,
				.data = (uintptr_t)page, .op = DRM_VSVM_SVM_READ,
			};

			if (ioctl(vfd, DRM_IOCTL_VSVM_SVM_ACCESS, &acc))
				return -1;
		}
		t = now() - t;
		if (size / t > best)
			best = size / t;
		t = now();
		if (vsvm_migrate(vfd, q, size, DRM_VSVM_SVM_TARGET_DEVICE))
			return -1;
		t = now() - t;
		if (size / t > *prefetch)
			*prefetch = size / t;
		/* the attribute outlives the mapping: reset it */
		m.value = DRM_VSVM_SVM_LOC_DEFAULT;
		ioctl(vfd, DRM_IOCTL_VSVM_SVM_MADVISE, &m);
		munmap(a, size);
		munmap(q, size);
	}
	return best;
}

static double memcpy_rate(uint64_t size)
{
	char *a = fresh(size), *b = fresh(size);
	double t, best = 0;
	int round;

	for (round = 0; round < 3; round++) {
		t = now();
		memcpy(b, a, size);
		t = now() - t;
		if (size / t > best)
			best = size / t;
	}
	munmap(a, size);
	munmap(b, size);
	return best;
}

#define GiB (1024 * MiB)
#define MIRROR_PART (256 * MiB)

/*
 * Mirror set-up of 1 GiB of touched memory: the device reads it in 256 MiB
 * parts, twice; the first read faults the mirror in (hmm_range_fault and
 * device PTEs) and copies, the second only copies, so the difference is the
 * set-up. Returns seconds, or -1.
 */
static double mirror_setup(int vfd, char *p, char *buf)
{
	double t, setup = 0;
	uint64_t off;
	int pass;

	for (off = 0; off < GiB; off += MIRROR_PART) {
		double took[2];

		for (pass = 0; pass < 2; pass++) {
			struct drm_vsvm_svm_access a = {
				.addr = (uintptr_t)(p + off), .size = MIRROR_PART,
				.data = (uintptr_t)buf, .op = DRM_VSVM_SVM_READ,
			};

			t = now();
			if (ioctl(vfd, DRM_IOCTL_VSVM_SVM_ACCESS, &a))
				return -1;
			took[pass] = now() - t;
			if (pass == 1 && a.faults)
				return -1;
		}
		setup += took[0] > took[1] ? took[0] - took[1] : 0;
	}
	return setup;
}

/* Pin 1 GiB as one io_uring fixed buffer; seconds to register, or -1. */
static double uring_pin(char *p, double *unpin)
{
	struct io_uring_params params = { 0 };
	struct iovec iov = { .iov_base = p, .iov_len = GiB };
	double t, pin;
	int fd;

	fd = syscall(__NR_io_uring_setup, 4, &params);
	if (fd < 0)
		return -1;
	t = now();
	if (syscall(__NR_io_uring_register, fd, IORING_REGISTER_BUFFERS, &iov,
		    1)) {
		close(fd);
		return -1;
	}
	pin = now() - t;
	t = now();
	syscall(__NR_io_uring_register, fd, IORING_UNREGISTER_BUFFERS, NULL, 0);
	*unpin = now() - t;
	close(fd);
	return pin;
}

static void mirror_vs_pin(int vfd)
{
	double best_m = 0, best_p = 0, unpin = 0, m, pin;
	char *p = fresh(GiB), *buf = malloc(MIRROR_PART);
	int round;

	if (!p || !buf) {
		printf("mirror vs pin: no memory\n");
		return;
	}
	memset(buf, 0, MIRROR_PART);
	for (round = 0; round < 3; round++) {
		/* a fresh context each round: a new file, an empty mirror */
		char *node = drmGetDeviceNameFromFd2(vfd);
		int fd = node ? open(node, O_RDWR) : -1;

		free(node);
		m = fd >= 0 ? mirror_setup(fd, p, buf) : -1;
		if (fd >= 0)
			close(fd);
		pin = uring_pin(p, &unpin);
		if (m > 0 && (!best_m || m < best_m))
			best_m = m;
		if (pin > 0 && (!best_p || pin < best_p))
			best_p = pin;
	}
	printf("1 GiB mirror set-up vs io_uring pin (best of 3)\n");
	printf("   vsvm mirror %8.1f ms  io_uring register %8.1f ms (unregister %.1f ms)  -> x%.2f pin time\n",
	       best_m * 1e3, best_p * 1e3, unpin * 1e3,
	       best_p > 0 ? best_m / best_p : 0);
	munmap(p, GiB);
	free(buf);
}

int main(void)
{
	uint64_t sizes[] = { 2 * MiB, 16 * MiB, 64 * MiB };
	struct svm_device *dev;
	double fm, pf;
	unsigned int i;
	int hfd;

	if (svm_device_open_first(&dev)) {
		fprintf(stderr, "no vsvm device\n");
		return 1;
	}
	hfd = open("/dev/hmm_dmirror0", O_RDWR);
	if (hfd < 0)
		fprintf(stderr, "no test_hmm device: peer columns are 0\n");

	printf("== SVM: vsvm (drm_svm) vs lib/test_hmm vs memcpy, same VM run\n");
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint64_t s = sizes[i];
		struct rates v = measure(svm_device_fd(dev), -1, s);
		struct rates h = hfd >= 0 ? measure(-1, hfd, s) :
			(struct rates){ 0 };
		double mc = memcpy_rate(s);

		printf("%3llu MiB  memcpy %6.0f MB/s\n",
		       (unsigned long long)(s >> 20), mc / 1e6);
		printf("   to device    vsvm %6.0f MB/s (x%.2f memcpy)  test_hmm %6.0f MB/s  -> x%.2f test_hmm\n",
		       v.to_dev / 1e6, v.to_dev / mc, h.to_dev / 1e6,
		       h.to_dev ? v.to_dev / h.to_dev : 0);
		printf("   to system    vsvm %6.0f MB/s (x%.2f memcpy)  test_hmm %6.0f MB/s  -> x%.2f test_hmm\n",
		       v.to_sys / 1e6, v.to_sys / mc, h.to_sys / 1e6,
		       h.to_sys ? v.to_sys / h.to_sys : 0);
		printf("   CPU fault back vsvm %6.0f MB/s  test_hmm %6.0f MB/s  -> x%.2f test_hmm\n",
		       v.cpu_fault / 1e6, h.cpu_fault / 1e6,
		       h.cpu_fault ? v.cpu_fault / h.cpu_fault : 0);
		printf("   mirror faults vsvm %8.0f pages/s  test_hmm %8.0f pages/s  -> x%.2f test_hmm (first access, with the copy)\n",
		       v.mirror, h.mirror, h.mirror ? v.mirror / h.mirror : 0);
		printf("     copy only    vsvm %8.0f pages/s  test_hmm %8.0f pages/s (later accesses: the ceiling of the line above)\n",
		       v.mirror_copy, h.mirror_copy);
		printf("     set-up only  vsvm %8.0f pages/s  test_hmm %8.0f pages/s  -> x%.2f test_hmm (best first minus best later access)\n",
		       v.mirror_setup, h.mirror_setup,
		       h.mirror_setup ? v.mirror_setup / h.mirror_setup : 0);
		printf("   THP mirror faults vsvm %8.0f pages/s  test_hmm %8.0f pages/s  -> x%.2f test_hmm (first access)\n",
		       v.thp_mirror, h.thp_mirror,
		       h.thp_mirror ? v.thp_mirror / h.thp_mirror : 0);
		printf("     copy only    vsvm %8.0f pages/s  test_hmm %8.0f pages/s\n",
		       v.thp_copy, h.thp_copy);
		printf("     set-up only  vsvm %8.0f pages/s  test_hmm %8.0f pages/s  -> x%.2f test_hmm\n",
		       v.thp_setup, h.thp_setup,
		       h.thp_setup ? v.thp_setup / h.thp_setup : 0);
		fm = fault_migration(svm_device_fd(dev), s, &pf);
		printf("   fault-driven 2 MiB migration vsvm %6.0f MB/s  prefetch %6.0f MB/s  -> x%.2f prefetch\n",
		       fm / 1e6, pf / 1e6, pf > 0 ? fm / pf : 0);
	}
	mirror_vs_pin(svm_device_fd(dev));
	svm_device_unref(dev);
	return 0;
}
