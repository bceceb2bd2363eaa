// SPDX-License-Identifier: MIT
/*
 * Core of the IGT-compatible test layer: option parsing, subtest and
 * dynamic subtest bookkeeping, result reporting, logging, forked
 * children and crash handling.  Output lines and exit codes follow the
 * IGT conventions that igt_runner parses.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <getopt.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "igt_core.h"

#define IGT_COMPAT_VERSION "1.30"
#define IGT_COMPAT_SHA "compat"

sigjmp_buf igt_subtest_jmpbuf;
sigjmp_buf igt_dynamic_jmpbuf;

bool __igt_plain_output;
enum igt_log_level igt_log_level = IGT_LOG_INFO;
char *igt_device_filter;

/* ---- global state -------------------------------------------------- */

enum henceforth { HF_CONTINUE = 0, HF_SKIP, HF_FAIL };

static const char *command_str = "igt";
static bool with_subtests;
static bool list_subtests;
static bool show_testlist;
static bool describe_subtests;
static char *subtest_filter;		/* --run-subtest / --describe=PAT */
static char *dynamic_filter;		/* --dynamic-subtest */
static bool subtest_filter_matched;
static char *log_domain_filter;
static bool sentinel_on_stderr;

static char subtest_name_buf[IGT_SUBTEST_NAME_MAX];
static char dynamic_name_buf[IGT_SUBTEST_NAME_MAX];
static const char *in_subtest;
static const char *in_dynamic;
static struct timespec subtest_start;
static struct timespec dynamic_start;
static struct timespec test_start;

static bool in_fixture;
static enum henceforth skip_henceforth = HF_CONTINUE;

static int dynamic_executed = -1;	/* -1: not inside a dynamic container */
static bool dynamic_failed;

static bool skipped_one, succeeded_one, failed_one;
static int igt_exitcode = IGT_EXIT_SUCCESS;

static volatile sig_atomic_t in_atexit;

/* forked test children */
static bool test_child;
static pid_t *children;
static int num_children, children_cap;

/* helper processes */
#define MAX_HELPERS 8
static bool helper_child;
static pid_t helper_pids[MAX_HELPERS] = { -1, -1, -1, -1, -1, -1, -1, -1 };

/* exit handlers */
#define MAX_EXIT_HANDLERS 16
static igt_exit_handler_t exit_handlers[MAX_EXIT_HANDLERS];
static int num_exit_handlers;

/* descriptions */
#define DESC_MAX 512
#define DESC_DEPTH 16
static char current_desc[DESC_MAX];
static char group_desc[DESC_DEPTH][DESC_MAX];
static int group_desc_depth;

/* log ring buffer, dumped when a (sub)test fails */
#define LOG_RING 256
static char *log_ring[LOG_RING];
static unsigned int log_ring_first, log_ring_count;
static pthread_mutex_t log_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t print_mutex = PTHREAD_MUTEX_INITIALIZER;
static __thread bool log_line_open;	/* previous message had no '\n' */

static clockid_t igt_clock = (clockid_t)-1;

/* ---- small helpers -------------------------------------------------- */

__attribute__((format(printf, 1, 2), noreturn))
static void internal_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "igt_core: ");
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "please refer to lib/igt_core documentation\n");
	fflush(stderr);
	abort();
}

static void write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t r = write(fd, buf, len);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		buf += r;
		len -= (size_t)r;
	}
}

static void write_stderr(const char *s)
{
	write_all(STDERR_FILENO, s, strlen(s));
}

const char *igt_test_name(void)
{
	return command_str;
}

const char *igt_subtest_name(void)
{
	return in_subtest;
}

const char *igt_dynamic_subtest_name(void)
{
	return in_dynamic;
}

bool igt_only_list_subtests(void)
{
	return list_subtests || show_testlist;
}

bool igt_can_fail(void)
{
	return !with_subtests || in_fixture || in_subtest;
}

int igt_device_filter_count(void)
{
	return igt_device_filter ? 1 : 0;
}

const char *igt_device_filter_get(int num)
{
	return num == 0 ? igt_device_filter : NULL;
}

/* ---- time ---------------------------------------------------------- */

int igt_gettime(struct timespec *ts)
{
	static const clockid_t clocks[] = {
#ifdef CLOCK_MONOTONIC_RAW
		CLOCK_MONOTONIC_RAW,
#endif
		CLOCK_MONOTONIC,
	};

	memset(ts, 0, sizeof(*ts));
	if (igt_clock != (clockid_t)-1)
		return clock_gettime(igt_clock, ts) ? -errno : 0;

	for (size_t i = 0; i < ARRAY_SIZE(clocks); i++) {
		if (clock_gettime(clocks[i], ts) == 0) {
			igt_clock = clocks[i];
			return 0;
		}
	}
	return -errno;
}

double igt_time_elapsed(struct timespec *then, struct timespec *now)
{
	if (!(then->tv_sec || then->tv_nsec) || !(now->tv_sec || now->tv_nsec))
		return -1.0;

	return (double)(now->tv_sec - then->tv_sec) +
	       (double)(now->tv_nsec - then->tv_nsec) * 1e-9;
}

uint64_t igt_nsec_elapsed(struct timespec *start)
{
	struct timespec now;

	igt_gettime(&now);
	if (start->tv_sec == 0 && start->tv_nsec == 0) {
		*start = now;
		return 0;
	}

	return (uint64_t)(now.tv_sec - start->tv_sec) * NSEC_PER_SEC +
	       (uint64_t)((int64_t)now.tv_nsec - (int64_t)start->tv_nsec);
}

static double seconds_since(struct timespec *then)
{
	struct timespec now;
	double t;

	igt_gettime(&now);
	t = igt_time_elapsed(then, &now);
	return t < 0 ? 0.0 : t;
}

