// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright © 2026 The drm-svm authors
 */

#include <linux/delay.h>
#include <linux/dma-fence.h>
#include <linux/highmem.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include <drm/drm_print.h>

#include "vsvm_drv.h"

/**
 * DOC: vsvm copy engines
 *
 * Each copy engine is a drm_sched scheduler with one kernel entity. A copy
 * request from drm_svm becomes a job whose dependencies are the fences the
 * request names; when it runs, the engine's "hardware" copies page by page
 * between the simulated VRAM and system pages, in the scheduler's ordered
 * worker (one job at a time per engine), and signals the job's hardware
 * fence. Requests are
 * spread round-robin over the engines. Module parameters can throttle the
 * engines to a bandwidth and add latency per job, to model a link.
 *
 * The schedulers run on per-CPU workqueues: a job executes on the CPU that
 * submitted it, so a caller that waits for its copy (SVM migration) pays
 * two local context switches, not two cross-CPU wake-ups.
 *
 * Lifetime: a job owns copies of the request's page/offset arrays; the
 * hardware fence is allocated with the job and released by its last
 * reference; drm_sched frees the job (free_job) after the fence signals.
 */

struct vsvm_copy_job {
	struct drm_sched_job base;
	struct vsvm_engine *engine;
	struct dma_fence *hw_fence;
	enum drm_svm_placement src_pl, dst_pl;
	unsigned long npages;
	u64 *src;
	u64 *dst;
};

static const char *vsvm_fence_driver_name(struct dma_fence *fence)
{
	return VSVM_DRIVER_NAME;
}

static const char *vsvm_fence_timeline_name(struct dma_fence *fence)
{
	return "copy-engine";
}

static const struct dma_fence_ops vsvm_hw_fence_ops = {
	.get_driver_name = vsvm_fence_driver_name,
	.get_timeline_name = vsvm_fence_timeline_name,
};

static inline struct vsvm_copy_job *to_copy_job(struct drm_sched_job *job)
{
	return container_of(job, struct vsvm_copy_job, base);
}

/**
 * vsvm_vram_page() - the system page that simulates a VRAM page
 * @sdev: the drm_svm device of a vsvm device
 * @offset: byte offset in VRAM
 *
 * Return: the page.
 */
struct page *vsvm_vram_page(struct drm_svm_device *sdev, u64 offset)
{
	struct vsvm_device *vdev = container_of(sdev, struct vsvm_device, svm);

	/* Each store block is one high-order allocation: contiguous pages. */
	return vdev->vram_store[offset >> VSVM_STORE_SHIFT] +
		((offset & (BIT(VSVM_STORE_SHIFT) - 1)) >> PAGE_SHIFT);
}

static struct page *vsvm_job_page(struct vsvm_copy_job *job,
				  enum drm_svm_placement pl, u64 entry)
{
	if (pl == DRM_SVM_PL_VRAM)
		return vsvm_vram_page(&job->engine->vdev->svm, entry);
	return (struct page *)(uintptr_t)entry;
}

/*
 * The engine's data movers. Plain 64-bit moves: under emulation (TCG) they
 * are several times faster than the string instructions copy_page() and
 * clear_page() pick on CPUs that advertise fast string operations.
 */
static void __attribute__((optimize("no-tree-loop-distribute-patterns")))
vsvm_move_page(u64 *d, const u64 *s)
{
	unsigned int i;

	for (i = 0; i < PAGE_SIZE / sizeof(u64); i += 4) {
		u64 a = s[i], b = s[i + 1], c = s[i + 2], e = s[i + 3];

		d[i] = a;
		d[i + 1] = b;
		d[i + 2] = c;
		d[i + 3] = e;
	}
}

static void __attribute__((optimize("no-tree-loop-distribute-patterns")))
vsvm_zero_page(u64 *d)
{
	unsigned int i;

	for (i = 0; i < PAGE_SIZE / sizeof(u64); i++)
		d[i] = 0;
}

