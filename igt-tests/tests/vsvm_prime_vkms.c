// SPDX-License-Identifier: MIT
/*
 * Copyright © 2026 The drm-svm authors
 */

/**
 * TEST: vsvm prime vkms
 * Description: vsvm objects exported as dma-bufs (PRIME) and scanned out by
 *              vkms: the image the vsvm device wrote comes back byte for
 *              byte through vkms' writeback connector; static importers
 *              pin the object; implicit (dma_resv) and explicit (sync_file
 *              IN_FENCE_FD) synchronisation; closing either side, module
 *              unload and bad input.
 * Category: Core
 * Mega feature: drm-svm
 * Sub-category: dma-buf
 */

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <drm_fourcc.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "igt.h"
#include "sw_sync.h"
#include "igt_vsvm.h"

#define ALL_PL (DRM_VSVM_PL_MASK(DRM_VSVM_PL_SYSTEM) | \
		DRM_VSVM_PL_MASK(DRM_VSVM_PL_GTT) | \
		DRM_VSVM_PL_MASK(DRM_VSVM_PL_VRAM))
/* 64 KiB chunks: the 1.2 MB frame spans many of them. */
#define CHUNK_SHIFT	16
/* GPU VA of the frame in the exec VMs. */
#define FRAME_VA	0x100000000ull
/* Writeback completes at the next simulated vblank; TCG is slow. */
#define WB_TIMEOUT_MS	20000


/* The vkms side: CRTC 0, its primary plane, the writeback connector. */
struct wb {
	int fd;
	uint32_t crtc, plane, wb_conn, virt_conn;
	drmModeModeInfo mode;
	uint32_t mode_blob;
	uint32_t width, height, pitch;
	uint64_t size;
	/* the writeback target: a vkms dumb buffer */
	uint32_t out_handle, out_fb;
	uint8_t *out;
};

/* A frame the vsvm device writes into an exported object. */
struct frame {
	int fd;			/* vsvm */
	uint32_t handle;
	uint32_t vm;
	int dmabuf;
	uint32_t vkms_handle, vkms_fb;
};

static uint32_t prop_id(int fd, uint32_t obj, uint32_t type, const char *name)
{
	drmModeObjectProperties *props;
	uint32_t id = 0, i;

	props = drmModeObjectGetProperties(fd, obj, type);
	igt_assert(props);
	for (i = 0; i < props->count_props && !id; i++) {
		drmModePropertyRes *p = drmModeGetProperty(fd, props->props[i]);

		if (p && !strcmp(p->name, name))
			id = p->prop_id;
		drmModeFreeProperty(p);
	}
	drmModeFreeObjectProperties(props);
	igt_assert_f(id, "no property %s on object %u\n", name, obj);
	return id;
}

static uint64_t prop_value(int fd, uint32_t obj, uint32_t type,
			   const char *name)
{
	drmModeObjectProperties *props;
	uint64_t v = ~0ull;
	uint32_t i;

	props = drmModeObjectGetProperties(fd, obj, type);
	igt_assert(props);
	for (i = 0; i < props->count_props; i++) {
		drmModePropertyRes *p = drmModeGetProperty(fd, props->props[i]);

		if (p && !strcmp(p->name, name))
			v = props->prop_values[i];
		drmModeFreeProperty(p);
	}
	drmModeFreeObjectProperties(props);
	return v;
}

static uint32_t find_connector(int fd, drmModeRes *res, uint32_t type,
			       drmModeModeInfo *mode)
{
	uint32_t id = 0;
	int i, m;

	for (i = 0; i < res->count_connectors && !id; i++) {
		drmModeConnector *c = drmModeGetConnector(fd,
							  res->connectors[i]);

		if (!c)
			continue;
		if (c->connector_type == type) {
			id = c->connector_id;
			for (m = 0; mode && m < c->count_modes; m++) {
				if (c->modes[m].hdisplay == 640 &&
				    c->modes[m].vdisplay == 480) {
					*mode = c->modes[m];
					break;
				}
			}
			if (mode && m == c->count_modes) {
				igt_assert(c->count_modes > 0);
				*mode = c->modes[0];
			}
		}
		drmModeFreeConnector(c);
	}
	return id;
}

