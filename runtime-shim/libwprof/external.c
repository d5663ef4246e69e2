/*
** libwprof for hosts whose probes run elsewhere (wprof.h, "Probes served
** elsewhere"): the Node engine's recorder compiled to wasm keeps the shadow
** stack and the calling-context tree in its own memory, and its host
** (runtime-shim/node/wprof-node.c) rebuilds them here: paths in creation
** order (so they are numbered as libwprof's own probes would number them),
** their counts (instructions included), the open frames and the thread's
** totals.
*/
#include "wprof-internal.h"

wprof_path *wprof_path_root(wprof_thread *t) {
  return &t->root;
}

wprof_path *wprof_path_child(wprof_thread *t, wprof_path *parent, uint32_t fid) {
  return wprof__child(t, parent, fid);
}

void wprof_path_set_counts(wprof_path *p, uint64_t calls, uint64_t unwound, uint64_t samples,
                           uint64_t incl_instructions) {
  p->calls = calls;
  p->unwound = unwound;
  p->samples = samples;
  p->incl_instructions = incl_instructions;
}

void wprof_thread_set_frames(wprof_thread *t, wprof_path *const *paths, const uint64_t *instructions_at_entry,
                             uint32_t depth) {
  t->top = t->base;
  while ((size_t)(t->limit - t->base) < depth) wprof__stack_grow(t);
  for (uint32_t i = 0; i < depth; i++)
    t->base[i + 1] = (struct wprof_frame){
        .node = paths[i], .instructions_at_entry = instructions_at_entry ? instructions_at_entry[i] : *t->instructions};
  atomic_signal_fence(memory_order_release); /* the sampler reads top->node */
  t->top = t->base + depth;
}

void wprof_thread_set_totals(wprof_thread *t, uint64_t exits, uint64_t unwound, uint64_t mismatches) {
  t->exits = exits;
  t->unwound = unwound;
  t->exit_mismatches = mismatches;
}
