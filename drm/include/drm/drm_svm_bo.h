/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Copyright © 2026 The drm-svm authors
 */
#ifndef __DRM_SVM_BO_H__
#define __DRM_SVM_BO_H__

#include <linux/dma-fence.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/workqueue.h>

#include <drm/drm_gem.h>
#include <drm/drm_svm.h>

struct dma_buf;
struct drm_printer;
struct drm_svm_device;
struct drm_svm_import;
struct drm_svm_vram;

/**
 * struct drm_svm_device_ops - driver callbacks of a drm_svm device
 */
struct drm_svm_device_ops {
	/**
	 * @copy: Start a copy on the copy engine and return its fence (or an
	 * ERR_PTR). Called with the reservation lock of the object held; must
	 * not wait for the copy. Optional: without it, or when it fails, the
	 * helper copies with the CPU through @vram_page (a driver without
	 * @vram_page must not fail copies that involve VRAM).
	 */
	struct dma_fence *(*copy)(struct drm_svm_device *sdev,
				  const struct drm_svm_copy *copy);
	/**
	 * @vram_pfn: PFN of the CPU-visible VRAM page at @offset, for CPU
	 * mappings through the BAR. Mandatory when VRAM has a visible part.
	 */
	unsigned long (*vram_pfn)(struct drm_svm_device *sdev, u64 offset);
	/**
	 * @vram_page: a struct page backing the VRAM page at @offset, for CPU
	 * copies and device access emulation. Optional.
	 */
	struct page *(*vram_page)(struct drm_svm_device *sdev, u64 offset);
	/**
	 * @gtt_map: bind @n pages into the GART, filling @addrs with their
	 * device addresses. Return 0 or -errno. Optional.
	 */
	int (*gtt_map)(struct drm_svm_device *sdev, struct page **pages,
		       dma_addr_t *addrs, unsigned long n);
	/**
	 * @gtt_unmap: unbind pages bound by @gtt_map. Optional (mandatory
	 * with @gtt_map). May be called from a worker.
	 */
	void (*gtt_unmap)(struct drm_svm_device *sdev, dma_addr_t *addrs,
			  unsigned long n);
};

/**
 * struct drm_svm_stats - counters of a drm_svm device
 */
struct drm_svm_stats {
	/** @cpu_faults: CPU faults handled. */
	atomic64_t cpu_faults;
	/** @cpu_huge_faults: CPU faults mapped with one PMD. */
	atomic64_t cpu_huge_faults;
	/** @cpu_fault_migrations: chunks migrated to serve a CPU fault. */
	atomic64_t cpu_fault_migrations;
	/** @migrated_chunks: chunks moved, by any path. */
	atomic64_t migrated_chunks;
	/** @migrated_bytes: bytes moved. */
	atomic64_t migrated_bytes;
	/** @evictions: VRAM chunks evicted. */
	atomic64_t evictions;
	/** @cpu_copy_fallbacks: copies done by the CPU as the engine failed. */
	atomic64_t cpu_copy_fallbacks;
	/** @prime_move_notifies: moves of exported objects notified. */
	atomic64_t prime_move_notifies;
	/** @prime_pinned_refusals: moves refused because of a pin. */
	atomic64_t prime_pinned_refusals;
};

/**
 * struct drm_svm_device - per-device state of the GEM placement helper
 *
 * Embedded in the driver's device structure and set up with
 * drm_svm_device_init().
 */
struct drm_svm_device {
	/** @drm: the DRM device. */
	struct drm_device *drm;
	/** @ops: driver callbacks. */
	const struct drm_svm_device_ops *ops;
	/** @vram: the device memory manager (may be NULL: no VRAM). */
	struct drm_svm_vram *vram;
	/** @gtt_size: bytes of GART. */
	u64 gtt_size;
	/** @gtt_used: bytes bound in the GART. */
	atomic64_t gtt_used;
	/**
	 * @system_limit: bytes of system memory (SYSTEM and GTT chunks)
	 * the device's objects may hold together; half of RAM by default
	 * (as TTM), a driver may change it before its first object.
	 */
	u64 system_limit;
	/** @system_used: bytes of system memory its objects hold. */
	atomic64_t system_used;
	/** @lru_lock: protects @vram_lru. Innermost lock. */
	spinlock_t lru_lock;
	/** @vram_lru: chunks in VRAM, least recently used first. */
	struct list_head vram_lru;
	/** @evictor: lets other users of @vram evict chunks of @vram_lru. */
	struct drm_svm_vram_evictor evictor;
	/** @wq: frees memory after moves; flushed by drm_svm_device_fini(). */
	struct workqueue_struct *wq;
	/** @stats: counters. */
	struct drm_svm_stats stats;
};

