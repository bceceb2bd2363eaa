// SPDX-License-Identifier: MIT
/*
 * Copyright © 2026 The drm-svm authors
 */

/**
 * TEST: vsvm prime virtio
 * Description: dma-buf import into vsvm from virtio-gpu: a virtio-gpu dumb
 *              buffer exported as PRIME is imported into vsvm over the
 *              exporter's pages, written by the vsvm device, scanned out by
 *              virtio-gpu and compared pixel for pixel with a screendump of
 *              the QEMU display; implicit (shared dma_resv) and explicit
 *              (sync_file as IN_FENCE_FD) fences across the two drivers;
 *              bad imports, closing either side mid-use, exporter unload.
 * Category: Core
 * Mega feature: drm-svm
 * Sub-category: dma-buf
 */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/sync_file.h>
#include <xf86drm.h>
#include <xf86drmMode.h>
#include <drm_fourcc.h>

#include "igt.h"
#include "sw_sync.h"
#include "igt_vsvm.h"

#define PAGE 4096ull
/* GPU VAs of the picture source and of the import in the vsvm VM. */
#define SRC_VA 0x100000000000ull
#define DST_VA 0x200000000000ull
#define ALL_PL (DRM_VSVM_PL_MASK(DRM_VSVM_PL_SYSTEM) | \
		DRM_VSVM_PL_MASK(DRM_VSVM_PL_GTT) | \
		DRM_VSVM_PL_MASK(DRM_VSVM_PL_VRAM))


struct kms {
	int fd;
	uint32_t crtc, conn, plane;
	drmModeModeInfo mode;
	uint32_t prop_fb_id, prop_in_fence;
};

struct vbuf {
	uint32_t width, height, pitch, handle, fb;
	uint64_t size;
	uint32_t *map;
	int dmabuf;
};

/* ---- the picture ---- */

/*
 * A recognisable, text-free picture: a diagonal colour gradient, a
 * checkerboard in the top-left quarter, concentric rings in the centre and
 * a band of vertical bars at the bottom. @variant changes the colours.
 */
static uint32_t picture_pixel(uint32_t x, uint32_t y, uint32_t w, uint32_t h,
			      int variant)
{
	int64_t dx = (int64_t)x - w / 2, dy = (int64_t)y - h / 2;
	int64_t d2 = dx * dx + dy * dy, r = (w < h ? w : h) / 3;
	uint32_t cr, cg, cb;

	cr = x * 255 / (w - 1);
	cg = y * 255 / (h - 1);
	cb = 255 - (x + y) * 255 / (w + h - 2);
	if (x < w / 4 && y < h / 4)
		cr = cg = cb = ((x / 32) ^ (y / 32)) & 1 ? 0xf0 : 0x10;
	if (d2 < r * r) {
		int64_t k;

		for (k = 1; k <= 6 && d2 >= (k * r / 6) * (k * r / 6); k++)
			;
		if (k & 1) {
			cr = 0xff;
			cg = 0x40 + 0x20 * (uint32_t)k;
			cb = 0x00;
		} else {
			cr = 0x10;
			cg = 0x30 * (uint32_t)k;
			cb = 0xff;
		}
	}
	if (y >= h - h / 8)
		cr = cg = cb = (x / 16) % 2 ? (x * 255 / (w - 1)) : 0x20;
	if (variant) {
		uint32_t t = cr;

		cr = cb;
		cb = t;
		cg ^= 0x80;
	}
	return cr << 16 | cg << 8 | cb;
}

/* The picture in XRGB8888 with @pitch bytes per line (padding zero). */
static uint32_t *picture(uint32_t w, uint32_t h, uint32_t pitch,
			 uint64_t size, int variant)
{
	uint32_t *p = calloc(1, size);

	igt_assert(p);
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++)
			p[y * (pitch / 4) + x] = picture_pixel(x, y, w, h,
							       variant);
	return p;
}

static void assert_words(const uint32_t *got, const uint32_t *want,
			 uint64_t bytes, const char *what)
{
	for (uint64_t i = 0; i < bytes / 4; i++)
		igt_assert_f(got[i] == want[i],
			     "%s: word %llu is 0x%08x, expected 0x%08x\n", what,
			     (unsigned long long)i, got[i], want[i]);
}

/* ---- screendumps through the host's QMP service (ci/vm-run.sh) ---- */

static const char *screendump_dir(char *buf, size_t len)
{
	const char *out = getenv("VM_OUT");
	char service[512];

	igt_require_f(out, "not in the test VM: $VM_OUT is not set\n");
	snprintf(buf, len, "%s/screendump", out);
	snprintf(service, sizeof(service), "%s/service", buf);
	igt_require_f(access(service, F_OK) == 0,
		      "no screendump service on the host (%s)\n", service);
	return buf;
}

