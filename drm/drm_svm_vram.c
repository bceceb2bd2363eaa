// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright © 2026 The drm-svm authors
 */

#include <linux/delay.h>
#include <linux/lockdep.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/sched/signal.h>
#include <linux/sizes.h>

#include <drm/drm_print.h>
#include <drm/drm_svm.h>

/**
 * DOC: VRAM manager
 *
 * &struct drm_svm_vram hands out device memory in blocks of the GPU buddy
 * allocator. It knows which part of VRAM the CPU can reach through the BAR
 * aperture (the first &drm_svm_vram.visible_size bytes) so that placements
 * needing CPU access can ask for visible memory with %DRM_SVM_VRAM_VISIBLE,
 * while everything else is allocated top-down to keep the aperture free.
 *
 * Allocations fail with -ENOSPC when the request cannot be met; the caller
 * (the placement code) then evicts or falls back to another placement.
 */

/**
 * DOC: VRAM eviction
 *
 * GEM objects and SVM device memory share one pool. Each user that holds
 * evictable memory registers a &struct drm_svm_vram_evictor and stamps its
 * allocations with drm_svm_vram_lru_stamp() when they are used, keeping its
 * own LRU list. drm_svm_vram_alloc_evict() allocates, and while the pool is
 * full asks every evictor for the stamp of its oldest evictable allocation
 * and evicts the oldest of all (drm_svm_vram_evict()): a GEM allocation can
 * push SVM pages back to system memory and an SVM migration can evict GEM
 * chunks or older SVM memory. It fails with -ENOSPC only once no evictor
 * has anything left to evict.
 *
 * Lock order (outermost first) for an allocation that evicts:
 * mmap_lock (read) -> the allocating GEM object's reservation lock ->
 * [a victim's reservation lock, device page lock or its owner's mmap_lock,
 * only ever trylocked] ->
 * rmap locks -> mmu notifiers (an SVM mirror's lock) -> &drm_svm_vram.lock
 * -> the evictors' LRU spinlocks. Consequently nothing may allocate VRAM
 * while holding a mirror lock or inside an mmu notifier, and nothing may
 * wait for a reservation lock while holding a mirror lock. The evictor list
 * is read under &drm_svm_vram.lock; evictors are added before their first
 * allocation and removed after their last one is freed.
 */

/**
 * DOC: VRAM manager locking
 *
 * One mutex, &drm_svm_vram.lock, protects the allocator state and the usage
 * counters. It is taken inside the object and SVM-range locks, never around
 * them, and nothing that can fault or wait for the GPU runs under it. The
 * block lists handed out by drm_svm_vram_alloc() belong to the caller until
 * they are returned with drm_svm_vram_free().
 */

static u64 drm_svm_vram_visible_part(const struct drm_svm_vram *vram,
				     struct gpu_buddy_block *block)
{
	u64 start = gpu_buddy_block_offset(block);
	u64 end = start + gpu_buddy_block_size((struct gpu_buddy *)&vram->mm,
					       block);

	if (start >= vram->visible_size)
		return 0;
	return min(end, vram->visible_size) - start;
}

static void drm_svm_vram_account(struct drm_svm_vram *vram,
				 struct list_head *blocks, bool add)
{
	struct gpu_buddy_block *block;

	lockdep_assert_held(&vram->lock);

	list_for_each_entry(block, blocks, link) {
		u64 size = gpu_buddy_block_size(&vram->mm, block);
		u64 vis = drm_svm_vram_visible_part(vram, block);

		if (add) {
			vram->used += size;
			vram->visible_used += vis;
		} else {
			vram->used -= size;
			vram->visible_used -= vis;
		}
	}
}

/**
 * drm_svm_vram_init() - initialise a VRAM manager
 * @vram: the manager to initialise
 * @size: size of the device memory in bytes
 * @visible_size: size of the CPU-visible part, at most @size
 * @chunk_size: smallest allocation unit, a power of two of at least 4 KiB
 *
 * Return: 0 on success, -EINVAL for inconsistent sizes, -ENOMEM when the
 * allocator state cannot be allocated.
 */
