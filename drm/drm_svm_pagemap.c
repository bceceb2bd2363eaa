// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright © 2026 The drm-svm authors
 */

#include <linux/dma-fence.h>
#include <linux/highmem.h>
#include <linux/ioport.h>
#include <linux/migrate.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/sched/mm.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include <drm/drm_svm_compat.h>
#include <drm/drm_svm_pagemap.h>

/**
 * DOC: Device memory
 *
 * A &struct drm_svm_pagemap exposes a device's memory (a &struct
 * drm_svm_vram pool) as one MEMORY_DEVICE_PRIVATE pagemap: device page n
 * stands for byte offset n * PAGE_SIZE of the device's memory. The helper
 * registers the pagemap, implements its &dev_pagemap_ops, migrates process
 * memory to and from the device with migrate_vma in batches of up to 2 MiB,
 * and evicts device pages under memory pressure. The driver gives two
 * callbacks (&struct drm_svm_pagemap_ops): a copy on its copy engine that
 * returns a &dma_fence, and the page through which its memory is reached.
 *
 * Each batch migrated to the device takes its memory in one allocation
 * from the pool; the allocation backs the batch's device pages
 * (&page.zone_device_data points to it) and is counted by its live pages.
 * Its memory goes back to the pool from a worker once the last page is
 * freed (&dev_pagemap_ops.folio_free may be called in atomic context).
 *
 * A CPU fault on a device page (&dev_pagemap_ops.migrate_to_ram) brings
 * back the 2 MiB-aligned window around it, clipped to the VMA, in one copy.
 *
 * Example, a driver with one pool and one pagemap::
 *
 *	static const struct drm_svm_pagemap_ops my_pagemap_ops = {
 *		.copy = my_copy,		// engine copy, returns a fence
 *		.vram_page = my_vram_page,	// BAR page of an offset
 *	};
 *
 *	ret = drm_svm_pagemap_init(&mdev->pagemap, mdev->dev, &mdev->vram,
 *				   my_owner, &my_pagemap_ops);
 *	...
 *	// prefetch to the device
 *	ret = drm_svm_pagemap_migrate(&mdev->pagemap, mm, start, end, true,
 *				      &moved);
 *	...
 *	drm_svm_pagemap_fini(&mdev->pagemap);
 */

/**
 * DOC: Peer devices
 *
 * Pagemaps registered with the same owner are peers. hmm_range_fault() with
 * that owner hands a peer's pages to a mirror as they are, so a device can
 * map a peer's memory in place; a migration to the device collects system
 * pages and peers' pages alike and its copy engine reads the peers' pages
 * through their &drm_svm_pagemap_ops.vram_page, in the same job, with no
 * bounce through system memory (&drm_svm_pagemap_stats.peer_pages). Pages
 * already in the device's own memory stay. Local and peer pages are told
 * apart by pagemap identity (drm_svm_pagemap_is_local()), not by owner.
 */

/**
 * DOC: Device memory eviction and locking
 *
 * The allocations sit on &drm_svm_pagemap.lru in the order they were filled
 * and the pagemap registers a &drm_svm_vram_evictor with its pool: when any
 * allocation from the pool (a GEM object or another migration) finds it
 * full and this LRU holds the oldest memory, the oldest allocation is
 * evicted through the address space it was filled from: migrate_vma over
 * that range with the owner's mmap lock held (only trylocked under memory
 * pressure, where the allocating context may hold an mmap lock), restricted
 * to this pagemap's pages. The mmap lock keeps the pages' anon_vmas alive
 * while they are unmapped for the move; the device-range functions
 * (migrate_device_range()) hold nothing of the kind and race with munmap
 * (docs/security.md), so they are used only by drm_svm_pagemap_fini(), for
 * pages their owner moved elsewhere (mremap) or left to a child after fork.
 *
 * Lock order: the owner's mmap lock (read) -> device page locks (only
 * trylocked by migrate_vma, so a migration holding locked pages of its own
 * may evict) -> &drm_svm_vram.lock -> &drm_svm_pagemap.lru_lock (innermost,
 * a spinlock). A migration to the device allocates its memory, and so may
 * evict, after migrate_vma_setup() with the mmap lock held for reading and
 * no mirror lock; see "VRAM eviction" in drm_svm_vram.c.
 */

/**
 * struct drm_svm_devmem - the device memory of one migration batch
 */
struct drm_svm_devmem {
	/** @pm: the pagemap. */
	struct drm_svm_pagemap *pm;
	/** @blocks: the buddy blocks, owned until the allocation is freed. */
	struct list_head blocks;
	/** @lru: in &drm_svm_pagemap.lru, under its lock; may be empty. */
	struct list_head lru;
	/** @free: in &drm_svm_pagemap.free once @refs reached zero. */
	struct llist_node free;
	/** @refs: live device pages, plus one per migration or evictor. */
	atomic_t refs;
	/** @stamp: LRU stamp of the last fill, under the LRU lock. */
	u64 stamp;
	/** @mm: the address space it was filled from (mmgrab()). */
	struct mm_struct *mm;
	/** @start: start of the range of @mm it was filled from. */
	unsigned long start;
	/** @end: end of that range. */
	unsigned long end;
	/** @visible: some block lies in the CPU-visible part of the pool. */
	bool visible;
};

