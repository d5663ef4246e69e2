/*
** wprof_node.node: libwprof for Node, the recorder behind `wprof run
** --engine node` (driven by runtime-shim/js/wprof-run-node.mjs).
**
** An N-API addon (node_api.h, version 8) whose exports are, by name, the
** `wprof.*` probe imports of docs/probe-abi.md: the driver passes them to
** WebAssembly.instantiate as they are, so a probe is one call from wasm into
** a native function (no JavaScript frame in between) that forwards to the
** inline wprof_probe_* of wprof-probes.h. One recorder and one guest thread
** per process, kept in statics: a probe loads no per-call state and
** allocates nothing. The exit_T probes are not here: the trampoline module
** of wprof-host.mjs serves them by calling `exit`, so their values never
** enter JavaScript.
**
** Besides the probes: open (wprof_open, the thread attached), unwindTo
** (wprof_thread_unwind: a call into the guest that ended by a throw),
** samplingStart/samplingStop (the SIGPROF sampler of libwprof, on Node's main
** thread: it works there, the guest's syscalls being restarted), finish
** (wprof_finish, then the summary line of every wprof host), close (no run),
** drain and ringAttach (the event ring, below),
** empty (the bench's baseline) and the stop signals.
**
** Stop signals: V8 runs the guest synchronously, so a JavaScript SIGINT
** handler would never run before it returns. open() installs a C handler
** for SIGINT, SIGTERM and SIGHUP that asks the recorder to stop; the next
** enter probe then throws (a JavaScript exception through the wasm frames,
** which the driver recognizes by stopSignal() != 0) and the run is finished
** as 'interrupted'. A second signal removes the unfinished database and exits
** at once with 128 + the signal, as the wasm2c host does.
**
** The event ring (batching, wprof-node-recorder.mjs decides when): enter,
** exit, count and exit_T are then the functions of the ring module of
** wprof-host.mjs (ringProbes), which append fid << 2 | kind to a ring in a
** wasm memory of their own and call drain() when it is full; drain replays
** the events through the same wprof_probe_* (about 45 ns of N-API call per
** ring instead of per event). ringAttach(buffer) gives the addon that
** memory's ArrayBuffer: its backing store does not move, the memory never
** growing. Every probe whose handling depends on the stack (frame, catch,
** alloc, realloc, free) and finish first drain the ring; the stop handler
** sets the ring's limit to 0, so that every event calls drain, which throws
** at the first enter (not replayed), as the unbatched enter probe would. The ring outlives the run: events
** after finish (an 'exit' listener of the application) drain into nothing.
**
** Instructions (wasm-instrument --cost): a wasm global cannot be read from
** C, so the enter, exit, count and catch probes of a module with a counter
** are their _counted twins, which take the counter as two more i32 (low,
** high), passed by the trampolines of wprof-host.mjs (counterTrampolines)
** and stored where wprof_thread_count_instructions points (countInstructions()
** sets that up; setInstructions(low, high) gives the final value at the end).
*/
#define _GNU_SOURCE
#include <node_api.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wprof-abi.h"
#include "wprof.h"
#include "wprof-probes.h"

static wprof_recorder *recorder;
static wprof_thread *thread;
static volatile sig_atomic_t stop_signal;
static uint64_t instructions; /* the guest's counter, as the last probe was given it */
/* the ring's memory (wprof-host.mjs, ringProbes): limit, pos, then the events */
static volatile uint32_t *ring;
static uint32_t ring_bytes; /* the events' room, in bytes */
static napi_ref ring_buffer;

#define CHECK(call)                        \
  do {                                     \
    if ((call) != napi_ok) return NULL;    \
  } while (0)

/* ---- arguments (the probes' args are i32 from wasm: ToUint32 is exact) ---- */

static inline uint32_t arg_u32(napi_env env, napi_value v) {
  uint32_t x = 0;
  napi_get_value_uint32(env, v, &x);
  return x;
}

