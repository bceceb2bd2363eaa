// SPDX-License-Identifier: MIT
/*
 * Copyright © 2026 The drm-svm authors
 *
 * vsvm_fuzz: tracked buffers. Each thread owns an SVM buffer and a GEM
 * object with a shadow copy, in its own files and in a reserved region
 * that the other ops never write. Their data moves between system memory
 * and both devices' VRAM (migrate, prefetch, eviction, fork) and is
 * compared with the shadow on every CPU, device and exec read.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuzz.h"

#define TRACK_RES	(16ull << 20)
#define TRACK_ALIGN	(2ull << 20)
#define TRACK_SVM	(2ull << 20)
#define TRACK_BO	(1ull << 20)

#define TR(t)	(&(t)->track)

static bool may_test_ioctl(struct fuzz_thread *t)
{
	return t->proc->priv || cfg.test_ioctls;
}

static void *map_fixed(void *at, size_t size, int fd, uint64_t offset)
{
	int flags = MAP_FIXED | (fd < 0 ? MAP_PRIVATE | MAP_ANONYMOUS :
				 MAP_SHARED);
	void *p = mmap(at, size, PROT_READ | PROT_WRITE, flags, fd, offset);

	return p == MAP_FAILED ? NULL : p;
}

static uint32_t track_bo_create(int fd, uint32_t flags)
{
	struct drm_vsvm_gem_create c = {
		.size = TRACK_BO, .placements = 7, .flags = flags,
	};

	return ioctl(fd, DRM_IOCTL_VSVM_GEM_CREATE, &c) ? 0 : c.handle;
}

/*
 * The object exported once, before any thread fuzzes, and imported on the
 * other device: a dma-buf fd made later could take the number of one that
 * another thread closed and still uses.
 */
static void track_bo_import(struct fuzz_thread *t)
{
	struct drm_prime_handle e = {
		.handle = TR(t)->bo, .flags = DRM_CLOEXEC | DRM_RDWR,
	};
	struct drm_prime_handle i = { 0 };

	if ((cfg.avoid & AVOID_PRIME_EXPORT) ||
	    ioctl(TR(t)->fd[0], DRM_IOCTL_PRIME_HANDLE_TO_FD, &e))
		return;
	i.fd = e.fd;
	if (!ioctl(TR(t)->fd[1], DRM_IOCTL_PRIME_FD_TO_HANDLE, &i))
		TR(t)->bo_import = i.handle;
	TR(t)->dmabuf = e.fd;
}

/* The GEM object, mapped at a fixed place of the reservation. */
static int track_bo_init(struct fuzz_thread *t, char *at)
{
	struct drm_vsvm_gem_mmap_offset mo = { 0 };

	TR(t)->bo = track_bo_create(TR(t)->fd[0], rnd_below(t, 4));
	mo.handle = TR(t)->bo;
	if (!mo.handle ||
	    ioctl(TR(t)->fd[0], DRM_IOCTL_VSVM_GEM_MMAP_OFFSET, &mo))
		return -1;
	TR(t)->bo_size = TRACK_BO;
	TR(t)->bo_map = map_fixed(at, TRACK_BO, TR(t)->fd[0], mo.offset);
	TR(t)->bo_shadow = malloc(TRACK_BO);
	if (!TR(t)->bo_map || !TR(t)->bo_shadow)
		return -1;
	memset(TR(t)->bo_map, 0x5a, TRACK_BO);
	memset(TR(t)->bo_shadow, 0x5a, TRACK_BO);
	track_bo_import(t);
	return 0;
}

static int track_dev_init(struct fuzz_thread *t)
{
	struct drm_vsvm_vm_create vc = {
		.flags = DRM_VSVM_VM_CREATE_FAULT_MODE,
	};
	struct drm_syncobj_create sc = { 0 };
	int d;

	for (d = 0; d < FUZZ_MAX_DEVS; d++)
		TR(t)->fd[d] = fz_open_dev(d < cfg.ndev ? d : 0);
	if (TR(t)->fd[0] < 0 || TR(t)->fd[1] < 0 ||
	    ioctl(TR(t)->fd[0], DRM_IOCTL_VSVM_VM_CREATE, &vc) ||
	    ioctl(TR(t)->fd[0], DRM_IOCTL_SYNCOBJ_CREATE, &sc))
		return -1;
	TR(t)->fvm = vc.vm_id;
	TR(t)->sync = sc.handle;
	return 0;
}

