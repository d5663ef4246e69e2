/*
** The `wprof` import module of a wasm2c-translated module (internal).
**
** wasm2c passes this struct to every `Z_wprofZ_*` import; the host creates
** one per guest thread around the libwprof thread it attached.
*/
#ifndef WPROF_PROBE_GLUE_H
#define WPROF_PROBE_GLUE_H

#include "wprof.h"

struct Z_wprof_instance_t {
  wprof_thread *thread;
};

#endif
