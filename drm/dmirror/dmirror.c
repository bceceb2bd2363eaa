// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright © 2026 The drm-svm authors
 */

#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/hmm.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>

#include <drm/drm_svm.h>
#include <drm/drm_svm_compat.h>
#include <drm/drm_svm_mirror.h>
#include <drm/drm_svm_pagemap.h>

#include "dmirror_uapi.h"

/**
 * DOC: dmirror, lib/test_hmm on the drm_svm helpers
 *
 * drm_svm_dmirror is a second driver of the drm_svm helpers, with no DRM
 * device: the character devices /dev/hmm_dmirror0 and /dev/hmm_dmirror1
 * with the ioctl ABI of lib/test_hmm (dmirror_uapi.h), so that the kernel's
 * own hmm-tests run unmodified against the helpers. Each device is a
 * simulated GPU with private memory:
 *
 * - Memory: a &struct drm_svm_vram pool of vram_mb MiB backed by system
 *   pages (the "VRAM store", reached through
 *   &drm_svm_pagemap_ops.vram_page), exposed as device-private pages by a
 *   &struct drm_svm_pagemap. Without a &drm_svm_pagemap_ops.copy callback
 *   the helper copies with the CPU. Migration both ways, CPU faults,
 *   eviction under pressure and at removal are the helper's.
 * - Mirror: each open file mirrors the opener's address space with a
 *   &struct drm_svm_mirror. A device access (READ, WRITE) faults its whole
 *   range and copies under the mirror lock, while the pages are current;
 *   the device keeps no page table except the pages mapped for atomics
 *   (EXCLUSIVE), which its invalidate callback revokes.
 * - Each device is its own pagemap owner, as in lib/test_hmm: a device's
 *   mirror sees only its own device pages, the other device's pages are
 *   faulted back to system memory.
 *
 * Differences from lib/test_hmm: device memory moves in 4 KiB pages (the
 * helper does not migrate 2 MiB device folios yet), so a snapshot never
 * reports a device page as PMD-mapped and HMM_DMIRROR_FLAG_FAIL_ALLOC has
 * no large allocation to fail; there are no device-coherent devices.
 */

#define DMIRROR_DEVICES		2
/* Largest range of one command (its bounce buffer). */
#define DMIRROR_MAX_PAGES	(SZ_1G >> PAGE_SHIFT)

static unsigned int vram_mb = 64;
module_param(vram_mb, uint, 0444);
MODULE_PARM_DESC(vram_mb, "Device memory per device in MiB (default 64)");

/**
 * struct dmirror_device - one simulated device, /dev/hmm_dmirror<N>
 * @cdev: the character device
 * @dev: the device (devtmpfs names the node after it)
 * @vram: the device memory pool
 * @pm: the pool as device-private pages
 * @store: the backing page of each 4 KiB of device memory
 * @npages: entries in @store
 */
struct dmirror_device {
	struct cdev cdev;
	struct device dev;
	struct drm_svm_vram vram;
	struct drm_svm_pagemap pm;
	struct page **store;
	unsigned long npages;
};

/**
 * struct dmirror - an open device file: the opener's address space
 * @mdev: the device
 * @mirror: the mirror of the opener's address space
 * @atomic: pages mapped for device atomics, by page index; under the
 *	mirror lock
 */
struct dmirror {
	struct dmirror_device *mdev;
	struct drm_svm_mirror mirror;
	struct xarray atomic;
};

/* What a mirror callback copies where. */
struct dmirror_xfer {
	struct dmirror *dm;
	unsigned long addr;	/* the command's start */
	u8 *buf;		/* bounce buffer of the whole range */
	bool write;		/* into the pages rather than out of them */
	bool local;		/* only this device's pages count */
	int err;
};

static dev_t dmirror_devt;
static struct dmirror_device *dmirror_devices[DMIRROR_DEVICES];

static struct page *dmirror_vram_page(struct drm_svm_pagemap *pm, u64 offset)
{
	struct dmirror_device *mdev = container_of(pm, struct dmirror_device,
						   pm);

	return mdev->store[offset >> PAGE_SHIFT];
}

static const struct drm_svm_pagemap_ops dmirror_pagemap_ops = {
	.vram_page = dmirror_vram_page,
};

