/*
** A native executable around one module translated by wasm2c, without wprof:
** the program that bench/realistic/uftrace.sh builds twice (plain, and with
** cc -pg for uftrace) to compare uftrace's cost per traced call with the
** cost per probe event of `wprof run` on the same code. It is what
** `wprof run` does for a plain module (runtime-shim/host/host-run.c) minus
** the recorder, the signal handling and the dlopen: our WASI
** (runtime-shim/wasi), wasm2c's runtime, then the module's _start.
**
** Built with -DW2C_MODULE=NAME -include NAME.h, where NAME.h is wasm2c's
** header for `wasm2c -n NAME`; with -DW2C_PROBES too for an instrumented
** module, whose `wprof` imports probe-floor.c defines (probe-floor.sh). Exit status: the guest's exit code, 70 when
** the WASI context cannot be created, 134 when the guest traps.
*/
#include <stdbool.h>
#include <stdio.h>
#include <wasm-rt-impl.h>

#include "wasi.h"

#define PASTE(a, b) a##b
#define PASTE2(a, b) PASTE(a, b)
/* Z_<module><suffix>: the names wasm2c -n <module> gives. */
#define MODULE_SYMBOL(suffix) PASTE2(PASTE2(Z_, W2C_MODULE), suffix)

#ifdef W2C_PROBES
extern struct Z_wprof_instance_t probe_floor_instance;
#define PROBE_IMPORTS , &probe_floor_instance
#else
#define PROBE_IMPORTS
#endif

int main(int argc, char **argv) {
  char err[256];
  struct wprof_wasi_config cfg = {.argc = argc, .argv = argv};
  wprof_wasi *wasi = wprof_wasi_create(&cfg, err, sizeof err);
  if (!wasi) {
    fprintf(stderr, "w2c-main: %s\n", err);
    return 70;
  }
  wasm_rt_init();
  MODULE_SYMBOL(_init_module)();
  static MODULE_SYMBOL(_instance_t) instance; /* static: survives the longjmp */
  static volatile bool instantiated;
  int code;
  int jumped = wasm_rt_impl_try();
  if (jumped == 0) {
    MODULE_SYMBOL(_instantiate)(&instance, wasi PROBE_IMPORTS);
    instantiated = true;
    wprof_wasi_set_memory(wasi, MODULE_SYMBOL(Z_memory)(&instance));
    MODULE_SYMBOL(Z__start)(&instance);
    code = 0;
  } else if (jumped == WPROF_WASI_JMP_EXIT) {
    code = (int)wprof_wasi_exit_code(wasi);
  } else {
    fprintf(stderr, "w2c-main: guest trapped (wasm_rt_trap_t %d)\n", jumped);
    code = 134;
  }
  if (instantiated) MODULE_SYMBOL(_free)(&instance);
  wprof_wasi_destroy(wasi);
  wasm_rt_free();
  return code;
}
