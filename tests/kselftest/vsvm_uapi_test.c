// SPDX-License-Identifier: MIT
/*
 * Copyright © 2026 The drm-svm authors
 *
 * kselftest-harness tests of the vsvm uAPI contract: the ABI of the ioctl
 * structures and how the render node behaves across clients, threads and
 * fork.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <drm/drm.h>
#include <linux/capability.h>
#include "vsvm_drm.h"
#include "vsvm_test_util.h"

#include "kselftest_harness.h"

static int get_param(int fd, __u32 param, __u64 *value)
{
	struct drm_vsvm_get_param gp = { .param = param };

	if (ioctl(fd, DRM_IOCTL_VSVM_GET_PARAM, &gp))
		return -errno;
	*value = gp.value;
	return 0;
}

TEST(abi_get_param)
{
	ASSERT_EQ(16, sizeof(struct drm_vsvm_get_param));
	ASSERT_EQ(0, offsetof(struct drm_vsvm_get_param, param));
	ASSERT_EQ(4, offsetof(struct drm_vsvm_get_param, pad));
	ASSERT_EQ(8, offsetof(struct drm_vsvm_get_param, value));
	/* The ioctl number is part of the ABI: never renumber. */
	ASSERT_EQ(0x40, _IOC_NR(DRM_IOCTL_VSVM_GET_PARAM));
	ASSERT_EQ(_IOC_READ | _IOC_WRITE, _IOC_DIR(DRM_IOCTL_VSVM_GET_PARAM));
	ASSERT_EQ(16, _IOC_SIZE(DRM_IOCTL_VSVM_GET_PARAM));
	ASSERT_EQ('d', _IOC_TYPE(DRM_IOCTL_VSVM_GET_PARAM));
	ASSERT_EQ(0, DRM_VSVM_PARAM_UAPI_VERSION);
	ASSERT_EQ(6, DRM_VSVM_PARAM_VRAM_USED);
}

FIXTURE(vsvm) {
	int fd;
};

FIXTURE_SETUP(vsvm)
{
	self->fd = open_vsvm();
	if (self->fd < 0)
		SKIP(return, "no vsvm render node");
}

FIXTURE_TEARDOWN(vsvm)
{
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(vsvm, params_stable)
{
	__u64 first[DRM_VSVM_PARAM_COUNT], v = 0;
	int p, round;

	for (p = 0; p < DRM_VSVM_PARAM_COUNT; p++)
		ASSERT_EQ(0, get_param(self->fd, p, &first[p]));
	for (round = 0; round < 100; round++)
		for (p = 0; p < DRM_VSVM_PARAM_COUNT; p++) {
			ASSERT_EQ(0, get_param(self->fd, p, &v));
			ASSERT_EQ(first[p], v);
		}
	ASSERT_EQ(DRM_VSVM_UAPI_MAJOR, first[DRM_VSVM_PARAM_UAPI_VERSION] >> 16);
}

/*
 * The capability bits name only what the device does on the running
 * kernel: 2 MiB device folios need Linux 7.2+, so 6.12 never reports them.
 */
TEST_F(vsvm, caps_match_kernel)
{
	const __u64 known = DRM_VSVM_CAP_MIRROR | DRM_VSVM_CAP_DEVICE_PRIVATE |
		DRM_VSVM_CAP_COMPUTE | DRM_VSVM_CAP_DEVICE_THP;
	struct utsname u;
	int major = 0, minor = 0;
	__u64 caps = 0;

	ASSERT_EQ(0, get_param(self->fd, DRM_VSVM_PARAM_CAPS, &caps));
	ASSERT_EQ(0, caps & ~known);
	ASSERT_EQ(DRM_VSVM_CAP_MIRROR | DRM_VSVM_CAP_DEVICE_PRIVATE |
		  DRM_VSVM_CAP_COMPUTE, caps & ~DRM_VSVM_CAP_DEVICE_THP);
	ASSERT_EQ(0, uname(&u));
	ASSERT_EQ(2, sscanf(u.release, "%d.%d", &major, &minor));
	if (major < 7 || (major == 7 && minor < 2))
		ASSERT_EQ(0, caps & DRM_VSVM_CAP_DEVICE_THP);
}

struct thread_arg {
	int fd;
	__u64 expect;
	int errors;
};

static void *query_thread(void *p)
{
	struct thread_arg *a = p;
	__u64 v = 0;
	int i;

	for (i = 0; i < 2000; i++)
		if (get_param(a->fd, DRM_VSVM_PARAM_VRAM_SIZE, &v) || v != a->expect)
			a->errors++;
	return NULL;
}

TEST_F(vsvm, threads_share_fd)
{
	struct thread_arg args[4];
	pthread_t th[4];
	__u64 vram = 0;
	int i;

	ASSERT_EQ(0, get_param(self->fd, DRM_VSVM_PARAM_VRAM_SIZE, &vram));
	for (i = 0; i < 4; i++) {
		args[i] = (struct thread_arg){ .fd = self->fd, .expect = vram };
		ASSERT_EQ(0, pthread_create(&th[i], NULL, query_thread, &args[i]));
	}
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, pthread_join(th[i], NULL));
		EXPECT_EQ(0, args[i].errors);
	}
}

