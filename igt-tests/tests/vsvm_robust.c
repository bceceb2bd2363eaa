// SPDX-License-Identifier: MIT
/*
 * Copyright © 2026 The drm-svm authors
 */

/**
 * TEST: vsvm robust
 * Description: Hostile clients. Each allocation of every allocating path
 *              (ioctls, CPU faults, PRIME) fails in turn (fail-nth, slab
 *              and page allocator separately): the call fails cleanly or
 *              falls back, data stays intact byte for byte and nothing
 *              leaks. Clients killed at random points leave no device
 *              memory behind and the module still unloads. Clients cannot
 *              reach each other's handles, VMs, syncobjs, address spaces
 *              or memory, and fresh device memory never shows a previous
 *              owner's bytes.
 * Category: Core
 * Mega feature: drm-svm
 * Sub-category: Security
 */

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <xf86drm.h>

#include "igt.h"
#include "igt_vsvm.h"

#define KiB 1024ull
#define MiB (1024 * KiB)
#define PAGE (4 * KiB)
#define PLM(pl) DRM_VSVM_PL_MASK(DRM_VSVM_PL_##pl)
#define ALL_PL (PLM(SYSTEM) | PLM(GTT) | PLM(VRAM))
/* GPU addresses of bind-mode VMs: far from anything mmap returns. */
#define GPU_VA 0x200000000000ull
#define GPU_VA_RESULT (GPU_VA + 0x40000000ull)

/* Render nodes of the vsvm devices (at most two are used). */
static char dev_path[2][32];
static int num_devs;

/* ---- data patterns ---------------------------------------------------- */

/* VSVM_ROBUST_SEED=N repeats a run's patterns and kill schedule. */
static uint32_t robust_seed(void)
{
	static uint32_t seed;
	const char *env = getenv("VSVM_ROBUST_SEED");

	if (!seed) {
		seed = env ? (uint32_t)strtoul(env, NULL, 0) :
			(uint32_t)time(NULL);
		igt_info("VSVM_ROBUST_SEED=%u\n", seed);
	}
	return seed;
}

/* Word @i of the pattern of @seed: never zero, differs per word and seed. */
static uint32_t word_of(uint32_t seed, uint64_t i)
{
	uint64_t x = (i << 32 | seed) + 0x632be59bd9b4e019ull;

	x ^= x >> 31;
	x *= 0xd6e8feb86659fd93ull;
	x ^= x >> 32;
	return (uint32_t)x | 1;
}

static void pattern_fill(uint32_t *p, uint64_t bytes, uint32_t seed)
{
	for (uint64_t i = 0; i < bytes / 4; i++)
		p[i] = word_of(seed, i);
}

/* @p must hold the pattern of @seed from word @first on. */
static void pattern_assert(const uint32_t *p, uint64_t bytes, uint32_t seed,
			   uint64_t first, const char *what)
{
	for (uint64_t i = 0; i < bytes / 4; i++) {
		uint32_t want = word_of(seed, first + i);

		igt_assert_f(p[i] == want,
			     "%s: byte %llu is 0x%08x, expected 0x%08x\n", what,
			     (unsigned long long)(i * 4), p[i], want);
	}
}

static void words_assert(const uint32_t *p, uint64_t bytes, uint32_t value,
			 const char *what)
{
	for (uint64_t i = 0; i < bytes / 4; i++)
		igt_assert_f(p[i] == value,
			     "%s: byte %llu is 0x%08x, expected 0x%08x\n", what,
			     (unsigned long long)(i * 4), p[i], value);
}

static void *anon_map(uint64_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	igt_assert(p != MAP_FAILED);
	/* 4 KiB pages: migrations then behave the same on every kernel */
	igt_assert_eq(madvise(p, size, MADV_NOHUGEPAGE), 0);
	return p;
}

/* ---- devices and their accounting ------------------------------------- */

static void find_devices(void)
{
	char path[32];

	num_devs = 0;
	for (int minor = 128; minor < 192 && num_devs < 2; minor++) {
		int fd;

		snprintf(path, sizeof(path), "/dev/dri/renderD%d", minor);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (is_vsvm_device(fd))
			memcpy(dev_path[num_devs++], path, sizeof(path));
		close(fd);
	}
}

static int open_dev(int nth)
{
	int fd;

	igt_require_f(nth < num_devs, "needs %d vsvm devices (num_devices=%d)\n",
		      nth + 1, nth + 1);
	fd = open(dev_path[nth], O_RDWR | O_CLOEXEC);
	igt_assert_fd(fd);
	return fd;
}

/* "key: value" from the device's debugfs vsvm_info. */
static int64_t info_value(int fd, const char *key)
{
	size_t klen = strlen(key);
	char path[96], line[160];
	int64_t value = -1;
	struct stat st;
	FILE *f;

	igt_assert_eq(fstat(fd, &st), 0);
	snprintf(path, sizeof(path), "/sys/kernel/debug/dri/%u/vsvm_info",
		 minor(st.st_rdev));
	f = fopen(path, "r");
	igt_require_f(f, "no %s (debugfs)\n", path);
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, klen) && line[klen] == ':')
			value = strtoll(line + klen + 1, NULL, 10);
	fclose(f);
	igt_assert_f(value >= 0, "no \"%s\" in %s\n", key, path);
	return value;
}

struct acct {
	int64_t vram, gtt, system, devpriv;
};

static struct acct acct_read(int fd)
{
	struct acct a = {
		.vram = info_value(fd, "vram used"),
		.gtt = info_value(fd, "gtt used"),
		.system = info_value(fd, "system used"),
		.devpriv = info_value(fd, "device private pages"),
	};

	return a;
}

/*
 * VRAM, GTT, system memory and device-private page accounting is back to
 * @base; frees are deferred (fences, workers), so poll for up to 20 s.
 */
static void acct_assert(int fd, const struct acct *base, const char *what)
{
	struct acct now = acct_read(fd);

	for (int i = 0; i < 400; i++) {
		if (!memcmp(&now, base, sizeof(now)))
			return;
		usleep(50 * 1000);
		now = acct_read(fd);
	}
	igt_assert_f(0, "%s: vram used %lld (was %lld), gtt used %lld (was %lld), system used %lld (was %lld), device private pages %lld (was %lld)\n",
		     what, (long long)now.vram, (long long)base->vram,
		     (long long)now.gtt, (long long)base->gtt,
		     (long long)now.system, (long long)base->system,
		     (long long)now.devpriv, (long long)base->devpriv);
}

/* Raw ioctl, not restarted: 0 or -errno as the call returned it. */
static int raw_ioctl(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) ? -errno : 0;
}

static bool clean_error(int ret)
{
	return ret == -ENOMEM || ret == -ENOSPC || ret == -EINTR;
}

/* ---- fault injection (fail-nth) ---------------------------------------- */

enum fi_kind { FI_SLAB, FI_PAGE, FI_KINDS };
static const char *const fi_name[FI_KINDS] = { "slab", "page" };

#define FS_DIR "/sys/kernel/debug/failslab/"
#define FP_DIR "/sys/kernel/debug/fail_page_alloc/"

/*
 * Knob values per sweep. A slab sweep fails any slab allocation, sleeping
 * ones included, and no page allocation (min-order above any order); a page
 * sweep fails any page allocation of any order, sleeping and highmem ones
 * included, and no slab allocation (cache-filter on, no cache marked).
 */
static struct fi_knob {
	const char *file;
	const char *value[FI_KINDS];
	char saved[32];
} fi_knobs[] = {
	{ FS_DIR "ignore-gfp-wait", { "N", "Y" } },
	{ FS_DIR "cache-filter", { "N", "Y" } },
	{ FS_DIR "verbose", { "0", "0" } },
	{ FP_DIR "ignore-gfp-wait", { "Y", "N" } },
	{ FP_DIR "ignore-gfp-highmem", { "Y", "N" } },
	{ FP_DIR "min-order", { "100", "0" } },
	{ FP_DIR "verbose", { "0", "0" } },
};
static int fi_nth_fd = -1;
static bool fi_active;

static void knob_write(const char *file, const char *value)
{
	int fd = open(file, O_WRONLY);

	igt_assert_f(fd >= 0, "%s: %m\n", file);
	igt_assert(write(fd, value, strlen(value)) == (ssize_t)strlen(value));
	close(fd);
}

static void knob_read(const char *file, char *buf, size_t len)
{
	int fd = open(file, O_RDONLY);
	ssize_t n;

	igt_assert_f(fd >= 0, "%s: %m\n", file);
	n = read(fd, buf, len - 1);
	close(fd);
	igt_assert(n > 0);
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
}

static void fi_restore(int sig)
{
	(void)sig;
	if (!fi_active)
		return;
	fi_active = false;
	if (fi_nth_fd >= 0 && pwrite(fi_nth_fd, "0", 1, 0) < 0)
		igt_warn("cannot disarm fail-nth\n");
	for (size_t i = 0; i < ARRAY_SIZE(fi_knobs); i++)
		knob_write(fi_knobs[i].file, fi_knobs[i].saved);
}

static void fi_setup(enum fi_kind kind)
{
	const char *verbose = getenv("VSVM_ROBUST_FI_VERBOSE");

	igt_require_f(access(FS_DIR "ignore-gfp-wait", W_OK) == 0 &&
		      access(FP_DIR "min-order", W_OK) == 0,
		      "no failslab/fail_page_alloc in this kernel\n");
	if (fi_nth_fd < 0)
		fi_nth_fd = open("/proc/thread-self/fail-nth", O_RDWR);
	igt_require_f(fi_nth_fd >= 0, "no fail-nth in this kernel\n");
	for (size_t i = 0; i < ARRAY_SIZE(fi_knobs); i++)
		knob_read(fi_knobs[i].file, fi_knobs[i].saved,
			  sizeof(fi_knobs[i].saved));
	fi_active = true;
	igt_install_exit_handler(fi_restore);
	for (size_t i = 0; i < ARRAY_SIZE(fi_knobs); i++)
		knob_write(fi_knobs[i].file,
			   verbose && strstr(fi_knobs[i].file, "verbose") ?
			   verbose : fi_knobs[i].value[kind]);
}

/* The @n-th fault-injection point of this thread from now on fails. */
static void fi_arm(int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%d", n);

	igt_assert(pwrite(fi_nth_fd, buf, len, 0) == len);
}

/* Disarm; returns whether the failure was injected. */
static bool fi_disarm(void)
{
	char buf[16] = "";

	igt_assert(pread(fi_nth_fd, buf, sizeof(buf) - 1, 0) > 0);
	igt_assert(pwrite(fi_nth_fd, "0", 1, 0) == 1);
	return atoi(buf) == 0;
}

/* ---- CPU touches that may raise SIGBUS --------------------------------- */

static sigjmp_buf bus_env;

static void bus_handler(int sig)
{
	(void)sig;
	siglongjmp(bus_env, 1);
}

static void bus_catch(bool on)
{
	struct sigaction sa = { .sa_handler = on ? bus_handler : SIG_DFL };

	sigemptyset(&sa.sa_mask);
	igt_assert_eq(sigaction(SIGBUS, &sa, NULL), 0);
}

/* What a CPU touch can end in besides success (not errno values). */
#define TOUCH_SIGBUS	(-1000)
#define TOUCH_BAD_DATA	(-1001)

static const char *result_name(int ret)
{
	return ret == TOUCH_SIGBUS ? "SIGBUS on a CPU touch" :
		ret == TOUCH_BAD_DATA ? "a CPU touch read wrong data" :
		strerror(-ret);
}

/* Read a word through a mapping: 0, or TOUCH_SIGBUS. */
static int touch_read(volatile uint32_t *p, uint32_t *value)
{
	if (sigsetjmp(bus_env, 1))
		return TOUCH_SIGBUS;
	*value = *p;
	return 0;
}

static int touch_write(volatile uint32_t *p, uint32_t value)
{
	if (sigsetjmp(bus_env, 1))
		return TOUCH_SIGBUS;
	*p = value;
	return 0;
}

/* ---- the sweep --------------------------------------------------------- */

struct sweep;

/*
 * One allocating path. @prepare runs before each attempt, @op is the call
 * under test (fail-nth armed: it must not allocate in user space or touch
 * memory that is not faulted in), @check verifies the data and the state
 * after it and frees what one attempt created.
 */
struct sweep_case {
	const char *name;
	int devices;			/* vsvm devices needed */
	uint32_t src, dst;		/* placements (GEM cases) */
	uint32_t flags;			/* case-specific */
	uint32_t create_flags;		/* of the GEM object */
	uint32_t shift;			/* its chunk shift (0: 64 KiB) */
	bool dma_map;			/* the call DMA-maps pages */
	void (*setup)(struct sweep *s);
	void (*prepare)(struct sweep *s);
	int (*op)(struct sweep *s);
	void (*check)(struct sweep *s, int ret);
	void (*teardown)(struct sweep *s);
};

struct sweep {
	const struct sweep_case *c;
	enum fi_kind kind;
	int fd, fd2;			/* first device; a second client */
	uint32_t bo, bo2, bo_res, handle2, vm, syncobj;
	uint64_t size;
	uint32_t seed;
	uint32_t *map, *map2;		/* CPU mappings of bo, bo2 */
	uint32_t *buf, *buf2;		/* anonymous memory */
	uint32_t *tmp;			/* read-back buffer, faulted in */
	int dmabuf;
	int64_t expect;
	uint64_t moved;
	bool clean;			/* the attempt ran without injection */
	bool final;			/* the last attempt of the sweep */
};

#define SWEEP_BO_SIZE	(256 * KiB)
#define SWEEP_BO_CHUNK	16		/* 64 KiB chunks: four per object */
#define SWEEP_MAX_N	400
#define SWEEP_MAX_S	120

struct sweep_stats {
	int injected, failed, fell_back;
};

/* Attempt @n (0: not armed); returns the call's result. */
static int sweep_attempt(struct sweep *s, int n, bool *injected)
{
	int ret;

	if (n)
		fi_arm(n);
	ret = s->c->op(s);
	*injected = n ? fi_disarm() : false;
	s->clean = !*injected;
	s->final = n && !*injected;
	igt_debug("%s: allocation %d %s: %d\n", s->c->name, n,
		  *injected ? "failed" : "did not fail", ret);
	igt_assert_f(ret == 0 || (*injected && clean_error(ret)),
		     "%s: allocation %d %s: %d (%s)\n", s->c->name, n,
		     *injected ? "failed" : "did not fail", ret, result_name(ret));
	return ret;
}

