/*
** libwprof database: creates the temporary database next to db_path at
** open (the schema of docs/schema.md, embedded at build time), writes the
** run, functions, call paths and allocation sites in one transaction at
** finish, then fsyncs and renames it into place, so a reader never sees a
** partial profile. Also the multi-row INSERT batches shared with the trace
** writer.
*/
#include "file-mode.h"
#include "output-path.h"
#include "wprof-internal.h"
#include "wprof-schema.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- multi-row INSERT batches ---- */

static sqlite3_stmt *prepare_insert(sqlite3 *db, const char *table, const char *columns, int ncols, int rows) {
  size_t len = strlen(table) + strlen(columns) + 32 + (size_t)rows * ((size_t)ncols * 2 + 3);
  char *sql = malloc(len), *o = sql;
  if (!sql) return NULL;
  o += sprintf(o, "INSERT INTO %s(%s) VALUES ", table, columns);
  for (int r = 0; r < rows; r++) {
    *o++ = r ? ',' : ' ';
    *o++ = '(';
    for (int c = 0; c < ncols; c++) o += sprintf(o, c ? ",?" : "?");
    *o++ = ')';
  }
  *o = '\0';
  sqlite3_stmt *stmt = NULL;
  sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
  free(sql);
  return stmt;
}

int wprof__batch_init(struct wprof_batch *b, sqlite3 *db, const char *table, const char *columns, int ncols) {
  if (ncols > WPROF_BATCH_MAX_COLS) return SQLITE_MISUSE;
  b->db = db;
  b->ncols = ncols;
  b->filled = 0;
  b->many = prepare_insert(db, table, columns, ncols, WPROF_BATCH_ROWS);
  b->one = prepare_insert(db, table, columns, ncols, 1);
  return b->many && b->one ? SQLITE_OK : SQLITE_ERROR;
}

static void bind_values(sqlite3_stmt *stmt, const struct wprof_value *v, int n) {
  for (int i = 0; i < n; i++) {
    switch (v[i].type) {
    case SQLITE_INTEGER: sqlite3_bind_int64(stmt, i + 1, v[i].i); break;
    case SQLITE_FLOAT: sqlite3_bind_double(stmt, i + 1, v[i].f); break;
    case SQLITE_TEXT: sqlite3_bind_text(stmt, i + 1, v[i].s, -1, SQLITE_STATIC); break;
    default: sqlite3_bind_null(stmt, i + 1); break;
    }
  }
}