struct drm_svm_mem;

/**
 * struct drm_svm_chunk - one chunk of an object
 *
 * Protected by the object's reservation lock, except @lru which is
 * protected by &drm_svm_device.lru_lock.
 */
struct drm_svm_chunk {
	/** @bo: the object. */
	struct drm_svm_bo *bo;
	/** @lru: link in &drm_svm_device.vram_lru while in VRAM. */
	struct list_head lru;
	/** @lru_stamp: drm_svm_vram_lru_stamp() of the last use, lru_lock. */
	u64 lru_stamp;
	/** @mem: the backing memory, NULL until first use. */
	struct drm_svm_mem *mem;
	/** @fence: the last move of this chunk, or NULL. */
	struct dma_fence *fence;
	/**
	 * @placement: placement of @mem, or where the chunk will be populated
	 * (&enum drm_svm_placement).
	 */
	u8 placement;
	/**
	 * @fresh: populated by the pass of drm_svm_bo_pin() or
	 * drm_svm_bo_get_pages() in progress, which empties it again if it
	 * fails; under the reservation lock.
	 */
	bool fresh;
	/** @fresh_placement: @placement before that pass populated it. */
	u8 fresh_placement;
};

/* drm_svm_bo_params.flags */
/** DRM_SVM_BO_CPU_MIGRATE_SYSTEM - a CPU fault moves the chunk to SYSTEM */
#define DRM_SVM_BO_CPU_MIGRATE_SYSTEM	BIT(0)
/** DRM_SVM_BO_CPU_PREFER_VISIBLE - invisible VRAM faults to visible VRAM */
#define DRM_SVM_BO_CPU_PREFER_VISIBLE	BIT(1)
#define DRM_SVM_BO_FLAGS	(DRM_SVM_BO_CPU_MIGRATE_SYSTEM | \
				 DRM_SVM_BO_CPU_PREFER_VISIBLE)

/**
 * struct drm_svm_bo_params - placement policy of a new object
 */
struct drm_svm_bo_params {
	/** @allowed: mask of allowed placements (DRM_SVM_PL_MASK()). */
	u32 allowed;
	/** @preferred: where chunks are populated first. */
	u32 preferred;
	/** @flags: DRM_SVM_BO_*. */
	u32 flags;
	/** @chunk_shift: log2 of the chunk size; 0 picks the default. */
	u32 chunk_shift;
};

/**
 * struct drm_svm_bo - a GEM object with per-chunk placements
 *
 * The CPU mapping is the object's single GEM mmap; its PTEs point at
 * whatever backs each chunk and are zapped when a chunk moves.
 *
 * The chunks are protected by the reservation lock (@base.resv); the other
 * members are constant after creation.
 */
struct drm_svm_bo {
	/** @base: the GEM object. */
	struct drm_gem_object base;
	/** @sdev: the device. */
	struct drm_svm_device *sdev;
	/** @params: placement policy, constant after creation. */
	struct drm_svm_bo_params params;
	/** @chunk_shift: log2 of the chunk size. */
	unsigned int chunk_shift;
	/** @nchunks: number of chunks. */
	unsigned long nchunks;
	/** @npages: number of pages. */
	unsigned long npages;
	/** @chunks: the chunks (NULL for an imported object). */
	struct drm_svm_chunk *chunks;
	/**
	 * @pin_count: pins (static dma-buf importers, kernel mappings); a
	 * pinned object is fully populated in SYSTEM/GTT and does not move.
	 * Protected by the reservation lock.
	 */
	unsigned int pin_count;
	/**
	 * @dmabuf: the dma-buf exported from this object while it lives (no
	 * reference: the dma-buf holds one on the object). Set by export
	 * with cmpxchg(), cleared by the dma-buf's release under the
	 * reservation lock: valid while that lock is held (drm_svm_prime.c).
	 */
	struct dma_buf *dmabuf;
	/** @vaddr: kernel mapping of the pinned pages (dma-buf vmap). */
	void *vaddr;
	/**
	 * @import: the dma-buf attachment state of an object imported with
	 * drm_svm_bo_import(), NULL for an object of this device.
	 */
	struct drm_svm_import *import;
};

