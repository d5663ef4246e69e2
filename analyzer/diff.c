/* `wprof diff base.db new.db`: compares two profiles like benchstat. Functions
 * are matched by name (calls, self_ns, incl_ns and self instructions from
 * flat_profile) and allocation sites by call path string (alloc_objects,
 * alloc_bytes, inuse_objects, inuse_bytes from alloc_sites, with paths spelled
 * like path_names by walking up from the sites only); each side is one SQL
 * query sorted by name, so the new side finds its base rows by binary search.
 * Counts and bytes are exact, and so are the instructions of `wasm-instrument
 * --cost`, so a CI job can gate on them with --fail-on: exit 1 and a
 * "Regressions:" section when a threshold is crossed, 0 otherwise, the codes
 * of utils/exit-codes.h on bad input. Times are shown but only gated when a
 * --fail-on names them; a note says when the two runs timed differently
 * (exact vs. sampled, or another sample interval), as their times then do not
 * compare. --flame FILE also writes a differential flame graph
 * (flame-graph.c) before the report; the report and the exit status are those
 * of a diff without it. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "flame-graph.h"
#include "output.h"
#include "path-metrics.h"
#include "report.h"
#include "table.h"
#include "units.h"
#include "util.h"
#include "wprof_analyzer.h"

enum unit { UNIT_COUNT, UNIT_NS, UNIT_BYTES };

struct metric {
  const char *name;
  int site; /* 0: per function, 1: per allocation site */
  enum unit unit;
};

/* instructions: a function's self instructions (0 on both sides when neither
 * counted, so then it shows no row). */
static const struct metric metrics[] = {
    {"calls", 0, UNIT_COUNT},         {"self_ns", 0, UNIT_NS},        {"incl_ns", 0, UNIT_NS},
    {"instructions", 0, UNIT_COUNT},  {"alloc_objects", 1, UNIT_COUNT}, {"alloc_bytes", 1, UNIT_BYTES},
    {"inuse_objects", 1, UNIT_COUNT}, {"inuse_bytes", 1, UNIT_BYTES},
};
enum {
  NMETRICS = sizeof metrics / sizeof metrics[0],
  FUNCTION_METRICS = 4,
  SITE_METRICS = 4,
  MAX_VALUES = FUNCTION_METRICS > SITE_METRICS ? FUNCTION_METRICS : SITE_METRICS,
  CALLS_METRIC = 0,
  INSTRUCTIONS_METRIC = 3,
  DEFAULT_METRIC = -2, /* --fail-on +N%: instructions when both sides counted them, else calls */
};

/* One --fail-on [METRIC:]+N[%][:GLOB]. */
struct gate {
  const char *spec; /* as given; with the default metric, resolved is "METRIC:" + spec */
  char *resolved;
  int metric;
  double threshold;
  int percent;
  char *glob; /* NULL: every function or site */
};

/* A function or site with its values on each side (absent counts as 0). */
struct diff_row {
  char *name;
  int site, in_base, in_new;
  int64_t base[MAX_VALUES], new[MAX_VALUES];
};

struct diff {
  struct diff_row *rows;
  size_t count, cap;
};

static const char usage[] =
    "usage: wprof diff base.db new.db [options]\n"
    "  --fail-on [METRIC:]+N[%%][:GLOB]  exit 1 when METRIC grows by more than N (or N%%) for a function\n"
    "                 (or, for alloc metrics, a call path) matching GLOB; may be repeated.\n"
    "                 METRIC: calls self_ns incl_ns instructions alloc_objects alloc_bytes inuse_objects\n"
    "                 inuse_bytes (instructions: a function's self instructions, from modules rewritten\n"
    "                 with `wasm-instrument --cost`). Without METRIC: (--fail-on +2%%): instructions\n"
    "                 when both databases counted them, else calls\n"
    "  --focus GLOB   only functions (names) and sites (call paths 'main;f;malloc') matching GLOB\n"
    "  --format text|csv|json\n"
    "  --flame FILE   also write a differential flame graph (one self-contained HTML file): new's\n"
    "                 call paths, each frame coloured by the change of its own value of the metric\n"
    "                 since base (red grew, blue shrank, purple only in new); report and exit status\n"
    "                 unchanged (FILE is replaced atomically; it is written before the report)\n"
    "  --flame-metric NAME  the flame graph's metric [instructions when both databases counted\n"
    "                 them, else calls]: %s\n"
    "exit status:\n";

