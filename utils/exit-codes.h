/*
** The exit codes of every wprof command (wprof run, report, diff, export and
** wasm-instrument) in one table: a code means the same thing whichever
** command exits with it. They follow sysexits.h (64 usage, 65 data, 66 no
** input, 69 unavailable, 70 software, 73 cannot create); 1 is wprof diff's
** regression, and wprof run's signals and trap are 128 + the signal, as a
** shell reports a process killed by it. Each command's --help prints its rows
** with wprof_exit_codes_print, and the README's "Exit status" section lists
** the same table (tests/cli/exit-codes.py checks both).
*/
#ifndef WPROF_EXIT_CODES_H
#define WPROF_EXIT_CODES_H

#include <stdio.h>

/* The commands, a bit each, for the table's third column. */
enum {
  WPROF_CMD_RUN = 1 << 0,
  WPROF_CMD_REPORT = 1 << 1,
  WPROF_CMD_DIFF = 1 << 2,
  WPROF_CMD_EXPORT = 1 << 3,
  WPROF_CMD_INSTRUMENT = 1 << 4,
  WPROF_CMD_ALL = (1 << 5) - 1,
};

/* X(NAME, code, commands, meaning) defines WPROF_EXIT_NAME = code; the
** meaning is what --help prints ("\n" starts an indented line). */
#define WPROF_EXIT_CODES(X)                                                                  \
  X(OK, 0, WPROF_CMD_ALL & ~WPROF_CMD_RUN, "success")                                        \
  X(REGRESSION, 1, WPROF_CMD_DIFF, "a --fail-on threshold was crossed (listed under Regressions:)") \
  X(USAGE, 64, WPROF_CMD_ALL, "bad command line")                                            \
  X(DATA, 65, WPROF_CMD_ALL,                                                                 \
    "bad input: not a WebAssembly module, malformed, invalid or already\n"                   \
    "instrumented; not a complete wprof database, or without the data asked\n"               \
    "for (no calls, no --trace, no instruction counts, no matching function)")              \
  X(NO_INPUT, 66, WPROF_CMD_ALL, "an input (the module, a database, a --dir directory) cannot be read") \
  X(UNSUPPORTED, 69, WPROF_CMD_RUN | WPROF_CMD_INSTRUMENT,                                   \
    "the module uses what wprof cannot handle: wasm2c 1.0.32 cannot translate\n"             \
    "it, binaryen 108 cannot rewrite it safely (docs/limitations.md), or it\n"               \
    "imports something wprof does not provide")                                              \
  X(INTERNAL, 70, WPROF_CMD_ALL,                                                             \
    "internal failure: out of memory, a helper program (wasm2c, the C\n"                     \
    "compiler, wasm-validate) that cannot run or failed, or a bug")                          \
  X(CANT_CREATE, 73, WPROF_CMD_ALL,                                                          \
    "an output (the database, the cache, the export, the instrumented\n"                     \
    "module, standard output) cannot be written")                                            \
  X(SIGHUP, 129, WPROF_CMD_RUN, "interrupted by SIGHUP (128 + 1); the database is written")  \
  X(SIGINT, 130, WPROF_CMD_RUN, "interrupted by SIGINT (128 + 2); the database is written")  \
  X(TRAP, 134, WPROF_CMD_RUN,                                                                \
    "the guest trapped (128 + SIGABRT, like an abort; the trap is in the\n"                  \
    "database and on stderr)")                                                               \
  X(SIGTERM, 143, WPROF_CMD_RUN, "interrupted by SIGTERM (128 + 15); the database is written")

enum {
#define WPROF_EXIT_ENUM(name, code, commands, meaning) WPROF_EXIT_##name = code,
  WPROF_EXIT_CODES(WPROF_EXIT_ENUM)
#undef WPROF_EXIT_ENUM
};

/* Prints the rows of the table that command (a WPROF_CMD_* bit) can exit
** with, one "  CODE  meaning" line each, for its --help. */
void wprof_exit_codes_print(FILE *out, unsigned command);

#endif
