// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright © 2026 The drm-svm authors
 */

#include <kunit/test.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/sizes.h>

#include <drm/drm_svm_attr.h>

#define A	(SZ_1G)
#define B	(SZ_1G + SZ_2M)
#define C	(SZ_1G + SZ_4M)
#define D	(SZ_1G + SZ_8M)

static void attr_test_fini(void *data)
{
	drm_svm_attrs_fini(data);
}

static struct drm_svm_attrs *attr_test_setup(struct kunit *test)
{
	struct drm_svm_attrs *attrs = kunit_kzalloc(test, sizeof(*attrs),
						    GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, attrs);
	drm_svm_attrs_init(attrs);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, attr_test_fini,
							attrs), 0);
	return attrs;
}

/* Expect preferred location @loc, accessed-by @ab over exactly [@lo, @hi). */
static void attr_expect(struct kunit *test, struct drm_svm_attrs *attrs,
			unsigned long addr, enum drm_svm_loc loc, bool ab,
			unsigned long lo, unsigned long hi)
{
	struct drm_svm_attr attr;
	unsigned long l, h;

	drm_svm_attrs_get(attrs, addr, &attr, &l, &h);
	KUNIT_EXPECT_EQ_MSG(test, attr.preferred_loc, loc, "at %#lx", addr);
	KUNIT_EXPECT_EQ_MSG(test, attr.accessed_by, ab, "at %#lx", addr);
	KUNIT_EXPECT_EQ_MSG(test, l, lo, "at %#lx", addr);
	KUNIT_EXPECT_EQ_MSG(test, h, hi, "at %#lx", addr);
}

/* Set @kind to @value over [@start, @end); the test stops if that fails. */
static void attr_set_ok(struct kunit *test, struct drm_svm_attrs *attrs,
			unsigned long start, unsigned long end,
			enum drm_svm_attr_kind kind, u32 value)
{
	KUNIT_ASSERT_EQ_MSG(test, drm_svm_attrs_set(attrs, start, end, kind,
						    value), 0,
			    "[%#lx, %#lx)", start, end);
}

static void drm_svm_attr_test_defaults(struct kunit *test)
{
	struct drm_svm_attrs *attrs = attr_test_setup(test);
	struct drm_svm_attr attr;
	unsigned long lo, hi;

	drm_svm_attrs_get(attrs, A, &attr, &lo, &hi);
	KUNIT_EXPECT_EQ(test, attr.preferred_loc, DRM_SVM_LOC_DEFAULT);
	KUNIT_EXPECT_EQ(test, attr.atomic, DRM_SVM_ATOMIC_DEFAULT);
	KUNIT_EXPECT_FALSE(test, attr.accessed_by);
	KUNIT_EXPECT_FALSE(test, attr.read_mostly);
	KUNIT_EXPECT_EQ(test, lo, 0);
	KUNIT_EXPECT_EQ(test, hi, TASK_SIZE);
}

static void drm_svm_attr_test_set_get(struct kunit *test)
{
	struct drm_svm_attrs *attrs = attr_test_setup(test);
	struct drm_svm_attr attr;
	unsigned long lo, hi;

	attr_set_ok(test, attrs, A, C,
		    DRM_SVM_ATTR_ATOMIC, DRM_SVM_ATOMIC_EXCLUSIVE);
	attr_set_ok(test, attrs, A, C, DRM_SVM_ATTR_READ_MOSTLY, 1);
	drm_svm_attrs_get(attrs, B, &attr, &lo, &hi);
	KUNIT_EXPECT_EQ(test, attr.atomic, DRM_SVM_ATOMIC_EXCLUSIVE);
	KUNIT_EXPECT_TRUE(test, attr.read_mostly);
	KUNIT_EXPECT_EQ(test, attr.preferred_loc, DRM_SVM_LOC_DEFAULT);
	KUNIT_EXPECT_FALSE(test, attr.accessed_by);
	KUNIT_EXPECT_EQ(test, lo, A);
	KUNIT_EXPECT_EQ(test, hi, C);
	/* the absent pieces on both sides hold the defaults */
	attr_expect(test, attrs, A - PAGE_SIZE, DRM_SVM_LOC_DEFAULT, false, 0,
		    A);
	attr_expect(test, attrs, C, DRM_SVM_LOC_DEFAULT, false, C, TASK_SIZE);
}

