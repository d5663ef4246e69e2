/* Internal interface between `wprof report`'s command line (report.c) and its
 * views (report-cpu.c, report-mem.c, report-info.c). A view fills a table and
 * optional summary lines; nothing is printed until the whole view succeeded,
 * so an error never leaves partial output. */
#ifndef WPROF_ANALYZER_REPORT_H
#define WPROF_ANALYZER_REPORT_H

#include <stdint.h>

#include "db.h"
#include "table.h"

enum report_sort { SORT_DEFAULT, SORT_FLAT, SORT_CUM, SORT_CALLS, SORT_NAME };
/* What top, tree and peek weigh functions and paths by (--metric). */
enum report_metric { METRIC_DEFAULT, METRIC_TIME, METRIC_INSTRUCTIONS };

struct report_options {
  const char *view;
  const char *function;     /* peek's FUNC glob */
  enum wprof_format format;
  enum report_sort sort;
  enum report_metric metric; /* top, tree, peek; never METRIC_DEFAULT once the database is open */
  int64_t limit;            /* 0: no limit */
  const char *focus, *ignore; /* globs, NULL when not given */
  double min_percent;
  int64_t depth;            /* 0: no limit */
  const char *sample;       /* allocs: alloc_space, alloc_objects, inuse_space, inuse_objects */
};

struct report_result {
  struct wprof_table *table;
  char *summary; /* text lines printed above the table, or NULL */
};

/* Each view returns 0, or -1 with the reason in db->error. */
int report_top(struct wprof_db *db, const struct report_options *o, struct report_result *out);
int report_tree(struct wprof_db *db, const struct report_options *o, struct report_result *out);
int report_peek(struct wprof_db *db, const struct report_options *o, struct report_result *out);
int report_calls(struct wprof_db *db, const struct report_options *o, struct report_result *out);
int report_allocs(struct wprof_db *db, const struct report_options *o, struct report_result *out);
int report_leaks(struct wprof_db *db, const struct report_options *o, struct report_result *out);
int report_peak(struct wprof_db *db, const struct report_options *o, struct report_result *out);
int report_info(struct wprof_db *db, const struct report_options *o, struct report_result *out);

/* SQL common table expressions naming the call paths listed in a CTE
 * `wanted(path_id)` that the query defines first: yields `paths(id, path)`
 * with paths spelled like the path_names view ('main;compute;fib'), walking
 * up from the wanted paths only instead of down the whole tree. In a tree
 * deeper than WPROF_COLLAPSE_DEPTH (db.h), direct recursion is spelled
 * once ('main;fib;malloc'), so that a path's name stays short. */
#define REPORT_SQL_WANTED_PATHS                                                                     \
  "up(start, parent, path, top) AS ("                                                               \
  " SELECT p.id, p.parent, f.name, p.fid FROM (SELECT DISTINCT path_id FROM wanted) w"              \
  " JOIN call_paths p ON p.id = w.path_id JOIN functions f ON f.fid = p.fid"                        \
  " UNION ALL"                                                                                      \
  " SELECT up.start, p.parent,"                                                                     \
  "  CASE WHEN p.fid = up.top AND (SELECT MAX(depth) FROM call_paths) > " WPROF_COLLAPSE_DEPTH_TEXT \
  "   THEN up.path ELSE f.name || ';' || up.path END, p.fid FROM up"                                \
  " JOIN call_paths p ON p.id = up.parent JOIN functions f ON f.fid = p.fid),"                      \
  " paths(id, path) AS (SELECT start, path FROM up WHERE parent IS NULL)"

/* Binds the limit (-1 for none) of a LIMIT ? clause. */
int64_t report_sql_limit(const struct report_options *o);

/* Prepares sql (malloc'ed, freed here) with ?1 bound to --focus and ?2 to
 * --ignore (NULL when not given); NULL when it cannot be prepared. */
sqlite3_stmt *report_prepare_filtered(struct wprof_db *db, char *sql, const struct report_options *o);

#endif
