// SPDX-License-Identifier: MIT
/*
 * Copyright © 2026 The drm-svm authors
 *
 * vsvm_fuzz: the project's own seeded fuzzer of the vsvm uAPI. A supervisor
 * forks worker processes (some without capabilities), each runs threads
 * that pick ops by weight with their own random stream, on two vsvm
 * devices. The supervisor's watchdog reports a call stuck for more than
 * FUZZ_HANG_SECONDS with the kernel stacks of the stuck task. See
 * docs/fuzzing.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fuzz.h"

struct fuzz_config cfg = {
	.seed = 1, .calls = 10000, .procs = 2, .threads = 2, .unpriv = 1,
};
struct fuzz_shared *shm;

/* name, function, weight, may run in a forked child */
const struct fuzz_op fuzz_ops[] = {
	{ "get_param", op_get_param, 2, true },
	{ "gem_create", op_gem_create, 8, true },
	{ "gem_mmap", op_gem_mmap, 4, true },
	{ "gem_migrate", op_gem_migrate, 8, true },
	{ "gem_residency", op_gem_residency, 3, true },
	{ "gem_access", op_gem_access, 5, true },
	{ "gem_close", op_gem_close, 4, true },
	{ "prime_export", op_prime_export, 3, true },
	{ "prime_import", op_prime_import, 3, true },
	{ "dmabuf_mmap", op_dmabuf_mmap, 2, true },
	{ "svm_access", op_svm_access, 6, true },
	{ "svm_snapshot", op_svm_snapshot, 3, true },
	{ "svm_migrate", op_svm_migrate, 7, true },
	{ "svm_madvise", op_svm_madvise, 4, true },
	{ "svm_prefetch", op_svm_prefetch, 5, true },
	{ "svm_ranges", op_svm_ranges, 3, true },
	{ "vm_create", op_vm_create, 3, true },
	{ "vm_destroy", op_vm_destroy, 2, true },
	{ "vm_bind", op_vm_bind, 6, true },
	{ "exec", op_exec, 8, true },
	{ "vm_query", op_vm_query, 2, true },
	{ "syncobj", op_syncobj, 4, true },
	{ "mmap", op_mmap, 6, true },
	{ "munmap", op_munmap, 4, true },
	{ "mremap", op_mremap, 2, true },
	{ "madvise", op_madvise, 4, true },
	{ "mprotect", op_mprotect, 2, true },
	{ "cpu_touch", op_cpu_touch, 8, true },
	{ "fork", op_fork, 1, false },
	{ "fd", op_fd, 1, true },
	{ "track", op_track, 10, false },
};
const unsigned int fuzz_nops = sizeof(fuzz_ops) / sizeof(fuzz_ops[0]);

static __thread struct fuzz_thread *cur_thread;
static struct fuzz_proc *cur_proc;

