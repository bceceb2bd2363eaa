// SPDX-License-Identifier: MIT
/*
 * Copyright © 2026 The drm-svm authors
 *
 * vsvm_fuzz: the SVM ioctls (device access through the mirror, snapshot,
 * migration and eviction, attributes, prefetch, range listing) on spans of
 * the process's mappings.
 */
#include "fuzz.h"

/* An fd of the table, or -1. */
static int any_fd(struct fuzz_thread *t)
{
	int fd, dev;

	return pick_file(t, &fd, &dev) < 0 ? -1 : fd;
}

/*
 * With --avoid=vram-thrash valid migrations stay small; with
 * --avoid=wild-migrate they stay inside one mapping of the table (not over
 * the fuzzer's own buffers that its threads are using). False: skip it.
 */
static bool tame_move(struct fuzz_thread *t, __u64 addr, __u64 *size)
{
	if (t->invalid)
		return true;
	if ((cfg.avoid & AVOID_VRAM_THRASH) && *size > FUZZ_SMALL_MOVE)
		*size = FUZZ_SMALL_MOVE;
	return !(cfg.avoid & AVOID_WILD_MIGRATE) ||
		span_writable(t, addr, *size);
}

static bool test_ioctl_denied(struct fuzz_thread *t)
{
	return !t->proc->priv && !cfg.test_ioctls;
}

void op_svm_access(struct fuzz_thread *t)
{
	struct drm_vsvm_svm_access a = { 0 };
	int fd = any_fd(t);

	if (fd < 0)
		return;
	a.addr = pick_addr(t, &a.size);
	a.op = rnd_pct(t, 97) ? rnd_below(t, 3) : mut_u64(t);
	if (a.op != DRM_VSVM_SVM_READ && !t->invalid &&
	    !span_writable(t, a.addr, a.size))
		a.op = DRM_VSVM_SVM_READ;
	if (a.op <= DRM_VSVM_SVM_WRITE) {
		if (a.size > FUZZ_SCRATCH && !t->invalid)
			a.size = FUZZ_SCRATCH;
		a.data = mut_ptr(t, t->scratch);
	}
	if (rnd_pct(t, 2))
		a.flags = 1;
	if (a.flags || a.op > 2 || test_ioctl_denied(t))
		fz_set_mut(t, "svm-access", true);
	fz_ioctl(t, fd, DRM_IOCTL_VSVM_SVM_ACCESS, &a);
}

void op_svm_snapshot(struct fuzz_thread *t)
{
	struct drm_vsvm_svm_snapshot s = { 0 };
	__u64 size;
	int fd = any_fd(t);

	if (fd < 0)
		return;
	s.addr = pick_addr(t, &size);
	s.npages = size / FUZZ_PAGE;
	if (!t->invalid && s.npages > FUZZ_SCRATCH)
		s.npages = FUZZ_SCRATCH;
	if (!s.npages)
		fz_set_mut(t, "npages-0", true);
	s.data = mut_ptr(t, t->scratch);
	s.pad = mut_pad(t);
	fz_ioctl(t, fd, DRM_IOCTL_VSVM_SVM_SNAPSHOT, &s);
}

static void evict_all(struct fuzz_thread *t, int fd)
{
	struct drm_vsvm_svm_migrate m = {
		.flags = DRM_VSVM_SVM_MIGRATE_EVICT_ALL,
	};

	if (rnd_pct(t, 5)) {
		m.size = FUZZ_PAGE;
		fz_set_mut(t, "evict-args", true);
	}
	/* unprivileged: the caller's own device pages only, not an error */
	fz_ioctl(t, fd, DRM_IOCTL_VSVM_SVM_MIGRATE, &m);
}

void op_svm_migrate(struct fuzz_thread *t)
{
	struct drm_vsvm_svm_migrate m = { 0 };
	int fd = any_fd(t);

	if (fd < 0)
		return;
	if (!(cfg.avoid & AVOID_EVICT_ALL) && rnd_pct(t, 8))
		return evict_all(t, fd);
	m.addr = pick_addr(t, &m.size);
	if (!tame_move(t, m.addr, &m.size))
		return;
	m.target = rnd_pct(t, 97) ? rnd_below(t, 2) : 2 + rnd_below(t, 100);
	if (rnd_pct(t, 2))
		m.flags = 2u << rnd_below(t, 31);
	m.pad = mut_pad(t);
	if (m.target > 1 || m.flags)
		fz_set_mut(t, "svm-migrate", true);
	fz_ioctl(t, fd, DRM_IOCTL_VSVM_SVM_MIGRATE, &m);
}

void op_svm_madvise(struct fuzz_thread *t)
{
	static const uint32_t max[] = { 2, 1, 1, 2 };
	struct drm_vsvm_svm_madvise a = { 0 };
	int fd = any_fd(t);

	if (fd < 0)
		return;
	a.addr = pick_addr(t, &a.size);
	if (rnd_pct(t, 2)) {		/* the whole address space */
		a.addr = 0;
		a.size = 0x7ffffffff000ull;
		fz_set_mut(t, "everything", false);
	}
	a.attr = rnd_pct(t, 97) ? rnd_below(t, 4) : 4 + rnd_below(t, 100);
	a.value = a.attr < 4 ? rnd_below(t, max[a.attr] + 1) : 0;
	if (rnd_pct(t, 3))
		a.value = mut_u64(t);
	if (rnd_pct(t, 2))
		a.flags = 1;
	a.pad = mut_pad(t);
	if (a.attr > 3 || a.value > max[a.attr] || a.flags)
		fz_set_mut(t, "madvise", true);
	fz_ioctl(t, fd, DRM_IOCTL_VSVM_SVM_MADVISE, &a);
}

void op_svm_prefetch(struct fuzz_thread *t)
{
	struct drm_vsvm_svm_prefetch p = { 0 };
	uint32_t sync;
	int fd = any_fd(t);

	if (fd < 0)
		return;
	p.addr = pick_addr(t, &p.size);
	if (!tame_move(t, p.addr, &p.size))
		return;
	p.target = rnd_pct(t, 97) ? rnd_below(t, 2) : 2 + rnd_below(t, 100);
	p.flags = rnd_below(t, 2);
	if (rnd_pct(t, 2))
		p.flags |= 2u << rnd_below(t, 31);
	if (rnd_pct(t, 50) && pick_sync(t, fd, &sync) >= 0)
		p.out_syncobj = sync;
	p.pad = mut_pad(t);
	if (p.target > 1 || p.flags > 1)
		fz_set_mut(t, "prefetch", true);
	fz_ioctl(t, fd, DRM_IOCTL_VSVM_SVM_PREFETCH, &p);
}

void op_svm_ranges(struct fuzz_thread *t)
{
	struct drm_vsvm_svm_ranges r = { 0 };
	size_t cap = FUZZ_SCRATCH / sizeof(struct drm_vsvm_svm_range_info);
	int fd = any_fd(t);

	if (fd < 0)
		return;
	r.addr = pick_addr(t, &r.size);
	r.count = rnd_pct(t, 30) ? 0 : rnd_below(t, 64);
	r.ranges = mut_ptr(t, t->scratch);
	if (rnd_pct(t, 3)) {
		r.count = mut_u64(t);
		if (r.count > cap)
			r.ranges = 0;
	}
	if (rnd_pct(t, 2))
		r.flags = 1;
	if (r.count > 65536 || r.flags)
		fz_set_mut(t, "ranges", true);
	fz_ioctl(t, fd, DRM_IOCTL_VSVM_SVM_RANGES, &r);
}