/* Reads up to n arguments into args; the missing ones are undefined. */
static inline void get_args(napi_env env, napi_callback_info info, size_t n, napi_value *args) {
  size_t argc = n;
  napi_get_cb_info(env, info, &argc, args, NULL, NULL);
}

static char *arg_string(napi_env env, napi_value v) {
  size_t len = 0;
  if (napi_get_value_string_utf8(env, v, NULL, 0, &len) != napi_ok) return NULL;
  char *s = malloc(len + 1);
  if (s && napi_get_value_string_utf8(env, v, s, len + 1, &len) != napi_ok) {
    free(s);
    return NULL;
  }
  return s;
}

static napi_value string_value(napi_env env, const char *s) {
  napi_value v;
  CHECK(napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &v));
  return v;
}

static napi_value null_value(napi_env env) {
  napi_value v;
  CHECK(napi_get_null(env, &v));
  return v;
}

/* ---- the probes ---- */

static void throw_stop(napi_env env) {
  napi_throw_error(env, "WPROF_STOP", stop_signal == SIGTERM ? "SIGTERM" : stop_signal == SIGHUP ? "SIGHUP" : "SIGINT");
}

/* enter, exit and count take (fid); their _counted twins, for a module with
** an instruction counter, (fid, counter low, counter high). The enter probe
** is where a stop signal takes effect. */
static WPROF_PROBE_CODE void set_instructions(napi_env env, napi_value low, napi_value high) {
  instructions = (uint64_t)arg_u32(env, high) << 32 | arg_u32(env, low);
}

/* A probe after finish() or close() (a module still called from an 'exit'
** listener of the application, under wprof-register.mjs) records nothing. */
#define NO_RUN_RETURN(value) \
  if (WPROF_UNLIKELY(!thread)) return value;

#define STOP_HERE                                        \
  if (WPROF_UNLIKELY(wprof_probe_should_stop(thread))) { \
    throw_stop(env);                                     \
    return NULL;                                         \
  }
#define CALL_PROBE(name, stop_check)                                                         \
  static WPROF_PROBE_CODE napi_value probe_##name(napi_env env, napi_callback_info info) {         \
    napi_value a[1];                                                                         \
    get_args(env, info, 1, a);                                                               \
    NO_RUN_RETURN(NULL)                                                                      \
    stop_check wprof_probe_##name(thread, arg_u32(env, a[0]));                               \
    return NULL;                                                                             \
  }                                                                                          \
  static WPROF_PROBE_CODE napi_value probe_##name##_counted(napi_env env, napi_callback_info info) { \
    napi_value a[3];                                                                         \
    get_args(env, info, 3, a);                                                               \
    NO_RUN_RETURN(NULL)                                                                      \
    stop_check set_instructions(env, a[1], a[2]);                                            \
    wprof_probe_##name(thread, arg_u32(env, a[0]));                                          \
    return NULL;                                                                             \
  }
CALL_PROBE(enter, STOP_HERE)
CALL_PROBE(exit, )
CALL_PROBE(count, )

/* ---- the event ring ---- */

enum { RING_ENTER, RING_EXIT, RING_COUNT };

/* Replays the ring's events into the recorder (none after finish) and
** empties it; with stop_at_enter, a last event that is an enter is not
** replayed: false then, that enter being where the guest stops. */
static WPROF_PROBE_CODE bool drain_events(bool stop_at_enter) {
  if (!ring) return true;
  uint32_t used = ring[1];
  if (used > ring_bytes) used = ring_bytes;
  const uint32_t *event = (const uint32_t *)ring + 2, *end = event + used / 4; /* only this thread writes them */
  ring[1] = 0;
  if (!thread) return true;
  bool stop = stop_at_enter && event < end && (end[-1] & 3) == RING_ENTER;
  end -= stop;
  for (; event < end; event++) {
    uint32_t word = *event, fid = word >> 2;
    switch (word & 3) {
      case RING_ENTER: wprof_probe_enter(thread, fid); break;
      case RING_EXIT: wprof_probe_exit(thread, fid); break;
      default: wprof_probe_count(thread, fid); break;
    }
  }
  return !stop;
}

