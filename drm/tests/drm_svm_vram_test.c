// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright © 2026 The drm-svm authors
 */

#include <kunit/test.h>
#include <linux/sizes.h>

#include <drm/drm_svm.h>

struct vram_test {
	struct drm_svm_vram vram;
	bool ready;
};

static void vram_test_fini(void *data)
{
	struct vram_test *t = data;

	if (t->ready)
		drm_svm_vram_fini(&t->vram);
}

/* 64 MiB of VRAM, 16 MiB of it CPU-visible, 4 KiB chunks. */
static struct drm_svm_vram *vram_test_setup(struct kunit *test, u64 size,
					    u64 visible)
{
	struct vram_test *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, t);
	KUNIT_ASSERT_EQ(test, drm_svm_vram_init(&t->vram, size, visible, SZ_4K),
			0);
	t->ready = true;
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, vram_test_fini, t),
			0);
	return &t->vram;
}

static void drm_svm_vram_test_init_bad(struct kunit *test)
{
	struct drm_svm_vram vram;

	KUNIT_EXPECT_EQ(test, drm_svm_vram_init(&vram, 0, 0, SZ_4K), -EINVAL);
	KUNIT_EXPECT_EQ(test, drm_svm_vram_init(&vram, SZ_1M, SZ_2M, SZ_4K),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, drm_svm_vram_init(&vram, SZ_1M, 0, 3 * SZ_4K),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, drm_svm_vram_init(&vram, SZ_1M, 0, SZ_2K),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, drm_svm_vram_init(&vram, SZ_1M + SZ_4K, 0,
						SZ_64K), -EINVAL);
}

static void drm_svm_vram_test_alloc_free(struct kunit *test)
{
	struct drm_svm_vram *vram = vram_test_setup(test, SZ_64M, SZ_16M);
	LIST_HEAD(a);
	LIST_HEAD(b);

	KUNIT_ASSERT_EQ(test, drm_svm_vram_alloc(vram, SZ_2M, 0, 0, &a), 0);
	KUNIT_EXPECT_EQ(test, drm_svm_vram_used(vram), (u64)SZ_2M);
	KUNIT_ASSERT_EQ(test, drm_svm_vram_alloc(vram, SZ_4K, 0, 0, &b), 0);
	KUNIT_EXPECT_EQ(test, drm_svm_vram_used(vram), (u64)SZ_2M + SZ_4K);
	drm_svm_vram_free(vram, &a);
	KUNIT_EXPECT_TRUE(test, list_empty(&a));
	KUNIT_EXPECT_EQ(test, drm_svm_vram_used(vram), (u64)SZ_4K);
	drm_svm_vram_free(vram, &b);
	KUNIT_EXPECT_EQ(test, drm_svm_vram_used(vram), 0ull);
	KUNIT_EXPECT_EQ(test, drm_svm_vram_visible_used(vram), 0ull);
}

static void drm_svm_vram_test_bad_args(struct kunit *test)
{
	struct drm_svm_vram *vram = vram_test_setup(test, SZ_64M, SZ_16M);
	LIST_HEAD(a);

	KUNIT_EXPECT_EQ(test, drm_svm_vram_alloc(vram, 0, 0, 0, &a), -EINVAL);
	KUNIT_EXPECT_EQ(test, drm_svm_vram_alloc(vram, SZ_4K + 1, 0, 0, &a),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, drm_svm_vram_alloc(vram, SZ_128M, 0, 0, &a),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, drm_svm_vram_alloc(vram, ~0ull & ~(SZ_4K - 1ull),
						 0, 0, &a), -EINVAL);
	KUNIT_EXPECT_EQ(test, drm_svm_vram_alloc(vram, SZ_4K, 0, BIT(31), &a),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, drm_svm_vram_alloc(vram, SZ_64K, 3 * SZ_4K, 0,
						 &a), -EINVAL);
	KUNIT_EXPECT_TRUE(test, list_empty(&a));
	KUNIT_EXPECT_EQ(test, drm_svm_vram_used(vram), 0ull);
}

