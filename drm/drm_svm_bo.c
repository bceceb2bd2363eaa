// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright © 2026 The drm-svm authors
 */

#include <linux/dma-resv.h>
#include <linux/highmem.h>
#include <linux/huge_mm.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include <drm/drm_device.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_print.h>
#include <drm/drm_svm.h>
#include <drm/drm_svm_bo.h>
#include <drm/drm_svm_compat.h>
#include <drm/drm_svm_import.h>
#include <drm/drm_svm_prime.h>
#include <drm/drm_vma_manager.h>

#include "drm_svm_trace.h"

/**
 * DOC: GEM placements
 *
 * A &struct drm_svm_bo is a GEM object whose memory is tracked per chunk
 * (2 MiB by default, the object size rounded up to a page for smaller
 * objects). Each chunk lives in one &enum drm_svm_placement: SYSTEM, GTT or
 * VRAM, and is populated lazily on first use in the preferred placement.
 *
 * The object has one CPU mapping, its GEM mmap offset. The fault handler
 * inserts PFNs for whatever backs the faulting chunk right now: system and
 * GTT pages, or CPU-visible VRAM through the BAR. A chunk in CPU-invisible
 * VRAM is migrated first, to visible VRAM (%DRM_SVM_BO_CPU_PREFER_VISIBLE)
 * or to SYSTEM/GTT; %DRM_SVM_BO_CPU_MIGRATE_SYSTEM moves every chunk the CPU
 * touches to SYSTEM (managed-memory behaviour). A fault maps the whole chunk
 * at once, so sequential first touch costs one fault per chunk.
 *
 * Moves go through the driver's copy engine (&drm_svm_device_ops.copy): all
 * chunks of a request that come from the same placement are batched into one
 * copy, which returns a &dma_fence. Moves are pipelined: the old memory is
 * freed when the copy's fence signals, later moves of a chunk depend on its
 * previous move, and a CPU fault or device access waits only for the fence
 * of its own chunk. Every move first zaps the CPU PTEs of the chunk, so the
 * next CPU access faults and finds the new placement.
 *
 * VRAM comes from the device's &struct drm_svm_vram. When it is full, the
 * least recently used chunks of other objects are evicted to SYSTEM (or GTT)
 * until the allocation fits; if nothing can be evicted the request fails
 * with -ENOSPC and nothing is lost.
 */

/**
 * DOC: GEM placements locking
 *
 * - The reservation lock of an object (&drm_gem_object.resv) protects its
 *   chunks. It is taken in the CPU fault handler (inside mmap_lock), so no
 *   path may fault on user memory while holding it: ioctls copy through a
 *   bounce buffer outside the lock.
 * - Eviction runs with the reservation lock of the allocating object held
 *   and only trylocks the victims' locks, so there is no lock order between
 *   objects.
 * - &drm_svm_device.lru_lock (a spinlock) protects the VRAM LRU list only.
 *   It nests inside the reservation locks and inside the VRAM manager lock
 *   (which asks the LRU for its oldest chunk); nothing under lru_lock takes
 *   the VRAM manager lock.
 * - A VRAM allocation that finds the pool full evicts through
 *   drm_svm_vram_alloc_evict(): other objects' chunks or SVM device memory,
 *   whichever was used least recently (see "VRAM eviction" in
 *   drm_svm_vram.c for the lock order).
 * - Memory released by a move is freed from a fence callback via
 *   &drm_svm_device.wq; drm_svm_device_fini() flushes it.
 *
 * Lifetime: a chunk on the LRU may belong to an object whose last reference
 * is being dropped; the evictor takes a reference with
 * kref_get_unless_zero() before touching it, and the free path takes the
 * chunks off the LRU under lru_lock before freeing them.
 */

#define DRM_SVM_DEFAULT_CHUNK_SHIFT	21
/* Chunks per object: bounds the chunk array a client makes us allocate. */
#define DRM_SVM_BO_MAX_CHUNKS		BIT(20)

/*
 * struct drm_svm_mem - the memory backing one chunk.
 * @entry holds struct page pointers (SYSTEM, GTT) or VRAM offsets (VRAM).
 */
struct drm_svm_mem {
	struct drm_svm_device *sdev;
	struct list_head blocks;	/* VRAM buddy blocks */
	struct dma_fence *fence;	/* free after this signals */
	struct dma_fence_cb cb;
	struct work_struct work;
	dma_addr_t *dma;		/* GTT: GART addresses */
	unsigned long npages;
	u8 placement;
	bool visible;
	bool contig;			/* one naturally aligned PFN run */
	u64 entry[];
};

static struct page *mem_page(const struct drm_svm_mem *mem, unsigned long i)
{
	return (struct page *)(uintptr_t)mem->entry[i];
}

static unsigned long chunk_first_page(const struct drm_svm_bo *bo,
				      unsigned long c)
{
	return c << (bo->chunk_shift - PAGE_SHIFT);
}

static unsigned long chunk_npages(const struct drm_svm_bo *bo, unsigned long c)
{
	unsigned long first = chunk_first_page(bo, c);

	return min(bo->npages - first, 1ul << (bo->chunk_shift - PAGE_SHIFT));
}

/* Memory handling */

/* Count @bytes against @used; -ENOSPC when that would pass @limit. */
static int drm_svm_charge(atomic64_t *used, u64 limit, u64 bytes)
{
	if (atomic64_add_return(bytes, used) <= limit)
		return 0;
	atomic64_sub(bytes, used);
	return -ENOSPC;
}

/*
 * System memory (SYSTEM and GTT chunks) counts against the device's
 * system limit, GTT chunks against the GART size as well.
 */
static int drm_svm_mem_charge(struct drm_svm_device *sdev, u8 placement,
			      unsigned long npages)
{
	u64 bytes = (u64)npages << PAGE_SHIFT;
	int ret;

	if (placement == DRM_SVM_PL_VRAM)
		return 0;
	ret = drm_svm_charge(&sdev->system_used, sdev->system_limit, bytes);
	if (ret || placement != DRM_SVM_PL_GTT)
		return ret;
	ret = drm_svm_charge(&sdev->gtt_used, sdev->gtt_size, bytes);
	if (ret)
		atomic64_sub(bytes, &sdev->system_used);
	return ret;
}

static void drm_svm_mem_uncharge(struct drm_svm_device *sdev, u8 placement,
				 unsigned long npages)
{
	u64 bytes = (u64)npages << PAGE_SHIFT;

	if (placement == DRM_SVM_PL_VRAM)
		return;
	atomic64_sub(bytes, &sdev->system_used);
	if (placement == DRM_SVM_PL_GTT)
		atomic64_sub(bytes, &sdev->gtt_used);
}

static void drm_svm_mem_free(struct drm_svm_mem *mem)
{
	struct drm_svm_device *sdev = mem->sdev;
	unsigned long i;

	switch (mem->placement) {
	case DRM_SVM_PL_GTT:
		if (mem->dma && sdev->ops->gtt_unmap)
			sdev->ops->gtt_unmap(sdev, mem->dma, mem->npages);
		fallthrough;
	case DRM_SVM_PL_SYSTEM:
		for (i = 0; i < mem->npages; i++)
			if (mem->entry[i])
				__free_page(mem_page(mem, i));
		break;
	case DRM_SVM_PL_VRAM:
		drm_svm_vram_free(sdev->vram, &mem->blocks);
		break;
	}
	drm_svm_mem_uncharge(sdev, mem->placement, mem->npages);
	kvfree(mem->dma);
	dma_fence_put(mem->fence);
	kvfree(mem);
}

static void drm_svm_mem_free_work(struct work_struct *work)
{
	drm_svm_mem_free(container_of(work, struct drm_svm_mem, work));
}

static void drm_svm_mem_fence_cb(struct dma_fence *fence,
				 struct dma_fence_cb *cb)
{
	struct drm_svm_mem *mem = container_of(cb, struct drm_svm_mem, cb);

	queue_work(mem->sdev->wq, &mem->work);
}

/* Free @mem once its fence (if any) has signalled. */
static void drm_svm_mem_release(struct drm_svm_mem *mem)
{
	INIT_WORK(&mem->work, drm_svm_mem_free_work);
	if (!mem->fence ||
	    dma_fence_add_callback(mem->fence, &mem->cb, drm_svm_mem_fence_cb))
		drm_svm_mem_free(mem);
}

static struct drm_svm_mem *drm_svm_mem_new(struct drm_svm_device *sdev,
					   unsigned long npages, u8 placement)
{
	struct drm_svm_mem *mem;

	mem = kvzalloc(struct_size(mem, entry, npages), GFP_KERNEL_ACCOUNT);
	if (!mem)
		return NULL;
	mem->sdev = sdev;
	mem->npages = npages;
	mem->placement = placement;
	INIT_LIST_HEAD(&mem->blocks);
	return mem;
}

