// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright © 2026 The drm-svm authors
 */

#include <linux/dma-buf.h>
#include <linux/dma-resv.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

#include <drm/drm_device.h>
#include <drm/drm_gem.h>
#include <drm/drm_svm_bo.h>
#include <drm/drm_svm_compat.h>
#include <drm/drm_svm_import.h>
#include <drm/drm_vma_manager.h>

/**
 * DOC: dma-buf import
 *
 * drm_svm_bo_import() turns a dma-buf of another driver (a virtio-gpu dumb
 * buffer, a udmabuf, ...) into a &struct drm_svm_bo of the importing
 * device. The object has no memory of its own and is never copied: it is a
 * GTT-like placement over the exporter's pages, reached through the
 * attachment's scatter-gather table. Its residency reads as one GTT
 * placement; drm_svm_bo_migrate() refuses it with -EOPNOTSUPP because the
 * memory belongs to the exporter.
 *
 * Device access: the device engines of the driver (drm_svm_bo_access(),
 * drm_svm_bo_fill(), drm_svm_bo_device_op()) see the object through the
 * DMA addresses of the mapping, exactly as a device would. drm_svm targets
 * devices without an IOMMU in front of them (vsvm is a platform device):
 * the DMA address is the bus address is the physical address, so the
 * engine model resolves each page of the mapping to its page frame and
 * touches it through a temporary kernel mapping. The struct page pointers
 * of the table are never used (CONFIG_DMABUF_DEBUG scrambles them to catch
 * importers that do); an import fails with -EOPNOTSUPP if the device has a
 * DMA offset or a page of the mapping is not RAM.
 *
 * Dynamic exporters: the attachment is dynamic (&dma_buf_attach_ops with
 * move_notify). The mapping is made on the first use and kept; when the
 * exporter moves the buffer, move_notify drops the mapping and the next
 * device access maps it again, wherever the buffer went. There is no CPU
 * mapping or GART binding of our own to tear down: the device walks the
 * mapping on each access. A static exporter (virtio-gpu, the GEM shmem
 * helpers) gets its mapping made, and its pages pinned, by the dma-buf
 * core when the attachment is created; move_notify is then never called.
 *
 * CPU access: the object's mmap offset is forwarded to the exporter with
 * dma_buf_mmap(), so the CPU sees the same pages with the exporter's
 * caching; there is no fault handler of ours in between.
 *
 * Implicit synchronisation: the object shares the exporter's reservation
 * object (&drm_gem_object.resv is &dma_buf.resv). A driver submitting
 * device work on an import waits for the fences there before the work
 * starts and adds the work's fence as a write; drm_svm_bo_access() and
 * drm_svm_bo_fill(), which are synchronous, wait for the fences themselves.
 */

/**
 * DOC: dma-buf import locking and lifetime
 *
 * - The mapping (&drm_svm_import.sgt and the page frame table built from
 *   it) is protected by the shared reservation lock. A device access holds
 *   the lock while it touches the pages, move_notify is called with it
 *   held, so a mapping is never dropped under an access.
 * - The reservation lock is the exporter's: it must not be held while
 *   waiting for anything that may need it. In particular a driver must not
 *   hold it while waiting for its own jobs, which take it to access the
 *   pages.
 * - The object holds a reference on the dma-buf (and so on the exporter's
 *   buffer and module) from drm_svm_bo_import() until its last GEM
 *   reference is gone; the attachment lives as long. Closing the exporter's
 *   handle or file does not affect the import; closing the import while
 *   the exporter lives does not affect the exporter.
 */

/**
 * struct drm_svm_import - an imported dma-buf
 *
 * Members after @attach are protected by the reservation lock of the
 * dma-buf.
 */