static void drm_svm_vram_test_visible(struct kunit *test)
{
	struct drm_svm_vram *vram = vram_test_setup(test, SZ_64M, SZ_16M);
	struct gpu_buddy_block *block;
	LIST_HEAD(vis);
	LIST_HEAD(more);
	LIST_HEAD(inv);

	KUNIT_ASSERT_EQ(test, drm_svm_vram_alloc(vram, SZ_8M, 0,
						 DRM_SVM_VRAM_VISIBLE, &vis), 0);
	list_for_each_entry(block, &vis, link)
		KUNIT_EXPECT_LE(test, gpu_buddy_block_offset(block) +
				gpu_buddy_block_size(&vram->mm, block),
				(u64)SZ_16M);
	KUNIT_EXPECT_EQ(test, drm_svm_vram_visible_used(vram), (u64)SZ_8M);

	/* Only 8 MiB of the aperture is left, although VRAM has 56. */
	KUNIT_EXPECT_EQ(test, drm_svm_vram_alloc(vram, SZ_16M, 0,
						 DRM_SVM_VRAM_VISIBLE, &more),
			-ENOSPC);
	KUNIT_EXPECT_EQ(test, drm_svm_vram_alloc(vram, SZ_32M, 0,
						 DRM_SVM_VRAM_VISIBLE, &more),
			-ENOSPC);
	KUNIT_EXPECT_TRUE(test, list_empty(&more));
	KUNIT_ASSERT_EQ(test, drm_svm_vram_alloc(vram, SZ_32M, 0, 0, &inv), 0);
	KUNIT_EXPECT_EQ(test, drm_svm_vram_used(vram), (u64)SZ_8M + SZ_32M);

	drm_svm_vram_free(vram, &vis);
	drm_svm_vram_free(vram, &inv);
	KUNIT_EXPECT_EQ(test, drm_svm_vram_used(vram), 0ull);
	KUNIT_EXPECT_EQ(test, drm_svm_vram_visible_used(vram), 0ull);
}

static void drm_svm_vram_test_topdown(struct kunit *test)
{
	struct drm_svm_vram *vram = vram_test_setup(test, SZ_64M, SZ_16M);
	struct gpu_buddy_block *block;
	LIST_HEAD(a);

	KUNIT_ASSERT_EQ(test, drm_svm_vram_alloc(vram, SZ_32M, 0,
						 DRM_SVM_VRAM_TOPDOWN, &a), 0);
	list_for_each_entry(block, &a, link)
		KUNIT_EXPECT_GE(test, gpu_buddy_block_offset(block),
				(u64)SZ_16M);
	KUNIT_EXPECT_EQ(test, drm_svm_vram_visible_used(vram), 0ull);
	drm_svm_vram_free(vram, &a);
}

static void drm_svm_vram_test_exhaust(struct kunit *test)
{
	struct drm_svm_vram *vram = vram_test_setup(test, SZ_4M, SZ_4M);
	LIST_HEAD(a);
	LIST_HEAD(b);
	LIST_HEAD(c);

	KUNIT_ASSERT_EQ(test, drm_svm_vram_alloc(vram, SZ_2M, 0, 0, &a), 0);
	KUNIT_ASSERT_EQ(test, drm_svm_vram_alloc(vram, SZ_2M, 0, 0, &b), 0);
	KUNIT_EXPECT_EQ(test, drm_svm_vram_alloc(vram, SZ_4K, 0, 0, &c),
			-ENOSPC);
	KUNIT_EXPECT_TRUE(test, list_empty(&c));
	drm_svm_vram_free(vram, &a);
	KUNIT_EXPECT_EQ(test, drm_svm_vram_alloc(vram, SZ_2M, 0,
						 DRM_SVM_VRAM_CONTIGUOUS, &c), 0);
	KUNIT_EXPECT_EQ(test, drm_svm_vram_used(vram), (u64)SZ_4M);
	drm_svm_vram_free(vram, &b);
	drm_svm_vram_free(vram, &c);
	KUNIT_EXPECT_EQ(test, drm_svm_vram_used(vram), 0ull);
}

static struct kunit_case drm_svm_vram_tests[] = {
	KUNIT_CASE(drm_svm_vram_test_init_bad),
	KUNIT_CASE(drm_svm_vram_test_alloc_free),
	KUNIT_CASE(drm_svm_vram_test_bad_args),
	KUNIT_CASE(drm_svm_vram_test_visible),
	KUNIT_CASE(drm_svm_vram_test_topdown),
	KUNIT_CASE(drm_svm_vram_test_exhaust),
	{}
};

static struct kunit_suite drm_svm_vram_test_suite = {
	.name = "drm_svm_vram",
	.test_cases = drm_svm_vram_tests,
};

kunit_test_suite(drm_svm_vram_test_suite);

MODULE_DESCRIPTION("KUnit tests for the drm_svm VRAM manager");
MODULE_LICENSE("Dual MIT/GPL");
