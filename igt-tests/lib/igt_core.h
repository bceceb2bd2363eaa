/* SPDX-License-Identifier: MIT */
/*
 * igt_core.h - a small, independent re-implementation of the core test
 * API of IGT (intel-gpu-tools), using the "new" spelling introduced in
 * IGT on 2025-11-20 (igt_main(), igt_fixture(), igt_subtest_group() with
 * parentheses).  Test sources written against these names build unchanged
 * against a real IGT tree, and binaries produce the same stdout lines and
 * exit codes that igt_runner parses.
 */
#ifndef IGT_CORE_H
#define IGT_CORE_H

#include <getopt.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#ifndef IGT_LOG_DOMAIN
#define IGT_LOG_DOMAIN (NULL)
#endif

#ifndef __noreturn
#define __noreturn __attribute__((noreturn))
#endif
#ifndef __maybe_unused
#define __maybe_unused __attribute__((unused))
#endif

/* Process exit codes, as understood by igt_runner. */
#define IGT_EXIT_SUCCESS 0
#define IGT_EXIT_SKIP 77
#define IGT_EXIT_INVALID 79
#define IGT_EXIT_FAILURE 98
#define IGT_EXIT_ABORT 112

/* Optional whole-binary description, printed by --help-description/--describe. */
extern const char *__igt_test_description __attribute__((weak));
#define IGT_TEST_DESCRIPTION(str) const char *__igt_test_description = str

extern bool __igt_plain_output;

/* Token helpers used by the block macros. */
#define __igt_concat2(a, b) a##b
#define igt_tokencat(a, b) __igt_concat2(a, b)
#define igt_unique(prefix) igt_tokencat(igt_tokencat(__igt_uniq_, prefix), __LINE__)

/* Jump targets of the subtest / dynamic subtest blocks. */
extern sigjmp_buf igt_subtest_jmpbuf;
extern sigjmp_buf igt_dynamic_jmpbuf;

/* ---- option parsing / entry points -------------------------------- */

typedef int (*igt_opt_handler_t)(int opt, int opt_index, void *data);
#define IGT_OPT_HANDLER_SUCCESS 0
#define IGT_OPT_HANDLER_ERROR -2

int igt_subtest_init_parse_opts(int *argc, char **argv,
				const char *extra_short_opts,
				const struct option *extra_long_opts,
				const char *help_str,
				igt_opt_handler_t extra_opt_handler,
				void *handler_data);
void igt_simple_init_parse_opts(int *argc, char **argv,
				const char *extra_short_opts,
				const struct option *extra_long_opts,
				const char *help_str,
				igt_opt_handler_t extra_opt_handler,
				void *handler_data);

#define igt_subtest_init(argc, argv) \
	igt_subtest_init_parse_opts(&(argc), (argv), NULL, NULL, NULL, NULL, NULL)
#define igt_simple_init(argc, argv) \
	igt_simple_init_parse_opts(&(argc), (argv), NULL, NULL, NULL, NULL, NULL)

/*
 * "int igt_main_args(...) { body }" expands to a prototype of main(), the
 * definition of main() that parses options, runs the body and exits, and
 * finally the head of a static function that receives the body.
 */
#define igt_main_args(short_opts, long_opts, help_str, opt_handler, handler_data) \
	main(int argc, char **argv); \
	static void igt_unique(__igt_test_body)(void); \
	int main(int argc, char **argv) \
	{ \
		igt_subtest_init_parse_opts(&argc, argv, (short_opts), (long_opts), \
					    (help_str), (opt_handler), (handler_data)); \
		igt_unique(__igt_test_body)(); \
		igt_exit(); \
	} \
	static void igt_unique(__igt_test_body)(void)

#define igt_main() igt_main_args(NULL, NULL, NULL, NULL, NULL)

#define igt_simple_main_args(short_opts, long_opts, help_str, opt_handler, handler_data) \
	main(int argc, char **argv); \
	static void igt_unique(__igt_test_body)(void); \
	int main(int argc, char **argv) \
	{ \
		igt_simple_init_parse_opts(&argc, argv, (short_opts), (long_opts), \
					   (help_str), (opt_handler), (handler_data)); \
		igt_unique(__igt_test_body)(); \
		igt_exit(); \
	} \
	static void igt_unique(__igt_test_body)(void)