/* &drm_svm_mirror_ops.invalidate: atomic mappings are all the device has. */
static void dmirror_invalidate(struct drm_svm_mirror *mirror,
			       unsigned long start, unsigned long end)
{
	struct dmirror *dm = container_of(mirror, struct dmirror, mirror);
	unsigned long idx;
	void *entry;

	xa_for_each_range(&dm->atomic, idx, entry, start >> PAGE_SHIFT,
			  (end >> PAGE_SHIFT) - 1)
		xa_erase(&dm->atomic, idx);
}

static const struct drm_svm_mirror_ops dmirror_mirror_ops = {
	.invalidate = dmirror_invalidate,
};

/* Mirror update: the device reads or writes the current pages. */
static void dmirror_copy_pages(struct drm_svm_mirror *mirror,
			       unsigned long start, const unsigned long *pfns,
			       unsigned long npages, void *arg)
{
	struct dmirror_xfer *x = arg;
	u8 *p = x->buf + (start - x->addr);
	unsigned long i;

	for (i = 0; i < npages; i++, p += PAGE_SIZE) {
		struct page *page = NULL;

		if (pfns[i] & HMM_PFN_VALID)
			page = hmm_pfn_to_page(pfns[i]);
		if (!page || (x->local &&
			      !drm_svm_pagemap_is_local(&x->dm->mdev->pm, page))) {
			x->err = -ENOENT;
			continue;
		}
		if (drm_svm_page_pagemap(page))
			page = drm_svm_page_vram_page(page);
		if (x->write)
			memcpy_to_page(page, 0, p, PAGE_SIZE);
		else
			memcpy_from_page(p, page, 0, PAGE_SIZE);
	}
}

/* READ, WRITE; @local: MIGRATE_TO_DEV's read-back, a snapshot of own pages. */
static int dmirror_access(struct dmirror *dm, struct hmm_dmirror_cmd *cmd,
			  bool write, bool local)
{
	struct dmirror_xfer x = { .dm = dm, .addr = cmd->addr,
				  .write = write, .local = local };
	size_t size = cmd->npages << PAGE_SHIFT;
	void __user *uptr = u64_to_user_ptr(cmd->ptr);
	int ret = 0;

	x.buf = kvmalloc(size, GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!x.buf)
		return -ENOMEM;
	if (write && copy_from_user(x.buf, uptr, size))
		ret = -EFAULT;
	if (!ret)
		ret = drm_svm_mirror_fault(&dm->mirror, cmd->addr,
					   cmd->addr + size, write, local,
					   dmirror_copy_pages, &x) ?: x.err;
	if (!ret && !write && copy_to_user(uptr, x.buf, size))
		ret = -EFAULT;
	if (!ret)
		cmd->cpages = cmd->npages;
	cmd->faults = !local;
	kvfree(x.buf);
	return ret;
}

/* -EINVAL unless readable mappings cover [@start, @end) (the ABI's check). */
static int dmirror_check_vmas(struct mm_struct *mm, unsigned long start,
			      unsigned long end)
{
	struct vm_area_struct *vma;
	int ret = 0;

	mmap_read_lock(mm);
	while (start < end) {
		vma = vma_lookup(mm, start);
		if (!vma || !(vma->vm_flags & VM_READ)) {
			ret = -EINVAL;
			break;
		}
		start = vma->vm_end;
	}
	mmap_read_unlock(mm);
	return ret;
}

/* Migrate with the helper, then read back what is in device memory. */
static int dmirror_migrate(struct dmirror *dm, struct hmm_dmirror_cmd *cmd,
			   bool to_device)
{
	unsigned long end = cmd->addr + (cmd->npages << PAGE_SHIFT);
	struct mm_struct *mm = dm->mirror.mm;
	u64 moved = 0;
	int ret;

	if (!mmget_not_zero(mm))
		return -EINVAL;
	ret = dmirror_check_vmas(mm, cmd->addr, end);
	if (!ret) {
		ret = drm_svm_pagemap_migrate(&dm->mdev->pm, mm, cmd->addr, end,
					      to_device, &moved);
		/* Shared mappings stay: the read-back misses them (-ENOENT). */
		if (to_device && ret == -EINVAL)
			ret = 0;
	}
	mmput(mm);
	cmd->cpages = moved;
	if (ret || !to_device)
		return ret;
	return dmirror_access(dm, cmd, false, true);
}

