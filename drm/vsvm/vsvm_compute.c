// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright © 2026 The drm-svm authors
 */

#include <linux/delay.h>
#include <linux/dma-resv.h>
#include <linux/highmem.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/uaccess.h>
#include <linux/wait_bit.h>

#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_print.h>
#include <drm/drm_syncobj.h>

#include "vsvm_compute.h"
#include "vsvm_drv.h"

/**
 * DOC: vsvm compute engine
 *
 * The compute engine is one drm_sched scheduler per device; each VM has an
 * entity on it (its queue). Jobs handed to the hardware (run_job) join
 * their VM's ring (&vsvm_vm.ring) and start when the jobs before them in
 * the ring are done: a VM's execs run in order, also when one stops on a
 * fault, while different VMs interleave. The finished fences are marked
 * %DRM_SCHED_FENCE_DONT_PIPELINE, so a job that depends on another job of
 * this scheduler waits for it to finish, not just to start. A job is a
 * copy of the user's command buffer plus its progress: the index of the
 * current command and how far into it the engine got.
 *
 * The engine works on GPU virtual addresses one piece at a time; a piece
 * never crosses a page of any operand. Each piece is translated through the
 * VM: a &drm_gpuva of an object gives the object offset, and the piece is
 * done in the object's current placement through drm_svm_bo_device_op()
 * (which waits for a move in flight and populates an empty chunk); a
 * mirrored address is looked up in the SVM context's device page table
 * (vsvm_svm_lookup()). A piece is applied completely, or not at all, and
 * only then counted as progress: a job can stop between any two pieces and
 * resume later without applying anything twice (ADD and ATOMIC_INC
 * included); a read that was done before a later operand faulted is simply
 * done again on replay.
 *
 * Device faults: a missing device page-table entry for mirrored memory (or
 * one without the write or atomic permission the access needs) stops the
 * job and queues a fault on the VM. Like a GPU whose other lanes fault at
 * the same time, the engine then walks ahead over the rest of the job
 * without applying anything and queues every other missing page it meets,
 * up to fault_lookahead (a module parameter) pieces. The VM's fault worker drains the whole
 * queue at once (one batch), sorts it, merges neighbouring pages into
 * ranges, resolves each range with vsvm_svm_fault() and replays the stopped
 * jobs from where they stopped. A fault that cannot be resolved (no VMA,
 * PROT_NONE, write to read-only memory) completes the job with that error
 * on its fence; so does an address outside every binding of a bind-mode VM
 * and a write through a read-only binding, without a fault.
 *
 * Locking and ordering:
 *
 * - &vsvm_vm.lock (outermost) is held by the engine while it runs a slice
 *   of a job, and by binds: translations cannot change under a piece. A
 *   job runs in time slices (VSVM_SLICE_NS): after one it goes on in the
 *   VM's worker (as after a fault, without resolving anything), so the
 *   device's one scheduler runs other VMs' jobs meanwhile, and binds of
 *   its own VM get the lock between slices. The ioctls take the lock
 *   interruptibly, and a VM's destruction stops the job
 *   (&vsvm_vm.cancelled) before taking it.
 * - Inside it, one of: &drm_svm_mirror.lock (taken by vsvm_svm_lookup()'s
 *   callers; invalidations erase device entries under the same lock, so
 *   the page of a piece cannot be unmapped or freed while the engine
 *   touches it: invalidation needs no further TLB flush) or an object's
 *   reservation lock (inside drm_svm_bo_device_op()). The engine never
 *   holds both: a copy between the two goes through a bounce buffer.
 * - The fault worker resolves faults without &vsvm_vm.lock (the helper
 *   takes the mmap lock and the mirror lock), then replays jobs, which
 *   takes &vsvm_vm.lock like the scheduler's run_job does.
 * - &vsvm_vm.fault_lock (a spinlock) protects the fault queue, the list
 *   of stopped jobs and the ring; nothing is taken inside it. The job at
 *   the head of a ring is run by exactly one context at a time: run_job
 *   when it joins an empty ring, or whoever completes its predecessor
 *   (run_job or the fault worker), or the fault worker after a fault.
 *
 * Implicit sync with other drivers: at submission, every object bound in
 * the VM that is shared through dma-buf (an import, or an object of ours
 * that was exported) contributes the fences of its reservation object as
 * dependencies (all of them: a job may write); the reservation locks are
 * taken one object at a time with no other lock of ours held. Once the
 * job is queued its finished fence goes into every bound object's
 * reservation as a write (vsvm_exec_implicit_fence()), outside
 * &vsvm_vm.submit_lock, because the job itself takes the reservation lock
 * of an import to access its pages (drm_svm_import_walk()). Objects bound
 * after the exec was submitted are not synchronised with it.
 *
 * Lifetime: the job holds a reference on its VM; the scheduler frees the
 * job after its fence has signalled. A stopped job belongs to the VM's
 * fault list until it is replayed.
 *
 * Teardown: destroying a VM (VM_DESTROY, closing the file, the process
 * exiting or being killed) cancels its queue, as xe and panthor kill an
 * exec queue, and never waits for anything the client controls (in-fences
 * from syncobjs or sync_files of other processes, user-sized commands,
 * faults). vsvm_compute_vm_cancel() sets &vsvm_vm.cancelled; the engine
 * checks it before every piece, so the running job stops within one piece
 * and the jobs after it in the ring complete at once, all with -ECANCELED.
 * drm_sched_entity_fini() then kills the jobs still in the entity (never
 * run; their finished fences signal -ESRCH once their own dependencies
 * have, so nothing waiting on them runs early), with the device's
 * scheduler paused (&vsvm_compute.pause_lock, taken with no other lock of
 * ours held) after the run_job() in progress; the fault worker stops at its next range and is
 * disabled, and the jobs it held are cancelled. The only waits are for the
 * piece and the fault range in progress. Killed jobs still hold their VM
 * reference (not its mappings, nor the SVM context, which they never
 * touch); &vsvm_compute.live lets the device's teardown wait for them.
 */

/* Pieces looked at ahead of a fault, to batch the faults of a job. */
static unsigned int fault_lookahead = 512;
module_param(fault_lookahead, uint, 0644);
MODULE_PARM_DESC(fault_lookahead,
		 "Pieces the compute engine looks at after a device fault to queue more faults in the same batch (default 512, 0: one fault per batch)");
/*
 * Testing only (root): the scheduler sleeps this long between picking a VM's
 * queue and taking its job, so that tests can land a VM's destruction in
 * that window (vsvm_exec@destroy-picked).
 */
static unsigned int sched_pick_delay_ms;
module_param(sched_pick_delay_ms, uint, 0600);
MODULE_PARM_DESC(sched_pick_delay_ms,
		 "Testing only: delay in ms (at most 1000) between the scheduler picking a VM's queue and taking its next job (default 0)");

/* Faults at one place without progress before the job fails (-EBUSY). */
#define VSVM_MAX_STUCK		64
/* Size of the per-job bounce buffers. */
#define VSVM_BOUNCE		(2 * PAGE_SIZE)