static uint32_t find_primary_plane(int fd)
{
	drmModePlaneRes *planes = drmModeGetPlaneResources(fd);
	uint32_t id = 0, i;

	igt_assert(planes);
	for (i = 0; i < planes->count_planes && !id; i++) {
		drmModePlane *p = drmModeGetPlane(fd, planes->planes[i]);

		if (p && (p->possible_crtcs & 1) &&
		    prop_value(fd, p->plane_id, DRM_MODE_OBJECT_PLANE,
			       "type") == DRM_PLANE_TYPE_PRIMARY)
			id = p->plane_id;
		drmModeFreePlane(p);
	}
	drmModeFreePlaneResources(planes);
	return id;
}

static void wb_open(struct wb *w)
{
	struct drm_mode_create_dumb dumb = {};
	struct drm_mode_map_dumb map = {};
	uint32_t handles[4] = {}, pitches[4] = {}, offsets[4] = {};
	drmModeRes *res;

	memset(w, 0, sizeof(*w));
	w->fd = drm_open_driver_master(DRIVER_VKMS);
	igt_require(drmSetClientCap(w->fd, DRM_CLIENT_CAP_UNIVERSAL_PLANES,
				    1) == 0);
	igt_require(drmSetClientCap(w->fd, DRM_CLIENT_CAP_ATOMIC, 1) == 0);
	igt_require_f(drmSetClientCap(w->fd, DRM_CLIENT_CAP_WRITEBACK_CONNECTORS,
				      1) == 0, "no writeback support\n");
	res = drmModeGetResources(w->fd);
	igt_assert(res && res->count_crtcs > 0);
	w->crtc = res->crtcs[0];
	w->wb_conn = find_connector(w->fd, res, DRM_MODE_CONNECTOR_WRITEBACK,
				    &w->mode);
	igt_require_f(w->wb_conn, "vkms has no writeback connector\n");
	w->virt_conn = find_connector(w->fd, res, DRM_MODE_CONNECTOR_VIRTUAL,
				      NULL);
	drmModeFreeResources(res);
	w->plane = find_primary_plane(w->fd);
	igt_assert(w->plane);
	igt_assert_eq(drmModeCreatePropertyBlob(w->fd, &w->mode,
						sizeof(w->mode),
						&w->mode_blob), 0);
	w->width = w->mode.hdisplay;
	w->height = w->mode.vdisplay;
	w->pitch = w->width * 4;
	w->size = (uint64_t)w->pitch * w->height;

	dumb.width = w->width;
	dumb.height = w->height;
	dumb.bpp = 32;
	igt_assert_eq(drmIoctl(w->fd, DRM_IOCTL_MODE_CREATE_DUMB, &dumb), 0);
	igt_assert_eq(dumb.pitch, w->pitch);
	w->out_handle = dumb.handle;
	handles[0] = dumb.handle;
	pitches[0] = w->pitch;
	igt_assert_eq(drmModeAddFB2(w->fd, w->width, w->height,
				    DRM_FORMAT_XRGB8888, handles, pitches,
				    offsets, &w->out_fb, 0), 0);
	map.handle = dumb.handle;
	igt_assert_eq(drmIoctl(w->fd, DRM_IOCTL_MODE_MAP_DUMB, &map), 0);
	w->out = mmap(NULL, dumb.size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      w->fd, map.offset);
	igt_assert(w->out != MAP_FAILED);
}

static void wb_close(struct wb *w)
{
	if (w->fd < 0)
		return;
	munmap(w->out, w->size);
	close(w->fd);
	w->fd = -1;
}

/*
 * One atomic commit: the plane scans out @fb over the whole CRTC, the
 * writeback connector captures the result. @in_fence: a sync_file or -1.
 * Returns -errno of the commit; *out_fence is the writeback's fence.
 */
