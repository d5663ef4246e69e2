/*
** `wprof run`: parse the command line, check the preopened directories and
** hand over to an engine: the wasm2c host (runtime-shim/host), which builds,
** runs and records the module in this process, or the Node engine
** (runtime-shim/node: the wprof_node.node addon and the driver
** wprof-run-node.mjs), which this process becomes by exec'ing node, so that
** the guest's stdio, the signals and the exit status pass through unchanged.
** --engine auto takes Node for what wasm2c cannot translate, and for a big
** module not compiled yet.
*/
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "host.h"
#include "units.h"
#include "xalloc.h"

static const char help[] =
    "usage: wprof run [OPTIONS] MODULE.wasm [--] [ARGS...]\n"
    "\n"
    "Runs a WASI command module (instrumented by wasm-instrument, or plain for a\n"
    "baseline) and writes its profile to a SQLite database.\n"
    "Its stdin, stdout, stderr and exit code are passed through unchanged.\n"
    "\n"
    "options:\n"
    "  -o, --output FILE     database to write (default wprof.db); written whole\n"
    "                        at the end: a symbolic link is followed and its\n"
    "                        target replaced, a device or a FIFO gets the file\n"
    "      --timing MODE     where the times come from (docs/schema.md):\n"
    "                          sampled  (default) a timer interrupts the guest every\n"
    "                                   --sample-interval and counts a sample on\n"
    "                                   its call path; the probes read no clock;\n"
    "                                   samples inside the probes are reported\n"
    "                                   apart, as the profiler's own cost\n"
    "                          exact    a clock read at every call and return:\n"
    "                                   per-call durations, but each read slows\n"
    "                                   the program and skews call-dense code\n"
    "                          none     counts only: every time is 0\n"
    "      --no-timing       the same as --timing none\n"
    "      --sample-interval T  sampled time: one sample per T of wall-clock time,\n"
    "                        from 100us to 1s (default 1ms); units ns, us, ms, s\n"
    "      --trace           also record every call and allocation event (what\n"
    "                        the writer cannot keep up with waits in a temporary\n"
    "                        file beside the database, so nothing is dropped);\n"
    "                        timing exact unless --timing none is given\n"
    "      --deterministic   the guest's clocks are virtual (they start at\n"
    "                        2000-01-01T00:00:00Z, or 0, and advance 1us per read;\n"
    "                        a sleep returns at once, advancing them) and\n"
    "                        random_get gives fixed bytes: a program that reads\n"
    "                        the time or random bytes repeats its counts and\n"
    "                        allocations exactly (times still vary)\n"
    "      --dir HOST[:GUEST]  let the guest use directory HOST, named GUEST\n"
    "                        (default: HOST); repeatable; nothing else is visible\n"
    "      --env KEY=VALUE   set a guest environment variable (none is inherited);\n"
    "                        repeatable\n"
    "      --engine E        what runs the guest (the database is the same):\n"
    "                          wasm2c  translated to C and compiled (cached): the\n"
    "                                  fastest guest, a slow first run of a big module\n"
    "                          node    Node's V8 (node on PATH, or $WPROF_NODE), with\n"
    "                                  the addon, recorder and driver of\n"
    "                                  runtime-shim/node; a probe event costs more\n"
    "                                  (2-5 ns, about 45 with exact timing or --trace)\n"
    "                          auto    (default) node for a module wasm2c cannot\n"
    "                                  translate (tail calls, SIMD) or of 1 MiB or\n"
    "                                  more not compiled yet, else wasm2c\n"
    "  -q, --quiet           print nothing of our own on stderr but errors (no\n"
    "                        progress, trap, interruption or summary line)\n"
    "  -h, --help            this help\n"
    "\n"
    "With wasm2c, the module is translated and compiled once (cc -O2 -fno-plt) and cached under\n"
    "$WPROF_CACHE_DIR, else $XDG_CACHE_HOME/wprof, else ~/.cache/wprof.\n"
    "SIGINT, SIGTERM or SIGHUP stops the guest at its next call and still writes the\n"
    "database (status 'interrupted'); a second one exits at once without it.\n"
    "Once the guest has finished, the first one stops storing a --trace\n"
    "backlog: the rows not stored are counted in run.lost_events.\n"
    "\n"
    "exit status:\n"
    "  the guest's exit code  when it exits (proc_exit, or 0 when _start returns);\n"
    "       the system keeps its low 8 bits (proc_exit(300) exits 44), and a guest\n"
    "       may exit with one of the codes below: run.status and run.exit_code in\n"
    "       the database tell them apart\n";

