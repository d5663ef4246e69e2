/* `wprof report prof.db [view] [options]`: the command line of the report
 * subcommand. Parses options, opens and validates the database, runs the view
 * (report-*.c) and prints header, summary and table in the chosen format. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "util.h"
#include "wprof_analyzer.h"

/* Which options a view accepts, so a misplaced option is an error rather
 * than silently ignored. */
enum {
  ACCEPT_SORT = 1 << 0,
  ACCEPT_LIMIT = 1 << 1,
  ACCEPT_FOCUS = 1 << 2,
  ACCEPT_TREE = 1 << 3, /* --min-percent, --depth */
  ACCEPT_SAMPLE = 1 << 4,
  ACCEPT_METRIC = 1 << 5
};

struct view {
  const char *name;
  int (*run)(struct wprof_db *, const struct report_options *, struct report_result *);
  int accepts;
  int needs_calls, needs_trace, takes_function;
};

static const struct view views[] = {
    {"top", report_top, ACCEPT_SORT | ACCEPT_LIMIT | ACCEPT_FOCUS | ACCEPT_METRIC, 1, 0, 0},
    {"tree", report_tree, ACCEPT_TREE | ACCEPT_METRIC, 1, 0, 0},
    {"peek", report_peek, ACCEPT_METRIC, 1, 0, 1},
    {"allocs", report_allocs, ACCEPT_LIMIT | ACCEPT_FOCUS | ACCEPT_SAMPLE, 1, 0, 0},
    {"leaks", report_leaks, ACCEPT_LIMIT | ACCEPT_FOCUS, 1, 0, 0},
    {"peak", report_peak, ACCEPT_LIMIT | ACCEPT_FOCUS, 1, 0, 0},
    {"calls", report_calls, ACCEPT_LIMIT | ACCEPT_FOCUS, 1, 1, 0},
    {"info", report_info, 0, 0, 0, 0},
};

static const char usage[] =
    "usage: wprof report prof.db [VIEW] [options]\n"
    "views:\n"
    "  top           functions by self (flat) and inclusive (cum) time or instructions [default];\n"
    "                their source file:line when the module had DWARF (clang -g)\n"
    "  tree          the calling-context tree\n"
    "  peek FUNC     callers and callees of the functions matching the glob FUNC\n"
    "  allocs        allocation sites by call path\n"
    "  leaks         blocks still allocated at exit, by site\n"
    "  peak          what was live at the heap's peak, by site\n"
    "  calls         the slowest single calls (needs a --trace database)\n"
    "  info          the run: module, arguments, clock, status, counters\n"
    "options:\n"
    "  --format text|csv|json   output format (csv/json print raw integers) [text]\n"
    "  --metric time|instructions   top, tree, peek: weigh by time, or by the exact wasm\n"
    "                instructions of a module rewritten with `wasm-instrument --cost`\n"
    "                [time; instructions when the run counted them and has no time]\n"
    "  --sort flat|cum|calls|name   top: sort order [flat; calls with neither time nor instructions]\n"
    "  --limit N     at most N rows, 0 for all [20]\n"
    "  --focus GLOB  top: only functions matching GLOB; allocs/leaks/peak/calls: only paths\n"
    "  --ignore GLOB the opposite of --focus\n"
    "  --min-percent P  tree: prune paths under P% of the traced time (or instructions) [0.5]\n"
    "  --depth N     tree: at most N levels, 0 for all [0]\n"
    "  --sample alloc_space|alloc_objects|inuse_space|inuse_objects   allocs [alloc_space]\n"
    "exit status:\n";

int64_t report_sql_limit(const struct report_options *o)
{
  return o->limit > 0 ? o->limit : -1;
}

sqlite3_stmt *report_prepare_filtered(struct wprof_db *db, char *sql, const struct report_options *o)
{
  sqlite3_stmt *stmt = wprof_db_prepare(db, sql);
  free(sql);
  if (stmt) {
    wprof_db_bind_text(stmt, 1, o->focus);
    wprof_db_bind_text(stmt, 2, o->ignore);
  }
  return stmt;
}

static int parse_sort(const char *s, enum report_sort *out)
{
  static const char *const names[] = {"flat", "cum", "calls", "name"};
  for (int i = 0; i < 4; i++)
    if (strcmp(s, names[i]) == 0) {
      *out = (enum report_sort)(SORT_FLAT + i);
      return 0;
    }
  return -1;
}

static int parse_sample(const char *s)
{
  return strcmp(s, "alloc_space") && strcmp(s, "alloc_objects") && strcmp(s, "inuse_space") &&
                 strcmp(s, "inuse_objects")
             ? -1
             : 0;
}

