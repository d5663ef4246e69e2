/* Writing the analyzer's output files (see output.h): utils/atomic-file.h
 * does the writing, this file says what went wrong as the analyzer does. */
#include "output.h"

#include <errno.h>
#include <string.h>

#include "atomic-file.h"
#include "util.h"
#include "wprof_analyzer.h"

int wprof_write_output(const char *cmd, const char *path, wprof_output_writer write, void *context)
{
  int rc = wprof_atomic_write(path, write, context);
  if (rc == WPROF_ATOMIC_CANNOT_CREATE)
    return wprof_fail_as(WPROF_EXIT_CANT_CREATE, cmd, path, "cannot create: %s", strerror(errno));
  if (rc == WPROF_ATOMIC_CANNOT_WRITE)
    return wprof_fail_as(WPROF_EXIT_CANT_CREATE, cmd, path, "cannot write: %s", strerror(errno));
  return rc;
}
