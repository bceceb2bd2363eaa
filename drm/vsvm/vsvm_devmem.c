// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright © 2026 The drm-svm authors
 */

#include <linux/highmem.h>
#include <linux/ioport.h>
#include <linux/llist.h>
#include <linux/memremap.h>
#include <linux/migrate.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "vsvm_drv.h"

/**
 * DOC: vsvm device-private VRAM
 *
 * The whole VRAM is exposed as one MEMORY_DEVICE_PRIVATE pagemap: device
 * page n stands for VRAM offset n * PAGE_SIZE, and its data lives in the
 * simulated VRAM store. A device page in use owns one page-sized block of
 * the device's &drm_svm_vram, the same buddy pool as GEM objects, so both
 * compete for VRAM. The block hangs off &page.zone_device_data and goes back
 * to the pool from a worker once the core frees the page (page_free may run
 * in atomic context).
 *
 * CPU faults on a device page (migrate_to_ram) bring the 2 MiB window around
 * it back to system memory with the copy engine. Before the pagemap goes
 * away every device page still mapped by some process is migrated back
 * (migrate_device_range), so teardown never waits for memory that nobody
 * would release.
 */

/**
 * DOC: vsvm peer devices
 *
 * All vsvm instances give their pagemaps, mirrors and migrations one owner,
 * vsvm_devmem_owner(). Hence:
 *
 * - Peer mapping: hmm_range_fault() of device B's mirror returns device A's
 *   private pages as they are (no migration to system memory); B's page
 *   table points at them and B's accesses go to A's VRAM store. This is
 *   what the policy gets when it does not migrate (accessed-by).
 * - Peer migration: vsvm_devmem_migrate() to device B collects system pages
 *   and other vsvm devices' private pages alike; B's copy engine reads the
 *   peers' pages straight from their VRAM into B's VRAM in the same job as
 *   the system pages, with no bounce through system memory
 *   (&vsvm_device.devmem_peer_pages counts them). Pages already in B's VRAM
 *   are left alone.
 * - Local and remote pages are told apart by pagemap identity
 *   (vsvm_devmem_is_local(), vsvm_devmem_is_peer()), not by owner.
 */

/**
 * DOC: vsvm device memory eviction
 *
 * Each migration batch to the device (up to 2 MiB) takes its VRAM in one
 * allocation, a &struct vsvm_devmem_chunk, whose blocks back the batch's
 * device pages (&page.zone_device_data points to the chunk). A chunk is
 * counted by its live device pages; its VRAM goes back to the pool when the
 * last one is freed, so a chunk partly migrated back by CPU faults keeps
 * its VRAM until its other pages leave too (or are evicted).
 *
 * Chunks sit on &vsvm_device.devmem_lru in the order they were filled and
 * the device registers a &drm_svm_vram_evictor for them: when any VRAM
 * allocation of the device (a GEM object or another SVM migration) finds
 * the pool full and the oldest chunk is older than every evictable GEM
 * chunk, it is evicted as a whole, in one batch: migrate_device_range() on
 * its blocks, one copy-engine job into fresh system pages, then
 * migrate_device_pages()/migrate_device_finalize(). Pages that cannot move
 * at that moment (locked by a concurrent migration) stay, and the chunk
 * goes back to the end of the LRU.
 *
 * Locking: &vsvm_device.devmem_lru_lock (a spinlock) protects the LRU list
 * and the stamps; it is innermost (taken inside &drm_svm_vram.lock by the
 * evictor's oldest callback, never around anything else). Device pages are
 * only ever trylocked by eviction (migrate_device_range()), so evicting
 * while a migration holds locked pages of its own cannot deadlock. A
 * migration to the device allocates its VRAM, and thus may evict, after
 * migrate_vma_setup() with the mmap lock held for reading and no mirror
 * lock; see "VRAM eviction" in drm_svm_vram.c for the whole order.
 */

/**
 * struct vsvm_devmem_chunk - the VRAM of one SVM migration batch
 */
struct vsvm_devmem_chunk {
	/** @vdev: the device. */
	struct vsvm_device *vdev;
	/** @blocks: the buddy blocks, owned until the chunk is freed. */
	struct list_head blocks;
	/** @lru: in &vsvm_device.devmem_lru, under its lock; may be empty. */
	struct list_head lru;
	/** @free: in &vsvm_device.devmem_free once @refs reached zero. */
	struct llist_node free;
	/** @refs: live device pages, plus one per migration or evictor. */
	atomic_t refs;
	/** @stamp: LRU stamp of the last fill, under the LRU lock. */
	u64 stamp;
	/** @mm: the address space the chunk was filled from (mmgrab()). */
	struct mm_struct *mm;
	/** @start: start of the range of @mm it was filled from. */
	unsigned long start;
	/** @end: end of that range. */
	unsigned long end;
	/** @visible: some block lies in the CPU-visible part of VRAM. */
	bool visible;
};