static WPROF_PROBE_CODE void drain_ring(void) {
  drain_events(false);
}

/* drain(): the ring's import, when it is full, or after a stop signal (its
** limit set to 0) at every event: the stop takes effect at the first enter,
** not replayed, as the unbatched enter probe stops before it enters. */
static WPROF_PROBE_CODE napi_value ring_drain(napi_env env, napi_callback_info info) {
  (void)info;
  bool stopping = thread && wprof_probe_should_stop(thread);
  if (drain_events(stopping) || !stopping) {
    if (ring && !stop_signal) ring[0] = ring_bytes;
    return NULL;
  }
  throw_stop(env);
  return NULL;
}

/* ringAttach(arrayBuffer): the ring's memory, its limit already set (the
** room for events); null, or why not. */
static napi_value ring_attach(napi_env env, napi_callback_info info) {
  napi_value a[1];
  get_args(env, info, 1, a);
  void *data = NULL;
  size_t len = 0;
  if (napi_get_arraybuffer_info(env, a[0], &data, &len) != napi_ok || len < 12)
    return string_value(env, "ringAttach: not the ring's ArrayBuffer");
  if (ring_buffer) napi_delete_reference(env, ring_buffer);
  CHECK(napi_create_reference(env, a[0], 1, &ring_buffer));
  ring = data;
  ring_bytes = ring[0] <= len - 8 ? ring[0] : (uint32_t)(len - 8) & ~3u;
  ring[0] = ring_bytes;
  if (stop_signal) ring[0] = 0;
  return null_value(env);
}

static WPROF_PROBE_CODE napi_value probe_frame(napi_env env, napi_callback_info info) {
  (void)info;
  drain_ring();
  napi_value v;
  CHECK(napi_create_int32(env, thread ? wprof_probe_frame(thread) : 0, &v));
  return v;
}

static WPROF_PROBE_CODE napi_value probe_catch(napi_env env, napi_callback_info info) {
  drain_ring();
  napi_value a[2];
  get_args(env, info, 2, a);
  NO_RUN_RETURN(NULL)
  wprof_probe_catch(thread, arg_u32(env, a[0]), (int32_t)arg_u32(env, a[1]));
  return NULL;
}

static WPROF_PROBE_CODE napi_value probe_catch_counted(napi_env env, napi_callback_info info) {
  drain_ring();
  napi_value a[4];
  get_args(env, info, 4, a);
  NO_RUN_RETURN(NULL)
  set_instructions(env, a[2], a[3]);
  wprof_probe_catch(thread, arg_u32(env, a[0]), (int32_t)arg_u32(env, a[1]));
  return NULL;
}

static WPROF_PROBE_CODE napi_value probe_alloc(napi_env env, napi_callback_info info) {
  drain_ring();
  napi_value a[2];
  get_args(env, info, 2, a);
  NO_RUN_RETURN(NULL)
  wprof_probe_alloc(thread, arg_u32(env, a[0]), arg_u32(env, a[1]));
  return NULL;
}

static WPROF_PROBE_CODE napi_value probe_realloc(napi_env env, napi_callback_info info) {
  drain_ring();
  napi_value a[3];
  get_args(env, info, 3, a);
  NO_RUN_RETURN(NULL)
  wprof_probe_realloc(thread, arg_u32(env, a[0]), arg_u32(env, a[1]), arg_u32(env, a[2]));
  return NULL;
}

/* A function of one u32 whose handling depends on the stack: the ring drained first. */
#define DRAINED_CALL(name, call)                                                       \
  static WPROF_PROBE_CODE napi_value name(napi_env env, napi_callback_info info) { \
    drain_ring();                                                                      \
    napi_value a[1];                                                                   \
    get_args(env, info, 1, a);                                                         \
    NO_RUN_RETURN(NULL)                                                                \
    call(thread, arg_u32(env, a[0]));                                                  \
    return NULL;                                                                       \
  }
