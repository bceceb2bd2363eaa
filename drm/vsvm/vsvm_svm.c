// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright © 2026 The drm-svm authors
 */

#include <linux/hmm.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/seq_file.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>

#include <drm/drm_debugfs.h>
#include <drm/drm_file.h>
#include <drm/drm_svm_mirror.h>
#include <drm/vsvm_drm.h>

#include "vsvm_drv.h"

/**
 * DOC: vsvm shared virtual memory
 *
 * Each file gets, on its first SVM ioctl, a &struct drm_svm_mirror of the
 * caller's address space and a device page table: an xarray from virtual
 * page number to the mirrored struct page, tagged when the device may write.
 * Device accesses look pages up in that table and fault missing ones in
 * through the mirror; invalidations erase entries. Table lookups and the
 * data copies they lead to happen under the mirror lock, so a page cannot be
 * freed while the device touches it.
 */

static void vsvm_svm_invalidate(struct drm_svm_mirror *mirror,
				unsigned long start, unsigned long end)
{
	struct vsvm_svm *svm = container_of(mirror, struct vsvm_svm, mirror);
	unsigned long idx;
	void *entry;

	lockdep_assert_held(&mirror->lock);
	xa_for_each_range(&svm->pt, idx, entry, start >> PAGE_SHIFT,
			  (end >> PAGE_SHIFT) - 1)
		xa_erase(&svm->pt, idx);
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
	struct vsvm_file *vfile = kzalloc(sizeof(*vfile), GFP_KERNEL);

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
		drm_svm_mirror_fini(&vfile->svm->mirror);
		xa_destroy(&vfile->svm->pt);
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
	svm = kzalloc(sizeof(*svm), GFP_KERNEL);
	if (!svm) {
		svm = ERR_PTR(-ENOMEM);
		goto out;
	}
	xa_init(&svm->pt);
	ret = drm_svm_mirror_init(&svm->mirror, current->mm, &vsvm_mirror_ops,
				  to_vsvm(drm));
	if (ret) {
		kfree(svm);
		svm = ERR_PTR(ret);
		goto out;
	}
	vfile->svm = svm;
out:
	mutex_unlock(&vfile->lock);
	return svm;
}

struct vsvm_svm_update {
	int error;
};

static void vsvm_svm_update(struct drm_svm_mirror *mirror, unsigned long start,
			    const unsigned long *pfns, unsigned long npages,
			    void *arg)
{
	struct vsvm_svm *svm = container_of(mirror, struct vsvm_svm, mirror);
	struct vsvm_svm_update *u = arg;
	unsigned long i;

	for (i = 0; i < npages && !u->error; i++) {
		struct page *page;
		void *entry;

		if (!(pfns[i] & HMM_PFN_VALID)) {
			u->error = -EFAULT;
			break;
		}
		page = hmm_pfn_to_page(pfns[i]);
		entry = xa_tag_pointer(page, pfns[i] & HMM_PFN_WRITE ?
				       VSVM_PT_WRITE : 0);
		/* No reclaim under the mirror lock: it may be the notifier's. */
		if (xa_is_err(xa_store(&svm->pt, (start >> PAGE_SHIFT) + i,
				       entry, GFP_NOWAIT | __GFP_NOWARN)))
			u->error = -ENOMEM;
	}
}

/**
 * vsvm_svm_fault() - resolve a device fault
 * @svm: the SVM context
 * @start: page-aligned start address
 * @end: page-aligned end address (exclusive)
 * @flags: VSVM_FAULT_* (the kind of access that faulted)
 *
 * Makes device page-table entries for [@start, @end) that allow the access
 * in @flags, faulting the CPU pages in through the mirror. The caller
 * retries its lookup afterwards: an invalidation may zap the new entries
 * again at any time (vsvm_svm_lookup() then misses once more).
 *
 * Return: 0, -EFAULT (hole or PROT_NONE), -EPERM (write or atomic access
 * to a read-only mapping), -EBUSY, -ENOMEM, -ESRCH (address space gone).
 */
int vsvm_svm_fault(struct vsvm_svm *svm, unsigned long start,
		   unsigned long end, unsigned int flags)
{
	struct vsvm_svm_update u = { 0 };
	int ret;

	ret = drm_svm_mirror_fault(&svm->mirror, start, end,
				   flags & (VSVM_FAULT_WRITE | VSVM_FAULT_ATOMIC),
				   false, vsvm_svm_update, &u);
	return ret ?: u.error;
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
	void *entry = xa_load(&svm->pt, addr >> PAGE_SHIFT);
	struct page *page;

	lockdep_assert_held(&svm->mirror.lock);
	if (!entry || (xa_pointer_tag(entry) & need) != need)
		return NULL;
	page = xa_untag_pointer(entry);
	/* Our device-private pages keep their data in the VRAM store. */
	if (is_device_private_page(page))
		page = vsvm_devmem_backing(page);
	return page;
}

