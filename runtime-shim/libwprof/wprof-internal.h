/*
** libwprof internals: the data structures shared by the inline hot path
** (wprof-probes.h) and the recorder's C files, plus the hooks the tests and
** benchmarks use to inject a deterministic clock or slow the trace writer.
** Hosts include wprof.h and wprof-probes.h, never call the wprof__ functions.
*/
#ifndef WPROF_INTERNAL_H
#define WPROF_INTERNAL_H

#include "wprof.h"
#include "wprof-abi.h"
#include "wprof-probes.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sqlite3.h>
#include <stddef.h>
#include <time.h>

enum wprof_clock_kind {
  WPROF_CLOCK_NONE,       /* timing off: no clock reads */
  WPROF_CLOCK_TSC,        /* rdtsc, calibrated against CLOCK_MONOTONIC */
  WPROF_CLOCK_MONOTONIC,  /* clock_gettime(CLOCK_MONOTONIC), ticks are ns */
  WPROF_CLOCK_TEST,       /* hooks.clock: ticks are ns, chosen by a test */
};

/* Allocations credited to one call path (docs/schema.md, alloc_sites). */
struct wprof_site {
  uint64_t alloc_objects, alloc_bytes, free_objects, free_bytes;
  uint64_t live_objects, live_bytes;
  uint64_t peak_objects, peak_bytes;  /* live at the heap's latest peak, once snap_epoch is current */
  uint64_t snap_epoch;
  uint32_t index;                     /* in heap.sites */
};

/* Trace records, filled by the guest thread, turned into rows by the writer. */
struct wprof_call_rec {
  uint64_t id, start, end;
  uint32_t path, unwound;
};

struct wprof_alloc_rec {
  uint64_t id, time, ptr, old, size;
  uint32_t path, kind;
};

enum wprof_chunk_kind { WPROF_CHUNK_CALLS, WPROF_CHUNK_ALLOCS };

/* A fixed-size buffer of trace records; the records follow the header. */
struct wprof_chunk {
  struct wprof_chunk *next;
  uint32_t kind, count;
};

struct wprof_node_block {
  struct wprof_node_block *next;
  uint32_t used, cap;
  struct wprof_node nodes[];
};

struct wprof_thread {
  struct wprof_probe_state probe; /* first: what the probes' fast paths touch (wprof__state) */
  /* hot for the slow paths */
  uint8_t clock;               /* enum wprof_clock_kind of exact time, else WPROF_CLOCK_NONE */
  bool trace;
  uint64_t unwound;
  struct wprof_recorder *rec;
  struct wprof_call_rec *call_cur, *call_end;
  /* cold */
  struct wprof_node root;      /* the bottom of the shadow stack */
  struct wprof_node_block *blocks;
  struct wprof_chunk *call_chunk, *alloc_chunk;
  struct wprof_alloc_rec *alloc_cur, *alloc_end;
  uint64_t exit_mismatches;    /* exit/catch probes that did not match the shadow stack */
  uint64_t probe_samples;      /* samples that interrupted probe code (sampler.c) */
  uint64_t instructions_at_attach; /* *instructions when the counter was given */
  timer_t sample_timer;
  bool sampling;               /* sample_timer exists */
  struct wprof_thread *next;
};

_Static_assert(offsetof(struct wprof_thread, probe) == 0, "wprof__state casts a thread to its probe state");

/* Test and benchmark hooks (wprof__open_with_hooks). */
struct wprof_hooks {
  uint64_t (*clock)(void *ctx);  /* deterministic clock in ns: clock 'test' */
  void *clock_ctx;
  int force_clock;               /* non-zero: an enum wprof_clock_kind to use instead of detection */
  uint32_t chunk_records;        /* records per trace chunk (0: default) */
  uint32_t queue_chunks;         /* full chunks the writer may have waiting (0: default) */
  bool writer_paused;            /* start with the trace writer paused (wprof__trace_pause) */
  bool no_spill;                 /* drop (and count) the chunks the queue has no room for */
  bool stop_while_storing;       /* wprof_request_stop as soon as the guest has finished */
};

/* The live blocks at 8-byte aligned addresses (heap.c): the size and site of
** the block that starts in one granule of guest memory. */
struct wprof_granule {
  uint32_t size;
  uint32_t site;            /* 0: no block; WPROF_GRANULE_FREED: freed; else heap.sites index + 1 */
};
#define WPROF_GRANULE_FREED UINT32_MAX

/* Open addressing table of the other live (and recently freed) blocks
** (heap.c); 16 bytes: a wasm32 guest's pointers and sizes are 32-bit. */
struct wprof_block {
  uint32_t ptr;             /* 0: an empty slot (a null pointer is never tracked) */
  uint32_t size;
  struct wprof_site *site;  /* NULL: freed (a tombstone remembered to catch double frees) */
};

