/*
** The `wprof` import module of a wasm2c-translated module (internal).
**
** wasm2c passes an instance pointer to every `Z_wprofZ_*` import. Ours is
** the libwprof thread itself, cast (the struct is never defined): a probe
** reaches its shadow stack without loading a pointer first.
*/
#ifndef WPROF_PROBE_GLUE_H
#define WPROF_PROBE_GLUE_H

#include "wprof.h"

struct Z_wprof_instance_t;

static inline struct Z_wprof_instance_t *wprof_probe_instance(wprof_thread *t) {
  return (struct Z_wprof_instance_t *)t;
}

static inline wprof_thread *wprof_probe_thread(struct Z_wprof_instance_t *p) {
  return (wprof_thread *)p;
}

#endif
