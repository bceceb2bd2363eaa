// SPDX-License-Identifier: MIT
/*
 * Copyright © 2026 The drm-svm authors
 */

/**
 * TEST: svm lib opencl
 * Description: A real OpenCL runtime (PoCL's CPU device) runs a kernel over
 *              svm_alloc() memory that the vsvm device has partly moved
 *              into its VRAM: results are exact and the memory moves back
 *              by itself.
 * Category: Core
 * Mega feature: drm-svm
 * Sub-category: libdrm-svm
 */

#define CL_TARGET_OPENCL_VERSION 300

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CL/cl.h>

#include "igt.h"
#include "igt_vsvm.h"
#include "libdrm_svm.h"

#define N (1u << 20)		/* u32 elements: 4 MiB per buffer */
#define SIZE ((size_t)N * 4)
#define PAGES (SIZE / 4096)

static const char *kernel_src =
	"__kernel void axpb(__global const uint *a, __global const uint *b,\n"
	"		   __global uint *c)\n"
	"{\n"
	"	size_t i = get_global_id(0);\n"
	"	c[i] = 3 * a[i] + b[i];\n"
	"}\n";

struct cl {
	cl_context ctx;
	cl_command_queue queue;
	cl_program program;
	cl_kernel kernel;
};

static void cl_setup(struct cl *cl)
{
	cl_platform_id platform;
	cl_device_id device;
	cl_uint n = 0;
	cl_int err;

	/* PoCL keeps compiled kernels in a cache; give it a writable one. */
	setenv("POCL_CACHE_DIR", "/tmp/svm_lib_opencl.pocl", 0);
	err = clGetPlatformIDs(1, &platform, &n);
	igt_require_f(err == CL_SUCCESS && n, "no OpenCL platform (%d)\n",
		      err);
	err = clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 1, &device, &n);
	igt_require_f(err == CL_SUCCESS && n, "no OpenCL device (%d)\n", err);
	cl->ctx = clCreateContext(NULL, 1, &device, NULL, NULL, &err);
	igt_assert_eq(err, CL_SUCCESS);
	cl->queue = clCreateCommandQueueWithProperties(cl->ctx, device, NULL,
						       &err);
	igt_assert_eq(err, CL_SUCCESS);
	cl->program = clCreateProgramWithSource(cl->ctx, 1, &kernel_src, NULL,
						&err);
	igt_assert_eq(err, CL_SUCCESS);
	err = clBuildProgram(cl->program, 1, &device, "", NULL, NULL);
	igt_assert_eq(err, CL_SUCCESS);
	cl->kernel = clCreateKernel(cl->program, "axpb", &err);
	igt_assert_eq(err, CL_SUCCESS);
}

static void cl_teardown(struct cl *cl)
{
	clReleaseKernel(cl->kernel);
	clReleaseProgram(cl->program);
	clReleaseCommandQueue(cl->queue);
	clReleaseContext(cl->ctx);
}

/* c = 3a + b on the OpenCL device, straight on the caller's memory. */
static void cl_axpb(struct cl *cl, uint32_t *a, uint32_t *b, uint32_t *c)
{
	cl_mem m[3];
	size_t global = N;
	void *mapped;
	cl_int err;
	int i;

	m[0] = clCreateBuffer(cl->ctx, CL_MEM_USE_HOST_PTR | CL_MEM_READ_ONLY,
			      SIZE, a, &err);
	igt_assert_eq(err, CL_SUCCESS);
	m[1] = clCreateBuffer(cl->ctx, CL_MEM_USE_HOST_PTR | CL_MEM_READ_ONLY,
			      SIZE, b, &err);
	igt_assert_eq(err, CL_SUCCESS);
	m[2] = clCreateBuffer(cl->ctx, CL_MEM_USE_HOST_PTR | CL_MEM_WRITE_ONLY,
			      SIZE, c, &err);
	igt_assert_eq(err, CL_SUCCESS);
	for (i = 0; i < 3; i++)
		igt_assert_eq(clSetKernelArg(cl->kernel, i, sizeof(m[i]),
					     &m[i]), CL_SUCCESS);
	igt_assert_eq(clEnqueueNDRangeKernel(cl->queue, cl->kernel, 1, NULL,
					     &global, NULL, 0, NULL, NULL),
		      CL_SUCCESS);
	/* Mapping a USE_HOST_PTR buffer syncs it into the host memory. */
	mapped = clEnqueueMapBuffer(cl->queue, m[2], CL_TRUE, CL_MAP_READ, 0,
				    SIZE, 0, NULL, NULL, &err);
	igt_assert_eq(err, CL_SUCCESS);
	igt_assert(mapped == c);
	igt_assert_eq(clEnqueueUnmapMemObject(cl->queue, m[2], mapped, 0,
					      NULL, NULL), CL_SUCCESS);
	igt_assert_eq(clFinish(cl->queue), CL_SUCCESS);
	for (i = 0; i < 3; i++)
		clReleaseMemObject(m[i]);
}

