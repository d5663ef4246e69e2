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
  char *file;   /* its source file (functions.file), or NULL when unknown */
  int64_t line; /* functions.line, or 0 when unknown */
};

struct wprof_cct_path {
  int64_t id;
  int32_t parent;   /* index in paths, -1 for a root */
  int32_t function; /* index in functions */
  int32_t depth;
  int recursive;
  int64_t calls, incl_ns, self_ns, samples; /* samples: 0 unless the run was sampled */
  int64_t incl_instructions, self_instructions; /* 0 unless the module counted (wasm-instrument --cost) */
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

/* The tree as drawn (report tree, folded stacks): one node per path, or,
 * with direct recursion collapsed, a path whose function is its parent's
 * merged into its parent's node, and the paths then under one node with the
 * same function merged into one node. Nodes in creation order (parents
 * first). Counters add up (calls, self_ns, samples, self_instructions;
 * incl_ns and incl_instructions over paths that do not nest). Depth 0 for the '(root)' path, 1 for the roots. */
struct wprof_drawn_node {
  int32_t parent;    /* index in nodes, -1 for a root */
  int32_t function;  /* index in cct->functions */
  int32_t depth;
  int32_t first_path; /* index in cct->paths of the first path merged here */
  int64_t calls, incl_ns, self_ns, samples;
  int64_t incl_instructions, self_instructions;
};

struct wprof_drawn_tree {
  struct wprof_drawn_node *nodes;
  int32_t nnodes;
  int32_t *node_of;  /* node_of[path index] */
};

void wprof_drawn_tree_build(const struct wprof_cct *cct, int collapse_recursion, struct wprof_drawn_tree *out);
void wprof_drawn_tree_free(struct wprof_drawn_tree *tree);


#endif
