// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Copyright © 2026 The drm-svm authors
 */

#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/sizes.h>

#include <drm/drm_debugfs.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_ioctl.h>
#include <drm/drm_managed.h>
#include <drm/drm_print.h>
#include <drm/drm_svm_import.h>
#include <drm/drm_svm_prime.h>
#include <drm/vsvm_drm.h>

#include "vsvm_drv.h"

/**
 * DOC: vsvm overview
 *
 * vsvm is a virtual GPU in the vgem/test_hmm tradition: it has no hardware
 * but simulates what an SVM-capable GPU has (device memory with a small or
 * full BAR, a GART, copy engines, a compute engine with its own MMU), so that
 * every part of the drm_svm helper can be exercised and measured in a VM.
 *
 * The module creates @num_devices platform devices named "vsvm"; each one
 * binds to the vsvm platform driver and registers a DRM render node. The
 * simulated hardware is configured with module parameters (sizes in MiB).
 */

/**
 * DOC: vsvm lifetime
 *
 * The &struct vsvm_device is allocated with devm_drm_dev_alloc() and lives
 * until the last reference to its &drm_device is dropped, which may be after
 * the platform device is removed (an open file keeps it). Removal unplugs the
 * DRM device so that open files get -ENODEV from then on. The module cannot
 * be unloaded while a file is open: the file operations hold a module
 * reference.
 */

static unsigned int num_devices = 1;
module_param(num_devices, uint, 0444);
MODULE_PARM_DESC(num_devices, "Number of vsvm devices (1-8, default 1)");

static unsigned int vram_size_mb = 256;
module_param(vram_size_mb, uint, 0444);
MODULE_PARM_DESC(vram_size_mb, "Simulated VRAM per device in MiB (default 256)");

static unsigned int visible_vram_mb = 256;
module_param(visible_vram_mb, uint, 0444);
MODULE_PARM_DESC(visible_vram_mb,
		 "CPU-visible part of VRAM in MiB, <= vram_size_mb (default 256)");

static unsigned int gtt_size_mb = 512;
module_param(gtt_size_mb, uint, 0444);
MODULE_PARM_DESC(gtt_size_mb, "GART aperture in MiB (default 512)");

static unsigned int system_mb;
module_param(system_mb, uint, 0444);
MODULE_PARM_DESC(system_mb,
		 "System memory the GEM objects of a device may hold together, in MiB (default 0: half of RAM)");

static unsigned int num_copy_engines = 2;
module_param(num_copy_engines, uint, 0444);
MODULE_PARM_DESC(num_copy_engines, "Number of copy engines (1-4, default 2)");

static unsigned int copy_mbps;
module_param(copy_mbps, uint, 0444);
MODULE_PARM_DESC(copy_mbps, "Copy engine bandwidth limit in MB/s (0: none)");

static unsigned int copy_latency_us;
module_param(copy_latency_us, uint, 0444);
MODULE_PARM_DESC(copy_latency_us, "Added latency per copy job in us (default 0)");

static bool test_ioctls;
module_param(test_ioctls, bool, 0444);
MODULE_PARM_DESC(test_ioctls,
		 "Open the test-only ioctls (GEM_ACCESS, SVM_ACCESS, SVM_MIGRATE with EVICT_ALL) to every client; otherwise they need CAP_SYS_ADMIN (default off)");

/**
 * vsvm_test_ioctl_allowed() - whether the caller may use a test-only ioctl
 *
 * The simulated device accesses (GEM_ACCESS, SVM_ACCESS) and device-wide
 * eviction (SVM_MIGRATE with EVICT_ALL) exist for tests and benchmarks: a
 * real device reaches memory only through its engines (EXEC). They are
 * open to every client only with the test_ioctls module parameter, else to
 * CAP_SYS_ADMIN.
 *
 * Return: true when the caller may use them.
 */
bool vsvm_test_ioctl_allowed(void)
{
	return test_ioctls || capable(CAP_SYS_ADMIN);
}

