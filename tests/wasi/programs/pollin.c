/* pollin: poll_oneoff on stdin (fd_read) together with a 2 s clock; prints
** the one event that fires first. With data on stdin: the fd event, with
** the byte count; with a silent stdin: the clock event after 2 s. */
#include <stdio.h>
#include <string.h>
#include <wasi/api.h>

int main(void) {
  __wasi_subscription_t subs[2];
  memset(subs, 0, sizeof subs);
  subs[0].userdata = 1;
  subs[0].u.tag = __WASI_EVENTTYPE_FD_READ;
  subs[0].u.u.fd_read.file_descriptor = 0;
  subs[1].userdata = 2;
  subs[1].u.tag = __WASI_EVENTTYPE_CLOCK;
  subs[1].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
  subs[1].u.u.clock.timeout = 2000000000ull;
  __wasi_event_t ev[2];
  __wasi_size_t n;
  int r = __wasi_poll_oneoff(subs, ev, 2, &n);
  printf("poll %d events %u userdata %llu type %d error %d nbytes %llu\n", r, (unsigned)n,
         (unsigned long long)ev[0].userdata, ev[0].type, ev[0].error, (unsigned long long)ev[0].fd_readwrite.nbytes);
  return 0;
}
