/*
** wprof-wasi: the wasi_snapshot_preview1 functions for wasm2c modules.
**
** See wasi.h for the embedding contract. Layout of this file: the context
** and descriptor table, guest-memory access (every pointer and length is
** checked against the guest memory: EFAULT, never a host fault), host errno
** to WASI errno, then the WASI calls grouped as args/env, clocks, fds, paths,
** poll and process. Each exported `Z_wasi_snapshot_preview1Z_*` function is a
** thin wrapper: call_begin() (honours a pending stop request), the static
** implementation, call_end(). Path arguments go through wasi-sandbox.c so
** that they cannot leave their preopened directory.
*/
#define _GNU_SOURCE
#include "wasi.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <wasm-rt-impl.h>

#include "wasi-sandbox.h"
#include "wasi-functions.h"

typedef uint16_t wasi_errno;

/* WASI errno values (preview1 witx). */
enum {
  E_SUCCESS = 0, E_2BIG = 1, E_ACCES = 2, E_ADDRINUSE = 3, E_ADDRNOTAVAIL = 4, E_AFNOSUPPORT = 5,
  E_AGAIN = 6, E_ALREADY = 7, E_BADF = 8, E_BADMSG = 9, E_BUSY = 10, E_CANCELED = 11, E_CHILD = 12,
  E_CONNABORTED = 13, E_CONNREFUSED = 14, E_CONNRESET = 15, E_DEADLK = 16, E_DESTADDRREQ = 17,
  E_DOM = 18, E_DQUOT = 19, E_EXIST = 20, E_FAULT = 21, E_FBIG = 22, E_HOSTUNREACH = 23,
  E_IDRM = 24, E_ILSEQ = 25, E_INPROGRESS = 26, E_INTR = 27, E_INVAL = 28, E_IO = 29,
  E_ISCONN = 30, E_ISDIR = 31, E_LOOP = 32, E_MFILE = 33, E_MLINK = 34, E_MSGSIZE = 35,
  E_MULTIHOP = 36, E_NAMETOOLONG = 37, E_NETDOWN = 38, E_NETRESET = 39, E_NETUNREACH = 40,
  E_NFILE = 41, E_NOBUFS = 42, E_NODEV = 43, E_NOENT = 44, E_NOEXEC = 45, E_NOLCK = 46,
  E_NOLINK = 47, E_NOMEM = 48, E_NOMSG = 49, E_NOPROTOOPT = 50, E_NOSPC = 51, E_NOSYS = 52,
  E_NOTCONN = 53, E_NOTDIR = 54, E_NOTEMPTY = 55, E_NOTRECOVERABLE = 56, E_NOTSOCK = 57,
  E_NOTSUP = 58, E_NOTTY = 59, E_NXIO = 60, E_OVERFLOW = 61, E_OWNERDEAD = 62, E_PERM = 63,
  E_PIPE = 64, E_PROTO = 65, E_PROTONOSUPPORT = 66, E_PROTOTYPE = 67, E_RANGE = 68, E_ROFS = 69,
  E_SPIPE = 70, E_SRCH = 71, E_STALE = 72, E_TIMEDOUT = 73, E_TXTBSY = 74, E_XDEV = 75,
  E_NOTCAPABLE = 76,
};

/* Rights (bit numbers from the witx). */
#define RIGHT_FD_DATASYNC (UINT64_C(1) << 0)
#define RIGHT_FD_READ (UINT64_C(1) << 1)
#define RIGHT_FD_SEEK (UINT64_C(1) << 2)
#define RIGHT_FD_FDSTAT_SET_FLAGS (UINT64_C(1) << 3)
#define RIGHT_FD_SYNC (UINT64_C(1) << 4)
#define RIGHT_FD_TELL (UINT64_C(1) << 5)
#define RIGHT_FD_WRITE (UINT64_C(1) << 6)
#define RIGHT_FD_ADVISE (UINT64_C(1) << 7)
#define RIGHT_FD_ALLOCATE (UINT64_C(1) << 8)
#define RIGHT_PATH_CREATE_DIRECTORY (UINT64_C(1) << 9)
#define RIGHT_PATH_CREATE_FILE (UINT64_C(1) << 10)
#define RIGHT_PATH_LINK_SOURCE (UINT64_C(1) << 11)
#define RIGHT_PATH_LINK_TARGET (UINT64_C(1) << 12)
#define RIGHT_PATH_OPEN (UINT64_C(1) << 13)
#define RIGHT_FD_READDIR (UINT64_C(1) << 14)
#define RIGHT_PATH_READLINK (UINT64_C(1) << 15)
#define RIGHT_PATH_RENAME_SOURCE (UINT64_C(1) << 16)
#define RIGHT_PATH_RENAME_TARGET (UINT64_C(1) << 17)
#define RIGHT_PATH_FILESTAT_GET (UINT64_C(1) << 18)
#define RIGHT_PATH_FILESTAT_SET_SIZE (UINT64_C(1) << 19)
#define RIGHT_PATH_FILESTAT_SET_TIMES (UINT64_C(1) << 20)
#define RIGHT_FD_FILESTAT_GET (UINT64_C(1) << 21)
#define RIGHT_FD_FILESTAT_SET_SIZE (UINT64_C(1) << 22)
#define RIGHT_FD_FILESTAT_SET_TIMES (UINT64_C(1) << 23)
#define RIGHT_PATH_SYMLINK (UINT64_C(1) << 24)
#define RIGHT_PATH_REMOVE_DIRECTORY (UINT64_C(1) << 25)
#define RIGHT_PATH_UNLINK_FILE (UINT64_C(1) << 26)
#define RIGHT_POLL_FD_READWRITE (UINT64_C(1) << 27)

#define RIGHTS_FILE                                                                              \
  (RIGHT_FD_DATASYNC | RIGHT_FD_READ | RIGHT_FD_SEEK | RIGHT_FD_FDSTAT_SET_FLAGS | RIGHT_FD_SYNC | \
   RIGHT_FD_TELL | RIGHT_FD_WRITE | RIGHT_FD_ADVISE | RIGHT_FD_ALLOCATE | RIGHT_FD_FILESTAT_GET |  \
   RIGHT_FD_FILESTAT_SET_SIZE | RIGHT_FD_FILESTAT_SET_TIMES | RIGHT_POLL_FD_READWRITE)
#define RIGHTS_DIR                                                                             \
  (RIGHT_FD_FDSTAT_SET_FLAGS | RIGHT_FD_SYNC | RIGHT_FD_ADVISE | RIGHT_PATH_CREATE_DIRECTORY |  \
   RIGHT_PATH_CREATE_FILE | RIGHT_PATH_LINK_SOURCE | RIGHT_PATH_LINK_TARGET | RIGHT_PATH_OPEN | \
   RIGHT_FD_READDIR | RIGHT_PATH_READLINK | RIGHT_PATH_RENAME_SOURCE |                         \
   RIGHT_PATH_RENAME_TARGET | RIGHT_PATH_FILESTAT_GET | RIGHT_PATH_FILESTAT_SET_SIZE |          \
   RIGHT_PATH_FILESTAT_SET_TIMES | RIGHT_FD_FILESTAT_GET | RIGHT_FD_FILESTAT_SET_TIMES |        \
   RIGHT_PATH_SYMLINK | RIGHT_PATH_REMOVE_DIRECTORY | RIGHT_PATH_UNLINK_FILE |                 \
   RIGHT_POLL_FD_READWRITE)