static int usage_error(const char *what, const char *reason) {
  fprintf(stderr, "wprof run: %s: %s (wprof run --help)\n", what, reason);
  return WPROF_EXIT_USAGE;
}

static int parse_timing(const char *arg, enum wprof_timing *out) {
  static const struct {
    const char *name;
    enum wprof_timing timing;
  } modes[] = {{"sampled", WPROF_TIMING_SAMPLED}, {"exact", WPROF_TIMING_EXACT}, {"none", WPROF_TIMING_NONE}};
  for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
    if (strcmp(arg, modes[i].name) == 0) {
      *out = modes[i].timing;
      return 0;
    }
  }
  return usage_error(arg, "--timing expects sampled, exact or none");
}

static int parse_interval(const char *arg, uint64_t *out) {
  int64_t ns;
  if (wprof_parse_ns(arg, &ns) != 0 || ns < WPROF_SAMPLE_INTERVAL_MIN || ns > WPROF_SAMPLE_INTERVAL_MAX)
    return usage_error(arg, "--sample-interval expects a time from 100us to 1s, e.g. 250us or 1ms");
  *out = (uint64_t)ns;
  return 0;
}

/* "HOST[:GUEST]" -> a preopen; the strings point into arg. */
static int parse_dir(char *arg, struct wprof_wasi_preopen *out) {
  char *colon = strchr(arg, ':');
  if (colon) *colon = '\0';
  out->host_path = arg;
  out->guest_path = colon ? colon + 1 : arg;
  if (!*out->host_path || !*out->guest_path) return usage_error("--dir", "expects HOST[:GUEST]");
  struct stat st;
  const char *problem = stat(out->host_path, &st) != 0 ? strerror(errno)
                        : !S_ISDIR(st.st_mode)         ? "not a directory"
                                                       : NULL;
  if (problem) {
    fprintf(stderr, "wprof run: %s: %s\n", out->host_path, problem);
    return WPROF_EXIT_NO_INPUT;
  }
  return 0;
}

enum engine { ENGINE_AUTO, ENGINE_WASM2C, ENGINE_NODE };

static int parse_engine(const char *arg, enum engine *out) {
  if (strcmp(arg, "auto") == 0) *out = ENGINE_AUTO;
  else if (strcmp(arg, "wasm2c") == 0) *out = ENGINE_WASM2C;
  else if (strcmp(arg, "node") == 0) *out = ENGINE_NODE;
  else return usage_error(arg, "--engine expects node, wasm2c or auto");
  return 0;
}

/* What wasm2c 1.0.32 cannot translate and V8 runs: tail calls, SIMD. */
static bool wasm2c_cannot_translate(const struct wprof_module_file *m) { return m->uses_simd || m->uses_tail_calls; }

/* From this size on a module not built yet goes to Node with --engine auto:
** wasm2c and cc take minutes on a few MB of wasm (2 minutes for a 1.8 MB
** C++ module, issue 12), where V8 starts it in a second or two. */
#define AUTO_NODE_MIN_BYTES (1024u * 1024u)