static inline struct drm_svm_bo *to_drm_svm_bo(struct drm_gem_object *obj)
{
	return container_of(obj, struct drm_svm_bo, base);
}

static inline u64 drm_svm_bo_chunk_size(const struct drm_svm_bo *bo)
{
	return 1ull << bo->chunk_shift;
}

/**
 * struct drm_svm_chunk_info - residency of one chunk, for userspace queries
 */
struct drm_svm_chunk_info {
	/** @placement: &enum drm_svm_placement. */
	u32 placement;
	/** @populated: backing allocated. */
	bool populated;
	/** @visible: CPU-visible VRAM. */
	bool visible;
	/** @busy: a move is in flight. */
	bool busy;
};

/* drm_svm_bo_migrate() flags */
/** DRM_SVM_MIGRATE_VISIBLE - into VRAM: only its CPU-visible part */
#define DRM_SVM_MIGRATE_VISIBLE		BIT(0)

int drm_svm_device_init(struct drm_svm_device *sdev, struct drm_device *drm,
			const struct drm_svm_device_ops *ops,
			struct drm_svm_vram *vram, u64 gtt_size);
void drm_svm_device_fini(struct drm_svm_device *sdev);
void drm_svm_device_print(struct drm_svm_device *sdev, struct drm_printer *p);

u64 drm_svm_max_object_size(struct drm_svm_device *sdev, u32 allowed);
struct drm_svm_bo *drm_svm_bo_create(struct drm_svm_device *sdev, u64 size,
				     const struct drm_svm_bo_params *params);
int drm_svm_bo_migrate(struct drm_svm_bo *bo, u64 offset, u64 size,
		       u32 placement, u32 flags, struct dma_fence **fence);
int drm_svm_bo_residency(struct drm_svm_bo *bo, unsigned long first,
			 unsigned long count, struct drm_svm_chunk_info *info);
int drm_svm_bo_access(struct drm_svm_bo *bo, u64 offset, void *buf,
		      size_t len, bool write);
int drm_svm_bo_fill(struct drm_svm_bo *bo, u64 offset, u64 len, u32 value);
int drm_svm_bo_device_op(struct drm_svm_bo *bo, u64 offset, u64 len,
			 void (*fn)(void *vaddr, size_t n, void *arg),
			 void *arg);
int drm_svm_bo_pin(struct drm_svm_bo *bo, bool intr);
void drm_svm_bo_unpin(struct drm_svm_bo *bo);
int drm_svm_bo_get_pages(struct drm_svm_bo *bo, struct page **pages,
			 bool intr);
unsigned long drm_svm_get_unmapped_area(struct file *filp, unsigned long uaddr,
					unsigned long len, unsigned long pgoff,
					unsigned long flags);

/**
 * DRM_SVM_GEM_FOPS - &file_operations members of a driver on drm_svm
 *
 * DRM_GEM_FOPS with drm_svm_get_unmapped_area(), which aligns CPU
 * mappings of objects for huge (PMD) mappings; the DRM one only does that
 * for shmem-backed objects. Use it in place of DRM_GEM_FOPS:
 *
 *	static const struct file_operations my_fops = {
 *		.owner = THIS_MODULE,
 *		DRM_SVM_GEM_FOPS,
 *	};
 */
#define DRM_SVM_GEM_FOPS \
	.open		= drm_open,\
	.release	= drm_release,\
	.unlocked_ioctl	= drm_ioctl,\
	.compat_ioctl	= drm_compat_ioctl,\
	.poll		= drm_poll,\
	.read		= drm_read,\
	.llseek		= noop_llseek,\
	.get_unmapped_area = drm_svm_get_unmapped_area,\
	.mmap		= drm_gem_mmap,\
	.fop_flags	= FOP_UNSIGNED_OFFSET

#endif /* __DRM_SVM_BO_H__ */
