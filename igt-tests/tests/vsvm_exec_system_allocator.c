// SPDX-License-Identifier: MIT
/*
 * Copyright © 2026 The drm-svm authors
 */

/**
 * TEST: vsvm exec system allocator
 * Description: Fault-mode VMs, where every CPU address is a GPU address:
 *              the compute engine works on malloc, mmap, shared, file and
 *              huge memory; memory freed, reallocated, remapped or
 *              partially unmapped between execs; the CPU racing the
 *              device; fork; threads and processes; a working set twice
 *              the size of VRAM; unaligned buffers; bad addresses. Every
 *              result is compared byte for byte with the CPU's.
 * Category: Core
 * Mega feature: drm-svm
 * Sub-category: Compute
 */

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <xf86drm.h>

#include "igt.h"
#include "igt_vsvm.h"

#define PAGE 4096ull
#define MiB (1024ull * 1024)
#define SZ_2M (2 * MiB)

static int fd = -1;
static uint32_t vm;

static uint32_t pat(uint64_t i, uint32_t seed)
{
	uint64_t x = (i + 1) * 0x9e3779b97f4a7c15ull ^ seed;

	return (uint32_t)(x >> 29) ^ (uint32_t)x;
}

static void fill_bytes(void *p, uint64_t n, uint32_t seed)
{
	uint8_t *b = p;

	for (uint64_t i = 0; i < n; i++)
		b[i] = (uint8_t)pat(i, seed);
}

static void assert_words(const uint32_t *p, uint64_t words, uint32_t value,
			 const char *what)
{
	for (uint64_t i = 0; i < words; i++)
		igt_assert_f(p[i] == value, "%s: word %llu is 0x%08x, expected 0x%08x\n",
			     what, (unsigned long long)i, p[i], value);
}

static void assert_ok(int dfd, uint32_t dvm, const struct drm_vsvm_cmd *c,
		      uint32_t n)
{
	int ret = vsvm_exec_wait(dfd, dvm, c, n);

	igt_assert_f(ret == 0, "exec failed: %d (%s)\n", ret, strerror(-ret));
}

static void expect_error(int dfd, uint32_t dvm, const struct drm_vsvm_cmd *c,
			 int err, uint64_t addr)
{
	struct drm_vsvm_vm_query q;

	igt_assert_eq(vsvm_exec_wait(dfd, dvm, c, 1), err);
	vsvm_vm_query(dfd, dvm, &q);
	igt_assert_eq(q.error, err);
	igt_assert_eq_u64(q.error_addr, addr);
}

static uint64_t device_checksum(int dfd, uint32_t dvm, const void *p,
				uint64_t n)
{
	uint64_t *sum = aligned_alloc(8, 64);
	uint64_t v;
	struct drm_vsvm_cmd c = vsvm_cmd_checksum(p, n, sum);

	igt_assert(sum);
	*sum = 0;
	assert_ok(dfd, dvm, &c, 1);
	v = *sum;
	free(sum);
	return v;
}

/*
 * The standard workload on any buffer of @size bytes at @p: FILL, CPU
 * pattern + CHECKSUM, COPY between halves, ADD in place; all checked.
 */
static void exercise(int dfd, uint32_t dvm, void *p, uint64_t size,
		     uint32_t seed)
{
	uint8_t *b = p;
	uint64_t fill = size & ~3ull, h = size / 2;
	uint32_t *ref;
	struct drm_vsvm_cmd c;

	if (fill && ((uintptr_t)p & 3) == 0) {
		c = vsvm_cmd_fill(p, fill, 0xa5a50000 | seed);
		assert_ok(dfd, dvm, &c, 1);
		assert_words(p, fill / 4, 0xa5a50000 | seed, "fill");
	}
	fill_bytes(p, size, seed);
	igt_assert_eq_u64(device_checksum(dfd, dvm, p, size),
			  vsvm_fnv1a(p, size));
	if (h) {
		c = vsvm_cmd_copy(b + h, b, h);
		assert_ok(dfd, dvm, &c, 1);
		igt_assert(!memcmp(b + h, b, h));
	}
	if (h >= 4 && ((uintptr_t)p & 3) == 0) {
		uint64_t n = h / 4, off = h & ~3ull;
		uint32_t *a = p, *bb = (uint32_t *)(b + off);

		fill_bytes(p, size, seed + 1);
		ref = malloc(n * 4);
		igt_assert(ref);
		for (uint64_t i = 0; i < n; i++)
			ref[i] = a[i] + bb[i];
		c = vsvm_cmd_add(a, a, bb, n);
		assert_ok(dfd, dvm, &c, 1);
		igt_assert(!memcmp(a, ref, n * 4));
		free(ref);
	}
}