/* ---- kernel log ---------------------------------------------------- */

/*
 * IGT_COMPAT_KMSG (an extension of this layer) redirects the markers to a
 * file instead of /dev/kmsg; the self-test uses it.
 */
void igt_kmsg(const char *fmt, ...)
{
	const char *path = getenv("IGT_COMPAT_KMSG");
	int saved_errno = errno;
	char buf[1024];
	va_list ap;
	int fd, len;

	if (!path || !*path)
		path = "/dev/kmsg";

	fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0) {
		errno = saved_errno;
		return;
	}

	va_start(ap, fmt);
	len = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (len > 0) {
		if ((size_t)len >= sizeof(buf))
			len = sizeof(buf) - 1;
		write_all(fd, buf, (size_t)len);
	}
	close(fd);
	errno = saved_errno;
}

/* ---- logging ------------------------------------------------------- */

static void log_ring_append(char *line)
{
	pthread_mutex_lock(&log_mutex);
	if (log_ring_count == LOG_RING) {
		free(log_ring[log_ring_first]);
		log_ring[log_ring_first] = line;
		log_ring_first = (log_ring_first + 1) % LOG_RING;
	} else {
		log_ring[(log_ring_first + log_ring_count) % LOG_RING] = line;
		log_ring_count++;
	}
	pthread_mutex_unlock(&log_mutex);
}

static void log_ring_reset(void)
{
	pthread_mutex_lock(&log_mutex);
	for (unsigned int i = 0; i < log_ring_count; i++) {
		unsigned int idx = (log_ring_first + i) % LOG_RING;

		free(log_ring[idx]);
		log_ring[idx] = NULL;
	}
	log_ring_first = log_ring_count = 0;
	pthread_mutex_unlock(&log_mutex);
}

void igt_log_buffer_inspect(igt_buffer_log_handler_t check, void *data)
{
	pthread_mutex_lock(&log_mutex);
	for (unsigned int i = 0; i < log_ring_count; i++) {
		if (check(log_ring[(log_ring_first + i) % LOG_RING], data))
			break;
	}
	pthread_mutex_unlock(&log_mutex);
}

static const char *const level_names[] = {
	[IGT_LOG_DEBUG] = "DEBUG",
	[IGT_LOG_INFO] = "INFO",
	[IGT_LOG_WARN] = "WARNING",
	[IGT_LOG_CRITICAL] = "CRITICAL",
	[IGT_LOG_NONE] = "NONE",
};

void igt_vlog(const char *domain, enum igt_log_level level, const char *fmt,
	      va_list args)
{
	int saved_errno = errno;	/* logging must not disturb the test */
	char *msg = NULL, *full = NULL;
	size_t len;
	FILE *out;

	if (level < IGT_LOG_DEBUG || level > IGT_LOG_NONE)
		level = IGT_LOG_NONE;

	/* While enumerating, only critical messages may appear. */
	if (igt_only_list_subtests() && level <= IGT_LOG_WARN)
		return;

	if (vasprintf(&msg, fmt, args) < 0)
		goto out;

	if (log_line_open) {
		full = strdup(msg);
	} else if (asprintf(&full, "(%s:%d) %s%s%s: %s", command_str,
			    (int)getpid(), domain ? domain : "",
			    domain ? "-" : "", level_names[level], msg) < 0) {
		full = NULL;
	}
	if (!full)
		goto out;

	len = strlen(msg);
	log_line_open = len == 0 || msg[len - 1] != '\n';

	log_ring_append(full);

	if (level < igt_log_level)
		goto out;

	if (log_domain_filter) {
		if (!domain && strcmp(log_domain_filter, "application"))
			goto out;
		if (domain && strcmp(log_domain_filter, domain))
			goto out;
	}

	out = level >= IGT_LOG_WARN ? stderr : stdout;
	pthread_mutex_lock(&print_mutex);
	fputs(level == IGT_LOG_INFO ? msg : full, out);
	fflush(out);
	pthread_mutex_unlock(&print_mutex);
out:
	free(msg);
	errno = saved_errno;
}

void igt_log(const char *domain, enum igt_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	igt_vlog(domain, level, fmt, ap);
	va_end(ap);
}

static void dump_log_ring(void)
{
	/*
	 * A dynamic container fails because one of its dynamic subtests did;
	 * that one already printed its reason, so don't repeat anything.
	 */
	if (in_subtest && !in_dynamic && dynamic_executed >= 0) {
		log_ring_reset();
		return;
	}

	pthread_mutex_lock(&print_mutex);
	if (in_dynamic)
		fprintf(stderr, "Dynamic subtest %s failed.\n", in_dynamic);
	else if (in_subtest)
		fprintf(stderr, "Subtest %s failed.\n", in_subtest);
	else
		fprintf(stderr, "Test %s failed.\n", command_str);

	pthread_mutex_lock(&log_mutex);
	if (log_ring_count == 0) {
		fprintf(stderr, "No log.\n");
	} else {
		fprintf(stderr, "**** DEBUG ****\n");
		for (unsigned int i = 0; i < log_ring_count; i++) {
			unsigned int idx = (log_ring_first + i) % LOG_RING;

			fputs(log_ring[idx], stderr);
		}
		fprintf(stderr, "****  END  ****\n");
	}
	pthread_mutex_unlock(&log_mutex);
	fflush(stderr);
	pthread_mutex_unlock(&print_mutex);

	log_ring_reset();
}

/* ---- result lines -------------------------------------------------- */

static void print_starting(bool dynamic, const char *name)
{
	const char *kind = dynamic ? "dynamic subtest" : "subtest";

	igt_info("Starting %s: %s\n", kind, name);
	fflush(stdout);
	if (sentinel_on_stderr) {
		fprintf(stderr, "Starting %s: %s\n", kind, name);
		fflush(stderr);
	}
}

