// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright © 2026 The drm-svm authors
 */

#include <linux/bitfield.h>
#include <linux/dma-fence.h>
#include <linux/hmm.h>
#include <linux/highmem.h>
#include <linux/maple_tree.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/rmap.h>
#include <linux/seq_file.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>

#include <drm/drm_debugfs.h>
#include <drm/drm_file.h>
#include <drm/drm_syncobj.h>
#include <drm/drm_svm_mirror.h>
#include <drm/vsvm_drm.h>

#include "vsvm_drv.h"

/**
 * DOC: vsvm shared virtual memory
 *
 * Each file gets, on its first SVM ioctl, a &struct drm_svm_mirror of the
 * caller's address space and a device page table. Device accesses look
 * pages up in that table and fault missing ones in through the mirror;
 * invalidations clear entries. Table lookups and the data copies they lead
 * to happen under the mirror lock, so a page cannot be freed while the
 * device touches it.
 */

/**
 * DOC: vsvm device page table
 *
 * The table has two levels, like a CPU page table: an xarray indexed by
 * 2 MiB slot (virtual address >> %VSVM_PT_BLOCK_SHIFT) holds one
 * &struct vsvm_pt_block per slot ever mirrored, an array of 512 entries,
 * each a struct page pointer ORed with VSVM_PT_* bits (0: no entry). A
 * fault writes the entries of a whole range with plain stores from the
 * pfn array hmm_range_fault() returned; a 2 MiB range backed by a
 * PMD-mapped folio (hmm_pfn_to_map_order()) is written in one pass without
 * per-page checks. A lookup is one xarray load and an array index; an
 * invalidation clears a span of entries in place.
 *
 * Blocks are allocated before the mirror lock is taken (the lock may be
 * the notifier's, where no reclaim is allowed), are never freed while the
 * context lives, and go away with it: 4 KiB per 2 MiB of address space the
 * device ever touched. Entries are written and cleared under
 * &drm_svm_mirror.lock; lookups hold it too.
 */

/**
 * DOC: vsvm fault policy
 *
 * vsvm_svm_fault() resolves a device fault one helper range at a time
 * (drm_svm_range_obtain(): 2 MiB, 64 KiB or 4 KiB chunks that never cross
 * an attribute boundary), so one fault maps a whole range. Before mapping,
 * the range's attributes decide where the data goes:
 *
 * - accessed-by, or read-mostly for a read: map in place, never migrate;
 * - preferred location device: migrate into VRAM
 *   (drm_svm_pagemap_migrate()),
 *   unless the thrash guard holds the range; a migration that moved pages
 *   is accounted with drm_svm_range_account_migration();
 * - preferred location system: bring pages in VRAM back first;
 * - default: map in place (pages in VRAM stay there, mapped directly).
 *
 * Atomic faults: pages in this device's VRAM are mapped with
 * %VSVM_PT_ATOMIC. For the others the atomic policy either migrates the
 * range into VRAM or converts the CPU PTEs to device-exclusive entries
 * (drm_svm_mirror_make_exclusive()), which the CPU turns back by touching
 * the page: the invalidation then zaps the device entry, and the CPU sees
 * the device's writes since the page never moved.
 *
 * Locking: attribute updates are serialised by &vsvm_svm.attrs_lock; the
 * maple tree has its own lock for lookups. Migration runs without the
 * mirror lock (it takes the mmap lock and raises invalidations).
 */

static unsigned int svm_thrash_count = 4;
module_param(svm_thrash_count, uint, 0644);
MODULE_PARM_DESC(svm_thrash_count,
		 "SVM thrash guard: migrations of a range allowed per window (default 4)");
static unsigned int svm_thrash_window_ms = 2000;
module_param(svm_thrash_window_ms, uint, 0644);
MODULE_PARM_DESC(svm_thrash_window_ms,
		 "SVM thrash guard: window in ms (default 2000)");
static unsigned int svm_thrash_hold_ms = 2000;
module_param(svm_thrash_hold_ms, uint, 0644);
MODULE_PARM_DESC(svm_thrash_hold_ms,
		 "SVM thrash guard: how long a thrashing range stays put, ms (default 2000)");

#define VSVM_PT_BLOCK_SHIFT	21
#define VSVM_PT_BLOCK_SIZE	BIT(VSVM_PT_BLOCK_SHIFT)
#define VSVM_PT_PER_BLOCK	(VSVM_PT_BLOCK_SIZE >> PAGE_SHIFT)
#define VSVM_PT_BITS		(VSVM_PT_WRITE | VSVM_PT_ATOMIC)

/**
 * struct vsvm_pt_block - device page-table entries of one 2 MiB slot
 */
struct vsvm_pt_block {
	/** @pte: struct page pointer | VSVM_PT_* bits, or 0. */
	unsigned long pte[VSVM_PT_PER_BLOCK];
};

static_assert(VSVM_PT_BLOCK_SHIFT - PAGE_SHIFT == PMD_SHIFT - PAGE_SHIFT);

static struct vsvm_pt_block *vsvm_pt_block(struct vsvm_svm *svm,
					   unsigned long addr)
{
	return xa_load(&svm->pt, addr >> VSVM_PT_BLOCK_SHIFT);
}

static unsigned int vsvm_pt_index(unsigned long addr)
{
	return (addr >> PAGE_SHIFT) & (VSVM_PT_PER_BLOCK - 1);
}

/*
 * Make sure the blocks of [@start, @end) exist, before the mirror lock is
 * taken. With @gfp lacking __GFP_DIRECT_RECLAIM this may be called under it.
 */
static int vsvm_pt_prepare(struct vsvm_svm *svm, unsigned long start,
			   unsigned long end, gfp_t gfp)
{
	unsigned long slot;

	for (slot = start >> VSVM_PT_BLOCK_SHIFT;
	     slot <= (end - 1) >> VSVM_PT_BLOCK_SHIFT; slot++) {
		struct vsvm_pt_block *b;
		int ret;

		if (xa_load(&svm->pt, slot))
			continue;
		b = kzalloc_obj(*b, gfp);
		if (!b)
			return -ENOMEM;
		ret = xa_insert(&svm->pt, slot, b, gfp);
		if (ret) {
			kfree(b);
			if (ret != -EBUSY)
				return ret;
		}
	}
	return 0;
}

/* Free every block: the context is going away. */
static void vsvm_pt_fini(struct vsvm_svm *svm)
{
	struct vsvm_pt_block *b;
	unsigned long slot;

	xa_for_each(&svm->pt, slot, b)
		kfree(b);
	xa_destroy(&svm->pt);
}

