/*
** Cost of one clock read on this machine, for bench/realistic/run.sh (not a
** test): the per-event budget of the probes is "one clock read + 5 ns", and
** libwprof reads the clock with __rdtsc() (clock 'tsc') or, without an
** invariant TSC, clock_gettime(CLOCK_MONOTONIC). Back-to-back reads in a
** loop, timed by this thread's CPU time (the machine is shared) and by wall
** time.
**   clock-read [READS=50000000]
*/
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <x86intrin.h>

static double now(clockid_t clock) {
  struct timespec ts;
  clock_gettime(clock, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static uint64_t read_tsc(void) { return __rdtsc(); }

static uint64_t read_monotonic(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Prints the ns per call of read() over `reads` calls; the sum of the values
** read is printed too so that the loop cannot be optimised away. Always
** inlined, so that read() is inlined into the loop as in a probe. */
static inline __attribute__((always_inline)) void measure(const char *label, uint64_t (*read)(void), long reads) {
  double cpu0 = now(CLOCK_THREAD_CPUTIME_ID), wall0 = now(CLOCK_MONOTONIC);
  uint64_t sum = 0;
  for (long i = 0; i < reads; i++) sum += read();
  double cpu = now(CLOCK_THREAD_CPUTIME_ID) - cpu0, wall = now(CLOCK_MONOTONIC) - wall0;
  printf("%-24s %6.2f ns/read CPU  %6.2f ns/read wall  (%ld reads, checksum %u)\n", label, cpu / (double)reads,
         wall / (double)reads, reads, (unsigned)(sum & 0xff));
}

int main(int argc, char **argv) {
  long reads = argc > 1 ? atol(argv[1]) : 50000000;
  if (reads <= 0) {
    fprintf(stderr, "usage: clock-read [READS > 0]\n");
    return 2;
  }
  measure("__rdtsc()", read_tsc, reads);
  measure("clock_gettime(MONOTONIC)", read_monotonic, reads);
  return 0;
}