static void print_result(bool dynamic, const char *name, const char *result,
			 double secs)
{
	const char *kind = dynamic ? "Dynamic subtest" : "Subtest";

	printf("%s%s %s: %s (%.3fs)%s\n",
	       __igt_plain_output ? "" : "\x1b[1m", kind, name, result, secs,
	       __igt_plain_output ? "" : "\x1b[0m");
	fflush(stdout);
	if (sentinel_on_stderr) {
		fprintf(stderr, "%s %s: %s (%.3fs)\n", kind, name, result, secs);
		fflush(stderr);
	}
}

/* ---- children ------------------------------------------------------ */

static void reap_children(int sig)
{
	for (int i = 0; i < num_children; i++) {
		if (children[i] > 0) {
			kill(children[i], sig);
			waitpid(children[i], NULL, 0);
		}
	}
	num_children = 0;
}

void igt_kill_children(int sig)
{
	for (int i = 0; i < num_children; i++)
		if (children[i] > 0)
			kill(children[i], sig);
}

/* ---- leaving a subtest --------------------------------------------- */

__noreturn static void exit_subtest(const char *result)
{
	bool dynamic = in_dynamic != NULL;
	const char *name = dynamic ? in_dynamic : in_subtest;
	double secs = seconds_since(dynamic ? &dynamic_start : &subtest_start);

	print_result(dynamic, name, result, secs);
	igt_kmsg(KMSG_INFO "%s: finished %s %s, %s\n", command_str,
		 dynamic ? "dynamic subtest" : "subtest", name, result);

	/* A subtest that bailed out may have left children behind. */
	reap_children(SIGKILL);

	if (dynamic) {
		log_ring_reset();
		in_dynamic = NULL;
		siglongjmp(igt_dynamic_jmpbuf, 1);
	}

	dynamic_executed = -1;
	in_subtest = NULL;
	siglongjmp(igt_subtest_jmpbuf, 1);
}

/* ---- fixtures and groups ------------------------------------------- */

bool __igt_fixture(void)
{
	if (in_fixture)
		internal_error("nesting multiple igt_fixture()s is invalid\n");
	if (in_subtest)
		internal_error("nesting igt_fixture() in igt_subtest is invalid\n");
	if (!with_subtests)
		internal_error("igt_fixture() in igt_simple_main() is invalid\n");

	if (igt_only_list_subtests() || skip_henceforth != HF_CONTINUE)
		return false;

	in_fixture = true;
	return true;
}

void __igt_fixture_complete(void)
{
	in_fixture = false;
}

void __igt_fixture_end(void)
{
	in_fixture = false;
	siglongjmp(igt_subtest_jmpbuf, 1);
}

#define GROUP_PUSHED_DESC 0x100

int __igt_subtest_group_enter(void)
{
	int state = (int)skip_henceforth;

	if (!with_subtests)
		internal_error("igt_subtest_group() is not allowed in igt_simple_main()\n");

	if (current_desc[0]) {
		if (group_desc_depth >= DESC_DEPTH)
			internal_error("igt_subtest_group() nested too deeply\n");
		memcpy(group_desc[group_desc_depth++], current_desc, DESC_MAX);
		current_desc[0] = '\0';
		state |= GROUP_PUSHED_DESC;
	}
	return state;
}

void __igt_subtest_group_leave(int state)
{
	if ((state & GROUP_PUSHED_DESC) && group_desc_depth > 0)
		group_desc_depth--;
	skip_henceforth = (enum henceforth)(state & 0xff);
}

void igt_describe_f(const char *fmt, ...)
{
	va_list ap;
	int ret;

	if (in_subtest && dynamic_executed >= 0)
		internal_error("documenting dynamic subsubtests is impossible, "
			       "document the subtest instead.\n");

	if (!describe_subtests)
		return;

	va_start(ap, fmt);
	ret = vsnprintf(current_desc, sizeof(current_desc), fmt, ap);
	va_end(ap);
	if (ret < 0)
		current_desc[0] = '\0';
}

/*
 * Word-wrap @text to 80 columns including @indent.  Same rule as IGT:
 * a word moves to the next line when the letters already on the line
 * plus the word exceed the width.
 */
static void print_wrapped(const char *indent, const char *text)
{
	size_t width = 80 - strlen(indent);
	size_t used = 0;
	bool first = true;
	const char *p = text;

	fputs(indent, stdout);
	for (;;) {
		const char *sp = strchr(p, ' ');
		size_t len = sp ? (size_t)(sp - p) : strlen(p);

		if (!first && used + len > width) {
			printf("\n%s", indent);
			used = 0;
		}
		if (used)
			putchar(' ');
		printf("%.*s", (int)len, p);
		used += len;
		first = false;
		if (!sp)
			break;
		p = sp + 1;
	}
	putchar('\n');
}

static void print_test_description(void)
{
	if (&__igt_test_description != NULL && __igt_test_description) {
		print_wrapped("", __igt_test_description);
		if (describe_subtests)
			putchar('\n');
	}
}

static void print_subtest_description(const char *name, const char *file,
				      int line)
{
	bool documented = false;

	printf("SUB %s %s:%d:\n", name, file, line);
	for (int i = 0; i < group_desc_depth; i++) {
		print_wrapped("  ", group_desc[i]);
		putchar('\n');
		documented = true;
	}
	if (current_desc[0]) {
		print_wrapped("  ", current_desc);
		putchar('\n');
		documented = true;
	}
	if (!documented)
		printf("  NO DOCUMENTATION!\n\n");
	fflush(stdout);
}

/* ---- subtests ------------------------------------------------------ */

static bool valid_subtest_name(const char *name)
{
	if (!*name)
		return false;
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-')
			return false;
	return true;
}