/* Ask for a screendump NAME.ppm (+ NAME.png); returns the PPM path. */
static void screendump(const char *name, char *ppm, size_t len)
{
	char dir[256], req[512], tmp[520], done[512], res[128] = "";
	struct timespec start;
	FILE *f;

	screendump_dir(dir, sizeof(dir));
	snprintf(req, sizeof(req), "%s/%s.req", dir, name);
	snprintf(tmp, sizeof(tmp), "%s.tmp", req);
	snprintf(done, sizeof(done), "%s/%s.done", dir, name);
	unlink(done);
	f = fopen(tmp, "w");
	igt_assert(f);
	fputs("screendump\n", f);
	igt_assert_eq(fclose(f), 0);
	igt_assert_eq(rename(tmp, req), 0);

	igt_gettime(&start);
	while (access(done, F_OK)) {
		igt_assert_f(igt_seconds_elapsed(&start) < 120,
			     "no screendump after 120 s\n");
		usleep(50 * 1000);
	}
	f = fopen(done, "r");
	igt_assert(f);
	igt_assert(fgets(res, sizeof(res), f));
	fclose(f);
	igt_assert_f(!strncmp(res, "ok", 2), "screendump failed: %s", res);
	snprintf(ppm, len, "%s/%s.ppm", dir, name);
	igt_info("screendump: %s/%s.png\n", dir, name);
}

/* Compare a PPM screendump with the XRGB8888 picture, pixel for pixel. */
static void assert_screen(const char *name, const uint32_t *want,
			  uint32_t w, uint32_t h, uint32_t pitch)
{
	unsigned int pw, ph, maxval;
	uint64_t bad = 0, first = UINT64_MAX;
	char ppm[512];
	uint8_t *line;
	FILE *f;

	screendump(name, ppm, sizeof(ppm));
	f = fopen(ppm, "rb");
	igt_assert(f);
	igt_assert_eq(fscanf(f, "P6 %u %u %u", &pw, &ph, &maxval), 3);
	igt_assert_eq(fgetc(f), '\n');
	igt_assert_f(pw == w && ph == h && maxval == 255,
		     "screen is %ux%u (max %u), expected %ux%u\n", pw, ph,
		     maxval, w, h);
	line = malloc(3 * w);
	igt_assert(line);
	for (uint32_t y = 0; y < h; y++) {
		igt_assert_eq(fread(line, 3, w, f), w);
		for (uint32_t x = 0; x < w; x++) {
			uint32_t p = want[y * (pitch / 4) + x];
			uint32_t got = line[3 * x] << 16 | line[3 * x + 1] << 8 |
				line[3 * x + 2];

			if (got != (p & 0xffffff)) {
				if (!bad++)
					first = (uint64_t)y << 32 | x;
			}
		}
	}
	free(line);
	fclose(f);
	igt_assert_f(!bad, "%s: %llu of %u pixels differ, first at (%u, %u)\n",
		     name, (unsigned long long)bad, w * h,
		     (uint32_t)first, (uint32_t)(first >> 32));
	igt_info("%s: all %u pixels match\n", name, w * h);
}

/* ---- virtio-gpu side ---- */

static uint32_t plane_prop(int fd, uint32_t plane, const char *name)
{
	drmModeObjectProperties *props;
	uint32_t id = 0;

	props = drmModeObjectGetProperties(fd, plane, DRM_MODE_OBJECT_PLANE);
	igt_assert(props);
	for (uint32_t i = 0; i < props->count_props && !id; i++) {
		drmModePropertyRes *p = drmModeGetProperty(fd, props->props[i]);

		if (p && !strcmp(p->name, name))
			id = p->prop_id;
		drmModeFreeProperty(p);
	}
	drmModeFreeObjectProperties(props);
	return id;
}

static bool plane_is_primary(int fd, uint32_t plane)
{
	drmModeObjectProperties *props;
	bool primary = false;

	props = drmModeObjectGetProperties(fd, plane, DRM_MODE_OBJECT_PLANE);
	igt_assert(props);
	for (uint32_t i = 0; i < props->count_props; i++) {
		drmModePropertyRes *p = drmModeGetProperty(fd, props->props[i]);

		if (p && !strcmp(p->name, "type"))
			primary = props->prop_values[i] == DRM_PLANE_TYPE_PRIMARY;
		drmModeFreeProperty(p);
	}
	drmModeFreeObjectProperties(props);
	return primary;
}

