// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright © 2026 The drm-svm authors
 */

#include <linux/dma-fence.h>
#include <linux/hmm.h>
#include <linux/highmem.h>
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

/*
 * The thrash guard (see "SVM fault policy" in drm_svm_fault.c) is the
 * helper's; its knobs are the mirror's, set from these when a context is
 * created.
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

/* Is @page in this device's own VRAM (not a peer's, not system memory)? */
static bool vsvm_svm_page_local(struct vsvm_svm *svm, struct page *page)
{
	return drm_svm_pagemap_is_local(&svm->vdev->devmem, page);
}

/* The entry for a page the helper hands over, per DRM_SVM_UPDATE_* @flags. */
static unsigned long vsvm_svm_pte(struct vsvm_svm *svm, unsigned long pfn,
				  unsigned int flags)
{
	struct page *page = hmm_pfn_to_page(pfn);
	unsigned long tag = 0;

	if (flags & DRM_SVM_UPDATE_EXCLUSIVE)
		return (unsigned long)page | VSVM_PT_BITS;
	if ((pfn & HMM_PFN_WRITE) && !(flags & DRM_SVM_UPDATE_READ_ONLY))
		tag = VSVM_PT_WRITE;
	/* Atomics on other memory go through device-exclusive entries. */
	if (tag && vsvm_svm_page_local(svm, page))
		tag |= VSVM_PT_ATOMIC;
	return (unsigned long)page | tag;
}

/*
 * Write the entries [@i, @i + @n) of one block from @pfns. A PMD-sized folio
 * covering the whole block is written without per-page checks.
 */
static int vsvm_svm_update_block(struct vsvm_svm *svm, struct vsvm_pt_block *b,
				 unsigned int i, const unsigned long *pfns,
				 unsigned int n, unsigned int flags)
{
	unsigned long pte;
	unsigned int k;

	if (n == VSVM_PT_PER_BLOCK && (pfns[0] & HMM_PFN_VALID) &&
	    hmm_pfn_to_map_order(pfns[0]) == VSVM_PT_BLOCK_SHIFT - PAGE_SHIFT) {
		/* One folio: its struct pages are contiguous (vmemmap). */
		pte = vsvm_svm_pte(svm, pfns[0], flags);
		for (k = 0; k < n; k++)
			b->pte[k] = pte + k * sizeof(struct page);
		return 0;
	}
	for (k = 0; k < n; k++) {
		if (!(pfns[k] & HMM_PFN_VALID))
			return -EFAULT;
		b->pte[i + k] = vsvm_svm_pte(svm, pfns[k], flags);
	}
	return 0;
}

/* &drm_svm_policy_ops.update: write the device PTEs, mirror lock held. */
static int vsvm_svm_update(struct drm_svm_policy *policy, unsigned long start,
			   const unsigned long *pfns, unsigned long npages,
			   unsigned int flags)
{
	struct vsvm_svm *svm = container_of(policy, struct vsvm_svm, policy);
	unsigned long end = start + (npages << PAGE_SHIFT), addr, next;
	int ret = 0;

	/* Normally done already by vsvm_svm_prepare(); no reclaim here. */
	if (vsvm_pt_prepare(svm, start, end, GFP_NOWAIT | __GFP_NOWARN))
		return -ENOMEM;
	for (addr = start; addr < end && !ret; addr = next) {
		next = min(ALIGN_DOWN(addr, VSVM_PT_BLOCK_SIZE) +
			   VSVM_PT_BLOCK_SIZE, end);
		ret = vsvm_svm_update_block(svm, vsvm_pt_block(svm, addr),
					    vsvm_pt_index(addr),
					    pfns + ((addr - start) >> PAGE_SHIFT),
					    (next - addr) >> PAGE_SHIFT, flags);
	}
	return ret;
}

/* &drm_svm_policy_ops.prepare: the blocks of [@start, @end), may sleep. */
static int vsvm_svm_prepare(struct drm_svm_policy *policy, unsigned long start,
			    unsigned long end)
{
	struct vsvm_svm *svm = container_of(policy, struct vsvm_svm, policy);

	return vsvm_pt_prepare(svm, start, end, GFP_KERNEL_ACCOUNT);
}

static const struct drm_svm_policy_ops vsvm_policy_ops = {
	.prepare = vsvm_svm_prepare,
	.update = vsvm_svm_update,
};

