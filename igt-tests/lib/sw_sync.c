// SPDX-License-Identifier: MIT
/*
 * Copyright © 2026 The drm-svm authors
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "igt_core.h"
#include "sw_sync.h"

#define SW_SYNC_PATH	"/sys/kernel/debug/sync/sw_sync"

/* The kernel's sw_sync ioctl ABI (drivers/dma-buf/sw_sync.c). */
struct sw_sync_fence_req {
	uint32_t value;
	char name[32];
	int32_t fence;
};

#define SW_SYNC_CREATE_FENCE	_IOWR('W', 0, struct sw_sync_fence_req)
#define SW_SYNC_INC		_IOW('W', 1, uint32_t)

bool sw_sync_is_supported(void)
{
	return access(SW_SYNC_PATH, R_OK | W_OK) == 0;
}

void igt_require_sw_sync(void)
{
	igt_require_f(sw_sync_is_supported(),
		      "no sw_sync (CONFIG_SW_SYNC, debugfs)\n");
}

/* A new timeline (its fd): fences on it signal as it is advanced. */
int sw_sync_timeline_create(void)
{
	int fd;

	igt_require_sw_sync();
	fd = open(SW_SYNC_PATH, O_RDWR);
	igt_assert_f(fd >= 0, "cannot open " SW_SYNC_PATH "\n");
	return fd;
}

/* A sync_file fd that signals when @timeline reaches @seqno. */
int sw_sync_timeline_create_fence(int timeline, uint32_t seqno)
{
	struct sw_sync_fence_req req = { .value = seqno };

	snprintf(req.name, sizeof(req.name), "igt-fence-%u", seqno);
	igt_assert_eq(ioctl(timeline, SW_SYNC_CREATE_FENCE, &req), 0);
	return req.fence;
}

/* Advance @timeline by @count. */
void sw_sync_timeline_inc(int timeline, uint32_t count)
{
	igt_assert_eq(ioctl(timeline, SW_SYNC_INC, &count), 0);
}
