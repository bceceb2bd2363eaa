/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Copyright © 2026 The drm-svm authors
 */
#ifndef __VSVM_DRV_H__
#define __VSVM_DRV_H__

#include <linux/llist.h>
#include <linux/memremap.h>
#include <linux/platform_device.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include <drm/drm_device.h>
#include <drm/drm_svm.h>
#include <drm/drm_svm_bo.h>
#include <drm/drm_svm_compat.h>
#include <drm/drm_svm_fault.h>
#include <drm/drm_svm_mirror.h>
#include <drm/drm_svm_pagemap.h>
#include <drm/gpu_scheduler.h>

#define VSVM_DRIVER_NAME	"vsvm"

/**
 * struct vsvm_config - simulated hardware configuration
 *
 * Filled from the module parameters at load time and constant afterwards.
 */
struct vsvm_config {
	/** @vram_size: bytes of simulated device memory. */
	u64 vram_size;
	/** @visible_vram_size: bytes of it reachable through the BAR. */
	u64 visible_vram_size;
	/** @gtt_size: bytes of GART aperture. */
	u64 gtt_size;
	/** @system_size: system memory limit of GEM objects, 0: default. */
	u64 system_size;
	/** @num_copy_engines: number of copy engines. */
	u32 num_copy_engines;
	/** @page_sizes: bit mask of device MMU page sizes. */
	u64 page_sizes;
	/** @copy_mbps: copy engine bandwidth limit in MB/s, 0: none. */
	u32 copy_mbps;
	/** @copy_latency_us: added latency per copy job in µs. */
	u32 copy_latency_us;
};

struct vsvm_device;

/**
 * struct vsvm_engine - one simulated copy engine
 *
 * Jobs are scheduled with drm_sched; the "hardware" is a worker that copies
 * between the backing stores and signals the job's hardware fence.
 */
struct vsvm_engine {
	/** @vdev: the device. */
	struct vsvm_device *vdev;
	/** @sched: the scheduler of this engine. */
	struct drm_gpu_scheduler sched;
	/** @wq: the scheduler's submission workqueue (per-CPU, bound). */
	struct workqueue_struct *wq;
	/** @entity: the kernel's submission queue (moves). */
	struct drm_sched_entity entity;
	/** @submit_lock: serialises job arm + push on @entity. */
	struct mutex submit_lock;
	/** @fence_lock: lock of the hardware fences. */
	spinlock_t fence_lock;
	/** @fence_context: context of the hardware fences. */
	u64 fence_context;
	/** @seqno: last hardware fence seqno. */
	u64 seqno;
	/** @id: engine index. */
	unsigned int id;
	/** @name: scheduler name. */
	char name[24];
};

/**
 * struct vsvm_device - one instance of the virtual SVM GPU
 */
struct vsvm_device {
	/** @drm: the DRM device; its lifetime is the lifetime of this struct. */
	struct drm_device drm;
	/** @pdev: the platform device the instance is bound to. */
	struct platform_device *pdev;
	/** @cfg: the simulated hardware configuration. */
	struct vsvm_config cfg;
	/** @vram: the device memory manager. */
	struct drm_svm_vram vram;
	/** @vram_store: the simulated VRAM, 2 MiB blocks of system pages. */
	struct page **vram_store;
	/** @svm: the drm_svm GEM placement state. */
	struct drm_svm_device svm;
	/** @engines: the copy engines. */
	struct vsvm_engine *engines;
	/** @next_engine: round-robin engine selection. */
	atomic_t next_engine;
	/** @copy_jobs: copy jobs submitted. */
	atomic64_t copy_jobs;
	/** @devmem: VRAM as device-private pages (SVM migration target). */
	struct drm_svm_pagemap devmem;
	/** @files_lock: protects @files. */
	struct mutex files_lock;
	/** @files: open files (struct vsvm_file), for debugfs. */
	struct list_head files;
	/** @compute: the compute engine (vsvm_compute.c). */
	struct vsvm_compute *compute;
};

/**
 * struct vsvm_svm - SVM context of one file: a mirror of the file's process
 *
 * @pt maps a 2 MiB slot of virtual addresses to a block of 512 entries,
 * each a mirrored struct page ORed with VSVM_PT_* bits (see "vsvm device
 * page table" in vsvm_svm.c). Entries are written by faults and cleared by
 * invalidations, both under &drm_svm_mirror.lock; lookups hold that lock
 * too.
 */
struct vsvm_svm {
	/** @mirror: the process mirror. */
	struct drm_svm_mirror mirror;
	/**
	 * @vdev: the device. Not &drm_svm_mirror.owner: the page owner may be
	 * shared by several devices (peer access).
	 */
	struct vsvm_device *vdev;
	/** @pt: the device page table: 2 MiB slot -> &struct vsvm_pt_block. */
	struct xarray pt;
	/** @policy: attributes and fault policy of @mirror (the helper's). */
	struct drm_svm_policy policy;
	/** @prefetch_wq: ordered queue of this context's prefetches. */
	struct workqueue_struct *prefetch_wq;
	/** @prefetch_context: fence context of the prefetches. */
	u64 prefetch_context;
	/** @prefetch_seqno: last prefetch fence seqno. */
	atomic64_t prefetch_seqno;
	/** @prefetch_lock: lock of the prefetch fences. */
	spinlock_t prefetch_lock;
	/**
	 * @closing: the file is closing: prefetches not started yet are
	 * skipped (-ECANCELED), close waits only for the one in flight.
	 */
	bool closing;
};

