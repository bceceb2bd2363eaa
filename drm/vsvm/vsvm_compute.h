/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Copyright © 2026 The drm-svm authors
 */
#ifndef __VSVM_COMPUTE_H__
#define __VSVM_COMPUTE_H__

#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include <drm/drm_gpuvm.h>
#include <drm/gpu_scheduler.h>
#include <drm/vsvm_drm.h>

struct vsvm_device;
struct vsvm_fault_range;
struct vsvm_file;
struct vsvm_svm;

/* Driver bits of &drm_gpuva.flags */
#define VSVM_VA_MIRROR		(DRM_GPUVA_USERBITS << 0)	/* CPU mirror */
#define VSVM_VA_READONLY	(DRM_GPUVA_USERBITS << 1)	/* no writes */

/* Capacity of a VM's fault queue (pages); extra faults are taken again. */
#define VSVM_FAULT_QUEUE	512

/**
 * struct vsvm_fault - one queued device fault
 */
struct vsvm_fault {
	/** @addr: page-aligned GPU (= CPU) virtual address. */
	unsigned long addr;
	/** @flags: VSVM_FAULT_* of the access. */
	unsigned int flags;
};

/**
 * struct vsvm_vm_stats - device-fault counters of a VM
 *
 * Updated by the fault worker and job completion, read locklessly.
 */
struct vsvm_vm_stats {
	/** @faults: pages queued as device faults. */
	atomic64_t faults;
	/** @batches: fault queue drains. */
	atomic64_t batches;
	/** @ranges: merged ranges resolved. */
	atomic64_t ranges;
	/** @replays: jobs resumed after a fault. */
	atomic64_t replays;
	/** @completed: jobs finished. */
	atomic64_t completed;
	/** @failed: jobs finished with an error. */
	atomic64_t failed;
};

/**
 * struct vsvm_vm - a GPU virtual address space of one file
 *
 * Lifetime: reference counted through @gpuvm (drm_gpuvm_get()/_put()); the
 * file's xarray, each job and each mapping of an object (through its
 * &drm_gpuvm_bo) hold a reference. Destroying a VM unpublishes it and
 * cancels its queue (vsvm_compute_vm_fini()) without waiting for anything
 * the client controls: once that returns no job of the VM runs any more,
 * so nothing touches @svm afterwards (the SVM context is freed when the
 * file closes, after every VM of the file is destroyed). Jobs that were
 * never started may outlive the VM's destruction, holding their reference,
 * until their in-fences signal; they never touch memory.
 */
struct vsvm_vm {
	/** @gpuvm: the GPU VA space: object and mirror mappings. */
	struct drm_gpuvm gpuvm;
	/** @vdev: the device. */
	struct vsvm_device *vdev;
	/** @svm: the file's SVM context, NULL until first needed. */
	struct vsvm_svm *svm;
	/** @mm: the creator's address space (not a reference on its pages). */
	struct mm_struct *mm;
	/** @id: the VM's id in its file. */
	u32 id;
	/** @fault_mode: every CPU address is a GPU address. */
	bool fault_mode;
	/**
	 * @closed: destroyed, no more binds or execs; set under both @lock
	 * and @submit_lock, read under either.
	 */
	bool closed;
	/**
	 * @cancelled: being destroyed: the engine stops the VM's jobs at
	 * their next piece and completes them with -ECANCELED. Set once,
	 * read locklessly (READ_ONCE()).
	 */
	bool cancelled;
	/**
	 * @lock: protects @gpuvm's mappings and @svm; held by binds and by
	 * the engine while it translates and accesses memory.
	 */
	struct mutex lock;
	/** @entity: the VM's submission queue on the compute engine. */
	struct drm_sched_entity entity;
	/** @submit_lock: serialises arm + push and @seqno. */
	struct mutex submit_lock;
	/** @seqno: last exec seqno, under @submit_lock. */
	u64 seqno;
	/** @fault_lock: protects the fault queue, @ring and @fault_jobs. */
	spinlock_t fault_lock;
	/** @faults: the fault queue. */
	struct vsvm_fault faults[VSVM_FAULT_QUEUE];
	/** @nfaults: entries in @faults. */
	unsigned int nfaults;
	/** @fault_batch: the fault worker's copy of the queue. */
	struct vsvm_fault *fault_batch;
	/** @fault_ranges: the fault worker's merged ranges. */
	struct vsvm_fault_range *fault_ranges;
	/** @ring: jobs handed to the engine and not done, oldest first. */
	struct list_head ring;
	/** @fault_jobs: jobs stopped on a fault, waiting for a replay. */
	struct list_head fault_jobs;
	/** @fault_work: the fault worker. */
	struct work_struct fault_work;
	/** @status_lock: protects the error record below. */
	spinlock_t status_lock;
	/** @error_seqno: last failed exec. */
	u64 error_seqno;
	/** @error_addr: its faulting address. */
	u64 error_addr;
	/** @error: its errno (negative). */
	int error;
	/** @error_cmd: its failing command. */
	u32 error_cmd;
	/** @stats: counters. */
	struct vsvm_vm_stats stats;
};

/**
 * struct vsvm_compute - the compute engine of a device
 */
struct vsvm_compute {
	/** @vdev: the device. */
	struct vsvm_device *vdev;
	/** @sched: the scheduler; each VM has an entity on it. */
	struct drm_gpu_scheduler sched;
	/**
	 * @pause_lock: serialises the pauses of @sched around the teardown
	 * of a VM's entity (vsvm_compute_vm_fini()).
	 */
	struct mutex pause_lock;
	/** @fence_lock: lock of the hardware fences. */
	spinlock_t fence_lock;
	/** @fence_context: context of the hardware fences. */
	u64 fence_context;
	/** @seqno: last hardware fence seqno, under the scheduler's worker. */
	atomic64_t seqno;
	/** @fault_wq: runs the VMs' fault workers. */
	struct workqueue_struct *fault_wq;
	/** @jobs: jobs executed. */
	atomic64_t jobs;
	/**
	 * @live: exec jobs allocated and not yet freed; a job killed with its
	 * VM is freed by drm_sched after its in-fences signal, possibly after
	 * the VM is gone: the engine waits for them before it is freed.
	 */
	atomic_t live;
};

static inline struct vsvm_vm *to_vsvm_vm(struct drm_gpuvm *gpuvm)
{
	return container_of(gpuvm, struct vsvm_vm, gpuvm);
}

struct vsvm_vm *vsvm_vm_lookup(struct vsvm_file *vfile, u32 id);
void vsvm_vm_put(struct vsvm_vm *vm);
struct vsvm_svm *vsvm_vm_svm(struct vsvm_vm *vm, struct drm_device *drm,
			     struct drm_file *file);
void vsvm_vm_error(struct vsvm_vm *vm, u64 seqno, int error, u64 addr,
		   u32 cmd);
int vsvm_compute_vm_init(struct vsvm_vm *vm);
void vsvm_compute_vm_cancel(struct vsvm_vm *vm);
void vsvm_compute_vm_fini(struct vsvm_vm *vm);

#endif /* __VSVM_COMPUTE_H__ */