/* Mirror snapshot: one HMM_DMIRROR_PROT_* byte per page. */
static u8 dmirror_prot(struct dmirror_device *mdev, unsigned long pfn)
{
	unsigned int shift = hmm_pfn_to_map_order(pfn) + PAGE_SHIFT;
	struct page *page;
	u8 prot = HMM_DMIRROR_PROT_NONE;

	if (pfn & HMM_PFN_ERROR)
		return HMM_DMIRROR_PROT_ERROR;
	if (!(pfn & HMM_PFN_VALID))
		return HMM_DMIRROR_PROT_NONE;
	page = hmm_pfn_to_page(pfn);
	if (drm_svm_pagemap_is_local(&mdev->pm, page))
		prot = HMM_DMIRROR_PROT_DEV_PRIVATE_LOCAL;
	else if (is_device_private_page(page))
		prot = HMM_DMIRROR_PROT_DEV_PRIVATE_REMOTE;
	else if (is_zero_pfn(page_to_pfn(page)))
		prot = HMM_DMIRROR_PROT_ZERO;
	prot |= pfn & HMM_PFN_WRITE ? HMM_DMIRROR_PROT_WRITE :
		HMM_DMIRROR_PROT_READ;
	if (shift == PMD_SHIFT)
		prot |= HMM_DMIRROR_PROT_PMD;
	else if (shift == PUD_SHIFT)
		prot |= HMM_DMIRROR_PROT_PUD;
	return prot;
}

static void dmirror_snapshot_pages(struct drm_svm_mirror *mirror,
				   unsigned long start,
				   const unsigned long *pfns,
				   unsigned long npages, void *arg)
{
	struct dmirror_xfer *x = arg;
	u8 *p = x->buf + ((start - x->addr) >> PAGE_SHIFT);
	unsigned long i;

	for (i = 0; i < npages; i++)
		p[i] = dmirror_prot(x->dm->mdev, pfns[i]);
}

static int dmirror_snapshot(struct dmirror *dm, struct hmm_dmirror_cmd *cmd)
{
	struct dmirror_xfer x = { .dm = dm, .addr = cmd->addr };
	int ret;

	x.buf = kvzalloc(cmd->npages, GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!x.buf)
		return -ENOMEM;
	ret = drm_svm_mirror_fault(&dm->mirror, cmd->addr,
				   cmd->addr + (cmd->npages << PAGE_SHIFT),
				   false, true, dmirror_snapshot_pages, &x);
	if (!ret && copy_to_user(u64_to_user_ptr(cmd->ptr), x.buf,
				 cmd->npages))
		ret = -EFAULT;
	if (!ret)
		cmd->cpages = cmd->npages;
	kvfree(x.buf);
	return ret;
}

/* Mirror update of one exclusive page: map it for atomics, read it. */
static void dmirror_exclusive_page(struct drm_svm_mirror *mirror,
				   unsigned long start,
				   const unsigned long *pfns,
				   unsigned long npages, void *arg)
{
	struct dmirror_xfer *x = arg;
	struct page *page = hmm_pfn_to_page(pfns[0]);

	if (xa_is_err(xa_store(&x->dm->atomic, start >> PAGE_SHIFT, page,
			       GFP_NOWAIT | __GFP_NOWARN)))
		x->err = -ENOMEM;
	memcpy_from_page(x->buf + (start - x->addr), page, 0, PAGE_SIZE);
}

static int dmirror_exclusive(struct dmirror *dm, struct hmm_dmirror_cmd *cmd)
{
	struct dmirror_xfer x = { .dm = dm, .addr = cmd->addr };
	unsigned long end = cmd->addr + (cmd->npages << PAGE_SHIFT);
	int ret;

	x.buf = kvmalloc(end - cmd->addr, GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!x.buf)
		return -ENOMEM;
	ret = drm_svm_mirror_make_exclusive(&dm->mirror, cmd->addr, end,
					    dmirror_exclusive_page, &x);
	ret = ret ?: x.err;
	if (!ret && copy_to_user(u64_to_user_ptr(cmd->ptr), x.buf,
				 end - cmd->addr))
		ret = -EFAULT;
	if (!ret)
		cmd->cpages = cmd->npages;
	kvfree(x.buf);
	return ret;
}

static int dmirror_check_exclusive(struct dmirror *dm,
				   struct hmm_dmirror_cmd *cmd)
{
	unsigned long idx = cmd->addr >> PAGE_SHIFT;
	void *entry;

