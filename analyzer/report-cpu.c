/* Time views of `wprof report`: top (flat profile), tree (calling-context
 * tree), peek (callers and callees of a function) and calls (slowest single
 * calls of a --trace run). Top, tree and peek weigh by time or, with
 * --metric instructions, by the exact instruction counts of --cost. Each is one SQL query over the schema's tables and
 * views, so docs/queries.md can give the same numbers in the sqlite3 shell.
 * Inclusive times count outermost activations only (`recursive = 0`), which
 * keeps them right under recursion and mutual recursion. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cct.h"
#include "report.h"
#include "units.h"
#include "util.h"

static char *calls_text(int64_t calls, int64_t primitive)
{
  return calls == primitive ? wprof_xasprintf("%lld", (long long)calls)
                            : wprof_xasprintf("%lld/%lld", (long long)calls, (long long)primitive);
}

/* The metric top, tree and peek weigh by: its self and inclusive columns (in
 * flat_profile and call_paths, which name them alike), their total (the
 * 100% of the percentages), and how a value is printed. */
struct weight {
  const char *self, *incl;
  double total;
  int instructions;
};

static struct weight weight_of(const struct wprof_db *db, const struct report_options *o)
{
  if (o->metric == METRIC_INSTRUCTIONS)
    return (struct weight){"self_instructions", "incl_instructions", (double)db->run.instructions, 1};
  return (struct weight){"self_ns", "incl_ns", (double)db->run.traced_ns, 0};
}

static void weight_cell(struct wprof_table *t, const struct weight *w, int64_t v)
{
  if (w->instructions)
    wprof_table_int(t, v);
  else
    wprof_table_ns(t, v);
}

static const char *const sort_names[] = {[SORT_FLAT] = "flat", [SORT_CUM] = "cum", [SORT_CALLS] = "calls",
                                          [SORT_NAME] = "name"};

int report_top(struct wprof_db *db, const struct report_options *o, struct report_result *out)
{
  struct weight w = weight_of(db, o);
  const char *order = o->sort == SORT_FLAT ? w.self : o->sort == SORT_CUM ? w.incl : o->sort == SORT_CALLS ? "calls" : NULL;
  char *sql = wprof_xasprintf("SELECT p.fid, p.name, calls, COALESCE(primitive_calls, 0), %s, %s, f.file, f.line"
                              " FROM flat_profile p JOIN functions f USING (fid)"
                              " WHERE (?1 IS NULL OR p.name GLOB ?1) AND (?2 IS NULL OR p.name NOT GLOB ?2)"
                              " ORDER BY %s%s p.name, p.fid",
                              w.self, w.incl, order ? order : "", order ? " DESC," : "");
  sqlite3_stmt *stmt = report_prepare_filtered(db, sql, o);
  if (!stmt)
    return -1;

  struct wprof_table *t = wprof_table_new();
  wprof_table_column(t, w.self, "flat", WPROF_ALIGN_RIGHT, WPROF_SHOWN_BOTH);
  wprof_table_column(t, "flat%", "flat%", WPROF_ALIGN_RIGHT, WPROF_SHOWN_TEXT);
  wprof_table_column(t, "sum%", "sum%", WPROF_ALIGN_RIGHT, WPROF_SHOWN_TEXT);
  wprof_table_column(t, w.incl, "cum", WPROF_ALIGN_RIGHT, WPROF_SHOWN_BOTH);
  wprof_table_column(t, "cum%", "cum%", WPROF_ALIGN_RIGHT, WPROF_SHOWN_TEXT);
  wprof_table_column(t, "calls", "calls", WPROF_ALIGN_RIGHT, WPROF_SHOWN_TEXT);
  wprof_table_column(t, "calls", "calls", WPROF_ALIGN_RIGHT, WPROF_SHOWN_DATA);
  wprof_table_column(t, "primitive_calls", "primitive", WPROF_ALIGN_RIGHT, WPROF_SHOWN_DATA);
  wprof_table_column(t, "name", "function", WPROF_ALIGN_LEFT, WPROF_SHOWN_BOTH);
  wprof_table_column(t, "fid", "fid", WPROF_ALIGN_RIGHT, WPROF_SHOWN_DATA);
  /* only profiles whose module had DWARF (the wprof.sources section) */
  int located = db->run.located;
  if (located) {
    wprof_table_column(t, "source", "source", WPROF_ALIGN_LEFT, WPROF_SHOWN_TEXT);
    wprof_table_column(t, "file", "file", WPROF_ALIGN_LEFT, WPROF_SHOWN_DATA);
    wprof_table_column(t, "line", "line", WPROF_ALIGN_RIGHT, WPROF_SHOWN_DATA);
  }

  double total = w.total, running = 0;
  int64_t matched = 0;
  char pct[WPROF_UNIT_BUF];
  int rc;
  while ((rc = wprof_db_step(db, stmt)) == SQLITE_ROW) {
    if (o->limit > 0 && matched++ >= o->limit)
      continue;
    int64_t calls = sqlite3_column_int64(stmt, 2), primitive = sqlite3_column_int64(stmt, 3);
    int64_t self = sqlite3_column_int64(stmt, 4), incl = sqlite3_column_int64(stmt, 5);
    running += (double)self;
    wprof_table_row(t);
    weight_cell(t, &w, self);
    wprof_table_textf(t, "%s", wprof_format_percent(pct, (double)self, total));
    wprof_table_textf(t, "%s", wprof_format_percent(pct, running, total));
    weight_cell(t, &w, incl);
    wprof_table_textf(t, "%s", wprof_format_percent(pct, (double)incl, total));
    char *ct = calls_text(calls, primitive);
    wprof_table_textf(t, "%s", ct);
    free(ct);
    wprof_table_int(t, calls);
    wprof_table_int(t, primitive);
    wprof_table_string(t, wprof_db_text(stmt, 1));
    wprof_table_int(t, sqlite3_column_int64(stmt, 0));
    if (located && sqlite3_column_type(stmt, 7) != SQLITE_NULL) {
      wprof_table_textf(t, "%s:%lld", wprof_db_text(stmt, 6), (long long)sqlite3_column_int64(stmt, 7));
      wprof_table_string(t, wprof_db_text(stmt, 6));
      wprof_table_int(t, sqlite3_column_int64(stmt, 7));
    } else if (located) {
      for (int i = 0; i < 3; i++)
        wprof_table_null(t);
    }
  }
  sqlite3_finalize(stmt);
  if (o->limit <= 0)
    matched = wprof_table_rows(t);
  out->table = t;
  if (rc != SQLITE_DONE)
    return -1;
  out->summary = wprof_xasprintf("Showing %d of %lld functions, sorted by %s\n", wprof_table_rows(t),
                                 (long long)matched, sort_names[o->sort]);
  return 0;
}