static void vsvm_svm_invalidate(struct drm_svm_mirror *mirror,
				unsigned long start, unsigned long end)
{
	struct vsvm_svm *svm = container_of(mirror, struct vsvm_svm, mirror);
	struct vsvm_pt_block *b;
	unsigned long slot;

	lockdep_assert_held(&mirror->lock);
	/*
	 * Only the blocks that exist: the span may be the whole address space
	 * (an madvise), the blocks are what the process had mirrored.
	 */
	xa_for_each_range(&svm->pt, slot, b, start >> VSVM_PT_BLOCK_SHIFT,
			  (end - 1) >> VSVM_PT_BLOCK_SHIFT) {
		unsigned long lo = max(start, slot << VSVM_PT_BLOCK_SHIFT);
		unsigned long hi = min(end, (slot + 1) << VSVM_PT_BLOCK_SHIFT);

		memset(&b->pte[vsvm_pt_index(lo)], 0,
		       ((hi - lo) >> PAGE_SHIFT) * sizeof(b->pte[0]));
	}
}

static const struct drm_svm_mirror_ops vsvm_mirror_ops = {
	.invalidate = vsvm_svm_invalidate,
};

/**
 * vsvm_file_open() - &drm_driver.open of vsvm
 * @drm: the device
 * @file: the new client
 *
 * Return: 0 or -ENOMEM.
 */
int vsvm_file_open(struct drm_device *drm, struct drm_file *file)
{
	struct vsvm_device *vdev = to_vsvm(drm);
	struct vsvm_file *vfile = kzalloc_obj(*vfile, GFP_KERNEL_ACCOUNT);

	if (!vfile)
		return -ENOMEM;
	mutex_init(&vfile->lock);
	vfile->pid = task_tgid_nr(current);
	file->driver_priv = vfile;
	mutex_lock(&vdev->files_lock);
	list_add_tail(&vfile->link, &vdev->files);
	mutex_unlock(&vdev->files_lock);
	return 0;
}

/**
 * vsvm_file_postclose() - &drm_driver.postclose of vsvm
 * @drm: the device
 * @file: the client going away
 */
void vsvm_file_postclose(struct drm_device *drm, struct drm_file *file)
{
	struct vsvm_device *vdev = to_vsvm(drm);
	struct vsvm_file *vfile = file->driver_priv;

	mutex_lock(&vdev->files_lock);
	list_del(&vfile->link);
	mutex_unlock(&vdev->files_lock);

	if (vfile->svm) {
		/*
		 * Waits for the prefetch in flight (it holds the mm, not us);
		 * the queued ones are skipped: a client can queue many.
		 */
		WRITE_ONCE(vfile->svm->closing, true);
		destroy_workqueue(vfile->svm->prefetch_wq);
		drm_svm_mirror_fini(&vfile->svm->mirror);
		vsvm_pt_fini(vfile->svm);
		mtree_destroy(&vfile->svm->attrs);
		mutex_destroy(&vfile->svm->attrs_lock);
		kfree(vfile->svm);
	}
	mutex_destroy(&vfile->lock);
	kfree(vfile);
}

/**
 * vsvm_svm_get() - the file's SVM context
 * @drm: the device
 * @file: the client
 *
 * Created for the caller's address space on first use; the context lives
 * until the file is closed.
 *
 * Return: the context, ERR_PTR(-EINVAL) when called from another address
 * space than the one the context mirrors, or ERR_PTR(-ENOMEM).
 */
struct vsvm_svm *vsvm_svm_get(struct drm_device *drm, struct drm_file *file)
{
	struct vsvm_file *vfile = file->driver_priv;
	struct vsvm_svm *svm;
	int ret;

	mutex_lock(&vfile->lock);
	svm = vfile->svm;
	if (svm) {
		if (svm->mirror.mm != current->mm)
			svm = ERR_PTR(-EINVAL);
		goto out;
	}
	svm = kzalloc_obj(*svm, GFP_KERNEL_ACCOUNT);
	if (!svm) {
		svm = ERR_PTR(-ENOMEM);
		goto out;
	}
	svm->prefetch_wq = alloc_ordered_workqueue("vsvm-prefetch", 0);
	if (!svm->prefetch_wq) {
		kfree(svm);
		svm = ERR_PTR(-ENOMEM);
		goto out;
	}
	xa_init(&svm->pt);
	svm->vdev = to_vsvm(drm);
	mt_init(&svm->attrs);
	mutex_init(&svm->attrs_lock);
	spin_lock_init(&svm->prefetch_lock);
	svm->prefetch_context = dma_fence_context_alloc(1);
	ret = drm_svm_mirror_init(&svm->mirror, current->mm, &vsvm_mirror_ops,
				  vsvm_devmem_owner());
	if (ret) {
		destroy_workqueue(svm->prefetch_wq);
		mutex_destroy(&svm->attrs_lock);
		kfree(svm);
		svm = ERR_PTR(ret);
		goto out;
	}
	/* The thrash guard's knobs are read when the context is created. */
	svm->mirror.thrash_count = READ_ONCE(svm_thrash_count);
	svm->mirror.thrash_window_ms = READ_ONCE(svm_thrash_window_ms);
	svm->mirror.thrash_hold_ms = READ_ONCE(svm_thrash_hold_ms);
	vfile->svm = svm;
out:
	mutex_unlock(&vfile->lock);
	return svm;
}

struct vsvm_svm_update {
	unsigned long not_vram;	/* pages not in this device's VRAM */
	bool read_only;		/* map without VSVM_PT_WRITE */
	int error;
};

/* Is @page in this device's own VRAM (not a peer's, not system memory)? */
static bool vsvm_svm_page_local(struct vsvm_svm *svm, struct page *page)
{
	return drm_svm_pagemap_is_local(&svm->vdev->devmem, page);
}

/* The entry for a page hmm_range_fault() returned; counts non-VRAM pages. */
static unsigned long vsvm_svm_pte(struct vsvm_svm *svm, unsigned long pfn,
				  struct vsvm_svm_update *u, unsigned int n)
{
	struct page *page = hmm_pfn_to_page(pfn);
	unsigned long tag = 0;

	if ((pfn & HMM_PFN_WRITE) && !u->read_only)
		tag = VSVM_PT_WRITE;
	if (vsvm_svm_page_local(svm, page))
		tag |= tag ? VSVM_PT_ATOMIC : 0;
	else
		u->not_vram += n;
	return (unsigned long)page | tag;
}