DRAINED_CALL(probe_free, wprof_probe_free)
/* unwindTo(depth): the frames deeper than depth (0: all) closed as unwound,
** for a call into the guest that ended by a throw (wprof-node-recorder.mjs,
** which noted the depth with frame() when the call began). */
DRAINED_CALL(unwind_to, wprof_thread_unwind)

/* No probe at all: the bench's baseline for an N-API call with one argument. */
static napi_value empty(napi_env env, napi_callback_info info) {
  napi_value a[1];
  get_args(env, info, 1, a);
  (void)arg_u32(env, a[0]);
  return NULL;
}

/* ---- stop signals ---- */

static void on_stop_signal(int sig) {
  if (stop_signal) {
    if (recorder) wprof_abandon(recorder);
    _exit(128 + sig);
  }
  stop_signal = sig;
  if (recorder) wprof_request_stop(recorder);
  if (ring) ring[0] = 0; /* the next event drains the ring, and stops */
}


/* stopSignal(): the first stop signal's number, or 0 */
static napi_value stop_signal_number(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value v;
  CHECK(napi_create_int32(env, stop_signal, &v));
  return v;
}

/* ---- the run ---- */


/* open(dbPath, modulePath, moduleBytes, argv, timing, sampleIntervalNs, deterministic, trace):
** null, or the error line of wprof_open. Installs the stop handlers. */
static napi_value open_run(napi_env env, napi_callback_info info) {
  napi_value a[8];
  get_args(env, info, 8, a);
  if (recorder) return string_value(env, "a recorder is already open");
  char *db = arg_string(env, a[0]), *module_path = arg_string(env, a[1]);
  void *bytes = NULL;
  size_t len = 0;
  napi_typedarray_type type;
  napi_value buffer;
  size_t offset;
  uint32_t argc = 0;
  napi_get_typedarray_info(env, a[2], &type, &len, &bytes, &buffer, &offset);
  napi_get_array_length(env, a[3], &argc);
  char **argv = calloc((size_t)argc + 1, sizeof *argv);
  for (uint32_t i = 0; argv && i < argc; i++) {
    napi_value s;
    napi_get_element(env, a[3], i, &s);
    argv[i] = arg_string(env, s);
  }
  double interval = 0;
  bool deterministic = false, trace = false;
  napi_get_value_double(env, a[5], &interval);
  napi_get_value_bool(env, a[6], &deterministic);
  napi_get_value_bool(env, a[7], &trace);
  struct wprof_run_options ro = {
      .db_path = db, .module_path = module_path, .module_bytes = bytes, .module_len = len,
      .argc = (int)argc, .argv = argv, .host = "node", .timing = (enum wprof_timing)arg_u32(env, a[4]),
      .sample_interval_ns = (uint64_t)interval, .trace = trace, .deterministic = deterministic,
  };
  char err[512] = "out of memory";
  if (db && module_path && argv) recorder = wprof_open(&ro, err, sizeof err);
  if (recorder && !(thread = wprof_thread_attach(recorder))) {
    wprof_close(recorder);
    recorder = NULL;
    snprintf(err, sizeof err, "out of memory");
  }
  for (uint32_t i = 0; argv && i < argc; i++) free(argv[i]);
  free(argv);
  free(db);
  free(module_path);
  if (!recorder) return string_value(env, err);
  wprof_set_stop_handlers(on_stop_signal);
  return null_value(env);
}

/* countInstructions(): the probes read `instructions`, which the _counted
** probes set (call it before the first probe). */
static napi_value count_instructions(napi_env env, napi_callback_info info) {
  (void)env, (void)info;
  if (thread) wprof_thread_count_instructions(thread, &instructions);
  return NULL;
}

