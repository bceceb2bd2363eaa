// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright © 2026 The drm-svm authors
 */

#include <linux/hmm.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched/mm.h>

#include <drm/drm_svm_fault.h>
#include <drm/drm_svm_mirror.h>
#include <drm/drm_svm_pagemap.h>

/**
 * DOC: SVM fault policy
 *
 * &struct drm_svm_policy turns a device fault into mapped pages the way
 * every SVM driver would: drm_svm_fault() resolves the span one helper
 * range at a time (drm_svm_range_obtain(): 2 MiB, 64 KiB or 4 KiB chunks
 * that never cross an attribute boundary, see "SVM attributes"), so one
 * fault maps a whole range. Before mapping, the range's attributes decide
 * where the data goes (drm_svm_placement()):
 *
 * - accessed-by, or read-mostly for a read: map in place, never migrate
 *   (a read-mostly read maps read-only: a write faults again and follows
 *   the preferred location);
 * - preferred location device: migrate into the device's memory
 *   (drm_svm_pagemap_migrate()), unless the range is there already or the
 *   thrash guard holds it; a migration that moved pages is accounted with
 *   drm_svm_range_account_migration();
 * - preferred location system: bring pages in device memory back first;
 * - default: map in place (pages in device memory stay there).
 *
 * The driver may override the choice per range
 * (&drm_svm_policy_ops.placement); a policy without a pagemap always maps
 * in place. A migration that fails (a VMA that cannot migrate, device
 * memory full) leaves the pages where they are: the range is then mapped
 * in place. Then the whole range is faulted with drm_svm_mirror_fault()
 * and handed to &drm_svm_policy_ops.update under the mirror lock; the
 * helper flags the range %DRM_SVM_RANGE_DEVICE_MAPPED, and
 * %DRM_SVM_RANGE_DEVMEM when every page is in the policy's pagemap.
 *
 * Atomic faults: pages in the device's own memory are served by the
 * update. For the others the atomic policy either migrates the range
 * (%DRM_SVM_ATOMIC_DEVICE, or the default with preferred location device)
 * or converts the CPU PTEs to device-exclusive entries
 * (drm_svm_mirror_make_exclusive()), handed to the update with
 * %DRM_SVM_UPDATE_EXCLUSIVE. The CPU turns them back by touching the page:
 * the invalidation zaps the device entry, and the CPU sees the device's
 * writes since the page never moved.
 *
 * drm_svm_madvise() stores an attribute, cuts the ranges at the span's
 * edges and zaps the span's device mappings (&drm_svm_mirror_ops.invalidate)
 * and the ranges' mapped flags, so the next device access faults under the
 * new attributes. The range flags are the helper's: drivers only read them.
 *
 * Thrash guard: the knobs are &drm_svm_mirror.thrash_count,
 * &drm_svm_mirror.thrash_window_ms and &drm_svm_mirror.thrash_hold_ms; the
 * driver sets them (vsvm from module parameters) after drm_svm_mirror_init().
 *
 * Locking: no lock is held across a range; the mmap lock is taken (read)
 * by each step (range creation, migration, the fault) in turn, and the
 * mirror lock inside it only to read and write range state and for
 * &drm_svm_policy_ops.update. Attribute updates take &drm_svm_attrs.lock,
 * lookups only the maple tree's lock; neither nests with the others.
 */

/**
 * drm_svm_policy_init() - set up the fault policy of a mirror
 * @policy: the policy to set up
 * @mirror: the mirror, initialised (drm_svm_mirror_init())
 * @pagemap: the device's memory, or NULL when the device has none
 * @ops: driver callbacks, &drm_svm_policy_ops.update mandatory
 *
 * Return: 0, or -EINVAL without a mirror or an update callback.
 */