/* Fail allocation 1, 2, 3, ... of the call until it makes no more. */
static void sweep_loop(struct sweep *s, struct sweep_stats *st)
{
	struct timespec start = {};
	bool injected = true;
	int n, ret;

	igt_gettime(&start);
	for (n = 1; injected; n++) {
		igt_assert_f(n <= SWEEP_MAX_N && igt_seconds_elapsed(&start) < SWEEP_MAX_S,
			     "%s: allocation %d still fails the call after %u s\n",
			     s->c->name, n, igt_seconds_elapsed(&start));
		s->c->prepare(s);
		ret = sweep_attempt(s, n, &injected);
		st->injected += injected;
		st->failed += injected && ret;
		st->fell_back += injected && !ret;
		s->c->check(s, ret);
		if (!ret)
			continue;
		/* a clean retry after the failure must succeed */
		igt_assert_eq(sweep_attempt(s, 0, &injected), 0);
		injected = true;
		s->c->check(s, 0);
	}
}

/*
 * With DMA-API debugging on, a failure injected into its own bookkeeping
 * (a GFP_ATOMIC radix-tree node per mapped page) turns it off for the rest
 * of the boot with "DMA-API: cacheline tracking ENOMEM, dma-debug
 * disabled", which the CI kernel-log check counts as a failure.
 * VSVM_ROBUST_DMA_DEBUG=1 sweeps the DMA-mapping paths anyway.
 */
static bool dma_debug_active(void)
{
	char v[4] = "";
	int fd = open("/sys/kernel/debug/dma-api/disabled", O_RDONLY);

	if (fd < 0)
		return false;
	igt_assert(read(fd, v, sizeof(v) - 1) > 0);
	close(fd);
	return v[0] == 'N' && !getenv("VSVM_ROBUST_DMA_DEBUG");
}

/*
 * The sweep in progress. A failing dynamic subtest jumps out of it: the
 * next sweep (or the end of the subtest) lets go of what it held, so one
 * failure does not leave the device busy for the ones after it.
 */
static struct sweep sweep_state;
static int sweep_acct_fd[2] = { -1, -1 };

static void unmap_if(void *p, uint64_t size)
{
	if (p)
		munmap(p, size);
}

static void sweep_cleanup(void)
{
	struct sweep *s = &sweep_state;

	fi_restore(0);
	bus_catch(false);
	unmap_if(s->map, s->size);
	unmap_if(s->map2, SWEEP_BO_SIZE);
	unmap_if(s->buf, s->size);
	unmap_if(s->buf2, s->size);
	unmap_if(s->tmp, s->size);
	for (int i = 0; i < 2; i++)
		if (sweep_acct_fd[i] >= 0)
			close(sweep_acct_fd[i]);
	sweep_acct_fd[0] = sweep_acct_fd[1] = -1;
	if (s->dmabuf >= 0)
		close(s->dmabuf);
	if (s->fd >= 0)
		close(s->fd);
	if (s->fd2 >= 0)
		close(s->fd2);
	memset(s, 0, sizeof(*s));
	s->fd = s->fd2 = s->dmabuf = -1;
}

/* Accounting once deferred frees have settled (two equal reads). */
static struct acct acct_settled(int fd)
{
	struct acct a = acct_read(fd), b;

	for (int i = 0; i < 100; i++) {
		usleep(20 * 1000);
		b = acct_read(fd);
		if (!memcmp(&a, &b, sizeof(a)))
			break;
		a = b;
	}
	return a;
}

static void sweep_run(const struct sweep_case *c, enum fi_kind kind)
{
	struct sweep *s = &sweep_state;
	struct sweep_stats st = {};
	struct acct base[2];

	igt_require_f(!c->dma_map || !dma_debug_active(),
		      "DMA-API debugging is on: an injected failure would disable it (VSVM_ROBUST_DMA_DEBUG=1 sweeps anyway)\n");
	sweep_cleanup();
	for (int d = 0; d < c->devices; d++) {
		sweep_acct_fd[d] = open_dev(d);
		base[d] = acct_settled(sweep_acct_fd[d]);
	}
	s->c = c;
	s->kind = kind;
	s->seed = robust_seed() ^ (uint32_t)vsvm_fnv1a(c->name, strlen(c->name));
	s->fd = open_dev(0);
	c->setup(s);
	fi_setup(kind);
	sweep_loop(s, &st);
	fi_restore(0);
	c->teardown(s);
	s->map = s->map2 = s->buf = s->buf2 = s->tmp = NULL;
	for (int d = 0; d < c->devices; d++)
		acct_assert(sweep_acct_fd[d], &base[d], c->name);
	sweep_cleanup();
	igt_info("%s, %s: %d allocations failed in turn: %d calls failed cleanly, %d fell back and succeeded\n",
		 c->name, fi_name[kind], st.injected, st.failed, st.fell_back);
}

/* ---- GEM paths ---------------------------------------------------------- */

static void gem_placed(int fd, uint32_t h, uint32_t pl, bool visible,
		       const char *what)
{
	uint32_t place[64], flags[64];
	uint32_t n = vsvm_gem_placements(fd, h, place, flags, 64);

	for (uint32_t i = 0; i < n && i < 64; i++) {
		igt_assert_f(place[i] == pl && flags[i] & DRM_VSVM_CHUNK_POPULATED,
			     "%s: chunk %u in placement %u (flags 0x%x), expected %u\n",
			     what, i, place[i], flags[i], pl);
		igt_assert_f(!(flags[i] & DRM_VSVM_CHUNK_BUSY),
			     "%s: chunk %u still moving after a synchronous call\n",
			     what, i);
		igt_assert_f(!visible || flags[i] & DRM_VSVM_CHUNK_VISIBLE,
			     "%s: chunk %u not in visible VRAM\n", what, i);
	}
}

/* The object holds the pattern, for the device and through the mapping. */
static void gem_assert_data(struct sweep *s, const char *what)
{
	char msg[96];

	memset(s->tmp, 0, s->size);
	vsvm_gem_read(s->fd, s->bo, 0, s->tmp, s->size);
	snprintf(msg, sizeof(msg), "%s: device read after %s", s->c->name, what);
	pattern_assert(s->tmp, s->size, s->seed, 0, msg);
	snprintf(msg, sizeof(msg), "%s: CPU read after %s", s->c->name, what);
	pattern_assert(s->map, s->size, s->seed, 0, msg);
}

static uint32_t gem_new(int fd, uint64_t size, uint32_t preferred,
			uint32_t flags, uint32_t chunk_shift)
{
	uint32_t h = 0;

	igt_assert_eq(__vsvm_gem_create(fd, size, ALL_PL, preferred, flags,
					chunk_shift, &h), 0);
	return h;
}

static void gem_setup(struct sweep *s)
{
	uint32_t shift = s->c->shift ?: SWEEP_BO_CHUNK;

	/* two chunks of 2 MiB for the huge fault path */
	s->size = shift > 20 ? 2ull << shift : SWEEP_BO_SIZE;
	s->bo = gem_new(s->fd, s->size, DRM_VSVM_PL_SYSTEM, s->c->create_flags,
			shift);
	s->tmp = anon_map(s->size);
	pattern_fill(s->tmp, s->size, s->seed);
	vsvm_gem_write(s->fd, s->bo, 0, s->tmp, s->size);
	s->map = vsvm_gem_mmap(s->fd, s->bo, s->size);
	bus_catch(true);
}

static void gem_teardown(struct sweep *s)
{
	bus_catch(false);
	munmap(s->map, s->size);
	munmap(s->tmp, s->size);
	vsvm_gem_close(s->fd, s->bo);
}

static void nothing(struct sweep *s)
{
	(void)s;
}

/* GEM_CREATE: a new object that then works. */
static int gem_create_op(struct sweep *s)
{
	struct drm_vsvm_gem_create c = {
		.size = SWEEP_BO_SIZE, .placements = ALL_PL,
		.preferred = DRM_VSVM_PL_VRAM, .chunk_shift = SWEEP_BO_CHUNK,
	};
	int ret = raw_ioctl(s->fd, DRM_IOCTL_VSVM_GEM_CREATE, &c);

	s->bo2 = ret ? 0 : c.handle;
	return ret;
}

static void gem_create_check(struct sweep *s, int ret)
{
	if (ret)
		return;
	vsvm_gem_write(s->fd, s->bo2, 0, s->tmp, s->size);
	vsvm_gem_read(s->fd, s->bo2, 0, s->tmp, s->size);
	pattern_assert(s->tmp, s->size, s->seed, 0, "gem-create: new object");
	vsvm_gem_close(s->fd, s->bo2);
	gem_assert_data(s, "create");
}

/* First device access populates a fresh VRAM object (zeroed, then filled). */
static void gem_populate_prepare(struct sweep *s)
{
	s->bo2 = gem_new(s->fd, SWEEP_BO_SIZE, DRM_VSVM_PL_VRAM, 0,
			 SWEEP_BO_CHUNK);
}

static int gem_populate_op(struct sweep *s)
{
	struct drm_vsvm_gem_access a = {
		.handle = s->bo2, .op = DRM_VSVM_ACCESS_FILL,
		.size = SWEEP_BO_SIZE, .value = 0x5eed0001,
	};

	return raw_ioctl(s->fd, DRM_IOCTL_VSVM_GEM_ACCESS, &a);
}

/* Filled everywhere, or (the fill never ran) zero everywhere. */
static void gem_populate_check(struct sweep *s, int ret)
{
	memset(s->tmp, 0xff, SWEEP_BO_SIZE);
	vsvm_gem_read(s->fd, s->bo2, 0, s->tmp, SWEEP_BO_SIZE);
	words_assert(s->tmp, SWEEP_BO_SIZE, ret ? 0 : 0x5eed0001,
		     "gem-populate");
	if (!ret)
		vsvm_gem_close(s->fd, s->bo2);
	pattern_fill(s->tmp, s->size, s->seed);
}

/* GEM_MIGRATE from placement src to dst (flags: VISIBLE for dst VRAM). */
static void gem_migrate_prepare(struct sweep *s)
{
	vsvm_gem_migrate(s->fd, s->bo, s->c->src, 0, s->size);
}

static int gem_migrate_op(struct sweep *s)
{
	struct drm_vsvm_gem_migrate m = {
		.handle = s->bo, .placement = s->c->dst, .size = s->size,
		.flags = s->c->flags,
	};

	return raw_ioctl(s->fd, DRM_IOCTL_VSVM_GEM_MIGRATE, &m);
}

static void gem_migrate_check(struct sweep *s, int ret)
{
	if (!ret)
		gem_placed(s->fd, s->bo, s->c->dst,
			   s->c->flags & DRM_VSVM_MIGRATE_VISIBLE, s->c->name);
	gem_assert_data(s, ret ? "a failed migration" : "a migration");
}

/* A CPU touch of a chunk in VRAM moves it to system memory (fault path). */
static void gem_fault_prepare(struct sweep *s)
{
	vsvm_gem_migrate(s->fd, s->bo, DRM_VSVM_PL_VRAM, 0, s->size);
}

static int gem_fault_op(struct sweep *s)
{
	uint64_t word = s->size / 4 / 2 + 3;
	uint32_t v = 0;
	int ret = touch_read(s->map + word, &v);

	if (!ret && v != word_of(s->seed, word))
		ret = TOUCH_BAD_DATA;
	return ret;
}

/* The touch itself succeeded (sweep_attempt() checked). */
static void gem_fault_check(struct sweep *s, int ret)
{
	gem_assert_data(s, "a CPU fault");
}

/* The first CPU touch of a fresh VRAM object populates visible VRAM. */
static void gem_first_touch_prepare(struct sweep *s)
{
	gem_populate_prepare(s);
	s->map2 = vsvm_gem_mmap(s->fd, s->bo2, SWEEP_BO_SIZE);
}

static int gem_first_touch_op(struct sweep *s)
{
	return touch_write(s->map2 + 7, 0x5eed0002);
}

static void gem_first_touch_check(struct sweep *s, int ret)
{
	memset(s->tmp, 0xff, SWEEP_BO_SIZE);
	vsvm_gem_read(s->fd, s->bo2, 0, s->tmp, SWEEP_BO_SIZE);
	igt_assert_eq_u32(s->tmp[7], 0x5eed0002);
	s->tmp[7] = 0;
	words_assert(s->tmp, SWEEP_BO_SIZE, 0, "gem-cpu-first-touch");
	munmap(s->map2, SWEEP_BO_SIZE);
	s->map2 = NULL;
	vsvm_gem_close(s->fd, s->bo2);
	pattern_fill(s->tmp, s->size, s->seed);
}

/* ---- PRIME paths -------------------------------------------------------- */

static int prime_export(int fd, uint32_t handle, int *dmabuf)
{
	struct drm_prime_handle p = {
		.handle = handle, .flags = DRM_CLOEXEC | DRM_RDWR, .fd = -1,
	};
	int ret = raw_ioctl(fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &p);

	*dmabuf = ret ? -1 : p.fd;
	return ret;
}

static int prime_import(int fd, int dmabuf, uint32_t *handle)
{
	struct drm_prime_handle p = { .fd = dmabuf };
	int ret = raw_ioctl(fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &p);

	*handle = ret ? 0 : p.handle;
	return ret;
}

static int prime_export_op(struct sweep *s)
{
	return prime_export(s->fd, s->bo, &s->dmabuf);
}

/* The dma-buf maps the object's data; closing it releases the export. */
static void prime_export_check(struct sweep *s, int ret)
{
	void *p;

	if (!ret) {
		p = mmap(NULL, s->size, PROT_READ, MAP_SHARED, s->dmabuf, 0);
		igt_assert(p != MAP_FAILED);
		pattern_assert(p, s->size, s->seed, 0, "prime-export: dma-buf mmap");
		munmap(p, s->size);
		close(s->dmabuf);
	}
	gem_assert_data(s, "an export");
}

/* The importer: the same device through another file, or the second one. */
static void prime_setup(struct sweep *s)
{
	gem_setup(s);
	s->fd2 = open_dev(s->c->devices - 1);
}

