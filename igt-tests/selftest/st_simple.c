// SPDX-License-Identifier: MIT
/*
 * Self-test program without subtests; ST_MODE selects the outcome:
 * pass (default), skip, fail, crash, fork-fail.
 */
#include <signal.h>

#include "igt.h"

IGT_TEST_DESCRIPTION("Self-test of igt_simple_main().");

int igt_simple_main()
{
	const char *mode = getenv("ST_MODE");

	if (!mode)
		mode = "pass";

	igt_info("mode %s\n", mode);

	if (!strcmp(mode, "skip")) {
		errno = 0;
		igt_require_f(strcmp(mode, "skip") != 0, "asked to skip\n");
	} else if (!strcmp(mode, "fail")) {
		errno = 0;
		igt_assert_eq(strlen(mode), 0);
	} else if (!strcmp(mode, "crash")) {
		raise(SIGSEGV);
	} else if (!strcmp(mode, "fork-fail")) {
		igt_fork(child, 2)
			igt_assert(child == 0);
		igt_waitchildren();
	}
}