static void *map_anon(uint64_t size, int flags)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       flags | MAP_ANONYMOUS, -1, 0);

	igt_assert(p != MAP_FAILED);
	return p;
}

/* A 2 MiB-aligned anonymous buffer of @size. */
static void *map_aligned(uint64_t size)
{
	uint8_t *p = map_anon(size + SZ_2M, MAP_PRIVATE);
	uint8_t *a = (uint8_t *)(((uintptr_t)p + SZ_2M - 1) & ~(SZ_2M - 1));

	if (a > p)
		munmap(p, a - p);
	munmap(a + size, p + SZ_2M - a);
	return a;
}

static int tmp_file(uint64_t size, uint32_t seed)
{
	char name[] = "/dev/shm/vsvm-exec-XXXXXX";
	int f = mkstemp(name);
	uint8_t *buf = malloc(size);

	igt_assert(f >= 0 && buf);
	unlink(name);
	fill_bytes(buf, size, seed);
	igt_assert_eq(pwrite(f, buf, size, 0), (ssize_t)size);
	free(buf);
	return f;
}

static void test_malloc(uint64_t size)
{
	void *p = malloc(size);

	igt_assert(p);
	exercise(fd, vm, p, size, 1);
	free(p);
}

static void test_memory(const char *kind)
{
	uint64_t size = 2 * MiB;
	void *p;

	if (!strcmp(kind, "mmap-private")) {
		p = map_anon(size, MAP_PRIVATE);
		exercise(fd, vm, p, size, 2);
	} else if (!strcmp(kind, "mmap-shared")) {
		p = map_anon(size, MAP_SHARED);
		exercise(fd, vm, p, size, 3);
	} else if (!strcmp(kind, "huge")) {
		p = map_aligned(size);
		madvise(p, size, MADV_HUGEPAGE);
		memset(p, 1, size);
		exercise(fd, vm, p, size, 4);
	} else {
		bool shared = !strcmp(kind, "file-shared");
		int f = tmp_file(size, 5);
		uint8_t *buf = malloc(size);
		struct drm_vsvm_cmd c;

		p = mmap(NULL, size, PROT_READ | PROT_WRITE,
			 shared ? MAP_SHARED : MAP_PRIVATE, f, 0);
		igt_assert(p != MAP_FAILED && buf);
		/* The device reads the file's contents. */
		fill_bytes(buf, size, 5);
		igt_assert_eq_u64(device_checksum(fd, vm, p, size),
				  vsvm_fnv1a(buf, size));
		/* Device writes reach the file only through MAP_SHARED. */
		c = vsvm_cmd_fill(p, size / 2, 0x600df11e);
		assert_ok(fd, vm, &c, 1);
		assert_words(p, size / 8, 0x600df11e, "mapping");
		igt_assert_eq(pread(f, buf, size, 0), (ssize_t)size);
		if (shared) {
			assert_words((uint32_t *)buf, size / 8, 0x600df11e, "file");
		} else {
			uint8_t *orig = malloc(size);

			igt_assert(orig);
			fill_bytes(orig, size, 5);
			igt_assert(!memcmp(buf, orig, size));
			free(orig);
		}
		exercise(fd, vm, p, size, 6);
		free(buf);
		close(f);
	}
	munmap(p, size);
}

