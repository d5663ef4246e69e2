/* `wprof export --format folded`: one `main;compute;fib VALUE` line per call
 * path, the input of flame graph tools (flamegraph.pl, speedscope, inferno).
 * VALUE is the path's self time in ns, or its calls with --value calls;
 * paths whose value is 0 are left out. Lines are in call path id order.
 * Deeper than WPROF_COLLAPSE_DEPTH, direct recursion is collapsed (db.h). */
#include <stdlib.h>

#include "cct.h"
#include "export.h"
#include "util.h"

int export_folded(struct wprof_db *db, const struct export_options *o, FILE *out)
{
  struct wprof_cct cct;
  if (wprof_cct_load(db, &cct))
    return -1;
  struct wprof_drawn_tree tree;
  wprof_drawn_tree_build(&cct, wprof_collapses_recursion(&db->run), &tree);
  /* a drawn stack is at most as deep as the deepest path (the '(root)' path, depth 0, is one frame) */
  int32_t *frames = wprof_xmalloc(sizeof(int32_t) * (size_t)(db->run.max_depth + 1));
  for (int32_t i = 0; i < tree.nnodes; i++) {
    const struct wprof_drawn_node *d = &tree.nodes[i];
    int64_t value = o->value_calls ? d->calls : d->self_ns;
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
  wprof_drawn_tree_free(&tree);
  wprof_cct_free(&cct);
  return 0;
}
