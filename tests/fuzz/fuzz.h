/* SPDX-License-Identifier: MIT */
/*
 * Copyright © 2026 The drm-svm authors
 *
 * vsvm_fuzz: a seeded, uAPI-aware fuzzer of the vsvm ioctls (see
 * docs/fuzzing.md). Shared declarations of its parts.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <drm.h>
#include "vsvm_drm.h"

#define FUZZ_PAGE		4096ull
#define FUZZ_MAX_DEVS		2
#define FUZZ_MAX_SLOTS		64	/* worker threads of all processes */
#define FUZZ_MAX_ERRNO		140
#define FUZZ_HANG_SECONDS	60
#define FUZZ_LOG_LINES		16	/* last calls kept per thread */
#define FUZZ_LOG_LEN		112
#define FUZZ_SCRATCH		(4ull << 20)
#define FUZZ_SMALL_MOVE		(8ull << 20)	/* AVOID_VRAM_THRASH's limit */

/* Patterns --avoid=NAME leaves out (known open kernel issues). */
enum fuzz_avoid {
	AVOID_EVICT_ALL = 1u << 0,	/* SVM_MIGRATE EVICT_ALL */
	AVOID_HUGE_IMPORT = 1u << 1,	/* PRIME import of huge objects */
	AVOID_HUGE_POPULATE = 1u << 2,	/* whole-object ops on huge objects */
	AVOID_PRIME_EXPORT = 1u << 3,	/* PRIME export while in use */
	AVOID_FORK = 1u << 4,		/* fork children */
	AVOID_KILL = 1u << 5,		/* SIGKILL of children */
	AVOID_VM_ID0 = 1u << 6,		/* VM_DESTROY of vm_id 0 */
	AVOID_VRAM_THRASH = 1u << 7,	/* big VRAM moves that evict each other */
	AVOID_WILD_MIGRATE = 1u << 8,	/* migrations beyond the table's maps */
};

struct fuzz_config {
	uint64_t seed;
	uint64_t calls;		/* total budget */
	unsigned int duration;	/* seconds, 0: no limit */
	unsigned int procs;
	unsigned int threads;
	unsigned int unpriv;	/* worker processes without capabilities */
	unsigned int avoid;	/* enum fuzz_avoid bits */
	int ndev;
	char dev[FUZZ_MAX_DEVS][32];
	bool test_ioctls;	/* vsvm loaded with test_ioctls=1 */
	bool verbose;
	const char *only;	/* comma-separated op names, or NULL */
};

extern struct fuzz_config cfg;

/* Liveness of one worker thread, read by the supervisor's watchdog. */
struct fuzz_beat {
	_Atomic uint64_t ns;	/* CLOCK_MONOTONIC of the last call start */
	_Atomic int busy;	/* in a call */
	_Atomic pid_t pid, tid, child;
	_Atomic int op;
	_Atomic unsigned int log_next;
	char log[FUZZ_LOG_LINES][FUZZ_LOG_LEN];
};

/* Counters of all processes (a MAP_SHARED page set). */
struct fuzz_shared {
	_Atomic uint64_t calls;
	_Atomic uint64_t errs[FUZZ_MAX_ERRNO];	/* [0]: successes */
	_Atomic uint64_t op_calls[64];
	_Atomic uint64_t failures;
	_Atomic uint64_t children, kills, faults_caught, checks;
	_Atomic int stop;
	_Atomic int nfail_msgs;
	char fail_msgs[8][256];
	struct fuzz_beat beat[FUZZ_MAX_SLOTS];
};

extern struct fuzz_shared *shm;

/* Resources of one process, shared by its threads (proc->lock). */
#define FUZZ_FILES	8
#define FUZZ_BOS	48
#define FUZZ_VMS	12
#define FUZZ_SYNCS	16
#define FUZZ_MAPS	32
#define FUZZ_DMABUFS	8

struct fuzz_file { int fd; int dev; };
struct fuzz_bo {
	int file;		/* index in files[], -1: free slot */
	uint32_t handle;
	uint64_t size;
	uint32_t placements;
	bool imported;
};
struct fuzz_vm { int file; uint32_t id; bool fault_mode; };
struct fuzz_sync { int file; uint32_t handle; };
struct fuzz_map {
	char *addr;		/* NULL: free slot */
	size_t size;
	bool shared;		/* MAP_SHARED anon */
	bool gem;		/* a GEM object's mapping */
};
struct fuzz_dmabuf { int fd; int dev; uint64_t size; };

