// SPDX-License-Identifier: MIT
/*
 * Copyright © 2026 The drm-svm authors
 *
 * vsvm_fuzz: GEM objects (create, mmap, migrate, residency, device access,
 * close), PRIME export and import across the two devices, dma-buf mmap.
 */
#include <errno.h>
#include <linux/dma-buf.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"

#define HUGE_OBJECT	(64ull << 20)
#define MAX_GEM_MAP	(16ull << 20)

/* @real, or a surely invalid (0) or stale/foreign handle. */
static uint32_t mut_handle(struct fuzz_thread *t, uint32_t real)
{
	switch (rnd_below(t, 25)) {
	case 0:
		fz_set_mut(t, "handle-0", true);
		return 0;
	case 1:
		return real + 1;
	case 2:
		return (uint32_t)mut_u64(t);
	default:
		return real;
	}
}

void op_get_param(struct fuzz_thread *t)
{
	struct drm_vsvm_get_param gp = { 0 };
	int fd, dev;

	if (pick_file(t, &fd, &dev) < 0)
		return;
	gp.param = rnd_below(t, DRM_VSVM_PARAM_COUNT + 2);
	if (gp.param >= DRM_VSVM_PARAM_COUNT)
		fz_set_mut(t, "param", true);
	gp.pad = mut_pad(t);
	fz_ioctl(t, fd, DRM_IOCTL_VSVM_GET_PARAM, &gp);
}

static uint64_t create_size(struct fuzz_thread *t)
{
	static const uint64_t sizes[] = {
		4096, 8192, 65536, 1 << 20, 2 << 20, (2 << 20) + 4096,
		4 << 20, 8 << 20,
	};
	uint64_t s = sizes[rnd_below(t, sizeof(sizes) / sizeof(*sizes))];

	if (rnd_pct(t, 3) && !(cfg.avoid & AVOID_VRAM_THRASH))
		return 1ull << (31 + rnd_below(t, 10));	/* huge: 2 GiB-1 TiB */
	return rnd_pct(t, 15) ? mut_size(t, s) : s;
}

/* Whether @c breaks a rule of the uAPI documentation. */
static bool create_invalid(const struct drm_vsvm_gem_create *c)
{
	return c->pad || !c->size || c->size > (1ull << 40) ||
		!c->placements || c->placements & ~7u ||
		c->preferred > 2 || !(c->placements & (1u << c->preferred)) ||
		c->flags & ~3u || c->chunk_shift > 30 ||
		(c->chunk_shift && c->chunk_shift < 12);
}

void op_gem_create(struct fuzz_thread *t)
{
	struct drm_vsvm_gem_create c = { 0 };
	int fd, dev;

	if (pick_file(t, &fd, &dev) < 0)
		return;
	c.size = create_size(t);
	c.placements = rnd_pct(t, 95) ? 1 + rnd_below(t, 7) : mut_u64(t);
	c.preferred = rnd_pct(t, 95) ? rnd_below(t, 3) : mut_u64(t);
	c.flags = rnd_pct(t, 95) ? rnd_below(t, 4) : mut_u64(t);
	c.chunk_shift = rnd_pct(t, 60) ? 0 : 12 + rnd_below(t, 10);
	if (rnd_pct(t, 3))
		c.chunk_shift = mut_u64(t);
	c.pad = mut_pad(t);
	fz_set_mut(t, "create", create_invalid(&c));
	if (!fz_ioctl(t, fd, DRM_IOCTL_VSVM_GEM_CREATE, &c))
		add_bo(t, fd, c.handle, c.size, c.placements, false);
}