/* Result of a step: the piece could not be done, a fault is queued. */
#define VSVM_MISS		1
/* Result of a step: the command is complete. */
#define VSVM_DONE		2
/* Result of a pass: the job used its time slice, it goes on later. */
#define VSVM_YIELD		3
/* Time slice of a job before it lets the engine run other VMs' jobs. */
#define VSVM_SLICE_NS		(2 * NSEC_PER_MSEC)

/**
 * struct vsvm_cmd_state - progress inside one command
 */
struct vsvm_cmd_state {
	/** @pos: bytes or elements done. */
	u64 pos;
	/** @aux: running hash (CHECKSUM) or generator state (RANDOM). */
	u64 aux;
};

/**
 * struct vsvm_exec_job - one exec on the compute engine
 */
struct vsvm_exec_job {
	/** @base: the scheduler job. */
	struct drm_sched_job base;
	/** @vm: the VM (a reference). */
	struct vsvm_vm *vm;
	/** @hw_fence: signalled when the job completes or fails. */
	struct dma_fence *hw_fence;
	/** @fault_link: in &vsvm_vm.fault_jobs while stopped. */
	struct list_head fault_link;
	/** @ring_link: in &vsvm_vm.ring from run_job to completion. */
	struct list_head ring_link;
	/** @cmds: the commands. */
	struct drm_vsvm_cmd *cmds;
	/** @ncmds: number of @cmds. */
	u32 ncmds;
	/** @cur: the command being executed. */
	u32 cur;
	/** @st: progress in @cur. */
	struct vsvm_cmd_state st;
	/** @seqno: the exec's number in its VM. */
	u64 seqno;
	/** @fault: the fault that stopped the job. */
	struct vsvm_fault fault;
	/** @fault_st: progress when it stopped, to detect no progress. */
	struct vsvm_cmd_state fault_st;
	/** @fault_cmd: command when it stopped. */
	u32 fault_cmd;
	/** @stuck: consecutive faults without progress. */
	u32 stuck;
	/** @yielded: parked after its time slice, not on a fault. */
	bool yielded;
	/** @atomic_start: start of the range last resolved for atomics. */
	unsigned long atomic_start;
	/** @atomic_end: its end (exclusive), 0: none. */
	unsigned long atomic_end;
	/** @bounce: two pages for operands. */
	u8 *bounce;
	/** @error: negative errno when the job failed. */
	int error;
	/** @error_addr: the address that failed. */
	u64 error_addr;
};

/**
 * struct vsvm_cx - execution context of one pass over a job
 */
struct vsvm_cx {
	/** @job: the job. */
	struct vsvm_exec_job *job;
	/** @vm: its VM. */
	struct vsvm_vm *vm;
	/** @probe: only look for missing pages, apply nothing. */
	bool probe;
	/** @budget: pieces left to probe. */
	unsigned int budget;
	/** @fault: the first miss of a pass. */
	struct vsvm_fault fault;
	/** @error_addr: the address of an error. */
	u64 error_addr;
};

enum vsvm_acc {
	VSVM_ACC_READ,
	VSVM_ACC_WRITE,
	VSVM_ACC_FILL,
	VSVM_ACC_INC,
};

struct vsvm_piece {
	enum vsvm_acc acc;
	void *buf;
	u32 value;
};

static void vsvm_piece_fn(void *vaddr, size_t n, void *arg)
{
	struct vsvm_piece *p = arg;
	u32 *w = vaddr;
	size_t i;

	switch (p->acc) {
	case VSVM_ACC_READ:
		memcpy(p->buf, vaddr, n);
		p->buf += n;
		break;
	case VSVM_ACC_WRITE:
		memcpy(vaddr, p->buf, n);
		p->buf += n;
		break;
	case VSVM_ACC_FILL:
		memset32(w, p->value, n / 4);
		break;
	case VSVM_ACC_INC:
		for (i = 0; i < n / 4; i++)
			atomic_inc((atomic_t *)&w[i]);
		break;
	}
}

static void vsvm_queue_fault(struct vsvm_vm *vm, unsigned long addr,
			     unsigned int flags)
{
	spin_lock(&vm->fault_lock);
	if (vm->nfaults && vm->faults[vm->nfaults - 1].addr == addr) {
		vm->faults[vm->nfaults - 1].flags |= flags;
	} else if (vm->nfaults < VSVM_FAULT_QUEUE) {
		vm->faults[vm->nfaults].addr = addr;
		vm->faults[vm->nfaults].flags = flags;
		vm->nfaults++;
		atomic64_inc(&vm->stats.faults);
	}
	/* A full queue drops the fault: the job takes it again on replay. */
	spin_unlock(&vm->fault_lock);
}

static unsigned int vsvm_acc_need(enum vsvm_acc acc)
{
	if (acc == VSVM_ACC_INC)
		return VSVM_PT_WRITE | VSVM_PT_ATOMIC;
	return acc == VSVM_ACC_READ ? 0 : VSVM_PT_WRITE;
}

static unsigned int vsvm_acc_fault(enum vsvm_acc acc)
{
	if (acc == VSVM_ACC_INC)
		return VSVM_FAULT_WRITE | VSVM_FAULT_ATOMIC;
	return acc == VSVM_ACC_READ ? 0 : VSVM_FAULT_WRITE;
}

/*
 * A piece of mirrored memory, under the mirror lock. An atomic access in a
 * range the fault handler just resolved for atomics, where the SVM policy
 * did not make device-atomic entries (it may leave system memory where it
 * is and let the device use the link's atomics), is done on the writable
 * entry: a locked read-modify-write, atomic for the CPU too.
 */
static int vsvm_svm_piece(struct vsvm_cx *cx, struct vsvm_svm *svm, u64 va,
			  size_t n, struct vsvm_piece *p)
{
	unsigned long addr = va & PAGE_MASK;
	struct page *page;
	void *vaddr;

	mutex_lock(&svm->mirror.lock);
	page = vsvm_svm_lookup(svm, addr, vsvm_acc_need(p->acc));
	if (!page && p->acc == VSVM_ACC_INC && !cx->probe &&
	    addr >= cx->job->atomic_start && addr < cx->job->atomic_end)
		page = vsvm_svm_lookup(svm, addr, VSVM_PT_WRITE);
	if (!page) {
		mutex_unlock(&svm->mirror.lock);
		vsvm_queue_fault(cx->vm, addr, vsvm_acc_fault(p->acc));
		if (cx->probe)
			return 0;
		cx->fault.addr = addr;
		cx->fault.flags = vsvm_acc_fault(p->acc);
		return VSVM_MISS;
	}
	if (!cx->probe) {
		vaddr = kmap_local_page(page);
		vsvm_piece_fn(vaddr + offset_in_page(va), n, p);
		kunmap_local(vaddr);
	}
	mutex_unlock(&svm->mirror.lock);
	return 0;
}

/*
 * Do one piece (inside one page) at @va. Returns 0, VSVM_MISS or -errno
 * (-EFAULT: nothing there; -EPERM: read-only).
 */
