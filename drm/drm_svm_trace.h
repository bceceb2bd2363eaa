/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Copyright © 2026 The drm-svm authors
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM drm_svm

#if !defined(_DRM_SVM_TRACE_H_) || defined(TRACE_HEADER_MULTI_READ)
#define _DRM_SVM_TRACE_H_

#include <linux/tracepoint.h>

TRACE_EVENT(drm_svm_mirror_fault,
	    TP_PROTO(const void *mirror, unsigned long start, unsigned long end,
		     bool write, bool snapshot, int retries, int ret),
	    TP_ARGS(mirror, start, end, write, snapshot, retries, ret),
	    TP_STRUCT__entry(__field(const void *, mirror)
			     __field(unsigned long, start)
			     __field(unsigned long, end)
			     __field(bool, write)
			     __field(bool, snapshot)
			     __field(int, retries)
			     __field(int, ret)),
	    TP_fast_assign(__entry->mirror = mirror;
			   __entry->start = start;
			   __entry->end = end;
			   __entry->write = write;
			   __entry->snapshot = snapshot;
			   __entry->retries = retries;
			   __entry->ret = ret;),
	    TP_printk("mirror=%p range=0x%lx-0x%lx write=%d snapshot=%d retries=%d ret=%d",
		      __entry->mirror, __entry->start, __entry->end,
		      __entry->write, __entry->snapshot, __entry->retries,
		      __entry->ret)
);

TRACE_EVENT(drm_svm_mirror_invalidate,
	    TP_PROTO(const void *mirror, unsigned long start, unsigned long end,
		     int event),
	    TP_ARGS(mirror, start, end, event),
	    TP_STRUCT__entry(__field(const void *, mirror)
			     __field(unsigned long, start)
			     __field(unsigned long, end)
			     __field(int, event)),
	    TP_fast_assign(__entry->mirror = mirror;
			   __entry->start = start;
			   __entry->end = end;
			   __entry->event = event;),
	    TP_printk("mirror=%p range=0x%lx-0x%lx event=%d", __entry->mirror,
		      __entry->start, __entry->end, __entry->event)
);

TRACE_EVENT(drm_svm_range_lookup,
	    TP_PROTO(const void *mirror, unsigned long addr, unsigned long start,
		     unsigned long end, unsigned long chunk, bool created),
	    TP_ARGS(mirror, addr, start, end, chunk, created),
	    TP_STRUCT__entry(__field(const void *, mirror)
			     __field(unsigned long, addr)
			     __field(unsigned long, start)
			     __field(unsigned long, end)
			     __field(unsigned long, chunk)
			     __field(bool, created)),
	    TP_fast_assign(__entry->mirror = mirror;
			   __entry->addr = addr;
			   __entry->start = start;
			   __entry->end = end;
			   __entry->chunk = chunk;
			   __entry->created = created;),
	    TP_printk("mirror=%p addr=0x%lx range=0x%lx-0x%lx chunk=0x%lx created=%d",
		      __entry->mirror, __entry->addr, __entry->start,
		      __entry->end, __entry->chunk, __entry->created)
);

TRACE_EVENT(drm_svm_range_migrate,
	    TP_PROTO(const void *mirror, unsigned long start, unsigned long end,
		     bool allowed, unsigned int migrations),
	    TP_ARGS(mirror, start, end, allowed, migrations),
	    TP_STRUCT__entry(__field(const void *, mirror)
			     __field(unsigned long, start)
			     __field(unsigned long, end)
			     __field(bool, allowed)
			     __field(unsigned int, migrations)),
	    TP_fast_assign(__entry->mirror = mirror;
			   __entry->start = start;
			   __entry->end = end;
			   __entry->allowed = allowed;
			   __entry->migrations = migrations;),
	    TP_printk("mirror=%p range=0x%lx-0x%lx allowed=%d migrations=%u",
		      __entry->mirror, __entry->start, __entry->end,
		      __entry->allowed, __entry->migrations)
);

DECLARE_EVENT_CLASS(drm_svm_range_span,
		    TP_PROTO(const void *mirror, unsigned long start,
			     unsigned long end),
		    TP_ARGS(mirror, start, end),
		    TP_STRUCT__entry(__field(const void *, mirror)
				     __field(unsigned long, start)
				     __field(unsigned long, end)),
		    TP_fast_assign(__entry->mirror = mirror;
				   __entry->start = start;
				   __entry->end = end;),
		    TP_printk("mirror=%p range=0x%lx-0x%lx", __entry->mirror,
			      __entry->start, __entry->end)
);