/* Free or reallocate between execs: the device never sees stale pages. */
static void test_free_realloc(uint64_t size)
{
	uint64_t sum = 0;
	void *p;

	for (int i = 0; i < 6; i++) {
		struct drm_vsvm_cmd c;

		p = malloc(size);
		igt_assert(p);
		fill_bytes(p, size, 10 + i);
		igt_assert_eq_u64(device_checksum(fd, vm, p, size),
				  vsvm_fnv1a(p, size));
		c = vsvm_cmd_fill(p, size, i);
		assert_ok(fd, vm, &c, 1);
		assert_words(p, size / 4, i, "fill");
		free(p);
	}
	/* realloc grows (and likely moves) the block: contents follow. */
	p = malloc(size);
	igt_assert(p);
	fill_bytes(p, size, 20);
	sum = device_checksum(fd, vm, p, size);
	p = realloc(p, 4 * size);
	igt_assert(p);
	igt_assert_eq_u64(device_checksum(fd, vm, p, size), sum);
	fill_bytes(p, 4 * size, 21);
	igt_assert_eq_u64(device_checksum(fd, vm, p, 4 * size),
			  vsvm_fnv1a(p, 4 * size));
	free(p);
}

struct racer {
	uint32_t *mem;
	uint64_t pages;
	volatile bool stop;
	uint32_t last;
};

/* Rewrites the odd pages, dropping them first (invalidations). */
static void *race_cpu(void *arg)
{
	struct racer *r = arg;
	uint32_t v = 0;

	while (!r->stop) {
		v++;
		for (uint64_t pg = 1; pg < r->pages; pg += 2) {
			uint32_t *w = r->mem + pg * PAGE / 4;

			if (!(v & 3))
				madvise(w, PAGE, MADV_DONTNEED);
			for (uint64_t i = 0; i < PAGE / 4; i++)
				w[i] = v;
		}
		r->last = v;
	}
	return NULL;
}

static void test_cpu_race(void)
{
	struct racer r = { .pages = 512 };
	struct drm_vsvm_cmd *c = calloc(r.pages / 2, sizeof(*c));
	pthread_t t;

	r.mem = map_aligned(r.pages * PAGE);
	memset(r.mem, 0, r.pages * PAGE);
	igt_assert(c);
	igt_assert_eq(pthread_create(&t, NULL, race_cpu, &r), 0);
	for (uint32_t it = 1; it <= 20; it++) {
		for (uint64_t i = 0; i < r.pages / 2; i++)
			c[i] = vsvm_cmd_fill(r.mem + 2 * i * PAGE / 4, PAGE,
					     0xd0000000 | it);
		assert_ok(fd, vm, c, r.pages / 2);
		for (uint64_t i = 0; i < r.pages / 2; i++)
			assert_words(r.mem + 2 * i * PAGE / 4, PAGE / 4,
				     0xd0000000 | it, "device page");
	}
	r.stop = true;
	pthread_join(t, NULL);
	for (uint64_t pg = 1; pg < r.pages; pg += 2)
		assert_words(r.mem + pg * PAGE / 4, PAGE / 4, r.last, "cpu page");
	munmap(r.mem, r.pages * PAGE);
	free(c);
}

/* A child's fault-mode VM on its copy of the address space. */
static int child_check(void *p, uint64_t size, uint64_t want)
{
	int cfd = drm_open_render_by_name("vsvm");
	uint64_t *sum = aligned_alloc(8, 64);
	struct drm_vsvm_cmd c = vsvm_cmd_checksum(p, size, sum);
	uint32_t cvm, out;

	if (cfd < 0 || !sum || vsvm_fnv1a(p, size) != want ||
	    __vsvm_vm_create(cfd, DRM_VSVM_VM_CREATE_FAULT_MODE, &cvm) ||
	    drmSyncobjCreate(cfd, 0, &out) ||
	    __vsvm_exec(cfd, cvm, &c, 1, NULL, 0, out, NULL))
		return 1;
	/* Destroying the VM would cancel the job: wait for it first. */
	if (drmSyncobjWait(cfd, &out, 1, INT64_MAX, 0, NULL) ||
	    __vsvm_vm_destroy(cfd, cvm) || *sum != want)
		return 2;
	close(cfd);
	return 0;
}

