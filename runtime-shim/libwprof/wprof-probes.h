/*
** libwprof hot path: the probe functions of docs/probe-abi.md as static
** inline functions, for a host to call from its implementations of the
** `wprof.*` imports. In the common case they allocate nothing, take no lock
** and make no system call: a probe is a few loads and stores on the calling
** thread's shadow stack and calling-context tree (and a read of the guest's
** instruction counter, a 0 when it has none), plus one clock read when
** timing is exact (the TSC). A callee other than the path's last one, a full
** stack, --trace, the other clocks, allocation events and probe mismatches
** go to the out-of-line slow paths in recorder.c and heap.c.
**
** Every probe leaves the recorder consistent when it returns, so a host may
** longjmp out of guest code at any probe boundary (trap, SIGINT) and then
** call wprof_finish.
*/
#ifndef WPROF_PROBES_H
#define WPROF_PROBES_H

#include "wprof-internal.h"

#include <time.h>
#if defined(__x86_64__)
#include <x86intrin.h>
#endif

#define WPROF_UNLIKELY(x) __builtin_expect(!!(x), 0)

/* The clock of the probes' fast path: the TSC, or none. The other clocks,
** like --trace, take the slow paths (wprof_thread.slow_path). */
static inline WPROF_PROBE_CODE uint64_t wprof__now_fast(const wprof_thread *t) {
#if defined(__x86_64__)
  if (t->clock == WPROF_CLOCK_TSC) return __rdtsc();
#endif
  (void)t;
  return 0;
}

/* Any clock: the slow paths and the recorder's own reads. */
static inline WPROF_PROBE_CODE uint64_t wprof__clock_read(const wprof_recorder *rec, enum wprof_clock_kind clock) {
#if defined(__x86_64__)
  if (clock == WPROF_CLOCK_TSC) return __rdtsc();
#endif
  if (clock == WPROF_CLOCK_MONOTONIC) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
  }
  return clock == WPROF_CLOCK_TEST ? wprof__now_cold(rec) : 0;
}

/* The probes' clock: none unless the run's timing is exact. */
static inline WPROF_PROBE_CODE uint64_t wprof__now(const wprof_thread *t) {
  return wprof__clock_read(t->rec, (enum wprof_clock_kind)t->clock);
}

/* A callee other than the predicted one, when its path sits in the first
** slot its fid hashes to (as most do), learnt as the successor of the child
** entered last (as wprof__child learns it); NULL leaves it to the slow path. */
static inline WPROF_PROBE_CODE struct wprof_node *wprof__child_fast(struct wprof_node *parent, uint32_t fid) {
  if (parent->child_cap == 0) return NULL;
  struct wprof_node *node = parent->children[wprof__fid_slot(fid, parent->child_cap)];
  if (node == NULL || node->fid != fid) return NULL;
  if (parent->last_entered) parent->last_entered->successor = node;
  return node;
}

/* The fast paths push or pop one frame and make no call but a tail call to
** the slow path (a callee other than the predicted one, a full stack,
** --trace, a slow clock, a mismatched exit), so that they save no registers. */
static inline WPROF_PROBE_CODE void wprof_probe_enter(wprof_thread *t, uint32_t fid) {
  struct wprof_frame *f = t->top;
  struct wprof_node *parent = f->node, *node = parent->predicted;
  if (WPROF_UNLIKELY(node == NULL || node->fid != fid)) node = wprof__child_fast(parent, fid);
  if (WPROF_UNLIKELY(t->slow_path || f == t->limit || node == NULL)) {
    wprof__enter_slow(t, fid);
    return;
  }
  node->calls++;
  parent->last_entered = node;
  parent->predicted = node->successor;
  f[1].node = node;
  f[1].start = wprof__now_fast(t);
  f[1].instructions_at_entry = *t->instructions;
  atomic_signal_fence(memory_order_release); /* the sampler (a signal on this thread) reads top->node */
  t->top = f + 1;
}

/* The exit fast path alone: false when the exit is left to wprof__exit_slow,
** for hosts that must keep a value across it (the exit_T imports). */
static inline WPROF_PROBE_CODE bool wprof_probe_exit_fast(wprof_thread *t, uint32_t fid) {
  struct wprof_frame *f = t->top;
  struct wprof_node *node = f->node;
  if (WPROF_UNLIKELY(t->slow_path || node->fid != fid || f == t->base)) return false;
  if (t->clock == WPROF_CLOCK_TSC) node->incl_ticks += wprof__now_fast(t) - f->start; /* else no clock */
  node->incl_instructions += *t->instructions - f->instructions_at_entry;
  t->exits++;
  t->top = f - 1;
  return true;
}

static inline WPROF_PROBE_CODE void wprof_probe_exit(wprof_thread *t, uint32_t fid) {
  if (WPROF_UNLIKELY(!wprof_probe_exit_fast(t, fid))) wprof__exit_slow(t, fid);
}

/* A call of a function counted without a frame (wasm-instrument
** --count-leaves): the call path under the top frame gets the call, entered
** and left at once; its time stays the caller's. */
static inline WPROF_PROBE_CODE void wprof_probe_count(wprof_thread *t, uint32_t fid) {
  struct wprof_node *parent = t->top->node, *node = parent->predicted;
  if (WPROF_UNLIKELY(node == NULL || node->fid != fid)) node = wprof__child_fast(parent, fid);
  if (WPROF_UNLIKELY(t->slow_path || node == NULL)) {
    wprof__count_slow(t, fid);
    return;
  }
  node->calls++;
  parent->last_entered = node;
  parent->predicted = node->successor;
  t->exits++;
}

/* Depth of the shadow stack, this frame included: 1 for the outermost. */
static inline WPROF_PROBE_CODE int32_t wprof_probe_frame(wprof_thread *t) {
  return (int32_t)(t->top - t->base);
}

/* An exception was caught by `fid` at `depth`: frames deeper were unwound. */
static inline WPROF_PROBE_CODE void wprof_probe_catch(wprof_thread *t, uint32_t fid, int32_t depth) {
  wprof__catch(t, fid, (uint32_t)depth);
}

static inline WPROF_PROBE_CODE void wprof_probe_alloc(wprof_thread *t, uint32_t ptr, uint32_t size) {
  wprof__heap_event(t, WPROF_EV_ALLOC, 0, ptr, size);
}

static inline WPROF_PROBE_CODE void wprof_probe_realloc(wprof_thread *t, uint32_t old, uint32_t ptr, uint32_t size) {
  wprof__heap_event(t, WPROF_EV_REALLOC, old, ptr, size);
}

static inline WPROF_PROBE_CODE void wprof_probe_free(wprof_thread *t, uint32_t ptr) {
  wprof__heap_event(t, WPROF_EV_FREE, ptr, 0, 0);
}

/* True once wprof_request_stop was called: the host may check it in its
** enter probe and leave the guest (as for a trap) at this probe boundary. */
static inline bool wprof_probe_should_stop(const wprof_thread *t) {
  return t->stop != 0;
}

#endif
