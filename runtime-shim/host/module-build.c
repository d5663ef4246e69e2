/*
** Module loading and building for the wasm2c host (see host.h).
**
** wprof_host_load() reads the file and walks its sections just enough to
** refuse what cannot work (not wasm, malformed section layout) and to learn
** what the build needs (exceptions, whether the rewriter instrumented it,
** v128 types, which crash wasm2c 1.0.32: wprof_host_build refuses them).
**
** wprof_host_build() makes the module a shared object: wasm2c -> C, plus a
** few generated lines defining `wprof_module_entry` (module-entry.h) and, for
** an instrumented module, its probe imports (module-probes.h, whose fast
** paths cc inlines into the guest's code), then `cc -O2 -fno-plt -shared`.
** Only the module's own C is compiled per module; the runtime, WASI, the
** recorder and the probes' slow paths are already in the wprof executable,
** which exports them to the shared object. Results are cached under
** $WPROF_CACHE_DIR, else $XDG_CACHE_HOME/wprof, else ~/.cache/wprof, named
** by the XXH3-128 of the module bytes, the compiler's and wasm2c's identity
** (resolved path, size, mtime), the wprof version, the probe headers and the flags; a build happens in a private temp
** directory and is renamed into place, so concurrent runs are safe.
*/
#define _GNU_SOURCE
#include "host.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>

#include "module-entry.h"
#include "module_probes_h-text.h"
#include "probe_glue_h-text.h"
#include "wprof_probes_h-text.h"
#include "wasm-scan.h"
#include "xalloc.h"
#include "wprof-abi.h"

extern char **environ;

#define MODULE_NAME "m" /* wasm2c -n: symbols are Z_m_* and Z_mZ_* */
#define CC "cc"
#define CC_OPTIMIZE "-O2"
#define CC_NO_PLT "-fno-plt" /* WASI calls and probe slow paths go through the GOT: no PLT stub */
#define PROGRESS_MIN_BYTES (256u * 1024u)

static void fail(const char *file, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(const char *file, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "wprof run: %s: ", file);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
}

/* ---- loading ---- */

static int check_interface(const char *path, const struct wscan_module *m, struct wprof_module_file *out);

int wprof_host_load(const char *path, struct wprof_module_file *out) {
  memset(out, 0, sizeof *out);
  FILE *f = fopen(path, "rb");
  if (!f) {
    fail(path, "%s", strerror(errno));
    return WPROF_EXIT_NO_INPUT;
  }
  struct stat st;
  const char *problem = fstat(fileno(f), &st) != 0 ? strerror(errno) /* st is then undefined */
                        : S_ISDIR(st.st_mode)       ? "is a directory"
                        : !S_ISREG(st.st_mode)      ? "not a regular file"
                                                    : NULL;
  if (problem) {
    fail(path, "%s", problem);
    fclose(f);
    return WPROF_EXIT_NO_INPUT;
  }
  out->len = (size_t)st.st_size;
  out->bytes = malloc(out->len ? out->len : 1);
  if (!out->bytes || fread(out->bytes, 1, out->len, f) != out->len) {
    fail(path, "cannot read: %s", out->bytes ? strerror(errno) : "out of memory");
    fclose(f);
    wprof_host_unload(out);
    return WPROF_EXIT_NO_INPUT;
  }
  fclose(f);
  /* what the build needs to know, from the project's one wasm reader */
  struct wscan_module *m = &out->scan;
  char why[WSCAN_ERR_MAX];
  enum wscan_status status = wscan_parse(out->bytes, out->len, m, why); /* empty unless WSCAN_OK */
  int rc = 0;
  if (status == WSCAN_OK) {
    out->instrumented = m->has_functions_section;
    out->uses_exceptions = (m->features & WSCAN_FEAT_EXCEPTIONS) != 0;
    out->uses_simd = (m->features & WSCAN_FEAT_SIMD) != 0;
    out->uses_tail_calls = (m->features & WSCAN_FEAT_TAIL_CALL) != 0;
    rc = check_interface(path, m, out);
  } else {
    if (status == WSCAN_NOT_WASM) fail(path, "%s", why);
    else if (status == WSCAN_MALFORMED) fail(path, "malformed module: %s", why);
    else fail(path, "unsupported: %s", why);
    rc = status == WSCAN_UNSUPPORTED ? WPROF_EXIT_UNSUPPORTED : WPROF_EXIT_DATA;
  }
  if (rc) {
    wprof_host_unload(out);
    return rc;
  }
  return 0;
}

