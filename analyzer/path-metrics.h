/* The values of a call path that a stack export is weighed by (`wprof export
 * --format folded|html --value NAME`, `wprof diff --flame-metric NAME`): one
 * table, path-metrics.c's `path_metrics`, says for each its name, the SQL
 * that reads it per path, its unit and when a run recorded it; everything
 * else (option parsing, help, the page's tooltips) is derived from it. */
#ifndef WPROF_ANALYZER_PATH_METRICS_H
#define WPROF_ANALYZER_PATH_METRICS_H

#include <stdint.h>

#include "cct.h"
#include "db.h"

struct wprof_path_metric {
  const char *name;     /* the option value */
  const char *sql;      /* the path's own value: p is its call_paths row, s its alloc_sites row (NULLs when none) */
  const char *unit;     /* "ns", "count" or "bytes" */
  const char *recorded; /* SQL on the run row, true when the run recorded this metric */
};

int wprof_path_metric_count(void);
const struct wprof_path_metric *wprof_path_metric(int index);
/* Index of the metric named name ("self", folded's first spelling of time,
 * is time), or -1. */
int wprof_path_metric_find(const char *name);
/* "time, calls, ...": the names, for help and errors; free it. */
char *wprof_path_metric_names(void);
/* Time when the run was timed, else instructions when counted, else calls. */
int wprof_path_metric_default(const struct wprof_run *run);

/* recorded[i] for each metric i: whether the run recorded it. Returns 0, or
 * -1 with the reason in db->error. */
int wprof_path_metrics_recorded(struct wprof_db *db, int *recorded);
/* Fails (-1, db->error saying what the run has instead) unless the run
 * recorded the metric. */
int wprof_path_metric_require(struct wprof_db *db, int metric);

/* The values of metrics[0..n-1] for each node of tree (drawn from cct, loaded
 * from db), summed over the node's paths: values[node * n + k] is metric
 * metrics[k]'s. Returns the array (free it), or NULL with db->error set. */
int64_t *wprof_path_metrics_load(struct wprof_db *db, const struct wprof_cct *cct, const struct wprof_drawn_tree *tree,
                                 const int *metrics, int n);

#endif
