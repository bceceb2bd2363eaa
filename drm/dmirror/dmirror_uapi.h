/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Copyright © 2026 The drm-svm authors
 */
#ifndef __DMIRROR_UAPI_H__
#define __DMIRROR_UAPI_H__

#include <linux/const.h>
#include <linux/ioctl.h>
#include <linux/types.h>

/*
 * The ioctl ABI of the /dev/hmm_dmirror<N> character devices, the one
 * tools/testing/selftests/mm/hmm-tests.c drives (lib/test_hmm in the
 * kernel). Written down here from its facts: ioctl numbers, layout, values.
 */

/**
 * struct hmm_dmirror_cmd - argument of every HMM_DMIRROR_* ioctl
 * @addr: in: page-aligned start of the range in the caller's address space
 * @ptr: in: user buffer the device copies data (or snapshot bytes) to or
 *	from; the range's data for READ and WRITE
 * @npages: in: pages in the range (HMM_DMIRROR_FLAGS: the flags)
 * @cpages: out: pages handled
 * @faults: out: device faults taken
 */
struct hmm_dmirror_cmd {
	__u64 addr;
	__u64 ptr;
	__u64 npages;
	__u64 cpages;
	__u64 faults;
};

#define HMM_DMIRROR_IOC(nr)		_IOWR('H', (nr), struct hmm_dmirror_cmd)
/* The device reads the range into @ptr. */
#define HMM_DMIRROR_READ		HMM_DMIRROR_IOC(0x00)
/* The device writes @ptr into the range. */
#define HMM_DMIRROR_WRITE		HMM_DMIRROR_IOC(0x01)
/* Migrate the range into device memory, then read it into @ptr. */
#define HMM_DMIRROR_MIGRATE_TO_DEV	HMM_DMIRROR_IOC(0x02)
/* Migrate the range's device pages back to system memory. */
#define HMM_DMIRROR_MIGRATE_TO_SYS	HMM_DMIRROR_IOC(0x03)
/* One HMM_DMIRROR_PROT_* byte per page into @ptr, faulting nothing. */
#define HMM_DMIRROR_SNAPSHOT		HMM_DMIRROR_IOC(0x04)
/* Map the range for device atomics (exclusive access), read it. */
#define HMM_DMIRROR_EXCLUSIVE		HMM_DMIRROR_IOC(0x05)
/* -EPERM while any page of the range is still mapped for atomics. */
#define HMM_DMIRROR_CHECK_EXCLUSIVE	HMM_DMIRROR_IOC(0x06)
/* Move all of the device's memory back to system memory. */
#define HMM_DMIRROR_RELEASE		HMM_DMIRROR_IOC(0x07)
/* Set the HMM_DMIRROR_FLAG_* given in @npages. */
#define HMM_DMIRROR_FLAGS		HMM_DMIRROR_IOC(0x08)
/* READ through the fault path that may drop the mmap lock. */
#define HMM_DMIRROR_READ_UNLOCKED	HMM_DMIRROR_IOC(0x09)

/* Fail the device's next large (2 MiB) allocations. */
#define HMM_DMIRROR_FLAG_FAIL_ALLOC	_BITULL(0)

/* Snapshot bytes: the access, OR'd with where the page is and its size. */
#define HMM_DMIRROR_PROT_NONE			0x00
#define HMM_DMIRROR_PROT_READ			0x01
#define HMM_DMIRROR_PROT_WRITE			0x02
#define HMM_DMIRROR_PROT_PMD			0x04
#define HMM_DMIRROR_PROT_PUD			0x08
#define HMM_DMIRROR_PROT_ZERO			0x10
#define HMM_DMIRROR_PROT_DEV_PRIVATE_LOCAL	0x20
#define HMM_DMIRROR_PROT_DEV_PRIVATE_REMOTE	0x30
#define HMM_DMIRROR_PROT_DEV_COHERENT_LOCAL	0x40
#define HMM_DMIRROR_PROT_DEV_COHERENT_REMOTE	0x50
/* No mapping at all (a hole, or a mapping without read access). */
#define HMM_DMIRROR_PROT_ERROR			0xff

#endif /* __DMIRROR_UAPI_H__ */