void wprof_host_unload(struct wprof_module_file *m) {
  free(m->bytes);
  wscan_free(&m->scan);
  memset(m, 0, sizeof *m);
}

/* ---- a build interrupted ---- */

/* The files a build directory holds; "lock" is flock()ed by the build that
** owns the directory, so a later run can tell an abandoned one. */
static const char *const build_files[] = {"module.c", "module.h", "glue.c", "module.so", "log", "lock",
                                          "wprof-probes.h", "probe-glue.h", "module-probes.h", NULL};
enum { BUILD_SO = 3, BUILD_LOCK = 5, BUILD_PROBE_HEADERS = 6, BUILD_MODULE_PROBES_H = 8, BUILD_DIR = 9 }; /* in build_paths */

/* The text of the probe headers written beside an instrumented module's C,
** under build_files' names from BUILD_PROBE_HEADERS on (the names their
** #include lines use). */
static const char *const probe_headers[] = {wprof_probes_h_text, probe_glue_h_text, module_probes_h_text};

/* While a build runs, SIGINT, SIGTERM and SIGHUP kill its tool (the whole
** process group it leads: cc's cc1 too) and remove the build directory,
** then end wprof run as the signal would have. The paths are ready before
** any signal can come, since the handler may only call async-signal-safe
** functions. */
static volatile pid_t building_tool;   /* process group of the running tool, or 0 */
static char build_paths[BUILD_DIR + 1][4096]; /* build_files in the build directory, then the directory */
static const int build_signals[] = {SIGINT, SIGTERM, SIGHUP};

static void remove_build_paths(void) {
  for (int i = 0; build_files[i]; i++) unlink(build_paths[i]);
  rmdir(build_paths[BUILD_DIR]);
}

static void on_build_signal(int sig) {
  pid_t tool = building_tool;
  if (tool > 0) { /* SIGTERM: cc removes its own temporary files; then nothing writes to the directory */
    kill(-tool, SIGTERM);
    waitpid(tool, NULL, 0);
  }
  remove_build_paths();
  signal(sig, SIG_DFL);
  raise(sig);
}

/* build_paths for the build directory dir; false when a path is too long. */
static bool set_build_paths(const char *dir) {
  for (int i = 0; build_files[i]; i++)
    if (snprintf(build_paths[i], sizeof build_paths[i], "%s/%s", dir, build_files[i]) >= (int)sizeof build_paths[i])
      return false;
  return snprintf(build_paths[BUILD_DIR], sizeof build_paths[BUILD_DIR], "%s", dir) < (int)sizeof build_paths[BUILD_DIR];
}

static void guard_build(bool on) {
  for (size_t i = 0; i < sizeof build_signals / sizeof build_signals[0]; i++)
    signal(build_signals[i], on ? on_build_signal : SIG_DFL);
}

/* Build directories whose lock nobody holds were left by a run that died
** (killed by SIGKILL, or a machine that stopped): removed. Only those older
** than a minute: a build takes its lock just after it makes its directory,
** and another run must not see the directory in between. */
static void remove_abandoned_builds(const char *cache) {
  DIR *d = opendir(cache);
  for (struct dirent *e; d && (e = readdir(d));) {
    if (strncmp(e->d_name, "build-", 6) != 0) continue;
    char dir[4096];
    if (snprintf(dir, sizeof dir, "%s/%s", cache, e->d_name) >= (int)sizeof dir || !set_build_paths(dir)) continue;
    struct stat st;
    if (stat(dir, &st) != 0 || st.st_mtime >= time(NULL) - 60) continue;
    int lock = open(build_paths[BUILD_LOCK], O_RDONLY | O_CLOEXEC);
    bool abandoned = lock >= 0 ? flock(lock, LOCK_EX | LOCK_NB) == 0 : errno == ENOENT;
    if (lock >= 0) close(lock);
    if (abandoned) remove_build_paths();
  }
  if (d) closedir(d);
}

