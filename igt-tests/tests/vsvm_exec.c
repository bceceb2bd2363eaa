// SPDX-License-Identifier: MIT
/*
 * Copyright © 2026 The drm-svm authors
 */

/**
 * TEST: vsvm exec
 * Description: VMs, binds and the compute engine: VM create/destroy, GEM
 *              object and CPU-mirror bindings, every command checked
 *              against a CPU computation, syncobj ordering, errors of
 *              failing jobs (fence status and VM query), device faults
 *              counted and batched, and rejection of every bad input.
 * Category: Core
 * Mega feature: drm-svm
 * Sub-category: Compute
 */

#include <errno.h>
#include <time.h>
#include <fcntl.h>
#include <glob.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <xf86drm.h>

#include "igt.h"
#include "sw_sync.h"
#include "igt_vsvm.h"

#define PAGE 4096ull
#define MiB (1024ull * 1024)
#define ALL_PL (DRM_VSVM_PL_MASK(DRM_VSVM_PL_SYSTEM) | \
		DRM_VSVM_PL_MASK(DRM_VSVM_PL_GTT) | \
		DRM_VSVM_PL_MASK(DRM_VSVM_PL_VRAM))
/* Where the tests bind objects: far from anything malloc returns. */
#define BO_VA 0x100000000000ull
/* How long tearing a VM down may take, whatever its jobs (issue 12). */
#define TEARDOWN_MS 5000
/* RANDOM command count: hours of engine time, were it not cancelled. */
#define LONG_COUNT (1ull << 32)


static uint32_t pat(uint64_t i, uint32_t seed)
{
	uint64_t x = (i + 1) * 0x9e3779b97f4a7c15ull ^ seed;

	return (uint32_t)(x >> 29) ^ (uint32_t)x;
}

static void fill_pattern(uint32_t *p, uint64_t words, uint32_t seed)
{
	for (uint64_t i = 0; i < words; i++)
		p[i] = pat(i, seed);
}

static void assert_words(const uint32_t *p, uint64_t words, uint32_t value,
			 const char *what)
{
	for (uint64_t i = 0; i < words; i++)
		igt_assert_f(p[i] == value, "%s: word %llu is 0x%08x, expected 0x%08x\n",
			     what, (unsigned long long)i, p[i], value);
}

static void *map_anon(uint64_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	igt_assert(p != MAP_FAILED);
	return p;
}

static void assert_ok(int fd, uint32_t vm, const struct drm_vsvm_cmd *c,
		      uint32_t n)
{
	int ret = vsvm_exec_wait(fd, vm, c, n);

	igt_assert_f(ret == 0, "exec failed: %d (%s)\n", ret, strerror(-ret));
}

/* A BO bound at BO_VA in @vm, also mapped for the CPU at *cpu. */
static uint32_t bound_bo(int fd, uint32_t vm, uint64_t size, uint32_t pl,
			 uint32_t **cpu)
{
	uint32_t h = vsvm_gem_create(fd, size, ALL_PL, pl, 0);

	vsvm_vm_bind(fd, vm, DRM_VSVM_VM_BIND_OP_MAP, 0, h, BO_VA, size, 0);
	if (cpu)
		*cpu = vsvm_gem_mmap(fd, h, size);
	return h;
}

static void test_vm_basic(int fd)
{
	uint32_t a = vsvm_vm_create(fd, 0);
	uint32_t b = vsvm_vm_create(fd, DRM_VSVM_VM_CREATE_FAULT_MODE);
	struct drm_vsvm_vm_query q;

	igt_assert_neq(a, b);
	vsvm_vm_query(fd, a, &q);
	igt_assert_eq_u64(q.submitted, 0);
	igt_assert_eq_u64(q.completed, 0);
	igt_assert_eq_u64(q.faults, 0);
	vsvm_vm_destroy(fd, a);
	igt_assert_eq(__vsvm_vm_destroy(fd, a), -ENOENT);
	igt_assert_eq(__vsvm_vm_query(fd, a, &q), -ENOENT);
	vsvm_vm_destroy(fd, b);
}

static void test_bad_vm(int fd)
{
	struct drm_vsvm_vm_create c = { .flags = 1u << 1 };
	struct drm_vsvm_vm_destroy d = { 0 };
	struct drm_vsvm_vm_query q = { 0 };
	uint32_t vm;

	igt_assert_eq(__vsvm_ioctl(fd, DRM_IOCTL_VSVM_VM_CREATE, &c), -EINVAL);
	c.flags = 0;
	c.pad = 1;
	igt_assert_eq(__vsvm_ioctl(fd, DRM_IOCTL_VSVM_VM_CREATE, &c), -EINVAL);
	igt_assert_eq(__vsvm_vm_destroy(fd, 0), -ENOENT);
	igt_assert_eq(__vsvm_vm_destroy(fd, 12345), -ENOENT);
	/* Destroying "VM 0" must not free id 0 for the next VM. */
	vm = vsvm_vm_create(fd, 0);
	igt_assert_neq(vm, 0);
	d.vm_id = vm;
	d.pad = 1;
	igt_assert_eq(__vsvm_ioctl(fd, DRM_IOCTL_VSVM_VM_DESTROY, &d), -EINVAL);
	q.vm_id = vm;
	q.flags = 1;
	igt_assert_eq(__vsvm_ioctl(fd, DRM_IOCTL_VSVM_VM_QUERY, &q), -EINVAL);
	q.flags = 0;
	q.pad = 1;
	igt_assert_eq(__vsvm_ioctl(fd, DRM_IOCTL_VSVM_VM_QUERY, &q), -EINVAL);
	vsvm_vm_destroy(fd, vm);
}

static void test_bad_bind(int fd)
{
	uint32_t vm = vsvm_vm_create(fd, 0);
	uint32_t fvm = vsvm_vm_create(fd, DRM_VSVM_VM_CREATE_FAULT_MODE);
	uint32_t h = vsvm_gem_create(fd, 4 * PAGE, ALL_PL,
				     DRM_VSVM_PL_SYSTEM, 0);
	const uint32_t MAP = DRM_VSVM_VM_BIND_OP_MAP;
	const uint32_t UNMAP = DRM_VSVM_VM_BIND_OP_UNMAP;
	const uint32_t MIRROR = DRM_VSVM_VM_BIND_OP_MAP_MIRROR;
	const uint32_t RO = DRM_VSVM_VM_BIND_FLAG_READONLY;
	void *mem = map_anon(4 * PAGE);
	uint64_t m = (uintptr_t)mem;

	igt_assert_eq(__vsvm_vm_bind(fd, vm, 3, 0, h, BO_VA, PAGE, 0), -EINVAL);
	igt_assert_eq(__vsvm_vm_bind(fd, vm, MAP, 2, h, BO_VA, PAGE, 0), -EINVAL);
	igt_assert_eq(__vsvm_vm_bind(fd, vm, MAP, 0, h, BO_VA + 1, PAGE, 0), -EINVAL);
	igt_assert_eq(__vsvm_vm_bind(fd, vm, MAP, 0, h, BO_VA, PAGE + 1, 0), -EINVAL);
	igt_assert_eq(__vsvm_vm_bind(fd, vm, MAP, 0, h, BO_VA, 0, 0), -EINVAL);
	igt_assert_eq(__vsvm_vm_bind(fd, vm, MAP, 0, h, BO_VA, PAGE, 1), -EINVAL);
	igt_assert_eq(__vsvm_vm_bind(fd, vm, MAP, 0, h, BO_VA, 8 * PAGE, 0), -EINVAL);
	igt_assert_eq(__vsvm_vm_bind(fd, vm, MAP, 0, h, BO_VA, 2 * PAGE, 3 * PAGE), -EINVAL);
	igt_assert_eq(__vsvm_vm_bind(fd, vm, MAP, 0, h, BO_VA, PAGE, -PAGE), -EINVAL);
	igt_assert_eq(__vsvm_vm_bind(fd, vm, MAP, 0, h, -PAGE, 2 * PAGE, 0), -EINVAL);
	igt_assert_eq(__vsvm_vm_bind(fd, vm, MAP, 0, h, 1ull << 47, PAGE, 0), -EINVAL);
	igt_assert_eq(__vsvm_vm_bind(fd, vm, MAP, 0, 0xdead, BO_VA, PAGE, 0), -ENOENT);
	igt_assert_eq(__vsvm_vm_bind(fd, 0xdead, MAP, 0, h, BO_VA, PAGE, 0), -ENOENT);
	igt_assert_eq(__vsvm_vm_bind(fd, vm, UNMAP, RO, 0, BO_VA, PAGE, 0), -EINVAL);
	igt_assert_eq(__vsvm_vm_bind(fd, vm, UNMAP, 0, h, BO_VA, PAGE, 0), -EINVAL);
	igt_assert_eq(__vsvm_vm_bind(fd, vm, UNMAP, 0, 0, BO_VA, PAGE, PAGE), -EINVAL);
	igt_assert_eq(__vsvm_vm_bind(fd, vm, MIRROR, 0, h, m, PAGE, 0), -EINVAL);
	igt_assert_eq(__vsvm_vm_bind(fd, vm, MIRROR, 0, 0, m, PAGE, PAGE), -EINVAL);
	igt_assert_eq(__vsvm_vm_bind(fd, vm, MIRROR, 0, 0, m + 8, PAGE, 0), -EINVAL);
	/* Fault-mode VMs mirror everything already. */
	igt_assert_eq(__vsvm_vm_bind(fd, fvm, MIRROR, 0, 0, m, PAGE, 0), -EINVAL);
	/* Unmapping nothing is fine; so are the good cases. */
	vsvm_vm_bind(fd, vm, UNMAP, 0, 0, BO_VA, PAGE, 0);
	vsvm_vm_bind(fd, vm, MAP, RO, h, BO_VA, 4 * PAGE, 0);
	vsvm_vm_bind(fd, vm, MIRROR, RO, 0, m, 4 * PAGE, 0);
	vsvm_vm_bind(fd, fvm, MAP, 0, h, BO_VA, 4 * PAGE, 0);
	vsvm_vm_destroy(fd, vm);
	vsvm_vm_destroy(fd, fvm);
	vsvm_gem_close(fd, h);
	munmap(mem, 4 * PAGE);
}