/* Order of the device folios migrated (0: 4 KiB pages, for now). */
#define DRM_SVM_PAGEMAP_FOLIO_ORDER	0
#define DRM_SVM_MIGRATE_BATCH		512

static const struct dev_pagemap_ops drm_svm_pagemap_pgmap_ops;

/**
 * drm_svm_page_pagemap() - the drm_svm pagemap of a page
 * @page: any page
 *
 * Return: the pagemap, or NULL when @page is not a device-private page of
 * a &struct drm_svm_pagemap.
 */
struct drm_svm_pagemap *drm_svm_page_pagemap(struct page *page)
{
	if (!is_device_private_page(page) ||
	    page_pgmap(page)->ops != &drm_svm_pagemap_pgmap_ops)
		return NULL;
	return container_of(page_pgmap(page), struct drm_svm_pagemap, pgmap);
}
EXPORT_SYMBOL_GPL(drm_svm_page_pagemap);

/**
 * drm_svm_pagemap_is_local() - whether a page is in a pagemap
 * @pm: the pagemap
 * @page: any page
 *
 * Return: true for a device-private page of @pm.
 */
bool drm_svm_pagemap_is_local(struct drm_svm_pagemap *pm, struct page *page)
{
	return is_device_private_page(page) && page_pgmap(page) == &pm->pgmap;
}
EXPORT_SYMBOL_GPL(drm_svm_pagemap_is_local);

/**
 * drm_svm_page_offset() - device memory offset of a device-private page
 * @page: a device-private page of a drm_svm pagemap
 *
 * Return: the byte offset in the device's memory.
 */
u64 drm_svm_page_offset(struct page *page)
{
	struct drm_svm_pagemap *pm = drm_svm_page_pagemap(page);

	return (u64)(page_to_pfn(page) - PHYS_PFN(pm->pgmap.range.start)) <<
		PAGE_SHIFT;
}
EXPORT_SYMBOL_GPL(drm_svm_page_offset);

/**
 * drm_svm_page_vram_page() - the page through which a device page is reached
 * @page: a device-private page of a drm_svm pagemap
 *
 * Return: &drm_svm_pagemap_ops.vram_page of its offset.
 */
struct page *drm_svm_page_vram_page(struct page *page)
{
	struct drm_svm_pagemap *pm = drm_svm_page_pagemap(page);

	return pm->ops->vram_page(pm, drm_svm_page_offset(page));
}
EXPORT_SYMBOL_GPL(drm_svm_page_vram_page);

/**
 * drm_svm_pagemap_has_thp() - whether device memory moves in 2 MiB folios
 * @pm: the pagemap
 *
 * Only kernels with device-private THP migration (drm_svm_has_device_thp(),
 * Linux 7.2+) can, and only once the helper migrates PMD-order folios.
 *
 * Return: true when migrations of PMD-aligned ranges use 2 MiB folios.
 */
bool drm_svm_pagemap_has_thp(struct drm_svm_pagemap *pm)
{
	return drm_svm_has_device_thp() &&
		DRM_SVM_PAGEMAP_FOLIO_ORDER == PMD_ORDER;
}
EXPORT_SYMBOL_GPL(drm_svm_pagemap_has_thp);

static void drm_svm_pagemap_free_work(struct work_struct *work)
{
	struct drm_svm_pagemap *pm = container_of(work, struct drm_svm_pagemap,
						  free_work);
	struct llist_node *list = llist_del_all(&pm->free);
	struct drm_svm_devmem *mem, *tmp;

	llist_for_each_entry_safe(mem, tmp, list, free) {
		spin_lock(&pm->lru_lock);
		list_del_init(&mem->lru);
		spin_unlock(&pm->lru_lock);
		drm_svm_vram_free(pm->vram, &mem->blocks);
		mmdrop(mem->mm);
		kfree(mem);
	}
}

/* Drop a reference; the last one frees the memory from a worker. */
static void drm_svm_devmem_put(struct drm_svm_devmem *mem)
{
	struct drm_svm_pagemap *pm = mem->pm;

	if (atomic_dec_and_test(&mem->refs) && llist_add(&mem->free, &pm->free))
		queue_work(system_dfl_wq, &pm->free_work);
}

/* (Re)insert at the most recently used end of the LRU. */
static void drm_svm_devmem_lru_add(struct drm_svm_devmem *mem)
{
	struct drm_svm_pagemap *pm = mem->pm;

	spin_lock(&pm->lru_lock);
	mem->stamp = drm_svm_vram_lru_stamp(pm->vram);
	list_move_tail(&mem->lru, &pm->lru);
	spin_unlock(&pm->lru_lock);
}

/* &dev_pagemap_ops.folio_free: device folios are single pages here. */
static void drm_svm_pagemap_folio_free(struct folio *folio)
{
	struct drm_svm_devmem *mem = folio->page.zone_device_data;

	folio->page.zone_device_data = NULL;
	atomic64_dec(&mem->pm->stats.pages);
	drm_svm_devmem_put(mem);
}

