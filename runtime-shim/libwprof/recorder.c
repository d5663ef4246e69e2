/*
** libwprof recorder: the public API of wprof.h (open a run, attach
** threads, finish, close, summary) and the probe slow paths that work on the
** shadow stack (exact time, --trace, exit mismatches, caught exceptions). The other
** parts: cct.c (call paths), heap.c (allocations), clock.c, module.c,
** trace.c (the --trace writer thread) and db.c (the SQLite file).
*/
#include "wprof-internal.h"
#include "xalloc.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void wprof__errf(char *err, size_t errlen, const char *fmt, ...) {
  if (!err || errlen == 0) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, errlen, fmt, ap);
  va_end(ap);
}

char *wprof__asprintf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
  if (!s) return NULL;
  va_start(ap, fmt);
  vsnprintf(s, (size_t)n + 1, fmt, ap);
  va_end(ap);
  return s;
}

void wprof__out_of_memory(void) { wprof_out_of_memory(); /* utils/xalloc.h: one line, exit 70 */ }

static char *copy_string(const char *s) {
  return strdup(s ? s : "");
}

/* The guest's argv as a JSON array of strings. */
static char *args_to_json(int argc, char **argv) {
  size_t cap = 3;
  for (int i = 0; i < argc; i++) cap += 6 * strlen(argv[i]) + 3;
  char *json = malloc(cap), *o = json;
  if (!json) return NULL;
  *o++ = '[';
  for (int i = 0; i < argc; i++) {
    if (i) *o++ = ',';
    *o++ = '"';
    for (const unsigned char *c = (const unsigned char *)argv[i]; *c; c++) {
      if (*c == '"' || *c == '\\') {
        *o++ = '\\';
        *o++ = (char)*c;
      } else if (*c < 0x20) {
        o += sprintf(o, "\\u%04x", *c);
      } else {
        *o++ = (char)*c;
      }
    }
    *o++ = '"';
  }
  *o++ = ']';
  *o = '\0';
  return json;
}

static void format_start_time(char *out, size_t len) {
  struct timespec now;
  struct tm utc;
  clock_gettime(CLOCK_REALTIME, &now);
  gmtime_r(&now.tv_sec, &utc);
  size_t n = strftime(out, len, "%Y-%m-%dT%H:%M:%S", &utc);
  snprintf(out + n, len - n, ".%03ldZ", now.tv_nsec / 1000000);
}

wprof_recorder *wprof__open_with_hooks(const struct wprof_run_options *opts, const struct wprof_hooks *hooks,
                                       char *err, size_t errlen) {
  if (!opts || !opts->db_path || !*opts->db_path) {
    wprof__errf(err, errlen, "no database path given");
    return NULL;
  }
  if (opts->argc < 0 || (opts->argc > 0 && !opts->argv)) {
    wprof__errf(err, errlen, "bad guest argv");
    return NULL;
  }
  wprof_recorder *rec = calloc(1, sizeof *rec);
  if (!rec) {
    wprof__errf(err, errlen, "out of memory");
    return NULL;
  }
  if (hooks) rec->hooks = *hooks;
  atomic_init(&rec->next_node_id, 1);
  atomic_init(&rec->next_call_id, 1);
  atomic_init(&rec->nthreads, 0);
  rec->timing = opts->timing;
  rec->sample_interval_ns = opts->sample_interval_ns ? opts->sample_interval_ns : WPROF_SAMPLE_INTERVAL_DEFAULT;
  rec->tracing = opts->trace;
  rec->deterministic = opts->deterministic;
  if (rec->timing != WPROF_TIMING_NONE && rec->timing != WPROF_TIMING_EXACT && rec->timing != WPROF_TIMING_SAMPLED) {
    wprof__errf(err, errlen, "unknown timing mode %d", (int)rec->timing);
    goto fail;
  }
  if (rec->timing == WPROF_TIMING_SAMPLED &&
      (rec->tracing || rec->sample_interval_ns < WPROF_SAMPLE_INTERVAL_MIN ||
       rec->sample_interval_ns > WPROF_SAMPLE_INTERVAL_MAX)) {
    wprof__errf(err, errlen, rec->tracing ? "a trace needs exact timing or none, not sampled"
                                          : "sample interval %llu ns is outside %u..%u ns",
                (unsigned long long)rec->sample_interval_ns, WPROF_SAMPLE_INTERVAL_MIN, WPROF_SAMPLE_INTERVAL_MAX);
    goto fail;
  }
  rec->db_path = copy_string(opts->db_path);
  rec->module_path = copy_string(opts->module_path);
  rec->host = copy_string(opts->host);
  rec->args_json = args_to_json(opts->argc, opts->argv);
  if (!rec->db_path || !rec->module_path || !rec->host || !rec->args_json) {
    wprof__errf(err, errlen, "out of memory");
    goto fail;
  }
  if (wprof__module_read(rec, opts->module_bytes, opts->module_len, opts->module_scan, err, errlen) != 0) goto fail;
  if (wprof__heap_init(&rec->heap) != 0) {
    wprof__errf(err, errlen, "out of memory");
    goto fail;
  }
  if (rec->timing == WPROF_TIMING_NONE)
    rec->clock = WPROF_CLOCK_NONE;
  else if (rec->hooks.clock)
    rec->clock = WPROF_CLOCK_TEST;
  else if (rec->hooks.force_clock)
    rec->clock = (enum wprof_clock_kind)rec->hooks.force_clock;
  else
    rec->clock = wprof__clock_detect();
  if (wprof__db_create(rec, err, errlen) != 0) goto fail;
  format_start_time(rec->start_time, sizeof rec->start_time);
  wprof__clock_start(rec);
  if (rec->tracing && wprof__trace_start(rec, err, errlen) != 0) goto fail;
  return rec;
fail:
  wprof_close(rec);
  return NULL;
}

