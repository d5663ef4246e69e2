/*
** atomic-file: writing an output file whole or not at all (atomic-file.h).
*/
#include "atomic-file.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file-mode.h"
#include "output-path.h"
#include "temp-file.h"
#include "xalloc.h"

/* Writes straight to out (standard output, a device, a FIFO). */
static int write_direct(wprof_file_writer write, void *context, FILE *out) {
  int rc = write(context, out);
  if (rc) return rc;
  return fflush(out) != 0 || ferror(out) ? WPROF_ATOMIC_CANNOT_WRITE : 0;
}

/* Writes a temporary file, flushes it to disk and renames it to path. */
static int write_replacing(const char *path, wprof_file_writer write, void *context) {
  size_t len = strlen(path) + sizeof ".tmpXXXXXX";
  char *tmp = wprof_xmalloc(len); /* beside path: on the same file system */
  snprintf(tmp, len, "%s.tmpXXXXXX", path);
  wprof_temp_file_guard(tmp); /* mkstemp fills in its name */
  int fd = mkstemp(tmp), rc = WPROF_ATOMIC_CANNOT_CREATE;
  FILE *out = NULL;
  if (fd >= 0) {
    rc = WPROF_ATOMIC_CANNOT_WRITE;
    out = fchmod(fd, wprof_new_file_mode()) == 0 ? fdopen(fd, "wb") : NULL; /* mkstemp made it private */
    if (!out) close(fd);
  }
  if (out) {
    int written = write(context, out);
    if (written != 0) rc = written > 0 ? written : WPROF_ATOMIC_CANNOT_WRITE;
    else if (fflush(out) == 0 && !ferror(out) && fsync(fileno(out)) == 0) rc = 0;
    if (fclose(out) != 0 && rc == 0) rc = WPROF_ATOMIC_CANNOT_WRITE;
    if (rc == 0 && rename(tmp, path) != 0) rc = WPROF_ATOMIC_CANNOT_WRITE;
  }
  int saved = errno;
  if (rc != 0 && fd >= 0) unlink(tmp);
  wprof_temp_file_forget();
  free(tmp);
  errno = saved;
  return rc;
}

int wprof_atomic_write(const char *path, wprof_file_writer write, void *context) {
  if (strcmp(path, "-") == 0) return write_direct(write, context, stdout);
  struct wprof_output target;
  if (wprof_output_resolve(path, &target) != 0) return WPROF_ATOMIC_CANNOT_WRITE;
  int rc;
  if (!target.direct) {
    rc = write_replacing(target.path, write, context);
  } else {
    FILE *out = fopen(target.path, "wb");
    rc = out ? write_direct(write, context, out) : WPROF_ATOMIC_CANNOT_CREATE;
    if (out && fclose(out) != 0 && rc == 0) rc = WPROF_ATOMIC_CANNOT_WRITE;
  }
  int saved = errno;
  wprof_output_free(&target);
  errno = saved;
  return rc;
}
