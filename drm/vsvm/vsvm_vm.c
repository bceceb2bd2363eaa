// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright © 2026 The drm-svm authors
 */

#include <linux/dma-resv.h>
#include <linux/sched/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/xarray.h>

#include <drm/drm_debugfs.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_gpuvm.h>
#include <drm/vsvm_drm.h>

#include "vsvm_compute.h"
#include "vsvm_drv.h"

/**
 * DOC: vsvm VMs
 *
 * Each file has an xarray of VMs (&vsvm_file.vms, ids from 1). A VM is a
 * &drm_gpuvm: every binding is a &drm_gpuva, either of a GEM object
 * (linked to the object through a &drm_gpuvm_bo) or, with
 * %VSVM_VA_MIRROR and no object, a range of the creator's address space
 * that the device sees at the same address through the file's SVM context
 * (&struct vsvm_svm). A VM in fault mode treats every address without a
 * binding as mirrored. Binding a range first unmaps whatever the range
 * overlaps (drm_gpuvm splits partially covered mappings), then maps it.
 *
 * Locking: &vsvm_vm.lock protects the VA tree. Binds take it; so does the
 * compute engine while it translates addresses and touches memory, so a
 * job sees a binding either entirely before or entirely after a bind.
 * Linking and unlinking a mapping to its object happens under the
 * object's reservation lock (drm_gpuvm's contract for the object's gpuva
 * list), taken inside &vsvm_vm.lock, one object at a time.
 */

/* The GPU VA space: the user part of an x86-64 address space. */
#define VSVM_VM_VA_SIZE		BIT_ULL(47)

static void vsvm_vm_free(struct drm_gpuvm *gpuvm)
{
	struct vsvm_vm *vm = to_vsvm_vm(gpuvm);

	if (vm->mm)
		mmdrop(vm->mm);
	mutex_destroy(&vm->submit_lock);
	mutex_destroy(&vm->lock);
	kfree(vm);
}

/**
 * struct vsvm_bind - one bind request, passed through drm_gpuvm's steps
 */
struct vsvm_bind {
	/** @vm: the VM. */
	struct vsvm_vm *vm;
	/** @va_flags: VSVM_VA_* of new mappings. */
	u32 va_flags;
};

/* Link @va to its object (if any); the object's resv is taken here. */
static int vsvm_va_link(struct vsvm_vm *vm, struct drm_gpuva *va)
{
	struct drm_gem_object *obj = va->gem.obj;
	struct drm_gpuvm_bo *vm_bo;
	int ret;

	if (!obj)
		return 0;
	/* A bind waits for a job or fault that holds it: interruptibly. */
	ret = dma_resv_lock_interruptible(obj->resv, NULL);
	if (ret)
		return ret;
	vm_bo = drm_gpuvm_bo_obtain_locked(&vm->gpuvm, obj);
	if (IS_ERR(vm_bo)) {
		dma_resv_unlock(obj->resv);
		return PTR_ERR(vm_bo);
	}
	drm_gpuva_link(va, vm_bo);
	/* on the VM's extobj list: execs fence it (implicit sync) */
	drm_gpuvm_bo_extobj_add(vm_bo);
	drm_gpuvm_bo_put(vm_bo);
	dma_resv_unlock(obj->resv);
	return 0;
}

/* Unlink @va from its object; may drop the last reference of the object. */
static void vsvm_va_unlink(struct drm_gpuva *va)
{
	struct drm_gem_object *obj = va->gem.obj;

	if (!obj)
		return;
	/* Not freed under its own lock: drop our reference afterwards. */
	drm_gem_object_get(obj);
	dma_resv_lock(obj->resv, NULL);
	drm_gpuva_unlink(va);
	dma_resv_unlock(obj->resv);
	drm_gem_object_put(obj);
}

static int vsvm_sm_step_map(struct drm_gpuva_op *op, void *priv)
{
	struct vsvm_bind *bind = priv;
	struct drm_gpuva *va;
	int ret;

	va = kzalloc_obj(*va, GFP_KERNEL_ACCOUNT);
	if (!va)
		return -ENOMEM;
	drm_gpuva_map(&bind->vm->gpuvm, va, &op->map);
	va->flags |= bind->va_flags;
	ret = vsvm_va_link(bind->vm, va);
	if (ret) {
		drm_gpuva_remove(va);
		kfree(va);
	}
	return ret;
}

