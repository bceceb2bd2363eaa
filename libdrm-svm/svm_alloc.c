// SPDX-License-Identifier: MIT
/*
 * Copyright © 2026 The drm-svm authors
 */

/*
 * svm_alloc() and friends: memory that has the same address on the CPU and
 * on the device.
 *
 * Managed memory is a GEM object with every placement allowed. Its single
 * CPU mapping (the object's mmap) is bound in the device handle's VM at the
 * same address, so the device and the CPU use one pointer while the
 * object's chunks move between system memory and VRAM.
 *
 * System-allocator memory (SVM_ALLOC_SYSTEM) is plain private anonymous
 * memory; the VM is in fault mode, so the device reaches it (and any other
 * pointer of the process) through the kernel's mirror of the address space.
 *
 * The handle keeps a table of its allocations (sorted by address, under the
 * handle's lock) to find the object behind a pointer.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <xf86drm.h>
#include <vsvm_drm.h>

#include "svm_priv.h"

#define SVM_HUGE_SIZE		(2ul << 20)
#define SVM_SNAPSHOT_PAGES	(64ul << 10)	/* 256 MiB of 4 KiB pages */

static size_t svm_page_size(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

/* Calls on a handle need the address space that opened it (see fork). */
int svm_check_owner(struct svm_device *dev)
{
	return dev->pid == getpid() ? 0 : -EINVAL;
}

/* The fault-mode VM of the handle, created on first use. Lock held. */
static int svm_vm_locked(struct svm_device *dev, uint32_t *vm_id)
{
	struct drm_vsvm_vm_create c = {
		.flags = DRM_VSVM_VM_CREATE_FAULT_MODE,
	};
	int ret;

	if (!dev->vm_id) {
		ret = svm_ioctl(dev->fd, DRM_IOCTL_VSVM_VM_CREATE, &c);
		if (ret)
			return ret == -ENOTTY ? -EOPNOTSUPP : ret;
		dev->vm_id = c.vm_id;
	}
	*vm_id = dev->vm_id;
	return 0;
}

svm_public int svm_device_vm(struct svm_device *dev, uint32_t *vm_id)
{
	int ret;

	if (!dev || !vm_id)
		return -EINVAL;
	ret = svm_check_owner(dev);
	if (ret)
		return ret;
	pthread_mutex_lock(&dev->lock);
	ret = svm_vm_locked(dev, vm_id);
	pthread_mutex_unlock(&dev->lock);
	return ret;
}

/* Index of the first allocation ending above @addr. Lock held. */
static size_t svm_lookup(struct svm_device *dev, uintptr_t addr)
{
	size_t lo = 0, hi = dev->nallocs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct svm_alloc_entry *e = &dev->allocs[mid];

		if (e->addr + e->size <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int svm_table_insert(struct svm_device *dev,
			    const struct svm_alloc_entry *e)
{
	size_t i;

	if (dev->nallocs == dev->allocs_cap) {
		size_t cap = dev->allocs_cap ? dev->allocs_cap * 2 : 16;
		struct svm_alloc_entry *a;

		a = realloc(dev->allocs, cap * sizeof(*a));
		if (!a)
			return -ENOMEM;
		dev->allocs = a;
		dev->allocs_cap = cap;
	}
	i = svm_lookup(dev, e->addr);
	memmove(&dev->allocs[i + 1], &dev->allocs[i],
		(dev->nallocs - i) * sizeof(*e));
	dev->allocs[i] = *e;
	dev->nallocs++;
	return 0;
}

/* Reserve @size bytes of address space aligned to @align. */
static void *svm_map_aligned(size_t size, size_t align, size_t *map_size)
{
	size_t len = size + align;
	uint8_t *p, *start;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	start = (uint8_t *)(((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1));
	if (start > p)
		munmap(p, start - p);
	if (start + size < p + len)
		munmap(start + size, p + len - (start + size));
	*map_size = size;
	return start;
}

static int svm_madvise(struct svm_device *dev, uintptr_t addr, size_t size,
		       uint32_t attr, uint32_t value)
{
	struct drm_vsvm_svm_madvise m = {
		.addr = addr,
		.size = size,
		.attr = attr,
		.value = value,
	};

	return svm_ioctl(dev->fd, DRM_IOCTL_VSVM_SVM_MADVISE, &m);
}

/* Every SVM attribute of the span back to its default. */
static int svm_madvise_reset(struct svm_device *dev, uintptr_t addr,
			     size_t size)
{
	static const uint32_t attrs[] = {
		DRM_VSVM_SVM_ATTR_PREFERRED_LOC, DRM_VSVM_SVM_ATTR_ACCESSED_BY,
		DRM_VSVM_SVM_ATTR_READ_MOSTLY, DRM_VSVM_SVM_ATTR_ATOMIC,
	};
	unsigned int i;
	int ret;

	/* The default of every attribute is 0. */
	for (i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
		ret = svm_madvise(dev, addr, size, attrs[i], 0);
		if (ret)
			return ret;
	}
	return 0;
}

static int svm_release(struct svm_device *dev,
		       const struct svm_alloc_entry *e);

static int svm_alloc_system(struct svm_device *dev, size_t size,
			    uint32_t flags, struct svm_alloc_entry *e)
{
	size_t align = size >= SVM_HUGE_SIZE ? SVM_HUGE_SIZE : svm_page_size();
	void *p;
	int ret;

	/* A fault-mode VM mirrors everything; no read-only mirror there. */
	if (flags & SVM_ALLOC_DEVICE_READ_ONLY)
		return -EOPNOTSUPP;
	p = svm_map_aligned(size, align, &e->map_size);
	if (!p)
		return -ENOMEM;
	e->map = p;
	e->addr = (uintptr_t)p;
	if (flags & SVM_ALLOC_DEVICE) {
		ret = svm_madvise(dev, e->addr, size,
				  DRM_VSVM_SVM_ATTR_PREFERRED_LOC,
				  DRM_VSVM_SVM_LOC_DEVICE);
		if (ret) {
			munmap(p, e->map_size);
			return ret;
		}
	}
	return 0;
}

static int svm_alloc_managed(struct svm_device *dev, uint32_t vm_id,
			     size_t size, uint32_t flags,
			     struct svm_alloc_entry *e)
{
	struct drm_vsvm_gem_create c = {
		.size = size,
		.placements = DRM_VSVM_PL_MASK(DRM_VSVM_PL_SYSTEM) |
			DRM_VSVM_PL_MASK(DRM_VSVM_PL_GTT) |
			DRM_VSVM_PL_MASK(DRM_VSVM_PL_VRAM),
		.preferred = flags & SVM_ALLOC_DEVICE ? DRM_VSVM_PL_VRAM :
			DRM_VSVM_PL_SYSTEM,
	};
	struct drm_vsvm_gem_mmap_offset m = { 0 };
	struct drm_vsvm_vm_bind b = {
		.vm_id = vm_id,
		.op = DRM_VSVM_VM_BIND_OP_MAP,
		.flags = flags & SVM_ALLOC_DEVICE_READ_ONLY ?
			DRM_VSVM_VM_BIND_FLAG_READONLY : 0,
		.range = size,
	};
	struct drm_gem_close cl = { 0 };
	void *p;
	int ret;

	ret = svm_ioctl(dev->fd, DRM_IOCTL_VSVM_GEM_CREATE, &c);
	if (ret)
		return ret;
	m.handle = c.handle;
	ret = svm_ioctl(dev->fd, DRM_IOCTL_VSVM_GEM_MMAP_OFFSET, &m);
	if (ret)
		goto err_close;
	/* The driver aligns the mapping for huge device and CPU pages. */
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, dev->fd,
		 m.offset);
	if (p == MAP_FAILED) {
		ret = -errno;
		goto err_close;
	}
	b.handle = c.handle;
	b.addr = (uintptr_t)p;
	ret = svm_ioctl(dev->fd, DRM_IOCTL_VSVM_VM_BIND, &b);
	if (ret)
		goto err_unmap;
	e->addr = (uintptr_t)p;
	e->map = p;
	e->map_size = size;
	e->handle = c.handle;
	return 0;

err_unmap:
	munmap(p, size);
err_close:
	cl.handle = c.handle;
	svm_ioctl(dev->fd, DRM_IOCTL_GEM_CLOSE, &cl);
	return ret;
}

svm_public int svm_alloc(struct svm_device *dev, size_t size, uint32_t flags,
			 void **ptr)
{
	struct svm_alloc_entry e = { 0 };
	size_t page = svm_page_size(), rounded;
	uint32_t vm_id;
	int ret;

	if (!dev || !ptr || !size)
		return -EINVAL;
	if (flags & ~(SVM_ALLOC_SYSTEM | SVM_ALLOC_DEVICE |
		      SVM_ALLOC_DEVICE_READ_ONLY))
		return -EINVAL;
	/* Round up to whole pages, refusing sizes that would wrap. */
	if (size > SIZE_MAX - (page - 1) - SVM_HUGE_SIZE)
		return -ENOMEM;
	rounded = (size + page - 1) & ~(page - 1);
	ret = svm_check_owner(dev);
	if (ret)
		return ret;

	pthread_mutex_lock(&dev->lock);
	/* Both kinds need the VM: managed memory is bound in it. */
	ret = svm_vm_locked(dev, &vm_id);
	if (ret)
		goto out;
	e.size = rounded;
	e.flags = flags;
	if (flags & SVM_ALLOC_SYSTEM)
		ret = svm_alloc_system(dev, rounded, flags, &e);
	else
		ret = svm_alloc_managed(dev, vm_id, rounded, flags, &e);
	if (ret)
		goto out;
	ret = svm_table_insert(dev, &e);
	if (ret) {
		svm_release(dev, &e);
		goto out;
	}
	*ptr = (void *)e.addr;
out:
	pthread_mutex_unlock(&dev->lock);
	return ret;
}

/* Release what one allocation holds; it is no longer in the table. */
static int svm_release(struct svm_device *dev, const struct svm_alloc_entry *e)
{
	int ret = 0;

	if (e->handle) {
		struct drm_vsvm_vm_bind b = {
			.vm_id = dev->vm_id,
			.op = DRM_VSVM_VM_BIND_OP_UNMAP,
			.addr = e->addr,
			.range = e->size,
		};
		struct drm_gem_close cl = { .handle = e->handle };

		ret = svm_ioctl(dev->fd, DRM_IOCTL_VSVM_VM_BIND, &b);
		munmap(e->map, e->map_size);
		if (svm_ioctl(dev->fd, DRM_IOCTL_GEM_CLOSE, &cl) && !ret)
			ret = -EINVAL;
	} else {
		/* Attributes belong to addresses: do not leave them behind. */
		if (e->flags & SVM_ALLOC_DEVICE)
			ret = svm_madvise_reset(dev, e->addr, e->size);
		munmap(e->map, e->map_size);
	}
	return ret;
}

svm_public int svm_free(struct svm_device *dev, void *ptr)
{
	struct svm_alloc_entry e;
	size_t i;
	int ret;

	if (!dev)
		return -EINVAL;
	if (!ptr)
		return 0;
	ret = svm_check_owner(dev);
	if (ret)
		return ret;
	pthread_mutex_lock(&dev->lock);
	i = svm_lookup(dev, (uintptr_t)ptr);
	if (i == dev->nallocs || dev->allocs[i].addr != (uintptr_t)ptr) {
		/* Not from svm_alloc() on this handle, or freed already. */
		pthread_mutex_unlock(&dev->lock);
		return -EINVAL;
	}
	e = dev->allocs[i];
	memmove(&dev->allocs[i], &dev->allocs[i + 1],
		(dev->nallocs - i - 1) * sizeof(e));
	dev->nallocs--;
	ret = svm_release(dev, &e);
	pthread_mutex_unlock(&dev->lock);
	return ret;
}

/*
 * Walk [addr, addr + size) piece by piece: @fn gets each run that is one
 * allocation's managed memory (@e set) or lies outside any managed
 * allocation (@e NULL). Lock held.
 */
typedef int (*svm_piece_fn)(struct svm_device *dev,
			    const struct svm_alloc_entry *e, uintptr_t start,
			    uintptr_t end, void *arg);

static int svm_for_each_piece(struct svm_device *dev, uintptr_t addr,
			      uintptr_t end, svm_piece_fn fn, void *arg)
{
	size_t i = svm_lookup(dev, addr);
	int ret;

	while (addr < end) {
		const struct svm_alloc_entry *e = NULL;
		uintptr_t next = end;

		/* Skip system-allocator entries: they are plain memory. */
		while (i < dev->nallocs && !dev->allocs[i].handle)
			i++;
		if (i < dev->nallocs) {
			const struct svm_alloc_entry *c = &dev->allocs[i];

			if (c->addr <= addr) {
				e = c;
				next = c->addr + c->size < end ?
					c->addr + c->size : end;
				i++;
			} else if (c->addr < end) {
				next = c->addr;
			}
		}
		ret = fn(dev, e, addr, next, arg);
		if (ret)
			return ret;
		addr = next;
	}
	return 0;
}

/* Page-align [ptr, ptr + size) outwards, checking for overflow. */
static int svm_span(const void *ptr, size_t size, uintptr_t *start,
		    uintptr_t *end)
{
	uintptr_t page = svm_page_size(), p = (uintptr_t)ptr;

	if (!ptr || !size || p > UINTPTR_MAX - size ||
	    p + size > UINTPTR_MAX - (page - 1))
		return -EINVAL;
	*start = p & ~(page - 1);
	*end = (p + size + page - 1) & ~(page - 1);
	return 0;
}

struct svm_prefetch_ctx {
	uint32_t location;
	struct svm_fence *fence;	/* NULL: synchronous */
	uint32_t pieces;
};

static int svm_prefetch_piece(struct svm_device *dev,
			      const struct svm_alloc_entry *e, uintptr_t start,
			      uintptr_t end, void *arg)
{
	struct svm_prefetch_ctx *ctx = arg;
	uint32_t syncobj = 0;
	int ret;

	if (ctx->fence) {
		ret = drmSyncobjCreate(dev->fd, 0, &syncobj);
		if (ret)
			return ret;
	}
	if (e) {
		struct drm_vsvm_gem_migrate m = {
			.handle = e->handle,
			.placement = ctx->location == SVM_LOCATION_DEVICE ?
				DRM_VSVM_PL_VRAM : DRM_VSVM_PL_SYSTEM,
			.offset = start - e->addr,
			.size = end - start,
			.flags = ctx->fence ? DRM_VSVM_MIGRATE_ASYNC : 0,
			.out_syncobj = syncobj,
		};

		ret = svm_ioctl(dev->fd, DRM_IOCTL_VSVM_GEM_MIGRATE, &m);
	} else {
		struct drm_vsvm_svm_prefetch p = {
			.addr = start,
			.size = end - start,
			.target = ctx->location == SVM_LOCATION_DEVICE ?
				DRM_VSVM_SVM_TARGET_DEVICE :
				DRM_VSVM_SVM_TARGET_SYSTEM,
			.flags = ctx->fence ? 0 : DRM_VSVM_SVM_PREFETCH_SYNC,
			.out_syncobj = syncobj,
		};

		ret = svm_ioctl(dev->fd, DRM_IOCTL_VSVM_SVM_PREFETCH, &p);
	}
	if (ret) {
		if (syncobj)
			drmSyncobjDestroy(dev->fd, syncobj);
		return ret;
	}
	if (ctx->fence)
		ctx->fence->syncobjs[ctx->fence->count++] = syncobj;
	ctx->pieces++;
	return 0;
}

static int svm_count_piece(struct svm_device *dev,
			   const struct svm_alloc_entry *e, uintptr_t start,
			   uintptr_t end, void *arg)
{
	(*(uint32_t *)arg)++;
	return 0;
}

svm_public int svm_prefetch(struct svm_device *dev, const void *ptr,
			    size_t size, uint32_t location,
			    struct svm_fence **fence)
{
	struct svm_prefetch_ctx ctx = { .location = location };
	uintptr_t start, end;
	uint32_t pieces = 0;
	int ret;

	if (!dev || location > SVM_LOCATION_DEVICE)
		return -EINVAL;
	ret = svm_span(ptr, size, &start, &end);
	if (ret)
		return ret;
	ret = svm_check_owner(dev);
	if (ret)
		return ret;
	pthread_mutex_lock(&dev->lock);
	if (fence) {
		svm_for_each_piece(dev, start, end, svm_count_piece, &pieces);
		ret = svm_fence_new(dev, pieces, &ctx.fence);
		if (ret)
			goto out;
		ctx.fence->count = 0;
	}
	ret = svm_for_each_piece(dev, start, end, svm_prefetch_piece, &ctx);
	if (ret) {
		/* Pieces already queued finish on their own. */
		svm_fence_destroy(ctx.fence);
		goto out;
	}
	if (fence)
		*fence = ctx.fence;
out:
	pthread_mutex_unlock(&dev->lock);
	return ret;
}

struct svm_advise_ctx {
	uint32_t attr, value, reset;
};

static int svm_advise_piece(struct svm_device *dev,
			    const struct svm_alloc_entry *e, uintptr_t start,
			    uintptr_t end, void *arg)
{
	struct svm_advise_ctx *ctx = arg;

	/*
	 * Managed memory is always mapped for the device wherever its chunks
	 * are, and device atomics work in every placement: the attributes
	 * have nothing to change there. A preferred location of the device
	 * moves the chunks there now (their CPU-access policy decides later
	 * moves).
	 */
	if (e) {
		if (ctx->attr == DRM_VSVM_SVM_ATTR_PREFERRED_LOC && !ctx->reset &&
		    ctx->value == DRM_VSVM_SVM_LOC_DEVICE) {
			struct drm_vsvm_gem_migrate m = {
				.handle = e->handle,
				.placement = DRM_VSVM_PL_VRAM,
				.offset = start - e->addr,
				.size = end - start,
				.flags = DRM_VSVM_MIGRATE_ASYNC,
			};

			return svm_ioctl(dev->fd, DRM_IOCTL_VSVM_GEM_MIGRATE,
					 &m);
		}
		return 0;
	}
	if (ctx->reset)
		return svm_madvise_reset(dev, start, end - start);
	return svm_madvise(dev, start, end - start, ctx->attr, ctx->value);
}

svm_public int svm_advise(struct svm_device *dev, const void *ptr,
			  size_t size, uint32_t advice, uint32_t location)
{
	struct svm_advise_ctx ctx = { 0 };
	uintptr_t start, end;
	int ret;

	if (!dev || location > SVM_LOCATION_DEVICE)
		return -EINVAL;
	switch (advice) {
	case SVM_ADVICE_PREFERRED_LOCATION:
		ctx.attr = DRM_VSVM_SVM_ATTR_PREFERRED_LOC;
		ctx.value = location == SVM_LOCATION_DEVICE ?
			DRM_VSVM_SVM_LOC_DEVICE : DRM_VSVM_SVM_LOC_SYSTEM;
		break;
	case SVM_ADVICE_UNSET_PREFERRED_LOCATION:
		ctx.attr = DRM_VSVM_SVM_ATTR_PREFERRED_LOC;
		ctx.value = DRM_VSVM_SVM_LOC_DEFAULT;
		break;
	case SVM_ADVICE_ACCESSED_BY:
	case SVM_ADVICE_UNSET_ACCESSED_BY:
		/* The accessor is this handle's device. */
		if (location != SVM_LOCATION_DEVICE)
			return -EINVAL;
		ctx.attr = DRM_VSVM_SVM_ATTR_ACCESSED_BY;
		ctx.value = advice == SVM_ADVICE_ACCESSED_BY;
		break;
	case SVM_ADVICE_READ_MOSTLY:
	case SVM_ADVICE_UNSET_READ_MOSTLY:
		ctx.attr = DRM_VSVM_SVM_ATTR_READ_MOSTLY;
		ctx.value = advice == SVM_ADVICE_READ_MOSTLY;
		break;
	case SVM_ADVICE_ATOMIC:
		ctx.attr = DRM_VSVM_SVM_ATTR_ATOMIC;
		ctx.value = location == SVM_LOCATION_DEVICE ?
			DRM_VSVM_SVM_ATOMIC_DEVICE :
			DRM_VSVM_SVM_ATOMIC_EXCLUSIVE;
		break;
	case SVM_ADVICE_UNSET_ATOMIC:
		ctx.attr = DRM_VSVM_SVM_ATTR_ATOMIC;
		ctx.value = DRM_VSVM_SVM_ATOMIC_DEFAULT;
		break;
	case SVM_ADVICE_UNSET:
		ctx.reset = 1;
		break;
	default:
		return -EINVAL;
	}
	ret = svm_span(ptr, size, &start, &end);
	if (ret)
		return ret;
	ret = svm_check_owner(dev);
	if (ret)
		return ret;
	pthread_mutex_lock(&dev->lock);
	ret = svm_for_each_piece(dev, start, end, svm_advise_piece, &ctx);
	pthread_mutex_unlock(&dev->lock);
	return ret;
}

struct svm_residency_ctx {
	uintptr_t start;
	uint8_t *out;
};

static uint8_t svm_residency_of_chunk(const struct drm_vsvm_chunk_state *c)
{
	if (!(c->flags & DRM_VSVM_CHUNK_POPULATED))
		return SVM_RESIDENCY_NONE;
	switch (c->placement) {
	case DRM_VSVM_PL_GTT:
		return SVM_RESIDENCY_GTT;
	case DRM_VSVM_PL_VRAM:
		return SVM_RESIDENCY_DEVICE;
	default:
		return SVM_RESIDENCY_SYSTEM;
	}
}

static uint8_t svm_residency_of_prot(uint8_t prot)
{
	if (prot == DRM_VSVM_SVM_PROT_ERROR)
		return SVM_RESIDENCY_UNMAPPED;
	if ((prot & 0x30) == DRM_VSVM_SVM_PROT_DEV_PRIVATE_REMOTE)
		return SVM_RESIDENCY_OTHER_DEVICE;
	if ((prot & 0x30) == DRM_VSVM_SVM_PROT_DEV_PRIVATE_LOCAL)
		return SVM_RESIDENCY_DEVICE;
	if (!(prot & (DRM_VSVM_SVM_PROT_READ | DRM_VSVM_SVM_PROT_WRITE)) ||
	    (prot & DRM_VSVM_SVM_PROT_ZERO))
		return SVM_RESIDENCY_NONE;
	return SVM_RESIDENCY_SYSTEM;
}

static int svm_residency_piece(struct svm_device *dev,
			       const struct svm_alloc_entry *e,
			       uintptr_t start, uintptr_t end, void *arg)
{
	struct svm_residency_ctx *ctx = arg;
	size_t page = svm_page_size(), npages = (end - start) / page, i;
	uint8_t *out = ctx->out + (start - ctx->start) / page;
	int ret;

	if (e) {
		struct drm_vsvm_gem_residency r = { .handle = e->handle };
		struct drm_vsvm_chunk_state *chunks;

		ret = svm_ioctl(dev->fd, DRM_IOCTL_VSVM_GEM_RESIDENCY, &r);
		if (ret)
			return ret;
		chunks = calloc(r.nchunks, sizeof(*chunks));
		if (!chunks)
			return -ENOMEM;
		r.count = r.nchunks;
		r.chunks = (uintptr_t)chunks;
		ret = svm_ioctl(dev->fd, DRM_IOCTL_VSVM_GEM_RESIDENCY, &r);
		for (i = 0; !ret && i < npages; i++) {
			uint64_t off = start - e->addr + i * page;

			out[i] = svm_residency_of_chunk(&chunks[off /
							       r.chunk_size]);
		}
		free(chunks);
		return ret;
	}
	/* The snapshot ioctl takes at most 1 GiB at a time. */
	for (i = 0; i < npages; i += SVM_SNAPSHOT_PAGES) {
		struct drm_vsvm_svm_snapshot s = {
			.addr = start + i * page,
			.npages = npages - i < SVM_SNAPSHOT_PAGES ?
				npages - i : SVM_SNAPSHOT_PAGES,
			.data = (uintptr_t)(out + i),
		};
		size_t j;

		ret = svm_ioctl(dev->fd, DRM_IOCTL_VSVM_SVM_SNAPSHOT, &s);
		if (ret)
			return ret;
		for (j = 0; j < s.npages; j++)
			out[i + j] = svm_residency_of_prot(out[i + j]);
	}
	return 0;
}

svm_public int svm_residency(struct svm_device *dev, const void *ptr,
			     size_t size, uint8_t *out, size_t count)
{
	struct svm_residency_ctx ctx = { .out = out };
	uintptr_t end;
	int ret;

	if (!dev || !out)
		return -EINVAL;
	ret = svm_span(ptr, size, &ctx.start, &end);
	if (ret)
		return ret;
	if (count < (end - ctx.start) / svm_page_size())
		return -ENOSPC;
	ret = svm_check_owner(dev);
	if (ret)
		return ret;
	pthread_mutex_lock(&dev->lock);
	ret = svm_for_each_piece(dev, ctx.start, end, svm_residency_piece,
				 &ctx);
	pthread_mutex_unlock(&dev->lock);
	return ret;
}