wprof_recorder *wprof_open(const struct wprof_run_options *opts, char *err, size_t errlen) {
  return wprof__open_with_hooks(opts, NULL, err, errlen);
}

/* Sends the thread's probes to their slow paths, where hosts check for a stop. */
static void stop_thread(wprof_thread *t) {
  t->probe.stop = 1;
  t->probe.mode = WPROF_MODE_SLOW;
}

wprof_thread *wprof_thread_attach(wprof_recorder *rec) {
  wprof_thread *t = calloc(1, sizeof *t);
  if (!t) return NULL;
  static const uint64_t no_counter = 0;
  t->rec = rec;
  t->probe.instructions = &no_counter;
  t->clock = (uint8_t)(rec->timing == WPROF_TIMING_EXACT ? rec->clock : WPROF_CLOCK_NONE);
  t->trace = rec->tracing;
  t->probe.mode = t->trace ? WPROF_MODE_SLOW
                 : t->clock == WPROF_CLOCK_TSC ? WPROF_MODE_TSC
                 : t->clock == WPROF_CLOCK_NONE ? WPROF_MODE_COUNT : WPROF_MODE_SLOW;
  wprof__cct_init_root(&t->root);
  t->probe.cur = &t->root;
  if (t->trace && wprof__trace_attach(t) != 0) {
    free(t);
    return NULL;
  }
  pthread_mutex_lock(&rec->heap.lock);
  t->next = rec->threads;
  atomic_store(&rec->threads, t);
  atomic_fetch_add(&rec->nthreads, 1);
  pthread_mutex_unlock(&rec->heap.lock);
  if (rec->stop_requests) stop_thread(t); /* a stop requested before wprof_request_stop could see t */
  return t;
}

void wprof_thread_count_instructions(wprof_thread *t, const uint64_t *counter) {
  if (t->probe.cur != &t->root) return; /* frames open: their entries did not read it */
  t->probe.instructions = counter;
  t->instructions_at_attach = *counter;
  t->rec->counts_instructions = true;
}

/* Async-signal-safe: the thread list only ever grows at its head, and a
** thread attached meanwhile checks rec->stop_requests after it is listed.
** The probes' slow paths are where hosts look for the request. */
void wprof_request_stop(wprof_recorder *rec) {
  rec->stop_requests++;
  atomic_thread_fence(memory_order_seq_cst);
  for (wprof_thread *t = atomic_load(&rec->threads); t; t = t->next) stop_thread(t);
}

void wprof_abandon(wprof_recorder *rec) {
  if (rec->tmp_path) unlink(rec->tmp_path);
}

/* Appends the calls row of the top frame, closed at `end`, to the thread's chunk. */
static WPROF_PROBE_CODE void trace_call(wprof_thread *t, const struct wprof_node *node, uint64_t end, bool unwound) {
  if (t->call_cur == t->call_end) wprof__trace_calls_full(t);
  *t->call_cur++ = (struct wprof_call_rec){
      .id = node->call_id, .start = node->entry_ticks, .end = end, .path = node->raw_id, .unwound = unwound};
}

