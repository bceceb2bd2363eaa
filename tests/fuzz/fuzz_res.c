// SPDX-License-Identifier: MIT
/*
 * Copyright © 2026 The drm-svm authors
 *
 * vsvm_fuzz: the resources of a process (files, objects, VMs, syncobjs,
 * mappings, dma-bufs) that its threads pick arguments from, and the edge
 * values that mutate them.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"

#define P(t)	((t)->proc)

/* A size near @real, or an edge value. */
uint64_t mut_size(struct fuzz_thread *t, uint64_t real)
{
	static const uint64_t edge[] = {
		0, 1, FUZZ_PAGE - 1, FUZZ_PAGE, FUZZ_PAGE + 1, 2 << 20,
		(2 << 20) + FUZZ_PAGE, 1ull << 30, 1ull << 40, 1ull << 47,
		~0ull, ~0ull & ~(FUZZ_PAGE - 1), 1ull << 63,
	};

	switch (rnd_below(t, 10)) {
	case 0:
		return edge[rnd_below(t, sizeof(edge) / sizeof(*edge))];
	case 1:
		return real + FUZZ_PAGE;
	case 2:
		return real > FUZZ_PAGE ? real - FUZZ_PAGE : real;
	case 3:
		return real / 2 & ~(FUZZ_PAGE - 1);
	default:
		return real;
	}
}

/* Any 64-bit value, biased to edges. */
uint64_t mut_u64(struct fuzz_thread *t)
{
	static const uint64_t edge[] = {
		0, 1, 2, 3, 4, 0xff, FUZZ_PAGE, 0x7fffffff, 0x80000000,
		0xffffffff, 1ull << 32, 1ull << 63, ~0ull,
	};

	if (rnd_pct(t, 70))
		return edge[rnd_below(t, sizeof(edge) / sizeof(*edge))];
	return rnd(t);
}

/* Padding: zero, or (rarely) not, which makes the call surely invalid. */
uint32_t mut_pad(struct fuzz_thread *t)
{
	if (!rnd_pct(t, 4))
		return 0;
	fz_set_mut(t, "pad", true);
	return 1u << rnd_below(t, 32);
}

/* A user pointer: @good, or a bad one. */
uint64_t mut_ptr(struct fuzz_thread *t, void *good)
{
	static const uint64_t bad[] = {
		0, 1, FUZZ_PAGE, 0xffff888000000000ull, ~0ull,
		0x7ffffffff000ull, 1ull << 47,
	};

	if (rnd_pct(t, 90))
		return (uintptr_t)good;
	if (!t->mut)
		fz_set_mut(t, "bad-pointer", false);
	return bad[rnd_below(t, sizeof(bad) / sizeof(*bad))];
}

/* A random used slot of @n slots (@used tells), or -1. */
static int pick_slot(struct fuzz_thread *t, int n,
		     bool (*used)(struct fuzz_proc *p, int i))
{
	int i, start = rnd_below(t, n);

	for (i = 0; i < n; i++)
		if (used(P(t), (start + i) % n))
			return (start + i) % n;
	return -1;
}

static bool file_used(struct fuzz_proc *p, int i)
{
	return p->files[i].fd >= 0;
}

int pick_file(struct fuzz_thread *t, int *fd, int *dev)
{
	int i;

	pthread_mutex_lock(&P(t)->lock);
	i = pick_slot(t, FUZZ_FILES, file_used);
	if (i >= 0) {
		*fd = P(t)->files[i].fd;
		*dev = P(t)->files[i].dev;
	}
	pthread_mutex_unlock(&P(t)->lock);
	return i;
}

/* The slot of @fd in files[] (under the lock), or -1. */
int file_index(struct fuzz_thread *t, int fd)
{
	int i;

	for (i = 0; i < FUZZ_FILES; i++)
		if (P(t)->files[i].fd == fd)
			return i;
	return -1;
}

static bool bo_used(struct fuzz_proc *p, int i)
{
	return p->bos[i].file >= 0;
}

