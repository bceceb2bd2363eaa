// SPDX-License-Identifier: MIT
/*
 * Self-test program: subtests with dynamic subtests.  A container is
 * SKIP if no dynamic subtest ran, FAIL if any of them failed.
 */
#include "igt.h"

int igt_main()
{
	igt_describe("All dynamic subtests pass. This description is long on "
		     "purpose, so that --describe has to wrap it over more than "
		     "one line of at most eighty columns, exactly like IGT does.");
	igt_subtest_with_dynamic("dyn-pass") {
		igt_dynamic("d1")
			igt_info("in d1\n");
		igt_dynamic("d2")
			igt_assert(igt_dynamic_subtest_name() != NULL);
	}

	igt_subtest_with_dynamic("dyn-fail") {
		igt_dynamic("d1")
			igt_assert(1);
		igt_dynamic("d2") {
			igt_info("d2 log line\n");
			errno = 0;
			igt_assert_eq(1, 0);
		}
		igt_dynamic("d3")
			igt_assert(1);
	}

	igt_subtest_with_dynamic("dyn-none") {
		igt_info("no dynamic subtests here\n");
	}

	igt_subtest_with_dynamic("dyn-allskip") {
		igt_dynamic("s1")
			igt_skip("skipping s1\n");
	}

	igt_subtest_with_dynamic("dyn-require") {
		errno = 0;
		igt_require(0 > 1);
	}

	igt_subtest_with_dynamic_f("dyn-%s", "fmt") {
		for (int i = 0; i < 3; i++)
			igt_dynamic_f("n-%d", i)
				igt_assert_lt(i, 3);
	}
}
