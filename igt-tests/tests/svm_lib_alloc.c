// SPDX-License-Identifier: MIT
/*
 * Copyright © 2026 The drm-svm authors
 */

/**
 * TEST: svm lib alloc
 * Description: libdrm-svm shared memory: svm_alloc() managed and
 *              system-allocator memory used by the device at its CPU
 *              address, prefetch with fences, advice, residency, command
 *              submission, every error path, threads and fork.
 * Category: Core
 * Mega feature: drm-svm
 * Sub-category: libdrm-svm
 */

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <xf86drm.h>

#include "igt.h"
#include "igt_vsvm.h"
#include "libdrm_svm.h"

#define MiB (1ul << 20)
#define PAGE 4096ul

static struct svm_device *open_dev(void)
{
	struct svm_device_info info;
	struct svm_device *dev = NULL;
	int ret = svm_device_open_first(&dev);

	igt_require_f(ret != -ENODEV, "no vsvm device\n");
	igt_assert_eq(ret, 0);
	igt_assert_eq(svm_device_query(dev, &info), 0);
	igt_require_f(info.caps & SVM_CAP_COMPUTE, "no compute engine\n");
	return dev;
}

static uint64_t fnv1a(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint64_t h = 0xcbf29ce484222325ull;

	while (n--) {
		h ^= *b++;
		h *= 0x100000001b3ull;
	}
	return h;
}

static struct drm_vsvm_cmd cmd(uint32_t op, uint64_t a0, uint64_t a1,
			       uint64_t a2, uint64_t a3)
{
	struct drm_vsvm_cmd c = { .op = op, .arg = { a0, a1, a2, a3 } };

	return c;
}

/* Run one command synchronously; returns the job's error. */
static int exec1(struct svm_device *dev, struct drm_vsvm_cmd c)
{
	return svm_exec(dev, &c, 1, NULL, 0, NULL);
}

static void device_fill(struct svm_device *dev, void *p, size_t size,
			uint32_t v)
{
	igt_assert_eq(exec1(dev, cmd(DRM_VSVM_CMD_FILL, (uintptr_t)p, size, v,
				     0)), 0);
}

static uint64_t device_checksum(struct svm_device *dev, const void *p,
				size_t size)
{
	uint64_t *out;
	uint64_t sum;

	igt_assert_eq(posix_memalign((void **)&out, 64, sizeof(*out)), 0);
	*out = 0;
	igt_assert_eq(exec1(dev, cmd(DRM_VSVM_CMD_CHECKSUM, (uintptr_t)p,
				     size, (uintptr_t)out, 0)), 0);
	sum = *out;
	free(out);
	return sum;
}

static void check_words(const uint32_t *p, size_t n, uint32_t v)
{
	size_t i;

	for (i = 0; i < n; i++)
		igt_assert_f(p[i] == v, "word %zu: 0x%x, expected 0x%x\n", i,
			     p[i], v);
}

static void pattern(uint32_t *p, size_t n, uint32_t seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = seed * 2654435761u + (uint32_t)i;
}

/* The device and the CPU share one pointer, both ways, byte for byte. */
static void test_shared(uint32_t flags, size_t size)
{
	struct svm_device *dev = open_dev();
	uint32_t *p = NULL;

	igt_assert_eq(svm_alloc(dev, size, flags, (void **)&p), 0);
	igt_assert(p);
	igt_assert_eq((uintptr_t)p % PAGE, 0);
	pattern(p, size / 4, 1);
	igt_assert_eq_u64(device_checksum(dev, p, size), fnv1a(p, size));
	device_fill(dev, p, size / 2, 0xc0ffee00);
	check_words(p, size / 8, 0xc0ffee00);
	pattern(p, size / 8, 2);
	igt_assert_eq_u64(device_checksum(dev, p, size), fnv1a(p, size));
	igt_assert_eq(svm_free(dev, p), 0);
	svm_device_unref(dev);
}

