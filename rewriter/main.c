/*
** wasm-instrument: the command line of the rewriter.
**
** Reads a module, checks it (wasm-scan here, wabt's wasm-validate in a
** parallel process), decides per function what to probe, lets binaryen do
** the rewriting in an isolated child (isolate.c, instrument.c), finishes the
** binary (sections.c) and writes it atomically. Every failure is one line on
** stderr and a documented exit code; no partial output is ever left.
*/
#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <binaryen-c.h>

#include "allocators.h"
#include "atomic-file.h"
#include "exit-codes.h"
#include "xalloc.h"
#include "instrument.h"
#include "isolate.h"
#include "sections.h"
#include "wasm-scan.h"

extern char **environ;

static const char usage_text[] =
    "Usage: wasm-instrument [options] in.wasm out.wasm\n"
    "       wasm-instrument --list in.wasm\n"
    "\n"
    "Rewrites a WebAssembly module so that every function reports its calls, and\n"
    "every allocator its allocations, to probes imported from module \"wprof\"\n"
    "(probe ABI version %d, docs/probe-abi.md). The output behaves exactly like\n"
    "the input; run it with `wprof run` or any host implementing the ABI.\n"
    "out.wasm is replaced atomically (it may be in.wasm itself; a symbolic link\n"
    "is followed and its target replaced); a device or a FIFO is written to.\n"
    "\n"
    "Options:\n"
    "  --include GLOB     probe only functions whose name matches GLOB (repeatable)\n"
    "  --exclude GLOB     do not probe functions whose name matches GLOB (repeatable)\n"
    "  --no-alloc         no allocation probes\n"
    "  --count-leaves     tiny leaf functions (no loop, no call, at most 64\n"
    "                     instructions) get one count probe instead of a frame:\n"
    "                     their calls stay exact and cost about half as much,\n"
    "                     but their own time may be their caller's\n"
    "  --cost             also count the wasm instructions the module executes,\n"
    "                     exactly (docs/probe-abi.md, \"Instruction cost\"): wprof\n"
    "                     then records instructions per call path\n"
    "  --alloc NAME=KIND  also treat function NAME as an allocator of KIND:\n"
    "                     %s\n"
    "  --list             list the functions and the allocators found; write nothing\n"
    "  --skip-validation  do not check the input with wabt's validator (about half\n"
    "                     the CPU time); binaryen still validates the output. Only for\n"
    "                     modules straight from a compiler: an invalid input may then\n"
    "                     be rewritten instead of refused\n"
    "  -q, --quiet        no warnings\n"
    "  -h, --help         this help\n"
    "      --version      the version and probe ABI version\n"
    "\n"
    "Exit status (success: the output was written, or the list printed):\n";

struct options {
  const char *input, *output;
  const char **include, **exclude;
  size_t num_include, num_exclude;
  struct custom_alloc {
    const char *name;
    enum alloc_kind kind;
  } *custom;
  size_t num_custom;
  bool no_alloc, list, quiet, skip_validation, count_leaves, cost;
};

/* The largest body (in instructions) --count-leaves counts without a frame:
** a few nanoseconds of work, where a frame's two probes cost as much. */
#define LEAF_MAX_INSTRUCTIONS 64u

static const char *input_name = "wasm-instrument";

static void error(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "wasm-instrument: %s: ", input_name);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
}

/* Warnings wait until the output is written: a refused input gets its one
** error line and nothing else. */
static char *pending_warnings;
static size_t pending_len;

static void warning(const struct options *opt, const char *fmt, ...) {
  if (opt->quiet) return;
  char line[1024];
  int n = snprintf(line, sizeof line, "wasm-instrument: warning: %s: ", input_name);
  va_list ap;
  va_start(ap, fmt);
  if (n > 0 && (size_t)n < sizeof line) n += vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  size_t len = strnlen(line, sizeof line - 1);
  pending_warnings = wprof_xrealloc(pending_warnings, pending_len + len + 2);
  memcpy(pending_warnings + pending_len, line, len);
  pending_len += len;
  pending_warnings[pending_len++] = '\n';
  pending_warnings[pending_len] = '\0';
}