/*
 * Comma separated list of fnmatch() globs; a leading '!' negates a
 * pattern.  The last pattern that matches decides (like uwildmat).
 */
static bool name_matches(const char *name, const char *patterns)
{
	bool result = false;
	char *copy = strdup(patterns), *save = NULL;

	if (!copy)
		return false;

	for (char *tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		bool negate = tok[0] == '!';

		if (fnmatch(negate ? tok + 1 : tok, name, 0) == 0)
			result = !negate;
	}
	free(copy);
	return result;
}

bool __igt_run_subtest(const char *name, const char *file, int line)
{
	if (igt_can_fail())
		internal_error("igt_subtest can be nested only in igt_main() or "
			       "igt_subtest_group()\n");

	if (!valid_subtest_name(name)) {
		igt_critical("Invalid subtest name \"%s\".\n", name);
		exit(IGT_EXIT_INVALID);
	}

	if (subtest_filter) {
		if (!name_matches(name, subtest_filter)) {
			current_desc[0] = '\0';
			return false;
		}
		subtest_filter_matched = true;
	}

	if (describe_subtests) {
		print_subtest_description(name, file, line);
		current_desc[0] = '\0';
		return false;
	}
	if (show_testlist) {
		printf("igt@%s@%s\n", command_str, name);
		return false;
	}
	if (list_subtests) {
		printf("%s\n", name);
		return false;
	}

	current_desc[0] = '\0';

	if (skip_henceforth != HF_CONTINUE) {
		print_result(false, name,
			     skip_henceforth == HF_SKIP ? "SKIP" : "FAIL", 0.0);
		return false;
	}

	igt_kmsg(KMSG_INFO "%s: starting subtest %s\n", command_str, name);
	print_starting(false, name);
	log_ring_reset();

	snprintf(subtest_name_buf, sizeof(subtest_name_buf), "%s", name);
	in_subtest = subtest_name_buf;
	igt_gettime(&subtest_start);
	return true;
}

bool __igt_enter_dynamic_container(void)
{
	dynamic_executed = 0;
	dynamic_failed = false;
	return true;
}

bool __igt_run_dynamic_subtest(const char *name)
{
	if (!in_subtest || dynamic_executed < 0)
		internal_error("igt_dynamic is allowed only inside "
			       "igt_subtest_with_dynamic\n");
	if (in_dynamic)
		internal_error("igt_dynamic is not allowed to be nested in "
			       "another igt_dynamic\n");

	if (!valid_subtest_name(name)) {
		igt_critical("Invalid dynamic subtest name \"%s\".\n", name);
		exit(IGT_EXIT_INVALID);
	}

	if (dynamic_filter && !name_matches(name, dynamic_filter))
		return false;

	igt_kmsg(KMSG_INFO "%s: starting dynamic subtest %s\n", command_str,
		 name);
	print_starting(true, name);
	log_ring_reset();

	dynamic_executed++;
	snprintf(dynamic_name_buf, sizeof(dynamic_name_buf), "%s", name);
	in_dynamic = dynamic_name_buf;
	igt_gettime(&dynamic_start);
	return true;
}

/* ---- results ------------------------------------------------------- */

void igt_success(void)
{
	if (test_child)
		exit(IGT_EXIT_SUCCESS);

	if (in_subtest && !in_dynamic && dynamic_executed >= 0) {
		/* Leaving a dynamic container: its children decide. */
		if (dynamic_failed)
			igt_fail(IGT_EXIT_FAILURE);
		if (dynamic_executed == 0)
			igt_skip("No dynamic tests executed.\n");
	}

	if (!in_dynamic)
		succeeded_one = true;

	if (in_subtest)
		exit_subtest("SUCCESS");
}

void igt_fail(int exitcode)
{
	if (exitcode == IGT_EXIT_SUCCESS || exitcode == IGT_EXIT_SKIP)
		internal_error("igt_fail() needs a failing exit code, got %d\n",
			       exitcode);

	/* An assertion inside an exit handler: just get out. */
	if (in_atexit)
		_exit(IGT_EXIT_FAILURE);

	if (in_dynamic) {
		dynamic_failed = true;
	} else {
		if (in_subtest && dynamic_executed >= 0 && !dynamic_failed)
			internal_error("igt_subtest_with_dynamic must not fail "
				       "outside of igt_dynamic\n");
		if (!failed_one)
			igt_exitcode = exitcode;
		failed_one = true;
	}

	dump_log_ring();

	if (test_child || helper_child)
		exit(exitcode);

	if (in_subtest)
		exit_subtest("FAIL");

	if (!igt_can_fail())
		internal_error("failing test is only allowed in fixtures, "
			       "subtests and igt_simple_main()\n");

	if (in_fixture) {
		skip_henceforth = HF_FAIL;
		__igt_fixture_end();
	}

	igt_exit();
}

void igt_skip(const char *fmt, ...)
{
	va_list ap;

	skipped_one = true;

	if (test_child)
		internal_error("skips are not allowed in forks\n");

	if (!igt_only_list_subtests()) {
		va_start(ap, fmt);
		pthread_mutex_lock(&print_mutex);
		vprintf(fmt, ap);
		fflush(stdout);
		pthread_mutex_unlock(&print_mutex);
		va_end(ap);
	}

	if (in_subtest) {
		/* A skipped dynamic subtest does not count for its container. */
		if (in_dynamic)
			dynamic_executed--;
		exit_subtest("SKIP");
	}

	if (with_subtests) {
		if (!in_fixture)
			internal_error("skipping is allowed only in fixtures, "
				       "subtests or igt_simple_main()\n");
		skip_henceforth = HF_SKIP;
		__igt_fixture_end();
	}

	igt_exitcode = IGT_EXIT_SKIP;
	igt_exit();
}