static int wb_commit(struct wb *w, uint32_t fb, int in_fence, uint32_t flags,
		     int *out_fence)
{
	drmModeAtomicReq *req = drmModeAtomicAlloc();
	int ret, tries, fd = w->fd;

	igt_assert(req);
	*out_fence = -1;
	memset(w->out, 0, w->size);
#define ADD(obj, type, name, val) \
	igt_assert(drmModeAtomicAddProperty(req, obj, \
					    prop_id(fd, obj, type, name), \
					    val) > 0)
	ADD(w->crtc, DRM_MODE_OBJECT_CRTC, "MODE_ID", w->mode_blob);
	ADD(w->crtc, DRM_MODE_OBJECT_CRTC, "ACTIVE", 1);
	/* Only the writeback connector: vkms' encoders do not clone. */
	if (w->virt_conn)
		ADD(w->virt_conn, DRM_MODE_OBJECT_CONNECTOR, "CRTC_ID", 0);
	ADD(w->wb_conn, DRM_MODE_OBJECT_CONNECTOR, "CRTC_ID", w->crtc);
	ADD(w->wb_conn, DRM_MODE_OBJECT_CONNECTOR, "WRITEBACK_FB_ID",
	    w->out_fb);
	ADD(w->wb_conn, DRM_MODE_OBJECT_CONNECTOR, "WRITEBACK_OUT_FENCE_PTR",
	    (uint64_t)(uintptr_t)out_fence);
	ADD(w->plane, DRM_MODE_OBJECT_PLANE, "FB_ID", fb);
	ADD(w->plane, DRM_MODE_OBJECT_PLANE, "CRTC_ID", w->crtc);
	ADD(w->plane, DRM_MODE_OBJECT_PLANE, "SRC_X", 0);
	ADD(w->plane, DRM_MODE_OBJECT_PLANE, "SRC_Y", 0);
	ADD(w->plane, DRM_MODE_OBJECT_PLANE, "SRC_W", (uint64_t)w->width << 16);
	ADD(w->plane, DRM_MODE_OBJECT_PLANE, "SRC_H",
	    (uint64_t)w->height << 16);
	ADD(w->plane, DRM_MODE_OBJECT_PLANE, "CRTC_X", 0);
	ADD(w->plane, DRM_MODE_OBJECT_PLANE, "CRTC_Y", 0);
	ADD(w->plane, DRM_MODE_OBJECT_PLANE, "CRTC_W", w->width);
	ADD(w->plane, DRM_MODE_OBJECT_PLANE, "CRTC_H", w->height);
	ADD(w->plane, DRM_MODE_OBJECT_PLANE, "IN_FENCE_FD", (uint64_t)in_fence);
#undef ADD
	for (tries = 0; tries < 200; tries++) {
		ret = drmModeAtomicCommit(fd, req,
					  flags | DRM_MODE_ATOMIC_ALLOW_MODESET,
					  NULL) ? -errno : 0;
		/* a nonblocking commit finds the last one still finishing */
		if (ret != -EBUSY)
			break;
		usleep(50 * 1000);
	}
	drmModeAtomicFree(req);
	return ret;
}

/* 1: the fence signalled within @ms, 0: it did not. */
static int fence_wait(int fence, int ms)
{
	struct pollfd p = { .fd = fence, .events = POLLIN };
	int ret = poll(&p, 1, ms);

	igt_assert(ret >= 0);
	return ret;
}

/* Commit @fb, wait for the writeback, compare with @expect byte for byte. */
static void wb_check(struct wb *w, uint32_t fb, const uint32_t *expect)
{
	int out;

	igt_assert_eq(wb_commit(w, fb, -1, 0, &out), 0);
	igt_assert(out >= 0);
	igt_assert_f(fence_wait(out, WB_TIMEOUT_MS), "writeback timed out\n");
	close(out);
	igt_assert_f(!memcmp(w->out, expect, w->size),
		     "writeback differs from the image the device wrote\n");
}

/* The image: per row a colour, every 8th pixel another one; X = 0xff. */
static uint32_t row_colour(uint32_t y, uint32_t seed)
{
	return 0xff000000u | ((y * 0x9e3779b1u ^ seed) & 0xffffff);
}

static uint32_t dot_colour(uint32_t y, uint32_t seed)
{
	return 0xff000000u | ((~y * 0x85ebca6bu + seed) & 0xffffff);
}

static uint32_t *image(const struct wb *w, uint32_t seed)
{
	uint32_t *img = malloc(w->size), x, y;

	igt_assert(img);
	for (y = 0; y < w->height; y++)
		for (x = 0; x < w->width; x++)
			img[y * w->width + x] = x % 8 ? row_colour(y, seed) :
				dot_colour(y, seed);
	return img;
}

/* The compute engine commands that draw image(seed) at FRAME_VA. */
static struct drm_vsvm_cmd *image_cmds(const struct wb *w, uint32_t seed,
				       uint32_t *n)
{
	struct drm_vsvm_cmd *c = calloc(2 * w->height, sizeof(*c));
	uint32_t y;

	igt_assert(c && 2 * w->height <= DRM_VSVM_EXEC_MAX_CMDS);
	for (y = 0; y < w->height; y++) {
		uint64_t row = FRAME_VA + (uint64_t)y * w->pitch;

		c[2 * y] = vsvm_cmd_fill(row, w->pitch, row_colour(y, seed));
		c[2 * y + 1] = vsvm_cmd_strided(row, w->width / 8, 32,
						dot_colour(y, seed));
	}
	*n = 2 * w->height;
	return c;
}