/*
 * Write the entries [@i, @i + @n) of one block from @pfns. A PMD-sized folio
 * covering the whole block is written without per-page checks.
 */
static void vsvm_svm_update_block(struct vsvm_svm *svm,
				  struct vsvm_pt_block *b, unsigned int i,
				  const unsigned long *pfns, unsigned int n,
				  struct vsvm_svm_update *u)
{
	unsigned long pte;
	unsigned int k;

	if (n == VSVM_PT_PER_BLOCK && (pfns[0] & HMM_PFN_VALID) &&
	    hmm_pfn_to_map_order(pfns[0]) == VSVM_PT_BLOCK_SHIFT - PAGE_SHIFT) {
		/* One folio: its struct pages are contiguous (vmemmap). */
		pte = vsvm_svm_pte(svm, pfns[0], u, n);
		for (k = 0; k < n; k++)
			b->pte[k] = pte + k * sizeof(struct page);
		return;
	}
	for (k = 0; k < n; k++) {
		if (!(pfns[k] & HMM_PFN_VALID)) {
			u->error = -EFAULT;
			return;
		}
		b->pte[i + k] = vsvm_svm_pte(svm, pfns[k], u, 1);
	}
}

static void vsvm_svm_update(struct drm_svm_mirror *mirror, unsigned long start,
			    const unsigned long *pfns, unsigned long npages,
			    void *arg)
{
	struct vsvm_svm *svm = container_of(mirror, struct vsvm_svm, mirror);
	unsigned long end = start + (npages << PAGE_SHIFT), addr, next;
	struct vsvm_svm_update *u = arg;
	struct drm_svm_range *r;

	/* Normally done already, outside the lock; no reclaim under it. */
	if (vsvm_pt_prepare(svm, start, end, GFP_NOWAIT | __GFP_NOWARN)) {
		u->error = -ENOMEM;
		return;
	}
	for (addr = start; addr < end && !u->error; addr = next) {
		next = min(ALIGN_DOWN(addr, VSVM_PT_BLOCK_SIZE) +
			   VSVM_PT_BLOCK_SIZE, end);
		vsvm_svm_update_block(svm, vsvm_pt_block(svm, addr),
				      vsvm_pt_index(addr),
				      pfns + ((addr - start) >> PAGE_SHIFT),
				      (next - addr) >> PAGE_SHIFT, u);
	}
	r = drm_svm_range_find(mirror, start);
	if (!r || u->error || drm_svm_range_start(r) != start ||
	    drm_svm_range_end(r) != end)
		return;
	r->flags |= DRM_SVM_RANGE_DEVICE_MAPPED;
	if (u->not_vram)
		r->flags &= ~DRM_SVM_RANGE_DEVMEM;
	else
		r->flags |= DRM_SVM_RANGE_DEVMEM;
}

static struct vsvm_device *svm_vdev(struct vsvm_svm *svm)
{
	return svm->vdev;
}

/* Attribute bits stored in &vsvm_svm.attrs */
#define VSVM_ATTR_LOC		GENMASK(1, 0)
#define VSVM_ATTR_ACCESSED_BY	BIT(2)
#define VSVM_ATTR_READ_MOSTLY	BIT(3)
#define VSVM_ATTR_ATOMIC	GENMASK(5, 4)

/* The attributes at @addr and the extent [@lo, @hi) they hold over. */
static unsigned long vsvm_svm_attr(struct vsvm_svm *svm, unsigned long addr,
				   unsigned long *lo, unsigned long *hi)
{
	MA_STATE(mas, &svm->attrs, addr, addr);
	void *entry;

	mtree_lock(&svm->attrs);
	entry = mas_walk(&mas);
	*lo = mas.index;
	*hi = mas.last >= TASK_SIZE ? TASK_SIZE : mas.last + 1;
	mtree_unlock(&svm->attrs);
	return entry ? xa_to_value(entry) : 0;
}

enum vsvm_place { VSVM_IN_PLACE, VSVM_TO_DEVICE, VSVM_TO_SYSTEM };

static enum vsvm_place vsvm_svm_policy(unsigned long attr, unsigned int flags)
{
	unsigned int loc = FIELD_GET(VSVM_ATTR_LOC, attr);
	unsigned int atomic = FIELD_GET(VSVM_ATTR_ATOMIC, attr);

	if (flags & VSVM_FAULT_ATOMIC) {
		if (atomic == DRM_VSVM_SVM_ATOMIC_DEVICE ||
		    (atomic == DRM_VSVM_SVM_ATOMIC_DEFAULT &&
		     loc == DRM_VSVM_SVM_LOC_DEVICE))
			return VSVM_TO_DEVICE;
		return VSVM_IN_PLACE;
	}
	if (attr & VSVM_ATTR_ACCESSED_BY)
		return VSVM_IN_PLACE;
	if ((attr & VSVM_ATTR_READ_MOSTLY) && !(flags & VSVM_FAULT_WRITE))
		return VSVM_IN_PLACE;
	if (loc == DRM_VSVM_SVM_LOC_DEVICE)
		return VSVM_TO_DEVICE;
	if (loc == DRM_VSVM_SVM_LOC_SYSTEM)
		return VSVM_TO_SYSTEM;
	return VSVM_IN_PLACE;
}

/* Migrate [@start, @end) into VRAM unless the thrash guard holds it. */
static void vsvm_svm_migrate_range(struct vsvm_svm *svm, unsigned long start,
				   unsigned long end)
{
	struct drm_svm_mirror *mirror = &svm->mirror;
	struct drm_svm_range *r;
	bool held, devmem;
	u64 moved = 0;

	mutex_lock(&mirror->lock);
	r = drm_svm_range_find(mirror, start);
	held = r && drm_svm_range_thrashing(mirror, r);
	devmem = r && (r->flags & DRM_SVM_RANGE_DEVMEM);
	mutex_unlock(&mirror->lock);
	if (held || devmem)
		return;
	/* A VMA that cannot migrate or a full VRAM: map in place. */
	drm_svm_pagemap_migrate(&svm_vdev(svm)->devmem, mirror->mm, start, end,
				true, &moved);
	if (!moved)
		return;
	mutex_lock(&mirror->lock);
	r = drm_svm_range_find(mirror, start);
	if (r)
		drm_svm_range_account_migration(mirror, r);
	mutex_unlock(&mirror->lock);
}