int pick_bo(struct fuzz_thread *t, struct fuzz_bo *out, int *fd)
{
	int i;

	pthread_mutex_lock(&P(t)->lock);
	i = pick_slot(t, FUZZ_BOS, bo_used);
	if (i >= 0) {
		*out = P(t)->bos[i];
		*fd = P(t)->files[out->file].fd;
	}
	pthread_mutex_unlock(&P(t)->lock);
	return i;
}

static bool vm_used(struct fuzz_proc *p, int i)
{
	return p->vms[i].file >= 0;
}

int pick_vm(struct fuzz_thread *t, struct fuzz_vm *out, int *fd)
{
	int i;

	pthread_mutex_lock(&P(t)->lock);
	i = pick_slot(t, FUZZ_VMS, vm_used);
	if (i >= 0) {
		*out = P(t)->vms[i];
		*fd = P(t)->files[out->file].fd;
	}
	pthread_mutex_unlock(&P(t)->lock);
	return i;
}

/* A syncobj of the file @fd (or of any file), -1 if none. */
int pick_sync(struct fuzz_thread *t, int fd, uint32_t *handle)
{
	int i, start = rnd_below(t, FUZZ_SYNCS), n, found = -1;

	pthread_mutex_lock(&P(t)->lock);
	for (n = 0; n < FUZZ_SYNCS && found < 0; n++) {
		struct fuzz_sync *s = &P(t)->syncs[(start + n) % FUZZ_SYNCS];

		i = (start + n) % FUZZ_SYNCS;
		if (s->file >= 0 && (fd < 0 || P(t)->files[s->file].fd == fd)) {
			*handle = s->handle;
			found = i;
		}
	}
	pthread_mutex_unlock(&P(t)->lock);
	return found;
}

static bool map_used(struct fuzz_proc *p, int i)
{
	return p->maps[i].addr != NULL;
}

int pick_map(struct fuzz_thread *t, struct fuzz_map *out)
{
	int i;

	pthread_mutex_lock(&P(t)->lock);
	i = pick_slot(t, FUZZ_MAPS, map_used);
	if (i >= 0)
		*out = P(t)->maps[i];
	pthread_mutex_unlock(&P(t)->lock);
	return i;
}

static bool dmabuf_used(struct fuzz_proc *p, int i)
{
	return p->dmabufs[i].fd >= 0;
}

int pick_dmabuf(struct fuzz_thread *t, struct fuzz_dmabuf *out)
{
	int i;

	pthread_mutex_lock(&P(t)->lock);
	i = pick_slot(t, FUZZ_DMABUFS, dmabuf_used);
	if (i >= 0)
		*out = P(t)->dmabufs[i];
	pthread_mutex_unlock(&P(t)->lock);
	return i;
}

/* A free slot of @n, or a random victim; *victim tells which. */
static int free_slot(struct fuzz_thread *t, int n,
		     bool (*used)(struct fuzz_proc *p, int i), bool *victim)
{
	int i;

	for (i = 0; i < n; i++)
		if (!used(P(t), i)) {
			*victim = false;
			return i;
		}
	*victim = true;
	return rnd_below(t, n);
}

void add_file(struct fuzz_thread *t, int fd, int dev)
{
	bool victim;
	int i, old = -1;

	pthread_mutex_lock(&P(t)->lock);
	i = free_slot(t, FUZZ_FILES, file_used, &victim);
	if (victim)
		old = P(t)->files[i].fd;
	P(t)->files[i].fd = fd;
	P(t)->files[i].dev = dev;
	if (old >= 0)
		close(old);
	pthread_mutex_unlock(&P(t)->lock);
}

void add_bo(struct fuzz_thread *t, int fd, uint32_t handle, uint64_t size,
	    uint32_t placements, bool imported)
{
	bool victim;
	int i, f;

	pthread_mutex_lock(&P(t)->lock);
	f = file_index(t, fd);
	i = free_slot(t, FUZZ_BOS, bo_used, &victim);
	if (f >= 0)
		P(t)->bos[i] = (struct fuzz_bo){ f, handle, size, placements,
						 imported };
	pthread_mutex_unlock(&P(t)->lock);
}

