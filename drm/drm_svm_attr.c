// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright © 2026 The drm-svm authors
 */

#include <linux/bitfield.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/xarray.h>

#include <drm/drm_svm_attr.h>

/**
 * DOC: SVM attributes
 *
 * &struct drm_svm_attrs holds the memory attributes a process gave spans of
 * its address space (madvise-style hints; &enum drm_svm_attr_kind): the
 * preferred location, accessed-by, read-mostly and the atomic policy. The
 * fault policy (drm_svm_fault()) reads them at the faulting address, and
 * the extent over which they hold bounds the range the fault creates, so a
 * range never straddles an attribute boundary.
 *
 * Storage: a maple tree keyed by address whose entries pack every
 * attribute in one value entry; an address without an entry has all the
 * defaults (zero). drm_svm_attrs_set() changes one attribute over a span
 * piece by piece, keeping the other attributes of each piece, and merges a
 * piece with its neighbours when their attributes end up equal, so the tree
 * never holds more pieces than distinct neighbouring attribute sets.
 *
 * Locking: updates are serialised by &drm_svm_attrs.lock (a read-modify-
 * write of each piece); lookups take only the maple tree's own lock and may
 * run concurrently with an update, seeing each piece either before or after
 * it. Nothing else is taken inside either lock.
 */

#define DRM_SVM_ATTR_BITS_LOC		GENMASK(1, 0)
#define DRM_SVM_ATTR_BITS_ACCESSED_BY	BIT(2)
#define DRM_SVM_ATTR_BITS_READ_MOSTLY	BIT(3)
#define DRM_SVM_ATTR_BITS_ATOMIC		GENMASK(5, 4)

static const u32 drm_svm_attr_max[DRM_SVM_ATTR_COUNT] = {
	[DRM_SVM_ATTR_PREFERRED_LOC] = DRM_SVM_LOC_DEVICE,
	[DRM_SVM_ATTR_ACCESSED_BY] = 1,
	[DRM_SVM_ATTR_READ_MOSTLY] = 1,
	[DRM_SVM_ATTR_ATOMIC] = DRM_SVM_ATOMIC_EXCLUSIVE,
};

/**
 * drm_svm_attrs_init() - empty attributes: every address at the defaults
 * @attrs: the attributes to set up
 */
void drm_svm_attrs_init(struct drm_svm_attrs *attrs)
{
	mt_init(&attrs->tree);
	mutex_init(&attrs->lock);
}
EXPORT_SYMBOL_GPL(drm_svm_attrs_init);

/**
 * drm_svm_attrs_fini() - free the attributes
 * @attrs: the attributes; no update or lookup may run
 */
void drm_svm_attrs_fini(struct drm_svm_attrs *attrs)
{
	mtree_destroy(&attrs->tree);
	mutex_destroy(&attrs->lock);
}
EXPORT_SYMBOL_GPL(drm_svm_attrs_fini);

/* The packed attributes at @addr and the extent [@lo, @hi) of the piece. */
static unsigned long drm_svm_attrs_raw(struct drm_svm_attrs *attrs,
				       unsigned long addr, unsigned long *lo,
				       unsigned long *hi)
{
	MA_STATE(mas, &attrs->tree, addr, addr);
	void *entry;

	mtree_lock(&attrs->tree);
	entry = mas_walk(&mas);
	*lo = mas.index;
	*hi = mas.last >= TASK_SIZE ? TASK_SIZE : mas.last + 1;
	mtree_unlock(&attrs->tree);
	return entry ? xa_to_value(entry) : 0;
}

static unsigned long drm_svm_attr_pack(unsigned long val,
				       enum drm_svm_attr_kind kind, u32 value)
{
	switch (kind) {
	case DRM_SVM_ATTR_PREFERRED_LOC:
		val &= ~DRM_SVM_ATTR_BITS_LOC;
		return val | FIELD_PREP(DRM_SVM_ATTR_BITS_LOC, value);
	case DRM_SVM_ATTR_ACCESSED_BY:
		return value ? val | DRM_SVM_ATTR_BITS_ACCESSED_BY :
			val & ~DRM_SVM_ATTR_BITS_ACCESSED_BY;
	case DRM_SVM_ATTR_READ_MOSTLY:
		return value ? val | DRM_SVM_ATTR_BITS_READ_MOSTLY :
			val & ~DRM_SVM_ATTR_BITS_READ_MOSTLY;
	default:
		val &= ~DRM_SVM_ATTR_BITS_ATOMIC;
		return val | FIELD_PREP(DRM_SVM_ATTR_BITS_ATOMIC, value);
	}
}