int drm_svm_vram_init(struct drm_svm_vram *vram, u64 size, u64 visible_size,
		      u64 chunk_size)
{
	int ret;

	if (!size || visible_size > size || chunk_size < SZ_4K ||
	    !is_power_of_2(chunk_size) || !IS_ALIGNED(size, chunk_size))
		return -EINVAL;

	ret = gpu_buddy_init(&vram->mm, size, chunk_size);
	if (ret)
		return ret;

	mutex_init(&vram->lock);
	vram->size = size;
	vram->visible_size = visible_size;
	vram->chunk_size = chunk_size;
	vram->used = 0;
	vram->visible_used = 0;
	INIT_LIST_HEAD(&vram->evictors);
	atomic64_set(&vram->lru_clock, 0);
	atomic64_set(&vram->evictions, 0);
	return 0;
}
EXPORT_SYMBOL_GPL(drm_svm_vram_init);

/**
 * drm_svm_vram_fini() - tear down a VRAM manager
 * @vram: the manager
 *
 * Every allocation must have been freed; leftovers are reported with a
 * warning (and leaked rather than handed out again).
 */
void drm_svm_vram_fini(struct drm_svm_vram *vram)
{
	WARN(vram->used, "drm_svm: %llu bytes of VRAM still allocated\n",
	     vram->used);
	WARN_ON(!list_empty(&vram->evictors));
	gpu_buddy_fini(&vram->mm);
	mutex_destroy(&vram->lock);
}
EXPORT_SYMBOL_GPL(drm_svm_vram_fini);

/**
 * drm_svm_vram_alloc() - allocate device memory
 * @vram: the manager
 * @size: bytes to allocate, a multiple of the chunk size
 * @min_page_size: smallest block to use (0: the chunk size), a power of two
 * @flags: %DRM_SVM_VRAM_VISIBLE, %DRM_SVM_VRAM_CONTIGUOUS,
 *	%DRM_SVM_VRAM_TOPDOWN
 * @blocks: an empty list that receives the blocks on success
 *
 * Return: 0 on success; -EINVAL for unknown flags or a size that is zero,
 * unaligned or larger than the memory; -ENOSPC when there is not enough
 * free memory of the requested kind; -ENOMEM when bookkeeping fails.
 */
int drm_svm_vram_alloc(struct drm_svm_vram *vram, u64 size, u64 min_page_size,
		       unsigned int flags, struct list_head *blocks)
{
	unsigned long bflags = 0;
	u64 end = vram->size;
	int ret;

	if (flags & ~DRM_SVM_VRAM_FLAGS)
		return -EINVAL;
	if (!min_page_size)
		min_page_size = vram->chunk_size;
	if (!size || size > vram->size || !IS_ALIGNED(size, vram->chunk_size) ||
	    !is_power_of_2(min_page_size) || min_page_size < vram->chunk_size)
		return -EINVAL;

	if (flags & DRM_SVM_VRAM_VISIBLE) {
		if (size > vram->visible_size)
			return -ENOSPC;
		end = vram->visible_size;
		bflags |= GPU_BUDDY_RANGE_ALLOCATION;
	} else if (flags & DRM_SVM_VRAM_TOPDOWN) {
		bflags |= GPU_BUDDY_TOPDOWN_ALLOCATION;
	}
	if (flags & DRM_SVM_VRAM_CONTIGUOUS)
		bflags |= GPU_BUDDY_CONTIGUOUS_ALLOCATION;

	mutex_lock(&vram->lock);
	if (size > vram->mm.avail) {
		ret = -ENOSPC;
		goto out_unlock;
	}
	ret = gpu_buddy_alloc_blocks(&vram->mm, 0, end, size, min_page_size,
				     blocks, bflags);
	if (ret)
		goto out_unlock;
	drm_svm_vram_account(vram, blocks, true);
out_unlock:
	mutex_unlock(&vram->lock);
	return ret;
}
EXPORT_SYMBOL_GPL(drm_svm_vram_alloc);