static void flush_warnings(void) {
  if (pending_warnings) fputs(pending_warnings, stderr);
}

static int usage_error(const char *fmt, const char *arg) {
  fprintf(stderr, "wasm-instrument: ");
  fprintf(stderr, fmt, arg);
  fprintf(stderr, " (see wasm-instrument --help)\n");
  return WPROF_EXIT_USAGE;
}

static void push(const char ***list, size_t *n, const char *item) {
  *list = wprof_xrealloc(*list, (*n + 1) * sizeof **list);
  (*list)[(*n)++] = item;
}

static int parse_options(int argc, char **argv, struct options *opt) {
  enum {
    OPT_INCLUDE = 256, OPT_EXCLUDE, OPT_NO_ALLOC, OPT_ALLOC, OPT_LIST, OPT_VERSION, OPT_SKIP_VALIDATION,
    OPT_COUNT_LEAVES, OPT_COST
  };
  static const struct option longopts[] = {
      {"include", required_argument, NULL, OPT_INCLUDE},
      {"exclude", required_argument, NULL, OPT_EXCLUDE},
      {"no-alloc", no_argument, NULL, OPT_NO_ALLOC},
      {"count-leaves", no_argument, NULL, OPT_COUNT_LEAVES},
      {"cost", no_argument, NULL, OPT_COST},
      {"alloc", required_argument, NULL, OPT_ALLOC},
      {"list", no_argument, NULL, OPT_LIST},
      {"skip-validation", no_argument, NULL, OPT_SKIP_VALIDATION},
      {"quiet", no_argument, NULL, 'q'},
      {"help", no_argument, NULL, 'h'},
      {"version", no_argument, NULL, OPT_VERSION},
      {NULL, 0, NULL, 0},
  };
  int c;
  opterr = 0;
  while ((c = getopt_long(argc, argv, "+qh", longopts, NULL)) != -1) {
    switch (c) {
      case OPT_INCLUDE: push(&opt->include, &opt->num_include, optarg); break;
      case OPT_EXCLUDE: push(&opt->exclude, &opt->num_exclude, optarg); break;
      case OPT_NO_ALLOC: opt->no_alloc = true; break;
      case OPT_COUNT_LEAVES: opt->count_leaves = true; break;
      case OPT_COST: opt->cost = true; break;
      case OPT_LIST: opt->list = true; break;
      case OPT_SKIP_VALIDATION: opt->skip_validation = true; break;
      case 'q': opt->quiet = true; break;
      case 'h':
        printf(usage_text, WPROF_ABI_VERSION, alloc_kind_choices());
        wprof_exit_codes_print(stdout, WPROF_CMD_INSTRUMENT);
        exit(WPROF_EXIT_OK);
      case OPT_VERSION:
        printf("wasm-instrument %s (probe ABI %d, binaryen %d)\n", WPROF_VERSION, WPROF_ABI_VERSION,
               108);
        exit(WPROF_EXIT_OK);
      case OPT_ALLOC: {
        char *eq = strchr(optarg, '=');
        if (!eq || eq == optarg) return usage_error("--alloc wants NAME=KIND, not '%s'", optarg);
        *eq = '\0';
        enum alloc_kind kind = alloc_kind_parse(eq + 1);
        if (kind == ALLOC_NONE) return usage_error("--alloc: unknown allocator kind '%s'", eq + 1);
        opt->custom = wprof_xrealloc(opt->custom, (opt->num_custom + 1) * sizeof *opt->custom);
        opt->custom[opt->num_custom++] = (struct custom_alloc){optarg, kind};
        break;
      }
      default: {
        const char *bad = argv[optind - 1];
        return usage_error("unknown or incomplete option '%s'", bad);
      }
    }
  }
  int rest = argc - optind;
  if (opt->list ? rest != 1 : rest != 2)
    return usage_error(opt->list ? "--list takes one input file%s" : "expected in.wasm and out.wasm%s", "");
  opt->input = argv[optind];
  opt->output = opt->list ? NULL : argv[optind + 1];
  return WPROF_EXIT_OK;
}

