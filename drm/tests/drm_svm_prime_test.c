// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright © 2026 The drm-svm authors
 *
 * KUnit tests of the drm_svm dma-buf exporter, with a mock device (VRAM
 * backed by a page array, CPU copies) and test importers: a dynamic one
 * that counts move_notify calls and remaps, a static one, a kernel mapping.
 * In the test VM nothing else imports dynamically, so these are the tests
 * of the move_notify contract.
 */

#include <kunit/device.h>
#include <kunit/test.h>
#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/highmem.h>
#include <linux/iosys-map.h>
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_ioctl.h>
#include <drm/drm_gem.h>
#include <drm/drm_svm.h>
#include <drm/drm_svm_bo.h>
#include <drm/drm_svm_compat.h>
#include <drm/drm_svm_prime.h>

#include "drm_svm_test_util.h"

MODULE_IMPORT_NS("DMA_BUF");

struct prime_mock {
	struct drm_device drm;
	struct drm_svm_vram vram;
	struct drm_svm_device svm;
	struct page **store;
	unsigned long npages;
};

static struct prime_mock *to_prime_mock(struct drm_svm_device *sdev)
{
	return container_of(sdev, struct prime_mock, svm);
}

static struct page *prime_mock_vram_page(struct drm_svm_device *sdev,
					 u64 offset)
{
	return to_prime_mock(sdev)->store[offset >> PAGE_SHIFT];
}

static unsigned long prime_mock_vram_pfn(struct drm_svm_device *sdev,
					 u64 offset)
{
	return page_to_pfn(prime_mock_vram_page(sdev, offset));
}

static const struct drm_svm_device_ops prime_mock_ops = {
	.vram_pfn = prime_mock_vram_pfn,
	.vram_page = prime_mock_vram_page,
};

DEFINE_DRM_GEM_FOPS(prime_mock_fops);

static const struct drm_driver prime_mock_driver = {
	.driver_features = DRIVER_GEM,
	.fops = &prime_mock_fops,
	.name = "drm_svm_prime_mock",
	.desc = "drm_svm PRIME KUnit mock",
	DRM_SVM_DRIVER_DATE("20261122")
};

static void prime_mock_fini(void *data)
{
	struct prime_mock *m = data;
	unsigned long i;

	drm_svm_device_fini(&m->svm);
	drm_svm_vram_fini(&m->vram);
	for (i = 0; i < m->npages; i++)
		__free_page(m->store[i]);
	kvfree(m->store);
}

static struct prime_mock *prime_mock_create(struct kunit *test, u64 vram,
					    const char *name)
{
	struct device *dev = kunit_device_register(test, name);
	struct prime_mock *m;
	unsigned long i;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);
	/* the importers map for this device */
	dev->dma_mask = &dev->coherent_dma_mask;
	KUNIT_ASSERT_EQ(test, dma_coerce_mask_and_coherent(dev,
							   DMA_BIT_MASK(64)), 0);
	m = devm_drm_dev_alloc(dev, &prime_mock_driver, struct prime_mock, drm);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, m);
	m->npages = vram >> PAGE_SHIFT;
	m->store = kvcalloc(m->npages, sizeof(*m->store), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m->store);
	for (i = 0; i < m->npages; i++) {
		m->store[i] = alloc_page(GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, m->store[i]);
	}
	KUNIT_ASSERT_EQ(test, drm_svm_vram_init(&m->vram, vram, vram, SZ_4K),
			0);
	KUNIT_ASSERT_EQ(test, drm_svm_device_init(&m->svm, &m->drm,
						  &prime_mock_ops, &m->vram,
						  SZ_16M), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, prime_mock_fini,
							m), 0);
	return m;
}

static void prime_bo_put(void *data)
{
	drm_gem_object_put(data);
}

#define PL(x)	DRM_SVM_PL_MASK(DRM_SVM_PL_##x)
#define ALL	(PL(SYSTEM) | PL(GTT) | PL(VRAM))