#define VSVM_MAX_DEVICES	8
#define VSVM_MAX_COPY_ENGINES	4
#define VSVM_MAX_SIZE_MB	(64 * 1024)

static struct platform_device *vsvm_pdevs[VSVM_MAX_DEVICES];

static int vsvm_config_from_params(struct vsvm_config *cfg)
{
	if (!num_devices || num_devices > VSVM_MAX_DEVICES ||
	    !num_copy_engines || num_copy_engines > VSVM_MAX_COPY_ENGINES ||
	    !vram_size_mb || vram_size_mb > VSVM_MAX_SIZE_MB ||
	    vram_size_mb % 2 || visible_vram_mb > vram_size_mb ||
	    visible_vram_mb % 2 || !gtt_size_mb || gtt_size_mb > VSVM_MAX_SIZE_MB)
		return -EINVAL;

	cfg->vram_size = (u64)vram_size_mb * SZ_1M;
	cfg->visible_vram_size = (u64)visible_vram_mb * SZ_1M;
	cfg->gtt_size = (u64)gtt_size_mb * SZ_1M;
	cfg->system_size = (u64)system_mb * SZ_1M;
	cfg->num_copy_engines = num_copy_engines;
	cfg->page_sizes = SZ_4K | SZ_64K | SZ_2M;
	cfg->copy_mbps = copy_mbps;
	cfg->copy_latency_us = min(copy_latency_us, 1000000u);
	return 0;
}

static int vsvm_info_show(struct seq_file *m, void *unused)
{
	struct drm_debugfs_entry *entry = m->private;
	struct vsvm_device *vdev = to_vsvm(entry->dev);
	struct drm_printer p = drm_seq_file_printer(m);

	drm_printf(&p, "gtt size: %llu\n", vdev->cfg.gtt_size);
	drm_printf(&p, "copy engines: %u\n", vdev->cfg.num_copy_engines);
	drm_printf(&p, "page sizes: 0x%llx\n", vdev->cfg.page_sizes);
	drm_printf(&p, "copy jobs: %lld\n", atomic64_read(&vdev->copy_jobs));
	drm_printf(&p, "device private pages: %lld\n",
		   atomic64_read(&vdev->devmem.stats.pages));
	drm_printf(&p, "device private cpu faults: %lld\n",
		   atomic64_read(&vdev->devmem.stats.cpu_faults));
	drm_printf(&p, "device private evictions: %lld\n",
		   atomic64_read(&vdev->devmem.stats.evictions));
	drm_printf(&p, "device private evicted pages: %lld\n",
		   atomic64_read(&vdev->devmem.stats.evicted_pages));
	drm_printf(&p, "device private peer pages: %lld\n",
		   atomic64_read(&vdev->devmem.stats.peer_pages));
	drm_svm_vram_print(&vdev->vram, &p);
	drm_svm_device_print(&vdev->svm, &p);
	return 0;
}

