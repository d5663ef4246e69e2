/*
** The wasm recorder: the hot path of libwprof (shadow stack, calling-context
** tree with exact call counts per path and callee prediction) compiled to
** wasm32, so that under Node a guest's `wprof` probes are calls from wasm to
** wasm, never into JavaScript or C. The Node engine instantiates it and
** passes its exports as the guest's enter, exit, count, exit_i32, exit_i64,
** exit_f32, exit_f64, frame and catch (docs/probe-abi.md, with the same
** semantics as wprof-probes.h and recorder.c, mismatches included), and
** exports unwind for the host (wprof_thread_unwind's); the allocation
** probes stay with the addon, which reads this module's memory
** (wasm-recorder.h) to attribute them and, at the end, to hand the tree to
** libwprof (runtime-shim/node/wprof-node.c).
**
** Built with clang --target=wasm32 -nostdlib: no libc, no data, memory
** taken with memory.grow by a bump allocator; a table that outgrows its room
** is copied into a new one (the old stays, unused: at most as much again).
** Imports: host.stopped() (throws: a stop signal set state.stop and made
** the stack look full, so the guest stops at its next enter), host.grown()
** (the node table or the stack were moved, and the memory may have grown:
** the addon takes the new sizes).
**
** Built a second time with -DWREC_COST for a module rewritten with
** `wasm-instrument --cost`: it then also imports host.cost() -> i64, the
** guest's instruction counter (a wasm global, which exists only once the
** guest is instantiated, after its imports: the Node engine passes it
** through a table), reads it at enter, exit and catch as libwprof's probes
** do, and gives each path the instructions executed inside it.
*/
#include "wasm-recorder.h"

#include <stddef.h>

#define EXPORT(name) __attribute__((export_name(name)))
#define IMPORT(name) __attribute__((import_module("host"), import_name(name)))
#define UNLIKELY(x) __builtin_expect(!!(x), 0)
#define PAGE 65536u

IMPORT("stopped") void host_stopped(void);
IMPORT("grown") void host_grown(void);
#ifdef WREC_COST
IMPORT("cost") uint64_t host_cost(void);
#define COST() host_cost()
#else
#define COST() 0
#endif

extern unsigned char __heap_base;

static struct wrec_state S;

#define NODES ((struct wrec_node *)(uintptr_t)S.nodes)
#define FRAMES ((struct wrec_frame *)(uintptr_t)S.frames)
#define TOP ((struct wrec_frame *)(uintptr_t)S.top)
#define SLOTS ((struct wrec_slot *)(uintptr_t)S.slots)

/* n bytes, 8-aligned, zeroed (fresh memory); traps when the memory is full. */
static void *allocate(uint32_t n) {
  uint32_t start = (S.brk + 7u) & ~7u, end = start + n;
  if (end < start) __builtin_trap();
  uint32_t have = (uint32_t)__builtin_wasm_memory_size(0) * PAGE;
  if (end > have) {
    uint32_t pages = (end - have + PAGE - 1) / PAGE;
    if (__builtin_wasm_memory_grow(0, pages) == (size_t)-1) __builtin_trap();
  }
  S.brk = end;
  return (void *)(uintptr_t)start;
}

static uint32_t slot_of(uint32_t parent, uint32_t fid) {
  return ((parent * 0x9E3779B1u) ^ (fid * 0x85EBCA77u)) & (S.slots_cap - 1);
}

static void slots_init(uint32_t cap) {
  S.slots = (uint32_t)(uintptr_t)allocate(cap * sizeof(struct wrec_slot));
  S.slots_cap = cap;
}