/*
 * Allocate pages, in one high-order block when possible. Pages that a copy
 * overwrites right away need no zeroing (@zero false). They are charged to
 * the memory cgroup of the task that populates the chunk, and an object
 * that does not fit fails with -ENOMEM rather than waking the OOM killer,
 * which cannot see memory that belongs to no process.
 */
static int drm_svm_mem_alloc_pages(struct drm_svm_mem *mem, bool zero)
{
	gfp_t gfp = GFP_HIGHUSER | __GFP_ACCOUNT | __GFP_RETRY_MAYFAIL |
		__GFP_NOWARN | (zero ? __GFP_ZERO : 0);
	unsigned long i = 0, j;

	while (i < mem->npages) {
		unsigned int order = min_t(unsigned int,
					   ilog2(mem->npages - i), 9);
		struct page *page = NULL;

		while (order && !page) {
			page = alloc_pages((gfp & ~__GFP_RETRY_MAYFAIL) |
					   __GFP_NORETRY, order);
			if (!page)
				order--;
		}
		if (!page)
			page = alloc_page(gfp);
		if (!page)
			return -ENOMEM;
		if (order)
			split_page(page, order);
		if (!i && (1ul << order) == mem->npages && mem->npages > 1)
			mem->contig = true;
		for (j = 0; j < (1ul << order); j++)
			mem->entry[i++] = (uintptr_t)(page + j);
	}
	return 0;
}

static int drm_svm_mem_alloc_vram(struct drm_svm_bo *bo,
				  struct drm_svm_mem *mem, bool visible)
{
	struct drm_svm_device *sdev = bo->sdev;
	struct gpu_buddy_block *block;
	unsigned long i = 0;
	int ret;

	if (!sdev->vram)
		return -ENOSPC;
	ret = drm_svm_vram_alloc_evict(sdev->vram, mem->npages << PAGE_SHIFT,
				       0, visible ? DRM_SVM_VRAM_VISIBLE :
				       DRM_SVM_VRAM_TOPDOWN, &mem->blocks, bo);
	if (ret)
		return ret;

	mem->visible = true;
	list_for_each_entry(block, &mem->blocks, link) {
		u64 off = gpu_buddy_block_offset(block);
		u64 end = off + gpu_buddy_block_size(&sdev->vram->mm, block);

		if (end > sdev->vram->visible_size)
			mem->visible = false;
		for (; off < end && i < mem->npages; off += PAGE_SIZE)
			mem->entry[i++] = off;
	}
	/* One block whose BAR PFNs are one aligned run: PMD-mappable. */
	if (mem->visible && list_is_singular(&mem->blocks) &&
	    mem->npages > 1 && sdev->ops->vram_pfn) {
		unsigned long pfn = sdev->ops->vram_pfn(sdev, mem->entry[0]);

		mem->contig = IS_ALIGNED(pfn, mem->npages) &&
			sdev->ops->vram_pfn(sdev, mem->entry[mem->npages - 1]) ==
			pfn + mem->npages - 1;
	}
	return 0;
}

static struct drm_svm_mem *drm_svm_mem_alloc(struct drm_svm_bo *bo,
					     unsigned long c, u8 placement,
					     bool visible, bool zero)
{
	struct drm_svm_device *sdev = bo->sdev;
	unsigned long npages = chunk_npages(bo, c);
	struct drm_svm_mem *mem;
	int ret;

	if (placement >= DRM_SVM_PL_COUNT)
		return ERR_PTR(-EINVAL);
	mem = drm_svm_mem_new(sdev, npages, placement);
	if (!mem)
		return ERR_PTR(-ENOMEM);
	ret = drm_svm_mem_charge(sdev, placement, npages);
	if (ret) {
		kvfree(mem);
		return ERR_PTR(ret);
	}

	switch (placement) {
	case DRM_SVM_PL_GTT:
		ret = drm_svm_mem_alloc_pages(mem, zero);
		if (!ret && sdev->ops->gtt_map) {
			mem->dma = kvcalloc(npages, sizeof(*mem->dma),
					    GFP_KERNEL_ACCOUNT);
			ret = mem->dma ? 0 : -ENOMEM;
			if (!ret)
				ret = sdev->ops->gtt_map(sdev,
							 (struct page **)mem->entry,
							 mem->dma, npages);
			if (ret) {
				kvfree(mem->dma);
				mem->dma = NULL;
			}
		}
		break;
	case DRM_SVM_PL_SYSTEM:
		ret = drm_svm_mem_alloc_pages(mem, zero);
		break;
	case DRM_SVM_PL_VRAM:
		ret = drm_svm_mem_alloc_vram(bo, mem, visible);
		break;
	default:
		ret = -EINVAL;
	}
	if (ret) {
		drm_svm_mem_free(mem);
		return ERR_PTR(ret);
	}
	return mem;
}

/* Chunk state */

static void drm_svm_chunk_zap(struct drm_svm_bo *bo, unsigned long c)
{
	struct drm_vma_offset_node *node = &bo->base.vma_node;

	if (!drm_mm_node_allocated(&node->vm_node))
		return;
	unmap_mapping_range(bo->base.dev->anon_inode->i_mapping,
			    drm_vma_node_offset_addr(node) +
			    ((u64)c << bo->chunk_shift),
			    (u64)chunk_npages(bo, c) << PAGE_SHIFT, 1);
}

static void drm_svm_chunk_lru_update(struct drm_svm_chunk *chunk,
				     struct drm_svm_mem *mem)
{
	struct drm_svm_device *sdev = chunk->bo->sdev;

	spin_lock(&sdev->lru_lock);
	if (mem && mem->placement == DRM_SVM_PL_VRAM) {
		chunk->lru_stamp = drm_svm_vram_lru_stamp(sdev->vram);
		list_move_tail(&chunk->lru, &sdev->vram_lru);
	} else {
		list_del_init(&chunk->lru);
	}
	spin_unlock(&sdev->lru_lock);
}

/* Replace the memory of a chunk; returns the old memory. */
static struct drm_svm_mem *drm_svm_chunk_swap(struct drm_svm_bo *bo,
					      unsigned long c,
					      struct drm_svm_mem *mem)
{
	struct drm_svm_chunk *chunk = &bo->chunks[c];
	struct drm_svm_mem *old = chunk->mem;

	dma_resv_assert_held(bo->base.resv);
	drm_svm_chunk_zap(bo, c);
	chunk->mem = mem;
	if (mem)
		chunk->placement = mem->placement;
	drm_svm_chunk_lru_update(chunk, mem);
	return old;
}

static void drm_svm_chunk_set_fence(struct drm_svm_chunk *chunk,
				    struct dma_fence *fence)
{
	dma_fence_put(chunk->fence);
	chunk->fence = dma_fence_get(fence);
}

/* Copies */

static void drm_svm_cpu_copy_page(struct drm_svm_device *sdev,
				  const struct drm_svm_copy *copy,
				  unsigned long i)
{
	struct page *dst = copy->dst_pl == DRM_SVM_PL_VRAM ?
		sdev->ops->vram_page(sdev, copy->dst_vram[i]) :
		copy->dst_pages[i];

	if (copy->src_pl == DRM_SVM_PL_ZERO)
		clear_highpage(dst);
	else
		copy_highpage(dst, copy->src_pl == DRM_SVM_PL_VRAM ?
			      sdev->ops->vram_page(sdev, copy->src_vram[i]) :
			      copy->src_pages[i]);
}

/* Copy with the CPU, after the dependencies; the caller checked vram_page. */
static void drm_svm_cpu_copy(struct drm_svm_device *sdev,
			     const struct drm_svm_copy *copy)
{
	unsigned long i;

	for (i = 0; i < copy->ndeps; i++)
		dma_fence_wait(copy->deps[i], false);
	for (i = 0; i < copy->npages; i++)
		drm_svm_cpu_copy_page(sdev, copy, i);
}

/*
 * Start a copy; returns its fence, NULL when it is done already, or
 * ERR_PTR when it could not be done at all. When the engine cannot take the
 * job (out of memory), the CPU copies instead: the chunks already point at
 * their new memory, so the data must get there.
 */
static struct dma_fence *drm_svm_copy_submit(struct drm_svm_device *sdev,
					     const struct drm_svm_copy *copy)
{
	bool cpu_ok = sdev->ops->vram_page ||
		(copy->src_pl != DRM_SVM_PL_VRAM &&
		 copy->dst_pl != DRM_SVM_PL_VRAM);
	struct dma_fence *fence;

	if (!copy->npages)
		return NULL;
	atomic64_add(copy->npages << PAGE_SHIFT, &sdev->stats.migrated_bytes);
	trace_drm_svm_bo_copy(copy->src_pl, copy->dst_pl, copy->npages,
			      sdev->ops->copy);
	if (sdev->ops->copy) {
		fence = sdev->ops->copy(sdev, copy);
		if (!IS_ERR(fence) || !cpu_ok)
			return fence;
		atomic64_inc(&sdev->stats.cpu_copy_fallbacks);
	} else if (!cpu_ok) {
		return ERR_PTR(-EOPNOTSUPP);
	}
	drm_svm_cpu_copy(sdev, copy);
	return NULL;
}