/* The pgmap owner shared by all vsvm devices (see "vsvm peer devices"). */
static const char vsvm_devmem_owner_token;

static struct vsvm_device *page_to_vsvm(struct page *page)
{
	return container_of(page_pgmap(page), struct vsvm_device, devmem);
}

/**
 * vsvm_devmem_owner() - the owner of every vsvm device's private pages
 *
 * Mirrors and migrations of all vsvm devices use this owner, so
 * hmm_range_fault() hands any vsvm device's pages to any vsvm mirror (peer
 * access) and migrate_vma can collect them for a device-to-device move.
 *
 * Return: the owner token (&dev_pagemap.owner).
 */
void *vsvm_devmem_owner(void)
{
	return (void *)&vsvm_devmem_owner_token;
}

/* Order of the device folios vsvm migrates (0: 4 KiB pages, for now). */
#define VSVM_DEVMEM_FOLIO_ORDER	0

/**
 * vsvm_devmem_has_thp() - whether device memory moves in 2 MiB folios
 * @vdev: the device
 *
 * Only kernels with device-private THP migration (drm_svm_has_device_thp(),
 * Linux 7.2+) can, and only once vsvm migrates PMD-order folios.
 *
 * Return: true when migrations of PMD-aligned ranges use 2 MiB folios.
 */
bool vsvm_devmem_has_thp(struct vsvm_device *vdev)
{
	return drm_svm_has_device_thp() &&
		VSVM_DEVMEM_FOLIO_ORDER == PMD_ORDER;
}

/**
 * vsvm_devmem_is_local() - whether a page is in a device's own VRAM
 * @vdev: the device
 * @page: any page
 *
 * Tells a device's own private pages from a peer's: both have the same
 * owner, so the pagemap identity decides.
 *
 * Return: true for a device-private page of @vdev.
 */
bool vsvm_devmem_is_local(struct vsvm_device *vdev, struct page *page)
{
	return is_device_private_page(page) && page_pgmap(page) == &vdev->devmem;
}

/**
 * vsvm_devmem_is_peer() - whether a page is in another vsvm device's VRAM
 * @vdev: the device
 * @page: any page
 *
 * Return: true for a device-private page of a vsvm device other than @vdev.
 */
bool vsvm_devmem_is_peer(struct vsvm_device *vdev, struct page *page)
{
	return is_device_private_page(page) &&
		page_pgmap(page)->owner == vsvm_devmem_owner() &&
		page_pgmap(page) != &vdev->devmem;
}

/**
 * vsvm_devmem_offset() - VRAM offset of a device-private page
 * @page: a device-private page of a vsvm device
 *
 * Return: the byte offset in VRAM.
 */
u64 vsvm_devmem_offset(struct page *page)
{
	struct vsvm_device *vdev = page_to_vsvm(page);

	return (u64)(page_to_pfn(page) - PHYS_PFN(vdev->devmem.range.start))
		<< PAGE_SHIFT;
}

/**
 * vsvm_devmem_backing() - the store page holding a device page's data
 * @page: a device-private page of a vsvm device
 *
 * Return: the page of the simulated VRAM store.
 */
struct page *vsvm_devmem_backing(struct page *page)
{
	return vsvm_vram_page(&page_to_vsvm(page)->svm,
			      vsvm_devmem_offset(page));
}

static void vsvm_devmem_free_work(struct work_struct *work)
{
	struct vsvm_device *vdev = container_of(work, struct vsvm_device,
						devmem_free_work);
	struct llist_node *list = llist_del_all(&vdev->devmem_free);
	struct vsvm_devmem_chunk *chunk, *tmp;

	llist_for_each_entry_safe(chunk, tmp, list, free) {
		spin_lock(&vdev->devmem_lru_lock);
		list_del_init(&chunk->lru);
		spin_unlock(&vdev->devmem_lru_lock);
		drm_svm_vram_free(&vdev->vram, &chunk->blocks);
		mmdrop(chunk->mm);
		kfree(chunk);
	}
}

/* Drop a reference; the last one frees the VRAM from a worker. */
static void vsvm_devmem_chunk_put(struct vsvm_devmem_chunk *chunk)
{
	struct vsvm_device *vdev = chunk->vdev;

	if (atomic_dec_and_test(&chunk->refs) &&
	    llist_add(&chunk->free, &vdev->devmem_free))
		queue_work(system_dfl_wq, &vdev->devmem_free_work);
}

