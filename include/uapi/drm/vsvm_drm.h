/* SPDX-License-Identifier: MIT */
/*
 * Copyright © 2026 The drm-svm authors
 */
#ifndef _UAPI_VSVM_DRM_H_
#define _UAPI_VSVM_DRM_H_

#include "drm.h"

#if defined(__cplusplus)
extern "C" {
#endif

/**
 * DOC: vsvm uAPI
 *
 * vsvm is the reference virtual SVM GPU of drm-svm. It exposes a render node
 * (driver name "vsvm"). Every ioctl structure is built from __u32/__u64
 * fields only, with explicit padding that must be zero. Unknown flags,
 * unknown parameters and non-zero padding are rejected with -EINVAL.
 *
 * The interface version is the DRM driver version reported by
 * DRM_IOCTL_VERSION (major.minor); it is also available as
 * %DRM_VSVM_PARAM_UAPI_VERSION. The minor number grows when ioctls or
 * parameters are added; the major number changes only for incompatible
 * changes.
 *
 * 1.0: GEM objects with placements, the SVM test ioctls (access, snapshot,
 *      migrate).
 * 1.1: VMs, binds and exec on the compute engine; SVM attributes
 *      (madvise), prefetch with a fence, range listing, device atomics;
 *      the CAPS and NUM_COMPUTE_ENGINES parameters.
 */

#define DRM_VSVM_UAPI_MAJOR	1
#define DRM_VSVM_UAPI_MINOR	2

#define DRM_VSVM_GET_PARAM		0x00
#define DRM_VSVM_GEM_CREATE		0x01
#define DRM_VSVM_GEM_MMAP_OFFSET	0x02
#define DRM_VSVM_GEM_MIGRATE		0x03
#define DRM_VSVM_GEM_RESIDENCY		0x04
#define DRM_VSVM_GEM_ACCESS		0x05
#define DRM_VSVM_SVM_ACCESS		0x06
#define DRM_VSVM_SVM_SNAPSHOT		0x07
#define DRM_VSVM_SVM_MIGRATE		0x08

#define DRM_IOCTL_VSVM_GET_PARAM \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_VSVM_GET_PARAM, struct drm_vsvm_get_param)
#define DRM_IOCTL_VSVM_GEM_CREATE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_VSVM_GEM_CREATE, struct drm_vsvm_gem_create)
#define DRM_IOCTL_VSVM_GEM_MMAP_OFFSET \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_VSVM_GEM_MMAP_OFFSET, \
		 struct drm_vsvm_gem_mmap_offset)
#define DRM_IOCTL_VSVM_GEM_MIGRATE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_VSVM_GEM_MIGRATE, struct drm_vsvm_gem_migrate)
#define DRM_IOCTL_VSVM_GEM_RESIDENCY \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_VSVM_GEM_RESIDENCY, \
		 struct drm_vsvm_gem_residency)
#define DRM_IOCTL_VSVM_GEM_ACCESS \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_VSVM_GEM_ACCESS, struct drm_vsvm_gem_access)
#define DRM_IOCTL_VSVM_SVM_ACCESS \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_VSVM_SVM_ACCESS, struct drm_vsvm_svm_access)
#define DRM_IOCTL_VSVM_SVM_SNAPSHOT \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_VSVM_SVM_SNAPSHOT, \
		 struct drm_vsvm_svm_snapshot)
#define DRM_IOCTL_VSVM_SVM_MIGRATE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_VSVM_SVM_MIGRATE, struct drm_vsvm_svm_migrate)

/**
 * enum drm_vsvm_param - parameters readable with DRM_IOCTL_VSVM_GET_PARAM
 *
 * @DRM_VSVM_PARAM_UAPI_VERSION: (major << 16) | minor of this interface.
 * @DRM_VSVM_PARAM_VRAM_SIZE: size of the device memory (VRAM) in bytes.
 * @DRM_VSVM_PARAM_VISIBLE_VRAM_SIZE: size of the CPU-visible part of VRAM
 *	(the BAR aperture) in bytes; less than or equal to the VRAM size.
 * @DRM_VSVM_PARAM_GTT_SIZE: size of the GART (GTT) aperture in bytes.
 * @DRM_VSVM_PARAM_NUM_COPY_ENGINES: number of copy engines.
 * @DRM_VSVM_PARAM_PAGE_SIZES: bit mask of the page sizes the device MMU
 *	supports (bit n set: 2^n bytes); always includes 4 KiB.
 * @DRM_VSVM_PARAM_VRAM_USED: bytes of VRAM allocated right now.
 * @DRM_VSVM_PARAM_GTT_USED: bytes bound in the GART right now.
 * @DRM_VSVM_PARAM_CAPS: DRM_VSVM_CAP_* bits: what the device can do.
 * @DRM_VSVM_PARAM_NUM_COMPUTE_ENGINES: number of compute engines
 *	(DRM_IOCTL_VSVM_EXEC).
 * @DRM_VSVM_PARAM_SYSTEM_SIZE: bytes of system memory the device's GEM
 *	objects may hold together (SYSTEM and GTT chunks), and so the largest
 *	object that may live in system memory (uAPI 1.2).
 * @DRM_VSVM_PARAM_SYSTEM_USED: bytes of it held right now (uAPI 1.2).
 * @DRM_VSVM_PARAM_COUNT: number of parameters; not a parameter.
 */
