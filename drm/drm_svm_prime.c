// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright © 2026 The drm-svm authors
 */

#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
#include <linux/iosys-map.h>
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include <drm/drm_drv.h>
#include <drm/drm_gem.h>
#include <drm/drm_prime.h>
#include <drm/drm_print.h>
#include <drm/drm_svm_bo.h>
#include <drm/drm_svm_compat.h>
#include <drm/drm_svm_prime.h>

MODULE_IMPORT_NS("DMA_BUF");

/**
 * DOC: PRIME export
 *
 * A &struct drm_svm_bo is exported as a dma-buf with drm_svm_prime_export()
 * (its &drm_gem_object_funcs.export, called by DRM_IOCTL_PRIME_HANDLE_TO_FD).
 * The dma-buf shares the object's reservation object, so importers see the
 * fences of the exporter's moves (%DMA_RESV_USAGE_KERNEL) and of the jobs
 * that write the object (the driver adds them, %DMA_RESV_USAGE_WRITE):
 * implicit synchronisation works in both directions.
 *
 * The object's chunks move between SYSTEM, GTT and VRAM, so the exporter
 * is a dynamic one (&dma_buf_ops.pin and &dma_buf_ops.unpin, no cached
 * mapping):
 *
 * - Dynamic importers (&dma_buf_attach_ops.invalidate_mappings, called
 *   move_notify before 7.x) get a scatter list of the pages backing the
 *   object right now. Mapping brings chunks that
 *   are in VRAM, which other devices cannot reach through struct pages,
 *   back to SYSTEM (or GTT) first and waits for the copies. Any later move
 *   of a chunk (migration ioctl, eviction, CPU-fault placement switch)
 *   first calls dma_buf_invalidate_mappings(), under the reservation lock and
 *   before the chunk's memory is replaced: the importer must stop using
 *   its mapping and map again, which returns the new pages.
 * - Static importers (no invalidate_mappings) are pinned by the dma-buf
 *   core while they are mapped (7.x; for the whole attachment on 6.12;
 *   &dma_buf_ops.pin is drm_svm_bo_pin()):
 *   the whole object is populated in SYSTEM/GTT and stays there. Moves of
 *   a pinned object fail with -EBUSY; eviction never sees it, as it has no
 *   VRAM. Nothing is copied behind the importer's back, so no data is
 *   lost; the object becomes movable again when the last pin goes.
 * - A kernel mapping (&dma_buf_ops.vmap, used by vkms through the shmem
 *   helpers) pins the object as well and maps its pages with vmap().
 * - mmap() of the dma-buf is the object's own GEM mapping (fault-switched
 *   placements); &dma_buf_ops.begin_cpu_access waits for the fences of
 *   pending device writes (and, for CPU writes, reads).
 *
 * Importing such a dma-buf into the device that exported it returns the
 * object itself (drm_svm_prime_import_self()), as drm_gem_prime_import()
 * does for its own dma-bufs.
 */

/**
 * DOC: PRIME export locking and lifetime
 *
 * - The dma-buf uses the object's reservation object (&drm_gem_object.resv)
 *   as its &dma_buf.resv. The dma-buf core holds it around pin, unpin,
 *   map, unmap, vmap and vunmap; the object's moves hold it too, and call
 *   dma_buf_invalidate_mappings() with it held, so a mapping is never created
 *   while a move is half done.
 * - &drm_svm_bo.pin_count and &drm_svm_bo.vaddr are protected by the
 *   reservation lock. &drm_svm_bo.dmabuf is set by export with cmpxchg()
 *   and no lock (export runs under the DRM device's object_name_lock and
 *   must not wait for a reservation that a job or fault handler holds) and
 *   cleared by the dma-buf's release under the reservation lock, so it
 *   stays valid for move notifications, which run under that lock.
 * - The dma-buf holds a reference on the object and on the DRM device
 *   (drm_gem_dmabuf_export()), and its file a reference on the driver
 *   module: the exporter cannot be unloaded while an importer holds the
 *   buffer, and the object outlives the dma-buf. &drm_svm_bo.dmabuf is not
 *   a reference; the dma-buf's release clears it under the reservation
 *   lock before dropping its reference on the object.
 * - The pages handed to importers belong to the object. A pinned object
 *   keeps them until the last unpin; an unpinned object frees the old
 *   memory of a moved chunk when the copy's fence signals, after
 *   move_notify: a dynamic importer must have stopped its accesses to the
 *   old mapping (or wait for them in move_notify) by then.
 */

static struct drm_svm_bo *dmabuf_to_bo(struct dma_buf *dmabuf)
{
	return to_drm_svm_bo(dmabuf->priv);
}

static int drm_svm_prime_attach(struct dma_buf *dmabuf,
				struct dma_buf_attachment *attach)
{
	struct drm_gem_object *obj = dmabuf->priv;
	int idx;

