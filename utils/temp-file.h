/*
** Temporary files that must not survive an interruption: every writer of
** wprof writes a temporary file beside its output and renames it into place,
** and one that is stopped by SIGINT, SIGTERM or SIGHUP in between must leave
** nothing behind.
*/
#ifndef WPROF_TEMP_FILE_H
#define WPROF_TEMP_FILE_H

/* From now on, until wprof_temp_file_forget, SIGINT, SIGTERM and SIGHUP
** remove path (which must stay valid) and then end the process as the signal
** would have; a signal the process ignores (nohup) stays ignored. One path
** at a time. */
void wprof_temp_file_guard(const char *path);

/* The file was renamed or removed: the signals get back their former handling. */
void wprof_temp_file_forget(void);

#endif
