/*
** Path resolution beneath a directory fd, for the WASI layer (internal).
**
** Every path_* call of wprof-wasi goes through these two functions, which
** guarantee that no path, `..` or symlink leads outside the directory:
** openat2(2) with RESOLVE_BENEATH when the kernel has it, otherwise a
** component-by-component walk that opens each step with O_PATH|O_NOFOLLOW
** and expands symlinks itself. Both return -errno on failure, and
** -WASI_SANDBOX_ESCAPE when the path would leave the directory.
*/
#ifndef WPROF_WASI_SANDBOX_H
#define WPROF_WASI_SANDBOX_H

#include <stdbool.h>
#include <sys/types.h>

/* Not a host errno: the path leaves the sandbox (WASI NOTCAPABLE). */
#define WASI_SANDBOX_ESCAPE 4096

/* Opens path (relative to dirfd) with open(2) flags and mode. A symlink in
** last position is followed only when follow_last. walk_only: the manual
** walk even where openat2 exists (a WASI instance's choice, for tests).
** Returns the fd (O_CLOEXEC). */
int wasi_sandbox_open(int dirfd, const char *path, int flags, mode_t mode, bool follow_last, bool walk_only);

/* Opens the directory holding path's last component (an O_PATH fd) and
** points *last at that component inside path (with its trailing slash, if
** any, so the *at() call keeps POSIX semantics). A path ending in "." or ".."
** resolves to the directory itself and *last = ".". Returns the fd. */
int wasi_sandbox_parent(int dirfd, const char *path, const char **last, bool walk_only);

#endif
