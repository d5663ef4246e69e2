/*
** sample-cost: what one sample of sampled time costs the sampled thread on
** this machine (not a test). A CPU-bound loop runs three ways: alone; with a
** POSIX timer on CLOCK_MONOTONIC sending this thread a signal every
** INTERVAL_NS (libwprof's sampler, with an empty handler); and with a second
** thread that wakes every INTERVAL_NS instead (the design that leaves the
** loop's thread alone). Prints each way's wall and CPU seconds and the cost
** per signal or wake-up.
**   cc -O2 -pthread bench/realistic/sample-cost.c -o sample-cost && ./sample-cost [INTERVAL_NS]
*/
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static volatile unsigned long events;
static volatile int stop;
static long interval_ns;

static void on_signal(int sig) {
  (void)sig;
  events++;
}

static void *waker(void *arg) {
  (void)arg;
  struct timespec every = {0, interval_ns};
  while (!stop) {
    clock_nanosleep(CLOCK_MONOTONIC, 0, &every, NULL);
    events++;
  }
  return NULL;
}

static double seconds(clockid_t clock) {
  struct timespec ts;
  clock_gettime(clock, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double process_cpu(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
}

/* The loop, timed; returns its thread's CPU seconds. */
static double loop(const char *label, double *base) {
  events = 0;
  double wall = seconds(CLOCK_MONOTONIC), cpu = seconds(CLOCK_THREAD_CPUTIME_ID), all = process_cpu();
  volatile unsigned long x = 1;
  for (long i = 0; i < 400000000; i++) x = x * 3 + 1;
  wall = seconds(CLOCK_MONOTONIC) - wall;
  cpu = seconds(CLOCK_THREAD_CPUTIME_ID) - cpu;
  all = process_cpu() - all;
  unsigned long n = events;
  printf("%-8s wall %.3f s, loop thread CPU %.3f s, process CPU %.3f s, %lu events", label, wall, cpu, all, n);
  if (base && n) printf(", %.1f us of loop-thread CPU and %.1f us of process CPU per event", (cpu - *base) / n * 1e6,
                        (all - *base) / n * 1e6);
  printf("\n");
  return cpu;
}

int main(int argc, char **argv) {
  interval_ns = argc > 1 ? atol(argv[1]) : 100000;
  if (interval_ns < 1000 || interval_ns >= 1000000000) {
    fprintf(stderr, "sample-cost: INTERVAL_NS from 1000 to 999999999\n");
    return 2;
  }
  double base = loop("alone", NULL);

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sa.sa_flags = SA_RESTART;
  sigaction(SIGPROF, &sa, NULL);
  struct sigevent sev;
  memset(&sev, 0, sizeof sev);
  sev.sigev_notify = SIGEV_THREAD_ID;
  sev.sigev_signo = SIGPROF;
  sev._sigev_un._tid = gettid();
  timer_t timer;
  struct itimerspec spec = {{0, interval_ns}, {0, interval_ns}};
  if (timer_create(CLOCK_MONOTONIC, &sev, &timer) != 0 || timer_settime(timer, 0, &spec, NULL) != 0) {
    perror("timer");
    return 1;
  }
  loop("signal", &base);
  timer_delete(timer);

  pthread_t thread;
  pthread_create(&thread, NULL, waker, NULL);
  loop("thread", &base);
  stop = 1;
  pthread_join(thread, NULL);
  return 0;
}