/*
 * Store @val over [@start, @end), taking in the neighbours that hold the
 * same value so equal pieces merge. Under &drm_svm_attrs.lock.
 */
static int drm_svm_attrs_store(struct drm_svm_attrs *attrs,
			       unsigned long start, unsigned long end,
			       unsigned long val)
{
	unsigned long lo, hi;

	lockdep_assert_held(&attrs->lock);
	if (start && drm_svm_attrs_raw(attrs, start - 1, &lo, &hi) == val)
		start = lo;
	if (end < TASK_SIZE && drm_svm_attrs_raw(attrs, end, &lo, &hi) == val)
		end = hi;
	return mtree_store_range(&attrs->tree, start, end - 1,
				 val ? xa_mk_value(val) : NULL,
				 GFP_KERNEL_ACCOUNT);
}

/**
 * drm_svm_attrs_set() - set one attribute over a span
 * @attrs: the attributes
 * @start: page-aligned start of the span
 * @end: page-aligned end of the span (exclusive), at most %TASK_SIZE
 * @kind: the attribute
 * @value: its new value (see &enum drm_svm_attr_kind)
 *
 * The other attributes of every piece of the span stay as they are. The
 * span is walked one existing piece at a time, rescheduling in between;
 * a fatal signal stops the walk with the pieces done so far updated. Must
 * be called in process context without the lock of @attrs. Memory is
 * charged to the caller.
 *
 * Return: 0, -EINVAL (unaligned, empty or out-of-range span, unknown
 * attribute or value), -ENOMEM, -EINTR.
 */
int drm_svm_attrs_set(struct drm_svm_attrs *attrs, unsigned long start,
		      unsigned long end, enum drm_svm_attr_kind kind,
		      u32 value)
{
	unsigned long addr, lo, hi, val, nval;
	int ret = 0;

	if (!PAGE_ALIGNED(start) || !PAGE_ALIGNED(end) || start >= end ||
	    end > TASK_SIZE || kind >= DRM_SVM_ATTR_COUNT ||
	    value > drm_svm_attr_max[kind])
		return -EINVAL;
	mutex_lock(&attrs->lock);
	for (addr = start; addr < end && !ret; addr = hi) {
		val = drm_svm_attrs_raw(attrs, addr, &lo, &hi);
		hi = min(hi, end);
		nval = drm_svm_attr_pack(val, kind, value);
		if (nval != val)
			ret = drm_svm_attrs_store(attrs, addr, hi, nval);
		if (!ret && hi < end && fatal_signal_pending(current))
			ret = -EINTR;
		cond_resched();
	}
	mutex_unlock(&attrs->lock);
	return ret;
}
EXPORT_SYMBOL_GPL(drm_svm_attrs_set);

/**
 * drm_svm_attrs_get() - the attributes at an address
 * @attrs: the attributes
 * @addr: a user address below %TASK_SIZE
 * @attr: receives the attributes at @addr
 * @lo: receives the start of the extent they hold over
 * @hi: receives its end (exclusive), at most %TASK_SIZE
 *
 * The extent is the piece @addr lies in: the attributes may hold beyond it
 * only if a concurrent update has not merged the neighbours yet. May be
 * called from any context that may take a spinlock.
 */
void drm_svm_attrs_get(struct drm_svm_attrs *attrs, unsigned long addr,
		       struct drm_svm_attr *attr, unsigned long *lo,
		       unsigned long *hi)
{
	unsigned long val = drm_svm_attrs_raw(attrs, addr, lo, hi);

	attr->preferred_loc = FIELD_GET(DRM_SVM_ATTR_BITS_LOC, val);
	attr->atomic = FIELD_GET(DRM_SVM_ATTR_BITS_ATOMIC, val);
	attr->accessed_by = val & DRM_SVM_ATTR_BITS_ACCESSED_BY;
	attr->read_mostly = val & DRM_SVM_ATTR_BITS_READ_MOSTLY;
}
EXPORT_SYMBOL_GPL(drm_svm_attrs_get);