static int vsvm_access(struct vsvm_cx *cx, u64 va, size_t n,
		       struct vsvm_piece *p)
{
	struct vsvm_vm *vm = cx->vm;
	struct drm_gpuva *gva;
	int ret;

	lockdep_assert_held(&vm->lock);
	if (cx->probe) {
		if (!cx->budget ||
		    READ_ONCE(cx->vm->nfaults) >= VSVM_FAULT_QUEUE)
			return -ENOSPC;
		cx->budget--;
	}
	gva = drm_gpuva_find_first(&vm->gpuvm, va, 1);
	if (gva && p->acc != VSVM_ACC_READ && gva->flags & VSVM_VA_READONLY) {
		ret = -EPERM;
		goto err;
	}
	if (gva && gva->gem.obj) {
		struct drm_svm_bo *bo = to_drm_svm_bo(gva->gem.obj);

		if (cx->probe)
			return 0;
		ret = drm_svm_bo_device_op(bo, va - gva->va.addr +
					   gva->gem.offset, n,
					   vsvm_piece_fn, p);
		if (ret)
			goto err;
		return 0;
	}
	if ((gva && gva->flags & VSVM_VA_MIRROR) || (!gva && vm->fault_mode))
		return vsvm_svm_piece(cx, vm->svm, va, n, p);
	ret = -EFAULT;
err:
	cx->error_addr = va;
	return ret;
}

static int vsvm_read(struct vsvm_cx *cx, u64 va, void *buf, size_t n)
{
	struct vsvm_piece p = { .acc = VSVM_ACC_READ, .buf = buf };

	return vsvm_access(cx, va, n, &p);
}

static int vsvm_write(struct vsvm_cx *cx, u64 va, void *buf, size_t n)
{
	struct vsvm_piece p = { .acc = VSVM_ACC_WRITE, .buf = buf };

	return vsvm_access(cx, va, n, &p);
}

static int vsvm_fill(struct vsvm_cx *cx, u64 va, size_t n, u32 value)
{
	struct vsvm_piece p = { .acc = VSVM_ACC_FILL, .value = value };

	return vsvm_access(cx, va, n, &p);
}

/* Bytes from @va to the end of its page, at most @left. */
static size_t vsvm_seg(u64 va, u64 left)
{
	return min_t(u64, left, PAGE_SIZE - offset_in_page(va));
}

#define VSVM_FNV_BASIS	0xcbf29ce484222325ull
#define VSVM_FNV_PRIME	0x100000001b3ull

static u64 vsvm_xorshift(u64 x)
{
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return x;
}

static void vsvm_cmd_start(const struct drm_vsvm_cmd *cmd,
			   struct vsvm_cmd_state *st)
{
	st->pos = 0;
	st->aux = 0;
	if (cmd->op == DRM_VSVM_CMD_CHECKSUM)
		st->aux = VSVM_FNV_BASIS;
	else if (cmd->op == DRM_VSVM_CMD_RANDOM)
		st->aux = cmd->arg[3];
}

static int vsvm_step_copy(struct vsvm_cx *cx, const u64 *arg,
			  struct vsvm_cmd_state *st)
{
	u64 d = arg[0] + st->pos, s = arg[1] + st->pos;
	size_t n = min(vsvm_seg(d, arg[2] - st->pos), vsvm_seg(s, PAGE_SIZE));
	u8 *buf = cx->job->bounce;
	int ret;

	ret = vsvm_read(cx, s, buf, n) ?: vsvm_write(cx, d, buf, n);
	if (ret)
		return ret;
	st->pos += n;
	return st->pos == arg[2] ? VSVM_DONE : 0;
}

static int vsvm_step_add(struct vsvm_cx *cx, const u64 *arg,
			 struct vsvm_cmd_state *st)
{
	u64 off = st->pos * 4;
	size_t n = vsvm_seg(arg[0] + off, (arg[3] - st->pos) * 4);
	u32 *a = (u32 *)cx->job->bounce;
	u32 *b = (u32 *)(cx->job->bounce + PAGE_SIZE);
	size_t i;
	int ret;

	n = min(n, vsvm_seg(arg[1] + off, PAGE_SIZE));
	n = min(n, vsvm_seg(arg[2] + off, PAGE_SIZE));
	ret = vsvm_read(cx, arg[1] + off, a, n) ?:
		vsvm_read(cx, arg[2] + off, b, n);
	if (ret)
		return ret;
	for (i = 0; i < n / 4; i++)
		a[i] += b[i];
	ret = vsvm_write(cx, arg[0] + off, a, n);
	if (ret)
		return ret;
	st->pos += n / 4;
	return st->pos == arg[3] ? VSVM_DONE : 0;
}

static int vsvm_step_checksum(struct vsvm_cx *cx, const u64 *arg,
			      struct vsvm_cmd_state *st)
{
	u8 *buf = cx->job->bounce;
	u64 h = st->aux;
	size_t n, i;
	int ret;

	if (st->pos == arg[1]) {
		ret = vsvm_write(cx, arg[2], &h, sizeof(h));
		return ret ?: VSVM_DONE;
	}
	n = vsvm_seg(arg[0] + st->pos, arg[1] - st->pos);
	ret = vsvm_read(cx, arg[0] + st->pos, buf, n);
	if (ret)
		return ret;
	for (i = 0; i < n; i++)
		h = (h ^ buf[i]) * VSVM_FNV_PRIME;
	st->aux = h;
	st->pos += n;
	return 0;
}

static int vsvm_step_inc(struct vsvm_cx *cx, const u64 *arg,
			 struct vsvm_cmd_state *st)
{
	u64 va = arg[0] + st->pos * 4;
	size_t n = vsvm_seg(va, (arg[1] - st->pos) * 4);
	struct vsvm_piece p = { .acc = VSVM_ACC_INC };
	int ret;

	ret = vsvm_access(cx, va, n, &p);
	if (ret)
		return ret;
	st->pos += n / 4;
	return st->pos == arg[1] ? VSVM_DONE : 0;
}

static int vsvm_step_strided(struct vsvm_cx *cx, const u64 *arg,
			     struct vsvm_cmd_state *st)
{
	int ret = vsvm_fill(cx, arg[0] + st->pos * arg[2], 4, arg[3]);

	if (ret)
		return ret;
	return ++st->pos == arg[1] ? VSVM_DONE : 0;
}

static int vsvm_step_random(struct vsvm_cx *cx, const u64 *arg,
			    struct vsvm_cmd_state *st)
{
	u64 x = vsvm_xorshift(st->aux);
	int ret;

	ret = vsvm_fill(cx, arg[0] + 4 * (x % (arg[1] / 4)), 4, arg[4]);
	if (ret)
		return ret;
	st->aux = x;
	return ++st->pos == arg[2] ? VSVM_DONE : 0;
}

/* One piece of @cmd: 0 (progress), VSVM_DONE, VSVM_MISS or -errno. */
static int vsvm_step(struct vsvm_cx *cx, const struct drm_vsvm_cmd *cmd,
		     struct vsvm_cmd_state *st)
{
	const u64 *arg = cmd->arg;
	int ret;