/* Open the virtio-gpu card as master and find a connected output. */
static void kms_open(struct kms *k)
{
	drmModePlaneRes *planes;
	drmModeRes *res;
	int crtc_index = -1;

	memset(k, 0, sizeof(*k));
	k->fd = drm_open_driver_master(DRIVER_VIRTIO);
	igt_require(drmSetClientCap(k->fd, DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1) == 0);
	igt_require(drmSetClientCap(k->fd, DRM_CLIENT_CAP_ATOMIC, 1) == 0);
	res = drmModeGetResources(k->fd);
	igt_assert(res);
	for (int i = 0; i < res->count_connectors && !k->conn; i++) {
		drmModeConnector *c = drmModeGetConnector(k->fd, res->connectors[i]);
		drmModeEncoder *e;

		if (!c)
			continue;
		if (c->connection == DRM_MODE_CONNECTED && c->count_modes &&
		    c->count_encoders) {
			e = drmModeGetEncoder(k->fd, c->encoders[0]);
			for (int j = 0; e && j < res->count_crtcs; j++) {
				if (e->possible_crtcs & (1u << j)) {
					crtc_index = j;
					break;
				}
			}
			drmModeFreeEncoder(e);
			if (crtc_index >= 0) {
				k->conn = c->connector_id;
				k->mode = c->modes[0];
				for (int m = 0; m < c->count_modes; m++)
					if (c->modes[m].type & DRM_MODE_TYPE_PREFERRED) {
						k->mode = c->modes[m];
						break;
					}
				k->crtc = res->crtcs[crtc_index];
			}
		}
		drmModeFreeConnector(c);
	}
	drmModeFreeResources(res);
	igt_require_f(k->conn, "virtio-gpu has no connected output\n");

	planes = drmModeGetPlaneResources(k->fd);
	igt_assert(planes);
	for (uint32_t i = 0; i < planes->count_planes && !k->plane; i++) {
		drmModePlane *p = drmModeGetPlane(k->fd, planes->planes[i]);

		if (p && p->possible_crtcs & (1u << crtc_index) &&
		    plane_is_primary(k->fd, p->plane_id))
			k->plane = p->plane_id;
		drmModeFreePlane(p);
	}
	drmModeFreePlaneResources(planes);
	igt_assert(k->plane);
	k->prop_fb_id = plane_prop(k->fd, k->plane, "FB_ID");
	k->prop_in_fence = plane_prop(k->fd, k->plane, "IN_FENCE_FD");
	igt_assert(k->prop_fb_id);
}

static void kms_close(struct kms *k)
{
	if (k->fd >= 0)
		drm_close_driver(k->fd);
	k->fd = -1;
}

/* A dumb buffer, CPU-mapped, with a framebuffer and a dma-buf fd. */
static void vbuf_create(int fd, struct vbuf *b, uint32_t w, uint32_t h,
			bool with_fb)
{
	uint32_t handles[4] = {}, pitches[4] = {}, offsets[4] = {};
	uint64_t off;

	memset(b, 0, sizeof(*b));
	b->dmabuf = -1;
	b->width = w;
	b->height = h;
	igt_assert_eq(drmModeCreateDumbBuffer(fd, w, h, 32, 0, &b->handle,
					      &b->pitch, &b->size), 0);
	igt_assert_eq(drmModeMapDumbBuffer(fd, b->handle, &off), 0);
	b->map = mmap(NULL, b->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		      off);
	igt_assert(b->map != MAP_FAILED);
	if (with_fb) {
		handles[0] = b->handle;
		pitches[0] = b->pitch;
		igt_assert_eq(drmModeAddFB2(fd, w, h, DRM_FORMAT_XRGB8888,
					    handles, pitches, offsets, &b->fb,
					    0), 0);
	}
	igt_assert_eq(drmPrimeHandleToFD(fd, b->handle, DRM_CLOEXEC | DRM_RDWR,
					 &b->dmabuf), 0);
}

static void vbuf_destroy(int fd, struct vbuf *b)
{
	if (b->dmabuf >= 0)
		close(b->dmabuf);
	if (b->map)
		munmap(b->map, b->size);
	if (b->fb)
		drmModeRmFB(fd, b->fb);
	if (b->handle)
		drmModeDestroyDumbBuffer(fd, b->handle);
	memset(b, 0, sizeof(*b));
	b->dmabuf = -1;
}

static uint32_t vsvm_import(int vfd, int dmabuf)
{
	uint32_t h = 0;

	igt_assert_eq(drmPrimeFDToHandle(vfd, dmabuf, &h), 0);
	igt_assert(h);
	return h;
}

/* ---- fences ---- */


static int sync_file_status(int fd)
{
	struct sync_file_info info = {};

	igt_assert_eq(ioctl(fd, SYNC_IOC_FILE_INFO, &info), 0);
	return info.status;
}

/* Status of the implicit fences of a dma-buf (all of them): 1 signalled. */
static int dmabuf_fences_status(int dmabuf)
{
	struct dma_buf_export_sync_file e = { .flags = DMA_BUF_SYNC_WRITE,
					      .fd = -1 };
	int status;

	igt_assert_eq(ioctl(dmabuf, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &e), 0);
	status = sync_file_status(e.fd);
	close(e.fd);
	return status;
}

static int flips;

static void flip_handler(int fd, unsigned int seq, unsigned int sec,
			 unsigned int usec, void *data)
{
	flips++;
}

