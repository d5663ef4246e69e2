/*
** Module loading and building for the wasm2c host (see host.h).
**
** wprof_host_load() reads the file and walks its sections just enough to
** refuse what cannot work (not wasm, malformed section layout) and to learn
** what the build needs (exceptions, whether the rewriter instrumented it,
** v128 types, which crash wasm2c 1.0.32: wprof_host_build refuses them).
**
** wprof_host_build() makes the module a shared object: wasm2c -> C, plus a
** few generated lines defining `wprof_module_entry` (module-entry.h), then
** `cc -O2 -fno-plt -shared`. Only the module's own C is compiled per module; the
** runtime, WASI and recorder are already in the wprof executable, which
** exports them to the shared object. Results are cached under
** $WPROF_CACHE_DIR, else $XDG_CACHE_HOME/wprof, else ~/.cache/wprof, named
** by the XXH3-128 of the module bytes, the compiler's and wasm2c's identity
** (resolved path, size, mtime), the wprof version and the flags; a build happens in a private temp
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
#include "wprof-abi.h"

extern char **environ;

#define MODULE_NAME "m" /* wasm2c -n: symbols are Z_m_* and Z_mZ_* */
#define CC "cc"
#define CC_OPTIMIZE "-O2"
#define CC_NO_PLT "-fno-plt" /* probe and WASI calls go through the GOT: no PLT stub between guest and probe */
#define INSTANTIATE "void Z_" MODULE_NAME "_instantiate("
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

struct reader {
  const uint8_t *p, *end;
  bool bad;
};

static uint32_t read_u32(struct reader *r) {
  uint32_t v = 0;
  for (int shift = 0; shift < 35; shift += 7) {
    if (r->p >= r->end) break;
    uint8_t b = *r->p++;
    v |= (uint32_t)(b & 0x7f) << shift;
    if (!(b & 0x80)) return v;
  }
  r->bad = true;
  return 0;
}

static const uint8_t *read_bytes(struct reader *r, uint32_t n) {
  if (r->bad || (size_t)(r->end - r->p) < n) {
    r->bad = true;
    return NULL;
  }
  const uint8_t *s = r->p;
  r->p += n;
  return s;
}

static void skip_limits(struct reader *r) {
  const uint8_t *flags = read_bytes(r, 1);
  read_u32(r);
  if (flags && (*flags & 1)) read_u32(r);
}

/* Import section: only whether a tag is imported matters (exceptions). */
static bool imports_tag(struct reader r) {
  uint32_t n = read_u32(&r);
  for (uint32_t i = 0; i < n && !r.bad; i++) {
    read_bytes(&r, read_u32(&r));
    read_bytes(&r, read_u32(&r));
    const uint8_t *kind = read_bytes(&r, 1);
    if (!kind) break;
    switch (*kind) {
      case 0: read_u32(&r); break;                      /* func: type index */
      case 1: read_bytes(&r, 1); skip_limits(&r); break; /* table */
      case 2: skip_limits(&r); break;                    /* memory */
      case 3: read_bytes(&r, 2); break;                  /* global: type, mut */
      case 4: return true;                               /* tag */
      default: return false;
    }
  }
  return false;
}

