/*
** The probe imports of docs/probe-abi.md for wasm2c modules.
**
** Each `wprof.NAME` import of a rewritten module becomes a call of
** `Z_wprofZ_NAME`; these forward to libwprof's inline probes. The enter
** probe is also where an interruption (SIGINT/SIGTERM, wprof_request_stop)
** takes effect: the guest is left through wasm2c's trap buffer, so the
** recorder sees a clean probe boundary. All probes are defined whether or not
** a given module imports them. All are WPROF_PROBE_CODE: a sample that
** lands in them is the profiler's cost, not the guest's.
*/
#include "probe-glue.h"

#include <wasm-rt-impl.h>

#include "wasi.h"
#include "wprof-probes.h"

WPROF_PROBE_CODE void Z_wprofZ_enter(struct Z_wprof_instance_t *p, uint32_t fid) {
  wprof_thread *t = wprof_probe_thread(p);
  if (WPROF_UNLIKELY(wprof_probe_should_stop(t))) WASM_RT_LONGJMP(wasm_rt_jmp_buf, WPROF_WASI_JMP_STOP);
  wprof_probe_enter(t, fid);
}

WPROF_PROBE_CODE void Z_wprofZ_count(struct Z_wprof_instance_t *p, uint32_t fid) {
  wprof_probe_count(wprof_probe_thread(p), fid);
}

WPROF_PROBE_CODE void Z_wprofZ_exit(struct Z_wprof_instance_t *p, uint32_t fid) { wprof_probe_exit(wprof_probe_thread(p), fid); }

/* exit_T: record the exit, hand the result back untouched (same bits). The
** slow path is a tail call that carries v, so the fast path saves nothing. */
#define EXIT_PASSING(suffix, type)                                                              \
  static WPROF_PROBE_CODE __attribute__((noinline, cold)) type exit_slow_##suffix(wprof_thread *t, uint32_t fid, type v) { \
    wprof__exit_slow(t, fid);                                                                   \
    return v;                                                                                   \
  }                                                                                             \
  WPROF_PROBE_CODE type Z_wprofZ_exit_##suffix(struct Z_wprof_instance_t *p, uint32_t fid, type v) {               \
    wprof_thread *t = wprof_probe_thread(p);                                                    \
    if (WPROF_UNLIKELY(!wprof_probe_exit_fast(t, fid))) return exit_slow_##suffix(t, fid, v);   \
    return v;                                                                                   \
  }
EXIT_PASSING(i32, uint32_t)
EXIT_PASSING(i64, uint64_t)
EXIT_PASSING(f32, float)
EXIT_PASSING(f64, double)
EXIT_PASSING(funcref, wasm_rt_funcref_t)
EXIT_PASSING(externref, wasm_rt_externref_t)

WPROF_PROBE_CODE uint32_t Z_wprofZ_frame(struct Z_wprof_instance_t *p) { return (uint32_t)wprof_probe_frame(wprof_probe_thread(p)); }

WPROF_PROBE_CODE void Z_wprofZ_catch(struct Z_wprof_instance_t *p, uint32_t fid, uint32_t depth) {
  wprof_probe_catch(wprof_probe_thread(p), fid, (int32_t)depth);
}

WPROF_PROBE_CODE void Z_wprofZ_alloc(struct Z_wprof_instance_t *p, uint32_t ptr, uint32_t size) {
  wprof_probe_alloc(wprof_probe_thread(p), ptr, size);
}

WPROF_PROBE_CODE void Z_wprofZ_realloc(struct Z_wprof_instance_t *p, uint32_t old, uint32_t ptr, uint32_t size) {
  wprof_probe_realloc(wprof_probe_thread(p), old, ptr, size);
}

WPROF_PROBE_CODE void Z_wprofZ_free(struct Z_wprof_instance_t *p, uint32_t ptr) { wprof_probe_free(wprof_probe_thread(p), ptr); }
