/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Copyright © 2026 The drm-svm authors
 *
 * Shared by the drm_svm KUnit suites: another context that holds a
 * reservation lock for a while, as a job, a fault handler or an eviction of
 * a real driver would.
 */
#ifndef DRM_SVM_TEST_UTIL_H
#define DRM_SVM_TEST_UTIL_H

#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/dma-resv.h>
#include <linux/kthread.h>

/* How long the holder keeps the lock at most. */
#define RESV_HOLD_MS	3000

struct resv_holder {
	struct dma_resv *resv;
	struct completion locked;
	struct completion release;
	struct completion done;
};

static inline int resv_holder_fn(void *data)
{
	struct resv_holder *h = data;

	dma_resv_lock(h->resv, NULL);
	complete(&h->locked);
	wait_for_completion_timeout(&h->release,
				    msecs_to_jiffies(RESV_HOLD_MS));
	dma_resv_unlock(h->resv);
	complete(&h->done);
	return 0;
}

/* Lock @resv in a kthread; returns once it is held. */
static inline void resv_holder_start(struct kunit *test, struct resv_holder *h,
				     struct dma_resv *resv)
{
	struct task_struct *t;

	h->resv = resv;
	init_completion(&h->locked);
	init_completion(&h->release);
	init_completion(&h->done);
	t = kthread_run(resv_holder_fn, h, "drm_svm_resv_holder");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	wait_for_completion(&h->locked);
}

/* Let the holder unlock and wait until it has. */
static inline void resv_holder_stop(struct resv_holder *h)
{
	complete(&h->release);
	wait_for_completion(&h->done);
}

#endif