static void prime_import_prepare(struct sweep *s)
{
	igt_assert_eq(prime_export(s->fd, s->bo, &s->dmabuf), 0);
}

static int prime_import_op(struct sweep *s)
{
	return prime_import(s->fd2, s->dmabuf, &s->handle2);
}

/* The importer reads the exporter's data; then both let go. */
static void prime_import_check(struct sweep *s, int ret)
{
	if (!ret) {
		memset(s->tmp, 0, s->size);
		vsvm_gem_read(s->fd2, s->handle2, 0, s->tmp, s->size);
		pattern_assert(s->tmp, s->size, s->seed, 0,
			       "prime-import: importer's device read");
		vsvm_gem_close(s->fd2, s->handle2);
		close(s->dmabuf);
	}
	gem_assert_data(s, "an import");
}

/*
 * The import maps the buffer; the exporter moving it into VRAM drops that
 * mapping (move_notify), and the importer's next device access maps it
 * again, moving it out of VRAM.
 */
static void prime_map_prepare(struct sweep *s)
{
	prime_import_prepare(s);
	igt_assert_eq(prime_import_op(s), 0);
	vsvm_gem_migrate(s->fd, s->bo, DRM_VSVM_PL_VRAM, 0, s->size);
	gem_placed(s->fd, s->bo, DRM_VSVM_PL_VRAM, false, "exported object");
}

static int prime_map_op(struct sweep *s)
{
	struct drm_vsvm_gem_access a = {
		.handle = s->handle2, .op = DRM_VSVM_ACCESS_READ,
		.size = s->size, .data = (uintptr_t)s->tmp,
	};

	return raw_ioctl(s->fd2, DRM_IOCTL_VSVM_GEM_ACCESS, &a);
}

static void prime_map_check(struct sweep *s, int ret)
{
	if (!ret)
		pattern_assert(s->tmp, s->size, s->seed, 0,
			       "prime-map: importer's first read");
	if (!ret)
		prime_import_check(s, 0);
	else
		gem_assert_data(s, "a failed mapping");
}

/* ---- SVM paths ---------------------------------------------------------- */

/*
 * More than one migration batch (2 MiB) of 4 KiB pages; fewer pages for
 * page-allocation sweeps, where each page to system memory is one
 * allocation.
 */
#define SWEEP_SVM_SIZE	(2 * MiB + 64 * KiB)
#define SWEEP_SVM_PAGES_SIZE	(128 * KiB)

static void svm_setup(struct sweep *s)
{
	s->size = s->kind == FI_PAGE ? SWEEP_SVM_PAGES_SIZE : SWEEP_SVM_SIZE;
	s->buf = anon_map(s->size);
	pattern_fill(s->buf, s->size, s->seed);
	s->tmp = anon_map(s->size);
	memset(s->tmp, 0, s->size);
	bus_catch(true);
}

static void svm_teardown(struct sweep *s)
{
	bus_catch(false);
	munmap(s->buf, s->size);
	munmap(s->tmp, s->size);
	if (s->buf2)
		munmap(s->buf2, s->size);
}

/* Pages of [p, p + size) in this device's VRAM (snapshot, no faults). */
static uint64_t svm_local_pages(int fd, const void *p, uint64_t size)
{
	uint64_t n = size / PAGE, local = 0;
	uint8_t *prot = calloc(n, 1);
	struct drm_vsvm_svm_snapshot snap = {
		.addr = (uintptr_t)p, .npages = n, .data = (uintptr_t)prot,
	};

	igt_assert(prot);
	igt_assert_eq(__vsvm_ioctl(fd, DRM_IOCTL_VSVM_SVM_SNAPSHOT, &snap), 0);
	for (uint64_t i = 0; i < n; i++)
		local += (prot[i] & 0x30) == DRM_VSVM_SVM_PROT_DEV_PRIVATE_LOCAL;
	free(prot);
	return local;
}

/* The device reads the buffer through its mirror, then the CPU does. */
static void svm_assert_data(struct sweep *s, const char *what)
{
	struct drm_vsvm_svm_access a = {
		.addr = (uintptr_t)s->buf, .size = s->size,
		.data = (uintptr_t)s->tmp, .op = DRM_VSVM_SVM_READ,
	};
	char msg[96];

	memset(s->tmp, 0, s->size);
	igt_assert_eq(__vsvm_ioctl(s->fd, DRM_IOCTL_VSVM_SVM_ACCESS, &a), 0);
	snprintf(msg, sizeof(msg), "%s: device read after %s", s->c->name, what);
	pattern_assert(s->tmp, s->size, s->seed, 0, msg);
	snprintf(msg, sizeof(msg), "%s: CPU read after %s", s->c->name, what);
	pattern_assert(s->buf, s->size, s->seed, 0, msg);
}

static int svm_migrate_moved(int fd, void *p, uint64_t size, uint32_t target,
			     uint64_t *moved)
{
	struct drm_vsvm_svm_migrate m = {
		.addr = (uintptr_t)p, .size = size, .target = target,
	};
	int ret = raw_ioctl(fd, DRM_IOCTL_VSVM_SVM_MIGRATE, &m);

	*moved = m.moved;
	return ret;
}

static int svm_migrate_range(int fd, void *p, uint64_t size, uint32_t target)
{
	uint64_t moved;

	return svm_migrate_moved(fd, p, size, target, &moved);
}

static int svm_migrate(struct sweep *s, uint32_t target)
{
	return svm_migrate_moved(s->fd, s->buf, s->size, target, &s->moved);
}

/* SVM_MIGRATE to the device (the CPU reads of the check bring it back). */
static int svm_to_device_op(struct sweep *s)
{
	return svm_migrate(s, DRM_VSVM_SVM_TARGET_DEVICE);
}

static void svm_to_device_check(struct sweep *s, int ret)
{
	uint64_t local = svm_local_pages(s->fd, s->buf, s->size);

	igt_assert_f(local == s->moved || ret,
		     "svm-migrate-device: %llu pages moved, %llu in VRAM\n",
		     (unsigned long long)s->moved, (unsigned long long)local);
	igt_assert_f(!s->clean || local == s->size / PAGE,
		     "svm-migrate-device: %llu of %llu pages in VRAM\n",
		     (unsigned long long)local,
		     (unsigned long long)(s->size / PAGE));
	svm_assert_data(s, ret ? "a failed migration" : "a migration");
}

/* SVM_MIGRATE back to system memory. */
static void svm_on_device(struct sweep *s)
{
	igt_assert_eq(svm_migrate(s, DRM_VSVM_SVM_TARGET_DEVICE), 0);
	igt_assert_eq_u64(s->moved, s->size / PAGE);
}

static int svm_to_system_op(struct sweep *s)
{
	return svm_migrate(s, DRM_VSVM_SVM_TARGET_SYSTEM);
}

static void svm_to_system_check(struct sweep *s, int ret)
{
	uint64_t local = svm_local_pages(s->fd, s->buf, s->size);

	igt_assert_f(!s->clean || !local,
		     "svm-migrate-system: %llu pages still in VRAM\n",
		     (unsigned long long)local);
	svm_assert_data(s, ret ? "a failed migration" : "a migration");
}

/* A CPU read of a device page (migrate_to_ram). */
static int svm_fault_op(struct sweep *s)
{
	uint64_t word = s->size / 4 / 2 + 5;
	uint32_t v = 0;
	int ret = touch_read(s->buf + word, &v);

	if (!ret && v != word_of(s->seed, word))
		ret = TOUCH_BAD_DATA;
	return ret;
}

static void svm_fault_check(struct sweep *s, int ret)
{
	svm_assert_data(s, "a CPU fault");
}

/* SVM_PREFETCH to the device, synchronous, with an out-syncobj. */
static void svm_prefetch_setup(struct sweep *s)
{
	svm_setup(s);
	igt_assert_eq(drmSyncobjCreate(s->fd, 0, &s->syncobj), 0);
}

static void svm_prefetch_teardown(struct sweep *s)
{
	drmSyncobjDestroy(s->fd, s->syncobj);
	svm_teardown(s);
}

static void svm_prefetch_prepare(struct sweep *s)
{
	igt_assert_eq(drmSyncobjReset(s->fd, &s->syncobj, 1), 0);
}

static int svm_prefetch_op(struct sweep *s)
{
	struct drm_vsvm_svm_prefetch p = {
		.addr = (uintptr_t)s->buf, .size = s->size,
		.target = DRM_VSVM_SVM_TARGET_DEVICE,
		.flags = DRM_VSVM_SVM_PREFETCH_SYNC, .out_syncobj = s->syncobj,
	};

	return raw_ioctl(s->fd, DRM_IOCTL_VSVM_SVM_PREFETCH, &p);
}

/* Done: the fence has signalled without error; failed: nothing queued. */
static void svm_prefetch_check(struct sweep *s, int ret)
{
	if (!ret)
		igt_assert_eq(vsvm_syncobj_status(s->fd, s->syncobj), 1);
	else	/* no fence was installed */
		igt_assert_eq(drmSyncobjWait(s->fd, &s->syncobj, 1, 0, 0, NULL),
			      -EINVAL);
	if (s->clean)
		igt_assert_eq_u64(svm_local_pages(s->fd, s->buf, s->size),
				  s->size / PAGE);
	svm_assert_data(s, ret ? "a failed prefetch" : "a prefetch");
}

/* A fresh file's first SVM ioctl creates its SVM context. */
static void svm_context_prepare(struct sweep *s)
{
	if (s->fd2 < 0)
		s->fd2 = open_dev(0);
}

static int svm_madvise(int fd, const void *p, uint64_t size, uint32_t attr,
		       uint32_t value)
{
	struct drm_vsvm_svm_madvise m = {
		.addr = (uintptr_t)p, .size = size, .attr = attr,
		.value = value,
	};

	return raw_ioctl(fd, DRM_IOCTL_VSVM_SVM_MADVISE, &m);
}

static int svm_context_op(struct sweep *s)
{
	return svm_madvise(s->fd2, s->buf, PAGE, DRM_VSVM_SVM_ATTR_ACCESSED_BY,
			   0);
}

static void svm_context_check(struct sweep *s, int ret)
{
	if (ret)
		return;
	igt_assert_eq(svm_madvise(s->fd2, s->buf, s->size,
				  DRM_VSVM_SVM_ATTR_READ_MOSTLY, 1), 0);
	close(s->fd2);
	s->fd2 = -1;
	svm_assert_data(s, "a new SVM context");
}

/* Device CHECKSUM of [va, va + size), written to *slot; the job's status. */
static int exec_checksum(int fd, uint32_t vm, uint64_t va, uint64_t size,
			 uint64_t slot)
{
	struct drm_vsvm_cmd c = vsvm_cmd_checksum(va, size, slot);

	return vsvm_exec_wait(fd, vm, &c, 1);
}

/* SVM_RANGES lists the ranges device faults created. */
static int svm_ranges(int fd, const void *p, uint64_t size,
		      struct drm_vsvm_svm_range_info *info, uint32_t *count)
{
	struct drm_vsvm_svm_ranges r = {
		.addr = (uintptr_t)p, .size = size, .ranges = (uintptr_t)info,
		.count = *count,
	};
	int ret = raw_ioctl(fd, DRM_IOCTL_VSVM_SVM_RANGES, &r);

	*count = r.count;
	return ret;
}

/* SVM_MADVISE splits the span's attributes in three. */
#define MADV_OFF(s)	((s)->size / 32 & ~(PAGE - 1))
#define MADV_SIZE(s)	((s)->size / 2 & ~(PAGE - 1))

static void svm_madvise_setup(struct sweep *s)
{
	svm_setup(s);
	s->vm = vsvm_vm_create(s->fd, DRM_VSVM_VM_CREATE_FAULT_MODE);
	s->buf2 = anon_map(s->size);
	memset(s->buf2, 0, s->size);
}

static void svm_madvise_teardown(struct sweep *s)
{
	vsvm_vm_destroy(s->fd, s->vm);
	svm_teardown(s);
}

static void svm_madvise_prepare(struct sweep *s)
{
	igt_assert_eq(svm_madvise(s->fd, s->buf, s->size,
				  DRM_VSVM_SVM_ATTR_PREFERRED_LOC,
				  DRM_VSVM_SVM_LOC_SYSTEM), 0);
}

static int svm_madvise_op(struct sweep *s)
{
	return svm_madvise(s->fd, (char *)s->buf + MADV_OFF(s), MADV_SIZE(s),
			   DRM_VSVM_SVM_ATTR_PREFERRED_LOC,
			   DRM_VSVM_SVM_LOC_DEVICE);
}

/* Applied: device faults migrate exactly the advised span into VRAM. */
static void svm_madvise_applied(struct sweep *s)
{
	uint64_t *hash = (uint64_t *)s->buf2;

	igt_assert_eq(exec_checksum(s->fd, s->vm, (uintptr_t)s->buf, s->size,
				    (uintptr_t)hash), 0);
	igt_assert_eq_u64(svm_local_pages(s->fd, s->buf, s->size),
			  MADV_SIZE(s) / PAGE);
	igt_assert_eq_u64(svm_local_pages(s->fd, (char *)s->buf + MADV_OFF(s),
					  MADV_SIZE(s)), MADV_SIZE(s) / PAGE);
	/* the CPU reads bring the span back */
	igt_assert_eq_u64(*hash, vsvm_fnv1a(s->buf, s->size));
}

/*
 * Only the last attempt checks with the device: a migration per attempt
 * would trip the thrash guard, which then keeps the span in place.
 */
static void svm_madvise_check(struct sweep *s, int ret)
{
	if (s->final)
		svm_madvise_applied(s);
	pattern_assert(s->buf, s->size, s->seed, 0,
		       ret ? "svm-madvise: CPU read after a failed madvise" :
		       "svm-madvise: CPU read after a madvise");
}

static void svm_ranges_setup(struct sweep *s)
{
	uint32_t n = 0;

	svm_madvise_setup(s);
	igt_assert_eq(exec_checksum(s->fd, s->vm, (uintptr_t)s->buf, s->size,
				    (uintptr_t)s->buf2), 0);
	igt_assert_eq(svm_ranges(s->fd, s->buf, s->size, NULL, &n), 0);
	igt_assert_lt(0, n);
	s->expect = n;
}