struct fuzz_proc {
	pthread_mutex_t lock;
	unsigned int index;
	bool priv;		/* has CAP_SYS_ADMIN */
	bool child;		/* a forked child fuzzing briefly */
	struct fuzz_file files[FUZZ_FILES];
	struct fuzz_bo bos[FUZZ_BOS];
	struct fuzz_vm vms[FUZZ_VMS];
	struct fuzz_sync syncs[FUZZ_SYNCS];
	struct fuzz_map maps[FUZZ_MAPS];
	struct fuzz_dmabuf dmabufs[FUZZ_DMABUFS];
	/* tracked regions of every thread: writes must stay out */
	struct { uintptr_t start, end; } tracked[FUZZ_MAX_SLOTS];
	unsigned int ntracked;
};

/* A thread's buffers with a shadow copy (fuzz_track.c). */
struct fuzz_track {
	char *res;		/* PROT_NONE reservation holding the buffers */
	size_t res_size;
	int fd[FUZZ_MAX_DEVS];	/* private files */
	char *svm;		/* SVM buffer */
	char *svm_shadow;
	size_t svm_size;
	uint32_t fvm;		/* fault-mode VM on fd[0] */
	uint32_t sync;		/* syncobj on fd[0] */
	uint64_t *result;	/* 8-byte exec result slot in the reservation */
	char *rbuf;		/* device reads land here, nothing else writes */
	char *rbuf2;		/* one page for re-reads after a finding */
	uint32_t bo;		/* GEM object on fd[0], 0: none */
	char *bo_map;
	char *bo_shadow;
	size_t bo_size;
	uint32_t bo_placements;
	uint32_t bo_import;	/* its PRIME import on fd[1], 0: none */
	int dmabuf;		/* its dma-buf, exported before fuzzing */
};

struct fuzz_thread {
	struct fuzz_proc *proc;
	uint64_t rng;
	unsigned int slot;	/* index in shm->beat */
	uint64_t budget;
	uint64_t done;
	int op;			/* current op */
	const char *mut;	/* mutation of the current call, or NULL */
	bool invalid;		/* the call's arguments are surely invalid */
	sigjmp_buf jmp;
	volatile sig_atomic_t fault_ok;
	char *scratch;		/* FUZZ_SCRATCH bytes for ioctl buffers; device
			 * writes (EXEC CHECKSUM results) may land late */
	struct fuzz_track track;
};

/* rng.c-like helpers (vsvm_fuzz.c) */
uint64_t rnd(struct fuzz_thread *t);
uint64_t rnd_below(struct fuzz_thread *t, uint64_t n);
bool rnd_pct(struct fuzz_thread *t, unsigned int pct);
uint64_t now_ns(void);

