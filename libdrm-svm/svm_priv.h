/* SPDX-License-Identifier: MIT */
/*
 * Copyright © 2026 The drm-svm authors
 */
#ifndef SVM_PRIV_H
#define SVM_PRIV_H

#include <pthread.h>
#include <sys/types.h>

#include "libdrm_svm.h"

#define svm_public __attribute__((visibility("default")))

/*
 * One svm_alloc() allocation: [addr, addr + size) is what the caller got,
 * [map, map + map_size) what was mapped for it. @handle is the GEM object of
 * managed memory, 0 for system-allocator memory.
 */
struct svm_alloc_entry {
	uintptr_t addr;
	size_t size;
	void *map;
	size_t map_size;
	uint32_t handle;
	uint32_t flags;
};

/*
 * The device handle. @lock protects @vm_id and the allocation table
 * (@allocs, sorted by address); the rest is constant after open.
 */
struct svm_device {
	int refcount;	/* atomic */
	int fd;
	pid_t pid;	/* the opener: the address space the VM mirrors */
	char node[64];
	char driver[32];
	pthread_mutex_t lock;
	uint32_t vm_id;	/* fault-mode VM, 0 until first needed */
	struct svm_alloc_entry *allocs;
	size_t nallocs, allocs_cap;
};

/* A fence: the syncobjs of the pieces of one operation, all to wait for. */
struct svm_fence {
	struct svm_device *dev;	/* referenced */
	uint32_t count;
	uint32_t syncobjs[];
};

int svm_ioctl(int fd, unsigned long request, void *arg);
int svm_check_owner(struct svm_device *dev);
int svm_fence_new(struct svm_device *dev, uint32_t count,
		  struct svm_fence **out);

#endif /* SVM_PRIV_H */