/* Any malloc'ed pointer is a device address in the handle's VM. */
static void test_malloc(void)
{
	struct svm_device *dev = open_dev();
	size_t n = 300000;
	uint32_t *a = malloc(n * 4), *b = malloc(n * 4), *c = malloc(n * 4);
	size_t i;

	igt_assert(a && b && c);
	pattern(a, n, 3);
	pattern(b, n, 4);
	memset(c, 0, n * 4);
	igt_assert_eq(exec1(dev, cmd(DRM_VSVM_CMD_ADD, (uintptr_t)c,
				     (uintptr_t)a, (uintptr_t)b, n)), 0);
	for (i = 0; i < n; i++)
		igt_assert_eq_u32(c[i], a[i] + b[i]);
	free(a);
	free(b);
	free(c);
	svm_device_unref(dev);
}

static void residency(struct svm_device *dev, const void *p, size_t size,
		      uint8_t *out)
{
	igt_assert_eq(svm_residency(dev, p, size, out, size / PAGE), 0);
}

static size_t count_res(const uint8_t *r, size_t n, uint8_t v)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++)
		c += r[i] == v;
	if (c != n)
		igt_info("residency: %zu of %zu pages are %u (page 0: %u, last: %u)\n",
			 c, n, v, r[0], r[n - 1]);
	return c;
}

/* Prefetch both ways with a fence; data exact, residency follows. */
static void test_prefetch(uint32_t flags)
{
	struct svm_device *dev = open_dev();
	size_t size = 8 * MiB, n = size / PAGE;
	uint8_t *res = malloc(n);
	struct svm_fence *f = NULL;
	uint32_t *p, *copy = malloc(size);

	igt_assert(res && copy);
	igt_assert_eq(svm_alloc(dev, size, flags, (void **)&p), 0);
	pattern(p, size / 4, 5);
	memcpy(copy, p, size);

	igt_assert_eq(svm_prefetch(dev, p, size, SVM_LOCATION_DEVICE, &f), 0);
	igt_assert(f);
	igt_assert_eq(svm_fence_wait(f, 10ll * 1000000000), 0);
	igt_assert_eq(svm_fence_poll(f), 0);
	svm_fence_destroy(f);
	residency(dev, p, size, res);
	igt_assert_eq_u64(count_res(res, n, SVM_RESIDENCY_DEVICE), n);
	/* The device sees the data in its memory... */
	igt_assert_eq_u64(device_checksum(dev, p, size), fnv1a(copy, size));

	/* ...and the synchronous way back brings it to system memory. */
	igt_assert_eq(svm_prefetch(dev, p, size, SVM_LOCATION_SYSTEM, NULL),
		      0);
	residency(dev, p, size, res);
	igt_assert_eq_u64(count_res(res, n, SVM_RESIDENCY_SYSTEM), n);
	igt_assert(!memcmp(p, copy, size));

	/* A CPU access to data in VRAM brings it back by itself. */
	igt_assert_eq(svm_prefetch(dev, p, size, SVM_LOCATION_DEVICE, NULL),
		      0);
	igt_assert(!memcmp(p, copy, size));
	igt_assert_eq(svm_free(dev, p), 0);
	free(copy);
	free(res);
	svm_device_unref(dev);
}