/* The simulated hardware executing one job. */
static void vsvm_copy_execute(struct vsvm_copy_job *job)
{
	const struct vsvm_config *cfg = &job->engine->vdev->cfg;
	unsigned long i;

	for (i = 0; i < job->npages; i++) {
		struct page *dst = vsvm_job_page(job, job->dst_pl, job->dst[i]);
		void *d = kmap_local_page(dst);

		if (job->src_pl == DRM_SVM_PL_ZERO) {
			vsvm_zero_page(d);
		} else {
			struct page *src = vsvm_job_page(job, job->src_pl,
							 job->src[i]);
			void *s = kmap_local_page(src);

			vsvm_move_page(d, s);
			kunmap_local(s);
		}
		kunmap_local(d);
		if (!(i & 255))
			cond_resched();
	}
	if (cfg->copy_mbps)
		usleep_range(1 + (job->npages << PAGE_SHIFT) / cfg->copy_mbps,
			     2 + (job->npages << PAGE_SHIFT) / cfg->copy_mbps);
	if (cfg->copy_latency_us)
		usleep_range(cfg->copy_latency_us, cfg->copy_latency_us + 1);
}

static struct dma_fence *vsvm_run_job(struct drm_sched_job *sched_job)
{
	struct vsvm_copy_job *job = to_copy_job(sched_job);
	struct vsvm_engine *engine = job->engine;
	struct dma_fence *fence = job->hw_fence;

	if (sched_job->s_fence->finished.error)
		return NULL;
	/* The initial reference goes to the scheduler. */
	dma_fence_init(fence, &vsvm_hw_fence_ops, &engine->fence_lock,
		       engine->fence_context, ++engine->seqno);
	dma_fence_get(fence);		/* for the job, put in free_job */
	/*
	 * The engine's hardware runs in the scheduler's own ordered worker:
	 * one job at a time per engine, without another context switch.
	 */
	vsvm_copy_execute(job);
	dma_fence_signal(fence);
	return fence;
}

static enum drm_gpu_sched_stat vsvm_timedout_job(struct drm_sched_job *job)
{
	struct vsvm_engine *engine = to_copy_job(job)->engine;

	/* The simulated engine never hangs; a slow copy just takes longer. */
	drm_warn_once(&engine->vdev->drm, "vsvm: %s: copy job is slow\n",
		      engine->name);
	return DRM_GPU_SCHED_STAT_NO_HANG;
}

static void vsvm_free_job(struct drm_sched_job *sched_job)
{
	struct vsvm_copy_job *job = to_copy_job(sched_job);

	drm_sched_job_cleanup(sched_job);
	/* Before run_job the hardware fence was never initialised. */
	if (dma_fence_was_initialized(job->hw_fence))
		dma_fence_put(job->hw_fence);
	else
		kfree(job->hw_fence);
	kvfree(job->src);
	kvfree(job->dst);
	kfree(job);
}

static const struct drm_sched_backend_ops vsvm_sched_ops = {
	.run_job = vsvm_run_job,
	.timedout_job = vsvm_timedout_job,
	.free_job = vsvm_free_job,
};

static void vsvm_job_free_unsubmitted(struct vsvm_copy_job *job)
{
	kfree(job->hw_fence);
	kvfree(job->src);
	kvfree(job->dst);
	kfree(job);
}

/**
 * vsvm_copy() - &drm_svm_device_ops.copy of vsvm
 * @sdev: the drm_svm device of a vsvm device
 * @copy: the request
 *
 * Return: the fence of the copy job, or ERR_PTR(-ENOMEM/-EINVAL).
 */
struct dma_fence *vsvm_copy(struct drm_svm_device *sdev,
			    const struct drm_svm_copy *copy)
{
	struct vsvm_device *vdev = container_of(sdev, struct vsvm_device, svm);
	struct vsvm_engine *engine;
	struct vsvm_copy_job *job;
	struct dma_fence *fence;
	size_t bytes = copy->npages * sizeof(u64);
	unsigned int i;
	int ret;

	job = kzalloc_obj(*job, GFP_KERNEL);
	if (!job)
		return ERR_PTR(-ENOMEM);
	job->hw_fence = kzalloc_obj(*job->hw_fence, GFP_KERNEL);
	job->dst = kvmalloc(bytes, GFP_KERNEL);
	if (copy->src_pl != DRM_SVM_PL_ZERO)
		job->src = kvmalloc(bytes, GFP_KERNEL);
	if (!job->hw_fence || !job->dst ||
	    (copy->src_pl != DRM_SVM_PL_ZERO && !job->src)) {
		vsvm_job_free_unsubmitted(job);
		return ERR_PTR(-ENOMEM);
	}
	/* Page pointers and VRAM offsets are both carried as u64. */
	memcpy(job->dst, copy->dst_vram, bytes);
	if (job->src)
		memcpy(job->src, copy->src_vram, bytes);
	job->src_pl = copy->src_pl;
	job->dst_pl = copy->dst_pl;
	job->npages = copy->npages;

	engine = &vdev->engines[atomic_inc_return(&vdev->next_engine) %
				vdev->cfg.num_copy_engines];
	job->engine = engine;
	ret = drm_sched_job_init(&job->base, &engine->entity, 1, vdev, 0);
	if (ret) {
		vsvm_job_free_unsubmitted(job);
		return ERR_PTR(ret);
	}
	for (i = 0; i < copy->ndeps; i++) {
		ret = drm_sched_job_add_dependency(&job->base,
						   dma_fence_get(copy->deps[i]));
		if (ret) {
			drm_sched_job_cleanup(&job->base);
			vsvm_job_free_unsubmitted(job);
			return ERR_PTR(ret);
		}
	}

	mutex_lock(&engine->submit_lock);
	drm_sched_job_arm(&job->base);
	fence = dma_fence_get(&job->base.s_fence->finished);
	drm_sched_entity_push_job(&job->base);
	mutex_unlock(&engine->submit_lock);
	atomic64_inc(&vdev->copy_jobs);
	return fence;
}

