// SPDX-License-Identifier: MIT
/*
 * Copyright © 2026 The drm-svm authors
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "igt.h"
#include "igt_vsvm.h"

/**
 * __vsvm_ioctl() - ioctl on a vsvm node, restarted on EINTR/EAGAIN
 * Returns 0 or -errno.
 */
int __vsvm_ioctl(int fd, unsigned long request, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, request, arg);
	} while (ret == -1 && (errno == EINTR || errno == EAGAIN));
	return ret == -1 ? -errno : 0;
}

int __vsvm_get_param(int fd, uint32_t param, uint64_t *value)
{
	struct drm_vsvm_get_param gp = { .param = param };
	int ret;

	ret = __vsvm_ioctl(fd, DRM_IOCTL_VSVM_GET_PARAM, &gp);
	if (!ret)
		*value = gp.value;
	return ret;
}

uint64_t vsvm_get_param(int fd, uint32_t param)
{
	uint64_t value = 0;

	igt_assert_eq(__vsvm_get_param(fd, param, &value), 0);
	return value;
}

bool vsvm_module_loaded(void)
{
	return access("/sys/module/vsvm", F_OK) == 0;
}

/* "name=value name=value" of the loaded module's parameters into buf. */
int vsvm_module_params(char *buf, int len)
{
	const char *dirname = "/sys/module/vsvm/parameters";
	struct dirent *de;
	int used = 0;
	DIR *dir;

	buf[0] = '\0';
	dir = opendir(dirname);
	if (!dir)
		return -errno;
	while ((de = readdir(dir))) {
		char path[512], val[64];
		FILE *f;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dirname, de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(val, sizeof(val), f)) {
			val[strcspn(val, "\n")] = '\0';
			used += snprintf(buf + used, len > used ? len - used : 0,
					 "%s%s=%s", used ? " " : "", de->d_name, val);
		}
		fclose(f);
	}
	closedir(dir);
	return used < len ? 0 : -ENOSPC;
}

/* Returns 0 or -errno of delete_module(2) (non-blocking). */
int vsvm_module_unload(void)
{
	if (syscall(SYS_delete_module, "vsvm", O_NONBLOCK))
		return -errno;
	return 0;
}

int vsvm_module_load(const char *params)
{
	char cmd[1024];
	int status;

	snprintf(cmd, sizeof(cmd), "modprobe vsvm %s", params ? params : "");
	status = system(cmd);
	if (status == -1)
		return -errno;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}