/* Wait up to @ms for a page-flip event; returns whether one came. */
static bool wait_flip(int fd, int ms)
{
	drmEventContext ev = { .version = 2,
			       .page_flip_handler = flip_handler };
	struct pollfd p = { .fd = fd, .events = POLLIN };

	flips = 0;
	if (poll(&p, 1, ms) <= 0)
		return false;
	igt_assert_eq(drmHandleEvent(fd, &ev), 0);
	return flips > 0;
}

/* Nonblocking atomic flip of the primary plane to @fb. */
static void commit_fb(struct kms *k, uint32_t fb, int in_fence)
{
	drmModeAtomicReq *req = drmModeAtomicAlloc();

	igt_assert(req);
	igt_assert(drmModeAtomicAddProperty(req, k->plane, k->prop_fb_id, fb) > 0);
	if (in_fence >= 0)
		igt_assert(drmModeAtomicAddProperty(req, k->plane,
						    k->prop_in_fence,
						    (uint64_t)in_fence) > 0);
	igt_assert_eq(drmModeAtomicCommit(k->fd, req,
					  DRM_MODE_ATOMIC_NONBLOCK |
					  DRM_MODE_PAGE_FLIP_EVENT, NULL), 0);
	drmModeAtomicFree(req);
}

/* ---- vsvm side ---- */

/* A vsvm object in VRAM holding @data, written by the device. */
static uint32_t vsvm_source(int vfd, const void *data, uint64_t size)
{
	uint32_t h = vsvm_gem_create(vfd, size, ALL_PL, DRM_VSVM_PL_VRAM, 0);

	vsvm_gem_write(vfd, h, 0, data, size);
	return h;
}

/* Exec COPY src -> import on the compute engine; returns the exec's syncobj. */
static uint32_t copy_to_import(int vfd, uint32_t vm, uint64_t size,
			       const uint32_t *in, uint32_t nin)
{
	struct drm_vsvm_cmd c = vsvm_cmd(DRM_VSVM_CMD_COPY, DST_VA, SRC_VA,
					 size, 0, 0);
	uint32_t out;

	igt_assert_eq(drmSyncobjCreate(vfd, 0, &out), 0);
	vsvm_exec(vfd, vm, &c, 1, in, nin, out);
	return out;
}

static void wait_syncobj_ok(int vfd, uint32_t s)
{
	igt_assert_eq(drmSyncobjWait(vfd, &s, 1, INT64_MAX, 0, NULL), 0);
	igt_assert_eq(vsvm_syncobj_status(vfd, s), 1);
}

/* ---- subtests ---- */

static void test_import_access(int vfd)
{
	struct drm_vsvm_chunk_state st[4];
	uint32_t imp, nchunks, *data, *back, *m;
	uint64_t chunk_size, off;
	struct kms k;
	struct vbuf b;

	kms_open(&k);
	vbuf_create(k.fd, &b, 256, 128, false);
	imp = vsvm_import(vfd, b.dmabuf);
	data = picture(256, 128, b.pitch, b.size, 0);
	back = calloc(1, b.size);
	igt_assert(back);

	/* vsvm device writes land in virtio-gpu's pages (no copy). */
	vsvm_gem_write(vfd, imp, 0, data, b.size);
	assert_words(b.map, data, b.size, "virtio map after vsvm write");
	/* CPU writes through virtio-gpu are what the vsvm device reads. */
	for (uint64_t i = 0; i < b.size / 4; i++)
		b.map[i] = ~data[i];
	vsvm_gem_read(vfd, imp, 0, back, b.size);
	for (uint64_t i = 0; i < b.size / 4; i++)
		igt_assert_eq_u32(back[i], ~data[i]);
	/* Device fill. */
	vsvm_gem_fill(vfd, imp, PAGE, PAGE, 0x5a5a1234);
	for (uint64_t i = PAGE / 4; i < 2 * PAGE / 4; i++)
		igt_assert_eq_u32(b.map[i], 0x5a5a1234);

	/* Residency: GTT-like, populated; migration is refused. */
	igt_assert_eq(__vsvm_gem_residency(vfd, imp, st, 4, &nchunks,
					   &chunk_size), 0);
	igt_assert(nchunks >= 1);
	igt_assert_eq(st[0].placement, DRM_VSVM_PL_GTT);
	igt_assert(st[0].flags & DRM_VSVM_CHUNK_POPULATED);
	for (uint32_t pl = 0; pl < DRM_VSVM_PL_COUNT; pl++)
		igt_assert_eq(__vsvm_gem_migrate(vfd, imp, pl, 0, b.size, 0, 0),
			      -EOPNOTSUPP);

	/* CPU mmap through vsvm goes to the exporter (dma_buf_mmap). */
	igt_assert_eq(__vsvm_gem_mmap_offset(vfd, imp, &off), 0);
	m = mmap(NULL, b.size, PROT_READ | PROT_WRITE, MAP_SHARED, vfd, off);
	igt_assert(m != MAP_FAILED);
	for (uint64_t i = 0; i < b.size / 4; i++)
		igt_assert_eq_u32(m[i], b.map[i]);
	m[7] = 0xfeedf00d;
	igt_assert_eq_u32(b.map[7], 0xfeedf00d);
	vsvm_gem_read(vfd, imp, 0, back, PAGE);
	igt_assert_eq_u32(back[7], 0xfeedf00d);
	munmap(m, b.size);

	/* Importing the same dma-buf again gives the same handle. */
	igt_assert_eq(vsvm_import(vfd, b.dmabuf), imp);

	vsvm_gem_close(vfd, imp);
	free(data);
	free(back);
	vbuf_destroy(k.fd, &b);
	kms_close(&k);
}

