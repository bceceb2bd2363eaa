// SPDX-License-Identifier: MIT
/*
 * Copyright © 2026 The drm-svm authors
 *
 * The README's demo: opens the first drm-svm device with libdrm-svm and
 * shows what the device reports. It grows with the project (placements,
 * migration, SVM) as those land.
 */
#include <stdio.h>
#include <stdlib.h>

#include "libdrm_svm.h"
#include "vsvm_drm.h"

static void print_sizes(uint64_t mask)
{
	int bit;

	for (bit = 12; bit < 64; bit++)
		if (mask & (1ull << bit))
			printf(" %llu KiB", (1ull << bit) >> 10);
	printf("\n");
}

int main(void)
{
	struct svm_device_info info;
	struct svm_device *dev;
	uint64_t used;
	int ret;

	ret = svm_device_open_first(&dev);
	if (ret) {
		fprintf(stderr, "svm_device_open_first: %s\n", svm_strerror(ret));
		return 1;
	}
	ret = svm_device_query(dev, &info);
	if (!ret)
		ret = svm_device_get_param(dev, DRM_VSVM_PARAM_VRAM_USED, &used);
	if (ret) {
		fprintf(stderr, "query: %s\n", svm_strerror(ret));
		svm_device_unref(dev);
		return 1;
	}
	printf("device        %s (driver %s, uAPI %u.%u)\n", info.node,
	       info.driver, info.api_major, info.api_minor);
	printf("VRAM          %llu MiB, %llu MiB CPU-visible, %llu MiB in use\n",
	       (unsigned long long)info.vram_size >> 20,
	       (unsigned long long)info.visible_vram_size >> 20,
	       (unsigned long long)used >> 20);
	printf("GTT           %llu MiB\n", (unsigned long long)info.gtt_size >> 20);
	printf("copy engines  %u\n", info.num_copy_engines);
	printf("page sizes   ");
	print_sizes(info.page_sizes);
	svm_device_unref(dev);
	return 0;
}