/* Fences export to sync_file and syncobj, and import back. */
static void test_fences(void)
{
	struct svm_device *dev = open_dev();
	struct svm_fence *f = NULL, *g = NULL, *h = NULL;
	struct drm_vsvm_cmd c;
	uint32_t *p, syncobj;
	size_t size = 4 * MiB;
	int fd;

	igt_assert_eq(svm_alloc(dev, size, 0, (void **)&p), 0);
	pattern(p, size / 4, 6);
	igt_assert_eq(svm_prefetch(dev, p, size, SVM_LOCATION_DEVICE, &f), 0);

	/* The exec waits for the prefetch through its fence. */
	c = cmd(DRM_VSVM_CMD_FILL, (uintptr_t)p, size, 0x5a5a5a5a, 0);
	igt_assert_eq(svm_exec(dev, &c, 1, &f, 1, &g), 0);
	igt_assert_eq(svm_fence_wait(g, 10ll * 1000000000), 0);

	igt_assert_eq(svm_fence_export_sync_file(g, &fd), 0);
	igt_assert(fd >= 0);
	igt_assert_eq(svm_fence_import_sync_file(dev, fd, &h), 0);
	close(fd);
	igt_assert_eq(svm_fence_wait(h, 0), 0);
	svm_fence_destroy(h);

	igt_assert_eq(svm_fence_export_syncobj(g, &syncobj), 0);
	igt_assert_eq(drmSyncobjWait(svm_device_fd(dev), &syncobj, 1, 0, 0,
				     NULL), 0);
	igt_assert_eq(svm_fence_import_syncobj(dev, syncobj, &h), 0);
	igt_assert_eq(svm_fence_poll(h), 0);
	drmSyncobjDestroy(svm_device_fd(dev), syncobj);
	svm_fence_destroy(h);
	svm_fence_destroy(f);
	svm_fence_destroy(g);
	check_words(p, size / 4, 0x5a5a5a5a);

	igt_assert_eq(svm_fence_wait(NULL, 0), -EINVAL);
	igt_assert_eq(svm_fence_poll(NULL), -EINVAL);
	igt_assert_eq(svm_fence_export_sync_file(NULL, &fd), -EINVAL);
	igt_assert_eq(svm_fence_import_sync_file(dev, -1, &h), -EINVAL);
	igt_assert_eq(svm_fence_import_syncobj(dev, 0, &h), -EINVAL);
	svm_fence_destroy(NULL);
	igt_assert_eq(svm_free(dev, p), 0);
	svm_device_unref(dev);
}

/* A job that touches an unmapped address fails with its fence. */
static void test_exec_errors(void)
{
	struct svm_device *dev = open_dev();
	struct drm_vsvm_cmd c = cmd(DRM_VSVM_CMD_FILL, 0, 4096, 1, 0);
	struct svm_fence *f = NULL;
	uint32_t *ro;
	void *hole;

	hole = mmap(NULL, 2 * MiB, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		    0);
	igt_assert(hole != MAP_FAILED);
	munmap(hole, 2 * MiB);
	c.arg[0] = (uintptr_t)hole;
	igt_assert_eq(svm_exec(dev, &c, 1, NULL, 0, &f), 0);
	igt_assert_eq(svm_fence_wait(f, 10ll * 1000000000), -EFAULT);
	igt_assert_eq(svm_fence_poll(f), -EFAULT);
	svm_fence_destroy(f);
	igt_assert_eq(svm_exec(dev, &c, 1, NULL, 0, NULL), -EFAULT);

	/* Device read-only memory: reads work, writes fail. */
	igt_assert_eq(svm_alloc(dev, 64 * 1024, SVM_ALLOC_DEVICE_READ_ONLY,
				(void **)&ro), 0);
	pattern(ro, 16 * 1024, 7);
	igt_assert_eq_u64(device_checksum(dev, ro, 64 * 1024),
			  fnv1a(ro, 64 * 1024));
	igt_assert_eq(exec1(dev, cmd(DRM_VSVM_CMD_FILL, (uintptr_t)ro, 4096,
				     0, 0)), -EPERM);
	igt_assert_eq(svm_free(dev, ro), 0);

	/* Bad submissions fail the call itself. */
	c.op = DRM_VSVM_CMD_COUNT;
	igt_assert_eq(svm_exec(dev, &c, 1, NULL, 0, NULL), -EINVAL);
	igt_assert_eq(svm_exec(dev, NULL, 1, NULL, 0, NULL), -EINVAL);
	igt_assert_eq(svm_exec(dev, &c, 0, NULL, 0, NULL), -EINVAL);
	igt_assert_eq(svm_exec(dev, &c, 1, NULL, 1, NULL), -EINVAL);
	igt_assert_eq(svm_exec(NULL, &c, 1, NULL, 0, NULL), -EINVAL);
	svm_device_unref(dev);
}