/* The compute engine fills and copies into a bound import. */
static void test_exec_write(int vfd)
{
	struct drm_vsvm_cmd c[2];
	uint32_t imp, src, vm, *data;
	struct kms k;
	struct vbuf b;

	kms_open(&k);
	vbuf_create(k.fd, &b, 320, 200, false);
	imp = vsvm_import(vfd, b.dmabuf);
	data = picture(320, 200, b.pitch, b.size, 1);
	src = vsvm_source(vfd, data, b.size);
	vm = vsvm_vm_create(vfd, 0);
	vsvm_vm_bind(vfd, vm, DRM_VSVM_VM_BIND_OP_MAP, 0, src, SRC_VA,
		     b.size, 0);
	vsvm_vm_bind(vfd, vm, DRM_VSVM_VM_BIND_OP_MAP, 0, imp, DST_VA,
		     b.size, 0);

	c[0] = vsvm_cmd(DRM_VSVM_CMD_FILL, DST_VA, b.size, 0x01020304, 0, 0);
	igt_assert_eq(vsvm_exec_wait(vfd, vm, c, 1), 0);
	for (uint64_t i = 0; i < b.size / 4; i++)
		igt_assert_eq_u32(b.map[i], 0x01020304);

	c[0] = vsvm_cmd(DRM_VSVM_CMD_COPY, DST_VA, SRC_VA, b.size, 0, 0);
	igt_assert_eq(vsvm_exec_wait(vfd, vm, c, 1), 0);
	assert_words(b.map, data, b.size, "virtio map after exec COPY");

	vsvm_vm_destroy(vfd, vm);
	vsvm_gem_close(vfd, src);
	vsvm_gem_close(vfd, imp);
	free(data);
	vbuf_destroy(k.fd, &b);
	kms_close(&k);
}

struct scene {
	struct kms k;
	struct vbuf b;
	uint32_t imp, src, vm;
	uint32_t *data;
};

/* A screen-sized virtio buffer imported into vsvm, and a vsvm source. */
static void scene_setup(int vfd, struct scene *s, int variant)
{
	kms_open(&s->k);
	vbuf_create(s->k.fd, &s->b, s->k.mode.hdisplay, s->k.mode.vdisplay,
		    true);
	igt_info("mode %ux%u, pitch %u, %llu bytes\n", s->b.width,
		 s->b.height, s->b.pitch, (unsigned long long)s->b.size);
	s->imp = vsvm_import(vfd, s->b.dmabuf);
	s->data = picture(s->b.width, s->b.height, s->b.pitch, s->b.size,
			  variant);
	s->src = vsvm_source(vfd, s->data, s->b.size);
	s->vm = vsvm_vm_create(vfd, 0);
	vsvm_vm_bind(vfd, s->vm, DRM_VSVM_VM_BIND_OP_MAP, 0, s->src, SRC_VA,
		     s->b.size, 0);
	vsvm_vm_bind(vfd, s->vm, DRM_VSVM_VM_BIND_OP_MAP, 0, s->imp, DST_VA,
		     s->b.size, 0);
	/* Start from black: the picture must come from the device. */
	memset(s->b.map, 0, s->b.size);
}

static void scene_teardown(int vfd, struct scene *s)
{
	vsvm_vm_destroy(vfd, s->vm);
	vsvm_gem_close(vfd, s->src);
	vsvm_gem_close(vfd, s->imp);
	free(s->data);
	vbuf_destroy(s->k.fd, &s->b);
	kms_close(&s->k);
}

static void set_crtc(struct scene *s)
{
	igt_assert_eq(drmModeSetCrtc(s->k.fd, s->k.crtc, s->b.fb, 0, 0,
				     &s->k.conn, 1, &s->k.mode), 0);
}

/*
 * The picture path: vsvm writes the picture into virtio-gpu's buffer (the
 * exec is not waited for: SetCrtc waits for its fence in the shared
 * reservation object), the buffer is scanned out and flushed, and the
 * QEMU display shows exactly the picture.
 */