enum drm_vsvm_param {
	DRM_VSVM_PARAM_UAPI_VERSION = 0,
	DRM_VSVM_PARAM_VRAM_SIZE = 1,
	DRM_VSVM_PARAM_VISIBLE_VRAM_SIZE = 2,
	DRM_VSVM_PARAM_GTT_SIZE = 3,
	DRM_VSVM_PARAM_NUM_COPY_ENGINES = 4,
	DRM_VSVM_PARAM_PAGE_SIZES = 5,
	DRM_VSVM_PARAM_VRAM_USED = 6,
	DRM_VSVM_PARAM_GTT_USED = 7,
	DRM_VSVM_PARAM_CAPS = 8,
	DRM_VSVM_PARAM_NUM_COMPUTE_ENGINES = 9,
	DRM_VSVM_PARAM_SYSTEM_SIZE = 10,
	DRM_VSVM_PARAM_SYSTEM_USED = 11,
	DRM_VSVM_PARAM_COUNT,
};

/** DRM_VSVM_CAP_MIRROR - the SVM ioctls mirror the process address space */
#define DRM_VSVM_CAP_MIRROR		(1ull << 0)
/** DRM_VSVM_CAP_DEVICE_PRIVATE - mirrored memory can migrate into VRAM */
#define DRM_VSVM_CAP_DEVICE_PRIVATE	(1ull << 1)
/** DRM_VSVM_CAP_COMPUTE - VMs and a compute engine (DRM_IOCTL_VSVM_EXEC) */
#define DRM_VSVM_CAP_COMPUTE		(1ull << 2)
/**
 * DRM_VSVM_CAP_DEVICE_THP - mirrored memory moves to and from VRAM as 2 MiB
 * device folios (PMD-aligned ranges). Needs Linux 7.2 or later; never set on
 * the 6.12 LTS kernel, where device memory moves 4 KiB at a time.
 */
#define DRM_VSVM_CAP_DEVICE_THP		(1ull << 3)

/**
 * struct drm_vsvm_get_param - argument of DRM_IOCTL_VSVM_GET_PARAM
 */
struct drm_vsvm_get_param {
	/** @param: in, one of &enum drm_vsvm_param. */
	__u32 param;
	/** @pad: must be zero. */
	__u32 pad;
	/** @value: out, the value of the parameter. */
	__u64 value;
};

/**
 * DOC: vsvm placements
 *
 * An object's memory is split in chunks (2 MiB, or the object size rounded
 * up to a power of two for smaller objects); each chunk is in one placement:
 * %DRM_VSVM_PL_SYSTEM, %DRM_VSVM_PL_GTT or %DRM_VSVM_PL_VRAM. The object has
 * a single CPU mapping (its mmap offset) that stays valid while chunks move.
 */
#define DRM_VSVM_PL_SYSTEM	0
#define DRM_VSVM_PL_GTT		1
#define DRM_VSVM_PL_VRAM	2
#define DRM_VSVM_PL_COUNT	3

/** DRM_VSVM_PL_MASK - the bit of a placement in a placement mask */
#define DRM_VSVM_PL_MASK(pl)	(1u << (pl))

/* drm_vsvm_gem_create.flags */
/** DRM_VSVM_GEM_CPU_MIGRATE_SYSTEM - CPU access moves chunks to SYSTEM */
#define DRM_VSVM_GEM_CPU_MIGRATE_SYSTEM		(1u << 0)
/** DRM_VSVM_GEM_CPU_PREFER_VISIBLE - CPU access to invisible VRAM moves the
 * chunk to CPU-visible VRAM rather than to system memory
 */
#define DRM_VSVM_GEM_CPU_PREFER_VISIBLE		(1u << 1)

/**
 * struct drm_vsvm_gem_create - argument of DRM_IOCTL_VSVM_GEM_CREATE
 */
struct drm_vsvm_gem_create {
	/**
	 * @size: in, bytes; rounded up to a page. -E2BIG when the object
	 * would not fit, whole, in one of @placements (system RAM, the GTT
	 * size, the VRAM size: DRM_VSVM_PARAM_VRAM_SIZE) or would have more
	 * than 2^20 chunks (4 GiB with 4 KiB chunks).
	 */
	__u64 size;
	/** @placements: in, mask of allowed placements, not zero. */
	__u32 placements;
	/** @preferred: in, where chunks are populated, in @placements. */
	__u32 preferred;
	/** @flags: in, DRM_VSVM_GEM_*. */
	__u32 flags;
	/** @chunk_shift: in, log2 of the chunk size (12-30), 0: default. */
	__u32 chunk_shift;
	/** @handle: out, the GEM handle. */
	__u32 handle;
	/** @pad: must be zero. */
	__u32 pad;
};

/**
 * struct drm_vsvm_gem_mmap_offset - argument of DRM_IOCTL_VSVM_GEM_MMAP_OFFSET
 */
