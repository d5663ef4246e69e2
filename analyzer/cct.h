/* The calling-context tree of a profile loaded into memory, for the exporters
 * that walk it (pprof, callgrind, folded): paths in id order (parents before
 * children), each with its parent's index, its function's index, and its
 * counters; functions in fid order. */
#ifndef WPROF_ANALYZER_CCT_H
#define WPROF_ANALYZER_CCT_H

#include <stdint.h>

#include "db.h"

struct wprof_cct_function {
  int64_t fid, func_index;
  char *name;
};

struct wprof_cct_path {
  int64_t id;
  int32_t parent;   /* index in paths, -1 for a root */
  int32_t function; /* index in functions */
  int32_t depth;
  int recursive;
  int64_t calls, incl_ns, self_ns, samples; /* samples: 0 unless the run was sampled */
};

struct wprof_cct {
  struct wprof_cct_function *functions;
  int32_t nfunctions;
  struct wprof_cct_path *paths;
  int32_t npaths;
};

/* Loads the tree; returns 0, or -1 with the reason in db->error. */
int wprof_cct_load(struct wprof_db *db, struct wprof_cct *cct);
void wprof_cct_free(struct wprof_cct *cct);
/* Index of the path with this id, or -1. */
int32_t wprof_cct_find_path(const struct wprof_cct *cct, int64_t id);

#endif