static void test_screendump(int vfd)
{
	struct scene s;
	uint32_t out;

	screendump_dir((char[256]){}, 256);
	scene_setup(vfd, &s, 0);
	out = copy_to_import(vfd, s.vm, s.b.size, NULL, 0);
	set_crtc(&s);
	igt_assert_eq(drmModeDirtyFB(s.k.fd, s.b.fb, NULL, 0), 0);
	wait_syncobj_ok(vfd, out);
	assert_words(s.b.map, s.data, s.b.size, "buffer");
	assert_screen("screendump", s.data, s.b.width, s.b.height, s.b.pitch);
	drmSyncobjDestroy(vfd, out);
	scene_teardown(vfd, &s);
}

/*
 * Implicit and explicit sync: the vsvm exec is held back by a sw_sync
 * fence; a nonblocking flip to the imported buffer must not complete until
 * the exec has written the whole picture, because virtio-gpu waits for the
 * vsvm fence found in the shared dma_resv (implicit) or passed as the
 * plane's IN_FENCE_FD (explicit).
 */
static void test_fenced_flip(int vfd, bool explicit)
{
	struct scene s;
	struct vbuf first;
	uint32_t hold, out;
	int timeline, in_fence = -1;

	screendump_dir((char[256]){}, 256);
	timeline = sw_sync_timeline_create();
	scene_setup(vfd, &s, 1);
	igt_require(!explicit || s.k.prop_in_fence);

	/* Something else on screen first: the flip is then a real change. */
	vbuf_create(s.k.fd, &first, s.b.width, s.b.height, true);
	memset(first.map, 0x80, first.size);
	igt_assert_eq(drmModeSetCrtc(s.k.fd, s.k.crtc, first.fb, 0, 0,
				     &s.k.conn, 1, &s.k.mode), 0);

	hold = vsvm_syncobj_from_timeline(vfd, timeline, 1);
	out = copy_to_import(vfd, s.vm, s.b.size, &hold, 1);
	igt_assert_eq(vsvm_syncobj_status(vfd, out), 0);
	/* vsvm's fence is in virtio-gpu's reservation object. */
	igt_assert_eq(dmabuf_fences_status(s.b.dmabuf), 0);
	if (explicit)
		igt_assert_eq(drmSyncobjExportSyncFile(vfd, out, &in_fence), 0);

	commit_fb(&s.k, s.b.fb, in_fence);
	igt_assert_f(!wait_flip(s.k.fd, 500),
		     "the flip completed before the vsvm exec ran\n");
	igt_assert_eq(vsvm_syncobj_status(vfd, out), 0);

	sw_sync_timeline_inc(timeline, 1);
	igt_assert_f(wait_flip(s.k.fd, 120 * 1000), "no flip event\n");
	wait_syncobj_ok(vfd, out);
	igt_assert_eq(dmabuf_fences_status(s.b.dmabuf), 1);
	assert_screen(explicit ? "explicit-sync" : "implicit-sync", s.data,
		      s.b.width, s.b.height, s.b.pitch);

	if (in_fence >= 0)
		close(in_fence);
	drmSyncobjDestroy(vfd, out);
	drmSyncobjDestroy(vfd, hold);
	close(timeline);
	vbuf_destroy(s.k.fd, &first);
	scene_teardown(vfd, &s);
}

static void assert_import_fails(int vfd, int fd, int err)
{
	uint32_t h = 0;

	igt_assert_eq(drmPrimeFDToHandle(vfd, fd, &h), -1);
	igt_assert_eq(errno, err);
	igt_assert_eq(h, 0);
}

static void test_bad_import(int vfd)
{
	int fd;

	/* A file that is not a dma-buf. */
	fd = memfd_create("not-a-dmabuf", 0);
	igt_assert(fd >= 0);
	igt_assert_eq(ftruncate(fd, 65536), 0);
	assert_import_fails(vfd, fd, EINVAL);
	close(fd);
	/* A DRM fd is not a dma-buf either. */
	assert_import_fails(vfd, vfd, EINVAL);
	/* A closed descriptor. */
	assert_import_fails(vfd, fd, EBADF);
	assert_import_fails(vfd, -1, EBADF);
}