/* (Re)insert at the most recently used end of the LRU. */
static void vsvm_devmem_chunk_lru_add(struct vsvm_devmem_chunk *chunk)
{
	struct vsvm_device *vdev = chunk->vdev;

	spin_lock(&vdev->devmem_lru_lock);
	chunk->stamp = drm_svm_vram_lru_stamp(&vdev->vram);
	list_move_tail(&chunk->lru, &vdev->devmem_lru);
	spin_unlock(&vdev->devmem_lru_lock);
}

/* &dev_pagemap_ops.folio_free: device folios are single pages here. */
static void vsvm_devmem_folio_free(struct folio *folio)
{
	struct vsvm_devmem_chunk *chunk = folio->page.zone_device_data;

	folio->page.zone_device_data = NULL;
	atomic64_dec(&chunk->vdev->devmem_pages);
	vsvm_devmem_chunk_put(chunk);
}

DRM_SVM_DEFINE_PAGE_FREE(vsvm_devmem_folio_free)

/*
 * VRAM for @npages device pages of the range @start..@end of @mm,
 * evicting the least recently used VRAM of the device (GEM chunks or
 * older SVM chunks) while the pool is full. The caller holds the only
 * reference.
 */
static struct vsvm_devmem_chunk *
vsvm_devmem_chunk_alloc(struct vsvm_device *vdev, unsigned long npages,
			struct mm_struct *mm, unsigned long start,
			unsigned long end)
{
	struct vsvm_devmem_chunk *chunk;
	struct gpu_buddy_block *block;
	int ret;

	chunk = kzalloc_obj(*chunk, GFP_KERNEL);
	if (!chunk)
		return ERR_PTR(-ENOMEM);
	chunk->vdev = vdev;
	INIT_LIST_HEAD(&chunk->blocks);
	INIT_LIST_HEAD(&chunk->lru);
	ret = drm_svm_vram_alloc_evict(&vdev->vram, (u64)npages << PAGE_SHIFT,
				       0, DRM_SVM_VRAM_TOPDOWN, &chunk->blocks,
				       NULL);
	if (ret) {
		kfree(chunk);
		return ERR_PTR(ret);
	}
	list_for_each_entry(block, &chunk->blocks, link)
		if (gpu_buddy_block_offset(block) < vdev->vram.visible_size)
			chunk->visible = true;
	mmgrab(mm);
	chunk->mm = mm;
	chunk->start = start;
	chunk->end = end;
	atomic_set(&chunk->refs, 1);
	return chunk;
}

/* Hands out the pages of a chunk's blocks in order. */
struct vsvm_devmem_cursor {
	struct vsvm_devmem_chunk *chunk;
	struct gpu_buddy_block *block;
	u64 off, end;
};

static void vsvm_devmem_cursor_init(struct vsvm_devmem_cursor *cur,
				    struct vsvm_devmem_chunk *chunk)
{
	cur->chunk = chunk;
	cur->block = NULL;
	cur->off = 0;
	cur->end = 0;
}

/* The next device page of the chunk, initialised (referenced, locked). */
static struct page *vsvm_devmem_cursor_next(struct vsvm_devmem_cursor *cur)
{
	struct vsvm_devmem_chunk *chunk = cur->chunk;
	struct vsvm_device *vdev = chunk->vdev;
	struct page *page;

	if (cur->off == cur->end) {
		cur->block = cur->block ? list_next_entry(cur->block, link) :
			list_first_entry(&chunk->blocks,
					 struct gpu_buddy_block, link);
		if (WARN_ON(list_entry_is_head(cur->block, &chunk->blocks,
					       link)))
			return NULL;
		cur->off = gpu_buddy_block_offset(cur->block);
		cur->end = cur->off + gpu_buddy_block_size(&vdev->vram.mm,
							   cur->block);
	}
	page = pfn_to_page(PHYS_PFN(vdev->devmem.range.start) +
			   (cur->off >> PAGE_SHIFT));
	cur->off += PAGE_SIZE;
	page->zone_device_data = chunk;
	atomic_inc(&chunk->refs);
	zone_device_folio_init((struct folio *)page, &vdev->devmem, 0);
	atomic64_inc(&vdev->devmem_pages);
	return page;
}

static vm_fault_t vsvm_devmem_migrate_to_ram(struct vm_fault *vmf);

static const struct dev_pagemap_ops vsvm_devmem_ops = {
	DRM_SVM_PAGEMAP_FOLIO_FREE(vsvm_devmem_folio_free),
	.migrate_to_ram = vsvm_devmem_migrate_to_ram,
};

