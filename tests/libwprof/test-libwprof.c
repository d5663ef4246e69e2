/*
** Tests of libwprof (runtime-shim/libwprof): each test drives the probe
** functions directly with a scripted event sequence, a deterministic clock
** (hooks.clock: the test sets the time before each probe), finishes the run
** and reads the database back with SQL. Expected values are worked out by
** hand in the comments next to them; every database is also checked
** against the invariants of docs/schema.md.
**   test-libwprof TEST_NAME SCRATCH_DIR
*/
#include "wprof-internal.h"
#include "wprof-schema.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int failures;
static const char *scratch;

#define CHECK(cond)                                                              \
  do {                                                                           \
    if (!(cond)) {                                                               \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      failures++;                                                                \
    }                                                                            \
  } while (0)

#define CHECK_EQ(expected, actual)                                                                         \
  do {                                                                                                     \
    long long e_ = (long long)(expected), a_ = (long long)(actual);                                        \
    if (e_ != a_) {                                                                                        \
      fprintf(stderr, "%s:%d: %s: expected %lld, got %lld\n", __FILE__, __LINE__, #actual, e_, a_);        \
      failures++;                                                                                          \
    }                                                                                                      \
  } while (0)

#define CHECK_STR(expected, actual)                                                                        \
  do {                                                                                                     \
    const char *e_ = (expected), *a_ = (actual);                                                           \
    if (strcmp(e_, a_) != 0) {                                                                             \
      fprintf(stderr, "%s:%d: %s: expected '%s', got '%s'\n", __FILE__, __LINE__, #actual, e_, a_);        \
      failures++;                                                                                          \
    }                                                                                                      \
  } while (0)

/* ---- SQL helpers ---- */

#define NO_VALUE (-987654321LL)

/* The single integer a query returns (NO_VALUE for no row or NULL). */
static long long q(sqlite3 *db, const char *fmt, ...) {
  char sql[2048];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(sql, sizeof sql, fmt, ap);
  va_end(ap);
  sqlite3_stmt *stmt;
  if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK) {
    fprintf(stderr, "bad query %s: %s\n", sql, sqlite3_errmsg(db));
    failures++;
    return NO_VALUE;
  }
  long long v = NO_VALUE;
  if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_type(stmt, 0) != SQLITE_NULL) v = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  return v;
}

/* The single text a query returns, "(null)" for none. */
static const char *qs(sqlite3 *db, const char *fmt, ...) {
  static char out[4][512];
  static int next;
  char sql[2048];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(sql, sizeof sql, fmt, ap);
  va_end(ap);
  char *o = out[next++ % 4];
  snprintf(o, 512, "(null)");
  sqlite3_stmt *stmt;
  if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK) {
    fprintf(stderr, "bad query %s: %s\n", sql, sqlite3_errmsg(db));
    failures++;
    return o;
  }
  if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_type(stmt, 0) != SQLITE_NULL)
    snprintf(o, 512, "%s", (const char *)sqlite3_column_text(stmt, 0));
  sqlite3_finalize(stmt);
  return o;
}

/* Every invariant docs/schema.md promises a reader. */
static void check_invariants(sqlite3 *db) {
  CHECK_STR("ok", qs(db, "PRAGMA integrity_check"));
  CHECK_EQ(WPROF_SCHEMA_VERSION, q(db, "PRAGMA user_version"));
  CHECK_EQ(WPROF_SCHEMA_VERSION, q(db, "SELECT value FROM meta WHERE key = 'schema_version'"));
  CHECK_STR("1", qs(db, "SELECT value FROM meta WHERE key = 'complete'"));
  CHECK_EQ(1, q(db, "SELECT count(*) FROM run"));
  CHECK_EQ(q(db, "SELECT total_calls FROM run"), q(db, "SELECT coalesce(sum(calls), 0) FROM call_paths"));
  CHECK_EQ(q(db, "SELECT unwound_frames FROM run"), q(db, "SELECT coalesce(sum(unwound), 0) FROM call_paths"));
  CHECK_EQ(q(db, "SELECT coalesce(sum(incl_ns), 0) FROM call_paths WHERE parent IS NULL"),
           q(db, "SELECT coalesce(sum(self_ns), 0) FROM call_paths"));
  CHECK_EQ(0, q(db, "SELECT count(*) FROM call_paths WHERE parent IS NULL AND incl_ns >"
                    " (SELECT duration_ns FROM run) * (SELECT value FROM meta WHERE key = 'threads')"));
  CHECK_EQ(0, q(db, "SELECT count(*) FROM call_paths WHERE self_ns < 0 OR unwound > calls"));
  /* recursive: some ancestor has the same fid (walked only when the parent's fid differs) */
  CHECK_EQ(0, q(db, "SELECT count(*) FROM call_paths c JOIN call_paths p ON p.id = c.parent"
                    " WHERE c.id <= p.id OR c.depth != p.depth + 1 OR (c.recursive != 0) !="
                    " CASE WHEN p.fid = c.fid THEN 1 ELSE EXISTS (WITH RECURSIVE up(id, fid, parent) AS"
                    "   (SELECT id, fid, parent FROM call_paths WHERE id = p.id UNION ALL"
                    "    SELECT x.id, x.fid, x.parent FROM call_paths x JOIN up ON x.id = up.parent)"
                    "   SELECT 1 FROM up WHERE up.fid = c.fid) END"));
  CHECK_EQ(0, q(db, "SELECT count(*) FROM call_paths WHERE parent IS NULL AND depth > 1"));
  CHECK_EQ(0, q(db, "SELECT count(*) FROM (SELECT parent, fid FROM call_paths GROUP BY parent, fid HAVING count(*) > 1)"));
  CHECK_EQ(0, q(db, "SELECT count(*) FROM alloc_sites WHERE alloc_objects != free_objects + live_objects"
                    " OR alloc_bytes != free_bytes + live_bytes OR peak_bytes > alloc_bytes"));
  CHECK_EQ(0, q(db, "SELECT count(*) FROM alloc_sites WHERE path_id NOT IN (SELECT id FROM call_paths)"));
  CHECK_EQ(q(db, "SELECT peak_live_bytes FROM run"), q(db, "SELECT coalesce(sum(peak_bytes), 0) FROM alloc_sites"));
  CHECK_EQ(q(db, "SELECT peak_live_objects FROM run"), q(db, "SELECT coalesce(sum(peak_objects), 0) FROM alloc_sites"));
  if (strcmp(qs(db, "SELECT timing FROM run"), "none") == 0) {
    CHECK_EQ(0, q(db, "SELECT count(*) FROM call_paths WHERE incl_ns != 0 OR self_ns != 0"));
    CHECK_EQ(0, q(db, "SELECT duration_ns + peak_time_ns FROM run"));
    CHECK_STR("none", qs(db, "SELECT clock FROM run"));
  }
  if (strcmp(qs(db, "SELECT timing FROM run"), "sampled") == 0) {
    CHECK_EQ(q(db, "SELECT samples FROM run"), q(db, "SELECT coalesce(sum(samples), 0) FROM call_paths"));
    CHECK_EQ(0, q(db, "SELECT count(*) FROM call_paths p, run WHERE p.self_ns != p.samples * run.sample_interval_ns"));
    /* inclusive time: the path's own and its children's inclusive time (so, by induction, its subtree's samples) */
    CHECK_EQ(0, q(db, "SELECT count(*) FROM call_paths p LEFT JOIN (SELECT parent, sum(incl_ns) AS below"
                      " FROM call_paths GROUP BY parent) c ON c.parent = p.id"
                      " WHERE p.incl_ns != p.self_ns + coalesce(c.below, 0)"));
  } else {
    CHECK_EQ(0, q(db, "SELECT samples + probe_samples + coalesce(sample_interval_ns, 0) FROM run"));
    CHECK_EQ(0, q(db, "SELECT count(*) FROM call_paths WHERE samples != 0"));
  }
  if (q(db, "SELECT trace FROM run") == 1) {
    /* lost_events counts the rows of both tables that were not stored */
    CHECK_EQ(1, q(db, "SELECT count(*) <= total_calls AND count(*) + lost_events >= total_calls FROM calls, run"));
    CHECK_EQ(0, q(db, "SELECT count(*) FROM calls WHERE path_id NOT IN (SELECT id FROM call_paths)"));
    /* when nothing was lost, each path's rows add up to its counters */
    if (q(db, "SELECT lost_events FROM run") == 0) {
      CHECK_EQ(q(db, "SELECT total_calls FROM run"), q(db, "SELECT count(*) FROM calls"));
      CHECK_EQ(0, q(db, "SELECT count(*) FROM call_paths p LEFT JOIN (SELECT path_id, count(*) AS n,"
                        " sum(unwound) AS u FROM calls GROUP BY path_id) c ON c.path_id = p.id"
                        " WHERE p.calls != coalesce(c.n, 0) OR p.unwound != coalesce(c.u, 0)"));
      CHECK_EQ(q(db, "SELECT max(id) FROM calls"), q(db, "SELECT count(*) FROM calls"));
    }
  } else {
    CHECK_EQ(0, q(db, "SELECT (SELECT count(*) FROM calls) + (SELECT count(*) FROM alloc_events) + lost_events FROM run"));
  }
}

/* ---- the module: a wprof.functions section, as wasm-instrument writes it ---- */

struct fn {
  const char *name;
  uint32_t flags;
};

/* fids of the standard test module */
enum { MAIN, FIB, F, G, H, MALLOC, FREE, NFUNCS };
static const struct fn standard_functions[NFUNCS] = {
    {"main", 1}, {"fib", 1}, {"f", 1}, {"g", 1}, {"h", 3}, {"malloc", 1 | 1 << 8}, {"free", 1 | 4 << 8}};

static size_t put_leb(uint8_t *out, uint32_t v) {
  size_t n = 0;
  do {
    out[n] = v & 0x7f;
    v >>= 7;
    if (v) out[n] |= 0x80;
    n++;
  } while (v);
  return n;
}

static size_t put_string(uint8_t *out, const char *s) {
  size_t n = put_leb(out, (uint32_t)strlen(s));
  memcpy(out + n, s, strlen(s));
  return n + strlen(s);
}