/* A vsvm object for one frame, bound in a VM of its own. */
static void frame_create(struct frame *f, int fd, const struct wb *w,
			 uint64_t size, uint32_t preferred)
{
	memset(f, 0, sizeof(*f));
	f->fd = fd;
	f->dmabuf = -1;
	igt_assert_eq(__vsvm_gem_create(fd, size, ALL_PL, preferred, 0,
					CHUNK_SHIFT, &f->handle), 0);
	f->vm = vsvm_vm_create(fd, 0);
	vsvm_vm_bind(fd, f->vm, DRM_VSVM_VM_BIND_OP_MAP, 0, f->handle,
		     FRAME_VA, ALIGN(size, 4096), 0);
}

/* The device draws image(seed) and the call waits for it. */
static void frame_draw(struct frame *f, const struct wb *w, uint32_t seed)
{
	struct drm_vsvm_cmd *c;
	uint32_t n;

	c = image_cmds(w, seed, &n);
	igt_assert_eq(vsvm_exec_wait(f->fd, f->vm, c, n), 0);
	free(c);
}

/* PRIME: vsvm handle -> dma-buf -> vkms handle -> framebuffer. */
static int __frame_import(struct frame *f, struct wb *w, uint32_t width,
			  uint32_t height)
{
	uint32_t handles[4] = {}, pitches[4] = {}, offsets[4] = {};

	if (f->dmabuf < 0)
		igt_assert_eq(drmPrimeHandleToFD(f->fd, f->handle,
						 DRM_CLOEXEC | DRM_RDWR,
						 &f->dmabuf), 0);
	igt_assert_eq(drmPrimeFDToHandle(w->fd, f->dmabuf, &f->vkms_handle), 0);
	handles[0] = f->vkms_handle;
	pitches[0] = width * 4;
	if (drmModeAddFB2(w->fd, width, height, DRM_FORMAT_XRGB8888, handles,
			  pitches, offsets, &f->vkms_fb, 0))
		return -errno;
	return 0;
}

static void frame_import(struct frame *f, struct wb *w)
{
	igt_assert_eq(__frame_import(f, w, w->width, w->height), 0);
}

/* vkms lets go of the buffer: framebuffer and handle. */
static void frame_release_vkms(struct frame *f, struct wb *w)
{
	struct drm_gem_close cl = { .handle = f->vkms_handle };

	if (f->vkms_fb)
		drmModeRmFB(w->fd, f->vkms_fb);
	f->vkms_fb = 0;
	igt_assert_eq(drmIoctl(w->fd, DRM_IOCTL_GEM_CLOSE, &cl), 0);
}

static void frame_destroy(struct frame *f)
{
	if (f->dmabuf >= 0)
		close(f->dmabuf);
	vsvm_vm_destroy(f->fd, f->vm);
	vsvm_gem_close(f->fd, f->handle);
}

/* Placement of every chunk must be @pl (or SYSTEM/GTT for pl = -1). */
static void assert_placement(int fd, uint32_t handle, int pl)
{
	uint32_t p[64], n, i;

	n = vsvm_gem_placements(fd, handle, p, NULL, 64);
	igt_assert(n > 1);
	for (i = 0; i < n; i++)
		igt_assert_f(pl < 0 ? p[i] != DRM_VSVM_PL_VRAM : p[i] == pl,
			     "chunk %u is in placement %u\n", i, p[i]);
}

/* The device's own view of the object equals @img. */
static void assert_device_image(int fd, uint32_t handle,
				const uint32_t *img, uint64_t size)
{
	void *buf = malloc(size);

	igt_assert(buf);
	vsvm_gem_read(fd, handle, 0, buf, size);
	igt_assert_f(!memcmp(buf, img, size),
		     "the device reads something else than it wrote\n");
	free(buf);
}

