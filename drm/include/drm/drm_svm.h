/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Copyright © 2026 The drm-svm authors
 */
#ifndef __DRM_SVM_H__
#define __DRM_SVM_H__

#include <linux/bits.h>
#include <linux/gpu_buddy.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/types.h>

struct dma_fence;
struct drm_printer;
struct page;
struct drm_svm_vram_evictor;

/**
 * struct drm_svm_vram_evictor_ops - callbacks of one user of a VRAM pool
 *
 * Every user that holds evictable VRAM (GEM chunks, SVM device pages)
 * registers one &struct drm_svm_vram_evictor. When an allocation finds the
 * pool full, drm_svm_vram_evict() asks each user for the age of its least
 * recently used evictable allocation and evicts the oldest one of all, so
 * the users compete fairly for the pool.
 *
 * Both callbacks are called without any lock of the VRAM manager held
 * except where noted, in process context; they may not allocate VRAM.
 */
struct drm_svm_vram_evictor_ops {
	/**
	 * @oldest: Return the LRU stamp (drm_svm_vram_lru_stamp()) of the
	 * least recently used allocation @evict would evict for a request
	 * with these arguments, or U64_MAX when there is none. Called with
	 * &drm_svm_vram.lock held: it may take only spinlocks. Mandatory.
	 */
	u64 (*oldest)(struct drm_svm_vram_evictor *ev, bool visible,
		      void *ctx);
	/**
	 * @evict: Evict that allocation (or the one now oldest) and wait
	 * until its VRAM is back in the pool. Return 0 when progress was made,
	 * -EBUSY when the victim is busy right now (contended lock, pages in
	 * use): it must then have moved to the back of the LRU so that the
	 * next call picks another one. -ENOSPC when nothing could be evicted,
	 * another -errno on failure. Called with no lock of the helper held,
	 * but possibly with the allocating object's reservation lock and an
	 * mmap lock (read): it may only trylock other reservations and mmap
	 * locks. Mandatory.
	 */
	int (*evict)(struct drm_svm_vram_evictor *ev, bool visible, void *ctx);
};

/**
 * struct drm_svm_vram_evictor - a user of a VRAM pool that can evict
 */
struct drm_svm_vram_evictor {
	/** @ops: the callbacks. */
	const struct drm_svm_vram_evictor_ops *ops;
	/** @link: in &drm_svm_vram.evictors, under &drm_svm_vram.lock. */
	struct list_head link;
};

/**
 * enum drm_svm_placement - where a chunk of an object lives
 * @DRM_SVM_PL_SYSTEM: system memory, mapped cached on the CPU
 * @DRM_SVM_PL_GTT: system memory bound in the device's GART, write-combined
 * @DRM_SVM_PL_VRAM: device memory; CPU-mapped through the BAR when visible
 * @DRM_SVM_PL_COUNT: number of placements; as a copy source: zero fill
 */
enum drm_svm_placement {
	DRM_SVM_PL_SYSTEM = 0,
	DRM_SVM_PL_GTT = 1,
	DRM_SVM_PL_VRAM = 2,
	DRM_SVM_PL_COUNT,
};

#define DRM_SVM_PL_ZERO		DRM_SVM_PL_COUNT
#define DRM_SVM_PL_MASK(pl)	BIT(pl)
#define DRM_SVM_PL_ALL		(BIT(DRM_SVM_PL_COUNT) - 1)

/**
 * struct drm_svm_copy - one copy request for the device's copy engine
 *
 * Page @i of the source goes to page @i of the destination. System and GTT
 * memory is given as pages (@src_pages/@dst_pages), VRAM as byte offsets
 * (@src_vram/@dst_vram). The arrays belong to the caller and are only valid
 * during &drm_svm_device_ops.copy: a driver that copies asynchronously must
 * take its own copy. The pages and VRAM themselves stay allocated until the
 * returned fence has signalled.
 */
struct drm_svm_copy {
	/** @src_pl: source placement, %DRM_SVM_PL_ZERO to clear @dst. */
	enum drm_svm_placement src_pl;
	/** @dst_pl: destination placement. */
	enum drm_svm_placement dst_pl;
	/** @npages: number of pages. */
	unsigned long npages;
	/** @src_pages: source pages (SYSTEM, GTT). */
	struct page **src_pages;
	/** @dst_pages: destination pages (SYSTEM, GTT). */
	struct page **dst_pages;
	/** @src_vram: source VRAM offsets (VRAM). */
	u64 *src_vram;
	/** @dst_vram: destination VRAM offsets (VRAM). */
	u64 *dst_vram;
	/** @deps: fences the copy must wait for. */
	struct dma_fence **deps;
	/** @ndeps: number of @deps. */
	unsigned int ndeps;
};