static void test_fork(bool read_in_child)
{
	uint64_t size = 2 * MiB, before;
	uint8_t *p = map_aligned(size);
	struct drm_vsvm_cmd c = vsvm_cmd_fill(p, size, 0x11111111);
	int go[2], status;
	pid_t pid;

	assert_ok(fd, vm, &c, 1);
	fill_bytes(p, size / 2, 30);
	before = vsvm_fnv1a(p, size);
	igt_assert_eq(pipe(go), 0);
	pid = fork();
	igt_assert(pid >= 0);
	if (!pid) {
		char x;
		int ret = 0;

		close(go[1]);
		if (read_in_child)
			ret = child_check(p, size, before);
		/* The parent's later device writes stay the parent's. */
		if (!ret && read(go[0], &x, 1) != 1)
			ret = 3;
		if (!ret)
			ret = child_check(p, size, before);
		_exit(ret);
	}
	close(go[0]);
	/* The device write breaks COW in the parent only. */
	c = vsvm_cmd_fill(p, size, 0x22222222);
	assert_ok(fd, vm, &c, 1);
	assert_words((uint32_t *)p, size / 4, 0x22222222, "parent");
	igt_assert_eq(write(go[1], "x", 1), 1);
	igt_assert_eq(waitpid(pid, &status, 0), pid);
	igt_assert_f(WIFEXITED(status) && !WEXITSTATUS(status),
		     "child failed: status 0x%x\n", status);
	close(go[1]);
	/* After the child is gone. */
	exercise(fd, vm, p, size, 31);
	munmap(p, size);
}

static void test_mremap(const char *how)
{
	uint64_t size = 2 * MiB;
	uint8_t *p = map_aligned(size), *q;
	uint64_t sum, nsize = size;
	struct drm_vsvm_cmd c;

	fill_bytes(p, size, 40);
	sum = vsvm_fnv1a(p, size);
	/* Mirror it on the device first. */
	igt_assert_eq_u64(device_checksum(fd, vm, p, size), sum);
	if (!strcmp(how, "move")) {
		uint8_t *dst = map_aligned(size);

		q = mremap(p, size, size, MREMAP_MAYMOVE | MREMAP_FIXED, dst);
	} else if (!strcmp(how, "grow")) {
		nsize = 4 * size;
		q = mremap(p, size, nsize, MREMAP_MAYMOVE);
	} else {
		nsize = size / 2;
		sum = vsvm_fnv1a(p, nsize);
		q = mremap(p, size, nsize, 0);
	}
	igt_assert(q != MAP_FAILED);
	igt_assert_eq_u64(device_checksum(fd, vm, q, nsize),
			  vsvm_fnv1a(q, nsize));
	igt_assert_eq_u64(device_checksum(fd, vm, q, nsize < size ? nsize : size), sum);
	/* Whatever is no longer mapped faults unrecoverably. */
	if (q != p) {
		c = vsvm_cmd_fill(p, PAGE, 1);
		expect_error(fd, vm, &c, -EFAULT, (uintptr_t)p);
	} else if (nsize < size) {
		c = vsvm_cmd_fill(p + nsize, PAGE, 1);
		expect_error(fd, vm, &c, -EFAULT, (uintptr_t)p + nsize);
	}
	exercise(fd, vm, q, nsize, 41);
	munmap(q, nsize);
}

