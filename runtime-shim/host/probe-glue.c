/*
** The host's part of the probe imports of wasm2c modules, whose fast paths
** are compiled into each module (module-probes.h): the enter slow path,
** which is also where an interruption (SIGINT/SIGTERM, wprof_request_stop,
** which sends every probe to its slow path) takes effect. The guest is left
** through wasm2c's trap buffer, so the recorder sees a clean probe boundary.
*/
#include "probe-glue.h"

#include <wasm-rt-impl.h>

#include "wasi.h"

WPROF_PROBE_CODE void wprof_host_enter_slow(wprof_thread *t, uint32_t fid) {
  if (WPROF_UNLIKELY(wprof_probe_should_stop(t))) {
    wprof__state(t)->in_probe = 0;
    WASM_RT_LONGJMP(wasm_rt_jmp_buf, WPROF_WASI_JMP_STOP);
  }
  wprof__enter_slow(t, fid);
}