struct drm_vsvm_gem_mmap_offset {
	/** @handle: in, the object. */
	__u32 handle;
	/** @flags: in, must be zero. */
	__u32 flags;
	/** @offset: out, the offset to mmap (MAP_SHARED) the object at. */
	__u64 offset;
};

/* drm_vsvm_gem_migrate.flags */
/** DRM_VSVM_MIGRATE_ASYNC - return once queued; wait on @out_syncobj */
#define DRM_VSVM_MIGRATE_ASYNC		(1u << 0)
/** DRM_VSVM_MIGRATE_VISIBLE - into the CPU-visible part of VRAM only */
#define DRM_VSVM_MIGRATE_VISIBLE	(1u << 1)

/**
 * struct drm_vsvm_gem_migrate - argument of DRM_IOCTL_VSVM_GEM_MIGRATE
 *
 * Moves every chunk a byte range touches to a placement with the copy
 * engine. Without %DRM_VSVM_MIGRATE_ASYNC the ioctl waits for the copies.
 * An object exported as a dma-buf and attached by a static importer is
 * pinned in system memory: moving it fails with -EBUSY.
 */
struct drm_vsvm_gem_migrate {
	/** @handle: in, the object. */
	__u32 handle;
	/** @placement: in, DRM_VSVM_PL_*, allowed for the object. */
	__u32 placement;
	/** @offset: in, start of the range in bytes. */
	__u64 offset;
	/** @size: in, length of the range in bytes, not zero. */
	__u64 size;
	/** @flags: in, DRM_VSVM_MIGRATE_*. */
	__u32 flags;
	/**
	 * @out_syncobj: in, a syncobj that receives the fence of the move
	 * (signalled at once when nothing moves), or 0.
	 */
	__u32 out_syncobj;
};

/** DRM_VSVM_CHUNK_POPULATED - the chunk has memory */
#define DRM_VSVM_CHUNK_POPULATED	(1u << 0)
/** DRM_VSVM_CHUNK_VISIBLE - the chunk is in CPU-visible VRAM */
#define DRM_VSVM_CHUNK_VISIBLE		(1u << 1)
/** DRM_VSVM_CHUNK_BUSY - a move of the chunk is in flight */
#define DRM_VSVM_CHUNK_BUSY		(1u << 2)

/**
 * struct drm_vsvm_chunk_state - one chunk in DRM_IOCTL_VSVM_GEM_RESIDENCY
 */
struct drm_vsvm_chunk_state {
	/** @placement: DRM_VSVM_PL_*. */
	__u32 placement;
	/** @flags: DRM_VSVM_CHUNK_*. */
	__u32 flags;
};

/**
 * struct drm_vsvm_gem_residency - argument of DRM_IOCTL_VSVM_GEM_RESIDENCY
 */
struct drm_vsvm_gem_residency {
	/** @handle: in, the object. */
	__u32 handle;
	/** @count: in, entries at @chunks; may be 0 to ask for @nchunks. */
	__u32 count;
	/** @chunks: in, user pointer to @count &struct drm_vsvm_chunk_state. */
	__u64 chunks;
	/** @chunk_size: out, bytes per chunk. */
	__u64 chunk_size;
	/** @nchunks: out, chunks of the object; min(@count, @nchunks) filled. */
	__u32 nchunks;
	/** @pad: must be zero. */
	__u32 pad;
};

#define DRM_VSVM_ACCESS_READ	0
#define DRM_VSVM_ACCESS_WRITE	1
#define DRM_VSVM_ACCESS_FILL	2

/**
 * struct drm_vsvm_gem_access - argument of DRM_IOCTL_VSVM_GEM_ACCESS
 *
 * The device reads, writes or fills object memory through its own page
 * tables, in whatever placement each chunk is: nothing migrates.
 * Test-only: -EPERM unless the caller has CAP_SYS_ADMIN or vsvm is loaded
 * with test_ioctls=1.
 */
struct drm_vsvm_gem_access {
	/** @handle: in, the object. */
	__u32 handle;
	/** @op: in, DRM_VSVM_ACCESS_*. */
	__u32 op;
	/** @offset: in, byte offset in the object (FILL: 4-byte aligned). */
	__u64 offset;
	/** @size: in, bytes, not zero (FILL: a multiple of 4). */
	__u64 size;
	/** @data: in, user pointer to @size bytes (READ, WRITE); 0 for FILL. */
	__u64 data;
	/** @value: in, the 32-bit pattern for FILL; must be 0 otherwise. */
	__u32 value;
	/** @flags: in, must be zero. */
	__u32 flags;
};

/**
 * DOC: vsvm shared virtual memory (test interface)
 *
 * The first SVM ioctl on a file binds it to the caller's address space: the
 * device then reaches any address of that process through a mirror of its
 * page tables (HMM, no pinning). Other processes get -EINVAL on that file.
 * The ioctls below are close to lib/test_hmm's so that hmm-tests' cases can
 * be ported one by one.
 */
#define DRM_VSVM_SVM_READ	0
#define DRM_VSVM_SVM_WRITE	1