DRM_SVM_DEFINE_PAGE_FREE(drm_svm_pagemap_folio_free)

/*
 * Memory for @npages device pages of the range @start..@end of @mm,
 * evicting the least recently used memory of the pool while it is full.
 * The caller holds the only reference.
 */
static struct drm_svm_devmem *
drm_svm_devmem_alloc(struct drm_svm_pagemap *pm, unsigned long npages,
		     struct mm_struct *mm, unsigned long start,
		     unsigned long end)
{
	struct drm_svm_devmem *mem;
	struct gpu_buddy_block *block;
	int ret;

	mem = kzalloc_obj(*mem, GFP_KERNEL);
	if (!mem)
		return ERR_PTR(-ENOMEM);
	mem->pm = pm;
	INIT_LIST_HEAD(&mem->blocks);
	INIT_LIST_HEAD(&mem->lru);
	ret = drm_svm_vram_alloc_evict(pm->vram, (u64)npages << PAGE_SHIFT, 0,
				       DRM_SVM_VRAM_TOPDOWN, &mem->blocks,
				       NULL);
	if (ret) {
		kfree(mem);
		return ERR_PTR(ret);
	}
	list_for_each_entry(block, &mem->blocks, link)
		if (gpu_buddy_block_offset(block) < pm->vram->visible_size)
			mem->visible = true;
	mmgrab(mm);
	mem->mm = mm;
	mem->start = start;
	mem->end = end;
	atomic_set(&mem->refs, 1);
	return mem;
}

/* Hands out the pages of an allocation's blocks in order. */
struct drm_svm_devmem_cursor {
	struct drm_svm_devmem *mem;
	struct gpu_buddy_block *block;
	u64 off, end;
};

/* The next device page of the allocation, initialised (ref'd, locked). */
static struct page *drm_svm_devmem_next(struct drm_svm_devmem_cursor *cur)
{
	struct drm_svm_devmem *mem = cur->mem;
	struct drm_svm_pagemap *pm = mem->pm;
	struct page *page;

	if (cur->off == cur->end) {
		cur->block = cur->block ? list_next_entry(cur->block, link) :
			list_first_entry(&mem->blocks, struct gpu_buddy_block,
					 link);
		if (WARN_ON(list_entry_is_head(cur->block, &mem->blocks,
					       link)))
			return NULL;
		cur->off = gpu_buddy_block_offset(cur->block);
		cur->end = cur->off + gpu_buddy_block_size(&pm->vram->mm,
							   cur->block);
	}
	page = pfn_to_page(PHYS_PFN(pm->pgmap.range.start) +
			   (cur->off >> PAGE_SHIFT));
	cur->off += PAGE_SIZE;
	page->zone_device_data = mem;
	atomic_inc(&mem->refs);
	zone_device_folio_init((struct folio *)page, &pm->pgmap, 0);
	atomic64_inc(&pm->stats.pages);
	return page;
}

/* The copies of one batch, by kind of source. */
enum drm_svm_xfer_kind {
	DRM_SVM_XFER_PAGES,	/* from system pages or peers' pages */
	DRM_SVM_XFER_VRAM,	/* from this device's memory */
	DRM_SVM_XFER_ZERO,	/* no source: a never-touched page */
	DRM_SVM_XFER_COUNT,
};

struct drm_svm_xfer {
	u64 from[DRM_SVM_MIGRATE_BATCH];	/* struct page * or offset */
	u64 to[DRM_SVM_MIGRATE_BATCH];		/* struct page * or offset */
	unsigned long n;
};

struct drm_svm_migrate_ctx {
	unsigned long src[DRM_SVM_MIGRATE_BATCH];
	unsigned long dst[DRM_SVM_MIGRATE_BATCH];
	struct drm_svm_xfer xfer[DRM_SVM_XFER_COUNT];
};

/* What a migration batch moves. */
enum drm_svm_migrate_dir {
	/* system pages and peers' device pages into this device's memory */
	DRM_SVM_TO_DEVICE,
	/* any device page of the owner back to system memory */
	DRM_SVM_TO_RAM,
	/* this device's pages back to system memory (eviction) */
	DRM_SVM_EVICT,
};

static void drm_svm_xfer_reset(struct drm_svm_migrate_ctx *ctx)
{
	int k;

	for (k = 0; k < DRM_SVM_XFER_COUNT; k++)
		ctx->xfer[k].n = 0;
}

static struct page *drm_svm_xfer_page(struct drm_svm_pagemap *pm, u32 pl,
				      u64 v)
{
	return pl == DRM_SVM_PL_VRAM ? pm->ops->vram_page(pm, v) :
		(struct page *)(uintptr_t)v;
}

/* The CPU does the copies the engine could not start. */
static void drm_svm_xfer_cpu(struct drm_svm_pagemap *pm,
			     const struct drm_svm_copy *c)
{
	unsigned long i;

	for (i = 0; i < c->npages; i++) {
		struct page *d = drm_svm_xfer_page(pm, c->dst_pl,
						   c->dst_vram[i]);

		if (c->src_pl == DRM_SVM_PL_ZERO)
			clear_highpage(d);
		else
			copy_highpage(d, drm_svm_xfer_page(pm, c->src_pl,
							   c->src_vram[i]));
	}
}

