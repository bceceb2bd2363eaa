/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Copyright © 2026 The drm-svm authors
 */
#ifndef __DRM_SVM_COMPAT_H__
#define __DRM_SVM_COMPAT_H__

#include <linux/dma-buf.h>
#include <linux/dma-fence.h>
#include <linux/hmm.h>
#include <linux/huge_mm.h>
#include <linux/memremap.h>
#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/module.h>
#include <linux/rmap.h>
#include <linux/version.h>
#include <drm/drm_drv.h>
#include <drm/drm_gpuvm.h>
#include <drm/gpu_scheduler.h>

/**
 * DOC: kernel compatibility
 *
 * drm_svm and vsvm are written against Linux 7.3 (the test kernel) and keep
 * building on the 6.12 LTS kernel. Every difference between the two lives
 * in this header; the rest of the code uses the 7.x interfaces and names
 * only. Two kinds of entries:
 *
 * - 7.x interfaces that 6.12 lacks under that name are provided for 6.12 on
 *   top of its own (page_pgmap(), zone_device_folio_init() of order 0,
 *   make_device_exclusive(), hmm_range_fault_unlocked_timeout(),
 *   vma_is_cow_mapping(), drm_gpuvm_bo_obtain_locked(), struct
 *   drm_gpuvm_map_req, dma_buf_invalidate_mappings(),
 *   DRM_GPU_SCHED_STAT_NO_HANG, dma_fence_was_initialized(),
 *   MODULE_IMPORT_NS() with a string).
 *   Debian's 6.12 already carries some 7.x interfaces (gpu_buddy, the
 *   newer drm_sched_init(), kzalloc_obj(), WQ_PERCPU,
 *   system_dfl_wq): those need nothing here.
 * - Where the same name means different things, or a structure member was
 *   renamed, a drm_svm name covers both: drm_svm_gpuvm_sm_map(),
 *   drm_svm_insert_pfn_pmd(),
 *   DRM_SVM_DRIVER_DATE(), DRM_SVM_DRIVER_GEM_GPUVA,
 *   DRM_SVM_ATTACH_INVALIDATE(), DRM_SVM_PAGEMAP_FOLIO_FREE() with
 *   DRM_SVM_DEFINE_PAGE_FREE() (the folio callback, wrapped as 6.12's
 *   page_free),
 *   DRM_SVM_DMABUF_PIN_ON_ATTACH (when the dma-buf core pins for a static
 *   importer: at attach on 6.12, at map on 7.x).
 *
 * Kernels between 6.13 and 7.2 are not supported: the switch below is one
 * version test, not one per interface. Features that need 7.x (2 MiB device
 * folios) are reported through drm_svm_has_device_thp().
 */

#if LINUX_VERSION_CODE < KERNEL_VERSION(7, 0, 0)
#define DRM_SVM_KERNEL_LTS_612	1
#else
#define DRM_SVM_KERNEL_LTS_612	0
#endif

/**
 * drm_svm_has_device_thp() - whether the kernel migrates device-private
 * memory in 2 MiB folios
 *
 * Return: true on 7.x (MIGRATE_VMA_SELECT_COMPOUND), false on 6.12.
 */
static inline bool drm_svm_has_device_thp(void)
{
	return !DRM_SVM_KERNEL_LTS_612;
}

#if DRM_SVM_KERNEL_LTS_612

#include <linux/pfn_t.h>

/* 6.13+: the namespace is a string. */
#undef MODULE_IMPORT_NS
#define MODULE_IMPORT_NS(ns)	MODULE_INFO(import_ns, ns)

/* 6.15+: the pagemap of a ZONE_DEVICE page. */
static inline struct dev_pagemap *page_pgmap(const struct page *page)
{
	return page->pgmap;
}

/* 6.18+: ZONE_DEVICE folios of any order; 6.12 only knows single pages. */
static inline void zone_device_folio_init(struct folio *folio,
					  struct dev_pagemap *pgmap,
					  unsigned int order)
{
	WARN_ON_ONCE(order || folio->page.pgmap != pgmap);
	zone_device_page_init(&folio->page);
}

/* 6.15+: one page per call, returned locked and referenced. */
static inline struct page *make_device_exclusive(struct mm_struct *mm,
						 unsigned long addr,
						 void *owner,
						 struct folio **foliop)
{
	struct page *page = NULL;
	int n;