static int svm_ranges_op(struct sweep *s)
{
	uint32_t n = 64;
	int ret = svm_ranges(s->fd, s->buf, s->size, (void *)s->buf2, &n);

	s->moved = n;
	return ret;
}

static void svm_ranges_check(struct sweep *s, int ret)
{
	struct drm_vsvm_svm_range_info *r = (void *)s->buf2;
	uint64_t start = (uintptr_t)s->buf, end = start + s->size;

	if (!ret) {
		igt_assert_eq_u64(s->moved, s->expect);
		for (int64_t i = 0; i < s->expect && i < 64; i++)
			igt_assert(r[i].start < r[i].end &&
				   r[i].end > start && r[i].start < end);
	}
	svm_assert_data(s, "a range listing");
}

/* ---- VMs, binds, exec --------------------------------------------------- */

static int open_op(struct sweep *s)
{
	s->fd2 = open(dev_path[0], O_RDWR | O_CLOEXEC);
	return s->fd2 < 0 ? -errno : 0;
}

static void open_check(struct sweep *s, int ret)
{
	if (ret)
		return;
	igt_assert_eq_u64(vsvm_get_param(s->fd2, DRM_VSVM_PARAM_UAPI_VERSION),
			  DRM_VSVM_UAPI_MAJOR << 16 | DRM_VSVM_UAPI_MINOR);
	close(s->fd2);
	s->fd2 = -1;
}

static int vm_create_op(struct sweep *s)
{
	struct drm_vsvm_vm_create c = { .flags = s->c->flags };
	int ret = raw_ioctl(s->fd, DRM_IOCTL_VSVM_VM_CREATE, &c);

	s->vm = ret ? 0 : c.vm_id;
	return ret;
}

static void vm_create_check(struct sweep *s, int ret)
{
	struct drm_vsvm_vm_query q;

	if (ret)
		return;
	vsvm_vm_query(s->fd, s->vm, &q);
	igt_assert_eq_u64(q.submitted, 0);
	vsvm_vm_destroy(s->fd, s->vm);
}

/* A bind-mode VM with a 4 KiB result object at GPU_VA_RESULT. */
static void vm_with_result(struct sweep *s)
{
	s->vm = vsvm_vm_create(s->fd, 0);
	s->bo_res = gem_new(s->fd, PAGE, DRM_VSVM_PL_SYSTEM, 0, 0);
	vsvm_vm_bind(s->fd, s->vm, DRM_VSVM_VM_BIND_OP_MAP, 0, s->bo_res,
		     GPU_VA_RESULT, PAGE, 0);
}

static void vm_teardown(struct sweep *s)
{
	vsvm_vm_destroy(s->fd, s->vm);
	vsvm_gem_close(s->fd, s->bo_res);
	if (s->bo2)
		vsvm_gem_close(s->fd, s->bo2);
}

/* Checksum of a GPU range into the result object: 0 and the hash, or -errno. */
static int vm_checksum(struct sweep *s, uint64_t va, uint64_t size,
		       uint64_t *hash)
{
	int ret = exec_checksum(s->fd, s->vm, va, size, GPU_VA_RESULT);

	if (!ret)
		vsvm_gem_read(s->fd, s->bo_res, 0, hash, sizeof(*hash));
	return ret;
}

/* VM_BIND of a second object into the middle of a mapping (a split). */
static void vm_bind_setup(struct sweep *s)
{
	gem_setup(s);
	vm_with_result(s);
	s->bo2 = gem_new(s->fd, s->size, DRM_VSVM_PL_SYSTEM, 0, SWEEP_BO_CHUNK);
	pattern_fill(s->tmp, s->size, s->seed + 1);
	vsvm_gem_write(s->fd, s->bo2, 0, s->tmp, s->size);
}

static void vm_bind_teardown(struct sweep *s)
{
	vm_teardown(s);
	gem_teardown(s);
}

static void vm_bind_prepare(struct sweep *s)
{
	vsvm_vm_bind(s->fd, s->vm, DRM_VSVM_VM_BIND_OP_MAP, 0, s->bo, GPU_VA,
		     s->size, 0);
}

static int vm_bind_op(struct sweep *s)
{
	struct drm_vsvm_vm_bind b = {
		.vm_id = s->vm, .op = DRM_VSVM_VM_BIND_OP_MAP, .handle = s->bo2,
		.addr = GPU_VA + 64 * KiB, .range = 64 * KiB,
		.obj_offset = 64 * KiB,
	};

	return raw_ioctl(s->fd, DRM_IOCTL_VSVM_VM_BIND, &b);
}

/* What the VM shows at GPU_VA: bo with bo2's second 64 KiB in place. */
static uint64_t vm_bind_expected(struct sweep *s, bool split)
{
	pattern_fill(s->tmp, s->size, s->seed);
	if (split)
		for (uint64_t i = 64 * KiB / 4; i < 128 * KiB / 4; i++)
			s->tmp[i] = word_of(s->seed + 1, i);
	return vsvm_fnv1a(s->tmp, s->size);
}

/*
 * Done: the device sees the new layout. Failed: the old one, or a hole
 * where the new mapping was to go (binds are not atomic), never anything
 * else.
 */
static void vm_bind_check(struct sweep *s, int ret)
{
	uint64_t hash = 0;
	int job = vm_checksum(s, GPU_VA, s->size, &hash);

	if (!ret) {
		igt_assert_eq(job, 0);
		igt_assert_eq_u64(hash, vm_bind_expected(s, true));
	} else if (!job) {
		igt_assert_eq_u64(hash, vm_bind_expected(s, false));
	} else {
		igt_assert_eq(job, -EFAULT);
	}
	gem_assert_data(s, "a bind");
}

/* VM_BIND MAP_MIRROR of process memory. */
static void vm_mirror_setup(struct sweep *s)
{
	svm_setup(s);
	vm_with_result(s);
}

static void vm_mirror_teardown(struct sweep *s)
{
	vm_teardown(s);
	svm_teardown(s);
}

static void vm_mirror_prepare(struct sweep *s)
{
	vsvm_vm_bind(s->fd, s->vm, DRM_VSVM_VM_BIND_OP_UNMAP, 0, 0,
		     (uintptr_t)s->buf, s->size, 0);
}

static int vm_mirror_op(struct sweep *s)
{
	struct drm_vsvm_vm_bind b = {
		.vm_id = s->vm, .op = DRM_VSVM_VM_BIND_OP_MAP_MIRROR,
		.addr = (uintptr_t)s->buf, .range = s->size,
	};

	return raw_ioctl(s->fd, DRM_IOCTL_VSVM_VM_BIND, &b);
}

static void vm_mirror_check(struct sweep *s, int ret)
{
	uint64_t hash = 0;
	int job = vm_checksum(s, (uintptr_t)s->buf, s->size, &hash);

	if (!ret) {
		igt_assert_eq(job, 0);
		igt_assert_eq_u64(hash, vsvm_fnv1a(s->buf, s->size));
	} else {
		igt_assert_eq(job, -EFAULT);
	}
	svm_assert_data(s, "a mirror bind");
}

/* EXEC of a copy between two bound objects, with an out-syncobj. */
static void exec_setup(struct sweep *s)
{
	vm_bind_setup(s);
	vm_bind_prepare(s);
	vsvm_vm_bind(s->fd, s->vm, DRM_VSVM_VM_BIND_OP_MAP, 0, s->bo2,
		     GPU_VA + 16 * MiB, s->size, 0);
	igt_assert_eq(drmSyncobjCreate(s->fd, 0, &s->syncobj), 0);
}

static void exec_teardown(struct sweep *s)
{
	drmSyncobjDestroy(s->fd, s->syncobj);
	vm_bind_teardown(s);
}

static void exec_prepare(struct sweep *s)
{
	vsvm_gem_fill(s->fd, s->bo2, 0, s->size, 0);
	igt_assert_eq(drmSyncobjReset(s->fd, &s->syncobj, 1), 0);
}

/* One command, not restarted on EINTR. */
static int exec_raw(int fd, uint32_t vm, const struct drm_vsvm_cmd *c,
		    uint32_t syncobj)
{
	struct drm_vsvm_exec e = {
		.vm_id = vm, .cmds = (uintptr_t)c, .cmds_size = sizeof(*c),
		.out_syncobj = syncobj,
	};

	return raw_ioctl(fd, DRM_IOCTL_VSVM_EXEC, &e);
}

static int exec_op(struct sweep *s)
{
	struct drm_vsvm_cmd c = vsvm_cmd_copy(GPU_VA + 16 * MiB, GPU_VA,
					      s->size);

	return exec_raw(s->fd, s->vm, &c, s->syncobj);
}

/* Done: the job ran and copied; failed: no job, no fence. */
static void exec_wait_check(struct sweep *s, int ret)
{
	if (ret) {
		igt_assert_eq(drmSyncobjWait(s->fd, &s->syncobj, 1, 0, 0, NULL),
			      -EINVAL);
		return;
	}
	igt_assert_eq(drmSyncobjWait(s->fd, &s->syncobj, 1, INT64_MAX, 0,
				     NULL), 0);
	igt_assert_eq(vsvm_syncobj_status(s->fd, s->syncobj), 1);
}

static void exec_check(struct sweep *s, int ret)
{
	exec_wait_check(s, ret);
	memset(s->tmp, 0xff, s->size);
	vsvm_gem_read(s->fd, s->bo2, 0, s->tmp, s->size);
	if (ret)
		words_assert(s->tmp, s->size, 0, "exec: destination after a failed exec");
	else
		pattern_assert(s->tmp, s->size, s->seed, 0, "exec: copy");
	gem_assert_data(s, "an exec");
}

/* EXEC in a fault-mode VM on plain process memory. */
static void exec_fault_setup(struct sweep *s)
{
	svm_madvise_setup(s);
	igt_assert_eq(drmSyncobjCreate(s->fd, 0, &s->syncobj), 0);
}

static void exec_fault_teardown(struct sweep *s)
{
	drmSyncobjDestroy(s->fd, s->syncobj);
	svm_madvise_teardown(s);
}

static void exec_fault_prepare(struct sweep *s)
{
	memset(s->buf2, 0, s->size);
	igt_assert_eq(drmSyncobjReset(s->fd, &s->syncobj, 1), 0);
}

static int exec_fault_op(struct sweep *s)
{
	struct drm_vsvm_cmd c = vsvm_cmd_copy(s->buf2, s->buf, s->size);

	return exec_raw(s->fd, s->vm, &c, s->syncobj);
}

static void exec_fault_check(struct sweep *s, int ret)
{
	exec_wait_check(s, ret);
	if (ret)
		words_assert(s->buf2, s->size, 0, "exec-fault: destination after a failed exec");
	else
		pattern_assert(s->buf2, s->size, s->seed, 0, "exec-fault: copy");
	svm_assert_data(s, "an exec");
}

/* ---- the allocating paths ---------------------------------------------- */

#define GEM_CASE .devices = 1, .setup = gem_setup, .teardown = gem_teardown
#define SVM_CASE .devices = 1, .setup = svm_setup, .teardown = svm_teardown
#define MIGRATE(s, d) .src = DRM_VSVM_PL_##s, .dst = DRM_VSVM_PL_##d, \
	.prepare = gem_migrate_prepare, .op = gem_migrate_op, \
	.check = gem_migrate_check

static const struct sweep_case sweep_cases[] = {
	{ "open", GEM_CASE, .prepare = nothing, .op = open_op,
	  .check = open_check },
	{ "gem-create", GEM_CASE, .prepare = nothing, .op = gem_create_op,
	  .check = gem_create_check },
	{ "gem-populate", GEM_CASE, .prepare = gem_populate_prepare,
	  .op = gem_populate_op, .check = gem_populate_check },
	{ "gem-migrate-system", GEM_CASE, MIGRATE(VRAM, SYSTEM) },
	{ "gem-migrate-gtt", GEM_CASE, MIGRATE(VRAM, GTT), .dma_map = true },
	{ "gem-migrate-vram", GEM_CASE, MIGRATE(SYSTEM, VRAM) },
	{ "gem-migrate-vram-visible", GEM_CASE, MIGRATE(GTT, VRAM),
	  .flags = DRM_VSVM_MIGRATE_VISIBLE },
	{ "gem-cpu-fault", GEM_CASE, .prepare = gem_fault_prepare,
	  .op = gem_fault_op, .check = gem_fault_check,
	  .create_flags = DRM_VSVM_GEM_CPU_MIGRATE_SYSTEM },
	{ "gem-cpu-fault-huge", GEM_CASE, .prepare = gem_fault_prepare,
	  .op = gem_fault_op, .check = gem_fault_check,
	  .create_flags = DRM_VSVM_GEM_CPU_MIGRATE_SYSTEM, .shift = 21 },
	{ "gem-cpu-first-touch", GEM_CASE, .prepare = gem_first_touch_prepare,
	  .op = gem_first_touch_op, .check = gem_first_touch_check },
	{ "prime-export", GEM_CASE, .prepare = nothing, .op = prime_export_op,
	  .check = prime_export_check },
	{ "prime-import-self", .devices = 1, .setup = prime_setup,
	  .teardown = gem_teardown, .prepare = prime_import_prepare,
	  .op = prime_import_op, .check = prime_import_check },
	{ "prime-import-peer", .devices = 2, .setup = prime_setup,
	  .teardown = gem_teardown, .prepare = prime_import_prepare,
	  .op = prime_import_op, .check = prime_import_check, .dma_map = true },
	{ "prime-map-peer", .devices = 2, .setup = prime_setup,
	  .teardown = gem_teardown, .prepare = prime_map_prepare,
	  .op = prime_map_op, .check = prime_map_check, .dma_map = true },
	{ "svm-context", SVM_CASE, .prepare = svm_context_prepare,
	  .op = svm_context_op, .check = svm_context_check },
	{ "svm-migrate-device", SVM_CASE, .prepare = nothing,
	  .op = svm_to_device_op, .check = svm_to_device_check },
	{ "svm-migrate-system", SVM_CASE, .prepare = svm_on_device,
	  .op = svm_to_system_op, .check = svm_to_system_check },
	{ "svm-cpu-fault", SVM_CASE, .prepare = svm_on_device,
	  .op = svm_fault_op, .check = svm_fault_check },
	{ "svm-prefetch", .devices = 1, .setup = svm_prefetch_setup,
	  .teardown = svm_prefetch_teardown, .prepare = svm_prefetch_prepare,
	  .op = svm_prefetch_op, .check = svm_prefetch_check },
	{ "svm-madvise", .devices = 1, .setup = svm_madvise_setup,
	  .teardown = svm_madvise_teardown, .prepare = svm_madvise_prepare,
	  .op = svm_madvise_op, .check = svm_madvise_check },
	{ "svm-ranges", .devices = 1, .setup = svm_ranges_setup,
	  .teardown = svm_madvise_teardown, .prepare = nothing,
	  .op = svm_ranges_op, .check = svm_ranges_check },
	{ "vm-create", GEM_CASE, .prepare = nothing, .op = vm_create_op,
	  .check = vm_create_check },
	{ "vm-create-fault-mode", GEM_CASE, .prepare = nothing,
	  .op = vm_create_op, .check = vm_create_check,
	  .flags = DRM_VSVM_VM_CREATE_FAULT_MODE },
	{ "vm-bind", .devices = 1, .setup = vm_bind_setup,
	  .teardown = vm_bind_teardown, .prepare = vm_bind_prepare,
	  .op = vm_bind_op, .check = vm_bind_check },
	{ "vm-bind-mirror", .devices = 1, .setup = vm_mirror_setup,
	  .teardown = vm_mirror_teardown, .prepare = vm_mirror_prepare,
	  .op = vm_mirror_op, .check = vm_mirror_check },
	{ "exec", .devices = 1, .setup = exec_setup,
	  .teardown = exec_teardown, .prepare = exec_prepare,
	  .op = exec_op, .check = exec_check },
	{ "exec-fault-mode", .devices = 1, .setup = exec_fault_setup,
	  .teardown = exec_fault_teardown, .prepare = exec_fault_prepare,
	  .op = exec_fault_op, .check = exec_fault_check },
};

