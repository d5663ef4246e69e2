/* raw: WASI calls with bad pointers, bad descriptors and missing rights,
** plus clocks, random and poll_oneoff; prints the errno of each (0 = ok).
** Run with one preopened directory (fd 3) holding a file "f" of 5 bytes. */
#include <stdio.h>
#include <string.h>
#include <wasi/api.h>

/* gone from wasi-libc's headers, still in preview1 */
__attribute__((import_module("wasi_snapshot_preview1"), import_name("proc_raise"))) int32_t raw_proc_raise(int32_t sig);
/* path_open with an explicit path length (the libc wrapper takes strlen) */
__attribute__((import_module("wasi_snapshot_preview1"), import_name("path_open"))) int32_t
raw_path_open(int32_t fd, int32_t dirflags, int32_t path, int32_t path_len, int32_t oflags, int64_t base,
              int64_t inheriting, int32_t fdflags, int32_t out);

#define TRY(label, expr) printf("%-30s %d\n", label, (int)(expr))

int main(void) {
  /* the last 2 bytes of memory, and past it */
  uintptr_t end = __builtin_wasm_memory_size(0) * 65536;
  void *edge = (void *)(end - 2), *past = (void *)end;
  __wasi_size_t n;
  __wasi_ciovec_t iov = {(const uint8_t *)"hi\n", 3}, bad_iov = {(const uint8_t *)edge, 8};
  TRY("fd_write iovs past memory", __wasi_fd_write(1, (const __wasi_ciovec_t *)past, 1, &n));
  TRY("fd_write buffer past memory", __wasi_fd_write(1, &bad_iov, 1, &n));
  TRY("fd_write result past memory", __wasi_fd_write(1, &iov, 1, (__wasi_size_t *)edge));
  TRY("fd_write bad fd", __wasi_fd_write(99, &iov, 1, &n));
  TRY("args_sizes_get past memory", __wasi_args_sizes_get((__wasi_size_t *)edge, &n));
  __wasi_timestamp_t t0, t1, res;
  TRY("clock_time_get bad clock", __wasi_clock_time_get(99, 1, &t0));
  TRY("clock_time_get past memory", __wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, (__wasi_timestamp_t *)edge));
  TRY("clock_res_get monotonic", __wasi_clock_res_get(__WASI_CLOCKID_MONOTONIC, &res));
  printf("resolution positive %d\n", res > 0);
  TRY("clock process cputime", __wasi_clock_time_get(__WASI_CLOCKID_PROCESS_CPUTIME_ID, 1, &t0));
  TRY("clock thread cputime", __wasi_clock_time_get(__WASI_CLOCKID_THREAD_CPUTIME_ID, 1, &t0));
  TRY("clock realtime", __wasi_clock_time_get(__WASI_CLOCKID_REALTIME, 1, &t0));
  printf("realtime after 2020 %d\n", t0 > 1577836800ull * 1000000000ull);
  uint8_t rnd[32] = {0};
  TRY("random_get", __wasi_random_get(rnd, sizeof rnd));
  int nonzero = 0;
  for (int i = 0; i < 32; i++) nonzero |= rnd[i];
  printf("random not all zero %d\n", nonzero != 0);
  TRY("random_get past memory", __wasi_random_get((uint8_t *)edge, 8));
  __wasi_subscription_t sub;
  __wasi_event_t ev;
  memset(&sub, 0, sizeof sub);
  sub.userdata = 77;
  sub.u.tag = __WASI_EVENTTYPE_CLOCK;
  sub.u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
  sub.u.u.clock.timeout = 20000000; /* 20 ms */
  (void)__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &t0);
  TRY("poll_oneoff sleep", __wasi_poll_oneoff(&sub, &ev, 1, &n));
  (void)__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &t1);
  printf("events %u userdata %llu type %d slept >= 20ms %d\n", (unsigned)n, (unsigned long long)ev.userdata,
         ev.type, t1 - t0 >= 20000000);
  TRY("poll_oneoff no subscriptions", __wasi_poll_oneoff(&sub, &ev, 0, &n));
  TRY("poll_oneoff past memory", __wasi_poll_oneoff((const __wasi_subscription_t *)edge, &ev, 1, &n));
  TRY("fd_prestat_get stdin", ({ __wasi_prestat_t p; __wasi_fd_prestat_get(0, &p); }));
  char name[4];
  TRY("prestat_dir_name too short", __wasi_fd_prestat_dir_name(3, (uint8_t *)name, 2));
  TRY("proc_raise", raw_proc_raise(15));
  TRY("sock_shutdown", __wasi_sock_shutdown(0, __WASI_SDFLAGS_RD));
  __wasi_fd_t fd;
  TRY("path_open path past memory", raw_path_open(3, 0, (int32_t)(uintptr_t)edge, 8, 0, 0, 0, 0, (int32_t)(uintptr_t)&fd));
  TRY("open f read-only", __wasi_path_open(3, 0, "f", 0, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK, 0, 0, &fd));
  TRY("write to it", __wasi_fd_write(fd, &iov, 1, &n));
  TRY("raise its rights", __wasi_fd_fdstat_set_rights(fd, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE, 0));
  TRY("drop FD_READ", __wasi_fd_fdstat_set_rights(fd, __WASI_RIGHTS_FD_SEEK, 0));
  uint8_t b[8];
  __wasi_iovec_t riov = {b, sizeof b};
  TRY("read without FD_READ", __wasi_fd_read(fd, &riov, 1, &n));
  __wasi_fdstat_t fs;
  TRY("fdstat_get", __wasi_fd_fdstat_get(fd, &fs));
  printf("filetype %d rights %llu\n", fs.fs_filetype, (unsigned long long)fs.fs_rights_base);
  TRY("renumber to closed fd", __wasi_fd_renumber(fd, 50));
  TRY("close", __wasi_fd_close(fd));
  TRY("close again", __wasi_fd_close(fd));
  uint8_t dirbuf[10];
  TRY("readdir small buffer", __wasi_fd_readdir(3, dirbuf, sizeof dirbuf, 0, &n));
  printf("bufused %u\n", (unsigned)n);
  TRY("readdir on a file", __wasi_fd_readdir(0, dirbuf, sizeof dirbuf, 0, &n));
  TRY("seek bad whence", ({ __wasi_filesize_t p; __wasi_fd_seek(3, 0, 7, &p); }));
  return 0;
}