/* A buffer too small for the use asked of it: clear errors, nothing lost. */
static void test_too_small(int vfd)
{
	struct drm_vsvm_cmd c;
	struct drm_vsvm_vm_query q;
	uint32_t imp, src, vm, *buf;
	struct kms k;
	struct vbuf b;

	kms_open(&k);
	vbuf_create(k.fd, &b, 64, 64, false);	/* 16 KiB */
	igt_assert_eq(b.size, 16384);
	imp = vsvm_import(vfd, b.dmabuf);
	buf = calloc(1, 8 * PAGE);
	igt_assert(buf);
	vm = vsvm_vm_create(vfd, 0);

	/* Bindings beyond the buffer. */
	igt_assert_eq(__vsvm_vm_bind(vfd, vm, DRM_VSVM_VM_BIND_OP_MAP, 0, imp,
				     DST_VA, 2 * b.size, 0), -EINVAL);
	igt_assert_eq(__vsvm_vm_bind(vfd, vm, DRM_VSVM_VM_BIND_OP_MAP, 0, imp,
				     DST_VA, b.size, PAGE), -EINVAL);
	igt_assert_eq(__vsvm_vm_bind(vfd, vm, DRM_VSVM_VM_BIND_OP_MAP, 0, imp,
				     DST_VA, PAGE, b.size), -EINVAL);
	/* Device accesses beyond the buffer. */
	igt_assert_eq(__vsvm_gem_access(vfd, imp, DRM_VSVM_ACCESS_WRITE, 0,
					b.size + PAGE, buf, 0), -EINVAL);
	igt_assert_eq(__vsvm_gem_access(vfd, imp, DRM_VSVM_ACCESS_FILL,
					b.size, 4, NULL, 1), -EINVAL);
	igt_assert_eq(__vsvm_gem_access(vfd, imp, DRM_VSVM_ACCESS_READ, 8,
					UINT64_MAX, buf, 0), -EINVAL);

	/* A copy longer than the binding stops at its end with EFAULT. */
	for (uint32_t i = 0; i < 8 * PAGE / 4; i++)
		buf[i] = 0xc0000000 | i;
	src = vsvm_source(vfd, buf, 8 * PAGE);
	vsvm_vm_bind(vfd, vm, DRM_VSVM_VM_BIND_OP_MAP, 0, src, SRC_VA,
		     8 * PAGE, 0);
	vsvm_vm_bind(vfd, vm, DRM_VSVM_VM_BIND_OP_MAP, 0, imp, DST_VA, b.size,
		     0);
	memset(b.map, 0, b.size);
	c = vsvm_cmd(DRM_VSVM_CMD_COPY, DST_VA, SRC_VA, 8 * PAGE, 0, 0);
	igt_assert_eq(vsvm_exec_wait(vfd, vm, &c, 1), -EFAULT);
	vsvm_vm_query(vfd, vm, &q);
	igt_assert_eq(q.error, -EFAULT);
	igt_assert_eq_u64(q.error_addr, DST_VA + b.size);
	/* What fits was written, exactly. */
	assert_words(b.map, buf, b.size, "import after the partial copy");

	vsvm_vm_destroy(vfd, vm);
	vsvm_gem_close(vfd, src);
	vsvm_gem_close(vfd, imp);
	free(buf);
	vbuf_destroy(k.fd, &b);
	kms_close(&k);
}

/*
 * Closing either side while a vsvm job on the import is queued: the data
 * arrives and stays valid; everything is freed at the end (kmemleak).
 */
static void test_close_mid_use(int vfd, bool exporter)
{
	uint32_t imp, src, vm, hold, out, *data, *back;
	struct drm_vsvm_cmd c;
	int timeline;
	struct kms k;
	struct vbuf b;

	timeline = sw_sync_timeline_create();
	kms_open(&k);
	vbuf_create(k.fd, &b, 256, 256, false);
	imp = vsvm_import(vfd, b.dmabuf);
	data = picture(256, 256, b.pitch, b.size, 0);
	back = calloc(1, b.size);
	igt_assert(back);
	src = vsvm_source(vfd, data, b.size);
	vm = vsvm_vm_create(vfd, 0);
	vsvm_vm_bind(vfd, vm, DRM_VSVM_VM_BIND_OP_MAP, 0, src, SRC_VA,
		     b.size, 0);
	vsvm_vm_bind(vfd, vm, DRM_VSVM_VM_BIND_OP_MAP, 0, imp, DST_VA,
		     b.size, 0);
	memset(b.map, 0, b.size);
	hold = vsvm_syncobj_from_timeline(vfd, timeline, 1);
	c = vsvm_cmd(DRM_VSVM_CMD_COPY, DST_VA, SRC_VA, b.size, 0, 0);
	igt_assert_eq(drmSyncobjCreate(vfd, 0, &out), 0);
	vsvm_exec(vfd, vm, &c, 1, &hold, 1, out);

	if (exporter) {
		/* virtio-gpu side gone: dma-buf fd, handle, map, file. */
		vbuf_destroy(k.fd, &b);
		kms_close(&k);
		sw_sync_timeline_inc(timeline, 1);
		wait_syncobj_ok(vfd, out);
		vsvm_gem_read(vfd, imp, 0, back, 256 * 256 * 4);
		assert_words(back, data, 256 * 256 * 4, "import after the exporter closed");
		vsvm_vm_destroy(vfd, vm);
		vsvm_gem_close(vfd, imp);
	} else {
		/*
		 * vsvm side gone: handle closed while queued, VM destroyed
		 * (which would cancel the job) once it is done.
		 */
		vsvm_gem_close(vfd, imp);
		sw_sync_timeline_inc(timeline, 1);
		wait_syncobj_ok(vfd, out);
		vsvm_vm_destroy(vfd, vm);
		assert_words(b.map, data, b.size, "virtio buffer after the importer closed");
		vbuf_destroy(k.fd, &b);
		kms_close(&k);
	}
	vsvm_gem_close(vfd, src);
	drmSyncobjDestroy(vfd, out);
	drmSyncobjDestroy(vfd, hold);
	close(timeline);
	free(data);
	free(back);
}