/**
 * struct drm_vsvm_svm_access - argument of DRM_IOCTL_VSVM_SVM_ACCESS
 *
 * The device reads or writes process memory at @addr through its mirror;
 * missing device mappings are faulted in (CPU faults, COW breaks on write).
 * Test-only: -EPERM unless the caller has CAP_SYS_ADMIN or vsvm is loaded
 * with test_ioctls=1.
 */
struct drm_vsvm_svm_access {
	/** @addr: in, page-aligned process address. */
	__u64 addr;
	/** @size: in, bytes, a non-zero multiple of the page size. */
	__u64 size;
	/** @data: in, user buffer of @size bytes (source or destination). */
	__u64 data;
	/** @op: in, DRM_VSVM_SVM_READ or DRM_VSVM_SVM_WRITE. */
	__u32 op;
	/** @flags: in, must be zero. */
	__u32 flags;
	/** @faults: out, device faults taken (mirror fills). */
	__u64 faults;
};

/* Per-page bytes of DRM_IOCTL_VSVM_SVM_SNAPSHOT */
#define DRM_VSVM_SVM_PROT_ERROR		0xff
#define DRM_VSVM_SVM_PROT_NONE		0x00
#define DRM_VSVM_SVM_PROT_READ		0x01
#define DRM_VSVM_SVM_PROT_WRITE		0x02
#define DRM_VSVM_SVM_PROT_PMD		0x04
#define DRM_VSVM_SVM_PROT_ZERO		0x10
#define DRM_VSVM_SVM_PROT_DEV_PRIVATE_LOCAL	0x20
#define DRM_VSVM_SVM_PROT_DEV_PRIVATE_REMOTE	0x30

/**
 * struct drm_vsvm_svm_snapshot - argument of DRM_IOCTL_VSVM_SVM_SNAPSHOT
 *
 * What the CPU page tables hold for each page, without faulting anything.
 */
struct drm_vsvm_svm_snapshot {
	/** @addr: in, page-aligned process address. */
	__u64 addr;
	/** @npages: in, pages, not zero. */
	__u64 npages;
	/** @data: in, user buffer of @npages bytes, DRM_VSVM_SVM_PROT_*. */
	__u64 data;
	/** @flags: in, must be zero. */
	__u32 flags;
	/** @pad: must be zero. */
	__u32 pad;
};

#define DRM_VSVM_SVM_TARGET_SYSTEM	0
#define DRM_VSVM_SVM_TARGET_DEVICE	1

/**
 * DRM_VSVM_SVM_MIGRATE_EVICT_ALL - move the device pages that the caller's
 * address space put into the device's VRAM back to RAM. With CAP_SYS_ADMIN,
 * or when vsvm is loaded with test_ioctls=1, every client's device pages.
 * -EBUSY when some stay (in use, or moved elsewhere by mremap or shared
 * with a child after fork: those return on their next CPU access).
 */
#define DRM_VSVM_SVM_MIGRATE_EVICT_ALL	(1u << 0)

/**
 * struct drm_vsvm_svm_migrate - argument of DRM_IOCTL_VSVM_SVM_MIGRATE
 *
 * Migrates private anonymous memory of the caller into the device's VRAM
 * (device-private pages) or back; CPU access to a page in VRAM migrates it
 * back by itself. With %DRM_VSVM_SVM_MIGRATE_EVICT_ALL (and every other
 * field zero) the caller's device pages of the device go back to system
 * memory (everyone's if privileged).
 */
struct drm_vsvm_svm_migrate {
	/** @addr: in, page-aligned start address. */
	__u64 addr;
	/** @size: in, bytes, a non-zero multiple of the page size. */
	__u64 size;
	/** @target: in, DRM_VSVM_SVM_TARGET_*. */
	__u32 target;
	/** @flags: in, DRM_VSVM_SVM_MIGRATE_*. */
	__u32 flags;
	/** @moved: out, pages migrated. */
	__u64 moved;
	/** @pad: must be zero. */
	__u64 pad;
};

/*
 * SVM ranges, attributes, prefetch (ioctl numbers 0x10-0x17)
 */
#define DRM_VSVM_SVM_MADVISE		0x10
#define DRM_VSVM_SVM_PREFETCH		0x11
#define DRM_VSVM_SVM_RANGES		0x12

/** DRM_VSVM_SVM_ATOMIC_INC - &drm_vsvm_svm_access.op: add 1 to each __u32 */
#define DRM_VSVM_SVM_ATOMIC_INC		2