/* ---- isolation: handles, VMs, syncobjs, mappings ------------------------ */

/* What client A owns; B gets the same numbers in its own file. */
struct owner {
	int fd;
	uint32_t bo[3], vm[2], syncobj[2];
	uint64_t offset[3];
	uint32_t seed;
};

static void owner_create(struct owner *a)
{
	uint32_t *p = anon_map(SWEEP_BO_SIZE);

	a->fd = open_dev(0);
	a->seed = robust_seed();
	for (int i = 0; i < 3; i++) {
		a->bo[i] = gem_new(a->fd, SWEEP_BO_SIZE, i, 0, SWEEP_BO_CHUNK);
		pattern_fill(p, SWEEP_BO_SIZE, a->seed + i);
		vsvm_gem_write(a->fd, a->bo[i], 0, p, SWEEP_BO_SIZE);
		igt_assert_eq(__vsvm_gem_mmap_offset(a->fd, a->bo[i],
						     &a->offset[i]), 0);
	}
	a->vm[0] = vsvm_vm_create(a->fd, 0);
	a->vm[1] = vsvm_vm_create(a->fd, DRM_VSVM_VM_CREATE_FAULT_MODE);
	for (int i = 0; i < 2; i++)
		igt_assert_eq(drmSyncobjCreate(a->fd, 0, &a->syncobj[i]), 0);
	munmap(p, SWEEP_BO_SIZE);
}

/* A's objects, VMs and syncobjs still work and hold A's data. */
static void owner_assert_intact(struct owner *a)
{
	uint32_t *p = anon_map(SWEEP_BO_SIZE);
	struct drm_vsvm_vm_query q;

	for (int i = 0; i < 3; i++) {
		vsvm_gem_read(a->fd, a->bo[i], 0, p, SWEEP_BO_SIZE);
		pattern_assert(p, SWEEP_BO_SIZE, a->seed + i, 0,
			       "owner's object after the other client");
	}
	for (int i = 0; i < 2; i++) {
		vsvm_vm_query(a->fd, a->vm[i], &q);
		igt_assert_eq_u64(q.submitted, 0);
		igt_assert_eq(drmSyncobjWait(a->fd, &a->syncobj[i], 1, 0,
					     DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT,
					     NULL), -ETIME);
	}
	munmap(p, SWEEP_BO_SIZE);
}

static void assert_enoent(int ret, const char *what, uint32_t id)
{
	igt_assert_f(ret == -ENOENT || ret == -EINVAL,
		     "%s %u of another client: %d (%s), expected ENOENT/EINVAL\n",
		     what, id, ret, strerror(-ret));
}

/* Every GEM ioctl on another client's handle number fails. */
static void probe_handle(int fd, uint32_t vm, uint32_t h)
{
	struct drm_vsvm_gem_mmap_offset m = { .handle = h };
	struct drm_gem_close cl = { .handle = h };
	uint32_t words[4], n;
	int dmabuf;

	assert_enoent(raw_ioctl(fd, DRM_IOCTL_VSVM_GEM_MMAP_OFFSET, &m),
		      "GEM_MMAP_OFFSET of handle", h);
	assert_enoent(__vsvm_gem_migrate(fd, h, DRM_VSVM_PL_VRAM, 0, PAGE, 0, 0),
		      "GEM_MIGRATE of handle", h);
	assert_enoent(__vsvm_gem_residency(fd, h, NULL, 0, &n, NULL),
		      "GEM_RESIDENCY of handle", h);
	assert_enoent(__vsvm_gem_access(fd, h, DRM_VSVM_ACCESS_READ, 0,
					sizeof(words), words, 0),
		      "GEM_ACCESS of handle", h);
	assert_enoent(__vsvm_gem_access(fd, h, DRM_VSVM_ACCESS_FILL, 0, PAGE,
					NULL, 1), "GEM_ACCESS fill of handle", h);
	assert_enoent(prime_export(fd, h, &dmabuf), "PRIME export of handle", h);
	assert_enoent(__vsvm_vm_bind(fd, vm, DRM_VSVM_VM_BIND_OP_MAP, 0, h,
				     GPU_VA, PAGE, 0), "VM_BIND of handle", h);
	assert_enoent(raw_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &cl),
		      "GEM_CLOSE of handle", h);
}

/* Every VM ioctl on another client's VM id fails. */
static void probe_vm(int fd, uint32_t vm)
{
	struct drm_vsvm_cmd c = vsvm_cmd_fill(GPU_VA, PAGE, 1);
	struct drm_vsvm_vm_query q;

	assert_enoent(__vsvm_vm_query(fd, vm, &q), "VM_QUERY of VM", vm);
	assert_enoent(__vsvm_vm_bind(fd, vm, DRM_VSVM_VM_BIND_OP_UNMAP, 0, 0,
				     GPU_VA, PAGE, 0), "VM_BIND in VM", vm);
	assert_enoent(exec_raw(fd, vm, &c, 0), "EXEC in VM", vm);
	assert_enoent(__vsvm_vm_destroy(fd, vm), "VM_DESTROY of VM", vm);
}

/* Every use of another client's syncobj handle fails. */
static void probe_syncobj(int fd, uint32_t vm, uint32_t bo, uint32_t so)
{
	struct drm_vsvm_cmd c = vsvm_cmd_fill(GPU_VA, PAGE, 1);
	struct drm_vsvm_exec e = {
		.vm_id = vm, .cmds = (uintptr_t)&c, .cmds_size = sizeof(c),
		.in_syncobjs = (uintptr_t)&so, .num_in_syncobjs = 1,
	};
	struct drm_syncobj_handle h = { .handle = so, .fd = -1 };
	struct drm_syncobj_destroy d = { .handle = so };

	assert_enoent(drmSyncobjWait(fd, &so, 1, 0, 0, NULL), "wait on syncobj", so);
	assert_enoent(raw_ioctl(fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &h),
		      "export of syncobj", so);
	assert_enoent(raw_ioctl(fd, DRM_IOCTL_VSVM_EXEC, &e), "exec waiting on syncobj", so);
	e.num_in_syncobjs = 0;
	e.out_syncobj = so;
	assert_enoent(raw_ioctl(fd, DRM_IOCTL_VSVM_EXEC, &e), "exec signalling syncobj", so);
	assert_enoent(__vsvm_gem_migrate(fd, bo, DRM_VSVM_PL_GTT, 0, PAGE, 0, so),
		      "migration signalling syncobj", so);
	assert_enoent(raw_ioctl(fd, DRM_IOCTL_SYNCOBJ_DESTROY, &d),
		      "destroy of syncobj", so);
}

/* mmap of another client's object offset, global names: refused. */
static void probe_mapping(int fd, uint64_t offset)
{
	struct drm_gem_open o = { .name = 1 };
	void *p = mmap(NULL, SWEEP_BO_SIZE, PROT_READ, MAP_SHARED, fd, offset);

	igt_assert_f(p == MAP_FAILED && errno == EACCES,
		     "mmap of another client's object: %s\n",
		     p == MAP_FAILED ? strerror(errno) : "mapped");
	for (o.name = 1; o.name < 16; o.name++)
		igt_assert_eq(raw_ioctl(fd, DRM_IOCTL_GEM_OPEN, &o), -EACCES);
}

/* Client B probes A's numbers before it has objects of its own, then with. */
static void client_probe(struct owner *a)
{
	int fd = open_dev(0);
	uint32_t vm, bo;

	for (int i = 0; i < 2; i++)
		probe_vm(fd, a->vm[i]);
	/* B's own VM: the same id as one of A's */
	vm = vsvm_vm_create(fd, 0);
	for (int i = 0; i < 3; i++) {
		probe_handle(fd, vm, a->bo[i]);
		probe_mapping(fd, a->offset[i]);
	}
	/* B's own object: the same number as one of A's, B's memory only */
	bo = gem_new(fd, SWEEP_BO_SIZE, DRM_VSVM_PL_SYSTEM, 0, SWEEP_BO_CHUNK);
	vsvm_gem_fill(fd, bo, 0, SWEEP_BO_SIZE, 0xb0b0b0b0);
	for (int i = 0; i < 2; i++)
		probe_syncobj(fd, vm, bo, a->syncobj[i]);
	close(fd);
}

static void test_isolation_ids(void)
{
	struct owner a;

	owner_create(&a);
	client_probe(&a);		/* a second file of this process */
	owner_assert_intact(&a);
	igt_fork(child, 1)
		client_probe(&a);	/* another process */
	igt_waitchildren();
	owner_assert_intact(&a);
	close(a.fd);
}

/* ---- isolation: address spaces ------------------------------------------ */

#define ISO_SIZE	(1 * MiB)

/* Through a file bound to another process's address space: refused. */
static void probe_foreign_mirror(int fd, uint32_t vm_fault, uint32_t vm_bind,
				 void *p)
{
	uint8_t snap[4];
	struct drm_vsvm_svm_access a = {
		.addr = (uintptr_t)p, .size = PAGE, .data = (uintptr_t)p,
		.op = DRM_VSVM_SVM_READ,
	};
	struct drm_vsvm_svm_snapshot sn = {
		.addr = (uintptr_t)p, .npages = 4, .data = (uintptr_t)snap,
	};
	struct drm_vsvm_svm_prefetch pf = {
		.addr = (uintptr_t)p, .size = PAGE,
		.target = DRM_VSVM_SVM_TARGET_DEVICE,
	};
	struct drm_vsvm_cmd c = vsvm_cmd_fill(p, PAGE, 1);
	uint32_t n = 0;

	igt_assert_eq(raw_ioctl(fd, DRM_IOCTL_VSVM_SVM_ACCESS, &a), -EINVAL);
	igt_assert_eq(raw_ioctl(fd, DRM_IOCTL_VSVM_SVM_SNAPSHOT, &sn), -EINVAL);
	igt_assert_eq(raw_ioctl(fd, DRM_IOCTL_VSVM_SVM_PREFETCH, &pf), -EINVAL);
	igt_assert_eq(svm_madvise(fd, p, PAGE, DRM_VSVM_SVM_ATTR_READ_MOSTLY, 1),
		      -EINVAL);
	igt_assert_eq(svm_ranges(fd, p, PAGE, NULL, &n), -EINVAL);
	igt_assert_eq(exec_raw(fd, vm_fault, &c, 0), -EINVAL);
	igt_assert_eq(__vsvm_vm_bind(fd, vm_bind, DRM_VSVM_VM_BIND_OP_MAP_MIRROR,
				     0, 0, (uintptr_t)p, PAGE, 0), -EINVAL);
}

/*
 * Process B works on the same virtual addresses as A (a fork: same
 * layout) through its own file: only its own memory changes.
 */
static void foreign_client(uint32_t *p, uint32_t *gone, uint32_t seed)
{
	uint32_t vm, *back = anon_map(ISO_SIZE);
	int fd = open_dev(0);
	struct drm_vsvm_cmd c = vsvm_cmd_fill(p, ISO_SIZE / 2, 0xb0b0b0b0);
	struct drm_vsvm_svm_access a = {
		.addr = (uintptr_t)gone, .size = PAGE, .data = (uintptr_t)back,
		.op = DRM_VSVM_SVM_READ,
	};

	pattern_fill(p, ISO_SIZE, seed + 1);
	igt_assert_eq(svm_migrate_range(fd, p, ISO_SIZE,
					DRM_VSVM_SVM_TARGET_DEVICE), 0);
	igt_assert_eq_u64(svm_local_pages(fd, p, ISO_SIZE), ISO_SIZE / PAGE);
	vm = vsvm_vm_create(fd, DRM_VSVM_VM_CREATE_FAULT_MODE);
	igt_assert_eq(vsvm_exec_wait(fd, vm, &c, 1), 0);
	words_assert(p, ISO_SIZE / 2, 0xb0b0b0b0, "B's own memory after its exec");
	/* mapped in A only: B's device sees a hole in B's address space */
	igt_assert_eq(munmap(gone, ISO_SIZE), 0);
	igt_assert_eq(raw_ioctl(fd, DRM_IOCTL_VSVM_SVM_ACCESS, &a), -EFAULT);
	close(fd);
}

