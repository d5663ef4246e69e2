/*
** sections: the byte-level finishing of a rewritten module.
**
** binaryen writes the module; this file then drops the DWARF sections
** (their addresses no longer match the rewritten code), mends binaryen's
** local-name order, and appends the
** `wprof.functions` custom section that lets any host name functions
** without the input file, and the `wprof.sources` section that carries their
** source locations read from that DWARF (docs/probe-abi.md).
*/
#ifndef WPROF_SECTIONS_H
#define WPROF_SECTIONS_H

#include <stddef.h>
#include <stdint.h>

#include "dwarf-sources.h"
#include "instrument.h"
#include "wasm-scan.h"
#include "wprof-abi.h"

/* A growable byte buffer; aborts on out-of-memory. */
struct bytes {
  uint8_t *data;
  size_t len, cap;
};
void bytes_free(struct bytes *b);

/* The payload of the wprof.functions section for this scan and plan. */
void function_map_encode(struct bytes *out, const struct wscan_module *scan,
                         const struct func_plan *plan);

/* The payload of the wprof.sources section for this table (docs/probe-abi.md). */
void sources_encode(struct bytes *out, const struct source_table *sources);

/* A custom section to append to a module. */
struct custom_section {
  const char *name;
  const struct bytes *payload;
};

/* Copies module (a binary binaryen just wrote) to out without its ".debug_*"
** custom sections and with its local names back in index order, then
** appends the n custom sections given. Returns 0,
** or -1 if the module is not well formed (it always is, coming from binaryen). */
int finish_module(struct bytes *out, const uint8_t *module, size_t len, const struct custom_section *append,
                  size_t n);

/* The module as binaryen 108 can read it: the same, but for name-section
** subsections binaryen misreads (see sections.c). Returns 0 or -1. */
int prepare_for_binaryen(struct bytes *out, const uint8_t *module, size_t len);

#endif