void __igt_skip_check(const char *file, int line, const char *func,
		      const char *check, const char *fmt, ...)
{
	int err = errno;
	char errbuf[256] = "";
	char *extra = NULL;
	va_list ap;

	if (err)
		snprintf(errbuf, sizeof(errbuf), "Last errno: %i, %s\n", err,
			 strerror(err));

	if (fmt) {
		va_start(ap, fmt);
		if (vasprintf(&extra, fmt, ap) < 0)
			extra = NULL;
		va_end(ap);
	}

	igt_skip("Test requirement not met in function %s, file %s:%i:\n"
		 "Test requirement: %s\n%s%s",
		 func, file, line, check, extra ? extra : "", errbuf);
}

static void print_backtrace(void)
{
	/* No unwinder linked in, as in IGT builds without libunwind. */
	igt_info("Stack trace: not implemented\n");
}

void __igt_fail_assert(const char *domain, const char *file, int line,
		       const char *func, const char *assertion,
		       const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	igt_log(domain, IGT_LOG_CRITICAL,
		"Test assertion failure function %s, file %s:%i:\n",
		func, file, line);
	igt_log(domain, IGT_LOG_CRITICAL, "Failed assertion: %s\n", assertion);
	if (err)
		igt_log(domain, IGT_LOG_CRITICAL, "Last errno: %i, %s\n", err,
			strerror(err));
	if (fmt) {
		va_start(ap, fmt);
		igt_vlog(domain, IGT_LOG_CRITICAL, fmt, ap);
		va_end(ap);
	}
	print_backtrace();

	igt_fail(IGT_EXIT_FAILURE);
}

void __igt_abort(const char *domain, const char *file, int line,
		 const char *func, const char *expression,
		 const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	igt_kmsg(KMSG_ERR "%s[%d]: Abort in function %s, file %s:%i, %s\n",
		 command_str, (int)getpid(), func, file, line, expression);

	igt_log(domain, IGT_LOG_CRITICAL,
		"Test abort in function %s, file %s:%i:\n", func, file, line);
	igt_log(domain, IGT_LOG_CRITICAL, "abort condition: %s\n", expression);
	if (err)
		igt_log(domain, IGT_LOG_CRITICAL, "Last errno: %i, %s\n", err,
			strerror(err));
	if (fmt) {
		va_start(ap, fmt);
		igt_vlog(domain, IGT_LOG_CRITICAL, fmt, ap);
		va_end(ap);
	}

	igt_kill_children(SIGKILL);
	print_backtrace();
	dump_log_ring();
	exit(IGT_EXIT_ABORT);
}

void igt_exit(void)
{
	if (subtest_filter && !subtest_filter_matched) {
		igt_critical("Unknown subtest: %s\n", subtest_filter);
		exit(IGT_EXIT_INVALID);
	}

	if (igt_only_list_subtests())
		exit(IGT_EXIT_SUCCESS);

	if (with_subtests && !failed_one)
		igt_exitcode = succeeded_one ? IGT_EXIT_SUCCESS : IGT_EXIT_SKIP;

	igt_kmsg(KMSG_INFO "%s: exiting, ret=%d\n", command_str, igt_exitcode);
	igt_debug("Exiting with status code %d\n", igt_exitcode);

	reap_children(SIGKILL);

	if (!with_subtests) {
		const char *result;

		switch (igt_exitcode) {
		case IGT_EXIT_SUCCESS:
			result = "SUCCESS";
			break;
		case IGT_EXIT_SKIP:
			result = "SKIP";
			break;
		default:
			result = "FAIL";
			break;
		}
		printf("%s (%.3fs)\n", result, seconds_since(&test_start));
	}

	fflush(stdout);
	fflush(stderr);
	exit(igt_exitcode);
}

/* ---- exit handlers and signals ------------------------------------- */

static void call_exit_handlers(int sig)
{
	int n = num_exit_handlers;

	/* Each handler runs once, even if a signal arrives meanwhile. */
	num_exit_handlers = 0;
	for (int i = n - 1; i >= 0; i--)
		exit_handlers[i](sig);
}

void igt_install_exit_handler(igt_exit_handler_t fn)
{
	for (int i = 0; i < num_exit_handlers; i++)
		if (exit_handlers[i] == fn)
			return;

	if (num_exit_handlers >= MAX_EXIT_HANDLERS)
		internal_error("too many exit handlers\n");

	exit_handlers[num_exit_handlers++] = fn;
}

static void atexit_handler(void)
{
	in_atexit = 1;
	call_exit_handlers(0);
}

static const struct {
	int sig;
	const char *name;	/* NULL: terminate silently */
	bool crash;		/* reported as CRASH inside a subtest */
} handled_signals[] = {
	{ SIGINT, NULL, false },
	{ SIGHUP, NULL, false },
	{ SIGPIPE, NULL, false },
	{ SIGTERM, NULL, false },
	{ SIGQUIT, "SIGQUIT", false },	/* igt_runner's timeout */
	{ SIGABRT, "SIGABRT", true },
	{ SIGSEGV, "SIGSEGV", true },
	{ SIGBUS, "SIGBUS", true },
	{ SIGFPE, "SIGFPE", true },
	{ SIGILL, "SIGILL", true },
};

static void restore_default_signals(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(handled_signals); i++)
		signal(handled_signals[i].sig, SIG_DFL);
}

static void fatal_sig_handler(int sig)
{
	for (size_t i = 0; i < ARRAY_SIZE(handled_signals); i++) {
		if (handled_signals[i].sig != sig)
			continue;

		if (handled_signals[i].name) {
			write_stderr("Received signal ");
			write_stderr(handled_signals[i].name);
			write_stderr(".\n");
		}

		if (handled_signals[i].crash && !test_child && !helper_child &&
		    !in_atexit) {
			/* Exit code 128 + signal, as a shell would report. */
			if (!failed_one)
				igt_exitcode = 128 + sig;
			failed_one = true;
			if (in_dynamic)
				dynamic_failed = true;
			if (in_subtest)
				exit_subtest("CRASH");
		}
		break;
	}

	/* Outside a subtest: clean up and die by the same signal. */
	restore_default_signals();
	call_exit_handlers(sig);
	raise(sig);
}