struct wprof_heap {
  pthread_mutex_t lock;          /* taken only once a second thread is attached */
  struct wprof_granule **leaves; /* the shadow of the guest's memory: NULL until a block starts in a leaf */
  char *leaf_next, *leaf_end;    /* the rest of the latest mapped run of leaves */
  uint32_t pending_free;         /* a free not counted yet (heap.c: free_later), or 0 */
  struct wprof_block *slots;     /* blocks at other addresses */
  size_t cap, used, live;        /* of slots: used counts live blocks and tombstones */
  uint64_t live_bytes, live_objects;
  uint64_t peak_bytes, peak_objects, peak_ticks, epoch;
  uint64_t unknown_frees, double_frees;
  uint64_t next_event_id;        /* trace: alloc_events ids */
  struct wprof_site **sites;     /* every call path that allocated, in order of first allocation */
  uint32_t nsites, sites_cap;
};

struct wprof_trace {
  pthread_mutex_t lock;
  pthread_cond_t wake;           /* the writer waits for chunks, unpause or stop */
  pthread_cond_t done;           /* finish waits for the queue to drain */
  struct wprof_chunk *head, *tail, *free_chunks;
  uint32_t queued, queue_cap, chunk_records;
  bool paused, stopping;
  uint64_t lost;                 /* records not stored, counted when known */
  /* The spill file, the queue's continuation on disk: chunks the queue has
  ** no room for, and every chunk after them while the writer has not read
  ** them back (first in, first out), are appended by the guest thread to an
  ** unlinked file beside the database; the writer reads them in turn. */
  pthread_mutex_t spill_lock;    /* serialises appends: spill_fd, spill_end */
  int spill_fd;                  /* -1 until the first spill */
  uint64_t spill_end;            /* bytes of complete chunks in the file */
  uint32_t spill_pending;        /* chunks in the file the writer has not read (lock) */
  uint64_t spilled, spill_read;  /* records written to / read back from the file (lock) */
  bool guest_finished;           /* wprof__trace_stop was called (lock) */
  sig_atomic_t stops_at_finish;  /* rec->stop_requests then */
  int error;                     /* first SQLite error of the writer */
  char errmsg[200];
  pthread_t writer;
  bool ready, writer_started;
  struct wprof_trace_writer *writer_state;  /* the writer's statements (trace.c) */
};

struct wprof_function {
  uint32_t func_index, code_offset, flags;
  char *name;
  const char *file;  /* wprof.sources: one of the recorder's source_files, or NULL when unknown */
  uint32_t line;     /* wprof.sources: 1-based, or 0 when unknown */
};

/* A function's native code: [start, end) is fid's (sampler.c). */
struct wprof_fid_range {
  uintptr_t start, end;
  uint32_t fid;
};

struct wprof_recorder {
  volatile sig_atomic_t stop_requests;  /* calls of wprof_request_stop; non-zero: stop */
  _Atomic uint32_t next_node_id;
  _Atomic uint64_t next_call_id;
  _Atomic int nthreads;
  enum wprof_clock_kind clock;    /* the run's clock (duration, heap peak); the probes' is wprof_thread.clock */
  enum wprof_timing timing;
  uint64_t sample_interval_ns;    /* sampled time only */
  struct wprof_hooks hooks;
  uint64_t t0;                    /* ticks at the start of the run */
  uint64_t cal_tsc0, cal_mono0;   /* TSC calibration start */
  uint64_t conv_ns, conv_ticks;   /* ns = ticks * conv_ns / conv_ticks, for every *_ns column */
  double clock_check_ppm;         /* TSC: whole-run rate against the rate calibrated at open */
  _Atomic(struct wprof_thread *) threads;  /* newest first; read by wprof_request_stop in a signal handler */
  struct wprof_heap heap;
  struct wprof_trace trace;
  bool tracing, finished, deterministic;
  bool counts_instructions;      /* a thread was given the guest's instruction counter (--cost) */
  uint64_t instructions;         /* executed by all threads: run.instructions (set by wprof_finish) */
  /* the run's identity */
  char *db_path, *tmp_path, *module_path, *args_json, *host;
  char *target_path;              /* the file db_path leads to (output-path.h) */
  bool target_direct;             /* a device or a FIFO: the finished file is copied into it */
  char module_hash[33];
  uint64_t module_size;
  bool instrumented;
  char start_time[32];
  struct wprof_function *functions;
  uint32_t nfunctions;
  uint32_t imported_funcs;        /* the input module's function imports (wprof.functions) */
  struct wprof_fid_range *code;   /* wprof_set_code_ranges, by start address, for the sampler */
  size_t ncode;
  char **source_files;            /* the wprof.sources section's file names */
  uint32_t nsource_files;
  sqlite3 *db;
  /* set by wprof_finish */
  uint64_t end_ticks;
};

wprof_recorder *wprof__open_with_hooks(const struct wprof_run_options *opts, const struct wprof_hooks *hooks,
                                       char *err, size_t errlen);