/* ---- running the tools ---- */

/* Runs argv with stdout and stderr into log_path; returns the wait status
** (or -1). With progress, redraws one stderr line while it runs. */
static int spawn_and_wait(char *const argv[], const char *log_path, const char *progress) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, log_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  /* its own process group, so that an interruption kills it and its children */
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);
  pid_t pid;
  int rc = posix_spawnp(&pid, argv[0], &fa, &attr, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    errno = rc;
    return -1;
  }
  building_tool = pid;
  struct timespec t0, now, tick = {0, 250 * 1000000L};
  clock_gettime(CLOCK_MONOTONIC, &t0);
  int status;
  for (;;) {
    pid_t r = waitpid(pid, &status, progress ? WNOHANG : 0);
    if (r == pid) break;
    if (r < 0 && errno != EINTR) {
      building_tool = 0;
      return -1;
    }
    if (r == 0) {
      clock_gettime(CLOCK_MONOTONIC, &now);
      fprintf(stderr, "\r%s %lds", progress, (long)(now.tv_sec - t0.tv_sec));
      nanosleep(&tick, NULL);
    }
  }
  building_tool = 0;
  if (progress) fputs("\r\033[K", stderr);
  return status;
}

/* First line of a file (for error messages), or "". */
static void first_line(const char *path, char *out, size_t len) {
  out[0] = '\0';
  FILE *f = fopen(path, "r");
  if (!f) return;
  if (fgets(out, (int)len, f)) out[strcspn(out, "\n")] = '\0';
  fclose(f);
}

/* A tool's identity for the cache key: its resolved path, size and mtime.
** (Asking `cc --version` would cost a process per run, ~100 ms here; an
** upgrade of the package replaces the binary, which changes this.) */
static void tool_identity(const char *tool, char *out, size_t len) {
  snprintf(out, len, "%s: not found", tool);
  const char *path = getenv("PATH");
  if (!path) return;
  char *dirs = strdup(path), *save = NULL;
  for (char *d = dirs ? strtok_r(dirs, ":", &save) : NULL; d; d = strtok_r(NULL, ":", &save)) {
    char candidate[4096], resolved[4096];
    struct stat st;
    snprintf(candidate, sizeof candidate, "%s/%s", d, tool);
    if (access(candidate, X_OK) == 0 && realpath(candidate, resolved) && stat(resolved, &st) == 0) {
      snprintf(out, len, "%s %lld %lld.%09ld", resolved, (long long)st.st_size, (long long)st.st_mtim.tv_sec,
               st.st_mtim.tv_nsec);
      break;
    }
  }
  free(dirs);
}

/* ---- the cache ---- */

