/*
** dwarf-sources: each defined function's source file and line, read with
** libdwarf from the input module's DWARF custom sections (".debug_info",
** ".debug_line", ...), for the wprof.sources section (docs/probe-abi.md).
**
** For wasm, DWARF code addresses are offsets into the code section's payload;
** a function's DW_TAG_subprogram has DW_AT_low_pc at its body (after the body
** size field), and DW_AT_decl_file / DW_AT_decl_line (on it, or on the DIE its
** DW_AT_abstract_origin or DW_AT_specification names) give its location.
*/
#ifndef WPROF_DWARF_SOURCES_H
#define WPROF_DWARF_SOURCES_H

#include <stddef.h>
#include <stdint.h>

#include "wasm-scan.h"

#define SOURCE_NO_FILE UINT32_MAX

struct source_table {
  char **files;      /* distinct source file names, in order of first use */
  uint32_t nfiles;
  uint32_t nfuncs;   /* the scan's num_funcs: file and line have one entry per defined function */
  uint32_t *file;    /* index in files, or SOURCE_NO_FILE when unknown */
  uint32_t *line;    /* 1-based; 0 when unknown */
};

/* Fills out (always allocated, possibly with no location known) from the
** DWARF of module, which scan describes. Returns 0, or -1 with a one-line
** reason in err when the DWARF is malformed: then no location is known. */
int dwarf_sources_read(const uint8_t *module, size_t len, const struct wscan_module *scan,
                       struct source_table *out, char *err, size_t errlen);

/* How many functions have a known location. */
uint32_t source_table_known(const struct source_table *t);

void source_table_free(struct source_table *t);

#endif
