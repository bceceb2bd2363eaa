// SPDX-License-Identifier: MIT
/*
 * Copyright © 2026 The drm-svm authors
 *
 * The README's demo: with libdrm-svm, one buffer object moves between
 * system memory, GTT and VRAM (visible and invisible) while it stays mapped
 * on the CPU; after each step the demo shows where each chunk is and what
 * the CPU and the device read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "libdrm_svm.h"
#include "vsvm_drm.h"

#define MiB (1024ull * 1024)
#define SIZE (8 * MiB)

static struct svm_device *dev;
static uint32_t bo;
static char *cpu;

static void check(int ret, const char *what)
{
	if (ret) {
		fprintf(stderr, "%s: %s\n", what, svm_strerror(ret));
		exit(1);
	}
}

static void show(const char *step)
{
	struct drm_vsvm_chunk_state st[8];
	static const char *names[] = { "SYSTEM", "GTT", "VRAM" };
	uint64_t used = 0, chunk;
	uint32_t n, i;

	check(svm_bo_residency(dev, bo, st, 8, &n, &chunk), "residency");
	check(svm_device_get_param(dev, DRM_VSVM_PARAM_VRAM_USED, &used),
	      "param");
	printf("%-44s", step);
	for (i = 0; i < n; i++) {
		const char *vis = "";

		if (st[i].placement == DRM_VSVM_PL_VRAM)
			vis = st[i].flags & DRM_VSVM_CHUNK_VISIBLE ?
				"(vis)" : "(invis)";
		printf(" %s%s", st[i].flags & DRM_VSVM_CHUNK_POPULATED ?
		       names[st[i].placement] : "-", vis);
	}
	printf("   VRAM used %llu MiB\n", (unsigned long long)used >> 20);
}

static void peek(uint64_t off)
{
	char dev_view[40] = "";

	check(svm_bo_device_read(dev, bo, off, dev_view, sizeof(dev_view) - 1),
	      "device read");
	printf("    at %llu MiB: device reads \"%s\"\n",
	       (unsigned long long)(off >> 20), dev_view);
	printf("    at %llu MiB: CPU reads    \"%.39s\"\n",
	       (unsigned long long)(off >> 20), cpu + off);
}

static int compare_all(void)
{
	char *buf = malloc(SIZE);
	int same;

	check(buf ? 0 : -12, "malloc");
	check(svm_bo_device_read(dev, bo, 0, buf, SIZE), "device read");
	same = !memcmp(buf, cpu, SIZE);
	free(buf);
	return same;
}

int main(void)
{
	struct svm_device_info info;
	uint32_t all = DRM_VSVM_PL_MASK(DRM_VSVM_PL_SYSTEM) |
		DRM_VSVM_PL_MASK(DRM_VSVM_PL_GTT) |
		DRM_VSVM_PL_MASK(DRM_VSVM_PL_VRAM);
	uint64_t i;

	check(svm_device_open_first(&dev), "svm_device_open_first");
	check(svm_device_query(dev, &info), "query");
	printf("device %s (driver %s, uAPI %u.%u): VRAM %llu MiB (%llu MiB CPU-visible), GTT %llu MiB, %u copy engines\n\n",
	       info.node, info.driver, info.api_major, info.api_minor,
	       (unsigned long long)info.vram_size >> 20,
	       (unsigned long long)info.visible_vram_size >> 20,
	       (unsigned long long)info.gtt_size >> 20, info.num_copy_engines);

	check(svm_bo_create(dev, SIZE, all, DRM_VSVM_PL_SYSTEM, 0, &bo),
	      "create");
	check(svm_bo_map(dev, bo, SIZE, (void **)&cpu), "map");
	printf("an 8 MiB object in 2 MiB chunks, mapped once at %p\n", cpu);
	show("created (nothing allocated yet)");

	for (i = 0; i < SIZE; i += 4096)
		snprintf(cpu + i, 4096, "CPU wrote page %llu", (unsigned long long)(i >> 12));
	show("CPU wrote every page (first touch)");
	peek(2 * MiB);

	check(svm_bo_migrate(dev, bo, 0, SIZE, DRM_VSVM_PL_VRAM, 0), "migrate");
	show("copy engine moved it to VRAM");
	check(svm_bo_device_write(dev, bo, 4 * MiB, "device wrote this in VRAM", 26),
	      "device write");
	peek(4 * MiB);
	show("CPU read chunk 2 (invisible -> SYSTEM)");

	check(svm_bo_migrate(dev, bo, 6 * MiB, 2 * MiB, DRM_VSVM_PL_VRAM,
			     DRM_VSVM_MIGRATE_VISIBLE), "migrate visible");
	strcpy(cpu + 6 * MiB, "CPU wrote through the BAR");
	show("chunk 3 to visible VRAM, CPU wrote to it");
	peek(6 * MiB);

	check(svm_bo_migrate(dev, bo, 0, SIZE, DRM_VSVM_PL_GTT, 0), "migrate");
	show("everything to GTT");
	printf("    CPU and device views identical byte for byte: %s\n",
	       compare_all() ? "yes" : "NO");
	check(svm_bo_migrate(dev, bo, 0, SIZE, DRM_VSVM_PL_SYSTEM, 0), "migrate");
	show("and back to SYSTEM");
	printf("    CPU and device views identical byte for byte: %s\n",
	       compare_all() ? "yes" : "NO");

	munmap(cpu, SIZE);
	check(svm_bo_destroy(dev, bo), "destroy");
	svm_device_unref(dev);
	return 0;
}
