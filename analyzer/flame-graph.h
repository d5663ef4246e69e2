/* Interactive flame graph pages (one self-contained HTML file each):
 * `wprof export --format html` (export_html, in export.h) and the
 * differential flame graph of `wprof diff --flame FILE`. */
#ifndef WPROF_ANALYZER_FLAME_GRAPH_H
#define WPROF_ANALYZER_FLAME_GRAPH_H

#include <stdio.h>

#include "db.h"

/* A differential flame graph: new's frames, matched to base's by their
 * function names from the root, coloured by the change of metric (an index
 * of path-metrics.h, recorded in both runs). */
struct wprof_flame_diff {
  struct wprof_db *base, *new;
  int metric;
};

/* Writes the page of a struct wprof_flame_diff (an output.h writer): returns
 * 0, or WPROF_EXIT_USAGE after printing "wprof diff: FILE: reason". */
int wprof_flame_diff_write(void *flame_diff, FILE *out);

#endif
