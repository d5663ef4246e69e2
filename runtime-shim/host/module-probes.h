/*
** The probe imports of docs/probe-abi.md for wasm2c modules, compiled into
** each module's own translation unit: `wprof run` writes this file,
** probe-glue.h and libwprof's wprof-probes.h beside wasm2c's output (its
** executable carries their text, module-build.c) and includes it before the
** module's C. The probes are static and always inlined, so that each call
** site runs the fast path in line instead of calling into the executable
** (a call, and the registers a call clobbers, per event); wasm2c's own
** declarations of the imports, which come later, then name these.
**
** Each `wprof.NAME` import becomes `Z_wprofZ_NAME`; its instance argument is
** the libwprof thread itself. The slow paths stay in the executable, which
** exports them; the enter slow path is the host's (probe-glue.c), where a
** stop request (SIGINT/SIGTERM, wprof_request_stop) leaves the guest. While
** a probe runs, in_probe is set: a sample that lands there is the
** profiler's cost, not the guest's, and the fences keep the guest's own
** code out of that window.
**
** The including file defines WPROF_GUEST_COUNTER to 1 if the module
** exports the instruction counter of --cost, else 0.
*/
#ifndef WPROF_MODULE_PROBES_H
#define WPROF_MODULE_PROBES_H

#include <wasm-rt.h>

#include "probe-glue.h"

#define PROBE static inline __attribute__((always_inline))

static inline wprof_thread *wprof_module_probe_begin(struct Z_wprof_instance_t *p) {
  wprof_thread *t = wprof_probe_thread(p);
  wprof__state(t)->in_probe = 1;
  atomic_signal_fence(memory_order_seq_cst);
  return t;
}

static inline void wprof_module_probe_end(wprof_thread *t) {
  atomic_signal_fence(memory_order_seq_cst);
  wprof__state(t)->in_probe = 0;
}

PROBE void Z_wprofZ_enter(struct Z_wprof_instance_t *p, uint32_t fid) {
  wprof_thread *t = wprof_module_probe_begin(p);
  if (WPROF_UNLIKELY(!wprof_probe_enter_fast(t, fid))) wprof_host_enter_slow(t, fid);
  wprof_module_probe_end(t);
}

PROBE void Z_wprofZ_exit(struct Z_wprof_instance_t *p, uint32_t fid) {
  wprof_thread *t = wprof_module_probe_begin(p);
  wprof_probe_exit(t, fid);
  wprof_module_probe_end(t);
}

PROBE void Z_wprofZ_count(struct Z_wprof_instance_t *p, uint32_t fid) {
  wprof_thread *t = wprof_module_probe_begin(p);
  wprof_probe_count(t, fid);
  wprof_module_probe_end(t);
}

/* exit_T: record the exit, hand the result back untouched (same bits). */
#define EXIT_PASSING(suffix, type)                                                 \
  PROBE type Z_wprofZ_exit_##suffix(struct Z_wprof_instance_t *p, uint32_t fid, type v) { \
    wprof_thread *t = wprof_module_probe_begin(p);                                             \
    wprof_probe_exit(t, fid);                                                      \
    wprof_module_probe_end(t);                                                                 \
    return v;                                                                      \
  }
EXIT_PASSING(i32, uint32_t)
EXIT_PASSING(i64, uint64_t)
EXIT_PASSING(f32, float)
EXIT_PASSING(f64, double)
EXIT_PASSING(funcref, wasm_rt_funcref_t)
EXIT_PASSING(externref, wasm_rt_externref_t)
#undef EXIT_PASSING

PROBE uint32_t Z_wprofZ_frame(struct Z_wprof_instance_t *p) {
  wprof_thread *t = wprof_module_probe_begin(p);
  uint32_t depth = (uint32_t)wprof_probe_frame(t);
  wprof_module_probe_end(t);
  return depth;
}

PROBE void Z_wprofZ_catch(struct Z_wprof_instance_t *p, uint32_t fid, uint32_t depth) {
  wprof_thread *t = wprof_module_probe_begin(p);
  wprof_probe_catch(t, fid, (int32_t)depth);
  wprof_module_probe_end(t);
}

PROBE void Z_wprofZ_alloc(struct Z_wprof_instance_t *p, uint32_t ptr, uint32_t size) {
  wprof_thread *t = wprof_module_probe_begin(p);
  wprof_probe_alloc(t, ptr, size);
  wprof_module_probe_end(t);
}

PROBE void Z_wprofZ_realloc(struct Z_wprof_instance_t *p, uint32_t old, uint32_t ptr, uint32_t size) {
  wprof_thread *t = wprof_module_probe_begin(p);
  wprof_probe_realloc(t, old, ptr, size);
  wprof_module_probe_end(t);
}

PROBE void Z_wprofZ_free(struct Z_wprof_instance_t *p, uint32_t ptr) {
  wprof_thread *t = wprof_module_probe_begin(p);
  wprof_probe_free(t, ptr);
  wprof_module_probe_end(t);
}

#undef PROBE

#endif
