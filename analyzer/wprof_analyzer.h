/* Public API of the wprof analyzer library (wprof_analyzer): the three
 * subcommands `wprof report`, `wprof diff` and `wprof export`, each called by
 * the `wprof` dispatcher with its own argv (argv[0] is the subcommand name)
 * and returning the process exit code (WPROF_EXIT_*, utils/exit-codes.h). */
#ifndef WPROF_ANALYZER_H
#define WPROF_ANALYZER_H

#include "exit-codes.h"

int wprof_cmd_report(int argc, char **argv);
int wprof_cmd_diff(int argc, char **argv);
int wprof_cmd_export(int argc, char **argv);

#endif
