/* Allocation views of `wprof report`: allocs (sites by bytes or objects
 * allocated or still live), leaks (live at exit) and peak (live at the heap's
 * peak). All three are one query over alloc_sites with the site's call path
 * spelled like the path_names view; they differ only in the columns shown,
 * the row filter and the sort column, described by a struct site_view. */
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "units.h"
#include "util.h"

struct site_column {
  const char *column; /* alloc_sites column (also the CSV/JSON key) */
  const char *title;
  int bytes;          /* shown as a size, else as a count */
};

struct site_view {
  const char *sort;   /* alloc_sites column sorted on, descending; percentages are of its total */
  const char *filter; /* rows with this column > 0 only */
  const struct site_column *columns;
  int ncolumns;
};

static const struct site_column all_columns[] = {{"alloc_objects", "alloc objects", 0},
                                                 {"alloc_bytes", "alloc space", 1},
                                                 {"live_objects", "inuse objects", 0},
                                                 {"live_bytes", "inuse space", 1}};
static const struct site_column leak_columns[] = {{"live_bytes", "live space", 1}, {"live_objects", "live objects", 0}};
static const struct site_column peak_columns[] = {{"peak_bytes", "peak space", 1}, {"peak_objects", "peak objects", 0}};

/* Runs a query returning one row of two integers. */
static int query_pair(struct wprof_db *db, const char *sql, int64_t *a, int64_t *b)
{
  sqlite3_stmt *stmt = wprof_db_prepare(db, sql);
  if (!stmt)
    return -1;
  int rc = wprof_db_step(db, stmt);
  if (rc == SQLITE_ROW) {
    *a = sqlite3_column_int64(stmt, 0);
    *b = sqlite3_column_int64(stmt, 1);
  }
  sqlite3_finalize(stmt);
  return rc == SQLITE_ROW ? 0 : -1;
}

/* Fills out->table; *total is the sum of the sort column over all sites
 * passing the filter, *sites their number. */
static int site_table(struct wprof_db *db, const struct report_options *o, const struct site_view *v,
                      struct report_result *out, int64_t *total, int64_t *sites)
{
  char *sql = wprof_xasprintf("SELECT COALESCE(SUM(%s), 0), COUNT(*) FROM alloc_sites WHERE %s > 0", v->sort,
                              v->filter);
  int failed = query_pair(db, sql, total, sites);
  free(sql);
  if (failed)
    return -1;

  char *columns = wprof_xstrdup("");
  for (int i = 0; i < v->ncolumns; i++) {
    char *more = wprof_xasprintf("%s, s.%s", columns, v->columns[i].column);
    free(columns);
    columns = more;
  }
  sql = wprof_xasprintf("WITH RECURSIVE wanted(path_id) AS (SELECT path_id FROM alloc_sites WHERE %s > 0), "
                        REPORT_SQL_WANTED_PATHS
                        " SELECT s.path_id, paths.path, s.%s%s FROM alloc_sites s JOIN paths ON paths.id = s.path_id"
                        " WHERE s.%s > 0 AND (?1 IS NULL OR paths.path GLOB ?1)"
                        " AND (?2 IS NULL OR paths.path NOT GLOB ?2)"
                        " ORDER BY s.%s DESC, s.path_id LIMIT ?3",
                        v->filter, v->sort, columns, v->filter, v->sort);
  free(columns);
  sqlite3_stmt *stmt = report_prepare_filtered(db, sql, o);
  if (!stmt)
    return -1;
  sqlite3_bind_int64(stmt, 3, report_sql_limit(o));