static int vsvm_sm_step_remap(struct drm_gpuva_op *op, void *priv)
{
	struct drm_gpuva *old = op->remap.unmap->va;
	struct drm_gem_object *obj = old->gem.obj;
	struct drm_gpuva *prev = NULL, *next = NULL;

	if (op->remap.prev) {
		prev = kzalloc_obj(*prev, GFP_KERNEL_ACCOUNT);
		if (!prev)
			return -ENOMEM;
	}
	if (op->remap.next) {
		next = kzalloc_obj(*next, GFP_KERNEL_ACCOUNT);
		if (!next) {
			kfree(prev);
			return -ENOMEM;
		}
	}
	drm_gpuva_remap(prev, next, &op->remap);
	if (prev)
		prev->flags = old->flags;
	if (next)
		next->flags = old->flags;
	if (obj) {
		/* The pieces take over the old mapping's &drm_gpuvm_bo. */
		drm_gem_object_get(obj);
		dma_resv_lock(obj->resv, NULL);
		if (prev)
			drm_gpuva_link(prev, old->vm_bo);
		if (next)
			drm_gpuva_link(next, old->vm_bo);
		drm_gpuva_unlink(old);
		dma_resv_unlock(obj->resv);
		drm_gem_object_put(obj);
	}
	kfree(old);
	return 0;
}

static int vsvm_sm_step_unmap(struct drm_gpuva_op *op, void *priv)
{
	struct drm_gpuva *va = op->unmap.va;

	drm_gpuva_unmap(&op->unmap);
	vsvm_va_unlink(va);
	kfree(va);
	return 0;
}

static const struct drm_gpuvm_ops vsvm_gpuvm_ops = {
	.vm_free = vsvm_vm_free,
	.sm_step_map = vsvm_sm_step_map,
	.sm_step_remap = vsvm_sm_step_remap,
	.sm_step_unmap = vsvm_sm_step_unmap,
};

/**
 * vsvm_vm_put() - drop a reference to a VM
 * @vm: the VM
 *
 * The last reference frees it. May sleep.
 */
void vsvm_vm_put(struct vsvm_vm *vm)
{
	might_sleep();
	drm_gpuvm_put(&vm->gpuvm);
}

/**
 * vsvm_vm_lookup() - find a VM of a file and take a reference
 * @vfile: the file
 * @id: the VM id
 *
 * Return: the VM (release with vsvm_vm_put()), or NULL.
 */
struct vsvm_vm *vsvm_vm_lookup(struct vsvm_file *vfile, u32 id)
{
	struct vsvm_vm *vm;

	xa_lock(&vfile->vms);
	vm = xa_load(&vfile->vms, id);
	if (vm)
		drm_gpuvm_get(&vm->gpuvm);
	xa_unlock(&vfile->vms);
	return vm;
}

/**
 * vsvm_vm_svm() - the SVM context a VM mirrors, created on first use
 * @vm: the VM
 * @drm: the device
 * @file: the file owning @vm
 *
 * Called with &vsvm_vm.lock held, by the creator's process.
 *
 * Return: the context or an ERR_PTR (see vsvm_svm_get()).
 */
struct vsvm_svm *vsvm_vm_svm(struct vsvm_vm *vm, struct drm_device *drm,
			     struct drm_file *file)
{
	struct vsvm_svm *svm;

	lockdep_assert_held(&vm->lock);
	if (vm->svm)
		return vm->svm;
	svm = vsvm_svm_get(drm, file);
	if (!IS_ERR(svm))
		vm->svm = svm;
	return svm;
}

/**
 * vsvm_vm_error() - record the error of a job
 * @vm: the VM
 * @seqno: the exec
 * @error: negative errno
 * @addr: the faulting address
 * @cmd: the failing command
 */
void vsvm_vm_error(struct vsvm_vm *vm, u64 seqno, int error, u64 addr,
		   u32 cmd)
{
	spin_lock(&vm->status_lock);
	vm->error_seqno = seqno;
	vm->error = error;
	vm->error_addr = addr;
	vm->error_cmd = cmd;
	spin_unlock(&vm->status_lock);
}