/*
 * Copy what the batch collected, all kinds on the engine at once, and wait:
 * migrate_vma_pages() may only run once the data is in place.
 */
static void drm_svm_migrate_copy(struct drm_svm_pagemap *pm,
				 struct drm_svm_migrate_ctx *ctx,
				 bool to_device)
{
	static const u8 src_pl[] = { DRM_SVM_PL_SYSTEM, DRM_SVM_PL_VRAM,
				     DRM_SVM_PL_ZERO };
	struct dma_fence *fence[DRM_SVM_XFER_COUNT] = {};
	struct drm_svm_copy c[DRM_SVM_XFER_COUNT];
	int k;

	for (k = 0; k < DRM_SVM_XFER_COUNT; k++) {
		struct drm_svm_xfer *x = &ctx->xfer[k];

		c[k] = (struct drm_svm_copy) {
			.src_pl = src_pl[k],
			.dst_pl = to_device ? DRM_SVM_PL_VRAM :
				DRM_SVM_PL_SYSTEM,
			.npages = x->n,
			.src_vram = x->from, .dst_vram = x->to,
			.src_pages = (struct page **)x->from,
			.dst_pages = (struct page **)x->to,
		};
		if (x->n && pm->ops->copy)
			fence[k] = pm->ops->copy(pm, &c[k]);
	}
	for (k = 0; k < DRM_SVM_XFER_COUNT; k++) {
		if (!ctx->xfer[k].n)
			continue;
		if (IS_ERR_OR_NULL(fence[k])) {
			drm_svm_xfer_cpu(pm, &c[k]);
			continue;
		}
		dma_fence_wait(fence[k], false);
		dma_fence_put(fence[k]);
	}
}

/*
 * Whether migrate_vma collected a page that this migration moves: to the
 * device, pages already in @pm stay (they are collected only because
 * peers' pages share their owner); eviction leaves peers' pages.
 */
static bool drm_svm_migrate_wanted(struct drm_svm_pagemap *pm,
				   unsigned long src,
				   enum drm_svm_migrate_dir dir)
{
	struct page *page = migrate_pfn_to_page(src);

	if (!(src & MIGRATE_PFN_MIGRATE))
		return false;
	if (dir == DRM_SVM_TO_DEVICE)
		return !page || !drm_svm_pagemap_is_local(pm, page);
	if (dir == DRM_SVM_EVICT)
		return page && drm_svm_pagemap_is_local(pm, page);
	return true;
}

/* The memory of a batch to the device, in one allocation (may evict). */
static struct drm_svm_devmem *
drm_svm_migrate_alloc(struct drm_svm_pagemap *pm, struct migrate_vma *args)
{
	unsigned long i, n = 0;

	for (i = 0; i < args->npages; i++)
		n += drm_svm_migrate_wanted(pm, args->src[i],
					    DRM_SVM_TO_DEVICE);
	if (!n)
		return NULL;
	return drm_svm_devmem_alloc(pm, n, args->vma->vm_mm, args->start,
				    args->end);
}

/* The destination of page @i: the allocation's next page or a system page. */
static struct page *drm_svm_migrate_dst(struct migrate_vma *args,
					struct drm_svm_devmem_cursor *cur,
					unsigned long i)
{
	struct page *page;

	if (cur)
		return drm_svm_devmem_next(cur);
	page = alloc_page_vma(GFP_HIGHUSER, args->vma,
			      args->start + i * PAGE_SIZE);
	if (page)
		lock_page(page);
	return page;
}

/* List the copy of @spage to @dpage in the transfer of its kind. */
static void drm_svm_migrate_add(struct drm_svm_pagemap *pm,
				struct drm_svm_migrate_ctx *ctx,
				struct page *spage, struct page *dpage,
				bool to_device)
{
	enum drm_svm_xfer_kind k = DRM_SVM_XFER_PAGES;
	u64 from = (uintptr_t)spage;
	struct drm_svm_xfer *x;

	if (!spage) {
		k = DRM_SVM_XFER_ZERO;
	} else if (drm_svm_pagemap_is_local(pm, spage)) {
		k = DRM_SVM_XFER_VRAM;
		from = drm_svm_page_offset(spage);
	} else if (is_device_private_page(spage)) {
		/* A peer's page: read straight from its memory. */
		from = (uintptr_t)drm_svm_page_vram_page(spage);
		if (to_device)
			atomic64_inc(&pm->stats.peer_pages);
	}
	x = &ctx->xfer[k];
	x->from[x->n] = from;
	x->to[x->n++] = to_device ? drm_svm_page_offset(dpage) :
		(uintptr_t)dpage;
}

/*
 * Give every page the batch moves its destination and copy; -ENOMEM when
 * a system page could not be had (the pages without a destination stay).
 */