/* Device page-table entry bits (xarray pointer tags) */
#define VSVM_PT_WRITE	BIT(0)	/* the device may write */
#define VSVM_PT_ATOMIC	BIT(1)	/* the device may do atomics */

/* Kinds of device access that fault */
#define VSVM_FAULT_WRITE	DRM_SVM_FAULT_WRITE
#define VSVM_FAULT_ATOMIC	DRM_SVM_FAULT_ATOMIC

/**
 * vsvm_svm_fault() - resolve a device fault: drm_svm_fault()
 * @svm: the SVM context
 * @start: page-aligned start address
 * @end: page-aligned end address (exclusive)
 * @flags: VSVM_FAULT_* (the kind of access that faulted)
 *
 * Return: see drm_svm_fault().
 */
static inline int vsvm_svm_fault(struct vsvm_svm *svm, unsigned long start,
				 unsigned long end, unsigned int flags)
{
	return drm_svm_fault(&svm->policy, start, end, flags);
}

/**
 * struct vsvm_file - per-file driver state
 */
struct vsvm_file {
	/** @lock: protects @svm. */
	struct mutex lock;
	/** @svm: the SVM context, NULL until the first SVM ioctl. */
	struct vsvm_svm *svm;
	/** @link: in &vsvm_device.files, under &vsvm_device.files_lock. */
	struct list_head link;
	/** @pid: the opener's thread-group id, for debugfs. */
	pid_t pid;
	/** @vms: the file's VMs (struct vsvm_vm) by id; see vsvm_vm.c. */
	struct xarray vms;
};

#define VSVM_STORE_SHIFT	21

static inline struct vsvm_device *to_vsvm(struct drm_device *drm)
{
	return container_of(drm, struct vsvm_device, drm);
}

int vsvm_get_param_ioctl(struct drm_device *drm, void *data,
			 struct drm_file *file);
int vsvm_gem_create_ioctl(struct drm_device *drm, void *data,
			  struct drm_file *file);
int vsvm_gem_mmap_offset_ioctl(struct drm_device *drm, void *data,
			       struct drm_file *file);
int vsvm_gem_migrate_ioctl(struct drm_device *drm, void *data,
			   struct drm_file *file);
int vsvm_gem_residency_ioctl(struct drm_device *drm, void *data,
			     struct drm_file *file);
int vsvm_gem_access_ioctl(struct drm_device *drm, void *data,
			  struct drm_file *file);

struct vsvm_svm *vsvm_svm_get(struct drm_device *drm, struct drm_file *file);
struct page *vsvm_svm_lookup(struct vsvm_svm *svm, unsigned long addr,
			     unsigned int need);
int vsvm_svm_access_ioctl(struct drm_device *drm, void *data,
			  struct drm_file *file);
int vsvm_svm_snapshot_ioctl(struct drm_device *drm, void *data,
			    struct drm_file *file);
int vsvm_file_open(struct drm_device *drm, struct drm_file *file);
int vsvm_svm_clients_show(struct seq_file *m, void *unused);
void vsvm_file_postclose(struct drm_device *drm, struct drm_file *file);

int vsvm_svm_migrate_ioctl(struct drm_device *drm, void *data,
			   struct drm_file *file);

/* svm-ranges */
int vsvm_svm_madvise_ioctl(struct drm_device *drm, void *data,
			   struct drm_file *file);
int vsvm_svm_prefetch_ioctl(struct drm_device *drm, void *data,
			    struct drm_file *file);
int vsvm_svm_ranges_ioctl(struct drm_device *drm, void *data,
			  struct drm_file *file);

int vsvm_devmem_init(struct vsvm_device *vdev);
void vsvm_devmem_fini(struct vsvm_device *vdev);
void *vsvm_devmem_owner(void);
bool vsvm_test_ioctl_allowed(void);

int vsvm_engines_init(struct vsvm_device *vdev);
void vsvm_engines_fini(struct vsvm_device *vdev);
struct dma_fence *vsvm_copy(struct drm_svm_device *sdev,
			    const struct drm_svm_copy *copy);
struct page *vsvm_vram_page(struct drm_svm_device *sdev, u64 offset);

/* Compute engine and VMs (vsvm_compute.c, vsvm_vm.c) */
int vsvm_compute_init(struct vsvm_device *vdev);
void vsvm_compute_fini(struct vsvm_device *vdev);
void vsvm_vm_file_init(struct vsvm_file *vfile);
void vsvm_vm_file_fini(struct vsvm_file *vfile);
int vsvm_vms_show(struct seq_file *m, void *unused);
int vsvm_vm_create_ioctl(struct drm_device *drm, void *data,
			 struct drm_file *file);
int vsvm_vm_destroy_ioctl(struct drm_device *drm, void *data,
			  struct drm_file *file);
int vsvm_vm_bind_ioctl(struct drm_device *drm, void *data,
		       struct drm_file *file);
int vsvm_vm_query_ioctl(struct drm_device *drm, void *data,
			struct drm_file *file);
int vsvm_exec_ioctl(struct drm_device *drm, void *data, struct drm_file *file);

#endif /* __VSVM_DRV_H__ */