struct drm_svm_import {
	/** @bo: the GEM object; &drm_svm_bo.import points back here. */
	struct drm_svm_bo bo;
	/** @attach: the dynamic attachment, for the object's lifetime. */
	struct dma_buf_attachment *attach;
	/** @sgt: the current mapping, NULL until used or after a move. */
	struct sg_table *sgt;
	/** @pfns: page frame of each page of the object, with @sgt. */
	unsigned long *pfns;
	/** @maps: mappings made. */
	u64 maps;
	/** @invalidations: mappings dropped by move_notify. */
	u64 invalidations;
};

static struct drm_svm_import *to_import(struct drm_gem_object *obj)
{
	return container_of(obj, struct drm_svm_import, bo.base);
}

/* Drop the mapping; the next device access maps again. */
static void drm_svm_import_unmap(struct drm_svm_import *imp)
{
	dma_resv_assert_held(imp->bo.base.resv);
	if (!imp->sgt)
		return;
	kvfree(imp->pfns);
	imp->pfns = NULL;
	dma_buf_unmap_attachment(imp->attach, imp->sgt, DMA_BIDIRECTIONAL);
	imp->sgt = NULL;
}

/* Resolve the DMA addresses of @sgt to one page frame per object page. */
static int drm_svm_import_pfns(struct drm_svm_bo *bo, struct sg_table *sgt,
			       unsigned long *pfns)
{
	struct scatterlist *sg;
	unsigned long i = 0;
	unsigned int s;

	for_each_sgtable_dma_sg(sgt, sg, s) {
		/* No IOMMU, no DMA offset: bus address = physical address. */
		phys_addr_t addr = (phys_addr_t)sg_dma_address(sg);
		unsigned int len = sg_dma_len(sg);

		if (!PAGE_ALIGNED(addr) || !PAGE_ALIGNED(len))
			return -EINVAL;
		for (; len && i < bo->npages; len -= PAGE_SIZE) {
			unsigned long pfn = PHYS_PFN(addr);

			if (!pfn_valid(pfn))
				return -EOPNOTSUPP;
			pfns[i++] = pfn;
			addr += PAGE_SIZE;
		}
	}
	/* A mapping shorter than the buffer cannot back the object. */
	return i == bo->npages ? 0 : -EINVAL;
}

/* Map the dma-buf for the device if it is not mapped. */
static int drm_svm_import_map(struct drm_svm_import *imp)
{
	struct drm_svm_bo *bo = &imp->bo;
	struct sg_table *sgt;
	unsigned long *pfns;
	int ret;

	dma_resv_assert_held(bo->base.resv);
	if (imp->sgt)
		return 0;
	sgt = dma_buf_map_attachment(imp->attach, DMA_BIDIRECTIONAL);
	if (IS_ERR(sgt))
		return PTR_ERR(sgt);
	pfns = kvmalloc_array(bo->npages, sizeof(*pfns),
			      GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!pfns) {
		ret = -ENOMEM;
		goto err_unmap;
	}
	ret = drm_svm_import_pfns(bo, sgt, pfns);
	if (ret)
		goto err_free;
	imp->sgt = sgt;
	imp->pfns = pfns;
	imp->maps++;
	return 0;

err_free:
	kvfree(pfns);
err_unmap:
	dma_buf_unmap_attachment(imp->attach, sgt, DMA_BIDIRECTIONAL);
	return ret;
}

/*
 * &dma_buf_attach_ops.invalidate_mappings (move_notify before 7.x): the
 * exporter is moving the buffer.
 */
static void drm_svm_import_move_notify(struct dma_buf_attachment *attach)
{
	struct drm_svm_import *imp = attach->importer_priv;

	dma_resv_assert_held(attach->dmabuf->resv);
	if (!imp->sgt)
		return;
	drm_svm_import_unmap(imp);
	imp->invalidations++;
}

static const struct dma_buf_attach_ops drm_svm_import_attach_ops = {
	.allow_peer2peer = false,
	DRM_SVM_ATTACH_INVALIDATE(drm_svm_import_move_notify),
};

