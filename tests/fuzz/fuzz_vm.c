// SPDX-License-Identifier: MIT
/*
 * Copyright © 2026 The drm-svm authors
 *
 * vsvm_fuzz: VMs (create, destroy, bind, query), execs of command buffers
 * on the compute engine, and the syncobj operations around them.
 */
#include <errno.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "fuzz.h"

/* GEM objects are bound in this GPU VA window, away from CPU mappings. */
#define GPU_WINDOW	0x100000000000ull
#define GPU_SLOTS	256
#define GPU_SLOT	(8ull << 20)

void op_vm_create(struct fuzz_thread *t)
{
	struct drm_vsvm_vm_create c = { 0 };
	int fd, dev;

	if (pick_file(t, &fd, &dev) < 0)
		return;
	c.flags = rnd_below(t, 2);
	if (rnd_pct(t, 3)) {
		c.flags |= 2u << rnd_below(t, 31);
		fz_set_mut(t, "vm-flags", true);
	}
	if (rnd_pct(t, 3)) {
		c.pad = 1;
		fz_set_mut(t, "pad", true);
	}
	if (fz_ioctl(t, fd, DRM_IOCTL_VSVM_VM_CREATE, &c))
		return;
	if (!c.vm_id)
		fz_fail(t, "VM_CREATE returned vm_id 0 (the uAPI says never 0)");
	add_vm(t, fd, c.vm_id, c.flags & DRM_VSVM_VM_CREATE_FAULT_MODE);
}

void op_vm_destroy(struct fuzz_thread *t)
{
	struct drm_vsvm_vm_destroy d = { 0 };
	struct fuzz_vm vm;
	int fd, i = pick_vm(t, &vm, &fd);

	if (i < 0)
		return;
	d.vm_id = vm.id;
	if (rnd_pct(t, 5))
		d.vm_id = rnd_pct(t, 50) ? 0 : (uint32_t)mut_u64(t);
	if (!d.vm_id && (cfg.avoid & AVOID_VM_ID0))
		d.vm_id = 1u << 31;
	if (d.vm_id == vm.id)
		drop_vm(t, i);
	if (!d.vm_id)
		fz_set_mut(t, "vm-0", true);
	d.pad = mut_pad(t);
	fz_ioctl(t, fd, DRM_IOCTL_VSVM_VM_DESTROY, &d);
}

/* An object of the file @fd (a few tries), or -1. */
static int pick_bo_of(struct fuzz_thread *t, int fd, struct fuzz_bo *bo)
{
	int i, bfd;

	for (i = 0; i < 8; i++)
		if (pick_bo(t, bo, &bfd) >= 0 && (bfd == fd || i == 7))
			return 0;
	return -1;
}

static void bind_map(struct fuzz_thread *t, int fd,
		     struct drm_vsvm_vm_bind *b)
{
	struct fuzz_bo bo;
	uint64_t pages;

	if (pick_bo_of(t, fd, &bo))
		return;
	pages = (bo.size + FUZZ_PAGE - 1) / FUZZ_PAGE;
	b->handle = bo.handle;
	b->addr = GPU_WINDOW + rnd_below(t, GPU_SLOTS) * GPU_SLOT;
	b->obj_offset = rnd_below(t, pages) * FUZZ_PAGE;
	b->range = (1 + rnd_below(t, pages - b->obj_offset / FUZZ_PAGE)) *
		FUZZ_PAGE;
	if (b->range > GPU_SLOT)
		b->range = GPU_SLOT;
	if (rnd_pct(t, 5))
		b->range = mut_size(t, b->range);
}

static void bind_other(struct fuzz_thread *t, struct drm_vsvm_vm_bind *b)
{
	if (b->op == DRM_VSVM_VM_BIND_OP_UNMAP && rnd_pct(t, 50)) {
		b->addr = GPU_WINDOW + rnd_below(t, GPU_SLOTS) * GPU_SLOT;
		b->range = GPU_SLOT * (1 + rnd_below(t, 4));
		return;
	}
	b->addr = pick_addr(t, &b->range);
}

void op_vm_bind(struct fuzz_thread *t)
{
	struct drm_vsvm_vm_bind b = { 0 };
	struct fuzz_vm vm;
	int fd;

	if (pick_vm(t, &vm, &fd) < 0)
		return;
	b.vm_id = vm.id;
	b.op = rnd_pct(t, 98) ? rnd_below(t, 3) : 3 + rnd_below(t, 100);
	if (b.op == DRM_VSVM_VM_BIND_OP_MAP)
		bind_map(t, fd, &b);
	else
		bind_other(t, &b);
	if (b.op != DRM_VSVM_VM_BIND_OP_UNMAP && rnd_pct(t, 20))
		b.flags = DRM_VSVM_VM_BIND_FLAG_READONLY;
	if (rnd_pct(t, 2))
		b.flags |= 2u << rnd_below(t, 31);
	/* not vm.fault_mode: ids of destroyed VMs come back in the other mode */
	if (b.op > 2 || b.flags > 1 || !b.range)
		fz_set_mut(t, "bind", true);
	fz_ioctl(t, fd, DRM_IOCTL_VSVM_VM_BIND, &b);
}

