// SPDX-License-Identifier: MIT
/*
 * Self-test program: crashes inside subtests become "Subtest N: CRASH"
 * and the following subtests still run; igt_abort_on_f() exits with 112.
 */
#include <signal.h>
#include <stdint.h>

#include "igt.h"

static int *volatile null_ptr;

int igt_main()
{
	igt_subtest("segv") {
		igt_info("about to crash\n");
		*null_ptr = 1;
	}

	igt_subtest("after-segv")
		igt_info("still running\n");

	igt_subtest("abrt")
		abort();

	igt_subtest_with_dynamic("dyn-segv") {
		igt_dynamic("ok")
			igt_assert(1);
		igt_dynamic("boom")
			raise(SIGBUS);
	}

	igt_subtest("abort-test") {
		errno = 0;
		igt_abort_on_f(null_ptr == NULL, "environment is %s\n", "broken");
	}
}