static void drm_svm_import_free(struct drm_gem_object *obj)
{
	struct drm_svm_import *imp = to_import(obj);
	struct dma_buf_attachment *attach = imp->attach;
	struct dma_buf *dmabuf = attach->dmabuf;

	dma_resv_lock(dmabuf->resv, NULL);
	drm_svm_import_unmap(imp);
	dma_resv_unlock(dmabuf->resv);
	dma_buf_detach(dmabuf, attach);
	drm_gem_object_release(obj);
	dma_buf_put(dmabuf);
	kfree(imp);
}

/* CPU mappings are the exporter's: forward them with dma_buf_mmap(). */
static int drm_svm_import_mmap(struct drm_gem_object *obj,
			       struct vm_area_struct *vma)
{
	unsigned long pgoff = vma->vm_pgoff - drm_vma_node_start(&obj->vma_node);
	int ret;

	/* Nothing of ours may stay attached to the exporter's VMA. */
	vma->vm_private_data = NULL;
	vma->vm_ops = NULL;
	ret = dma_buf_mmap(to_import(obj)->attach->dmabuf, vma, pgoff);
	/* The VMA now references the dma-buf, not this object. */
	if (!ret)
		drm_gem_object_put(obj);
	return ret;
}

static const struct drm_gem_object_funcs drm_svm_import_funcs = {
	.free = drm_svm_import_free,
	.mmap = drm_svm_import_mmap,
};

/**
 * drm_svm_bo_import() - import a foreign dma-buf as a drm_svm object
 * @sdev: the importing device
 * @dmabuf: the dma-buf; the object takes its own reference
 *
 * Attaches to @dmabuf (dynamically, see "dma-buf import") and wraps it in
 * a &struct drm_svm_bo whose memory is the exporter's. The buffer is mapped
 * for the device on its first device access, not here: importing costs
 * the exporter no memory. Meant for the driver's &drm_driver.gem_prime_import hook,
 * for dma-bufs that are not the driver's own. May sleep.
 *
 * Return: the GEM object (one reference), or ERR_PTR: -EINVAL for a
 * buffer of zero or unaligned size, -E2BIG for one larger than
 * drm_svm_max_object_size() of SYSTEM, -EOPNOTSUPP when the device has a DMA
 * offset, -ENOMEM, or the exporter's error from attaching. A mapping
 * smaller than the buffer or pages the device cannot reach as physical
 * addresses fail the first device access (-EINVAL, -EOPNOTSUPP).
 */
struct drm_gem_object *drm_svm_bo_import(struct drm_svm_device *sdev,
					 struct dma_buf *dmabuf)
{
	struct device *dev = sdev->drm->dev;
	struct dma_buf_attachment *attach;
	struct drm_svm_import *imp;
	struct drm_svm_bo *bo;
	size_t size;
	int ret;

	if (!dmabuf)
		return ERR_PTR(-EINVAL);
	size = dmabuf->size;
	if (!size || !PAGE_ALIGNED(size))
		return ERR_PTR(-EINVAL);
	/* A mapping of it could not be held in system memory. */
	if (size > drm_svm_max_object_size(sdev,
					   DRM_SVM_PL_MASK(DRM_SVM_PL_SYSTEM)))
		return ERR_PTR(-E2BIG);
	if (dev->dma_range_map)
		return ERR_PTR(-EOPNOTSUPP);

	imp = kzalloc_obj(*imp, GFP_KERNEL_ACCOUNT);
	if (!imp)
		return ERR_PTR(-ENOMEM);
	attach = dma_buf_dynamic_attach(dmabuf, dev, &drm_svm_import_attach_ops,
					imp);
	if (IS_ERR(attach)) {
		kfree(imp);
		return ERR_CAST(attach);
	}
	imp->attach = attach;
	get_dma_buf(dmabuf);