static void vsvm_svm_update_atomic(struct drm_svm_mirror *mirror,
				   unsigned long start,
				   const unsigned long *pfns,
				   unsigned long npages, void *arg)
{
	struct vsvm_svm *svm = container_of(mirror, struct vsvm_svm, mirror);
	struct vsvm_svm_update *u = arg;
	unsigned long i, addr;

	if (vsvm_pt_prepare(svm, start, start + (npages << PAGE_SHIFT),
			    GFP_NOWAIT | __GFP_NOWARN)) {
		u->error = -ENOMEM;
		return;
	}
	for (i = 0, addr = start; i < npages; i++, addr += PAGE_SIZE)
		vsvm_pt_block(svm, addr)->pte[vsvm_pt_index(addr)] =
			(unsigned long)hmm_pfn_to_page(pfns[i]) | VSVM_PT_BITS;
}

/* Device-exclusive entries for the system pages of [@start, @end). */
static int vsvm_svm_exclusive_range(struct vsvm_svm *svm, unsigned long start,
				    unsigned long end)
{
	struct vsvm_svm_update u = { 0 };
	int ret;

	ret = drm_svm_mirror_make_exclusive(&svm->mirror, start, end,
					    vsvm_svm_update_atomic, &u);
	return ret ?: u.error;
}

/* Resolve the range holding @addr; *@next receives its end. */
static int vsvm_svm_fault_range(struct vsvm_svm *svm, unsigned long addr,
				unsigned int flags, unsigned long *next)
{
	struct vsvm_svm_update u = { 0 };
	unsigned long lo, hi, start, end, attr;
	enum vsvm_place place;
	u64 moved;
	int ret;

	attr = vsvm_svm_attr(svm, addr, &lo, &hi);
	ret = drm_svm_range_obtain(&svm->mirror, addr, lo, hi, &start, &end);
	if (ret)
		return ret;
	*next = end;
	/* Read-mostly reads map read-only: a write faults and may migrate. */
	u.read_only = (attr & VSVM_ATTR_READ_MOSTLY) &&
		!(flags & (VSVM_FAULT_WRITE | VSVM_FAULT_ATOMIC));
	place = vsvm_svm_policy(attr, flags);
	if (place == VSVM_TO_DEVICE)
		vsvm_svm_migrate_range(svm, start, end);
	else if (place == VSVM_TO_SYSTEM)
		drm_svm_pagemap_migrate(&svm_vdev(svm)->devmem, svm->mirror.mm,
					start, end, false, &moved);
	ret = vsvm_pt_prepare(svm, start, end, GFP_KERNEL_ACCOUNT);
	if (ret)
		return ret;
	ret = drm_svm_mirror_fault(&svm->mirror, start, end,
				   flags & (VSVM_FAULT_WRITE | VSVM_FAULT_ATOMIC),
				   false, vsvm_svm_update, &u);
	ret = ret ?: u.error;
	if (!ret && (flags & VSVM_FAULT_ATOMIC) && u.not_vram)
		ret = vsvm_svm_exclusive_range(svm, start, end);
	return ret;
}

/**
 * vsvm_svm_fault() - resolve a device fault
 * @svm: the SVM context
 * @start: page-aligned start address
 * @end: page-aligned end address (exclusive)
 * @flags: VSVM_FAULT_* (the kind of access that faulted)
 *
 * Makes device page-table entries for every range overlapping [@start,
 * @end) that allow the access in @flags, migrating per the attributes
 * first (see "vsvm fault policy"). The caller retries its lookup
 * afterwards: an invalidation may zap the new entries again at any time
 * (vsvm_svm_lookup() then misses once more).
 *
 * Return: 0, -EFAULT (hole or PROT_NONE), -EPERM (write or atomic access
 * to a read-only mapping), -EBUSY, -ENOMEM, -ESRCH (address space gone).
 */
int vsvm_svm_fault(struct vsvm_svm *svm, unsigned long start,
		   unsigned long end, unsigned int flags)
{
	unsigned long addr, next;
	int ret = 0;

	if (!mmget_not_zero(svm->mirror.mm))
		return -ESRCH;
	for (addr = start; addr < end && !ret; addr = next)
		ret = vsvm_svm_fault_range(svm, addr, flags, &next);
	mmput(svm->mirror.mm);
	return ret;
}

/**
 * vsvm_svm_lookup() - the device's view of one page
 * @svm: the SVM context
 * @addr: a process address
 * @need: VSVM_PT_* bits the access needs (0 for a read)
 *
 * Called with &drm_svm_mirror.lock of @svm held; the page stays valid
 * until that lock is dropped.
 *
 * Return: the page holding the data (the VRAM store page for device-private
 * pages), or NULL when the device has no entry with the @need bits: a
 * device fault.
 */
struct page *vsvm_svm_lookup(struct vsvm_svm *svm, unsigned long addr,
			     unsigned int need)
{
	struct vsvm_pt_block *b = vsvm_pt_block(svm, addr);
	struct page *page;
	unsigned long pte;

	lockdep_assert_held(&svm->mirror.lock);
	pte = b ? b->pte[vsvm_pt_index(addr)] : 0;
	if (!pte || (pte & need) != need)
		return NULL;
	page = (struct page *)(pte & ~VSVM_PT_BITS);
	/* Our device-private pages keep their data in the VRAM store. */
	if (is_device_private_page(page))
		page = drm_svm_page_vram_page(page);
	return page;
}

static void vsvm_svm_page_op(struct page *page, u8 *buf, u32 op)
{
	void *vaddr = kmap_local_page(page);
	u32 *v = vaddr;
	unsigned int i;

	switch (op) {
	case DRM_VSVM_SVM_READ:
		memcpy(buf, vaddr, PAGE_SIZE);
		break;
	case DRM_VSVM_SVM_WRITE:
		memcpy(vaddr, buf, PAGE_SIZE);
		break;
	case DRM_VSVM_SVM_ATOMIC_INC:
		/* The CPU cannot touch the page while the mirror lock is held. */
		for (i = 0; i < PAGE_SIZE / sizeof(*v); i++)
			v[i]++;
		break;
	}
	kunmap_local(vaddr);
}

static const unsigned int vsvm_svm_op_need[] = {
	[DRM_VSVM_SVM_READ] = 0,
	[DRM_VSVM_SVM_WRITE] = VSVM_PT_WRITE,
	[DRM_VSVM_SVM_ATOMIC_INC] = VSVM_PT_WRITE | VSVM_PT_ATOMIC,
};

