/* Public API of the wprof analyzer library (wprof_analyzer): the three
 * subcommands `wprof report`, `wprof diff` and `wprof export`, each called by
 * the `wprof` dispatcher with its own argv (argv[0] is the subcommand name)
 * and returning the process exit code (see WPROF_EXIT_*). */
#ifndef WPROF_ANALYZER_H
#define WPROF_ANALYZER_H

enum {
  WPROF_EXIT_OK = 0,
  WPROF_EXIT_REGRESSION = 1, /* wprof diff: a --fail-on threshold was crossed */
  WPROF_EXIT_USAGE = 2       /* bad usage or bad input (unreadable database, ...) */
};

int wprof_cmd_report(int argc, char **argv);
int wprof_cmd_diff(int argc, char **argv);
int wprof_cmd_export(int argc, char **argv);

#endif