	mutex_lock(&dm->mirror.lock);
	entry = xa_find(&dm->atomic, &idx, idx + cmd->npages - 1, XA_PRESENT);
	mutex_unlock(&dm->mirror.lock);
	return entry ? -EPERM : 0;
}

static int dmirror_ioctl_cmd(struct dmirror *dm, unsigned int nr,
			     struct hmm_dmirror_cmd *cmd)
{
	long left;

	switch (nr) {
	case HMM_DMIRROR_READ:
	case HMM_DMIRROR_READ_UNLOCKED:	/* the mirror's faults always are */
		return dmirror_access(dm, cmd, false, false);
	case HMM_DMIRROR_WRITE:
		return dmirror_access(dm, cmd, true, false);
	case HMM_DMIRROR_MIGRATE_TO_DEV:
		return dmirror_migrate(dm, cmd, true);
	case HMM_DMIRROR_MIGRATE_TO_SYS:
		return dmirror_migrate(dm, cmd, false);
	case HMM_DMIRROR_SNAPSHOT:
		return dmirror_snapshot(dm, cmd);
	case HMM_DMIRROR_EXCLUSIVE:
		return dmirror_exclusive(dm, cmd);
	case HMM_DMIRROR_CHECK_EXCLUSIVE:
		return dmirror_check_exclusive(dm, cmd);
	case HMM_DMIRROR_RELEASE:
		left = drm_svm_pagemap_evict(&dm->mdev->pm, NULL);
		return left < 0 ? left : 0;
	case HMM_DMIRROR_FLAGS:
		/* No 2 MiB device allocations here: nothing to fail. */
		return cmd->npages & ~HMM_DMIRROR_FLAG_FAIL_ALLOC ? -EINVAL : 0;
	}
	return -ENOTTY;
}

static long dmirror_ioctl(struct file *file, unsigned int nr,
			  unsigned long arg)
{
	struct dmirror *dm = file->private_data;
	void __user *uarg = (void __user *)arg;
	struct hmm_dmirror_cmd cmd;
	int ret;

	if (copy_from_user(&cmd, uarg, sizeof(cmd)))
		return -EFAULT;
	if (!PAGE_ALIGNED(cmd.addr) || !cmd.npages ||
	    cmd.npages > DMIRROR_MAX_PAGES ||
	    cmd.addr + (cmd.npages << PAGE_SHIFT) < cmd.addr)
		return -EINVAL;
	cmd.cpages = 0;
	cmd.faults = 0;
	ret = dmirror_ioctl_cmd(dm, nr, &cmd);
	if (ret)
		return ret;
	return copy_to_user(uarg, &cmd, sizeof(cmd)) ? -EFAULT : 0;
}

static int dmirror_open(struct inode *inode, struct file *file)
{
	struct dmirror *dm = kzalloc_obj(*dm, GFP_KERNEL);
	int ret;

	if (!dm)
		return -ENOMEM;
	dm->mdev = container_of(inode->i_cdev, struct dmirror_device, cdev);
	xa_init(&dm->atomic);
	ret = drm_svm_mirror_init(&dm->mirror, current->mm,
				  &dmirror_mirror_ops, dm->mdev);
	if (ret) {
		kfree(dm);
		return ret;
	}
	file->private_data = dm;
	return 0;
}

static int dmirror_release(struct inode *inode, struct file *file)
{
	struct dmirror *dm = file->private_data;

	drm_svm_mirror_fini(&dm->mirror);
	xa_destroy(&dm->atomic);
	kfree(dm);
	return 0;
}

/* Memory the driver inserts page by page (a mixed map, for snapshots). */
static int dmirror_mmap(struct file *file, struct vm_area_struct *vma)
{
	unsigned long addr;
	int ret;

	for (addr = vma->vm_start; addr < vma->vm_end; addr += PAGE_SIZE) {
		struct page *page = alloc_page(GFP_KERNEL | __GFP_ZERO);

		if (!page)
			return -ENOMEM;
		ret = vm_insert_page(vma, addr, page);
		put_page(page);
		if (ret)
			return ret;
	}
	return 0;
}

static const struct file_operations dmirror_fops = {
	.owner = THIS_MODULE,
	.open = dmirror_open,
	.release = dmirror_release,
	.mmap = dmirror_mmap,
	.unlocked_ioctl = dmirror_ioctl,
	.llseek = noop_llseek,
};