static int read_file(const char *path, struct bytes *out) {
  struct stat st;
  FILE *f = fopen(path, "rb");
  if (!f) return -1;
  if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
    fclose(f);
    errno = EINVAL;
    return -1;
  }
  out->data = wprof_xmalloc((size_t)st.st_size);
  out->len = out->cap = (size_t)st.st_size;
  size_t got = fread(out->data, 1, out->len, f);
  fclose(f);
  if (got != out->len) {
    errno = EIO;
    return -1;
  }
  return 0;
}

/* ---- validation of the input by wabt, in parallel with the rewrite ---- */

struct validator {
  pid_t pid;
  FILE *log;
  bool running;
};

static int start_validator(struct validator *v, const char *path) {
  v->log = tmpfile();
  if (!v->log) return -1;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fileno(v->log), STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, fileno(v->log), STDERR_FILENO);
  char *argv[] = {"wasm-validate",        "--enable-exceptions",     "--enable-tail-call",
                  "--enable-threads",     "--enable-extended-const", "--",
                  (char *)path,           NULL};
  int rc = posix_spawnp(&v->pid, "wasm-validate", &actions, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    errno = rc;
    return -1;
  }
  v->running = true;
  return 0;
}

/* 0 if valid; else 1 with the validator's first message in msg, or -1 if it
** could not be run. */
static int finish_validator(struct validator *v, char *msg, size_t size) {
  msg[0] = '\0';
  if (!v->running) return 0; /* --skip-validation */
  v->running = false;
  int wstatus;
  while (waitpid(v->pid, &wstatus, 0) < 0)
    if (errno != EINTR) return -1;
  msg[0] = '\0';
  int result = WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0 ? 0 : 1;
  if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 127) result = -1;
  rewind(v->log);
  while (result == 1 && fgets(msg, (int)size, v->log)) {
    msg[strcspn(msg, "\r\n")] = '\0';
    if (msg[0]) break;
  }
  fclose(v->log);
  return result;
}

/* ---- what to probe ---- */

static bool matches_any(const char *name, const char **globs, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (fnmatch(globs[i], name, 0) == 0) return true;
  return false;
}

/* True if function k is called `name` by the name section or an export. */
static bool function_has_name(const struct wscan_module *scan, uint32_t k, const char *name) {
  const struct wscan_func *f = &scan->funcs[k];
  if (f->name && strcmp(f->name, name) == 0) return true;
  for (uint32_t e = 0; e < scan->num_exports; e++)
    if (scan->exports[e].kind == WSCAN_FUNC && scan->exports[e].index == f->func_index &&
        strcmp(scan->exports[e].name, name) == 0)
      return true;
  return false;
}

static enum alloc_kind known_allocator(const struct wscan_module *scan, uint32_t k) {
  const struct wscan_func *f = &scan->funcs[k];
  enum alloc_kind kind = alloc_kind_of_name(f->name);
  for (uint32_t e = 0; kind == ALLOC_NONE && e < scan->num_exports; e++)
    if (scan->exports[e].kind == WSCAN_FUNC && scan->exports[e].index == f->func_index)
      kind = alloc_kind_of_name(scan->exports[e].name);
  return kind;
}