/* A new path: fid called from parent. Its id is the next. The host hears
** of tables moved or memory grown before the path is used. */
static __attribute__((noinline)) uint32_t child_new(uint32_t parent, uint32_t fid, uint32_t slot) {
  int grew = 0;
  if (S.nnodes == S.nodes_cap) {
    struct wrec_node *nodes = allocate(2 * S.nodes_cap * sizeof *nodes);
    __builtin_memcpy(nodes, NODES, S.nnodes * sizeof *nodes);
    S.nodes = (uint32_t)(uintptr_t)nodes;
    S.nodes_cap *= 2;
    grew = 1;
  }
  uint32_t id = S.nnodes++;
  struct wrec_node *node = &NODES[id];
  node->fid = fid;
  node->parent = parent;
  node->successor = id;
  SLOTS[slot] = (struct wrec_slot){parent, fid, id};
  if (2 * S.nnodes > S.slots_cap) { /* at most half full: rebuild twice as large */
    struct wrec_slot *old = SLOTS;
    uint32_t old_cap = S.slots_cap;
    slots_init(2 * old_cap);
    for (uint32_t i = 0; i < old_cap; i++) {
      if (!old[i].child) continue;
      uint32_t j = slot_of(old[i].parent, old[i].fid);
      while (SLOTS[j].child) j = (j + 1) & (S.slots_cap - 1);
      SLOTS[j] = old[i];
    }
    grew = 1;
  }
  if (grew) host_grown();
  return id;
}

/* The child fid of parent, not the predicted one: found or created, and
** learnt as the successor of the child entered before it. */
static __attribute__((noinline)) uint32_t child(uint32_t parent, uint32_t fid) {
  uint32_t i = slot_of(parent, fid), id;
  for (;; i = (i + 1) & (S.slots_cap - 1)) {
    const struct wrec_slot *s = &SLOTS[i];
    if (!s->child) {
      id = child_new(parent, fid, i);
      break;
    }
    if (s->parent == parent && s->fid == fid) {
      id = s->child;
      break;
    }
  }
  struct wrec_node *p = &NODES[parent];
  if (p->last_entered) NODES[p->last_entered].successor = id;
  return id;
}

/* The call path of a call of fid from the top frame, its call counted. */
static inline uint32_t call(uint32_t fid) {
  uint32_t parent = TOP->node, id = NODES[parent].predicted;
  if (UNLIKELY(NODES[id].fid != fid || id == 0)) id = child(parent, fid);
  struct wrec_node *nodes = NODES, *p = &nodes[parent];
  nodes[id].calls++;
  p->last_entered = id;
  p->predicted = nodes[id].successor;
  return id;
}

/* The stack is full, or a stop signal made it look so. */
static __attribute__((noinline)) struct wrec_frame *frames_grow(void) {
  if (S.stop) host_stopped();
  uint32_t cap = (S.frames_end - S.frames) / sizeof(struct wrec_frame), depth = (S.top - S.frames) / sizeof(struct wrec_frame);
  struct wrec_frame *frames = allocate(2 * cap * sizeof *frames);
  __builtin_memcpy(frames, FRAMES, cap * sizeof *frames);
  S.frames = (uint32_t)(uintptr_t)frames;
  S.frames_end = S.frames + 2 * cap * sizeof *frames;
  S.top = S.frames + depth * sizeof *frames;
  if (S.stop) S.frames_end = S.frames; /* a stop signal since the check */
  host_grown();
  return TOP;
}

/* Depth of the stack: 0 with no frame open. */
static inline uint32_t depth(void) { return (S.top - S.frames) / sizeof(struct wrec_frame); }

/* Closes the top frame, the counter at `now`: by an exit, or unwound. */
static inline void pop(uint64_t now, int unwound) {
  struct wrec_frame *f = TOP;
  struct wrec_node *node = &NODES[f->node];
  node->incl_instructions += now - f->instructions_at_entry;
  if (unwound) {
    node->unwound++;
    S.unwound++;
  }
  S.top -= sizeof *f;
}

/* An exit of fid that is not the top frame's, as libwprof's
** wprof__exit_slow: a mismatch; if a frame of fid is open further down, the
** frames above it are closed as unwound and it exits, else nothing. */
static __attribute__((noinline)) void exit_mismatched(uint32_t fid, uint64_t now) {
  S.mismatches++;
  struct wrec_frame *f = TOP;
  while (f > FRAMES && f->fid != fid) f--;
  if (f == FRAMES) return;
  while (TOP > f) pop(now, 1);
  pop(now, 0);
}