/*
 * Run @op on the mirrored pages; -ENOENT if one is missing. Missing pages
 * are found before anything is done, so an atomic op is applied once.
 */
static int vsvm_svm_copy(struct vsvm_svm *svm, unsigned long addr, u8 *buf,
			 unsigned long size, u32 op)
{
	unsigned int need = vsvm_svm_op_need[op];
	unsigned long off;

	lockdep_assert_held(&svm->mirror.lock);
	for (off = 0; off < size; off += PAGE_SIZE)
		if (!vsvm_svm_lookup(svm, addr + off, need))
			return -ENOENT;
	for (off = 0; off < size; off += PAGE_SIZE)
		vsvm_svm_page_op(vsvm_svm_lookup(svm, addr + off, need),
				 buf ? buf + off : NULL, op);
	return 0;
}

#define VSVM_SVM_MAX_SIZE	BIT(30)
#define VSVM_SVM_MAX_TRIES	64

/**
 * vsvm_svm_access_ioctl() - DRM_IOCTL_VSVM_SVM_ACCESS
 * @drm: the device
 * @data: &struct drm_vsvm_svm_access
 * @file: the client
 *
 * A test-only ioctl (vsvm_test_ioctl_allowed()).
 *
 * Return: 0, -EINVAL, -EFAULT (hole, PROT_NONE, bad buffer), -EPERM (write
 * or atomic access to a read-only mapping; not allowed to use test-only
 * ioctls), -EBUSY, -ENOMEM.
 */
int vsvm_svm_access_ioctl(struct drm_device *drm, void *data,
			  struct drm_file *file)
{
	static const unsigned int fault_flags[] = {
		[DRM_VSVM_SVM_READ] = 0,
		[DRM_VSVM_SVM_WRITE] = VSVM_FAULT_WRITE,
		[DRM_VSVM_SVM_ATOMIC_INC] = VSVM_FAULT_WRITE | VSVM_FAULT_ATOMIC,
	};
	struct drm_vsvm_svm_access *args = data;
	bool atomic = args->op == DRM_VSVM_SVM_ATOMIC_INC;
	void __user *user = u64_to_user_ptr(args->data);
	struct vsvm_svm *svm;
	u8 *buf = NULL;
	int tries, ret;
	u64 end;

	if (!vsvm_test_ioctl_allowed())
		return -EPERM;
	if (args->flags || args->op > DRM_VSVM_SVM_ATOMIC_INC || !args->size ||
	    (atomic && args->data) ||
	    !PAGE_ALIGNED(args->addr) || !PAGE_ALIGNED(args->size) ||
	    args->size > VSVM_SVM_MAX_SIZE ||
	    check_add_overflow(args->addr, args->size, &end) ||
	    end > TASK_SIZE)
		return -EINVAL;
	svm = vsvm_svm_get(drm, file);
	if (IS_ERR(svm))
		return PTR_ERR(svm);

	if (!atomic) {
		buf = kvmalloc(args->size, GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
		if (!buf)
			return -ENOMEM;
	}
	if (args->op == DRM_VSVM_SVM_WRITE &&
	    copy_from_user(buf, user, args->size)) {
		ret = -EFAULT;
		goto out;
	}
	args->faults = 0;
	for (tries = 0; tries < VSVM_SVM_MAX_TRIES; tries++) {
		mutex_lock(&svm->mirror.lock);
		ret = vsvm_svm_copy(svm, args->addr, buf, args->size, args->op);
		mutex_unlock(&svm->mirror.lock);
		if (ret != -ENOENT)
			break;
		/* A device fault: mirror the range, then try again. */
		args->faults++;
		ret = vsvm_svm_fault(svm, args->addr, end,
				     fault_flags[args->op]);
		if (ret)
			break;
		ret = -EBUSY;
	}
	if (!ret && args->op == DRM_VSVM_SVM_READ &&
	    copy_to_user(user, buf, args->size))
		ret = -EFAULT;
out:
	kvfree(buf);
	return ret;
}

struct vsvm_svm_snap {
	u8 *out;
};

static void vsvm_svm_snapshot_fn(struct drm_svm_mirror *mirror,
				 unsigned long start, const unsigned long *pfns,
				 unsigned long npages, void *arg)
{
	struct vsvm_svm *svm = container_of(mirror, struct vsvm_svm, mirror);
	struct vsvm_svm_snap *snap = arg;
	unsigned long i;

	for (i = 0; i < npages; i++) {
		unsigned long pfn = pfns[i];
		u8 prot;

		if (pfn & HMM_PFN_ERROR) {
			prot = DRM_VSVM_SVM_PROT_ERROR;
		} else if (!(pfn & HMM_PFN_VALID)) {
			prot = DRM_VSVM_SVM_PROT_NONE;
		} else {
			struct page *page = hmm_pfn_to_page(pfn);

			prot = pfn & HMM_PFN_WRITE ? DRM_VSVM_SVM_PROT_WRITE :
				DRM_VSVM_SVM_PROT_READ;
			if (is_device_private_page(page))
				prot |= vsvm_svm_page_local(svm, page) ?
					DRM_VSVM_SVM_PROT_DEV_PRIVATE_LOCAL :
					DRM_VSVM_SVM_PROT_DEV_PRIVATE_REMOTE;
			if (hmm_pfn_to_map_order(pfn) == PMD_SHIFT - PAGE_SHIFT)
				prot |= DRM_VSVM_SVM_PROT_PMD;
			if (is_zero_pfn(page_to_pfn(page)))
				prot |= DRM_VSVM_SVM_PROT_ZERO;
		}
		snap->out[i] = prot;
	}
	snap->out += npages;
}

/**
 * vsvm_svm_snapshot_ioctl() - DRM_IOCTL_VSVM_SVM_SNAPSHOT
 * @drm: the device
 * @data: &struct drm_vsvm_svm_snapshot
 * @file: the client
 *
 * Return: 0, -EINVAL, -EFAULT, -EBUSY, -ENOMEM.
 */
int vsvm_svm_snapshot_ioctl(struct drm_device *drm, void *data,
			    struct drm_file *file)
{
	struct drm_vsvm_svm_snapshot *args = data;
	struct vsvm_svm_snap snap;
	struct vsvm_svm *svm;
	u64 size, end;
	u8 *buf;
	int ret;