/* Can function k carry probes of this kind? Explains why not in a warning. */
static bool allocator_fits(const struct options *opt, const struct wscan_module *scan, uint32_t k,
                           enum alloc_kind kind) {
  const struct wscan_func *f = &scan->funcs[k];
  const struct wscan_type *t = &scan->types[f->type_index];
  const char *name = f->name ? f->name : "?";
  bool ok = t->num_params >= alloc_kind_min_params(kind);
  for (uint32_t i = 0; ok && i < alloc_kind_min_params(kind); i++) ok = t->params[i] == 0x7f;
  if (alloc_kind_has_result(kind)) ok = ok && t->num_results == 1 && t->results[0] == 0x7f;
  if (!ok) {
    warning(opt, "%s does not have the signature of a %s allocator; no allocation probes in it",
            name, alloc_kind_name(kind));
    return false;
  }
  if (f->has_tail_call && kind != ALLOC_FREE) {
    warning(opt, "%s leaves by a tail call, so its result cannot be seen; no allocation probes in it",
            name);
    return false;
  }
  return true;
}

static int make_plan(const struct options *opt, const struct wscan_module *scan,
                     struct func_plan *plan) {
  for (size_t c = 0; c < opt->num_custom; c++) {
    bool found = false;
    for (uint32_t k = 0; k < scan->num_funcs; k++) found |= function_has_name(scan, k, opt->custom[c].name);
    if (!found) {
      error("--alloc: no function named '%s'", opt->custom[c].name);
      return WPROF_EXIT_USAGE;
    }
  }
  for (uint32_t k = 0; k < scan->num_funcs; k++) {
    const char *name = scan->funcs[k].name ? scan->funcs[k].name : "";
    plan[k].probe_calls = (opt->num_include == 0 || matches_any(name, opt->include, opt->num_include)) &&
                          !matches_any(name, opt->exclude, opt->num_exclude);
    enum alloc_kind kind = known_allocator(scan, k);
    for (size_t c = 0; c < opt->num_custom; c++)
      if (function_has_name(scan, k, opt->custom[c].name)) kind = opt->custom[c].kind;
    plan[k].alloc = ALLOC_NONE;
    if (!opt->no_alloc && kind != ALLOC_NONE && allocator_fits(opt, scan, k, kind)) plan[k].alloc = kind;
    const struct wscan_func *f = &scan->funcs[k];
    plan[k].count_only = opt->count_leaves && plan[k].probe_calls && plan[k].alloc == ALLOC_NONE &&
                         f->straight_line && !f->has_catch && f->instructions <= LEAF_MAX_INSTRUCTIONS;
  }
  return WPROF_EXIT_OK;
}

static uint32_t binaryen_features(uint32_t used) {
  static const struct {
    uint32_t scan;
    BinaryenFeatures (*binaryen)(void);
  } map[] = {
      {WSCAN_FEAT_SIGN_EXT, BinaryenFeatureSignExt},
      {WSCAN_FEAT_SAT_FLOAT_TO_INT, BinaryenFeatureNontrappingFPToInt},
      {WSCAN_FEAT_BULK_MEMORY, BinaryenFeatureBulkMemory},
      {WSCAN_FEAT_REFERENCE_TYPES, BinaryenFeatureReferenceTypes},
      {WSCAN_FEAT_MULTI_VALUE, BinaryenFeatureMultivalue},
      {WSCAN_FEAT_SIMD, BinaryenFeatureSIMD128},
      {WSCAN_FEAT_EXCEPTIONS, BinaryenFeatureExceptionHandling},
      {WSCAN_FEAT_TAIL_CALL, BinaryenFeatureTailCall},
      {WSCAN_FEAT_THREADS, BinaryenFeatureAtomics},
      {WSCAN_FEAT_MUTABLE_GLOBALS, BinaryenFeatureMutableGlobals},
      {WSCAN_FEAT_MEMORY64, BinaryenFeatureMemory64},
      {WSCAN_FEAT_EXTENDED_CONST, BinaryenFeatureExtendedConst},
  };
  uint32_t features = BinaryenFeatureMVP();
  for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
    if (used & map[i].scan) features |= map[i].binaryen();
  return features;
}