#define VSVM_MIGRATE_BATCH	512

struct vsvm_migrate_ctx {
	unsigned long src[VSVM_MIGRATE_BATCH];
	unsigned long dst[VSVM_MIGRATE_BATCH];
	u64 from[VSVM_MIGRATE_BATCH];	/* struct page * */
	u64 to[VSVM_MIGRATE_BATCH];	/* struct page * or VRAM offset */
};

/*
 * Copy the collected pages with the copy engine, as one job, and wait for
 * it: migrate_vma_pages() may only run once the data is in place. Sources
 * are struct pages: system pages, or the VRAM store pages of device pages
 * (of this device, or of a peer whose VRAM the engine reads directly).
 * Destinations are VRAM offsets of @vdev (@to_device) or system pages.
 */
static int vsvm_migrate_copy(struct vsvm_device *vdev,
			     struct vsvm_migrate_ctx *ctx, unsigned long n,
			     bool to_device)
{
	struct drm_svm_copy copy = {
		.src_pl = DRM_SVM_PL_SYSTEM,
		.dst_pl = to_device ? DRM_SVM_PL_VRAM : DRM_SVM_PL_SYSTEM,
		.npages = n,
		.src_vram = ctx->from,
		.dst_vram = ctx->to,
		.src_pages = (struct page **)ctx->from,
		.dst_pages = (struct page **)ctx->to,
	};
	struct dma_fence *fence;
	unsigned long i;

	if (!n)
		return 0;
	fence = vsvm_copy(&vdev->svm, &copy);
	if (!IS_ERR(fence)) {
		dma_fence_wait(fence, false);
		dma_fence_put(fence);
		return 0;
	}
	/* No job memory: the CPU copies. */
	for (i = 0; i < n; i++) {
		struct page *d = to_device ?
			vsvm_vram_page(&vdev->svm, ctx->to[i]) :
			(struct page *)(uintptr_t)ctx->to[i];
		struct page *s = (struct page *)(uintptr_t)ctx->from[i];

		copy_highpage(d, s);
	}
	return 0;
}

/* What a migration batch moves. */
enum vsvm_migrate_dir {
	/* system pages and peers' device pages into this device's VRAM */
	VSVM_TO_DEVICE,
	/* any vsvm device page back to system memory (CPU fault, ioctl) */
	VSVM_TO_RAM,
	/* this device's pages back to system memory (eviction) */
	VSVM_EVICT,
};

/*
 * Whether migrate_vma collected a page that this migration moves: to the
 * device, pages already in @vdev's own VRAM stay (they are collected only
 * because peers' pages share their owner); eviction leaves peers' pages.
 */
static bool vsvm_migrate_wanted(struct vsvm_device *vdev, unsigned long src,
				enum vsvm_migrate_dir dir)
{
	struct page *page = migrate_pfn_to_page(src);

	if (!(src & MIGRATE_PFN_MIGRATE))
		return false;
	if (dir == VSVM_TO_DEVICE)
		return !page || !vsvm_devmem_is_local(vdev, page);
	if (dir == VSVM_EVICT)
		return page && vsvm_devmem_is_local(vdev, page);
	return true;
}

/* The VRAM of a batch to the device, in one allocation (this may evict). */
static struct vsvm_devmem_chunk *
vsvm_migrate_chunk(struct vsvm_device *vdev, struct migrate_vma *args)
{
	unsigned long i, n = 0;

	for (i = 0; i < args->npages; i++)
		n += vsvm_migrate_wanted(vdev, args->src[i], VSVM_TO_DEVICE);
	if (!n)
		return NULL;
	return vsvm_devmem_chunk_alloc(vdev, n, args->vma->vm_mm, args->start,
				       args->end);
}

/* The destination of page @i: the chunk's next page or a system page. */
static struct page *vsvm_migrate_dst(struct migrate_vma *args,
				     struct vsvm_devmem_cursor *cur,
				     unsigned long i)
{
	struct page *page;

	if (cur)
		return vsvm_devmem_cursor_next(cur);
	page = alloc_page_vma(GFP_HIGHUSER, args->vma,
			      args->start + i * PAGE_SIZE);
	if (page)
		lock_page(page);
	return page;
}

/*
 * Give every page the batch moves its destination and list the copies in
 * @ctx; returns the number of copies or -ENOMEM (the pages without a
 * destination stay where they are).
 */