static void test_isolation_mirror(void)
{
	int fd = open_dev(0);
	uint32_t *p = anon_map(ISO_SIZE), *only_a = anon_map(ISO_SIZE);
	uint32_t vm_fault = vsvm_vm_create(fd, DRM_VSVM_VM_CREATE_FAULT_MODE);
	uint32_t vm_bind = vsvm_vm_create(fd, 0), seed = robust_seed();

	pattern_fill(p, ISO_SIZE, seed);
	pattern_fill(only_a, ISO_SIZE, seed + 2);
	/* A's file mirrors A: its context exists before the fork */
	igt_assert_eq(svm_madvise(fd, p, ISO_SIZE, DRM_VSVM_SVM_ATTR_ACCESSED_BY,
				  0), 0);
	igt_fork(child, 1) {
		probe_foreign_mirror(fd, vm_fault, vm_bind, p);
		foreign_client(p, only_a, seed);
	}
	igt_waitchildren();
	pattern_assert(p, ISO_SIZE, seed, 0, "A's memory after B");
	pattern_assert(only_a, ISO_SIZE, seed + 2, 0, "A's other memory after B");
	igt_assert_eq_u64(svm_local_pages(fd, p, ISO_SIZE), 0);
	vsvm_vm_destroy(fd, vm_fault);
	vsvm_vm_destroy(fd, vm_bind);
	close(fd);
	munmap(p, ISO_SIZE);
	munmap(only_a, ISO_SIZE);
}

/* ---- isolation: fresh memory never shows a previous owner's bytes ------- */

enum fresh_kind { FRESH_VRAM, FRESH_VISIBLE, FRESH_GTT, FRESH_SVM };

#define FRESH_BO	(8 * MiB)
#define FRESH_GTT_SIZE	(32 * MiB)

/* Bytes of a kind that one client can take: all of VRAM (or its BAR). */
static uint64_t fresh_bytes(int fd, enum fresh_kind kind)
{
	uint64_t vram = vsvm_get_param(fd, DRM_VSVM_PARAM_VRAM_SIZE);
	uint64_t used = vsvm_get_param(fd, DRM_VSVM_PARAM_VRAM_USED);

	if (kind == FRESH_GTT)
		return FRESH_GTT_SIZE;
	if (kind == FRESH_VISIBLE) {
		vram = vsvm_get_param(fd, DRM_VSVM_PARAM_VISIBLE_VRAM_SIZE);
		used = info_value(fd, "vram visible used");
	}
	return (vram - used) & ~(FRESH_BO - 1);
}

static uint32_t fresh_placement(enum fresh_kind kind)
{
	return kind == FRESH_GTT ? DRM_VSVM_PL_GTT : DRM_VSVM_PL_VRAM;
}

/* An object that may live only in the kind's placement, populated there. */
static uint32_t fresh_bo(int fd, enum fresh_kind kind)
{
	uint32_t pl = fresh_placement(kind), h = 0;

	igt_assert_eq(__vsvm_gem_create(fd, FRESH_BO, DRM_VSVM_PL_MASK(pl), pl,
					0, 21, &h), 0);
	igt_assert_eq(__vsvm_gem_migrate(fd, h, pl, 0, FRESH_BO,
					 kind == FRESH_VISIBLE ?
					 DRM_VSVM_MIGRATE_VISIBLE : 0, 0), 0);
	gem_placed(fd, h, pl, kind == FRESH_VISIBLE, "fresh object");
	return h;
}

/* Client A: all the memory of the kind, full of @tag; then A exits. */
static void fresh_owner(enum fresh_kind kind, uint64_t bytes, uint32_t tag)
{
	int fd = open_dev(0);
	uint32_t *p;

	if (kind != FRESH_SVM) {
		for (uint64_t off = 0; off < bytes; off += FRESH_BO)
			vsvm_gem_fill(fd, fresh_bo(fd, kind), 0, FRESH_BO, tag);
		return;
	}
	p = anon_map(bytes);
	for (uint64_t i = 0; i < bytes / 4; i++)
		p[i] = tag;
	igt_assert_eq(svm_migrate_range(fd, p, bytes,
					DRM_VSVM_SVM_TARGET_DEVICE), 0);
	igt_assert_eq_u64(svm_local_pages(fd, p, bytes), bytes / PAGE);
}

/* No trace of @tag at any byte offset; report what else is there. */
static void fresh_assert(const void *p, uint64_t len, uint32_t tag,
			 bool zero, const char *what)
{
	const uint8_t *b = p;
	uint64_t nonzero = 0;

	igt_assert_f(!memmem(p, len, &tag, sizeof(tag)),
		     "%s: the previous owner's bytes 0x%08x at offset %lld\n",
		     what, tag,
		     (long long)((const uint8_t *)memmem(p, len, &tag, 4) - b));
	for (uint64_t i = 0; i < len; i++)
		nonzero += b[i] != 0;
	igt_assert_f(!zero || !nonzero, "%s: %llu non-zero bytes in fresh memory\n",
		     what, (unsigned long long)nonzero);
	if (nonzero)
		igt_info("%s: %llu non-zero bytes\n", what,
			 (unsigned long long)nonzero);
}

/* Client B's object of a kind: may also go to SYSTEM, so the CPU can read it. */
static uint32_t fresh_bo_readable(int fd, enum fresh_kind kind)
{
	uint32_t pl = fresh_placement(kind), h = 0;

	igt_assert_eq(__vsvm_gem_create(fd, FRESH_BO, DRM_VSVM_PL_MASK(pl) |
					PLM(SYSTEM), pl, 0, 21, &h), 0);
	igt_assert_eq(__vsvm_gem_migrate(fd, h, pl, 0, FRESH_BO,
					 kind == FRESH_VISIBLE ?
					 DRM_VSVM_MIGRATE_VISIBLE : 0, 0), 0);
	gem_placed(fd, h, pl, kind == FRESH_VISIBLE, "B's new object");
	return h;
}

/* The device copies [va, va + len) of @vm into @dst (process memory). */
static void device_copy(int fd, uint32_t vm, uint64_t va, void *dst,
			uint64_t len)
{
	struct drm_vsvm_cmd c = vsvm_cmd_copy(dst, va, len);

	memset(dst, 0x5a, len);
	igt_assert_eq(vsvm_exec_wait(fd, vm, &c, 1), 0);
}

/*
 * B reads each new object with GEM_ACCESS and an exec, and once all of
 * them hold all of the memory (so each of A's blocks is B's now), with the
 * CPU, which may move them out of VRAM.
 */
static void fresh_client_gem(int fd, enum fresh_kind kind, uint64_t bytes,
			     uint32_t tag)
{
	uint32_t vm = vsvm_vm_create(fd, DRM_VSVM_VM_CREATE_FAULT_MODE);
	uint32_t *tmp = anon_map(FRESH_BO), *map, h[64];
	uint64_t n = bytes / FRESH_BO;

	igt_assert(n <= 64);
	for (uint64_t i = 0; i < n; i++) {
		h[i] = fresh_bo_readable(fd, kind);
		memset(tmp, 0x5a, FRESH_BO);
		vsvm_gem_read(fd, h[i], 0, tmp, FRESH_BO);
		fresh_assert(tmp, FRESH_BO, tag, false, "GEM_ACCESS read");
		vsvm_vm_bind(fd, vm, DRM_VSVM_VM_BIND_OP_MAP, 0, h[i], GPU_VA,
			     FRESH_BO, 0);
		device_copy(fd, vm, GPU_VA, tmp, FRESH_BO);
		fresh_assert(tmp, FRESH_BO, tag, false, "exec copy");
	}
	for (uint64_t i = 0; i < n; i++) {
		map = vsvm_gem_mmap(fd, h[i], FRESH_BO);
		fresh_assert(map, FRESH_BO, tag, false, "CPU read");
		munmap(map, FRESH_BO);
	}
	munmap(tmp, FRESH_BO);
}

/* B migrates never-touched anonymous memory into VRAM: all zero. */
static void fresh_client_svm(int fd, uint64_t bytes, uint32_t tag)
{
	uint32_t vm = vsvm_vm_create(fd, DRM_VSVM_VM_CREATE_FAULT_MODE);
	uint32_t *p = anon_map(bytes), *tmp = anon_map(bytes);
	struct drm_vsvm_svm_access a = {
		.addr = (uintptr_t)p, .size = bytes, .data = (uintptr_t)tmp,
		.op = DRM_VSVM_SVM_READ,
	};
	uint64_t moved = 0;

	igt_assert_eq(svm_migrate_moved(fd, p, bytes,
					DRM_VSVM_SVM_TARGET_DEVICE, &moved), 0);
	igt_assert_eq_u64(moved, bytes / PAGE);
	memset(tmp, 0x5a, bytes);
	igt_assert_eq(__vsvm_ioctl(fd, DRM_IOCTL_VSVM_SVM_ACCESS, &a), 0);
	fresh_assert(tmp, bytes, tag, true, "SVM_ACCESS read of new device pages");
	device_copy(fd, vm, (uintptr_t)p, tmp, bytes);
	fresh_assert(tmp, bytes, tag, true, "exec copy of new device pages");
	igt_assert_eq_u64(svm_local_pages(fd, p, bytes), bytes / PAGE);
	fresh_assert(p, bytes, tag, true, "CPU read of new device pages");
}

static void test_fresh(enum fresh_kind a_kind, enum fresh_kind b_kind)
{
	int fd = open_dev(0);
	struct acct base = acct_read(fd);
	uint64_t bytes = fresh_bytes(fd, a_kind);
	uint32_t tag = 0xa0a0a0a0 ^ (robust_seed() & 0x0f0f0f0f);

	igt_require_f(bytes && bytes <= 256 * MiB,
		      "needs at most 256 MiB of VRAM (vram_size_mb)\n");
	igt_fork(child, 1)
		fresh_owner(a_kind, bytes, tag);
	igt_waitchildren();
	acct_assert(fd, &base, "after the first owner");
	if (fresh_bytes(fd, b_kind) < bytes)
		bytes = fresh_bytes(fd, b_kind);
	igt_fork(child, 1) {
		int fd_b = open_dev(0);

		if (b_kind == FRESH_SVM)
			fresh_client_svm(fd_b, bytes, tag);
		else
			fresh_client_gem(fd_b, b_kind, bytes, tag);
	}
	igt_waitchildren();
	acct_assert(fd, &base, "after the second owner");
	close(fd);
}

/* ---- isolation: stale CPU mappings -------------------------------------- */

/* B: all of the visible VRAM there is to take (evicting what can be), @tag. */
static int take_visible_vram(int fd, uint32_t *h, int max, uint32_t tag)
{
	int n;

	for (n = 0; n < max; n++) {
		igt_assert_eq(__vsvm_gem_create(fd, 2 * MiB, PLM(VRAM),
						DRM_VSVM_PL_VRAM, 0, 21, &h[n]), 0);
		if (__vsvm_gem_migrate(fd, h[n], DRM_VSVM_PL_VRAM, 0, 2 * MiB,
				       DRM_VSVM_MIGRATE_VISIBLE, 0))
			break;
		vsvm_gem_fill(fd, h[n], 0, 2 * MiB, tag);
	}
	igt_assert_lt(0, n);
	return n;
}

static void stale_taker(int ready, int done, uint32_t tag)
{
	int fd = open_dev(0), n;
	uint32_t h[128], *tmp = anon_map(2 * MiB);
	char c;

	n = take_visible_vram(fd, h, 128, tag);
	igt_assert_eq(write(ready, "r", 1), 1);
	igt_assert_eq(read(done, &c, 1), 1);
	/* A's writes through its old mapping did not land in B's VRAM */
	for (int i = 0; i < n; i++) {
		vsvm_gem_read(fd, h[i], 0, tmp, 2 * MiB);
		words_assert(tmp, 2 * MiB, tag, "B's VRAM after A's writes");
	}
}

/*
 * A maps its object while it is in visible VRAM, then the object leaves
 * (A migrates it, or B's allocations evict it) and B takes all of the
 * visible VRAM. A's mapping must follow A's data, never show B's.
 */
static void test_stale_mapping(bool evict)
{
	int fd = open_dev(0), ready[2], done[2];
	uint32_t seed = robust_seed(), tag = 0xb1b2b3b4, *map, *tmp;
	uint32_t h = gem_new(fd, 2 * MiB, DRM_VSVM_PL_VRAM, 0, 21);
	char c;

	tmp = anon_map(2 * MiB);
	pattern_fill(tmp, 2 * MiB, seed);
	vsvm_gem_write(fd, h, 0, tmp, 2 * MiB);
	igt_assert_eq(__vsvm_gem_migrate(fd, h, DRM_VSVM_PL_VRAM, 0, 2 * MiB,
					 DRM_VSVM_MIGRATE_VISIBLE, 0), 0);
	map = vsvm_gem_mmap(fd, h, 2 * MiB);
	pattern_assert(map, 2 * MiB, seed, 0, "A's mapping in visible VRAM");
	if (!evict)
		vsvm_gem_migrate(fd, h, DRM_VSVM_PL_SYSTEM, 0, 2 * MiB);
	igt_assert_eq(pipe(ready), 0);
	igt_assert_eq(pipe(done), 0);
	igt_fork(child, 1)
		stale_taker(ready[1], done[0], tag);
	close(ready[1]);
	igt_assert_eq(read(ready[0], &c, 1), 1);
	gem_placed(fd, h, DRM_VSVM_PL_SYSTEM, false, "A's object");
	pattern_assert(map, 2 * MiB, seed, 0, "A's mapping after it left VRAM");
	pattern_fill(map, 2 * MiB, seed + 1);
	igt_assert_eq(write(done[1], "d", 1), 1);
	igt_waitchildren();
	vsvm_gem_read(fd, h, 0, tmp, 2 * MiB);
	pattern_assert(tmp, 2 * MiB, seed + 1, 0, "A's object after A's writes");
	close(fd);
}

/* ---- kill anywhere ------------------------------------------------------ */

#define VICTIM_BOS	4
#define VICTIM_BUF	(4 * MiB)

/*
 * A client doing a bit of everything until it is killed. It uses no IGT
 * assertions (it is not an igt_fork child): a wrong result ends it with a
 * message and exit status 2 (data) or 3 (error code).
 */
struct victim {
	int fd, peer;			/* its file; an importer's file */
	uint64_t rng, ops;
	uint32_t vm_fault, vm_bind, syncobj, bo_res;
	uint32_t bo[VICTIM_BOS], *map[VICTIM_BOS];	/* seeds 1..4 */
	uint32_t *buf;			/* the pattern of seed 0 */
	uint32_t *tmp;			/* 1 MiB scratch */
	uint64_t *slot;			/* checksums of the fault-mode VM */
};

