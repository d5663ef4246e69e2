/*
** libwprof: the recorder behind every wprof host.
**
** It implements the probe ABI (docs/probe-abi.md) independently of any
** engine: a host (the wasm2c host of `wprof run`, a Node addon, ...) opens a
** recorder for one run, attaches one wprof_thread per guest thread, forwards
** each probe call to the wprof_probe_* functions (wprof-probes.h, inline for
** the hot path) and finishes the run with its status. The recorder keeps
** shadow stacks, a calling-context tree with exact counts and times, and live
** allocations, and writes them to SQLite in the format of docs/schema.md.
*/
#ifndef WPROF_H
#define WPROF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct wprof_recorder wprof_recorder;
typedef struct wprof_thread wprof_thread;

struct wprof_run_options {
  const char *db_path;          /* the database to write (via a temp file + rename) */
  const char *module_path;      /* as given by the user */
  const uint8_t *module_bytes;  /* the module as run (its wprof.functions section names the functions) */
  size_t module_len;
  int argc;                     /* the guest's argv */
  char **argv;
  const char *host;             /* "wasm2c", "node", ... */
  bool timing;                  /* false: --no-timing, counts only */
  bool trace;                   /* true: --trace, every call and allocation event as a row */
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

/* Removes the unfinished database file and nothing else: async-signal-safe,
** for a host that must exit at once (a second SIGINT). Call nothing but
** _exit after it. */
void wprof_abandon(wprof_recorder *rec);

/* Frees everything; removes the temp file if wprof_finish was not reached. */
void wprof_close(wprof_recorder *rec);

/* Summary for the host's one-line report after the run. */
struct wprof_summary {
  uint64_t calls, functions_called, alloc_objects, alloc_bytes, live_objects, live_bytes;
  uint64_t lost_events;  /* --trace rows that could not be kept (run.lost_events) */
};
void wprof_get_summary(const wprof_recorder *rec, struct wprof_summary *out);

/* --trace: records the writer has not stored yet (queued, or spilled to disk
** while the guest outran it), which wprof_finish will store; 0 without
** --trace. For a host to say why finishing takes a while. */
uint64_t wprof_trace_backlog(wprof_recorder *rec);

#endif