/* munmap (and maybe remap) 64 KiB in the middle of a 2 MiB range. */
static void test_partial_munmap(bool cpu_fault, bool remap)
{
	uint8_t *p = map_aligned(SZ_2M);
	uint8_t *hole = p + MiB;
	uint64_t hs = 64 * 1024;
	struct drm_vsvm_cmd c[2];

	if (cpu_fault)
		memset(p, 0x5a, SZ_2M);
	c[0] = vsvm_cmd_fill(p, SZ_2M, 0x31313131);
	assert_ok(fd, vm, c, 1);
	assert_words((uint32_t *)p, SZ_2M / 4, 0x31313131, "whole range");
	igt_assert_eq(munmap(hole, hs), 0);
	if (cpu_fault)
		memset(p, 0x5b, MiB);
	c[0] = vsvm_cmd_fill(p, MiB, 0x32323232);
	c[1] = vsvm_cmd_fill(hole + hs, MiB - hs, 0x33333333);
	assert_ok(fd, vm, c, 2);
	assert_words((uint32_t *)p, MiB / 4, 0x32323232, "below the hole");
	assert_words((uint32_t *)(hole + hs), (MiB - hs) / 4, 0x33333333,
		     "above the hole");
	c[0] = vsvm_cmd_fill(p, SZ_2M, 0x34343434);
	expect_error(fd, vm, c, -EFAULT, (uintptr_t)hole);
	assert_words((uint32_t *)p, MiB / 4, 0x34343434, "applied part");
	assert_words((uint32_t *)(hole + hs), (MiB - hs) / 4, 0x33333333,
		     "not reached");
	if (remap) {
		uint8_t *n = mmap(hole, hs, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		uint8_t *zero = calloc(1, hs);

		igt_assert(n == hole && zero);
		/* The new pages read as zero, not as the old ones. */
		igt_assert_eq_u64(device_checksum(fd, vm, hole, hs),
				  vsvm_fnv1a(zero, hs));
		free(zero);
		exercise(fd, vm, p, SZ_2M, 50);
	}
	munmap(p, MiB);
	munmap(hole + hs, MiB - hs);
	if (remap)
		munmap(hole, hs);
}

struct thread_arg {
	int fd;
	uint32_t vm;
	uint32_t seed;
};

static void *thread_fn(void *arg)
{
	struct thread_arg *t = arg;
	uint64_t size = MiB + 4 * t->seed;
	void *p = malloc(size);

	igt_assert(p);
	for (int i = 0; i < 3; i++)
		exercise(t->fd, t->vm, p, size, t->seed * 16 + i);
	free(p);
	return NULL;
}

static void test_threads(bool shared_vm)
{
	struct thread_arg a[8];
	pthread_t t[8];

	for (int i = 0; i < 8; i++) {
		a[i].fd = fd;
		a[i].vm = shared_vm ? vm :
			vsvm_vm_create(fd, DRM_VSVM_VM_CREATE_FAULT_MODE);
		a[i].seed = i + 1;
		igt_assert_eq(pthread_create(&t[i], NULL, thread_fn, &a[i]), 0);
	}
	for (int i = 0; i < 8; i++) {
		pthread_join(t[i], NULL);
		if (!shared_vm)
			vsvm_vm_destroy(fd, a[i].vm);
	}
}

static void test_processes(void)
{
	igt_fork(child, 4) {
		int cfd = drm_open_driver_render(DRIVER_VSVM);
		uint32_t cvm = vsvm_vm_create(cfd, DRM_VSVM_VM_CREATE_FAULT_MODE);
		void *p = malloc(2 * MiB + 12);

		igt_assert(p);
		for (int i = 0; i < 2; i++)
			exercise(cfd, cvm, p, 2 * MiB + 12, child * 8 + i);
		free(p);
		vsvm_vm_destroy(cfd, cvm);
		close(cfd);
	}
	igt_waitchildren();
}

static int svm_migrate(void *p, uint64_t size, uint32_t target)
{
	struct drm_vsvm_svm_migrate m = {
		.addr = (uintptr_t)p, .size = size, .target = target,
	};

	return __vsvm_ioctl(fd, DRM_IOCTL_VSVM_SVM_MIGRATE, &m);
}

static char saved_params[512];

/* Whatever happens, leave the module as the test found it. */
static void restore_module(int sig)
{
	close(fd);
	fd = -1;
	vsvm_module_unload();
	vsvm_module_load(saved_params);
}

/*
 * Twice the VRAM, migrated to the device chunk by chunk, then used. The
 * module is reloaded with a small VRAM so that this stays quick.
 */
static void test_oversubscribe(void)
{
	uint64_t vram, chunk = 4 * MiB, total, n;
	unsigned int migrated = 0;
	char *params = saved_params, small[600];
	uint8_t **b;

	igt_require(vsvm_module_loaded());
	igt_assert_eq(vsvm_module_params(params, sizeof(saved_params)), 0);
	vsvm_vm_destroy(fd, vm);
	close(fd);
	igt_assert_eq(vsvm_module_unload(), 0);
	igt_install_exit_handler(restore_module);
	snprintf(small, sizeof(small), "%s vram_size_mb=32 visible_vram_mb=16",
		 params);
	igt_assert_eq(vsvm_module_load(small), 0);
	fd = drm_open_driver_render(DRIVER_VSVM);
	vm = vsvm_vm_create(fd, DRM_VSVM_VM_CREATE_FAULT_MODE);
	vram = vsvm_get_param(fd, DRM_VSVM_PARAM_VRAM_SIZE);
	igt_assert_eq_u64(vram, 32 * MiB);
	total = 2 * vram;
	n = total / chunk;
	b = calloc(n, sizeof(*b));
	igt_assert(b);
	for (uint64_t i = 0; i < n; i++) {
		int ret;

		b[i] = map_aligned(chunk);
		for (uint64_t w = 0; w < chunk / 4; w++)
			((uint32_t *)b[i])[w] = pat(w, i);
		/* Without eviction a full VRAM refuses; data stays put. */
		ret = svm_migrate(b[i], chunk, DRM_VSVM_SVM_TARGET_DEVICE);
		igt_assert_f(ret == 0 || ret == -ENOMEM || ret == -ENOSPC,
			     "migrate: %d\n", ret);
		migrated += !ret;
	}
	igt_info("%u of %llu chunks migrated whole\n", migrated,
		 (unsigned long long)n);
	igt_assert_lte(1, migrated);
	/* The device reads and writes all of it, wherever it is. */
	for (uint64_t i = 0; i < n; i++) {
		uint64_t *sum = aligned_alloc(8, 8);
		struct drm_vsvm_cmd c[3] = {
			vsvm_cmd_checksum(b[i], chunk, sum),
			vsvm_cmd_strided(b[i] + 4, chunk / PAGE, PAGE,
					 0xe0000000 | i),
			vsvm_cmd_copy(b[i] + 8, b[(i + 1) % n], 4),
		};
		uint32_t *ref = malloc(chunk);

		igt_assert(sum && ref);
		for (uint64_t w = 0; w < chunk / 4; w++)
			ref[w] = pat(w, i);
		assert_ok(fd, vm, c, 3);
		igt_assert_eq_u64(*sum, vsvm_fnv1a(ref, chunk));
		free(sum);
		free(ref);
	}
	for (uint64_t i = 0; i < n; i++) {
		uint32_t *w = (uint32_t *)b[i];

		for (uint64_t k = 0; k < chunk / 4; k++) {
			uint32_t want = pat(k, i);

			if (k % (PAGE / 4) == 1)
				want = 0xe0000000 | i;
			else if (k == 2)
				want = pat(0, (i + 1) % n);
			igt_assert_eq_u32(w[k], want);
		}
		munmap(b[i], chunk);
	}
	free(b);

	vsvm_vm_destroy(fd, vm);
	close(fd);
	igt_assert_eq(vsvm_module_unload(), 0);
	igt_assert_eq(vsvm_module_load(params), 0);
	fd = drm_open_driver_render(DRIVER_VSVM);
	vm = vsvm_vm_create(fd, DRM_VSVM_VM_CREATE_FAULT_MODE);
}

/* Device accesses to memory in VRAM, then the CPU takes it back. */
static void test_migrate_exec(void)
{
	uint64_t size = 2 * MiB;
	uint8_t *p = map_aligned(size);
	uint64_t sum;

	fill_bytes(p, size, 60);
	sum = vsvm_fnv1a(p, size);
	igt_assert_eq(svm_migrate(p, size, DRM_VSVM_SVM_TARGET_DEVICE), 0);
	igt_assert_eq_u64(device_checksum(fd, vm, p, size), sum);
	exercise(fd, vm, p, size, 61);
	igt_assert_eq(svm_migrate(p, size, DRM_VSVM_SVM_TARGET_DEVICE), 0);
	{
		struct drm_vsvm_cmd c = vsvm_cmd_fill(p, size, 0x7e7e7e7e);

		assert_ok(fd, vm, &c, 1);
	}
	assert_words((uint32_t *)p, size / 4, 0x7e7e7e7e, "after VRAM");
	munmap(p, size);
}

static void test_unaligned(void)
{
	static const uint64_t sizes[] = { 1, 3, 4095, 4097, 65537, SZ_2M + 3 };

	for (unsigned int i = 0; i < ARRAY_SIZE(sizes); i++) {
		for (unsigned int off = 0; off < 8; off += 3) {
			uint8_t *p = malloc(sizes[i] + 8);

			igt_assert(p);
			exercise(fd, vm, p + off, sizes[i], i * 8 + off);
			free(p);
		}
	}
}

static void test_bad_addresses(void)
{
	uint8_t *p = map_aligned(4 * PAGE), *ro;
	struct drm_vsvm_cmd c;
	int f = tmp_file(PAGE, 70);

	memset(p, 0, 4 * PAGE);
	/*
	 * Above the user address space, with 5-level paging too (Linux 7.x
	 * always builds it; QEMU's -cpu max has LA57): refused at submission.
	 */
	c = vsvm_cmd_fill(1ull << 57, PAGE, 1);
	igt_assert_eq(__vsvm_exec(fd, vm, &c, 1, NULL, 0, 0, NULL), -EINVAL);
	c = vsvm_cmd_fill(0, PAGE, 1);
	expect_error(fd, vm, &c, -EFAULT, 0);
	/* Freed memory */
	igt_assert_eq(munmap(p + 3 * PAGE, PAGE), 0);
	c = vsvm_cmd_copy(p, p + 3 * PAGE, 16);
	expect_error(fd, vm, &c, -EFAULT, (uintptr_t)p + 3 * PAGE);
	/* A guard page */
	igt_assert_eq(mprotect(p + 2 * PAGE, PAGE, PROT_NONE), 0);
	c = vsvm_cmd_fill(p + PAGE, 2 * PAGE, 1);
	expect_error(fd, vm, &c, -EFAULT, (uintptr_t)p + 2 * PAGE);
	assert_words((uint32_t *)(p + PAGE), PAGE / 4, 1, "before the guard");
	/* Made read-only after the device wrote it */
	c = vsvm_cmd_fill(p, PAGE, 2);
	assert_ok(fd, vm, &c, 1);
	igt_assert_eq(mprotect(p, PAGE, PROT_READ), 0);
	c = vsvm_cmd_fill(p, PAGE, 3);
	expect_error(fd, vm, &c, -EPERM, (uintptr_t)p);
	assert_words((uint32_t *)p, PAGE / 4, 2, "read-only");
	igt_assert_eq(mprotect(p, PAGE, PROT_READ | PROT_WRITE), 0);
	assert_ok(fd, vm, &c, 1);
	assert_words((uint32_t *)p, PAGE / 4, 3, "writable again");
	/* A read-only file mapping */
	ro = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, f, 0);
	igt_assert(ro != MAP_FAILED);
	c = vsvm_cmd_atomic_inc(ro, 4);
	expect_error(fd, vm, &c, -EPERM, (uintptr_t)ro);
	munmap(ro, PAGE);
	close(f);
	munmap(p, 3 * PAGE);
}

