// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright © 2026 The drm-svm authors
 *
 * KUnit tests of the drm_svm GEM placement state machine, with a mock
 * device: VRAM backed by a page array and a copy engine that the test can
 * pause to look at moves in flight.
 */

#include <kunit/device.h>
#include <kunit/test.h>
#include <linux/dma-fence.h>
#include <linux/highmem.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>

#include <drm/drm_drv.h>
#include <drm/drm_gem.h>
#include <drm/drm_svm.h>
#include <drm/drm_svm_bo.h>
#include <drm/drm_svm_compat.h>

#include "drm_svm_test_util.h"

/* The fence must come first: its default release kfree()s it. */
struct mock_copy {
	struct dma_fence fence;
	struct list_head link;
	struct drm_svm_copy req;	/* arrays owned by the mock */
};

struct mock_dev {
	struct drm_device drm;
	struct drm_svm_vram vram;
	struct drm_svm_device svm;
	struct page **store;
	unsigned long npages;
	spinlock_t lock;		/* protects queue, paused, fences */
	struct list_head queue;
	bool paused;
	struct work_struct work;
	u64 context, seqno;
	unsigned int copies, copied_pages;
};

static const char *mock_fence_name(struct dma_fence *f)
{
	return "drm_svm_mock";
}

static const struct dma_fence_ops mock_fence_ops = {
	.get_driver_name = mock_fence_name,
	.get_timeline_name = mock_fence_name,
};

static struct mock_dev *to_mock(struct drm_svm_device *sdev)
{
	return container_of(sdev, struct mock_dev, svm);
}

static struct page *mock_vram_page(struct drm_svm_device *sdev, u64 offset)
{
	return to_mock(sdev)->store[offset >> PAGE_SHIFT];
}

static unsigned long mock_vram_pfn(struct drm_svm_device *sdev, u64 offset)
{
	return page_to_pfn(mock_vram_page(sdev, offset));
}

static struct page *mock_page(struct mock_dev *m, u32 pl, u64 entry)
{
	return pl == DRM_SVM_PL_VRAM ? m->store[entry >> PAGE_SHIFT] :
		(struct page *)(uintptr_t)entry;
}

static void mock_run(struct work_struct *work)
{
	struct mock_dev *m = container_of(work, struct mock_dev, work);
	struct mock_copy *c;
	unsigned long i;

	for (;;) {
		spin_lock(&m->lock);
		c = m->paused ? NULL :
			list_first_entry_or_null(&m->queue, struct mock_copy, link);
		if (c)
			list_del(&c->link);
		spin_unlock(&m->lock);
		if (!c)
			return;
		for (i = 0; i < c->req.ndeps; i++) {
			dma_fence_wait(c->req.deps[i], false);
			dma_fence_put(c->req.deps[i]);
		}
		for (i = 0; i < c->req.npages; i++) {
			struct page *d = mock_page(m, c->req.dst_pl,
						   c->req.dst_vram[i]);

			if (c->req.src_pl == DRM_SVM_PL_ZERO)
				clear_highpage(d);
			else
				copy_highpage(d, mock_page(m, c->req.src_pl,
							   c->req.src_vram[i]));
		}
		kvfree(c->req.src_vram);
		kvfree(c->req.dst_vram);
		kfree(c->req.deps);
		dma_fence_signal(&c->fence);
		dma_fence_put(&c->fence);
	}
}

static struct dma_fence *mock_copy(struct drm_svm_device *sdev,
				   const struct drm_svm_copy *req)
{
	struct mock_dev *m = to_mock(sdev);
	size_t bytes = req->npages * sizeof(u64);
	struct mock_copy *c = kzalloc(sizeof(*c), GFP_KERNEL);
	unsigned int i;

	if (!c)
		return ERR_PTR(-ENOMEM);
	c->req = *req;
	c->req.src_vram = kvmemdup(req->src_vram, bytes, GFP_KERNEL);
	c->req.dst_vram = kvmemdup(req->dst_vram, bytes, GFP_KERNEL);
	c->req.deps = kcalloc(req->ndeps + 1, sizeof(void *), GFP_KERNEL);
	if (!c->req.src_vram || !c->req.dst_vram || !c->req.deps) {
		kvfree(c->req.src_vram);
		kvfree(c->req.dst_vram);
		kfree(c->req.deps);
		kfree(c);
		return ERR_PTR(-ENOMEM);
	}
	for (i = 0; i < req->ndeps; i++)
		c->req.deps[i] = dma_fence_get(req->deps[i]);

	spin_lock(&m->lock);
	dma_fence_init(&c->fence, &mock_fence_ops, &m->lock, m->context,
		       ++m->seqno);
	dma_fence_get(&c->fence);
	list_add_tail(&c->link, &m->queue);
	m->copies++;
	m->copied_pages += req->npages;
	spin_unlock(&m->lock);
	queue_work(system_percpu_wq, &m->work);
	return &c->fence;
}