static struct vsvm_device *svm_vdev(struct vsvm_svm *svm)
{
	return svm->vdev;
}

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
		drm_svm_policy_fini(&vfile->svm->policy);
		vsvm_pt_fini(vfile->svm);
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
	spin_lock_init(&svm->prefetch_lock);
	svm->prefetch_context = dma_fence_context_alloc(1);
	ret = drm_svm_mirror_init(&svm->mirror, current->mm, &vsvm_mirror_ops,
				  vsvm_devmem_owner());
	if (ret) {
		destroy_workqueue(svm->prefetch_wq);
		kfree(svm);
		svm = ERR_PTR(ret);
		goto out;
	}
	/* The thrash guard's knobs are read when the context is created. */
	svm->mirror.thrash_count = READ_ONCE(svm_thrash_count);
	svm->mirror.thrash_window_ms = READ_ONCE(svm_thrash_window_ms);
	svm->mirror.thrash_hold_ms = READ_ONCE(svm_thrash_hold_ms);
	/* Cannot fail: a mirror and an update callback are given. */
	drm_svm_policy_init(&svm->policy, &svm->mirror, &svm->vdev->devmem,
			    &vsvm_policy_ops);
	vfile->svm = svm;
out:
	mutex_unlock(&vfile->lock);
	return svm;
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

/* uAPI attribute -> the helper's; the values are the same (checked below). */
static const enum drm_svm_attr_kind vsvm_attr_kind[] = {
	[DRM_VSVM_SVM_ATTR_PREFERRED_LOC] = DRM_SVM_ATTR_PREFERRED_LOC,
	[DRM_VSVM_SVM_ATTR_ACCESSED_BY] = DRM_SVM_ATTR_ACCESSED_BY,
	[DRM_VSVM_SVM_ATTR_READ_MOSTLY] = DRM_SVM_ATTR_READ_MOSTLY,
	[DRM_VSVM_SVM_ATTR_ATOMIC] = DRM_SVM_ATTR_ATOMIC,
};

static_assert(!(DRM_VSVM_SVM_LOC_DEFAULT - DRM_SVM_LOC_DEFAULT) &&
	      !(DRM_VSVM_SVM_LOC_SYSTEM - DRM_SVM_LOC_SYSTEM) &&
	      !(DRM_VSVM_SVM_LOC_DEVICE - DRM_SVM_LOC_DEVICE));
static_assert(!(DRM_VSVM_SVM_ATOMIC_DEFAULT - DRM_SVM_ATOMIC_DEFAULT) &&
	      !(DRM_VSVM_SVM_ATOMIC_DEVICE - DRM_SVM_ATOMIC_DEVICE) &&
	      !(DRM_VSVM_SVM_ATOMIC_EXCLUSIVE - DRM_SVM_ATOMIC_EXCLUSIVE));

/**
 * vsvm_svm_madvise_ioctl() - DRM_IOCTL_VSVM_SVM_MADVISE
 * @drm: the device
 * @data: &struct drm_vsvm_svm_madvise
 * @file: the client
 *
 * drm_svm_madvise(): stores the attribute, cuts the ranges at the span's
 * edges and zaps the span's device mappings.
 *
 * Return: 0, -EINVAL, -ENOMEM, -EINTR.
 */
int vsvm_svm_madvise_ioctl(struct drm_device *drm, void *data,
			   struct drm_file *file)
{
	struct drm_vsvm_svm_madvise *args = data;
	struct vsvm_svm *svm;
	u64 end;

	if (args->flags || args->pad || vsvm_svm_span(args->addr, args->size,
						      &end) ||
	    args->attr >= ARRAY_SIZE(vsvm_attr_kind))
		return -EINVAL;
	svm = vsvm_svm_get(drm, file);
	if (IS_ERR(svm))
		return PTR_ERR(svm);
	return drm_svm_madvise(&svm->policy, args->addr, end,
			       vsvm_attr_kind[args->attr], args->value);
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
	struct drm_svm_attr attr;
	unsigned long lo, hi;

	drm_svm_attrs_get(&svm->policy.attrs, info->start, &attr, &lo, &hi);
	/* the helper's values are the uAPI's (vsvm_attr_kind) */
	info->preferred_loc = attr.preferred_loc;
	info->atomic = attr.atomic;
	if (attr.accessed_by)
		info->flags |= DRM_VSVM_SVM_RANGE_ACCESSED_BY;
	if (attr.read_mostly)
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