static void dmirror_store_free(struct dmirror_device *mdev)
{
	unsigned long i;

	for (i = 0; i < mdev->npages; i++)
		if (mdev->store[i])
			__free_page(mdev->store[i]);
	kvfree(mdev->store);
}

/* The simulated device memory: one system page per device page. */
static int dmirror_store_alloc(struct dmirror_device *mdev)
{
	unsigned long i;

	mdev->npages = (unsigned long)vram_mb << (20 - PAGE_SHIFT);
	mdev->store = kvcalloc(mdev->npages, sizeof(*mdev->store), GFP_KERNEL);
	if (!mdev->store)
		return -ENOMEM;
	for (i = 0; i < mdev->npages; i++) {
		mdev->store[i] = alloc_page(GFP_HIGHUSER | __GFP_NOWARN);
		if (!mdev->store[i])
			return -ENOMEM;
	}
	return 0;
}

static void dmirror_device_release(struct device *dev)
{
	struct dmirror_device *mdev = container_of(dev, struct dmirror_device,
						   dev);

	dmirror_store_free(mdev);
	kfree(mdev);
}

/* Memory, pool and pagemap, then the node that opens them. */
static int dmirror_device_add(struct dmirror_device *mdev)
{
	u64 size = (u64)vram_mb << 20;
	int ret;

	ret = dmirror_store_alloc(mdev);
	if (ret)
		return ret;
	ret = drm_svm_vram_init(&mdev->vram, size, size, SZ_4K);
	if (ret)
		return ret;
	ret = drm_svm_pagemap_init(&mdev->pm, &mdev->dev, &mdev->vram, mdev,
				   &dmirror_pagemap_ops);
	if (ret)
		goto err_vram;
	cdev_init(&mdev->cdev, &dmirror_fops);
	mdev->cdev.owner = THIS_MODULE;
	ret = cdev_device_add(&mdev->cdev, &mdev->dev);
	if (ret)
		goto err_pagemap;
	return 0;

err_pagemap:
	drm_svm_pagemap_fini(&mdev->pm);
err_vram:
	drm_svm_vram_fini(&mdev->vram);
	return ret;
}

static struct dmirror_device *dmirror_device_create(unsigned int id)
{
	struct dmirror_device *mdev = kzalloc_obj(*mdev, GFP_KERNEL);
	int ret;

	if (!mdev)
		return ERR_PTR(-ENOMEM);
	device_initialize(&mdev->dev);
	mdev->dev.release = dmirror_device_release;
	mdev->dev.devt = MKDEV(MAJOR(dmirror_devt), id);
	ret = dev_set_name(&mdev->dev, "hmm_dmirror%u", id);
	if (!ret)
		ret = dmirror_device_add(mdev);
	if (ret) {
		put_device(&mdev->dev);
		return ERR_PTR(ret);
	}
	return mdev;
}

static void dmirror_device_destroy(struct dmirror_device *mdev)
{
	cdev_device_del(&mdev->cdev, &mdev->dev);
	drm_svm_pagemap_fini(&mdev->pm);
	drm_svm_vram_fini(&mdev->vram);
	put_device(&mdev->dev);
}

static void dmirror_exit(void)
{
	unsigned int id;

	for (id = 0; id < DMIRROR_DEVICES; id++)
		if (!IS_ERR_OR_NULL(dmirror_devices[id]))
			dmirror_device_destroy(dmirror_devices[id]);
	unregister_chrdev_region(dmirror_devt, DMIRROR_DEVICES);
}

static int __init dmirror_init(void)
{
	unsigned int id;
	int ret;

	if (!vram_mb)
		return -EINVAL;
	ret = alloc_chrdev_region(&dmirror_devt, 0, DMIRROR_DEVICES,
				  "hmm_dmirror");
	if (ret)
		return ret;
	for (id = 0; id < DMIRROR_DEVICES; id++) {
		dmirror_devices[id] = dmirror_device_create(id);
		if (IS_ERR(dmirror_devices[id])) {
			ret = PTR_ERR(dmirror_devices[id]);
			dmirror_exit();
			return ret;
		}
	}
	return 0;
}
module_init(dmirror_init);

static void __exit dmirror_module_exit(void)
{
	dmirror_exit();
}
module_exit(dmirror_module_exit);

MODULE_DESCRIPTION("lib/test_hmm's dmirror devices on the drm_svm helpers");
MODULE_AUTHOR("The drm-svm authors");
MODULE_LICENSE("Dual MIT/GPL");