/* Type section: does any function type mention v128 (0x7b)? */
static bool types_use_v128(struct reader r) {
  uint32_t n = read_u32(&r);
  for (uint32_t i = 0; i < n && !r.bad; i++) {
    const uint8_t *form = read_bytes(&r, 1);
    if (!form || *form != 0x60) return false;
    for (int list = 0; list < 2; list++) {
      uint32_t count = read_u32(&r);
      const uint8_t *types = read_bytes(&r, count);
      if (types && memchr(types, 0x7b, count)) return true;
    }
  }
  return false;
}

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
  static const uint8_t magic[4] = {0, 'a', 's', 'm'}, version1[4] = {1, 0, 0, 0};
  if (out->len < 8 || memcmp(out->bytes, magic, 4) != 0) {
    fail(path, "not a WebAssembly module (no \\0asm magic)");
    wprof_host_unload(out);
    return WPROF_EXIT_DATA;
  }
  if (memcmp(out->bytes + 4, version1, 4) != 0) {
    fail(path, "not a core WebAssembly module (binary version %u; components are not supported)",
         (unsigned)out->bytes[4] | (unsigned)out->bytes[5] << 8);
    wprof_host_unload(out);
    return WPROF_EXIT_DATA;
  }
  struct reader r = {out->bytes + 8, out->bytes + out->len, false};
  while (r.p < r.end && !r.bad) {
    size_t offset = (size_t)(r.p - out->bytes);
    const uint8_t *id = read_bytes(&r, 1);
    uint32_t size = read_u32(&r);
    const uint8_t *body = read_bytes(&r, size);
    if (!body) {
      fail(path, "malformed module: section at offset %zu overruns the file", offset);
      wprof_host_unload(out);
      return WPROF_EXIT_DATA;
    }
    struct reader sec = {body, body + size, false};
    if (*id == 0) {
      uint32_t name_len = read_u32(&sec);
      const uint8_t *name = read_bytes(&sec, name_len);
      if (name && name_len == strlen(WPROF_ABI_FUNCTIONS_SECTION) && memcmp(name, WPROF_ABI_FUNCTIONS_SECTION, name_len) == 0)
        out->instrumented = true;
    } else if (*id == 1 && types_use_v128(sec)) {
      out->uses_simd = true; /* refused by wprof_host_build; --engine node runs it */
    } else if ((*id == 2 && imports_tag(sec)) || *id == 13) {
      out->uses_exceptions = true;
    }
  }
  if (r.bad) {
    fail(path, "malformed module: bad section header");
    wprof_host_unload(out);
    return WPROF_EXIT_DATA;
  }
  return 0;
}

void wprof_host_unload(struct wprof_module_file *m) {
  free(m->bytes);
  memset(m, 0, sizeof *m);
}

/* ---- a build interrupted ---- */

/* The files a build directory holds; "lock" is flock()ed by the build that
** owns the directory, so a later run can tell an abandoned one. */
static const char *const build_files[] = {"module.c", "module.h", "glue.c", "module.so", "log", "lock", NULL};
enum { BUILD_SO = 3, BUILD_LOCK = 5, BUILD_DIR = 6 }; /* in build_paths */

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

static bool starts_with(const char *s, const char *prefix) { return strncmp(s, prefix, strlen(prefix)) == 0; }

static const struct wprof_import_type *find_import(const char *name, const struct wprof_import_type *list) {
  for (; list->name; list++)
    if (strcmp(name, list->name) == 0) return list;
  return NULL;
}

/* The probes of docs/probe-abi.md as probe-glue.c defines them. exit_v128 is
** absent: wasm2c 1.0.32 translates no v128 (refused at load). */
static const struct wprof_import_type probes[] = {
    {"enter", "void", "u32"},
    {"exit", "void", "u32"},
    {"count", "void", "u32"},
    {"exit_i32", "u32", "u32, u32"},
    {"exit_i64", "u64", "u32, u64"},
    {"exit_f32", "f32", "u32, f32"},
    {"exit_f64", "f64", "u32, f64"},
    {"exit_funcref", "wasm_rt_funcref_t", "u32, wasm_rt_funcref_t"},
    {"exit_externref", "wasm_rt_externref_t", "u32, wasm_rt_externref_t"},
    {"frame", "u32", ""},
    {"catch", "void", "u32, u32"},
    {"alloc", "void", "u32, u32"},
    {"realloc", "void", "u32, u32, u32"},
    {"free", "void", "u32"},
    {NULL, NULL, NULL},
};

/* wasm2c's C types as wasm types, for messages: "u32, u64" -> "i32 i64". */
static void wasm_types(const char *c, char *out, size_t len) {
  static const struct {
    const char *c, *wasm;
  } names[] = {{"u32", "i32"},         {"u64", "i64"}, {"f32", "f32"}, {"f64", "f64"}, {"wasm_rt_funcref_t", "funcref"},
               {"wasm_rt_externref_t", "externref"}, {"void", ""}};
  size_t o = 0;
  out[0] = '\0';
  while (*c) {
    size_t n = strcspn(c, ", ");
    const char *wasm = NULL;
    for (size_t i = 0; i < sizeof names / sizeof names[0] && !wasm; i++)
      if (strlen(names[i].c) == n && strncmp(c, names[i].c, n) == 0) wasm = names[i].wasm;
    o += (size_t)snprintf(out + o, o < len ? len - o : 0, "%s%s", o && wasm && *wasm ? " " : "",
                          wasm ? wasm : "?");
    c += n;
    c += strspn(c, ", ");
  }
}

