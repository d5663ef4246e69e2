/*
** libwprof: the recorder behind every wprof host.
**
** It implements the probe ABI (docs/probe-abi.md) independently of any
** engine: a host (the wasm2c host of `wprof run`, a Node addon, ...) opens a
** recorder for one run, attaches one wprof_thread per guest thread, forwards
** each probe call to the wprof_probe_* functions (wprof-probes.h, inline for
** the hot path) and finishes the run with its status. The recorder keeps
** shadow stacks, a calling-context tree with exact counts, time per call
** path (sampled, or a clock read per probe event), and live allocations, and
** writes them to SQLite in the format of docs/schema.md.
*/
#ifndef WPROF_H
#define WPROF_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct wprof_recorder wprof_recorder;
typedef struct wprof_thread wprof_thread;

/* Where the times of a run come from (run.timing in the database). */
enum wprof_timing {
  WPROF_TIMING_NONE = 0,     /* counts only: every time is 0 */
  WPROF_TIMING_EXACT = 1,    /* a clock read per probe event: per-call durations (--trace needs it) */
  WPROF_TIMING_SAMPLED = 2,  /* a timer samples the guest thread's call path; probes read no clock */
};

/* Sampling intervals a run accepts, in ns, and the default. */
#define WPROF_SAMPLE_INTERVAL_MIN 100000u
#define WPROF_SAMPLE_INTERVAL_MAX 1000000000u
/* The default: each sample costs a timer interrupt and a signal, 23 us on the
** VM of bench/RESULTS.md (a few us on bare metal), so 1 ms costs about 2%
** there where 100 us cost 20% (bench/realistic/fidelity.py). */
#define WPROF_SAMPLE_INTERVAL_DEFAULT 1000000u
/* Fewer samples than this rank functions by time poorly (a path with n
** samples is off by about 1/sqrt(n)): hosts and reports say so. */
#define WPROF_FEW_SAMPLES 500u

struct wscan_module;

struct wprof_run_options {
  const char *db_path;          /* the database to write (via a temp file + rename) */
  const char *module_path;      /* as given by the user */
  const uint8_t *module_bytes;  /* the module as run (its wprof.functions section names the functions) */
  size_t module_len;
  const struct wscan_module *module_scan; /* wasm-scan's reading of module_bytes, if the host has one; NULL: libwprof reads it */
  int argc;                     /* the guest's argv */
  char **argv;
  const char *host;             /* "wasm2c", "node", ... */
  enum wprof_timing timing;
  uint64_t sample_interval_ns;  /* WPROF_TIMING_SAMPLED: 0 for the default, else within the MIN..MAX above */
  bool trace;                   /* true: --trace, every call and allocation event as a row (not with sampled time) */
  bool deterministic;           /* the host gave the guest virtual clocks and fixed random bytes (meta.deterministic) */
};

enum wprof_status {
  WPROF_EXITED,       /* _start returned or proc_exit was called */
  WPROF_TRAPPED,      /* the guest trapped (message given) */
  WPROF_INTERRUPTED,  /* SIGINT/SIGTERM */
  WPROF_ERROR,        /* the host failed (message given) */
};

/* Opens a recorder; NULL with err filled (one line) on failure. */
wprof_recorder *wprof_open(const struct wprof_run_options *opts, char *err, size_t errlen);

/* One per guest thread, before its first probe. Owned by the recorder.
** NULL when out of memory. With several guest threads, attach a new thread
** before it runs guest code (e.g. from the thread that spawns it): from the
** second thread on, allocation probes take a lock (call probes never do). */
wprof_thread *wprof_thread_attach(wprof_recorder *rec);

/* The guest's instruction counter, for a module rewritten with
** `wasm-instrument --cost`: the address of its exported mutable i64 global
** (WPROF_ABI_COST_EXPORT), which the probes read at every event to give each
** call path its instructions. Call it before t's first probe (once
** instantiated); it is ignored while t has frames open. The counter must
** stay readable until wprof_finish. */
void wprof_thread_count_instructions(wprof_thread *t, const uint64_t *counter);

/* Closes every frame of t deeper than `depth` (0: all of them) without an
** exit, counted as unwound, as the `catch` probe does: for a host whose
** guest code can be left by an exception of the host's own (a JavaScript
** exception thrown by an import, a trap that the host's code catches) and
** then entered again. The host notes wprof_probe_frame's depth when it
** calls into the guest and unwinds to it when the call ends by a throw. */
void wprof_thread_unwind(wprof_thread *t, uint32_t depth);

/* Where the host compiled each wasm function to native code (out of line:
** a compiler's clones of it count; its copies inlined into other functions
** do not), for sampled time: a sample that interrupts a function's code
** while another path is on top, in the function's prologue before its
** enter probe or its epilogue after its exit, goes to the path of that call
** (the top path's child for the function), as perf would count it. Without
** ranges (engines that compile at run time), samples go to the top path.
** Call before wprof_sampling_start; ranges may be in any order. */
struct wprof_code_range {
  uintptr_t start, end;   /* [start, end) */
  uint32_t defined_index; /* the function's index among the module's defined functions (not its imports) */
};
void wprof_set_code_ranges(wprof_recorder *rec, const struct wprof_code_range *ranges, size_t n);

/* WPROF_TIMING_SAMPLED: starts sampling the calling thread, which must be
** the one that runs t's guest code, right before it does. A POSIX timer on
** CLOCK_MONOTONIC sends that thread SIGPROF every sample interval (wprof
** installs its own SIGPROF handler, once, and leaves it installed: it ignores
** signals that reach a thread not being sampled). Each signal adds one sample
** to the call path on top of t's shadow stack, or to the probes' own count
** when it interrupted probe code. A guest blocked in a host call keeps being
** sampled (wall time), so host calls must retry after EINTR (SA_RESTART is
** set). Returns 0 (also when the run is not sampled), or -1 with err filled. */
int wprof_sampling_start(wprof_thread *t, char *err, size_t errlen);

