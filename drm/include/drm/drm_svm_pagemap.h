/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Copyright © 2026 The drm-svm authors
 */
#ifndef __DRM_SVM_PAGEMAP_H__
#define __DRM_SVM_PAGEMAP_H__

#include <linux/atomic.h>
#include <linux/llist.h>
#include <linux/memremap.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/workqueue.h>

#include <drm/drm_svm.h>

struct device;
struct mm_struct;
struct drm_svm_pagemap;

/**
 * struct drm_svm_pagemap_ops - driver callbacks of a device-memory pagemap
 *
 * Both are called in process context with the pages of the migration
 * locked and, except at drm_svm_pagemap_fini(), the mmap lock of the
 * address space held for reading: they must not take an mmap lock or wait
 * for anything that does.
 */
struct drm_svm_pagemap_ops {
	/**
	 * @copy: Start a copy on the device's copy engine and return its
	 * fence, or an ERR_PTR. Sources and destinations are system pages
	 * (%DRM_SVM_PL_SYSTEM; a peer's device memory is given as its
	 * @vram_page) or byte offsets in this device's memory
	 * (%DRM_SVM_PL_VRAM). The helper waits for the fence before it
	 * completes the migration. Optional: without it, or when it fails,
	 * the helper copies with the CPU through @vram_page.
	 */
	struct dma_fence *(*copy)(struct drm_svm_pagemap *pm,
				  const struct drm_svm_copy *copy);
	/**
	 * @vram_page: The struct page through which the CPU and peer devices
	 * reach the device memory at byte offset @offset (a P2P BAR page, or
	 * the backing store of a simulated device). Mandatory.
	 */
	struct page *(*vram_page)(struct drm_svm_pagemap *pm, u64 offset);
};

/**
 * struct drm_svm_pagemap_stats - counters of a pagemap
 */
struct drm_svm_pagemap_stats {
	/** @pages: device pages in use. */
	atomic64_t pages;
	/** @cpu_faults: device pages brought back by CPU faults. */
	atomic64_t cpu_faults;
	/** @evictions: allocations evicted under memory pressure. */
	atomic64_t evictions;
	/** @evicted_pages: device pages those evictions moved. */
	atomic64_t evicted_pages;
	/** @peer_pages: pages migrated here straight from a peer. */
	atomic64_t peer_pages;
};

/**
 * struct drm_svm_pagemap - device memory as device-private pages
 *
 * Embedded in the driver's device structure; set up with
 * drm_svm_pagemap_init(). The fields are the helper's.
 */
struct drm_svm_pagemap {
	/** @pgmap: the MEMORY_DEVICE_PRIVATE pagemap. */
	struct dev_pagemap pgmap;
	/** @dev: the device. */
	struct device *dev;
	/** @vram: the pool the device pages take their memory from. */
	struct drm_svm_vram *vram;
	/** @ops: driver callbacks. */
	const struct drm_svm_pagemap_ops *ops;
	/** @res: the physical address range of @pgmap. */
	struct resource *res;
	/** @free: allocations whose memory goes back to @vram. */
	struct llist_head free;
	/** @free_work: gives back the memory of @free. */
	struct work_struct free_work;
	/** @lru_lock: protects @lru and the allocations' stamps. Innermost. */
	spinlock_t lru_lock;
	/** @lru: allocations, least recently filled first. */
	struct list_head lru;
	/** @evictor: lets allocations from @vram evict @lru. */
	struct drm_svm_vram_evictor evictor;
	/** @stats: counters. */
	struct drm_svm_pagemap_stats stats;
};

int drm_svm_pagemap_init(struct drm_svm_pagemap *pm, struct device *dev,
			 struct drm_svm_vram *vram, void *owner,
			 const struct drm_svm_pagemap_ops *ops);
void drm_svm_pagemap_fini(struct drm_svm_pagemap *pm);
int drm_svm_pagemap_migrate(struct drm_svm_pagemap *pm, struct mm_struct *mm,
			    unsigned long start, unsigned long end,
			    bool to_device, u64 *moved);
long drm_svm_pagemap_evict(struct drm_svm_pagemap *pm, struct mm_struct *mm);
struct drm_svm_pagemap *drm_svm_page_pagemap(struct page *page);
u64 drm_svm_page_offset(struct page *page);
struct page *drm_svm_page_vram_page(struct page *page);
bool drm_svm_pagemap_has_thp(struct drm_svm_pagemap *pm);
bool drm_svm_pagemap_is_local(struct drm_svm_pagemap *pm, struct page *page);

#endif