struct atomic_arg {
	uint32_t *cnt;
	uint64_t n;
	uint32_t rounds;
};

static void *atomic_cpu(void *arg)
{
	struct atomic_arg *a = arg;

	for (uint32_t r = 0; r < a->rounds; r++)
		for (uint64_t i = 0; i < a->n; i++)
			__atomic_fetch_add(&a->cnt[i], 1, __ATOMIC_RELAXED);
	return NULL;
}

/* Device atomics racing CPU atomics on the same counters: none lost. */
static void test_atomic(void)
{
	struct atomic_arg a = { .n = 16 * 1024, .rounds = 20 };
	struct drm_vsvm_cmd c[4];
	pthread_t t;

	a.cnt = map_aligned(a.n * 4);
	memset(a.cnt, 0, a.n * 4);
	for (int i = 0; i < 4; i++)
		c[i] = vsvm_cmd_atomic_inc(a.cnt, a.n);
	igt_assert_eq(pthread_create(&t, NULL, atomic_cpu, &a), 0);
	for (int i = 0; i < 5; i++)
		assert_ok(fd, vm, c, 4);
	pthread_join(t, NULL);
	assert_words(a.cnt, a.n, 20 + a.rounds, "counters");
	munmap(a.cnt, a.n * 4);
}

static void test_sparse(void)
{
	uint64_t size = 8 * MiB;
	uint32_t *p = map_aligned(size);
	uint32_t *ref = calloc(size / 4, 4);
	struct drm_vsvm_cmd c[2];
	struct drm_vsvm_vm_query q0, q1;

	igt_assert(ref);
	vsvm_vm_query(fd, vm, &q0);
	c[0] = vsvm_cmd_strided(p + 1, 1000, 8196, 0x5555);
	c[1] = vsvm_cmd_random(p, size, 3000, 0xfeed, 0x6666);
	assert_ok(fd, vm, c, 2);
	for (uint64_t i = 0; i < 1000; i++)
		ref[1 + i * 8196 / 4] = 0x5555;
	for (uint64_t i = 0, x = 0xfeed; i < 3000; i++) {
		x = vsvm_xorshift(x);
		ref[x % (size / 4)] = 0x6666;
	}
	igt_assert(!memcmp(p, ref, size));
	vsvm_vm_query(fd, vm, &q1);
	igt_assert_lt_u64(q0.faults, q1.faults);
	munmap(p, size);
	free(ref);
}