/**
 * DOC: vsvm SVM attributes
 *
 * DRM_IOCTL_VSVM_SVM_MADVISE sets one attribute over a page-aligned span
 * of the caller's address space (mapped or not; attributes belong to
 * addresses and outlive munmap). Spans split and merge as they are
 * updated. A change zaps the device mappings of the span so the next device
 * access applies the new policy.
 *
 * - %DRM_VSVM_SVM_ATTR_PREFERRED_LOC: %DRM_VSVM_SVM_LOC_DEFAULT (device
 *   faults map the pages wherever they are), %DRM_VSVM_SVM_LOC_SYSTEM
 *   (device faults bring pages in VRAM back first) or
 *   %DRM_VSVM_SVM_LOC_DEVICE (device faults migrate the range into VRAM).
 * - %DRM_VSVM_SVM_ATTR_ACCESSED_BY: 1: the device accesses the span
 *   remotely, device faults never migrate it; 0: no such hint.
 * - %DRM_VSVM_SVM_ATTR_READ_MOSTLY: 1: device reads map the pages in place
 *   (no migration); writes follow the preferred location.
 * - %DRM_VSVM_SVM_ATTR_ATOMIC: how device atomics are served for pages not
 *   in VRAM: %DRM_VSVM_SVM_ATOMIC_DEFAULT (migrate when the preferred
 *   location is the device, else device-exclusive entries),
 *   %DRM_VSVM_SVM_ATOMIC_DEVICE (migrate into VRAM) or
 *   %DRM_VSVM_SVM_ATOMIC_EXCLUSIVE (device-exclusive entries: the pages stay,
 *   the CPU loses access until it touches them again).
 */
#define DRM_VSVM_SVM_ATTR_PREFERRED_LOC	0
#define DRM_VSVM_SVM_ATTR_ACCESSED_BY	1
#define DRM_VSVM_SVM_ATTR_READ_MOSTLY	2
#define DRM_VSVM_SVM_ATTR_ATOMIC	3

#define DRM_VSVM_SVM_LOC_DEFAULT	0
#define DRM_VSVM_SVM_LOC_SYSTEM		1
#define DRM_VSVM_SVM_LOC_DEVICE		2

#define DRM_VSVM_SVM_ATOMIC_DEFAULT	0
#define DRM_VSVM_SVM_ATOMIC_DEVICE	1
#define DRM_VSVM_SVM_ATOMIC_EXCLUSIVE	2

/**
 * struct drm_vsvm_svm_madvise - argument of DRM_IOCTL_VSVM_SVM_MADVISE
 *
 * -EINVAL: unaligned or empty span, overflow or end above the user address
 * space, unknown attribute, value out of range, non-zero flags or pad.
 */
struct drm_vsvm_svm_madvise {
	/** @addr: in, page-aligned start. */
	__u64 addr;
	/** @size: in, bytes, a non-zero multiple of the page size. */
	__u64 size;
	/** @attr: in, DRM_VSVM_SVM_ATTR_*. */
	__u32 attr;
	/** @value: in, the attribute's value (see above). */
	__u32 value;
	/** @flags: in, must be zero. */
	__u32 flags;
	/** @pad: must be zero. */
	__u32 pad;
};

/** DRM_VSVM_SVM_PREFETCH_SYNC - wait for the migration before returning */
#define DRM_VSVM_SVM_PREFETCH_SYNC	(1u << 0)

/**
 * struct drm_vsvm_svm_prefetch - argument of DRM_IOCTL_VSVM_SVM_PREFETCH
 *
 * Migrates private anonymous memory of [@addr, @addr + @size) into VRAM or
 * back, in a worker that holds a reference on the address space. The
 * fence put in @out_syncobj signals when the migration is done, with an
 * error (-EINVAL: a hole or a VMA that cannot migrate, -ESRCH: the process
 * is gone, -ENOMEM, -ECANCELED: the file was closed before it started)
 * if it failed. munmap, exit and close while the migration runs are safe;
 * close waits for the migration in flight, not for the queued ones.
 */
struct drm_vsvm_svm_prefetch {
	/** @addr: in, page-aligned start. */
	__u64 addr;
	/** @size: in, bytes, a non-zero multiple of the page size. */
	__u64 size;
	/** @target: in, DRM_VSVM_SVM_TARGET_*. */
	__u32 target;
	/** @flags: in, DRM_VSVM_SVM_PREFETCH_*. */
	__u32 flags;
	/** @out_syncobj: in, a syncobj that receives the fence, or 0. */
	__u32 out_syncobj;
	/** @pad: must be zero. */
	__u32 pad;
	/** @moved: out, pages migrated (with %DRM_VSVM_SVM_PREFETCH_SYNC). */
	__u64 moved;
};

/* drm_vsvm_svm_range_info.flags */
/** DRM_VSVM_SVM_RANGE_DEVICE_MAPPED - the whole range is device-mapped */
#define DRM_VSVM_SVM_RANGE_DEVICE_MAPPED	(1u << 0)
/** DRM_VSVM_SVM_RANGE_VRAM - every page of the range is in this VRAM */
#define DRM_VSVM_SVM_RANGE_VRAM			(1u << 1)
/** DRM_VSVM_SVM_RANGE_THRASH_BLOCKED - the thrash guard holds it in place */
#define DRM_VSVM_SVM_RANGE_THRASH_BLOCKED	(1u << 2)
/** DRM_VSVM_SVM_RANGE_UNMAPPED - unmapped, waiting to be collected */
#define DRM_VSVM_SVM_RANGE_UNMAPPED		(1u << 3)
/** DRM_VSVM_SVM_RANGE_ACCESSED_BY - attribute accessed-by set at start */
#define DRM_VSVM_SVM_RANGE_ACCESSED_BY		(1u << 4)
/** DRM_VSVM_SVM_RANGE_READ_MOSTLY - attribute read-mostly set at start */
#define DRM_VSVM_SVM_RANGE_READ_MOSTLY		(1u << 5)