/* Closes the top frame at time `now`: by an exit, or unwound without one. */
static WPROF_PROBE_CODE void pop(wprof_thread *t, uint64_t now, bool unwound) {
  struct wprof_node *node = t->probe.cur;
  node->incl_ticks += now - node->entry_ticks;
  node->incl_instructions += *t->probe.instructions - node->entry_instructions;
  if (unwound) {
    node->unwound++;
    t->unwound++;
  }
  if (t->trace) trace_call(t, node, now, unwound);
  wprof__set_top(&t->probe, node->parent);
}

/* wprof_probe_enter in full: a callee new to this path (or not the last
** one), exact time, --trace. */
WPROF_PROBE_CODE void wprof__enter_slow(wprof_thread *t, uint32_t fid) {
  struct wprof_node *node = wprof__child(t, t->probe.cur, fid);
  node->calls++;
  if (t->trace) node->call_id = atomic_fetch_add_explicit(&t->rec->next_call_id, 1, memory_order_relaxed);
  node->entry_ticks = wprof__now(t);
  node->entry_instructions = *t->probe.instructions;
  wprof__set_top(&t->probe, node);
}

/* wprof_probe_exit in full. An exit whose fid is not the top frame's is a
** host or ABI error: if a frame of fid is open further down, the frames
** above it missed their exits and are closed as unwound; otherwise the exit
** is ignored. */
WPROF_PROBE_CODE void wprof__exit_slow(wprof_thread *t, uint32_t fid) {
  uint64_t now = wprof__now(t);
  struct wprof_node *node = t->probe.cur;
  if (node->fid != fid) {
    t->exit_mismatches++;
    while (node->depth > 0 && node->fid != fid) node = node->parent;
    if (node->depth == 0) return;
    while (t->probe.cur != node) pop(t, now, true);
  }
  pop(t, now, false);
}

/* wprof_probe_count in full: a mispredicted callee, exact time, or --trace
** and the slow clocks, where the call is a frame entered and left at once
** (a calls row of no duration). */
WPROF_PROBE_CODE void wprof__count_slow(wprof_thread *t, uint32_t fid) {
  if (t->trace || (t->clock != WPROF_CLOCK_NONE && t->clock != WPROF_CLOCK_TSC)) {
    wprof__enter_slow(t, fid);
    wprof__exit_slow(t, fid);
    return;
  }
  wprof__child(t, t->probe.cur, fid)->calls++;
}

WPROF_PROBE_CODE void wprof_thread_unwind(wprof_thread *t, uint32_t depth) {
  uint64_t now = wprof__now(t);
  while (t->probe.cur->depth > depth) pop(t, now, true);
}

WPROF_PROBE_CODE void wprof__catch(wprof_thread *t, uint32_t fid, uint32_t depth) {
  if (depth == 0 || depth > t->probe.cur->depth) {
    t->exit_mismatches++;
    return;
  }
  wprof_thread_unwind(t, depth);
  if (t->probe.cur->fid != fid) t->exit_mismatches++;
}

int wprof_finish(wprof_recorder *rec, enum wprof_status status, int exit_code, const char *message, char *err,
                 size_t errlen) {
  if (rec->finished) {
    wprof__errf(err, errlen, "wprof_finish called twice");
    return -1;
  }
  rec->finished = true;
  wprof__sampling_stop_all(rec);
  wprof__clock_end(rec);
  for (wprof_thread *t = rec->threads; t; t = t->next)
    while (t->probe.cur != &t->root) pop(t, rec->end_ticks, true);
  for (wprof_thread *t = rec->threads; t; t = t->next) {
    uint64_t executed = *t->probe.instructions - t->instructions_at_attach;
    rec->instructions += executed;
    /* samples and instructions with no frame open: the '(root)' path, which has no children */
    t->root.incl_instructions = executed - wprof__cct_framed_instructions(t);
    if (t->root.samples || t->root.incl_instructions) wprof__node_id(t, &t->root);
  }
  if (rec->tracing && wprof__trace_stop(rec, err, errlen) != 0) return -1;
  wprof__heap_settle(&rec->heap);
  if (wprof__db_write_run(rec, status, exit_code, message, err, errlen) != 0) return -1;
  return wprof__db_commit_file(rec, err, errlen);
}

static int compare_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return (x > y) - (x < y);
}

