/*
** Running a compiled module in this process: the heart of `wprof run`.
**
** Why dlopen and not a cached executable per module: only the module's own
** C has to be compiled per module (the WASI layer, wasm2c's runtime and the
** recorder are built once, into the wprof executable, under the same
** sanitizers as the rest), stdin/stdout/stderr are simply ours, and the
** recorder, the signal handlers and the exit code are all handled in one
** place. The shared object gets its imports (Z_wasi_snapshot_preview1Z_*,
** Z_wprofZ_*, wasm_rt_*) from the executable, which exports them.
**
** Leaving the guest always goes through wasm2c's trap buffer: a trap, WASI
** proc_exit (WPROF_WASI_JMP_EXIT), or an interruption (WPROF_WASI_JMP_STOP)
** taken at the next enter probe or WASI call. SIGINT/SIGTERM/SIGHUP only set flags;
** for a module without probes that is running guest code (not inside a WASI
** call), the handler leaves the guest itself, since nothing else would.
** A second signal exits at once (128 + signal), without a database.
*/
#define _GNU_SOURCE
#include "host.h"

#include <dlfcn.h>
#include <errno.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <wasm-rt-impl.h>

#include "module-entry.h"
#include "probe-glue.h"

/* A --trace backlog that takes the writer about a second or more to store
** once the guest has finished: worth a line, so the wait is explained. */
#define TRACE_BACKLOG_NOTICE 2000000u

static volatile sig_atomic_t stop_signal;     /* the first SIGINT/SIGTERM/SIGHUP, or 0 */
static volatile sig_atomic_t guest_running;   /* inside _start */
static wprof_recorder *volatile signal_recorder;
static wprof_wasi *volatile signal_wasi;
static bool leave_from_handler;               /* the module has no probes */

static void on_stop_signal(int sig) {
  wprof_stop_signal(signal_recorder, &stop_signal, sig);
  if (leave_from_handler && guest_running && !wprof_wasi_in_call(signal_wasi)) {
    guest_running = 0;
    WASM_RT_LONGJMP(wasm_rt_jmp_buf, WPROF_WASI_JMP_STOP);
  }
}


static const char *trap_message(int code) {
  switch (code) {
    case WASM_RT_TRAP_OOB: return "out of bounds memory or table access";
    case WASM_RT_TRAP_INT_OVERFLOW: return "integer overflow";
    case WASM_RT_TRAP_DIV_BY_ZERO: return "integer divide by zero";
    case WASM_RT_TRAP_INVALID_CONVERSION: return "invalid conversion to integer";
    case WASM_RT_TRAP_UNREACHABLE: return "unreachable executed";
    case WASM_RT_TRAP_CALL_INDIRECT: return "indirect call: type mismatch, null or out of range";
    case WASM_RT_TRAP_UNCAUGHT_EXCEPTION: return "uncaught exception";
    case WASM_RT_TRAP_EXHAUSTION: return "call stack exhausted";
    default: return "unknown trap";
  }
}

int wprof_host_check_db_dir(const char *db_path) {
  char *copy = strdup(db_path);
  if (!copy) return WPROF_EXIT_INTERNAL;
  const char *dir = dirname(copy);
  struct stat st;
  int rc = 0;
  if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode) || access(dir, W_OK | X_OK) != 0) {
    fprintf(stderr, "wprof run: %s: cannot write here: %s\n", db_path,
            errno ? strerror(errno) : "not a directory");
    rc = WPROF_EXIT_CANT_CREATE;
  }
  free(copy);
  return rc;
}

struct outcome {
  enum wprof_status status;
  int exit_code;       /* the guest's, when WPROF_EXITED */
  const char *message; /* trap text */
};

/* Instantiates and runs _start; everything after the setjmp that must
** survive a longjmp lives in *out or is volatile. */
static void run_guest(const struct wprof_module_entry *entry, void *instance, wprof_wasi *wasi, wprof_thread *thread,
                      volatile bool *instantiated, struct outcome *out) {
  static char sampling_error[256];
  int jumped = wasm_rt_impl_try();
  if (jumped == 0) {
    /* the counter's address, taken before instantiation runs any start function */
    const uint64_t *counter = entry->instructions(instance);
    if (counter) wprof_thread_count_instructions(thread, counter);
    entry->instantiate(instance, wasi, wprof_probe_instance(thread));
    *instantiated = true;
    wprof_wasi_set_memory(wasi, entry->memory(instance));
    /* sampled time covers _start only, not the host's instantiation */
    if (wprof_sampling_start(thread, sampling_error, sizeof sampling_error) != 0) {
      *out = (struct outcome){WPROF_ERROR, 0, sampling_error};
      return;
    }
    guest_running = 1;
    if (stop_signal) WASM_RT_LONGJMP(wasm_rt_jmp_buf, WPROF_WASI_JMP_STOP); /* came during instantiation */
    entry->start(instance);
    guest_running = 0;
    *out = (struct outcome){WPROF_EXITED, 0, NULL};
    return;
  }
  guest_running = 0;
  if (jumped == WPROF_WASI_JMP_EXIT)
    *out = (struct outcome){WPROF_EXITED, (int)wprof_wasi_exit_code(wasi), NULL};
  else if (jumped == WPROF_WASI_JMP_STOP)
    *out = (struct outcome){WPROF_INTERRUPTED, 0, wprof_stop_signal_name(stop_signal)};
  else
    *out = (struct outcome){WPROF_TRAPPED, 0, trap_message(jumped)};
}