/* The driver of the Node engine, found relative to this executable:
** BUILD/cli/wprof -> BUILD/runtime-shim/node/wprof-run-node.mjs. */
static char *node_driver_path(void) {
  char exe[4096];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0) return NULL;
  exe[n] = '\0';
  char *slash = strrchr(exe, '/');
  if (slash) *slash = '\0';
  char *path;
  return asprintf(&path, "%s/../runtime-shim/node/wprof-run-node.mjs", exe) < 0 ? NULL : path;
}

/* Becomes `node wprof-run-node.mjs OPTIONS MODULE -- ARGS` (returns only on failure). */
static int exec_node(const struct wprof_host_options *opts) {
  int rc = wprof_host_check_db_dir(opts->db_path);
  if (rc) return rc;
  char *driver = node_driver_path();
  if (!driver || access(driver, R_OK) != 0) {
    fprintf(stderr, "wprof run: --engine node: %s: %s (this wprof was built without node_api.h)\n",
            driver ? driver : "the driver", strerror(errno));
    free(driver);
    return WPROF_EXIT_UNSUPPORTED;
  }
  static const char *const timings[] = {[WPROF_TIMING_NONE] = "none", [WPROF_TIMING_EXACT] = "exact",
                                        [WPROF_TIMING_SAMPLED] = "sampled"};
  const char *node = getenv("WPROF_NODE") && *getenv("WPROF_NODE") ? getenv("WPROF_NODE") : "node";
  char **args = wprof_xcalloc((size_t)(17 + 2 * (opts->npreopens + opts->envc) + opts->guest_argc), sizeof *args);
  char interval[32];
  snprintf(interval, sizeof interval, "%llu", (unsigned long long)opts->sample_interval_ns);
  int n = 0;
  args[n++] = (char *)node;
  args[n++] = driver;
  args[n++] = "--output", args[n++] = (char *)opts->db_path;
  args[n++] = "--timing", args[n++] = (char *)timings[opts->timing];
  args[n++] = "--sample-interval", args[n++] = interval;
  if (opts->trace) args[n++] = "--trace";
  if (opts->quiet) args[n++] = "--quiet";
  if (opts->deterministic) args[n++] = "--deterministic";
  for (int i = 0; i < opts->npreopens; i++) {
    size_t len = strlen(opts->preopens[i].host_path) + strlen(opts->preopens[i].guest_path) + 2;
    char *dir = wprof_xmalloc(len);
    snprintf(dir, len, "%s:%s", opts->preopens[i].host_path, opts->preopens[i].guest_path);
    args[n++] = "--dir", args[n++] = dir;
  }
  for (int i = 0; i < opts->envc; i++) args[n++] = "--env", args[n++] = opts->envp[i];
  args[n++] = "--";
  for (int i = 0; i < opts->guest_argc; i++) args[n++] = opts->guest_argv[i];
  fflush(NULL);
  execvp(node, args);
  fprintf(stderr, "wprof run: --engine node: cannot run %s: %s\n", node, strerror(errno));
  for (int i = 0; args[i]; i++)
    if (i > 0 && strcmp(args[i - 1], "--dir") == 0) free(args[i]);
  free(args);
  free(driver);
  return WPROF_EXIT_UNSUPPORTED;
}

/* Runs the module with the engine asked for, or the one auto picks. */
static int run_engine(const struct wprof_host_options *opts, enum engine engine) {
  struct wprof_module_file module;
  int rc = wprof_host_load(opts->module_path, &module);
  if (rc) return rc;
  if (engine == ENGINE_AUTO)
    engine = wasm2c_cannot_translate(&module) || (module.len >= AUTO_NODE_MIN_BYTES && !wprof_host_is_cached(&module))
                 ? ENGINE_NODE
                 : ENGINE_WASM2C;
  if (engine == ENGINE_WASM2C) return wprof_host_run(opts, &module);
  wprof_host_unload(&module);
  return exec_node(opts);
}

