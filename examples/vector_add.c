// SPDX-License-Identifier: MIT
/*
 * Copyright © 2026 The drm-svm authors
 */

/*
 * Vector add on the vsvm device with libdrm-svm, three ways:
 *
 *   vector_add managed   svm_alloc() managed memory (GEM objects that
 *                        migrate on demand), inputs prefetched to VRAM
 *   vector_add malloc    plain malloc() memory, mirrored for the device
 *   vector_add advise    system-allocator memory with advice: preferred
 *                        location device for the inputs, accessed-by for
 *                        the output
 *
 * Each run checks every element on the CPU and prints where the memory
 * was before and after.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libdrm_svm.h>
#include <vsvm_drm.h>

#define N (4u << 20)	/* elements: 16 MiB per vector */

static const char *const where_name[] = {
	[SVM_RESIDENCY_NONE] = "not populated",
	[SVM_RESIDENCY_SYSTEM] = "system",
	[SVM_RESIDENCY_GTT] = "gtt",
	[SVM_RESIDENCY_DEVICE] = "vram",
	[SVM_RESIDENCY_OTHER_DEVICE] = "other device",
	[SVM_RESIDENCY_UNMAPPED] = "unmapped",
};

static void where(struct svm_device *dev, const char *name, const void *p)
{
	uintptr_t first = (uintptr_t)p / 4096;
	uintptr_t last = ((uintptr_t)p + (size_t)N * 4 - 1) / 4096;
	size_t pages = last - first + 1, count[6] = { 0 }, i;
	uint8_t *res = malloc(pages);
	int ret;

	if (!res)
		return;
	ret = svm_residency(dev, p, (size_t)N * 4, res, pages);
	if (ret) {
		printf("  %s: residency: %s\n", name, svm_strerror(ret));
		free(res);
		return;
	}
	for (i = 0; i < pages; i++)
		count[res[i] < 6 ? res[i] : 0]++;
	printf("  %-2s:", name);
	for (i = 0; i < 6; i++)
		if (count[i])
			printf(" %zu pages %s", count[i], where_name[i]);
	printf("\n");
	free(res);
}

static int run(struct svm_device *dev, const char *mode)
{
	uint32_t *a = NULL, *b = NULL, *c = NULL, i, bad = 0;
	struct svm_fence *ready[2] = { NULL, NULL }, *done = NULL;
	struct drm_vsvm_cmd add = { .op = DRM_VSVM_CMD_ADD };
	bool managed = !strcmp(mode, "managed");
	bool advise = !strcmp(mode, "advise");
	int ret = 0;

	if (managed || advise) {
		uint32_t flags = advise ? SVM_ALLOC_SYSTEM : 0;

		ret = svm_alloc(dev, (size_t)N * 4, flags, (void **)&a) ?:
			svm_alloc(dev, (size_t)N * 4, flags, (void **)&b) ?:
			svm_alloc(dev, (size_t)N * 4, flags, (void **)&c);
	} else if (!strcmp(mode, "malloc")) {
		a = malloc((size_t)N * 4);
		b = malloc((size_t)N * 4);
		c = malloc((size_t)N * 4);
		ret = a && b && c ? 0 : -ENOMEM;
	} else {
		fprintf(stderr, "unknown mode %s\n", mode);
		return -EINVAL;
	}
	if (ret)
		goto out;
	for (i = 0; i < N; i++) {
		a[i] = i;
		b[i] = 3 * i + 1;
		c[i] = 0;
	}
	printf("%s: before\n", mode);
	where(dev, "a", a);
	where(dev, "c", c);

	if (managed) {
		/* Inputs to VRAM ahead of the kernel, in the background. */
		ret = svm_prefetch(dev, a, (size_t)N * 4, SVM_LOCATION_DEVICE,
				   &ready[0]) ?:
			svm_prefetch(dev, b, (size_t)N * 4,
				     SVM_LOCATION_DEVICE, &ready[1]);
	} else if (advise) {
		/* Device faults pull the inputs into VRAM; c stays put. */
		ret = svm_advise(dev, a, (size_t)N * 4,
				 SVM_ADVICE_PREFERRED_LOCATION,
				 SVM_LOCATION_DEVICE) ?:
			svm_advise(dev, b, (size_t)N * 4,
				   SVM_ADVICE_PREFERRED_LOCATION,
				   SVM_LOCATION_DEVICE) ?:
			svm_advise(dev, c, (size_t)N * 4,
				   SVM_ADVICE_ACCESSED_BY,
				   SVM_LOCATION_DEVICE);
	}
	if (ret)
		goto out;

	add.arg[0] = (uintptr_t)c;
	add.arg[1] = (uintptr_t)a;
	add.arg[2] = (uintptr_t)b;
	add.arg[3] = N;
	ret = svm_exec(dev, &add, 1, ready, managed ? 2 : 0, &done);
	if (ret)
		goto out;
	ret = svm_fence_wait(done, 60ll * 1000000000);
	if (ret)
		goto out;
	printf("%s: after the device's c = a + b\n", mode);
	where(dev, "a", a);
	where(dev, "c", c);
	for (i = 0; i < N; i++)
		bad += c[i] != 4 * i + 1;
	printf("%s: %u of %u elements wrong\n", mode, bad, N);
	ret = bad ? -EIO : 0;
out:
	svm_fence_destroy(ready[0]);
	svm_fence_destroy(ready[1]);
	svm_fence_destroy(done);
	if (managed || advise) {
		svm_free(dev, a);
		svm_free(dev, b);
		svm_free(dev, c);
	} else {
		free(a);
		free(b);
		free(c);
	}
	return ret;
}

int main(int argc, char **argv)
{
	struct svm_device *dev;
	int ret, i;

	ret = svm_device_open_first(&dev);
	if (ret) {
		fprintf(stderr, "no vsvm device: %s\n", svm_strerror(ret));
		return 1;
	}
	for (i = 1; i < argc || i == 1; i++) {
		ret = run(dev, argc > 1 ? argv[i] : "managed");
		if (ret) {
			fprintf(stderr, "%s: %s\n", argc > 1 ? argv[i] :
				"managed", svm_strerror(ret));
			break;
		}
	}
	svm_device_unref(dev);
	return ret ? 1 : 0;
}