  struct wprof_table *t = wprof_table_new();
  for (int i = 0; i < v->ncolumns; i++) {
    wprof_table_column(t, v->columns[i].column, v->columns[i].title, WPROF_ALIGN_RIGHT, WPROF_SHOWN_BOTH);
    if (strcmp(v->columns[i].column, v->sort) == 0)
      wprof_table_column(t, "%", "%", WPROF_ALIGN_RIGHT, WPROF_SHOWN_TEXT);
  }
  wprof_table_column(t, "path", "call path", WPROF_ALIGN_LEFT, WPROF_SHOWN_BOTH);
  wprof_table_column(t, "path_id", "path id", WPROF_ALIGN_RIGHT, WPROF_SHOWN_DATA);
  char pct[WPROF_UNIT_BUF];
  int rc;
  while ((rc = wprof_db_step(db, stmt)) == SQLITE_ROW) {
    wprof_table_row(t);
    for (int i = 0; i < v->ncolumns; i++) {
      int64_t value = sqlite3_column_int64(stmt, 3 + i);
      if (v->columns[i].bytes)
        wprof_table_bytes(t, value);
      else
        wprof_table_int(t, value);
      if (strcmp(v->columns[i].column, v->sort) == 0)
        wprof_table_textf(t, "%s", wprof_format_percent(pct, (double)value, (double)*total));
    }
    wprof_table_string(t, wprof_db_text(stmt, 1));
    wprof_table_int(t, sqlite3_column_int64(stmt, 0));
  }
  sqlite3_finalize(stmt);
  out->table = t;
  return rc == SQLITE_DONE ? 0 : -1;
}

/* The alloc_sites column of a --sample name. */
static const char *sample_column(const char *sample)
{
  static const char *const pairs[][2] = {{"alloc_space", "alloc_bytes"},
                                         {"alloc_objects", "alloc_objects"},
                                         {"inuse_space", "live_bytes"},
                                         {"inuse_objects", "live_objects"}};
  for (int i = 0; i < 4; i++)
    if (strcmp(sample, pairs[i][0]) == 0)
      return pairs[i][1];
  return "alloc_bytes";
}

int report_allocs(struct wprof_db *db, const struct report_options *o, struct report_result *out)
{
  const char *column = sample_column(o->sample);
  struct site_view v = {column, column, all_columns, 4};
  int64_t total, sites;
  if (site_table(db, o, &v, out, &total, &sites))
    return -1;
  char amount[WPROF_UNIT_BUF];
  if (strstr(column, "bytes"))
    wprof_format_bytes(amount, total);
  else
    snprintf(amount, sizeof amount, "%lld objects", (long long)total);
  out->summary = wprof_xasprintf("Total %s: %s from %lld sites\nShowing %d sites, sorted by %s\n", o->sample, amount,
                                 (long long)sites, wprof_table_rows(out->table), o->sample);
  return 0;
}

int report_leaks(struct wprof_db *db, const struct report_options *o, struct report_result *out)
{
  struct site_view v = {"live_bytes", "live_objects", leak_columns, 2};
  int64_t total, sites, objects, unused;
  if (site_table(db, o, &v, out, &total, &sites) ||
      query_pair(db, "SELECT COALESCE(SUM(live_objects), 0), 0 FROM alloc_sites", &objects, &unused))
    return -1;
  char amount[WPROF_UNIT_BUF];
  out->summary = wprof_xasprintf("Live at exit: %s in %lld objects from %lld sites\n"
                                 "Unknown frees: %lld, double frees: %lld\n",
                                 wprof_format_bytes(amount, total), (long long)objects, (long long)sites,
                                 (long long)db->run.unknown_frees, (long long)db->run.double_frees);
  return 0;
}

int report_peak(struct wprof_db *db, const struct report_options *o, struct report_result *out)
{
  struct site_view v = {"peak_bytes", "peak_objects", peak_columns, 2};
  int64_t total, sites;
  if (site_table(db, o, &v, out, &total, &sites))
    return -1;
  char amount[WPROF_UNIT_BUF], when[WPROF_UNIT_BUF];
  out->summary = wprof_xasprintf("Heap peak: %s in %lld objects, %s into the run, from %lld sites\n",
                                 wprof_format_bytes(amount, db->run.peak_live_bytes),
                                 (long long)db->run.peak_live_objects, wprof_format_ns(when, db->run.peak_time_ns),
                                 (long long)sites);
  return 0;
}