int igt_main()
{
	igt_fixture() {
		fd = drm_open_driver_render(DRIVER_VSVM);
		vm = vsvm_vm_create(fd, DRM_VSVM_VM_CREATE_FAULT_MODE);
	}

	igt_describe("malloc'd buffers of several sizes.");
	igt_subtest_with_dynamic("malloc") {
		static const uint64_t sizes[] = { 4, PAGE, 64 * 1024 + 12,
						  SZ_2M, 8 * MiB + 4 };

		for (unsigned int i = 0; i < ARRAY_SIZE(sizes); i++)
			igt_dynamic_f("%llu", (unsigned long long)sizes[i])
				test_malloc(sizes[i]);
	}

	igt_describe("Private, shared, file-backed (private and shared) and huge mappings.");
	igt_subtest_with_dynamic("memory") {
		static const char *const kinds[] = {
			"mmap-private", "mmap-shared", "file-private",
			"file-shared", "huge",
		};

		for (unsigned int i = 0; i < ARRAY_SIZE(kinds); i++)
			igt_dynamic(kinds[i])
				test_memory(kinds[i]);
	}

	igt_describe("Memory freed and allocated again (heap and mmap sizes), and realloc, between execs.");
	igt_subtest_with_dynamic("free-realloc") {
		igt_dynamic("heap")
			test_free_realloc(64 * 1024);
		igt_dynamic("mmap")
			test_free_realloc(2 * MiB);
	}

	igt_describe("A CPU thread rewrites and drops pages next to the ones the device writes.");
	igt_subtest("cpu-race")
		test_cpu_race();

	igt_describe("fork: the child reads the parent's data (CPU and its own VM), never its later device writes.");
	igt_subtest_with_dynamic("fork") {
		igt_dynamic("read-in-child")
			test_fork(true);
		igt_dynamic("after")
			test_fork(false);
	}

	igt_describe("mremap: moved, grown and shrunk mappings.");
	igt_subtest_with_dynamic("mremap") {
		static const char *const hows[] = { "move", "grow", "shrink" };

		for (unsigned int i = 0; i < ARRAY_SIZE(hows); i++)
			igt_dynamic(hows[i])
				test_mremap(hows[i]);
	}

	igt_describe("munmap of 64 KiB in the middle of a 2 MiB range, with and without CPU faults, and mapped again.");
	igt_subtest_with_dynamic("partial-munmap") {
		igt_dynamic("no-cpu-fault")
			test_partial_munmap(false, false);
		igt_dynamic("cpu-fault")
			test_partial_munmap(true, false);
		igt_dynamic("remap")
			test_partial_munmap(false, true);
		igt_dynamic("cpu-fault-remap")
			test_partial_munmap(true, true);
	}

	igt_describe("Eight threads sharing one VM, and with a VM each.");
	igt_subtest_with_dynamic("threads") {
		igt_dynamic("shared-vm")
			test_threads(true);
		igt_dynamic("vm-each")
			test_threads(false);
	}

	igt_describe("Four processes, each with its own VM.");
	igt_subtest("processes")
		test_processes();

	igt_describe("A working set twice the VRAM (the module reloaded with 32 MiB), migrated to the device chunk by chunk, read and written by the engine.");
	igt_subtest("oversubscribe")
		test_oversubscribe();

	igt_describe("Device access to memory migrated to VRAM; CPU access brings it back.");
	igt_subtest("migrate-exec")
		test_migrate_exec();

	igt_describe("Unaligned sizes and start addresses.");
	igt_subtest("unaligned")
		test_unaligned();

	igt_describe("NULL, out-of-range, freed, guard, read-only and read-only file addresses.");
	igt_subtest("bad-addresses")
		test_bad_addresses();

	igt_describe("Device atomics racing CPU atomics on the same counters.");
	igt_subtest("atomic")
		test_atomic();

	igt_describe("Strided and random sparse access faults pages in; results checked.");
	igt_subtest("sparse")
		test_sparse();

	igt_fixture() {
		vsvm_vm_destroy(fd, vm);
		close(fd);
	}
}