static int64_t node_incl(const struct wprof_drawn_node *d, const struct weight *w)
{
  return w->instructions ? d->incl_instructions : d->incl_ns;
}

/* Siblings in the order the tree shows them: most inclusive time (or
 * instructions) first. */
static const struct wprof_drawn_node *sort_nodes;
static const struct weight *sort_weight;
static int by_rank(const void *a, const void *b)
{
  const struct wprof_drawn_node *x = &sort_nodes[*(const int32_t *)a], *y = &sort_nodes[*(const int32_t *)b];
  int64_t xi = node_incl(x, sort_weight), yi = node_incl(y, sort_weight);
  if (xi != yi)
    return xi > yi ? -1 : 1;
  if (x->calls != y->calls)
    return x->calls > y->calls ? -1 : 1;
  return (x->first_path > y->first_path) - (x->first_path < y->first_path);
}

/* The tree walked in C, depth first, in time and space proportional to the
 * number of paths (a recursive query building sort keys was quadratic in the
 * depth). Deeper than WPROF_COLLAPSE_DEPTH (db.h), direct recursion is collapsed. */
int report_tree(struct wprof_db *db, const struct report_options *o, struct report_result *out)
{
  struct weight w = weight_of(db, o);
  struct wprof_cct cct;
  if (wprof_cct_load(db, &cct))
    return -1;
  struct wprof_drawn_tree tree;
  wprof_drawn_tree_build(&cct, wprof_collapses_recursion(&db->run), &tree);
  int32_t n = tree.nnodes;
  /* children of each node (index n: the roots), shown ones only, ranked */
  int32_t *first = wprof_xcalloc((size_t)n + 2, sizeof *first), *kids = wprof_xmalloc(sizeof *kids * (size_t)(n + 1));
  int32_t *stack = wprof_xmalloc(sizeof *stack * (size_t)(n + 1));
  for (int32_t i = 0; i < n; i++) {
    const struct wprof_drawn_node *d = &tree.nodes[i];
    int shown = (double)node_incl(d, &w) * 100.0 >= o->min_percent * w.total && (o->depth <= 0 || d->depth <= o->depth);
    if (shown)
      first[(d->parent < 0 ? n : d->parent) + 1]++;
  }
  for (int32_t i = 0; i <= n; i++)
    first[i + 1] += first[i];
  int32_t *fill = wprof_xmalloc(sizeof *fill * (size_t)(n + 1));
  memcpy(fill, first, sizeof *fill * (size_t)(n + 1));
  for (int32_t i = 0; i < n; i++) {
    const struct wprof_drawn_node *d = &tree.nodes[i];
    if ((double)node_incl(d, &w) * 100.0 >= o->min_percent * w.total && (o->depth <= 0 || d->depth <= o->depth))
      kids[fill[d->parent < 0 ? n : d->parent]++] = i;
  }
  free(fill);
  sort_nodes = tree.nodes;
  sort_weight = &w;
  for (int32_t i = 0; i <= n; i++)
    qsort(kids + first[i], (size_t)(first[i + 1] - first[i]), sizeof *kids, by_rank);

  struct wprof_table *t = wprof_table_new();
  wprof_table_column(t, "calls", "calls", WPROF_ALIGN_RIGHT, WPROF_SHOWN_BOTH);
  wprof_table_column(t, w.incl, "cum", WPROF_ALIGN_RIGHT, WPROF_SHOWN_BOTH);
  wprof_table_column(t, "cum%", "cum%", WPROF_ALIGN_RIGHT, WPROF_SHOWN_TEXT);
  wprof_table_column(t, w.self, "flat", WPROF_ALIGN_RIGHT, WPROF_SHOWN_BOTH);
  wprof_table_column(t, "name", "function", WPROF_ALIGN_LEFT, WPROF_SHOWN_BOTH);
  wprof_table_column(t, "depth", "depth", WPROF_ALIGN_RIGHT, WPROF_SHOWN_DATA);
  wprof_table_column(t, "path_id", "path", WPROF_ALIGN_RIGHT, WPROF_SHOWN_DATA);
  wprof_table_column(t, "fid", "fid", WPROF_ALIGN_RIGHT, WPROF_SHOWN_DATA);

  char pct[WPROF_UNIT_BUF];
  int32_t top = 0;
  for (int32_t k = first[n + 1] - 1; k >= first[n]; k--)
    stack[top++] = kids[k];
  while (top > 0) {
    int32_t i = stack[--top];
    const struct wprof_drawn_node *d = &tree.nodes[i];
    const struct wprof_cct_function *f = &cct.functions[d->function];
    wprof_table_row(t);
    wprof_table_int(t, d->calls);
    weight_cell(t, &w, node_incl(d, &w));
    wprof_table_textf(t, "%s", wprof_format_percent(pct, (double)node_incl(d, &w), w.total));
    weight_cell(t, &w, w.instructions ? d->self_instructions : d->self_ns);
    char *indented = wprof_xasprintf("%*s%s", (int)(2 * (d->depth - 1)), "", f->name);
    wprof_table_string2(t, indented, f->name);
    free(indented);
    wprof_table_int(t, d->depth);
    wprof_table_int(t, cct.paths[d->first_path].id);
    wprof_table_int(t, f->fid);
    for (int32_t k = first[i + 1] - 1; k >= first[i]; k--)
      stack[top++] = kids[k];
  }
  free(first);
  free(kids);
  free(stack);
  wprof_drawn_tree_free(&tree);
  wprof_cct_free(&cct);
  out->table = t;
  char depth[32] = "";
  if (o->depth > 0)
    snprintf(depth, sizeof depth, ", depth <= %lld", (long long)o->depth);
  out->summary = wprof_xasprintf("Showing %d of %lld call paths (min %.2f%% of traced %s%s)\n", wprof_table_rows(t),
                                 (long long)db->run.path_count, o->min_percent,
                                 w.instructions ? "instructions" : "time", depth);
  return 0;
}

