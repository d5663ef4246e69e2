/* The flame graph pages (see flame-graph.h): flame-page.html, embedded at
 * build time, with the profile written as JSON in place of its
 * WPROF_PROFILE_JSON line. The frames are the drawn tree of cct.h (direct
 * recursion collapsed in a tree deeper than WPROF_COLLAPSE_DEPTH, so a
 * 100,000-deep recursion is a few frames); the JSON gives, per frame, its
 * parent and function and each recorded metric's own value (path-metrics.h),
 * and the page sums them into the frames' widths. A diff adds, per frame,
 * the weight's own and total value in the base profile (null: only in new).
 * Names go through wprof_print_script_json_string: no name can end the
 * script element, and the page only ever sets them as text. */
#include "flame-graph.h"

#include <stdlib.h>
#include <string.h>

#include "cct.h"
#include "export.h"
#include "flame-page.h"
#include "path-metrics.h"
#include "util.h"
#include "wprof_analyzer.h"

#define PROFILE_MARKER "WPROF_PROFILE_JSON"

/* One profile as drawn, with the values of the metrics the page shows. */
struct flame_side {
  struct wprof_cct cct;
  struct wprof_drawn_tree tree;
  int64_t *values; /* values[node * nmetrics + k] */
};

/* What the page is given. */
struct flame_page {
  const char *kind; /* "profile" or "diff" */
  char *title, *subtitle;
  int metrics[16], nmetrics, weight; /* indices of path-metrics.h; weight: a position in metrics */
  const struct flame_side *side;     /* the frames (new's in a diff) */
  const struct flame_side *base;     /* diff only */
  const int32_t *base_node;          /* diff only: the base node of each node of side, or -1 */
  const int64_t *base_total;         /* diff only: per base node, the weight's total */
};

static int load_side(struct wprof_db *db, int collapse, const struct flame_page *page, struct flame_side *side)
{
  if (wprof_cct_load(db, &side->cct))
    return -1;
  wprof_drawn_tree_build(&side->cct, collapse, &side->tree);
  side->values = wprof_path_metrics_load(db, &side->cct, &side->tree, page->metrics, page->nmetrics);
  return side->values ? 0 : -1;
}

static void free_side(struct flame_side *side)
{
  free(side->values);
  wprof_drawn_tree_free(&side->tree);
  wprof_cct_free(&side->cct);
}

/* The metrics recorded in db (and in also, unless NULL), the weight among them. */
static int choose_metrics(struct wprof_db *db, struct wprof_db *also, int weight, struct flame_page *page)
{
  int recorded[16], also_recorded[16], count = wprof_path_metric_count();
  if (count > 16) {
    snprintf(db->error, sizeof db->error, "internal error: more than 16 path metrics");
    return -1;
  }
  if (wprof_path_metrics_recorded(db, recorded) || (also && wprof_path_metrics_recorded(also, also_recorded)))
    return -1;
  page->nmetrics = 0;
  for (int i = 0; i < count; i++) {
    if (!recorded[i] || (also && !also_recorded[i]))
      continue;
    if (i == weight)
      page->weight = page->nmetrics;
    page->metrics[page->nmetrics++] = i;
  }
  return 0;
}

/* "sampled, 1234 samples, one per 100 µs": how the run's times were made. */
static char *timing_text(const struct wprof_run *run)
{
  char *text = NULL;
  size_t size = 0;
  FILE *f = open_memstream(&text, &size);
  if (!f)
    return wprof_xstrdup(run->timing);
  wprof_db_print_timing(run, f);
  fclose(f);
  return text ? text : wprof_xstrdup(run->timing);
}

/* The JSON the page reads. Frame 0 is the page's own root ('all'), frame
 * i + 1 the drawn node i (parents first). */