static int mkdir_p(char *path) {
  for (char *s = path + 1; *s; s++) {
    if (*s != '/') continue;
    *s = '\0';
    int r = mkdir(path, 0755);
    *s = '/';
    if (r != 0 && errno != EEXIST) return -1;
  }
  return mkdir(path, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

static char *cache_dir(void) {
  const char *dir = getenv("WPROF_CACHE_DIR"), *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
  char *path = NULL;
  if (dir && *dir) path = strdup(dir);
  else if (xdg && *xdg) (void)!asprintf(&path, "%s/wprof", xdg);
  else if (home && *home) (void)!asprintf(&path, "%s/.cache/wprof", home);
  else path = strdup("/tmp/wprof-cache");
  return path;
}

/* ---- the generated entry ---- */

static const struct wprof_import_type *find_import(const char *name, const struct wprof_import_type *list) {
  for (; list->name; list++)
    if (strcmp(name, list->name) == 0) return list;
  return NULL;
}

/* The probes of docs/probe-abi.md, all of which module-probes.h defines (but
** exit_v128: wasm2c 1.0.32 translates no v128, refused at load). */
#define PROBE_TYPE(name, params, results) {#name, results, params},
static const struct wprof_import_type probes[] = {WPROF_ABI_PROBES(PROBE_TYPE){NULL, NULL, NULL}};
#undef PROBE_TYPE

/* A list of wasm types, separated by commas or spaces, as "i32 i64". */
static void spaced_types(const char *types, char *out, size_t len) {
  size_t o = 0;
  out[0] = '\0';
  while (*(types += strspn(types, ", "))) {
    size_t n = strcspn(types, ", ");
    o += (size_t)snprintf(out + o, o < len ? len - o : 0, "%s%.*s", o ? " " : "", (int)n, types);
    types += n;
  }
}

/* A function type's parameters or results as wasm type names: "i32 i64". */
static void type_names(const uint8_t *types, uint32_t n, char *out, size_t len) {
  static const struct {
    uint8_t code;
    const char *name;
  } names[] = {{0x7f, "i32"}, {0x7e, "i64"}, {0x7d, "f32"}, {0x7c, "f64"}, {0x7b, "v128"}, {0x70, "funcref"}, {0x6f, "externref"}};
  size_t o = 0;
  out[0] = '\0';
  for (uint32_t i = 0; i < n; i++) {
    const char *name = "?";
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
      if (names[k].code == types[i]) name = names[k].name;
    o += (size_t)snprintf(out + o, o < len ? len - o : 0, "%s%s", i ? " " : "", name);
  }
}

/* Checks an import's function type against the type we define it with. */
static bool import_type_matches(const char *module_path, const struct wscan_import *imp, const struct wscan_type *type,
                                const struct wprof_import_type *want) {
  char got_p[512], got_r[64], want_p[512], want_r[64];
  type_names(type->params, type->num_params, got_p, sizeof got_p);
  type_names(type->results, type->num_results, got_r, sizeof got_r);
  spaced_types(want->params, want_p, sizeof want_p);
  spaced_types(want->result, want_r, sizeof want_r);
  if (strcmp(got_p, want_p) == 0 && strcmp(got_r, want_r) == 0) return true;
  fail(module_path, "imports %s.%s as (%s) -> (%s), but wprof run provides it as (%s) -> (%s)", imp->module, imp->name,
       got_p, got_r, want_p, want_r);
  return false;
}

/* What the glue needs and wprof run requires of a module's imports and
** exports (wasm2c names an instance argument per imported module, in the
** modules' alphabetical order: wasi_snapshot_preview1, then wprof). */
static int check_interface(const char *path, const struct wscan_module *m, struct wprof_module_file *out) {
  bool imports_wasi = false, imports_probes = false;
  for (uint32_t i = 0; i < m->num_imports; i++) {
    const struct wscan_import *imp = &m->imports[i];
    bool wasi = strcmp(imp->module, "wasi_snapshot_preview1") == 0, probe = strcmp(imp->module, WPROF_ABI_IMPORT_MODULE) == 0;
    const struct wprof_import_type *known = imp->kind != WSCAN_FUNC ? NULL
                                            : wasi                  ? find_import(imp->name, wprof_wasi_functions)
                                            : probe                 ? find_import(imp->name, probes)
                                                                    : NULL;
    if (!known) {
      fail(path, "imports %s.%s, which wprof run does not provide", imp->module, imp->name);
      return WPROF_EXIT_UNSUPPORTED;
    }
    if (!import_type_matches(path, imp, &m->types[imp->type_index], known)) return WPROF_EXIT_UNSUPPORTED;
    imports_wasi |= wasi;
    imports_probes |= probe;
  }
  snprintf(out->instantiate_args, sizeof out->instantiate_args, "%s%s", imports_wasi ? ", wasi" : "",
           imports_probes ? ", probes" : "");
  out->imports_probes = imports_probes;
  const struct wscan_export *start = NULL;
  for (uint32_t i = 0; i < m->num_exports; i++) {
    const struct wscan_export *e = &m->exports[i];
    if (strcmp(e->name, "_start") == 0) start = e;
    out->exports_memory |= e->kind == WSCAN_MEMORY && strcmp(e->name, "memory") == 0;
    out->exports_counter |= e->kind == WSCAN_GLOBAL && strcmp(e->name, WPROF_ABI_COST_EXPORT) == 0;
  }
  if (!start) {
    fail(path, "has no _start export (not a WASI command)");
    return WPROF_EXIT_UNSUPPORTED;
  }
  /* a WASI command's _start is a function [] -> [] */
  const struct wscan_type *type = NULL;
  if (start->kind == WSCAN_FUNC && start->index >= m->num_imported_funcs)
    type = &m->types[m->funcs[start->index - m->num_imported_funcs].type_index];
  if (!type || type->num_params || type->num_results) {
    fail(path, "its _start export is not a function without parameters or results (not a WASI command)");
    return WPROF_EXIT_UNSUPPORTED;
  }
  return 0;
}

/* An export name as wasm2c 1.0.32 spells it in C: letters, digits and _
** stay, Z and everything else become Z and two hex digits. */
static void wasm2c_mangle(const char *name, char *out, size_t len) {
  size_t o = 0;
  for (const unsigned char *c = (const unsigned char *)name; *c && o + 4 < len; c++) {
    if ((isalnum(*c) && *c != 'Z') || *c == '_') out[o++] = (char)*c;
    else o += (size_t)snprintf(out + o, len - o, "Z%02X", *c);
  }
  out[o] = '\0';
}

/* Writes a file of the build directory; false (message printed) on failure. */
static bool write_build_file(const char *module_path, const char *dir, const char *name, const char *text) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "w");
  bool ok = f && fputs(text, f) >= 0;
  if (f && fclose(f) != 0) ok = false;
  if (!ok) fail(module_path, "cannot write %s: %s", path, strerror(errno));
  return ok;
}

