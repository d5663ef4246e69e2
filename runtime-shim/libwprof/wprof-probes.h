/*
** libwprof hot path: the probe functions of docs/probe-abi.md as static
** inline functions, for a host to call from its implementations of the
** `wprof.*` imports, and the data they touch: the calling-context tree's
** nodes and the head of a libwprof thread (struct wprof_probe_state).
**
** The header stands alone (C11 and the compiler's own headers), because
** `wprof run` compiles it into each wasm2c-translated module, where cc
** inlines the fast paths at every call site (runtime-shim/host/
** module-probes.h); libwprof and the Node addon include it too.
**
** The shadow stack is the calling-context tree itself: the path on top is
** `cur`, the frames below it are its ancestors. A path is on the stack at
** most once (a recursive call is a deeper path), so what a frame must
** remember (its start time, the instruction counter at entry, its trace id)
** lives in its node. In the common case a probe allocates nothing, takes no
** lock, makes no system call and reads no clock: a few loads and stores on
** the tree, and the guest's instruction counter under --cost (and the TSC,
** for exact time on it). --trace, exact time on another clock, a callee new
** to its caller's path (or not found in one step), allocation events and
** mismatched exits go to the out-of-line slow paths in recorder.c and heap.c.
**
** Every probe leaves the recorder consistent when it returns, so a host may
** longjmp out of guest code at any probe boundary (trap, SIGINT) and then
** call wprof_finish.
*/
#ifndef WPROF_PROBES_H
#define WPROF_PROBES_H

#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WPROF_UNLIKELY(x) __builtin_expect(!!(x), 0)
/* The fast paths, inlined wherever they are called (one call site per wasm
** call under the wasm2c engine: cc's heuristics would call them instead). */
#define WPROF_FAST static inline __attribute__((always_inline))

/* The code that runs on behalf of the probes, fast and slow paths alike, is
** placed in one section: a sample whose interrupted instruction lies in it is
** the profiler's own cost (run.probe_samples), not the guest's. The linker
** defines __start_/__stop_ symbols for it. Copies inlined into a guest's
** code say so with wprof_probe_state.in_probe instead. */
#define WPROF_PROBE_CODE __attribute__((section("wprof_probe_text")))

/* Whether the fast paths keep the guest's instruction counter (--cost): a
** host that knows when it is compiled (the wasm2c engine, per module)
** defines WPROF_GUEST_COUNTER to 0 or 1 first; otherwise they always read it
** (a constant 0 when the guest has none). */
#ifndef WPROF_GUEST_COUNTER
#define WPROF_GUEST_COUNTER 1
#endif

typedef struct wprof_thread wprof_thread;

/* A node of a thread's calling-context tree: one call path. */
struct wprof_node {
  uint32_t fid;                    /* WPROF_ROOT_FID for the thread's root */
  uint32_t depth;                  /* 0 for the root, 1 for paths called by the host */
  /* Callee prediction, so that most enters skip the child lookup: callee
  ** sequences repeat (an interpreter's above all), so the child entered
  ** after child C last time (C->successor) is likely to follow C again. */
  struct wprof_node *predicted;    /* the child expected next: always last_entered->successor, kept
                                   ** so that the enter fast path reaches it with one load less */
  struct wprof_node *successor;    /* the sibling entered after this path last time (itself at first) */
  struct wprof_node *parent;       /* the caller's path: the frame below on the shadow stack */
  uint64_t calls, unwound, incl_ticks;
  uint64_t incl_instructions;      /* --cost: the module's instruction counter advanced by this much inside the path */
  uint64_t samples;                /* sampled time: signals that found this path on top (sampler.c only writes it) */
  /* the open frame of this path, while it is on the shadow stack */
  uint64_t entry_instructions;     /* the instruction counter at entry */
  uint64_t entry_ticks;            /* exact time: clock ticks at entry */
  uint64_t call_id;                /* --trace: the entry's sequence number, the calls row id */
  struct wprof_node *last_entered; /* the child entered last: its successor is learnt on a misprediction */
  struct wprof_node **children;    /* open addressing by fid, child_cap slots (power of 2) */
  uint32_t nchildren, child_cap;
  uint32_t raw_id;                 /* creation order over the run, from 1; 0: not numbered yet */
  uint32_t final_id;               /* id in call_paths, set when the run is written */
  bool recursive;                  /* an ancestor has the same fid */
  struct wprof_site *site;         /* NULL until the path allocates */
};