static long vsvm_migrate_fill(struct vsvm_device *vdev,
			      struct migrate_vma *args,
			      enum vsvm_migrate_dir dir,
			      struct vsvm_devmem_cursor *cur,
			      struct vsvm_migrate_ctx *ctx, u64 *moved)
{
	unsigned long i, n = 0, peer = 0;
	long ret = 0;

	for (i = 0; i < args->npages; i++) {
		struct page *spage = migrate_pfn_to_page(ctx->src[i]);
		struct page *dpage;

		if (!vsvm_migrate_wanted(vdev, ctx->src[i], dir))
			continue;
		dpage = vsvm_migrate_dst(args, cur, i);
		if (!dpage) {
			ret = -ENOMEM;
			break;
		}
		ctx->dst[i] = migrate_pfn(page_to_pfn(dpage));
		(*moved)++;
		/* No source page: a never-touched page, the new one is zero. */
		if (!spage) {
			clear_highpage(cur ? vsvm_devmem_backing(dpage) : dpage);
			continue;
		}
		if (is_device_private_page(spage)) {
			/* Read straight from the owner's VRAM (peer copy). */
			peer += dir == VSVM_TO_DEVICE;
			spage = vsvm_devmem_backing(spage);
		}
		ctx->from[n] = (uintptr_t)spage;
		ctx->to[n] = cur ? vsvm_devmem_offset(dpage) : (uintptr_t)dpage;
		n++;
	}
	atomic64_add(peer, &vdev->devmem_peer_pages);
	vsvm_migrate_copy(vdev, ctx, n, dir == VSVM_TO_DEVICE);
	return ret;
}

/* Migrate one batch (at most VSVM_MIGRATE_BATCH pages) of one VMA. */
static int vsvm_migrate_batch(struct vsvm_device *vdev,
			      struct vm_area_struct *vma, unsigned long start,
			      unsigned long end, enum vsvm_migrate_dir dir,
			      struct page *fault_page,
			      struct vsvm_migrate_ctx *ctx, u64 *moved)
{
	struct migrate_vma args = {
		.vma = vma,
		.start = start,
		.end = end,
		.src = ctx->src,
		.dst = ctx->dst,
		.pgmap_owner = vsvm_devmem_owner(),
		/* To the device: from system memory or a peer's VRAM. */
		.flags = dir == VSVM_TO_DEVICE ? MIGRATE_VMA_SELECT_SYSTEM |
			MIGRATE_VMA_SELECT_DEVICE_PRIVATE :
			MIGRATE_VMA_SELECT_DEVICE_PRIVATE,
		.fault_page = fault_page,
	};
	struct vsvm_devmem_chunk *chunk = NULL;
	struct vsvm_devmem_cursor cur;
	long ret;

	memset(ctx->dst, 0, ((end - start) >> PAGE_SHIFT) * sizeof(ctx->dst[0]));
	ret = migrate_vma_setup(&args);
	if (ret)
		return ret;
	if (dir == VSVM_TO_DEVICE)
		chunk = vsvm_migrate_chunk(vdev, &args);
	if (IS_ERR(chunk)) {
		ret = PTR_ERR(chunk);	/* migrate nothing */
		chunk = NULL;
	} else if (chunk) {
		vsvm_devmem_cursor_init(&cur, chunk);
		ret = vsvm_migrate_fill(vdev, &args, dir, &cur, ctx, moved);
	} else if (dir != VSVM_TO_DEVICE) {
		ret = vsvm_migrate_fill(vdev, &args, dir, NULL, ctx, moved);
	}
	migrate_vma_pages(&args);
	migrate_vma_finalize(&args);
	if (chunk) {
		/* Pages that did not migrate have dropped their references. */
		vsvm_devmem_chunk_lru_add(chunk);
		vsvm_devmem_chunk_put(chunk);
	}
	return ret;
}

/* VMAs whose pages migrate: private memory the CPU may read. */
static bool vsvm_migrate_vma_ok(struct vm_area_struct *vma)
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
static int vsvm_devmem_migrate_locked(struct vsvm_device *vdev,
				      struct mm_struct *mm, unsigned long start,
				      unsigned long end,
				      enum vsvm_migrate_dir dir,
				      struct vsvm_migrate_ctx *ctx, u64 *moved)
{
	unsigned long addr, next;
	int ret = 0;

