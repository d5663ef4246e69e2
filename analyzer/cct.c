/* Loading the calling-context tree into memory (see cct.h). Ids in the
 * database need not be dense, so parents and functions are found in the
 * id-sorted arrays at the index their id would have if they were (the usual
 * case, one probe), else by binary search; a dangling reference is reported
 * as a corrupt database rather than trusted. */
#include "cct.h"

#include <stdlib.h>

#include "util.h"

static int32_t find_function(const struct wprof_cct *cct, int64_t fid)
{
  int64_t guess = cct->nfunctions > 0 ? fid - cct->functions[0].fid : -1;
  if (guess >= 0 && guess < cct->nfunctions && cct->functions[guess].fid == fid)
    return (int32_t)guess;
  int32_t lo = 0, hi = cct->nfunctions - 1;
  while (lo <= hi) {
    int32_t mid = lo + (hi - lo) / 2;
    if (cct->functions[mid].fid == fid)
      return mid;
    if (cct->functions[mid].fid < fid)
      lo = mid + 1;
    else
      hi = mid - 1;
  }
  return -1;
}

static int32_t find_path(const struct wprof_cct *cct, int32_t count, int64_t id)
{
  int64_t guess = count > 0 ? id - cct->paths[0].id : -1;
  if (guess >= 0 && guess < count && cct->paths[guess].id == id)
    return (int32_t)guess;
  int32_t lo = 0, hi = count - 1;
  while (lo <= hi) {
    int32_t mid = lo + (hi - lo) / 2;
    if (cct->paths[mid].id == id)
      return mid;
    if (cct->paths[mid].id < id)
      lo = mid + 1;
    else
      hi = mid - 1;
  }
  return -1;
}

static int load_functions(struct wprof_db *db, struct wprof_cct *cct)
{
  sqlite3_stmt *stmt = wprof_db_prepare(db, "SELECT fid, func_index, name, file, line FROM functions ORDER BY fid");
  if (!stmt)
    return -1;
  int32_t cap = 0;
  int rc;
  while ((rc = wprof_db_step(db, stmt)) == SQLITE_ROW) {
    if (cct->nfunctions == cap) {
      cap = cap ? 2 * cap : 256;
      cct->functions = wprof_xrealloc(cct->functions, sizeof *cct->functions * (size_t)cap);
    }
    cct->functions[cct->nfunctions++] = (struct wprof_cct_function){
        sqlite3_column_int64(stmt, 0), sqlite3_column_int64(stmt, 1), wprof_xstrdup(wprof_db_text(stmt, 2)),
        sqlite3_column_type(stmt, 3) == SQLITE_NULL ? NULL : wprof_xstrdup(wprof_db_text(stmt, 3)),
        sqlite3_column_int64(stmt, 4)};
  }
  sqlite3_finalize(stmt);
  return rc == SQLITE_DONE ? 0 : -1;
}

static int load_paths(struct wprof_db *db, struct wprof_cct *cct)
{
  sqlite3_stmt *stmt = wprof_db_prepare(
      db, "SELECT id, parent, fid, recursive, calls, incl_ns, self_ns, samples, incl_instructions, self_instructions"
          " FROM call_paths ORDER BY id");
  if (!stmt)
    return -1;
  cct->paths = wprof_xmalloc(sizeof *cct->paths * (size_t)(db->run.path_count + 1));
  int rc;
  while ((rc = wprof_db_step(db, stmt)) == SQLITE_ROW) {
    struct wprof_cct_path *p = &cct->paths[cct->npaths];
    if (cct->npaths >= db->run.path_count) {
      snprintf(db->error, sizeof db->error, "corrupt database: call_paths changed while read");
      rc = SQLITE_ERROR;
      break;
    }
    p->id = sqlite3_column_int64(stmt, 0);
    p->parent = -1;
    if (sqlite3_column_type(stmt, 1) != SQLITE_NULL) {
      p->parent = find_path(cct, cct->npaths, sqlite3_column_int64(stmt, 1));
      if (p->parent < 0) {
        snprintf(db->error, sizeof db->error, "corrupt database: call path %lld has no parent before it",
                 (long long)p->id);
        rc = SQLITE_ERROR;
        break;
      }
    }
    p->function = find_function(cct, sqlite3_column_int64(stmt, 2));
    if (p->function < 0) {
      snprintf(db->error, sizeof db->error, "corrupt database: call path %lld has an unknown fid", (long long)p->id);
      rc = SQLITE_ERROR;
      break;
    }
    p->depth = p->parent < 0 ? 1 : cct->paths[p->parent].depth + 1;
    p->recursive = sqlite3_column_int(stmt, 3);
    p->calls = sqlite3_column_int64(stmt, 4);
    p->incl_ns = sqlite3_column_int64(stmt, 5);
    p->self_ns = sqlite3_column_int64(stmt, 6);
    p->samples = sqlite3_column_int64(stmt, 7);
    p->incl_instructions = sqlite3_column_int64(stmt, 8);
    p->self_instructions = sqlite3_column_int64(stmt, 9);
    cct->npaths++;
  }
  sqlite3_finalize(stmt);
  return rc == SQLITE_DONE ? 0 : -1;
}