static const struct drm_svm_device_ops mock_ops = {
	.copy = mock_copy,
	.vram_pfn = mock_vram_pfn,
	.vram_page = mock_vram_page,
};

static const struct drm_svm_device_ops mock_cpu_ops = {
	.vram_pfn = mock_vram_pfn,
	.vram_page = mock_vram_page,
};

static const struct drm_driver mock_driver = {
	.driver_features = DRIVER_GEM,
	.name = "drm_svm_mock",
	.desc = "drm_svm KUnit mock",
	DRM_SVM_DRIVER_DATE("20261121")
};

static void mock_fini(void *data)
{
	struct mock_dev *m = data;
	unsigned long i;

	spin_lock(&m->lock);
	m->paused = false;
	spin_unlock(&m->lock);
	queue_work(system_percpu_wq, &m->work);
	flush_work(&m->work);
	drm_svm_device_fini(&m->svm);
	drm_svm_vram_fini(&m->vram);
	for (i = 0; i < m->npages; i++)
		__free_page(m->store[i]);
	kvfree(m->store);
}

static struct mock_dev *mock_create(struct kunit *test, u64 vram, u64 visible,
				    u64 gtt, bool engine)
{
	struct device *dev = kunit_device_register(test, "drm_svm_mock");
	struct mock_dev *m;
	unsigned long i;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);
	m = devm_drm_dev_alloc(dev, &mock_driver, struct mock_dev, drm);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, m);
	spin_lock_init(&m->lock);
	INIT_LIST_HEAD(&m->queue);
	INIT_WORK(&m->work, mock_run);
	m->context = dma_fence_context_alloc(1);
	m->npages = vram >> PAGE_SHIFT;
	m->store = kvcalloc(m->npages, sizeof(*m->store), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m->store);
	for (i = 0; i < m->npages; i++) {
		m->store[i] = alloc_page(GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, m->store[i]);
	}
	KUNIT_ASSERT_EQ(test, drm_svm_vram_init(&m->vram, vram, visible, SZ_4K),
			0);
	KUNIT_ASSERT_EQ(test, drm_svm_device_init(&m->svm, &m->drm,
						  engine ? &mock_ops : &mock_cpu_ops,
						  &m->vram, gtt), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, mock_fini, m), 0);
	return m;
}

static void bo_put(void *data)
{
	drm_gem_object_put(data);
}

static struct drm_svm_bo *bo_create(struct kunit *test, struct mock_dev *m,
				    u64 size, u32 allowed, u32 preferred)
{
	struct drm_svm_bo_params p = {
		.allowed = allowed,
		.preferred = preferred,
	};
	struct drm_svm_bo *bo = drm_svm_bo_create(&m->svm, size, &p);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, bo);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, bo_put,
							&bo->base), 0);
	return bo;
}

#define PL(x)	DRM_SVM_PL_MASK(DRM_SVM_PL_##x)
#define ALL	(PL(SYSTEM) | PL(GTT) | PL(VRAM))