	mmap_assert_locked(mm);
	for (addr = start; addr < end && !ret; addr = next) {
		struct vm_area_struct *vma = find_vma_intersection(mm, addr,
								   end);

		bool hole = !vma || vma->vm_start > addr;

		if (dir == VSVM_EVICT && !vma)
			return 0;
		if (dir != VSVM_EVICT && (hole || !vsvm_migrate_vma_ok(vma)))
			return -EINVAL;
		addr = max(addr, vma->vm_start);
		next = min3(end, vma->vm_end,
			    addr + VSVM_MIGRATE_BATCH * PAGE_SIZE);
		if (vsvm_migrate_vma_ok(vma))
			ret = vsvm_migrate_batch(vdev, vma, addr, next, dir,
						 NULL, ctx, moved);
		if (!ret && fatal_signal_pending(current))
			ret = -EINTR;
		cond_resched();
	}
	return ret;
}

/*
 * A CPU fault on a device page brings back the whole 2 MiB-aligned window
 * around it (clipped to the VMA) in one copy-engine job, so sequential CPU
 * access does not fault once per page.
 */
static vm_fault_t vsvm_devmem_migrate_to_ram(struct vm_fault *vmf)
{
	struct vsvm_device *vdev = page_to_vsvm(vmf->page);
	struct vm_area_struct *vma = vmf->vma;
	unsigned long start = max(ALIGN_DOWN(vmf->address, SZ_2M),
				  vma->vm_start);
	unsigned long end = min(ALIGN_DOWN(vmf->address, SZ_2M) + SZ_2M,
				vma->vm_end);
	struct vsvm_migrate_ctx *ctx;
	u64 moved = 0;
	int ret;

	ctx = kvmalloc_obj(*ctx, GFP_KERNEL);
	if (!ctx)
		return VM_FAULT_OOM;
	ret = vsvm_migrate_batch(vdev, vma, start, end, VSVM_TO_RAM, vmf->page,
				 ctx, &moved);
	kvfree(ctx);
	atomic64_add(moved, &vdev->devmem_cpu_faults);
	if (ret == -ENOMEM)
		return VM_FAULT_OOM;
	return ret ? VM_FAULT_SIGBUS : 0;
}

/**
 * vsvm_devmem_migrate() - migrate a range of process memory
 * @vdev: the device
 * @mm: the address space (its user holds a reference)
 * @start: page-aligned start
 * @end: page-aligned end
 * @to_device: into device-private VRAM, or back to system memory
 * @moved: receives the number of pages moved
 *
 * Pages are copied by the copy engine in batches of up to 2 MiB.
 *
 * Return: 0, -EINVAL (a hole, a shared or unreadable VMA, or one that
 * cannot migrate), -ENOMEM, -EINTR (fatal signal).
 */
int vsvm_devmem_migrate(struct vsvm_device *vdev, struct mm_struct *mm,
			unsigned long start, unsigned long end, bool to_device,
			u64 *moved)
{
	struct vsvm_migrate_ctx *ctx;
	int ret;

	*moved = 0;
	ctx = kvmalloc_obj(*ctx, GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	ret = mmap_read_lock_killable(mm);
	if (!ret) {
		ret = vsvm_devmem_migrate_locked(vdev, mm, start, end,
						 to_device ? VSVM_TO_DEVICE :
						 VSVM_TO_RAM, ctx, moved);
		mmap_read_unlock(mm);
	}
	kvfree(ctx);
	return ret;
}

/*
 * Evict a chunk through its owner's address space: migrate_vma over the
 * range it was filled from, with the owner's mmap lock held. That lock
 * keeps the pages' anon_vmas alive while they are unmapped for the move;
 * the device-range functions (migrate_device_range()) hold nothing of the
 * kind and race with munmap (see docs/security.md). Pages the owner moved
 * elsewhere (mremap) or shares with a child after fork stay until they are
 * touched by the CPU or freed. Returns the pages moved or -errno; -EBUSY
 * when @wait is false and the mmap lock is contended.
 */
static long vsvm_devmem_evict_chunk(struct vsvm_device *vdev,
				    struct vsvm_devmem_chunk *chunk,
				    struct vsvm_migrate_ctx *ctx, bool wait)
{
	struct mm_struct *mm = chunk->mm;
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
		ret = vsvm_devmem_migrate_locked(vdev, mm, chunk->start,
						 chunk->end, VSVM_EVICT, ctx,
						 &moved);
		mmap_read_unlock(mm);
	}
	/* Never the exit of another process in our context. */
	mmput_async(mm);
	return ret ?: moved;
}

/* Back on the LRU if pages are left, and drop the evictor's reference. */
static void vsvm_devmem_chunk_evicted(struct vsvm_devmem_chunk *chunk)
{
	if (atomic_read(&chunk->refs) > 1)
		vsvm_devmem_chunk_lru_add(chunk);
	vsvm_devmem_chunk_put(chunk);
}

static struct vsvm_device *to_vsvm_evictor(struct drm_svm_vram_evictor *ev)
{
	return container_of(ev, struct vsvm_device, devmem_evictor);
}