/* splitmix64: one stream per (seed, process, thread). */
uint64_t rnd(struct fuzz_thread *t)
{
	uint64_t z = (t->rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint64_t rnd_below(struct fuzz_thread *t, uint64_t n)
{
	return n ? rnd(t) % n : 0;
}

bool rnd_pct(struct fuzz_thread *t, unsigned int pct)
{
	return rnd_below(t, 100) < pct;
}

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

bool fz_stopping(struct fuzz_thread *t)
{
	return atomic_load(&shm->stop) || t->done >= t->budget;
}

void fz_count(struct fuzz_thread *t, int err)
{
	atomic_fetch_add(&shm->calls, 1);
	atomic_fetch_add(&shm->errs[err < FUZZ_MAX_ERRNO ? err : 0], 1);
	t->done++;
	atomic_store(&shm->beat[t->slot].ns, now_ns());
}

void fz_note(struct fuzz_thread *t, const char *fmt, ...)
{
	struct fuzz_beat *b = &shm->beat[t->slot];
	unsigned int i = atomic_fetch_add(&b->log_next, 1) % FUZZ_LOG_LINES;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b->log[i], FUZZ_LOG_LEN, fmt, ap);
	va_end(ap);
	if (cfg.verbose)
		fprintf(stderr, "[%u] %s\n", t->slot, b->log[i]);
}

/* A finding of the fuzzer itself: counted, the first few kept. */
void fz_fail(struct fuzz_thread *t, const char *fmt, ...)
{
	int n = atomic_fetch_add(&shm->nfail_msgs, 1);
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	atomic_fetch_add(&shm->failures, 1);
	fprintf(stderr, "fuzz: FAIL slot %u pid %d op %s: %s\n", t->slot,
		getpid(), fuzz_ops[t->op].name, msg);
	if (n < 8)
		snprintf(shm->fail_msgs[n], 256, "slot %u op %s: %.200s", t->slot,
			 fuzz_ops[t->op].name, msg);
}

/*
 * One ioctl, counted. EINTR/EAGAIN are retried a few times as libdrm does.
 * Returns 0 or -errno; a success of a call whose arguments were marked
 * surely invalid (fz_set_mut) is a finding.
 */
int fz_ioctl(struct fuzz_thread *t, int fd, unsigned long req, void *arg)
{
	int ret, err, tries = 0;

	atomic_store(&shm->beat[t->slot].ns, now_ns());
	do {
		ret = ioctl(fd, req, arg);
		err = ret ? errno : 0;
	} while ((err == EINTR || err == EAGAIN) && ++tries < 20);
	fz_count(t, err);
	fz_note(t, "%s fd %d nr 0x%02lx %s -> %d", fuzz_ops[t->op].name, fd,
		(req & 0xff) - DRM_COMMAND_BASE, t->mut ? t->mut : "", -err);
	if (!err && t->invalid)
		fz_fail(t, "ioctl 0x%lx succeeded with invalid arguments (%s)",
			req, t->mut);
	t->mut = NULL;
	t->invalid = false;
	return -err;
}

void fz_set_mut(struct fuzz_thread *t, const char *mut, bool invalid)
{
	t->mut = mut;
	t->invalid = invalid;
}

/* Deliberately bad CPU accesses land here (fault_ok); others kill us. */
static void fz_fault_handler(int sig, siginfo_t *si, void *uc)
{
	struct fuzz_thread *t = cur_thread;
	char msg[160];
	int n;

	if (t && t->fault_ok) {
		t->fault_ok = 0;
		siglongjmp(t->jmp, 1);
	}
	n = snprintf(msg, sizeof(msg),
		     "fuzz: unexpected signal %d at %p in pid %d slot %d\n",
		     sig, si->si_addr, getpid(), t ? (int)t->slot : -1);
	if (write(2, msg, n) < 0)
		_exit(3);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Read or write [p, p + size) page by page; a fault ends it quietly. */
void fz_cpu_access(struct fuzz_thread *t, char *p, size_t size, bool write)
{
	volatile char *v = p;
	size_t off;

	if (sigsetjmp(t->jmp, 1)) {
		atomic_fetch_add(&shm->faults_caught, 1);
		return;
	}
	t->fault_ok = 1;
	for (off = 0; off < size; off += FUZZ_PAGE) {
		if (write)
			v[off] = (char)off;
		else
			(void)v[off];
	}
	t->fault_ok = 0;
}

static void install_handlers(void)
{
	struct sigaction sa = { .sa_sigaction = fz_fault_handler,
				.sa_flags = SA_SIGINFO | SA_NODEFER };

	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static bool op_enabled(const struct fuzz_op *op, bool child)
{
	char buf[512], *tok, *save;

	if (child && !op->child_ok)
		return false;
	if (op->fn == op_fork && (cfg.avoid & AVOID_FORK))
		return false;
	if (!cfg.only)
		return true;
	snprintf(buf, sizeof(buf), "%s", cfg.only);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save))
		if (!strcmp(tok, op->name))
			return true;
	return false;
}

static int pick_op(struct fuzz_thread *t)
{
	unsigned int i, total = 0;
	uint64_t r;

	for (i = 0; i < fuzz_nops; i++)
		if (op_enabled(&fuzz_ops[i], t->proc->child))
			total += fuzz_ops[i].weight;
	r = rnd_below(t, total);
	for (i = 0; i < fuzz_nops; i++) {
		if (!op_enabled(&fuzz_ops[i], t->proc->child))
			continue;
		if (r < fuzz_ops[i].weight)
			return i;
		r -= fuzz_ops[i].weight;
	}
	return 0;
}

/* The op loop of a thread (or of a forked child). */
void fz_run(struct fuzz_thread *t)
{
	struct fuzz_beat *b = &shm->beat[t->slot];

	cur_thread = t;
	while (!fz_stopping(t)) {
		uint64_t before = t->done;

		t->op = pick_op(t);
		atomic_store(&b->op, t->op);
		atomic_store(&b->ns, now_ns());
		atomic_store(&b->busy, 1);
		fuzz_ops[t->op].fn(t);
		atomic_store(&b->busy, 0);
		atomic_fetch_add(&shm->op_calls[t->op], 1);
		if (t->done == before)
			fz_count(t, 0);	/* an op that made no call still counts */
	}
}

/* The @dev-th vsvm render node, opened, or -1. */
int fz_open_dev(int dev)
{
	return dev < cfg.ndev ? open(cfg.dev[dev], O_RDWR | O_CLOEXEC) : -1;
}

static void fz_atfork_prepare(void)
{
	if (cur_proc)
		pthread_mutex_lock(&cur_proc->lock);
}

static void fz_atfork_release(void)
{
	if (cur_proc)
		pthread_mutex_unlock(&cur_proc->lock);
}

void fz_proc_init(struct fuzz_proc *p, unsigned int index, bool priv)
{
	int i;

	memset(p, 0, sizeof(*p));
	pthread_mutex_init(&p->lock, NULL);
	p->index = index;
	p->priv = priv;
	for (i = 0; i < FUZZ_FILES; i++)
		p->files[i].fd = -1;
	for (i = 0; i < FUZZ_BOS; i++)
		p->bos[i].file = -1;
	for (i = 0; i < FUZZ_VMS; i++)
		p->vms[i].file = -1;
	for (i = 0; i < FUZZ_SYNCS; i++)
		p->syncs[i].file = -1;
	for (i = 0; i < FUZZ_DMABUFS; i++)
		p->dmabufs[i].fd = -1;
	cur_proc = p;
}

static void *thread_main(void *arg)
{
	struct fuzz_thread *t = arg;
	struct fuzz_beat *b = &shm->beat[t->slot];
	char name[16];

	snprintf(name, sizeof(name), "fuzz-p%ut%u",
		 (unsigned char)t->proc->index,
		 (unsigned char)(t->slot % cfg.threads));
	prctl(PR_SET_NAME, name);
	atomic_store(&b->pid, getpid());
	atomic_store(&b->tid, (pid_t)syscall(SYS_gettid));
	fz_run(t);
	track_fini(t);
	return NULL;
}

static int drop_caps(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct caps[2] = { 0 };

	return syscall(SYS_capset, &hdr, caps);
}

static void worker_open_files(struct fuzz_thread *t)
{
	int dev, i;

	for (dev = 0; dev < cfg.ndev; dev++)
		for (i = 0; i < 2; i++) {
			int fd = fz_open_dev(dev);

			if (fd >= 0)
				add_file(t, fd, dev);
		}
}

/* A worker process: its threads share its resources. */
static int worker(unsigned int index, bool priv)
{
	static struct fuzz_proc proc;
	struct fuzz_thread *th = calloc(cfg.threads, sizeof(*th));
	pthread_t *tid = calloc(cfg.threads, sizeof(*tid));
	uint64_t per = cfg.calls / ((uint64_t)cfg.procs * cfg.threads) + 1;
	unsigned int i;

	if (!th || !tid || (!priv && drop_caps()))
		return 2;
	fz_proc_init(&proc, index, priv);
	pthread_atfork(fz_atfork_prepare, fz_atfork_release,
		       fz_atfork_release);
	for (i = 0; i < cfg.threads; i++) {
		th[i].proc = &proc;
		th[i].slot = index * cfg.threads + i;
		th[i].rng = cfg.seed * 0x100000001b3ull + (index << 16) + i;
		th[i].budget = per;
	}
	/*
	 * Tracked buffers and their files first: no number of a file or
	 * address of a mapping that a thread closes later can be theirs.
	 */
	for (i = 0; i < cfg.threads; i++)
		if (track_init(&th[i]))
			fz_fail(&th[i], "tracked buffers: setup failed");
	worker_open_files(&th[0]);
	for (i = 0; i < cfg.threads; i++)
		if (pthread_create(&tid[i], NULL, thread_main, &th[i]))
			return 2;
	for (i = 0; i < cfg.threads; i++)
		pthread_join(tid[i], NULL);
	return 0;
}

static void print_stack(const char *what, pid_t pid, pid_t tid)
{
	char path[64], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stack", pid, tid);
	f = fopen(path, "r");
	fprintf(stderr, "fuzz: kernel stack of %s %d/%d:\n", what, pid, tid);
	while (f && fgets(line, sizeof(line), f))
		fprintf(stderr, "  %s", line);
	if (f)
		fclose(f);
}

static void print_last_calls(struct fuzz_beat *b)
{
	unsigned int n = atomic_load(&b->log_next), i;

	for (i = n > FUZZ_LOG_LINES ? n - FUZZ_LOG_LINES : 0; i < n; i++)
		fprintf(stderr, "  call: %s\n", b->log[i % FUZZ_LOG_LINES]);
}

/* Whether SIGKILL ends the stuck worker within 30 s. */
static void report_killable(pid_t pid)
{
	int i, status;

	kill(pid, SIGKILL);
	for (i = 0; i < 300; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid) {
			fprintf(stderr, "fuzz: the stuck worker was killable (%d.%d s)\n",
				i / 10, i % 10);
			return;
		}
		usleep(100000);
	}
	fprintf(stderr, "fuzz: the stuck worker did not die of SIGKILL in 30 s\n");
	print_stack("worker", pid, pid);
}