int drm_svm_policy_init(struct drm_svm_policy *policy,
			struct drm_svm_mirror *mirror,
			struct drm_svm_pagemap *pagemap,
			const struct drm_svm_policy_ops *ops)
{
	if (!mirror || !ops || !ops->update)
		return -EINVAL;
	policy->mirror = mirror;
	policy->pagemap = pagemap;
	policy->ops = ops;
	drm_svm_attrs_init(&policy->attrs);
	return 0;
}
EXPORT_SYMBOL_GPL(drm_svm_policy_init);

/**
 * drm_svm_policy_fini() - free the policy's attributes
 * @policy: the policy; no fault or madvise may run
 */
void drm_svm_policy_fini(struct drm_svm_policy *policy)
{
	drm_svm_attrs_fini(&policy->attrs);
}
EXPORT_SYMBOL_GPL(drm_svm_policy_fini);

/* Zap the device mappings of [@start, @end): the next access faults. */
static void drm_svm_policy_zap(struct drm_svm_policy *policy,
			       unsigned long start, unsigned long end)
{
	struct drm_svm_mirror *mirror = policy->mirror;
	struct drm_svm_range *r;

	mutex_lock(&mirror->lock);
	mirror->ops->invalidate(mirror, start, end);
	for (r = drm_svm_range_next(mirror, NULL, start, end); r;
	     r = drm_svm_range_next(mirror, r, start, end))
		r->flags &= ~(DRM_SVM_RANGE_DEVICE_MAPPED |
			      DRM_SVM_RANGE_DEVMEM);
	mutex_unlock(&mirror->lock);
}

/**
 * drm_svm_madvise() - set an attribute over a span of the mirror
 * @policy: the policy
 * @start: page-aligned start
 * @end: page-aligned end (exclusive), at most %TASK_SIZE
 * @kind: the attribute
 * @value: its value (see &enum drm_svm_attr_kind)
 *
 * Stores the attribute (drm_svm_attrs_set()), cuts the ranges at the span's
 * edges (a range never straddles an attribute boundary) and zaps the span's
 * device mappings, so the next device access faults under the new
 * attributes. After a partial update (-ENOMEM, -EINTR) the span is still
 * cut and zapped. Must be called without the mirror lock or the mmap lock;
 * may sleep.
 *
 * Return: 0, -EINVAL (bad span, attribute or value), -ENOMEM, -EINTR.
 */
int drm_svm_madvise(struct drm_svm_policy *policy, unsigned long start,
		    unsigned long end, enum drm_svm_attr_kind kind, u32 value)
{
	int ret, err;

	ret = drm_svm_attrs_set(&policy->attrs, start, end, kind, value);
	if (ret == -EINVAL)
		return ret;
	err = drm_svm_range_split(policy->mirror, start);
	if (!err && end < TASK_SIZE)
		err = drm_svm_range_split(policy->mirror, end);
	drm_svm_policy_zap(policy, start, end);
	return ret ?: err;
}
EXPORT_SYMBOL_GPL(drm_svm_madvise);

/**
 * drm_svm_placement() - the default placement of a faulting range
 * @attr: the range's attributes
 * @access: the access that faulted, DRM_SVM_FAULT_*
 *
 * The rules of "SVM fault policy"; a &drm_svm_policy_ops.placement override
 * gets this result and may call it for other access kinds.
 *
 * Return: where the range goes before it is mapped.
 */
enum drm_svm_place drm_svm_placement(const struct drm_svm_attr *attr,
				     unsigned int access)
{
	if (access & DRM_SVM_FAULT_ATOMIC) {
		if (attr->atomic == DRM_SVM_ATOMIC_DEVICE ||
		    (attr->atomic == DRM_SVM_ATOMIC_DEFAULT &&
		     attr->preferred_loc == DRM_SVM_LOC_DEVICE))
			return DRM_SVM_PLACE_DEVICE;
		return DRM_SVM_PLACE_IN_PLACE;
	}
	if (attr->accessed_by)
		return DRM_SVM_PLACE_IN_PLACE;
	if (attr->read_mostly && !(access & DRM_SVM_FAULT_WRITE))
		return DRM_SVM_PLACE_IN_PLACE;
	if (attr->preferred_loc == DRM_SVM_LOC_DEVICE)
		return DRM_SVM_PLACE_DEVICE;
	if (attr->preferred_loc == DRM_SVM_LOC_SYSTEM)
		return DRM_SVM_PLACE_SYSTEM;
	return DRM_SVM_PLACE_IN_PLACE;
}
EXPORT_SYMBOL_GPL(drm_svm_placement);