/**
 * drm_svm_vram_alloc_evict() - allocate device memory, evicting if full
 * @vram: the manager
 * @size: bytes to allocate, a multiple of the chunk size
 * @min_page_size: smallest block to use (0: the chunk size), a power of two
 * @flags: as for drm_svm_vram_alloc()
 * @blocks: an empty list that receives the blocks on success
 * @ctx: the requester's context, passed to the evictors (the allocating GEM
 *	object, whose own chunks are not evicted; NULL for SVM)
 *
 * Like drm_svm_vram_alloc(), but while the pool is full the least recently
 * used evictable allocation of any registered user is evicted and the
 * allocation retried. See "VRAM eviction" for the locks the caller may
 * hold.
 *
 * Victims that are busy at the moment (&drm_svm_vram_evictor_ops.evict
 * returns -EBUSY) are skipped, at most %DRM_SVM_VRAM_EVICT_BUSY_MAX times
 * per call, with a pause of about a millisecond after each: an allocation
 * never spins on memory that its holder cannot release while the allocator
 * waits (two allocations that each hold what the other would evict fail
 * with -ENOSPC instead of spinning forever).
 *
 * Return: 0 on success; -ENOSPC when the request does not fit even with
 * everything evictable evicted (or what is left is busy); -EINTR on a fatal
 * signal; -EINVAL, -ENOMEM or an evictor's error.
 */
int drm_svm_vram_alloc_evict(struct drm_svm_vram *vram, u64 size,
			     u64 min_page_size, unsigned int flags,
			     struct list_head *blocks, void *ctx)
{
	unsigned int busy = 0;
	int ret;

	might_sleep();
	for (;;) {
		ret = drm_svm_vram_alloc(vram, size, min_page_size, flags,
					 blocks);
		if (ret != -ENOSPC)
			return ret;
		ret = drm_svm_vram_evict(vram, flags & DRM_SVM_VRAM_VISIBLE,
					 ctx);
		/*
		 * Contended victims went to the back: try the next ones, and
		 * give their holders a moment (a munmap, a fault) first.
		 */
		if (ret == -EBUSY) {
			ret = ++busy < DRM_SVM_VRAM_EVICT_BUSY_MAX ? 0 : -ENOSPC;
			if (!ret)
				usleep_range(500, 1000);
		}
		if (!ret && fatal_signal_pending(current))
			ret = -EINTR;
		if (ret)
			return ret;
		cond_resched();
	}
}
EXPORT_SYMBOL_GPL(drm_svm_vram_alloc_evict);

/**
 * drm_svm_vram_evictor_add() - register a user that can evict its VRAM
 * @vram: the manager
 * @ev: the evictor, embedded in the user's state
 * @ops: its callbacks
 *
 * Call before the user's first allocation.
 */
void drm_svm_vram_evictor_add(struct drm_svm_vram *vram,
			      struct drm_svm_vram_evictor *ev,
			      const struct drm_svm_vram_evictor_ops *ops)
{
	ev->ops = ops;
	mutex_lock(&vram->lock);
	list_add_tail(&ev->link, &vram->evictors);
	mutex_unlock(&vram->lock);
}
EXPORT_SYMBOL_GPL(drm_svm_vram_evictor_add);

/**
 * drm_svm_vram_evictor_remove() - unregister an evictor
 * @vram: the manager
 * @ev: the evictor
 *
 * Call once the user holds no VRAM and no allocation of any user of @vram
 * can run any more (device teardown).
 */
void drm_svm_vram_evictor_remove(struct drm_svm_vram *vram,
				 struct drm_svm_vram_evictor *ev)
{
	mutex_lock(&vram->lock);
	list_del_init(&ev->link);
	mutex_unlock(&vram->lock);
}
EXPORT_SYMBOL_GPL(drm_svm_vram_evictor_remove);