	/* From here on the object's free callback undoes everything. */
	bo = &imp->bo;
	bo->import = imp;
	bo->sdev = sdev;
	bo->params.allowed = DRM_SVM_PL_MASK(DRM_SVM_PL_GTT);
	bo->params.preferred = DRM_SVM_PL_GTT;
	bo->npages = size >> PAGE_SHIFT;
	bo->chunk_shift = min_t(unsigned int, 21, order_base_2(size));
	bo->nchunks = DIV_ROUND_UP_ULL(size, 1ull << bo->chunk_shift);
	bo->base.funcs = &drm_svm_import_funcs;
	bo->base.resv = dmabuf->resv;
	drm_gem_private_object_init(sdev->drm, &bo->base, size);
	bo->base.import_attach = attach;

	/*
	 * Not mapped yet: the first device access maps (and the exporter
	 * populates) it, in the context of the client that uses it.
	 */
	ret = drm_gem_create_mmap_offset(&bo->base);
	if (ret) {
		drm_gem_object_put(&bo->base);
		return ERR_PTR(ret);
	}
	return &bo->base;
}
EXPORT_SYMBOL_GPL(drm_svm_bo_import);

/**
 * drm_svm_import_walk() - device access to an imported object
 * @bo: the object, drm_svm_bo_is_import()
 * @offset: byte offset
 * @len: bytes
 * @fn: called for each page piece with its kernel address and length,
 *	with the reservation lock held
 * @arg: passed to @fn
 *
 * The imported counterpart of the placement walk behind
 * drm_svm_bo_device_op(): maps the dma-buf again if the exporter moved it,
 * then runs @fn over the pages. Does not wait for the fences of the
 * reservation object: device jobs are ordered by their scheduler, the
 * synchronous entry points wait before calling this.
 *
 * Return: 0, -EINVAL for a range outside the object, -EINTR, or an error
 * from mapping the dma-buf again.
 */
int drm_svm_import_walk(struct drm_svm_bo *bo, u64 offset, u64 len,
			void (*fn)(void *vaddr, size_t n, void *arg),
			void *arg)
{
	struct drm_svm_import *imp = bo->import;
	u64 pos = offset, end;
	int ret;

	if (!len || check_add_overflow(offset, len, &end) ||
	    end > bo->base.size)
		return -EINVAL;
	ret = dma_resv_lock_interruptible(bo->base.resv, NULL);
	if (ret)
		return ret;
	ret = drm_svm_import_map(imp);
	while (!ret && pos < end) {
		size_t in = offset_in_page(pos);
		size_t n = min_t(u64, PAGE_SIZE - in, end - pos);
		void *vaddr = kmap_local_pfn(imp->pfns[pos >> PAGE_SHIFT]);

		fn(vaddr + in, n, arg);
		kunmap_local(vaddr);
		pos += n;
	}
	dma_resv_unlock(bo->base.resv);
	return ret;
}

/**
 * drm_svm_import_residency() - residency of an imported object
 * @bo: the object, drm_svm_bo_is_import()
 * @first: first chunk
 * @count: number of chunks
 * @info: receives @count entries
 *
 * Every chunk reads as GTT (the exporter's pages), populated while the
 * dma-buf is mapped, busy while a fence of the shared reservation object
 * is pending.
 *
 * Return: 0, -EINVAL for a range outside the object, -EINTR.
 */
int drm_svm_import_residency(struct drm_svm_bo *bo, unsigned long first,
			     unsigned long count,
			     struct drm_svm_chunk_info *info)
{
	bool busy, mapped;
	unsigned long i;

	if (first >= bo->nchunks || count > bo->nchunks - first)
		return -EINVAL;
	if (dma_resv_lock_interruptible(bo->base.resv, NULL))
		return -EINTR;
	mapped = bo->import->sgt;
	busy = !dma_resv_test_signaled(bo->base.resv, DMA_RESV_USAGE_BOOKKEEP);
	dma_resv_unlock(bo->base.resv);
	for (i = 0; i < count; i++) {
		info[i].placement = DRM_SVM_PL_GTT;
		info[i].populated = mapped;
		info[i].visible = false;
		info[i].busy = busy;
	}
	return 0;
}

MODULE_IMPORT_NS("DMA_BUF");