/* A terminal or pipe: no seek/tell, so wasi-libc's isatty() sees a tty. */
#define RIGHTS_STREAM \
  (RIGHT_FD_READ | RIGHT_FD_WRITE | RIGHT_FD_FDSTAT_SET_FLAGS | RIGHT_FD_FILESTAT_GET | RIGHT_POLL_FD_READWRITE)
#define RIGHTS_NEED_WRITE \
  (RIGHT_FD_WRITE | RIGHT_FD_DATASYNC | RIGHT_FD_ALLOCATE | RIGHT_FD_FILESTAT_SET_SIZE)
#define RIGHTS_NEED_READ (RIGHT_FD_READ | RIGHT_FD_READDIR)

enum filetype {
  FT_UNKNOWN = 0, FT_BLOCK_DEVICE = 1, FT_CHARACTER_DEVICE = 2, FT_DIRECTORY = 3,
  FT_REGULAR_FILE = 4, FT_SOCKET_DGRAM = 5, FT_SOCKET_STREAM = 6, FT_SYMBOLIC_LINK = 7,
};

enum { FDFLAG_APPEND = 1, FDFLAG_DSYNC = 2, FDFLAG_NONBLOCK = 4, FDFLAG_RSYNC = 8, FDFLAG_SYNC = 16 };
enum { OFLAG_CREAT = 1, OFLAG_DIRECTORY = 2, OFLAG_EXCL = 4, OFLAG_TRUNC = 8 };
enum { LOOKUP_SYMLINK_FOLLOW = 1 };
enum { FST_ATIM = 1, FST_ATIM_NOW = 2, FST_MTIM = 4, FST_MTIM_NOW = 8 };

struct fd_entry {
  bool open;
  int host;
  uint8_t type;
  uint64_t base, inheriting;
  char *preopen; /* guest name of a preopened directory, else NULL */
};

struct Z_wasi_snapshot_preview1_instance_t {
  char **argv, **envp;
  uint32_t argc, envc;
  struct fd_entry *fds;
  uint32_t nfds;
  wasm_rt_memory_t *memory;
  const volatile sig_atomic_t *stop_flag;
  volatile sig_atomic_t in_call;
  uint32_t exit_code;
  bool deterministic;              /* --deterministic (wasi.h) */
  bool walk_only;                  /* path resolution by the manual walk (wasi_sandbox_open) */
  uint64_t virtual_ns;             /* its clocks' time */
  uint64_t random_state;           /* its splitmix64 state */
};

/* ---- guest memory ---- */

static bool in_memory(const wprof_wasi *w, uint32_t ptr, uint64_t len) {
  return w->memory && (uint64_t)ptr + len <= w->memory->size;
}
static uint8_t *at(const wprof_wasi *w, uint32_t ptr) { return w->memory->data + ptr; }
static uint32_t load_u32(const wprof_wasi *w, uint32_t p) {
  uint32_t v;
  memcpy(&v, at(w, p), 4);
  return v;
}
static uint64_t load_u64(const wprof_wasi *w, uint32_t p) {
  uint64_t v;
  memcpy(&v, at(w, p), 8);
  return v;
}
static void store_u16(wprof_wasi *w, uint32_t p, uint16_t v) { memcpy(at(w, p), &v, 2); }
static void store_u32(wprof_wasi *w, uint32_t p, uint32_t v) { memcpy(at(w, p), &v, 4); }
static void store_u64(wprof_wasi *w, uint32_t p, uint64_t v) { memcpy(at(w, p), &v, 8); }

/* Stores a u64 result, or EFAULT when the guest's pointer is bad. */
static wasi_errno put_u64(wprof_wasi *w, uint32_t p, uint64_t v) {
  if (!in_memory(w, p, 8)) return E_FAULT;
  store_u64(w, p, v);
  return E_SUCCESS;
}

/* A NUL-terminated copy of a guest path (free it), or an error. */
static wasi_errno guest_path(const wprof_wasi *w, uint32_t ptr, uint32_t len, char **out) {
  if (!in_memory(w, ptr, len)) return E_FAULT;
  if (len >= PATH_MAX) return E_NAMETOOLONG;
  if (memchr(at(w, ptr), '\0', len)) return E_INVAL;
  char *s = malloc((size_t)len + 1);
  if (!s) return E_NOMEM;
  memcpy(s, at(w, ptr), len);
  s[len] = '\0';
  *out = s;
  return E_SUCCESS;
}

/* Host iovecs for guest iovecs (ciovec/iovec: u32 buf, u32 len), at most IOV_MAX. */
static wasi_errno guest_iovecs(const wprof_wasi *w, uint32_t iovs, uint32_t n, struct iovec **out,
                               int *count) {
  if (!in_memory(w, iovs, (uint64_t)n * 8)) return E_FAULT;
  if (n > IOV_MAX) n = IOV_MAX; /* a short transfer, as POSIX allows */
  struct iovec *v = calloc(n ? n : 1, sizeof *v);
  if (!v) return E_NOMEM;
  for (uint32_t i = 0; i < n; i++) {
    uint32_t buf = load_u32(w, iovs + 8 * i), len = load_u32(w, iovs + 8 * i + 4);
    if (!in_memory(w, buf, len)) {
      free(v);
      return E_FAULT;
    }
    v[i].iov_base = at(w, buf);
    v[i].iov_len = len;
  }
  *out = v;
  *count = (int)n;
  return E_SUCCESS;
}

/* ---- errors ---- */

static wasi_errno from_errno(int e) {
  switch (e) {
    case 0: return E_SUCCESS;
    case E2BIG: return E_2BIG;
    case EACCES: return E_ACCES;
    case EADDRINUSE: return E_ADDRINUSE;
    case EADDRNOTAVAIL: return E_ADDRNOTAVAIL;
    case EAFNOSUPPORT: return E_AFNOSUPPORT;
    case EAGAIN: return E_AGAIN;
    case EALREADY: return E_ALREADY;
    case EBADF: return E_BADF;
    case EBADMSG: return E_BADMSG;
    case EBUSY: return E_BUSY;
    case ECANCELED: return E_CANCELED;
    case ECHILD: return E_CHILD;
    case ECONNABORTED: return E_CONNABORTED;
    case ECONNREFUSED: return E_CONNREFUSED;
    case ECONNRESET: return E_CONNRESET;
    case EDEADLK: return E_DEADLK;
    case EDESTADDRREQ: return E_DESTADDRREQ;
    case EDOM: return E_DOM;
    case EDQUOT: return E_DQUOT;
    case EEXIST: return E_EXIST;
    case EFAULT: return E_FAULT;
    case EFBIG: return E_FBIG;
    case EHOSTUNREACH: return E_HOSTUNREACH;
    case EIDRM: return E_IDRM;
    case EILSEQ: return E_ILSEQ;
    case EINPROGRESS: return E_INPROGRESS;
    case EINTR: return E_INTR;
    case EINVAL: return E_INVAL;
    case EIO: return E_IO;
    case EISCONN: return E_ISCONN;
    case EISDIR: return E_ISDIR;
    case ELOOP: return E_LOOP;
    case EMFILE: return E_MFILE;
    case EMLINK: return E_MLINK;
    case EMSGSIZE: return E_MSGSIZE;
    case EMULTIHOP: return E_MULTIHOP;
    case ENAMETOOLONG: return E_NAMETOOLONG;
    case ENETDOWN: return E_NETDOWN;
    case ENETRESET: return E_NETRESET;
    case ENETUNREACH: return E_NETUNREACH;
    case ENFILE: return E_NFILE;
    case ENOBUFS: return E_NOBUFS;
    case ENODEV: return E_NODEV;
    case ENOENT: return E_NOENT;
    case ENOEXEC: return E_NOEXEC;
    case ENOLCK: return E_NOLCK;
    case ENOLINK: return E_NOLINK;
    case ENOMEM: return E_NOMEM;
    case ENOMSG: return E_NOMSG;
    case ENOPROTOOPT: return E_NOPROTOOPT;
    case ENOSPC: return E_NOSPC;
    case ENOSYS: return E_NOSYS;
    case ENOTCONN: return E_NOTCONN;
    case ENOTDIR: return E_NOTDIR;
    case ENOTEMPTY: return E_NOTEMPTY;
    case ENOTRECOVERABLE: return E_NOTRECOVERABLE;
    case ENOTSOCK: return E_NOTSOCK;
    case ENOTSUP: return E_NOTSUP; /* = EOPNOTSUPP on Linux */
    case ENOTTY: return E_NOTTY;
    case ENXIO: return E_NXIO;
    case EOVERFLOW: return E_OVERFLOW;
    case EOWNERDEAD: return E_OWNERDEAD;
    case EPERM: return E_PERM;
    case EPIPE: return E_PIPE;
    case EPROTO: return E_PROTO;
    case EPROTONOSUPPORT: return E_PROTONOSUPPORT;
    case EPROTOTYPE: return E_PROTOTYPE;
    case ERANGE: return E_RANGE;
    case EROFS: return E_ROFS;
    case ESPIPE: return E_SPIPE;
    case ESRCH: return E_SRCH;
    case ESTALE: return E_STALE;
    case ETIMEDOUT: return E_TIMEDOUT;
    case ETXTBSY: return E_TXTBSY;
    case EXDEV: return E_XDEV;
    case WASI_SANDBOX_ESCAPE: return E_NOTCAPABLE;
    default: return E_IO; /* Linux-only errnos (ENOMEDIUM, EKEYEXPIRED...) */
  }
}
/* For sandbox results: a negative errno or an fd. */
static wasi_errno from_neg(int r) { return r < 0 ? from_errno(-r) : E_SUCCESS; }