/* Advice on system-allocator memory steers device faults. */
static void test_advise(void)
{
	struct svm_device *dev = open_dev();
	size_t size = 4 * MiB, n = size / PAGE;
	uint8_t *res = malloc(n);
	uint64_t sum;
	uint32_t *p;

	igt_assert(res);
	igt_assert_eq(svm_alloc(dev, size, SVM_ALLOC_SYSTEM, (void **)&p), 0);
	pattern(p, size / 4, 8);

	/* Default: the device maps the pages where they are. */
	igt_assert_eq_u64(device_checksum(dev, p, size), fnv1a(p, size));
	residency(dev, p, size, res);
	igt_assert_eq_u64(count_res(res, n, SVM_RESIDENCY_SYSTEM), n);

	/*
	 * Preferred location device: the next device touch migrates. The
	 * expected sum is taken first: a CPU read would bring the pages back.
	 */
	sum = fnv1a(p, size);
	igt_assert_eq(svm_advise(dev, p, size, SVM_ADVICE_PREFERRED_LOCATION,
				 SVM_LOCATION_DEVICE), 0);
	igt_assert_eq_u64(device_checksum(dev, p, size), sum);
	residency(dev, p, size, res);
	igt_assert_eq_u64(count_res(res, n, SVM_RESIDENCY_DEVICE), n);

	/* CPU reads bring it back; accessed-by keeps it there after. */
	pattern(p, size / 4, 9);
	igt_assert_eq(svm_advise(dev, p, size, SVM_ADVICE_ACCESSED_BY,
				 SVM_LOCATION_DEVICE), 0);
	sum = fnv1a(p, size);
	igt_assert_eq_u64(device_checksum(dev, p, size), sum);
	residency(dev, p, size, res);
	igt_assert_eq_u64(count_res(res, n, SVM_RESIDENCY_SYSTEM), n);

	igt_assert_eq(svm_advise(dev, p, size, SVM_ADVICE_UNSET, 0), 0);
	igt_assert_eq(svm_advise(dev, p, size, SVM_ADVICE_READ_MOSTLY, 0), 0);
	igt_assert_eq(svm_advise(dev, p, size, SVM_ADVICE_ATOMIC,
				 SVM_LOCATION_SYSTEM), 0);
	igt_assert_eq(svm_advise(dev, p, size, SVM_ADVICE_UNSET_ATOMIC, 0),
		      0);

	/* Bad advice. */
	igt_assert_eq(svm_advise(dev, p, size, 0, 0), -EINVAL);
	igt_assert_eq(svm_advise(dev, p, size, SVM_ADVICE_UNSET + 1, 0),
		      -EINVAL);
	igt_assert_eq(svm_advise(dev, p, size, SVM_ADVICE_PREFERRED_LOCATION,
				 7), -EINVAL);
	igt_assert_eq(svm_advise(dev, p, size, SVM_ADVICE_ACCESSED_BY,
				 SVM_LOCATION_SYSTEM), -EINVAL);
	igt_assert_eq(svm_advise(dev, NULL, size, SVM_ADVICE_UNSET, 0),
		      -EINVAL);
	igt_assert_eq(svm_advise(dev, p, 0, SVM_ADVICE_UNSET, 0), -EINVAL);
	igt_assert_eq(svm_advise(NULL, p, size, SVM_ADVICE_UNSET, 0),
		      -EINVAL);
	igt_assert_eq(svm_free(dev, p), 0);
	free(res);
	svm_device_unref(dev);
}