#define WPROF_ROOT_FID UINT32_MAX /* no function's: the root never matches an exit */

/* What the fast paths do (wprof_probe_state.mode). */
enum wprof_probe_mode {
  WPROF_MODE_COUNT, /* count: sampled time or none */
  WPROF_MODE_TSC,   /* count, and read the TSC at every frame's entry and exit: exact time on x86-64 */
  WPROF_MODE_SLOW,  /* every probe takes the slow path: --trace, exact time on another clock, a stop request */
};

/* The TSC: libwprof's one way to read it, also inline by WPROF_MODE_TSC
** (which only x86-64 runs use). */
#if defined(__x86_64__)
#define WPROF_TSC() __builtin_ia32_rdtsc()
#else
#define WPROF_TSC() 0ull
#endif

/* The head of every libwprof thread, all that the fast paths touch. */
struct wprof_probe_state {
  struct wprof_node *cur;          /* the path on top of the shadow stack (the thread's root when empty) */
  const uint64_t *instructions;    /* the guest's instruction counter (wprof_thread_count_instructions), else a 0 */
  volatile uint8_t mode;           /* enum wprof_probe_mode */
  volatile uint8_t in_probe;       /* non-zero while inlined probe code runs (sampler.c) */
  volatile sig_atomic_t stop;      /* wprof_request_stop was called */
};

static inline struct wprof_probe_state *wprof__state(wprof_thread *t) {
  return (struct wprof_probe_state *)(void *)t; /* the first member of struct wprof_thread */
}

enum wprof_alloc_event { WPROF_EV_ALLOC, WPROF_EV_FREE, WPROF_EV_REALLOC };

/* The slow paths (recorder.c, heap.c). */
void wprof__enter_slow(wprof_thread *t, uint32_t fid);
void wprof__exit_slow(wprof_thread *t, uint32_t fid);
void wprof__count_slow(wprof_thread *t, uint32_t fid);
void wprof__catch(wprof_thread *t, uint32_t fid, uint32_t depth);
void wprof__heap_event(wprof_thread *t, enum wprof_alloc_event kind, uint32_t old, uint32_t ptr, uint32_t size);

/* The first slot of fid in a children table of cap slots (a power of 2). */
WPROF_FAST WPROF_PROBE_CODE uint32_t wprof__fid_slot(uint32_t fid, uint32_t cap) {
  return (fid * 0x9E3779B1u) & (cap - 1);
}

/* A callee other than the predicted one, when its path sits in the first
** slot its fid hashes to (as most do), learnt as the successor of the child
** entered last (as wprof__child learns it); NULL leaves it to the slow path. */
WPROF_FAST WPROF_PROBE_CODE struct wprof_node *wprof__child_fast(struct wprof_node *parent, uint32_t fid) {
  if (parent->child_cap == 0) return NULL;
  struct wprof_node *node = parent->children[wprof__fid_slot(fid, parent->child_cap)];
  if (node == NULL || node->fid != fid) return NULL;
  if (parent->last_entered) parent->last_entered->successor = node;
  return node;
}

/* Publishes the path on top: the sampler (a signal on this thread) reads it
** at any instruction, so the store is made, in program order, after the
** node's own updates, also where cc has inlined guest functions together. */
WPROF_FAST WPROF_PROBE_CODE void wprof__set_top(struct wprof_probe_state *s, struct wprof_node *node) {
  atomic_signal_fence(memory_order_release);
  *(struct wprof_node *volatile *)&s->cur = node;
}