	/* No new users once the exporting device is unplugged. */
	if (!drm_dev_enter(obj->dev, &idx))
		return -ENODEV;
	drm_dev_exit(idx);
	return 0;
}

static int drm_svm_prime_pin(struct dma_buf_attachment *attach)
{
	return drm_svm_bo_pin(dmabuf_to_bo(attach->dmabuf), true);
}

static void drm_svm_prime_unpin(struct dma_buf_attachment *attach)
{
	drm_svm_bo_unpin(dmabuf_to_bo(attach->dmabuf));
}

/* The object's pages, moved out of VRAM; reservation lock held. */
static struct page **drm_svm_prime_pages(struct drm_svm_bo *bo, bool intr)
{
	struct page **pages;
	int ret;

	pages = kvmalloc_array(bo->npages, sizeof(*pages),
			       GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!pages)
		return ERR_PTR(-ENOMEM);
	ret = drm_svm_bo_get_pages(bo, pages, intr);
	if (ret) {
		kvfree(pages);
		return ERR_PTR(ret);
	}
	return pages;
}

static struct sg_table *drm_svm_prime_map(struct dma_buf_attachment *attach,
					  enum dma_data_direction dir)
{
	struct drm_svm_bo *bo = dmabuf_to_bo(attach->dmabuf);
	struct sg_table *sgt;
	struct page **pages;
	int ret;

	dma_resv_assert_held(bo->base.resv);
	pages = drm_svm_prime_pages(bo, true);
	if (IS_ERR(pages))
		return ERR_CAST(pages);
	sgt = kzalloc_obj(*sgt, GFP_KERNEL);
	if (!sgt) {
		ret = -ENOMEM;
		goto err_pages;
	}
	ret = sg_alloc_table_from_pages_segment(sgt, pages, bo->npages, 0,
						bo->base.size,
						dma_get_max_seg_size(attach->dev),
						GFP_KERNEL);
	if (ret)
		goto err_sgt;
	ret = dma_map_sgtable(attach->dev, sgt, dir, DMA_ATTR_SKIP_CPU_SYNC);
	if (ret)
		goto err_table;
	kvfree(pages);
	return sgt;

err_table:
	sg_free_table(sgt);
err_sgt:
	kfree(sgt);
err_pages:
	kvfree(pages);
	return ERR_PTR(ret);
}

static void drm_svm_prime_unmap(struct dma_buf_attachment *attach,
				struct sg_table *sgt,
				enum dma_data_direction dir)
{
	dma_unmap_sgtable(attach->dev, sgt, dir, DMA_ATTR_SKIP_CPU_SYNC);
	sg_free_table(sgt);
	kfree(sgt);
}

/* The dma-buf core counts vmaps: this runs for the first one only. */
static int drm_svm_prime_vmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	struct drm_svm_bo *bo = dmabuf_to_bo(dmabuf);
	struct page **pages;
	void *vaddr;
	int ret;

	dma_resv_assert_held(bo->base.resv);
	if (drm_WARN_ON(bo->base.dev, bo->vaddr))
		return -EBUSY;
	ret = drm_svm_bo_pin(bo, false);
	if (ret)
		return ret;
	pages = drm_svm_prime_pages(bo, false);
	if (IS_ERR(pages)) {
		ret = PTR_ERR(pages);
		goto err_unpin;
	}
	vaddr = vmap(pages, bo->npages, VM_MAP, PAGE_KERNEL);
	kvfree(pages);
	if (!vaddr) {
		ret = -ENOMEM;
		goto err_unpin;
	}
	bo->vaddr = vaddr;
	iosys_map_set_vaddr(map, vaddr);
	return 0;

err_unpin:
	drm_svm_bo_unpin(bo);
	return ret;
}

static void drm_svm_prime_vunmap(struct dma_buf *dmabuf,
				 struct iosys_map *map)
{
	struct drm_svm_bo *bo = dmabuf_to_bo(dmabuf);

	dma_resv_assert_held(bo->base.resv);
	if (drm_WARN_ON(bo->base.dev, map->vaddr != bo->vaddr))
		return;
	vunmap(bo->vaddr);
	bo->vaddr = NULL;
	drm_svm_bo_unpin(bo);
}

static int drm_svm_prime_begin_cpu_access(struct dma_buf *dmabuf,
					  enum dma_data_direction dir)
{
	long ret;

	/* Reads wait for device writes, writes for every access. */
	ret = dma_resv_wait_timeout(dmabuf->resv,
				    dma_resv_usage_rw(dir != DMA_FROM_DEVICE),
				    true, MAX_SCHEDULE_TIMEOUT);
	return ret < 0 ? ret : 0;
}

static void drm_svm_prime_release(struct dma_buf *dmabuf)
{
	struct drm_svm_bo *bo = dmabuf_to_bo(dmabuf);

	/* Serialised with move notifications, which use the dma-buf. */
	dma_resv_lock(bo->base.resv, NULL);
	cmpxchg(&bo->dmabuf, dmabuf, NULL);
	dma_resv_unlock(bo->base.resv);
	drm_gem_dmabuf_release(dmabuf);
}