static int drm_svm_migrate_fill(struct drm_svm_pagemap *pm,
				struct migrate_vma *args,
				enum drm_svm_migrate_dir dir,
				struct drm_svm_devmem_cursor *cur,
				struct drm_svm_migrate_ctx *ctx, u64 *moved)
{
	unsigned long i;
	int ret = 0;

	drm_svm_xfer_reset(ctx);
	for (i = 0; i < args->npages; i++) {
		struct page *dpage;

		if (!drm_svm_migrate_wanted(pm, ctx->src[i], dir))
			continue;
		dpage = drm_svm_migrate_dst(args, cur, i);
		if (!dpage) {
			ret = -ENOMEM;
			break;
		}
		ctx->dst[i] = migrate_pfn(page_to_pfn(dpage));
		(*moved)++;
		drm_svm_migrate_add(pm, ctx, migrate_pfn_to_page(ctx->src[i]),
				    dpage, dir == DRM_SVM_TO_DEVICE);
	}
	drm_svm_migrate_copy(pm, ctx, dir == DRM_SVM_TO_DEVICE);
	return ret;
}

/* Migrate one batch (at most DRM_SVM_MIGRATE_BATCH pages) of one VMA. */
static int drm_svm_migrate_batch(struct drm_svm_pagemap *pm,
				 struct vm_area_struct *vma,
				 unsigned long start, unsigned long end,
				 enum drm_svm_migrate_dir dir,
				 struct page *fault_page,
				 struct drm_svm_migrate_ctx *ctx, u64 *moved)
{
	struct migrate_vma args = {
		.vma = vma, .start = start, .end = end,
		.src = ctx->src, .dst = ctx->dst,
		.pgmap_owner = pm->pgmap.owner,
		/* To the device: from system memory or a peer's memory. */
		.flags = dir == DRM_SVM_TO_DEVICE ? MIGRATE_VMA_SELECT_SYSTEM |
			MIGRATE_VMA_SELECT_DEVICE_PRIVATE :
			MIGRATE_VMA_SELECT_DEVICE_PRIVATE,
		.fault_page = fault_page,
	};
	struct drm_svm_devmem_cursor cur = {};
	struct drm_svm_devmem *mem = NULL;
	int ret;

	memset(ctx->dst, 0, ((end - start) >> PAGE_SHIFT) * sizeof(*ctx->dst));
	ret = migrate_vma_setup(&args);
	if (ret)
		return ret;
	if (dir == DRM_SVM_TO_DEVICE)
		mem = drm_svm_migrate_alloc(pm, &args);
	if (IS_ERR(mem)) {
		ret = PTR_ERR(mem);	/* migrate nothing */
		mem = NULL;
	} else if (mem || dir != DRM_SVM_TO_DEVICE) {
		cur.mem = mem;
		ret = drm_svm_migrate_fill(pm, &args, dir, mem ? &cur : NULL,
					   ctx, moved);
	}
	migrate_vma_pages(&args);
	migrate_vma_finalize(&args);
	if (mem) {
		/* Pages that did not migrate have dropped their references. */
		drm_svm_devmem_lru_add(mem);
		drm_svm_devmem_put(mem);
	}
	return ret;
}

/* VMAs whose pages migrate: private memory the CPU may read. */
static bool drm_svm_migrate_vma_ok(struct vm_area_struct *vma)
{
	/*
	 * Anonymous VMAs, and the COW copies in private file mappings
	 * (page-cache pages are skipped by migrate_vma_setup()).
	 */
	return (vma->vm_flags & VM_READ) &&
		!(vma->vm_flags & (VM_SHARED | VM_IO | VM_PFNMAP | VM_MIXEDMAP));
}

/*
 * Migrate @start..@end of @mm, its mmap lock held, in batches. A hole or a
 * VMA that cannot migrate fails with -EINVAL, except for eviction, which
 * skips them. Stops with -EINTR on a fatal signal.
 */
static int drm_svm_migrate_locked(struct drm_svm_pagemap *pm,
				  struct mm_struct *mm, unsigned long start,
				  unsigned long end, enum drm_svm_migrate_dir dir,
				  struct drm_svm_migrate_ctx *ctx, u64 *moved)
{
	unsigned long addr, next;
	int ret = 0;

	mmap_assert_locked(mm);
	for (addr = start; addr < end && !ret; addr = next) {
		struct vm_area_struct *vma = find_vma_intersection(mm, addr,
								   end);
		bool hole = !vma || vma->vm_start > addr;

		if (dir == DRM_SVM_EVICT && !vma)
			return 0;
		if (dir != DRM_SVM_EVICT &&
		    (hole || !drm_svm_migrate_vma_ok(vma)))
			return -EINVAL;
		addr = max(addr, vma->vm_start);
		next = min3(end, vma->vm_end,
			    addr + DRM_SVM_MIGRATE_BATCH * PAGE_SIZE);
		if (drm_svm_migrate_vma_ok(vma))
			ret = drm_svm_migrate_batch(pm, vma, addr, next, dir,
						    NULL, ctx, moved);
		if (!ret && fatal_signal_pending(current))
			ret = -EINTR;
		cond_resched();
	}
	return ret;
}

