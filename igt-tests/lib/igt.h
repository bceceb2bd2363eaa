/* SPDX-License-Identifier: MIT */
/*
 * igt.h - umbrella header of the IGT-compatible test layer, mirroring
 * IGT's igt.h for the parts this project uses.
 */
#ifndef IGT_H
#define IGT_H

#include "igt_core.h"
#include "drmtest.h"

#endif /* IGT_H */