static long module_refcnt(const char *name)
{
	char path[128];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/%s/refcnt", name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

static bool virtio_card_present(void)
{
	int fd = __drm_open_driver(DRIVER_VIRTIO);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/*
 * The exporter's module cannot go while vsvm holds an import of its
 * buffer (the dma-buf pins it); after the import is released it unloads
 * cleanly, and is loaded again for whatever runs next.
 */
static void test_exporter_unload(int vfd)
{
	uint32_t imp, *data, *back;
	struct timespec start;
	uint64_t size;
	long base;
	struct kms k;
	struct vbuf b;

	igt_require_f(module_refcnt("virtio_gpu") >= 0,
		      "virtio_gpu is not a loaded module\n");
	kms_open(&k);
	vbuf_create(k.fd, &b, 128, 128, false);
	imp = vsvm_import(vfd, b.dmabuf);
	data = picture(128, 128, b.pitch, b.size, 1);
	back = calloc(1, b.size);
	igt_assert(back);
	size = b.size;
	vsvm_gem_write(vfd, imp, 0, data, size);
	vbuf_destroy(k.fd, &b);
	kms_close(&k);

	/* Only the import is left: it holds the module. */
	base = module_refcnt("virtio_gpu");
	igt_assert_f(base >= 1, "virtio_gpu refcnt %ld with an import alive\n",
		     base);
	igt_assert_eq(syscall(SYS_delete_module, "virtio_gpu", O_NONBLOCK), -1);
	igt_assert_f(errno == EWOULDBLOCK || errno == EBUSY,
		     "rmmod virtio_gpu: %s\n", strerror(errno));
	igt_assert(module_refcnt("virtio_gpu") == base);
	vsvm_gem_read(vfd, imp, 0, back, size);
	assert_words(back, data, size, "import while rmmod failed");

	vsvm_gem_close(vfd, imp);
	igt_assert_eq(module_refcnt("virtio_gpu"), base - 1);
	igt_assert_f(syscall(SYS_delete_module, "virtio_gpu", O_NONBLOCK) == 0,
		     "rmmod virtio_gpu after the import: %s\n", strerror(errno));
	igt_assert(module_refcnt("virtio_gpu") < 0);

	igt_assert_eq(system("modprobe virtio_gpu"), 0);
	igt_gettime(&start);
	while (!virtio_card_present()) {
		igt_assert_f(igt_seconds_elapsed(&start) < 30,
			     "virtio-gpu card did not come back\n");
		usleep(100 * 1000);
	}
	free(data);
	free(back);
}

int igt_main()
{
	int vfd = -1;

	igt_fixture() {
		vfd = drm_open_driver_render(DRIVER_VSVM);
	}

	igt_describe("A virtio-gpu dumb buffer imported into vsvm: device writes, reads and fills go to the exporter's pages, residency is GTT, migration is refused, CPU mmap is the exporter's.");
	igt_subtest("import-access")
		test_import_access(vfd);

	igt_describe("The compute engine fills and copies into an imported buffer bound in a VM.");
	igt_subtest("exec-write")
		test_exec_write(vfd);

	igt_describe("vsvm writes a picture into virtio-gpu's scanout buffer; the QEMU screendump matches it pixel for pixel.");
	igt_subtest("screendump")
		test_screendump(vfd);

	igt_describe("A flip to the imported buffer waits for the held vsvm exec through the shared dma_resv (implicit sync).");
	igt_subtest("implicit-sync")
		test_fenced_flip(vfd, false);

	igt_describe("A flip with the vsvm exec's sync_file as IN_FENCE_FD waits for it (explicit sync).");
	igt_subtest("explicit-sync")
		test_fenced_flip(vfd, true);

	igt_describe("Importing something that is not a dma-buf fails with EINVAL, a bad descriptor with EBADF.");
	igt_subtest("bad-import")
		test_bad_import(vfd);

	igt_describe("Binds, accesses and copies beyond a small imported buffer fail clearly; what fits is written.");
	igt_subtest("too-small")
		test_too_small(vfd);

	igt_describe("Closing the exporter while a vsvm job on the import is queued: the data arrives and stays valid.");
	igt_subtest("close-exporter")
		test_close_mid_use(vfd, true);

	igt_describe("Closing the import and its VM while a job is queued: the job completes into the exporter's buffer.");
	igt_subtest("close-importer")
		test_close_mid_use(vfd, false);

	igt_describe("rmmod virtio_gpu fails while vsvm holds an import of its buffer and succeeds after it is released.");
	igt_subtest("exporter-unload")
		test_exporter_unload(vfd);

	igt_fixture() {
		drm_close_driver(vfd);
	}
}
