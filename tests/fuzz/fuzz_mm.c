// SPDX-License-Identifier: MIT
/*
 * Copyright © 2026 The drm-svm authors
 *
 * vsvm_fuzz: the CPU side under the device: mmap, munmap, mremap, madvise,
 * mprotect, CPU accesses (which migrate device memory back), fork of
 * children that fuzz briefly and may be killed anywhere, and the file
 * descriptors (close, dup, reopen).
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuzz.h"

#define HUGE_2M		(2ull << 20)

static void *map_aligned_2m(size_t size)
{
	char *p = mmap(NULL, size + HUGE_2M, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uintptr_t a;

	if (p == MAP_FAILED)
		return p;
	a = ((uintptr_t)p + HUGE_2M - 1) & ~(HUGE_2M - 1);
	if (a > (uintptr_t)p)
		munmap(p, a - (uintptr_t)p);
	munmap((char *)a + size, (uintptr_t)p + HUGE_2M - a);
	madvise((void *)a, size, MADV_HUGEPAGE);
	return (void *)a;
}

void op_mmap(struct fuzz_thread *t)
{
	static const size_t pages[] = { 1, 2, 16, 64, 511, 512, 513, 1024 };
	size_t size = pages[rnd_below(t, 8)] * FUZZ_PAGE;
	bool shared = rnd_pct(t, 10);
	void *p;

	if (!shared && size >= HUGE_2M && rnd_pct(t, 50))
		p = map_aligned_2m(size & ~(HUGE_2M - 1));
	else
		p = mmap(NULL, size, PROT_READ | PROT_WRITE,
			 (shared ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS,
			 -1, 0);
	fz_count(t, p == MAP_FAILED ? errno : 0);
	if (p == MAP_FAILED)
		return;
	if (size >= HUGE_2M && !shared)
		size &= ~(HUGE_2M - 1);
	if (rnd_pct(t, 60))
		fz_cpu_access(t, p, size, true);
	add_map(t, p, size, shared, false);
}

/* A page-aligned piece [*off, *off + *len) of a mapping of @size. */
static void piece(struct fuzz_thread *t, size_t size, size_t *off, size_t *len)
{
	size_t pages = size / FUZZ_PAGE;

	*off = rnd_pct(t, 50) ? 0 : rnd_below(t, pages) * FUZZ_PAGE;
	*len = (1 + rnd_below(t, pages - *off / FUZZ_PAGE)) * FUZZ_PAGE;
	if (rnd_pct(t, 40)) {
		*off = 0;
		*len = size;
	}
}

void op_munmap(struct fuzz_thread *t)
{
	struct fuzz_map m;
	size_t off, len;
	int i = pick_map(t, &m);

	if (i < 0 || !take_map(t, i, &m))
		return;
	piece(t, m.size, &off, &len);
	fz_count(t, munmap(m.addr + off, len) ? errno : 0);
	/* what is left stays in the table */
	if (off)
		add_map(t, m.addr, off, m.shared, m.gem);
	if (off + len < m.size)
		add_map(t, m.addr + off + len, m.size - off - len, m.shared,
			m.gem);
}

void op_mremap(struct fuzz_thread *t)
{
	struct fuzz_map m;
	size_t size;
	int flags = MREMAP_MAYMOVE, i = pick_map(t, &m);
	void *p;

	if (i < 0 || !take_map(t, i, &m))
		return;
	size = m.size + (rnd_below(t, 5) - 2) * (int64_t)FUZZ_PAGE * 16;
	if ((int64_t)size <= 0 || size > (8ull << 20))
		size = m.size;
	if (!m.shared && !m.gem && rnd_pct(t, 25)) {
		flags |= MREMAP_DONTUNMAP;
		size = m.size;
	}
	p = mremap(m.addr, m.size, size, flags);
	fz_count(t, p == MAP_FAILED ? errno : 0);
	if (p == MAP_FAILED) {
		add_map(t, m.addr, m.size, m.shared, m.gem);
		return;
	}
	if (flags & MREMAP_DONTUNMAP)
		add_map(t, m.addr, m.size, m.shared, m.gem);
	add_map(t, p, size, m.shared, m.gem);
}

/* A piece of a random mapping of the table; false when there is none. */
static bool pick_piece(struct fuzz_thread *t, char **p, size_t *len)
{
	struct fuzz_map m;
	size_t off;

	if (pick_map(t, &m) < 0)
		return false;
	piece(t, m.size, &off, len);
	*p = m.addr + off;
	return true;
}