/* While a probe runs, S.in_probe is set, so that a sample that lands in it
** counts as the recorder's cost (run.probe_samples), not the guest's; the
** fences keep the probe's own stores inside that window. */
static inline void probe_begin(void) {
  S.in_probe = 1;
  __atomic_signal_fence(__ATOMIC_SEQ_CST);
}

static inline void probe_end(void) {
  __atomic_signal_fence(__ATOMIC_SEQ_CST);
  S.in_probe = 0;
}

EXPORT("enter") void wrec_enter(uint32_t fid) {
  probe_begin();
  struct wrec_frame *f = TOP;
  if (UNLIKELY(f + 1 >= (struct wrec_frame *)(uintptr_t)S.frames_end)) f = frames_grow();
  f[1].node = call(fid);
  f[1].fid = fid;
#ifdef WREC_COST
  f[1].instructions_at_entry = host_cost();
#endif
  S.top += sizeof *f;
  probe_end();
}

static inline void exit_probe(uint32_t fid) {
  probe_begin();
  struct wrec_frame *f = TOP;
  uint64_t now = COST();
  if (UNLIKELY(f->fid != fid || f == FRAMES)) {
    exit_mismatched(fid, now);
  } else {
#ifdef WREC_COST
    pop(now, 0);
#else
    S.top -= sizeof *f;
#endif
  }
  probe_end();
}

EXPORT("exit") void wrec_exit(uint32_t fid) { exit_probe(fid); }
EXPORT("exit_i32") int32_t wrec_exit_i32(uint32_t fid, int32_t v) { exit_probe(fid); return v; }
EXPORT("exit_i64") int64_t wrec_exit_i64(uint32_t fid, int64_t v) { exit_probe(fid); return v; }
EXPORT("exit_f32") float wrec_exit_f32(uint32_t fid, float v) { exit_probe(fid); return v; }
EXPORT("exit_f64") double wrec_exit_f64(uint32_t fid, double v) { exit_probe(fid); return v; }

/* A call counted without a frame: entered and left at once (its
** instructions are its caller's). */
EXPORT("count") void wrec_count(uint32_t fid) {
  probe_begin();
  call(fid);
  probe_end();
}

EXPORT("frame") int32_t wrec_frame(void) { return (int32_t)depth(); }

/* The host's (not a probe): closes every frame deeper than `to` (0: all)
** without an exit, as libwprof's wprof_thread_unwind: a call into the guest
** that ended by a throw of the host's. */
EXPORT("unwind") void wrec_unwind(uint32_t to) {
  S.in_probe = 0; /* a throw may have left a probe (host_stopped) */
  uint64_t now = COST();
  while (depth() > to) pop(now, 1);
}

/* An exception caught by fid at depth: the frames deeper were unwound. */
EXPORT("catch") void wrec_catch(uint32_t fid, int32_t at) {
  if (at <= 0 || (uint32_t)at > depth()) {
    S.mismatches++;
    return;
  }
  wrec_unwind((uint32_t)at);
  if (TOP->fid != fid) S.mismatches++;
}

/* Sets the recorder up (once, before the first probe); returns the address
** of its state. */
EXPORT("init") uint32_t wrec_init(void) {
  if (!S.nodes) {
    S.brk = (uint32_t)(uintptr_t)&__heap_base;
    S.nodes_cap = 8; /* small: every test program makes its tables grow */
    S.nodes = (uint32_t)(uintptr_t)allocate(S.nodes_cap * sizeof(struct wrec_node));
    S.nnodes = 1;
    NODES[0].fid = WREC_ROOT_FID;
    slots_init(16);
    S.frames = (uint32_t)(uintptr_t)allocate(8 * sizeof(struct wrec_frame));
    S.frames_end = S.frames + 8 * sizeof(struct wrec_frame);
    S.top = S.frames;
    FRAMES[0] = (struct wrec_frame){.node = 0, .fid = WREC_ROOT_FID};
  }
  return (uint32_t)(uintptr_t)&S;
}