static void fill(struct kunit *test, struct drm_svm_bo *bo, u32 seed)
{
	size_t size = bo->base.size, i;
	u32 *buf = kvmalloc(size, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	for (i = 0; i < size / 4; i++)
		buf[i] = seed ^ (i * 2654435761u);
	KUNIT_ASSERT_EQ(test, drm_svm_bo_access(bo, 0, buf, size, true), 0);
	kvfree(buf);
}

static void check(struct kunit *test, struct drm_svm_bo *bo, u32 seed)
{
	size_t size = bo->base.size, i, bad = 0;
	u32 *buf = kvmalloc(size, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_EQ(test, drm_svm_bo_access(bo, 0, buf, size, false), 0);
	for (i = 0; i < size / 4; i++)
		bad += buf[i] != (u32)(seed ^ (i * 2654435761u));
	KUNIT_EXPECT_EQ(test, bad, 0);
	kvfree(buf);
}

static u32 placement_of(struct kunit *test, struct drm_svm_bo *bo,
			unsigned long c, struct drm_svm_chunk_info *out)
{
	struct drm_svm_chunk_info info;

	KUNIT_ASSERT_EQ(test, drm_svm_bo_residency(bo, c, 1, &info), 0);
	if (out)
		*out = info;
	return info.placement;
}

static void drm_svm_bo_test_bad_params(struct kunit *test)
{
	struct mock_dev *m = mock_create(test, SZ_4M, SZ_4M, SZ_4M, true);
	struct drm_svm_bo_params p = { .allowed = ALL };
	struct drm_svm_bo_params bad[] = {
		{ .allowed = 0 },
		{ .allowed = BIT(3) },
		{ .allowed = PL(GTT), .preferred = DRM_SVM_PL_SYSTEM },
		{ .allowed = ALL, .preferred = DRM_SVM_PL_COUNT },
		{ .allowed = ALL, .flags = BIT(7) },
		{ .allowed = ALL, .chunk_shift = 11 },
		{ .allowed = ALL, .chunk_shift = 31 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		KUNIT_EXPECT_EQ(test, PTR_ERR(drm_svm_bo_create(&m->svm, SZ_4K,
								&bad[i])),
				-EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(drm_svm_bo_create(&m->svm, 0, &p)),
			-EINVAL);
	/* Larger than any placement can hold: -E2BIG. */
	KUNIT_EXPECT_EQ(test, PTR_ERR(drm_svm_bo_create(&m->svm, 1ull << 41,
							&p)), -E2BIG);
	m->svm.system_limit = SZ_8M;
	KUNIT_EXPECT_EQ(test, PTR_ERR(drm_svm_bo_create(&m->svm, SZ_8M + SZ_4K,
							&p)), -E2BIG);
	p.allowed = PL(VRAM);
	p.preferred = DRM_SVM_PL_VRAM;
	KUNIT_EXPECT_EQ(test, PTR_ERR(drm_svm_bo_create(&m->svm, SZ_4M + SZ_4K,
							&p)), -E2BIG);
}

static void drm_svm_bo_test_lazy_populate(struct kunit *test)
{
	struct mock_dev *m = mock_create(test, SZ_8M, SZ_8M, SZ_8M, true);
	struct drm_svm_bo *bo = bo_create(test, m, SZ_8M, ALL, DRM_SVM_PL_VRAM);
	struct drm_svm_chunk_info info;
	u32 word = 0xdeadbeef;

	KUNIT_EXPECT_EQ(test, bo->nchunks, 4);
	KUNIT_EXPECT_EQ(test, placement_of(test, bo, 2, &info), DRM_SVM_PL_VRAM);
	KUNIT_EXPECT_FALSE(test, info.populated);
	KUNIT_EXPECT_EQ(test, drm_svm_vram_used(&m->vram), 0);

	/* Touching chunk 2 populates it alone, zeroed. */
	KUNIT_ASSERT_EQ(test, drm_svm_bo_access(bo, SZ_4M + 8, &word, 4, false),
			0);
	KUNIT_EXPECT_EQ(test, word, 0);
	placement_of(test, bo, 2, &info);
	KUNIT_EXPECT_TRUE(test, info.populated);
	placement_of(test, bo, 1, &info);
	KUNIT_EXPECT_FALSE(test, info.populated);
	KUNIT_EXPECT_EQ(test, drm_svm_vram_used(&m->vram), (u64)SZ_2M);
}

static void drm_svm_bo_test_migrate_batched(struct kunit *test)
{
	struct mock_dev *m = mock_create(test, SZ_16M, SZ_16M, SZ_16M, true);
	struct drm_svm_bo *bo = bo_create(test, m, SZ_8M, ALL, DRM_SVM_PL_SYSTEM);
	struct dma_fence *fence;
	unsigned int copies;

	fill(test, bo, 1);
	copies = m->copies;
	KUNIT_ASSERT_EQ(test, drm_svm_bo_migrate(bo, 0, SZ_8M, DRM_SVM_PL_VRAM,
						 0, &fence), 0);
	/* Four chunks from one placement: one copy of 2048 pages. */
	KUNIT_EXPECT_EQ(test, m->copies - copies, 1);
	KUNIT_ASSERT_NOT_NULL(test, fence);
	KUNIT_EXPECT_GE(test, dma_fence_wait(fence, false), 0);
	dma_fence_put(fence);
	KUNIT_EXPECT_EQ(test, placement_of(test, bo, 3, NULL), DRM_SVM_PL_VRAM);
	check(test, bo, 1);
	/* Already there: nothing to do, no fence. */
	KUNIT_ASSERT_EQ(test, drm_svm_bo_migrate(bo, 0, SZ_8M, DRM_SVM_PL_VRAM,
						 0, &fence), 0);
	KUNIT_EXPECT_NULL(test, fence);
}

static void drm_svm_bo_test_busy(struct kunit *test)
{
	struct mock_dev *m = mock_create(test, SZ_16M, SZ_16M, SZ_16M, true);
	struct drm_svm_bo *bo = bo_create(test, m, SZ_4M, ALL, DRM_SVM_PL_SYSTEM);
	struct drm_svm_chunk_info info;
	struct dma_fence *fence;

	fill(test, bo, 2);
	spin_lock(&m->lock);
	m->paused = true;
	spin_unlock(&m->lock);
	KUNIT_ASSERT_EQ(test, drm_svm_bo_migrate(bo, SZ_2M, SZ_2M,
						 DRM_SVM_PL_GTT, 0, &fence), 0);
	/* The chunk has its new placement at once, with the move pending. */
	KUNIT_EXPECT_EQ(test, placement_of(test, bo, 1, &info), DRM_SVM_PL_GTT);
	KUNIT_EXPECT_TRUE(test, info.busy);
	KUNIT_EXPECT_FALSE(test, dma_fence_is_signaled(fence));
	placement_of(test, bo, 0, &info);
	KUNIT_EXPECT_FALSE(test, info.busy);
	KUNIT_EXPECT_EQ(test, atomic64_read(&m->svm.gtt_used), (s64)SZ_2M);

	spin_lock(&m->lock);
	m->paused = false;
	spin_unlock(&m->lock);
	queue_work(system_percpu_wq, &m->work);
	KUNIT_EXPECT_GE(test, dma_fence_wait(fence, false), 0);
	dma_fence_put(fence);
	placement_of(test, bo, 1, &info);
	KUNIT_EXPECT_FALSE(test, info.busy);
	check(test, bo, 2);
}

static void drm_svm_bo_test_evict_lru(struct kunit *test)
{
	struct mock_dev *m = mock_create(test, SZ_4M, SZ_4M, SZ_8M, true);
	struct drm_svm_bo *a = bo_create(test, m, SZ_4M, ALL, DRM_SVM_PL_SYSTEM);
	struct drm_svm_bo *b = bo_create(test, m, SZ_4M, ALL, DRM_SVM_PL_SYSTEM);

	fill(test, a, 3);
	fill(test, b, 4);
	KUNIT_ASSERT_EQ(test, drm_svm_bo_migrate(a, 0, SZ_4M, DRM_SVM_PL_VRAM,
						 0, NULL), 0);
	KUNIT_ASSERT_EQ(test, drm_svm_bo_migrate(b, 0, SZ_4M, DRM_SVM_PL_VRAM,
						 0, NULL), 0);
	/* VRAM holds one object: the older one went back to SYSTEM. */
	KUNIT_EXPECT_EQ(test, placement_of(test, a, 0, NULL), DRM_SVM_PL_SYSTEM);
	KUNIT_EXPECT_EQ(test, placement_of(test, a, 1, NULL), DRM_SVM_PL_SYSTEM);
	KUNIT_EXPECT_EQ(test, placement_of(test, b, 0, NULL), DRM_SVM_PL_VRAM);
	KUNIT_EXPECT_EQ(test, placement_of(test, b, 1, NULL), DRM_SVM_PL_VRAM);
	KUNIT_EXPECT_EQ(test, atomic64_read(&m->svm.stats.evictions), 2);
	check(test, a, 3);
	check(test, b, 4);
	KUNIT_EXPECT_EQ(test, drm_svm_vram_used(&m->vram), (u64)SZ_4M);
}

static void drm_svm_bo_test_evict_impossible(struct kunit *test)
{
	struct mock_dev *m = mock_create(test, SZ_4M, SZ_4M, SZ_8M, true);
	struct drm_svm_bo *a = bo_create(test, m, SZ_4M, PL(VRAM),
					 DRM_SVM_PL_VRAM);
	struct drm_svm_bo *b = bo_create(test, m, SZ_4M, ALL, DRM_SVM_PL_SYSTEM);

	fill(test, a, 5);
	fill(test, b, 6);
	/* A VRAM-only object cannot be evicted: B gets -ENOSPC, loses nothing. */
	KUNIT_EXPECT_EQ(test, drm_svm_bo_migrate(b, 0, SZ_4M, DRM_SVM_PL_VRAM,
						 0, NULL), -ENOSPC);
	KUNIT_EXPECT_EQ(test, placement_of(test, b, 0, NULL), DRM_SVM_PL_SYSTEM);
	check(test, a, 5);
	check(test, b, 6);
}

static void drm_svm_bo_test_gtt_limit(struct kunit *test)
{
	struct mock_dev *m = mock_create(test, SZ_4M, SZ_4M, SZ_2M, true);
	struct drm_svm_bo *bo = bo_create(test, m, SZ_4M, ALL, DRM_SVM_PL_SYSTEM);

	fill(test, bo, 7);
	KUNIT_EXPECT_EQ(test, drm_svm_bo_migrate(bo, 0, SZ_4M, DRM_SVM_PL_GTT,
						 0, NULL), -ENOSPC);
	KUNIT_EXPECT_EQ(test, placement_of(test, bo, 0, NULL), DRM_SVM_PL_GTT);
	KUNIT_EXPECT_EQ(test, placement_of(test, bo, 1, NULL), DRM_SVM_PL_SYSTEM);
	KUNIT_EXPECT_EQ(test, atomic64_read(&m->svm.gtt_used), (s64)SZ_2M);
	check(test, bo, 7);
}

static void drm_svm_bo_test_cpu_copy(struct kunit *test)
{
	struct mock_dev *m = mock_create(test, SZ_4M, SZ_2M, SZ_4M, false);
	struct drm_svm_bo *bo = bo_create(test, m, SZ_4M, ALL, DRM_SVM_PL_GTT);
	struct drm_svm_chunk_info info;
	struct dma_fence *fence;

	fill(test, bo, 8);
	/* Without a copy engine the helper copies with the CPU, at once. */
	KUNIT_ASSERT_EQ(test, drm_svm_bo_migrate(bo, 0, SZ_4M, DRM_SVM_PL_VRAM,
						 DRM_SVM_MIGRATE_VISIBLE, &fence),
			-ENOSPC);
	KUNIT_EXPECT_NULL(test, fence);
	KUNIT_EXPECT_EQ(test, placement_of(test, bo, 0, &info), DRM_SVM_PL_VRAM);
	KUNIT_EXPECT_TRUE(test, info.visible);
	KUNIT_EXPECT_EQ(test, placement_of(test, bo, 1, NULL), DRM_SVM_PL_GTT);
	KUNIT_EXPECT_EQ(test, m->copies, 0);
	check(test, bo, 8);
}

/*
 * The only evictable object is locked by another context (a job or fault
 * handler that may itself wait for us): the allocation gives up with
 * -ENOSPC at once instead of spinning until the lock is released.
 */
static void drm_svm_bo_test_evict_contended(struct kunit *test)
{
	struct mock_dev *m = mock_create(test, SZ_4M, SZ_4M, SZ_8M, true);
	struct drm_svm_bo *a = bo_create(test, m, SZ_4M, ALL, DRM_SVM_PL_SYSTEM);
	struct drm_svm_bo *b = bo_create(test, m, SZ_4M, ALL, DRM_SVM_PL_SYSTEM);
	struct resv_holder h;
	unsigned long t0;
	int ret;

	fill(test, a, 11);
	fill(test, b, 12);
	KUNIT_ASSERT_EQ(test, drm_svm_bo_migrate(a, 0, SZ_4M, DRM_SVM_PL_VRAM,
						 0, NULL), 0);
	resv_holder_start(test, &h, a->base.resv);
	t0 = jiffies;
	ret = drm_svm_bo_migrate(b, 0, SZ_4M, DRM_SVM_PL_VRAM, 0, NULL);
	t0 = jiffies - t0;
	resv_holder_stop(&h);
	KUNIT_EXPECT_EQ(test, ret, -ENOSPC);
	KUNIT_EXPECT_LT(test, jiffies_to_msecs(t0), RESV_HOLD_MS / 2);
	KUNIT_EXPECT_EQ(test, placement_of(test, a, 0, NULL), DRM_SVM_PL_VRAM);
	check(test, a, 11);
	check(test, b, 12);
}

static struct kunit_case drm_svm_bo_tests[] = {
	KUNIT_CASE(drm_svm_bo_test_bad_params),
	KUNIT_CASE(drm_svm_bo_test_lazy_populate),
	KUNIT_CASE(drm_svm_bo_test_migrate_batched),
	KUNIT_CASE(drm_svm_bo_test_busy),
	KUNIT_CASE(drm_svm_bo_test_evict_lru),
	KUNIT_CASE(drm_svm_bo_test_evict_impossible),
	KUNIT_CASE(drm_svm_bo_test_evict_contended),
	KUNIT_CASE(drm_svm_bo_test_gtt_limit),
	KUNIT_CASE(drm_svm_bo_test_cpu_copy),
	{}
};

static struct kunit_suite drm_svm_bo_test_suite = {
	.name = "drm_svm_bo",
	.test_cases = drm_svm_bo_tests,
};

kunit_test_suite(drm_svm_bo_test_suite);
