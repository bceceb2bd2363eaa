// SPDX-License-Identifier: MIT
/*
 * Self-test program: plain subtests that pass, fail and skip, the assert
 * family, logging, descriptions and extra command line options.
 */
#include <errno.h>
#include <limits.h>

#include "igt.h"

IGT_TEST_DESCRIPTION("Self-test of the IGT compatibility layer: basic subtests.");

static int rounds = 1;

static int opt_handler(int opt, int opt_index, void *data)
{
	(void)opt_index;
	(void)data;

	switch (opt) {
	case 'n':
		rounds = atoi(optarg);
		break;
	default:
		return IGT_OPT_HANDLER_ERROR;
	}
	return IGT_OPT_HANDLER_SUCCESS;
}

static const struct option long_opts[] = {
	{ "rounds", required_argument, NULL, 'n' },
	{ NULL, 0, NULL, 0 },
};

static const char help_str[] = "  -n, --rounds=N\tNumber of rounds\n";

int igt_main_args("n:", long_opts, help_str, opt_handler, NULL)
{
	igt_fixture() {
		igt_info("fixture ran\n");
	}

	igt_describe("A subtest that passes.");
	igt_subtest("pass-a") {
		igt_info("rounds=%d\n", rounds);
		igt_debug("debug in pass-a\n");
		igt_assert(rounds > 0);
	}

	igt_subtest("pass-b") {
		igt_info("device=%s\n",
			 igt_device_filter ? igt_device_filter : "(none)");
		igt_assert_eq(2, 2);
	}

	igt_describe("Subtests that fail.");
	igt_subtest_group() {
		igt_describe("Checks a plain assertion.");
		igt_subtest("fail-assert") {
			int x = 1;

			igt_info("info before failure\n");
			igt_debug("debug before failure\n");
			errno = 0;
			igt_assert(x == 2);
		}

		igt_subtest("fail-eq") {
			errno = 0;
			igt_assert_eq(1, 2);
		}
	}

	igt_subtest("fail-errno") {
		errno = ENOENT;
		igt_assert_f(rounds < 0, "custom %s\n", "message");
	}

	igt_subtest("fail-u64") {
		errno = 0;
		igt_assert_eq_u64(1ULL << 40, 1);
	}

	igt_subtest("fail-explicit")
		igt_fail(IGT_EXIT_FAILURE);

	igt_subtest("skip-require") {
		errno = 0;
		igt_require(rounds > 100);
	}

	igt_subtest("skip-f") {
		errno = 0;
		igt_skip_on_f(rounds < 100, "rounds is %d\n", rounds);
	}

	igt_subtest("skip-plain")
		igt_skip("plain skip %d\n", 7);

	igt_subtest("success-early") {
		igt_success();
		igt_assert(0);
	}

	for (int i = 1; i <= 2; i++) {
		igt_subtest_f("fmt-%d", i)
			igt_assert_lt(0, i);
	}

	igt_subtest("asserts-pass") {
		uint32_t u = 7;
		uint64_t big = 1ULL << 40;
		int64_t neg = -5;
		struct timespec ts = {};

		errno = 0;
		igt_assert_neq(1, 2);
		igt_assert_lte(2, 2);
		igt_assert_eq_u32(u, 7u);
		igt_assert_neq_u32(u, 8u);
		igt_assert_eq_u64(big, 1ULL << 40);
		igt_assert_neq_u64(big, 0);
		igt_assert_lt_u64(1, big);
		igt_assert_lte_u64(big, big);
		igt_assert_eq_s64(neg, -5);
		igt_assert_eq_double(0.5, 0.5);
		igt_assert_eq_ptr(&ts, &ts);
		igt_fail_on(u == 8);
		igt_fail_on_f(u == 9, "never\n");
		igt_require_f(u == 7, "never\n");
		igt_skip_on(u == 0);
		igt_assert(!igt_only_list_subtests());
		igt_assert(strcmp(igt_subtest_name(), "asserts-pass") == 0);
		igt_assert(igt_dynamic_subtest_name() == NULL);
		igt_assert(igt_nsec_elapsed(&ts) == 0);
		igt_assert(igt_seconds_elapsed(&ts) < 5);
		igt_assert(INT_MAX > 0);
	}

	igt_subtest("warn") {
		igt_warn("a warning\n");
		igt_assert(igt_warn_on(rounds == 1));
	}
}