static void print_profile_json(FILE *out, const struct flame_page *page)
{
  const struct flame_side *s = page->side;
  size_t frames = (size_t)s->tree.nnodes + 1, k;
  fputs("{\"kind\":", out);
  wprof_print_script_json_string(out, page->kind);
  fputs(",\"title\":", out);
  wprof_print_script_json_string(out, page->title);
  fputs(",\"subtitle\":", out);
  wprof_print_script_json_string(out, page->subtitle);
  fputs(",\"metrics\":[", out);
  for (int m = 0; m < page->nmetrics; m++) {
    const struct wprof_path_metric *metric = wprof_path_metric(page->metrics[m]);
    fprintf(out, "%s{\"name\":", m ? "," : "");
    wprof_print_script_json_string(out, metric->name);
    fputs(",\"unit\":", out);
    wprof_print_script_json_string(out, metric->unit);
    fputc('}', out);
  }
  fprintf(out, "],\n\"weight\":%d,\n\"names\":[", page->weight);
  for (int32_t f = 0; f < s->cct.nfunctions; f++) {
    if (f)
      fputc(',', out);
    wprof_print_script_json_string(out, s->cct.functions[f].name);
  }
  fputs("],\n\"parent\":[-1", out);
  for (int32_t i = 0; i < s->tree.nnodes; i++)
    fprintf(out, ",%d", s->tree.nodes[i].parent + 1);
  fputs("],\n\"function\":[-1", out);
  for (int32_t i = 0; i < s->tree.nnodes; i++)
    fprintf(out, ",%d", s->tree.nodes[i].function);
  fputs("],\n\"self\":[", out);
  for (int m = 0; m < page->nmetrics; m++) {
    fprintf(out, "%s[0", m ? ",\n" : "");
    for (size_t i = 0; i + 1 < frames; i++)
      fprintf(out, ",%lld", (long long)s->values[i * (size_t)page->nmetrics + (size_t)m]);
    fputc(']', out);
  }
  fputc(']', out);
  if (page->base) {
    for (k = 0; k < 2; k++) {
      fputs(k ? ",\n\"base_total\":[0" : ",\n\"base_self\":[0", out);
      for (int32_t i = 0; i < s->tree.nnodes; i++) {
        int32_t b = page->base_node[i];
        if (b < 0)
          fputs(",null", out);
        else
          fprintf(out, ",%lld",
                  (long long)(k ? page->base_total[b]
                                : page->base->values[(size_t)b * (size_t)page->nmetrics + (size_t)page->weight]));
      }
      fputc(']', out);
    }
  }
  fputs("}\n", out);
}

/* The page, with the profile in place of the marker's line. */
static void print_page(FILE *out, const struct flame_page *page)
{
  const char *marker = strstr(wprof_flame_page, PROFILE_MARKER "\n");
  if (!marker) /* flame-page.html has it; a build without it is broken */
    abort();
  fwrite(wprof_flame_page, 1, (size_t)(marker - wprof_flame_page), out);
  print_profile_json(out, page);
  fputs(marker + strlen(PROFILE_MARKER "\n"), out);
}

int export_html(struct wprof_db *db, const struct export_options *o, FILE *out)
{
  struct flame_page page = {.kind = "profile"};
  struct flame_side side = {0};
  if (choose_metrics(db, NULL, o->value, &page) || load_side(db, wprof_collapses_recursion(&db->run), &page, &side)) {
    free_side(&side);
    return -1;
  }
  char *timing = timing_text(&db->run);
  page.side = &side;
  page.title = wprof_xasprintf("wprof: %s", db->run.module_path);
  page.subtitle = wprof_xasprintf("%s; time: %s; widths: %s%s", db->path, timing, wprof_path_metric(o->value)->name,
                                  wprof_collapses_recursion(&db->run) ? "; direct recursion collapsed into one frame" : "");
  print_page(out, &page);
  free(timing);
  free(page.title);
  free(page.subtitle);
  free_side(&side);
  return 0;
}

/* Base's nodes by (parent node, function name), for matching new's to them. */
struct name_index {
  int32_t *slots; /* base node, or -1 */
  size_t mask;
  const struct flame_side *base;
};

static size_t name_hash(int32_t parent, const char *name)
{
  uint64_t h = 1469598103934665603u ^ (uint32_t)(parent + 1);
  for (; *name; name++)
    h = (h ^ (unsigned char)*name) * 1099511628211u;
  return (size_t)(h ^ (h >> 29));
}