void add_vm(struct fuzz_thread *t, int fd, uint32_t id, bool fault_mode)
{
	bool victim;
	int i, f;

	pthread_mutex_lock(&P(t)->lock);
	f = file_index(t, fd);
	i = free_slot(t, FUZZ_VMS, vm_used, &victim);
	if (f >= 0)
		P(t)->vms[i] = (struct fuzz_vm){ f, id, fault_mode };
	pthread_mutex_unlock(&P(t)->lock);
}

static bool sync_used(struct fuzz_proc *p, int i)
{
	return p->syncs[i].file >= 0;
}

void add_sync(struct fuzz_thread *t, int fd, uint32_t handle)
{
	bool victim;
	int i, f;

	pthread_mutex_lock(&P(t)->lock);
	f = file_index(t, fd);
	i = free_slot(t, FUZZ_SYNCS, sync_used, &victim);
	if (f >= 0)
		P(t)->syncs[i] = (struct fuzz_sync){ f, handle };
	pthread_mutex_unlock(&P(t)->lock);
}

/* A new mapping; a full table unmaps a random old one. */
void add_map(struct fuzz_thread *t, void *addr, size_t size, bool shared,
	     bool gem)
{
	struct fuzz_map old = { 0 };
	bool victim;
	int i;

	pthread_mutex_lock(&P(t)->lock);
	i = free_slot(t, FUZZ_MAPS, map_used, &victim);
	if (victim)
		old = P(t)->maps[i];
	P(t)->maps[i] = (struct fuzz_map){ addr, size, shared, gem };
	pthread_mutex_unlock(&P(t)->lock);
	if (old.addr)
		munmap(old.addr, old.size);
}

void add_dmabuf(struct fuzz_thread *t, int fd, int dev, uint64_t size)
{
	bool victim;
	int i, old = -1;

	pthread_mutex_lock(&P(t)->lock);
	i = free_slot(t, FUZZ_DMABUFS, dmabuf_used, &victim);
	if (victim)
		old = P(t)->dmabufs[i].fd;
	P(t)->dmabufs[i] = (struct fuzz_dmabuf){ fd, dev, size };
	if (old >= 0)
		close(old);
	pthread_mutex_unlock(&P(t)->lock);
}

/* Remove a mapping from the table (the caller unmaps it). */
bool take_map(struct fuzz_thread *t, int i, struct fuzz_map *out)
{
	bool ok;

	pthread_mutex_lock(&P(t)->lock);
	*out = P(t)->maps[i];
	ok = out->addr != NULL;
	P(t)->maps[i].addr = NULL;
	pthread_mutex_unlock(&P(t)->lock);
	return ok;
}

/* Remove a file from the table (the caller closes it under no lock). */
bool take_file(struct fuzz_thread *t, int i, int *fd)
{
	pthread_mutex_lock(&P(t)->lock);
	*fd = P(t)->files[i].fd;
	P(t)->files[i].fd = -1;
	pthread_mutex_unlock(&P(t)->lock);
	return *fd >= 0;
}

bool take_dmabuf(struct fuzz_thread *t, int i, struct fuzz_dmabuf *out)
{
	pthread_mutex_lock(&P(t)->lock);
	*out = P(t)->dmabufs[i];
	P(t)->dmabufs[i].fd = -1;
	pthread_mutex_unlock(&P(t)->lock);
	return out->fd >= 0;
}

void drop_bo(struct fuzz_thread *t, int i)
{
	pthread_mutex_lock(&P(t)->lock);
	P(t)->bos[i].file = -1;
	pthread_mutex_unlock(&P(t)->lock);
}

void drop_vm(struct fuzz_thread *t, int i)
{
	pthread_mutex_lock(&P(t)->lock);
	P(t)->vms[i].file = -1;
	pthread_mutex_unlock(&P(t)->lock);
}