/**
 * vsvm_vm_create_ioctl() - DRM_IOCTL_VSVM_VM_CREATE
 * @drm: the device
 * @data: &struct drm_vsvm_vm_create
 * @file: the client
 *
 * Return: 0, -EINVAL (flags, pad, or fault mode from another process than
 * the file's SVM context mirrors), -ENOMEM, -EBUSY (out of ids).
 */
int vsvm_vm_create_ioctl(struct drm_device *drm, void *data,
			 struct drm_file *file)
{
	struct drm_vsvm_vm_create *args = data;
	struct vsvm_file *vfile = file->driver_priv;
	struct drm_gem_object *r_obj;
	struct vsvm_svm *svm = NULL;
	struct vsvm_vm *vm;
	int ret;

	if (args->flags & ~DRM_VSVM_VM_CREATE_FAULT_MODE || args->pad)
		return -EINVAL;
	if (args->flags & DRM_VSVM_VM_CREATE_FAULT_MODE) {
		svm = vsvm_svm_get(drm, file);
		if (IS_ERR(svm))
			return PTR_ERR(svm);
	}
	vm = kzalloc_obj(*vm, GFP_KERNEL_ACCOUNT);
	if (!vm)
		return -ENOMEM;
	r_obj = drm_gpuvm_resv_object_alloc(drm);
	if (!r_obj) {
		kfree(vm);
		return -ENOMEM;
	}
	mutex_init(&vm->lock);
	mutex_init(&vm->submit_lock);
	spin_lock_init(&vm->status_lock);
	vm->vdev = to_vsvm(drm);
	vm->svm = svm;
	vm->fault_mode = !!svm;
	vm->mm = current->mm;
	mmgrab(vm->mm);
	drm_gpuvm_init(&vm->gpuvm, "vsvm", 0, drm, r_obj, 0, VSVM_VM_VA_SIZE,
		       0, 0, &vsvm_gpuvm_ops);
	drm_gem_object_put(r_obj);

	ret = vsvm_compute_vm_init(vm);
	if (ret)
		goto err_put;
	ret = xa_alloc(&vfile->vms, &vm->id, vm, xa_limit_32b, GFP_KERNEL_ACCOUNT);
	if (ret)
		goto err_fini;
	args->vm_id = vm->id;
	return 0;

err_fini:
	vsvm_compute_vm_fini(vm);
err_put:
	vsvm_vm_put(vm);
	return ret;
}

/*
 * Cancel the VM's jobs, unmap everything and drop the file's reference, in
 * bounded time (vsvm_compute_vm_fini()). Binds and execs that looked the
 * VM up before it was unpublished see &vsvm_vm.closed and fail.
 */
static void vsvm_vm_close(struct vsvm_vm *vm)
{
	struct vsvm_bind bind = { .vm = vm };

	/* The running job lets go of &vsvm_vm.lock at its next piece. */
	vsvm_compute_vm_cancel(vm);
	mutex_lock(&vm->lock);
	mutex_lock(&vm->submit_lock);
	vm->closed = true;
	mutex_unlock(&vm->submit_lock);
	mutex_unlock(&vm->lock);
	vsvm_compute_vm_fini(vm);
	mutex_lock(&vm->lock);
	drm_gpuvm_sm_unmap(&vm->gpuvm, &bind, 0, VSVM_VM_VA_SIZE);
	mutex_unlock(&vm->lock);
	vsvm_vm_put(vm);
}

/**
 * vsvm_vm_destroy_ioctl() - DRM_IOCTL_VSVM_VM_DESTROY
 * @drm: the device
 * @data: &struct drm_vsvm_vm_destroy
 * @file: the client
 *
 * Return: 0, -EINVAL (pad), -ENOENT (no such VM).
 */
int vsvm_vm_destroy_ioctl(struct drm_device *drm, void *data,
			  struct drm_file *file)
{
	struct drm_vsvm_vm_destroy *args = data;
	struct vsvm_file *vfile = file->driver_priv;
	struct vsvm_vm *vm;

	if (args->pad)
		return -EINVAL;
	/* Index 0 of an ALLOC1 xarray is reserved: erasing it frees it. */
	if (!args->vm_id)
		return -ENOENT;
	vm = xa_erase(&vfile->vms, args->vm_id);
	if (!vm)
		return -ENOENT;
	vsvm_vm_close(vm);
	return 0;
}

