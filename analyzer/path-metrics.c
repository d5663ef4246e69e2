/* The metrics of a call path (see path-metrics.h). To add one, add its row to
 * path_metrics: folded stacks, the flame graph pages and their help follow. */
#include "path-metrics.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

static const struct wprof_path_metric path_metrics[] = {
    /* name            the path's value       unit     recorded when (on run) */
    {"time",           "p.self_ns",           "ns",    "timing <> 'none'"},
    {"calls",          "p.calls",             "count", "1"},
    {"samples",        "p.samples",           "count", "timing = 'sampled'"},
    {"instructions",   "p.self_instructions", "count", "instructions IS NOT NULL"},
    {"alloc_objects",  "s.alloc_objects",     "count", "1"},
    {"alloc_bytes",    "s.alloc_bytes",       "bytes", "1"},
    {"inuse_objects",  "s.live_objects",      "count", "1"},
    {"inuse_bytes",    "s.live_bytes",        "bytes", "1"},
};
enum { NMETRICS = sizeof path_metrics / sizeof path_metrics[0] };

int wprof_path_metric_count(void) { return NMETRICS; }

const struct wprof_path_metric *wprof_path_metric(int index) { return &path_metrics[index]; }

int wprof_path_metric_find(const char *name)
{
  if (strcmp(name, "self") == 0)
    name = "time";
  for (int i = 0; i < NMETRICS; i++)
    if (strcmp(path_metrics[i].name, name) == 0)
      return i;
  return -1;
}

/* The names of the metrics with recorded[i] set (all when recorded is NULL). */
static char *names_of(const int *recorded)
{
  char *names = wprof_xstrdup("");
  for (int i = 0; i < NMETRICS; i++) {
    if (recorded && !recorded[i])
      continue;
    char *more = wprof_xasprintf("%s%s%s", names, *names ? ", " : "", path_metrics[i].name);
    free(names);
    names = more;
  }
  return names;
}

char *wprof_path_metric_names(void) { return names_of(NULL); }

int wprof_path_metric_default(const struct wprof_run *run)
{
  return wprof_path_metric_find(run->timed ? "time" : wprof_prefers_instructions(run) ? "instructions" : "calls");
}

int wprof_path_metrics_recorded(struct wprof_db *db, int *recorded)
{
  char *sql = wprof_xstrdup("SELECT");
  for (int i = 0; i < NMETRICS; i++) {
    char *more = wprof_xasprintf("%s%s (%s)", sql, i ? "," : "", path_metrics[i].recorded);
    free(sql);
    sql = more;
  }
  char *from_run = wprof_xasprintf("%s FROM run", sql);
  sqlite3_stmt *stmt = wprof_db_prepare(db, from_run);
  free(sql);
  free(from_run);
  if (!stmt)
    return -1;
  int rc = wprof_db_step(db, stmt);
  for (int i = 0; rc == SQLITE_ROW && i < NMETRICS; i++)
    recorded[i] = sqlite3_column_int(stmt, i) != 0;
  sqlite3_finalize(stmt);
  if (rc == SQLITE_DONE)
    snprintf(db->error, sizeof db->error, "not a wprof database (no run row)");
  return rc == SQLITE_ROW ? 0 : -1;
}

int wprof_path_metric_require(struct wprof_db *db, int metric)
{
  int recorded[NMETRICS];
  if (wprof_path_metrics_recorded(db, recorded))
    return -1;
  if (recorded[metric])
    return 0;
  if (strcmp(path_metrics[metric].name, "instructions") == 0)
    return wprof_db_require_instructions(db); /* its reason names the fix */
  char *names = names_of(recorded);
  snprintf(db->error, sizeof db->error, "no %s in this profile (timing %s): it has %s", path_metrics[metric].name,
           db->run.timing, names);
  free(names);
  return -1;
}

int64_t *wprof_path_metrics_load(struct wprof_db *db, const struct wprof_cct *cct, const struct wprof_drawn_tree *tree,
                                 const int *metrics, int n)
{
  char *columns = wprof_xstrdup("p.id");
  for (int k = 0; k < n; k++) {
    char *more = wprof_xasprintf("%s, COALESCE(%s, 0)", columns, path_metrics[metrics[k]].sql);
    free(columns);
    columns = more;
  }
  char *sql = wprof_xasprintf("SELECT %s FROM call_paths p LEFT JOIN alloc_sites s ON s.path_id = p.id ORDER BY p.id",
                              columns);
  free(columns);
  sqlite3_stmt *stmt = wprof_db_prepare(db, sql);
  free(sql);
  if (!stmt)
    return NULL;
  int64_t *values = wprof_xcalloc((size_t)tree->nnodes * (size_t)n + 1, sizeof *values);
  int32_t path = 0;
  int rc;
  while ((rc = wprof_db_step(db, stmt)) == SQLITE_ROW) {
    /* the paths as loaded into cct, in the same order */
    if (path >= cct->npaths || sqlite3_column_int64(stmt, 0) != cct->paths[path].id) {
      snprintf(db->error, sizeof db->error, "corrupt database: call_paths changed while read");
      rc = SQLITE_ERROR;
      break;
    }
    int64_t *node = &values[(size_t)tree->node_of[path] * (size_t)n];
    for (int k = 0; k < n; k++)
      node[k] += sqlite3_column_int64(stmt, 1 + k);
    path++;
  }
  sqlite3_finalize(stmt);
  if (rc == SQLITE_DONE && path == cct->npaths)
    return values;
  if (rc == SQLITE_DONE)
    snprintf(db->error, sizeof db->error, "corrupt database: call_paths changed while read");
  free(values);
  return NULL;
}