/* Migrate [@start, @end) into device memory unless the thrash guard holds it. */
static void drm_svm_fault_to_device(struct drm_svm_policy *policy,
				    unsigned long start, unsigned long end)
{
	struct drm_svm_mirror *mirror = policy->mirror;
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
	/* A VMA that cannot migrate or a full device memory: map in place. */
	drm_svm_pagemap_migrate(policy->pagemap, mirror->mm, start, end, true,
				&moved);
	if (!moved)
		return;
	mutex_lock(&mirror->lock);
	r = drm_svm_range_find(mirror, start);
	if (r)
		drm_svm_range_account_migration(mirror, r);
	mutex_unlock(&mirror->lock);
}

/* Place [@start, @end) per its attributes before it is faulted. */
static void drm_svm_fault_place(struct drm_svm_policy *policy,
				const struct drm_svm_attr *attr,
				unsigned int access, unsigned long start,
				unsigned long end)
{
	enum drm_svm_place place;
	u64 moved;

	if (!policy->pagemap)
		return;
	place = drm_svm_placement(attr, access);
	if (policy->ops->placement)
		place = policy->ops->placement(policy, attr, access, start, end,
					       place);
	if (place == DRM_SVM_PLACE_DEVICE)
		drm_svm_fault_to_device(policy, start, end);
	else if (place == DRM_SVM_PLACE_SYSTEM)
		drm_svm_pagemap_migrate(policy->pagemap, policy->mirror->mm,
					start, end, false, &moved);
}

/**
 * struct drm_svm_fault_state - one range's fault, seen by the update
 */
struct drm_svm_fault_state {
	/** @policy: the policy. */
	struct drm_svm_policy *policy;
	/** @flags: DRM_SVM_UPDATE_* for the driver's update. */
	unsigned int flags;
	/** @not_local: the update saw a page outside the policy's pagemap. */
	bool not_local;
	/** @error: the driver's update failed. */
	int error;
};

/*
 * Is any of @pfns outside the policy's pagemap? Stops at the first one: a
 * range in system memory costs one check, not one per page.
 */
static bool drm_svm_fault_not_local(struct drm_svm_policy *policy,
				    const unsigned long *pfns,
				    unsigned long npages)
{
	unsigned long i;

	if (!policy->pagemap)
		return true;
	for (i = 0; i < npages; i++)
		if (!(pfns[i] & HMM_PFN_VALID) ||
		    !drm_svm_pagemap_is_local(policy->pagemap,
					      hmm_pfn_to_page(pfns[i])))
			return true;
	return false;
}

/* drm_svm_mirror_update_t: the driver maps, the helper flags the range. */
static void drm_svm_fault_update(struct drm_svm_mirror *mirror,
				 unsigned long start, const unsigned long *pfns,
				 unsigned long npages, void *arg)
{
	struct drm_svm_fault_state *s = arg;
	unsigned long end = start + (npages << PAGE_SHIFT);
	struct drm_svm_range *r;

	s->error = s->policy->ops->update(s->policy, start, pfns, npages,
					  s->flags);
	if (s->error)
		return;
	s->not_local = s->not_local ||
		drm_svm_fault_not_local(s->policy, pfns, npages);
	if (s->flags & DRM_SVM_UPDATE_EXCLUSIVE)
		return;
	r = drm_svm_range_find(mirror, start);
	if (!r || drm_svm_range_start(r) != start ||
	    drm_svm_range_end(r) != end)
		return;
	r->flags |= DRM_SVM_RANGE_DEVICE_MAPPED;
	if (s->not_local)
		r->flags &= ~DRM_SVM_RANGE_DEVMEM;
	else
		r->flags |= DRM_SVM_RANGE_DEVMEM;
}

