/* `wprof export --format callgrind`: the callgrind profile format, for
 * callgrind_annotate and KCachegrind. Two events: `ns` (time) and `calls`,
 * and for a sampled run a third between them, `Samples`; when the module
 * counted its instructions (wasm-instrument --cost) a last one, `Ir`, the
 * name callgrind gives executed instructions.
 * Each function's cost line holds its self time and the number of times it
 * was called; each caller -> callee edge is a `calls=` line followed by the
 * edge's inclusive cost. As in `wprof report peek`, an edge's inclusive cost
 * counts only paths where the callee is not already active above, so direct
 * recursion does not inflate inclusive times (callgrind's own format cannot
 * express mutual recursion exactly; self costs and totals are always exact).
 * Without source locations every cost is at line 0 of the module's file;
 * when the module had DWARF (functions.file and .line), each function is in
 * its source file (fl=, cfl=) and its costs at its first line. */
#include <stdlib.h>
#include <string.h>

#include "cct.h"
#include "export.h"
#include "util.h"

/* Events in file order; SAMPLES is written only for a sampled run, IR only
 * for a run that counted instructions. */
enum { EV_NS, EV_SAMPLES, EV_CALLS, EV_IR, NEVENTS };

struct edge {
  int32_t caller, callee;
  int64_t calls, incl[NEVENTS];
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
  if (named[f]) {
    fprintf(out, "%s=(%d)\n", key, f + 1);
    return;
  }
  char *name = wprof_escaped(cct->functions[f].name, "");
  fprintf(out, "%s=(%d) %s\n", key, f + 1, name);
  free(name);
  named[f] = 1;
}

/* Source files by callgrind's name compression: (1) the module, then each
 * source file in order of first use. */
struct files {
  const char **names;
  int n;
};

/* Prints "key=(id) name" the first time a file is named, "key=(id)" after;
 * a function without a known file is in the module's. */
static void print_file(FILE *out, const char *key, struct files *fs, const char *name)
{
  int i = 0;
  while (i < fs->n && strcmp(fs->names[i], name) != 0)
    i++;
  if (i < fs->n) {
    fprintf(out, "%s=(%d)\n", key, i + 1);
    return;
  }
  fs->names = wprof_xrealloc(fs->names, sizeof *fs->names * (size_t)(fs->n + 1));
  fs->names[fs->n++] = name;
  char *escaped = wprof_escaped(name, "");
  fprintf(out, "%s=(%d) %s\n", key, fs->n, escaped);
  free(escaped);
}

/* The costs of one line, after its position: " 12 34", " 12 3 34", ...: the
 * events in shown. */
static void print_costs(FILE *out, const int64_t costs[NEVENTS], const int shown[NEVENTS])
{
  for (int e = 0; e < NEVENTS; e++)
    if (shown[e])
      fprintf(out, " %lld", (long long)costs[e]);
  fputc('\n', out);
}

int export_callgrind(struct wprof_db *db, const struct export_options *o, FILE *out)
{
  (void)o;
  struct wprof_cct cct;
  if (wprof_cct_load(db, &cct))
    return -1;
  int sampled = db->run.sampled;
  const int shown[NEVENTS] = {[EV_NS] = 1, [EV_SAMPLES] = sampled, [EV_CALLS] = 1, [EV_IR] = db->run.counted};
  size_t np = (size_t)cct.npaths, nf = (size_t)cct.nfunctions;
  /* Inclusive costs of each path: incl_ns and incl_instructions, and the
   * samples and calls of its subtree, summed from the children, which follow
   * their parents. */
  int64_t(*incl)[NEVENTS] = wprof_xmalloc(sizeof *incl * np);
  for (size_t i = 0; i < np; i++) {
    incl[i][EV_NS] = cct.paths[i].incl_ns;
    incl[i][EV_SAMPLES] = cct.paths[i].samples;
    incl[i][EV_CALLS] = cct.paths[i].calls;
    incl[i][EV_IR] = cct.paths[i].incl_instructions;
  }
  for (size_t i = np; i-- > 0;)
    if (cct.paths[i].parent >= 0)
      for (int e = EV_SAMPLES; e <= EV_CALLS; e++)
        incl[cct.paths[i].parent][e] += incl[i][e];

  int64_t(*self)[NEVENTS] = wprof_xcalloc(nf, sizeof *self), total[NEVENTS] = {0};
  struct edge *edges = wprof_xmalloc(sizeof(struct edge) * np);
  size_t nedges = 0;
  for (size_t i = 0; i < np; i++) {
    const struct wprof_cct_path *p = &cct.paths[i];
    int64_t costs[NEVENTS] = {[EV_NS] = p->self_ns, [EV_SAMPLES] = p->samples, [EV_CALLS] = p->calls,
                              [EV_IR] = p->self_instructions};
    for (int e = 0; e < NEVENTS; e++) {
      self[p->function][e] += costs[e];
      total[e] += costs[e];
    }
    if (p->parent >= 0) {
      edges[nedges] = (struct edge){cct.paths[p->parent].function, p->function, p->calls, {0}};
      if (!p->recursive)
        memcpy(edges[nedges].incl, incl[i], sizeof incl[i]);
      nedges++;
    }
  }
  qsort(edges, nedges, sizeof *edges, compare_edges);

  fprintf(out, "# callgrind format\nversion: 1\ncreator: wprof %s\ncmd: %s\npositions: line\nevents: ns%s calls%s\n"
               "summary:",
          WPROF_VERSION, db->run.module_path, sampled ? " Samples" : "", db->run.counted ? " Ir" : "");
  print_costs(out, total, shown);
  struct files files = {0};
  fputc('\n', out);
  print_file(out, "fl", &files, db->run.module_path);
  int located = db->run.located;
  char *named = wprof_xcalloc(nf, 1);
  size_t e = 0;
  for (int32_t f = 0; f < cct.nfunctions; f++) {
    int has_edges = e < nedges && edges[e].caller == f;
    if (!self[f][EV_CALLS] && !self[f][EV_NS] && !self[f][EV_SAMPLES] && !self[f][EV_IR] && !has_edges)
      continue;
    fputc('\n', out);
    const struct wprof_cct_function *fn = &cct.functions[f];
    if (located)
      print_file(out, "fl", &files, fn->file ? fn->file : db->run.module_path);
    print_function(out, "fn", &cct, f, named);
    fprintf(out, "%lld", (long long)fn->line);
    print_costs(out, self[f], shown);
    while (e < nedges && edges[e].caller == f) {
      struct edge sum = edges[e++];
      for (; e < nedges && edges[e].caller == f && edges[e].callee == sum.callee; e++) {
        sum.calls += edges[e].calls;
        for (int v = 0; v < NEVENTS; v++)
          sum.incl[v] += edges[e].incl[v];
      }
      const struct wprof_cct_function *callee = &cct.functions[sum.callee];
      if (located)
        print_file(out, "cfl", &files, callee->file ? callee->file : db->run.module_path);
      print_function(out, "cfn", &cct, sum.callee, named);
      /* the call's position is unknown: the caller's first line */
      fprintf(out, "calls=%lld %lld\n%lld", (long long)sum.calls, (long long)callee->line, (long long)fn->line);
      print_costs(out, sum.incl, shown);
    }
  }
  free(files.names);
  free(named);
  free(edges);
  free(self);
  free(incl);
  wprof_cct_free(&cct);
  return 0;
}
