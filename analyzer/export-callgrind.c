/* `wprof export --format callgrind`: the callgrind profile format, for
 * callgrind_annotate and KCachegrind. Two events: `ns` (time) and `calls`.
 * Each function's cost line holds its self time and the number of times it
 * was called; each caller -> callee edge is a `calls=` line followed by the
 * edge's inclusive cost. As in `wprof report peek`, an edge's inclusive cost
 * counts only paths where the callee is not already active above, so direct
 * recursion does not inflate inclusive times (callgrind's own format cannot
 * express mutual recursion exactly; self costs and totals are always exact).
 * There are no source lines: every cost is at line 0. */
#include <stdlib.h>

#include "cct.h"
#include "export.h"
#include "util.h"

struct edge {
  int32_t caller, callee;
  int64_t calls, incl_ns, incl_calls;
};

static int compare_edges(const void *a, const void *b)
{
  const struct edge *x = a, *y = b;
  if (x->caller != y->caller)
    return x->caller < y->caller ? -1 : 1;
  return x->callee < y->callee ? -1 : x->callee > y->callee;
}

/* Prints "(id) name" the first time a function is named, "(id)" after. */
static void print_function(FILE *out, const char *key, const struct wprof_cct *cct, int32_t f, char *named)
{
  if (named[f])
    fprintf(out, "%s=(%d)\n", key, f + 1);
  else
    fprintf(out, "%s=(%d) %s\n", key, f + 1, cct->functions[f].name);
  named[f] = 1;
}

int export_callgrind(struct wprof_db *db, const struct export_options *o, FILE *out)
{
  (void)o;
  struct wprof_cct cct;
  if (wprof_cct_load(db, &cct))
    return -1;
  size_t np = (size_t)cct.npaths, nf = (size_t)cct.nfunctions;
  /* Calls made inside each path's subtree: children follow their parents. */
  int64_t *subtree_calls = wprof_xmalloc(sizeof(int64_t) * np);
  for (size_t i = 0; i < np; i++)
    subtree_calls[i] = cct.paths[i].calls;
  for (size_t i = np; i-- > 0;)
    if (cct.paths[i].parent >= 0)
      subtree_calls[cct.paths[i].parent] += subtree_calls[i];

  int64_t *self_ns = wprof_xcalloc(nf, sizeof(int64_t)), *calls = wprof_xcalloc(nf, sizeof(int64_t));
  struct edge *edges = wprof_xmalloc(sizeof(struct edge) * np);
  size_t nedges = 0;
  int64_t total_ns = 0, total_calls = 0;
  for (size_t i = 0; i < np; i++) {
    const struct wprof_cct_path *p = &cct.paths[i];
    self_ns[p->function] += p->self_ns;
    calls[p->function] += p->calls;
    total_ns += p->self_ns;
    total_calls += p->calls;
    if (p->parent >= 0)
      edges[nedges++] = (struct edge){cct.paths[p->parent].function, p->function, p->calls,
                                      p->recursive ? 0 : p->incl_ns, p->recursive ? 0 : subtree_calls[i]};
  }
  qsort(edges, nedges, sizeof *edges, compare_edges);

  fprintf(out, "# callgrind format\nversion: 1\ncreator: wprof %s\ncmd: %s\npositions: line\nevents: ns calls\n"
               "summary: %lld %lld\n\nfl=(1) %s\n",
          WPROF_VERSION, db->run.module_path, (long long)total_ns, (long long)total_calls, db->run.module_path);
  char *named = wprof_xcalloc(nf, 1);
  size_t e = 0;
  for (int32_t f = 0; f < cct.nfunctions; f++) {
    int has_edges = e < nedges && edges[e].caller == f;
    if (!calls[f] && !self_ns[f] && !has_edges)
      continue;
    fputc('\n', out);
    print_function(out, "fn", &cct, f, named);
    fprintf(out, "0 %lld %lld\n", (long long)self_ns[f], (long long)calls[f]);
    while (e < nedges && edges[e].caller == f) {
      struct edge sum = edges[e++];
      for (; e < nedges && edges[e].caller == f && edges[e].callee == sum.callee; e++) {
        sum.calls += edges[e].calls;
        sum.incl_ns += edges[e].incl_ns;
        sum.incl_calls += edges[e].incl_calls;
      }
      print_function(out, "cfn", &cct, sum.callee, named);
      fprintf(out, "calls=%lld 0\n0 %lld %lld\n", (long long)sum.calls, (long long)sum.incl_ns,
              (long long)sum.incl_calls);
    }
  }
  free(named);
  free(edges);
  free(self_ns);
  free(calls);
  free(subtree_calls);
  wprof_cct_free(&cct);
  return 0;
}
