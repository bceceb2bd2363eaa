// SPDX-License-Identifier: MIT
/*
 * Self-test program for the drmtest helpers.  Works with or without a
 * vsvm device: without one, open-vsvm must SKIP with IGT's message.
 */
#include "igt.h"

int igt_main()
{
	igt_subtest("open-vsvm") {
		int fd = drm_open_driver_render(DRIVER_VSVM);

		igt_assert_fd(fd);
		igt_assert(is_vsvm_device(fd));
		igt_assert_eq(drm_get_chipset(fd), DRIVER_VSVM);
		igt_assert_eq(drm_close_driver(fd), 0);
	}

	igt_subtest("by-name-missing")
		igt_assert_eq(drm_open_render_by_name("no-such-driver"), -ENODEV);

	igt_subtest("raw-open-nothing")
		igt_assert_lt(__drm_open_driver_render(0), 0);

	igt_subtest("close-bad-fd")
		igt_assert_eq(__drm_close_driver(-1), -EBADF);
}