/* Parses [METRIC:]+N[%][:GLOB]; returns 0 on success, -2 for an unknown
 * METRIC, -1 for another error. */
static int parse_gate(const char *spec, struct gate *g)
{
  *g = (struct gate){.spec = spec, .metric = -1};
  const char *number = spec;
  if (spec[0] == '+') {
    g->metric = DEFAULT_METRIC;
  } else {
    const char *colon = strchr(spec, ':');
    if (!colon)
      return -1;
    for (int i = 0; i < NMETRICS && g->metric == -1; i++)
      if (strlen(metrics[i].name) == (size_t)(colon - spec) && strncmp(spec, metrics[i].name, (size_t)(colon - spec)) == 0)
        g->metric = i;
    if (g->metric == -1)
      return -2;
    number = colon + 1;
  }
  if (*number == '+')
    number++;
  const char *glob = strchr(number, ':');
  size_t len = glob ? (size_t)(glob - number) : strlen(number);
  if (len && number[len - 1] == '%') {
    g->percent = 1;
    len--;
  }
  char *text = wprof_xmalloc(len + 1);
  memcpy(text, number, len);
  text[len] = 0;
  int bad = wprof_parse_decimal(text, &g->threshold);
  free(text);
  if (bad || (glob && !glob[1]))
    return -1;
  g->glob = glob ? wprof_xstrdup(glob + 1) : NULL;
  return 0;
}

/* The base row of this kind and name, or NULL: the base rows, read first,
 * are sorted by kind (functions, then sites) and name. */