	switch (cmd->op) {
	case DRM_VSVM_CMD_FILL:
		ret = vsvm_fill(cx, arg[0] + st->pos,
				vsvm_seg(arg[0] + st->pos, arg[1] - st->pos),
				arg[2]);
		if (ret)
			return ret;
		st->pos += vsvm_seg(arg[0] + st->pos, arg[1] - st->pos);
		return st->pos == arg[1] ? VSVM_DONE : 0;
	case DRM_VSVM_CMD_COPY:
		return vsvm_step_copy(cx, arg, st);
	case DRM_VSVM_CMD_ADD:
		return vsvm_step_add(cx, arg, st);
	case DRM_VSVM_CMD_CHECKSUM:
		return vsvm_step_checksum(cx, arg, st);
	case DRM_VSVM_CMD_ATOMIC_INC:
		return vsvm_step_inc(cx, arg, st);
	case DRM_VSVM_CMD_STRIDED:
		return vsvm_step_strided(cx, arg, st);
	case DRM_VSVM_CMD_RANDOM:
		return vsvm_step_random(cx, arg, st);
	}
	return -EINVAL;	/* not reached: commands are checked at submission */
}

/*
 * After a miss: walk the rest of the job without applying anything and
 * queue the other pages it would fault on, as the engine's other lanes
 * would.
 */
static void vsvm_probe(struct vsvm_exec_job *job)
{
	struct vsvm_cx cx = {
		.job = job, .vm = job->vm, .probe = true,
		.budget = READ_ONCE(fault_lookahead),
	};
	struct vsvm_cmd_state st = job->st;
	u32 cur = job->cur;
	int ret = 0;

	while (cur < job->ncmds && ret >= 0) {
		ret = vsvm_step(&cx, &job->cmds[cur], &st);
		if (ret == VSVM_DONE && ++cur < job->ncmds)
			vsvm_cmd_start(&job->cmds[cur], &st);
	}
}

/*
 * Complete @job: record its error, take it off the VM's ring and signal
 * its fence. Returns the VM's next job to start, or NULL.
 */
static struct vsvm_exec_job *vsvm_job_complete(struct vsvm_exec_job *job)
{
	struct vsvm_vm *vm = job->vm;
	struct dma_fence *fence = job->hw_fence;
	struct vsvm_exec_job *next;

	if (job->error) {
		vsvm_vm_error(vm, job->seqno, job->error, job->error_addr,
			      job->cur);
		atomic64_inc(&vm->stats.failed);
		dma_fence_set_error(fence, job->error);
	}
	atomic64_inc(&vm->stats.completed);
	spin_lock(&vm->fault_lock);
	list_del(&job->ring_link);
	next = list_first_entry_or_null(&vm->ring, struct vsvm_exec_job,
					ring_link);
	spin_unlock(&vm->fault_lock);
	dma_fence_signal(fence);
	return next;
}

/* Is @vm being destroyed? Its jobs stop at their next piece. */
static bool vsvm_vm_cancelled(struct vsvm_vm *vm)
{
	return READ_ONCE(vm->cancelled);
}

/*
 * Execute @cx's job piece by piece until it completes, misses or fails,
 * its VM is destroyed (-ECANCELED, checked before every piece: a piece is
 * short and bounded) or its time slice is over (VSVM_YIELD: the engine is
 * shared by every VM of the device). Returns VSVM_DONE, VSVM_MISS,
 * VSVM_YIELD or -errno.
 */
static int vsvm_job_steps(struct vsvm_cx *cx)
{
	u64 end = ktime_get_ns() + VSVM_SLICE_NS;
	struct vsvm_exec_job *job = cx->job;
	unsigned long pieces = 0;

	lockdep_assert_held(&cx->vm->lock);
	while (job->cur < job->ncmds) {
		int ret;

		if (vsvm_vm_cancelled(cx->vm))
			return -ECANCELED;
		ret = vsvm_step(cx, &job->cmds[job->cur], &job->st);
		if (ret < 0 || ret == VSVM_MISS)
			return ret;
		if (ret == VSVM_DONE && ++job->cur < job->ncmds)
			vsvm_cmd_start(&job->cmds[job->cur], &job->st);
		if (!(++pieces & 63) && job->cur < job->ncmds &&
		    ktime_get_ns() > end)
			return VSVM_YIELD;
	}
	return VSVM_DONE;
}

/*
 * @job missed a page: record where, and queue the faults of the rest of
 * the job. Returns false when it has been stuck on the same fault too
 * often (it then fails with -EBUSY).
 */
static bool vsvm_job_stop(struct vsvm_exec_job *job, struct vsvm_cx *cx)
{
	if (job->fault.addr == cx->fault.addr && job->fault_cmd == job->cur &&
	    job->fault_st.pos == job->st.pos)
		job->stuck++;
	else
		job->stuck = 0;
	if (job->stuck >= VSVM_MAX_STUCK)
		return false;
	job->fault = cx->fault;
	job->fault_cmd = job->cur;
	job->fault_st = job->st;
	vsvm_probe(job);
	return true;
}

/* Hand a stopped @job to the VM's fault worker. */
static void vsvm_job_park(struct vsvm_exec_job *job)
{
	struct vsvm_vm *vm = job->vm;

	spin_lock(&vm->fault_lock);
	list_add_tail(&job->fault_link, &vm->fault_jobs);
	spin_unlock(&vm->fault_lock);
	/* Fails once the VM is destroyed: vsvm_compute_vm_fini() takes it. */
	queue_work(vm->vdev->compute->fault_wq, &vm->fault_work);
}

/*
 * Run @job from where it stopped. Returns the VM's next job to start when
 * @job completed (its fence is signalled; NULL if there is none), or NULL
 * when it stopped on a fault (it is then on the VM's fault list and must
 * not be touched any more).
 */
static struct vsvm_exec_job *vsvm_job_run(struct vsvm_exec_job *job)
{
	struct vsvm_vm *vm = job->vm;
	struct vsvm_cx cx = { .job = job, .vm = vm };
	int ret;

	mutex_lock(&vm->lock);
	ret = vsvm_job_steps(&cx);
	job->yielded = ret == VSVM_YIELD;
	if (job->yielded || (ret == VSVM_MISS && vsvm_job_stop(job, &cx))) {
		mutex_unlock(&vm->lock);
		vsvm_job_park(job);
		return NULL;
	}
	mutex_unlock(&vm->lock);
	if (ret == VSVM_MISS) {
		ret = -EBUSY;
		cx.error_addr = cx.fault.addr;
	}
	if (ret < 0) {
		job->error = ret;
		job->error_addr = cx.error_addr;
	}
	return vsvm_job_complete(job);
}

/* Run the VM's ring from @job on, until it is empty or a job stops. */
static void vsvm_ring_run(struct vsvm_exec_job *job)
{
	while (job)
		job = vsvm_job_run(job);
}