/**
 * struct drm_vsvm_svm_range_info - one range in DRM_IOCTL_VSVM_SVM_RANGES
 */
struct drm_vsvm_svm_range_info {
	/** @start: first address of the range. */
	__u64 start;
	/** @end: end of the range (exclusive). */
	__u64 end;
	/** @chunk_size: the chunk size the range was created with. */
	__u64 chunk_size;
	/** @flags: DRM_VSVM_SVM_RANGE_*. */
	__u32 flags;
	/** @preferred_loc: DRM_VSVM_SVM_LOC_* at @start. */
	__u32 preferred_loc;
	/** @atomic: DRM_VSVM_SVM_ATOMIC_* at @start. */
	__u32 atomic;
	/** @migrations: migrations into VRAM by device faults. */
	__u32 migrations;
	/** @vram_pages: pages of the range in this device's VRAM now. */
	__u64 vram_pages;
};

/**
 * struct drm_vsvm_svm_ranges - argument of DRM_IOCTL_VSVM_SVM_RANGES
 *
 * Lists the device-fault ranges overlapping [@addr, @addr + @size), in
 * address order. @count is the capacity of @ranges on input (0 to ask for
 * the number only, at most 65536) and the total number of overlapping
 * ranges on output; min(capacity, total) entries are written.
 */
struct drm_vsvm_svm_ranges {
	/** @addr: in, page-aligned start. */
	__u64 addr;
	/** @size: in, bytes, a non-zero multiple of the page size. */
	__u64 size;
	/** @ranges: in, user pointer to @count &struct drm_vsvm_svm_range_info. */
	__u64 ranges;
	/** @count: in, capacity; out, ranges overlapping the span. */
	__u32 count;
	/** @flags: in, must be zero. */
	__u32 flags;
};

#define DRM_IOCTL_VSVM_SVM_MADVISE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_VSVM_SVM_MADVISE, \
		 struct drm_vsvm_svm_madvise)
#define DRM_IOCTL_VSVM_SVM_PREFETCH \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_VSVM_SVM_PREFETCH, \
		 struct drm_vsvm_svm_prefetch)
#define DRM_IOCTL_VSVM_SVM_RANGES \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_VSVM_SVM_RANGES, \
		 struct drm_vsvm_svm_ranges)

/*
 * Compute engine, VMs and exec (ioctl numbers 0x09-0x0f)
 */

/**
 * DOC: vsvm VMs and the compute engine
 *
 * A VM is a GPU virtual address space of one file. It comes in two modes:
 *
 * - bind mode (default): only what is bound with DRM_IOCTL_VSVM_VM_BIND is
 *   reachable: ranges of GEM objects (%DRM_VSVM_VM_BIND_OP_MAP) and ranges
 *   of the creator's address space mirrored at the same address
 *   (%DRM_VSVM_VM_BIND_OP_MAP_MIRROR: GPU VA equals CPU VA);
 * - fault mode (%DRM_VSVM_VM_CREATE_FAULT_MODE, a "system allocator" VM):
 *   every CPU address of the creator is a valid GPU address, resolved when
 *   the device first touches it; GEM objects may still be bound on top and
 *   take precedence over the CPU address space where they are bound.
 *
 * DRM_IOCTL_VSVM_EXEC runs a command buffer (an array of
 * &struct drm_vsvm_cmd copied at submission) on the compute engine in a
 * VM. Execs of one VM run in submission order; in-syncobjs delay the start,
 * the out-syncobj receives the job's fence. Device accesses go through the
 * VM's page tables; a missing translation of mirrored memory is a device
 * fault that the kernel resolves (possibly migrating memory) before the
 * job resumes at the command that faulted. Nothing is applied twice.
 *
 * A job that cannot complete (an address that is not mapped, PROT_NONE
 * memory, a write to read-only memory) stops at that command: its fence
 * signals with an error (-EFAULT or -EPERM; visible as the status of a
 * sync_file exported from the out-syncobj) and DRM_IOCTL_VSVM_VM_QUERY
 * reports the exec, the command index, the address and the error.
 * Commands before it have been applied, commands after it are not run.
 */
#define DRM_VSVM_VM_CREATE		0x09
#define DRM_VSVM_VM_DESTROY		0x0a
#define DRM_VSVM_VM_BIND		0x0b
#define DRM_VSVM_EXEC			0x0c
#define DRM_VSVM_VM_QUERY		0x0d

#define DRM_IOCTL_VSVM_VM_CREATE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_VSVM_VM_CREATE, struct drm_vsvm_vm_create)
#define DRM_IOCTL_VSVM_VM_DESTROY \
	DRM_IOW(DRM_COMMAND_BASE + DRM_VSVM_VM_DESTROY, struct drm_vsvm_vm_destroy)
#define DRM_IOCTL_VSVM_VM_BIND \
	DRM_IOW(DRM_COMMAND_BASE + DRM_VSVM_VM_BIND, struct drm_vsvm_vm_bind)
