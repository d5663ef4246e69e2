/*
** isolate: runs binaryen, and libdwarf, in a child process.
**
** binaryen 108 ends the process (Fatal) or may crash on input it cannot
** handle. wasm-instrument must instead print one line and exit with a
** documented code, leaving no output behind, so every binaryen call happens
** in a forked child; its death becomes an error message here. libdwarf reads
** the input's untrusted DWARF in a child of its own: its death costs the
** source locations, with a warning, and nothing else.
*/
#ifndef WPROF_ISOLATE_H
#define WPROF_ISOLATE_H

#include <stddef.h>
#include <stdint.h>

#include "instrument.h"
#include "sections.h"

enum isolate_result {
  ISOLATE_OK = 0,
  ISOLATE_REFUSED,   /* binaryen could not take this module (err says why) */
  ISOLATE_INTERNAL,  /* our rewrite produced an invalid module, or the system failed */
};

/* Reads input with binaryen (features = binaryen feature bits), instruments
** it per plan (and count_cost: see instrument_module), validates the result
** and returns binaryen's binary in out. */
enum isolate_result isolate_rewrite(const uint8_t *input, size_t len, uint32_t features,
                                    const struct func_plan *plan, uint32_t num_funcs, bool count_cost,
                                    struct bytes *out, char *err, size_t errlen);

/* The payload of the wprof.sources section from the input's DWARF (empty
** when no location is known). Returns 0, or -1 with a one-line reason in
** why (malformed DWARF, or the reader crashed on it). */
int isolate_read_sources(const uint8_t *input, size_t len, const struct wscan_module *scan, struct bytes *payload,
                         char *why, size_t whylen);

#endif