static void list_functions(const struct wscan_module *scan, const struct func_plan *plan) {
  uint32_t probed = 0, allocators = 0;
  printf("%6s %6s %10s %8s  %-24s %s\n", "fid", "index", "offset", "size", "probes", "name");
  for (uint32_t k = 0; k < scan->num_funcs; k++) {
    const struct wscan_func *f = &scan->funcs[k];
    char probes[40];
    snprintf(probes, sizeof probes, "%s%s%s", plan[k].count_only ? "count" : plan[k].probe_calls ? "calls" : "-",
             plan[k].alloc ? " alloc:" : "", plan[k].alloc ? alloc_kind_name(plan[k].alloc) : "");
    printf("%6u %6u %10u %8u  %-24s %s\n", k, f->func_index, f->code_offset, f->body_size, probes,
           f->name ? f->name : "-");
    probed += plan[k].probe_calls;
    allocators += plan[k].alloc != ALLOC_NONE;
  }
  printf("%u functions (%u imported), %u with call probes, %u allocators\n", scan->num_funcs,
         scan->num_imported_funcs, probed, allocators);
}

/* ---- output ---- */

/* The rewritten module (a failed fwrite leaves the stream in error). */
static int write_bytes(void *context, FILE *out) {
  const struct bytes *data = context;
  fwrite(data->data, 1, data->len, out);
  return 0;
}


static int refuse_scan(enum wscan_status status, const char *err) {
  switch (status) {
    case WSCAN_NOT_WASM: error("%s", err); break;
    case WSCAN_MALFORMED: error("malformed module: %s", err); break;
    case WSCAN_UNSUPPORTED: error("unsupported: %s", err); return WPROF_EXIT_UNSUPPORTED;
    default: break;
  }
  return WPROF_EXIT_DATA;
}

/* Valid constructs that binaryen 108 reads or writes wrongly, found by
** running the spec test suite through the rewriter (docs/limitations.md).
** Returns the reason to refuse the module, or NULL. */
static const char *binaryen_blind_spot(const struct wscan_module *scan, char *why, size_t len) {
  if (scan->block_params_at) {
    snprintf(why, len, "block with parameters at offset %u (binaryen 108 miscompiles them)", scan->block_params_at);
    return why;
  }
  for (uint32_t i = 0; i < scan->num_imports; i++)
    if (scan->imports[i].kind == WSCAN_TABLE && scan->imports[i].has_max)
      return "imports a table with a maximum size (binaryen 108 drops the maximum)";
  for (uint32_t i = 0; i < scan->num_exports; i++)
    if (scan->exports[i].kind == WSCAN_TABLE && scan->exports[i].index > 0)
      return "exports a table other than the first (binaryen 108 exports the first instead)";
  return NULL;
}

/* The wprof.sources payload from the input's DWARF (isolate.h); DWARF that
** cannot be read costs all the locations, with a warning, and nothing else. */
static void read_sources(const struct options *opt, const struct bytes *input, const struct wscan_module *scan,
                         struct bytes *payload) {
  char why[256];
  if (scan->has_dwarf && isolate_read_sources(input->data, input->len, scan, payload, why, sizeof why) != 0)
    warning(opt, "ignoring the malformed DWARF sections (no source locations): %s", why);
}