/* A call stuck for too long: report the task's stacks and fail. */
static bool report_hang(unsigned int slot, struct fuzz_beat *b)
{
	pid_t child = atomic_load(&b->child);
	int fd = open("/proc/sysrq-trigger", O_WRONLY);

	fprintf(stderr, "fuzz: FAIL: slot %u stuck in %s for more than %d s\n",
		slot, fuzz_ops[atomic_load(&b->op)].name, FUZZ_HANG_SECONDS);
	print_stack("thread", atomic_load(&b->pid), atomic_load(&b->tid));
	if (child > 0)
		print_stack("child", child, child);
	print_last_calls(b);
	if (fd >= 0 && write(fd, "w", 1) < 0)
		perror("sysrq");
	if (fd >= 0)
		close(fd);
	report_killable(atomic_load(&b->pid));
	atomic_fetch_add(&shm->failures, 1);
	return true;
}

static bool watchdog(void)
{
	uint64_t limit = FUZZ_HANG_SECONDS * 1000000000ull, now = now_ns();
	unsigned int i;

	for (i = 0; i < cfg.procs * cfg.threads; i++) {
		struct fuzz_beat *b = &shm->beat[i];
		uint64_t ns = atomic_load(&b->ns);

		/* a beat newer than our clock reading is no hang */
		if (atomic_load(&b->busy) && ns < now && now - ns > limit)
			return report_hang(i, b);
	}
	return false;
}