static int step_once(sqlite3_stmt *stmt) {
  int rc = sqlite3_step(stmt);
  sqlite3_reset(stmt);
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int wprof__batch_push(struct wprof_batch *b) {
  if (++b->filled < WPROF_BATCH_ROWS) return SQLITE_OK;
  b->filled = 0;
  bind_values(b->many, b->values, WPROF_BATCH_ROWS * b->ncols);
  return step_once(b->many);
}

int wprof__batch_flush(struct wprof_batch *b) {
  int rc = SQLITE_OK;
  for (int r = 0; r < b->filled && rc == SQLITE_OK; r++) {
    bind_values(b->one, &b->values[r * b->ncols], b->ncols);
    rc = step_once(b->one);
  }
  b->filled = 0;
  return rc;
}

void wprof__batch_free(struct wprof_batch *b) {
  sqlite3_finalize(b->many);
  sqlite3_finalize(b->one);
  b->many = b->one = NULL;
}

/* ---- the temporary database ---- */

static int db_fail(wprof_recorder *rec, const char *what, char *err, size_t errlen) {
  wprof__errf(err, errlen, "%s %s: %s", what, rec->tmp_path, rec->db ? sqlite3_errmsg(rec->db) : "out of memory");
  return -1;
}

/* The database goes where db_path leads (through symbolic links); a device
** or a FIFO gets the finished file's bytes, so its temp file is made in
** $TMPDIR (else /tmp) instead of beside it. */
int wprof__db_create(wprof_recorder *rec, char *err, size_t errlen) {
  struct wprof_output target;
  if (wprof_output_resolve(rec->db_path, &target) != 0) {
    wprof__errf(err, errlen, "cannot write %s: %s", rec->db_path, strerror(errno));
    return -1;
  }
  rec->target_path = target.path;
  rec->target_direct = target.direct;
  const char *tmpdir = getenv("TMPDIR");
  char *tmp_base = !target.direct ? strdup(target.path)
                   : (tmpdir && *tmpdir) ? wprof__asprintf("%s/wprof.db", tmpdir) : strdup("/tmp/wprof.db");
  rec->tmp_path = tmp_base ? wprof__asprintf("%s.tmp-XXXXXX", tmp_base) : NULL;
  free(tmp_base);
  if (!rec->tmp_path) {
    wprof__errf(err, errlen, "out of memory");
    return -1;
  }
  int fd = mkstemp(rec->tmp_path);
  if (fd < 0) {
    wprof__errf(err, errlen, "cannot create %s: %s", rec->tmp_path, strerror(errno));
    free(rec->tmp_path);
    rec->tmp_path = NULL;
    return -1;
  }
  fchmod(fd, wprof_new_file_mode()); /* mkstemp made it private */
  close(fd);
  if (sqlite3_open_v2(rec->tmp_path, &rec->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
    return db_fail(rec, "cannot open", err, errlen);
  /* the file is renamed into place only once complete: no journal needed */
  char version[48];
  snprintf(version, sizeof version, "PRAGMA user_version=%d", WPROF_SCHEMA_VERSION);
  if (sqlite3_exec(rec->db,
                   "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA locking_mode=EXCLUSIVE;"
                   "PRAGMA page_size=16384; PRAGMA cache_size=-16384;", NULL, NULL, NULL) != SQLITE_OK ||
      sqlite3_exec(rec->db, version, NULL, NULL, NULL) != SQLITE_OK ||
      sqlite3_exec(rec->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK ||
      sqlite3_exec(rec->db, wprof_schema_sql, NULL, NULL, NULL) != SQLITE_OK ||
      sqlite3_exec(rec->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
    return db_fail(rec, "cannot create the schema in", err, errlen);
  return 0;
}

/* ---- the run, written at finish ---- */

/* One call_paths row: the nodes of every thread with this path, merged. */
struct path_row {
  const struct wprof_node *node;  /* the first node with this path */
  uint64_t calls, unwound, incl_ticks, samples;
  int64_t incl_ns, self_ns;
  uint64_t incl_instructions, self_instructions;
  struct wprof_site site;
  bool allocated;
};

static const char *status_name(enum wprof_status status) {
  switch (status) {
  case WPROF_EXITED: return "exited";
  case WPROF_TRAPPED: return "trapped";
  case WPROF_INTERRUPTED: return "interrupted";
  default: return "error";
  }
}

static const char *timing_name(enum wprof_timing timing) {
  switch (timing) {
  case WPROF_TIMING_SAMPLED: return "sampled";
  case WPROF_TIMING_EXACT: return "exact";
  default: return "none";
  }
}

static const char *clock_name(enum wprof_clock_kind clock) {
  switch (clock) {
  case WPROF_CLOCK_TSC: return "tsc";
  case WPROF_CLOCK_MONOTONIC: return "clock_gettime";
  case WPROF_CLOCK_TEST: return "test";
  default: return "none";
  }
}

static struct wprof_value int_value(int64_t i) {
  return (struct wprof_value){.type = SQLITE_INTEGER, .i = i};
}

static struct wprof_value text_value(const char *s) {
  return s ? (struct wprof_value){.type = SQLITE_TEXT, .s = s} : (struct wprof_value){.type = SQLITE_NULL};
}

/* Inserts one row through a statement prepared for the occasion. */
static int insert_row(sqlite3 *db, const char *table, const char *columns, const struct wprof_value *v, int n) {
  sqlite3_stmt *stmt = prepare_insert(db, table, columns, n, 1);
  if (!stmt) return SQLITE_ERROR;
  bind_values(stmt, v, n);
  int rc = step_once(stmt);
  sqlite3_finalize(stmt);
  return rc;
}

static int write_meta(sqlite3 *db, const char *key, const char *value) {
  struct wprof_value v[2] = {text_value(key), text_value(value)};
  return insert_row(db, "meta", "key,value", v, 2);
}

/* The run's totals, summed over its threads and paths. */
struct run_totals {
  uint64_t calls, exits, unwound, mismatches, samples, probe_samples;
};

static int write_run_row(wprof_recorder *rec, enum wprof_status status, int exit_code, const char *message,
                         const struct run_totals *totals) {
  bool sampled = rec->timing == WPROF_TIMING_SAMPLED;
  const struct wprof_heap *heap = &rec->heap;
  uint64_t peak_ns = heap->peak_bytes ? wprof__ticks_to_ns(rec, heap->peak_ticks - rec->t0) : 0;
  struct wprof_value v[] = {
      int_value(1),
      text_value(rec->module_path),
      text_value(rec->module_hash),
      int_value((int64_t)rec->module_size),
      int_value(rec->instrumented),
      text_value(rec->args_json),
      text_value(rec->host),
      text_value(rec->start_time),
      int_value((int64_t)wprof__ticks_to_ns(rec, rec->end_ticks - rec->t0)),
      text_value(clock_name(rec->clock)),
      rec->clock == WPROF_CLOCK_TSC
          ? (struct wprof_value){.type = SQLITE_FLOAT, .f = 1e9 * (double)rec->conv_ticks / (double)rec->conv_ns}
          : (struct wprof_value){.type = SQLITE_NULL},
      text_value(timing_name(rec->timing)),
      sampled ? int_value((int64_t)rec->sample_interval_ns) : (struct wprof_value){.type = SQLITE_NULL},
      int_value((int64_t)totals->samples),
      int_value((int64_t)totals->probe_samples),
      int_value(rec->tracing),
      text_value(status_name(status)),
      status == WPROF_EXITED ? int_value(exit_code) : (struct wprof_value){.type = SQLITE_NULL},
      status == WPROF_EXITED ? text_value(NULL) : text_value(message),
      int_value((int64_t)totals->calls),
      int_value((int64_t)totals->exits),
      int_value((int64_t)totals->unwound),
      int_value((int64_t)rec->trace.lost),
      int_value((int64_t)heap->peak_bytes),
      int_value((int64_t)heap->peak_objects),
      int_value((int64_t)peak_ns),
      int_value((int64_t)heap->unknown_frees),
      int_value((int64_t)heap->double_frees),
      rec->counts_instructions ? int_value((int64_t)rec->instructions) : (struct wprof_value){.type = SQLITE_NULL},
  };
  return insert_row(rec->db, "run",
                    "id,module_path,module_hash,module_size,instrumented,args,host,start_time,duration_ns,clock,"
                    "clock_ticks_per_sec,timing,sample_interval_ns,samples,probe_samples,trace,status,exit_code,trap,total_calls,total_exits,unwound_frames,"
                    "lost_events,peak_live_bytes,peak_live_objects,peak_time_ns,unknown_frees,double_frees,instructions",
                    v, (int)(sizeof v / sizeof v[0]));
}

static int write_functions(wprof_recorder *rec, bool with_root) {
  struct wprof_batch b;
  int rc = wprof__batch_init(&b, rec->db, "functions", "fid,func_index,name,code_offset,instrumented,alloc_kind,frameless,file,line",
                             9);
  for (uint32_t fid = 0; fid < rec->nfunctions && rc == SQLITE_OK; fid++) {
    const struct wprof_function *f = &rec->functions[fid];
    struct wprof_value *v = wprof__batch_next(&b);
    v[0] = int_value(fid);
    v[1] = int_value(f->func_index);
    v[2] = text_value(f->name);
    v[3] = int_value(f->code_offset);
    v[4] = int_value((f->flags & WPROF_ABI_FLAG_COUNTED) != 0);
    v[5] = text_value(wprof__alloc_kind_name(f->flags));
    v[6] = int_value((f->flags & WPROF_ABI_FLAG_FRAMELESS) != 0);
    v[7] = text_value(f->file);
    v[8] = f->line ? int_value(f->line) : (struct wprof_value){.type = SQLITE_NULL};
    rc = wprof__batch_push(&b);
  }
  if (rc == SQLITE_OK && with_root) {
    struct wprof_value *v = wprof__batch_next(&b);
    v[0] = int_value(-1);
    v[1] = int_value(-1);
    v[2] = text_value("(root)");
    v[3] = int_value(0);
    v[4] = int_value(0);
    v[5] = text_value(NULL);
    v[6] = int_value(0);
    v[7] = text_value(NULL);
    v[8] = text_value(NULL);
    rc = wprof__batch_push(&b);
  }
  if (rc == SQLITE_OK) rc = wprof__batch_flush(&b);
  wprof__batch_free(&b);
  return rc;
}

static int write_paths(wprof_recorder *rec, const struct path_row *rows, uint32_t nrows) {
  struct wprof_batch paths = {0}, sites = {0};
  int rc = wprof__batch_init(&paths, rec->db, "call_paths",
                             "id,parent,fid,depth,recursive,calls,unwound,incl_ns,self_ns,samples,incl_instructions,"
                             "self_instructions",
                             12);
  if (rc == SQLITE_OK)
    rc = wprof__batch_init(&sites, rec->db, "alloc_sites",
                           "path_id,alloc_objects,alloc_bytes,free_objects,free_bytes,live_objects,live_bytes,"
                           "peak_objects,peak_bytes",
                           9);
  for (uint32_t id = 1; id <= nrows && rc == SQLITE_OK; id++) {
    const struct path_row *r = &rows[id];
    const struct wprof_node *n = r->node;
    struct wprof_value *v = wprof__batch_next(&paths);
    v[0] = int_value(id);
    v[1] = n->depth >= 2 ? int_value(n->parent->final_id) : (struct wprof_value){.type = SQLITE_NULL};
    v[2] = int_value((int32_t)n->fid);
    v[3] = int_value(n->depth);
    v[4] = int_value(n->recursive);
    v[5] = int_value((int64_t)r->calls);
    v[6] = int_value((int64_t)r->unwound);
    v[7] = int_value(r->incl_ns);
    v[8] = int_value(r->self_ns);
    v[9] = int_value((int64_t)r->samples);
    v[10] = int_value((int64_t)r->incl_instructions);
    v[11] = int_value((int64_t)r->self_instructions);
    rc = wprof__batch_push(&paths);
    if (rc != SQLITE_OK || !r->allocated) continue;
    const struct wprof_site *s = &r->site;
    v = wprof__batch_next(&sites);
    v[0] = int_value(id);
    v[1] = int_value((int64_t)s->alloc_objects);
    v[2] = int_value((int64_t)s->alloc_bytes);
    v[3] = int_value((int64_t)s->free_objects);
    v[4] = int_value((int64_t)s->free_bytes);
    v[5] = int_value((int64_t)s->live_objects);
    v[6] = int_value((int64_t)s->live_bytes);
    v[7] = int_value((int64_t)s->peak_objects);
    v[8] = int_value((int64_t)s->peak_bytes);
    rc = wprof__batch_push(&sites);
  }
  if (rc == SQLITE_OK) rc = wprof__batch_flush(&paths);
  if (rc == SQLITE_OK) rc = wprof__batch_flush(&sites);
  wprof__batch_free(&paths);
  wprof__batch_free(&sites);
  return rc;
}

static void site_add(struct wprof_site *sum, const struct wprof_site *s) {
  sum->alloc_objects += s->alloc_objects;
  sum->alloc_bytes += s->alloc_bytes;
  sum->free_objects += s->free_objects;
  sum->free_bytes += s->free_bytes;
  sum->live_objects += s->live_objects;
  sum->live_bytes += s->live_bytes;
  sum->peak_objects += s->peak_objects;
  sum->peak_bytes += s->peak_bytes;
}

/* Merges the nodes into call_paths rows and derives the times in ns. Exact
** times are floored per path, so a parent's incl_ns is never less than the
** sum of its children's and self_ns is never negative. Sampled times are
** built bottom up: children have greater ids than their parents. */
static struct path_row *merge_paths(wprof_recorder *rec, struct wprof_node **by_raw, uint32_t count, uint32_t nrows) {
  struct path_row *rows = calloc((size_t)nrows + 1, sizeof *rows);
  if (!rows) return NULL;
  for (uint32_t raw = 1; raw <= count; raw++) {
    const struct wprof_node *n = by_raw[raw];
    struct path_row *r = &rows[n->final_id];
    if (!r->node) r->node = n;
    r->calls += n->calls;
    r->unwound += n->unwound;
    r->incl_ticks += n->incl_ticks;
    r->incl_instructions += n->incl_instructions;
    r->samples += n->samples;
    if (n->site) {
      r->allocated = true;
      site_add(&r->site, n->site);
    }
  }
  for (uint32_t id = 1; id <= nrows; id++) rows[id].self_instructions = rows[id].incl_instructions;
  for (uint32_t id = 1; id <= nrows; id++)
    if (rows[id].node->depth >= 2)
      rows[rows[id].node->parent->final_id].self_instructions -= rows[id].incl_instructions;
  if (rec->timing == WPROF_TIMING_SAMPLED) {
    for (uint32_t id = 1; id <= nrows; id++)
      rows[id].self_ns = rows[id].incl_ns = (int64_t)(rows[id].samples * rec->sample_interval_ns);
    for (uint32_t id = nrows; id >= 1; id--)
      if (rows[id].node->depth >= 2) rows[rows[id].node->parent->final_id].incl_ns += rows[id].incl_ns;
    return rows;
  }
  for (uint32_t id = 1; id <= nrows; id++) rows[id].self_ns = rows[id].incl_ns = (int64_t)wprof__ticks_to_ns(rec, rows[id].incl_ticks);
  for (uint32_t id = 1; id <= nrows; id++)
    if (rows[id].node->depth >= 2) rows[rows[id].node->parent->final_id].self_ns -= rows[id].incl_ns;
  return rows;
}

static int write_meta_rows(wprof_recorder *rec, uint64_t exit_mismatches) {
  char number[32];
  snprintf(number, sizeof number, "%d", WPROF_SCHEMA_VERSION);
  int rc = write_meta(rec->db, "schema_version", number);
  if (rc == SQLITE_OK) rc = write_meta(rec->db, "wprof_version", WPROF_VERSION);
  snprintf(number, sizeof number, "%d", atomic_load(&rec->nthreads));
  if (rc == SQLITE_OK) rc = write_meta(rec->db, "threads", number);
  snprintf(number, sizeof number, "%llu", (unsigned long long)exit_mismatches);
  if (rc == SQLITE_OK) rc = write_meta(rec->db, "probe_mismatches", number);
  if (rc == SQLITE_OK && rec->clock == WPROF_CLOCK_TSC) {
    snprintf(number, sizeof number, "%.3f", rec->clock_check_ppm);
    rc = write_meta(rec->db, "clock_check_ppm", number);
  }
  if (rc == SQLITE_OK) rc = write_meta(rec->db, "deterministic", rec->deterministic ? "1" : "0");
  if (rc == SQLITE_OK && rec->tracing) {
    snprintf(number, sizeof number, "%llu", (unsigned long long)rec->trace.spilled);
    rc = write_meta(rec->db, "trace_spilled_events", number);
  }
  return rc;
}

int wprof__db_remap_trace(wprof_recorder *rec, struct wprof_node **by_raw, uint32_t count) {
  int rc = sqlite3_exec(rec->db, "CREATE TEMP TABLE path_map(old INTEGER PRIMARY KEY, new INTEGER NOT NULL)", NULL,
                        NULL, NULL);
  struct wprof_batch b = {0};
  if (rc == SQLITE_OK) rc = wprof__batch_init(&b, rec->db, "path_map", "old,new", 2);
  for (uint32_t raw = 1; raw <= count && rc == SQLITE_OK; raw++) {
    if (by_raw[raw]->final_id == raw) continue;
    struct wprof_value *v = wprof__batch_next(&b);
    v[0] = int_value(raw);
    v[1] = int_value(by_raw[raw]->final_id);
    rc = wprof__batch_push(&b);
  }
  if (rc == SQLITE_OK) rc = wprof__batch_flush(&b);
  wprof__batch_free(&b);
  if (rc == SQLITE_OK)
    rc = sqlite3_exec(rec->db,
                      "UPDATE calls SET path_id = (SELECT new FROM path_map WHERE old = path_id)"
                      " WHERE path_id IN (SELECT old FROM path_map);"
                      "UPDATE alloc_events SET path_id = (SELECT new FROM path_map WHERE old = path_id)"
                      " WHERE path_id IN (SELECT old FROM path_map);"
                      "DROP TABLE path_map;",
                      NULL, NULL, NULL);
  return rc;
}

int wprof__db_write_run(wprof_recorder *rec, enum wprof_status status, int exit_code, const char *message,
                        char *err, size_t errlen) {
  uint32_t count, nrows = 0;
  bool renumbered = false, with_root = false;
  struct wprof_node **by_raw = wprof__cct_collect(rec, &count);
  struct path_row *rows = NULL;
  if (by_raw && count) nrows = wprof__cct_assign_final_ids(by_raw, count, &renumbered);
  if (by_raw && (nrows || !count)) rows = merge_paths(rec, by_raw, count, nrows);
  if (!by_raw || (count && !nrows) || !rows) {
    free(by_raw);
    wprof__errf(err, errlen, "out of memory writing the profile");
    return -1;
  }
  struct run_totals totals = {0};
  for (uint32_t id = 1; id <= nrows; id++) {
    totals.calls += rows[id].calls;
    totals.samples += rows[id].samples;
    with_root |= rows[id].node->depth == 0;
  }
  for (const wprof_thread *t = rec->threads; t; t = t->next) {
    totals.unwound += t->unwound;
    totals.mismatches += t->exit_mismatches;
    totals.probe_samples += t->probe_samples;
  }
  totals.exits = totals.calls - totals.unwound; /* every call was left by an exit or unwound (wprof_finish) */
  int rc = sqlite3_exec(rec->db, "BEGIN", NULL, NULL, NULL);
  if (rc == SQLITE_OK && renumbered && rec->tracing) rc = wprof__db_remap_trace(rec, by_raw, count);
  if (rc == SQLITE_OK) rc = write_run_row(rec, status, exit_code, message, &totals);
  if (rc == SQLITE_OK) rc = write_functions(rec, with_root);
  if (rc == SQLITE_OK) rc = write_paths(rec, rows, nrows);
  if (rc == SQLITE_OK) rc = write_meta_rows(rec, totals.mismatches);
  if (rc == SQLITE_OK) rc = write_meta(rec->db, "complete", "1");
  if (rc == SQLITE_OK) rc = sqlite3_exec(rec->db, "COMMIT", NULL, NULL, NULL);
  free(rows);
  free(by_raw);
  return rc == SQLITE_OK ? 0 : db_fail(rec, "cannot write", err, errlen);
}

/* Writes all of buf; false on an error (errno set). */
static bool write_all(int fd, const char *buf, size_t len) {
  while (len > 0) {
    ssize_t w = write(fd, buf, len);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    buf += w;
    len -= (size_t)w;
  }
  return true;
}

/* A device or a FIFO gets a copy of the finished file's bytes. */
static int copy_to_target(wprof_recorder *rec, int from) {
  int to = open(rec->target_path, O_WRONLY | O_TRUNC | O_CLOEXEC);
  if (to < 0) return -1;
  char buf[1 << 16];
  bool ok = true;
  for (ssize_t n; ok && (n = read(from, buf, sizeof buf)) != 0;) ok = n < 0 ? errno == EINTR : write_all(to, buf, (size_t)n);
  if (close(to) != 0) ok = false;
  return ok ? 0 : -1;
}

/* Closes the database, makes it durable and renames it to where db_path
** leads (or copies it into a device or a FIFO). */
int wprof__db_commit_file(wprof_recorder *rec, char *err, size_t errlen) {
  if (sqlite3_close(rec->db) != SQLITE_OK) return db_fail(rec, "cannot close", err, errlen);
  rec->db = NULL;
  int fd = open(rec->tmp_path, O_RDONLY);
  bool written = fd >= 0 && (rec->target_direct ? copy_to_target(rec, fd) == 0
                                                : fsync(fd) == 0 && rename(rec->tmp_path, rec->target_path) == 0);
  if (!written) {
    wprof__errf(err, errlen, "cannot write %s: %s", rec->db_path, strerror(errno));
    if (fd >= 0) close(fd);
    return -1;
  }
  close(fd);
  if (rec->target_direct) unlink(rec->tmp_path);
  free(rec->tmp_path);
  rec->tmp_path = NULL;
  if (rec->target_direct) return 0;
  char *dir_path = strdup(rec->target_path);
  if (dir_path) {
    int dir = open(dirname(dir_path), O_RDONLY | O_DIRECTORY);
    if (dir >= 0) {
      fsync(dir);
      close(dir);
    }
    free(dir_path);
  }
  return 0;
}