static struct diff_row *find_base_row(const struct diff *d, size_t nbase, int site, const char *name)
{
  size_t lo = 0, hi = nbase;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = d->rows[mid].site != site ? d->rows[mid].site - site : strcmp(d->rows[mid].name, name);
    if (c == 0)
      return &d->rows[mid];
    if (c < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return NULL;
}

/* Reads one side's rows, functions or sites, sorted by name (SQLite's
 * BINARY order, that of strcmp). nbase: the number of base rows when
 * reading the new side. */
static int read_side(struct wprof_db *db, struct diff *d, int site, int is_new, size_t nbase)
{
  const char *sql = site ? "WITH RECURSIVE wanted(path_id) AS (SELECT path_id FROM alloc_sites), "
                           REPORT_SQL_WANTED_PATHS
                           " SELECT paths.path, SUM(s.alloc_objects), SUM(s.alloc_bytes), SUM(s.live_objects),"
                           " SUM(s.live_bytes) FROM alloc_sites s JOIN paths ON paths.id = s.path_id"
                           " GROUP BY paths.path ORDER BY paths.path"
                         : "SELECT name, SUM(calls), SUM(self_ns), SUM(incl_ns), SUM(self_instructions)"
                           " FROM flat_profile GROUP BY name ORDER BY name";
  sqlite3_stmt *stmt = wprof_db_prepare(db, sql);
  if (!stmt)
    return -1;
  int rc, nvalues = site ? SITE_METRICS : FUNCTION_METRICS;
  while ((rc = wprof_db_step(db, stmt)) == SQLITE_ROW) {
    const char *name = wprof_db_text(stmt, 0);
    /* A new-side row matches a base row or is appended; all rows are
     * sorted at the end. */
    struct diff_row *row = is_new ? find_base_row(d, nbase, site, name) : NULL;
    if (!row) {
      if (d->count == d->cap) {
        d->cap = d->cap ? 2 * d->cap : 64;
        d->rows = wprof_xrealloc(d->rows, sizeof *d->rows * d->cap);
      }
      row = &d->rows[d->count++];
      *row = (struct diff_row){.name = wprof_xstrdup(name), .site = site};
    }
    for (int v = 0; v < nvalues; v++)
      (is_new ? row->new : row->base)[v] = sqlite3_column_int64(stmt, 1 + v);
    *(is_new ? &row->in_new : &row->in_base) = 1;
  }
  sqlite3_finalize(stmt);
  return rc == SQLITE_DONE ? 0 : -1;
}

static int compare_rows(const void *a, const void *b)
{
  const struct diff_row *x = a, *y = b;
  if (x->site != y->site)
    return x->site - y->site;
  return strcmp(x->name, y->name);
}

static int value_index(int metric)
{
  return metrics[metric].site ? metric - FUNCTION_METRICS : metric;
}

static int crosses(const struct gate *g, const struct diff_row *row)
{
  if (metrics[g->metric].site != row->site || (g->glob && sqlite3_strglob(g->glob, row->name) != 0))
    return 0;
  int v = value_index(g->metric);
  int64_t delta = row->new[v] - row->base[v];
  if (!g->percent)
    return (double)delta > g->threshold;
  if (row->base[v] == 0)
    return delta > 0;
  return 100.0 * (double)delta / (double)row->base[v] > g->threshold;
}

static const char *format_value(char buf[WPROF_UNIT_BUF], enum unit unit, int64_t v, int delta)
{
  if (unit == UNIT_NS)
    return delta ? wprof_format_ns_delta(buf, v) : wprof_format_ns(buf, v);
  if (unit == UNIT_BYTES)
    return delta ? wprof_format_bytes_delta(buf, v) : wprof_format_bytes(buf, v);
  snprintf(buf, WPROF_UNIT_BUF, delta && v > 0 ? "+%lld" : "%lld", (long long)v);
  return buf;
}

static const char *format_change(char buf[WPROF_UNIT_BUF], const struct diff_row *row, int v, int one_sided)
{
  int64_t delta = row->new[v] - row->base[v];
  if (one_sided)
    snprintf(buf, WPROF_UNIT_BUF, "-");
  else if (!row->in_base)
    snprintf(buf, WPROF_UNIT_BUF, "new");
  else if (!row->in_new)
    snprintf(buf, WPROF_UNIT_BUF, "gone");
  else if (row->base[v] == 0)
    snprintf(buf, WPROF_UNIT_BUF, delta ? "+inf" : "0.00%%");
  else
    snprintf(buf, WPROF_UNIT_BUF, "%+.2f%%", 100.0 * (double)delta / (double)row->base[v]);
  return buf;
}

static void side_cell(struct wprof_table *t, int present, enum unit unit, int64_t v)
{
  char buf[WPROF_UNIT_BUF];
  if (present)
    wprof_table_int2(t, format_value(buf, unit, v, 0), v);
  else
    wprof_table_null(t);
}

/* Fills the table and the regression list (text lines). counted[0], [1]:
 * whether base and new counted instructions; a side that did not has no
 * value (not 0) in the instructions rows, and their change is not shown. */
static struct wprof_table *diff_table(const struct diff *d, const struct gate *gates, int ngates, const char *focus,
                                      const int counted[2], char **regressions)
{
  struct wprof_table *t = wprof_table_new();
  wprof_table_column(t, "metric", "metric", WPROF_ALIGN_LEFT, WPROF_SHOWN_BOTH);
  wprof_table_column(t, "base", "base", WPROF_ALIGN_RIGHT, WPROF_SHOWN_BOTH);
  wprof_table_column(t, "new", "new", WPROF_ALIGN_RIGHT, WPROF_SHOWN_BOTH);
  wprof_table_column(t, "delta", "delta", WPROF_ALIGN_RIGHT, WPROF_SHOWN_BOTH);
  wprof_table_column(t, "change", "change", WPROF_ALIGN_RIGHT, WPROF_SHOWN_TEXT);
  wprof_table_column(t, "kind", "kind", WPROF_ALIGN_LEFT, WPROF_SHOWN_DATA);
  wprof_table_column(t, "name", "function or call path", WPROF_ALIGN_LEFT, WPROF_SHOWN_BOTH);
  wprof_table_column(t, "fail_on", "fail_on", WPROF_ALIGN_LEFT, WPROF_SHOWN_DATA);
  *regressions = wprof_xstrdup("");
  char buf[4][WPROF_UNIT_BUF];
  for (int m = 0; m < NMETRICS; m++) {
    int v = value_index(m);
    enum unit unit = metrics[m].unit;
    for (size_t r = 0; r < d->count; r++) {
      const struct diff_row *row = &d->rows[r];
      if (row->site != metrics[m].site || (row->base[v] == 0 && row->new[v] == 0) ||
          (focus && sqlite3_strglob(focus, row->name) != 0))
        continue;
      int64_t delta = row->new[v] - row->base[v];
      const char *crossed = NULL;
      for (int g = 0; g < ngates && !crossed; g++)
        if (gates[g].metric == m && crosses(&gates[g], row))
          crossed = gates[g].resolved ? gates[g].resolved : gates[g].spec;
      wprof_table_row(t);
      wprof_table_string(t, metrics[m].name);
      int instructions = m == INSTRUCTIONS_METRIC, one_sided = instructions && counted[0] != counted[1];
      side_cell(t, row->in_base && (!instructions || counted[0]), unit, row->base[v]);
      side_cell(t, row->in_new && (!instructions || counted[1]), unit, row->new[v]);
      if (one_sided)
        wprof_table_null(t);
      else
        wprof_table_int2(t, format_value(buf[0], unit, delta, 1), delta);
      wprof_table_textf(t, "%s", format_change(buf[1], row, v, one_sided));
      wprof_table_string(t, row->site ? "site" : "function");
      wprof_table_string(t, row->name);
      if (crossed)
        wprof_table_string(t, crossed);
      else
        wprof_table_null(t);
      if (crossed) {
        char *more = wprof_xasprintf("%s  %s  %s: %s -> %s (%s, %s)\n", *regressions, crossed, row->name,
                                     format_value(buf[2], unit, row->base[v], 0),
                                     format_value(buf[3], unit, row->new[v], 0), buf[0], buf[1]);
        free(*regressions);
        *regressions = more;
      }
    }
  }
  return t;
}

static void free_diff(struct diff *d, struct gate *gates, int ngates)
{
  for (size_t i = 0; i < d->count; i++)
    free(d->rows[i].name);
  free(d->rows);
  for (int i = 0; i < ngates; i++) {
    free(gates[i].glob);
    free(gates[i].resolved);
  }
  free(gates);
}

/* A run's timing for the note below: "exact", "none" or "sampled, one
 * sample per 100 µs". */
static const char *timing_text(char buf[64], const struct wprof_run *r)
{
  char interval[WPROF_UNIT_BUF];
  if (!r->sampled)
    return r->timing;
  snprintf(buf, 64, "sampled, one sample per %s", wprof_format_ns(interval, r->sample_interval_ns));
  return buf;
}

/* Times made differently (clock reads vs. samples, or samples of different
 * lengths) differ by more than the program's change: say so, once. */
static void note_timing(const struct wprof_run *base, const struct wprof_run *new, int text)
{
  if (strcmp(base->timing, new->timing) == 0 &&
      (!base->sampled || base->sample_interval_ns == new->sample_interval_ns))
    return;
  char b[64], n[64];
  wprof_note("diff", NULL, text, stdout,
             "the two runs timed differently (base: %s, new: %s): their times are not comparable",
             timing_text(b, base), timing_text(n, new));
}

/* Gives the gates without a metric theirs (instructions when both sides
 * counted them, else calls), and fails (exit 65) when a gate on instructions
 * has a side without them. Returns the exit code. */
static int resolve_gates(struct wprof_db *base, struct wprof_db *new, struct gate *gates, int ngates)
{
  int both_counted = base->run.counted && new->run.counted;
  for (int i = 0; i < ngates; i++) {
    struct gate *g = &gates[i];
    if (g->metric == DEFAULT_METRIC) {
      g->metric = both_counted ? INSTRUCTIONS_METRIC : CALLS_METRIC;
      g->resolved = wprof_xasprintf("%s:%s", metrics[g->metric].name, g->spec);
    }
    struct wprof_db *without = !base->run.counted ? base : new;
    if (g->metric == INSTRUCTIONS_METRIC && !both_counted) {
      wprof_db_require_instructions(without);
      return wprof_fail_as(WPROF_EXIT_DATA, "diff", without->path, "--fail-on %s: %s", g->spec, without->error);
    }
  }
  return WPROF_EXIT_OK;
}

/* Opens and validates one side; prints the error, sets *rc to the exit code
 * and returns NULL on failure. */
static struct wprof_db *open_side(const char *path, int *rc)
{
  char error[512];
  struct wprof_db *db = wprof_db_open(path, error, sizeof error, rc);
  if (!db) {
    wprof_fail_as(*rc, "diff", path, "%s", error);
    return NULL;
  }
  if (wprof_db_require_calls(db)) {
    *rc = wprof_fail_as(WPROF_EXIT_DATA, "diff", path, "%s", db->error);
    wprof_db_close(db);
    return NULL;
  }
  return db;
}

int wprof_cmd_diff(int argc, char **argv)
{
  enum { OPT_FAIL_ON = 256, OPT_FOCUS, OPT_FORMAT, OPT_FLAME, OPT_FLAME_METRIC };
  static const struct option longopts[] = {{"fail-on", required_argument, NULL, OPT_FAIL_ON},
                                           {"focus", required_argument, NULL, OPT_FOCUS},
                                           {"format", required_argument, NULL, OPT_FORMAT},
                                           {"flame", required_argument, NULL, OPT_FLAME},
                                           {"flame-metric", required_argument, NULL, OPT_FLAME_METRIC},
                                           {"help", no_argument, NULL, 'h'},
                                           {NULL, 0, NULL, 0}};
  struct gate *gates = wprof_xcalloc((size_t)argc, sizeof *gates);
  int ngates = 0;
  const char *focus = NULL, *flame = NULL, *flame_metric = NULL;
  enum wprof_format format = WPROF_FORMAT_TEXT;
  struct diff d = {0};
  int rc = WPROF_EXIT_USAGE;
  optind = 0;
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
    int parsed = c == OPT_FAIL_ON ? parse_gate(optarg, &gates[ngates]) : 0;
    if (c == OPT_FAIL_ON && parsed == 0) {
      ngates++;
    } else if (c == OPT_FAIL_ON) {
      free(gates[ngates].glob);
      if (parsed == -2) {
        char names[256] = "";
        for (int i = 0; i < NMETRICS; i++)
          snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", i ? ", " : "", metrics[i].name);
        wprof_fail("diff", NULL, "unknown metric in --fail-on '%s' (%s)", optarg, names);
      } else {
        wprof_fail("diff", NULL, "bad --fail-on '%s' (METRIC:+N, METRIC:+N%%, METRIC:+N%%:GLOB or +N%%)", optarg);
      }
      goto done;
    } else if (c == OPT_FOCUS) {
      focus = optarg;
    } else if (c == OPT_FORMAT && wprof_format_parse(optarg, &format) == 0) {
      continue;
    } else if (c == OPT_FLAME) {
      flame = optarg;
    } else if (c == OPT_FLAME_METRIC) {
      flame_metric = optarg;
    } else if (c == 'h') {
      char *names = wprof_path_metric_names();
      printf(usage, names);
      free(names);
      wprof_exit_codes_print(stdout, WPROF_CMD_DIFF);
      rc = WPROF_EXIT_OK;
      goto done;
    } else {
      wprof_fail("diff", NULL, "bad option or value '%s' (see wprof diff --help)", argv[optind - 1]);
      goto done;
    }
  }
  if (argc - optind != 2) {
    wprof_fail("diff", NULL, "usage: wprof diff base.db new.db [--fail-on METRIC:+N%%] [--focus GLOB]");
    goto done;
  }
  struct wprof_flame_diff flame_diff = {.metric = flame_metric ? wprof_path_metric_find(flame_metric) : 0};
  if (flame_metric && !flame) {
    wprof_fail("diff", NULL, "--flame-metric applies to --flame only");
    goto done;
  }
  if (flame_diff.metric < 0) {
    char *names = wprof_path_metric_names();
    wprof_fail("diff", NULL, "unknown --flame-metric '%s' (%s)", flame_metric, names);
    free(names);
    goto done;
  }
  if (flame && strcmp(flame, "-") == 0) {
    wprof_fail("diff", NULL, "--flame - would mix the flame graph with the report on standard output: name a file");
    goto done;
  }
  const char *base_path = argv[optind], *new_path = argv[optind + 1];
  struct wprof_db *base = open_side(base_path, &rc), *new = base ? open_side(new_path, &rc) : NULL;
  if (!new)
    goto close;
  int both_counted = base->run.counted && new->run.counted;
  if (!flame_metric)
    flame_diff.metric = wprof_path_metric_find(both_counted ? "instructions" : "calls");
  if ((rc = resolve_gates(base, new, gates, ngates)) != WPROF_EXIT_OK)
    goto close;
  if (flame) {
    flame_diff.base = base;
    flame_diff.new = new;
    struct wprof_db *without = wprof_path_metric_require(base, flame_diff.metric) ? base
                               : wprof_path_metric_require(new, flame_diff.metric) ? new : NULL;
    if (without) {
      rc = wprof_fail_as(WPROF_EXIT_DATA, "diff", without->path, "%s", without->error);
      goto close;
    }
    if ((rc = wprof_write_output("diff", flame, wprof_flame_diff_write, &flame_diff)) != WPROF_EXIT_OK)
      goto close;
  }
  if (read_side(base, &d, 0, 0, 0) || read_side(base, &d, 1, 0, 0)) {
    rc = wprof_fail_as(WPROF_EXIT_DATA, "diff", base_path, "%s", base->error);
    goto close;
  }
  size_t nbase = d.count;
  if (read_side(new, &d, 0, 1, nbase) || read_side(new, &d, 1, 1, nbase)) {
    rc = wprof_fail_as(WPROF_EXIT_DATA, "diff", new_path, "%s", new->error);
    goto close;
  }
  qsort(d.rows, d.count, sizeof *d.rows, compare_rows);
  char *regressions;
  int counted[2] = {base->run.counted, new->run.counted};
  struct wprof_table *t = diff_table(&d, gates, ngates, focus, counted, &regressions);
  int text = format == WPROF_FORMAT_TEXT;
  if (text) {
    fputs("Base: ", stdout);
    wprof_db_print_header(base, "diff", 1, stdout);
    fputs("New:  ", stdout);
    wprof_db_print_header(new, "diff", 1, stdout);
  } else {
    wprof_db_print_header(base, "diff", 0, stdout);
    wprof_db_print_header(new, "diff", 0, stdout);
  }
  note_timing(&base->run, &new->run, text);
  if (counted[0] != counted[1])
    wprof_note("diff", NULL, text, stdout, "only %s counted instructions (wasm-instrument --cost): they do not compare",
               counted[0] ? "base" : "new");
  wprof_table_print(t, format, stdout);
  if (*regressions) {
    FILE *to = text ? stdout : stderr;
    fprintf(to, "%sRegressions:\n%s", text ? "\n" : "", regressions);
  }
  rc = fflush(stdout) ? wprof_fail_as(WPROF_EXIT_CANT_CREATE, "diff", NULL, "cannot write the report")
                      : *regressions ? WPROF_EXIT_REGRESSION : WPROF_EXIT_OK;
  free(regressions);
  wprof_table_free(t);
close:
  wprof_db_close(base);
  wprof_db_close(new);
done:
  free_diff(&d, gates, ngates);
  return rc;
}
