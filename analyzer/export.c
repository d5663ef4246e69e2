/* `wprof export --format pprof|callgrind|chrome|folded|html prof.db -o FILE`: the
 * command line of the export subcommand. Validates everything it can before
 * creating anything, then writes FILE through output.h, so a failure never
 * leaves a partial file behind. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "output.h"
#include "path-metrics.h"
#include "units.h"
#include "util.h"
#include "wprof_analyzer.h"

struct exporter {
  const char *name;
  int (*write)(struct wprof_db *, const struct export_options *, FILE *);
  int needs_trace;
  int weighed; /* stacks weighed by a metric of path-metrics.h: --value applies */
};

static const struct exporter exporters[] = {
    {"pprof", export_pprof, 0, 0},
    {"callgrind", export_callgrind, 0, 0},
    {"chrome", export_chrome, 1, 0},
    {"folded", export_folded, 0, 1},
    {"html", export_html, 0, 1},
};

static const char usage[] =
    "usage: wprof export --format pprof|callgrind|chrome|folded|html prof.db -o FILE [options]\n"
    "  pprof      gzipped profile.proto for `go tool pprof`: calls and time per call path\n"
    "             (a sampled run: samples, cpu and calls, like Go's CPU profiles), then\n"
    "             instructions when the module counted them (wasm-instrument --cost)\n"
    "             --heap: allocations instead (alloc_objects, alloc_space, inuse_objects, inuse_space)\n"
    "             --sample-index NAME: the default sample type [time, or cpu; instructions when\n"
    "             the run counted them and has no time; inuse_space with --heap]\n"
    "             source file and line of each function when the module had DWARF (clang -g)\n"
    "  callgrind  for callgrind_annotate / KCachegrind: events ns (and Samples for a sampled run), calls\n"
    "             and Ir (instructions, when the module counted them); each function in its\n"
    "             source file at its first line when the module had DWARF\n"
    "  chrome     Chrome trace event JSON (chrome://tracing, Perfetto); needs a --trace database\n"
    "             --from TIME, --to TIME: only the calls that overlap this window of the run\n"
    "             (TIME since the run's start: 1500, 1.5us, 20ms, 2s; ns without a unit)\n"
    "  folded     'a;b;c value' lines for flame graph tools, the value each path's own\n"
    "  html       an interactive flame graph in one self-contained HTML file (no network):\n"
    "             frames as wide as their inclusive value; click to zoom, search, tooltips\n"
    "--value NAME (folded, html): the metric the stacks are weighed by: %s\n"
    "  [time when the run has time, else instructions when counted (wasm-instrument --cost),\n"
    "  else calls; 'self' is time; samples for a sampled run; instructions: self instructions]\n"
    "-o FILE: replaced atomically (a symbolic link is followed, its target replaced);\n"
    "  -o - writes to standard output; a device or a FIFO is written directly\n"
    "exit status (no file is written unless it is 0):\n";

static void print_usage(void)
{
  char *names = wprof_path_metric_names();
  printf(usage, names);
  free(names);
  wprof_exit_codes_print(stdout, WPROF_CMD_EXPORT);
}

/* What write_export needs: the database, the writer and its options. */
struct export_job {
  struct wprof_db *db;
  const struct exporter *exporter;
  const struct export_options *options;
};

static int write_export(void *context, FILE *out)
{
  struct export_job *job = context;
  if (job->exporter->write(job->db, job->options, out))
    return wprof_fail_as(WPROF_EXIT_DATA, "export", job->db->path, "%s", job->db->error);
  return WPROF_EXIT_OK;
}