/* A module with one custom section wprof.functions (abi, 2 imported functions,
** fids 0..n-1 at func_index fid + 2, code_offset 100 + 10 * fid), preceded by
** an unrelated custom section. */
static size_t build_module(uint8_t *out, uint32_t abi, const struct fn *fns, uint32_t n) {
  static const uint8_t header[8] = {0, 'a', 's', 'm', 1, 0, 0, 0};
  uint8_t payload[4096];
  size_t p = put_string(payload, "wprof.functions");
  p += put_leb(payload + p, abi);
  p += put_leb(payload + p, 2);
  p += put_leb(payload + p, n);
  for (uint32_t i = 0; i < n; i++) {
    p += put_leb(payload + p, i);
    p += put_leb(payload + p, i + 2);
    p += put_leb(payload + p, 100 + 10 * i);
    p += put_leb(payload + p, fns[i].flags);
    p += put_string(payload + p, fns[i].name);
  }
  size_t o = sizeof header;
  memcpy(out, header, o);
  out[o++] = 0; /* custom section "other", 3 bytes of payload */
  out[o++] = 9;
  o += put_string(out + o, "other");
  memcpy(out + o, "xyz", 3);
  o += 3;
  out[o++] = 0;
  o += put_leb(out + o, (uint32_t)p);
  memcpy(out + o, payload, p);
  return o + p;
}

/* ---- running the recorder ---- */

static uint64_t fake_now;
static uint64_t fake_clock(void *ctx) {
  (void)ctx;
  return fake_now;
}

struct run {
  wprof_recorder *rec;
  wprof_thread *t;
  char db_path[512];
  uint8_t module[4096];
  size_t module_len;
};

static struct wprof_hooks test_hooks(void) {
  return (struct wprof_hooks){.clock = fake_clock};
}

static struct wprof_run_options run_options(struct run *r, const char *name, bool trace) {
  static char *argv[] = {"prog.wasm", "a \"quoted\" arg", "tab\there"};
  snprintf(r->db_path, sizeof r->db_path, "%s/%s.db", scratch, name);
  unlink(r->db_path);
  if (!r->module_len) r->module_len = build_module(r->module, 1, standard_functions, NFUNCS);
  return (struct wprof_run_options){.db_path = r->db_path,
                                    .module_path = "prog.wasm",
                                    .module_bytes = r->module,
                                    .module_len = r->module_len,
                                    .argc = 3,
                                    .argv = argv,
                                    .host = "test",
                                    .timing = WPROF_TIMING_EXACT,
                                    .trace = trace};
}

/* Opens a run at fake time 1000 with one thread attached. */
static void start_with(struct run *r, const struct wprof_run_options *opts, const struct wprof_hooks *hooks) {
  char err[256] = "";
  fake_now = 1000;
  r->rec = wprof__open_with_hooks(opts, hooks, err, sizeof err);
  if (!r->rec) {
    fprintf(stderr, "wprof_open: %s\n", err);
    exit(1);
  }
  r->t = wprof_thread_attach(r->rec);
  CHECK(r->t != NULL);
}

static void start(struct run *r, const char *name, bool trace) {
  struct wprof_run_options opts = run_options(r, name, trace);
  struct wprof_hooks hooks = test_hooks();
  start_with(r, &opts, &hooks);
}