/* Sum of one "name: value" line of vsvm_info over every vsvm device. */
static uint64_t vsvm_info(const char *key)
{
	size_t len = strlen(key), i;
	unsigned long long v;
	uint64_t sum = 0;
	char line[256];
	glob_t g;

	igt_require_f(!glob("/sys/kernel/debug/dri/vsvm.*/vsvm_info", 0, NULL,
			    &g), "no vsvm_info in debugfs\n");
	for (i = 0; i < g.gl_pathc; i++) {
		FILE *f = fopen(g.gl_pathv[i], "r");

		igt_assert(f);
		while (fgets(line, sizeof(line), f))
			if (!strncmp(line, key, len) && line[len] == ':' &&
			    sscanf(line + len + 1, "%llu", &v) == 1)
				sum += v;
		fclose(f);
	}
	globfree(&g);
	return sum;
}

/*
 * Basic: the vsvm device draws into an object in VRAM; vkms imports it as a
 * framebuffer (which pins it in system memory) and its writeback returns
 * exactly the device's bytes.
 */
static void test_basic(int fd)
{
	struct frame f;
	struct wb w;
	uint32_t *img;

	wb_open(&w);
	img = image(&w, 1);
	frame_create(&f, fd, &w, w.size, DRM_VSVM_PL_VRAM);
	frame_draw(&f, &w, 1);
	assert_placement(fd, f.handle, DRM_VSVM_PL_VRAM);
	assert_device_image(fd, f.handle, img, w.size);

	frame_import(&f, &w);
	wb_check(&w, f.vkms_fb, img);
	/*
	 * vkms maps (so pins) what it scans out: from the import on 6.12,
	 * from the first commit that shows it on 7.x (imports are unmapped).
	 */
	assert_placement(fd, f.handle, -1);
	/* and again, from the same pinned pages */
	wb_check(&w, f.vkms_fb, img);
	assert_device_image(fd, f.handle, img, w.size);

	frame_release_vkms(&f, &w);
	frame_destroy(&f);
	wb_close(&w);
	free(img);
}

/*
 * A static importer pins the object while it has it mapped (vkms: while
 * the framebuffer is shown): moves to VRAM fail with -EBUSY and nothing
 * moves; the device keeps drawing into the pinned pages and vkms sees it;
 * once vkms lets go the object migrates again, data intact.
 */
static void test_static_pin(int fd)
{
	uint64_t refusals;
	uint32_t *img2;
	struct frame f;
	struct wb w;
	uint32_t *img;

	wb_open(&w);
	img = image(&w, 2);
	img2 = image(&w, 3);
	frame_create(&f, fd, &w, w.size, DRM_VSVM_PL_VRAM);
	frame_draw(&f, &w, 2);
	frame_import(&f, &w);
	wb_check(&w, f.vkms_fb, img);
	assert_placement(fd, f.handle, -1);

	refusals = vsvm_info("prime pinned refusals");
	igt_assert_eq(__vsvm_gem_migrate(fd, f.handle, DRM_VSVM_PL_VRAM, 0,
					 w.size, 0, 0), -EBUSY);
	igt_assert_eq(__vsvm_gem_migrate(fd, f.handle, DRM_VSVM_PL_VRAM, 0,
					 4096, DRM_VSVM_MIGRATE_VISIBLE, 0),
		      -EBUSY);
	igt_assert_lt_u64(refusals, vsvm_info("prime pinned refusals"));
	assert_placement(fd, f.handle, -1);

	/* the device writes the pinned pages; vkms sees the new image */
	frame_draw(&f, &w, 3);
	assert_placement(fd, f.handle, -1);
	wb_check(&w, f.vkms_fb, img2);

	frame_release_vkms(&f, &w);
	/* unpinned: it moves again */
	vsvm_gem_migrate(fd, f.handle, DRM_VSVM_PL_VRAM, 0, w.size);
	assert_placement(fd, f.handle, DRM_VSVM_PL_VRAM);
	assert_device_image(fd, f.handle, img2, w.size);
	frame_destroy(&f);
	wb_close(&w);
	free(img);
	free(img2);
}

/* A held sw_sync timeline (vsvm_timeline_hold()) and one fence on it. */
static int hold_open(int *timeline)
{
	*timeline = vsvm_timeline_hold();
	return sw_sync_timeline_create_fence(*timeline, 1);
}

/*
 * An exec that draws image(seed), held back by a sw_sync fence; returns
 * its out-syncobj.
 */