void op_vm_query(struct fuzz_thread *t)
{
	struct drm_vsvm_vm_query q = { 0 };
	struct fuzz_vm vm;
	int fd;

	if (pick_vm(t, &vm, &fd) < 0)
		return;
	q.vm_id = rnd_pct(t, 95) ? vm.id : (uint32_t)mut_u64(t);
	if (rnd_pct(t, 2)) {
		q.flags = 1;
		fz_set_mut(t, "flags", true);
	}
	q.pad = mut_pad(t);
	fz_ioctl(t, fd, DRM_IOCTL_VSVM_VM_QUERY, &q);
}

/* A device address of @size bytes for a command; *wr: may write it. */
static uint64_t exec_va(struct fuzz_thread *t, const struct fuzz_vm *vm,
			__u64 *size, bool write)
{
	uint64_t va;

	if (!vm->fault_mode && rnd_pct(t, 50)) {
		*size = FUZZ_PAGE * (1 + rnd_below(t, 64));
		return GPU_WINDOW + rnd_below(t, GPU_SLOTS) * GPU_SLOT +
			rnd_below(t, 16) * FUZZ_PAGE;
	}
	va = pick_addr(t, size);
	t->invalid = false;	/* judged by the command checks below */
	t->mut = NULL;
	if (*size > (1ull << 20))
		*size = 1ull << 20;
	if (write && !span_writable(t, va, *size))
		return 0;	/* a hole at 0: the job stops with -EFAULT */
	return va;
}

/* Arguments of ATOMIC_INC, STRIDED and RANDOM over @size bytes. */
static void exec_cmd_args(struct fuzz_thread *t, struct drm_vsvm_cmd *c,
			  __u64 size)
{
	switch (c->op) {
	case DRM_VSVM_CMD_ATOMIC_INC:
		c->arg[1] = size / 4;
		break;
	case DRM_VSVM_CMD_STRIDED:
		c->arg[2] = 4 << rnd_below(t, 8);
		c->arg[1] = size / c->arg[2] ?: 1;
		c->arg[3] = (uint32_t)rnd(t);
		break;
	default:	/* RANDOM */
		c->arg[1] = size;
		c->arg[2] = 1 + rnd_below(t, 512);
		c->arg[3] = rnd(t) | 1;
		c->arg[4] = (uint32_t)rnd(t);
		break;
	}
}

static void exec_cmd(struct fuzz_thread *t, const struct fuzz_vm *vm,
		     struct drm_vsvm_cmd *c)
{
	__u64 size, other;

	c->op = 1 + rnd_below(t, DRM_VSVM_CMD_COUNT - 1);
	c->arg[0] = exec_va(t, vm, &size, c->op != DRM_VSVM_CMD_CHECKSUM);
	switch (c->op) {
	case DRM_VSVM_CMD_FILL:
		c->arg[1] = size;
		c->arg[2] = (uint32_t)rnd(t);
		break;
	case DRM_VSVM_CMD_COPY:
		c->arg[1] = exec_va(t, vm, &other, false);
		c->arg[2] = other < size ? other : size;
		break;
	case DRM_VSVM_CMD_ADD:
		c->arg[1] = exec_va(t, vm, &other, false);
		size = other < size ? other : size;
		c->arg[2] = exec_va(t, vm, &other, false);
		c->arg[3] = (other < size ? other : size) / 4;
		break;
	case DRM_VSVM_CMD_CHECKSUM:
		c->arg[1] = size;
		c->arg[2] = (uintptr_t)t->scratch;
		break;
	default:
		exec_cmd_args(t, c, size);
		break;
	}
}

/* Break a rule the submission checks (mostly surely invalid). */
static void exec_mutate(struct fuzz_thread *t, struct drm_vsvm_cmd *c)
{
	bool invalid = true;

	switch (rnd_below(t, 5)) {
	case 0:
		c->op = rnd_pct(t, 50) ? 0 : DRM_VSVM_CMD_COUNT + rnd_below(t, 9);
		break;
	case 1:
		c->flags = 1u << rnd_below(t, 32);
		break;
	case 2:		/* an unused argument, or RANDOM's flags */
		if (c->op == DRM_VSVM_CMD_RANDOM)
			c->flags = 1;
		else
			c->arg[4] = 1;
		break;
	case 3:		/* a range that wraps */
		c->arg[0] = ~0ull - 3;
		c->arg[1] = c->arg[1] ?: 4;
		break;
	default:	/* misaligned */
		c->arg[0] |= 1;
		invalid = c->op != DRM_VSVM_CMD_COPY &&
			c->op != DRM_VSVM_CMD_CHECKSUM;
		break;
	}
	fz_set_mut(t, "bad-cmd", invalid);
}

