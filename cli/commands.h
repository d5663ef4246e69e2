/*
** The subcommands of the `wprof` command (see wprof.c for the table).
** Each takes the arguments after its name (argv[0] is the subcommand name)
** and returns the process exit code.
*/
#ifndef WPROF_COMMANDS_H
#define WPROF_COMMANDS_H

int wprof_cmd_run(int argc, char **argv);

#endif
