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
** recorderAttach, recorderGrown and recorderStopped (the wasm recorder,
** below), empty (the bench's baseline) and the stop signals.
**
** Stop signals: V8 runs the guest synchronously, so a JavaScript SIGINT
** handler would never run before it returns. open() installs a C handler
** for SIGINT, SIGTERM and SIGHUP that asks the recorder to stop; the next
** enter probe then throws (a JavaScript exception through the wasm frames,
** which the driver recognizes by stopSignal() != 0) and the run is finished
** as 'interrupted'. A second signal removes the unfinished database and exits
** at once with 128 + the signal, as the wasm2c host does.
**
** The wasm recorder (runtime-shim/wasm-recorder; wprof-node-recorder.mjs
** decides when): enter, exit, count, exit_T, frame and catch are then the
** functions of a wasm module that keeps the shadow stack and the
** calling-context tree in its own memory, about 2-5 ns an event against 45
** for an N-API call. The addon reads that memory (wasm-recorder.h) and
** rebuilds its tree in libwprof (wprof_path_child, ...) before each
** allocation probe, whose path is the top frame's, and at finish, with the
** counts. recorderAttach(memory, state) gives it the memory and the
** address of the recorder's state; the recorder calls recorderGrown when
** its memory grew (and moved), and recorderStopped at its first enter after
** the stop handler set its state's stop word and made its stack look full
** (that call throws, as the enter probe would). The recorder outlives the run: events after finish
** (an 'exit' listener of the application) go nowhere.
**
** Instructions (wasm-instrument --cost): a wasm global cannot be read from
** C, so the enter, exit, count and catch probes of a module with a counter
** are their _counted twins, which take the counter as two more i32 (low,
** high), passed by the trampolines of wprof-host.mjs (counterTrampolines)
** and stored where wprof_thread_count_instructions points (countInstructions()
** sets that up; setInstructions(low, high) gives the final value at the end).
*/
#define _GNU_SOURCE
#include <errno.h>
#include <node_api.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "wasm-recorder.h"
#include "wprof-abi.h"
#include "wprof.h"
#include "wprof-probes.h"
#include "xalloc.h"

static wprof_recorder *recorder;
static wprof_thread *thread;
static volatile sig_atomic_t stop_signal;
static uint64_t instructions; /* the guest's counter, as the last probe was given it */
static bool counted;          /* countInstructions() was called */
/* the wasm recorder (recorderAttach): its memory, where it is, its state */
static napi_ref wrec_memory;
static uint8_t *wrec_base;
static uint32_t wrec_state_at;
static struct wrec_state *volatile wrec;
static wprof_path **paths; /* libwprof's path of each of the recorder's nodes */
static uint32_t npaths, paths_cap;
/* sampled time with the wasm recorder (below): samples per node id */
static enum wprof_timing run_timing;
static uint64_t run_sample_interval_ns;
static uint32_t *volatile samples;
static volatile uint64_t probe_samples; /* and those that landed in the recorder's probes */
static volatile uint32_t samples_cap;
static timer_t sample_timer;
static bool sampling;

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
  napi_throw_error(env, "WPROF_STOP", wprof_stop_signal_name(stop_signal));
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

/* ---- the wasm recorder ---- */

/* Hands the wasm recorder's tree to libwprof: the paths created since the
** last time (in order, so that they get the same ids) and the path on top
** (the allocation probes credit it). With counts (at the end), every path's
** counts, the open frames' instruction counters at entry and the thread's
** totals too. */
static WPROF_PROBE_CODE void recorder_sync(bool counts) {
  const struct wrec_state *s = wrec;
  if (!s || !thread) return;
  const struct wrec_node *nodes = (const struct wrec_node *)(wrec_base + s->nodes);
  if (s->nnodes > npaths) {
    if (s->nnodes > paths_cap) {
      paths_cap = 2 * s->nnodes;
      paths = realloc(paths, paths_cap * sizeof *paths);
      if (!paths) wprof_out_of_memory();
    }
    if (npaths == 0) paths[npaths++] = wprof_path_root(thread);
    for (; npaths < s->nnodes; npaths++) paths[npaths] = wprof_path_child(thread, paths[nodes[npaths].parent], nodes[npaths].fid);
  }
  const struct wrec_frame *bottom = (const struct wrec_frame *)(wrec_base + s->frames);
  const struct wrec_frame *top = (const struct wrec_frame *)(wrec_base + s->top);
  wprof_thread_set_top(thread, paths[top->node]);
  if (!counts) return;
  for (uint32_t id = 0; id < s->nnodes; id++)
    wprof_path_set_counts(paths[id], nodes[id].calls, nodes[id].unwound, id < samples_cap ? samples[id] : 0,
                          nodes[id].incl_instructions);
  for (const struct wrec_frame *f = bottom + 1; counted && f <= top; f++)
    wprof_path_set_entry_instructions(paths[f->node], f->instructions_at_entry);
  wprof_thread_set_totals(thread, s->unwound, s->mismatches, probe_samples);
}

/* Where the recorder's memory is now (it moves when it grows). */
static napi_value recorder_locate(napi_env env) {
  napi_value memory, buffer;
  void *data = NULL;
  size_t len = 0;
  if (!wrec_memory) return NULL;
  CHECK(napi_get_reference_value(env, wrec_memory, &memory));
  CHECK(napi_get_named_property(env, memory, "buffer", &buffer));
  CHECK(napi_get_arraybuffer_info(env, buffer, &data, &len));
  if (wrec_state_at + sizeof(struct wrec_state) > len) return NULL;
  wrec_base = data;
  wrec = (struct wrec_state *)(wrec_base + wrec_state_at);
  if (stop_signal) {
    wrec->stop = 1;
    wrec->frames_end = wrec->frames;
  }
  if (wrec->nodes_cap > samples_cap) { /* with the sampler's signal held back */
    sigset_t prof, old;
    sigemptyset(&prof);
    sigaddset(&prof, SIGPROF);
    pthread_sigmask(SIG_BLOCK, &prof, &old);
    uint32_t *more = realloc(samples, wrec->nodes_cap * sizeof *more);
    if (!more) wprof_out_of_memory();
    memset(more + samples_cap, 0, (wrec->nodes_cap - samples_cap) * sizeof *more);
    samples = more;
    samples_cap = wrec->nodes_cap;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
  }
  return NULL;
}

/* recorderAttach(memory, stateAddress): the wasm recorder's memory (a
** WebAssembly.Memory) and the address of its state (its init()); null, or
** why not. */
static napi_value recorder_attach(napi_env env, napi_callback_info info) {
  napi_value a[2];
  get_args(env, info, 2, a);
  if (wrec_memory) return string_value(env, "recorderAttach: a recorder is attached already");
  CHECK(napi_create_reference(env, a[0], 1, &wrec_memory));
  wrec_state_at = arg_u32(env, a[1]);
  recorder_locate(env);
  return wrec ? null_value(env) : string_value(env, "recorderAttach: not the recorder's memory");
}

/* recorderGrown(): the recorder's import host.grown, after its memory grew. */
static napi_value recorder_grown(napi_env env, napi_callback_info info) {
  (void)info;
  return recorder_locate(env);
}

/* recorderStopped(): the recorder's import host.stopped, at the first enter
** after a stop signal: the guest stops there, as at the enter probe. */
static napi_value recorder_stopped(napi_env env, napi_callback_info info) {
  (void)info;
  throw_stop(env);
  return NULL;
}

static WPROF_PROBE_CODE napi_value probe_frame(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value v;
  CHECK(napi_create_int32(env, thread ? wprof_probe_frame(thread) : 0, &v));
  return v;
}

static WPROF_PROBE_CODE napi_value probe_catch(napi_env env, napi_callback_info info) {
  napi_value a[2];
  get_args(env, info, 2, a);
  NO_RUN_RETURN(NULL)
  wprof_probe_catch(thread, arg_u32(env, a[0]), (int32_t)arg_u32(env, a[1]));
  return NULL;
}

static WPROF_PROBE_CODE napi_value probe_catch_counted(napi_env env, napi_callback_info info) {
  napi_value a[4];
  get_args(env, info, 4, a);
  NO_RUN_RETURN(NULL)
  set_instructions(env, a[2], a[3]);
  wprof_probe_catch(thread, arg_u32(env, a[0]), (int32_t)arg_u32(env, a[1]));
  return NULL;
}

static WPROF_PROBE_CODE napi_value probe_alloc(napi_env env, napi_callback_info info) {
  recorder_sync(false);
  napi_value a[2];
  get_args(env, info, 2, a);
  NO_RUN_RETURN(NULL)
  wprof_probe_alloc(thread, arg_u32(env, a[0]), arg_u32(env, a[1]));
  return NULL;
}

static WPROF_PROBE_CODE napi_value probe_realloc(napi_env env, napi_callback_info info) {
  recorder_sync(false);
  napi_value a[3];
  get_args(env, info, 3, a);
  NO_RUN_RETURN(NULL)
  wprof_probe_realloc(thread, arg_u32(env, a[0]), arg_u32(env, a[1]), arg_u32(env, a[2]));
  return NULL;
}

/* A function of one u32 whose handling depends on the stack: the wasm
** recorder's tree handed over first. */
#define SYNCED_CALL(name, call)                                                        \
  static WPROF_PROBE_CODE napi_value name(napi_env env, napi_callback_info info) { \
    recorder_sync(false);                                                              \
    napi_value a[1];                                                                   \
    get_args(env, info, 1, a);                                                         \
    NO_RUN_RETURN(NULL)                                                                \
    call(thread, arg_u32(env, a[0]));                                                  \
    return NULL;                                                                       \
  }
SYNCED_CALL(probe_free, wprof_probe_free)
/* unwindTo(depth): the frames deeper than depth (0: all) closed as unwound,
** for a call into the guest that ended by a throw (wprof-node-recorder.mjs,
** which noted the depth with frame() when the call began; under the wasm
** recorder, its own unwind and frame). */
SYNCED_CALL(unwind_to, wprof_thread_unwind)

/* No probe at all: the bench's baseline for an N-API call with one argument. */
static napi_value empty(napi_env env, napi_callback_info info) {
  napi_value a[1];
  get_args(env, info, 1, a);
  (void)arg_u32(env, a[0]);
  return NULL;
}

/* ---- stop signals ---- */

static void on_stop_signal(int sig) {
  wprof_stop_signal(recorder, &stop_signal, sig);
  if (wrec) { /* the recorder's next enter finds its stack full, and stops */
    wrec->stop = 1;
    wrec->frames_end = wrec->frames;
  }
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
  run_timing = (enum wprof_timing)arg_u32(env, a[4]);
  run_sample_interval_ns = interval > 0 ? (uint64_t)interval : WPROF_SAMPLE_INTERVAL_DEFAULT;
  struct wprof_run_options ro = {
      .db_path = db, .module_path = module_path, .module_bytes = bytes, .module_len = len,
      .argc = (int)argc, .argv = argv, .host = "node", .timing = run_timing,
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
** probes set (call it before the first probe); under the wasm recorder
** (built with WREC_COST), the open frames' entries are the recorder's and
** setInstructions gives the final value. */
static napi_value count_instructions(napi_env env, napi_callback_info info) {
  (void)env, (void)info;
  if (thread) wprof_thread_count_instructions(thread, &instructions);
  counted = thread != NULL;
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

/* ---- sampled time with the wasm recorder ----
** libwprof's sampler credits each sample to the top of libwprof's shadow
** stack, which the wasm recorder's probes do not keep. So under the
** recorder a timer of the addon's own sends SIGPROF to the guest's thread
** every sample interval, and the handler adds the sample to the node on top
** of the recorder's stack, read from its memory (the recorder writes its
** stack pointer after the frame, like libwprof's probes); finish hands the
** counts to libwprof. The handler reads the memory where recorderGrown last
** found it: V8 grows a wasm memory in place on 64-bit hosts (it reserves
** the whole 4 GiB range up front). Samples that land in the recorder's
** probes, which flag themselves, are its cost: run.probe_samples. */
static void on_recorder_sample(int sig) {
  (void)sig;
  const struct wrec_state *s = wrec;
  if (!s) return;
  if (*(const volatile uint32_t *)&s->in_probe) {
    probe_samples++;
    return;
  }
  uint32_t id = *(const volatile uint32_t *)(wrec_base + s->top);
  if (id < samples_cap) samples[id]++;
}

static int recorder_sampling_start(char *err, size_t errlen) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_recorder_sample;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART | SA_ONSTACK; /* the guest's reads and writes go on */
  struct sigevent sev;
  memset(&sev, 0, sizeof sev);
  sev.sigev_notify = SIGEV_THREAD_ID;
  sev.sigev_signo = SIGPROF;
  sev._sigev_un._tid = gettid();
  struct itimerspec every = {.it_interval = {.tv_sec = (time_t)(run_sample_interval_ns / 1000000000u),
                                             .tv_nsec = (long)(run_sample_interval_ns % 1000000000u)}};
  every.it_value = every.it_interval;
  if (sigaction(SIGPROF, &sa, NULL) != 0 || timer_create(CLOCK_MONOTONIC, &sev, &sample_timer) != 0) {
    snprintf(err, errlen, "cannot set up the sampling timer: %s", strerror(errno));
    return -1;
  }
  sampling = true;
  if (timer_settime(sample_timer, 0, &every, NULL) != 0) {
    snprintf(err, errlen, "cannot start the sampling timer: %s", strerror(errno));
    return -1;
  }
  return 0;
}

/* samplingStart(): sampled time starts (the run's, under the wasm recorder
** the addon's own); null, or why not */
static napi_value sampling_start(napi_env env, napi_callback_info info) {
  (void)info;
  char err[256];
  if (!thread || sampling) return null_value(env);
  if (wrec && run_timing == WPROF_TIMING_SAMPLED ? recorder_sampling_start(err, sizeof err) != 0
                                                  : wprof_sampling_start(thread, err, sizeof err) != 0)
    return string_value(env, err);
  return null_value(env);
}

static void recorder_sampling_stop(void) {
  if (sampling) timer_delete(sample_timer);
  sampling = false;
}

static napi_value sampling_stop(napi_env env, napi_callback_info info) {
  (void)env, (void)info;
  recorder_sampling_stop();
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
  recorder_sync(true); /* the end, a trap, proc_exit, a stop signal */
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
  recorder_sampling_stop();
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
      {"recorderAttach", recorder_attach},
      {"recorderGrown", recorder_grown},
      {"recorderStopped", recorder_stopped},
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