static uint32_t draw_held(struct frame *f, const struct wb *w, uint32_t seed,
			  int hold)
{
	uint32_t in, out, n;
	struct drm_vsvm_cmd *c;
	struct drm_vsvm_vm_query q;
	uint64_t seqno;

	igt_assert_eq(drmSyncobjCreate(f->fd, 0, &in), 0);
	igt_assert_eq(drmSyncobjImportSyncFile(f->fd, in, hold), 0);
	igt_assert_eq(drmSyncobjCreate(f->fd, 0, &out), 0);
	c = image_cmds(w, seed, &n);
	igt_assert_eq(__vsvm_exec(f->fd, f->vm, c, n, &in, 1, out, &seqno), 0);
	free(c);
	drmSyncobjDestroy(f->fd, in);
	vsvm_vm_query(f->fd, f->vm, &q);
	igt_assert_lt_u64(q.completed, seqno);
	return out;
}

/*
 * Implicit or explicit sync: vkms commits a frame whose drawing job is
 * still held back. The writeback must not complete before the job, and
 * then shows the complete image.
 */
static void test_fence(bool explicit)
{
	int timeline, hold, fd, in_fence = -1, out;
	struct drm_vsvm_vm_query q;
	uint32_t *img, *old, syncobj;
	struct frame f;
	struct wb w;

	fd = drm_open_driver_render(DRIVER_VSVM);
	wb_open(&w);
	hold = hold_open(&timeline);
	img = image(&w, 4);
	old = image(&w, 5);
	frame_create(&f, fd, &w, w.size, DRM_VSVM_PL_VRAM);
	frame_draw(&f, &w, 5);
	frame_import(&f, &w);
	wb_check(&w, f.vkms_fb, old);

	syncobj = draw_held(&f, &w, 4, hold);
	if (explicit)
		igt_assert_eq(drmSyncobjExportSyncFile(fd, syncobj,
						       &in_fence), 0);
	igt_assert_eq(wb_commit(&w, f.vkms_fb, in_fence,
				DRM_MODE_ATOMIC_NONBLOCK, &out), 0);
	igt_assert(out >= 0);
	/* held: the commit waits for the job's fence */
	igt_assert_f(!fence_wait(out, 300),
		     "writeback completed before the device's write\n");
	vsvm_vm_query(fd, f.vm, &q);
	igt_assert_lt_u64(q.completed, q.submitted);

	sw_sync_timeline_inc(timeline, 1);
	igt_assert_f(fence_wait(out, WB_TIMEOUT_MS), "writeback timed out\n");
	close(out);
	igt_assert_eq(vsvm_syncobj_status(fd, syncobj), 1);
	igt_assert_f(!memcmp(w.out, img, w.size),
		     "writeback shows an incomplete device write\n");

	if (in_fence >= 0)
		close(in_fence);
	drmSyncobjDestroy(fd, syncobj);
	frame_release_vkms(&f, &w);
	frame_destroy(&f);
	wb_close(&w);
	close(fd);
	close(hold);
	vsvm_timeline_release(timeline);
	free(img);
	free(old);
}

/* A dma-buf of the same device imports as the same object. */
static void test_self_import(int fd)
{
	uint32_t h, h2, h3, buf[1024], out[1024], i;
	int dmabuf, fd2;

	h = vsvm_gem_create(fd, sizeof(buf), ALL_PL, DRM_VSVM_PL_VRAM, 0);
	for (i = 0; i < 1024; i++)
		buf[i] = i * 0x01010101u;
	vsvm_gem_write(fd, h, 0, buf, sizeof(buf));
	igt_assert_eq(drmPrimeHandleToFD(fd, h, DRM_CLOEXEC, &dmabuf), 0);
	igt_assert_eq(drmPrimeFDToHandle(fd, dmabuf, &h2), 0);
	igt_assert_eq_u32(h2, h);

	fd2 = drm_open_driver_render(DRIVER_VSVM);
	igt_assert_eq(drmPrimeFDToHandle(fd2, dmabuf, &h3), 0);
	vsvm_gem_read(fd2, h3, 0, out, sizeof(out));
	igt_assert(!memcmp(out, buf, sizeof(buf)));
	/* no pin: the shared object still moves */
	vsvm_gem_migrate(fd2, h3, DRM_VSVM_PL_SYSTEM, 0, sizeof(buf));
	vsvm_gem_migrate(fd, h, DRM_VSVM_PL_VRAM, 0, sizeof(buf));
	vsvm_gem_read(fd2, h3, 0, out, sizeof(out));
	igt_assert(!memcmp(out, buf, sizeof(buf)));
	close(fd2);
	close(dmabuf);
	vsvm_gem_close(fd, h);
}