static int vsvm_vm_bind_check(struct vsvm_vm *vm,
			      const struct drm_vsvm_vm_bind *args)
{
	u64 end;

	if (args->op > DRM_VSVM_VM_BIND_OP_MAP_MIRROR ||
	    args->flags & ~DRM_VSVM_VM_BIND_FLAG_READONLY)
		return -EINVAL;
	if (args->op == DRM_VSVM_VM_BIND_OP_UNMAP && args->flags)
		return -EINVAL;
	if (args->op != DRM_VSVM_VM_BIND_OP_MAP &&
	    (args->handle || args->obj_offset))
		return -EINVAL;
	if (!args->range || !PAGE_ALIGNED(args->addr) ||
	    !PAGE_ALIGNED(args->range) || !PAGE_ALIGNED(args->obj_offset) ||
	    check_add_overflow(args->addr, args->range, &end) ||
	    end > VSVM_VM_VA_SIZE)
		return -EINVAL;
	if (args->op == DRM_VSVM_VM_BIND_OP_MAP_MIRROR &&
	    (vm->fault_mode || end > TASK_SIZE))
		return -EINVAL;
	return 0;
}

/* Unmap, then map, the span of @args; the VM lock held. */
static int vsvm_vm_bind_apply(struct vsvm_vm *vm, struct drm_device *drm,
			      struct drm_file *file,
			      const struct drm_vsvm_vm_bind *args,
			      struct drm_gem_object *obj,
			      struct vsvm_bind *bind)
{
	struct drm_gpuvm_map_req req = {
		.map.va.addr = args->addr,
		.map.va.range = args->range,
		.map.gem.obj = obj,
		.map.gem.offset = args->obj_offset,
	};
	int ret;

	lockdep_assert_held(&vm->lock);
	if (vm->closed)
		return -ENOENT;
	if (args->op == DRM_VSVM_VM_BIND_OP_MAP_MIRROR) {
		struct vsvm_svm *svm = vsvm_vm_svm(vm, drm, file);

		if (IS_ERR(svm))
			return PTR_ERR(svm);
		bind->va_flags |= VSVM_VA_MIRROR;
	}
	ret = drm_gpuvm_sm_unmap(&vm->gpuvm, bind, args->addr, args->range);
	if (ret || args->op == DRM_VSVM_VM_BIND_OP_UNMAP)
		return ret;
	return drm_svm_gpuvm_sm_map(&vm->gpuvm, bind, &req);
}

/**
 * vsvm_vm_bind_ioctl() - DRM_IOCTL_VSVM_VM_BIND
 * @drm: the device
 * @data: &struct drm_vsvm_vm_bind
 * @file: the client
 *
 * Return: 0, -EINVAL (op, flags, alignment, range, object bounds, a mirror
 * in a fault-mode VM or from another process), -ENOENT (VM, also one being
 * destroyed, or object), -ENOMEM, -EINTR (a signal while a job of the VM
 * was running).
 */
int vsvm_vm_bind_ioctl(struct drm_device *drm, void *data,
		       struct drm_file *file)
{
	struct drm_vsvm_vm_bind *args = data;
	struct vsvm_file *vfile = file->driver_priv;
	struct drm_gem_object *obj = NULL;
	struct vsvm_bind bind = {};
	struct vsvm_vm *vm;
	u64 obj_end;
	int ret;

	vm = vsvm_vm_lookup(vfile, args->vm_id);
	if (!vm)
		return -ENOENT;
	bind.vm = vm;
	ret = vsvm_vm_bind_check(vm, args);
	if (ret)
		goto out_put;
	if (args->op == DRM_VSVM_VM_BIND_OP_MAP) {
		obj = drm_gem_object_lookup(file, args->handle);
		if (!obj) {
			ret = -ENOENT;
			goto out_put;
		}
		if (check_add_overflow(args->obj_offset, args->range,
				       &obj_end) || obj_end > obj->size) {
			ret = -EINVAL;
			goto out_put;
		}
	}
	if (args->flags & DRM_VSVM_VM_BIND_FLAG_READONLY)
		bind.va_flags |= VSVM_VA_READONLY;

