// SPDX-License-Identifier: MIT
/*
 * Self-test program: fixtures that skip or fail make the later subtests
 * of their group SKIP or FAIL; groups restore the state on exit.
 */
#include "igt.h"

int igt_main()
{
	int value = 0;

	igt_fixture() {
		igt_info("top fixture\n");
		value = 1;
	}

	igt_subtest("first")
		igt_assert_eq(value, 1);

	igt_subtest_group() {
		igt_fixture() {
			igt_info("group-a fixture\n");
			igt_require(value == 2);
			igt_info("not reached\n");
		}

		igt_subtest("a1")
			igt_info("not reached\n");

		igt_subtest("a2")
			igt_info("not reached\n");
	}

	igt_subtest_group() {
		igt_fixture() {
			errno = 0;
			igt_assert_f(value == 3, "group b setup\n");
		}

		igt_subtest("b1")
			igt_info("not reached\n");

		igt_subtest_group() {
			igt_subtest("b2")
				igt_info("not reached\n");
		}
	}

	igt_subtest("last")
		igt_info("last ran\n");

	igt_fixture() {
		igt_info("final fixture\n");
	}
}