void op_gem_mmap(struct fuzz_thread *t)
{
	struct drm_vsvm_gem_mmap_offset mo = { 0 };
	struct fuzz_bo bo;
	uint64_t size;
	void *p;
	int fd;

	if (pick_bo(t, &bo, &fd) < 0)
		return;
	mo.handle = mut_handle(t, bo.handle);
	if (rnd_pct(t, 3)) {
		mo.flags = 1u << rnd_below(t, 32);
		fz_set_mut(t, "flags", true);
	}
	if (fz_ioctl(t, fd, DRM_IOCTL_VSVM_GEM_MMAP_OFFSET, &mo))
		return;
	size = bo.size < MAX_GEM_MAP ? bo.size : MAX_GEM_MAP;
	size = (size + FUZZ_PAGE - 1) & ~(FUZZ_PAGE - 1);
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 mo.offset);
	fz_count(t, p == MAP_FAILED ? errno : 0);
	if (p != MAP_FAILED)
		add_map(t, p, size, true, true);
}

/* A byte range of an object: mostly whole chunks, sometimes off. */
static void obj_range(struct fuzz_thread *t, const struct fuzz_bo *bo,
		      __u64 *offset, __u64 *size)
{
	uint64_t pages = (bo->size + FUZZ_PAGE - 1) / FUZZ_PAGE;

	*offset = rnd_below(t, pages) * FUZZ_PAGE;
	*size = bo->size - *offset;
	if (rnd_pct(t, 50))
		*size = (1 + rnd_below(t, pages - *offset / FUZZ_PAGE)) *
			FUZZ_PAGE;
	if ((cfg.avoid & AVOID_HUGE_POPULATE) && *size > HUGE_OBJECT)
		*size = HUGE_OBJECT;
	if ((cfg.avoid & AVOID_VRAM_THRASH) && *size > FUZZ_SMALL_MOVE)
		*size = FUZZ_SMALL_MOVE;
	if (rnd_pct(t, 10))
		*size = mut_size(t, *size);
	if (rnd_pct(t, 5))
		*offset = mut_size(t, *offset);
}

void op_gem_migrate(struct fuzz_thread *t)
{
	struct drm_vsvm_gem_migrate m = { 0 };
	struct fuzz_bo bo;
	uint32_t sync = 0;
	int fd;

	if (pick_bo(t, &bo, &fd) < 0)
		return;
	m.handle = mut_handle(t, bo.handle);
	m.placement = rnd_pct(t, 97) ? rnd_below(t, 3) : 3 + rnd_below(t, 30);
	obj_range(t, &bo, &m.offset, &m.size);
	m.flags = rnd_below(t, 4);
	if (rnd_pct(t, 3))
		m.flags |= 4u << rnd_below(t, 29);
	if (rnd_pct(t, 40) && pick_sync(t, fd, &sync) >= 0)
		m.out_syncobj = rnd_pct(t, 95) ? sync : mut_u64(t);
	fz_set_mut(t, "migrate", m.placement > 2 || m.flags > 3 || !m.size ||
		   !m.handle);
	fz_ioctl(t, fd, DRM_IOCTL_VSVM_GEM_MIGRATE, &m);
}

void op_gem_residency(struct fuzz_thread *t)
{
	struct drm_vsvm_chunk_state st[64];
	struct drm_vsvm_gem_residency r = { 0 };
	struct fuzz_bo bo;
	int fd;

	if (pick_bo(t, &bo, &fd) < 0)
		return;
	r.handle = mut_handle(t, bo.handle);
	r.count = rnd_pct(t, 20) ? 0 : 1 + rnd_below(t, 64);
	r.chunks = mut_ptr(t, st);
	if (rnd_pct(t, 3))
		r.count = mut_u64(t);	/* more than st[] holds: bad pointer */
	if (r.count > 64)
		r.chunks = 0;
	r.pad = mut_pad(t);
	fz_ioctl(t, fd, DRM_IOCTL_VSVM_GEM_RESIDENCY, &r);
}

/* A privileged call from an unprivileged process must fail. */
static bool test_ioctl_denied(struct fuzz_thread *t)
{
	return !t->proc->priv && !cfg.test_ioctls;
}

