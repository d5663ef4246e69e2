/*
** The wasm2c host behind `wprof run`.
**
** wprof_host_build() turns a module into a shared object (wasm2c, then the
** system C compiler) kept in a content-addressed cache; wprof_host_run()
** loads it into this process and runs its _start under our WASI
** (runtime-shim/wasi) with the libwprof recorder attached, writing the
** profile database. Every failure prints one line `wprof run: FILE: REASON`
** on stderr and maps to one of the exit codes below.
*/
#ifndef WPROF_HOST_H
#define WPROF_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "exit-codes.h" /* WPROF_EXIT_*: besides the guest's own exit code */
#include "wasm-scan.h"
#include "wasi.h"
#include "wprof.h"

struct wprof_host_options {
  const char *module_path;
  const char *db_path;
  bool trace, quiet, deterministic;
  enum wprof_timing timing;
  uint64_t sample_interval_ns; /* sampled timing; 0: the default */
  int guest_argc;              /* argv[0] included */
  char **guest_argv;
  int envc;                    /* "K=V" strings */
  char **envp;
  int npreopens;
  const struct wprof_wasi_preopen *preopens;
};

/* A module file read into memory. */
struct wprof_module_file {
  uint8_t *bytes;
  size_t len;
  bool instrumented;           /* has a wprof.functions section */
  bool uses_exceptions;        /* tag section or imported tag: wasm2c needs --enable-exceptions */
  bool uses_simd, uses_tail_calls; /* wasm2c 1.0.32 cannot translate them (wprof_host_build refuses them) */
  bool exports_memory;         /* a memory exported as "memory" */
  bool exports_counter;        /* the instruction counter of wasm-instrument --cost */
  bool imports_probes;         /* imports from `wprof`: its C defines them (module-probes.h) */
  char instantiate_args[64];   /* wasm2c's instantiate arguments after the instance: ", wasi, probes" */
  struct wscan_module scan;    /* wasm-scan's reading of bytes, which the recorder reuses */
};

/* Reads and checks the module with wasm-scan (well-formed, imports that
** wprof run provides with the types it provides them with, a _start of a
** WASI command). Returns 0 or an exit code (message printed). */
int wprof_host_load(const char *path, struct wprof_module_file *out);
void wprof_host_unload(struct wprof_module_file *m);

/* The directory of the database must exist and be writable: checked before
** the (possibly long) build or the start of another engine. Returns 0 or
** WPROF_EXIT_CANT_CREATE (message printed). */
int wprof_host_check_db_dir(const char *db_path);

/* Finds or builds the cached shared object for the module (refusing
** features wasm2c 1.0.32 cannot translate); *so_path is malloc'ed. Returns 0
** or an exit code (message printed). */
int wprof_host_build(const char *module_path, const struct wprof_module_file *m, bool quiet, char **so_path);

/* The native code of each wasm function in the loaded shared object `so`
** (from so_path's symbol table; see module-code.c), for
** wprof_set_code_ranges; *out is malloc'ed. Returns how many ranges (0 when
** the table cannot be read: samples then go to the top path). */
struct wprof_module_entry;
struct wprof_code_range;
size_t wprof_host_code_ranges(void *so, const char *so_path, const struct wprof_module_entry *entry,
                              struct wprof_code_range **out);

/* Whether the module's shared object is in the cache (a run starts at once). */
bool wprof_host_is_cached(const struct wprof_module_file *m);

/* Runs the module, loaded by wprof_host_load from opts->module_path (and
** unloaded here); returns the exit code for `wprof run`. */
int wprof_host_run(const struct wprof_host_options *opts, struct wprof_module_file *module);

#endif