static int read_int(int f)
{
	char buf[32] = "";

	igt_assert(pread(f, buf, sizeof(buf) - 1, 0) > 0);
	return atoi(buf);
}

static void write_int(int f, int v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%d", v);
	igt_assert(pwrite(f, buf, strlen(buf), 0) == (ssize_t)strlen(buf));
}

#define FAIL_NTH "/proc/thread-self/fail-nth"
#define FAILSLAB_WAIT "/sys/kernel/debug/failslab/ignore-gfp-wait"

/*
 * Each allocation of an EXEC fails in turn (fail-nth; GFP_KERNEL ones
 * included): every call ends in success or -ENOMEM, never an oops or a
 * leak, and the engine works afterwards.
 */
static void test_exec_alloc_failures(int fd)
{
	uint32_t vm = vsvm_vm_create(fd, DRM_VSVM_VM_CREATE_FAULT_MODE);
	uint32_t *mem = map_anon(PAGE);
	struct drm_vsvm_cmd c = vsvm_cmd_fill(mem, PAGE, 0x5a);
	int n, ret, nth, wait, wait_was, covered = 0;

	/* opened once: any allocation after arming fail-nth would fail */
	nth = open(FAIL_NTH, O_RDWR);
	wait = open(FAILSLAB_WAIT, O_RDWR);
	igt_require_f(nth >= 0 && wait >= 0,
		      "no failslab fault injection in this kernel\n");
	wait_was = read_int(wait);
	write_int(wait, 0);
	for (n = 1; n <= 256 && !covered; n++) {
		write_int(nth, n);
		ret = __vsvm_exec(fd, vm, &c, 1, NULL, 0, 0, NULL);
		/* still counting down: the call made fewer than n allocations */
		covered = read_int(nth) != 0;
		write_int(nth, 0);
		igt_assert_f(ret == 0 || ret == -ENOMEM,
			     "allocation %d failing gave %d\n", n, ret);
	}
	write_int(wait, wait_was);
	close(wait);
	close(nth);
	igt_assert_f(covered, "more than 256 allocations in one exec\n");
	igt_info("%d allocation points failed in turn\n", n - 2);
	igt_assert_lt(2, n);
	assert_ok(fd, vm, &c, 1);
	assert_words(mem, PAGE / 4, 0x5a, "after the failures");
	vsvm_vm_destroy(fd, vm);
	munmap(mem, PAGE);
}

static void test_bad_exec(int fd)
{
	uint32_t vm = vsvm_vm_create(fd, DRM_VSVM_VM_CREATE_FAULT_MODE);
	uint32_t *mem = map_anon(4 * PAGE);
	uint64_t m = (uintptr_t)mem;
	struct drm_vsvm_cmd good = vsvm_cmd_fill(mem, PAGE, 1);
	struct drm_vsvm_cmd bad[] = {
		vsvm_cmd(0, m, PAGE, 1, 0, 0),
		vsvm_cmd(DRM_VSVM_CMD_COUNT, m, PAGE, 1, 0, 0),
		vsvm_cmd_fill(m + 2, PAGE, 1),
		vsvm_cmd_fill(m, PAGE - 1, 1),
		vsvm_cmd_fill(m, 0, 1),
		vsvm_cmd_fill(m, PAGE, 1ull << 32),
		vsvm_cmd(DRM_VSVM_CMD_FILL, m, PAGE, 1, 1, 0),
		vsvm_cmd(DRM_VSVM_CMD_FILL, m, PAGE, 1, 0, 1),
		vsvm_cmd_fill(-PAGE, 2 * PAGE, 1),
		/* above any x86-64 user address, 5-level paging included */
		vsvm_cmd_fill(1ull << 57, PAGE, 1),
		vsvm_cmd_copy(m, m + 8, 16),
		vsvm_cmd_copy(m, m + PAGE, 0),
		vsvm_cmd_add(m, m + PAGE, m + 2 * PAGE + 1, 4),
		vsvm_cmd_add(m, m + PAGE, m + 2 * PAGE, 0),
		vsvm_cmd_add(m, m + PAGE, m + 2 * PAGE, 1ull << 62),
		vsvm_cmd_checksum(m, PAGE, m + PAGE + 4),
		vsvm_cmd_checksum(m, 0, m + PAGE),
		vsvm_cmd_atomic_inc(m + 1, 4),
		vsvm_cmd_atomic_inc(m, 0),
		vsvm_cmd(DRM_VSVM_CMD_ATOMIC_INC, m, 4, 1, 0, 0),
		vsvm_cmd_strided(m, 4, 0, 1),
		vsvm_cmd_strided(m, 0, 4, 1),
		vsvm_cmd_strided(m, 4, 6, 1),
		vsvm_cmd_strided(m, 1ull << 40, 1ull << 40, 1),
		vsvm_cmd_random(m, PAGE, 4, 0, 1),
		vsvm_cmd_random(m, PAGE, 0, 1, 1),
		vsvm_cmd_random(m, 6, 4, 1, 1),
		vsvm_cmd_random(m, PAGE, 4, 1, 1ull << 32),
	};
	struct drm_vsvm_cmd flagged = good;
	struct drm_vsvm_exec e = { 0 };
	static struct drm_vsvm_cmd many[DRM_VSVM_EXEC_MAX_CMDS + 1];
	uint32_t sync, syncs[DRM_VSVM_EXEC_MAX_SYNCS + 1];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		igt_assert_f(__vsvm_exec(fd, vm, &bad[i], 1, NULL, 0, 0, NULL) == -EINVAL,
			     "bad command %u accepted\n", i);
	flagged.flags = 1;
	igt_assert_eq(__vsvm_exec(fd, vm, &flagged, 1, NULL, 0, 0, NULL), -EINVAL);
	/* One bad command rejects the whole buffer. */
	{
		struct drm_vsvm_cmd two[2] = { good, bad[2] };

		igt_assert_eq(__vsvm_exec(fd, vm, two, 2, NULL, 0, 0, NULL), -EINVAL);
	}
	igt_assert_eq(__vsvm_exec(fd, vm, &good, 0, NULL, 0, 0, NULL), -EINVAL);
	for (i = 0; i < ARRAY_SIZE(many); i++)
		many[i] = good;
	igt_assert_eq(__vsvm_exec(fd, vm, many, ARRAY_SIZE(many), NULL, 0, 0, NULL), -EINVAL);
	igt_assert_eq(__vsvm_exec(fd, 0xdead, &good, 1, NULL, 0, 0, NULL), -ENOENT);
	igt_assert_eq(__vsvm_exec(fd, vm, &good, 1, NULL, 0, 0xdead, NULL), -ENOENT);
	syncs[0] = 0xdead;
	igt_assert_eq(__vsvm_exec(fd, vm, &good, 1, syncs, 1, 0, NULL), -ENOENT);
	igt_assert_eq(drmSyncobjCreate(fd, DRM_SYNCOBJ_CREATE_SIGNALED, &sync), 0);
	for (i = 0; i < ARRAY_SIZE(syncs); i++)
		syncs[i] = sync;
	igt_assert_eq(__vsvm_exec(fd, vm, &good, 1, syncs, ARRAY_SIZE(syncs), 0, NULL), -EINVAL);
	igt_assert_eq(__vsvm_exec(fd, vm, NULL, 1, NULL, 0, 0, NULL), -EFAULT);
	igt_assert_eq(__vsvm_exec(fd, vm, &good, 1, (uint32_t *)8, 1, 0, NULL), -EFAULT);

	e.vm_id = vm;
	e.cmds = (uintptr_t)&good;
	e.cmds_size = sizeof(good) - 8;
	igt_assert_eq(__vsvm_ioctl(fd, DRM_IOCTL_VSVM_EXEC, &e), -EINVAL);
	e.cmds_size = sizeof(good);
	e.flags = 1;
	igt_assert_eq(__vsvm_ioctl(fd, DRM_IOCTL_VSVM_EXEC, &e), -EINVAL);
	e.flags = 0;

	/* After all that, a good exec (with all 64 in-syncobjs) still works. */
	igt_assert_eq(__vsvm_exec(fd, vm, &good, 1, syncs, DRM_VSVM_EXEC_MAX_SYNCS, 0, NULL), 0);
	assert_ok(fd, vm, &good, 1);
	assert_words(mem, PAGE / 4, 1, "fill");
	drmSyncobjDestroy(fd, sync);
	vsvm_vm_destroy(fd, vm);
	munmap(mem, 4 * PAGE);
}