/* Overlapping updates of different attributes cut pieces at their edges. */
static void drm_svm_attr_test_split(struct kunit *test)
{
	struct drm_svm_attrs *attrs = attr_test_setup(test);

	attr_set_ok(test, attrs, A, C,
		    DRM_SVM_ATTR_PREFERRED_LOC, DRM_SVM_LOC_DEVICE);
	attr_set_ok(test, attrs, B, D, DRM_SVM_ATTR_ACCESSED_BY, 1);
	attr_expect(test, attrs, A, DRM_SVM_LOC_DEVICE, false, A, B);
	attr_expect(test, attrs, B, DRM_SVM_LOC_DEVICE, true, B, C);
	attr_expect(test, attrs, C - PAGE_SIZE, DRM_SVM_LOC_DEVICE, true, B,
		    C);
	attr_expect(test, attrs, C, DRM_SVM_LOC_DEFAULT, true, C, D);
	attr_expect(test, attrs, D, DRM_SVM_LOC_DEFAULT, false, D, TASK_SIZE);
	/* a one-page hole in the middle of a piece: three pieces */
	attr_set_ok(test, attrs, C + SZ_1M, C + SZ_1M + PAGE_SIZE,
		    DRM_SVM_ATTR_ACCESSED_BY, 0);
	attr_expect(test, attrs, C, DRM_SVM_LOC_DEFAULT, true, C, C + SZ_1M);
	attr_expect(test, attrs, C + SZ_1M, DRM_SVM_LOC_DEFAULT, false,
		    C + SZ_1M, C + SZ_1M + PAGE_SIZE);
	attr_expect(test, attrs, C + SZ_1M + PAGE_SIZE, DRM_SVM_LOC_DEFAULT,
		    true, C + SZ_1M + PAGE_SIZE, D);
}

/* Equal neighbours merge; setting the defaults back empties the tree. */
static void drm_svm_attr_test_merge(struct kunit *test)
{
	struct drm_svm_attrs *attrs = attr_test_setup(test);

	attr_set_ok(test, attrs, A, B,
		    DRM_SVM_ATTR_PREFERRED_LOC, DRM_SVM_LOC_SYSTEM);
	attr_set_ok(test, attrs, C, D,
		    DRM_SVM_ATTR_PREFERRED_LOC, DRM_SVM_LOC_SYSTEM);
	attr_expect(test, attrs, B, DRM_SVM_LOC_DEFAULT, false, B, C);
	/* filling the gap joins the three pieces */
	attr_set_ok(test, attrs, B, C,
		    DRM_SVM_ATTR_PREFERRED_LOC, DRM_SVM_LOC_SYSTEM);
	attr_expect(test, attrs, B, DRM_SVM_LOC_SYSTEM, false, A, D);
	/* a different value in the middle, then back: one piece again */
	attr_set_ok(test, attrs, B, C, DRM_SVM_ATTR_ACCESSED_BY, 1);
	attr_expect(test, attrs, A, DRM_SVM_LOC_SYSTEM, false, A, B);
	attr_set_ok(test, attrs, B, C, DRM_SVM_ATTR_ACCESSED_BY, 0);
	attr_expect(test, attrs, C, DRM_SVM_LOC_SYSTEM, false, A, D);
	/* back to the defaults: absent everywhere */
	attr_set_ok(test, attrs, A, D,
		    DRM_SVM_ATTR_PREFERRED_LOC, DRM_SVM_LOC_DEFAULT);
	attr_expect(test, attrs, B, DRM_SVM_LOC_DEFAULT, false, 0, TASK_SIZE);
}