#define DRM_IOCTL_VSVM_EXEC \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_VSVM_EXEC, struct drm_vsvm_exec)
#define DRM_IOCTL_VSVM_VM_QUERY \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_VSVM_VM_QUERY, struct drm_vsvm_vm_query)

/** DRM_VSVM_VM_CREATE_FAULT_MODE - every CPU address is a GPU address */
#define DRM_VSVM_VM_CREATE_FAULT_MODE	(1u << 0)

/**
 * struct drm_vsvm_vm_create - argument of DRM_IOCTL_VSVM_VM_CREATE
 *
 * The VM belongs to the file and, for mirrored memory, to the caller's
 * address space: execs from another process get -EINVAL.
 */
struct drm_vsvm_vm_create {
	/** @flags: in, DRM_VSVM_VM_CREATE_*. */
	__u32 flags;
	/** @vm_id: out, the VM (never 0). */
	__u32 vm_id;
	/** @pad: must be zero. */
	__u64 pad;
};

/**
 * struct drm_vsvm_vm_destroy - argument of DRM_IOCTL_VSVM_VM_DESTROY
 *
 * Cancels the VM's execs and frees it, in bounded time: the running exec
 * stops at its next piece and, like every exec the engine had started,
 * completes with -ECANCELED; execs still waiting for their in-syncobjs
 * never run and their out-fences signal with -ESRCH once those in-fences
 * have signalled. After it returns no exec of the VM touches memory.
 * Closing the file (or the process exiting) destroys its VMs the same way.
 */
struct drm_vsvm_vm_destroy {
	/** @vm_id: in, the VM. */
	__u32 vm_id;
	/** @pad: must be zero. */
	__u32 pad;
};

/** DRM_VSVM_VM_BIND_OP_MAP - map @handle at [@addr, @addr + @range) */
#define DRM_VSVM_VM_BIND_OP_MAP		0
/** DRM_VSVM_VM_BIND_OP_UNMAP - unmap everything in [@addr, @addr + @range) */
#define DRM_VSVM_VM_BIND_OP_UNMAP	1
/** DRM_VSVM_VM_BIND_OP_MAP_MIRROR - mirror the CPU range at the same GPU VA */
#define DRM_VSVM_VM_BIND_OP_MAP_MIRROR	2

/** DRM_VSVM_VM_BIND_FLAG_READONLY - the device may not write the range */
#define DRM_VSVM_VM_BIND_FLAG_READONLY	(1u << 0)

/**
 * struct drm_vsvm_vm_bind - argument of DRM_IOCTL_VSVM_VM_BIND
 *
 * Binds are synchronous with respect to the VM's page tables: an exec
 * submitted after the ioctl returns sees the new mappings. A new mapping
 * replaces (splits) whatever it overlaps. @addr, @range and @obj_offset are
 * page aligned; @range is not zero. %DRM_VSVM_VM_BIND_OP_MAP_MIRROR is for
 * bind-mode VMs only (fault-mode VMs mirror everything).
 */
struct drm_vsvm_vm_bind {
	/** @vm_id: in, the VM. */
	__u32 vm_id;
	/** @op: in, DRM_VSVM_VM_BIND_OP_*. */
	__u32 op;
	/** @flags: in, DRM_VSVM_VM_BIND_FLAG_* (MAP and MAP_MIRROR only). */
	__u32 flags;
	/** @handle: in, the GEM object (MAP), 0 otherwise. */
	__u32 handle;
	/** @addr: in, GPU virtual address (for MAP_MIRROR also the CPU one). */
	__u64 addr;
	/** @range: in, bytes. */
	__u64 range;
	/** @obj_offset: in, offset in the object (MAP), 0 otherwise. */
	__u64 obj_offset;
};

/**
 * enum drm_vsvm_cmd_op - compute engine commands
 *
 * Addresses are GPU virtual addresses in the exec's VM; unused arguments
 * must be zero. u32 operands are 4-byte aligned.
 *
 * @DRM_VSVM_CMD_FILL: arg[0] = va, arg[1] = size in bytes (multiple of 4),
 *	arg[2] = the u32 value stored in every word.
 * @DRM_VSVM_CMD_COPY: arg[0] = dst, arg[1] = src, arg[2] = size in bytes
 *	(any alignment; the ranges must not overlap).
 * @DRM_VSVM_CMD_ADD: arg[0] = dst, arg[1] = a, arg[2] = b, arg[3] = n:
 *	dst[i] = a[i] + b[i] (u32, wrapping) for i < n.
 * @DRM_VSVM_CMD_CHECKSUM: arg[0] = va, arg[1] = size in bytes, arg[2] =
 *	8-byte aligned va that receives the u64 FNV-1a hash of the bytes
 *	(offset basis 0xcbf29ce484222325, prime 0x100000001b3).
 * @DRM_VSVM_CMD_ATOMIC_INC: arg[0] = va, arg[1] = n: atomically increments
 *	n u32 counters (device atomics: mirrored memory is made
 *	device-atomic-capable first).
 * @DRM_VSVM_CMD_STRIDED: arg[0] = va, arg[1] = count, arg[2] = stride in
 *	bytes (multiple of 4, not 0), arg[3] = value: stores the u32 value at
 *	va + i * stride for i < count.
 * @DRM_VSVM_CMD_RANDOM: arg[0] = va, arg[1] = span in bytes (multiple of 4),
 *	arg[2] = count, arg[3] = seed (not 0), arg[4] = value: stores the u32
 *	value at va + 4 * (x_i % (span / 4)) for i < count, where x_0 = seed and
 *	x_{i+1} = xorshift64(x_i) (x ^= x << 13; x ^= x >> 7; x ^= x << 17),
 *	the index using x_{i+1}.
 * @DRM_VSVM_CMD_COUNT: number of commands; not a command.
 */