/* ---- descriptors ---- */

static uint8_t filetype_of(mode_t mode) {
  if (S_ISREG(mode)) return FT_REGULAR_FILE;
  if (S_ISDIR(mode)) return FT_DIRECTORY;
  if (S_ISCHR(mode)) return FT_CHARACTER_DEVICE;
  if (S_ISBLK(mode)) return FT_BLOCK_DEVICE;
  if (S_ISLNK(mode)) return FT_SYMBOLIC_LINK;
  if (S_ISFIFO(mode) || S_ISSOCK(mode)) return FT_SOCKET_STREAM;
  return FT_UNKNOWN;
}

/* The most a descriptor of this kind may do. */
static void type_rights(int host, uint8_t type, uint64_t *base, uint64_t *inheriting) {
  *inheriting = 0;
  if (type == FT_DIRECTORY) {
    *base = RIGHTS_DIR;
    *inheriting = RIGHTS_DIR | RIGHTS_FILE;
  } else if (type == FT_REGULAR_FILE || (type == FT_CHARACTER_DEVICE && !isatty(host))) {
    *base = RIGHTS_FILE;
  } else {
    *base = RIGHTS_STREAM;
  }
}

/* Guest descriptors 0-2 are the stdio slots: closed or not, no other file
** takes them (only fd_renumber may), so that preopens start at 3 as
** wasi-libc expects. */
#define STDIO_SLOTS 3u

/* The first free descriptor from `from` on. */
static int add_fd_from(wprof_wasi *w, uint32_t from, int host, uint8_t type, uint64_t base, uint64_t inheriting) {
  uint32_t i = from;
  while (i < w->nfds && w->fds[i].open) i++;
  if (i >= w->nfds) {
    uint32_t nfds = i + 8;
    struct fd_entry *grown = realloc(w->fds, nfds * sizeof *grown);
    if (!grown) return -1;
    memset(grown + w->nfds, 0, (nfds - w->nfds) * sizeof *grown);
    w->fds = grown;
    w->nfds = nfds;
  }
  w->fds[i] = (struct fd_entry){.open = true, .host = host, .type = type, .base = base, .inheriting = inheriting};
  return (int)i;
}

static int add_fd(wprof_wasi *w, int host, uint8_t type, uint64_t base, uint64_t inheriting) {
  return add_fd_from(w, STDIO_SLOTS, host, type, base, inheriting);
}

/* The open descriptor fd holding all of rights, or an error. */
static wasi_errno get_fd(wprof_wasi *w, uint32_t fd, uint64_t rights, struct fd_entry **out) {
  if (fd >= w->nfds || !w->fds[fd].open) return E_BADF;
  if ((w->fds[fd].base & rights) != rights) return E_NOTCAPABLE;
  *out = &w->fds[fd];
  return E_SUCCESS;
}

static void close_fd(struct fd_entry *e) {
  close(e->host);
  free(e->preopen);
  *e = (struct fd_entry){0};
}

/* ---- context ---- */

static char **copy_strings(int n, char *const *src) {
  char **dst = calloc((size_t)n + 1, sizeof *dst);
  for (int i = 0; dst && i < n; i++) {
    if (!(dst[i] = strdup(src[i]))) {
      while (i-- > 0) free(dst[i]);
      free(dst);
      return NULL;
    }
  }
  return dst;
}

