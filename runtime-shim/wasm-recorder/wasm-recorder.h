/*
** The wasm recorder's memory, as both sides see it: recorder.c (compiled to
** wasm32, the `wprof` probes of the Node engine) keeps its shadow stack and
** calling-context tree there, and the Node addon (runtime-shim/node) reads
** them to hand them to libwprof. Every field is a fixed-width integer and
** every reference an address in that memory (or a node id), so that the
** layout is the same for wasm32 and for the native side.
*/
#ifndef WPROF_WASM_RECORDER_H
#define WPROF_WASM_RECORDER_H

#include <stdint.h>

/* The fid of node 0, the root: no function's (fids are below 2^30). */
#define WREC_ROOT_FID 0xffffffffu

/* One call path. Node ids count from 1 in the order the paths were created
** (as libwprof numbers them); node 0 is the root, the host. */
struct wrec_node {
  uint32_t fid;
  uint32_t parent;       /* node id */
  /* callee prediction, as libwprof's (struct wprof_node): the child entered
  ** after `successor` last time is likely to follow it again */
  uint32_t predicted;    /* the child expected next (0: none) */
  uint32_t successor;    /* the sibling entered after this path last time (itself at first) */
  uint32_t last_entered; /* the child entered last (0: none) */
  uint32_t reserved;
  uint64_t calls, unwound;
  uint64_t incl_instructions; /* the recorder built with WREC_COST: instructions inside the path */
};

/* A frame of the shadow stack; frames[0] is the root's. */
struct wrec_frame {
  uint32_t node;
  uint32_t fid;  /* the node's, for the exit probe to check with one load less */
  uint64_t instructions_at_entry; /* WREC_COST: the guest's counter at the entry */
};

/* The recorder's state, at the address its `state` export returns. */
struct wrec_state {
  uint32_t stop;          /* set by the host (a stop signal), with frames_end = frames: the next
                          ** enter, finding the stack full, calls host.stopped() */
  uint32_t top;           /* address of the top frame (its node first: a sampler reads a u32 there) */
  uint32_t frames;        /* address of frames[0] */
  uint32_t frames_end;    /* one past the last frame the stack has room for */
  uint32_t nodes;         /* address of nodes[0] */
  uint32_t nnodes;        /* nodes in use, the root included */
  uint32_t nodes_cap;
  uint32_t slots;         /* address of the children table: (parent, fid) -> child, open addressing */
  uint32_t slots_cap;     /* a power of 2 */
  uint32_t brk;           /* the first byte not allocated */
  uint32_t in_probe;      /* non-zero while a probe runs: a sample there is the recorder's cost */
  uint32_t reserved;
  uint64_t unwound;       /* frames closed without an exit (catch, a mismatched exit); the
                          ** calls that exited are the others, less the frames open */
  uint64_t mismatches;    /* exit and catch probes that did not match the stack */
};

/* A slot of the children table; child 0: empty. */
struct wrec_slot {
  uint32_t parent, fid, child;
};

#endif