/* wasm2c's C names of the module's defined functions, in index order, as
** C string literals each followed by a comma: wasm2c 1.0.32 declares them
** first thing, one line each, "static T w2c_NAME(Z_m_instance_t*, ...);".
** The host maps the compiled code back to wasm functions through them. */
static char *function_names_c(const char *c_path, uint32_t *count) {
  static const char prefix[] = "(Z_m_instance_t*";
  FILE *f = fopen(c_path, "r");
  char *text = NULL;
  size_t len = 0;
  FILE *out = open_memstream(&text, &len);
  if (!out) wprof_out_of_memory();
  *count = 0;
  char *line = NULL;
  size_t cap = 0;
  bool in_block = false;
  while (f && getline(&line, &cap, f) > 0) {
    char *name = strstr(line, " w2c_"), *paren = name ? strchr(name, '(') : NULL;
    bool decl = strncmp(line, "static ", 7) == 0 && paren && strncmp(paren, prefix, sizeof prefix - 1) == 0 &&
                strstr(paren, ");\n") != NULL;
    if (!decl) {
      if (in_block) break;
      continue;
    }
    in_block = true;
    fprintf(out, "\"%.*s\",\n", (int)(paren - name - 1), name + 1);
    (*count)++;
  }
  free(line);
  if (f) fclose(f);
  if (fclose(out) != 0) wprof_out_of_memory();
  return text;
}