int wprof_cct_load(struct wprof_db *db, struct wprof_cct *cct)
{
  *cct = (struct wprof_cct){0};
  if (load_functions(db, cct) == 0 && load_paths(db, cct) == 0)
    return 0;
  wprof_cct_free(cct);
  return -1;
}

void wprof_cct_free(struct wprof_cct *cct)
{
  for (int32_t i = 0; i < cct->nfunctions; i++)
  {
    free(cct->functions[i].name);
    free(cct->functions[i].file);
  }
  free(cct->functions);
  free(cct->paths);
  *cct = (struct wprof_cct){0};
}

int32_t wprof_cct_find_path(const struct wprof_cct *cct, int64_t id)
{
  return find_path(cct, cct->npaths, id);
}

/* Open addressing on (parent node, function) -> node, for the merging. */
static uint64_t node_key(int32_t parent, int32_t function)
{
  return (uint64_t)(uint32_t)(parent + 1) << 32 | (uint32_t)function;
}

void wprof_drawn_tree_build(const struct wprof_cct *cct, int collapse_recursion, struct wprof_drawn_tree *out)
{
  size_t cap = 16;
  while (cap < 2 * (size_t)cct->npaths)
    cap *= 2;
  uint64_t *keys = wprof_xmalloc(sizeof *keys * cap);
  int32_t *slots = wprof_xmalloc(sizeof *slots * cap);
  for (size_t i = 0; i < cap; i++)
    slots[i] = -1;
  *out = (struct wprof_drawn_tree){wprof_xmalloc(sizeof *out->nodes * (size_t)(cct->npaths + 1)), 0,
                                   wprof_xmalloc(sizeof *out->node_of * (size_t)(cct->npaths + 1))};
  for (int32_t i = 0; i < cct->npaths; i++) {
    const struct wprof_cct_path *p = &cct->paths[i];
    int32_t parent = p->parent < 0 ? -1 : out->node_of[p->parent];
    int32_t node;
    if (collapse_recursion && parent >= 0 && out->nodes[parent].function == p->function) {
      node = parent; /* its time is already inside the parent's inclusive time */
    } else {
      uint64_t key = node_key(parent, p->function);
      size_t h = (size_t)((key * 0x9E3779B97F4A7C15u) >> 20) & (cap - 1);
      while (slots[h] >= 0 && keys[h] != key)
        h = (h + 1) & (cap - 1);
      if (slots[h] < 0) {
        keys[h] = key;
        slots[h] = out->nnodes;
        int root_path = p->parent < 0 && cct->functions[p->function].fid == -1;
        out->nodes[out->nnodes++] = (struct wprof_drawn_node){
            parent, p->function, parent < 0 ? (root_path ? 0 : 1) : out->nodes[parent].depth + 1, i, 0, 0, 0, 0, 0, 0};
      }
      node = slots[h];
      out->nodes[node].incl_ns += p->incl_ns;
      out->nodes[node].incl_instructions += p->incl_instructions;
    }
    out->node_of[i] = node;
    out->nodes[node].calls += p->calls;
    out->nodes[node].self_ns += p->self_ns;
    out->nodes[node].samples += p->samples;
    out->nodes[node].self_instructions += p->self_instructions;
  }
  free(keys);
  free(slots);
}

void wprof_drawn_tree_free(struct wprof_drawn_tree *tree)
{
  free(tree->nodes);
  free(tree->node_of);
  *tree = (struct wprof_drawn_tree){0};
}