/* One row of peek: a caller or callee edge, or the function itself. */
static void peek_row(struct wprof_table *t, const struct weight *w, sqlite3_stmt *focus, const char *role,
                     sqlite3_stmt *edge)
{
  wprof_table_row(t);
  wprof_table_string(t, role);
  wprof_table_int(t, sqlite3_column_int64(edge, 2));
  weight_cell(t, w, sqlite3_column_int64(edge, 3));
  wprof_table_null(t);
  if (sqlite3_column_type(edge, 0) == SQLITE_NULL)
    wprof_table_null(t);
  else
    wprof_table_int(t, sqlite3_column_int64(edge, 0));
  wprof_table_string(t, wprof_db_text(edge, 1));
  wprof_table_int(t, sqlite3_column_int64(focus, 0));
  wprof_table_string(t, wprof_db_text(focus, 1));
}

/* Rows of one edge query for the function bound as ?1; returns SQLITE_DONE on success. */
static int peek_edges(struct wprof_db *db, struct wprof_table *t, const struct weight *w, sqlite3_stmt *focus,
                      sqlite3_stmt *edges, const char *role)
{
  sqlite3_reset(edges);
  sqlite3_bind_int64(edges, 1, sqlite3_column_int64(focus, 0));
  int rc;
  while ((rc = wprof_db_step(db, edges)) == SQLITE_ROW)
    peek_row(t, w, focus, role, edges);
  return rc;
}

