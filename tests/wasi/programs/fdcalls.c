/* fdcalls: the WASI calls no other program makes, one per run: argv[1] names
** it (fd_sync, fd_datasync, fd_fdstat_set_flags, fd_filestat_set_times,
** fd_advise, fd_allocate, sched_yield, proc_raise). Prints the errno of each
** attempt (0 = success) and what the call changed as the guest reads it back;
** wasi-tests.sh compares this with the errno values of the WASI spec and
** checks the host's side (the file's bytes, size and times by stat).
** Run with one preopened directory (fd 3) holding "f", the 5 bytes "hello". */
#include <stdio.h>
#include <string.h>
#include <wasi/api.h>

/* gone from wasi-libc's headers, still in preview1 */
__attribute__((import_module("wasi_snapshot_preview1"), import_name("proc_raise"))) int32_t raw_proc_raise(int32_t sig);

#define TRY(label, expr) printf("%-36s %d\n", label, (int)(expr))

#define FILE_RIGHTS                                                                                         \
  (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_TELL |           \
   __WASI_RIGHTS_FD_SYNC | __WASI_RIGHTS_FD_DATASYNC | __WASI_RIGHTS_FD_FDSTAT_SET_FLAGS |                    \
   __WASI_RIGHTS_FD_ADVISE | __WASI_RIGHTS_FD_ALLOCATE | __WASI_RIGHTS_FD_FILESTAT_GET |                      \
   __WASI_RIGHTS_FD_FILESTAT_SET_TIMES)

static const __wasi_fd_t CLOSED = 99;

/* "f" with the given rights (read-write when FD_WRITE is among them). */
static __wasi_fd_t open_f(__wasi_rights_t rights) {
  __wasi_fd_t fd;
  __wasi_errno_t e = __wasi_path_open(3, 0, "f", 0, rights, 0, 0, &fd);
  if (e) {
    printf("cannot open f: %d\n", e);
    __wasi_proc_exit(1);
  }
  return fd;
}

/* A descriptor of "f" without the right the call needs: read only. */
static __wasi_fd_t open_f_read_only(void) { return open_f(__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_FILESTAT_GET); }

static __wasi_filestat_t filestat(__wasi_fd_t fd) {
  __wasi_filestat_t st;
  memset(&st, 0, sizeof st);
  __wasi_errno_t e = __wasi_fd_filestat_get(fd, &st);
  if (e) printf("fd_filestat_get %d\n", e);
  return st;
}

static uint16_t fd_flags(__wasi_fd_t fd) {
  __wasi_fdstat_t fs;
  __wasi_errno_t e = __wasi_fd_fdstat_get(fd, &fs);
  if (e) printf("fd_fdstat_get %d\n", e);
  return e ? 0xffff : fs.fs_flags;
}

static void write_at_cursor(__wasi_fd_t fd, const char *s) {
  __wasi_ciovec_t iov = {(const uint8_t *)s, strlen(s)};
  __wasi_size_t n;
  __wasi_filesize_t pos;
  __wasi_errno_t e = __wasi_fd_write(fd, &iov, 1, &n);
  if (e || n != strlen(s)) printf("fd_write %d (%u bytes)\n", e, (unsigned)n);
  if ((e = __wasi_fd_tell(fd, &pos))) printf("fd_tell %d\n", e);
  printf("wrote '%s', cursor now %llu\n", s, (unsigned long long)pos);
}

static void rewind_fd(__wasi_fd_t fd) {
  __wasi_filesize_t pos;
  __wasi_errno_t e = __wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos);
  if (e) printf("fd_seek %d\n", e);
}

static void first_bytes(__wasi_fd_t fd) {
  char buf[6] = {0};
  __wasi_iovec_t iov = {(uint8_t *)buf, 5};
  __wasi_size_t n;
  __wasi_errno_t e = __wasi_fd_pread(fd, &iov, 1, 0, &n);
  printf("first bytes '%s' (%d)\n", buf, e);
}

static void sync_calls(__wasi_errno_t (*call)(__wasi_fd_t)) {
  __wasi_fd_t fd = open_f(FILE_RIGHTS);
  write_at_cursor(fd, "SYNC");
  TRY("file", call(fd));
  TRY("without the right", call(open_f_read_only()));
  TRY("closed fd", call(CLOSED));
}

static void set_flags(void) {
  __wasi_fd_t fd = open_f(FILE_RIGHTS);
  TRY("APPEND", __wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_APPEND));
  printf("flags %u\n", fd_flags(fd));
  rewind_fd(fd);
  write_at_cursor(fd, "abc");
  TRY("none", __wasi_fd_fdstat_set_flags(fd, 0));
  printf("flags %u\n", fd_flags(fd));
  rewind_fd(fd);
  write_at_cursor(fd, "J");
  TRY("NONBLOCK", __wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_NONBLOCK));
  printf("flags %u\n", fd_flags(fd));
  TRY("APPEND|NONBLOCK", __wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_APPEND | __WASI_FDFLAGS_NONBLOCK));
  printf("flags %u\n", fd_flags(fd));
  TRY("SYNC", __wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_SYNC));
  TRY("an unknown flag (32)", __wasi_fd_fdstat_set_flags(fd, 32));
  printf("flags %u\n", fd_flags(fd));
  TRY("without the right", __wasi_fd_fdstat_set_flags(open_f_read_only(), __WASI_FDFLAGS_APPEND));
  TRY("closed fd", __wasi_fd_fdstat_set_flags(CLOSED, 0));
}

