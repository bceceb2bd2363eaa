// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright © 2026 The drm-svm authors
 */

#include "vsvm_drv.h"

/**
 * DOC: vsvm device-private VRAM
 *
 * The whole VRAM is one &struct drm_svm_pagemap (see "Device memory" in
 * drm_svm_pagemap.c): the helper migrates, frees and evicts device pages;
 * vsvm gives its copy engine and the simulated VRAM store, through which
 * the CPU and peer vsvm devices reach a device page's data.
 *
 * All vsvm instances give their pagemaps, mirrors and migrations one owner,
 * vsvm_devmem_owner(), so they are peers: device B's mirror maps device
 * A's pages in place and B's copy engine reads them straight from A's VRAM
 * store when they migrate to B.
 */

/* The pgmap owner shared by all vsvm devices (see above). */
static const char vsvm_devmem_owner_token;

/**
 * vsvm_devmem_owner() - the owner of every vsvm device's private pages
 *
 * Return: the owner token (&dev_pagemap.owner).
 */
void *vsvm_devmem_owner(void)
{
	return (void *)&vsvm_devmem_owner_token;
}

static struct vsvm_device *pm_to_vsvm(struct drm_svm_pagemap *pm)
{
	return container_of(pm, struct vsvm_device, devmem);
}

static struct dma_fence *vsvm_devmem_copy(struct drm_svm_pagemap *pm,
					  const struct drm_svm_copy *copy)
{
	return vsvm_copy(&pm_to_vsvm(pm)->svm, copy);
}

static struct page *vsvm_devmem_vram_page(struct drm_svm_pagemap *pm,
					  u64 offset)
{
	return vsvm_vram_page(&pm_to_vsvm(pm)->svm, offset);
}

static const struct drm_svm_pagemap_ops vsvm_devmem_ops = {
	.copy = vsvm_devmem_copy,
	.vram_page = vsvm_devmem_vram_page,
};

/**
 * vsvm_devmem_init() - register the device-private pagemap of the VRAM
 * @vdev: the device
 *
 * Return: 0, -ENOMEM or -EBUSY (no free physical address range).
 */
int vsvm_devmem_init(struct vsvm_device *vdev)
{
	return drm_svm_pagemap_init(&vdev->devmem, vdev->drm.dev, &vdev->vram,
				    vsvm_devmem_owner(), &vsvm_devmem_ops);
}

/**
 * vsvm_devmem_fini() - evict device pages and remove the pagemap
 * @vdev: the device
 */
void vsvm_devmem_fini(struct vsvm_device *vdev)
{
	drm_svm_pagemap_fini(&vdev->devmem);
}