static void install_signal_handlers(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fatal_sig_handler;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < ARRAY_SIZE(handled_signals); i++)
		sigaction(handled_signals[i].sig, &sa, NULL);
}

/* ---- timeouts ------------------------------------------------------ */

static const char *timeout_op;

static void alarm_fail_handler(int sig)
{
	(void)sig;
	if (timeout_op)
		igt_info("Timed out: %s\n", timeout_op);
	else
		igt_info("Timed out\n");
	igt_fail(IGT_EXIT_FAILURE);
}

void igt_set_timeout(unsigned int seconds, const char *op)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = seconds ? alarm_fail_handler : SIG_DFL;
	timeout_op = op;
	if (seconds)
		sigaction(SIGALRM, &sa, NULL);
	alarm(seconds);
	if (!seconds)
		sigaction(SIGALRM, &sa, NULL);
}

void igt_reset_timeout(void)
{
	igt_set_timeout(0, NULL);
}

/* ---- forking ------------------------------------------------------- */

static void children_exit_handler(int sig)
{
	(void)sig;
	reap_children(SIGKILL);
}

static void after_fork_in_child(void)
{
	pthread_mutex_init(&log_mutex, NULL);
	pthread_mutex_init(&print_mutex, NULL);
	num_exit_handlers = 0;
	num_children = 0;
	for (int i = 0; i < MAX_HELPERS; i++)
		helper_pids[i] = -1;
}

bool __igt_fork(void)
{
	pid_t pid;

	if (with_subtests && !in_subtest)
		internal_error("forking is only allowed in subtests or "
			       "igt_simple_main()\n");
	if (test_child)
		internal_error("forking is not allowed from already forked "
			       "children\n");

	igt_install_exit_handler(children_exit_handler);

	if (num_children >= children_cap) {
		int cap = children_cap ? children_cap * 2 : 4;
		pid_t *n = realloc(children, sizeof(*children) * (size_t)cap);

		igt_assert(n);
		children = n;
		children_cap = cap;
	}

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		igt_assert_f(0, "fork() failed\n");

	if (pid == 0) {
		after_fork_in_child();
		test_child = true;
		return true;
	}

	children[num_children++] = pid;
	return false;
}

int __igt_waitchildren(void)
{
	int err = 0, done = 0;

	if (test_child)
		internal_error("igt_waitchildren() called from a child\n");

	while (done < num_children) {
		int status = -1, idx;
		pid_t pid = wait(&status);

		if (pid < 0) {
			if (errno == EINTR)
				continue;
			printf("wait(num_children:%d) failed with %s\n",
			       num_children - done, strerror(errno));
			fflush(stdout);
			num_children = 0;
			return IGT_EXIT_FAILURE;
		}

		for (idx = 0; idx < num_children; idx++)
			if (children[idx] == pid)
				break;
		if (idx == num_children)
			continue;	/* a helper, or someone else's child */

		children[idx] = -1;
		done++;

		if (err == 0 && status != 0) {
			if (WIFEXITED(status)) {
				printf("child %i failed with exit status %i\n",
				       idx, WEXITSTATUS(status));
				err = WEXITSTATUS(status);
			} else if (WIFSIGNALED(status)) {
				printf("child %i died with signal %i, %s\n",
				       idx, WTERMSIG(status),
				       strsignal(WTERMSIG(status)));
				err = 128 + WTERMSIG(status);
			} else {
				printf("Unhandled failure [%d] in child %i\n",
				       status, idx);
				err = 256;
			}
			fflush(stdout);
			igt_kill_children(SIGKILL);
		}
	}

	num_children = 0;
	return err;
}

void igt_waitchildren(void)
{
	int err = __igt_waitchildren();

	if (err == IGT_EXIT_SKIP)
		err = IGT_EXIT_FAILURE;
	if (err)
		igt_fail(err);
}

static void alarm_kill_children(int sig)
{
	(void)sig;
	igt_info("Timed out waiting for children\n");
	igt_kill_children(SIGKILL);
}

void igt_waitchildren_timeout(int seconds, const char *reason)
{
	struct sigaction sa;
	int err;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = alarm_kill_children;
	sigaction(SIGALRM, &sa, NULL);
	if (reason)
		igt_debug("Waiting for children (%s), %d s at most\n", reason,
			  seconds);
	alarm((unsigned int)seconds);

	err = __igt_waitchildren();
	igt_reset_timeout();

	if (err == IGT_EXIT_SKIP)
		err = IGT_EXIT_FAILURE;
	if (err)
		igt_fail(err);
}

static void helpers_exit_handler(int sig)
{
	(void)sig;
	for (int i = 0; i < MAX_HELPERS; i++) {
		if (helper_pids[i] > 0) {
			kill(helper_pids[i], SIGTERM);
			waitpid(helper_pids[i], NULL, 0);
			helper_pids[i] = -1;
		}
	}
}

bool __igt_fork_helper(struct igt_helper_process *proc)
{
	int id;
	pid_t pid;

	if (proc->running)
		internal_error("helper process already running\n");

	for (id = 0; id < MAX_HELPERS; id++)
		if (helper_pids[id] == -1)
			break;
	if (id == MAX_HELPERS)
		internal_error("too many helper processes\n");

	igt_install_exit_handler(helpers_exit_handler);

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		igt_assert_f(0, "fork() failed\n");

	if (pid == 0) {
		after_fork_in_child();
		helper_child = true;
		return true;
	}

	proc->running = true;
	proc->pid = pid;
	proc->id = id;
	helper_pids[id] = pid;
	return false;
}