/*
 * A move context batches the chunk moves of one request: one copy per
 * source placement (plus one for zero fills), and for each copy the chunks
 * it serves with their old memory, freed once the copy is done. All arrays
 * live in one allocation (@buf).
 */
#define DRM_SVM_MOVE_GROUPS	(DRM_SVM_PL_COUNT + 1)

struct drm_svm_move {
	struct drm_svm_copy copy[DRM_SVM_MOVE_GROUPS];
	struct drm_svm_mem **old_of[DRM_SVM_MOVE_GROUPS];
	unsigned long *chunk_of[DRM_SVM_MOVE_GROUPS];
	unsigned long nchunks[DRM_SVM_MOVE_GROUPS];
	void *buf;
};

static void drm_svm_move_fini(struct drm_svm_move *mv)
{
	kvfree(mv->buf);
}

static int drm_svm_move_init(struct drm_svm_move *mv, unsigned long npages,
			     unsigned long nchunks)
{
	/* per group: src, dst (pages or VRAM offsets), deps, old_of, chunk_of */
	size_t group = 2 * npages * sizeof(u64) + 3 * nchunks * sizeof(void *);
	u8 *p;
	int g;

	memset(mv, 0, sizeof(*mv));
	p = kvzalloc(DRM_SVM_MOVE_GROUPS * group, GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	mv->buf = p;
	for (g = 0; g < DRM_SVM_MOVE_GROUPS; g++) {
		struct drm_svm_copy *cp = &mv->copy[g];

		cp->src_pl = g;
		cp->src_vram = (u64 *)p;
		cp->src_pages = (struct page **)p;
		p += npages * sizeof(u64);
		cp->dst_vram = (u64 *)p;
		cp->dst_pages = (struct page **)p;
		p += npages * sizeof(u64);
		cp->deps = (struct dma_fence **)p;
		p += nchunks * sizeof(void *);
		mv->old_of[g] = (struct drm_svm_mem **)p;
		p += nchunks * sizeof(void *);
		mv->chunk_of[g] = (unsigned long *)p;
		p += nchunks * sizeof(void *);
	}
	return 0;
}

/* Queue chunk @c of @bo: from its old memory @old (NULL: zero) to @mem. */
static void drm_svm_move_add(struct drm_svm_move *mv, struct drm_svm_bo *bo,
			     unsigned long c, struct drm_svm_mem *old,
			     struct drm_svm_mem *mem)
{
	int g = old ? old->placement : DRM_SVM_PL_ZERO;
	struct drm_svm_copy *cp = &mv->copy[g];
	struct drm_svm_chunk *chunk = &bo->chunks[c];
	unsigned long i;

	/* New system pages are zeroed already: nothing to copy. */
	if (!old && mem->placement != DRM_SVM_PL_VRAM)
		return;
	cp->dst_pl = mem->placement;
	for (i = 0; i < mem->npages; i++) {
		cp->dst_vram[cp->npages + i] = mem->entry[i];
		if (old)
			cp->src_vram[cp->npages + i] = old->entry[i];
	}
	cp->npages += mem->npages;
	if (chunk->fence && !dma_fence_is_signaled(chunk->fence))
		cp->deps[cp->ndeps++] = dma_fence_get(chunk->fence);
	mv->old_of[g][mv->nchunks[g]] = old;
	mv->chunk_of[g][mv->nchunks[g]++] = c;
}

/* Submit the batched copies; chunks get their fences, old memory is freed. */
static int drm_svm_move_submit(struct drm_svm_move *mv, struct drm_svm_bo *bo)
{
	int g, ret = 0;
	unsigned long i;

	for (g = 0; g < DRM_SVM_MOVE_GROUPS; g++) {
		struct drm_svm_copy *cp = &mv->copy[g];
		struct dma_fence *fence = NULL;

		/*
		 * Several destinations in one group only happens for zero
		 * fills (all VRAM); copies from one source go to one target.
		 */
		if (cp->npages) {
			fence = drm_svm_copy_submit(bo->sdev, cp);
			if (IS_ERR(fence)) {
				/* Not started: wait for what it depended on. */
				ret = PTR_ERR(fence);
				drm_WARN_ONCE(bo->base.dev, 1,
					      "drm_svm: copy failed (%d), chunk data lost\n",
					      ret);
				fence = NULL;
				for (i = 0; i < cp->ndeps; i++)
					dma_fence_wait(cp->deps[i], false);
			}
		}
		for (i = 0; i < cp->ndeps; i++)
			dma_fence_put(cp->deps[i]);
		cp->ndeps = 0;
		for (i = 0; i < mv->nchunks[g]; i++) {
			struct drm_svm_mem *old = mv->old_of[g][i];

			drm_svm_chunk_set_fence(&bo->chunks[mv->chunk_of[g][i]],
						fence);
			if (old) {
				old->fence = dma_fence_get(fence);
				drm_svm_mem_release(old);
			}
		}
		atomic64_add(mv->nchunks[g], &bo->sdev->stats.migrated_chunks);
		mv->nchunks[g] = 0;
		/* The chunks and the old memory hold their own references. */
		dma_fence_put(fence);
	}
	return ret;
}

static bool drm_svm_chunk_in_place(struct drm_svm_chunk *chunk, u32 placement,
				   bool visible)
{
	return chunk->mem && chunk->mem->placement == placement &&
		(!visible || chunk->mem->visible);
}

/* Move chunks [first, last] of @bo to @placement, batched. */
static int drm_svm_move_range(struct drm_svm_bo *bo, unsigned long first,
			      unsigned long last, u32 placement, bool visible,
			      struct drm_svm_move *mv)
{
	bool notified = false;
	unsigned long c;
	int ret = 0;

	dma_resv_assert_held(bo->base.resv);
	for (c = first; c <= last; c++) {
		struct drm_svm_chunk *chunk = &bo->chunks[c];
		struct drm_svm_mem *mem, *old;

		if (drm_svm_chunk_in_place(chunk, placement, visible))
			continue;
		/* A static importer has the pages of a pinned object. */
		if (bo->pin_count) {
			atomic64_inc(&bo->sdev->stats.prime_pinned_refusals);
			ret = -EBUSY;
			break;
		}
		/* Dynamic importers drop their mappings before the move. */
		if (chunk->mem && !notified) {
			drm_svm_prime_move_notify(bo);
			notified = true;
		}
		/* Fresh memory is zeroed; a copy target is overwritten. */
		mem = drm_svm_mem_alloc(bo, c, placement, visible, !chunk->mem);
		if (IS_ERR(mem)) {
			ret = PTR_ERR(mem);
			break;
		}
		old = drm_svm_chunk_swap(bo, c, mem);
		drm_svm_move_add(mv, bo, c, old, mem);
	}
	ret = drm_svm_move_submit(mv, bo) ?: ret;
	trace_drm_svm_bo_move(bo, first, last, placement, ret);
	return ret;
}

/* Move one chunk and wait for nothing; the caller waits on chunk->fence. */
static int drm_svm_move_chunk(struct drm_svm_bo *bo, unsigned long c,
			      u32 placement, bool visible)
{
	struct drm_svm_move mv;
	int ret;

	ret = drm_svm_move_init(&mv, chunk_npages(bo, c), 1);
	if (ret)
		return ret;
	ret = drm_svm_move_range(bo, c, c, placement, visible, &mv);
	drm_svm_move_fini(&mv);
	return ret;
}

/* Eviction */

static u32 drm_svm_evict_target(struct drm_svm_bo *bo)
{
	if (bo->params.allowed & DRM_SVM_PL_MASK(DRM_SVM_PL_SYSTEM))
		return DRM_SVM_PL_SYSTEM;
	if (bo->params.allowed & DRM_SVM_PL_MASK(DRM_SVM_PL_GTT))
		return DRM_SVM_PL_GTT;
	return DRM_SVM_PL_COUNT;
}

/* Send a busy chunk to the back of the VRAM LRU; LRU lock held. */
static void drm_svm_chunk_lru_rotate(struct drm_svm_device *sdev,
				     struct drm_svm_chunk *chunk)
{
	lockdep_assert_held(&sdev->lru_lock);
	chunk->lru_stamp = drm_svm_vram_lru_stamp(sdev->vram);
	list_move_tail(&chunk->lru, &sdev->vram_lru);
}

/*
 * The least recently used VRAM chunk of another object (@self may be NULL:
 * an SVM allocation), with its object referenced and locked. A chunk whose
 * object is locked by someone else goes to the back of the LRU: the
 * result is then NULL with -EBUSY, as when there is none (-ENOSPC).
 */
static struct drm_svm_chunk *drm_svm_evict_pick(struct drm_svm_device *sdev,
						struct drm_svm_bo *self,
						int *err)
{
	struct drm_svm_bo *busy = NULL;
	struct drm_svm_chunk *chunk;

	*err = -ENOSPC;
	spin_lock(&sdev->lru_lock);
	list_for_each_entry(chunk, &sdev->vram_lru, lru) {
		struct drm_svm_bo *bo = chunk->bo;

		if (bo == self || drm_svm_evict_target(bo) == DRM_SVM_PL_COUNT)
			continue;
		if (!kref_get_unless_zero(&bo->base.refcount))
			continue;
		if (dma_resv_trylock(bo->base.resv)) {
			spin_unlock(&sdev->lru_lock);
			return chunk;
		}
		/* Never wait for it: its holder may be waiting for us. */
		drm_svm_chunk_lru_rotate(sdev, chunk);
		busy = bo;
		*err = -EBUSY;
		break;
	}
	spin_unlock(&sdev->lru_lock);
	if (busy)
		drm_gem_object_put(&busy->base);
	return NULL;
}

/*
 * Evict the least recently used VRAM chunk of another object and wait
 * until its VRAM is free again. Returns -ENOSPC when there is nothing to
 * evict, -EBUSY when the victim was busy (see drm_svm_vram_alloc_evict()).
 */
static int drm_svm_evict_one(struct drm_svm_device *sdev,
			     struct drm_svm_bo *self, bool visible)
{
	struct drm_svm_chunk *victim;
	struct drm_svm_bo *vbo;
	struct dma_fence *fence;
	int ret;

	if (self)
		dma_resv_assert_held(self->base.resv);
	victim = drm_svm_evict_pick(sdev, self, &ret);
	if (!victim)
		return ret;
	vbo = victim->bo;
	ret = -ENOSPC;
	if (victim->mem && victim->mem->placement == DRM_SVM_PL_VRAM &&
	    (!visible || victim->mem->visible)) {
		ret = drm_svm_move_chunk(vbo, victim - vbo->chunks,
					 drm_svm_evict_target(vbo), false);
		if (!ret)
			atomic64_inc(&sdev->stats.evictions);
	} else if (victim->mem && victim->mem->placement == DRM_SVM_PL_VRAM) {
		/* invisible chunk while we need visible VRAM: skip it */
		drm_svm_chunk_lru_update(victim, victim->mem);
		ret = -EBUSY;
	}
	fence = dma_fence_get(victim->fence);
	dma_resv_unlock(vbo->base.resv);
	if (fence) {
		dma_fence_wait(fence, false);
		dma_fence_put(fence);
	}
	/* the freed VRAM comes back through the device workqueue */
	flush_workqueue(sdev->wq);
	drm_gem_object_put(&vbo->base);
	return ret;
}

static struct drm_svm_device *
to_drm_svm_device(struct drm_svm_vram_evictor *ev)
{
	return container_of(ev, struct drm_svm_device, evictor);
}

/* &drm_svm_vram_evictor_ops.oldest: the first chunk evict_one would take. */
static u64 drm_svm_evictor_oldest(struct drm_svm_vram_evictor *ev,
				  bool visible, void *ctx)
{
	struct drm_svm_device *sdev = to_drm_svm_device(ev);
	struct drm_svm_chunk *chunk;
	u64 stamp = U64_MAX;

	spin_lock(&sdev->lru_lock);
	list_for_each_entry(chunk, &sdev->vram_lru, lru) {
		if (chunk->bo == ctx ||
		    drm_svm_evict_target(chunk->bo) == DRM_SVM_PL_COUNT)
			continue;
		stamp = chunk->lru_stamp;
		break;
	}
	spin_unlock(&sdev->lru_lock);
	return stamp;
}

static int drm_svm_evictor_evict(struct drm_svm_vram_evictor *ev,
				 bool visible, void *ctx)
{
	return drm_svm_evict_one(to_drm_svm_device(ev), ctx, visible);
}

static const struct drm_svm_vram_evictor_ops drm_svm_evictor_ops = {
	.oldest = drm_svm_evictor_oldest,
	.evict = drm_svm_evictor_evict,
};

/* Object life */

static void drm_svm_bo_free(struct drm_gem_object *obj)
{
	struct drm_svm_bo *bo = to_drm_svm_bo(obj);
	struct drm_svm_device *sdev = bo->sdev;
	unsigned long c;

	drm_WARN_ON(obj->dev, bo->pin_count || bo->dmabuf || bo->vaddr);
	spin_lock(&sdev->lru_lock);
	for (c = 0; c < bo->nchunks; c++)
		list_del_init(&bo->chunks[c].lru);
	spin_unlock(&sdev->lru_lock);
	for (c = 0; c < bo->nchunks; c++) {
		struct drm_svm_chunk *chunk = &bo->chunks[c];

		if (chunk->fence)
			dma_fence_wait(chunk->fence, false);
		dma_fence_put(chunk->fence);
		if (chunk->mem)
			drm_svm_mem_free(chunk->mem);
	}
	drm_gem_object_release(obj);
	kvfree(bo->chunks);
	kfree(bo);
}

static int drm_svm_bo_mmap(struct drm_gem_object *obj,
			   struct vm_area_struct *vma)
{
	/* PFN mappings cannot be copy-on-write. */
	if (vma_is_cow_mapping(vma))
		return -EINVAL;
	vm_flags_set(vma, VM_PFNMAP | VM_IO | VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_page_prot = vm_get_page_prot(vma->vm_flags);
	return 0;
}

/* CPU faults */

static vm_fault_t drm_svm_chunk_map(struct drm_svm_bo *bo, unsigned long c,
				    struct vm_area_struct *vma)
{
	struct drm_svm_mem *mem = bo->chunks[c].mem;
	struct drm_svm_device *sdev = bo->sdev;
	unsigned long first = chunk_first_page(bo, c);
	unsigned long vstart = vma->vm_pgoff -
		drm_vma_node_start(&bo->base.vma_node);
	unsigned long vend = vstart + vma_pages(vma);
	pgprot_t prot = vma->vm_page_prot;
	unsigned long i;

	if (mem->placement != DRM_SVM_PL_SYSTEM)
		prot = pgprot_writecombine(prot);
	for (i = 0; i < mem->npages; i++) {
		unsigned long pg = first + i, pfn;
		vm_fault_t ret;

		if (pg < vstart || pg >= vend)
			continue;
		if (mem->placement == DRM_SVM_PL_VRAM)
			pfn = sdev->ops->vram_pfn(sdev, mem->entry[i]);
		else
			pfn = page_to_pfn(mem_page(mem, i));
		ret = vmf_insert_pfn_prot(vma, vma->vm_start +
					  ((pg - vstart) << PAGE_SHIFT),
					  pfn, prot);
		if (ret & VM_FAULT_ERROR)
			return ret;
	}
	return VM_FAULT_NOPAGE;
}

/* Where must chunk @c go before the CPU can map it? COUNT: stay. */
static u32 drm_svm_cpu_target(struct drm_svm_bo *bo, struct drm_svm_chunk *chunk,
			      bool *visible)
{
	u32 allowed = bo->params.allowed;

	*visible = false;
	/* Pinned: every chunk is in SYSTEM/GTT, mappable where it is. */
	if (bo->pin_count && chunk->mem &&
	    chunk->mem->placement != DRM_SVM_PL_VRAM)
		return DRM_SVM_PL_COUNT;
	if ((bo->params.flags & DRM_SVM_BO_CPU_MIGRATE_SYSTEM) &&
	    (allowed & DRM_SVM_PL_MASK(DRM_SVM_PL_SYSTEM)))
		return chunk->mem && chunk->mem->placement == DRM_SVM_PL_SYSTEM ?
			DRM_SVM_PL_COUNT : DRM_SVM_PL_SYSTEM;
	if (!chunk->mem) {
		if (chunk->placement != DRM_SVM_PL_VRAM)
			return chunk->placement;
		if (bo->sdev->vram && bo->sdev->vram->visible_size) {
			*visible = true;
			return DRM_SVM_PL_VRAM;
		}
	} else if (chunk->mem->placement != DRM_SVM_PL_VRAM ||
		   chunk->mem->visible) {
		return DRM_SVM_PL_COUNT;
	} else if ((bo->params.flags & DRM_SVM_BO_CPU_PREFER_VISIBLE) &&
		   bo->sdev->vram->visible_size) {
		*visible = true;
		return DRM_SVM_PL_VRAM;
	}
	if (allowed & DRM_SVM_PL_MASK(DRM_SVM_PL_SYSTEM))
		return DRM_SVM_PL_SYSTEM;
	if (allowed & DRM_SVM_PL_MASK(DRM_SVM_PL_GTT))
		return DRM_SVM_PL_GTT;
	return DRM_SVM_PL_VRAM;	/* VRAM only: try visible VRAM */
}

/*
 * Bring chunk @c where the CPU can map it and wait for its last move. On
 * success returns 0 with the reservation lock held; otherwise the fault
 * result to return.
 */
static vm_fault_t drm_svm_fault_prepare(struct drm_svm_bo *bo, unsigned long c)
{
	struct drm_svm_chunk *chunk = &bo->chunks[c];
	struct dma_fence *fence;
	bool visible;
	u32 target;
	int ret;

	for (;;) {
		if (dma_resv_lock_interruptible(bo->base.resv, NULL))
			return VM_FAULT_NOPAGE;
		fence = chunk->fence;
		if (fence && !dma_fence_is_signaled(fence)) {
			/* Wait for this chunk's move only, unlocked. */
			dma_fence_get(fence);
			dma_resv_unlock(bo->base.resv);
			ret = dma_fence_wait(fence, true);
			dma_fence_put(fence);
			if (ret)
				return VM_FAULT_NOPAGE;
			continue;
		}
		target = drm_svm_cpu_target(bo, chunk, &visible);
		if (target == DRM_SVM_PL_COUNT)
			return 0;
		if (target == DRM_SVM_PL_VRAM && !visible) {
			ret = -ENOSPC;
		} else {
			ret = drm_svm_move_chunk(bo, c, target, visible);
			if (!ret && chunk->mem)
				atomic64_inc(&bo->sdev->stats.cpu_fault_migrations);
		}
		dma_resv_unlock(bo->base.resv);
		if (ret)
			return ret == -ENOMEM ? VM_FAULT_OOM : VM_FAULT_SIGBUS;
	}
}

static vm_fault_t drm_svm_bo_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct drm_svm_bo *bo = to_drm_svm_bo(vma->vm_private_data);
	unsigned long pg = vmf->pgoff - drm_vma_node_start(&bo->base.vma_node);
	unsigned long c;
	vm_fault_t ret;

	if (pg >= bo->npages)
		return VM_FAULT_SIGBUS;
	c = pg >> (bo->chunk_shift - PAGE_SHIFT);
	atomic64_inc(&bo->sdev->stats.cpu_faults);
	ret = drm_svm_fault_prepare(bo, c);
	if (ret)
		return ret;
	ret = drm_svm_chunk_map(bo, c, vma);
	dma_resv_unlock(bo->base.resv);
	trace_drm_svm_bo_cpu_fault(bo, c, false, ret);
	return ret;
}

/*
 * A 2 MiB chunk backed by one aligned PFN run, fully inside the VMA at an
 * aligned address, is mapped with one (special, PFN-mapped) PMD: sequential
 * first touch then costs one fault per chunk. Anything else falls back to
 * the PTE path.
 */
static vm_fault_t drm_svm_bo_huge_fault(struct vm_fault *vmf,
					unsigned int order)
{
	struct vm_area_struct *vma = vmf->vma;
	struct drm_svm_bo *bo = to_drm_svm_bo(vma->vm_private_data);
	unsigned long addr = vmf->address & PMD_MASK;
	struct drm_svm_mem *mem;
	unsigned long pg, c, pfn;
	vm_fault_t ret;

	if (order != PMD_ORDER || bo->chunk_shift != PMD_SHIFT ||
	    addr < vma->vm_start || addr + PMD_SIZE > vma->vm_end)
		return VM_FAULT_FALLBACK;
	pg = ((addr - vma->vm_start) >> PAGE_SHIFT) + vma->vm_pgoff -
		drm_vma_node_start(&bo->base.vma_node);
	c = pg >> (PMD_SHIFT - PAGE_SHIFT);
	if (pg >= bo->npages || !IS_ALIGNED(pg, 1 << (PMD_SHIFT - PAGE_SHIFT)) ||
	    chunk_npages(bo, c) << PAGE_SHIFT != PMD_SIZE)
		return VM_FAULT_FALLBACK;

	atomic64_inc(&bo->sdev->stats.cpu_faults);
	ret = drm_svm_fault_prepare(bo, c);
	if (ret)
		return ret == VM_FAULT_NOPAGE ? ret : VM_FAULT_FALLBACK;
	mem = bo->chunks[c].mem;
	ret = VM_FAULT_FALLBACK;
	if (mem->contig) {
		pfn = mem->placement == DRM_SVM_PL_VRAM ?
			bo->sdev->ops->vram_pfn(bo->sdev, mem->entry[0]) :
			page_to_pfn(mem_page(mem, 0));
		ret = drm_svm_insert_pfn_pmd(vmf, pfn,
					     vmf->flags & FAULT_FLAG_WRITE);
		if (!(ret & VM_FAULT_ERROR))
			atomic64_inc(&bo->sdev->stats.cpu_huge_faults);
	}
	dma_resv_unlock(bo->base.resv);
	trace_drm_svm_bo_cpu_fault(bo, c, true, ret);
	return ret;
}

static const struct vm_operations_struct drm_svm_bo_vm_ops = {
	.fault = drm_svm_bo_fault,
	.huge_fault = drm_svm_bo_huge_fault,
	.open = drm_gem_vm_open,
	.close = drm_gem_vm_close,
};

static const struct drm_gem_object_funcs drm_svm_bo_funcs = {
	.free = drm_svm_bo_free,
	.mmap = drm_svm_bo_mmap,
	.export = drm_svm_prime_export,
	.vm_ops = &drm_svm_bo_vm_ops,
};

/**
 * drm_svm_max_object_size() - the largest object the device accepts
 * @sdev: the device
 * @allowed: the placements the object may use (DRM_SVM_PL_MASK())
 *
 * An object must fit, whole, in one of its placements: system memory (the
 * device's &drm_svm_device.system_limit), the GTT limit of the device or
 * its VRAM. A larger object could
 * never be populated completely, as a dma-buf export or a pin needs, so
 * drm_svm_bo_create() and drm_svm_bo_import() refuse it with -E2BIG.
 *
 * Return: the size in bytes.
 */
u64 drm_svm_max_object_size(struct drm_svm_device *sdev, u32 allowed)
{
	u64 ram = (u64)totalram_pages() << PAGE_SHIFT, max = 0;

	ram = min(ram, sdev->system_limit);
	if (allowed & DRM_SVM_PL_MASK(DRM_SVM_PL_SYSTEM))
		max = ram;
	if (allowed & DRM_SVM_PL_MASK(DRM_SVM_PL_GTT))
		max = max(max, min(ram, sdev->gtt_size));
	if ((allowed & DRM_SVM_PL_MASK(DRM_SVM_PL_VRAM)) && sdev->vram)
		max = max(max, sdev->vram->size);
	return max;
}
EXPORT_SYMBOL_GPL(drm_svm_max_object_size);

/**
 * drm_svm_bo_create() - create a GEM object with per-chunk placements
 * @sdev: the device
 * @size: size in bytes, rounded up to a page
 * @params: placement policy
 *
 * No memory is allocated yet: chunks are populated in the preferred
 * placement on first use.
 *
 * Return: the object (one reference), or ERR_PTR: -EINVAL for a zero
 * size, bad placements, unknown flags or a bad chunk size, -E2BIG for an
 * object larger than drm_svm_max_object_size() or of more than 2^20
 * chunks, -ENOMEM.
 */
struct drm_svm_bo *drm_svm_bo_create(struct drm_svm_device *sdev, u64 size,
				     const struct drm_svm_bo_params *params)
{
	unsigned int shift = params->chunk_shift;
	struct drm_svm_bo *bo;
	unsigned long c;
	int ret;

	if (!size ||
	    !params->allowed || params->allowed & ~DRM_SVM_PL_ALL ||
	    params->preferred >= DRM_SVM_PL_COUNT ||
	    !(params->allowed & DRM_SVM_PL_MASK(params->preferred)) ||
	    params->flags & ~DRM_SVM_BO_FLAGS ||
	    (shift && (shift < PAGE_SHIFT || shift > 30)))
		return ERR_PTR(-EINVAL);
	if ((params->allowed & DRM_SVM_PL_MASK(DRM_SVM_PL_VRAM)) && !sdev->vram)
		return ERR_PTR(-EINVAL);

	if (size > drm_svm_max_object_size(sdev, params->allowed))
		return ERR_PTR(-E2BIG);
	size = PAGE_ALIGN(size);
	if (!shift)
		shift = min_t(unsigned int, DRM_SVM_DEFAULT_CHUNK_SHIFT,
			      order_base_2(size));
	if (DIV_ROUND_UP_ULL(size, 1ull << shift) > DRM_SVM_BO_MAX_CHUNKS)
		return ERR_PTR(-E2BIG);

	bo = kzalloc_obj(*bo, GFP_KERNEL_ACCOUNT);
	if (!bo)
		return ERR_PTR(-ENOMEM);
	bo->sdev = sdev;
	bo->params = *params;
	bo->chunk_shift = shift;
	bo->npages = size >> PAGE_SHIFT;
	bo->nchunks = DIV_ROUND_UP_ULL(size, 1ull << shift);
	bo->chunks = kvcalloc(bo->nchunks, sizeof(*bo->chunks),
			      GFP_KERNEL_ACCOUNT);
	if (!bo->chunks) {
		ret = -ENOMEM;
		goto err_free;
	}
	for (c = 0; c < bo->nchunks; c++) {
		bo->chunks[c].bo = bo;
		bo->chunks[c].placement = params->preferred;
		INIT_LIST_HEAD(&bo->chunks[c].lru);
	}

	bo->base.funcs = &drm_svm_bo_funcs;
	drm_gem_private_object_init(sdev->drm, &bo->base, size);
	ret = drm_gem_create_mmap_offset(&bo->base);
	if (ret) {
		drm_gem_object_put(&bo->base);
		return ERR_PTR(ret);
	}
	return bo;

err_free:
	kfree(bo);
	return ERR_PTR(ret);
}
EXPORT_SYMBOL_GPL(drm_svm_bo_create);

static int drm_svm_bo_range(struct drm_svm_bo *bo, u64 offset, u64 size,
			    unsigned long *first, unsigned long *last)
{
	u64 end;

	if (!size || check_add_overflow(offset, size, &end) ||
	    end > bo->base.size)
		return -EINVAL;
	*first = offset >> bo->chunk_shift;
	*last = (end - 1) >> bo->chunk_shift;
	return 0;
}

/*
 * Move chunks [@first, @last] (one window) and publish their move fences in
 * the reservation object. Sets *@busy when some chunk of the window has a
 * move in flight.
 */
static int drm_svm_migrate_window(struct drm_svm_bo *bo, unsigned long first,
				  unsigned long last, u32 placement,
				  bool visible, bool *busy)
{
	unsigned long c, n = last - first + 1;
	struct drm_svm_move mv;
	int ret;

	ret = drm_svm_move_init(&mv, n << (bo->chunk_shift - PAGE_SHIFT), n);
	if (ret)
		return ret;
	ret = dma_resv_lock_interruptible(bo->base.resv, NULL);
	if (ret)
		goto out_fini;
	/*
	 * One slot per chunk at most (fences of one context replace), reserved
	 * before anything moves: a move whose fence could not be published
	 * would let the call return with its copies in flight.
	 */
	ret = dma_resv_reserve_fences(bo->base.resv, n);
	if (ret)
		goto out_unlock;
	ret = drm_svm_move_range(bo, first, last, placement, visible, &mv);
	for (c = first; c <= last; c++) {
		struct dma_fence *f = bo->chunks[c].fence;

		if (!f || dma_fence_is_signaled(f))
			continue;
		dma_resv_add_fence(bo->base.resv, f, DMA_RESV_USAGE_KERNEL);
		*busy = true;
	}
out_unlock:
	dma_resv_unlock(bo->base.resv);
out_fini:
	drm_svm_move_fini(&mv);
	return ret;
}

/* Pages per migration window: bounds the arrays one call allocates. */
#define DRM_SVM_MIGRATE_WINDOW_PAGES	BIT(14)

/**
 * drm_svm_bo_migrate() - move a range of an object to a placement
 * @bo: the object
 * @offset: start of the range in bytes
 * @size: length of the range in bytes
 * @placement: &enum drm_svm_placement
 * @flags: %DRM_SVM_MIGRATE_VISIBLE
 * @fence: if not NULL, receives a fence that signals when every chunk of
 *	the range has arrived (NULL when nothing had to move)
 *
 * Every chunk the range touches moves, in batched copies on the copy engine,
 * in windows of at most 64 MiB (or one chunk), so that what one call
 * allocates does not grow with the range; the call can be interrupted
 * between windows. It returns once the copies are queued. Chunks that
 * cannot be moved (VRAM full of memory that cannot be evicted) stay where
 * they are and the call fails; the data is never lost.
 *
 * An object pinned for a static dma-buf importer (drm_svm_bo_pin()) keeps
 * its pages: moving any of its chunks fails with -EBUSY (chunks already in
 * the requested placement are fine).
 *
 * Return: 0, -EINVAL (bad range, placement not allowed, unknown flags),
 * -EBUSY (pinned), -EOPNOTSUPP for an imported dma-buf (its memory is
 * the exporter's), -ENOSPC, -ENOMEM, -EINTR / -ERESTARTSYS.
 */
int drm_svm_bo_migrate(struct drm_svm_bo *bo, u64 offset, u64 size,
		       u32 placement, u32 flags, struct dma_fence **fence)
{
	unsigned long first, last, c, win;
	bool busy = false;
	int ret;

	if (fence)
		*fence = NULL;
	if (drm_svm_bo_is_import(bo))
		return -EOPNOTSUPP;
	if (placement >= DRM_SVM_PL_COUNT ||
	    !(bo->params.allowed & DRM_SVM_PL_MASK(placement)) ||
	    flags & ~DRM_SVM_MIGRATE_VISIBLE ||
	    ((flags & DRM_SVM_MIGRATE_VISIBLE) && placement != DRM_SVM_PL_VRAM))
		return -EINVAL;
	ret = drm_svm_bo_range(bo, offset, size, &first, &last);
	if (ret)
		return ret;
	win = max(DRM_SVM_MIGRATE_WINDOW_PAGES >>
		  (bo->chunk_shift - PAGE_SHIFT), 1ul);
	for (c = first; c <= last && !ret; c += win) {
		if (c != first && fatal_signal_pending(current))
			return -EINTR;
		ret = drm_svm_migrate_window(bo, c, min(c + win - 1, last),
					     placement,
					     flags & DRM_SVM_MIGRATE_VISIBLE,
					     &busy);
		cond_resched();
	}
	/* The moves of the range (and any older ones) are kernel fences. */
	if (fence && busy) {
		if (dma_resv_lock_interruptible(bo->base.resv, NULL))
			return ret ?: -EINTR;
		/* no memory for a fence array: wait here instead */
		if (dma_resv_get_singleton(bo->base.resv, DMA_RESV_USAGE_KERNEL,
					   fence))
			dma_resv_wait_timeout(bo->base.resv,
					      DMA_RESV_USAGE_KERNEL, false,
					      MAX_SCHEDULE_TIMEOUT);
		dma_resv_unlock(bo->base.resv);
	}
	return ret;
}
EXPORT_SYMBOL_GPL(drm_svm_bo_migrate);

/**
 * drm_svm_bo_residency() - where the chunks of an object are
 * @bo: the object
 * @first: first chunk
 * @count: number of chunks, at most the object's from @first
 * @info: receives @count entries
 *
 * Return: 0, -EINVAL for a range outside the object, -EINTR.
 */
int drm_svm_bo_residency(struct drm_svm_bo *bo, unsigned long first,
			 unsigned long count, struct drm_svm_chunk_info *info)
{
	unsigned long i;

	if (drm_svm_bo_is_import(bo))
		return drm_svm_import_residency(bo, first, count, info);
	if (first >= bo->nchunks || count > bo->nchunks - first)
		return -EINVAL;
	if (dma_resv_lock_interruptible(bo->base.resv, NULL))
		return -EINTR;
	for (i = 0; i < count; i++) {
		struct drm_svm_chunk *chunk = &bo->chunks[first + i];

		info[i].placement = chunk->placement;
		info[i].populated = !!chunk->mem;
		info[i].visible = chunk->mem && chunk->mem->visible;
		info[i].busy = chunk->fence &&
			!dma_fence_is_signaled(chunk->fence);
	}
	dma_resv_unlock(bo->base.resv);
	return 0;
}
EXPORT_SYMBOL_GPL(drm_svm_bo_residency);

/* Make chunk @c accessible to the device: populated, move finished. */
static int drm_svm_chunk_prepare_device(struct drm_svm_bo *bo, unsigned long c)
{
	struct drm_svm_chunk *chunk = &bo->chunks[c];
	int ret;

	if (!chunk->mem) {
		ret = drm_svm_move_chunk(bo, c, chunk->placement, false);
		if (ret == -ENOSPC && chunk->placement == DRM_SVM_PL_VRAM &&
		    drm_svm_evict_target(bo) != DRM_SVM_PL_COUNT)
			ret = drm_svm_move_chunk(bo, c,
						 drm_svm_evict_target(bo),
						 false);
		if (ret)
			return ret;
	}
	if (chunk->fence) {
		ret = dma_fence_wait(chunk->fence, true);
		if (ret)
			return ret;
	}
	drm_svm_chunk_lru_update(chunk, chunk->mem);
	return 0;
}

static struct page *drm_svm_chunk_page(struct drm_svm_bo *bo,
				       struct drm_svm_mem *mem,
				       unsigned long i)
{
	if (mem->placement == DRM_SVM_PL_VRAM)
		return bo->sdev->ops->vram_page ?
			bo->sdev->ops->vram_page(bo->sdev, mem->entry[i]) :
			NULL;
	return mem_page(mem, i);
}

/*
 * Device access emulation: run @fn on each page piece of a byte range, as
 * the device would see it through its page tables (no migration).
 */
static int drm_svm_bo_walk(struct drm_svm_bo *bo, u64 offset, u64 len,
			   void (*fn)(void *vaddr, size_t n, void *arg),
			   void *arg)
{
	unsigned long first, last, c;
	u64 pos = offset, end = offset + len;
	int ret;

	if (drm_svm_bo_is_import(bo))
		return drm_svm_import_walk(bo, offset, len, fn, arg);
	ret = drm_svm_bo_range(bo, offset, len, &first, &last);
	if (ret)
		return ret;
	ret = dma_resv_lock_interruptible(bo->base.resv, NULL);
	if (ret)
		return ret;
	for (c = first; c <= last && !ret; c++)
		ret = drm_svm_chunk_prepare_device(bo, c);
	while (!ret && pos < end) {
		unsigned long pg = pos >> PAGE_SHIFT;
		unsigned long c = pg >> (bo->chunk_shift - PAGE_SHIFT);
		struct drm_svm_mem *mem = bo->chunks[c].mem;
		size_t in = offset_in_page(pos);
		size_t n = min_t(u64, PAGE_SIZE - in, end - pos);
		struct page *page;
		void *vaddr;

		page = drm_svm_chunk_page(bo, mem, pg - chunk_first_page(bo, c));
		if (!page) {
			ret = -EOPNOTSUPP;
			break;
		}
		vaddr = kmap_local_page(page);
		fn(vaddr + in, n, arg);
		kunmap_local(vaddr);
		pos += n;
	}
	dma_resv_unlock(bo->base.resv);
	return ret;
}

/*
 * A synchronous device access to an imported dma-buf waits for the fences
 * of the shared reservation object first (implicit sync): for a write all
 * of them, for a read the writers.
 */
static int drm_svm_bo_sync(struct drm_svm_bo *bo, bool write)
{
	long t;

	if (!drm_svm_bo_is_import(bo))
		return 0;
	t = dma_resv_wait_timeout(bo->base.resv, dma_resv_usage_rw(write),
				  true, MAX_SCHEDULE_TIMEOUT);
	return t < 0 ? t : 0;
}

struct drm_svm_rw {
	u8 *buf;
	bool write;
};

static void drm_svm_rw_fn(void *vaddr, size_t n, void *arg)
{
	struct drm_svm_rw *rw = arg;

	if (rw->write)
		memcpy(vaddr, rw->buf, n);
	else
		memcpy(rw->buf, vaddr, n);
	rw->buf += n;
}

/**
 * drm_svm_bo_access() - device access to object memory
 * @bo: the object
 * @offset: byte offset
 * @buf: kernel buffer of @len bytes
 * @len: bytes to transfer
 * @write: write @buf to the object instead of reading
 *
 * Reads or writes the object the way the device sees it, in whatever
 * placement each chunk is (nothing migrates), after the chunk's pending move
 * has finished. Unpopulated chunks are populated in their placement. An
 * imported dma-buf is accessed in the exporter's pages after the fences of
 * its reservation object have signalled.
 *
 * Return: 0, -EINVAL for a range outside the object, -ENOSPC, -ENOMEM,
 * -EINTR / -ERESTARTSYS.
 */
int drm_svm_bo_access(struct drm_svm_bo *bo, u64 offset, void *buf,
		      size_t len, bool write)
{
	struct drm_svm_rw rw = { .buf = buf, .write = write };

	return drm_svm_bo_sync(bo, write) ?:
		drm_svm_bo_walk(bo, offset, len, drm_svm_rw_fn, &rw);
}
EXPORT_SYMBOL_GPL(drm_svm_bo_access);

static void drm_svm_fill_fn(void *vaddr, size_t n, void *arg)
{
	u32 value = *(u32 *)arg;

	memset32(vaddr, value, n / 4);
}

/**
 * drm_svm_bo_device_op() - device operation on object memory
 * @bo: the object
 * @offset: byte offset
 * @len: bytes
 * @fn: called for each page piece with its kernel address and length,
 *	with the reservation lock held
 * @arg: passed to @fn
 *
 * Lets a driver emulate device engines: like drm_svm_bo_access(), the
 * range is seen in whatever placement each chunk is, after pending moves.
 * For an imported dma-buf the implicit fences are not waited for: the
 * driver orders its jobs after them when it submits (see "dma-buf import").
 *
 * Return: as drm_svm_bo_access().
 */
int drm_svm_bo_device_op(struct drm_svm_bo *bo, u64 offset, u64 len,
			 void (*fn)(void *vaddr, size_t n, void *arg),
			 void *arg)
{
	return drm_svm_bo_walk(bo, offset, len, fn, arg);
}
EXPORT_SYMBOL_GPL(drm_svm_bo_device_op);

/**
 * drm_svm_bo_fill() - device fill of object memory with a 32-bit pattern
 * @bo: the object
 * @offset: byte offset, 4-byte aligned
 * @len: bytes, a multiple of 4
 * @value: the pattern
 *
 * Return: as drm_svm_bo_access(); -EINVAL for unaligned arguments.
 */
int drm_svm_bo_fill(struct drm_svm_bo *bo, u64 offset, u64 len, u32 value)
{
	if (!IS_ALIGNED(offset, 4) || !IS_ALIGNED(len, 4))
		return -EINVAL;
	return drm_svm_bo_sync(bo, true) ?:
		drm_svm_bo_walk(bo, offset, len, drm_svm_fill_fn, &value);
}
EXPORT_SYMBOL_GPL(drm_svm_bo_fill);

/* Wait for the last move of every chunk. */
static int drm_svm_bo_wait_moves(struct drm_svm_bo *bo, bool intr)
{
	unsigned long c;
	long ret;

	for (c = 0; c < bo->nchunks; c++) {
		struct dma_fence *fence = bo->chunks[c].fence;

		if (!fence)
			continue;
		ret = dma_fence_wait(fence, intr);
		if (ret)
			return ret;
	}
	return 0;
}

/* Bring chunk @c to SYSTEM or GTT (see drm_svm_bo_make_reachable()). */
static int drm_svm_chunk_make_reachable(struct drm_svm_bo *bo, unsigned long c,
					u32 target)
{
	struct drm_svm_chunk *chunk = &bo->chunks[c];
	u32 pl = chunk->mem ? chunk->mem->placement : chunk->placement;
	int ret;

	if (chunk->mem && pl != DRM_SVM_PL_VRAM)
		return 0;
	if (pl == DRM_SVM_PL_VRAM)
		pl = target;
	if (pl == DRM_SVM_PL_COUNT)
		return -EINVAL;
	chunk->fresh = !chunk->mem;
	chunk->fresh_placement = chunk->placement;
	ret = drm_svm_move_chunk(bo, c, pl, false);
	if (ret)
		chunk->fresh = false;
	return ret;
}

/*
 * End a make-reachable pass over chunks [0, @end): on failure the chunks
 * it populated are emptied again (their memory goes when their copies are
 * done), so a failed export or pin does not leave memory behind.
 */
static void drm_svm_bo_end_populate(struct drm_svm_bo *bo, unsigned long end,
				    bool undo)
{
	unsigned long c;

	for (c = 0; c < end; c++) {
		struct drm_svm_chunk *chunk = &bo->chunks[c];

		if (!chunk->fresh)
			continue;
		chunk->fresh = false;
		if (undo) {
			drm_svm_mem_release(drm_svm_chunk_swap(bo, c, NULL));
			chunk->placement = chunk->fresh_placement;
		}
		if (!(c & 1023))
			cond_resched();
	}
}

/*
 * Populate every chunk in SYSTEM or GTT memory, which the CPU and other
 * devices' DMA reach through struct pages: chunks in VRAM move to the
 * eviction target (SYSTEM if allowed, else GTT), empty chunks are populated
 * in their placement (or that target). Waits for the moves. Stops at a
 * fatal signal; on any failure, what this call populated is freed again.
 */
static int drm_svm_bo_make_reachable(struct drm_svm_bo *bo, bool intr)
{
	u32 target = drm_svm_evict_target(bo);
	unsigned long c;
	int ret = 0;

	dma_resv_assert_held(bo->base.resv);
	for (c = 0; c < bo->nchunks && !ret; c++) {
		ret = drm_svm_chunk_make_reachable(bo, c, target);
		if (!ret && fatal_signal_pending(current))
			ret = -EINTR;
		cond_resched();
	}
	if (!ret)
		ret = drm_svm_bo_wait_moves(bo, intr);
	drm_svm_bo_end_populate(bo, c, ret);
	return ret;
}

/**
 * drm_svm_bo_pin() - keep the pages of an object where they are
 * @bo: the object
 * @intr: wait interruptibly for the moves
 *
 * The first pin moves every chunk to system memory (SYSTEM, or GTT when
 * the object may not be in SYSTEM), populating empty chunks, and waits for
 * the copies. Until the last drm_svm_bo_unpin() the pages stay: moves of
 * the object fail with -EBUSY (migration to VRAM, CPU-fault placement
 * switches are skipped), and eviction never sees it (it has no VRAM). Used
 * for static dma-buf importers, which keep one scatter list for the whole
 * attachment, and for kernel mappings. Called with the reservation lock
 * held.
 *
 * Return: 0, -EINVAL when the object may only live in VRAM, -ENOSPC,
 * -ENOMEM, -ERESTARTSYS (@intr).
 */
int drm_svm_bo_pin(struct drm_svm_bo *bo, bool intr)
{
	int ret;

	dma_resv_assert_held(bo->base.resv);
	if (!bo->pin_count) {
		ret = drm_svm_bo_make_reachable(bo, intr);
		if (ret)
			return ret;
	}
	bo->pin_count++;
	return 0;
}
EXPORT_SYMBOL_GPL(drm_svm_bo_pin);

/**
 * drm_svm_bo_unpin() - drop a pin taken with drm_svm_bo_pin()
 * @bo: the object
 *
 * Called with the reservation lock held.
 */
void drm_svm_bo_unpin(struct drm_svm_bo *bo)
{
	dma_resv_assert_held(bo->base.resv);
	if (!drm_WARN_ON(bo->base.dev, !bo->pin_count))
		bo->pin_count--;
}
EXPORT_SYMBOL_GPL(drm_svm_bo_unpin);

/**
 * drm_svm_bo_get_pages() - the pages backing an object, for DMA mapping
 * @bo: the object
 * @pages: receives &drm_svm_bo.npages page pointers
 * @intr: wait interruptibly for the moves
 *
 * Moves chunks in VRAM to system memory first, like drm_svm_bo_pin() (a
 * pinned object does not move), and waits for every pending move. The
 * pages stay valid until the next move of the object; an unpinned object
 * may move as soon as the reservation lock is dropped, after notifying
 * its dynamic dma-buf importers. Called with the reservation lock held.
 *
 * Return: 0, -EINVAL (VRAM-only object), -ENOSPC, -ENOMEM, -ERESTARTSYS.
 */
int drm_svm_bo_get_pages(struct drm_svm_bo *bo, struct page **pages,
			 bool intr)
{
	unsigned long c, i;
	int ret;

	ret = drm_svm_bo_make_reachable(bo, intr);
	if (ret)
		return ret;
	for (c = 0; c < bo->nchunks; c++) {
		struct drm_svm_mem *mem = bo->chunks[c].mem;

		for (i = 0; i < mem->npages; i++)
			pages[chunk_first_page(bo, c) + i] = mem_page(mem, i);
	}
	return 0;
}
EXPORT_SYMBOL_GPL(drm_svm_bo_get_pages);

/**
 * drm_svm_get_unmapped_area() - &file_operations.get_unmapped_area for
 *	drivers using drm_svm objects
 * @filp: the DRM file
 * @uaddr: address hint
 * @len: length of the mapping
 * @pgoff: the mmap offset in pages
 * @flags: mmap flags
 *
 * Places mappings so that 2 MiB chunks of the object land on 2 MiB-aligned
 * virtual addresses, which lets the fault handler map whole chunks with one
 * PMD. The DRM mmap offset of an object is not 2 MiB aligned, so the
 * alignment is computed relative to the start of the object.
 *
 * Return: the address, or a negative errno cast to unsigned long.
 */
unsigned long drm_svm_get_unmapped_area(struct file *filp, unsigned long uaddr,
					unsigned long len, unsigned long pgoff,
					unsigned long flags)
{
	struct drm_file *priv = filp->private_data;
	struct drm_vma_offset_manager *mgr = priv->minor->dev->vma_offset_manager;
	struct drm_vma_offset_node *node;
	unsigned long start = 0;

	drm_vma_offset_lock_lookup(mgr);
	node = drm_vma_offset_lookup_locked(mgr, pgoff, 1);
	if (node)
		start = drm_vma_node_start(node);
	drm_vma_offset_unlock_lookup(mgr);
	return thp_get_unmapped_area(filp, uaddr, len, pgoff - start, flags);
}
EXPORT_SYMBOL_GPL(drm_svm_get_unmapped_area);

/**
 * drm_svm_device_init() - set up the GEM placement state of a device
 * @sdev: the state, embedded in the driver's device
 * @drm: the DRM device
 * @ops: driver callbacks
 * @vram: the VRAM manager, or NULL for a device without VRAM
 * @gtt_size: bytes of GART
 *
 * Return: 0 or -ENOMEM.
 */
int drm_svm_device_init(struct drm_svm_device *sdev, struct drm_device *drm,
			const struct drm_svm_device_ops *ops,
			struct drm_svm_vram *vram, u64 gtt_size)
{
	memset(sdev, 0, sizeof(*sdev));
	sdev->wq = alloc_workqueue("drm_svm", WQ_UNBOUND | WQ_MEM_RECLAIM, 0);
	if (!sdev->wq)
		return -ENOMEM;
	sdev->drm = drm;
	sdev->ops = ops;
	sdev->vram = vram;
	sdev->gtt_size = gtt_size;
	sdev->system_limit = ((u64)totalram_pages() << PAGE_SHIFT) / 2;
	spin_lock_init(&sdev->lru_lock);
	INIT_LIST_HEAD(&sdev->vram_lru);
	if (vram)
		drm_svm_vram_evictor_add(vram, &sdev->evictor,
					 &drm_svm_evictor_ops);
	return 0;
}
EXPORT_SYMBOL_GPL(drm_svm_device_init);

/**
 * drm_svm_device_fini() - tear down the GEM placement state of a device
 * @sdev: the state
 *
 * All objects must be gone. Waits for deferred frees. May sleep.
 */
void drm_svm_device_fini(struct drm_svm_device *sdev)
{
	if (sdev->vram)
		drm_svm_vram_evictor_remove(sdev->vram, &sdev->evictor);
	destroy_workqueue(sdev->wq);
	WARN_ON(!list_empty(&sdev->vram_lru));
	WARN_ON(atomic64_read(&sdev->gtt_used));
	WARN_ON(atomic64_read(&sdev->system_used));
}
EXPORT_SYMBOL_GPL(drm_svm_device_fini);

/**
 * drm_svm_device_print() - print counters and usage
 * @sdev: the state
 * @p: where to print
 */
void drm_svm_device_print(struct drm_svm_device *sdev, struct drm_printer *p)
{
	struct drm_svm_stats *s = &sdev->stats;

	drm_printf(p, "gtt used: %lld\n", atomic64_read(&sdev->gtt_used));
	drm_printf(p, "system used: %lld\n",
		   atomic64_read(&sdev->system_used));
	drm_printf(p, "system limit: %llu\n", sdev->system_limit);
	drm_printf(p, "cpu faults: %lld\n", atomic64_read(&s->cpu_faults));
	drm_printf(p, "cpu huge faults: %lld\n",
		   atomic64_read(&s->cpu_huge_faults));
	drm_printf(p, "cpu fault migrations: %lld\n",
		   atomic64_read(&s->cpu_fault_migrations));
	drm_printf(p, "migrated chunks: %lld\n",
		   atomic64_read(&s->migrated_chunks));
	drm_printf(p, "migrated bytes: %lld\n",
		   atomic64_read(&s->migrated_bytes));
	drm_printf(p, "evictions: %lld\n", atomic64_read(&s->evictions));
	drm_printf(p, "cpu copy fallbacks: %lld\n",
		   atomic64_read(&s->cpu_copy_fallbacks));
	drm_printf(p, "prime move notifies: %lld\n",
		   atomic64_read(&s->prime_move_notifies));
	drm_printf(p, "prime pinned refusals: %lld\n",
		   atomic64_read(&s->prime_pinned_refusals));
}
EXPORT_SYMBOL_GPL(drm_svm_device_print);