/* Writes glue.c, which defines wprof_module_entry over the Z_m_* functions
** of wasm2c's translation and, for an instrumented module, includes its
** probe imports (with the headers they need beside it). */
static int write_entry(const char *module_path, const struct wprof_module_file *m, const char *dir, const char *c_path) {
  if (m->imports_probes)
    for (size_t i = 0; i < sizeof probe_headers / sizeof probe_headers[0]; i++)
      if (!write_build_file(module_path, dir, build_files[BUILD_PROBE_HEADERS + i], probe_headers[i]))
        return WPROF_EXIT_CANT_CREATE;
  char counter[128], probes[128] = "";
  wasm2c_mangle(WPROF_ABI_COST_EXPORT, counter, sizeof counter);
  if (m->imports_probes)
    snprintf(probes, sizeof probes, "#define WPROF_GUEST_COUNTER %d\n#include \"%s\"\n", m->exports_counter ? 1 : 0,
             build_files[BUILD_MODULE_PROBES_H]); /* before module.c: its declarations of the imports then name these */
  uint32_t nfunctions;
  char *names = function_names_c(c_path, &nfunctions);
  char *text = NULL;
  if (asprintf(&text,
               "%s#include \"module.c\"\n%s"
               "static const char *const entry_function_names[] = {\n%sNULL};\n"
               "static void entry_instantiate(void *instance, void *wasi, void *probes) {\n"
               "  (void)wasi, (void)probes;\n"
               "  Z_m_instantiate((Z_m_instance_t *)instance%s);\n}\n"
               "static void entry_start(void *instance) { Z_mZ__start((Z_m_instance_t *)instance); }\n"
               "static wasm_rt_memory_t *entry_memory(void *instance) { return %s; }\n"
               "static uint64_t *entry_instructions(void *instance) { return %s%s%s; }\n"
               "static void entry_free(void *instance) { Z_m_free((Z_m_instance_t *)instance); }\n"
               "const struct wprof_module_entry wprof_module_entry = {\n"
               "  %d, sizeof(Z_m_instance_t), Z_m_init_module, entry_instantiate, entry_start,\n"
               "  entry_memory, entry_instructions, entry_free, entry_function_names, %u};\n",
               probes, WPROF_MODULE_ENTRY_TEXT, names, m->instantiate_args,
               m->exports_memory ? "Z_mZ_memory((Z_m_instance_t *)instance)" : "(void)instance, NULL",
               m->exports_counter ? "Z_mZ_" : "(void)instance, NULL", m->exports_counter ? counter : "",
               m->exports_counter ? "((Z_m_instance_t *)instance)" : "", WPROF_MODULE_ENTRY_ABI, nfunctions) < 0)
    wprof_out_of_memory();
  free(names);
  bool ok = write_build_file(module_path, dir, "glue.c", text);
  free(text);
  return ok ? 0 : WPROF_EXIT_CANT_CREATE;
}

/* wasm2c's complaint, in words. */
static void report_wasm2c_failure(const char *module_path, int status, const char *log) {
  char msg[512];
  first_line(log, msg, sizeof msg);
  if (WIFSIGNALED(status))
    fail(module_path, "wasm2c 1.0.32 crashed on it (a feature it does not support?)");
  else
    fail(module_path, "wasm2c 1.0.32 cannot translate it: %s", msg[0] ? msg : "unknown error");
}

/* Translates and compiles into build_dir/module.so. */
static int build_in(const char *module_path, const struct wprof_module_file *m, const char *dir, bool quiet) {
  char c_path[4096], h_path[4096], glue[4096], so[4096], log[4096];
  snprintf(c_path, sizeof c_path, "%s/module.c", dir);
  snprintf(h_path, sizeof h_path, "%s/module.h", dir);
  snprintf(glue, sizeof glue, "%s/glue.c", dir);
  snprintf(so, sizeof so, "%s/module.so", dir);
  snprintf(log, sizeof log, "%s/log", dir);
  const char *base = strrchr(module_path, '/') ? strrchr(module_path, '/') + 1 : module_path;
  char progress[512];
  bool show = !quiet && m->len >= PROGRESS_MIN_BYTES;
  bool tty = show && isatty(2);
  snprintf(progress, sizeof progress, "wprof: translating and compiling %s (%.1f MB)", base, m->len / 1048576.0);
  if (show && !tty) fprintf(stderr, "%s; cached for later runs\n", progress);

  char *w2c[] = {"wasm2c", "-n", MODULE_NAME, "-o", c_path, (char *)module_path,
                 m->uses_exceptions ? "--enable-exceptions" : NULL, NULL};
  int status = spawn_and_wait(w2c, log, tty ? progress : NULL);
  if (status < 0) {
    fail(module_path, "cannot run wasm2c: %s", strerror(errno));
    return WPROF_EXIT_INTERNAL;
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    report_wasm2c_failure(module_path, status, log);
    return WPROF_EXIT_UNSUPPORTED;
  }
  int rc = write_entry(module_path, m, dir, c_path);
  if (rc) return rc;
  char *cc[] = {CC, CC_OPTIMIZE, CC_NO_PLT, "-fPIC", "-shared", "-w", "-o", so, glue, "-lm", NULL};
  status = spawn_and_wait(cc, log, tty ? progress : NULL);
  if (status < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    char msg[512];
    first_line(log, msg, sizeof msg);
    fail(module_path, "the C compiler failed on wasm2c's output: %s", status < 0 ? strerror(errno) : msg);
    return WPROF_EXIT_INTERNAL;
  }
  return 0;
}