static const char *node_name(const struct flame_side *side, int32_t node)
{
  return side->cct.functions[side->tree.nodes[node].function].name;
}

/* The slot of (parent, name): the node there, or an empty one (-1). */
static int32_t *name_slot(const struct name_index *index, int32_t parent, const char *name)
{
  size_t h = name_hash(parent, name) & index->mask;
  while (index->slots[h] >= 0) {
    int32_t b = index->slots[h];
    if (index->base->tree.nodes[b].parent == parent && strcmp(node_name(index->base, b), name) == 0)
      break;
    h = (h + 1) & index->mask;
  }
  return &index->slots[h];
}

/* For each node of new, the base node with the same names from the root (or -1). */
static int32_t *match_nodes(const struct flame_side *base, const struct flame_side *new)
{
  size_t cap = 16;
  while (cap < 2 * (size_t)base->tree.nnodes)
    cap *= 2;
  struct name_index index = {wprof_xmalloc(sizeof *index.slots * cap), cap - 1, base};
  for (size_t i = 0; i < cap; i++)
    index.slots[i] = -1;
  for (int32_t b = 0; b < base->tree.nnodes; b++) {
    int32_t *slot = name_slot(&index, base->tree.nodes[b].parent, node_name(base, b));
    if (*slot < 0) /* two functions of one name under one caller: the first one's */
      *slot = b;
  }
  int32_t *match = wprof_xmalloc(sizeof *match * ((size_t)new->tree.nnodes + 1));
  for (int32_t i = 0; i < new->tree.nnodes; i++) {
    int32_t parent = new->tree.nodes[i].parent, base_parent = parent < 0 ? -1 : match[parent];
    match[i] = parent >= 0 && base_parent < 0 ? -1 : *name_slot(&index, base_parent, node_name(new, i));
  }
  free(index.slots);
  return match;
}

/* The weight's total per node of side: its own value and its callees'. */
static int64_t *subtree_totals(const struct flame_side *side, const struct flame_page *page)
{
  int32_t nodes = side->tree.nnodes;
  int64_t *total = wprof_xmalloc(sizeof *total * ((size_t)nodes + 1));
  for (int32_t i = 0; i < nodes; i++)
    total[i] = side->values[(size_t)i * (size_t)page->nmetrics + (size_t)page->weight];
  for (int32_t i = nodes - 1; i >= 0; i--) /* parents come before their children */
    if (side->tree.nodes[i].parent >= 0)
      total[side->tree.nodes[i].parent] += total[i];
  return total;
}

int wprof_flame_diff_write(void *flame_diff, FILE *out)
{
  const struct wprof_flame_diff *d = flame_diff;
  struct flame_page page = {.kind = "diff"};
  struct flame_side base = {0}, new = {0};
  int collapse = wprof_collapses_recursion(&d->base->run) || wprof_collapses_recursion(&d->new->run);
  struct wprof_db *failed = d->base;
  if (choose_metrics(d->new, d->base, d->metric, &page) || load_side(d->base, collapse, &page, &base) ||
      (failed = d->new, load_side(d->new, collapse, &page, &new))) {
    free_side(&base);
    free_side(&new);
    return wprof_fail_as(WPROF_EXIT_DATA, "diff", failed->path, "%s", failed->error);
  }
  int32_t *match = match_nodes(&base, &new);
  int64_t *base_total = subtree_totals(&base, &page);
  const char *metric = wprof_path_metric(d->metric)->name;
  page.side = &new;
  page.base = &base;
  page.base_node = match;
  page.base_total = base_total;
  page.title = wprof_xasprintf("wprof diff: %s -> %s", d->base->run.module_path, d->new->run.module_path);
  page.subtitle = wprof_xasprintf("base %s, new %s; widths: %s in new; colours: change of each frame's own %s "
                                  "(red grew, blue shrank, purple only in new)%s",
                                  d->base->path, d->new->path, metric, metric,
                                  collapse ? "; direct recursion collapsed into one frame" : "");
  print_page(out, &page);
  free(page.title);
  free(page.subtitle);
  free(match);
  free(base_total);
  free_side(&base);
  free_side(&new);
  return WPROF_EXIT_OK;
}