int igt_wait_helper(struct igt_helper_process *proc)
{
	int status = -1;

	if (!proc->running)
		internal_error("waiting for a helper that isn't running\n");

	while (waitpid(proc->pid, &status, 0) < 0 && errno == EINTR)
		;
	proc->running = false;
	if (proc->id >= 0 && proc->id < MAX_HELPERS)
		helper_pids[proc->id] = -1;
	return status;
}

void igt_stop_helper(struct igt_helper_process *proc)
{
	int status;

	if (!proc->running)
		return;

	kill(proc->pid, proc->use_SIGKILL ? SIGKILL : SIGTERM);
	status = igt_wait_helper(proc);
	if (!(WIFSIGNALED(status) &&
	      WTERMSIG(status) == (proc->use_SIGKILL ? SIGKILL : SIGTERM)))
		igt_debug("Helper died too early with status=%d\n", status);
}

/* ---- initialisation and options ------------------------------------ */

enum {
	OPT_LIST_SUBTESTS = 500,
	OPT_SHOW_TESTLIST,
	OPT_DESCRIBE,
	OPT_RUN_SUBTEST,
	OPT_DYNAMIC_SUBTEST,
	OPT_HELP_DESCRIPTION,
	OPT_DEBUG,
	OPT_INTERACTIVE_DEBUG,
	OPT_SKIP_CRC,
	OPT_TRACE_OOPS,
	OPT_HOOK,
	OPT_HELP_HOOK,
	OPT_DEVICE,
	OPT_CONNECTOR,
	OPT_VERSION,
	OPT_HELP = 'h',
};

static const struct option core_options[] = {
	{ "list-subtests", no_argument, NULL, OPT_LIST_SUBTESTS },
	{ "show-testlist", no_argument, NULL, OPT_SHOW_TESTLIST },
	{ "describe", optional_argument, NULL, OPT_DESCRIBE },
	{ "run-subtest", required_argument, NULL, OPT_RUN_SUBTEST },
	{ "dynamic-subtest", required_argument, NULL, OPT_DYNAMIC_SUBTEST },
	{ "help-description", no_argument, NULL, OPT_HELP_DESCRIPTION },
	{ "debug", optional_argument, NULL, OPT_DEBUG },
	{ "interactive-debug", optional_argument, NULL, OPT_INTERACTIVE_DEBUG },
	{ "skip-crc-compare", no_argument, NULL, OPT_SKIP_CRC },
	{ "trace-on-oops", no_argument, NULL, OPT_TRACE_OOPS },
	{ "hook", required_argument, NULL, OPT_HOOK },
	{ "help-hook", no_argument, NULL, OPT_HELP_HOOK },
	{ "device", required_argument, NULL, OPT_DEVICE },
	{ "connector", required_argument, NULL, OPT_CONNECTOR },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

static void print_usage(const char *help_str, FILE *f)
{
	fprintf(f, "Usage: %s [OPTIONS]\n", command_str);
	fprintf(f,
		"  --list-subtests\n"
		"  --show-testlist\n"
		"  --run-subtest <pattern>\n"
		"  --dynamic-subtest <pattern>\n"
		"  --debug[=log-domain]\n"
		"  --interactive-debug[=domain]\n"
		"  --skip-crc-compare\n"
		"  --trace-on-oops\n"
		"  --hook [<events>:]<cmd>\n"
		"  --help-hook\n"
		"  --help-description\n"
		"  --describe\n"
		"  --device filters\n"
		"  --connector <name>\n"
		"  --version\n"
		"  --help|-h\n");
	if (help_str)
		fprintf(f, "%s\n", help_str);
	fflush(f);
}

static void print_version(void)
{
	struct utsname uts;

	if (igt_only_list_subtests())
		return;

	if (uname(&uts))
		memset(&uts, 0, sizeof(uts));

	igt_info("IGT-Version: %s-%s (%s) (%s: %s %s)\n", IGT_COMPAT_VERSION,
		 IGT_COMPAT_SHA, uts.machine, uts.sysname, uts.release,
		 uts.machine);
}

static void init_from_env(void)
{
	const char *env;

	__igt_plain_output = !isatty(STDOUT_FILENO) ||
			     getenv("IGT_PLAIN_OUTPUT") != NULL;
	errno = 0;	/* isatty() may have set ENOTTY */

	env = getenv("IGT_LOG_LEVEL");
	if (env) {
		if (!strcmp(env, "debug"))
			igt_log_level = IGT_LOG_DEBUG;
		else if (!strcmp(env, "info"))
			igt_log_level = IGT_LOG_INFO;
		else if (!strcmp(env, "warn"))
			igt_log_level = IGT_LOG_WARN;
		else if (!strcmp(env, "critical"))
			igt_log_level = IGT_LOG_CRITICAL;
		else if (!strcmp(env, "none"))
			igt_log_level = IGT_LOG_NONE;
	}

	sentinel_on_stderr = getenv("IGT_SENTINEL_ON_STDERR") != NULL;

	env = getenv("IGT_DEVICE");
	if (env && *env)
		igt_device_filter = strdup(env);
}

static void check_option_conflicts(const char *extra_short,
				   const struct option *extra_long)
{
	for (int i = 0; extra_long && extra_long[i].name; i++) {
		for (int j = 0; core_options[j].name; j++) {
			if (!strcmp(extra_long[i].name, core_options[j].name))
				internal_error("Conflicting extra long option "
					       "defined --%s\n",
					       core_options[j].name);
			if (extra_long[i].val == core_options[j].val)
				internal_error("Conflicting long option 'val' "
					       "between --%s and --%s\n",
					       extra_long[i].name,
					       core_options[j].name);
		}
	}
	for (int i = 0; extra_short && extra_short[i]; i++) {
		if (extra_short[i] == ':')
			continue;
		if (extra_short[i] == 'h')
			internal_error("Conflicting short option: -h\n");
	}
}

static void oom_adjust_for_doom(void)
{
	int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);

	if (fd >= 0) {
		igt_ignore_warn(write(fd, "1000", 4) == 4);
		close(fd);
	}
}