/* Every command on a BO, compared to the CPU's computation. */
static void check_commands(int fd, uint32_t vm, uint64_t base, uint32_t *cpu,
			   uint64_t size)
{
	uint64_t q = size / 4, words = q / 4;
	uint32_t *a = cpu, *b = cpu + words, *d = cpu + 2 * words;
	uint32_t *ref = malloc(q * 4);
	uint64_t sum;
	struct drm_vsvm_cmd c[3];

	igt_assert(ref);
	fill_pattern(a, words, 1);
	fill_pattern(b, words, 2);

	/* FILL a quarter, unaligned to pages */
	c[0] = vsvm_cmd_fill(base + 3 * q + 12, q - 24, 0xc0ffee11);
	assert_ok(fd, vm, c, 1);
	assert_words(cpu + 3 * words + 3, words - 6, 0xc0ffee11, "fill");

	/* ADD */
	c[0] = vsvm_cmd_add(base + 2 * q, base, base + q, words);
	assert_ok(fd, vm, c, 1);
	for (uint64_t i = 0; i < words; i++)
		igt_assert_eq_u32(d[i], pat(i, 1) + pat(i, 2));

	/* COPY at odd byte offsets */
	c[0] = vsvm_cmd_copy(base + 3 * q + 5, base + 7, q - 64);
	assert_ok(fd, vm, c, 1);
	igt_assert(!memcmp((uint8_t *)cpu + 3 * q + 5, (uint8_t *)cpu + 7, q - 64));

	/* CHECKSUM of two quarters into the last 8 bytes */
	c[0] = vsvm_cmd_checksum(base + 1, 2 * q - 1, base + size - 8);
	assert_ok(fd, vm, c, 1);
	memcpy(&sum, (uint8_t *)cpu + size - 8, 8);
	igt_assert_eq_u64(sum, vsvm_fnv1a((uint8_t *)cpu + 1, 2 * q - 1));

	/* ATOMIC_INC three times in one exec */
	memcpy(ref, a, words * 4);
	c[0] = vsvm_cmd_atomic_inc(base, words);
	c[1] = c[0];
	c[2] = c[0];
	assert_ok(fd, vm, c, 3);
	for (uint64_t i = 0; i < words; i++)
		igt_assert_eq_u32(a[i], ref[i] + 3);

	/* STRIDED and RANDOM */
	memset(cpu, 0, size);
	c[0] = vsvm_cmd_strided(base + 8, 100, 52, 0x5151);
	c[1] = vsvm_cmd_random(base + q, q, 500, 0x1234567, 0xabcd);
	assert_ok(fd, vm, c, 2);
	memset(ref, 0, q * 4);
	for (uint64_t i = 0; i < 100; i++)
		ref[(8 + i * 52) / 4] = 0x5151;
	for (uint64_t i = 0, x = 0x1234567; i < 500; i++) {
		x = vsvm_xorshift(x);
		ref[(q + 4 * (x % (q / 4))) / 4] = 0xabcd;
	}
	igt_assert(!memcmp(cpu, ref, size));
	free(ref);
}

static void test_bo_commands(int fd, uint32_t pl)
{
	uint64_t size = 4 * MiB;
	uint32_t vm = vsvm_vm_create(fd, 0);
	uint32_t *cpu;
	uint32_t h = bound_bo(fd, vm, size, pl, &cpu);

	check_commands(fd, vm, BO_VA, cpu, size);
	/* The device view (GEM access) agrees with the CPU's. */
	{
		uint32_t *dev = malloc(size);

		igt_assert(dev);
		vsvm_gem_read(fd, h, 0, dev, size);
		igt_assert(!memcmp(dev, cpu, size));
		free(dev);
	}
	/* Move every chunk to another placement: the engine follows. */
	vsvm_gem_migrate(fd, h, pl == DRM_VSVM_PL_VRAM ? DRM_VSVM_PL_SYSTEM :
			 DRM_VSVM_PL_VRAM, 0, size);
	check_commands(fd, vm, BO_VA, cpu, size);
	vsvm_vm_destroy(fd, vm);
	munmap(cpu, size);
	vsvm_gem_close(fd, h);
}

static void expect_error(int fd, uint32_t vm, const struct drm_vsvm_cmd *c,
			 uint32_t n, int err, uint64_t addr, uint32_t cmd)
{
	struct drm_vsvm_vm_query q;
	uint32_t out;
	uint64_t seqno;

	igt_assert_eq(drmSyncobjCreate(fd, 0, &out), 0);
	seqno = vsvm_exec(fd, vm, c, n, NULL, 0, out);
	igt_assert_eq(drmSyncobjWait(fd, &out, 1, INT64_MAX, 0, NULL), 0);
	igt_assert_eq(vsvm_syncobj_status(fd, out), err);
	drmSyncobjDestroy(fd, out);
	vsvm_vm_query(fd, vm, &q);
	igt_assert_eq_u64(q.error_seqno, seqno);
	igt_assert_eq(q.error, err);
	igt_assert_eq_u64(q.error_addr, addr);
	igt_assert_eq_u32(q.error_cmd, cmd);
	igt_assert_eq_u64(q.completed, seqno);
}

static void test_bind_unmap(int fd)
{
	uint32_t vm = vsvm_vm_create(fd, 0);
	uint32_t *cpu;
	uint32_t h = bound_bo(fd, vm, 4 * PAGE, DRM_VSVM_PL_SYSTEM, &cpu);
	struct drm_vsvm_cmd c[3];

	memset(cpu, 0, 4 * PAGE);
	/* Unmap the second page: the mapping splits in two. */
	vsvm_vm_bind(fd, vm, DRM_VSVM_VM_BIND_OP_UNMAP, 0, 0, BO_VA + PAGE,
		     PAGE, 0);
	c[0] = vsvm_cmd_fill(BO_VA, PAGE, 7);
	c[1] = vsvm_cmd_fill(BO_VA + 2 * PAGE, 2 * PAGE, 8);
	assert_ok(fd, vm, c, 2);
	assert_words(cpu, PAGE / 4, 7, "first page");
	assert_words(cpu + PAGE / 4, PAGE / 4, 0, "unmapped page");
	assert_words(cpu + PAGE / 2, PAGE / 2, 8, "last pages");

	/* The job stops at the hole; commands before it are applied. */
	c[0] = vsvm_cmd_fill(BO_VA, PAGE, 9);
	c[1] = vsvm_cmd_fill(BO_VA + PAGE - 8, 16, 10);
	c[2] = vsvm_cmd_fill(BO_VA + 3 * PAGE, PAGE, 11);
	expect_error(fd, vm, c, 3, -EFAULT, BO_VA + PAGE, 1);
	assert_words(cpu, PAGE / 4 - 2, 9, "before the fault");
	assert_words(cpu + PAGE / 4 - 2, 2, 10, "the faulting command's first piece");
	assert_words(cpu + 3 * PAGE / 4, PAGE / 4, 8, "after the fault");

	/* Map the object again at another offset: page 1 shows page 3. */
	vsvm_vm_bind(fd, vm, DRM_VSVM_VM_BIND_OP_MAP, 0, h, BO_VA + PAGE, PAGE,
		     3 * PAGE);
	c[0] = vsvm_cmd_fill(BO_VA + PAGE, PAGE, 12);
	assert_ok(fd, vm, c, 1);
	assert_words(cpu + 3 * PAGE / 4, PAGE / 4, 12, "aliased page");
	assert_words(cpu + PAGE / 4, PAGE / 4, 0, "page 1 of the object");

	/* Closing the handle keeps the bound object alive. */
	vsvm_gem_close(fd, h);
	c[0] = vsvm_cmd_fill(BO_VA, 4 * PAGE, 13);
	assert_ok(fd, vm, c, 1);
	assert_words(cpu, PAGE / 4, 13, "after close");
	vsvm_vm_destroy(fd, vm);
	munmap(cpu, 4 * PAGE);
}