/* Stops sampling t; call it on t's thread once its guest code is done.
** wprof_finish stops every thread's timer, but only the thread that calls it
** forgets its sampled thread: other threads must call this themselves. */
void wprof_sampling_stop(wprof_thread *t);

/* Ends the run, once no guest thread runs any more (it may be called after
** a longjmp out of guest code at a probe boundary): closes every open frame
** of every thread (counted as unwound), writes the database and renames it
** into place. exit_code is
** meaningful for WPROF_EXITED; message for WPROF_TRAPPED/WPROF_ERROR/WPROF_INTERRUPTED.
** Returns 0, or -1 with err filled. Safe to call once. */
int wprof_finish(wprof_recorder *rec, enum wprof_status status, int exit_code,
                 const char *message, char *err, size_t errlen);

/* Asks the guest to stop: async-signal-safe (call it from a SIGINT handler).
** The host sees it through wprof_probe_should_stop (wprof-probes.h), leaves
** the guest as for a trap, and finishes the run with WPROF_INTERRUPTED.
** Called while wprof_finish stores a --trace backlog from disk (after the
** guest has finished), it stops that: the rows not stored yet are counted
** in run.lost_events. */
void wprof_request_stop(wprof_recorder *rec);

/* Installs handler (or SIG_DFL) for SIGINT, SIGTERM and SIGHUP (a closed
** terminal), without SA_RESTART so that a guest blocked in read or poll sees
** the interruption: the stop signals of every wprof host. */
void wprof_set_stop_handlers(void (*handler)(int));

/* The body of every host's stop-signal handler (async-signal-safe): the
** first signal is kept in *first and asks rec to stop (rec may be NULL: no
** run yet); a second one abandons the run (wprof_abandon) and exits at once
** with 128 + its number. */
void wprof_stop_signal(wprof_recorder *rec, volatile sig_atomic_t *first, int sig);

/* The name a stop signal is reported by: "SIGINT", "SIGTERM" or "SIGHUP". */
const char *wprof_stop_signal_name(int sig);

/* Removes the unfinished database file and nothing else: async-signal-safe,
** for a host that must exit at once (a second SIGINT). Call nothing but
** _exit after it. */
void wprof_abandon(wprof_recorder *rec);

/* Frees everything; removes the temp file if wprof_finish was not reached. */
void wprof_close(wprof_recorder *rec);

/* Probes served elsewhere (external.c): a host whose enter/exit/count/
** frame/catch probes run in a recorder of its own (the Node engine's,
** compiled to wasm: runtime-shim/wasm-recorder) keeps the shadow stack and
** the calling-context tree there while the guest runs, and hands them to t
** before each allocation probe (credited to the top frame's path) and before
** wprof_finish (which closes the open frames as unwound), so that the
** database is the one libwprof's own probes would have written. For runs
** without exact time and without --trace (frames get no start time). */
typedef struct wprof_node wprof_path; /* a call path of a thread's calling-context tree */

/* The thread's root: the host, with no frame open (not a call path). */
wprof_path *wprof_path_root(wprof_thread *t);

/* The path of a call of fid from `parent`, created if new. A new path takes
** the next id of the run: add paths in the order the guest first took them,
** parents first, to get the ids libwprof's probes would have given. */
wprof_path *wprof_path_child(wprof_thread *t, wprof_path *parent, uint32_t fid);

/* Sets a path's totals: its calls, its frames closed without an exit, the
** samples that found it on top (sampled time; else 0) and the instructions
** executed inside it (--cost, see wprof_thread_count_instructions; else 0). */
void wprof_path_set_counts(wprof_path *p, uint64_t calls, uint64_t unwound, uint64_t samples,
                           uint64_t incl_instructions);

/* Makes `top` the path on top of t's shadow stack: it and its ancestors
** are t's open frames. */
void wprof_thread_set_top(wprof_thread *t, wprof_path *top);

/* --cost: the instruction counter when p's open frame was entered. */
void wprof_path_set_entry_instructions(wprof_path *p, uint64_t instructions);

/* Sets t's totals: frames closed without an exit, exit and catch probes
** that did not match the stack (every other call ended by an exit), and
** samples that landed in the host's own probe code (run.probe_samples). */
void wprof_thread_set_totals(wprof_thread *t, uint64_t unwound, uint64_t mismatches, uint64_t probe_samples);

/* Summary for the host's one-line report after the run. */
struct wprof_summary {
  uint64_t calls, functions_called, alloc_objects, alloc_bytes, live_objects, live_bytes;
  uint64_t lost_events;  /* --trace rows that could not be kept (run.lost_events) */
  uint64_t samples, probe_samples, sample_interval_ns;  /* sampled time (run.samples, ...); 0 otherwise */
  bool counts_instructions;  /* --cost: instructions is run.instructions */
  uint64_t instructions;
};
void wprof_get_summary(const wprof_recorder *rec, struct wprof_summary *out);

/* The host's report after a finished run, as every engine prints it: the
** "wprof: wrote DB: N calls, ..." line, then a warning about lost --trace
** events, if any. */
void wprof_print_summary(FILE *out, const wprof_recorder *rec, const char *db_path);

/* --trace: records the writer has not stored yet (queued, or spilled to disk
** while the guest outran it), which wprof_finish will store; 0 without
** --trace. For a host to say why finishing takes a while. */
uint64_t wprof_trace_backlog(wprof_recorder *rec);

#endif