	if (args->flags || args->pad || !args->npages ||
	    !PAGE_ALIGNED(args->addr) ||
	    args->npages > (VSVM_SVM_MAX_SIZE >> PAGE_SHIFT))
		return -EINVAL;
	size = args->npages << PAGE_SHIFT;
	if (check_add_overflow(args->addr, size, &end) || end > TASK_SIZE)
		return -EINVAL;
	svm = vsvm_svm_get(drm, file);
	if (IS_ERR(svm))
		return PTR_ERR(svm);
	buf = kvzalloc(args->npages, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	snap.out = buf;
	ret = drm_svm_mirror_fault(&svm->mirror, args->addr, end, false, true,
				   vsvm_svm_snapshot_fn, &snap);
	if (!ret && copy_to_user(u64_to_user_ptr(args->data), buf,
				 args->npages))
		ret = -EFAULT;
	kvfree(buf);
	return ret;
}

/**
 * vsvm_svm_migrate_ioctl() - DRM_IOCTL_VSVM_SVM_MIGRATE
 * @drm: the device
 * @data: &struct drm_vsvm_svm_migrate
 * @file: the client
 *
 * %DRM_VSVM_SVM_MIGRATE_EVICT_ALL evicts the device memory the caller's
 * address space put into VRAM; every client's with vsvm_test_ioctl_allowed().
 *
 * Return: 0, -EINVAL (bad arguments, holes, VMAs that cannot migrate),
 * -ENOMEM, -EBUSY (evict-all left pages behind), -EINTR.
 */
int vsvm_svm_migrate_ioctl(struct drm_device *drm, void *data,
			   struct drm_file *file)
{
	struct drm_vsvm_svm_migrate *args = data;
	struct vsvm_device *vdev = to_vsvm(drm);
	long left;
	u64 end;
	int ret;

	if (args->flags & ~DRM_VSVM_SVM_MIGRATE_EVICT_ALL || args->pad)
		return -EINVAL;
	if (args->flags & DRM_VSVM_SVM_MIGRATE_EVICT_ALL) {
		if (args->addr || args->size || args->target)
			return -EINVAL;
		args->moved = 0;
		left = drm_svm_pagemap_evict(&vdev->devmem,
					     vsvm_test_ioctl_allowed() ?
					     NULL : current->mm);
		return left < 0 ? left : left ? -EBUSY : 0;
	}
	if (args->target > DRM_VSVM_SVM_TARGET_DEVICE || !args->size ||
	    !PAGE_ALIGNED(args->addr) || !PAGE_ALIGNED(args->size) ||
	    check_add_overflow(args->addr, args->size, &end) ||
	    end > TASK_SIZE)
		return -EINVAL;
	if (!mmget_not_zero(current->mm))
		return -ESRCH;
	ret = drm_svm_pagemap_migrate(&vdev->devmem, current->mm, args->addr,
				      end,
				      args->target == DRM_VSVM_SVM_TARGET_DEVICE,
				      &args->moved);
	mmput(current->mm);
	return ret;
}

/* One line of vsvm_svm_clients: @svm's device PTEs, ranges and counters. */
static void vsvm_svm_client_show(struct seq_file *m, pid_t pid,
				 struct vsvm_svm *svm)
{
	unsigned long idx, mapped = 0, writable = 0, devpriv = 0;
	unsigned long ranges = 0, held = 0;
	struct drm_svm_range *r;
	struct vsvm_pt_block *b;
	unsigned int k;

	mutex_lock(&svm->mirror.lock);
	xa_for_each(&svm->pt, idx, b) {
		for (k = 0; k < VSVM_PT_PER_BLOCK; k++) {
			unsigned long e = b->pte[k];

			if (!e)
				continue;
			mapped++;
			writable += !!(e & VSVM_PT_WRITE);
			devpriv += is_device_private_page((struct page *)
							  (e & ~VSVM_PT_BITS));
		}
	}
	for (r = drm_svm_range_next(&svm->mirror, NULL, 0, ULONG_MAX); r;
	     r = drm_svm_range_next(&svm->mirror, r, 0, ULONG_MAX)) {
		ranges++;
		held += drm_svm_range_thrashing(&svm->mirror, r);
	}
	mutex_unlock(&svm->mirror.lock);
	seq_printf(m, "pid %d: mapped %lu writable %lu device %lu faults %lld invalidations %lld ranges %lu split %lld collected %lld thrash-blocked %lu\n",
		   pid, mapped, writable, devpriv,
		   atomic64_read(&svm->mirror.faults),
		   atomic64_read(&svm->mirror.invalidations), ranges,
		   atomic64_read(&svm->mirror.ranges_split),
		   atomic64_read(&svm->mirror.ranges_collected), held);
}

/**
 * vsvm_svm_clients_show() - debugfs "svm_clients": one line per SVM context
 * @m: the seq_file
 * @unused: unused
 *
 * Return: 0.
 */
int vsvm_svm_clients_show(struct seq_file *m, void *unused)
{
	struct drm_debugfs_entry *entry = m->private;
	struct vsvm_device *vdev = to_vsvm(entry->dev);
	struct vsvm_file *vfile;

	mutex_lock(&vdev->files_lock);
	list_for_each_entry(vfile, &vdev->files, link) {
		mutex_lock(&vfile->lock);
		if (vfile->svm)
			vsvm_svm_client_show(m, vfile->pid, vfile->svm);
		mutex_unlock(&vfile->lock);
	}
	mutex_unlock(&vdev->files_lock);
	return 0;
}

/* The span [@addr, @addr + @size): page-aligned, not empty, user space. */
static int vsvm_svm_span(u64 addr, u64 size, u64 *end)
{
	if (!size || !PAGE_ALIGNED(addr) || !PAGE_ALIGNED(size) ||
	    check_add_overflow(addr, size, end) || *end > TASK_SIZE)
		return -EINVAL;
	return 0;
}

/* Zap the device mappings of [@start, @end): the next access faults. */
static void vsvm_svm_zap(struct vsvm_svm *svm, unsigned long start,
			 unsigned long end)
{
	struct drm_svm_range *r;

	mutex_lock(&svm->mirror.lock);
	vsvm_svm_invalidate(&svm->mirror, start, end);
	for (r = drm_svm_range_next(&svm->mirror, NULL, start, end); r;
	     r = drm_svm_range_next(&svm->mirror, r, start, end))
		r->flags &= ~(DRM_SVM_RANGE_DEVICE_MAPPED |
			      DRM_SVM_RANGE_DEVMEM);
	mutex_unlock(&svm->mirror.lock);
}

static unsigned long vsvm_attr_set(unsigned long val, u32 attr, u32 value)
{
	switch (attr) {
	case DRM_VSVM_SVM_ATTR_PREFERRED_LOC:
		val &= ~VSVM_ATTR_LOC;
		return val | FIELD_PREP(VSVM_ATTR_LOC, value);
	case DRM_VSVM_SVM_ATTR_ACCESSED_BY:
		return value ? val | VSVM_ATTR_ACCESSED_BY :
			val & ~VSVM_ATTR_ACCESSED_BY;
	case DRM_VSVM_SVM_ATTR_READ_MOSTLY:
		return value ? val | VSVM_ATTR_READ_MOSTLY :
			val & ~VSVM_ATTR_READ_MOSTLY;
	default:
		val &= ~VSVM_ATTR_ATOMIC;
		return val | FIELD_PREP(VSVM_ATTR_ATOMIC, value);
	}
}

static const u32 vsvm_attr_max[] = {
	[DRM_VSVM_SVM_ATTR_PREFERRED_LOC] = DRM_VSVM_SVM_LOC_DEVICE,
	[DRM_VSVM_SVM_ATTR_ACCESSED_BY] = 1,
	[DRM_VSVM_SVM_ATTR_READ_MOSTLY] = 1,
	[DRM_VSVM_SVM_ATTR_ATOMIC] = DRM_VSVM_SVM_ATOMIC_EXCLUSIVE,
};

/* Store one attribute over [@start, @end), piece by piece. */
static int vsvm_svm_attr_store(struct vsvm_svm *svm, unsigned long start,
			       unsigned long end, u32 attr, u32 value)
{
	unsigned long addr, lo, hi, val, nval;
	int ret = 0;

	mutex_lock(&svm->attrs_lock);
	for (addr = start; addr < end && !ret; addr = hi) {
		val = vsvm_svm_attr(svm, addr, &lo, &hi);
		hi = min(hi, end);
		nval = vsvm_attr_set(val, attr, value);
		if (nval != val)
			ret = mtree_store_range(&svm->attrs, addr, hi - 1,
						nval ? xa_mk_value(nval) : NULL,
						GFP_KERNEL_ACCOUNT);
		/* as many pieces as the process made: yield between them */
		cond_resched();
	}
	mutex_unlock(&svm->attrs_lock);
	return ret;
}

/**
 * vsvm_svm_madvise_ioctl() - DRM_IOCTL_VSVM_SVM_MADVISE
 * @drm: the device
 * @data: &struct drm_vsvm_svm_madvise
 * @file: the client
 *
 * Stores the attribute, cuts the ranges at the span's edges (a range never
 * straddles an attribute boundary) and zaps the span's device mappings.
 *
 * Return: 0, -EINVAL, -ENOMEM.
 */
int vsvm_svm_madvise_ioctl(struct drm_device *drm, void *data,
			   struct drm_file *file)
{
	struct drm_vsvm_svm_madvise *args = data;
	struct vsvm_svm *svm;
	u64 end;
	int ret;

