/*
** libwprof sampled time: a POSIX timer on CLOCK_MONOTONIC per sampled guest
** thread sends that very thread SIGPROF every sample interval, and the
** handler, running on the guest thread between two of its instructions,
** credits one sample to the call path on top of the shadow stack. Counts stay
** exact (the probes keep their clock-free fast paths); time is samples times
** the interval, in the spirit of perf's cpu-clock, but over exact call paths.
**
** Why a signal on the guest thread and not a sampler thread reading shared
** state: the handler sees the shadow stack in program order (the probes need
** only compiler fences, no atomic instructions), and it gets the interrupted
** instruction pointer, so samples that land in the probes' own code
** (WPROF_PROBE_CODE, or probe code inlined into the guest's, which flags
** itself in wprof_probe_state.in_probe) are told apart and reported as the
** profiler's cost.
**
** The path a sample goes to is the top one, except where the host said
** which function's native code the interrupted instruction belongs to
** (wprof_set_code_ranges): the instructions of a call's prologue, before
** its enter probe, and of its epilogue, after its exit, run while the
** caller's path is on top, yet they are the callee's, as perf counts them;
** on SQLite they are a tenth of the run's instructions, given to callers.
**
** A thread that waits for the CPU gets one sample when it runs again (the
** timer's overruns are not counted): missed ticks of a preempted guest do not
** inflate its time. A thread blocked in a host call is woken by each signal
** and sampled there, so its blocked time goes to the calling path.
*/
#define _GNU_SOURCE
#include "wprof-internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>

extern const char __start_wprof_probe_text[] __attribute__((weak));
extern const char __stop_wprof_probe_text[] __attribute__((weak));

/* The thread the signal interrupted, if it is being sampled. */
static _Thread_local wprof_thread *volatile sampled_thread;

static pthread_once_t handler_once = PTHREAD_ONCE_INIT;
static int handler_error;