/* &drm_svm_vram_evictor_ops.oldest: the head of the SVM LRU. */
static u64 vsvm_devmem_oldest(struct drm_svm_vram_evictor *ev, bool visible,
			      void *ctx)
{
	struct vsvm_device *vdev = to_vsvm_evictor(ev);
	struct vsvm_devmem_chunk *chunk;
	u64 stamp = U64_MAX;

	spin_lock(&vdev->devmem_lru_lock);
	list_for_each_entry(chunk, &vdev->devmem_lru, lru) {
		if (visible && !chunk->visible)
			continue;
		stamp = chunk->stamp;
		break;
	}
	spin_unlock(&vdev->devmem_lru_lock);
	return stamp;
}

/*
 * The first chunk of @list (for @mm only, unless NULL) with a reference
 * for the evictor, off the list; chunks of other address spaces move to
 * @skip. NULL when there is none.
 */
static struct vsvm_devmem_chunk *
vsvm_devmem_take(struct vsvm_device *vdev, struct list_head *list,
		 bool visible, struct mm_struct *mm, struct list_head *skip)
{
	struct vsvm_devmem_chunk *chunk, *tmp;

	spin_lock(&vdev->devmem_lru_lock);
	list_for_each_entry_safe(chunk, tmp, list, lru) {
		if ((visible && !chunk->visible) || (mm && chunk->mm != mm)) {
			if (skip)
				list_move_tail(&chunk->lru, skip);
			continue;
		}
		list_del_init(&chunk->lru);
		/* Skip a chunk whose last page is being freed. */
		if (atomic_inc_not_zero(&chunk->refs)) {
			spin_unlock(&vdev->devmem_lru_lock);
			return chunk;
		}
	}
	spin_unlock(&vdev->devmem_lru_lock);
	return NULL;
}

