/* SPDX-License-Identifier: MIT */
/*
 * Copyright © 2026 The drm-svm authors
 *
 * The part of IGT's lib/sw_sync.h the tests use: software fence timelines
 * (debugfs sync/sw_sync, CONFIG_SW_SYNC), written here from the kernel's
 * sw_sync ABI.
 */
#ifndef IGT_COMPAT_SW_SYNC_H
#define IGT_COMPAT_SW_SYNC_H

#include <stdbool.h>
#include <stdint.h>

bool sw_sync_is_supported(void);
void igt_require_sw_sync(void);
int sw_sync_timeline_create(void);
int sw_sync_timeline_create_fence(int timeline, uint32_t seqno);
void sw_sync_timeline_inc(int timeline, uint32_t count);

#endif