int wprof_cmd_run(int argc, char **argv) {
  static const struct option longopts[] = {
      {"output", required_argument, NULL, 'o'}, {"trace", no_argument, NULL, 'T'},
      {"no-timing", no_argument, NULL, 'N'},    {"dir", required_argument, NULL, 'd'},
      {"timing", required_argument, NULL, 't'}, {"sample-interval", required_argument, NULL, 'i'},
      {"deterministic", no_argument, NULL, 'D'}, {"engine", required_argument, NULL, 'E'},
      {"env", required_argument, NULL, 'e'},    {"quiet", no_argument, NULL, 'q'},
      {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
  };
  struct wprof_host_options opts = {.db_path = "wprof.db"};
  bool timing_given = false, interval_given = false;
  enum engine engine = ENGINE_AUTO;
  struct wprof_wasi_preopen *dirs = wprof_xcalloc((size_t)argc, sizeof *dirs);
  char **env = wprof_xcalloc((size_t)argc, sizeof *env);
  int rc = 0, c;
  opts.preopens = dirs;
  opts.envp = env;
  optind = 0; /* glibc: full re-initialisation; '+': stop at the module name */
  opterr = 0;
  while (rc == 0 && (c = getopt_long(argc, argv, "+:o:qh", longopts, NULL)) != -1) {
    switch (c) {
      case 'o': opts.db_path = optarg; break;
      case 'T': opts.trace = true; break;
      case 'N': opts.timing = WPROF_TIMING_NONE, timing_given = true; break;
      case 't': rc = parse_timing(optarg, &opts.timing), timing_given = true; break;
      case 'i': rc = parse_interval(optarg, &opts.sample_interval_ns), interval_given = true; break;
      case 'q': opts.quiet = true; break;
      case 'D': opts.deterministic = true; break;
      case 'E': rc = parse_engine(optarg, &engine); break;
      case 'd': rc = parse_dir(optarg, &dirs[opts.npreopens++]); break;
      case 'e':
        if (!strchr(optarg, '=') || optarg[0] == '=') rc = usage_error(optarg, "--env expects KEY=VALUE");
        env[opts.envc++] = optarg;
        break;
      case 'h':
        fputs(help, stdout);
        wprof_exit_codes_print(stdout, WPROF_CMD_RUN);
        goto out;
      case ':': rc = usage_error(argv[optind - 1], "needs an argument"); break;
      default: /* '?': optopt is the unknown short option, 0 for a long one */
        rc = usage_error(optopt ? (char[]){'-', (char)optopt, '\0'} : argv[optind - 1], "unknown option");
        break;
    }
  }
  if (rc) goto out;
  if (!timing_given) opts.timing = opts.trace ? WPROF_TIMING_EXACT : WPROF_TIMING_SAMPLED;
  if (opts.trace && opts.timing == WPROF_TIMING_SAMPLED) {
    rc = usage_error("--trace", "records per-call durations: use --timing exact (its default) or none");
    goto out;
  }
  if (interval_given && opts.timing != WPROF_TIMING_SAMPLED) {
    rc = usage_error("--sample-interval", "only applies to --timing sampled");
    goto out;
  }
  if (optind >= argc) {
    rc = usage_error("MODULE.wasm", "no module given");
    goto out;
  }
  if (!*opts.db_path) {
    rc = usage_error("-o", "empty database name");
    goto out;
  }
  opts.module_path = argv[optind];
  struct stat module_st, db_st;
  if (stat(opts.module_path, &module_st) == 0 && stat(opts.db_path, &db_st) == 0 &&
      module_st.st_dev == db_st.st_dev && module_st.st_ino == db_st.st_ino) {
    rc = usage_error(opts.db_path, "the database would replace the module itself");
    goto out;
  }
  /* the guest's argv: the module path, then everything after it (minus a leading --) */
  int first = optind + 1;
  if (first < argc && strcmp(argv[first], "--") == 0) first++;
  argv[first - 1] = argv[optind];
  opts.guest_argc = argc - first + 1;
  opts.guest_argv = argv + first - 1;
  rc = run_engine(&opts, engine);
out:
  free(dirs);
  free(env);
  return rc;
}