/* Every bad argument is an -errno, never a crash. */
static void test_errors(void)
{
	struct svm_device *dev = open_dev();
	void *p = (void *)0x1, *q;
	uint8_t res[4];

	igt_assert_eq(svm_alloc(dev, 0, 0, &p), -EINVAL);
	igt_assert_eq(svm_alloc(dev, SIZE_MAX, 0, &p), -ENOMEM);
	igt_assert_eq(svm_alloc(dev, SIZE_MAX - 4095, SVM_ALLOC_SYSTEM, &p),
		      -ENOMEM);
	igt_assert_eq(svm_alloc(dev, 4096, 1u << 31, &p), -EINVAL);
	igt_assert_eq(svm_alloc(dev, 4096, 0, NULL), -EINVAL);
	igt_assert_eq(svm_alloc(NULL, 4096, 0, &p), -EINVAL);
	igt_assert_eq(svm_alloc(dev, 4096, SVM_ALLOC_SYSTEM |
				SVM_ALLOC_DEVICE_READ_ONLY, &p), -EOPNOTSUPP);
	/* Larger than VRAM + GTT is fine: memory comes on first touch. */
	igt_assert(p == (void *)0x1);

	igt_assert_eq(svm_alloc(dev, 12345, 0, &q), 0);
	igt_assert_eq(svm_free(dev, (uint8_t *)q + 4096), -EINVAL);
	igt_assert_eq(svm_free(dev, q), 0);
	igt_assert_eq(svm_free(dev, q), -EINVAL);
	igt_assert_eq(svm_free(dev, NULL), 0);
	igt_assert_eq(svm_free(NULL, q), -EINVAL);
	igt_assert_eq(svm_free(dev, res), -EINVAL);

	igt_assert_eq(svm_prefetch(dev, res, 4096, 2, NULL), -EINVAL);
	igt_assert_eq(svm_prefetch(dev, NULL, 4096, 0, NULL), -EINVAL);
	igt_assert_eq(svm_prefetch(dev, res, 0, 0, NULL), -EINVAL);
	igt_assert_eq(svm_prefetch(dev, (void *)(UINTPTR_MAX - 10), 4096, 0,
				   NULL), -EINVAL);
	igt_assert_eq(svm_residency(dev, res, 4 * PAGE, res, 1), -ENOSPC);
	igt_assert_eq(svm_residency(dev, res, PAGE, NULL, 1), -EINVAL);
	igt_assert_eq(svm_residency(NULL, res, PAGE, res, 4), -EINVAL);
	svm_device_unref(dev);
}

/* Large allocations are 2 MiB aligned and need no memory until touched. */
static void test_huge(uint32_t flags)
{
	struct svm_device *dev = open_dev();
	struct svm_device_info info;
	size_t size;
	uint32_t *p;

	igt_assert_eq(svm_device_query(dev, &info), 0);
	size = info.vram_size * 2;
	igt_assert_eq(svm_alloc(dev, size, flags, (void **)&p), 0);
	igt_assert_eq((uintptr_t)p % (2 * MiB), 0);
	/* Touch a page at each end on the device and the CPU. */
	device_fill(dev, p, PAGE, 0x11111111);
	device_fill(dev, (uint8_t *)p + size - PAGE, PAGE, 0x22222222);
	check_words(p, PAGE / 4, 0x11111111);
	check_words((uint32_t *)((uint8_t *)p + size - PAGE), PAGE / 4,
		    0x22222222);
	igt_assert_eq(svm_free(dev, p), 0);
	svm_device_unref(dev);
}

struct thread_arg {
	struct svm_device *dev;
	unsigned int id;
	int failed;
};