/* 4 chunks of 64 KiB, first populated in VRAM, filled with @seed. */
static struct drm_svm_bo *prime_bo(struct kunit *test, struct prime_mock *m,
				   u32 seed)
{
	struct drm_svm_bo_params p = {
		.allowed = ALL,
		.preferred = DRM_SVM_PL_VRAM,
		.chunk_shift = 16,
	};
	struct drm_svm_bo *bo = drm_svm_bo_create(&m->svm, SZ_256K, &p);
	u32 *buf;
	size_t i;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, bo);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, prime_bo_put,
							&bo->base), 0);
	buf = kunit_kmalloc(test, SZ_256K, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	for (i = 0; i < SZ_256K / 4; i++)
		buf[i] = seed ^ (i * 2654435761u);
	KUNIT_ASSERT_EQ(test, drm_svm_bo_access(bo, 0, buf, SZ_256K, true), 0);
	return bo;
}

static bool prime_all_in(struct kunit *test, struct drm_svm_bo *bo, u32 pl)
{
	struct drm_svm_chunk_info info[4];
	int i;

	KUNIT_ASSERT_EQ(test, drm_svm_bo_residency(bo, 0, 4, info), 0);
	for (i = 0; i < 4; i++)
		if (info[i].placement != pl)
			return false;
	return true;
}

/*
 * With CONFIG_DMABUF_DEBUG the dma-buf core scrambles the page pointers of
 * a mapping it hands to importers (they must use the DMA addresses). The
 * test wants to look at the pages themselves: undo that for one entry.
 */
static struct page *prime_sg_page(struct scatterlist *sg)
{
	unsigned long link = sg->page_link;

	if (IS_ENABLED(CONFIG_DMABUF_DEBUG))
		link ^= ~0xffUL;
	return (struct page *)(link & ~(SG_CHAIN | SG_END));
}

/* The pages of a mapping hold the pattern, byte for byte. */
static void prime_check_sgt(struct kunit *test, struct sg_table *sgt,
			    u32 seed)
{
	size_t i, word = 0, bad = 0;
	struct scatterlist *sg;
	unsigned long j;
	int n;

	for_each_sgtable_sg(sgt, sg, n) {
		KUNIT_ASSERT_EQ(test, sg->offset, 0);
		for (j = 0; j < sg->length >> PAGE_SHIFT; j++) {
			u32 *p = kmap_local_page(prime_sg_page(sg) + j);

			for (i = 0; i < PAGE_SIZE / 4; i++, word++)
				bad += p[i] != (u32)(seed ^
						     (word * 2654435761u));
			kunmap_local(p);
		}
	}
	KUNIT_EXPECT_EQ(test, word, SZ_256K / 4);
	KUNIT_EXPECT_EQ(test, bad, 0);
}

static struct dma_buf *prime_export(struct kunit *test, struct drm_svm_bo *bo)
{
	struct dma_buf *dmabuf = drm_svm_prime_export(&bo->base, O_RDWR);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dmabuf);
	KUNIT_EXPECT_TRUE(test, drm_svm_prime_is_export(dmabuf));
	KUNIT_EXPECT_PTR_EQ(test, bo->dmabuf, dmabuf);
	return dmabuf;
}

/*
 * Drop the test's dma-buf reference and wait for its release (a kthread's
 * fput is deferred), so the object is gone before the mock device.
 */
static void prime_put(struct dma_buf *dmabuf)
{
	dma_buf_put(dmabuf);
	flush_delayed_fput();
}

struct prime_importer {
	unsigned int notifies;
	struct sg_table *sgt;
};

static void prime_move_notify(struct dma_buf_attachment *attach)
{
	struct prime_importer *imp = attach->importer_priv;

	dma_resv_assert_held(attach->dmabuf->resv);
	imp->notifies++;
	/* drop the stale mapping right away, as a real importer would */
	if (imp->sgt) {
		dma_buf_unmap_attachment(attach, imp->sgt, DMA_BIDIRECTIONAL);
		imp->sgt = NULL;
	}
}

static const struct dma_buf_attach_ops prime_importer_ops = {
	DRM_SVM_ATTACH_INVALIDATE(prime_move_notify),
};

static void prime_map(struct kunit *test, struct dma_buf_attachment *attach,
		      struct prime_importer *imp)
{
	struct sg_table *sgt;

	dma_resv_lock(attach->dmabuf->resv, NULL);
	sgt = dma_buf_map_attachment(attach, DMA_BIDIRECTIONAL);
	if (!IS_ERR(sgt))
		imp->sgt = sgt;
	dma_resv_unlock(attach->dmabuf->resv);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sgt);
}

/*
 * A dynamic importer maps (VRAM chunks come back to SYSTEM), is notified
 * when the object migrates, remaps and finds the same bytes in the new
 * pages; the object is not pinned.
 */