static uintptr_t interrupted_ip(const void *context) {
  const ucontext_t *uc = context;
#if defined(__x86_64__)
  return (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
#elif defined(__aarch64__)
  return (uintptr_t)uc->uc_mcontext.pc;
#else
  (void)uc;
  return 0; /* no instruction pointer: every sample goes to a path */
#endif
}

static bool in_probe_code(uintptr_t ip) {
  uintptr_t start = (uintptr_t)__start_wprof_probe_text, stop = (uintptr_t)__stop_wprof_probe_text;
  return ip - start < stop - start;
}

/* How many callers up the inlined copies of a function's callees may be
** nested in its code: past that, its prologue is taken for a callee's. */
#define INLINE_DEPTH 8

static int compare_range_start(const void *a, const void *b) {
  const struct wprof_fid_range *x = a, *y = b;
  return (x->start > y->start) - (x->start < y->start);
}

void wprof_set_code_ranges(wprof_recorder *rec, const struct wprof_code_range *ranges, size_t n) {
  uint32_t last = 0;
  for (size_t i = 0; i < n; i++)
    if (ranges[i].defined_index > last) last = ranges[i].defined_index;
  uint32_t *fid_of = malloc(((size_t)last + 1) * sizeof *fid_of);
  struct wprof_fid_range *code = malloc((n ? n : 1) * sizeof *code);
  if (!fid_of || !code) wprof__out_of_memory();
  for (size_t i = 0; i <= last; i++) fid_of[i] = WPROF_ROOT_FID;
  /* functions.func_index counts the input module's imports, not the probes the rewriter added */
  for (uint32_t fid = 0; fid < rec->nfunctions; fid++) {
    uint32_t index = rec->functions[fid].func_index;
    if (index >= rec->imported_funcs && index - rec->imported_funcs <= last) fid_of[index - rec->imported_funcs] = fid;
  }
  size_t kept = 0;
  for (size_t i = 0; i < n; i++) {
    uint32_t fid = fid_of[ranges[i].defined_index];
    if (fid != WPROF_ROOT_FID && ranges[i].start < ranges[i].end)
      code[kept++] = (struct wprof_fid_range){ranges[i].start, ranges[i].end, fid};
  }
  free(fid_of);
  qsort(code, kept, sizeof *code, compare_range_start);
  free(rec->code);
  rec->code = code;
  rec->ncode = kept;
}

/* The function whose code holds ip, or WPROF_ROOT_FID. */
static uint32_t code_fid(const wprof_recorder *rec, uintptr_t ip) {
  size_t lo = 0, hi = rec->ncode;
  while (lo < hi) { /* the first range starting after ip */
    size_t mid = lo + (hi - lo) / 2;
    if (rec->code[mid].start <= ip) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 && ip < rec->code[lo - 1].end ? rec->code[lo - 1].fid : WPROF_ROOT_FID;
}

/* The path a sample at ip goes to, top being on top of the shadow stack:
** top, unless ip is in the code of a function that is neither top's nor
** an ancestor's within INLINE_DEPTH (where top would be a callee inlined
** there), that is, in the prologue or epilogue of top's call of it. The
** tree is consistent here: it changes only in probe code. */
static struct wprof_node *sampled_path(const wprof_recorder *rec, struct wprof_node *top, uintptr_t ip) {
  uint32_t fid = code_fid(rec, ip);
  if (fid == WPROF_ROOT_FID) return top;
  const struct wprof_node *a = top;
  for (int up = 0; up <= INLINE_DEPTH && a; up++, a = a->parent)
    if (a->fid == fid) return top;
  struct wprof_node *call = wprof__child_find(top, fid);
  return call ? call : top; /* none: its first call, not entered yet */
}

static void on_sample(int sig, siginfo_t *info, void *context) {
  (void)sig, (void)info;
  wprof_thread *t = sampled_thread;
  if (!t) return; /* a late signal of a stopped timer */
  uintptr_t ip = interrupted_ip(context);
  if (t->probe.in_probe || in_probe_code(ip)) {
    t->probe_samples++;
    return;
  }
  /* the probes publish the top path only once its node is written */
  sampled_path(t->rec, *(struct wprof_node *volatile *)&t->probe.cur, ip)->samples++;
}

static void install_handler(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_sample;
  sigemptyset(&sa.sa_mask);
  /* SA_RESTART: reads and writes of the host go on; sleeps and polls see EINTR and retry */
  sa.sa_flags = SA_SIGINFO | SA_RESTART | SA_ONSTACK;
  if (sigaction(SIGPROF, &sa, NULL) != 0) handler_error = errno;
}

int wprof_sampling_start(wprof_thread *t, char *err, size_t errlen) {
  const wprof_recorder *rec = t->rec;
  if (rec->timing != WPROF_TIMING_SAMPLED || t->sampling) return 0;
  pthread_once(&handler_once, install_handler);
  if (handler_error) {
    wprof__errf(err, errlen, "cannot install the sampling signal handler: %s", strerror(handler_error));
    return -1;
  }
  struct sigevent sev;
  memset(&sev, 0, sizeof sev);
  sev.sigev_notify = SIGEV_THREAD_ID;
  sev.sigev_signo = SIGPROF;
  sev._sigev_un._tid = gettid(); /* sigev_notify_thread_id, which glibc 2.36 does not define */
  if (timer_create(CLOCK_MONOTONIC, &sev, &t->sample_timer) != 0) {
    wprof__errf(err, errlen, "cannot create the sampling timer: %s", strerror(errno));
    return -1;
  }
  t->sampling = true;
  sampled_thread = t;
  struct timespec every = {.tv_sec = (time_t)(rec->sample_interval_ns / 1000000000u),
                           .tv_nsec = (long)(rec->sample_interval_ns % 1000000000u)};
  struct itimerspec spec = {.it_interval = every, .it_value = every};
  if (timer_settime(t->sample_timer, 0, &spec, NULL) != 0) {
    wprof__errf(err, errlen, "cannot start the sampling timer: %s", strerror(errno));
    wprof_sampling_stop(t);
    return -1;
  }
  return 0;
}

void wprof_sampling_stop(wprof_thread *t) {
  if (t->sampling) {
    timer_delete(t->sample_timer);
    t->sampling = false;
  }
  if (sampled_thread == t) sampled_thread = NULL;
}

void wprof__sampling_stop_all(wprof_recorder *rec) {
  for (wprof_thread *t = rec->threads; t; t = t->next) wprof_sampling_stop(t);
}
