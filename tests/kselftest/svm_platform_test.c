// SPDX-License-Identifier: MIT
/*
 * Copyright © 2026 The drm-svm authors
 *
 * kselftest-harness tests that the test kernel provides what drm_svm's SVM
 * contract is built on: device-private ZONE_DEVICE memory, migrate_vma to it
 * and back on CPU fault, and an HMM mirror that faults pages in. They drive
 * lib/test_hmm (the peer device) so they fail if the kernel configuration
 * loses any of it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "test_hmm_uapi.h"

#include "kselftest_harness.h"

#define NPAGES 64

FIXTURE(dmirror) {
	int fd;
	long page;
};

FIXTURE_SETUP(dmirror)
{
	self->page = sysconf(_SC_PAGESIZE);
	self->fd = open("/dev/hmm_dmirror0", O_RDWR | O_CLOEXEC);
	if (self->fd < 0 && errno == ENOENT) {
		ASSERT_EQ(0, system("modprobe test_hmm"));
		self->fd = open("/dev/hmm_dmirror0", O_RDWR | O_CLOEXEC);
	}
	ASSERT_GE(self->fd, 0);
}

FIXTURE_TEARDOWN(dmirror)
{
	close(self->fd);
}

static int dmirror(int fd, unsigned long req, void *addr, void *buf,
		   unsigned long npages, struct hmm_dmirror_cmd *out)
{
	struct hmm_dmirror_cmd cmd = {
		.addr = (uintptr_t)addr,
		.ptr = (uintptr_t)buf,
		.npages = npages,
	};
	int ret;

	do {
		ret = ioctl(fd, req, &cmd);
	} while (ret && errno == EINTR);
	if (out)
		*out = cmd;
	return ret ? -errno : 0;
}

/* The mirror faults CPU pages in and reads them without pinning. */
TEST_F(dmirror, mirror_read)
{
	size_t size = NPAGES * self->page;
	unsigned int *p, *buf, i;
	struct hmm_dmirror_cmd cmd;

	p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	buf = malloc(size);
	ASSERT_NE(NULL, buf);
	for (i = 0; i < size / sizeof(*p); i++)
		p[i] = i ^ 0x5a5a5a5a;
	ASSERT_EQ(0, dmirror(self->fd, HMM_DMIRROR_READ, p, buf, NPAGES, &cmd));
	ASSERT_EQ(NPAGES, cmd.cpages);
	ASSERT_EQ(0, memcmp(p, buf, size));
	free(buf);
	munmap(p, size);
}

/* migrate_vma to device-private memory and back through CPU faults. */
TEST_F(dmirror, device_private_roundtrip)
{
	size_t size = NPAGES * self->page;
	unsigned char *snap;
	struct hmm_dmirror_cmd cmd;
	unsigned int *p, *buf, i;

	p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < size / sizeof(*p); i++)
		p[i] = ~i;
	buf = calloc(1, size);
	ASSERT_NE(NULL, buf);
	/* The device reads the migrated pages back into buf. */
	ASSERT_EQ(0, dmirror(self->fd, HMM_DMIRROR_MIGRATE_TO_DEV, p, buf,
			     NPAGES, &cmd));
	ASSERT_EQ(NPAGES, cmd.cpages);
	/* Checked against the pattern: touching p would fault it back. */
	for (i = 0; i < size / sizeof(*p); i++)
		ASSERT_EQ(~i, buf[i]);
	free(buf);

	snap = malloc(NPAGES);
	ASSERT_NE(NULL, snap);
	ASSERT_EQ(0, dmirror(self->fd, HMM_DMIRROR_SNAPSHOT, p, snap, NPAGES,
			     NULL));
	for (i = 0; i < NPAGES; i++)
		ASSERT_EQ(HMM_DMIRROR_PROT_DEV_PRIVATE_LOCAL | HMM_DMIRROR_PROT_WRITE,
			  snap[i]);

	/* CPU access faults every page back (migrate_to_ram). */
	for (i = 0; i < size / sizeof(*p); i++)
		ASSERT_EQ(~i, p[i]);
	ASSERT_EQ(0, dmirror(self->fd, HMM_DMIRROR_SNAPSHOT, p, snap, NPAGES,
			     NULL));
	for (i = 0; i < NPAGES; i++)
		ASSERT_EQ(HMM_DMIRROR_PROT_WRITE, snap[i]);
	free(snap);
	munmap(p, size);
}

/* Invalidation reaches the mirror: after munmap the device sees nothing. */
TEST_F(dmirror, invalidate_on_munmap)
{
	size_t size = NPAGES * self->page;
	unsigned int *p, *buf;
	struct hmm_dmirror_cmd cmd;

	p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	buf = malloc(size);
	ASSERT_NE(NULL, buf);
	memset(p, 0x42, size);
	ASSERT_EQ(0, dmirror(self->fd, HMM_DMIRROR_READ, p, buf, NPAGES, &cmd));
	munmap(p, size);
	ASSERT_EQ(-EFAULT, dmirror(self->fd, HMM_DMIRROR_READ, p, buf, NPAGES,
				   &cmd));
	free(buf);
}

/* Transparent huge pages are available for 2 MiB ranges. */
TEST(thp_enabled)
{
	char mode[128] = "";
	int fd = open("/sys/kernel/mm/transparent_hugepage/enabled", O_RDONLY);

	ASSERT_GE(fd, 0);
	ASSERT_LT(0, read(fd, mode, sizeof(mode) - 1));
	close(fd);
	ASSERT_EQ(NULL, strstr(mode, "[never]"));
}

TEST_HARNESS_MAIN