static void drm_svm_prime_test_dynamic(struct kunit *test)
{
	struct prime_mock *m = prime_mock_create(test, SZ_4M, "drm_svm_prime");
	struct drm_svm_bo *bo = prime_bo(test, m, 1);
	struct prime_importer imp = {};
	struct dma_buf_attachment *attach;
	struct dma_buf *dmabuf;

	KUNIT_EXPECT_TRUE(test, prime_all_in(test, bo, DRM_SVM_PL_VRAM));
	dmabuf = prime_export(test, bo);
	attach = dma_buf_dynamic_attach(dmabuf, m->drm.dev, &prime_importer_ops,
					&imp);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	KUNIT_EXPECT_PTR_EQ(test, attach->importer_ops, &prime_importer_ops);
	KUNIT_EXPECT_EQ(test, bo->pin_count, 0);

	prime_map(test, attach, &imp);
	KUNIT_EXPECT_TRUE(test, prime_all_in(test, bo, DRM_SVM_PL_SYSTEM));
	prime_check_sgt(test, imp.sgt, 1);
	imp.notifies = 0;

	/* the exporter moves: the importer hears of it first */
	KUNIT_EXPECT_EQ(test, drm_svm_bo_migrate(bo, 0, SZ_256K,
						 DRM_SVM_PL_GTT, 0, NULL), 0);
	KUNIT_EXPECT_EQ(test, imp.notifies, 1);
	KUNIT_EXPECT_NULL(test, imp.sgt);
	KUNIT_EXPECT_TRUE(test, prime_all_in(test, bo, DRM_SVM_PL_GTT));
	prime_map(test, attach, &imp);
	KUNIT_EXPECT_TRUE(test, prime_all_in(test, bo, DRM_SVM_PL_GTT));
	prime_check_sgt(test, imp.sgt, 1);

	/* to VRAM and back by the next map */
	KUNIT_EXPECT_EQ(test, drm_svm_bo_migrate(bo, 0, SZ_256K,
						 DRM_SVM_PL_VRAM, 0, NULL), 0);
	KUNIT_EXPECT_EQ(test, imp.notifies, 2);
	prime_map(test, attach, &imp);
	KUNIT_EXPECT_TRUE(test, prime_all_in(test, bo, DRM_SVM_PL_SYSTEM));
	prime_check_sgt(test, imp.sgt, 1);
	KUNIT_EXPECT_GE(test, atomic64_read(&m->svm.stats.prime_move_notifies),
			3);

	dma_resv_lock(dmabuf->resv, NULL);
	if (imp.sgt)
		dma_buf_unmap_attachment(attach, imp.sgt, DMA_BIDIRECTIONAL);
	dma_resv_unlock(dmabuf->resv);
	dma_buf_detach(dmabuf, attach);
	prime_put(dmabuf);
	KUNIT_EXPECT_NULL(test, bo->dmabuf);
}

/* Eviction of an exported object notifies its dynamic importers too. */
static void drm_svm_prime_test_evict_notifies(struct kunit *test)
{
	struct prime_mock *m = prime_mock_create(test, SZ_256K, "drm_svm_prime");
	struct drm_svm_bo *a = prime_bo(test, m, 2);
	struct prime_importer imp = {};
	struct dma_buf_attachment *attach;
	struct dma_buf *dmabuf;
	struct drm_svm_bo *b;

	dmabuf = prime_export(test, a);
	attach = dma_buf_dynamic_attach(dmabuf, m->drm.dev, &prime_importer_ops,
					&imp);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	KUNIT_EXPECT_TRUE(test, prime_all_in(test, a, DRM_SVM_PL_VRAM));
	/* B takes all of VRAM: A is evicted, its importer notified */
	b = prime_bo(test, m, 3);
	KUNIT_EXPECT_TRUE(test, prime_all_in(test, b, DRM_SVM_PL_VRAM));
	KUNIT_EXPECT_TRUE(test, prime_all_in(test, a, DRM_SVM_PL_SYSTEM));
	KUNIT_EXPECT_GE(test, imp.notifies, 1);
	prime_map(test, attach, &imp);
	prime_check_sgt(test, imp.sgt, 2);
	dma_resv_lock(dmabuf->resv, NULL);
	dma_buf_unmap_attachment(attach, imp.sgt, DMA_BIDIRECTIONAL);
	dma_resv_unlock(dmabuf->resv);
	dma_buf_detach(dmabuf, attach);
	prime_put(dmabuf);
}