void op_gem_access(struct fuzz_thread *t)
{
	static __thread char buf[256 << 10];
	struct drm_vsvm_gem_access a = { 0 };
	struct fuzz_bo bo;
	int fd;

	if (pick_bo(t, &bo, &fd) < 0)
		return;
	a.handle = mut_handle(t, bo.handle);
	a.op = rnd_pct(t, 97) ? rnd_below(t, 3) : mut_u64(t);
	obj_range(t, &bo, &a.offset, &a.size);
	if (a.op != DRM_VSVM_ACCESS_FILL && a.size > sizeof(buf))
		a.size = sizeof(buf);
	if (a.op == DRM_VSVM_ACCESS_FILL)
		a.value = rnd(t);
	else
		a.data = mut_ptr(t, buf);
	if (rnd_pct(t, 2))
		a.flags = 1;
	fz_set_mut(t, "access", a.flags || a.op > 2 || !a.size || !a.handle ||
		   test_ioctl_denied(t));
	fz_ioctl(t, fd, DRM_IOCTL_VSVM_GEM_ACCESS, &a);
}

void op_gem_close(struct fuzz_thread *t)
{
	struct drm_gem_close c = { 0 };
	struct fuzz_bo bo;
	int fd, i = pick_bo(t, &bo, &fd);

	if (i < 0)
		return;
	c.handle = mut_handle(t, bo.handle);
	if (c.handle == bo.handle)
		drop_bo(t, i);
	fz_ioctl(t, fd, DRM_IOCTL_GEM_CLOSE, &c);
}

void op_prime_export(struct fuzz_thread *t)
{
	struct drm_prime_handle h = { .flags = DRM_CLOEXEC | DRM_RDWR };
	struct fuzz_bo bo;
	int fd, dev;

	if ((cfg.avoid & AVOID_PRIME_EXPORT) || pick_bo(t, &bo, &fd) < 0)
		return;
	h.handle = mut_handle(t, bo.handle);
	if (rnd_pct(t, 3)) {
		h.flags |= 0x100000u << rnd_below(t, 11);	/* not O_CLOEXEC */
		fz_set_mut(t, "prime-flags", true);
	}
	if (fz_ioctl(t, fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &h))
		return;
	pthread_mutex_lock(&t->proc->lock);
	dev = t->proc->files[bo.file].dev;
	pthread_mutex_unlock(&t->proc->lock);
	add_dmabuf(t, h.fd, dev, bo.size);
}

void op_prime_import(struct fuzz_thread *t)
{
	struct drm_prime_handle h = { 0 };
	struct fuzz_dmabuf d;
	int fd, dev;

	if (pick_dmabuf(t, &d) < 0 || pick_file(t, &fd, &dev) < 0)
		return;
	if ((cfg.avoid & AVOID_HUGE_IMPORT) && d.size > HUGE_OBJECT)
		return;
	h.fd = d.fd;
	if (rnd_pct(t, 3)) {
		h.fd = -1;
		fz_set_mut(t, "bad-fd", true);
	}
	if (!fz_ioctl(t, fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &h))
		add_bo(t, fd, h.handle, d.size, 1, dev != d.dev);
}

static void dmabuf_sync(struct fuzz_thread *t, int fd, uint64_t flags)
{
	struct dma_buf_sync s = { .flags = flags };

	fz_ioctl(t, fd, DMA_BUF_IOCTL_SYNC, &s);
}

/* mmap of a dma-buf (the exporter's GEM mapping), or closing it. */
void op_dmabuf_mmap(struct fuzz_thread *t)
{
	struct fuzz_dmabuf d;
	uint64_t size;
	char *p;
	int i = pick_dmabuf(t, &d);

	if (i < 0)
		return;
	if (rnd_pct(t, 30)) {
		if (take_dmabuf(t, i, &d))
			fz_count(t, close(d.fd) ? errno : 0);
		return;
	}
	size = d.size < MAX_GEM_MAP ? d.size : MAX_GEM_MAP;
	size = (size + FUZZ_PAGE - 1) & ~(FUZZ_PAGE - 1);
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, d.fd, 0);
	fz_count(t, p == MAP_FAILED ? errno : 0);
	if (p == MAP_FAILED)
		return;
	dmabuf_sync(t, d.fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW);
	fz_cpu_access(t, p, size, rnd_pct(t, 50));
	dmabuf_sync(t, d.fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);
	add_map(t, p, size, true, true);
}
