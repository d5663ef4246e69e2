/* Opening a wprof profile database (docs/schema.md) for reading: checks that
 * the file is a complete wprof database of a known schema version, loads the
 * `run` row, and prints the header lines every report starts with. Also the
 * statement helpers the views use (prepare, bind, step with one-line errors). */
#ifndef WPROF_ANALYZER_DB_H
#define WPROF_ANALYZER_DB_H

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>


struct wprof_run {
  char *module_path, *module_hash, *args, *host, *start_time, *clock, *status, *trap;
  char *timing;        /* 'sampled', 'exact' or 'none' */
  int64_t module_size, duration_ns, exit_code, total_calls, total_exits, unwound_frames, lost_events;
  int64_t sample_interval_ns, samples, probe_samples;  /* sampled time; 0 otherwise */
  int64_t peak_live_bytes, peak_live_objects, peak_time_ns, unknown_frees, double_frees;
  double clock_ticks_per_sec;
  int instrumented, timed, sampled, trace, has_exit_code, has_ticks_per_sec;  /* timed: timing is not 'none' */
  int64_t traced_ns;   /* SUM(call_paths.self_ns): the total of every time percentage */
  int64_t path_count;  /* rows of call_paths */
  int64_t max_depth;   /* of the deepest call path */
  int counted;          /* wasm-instrument --cost: run.instructions is not NULL */
  int64_t instructions; /* run.instructions: wasm instructions executed; 0 when not counted */
  int located;          /* some function has a source location (functions.line is not NULL) */
};

struct wprof_db {
  sqlite3 *sql;
  const char *path;
  struct wprof_run run;
  char error[512]; /* the last error, without the "wprof CMD: FILE: " prefix */
};

/* Opens and validates path read-only. On failure returns NULL, copies the
 * reason into error (size bytes) and sets *exit_code: WPROF_EXIT_NO_INPUT when
 * the file cannot be opened, WPROF_EXIT_DATA when it is not a usable wprof database. */
struct wprof_db *wprof_db_open(const char *path, char *error, size_t size, int *exit_code);
void wprof_db_close(struct wprof_db *db);

/* Fails (returns -1, reason in db->error) when the run recorded no calls. */
int wprof_db_require_calls(struct wprof_db *db);
/* Fails when the run was not recorded with --trace. */
int wprof_db_require_trace(struct wprof_db *db);

/* Fails unless the module counted its instructions (run.instructions is
 * not NULL); the reason names the fix, `wasm-instrument --cost`. */
int wprof_db_require_instructions(struct wprof_db *db);
/* Whether views weigh by instructions when not told: the run counted them
 * and has no time (--no-timing). Otherwise time, or calls without either. */
static inline int wprof_prefers_instructions(const struct wprof_run *r) { return r->counted && !r->timed; }

/* Prepares sql; on failure returns NULL with the SQLite message in db->error. */
sqlite3_stmt *wprof_db_prepare(struct wprof_db *db, const char *sql);
/* sqlite3_step, recording an error in db->error; returns SQLITE_ROW,
 * SQLITE_DONE, or another code on error. */
int wprof_db_step(struct wprof_db *db, sqlite3_stmt *stmt);
/* Binds text or NULL. */
void wprof_db_bind_text(sqlite3_stmt *stmt, int index, const char *s);
/* Column as text, "" when NULL. */
const char *wprof_db_text(sqlite3_stmt *stmt, int col);

/* Text header: the run and how its times were made, and one "Note:" line
 * per caveat (trapped run, --no-timing, too few samples, lost trace events). With CSV/JSON the notes go to stderr so
 * the machine output stays clean. */
void wprof_db_print_header(const struct wprof_db *db, const char *cmd, int text, FILE *out);
/* One caveat: "Note: ..." on out with text output, else "wprof CMD: SUBJECT:
 * note: ..." (no SUBJECT when NULL) on stderr. */
void wprof_note(const char *cmd, const char *subject, int text, FILE *out, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Deeper than this, the views and exports that draw stacks (tree, folded,
 * pprof, the paths of allocation sites) collapse direct recursion into one
 * frame, and the header notes say so: a stack per path would make them
 * quadratic in the depth. */
#define WPROF_COLLAPSE_DEPTH 1000
#define WPROF_COLLAPSE_DEPTH_TEXT "1000" /* for SQL text; the same number */
static inline int wprof_collapses_recursion(const struct wprof_run *r) { return r->max_depth > WPROF_COLLAPSE_DEPTH; }

/* How the run's times were made, on one line without its end: "sampled, 1234
 * samples, one per 100 µs (and 56 in the probes: 4.34% of the run)". */
void wprof_db_print_timing(const struct wprof_run *r, FILE *out);

#endif