/**
 * drm_svm_vram_evict() - evict the least recently used allocation
 * @vram: the manager
 * @visible: the caller needs CPU-visible VRAM
 * @ctx: the requester's context (see drm_svm_vram_alloc_evict())
 *
 * Picks, among all registered evictors, the one whose oldest evictable
 * allocation has the smallest LRU stamp, and lets it evict.
 *
 * Return: 0 after progress, -EBUSY when the victim was busy (it moved to
 * the back of its LRU), -ENOSPC when nothing is evictable, or the
 * evictor's error.
 */
int drm_svm_vram_evict(struct drm_svm_vram *vram, bool visible, void *ctx)
{
	struct drm_svm_vram_evictor *ev, *victim = NULL;
	u64 best = U64_MAX;

	mutex_lock(&vram->lock);
	list_for_each_entry(ev, &vram->evictors, link) {
		u64 stamp = ev->ops->oldest(ev, visible, ctx);

		if (stamp < best) {
			best = stamp;
			victim = ev;
		}
	}
	mutex_unlock(&vram->lock);
	if (!victim)
		return -ENOSPC;
	atomic64_inc(&vram->evictions);
	return victim->ops->evict(victim, visible, ctx);
}
EXPORT_SYMBOL_GPL(drm_svm_vram_evict);

/**
 * drm_svm_vram_lru_stamp() - a new LRU stamp
 * @vram: the manager
 *
 * Users stamp an allocation with this whenever it is used, so that stamps
 * of different users compare by age.
 *
 * Return: a stamp larger than all earlier ones.
 */
u64 drm_svm_vram_lru_stamp(struct drm_svm_vram *vram)
{
	return atomic64_inc_return(&vram->lru_clock);
}
EXPORT_SYMBOL_GPL(drm_svm_vram_lru_stamp);

/**
 * drm_svm_vram_free() - return device memory
 * @vram: the manager
 * @blocks: blocks from drm_svm_vram_alloc(); the list is emptied
 */
void drm_svm_vram_free(struct drm_svm_vram *vram, struct list_head *blocks)
{
	mutex_lock(&vram->lock);
	drm_svm_vram_account(vram, blocks, false);
	gpu_buddy_free_list(&vram->mm, blocks, 0);
	mutex_unlock(&vram->lock);
}
EXPORT_SYMBOL_GPL(drm_svm_vram_free);

/**
 * drm_svm_vram_used() - bytes of VRAM allocated now
 * @vram: the manager
 *
 * Return: the number of bytes handed out and not yet freed.
 */
u64 drm_svm_vram_used(struct drm_svm_vram *vram)
{
	u64 used;

	mutex_lock(&vram->lock);
	used = vram->used;
	mutex_unlock(&vram->lock);
	return used;
}
EXPORT_SYMBOL_GPL(drm_svm_vram_used);

/**
 * drm_svm_vram_visible_used() - bytes of CPU-visible VRAM allocated now
 * @vram: the manager
 *
 * Return: the number of allocated bytes that lie inside the BAR aperture.
 */
u64 drm_svm_vram_visible_used(struct drm_svm_vram *vram)
{
	u64 used;

	mutex_lock(&vram->lock);
	used = vram->visible_used;
	mutex_unlock(&vram->lock);
	return used;
}
EXPORT_SYMBOL_GPL(drm_svm_vram_visible_used);

/**
 * drm_svm_vram_print() - print usage of a VRAM manager
 * @vram: the manager
 * @p: where to print (debugfs, dmesg)
 */
void drm_svm_vram_print(struct drm_svm_vram *vram, struct drm_printer *p)
{
	mutex_lock(&vram->lock);
	drm_printf(p, "vram size: %llu\n", vram->size);
	drm_printf(p, "vram visible size: %llu\n", vram->visible_size);
	drm_printf(p, "vram chunk size: %llu\n", vram->chunk_size);
	drm_printf(p, "vram used: %llu\n", vram->used);
	drm_printf(p, "vram visible used: %llu\n", vram->visible_used);
	drm_printf(p, "vram free: %llu\n", vram->mm.avail);
	drm_printf(p, "vram evictions: %lld\n",
		   atomic64_read(&vram->evictions));
	mutex_unlock(&vram->lock);
}
EXPORT_SYMBOL_GPL(drm_svm_vram_print);