#define igt_simple_main() igt_simple_main_args(NULL, NULL, NULL, NULL, NULL)

#define igt_constructor \
	__attribute__((constructor)) static void igt_unique(__igt_ctor)(void)

/* ---- block macros -------------------------------------------------- */

bool __igt_fixture(void);
void __igt_fixture_complete(void);
__noreturn void __igt_fixture_end(void);

#define igt_fixture() \
	for (volatile int igt_unique(__fix) = 0; \
	     igt_unique(__fix) < 1 && __igt_fixture() && \
	     sigsetjmp(igt_subtest_jmpbuf, 1) == 0; \
	     igt_unique(__fix)++, __igt_fixture_complete())

int __igt_subtest_group_enter(void);
void __igt_subtest_group_leave(int state);

#define igt_subtest_group() \
	for (volatile int igt_unique(__grp) = 0, \
	     igt_unique(__grpstate) = __igt_subtest_group_enter(); \
	     igt_unique(__grp) < 1; \
	     igt_unique(__grp)++, __igt_subtest_group_leave(igt_unique(__grpstate)))

bool __igt_run_subtest(const char *name, const char *file, int line);
bool __igt_enter_dynamic_container(void);
bool __igt_run_dynamic_subtest(const char *name);

#define IGT_SUBTEST_NAME_MAX 256

#define igt_subtest(name) \
	for (; __igt_run_subtest((name), __FILE__, __LINE__) && \
	       sigsetjmp(igt_subtest_jmpbuf, 1) == 0; \
	     igt_success())

#define __igt_subtest_f(buf, ...) \
	for (char buf[IGT_SUBTEST_NAME_MAX]; \
	     snprintf(buf, sizeof(buf), __VA_ARGS__), \
	     __igt_run_subtest(buf, __FILE__, __LINE__) && \
	     sigsetjmp(igt_subtest_jmpbuf, 1) == 0; \
	     igt_success())
#define igt_subtest_f(...) __igt_subtest_f(igt_unique(__stname), __VA_ARGS__)

#define igt_subtest_with_dynamic(name) \
	for (; __igt_run_subtest((name), __FILE__, __LINE__) && \
	       __igt_enter_dynamic_container() && \
	       sigsetjmp(igt_subtest_jmpbuf, 1) == 0; \
	     igt_success())

#define __igt_subtest_with_dynamic_f(buf, ...) \
	for (char buf[IGT_SUBTEST_NAME_MAX]; \
	     snprintf(buf, sizeof(buf), __VA_ARGS__), \
	     __igt_run_subtest(buf, __FILE__, __LINE__) && \
	     __igt_enter_dynamic_container() && \
	     sigsetjmp(igt_subtest_jmpbuf, 1) == 0; \
	     igt_success())
#define igt_subtest_with_dynamic_f(...) \
	__igt_subtest_with_dynamic_f(igt_unique(__stname), __VA_ARGS__)

#define igt_dynamic(name) \
	for (; __igt_run_dynamic_subtest((name)) && \
	       sigsetjmp(igt_dynamic_jmpbuf, 1) == 0; \
	     igt_success())

#define __igt_dynamic_f(buf, ...) \
	for (char buf[IGT_SUBTEST_NAME_MAX]; \
	     snprintf(buf, sizeof(buf), __VA_ARGS__), \
	     __igt_run_dynamic_subtest(buf) && \
	     sigsetjmp(igt_dynamic_jmpbuf, 1) == 0; \
	     igt_success())
#define igt_dynamic_f(...) __igt_dynamic_f(igt_unique(__dynname), __VA_ARGS__)

const char *igt_subtest_name(void);
const char *igt_dynamic_subtest_name(void);
const char *igt_test_name(void);
bool igt_only_list_subtests(void);
bool igt_can_fail(void);

__attribute__((format(printf, 1, 2)))
void igt_describe_f(const char *fmt, ...);
#define igt_describe(dsc) igt_describe_f("%s", (dsc))

/* ---- results ------------------------------------------------------- */