/* setInstructions(low, high): the counter once the guest is done (a trap or
** proc_exit leaves it ahead of the last probe), before finish. */
static napi_value set_instructions_now(napi_env env, napi_callback_info info) {
  napi_value a[3];
  get_args(env, info, 2, a);
  set_instructions(env, a[0], a[1]);
  return NULL;
}

static napi_value sampling_start(napi_env env, napi_callback_info info) {
  (void)info;
  char err[256];
  if (thread && wprof_sampling_start(thread, err, sizeof err) != 0) return string_value(env, err);
  return null_value(env);
}

static napi_value sampling_stop(napi_env env, napi_callback_info info) {
  (void)env, (void)info;
  if (thread) wprof_sampling_stop(thread);
  return NULL;
}

/* finish(status, exitCode, message, quiet): null, or wprof_finish's error.
** Prints the summary line unless quiet; closes the recorder. */
static napi_value finish_run(napi_env env, napi_callback_info info) {
  napi_value a[5];
  get_args(env, info, 5, a);
  if (!recorder) return string_value(env, "no recorder is open");
  int32_t exit_code = 0;
  napi_get_value_int32(env, a[1], &exit_code);
  napi_valuetype mt;
  char *message = napi_typeof(env, a[2], &mt) == napi_ok && mt == napi_string ? arg_string(env, a[2]) : NULL;
  bool quiet = false;
  napi_get_value_bool(env, a[3], &quiet);
  drain_ring(); /* the end, a trap, proc_exit, a stop signal */
  const char *db_path_for_summary = NULL;
  char *db = arg_string(env, a[4]);
  db_path_for_summary = db ? db : "";
  char err[512];
  int rc = wprof_finish(recorder, (enum wprof_status)arg_u32(env, a[0]), exit_code, message, err, sizeof err);
  if (rc == 0 && !quiet) wprof_print_summary(stderr, recorder, db_path_for_summary);
  free(message);
  free(db);
  wprof_set_stop_handlers(SIG_DFL);
  wprof_close(recorder);
  recorder = NULL;
  thread = NULL;
  return rc == 0 ? null_value(env) : string_value(env, err);
}

/* close(): gives up the run before the guest ran (no database). */
static napi_value close_run(napi_env env, napi_callback_info info) {
  (void)env, (void)info;
  wprof_set_stop_handlers(SIG_DFL);
  wprof_close(recorder);
  recorder = NULL;
  thread = NULL;
  return NULL;
}

/* ---- the module ---- */

static napi_value init(napi_env env, napi_value exports) {
  static const struct {
    const char *name;
    napi_callback fn;
  } fns[] = {
      {"enter", probe_enter},
      {"exit", probe_exit},
      {"count", probe_count},
      {"frame", probe_frame},
      {"catch", probe_catch},
      {"alloc", probe_alloc},
      {"realloc", probe_realloc},
      {"free", probe_free},
      {"enterCounted", probe_enter_counted},
      {"exitCounted", probe_exit_counted},
      {"countCounted", probe_count_counted},
      {"catchCounted", probe_catch_counted},
      {"unwindTo", unwind_to},
      {"drain", ring_drain},
      {"ringAttach", ring_attach},
      {"countInstructions", count_instructions},
      {"setInstructions", set_instructions_now},
      {"empty", empty},
      {"open", open_run},
      {"samplingStart", sampling_start},
      {"samplingStop", sampling_stop},
      {"finish", finish_run},
      {"close", close_run},
      {"stopSignal", stop_signal_number},
  };
  for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
    napi_value f;
    CHECK(napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH, fns[i].fn, NULL, &f));
    CHECK(napi_set_named_property(env, exports, fns[i].name, f));
  }
  napi_value v;
  CHECK(napi_create_int32(env, WPROF_ABI_VERSION, &v));
  CHECK(napi_set_named_property(env, exports, "abiVersion", v));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
