/* Atomic writing of the analyzer's output files (see output.h): the
 * temporary file is guarded against SIGINT, SIGTERM and SIGHUP
 * (utils/temp-file.h) and gets the permissions of a new file
 * (utils/file-mode.h) before it is renamed. */
#include "output.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file-mode.h"
#include "output-path.h"
#include "temp-file.h"
#include "util.h"
#include "wprof_analyzer.h"

/* Writes straight to out (standard output, a device, a FIFO): there is
** nothing to replace atomically. */
static int write_direct(const char *cmd, const char *path, wprof_output_writer write, void *context, FILE *out)
{
  int rc = write(context, out);
  if (rc)
    return rc;
  if (fflush(out) != 0 || ferror(out))
    return wprof_fail_as(WPROF_EXIT_CANT_CREATE, cmd, path, "cannot write: %s", strerror(errno));
  return WPROF_EXIT_OK;
}

/* Writes into a temporary file renamed to path. */
static int write_atomically(const char *cmd, const char *path, wprof_output_writer write, void *context)
{
  char *tmp = wprof_xasprintf("%s.tmpXXXXXX", path);
  wprof_temp_file_guard(tmp); /* mkstemp fills in its name */
  int fd = mkstemp(tmp);
  if (fd < 0) {
    int rc = wprof_fail_as(WPROF_EXIT_CANT_CREATE, cmd, path, "cannot create: %s", strerror(errno));
    wprof_temp_file_forget();
    free(tmp);
    return rc;
  }
  FILE *out = fchmod(fd, wprof_new_file_mode()) == 0 ? fdopen(fd, "wb") : NULL; /* mkstemp made it private */
  int rc = WPROF_EXIT_OK;
  if (!out) {
    close(fd);
  } else if ((rc = write(context, out)) != 0) {
    fclose(out);
    unlink(tmp);
    wprof_temp_file_forget();
    free(tmp);
    return rc;
  } else {
    int written = fflush(out) == 0 && !ferror(out);
    if (fclose(out) == 0 && written && rename(tmp, path) == 0) {
      wprof_temp_file_forget();
      free(tmp);
      return WPROF_EXIT_OK;
    }
  }
  rc = wprof_fail_as(WPROF_EXIT_CANT_CREATE, cmd, path, "cannot write: %s", strerror(errno));
  unlink(tmp);
  wprof_temp_file_forget();
  free(tmp);
  return rc;
}

int wprof_write_output(const char *cmd, const char *path, wprof_output_writer write, void *context)
{
  if (strcmp(path, "-") == 0)
    return write_direct(cmd, path, write, context, stdout);
  struct wprof_output target;
  if (wprof_output_resolve(path, &target) != 0)
    return wprof_fail_as(WPROF_EXIT_CANT_CREATE, cmd, path, "cannot write: %s", strerror(errno));
  int rc;
  if (!target.direct) {
    rc = write_atomically(cmd, target.path, write, context);
  } else {
    FILE *out = fopen(target.path, "wb");
    rc = out ? write_direct(cmd, path, write, context, out) : wprof_fail_as(WPROF_EXIT_CANT_CREATE, cmd, path, "cannot write: %s", strerror(errno));
    if (out && fclose(out) != 0 && rc == WPROF_EXIT_OK)
      rc = wprof_fail_as(WPROF_EXIT_CANT_CREATE, cmd, path, "cannot write: %s", strerror(errno));
  }
  wprof_output_free(&target);
  return rc;
}