static int common_init(int *argc, char **argv, const char *extra_short,
		       const struct option *extra_long, const char *help_str,
		       igt_opt_handler_t handler, void *handler_data)
{
	size_t n_extra = 0, n_core = ARRAY_SIZE(core_options);
	struct option *all;
	char *short_opts;
	int c, idx = 0, ret = 0;

	init_from_env();

	if (argv[0]) {
		const char *slash = strrchr(argv[0], '/');

		command_str = slash ? slash + 1 : argv[0];
	}

	check_option_conflicts(extra_short, extra_long);

	while (extra_long && extra_long[n_extra].name)
		n_extra++;
	all = calloc(n_extra + n_core, sizeof(*all));
	if (asprintf(&short_opts, "%sh", extra_short ? extra_short : "") < 0)
		short_opts = NULL;
	if (!all || !short_opts)
		internal_error("out of memory\n");
	if (n_extra)
		memcpy(all, extra_long, n_extra * sizeof(*all));
	memcpy(all + n_extra, core_options, n_core * sizeof(*all));

	while ((c = getopt_long(*argc, argv, short_opts, all, &idx)) != -1) {
		switch (c) {
		case OPT_LIST_SUBTESTS:
			if (!subtest_filter)
				list_subtests = true;
			break;
		case OPT_SHOW_TESTLIST:
			show_testlist = true;
			break;
		case OPT_DESCRIBE:
			if (optarg)
				subtest_filter = strdup(optarg);
			list_subtests = true;
			describe_subtests = true;
			print_test_description();
			break;
		case OPT_RUN_SUBTEST:
			if (!igt_only_list_subtests())
				subtest_filter = strdup(optarg);
			break;
		case OPT_DYNAMIC_SUBTEST:
			if (!igt_only_list_subtests())
				dynamic_filter = strdup(optarg);
			break;
		case OPT_HELP_DESCRIPTION:
			print_test_description();
			ret = -1;
			goto out;
		case OPT_DEBUG:
			igt_log_level = IGT_LOG_DEBUG;
			if (optarg && *optarg)
				log_domain_filter = strdup(optarg);
			break;
		case OPT_INTERACTIVE_DEBUG:
		case OPT_SKIP_CRC:
		case OPT_TRACE_OOPS:
		case OPT_CONNECTOR:
			break;	/* accepted, no effect here */
		case OPT_HOOK:
			break;	/* accepted, hooks are not implemented */
		case OPT_HELP_HOOK:
			printf("--hook is accepted but ignored by this IGT "
			       "compatibility layer\n");
			ret = -1;
			goto out;
		case OPT_DEVICE:
			free(igt_device_filter);
			igt_device_filter = strdup(optarg);
			break;
		case OPT_VERSION:
			print_version();
			ret = -1;
			goto out;
		case OPT_HELP:
			print_usage(help_str, stdout);
			ret = -1;
			goto out;
		case '?':
		case ':':
			print_usage(help_str, stderr);
			ret = -2;
			goto out;
		default:
			ret = handler ? handler(c, idx, handler_data) :
					IGT_OPT_HANDLER_ERROR;
			if (ret)
				goto out;
			break;
		}
	}

out:
	free(short_opts);
	free(all);

	/* A test without subtests can't list or run any. */
	if (!with_subtests) {
		if (subtest_filter) {
			igt_warn("Unknown subtest: %s\n", subtest_filter);
			exit(IGT_EXIT_INVALID);
		}
		if (show_testlist) {
			printf("igt@%s\n", command_str);
			exit(IGT_EXIT_SUCCESS);
		}
		if (list_subtests)
			exit(IGT_EXIT_INVALID);
	}

	if (ret < 0) {
		fflush(stdout);
		exit(ret == -1 ? IGT_EXIT_SUCCESS : IGT_EXIT_INVALID);
	}

	if (!igt_only_list_subtests()) {
		const char *seed_env = getenv("IGT_SRANDOM");
		int seed = seed_env ? atoi(seed_env) : (int)time(NULL);

		igt_kmsg(KMSG_INFO "%s: executing\n", command_str);
		print_version();
		srandom((unsigned int)seed);
		igt_info("Using IGT_SRANDOM=%d for randomisation\n", seed);
		oom_adjust_for_doom();
	}

	install_signal_handlers();
	atexit(atexit_handler);

	igt_gettime(&test_start);

	/* Hand the non-option arguments back to the test. */
	for (int i = 0; optind + i < *argc; i++)
		argv[i + 1] = argv[optind + i];
	*argc = *argc - optind + 1;

	return ret;
}

int igt_subtest_init_parse_opts(int *argc, char **argv,
				const char *extra_short_opts,
				const struct option *extra_long_opts,
				const char *help_str,
				igt_opt_handler_t extra_opt_handler,
				void *handler_data)
{
	with_subtests = true;
	return common_init(argc, argv, extra_short_opts, extra_long_opts,
			   help_str, extra_opt_handler, handler_data);
}

void igt_simple_init_parse_opts(int *argc, char **argv,
				const char *extra_short_opts,
				const struct option *extra_long_opts,
				const char *help_str,
				igt_opt_handler_t extra_opt_handler,
				void *handler_data)
{
	with_subtests = false;
	common_init(argc, argv, extra_short_opts, extra_long_opts, help_str,
		    extra_opt_handler, handler_data);
}