/* The enter fast path alone: false when the enter is left to
** wprof__enter_slow, for hosts with a slow path of their own (a stop check). */
WPROF_FAST WPROF_PROBE_CODE bool wprof_probe_enter_fast(wprof_thread *t, uint32_t fid) {
  struct wprof_probe_state *s = wprof__state(t);
  struct wprof_node *parent = s->cur, *node = parent->predicted;
  if (WPROF_UNLIKELY(node == NULL || node->fid != fid)) node = wprof__child_fast(parent, fid);
  uint8_t mode = s->mode;
  if (WPROF_UNLIKELY(mode != WPROF_MODE_COUNT || node == NULL)) {
    if (mode != WPROF_MODE_TSC || node == NULL) return false;
    node->entry_ticks = WPROF_TSC();
  }
  node->calls++;
  parent->last_entered = node;
  parent->predicted = node->successor;
  if (WPROF_GUEST_COUNTER) node->entry_instructions = *s->instructions;
  wprof__set_top(s, node);
  return true;
}

/* The fast paths make no call but a tail call to the slow path, so that
** they save no registers. */
WPROF_FAST WPROF_PROBE_CODE void wprof_probe_enter(wprof_thread *t, uint32_t fid) {
  if (WPROF_UNLIKELY(!wprof_probe_enter_fast(t, fid))) wprof__enter_slow(t, fid);
}

/* The exit fast path alone: false when the exit is left to wprof__exit_slow,
** for hosts that must keep a value across it (the exit_T imports). The root
** matches no fid, so an exit with no frame open is a mismatch too. */
WPROF_FAST WPROF_PROBE_CODE bool wprof_probe_exit_fast(wprof_thread *t, uint32_t fid) {
  struct wprof_probe_state *s = wprof__state(t);
  struct wprof_node *node = s->cur;
  uint8_t mode = s->mode;
  if (WPROF_UNLIKELY(mode != WPROF_MODE_COUNT || node->fid != fid)) {
    if (mode != WPROF_MODE_TSC || node->fid != fid) return false;
    node->incl_ticks += WPROF_TSC() - node->entry_ticks;
  }
  if (WPROF_GUEST_COUNTER) node->incl_instructions += *s->instructions - node->entry_instructions;
  wprof__set_top(s, node->parent);
  return true;
}

WPROF_FAST WPROF_PROBE_CODE void wprof_probe_exit(wprof_thread *t, uint32_t fid) {
  if (WPROF_UNLIKELY(!wprof_probe_exit_fast(t, fid))) wprof__exit_slow(t, fid);
}

/* A call of a function counted without a frame (wasm-instrument
** --count-leaves): the call path under the top frame gets the call, entered
** and left at once; its time stays the caller's. */
WPROF_FAST WPROF_PROBE_CODE void wprof_probe_count(wprof_thread *t, uint32_t fid) {
  struct wprof_probe_state *s = wprof__state(t);
  struct wprof_node *parent = s->cur, *node = parent->predicted;
  if (WPROF_UNLIKELY(node == NULL || node->fid != fid)) node = wprof__child_fast(parent, fid);
  if (WPROF_UNLIKELY(s->mode == WPROF_MODE_SLOW || node == NULL)) {
    wprof__count_slow(t, fid);
    return;
  }
  node->calls++;
  parent->last_entered = node;
  parent->predicted = node->successor;
}

/* Depth of the shadow stack, this frame included: 1 for the outermost. */
WPROF_FAST WPROF_PROBE_CODE int32_t wprof_probe_frame(wprof_thread *t) {
  return (int32_t)wprof__state(t)->cur->depth;
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
** enter slow path (a stop request sends every probe there) and leave the
** guest, as for a trap, at this probe boundary. */
static inline bool wprof_probe_should_stop(wprof_thread *t) {
  return wprof__state(t)->stop != 0;
}

#endif
