/*
** SQLite workload of bench/realistic (not a test): a realistic, call-heavy
** C program for measuring what `wprof run` costs on third-party code. It is
** compiled to wasm32-wasi together with the SQLite amalgamation that the npm
** package better-sqlite3 ships (setup.sh), run plain and instrumented by
** run.sh, and must print the same lines every time: every value it prints
** comes from a fixed pseudo-random sequence and integer arithmetic.
**
**   sqlite-workload.wasm [ROWS=200000]
**
** In one in-memory database: inserts ROWS rows in one transaction, builds
** two indexes, then runs aggregates, a join, an update and a delete.
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "sqlite3.h"

#define GROUPS 100

static sqlite3 *db;

static void die(const char *what) {
  fprintf(stderr, "sqlite-workload: %s: %s\n", what, sqlite3_errmsg(db));
  exit(1);
}

static void exec(const char *sql) {
  if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) die(sql);
}

static sqlite3_stmt *prepare(const char *sql) {
  sqlite3_stmt *stmt;
  if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK) die(sql);
  return stmt;
}

/* Prints every row of `sql` as "label: col|col|...". */
static void query(const char *label, const char *sql) {
  sqlite3_stmt *stmt = prepare(sql);
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    printf("%s:", label);
    for (int i = 0; i < sqlite3_column_count(stmt); i++) {
      const unsigned char *text = sqlite3_column_text(stmt, i);
      printf("%s%s", i ? "|" : " ", text ? (const char *)text : "NULL");
    }
    putchar('\n');
  }
  if (rc != SQLITE_DONE) die(sql);
  sqlite3_finalize(stmt);
}

/* A 32-bit LCG (Numerical Recipes): the same rows on every run and host. */
static uint32_t lcg_state = 12345;
static uint32_t lcg_next(void) {
  lcg_state = lcg_state * 1664525u + 1013904223u;
  return lcg_state >> 8;
}

static void insert_rows(long rows) {
  exec("CREATE TABLE groups(id INTEGER PRIMARY KEY, label TEXT NOT NULL)");
  exec("CREATE TABLE items(id INTEGER PRIMARY KEY, grp INTEGER NOT NULL, name TEXT NOT NULL, val INTEGER NOT NULL)");
  exec("BEGIN");
  sqlite3_stmt *group = prepare("INSERT INTO groups(id, label) VALUES(?1, 'group-' || ?1)");
  for (int g = 0; g < GROUPS; g++) {
    sqlite3_bind_int(group, 1, g);
    if (sqlite3_step(group) != SQLITE_DONE) die("insert into groups");
    sqlite3_reset(group);
  }
  sqlite3_finalize(group);
  sqlite3_stmt *item = prepare("INSERT INTO items(grp, name, val) VALUES(?, ?, ?)");
  char name[32];
  for (long i = 0; i < rows; i++) {
    uint32_t r = lcg_next();
    snprintf(name, sizeof name, "item-%05u", (unsigned)(lcg_next() % 50000));
    sqlite3_bind_int(item, 1, (int)(r % GROUPS));
    sqlite3_bind_text(item, 2, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(item, 3, (int)(lcg_next() % 1000000));
    if (sqlite3_step(item) != SQLITE_DONE) die("insert into items");
    sqlite3_reset(item);
  }
  sqlite3_finalize(item);
  exec("COMMIT");
}

int main(int argc, char **argv) {
  long rows = argc > 1 ? atol(argv[1]) : 200000;
  if (rows <= 0) {
    fprintf(stderr, "usage: sqlite-workload [ROWS > 0]\n");
    return 2;
  }
  if (sqlite3_open(":memory:", &db) != SQLITE_OK) die("open :memory:");
  printf("sqlite %s, %ld rows\n", sqlite3_libversion(), rows);
  insert_rows(rows);
  query("totals", "SELECT COUNT(*), SUM(val), MIN(val), MAX(val), COUNT(DISTINCT name) FROM items");
  exec("CREATE INDEX items_grp_val ON items(grp, val)");
  exec("CREATE INDEX items_name ON items(name)");
  query("top groups",
        "SELECT grp, COUNT(*), SUM(val) FROM items GROUP BY grp ORDER BY SUM(val) DESC, grp LIMIT 5");
  query("join",
        "SELECT g.label, COUNT(*), SUM(i.val) FROM items i JOIN groups g ON g.id = i.grp"
        " WHERE i.val BETWEEN 250000 AND 260000 GROUP BY g.label ORDER BY COUNT(*) DESC, g.label LIMIT 5");
  query("self join",
        "SELECT COUNT(*), SUM(b.val % 1000) FROM items a JOIN items b ON b.name = a.name"
        " WHERE a.grp = 7 AND b.grp < 10");
  query("names", "SELECT name, COUNT(*) FROM items GROUP BY name ORDER BY COUNT(*) DESC, name LIMIT 3");
  exec("UPDATE items SET val = val + grp WHERE grp % 10 = 0");
  exec("DELETE FROM items WHERE val % 7 = 0");
  query("after update/delete", "SELECT COUNT(*), SUM(val) FROM items");
  sqlite3_close(db);
  return 0;
}