static void test_bind_readonly(int fd)
{
	uint32_t vm = vsvm_vm_create(fd, 0);
	uint32_t h = vsvm_gem_create(fd, 2 * PAGE, ALL_PL, DRM_VSVM_PL_VRAM, 0);
	uint32_t *cpu = vsvm_gem_mmap(fd, h, 2 * PAGE);
	struct drm_vsvm_cmd c[2];
	uint64_t sum;

	fill_pattern(cpu, PAGE / 2, 3);
	vsvm_vm_bind(fd, vm, DRM_VSVM_VM_BIND_OP_MAP,
		     DRM_VSVM_VM_BIND_FLAG_READONLY, h, BO_VA, PAGE, 0);
	vsvm_vm_bind(fd, vm, DRM_VSVM_VM_BIND_OP_MAP, 0, h, BO_VA + PAGE, PAGE,
		     PAGE);
	c[0] = vsvm_cmd_checksum(BO_VA, PAGE, BO_VA + PAGE);
	assert_ok(fd, vm, c, 1);
	memcpy(&sum, cpu + PAGE / 4, 8);
	igt_assert_eq_u64(sum, vsvm_fnv1a(cpu, PAGE));

	c[0] = vsvm_cmd_fill(BO_VA + PAGE, 8, 1);
	c[1] = vsvm_cmd_fill(BO_VA + 16, 8, 1);
	expect_error(fd, vm, c, 2, -EPERM, BO_VA + 16, 1);
	for (uint64_t i = 0; i < PAGE / 4; i++)
		igt_assert_eq_u32(cpu[i], pat(i, 3));
	c[0] = vsvm_cmd_atomic_inc(BO_VA, 1);
	expect_error(fd, vm, c, 1, -EPERM, BO_VA, 0);
	/* Rebinding read-write lifts it. */
	vsvm_vm_bind(fd, vm, DRM_VSVM_VM_BIND_OP_MAP, 0, h, BO_VA, PAGE, 0);
	c[0] = vsvm_cmd_fill(BO_VA + 16, 8, 1);
	assert_ok(fd, vm, c, 1);
	assert_words(cpu + 4, 2, 1, "after rebind");
	vsvm_vm_destroy(fd, vm);
	munmap(cpu, 2 * PAGE);
	vsvm_gem_close(fd, h);
}

static void test_mirror_bind(int fd)
{
	uint32_t vm = vsvm_vm_create(fd, 0);
	uint64_t size = 16 * PAGE;
	uint32_t *mem = map_anon(size + 2 * PAGE);
	uint32_t *in = mem + PAGE / 4;
	struct drm_vsvm_cmd c[2];

	memset(mem, 0, size + 2 * PAGE);
	/* Nothing bound yet: the address faults unrecoverably. */
	c[0] = vsvm_cmd_fill(in, PAGE, 1);
	expect_error(fd, vm, c, 1, -EFAULT, (uintptr_t)in, 0);
	vsvm_vm_bind(fd, vm, DRM_VSVM_VM_BIND_OP_MAP_MIRROR, 0, 0,
		     (uintptr_t)in, size, 0);
	fill_pattern(in, PAGE / 4, 5);
	c[0] = vsvm_cmd_copy(in + PAGE / 4, in, PAGE);
	c[1] = vsvm_cmd_fill(in + PAGE / 2, size - 2 * PAGE, 0x77);
	assert_ok(fd, vm, c, 2);
	igt_assert(!memcmp(in + PAGE / 4, in, PAGE));
	assert_words(in + PAGE / 2, (size - 2 * PAGE) / 4, 0x77, "mirror fill");
	/* The pages around the mirror are not reachable. */
	c[0] = vsvm_cmd_fill((uint8_t *)in + size - 4, 8, 1);
	expect_error(fd, vm, c, 1, -EFAULT, (uintptr_t)in + size, 0);
	assert_words(mem + (size + PAGE) / 4, PAGE / 4, 0, "after the mirror");
	/* Read-only mirror. */
	vsvm_vm_bind(fd, vm, DRM_VSVM_VM_BIND_OP_MAP_MIRROR,
		     DRM_VSVM_VM_BIND_FLAG_READONLY, 0, (uintptr_t)in, PAGE, 0);
	c[0] = vsvm_cmd_fill(in, 4, 1);
	expect_error(fd, vm, c, 1, -EPERM, (uintptr_t)in, 0);
	for (uint64_t i = 0; i < PAGE / 4; i++)
		igt_assert_eq_u32(in[i], pat(i, 5));
	/* Unbinding removes it. */
	vsvm_vm_bind(fd, vm, DRM_VSVM_VM_BIND_OP_UNMAP, 0, 0, (uintptr_t)in,
		     size, 0);
	c[0] = vsvm_cmd_fill(in + PAGE / 4, 4, 1);
	expect_error(fd, vm, c, 1, -EFAULT, (uintptr_t)(in + PAGE / 4), 0);
	vsvm_vm_destroy(fd, vm);
	munmap(mem, size + 2 * PAGE);
}

