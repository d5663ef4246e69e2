/* `wprof export --format chrome`: the Chrome trace event format (JSON object
 * form) of a --trace database, for chrome://tracing, Perfetto or speedscope.
 * Every recorded call is one complete ("X") event; ts and dur are in
 * microseconds with three decimals, so nanoseconds survive, and
 * displayTimeUnit is "ns". Calls are written in entry order, and since a
 * callee starts after and ends before its caller, events nest. --from/--to
 * keep the calls that overlap a window (a whole trace of tens of millions of
 * calls is more JSON than a trace viewer loads); they keep their full
 * times, so a window's events nest as they did. */
#include <inttypes.h>

#include "export.h"
#include "util.h"

static void print_micros(FILE *out, int64_t ns)
{
  fprintf(out, "%" PRId64 ".%03" PRId64, ns / 1000, ns % 1000);
}

int export_chrome(struct wprof_db *db, const struct export_options *o, FILE *out)
{
  sqlite3_stmt *stmt = wprof_db_prepare(db, "SELECT c.id, c.path_id, c.start_ns, c.dur_ns, c.unwound, f.name"
                                            " FROM calls c JOIN call_paths p ON p.id = c.path_id"
                                            " JOIN functions f ON f.fid = p.fid"
                                            " WHERE c.start_ns + c.dur_ns >= ?1 AND (?2 < 0 OR c.start_ns <= ?2)"
                                            " ORDER BY c.id");
  if (!stmt)
    return -1;
  sqlite3_bind_int64(stmt, 1, o->from_ns);
  sqlite3_bind_int64(stmt, 2, o->to_ns);
  fputs("{\"displayTimeUnit\": \"ns\",\n \"otherData\": {\"module\": ", out);
  wprof_print_json_string(out, db->run.module_path);
  fputs(", \"status\": ", out);
  wprof_print_json_string(out, db->run.status);
  fputs("},\n \"traceEvents\": [\n  {\"name\": \"process_name\", \"ph\": \"M\", \"pid\": 1, \"tid\": 1,"
        " \"args\": {\"name\": ",
        out);
  wprof_print_json_string(out, db->run.module_path);
  fputs("}}", out);
  int rc;
  while ((rc = wprof_db_step(db, stmt)) == SQLITE_ROW) {
    fputs(",\n  {\"name\": ", out);
    wprof_print_json_string(out, wprof_db_text(stmt, 5));
    fputs(", \"cat\": \"wasm\", \"ph\": \"X\", \"ts\": ", out);
    print_micros(out, sqlite3_column_int64(stmt, 2));
    fputs(", \"dur\": ", out);
    print_micros(out, sqlite3_column_int64(stmt, 3));
    fprintf(out, ", \"pid\": 1, \"tid\": 1, \"args\": {\"call\": %lld, \"path_id\": %lld%s}}",
            (long long)sqlite3_column_int64(stmt, 0), (long long)sqlite3_column_int64(stmt, 1),
            sqlite3_column_int(stmt, 4) ? ", \"unwound\": true" : "");
  }
  sqlite3_finalize(stmt);
  fputs("\n ]\n}\n", out);
  return rc == SQLITE_DONE ? 0 : -1;
}