/* The dma-buf mmap is the object's mapping; CPU access waits for jobs. */
static void test_dmabuf_mmap(int fd)
{
	struct wb w = { .width = 64, .height = 16, .pitch = 256,
			.size = 4096 };
	struct frame f;
	uint32_t *img, *p;

	img = image(&w, 6);
	frame_create(&f, fd, &w, w.size, DRM_VSVM_PL_VRAM);
	frame_draw(&f, &w, 6);
	igt_assert_eq(drmPrimeHandleToFD(fd, f.handle, DRM_CLOEXEC | DRM_RDWR,
					 &f.dmabuf), 0);
	p = mmap(NULL, w.size, PROT_READ | PROT_WRITE, MAP_SHARED, f.dmabuf,
		 0);
	igt_assert(p != MAP_FAILED);
	igt_assert(!memcmp(p, img, w.size));
	p[1] = 0xdeadbeef;
	img[1] = 0xdeadbeef;
	assert_device_image(fd, f.handle, img, w.size);
	munmap(p, w.size);
	frame_destroy(&f);
	free(img);
}

/* Bad input: handles, flags, a framebuffer larger than the buffer. */
static void test_bad_export(int fd)
{
	struct drm_prime_handle args = {};
	uint32_t h;
	int dmabuf;

	igt_assert_eq(drmPrimeHandleToFD(fd, 0, DRM_CLOEXEC, &dmabuf), -1);
	igt_assert_eq(errno, ENOENT);
	igt_assert_eq(drmPrimeHandleToFD(fd, 0xdead, DRM_CLOEXEC, &dmabuf), -1);
	igt_assert_eq(errno, ENOENT);
	h = vsvm_gem_create(fd, 4096, ALL_PL, DRM_VSVM_PL_SYSTEM, 0);
	vsvm_gem_close(fd, h);
	igt_assert_eq(drmPrimeHandleToFD(fd, h, DRM_CLOEXEC, &dmabuf), -1);
	igt_assert_eq(errno, ENOENT);

	h = vsvm_gem_create(fd, 4096, ALL_PL, DRM_VSVM_PL_SYSTEM, 0);
	args.handle = h;
	args.flags = 0x40000000;
	igt_assert_eq(drmIoctl(fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &args), -1);
	igt_assert_eq(errno, EINVAL);
	/* a file that is not a dma-buf */
	igt_assert_eq(drmPrimeFDToHandle(fd, fd, &h), -1);
	vsvm_gem_close(fd, args.handle);
}

static void test_fb_too_large(int fd)
{
	struct frame f;
	struct wb w;

	wb_open(&w);
	frame_create(&f, fd, &w, w.size - 4096, DRM_VSVM_PL_SYSTEM);
	igt_assert_eq(__frame_import(&f, &w, w.width, w.height), -EINVAL);
	/* the pitch/size arithmetic must not wrap either */
	igt_assert_eq(__frame_import(&f, &w, 0x10000, 0x10000), -EINVAL);
	frame_release_vkms(&f, &w);
	frame_destroy(&f);
	wb_close(&w);
}

/*
 * Closing the vsvm file (and the dma-buf fd) while vkms scans the buffer
 * out: the object lives on through the dma-buf, the image stays.
 */
static void test_close_exporter(void)
{
	struct frame f;
	struct wb w;
	uint32_t *img;
	int fd;

	fd = drm_open_driver_render(DRIVER_VSVM);
	wb_open(&w);
	img = image(&w, 7);
	frame_create(&f, fd, &w, w.size, DRM_VSVM_PL_VRAM);
	frame_draw(&f, &w, 7);
	frame_import(&f, &w);
	wb_check(&w, f.vkms_fb, img);
	close(f.dmabuf);
	close(fd);
	wb_check(&w, f.vkms_fb, img);
	wb_check(&w, f.vkms_fb, img);
	frame_release_vkms(&f, &w);
	wb_close(&w);
	free(img);
}

/*
 * Closing vkms while the object is in use on the vsvm side: the pin goes
 * with it, the object migrates again, data intact.
 */