/* &dev_pagemap_ops.migrate_to_ram: the 2 MiB window around the fault. */
static vm_fault_t drm_svm_pagemap_migrate_to_ram(struct vm_fault *vmf)
{
	struct drm_svm_pagemap *pm = drm_svm_page_pagemap(vmf->page);
	struct vm_area_struct *vma = vmf->vma;
	unsigned long base = ALIGN_DOWN(vmf->address, SZ_2M);
	unsigned long start = max(base, vma->vm_start);
	unsigned long end = min(base + SZ_2M, vma->vm_end);
	struct drm_svm_migrate_ctx *ctx;
	u64 moved = 0;
	int ret;

	ctx = kvmalloc_obj(*ctx, GFP_KERNEL);
	if (!ctx)
		return VM_FAULT_OOM;
	ret = drm_svm_migrate_batch(pm, vma, start, end, DRM_SVM_TO_RAM,
				    vmf->page, ctx, &moved);
	kvfree(ctx);
	atomic64_add(moved, &pm->stats.cpu_faults);
	if (ret == -ENOMEM)
		return VM_FAULT_OOM;
	return ret ? VM_FAULT_SIGBUS : 0;
}

static const struct dev_pagemap_ops drm_svm_pagemap_pgmap_ops = {
	DRM_SVM_PAGEMAP_FOLIO_FREE(drm_svm_pagemap_folio_free),
	.migrate_to_ram = drm_svm_pagemap_migrate_to_ram,
};

/**
 * drm_svm_pagemap_migrate() - migrate a range of process memory
 * @pm: the pagemap
 * @mm: the address space (its user holds a reference)
 * @start: page-aligned start
 * @end: page-aligned end
 * @to_device: into @pm's memory, or back to system memory (from any
 *	pagemap of @pm's owner)
 * @moved: receives the number of pages moved
 *
 * Takes the mmap lock of @mm for reading; must be called without it. Pages
 * are copied by &drm_svm_pagemap_ops.copy in batches of up to 2 MiB. Pages
 * that cannot move right now (locked, pinned) stay where they are.
 *
 * Return: 0, -EINVAL (a hole, a shared or unreadable VMA, or one that
 * cannot migrate), -ENOMEM, -ENOSPC (no device memory), -EINTR (fatal
 * signal).
 */