/* Calls and checks (vsvm_fuzz.c) */
int fz_ioctl(struct fuzz_thread *t, int fd, unsigned long req, void *arg);
void fz_note(struct fuzz_thread *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void fz_fail(struct fuzz_thread *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void fz_count(struct fuzz_thread *t, int err);
bool fz_stopping(struct fuzz_thread *t);
void fz_run(struct fuzz_thread *t);
void fz_proc_init(struct fuzz_proc *p, unsigned int index, bool priv);
int fz_open_dev(int dev);

/* Argument values (fuzz_res.c) */
uint64_t mut_size(struct fuzz_thread *t, uint64_t real);
uint64_t mut_u64(struct fuzz_thread *t);
uint32_t mut_pad(struct fuzz_thread *t);
uint64_t mut_ptr(struct fuzz_thread *t, void *good);
void fz_set_mut(struct fuzz_thread *t, const char *mut, bool invalid);

/* Resource tables (fuzz_res.c); pick_* return an index or -1. */
int pick_file(struct fuzz_thread *t, int *fd, int *dev);
int pick_bo(struct fuzz_thread *t, struct fuzz_bo *out, int *fd);
int pick_vm(struct fuzz_thread *t, struct fuzz_vm *out, int *fd);
int pick_sync(struct fuzz_thread *t, int fd, uint32_t *handle);
int pick_map(struct fuzz_thread *t, struct fuzz_map *out);
int pick_dmabuf(struct fuzz_thread *t, struct fuzz_dmabuf *out);
int file_index(struct fuzz_thread *t, int fd);
void add_file(struct fuzz_thread *t, int fd, int dev);
void add_bo(struct fuzz_thread *t, int fd, uint32_t handle, uint64_t size,
	    uint32_t placements, bool imported);
void add_vm(struct fuzz_thread *t, int fd, uint32_t id, bool fault_mode);
void add_sync(struct fuzz_thread *t, int fd, uint32_t handle);
void add_map(struct fuzz_thread *t, void *addr, size_t size, bool shared,
	     bool gem);
void add_dmabuf(struct fuzz_thread *t, int fd, int dev, uint64_t size);
bool take_map(struct fuzz_thread *t, int i, struct fuzz_map *out);
bool take_file(struct fuzz_thread *t, int i, int *fd);
bool take_dmabuf(struct fuzz_thread *t, int i, struct fuzz_dmabuf *out);
void drop_bo(struct fuzz_thread *t, int i);
void drop_vm(struct fuzz_thread *t, int i);
void drop_sync(struct fuzz_thread *t, int i);
bool overlaps_tracked(struct fuzz_thread *t, uint64_t addr, uint64_t size);
void add_tracked(struct fuzz_thread *t, void *start, size_t size);
uint64_t pick_addr(struct fuzz_thread *t, __u64 *size);
bool span_writable(struct fuzz_thread *t, uint64_t addr, uint64_t size);

/* The ops (fuzz_gem.c, fuzz_svm.c, fuzz_vm.c, fuzz_mm.c, fuzz_track.c) */
struct fuzz_op {
	const char *name;
	void (*fn)(struct fuzz_thread *t);
	unsigned int weight;
	bool child_ok;		/* may run in a forked child */
};

extern const struct fuzz_op fuzz_ops[];
extern const unsigned int fuzz_nops;

void op_get_param(struct fuzz_thread *t);
void op_gem_create(struct fuzz_thread *t);
void op_gem_mmap(struct fuzz_thread *t);
void op_gem_migrate(struct fuzz_thread *t);
void op_gem_residency(struct fuzz_thread *t);
void op_gem_access(struct fuzz_thread *t);
void op_gem_close(struct fuzz_thread *t);
void op_prime_export(struct fuzz_thread *t);
void op_prime_import(struct fuzz_thread *t);
void op_dmabuf_mmap(struct fuzz_thread *t);
void op_svm_access(struct fuzz_thread *t);
void op_svm_snapshot(struct fuzz_thread *t);
void op_svm_migrate(struct fuzz_thread *t);
void op_svm_madvise(struct fuzz_thread *t);
void op_svm_prefetch(struct fuzz_thread *t);
void op_svm_ranges(struct fuzz_thread *t);
void op_vm_create(struct fuzz_thread *t);
void op_vm_destroy(struct fuzz_thread *t);
void op_vm_bind(struct fuzz_thread *t);
void op_exec(struct fuzz_thread *t);
void op_vm_query(struct fuzz_thread *t);
void op_syncobj(struct fuzz_thread *t);
void op_mmap(struct fuzz_thread *t);
void op_munmap(struct fuzz_thread *t);
void op_mremap(struct fuzz_thread *t);
void op_madvise(struct fuzz_thread *t);
void op_mprotect(struct fuzz_thread *t);
void op_cpu_touch(struct fuzz_thread *t);
void op_fork(struct fuzz_thread *t);
void op_fd(struct fuzz_thread *t);
void op_track(struct fuzz_thread *t);

/* Helpers of the ops */
int fz_syncobj_wait(int fd, uint32_t handle, int64_t timeout_ms);
void fz_cpu_access(struct fuzz_thread *t, char *p, size_t size, bool write);
int track_init(struct fuzz_thread *t);
void track_fini(struct fuzz_thread *t);
void fz_child_run(struct fuzz_thread *parent);

#endif /* FUZZ_H */