/*
 * A static importer pins: the object is in SYSTEM while it is attached
 * (6.12) or mapped (7.x), moves fail with -EBUSY, the mapping stays right.
 */
static void drm_svm_prime_test_static_pin(struct kunit *test)
{
	struct prime_mock *m = prime_mock_create(test, SZ_4M, "drm_svm_prime");
	struct drm_svm_bo *bo = prime_bo(test, m, 4);
	struct dma_buf_attachment *attach;
	struct dma_buf *dmabuf;
	struct sg_table *sgt;

	dmabuf = prime_export(test, bo);
	attach = dma_buf_attach(dmabuf, m->drm.dev);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	KUNIT_EXPECT_EQ(test, bo->pin_count, DRM_SVM_DMABUF_PIN_ON_ATTACH);
	sgt = dma_buf_map_attachment_unlocked(attach, DMA_BIDIRECTIONAL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sgt);
	KUNIT_EXPECT_EQ(test, bo->pin_count, 1);
	KUNIT_EXPECT_TRUE(test, prime_all_in(test, bo, DRM_SVM_PL_SYSTEM));
	prime_check_sgt(test, sgt, 4);

	KUNIT_EXPECT_EQ(test, drm_svm_bo_migrate(bo, 0, SZ_256K,
						 DRM_SVM_PL_VRAM, 0, NULL),
			-EBUSY);
	KUNIT_EXPECT_EQ(test, drm_svm_bo_migrate(bo, SZ_64K, SZ_64K,
						 DRM_SVM_PL_GTT, 0, NULL),
			-EBUSY);
	/* already there: nothing to move, no error */
	KUNIT_EXPECT_EQ(test, drm_svm_bo_migrate(bo, 0, SZ_256K,
						 DRM_SVM_PL_SYSTEM, 0, NULL), 0);
	KUNIT_EXPECT_TRUE(test, prime_all_in(test, bo, DRM_SVM_PL_SYSTEM));
	KUNIT_EXPECT_EQ(test, atomic64_read(&m->svm.stats.prime_pinned_refusals),
			2);
	prime_check_sgt(test, sgt, 4);

	dma_buf_unmap_attachment_unlocked(attach, sgt, DMA_BIDIRECTIONAL);
	dma_buf_detach(dmabuf, attach);
	KUNIT_EXPECT_EQ(test, bo->pin_count, 0);
	KUNIT_EXPECT_EQ(test, drm_svm_bo_migrate(bo, 0, SZ_256K,
						 DRM_SVM_PL_VRAM, 0, NULL), 0);
	prime_put(dmabuf);
}

/*
 * A VRAM-only object cannot be pinned in system memory: a static importer
 * fails to attach (6.12) or to map (7.x), with -EINVAL either way.
 */
static void drm_svm_prime_test_vram_only(struct kunit *test)
{
	struct prime_mock *m = prime_mock_create(test, SZ_4M, "drm_svm_prime");
	struct drm_svm_bo_params p = {
		.allowed = PL(VRAM),
		.preferred = DRM_SVM_PL_VRAM,
	};
	struct drm_svm_bo *bo = drm_svm_bo_create(&m->svm, SZ_64K, &p);
	struct dma_buf_attachment *attach;
	struct dma_buf *dmabuf;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, bo);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, prime_bo_put,
							&bo->base), 0);
	dmabuf = prime_export(test, bo);
	attach = dma_buf_attach(dmabuf, m->drm.dev);
	if (DRM_SVM_DMABUF_PIN_ON_ATTACH) {
		KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(attach), -EINVAL);
	} else {
		struct sg_table *sgt;

		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
		sgt = dma_buf_map_attachment_unlocked(attach,
						      DMA_BIDIRECTIONAL);
		KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(sgt), -EINVAL);
		if (!IS_ERR(sgt))
			dma_buf_unmap_attachment_unlocked(attach, sgt,
							  DMA_BIDIRECTIONAL);
		dma_buf_detach(dmabuf, attach);
	}
	KUNIT_EXPECT_EQ(test, bo->pin_count, 0);
	prime_put(dmabuf);
}