int drm_svm_pagemap_migrate(struct drm_svm_pagemap *pm, struct mm_struct *mm,
			    unsigned long start, unsigned long end,
			    bool to_device, u64 *moved)
{
	struct drm_svm_migrate_ctx *ctx;
	int ret;

	*moved = 0;
	ctx = kvmalloc_obj(*ctx, GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	ret = mmap_read_lock_killable(mm);
	if (!ret) {
		ret = drm_svm_migrate_locked(pm, mm, start, end,
					     to_device ? DRM_SVM_TO_DEVICE :
					     DRM_SVM_TO_RAM, ctx, moved);
		mmap_read_unlock(mm);
	}
	kvfree(ctx);
	return ret;
}
EXPORT_SYMBOL_GPL(drm_svm_pagemap_migrate);

/*
 * Evict an allocation through its owner's address space (see "Device
 * memory eviction and locking"). Returns the pages moved or -errno; -EBUSY
 * when @wait is false and the mmap lock is contended.
 */
static long drm_svm_devmem_evict(struct drm_svm_pagemap *pm,
				 struct drm_svm_devmem *mem,
				 struct drm_svm_migrate_ctx *ctx, bool wait)
{
	struct mm_struct *mm = mem->mm;
	u64 moved = 0;
	int ret;

	/* An exiting address space frees its pages itself. */
	if (!mmget_not_zero(mm))
		return 0;
	if (wait)
		ret = mmap_read_lock_killable(mm);
	else
		ret = mmap_read_trylock(mm) ? 0 : -EBUSY;
	if (!ret) {
		ret = drm_svm_migrate_locked(pm, mm, mem->start, mem->end,
					     DRM_SVM_EVICT, ctx, &moved);
		mmap_read_unlock(mm);
	}
	/* Never the exit of another process in our context. */
	mmput_async(mm);
	return ret ?: moved;
}

/* Back on the LRU if pages are left, and drop the evictor's reference. */
static void drm_svm_devmem_evicted(struct drm_svm_devmem *mem)
{
	if (atomic_read(&mem->refs) > 1)
		drm_svm_devmem_lru_add(mem);
	drm_svm_devmem_put(mem);
}

static struct drm_svm_pagemap *to_pagemap(struct drm_svm_vram_evictor *ev)
{
	return container_of(ev, struct drm_svm_pagemap, evictor);
}

/* &drm_svm_vram_evictor_ops.oldest: the head of the LRU. */
static u64 drm_svm_pagemap_oldest(struct drm_svm_vram_evictor *ev,
				  bool visible, void *ctx)
{
	struct drm_svm_pagemap *pm = to_pagemap(ev);
	struct drm_svm_devmem *mem;
	u64 stamp = U64_MAX;

	spin_lock(&pm->lru_lock);
	list_for_each_entry(mem, &pm->lru, lru) {
		if (visible && !mem->visible)
			continue;
		stamp = mem->stamp;
		break;
	}
	spin_unlock(&pm->lru_lock);
	return stamp;
}

/*
 * The first allocation of @list (of @mm only, unless NULL) with a
 * reference for the evictor, off the list; those of other address spaces
 * move to @skip. NULL when there is none.
 */
static struct drm_svm_devmem *
drm_svm_devmem_take(struct drm_svm_pagemap *pm, struct list_head *list,
		    bool visible, struct mm_struct *mm, struct list_head *skip)
{
	struct drm_svm_devmem *mem, *tmp;

	spin_lock(&pm->lru_lock);
	list_for_each_entry_safe(mem, tmp, list, lru) {
		if ((visible && !mem->visible) || (mm && mem->mm != mm)) {
			if (skip)
				list_move_tail(&mem->lru, skip);
			continue;
		}
		list_del_init(&mem->lru);
		/* Skip an allocation whose last page is being freed. */
		if (atomic_inc_not_zero(&mem->refs)) {
			spin_unlock(&pm->lru_lock);
			return mem;
		}
	}
	spin_unlock(&pm->lru_lock);
	return NULL;
}

/* &drm_svm_vram_evictor_ops.evict: evict the oldest allocation. */
static int drm_svm_pagemap_evict_oldest(struct drm_svm_vram_evictor *ev,
					bool visible, void *unused)
{
	struct drm_svm_pagemap *pm = to_pagemap(ev);
	struct drm_svm_migrate_ctx *ctx;
	struct drm_svm_devmem *victim;
	long moved;

	ctx = kvmalloc_obj(*ctx, GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	victim = drm_svm_devmem_take(pm, &pm->lru, visible, NULL, NULL);
	if (!victim) {
		kvfree(ctx);
		return -ENOSPC;
	}
	/* The allocating context may hold an mmap lock: only trylock. */
	moved = drm_svm_devmem_evict(pm, victim, ctx, false);
	kvfree(ctx);
	atomic64_inc(&pm->stats.evictions);
	if (moved > 0)
		atomic64_add(moved, &pm->stats.evicted_pages);
	/* Pages left behind (busy): evictable again later. */
	drm_svm_devmem_evicted(victim);
	/* The memory comes back through the free worker. */
	flush_work(&pm->free_work);
	if (moved < 0)
		return moved == -ENOMEM ? -ENOMEM : -EBUSY;
	return moved ? 0 : -EBUSY;
}

static const struct drm_svm_vram_evictor_ops drm_svm_pagemap_evictor_ops = {
	.oldest = drm_svm_pagemap_oldest,
	.evict = drm_svm_pagemap_evict_oldest,
};

/**
 * drm_svm_pagemap_evict() - move device pages back to system memory
 * @pm: the pagemap
 * @mm: only the pages this address space put into @pm, or NULL for all
 *
 * Evicts every allocation of @pm (of @mm), each through its owner's address
 * space, whose mmap lock it takes (killable): must be called without an
 * mmap lock held. Allocations being evicted are off the LRU, then back at
 * its end if pages are left.
 *
 * Return: the device pages left in the allocations it evicted (busy, moved
 * by mremap, or shared with a child after fork), -EINTR or -ENOMEM.
 */
long drm_svm_pagemap_evict(struct drm_svm_pagemap *pm, struct mm_struct *mm)
{
	struct drm_svm_migrate_ctx *ctx;
	struct drm_svm_devmem *mem;
	long ret = 0, left = 0;
	LIST_HEAD(todo);
	LIST_HEAD(skip);

	ctx = kvmalloc_obj(*ctx, GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	spin_lock(&pm->lru_lock);
	list_splice_init(&pm->lru, &todo);
	spin_unlock(&pm->lru_lock);
	while (ret >= 0 &&
	       (mem = drm_svm_devmem_take(pm, &todo, false, mm, &skip))) {
		ret = drm_svm_devmem_evict(pm, mem, ctx, true);
		left += atomic_read(&mem->refs) - 1;
		drm_svm_devmem_evicted(mem);
		cond_resched();
	}
	/* What was not looked at keeps its place at the LRU's head. */
	spin_lock(&pm->lru_lock);
	list_splice(&todo, &pm->lru);
	list_splice(&skip, &pm->lru);
	spin_unlock(&pm->lru_lock);
	kvfree(ctx);
	flush_work(&pm->free_work);
	return ret < 0 ? ret : left;
}
EXPORT_SYMBOL_GPL(drm_svm_pagemap_evict);

/* Device-range eviction of one batch of @n pages from @pfn (removal). */
static void drm_svm_pagemap_evict_pfns(struct drm_svm_pagemap *pm,
				       struct drm_svm_migrate_ctx *ctx,
				       unsigned long pfn, unsigned long n)
{
	struct drm_svm_xfer *x = &ctx->xfer[DRM_SVM_XFER_VRAM];
	unsigned long i;

	drm_svm_xfer_reset(ctx);
	memset(ctx->src, 0, n * sizeof(*ctx->src));
	memset(ctx->dst, 0, n * sizeof(*ctx->dst));
	migrate_device_range(ctx->src, pfn, n);
	for (i = 0; i < n; i++) {
		struct page *dpage;

		if (!(ctx->src[i] & MIGRATE_PFN_MIGRATE))
			continue;
		dpage = alloc_page(GFP_HIGHUSER | __GFP_NOFAIL);
		lock_page(dpage);
		x->from[x->n] =
			drm_svm_page_offset(migrate_pfn_to_page(ctx->src[i]));
		x->to[x->n++] = (uintptr_t)dpage;
		ctx->dst[i] = migrate_pfn(page_to_pfn(dpage));
	}
	drm_svm_migrate_copy(pm, ctx, false);
	migrate_device_pages(ctx->src, ctx->dst, n);
	migrate_device_finalize(ctx->src, ctx->dst, n);
}

/*
 * Device removal: whatever the owners' address spaces could not reach
 * (pages moved by mremap or inherited by a child) is moved by device
 * range, the one use of migrate_device_range(), with the race it has with
 * munmap (docs/security.md): the pagemap cannot go away while pages are in
 * use.
 */
static void drm_svm_pagemap_evict_range(struct drm_svm_pagemap *pm)
{
	unsigned long start = PHYS_PFN(pm->pgmap.range.start);
	unsigned long npages = range_len(&pm->pgmap.range) >> PAGE_SHIFT;
	struct drm_svm_migrate_ctx *ctx;
	unsigned long done;

	ctx = __vmalloc(sizeof(*ctx), GFP_KERNEL | __GFP_NOFAIL);
	for (done = 0; done < npages; done += DRM_SVM_MIGRATE_BATCH) {
		drm_svm_pagemap_evict_pfns(pm, ctx, start + done,
					   min_t(unsigned long,
						 DRM_SVM_MIGRATE_BATCH,
						 npages - done));
		cond_resched();
	}
	vfree(ctx);
}

/**
 * drm_svm_pagemap_init() - register a device's memory as device pages
 * @pm: the pagemap, embedded in the driver's device structure
 * @dev: the device
 * @vram: the pool the pages take their memory from (its whole size is
 *	mapped); it must outlive @pm
 * @owner: the owner of the pages (&dev_pagemap.owner): mirrors and
 *	migrations with this owner see them, pagemaps with the same owner
 *	are peers
 * @ops: driver callbacks; @ops->vram_page is mandatory
 *
 * Return: 0, -EINVAL (missing callback or owner), -ENOMEM or -EBUSY (no
 * free physical address range).
 */
int drm_svm_pagemap_init(struct drm_svm_pagemap *pm, struct device *dev,
			 struct drm_svm_vram *vram, void *owner,
			 const struct drm_svm_pagemap_ops *ops)
{
	int nid = dev_to_node(dev);
	struct resource *res;
	void *addr;

	if (!ops || !ops->vram_page || !owner || !vram->size)
		return -EINVAL;
	memset(pm, 0, sizeof(*pm));
	pm->dev = dev;
	pm->vram = vram;
	pm->ops = ops;
	init_llist_head(&pm->free);
	INIT_WORK(&pm->free_work, drm_svm_pagemap_free_work);
	spin_lock_init(&pm->lru_lock);
	INIT_LIST_HEAD(&pm->lru);
	res = request_free_mem_region(&iomem_resource, vram->size,
				      dev_name(dev));
	if (IS_ERR(res))
		return PTR_ERR(res);
	pm->pgmap.type = MEMORY_DEVICE_PRIVATE;
	pm->pgmap.range.start = res->start;
	pm->pgmap.range.end = res->end;
	pm->pgmap.nr_range = 1;
	pm->pgmap.ops = &drm_svm_pagemap_pgmap_ops;
	pm->pgmap.owner = owner;
	addr = memremap_pages(&pm->pgmap,
			      nid == NUMA_NO_NODE ? numa_node_id() : nid);
	if (IS_ERR(addr)) {
		release_mem_region(res->start, resource_size(res));
		return PTR_ERR(addr);
	}
	pm->res = res;
	drm_svm_vram_evictor_add(vram, &pm->evictor,
				 &drm_svm_pagemap_evictor_ops);
	return 0;
}
EXPORT_SYMBOL_GPL(drm_svm_pagemap_init);

/**
 * drm_svm_pagemap_fini() - move every device page back and unregister
 * @pm: the pagemap
 *
 * Evicts through the owners' address spaces first, then by device range
 * whatever is left. Takes mmap locks: must be called without one.
 */
void drm_svm_pagemap_fini(struct drm_svm_pagemap *pm)
{
	drm_svm_vram_evictor_remove(pm->vram, &pm->evictor);
	drm_svm_pagemap_evict(pm, NULL);
	drm_svm_pagemap_evict_range(pm);
	memunmap_pages(&pm->pgmap);
	flush_work(&pm->free_work);
	release_mem_region(pm->res->start, resource_size(pm->res));
	WARN_ON(atomic64_read(&pm->stats.pages));
	WARN_ON(!list_empty(&pm->lru));
}
EXPORT_SYMBOL_GPL(drm_svm_pagemap_fini);
