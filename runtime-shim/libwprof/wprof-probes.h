/*
** libwprof hot path: the probe functions of docs/probe-abi.md as static
** inline functions, for a host to call from its implementations of the
** `wprof.*` imports. In the common case they allocate nothing, take no lock
** and make no system call: a probe is a few loads and stores on the calling
** thread's shadow stack and calling-context tree, plus one clock read when
** timing is on. New call paths, deeper stacks, full trace chunks, allocation
** events and probe mismatches go to the out-of-line slow paths.
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

static inline uint64_t wprof__now(const wprof_thread *t) {
#if defined(__x86_64__)
  if (t->clock == WPROF_CLOCK_TSC) return __rdtsc();
#endif
  if (t->clock == WPROF_CLOCK_NONE) return 0;
  if (t->clock == WPROF_CLOCK_MONOTONIC) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
  }
  return wprof__now_cold(t);
}

/* Appends the calls row of frame f, closed at `end`, to the thread's chunk. */
static inline void wprof__trace_call(wprof_thread *t, const struct wprof_frame *f, uint64_t end, bool unwound) {
  if (WPROF_UNLIKELY(t->call_cur == t->call_end)) wprof__trace_calls_full(t);
  struct wprof_call_rec *r = t->call_cur++;
  r->id = f->call_id;
  r->start = f->start;
  r->end = end;
  r->path = f->node->raw_id;
  r->unwound = unwound;
}

/* Closes the top frame at time `now`: by an exit, or unwound without one. */
static inline void wprof__pop(wprof_thread *t, uint64_t now, bool unwound) {
  struct wprof_frame *f = t->top;
  struct wprof_node *node = f->node;
  node->incl_ticks += now - f->start;
  if (unwound) {
    node->unwound++;
    t->unwound++;
  } else {
    t->exits++;
  }
  if (t->trace) wprof__trace_call(t, f, now, unwound);
  t->top = f - 1;
}

static inline void wprof_probe_enter(wprof_thread *t, uint32_t fid) {
  struct wprof_frame *f = t->top;
  if (WPROF_UNLIKELY(f == t->limit)) f = wprof__stack_grow(t);
  struct wprof_node *parent = f->node;
  struct wprof_node *node = parent->last_child;
  if (WPROF_UNLIKELY(node == NULL || node->fid != fid)) node = wprof__child(t, parent, fid);
  node->calls++;
  f++;
  f->node = node;
  if (t->trace) f->call_id = atomic_fetch_add_explicit(&t->rec->next_call_id, 1, memory_order_relaxed);
  f->start = wprof__now(t);
  t->top = f;
}

static inline void wprof_probe_exit(wprof_thread *t, uint32_t fid) {
  uint64_t now = wprof__now(t);
  if (WPROF_UNLIKELY(t->top->node->fid != fid || t->top == t->base)) {
    wprof__exit_mismatch(t, fid);
    return;
  }
  wprof__pop(t, now, false);
}

/* Depth of the shadow stack, this frame included: 1 for the outermost. */
static inline int32_t wprof_probe_frame(wprof_thread *t) {
  return (int32_t)(t->top - t->base);
}

/* An exception was caught by `fid` at `depth`: frames deeper were unwound. */
static inline void wprof_probe_catch(wprof_thread *t, uint32_t fid, int32_t depth) {
  wprof__catch(t, fid, (uint32_t)depth);
}

static inline void wprof_probe_alloc(wprof_thread *t, uint32_t ptr, uint32_t size) {
  wprof__heap_event(t, WPROF_EV_ALLOC, 0, ptr, size);
}

static inline void wprof_probe_realloc(wprof_thread *t, uint32_t old, uint32_t ptr, uint32_t size) {
  wprof__heap_event(t, WPROF_EV_REALLOC, old, ptr, size);
}

static inline void wprof_probe_free(wprof_thread *t, uint32_t ptr) {
  wprof__heap_event(t, WPROF_EV_FREE, ptr, 0, 0);
}

/* True once wprof_request_stop was called: the host may check it in its
** enter probe and leave the guest (as for a trap) at this probe boundary. */
static inline bool wprof_probe_should_stop(const wprof_thread *t) {
  return t->stop != 0;
}

#endif
