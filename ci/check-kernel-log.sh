#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# Fail (exit 1) if a guest kernel log shows warnings, oopses or reports from
# KASAN, lockdep, kmemleak, DEBUG_OBJECTS or the stall/hang detectors.
# Usage: ci/check-kernel-log.sh console.log
set -u
patterns='WARNING: |BUG: |Oops|general protection fault|Kernel panic|KASAN|UBSAN|'
patterns+='possible circular locking|possible recursive locking|inconsistent lock state|'
patterns+='suspicious RCU usage|lock held when returning|bad unlock balance|'
patterns+='unreferenced object|kmemleak: [0-9]+ new suspected|ODEBUG:|'
patterns+='detected stall|rcu_sched self-detected|blocked for more than|soft lockup|'
patterns+='DMA-API: |list_add corruption|list_del corruption|refcount_t: '
if grep -E -n -- "$patterns" "$1" | head -n 20 | grep .; then
	exit 1
fi
exit 0