int report_peek(struct wprof_db *db, const struct report_options *o, struct report_result *out)
{
  /* An edge's time counts only where the callee is not already active above
   * (recursive = 0): the callers' times then add up to the function's cum. */
  struct weight w = weight_of(db, o);
  char *sql[3] = {
      wprof_xasprintf("SELECT fid, name, calls, COALESCE(primitive_calls, 0), %s, %s"
                      " FROM flat_profile WHERE name GLOB ?1 ORDER BY name, fid", w.self, w.incl),
      wprof_xasprintf("SELECT pp.fid, COALESCE(f.name, '<host>'), SUM(c.calls) AS n,"
                      " SUM(CASE WHEN c.recursive = 0 THEN c.%s ELSE 0 END) AS v"
                      " FROM call_paths c LEFT JOIN call_paths pp ON pp.id = c.parent LEFT JOIN functions f ON f.fid = pp.fid"
                      " WHERE c.fid = ?1 GROUP BY pp.fid ORDER BY v DESC, n DESC, pp.fid IS NOT NULL, f.name, pp.fid",
                      w.incl),
      wprof_xasprintf("SELECT c.fid, f.name, SUM(c.calls) AS n, SUM(CASE WHEN c.recursive = 0 THEN c.%s ELSE 0 END) AS v"
                      " FROM call_paths c JOIN call_paths pp ON pp.id = c.parent JOIN functions f ON f.fid = c.fid"
                      " WHERE pp.fid = ?1 GROUP BY c.fid ORDER BY v DESC, n DESC, f.name, c.fid", w.incl)};
  sqlite3_stmt *focus = wprof_db_prepare(db, sql[0]), *callers = wprof_db_prepare(db, sql[1]),
               *callees = wprof_db_prepare(db, sql[2]);
  for (int i = 0; i < 3; i++)
    free(sql[i]);
  int rc = SQLITE_ERROR;
  struct wprof_table *t = wprof_table_new();
  out->table = t;
  if (!focus || !callers || !callees)
    goto done;
  wprof_db_bind_text(focus, 1, o->function);

  wprof_table_column(t, "role", "role", WPROF_ALIGN_LEFT, WPROF_SHOWN_BOTH);
  wprof_table_column(t, "calls", "calls", WPROF_ALIGN_RIGHT, WPROF_SHOWN_BOTH);
  wprof_table_column(t, w.incl, w.instructions ? "instructions" : "time", WPROF_ALIGN_RIGHT, WPROF_SHOWN_BOTH);
  wprof_table_column(t, w.self, "self", WPROF_ALIGN_RIGHT, WPROF_SHOWN_BOTH);
  wprof_table_column(t, "fid", "fid", WPROF_ALIGN_RIGHT, WPROF_SHOWN_DATA);
  wprof_table_column(t, "name", "function", WPROF_ALIGN_LEFT, WPROF_SHOWN_BOTH);
  wprof_table_column(t, "focus_fid", "focus_fid", WPROF_ALIGN_RIGHT, WPROF_SHOWN_DATA);
  wprof_table_column(t, "focus", "focus", WPROF_ALIGN_LEFT, WPROF_SHOWN_DATA);

  int matched = 0;
  while ((rc = wprof_db_step(db, focus)) == SQLITE_ROW) {
    matched++;
    if ((rc = peek_edges(db, t, &w, focus, callers, "caller")) != SQLITE_DONE)
      goto done;
    int64_t calls = sqlite3_column_int64(focus, 2), primitive = sqlite3_column_int64(focus, 3);
    wprof_table_row(t);
    wprof_table_string(t, "function");
    char *ct = calls_text(calls, primitive);
    wprof_table_int2(t, ct, calls);
    free(ct);
    weight_cell(t, &w, sqlite3_column_int64(focus, 5));
    weight_cell(t, &w, sqlite3_column_int64(focus, 4));
    wprof_table_int(t, sqlite3_column_int64(focus, 0));
    wprof_table_string(t, wprof_db_text(focus, 1));
    wprof_table_int(t, sqlite3_column_int64(focus, 0));
    wprof_table_string(t, wprof_db_text(focus, 1));
    if ((rc = peek_edges(db, t, &w, focus, callees, "callee")) != SQLITE_DONE)
      goto done;
  }
  if (rc == SQLITE_DONE && matched == 0) {
    snprintf(db->error, sizeof db->error, "no called function matches '%s'", o->function);
    rc = SQLITE_ERROR;
  }
  if (rc == SQLITE_DONE)
    out->summary = wprof_xasprintf("Callers and callees of %d function%s matching '%s'\n", matched,
                                   matched == 1 ? "" : "s", o->function);
done:
  sqlite3_finalize(focus);
  sqlite3_finalize(callers);
  sqlite3_finalize(callees);
  return rc == SQLITE_DONE ? 0 : -1;
}