static size_t device_pages(struct svm_device *dev, const void *p)
{
	uint8_t res[PAGES];
	size_t i, n = 0;

	igt_assert_eq(svm_residency(dev, p, SIZE, res, PAGES), 0);
	for (i = 0; i < PAGES; i++)
		n += res[i] == SVM_RESIDENCY_DEVICE;
	return n;
}

static void test_axpb(uint32_t flags)
{
	struct drm_vsvm_cmd add = { .op = DRM_VSVM_CMD_ADD };
	uint32_t *a, *b, *c, i;
	struct svm_device *dev = NULL;
	struct cl cl;
	int ret;

	ret = svm_device_open_first(&dev);
	igt_require_f(ret != -ENODEV, "no vsvm device\n");
	igt_assert_eq(ret, 0);
	cl_setup(&cl);

	igt_assert_eq(svm_alloc(dev, SIZE, flags, (void **)&a), 0);
	igt_assert_eq(svm_alloc(dev, SIZE, flags | SVM_ALLOC_DEVICE,
				(void **)&b), 0);
	igt_assert_eq(svm_alloc(dev, SIZE, flags, (void **)&c), 0);
	for (i = 0; i < N; i++) {
		a[i] = i * 7 + 1;
		c[i] = 0xdeadbeef;
	}
	/* The second half of a goes to VRAM; the device computes b = a + a. */
	igt_assert_eq(svm_prefetch(dev, a + N / 2, SIZE / 2,
				   SVM_LOCATION_DEVICE, NULL), 0);
	if (flags & SVM_ALLOC_SYSTEM)
		igt_assert_eq(svm_advise(dev, b, SIZE,
					 SVM_ADVICE_PREFERRED_LOCATION,
					 SVM_LOCATION_DEVICE), 0);
	add.arg[0] = (uintptr_t)b;
	add.arg[1] = (uintptr_t)a;
	add.arg[2] = (uintptr_t)a;
	add.arg[3] = N;
	igt_assert_eq(svm_exec(dev, &add, 1, NULL, 0, NULL), 0);
	igt_assert_eq_u64(device_pages(dev, a), PAGES / 2);
	igt_assert_eq_u64(device_pages(dev, b), PAGES);

	/* OpenCL reads a and b where they are: CPU faults bring them back. */
	cl_axpb(&cl, a, b, c);
	for (i = 0; i < N; i++)
		igt_assert_f(c[i] == 5 * (i * 7 + 1),
			     "c[%u] = %u, expected %u\n", i, c[i],
			     5 * (i * 7 + 1));
	igt_info("device pages after OpenCL: a %zu, b %zu of %zu\n",
		 device_pages(dev, a), device_pages(dev, b), PAGES);
	/* b was produced in VRAM and read by the CPU; it has not been lost. */
	for (i = 0; i < N; i++)
		igt_assert_eq_u32(b[i], 2 * (i * 7 + 1));

	/* The device reads OpenCL's result at the same address. */
	igt_assert_eq(svm_prefetch(dev, c, SIZE, SVM_LOCATION_DEVICE, NULL),
		      0);
	add.arg[0] = (uintptr_t)a;
	add.arg[1] = (uintptr_t)c;
	add.arg[2] = (uintptr_t)b;
	igt_assert_eq(svm_exec(dev, &add, 1, NULL, 0, NULL), 0);
	for (i = 0; i < N; i++)
		igt_assert_eq_u32(a[i], 7 * (i * 7 + 1));

	igt_assert_eq(svm_free(dev, a), 0);
	igt_assert_eq(svm_free(dev, b), 0);
	igt_assert_eq(svm_free(dev, c), 0);
	cl_teardown(&cl);
	svm_device_unref(dev);
}

int igt_main()
{
	igt_describe("PoCL computes over managed memory partly in VRAM.");
	igt_subtest("managed")
		test_axpb(0);

	igt_describe("PoCL computes over system-allocator memory partly in device-private VRAM.");
	igt_subtest("system")
		test_axpb(SVM_ALLOC_SYSTEM);
}