	n = make_device_exclusive_range(mm, addr, addr + PAGE_SIZE, &page,
					owner);
	if (n < 0)
		return ERR_PTR(n);
	if (!n)
		return ERR_PTR(-EFAULT);
	if (!page)
		return ERR_PTR(-EOPNOTSUPP);
	*foliop = page_folio(page);
	return page;
}

/* 7.3: hmm_range_fault() taking the mmap lock itself, with a retry limit. */
static inline int hmm_range_fault_unlocked_timeout(struct hmm_range *range,
						   unsigned long timeout)
{
	struct mm_struct *mm = range->notifier->mm;
	unsigned long deadline = jiffies + timeout;
	int ret;

	do {
		if (timeout && time_after(jiffies, deadline))
			return -EBUSY;
		range->notifier_seq = mmu_interval_read_begin(range->notifier);
		if (mmap_read_lock_killable(mm))
			return -EINTR;
		ret = hmm_range_fault(range);
		mmap_read_unlock(mm);
	} while (ret == -EBUSY);
	return ret;
}

/* 7.x clears &dma_fence.ops when a fence signals; 6.12 never does. */
static inline bool dma_fence_was_initialized(struct dma_fence *fence)
{
	return fence && fence->ops;
}

static inline bool vma_is_cow_mapping(const struct vm_area_struct *vma)
{
	return is_cow_mapping(vma->vm_flags);
}

static inline struct drm_gpuvm_bo *
drm_gpuvm_bo_obtain_locked(struct drm_gpuvm *gpuvm, struct drm_gem_object *obj)
{
	return drm_gpuvm_bo_obtain(gpuvm, obj);
}

struct drm_gpuvm_map_req {
	struct drm_gpuva_op_map map;
};

static inline int drm_svm_gpuvm_sm_map(struct drm_gpuvm *gpuvm, void *priv,
				       const struct drm_gpuvm_map_req *req)
{
	return drm_gpuvm_sm_map(gpuvm, priv, req->map.va.addr,
				req->map.va.range, req->map.gem.obj,
				req->map.gem.offset);
}

static inline void dma_buf_invalidate_mappings(struct dma_buf *dmabuf)
{
	dma_buf_move_notify(dmabuf);
}

#define DRM_SVM_ATTACH_INVALIDATE(fn)	.move_notify = (fn)

#define DRM_GPU_SCHED_STAT_NO_HANG	DRM_GPU_SCHED_STAT_NOMINAL

/* The core pins for static importers at attach (7.x: at map). */
#define DRM_SVM_DMABUF_PIN_ON_ATTACH	1

static inline vm_fault_t drm_svm_insert_pfn_pmd(struct vm_fault *vmf,
						unsigned long pfn, bool write)
{
	return vmf_insert_pfn_pmd(vmf, __pfn_to_pfn_t(pfn, PFN_DEV), write);
}

#define DRM_SVM_DRIVER_DATE(d)		.date = (d),
#define DRM_SVM_DRIVER_GEM_GPUVA	DRIVER_GEM_GPUVA

/*
 * &dev_pagemap_ops.page_free: the folio callback @fn, called with the
 * page's folio (always of order 0 on 6.12).
 */
#define DRM_SVM_PAGEMAP_FOLIO_FREE(fn)					\
	.page_free = fn##_page

#define DRM_SVM_DEFINE_PAGE_FREE(fn)					\
	static void fn##_page(struct page *page)			\
	{								\
		fn(page_folio(page));					\
	}

#else /* 7.x */

static inline int drm_svm_gpuvm_sm_map(struct drm_gpuvm *gpuvm, void *priv,
				       const struct drm_gpuvm_map_req *req)
{
	return drm_gpuvm_sm_map(gpuvm, priv, req);
}

#define DRM_SVM_ATTACH_INVALIDATE(fn)	.invalidate_mappings = (fn)

static inline vm_fault_t drm_svm_insert_pfn_pmd(struct vm_fault *vmf,
						unsigned long pfn, bool write)
{
	return vmf_insert_pfn_pmd(vmf, pfn, write);
}

#define DRM_SVM_DRIVER_DATE(d)
#define DRM_SVM_DRIVER_GEM_GPUVA	0

#define DRM_SVM_PAGEMAP_FOLIO_FREE(fn)	.folio_free = (fn)
#define DRM_SVM_DEFINE_PAGE_FREE(fn)

#define DRM_SVM_DMABUF_PIN_ON_ATTACH	0

#endif

#endif /* __DRM_SVM_COMPAT_H__ */