static uint32_t exec_syncs(struct fuzz_thread *t, int fd, uint32_t *in)
{
	uint32_t n = rnd_pct(t, 60) ? 0 : 1 + rnd_below(t, 4), i;

	for (i = 0; i < n; i++)
		if (pick_sync(t, fd, &in[i]) < 0)
			in[i] = rnd_pct(t, 50) ? 0 : (uint32_t)mut_u64(t);
	return n;
}

void op_exec(struct fuzz_thread *t)
{
	struct drm_vsvm_cmd cmds[8] = { 0 };
	struct drm_vsvm_exec e = { 0 };
	uint32_t in[4] = { 0 }, n, i;
	struct fuzz_vm vm;
	int fd;

	if (pick_vm(t, &vm, &fd) < 0)
		return;
	n = 1 + rnd_below(t, 8);
	for (i = 0; i < n; i++)
		exec_cmd(t, &vm, &cmds[i]);
	e.vm_id = vm.id;
	e.cmds = (uintptr_t)cmds;
	e.cmds_size = n * sizeof(cmds[0]);
	e.num_in_syncobjs = exec_syncs(t, fd, in);
	e.in_syncobjs = mut_ptr(t, in);
	if (rnd_pct(t, 50))
		pick_sync(t, fd, &e.out_syncobj);
	if (rnd_pct(t, 4))
		exec_mutate(t, &cmds[rnd_below(t, n)]);
	if (rnd_pct(t, 2)) {
		e.cmds_size = rnd_pct(t, 50) ? 0 : e.cmds_size - 1;
		fz_set_mut(t, "cmds-size", true);
	}
	fz_ioctl(t, fd, DRM_IOCTL_VSVM_EXEC, &e);
}

/* Wait for a syncobj (0, or -errno such as -ETIME). */
int fz_syncobj_wait(int fd, uint32_t handle, int64_t timeout_ms)
{
	struct timespec ts;
	struct drm_syncobj_wait w = {
		.handles = (uintptr_t)&handle,
		.count_handles = 1,
		.flags = DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT,
	};

	clock_gettime(CLOCK_MONOTONIC, &ts);
	w.timeout_nsec = ts.tv_sec * 1000000000ll + ts.tv_nsec +
		timeout_ms * 1000000ll;
	return ioctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, &w) ? -errno : 0;
}

static void sync_create(struct fuzz_thread *t, int fd)
{
	struct drm_syncobj_create c = { 0 };

	c.flags = rnd_below(t, 2) ? DRM_SYNCOBJ_CREATE_SIGNALED : 0;
	if (!fz_ioctl(t, fd, DRM_IOCTL_SYNCOBJ_CREATE, &c))
		add_sync(t, fd, c.handle);
}

static void sync_export(struct fuzz_thread *t, int fd, uint32_t h)
{
	struct drm_syncobj_handle e = {
		.handle = h,
		.flags = DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE,
		.fd = -1,
	};
	struct pollfd p = { .events = POLLIN };

	if (fz_ioctl(t, fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &e))
		return;
	p.fd = e.fd;
	poll(&p, 1, rnd_below(t, 20));
	close(e.fd);
}

void op_syncobj(struct fuzz_thread *t)
{
	struct drm_syncobj_array a = { .count_handles = 1 };
	struct drm_syncobj_destroy d = { 0 };
	int fd, dev, i;
	uint32_t h;

	if (pick_file(t, &fd, &dev) < 0)
		return;
	i = pick_sync(t, fd, &h);
	if (i < 0 || rnd_pct(t, 20))
		return sync_create(t, fd);
	a.handles = (uintptr_t)&h;
	switch (rnd_below(t, 5)) {
	case 0:
		d.handle = h;
		drop_sync(t, i);
		fz_ioctl(t, fd, DRM_IOCTL_SYNCOBJ_DESTROY, &d);
		break;
	case 1:
		fz_count(t, -fz_syncobj_wait(fd, h, rnd_below(t, 50)));
		break;
	case 2:
		fz_ioctl(t, fd, DRM_IOCTL_SYNCOBJ_RESET, &a);
		break;
	case 3:
		fz_ioctl(t, fd, DRM_IOCTL_SYNCOBJ_SIGNAL, &a);
		break;
	default:
		sync_export(t, fd, h);
	}
}