/* Finishes the run and opens the database it wrote. */
static sqlite3 *finish(struct run *r, enum wprof_status status, int exit_code, const char *message) {
  char err[256] = "";
  int rc = wprof_finish(r->rec, status, exit_code, message, err, sizeof err);
  if (rc != 0) fprintf(stderr, "wprof_finish: %s\n", err);
  CHECK_EQ(0, rc);
  wprof_close(r->rec);
  sqlite3 *db;
  if (sqlite3_open_v2(r->db_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
    fprintf(stderr, "cannot open %s\n", r->db_path);
    exit(1);
  }
  check_invariants(db);
  return db;
}

/* Each probe happens 10 ns after the previous one. */
static void enter(struct run *r, uint32_t fid) {
  fake_now += 10;
  wprof_probe_enter(r->t, fid);
}

static void leave(struct run *r, uint32_t fid) {
  fake_now += 10;
  wprof_probe_exit(r->t, fid);
}

static void fib(struct run *r, int n) {
  enter(r, FIB);
  if (n >= 2) {
    fib(r, n - 1);
    fib(r, n - 2);
  }
  leave(r, FIB);
}

static long long path_value(sqlite3 *db, const char *column, const char *path) {
  return q(db, "SELECT %s FROM call_paths JOIN path_names USING (id) WHERE path = '%s'", column, path);
}

/* ---- tests ---- */

/* fib(10) from main: 2 * fib(11) - 1 = 177 calls of fib. Calls per recursion
** depth, counting the fib(n) arguments level by level (fib(10); fib(9),
** fib(8); ...): 1 2 4 8 16 32 52 44 16 2. Each probe is 10 ns after the
** previous one, so a call with s calls in its subtree lasts 20 s - 10 ns. */
static void test_fib(void) {
  struct run r = {0};
  start(&r, "fib", false);
  enter(&r, MAIN);
  fib(&r, 10);
  leave(&r, MAIN);
  fake_now = 5000;
  sqlite3 *db = finish(&r, WPROF_EXITED, 0, NULL);
  CHECK_EQ(178, q(db, "SELECT total_calls FROM run"));
  CHECK_EQ(178, q(db, "SELECT total_exits FROM run"));
  CHECK_EQ(0, q(db, "SELECT unwound_frames FROM run"));
  CHECK_EQ(11, q(db, "SELECT count(*) FROM call_paths"));
  static const int per_depth[10] = {1, 2, 4, 8, 16, 32, 52, 44, 16, 2};
  for (int d = 0; d < 10; d++) {
    CHECK_EQ(per_depth[d], q(db, "SELECT calls FROM call_paths WHERE fid = %d AND depth = %d", FIB, d + 2));
    CHECK_EQ(d > 0, q(db, "SELECT recursive FROM call_paths WHERE fid = %d AND depth = %d", FIB, d + 2));
  }
  CHECK_EQ(11, q(db, "SELECT max(depth) FROM call_paths"));
  CHECK_STR("main;fib;fib;fib", qs(db, "SELECT path FROM path_names JOIN call_paths USING (id) WHERE depth = 4"));
  /* main: enter at 1010, fib(10) enters at 1020 and lasts 20*177-10 = 3530, main exits 10 ns later */
  CHECK_EQ(3550, path_value(db, "incl_ns", "main"));
  CHECK_EQ(20, path_value(db, "self_ns", "main"));
  CHECK_EQ(3530, path_value(db, "incl_ns", "main;fib"));
  /* fib(9) and fib(8) at depth 2: subtrees of 109 and 67 calls */
  CHECK_EQ(20 * 109 - 10 + 20 * 67 - 10, path_value(db, "incl_ns", "main;fib;fib"));
  CHECK_EQ(4000, q(db, "SELECT duration_ns FROM run"));
  /* flat profile: inclusive time of fib counts only the outermost activation */
  CHECK_EQ(177, q(db, "SELECT calls FROM flat_profile WHERE name = 'fib'"));
  CHECK_EQ(1, q(db, "SELECT primitive_calls FROM flat_profile WHERE name = 'fib'"));
  CHECK_EQ(3530, q(db, "SELECT incl_ns FROM flat_profile WHERE name = 'fib'"));
  CHECK_EQ(3530, q(db, "SELECT self_ns FROM flat_profile WHERE name = 'fib'"));
  CHECK_EQ(2, q(db, "SELECT count(*) FROM flat_profile"));
  CHECK_EQ(176, q(db, "SELECT calls FROM call_edges WHERE caller = %d AND callee = %d", FIB, FIB));
  CHECK_EQ(1, q(db, "SELECT calls FROM call_edges WHERE caller = %d AND callee = %d", MAIN, FIB));
  /* the run row */
  CHECK_STR("prog.wasm", qs(db, "SELECT module_path FROM run"));
  CHECK_STR("[\"prog.wasm\",\"a \\\"quoted\\\" arg\",\"tab\\u0009here\"]", qs(db, "SELECT args FROM run"));
  CHECK_STR("test", qs(db, "SELECT host FROM run"));
  CHECK_STR("exited", qs(db, "SELECT status FROM run"));
  CHECK_EQ(0, q(db, "SELECT exit_code FROM run"));
  CHECK_EQ(NO_VALUE, q(db, "SELECT trap FROM run"));
  CHECK_EQ(1, q(db, "SELECT instrumented FROM run"));
  CHECK_EQ((long long)r.module_len, q(db, "SELECT module_size FROM run"));
  CHECK_STR("exact", qs(db, "SELECT timing FROM run"));
  CHECK_EQ(0, q(db, "SELECT trace FROM run"));
  CHECK_EQ(24, q(db, "SELECT length(start_time) FROM run"));
  CHECK_EQ(1, q(db, "SELECT start_time GLOB '2[0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T*Z' FROM run"));
  /* the functions table, from the section */
  CHECK_EQ(NFUNCS, q(db, "SELECT count(*) FROM functions"));
  CHECK_EQ(FIB + 2, q(db, "SELECT func_index FROM functions WHERE name = 'fib'"));
  CHECK_EQ(100 + 10 * FIB, q(db, "SELECT code_offset FROM functions WHERE name = 'fib'"));
  CHECK_STR("malloc", qs(db, "SELECT alloc_kind FROM functions WHERE fid = %d", MALLOC));
  CHECK_STR("free", qs(db, "SELECT alloc_kind FROM functions WHERE fid = %d", FREE));
  CHECK_EQ(NO_VALUE, q(db, "SELECT alloc_kind FROM functions WHERE fid = %d", MAIN));
  CHECK_EQ(7, q(db, "SELECT sum(instrumented) FROM functions"));
  sqlite3_close(db);
}

/* main -> f -> g -> h; an exception thrown in h is caught in f (depth 2), so
** g and h are unwound at the time of the catch probe. */
static void test_catch(void) {
  struct run r = {0};
  start(&r, "catch", false);
  enter(&r, MAIN); /* 1010 */
  enter(&r, F);    /* 1020 */
  CHECK_EQ(2, wprof_probe_frame(r.t));
  enter(&r, G);    /* 1030 */
  enter(&r, H);    /* 1040 */
  CHECK_EQ(4, wprof_probe_frame(r.t));
  fake_now = 1100;
  wprof_probe_catch(r.t, F, 2);
  CHECK_EQ(2, wprof_probe_frame(r.t));
  enter(&r, H); /* 1110: a new path main;f;h */
  leave(&r, H); /* 1120 */
  leave(&r, F); /* 1130 */
  leave(&r, MAIN); /* 1140 */
  sqlite3 *db = finish(&r, WPROF_EXITED, 3, NULL);
  CHECK_EQ(5, q(db, "SELECT total_calls FROM run"));
  CHECK_EQ(3, q(db, "SELECT total_exits FROM run"));
  CHECK_EQ(2, q(db, "SELECT unwound_frames FROM run"));
  CHECK_EQ(3, q(db, "SELECT exit_code FROM run"));
  CHECK_EQ(1, path_value(db, "unwound", "main;f;g"));
  CHECK_EQ(1, path_value(db, "unwound", "main;f;g;h"));
  CHECK_EQ(0, path_value(db, "unwound", "main;f;h"));
  CHECK_EQ(70, path_value(db, "incl_ns", "main;f;g"));   /* 1030 .. 1100 */
  CHECK_EQ(60, path_value(db, "incl_ns", "main;f;g;h")); /* 1040 .. 1100 */
  CHECK_EQ(110, path_value(db, "incl_ns", "main;f"));    /* 1020 .. 1130 */
  CHECK_EQ(110 - 70 - 10, path_value(db, "self_ns", "main;f"));
  CHECK_EQ(0, q(db, "SELECT value FROM meta WHERE key = 'probe_mismatches'"));
  sqlite3_close(db);
}

/* A host's call into the guest that ended by a throw (wprof_thread_unwind):
** main -> f called at depth 0 throws from f (both unwound at 1030); then
** main -> g whose import calls back into the guest at depth 2: h -> f throws
** (h and f unwound at 1070, g and main go on and leave normally). Depths
** at or above the stack's close nothing. */
static void test_host_unwind(void) {
  struct run r = {0};
  start(&r, "host_unwind", false);
  enter(&r, MAIN); /* 1010 */
  enter(&r, F);    /* 1020 */
  fake_now = 1030;
  wprof_thread_unwind(r.t, 0);
  CHECK_EQ(0, wprof_probe_frame(r.t));
  enter(&r, MAIN); /* 1040 */
  enter(&r, G);    /* 1050 */
  enter(&r, H);    /* 1060 */
  enter(&r, F);    /* 1070 */
  wprof_thread_unwind(r.t, 2);
  CHECK_EQ(2, wprof_probe_frame(r.t));
  wprof_thread_unwind(r.t, 2);
  wprof_thread_unwind(r.t, 7);
  CHECK_EQ(2, wprof_probe_frame(r.t));
  leave(&r, G);    /* 1080 */
  leave(&r, MAIN); /* 1090 */
  sqlite3 *db = finish(&r, WPROF_EXITED, 0, NULL);
  CHECK_STR("6 calls, 2 exits, 4 unwound, 0 mismatches",
            qs(db, "SELECT total_calls || ' calls, ' || total_exits || ' exits, ' || unwound_frames || ' unwound, ' ||"
                   " (SELECT value FROM meta WHERE key = 'probe_mismatches') || ' mismatches' FROM run"));
  /* path:calls/unwound/incl_ns: main 1010 .. 1030 and 1040 .. 1090, f 1020 .. 1030,
  ** g 1050 .. 1080, h 1060 .. 1070, the second f 1070 .. 1070 */
  CHECK_STR("main:2/1/70 main;f:1/1/10 main;g:1/0/30 main;g;h:1/1/10 main;g;h;f:1/1/0",
            qs(db, "SELECT group_concat(path || ':' || calls || '/' || unwound || '/' || incl_ns, ' ') FROM"
                   " (SELECT * FROM call_paths JOIN path_names USING (id) ORDER BY path)"));
  sqlite3_close(db);
}

/* A trap with three frames open (main, g, g): all closed at the end time, unwound. */
static void test_finish_open_frames(void) {
  struct run r = {0};
  start(&r, "open_frames", false);
  enter(&r, MAIN); /* 1010 */
  enter(&r, F);    /* 1020 */
  leave(&r, F);    /* 1030 */
  enter(&r, G);    /* 1040 */
  enter(&r, G);    /* 1050 */
  fake_now = 2000;
  sqlite3 *db = finish(&r, WPROF_TRAPPED, 0, "unreachable executed");
  CHECK_EQ(4, q(db, "SELECT total_calls FROM run"));
  CHECK_EQ(1, q(db, "SELECT total_exits FROM run"));
  CHECK_EQ(3, q(db, "SELECT unwound_frames FROM run"));
  CHECK_STR("trapped", qs(db, "SELECT status FROM run"));
  CHECK_STR("unreachable executed", qs(db, "SELECT trap FROM run"));
  CHECK_EQ(NO_VALUE, q(db, "SELECT exit_code FROM run"));
  CHECK_EQ(1, path_value(db, "unwound", "main"));
  CHECK_EQ(0, path_value(db, "unwound", "main;f"));
  CHECK_EQ(1, path_value(db, "recursive", "main;g;g"));
  CHECK_EQ(990, path_value(db, "incl_ns", "main"));
  CHECK_EQ(950, path_value(db, "incl_ns", "main;g;g"));
  CHECK_EQ(1000, q(db, "SELECT duration_ns FROM run"));
  sqlite3_close(db);
}

/* Exits that do not match the shadow stack: g's exit is missing (g is closed
** as unwound when f exits), and an exit of h with no frame of h is ignored. */
static void test_exit_mismatch(void) {
  struct run r = {0};
  start(&r, "mismatch", false);
  enter(&r, MAIN); /* 1010 */
  enter(&r, F);    /* 1020 */
  enter(&r, G);    /* 1030 */
  leave(&r, F);    /* 1040: closes g (unwound) then f */
  leave(&r, H);    /* 1050: no frame of h */
  CHECK_EQ(1, wprof_probe_frame(r.t));
  leave(&r, MAIN); /* 1060 */
  leave(&r, MAIN); /* 1070: empty stack */
  CHECK_EQ(0, wprof_probe_frame(r.t));
  wprof_probe_catch(r.t, MAIN, 5); /* deeper than the stack */
  sqlite3 *db = finish(&r, WPROF_EXITED, 0, NULL);
  CHECK_EQ(3, q(db, "SELECT total_calls FROM run"));
  CHECK_EQ(2, q(db, "SELECT total_exits FROM run"));
  CHECK_EQ(1, q(db, "SELECT unwound_frames FROM run"));
  CHECK_EQ(1, path_value(db, "unwound", "main;f;g"));
  CHECK_EQ(10, path_value(db, "incl_ns", "main;f;g"));
  CHECK_EQ(20, path_value(db, "incl_ns", "main;f"));
  CHECK_EQ(4, q(db, "SELECT value FROM meta WHERE key = 'probe_mismatches'"));
  sqlite3_close(db);
}

/* A site's counts as "alloc_objects,alloc_bytes,free_objects,free_bytes,
** live_objects,live_bytes,peak_objects,peak_bytes". */
static const char *site_counts(sqlite3 *db, const char *path) {
  return qs(db, "SELECT alloc_objects||','||alloc_bytes||','||free_objects||','||free_bytes||','||live_objects||','||"
                "live_bytes||','||peak_objects||','||peak_bytes FROM top_alloc_sites WHERE path = '%s'", path);
}

/* Sites: F = main;f, M = main, G = main;g. Live bytes after each event:
**   f: alloc 100(10) -> 10, alloc 200(20) -> 30
**   main: alloc 300(30) -> 60, free 100 -> 50
**   g: realloc 200->400 (50): free 20 -> 30, +50 -> 80 (peak 80)
**      free 999 (unknown), free 100 (double), realloc 0->500 (5) -> 85 (peak, at t=1234)
**      realloc 500->0 (0) -> 80, realloc 300->0 (7): failed, 300 stays
**      alloc 0 (64): failed, free 0: no-op
**   main: free 400 -> 30, alloc 600 (40) -> 70
** At the peak (85 bytes, 3 objects): F nothing, M 300 (30), G 400 and 500 (55). */
static void test_alloc_sites(void) {
  struct run r = {0};
  start(&r, "alloc", false);
  enter(&r, MAIN);
  enter(&r, F);
  wprof_probe_alloc(r.t, 100, 10);
  wprof_probe_alloc(r.t, 200, 20);
  leave(&r, F);
  wprof_probe_alloc(r.t, 300, 30);
  wprof_probe_free(r.t, 100);
  enter(&r, G);
  wprof_probe_realloc(r.t, 200, 400, 50);
  wprof_probe_free(r.t, 999);
  wprof_probe_free(r.t, 100);
  fake_now = 1234;
  wprof_probe_realloc(r.t, 0, 500, 5);
  fake_now = 1300;
  wprof_probe_realloc(r.t, 500, 0, 0);
  wprof_probe_realloc(r.t, 300, 0, 7);
  wprof_probe_alloc(r.t, 0, 64);
  wprof_probe_free(r.t, 0);
  leave(&r, G);
  wprof_probe_free(r.t, 400);
  wprof_probe_alloc(r.t, 600, 40);
  leave(&r, MAIN);
  struct wprof_summary sum;
  wprof_get_summary(r.rec, &sum);
  CHECK_EQ(6, sum.alloc_objects);
  CHECK_EQ(155, sum.alloc_bytes);
  CHECK_EQ(2, sum.live_objects);
  CHECK_EQ(70, sum.live_bytes);
  CHECK_EQ(3, sum.calls);
  CHECK_EQ(3, sum.functions_called);
  sqlite3 *db = finish(&r, WPROF_EXITED, 0, NULL);
  CHECK_EQ(85, q(db, "SELECT peak_live_bytes FROM run"));
  CHECK_EQ(3, q(db, "SELECT peak_live_objects FROM run"));
  CHECK_EQ(234, q(db, "SELECT peak_time_ns FROM run"));
  CHECK_EQ(1, q(db, "SELECT unknown_frees FROM run"));
  CHECK_EQ(1, q(db, "SELECT double_frees FROM run"));
  CHECK_EQ(3, q(db, "SELECT count(*) FROM alloc_sites"));
  CHECK_STR("2,30,2,30,0,0,0,0", site_counts(db, "main;f"));
  CHECK_STR("2,70,0,0,2,70,1,30", site_counts(db, "main"));
  CHECK_STR("2,55,2,55,0,0,2,55", site_counts(db, "main;g"));
  CHECK_STR("main", qs(db, "SELECT function FROM top_alloc_sites LIMIT 1"));
  CHECK_STR("main;g", qs(db, "SELECT path FROM top_alloc_sites LIMIT 1 OFFSET 1"));
  sqlite3_close(db);
}

/* The peak moves: two peaks with different sites live, then the heap drains.
** a: alloc 1(100) -> 100 (peak 1), b: alloc 2(50) -> 150 (peak 2),
** a: free 1 -> 50, b: alloc 3(120) -> 170 (peak 3: a 0, b 2 objects 170),
** a: alloc 4(10) -> 180 (peak 4: a 1/10, b 2/170), free 2, 3, 4 -> 0. */
static void test_peak_moves(void) {
  struct run r = {0};
  start(&r, "peaks", false);
  enter(&r, F);
  wprof_probe_alloc(r.t, 1, 100);
  enter(&r, G);
  wprof_probe_alloc(r.t, 2, 50);
  leave(&r, G);
  wprof_probe_free(r.t, 1);
  enter(&r, G);
  wprof_probe_alloc(r.t, 3, 120);
  leave(&r, G);
  wprof_probe_alloc(r.t, 4, 10);
  wprof_probe_free(r.t, 2);
  wprof_probe_free(r.t, 3);
  wprof_probe_free(r.t, 4);
  leave(&r, F);
  sqlite3 *db = finish(&r, WPROF_EXITED, 0, NULL);
  CHECK_EQ(180, q(db, "SELECT peak_live_bytes FROM run"));
  CHECK_EQ(3, q(db, "SELECT peak_live_objects FROM run"));
  CHECK_EQ(10, path_value(db, "(SELECT peak_bytes FROM alloc_sites WHERE path_id = id)", "f"));
  CHECK_EQ(1, path_value(db, "(SELECT peak_objects FROM alloc_sites WHERE path_id = id)", "f"));
  CHECK_EQ(170, path_value(db, "(SELECT peak_bytes FROM alloc_sites WHERE path_id = id)", "f;g"));
  CHECK_EQ(0, q(db, "SELECT sum(live_bytes) FROM alloc_sites"));
  sqlite3_close(db);
}

/* What a run whose every allocation was f's left in the database: f's
** site (as site_counts gives it), the heap's peak, bad frees. */
static void check_f_heap(sqlite3 *db, const char *site, long long peak_bytes, long long peak_objects,
                         long long double_frees, long long unknown_frees) {
  CHECK_STR(site, site_counts(db, "f"));
  CHECK_EQ(peak_bytes, q(db, "SELECT peak_live_bytes FROM run"));
  CHECK_EQ(peak_objects, q(db, "SELECT peak_live_objects FROM run"));
  CHECK_EQ(double_frees, q(db, "SELECT double_frees FROM run"));
  CHECK_EQ(unknown_frees, q(db, "SELECT unknown_frees FROM run"));
}

/* The live-block table under pointers that collide in it and enough churn
** to rebuild it, growing and not. Blocks, all allocated in f:
**   A: 4000 x 16 B at 0x1000 + 16 i; B: 4000 x 1 B at 0x0F000001 + i (eight
**   to a granule of 8 bytes); C: 200 x 3 B at (i + 1) << 24 (the same offset
**   in 200 windows; B shares a granule with C at 15 << 24). Peak after them: 68600 B, 8200 objects.
** Then: free A at even i (2000, 32000 B), free 0x1000 again (double),
** free 0x1008 (never allocated); 100 rounds of 1000 x 24 B allocated at fresh
** addresses and freed (live at most 36600 + 24000 < 68600); free all of B.
** Live at exit: A at odd i (2000 x 16) and C (200 x 3): 2200 objects, 32600 B.
** Allocated: 4000 + 4000 + 200 + 100000 = 108200 objects,
** 64000 + 4000 + 600 + 2400000 = 2468600 B. */
static void test_block_table(void) {
  struct run r = {0};
  start(&r, "blocks", false);
  enter(&r, F);
  for (uint64_t i = 0; i < 4000; i++) wprof_probe_alloc(r.t, 0x1000 + 16 * i, 16);
  for (uint64_t i = 0; i < 4000; i++) wprof_probe_alloc(r.t, 0x0F000001 + i, 1);
  for (uint64_t i = 0; i < 200; i++) wprof_probe_alloc(r.t, (i + 1) << 24, 3);
  for (uint64_t i = 0; i < 4000; i += 2) wprof_probe_free(r.t, 0x1000 + 16 * i);
  wprof_probe_free(r.t, 0x1000);
  wprof_probe_free(r.t, 0x1008);
  for (uint64_t round = 0; round < 100; round++) {
    uint64_t base = 0x40000008 + round * 0x100000;
    for (uint64_t k = 0; k < 1000; k++) wprof_probe_alloc(r.t, base + 32 * k, 24);
    for (uint64_t k = 0; k < 1000; k++) wprof_probe_free(r.t, base + 32 * k);
  }
  for (uint64_t i = 0; i < 4000; i++) wprof_probe_free(r.t, 0x0F000001 + i);
  leave(&r, F);
  sqlite3 *db = finish(&r, WPROF_EXITED, 0, NULL);
  check_f_heap(db, "108200,2468600,106000,2436000,2200,32600,8200,68600", 68600, 8200, 1, 1);
  sqlite3_close(db);
}

/* A block table past 2 MiB (mapped on huge pages where the kernel gives
** them): 50,000 blocks of 8 B at 0x50000000 + 8 i, then every other one
** freed. Allocated 50,000 objects / 400,000 B, freed 25,000 / 200,000, live
** 25,000 / 200,000; the peak is before the frees: 400,000 B in 50,000. */
static void test_block_table_large(void) {
  struct run r = {0};
  start(&r, "blocks_large", false);
  enter(&r, F);
  for (uint32_t i = 0; i < 50000; i++) wprof_probe_alloc(r.t, 0x50000000u + 8 * i, 8);
  for (uint32_t i = 0; i < 50000; i += 2) wprof_probe_free(r.t, 0x50000000u + 8 * i);
  leave(&r, F);
  sqlite3 *db = finish(&r, WPROF_EXITED, 0, NULL);
  check_f_heap(db, "50000,400000,25000,200000,25000,200000,50000,400000", 400000, 50000, 0, 0);
  sqlite3_close(db);
}

/* The shadow of 8-byte aligned blocks, and frees counted at the next event
** (heap.c): all in f, live bytes / objects after each step:
**   alloc 0x100 (16) 16/1; alloc 0x108 (8) 24/2; alloc 0x100 (32) without a
**   free: the 16 B block counts as freed, 8/1, then 40/2; free 0x108 32/1;
**   free 0x108 again (double); free 0x60000000 (unknown, in no shadowed
**   leaf) and 0x110 (unknown, beside a live block); realloc 0x100 -> 0x100
**   (64) in place 0/0 then 64/1; alloc 0x300 (8) 72/2 (the peak); free 0x300
**   64/1; alloc 0x300 (8) 72/2 (not above the peak).
** Allocated 6 objects / 136 B; freed 16 + 8 + 32 + 8 = 64 B in 4; live
** 0x100 and 0x300: 2 / 72 B; peak 2 / 72 B. */
static void test_shadow_granules(void) {
  struct run r = {0};
  start(&r, "granules", false);
  enter(&r, F);
  wprof_probe_alloc(r.t, 0x100, 16);
  wprof_probe_alloc(r.t, 0x108, 8);
  wprof_probe_alloc(r.t, 0x100, 32);
  wprof_probe_free(r.t, 0x108);
  wprof_probe_free(r.t, 0x108);
  wprof_probe_free(r.t, 0x60000000);
  wprof_probe_free(r.t, 0x110);
  wprof_probe_realloc(r.t, 0x100, 0x100, 64);
  wprof_probe_alloc(r.t, 0x300, 8);
  wprof_probe_free(r.t, 0x300);
  wprof_probe_alloc(r.t, 0x300, 8);
  leave(&r, F);
  sqlite3 *db = finish(&r, WPROF_EXITED, 0, NULL);
  check_f_heap(db, "6,136,4,64,2,72,2,72", 72, 2, 1, 2);
  sqlite3_close(db);
}

/* Allocations before any instrumented frame go to the synthetic path
** '(root)': fid -1, depth 0, no parent, never called. */
static void test_root_allocations(void) {
  struct run r = {0};
  start(&r, "root_alloc", false);
  wprof_probe_alloc(r.t, 64, 8);
  enter(&r, MAIN);
  wprof_probe_free(r.t, 64);
  leave(&r, MAIN);
  sqlite3 *db = finish(&r, WPROF_EXITED, 0, NULL);
  CHECK_EQ(2, q(db, "SELECT count(*) FROM call_paths"));
  CHECK_STR("-1,0,0", qs(db, "SELECT fid||','||depth||','||calls FROM call_paths WHERE parent IS NULL AND fid < 0"));
  CHECK_STR("(root)", qs(db, "SELECT name FROM functions WHERE fid = -1"));
  CHECK_STR("(root)", qs(db, "SELECT path FROM top_alloc_sites"));
  CHECK_STR("1,8,1,8", qs(db, "SELECT alloc_objects||','||alloc_bytes||','||free_objects||','||free_bytes FROM alloc_sites"));
  CHECK_EQ(1, q(db, "SELECT calls FROM flat_profile WHERE name = 'main'"));
  sqlite3_close(db);
}

/* --trace: main -> f (twice) -> g, with allocations. Rows in entry order. */
static void test_trace_rows(void) {
  struct run r = {0};
  start(&r, "trace", true);
  enter(&r, MAIN); /* call 1 at 1010 (10 ns after the start) */
  enter(&r, F);    /* call 2 at 1020 */
  wprof_probe_alloc(r.t, 16, 4);
  leave(&r, F);    /* 1030 */
  enter(&r, F);    /* call 3 at 1040 */
  enter(&r, G);    /* call 4 at 1050 */
  wprof_probe_realloc(r.t, 16, 32, 8);
  leave(&r, G);    /* 1060 */
  wprof_probe_free(r.t, 32);
  leave(&r, F);    /* 1070 */
  enter(&r, G);    /* call 5 at 1080, open at the end (2000) */
  fake_now = 2000;
  sqlite3 *db = finish(&r, WPROF_INTERRUPTED, 0, NULL);
  CHECK_STR("interrupted", qs(db, "SELECT status FROM run"));
  CHECK_EQ(1, q(db, "SELECT trace FROM run"));
  CHECK_EQ(0, q(db, "SELECT lost_events FROM run"));
  CHECK_EQ(5, q(db, "SELECT count(*) FROM calls"));
  CHECK_STR("1:main:10:990:1,2:main;f:20:10:0,3:main;f:40:30:0,4:main;f;g:50:10:0,5:main;g:80:920:1",
            qs(db, "SELECT group_concat(row) FROM (SELECT c.id||':'||n.path||':'||start_ns||':'||dur_ns||':'||unwound"
                   " AS row FROM calls c JOIN path_names n ON n.id = c.path_id ORDER BY c.id)"));
  CHECK_EQ(3, q(db, "SELECT count(*) FROM alloc_events"));
  CHECK_STR("1:alloc:16::4:main;f:20,2:realloc:32:16:8:main;f;g:50,3:free:32::0:main;f:60",
            qs(db, "SELECT group_concat(row) FROM (SELECT e.id||':'||kind||':'||ptr||':'||coalesce(old_ptr,'')||':'"
                   "||size||':'||n.path||':'||time_ns AS row FROM alloc_events e JOIN path_names n ON n.id = e.path_id"
                   " ORDER BY e.id)"));
  sqlite3_close(db);
}

/* A deep call chain (5,000 paths, each the parent of the next, all on the
** shadow stack at once) and a wide node (300 distinct callees), traced with
** the default buffers. */
static void test_deep_and_wide(void) {
  struct run r = {0};
  start(&r, "deep", true);
  enum { DEPTH = 5000, WIDTH = 300 };
  for (int i = 0; i < DEPTH; i++) enter(&r, FIB);
  for (int i = 0; i < DEPTH; i++) leave(&r, FIB);
  enter(&r, MAIN);
  for (int round = 0; round < 3; round++) {
    for (uint32_t fid = 1000; fid < 1000 + WIDTH; fid++) {
      enter(&r, fid);
      leave(&r, fid);
    }
  }
  leave(&r, MAIN);
  sqlite3 *db = finish(&r, WPROF_EXITED, 0, NULL);
  CHECK_EQ(DEPTH + 1 + 3 * WIDTH, q(db, "SELECT total_calls FROM run"));
  CHECK_EQ(DEPTH + 1 + WIDTH, q(db, "SELECT count(*) FROM call_paths"));
  CHECK_EQ(DEPTH, q(db, "SELECT max(depth) FROM call_paths"));
  CHECK_EQ(DEPTH - 1, q(db, "SELECT sum(recursive) FROM call_paths"));
  CHECK_EQ(WIDTH, q(db, "SELECT count(*) FROM call_paths WHERE depth = 2 AND calls = 3"));
  /* the outermost fib lasts 2 * DEPTH - 1 probe intervals */
  CHECK_EQ(10 * (2 * DEPTH - 1), q(db, "SELECT dur_ns FROM calls WHERE id = 1"));
  CHECK_EQ(DEPTH + 1 + 3 * WIDTH, q(db, "SELECT count(*) FROM calls"));
  sqlite3_close(db);
}

/* The writer is paused and may hold 2 full chunks of 4 records, and the
** spill file is off (as when the disk is full): the guest never waits, later
** chunks are dropped. Records go out at exits: chunk k is handed over when
** record 4k + 1 is written, i.e. at records 5, 9, ..., 37 (9 handoffs):
** 2 queued, 7 dropped = 28 lost; the last 4 are written at the end. 40
** calls: 12 rows and 28 lost events. */
static void test_lost_events(void) {
  struct run r = {0};
  struct wprof_run_options opts = run_options(&r, "lost", true);
  struct wprof_hooks hooks = test_hooks();
  hooks.chunk_records = 4;
  hooks.queue_chunks = 2;
  hooks.writer_paused = true;
  hooks.no_spill = true;
  start_with(&r, &opts, &hooks);
  enter(&r, MAIN);
  for (int i = 0; i < 39; i++) {
    enter(&r, F);
    leave(&r, F);
  }
  leave(&r, MAIN);
  sqlite3 *db = finish(&r, WPROF_EXITED, 0, NULL);
  CHECK_EQ(40, q(db, "SELECT total_calls FROM run"));
  CHECK_EQ(28, q(db, "SELECT lost_events FROM run"));
  CHECK_EQ(12, q(db, "SELECT count(*) FROM calls"));
  /* the rows kept: exits 1-8 (calls 2-9) and the last four exits (calls 38-40, then main) */
  CHECK_STR("1,2,3,4,5,6,7,8,9,38,39,40", qs(db, "SELECT group_concat(id) FROM (SELECT id FROM calls ORDER BY id)"));
  sqlite3_close(db);
}

/* As test_lost_events, with the spill file on and an allocation in each
** call of f: the queue holds 2 chunks, and the other handoffs go to the
** spill file, calls (32-byte records) and allocations (48-byte) mixed. 40
** calls and 39 allocations make 9 + 9 handoffs of 4 records: 2 queued (the
** allocation chunk fills first, at the fifth allocation, before the fifth
** exit), then, as spilled chunks wait, all 16 others go to the spill file
** too = 64 records; the last 4 + 3 are queued at the end. `stop` is when
** wprof_request_stop is called: 0 never, 1 before finishing (a SIGINT while
** the guest runs), 2 while the backlog is stored (after the guest). */
static sqlite3 *spill_run(const char *name, int stop) {
  struct run r = {0};
  struct wprof_run_options opts = run_options(&r, name, true);
  struct wprof_hooks hooks = test_hooks();
  hooks.chunk_records = 4;
  hooks.queue_chunks = 2;
  hooks.writer_paused = true;
  hooks.stop_while_storing = stop == 2;
  start_with(&r, &opts, &hooks);
  enter(&r, MAIN);
  for (int i = 0; i < 39; i++) {
    enter(&r, F);
    wprof_probe_alloc(r.t, 8 + 8 * (uint32_t)i, 8);
    leave(&r, F);
  }
  leave(&r, MAIN);
  if (stop == 1) wprof_request_stop(r.rec);
  sqlite3 *db = finish(&r, WPROF_EXITED, 0, NULL);
  CHECK_EQ(64, q(db, "SELECT value FROM meta WHERE key = 'trace_spilled_events'"));
  return db;
}

/* Nothing is lost, and every row comes back with its values: f's calls
** last 10 ns each (one fake tick per probe), main 790 ns (79 probe
** intervals: its own two probes and f's 39 * 2; allocations take no time),
** allocations are 8 bytes at 8, 16, ..., 312 (sum 8 * 780). The same when
** the run was interrupted while the guest ran: everything up to then is
** kept. */
static void check_spill_complete(sqlite3 *db) {
  CHECK_EQ(0, q(db, "SELECT lost_events FROM run"));
  CHECK_EQ(40, q(db, "SELECT count(*) FROM calls"));
  CHECK_EQ(40 * 41 / 2, q(db, "SELECT sum(id) FROM calls"));
  CHECK_EQ(39, q(db, "SELECT count(*) FROM calls JOIN path_names n ON n.id = path_id WHERE path = 'main;f' AND dur_ns = 10"));
  CHECK_EQ(790, q(db, "SELECT dur_ns FROM calls WHERE id = 1"));
  CHECK_EQ(39, q(db, "SELECT count(*) FROM alloc_events WHERE kind = 'alloc' AND size = 8"));
  CHECK_EQ(39 * 40 / 2, q(db, "SELECT sum(id) FROM alloc_events"));
  CHECK_EQ(8 * 780, q(db, "SELECT sum(ptr) FROM alloc_events"));
  sqlite3_close(db);
}

static void test_trace_spill(void) {
  check_spill_complete(spill_run("spill", 0));
  check_spill_complete(spill_run("spill-interrupted-guest", 1));
}

/* Interrupted while the backlog is stored: the spilled records are given up,
** and counted; the queued ones are kept: allocations 1-4 and calls 2-5
** (exits 1-4), then the last chunks, calls 38-40 and main (1), allocations
** 37-39. */
static void test_trace_spill_interrupted(void) {
  sqlite3 *db = spill_run("spill-interrupted-storing", 2);
  CHECK_EQ(64, q(db, "SELECT lost_events FROM run"));
  CHECK_STR("1,2,3,4,5,38,39,40", qs(db, "SELECT group_concat(id) FROM (SELECT id FROM calls ORDER BY id)"));
  CHECK_STR("1,2,3,4,37,38,39", qs(db, "SELECT group_concat(id) FROM (SELECT id FROM alloc_events ORDER BY id)"));
  sqlite3_close(db);
}

/* A second run with the writer running freely loses nothing: 3 * 4096 + 5 records
** through chunks of 4096. */
static void test_trace_no_loss(void) {
  struct run r = {0};
  start(&r, "noloss", true);
  int n = 3 * 4096 + 5;
  enter(&r, MAIN);
  for (int i = 0; i < n - 1; i++) {
    enter(&r, F);
    wprof_probe_alloc(r.t, 8 + 8 * (uint64_t)i, 8);
    leave(&r, F);
  }
  leave(&r, MAIN);
  sqlite3 *db = finish(&r, WPROF_EXITED, 0, NULL);
  CHECK_EQ(n, q(db, "SELECT count(*) FROM calls"));
  CHECK_EQ(n - 1, q(db, "SELECT count(*) FROM alloc_events"));
  CHECK_EQ(0, q(db, "SELECT lost_events FROM run"));
  CHECK_EQ(8 * (n - 1), q(db, "SELECT live_bytes FROM alloc_sites"));
  sqlite3_close(db);
}

/* Two guest threads: the same paths merge into one call_paths row, and the
** trace rows of the second thread are renumbered to the merged ids.
** Thread A creates main (raw 1), main;f (2); thread B main (3), main;g (4),
** main;f (5). Merged: main 1, main;f 2, main;g 3. */
static void test_two_threads(void) {
  struct run r = {0};
  start(&r, "threads", true);
  wprof_thread *a = r.t, *b = wprof_thread_attach(r.rec);
  r.t = a;
  enter(&r, MAIN);
  enter(&r, F);
  wprof_probe_alloc(a, 100, 10);
  r.t = b;
  enter(&r, MAIN);
  enter(&r, G);
  wprof_probe_free(b, 100); /* freed by b, credited to a's site */
  leave(&r, G);
  enter(&r, F);
  wprof_probe_alloc(b, 200, 20);
  leave(&r, F);
  leave(&r, MAIN);
  r.t = a;
  leave(&r, F);
  leave(&r, MAIN);
  sqlite3 *db = finish(&r, WPROF_EXITED, 0, NULL);
  CHECK_EQ(3, q(db, "SELECT count(*) FROM call_paths"));
  CHECK_EQ(2, path_value(db, "calls", "main"));
  CHECK_EQ(2, path_value(db, "calls", "main;f"));
  CHECK_EQ(2, path_value(db, "id", "main;f"));
  CHECK_EQ(3, path_value(db, "id", "main;g"));
  CHECK_STR("2,30,1,10", qs(db, "SELECT alloc_objects||','||alloc_bytes||','||free_objects||','||free_bytes"
                                " FROM alloc_sites WHERE path_id = 2"));
  CHECK_STR("1,2,1,3,2", qs(db, "SELECT group_concat(path_id) FROM (SELECT path_id FROM calls ORDER BY id)"));
  CHECK_STR("2,3,2", qs(db, "SELECT group_concat(path_id) FROM (SELECT path_id FROM alloc_events ORDER BY id)"));
  sqlite3_close(db);
}

/* --no-timing: counts only, every *_ns column 0 even with trace. */
static void test_no_timing(void) {
  struct run r = {0};
  struct wprof_run_options opts = run_options(&r, "notiming", true);
  opts.timing = WPROF_TIMING_NONE;
  struct wprof_hooks hooks = test_hooks();
  start_with(&r, &opts, &hooks);
  enter(&r, MAIN);
  fib(&r, 4);
  wprof_probe_alloc(r.t, 8, 8);
  leave(&r, MAIN);
  sqlite3 *db = finish(&r, WPROF_EXITED, 0, NULL);
  CHECK_EQ(1 + 9, q(db, "SELECT total_calls FROM run"));
  CHECK_EQ(NO_VALUE, q(db, "SELECT clock_ticks_per_sec FROM run"));
  CHECK_EQ(0, q(db, "SELECT count(*) FROM calls WHERE start_ns != 0 OR dur_ns != 0"));
  CHECK_EQ(0, q(db, "SELECT time_ns FROM alloc_events"));
  sqlite3_close(db);
}

/* The callee prediction of the enter probe (struct wprof_node), on the fast
** path (no clock, no trace). main calls f, g, h in a cycle 50 times, each of
** them calling fib once (a second level of prediction). Round 1 learns
** f -> g and g -> h; h's successor is still h itself until f follows it at
** the start of round 2, so every callee after that first f is predicted:
** 49 * 3 - 1. Then g, g, f, h breaks the
** cycle, and by hand every one of the four is mispredicted: after h comes f
** (predicted f, got g), after g comes h (got g), after g now g (got f),
** after f g (got h); each miss relearns its predecessor's successor, so
** afterwards main predicts h's new successor, g. Mispredicted or not, the
** counts are exact: f 51, g 52, h 51 under main, and one fib under each of
** those 154 calls. */
static void test_callee_prediction(void) {
  struct run r = {0};
  struct wprof_run_options opts = run_options(&r, "prediction", false);
  opts.timing = WPROF_TIMING_NONE;
  struct wprof_hooks hooks = {0};
  start_with(&r, &opts, &hooks);
  CHECK_EQ(WPROF_MODE_COUNT, r.t->probe.mode);
  const uint32_t cycle[] = {F, G, H}, tail[] = {G, G, F, H};
  int predicted = 0;
  enter(&r, MAIN);
  for (int round = 0; round < 50; round++) {
    for (int i = 0; i < 3; i++) {
      const struct wprof_node *guess = r.t->probe.cur->predicted;
      if (round > 0) predicted += guess != NULL && guess->fid == cycle[i];
      enter(&r, cycle[i]);
      enter(&r, FIB);
      leave(&r, FIB);
      leave(&r, cycle[i]);
    }
  }
  CHECK_EQ(49 * 3 - 1, predicted);
  CHECK_EQ(F, r.t->probe.cur->predicted->fid);
  predicted = 0;
  for (int i = 0; i < 4; i++) {
    const struct wprof_node *guess = r.t->probe.cur->predicted;
    predicted += guess->fid == tail[i];
    enter(&r, tail[i]);
    enter(&r, FIB);
    leave(&r, FIB);
    leave(&r, tail[i]);
  }
  CHECK_EQ(0, predicted);
  CHECK_EQ(G, r.t->probe.cur->predicted->fid);
  CHECK(r.t->probe.cur->predicted == r.t->probe.cur->last_entered->successor);
  leave(&r, MAIN);
  sqlite3 *db = finish(&r, WPROF_EXITED, 0, NULL);
  CHECK_EQ(1 + 154 + 154, q(db, "SELECT total_calls FROM run"));
  CHECK_STR("main:1 main;f:51 main;f;fib:51 main;g:52 main;g;fib:52 main;h:51 main;h;fib:51",
            qs(db, "SELECT group_concat(path || ':' || calls, ' ') FROM"
                   " (SELECT path, calls FROM call_paths JOIN path_names USING (id) ORDER BY path)"));
  sqlite3_close(db);
}

/* The real clocks: a frame around a 3 ms sleep lasts 3 ms to 1 s. */
static void check_real_clock(const char *name, int force, const char *expected_clock) {
  struct run r = {0};
  struct wprof_run_options opts = run_options(&r, name, false);
  struct wprof_hooks hooks = {.force_clock = force};
  start_with(&r, &opts, &hooks);
  wprof_probe_enter(r.t, MAIN);
  struct timespec pause = {0, 3 * 1000 * 1000};
  nanosleep(&pause, NULL);
  wprof_probe_exit(r.t, MAIN);
  sqlite3 *db = finish(&r, WPROF_EXITED, 0, NULL);
  CHECK_STR(expected_clock, qs(db, "SELECT clock FROM run"));
  long long incl = path_value(db, "incl_ns", "main");
  CHECK(incl >= 3000000 && incl < 1000000000);
  CHECK(q(db, "SELECT duration_ns FROM run") >= incl);
  if (force == WPROF_CLOCK_TSC) {
    /* a TSC runs between 100 MHz and 10 GHz; the whole-run rate agrees with the calibration within 1% */
    CHECK(q(db, "SELECT clock_ticks_per_sec > 1e8 AND clock_ticks_per_sec < 1e10 FROM run") == 1);
    CHECK(q(db, "SELECT abs(CAST(value AS REAL)) < 10000 FROM meta WHERE key = 'clock_check_ppm'") == 1);
  } else {
    CHECK_EQ(NO_VALUE, q(db, "SELECT clock_ticks_per_sec FROM run"));
  }
  sqlite3_close(db);
}

static void test_real_clocks(void) {
  check_real_clock("monotonic", WPROF_CLOCK_MONOTONIC, "clock_gettime");
  if (wprof__clock_detect() == WPROF_CLOCK_TSC) check_real_clock("tsc", WPROF_CLOCK_TSC, "tsc");
}

static int count_files(const char *dir) {
  DIR *d = opendir(dir);
  int n = 0;
  for (struct dirent *e; d && (e = readdir(d));) n += e->d_name[0] != '.';
  if (d) closedir(d);
  return n;
}

/* No file at db_path until finish; nothing left behind by a run that is
** closed without finishing; finish refuses a second call. */
static void test_atomic_write(void) {
  char dir[600];
  snprintf(dir, sizeof dir, "%s/atomic", scratch);
  mkdir(dir, 0755);
  struct run r = {0};
  struct wprof_run_options opts = run_options(&r, "atomic/abandoned", true);
  struct wprof_hooks hooks = test_hooks();
  start_with(&r, &opts, &hooks);
  enter(&r, MAIN);
  CHECK(access(r.db_path, F_OK) != 0);
  CHECK_EQ(1, count_files(dir)); /* the temporary file */
  wprof_close(r.rec);
  CHECK_EQ(0, count_files(dir));

  struct run done = {0};
  opts = run_options(&done, "atomic/done", false);
  start_with(&done, &opts, &hooks);
  enter(&done, MAIN);
  char err[256] = "";
  CHECK_EQ(0, wprof_finish(done.rec, WPROF_EXITED, 0, NULL, err, sizeof err));
  CHECK_EQ(-1, wprof_finish(done.rec, WPROF_EXITED, 0, NULL, err, sizeof err));
  CHECK(strstr(err, "twice") != NULL);
  wprof_close(done.rec);
  CHECK_EQ(1, count_files(dir));
  CHECK(access(done.db_path, R_OK) == 0);
}

static void expect_open_error(const uint8_t *bytes, size_t len, const char *db_path, const char *message) {
  struct wprof_run_options opts = {
      .db_path = db_path, .module_bytes = bytes, .module_len = len, .timing = WPROF_TIMING_EXACT};
  char err[256] = "";
  wprof_recorder *rec = wprof_open(&opts, err, sizeof err);
  CHECK(rec == NULL);
  if (!strstr(err, message)) {
    fprintf(stderr, "expected an error with '%s', got '%s'\n", message, err);
    failures++;
  }
  wprof_close(rec);
}

/* Bad modules and paths are refused by wprof_open with a one-line error. */
static void test_bad_input(void) {
  char db_path[600];
  snprintf(db_path, sizeof db_path, "%s/bad.db", scratch);
  uint8_t module[4096];
  size_t len = build_module(module, WPROF_ABI_VERSION + 1, standard_functions, NFUNCS);
  char message[128];
  snprintf(message, sizeof message, "probe ABI version %d; this wprof knows versions 1 to %d", WPROF_ABI_VERSION + 1,
           WPROF_ABI_VERSION);
  expect_open_error(module, len, db_path, message);
  len = build_module(module, 1, standard_functions, NFUNCS);
  expect_open_error(module, len - 3, db_path, "the module is malformed: section 0 at offset 19 overruns the end of the module");
  /* the length of the last name ("free") made to run past the end of the section */
  module[len - 5] = 0x7f;
  expect_open_error(module, len, db_path, "malformed");
  struct fn bad_kind = {"weird", 1 | 9 << 8};
  len = build_module(module, 1, &bad_kind, 1);
  expect_open_error(module, len, db_path, "unknown allocator kind 9");
  expect_open_error((const uint8_t *)"\0asm\2\0\0\0", 8, db_path, "the module is not a WebAssembly module: unknown binary version 0x02");
  len = build_module(module, 1, standard_functions, NFUNCS);
  expect_open_error(module, len, "/nonexistent-dir/x.db", "cannot create /nonexistent-dir/x.db.tmp-");
  expect_open_error(module, len, "", "no database path");
  CHECK_EQ(0, count_files(scratch));
}

/* Appends a wprof.sources section to a module: file "src/a.c"; fid 1 at
** line 7, and a second entry for fid, file index file and line 12. */
static size_t add_sources(uint8_t *module, size_t len, uint32_t fid, uint32_t file) {
  uint8_t payload[256];
  size_t p = put_string(payload, WPROF_ABI_SOURCES_SECTION);
  p += put_leb(payload + p, 1);
  p += put_string(payload + p, "src/a.c");
  p += put_leb(payload + p, 2);
  uint32_t entries[2][3] = {{1, 0, 7}, {fid, file, 12}};
  for (int e = 0; e < 2; e++)
    for (int i = 0; i < 3; i++) p += put_leb(payload + p, entries[e][i]);
  module[len++] = 0;
  len += put_leb(module + len, (uint32_t)p);
  memcpy(module + len, payload, p);
  return len + p;
}

/* The wprof.sources section becomes functions.file and .line (NULL when
** unknown); a malformed one is refused like a malformed wprof.functions. */
static void test_sources_section(void) {
  struct run r = {0};
  r.module_len = add_sources(r.module, build_module(r.module, 1, standard_functions, NFUNCS), 2, 0);
  start(&r, "sources", false);
  enter(&r, MAIN);
  leave(&r, MAIN);
  sqlite3 *db = finish(&r, WPROF_EXITED, 0, NULL);
  CHECK_STR("src/a.c:7", qs(db, "SELECT file || ':' || line FROM functions WHERE fid = 1"));
  CHECK_STR("src/a.c:12", qs(db, "SELECT file || ':' || line FROM functions WHERE fid = 2"));
  CHECK_EQ(NFUNCS - 2, q(db, "SELECT count(*) FROM functions WHERE file IS NULL AND line IS NULL"));
  sqlite3_close(db);

  char db_path[600];
  snprintf(db_path, sizeof db_path, "%s/bad-sources.db", scratch);
  uint8_t module[4096];
  size_t len = build_module(module, 1, standard_functions, NFUNCS);
  expect_open_error(module, add_sources(module, len, 1, 0), db_path, "wprof.sources section is malformed"); /* fid twice */
  expect_open_error(module, add_sources(module, len, NFUNCS, 0), db_path, "wprof.sources section is malformed");
  expect_open_error(module, add_sources(module, len, 2, 1), db_path, "wprof.sources section is malformed");
}

/* A plain module (no section): a valid run with no functions rows. The
** module hash is that of xxhsum -H2. */
static void test_plain_module_and_hash(void) {
  static const uint8_t plain[] = {0, 'a', 's', 'm', 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0};
  char path[600], cmd[700], expected[80] = "";
  snprintf(path, sizeof path, "%s/plain.wasm", scratch);
  FILE *f = fopen(path, "wb");
  fwrite(plain, 1, sizeof plain, f);
  fclose(f);
  snprintf(cmd, sizeof cmd, "xxhsum -H2 '%s'", path);
  FILE *p = popen(cmd, "r");
  CHECK(p && fscanf(p, "%32s", expected) == 1);
  if (p) pclose(p);
  CHECK_EQ(32, strlen(expected));
  struct run r = {0};
  memcpy(r.module, plain, sizeof plain);
  r.module_len = sizeof plain;
  start(&r, "plain", false);
  sqlite3 *db = finish(&r, WPROF_EXITED, 0, NULL);
  CHECK_STR(expected, qs(db, "SELECT module_hash FROM run"));
  CHECK_EQ(0, q(db, "SELECT instrumented FROM run"));
  CHECK_EQ(0, q(db, "SELECT count(*) FROM functions"));
  CHECK_EQ(0, q(db, "SELECT total_calls FROM run"));
  sqlite3_close(db);
}

/* The stop flag the host checks at probe boundaries. */
static void test_request_stop(void) {
  struct run r = {0};
  start(&r, "stop", false);
  enter(&r, MAIN);
  CHECK(!wprof_probe_should_stop(r.t));
  wprof_request_stop(r.rec);
  CHECK(wprof_probe_should_stop(r.t));
  sqlite3 *db = finish(&r, WPROF_INTERRUPTED, 0, "interrupted by SIGINT");
  CHECK_STR("interrupted by SIGINT", qs(db, "SELECT trap FROM run"));
  CHECK_EQ(1, q(db, "SELECT unwound_frames FROM run"));
  sqlite3_close(db);
}

/* The database holds exactly the schema of docs/schema.md. */
static void test_schema_objects(void) {
  struct run r = {0};
  start(&r, "schema", false);
  sqlite3 *db = finish(&r, WPROF_EXITED, 0, NULL);
  CHECK_STR("alloc_events,alloc_sites,call_edges,call_paths,calls,flat_profile,functions,meta,path_names,run,"
            "top_alloc_sites",
            qs(db, "SELECT group_concat(name) FROM (SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%%'"
                   " ORDER BY name)"));
  CHECK_EQ(29, q(db, "SELECT count(*) FROM pragma_table_info('run')"));
  sqlite3_close(db);
}

/* The count probe (wasm-instrument --count-leaves), each event 10 ns after
** the previous one: main counts h twice, enters f, which counts h three
** times. h's calls land on main;h (2) and main;f;h (3) with no time of their
** own; every count is a call entered and left at once, so 7 calls, 7 exits.
** With --trace (the slow path) each count is a calls row of no duration, at
** the time of its probe; counts-only (the fast path, predicted after the
** first) gives the same paths and counts. */
static void count_sequence(struct run *r) {
  enter(r, MAIN);
  for (int i = 0; i < 2; i++) fake_now += 10, wprof_probe_count(r->t, H);
  enter(r, F);
  for (int i = 0; i < 3; i++) fake_now += 10, wprof_probe_count(r->t, H);
  leave(r, F);
  leave(r, MAIN);
}

static void test_count_probe(void) {
  for (int traced = 1; traced >= 0; traced--) {
    struct run r = {0};
    struct wprof_run_options opts = run_options(&r, traced ? "count-trace" : "count", traced);
    if (!traced) opts.timing = WPROF_TIMING_NONE;
    struct wprof_hooks hooks = test_hooks();
    start_with(&r, &opts, &hooks);
    count_sequence(&r);
    sqlite3 *db = finish(&r, WPROF_EXITED, 0, NULL);
    CHECK_EQ(2, path_value(db, "calls", "main;h"));
    CHECK_EQ(3, path_value(db, "calls", "main;f;h"));
    CHECK_EQ(1, path_value(db, "calls", "main;f"));
    CHECK_EQ(0, q(db, "SELECT sum(incl_ns) FROM call_paths WHERE fid = %d", H));
    CHECK_EQ(7, q(db, "SELECT total_exits FROM run"));
    CHECK_EQ(0, q(db, "SELECT unwound_frames FROM run"));
    if (traced) {
      /* main 1010..1090; h at 1020 and 1030; f 1040..1080 with h at 1050, 1060, 1070 */
      CHECK_EQ(80, path_value(db, "incl_ns", "main"));
      CHECK_EQ(40, path_value(db, "incl_ns", "main;f"));
      /* depth:start:duration of each calls row, in entry order */
      CHECK_STR("1:1010:80,2:1020:0,2:1030:0,2:1040:40,3:1050:0,3:1060:0,3:1070:0",
                qs(db, "SELECT group_concat(p.depth || ':' || (c.start_ns + 1000) || ':' || c.dur_ns)"
                       " FROM (SELECT * FROM calls ORDER BY id) c JOIN call_paths p ON p.id = c.path_id"));
    }
    sqlite3_close(db);
  }
}

/* CPU work the compiler cannot drop. */
static volatile uint64_t burn_sink;
static void burn(uint32_t rounds) {
  uint64_t x = burn_sink | 1;
  for (uint32_t i = 0; i < rounds; i++) x ^= x << 13, x ^= x >> 7, x ^= x << 17;
  burn_sink = x;
}

static double cpu_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* A run with sampled time at the shortest interval, the real timer started. */
static void start_sampled(struct run *r, const char *name) {
  struct wprof_run_options opts = run_options(r, name, false);
  opts.timing = WPROF_TIMING_SAMPLED;
  opts.sample_interval_ns = WPROF_SAMPLE_INTERVAL_MIN;
  struct wprof_hooks hooks = {0};
  start_with(r, &opts, &hooks);
  char err[256] = "";
  CHECK_EQ(0, wprof_sampling_start(r->t, err, sizeof err));
}

/* Sampled time with the real timer (100 us, the shortest interval): f recurses
** 5,000 deep (5,000 new call paths made while signals arrive), burning at
** every level, 20 times over, then the
** test burns outside any frame: the (root) path. Counts stay exact (main 1,
** f 100,000); every sample is on a path or in the probes, and the run lasted
** at least as long as its samples. */
static void test_sampled_deep(void) {
  struct run r = {0};
  start_sampled(&r, "sampled");
  enter(&r, MAIN);
  for (int round = 0; round < 20; round++) {
    for (int depth = 0; depth < 5000; depth++) {
      enter(&r, F);
      burn(200);
    }
    for (int depth = 0; depth < 5000; depth++) leave(&r, F);
  }
  leave(&r, MAIN);
  for (double until = cpu_seconds() + 0.02; cpu_seconds() < until;) burn(1000);
  wprof_sampling_stop(r.t);
  sqlite3 *db = finish(&r, WPROF_EXITED, 0, NULL);
  CHECK_STR("sampled", qs(db, "SELECT timing FROM run"));
  CHECK_EQ(WPROF_SAMPLE_INTERVAL_MIN, q(db, "SELECT sample_interval_ns FROM run"));
  CHECK_EQ(100000, q(db, "SELECT sum(calls) FROM call_paths WHERE fid = %d", F));
  CHECK_EQ(1, q(db, "SELECT samples > 100 FROM run"));
  CHECK_EQ(1, q(db, "SELECT samples > 0 FROM call_paths WHERE depth = 0"));
  CHECK_EQ(1, q(db, "SELECT (samples + probe_samples) * sample_interval_ns <= duration_ns + 2 * sample_interval_ns"
                    " FROM run"));
  sqlite3_close(db);
}

/* A host's probe imports, as runtime-shim/host/probe-glue.c defines them: out
** of line and in the probes' section (the inline probes take the section of
** whatever they are inlined into). */
static WPROF_PROBE_CODE __attribute__((noinline)) void glue_enter(wprof_thread *t, uint32_t fid) {
  wprof_probe_enter(t, fid);
}

static WPROF_PROBE_CODE __attribute__((noinline)) void glue_exit(wprof_thread *t, uint32_t fid) {
  wprof_probe_exit(t, fid);
}

/* Samples that interrupt probe code are the profiler's, not the guest's:
** main calls f in a loop with nothing in between but the loop itself, for
** 0.2 s of CPU time, so most of the time is spent inside the probe imports
** (WPROF_PROBE_CODE) and most samples must be counted
** in run.probe_samples, on no path; then main burns alone for as long, which
** must be on main's path. With ~2,000 samples each half has ~1,000, so the
** bounds below (probes above 60% of the loop's samples, main's burn above
** 25% of all) hold with a wide margin whatever the machine's speed. */
static void test_sampled_probe_code(void) {
  struct run r = {0};
  start_sampled(&r, "sampledprobes");
  glue_enter(r.t, MAIN);
  long calls = 0;
  for (double until = cpu_seconds() + 0.2; cpu_seconds() < until;) {
    for (int i = 0; i < 10000; i++, calls++) {
      glue_enter(r.t, F);
      glue_exit(r.t, F);
    }
  }
  uint64_t loop_probe_samples = r.t->probe_samples;
  for (double until = cpu_seconds() + 0.2; cpu_seconds() < until;) burn(1000);
  glue_exit(r.t, MAIN);
  wprof_sampling_stop(r.t);
  sqlite3 *db = finish(&r, WPROF_EXITED, 0, NULL);
  CHECK_EQ(calls, path_value(db, "calls", "main;f"));
  long long f = path_value(db, "samples", "main;f"), main_samples = path_value(db, "samples", "main");
  long long all = q(db, "SELECT samples + probe_samples FROM run");
  if (!((double)loop_probe_samples > 0.6 * (double)(loop_probe_samples + (uint64_t)f)) ||
      !((double)main_samples > 0.25 * (double)all)) {
    fprintf(stderr, "probe samples %llu, main;f %lld, main %lld, all %lld\n", (unsigned long long)loop_probe_samples,
            f, main_samples, all);
    failures++;
  }
  sqlite3_close(db);
}

/* Code that the test says is f's (wprof_set_code_ranges), in a section of
** its own so that its bounds are exact. */
extern const char __start_wprof_test_f_code[], __stop_wprof_test_f_code[];
static __attribute__((noinline, section("wprof_test_f_code"))) void f_code(uint32_t rounds) {
  uint64_t x = burn_sink | 1;
  for (uint32_t i = 0; i < rounds; i++) x ^= x << 13, x ^= x >> 7, x ^= x << 17;
  burn_sink = x;
}

static void f_code_for(double seconds) {
  for (double until = cpu_seconds() + seconds; cpu_seconds() < until;) f_code(1000000);
}

/* Samples in a function's code while another path is on top
** (wprof_set_code_ranges): 0.1 s of CPU in code said to be f's in each of
**   1. top main, main;f entered and left once before: the prologue or
**      epilogue of main's call of f, so main;f;
**   2. top main;f;g, as if cc had inlined g into f: main;f;g (f is its caller);
**   3. top main;h, which never called f: main;h (no main;h;f to give them to).
** At 100 us each phase has about 1,000 samples: its path gets most of them
** and main none of phase 1's (the bounds leave a wide margin). */
static void test_sampled_code_ranges(void) {
  struct run r = {0};
  struct wprof_run_options opts = run_options(&r, "coderanges", false);
  opts.timing = WPROF_TIMING_SAMPLED;
  opts.sample_interval_ns = WPROF_SAMPLE_INTERVAL_MIN;
  struct wprof_hooks hooks = {0};
  start_with(&r, &opts, &hooks);
  struct wprof_code_range range = {(uintptr_t)__start_wprof_test_f_code, (uintptr_t)__stop_wprof_test_f_code, F};
  wprof_set_code_ranges(r.rec, &range, 1);
  char err[256] = "";
  CHECK_EQ(0, wprof_sampling_start(r.t, err, sizeof err));
  enter(&r, MAIN);
  enter(&r, F);
  leave(&r, F);
  f_code_for(0.1);
  enter(&r, F);
  enter(&r, G);
  f_code_for(0.1);
  leave(&r, G);
  leave(&r, F);
  enter(&r, H);
  f_code_for(0.1);
  leave(&r, H);
  leave(&r, MAIN);
  wprof_sampling_stop(r.t);
  sqlite3 *db = finish(&r, WPROF_EXITED, 0, NULL);
  long long f = path_value(db, "samples", "main;f"), fg = path_value(db, "samples", "main;f;g"),
            h = path_value(db, "samples", "main;h"), main_samples = path_value(db, "samples", "main");
  if (!(f > 400 && fg > 400 && h > 400 && main_samples < f / 4)) {
    fprintf(stderr, "main;f %lld, main;f;g %lld, main;h %lld, main %lld\n", f, fg, h, main_samples);
    failures++;
  }
  CHECK_EQ(0, q(db, "SELECT count(*) FROM path_names WHERE path = 'main;h;f'"));
  sqlite3_close(db);
}

/* Sampling is refused where it cannot work: with a trace, or an interval out of range. */
static void test_sampled_bad_options(void) {
  struct run r = {0};
  struct wprof_run_options opts = run_options(&r, "sampledbad", true);
  opts.timing = WPROF_TIMING_SAMPLED;
  char err[256] = "";
  CHECK(wprof_open(&opts, err, sizeof err) == NULL);
  CHECK_STR("a trace needs exact timing or none, not sampled", err);
  opts.trace = false;
  opts.sample_interval_ns = WPROF_SAMPLE_INTERVAL_MIN - 1;
  CHECK(wprof_open(&opts, err, sizeof err) == NULL);
  CHECK_STR("sample interval 99999 ns is outside 100000..1000000000 ns", err);
  opts.sample_interval_ns = WPROF_SAMPLE_INTERVAL_MAX + 1ull;
  CHECK(wprof_open(&opts, err, sizeof err) == NULL);
  opts.timing = (enum wprof_timing)7;
  CHECK(wprof_open(&opts, err, sizeof err) == NULL);
  CHECK_STR("unknown timing mode 7", err);
  CHECK_EQ(0, count_files(scratch));
}

static const struct {
  const char *name;
  void (*run)(void);
} tests[] = {
    {"fib", test_fib},
    {"catch", test_catch},
    {"finish_open_frames", test_finish_open_frames},
    {"host_unwind", test_host_unwind},
    {"exit_mismatch", test_exit_mismatch},
    {"alloc_sites", test_alloc_sites},
    {"peak_moves", test_peak_moves},
    {"block_table", test_block_table},
    {"block_table_large", test_block_table_large},
    {"shadow_granules", test_shadow_granules},
    {"root_allocations", test_root_allocations},
    {"trace_rows", test_trace_rows},
    {"deep_and_wide", test_deep_and_wide},
    {"lost_events", test_lost_events},
    {"trace_spill", test_trace_spill},
    {"trace_spill_interrupted", test_trace_spill_interrupted},
    {"trace_no_loss", test_trace_no_loss},
    {"two_threads", test_two_threads},
    {"no_timing", test_no_timing},
    {"callee_prediction", test_callee_prediction},
    {"real_clocks", test_real_clocks},
    {"atomic_write", test_atomic_write},
    {"bad_input", test_bad_input},
    {"plain_module_and_hash", test_plain_module_and_hash},
    {"sources_section", test_sources_section},
    {"request_stop", test_request_stop},
    {"schema_objects", test_schema_objects},
    {"sampled_deep", test_sampled_deep},
    {"count_probe", test_count_probe},
    {"sampled_probe_code", test_sampled_probe_code},
    {"sampled_code_ranges", test_sampled_code_ranges},
    {"sampled_bad_options", test_sampled_bad_options},
};

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: test-libwprof TEST SCRATCH_DIR\n");
    return 2;
  }
  scratch = argv[2];
  char cmd[1200];
  snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", scratch, scratch);
  if (system(cmd) != 0) return 2;
  for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++) {
    if (strcmp(tests[i].name, argv[1]) != 0) continue;
    tests[i].run();
    if (failures) fprintf(stderr, "%s: %d check(s) failed\n", argv[1], failures);
    return failures ? 1 : 0;
  }
  fprintf(stderr, "test-libwprof: no test named %s\n", argv[1]);
  return 2;
}