/* clock.c */
enum wprof_clock_kind wprof__clock_detect(void);
void wprof__clock_start(wprof_recorder *rec);
void wprof__clock_end(wprof_recorder *rec);
uint64_t wprof__ticks_to_ns(const wprof_recorder *rec, uint64_t ticks);
uint64_t wprof__now_cold(const wprof_recorder *rec);

/* Any clock: the slow paths and the recorder's own reads. */
static inline WPROF_PROBE_CODE uint64_t wprof__clock_read(const wprof_recorder *rec, enum wprof_clock_kind clock) {
#if defined(__x86_64__)
  if (clock == WPROF_CLOCK_TSC) return WPROF_TSC();
#endif
  if (clock == WPROF_CLOCK_MONOTONIC) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
  }
  return clock == WPROF_CLOCK_TEST ? wprof__now_cold(rec) : 0;
}

/* The probes' clock: none unless the run's timing is exact. */
static inline WPROF_PROBE_CODE uint64_t wprof__now(const wprof_thread *t) {
  return wprof__clock_read(t->rec, (enum wprof_clock_kind)t->clock);
}

/* sampler.c */
void wprof__sampling_stop_all(wprof_recorder *rec);

/* cct.c */
struct wprof_node *wprof__child(wprof_thread *t, struct wprof_node *parent, uint32_t fid);
/* parent's child fid, or NULL: changes nothing, so the sampler may call it */
struct wprof_node *wprof__child_find(const struct wprof_node *parent, uint32_t fid);
void wprof__cct_init_root(struct wprof_node *root);
uint32_t wprof__node_id(wprof_thread *t, struct wprof_node *node);
void wprof__cct_free(wprof_thread *t);
/* The instructions counted inside the thread's outermost frames. */
uint64_t wprof__cct_framed_instructions(const wprof_thread *t);
struct wprof_node **wprof__cct_collect(wprof_recorder *rec, uint32_t *count);
uint32_t wprof__cct_assign_final_ids(struct wprof_node **by_raw, uint32_t count, bool *renumbered);

/* heap.c */
int wprof__heap_init(struct wprof_heap *heap);
void wprof__heap_settle(struct wprof_heap *heap);
void wprof__heap_free_all(struct wprof_heap *heap);

/* module.c */
int wprof__module_read(wprof_recorder *rec, const uint8_t *bytes, size_t len, const struct wscan_module *scan, char *err,
                       size_t errlen);
const char *wprof__alloc_kind_name(uint32_t flags);

/* trace.c */
void wprof__trace_calls_full(wprof_thread *t);
int wprof__trace_start(wprof_recorder *rec, char *err, size_t errlen);
int wprof__trace_attach(wprof_thread *t);
void wprof__trace_alloc(wprof_thread *t, enum wprof_alloc_event kind, uint64_t now, uint64_t old, uint64_t ptr,
                        uint64_t size, uint64_t id, uint32_t path);
int wprof__trace_stop(wprof_recorder *rec, char *err, size_t errlen);
void wprof__trace_pause(wprof_recorder *rec, bool paused);
void wprof__trace_free(wprof_recorder *rec);

/* db.c */
int wprof__db_create(wprof_recorder *rec, char *err, size_t errlen);
int wprof__db_write_run(wprof_recorder *rec, enum wprof_status status, int exit_code, const char *message,
                        char *err, size_t errlen);
int wprof__db_commit_file(wprof_recorder *rec, char *err, size_t errlen);
int wprof__db_remap_trace(wprof_recorder *rec, struct wprof_node **by_raw, uint32_t count);

/* A batch of rows for one multi-row INSERT statement; values are buffered
** so that a partial batch can be written row by row at the end. */
#define WPROF_BATCH_ROWS 64
#define WPROF_BATCH_MAX_COLS 12

struct wprof_value {
  int type;  /* SQLITE_INTEGER, SQLITE_FLOAT, SQLITE_TEXT (static or owned by the caller until the row is flushed), SQLITE_NULL */
  sqlite3_int64 i;
  double f;
  const char *s;
};

struct wprof_batch {
  sqlite3 *db;
  sqlite3_stmt *many, *one;
  int ncols, filled;
  struct wprof_value values[WPROF_BATCH_ROWS * WPROF_BATCH_MAX_COLS];
};

int wprof__batch_init(struct wprof_batch *b, sqlite3 *db, const char *table, const char *columns, int ncols);
/* The values of the next row, to fill before wprof__batch_push. */
static inline struct wprof_value *wprof__batch_next(struct wprof_batch *b) {
  return &b->values[b->filled * b->ncols];
}
int wprof__batch_push(struct wprof_batch *b);   /* SQLite result code */
int wprof__batch_flush(struct wprof_batch *b);
void wprof__batch_free(struct wprof_batch *b);

/* The hot path cannot report failure, and a profile with holes would be wrong. */
_Noreturn void wprof__out_of_memory(void);
void wprof__errf(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A new formatted string, NULL when out of memory. */
char *wprof__asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
