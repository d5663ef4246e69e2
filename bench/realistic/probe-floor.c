/*
** The least any recorder of docs/probe-abi.md can cost: probe imports that do
** a fixed minimum of work and nothing else, linked into a wasm2c-translated
** instrumented module by bench/realistic/probe-floor.sh, which times them
** against the plain module and against `wprof run`. Not part of wprof.
**
** Built with -DFLOOR_LEVEL=N, each level doing what the one before does and more:
**   0  every probe returns at once (exit_T returns its value): the price of
**      the imported calls alone;
**   1  enter adds one to the callee's counter: exact call counts per
**      function, no call paths;
**   2  a shadow stack of function ids besides, pushed by enter and checked
**      and popped by exit: what any per-call-path recorder needs;
**   3  one TSC read per event besides, the entry time kept on the stack and
**      each call's duration added to its function's inclusive time: the
**      least a recorder that times every call can do.
** Allocation probes return at once at every level. At exit the counters are
** summed and printed on stderr, so that the compiler cannot drop the work.
*/
#include <stdint.h>
#include <stdio.h>
#include <x86intrin.h>

#include <wasm-rt.h>

#if !defined(FLOOR_LEVEL) || FLOOR_LEVEL < 0 || FLOOR_LEVEL > 3
#error "build with -DFLOOR_LEVEL=0, 1, 2 or 3"
#endif

/* Function ids of the modules measured stay far below this (sqlite: ~2,500). */
#define MAX_FUNCTIONS 65536
#define MAX_DEPTH 65536

struct Z_wprof_instance_t {
  uint64_t calls[MAX_FUNCTIONS];
  uint64_t inclusive_ticks[MAX_FUNCTIONS];
  struct frame {
    uint32_t fid;
    uint64_t entered;
  } stack[MAX_DEPTH];
  uint32_t depth;
  uint64_t mismatches;
};

struct Z_wprof_instance_t probe_floor_instance;

void Z_wprofZ_enter(struct Z_wprof_instance_t *p, uint32_t fid) {
  (void)p, (void)fid;
#if FLOOR_LEVEL >= 1
  p->calls[fid % MAX_FUNCTIONS]++;
#endif
#if FLOOR_LEVEL >= 2
  struct frame *f = &p->stack[p->depth++ % MAX_DEPTH];
  f->fid = fid;
#endif
#if FLOOR_LEVEL >= 3
  f->entered = __rdtsc();
#endif
}

void Z_wprofZ_exit(struct Z_wprof_instance_t *p, uint32_t fid) {
  (void)p, (void)fid;
#if FLOOR_LEVEL >= 2
  struct frame *f = &p->stack[--p->depth % MAX_DEPTH];
  p->mismatches += f->fid != fid;
#endif
#if FLOOR_LEVEL >= 3
  p->inclusive_ticks[fid % MAX_FUNCTIONS] += __rdtsc() - f->entered;
#endif
}

#define EXIT_PASSING(suffix, type)                                                \
  type Z_wprofZ_exit_##suffix(struct Z_wprof_instance_t *p, uint32_t fid, type v) { \
    Z_wprofZ_exit(p, fid);                                                        \
    return v;                                                                     \
  }
EXIT_PASSING(i32, uint32_t)
EXIT_PASSING(i64, uint64_t)
EXIT_PASSING(f32, float)
EXIT_PASSING(f64, double)

void Z_wprofZ_alloc(struct Z_wprof_instance_t *p, uint32_t ptr, uint32_t size) {
  (void)p, (void)ptr, (void)size;
}
void Z_wprofZ_realloc(struct Z_wprof_instance_t *p, uint32_t old, uint32_t ptr, uint32_t size) {
  (void)p, (void)old, (void)ptr, (void)size;
}
void Z_wprofZ_free(struct Z_wprof_instance_t *p, uint32_t ptr) { (void)p, (void)ptr; }

__attribute__((destructor)) static void probe_floor_report(void) {
  uint64_t calls = 0, ticks = 0;
  for (uint32_t i = 0; i < MAX_FUNCTIONS; i++) {
    calls += probe_floor_instance.calls[i];
    ticks += probe_floor_instance.inclusive_ticks[i];
  }
  fprintf(stderr, "probe-floor: %llu calls, %llu ticks, %llu mismatched exits\n", (unsigned long long)calls,
          (unsigned long long)ticks, (unsigned long long)probe_floor_instance.mismatches);
}