/* The slowest calls, ?3 of them (-1: all), each with its function and path.
** Without --focus/--ignore the calls are ranked before anything is joined
** (one pass over the calls table: seconds on 73 M rows, where joining every
** row first took 24 s); with them, the paths are matched first and only
** their calls are ranked. */
#define SLOWEST_CALLS "SELECT id, path_id, start_ns, dur_ns, unwound FROM calls"
#define SLOWEST_RANKED " ORDER BY dur_ns DESC, id LIMIT ?3"
#define SLOWEST_ROWS                                                                              \
  " SELECT s.id, s.start_ns, s.dur_ns, s.unwound, f.name, paths.path"                             \
  " FROM slowest s JOIN paths ON paths.id = s.path_id JOIN call_paths p ON p.id = s.path_id"      \
  " JOIN functions f ON f.fid = p.fid ORDER BY s.dur_ns DESC, s.id"

int report_calls(struct wprof_db *db, const struct report_options *o, struct report_result *out)
{
  bool filtered = o->focus || o->ignore;
  sqlite3_stmt *stmt = wprof_db_prepare(
      db, filtered ? "WITH RECURSIVE wanted(path_id) AS (SELECT id FROM call_paths), " REPORT_SQL_WANTED_PATHS ","
                     " kept AS (SELECT id FROM paths"
                     "   WHERE (?1 IS NULL OR path GLOB ?1) AND (?2 IS NULL OR path NOT GLOB ?2)),"
                     " slowest AS (" SLOWEST_CALLS " WHERE path_id IN kept" SLOWEST_RANKED ")" SLOWEST_ROWS
                   : "WITH RECURSIVE slowest AS (" SLOWEST_CALLS SLOWEST_RANKED "),"
                     " wanted(path_id) AS (SELECT path_id FROM slowest), " REPORT_SQL_WANTED_PATHS SLOWEST_ROWS);
  if (!stmt)
    return -1;
  if (filtered) {
    wprof_db_bind_text(stmt, 1, o->focus);
    wprof_db_bind_text(stmt, 2, o->ignore);
  }
  sqlite3_bind_int64(stmt, 3, report_sql_limit(o));

  struct wprof_table *t = wprof_table_new();
  wprof_table_column(t, "dur_ns", "duration", WPROF_ALIGN_RIGHT, WPROF_SHOWN_BOTH);
  wprof_table_column(t, "start_ns", "start", WPROF_ALIGN_RIGHT, WPROF_SHOWN_BOTH);
  wprof_table_column(t, "call_id", "call", WPROF_ALIGN_RIGHT, WPROF_SHOWN_BOTH);
  wprof_table_column(t, "unwound", "unwound", WPROF_ALIGN_LEFT, WPROF_SHOWN_BOTH);
  wprof_table_column(t, "name", "function", WPROF_ALIGN_LEFT, WPROF_SHOWN_DATA);
  wprof_table_column(t, "path", "call path", WPROF_ALIGN_LEFT, WPROF_SHOWN_BOTH);
  int rc;
  while ((rc = wprof_db_step(db, stmt)) == SQLITE_ROW) {
    int64_t unwound = sqlite3_column_int64(stmt, 3);
    wprof_table_row(t);
    wprof_table_ns(t, sqlite3_column_int64(stmt, 2));
    wprof_table_ns(t, sqlite3_column_int64(stmt, 1));
    wprof_table_int(t, sqlite3_column_int64(stmt, 0));
    wprof_table_int2(t, unwound ? "yes" : "", unwound);
    wprof_table_string(t, wprof_db_text(stmt, 4));
    wprof_table_string(t, wprof_db_text(stmt, 5));
  }
  sqlite3_finalize(stmt);
  out->table = t;
  if (rc != SQLITE_DONE)
    return -1;
  out->summary = wprof_xasprintf("Slowest %d single calls\n", wprof_table_rows(t));
  return 0;
}