/* Parses argv into o and the database path; returns 0 or an exit code. */
static int parse_args(int argc, char **argv, struct report_options *o, const char **db_path, int *given)
{
  enum { OPT_FORMAT = 256, OPT_SORT, OPT_LIMIT, OPT_FOCUS, OPT_IGNORE, OPT_MIN_PERCENT, OPT_DEPTH, OPT_SAMPLE, OPT_METRIC };
  static const struct option longopts[] = {
      {"format", required_argument, NULL, OPT_FORMAT}, {"sort", required_argument, NULL, OPT_SORT},
      {"limit", required_argument, NULL, OPT_LIMIT},   {"focus", required_argument, NULL, OPT_FOCUS},
      {"ignore", required_argument, NULL, OPT_IGNORE}, {"min-percent", required_argument, NULL, OPT_MIN_PERCENT},
      {"depth", required_argument, NULL, OPT_DEPTH},   {"sample", required_argument, NULL, OPT_SAMPLE},
      {"metric", required_argument, NULL, OPT_METRIC}, {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  *given = 0;
  optind = 0;
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1 || optind < argc) {
    if (c == -1) { /* a positional argument: collect it and go on parsing */
      const char *arg = argv[optind++];
      if (!*db_path)
        *db_path = arg;
      else if (!o->view)
        o->view = arg;
      else if (!o->function)
        o->function = arg;
      else
        return wprof_fail("report", NULL, "unexpected argument '%s'", arg);
      continue;
    }
    switch (c) {
    case 'h':
      fputs(usage, stdout);
      wprof_exit_codes_print(stdout, WPROF_CMD_REPORT);
      return -1;
    case OPT_FORMAT:
      if (wprof_format_parse(optarg, &o->format))
        return wprof_fail("report", NULL, "unknown format '%s' (text, csv or json)", optarg);
      break;
    case OPT_SORT:
      *given |= ACCEPT_SORT;
      if (parse_sort(optarg, &o->sort))
        return wprof_fail("report", NULL, "unknown sort '%s' (flat, cum, calls or name)", optarg);
      break;
    case OPT_LIMIT:
      *given |= ACCEPT_LIMIT;
      if (wprof_parse_count(optarg, &o->limit))
        return wprof_fail("report", NULL, "bad --limit '%s' (a number, 0 for all)", optarg);
      break;
    case OPT_FOCUS:
      *given |= ACCEPT_FOCUS;
      o->focus = optarg;
      break;
    case OPT_IGNORE:
      *given |= ACCEPT_FOCUS;
      o->ignore = optarg;
      break;
    case OPT_MIN_PERCENT:
      *given |= ACCEPT_TREE;
      if (wprof_parse_decimal(optarg, &o->min_percent) || o->min_percent > 100)
        return wprof_fail("report", NULL, "bad --min-percent '%s' (0 to 100)", optarg);
      break;
    case OPT_DEPTH:
      *given |= ACCEPT_TREE;
      if (wprof_parse_count(optarg, &o->depth))
        return wprof_fail("report", NULL, "bad --depth '%s' (a number, 0 for all)", optarg);
      break;
    case OPT_METRIC:
      *given |= ACCEPT_METRIC;
      if (strcmp(optarg, "time") == 0)
        o->metric = METRIC_TIME;
      else if (strcmp(optarg, "instructions") == 0)
        o->metric = METRIC_INSTRUCTIONS;
      else
        return wprof_fail("report", NULL, "unknown metric '%s' (time or instructions)", optarg);
      break;
    case OPT_SAMPLE:
      *given |= ACCEPT_SAMPLE;
      if (parse_sample(optarg))
        return wprof_fail("report", NULL,
                          "unknown sample '%s' (alloc_space, alloc_objects, inuse_space or inuse_objects)", optarg);
      o->sample = optarg;
      break;
    default:
      return wprof_fail("report", NULL, "bad option '%s' (see wprof report --help)", argv[optind - 1]);
    }
  }
  if (!*db_path)
    return wprof_fail("report", NULL, "missing database (usage: wprof report prof.db [view] [options])");
  return 0;
}

int wprof_cmd_report(int argc, char **argv)
{
  struct report_options o = {.format = WPROF_FORMAT_TEXT, .limit = 20, .min_percent = 0.5, .sample = "alloc_space"};
  const char *db_path = NULL;
  int given;
  int rc = parse_args(argc, argv, &o, &db_path, &given);
  if (rc)
    return rc < 0 ? WPROF_EXIT_OK : rc;
  if (!o.view)
    o.view = "top";
  const struct view *view = NULL;
  for (size_t i = 0; i < sizeof views / sizeof views[0]; i++)
    if (strcmp(views[i].name, o.view) == 0)
      view = &views[i];
  if (!view)
    return wprof_fail("report", NULL, "unknown view '%s' (top, tree, peek, allocs, leaks, peak, calls or info)",
                      o.view);
  if (given & ~view->accepts)
    return wprof_fail("report", NULL, "an option given does not apply to the %s view (see --help)", view->name);
  if (view->takes_function != (o.function != NULL))
    return wprof_fail("report", NULL, view->takes_function ? "peek needs a function name or glob"
                                                           : "unexpected argument '%s'", o.function);

  char error[512];
  struct wprof_db *db = wprof_db_open(db_path, error, sizeof error, &rc);
  if (!db)
    return wprof_fail_as(rc, "report", db_path, "%s", error);
  if (o.metric == METRIC_DEFAULT)
    o.metric = wprof_prefers_instructions(&db->run) ? METRIC_INSTRUCTIONS : METRIC_TIME;
  if (o.sort == SORT_DEFAULT)
    o.sort = db->run.timed || o.metric == METRIC_INSTRUCTIONS ? SORT_FLAT : SORT_CALLS;
  struct report_result result = {0};
  if ((view->needs_calls && wprof_db_require_calls(db)) || (view->needs_trace && wprof_db_require_trace(db)) ||
      (o.metric == METRIC_INSTRUCTIONS && wprof_db_require_instructions(db)) || view->run(db, &o, &result)) {
    rc = wprof_fail_as(WPROF_EXIT_DATA, "report", db_path, "%s", db->error);
  } else {
    int text = o.format == WPROF_FORMAT_TEXT;
    wprof_db_print_header(db, "report", text, stdout);
    if (text && result.summary)
      fputs(result.summary, stdout);
    if (wprof_table_print(result.table, o.format, stdout) || fflush(stdout))
      rc = wprof_fail_as(WPROF_EXIT_CANT_CREATE, "report", NULL, "cannot write the report");
  }
  wprof_table_free(result.table);
  free(result.summary);
  wprof_db_close(db);
  return rc;
}