/* vmap pins and maps every page; vunmap lets the object move again. */
static void drm_svm_prime_test_vmap(struct kunit *test)
{
	struct prime_mock *m = prime_mock_create(test, SZ_4M, "drm_svm_prime");
	struct drm_svm_bo *bo = prime_bo(test, m, 5);
	struct iosys_map map;
	struct dma_buf *dmabuf;
	size_t i, bad = 0;
	u32 *p;

	dmabuf = prime_export(test, bo);
	KUNIT_ASSERT_EQ(test, dma_buf_vmap_unlocked(dmabuf, &map), 0);
	KUNIT_EXPECT_EQ(test, bo->pin_count, 1);
	p = map.vaddr;
	for (i = 0; i < SZ_256K / 4; i++)
		bad += p[i] != (u32)(5 ^ (i * 2654435761u));
	KUNIT_EXPECT_EQ(test, bad, 0);
	KUNIT_EXPECT_EQ(test, drm_svm_bo_migrate(bo, 0, SZ_256K,
						 DRM_SVM_PL_VRAM, 0, NULL),
			-EBUSY);
	dma_buf_vunmap_unlocked(dmabuf, &map);
	KUNIT_EXPECT_EQ(test, bo->pin_count, 0);
	KUNIT_EXPECT_EQ(test, drm_svm_bo_migrate(bo, 0, SZ_256K,
						 DRM_SVM_PL_VRAM, 0, NULL), 0);
	prime_put(dmabuf);
}

/* The device's own dma-bufs import as the object itself. */
static void drm_svm_prime_test_import_self(struct kunit *test)
{
	struct prime_mock *m = prime_mock_create(test, SZ_4M, "drm_svm_prime_a");
	struct prime_mock *other = prime_mock_create(test, SZ_4M,
						    "drm_svm_prime_b");
	struct drm_svm_bo *bo = prime_bo(test, m, 6);
	struct drm_gem_object *obj;
	struct dma_buf *dmabuf;

	dmabuf = prime_export(test, bo);
	obj = drm_svm_prime_import_self(&m->drm, dmabuf);
	KUNIT_EXPECT_PTR_EQ(test, obj, &bo->base);
	if (obj)
		drm_gem_object_put(obj);
	KUNIT_EXPECT_NULL(test, drm_svm_prime_import_self(&other->drm, dmabuf));
	KUNIT_EXPECT_EQ(test, bo->pin_count, 0);
	prime_put(dmabuf);
}

/*
 * Export runs under the DRM device's object_name_lock (every client's
 * GEM_CLOSE and PRIME call waits for it): it must not wait for the
 * object's reservation, which a job or fault handler may hold for long.
 */
static void drm_svm_prime_test_export_locked(struct kunit *test)
{
	struct prime_mock *m = prime_mock_create(test, SZ_4M, "drm_svm_prime");
	struct drm_svm_bo *bo = prime_bo(test, m, 7);
	struct dma_buf *dmabuf;
	struct resv_holder h;
	unsigned long t0;

	resv_holder_start(test, &h, bo->base.resv);
	t0 = jiffies;
	dmabuf = drm_svm_prime_export(&bo->base, O_RDWR);
	t0 = jiffies - t0;
	resv_holder_stop(&h);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dmabuf);
	KUNIT_EXPECT_LT(test, jiffies_to_msecs(t0), RESV_HOLD_MS / 2);
	KUNIT_EXPECT_PTR_EQ(test, bo->dmabuf, dmabuf);
	/* One live dma-buf per object. */
	KUNIT_EXPECT_EQ(test, PTR_ERR(drm_svm_prime_export(&bo->base, O_RDWR)),
			-EBUSY);
	prime_put(dmabuf);
	KUNIT_EXPECT_NULL(test, bo->dmabuf);
}

static struct kunit_case drm_svm_prime_tests[] = {
	KUNIT_CASE(drm_svm_prime_test_dynamic),
	KUNIT_CASE(drm_svm_prime_test_evict_notifies),
	KUNIT_CASE(drm_svm_prime_test_static_pin),
	KUNIT_CASE(drm_svm_prime_test_vram_only),
	KUNIT_CASE(drm_svm_prime_test_vmap),
	KUNIT_CASE(drm_svm_prime_test_import_self),
	KUNIT_CASE(drm_svm_prime_test_export_locked),
	{}
};

static struct kunit_suite drm_svm_prime_test_suite = {
	.name = "drm_svm_prime",
	.test_cases = drm_svm_prime_tests,
};

kunit_test_suite(drm_svm_prime_test_suite);
