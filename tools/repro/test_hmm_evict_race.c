// SPDX-License-Identifier: MIT
/*
 * Copyright © 2026 The drm-svm authors
 *
 * Reproducer of a core-mm race against lib/test_hmm alone (no drm-svm
 * code): device-private memory evicted by device range
 * (migrate_device_range(), as test_hmm does whenever any /dev/hmm_dmirror
 * file is closed) while the owner of the pages munmaps them. The
 * device-range path unmaps the pages (migration entries) without holding
 * the owner's mmap lock or a reference on the anon_vma; munmap then frees
 * the anon_vma, and remove_migration_ptes() walks it: KASAN reports a
 * slab-use-after-free in rmap_walk_anon() on a debug kernel.
 *
 * Usage (as root, test_hmm loaded): test_hmm_evict_race [seconds]
 * See docs/security.md, "Device-range eviction and munmap".
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test_hmm_uapi.h"

#define SIZE	(2ul << 20)
#define DEV	"/dev/hmm_dmirror0"

/* Put 2 MiB into device memory and unmap it, until @end. */
static int owner(time_t end)
{
	int fd = open(DEV, O_RDWR);
	unsigned long rounds = 0;

	if (fd < 0)
		return 2;
	while (time(NULL) < end) {
		struct hmm_dmirror_cmd cmd = { .npages = SIZE / 4096 };
		char *p = mmap(NULL, SIZE, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			return 1;
		memset(p, 0x5a, SIZE);
		cmd.addr = (uintptr_t)p;
		cmd.ptr = (uintptr_t)p;
		ioctl(fd, HMM_DMIRROR_MIGRATE_TO_DEV, &cmd);
		munmap(p, SIZE);
		rounds++;
	}
	printf("owner: %lu rounds\n", rounds);
	return 0;
}

/* Open and close a mirror, which evicts the device's chunks, until @end. */
static int evictor(time_t end)
{
	unsigned long rounds = 0;

	while (time(NULL) < end) {
		int fd = open(DEV, O_RDWR);

		if (fd < 0)
			return 2;
		close(fd);
		rounds++;
	}
	printf("evictor: %lu rounds\n", rounds);
	return 0;
}

int main(int argc, char **argv)
{
	time_t end = time(NULL) + (argc > 1 ? atoi(argv[1]) : 20);
	int i, status, bad = 0;

	for (i = 0; i < 3; i++)
		if (!fork())
			_exit(i < 2 ? owner(end) : evictor(end));
	for (i = 0; i < 3; i++) {
		if (wait(&status) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status))
			bad = 1;
	}
	printf("done; check the kernel log for a KASAN report\n");
	return bad;
}
