/*
** wprof-wasi: WASI preview1 (wasi_snapshot_preview1) for wasm2c modules.
**
** wasm2c turns every import `wasi_snapshot_preview1.NAME` into a call of the
** C function `Z_wasi_snapshot_preview1Z_NAME(struct
** Z_wasi_snapshot_preview1_instance_t *, ...)`. This library defines all of
** them; the instance struct *is* the wprof_wasi context below, so an embedder
** creates one with wprof_wasi_create(), passes it to the module's
** `Z_<mod>_instantiate(...)`, tells it where the guest memory is with
** wprof_wasi_set_memory(), and calls the guest inside wasm_rt_impl_try().
**
** Leaving the guest: proc_exit, and any call made after wprof_wasi_stop() was
** requested (e.g. from a signal handler), do not return: they longjmp to
** wasm2c's trap buffer with WPROF_WASI_JMP_EXIT / WPROF_WASI_JMP_STOP, values
** outside wasm_rt_trap_t, exactly like a trap; wasm_rt_impl_try() then
** returns that value and wprof_wasi_exit_code() holds the guest's code.
**
** Sandbox: the guest sees only the preopened directories (fds 3, 4, ...).
** Every path is resolved beneath its directory fd with openat2(2)
** RESOLVE_BENEATH, or a component-by-component O_NOFOLLOW walk where openat2
** is missing; `..`, absolute paths and symlinks that would leave the
** directory fail with WASI errno NOTCAPABLE (76), as in Node's uvwasi.
** Nothing of the host environment is inherited unless configured.
*/
#ifndef WPROF_WASI_H
#define WPROF_WASI_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <wasm-rt.h>

typedef struct Z_wasi_snapshot_preview1_instance_t wprof_wasi;

/* longjmp values (distinct from every wasm_rt_trap_t) seen by wasm_rt_impl_try(). */
#define WPROF_WASI_JMP_EXIT 0x100
#define WPROF_WASI_JMP_STOP 0x101

/* WASI errno values used by the embedder and the tests. */
#define WPROF_WASI_ESUCCESS 0
#define WPROF_WASI_ENOSYS 52
#define WPROF_WASI_ENOTCAPABLE 76

struct wprof_wasi_preopen {
  const char *host_path;   /* directory on the host */
  const char *guest_path;  /* name the guest sees (fd_prestat_dir_name) */
};

struct wprof_wasi_config {
  int argc;                /* the guest's argv, argv[0] included */
  char *const *argv;
  int envc;                /* "KEY=VALUE" strings the guest sees */
  char *const *envp;
  int npreopens;
  const struct wprof_wasi_preopen *preopens;
  /* Checked at every WASI call; when non-zero the call leaves the guest
  ** with WPROF_WASI_JMP_STOP. May be NULL. */
  const volatile sig_atomic_t *stop_flag;
  /* Resolve paths by the manual walk even where openat2 exists (tests). */
  bool no_openat2;
  /* wprof run --deterministic: virtual clocks and a fixed-seed random_get
  ** (WPROF_WASI_* below), so that the guest's behaviour repeats exactly. */
  bool deterministic;
};

/* --deterministic: every clock_time_get first advances one virtual clock by
** WPROF_WASI_CLOCK_STEP_NS, then reads it: the realtime clock (id 0) as
** WPROF_WASI_EPOCH_NS plus the virtual time, the other clocks as the virtual
** time itself; a clock's resolution is the step. A poll_oneoff that would
** wait for a clock advances the virtual time to the earliest deadline and
** returns at once. random_get gives the bytes of splitmix64 seeded with
** WPROF_WASI_RANDOM_SEED, 8 per step, little-endian, in order. */
#define WPROF_WASI_CLOCK_STEP_NS 1000u
#define WPROF_WASI_EPOCH_NS 946684800000000000u /* 2000-01-01T00:00:00Z */
#define WPROF_WASI_RANDOM_SEED 0x7770726f66u   /* "wprof" */

/* Opens the preopens and copies the configuration. NULL with err filled
** (one line, e.g. "--dir data: No such file or directory") on failure. */
wprof_wasi *wprof_wasi_create(const struct wprof_wasi_config *cfg, char *err, size_t errlen);

/* The guest's linear memory: every pointer the guest passes is checked
** against it (EFAULT when out of bounds). Call after instantiation. */
void wprof_wasi_set_memory(wprof_wasi *wasi, wasm_rt_memory_t *memory);

/* The code given to proc_exit (valid after WPROF_WASI_JMP_EXIT). */
uint32_t wprof_wasi_exit_code(const wprof_wasi *wasi);

/* True when the current thread is inside a WASI call (not in guest code). */
bool wprof_wasi_in_call(const wprof_wasi *wasi);

/* Closes every descriptor the guest still has open and frees the context. */
void wprof_wasi_destroy(wprof_wasi *wasi);

/* The wasi_snapshot_preview1 functions this library defines, with their
** wasm types: an embedder refuses a module that imports anything else, or
** one of these with another type (it would be called through the wrong
** prototype). Terminated by a NULL name. */
struct wprof_import_type {
  const char *name;
  const char *result;  /* "i32", or "" for none */
  const char *params;  /* "i32, i64, i32" (or "i32 i64 i32"), or "" */
};
extern const struct wprof_import_type wprof_wasi_functions[];

#endif
