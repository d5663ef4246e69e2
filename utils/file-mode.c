/* The permissions of the files wprof creates (see file-mode.h). */
#include "file-mode.h"

#include <sys/stat.h>

mode_t wprof_new_file_mode(void) {
  mode_t mask = umask(0);
  umask(mask);
  return 0666 & ~mask;
}