static int vsvm_fault_cmp(const void *a, const void *b)
{
	const struct vsvm_fault *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/**
 * struct vsvm_fault_range - neighbouring faults merged, and the outcome
 */
struct vsvm_fault_range {
	/** @start: first page. */
	unsigned long start;
	/** @end: end (exclusive). */
	unsigned long end;
	/** @flags: VSVM_FAULT_* of all its faults. */
	unsigned int flags;
	/** @ret: what vsvm_svm_fault() said. */
	int ret;
};

/* Sort a batch, merge neighbouring pages into @r and resolve them. */
static unsigned int vsvm_fault_resolve(struct vsvm_vm *vm,
				       struct vsvm_fault *f, unsigned int n,
				       struct vsvm_fault_range *r)
{
	unsigned int i = 0, nr = 0;

	sort(f, n, sizeof(*f), vsvm_fault_cmp, NULL);
	/* A destroyed VM's jobs are cancelled: stop after this range. */
	while (i < n && !vsvm_vm_cancelled(vm)) {
		r[nr].start = f[i].addr;
		r[nr].end = f[i].addr + PAGE_SIZE;
		r[nr].flags = f[i].flags;
		for (i++; i < n && f[i].addr <= r[nr].end; i++) {
			r[nr].end = max(r[nr].end, f[i].addr + PAGE_SIZE);
			r[nr].flags |= f[i].flags;
		}
		r[nr].ret = vsvm_svm_fault(vm->svm, r[nr].start, r[nr].end,
					   r[nr].flags);
		nr++;
	}
	atomic64_add(nr, &vm->stats.ranges);
	return nr;
}

/*
 * Decide a stopped job's fate after a batch: 0 to replay it, or the error
 * of its own fault. A range that failed as a whole may still hold the
 * job's page (a neighbour was bad); a fault the full queue dropped was not
 * resolved at all: both are resolved alone.
 */
static int vsvm_fault_outcome(struct vsvm_vm *vm, struct vsvm_exec_job *job,
			      const struct vsvm_fault_range *r,
			      unsigned int nr)
{
	unsigned long addr = job->fault.addr;
	unsigned int i;
	int ret;

	for (i = 0; i < nr; i++) {
		if (addr < r[i].start || addr >= r[i].end)
			continue;
		if (r[i].ret || (r[i].flags & job->fault.flags) !=
		    job->fault.flags)
			break;
		if (r[i].flags & VSVM_FAULT_ATOMIC) {
			job->atomic_start = r[i].start;
			job->atomic_end = r[i].end;
		}
		return 0;
	}
	ret = vsvm_svm_fault(vm->svm, addr, addr + PAGE_SIZE, job->fault.flags);
	if (!ret && job->fault.flags & VSVM_FAULT_ATOMIC) {
		job->atomic_start = addr;
		job->atomic_end = addr + PAGE_SIZE;
	}
	return ret == -EBUSY ? 0 : ret;
}

/* After a batch: 0 to run a parked @job on, or the error it completes with. */
static int vsvm_fault_verdict(struct vsvm_vm *vm, struct vsvm_exec_job *job,
			      const struct vsvm_fault_range *r,
			      unsigned int nr)
{
	if (vsvm_vm_cancelled(vm))
		return -ECANCELED;
	/* A job that used its time slice goes on where it was. */
	if (job->yielded)
		return 0;
	return vsvm_fault_outcome(vm, job, r, nr);
}

static void vsvm_fault_work(struct work_struct *work)
{
	struct vsvm_vm *vm = container_of(work, struct vsvm_vm, fault_work);
	struct vsvm_fault_range *ranges = vm->fault_ranges;
	struct vsvm_fault *batch = vm->fault_batch;
	struct vsvm_exec_job *job, *tmp;
	unsigned int n, nr = 0;
	LIST_HEAD(jobs);

	spin_lock(&vm->fault_lock);
	n = vm->nfaults;
	memcpy(batch, vm->faults, n * sizeof(*batch));
	vm->nfaults = 0;
	list_splice_init(&vm->fault_jobs, &jobs);
	spin_unlock(&vm->fault_lock);

	if (n) {
		atomic64_inc(&vm->stats.batches);
		nr = vsvm_fault_resolve(vm, batch, n, ranges);
	}
	list_for_each_entry_safe(job, tmp, &jobs, fault_link) {
		int ret = vsvm_fault_verdict(vm, job, ranges, nr);

		list_del(&job->fault_link);
		if (ret) {
			job->error = ret;
			job->error_addr = job->yielded ? 0 : job->fault.addr;
			vsvm_ring_run(vsvm_job_complete(job));
			continue;
		}
		if (!job->yielded)
			atomic64_inc(&vm->stats.replays);
		vsvm_ring_run(job);
	}
}

static inline struct vsvm_exec_job *to_exec_job(struct drm_sched_job *job)
{
	return container_of(job, struct vsvm_exec_job, base);
}

static const char *vsvm_compute_driver_name(struct dma_fence *fence)
{
	return VSVM_DRIVER_NAME;
}

static const char *vsvm_compute_timeline_name(struct dma_fence *fence)
{
	return "compute-engine";
}

static const struct dma_fence_ops vsvm_compute_fence_ops = {
	.get_driver_name = vsvm_compute_driver_name,
	.get_timeline_name = vsvm_compute_timeline_name,
};

static struct dma_fence *vsvm_compute_run_job(struct drm_sched_job *sched_job)
{
	struct vsvm_exec_job *job = to_exec_job(sched_job);
	struct vsvm_compute *ce = job->vm->vdev->compute;
	struct dma_fence *fence = job->hw_fence;
	struct vsvm_vm *vm = job->vm;
	bool head;

	if (sched_job->s_fence->finished.error)
		return NULL;
	/* One reference for the scheduler, one for the job (free_job). */
	dma_fence_init(fence, &vsvm_compute_fence_ops, &ce->fence_lock,
		       ce->fence_context, atomic64_inc_return(&ce->seqno));
	dma_fence_get(fence);
	atomic64_inc(&ce->jobs);
	/* The VM's ring: a job starts when the ones before it are done. */
	spin_lock(&vm->fault_lock);
	list_add_tail(&job->ring_link, &vm->ring);
	head = list_first_entry(&vm->ring, struct vsvm_exec_job,
				ring_link) == job;
	spin_unlock(&vm->fault_lock);
	if (head)
		vsvm_ring_run(job);
	return fence;
}

/* Only the test delay: jobs have no dependencies beyond their in-fences. */
static struct dma_fence *
vsvm_compute_prepare_job(struct drm_sched_job *sched_job,
			 struct drm_sched_entity *entity)
{
	unsigned int ms = READ_ONCE(sched_pick_delay_ms);

	if (ms)
		msleep(min(ms, 1000U));
	return NULL;
}

static enum drm_gpu_sched_stat
vsvm_compute_timedout_job(struct drm_sched_job *job)
{
	/* Jobs wait for fault resolution as long as it takes. */
	return DRM_GPU_SCHED_STAT_NO_HANG;
}

static void vsvm_exec_job_free(struct vsvm_exec_job *job)
{
	struct vsvm_compute *ce = job->vm->vdev->compute;

	/* Before run_job the hardware fence was never initialised. */
	if (dma_fence_was_initialized(job->hw_fence))
		dma_fence_put(job->hw_fence);
	else
		kfree(job->hw_fence);
	vsvm_vm_put(job->vm);
	kfree(job->bounce);
	kvfree(job->cmds);
	kfree(job);
	/* Last: vsvm_compute_fini() may free @ce once this drops to 0. */
	if (atomic_dec_and_test(&ce->live))
		wake_up_var(&ce->live);
}

static void vsvm_compute_free_job(struct drm_sched_job *sched_job)
{
	drm_sched_job_cleanup(sched_job);
	vsvm_exec_job_free(to_exec_job(sched_job));
}

static const struct drm_sched_backend_ops vsvm_compute_sched_ops = {
	.prepare_job = vsvm_compute_prepare_job,
	.run_job = vsvm_compute_run_job,
	.timedout_job = vsvm_compute_timedout_job,
	.free_job = vsvm_compute_free_job,
};

/* Is [@va, @va + @size) a non-empty range of the VA space? */
static bool vsvm_range_ok(u64 va, u64 size)
{
	u64 end;

	return size && size <= DRM_VSVM_CMD_MAX_SIZE &&
		!check_add_overflow(va, size, &end) && end <= TASK_SIZE_MAX;
}

/* Arguments of each command that must be zero, as a mask of arg[]. */
static const u8 vsvm_cmd_unused[DRM_VSVM_CMD_COUNT] = {
	[DRM_VSVM_CMD_FILL] = 0x18,
	[DRM_VSVM_CMD_COPY] = 0x18,
	[DRM_VSVM_CMD_ADD] = 0x10,
	[DRM_VSVM_CMD_CHECKSUM] = 0x18,
	[DRM_VSVM_CMD_ATOMIC_INC] = 0x1c,
	[DRM_VSVM_CMD_STRIDED] = 0x10,
	[DRM_VSVM_CMD_RANDOM] = 0x00,
};

static bool vsvm_cmd_valid(const struct drm_vsvm_cmd *cmd)
{
	const u64 *a = cmd->arg;
	unsigned int i;

	if (cmd->flags || !cmd->op || cmd->op >= DRM_VSVM_CMD_COUNT)
		return false;
	for (i = 0; i < ARRAY_SIZE(cmd->arg); i++)
		if (vsvm_cmd_unused[cmd->op] & BIT(i) && a[i])
			return false;
	switch (cmd->op) {
	case DRM_VSVM_CMD_FILL:
		return IS_ALIGNED(a[0] | a[1], 4) && a[2] <= U32_MAX &&
			vsvm_range_ok(a[0], a[1]);
	case DRM_VSVM_CMD_COPY:
		return vsvm_range_ok(a[0], a[2]) && vsvm_range_ok(a[1], a[2]) &&
			(a[0] + a[2] <= a[1] || a[1] + a[2] <= a[0]);
	case DRM_VSVM_CMD_ADD:
		return IS_ALIGNED(a[0] | a[1] | a[2], 4) &&
			a[3] <= DRM_VSVM_CMD_MAX_SIZE / 4 &&
			vsvm_range_ok(a[0], a[3] * 4) &&
			vsvm_range_ok(a[1], a[3] * 4) &&
			vsvm_range_ok(a[2], a[3] * 4);
	case DRM_VSVM_CMD_CHECKSUM:
		return IS_ALIGNED(a[2], 8) && vsvm_range_ok(a[0], a[1]) &&
			vsvm_range_ok(a[2], 8);
	case DRM_VSVM_CMD_ATOMIC_INC:
		return IS_ALIGNED(a[0], 4) &&
			a[1] <= DRM_VSVM_CMD_MAX_SIZE / 4 &&
			vsvm_range_ok(a[0], a[1] * 4);
	case DRM_VSVM_CMD_STRIDED:
		return IS_ALIGNED(a[0] | a[2], 4) && a[2] && a[1] &&
			a[3] <= U32_MAX && a[1] <= DRM_VSVM_CMD_MAX_SIZE &&
			a[2] <= DRM_VSVM_CMD_MAX_SIZE &&
			vsvm_range_ok(a[0], (a[1] - 1) * a[2] + 4);
	case DRM_VSVM_CMD_RANDOM:
		return IS_ALIGNED(a[0] | a[1], 4) && a[2] && a[3] &&
			a[4] <= U32_MAX && a[2] <= DRM_VSVM_CMD_MAX_SIZE &&
			vsvm_range_ok(a[0], a[1]);
	}
	return false;
}

static int vsvm_exec_copy_cmds(struct vsvm_exec_job *job,
			       const struct drm_vsvm_exec *args)
{
	u32 i;

	if (!args->cmds_size || args->cmds_size % sizeof(*job->cmds) ||
	    args->cmds_size / sizeof(*job->cmds) > DRM_VSVM_EXEC_MAX_CMDS)
		return -EINVAL;
	job->ncmds = args->cmds_size / sizeof(*job->cmds);
	job->cmds = vmemdup_user(u64_to_user_ptr(args->cmds), args->cmds_size);
	if (IS_ERR(job->cmds)) {
		int ret = PTR_ERR(job->cmds);

		job->cmds = NULL;
		return ret;
	}
	for (i = 0; i < job->ncmds; i++)
		if (!vsvm_cmd_valid(&job->cmds[i]))
			return -EINVAL;
	vsvm_cmd_start(&job->cmds[0], &job->st);
	return 0;
}

static int vsvm_exec_add_deps(struct vsvm_exec_job *job,
			      struct drm_file *file,
			      const struct drm_vsvm_exec *args)
{
	u32 __user *handles = u64_to_user_ptr(args->in_syncobjs);
	u32 i, handle;
	int ret;

	for (i = 0; i < args->num_in_syncobjs; i++) {
		struct dma_fence *fence;

		if (get_user(handle, &handles[i]))
			return -EFAULT;
		ret = drm_syncobj_find_fence(file, handle, 0, 0, &fence);
		if (ret)
			return ret;
		ret = drm_sched_job_add_dependency(&job->base, fence);
		if (ret)
			return ret;
	}
	return 0;
}

/* Is @obj shared with another driver through dma-buf? */
static bool vsvm_obj_shared(struct drm_gem_object *obj)
{
	return obj && (obj->import_attach || obj->dma_buf);
}

/*
 * The shared objects bound in @vm, each once with a reference, in a new
 * array (NULL when there are none).
 */
static int vsvm_exec_shared_objs(struct vsvm_vm *vm,
				 struct drm_gem_object ***objs,
				 unsigned int *count)
{
	struct drm_gem_object **o = NULL;
	unsigned int n = 0, max = 0, i;
	struct drm_gpuva *va;
	int ret = 0;

	*objs = NULL;
	*count = 0;
	/* The engine holds it while it runs a job of this VM. */
	if (mutex_lock_interruptible(&vm->lock))
		return -EINTR;
	drm_gpuvm_for_each_va(va, &vm->gpuvm)
		if (vsvm_obj_shared(va->gem.obj))
			max++;
	if (max)
		o = kmalloc_array(max, sizeof(*o), GFP_KERNEL);
	if (max && !o)
		ret = -ENOMEM;
	drm_gpuvm_for_each_va(va, &vm->gpuvm) {
		if (!o || !vsvm_obj_shared(va->gem.obj))
			continue;
		for (i = 0; i < n && o[i] != va->gem.obj; i++)
			;
		if (i == n) {
			drm_gem_object_get(va->gem.obj);
			o[n++] = va->gem.obj;
		}
	}
	mutex_unlock(&vm->lock);
	*objs = o;
	*count = n;
	return ret;
}

static void vsvm_exec_put_objs(struct drm_gem_object **objs, unsigned int n)
{
	while (n--)
		drm_gem_object_put(objs[n]);
	kfree(objs);
}

/* The job waits for everything in the shared objects' reservations. */
static int vsvm_exec_implicit_deps(struct vsvm_exec_job *job,
				   struct drm_gem_object **objs,
				   unsigned int n)
{
	unsigned int i;
	int ret = 0;

	for (i = 0; i < n && !ret; i++) {
		ret = dma_resv_lock_interruptible(objs[i]->resv, NULL);
		if (ret)
			break;
		ret = drm_sched_job_add_implicit_dependencies(&job->base,
							      objs[i], true);
		dma_resv_unlock(objs[i]->resv);
	}
	return ret;
}

/* Arm and queue @job; it runs after the VM's previous jobs (the ring). */
static int vsvm_exec_push(struct vsvm_exec_job *job, struct vsvm_vm *vm,
			  struct drm_syncobj *out, u64 *seqno,
			  struct dma_fence **done)
{
	struct dma_fence *fence;

	mutex_lock(&vm->submit_lock);
	/* Its entity is gone once the VM is closed. */
	if (vm->closed) {
		mutex_unlock(&vm->submit_lock);
		return -ENOENT;
	}
	drm_sched_job_arm(&job->base);
	fence = &job->base.s_fence->finished;
	/*
	 * Jobs of this scheduler can stop on faults and finish out of
	 * order: a job depending on this one must wait for it to finish,
	 * not just to be scheduled.
	 */
	set_bit(DRM_SCHED_FENCE_DONT_PIPELINE, &fence->flags);
	job->seqno = ++vm->seqno;
	*seqno = job->seqno;
	if (out)
		drm_syncobj_replace_fence(out, fence);
	*done = dma_fence_get(fence);
	drm_sched_entity_push_job(&job->base);
	mutex_unlock(&vm->submit_lock);
	return 0;
}

/*
 * Implicit sync (prime-export): the job may write any object bound in the
 * VM, so its fence goes into each one's reservation object with
 * %DMA_RESV_USAGE_WRITE (the VM's own with BOOKKEEP): importers of an
 * exported object and CPU accesses through its dma-buf wait for it. Done
 * after the push with no lock held (the engine takes object locks inside
 * &vsvm_vm.lock while it runs); when the objects cannot be locked (out of
 * memory) the ioctl waits for the job instead, which is just as correct.
 */
static void vsvm_exec_implicit_fence(struct vsvm_vm *vm,
				     struct dma_fence *fence)
{
	struct drm_gpuvm_exec vm_exec = {
		.vm = &vm->gpuvm,
		.num_fences = 1,
	};

	if (drm_gpuvm_exec_lock(&vm_exec)) {
		dma_fence_wait(fence, false);
		return;
	}
	drm_gpuvm_exec_resv_add_fence(&vm_exec, fence, DMA_RESV_USAGE_BOOKKEEP,
				      DMA_RESV_USAGE_WRITE);
	drm_gpuvm_exec_unlock(&vm_exec);
}

/*
 * A job of @args' commands on @vm. The job takes its own reference on @vm:
 * once pushed it may complete and be freed (with that reference) before
 * the ioctl is done with @vm.
 */
static struct vsvm_exec_job *vsvm_exec_job_alloc(struct vsvm_vm *vm,
						 const struct drm_vsvm_exec *args)
{
	struct vsvm_exec_job *job;
	int ret;

	job = kzalloc_obj(*job, GFP_KERNEL_ACCOUNT);
	if (!job)
		return ERR_PTR(-ENOMEM);
	job->vm = vm;
	drm_gpuvm_get(&vm->gpuvm);
	atomic_inc(&vm->vdev->compute->live);
	job->hw_fence = kzalloc_obj(*job->hw_fence, GFP_KERNEL_ACCOUNT);
	job->bounce = kmalloc(VSVM_BOUNCE, GFP_KERNEL_ACCOUNT);
	ret = !job->hw_fence || !job->bounce ? -ENOMEM :
		vsvm_exec_copy_cmds(job, args);
	if (ret) {
		vsvm_exec_job_free(job);
		return ERR_PTR(ret);
	}
	return job;
}

/**
 * vsvm_exec_ioctl() - DRM_IOCTL_VSVM_EXEC
 * @drm: the device
 * @data: &struct drm_vsvm_exec
 * @file: the client
 *
 * Return: 0, -EINVAL (flags, sizes, a bad command, a process other than
 * the VM's creator), -ENOENT (VM, also one being destroyed, syncobj),
 * -EFAULT, -ENOMEM, -EINTR (a signal while a job of the VM was running).
 */
int vsvm_exec_ioctl(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct drm_vsvm_exec *args = data;
	struct drm_gem_object **shared = NULL;
	struct drm_syncobj *out = NULL;
	struct dma_fence *done = NULL;
	struct vsvm_exec_job *job;
	unsigned int nshared = 0;
	struct vsvm_vm *vm;
	int ret;

	if (args->flags || args->num_in_syncobjs > DRM_VSVM_EXEC_MAX_SYNCS)
		return -EINVAL;
	vm = vsvm_vm_lookup(file->driver_priv, args->vm_id);
	if (!vm)
		return -ENOENT;
	if (vm->mm != current->mm) {
		vsvm_vm_put(vm);
		return -EINVAL;
	}
	job = vsvm_exec_job_alloc(vm, args);
	if (IS_ERR(job)) {
		vsvm_vm_put(vm);
		return PTR_ERR(job);
	}
	if (args->out_syncobj) {
		out = drm_syncobj_find(file, args->out_syncobj);
		if (!out) {
			ret = -ENOENT;
			goto err_free;
		}
	}
	ret = drm_sched_job_init(&job->base, &vm->entity, 1, vm, 0);
	if (ret)
		goto err_free;
	ret = vsvm_exec_add_deps(job, file, args) ?:
		vsvm_exec_shared_objs(vm, &shared, &nshared) ?:
		vsvm_exec_implicit_deps(job, shared, nshared) ?:
		vsvm_exec_push(job, vm, out, &args->seqno, &done);
	if (ret)
		goto err_cleanup;
	vsvm_exec_put_objs(shared, nshared);
	if (out)
		drm_syncobj_put(out);
	vsvm_exec_implicit_fence(vm, done);
	dma_fence_put(done);
	vsvm_vm_put(vm);
	return 0;

err_cleanup:
	drm_sched_job_cleanup(&job->base);
	vsvm_exec_put_objs(shared, nshared);
err_free:
	if (out)
		drm_syncobj_put(out);
	vsvm_exec_job_free(job);
	vsvm_vm_put(vm);
	return ret;
}

/**
 * vsvm_compute_vm_init() - the VM's queue on the compute engine
 * @vm: the new VM
 *
 * Return: 0, -ENOMEM or a drm_sched error.
 */
int vsvm_compute_vm_init(struct vsvm_vm *vm)
{
	struct drm_gpu_scheduler *sched = &vm->vdev->compute->sched;
	int ret;

	vm->fault_batch = kvmalloc_array(VSVM_FAULT_QUEUE,
					 sizeof(*vm->fault_batch), GFP_KERNEL);
	vm->fault_ranges = kvmalloc_array(VSVM_FAULT_QUEUE,
					  sizeof(*vm->fault_ranges),
					  GFP_KERNEL);
	if (!vm->fault_batch || !vm->fault_ranges) {
		kvfree(vm->fault_batch);
		kvfree(vm->fault_ranges);
		return -ENOMEM;
	}
	spin_lock_init(&vm->fault_lock);
	INIT_LIST_HEAD(&vm->fault_jobs);
	INIT_LIST_HEAD(&vm->ring);
	INIT_WORK(&vm->fault_work, vsvm_fault_work);
	ret = drm_sched_entity_init(&vm->entity, DRM_SCHED_PRIORITY_NORMAL,
				    &sched, 1, NULL);
	if (ret) {
		kvfree(vm->fault_batch);
		kvfree(vm->fault_ranges);
	}
	return ret;
}

/**
 * vsvm_compute_vm_cancel() - stop a VM's jobs
 * @vm: the VM being destroyed
 *
 * The job the engine is running stops at its next piece, and every later
 * one completes with -ECANCELED without running; the fault worker stops
 * resolving faults for the VM. Does not wait: called first when a VM is
 * destroyed, so that the locks the engine holds are released promptly.
 */
void vsvm_compute_vm_cancel(struct vsvm_vm *vm)
{
	WRITE_ONCE(vm->cancelled, true);
}

/* Complete the jobs stopped on faults (and those after them): cancelled. */
static void vsvm_compute_vm_flush_faults(struct vsvm_vm *vm)
{
	struct vsvm_exec_job *job, *tmp;
	LIST_HEAD(jobs);

	spin_lock(&vm->fault_lock);
	list_splice_init(&vm->fault_jobs, &jobs);
	vm->nfaults = 0;
	spin_unlock(&vm->fault_lock);
	list_for_each_entry_safe(job, tmp, &jobs, fault_link) {
		list_del(&job->fault_link);
		job->error = -ECANCELED;
		vsvm_ring_run(vsvm_job_complete(job));
	}
}

/*
 * drm_sched_entity_fini() with the device's scheduler paused. A run of the
 * scheduler's worker that picked @vm's entity just before
 * drm_sched_entity_kill() took it off the run queue puts it back when it
 * pops the job (drm_sched_rq_pop_entity() re-sorts an entity with more
 * jobs without checking whether it was stopped, 6.12 and 7.3 alike): the
 * freed VM would stay in the scheduler's tree. Pausing waits for such a
 * run (a run_job() in progress stops at its next piece: @vm is cancelled)
 * and keeps the next one from starting until the entity is gone.
 */
static void vsvm_compute_entity_fini(struct vsvm_vm *vm)
{
	struct vsvm_compute *ce = vm->vdev->compute;

	mutex_lock(&ce->pause_lock);
	drm_sched_wqueue_stop(&ce->sched);
	drm_sched_entity_fini(&vm->entity);
	drm_sched_wqueue_start(&ce->sched);
	mutex_unlock(&ce->pause_lock);
}

/**
 * vsvm_compute_vm_fini() - cancel a VM's queue
 * @vm: the VM, no longer reachable by userspace, closed to execs
 *
 * Returns in bounded time whatever the client queued: it waits only for
 * the piece the engine is executing and for the fault range being
 * resolved. Jobs handed to the engine complete with -ECANCELED (their
 * fences signal before this returns). Jobs still waiting for their
 * in-fences are killed by drm_sched: they never run, and their finished
 * fences signal with -ESRCH once their in-fences have signalled (a
 * waiter on them waits for those anyway). Afterwards no job of @vm
 * touches memory, its page tables or its SVM context. May sleep.
 */
void vsvm_compute_vm_fini(struct vsvm_vm *vm)
{
	vsvm_compute_vm_cancel(vm);
	vsvm_compute_entity_fini(vm);
	/* No fault worker from now on; a running one finishes its range. */
	disable_work_sync(&vm->fault_work);
	vsvm_compute_vm_flush_faults(vm);
	drm_WARN_ON(&vm->vdev->drm, !list_empty(&vm->ring));
	kvfree(vm->fault_batch);
	kvfree(vm->fault_ranges);
}

/**
 * vsvm_compute_init() - create the compute engine of a device
 * @vdev: the device
 *
 * Return: 0, -ENOMEM or a drm_sched error.
 */
int vsvm_compute_init(struct vsvm_device *vdev)
{
	struct vsvm_compute *ce;
	struct drm_sched_init_args args = {
		.ops = &vsvm_compute_sched_ops,
		.num_rqs = DRM_SCHED_PRIORITY_COUNT,
		.credit_limit = 32,
		.timeout = MAX_SCHEDULE_TIMEOUT,
		.name = "vsvm-compute",
		.dev = vdev->drm.dev,
	};
	int ret;

	ce = kzalloc_obj(*ce, GFP_KERNEL_ACCOUNT);
	if (!ce)
		return -ENOMEM;
	ce->vdev = vdev;
	mutex_init(&ce->pause_lock);
	spin_lock_init(&ce->fence_lock);
	ce->fence_context = dma_fence_context_alloc(1);
	ce->fault_wq = alloc_workqueue("vsvm-faults", WQ_UNBOUND, 0);
	if (!ce->fault_wq) {
		ret = -ENOMEM;
		goto err_free;
	}
	ret = drm_sched_init(&ce->sched, &args);
	if (ret)
		goto err_wq;
	vdev->compute = ce;
	return 0;

err_wq:
	destroy_workqueue(ce->fault_wq);
err_free:
	mutex_destroy(&ce->pause_lock);
	kfree(ce);
	return ret;
}

/**
 * vsvm_compute_fini() - destroy the compute engine
 * @vdev: the device; every VM is gone
 */
void vsvm_compute_fini(struct vsvm_device *vdev)
{
	struct vsvm_compute *ce = vdev->compute;

	/* Jobs killed with their VMs, still waiting for their in-fences. */
	wait_var_event(&ce->live, !atomic_read(&ce->live));
	drm_sched_fini(&ce->sched);
	destroy_workqueue(ce->fault_wq);
	mutex_destroy(&ce->pause_lock);
	kfree(ce);
	vdev->compute = NULL;
}
