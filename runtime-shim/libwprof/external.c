/*
** libwprof for hosts whose probes run elsewhere (wprof.h, "Probes served
** elsewhere"): the Node engine's recorder compiled to wasm keeps the shadow
** stack and the calling-context tree in its own memory, and its host
** (runtime-shim/node/wprof-node.c) rebuilds them here: paths in creation
** order (so they are numbered as libwprof's own probes would number them),
** their counts (instructions included), the path on top (libwprof's shadow
** stack is the tree: the open frames are the top path and its ancestors)
** and the thread's totals.
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

void wprof_thread_set_top(wprof_thread *t, wprof_path *top) {
  wprof__set_top(&t->probe, top);
}

void wprof_path_set_entry_instructions(wprof_path *p, uint64_t instructions) {
  p->entry_instructions = instructions;
}

void wprof_thread_set_totals(wprof_thread *t, uint64_t unwound, uint64_t mismatches, uint64_t probe_samples) {
  t->unwound = unwound;
  t->exit_mismatches = mismatches;
  t->probe_samples = probe_samples;
}