/* Copy between @buf and the mirrored pages; -ENOENT if one is missing. */
static int vsvm_svm_copy(struct vsvm_svm *svm, unsigned long addr, u8 *buf,
			 unsigned long size, bool write)
{
	unsigned long off;

	lockdep_assert_held(&svm->mirror.lock);
	for (off = 0; off < size; off += PAGE_SIZE) {
		struct page *page;
		void *vaddr;

		page = vsvm_svm_lookup(svm, addr + off,
				       write ? VSVM_PT_WRITE : 0);
		if (!page)
			return -ENOENT;
		vaddr = kmap_local_page(page);
		if (write)
			memcpy(vaddr, buf + off, PAGE_SIZE);
		else
			memcpy(buf + off, vaddr, PAGE_SIZE);
		kunmap_local(vaddr);
	}
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
 * Return: 0, -EINVAL, -EFAULT (hole, PROT_NONE, bad buffer), -EPERM (write
 * to a read-only mapping), -EBUSY, -ENOMEM.
 */
int vsvm_svm_access_ioctl(struct drm_device *drm, void *data,
			  struct drm_file *file)
{
	struct drm_vsvm_svm_access *args = data;
	bool write = args->op == DRM_VSVM_SVM_WRITE;
	void __user *user = u64_to_user_ptr(args->data);
	struct vsvm_svm *svm;
	int tries, ret;
	u64 end;
	u8 *buf;

	if (args->flags || args->op > DRM_VSVM_SVM_WRITE || !args->size ||
	    !PAGE_ALIGNED(args->addr) || !PAGE_ALIGNED(args->size) ||
	    args->size > VSVM_SVM_MAX_SIZE ||
	    check_add_overflow(args->addr, args->size, &end) ||
	    end > TASK_SIZE)
		return -EINVAL;
	svm = vsvm_svm_get(drm, file);
	if (IS_ERR(svm))
		return PTR_ERR(svm);

	buf = kvmalloc(args->size, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	if (write && copy_from_user(buf, user, args->size)) {
		ret = -EFAULT;
		goto out;
	}
	args->faults = 0;
	for (tries = 0; tries < VSVM_SVM_MAX_TRIES; tries++) {
		mutex_lock(&svm->mirror.lock);
		ret = vsvm_svm_copy(svm, args->addr, buf, args->size, write);
		mutex_unlock(&svm->mirror.lock);
		if (ret != -ENOENT)
			break;
		/* A device fault: mirror the range, then try again. */
		args->faults++;
		ret = vsvm_svm_fault(svm, args->addr, end,
				     write ? VSVM_FAULT_WRITE : 0);
		if (ret)
			break;
		ret = -EBUSY;
	}
	if (!ret && !write && copy_to_user(user, buf, args->size))
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
				prot |= page->pgmap->owner == mirror->owner ?
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
 * Return: 0, -EINVAL (bad arguments, holes, VMAs that cannot migrate),
 * -ENOMEM, -EBUSY (evict-all left pages behind).
 */
int vsvm_svm_migrate_ioctl(struct drm_device *drm, void *data,
			   struct drm_file *file)
{
	struct drm_vsvm_svm_migrate *args = data;
	struct vsvm_device *vdev = to_vsvm(drm);
	u64 end;
	int ret;

	if (args->flags & ~DRM_VSVM_SVM_MIGRATE_EVICT_ALL || args->pad)
		return -EINVAL;
	if (args->flags & DRM_VSVM_SVM_MIGRATE_EVICT_ALL) {
		if (args->addr || args->size || args->target)
			return -EINVAL;
		args->moved = 0;
		return vsvm_devmem_evict(vdev) ? -EBUSY : 0;
	}
	if (args->target > DRM_VSVM_SVM_TARGET_DEVICE || !args->size ||
	    !PAGE_ALIGNED(args->addr) || !PAGE_ALIGNED(args->size) ||
	    check_add_overflow(args->addr, args->size, &end) ||
	    end > TASK_SIZE)
		return -EINVAL;
	if (!mmget_not_zero(current->mm))
		return -ESRCH;
	ret = vsvm_devmem_migrate(vdev, current->mm, args->addr, end,
				  args->target == DRM_VSVM_SVM_TARGET_DEVICE,
				  &args->moved);
	mmput(current->mm);
	return ret;
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
		struct vsvm_svm *svm;

		mutex_lock(&vfile->lock);
		svm = vfile->svm;
		if (svm) {
			unsigned long idx, mapped = 0, writable = 0, devpriv = 0;
			void *e;

			mutex_lock(&svm->mirror.lock);
			xa_for_each(&svm->pt, idx, e) {
				mapped++;
				writable += !!(xa_pointer_tag(e) & VSVM_PT_WRITE);
				devpriv += is_device_private_page(xa_untag_pointer(e));
			}
			mutex_unlock(&svm->mirror.lock);
			seq_printf(m, "pid %d: mapped %lu writable %lu device %lu faults %lld invalidations %lld\n",
				   vfile->pid, mapped, writable, devpriv,
				   atomic64_read(&svm->mirror.faults),
				   atomic64_read(&svm->mirror.invalidations));
		}
		mutex_unlock(&vfile->lock);
	}
	mutex_unlock(&vdev->files_lock);
	return 0;
}