enum drm_vsvm_cmd_op {
	DRM_VSVM_CMD_FILL = 1,
	DRM_VSVM_CMD_COPY = 2,
	DRM_VSVM_CMD_ADD = 3,
	DRM_VSVM_CMD_CHECKSUM = 4,
	DRM_VSVM_CMD_ATOMIC_INC = 5,
	DRM_VSVM_CMD_STRIDED = 6,
	DRM_VSVM_CMD_RANDOM = 7,
	DRM_VSVM_CMD_COUNT,
};

/**
 * struct drm_vsvm_cmd - one compute engine command
 */
struct drm_vsvm_cmd {
	/** @op: &enum drm_vsvm_cmd_op. */
	__u32 op;
	/** @flags: must be zero. */
	__u32 flags;
	/** @arg: arguments, see &enum drm_vsvm_cmd_op. */
	__u64 arg[5];
};

/** DRM_VSVM_EXEC_MAX_CMDS - commands per exec */
#define DRM_VSVM_EXEC_MAX_CMDS		1024
/** DRM_VSVM_EXEC_MAX_SYNCS - in-syncobjs per exec */
#define DRM_VSVM_EXEC_MAX_SYNCS		64
/** DRM_VSVM_CMD_MAX_SIZE - bytes (or elements) one command may cover */
#define DRM_VSVM_CMD_MAX_SIZE		(1ull << 32)

/**
 * struct drm_vsvm_exec - argument of DRM_IOCTL_VSVM_EXEC
 *
 * Commands are checked at submission: an unknown op, non-zero flags or
 * unused arguments, misalignment, a zero or oversized length or an
 * address range that wraps fail the ioctl with -EINVAL.
 */
struct drm_vsvm_exec {
	/** @vm_id: in, the VM. */
	__u32 vm_id;
	/** @flags: in, must be zero. */
	__u32 flags;
	/** @cmds: in, user pointer to the &struct drm_vsvm_cmd array. */
	__u64 cmds;
	/**
	 * @cmds_size: in, bytes at @cmds: a non-zero multiple of the size of
	 * &struct drm_vsvm_cmd, at most %DRM_VSVM_EXEC_MAX_CMDS of them.
	 */
	__u64 cmds_size;
	/** @in_syncobjs: in, user pointer to @num_in_syncobjs __u32 handles. */
	__u64 in_syncobjs;
	/** @num_in_syncobjs: in, at most %DRM_VSVM_EXEC_MAX_SYNCS. */
	__u32 num_in_syncobjs;
	/** @out_syncobj: in, syncobj receiving the job's fence, or 0. */
	__u32 out_syncobj;
	/** @seqno: out, the exec's number in its VM (1, 2, ...). */
	__u64 seqno;
};

/**
 * struct drm_vsvm_vm_query - argument of DRM_IOCTL_VSVM_VM_QUERY
 *
 * Status and device-fault counters of a VM. A device fault is one missing
 * page seen by the engine; the fault handler takes every fault queued at
 * once (a batch), merges neighbouring pages into ranges, resolves them and
 * replays the stopped job.
 */
struct drm_vsvm_vm_query {
	/** @vm_id: in, the VM. */
	__u32 vm_id;
	/** @flags: in, must be zero. */
	__u32 flags;
	/** @submitted: out, last exec seqno handed out. */
	__u64 submitted;
	/** @completed: out, execs finished (successfully or not). */
	__u64 completed;
	/** @failed: out, execs that finished with an error. */
	__u64 failed;
	/** @error_seqno: out, the last exec that failed, 0: none. */
	__u64 error_seqno;
	/** @error_addr: out, its faulting GPU virtual address. */
	__u64 error_addr;
	/** @error: out, its error as a negative errno. */
	__s32 error;
	/** @error_cmd: out, index of the command that failed. */
	__u32 error_cmd;
	/** @faults: out, device faults (pages) queued. */
	__u64 faults;
	/** @fault_batches: out, times the fault handler drained the queue. */
	__u64 fault_batches;
	/** @fault_ranges: out, merged ranges resolved. */
	__u64 fault_ranges;
	/** @replays: out, jobs resumed after their faults were resolved. */
	__u64 replays;
	/** @pad: must be zero. */
	__u64 pad;
};

#if defined(__cplusplus)
}
#endif

#endif /* _UAPI_VSVM_DRM_H_ */