static void test_close_importer(int fd)
{
	struct frame f;
	struct wb w;
	uint32_t *img;

	wb_open(&w);
	img = image(&w, 8);
	frame_create(&f, fd, &w, w.size, DRM_VSVM_PL_VRAM);
	frame_draw(&f, &w, 8);
	frame_import(&f, &w);
	wb_check(&w, f.vkms_fb, img);
	wb_close(&w);
	/* vkms' file is gone (framebuffers, handles, attachment, pin) */
	vsvm_gem_migrate(fd, f.handle, DRM_VSVM_PL_VRAM, 0, w.size);
	assert_placement(fd, f.handle, DRM_VSVM_PL_VRAM);
	assert_device_image(fd, f.handle, img, w.size);
	vsvm_gem_migrate(fd, f.handle, DRM_VSVM_PL_GTT, 0, w.size);
	assert_device_image(fd, f.handle, img, w.size);
	frame_destroy(&f);
	free(img);
}

/*
 * vsvm cannot be unloaded while vkms holds one of its buffers (the dma-buf
 * holds the module); once vkms lets go it unloads cleanly and comes back.
 */
static void test_unload(void)
{
	char params[512];
	struct frame f;
	struct wb w;
	uint32_t *img;
	int fd, ret;

	igt_require(vsvm_module_loaded());
	igt_assert_eq(vsvm_module_params(params, sizeof(params)), 0);
	fd = drm_open_driver_render(DRIVER_VSVM);
	wb_open(&w);
	img = image(&w, 9);
	frame_create(&f, fd, &w, w.size, DRM_VSVM_PL_VRAM);
	frame_draw(&f, &w, 9);
	frame_import(&f, &w);
	close(f.dmabuf);
	vsvm_vm_destroy(fd, f.vm);
	close(fd);

	ret = vsvm_module_unload();
	igt_assert_f(ret == -EBUSY || ret == -EWOULDBLOCK,
		     "unload with an imported buffer returned %d\n", ret);
	wb_check(&w, f.vkms_fb, img);

	frame_release_vkms(&f, &w);
	ret = vsvm_module_unload();
	igt_assert_eq(vsvm_module_load(params), 0);
	igt_assert_f(ret == 0, "unload after release returned %d\n", ret);
	wb_close(&w);
	fd = drm_open_driver_render(DRIVER_VSVM);
	igt_assert(vsvm_get_param(fd, DRM_VSVM_PARAM_VRAM_SIZE) > 0);
	close(fd);
	free(img);
}

int igt_main()
{
	int fd = -1;

	igt_fixture() {
		fd = drm_open_driver_render(DRIVER_VSVM);
	}

	igt_describe("The vsvm device draws into VRAM; vkms scans the exported object out and its writeback returns the device's bytes exactly.");
	igt_subtest("basic")
		test_basic(fd);

	igt_describe("vkms (a static importer) pins the object in system memory: moves to VRAM fail with -EBUSY, device writes land in the pinned pages; after release it migrates again.");
	igt_subtest("static-pin")
		test_static_pin(fd);

	igt_describe("Implicit sync: a commit of a frame whose device write is held back completes only after the write, showing all of it.");
	igt_subtest("implicit-fence")
		test_fence(false);

	igt_describe("Explicit sync: the job's fence as a sync_file in IN_FENCE_FD holds the commit until the write is complete.");
	igt_subtest("explicit-fence")
		test_fence(true);

	igt_describe("A dma-buf imported into the device that exported it is the same object (same handle in the same file), not pinned.");
	igt_subtest("self-import")
		test_self_import(fd);

	igt_describe("mmap of the dma-buf is the object's own mapping, coherent with the device.");
	igt_subtest("dmabuf-mmap")
		test_dmabuf_mmap(fd);

	igt_describe("Export of invalid or closed handles fails with -ENOENT, unknown flags with -EINVAL.");
	igt_subtest("bad-export")
		test_bad_export(fd);

	igt_describe("A framebuffer larger than the imported buffer is refused with -EINVAL.");
	igt_subtest("fb-too-large")
		test_fb_too_large(fd);

	igt_describe("Closing the vsvm file and the dma-buf while vkms scans out keeps the buffer and its image.");
	igt_subtest("close-exporter")
		test_close_exporter();

	igt_describe("Closing vkms while vsvm uses the object drops the pin; the data stays.");
	igt_subtest("close-importer")
		test_close_importer(fd);

	igt_fixture() {
		close(fd);
	}

	igt_describe("vsvm does not unload while vkms holds one of its buffers; it unloads cleanly after release.");
	igt_subtest("unload-busy")
		test_unload();
}