static void test_fault_errors(int fd)
{
	uint32_t vm = vsvm_vm_create(fd, DRM_VSVM_VM_CREATE_FAULT_MODE);
	uint32_t *mem = map_anon(4 * PAGE);
	uint8_t *hole = (uint8_t *)mem + 2 * PAGE;
	uint32_t *ro, *none;
	struct drm_vsvm_cmd c[3];
	struct drm_vsvm_vm_query q;

	memset(mem, 0, 4 * PAGE);
	igt_assert_eq(munmap(hole, PAGE), 0);
	/* A hole in the middle of a command */
	c[0] = vsvm_cmd_fill(mem, 2 * PAGE, 3);
	c[1] = vsvm_cmd_fill(mem + PAGE / 4, 2 * PAGE, 4);
	c[2] = vsvm_cmd_fill(mem, PAGE, 5);
	expect_error(fd, vm, c, 3, -EFAULT, (uintptr_t)hole, 1);
	assert_words(mem, PAGE / 4, 3, "before");
	assert_words(mem + PAGE / 4, PAGE / 4, 4, "applied part");
	/* NULL */
	c[0] = vsvm_cmd_checksum(0, 64, mem);
	expect_error(fd, vm, c, 1, -EFAULT, 0, 0);
	/* PROT_NONE */
	none = mmap(NULL, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	igt_assert(none != MAP_FAILED);
	c[0] = vsvm_cmd_copy(mem, none, 64);
	expect_error(fd, vm, c, 1, -EFAULT, (uintptr_t)none, 0);
	/* Read-only CPU mapping: reads work, writes fail. */
	ro = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	igt_assert(ro != MAP_FAILED);
	c[0] = vsvm_cmd_copy(mem, ro, 64);
	assert_ok(fd, vm, c, 1);
	assert_words(mem, 16, 0, "copied from the zero page");
	c[0] = vsvm_cmd_fill(ro, 64, 1);
	expect_error(fd, vm, c, 1, -EPERM, (uintptr_t)ro, 0);
	c[0] = vsvm_cmd_atomic_inc(ro, 1);
	expect_error(fd, vm, c, 1, -EPERM, (uintptr_t)ro, 0);
	assert_words(ro, PAGE / 4, 0, "read-only page");
	vsvm_vm_query(fd, vm, &q);
	igt_assert_eq_u64(q.failed, 5);
	igt_assert_eq_u64(q.completed, 6);
	/* The VM still works. */
	c[0] = vsvm_cmd_fill(mem, PAGE, 6);
	assert_ok(fd, vm, c, 1);
	assert_words(mem, PAGE / 4, 6, "after errors");
	munmap(ro, PAGE);
	munmap(none, PAGE);
	munmap(mem, 4 * PAGE);
	vsvm_vm_destroy(fd, vm);
}

static void test_fault_batching(int fd)
{
	uint64_t size = 8 * MiB, pages = size / PAGE;
	uint32_t vm = vsvm_vm_create(fd, DRM_VSVM_VM_CREATE_FAULT_MODE);
	uint32_t *mem = map_anon(size);
	struct drm_vsvm_vm_query q;
	struct drm_vsvm_cmd c;

	/* Untouched memory: every page is a device fault. */
	c = vsvm_cmd_fill(mem, size, 0x42);
	assert_ok(fd, vm, &c, 1);
	assert_words(mem, size / 4, 0x42, "fill");
	vsvm_vm_query(fd, vm, &q);
	igt_info("%llu pages: %llu faults, %llu batches, %llu ranges, %llu replays\n",
		 (unsigned long long)pages, (unsigned long long)q.faults,
		 (unsigned long long)q.fault_batches,
		 (unsigned long long)q.fault_ranges,
		 (unsigned long long)q.replays);
	igt_assert_lte_u64(pages / 512, q.faults);
	igt_assert_lte_u64(1, q.fault_batches);
	/* Many pages per batch, neighbours merged into few ranges. */
	igt_assert_lte_u64(q.fault_batches * 64, q.faults);
	igt_assert_lte_u64(q.fault_ranges, 2 * q.fault_batches);
	igt_assert_eq_u64(q.replays, q.fault_batches);

	/* Mirrored now: no new fault. */
	c = vsvm_cmd_fill(mem, size, 0x43);
	assert_ok(fd, vm, &c, 1);
	assert_words(mem, size / 4, 0x43, "second fill");
	{
		struct drm_vsvm_vm_query q2;

		vsvm_vm_query(fd, vm, &q2);
		igt_assert_eq_u64(q2.faults, q.faults);
		igt_assert_eq_u64(q2.completed, 2);
	}
	munmap(mem, size);
	vsvm_vm_destroy(fd, vm);
}

/* Replays never apply a command twice, however often a job faults. */
static void test_replay_exactly_once(int fd)
{
	uint64_t size = 2 * MiB, words = size / 4;
	uint32_t vm = vsvm_vm_create(fd, DRM_VSVM_VM_CREATE_FAULT_MODE);
	uint32_t *a = map_anon(size), *b = map_anon(size), *cnt = map_anon(size);
	uint32_t *d = a;
	struct drm_vsvm_cmd c[3];
	struct drm_vsvm_vm_query q;

	fill_pattern(a, words, 7);
	fill_pattern(b, words, 8);
	munmap(cnt, size);
	cnt = map_anon(size);
	/* In place: a += b (faults on b halfway, never on a twice), counters. */
	c[0] = vsvm_cmd_add(d, a, b, words);
	c[1] = vsvm_cmd_atomic_inc(cnt, words);
	c[2] = vsvm_cmd_atomic_inc(cnt, words / 2);
	assert_ok(fd, vm, c, 3);
	for (uint64_t i = 0; i < words; i++) {
		igt_assert_eq_u32(d[i], pat(i, 7) + pat(i, 8));
		igt_assert_eq_u32(cnt[i], i < words / 2 ? 2 : 1);
	}
	vsvm_vm_query(fd, vm, &q);
	igt_assert_lte_u64(1, q.replays);
	munmap(a, size);
	munmap(b, size);
	munmap(cnt, size);
	vsvm_vm_destroy(fd, vm);
}

static void test_syncobj_order(int fd)
{
	uint64_t size = 16 * MiB;
	uint32_t vm1 = vsvm_vm_create(fd, DRM_VSVM_VM_CREATE_FAULT_MODE);
	uint32_t vm2 = vsvm_vm_create(fd, DRM_VSVM_VM_CREATE_FAULT_MODE);
	uint32_t *x = map_anon(size), *y = map_anon(size), *z = map_anon(size);
	uint32_t s1, s2, s3, signalled;
	struct drm_vsvm_cmd c;

	igt_assert_eq(drmSyncobjCreate(fd, 0, &s1), 0);
	igt_assert_eq(drmSyncobjCreate(fd, 0, &s2), 0);
	igt_assert_eq(drmSyncobjCreate(fd, 0, &s3), 0);
	igt_assert_eq(drmSyncobjCreate(fd, DRM_SYNCOBJ_CREATE_SIGNALED,
				       &signalled), 0);
	/* vm1 fills x (faulting all the way); vm2 copies x to y after it. */
	c = vsvm_cmd_fill(x, size, 0x1234);
	vsvm_exec(fd, vm1, &c, 1, &signalled, 1, s1);
	c = vsvm_cmd_copy(y, x, size);
	vsvm_exec(fd, vm2, &c, 1, &s1, 1, s2);
	/*
	 * After the copy, vm1 overwrites half of x and then, ordered by its
	 * ring alone, checksums x into y.
	 */
	{
		/* Untouched z makes the first job stop on faults for a while. */
		struct drm_vsvm_cmd two[2] = {
			vsvm_cmd_fill(z, size, 0x9abc),
			vsvm_cmd_fill(x, size / 2, 0x5678),
		};

		vsvm_exec(fd, vm1, two, 2, &s2, 1, 0);
	}
	c = vsvm_cmd_checksum(x, size, y);
	vsvm_exec(fd, vm1, &c, 1, NULL, 0, s3);
	igt_assert_eq(drmSyncobjWait(fd, &s3, 1, INT64_MAX, 0, NULL), 0);
	igt_assert_eq(vsvm_syncobj_status(fd, s1), 1);
	igt_assert_eq(vsvm_syncobj_status(fd, s2), 1);
	igt_assert_eq(vsvm_syncobj_status(fd, s3), 1);
	assert_words(x, size / 8, 0x5678, "x first half");
	assert_words(x + size / 8, size / 8, 0x1234, "x second half");
	{
		uint64_t sum;

		memcpy(&sum, y, 8);
		igt_assert_eq_u64(sum, vsvm_fnv1a(x, size));
	}
	assert_words(y + 2, size / 4 - 2, 0x1234, "y");
	assert_words(z, size / 4, 0x9abc, "z");
	munmap(z, size);
	drmSyncobjDestroy(fd, s1);
	drmSyncobjDestroy(fd, s2);
	drmSyncobjDestroy(fd, s3);
	drmSyncobjDestroy(fd, signalled);
	vsvm_vm_destroy(fd, vm1);
	vsvm_vm_destroy(fd, vm2);
	munmap(x, size);
	munmap(y, size);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ll + ts.tv_nsec / 1000000;
}

/* Wait (at most TEARDOWN_MS) for @n out-syncobjs; return their status. */
static void wait_signalled(int fd, uint32_t *s, int n, int *status)
{
	int64_t deadline = (now_ms() + TEARDOWN_MS) * 1000000ll;

	igt_assert_f(drmSyncobjWait(fd, s, n, deadline,
				    DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL, NULL) == 0,
		     "fences of a destroyed VM unsignalled after %d ms\n",
		     TEARDOWN_MS);
	for (int i = 0; i < n; i++)
		status[i] = vsvm_syncobj_status(fd, s[i]);
}

/* Queue @n execs of @c in @vm, each with a new out-syncobj in @out. */
static void exec_each(int fd, uint32_t vm, const struct drm_vsvm_cmd *c,
		      uint32_t *out, int n)
{
	for (int j = 0; j < n; j++) {
		igt_assert_eq(drmSyncobjCreate(fd, 0, &out[j]), 0);
		vsvm_exec(fd, vm, c, 1, NULL, 0, out[j]);
	}
}

/*
 * The @n jobs of a destroyed VM signal: each ran (1), was cancelled
 * (-ECANCELED) or killed (-ESRCH); their statuses in @st. Destroys @out.
 */
static void wait_destroyed(int fd, uint32_t *out, int n, int *st)
{
	wait_signalled(fd, out, n, st);
	for (int j = 0; j < n; j++) {
		igt_assert_f(st[j] == 1 || st[j] == -ECANCELED ||
			     st[j] == -ESRCH, "job %d: status %d\n", j, st[j]);
		drmSyncobjDestroy(fd, out[j]);
	}
}

/* Nothing of a destroyed VM runs any more: @p stays as it is. */
static void assert_quiet(const uint32_t *p, uint64_t size)
{
	uint32_t *copy = malloc(size);

	igt_assert(copy);
	memcpy(copy, p, size);
	usleep(50000);
	igt_assert_f(!memcmp(copy, p, size),
		     "memory changed after VM_DESTROY returned\n");
	free(copy);
}

static void test_destroy_busy(int fd)
{
	uint64_t size = 32 * MiB;
	uint32_t *x = map_anon(size);
	struct drm_vsvm_cmd c = vsvm_cmd_fill(x, size, 0x99);

	for (int i = 0; i < 4; i++) {
		uint32_t vm = vsvm_vm_create(fd, DRM_VSVM_VM_CREATE_FAULT_MODE);
		uint32_t out[2];
		int st[2];

		exec_each(fd, vm, &c, out, 2);
		usleep(20000 * i);
		/* Cancels what has not completed yet. */
		vsvm_vm_destroy(fd, vm);
		assert_quiet(x, size);
		wait_destroyed(fd, out, 2, st);
		igt_debug("round %d: %d %d\n", i, st[0], st[1]);
		if (st[0] == 1 || st[1] == 1)
			assert_words(x, size / 4, 0x99, "after destroy");
		memset(x, 0, size);
	}
	munmap(x, size);
}

struct destroy_call {
	int fd;
	uint32_t vm;
	int ret;
};

static void *destroy_thread(void *arg)
{
	struct destroy_call *d = arg;

	d->ret = __vsvm_vm_destroy(d->fd, d->vm);
	return NULL;
}

/*
 * VM_DESTROY of @vm must return within TEARDOWN_MS. If it does not, the
 * hold on @timeline (if any) is released so that the old code can finish,
 * and the test fails.
 */
static void destroy_bounded(int fd, uint32_t vm, int timeline)
{
	struct destroy_call d = { .fd = fd, .vm = vm, .ret = 1 };
	int64_t t0 = now_ms();
	struct timespec abs;
	pthread_t t;
	int ret;

	igt_assert_eq(pthread_create(&t, NULL, destroy_thread, &d), 0);
	clock_gettime(CLOCK_REALTIME, &abs);
	abs.tv_sec += TEARDOWN_MS / 1000;
	ret = pthread_timedjoin_np(t, NULL, &abs);
	if (ret == ETIMEDOUT && timeline >= 0) {
		sw_sync_timeline_inc(timeline, 1);
		pthread_join(t, NULL);
	}
	igt_assert_f(ret == 0, "VM_DESTROY still blocked after %d ms\n",
		     TEARDOWN_MS);
	igt_assert_eq(d.ret, 0);
	igt_info("VM_DESTROY returned after %lld ms\n",
		 (long long)(now_ms() - t0));
}

/* Wait until the engine has written @p (the long job runs). */
static void wait_started(const volatile uint32_t *p, uint64_t words)
{
	int64_t deadline = now_ms() + TEARDOWN_MS;

	for (;;) {
		for (uint64_t i = 0; i < words; i++)
			if (p[i])
				return;
		igt_assert_f(now_ms() < deadline, "long job did not start\n");
		usleep(1000);
	}
}

/*
 * Jobs waiting for an in-fence that is never signalled: VM_DESTROY returns
 * at once, they never run, and their fences signal with -ESRCH once the
 * in-fence has signalled.
 */
static void test_destroy_in_fence(int fd)
{
	int timeline = vsvm_timeline_hold();
	uint32_t vm = vsvm_vm_create(fd, 0);
	struct drm_vsvm_cmd c = vsvm_cmd_fill(BO_VA, PAGE, 0x77);
	uint32_t *cpu, h, in, out[2];
	int st[2];

	h = bound_bo(fd, vm, PAGE, DRM_VSVM_PL_SYSTEM, &cpu);
	in = vsvm_syncobj_from_timeline(fd, timeline, 1);
	for (int j = 0; j < 2; j++)
		igt_assert_eq(drmSyncobjCreate(fd, 0, &out[j]), 0);
	vsvm_exec(fd, vm, &c, 1, &in, 1, out[0]);
	vsvm_exec(fd, vm, &c, 1, NULL, 0, out[1]);
	destroy_bounded(fd, vm, timeline);
	assert_words(cpu, PAGE / 4, 0, "destroyed VM's held jobs ran");
	sw_sync_timeline_inc(timeline, 1);
	wait_signalled(fd, out, 2, st);
	igt_assert_eq(st[0], -ESRCH);
	igt_assert_eq(st[1], -ESRCH);
	assert_words(cpu, PAGE / 4, 0, "killed jobs ran");
	munmap(cpu, PAGE);
	vsvm_gem_close(fd, h);
	drmSyncobjDestroy(fd, in);
	drmSyncobjDestroy(fd, out[0]);
	drmSyncobjDestroy(fd, out[1]);
	vsvm_timeline_release(timeline);
}

/*
 * A running job of hours (RANDOM over one page, 2^32 times, then a FILL):
 * VM_DESTROY stops it at its next piece (-ECANCELED), the FILL never runs.
 * (A second exec of the VM would wait for the VM's lock, which the engine
 * holds while it runs a job.)
 */
static void test_destroy_long_job(int fd)
{
	uint32_t vm = vsvm_vm_create(fd, 0);
	struct drm_vsvm_cmd c[2] = {
		vsvm_cmd_random(BO_VA, PAGE, LONG_COUNT, 1, 0x55),
		vsvm_cmd_fill(BO_VA, PAGE, 0x77),
	};
	uint32_t *cpu, h, out;
	int st;

	h = bound_bo(fd, vm, PAGE, DRM_VSVM_PL_SYSTEM, &cpu);
	igt_assert_eq(drmSyncobjCreate(fd, 0, &out), 0);
	vsvm_exec(fd, vm, c, 2, NULL, 0, out);
	wait_started(cpu, PAGE / 4);
	destroy_bounded(fd, vm, -1);
	assert_quiet(cpu, PAGE);
	wait_signalled(fd, &out, 1, &st);
	igt_assert_eq(st, -ECANCELED);
	for (uint64_t i = 0; i < PAGE / 4; i++)
		igt_assert_f(cpu[i] == 0 || cpu[i] == 0x55,
			     "word %llu is 0x%x: the FILL ran\n",
			     (unsigned long long)i, cpu[i]);
	munmap(cpu, PAGE);
	vsvm_gem_close(fd, h);
	drmSyncobjDestroy(fd, out);
}

/*
 * A job of hours in one VM: another client's job on the same device still
 * runs (the engine gives each job a time slice), and a bind of the busy VM
 * itself goes through between slices; destroying the VM then stops it.
 */
static void test_long_job_shares(int fd)
{
	uint32_t vm = vsvm_vm_create(fd, 0), vm2, h, h2, h3, out, out2;
	struct drm_vsvm_cmd rnd = vsvm_cmd_random(BO_VA, PAGE, LONG_COUNT, 1,
						  0x55);
	struct drm_vsvm_cmd fill = vsvm_cmd_fill(BO_VA, PAGE, 0x77);
	int fd2 = drm_open_driver_render(DRIVER_VSVM);
	uint32_t *cpu, *cpu2;
	int64_t t0;
	int st;

	h = bound_bo(fd, vm, PAGE, DRM_VSVM_PL_SYSTEM, &cpu);
	igt_assert_eq(drmSyncobjCreate(fd, 0, &out), 0);
	vsvm_exec(fd, vm, &rnd, 1, NULL, 0, out);
	wait_started(cpu, PAGE / 4);

	vm2 = vsvm_vm_create(fd2, 0);
	h2 = bound_bo(fd2, vm2, PAGE, DRM_VSVM_PL_SYSTEM, &cpu2);
	igt_assert_eq(drmSyncobjCreate(fd2, 0, &out2), 0);
	t0 = now_ms();
	vsvm_exec(fd2, vm2, &fill, 1, NULL, 0, out2);
	igt_assert_f(drmSyncobjWait(fd2, &out2, 1,
				    (t0 + TEARDOWN_MS) * 1000000ll, 0,
				    NULL) == 0,
		     "another client's job waited %d ms behind the long job\n",
		     TEARDOWN_MS);
	igt_assert_eq(vsvm_syncobj_status(fd2, out2), 1);
	igt_assert_eq_u32(cpu2[PAGE / 4 - 1], 0x77);
	igt_info("other client's job done in %lld ms\n",
		 (long long)(now_ms() - t0));

	h3 = vsvm_gem_create(fd, PAGE, ALL_PL, DRM_VSVM_PL_SYSTEM, 0);
	t0 = now_ms();
	igt_assert_eq(__vsvm_vm_bind(fd, vm, DRM_VSVM_VM_BIND_OP_MAP, 0, h3,
				     BO_VA + PAGE, PAGE, 0), 0);
	igt_assert_f(now_ms() - t0 < TEARDOWN_MS,
		     "bind of the busy VM took %lld ms\n",
		     (long long)(now_ms() - t0));
	igt_assert_eq(vsvm_syncobj_status(fd, out), 0);	/* still running */

	destroy_bounded(fd, vm, -1);
	wait_signalled(fd, &out, 1, &st);
	igt_assert_eq(st, -ECANCELED);
	munmap(cpu, PAGE);
	munmap(cpu2, PAGE);
	vsvm_gem_close(fd, h);
	vsvm_gem_close(fd, h3);
	drmSyncobjDestroy(fd, out);
	vsvm_vm_destroy(fd2, vm2);
	vsvm_gem_close(fd2, h2);
	close(fd2);
}

/*
 * Child of kill-pending: a job held by @timeline's fence (which the parent
 * keeps unsignalled) and/or a job of hours, then SIGKILL (@how 0), exit
 * (1) or close() (2, timed: exit status 3 if it took too long).
 */
static int pending_child(int timeline, int what, int how, int ready)
{
	int cfd = drm_open_render_by_name("vsvm");
	struct drm_vsvm_cmd fill = vsvm_cmd_fill(BO_VA, PAGE, 0x77);
	struct drm_vsvm_cmd rnd = vsvm_cmd_random(BO_VA, PAGE, LONG_COUNT,
						  1, 0x55);
	uint32_t vm[2], h, in;
	int64_t t0;
	bool ok;

	/*
	 * Two VMs: an exec waits (interruptibly) for the VM's lock while a
	 * job of that VM runs.
	 */
	ok = cfd >= 0 && !__vsvm_vm_create(cfd, 0, &vm[0]) &&
	     !__vsvm_vm_create(cfd, 0, &vm[1]) &&
	     !__vsvm_gem_create(cfd, PAGE, ALL_PL, DRM_VSVM_PL_SYSTEM, 0, 0,
				&h) &&
	     !__vsvm_vm_bind(cfd, vm[0], DRM_VSVM_VM_BIND_OP_MAP, 0, h, BO_VA,
			     PAGE, 0) &&
	     !__vsvm_vm_bind(cfd, vm[1], DRM_VSVM_VM_BIND_OP_MAP, 0, h, BO_VA,
			     PAGE, 0);
	if (ok) {
		in = vsvm_syncobj_from_timeline(cfd, timeline, 1);
		ok = !((what & 2) &&
		       __vsvm_exec(cfd, vm[1], &fill, 1, &in, 1, 0, NULL)) &&
		     !((what & 1) &&
		       __vsvm_exec(cfd, vm[0], &rnd, 1, NULL, 0, 0, NULL));
	}
	/* The parent waits for one byte per child, whatever happened. */
	if (write(ready, ok ? "r" : "f", 1) != 1 || !ok)
		return 1;
	if (how == 0)
		pause();
	if (how == 2) {
		t0 = now_ms();
		close(cfd);
		if (now_ms() - t0 > TEARDOWN_MS)
			return 3;
	}
	return 0;
}

/*
 * Processes with jobs that cannot complete (held by a fence another
 * process never signals, or running for hours) exit promptly when killed,
 * when exiting, and when closing the file.
 */
static void test_kill_pending(void)
{
	int timeline = vsvm_timeline_hold();
	int pipefd[2], status, n = 0;
	pid_t pid[9];
	int64_t deadline;
	char c;

	igt_assert_eq(pipe(pipefd), 0);
	for (int what = 1; what <= 3; what++)
		for (int how = 0; how < 3; how++) {
			pid[n] = fork();
			igt_assert(pid[n] >= 0);
			if (!pid[n])
				_exit(pending_child(timeline, what, how,
						    pipefd[1]));
			igt_assert_eq(read(pipefd[0], &c, 1), 1);
			if (how == 0) {
				usleep(100000);
				kill(pid[n], SIGKILL);
			}
			n++;
		}
	deadline = now_ms() + 2 * TEARDOWN_MS;
	for (int i = 0; i < n; i++) {
		pid_t ret;

		while (!(ret = waitpid(pid[i], &status, WNOHANG)) &&
		       now_ms() < deadline)
			usleep(10000);
		if (ret != pid[i])
			sw_sync_timeline_inc(timeline, 1);	/* lets the old code go */
		igt_assert_f(ret == pid[i], "child %d (jobs %d, %s) did not exit within %d ms\n",
			     i, i / 3 + 1, (const char *[]){ "killed", "exit", "close" }[i % 3],
			     2 * TEARDOWN_MS);
		if (i % 3 == 0)
			igt_assert(WIFSIGNALED(status) &&
				   WTERMSIG(status) == SIGKILL);
		else
			igt_assert_f(WIFEXITED(status) && !WEXITSTATUS(status),
				     "child %d: status 0x%x\n", i, status);
	}
	sw_sync_timeline_inc(timeline, 1);
	vsvm_timeline_release(timeline);
	close(pipefd[0]);
	close(pipefd[1]);
}

/* Child of close-busy: queue jobs, then exit or die with them in flight. */
static int close_busy_child(bool killed)
{
	int cfd = drm_open_render_by_name("vsvm");
	uint64_t size = 16 * MiB;
	uint32_t *x = mmap(NULL, size, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct drm_vsvm_cmd c = vsvm_cmd_fill(x, size, 1);
	uint32_t vm, bvm, h;

	if (cfd < 0 || x == MAP_FAILED ||
	    __vsvm_vm_create(cfd, DRM_VSVM_VM_CREATE_FAULT_MODE, &vm) ||
	    __vsvm_vm_create(cfd, 0, &bvm) ||
	    __vsvm_gem_create(cfd, 4 * MiB, ALL_PL, DRM_VSVM_PL_VRAM, 0, 0, &h) ||
	    __vsvm_vm_bind(cfd, bvm, DRM_VSVM_VM_BIND_OP_MAP, 0, h, BO_VA,
			   4 * MiB, 0) ||
	    __vsvm_exec(cfd, vm, &c, 1, NULL, 0, 0, NULL))
		return 1;
	c = vsvm_cmd_fill(BO_VA, 4 * MiB, 2);
	if (__vsvm_exec(cfd, bvm, &c, 1, NULL, 0, 0, NULL))
		return 1;
	if (killed)
		kill(getpid(), SIGKILL);
	return 0;
}

static void test_close_busy(void)
{
	pid_t pid[4];
	int status;

	for (int i = 0; i < 4; i++) {
		pid[i] = fork();
		igt_assert(pid[i] >= 0);
		if (!pid[i])
			_exit(close_busy_child(i & 1));
	}
	for (int i = 0; i < 4; i++) {
		igt_assert_eq(waitpid(pid[i], &status, 0), pid[i]);
		if (i & 1)
			igt_assert(WIFSIGNALED(status) &&
				   WTERMSIG(status) == SIGKILL);
		else
			igt_assert(WIFEXITED(status) && !WEXITSTATUS(status));
	}
}

/* Child of close-prefetches: queue many migrations, then close (timed). */
static int prefetch_child(int n)
{
	int cfd = drm_open_render_by_name("vsvm");
	uint64_t size = 32 * MiB;
	uint8_t *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int64_t t0, ms;

	if (cfd < 0 || p == MAP_FAILED)
		return 1;
	memset(p, 1, size);
	for (int i = 0; i < n; i++) {
		struct drm_vsvm_svm_prefetch a = {
			.addr = (uintptr_t)p, .size = size,
			.target = i & 1 ? DRM_VSVM_SVM_TARGET_SYSTEM :
					  DRM_VSVM_SVM_TARGET_DEVICE,
		};

		if (__vsvm_ioctl(cfd, DRM_IOCTL_VSVM_SVM_PREFETCH, &a))
			return 2;
	}
	t0 = now_ms();
	close(cfd);
	ms = now_ms() - t0;
	printf("close() with %d prefetches queued: %lld ms\n", n,
	       (long long)ms);
	return ms > TEARDOWN_MS ? 3 : 0;
}

/*
 * Closing the file with many queued SVM prefetches (migrations of 32 MiB
 * back and forth) waits only for the one in flight.
 */
static void test_close_prefetches(void)
{
	int status;
	pid_t pid = fork();

	igt_assert(pid >= 0);
	if (!pid)
		_exit(prefetch_child(128));
	igt_assert_eq(waitpid(pid, &status, 0), pid);
	igt_assert_f(WIFEXITED(status) && WEXITSTATUS(status) != 3,
		     "close() took more than %d ms\n", TEARDOWN_MS);
	igt_assert_f(WIFEXITED(status) && !WEXITSTATUS(status),
		     "child status 0x%x\n", status);
}

struct race {
	int fd;
	uint32_t vm, handle;
	uint32_t *mem;
	int bad;
	unsigned long execs, binds;
};

static void *race_exec(void *arg)
{
	struct race *r = arg;
	struct drm_vsvm_cmd c = vsvm_cmd_fill(r->mem, PAGE, 5);

	for (;;) {
		int ret = __vsvm_exec(r->fd, r->vm, &c, 1, NULL, 0, 0, NULL);

		if (ret == -ENOENT)
			break;
		if (ret)
			r->bad = ret;
		r->execs++;
	}
	return NULL;
}

static void *race_bind(void *arg)
{
	struct race *r = arg;

	for (uint64_t i = 0;; i++) {
		int ret = __vsvm_vm_bind(r->fd, r->vm, i & 1 ?
					 DRM_VSVM_VM_BIND_OP_UNMAP :
					 DRM_VSVM_VM_BIND_OP_MAP, 0,
					 i & 1 ? 0 : r->handle, BO_VA, PAGE, 0);

		if (ret == -ENOENT)
			break;
		if (ret)
			r->bad = ret;
		r->binds++;
	}
	return NULL;
}

/* Execs and binds racing VM_DESTROY: -ENOENT once it is gone, no leak. */
static void test_destroy_race(int fd)
{
	uint32_t h = vsvm_gem_create(fd, PAGE, ALL_PL, DRM_VSVM_PL_SYSTEM, 0);
	uint32_t *mem = map_anon(PAGE);
	unsigned long execs = 0;

	for (int i = 0; i < 8; i++) {
		struct race r = {
			.fd = fd, .handle = h, .mem = mem,
			.vm = vsvm_vm_create(fd, DRM_VSVM_VM_CREATE_FAULT_MODE),
		};
		pthread_t te, tb;

		igt_assert_eq(pthread_create(&te, NULL, race_exec, &r), 0);
		igt_assert_eq(pthread_create(&tb, NULL, race_bind, &r), 0);
		usleep(2000 * i);
		vsvm_vm_destroy(fd, r.vm);
		pthread_join(te, NULL);
		pthread_join(tb, NULL);
		igt_assert_eq(r.bad, 0);
		igt_debug("%lu execs, %lu binds\n", r.execs, r.binds);
		execs += r.execs;
		/* Accepted execs ran or were cancelled: none runs now. */
		memset(mem, 0, PAGE);
		assert_quiet(mem, PAGE);
		assert_words(mem, PAGE / 4, 0, "after destroy");
	}
	igt_debug("%lu execs in all\n", execs);
	munmap(mem, PAGE);
	vsvm_gem_close(fd, h);
}

/* Set the vsvm module parameter @name (root only) to @v; the old value. */
static unsigned int set_param(const char *name, unsigned int v)
{
	char path[128];
	unsigned int old = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/vsvm/parameters/%s", name);
	f = fopen(path, "r+");
	igt_require_f(f, "no vsvm %s parameter\n", name);
	igt_assert_eq(fscanf(f, "%u", &old), 1);
	rewind(f);
	igt_assert(fprintf(f, "%u\n", v) > 0);
	igt_assert_eq(fclose(f), 0);
	return old;
}

static void pick_delay_reset(int sig)
{
	FILE *f = fopen("/sys/module/vsvm/parameters/sched_pick_delay_ms", "w");

	if (f) {
		fputs("0\n", f);
		fclose(f);
	}
}

/*
 * VM_DESTROY while the scheduler has picked the VM's queue but not yet
 * taken its job (the module's test delay holds it in that window), with
 * more jobs queued behind it: the queue must leave the scheduler for good.
 * It used to be put back when the job was taken, and the freed VM stayed
 * in the scheduler's tree: KASAN use-after-free at the next exec of any
 * VM, a hang or a crash without KASAN.
 */
static void test_destroy_picked(int fd)
{
	uint32_t *x = map_anon(PAGE);
	struct drm_vsvm_cmd c = vsvm_cmd_fill(x, PAGE, 0x5a);

	igt_install_exit_handler(pick_delay_reset);
	set_param("sched_pick_delay_ms", 300);
	for (int i = 0; i < 3; i++) {
		uint32_t vm = vsvm_vm_create(fd, DRM_VSVM_VM_CREATE_FAULT_MODE);
		uint32_t out[3];
		int st[3];

		exec_each(fd, vm, &c, out, 3);
		usleep(100000);
		vsvm_vm_destroy(fd, vm);
		wait_destroyed(fd, out, 3, st);
	}
	set_param("sched_pick_delay_ms", 0);
	/* The destroyed VMs are freed; the scheduler runs other VMs. */
	usleep(200000);
	for (uint32_t i = 1; i <= 4; i++) {
		uint32_t vm = vsvm_vm_create(fd, DRM_VSVM_VM_CREATE_FAULT_MODE);

		c = vsvm_cmd_fill(x, PAGE, i);
		assert_ok(fd, vm, &c, 1);
		assert_words(x, PAGE / 4, i, "after destroy-picked");
		vsvm_vm_destroy(fd, vm);
	}
	munmap(x, PAGE);
}

static void test_other_process(int fd)
{
	uint32_t vm = vsvm_vm_create(fd, DRM_VSVM_VM_CREATE_FAULT_MODE);
	uint32_t *x = map_anon(PAGE);
	struct drm_vsvm_cmd c = vsvm_cmd_fill(x, PAGE, 1);

	igt_fork(child, 1) {
		/* Same address in another address space: not this VM's. */
		igt_assert_eq(__vsvm_exec(fd, vm, &c, 1, NULL, 0, 0, NULL), -EINVAL);
		igt_assert_eq(__vsvm_vm_create(fd, DRM_VSVM_VM_CREATE_FAULT_MODE,
					       &(uint32_t){0}), -EINVAL);
	}
	igt_waitchildren();
	assert_ok(fd, vm, &c, 1);
	assert_words(x, PAGE / 4, 1, "parent");
	vsvm_vm_destroy(fd, vm);
	munmap(x, PAGE);
}

static int set_lookahead(unsigned int v)
{
	return set_param("fault_lookahead", v);
}

/* Device-fault throughput with and without batching; reported. */
static void test_fault_rate(int fd)
{
	uint64_t size = 8 * MiB, pages = size / PAGE;
	static const unsigned int lookahead[] = { 512, 0 };
	unsigned int old = set_lookahead(512);
	double rate[2];

	for (int i = 0; i < 2; i++) {
		uint32_t vm = vsvm_vm_create(fd, DRM_VSVM_VM_CREATE_FAULT_MODE);
		uint32_t *mem = map_anon(size);
		struct drm_vsvm_cmd c = vsvm_cmd_fill(mem, size, i);
		struct drm_vsvm_vm_query q;
		struct timespec t0 = {};
		double s;

		set_lookahead(lookahead[i]);
		igt_gettime(&t0);
		assert_ok(fd, vm, &c, 1);
		s = igt_nsec_elapsed(&t0) / 1e9;
		assert_words(mem, size / 4, i, "fill");
		vsvm_vm_query(fd, vm, &q);
		rate[i] = pages / s;
		igt_info("lookahead %u: %llu pages in %.3f s: %llu faults (%.0f/s), %llu batches (%.0f/s), %llu ranges, %.0f pages/s, %.1f MiB/s\n",
			 lookahead[i], (unsigned long long)pages, s,
			 (unsigned long long)q.faults, q.faults / s,
			 (unsigned long long)q.fault_batches, q.fault_batches / s,
			 (unsigned long long)q.fault_ranges, pages / s,
			 size / s / MiB);
		if (!lookahead[i])
			igt_assert_eq_u64(q.fault_batches, q.faults);
		else
			igt_assert_lte_u64(q.fault_batches * 64, q.faults);
		munmap(mem, size);
		vsvm_vm_destroy(fd, vm);
	}
	set_lookahead(old);
	igt_info("batching speed-up: %.2fx\n", rate[0] / rate[1]);
}

static void test_debugfs(int fd)
{
	uint32_t vm = vsvm_vm_create(fd, DRM_VSVM_VM_CREATE_FAULT_MODE);
	uint32_t *x = map_anon(MiB);
	struct drm_vsvm_cmd c = vsvm_cmd_fill(x, MiB, 1);
	struct drm_vsvm_vm_query q;
	char line[512], want[128];
	bool found = false;
	glob_t g;

	assert_ok(fd, vm, &c, 1);
	vsvm_vm_query(fd, vm, &q);
	igt_require_f(access("/sys/kernel/debug/dri", R_OK) == 0,
		      "debugfs not mounted\n");
	igt_assert_eq(glob("/sys/kernel/debug/dri/*/vsvm_vms", 0, NULL, &g), 0);
	snprintf(want, sizeof(want), "pid %d vm %u fault-mode: completed 1 failed 0 faults %llu batches %llu ",
		 getpid(), vm, (unsigned long long)q.faults,
		 (unsigned long long)q.fault_batches);
	for (size_t i = 0; i < g.gl_pathc; i++) {
		FILE *f = fopen(g.gl_pathv[i], "r");

		igt_assert(f);
		while (fgets(line, sizeof(line), f))
			found |= !strncmp(line, want, strlen(want));
		fclose(f);
	}
	globfree(&g);
	igt_assert_f(found, "no line \"%s\" in vsvm_vms\n", want);
	vsvm_vm_destroy(fd, vm);
	munmap(x, MiB);
}

int igt_main()
{
	int fd = -1;

	igt_fixture() {
		fd = drm_open_driver_render(DRIVER_VSVM);
	}

	igt_describe("Create, query and destroy VMs in both modes.");
	igt_subtest("vm-basic")
		test_vm_basic(fd);

	igt_describe("VM create/destroy/query reject unknown flags, pad and ids.");
	igt_subtest("bad-vm")
		test_bad_vm(fd);

	igt_describe("VM bind rejects every malformed request.");
	igt_subtest("bad-bind")
		test_bad_bind(fd);

	igt_describe("Exec rejects every malformed command buffer and argument.");
	igt_subtest("bad-exec")
		test_bad_exec(fd);

	igt_describe("Each allocation of an exec fails in turn: clean -ENOMEM, no oops, the engine still works.");
	igt_subtest("exec-alloc-failures")
		test_exec_alloc_failures(fd);

	igt_describe("Every command on a bound object in each placement, checked against the CPU, before and after migrating the object.");
	igt_subtest_with_dynamic("bo-commands") {
		static const char *const names[] = { "system", "gtt", "vram" };

		for (uint32_t pl = 0; pl < 3; pl++)
			igt_dynamic(names[pl])
				test_bo_commands(fd, pl);
	}

	igt_describe("Partial unmap splits a mapping; a job stops at the hole with -EFAULT; aliases and closed handles.");
	igt_subtest("bind-unmap")
		test_bind_unmap(fd);

	igt_describe("Writes and atomics through a read-only binding fail with -EPERM and change nothing.");
	igt_subtest("bind-readonly")
		test_bind_readonly(fd);

	igt_describe("Bind-mode CPU mirror ranges: reachable inside, -EFAULT outside, read-only, unbind.");
	igt_subtest("bind-mirror")
		test_mirror_bind(fd);

	igt_describe("Fault-mode jobs hitting holes, NULL, PROT_NONE and read-only memory fail with the right error and address.");
	igt_subtest("fault-errors")
		test_fault_errors(fd);

	igt_describe("Device faults are counted, batched and merged into ranges.");
	igt_subtest("fault-batching")
		test_fault_batching(fd);

	igt_describe("Jobs replayed after faults apply ADD and ATOMIC_INC exactly once.");
	igt_subtest("replay-exactly-once")
		test_replay_exactly_once(fd);

	igt_describe("In-syncobjs order jobs across VMs, execs of one VM run in order, out-syncobjs signal.");
	igt_subtest("syncobj-order")
		test_syncobj_order(fd);

	igt_describe("Destroying a VM cancels its jobs: each completed or failed with -ECANCELED/-ESRCH, none runs afterwards.");
	igt_subtest("destroy-busy")
		test_destroy_busy(fd);

	igt_describe("VM_DESTROY with jobs held by an in-fence nobody signals returns at once; the jobs never run and fail with -ESRCH.");
	igt_subtest("destroy-in-fence")
		test_destroy_in_fence(fd);

	igt_describe("VM_DESTROY stops a job of hours at its next piece (-ECANCELED), its next command never runs.");
	igt_subtest("destroy-long-job")
		test_destroy_long_job(fd);

	igt_describe("A job of hours shares the engine: another client's job runs and the busy VM's binds go through.");
	igt_subtest("long-job-shares")
		test_long_job_shares(fd);

	igt_describe("Processes with held or endless jobs exit promptly when killed, exiting or closing the file.");
	igt_subtest("kill-pending")
		test_kill_pending();

	igt_describe("close() with many SVM prefetches queued waits only for the one in flight.");
	igt_subtest("close-prefetches")
		test_close_prefetches();

	igt_describe("Processes exiting or killed with jobs in flight.");
	igt_subtest("close-busy")
		test_close_busy();

	igt_describe("Execs and binds racing the VM's destruction fail cleanly with -ENOENT; nothing runs after it.");
	igt_subtest("destroy-race")
		test_destroy_race(fd);

	igt_describe("VM_DESTROY between the scheduler picking the VM's queue and taking its job: the queue leaves the scheduler, other VMs' jobs run.");
	igt_subtest("destroy-picked")
		test_destroy_picked(fd);

	igt_describe("Another process cannot run jobs in a VM it did not create.");
	igt_subtest("other-process")
		test_other_process(fd);

	igt_describe("Measures device-fault throughput with batching (lookahead) and without.");
	igt_subtest("fault-rate")
		test_fault_rate(fd);

	igt_describe("debugfs vsvm_vms shows the VM's counters.");
	igt_subtest("debugfs")
		test_debugfs(fd);

	igt_fixture() {
		close(fd);
	}
}