static void reap_worker(pid_t *pids, pid_t pid, int status)
{
	unsigned int i;

	for (i = 0; i < cfg.procs; i++)
		if (pids[i] == pid)
			pids[i] = 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return;
	fprintf(stderr, "fuzz: FAIL: worker %d ended with %s %d\n", pid,
		WIFSIGNALED(status) ? "signal" : "status",
		WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
	atomic_fetch_add(&shm->failures, 1);
}

/* Wait for the workers; stop them at the deadline or on a hang. */
static void supervise(pid_t *pids, unsigned int alive)
{
	uint64_t end = cfg.duration ? now_ns() +
		cfg.duration * 1000000000ull : 0;
	int status;
	pid_t pid;

	while (alive) {
		pid = waitpid(-1, &status, WNOHANG);
		if (pid > 0) {
			reap_worker(pids, pid, status);
			alive--;
			continue;
		}
		if (end && now_ns() > end)
			atomic_store(&shm->stop, 1);
		if (watchdog())
			break;
		usleep(200000);
	}
}

static void print_summary(void)
{
	uint64_t n;
	int e;

	printf("fuzz: calls=%llu errors_by_errno=",
	       (unsigned long long)atomic_load(&shm->calls));
	for (e = 1; e < FUZZ_MAX_ERRNO; e++) {
		n = atomic_load(&shm->errs[e]);
		if (n)
			printf("%s:%llu,", strerrorname_np(e) ?: "?",
			       (unsigned long long)n);
	}
	printf("OK:%llu seed=%llu\n",
	       (unsigned long long)atomic_load(&shm->errs[0]),
	       (unsigned long long)cfg.seed);
	printf("fuzz: children=%llu killed=%llu faults_caught=%llu checks=%llu failures=%llu\n",
	       (unsigned long long)atomic_load(&shm->children),
	       (unsigned long long)atomic_load(&shm->kills),
	       (unsigned long long)atomic_load(&shm->faults_caught),
	       (unsigned long long)atomic_load(&shm->checks),
	       (unsigned long long)atomic_load(&shm->failures));
}

static void print_ops(void)
{
	unsigned int i;

	printf("fuzz: ops");
	for (i = 0; i < fuzz_nops; i++)
		printf(" %s=%llu", fuzz_ops[i].name, (unsigned long long)
		       atomic_load(&shm->op_calls[i]));
	printf("\n");
	for (i = 0; i < 8 && i < (unsigned int)atomic_load(&shm->nfail_msgs);
	     i++)
		printf("fuzz: failure: %s\n", shm->fail_msgs[i]);
}

static const char *const avoid_names[] = {
	"evict-all", "huge-import", "huge-populate", "prime-export", "fork",
	"kill", "vm-id0", "vram-thrash", "wild-migrate",
};

static int parse_avoid(const char *list)
{
	char buf[256], *tok, *save;
	unsigned int i;

	snprintf(buf, sizeof(buf), "%s", list);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < sizeof(avoid_names) / sizeof(*avoid_names); i++)
			if (!strcmp(tok, avoid_names[i]))
				break;
		if (i == sizeof(avoid_names) / sizeof(*avoid_names))
			return -1;
		cfg.avoid |= 1u << i;
	}
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: vsvm_fuzz [--seed N] [--calls N] [--procs P] [--threads T]\n"
		"                 [--duration S] [--unpriv K] [--avoid=LIST]\n"
		"                 [--only=OPS] [--list-ops] [--verbose]\n"
		"avoid: evict-all,huge-import,huge-populate,prime-export,fork,kill,vm-id0,\n"
		"       vram-thrash,wild-migrate\n");
}

