// tests/register/sqljs.mjs: an application of sql.js (SQLite built with
// Emscripten, from npm, its glue untouched), given its .wasm file:
//   node sqljs.mjs SQL-WASM.wasm N
// opens an in-memory database, creates a table (Database.run without
// parameters: one sqlite3_exec) and inserts N rows one statement at a time
// (Database.run with one integer parameter: sqlite3_prepare_v2,
// sqlite3_clear_bindings, sqlite3_reset, sqlite3_bind_int, sqlite3_step,
// sqlite3_finalize, each once per row, called from JavaScript), then closes
// it. register-tests.sh checks those calls under the register module.
import initSqlJs from 'sql.js';

const [wasmFile, rowsText] = process.argv.slice(2);
const rows = Number(rowsText);
const SQL = await initSqlJs({ locateFile: () => wasmFile });
const db = new SQL.Database();
db.run('CREATE TABLE t(x INTEGER)');
for (let i = 0; i < rows; i++) db.run('INSERT INTO t VALUES (?)', [i]);
db.close();
