/* `wprof export --format folded`: one `main;compute;fib VALUE` line per call
 * path, the input of flame graph tools (flamegraph.pl, speedscope, inferno).
 * VALUE is the path's own value of the metric --value names (path-metrics.h;
 * by default its self time in ns, or its calls in a run without time);
 * paths whose value is 0 are left out. Lines are in call path id order.
 * Deeper than WPROF_COLLAPSE_DEPTH, direct recursion is collapsed (db.h). */
#include <stdlib.h>

#include "cct.h"
#include "export.h"
#include "path-metrics.h"
#include "util.h"

int export_folded(struct wprof_db *db, const struct export_options *o, FILE *out)
{
  struct wprof_cct cct;
  if (wprof_cct_load(db, &cct))
    return -1;
  struct wprof_drawn_tree tree;
  wprof_drawn_tree_build(&cct, wprof_collapses_recursion(&db->run), &tree);
  int64_t *values = wprof_path_metrics_load(db, &cct, &tree, &o->value, 1);
  if (!values) {
    wprof_drawn_tree_free(&tree);
    wprof_cct_free(&cct);
    return -1;
  }
  /* a drawn stack is at most as deep as the deepest path (the '(root)' path, depth 0, is one frame) */
  int32_t *frames = wprof_xmalloc(sizeof(int32_t) * (size_t)(db->run.max_depth + 1));
  for (int32_t i = 0; i < tree.nnodes; i++) {
    int64_t value = values[i];
    if (value == 0)
      continue;
    int32_t n = 0;
    for (int32_t f = i; f >= 0; f = tree.nodes[f].parent)
      frames[n++] = tree.nodes[f].function;
    while (n-- > 0) {
      char *name = wprof_escaped(cct.functions[frames[n]].name, ";"); /* ';' separates frames */
      fputs(name, out);
      free(name);
      putc(n ? ';' : ' ', out);
    }
    fprintf(out, "%lld\n", (long long)value);
  }
  free(frames);
  free(values);
  wprof_drawn_tree_free(&tree);
  wprof_cct_free(&cct);
  return 0;
}