static int parse_args(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seed", 1, 0, 's' }, { "calls", 1, 0, 'c' },
		{ "procs", 1, 0, 'p' }, { "threads", 1, 0, 't' },
		{ "duration", 1, 0, 'd' }, { "unpriv", 1, 0, 'u' },
		{ "avoid", 1, 0, 'a' }, { "only", 1, 0, 'o' },
		{ "verbose", 0, 0, 'v' }, { "list-ops", 0, 0, 'l' },
		{ 0, 0, 0, 0 },
	};
	int c;

	cfg.unpriv = ~0u;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's': cfg.seed = strtoull(optarg, NULL, 0); break;
		case 'c': cfg.calls = strtoull(optarg, NULL, 0); break;
		case 'p': cfg.procs = atoi(optarg); break;
		case 't': cfg.threads = atoi(optarg); break;
		case 'd': cfg.duration = atoi(optarg); break;
		case 'u': cfg.unpriv = atoi(optarg); break;
		case 'a': if (parse_avoid(optarg)) return -1; break;
		case 'o': cfg.only = optarg; break;
		case 'v': cfg.verbose = true; break;
		case 'l': return 1;
		default: return -1;
		}
	}
	return 0;
}

static bool check_args(void)
{
	if (!cfg.procs || !cfg.threads || !cfg.calls ||
	    cfg.procs * cfg.threads > FUZZ_MAX_SLOTS)
		return false;
	if (cfg.unpriv == ~0u)
		cfg.unpriv = cfg.procs > 1;
	return cfg.unpriv <= cfg.procs;
}

