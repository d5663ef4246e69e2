/* Database access for the analyzer (see db.h). A wprof database is recognised
 * by its meta table and version (docs/schema.md: "a file without the meta
 * table is not a wprof database"); everything is opened read-only. */
#include "db.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "exit-codes.h"
#include "units.h"
#include "util.h"
#include "wprof-schema.h"
#include "wprof.h"

static void set_error(struct wprof_db *db, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_error(struct wprof_db *db, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(db->error, sizeof db->error, fmt, ap);
  va_end(ap);
}

sqlite3_stmt *wprof_db_prepare(struct wprof_db *db, const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  if (sqlite3_prepare_v2(db->sql, sql, -1, &stmt, NULL) != SQLITE_OK) {
    set_error(db, "%s", sqlite3_errmsg(db->sql));
    sqlite3_finalize(stmt);
    return NULL;
  }
  return stmt;
}

int wprof_db_step(struct wprof_db *db, sqlite3_stmt *stmt)
{
  int rc = sqlite3_step(stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    set_error(db, "%s", sqlite3_errmsg(db->sql));
  return rc;
}

void wprof_db_bind_text(sqlite3_stmt *stmt, int index, const char *s)
{
  if (s)
    sqlite3_bind_text(stmt, index, s, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null(stmt, index);
}

const char *wprof_db_text(sqlite3_stmt *stmt, int col)
{
  const unsigned char *s = sqlite3_column_text(stmt, col);
  return s ? (const char *)s : "";
}

/* Runs a one-value query; returns SQLITE_ROW with *out set, SQLITE_DONE when
 * there is no row, or an error code. */
static int query_int(struct wprof_db *db, const char *sql, int64_t *out)
{
  sqlite3_stmt *stmt = wprof_db_prepare(db, sql);
  if (!stmt)
    return SQLITE_ERROR;
  int rc = wprof_db_step(db, stmt);
  if (rc == SQLITE_ROW)
    *out = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  return rc;
}

static int check_version(struct wprof_db *db)
{
  int64_t user_version = 0;
  if (query_int(db, "PRAGMA user_version", &user_version) != SQLITE_ROW) {
    /* SQLite's "file is not a database" is clearer with our words. */
    if (sqlite3_errcode(db->sql) == SQLITE_NOTADB)
      set_error(db, "not a wprof database (not an SQLite file)");
    return -1;
  }
  sqlite3_stmt *stmt = wprof_db_prepare(db, "SELECT value FROM meta WHERE key = 'schema_version'");
  if (!stmt) {
    set_error(db, "not a wprof database (no meta table)");
    return -1;
  }
  int rc = wprof_db_step(db, stmt);
  int64_t meta_version = rc == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : 0;
  sqlite3_finalize(stmt);
  if (rc != SQLITE_ROW) {
    if (rc == SQLITE_DONE)
      set_error(db, "not a wprof database (no schema_version in meta)");
    return -1;
  }
  int64_t version = user_version > meta_version ? user_version : meta_version;
  if (version > WPROF_SCHEMA_VERSION) {
    set_error(db, "schema version %lld is newer than this wprof supports (%d)", (long long)version,
              WPROF_SCHEMA_VERSION);
    return -1;
  }
  if (user_version == meta_version && version >= 1 && version < WPROF_SCHEMA_VERSION) {
    set_error(db, "schema version %lld is older than this wprof reads (%d): record the run again", (long long)version,
              WPROF_SCHEMA_VERSION);
    return -1;
  }
  if (user_version != WPROF_SCHEMA_VERSION || meta_version != WPROF_SCHEMA_VERSION) {
    set_error(db, "not a wprof database (schema version %lld, user_version %lld)", (long long)meta_version,
              (long long)user_version);
    return -1;
  }
  int64_t complete = 0;
  rc = query_int(db, "SELECT value = '1' FROM meta WHERE key = 'complete'", &complete);
  if (rc == SQLITE_ERROR)
    return -1;
  if (!complete) {
    set_error(db, "incomplete database (the run was not written to the end)");
    return -1;
  }
  return 0;
}

static char *column_strdup(sqlite3_stmt *stmt, int col)
{
  return sqlite3_column_type(stmt, col) == SQLITE_NULL ? NULL : wprof_xstrdup(wprof_db_text(stmt, col));
}

static int load_run(struct wprof_db *db)
{
  struct wprof_run *r = &db->run;
  sqlite3_stmt *stmt = wprof_db_prepare(
      db, "SELECT module_path, module_hash, args, host, start_time, clock, status, trap,"
          " module_size, duration_ns, exit_code, total_calls, total_exits, unwound_frames, lost_events,"
          " peak_live_bytes, peak_live_objects, peak_time_ns, unknown_frees, double_frees,"
          " clock_ticks_per_sec, instrumented, timing, trace,"
          " (SELECT COALESCE(SUM(self_ns), 0) FROM call_paths), (SELECT COUNT(*) FROM call_paths),"
          " sample_interval_ns, samples, probe_samples, (SELECT COALESCE(MAX(depth), 0) FROM call_paths),"
          " instructions, EXISTS (SELECT 1 FROM functions WHERE line IS NOT NULL) FROM run");
  if (!stmt) {
    set_error(db, "not a wprof database (%s)", sqlite3_errmsg(db->sql));
    return -1;
  }
  int rc = wprof_db_step(db, stmt);
  if (rc == SQLITE_ROW) {
    char **strings[] = {&r->module_path, &r->module_hash, &r->args, &r->host,
                        &r->start_time,  &r->clock,       &r->status, &r->trap};
    for (int i = 0; i < 8; i++)
      *strings[i] = column_strdup(stmt, i);
    int64_t *ints[] = {&r->module_size,     &r->duration_ns,  &r->exit_code,      &r->total_calls,
                       &r->total_exits,     &r->unwound_frames, &r->lost_events,  &r->peak_live_bytes,
                       &r->peak_live_objects, &r->peak_time_ns, &r->unknown_frees, &r->double_frees};
    for (int i = 0; i < 12; i++)
      *ints[i] = sqlite3_column_int64(stmt, 8 + i);
    r->has_exit_code = sqlite3_column_type(stmt, 10) != SQLITE_NULL;
    r->has_ticks_per_sec = sqlite3_column_type(stmt, 20) != SQLITE_NULL;
    r->clock_ticks_per_sec = sqlite3_column_double(stmt, 20);
    r->instrumented = sqlite3_column_int(stmt, 21);
    r->timing = column_strdup(stmt, 22);
    r->trace = sqlite3_column_int(stmt, 23);
    r->traced_ns = sqlite3_column_int64(stmt, 24);
    r->path_count = sqlite3_column_int64(stmt, 25);
    r->sample_interval_ns = sqlite3_column_int64(stmt, 26);
    r->samples = sqlite3_column_int64(stmt, 27);
    r->probe_samples = sqlite3_column_int64(stmt, 28);
    r->max_depth = sqlite3_column_int64(stmt, 29);
    r->counted = sqlite3_column_type(stmt, 30) != SQLITE_NULL;
    r->instructions = sqlite3_column_int64(stmt, 30);
    r->located = sqlite3_column_int(stmt, 31);
  } else if (rc == SQLITE_DONE) {
    set_error(db, "not a wprof database (no run row)");
  }
  sqlite3_finalize(stmt);
  if (rc != SQLITE_ROW)
    return -1;
  if (!r->module_path || !r->status || !r->host || !r->clock || !r->timing) {
    set_error(db, "not a wprof database (incomplete run row)");
    return -1;
  }
  r->timed = strcmp(r->timing, "none") != 0;
  r->sampled = strcmp(r->timing, "sampled") == 0;
  if (r->timed && !r->sampled && strcmp(r->timing, "exact") != 0) {
    set_error(db, "not a wprof database (unknown timing '%s')", r->timing);
    return -1;
  }
  if (r->sampled && r->sample_interval_ns <= 0) {
    set_error(db, "not a wprof database (sampled timing without a sample interval)");
    return -1;
  }
  return 0;
}

/* A profile is untrusted input: its views (an endless recursive one would
 * hang every report) are never run. The views of docs/schema.md, as this
 * wprof was built with them, are created in the connection's temp schema,
 * where names are looked up first; the file's own are shadowed. */
static int install_views(struct wprof_db *db)
{
  sqlite3 *scratch = NULL;
  sqlite3_stmt *views = NULL;
  int rc = sqlite3_open_v2(":memory:", &scratch, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_exec(scratch, wprof_schema_sql, NULL, NULL, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_prepare_v2(scratch, "SELECT substr(sql, length('CREATE VIEW') + 1) FROM sqlite_master"
                                     " WHERE type = 'view' AND sql LIKE 'CREATE VIEW %'", -1, &views, NULL);
  while (rc == SQLITE_OK && sqlite3_step(views) == SQLITE_ROW) {
    char *create = wprof_xasprintf("CREATE TEMP VIEW%s", (const char *)sqlite3_column_text(views, 0));
    rc = sqlite3_exec(db->sql, create, NULL, NULL, NULL);
    free(create);
  }
  if (rc != SQLITE_OK)
    set_error(db, "cannot set up the views: %s", sqlite3_errmsg(rc == SQLITE_OK ? db->sql : scratch));
  sqlite3_finalize(views);
  sqlite3_close(scratch);
  return rc == SQLITE_OK ? 0 : -1;
}

/* The invariant every walk of the call tree relies on (docs/schema.md): a
 * path's parent has a smaller id, so no chain of parents is a cycle. */
static int check_paths(struct wprof_db *db)
{
  int64_t bad = 0;
  if (query_int(db, "SELECT EXISTS (SELECT 1 FROM call_paths WHERE parent >= id)", &bad) != SQLITE_ROW)
    return -1;
  if (bad) {
    set_error(db, "not a wprof database (a call path's parent does not come before it)");
    return -1;
  }
  return 0;
}

struct wprof_db *wprof_db_open(const char *path, char *error, size_t size, int *exit_code)
{
  struct wprof_db *db = wprof_xcalloc(1, sizeof *db);
  db->path = path;
  *exit_code = WPROF_EXIT_NO_INPUT;
  FILE *probe = fopen(path, "rb");
  if (!probe) {
    snprintf(error, size, "cannot open: %s", strerror(errno));
    free(db);
    return NULL;
  }
  fclose(probe);
  /* One thread uses the connection: no mutexes. */
  if (sqlite3_open_v2(path, &db->sql, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
    set_error(db, "cannot open: %s", sqlite3_errmsg(db->sql));
  } else {
    *exit_code = WPROF_EXIT_DATA;
    /* as SQLite advises for files from elsewhere: no schema-borne side effects */
    sqlite3_db_config(db->sql, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
    sqlite3_db_config(db->sql, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
    sqlite3_limit(db->sql, SQLITE_LIMIT_ATTACHED, 0);
    sqlite3_limit(db->sql, SQLITE_LIMIT_LENGTH, 16 << 20); /* a spelled-out path or name: a clear error, not gigabytes */
    if (check_version(db) == 0 && install_views(db) == 0 && check_paths(db) == 0 && load_run(db) == 0) {
      *exit_code = WPROF_EXIT_OK;
      return db;
    }
  }
  snprintf(error, size, "%s", db->error);
  wprof_db_close(db);
  return NULL;
}

void wprof_db_close(struct wprof_db *db)
{
  if (!db)
    return;
  struct wprof_run *r = &db->run;
  char *strings[] = {r->module_path, r->module_hash, r->args, r->host, r->start_time, r->clock, r->status, r->trap,
                     r->timing};
  for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++)
    free(strings[i]);
  sqlite3_close(db->sql);
  free(db);
}

int wprof_db_require_calls(struct wprof_db *db)
{
  if (db->run.path_count > 0)
    return 0;
  set_error(db, "the run recorded no calls");
  return -1;
}

int wprof_db_require_trace(struct wprof_db *db)
{
  if (db->run.trace)
    return 0;
  set_error(db, "not recorded with --trace: there is no per-call data (run `wprof run --trace`)");
  return -1;
}

int wprof_db_require_instructions(struct wprof_db *db)
{
  if (db->run.counted)
    return 0;
  set_error(db, "no instruction counts in this profile (instrument the module with `wasm-instrument --cost`)");
  return -1;
}

void wprof_note(const char *cmd, const char *subject, int text, FILE *out, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  if (text) {
    fputs("Note: ", out);
    vfprintf(out, fmt, ap);
  } else {
    fprintf(stderr, "wprof %s: ", cmd);
    if (subject)
      fprintf(stderr, "%s: ", subject);
    fputs("note: ", stderr);
    vfprintf(stderr, fmt, ap);
  }
  va_end(ap);
  fputc('\n', text ? out : stderr);
}

void wprof_db_print_timing(const struct wprof_run *r, FILE *out)
{
  char interval[WPROF_UNIT_BUF], share[WPROF_UNIT_BUF];
  if (!r->sampled) {
    fputs(r->timed ? "exact (a clock read per call and return)" : "none (counts only)", out);
    return;
  }
  fprintf(out, "sampled, %lld samples, one per %s", (long long)r->samples,
          wprof_format_ns(interval, r->sample_interval_ns));
  if (r->probe_samples)
    fprintf(out, " (and %lld in the probes: %s of the run)", (long long)r->probe_samples,
            wprof_format_percent(share, (double)r->probe_samples, (double)(r->samples + r->probe_samples)));
}

void wprof_db_print_header(const struct wprof_db *db, const char *cmd, int text, FILE *out)
{
  const struct wprof_run *r = &db->run;
  char wall[WPROF_UNIT_BUF], traced[WPROF_UNIT_BUF];
  if (text) {
    fprintf(out, "Run: %s (%s, %s", r->module_path, r->host, r->status);
    if (r->has_exit_code)
      fprintf(out, ", exit code %lld", (long long)r->exit_code);
    fprintf(out, ")\nTotal: %s in %lld calls, %s wall\nTime: ", wprof_format_ns(traced, r->traced_ns),
            (long long)r->total_calls, wprof_format_ns(wall, r->duration_ns));
    wprof_db_print_timing(r, out);
    fputc('\n', out);
    if (r->counted)
      fprintf(out, "Instructions: %lld (exact)\n", (long long)r->instructions);
  }
  if (strcmp(r->status, "exited") != 0)
    wprof_note(cmd, db->path, text, out, "the run %s%s%s; %lld frames were closed without an exit", r->status,
               r->trap ? ": " : "", r->trap ? r->trap : "", (long long)r->unwound_frames);
  if (!r->timed)
    wprof_note(cmd, db->path, text, out, "recorded with --no-timing: all times are 0");
  if (r->sampled && r->samples < WPROF_FEW_SAMPLES)
    wprof_note(cmd, db->path, text, out,
               "only %lld samples: too few to rank functions by time (run longer or lower --sample-interval)",
               (long long)r->samples);
  if (r->lost_events)
    wprof_note(cmd, db->path, text, out, "%lld trace events were lost", (long long)r->lost_events);
  if (wprof_collapses_recursion(r))
    wprof_note(cmd, db->path, text, out,
               "the tree is %lld calls deep (over %d): stacks are drawn with direct recursion collapsed into one frame",
               (long long)r->max_depth, WPROF_COLLAPSE_DEPTH);
}