TEST_F(vsvm, fork_inherits_fd)
{
	__u64 vram = 0, v = 0;
	int status;
	pid_t pid;

	ASSERT_EQ(0, get_param(self->fd, DRM_VSVM_PARAM_VRAM_SIZE, &vram));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		/* The child may use the inherited fd and close it. */
		if (get_param(self->fd, DRM_VSVM_PARAM_VRAM_SIZE, &v) || v != vram)
			_exit(1);
		close(self->fd);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	/* The child's close does not close the parent's file. */
	ASSERT_EQ(0, get_param(self->fd, DRM_VSVM_PARAM_VRAM_SIZE, &v));
	ASSERT_EQ(vram, v);
}

TEST_F(vsvm, many_clients)
{
	int fds[64], i;
	__u64 v = 1;

	for (i = 0; i < 64; i++) {
		fds[i] = open_vsvm();
		ASSERT_GE(fds[i], 0);
	}
	for (i = 0; i < 64; i++) {
		ASSERT_EQ(0, get_param(fds[i], DRM_VSVM_PARAM_VRAM_USED, &v));
		ASSERT_EQ(0, v);
		close(fds[i]);
	}
}

/* Whether vsvm was loaded with test_ioctls=1 (test-only ioctls for all). */
/*
 * The test-only ioctls (simulated device accesses) are not for every
 * client: without CAP_SYS_ADMIN they fail with -EPERM. Eviction of one's
 * own device memory and residency snapshots of one's own memory stay open
 * (libdrm-svm's svm_residency uses them); vsvm_evict_test checks that an
 * unprivileged EVICT_ALL leaves other clients' memory alone.
 */
TEST_F(vsvm, test_ioctls_need_privilege)
{
	int open_to_all = test_ioctls_open(), status;
	pid_t pid;

	if (open_to_all < 0)
		SKIP(return, "vsvm has no test_ioctls parameter");
	if (open_to_all)
		SKIP(return, "vsvm was loaded with test_ioctls=1");
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct drm_vsvm_gem_access ga = { .size = 4096 };
		struct drm_vsvm_svm_access sa = { .size = 4096 };
		struct drm_vsvm_svm_migrate m = {
			.flags = DRM_VSVM_SVM_MIGRATE_EVICT_ALL,
		};
		static char page[4096] __attribute__((aligned(4096)));
		struct drm_vsvm_svm_snapshot sn = {
			.addr = (uintptr_t)page, .npages = 1,
		};
		__u8 out = 0;
		int bad = 0;

		sn.data = (uintptr_t)&out;
		page[0] = 1;
		if (drop_capabilities())
			_exit(2);
		bad |= !(ioctl(self->fd, DRM_IOCTL_VSVM_GEM_ACCESS, &ga) &&
			 errno == EPERM) << 0;
		bad |= !(ioctl(self->fd, DRM_IOCTL_VSVM_SVM_ACCESS, &sa) &&
			 errno == EPERM) << 1;
		bad |= !!ioctl(self->fd, DRM_IOCTL_VSVM_SVM_MIGRATE, &m) << 2;
		bad |= !!ioctl(self->fd, DRM_IOCTL_VSVM_SVM_SNAPSHOT, &sn) << 3;
		_exit(bad ? 10 + bad : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
}

TEST_HARNESS_MAIN