/* Checks the declaration wasm2c wrote for an import against the type we
** define it with: "u32 Z_modZ_name(struct Z_mod_instance_t*, u32, u64);". */
static bool import_type_matches(const char *module_path, const char *mod, const struct wprof_import_type *want,
                                const char *decl) {
  const char *space = strchr(decl, ' '), *self = strstr(decl, "_instance_t*");
  const char *close = self ? strstr(self, ");") : NULL;
  char result[64] = "?", params[512] = "?";
  if (space && self && close) {
    const char *p = self + strlen("_instance_t*");
    p += strspn(p, ", ");
    snprintf(result, sizeof result, "%.*s", (int)(space - decl), decl);
    snprintf(params, sizeof params, "%.*s", (int)(close - p), p);
  }
  if (strcmp(result, want->result) == 0 && strcmp(params, want->params) == 0) return true;
  char got_p[512], got_r[64], want_p[512], want_r[64];
  wasm_types(params, got_p, sizeof got_p);
  wasm_types(result, got_r, sizeof got_r);
  wasm_types(want->params, want_p, sizeof want_p);
  wasm_types(want->result, want_r, sizeof want_r);
  fail(module_path, "imports %s.%s as (%s) -> (%s), but wprof run provides it as (%s) -> (%s)", mod, want->name, got_p,
       got_r, want_p, want_r);
  return false;
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

/* Reads wasm2c's header: checks every import is one we provide, and writes
** glue.c, which defines wprof_module_entry over the Z_m_* functions. */
static int write_entry(const char *module_path, const char *header, const char *glue_path) {
  FILE *h = fopen(header, "r");
  if (!h) {
    fail(module_path, "wasm2c wrote no header: %s", strerror(errno));
    return WPROF_EXIT_INTERNAL;
  }
  char line[4096], args[256] = "";
  bool has_start = false, start_is_command = false, has_memory = false, has_counter = false, ok = true;
  char counter[128], counter_decl[256];
  wasm2c_mangle(WPROF_ABI_COST_EXPORT, counter, sizeof counter);
  snprintf(counter_decl, sizeof counter_decl, "u64* Z_" MODULE_NAME "Z_%s(Z_" MODULE_NAME "_instance_t* instance);\n",
           counter);
  while (ok && fgets(line, sizeof line, h)) {
    char mod[1024], name[1024];
    if (sscanf(line, "/* import: '%1023[^']' '%1023[^']' */", mod, name) == 2) {
      const struct wprof_import_type *known = strcmp(mod, "wasi_snapshot_preview1") == 0 ? find_import(name, wprof_wasi_functions)
                                              : strcmp(mod, "wprof") == 0               ? find_import(name, probes)
                                                                                         : NULL;
      if (!known) {
        fail(module_path, "imports %s.%s, which wprof run does not provide", mod, name);
        ok = false;
      } else if (!fgets(line, sizeof line, h) || !import_type_matches(module_path, mod, known, line)) {
        ok = false;
      }
    } else if (starts_with(line, INSTANTIATE)) {
      /* one argument per imported module, in wasm2c's order */
      for (const char *s = strchr(line, ','); s; s = strchr(s + 1, ',')) {
        if (starts_with(s, ", struct Z_wasi_snapshot_preview1_instance_t*")) strcat(args, ", wasi");
        else if (starts_with(s, ", struct Z_wprof_instance_t*")) strcat(args, ", probes");
      }
    } else if (strstr(line, " Z_" MODULE_NAME "Z__start(")) {
      /* a WASI command's _start is a function [] -> []; wasm2c declares
      ** other functions, and globals, tables or memories so named, differently */
      has_start = true;
      start_is_command |= strcmp(line, "void Z_" MODULE_NAME "Z__start(Z_" MODULE_NAME "_instance_t*);\n") == 0;
    } else if (strstr(line, "wasm_rt_memory_t* Z_" MODULE_NAME "Z_memory(")) {
      has_memory = true;
    } else if (strcmp(line, counter_decl) == 0) { /* a mutable i64 global: wasm2c declares no other so */
      has_counter = true;
    }
  }
  fclose(h);
  if (!ok) return WPROF_EXIT_UNSUPPORTED;
  if (!has_start) {
    fail(module_path, "has no _start export (not a WASI command)");
    return WPROF_EXIT_UNSUPPORTED;
  }
  if (!start_is_command) {
    fail(module_path, "its _start export is not a function without parameters or results (not a WASI command)");
    return WPROF_EXIT_UNSUPPORTED;
  }
  FILE *g = fopen(glue_path, "w");
  if (!g) {
    fail(module_path, "cannot write %s: %s", glue_path, strerror(errno));
    return WPROF_EXIT_CANT_CREATE;
  }
  fprintf(g,
          "#include \"module.c\"\n%s"
          "static void entry_instantiate(void *instance, void *wasi, void *probes) {\n"
          "  (void)wasi, (void)probes;\n"
          "  Z_m_instantiate((Z_m_instance_t *)instance%s);\n}\n"
          "static void entry_start(void *instance) { Z_mZ__start((Z_m_instance_t *)instance); }\n"
          "static wasm_rt_memory_t *entry_memory(void *instance) { return %s; }\n"
          "static uint64_t *entry_instructions(void *instance) { return %s%s%s; }\n"
          "static void entry_free(void *instance) { Z_m_free((Z_m_instance_t *)instance); }\n"
          "const struct wprof_module_entry wprof_module_entry = {\n"
          "  %d, sizeof(Z_m_instance_t), Z_m_init_module, entry_instantiate, entry_start,\n"
          "  entry_memory, entry_instructions, entry_free};\n",
          WPROF_MODULE_ENTRY_TEXT, args,
          has_memory ? "Z_mZ_memory((Z_m_instance_t *)instance)" : "(void)instance, NULL",
          has_counter ? "Z_mZ_" : "(void)instance, NULL", has_counter ? counter : "",
          has_counter ? "((Z_m_instance_t *)instance)" : "",
          WPROF_MODULE_ENTRY_ABI);
  return fclose(g) == 0 ? 0 : WPROF_EXIT_CANT_CREATE;
}

/* wasm2c's complaint, in words. */
static void report_wasm2c_failure(const char *module_path, int status, const char *log) {
  char msg[512];
  first_line(log, msg, sizeof msg);
  if (WIFSIGNALED(status))
    fail(module_path, "wasm2c 1.0.32 crashed on it (a feature it does not support?)");
  else if (strstr(msg, "unexpected opcode: 0x12") || strstr(msg, "unexpected opcode: 0x13"))
    fail(module_path, "uses tail calls (return_call), which wasm2c 1.0.32 cannot translate");
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
  int rc = write_entry(module_path, h_path, glue);
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

int wprof_host_build(const char *module_path, const struct wprof_module_file *m, bool quiet, char **so_path) {
  if (m->uses_simd) {
    fail(module_path, "uses SIMD (v128), which wasm2c 1.0.32 cannot translate");
    return WPROF_EXIT_UNSUPPORTED;
  }
  char cc_id[8192], w2c_id[8192], flags[64];
  tool_identity(CC, cc_id, sizeof cc_id);
  tool_identity("wasm2c", w2c_id, sizeof w2c_id);
  snprintf(flags, sizeof flags, "%s %s%s abi%d", CC_OPTIMIZE, CC_NO_PLT, m->uses_exceptions ? " exceptions" : "",
           WPROF_MODULE_ENTRY_ABI);
  XXH3_state_t *st = XXH3_createState();
  if (!st) return WPROF_EXIT_INTERNAL;
  XXH3_128bits_reset(st);
  XXH3_128bits_update(st, m->bytes, m->len);
  const char *parts[] = {cc_id, w2c_id, "wprof " WPROF_VERSION, flags};
  for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) XXH3_128bits_update(st, parts[i], strlen(parts[i]) + 1);
  XXH128_hash_t key = XXH3_128bits_digest(st);
  XXH3_freeState(st);

  char *dir = cache_dir();
  if (!dir || mkdir_p(dir) != 0) {
    fail(module_path, "cannot create cache directory %s: %s", dir ? dir : "", strerror(errno));
    free(dir);
    return WPROF_EXIT_CANT_CREATE;
  }
  char *target = NULL, *build = NULL;
  if (asprintf(&target, "%s/%016llx%016llx.so", dir, (unsigned long long)key.high64,
               (unsigned long long)key.low64) < 0 ||
      asprintf(&build, "%s/build-XXXXXX", dir) < 0) {
    free(dir);
    free(target);
    return WPROF_EXIT_INTERNAL;
  }
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