void op_madvise(struct fuzz_thread *t)
{
	static const int advice[] = {
		MADV_DONTNEED, MADV_DONTNEED, MADV_DONTNEED, MADV_HUGEPAGE,
		MADV_NOHUGEPAGE, MADV_COLD, MADV_PAGEOUT, MADV_FREE,
		MADV_WILLNEED,
	};
	size_t len;
	char *p;

	if (pick_piece(t, &p, &len))
		fz_count(t, madvise(p, len, advice[rnd_below(t, 9)]) ? errno : 0);
}

void op_mprotect(struct fuzz_thread *t)
{
	static const int prot[] = {
		PROT_NONE, PROT_READ, PROT_READ | PROT_WRITE,
		PROT_READ | PROT_WRITE,
	};
	size_t len;
	char *p;

	if (pick_piece(t, &p, &len))
		fz_count(t, mprotect(p, len, prot[rnd_below(t, 4)]) ? errno : 0);
}

/* CPU reads or writes of a mapping: device pages come back. */
void op_cpu_touch(struct fuzz_thread *t)
{
	size_t len;
	char *p;

	if (!pick_piece(t, &p, &len))
		return;
	if (len > 64 * FUZZ_PAGE)
		len = 64 * FUZZ_PAGE;
	fz_cpu_access(t, p, len, rnd_pct(t, 50));
	fz_count(t, 0);
}

/* The child: fuzz a little with the inherited (and new) files, exit. */
void fz_child_run(struct fuzz_thread *parent)
{
	struct fuzz_thread t = *parent;

	t.proc->child = true;
	t.rng = rnd(parent) ^ 0x5eed;
	t.done = 0;
	t.budget = 10 + rnd_below(&t, 100);
	if (rnd_pct(&t, 50)) {
		int dev = rnd_below(&t, cfg.ndev), fd = fz_open_dev(dev);

		if (fd >= 0)
			add_file(&t, fd, dev);
	}
	fz_run(&t);
	_exit(0);
}

static void fork_wait(struct fuzz_thread *t, pid_t pid, bool kill_it)
{
	int status = 0;

	if (kill_it) {
		usleep(rnd_below(t, 200000));
		kill(pid, SIGKILL);
		atomic_fetch_add(&shm->kills, 1);
	}
	/* the child used our slot: a hang from here on is ours */
	atomic_store(&shm->beat[t->slot].op, t->op);
	atomic_store(&shm->beat[t->slot].ns, now_ns());
	atomic_store(&shm->beat[t->slot].busy, 1);
	if (waitpid(pid, &status, 0) != pid)
		fz_fail(t, "waitpid: %d", errno);
	atomic_store(&shm->beat[t->slot].child, 0);
	if (WIFSIGNALED(status) && WTERMSIG(status) != SIGKILL)
		fz_fail(t, "child died of signal %d", WTERMSIG(status));
	else if (WIFEXITED(status) && WEXITSTATUS(status))
		fz_fail(t, "child exited with %d", WEXITSTATUS(status));
}

void op_fork(struct fuzz_thread *t)
{
	bool kill_it = !(cfg.avoid & AVOID_KILL) && rnd_pct(t, 50);
	uint64_t child_seed = rnd(t);
	pid_t pid = fork();

	fz_count(t, pid < 0 ? errno : 0);
	if (pid < 0)
		return;
	if (!pid) {
		t->rng = child_seed;
		fz_child_run(t);
	}
	atomic_store(&shm->beat[t->slot].child, pid);
	atomic_fetch_add(&shm->children, 1);
	fork_wait(t, pid, kill_it);
}

/* Close, dup or (re)open a file of the table. */
void op_fd(struct fuzz_thread *t)
{
	int fd, dev, i = pick_file(t, &fd, &dev), nfd;

	switch (rnd_below(t, 3)) {
	case 0:
		if (i >= 0 && take_file(t, i, &fd))
			fz_count(t, close(fd) ? errno : 0);
		break;
	case 1:
		if (i < 0)
			break;
		nfd = dup(fd);
		fz_count(t, nfd < 0 ? errno : 0);
		if (nfd >= 0)
			add_file(t, nfd, dev);
		break;
	default:
		dev = rnd_below(t, cfg.ndev);
		nfd = fz_open_dev(dev);
		fz_count(t, nfd < 0 ? errno : 0);
		if (nfd >= 0)
			add_file(t, nfd, dev);
	}
}