static void *thread_fn(void *data)
{
	struct thread_arg *t = data;
	unsigned int i;

	for (i = 0; i < 12 && !t->failed; i++) {
		uint32_t flags = (i & 1 ? SVM_ALLOC_SYSTEM : 0) |
			(i & 2 ? SVM_ALLOC_DEVICE : 0);
		size_t size = (i % 3 + 1) * 256 * 1024, w;
		struct svm_fence *f = NULL;
		uint32_t v = t->id << 16 | i, *p;

		if (svm_alloc(t->dev, size, flags, (void **)&p)) {
			t->failed = 1;
			break;
		}
		if (exec1(t->dev, cmd(DRM_VSVM_CMD_FILL, (uintptr_t)p, size, v,
				      0)) ||
		    svm_prefetch(t->dev, p, size, i & 1, &f) ||
		    svm_fence_wait(f, 30ll * 1000000000))
			t->failed = 1;
		svm_fence_destroy(f);
		for (w = 0; w < size / 4 && !t->failed; w++)
			if (p[w] != v)
				t->failed = 1;
		if (svm_free(t->dev, p))
			t->failed = 1;
	}
	return NULL;
}

/* Many threads allocate, run, prefetch and free on one handle. */
static void test_threads(void)
{
	struct svm_device *dev = open_dev();
	struct thread_arg args[8];
	pthread_t th[8];
	unsigned int i;

	for (i = 0; i < 8; i++) {
		args[i] = (struct thread_arg){ .dev = dev, .id = i };
		igt_assert_eq(pthread_create(&th[i], NULL, thread_fn, &args[i]),
			      0);
	}
	for (i = 0; i < 8; i++) {
		pthread_join(th[i], NULL);
		igt_assert_f(!args[i].failed, "thread %u failed\n", i);
	}
	svm_device_unref(dev);
}

/*
 * After fork the child reads both kinds of memory with the CPU, gets
 * -EINVAL for calls on the parent's handle, and can open its own.
 */
static void test_fork(void)
{
	struct svm_device *dev = open_dev();
	size_t size = 2 * MiB;
	uint32_t *m, *s;
	int status;
	pid_t pid;

	igt_assert_eq(svm_alloc(dev, size, SVM_ALLOC_DEVICE, (void **)&m), 0);
	igt_assert_eq(svm_alloc(dev, size, SVM_ALLOC_SYSTEM, (void **)&s), 0);
	device_fill(dev, m, size, 0xabcd0001);
	device_fill(dev, s, size, 0xabcd0002);
	igt_assert_eq(svm_prefetch(dev, s, size, SVM_LOCATION_DEVICE, NULL),
		      0);

	pid = fork();
	igt_assert(pid >= 0);
	if (pid == 0) {
		struct svm_device *own = NULL;
		uint32_t *p = NULL;
		int bad = 0;
		size_t i;

		for (i = 0; i < size / 4; i++)
			bad |= m[i] != 0xabcd0001 || s[i] != 0xabcd0002;
		/* Private memory is the child's own copy. */
		s[0] = 0;
		bad |= svm_free(dev, m) != -EINVAL;
		bad |= svm_prefetch(dev, s, size, 0, NULL) != -EINVAL;
		bad |= svm_alloc(dev, size, 0, (void **)&p) != -EINVAL;
		bad |= svm_exec(dev, &(struct drm_vsvm_cmd){ 0 }, 1, NULL, 0,
				NULL) != -EINVAL;
		svm_device_unref(dev);
		bad |= svm_device_open_first(&own) != 0;
		if (own) {
			bad |= svm_alloc(own, size, 0, (void **)&p) != 0;
			if (p) {
				bad |= exec1(own, cmd(DRM_VSVM_CMD_FILL,
						      (uintptr_t)p, size, 7,
						      0)) != 0;
				bad |= p[size / 4 - 1] != 7;
				bad |= svm_free(own, p) != 0;
			}
			svm_device_unref(own);
		}
		_exit(bad);
	}
	igt_assert_eq(waitpid(pid, &status, 0), pid);
	igt_assert(WIFEXITED(status));
	igt_assert_eq(WEXITSTATUS(status), 0);
	/* The parent's memory and handle are untouched. */
	check_words(s, size / 4, 0xabcd0002);
	check_words(m, size / 4, 0xabcd0001);
	igt_assert_eq_u64(device_checksum(dev, s, size), fnv1a(s, size));
	igt_assert_eq(svm_free(dev, m), 0);
	igt_assert_eq(svm_free(dev, s), 0);
	svm_device_unref(dev);
}