/* The vsvm render nodes in minor order, at most FUZZ_MAX_DEVS. */
static void find_devices(void)
{
	char path[32], name[32];
	int minor, fd;

	for (minor = 128; minor < 192 && cfg.ndev < FUZZ_MAX_DEVS; minor++) {
		struct drm_version v = { .name = name,
					 .name_len = sizeof(name) - 1 };

		snprintf(path, sizeof(path), "/dev/dri/renderD%d", minor);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		memset(name, 0, sizeof(name));
		if (!ioctl(fd, DRM_IOCTL_VERSION, &v) && !strcmp(name, "vsvm"))
			snprintf(cfg.dev[cfg.ndev++], sizeof(cfg.dev[0]), "%s",
				 path);
		close(fd);
	}
}

static void read_test_ioctls(void)
{
	FILE *f = fopen("/sys/module/vsvm/parameters/test_ioctls", "r");
	int c = f ? fgetc(f) : 'N';

	cfg.test_ioctls = c == 'Y';
	if (f)
		fclose(f);
}

/* A line in the kernel log: reports after it belong to this run. */
static void kmsg(const char *what)
{
	char line[160];
	int fd = open("/dev/kmsg", O_WRONLY), n;

	n = snprintf(line, sizeof(line),
		     "vsvm_fuzz: %s seed=%llu calls=%llu procs=%u threads=%u avoid=0x%x\n",
		     what, (unsigned long long)cfg.seed,
		     (unsigned long long)cfg.calls, cfg.procs, cfg.threads,
		     cfg.avoid);
	if (fd >= 0 && write(fd, line, n) < 0)
		perror("kmsg");
	if (fd >= 0)
		close(fd);
}

static void list_ops(void)
{
	unsigned int i;

	for (i = 0; i < fuzz_nops; i++)
		printf("%s\n", fuzz_ops[i].name);
}

static int start_workers(pid_t *pids)
{
	unsigned int i;

	for (i = 0; i < cfg.procs; i++) {
		/* the last cfg.unpriv workers drop their capabilities */
		bool priv = i < cfg.procs - cfg.unpriv;

		pids[i] = fork();
		if (pids[i] < 0)
			return -1;
		if (!pids[i])
			_exit(worker(i, priv));
	}
	return 0;
}

int main(int argc, char **argv)
{
	pid_t pids[FUZZ_MAX_SLOTS] = { 0 };
	int ret = parse_args(argc, argv);
	uint64_t start = now_ns();

	if (ret > 0)
		return list_ops(), 0;
	if (ret < 0 || !check_args())
		return usage(), 2;
	find_devices();
	read_test_ioctls();
	if (!cfg.ndev)
		return fprintf(stderr, "fuzz: no vsvm device\n"), 2;
	shm = mmap(NULL, sizeof(*shm), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shm == MAP_FAILED)
		return perror("mmap"), 2;
	install_handlers();
	printf("fuzz: seed=%llu calls=%llu procs=%u threads=%u unpriv=%u devices=%d test_ioctls=%d avoid=0x%x\n",
	       (unsigned long long)cfg.seed, (unsigned long long)cfg.calls,
	       cfg.procs, cfg.threads, cfg.unpriv, cfg.ndev, cfg.test_ioctls,
	       cfg.avoid);
	fflush(stdout);
	kmsg("start");
	if (start_workers(pids))
		atomic_fetch_add(&shm->failures, 1);
	supervise(pids, cfg.procs);
	kmsg("end");
	for (unsigned int i = 0; i < cfg.procs; i++)
		if (pids[i] > 0)
			kill(pids[i], SIGKILL);
	print_summary();
	print_ops();
	printf("fuzz: %.1f s\n", (now_ns() - start) / 1e9);
	return atomic_load(&shm->failures) ? 1 : 0;
}