/* Device-exclusive entries for the system pages of [@start, @end). */
static int drm_svm_fault_exclusive(struct drm_svm_policy *policy,
				   unsigned long start, unsigned long end)
{
	struct drm_svm_fault_state s = {
		.policy = policy,
		.flags = DRM_SVM_UPDATE_EXCLUSIVE,
	};
	int ret;

	ret = drm_svm_mirror_make_exclusive(policy->mirror, start, end,
					    drm_svm_fault_update, &s);
	return ret ?: s.error;
}

/* Resolve the range holding @addr; *@next receives its end. */
static int drm_svm_fault_range(struct drm_svm_policy *policy,
			       unsigned long addr, unsigned int access,
			       unsigned long *next)
{
	struct drm_svm_fault_state s = { .policy = policy };
	unsigned long lo, hi, start, end;
	struct drm_svm_attr attr;
	int ret;

	drm_svm_attrs_get(&policy->attrs, addr, &attr, &lo, &hi);
	ret = drm_svm_range_obtain(policy->mirror, addr, lo, hi, &start, &end);
	if (ret)
		return ret;
	*next = end;
	if (attr.read_mostly &&
	    !(access & (DRM_SVM_FAULT_WRITE | DRM_SVM_FAULT_ATOMIC)))
		s.flags |= DRM_SVM_UPDATE_READ_ONLY;
	drm_svm_fault_place(policy, &attr, access, start, end);
	if (policy->ops->prepare) {
		ret = policy->ops->prepare(policy, start, end);
		if (ret)
			return ret;
	}
	ret = drm_svm_mirror_fault(policy->mirror, start, end,
				   access & (DRM_SVM_FAULT_WRITE |
					     DRM_SVM_FAULT_ATOMIC),
				   false, drm_svm_fault_update, &s);
	ret = ret ?: s.error;
	if (!ret && (access & DRM_SVM_FAULT_ATOMIC) && s.not_local)
		ret = drm_svm_fault_exclusive(policy, start, end);
	return ret;
}

/**
 * drm_svm_fault() - resolve a device fault
 * @policy: the policy of the faulting mirror
 * @start: page-aligned start address
 * @end: page-aligned end address (exclusive)
 * @access: DRM_SVM_FAULT_* of the access that faulted
 *
 * Maps every range overlapping [@start, @end) for the access in @access
 * through &drm_svm_policy_ops.update, migrating per the attributes first
 * (see "SVM fault policy"). An invalidation may zap the new entries again
 * at any time: the caller retries its device access afterwards and faults
 * again if it misses. Must be called in process context without the mirror
 * lock or the mmap lock; may sleep. Stops on a fatal signal.
 *
 * Return: 0, -EINVAL (unaligned or empty span), -EFAULT (hole, PROT_NONE,
 * or beyond %TASK_SIZE), -EPERM (write or atomic access to a read-only
 * mapping), -EBUSY, -ENOMEM, -EINTR, -ESRCH (address space gone), or the
 * driver's update error.
 */
int drm_svm_fault(struct drm_svm_policy *policy, unsigned long start,
		  unsigned long end, unsigned int access)
{
	struct mm_struct *mm = policy->mirror->mm;
	unsigned long addr, next;
	int ret = 0;

	if (!PAGE_ALIGNED(start) || !PAGE_ALIGNED(end) || start >= end)
		return -EINVAL;
	/* nothing is mapped there */
	if (end > TASK_SIZE)
		return -EFAULT;
	if (!mmget_not_zero(mm))
		return -ESRCH;
	for (addr = start; addr < end && !ret; addr = next) {
		ret = drm_svm_fault_range(policy, addr, access, &next);
		if (!ret && next < end && fatal_signal_pending(current))
			ret = -EINTR;
	}
	mmput(mm);
	return ret;
}
EXPORT_SYMBOL_GPL(drm_svm_fault);