int wprof_host_run(const struct wprof_host_options *opts, struct wprof_module_file *loaded) {
  struct wprof_module_file module = *loaded; /* ours from now on */
  *loaded = (struct wprof_module_file){0};
  int rc;
  char *so_path = NULL;
  void *so = NULL;
  const struct wprof_module_entry *entry = NULL;
  wprof_wasi *wasi = NULL;
  wprof_recorder *rec = NULL;
  void *instance = NULL;
  volatile bool instantiated = false;
  char err[512];
  if ((rc = wprof_host_check_db_dir(opts->db_path)) || (rc = wprof_host_build(opts->module_path, &module, opts->quiet, &so_path)))
    goto out;

  so = dlopen(so_path, RTLD_NOW | RTLD_LOCAL);
  if (!so) { /* a damaged cache entry (truncated, emptied): build it again, once */
    if (!opts->quiet)
      fprintf(stderr, "wprof: the cached build of %s cannot be loaded (%s): building it again\n", opts->module_path,
              dlerror());
    unlink(so_path);
    free(so_path);
    so_path = NULL;
    if ((rc = wprof_host_build(opts->module_path, &module, opts->quiet, &so_path))) goto out;
    so = dlopen(so_path, RTLD_NOW | RTLD_LOCAL);
  }
  entry = so ? dlsym(so, "wprof_module_entry") : NULL;
  if (!entry || entry->abi != WPROF_MODULE_ENTRY_ABI) {
    fprintf(stderr, "wprof run: %s: cannot load the compiled module: %s\n", opts->module_path,
            so ? "no usable wprof_module_entry" : dlerror());
    rc = WPROF_EXIT_INTERNAL;
    goto out;
  }
  struct wprof_wasi_config wc = {
      .argc = opts->guest_argc, .argv = opts->guest_argv, .envc = opts->envc, .envp = opts->envp,
      .npreopens = opts->npreopens, .preopens = opts->preopens, .stop_flag = &stop_signal,
      .no_openat2 = getenv("WPROF_WASI_NO_OPENAT2") != NULL, /* test hook: the fallback resolver */
      .deterministic = opts->deterministic,
  };
  if (!(wasi = wprof_wasi_create(&wc, err, sizeof err))) {
    fprintf(stderr, "wprof run: %s\n", err);
    rc = WPROF_EXIT_NO_INPUT;
    goto out;
  }
  struct wprof_run_options ro = {
      .db_path = opts->db_path, .module_path = opts->module_path, .module_bytes = module.bytes,
      .module_len = module.len, .module_scan = &module.scan, .argc = opts->guest_argc, .argv = opts->guest_argv, .host = "wasm2c",
      .timing = opts->timing, .sample_interval_ns = opts->sample_interval_ns, .trace = opts->trace,
      .deterministic = opts->deterministic,
  };
  if (!(rec = wprof_open(&ro, err, sizeof err))) {
    fprintf(stderr, "wprof run: %s: %s\n", opts->db_path, err);
    rc = WPROF_EXIT_CANT_CREATE;
    goto out;
  }
  if (opts->timing == WPROF_TIMING_SAMPLED) {
    struct wprof_code_range *ranges;
    size_t nranges = wprof_host_code_ranges(so, so_path, entry, &ranges);
    wprof_set_code_ranges(rec, ranges, nranges);
    free(ranges);
  }
  wprof_thread *thread = wprof_thread_attach(rec);
  if (!thread || !(instance = calloc(1, entry->instance_size))) {
    fprintf(stderr, "wprof run: %s: out of memory\n", opts->module_path);
    rc = WPROF_EXIT_INTERNAL;
    goto out;
  }

  signal_recorder = rec;
  signal_wasi = wasi;
  leave_from_handler = !module.instrumented;
  wprof_set_stop_handlers(on_stop_signal);
  wasm_rt_init();
  entry->init_module();
  struct outcome outcome;
  run_guest(entry, instance, wasi, thread, &instantiated, &outcome);
  wprof_sampling_stop(thread);
  if (outcome.status == WPROF_ERROR) {
    fprintf(stderr, "wprof run: %s\n", outcome.message);
    rc = WPROF_EXIT_INTERNAL;
    goto out;
  }

  if (outcome.status == WPROF_TRAPPED && !opts->quiet)
    fprintf(stderr, "wprof: guest trapped: %s\n", outcome.message);
  if (outcome.status == WPROF_INTERRUPTED && !opts->quiet)
    fprintf(stderr, "wprof: guest interrupted by %s\n", outcome.message);
  uint64_t backlog = wprof_trace_backlog(rec);
  if (backlog >= TRACE_BACKLOG_NOTICE && !opts->quiet)
    fprintf(stderr, "wprof: storing about %llu trace rows the guest produced faster than they could be written\n",
            (unsigned long long)backlog);
  if (wprof_finish(rec, outcome.status, outcome.exit_code, outcome.message, err, sizeof err) != 0) {
    fprintf(stderr, "wprof run: %s: %s\n", opts->db_path, err);
    rc = WPROF_EXIT_CANT_CREATE;
    goto out;
  }
  if (!opts->quiet) wprof_print_summary(stderr, rec, opts->db_path);
  switch (outcome.status) {
    case WPROF_EXITED: rc = outcome.exit_code & 0xff; break;
    case WPROF_TRAPPED: rc = WPROF_EXIT_TRAP; break;
    default: rc = stop_signal == SIGTERM ? WPROF_EXIT_SIGTERM : stop_signal == SIGHUP ? WPROF_EXIT_SIGHUP : WPROF_EXIT_SIGINT;
      break;
  }
out:
  wprof_set_stop_handlers(SIG_DFL);
  signal_recorder = NULL;
  signal_wasi = NULL;
  if (instantiated) entry->free_instance(instance);
  free(instance);
  wprof_close(rec);
  wprof_wasi_destroy(wasi);
  if (wasm_rt_is_initialized()) wasm_rt_free();
  if (so) dlclose(so);
  free(so_path);
  wprof_host_unload(&module);
  return rc;
}