wprof_wasi *wprof_wasi_create(const struct wprof_wasi_config *cfg, char *err, size_t errlen) {
  wprof_wasi *w = calloc(1, sizeof *w);
  if (!w || !(w->argv = copy_strings(cfg->argc, cfg->argv)) || !(w->envp = copy_strings(cfg->envc, cfg->envp))) {
    snprintf(err, errlen, "out of memory");
    wprof_wasi_destroy(w);
    return NULL;
  }
  w->argc = (uint32_t)cfg->argc;
  w->envc = (uint32_t)cfg->envc;
  w->stop_flag = cfg->stop_flag;
  w->deterministic = cfg->deterministic;
  w->random_state = WPROF_WASI_RANDOM_SEED;
  w->walk_only = cfg->no_openat2;
  /* Our own copies of 0-2: the guest closing its stdout must not close the host's. */
  for (uint32_t i = 0; i < STDIO_SLOTS; i++) {
    int host = fcntl((int)i, F_DUPFD_CLOEXEC, 3);
    struct stat st;
    if (host < 0 || fstat(host, &st) != 0) {
      /* not open in the host: the guest sees a closed descriptor (EBADF) */
      if (host >= 0) close(host);
      if (add_fd_from(w, i, -1, FT_UNKNOWN, 0, 0) < 0) goto oom;
      w->fds[i].open = false;
      continue;
    }
    uint64_t base, inheriting;
    uint8_t type = filetype_of(st.st_mode);
    type_rights(host, type, &base, &inheriting);
    if (add_fd_from(w, i, host, type, base, inheriting) < 0) goto oom;
  }
  for (int i = 0; i < cfg->npreopens; i++) {
    const struct wprof_wasi_preopen *p = &cfg->preopens[i];
    int host = open(p->host_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (host < 0) {
      snprintf(err, errlen, "--dir %s: %s", p->host_path, strerror(errno));
      wprof_wasi_destroy(w);
      return NULL;
    }
    int fd = add_fd(w, host, FT_DIRECTORY, RIGHTS_DIR, RIGHTS_DIR | RIGHTS_FILE);
    if (fd < 0 || !(w->fds[fd].preopen = strdup(p->guest_path))) {
      if (fd < 0) close(host);
      goto oom;
    }
  }
  return w;
oom:
  snprintf(err, errlen, "out of memory");
  wprof_wasi_destroy(w);
  return NULL;
}

void wprof_wasi_set_memory(wprof_wasi *w, wasm_rt_memory_t *memory) { w->memory = memory; }
uint32_t wprof_wasi_exit_code(const wprof_wasi *w) { return w->exit_code; }
bool wprof_wasi_in_call(const wprof_wasi *w) { return w->in_call; }

void wprof_wasi_destroy(wprof_wasi *w) {
  if (!w) return;
  for (uint32_t i = 0; i < w->nfds; i++)
    if (w->fds[i].open) close_fd(&w->fds[i]);
  free(w->fds);
  for (uint32_t i = 0; w->argv && w->argv[i]; i++) free(w->argv[i]);
  for (uint32_t i = 0; w->envp && w->envp[i]; i++) free(w->envp[i]);
  free(w->argv);
  free(w->envp);
  free(w);
}

/* ---- entering and leaving calls ---- */

static bool stop_requested(const wprof_wasi *w) { return w->stop_flag && *w->stop_flag; }

WASM_RT_NO_RETURN static void leave_guest(wprof_wasi *w, int how) {
  w->in_call = 0;
  WASM_RT_LONGJMP(wasm_rt_jmp_buf, how);
}

static void call_begin(wprof_wasi *w) {
  if (stop_requested(w)) leave_guest(w, WPROF_WASI_JMP_STOP);
  w->in_call = 1;
}

static uint32_t call_end(wprof_wasi *w, wasi_errno e) {
  w->in_call = 0;
  if (stop_requested(w)) leave_guest(w, WPROF_WASI_JMP_STOP);
  return e;
}

/* A blocking host call failed: retry after EINTR unless a stop was
** requested; then the call fails (EINTR), frees what it holds, and
** call_end() leaves the guest. */
static bool retry_after_eintr(const wprof_wasi *w) { return errno == EINTR && !stop_requested(w); }

/* ---- args and environment ---- */

static wasi_errno strings_sizes(wprof_wasi *w, char **list, uint32_t n, uint32_t count_ptr, uint32_t size_ptr) {
  uint64_t bytes = 0;
  for (uint32_t i = 0; i < n; i++) bytes += strlen(list[i]) + 1;
  if (!in_memory(w, count_ptr, 4) || !in_memory(w, size_ptr, 4)) return E_FAULT;
  store_u32(w, count_ptr, n);
  store_u32(w, size_ptr, (uint32_t)bytes);
  return E_SUCCESS;
}

static wasi_errno strings_get(wprof_wasi *w, char **list, uint32_t n, uint32_t ptrs, uint32_t buf) {
  if (!in_memory(w, ptrs, (uint64_t)n * 4)) return E_FAULT;
  for (uint32_t i = 0; i < n; i++) {
    size_t len = strlen(list[i]) + 1;
    if (!in_memory(w, buf, len)) return E_FAULT;
    memcpy(at(w, buf), list[i], len);
    store_u32(w, ptrs + 4 * i, buf);
    buf += (uint32_t)len;
  }
  return E_SUCCESS;
}

/* ---- clocks ---- */

static bool host_clock(uint32_t id, clockid_t *out) {
  static const clockid_t clocks[] = {CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID,
                                     CLOCK_THREAD_CPUTIME_ID};
  if (id >= sizeof clocks / sizeof clocks[0]) return false;
  *out = clocks[id];
  return true;
}

static uint64_t ns_of(const struct timespec *ts) {
  return (uint64_t)ts->tv_sec * 1000000000u + (uint64_t)ts->tv_nsec;
}

static wasi_errno clock_read(uint32_t id, bool resolution, uint64_t *ns) {
  clockid_t c;
  struct timespec ts;
  if (!host_clock(id, &c)) return E_INVAL;
  if ((resolution ? clock_getres(c, &ts) : clock_gettime(c, &ts)) != 0) return from_errno(errno);
  *ns = ns_of(&ts);
  return E_SUCCESS;
}

/* --deterministic: clock id's reading of the virtual time (no step). */
static uint64_t virtual_clock(const wprof_wasi *w, uint32_t id) {
  return (id == 0 ? WPROF_WASI_EPOCH_NS : 0) + w->virtual_ns;
}

static wasi_errno do_clock(wprof_wasi *w, uint32_t id, bool resolution, uint32_t out) {
  uint64_t ns = 0;
  clockid_t unused;
  if (w->deterministic && !host_clock(id, &unused)) return E_INVAL;
  if (w->deterministic && resolution) return put_u64(w, out, WPROF_WASI_CLOCK_STEP_NS);
  if (w->deterministic) {
    w->virtual_ns += WPROF_WASI_CLOCK_STEP_NS;
    return put_u64(w, out, virtual_clock(w, id));
  }
  wasi_errno e = clock_read(id, resolution, &ns);
  return e ? e : put_u64(w, out, ns);
}

/* ---- descriptors: I/O ---- */

enum io_kind { IO_READ, IO_WRITE };

static wasi_errno do_io(wprof_wasi *w, uint32_t fd, uint32_t iovs, uint32_t n, bool positioned, uint64_t offset,
                        uint32_t result_ptr, enum io_kind kind) {
  struct fd_entry *e;
  uint64_t need = (kind == IO_READ ? RIGHT_FD_READ : RIGHT_FD_WRITE) | (positioned ? RIGHT_FD_SEEK : 0);
  wasi_errno err = get_fd(w, fd, need, &e);
  if (err) return err;
  if (!in_memory(w, result_ptr, 4)) return E_FAULT;
  if (positioned && offset > INT64_MAX) return E_INVAL;
  struct iovec *v;
  int count;
  if ((err = guest_iovecs(w, iovs, n, &v, &count))) return err;
  ssize_t done;
  do {
    if (kind == IO_READ)
      done = positioned ? preadv(e->host, v, count, (off_t)offset) : readv(e->host, v, count);
    else
      done = positioned ? pwritev(e->host, v, count, (off_t)offset) : writev(e->host, v, count);
  } while (done < 0 && retry_after_eintr(w));
  int saved = errno;
  free(v);
  if (done < 0) return from_errno(saved);
  store_u32(w, result_ptr, (uint32_t)done);
  return E_SUCCESS;
}

static wasi_errno do_seek(wprof_wasi *w, uint32_t fd, int64_t offset, uint32_t whence, uint32_t out) {
  static const int host_whence[] = {SEEK_SET, SEEK_CUR, SEEK_END};
  if (whence > 2) return E_INVAL;
  bool tell_only = whence == 1 && offset == 0;
  struct fd_entry *e;
  wasi_errno err = get_fd(w, fd, tell_only ? RIGHT_FD_TELL : RIGHT_FD_SEEK, &e);
  if (err) return err;
  if (!in_memory(w, out, 8)) return E_FAULT;
  off_t pos = lseek(e->host, offset, host_whence[whence]);
  if (pos < 0) return from_errno(errno);
  store_u64(w, out, (uint64_t)pos);
  return E_SUCCESS;
}

static wasi_errno do_fd_simple(wprof_wasi *w, uint32_t fd, uint64_t right, int (*op)(int)) {
  struct fd_entry *e;
  wasi_errno err = get_fd(w, fd, right, &e);
  if (err) return err;
  return op(e->host) == 0 ? E_SUCCESS : from_errno(errno);
}

static wasi_errno do_fdstat_get(wprof_wasi *w, uint32_t fd, uint32_t out) {
  struct fd_entry *e;
  wasi_errno err = get_fd(w, fd, 0, &e);
  if (err) return err;
  if (!in_memory(w, out, 24)) return E_FAULT;
  int fl = fcntl(e->host, F_GETFL);
  if (fl < 0) return from_errno(errno);
  uint16_t flags = (fl & O_APPEND ? FDFLAG_APPEND : 0) | (fl & O_NONBLOCK ? FDFLAG_NONBLOCK : 0) |
                   ((fl & O_SYNC) == O_SYNC ? FDFLAG_SYNC | FDFLAG_RSYNC : 0) | (fl & O_DSYNC ? FDFLAG_DSYNC : 0);
  memset(at(w, out), 0, 24);
  at(w, out)[0] = e->type;
  store_u16(w, out + 2, flags);
  store_u64(w, out + 8, e->base);
  store_u64(w, out + 16, e->inheriting);
  return E_SUCCESS;
}

static wasi_errno do_fdstat_set_flags(wprof_wasi *w, uint32_t fd, uint32_t flags) {
  struct fd_entry *e;
  wasi_errno err = get_fd(w, fd, RIGHT_FD_FDSTAT_SET_FLAGS, &e);
  if (err) return err;
  if (flags & (FDFLAG_DSYNC | FDFLAG_RSYNC | FDFLAG_SYNC)) return E_NOTSUP; /* Linux cannot change these */
  if (flags & ~(uint32_t)(FDFLAG_APPEND | FDFLAG_NONBLOCK)) return E_INVAL;
  int fl = fcntl(e->host, F_GETFL);
  if (fl < 0) return from_errno(errno);
  fl &= ~(O_APPEND | O_NONBLOCK);
  fl |= (flags & FDFLAG_APPEND ? O_APPEND : 0) | (flags & FDFLAG_NONBLOCK ? O_NONBLOCK : 0);
  return fcntl(e->host, F_SETFL, fl) == 0 ? E_SUCCESS : from_errno(errno);
}

static wasi_errno do_fdstat_set_rights(wprof_wasi *w, uint32_t fd, uint64_t base, uint64_t inheriting) {
  struct fd_entry *e;
  wasi_errno err = get_fd(w, fd, 0, &e);
  if (err) return err;
  if ((base & ~e->base) || (inheriting & ~e->inheriting)) return E_NOTCAPABLE; /* rights only shrink */
  e->base = base;
  e->inheriting = inheriting;
  return E_SUCCESS;
}

static void store_filestat(wprof_wasi *w, uint32_t out, const struct stat *st) {
  memset(at(w, out), 0, 64);
  store_u64(w, out + 0, (uint64_t)st->st_dev);
  store_u64(w, out + 8, (uint64_t)st->st_ino);
  at(w, out)[16] = filetype_of(st->st_mode);
  store_u64(w, out + 24, (uint64_t)st->st_nlink);
  store_u64(w, out + 32, (uint64_t)st->st_size);
  store_u64(w, out + 40, ns_of(&st->st_atim));
  store_u64(w, out + 48, ns_of(&st->st_mtim));
  store_u64(w, out + 56, ns_of(&st->st_ctim));
}

static wasi_errno do_filestat_get(wprof_wasi *w, uint32_t fd, uint32_t out) {
  struct fd_entry *e;
  struct stat st;
  wasi_errno err = get_fd(w, fd, RIGHT_FD_FILESTAT_GET, &e);
  if (err) return err;
  if (!in_memory(w, out, 64)) return E_FAULT;
  if (fstat(e->host, &st) != 0) return from_errno(errno);
  store_filestat(w, out, &st);
  return E_SUCCESS;
}

static wasi_errno do_filestat_set_size(wprof_wasi *w, uint32_t fd, uint64_t size) {
  struct fd_entry *e;
  wasi_errno err = get_fd(w, fd, RIGHT_FD_FILESTAT_SET_SIZE, &e);
  if (err) return err;
  if (size > INT64_MAX) return E_INVAL;
  return ftruncate(e->host, (off_t)size) == 0 ? E_SUCCESS : from_errno(errno);
}

/* WASI fstflags to utimensat's two timespecs. */
static wasi_errno to_times(uint64_t atim, uint64_t mtim, uint32_t fst, struct timespec ts[2]) {
  if (((fst & FST_ATIM) && (fst & FST_ATIM_NOW)) || ((fst & FST_MTIM) && (fst & FST_MTIM_NOW)) || fst > 15)
    return E_INVAL;
  const uint64_t t[2] = {atim, mtim};
  const uint32_t set[2] = {FST_ATIM, FST_MTIM}, now[2] = {FST_ATIM_NOW, FST_MTIM_NOW};
  for (int i = 0; i < 2; i++) {
    if (fst & set[i])
      ts[i] = (struct timespec){.tv_sec = (time_t)(t[i] / 1000000000u), .tv_nsec = (long)(t[i] % 1000000000u)};
    else
      ts[i] = (struct timespec){.tv_nsec = (fst & now[i]) ? UTIME_NOW : UTIME_OMIT};
  }
  return E_SUCCESS;
}

static wasi_errno do_filestat_set_times(wprof_wasi *w, uint32_t fd, uint64_t atim, uint64_t mtim, uint32_t fst) {
  struct fd_entry *e;
  struct timespec ts[2];
  wasi_errno err = get_fd(w, fd, RIGHT_FD_FILESTAT_SET_TIMES, &e);
  if (err || (err = to_times(atim, mtim, fst, ts))) return err;
  return futimens(e->host, ts) == 0 ? E_SUCCESS : from_errno(errno);
}

static wasi_errno do_advise(wprof_wasi *w, uint32_t fd, uint64_t offset, uint64_t len, uint32_t advice) {
  static const int host_advice[] = {POSIX_FADV_NORMAL, POSIX_FADV_SEQUENTIAL, POSIX_FADV_RANDOM,
                                    POSIX_FADV_WILLNEED, POSIX_FADV_DONTNEED, POSIX_FADV_NOREUSE};
  struct fd_entry *e;
  wasi_errno err = get_fd(w, fd, RIGHT_FD_ADVISE, &e);
  if (err) return err;
  if (advice > 5 || offset > INT64_MAX || len > INT64_MAX) return E_INVAL;
  if (e->type == FT_DIRECTORY) return E_BADF;
  return from_errno(posix_fadvise(e->host, (off_t)offset, (off_t)len, host_advice[advice]));
}

static wasi_errno do_allocate(wprof_wasi *w, uint32_t fd, uint64_t offset, uint64_t len) {
  struct fd_entry *e;
  wasi_errno err = get_fd(w, fd, RIGHT_FD_ALLOCATE, &e);
  if (err) return err;
  if (offset > INT64_MAX || len > INT64_MAX || len == 0) return E_INVAL;
  return from_errno(posix_fallocate(e->host, (off_t)offset, (off_t)len));
}

static wasi_errno do_close(wprof_wasi *w, uint32_t fd) {
  struct fd_entry *e;
  wasi_errno err = get_fd(w, fd, 0, &e);
  if (err) return err;
  close_fd(e);
  return E_SUCCESS;
}

static wasi_errno do_renumber(wprof_wasi *w, uint32_t from, uint32_t to) {
  struct fd_entry *src, *dst;
  wasi_errno err = get_fd(w, from, 0, &src);
  if (err || (err = get_fd(w, to, 0, &dst))) return err;
  if (from == to) return E_SUCCESS;
  close_fd(dst);
  *dst = *src;
  *src = (struct fd_entry){0};
  return E_SUCCESS;
}

static wasi_errno do_prestat_get(wprof_wasi *w, uint32_t fd, uint32_t out) {
  if (fd >= w->nfds || !w->fds[fd].open || !w->fds[fd].preopen) return E_BADF;
  if (!in_memory(w, out, 8)) return E_FAULT;
  memset(at(w, out), 0, 8); /* tag 0: a directory */
  store_u32(w, out + 4, (uint32_t)strlen(w->fds[fd].preopen));
  return E_SUCCESS;
}

static wasi_errno do_prestat_dir_name(wprof_wasi *w, uint32_t fd, uint32_t buf, uint32_t len) {
  if (fd >= w->nfds || !w->fds[fd].open || !w->fds[fd].preopen) return E_BADF;
  size_t n = strlen(w->fds[fd].preopen);
  if (len < n) return E_NAMETOOLONG;
  if (!in_memory(w, buf, n)) return E_FAULT;
  memcpy(at(w, buf), w->fds[fd].preopen, n);
  return E_SUCCESS;
}

static uint8_t filetype_of_dirent(int dirfd, const struct dirent *d) {
  switch (d->d_type) {
    case DT_REG: return FT_REGULAR_FILE;
    case DT_DIR: return FT_DIRECTORY;
    case DT_LNK: return FT_SYMBOLIC_LINK;
    case DT_CHR: return FT_CHARACTER_DEVICE;
    case DT_BLK: return FT_BLOCK_DEVICE;
    case DT_SOCK: case DT_FIFO: return FT_SOCKET_STREAM;
    default: { /* errno is kept: fd_readdir reads it to tell readdir's end from its failure */
      struct stat st;
      int saved = errno;
      uint8_t type = fstatat(dirfd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 ? filetype_of(st.st_mode) : FT_UNKNOWN;
      errno = saved;
      return type;
    }
  }
}

/* Cookies are entry indexes: the directory is read again from its start on
** every call, so a cookie stays valid across calls without host state. */
static wasi_errno do_readdir(wprof_wasi *w, uint32_t fd, uint32_t buf, uint32_t len, uint64_t cookie, uint32_t out) {
  struct fd_entry *e;
  wasi_errno err = get_fd(w, fd, RIGHT_FD_READDIR, &e);
  if (err) return err;
  if (!in_memory(w, buf, len) || !in_memory(w, out, 4)) return E_FAULT;
  int dfd = openat(e->host, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *dir = dfd < 0 ? NULL : fdopendir(dfd);
  if (!dir) {
    err = from_errno(errno);
    if (dfd >= 0) close(dfd);
    return err;
  }
  uint32_t used = 0;
  uint64_t index = 0;
  struct dirent *d;
  errno = 0;
  while (used < len && (d = readdir(dir))) {
    if (index++ < cookie) continue;
    uint8_t header[24] = {0};
    uint32_t namlen = (uint32_t)strlen(d->d_name);
    uint64_t next = index, ino = d->d_ino;
    memcpy(header, &next, 8);
    memcpy(header + 8, &ino, 8);
    memcpy(header + 16, &namlen, 4);
    header[20] = filetype_of_dirent(dfd, d);
    /* A truncated last entry tells the guest to call again with a bigger buffer. */
    uint32_t n = len - used < 24 ? len - used : 24;
    memcpy(at(w, buf + used), header, n);
    used += n;
    n = len - used < namlen ? len - used : namlen;
    memcpy(at(w, buf + used), d->d_name, n);
    used += n;
  }
  err = errno ? from_errno(errno) : E_SUCCESS;
  closedir(dir);
  if (!err) store_u32(w, out, used);
  return err;
}

/* ---- paths ---- */

/* The directory fd with `rights`, and the guest path copied out. */
static wasi_errno path_arg(wprof_wasi *w, uint32_t fd, uint64_t rights, uint32_t ptr, uint32_t len,
                           struct fd_entry **dir, char **path) {
  wasi_errno err = get_fd(w, fd, rights, dir);
  if (err) return err;
  if ((*dir)->type != FT_DIRECTORY) return E_NOTDIR;
  return guest_path(w, ptr, len, path);
}

/* Resolves the parent of a guest path: *parent (close it) and *last. */
static wasi_errno path_parent(wprof_wasi *w, uint32_t fd, uint64_t rights, uint32_t ptr, uint32_t len,
                              char **path, int *parent, const char **last) {
  struct fd_entry *dir;
  wasi_errno err = path_arg(w, fd, rights, ptr, len, &dir, path);
  if (err) return err;
  *parent = wasi_sandbox_parent(dir->host, *path, last, w->walk_only);
  if (*parent < 0) {
    free(*path);
    return from_neg(*parent);
  }
  return E_SUCCESS;
}

/* The one-directory path operations: mkdir, rmdir, unlink, symlink target. */
enum path_op { OP_MKDIR, OP_RMDIR, OP_UNLINK };

static wasi_errno do_path_op(wprof_wasi *w, uint32_t fd, uint32_t ptr, uint32_t len, enum path_op op) {
  static const uint64_t rights[] = {RIGHT_PATH_CREATE_DIRECTORY, RIGHT_PATH_REMOVE_DIRECTORY,
                                    RIGHT_PATH_UNLINK_FILE};
  char *path;
  const char *last;
  int parent;
  wasi_errno err = path_parent(w, fd, rights[op], ptr, len, &path, &parent, &last);
  if (err) return err;
  int r = op == OP_MKDIR ? mkdirat(parent, last, 0777) : unlinkat(parent, last, op == OP_RMDIR ? AT_REMOVEDIR : 0);
  err = r == 0 ? E_SUCCESS : from_errno(errno);
  close(parent);
  free(path);
  return err;
}

static wasi_errno do_path_open(wprof_wasi *w, uint32_t fd, uint32_t dirflags, uint32_t ptr, uint32_t len,
                               uint32_t oflags, uint64_t base, uint64_t inheriting, uint32_t fdflags,
                               uint32_t out) {
  struct fd_entry *dir;
  char *path;
  uint64_t need = RIGHT_PATH_OPEN | (oflags & OFLAG_CREAT ? RIGHT_PATH_CREATE_FILE : 0) |
                  (oflags & OFLAG_TRUNC ? RIGHT_PATH_FILESTAT_SET_SIZE : 0);
  wasi_errno err = path_arg(w, fd, need, ptr, len, &dir, &path);
  if (err) return err;
  if (!in_memory(w, out, 4)) {
    free(path);
    return E_FAULT;
  }
  base &= dir->inheriting;
  inheriting &= dir->inheriting;
  bool rd = base & RIGHTS_NEED_READ, wr = base & RIGHTS_NEED_WRITE;
  int flags = (rd && wr) ? O_RDWR : wr ? O_WRONLY : O_RDONLY;
  flags |= (oflags & OFLAG_CREAT ? O_CREAT : 0) | (oflags & OFLAG_DIRECTORY ? O_DIRECTORY : 0) |
           (oflags & OFLAG_EXCL ? O_EXCL : 0) | (oflags & OFLAG_TRUNC ? O_TRUNC : 0);
  flags |= (fdflags & FDFLAG_APPEND ? O_APPEND : 0) | (fdflags & FDFLAG_DSYNC ? O_DSYNC : 0) |
           (fdflags & FDFLAG_NONBLOCK ? O_NONBLOCK : 0) | (fdflags & FDFLAG_RSYNC ? O_RSYNC : 0) |
           (fdflags & FDFLAG_SYNC ? O_SYNC : 0);
  int host = wasi_sandbox_open(dir->host, path, flags, 0666, dirflags & LOOKUP_SYMLINK_FOLLOW, w->walk_only);
  free(path);
  if (host < 0) return from_neg(host);
  struct stat st;
  if (fstat(host, &st) != 0) {
    err = from_errno(errno);
    close(host);
    return err;
  }
  uint8_t type = filetype_of(st.st_mode);
  uint64_t max_base, max_inheriting;
  type_rights(host, type, &max_base, &max_inheriting);
  base &= max_base;
  if (!rd) base &= ~RIGHTS_NEED_READ;  /* the host fd cannot do more than it was opened for */
  if (!wr) base &= ~RIGHTS_NEED_WRITE;
  int nfd = add_fd(w, host, type, base, inheriting & max_inheriting);
  if (nfd < 0) {
    close(host);
    return E_NOMEM;
  }
  store_u32(w, out, (uint32_t)nfd);
  return E_SUCCESS;
}

static wasi_errno do_path_filestat_get(wprof_wasi *w, uint32_t fd, uint32_t lookup, uint32_t ptr, uint32_t len,
                                       uint32_t out) {
  struct fd_entry *dir;
  char *path;
  wasi_errno err = path_arg(w, fd, RIGHT_PATH_FILESTAT_GET, ptr, len, &dir, &path);
  if (err) return err;
  int target = wasi_sandbox_open(dir->host, path, O_PATH, 0, lookup & LOOKUP_SYMLINK_FOLLOW, w->walk_only);
  free(path);
  if (target < 0) return from_neg(target);
  struct stat st;
  if (fstat(target, &st) != 0) err = from_errno(errno);
  else if (!in_memory(w, out, 64)) err = E_FAULT;
  else store_filestat(w, out, &st);
  close(target);
  return err;
}

static wasi_errno do_path_set_times(wprof_wasi *w, uint32_t fd, uint32_t lookup, uint32_t ptr, uint32_t len,
                                    uint64_t atim, uint64_t mtim, uint32_t fst) {
  struct timespec ts[2];
  char *path;
  const char *last;
  int parent;
  wasi_errno err = to_times(atim, mtim, fst, ts);
  if (err || (err = path_parent(w, fd, RIGHT_PATH_FILESTAT_SET_TIMES, ptr, len, &path, &parent, &last))) return err;
  if (!(lookup & LOOKUP_SYMLINK_FOLLOW)) {
    err = utimensat(parent, last, ts, AT_SYMLINK_NOFOLLOW) == 0 ? E_SUCCESS : from_errno(errno);
  } else {
    /* follow: resolve beneath the sandbox, then set the times of what we found */
    int target = wasi_sandbox_open(w->fds[fd].host, path, O_PATH, 0, true, w->walk_only);
    if (target < 0) {
      err = from_neg(target);
    } else {
      char proc[64];
      snprintf(proc, sizeof proc, "/proc/self/fd/%d", target);
      err = utimensat(AT_FDCWD, proc, ts, 0) == 0 ? E_SUCCESS : from_errno(errno);
      close(target);
    }
  }
  close(parent);
  free(path);
  return err;
}

static wasi_errno do_path_readlink(wprof_wasi *w, uint32_t fd, uint32_t ptr, uint32_t len, uint32_t buf,
                                   uint32_t buf_len, uint32_t out) {
  char *path;
  const char *last;
  int parent;
  wasi_errno err = path_parent(w, fd, RIGHT_PATH_READLINK, ptr, len, &path, &parent, &last);
  if (err) return err;
  char target[PATH_MAX];
  ssize_t n = readlinkat(parent, last, target, sizeof target);
  if (n < 0) err = from_errno(errno);
  else if (!in_memory(w, buf, buf_len) || !in_memory(w, out, 4)) err = E_FAULT;
  else {
    uint32_t copied = (uint64_t)n < buf_len ? (uint32_t)n : buf_len;
    memcpy(at(w, buf), target, copied);
    store_u32(w, out, copied);
  }
  close(parent);
  free(path);
  return err;
}

static wasi_errno do_path_symlink(wprof_wasi *w, uint32_t old_ptr, uint32_t old_len, uint32_t fd, uint32_t ptr,
                                  uint32_t len) {
  char *target, *path;
  const char *last;
  int parent;
  /* The link's contents are not resolved now; following it later is sandboxed. */
  wasi_errno err = guest_path(w, old_ptr, old_len, &target);
  if (err) return err;
  if (!(err = path_parent(w, fd, RIGHT_PATH_SYMLINK, ptr, len, &path, &parent, &last))) {
    err = symlinkat(target, parent, last) == 0 ? E_SUCCESS : from_errno(errno);
    close(parent);
    free(path);
  }
  free(target);
  return err;
}

/* Two-path operations: rename and link. */
static wasi_errno do_path_pair(wprof_wasi *w, uint32_t old_fd, uint32_t old_ptr, uint32_t old_len, uint32_t new_fd,
                               uint32_t new_ptr, uint32_t new_len, bool link, bool follow) {
  char *old_path, *new_path;
  const char *old_last, *new_last;
  int old_parent, new_parent;
  wasi_errno err = path_parent(w, old_fd, link ? RIGHT_PATH_LINK_SOURCE : RIGHT_PATH_RENAME_SOURCE, old_ptr,
                               old_len, &old_path, &old_parent, &old_last);
  if (err) return err;
  err = path_parent(w, new_fd, link ? RIGHT_PATH_LINK_TARGET : RIGHT_PATH_RENAME_TARGET, new_ptr, new_len,
                    &new_path, &new_parent, &new_last);
  if (err) {
    close(old_parent);
    free(old_path);
    return err;
  }
  if (!link) {
    err = renameat(old_parent, old_last, new_parent, new_last) == 0 ? E_SUCCESS : from_errno(errno);
  } else if (!follow) {
    err = linkat(old_parent, old_last, new_parent, new_last, 0) == 0 ? E_SUCCESS : from_errno(errno);
  } else {
    /* follow the source beneath the sandbox, then link what it names */
    int target = wasi_sandbox_open(w->fds[old_fd].host, old_path, O_PATH, 0, true, w->walk_only);
    if (target < 0) {
      err = from_neg(target);
    } else {
      char proc[64];
      snprintf(proc, sizeof proc, "/proc/self/fd/%d", target);
      err = linkat(AT_FDCWD, proc, new_parent, new_last, AT_SYMLINK_FOLLOW) == 0 ? E_SUCCESS : from_errno(errno);
      close(target);
    }
  }
  close(old_parent);
  close(new_parent);
  free(old_path);
  free(new_path);
  return err;
}

/* ---- poll ---- */

enum { SUB_SIZE = 48, EVENT_SIZE = 32, EV_CLOCK = 0, EV_FD_READ = 1, EV_FD_WRITE = 2, SUBCLOCK_ABSTIME = 1 };

static void store_event(wprof_wasi *w, uint32_t p, uint64_t userdata, wasi_errno error, uint8_t type,
                        uint64_t nbytes, uint16_t flags) {
  memset(at(w, p), 0, EVENT_SIZE);
  store_u64(w, p, userdata);
  store_u16(w, p + 8, error);
  at(w, p)[10] = type;
  store_u64(w, p + 16, nbytes);
  store_u16(w, p + 24, flags);
}

/* Clock subscriptions become a timeout; fd subscriptions a poll(2). Ready
** fds are reported; when none is, the clocks that expired are. */
static wasi_errno do_poll(wprof_wasi *w, uint32_t in, uint32_t out, uint32_t nsubs, uint32_t nevents_ptr) {
  if (nsubs == 0) return E_INVAL;
  if (!in_memory(w, in, (uint64_t)nsubs * SUB_SIZE) || !in_memory(w, out, (uint64_t)nsubs * EVENT_SIZE) ||
      !in_memory(w, nevents_ptr, 4))
    return E_FAULT;
  struct pollfd *pfds = calloc(nsubs, sizeof *pfds);
  uint64_t *deadline = calloc(nsubs, sizeof *deadline); /* monotonic ns, of the clock subscriptions */
  if (!pfds || !deadline) {
    free(pfds);
    free(deadline);
    return E_NOMEM;
  }
  uint32_t nevents = 0, npfds = 0;
  uint64_t now = w->virtual_ns, earliest = UINT64_MAX; /* deadlines on the monotonic clock */
  if (!w->deterministic) clock_read(1, false, &now);
  for (uint32_t i = 0; i < nsubs; i++) {
    uint32_t s = in + i * SUB_SIZE;
    uint64_t userdata = load_u64(w, s);
    uint8_t tag = at(w, s)[8];
    pfds[i].fd = -1;
    if (tag == EV_CLOCK) {
      uint32_t id = load_u32(w, s + 16);
      uint64_t timeout = load_u64(w, s + 24), clock_now = 0;
      clockid_t unused;
      wasi_errno e = !w->deterministic ? clock_read(id, false, &clock_now)
                     : host_clock(id, &unused) ? (clock_now = virtual_clock(w, id), E_SUCCESS)
                                               : E_INVAL;
      if (e) {
        store_event(w, out + nevents++ * EVENT_SIZE, userdata, e, EV_CLOCK, 0, 0);
        continue;
      }
      uint64_t rel = (load_u32(w, s + 40) & SUBCLOCK_ABSTIME) ? (timeout > clock_now ? timeout - clock_now : 0) : timeout;
      deadline[i] = now + rel < now ? UINT64_MAX : now + rel;
      if (deadline[i] < earliest) earliest = deadline[i];
    } else if (tag == EV_FD_READ || tag == EV_FD_WRITE) {
      struct fd_entry *e;
      wasi_errno err = get_fd(w, load_u32(w, s + 16), RIGHT_POLL_FD_READWRITE, &e);
      if (err) {
        store_event(w, out + nevents++ * EVENT_SIZE, userdata, err, tag, 0, 0);
        continue;
      }
      pfds[i].fd = e->host;
      pfds[i].events = tag == EV_FD_READ ? POLLIN : POLLOUT;
      npfds++;
    } else {
      store_event(w, out + nevents++ * EVENT_SIZE, userdata, E_INVAL, tag, 0, 0);
    }
  }
  while (nevents == 0) {
    if (!w->deterministic) clock_read(1, false, &now);
    struct timespec ts, *tsp = NULL;
    if (earliest != UINT64_MAX) { /* deterministic: only a look at the fds, the clocks are virtual */
      uint64_t left = earliest > now && !w->deterministic ? earliest - now : 0;
      ts = (struct timespec){.tv_sec = (time_t)(left / 1000000000u), .tv_nsec = (long)(left % 1000000000u)};
      tsp = &ts;
    }
    int r = ppoll(pfds, nsubs, tsp, NULL);
    if (r < 0) {
      if (retry_after_eintr(w)) continue;
      int saved = errno;
      free(pfds);
      free(deadline);
      return from_errno(saved);
    }
    if (!w->deterministic) clock_read(1, false, &now);
    for (uint32_t i = 0; i < nsubs; i++) {
      uint32_t s = in + i * SUB_SIZE;
      uint64_t userdata = load_u64(w, s);
      if (pfds[i].fd >= 0 && pfds[i].revents) {
        int avail = 0;
        uint8_t tag = at(w, s)[8];
        if (tag == EV_FD_READ && ioctl(pfds[i].fd, FIONREAD, &avail) != 0) avail = 0;
        store_event(w, out + nevents++ * EVENT_SIZE, userdata,
                    pfds[i].revents & POLLNVAL ? E_BADF : E_SUCCESS, tag, (uint64_t)(avail > 0 ? avail : 0),
                    pfds[i].revents & POLLHUP ? 1 : 0);
      }
    }
    if (nevents) break;
    if (w->deterministic && earliest > w->virtual_ns) now = w->virtual_ns = earliest; /* the wait, at once */
    for (uint32_t i = 0; i < nsubs; i++)
      if (at(w, in + i * SUB_SIZE)[8] == EV_CLOCK && deadline[i] <= now)
        store_event(w, out + nevents++ * EVENT_SIZE, load_u64(w, in + i * SUB_SIZE), E_SUCCESS, EV_CLOCK, 0, 0);
  }
  free(pfds);
  free(deadline);
  store_u32(w, nevents_ptr, nevents);
  return E_SUCCESS;
}

/* ---- random_get ---- */

/* splitmix64 (Steele, Lea and Flood), the --deterministic random_get. */
static uint64_t splitmix64(uint64_t *state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15u);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
  return z ^ (z >> 31);
}

static wasi_errno do_random(wprof_wasi *w, uint32_t buf, uint32_t len) {
  if (!in_memory(w, buf, len)) return E_FAULT;
  if (w->deterministic) {
    for (uint32_t done = 0; done < len; done += 8) {
      uint64_t r = splitmix64(&w->random_state);
      for (uint32_t i = 0; i < 8 && done + i < len; i++) at(w, buf + done)[i] = (uint8_t)(r >> (8 * i));
    }
    return E_SUCCESS;
  }
  for (uint32_t done = 0; done < len;) {
    ssize_t n = getrandom(at(w, buf + done), len - done, 0);
    if (n < 0) {
      if (retry_after_eintr(w)) continue;
      return from_errno(errno);
    }
    done += (uint32_t)n;
  }
  return E_SUCCESS;
}
/* ---- the imports, generated from the list of wasi-functions.h ---- */

#define IMPORT(name) Z_wasi_snapshot_preview1Z_##name
typedef uint32_t u32;
typedef uint64_t u64;
#define PARAM_DECL_U32(p) u32 p
#define PARAM_DECL_U64(p) u64 p
#define PARAM_TYPE_U32(p) i32
#define PARAM_TYPE_U64(p) i64
#define LIST(...) __VA_ARGS__
#define STRING(...) #__VA_ARGS__
#define TYPES(...) STRING(__VA_ARGS__)

#define DEFINE_CALL(name, params, expr)              \
  u32 IMPORT(name)(wprof_wasi *w, LIST params) {     \
    call_begin(w);                                   \
    return call_end(w, expr);                        \
  }
#define DEFINE_CALL0(name, expr)                     \
  u32 IMPORT(name)(wprof_wasi *w) {                  \
    call_begin(w);                                   \
    return call_end(w, expr);                        \
  }
#define DECLARE_NORETURN(name, params) void IMPORT(name)(wprof_wasi *w, LIST params);
WPROF_WASI_FUNCTIONS(DEFINE_CALL, DEFINE_CALL0, DECLARE_NORETURN, PARAM_DECL_U32, PARAM_DECL_U64)

void IMPORT(proc_exit)(wprof_wasi *w, u32 code) {
  w->exit_code = code;
  leave_guest(w, WPROF_WASI_JMP_EXIT);
}

/* The names and wasm types of the imports, as an embedder compares them
** with a module's. */
#define TYPE_ROW(name, params, expr) {#name, "i32", TYPES params},
#define TYPE_ROW0(name, expr) {#name, "i32", ""},
#define TYPE_ROW_NORETURN(name, params) {#name, "", TYPES params},
const struct wprof_import_type wprof_wasi_functions[] = {
    WPROF_WASI_FUNCTIONS(TYPE_ROW, TYPE_ROW0, TYPE_ROW_NORETURN, PARAM_TYPE_U32, PARAM_TYPE_U64)
    {NULL, NULL, NULL},
};