static void vsvm_engine_fini(struct vsvm_engine *engine)
{
	drm_sched_entity_destroy(&engine->entity);
	drm_sched_fini(&engine->sched);
	destroy_workqueue(engine->wq);
	mutex_destroy(&engine->submit_lock);
}

static int vsvm_engine_init(struct vsvm_device *vdev, unsigned int id)
{
	struct vsvm_engine *engine = &vdev->engines[id];
	struct drm_gpu_scheduler *sched = &engine->sched;
	struct drm_sched_init_args args = {
		.ops = &vsvm_sched_ops,
		.num_rqs = DRM_SCHED_PRIORITY_COUNT,
		.credit_limit = 64,
		.timeout = msecs_to_jiffies(60000),
		.name = engine->name,
		.dev = vdev->drm.dev,
	};
	int ret;

	engine->vdev = vdev;
	engine->id = id;
	snprintf(engine->name, sizeof(engine->name), "vsvm-ce%u", id);
	/*
	 * A per-CPU (bound) queue: a job runs on the CPU that submitted it,
	 * so a synchronous copy costs two context switches on one CPU rather
	 * than waking another CPU twice (milliseconds under emulation).
	 */
	engine->wq = alloc_workqueue("%s", WQ_HIGHPRI | WQ_MEM_RECLAIM | WQ_PERCPU, 1,
				     engine->name);
	if (!engine->wq)
		return -ENOMEM;
	args.submit_wq = engine->wq;
	mutex_init(&engine->submit_lock);
	spin_lock_init(&engine->fence_lock);
	engine->fence_context = dma_fence_context_alloc(1);
	ret = drm_sched_init(sched, &args);
	if (ret)
		goto err_wq;
	ret = drm_sched_entity_init(&engine->entity, DRM_SCHED_PRIORITY_KERNEL,
				    &sched, 1, NULL);
	if (ret)
		goto err_sched;
	return 0;

err_sched:
	drm_sched_fini(sched);
err_wq:
	mutex_destroy(&engine->submit_lock);
	destroy_workqueue(engine->wq);
	return ret;
}

/**
 * vsvm_engines_init() - create the copy engines of a device
 * @vdev: the device
 *
 * Return: 0, -ENOMEM or a drm_sched error.
 */
int vsvm_engines_init(struct vsvm_device *vdev)
{
	unsigned int i;
	int ret;

	vdev->engines = kcalloc(vdev->cfg.num_copy_engines,
				sizeof(*vdev->engines), GFP_KERNEL);
	if (!vdev->engines)
		return -ENOMEM;
	for (i = 0; i < vdev->cfg.num_copy_engines; i++) {
		ret = vsvm_engine_init(vdev, i);
		if (ret)
			goto err;
	}
	return 0;
err:
	while (i--)
		vsvm_engine_fini(&vdev->engines[i]);
	kfree(vdev->engines);
	return ret;
}

/**
 * vsvm_engines_fini() - stop and free the copy engines
 * @vdev: the device
 *
 * Waits for queued jobs to finish.
 */
void vsvm_engines_fini(struct vsvm_device *vdev)
{
	unsigned int i;

	for (i = 0; i < vdev->cfg.num_copy_engines; i++)
		vsvm_engine_fini(&vdev->engines[i]);
	kfree(vdev->engines);
}