void wprof_get_summary(const wprof_recorder *rec, struct wprof_summary *out) {
  *out = (struct wprof_summary){0};
  const struct wprof_heap *heap = &rec->heap;
  for (uint32_t i = 0; i < heap->nsites; i++) {
    out->alloc_objects += heap->sites[i]->alloc_objects;
    out->alloc_bytes += heap->sites[i]->alloc_bytes;
  }
  out->live_objects = heap->live_objects;
  out->live_bytes = heap->live_bytes;
  out->lost_events = rec->tracing ? rec->trace.lost : 0;
  if (rec->timing == WPROF_TIMING_SAMPLED) out->sample_interval_ns = rec->sample_interval_ns;
  out->counts_instructions = rec->counts_instructions;
  out->instructions = rec->instructions;
  /* functions called: the distinct fids of the paths that were entered */
  size_t npaths = 0, nfids = 0;
  for (const wprof_thread *t = rec->threads; t; t = t->next)
    for (const struct wprof_node_block *b = t->blocks; b; b = b->next) npaths += b->used;
  uint32_t *fids = malloc((npaths ? npaths : 1) * sizeof *fids);
  if (!fids) return;
  for (const wprof_thread *t = rec->threads; t; t = t->next) {
    out->samples += t->root.samples;
    out->probe_samples += t->probe_samples;
    for (const struct wprof_node_block *b = t->blocks; b; b = b->next) {
      for (uint32_t i = 0; i < b->used; i++) {
        out->samples += b->nodes[i].samples;
        out->calls += b->nodes[i].calls;
        if (b->nodes[i].calls) fids[nfids++] = b->nodes[i].fid;
      }
    }
  }
  qsort(fids, nfids, sizeof *fids, compare_u32);
  for (size_t i = 0; i < nfids; i++) out->functions_called += i == 0 || fids[i] != fids[i - 1];
  free(fids);
}

void wprof_close(wprof_recorder *rec) {
  if (!rec) return;
  if (rec->tracing) wprof__trace_free(rec);
  if (rec->db) sqlite3_close(rec->db);
  if (rec->tmp_path) unlink(rec->tmp_path);
  wprof__sampling_stop_all(rec);
  for (wprof_thread *t = rec->threads, *next; t; t = next) {
    next = t->next;
    wprof__cct_free(t);
    free(t);
  }
  if (rec->heap.slots) wprof__heap_free_all(&rec->heap);
  for (uint32_t i = 0; i < rec->nfunctions; i++) free(rec->functions[i].name);
  free(rec->functions);
  free(rec->code);
  for (uint32_t i = 0; i < rec->nsource_files; i++) free(rec->source_files[i]);
  free(rec->source_files);
  free(rec->db_path);
  free(rec->target_path);
  free(rec->tmp_path);
  free(rec->module_path);
  free(rec->host);
  free(rec->args_json);
  free(rec);
}

void wprof_print_summary(FILE *f, const wprof_recorder *rec, const char *db_path) {
  struct wprof_summary s;
  wprof_get_summary(rec, &s);
  fprintf(f, "wprof: wrote %s: %llu calls, %llu functions, %llu allocations (%llu bytes, %llu live)", db_path,
          (unsigned long long)s.calls, (unsigned long long)s.functions_called, (unsigned long long)s.alloc_objects,
          (unsigned long long)s.alloc_bytes, (unsigned long long)s.live_objects);
  if (s.sample_interval_ns)
    fprintf(f, ", %llu samples%s", (unsigned long long)s.samples,
            s.samples < WPROF_FEW_SAMPLES ? " (too few to rank functions by time)" : "");
  if (s.counts_instructions) fprintf(f, ", %llu instructions", (unsigned long long)s.instructions);
  fputc('\n', f);
  if (s.lost_events)
    fprintf(f, "wprof: warning: %llu trace events were not stored (interrupted while storing, or no disk space); "
               "see run.lost_events\n",
            (unsigned long long)s.lost_events);
  fflush(f);
}

void wprof_stop_signal(wprof_recorder *rec, volatile sig_atomic_t *first, int sig) {
  if (*first) {
    if (rec) wprof_abandon(rec);
    _exit(128 + sig);
  }
  *first = sig;
  if (rec) wprof_request_stop(rec);
}

const char *wprof_stop_signal_name(int sig) {
  return sig == SIGTERM ? "SIGTERM" : sig == SIGHUP ? "SIGHUP" : "SIGINT";
}

void wprof_set_stop_handlers(void (*handler)(int)) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = handler;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGHUP, &sa, NULL);
}
