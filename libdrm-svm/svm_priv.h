/* SPDX-License-Identifier: MIT */
/*
 * Copyright © 2026 The drm-svm authors
 */
#ifndef SVM_PRIV_H
#define SVM_PRIV_H

#include "libdrm_svm.h"

#define svm_public __attribute__((visibility("default")))

struct svm_device {
	int refcount;	/* atomic */
	int fd;
	char node[64];
	char driver[32];
};

int svm_ioctl(int fd, unsigned long request, void *arg);

#endif /* SVM_PRIV_H */
