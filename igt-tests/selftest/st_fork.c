// SPDX-License-Identifier: MIT
/*
 * Self-test program: igt_fork()/igt_waitchildren() result propagation,
 * igt_waitchildren_timeout() and igt_until_timeout().
 */
#include <signal.h>

#include "igt.h"

int igt_main()
{
	igt_subtest("fork-pass") {
		igt_fork(child, 3)
			igt_assert(child >= 0 && child < 3);
		igt_waitchildren();
	}

	igt_subtest("fork-fail") {
		igt_fork(child, 2) {
			if (child == 1) {
				errno = 0;
				igt_assert_eq(child, 0);
			}
		}
		igt_waitchildren();
	}

	igt_subtest("fork-crash") {
		igt_fork(child, 1)
			raise(SIGSEGV);
		igt_waitchildren();
	}

	igt_subtest("fork-timeout") {
		igt_fork(child, 1)
			sleep(20);
		igt_waitchildren_timeout(1, "sleeping child");
	}

	igt_subtest("until-timeout") {
		struct timespec start = {};
		int loops = 0;

		igt_nsec_elapsed(&start);
		igt_until_timeout(1) {
			loops++;
			usleep(10000);
		}
		igt_info("looped\n");
		igt_assert_lt(1, loops);
		igt_assert_lte_u64(900000000ULL, igt_nsec_elapsed(&start));
	}
}