	/* Held by the engine while it runs a job of the VM: interruptibly. */
	ret = mutex_lock_interruptible(&vm->lock);
	if (ret)
		goto out_put;
	ret = vsvm_vm_bind_apply(vm, drm, file, args, obj, &bind);
	mutex_unlock(&vm->lock);
out_put:
	if (obj)
		drm_gem_object_put(obj);
	vsvm_vm_put(vm);
	return ret;
}

/**
 * vsvm_vm_query_ioctl() - DRM_IOCTL_VSVM_VM_QUERY
 * @drm: the device
 * @data: &struct drm_vsvm_vm_query
 * @file: the client
 *
 * Return: 0, -EINVAL (flags, pad), -ENOENT.
 */
int vsvm_vm_query_ioctl(struct drm_device *drm, void *data,
			struct drm_file *file)
{
	struct drm_vsvm_vm_query *args = data;
	struct vsvm_vm *vm;

	if (args->flags || args->pad)
		return -EINVAL;
	vm = vsvm_vm_lookup(file->driver_priv, args->vm_id);
	if (!vm)
		return -ENOENT;
	mutex_lock(&vm->submit_lock);
	args->submitted = vm->seqno;
	mutex_unlock(&vm->submit_lock);
	args->completed = atomic64_read(&vm->stats.completed);
	args->failed = atomic64_read(&vm->stats.failed);
	spin_lock(&vm->status_lock);
	args->error_seqno = vm->error_seqno;
	args->error_addr = vm->error_addr;
	args->error = vm->error;
	args->error_cmd = vm->error_cmd;
	spin_unlock(&vm->status_lock);
	args->faults = atomic64_read(&vm->stats.faults);
	args->fault_batches = atomic64_read(&vm->stats.batches);
	args->fault_ranges = atomic64_read(&vm->stats.ranges);
	args->replays = atomic64_read(&vm->stats.replays);
	vsvm_vm_put(vm);
	return 0;
}

/**
 * vsvm_vm_file_init() - per-file VM state
 * @vfile: the new file
 */
void vsvm_vm_file_init(struct vsvm_file *vfile)
{
	xa_init_flags(&vfile->vms, XA_FLAGS_ALLOC1);
}

/**
 * vsvm_vm_file_fini() - destroy the VMs of a closing file
 * @vfile: the file
 *
 * Cancels their jobs (bounded, see vsvm_compute_vm_fini()): afterwards
 * nothing uses the file's SVM context.
 */
void vsvm_vm_file_fini(struct vsvm_file *vfile)
{
	struct vsvm_vm *vm;
	unsigned long id;

	xa_for_each(&vfile->vms, id, vm) {
		xa_erase(&vfile->vms, id);
		vsvm_vm_close(vm);
	}
	xa_destroy(&vfile->vms);
}

/**
 * vsvm_vms_show() - debugfs "vsvm_vms": one line per VM
 * @m: the seq_file
 * @unused: unused
 *
 * Return: 0.
 */
int vsvm_vms_show(struct seq_file *m, void *unused)
{
	struct drm_debugfs_entry *entry = m->private;
	struct vsvm_device *vdev = to_vsvm(entry->dev);
	struct vsvm_file *vfile;

	mutex_lock(&vdev->files_lock);
	list_for_each_entry(vfile, &vdev->files, link) {
		struct vsvm_vm *vm;
		unsigned long id;

		/* Under the xarray lock a VM cannot be erased, hence freed. */
		xa_lock(&vfile->vms);
		xa_for_each(&vfile->vms, id, vm)
			seq_printf(m, "pid %d vm %u %s: completed %lld failed %lld faults %lld batches %lld ranges %lld replays %lld\n",
				   vfile->pid, vm->id,
				   vm->fault_mode ? "fault-mode" : "bind-mode",
				   atomic64_read(&vm->stats.completed),
				   atomic64_read(&vm->stats.failed),
				   atomic64_read(&vm->stats.faults),
				   atomic64_read(&vm->stats.batches),
				   atomic64_read(&vm->stats.ranges),
				   atomic64_read(&vm->stats.replays));
		xa_unlock(&vfile->vms);
	}
	mutex_unlock(&vdev->files_lock);
	return 0;
}