static uint32_t victim_rand(struct victim *v, uint32_t n)
{
	v->rng = vsvm_xorshift(v->rng);
	return (uint32_t)(v->rng >> 16) % n;
}

static void victim_ok(struct victim *v, int ret, const char *what)
{
	if (ret == 0 || clean_error(ret) || ret == -EBUSY)
		return;
	fprintf(stderr, "victim %d, op %llu: %s: %d (%s)\n", getpid(),
		(unsigned long long)v->ops, what, ret, strerror(-ret));
	_exit(3);
}

static void victim_data(struct victim *v, const uint32_t *p, uint64_t bytes,
			uint32_t seed, uint64_t first, const char *what)
{
	for (uint64_t i = 0; i < bytes / 4; i++) {
		uint32_t want = word_of(seed, first + i);

		if (p[i] == want)
			continue;
		fprintf(stderr, "victim %d, op %llu: %s: byte %llu is 0x%08x, expected 0x%08x\n",
			getpid(), (unsigned long long)v->ops, what,
			(unsigned long long)i * 4, p[i], want);
		_exit(2);
	}
}

static void victim_close_bo(struct victim *v, int i)
{
	struct drm_gem_close c = { .handle = v->bo[i] };

	munmap(v->map[i], MiB);
	victim_ok(v, raw_ioctl(v->fd, DRM_IOCTL_GEM_CLOSE, &c), "GEM_CLOSE");
	v->bo[i] = 0;
}

/* (Re)create object @i with a random policy and chunk size, mapped. */
static void victim_bo(struct victim *v, int i)
{
	uint32_t h = 0;
	uint64_t off = 0;
	int ret;

	if (v->bo[i])
		victim_close_bo(v, i);
	ret = __vsvm_gem_create(v->fd, MiB, ALL_PL, victim_rand(v, 3), 0,
				16 + victim_rand(v, 6), &h);
	victim_ok(v, ret, "GEM_CREATE");
	if (ret)
		return;
	pattern_fill(v->tmp, MiB, i + 1);
	victim_ok(v, __vsvm_gem_access(v->fd, h, DRM_VSVM_ACCESS_WRITE, 0, MiB,
				       v->tmp, 0), "GEM_ACCESS write");
	victim_ok(v, __vsvm_gem_mmap_offset(v->fd, h, &off), "GEM_MMAP_OFFSET");
	v->map[i] = mmap(NULL, MiB, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd,
			 off);
	if (v->map[i] == MAP_FAILED)
		victim_ok(v, -errno, "mmap");
	v->bo[i] = h;
}

/* A random object, created first if needed. */
static int victim_pick(struct victim *v)
{
	int i = victim_rand(v, VICTIM_BOS);

	if (!v->bo[i])
		victim_bo(v, i);
	return v->bo[i] ? i : -1;
}

/* A random page-aligned span of buf: *len bytes at the returned offset. */
static uint64_t victim_span(struct victim *v, uint64_t *len)
{
	uint64_t pages = VICTIM_BUF / PAGE;
	uint64_t first = victim_rand(v, pages), n = 1 + victim_rand(v, 256);

	if (first + n > pages)
		n = pages - first;
	*len = n * PAGE;
	return first * PAGE;
}

static void op_gem_migrate(struct victim *v)
{
	int i = victim_pick(v);
	uint32_t flags = victim_rand(v, 2) ? DRM_VSVM_MIGRATE_ASYNC : 0;

	if (i >= 0)
		victim_ok(v, __vsvm_gem_migrate(v->fd, v->bo[i],
						victim_rand(v, 3), 0, MiB, flags,
						victim_rand(v, 2) ? v->syncobj : 0),
			  "GEM_MIGRATE");
}

static void op_gem_read(struct victim *v)
{
	int i = victim_pick(v), ret;

	if (i < 0)
		return;
	ret = __vsvm_gem_access(v->fd, v->bo[i], DRM_VSVM_ACCESS_READ, 0, MiB,
				v->tmp, 0);
	victim_ok(v, ret, "GEM_ACCESS read");
	if (!ret)
		victim_data(v, v->tmp, MiB, i + 1, 0, "object, device read");
}

/* CPU reads through the mapping (faults, placement switches). */
static void op_gem_touch(struct victim *v)
{
	int i = victim_pick(v);
	uint64_t w = victim_rand(v, MiB / 4 - 1024);

	if (i >= 0)
		victim_data(v, v->map[i] + w, 4096, i + 1, w, "object, CPU read");
}

static void op_gem_recreate(struct victim *v)
{
	victim_bo(v, victim_rand(v, VICTIM_BOS));
}

static void op_svm_migrate(struct victim *v)
{
	uint64_t len, off = victim_span(v, &len), moved;

	victim_ok(v, svm_migrate_moved(v->fd, (char *)v->buf + off, len,
				       victim_rand(v, 2), &moved), "SVM_MIGRATE");
}

/* Asynchronous: often still running when the victim dies. */
static void op_svm_prefetch(struct victim *v)
{
	uint64_t len, off = victim_span(v, &len);
	struct drm_vsvm_svm_prefetch p = {
		.addr = (uintptr_t)v->buf + off, .size = len,
		.target = victim_rand(v, 2), .out_syncobj = v->syncobj,
	};

	victim_ok(v, raw_ioctl(v->fd, DRM_IOCTL_VSVM_SVM_PREFETCH, &p),
		  "SVM_PREFETCH");
}

static void op_svm_madvise(struct victim *v)
{
	uint64_t len, off = victim_span(v, &len);
	uint32_t attr = victim_rand(v, 4);

	victim_ok(v, svm_madvise(v->fd, (char *)v->buf + off, len, attr,
				 victim_rand(v, attr == 1 || attr == 2 ? 2 : 3)),
		  "SVM_MADVISE");
}

/*
 * munmap a span (in VRAM or not, maybe under a prefetch or an eviction)
 * and map fresh memory there, with the pattern again.
 */
static void op_svm_remap(struct victim *v)
{
	uint64_t len, off = victim_span(v, &len);
	char *p = (char *)v->buf + off;

	if (munmap(p, len) ||
	    mmap(p, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != p) {
		fprintf(stderr, "victim %d: remap failed: %m\n", getpid());
		_exit(4);
	}
	for (uint64_t i = off / 4; i < (off + len) / 4; i++)
		v->buf[i] = word_of(0, i);
}

/* The CPU reads buf back (device pages fault back to system memory). */
static void op_cpu_read(struct victim *v)
{
	uint64_t len, off = victim_span(v, &len);

	victim_data(v, v->buf + off / 4, len, 0, off / 4, "process memory, CPU read");
}

/* A checksum of buf on the device, waited for half of the time. */
static void op_exec(struct victim *v)
{
	uint64_t len, off = victim_span(v, &len);
	struct drm_vsvm_cmd c = vsvm_cmd_checksum((char *)v->buf + off, len,
						  v->slot);
	int ret = exec_raw(v->fd, v->vm_fault, &c, v->syncobj);

	victim_ok(v, ret, "EXEC");
	if (ret || victim_rand(v, 2))
		return;
	victim_ok(v, drmSyncobjWait(v->fd, &v->syncobj, 1, INT64_MAX, 0, NULL),
		  "syncobj wait");
	if (*v->slot != vsvm_fnv1a((char *)v->buf + off, len)) {
		fprintf(stderr, "victim %d: device checksum of process memory is wrong\n",
			getpid());
		_exit(2);
	}
}

/* An object bound in a bind-mode VM, read by the device. */
static void op_exec_bound(struct victim *v)
{
	int i = victim_pick(v);
	struct drm_vsvm_cmd c = vsvm_cmd_checksum(GPU_VA, MiB, GPU_VA_RESULT);

	if (i < 0)
		return;
	victim_ok(v, __vsvm_vm_bind(v->fd, v->vm_bind, DRM_VSVM_VM_BIND_OP_MAP,
				    0, v->bo[i], GPU_VA, MiB, 0), "VM_BIND");
	victim_ok(v, exec_raw(v->fd, v->vm_bind, &c, victim_rand(v, 2) ?
			      v->syncobj : 0), "EXEC (bound)");
}

/* Export an object, import it in the peer, read it there. */
static void op_prime(struct victim *v)
{
	int i = victim_pick(v), dmabuf = -1, ret;
	struct drm_gem_close c = {};

	if (i < 0 || prime_export(v->fd, v->bo[i], &dmabuf))
		return;
	ret = prime_import(v->peer, dmabuf, &c.handle);
	victim_ok(v, ret, "PRIME import");
	if (!ret) {
		ret = __vsvm_gem_access(v->peer, c.handle, DRM_VSVM_ACCESS_READ,
					0, MiB, v->tmp, 0);
		victim_ok(v, ret, "GEM_ACCESS read of an import");
		if (!ret)
			victim_data(v, v->tmp, MiB, i + 1, 0, "import, device read");
		victim_ok(v, raw_ioctl(v->peer, DRM_IOCTL_GEM_CLOSE, &c),
			  "GEM_CLOSE of an import");
	}
	close(dmabuf);
}

static void (*const victim_ops[])(struct victim *v) = {
	op_gem_migrate, op_gem_migrate, op_gem_read, op_gem_touch,
	op_gem_recreate, op_svm_migrate, op_svm_migrate, op_svm_prefetch,
	op_svm_madvise, op_svm_remap, op_cpu_read, op_exec, op_exec_bound,
	op_prime,
};

/* Setup failures end the victim with status 4. */
static void victim_need(int ret)
{
	if (ret)
		_exit(4);
}

static void *victim_map(uint64_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	victim_need(p == MAP_FAILED);
	return p;
}

static void victim_setup(struct victim *v)
{
	static const int sigs[] = { SIGINT, SIGHUP, SIGPIPE, SIGTERM, SIGQUIT,
				    SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL };
	uint32_t h = 0;

	/* not the test's handlers (exit handlers that kill the victims) */
	for (size_t i = 0; i < ARRAY_SIZE(sigs); i++)
		signal(sigs[i], SIG_DFL);

	v->fd = open(dev_path[0], O_RDWR | O_CLOEXEC);
	v->peer = open(dev_path[num_devs - 1], O_RDWR | O_CLOEXEC);
	victim_need(v->fd < 0 || v->peer < 0);
	v->buf = victim_map(VICTIM_BUF);
	v->tmp = victim_map(MiB);
	v->slot = victim_map(PAGE);
	pattern_fill(v->buf, VICTIM_BUF, 0);
	victim_need(__vsvm_vm_create(v->fd, DRM_VSVM_VM_CREATE_FAULT_MODE,
				     &v->vm_fault));
	victim_need(__vsvm_vm_create(v->fd, 0, &v->vm_bind));
	victim_need(drmSyncobjCreate(v->fd, 0, &v->syncobj));
	victim_need(__vsvm_gem_create(v->fd, PAGE, ALL_PL, 0, 0, 0, &h));
	victim_need(__vsvm_vm_bind(v->fd, v->vm_bind, DRM_VSVM_VM_BIND_OP_MAP,
				   0, h, GPU_VA_RESULT, PAGE, 0));
}

/* Ops the victims completed, in memory shared with the test. */
static uint64_t *victim_ops_done;

static void __attribute__((noreturn)) victim_run(uint64_t seed)
{
	struct victim v = { .rng = seed | 1 };

	victim_setup(&v);
	for (;; v.ops++) {
		victim_ops[victim_rand(&v, ARRAY_SIZE(victim_ops))](&v);
		__atomic_add_fetch(victim_ops_done, 1, __ATOMIC_RELAXED);
	}
}

#define KILL_SLOTS	3
/* Kills per run (VSVM_ROBUST_KILLS overrides) and the time they may take. */
#define KILL_TARGET	300
#define KILL_BUDGET_S	100
#define KILL_MAX_DELAY_US	60000

struct killer {
	pid_t pid[KILL_SLOTS];
	uint64_t seed, rng, spawned, kills;
	uint64_t reap_ns, reap_max_ns;	/* SIGKILL to reaped */
};

static uint32_t killer_rand(struct killer *k, uint32_t n)
{
	k->rng = vsvm_xorshift(k->rng);
	return (uint32_t)(k->rng >> 16) % n;
}

static void killer_spawn(struct killer *k, int slot)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	igt_assert(pid >= 0);
	if (pid == 0)
		victim_run(k->rng + k->spawned);
	k->pid[slot] = pid;
	k->spawned++;
}

/* Reap a victim: killed by us is fine; any other end is a failure. */
static void killer_reap(struct killer *k, int slot)
{
	int status;

	igt_assert_eq(waitpid(k->pid[slot], &status, 0), k->pid[slot]);
	k->pid[slot] = 0;
	igt_assert_f(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
		     "victim %llu ended on its own: %s %d (see its message)\n",
		     (unsigned long long)k->kills,
		     WIFSIGNALED(status) ? "signal" : "exit status",
		     WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
}

static struct killer *active_killer;

static void killer_exit_handler(int sig)
{
	(void)sig;
	for (int i = 0; active_killer && i < KILL_SLOTS; i++)
		if (active_killer->pid[i] > 0) {
			kill(active_killer->pid[i], SIGKILL);
			waitpid(active_killer->pid[i], NULL, 0);
		}
}

/* Kill one random victim at a random moment; keep the slots full. */
static void killer_round(struct killer *k)
{
	int slot = killer_rand(k, KILL_SLOTS);
	struct timespec t = {};
	uint64_t ns;

	for (int i = 0; i < KILL_SLOTS; i++)
		if (!k->pid[i])
			killer_spawn(k, i);
	usleep(killer_rand(k, KILL_MAX_DELAY_US));
	igt_gettime(&t);
	kill(k->pid[slot], SIGKILL);
	killer_reap(k, slot);
	ns = igt_nsec_elapsed(&t);
	k->reap_ns += ns;
	if (ns > k->reap_max_ns)
		k->reap_max_ns = ns;
	k->kills++;
}


/* Only this process still has the device open; no SVM context, no VM. */
static void assert_no_clients(int fd)
{
	static const char *const files[] = { "clients", "svm_clients", "vsvm_vms" };
	char path[96], line[256];
	struct stat st;

	igt_assert_eq(fstat(fd, &st), 0);
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		FILE *f;

		snprintf(path, sizeof(path), "/sys/kernel/debug/dri/%u/%s",
			 minor(st.st_rdev), files[i]);
		f = fopen(path, "r");
		igt_assert_f(f, "%s: %m\n", path);
		/* "clients": a header, then our own files (pid after column 21) */
		while (fgets(line, sizeof(line), f))
			igt_assert_f(i == 0 && (strstr(line, "command") ||
						(strlen(line) > 21 &&
						 atoi(line + 21) == getpid())),
				     "%s still lists: %s", files[i], line);
		fclose(f);
	}
}

