// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright © 2026 The drm-svm authors
 */

#include <kunit/test.h>
#include <linux/lockdep.h>
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

/* A mock VRAM user: up to 8 allocations, each with an LRU stamp. */
struct mock_user {
	struct drm_svm_vram_evictor ev;
	struct drm_svm_vram *vram;
	struct list_head blocks[8];
	u64 stamp[8];
	unsigned int n, evicted;
};

static int mock_oldest_index(struct mock_user *u)
{
	unsigned int i;

	for (i = 0; i < u->n; i++)
		if (!list_empty(&u->blocks[i]))
			return i;
	return -1;
}

static u64 mock_oldest(struct drm_svm_vram_evictor *ev, bool visible,
		       void *ctx)
{
	struct mock_user *u = container_of(ev, struct mock_user, ev);
	int i = mock_oldest_index(u);

	lockdep_assert_held(&u->vram->lock);
	return i < 0 ? U64_MAX : u->stamp[i];
}

static int mock_evict(struct drm_svm_vram_evictor *ev, bool visible,
		      void *ctx)
{
	struct mock_user *u = container_of(ev, struct mock_user, ev);
	int i = mock_oldest_index(u);

	if (i < 0)
		return -ENOSPC;
	drm_svm_vram_free(u->vram, &u->blocks[i]);
	u->evicted |= BIT(i);
	return 0;
}

static const struct drm_svm_vram_evictor_ops mock_ops = {
	.oldest = mock_oldest,
	.evict = mock_evict,
};

static void mock_alloc(struct kunit *test, struct mock_user *u, u64 size)
{
	unsigned int i = u->n++;

	INIT_LIST_HEAD(&u->blocks[i]);
	KUNIT_ASSERT_EQ(test, drm_svm_vram_alloc_evict(u->vram, size, 0, 0,
						       &u->blocks[i], u), 0);
	u->stamp[i] = drm_svm_vram_lru_stamp(u->vram);
}

/* Two users evict each other strictly in LRU order, then -ENOSPC. */
static void drm_svm_vram_test_evict_lru(struct kunit *test)
{
	struct drm_svm_vram *vram = vram_test_setup(test, SZ_1M, SZ_1M);
	struct mock_user *a = kunit_kzalloc(test, sizeof(*a), GFP_KERNEL);
	struct mock_user *b = kunit_kzalloc(test, sizeof(*b), GFP_KERNEL);
	LIST_HEAD(pinned);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	a->vram = vram;
	b->vram = vram;
	drm_svm_vram_evictor_add(vram, &a->ev, &mock_ops);
	drm_svm_vram_evictor_add(vram, &b->ev, &mock_ops);

	/* a0 b0 a1 b1 fill the pool, oldest first. */
	mock_alloc(test, a, SZ_256K);
	mock_alloc(test, b, SZ_256K);
	mock_alloc(test, a, SZ_256K);
	mock_alloc(test, b, SZ_256K);
	KUNIT_EXPECT_EQ(test, drm_svm_vram_used(vram), SZ_1M);
	KUNIT_EXPECT_EQ(test, a->evicted | b->evicted, 0);

	/* b2 needs 256K: a0 (the oldest of all) goes. */
	mock_alloc(test, b, SZ_256K);
	KUNIT_EXPECT_EQ(test, a->evicted, BIT(0));
	KUNIT_EXPECT_EQ(test, b->evicted, 0);
	/* a3 needs 512K: b0 then a1. */
	mock_alloc(test, a, SZ_512K);
	KUNIT_EXPECT_EQ(test, a->evicted, BIT(0) | BIT(1));
	KUNIT_EXPECT_EQ(test, b->evicted, BIT(0));
	KUNIT_EXPECT_EQ(test, atomic64_read(&vram->evictions), 3);

	/* Unevictable memory only: the request fails, nothing else moves. */
	KUNIT_ASSERT_EQ(test, drm_svm_vram_alloc_evict(vram, SZ_1M, 0, 0,
						       &pinned, NULL), 0);
	KUNIT_EXPECT_EQ(test, a->evicted, BIT(0) | BIT(1) | BIT(2));
	KUNIT_EXPECT_EQ(test, b->evicted, BIT(0) | BIT(1) | BIT(2));
	INIT_LIST_HEAD(&b->blocks[7]);
	KUNIT_EXPECT_EQ(test, drm_svm_vram_alloc_evict(vram, SZ_4K, 0, 0,
						       &b->blocks[7], NULL),
			-ENOSPC);
	KUNIT_EXPECT_EQ(test, drm_svm_vram_evict(vram, false, NULL), -ENOSPC);

	drm_svm_vram_free(vram, &pinned);
	for (i = 0; i < a->n; i++)
		drm_svm_vram_free(vram, &a->blocks[i]);
	for (i = 0; i < b->n; i++)
		drm_svm_vram_free(vram, &b->blocks[i]);
	drm_svm_vram_evictor_remove(vram, &a->ev);
	drm_svm_vram_evictor_remove(vram, &b->ev);
	KUNIT_EXPECT_EQ(test, drm_svm_vram_used(vram), 0);
}

static struct kunit_case drm_svm_vram_tests[] = {
	KUNIT_CASE(drm_svm_vram_test_init_bad),
	KUNIT_CASE(drm_svm_vram_test_alloc_free),
	KUNIT_CASE(drm_svm_vram_test_bad_args),
	KUNIT_CASE(drm_svm_vram_test_visible),
	KUNIT_CASE(drm_svm_vram_test_topdown),
	KUNIT_CASE(drm_svm_vram_test_exhaust),
	KUNIT_CASE(drm_svm_vram_test_evict_lru),
	{}
};

static struct kunit_suite drm_svm_vram_test_suite = {
	.name = "drm_svm_vram",
	.test_cases = drm_svm_vram_tests,
};

kunit_test_suite(drm_svm_vram_test_suite);

MODULE_DESCRIPTION("KUnit tests for the drm_svm VRAM manager");
MODULE_LICENSE("Dual MIT/GPL");