/* &drm_svm_vram_evictor_ops.evict: evict the oldest SVM chunk. */
static int vsvm_devmem_evict_oldest(struct drm_svm_vram_evictor *ev,
				    bool visible, void *unused)
{
	struct vsvm_device *vdev = to_vsvm_evictor(ev);
	struct vsvm_devmem_chunk *victim;
	struct vsvm_migrate_ctx *ctx;
	long moved;

	ctx = kvmalloc_obj(*ctx, GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	victim = vsvm_devmem_take(vdev, &vdev->devmem_lru, visible, NULL, NULL);
	if (!victim) {
		kvfree(ctx);
		return -ENOSPC;
	}
	/* The allocating context may hold an mmap lock: only trylock. */
	moved = vsvm_devmem_evict_chunk(vdev, victim, ctx, false);
	kvfree(ctx);
	atomic64_inc(&vdev->devmem_evictions);
	if (moved > 0)
		atomic64_add(moved, &vdev->devmem_evicted_pages);
	/* Pages left behind (busy): evictable again later. */
	vsvm_devmem_chunk_evicted(victim);
	/* The VRAM comes back through the free worker. */
	flush_work(&vdev->devmem_free_work);
	if (moved < 0)
		return moved == -ENOMEM ? -ENOMEM : -EBUSY;
	return moved ? 0 : -EBUSY;
}

static const struct drm_svm_vram_evictor_ops vsvm_devmem_evictor_ops = {
	.oldest = vsvm_devmem_oldest,
	.evict = vsvm_devmem_evict_oldest,
};

/**
 * vsvm_devmem_evict() - move device-private pages back to system memory
 * @vdev: the device
 * @mm: only the pages this address space put into VRAM, or NULL for all
 *
 * Evicts every chunk of the device (of @mm), each through its owner's
 * address space (see vsvm_devmem_evict_chunk()). Chunks being evicted are
 * off the LRU, then back at its end if pages are left.
 *
 * Return: the device pages left in the chunks it evicted (busy, moved by
 * mremap, or shared with a child after fork), -EINTR or -ENOMEM.
 */
long vsvm_devmem_evict(struct vsvm_device *vdev, struct mm_struct *mm)
{
	struct vsvm_devmem_chunk *chunk;
	struct vsvm_migrate_ctx *ctx;
	LIST_HEAD(todo);
	LIST_HEAD(skip);
	long ret = 0, left = 0;

	ctx = kvmalloc_obj(*ctx, GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	spin_lock(&vdev->devmem_lru_lock);
	list_splice_init(&vdev->devmem_lru, &todo);
	spin_unlock(&vdev->devmem_lru_lock);
	while (ret >= 0 &&
	       (chunk = vsvm_devmem_take(vdev, &todo, false, mm, &skip))) {
		ret = vsvm_devmem_evict_chunk(vdev, chunk, ctx, true);
		left += atomic_read(&chunk->refs) - 1;
		vsvm_devmem_chunk_evicted(chunk);
		cond_resched();
	}
	/* What was not looked at keeps its place at the LRU's head. */
	spin_lock(&vdev->devmem_lru_lock);
	list_splice(&todo, &vdev->devmem_lru);
	list_splice(&skip, &vdev->devmem_lru);
	spin_unlock(&vdev->devmem_lru_lock);
	kvfree(ctx);
	flush_work(&vdev->devmem_free_work);
	return ret < 0 ? ret : left;
}

/*
 * Device removal: whatever the owners' address spaces could not reach
 * (pages moved by mremap or inherited by a child) is moved by device
 * range. This is the one place that uses migrate_device_range(), with the
 * race it has with munmap (docs/security.md): removal is privileged, and
 * the pagemap cannot go away while pages are in use.
 */
static void vsvm_devmem_evict_range(struct vsvm_device *vdev)
{
	unsigned long start = PHYS_PFN(vdev->devmem.range.start);
	unsigned long npages = range_len(&vdev->devmem.range) >> PAGE_SHIFT;
	unsigned long *src, *dst, i, done;

	for (done = 0; done < npages; done += VSVM_MIGRATE_BATCH) {
		unsigned long n = min_t(unsigned long, VSVM_MIGRATE_BATCH,
					npages - done);

		src = kcalloc(n, sizeof(*src), GFP_KERNEL | __GFP_NOFAIL);
		dst = kcalloc(n, sizeof(*dst), GFP_KERNEL | __GFP_NOFAIL);
		migrate_device_range(src, start + done, n);
		for (i = 0; i < n; i++) {
			struct page *spage, *dpage;

			if (!(src[i] & MIGRATE_PFN_MIGRATE))
				continue;
			dpage = alloc_page(GFP_HIGHUSER | __GFP_NOFAIL);
			lock_page(dpage);
			spage = migrate_pfn_to_page(src[i]);
			copy_highpage(dpage, vsvm_devmem_backing(spage));
			dst[i] = migrate_pfn(page_to_pfn(dpage));
		}
		migrate_device_pages(src, dst, n);
		migrate_device_finalize(src, dst, n);
		kfree(src);
		kfree(dst);
	}
}

/**
 * vsvm_devmem_init() - register the device-private pagemap of the VRAM
 * @vdev: the device
 *
 * Return: 0, -ENOMEM or -EBUSY (no free physical address range).
 */
int vsvm_devmem_init(struct vsvm_device *vdev)
{
	struct resource *res;
	void *addr;

	init_llist_head(&vdev->devmem_free);
	INIT_WORK(&vdev->devmem_free_work, vsvm_devmem_free_work);
	spin_lock_init(&vdev->devmem_lru_lock);
	INIT_LIST_HEAD(&vdev->devmem_lru);
	res = request_free_mem_region(&iomem_resource, vdev->cfg.vram_size,
				      "vsvm-devmem");
	if (IS_ERR(res))
		return PTR_ERR(res);
	vdev->devmem.type = MEMORY_DEVICE_PRIVATE;
	vdev->devmem.range.start = res->start;
	vdev->devmem.range.end = res->end;
	vdev->devmem.nr_range = 1;
	vdev->devmem.ops = &vsvm_devmem_ops;
	vdev->devmem.owner = vsvm_devmem_owner();
	addr = memremap_pages(&vdev->devmem, numa_node_id());
	if (IS_ERR(addr)) {
		release_mem_region(res->start, resource_size(res));
		return PTR_ERR(addr);
	}
	vdev->devmem_res = res;
	drm_svm_vram_evictor_add(&vdev->vram, &vdev->devmem_evictor,
				 &vsvm_devmem_evictor_ops);
	return 0;
}

/**
 * vsvm_devmem_fini() - evict device pages and remove the pagemap
 * @vdev: the device
 */
void vsvm_devmem_fini(struct vsvm_device *vdev)
{
	drm_svm_vram_evictor_remove(&vdev->vram, &vdev->devmem_evictor);
	vsvm_devmem_evict(vdev, NULL);
	vsvm_devmem_evict_range(vdev);
	memunmap_pages(&vdev->devmem);
	flush_work(&vdev->devmem_free_work);
	release_mem_region(vdev->devmem_res->start,
			   resource_size(vdev->devmem_res));
	WARN_ON(atomic64_read(&vdev->devmem_pages));
	WARN_ON(!list_empty(&vdev->devmem_lru));
}