static void module_reload(const char *params)
{
	int ret = -EBUSY;

	for (int i = 0; i < 100 && ret; i++) {
		ret = vsvm_module_unload();
		if (ret)
			usleep(100 * 1000);
	}
	igt_assert_f(ret == 0, "vsvm does not unload: %s\n", strerror(-ret));
	igt_assert_eq(vsvm_module_load(params), 0);
	find_devices();
	igt_assert_lt(0, num_devs);
}

/*
 * A VRAM-only object over all of VRAM but @room bytes: the victims then
 * evict each other's GEM chunks and device pages all the time.
 */
static uint32_t vram_balloon(int fd, uint64_t room)
{
	uint64_t size = vsvm_get_param(fd, DRM_VSVM_PARAM_VRAM_SIZE) -
		vsvm_get_param(fd, DRM_VSVM_PARAM_VRAM_USED);
	uint32_t h = 0;

	igt_require_f(size > 2 * room, "VRAM too small for a balloon\n");
	size = (size - room) & ~(2 * MiB - 1);
	igt_assert_eq(__vsvm_gem_create(fd, size, PLM(VRAM), DRM_VSVM_PL_VRAM,
					0, 21, &h), 0);
	igt_assert_eq(__vsvm_gem_migrate(fd, h, DRM_VSVM_PL_VRAM, 0, size, 0, 0),
		      0);
	return h;
}

#define KILL_VRAM_ROOM	(4 * MiB)

static int64_t evictions(int fd)
{
	return info_value(fd, "vram evictions");
}

/* Kill victims until the target or the time budget is reached. */
static void kill_loop(struct killer *k)
{
	const char *env = getenv("VSVM_ROBUST_KILLS");
	uint64_t target = env ? strtoull(env, NULL, 0) : KILL_TARGET;
	struct timespec start = {};

	igt_gettime(&start);
	while (k->kills < target && igt_seconds_elapsed(&start) <
	       (env ? 10 : 1) * KILL_BUDGET_S)
		killer_round(k);
	for (int i = 0; i < KILL_SLOTS; i++) {
		if (!k->pid[i])
			continue;	/* never kill(0): our own group */
		kill(k->pid[i], SIGKILL);
		killer_reap(k, i);
	}
	igt_info("%llu victims killed in %.1f s after %llu operations (%d at a time, %d device(s), VSVM_ROBUST_SEED=%u)\n",
		 (unsigned long long)k->kills, igt_nsec_elapsed(&start) / 1e9,
		 (unsigned long long)*victim_ops_done, KILL_SLOTS, num_devs,
		 robust_seed());
	igt_info("a killed victim was reaped after %.1f ms on average, %.1f ms at most\n",
		 k->kills ? k->reap_ns / 1e6 / k->kills : 0, k->reap_max_ns / 1e6);
}

/* Kill victims with VRAM nearly full; returns the evictions meanwhile. */
static int64_t kill_victims(struct killer *k, int fd)
{
	int64_t evicted = evictions(fd);
	uint32_t balloon = vram_balloon(fd, KILL_VRAM_ROOM);

	kill_loop(k);
	vsvm_gem_close(fd, balloon);
	return evictions(fd) - evicted;
}

static void test_kill_anywhere(void)
{
	struct killer k = { .seed = (uint64_t)robust_seed() << 8 | 1 };
	int fds[2] = { -1, -1 };
	struct acct base[2];
	char params[1024];
	int64_t evicted;

	igt_require(vsvm_module_loaded());
	igt_assert_eq(vsvm_module_params(params, sizeof(params)), 0);
	for (int d = 0; d < num_devs; d++) {
		fds[d] = open_dev(d);
		base[d] = acct_read(fds[d]);
	}
	k.rng = k.seed;
	victim_ops_done = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	igt_assert(victim_ops_done != MAP_FAILED);
	active_killer = &k;
	igt_install_exit_handler(killer_exit_handler);
	evicted = kill_victims(&k, fds[0]);
	igt_info("%lld VRAM evictions\n", (long long)evicted);
	igt_assert_lt(0, evicted);
	for (int d = 0; d < num_devs; d++) {
		acct_assert(fds[d], &base[d], "after the kills");
		assert_no_clients(fds[d]);
		close(fds[d]);
	}
	module_reload(params);
}

/* ---- munmap under eviction --------------------------------------------- */

#define EVICT_SECONDS	20
#define EVICT_SPAN	(4 * MiB)

/* Process memory into VRAM, then gone (munmap), over and over. */
static void munmapper(void)
{
	int fd = open_dev(0);
	uint64_t rounds = 0;

	igt_until_timeout(EVICT_SECONDS) {
		uint32_t *p = anon_map(EVICT_SPAN);
		int ret;

		memset(p, 0x6d, EVICT_SPAN);
		ret = svm_migrate_range(fd, p, EVICT_SPAN,
					DRM_VSVM_SVM_TARGET_DEVICE);
		igt_assert_f(!ret || clean_error(ret), "SVM_MIGRATE: %d\n", ret);
		igt_assert_eq(munmap(p, EVICT_SPAN), 0);
		rounds++;
	}
	igt_info("munmapper: %llu rounds\n", (unsigned long long)rounds);
}

/*
 * A move into full VRAM may fail cleanly when what it would evict is busy
 * (-ENOSPC after the busy victims it skips), EVICT_ALL leaves pages in use
 * behind (-EBUSY): 0 or @allowed; count the failures.
 */
static int evicter_step(int ret, int allowed, uint64_t *failed)
{
	igt_assert_f(!ret || ret == allowed, "%d (%s), expected 0 or %d\n",
		     ret, strerror(-ret), allowed);
	*failed += ret != 0;
	return ret;
}

/* Every client's device pages back to system memory (privileged). */
static int evict_all(int fd)
{
	struct drm_vsvm_svm_migrate m = {
		.flags = DRM_VSVM_SVM_MIGRATE_EVICT_ALL,
	};

	return raw_ioctl(fd, DRM_IOCTL_VSVM_SVM_MIGRATE, &m);
}

/*
 * GEM objects and process memory into nearly full VRAM, and EVICT_ALL:
 * evicts the munmappers' pages, by VRAM pressure and by device range.
 */
static void evicter(void)
{
	int fd = open_dev(0);
	uint32_t h = gem_new(fd, EVICT_SPAN, DRM_VSVM_PL_SYSTEM, 0, 21);
	uint32_t *p = anon_map(EVICT_SPAN);
	uint64_t rounds = 0, failed = 0;

	pattern_fill(p, EVICT_SPAN, 5);
	vsvm_gem_write(fd, h, 0, p, EVICT_SPAN);
	igt_until_timeout(EVICT_SECONDS) {
		evicter_step(__vsvm_gem_migrate(fd, h, DRM_VSVM_PL_VRAM, 0,
						EVICT_SPAN, 0, 0), -ENOSPC,
			     &failed);
		vsvm_gem_migrate(fd, h, DRM_VSVM_PL_SYSTEM, 0, EVICT_SPAN);
		evicter_step(svm_migrate_range(fd, p, EVICT_SPAN,
					       DRM_VSVM_SVM_TARGET_DEVICE),
			     -ENOSPC, &failed);
		/* pages in use (munmap, fault) stay: -EBUSY */
		evicter_step(evict_all(fd), -EBUSY, &failed);
		pattern_assert(p, EVICT_SPAN, 5, 0, "evicter's memory");
		rounds++;
	}
	vsvm_gem_read(fd, h, 0, p, EVICT_SPAN);
	pattern_assert(p, EVICT_SPAN, 5, 0, "evicter's object");
	igt_info("evicter: %llu rounds, %llu moves into VRAM or evictions failed cleanly\n",
		 (unsigned long long)rounds, (unsigned long long)failed);
	igt_assert_lt_u64(failed, 3 * rounds);
}

/*
 * Two processes keep munmapping memory they just moved into VRAM while a
 * third keeps evicting it (VRAM is nearly full, and EVICT_ALL): eviction
 * must cope with pages whose mapping goes away under it.
 */
static void test_evict_vs_munmap(void)
{
	int fd = open_dev(0);
	struct acct base = acct_read(fd);
	int64_t evicted = evictions(fd);
	uint32_t balloon = vram_balloon(fd, EVICT_SPAN);

	igt_fork(child, 3) {
		if (child)
			munmapper();
		else
			evicter();
	}
	igt_waitchildren();
	vsvm_gem_close(fd, balloon);
	evicted = evictions(fd) - evicted;
	igt_info("%lld VRAM evictions\n", (long long)evicted);
	acct_assert(fd, &base, "after munmap under eviction");
	close(fd);
	/*
	 * Contended migrations may all give up (-ENOSPC) before evicting:
	 * then the race was not exercised, which is a skip, not a pass.
	 */
	igt_require_f(evicted > 0, "no eviction happened in this run\n");
}

/* ---- the copy engine slowed down ---------------------------------------- */

/*
 * With copies that take a while (vsvm copy_latency_us), a synchronous call
 * that returns before its copies are done shows: chunks still BUSY after a
 * GEM_MIGRATE without ASYNC (gem_placed()).
 */
#define SLOW_COPY_US	20000

static char params_saved[1024];

static void copies_restore(int sig)
{
	(void)sig;
	if (params_saved[0] && !vsvm_module_unload())
		vsvm_module_load(params_saved);
	params_saved[0] = '\0';
}

static void copies_slow(void)
{
	char slow[1100];

	igt_require(vsvm_module_loaded());
	igt_assert_eq(vsvm_module_params(params_saved, sizeof(params_saved)), 0);
	igt_install_exit_handler(copies_restore);
	snprintf(slow, sizeof(slow), "%s copy_latency_us=%d", params_saved,
		 SLOW_COPY_US);
	module_reload(slow);
}

static void copies_normal(void)
{
	sweep_cleanup();
	module_reload(params_saved);
	params_saved[0] = '\0';
}

/* ---- the subtests ------------------------------------------------------- */

static const struct {
	const char *name;
	enum fresh_kind a, b;
} fresh_cases[] = {
	{ "gem-vram", FRESH_VRAM, FRESH_VRAM },
	{ "gem-vram-visible", FRESH_VISIBLE, FRESH_VISIBLE },
	{ "gem-gtt", FRESH_GTT, FRESH_GTT },
	{ "svm", FRESH_SVM, FRESH_SVM },
	{ "svm-then-gem", FRESH_SVM, FRESH_VRAM },
	{ "gem-then-svm", FRESH_VRAM, FRESH_SVM },
};

int igt_main()
{
	igt_fixture() {
		find_devices();
		igt_require_f(num_devs > 0, "no vsvm device\n");
	}

	for (int kind = 0; kind < FI_KINDS; kind++) {
		igt_describe("Each allocation of each allocating path fails in turn (fail-nth): the call returns 0 or -ENOMEM/-ENOSPC/-EINTR, a CPU touch never gets SIGBUS, data stays intact, a retry succeeds, VRAM/GTT/device-page accounting returns to its baseline.");
		igt_subtest_with_dynamic_f("alloc-fail-%s", fi_name[kind]) {
			for (size_t i = 0; i < ARRAY_SIZE(sweep_cases); i++)
				igt_dynamic(sweep_cases[i].name)
					sweep_run(&sweep_cases[i], kind);
		}
	}

	/*
	 * Kernel finding (2026-12-01): when dma_resv_reserve_fences() fails in
	 * drm_svm_migrate_window(), the move fences are not published and a
	 * synchronous GEM_MIGRATE returns 0 with its copies still running.
	 */
	igt_describe("The GEM migration paths of alloc-fail-slab with a slow copy engine: a synchronous migration never returns before its copies are done, whatever allocation failed.");
	igt_subtest_with_dynamic("alloc-fail-slab-slow-copies") {
		copies_slow();
		for (size_t i = 0; i < ARRAY_SIZE(sweep_cases); i++)
			if (sweep_cases[i].op == gem_migrate_op)
				igt_dynamic(sweep_cases[i].name)
					sweep_run(&sweep_cases[i], FI_SLAB);
		copies_normal();
	}

	igt_describe("Clients running GEM and SVM migrations, prefetches, execs and PRIME imports are killed at random moments; afterwards VRAM/GTT accounting is back to its baseline, no client is left and the module unloads.");
	igt_subtest("kill-anywhere")
		test_kill_anywhere();

	igt_describe("One client munmaps memory it just moved into VRAM while another keeps evicting it: no crash, no lost data, accounting back to its baseline.");
	igt_subtest("evict-vs-munmap")
		test_evict_vs_munmap();

	igt_describe("Another client (another file, another process) cannot use this client's GEM handles, mmap offsets, VM ids or syncobjs: ENOENT/EINVAL/EACCES, and this client's objects are untouched.");
	igt_subtest("isolation-ids")
		test_isolation_ids();

	igt_describe("SVM ioctls act on the caller's own address space only: a file bound to another process refuses them, and a second process working at the same addresses changes only its own memory.");
	igt_subtest("isolation-mirror")
		test_isolation_mirror();

	igt_describe("A client fills all of VRAM (or the GTT) with a pattern and exits; a new client's memory of the same kind shows none of it, read by the device (GEM_ACCESS/SVM_ACCESS, exec) and by the CPU.");
	igt_subtest_with_dynamic("fresh-memory") {
		for (size_t i = 0; i < ARRAY_SIZE(fresh_cases); i++)
			igt_dynamic(fresh_cases[i].name)
				test_fresh(fresh_cases[i].a, fresh_cases[i].b);
	}

	igt_describe("A CPU mapping of an object that left visible VRAM (migrated, or evicted by another client) never shows the new owner's VRAM, and writes through it never land there.");
	igt_subtest_with_dynamic("stale-mapping") {
		igt_dynamic("migrated")
			test_stale_mapping(false);
		igt_dynamic("evicted")
			test_stale_mapping(true);
	}
}