static void drm_svm_attr_test_bad(struct kunit *test)
{
	struct drm_svm_attrs *attrs = attr_test_setup(test);
	enum drm_svm_attr_kind loc = DRM_SVM_ATTR_PREFERRED_LOC;

	KUNIT_EXPECT_EQ(test, drm_svm_attrs_set(attrs, A + 1, B, loc, 1),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, drm_svm_attrs_set(attrs, A, B - 1, loc, 1),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, drm_svm_attrs_set(attrs, A, A, loc, 1), -EINVAL);
	/* an end that wrapped around */
	KUNIT_EXPECT_EQ(test, drm_svm_attrs_set(attrs, B, A, loc, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, drm_svm_attrs_set(attrs, A, TASK_SIZE + PAGE_SIZE,
						loc, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, drm_svm_attrs_set(attrs, A, B,
						DRM_SVM_ATTR_COUNT, 0),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, drm_svm_attrs_set(attrs, A, B, loc,
						DRM_SVM_LOC_DEVICE + 1),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, drm_svm_attrs_set(attrs, A, B,
						DRM_SVM_ATTR_ACCESSED_BY, 2),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, drm_svm_attrs_set(attrs, A, B,
						DRM_SVM_ATTR_ATOMIC,
						DRM_SVM_ATOMIC_EXCLUSIVE + 1),
			-EINVAL);
	/* nothing was stored */
	attr_expect(test, attrs, A, DRM_SVM_LOC_DEFAULT, false, 0, TASK_SIZE);
	/* the top of the user address space is fine */
	KUNIT_EXPECT_EQ(test, drm_svm_attrs_set(attrs, TASK_SIZE - PAGE_SIZE,
						TASK_SIZE, loc, 1), 0);
	attr_expect(test, attrs, TASK_SIZE - PAGE_SIZE, DRM_SVM_LOC_SYSTEM,
		    false, TASK_SIZE - PAGE_SIZE, TASK_SIZE);
}

/* A fatal signal stops a walk over many pieces after the first one. */
static void drm_svm_attr_test_fatal_signal(struct kunit *test)
{
	struct drm_svm_attrs *attrs = attr_test_setup(test);
	unsigned long addr;

	for (addr = A; addr < D; addr += 2 * PAGE_SIZE)
		attr_set_ok(test, attrs, addr, addr + PAGE_SIZE,
			    DRM_SVM_ATTR_ACCESSED_BY, 1);
	allow_signal(SIGKILL);
	send_sig(SIGKILL, current, 1);
	KUNIT_EXPECT_TRUE(test, fatal_signal_pending(current));
	KUNIT_EXPECT_EQ(test, drm_svm_attrs_set(attrs, A, D,
						DRM_SVM_ATTR_PREFERRED_LOC,
						DRM_SVM_LOC_DEVICE), -EINTR);
	flush_signals(current);
	disallow_signal(SIGKILL);
	attr_expect(test, attrs, A, DRM_SVM_LOC_DEVICE, true, A,
		    A + PAGE_SIZE);
	attr_expect(test, attrs, D - PAGE_SIZE, DRM_SVM_LOC_DEFAULT, false,
		    D - PAGE_SIZE, TASK_SIZE);
}

static struct kunit_case drm_svm_attr_tests[] = {
	KUNIT_CASE(drm_svm_attr_test_defaults),
	KUNIT_CASE(drm_svm_attr_test_set_get),
	KUNIT_CASE(drm_svm_attr_test_split),
	KUNIT_CASE(drm_svm_attr_test_merge),
	KUNIT_CASE(drm_svm_attr_test_bad),
	KUNIT_CASE(drm_svm_attr_test_fatal_signal),
	{}
};

static struct kunit_suite drm_svm_attr_test_suite = {
	.name = "drm_svm_attr",
	.test_cases = drm_svm_attr_tests,
};

kunit_test_suite(drm_svm_attr_test_suite);