/* Set up the thread's scratch buffer and tracked buffers. */
int track_init(struct fuzz_thread *t)
{
	char *res, *base;

	t->scratch = mmap(NULL, FUZZ_SCRATCH, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	res = mmap(NULL, TRACK_RES + TRACK_ALIGN, PROT_NONE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (t->scratch == MAP_FAILED || res == MAP_FAILED)
		return -1;
	TR(t)->res = res;
	TR(t)->res_size = TRACK_RES + TRACK_ALIGN;
	add_tracked(t, res, TR(t)->res_size);
	base = (char *)(((uintptr_t)res + TRACK_ALIGN - 1) & ~(TRACK_ALIGN - 1));
	TR(t)->svm = map_fixed(base, TRACK_SVM, -1, 0);
	TR(t)->result = map_fixed(base + 2 * TRACK_ALIGN, FUZZ_PAGE, -1, 0);
	TR(t)->rbuf = map_fixed(base + 6 * TRACK_ALIGN, TRACK_SVM + FUZZ_PAGE,
				-1, 0);
	TR(t)->rbuf2 = map_fixed(base + 5 * TRACK_ALIGN, FUZZ_PAGE, -1, 0);
	TR(t)->svm_shadow = malloc(TRACK_SVM);
	if (!TR(t)->svm || !TR(t)->result || !TR(t)->svm_shadow ||
	    !TR(t)->rbuf || !TR(t)->rbuf2 ||
	    track_dev_init(t))
		return -1;
	TR(t)->svm_size = TRACK_SVM;
	memset(TR(t)->svm, 0xa5, TRACK_SVM);
	memset(TR(t)->svm_shadow, 0xa5, TRACK_SVM);
	return track_bo_init(t, base + 4 * TRACK_ALIGN);
}

void track_fini(struct fuzz_thread *t)
{
	int d;

	for (d = 0; d < FUZZ_MAX_DEVS; d++)
		if (TR(t)->fd[d] > 0)
			close(TR(t)->fd[d]);
	if (TR(t)->dmabuf > 0)
		close(TR(t)->dmabuf);
	free(TR(t)->svm_shadow);
	free(TR(t)->bo_shadow);
	TR(t)->svm_size = 0;
	TR(t)->bo_size = 0;
}

/* A random span of @size: page-aligned when @aligned. */
static void span(struct fuzz_thread *t, size_t size, bool aligned,
		 size_t *off, size_t *len)
{
	size_t unit = aligned ? FUZZ_PAGE : 1;
	size_t n = size / unit;

	*off = rnd_below(t, n) * unit;
	*len = (1 + rnd_below(t, n - *off / unit)) * unit;
	if (rnd_pct(t, 30)) {
		*off = 0;
		*len = size;
	}
}

/* Compare @len bytes at @got with the shadow; a difference is a finding. */
static void verify(struct fuzz_thread *t, const char *what, const char *got,
		   const char *shadow, size_t off, size_t len)
{
	size_t i;

	atomic_fetch_add(&shm->checks, 1);
	if (!memcmp(got, shadow + off, len))
		return;
	for (i = 0; i < len && got[i] == shadow[off + i]; i++)
		;
	fz_fail(t, "%s: byte %zu of [%zu, +%zu) is 0x%02x, wrote 0x%02x",
		what, off + i, off, len, (unsigned char)got[i],
		(unsigned char)shadow[off + i]);
}

/* CPU writes of fresh bytes into a tracked buffer and its shadow. */
static void cpu_write(struct fuzz_thread *t, char *buf, char *shadow,
		      size_t size)
{
	size_t off, len, i;
	uint64_t v = rnd(t);

	span(t, size, false, &off, &len);
	for (i = 0; i < len; i++)
		shadow[off + i] = (char)(v + i * 7);
	memcpy(buf + off, shadow + off, len);
	fz_count(t, 0);
}

static void cpu_verify(struct fuzz_thread *t, const char *what,
		       const char *buf, const char *shadow, size_t size)
{
	size_t off, len;

	span(t, size, false, &off, &len);
	verify(t, what, buf + off, shadow, off, len);
	fz_count(t, 0);
}

static void svm_migrate_step(struct fuzz_thread *t)
{
	struct drm_vsvm_svm_migrate m = { 0 };
	size_t off, len;

	span(t, TR(t)->svm_size, true, &off, &len);
	m.addr = (uintptr_t)TR(t)->svm + off;
	m.size = len;
	m.target = rnd_below(t, 2);
	fz_ioctl(t, TR(t)->fd[rnd_below(t, 2)], DRM_IOCTL_VSVM_SVM_MIGRATE,
		 &m);
}

/* A prefetch left in flight (or waited for) under the next accesses. */
static void svm_prefetch_step(struct fuzz_thread *t)
{
	struct drm_vsvm_svm_prefetch p = { 0 };
	int d = rnd_below(t, 2);
	size_t off, len;

	span(t, TR(t)->svm_size, true, &off, &len);
	p.addr = (uintptr_t)TR(t)->svm + off;
	p.size = len;
	p.target = rnd_below(t, 2);
	p.flags = rnd_below(t, 2);
	p.out_syncobj = d ? 0 : TR(t)->sync;
	fz_ioctl(t, TR(t)->fd[d], DRM_IOCTL_VSVM_SVM_PREFETCH, &p);
}

static uint64_t fnv1a(const char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 0x100000001b3ull;
	return h;
}

/* One command in the tracked fault-mode VM, waited for: 0 or -errno. */
static int exec_wait(struct fuzz_thread *t, struct drm_vsvm_cmd *cmd)
{
	struct drm_vsvm_exec e = {
		.vm_id = TR(t)->fvm, .cmds = (uintptr_t)cmd,
		.cmds_size = sizeof(*cmd), .out_syncobj = TR(t)->sync,
	};
	struct drm_vsvm_vm_query q = { .vm_id = TR(t)->fvm };
	int ret = fz_ioctl(t, TR(t)->fd[0], DRM_IOCTL_VSVM_EXEC, &e);

	if (ret)
		return ret;
	ret = fz_syncobj_wait(TR(t)->fd[0], TR(t)->sync, 45000);
	fz_count(t, -ret);
	if (ret)
		return ret;
	ret = fz_ioctl(t, TR(t)->fd[0], DRM_IOCTL_VSVM_VM_QUERY, &q);
	if (!ret && q.error_seqno == e.seqno)
		ret = q.error;
	return ret;
}

static void exec_checksum_step(struct fuzz_thread *t)
{
	struct drm_vsvm_cmd c = { .op = DRM_VSVM_CMD_CHECKSUM };
	size_t off, len;
	uint64_t want;
	int ret;

	span(t, TR(t)->svm_size, false, &off, &len);
	*TR(t)->result = 0;
	c.arg[0] = (uintptr_t)TR(t)->svm + off;
	c.arg[1] = len;
	c.arg[2] = (uintptr_t)TR(t)->result;
	ret = exec_wait(t, &c);
	if (ret) {
		fz_fail(t, "checksum exec on tracked memory failed: %d", ret);
		return;
	}
	want = fnv1a(TR(t)->svm_shadow + off, len);
	atomic_fetch_add(&shm->checks, 1);
	if (*TR(t)->result != want)
		fz_fail(t, "exec checksum of [%zu, +%zu): 0x%llx, want 0x%llx",
			off, len, (unsigned long long)*TR(t)->result,
			(unsigned long long)want);
}

static void exec_fill_step(struct fuzz_thread *t)
{
	struct drm_vsvm_cmd c = { .op = DRM_VSVM_CMD_FILL };
	uint32_t v = rnd(t);
	size_t off, len, i;
	int ret;

	span(t, TR(t)->svm_size / 4, false, &off, &len);
	c.arg[0] = (uintptr_t)TR(t)->svm + off * 4;
	c.arg[1] = len * 4;
	c.arg[2] = v;
	ret = exec_wait(t, &c);
	if (ret) {
		fz_fail(t, "fill exec on tracked memory failed: %d", ret);
		return;
	}
	for (i = 0; i < len; i++)
		memcpy(TR(t)->svm_shadow + (off + i) * 4, &v, 4);
}

/* The thread's last calls, after a finding. */
static void dump_calls(struct fuzz_thread *t)
{
	struct fuzz_beat *b = &shm->beat[t->slot];
	unsigned int n = atomic_load(&b->log_next), i;

	for (i = n > FUZZ_LOG_LINES ? n - FUZZ_LOG_LINES : 0; i < n; i++)
		fprintf(stderr, "fuzz:   slot %u call %u: %s\n", t->slot, i,
			b->log[i % FUZZ_LOG_LINES]);
}

/* Snapshot bytes of @npages pages at @addr through @fd, as hex. */
static void snap_str(int fd, const char *addr, size_t npages, char *out,
		     size_t outsz)
{
	unsigned char prot[16] = { 0 };
	struct drm_vsvm_svm_snapshot sn = {
		.addr = (uintptr_t)addr, .npages = npages > 16 ? 16 : npages,
		.data = (uintptr_t)prot,
	};
	size_t i, o = 0;

	if (ioctl(fd, DRM_IOCTL_VSVM_SVM_SNAPSHOT, &sn)) {
		snprintf(out, outsz, "err %d", errno);
		return;
	}
	for (i = 0; i < sn.npages && o + 4 < outsz; i++)
		o += snprintf(out + o, outsz - o, "%02x ", prot[i]);
}

/* Read [@off, +@len) of the SVM buffer into @buf through device @d. */
static int svm_read_into(struct fuzz_thread *t, int d, char *buf, size_t off,
			 size_t len)
{
	struct drm_vsvm_svm_access a = {
		.op = DRM_VSVM_SVM_READ, .addr = (uintptr_t)TR(t)->svm + off,
		.size = len, .data = (uintptr_t)buf,
	};

	memset(buf, 0xee, len);
	return ioctl(TR(t)->fd[d], DRM_IOCTL_VSVM_SVM_ACCESS, &a) ? -errno : 0;
}

/*
 * The device read other data than the shadow: is the memory itself wrong
 * (the CPU sees it too), only the device's view of it, or the buffer the
 * data was copied into?
 */
static void svm_read_diagnose(struct fuzz_thread *t, const char *got, int d,
			      size_t off, size_t len)
{
	const char *sh = TR(t)->svm_shadow;
	size_t i, j, page, nee = 0, nbad = 0;
	char snap[80], ssnap[80], again[2][40];
	int e;

	for (i = 0; i < len && got[i] == sh[off + i]; i++)
		;
	page = (off + i) & ~(FUZZ_PAGE - 1);
	for (j = page - off; j < page - off + FUZZ_PAGE && j < len; j++) {
		nbad += got[j] != sh[off + j];
		nee += (unsigned char)got[j] == 0xee;
	}
	snap_str(TR(t)->fd[0], TR(t)->svm + page, 1, snap, sizeof(snap));
	snap_str(TR(t)->fd[0], got + (page - off), 1, ssnap, sizeof(ssnap));
	for (e = 0; e < 2; e++) {
		int ret = svm_read_into(t, e, TR(t)->rbuf2, page, FUZZ_PAGE);

		snprintf(again[e], sizeof(again[e]), "%s(%d)",
			 ret ? "err" : memcmp(TR(t)->rbuf2, sh + page,
					      FUZZ_PAGE) ? "WRONG" : "right",
			 ret);
	}
	fprintf(stderr, "fuzz: svm read diag slot %u: dev %d off %zu len %zu page %zu: first bad byte %zu got 0x%02x want 0x%02x, %zu bad, %zu 0xee in page; got bytes %02x %02x %02x %02x %02x %02x %02x %02x; tracked snapshot %s; buffer page snapshot %s; re-read dev0 %s dev1 %s; CPU reads it %s\n",
		t->slot, d, off, len,
		page, off + i, (unsigned char)got[i], (unsigned char)sh[off + i],
		nbad, nee, (unsigned char)got[i], (unsigned char)got[i + 1],
		(unsigned char)got[i + 2], (unsigned char)got[i + 3],
		(unsigned char)got[i + 4], (unsigned char)got[i + 5],
		(unsigned char)got[i + 6], (unsigned char)got[i + 7], snap,
		ssnap, again[0], again[1],
		memcmp(TR(t)->svm + page, sh + page, FUZZ_PAGE) ? "wrong too" :
		"right");
	dump_calls(t);
	fz_fail(t, "svm device read: page at %zu (snapshot %s) differs; re-read dev0 %s dev1 %s",
		page, snap, again[0], again[1]);
}

/*
 * Into the thread's private read buffer: the scratch buffer is no place
 * for data to verify, the thread's other ops leave device writes to it in
 * flight (the result of an EXEC CHECKSUM lands there when the job runs).
 */
static void svm_read_step(struct fuzz_thread *t)
{
	struct drm_vsvm_svm_access a = { .op = DRM_VSVM_SVM_READ };
	char *buf = TR(t)->rbuf;
	size_t off, len;
	int d;

	span(t, TR(t)->svm_size, true, &off, &len);
	d = rnd_below(t, 2);
	a.addr = (uintptr_t)TR(t)->svm + off;
	a.size = len;
	a.data = (uintptr_t)buf;
	memset(buf, 0xee, len);	/* 0xee in a finding: no copy-out */
	if (fz_ioctl(t, TR(t)->fd[d], DRM_IOCTL_VSVM_SVM_ACCESS, &a))
		return;
	if (memcmp(buf, TR(t)->svm_shadow + off, len))
		svm_read_diagnose(t, buf, d, off, len);
	else
		atomic_fetch_add(&shm->checks, 1);
}

static void evict_step(struct fuzz_thread *t)
{
	struct drm_vsvm_svm_migrate m = {
		.flags = DRM_VSVM_SVM_MIGRATE_EVICT_ALL,
	};

	fz_ioctl(t, TR(t)->fd[rnd_below(t, 2)], DRM_IOCTL_VSVM_SVM_MIGRATE,
		 &m);
}

static void bo_migrate_step(struct fuzz_thread *t)
{
	struct drm_vsvm_gem_migrate m = { .handle = TR(t)->bo };
	size_t off, len;

	span(t, TR(t)->bo_size, true, &off, &len);
	m.offset = off;
	m.size = len;
	m.placement = rnd_below(t, 3);
	m.flags = rnd_below(t, 2);
	if (m.placement == DRM_VSVM_PL_VRAM && rnd_pct(t, 30))
		m.flags |= DRM_VSVM_MIGRATE_VISIBLE;
	fz_ioctl(t, TR(t)->fd[0], DRM_IOCTL_VSVM_GEM_MIGRATE, &m);
}

/* The device reads the object (through @fd: ours or an import). */
static void bo_read(struct fuzz_thread *t, int fd, uint32_t handle,
		    const char *what)
{
	struct drm_vsvm_gem_access a = {
		.handle = handle, .op = DRM_VSVM_ACCESS_READ,
	};
	size_t off, len;

	span(t, TR(t)->bo_size, false, &off, &len);
	a.offset = off;
	a.size = len;
	a.data = (uintptr_t)TR(t)->rbuf;
	memset(TR(t)->rbuf, 0xee, len);
	if (!fz_ioctl(t, fd, DRM_IOCTL_VSVM_GEM_ACCESS, &a))
		verify(t, what, TR(t)->rbuf, TR(t)->bo_shadow, off, len);
}

/* The other device reads the object through its PRIME import. */
static void bo_prime_step(struct fuzz_thread *t)
{
	if (TR(t)->bo_import)
		bo_read(t, TR(t)->fd[1], TR(t)->bo_import, "prime import read");
}

/* A forked child sees the data as it was (COW of device memory too). */
static void fork_verify_step(struct fuzz_thread *t)
{
	int status = 0;
	pid_t pid = fork();

	fz_count(t, pid < 0 ? errno : 0);
	if (pid < 0)
		return;
	if (!pid)
		_exit(memcmp(TR(t)->svm, TR(t)->svm_shadow, TR(t)->svm_size) ? 1 :
		      memcmp(TR(t)->bo_map, TR(t)->bo_shadow, TR(t)->bo_size) ?
		      2 : 0);
	atomic_store(&shm->beat[t->slot].child, pid);
	waitpid(pid, &status, 0);
	atomic_store(&shm->beat[t->slot].child, 0);
	atomic_fetch_add(&shm->checks, 1);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		fz_fail(t, "forked child saw other data (status 0x%x)", status);
}

/* One step on the thread's tracked buffers. */
void op_track(struct fuzz_thread *t)
{
	bool priv = may_test_ioctl(t);

	if (!TR(t)->svm_size || !TR(t)->bo_size)
		return;
	switch (rnd_below(t, 16)) {
	case 0: return cpu_write(t, TR(t)->svm, TR(t)->svm_shadow, TRACK_SVM);
	case 1: return cpu_verify(t, "svm cpu read", TR(t)->svm,
				  TR(t)->svm_shadow, TRACK_SVM);
	case 2: return svm_migrate_step(t);
	case 3: return svm_prefetch_step(t);
	case 4: return exec_checksum_step(t);
	case 5: return exec_fill_step(t);
	case 6: return priv ? svm_read_step(t) : svm_migrate_step(t);
	case 7: return !(cfg.avoid & AVOID_EVICT_ALL) ?
		evict_step(t) : svm_prefetch_step(t);
	case 8: return cpu_write(t, TR(t)->bo_map, TR(t)->bo_shadow, TRACK_BO);
	case 9: return cpu_verify(t, "gem cpu read", TR(t)->bo_map,
				  TR(t)->bo_shadow, TRACK_BO);
	case 10:
	case 11: return bo_migrate_step(t);
	case 12: return priv ? bo_read(t, TR(t)->fd[0], TR(t)->bo,
				       "gem device read") : bo_migrate_step(t);
	case 13: return priv ? bo_prime_step(t) : bo_migrate_step(t);
	case 14: return (cfg.avoid & AVOID_FORK) ? cpu_verify(t,
		"svm cpu read", TR(t)->svm, TR(t)->svm_shadow, TRACK_SVM) :
		fork_verify_step(t);
	default: return cpu_verify(t, "gem cpu read", TR(t)->bo_map,
				   TR(t)->bo_shadow, TRACK_BO);
	}
}