/* The module's cached shared object: its file name in the cache, a hash of
** the module, the tools that build it and how they are run. */
static XXH128_hash_t cache_key(const struct wprof_module_file *m) {
  char cc_id[8192], w2c_id[8192], flags[128];
  tool_identity(CC, cc_id, sizeof cc_id);
  tool_identity("wasm2c", w2c_id, sizeof w2c_id);
  snprintf(flags, sizeof flags, "%s %s%s abi%d", CC_OPTIMIZE, CC_NO_PLT, m->uses_exceptions ? " exceptions" : "",
           WPROF_MODULE_ENTRY_ABI);
  XXH3_state_t *st = XXH3_createState();
  if (!st) wprof_out_of_memory();
  XXH3_128bits_reset(st);
  XXH3_128bits_update(st, m->bytes, m->len);
  const char *parts[] = {cc_id, w2c_id, "wprof " WPROF_VERSION, flags};
  for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) XXH3_128bits_update(st, parts[i], strlen(parts[i]) + 1);
  for (size_t i = 0; i < sizeof probe_headers / sizeof probe_headers[0]; i++)
    XXH3_128bits_update(st, probe_headers[i], strlen(probe_headers[i]) + 1);
  XXH128_hash_t key = XXH3_128bits_digest(st);
  XXH3_freeState(st);
  return key;
}

static char *cached_so_path(const char *dir, XXH128_hash_t key) {
  char *path = NULL;
  if (asprintf(&path, "%s/%016llx%016llx.so", dir, (unsigned long long)key.high64, (unsigned long long)key.low64) < 0)
    wprof_out_of_memory();
  return path;
}

bool wprof_host_is_cached(const struct wprof_module_file *m) {
  char *dir = cache_dir(), *target = dir ? cached_so_path(dir, cache_key(m)) : NULL;
  bool cached = target && access(target, R_OK) == 0;
  free(dir);
  free(target);
  return cached;
}

int wprof_host_build(const char *module_path, const struct wprof_module_file *m, bool quiet, char **so_path) {
  if (m->uses_simd || m->uses_tail_calls) {
    fail(module_path, m->uses_simd ? "uses SIMD (v128), which wasm2c 1.0.32 cannot translate"
                                   : "uses tail calls (return_call), which wasm2c 1.0.32 cannot translate");
    return WPROF_EXIT_UNSUPPORTED;
  }
  XXH128_hash_t key = cache_key(m);
  char *dir = cache_dir();
  if (!dir || mkdir_p(dir) != 0) {
    fail(module_path, "cannot create cache directory %s: %s", dir ? dir : "", strerror(errno));
    free(dir);
    return WPROF_EXIT_CANT_CREATE;
  }
  char *target = cached_so_path(dir, key), *build = NULL;
  if (asprintf(&build, "%s/build-XXXXXX", dir) < 0) wprof_out_of_memory();
  int rc = 0;
  if (access(target, R_OK) != 0) {
    remove_abandoned_builds(dir);
    int lock = -1;
    if (!mkdtemp(build) || !set_build_paths(build)) {
      fail(module_path, "cannot create a build directory in the cache: %s", strerror(errno));
      rc = WPROF_EXIT_CANT_CREATE;
    } else {
      guard_build(true);
      lock = open(build_paths[BUILD_LOCK], O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
      if (lock >= 0) flock(lock, LOCK_EX);
      rc = build_in(module_path, m, build, quiet);
      if (rc == 0 && rename(build_paths[BUILD_SO], target) != 0) {
        fail(module_path, "cannot store %s: %s", target, strerror(errno));
        rc = WPROF_EXIT_CANT_CREATE;
      }
      remove_build_paths();
      guard_build(false);
      if (lock >= 0) close(lock);
    }
  }
  free(dir);
  free(build);
  if (rc) {
    free(target);
    return rc;
  }
  *so_path = target;
  return 0;
}