int wprof_cmd_export(int argc, char **argv)
{
  enum { OPT_FORMAT = 256, OPT_HEAP, OPT_SAMPLE_INDEX, OPT_VALUE, OPT_FROM, OPT_TO };
  static const struct option longopts[] = {
      {"format", required_argument, NULL, OPT_FORMAT},       {"output", required_argument, NULL, 'o'},
      {"heap", no_argument, NULL, OPT_HEAP},                 {"sample-index", required_argument, NULL, OPT_SAMPLE_INDEX},
      {"value", required_argument, NULL, OPT_VALUE},         {"help", no_argument, NULL, 'h'},
      {"from", required_argument, NULL, OPT_FROM},           {"to", required_argument, NULL, OPT_TO},
      {NULL, 0, NULL, 0}};
  struct export_options o = {.to_ns = -1};
  const char *format = NULL, *output = NULL, *db_path = NULL, *value = NULL, *from = NULL, *to = NULL;
  optind = 0;
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
    switch (c) {
    case OPT_FORMAT:
      format = optarg;
      break;
    case 'o':
      output = optarg;
      break;
    case OPT_HEAP:
      o.heap = 1;
      break;
    case OPT_SAMPLE_INDEX:
      o.sample_index = optarg;
      break;
    case OPT_VALUE:
      value = optarg;
      break;
    case OPT_FROM:
      from = optarg;
      break;
    case OPT_TO:
      to = optarg;
      break;
    case 'h':
      print_usage();
      return WPROF_EXIT_OK;
    default:
      return wprof_fail("export", NULL, "bad option '%s' (see wprof export --help)", argv[optind - 1]);
    }
  }
  if (optind < argc)
    db_path = argv[optind++];
  if (optind < argc)
    return wprof_fail("export", NULL, "unexpected argument '%s'", argv[optind]);
  if (!format || !db_path || !output)
    return wprof_fail("export", NULL, "usage: wprof export --format FORMAT prof.db -o FILE");

  const struct exporter *e = NULL;
  for (size_t i = 0; i < sizeof exporters / sizeof exporters[0]; i++)
    if (strcmp(exporters[i].name, format) == 0)
      e = &exporters[i];
  if (!e)
    return wprof_fail("export", NULL, "unknown format '%s' (pprof, callgrind, chrome, folded or html)", format);
  int pprof = e->write == export_pprof;
  if ((o.heap || o.sample_index) && !pprof)
    return wprof_fail("export", NULL, "--heap and --sample-index apply to --format pprof only");
  if (value && !e->weighed)
    return wprof_fail("export", NULL, "--value applies to --format folded and html only");
  o.value = value ? wprof_path_metric_find(value) : -1;
  if (value && o.value < 0) {
    char *names = wprof_path_metric_names();
    wprof_fail("export", NULL, "unknown --value '%s' (%s)", value, names);
    free(names);
    return WPROF_EXIT_USAGE;
  }
  if ((from || to) && e->write != export_chrome)
    return wprof_fail("export", NULL, "--from and --to apply to --format chrome only");
  const char *bad_time = NULL;
  if (from && wprof_parse_ns(from, &o.from_ns))
    bad_time = from;
  else if (to && wprof_parse_ns(to, &o.to_ns))
    bad_time = to;
  if (bad_time)
    return wprof_fail("export", NULL, "bad time '%s' (a number, then ns, us, ms or s)", bad_time);
  if (to && o.from_ns > o.to_ns)
    return wprof_fail("export", NULL, "--from %s is after --to %s", from, to);
  if (o.sample_index) {
    int kind = export_pprof_sample_kind(o.sample_index);
    if (kind < 0 || (o.heap && kind == 0))
      return wprof_fail("export", NULL,
                        "unknown --sample-index '%s' (calls, time; samples, cpu if sampled; instructions if counted; with --heap"
                        " alloc_objects, alloc_space, inuse_objects, inuse_space)", o.sample_index);
    o.heap |= kind;
  }

  char error[512];
  int rc;
  struct wprof_db *db = wprof_db_open(db_path, error, sizeof error, &rc);
  if (!db)
    return wprof_fail_as(rc, "export", db_path, "%s", error);
  if (e->weighed && o.value < 0)
    o.value = wprof_path_metric_default(&db->run);
  if (wprof_db_require_calls(db) || (e->needs_trace && wprof_db_require_trace(db)) ||
      (e->weighed && wprof_path_metric_require(db, o.value))) {
    rc = wprof_fail_as(WPROF_EXIT_DATA, "export", db_path, "%s", db->error);
  } else {
    wprof_db_print_header(db, "export", 0, stderr);
    struct export_job job = {db, e, &o};
    rc = wprof_write_output("export", output, write_export, &job);
  }
  wprof_db_close(db);
  return rc;
}