static const struct drm_ioctl_desc vsvm_ioctls[] = {
	DRM_IOCTL_DEF_DRV(VSVM_GET_PARAM, vsvm_get_param_ioctl,
			  DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(VSVM_GEM_CREATE, vsvm_gem_create_ioctl,
			  DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(VSVM_GEM_MMAP_OFFSET, vsvm_gem_mmap_offset_ioctl,
			  DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(VSVM_GEM_MIGRATE, vsvm_gem_migrate_ioctl,
			  DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(VSVM_GEM_RESIDENCY, vsvm_gem_residency_ioctl,
			  DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(VSVM_GEM_ACCESS, vsvm_gem_access_ioctl,
			  DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(VSVM_SVM_ACCESS, vsvm_svm_access_ioctl,
			  DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(VSVM_SVM_SNAPSHOT, vsvm_svm_snapshot_ioctl,
			  DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(VSVM_SVM_MIGRATE, vsvm_svm_migrate_ioctl,
			  DRM_RENDER_ALLOW),
	/* compute: 0x09-0x0f */
	DRM_IOCTL_DEF_DRV(VSVM_VM_CREATE, vsvm_vm_create_ioctl,
			  DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(VSVM_VM_DESTROY, vsvm_vm_destroy_ioctl,
			  DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(VSVM_VM_BIND, vsvm_vm_bind_ioctl, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(VSVM_EXEC, vsvm_exec_ioctl, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(VSVM_VM_QUERY, vsvm_vm_query_ioctl,
			  DRM_RENDER_ALLOW),
	/* svm-ranges: 0x10-0x17 */
	DRM_IOCTL_DEF_DRV(VSVM_SVM_MADVISE, vsvm_svm_madvise_ioctl,
			  DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(VSVM_SVM_PREFETCH, vsvm_svm_prefetch_ioctl,
			  DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(VSVM_SVM_RANGES, vsvm_svm_ranges_ioctl,
			  DRM_RENDER_ALLOW),
};

static int vsvm_open(struct drm_device *drm, struct drm_file *file)
{
	int ret = vsvm_file_open(drm, file);

	if (!ret)
		vsvm_vm_file_init(file->driver_priv);
	return ret;
}

/* The VMs go first: their jobs may use the file's SVM context. */
static void vsvm_postclose(struct drm_device *drm, struct drm_file *file)
{
	vsvm_vm_file_fini(file->driver_priv);
	vsvm_file_postclose(drm, file);
}

static const struct file_operations vsvm_fops = {
	.owner = THIS_MODULE,
	DRM_SVM_GEM_FOPS,
};

/*
 * &drm_driver.gem_prime_import: a dma-buf this device exported is the
 * object itself (drm_svm_prime.c); any other dma-buf (another device,
 * another driver) is imported over the exporter's pages (drm_svm_import.c).
 */
static struct drm_gem_object *vsvm_gem_prime_import(struct drm_device *drm,
						    struct dma_buf *dmabuf)
{
	struct drm_gem_object *obj = drm_svm_prime_import_self(drm, dmabuf);

	return obj ?: drm_svm_bo_import(&to_vsvm(drm)->svm, dmabuf);
}

static const struct drm_driver vsvm_drm_driver = {
	.driver_features = DRIVER_GEM | DRIVER_RENDER | DRIVER_SYNCOBJ |
			   DRM_SVM_DRIVER_GEM_GPUVA,
	.ioctls = vsvm_ioctls,
	.num_ioctls = ARRAY_SIZE(vsvm_ioctls),
	.fops = &vsvm_fops,
	.open = vsvm_open,
	.postclose = vsvm_postclose,
	.gem_prime_import = vsvm_gem_prime_import,
	.name = VSVM_DRIVER_NAME,
	.desc = "Virtual SVM GPU",
	DRM_SVM_DRIVER_DATE("20261121")
	.major = DRM_VSVM_UAPI_MAJOR,
	.minor = DRM_VSVM_UAPI_MINOR,
};

static void vsvm_vram_fini(struct drm_device *drm, void *arg)
{
	drm_svm_vram_fini(&to_vsvm(drm)->vram);
}

static unsigned long vsvm_vram_pfn(struct drm_svm_device *sdev, u64 offset)
{
	return page_to_pfn(vsvm_vram_page(sdev, offset));
}

static int vsvm_gtt_map(struct drm_svm_device *sdev, struct page **pages,
			dma_addr_t *addrs, unsigned long n)
{
	struct device *dev = sdev->drm->dev;
	unsigned long i;

	for (i = 0; i < n; i++) {
		addrs[i] = dma_map_page(dev, pages[i], 0, PAGE_SIZE,
					DMA_BIDIRECTIONAL);
		if (dma_mapping_error(dev, addrs[i])) {
			while (i--)
				dma_unmap_page(dev, addrs[i], PAGE_SIZE,
					       DMA_BIDIRECTIONAL);
			return -ENOMEM;
		}
	}
	return 0;
}

static void vsvm_gtt_unmap(struct drm_svm_device *sdev, dma_addr_t *addrs,
			   unsigned long n)
{
	unsigned long i;

	for (i = 0; i < n; i++)
		dma_unmap_page(sdev->drm->dev, addrs[i], PAGE_SIZE,
			       DMA_BIDIRECTIONAL);
}

static const struct drm_svm_device_ops vsvm_svm_ops = {
	.copy = vsvm_copy,
	.vram_pfn = vsvm_vram_pfn,
	.vram_page = vsvm_vram_page,
	.gtt_map = vsvm_gtt_map,
	.gtt_unmap = vsvm_gtt_unmap,
};

static void vsvm_store_fini(struct drm_device *drm, void *arg)
{
	struct vsvm_device *vdev = to_vsvm(drm);
	unsigned long i, n = vdev->cfg.vram_size >> VSVM_STORE_SHIFT;

	for (i = 0; i < n; i++)
		if (vdev->vram_store[i])
			__free_pages(vdev->vram_store[i],
				     VSVM_STORE_SHIFT - PAGE_SHIFT);
	kvfree(vdev->vram_store);
}

/* The simulated VRAM: system memory in 2 MiB blocks. */
static int vsvm_store_init(struct vsvm_device *vdev)
{
	unsigned long i, n = vdev->cfg.vram_size >> VSVM_STORE_SHIFT;

	vdev->vram_store = kvcalloc(n, sizeof(*vdev->vram_store), GFP_KERNEL);
	if (!vdev->vram_store)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		vdev->vram_store[i] = alloc_pages(GFP_KERNEL | __GFP_NOWARN,
						  VSVM_STORE_SHIFT - PAGE_SHIFT);
		if (!vdev->vram_store[i]) {
			vsvm_store_fini(&vdev->drm, NULL);
			return -ENOMEM;
		}
	}
	return 0;
}

static void vsvm_svm_fini(struct drm_device *drm, void *arg)
{
	drm_svm_device_fini(&to_vsvm(drm)->svm);
}

static void vsvm_engines_release(struct drm_device *drm, void *arg)
{
	vsvm_engines_fini(to_vsvm(drm));
}

static void vsvm_devmem_release(struct drm_device *drm, void *arg)
{
	vsvm_devmem_fini(to_vsvm(drm));
}

static void vsvm_compute_release(struct drm_device *drm, void *arg)
{
	vsvm_compute_fini(to_vsvm(drm));
}

static int vsvm_vram_setup(struct vsvm_device *vdev)
{
	return drm_svm_vram_init(&vdev->vram, vdev->cfg.vram_size,
				 vdev->cfg.visible_vram_size, SZ_4K);
}

static int vsvm_svm_setup(struct vsvm_device *vdev)
{
	int ret = drm_svm_device_init(&vdev->svm, &vdev->drm, &vsvm_svm_ops,
				      &vdev->vram, vdev->cfg.gtt_size);

	if (!ret && vdev->cfg.system_size)
		vdev->svm.system_limit = vdev->cfg.system_size;
	return ret;
}

/* The parts of a device, set up in this order and torn down in reverse. */
static const struct {
	int (*init)(struct vsvm_device *vdev);
	drmres_release_t fini;
} vsvm_parts[] = {
	{ vsvm_vram_setup, vsvm_vram_fini },
	{ vsvm_store_init, vsvm_store_fini },
	{ vsvm_svm_setup, vsvm_svm_fini },
	{ vsvm_engines_init, vsvm_engines_release },
	{ vsvm_devmem_init, vsvm_devmem_release },
	{ vsvm_compute_init, vsvm_compute_release },
};

static int vsvm_probe(struct platform_device *pdev)
{
	struct vsvm_device *vdev;
	unsigned int i;
	int ret;

	vdev = devm_drm_dev_alloc(&pdev->dev, &vsvm_drm_driver,
				  struct vsvm_device, drm);
	if (IS_ERR(vdev))
		return PTR_ERR(vdev);
	vdev->pdev = pdev;
	INIT_LIST_HEAD(&vdev->files);
	ret = drmm_mutex_init(&vdev->drm, &vdev->files_lock);
	if (ret)
		return ret;

	ret = vsvm_config_from_params(&vdev->cfg);
	if (ret)
		return ret;

	ret = dma_coerce_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64));
	if (ret)
		return ret;
	/* The engines take scatter-gather segments of any length (imports). */
	dma_set_max_seg_size(&pdev->dev, UINT_MAX);

	for (i = 0; i < ARRAY_SIZE(vsvm_parts); i++) {
		ret = vsvm_parts[i].init(vdev);
		if (ret)
			return ret;
		ret = drmm_add_action_or_reset(&vdev->drm, vsvm_parts[i].fini,
					       NULL);
		if (ret)
			return ret;
	}

	drm_debugfs_add_file(&vdev->drm, "vsvm_info", vsvm_info_show, NULL);
	drm_debugfs_add_file(&vdev->drm, "svm_clients", vsvm_svm_clients_show,
			     NULL);
	drm_debugfs_add_file(&vdev->drm, "vsvm_vms", vsvm_vms_show, NULL);

	ret = drm_dev_register(&vdev->drm, 0);
	if (ret)
		return ret;

	platform_set_drvdata(pdev, vdev);
	drm_info(&vdev->drm, "vsvm: %llu MiB VRAM (%llu MiB visible), %llu MiB GTT, %u copy engines\n",
		 vdev->cfg.vram_size >> 20, vdev->cfg.visible_vram_size >> 20,
		 vdev->cfg.gtt_size >> 20, vdev->cfg.num_copy_engines);
	return 0;
}

static void vsvm_remove(struct platform_device *pdev)
{
	struct vsvm_device *vdev = platform_get_drvdata(pdev);

	drm_dev_unplug(&vdev->drm);
}

static struct platform_driver vsvm_platform_driver = {
	.probe = vsvm_probe,
	.remove = vsvm_remove,
	.driver = {
		.name = VSVM_DRIVER_NAME,
	},
};

static void vsvm_destroy_devices(void)
{
	int i;

	for (i = VSVM_MAX_DEVICES - 1; i >= 0; i--) {
		if (vsvm_pdevs[i])
			platform_device_unregister(vsvm_pdevs[i]);
		vsvm_pdevs[i] = NULL;
	}
}

static int __init vsvm_init(void)
{
	struct vsvm_config cfg;
	unsigned int i;
	int ret;

	ret = vsvm_config_from_params(&cfg);
	if (ret) {
		pr_err("vsvm: invalid module parameters\n");
		return ret;
	}

	ret = platform_driver_register(&vsvm_platform_driver);
	if (ret)
		return ret;

	for (i = 0; i < num_devices; i++) {
		struct platform_device *pdev;

		pdev = platform_device_register_simple(VSVM_DRIVER_NAME, i,
						       NULL, 0);
		if (IS_ERR(pdev)) {
			ret = PTR_ERR(pdev);
			goto err_devices;
		}
		vsvm_pdevs[i] = pdev;
		if (!platform_get_drvdata(pdev)) {
			ret = -ENODEV;
			goto err_devices;
		}
	}
	return 0;

err_devices:
	vsvm_destroy_devices();
	platform_driver_unregister(&vsvm_platform_driver);
	return ret;
}

static void __exit vsvm_exit(void)
{
	vsvm_destroy_devices();
	platform_driver_unregister(&vsvm_platform_driver);
}

module_init(vsvm_init);
module_exit(vsvm_exit);

MODULE_DESCRIPTION("Virtual SVM GPU, the drm_svm reference driver");
MODULE_AUTHOR("The drm-svm authors");
MODULE_LICENSE("Dual MIT/GPL");
