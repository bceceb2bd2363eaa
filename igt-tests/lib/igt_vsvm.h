/* SPDX-License-Identifier: MIT */
/*
 * Copyright © 2026 The drm-svm authors
 */
#ifndef IGT_VSVM_H
#define IGT_VSVM_H

#include <stdbool.h>
#include <stdint.h>

#include "vsvm_drm.h"

int __vsvm_get_param(int fd, uint32_t param, uint64_t *value);
uint64_t vsvm_get_param(int fd, uint32_t param);
int __vsvm_ioctl(int fd, unsigned long request, void *arg);

int vsvm_module_params(char *buf, int len);
int vsvm_module_unload(void);
int vsvm_module_load(const char *params);
bool vsvm_module_loaded(void);

#endif /* IGT_VSVM_H */