/**
 * DRM_SVM_VERSION - version of the drm_svm helper, (major << 16) | minor
 */
#define DRM_SVM_VERSION		((1 << 16) | 0)

/*
 * Allocation flags for drm_svm_vram_alloc().
 */
/** DRM_SVM_VRAM_VISIBLE - allocate only from the CPU-visible part of VRAM */
#define DRM_SVM_VRAM_VISIBLE	BIT(0)
/** DRM_SVM_VRAM_CONTIGUOUS - allocate one physically contiguous range */
#define DRM_SVM_VRAM_CONTIGUOUS	BIT(1)
/** DRM_SVM_VRAM_TOPDOWN - prefer the top of VRAM (keeps the BAR free) */
#define DRM_SVM_VRAM_TOPDOWN	BIT(2)
#define DRM_SVM_VRAM_FLAGS	(DRM_SVM_VRAM_VISIBLE | \
				 DRM_SVM_VRAM_CONTIGUOUS | \
				 DRM_SVM_VRAM_TOPDOWN)

/**
 * DRM_SVM_VRAM_EVICT_BUSY_MAX - busy victims drm_svm_vram_alloc_evict()
 * skips before it gives up with -ENOSPC
 */
#define DRM_SVM_VRAM_EVICT_BUSY_MAX	64

/**
 * struct drm_svm_vram - device memory (VRAM) manager
 *
 * A buddy allocator over the device memory of one device, shared later by
 * GEM objects and SVM ranges so that both compete for the same pool. The
 * first @visible_size bytes are CPU-visible through the BAR aperture; the
 * rest is CPU-invisible (small-BAR configurations).
 *
 * Members are protected by @lock unless noted; read them through the
 * accessors.
 */
struct drm_svm_vram {
	/** @mm: the buddy allocator. */
	struct gpu_buddy mm;
	/** @lock: protects @mm, @used and @visible_used. */
	struct mutex lock;
	/** @size: total size in bytes. */
	u64 size;
	/** @visible_size: size of the CPU-visible part in bytes. */
	u64 visible_size;
	/** @chunk_size: smallest allocation unit in bytes. */
	u64 chunk_size;
	/** @used: bytes allocated. */
	u64 used;
	/** @visible_used: bytes allocated below @visible_size. */
	u64 visible_used;
	/** @evictors: registered &struct drm_svm_vram_evictor. */
	struct list_head evictors;
	/** @lru_clock: source of LRU stamps (atomic, no lock). */
	atomic64_t lru_clock;
	/** @evictions: evictions started by drm_svm_vram_evict(). */
	atomic64_t evictions;
};

int drm_svm_vram_init(struct drm_svm_vram *vram, u64 size, u64 visible_size,
		      u64 chunk_size);
void drm_svm_vram_fini(struct drm_svm_vram *vram);
int drm_svm_vram_alloc(struct drm_svm_vram *vram, u64 size, u64 min_page_size,
		       unsigned int flags, struct list_head *blocks);
int drm_svm_vram_alloc_evict(struct drm_svm_vram *vram, u64 size,
			     u64 min_page_size, unsigned int flags,
			     struct list_head *blocks, void *ctx);
void drm_svm_vram_free(struct drm_svm_vram *vram, struct list_head *blocks);
void drm_svm_vram_evictor_add(struct drm_svm_vram *vram,
			      struct drm_svm_vram_evictor *ev,
			      const struct drm_svm_vram_evictor_ops *ops);
void drm_svm_vram_evictor_remove(struct drm_svm_vram *vram,
				 struct drm_svm_vram_evictor *ev);
int drm_svm_vram_evict(struct drm_svm_vram *vram, bool visible, void *ctx);
u64 drm_svm_vram_lru_stamp(struct drm_svm_vram *vram);
u64 drm_svm_vram_used(struct drm_svm_vram *vram);
u64 drm_svm_vram_visible_used(struct drm_svm_vram *vram);
void drm_svm_vram_print(struct drm_svm_vram *vram, struct drm_printer *p);

#endif /* __DRM_SVM_H__ */
