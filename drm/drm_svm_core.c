// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright © 2026 The drm-svm authors
 */

#include <linux/module.h>

#include <drm/drm_svm.h>

#define CREATE_TRACE_POINTS
#include "drm_svm_trace.h"

/**
 * DOC: Overview
 *
 * drm_svm lets a DRM driver share memory with a process the way SVM-capable
 * GPUs do. It is a library module: drivers call its functions and provide
 * callbacks; it owns no device itself.
 *
 * The pieces, from the bottom up:
 *
 * - a VRAM manager (&struct drm_svm_vram) over the GPU buddy allocator that
 *   knows the CPU-visible part of device memory;
 * - GEM objects whose single CPU mapping is switched between SYSTEM, GTT and
 *   VRAM backing by a fault handler, with migration by the device's copy
 *   engine;
 * - a mirror of the process address space (HMM) with device-private VRAM.
 *
 * The reference driver vsvm (drm/vsvm/) exercises all of it without hardware.
 *
 * Tracepoints (events/drm_svm/ in tracefs) cover each stage: mirror faults
 * and invalidations, object moves, copies and CPU faults.
 */

/**
 * DOC: Locking
 *
 * Each object documents the lock that protects it next to its definition.
 * The global order, outermost first, is: mmap_lock, the driver's VM lock,
 * the GEM object's reservation lock, the VRAM manager lock. Nothing waits
 * for a dma_fence while holding the VRAM manager lock. The SVM attributes'
 * lock (&drm_svm_attrs.lock) is a leaf: only its maple tree's lock and
 * memory allocation nest inside it.
 */

static int __init drm_svm_init(void)
{
	return 0;
}

static void __exit drm_svm_exit(void)
{
}

module_init(drm_svm_init);
module_exit(drm_svm_exit);

MODULE_DESCRIPTION("DRM shared virtual memory helper");
MODULE_AUTHOR("The drm-svm authors");
MODULE_LICENSE("Dual MIT/GPL");
