/* Internal interface between `wprof export`'s command line (export.c) and
 * its writers (export-*.c). A writer gets an open temporary file; export.c
 * renames it to the requested name only when the writer succeeded. */
#ifndef WPROF_ANALYZER_EXPORT_H
#define WPROF_ANALYZER_EXPORT_H

#include <stdio.h>

#include "db.h"

struct export_options {
  int heap;                 /* pprof: heap profile instead of calls/time */
  const char *sample_index; /* pprof: default sample type, NULL for the writer's default */
  int value;                /* folded, html: the metric (path-metrics.h) the stacks are weighed by */
  int64_t from_ns, to_ns;   /* chrome: only calls overlapping [from, to] (to < 0: no end) */
};

/* Each writer returns 0, or -1 with the reason in db->error. */
int export_pprof(struct wprof_db *db, const struct export_options *o, FILE *out);
int export_callgrind(struct wprof_db *db, const struct export_options *o, FILE *out);
int export_chrome(struct wprof_db *db, const struct export_options *o, FILE *out);
int export_folded(struct wprof_db *db, const struct export_options *o, FILE *out);
int export_html(struct wprof_db *db, const struct export_options *o, FILE *out); /* flame-graph.c */

/* pprof sample types; exposed for option checking. Returns 1 if name is one
 * of the heap sample types, 0 if one of the CPU ones, -1 otherwise. */
int export_pprof_sample_kind(const char *name);

#endif
