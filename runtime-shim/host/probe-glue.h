/*
** The `wprof` import module of a wasm2c-translated module (internal): what
** the host (probe-glue.c, host-run.c) and the probes compiled into each
** module (module-probes.h) share. Self-contained like wprof-probes.h, since
** `wprof run` compiles it into modules too.
**
** wasm2c passes an instance pointer to every `Z_wprofZ_*` import. Ours is
** the libwprof thread itself, cast (the struct is never defined): a probe
** reaches its shadow stack without loading a pointer first.
*/
#ifndef WPROF_PROBE_GLUE_H
#define WPROF_PROBE_GLUE_H

#include "wprof-probes.h"

struct Z_wprof_instance_t;

static inline struct Z_wprof_instance_t *wprof_probe_instance(wprof_thread *t) {
  return (struct Z_wprof_instance_t *)(void *)t;
}

static inline wprof_thread *wprof_probe_thread(struct Z_wprof_instance_t *p) {
  return (wprof_thread *)(void *)p;
}

/* wprof_probe_enter's slow path, and where a stop request leaves the guest. */
void wprof_host_enter_slow(wprof_thread *t, uint32_t fid);

#endif
