/* `wprof report prof.db info`: the run row as key/value pairs (module, hash,
 * arguments, clock, duration, status or trap, counters), plus the sizes of
 * the profile's tables. Works on every valid database, even an empty run. */
#include <stdlib.h>

#include "report.h"
#include "util.h"

static void info_text(struct wprof_table *t, const char *key, const char *value)
{
  wprof_table_row(t);
  wprof_table_string(t, key);
  if (value)
    wprof_table_string(t, value);
  else
    wprof_table_null(t);
}

static void info_int(struct wprof_table *t, const char *key, int64_t value)
{
  wprof_table_row(t);
  wprof_table_string(t, key);
  wprof_table_int(t, value);
}

static void info_ns(struct wprof_table *t, const char *key, int64_t value)
{
  wprof_table_row(t);
  wprof_table_string(t, key);
  wprof_table_ns(t, value);
}

static void info_bytes(struct wprof_table *t, const char *key, int64_t value)
{
  wprof_table_row(t);
  wprof_table_string(t, key);
  wprof_table_bytes(t, value);
}

static int count_rows(struct wprof_db *db, const char *sql, int64_t *out)
{
  sqlite3_stmt *stmt = wprof_db_prepare(db, sql);
  if (!stmt)
    return -1;
  int rc = wprof_db_step(db, stmt);
  *out = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  return rc == SQLITE_ROW ? 0 : -1;
}

int report_info(struct wprof_db *db, const struct report_options *o, struct report_result *out)
{
  (void)o;
  const struct wprof_run *r = &db->run;
  int64_t functions, sites, calls, events;
  if (count_rows(db, "SELECT COUNT(*) FROM functions", &functions) ||
      count_rows(db, "SELECT COUNT(*) FROM alloc_sites", &sites) ||
      count_rows(db, "SELECT COUNT(*) FROM calls", &calls) ||
      count_rows(db, "SELECT COUNT(*) FROM alloc_events", &events))
    return -1;
  struct wprof_table *t = out->table = wprof_table_new();
  wprof_table_column(t, "key", "key", WPROF_ALIGN_LEFT, WPROF_SHOWN_BOTH);
  wprof_table_column(t, "value", "value", WPROF_ALIGN_LEFT, WPROF_SHOWN_BOTH);
  info_text(t, "module_path", r->module_path);
  info_text(t, "module_hash", r->module_hash);
  info_bytes(t, "module_size", r->module_size);
  info_int(t, "instrumented", r->instrumented);
  info_text(t, "args", r->args);
  info_text(t, "host", r->host);
  info_text(t, "start_time", r->start_time);
  info_ns(t, "duration_ns", r->duration_ns);
  info_text(t, "clock", r->clock);
  if (r->has_ticks_per_sec) {
    char *ticks = wprof_xasprintf("%.0f", r->clock_ticks_per_sec);
    info_text(t, "clock_ticks_per_sec", ticks);
    free(ticks);
  } else {
    info_text(t, "clock_ticks_per_sec", NULL);
  }
  info_text(t, "timing", r->timing);
  if (r->sampled) {
    info_ns(t, "sample_interval_ns", r->sample_interval_ns);
    info_int(t, "samples", r->samples);
    info_int(t, "probe_samples", r->probe_samples);
  }
  if (r->counted)
    info_int(t, "instructions", r->instructions);
  else
    info_text(t, "instructions", NULL);
  info_int(t, "trace", r->trace);
  info_text(t, "status", r->status);
  if (r->has_exit_code)
    info_int(t, "exit_code", r->exit_code);
  else
    info_text(t, "exit_code", NULL);
  info_text(t, "trap", r->trap);
  info_int(t, "total_calls", r->total_calls);
  info_int(t, "total_exits", r->total_exits);
  info_int(t, "unwound_frames", r->unwound_frames);
  info_int(t, "lost_events", r->lost_events);
  info_ns(t, "traced_ns", r->traced_ns);
  info_bytes(t, "peak_live_bytes", r->peak_live_bytes);
  info_int(t, "peak_live_objects", r->peak_live_objects);
  info_ns(t, "peak_time_ns", r->peak_time_ns);
  info_int(t, "unknown_frees", r->unknown_frees);
  info_int(t, "double_frees", r->double_frees);
  info_int(t, "functions", functions);
  info_int(t, "call_paths", r->path_count);
  info_int(t, "alloc_sites", sites);
  info_int(t, "trace_calls", calls);
  info_int(t, "trace_alloc_events", events);
  return 0;
}