	if (args->flags || args->pad || vsvm_svm_span(args->addr, args->size,
						      &end) ||
	    args->attr >= ARRAY_SIZE(vsvm_attr_max) ||
	    args->value > vsvm_attr_max[args->attr])
		return -EINVAL;
	svm = vsvm_svm_get(drm, file);
	if (IS_ERR(svm))
		return PTR_ERR(svm);
	ret = vsvm_svm_attr_store(svm, args->addr, end, args->attr,
				  args->value);
	if (ret)
		return ret;
	ret = drm_svm_range_split(&svm->mirror, args->addr);
	if (!ret && end < TASK_SIZE)
		ret = drm_svm_range_split(&svm->mirror, end);
	vsvm_svm_zap(svm, args->addr, end);
	return ret;
}

/**
 * struct vsvm_prefetch - one asynchronous SVM migration
 */
struct vsvm_prefetch {
	/** @base: the fence; first, so the default release frees us. */
	struct dma_fence base;
	/** @work: runs the migration on &vsvm_svm.prefetch_wq. */
	struct work_struct work;
	/** @svm: the context (outlives the work: close drains the queue). */
	struct vsvm_svm *svm;
	/** @mm: the address space, mmget'ed until the work is done. */
	struct mm_struct *mm;
	/** @start: start of the span. */
	unsigned long start;
	/** @end: end of the span. */
	unsigned long end;
	/** @to_device: into VRAM, or back to system memory. */
	bool to_device;
	/** @moved: pages moved, valid once signalled. */
	u64 moved;
};

static const char *vsvm_prefetch_driver_name(struct dma_fence *f)
{
	return VSVM_DRIVER_NAME;
}

static const char *vsvm_prefetch_timeline_name(struct dma_fence *f)
{
	return "svm-prefetch";
}

static const struct dma_fence_ops vsvm_prefetch_fence_ops = {
	.get_driver_name = vsvm_prefetch_driver_name,
	.get_timeline_name = vsvm_prefetch_timeline_name,
};

static void vsvm_prefetch_work(struct work_struct *work)
{
	struct vsvm_prefetch *p = container_of(work, struct vsvm_prefetch,
					       work);
	int ret = -ECANCELED;

	if (!READ_ONCE(p->svm->closing))
		ret = drm_svm_pagemap_migrate(&svm_vdev(p->svm)->devmem, p->mm,
					      p->start, p->end, p->to_device,
					      &p->moved);
	mmput(p->mm);
	if (ret)
		dma_fence_set_error(&p->base, ret);
	dma_fence_signal(&p->base);
	dma_fence_put(&p->base);
}

/**
 * vsvm_svm_prefetch_ioctl() - DRM_IOCTL_VSVM_SVM_PREFETCH
 * @drm: the device
 * @data: &struct drm_vsvm_svm_prefetch
 * @file: the client
 *
 * Return: 0 once queued (or, with %DRM_VSVM_SVM_PREFETCH_SYNC, the
 * migration's result), -EINVAL, -ENOENT (syncobj), -ENOMEM, -ESRCH,
 * -ERESTARTSYS.
 */
int vsvm_svm_prefetch_ioctl(struct drm_device *drm, void *data,
			    struct drm_file *file)
{
	struct drm_vsvm_svm_prefetch *args = data;
	struct drm_syncobj *syncobj = NULL;
	struct vsvm_prefetch *p;
	struct vsvm_svm *svm;
	long ret = 0;
	u64 end;