static const struct dma_buf_ops drm_svm_prime_dmabuf_ops = {
	.attach = drm_svm_prime_attach,
	.pin = drm_svm_prime_pin,
	.unpin = drm_svm_prime_unpin,
	.map_dma_buf = drm_svm_prime_map,
	.unmap_dma_buf = drm_svm_prime_unmap,
	.release = drm_svm_prime_release,
	.begin_cpu_access = drm_svm_prime_begin_cpu_access,
	.mmap = drm_gem_dmabuf_mmap,
	.vmap = drm_svm_prime_vmap,
	.vunmap = drm_svm_prime_vunmap,
};

/**
 * drm_svm_prime_export() - export a drm_svm object as a dma-buf
 * @obj: the object, a &struct drm_svm_bo
 * @flags: O_CLOEXEC / O_RDWR flags of the dma-buf file
 *
 * The &drm_gem_object_funcs.export of drm_svm objects. The dma-buf shares
 * the object's reservation object and holds a reference on the object, the
 * DRM device and the driver module (see "PRIME export locking and
 * lifetime").
 *
 * Return: the dma-buf or an ERR_PTR (-ENOMEM, -EBUSY when the object
 * already has a live dma-buf that is not &drm_gem_object.dma_buf).
 */
struct dma_buf *drm_svm_prime_export(struct drm_gem_object *obj, int flags)
{
	struct drm_svm_bo *bo = to_drm_svm_bo(obj);
	struct dma_buf_export_info exp_info = {
		.exp_name = KBUILD_MODNAME,
		.owner = obj->dev->driver->fops->owner,
		.ops = &drm_svm_prime_dmabuf_ops,
		.size = obj->size,
		.flags = flags,
		.priv = obj,
		.resv = obj->resv,
	};
	struct dma_buf *dmabuf;

	/*
	 * No reservation lock here: the DRM core calls this with the
	 * device-wide object_name_lock held, and a job or fault handler may
	 * hold the reservation for long.
	 */
	if (READ_ONCE(bo->dmabuf))
		return ERR_PTR(-EBUSY);
	dmabuf = drm_gem_dmabuf_export(obj->dev, &exp_info);
	if (IS_ERR(dmabuf))
		return dmabuf;
	if (cmpxchg(&bo->dmabuf, NULL, dmabuf)) {
		/* Lost a race with another export: its release is ours. */
		dma_buf_put(dmabuf);
		return ERR_PTR(-EBUSY);
	}
	return dmabuf;
}
EXPORT_SYMBOL_GPL(drm_svm_prime_export);

/**
 * drm_svm_prime_is_export() - was this dma-buf exported by drm_svm?
 * @dmabuf: any dma-buf
 *
 * Return: true for dma-bufs of drm_svm_prime_export().
 */
bool drm_svm_prime_is_export(const struct dma_buf *dmabuf)
{
	return dmabuf->ops == &drm_svm_prime_dmabuf_ops;
}
EXPORT_SYMBOL_GPL(drm_svm_prime_is_export);

/**
 * drm_svm_prime_import_self() - import a dma-buf the device exported itself
 * @dev: the importing device
 * @dmabuf: the dma-buf
 *
 * For a driver's &drm_driver.gem_prime_import: a dma-buf exported by
 * drm_svm_prime_export() from an object of @dev stands for that object, so
 * the import is a new reference to it (no attachment, no pin), as
 * drm_gem_prime_import() does for its own dma-bufs.
 *
 * Return: the object with a new reference, or NULL when @dmabuf comes from
 * another device or exporter (the driver then imports it as a foreign
 * buffer).
 */
struct drm_gem_object *drm_svm_prime_import_self(struct drm_device *dev,
						 struct dma_buf *dmabuf)
{
	struct drm_gem_object *obj;

	if (!drm_svm_prime_is_export(dmabuf))
		return NULL;
	obj = dmabuf->priv;
	if (obj->dev != dev)
		return NULL;
	drm_gem_object_get(obj);
	return obj;
}
EXPORT_SYMBOL_GPL(drm_svm_prime_import_self);

/**
 * drm_svm_prime_move_notify() - tell dynamic importers that an object moves
 * @bo: the object, reservation lock held
 *
 * Called by the placement code before it replaces the memory of a
 * populated chunk. Does nothing for an object without a dma-buf.
 */
void drm_svm_prime_move_notify(struct drm_svm_bo *bo)
{
	struct dma_buf *dmabuf = READ_ONCE(bo->dmabuf);

	dma_resv_assert_held(bo->base.resv);
	if (!dmabuf)
		return;
	atomic64_inc(&bo->sdev->stats.prime_move_notifies);
	dma_buf_invalidate_mappings(dmabuf);
}
EXPORT_SYMBOL_GPL(drm_svm_prime_move_notify);