DEFINE_EVENT(drm_svm_range_span, drm_svm_range_bind,
	     TP_PROTO(const void *mirror, unsigned long start,
		      unsigned long end),
	     TP_ARGS(mirror, start, end)
);

DEFINE_EVENT(drm_svm_range_span, drm_svm_range_collect,
	     TP_PROTO(const void *mirror, unsigned long start,
		      unsigned long end),
	     TP_ARGS(mirror, start, end)
);

TRACE_EVENT(drm_svm_range_exclusive,
	    TP_PROTO(const void *mirror, unsigned long start, unsigned long end,
		     int ret),
	    TP_ARGS(mirror, start, end, ret),
	    TP_STRUCT__entry(__field(const void *, mirror)
			     __field(unsigned long, start)
			     __field(unsigned long, end)
			     __field(int, ret)),
	    TP_fast_assign(__entry->mirror = mirror;
			   __entry->start = start;
			   __entry->end = end;
			   __entry->ret = ret;),
	    TP_printk("mirror=%p range=0x%lx-0x%lx ret=%d", __entry->mirror,
		      __entry->start, __entry->end, __entry->ret)
);

TRACE_EVENT(drm_svm_range_invalidate,
	    TP_PROTO(const void *mirror, unsigned long start, unsigned long end,
		     unsigned long istart, unsigned long iend, bool unmap),
	    TP_ARGS(mirror, start, end, istart, iend, unmap),
	    TP_STRUCT__entry(__field(const void *, mirror)
			     __field(unsigned long, start)
			     __field(unsigned long, end)
			     __field(unsigned long, istart)
			     __field(unsigned long, iend)
			     __field(bool, unmap)),
	    TP_fast_assign(__entry->mirror = mirror;
			   __entry->start = start;
			   __entry->end = end;
			   __entry->istart = istart;
			   __entry->iend = iend;
			   __entry->unmap = unmap;),
	    TP_printk("mirror=%p range=0x%lx-0x%lx hole=0x%lx-0x%lx unmap=%d",
		      __entry->mirror, __entry->start, __entry->end,
		      __entry->istart, __entry->iend, __entry->unmap)
);

TRACE_EVENT(drm_svm_bo_move,
	    TP_PROTO(const void *bo, unsigned long first, unsigned long last,
		     u32 placement, int ret),
	    TP_ARGS(bo, first, last, placement, ret),
	    TP_STRUCT__entry(__field(const void *, bo)
			     __field(unsigned long, first)
			     __field(unsigned long, last)
			     __field(u32, placement)
			     __field(int, ret)),
	    TP_fast_assign(__entry->bo = bo;
			   __entry->first = first;
			   __entry->last = last;
			   __entry->placement = placement;
			   __entry->ret = ret;),
	    TP_printk("bo=%p chunks=%lu-%lu placement=%u ret=%d", __entry->bo,
		      __entry->first, __entry->last, __entry->placement,
		      __entry->ret)
);

TRACE_EVENT(drm_svm_bo_copy,
	    TP_PROTO(u32 src, u32 dst, unsigned long npages, bool engine),
	    TP_ARGS(src, dst, npages, engine),
	    TP_STRUCT__entry(__field(u32, src)
			     __field(u32, dst)
			     __field(unsigned long, npages)
			     __field(bool, engine)),
	    TP_fast_assign(__entry->src = src;
			   __entry->dst = dst;
			   __entry->npages = npages;
			   __entry->engine = engine;),
	    TP_printk("src=%u dst=%u npages=%lu engine=%d", __entry->src,
		      __entry->dst, __entry->npages, __entry->engine)
);

TRACE_EVENT(drm_svm_bo_cpu_fault,
	    TP_PROTO(const void *bo, unsigned long chunk, bool huge, u32 ret),
	    TP_ARGS(bo, chunk, huge, ret),
	    TP_STRUCT__entry(__field(const void *, bo)
			     __field(unsigned long, chunk)
			     __field(bool, huge)
			     __field(u32, ret)),
	    TP_fast_assign(__entry->bo = bo;
			   __entry->chunk = chunk;
			   __entry->huge = huge;
			   __entry->ret = ret;),
	    TP_printk("bo=%p chunk=%lu huge=%d ret=0x%x", __entry->bo,
		      __entry->chunk, __entry->huge, __entry->ret)
);

#endif /* _DRM_SVM_TRACE_H_ */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE drm_svm_trace
#include <trace/define_trace.h>