static int run(const struct options *opt) {
  struct bytes input = {0}, binaryen_in = {0}, binaryen_out = {0}, map = {0}, output = {0};
  struct wscan_module scan = {0};
  struct func_plan *plan = NULL;
  struct bytes sources_payload = {0};
  struct validator validator = {0};
  char err[WSCAN_ERR_MAX + 256];
  int code;

  if (read_file(opt->input, &input) != 0) {
    error("cannot read: %s", errno == EINVAL ? "not a regular file" : strerror(errno));
    code = WPROF_EXIT_NO_INPUT;
    goto out;
  }
  enum wscan_status status = wscan_parse(input.data, input.len, &scan, err);
  if (status != WSCAN_OK) {
    code = refuse_scan(status, err);
    goto out;
  }
  if (scan.imports_wprof || scan.has_functions_section) {
    error(scan.imports_wprof ? "already instrumented: imports from module \"" WPROF_ABI_IMPORT_MODULE "\""
                             : "already instrumented: has a \"" WPROF_ABI_FUNCTIONS_SECTION "\" section");
    code = WPROF_EXIT_DATA;
    goto out;
  }
  char why[128];
  const char *blind_spot = binaryen_blind_spot(&scan, why, sizeof why);
  if (blind_spot) {
    error("unsupported: %s", blind_spot);
    code = WPROF_EXIT_UNSUPPORTED;
    goto out;
  }
  if (!opt->skip_validation && start_validator(&validator, opt->input) != 0) {
    error("cannot run wasm-validate (from wabt): %s", strerror(errno));
    code = WPROF_EXIT_INTERNAL;
    goto out;
  }
  plan = wprof_xcalloc(scan.num_funcs, sizeof *plan);
  code = make_plan(opt, &scan, plan);
  if (code != WPROF_EXIT_OK) goto out;

  if (!opt->list) {
    if (prepare_for_binaryen(&binaryen_in, input.data, input.len) != 0) {
      error("malformed module: bad section framing");
      code = WPROF_EXIT_DATA;
      goto out;
    }
    enum isolate_result r = isolate_rewrite(binaryen_in.data, binaryen_in.len, binaryen_features(scan.features) | (opt->cost ? BinaryenFeatureMutableGlobals() : 0),
                                            plan, scan.num_funcs, opt->cost, &binaryen_out, err, sizeof err);
    if (r != ISOLATE_OK) {
      /* an invalid input explains a binaryen failure better than binaryen does */
      char msg[512];
      if (finish_validator(&validator, msg, sizeof msg) == 1) {
        error("invalid module: %s", msg);
        code = WPROF_EXIT_DATA;
      } else {
        error("%s", err);
        code = r == ISOLATE_REFUSED ? WPROF_EXIT_UNSUPPORTED : WPROF_EXIT_INTERNAL;
      }
      goto out;
    }
  }
  char msg[512];
  int valid = finish_validator(&validator, msg, sizeof msg);
  if (valid != 0) {
    if (valid < 0)
      error("cannot run wasm-validate (from wabt)");
    else
      error("invalid module: %s", msg);
    code = valid < 0 ? WPROF_EXIT_INTERNAL : WPROF_EXIT_DATA;
    goto out;
  }
  if (opt->list) {
    list_functions(&scan, plan);
    flush_warnings();
    code = WPROF_EXIT_OK;
    goto out;
  }
  function_map_encode(&map, &scan, plan);
  read_sources(opt, &input, &scan, &sources_payload);
  const struct custom_section append[] = {{WPROF_ABI_FUNCTIONS_SECTION, &map},
                                          {WPROF_ABI_SOURCES_SECTION, &sources_payload}};
  /* a module without any known location gets no wprof.sources section */
  size_t nappend = sources_payload.len ? 2 : 1;
  if (finish_module(&output, binaryen_out.data, binaryen_out.len, append, nappend) != 0) {
    error("internal error: binaryen wrote a module that does not parse");
    code = WPROF_EXIT_INTERNAL;
    goto out;
  }
  if (wprof_atomic_write(opt->output, write_bytes, &output) != 0) {
    error("cannot write %s: %s", opt->output, strerror(errno));
    code = WPROF_EXIT_CANT_CREATE;
    goto out;
  }
  code = WPROF_EXIT_OK;
  flush_warnings();
out:
  char ignored[8];
  finish_validator(&validator, ignored, sizeof ignored);
  wscan_free(&scan);
  free(plan);
  bytes_free(&sources_payload);
  bytes_free(&input);
  bytes_free(&binaryen_in);
  bytes_free(&binaryen_out);
  bytes_free(&map);
  bytes_free(&output);
  return code;
}

int main(int argc, char **argv) {
  struct options opt = {0};
  int code = parse_options(argc, argv, &opt);
  if (code == WPROF_EXIT_OK) {
    input_name = opt.input;
    code = run(&opt);
  }
  free(opt.include);
  free(opt.exclude);
  free(opt.custom);
  free(pending_warnings);
  return code;
}
