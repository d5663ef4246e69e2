/*
** The permissions of a file wprof creates (a profile, an instrumented
** module, an export): what open(2) would give a new file under the user's
** umask. The writers create files with mkstemp, which makes them private,
** then set this mode before renaming them into place.
*/
#ifndef WPROF_FILE_MODE_H
#define WPROF_FILE_MODE_H

#include <sys/types.h>

/* 0666 less the process's umask. Reads the umask by setting it (the only
** portable way), so do not call it while another thread creates files. */
mode_t wprof_new_file_mode(void);

#endif