/* Unreferencing the handle with live allocations leaks nothing. */
static void test_unref_live(void)
{
	struct svm_device *dev = open_dev();
	uint64_t before, after;
	struct svm_device *probe = open_dev();
	unsigned int i;
	void *p;

	igt_assert_eq(svm_device_get_param(probe, DRM_VSVM_PARAM_VRAM_USED,
					   &before), 0);
	igt_assert_eq(svm_alloc(dev, 4 * MiB, SVM_ALLOC_DEVICE, &p), 0);
	device_fill(dev, p, 4 * MiB, 1);
	svm_device_unref(dev);
	/* The mapping keeps the object until it goes. */
	igt_assert_eq(munmap(p, 4 * MiB), 0);
	/* Memory goes back once the object's last fences have signalled. */
	for (i = 0; i < 200; i++) {
		igt_assert_eq(svm_device_get_param(probe,
						   DRM_VSVM_PARAM_VRAM_USED,
						   &after), 0);
		if (after == before)
			break;
		usleep(10000);
	}
	igt_assert_eq_u64(after, before);
	svm_device_unref(probe);
}

int igt_main()
{
	igt_describe("Managed memory: one pointer for the CPU and the device, data exact both ways.");
	igt_subtest("managed")
		test_shared(0, 3 * MiB + 8192);

	igt_describe("Managed memory starting in VRAM.");
	igt_subtest("managed-device")
		test_shared(SVM_ALLOC_DEVICE, 5 * MiB);

	igt_describe("System-allocator memory mirrored for the device.");
	igt_subtest("system")
		test_shared(SVM_ALLOC_SYSTEM, 3 * MiB + 4096);

	igt_describe("Plain malloc() memory is usable on the device.");
	igt_subtest("malloc")
		test_malloc();

	igt_describe("Prefetch of managed memory to VRAM and back with a fence; residency and data follow.");
	igt_subtest("prefetch-managed")
		test_prefetch(0);

	igt_describe("Prefetch of system-allocator memory to VRAM and back with a fence.");
	igt_subtest("prefetch-system")
		test_prefetch(SVM_ALLOC_SYSTEM);

	igt_describe("Fences order execs after prefetches and convert to sync_file and syncobj.");
	igt_subtest("fences")
		test_fences();

	igt_describe("Jobs on bad addresses or read-only memory fail through their fence; bad submissions fail at once.");
	igt_subtest("exec-errors")
		test_exec_errors();

	igt_describe("Advice steers where device faults put system-allocator memory.");
	igt_subtest("advise")
		test_advise();

	igt_describe("Every bad argument gives -errno.");
	igt_subtest("errors")
		test_errors();

	igt_describe("Allocations of twice the VRAM are 2 MiB aligned and usable at both ends.");
	igt_subtest("huge-managed")
		test_huge(0);

	igt_describe("System-allocator allocations of twice the VRAM.");
	igt_subtest("huge-system")
		test_huge(SVM_ALLOC_SYSTEM);

	igt_describe("Eight threads allocate, run, prefetch and free concurrently on one handle.");
	igt_subtest("threads")
		test_threads();

	igt_describe("A forked child reads the memory, is refused the parent's handle and can open its own.");
	igt_subtest("fork")
		test_fork();

	igt_describe("Dropping the handle with allocations alive frees the VRAM once they are unmapped.");
	igt_subtest("unref-live")
		test_unref_live();
}
