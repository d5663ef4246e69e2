/*
** Microbenchmark of the libwprof hot path and trace writer (not a test):
** ns per enter+exit pair with each clock (TSC, clock_gettime, none), for a
** callee that repeats (the parent's cached child) and for callees that
** alternate (the child table), and rows per second the --trace writer
** sustains into SQLite; with an allocation trace, ns per allocation event
** replayed through the heap probes (bench/libwprof/README.md makes one from
** SQLite's). Build type RelWithDebInfo (-O2).
**   wprof_bench_probes [SCRATCH_DIR] [PAIRS] [ALLOC_EVENTS]
*/
#include "wprof-internal.h"

#include <stdio.h>
#include <stdlib.h>

/* The machine is shared: CPU time of this thread (probes) or process (trace)
** is what the code costs; wall time is shown next to it for the trace. */
static double seconds(clockid_t clock) {
  struct timespec ts;
  clock_gettime(clock, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static wprof_recorder *open_run(const char *dir, const char *name, bool timing, bool trace, int clock) {
  static char path[1024];
  snprintf(path, sizeof path, "%s/bench-%s.db", dir, name);
  struct wprof_run_options opts = {.db_path = path, .module_path = "bench", .host = "bench",
                                   .timing = timing ? WPROF_TIMING_EXACT : WPROF_TIMING_NONE, .trace = trace};
  struct wprof_hooks hooks = {.force_clock = clock};
  char err[256];
  wprof_recorder *rec = wprof__open_with_hooks(&opts, &hooks, err, sizeof err);
  if (!rec) {
    fprintf(stderr, "wprof_open: %s\n", err);
    exit(1);
  }
  return rec;
}

static void finish_run(wprof_recorder *rec) {
  char err[256];
  if (wprof_finish(rec, WPROF_EXITED, 0, NULL, err, sizeof err) != 0) {
    fprintf(stderr, "wprof_finish: %s\n", err);
    exit(1);
  }
  wprof_close(rec);
}

/* ns per enter+exit pair: main calls `callees` functions in turn, `pairs` times. */
static double pair_ns(wprof_thread *t, long pairs, uint32_t callees) {
  wprof_probe_enter(t, 0);
  double start = seconds(CLOCK_THREAD_CPUTIME_ID);
  for (long i = 0; i < pairs; i++) {
    uint32_t fid = 1 + (uint32_t)i % callees;
    wprof_probe_enter(t, fid);
    wprof_probe_exit(t, fid);
  }
  double elapsed = seconds(CLOCK_THREAD_CPUTIME_ID) - start;
  wprof_probe_exit(t, 0);
  return elapsed * 1e9 / (double)pairs;
}

/* ns per clock read alone, through the probes' own reader. */
static double read_ns(int clock, long reads) {
  wprof_thread probe = {.clock = (uint8_t)clock};
  uint64_t sink = 0;
  double start = seconds(CLOCK_THREAD_CPUTIME_ID);
  for (long i = 0; i < reads; i++) sink += wprof__now(&probe);
  double elapsed = seconds(CLOCK_THREAD_CPUTIME_ID) - start;
  return sink ? elapsed * 1e9 / (double)reads : 0;
}

static void bench_clock(const char *dir, const char *label, bool timing, int clock, long pairs) {
  wprof_recorder *rec = open_run(dir, label, timing, false, clock);
  wprof_thread *t = wprof_thread_attach(rec);
  pair_ns(t, pairs / 10, 1); /* warm up */
  double same = pair_ns(t, pairs, 1), alternating = pair_ns(t, pairs, 4);
  printf("%-14s  %6.2f ns/pair (%5.2f ns/event) same callee   %6.2f ns/pair alternating 4 callees;"
         " clock read alone %5.2f ns\n",
         label, same, same / 2, alternating, timing ? read_ns(clock, pairs) : 0.0);
  finish_run(rec);
}

/* Benchmark only: the guest waits while the writer's queue is nearly full,
** so that nothing is lost and the writer's sustained rate is measured. */
static void wait_for_writer(wprof_thread *t) {
  struct wprof_trace *tr = &t->rec->trace;
  if (t->call_cur != t->call_end) return;
  for (;;) {
    pthread_mutex_lock(&tr->lock);
    bool room = tr->queued + 1 < tr->queue_cap;
    pthread_mutex_unlock(&tr->lock);
    if (room) return;
    nanosleep(&(struct timespec){0, 100000}, NULL);
  }
}

static long fib_calls(wprof_thread *t, int n) {
  wait_for_writer(t);
  wprof_probe_enter(t, 1);
  long calls = 1;
  if (n >= 2) calls += fib_calls(t, n - 1) + fib_calls(t, n - 2);
  wait_for_writer(t);
  wprof_probe_exit(t, 1);
  return calls;
}

/* Rows per second from the first call to the database renamed: flat calls
** (rows arrive in id order) or fib(25) trees (rows arrive in exit order,
** ids in entry order). */
static void bench_trace(const char *dir, bool tree, long min_calls) {
  wprof_recorder *rec = open_run(dir, tree ? "trace-tree" : "trace-flat", true, true, 0);
  wprof_thread *t = wprof_thread_attach(rec);
  double start = seconds(CLOCK_MONOTONIC), cpu_start = seconds(CLOCK_PROCESS_CPUTIME_ID);
  long calls = 1;
  wprof_probe_enter(t, 0);
  while (calls < min_calls) {
    if (tree) {
      calls += fib_calls(t, 25);
    } else {
      wait_for_writer(t);
      uint32_t fid = 1 + (uint32_t)calls % 3;
      wprof_probe_enter(t, fid);
      wprof_probe_exit(t, fid);
      calls++;
    }
  }
  wprof_probe_exit(t, 0);
  uint64_t lost = rec->trace.lost;
  finish_run(rec);
  double wall = seconds(CLOCK_MONOTONIC) - start, cpu = seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu_start;
  printf("trace %-5s  %ld calls written in %.2f s wall = %.2f M rows/s; %.2f s CPU (guest + writer) = %.2f M rows/s;"
         " lost %llu\n",
         tree ? "tree" : "flat", calls, wall, (double)calls / wall / 1e6, cpu, (double)calls / cpu / 1e6,
         (unsigned long long)lost);
}

struct alloc_event {
  char kind;  /* 'a', 'f', 'r' */
  uint32_t ptr, old, size;
};

/* Lines "alloc|free|realloc PTR OLD SIZE", as alloc_events gives them. */
static struct alloc_event *read_alloc_events(const char *path, size_t *count) {
  FILE *f = fopen(path, "r");
  if (!f) {
    perror(path);
    exit(1);
  }
  size_t cap = 1 << 16, n = 0;
  struct alloc_event *ev = malloc(cap * sizeof *ev);
  char kind[16];
  unsigned long ptr, old, size;
  while (ev && fscanf(f, "%15s %lu %lu %lu", kind, &ptr, &old, &size) == 4) {
    if (n == cap) ev = realloc(ev, (cap *= 2) * sizeof *ev);
    if (ev) ev[n++] = (struct alloc_event){kind[0], (uint32_t)ptr, (uint32_t)old, (uint32_t)size};
  }
  fclose(f);
  if (!ev || n == 0) {
    fprintf(stderr, "%s: no allocation events\n", path);
    exit(1);
  }
  *count = n;
  return ev;
}

/* ns per allocation event, the whole trace replayed in one call path. */
static void bench_alloc_replay(const char *dir, const char *path) {
  size_t n;
  struct alloc_event *ev = read_alloc_events(path, &n);
  for (int round = 0; round < 3; round++) {
    wprof_recorder *rec = open_run(dir, "alloc-replay", false, false, 0);
    wprof_thread *t = wprof_thread_attach(rec);
    wprof_probe_enter(t, 0);
    double start = seconds(CLOCK_THREAD_CPUTIME_ID);
    for (size_t i = 0; i < n; i++) {
      if (ev[i].kind == 'a') wprof_probe_alloc(t, ev[i].ptr, ev[i].size);
      else if (ev[i].kind == 'f') wprof_probe_free(t, ev[i].ptr);
      else wprof_probe_realloc(t, ev[i].old, ev[i].ptr, ev[i].size);
    }
    double elapsed = seconds(CLOCK_THREAD_CPUTIME_ID) - start;
    wprof_probe_exit(t, 0);
    printf("alloc replay   %zu events: %6.1f ns/event\n", n, elapsed * 1e9 / (double)n);
    finish_run(rec);
  }
  free(ev);
}

int main(int argc, char **argv) {
  const char *dir = argc > 1 ? argv[1] : ".";
  long pairs = argc > 2 ? atol(argv[2]) : 20000000;
  if (argc > 3) {
    bench_alloc_replay(dir, argv[3]);
    return 0;
  }
  bench_clock(dir, "no timing", false, 0, pairs);
  bench_clock(dir, "clock_gettime", true, WPROF_CLOCK_MONOTONIC, pairs);
  if (wprof__clock_detect() == WPROF_CLOCK_TSC) bench_clock(dir, "tsc", true, WPROF_CLOCK_TSC, pairs);
  bench_trace(dir, false, 10000000);
  bench_trace(dir, true, 10000000);
  return 0;
}