void drop_sync(struct fuzz_thread *t, int i)
{
	pthread_mutex_lock(&P(t)->lock);
	P(t)->syncs[i].file = -1;
	pthread_mutex_unlock(&P(t)->lock);
}

/* Whether [addr, addr + size) touches a thread's tracked buffers. */
bool overlaps_tracked(struct fuzz_thread *t, uint64_t addr, uint64_t size)
{
	uint64_t end = addr + size < addr ? ~0ull : addr + size;
	unsigned int i;
	bool hit = false;

	pthread_mutex_lock(&P(t)->lock);
	for (i = 0; i < P(t)->ntracked && !hit; i++)
		hit = addr < P(t)->tracked[i].end && end > P(t)->tracked[i].start;
	pthread_mutex_unlock(&P(t)->lock);
	return hit;
}

void add_tracked(struct fuzz_thread *t, void *start, size_t size)
{
	pthread_mutex_lock(&P(t)->lock);
	if (P(t)->ntracked < FUZZ_MAX_SLOTS) {
		P(t)->tracked[P(t)->ntracked].start = (uintptr_t)start;
		P(t)->tracked[P(t)->ntracked++].end = (uintptr_t)start + size;
	}
	pthread_mutex_unlock(&P(t)->lock);
}

/* A bad span for the SVM ioctls; *invalid when surely rejected. */
static uint64_t bad_addr(struct fuzz_thread *t, uint64_t addr, __u64 *size,
			 bool *invalid)
{
	switch (rnd_below(t, 6)) {
	case 0:
		*invalid = true;
		return addr + 1 + rnd_below(t, FUZZ_PAGE - 1);	/* unaligned */
	case 1:
		*size = 0;
		*invalid = true;
		return addr;
	case 2:
		*invalid = *size != 0;
		return 0xffff888000000000ull;		/* kernel */
	case 3:
		/* past TASK_SIZE, with 5-level page tables too */
		*size = (1ull << 57) - addr + FUZZ_PAGE;
		*invalid = true;
		return addr;
	case 4:
		return rnd(t) & 0x00007ffffffff000ull;	/* anywhere */
	default:
		*size = mut_size(t, *size);
		return addr;
	}
}

/*
 * A page-aligned span of a live mapping (sometimes more than one, or a
 * hole, or surely invalid: see t->invalid after the call).
 */
uint64_t pick_addr(struct fuzz_thread *t, __u64 *size)
{
	struct fuzz_map m;
	uint64_t addr, off, pages;
	bool invalid = false;

	if (pick_map(t, &m) < 0) {
		m.addr = (char *)0x100000000ull;
		m.size = 16 * FUZZ_PAGE;
	}
	pages = m.size / FUZZ_PAGE;
	off = rnd_below(t, pages);
	addr = (uintptr_t)m.addr + off * FUZZ_PAGE;
	*size = (1 + rnd_below(t, pages - off)) * FUZZ_PAGE;
	if (rnd_pct(t, 15))
		addr = bad_addr(t, addr, size, &invalid);
	if (invalid)
		fz_set_mut(t, "bad-span", true);
	return addr;
}

/*
 * Whether the device may write [addr, addr + size): inside one mapping of
 * the table and outside every tracked buffer (a write anywhere else could
 * hit the fuzzer's own memory: stacks, libc).
 */
bool span_writable(struct fuzz_thread *t, uint64_t addr, uint64_t size)
{
	bool inside = false;
	int i;

	pthread_mutex_lock(&P(t)->lock);
	for (i = 0; i < FUZZ_MAPS && !inside; i++) {
		uint64_t s = (uintptr_t)P(t)->maps[i].addr;

		inside = s && addr >= s && size <= P(t)->maps[i].size &&
			addr - s <= P(t)->maps[i].size - size;
	}
	pthread_mutex_unlock(&P(t)->lock);
	return inside && !overlaps_tracked(t, addr, size);
}