	if (args->flags & ~DRM_VSVM_SVM_PREFETCH_SYNC || args->pad ||
	    args->target > DRM_VSVM_SVM_TARGET_DEVICE ||
	    vsvm_svm_span(args->addr, args->size, &end))
		return -EINVAL;
	svm = vsvm_svm_get(drm, file);
	if (IS_ERR(svm))
		return PTR_ERR(svm);
	if (args->out_syncobj) {
		syncobj = drm_syncobj_find(file, args->out_syncobj);
		if (!syncobj)
			return -ENOENT;
	}
	p = kzalloc_obj(*p, GFP_KERNEL_ACCOUNT);
	if (!p) {
		ret = -ENOMEM;
		goto out_syncobj;
	}
	if (!mmget_not_zero(svm->mirror.mm)) {
		kfree(p);
		ret = -ESRCH;
		goto out_syncobj;
	}
	p->svm = svm;
	p->mm = svm->mirror.mm;
	p->start = args->addr;
	p->end = end;
	p->to_device = args->target == DRM_VSVM_SVM_TARGET_DEVICE;
	INIT_WORK(&p->work, vsvm_prefetch_work);
	dma_fence_init(&p->base, &vsvm_prefetch_fence_ops, &svm->prefetch_lock,
		       svm->prefetch_context,
		       atomic64_inc_return(&svm->prefetch_seqno));
	/* The work's reference; ours is dropped below. */
	dma_fence_get(&p->base);
	if (syncobj)
		drm_syncobj_replace_fence(syncobj, &p->base);
	queue_work(svm->prefetch_wq, &p->work);
	args->moved = 0;
	if (args->flags & DRM_VSVM_SVM_PREFETCH_SYNC) {
		ret = dma_fence_wait(&p->base, true);
		if (!ret) {
			ret = p->base.error;
			args->moved = p->moved;
		}
	}
	dma_fence_put(&p->base);
out_syncobj:
	if (syncobj)
		drm_syncobj_put(syncobj);
	return ret;
}

struct vsvm_svm_count {
	unsigned long vram;
};

static void vsvm_svm_count_fn(struct drm_svm_mirror *mirror,
			      unsigned long start, const unsigned long *pfns,
			      unsigned long npages, void *arg)
{
	struct vsvm_svm *svm = container_of(mirror, struct vsvm_svm, mirror);
	struct vsvm_svm_count *c = arg;
	unsigned long i;

	for (i = 0; i < npages; i++) {
		struct page *page;

		if (!(pfns[i] & HMM_PFN_VALID))
			continue;
		page = hmm_pfn_to_page(pfns[i]);
		c->vram += vsvm_svm_page_local(svm, page);
	}
}

/* Attributes and residency of one listed range (no lock held). */
static void vsvm_svm_range_fill(struct vsvm_svm *svm,
				struct drm_vsvm_svm_range_info *info)
{
	struct vsvm_svm_count c = { 0 };
	unsigned long lo, hi, attr;

	attr = vsvm_svm_attr(svm, info->start, &lo, &hi);
	info->preferred_loc = FIELD_GET(VSVM_ATTR_LOC, attr);
	info->atomic = FIELD_GET(VSVM_ATTR_ATOMIC, attr);
	if (attr & VSVM_ATTR_ACCESSED_BY)
		info->flags |= DRM_VSVM_SVM_RANGE_ACCESSED_BY;
	if (attr & VSVM_ATTR_READ_MOSTLY)
		info->flags |= DRM_VSVM_SVM_RANGE_READ_MOSTLY;
	if (info->flags & DRM_VSVM_SVM_RANGE_UNMAPPED)
		return;
	if (drm_svm_mirror_fault(&svm->mirror, info->start, info->end, false,
				 true, vsvm_svm_count_fn, &c))
		return;
	info->vram_pages = c.vram;
	if (c.vram == (info->end - info->start) >> PAGE_SHIFT)
		info->flags |= DRM_VSVM_SVM_RANGE_VRAM;
}

#define VSVM_SVM_MAX_RANGES	65536

/**
 * vsvm_svm_ranges_ioctl() - DRM_IOCTL_VSVM_SVM_RANGES
 * @drm: the device
 * @data: &struct drm_vsvm_svm_ranges
 * @file: the client
 *
 * Return: 0, -EINVAL, -EFAULT, -ENOMEM.
 */
int vsvm_svm_ranges_ioctl(struct drm_device *drm, void *data,
			  struct drm_file *file)
{
	struct drm_vsvm_svm_ranges *args = data;
	struct drm_vsvm_svm_range_info *info = NULL;
	struct drm_svm_range *r;
	struct vsvm_svm *svm;
	u32 n = 0, total = 0, i;
	int ret = 0;
	u64 end;

	if (args->flags || args->count > VSVM_SVM_MAX_RANGES ||
	    vsvm_svm_span(args->addr, args->size, &end))
		return -EINVAL;
	svm = vsvm_svm_get(drm, file);
	if (IS_ERR(svm))
		return PTR_ERR(svm);
	if (args->count) {
		info = kvcalloc(args->count, sizeof(*info), GFP_KERNEL);
		if (!info)
			return -ENOMEM;
	}
	mutex_lock(&svm->mirror.lock);
	for (r = drm_svm_range_next(&svm->mirror, NULL, args->addr, end); r;
	     r = drm_svm_range_next(&svm->mirror, r, args->addr, end)) {
		total++;
		if (n == args->count)
			continue;
		info[n].start = drm_svm_range_start(r);
		info[n].end = drm_svm_range_end(r);
		info[n].chunk_size = r->chunk;
		info[n].migrations = r->migrations;
		if (r->flags & DRM_SVM_RANGE_DEVICE_MAPPED)
			info[n].flags |= DRM_VSVM_SVM_RANGE_DEVICE_MAPPED;
		if (r->flags & DRM_SVM_RANGE_UNMAPPED)
			info[n].flags |= DRM_VSVM_SVM_RANGE_UNMAPPED;
		if (drm_svm_range_thrashing(&svm->mirror, r))
			info[n].flags |= DRM_VSVM_SVM_RANGE_THRASH_BLOCKED;
		n++;
	}
	mutex_unlock(&svm->mirror.lock);
	for (i = 0; i < n; i++)
		vsvm_svm_range_fill(svm, &info[i]);
	if (n && copy_to_user(u64_to_user_ptr(args->ranges), info,
			      n * sizeof(*info)))
		ret = -EFAULT;
	args->count = total;
	kvfree(info);
	return ret;
}