static void set_times(void) {
  __wasi_fd_t fd = open_f(FILE_RIGHTS);
  const __wasi_timestamp_t atim = 1234567890123456789ull, mtim = 1111111111222222222ull;
  TRY("ATIM|MTIM", __wasi_fd_filestat_set_times(fd, atim, mtim, __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM));
  __wasi_filestat_t st = filestat(fd);
  printf("atim %llu mtim %llu\n", (unsigned long long)st.atim, (unsigned long long)st.mtim);
  __wasi_timestamp_t before, after;
  if (__wasi_clock_time_get(__WASI_CLOCKID_REALTIME, 1, &before)) puts("clock_time_get failed");
  TRY("MTIM_NOW", __wasi_fd_filestat_set_times(fd, 0, 0, __WASI_FSTFLAGS_MTIM_NOW));
  if (__wasi_clock_time_get(__WASI_CLOCKID_REALTIME, 1, &after)) puts("clock_time_get failed");
  st = filestat(fd);
  /* the file system's clock is coarser than the realtime clock: a tick of slack */
  printf("atim %llu mtim within the call %d\n", (unsigned long long)st.atim,
         st.mtim + 20000000 >= before && st.mtim <= after);
  TRY("ATIM with ATIM_NOW", __wasi_fd_filestat_set_times(fd, 1, 0, __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_ATIM_NOW));
  TRY("MTIM with MTIM_NOW", __wasi_fd_filestat_set_times(fd, 0, 1, __WASI_FSTFLAGS_MTIM | __WASI_FSTFLAGS_MTIM_NOW));
  TRY("an unknown flag (16)", __wasi_fd_filestat_set_times(fd, 0, 0, 16));
  TRY("without the right", __wasi_fd_filestat_set_times(open_f_read_only(), 0, 0, __WASI_FSTFLAGS_MTIM_NOW));
  TRY("closed fd", __wasi_fd_filestat_set_times(CLOSED, 0, 0, __WASI_FSTFLAGS_MTIM_NOW));
}

static void advise(void) {
  static const char *names[] = {"NORMAL", "SEQUENTIAL", "RANDOM", "WILLNEED", "DONTNEED", "NOREUSE"};
  __wasi_fd_t fd = open_f(FILE_RIGHTS);
  for (int a = 0; a < 6; a++) TRY(names[a], __wasi_fd_advise(fd, 0, 5, (__wasi_advice_t)a));
  TRY("NORMAL to the end (len 0)", __wasi_fd_advise(fd, 0, 0, __WASI_ADVICE_NORMAL));
  TRY("an unknown advice (6)", __wasi_fd_advise(fd, 0, 5, 6));
  TRY("without the right", __wasi_fd_advise(open_f_read_only(), 0, 5, __WASI_ADVICE_NORMAL));
  TRY("closed fd", __wasi_fd_advise(CLOSED, 0, 5, __WASI_ADVICE_NORMAL));
  printf("size %llu\n", (unsigned long long)filestat(fd).size);
  first_bytes(fd);
}

static void allocate(void) {
  __wasi_fd_t fd = open_f(FILE_RIGHTS);
  TRY("0+4096", __wasi_fd_allocate(fd, 0, 4096));
  printf("size %llu\n", (unsigned long long)filestat(fd).size);
  TRY("8192+100", __wasi_fd_allocate(fd, 8192, 100));
  printf("size %llu\n", (unsigned long long)filestat(fd).size);
  TRY("0+10 (inside the file)", __wasi_fd_allocate(fd, 0, 10));
  printf("size %llu\n", (unsigned long long)filestat(fd).size);
  TRY("length 0", __wasi_fd_allocate(fd, 0, 0));
  TRY("offset 2^63", __wasi_fd_allocate(fd, 1ull << 63, 1));
  TRY("without the right", __wasi_fd_allocate(open_f_read_only(), 0, 4096));
  TRY("closed fd", __wasi_fd_allocate(CLOSED, 0, 4096));
  printf("size %llu\n", (unsigned long long)filestat(fd).size);
  first_bytes(fd);
}

static void yield(void) {
  int failed = 0;
  for (int i = 0; i < 1000; i++) failed += __wasi_sched_yield() != 0;
  printf("1000 calls, %d failed\n", failed);
  TRY("sched_yield", __wasi_sched_yield());
}

/* preview1's signal numbers (gone from wasi-libc's headers with proc_raise) */
static int raise_signals(void) {
  TRY("SIGTERM (15)", raw_proc_raise(15));
  TRY("SIGKILL (9)", raw_proc_raise(9));
  TRY("SIGABRT (6)", raw_proc_raise(6));
  TRY("no signal (0)", raw_proc_raise(0));
  puts("still running");
  return 7;
}

int main(int argc, char **argv) {
  const char *call = argc > 1 ? argv[1] : "";
  if (strcmp(call, "fd_sync") == 0) sync_calls(__wasi_fd_sync);
  else if (strcmp(call, "fd_datasync") == 0) sync_calls(__wasi_fd_datasync);
  else if (strcmp(call, "fd_fdstat_set_flags") == 0) set_flags();
  else if (strcmp(call, "fd_filestat_set_times") == 0) set_times();
  else if (strcmp(call, "fd_advise") == 0) advise();
  else if (strcmp(call, "fd_allocate") == 0) allocate();
  else if (strcmp(call, "sched_yield") == 0) yield();
  else if (strcmp(call, "proc_raise") == 0) return raise_signals();
  else {
    printf("unknown call '%s'\n", call);
    return 2;
  }
  return 0;
}
