/*
** libwprof clocks: picks the clock of a run (the TSC when it ticks at a
** constant rate through sleep states, else CLOCK_MONOTONIC, or none without
** timing), calibrates the TSC against CLOCK_MONOTONIC at open and again over
** the whole run at finish, and converts ticks to nanoseconds exactly.
*/
#include "wprof-internal.h"

#include <stdio.h>
#include <string.h>

static uint64_t monotonic_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

enum wprof_clock_kind wprof__clock_detect(void) {
#if defined(__x86_64__)
  FILE *f = fopen("/proc/cpuinfo", "r");
  if (!f) return WPROF_CLOCK_MONOTONIC;
  char line[8192];
  bool constant = false, nonstop = false;
  while (fgets(line, sizeof line, f)) {
    if (strncmp(line, "flags", 5) != 0) continue;
    constant = strstr(line, " constant_tsc") != NULL;
    nonstop = strstr(line, " nonstop_tsc") != NULL;
    break;
  }
  fclose(f);
  return constant && nonstop ? WPROF_CLOCK_TSC : WPROF_CLOCK_MONOTONIC;
#else
  return WPROF_CLOCK_MONOTONIC;
#endif
}

#if defined(__x86_64__)
/* A TSC reading and the CLOCK_MONOTONIC time it corresponds to: the tightest
** of a few brackets mono/tsc/mono, so that a preemption does not skew it. */
static void tsc_and_monotonic(uint64_t *tsc, uint64_t *mono) {
  uint64_t best = UINT64_MAX;
  for (int i = 0; i < 5; i++) {
    uint64_t before = monotonic_ns();
    uint64_t ticks = WPROF_TSC();
    uint64_t after = monotonic_ns();
    if (after - before < best) {
      best = after - before;
      *tsc = ticks;
      *mono = before + (after - before) / 2;
    }
  }
}
#endif

void wprof__clock_start(wprof_recorder *rec) {
  rec->conv_ns = rec->conv_ticks = 1;
  switch (rec->clock) {
  case WPROF_CLOCK_NONE:
    rec->t0 = 0;
    break;
  case WPROF_CLOCK_MONOTONIC:
    rec->t0 = monotonic_ns();
    break;
  case WPROF_CLOCK_TEST:
    rec->t0 = rec->hooks.clock(rec->hooks.clock_ctx);
    break;
  case WPROF_CLOCK_TSC: {
#if defined(__x86_64__)
    tsc_and_monotonic(&rec->cal_tsc0, &rec->cal_mono0);
    struct timespec pause = {0, 20 * 1000 * 1000};
    nanosleep(&pause, NULL);
    uint64_t tsc1 = 0, mono1 = 0;
    tsc_and_monotonic(&tsc1, &mono1);
    rec->conv_ns = mono1 - rec->cal_mono0;
    rec->conv_ticks = tsc1 - rec->cal_tsc0;
    rec->t0 = WPROF_TSC();
#endif
    break;
  }
  }
}

/* Reads the end of the run. A TSC run without trace switches to the rate
** measured over the whole run; with trace the rows already written used the
** rate of the calibration at open, which is kept so that every time agrees. */
void wprof__clock_end(wprof_recorder *rec) {
  if (rec->clock == WPROF_CLOCK_TSC) {
#if defined(__x86_64__)
    uint64_t mono = 0;
    tsc_and_monotonic(&rec->end_ticks, &mono);
    uint64_t run_ns = mono - rec->cal_mono0, run_ticks = rec->end_ticks - rec->cal_tsc0;
    double open_rate = (double)rec->conv_ticks / (double)rec->conv_ns;
    double run_rate = (double)run_ticks / (double)run_ns;
    rec->clock_check_ppm = (run_rate / open_rate - 1.0) * 1e6;
    if (!rec->tracing) {
      rec->conv_ns = run_ns;
      rec->conv_ticks = run_ticks;
    }
#endif
    return;
  }
  rec->end_ticks = wprof__clock_read(rec, rec->clock);
}

uint64_t wprof__ticks_to_ns(const wprof_recorder *rec, uint64_t ticks) {
  if (rec->conv_ns == rec->conv_ticks) return ticks;
  return (uint64_t)((unsigned __int128)ticks * rec->conv_ns / rec->conv_ticks);
}

uint64_t wprof__now_cold(const wprof_recorder *rec) {
  return rec->hooks.clock(rec->hooks.clock_ctx);
}