void igt_success(void);
__noreturn void igt_fail(int exitcode);
__noreturn __attribute__((format(printf, 1, 2)))
void igt_skip(const char *fmt, ...);
__noreturn void igt_exit(void);

__noreturn __attribute__((format(printf, 5, 6)))
void __igt_skip_check(const char *file, int line, const char *func,
		      const char *check, const char *fmt, ...);
#define igt_skip_check(E, ...) \
	__igt_skip_check(__FILE__, __LINE__, __func__, (E), __VA_ARGS__)

__noreturn __attribute__((format(printf, 6, 7)))
void __igt_fail_assert(const char *domain, const char *file, int line,
		       const char *func, const char *assertion,
		       const char *fmt, ...);
__noreturn __attribute__((format(printf, 6, 7)))
void __igt_abort(const char *domain, const char *file, int line,
		 const char *func, const char *expression,
		 const char *fmt, ...);

static inline void igt_ignore_warn(bool value) { (void)value; }

#define igt_assert(expr) \
	do { \
		if (!(expr)) \
			__igt_fail_assert(IGT_LOG_DOMAIN, __FILE__, __LINE__, \
					  __func__, #expr, NULL); \
	} while (0)

#define igt_assert_f(expr, ...) \
	do { \
		if (!(expr)) \
			__igt_fail_assert(IGT_LOG_DOMAIN, __FILE__, __LINE__, \
					  __func__, #expr, __VA_ARGS__); \
	} while (0)

#define igt_fail_on(expr) igt_assert(!(expr))
#define igt_fail_on_f(expr, ...) igt_assert_f(!(expr), __VA_ARGS__)

/*
 * Typed comparisons: both operands are evaluated once into a local of
 * the given type, and on failure both values are printed.
 */
#define __igt_assert_cmp(type, pfmt, pcast, a, op, nop, b) \
	do { \
		type __igt_a = (a); \
		type __igt_b = (b); \
		if (!(__igt_a op __igt_b)) \
			__igt_fail_assert(IGT_LOG_DOMAIN, __FILE__, __LINE__, \
					  __func__, #a " " #op " " #b, \
					  "error: " pfmt " " #nop " " pfmt "\n", \
					  (pcast)__igt_a, (pcast)__igt_b); \
	} while (0)

#define igt_assert_cmpint(a, op, nop, b) \
	__igt_assert_cmp(int, "%d", int, a, op, nop, b)
#define igt_assert_cmpuint(a, op, nop, b) \
	__igt_assert_cmp(uint32_t, "%#x", unsigned int, a, op, nop, b)
#define igt_assert_cmps64(a, op, nop, b) \
	__igt_assert_cmp(int64_t, "%lld", long long, a, op, nop, b)
#define igt_assert_cmpu64(a, op, nop, b) \
	__igt_assert_cmp(uint64_t, "%#llx", unsigned long long, a, op, nop, b)
#define igt_assert_cmpdouble(a, op, nop, b) \
	__igt_assert_cmp(double, "%#lf", double, a, op, nop, b)
#define igt_assert_cmpptr(a, op, nop, b) \
	__igt_assert_cmp(const void *, "%p", const void *, a, op, nop, b)

#define igt_assert_eq(a, b) igt_assert_cmpint(a, ==, !=, b)
#define igt_assert_neq(a, b) igt_assert_cmpint(a, !=, ==, b)
#define igt_assert_lt(a, b) igt_assert_cmpint(a, <, >=, b)
#define igt_assert_lte(a, b) igt_assert_cmpint(a, <=, >, b)
#define igt_assert_eq_u32(a, b) igt_assert_cmpuint(a, ==, !=, b)
#define igt_assert_neq_u32(a, b) igt_assert_cmpuint(a, !=, ==, b)
#define igt_assert_lt_u32(a, b) igt_assert_cmpuint(a, <, >=, b)
#define igt_assert_lte_u32(a, b) igt_assert_cmpuint(a, <=, >, b)
#define igt_assert_eq_s64(a, b) igt_assert_cmps64(a, ==, !=, b)
#define igt_assert_neq_s64(a, b) igt_assert_cmps64(a, !=, ==, b)
#define igt_assert_lt_s64(a, b) igt_assert_cmps64(a, <, >=, b)
#define igt_assert_lte_s64(a, b) igt_assert_cmps64(a, <=, >, b)
#define igt_assert_eq_u64(a, b) igt_assert_cmpu64(a, ==, !=, b)
#define igt_assert_neq_u64(a, b) igt_assert_cmpu64(a, !=, ==, b)
#define igt_assert_lt_u64(a, b) igt_assert_cmpu64(a, <, >=, b)
#define igt_assert_lte_u64(a, b) igt_assert_cmpu64(a, <=, >, b)
#define igt_assert_eq_double(a, b) igt_assert_cmpdouble(a, ==, !=, b)
#define igt_assert_neq_double(a, b) igt_assert_cmpdouble(a, !=, ==, b)
#define igt_assert_lt_double(a, b) igt_assert_cmpdouble(a, <, >=, b)
#define igt_assert_eq_ptr(a, b) igt_assert_cmpptr(a, ==, !=, b)
#define igt_assert_neq_ptr(a, b) igt_assert_cmpptr(a, !=, ==, b)

#define igt_assert_fd(fd) \
	igt_assert_f((fd) >= 0, "file descriptor " #fd " failed\n")

#define igt_require(expr) \
	do { \
		if (!(expr)) \
			igt_skip_check(#expr, NULL); \
		else \
			igt_debug("Test requirement passed: %s\n", #expr); \
	} while (0)

#define igt_require_f(expr, ...) \
	do { \
		if (!(expr)) \
			igt_skip_check(#expr, __VA_ARGS__); \
		else \
			igt_debug("Test requirement passed: %s\n", #expr); \
	} while (0)

#define igt_skip_on(expr) \
	do { \
		if ((expr)) \
			igt_skip_check("!(" #expr ")", NULL); \
		else \
			igt_debug("Test requirement passed: !(%s)\n", #expr); \
	} while (0)

#define igt_skip_on_f(expr, ...) \
	do { \
		if ((expr)) \
			igt_skip_check("!(" #expr ")", __VA_ARGS__); \
		else \
			igt_debug("Test requirement passed: !(%s)\n", #expr); \
	} while (0)

#define igt_require_fd(fd) \
	igt_require_f((fd) >= 0, "file descriptor " #fd " failed\n")

#define igt_abort_on_f(expr, ...) \
	do { \
		if ((expr)) \
			__igt_abort(IGT_LOG_DOMAIN, __FILE__, __LINE__, __func__, \
				    #expr, __VA_ARGS__); \
	} while (0)

/* ---- logging ------------------------------------------------------- */

enum igt_log_level {
	IGT_LOG_DEBUG,
	IGT_LOG_INFO,
	IGT_LOG_WARN,
	IGT_LOG_CRITICAL,
	IGT_LOG_NONE,
};

extern enum igt_log_level igt_log_level;

__attribute__((format(printf, 3, 4)))
void igt_log(const char *domain, enum igt_log_level level, const char *fmt, ...);
__attribute__((format(printf, 3, 0)))
void igt_vlog(const char *domain, enum igt_log_level level, const char *fmt,
	      va_list args);

#define igt_debug(...) igt_log(IGT_LOG_DOMAIN, IGT_LOG_DEBUG, __VA_ARGS__)
#define igt_info(...) igt_log(IGT_LOG_DOMAIN, IGT_LOG_INFO, __VA_ARGS__)
#define igt_warn(...) igt_log(IGT_LOG_DOMAIN, IGT_LOG_WARN, __VA_ARGS__)
#define igt_critical(...) igt_log(IGT_LOG_DOMAIN, IGT_LOG_CRITICAL, __VA_ARGS__)

typedef bool (*igt_buffer_log_handler_t)(const char *line, void *data);
void igt_log_buffer_inspect(igt_buffer_log_handler_t check, void *data);

#define igt_warn_on(cond) ({ \
	typeof(cond) __igt_ret = (cond); \
	if (__igt_ret) \
		igt_warn("Warning on condition %s in function %s, file %s:%i\n", \
			 #cond, __func__, __FILE__, __LINE__); \
	__igt_ret; \
})

#define igt_warn_on_f(cond, ...) ({ \
	typeof(cond) __igt_ret = (cond); \
	if (__igt_ret) { \
		igt_warn("Warning on condition %s in function %s, file %s:%i\n", \
			 #cond, __func__, __FILE__, __LINE__); \
		igt_warn(__VA_ARGS__); \
	} \
	__igt_ret; \
})

#define igt_debug_on(cond) ({ \
	typeof(cond) __igt_ret = (cond); \
	if (__igt_ret) \
		igt_debug("Condition %s occurred in function %s, file %s:%i\n", \
			  #cond, __func__, __FILE__, __LINE__); \
	__igt_ret; \
})

/* Kernel log markers (written to /dev/kmsg when it is writable). */
#define KMSG_EMER	"<0>[IGT] "
#define KMSG_ALERT	"<1>[IGT] "
#define KMSG_CRIT	"<2>[IGT] "
#define KMSG_ERR	"<3>[IGT] "
#define KMSG_WARNING	"<4>[IGT] "
#define KMSG_NOTICE	"<5>[IGT] "
#define KMSG_INFO	"<6>[IGT] "
#define KMSG_DEBUG	"<7>[IGT] "

__attribute__((format(printf, 1, 2)))
void igt_kmsg(const char *fmt, ...);

/* ---- processes ----------------------------------------------------- */

bool __igt_fork(void);
#define igt_fork(child, num_children) \
	for (int child = 0; child < (num_children); child++) \
		for (; __igt_fork(); exit(0))

int __igt_waitchildren(void);
void igt_waitchildren(void);
void igt_waitchildren_timeout(int seconds, const char *reason);
void igt_kill_children(int sig);

struct igt_helper_process {
	bool running;
	bool use_SIGKILL;
	pid_t pid;
	int id;
};
bool __igt_fork_helper(struct igt_helper_process *proc);
#define igt_fork_helper(proc) for (; __igt_fork_helper(proc); exit(0))
int igt_wait_helper(struct igt_helper_process *proc);
void igt_stop_helper(struct igt_helper_process *proc);

typedef void (*igt_exit_handler_t)(int sig);
void igt_install_exit_handler(igt_exit_handler_t fn);

/* ---- time ---------------------------------------------------------- */

#ifndef NSEC_PER_SEC
#define NSEC_PER_SEC 1000000000ULL
#endif
#ifndef USEC_PER_SEC
#define USEC_PER_SEC 1000000ULL
#endif

int igt_gettime(struct timespec *ts);
double igt_time_elapsed(struct timespec *then, struct timespec *now);
uint64_t igt_nsec_elapsed(struct timespec *start);

/* Approximate seconds (nsec >> 30), as in IGT. */
static inline uint32_t igt_seconds_elapsed(struct timespec *start)
{
	return (uint32_t)(igt_nsec_elapsed(start) >> 30);
}

#define igt_until_timeout(timeout) \
	for (struct timespec igt_unique(__until) = {}; \
	     igt_seconds_elapsed(&igt_unique(__until)) < (timeout); )

#define igt_for_milliseconds(ms) \
	for (struct timespec igt_unique(__for_ms) = {}; \
	     igt_nsec_elapsed(&igt_unique(__for_ms)) >> 20 < (uint64_t)(ms); )

void igt_set_timeout(unsigned int seconds, const char *op);
void igt_reset_timeout(void);

/* ---- devices ------------------------------------------------------- */

/*
 * Device filter given with --device or the IGT_DEVICE environment
 * variable (NULL when none).  Only stored; drmtest.c honours the
 * "drm:/dev/dri/NODE" and plain "/dev/dri/NODE" forms.
 */
extern char *igt_device_filter;
int igt_device_filter_count(void);
const char *igt_device_filter_get(int num);

/* ---- misc ---------------------------------------------------------- */

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(arr) (sizeof(arr) / sizeof((arr)[0]))
#endif

#define READ_ONCE(x) (*(volatile typeof(x) *)&(x))
#define WRITE_ONCE(x, v) do { *(volatile typeof(x) *)&(x) = (v); } while (0)

#endif /* IGT_CORE_H */
