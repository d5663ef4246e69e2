/*
** wasm-scan: a strict, bounded reader of the WebAssembly binary format, the
** one wasm reader of the project.
**
** wasm-instrument runs it on every input before binaryen sees the bytes:
** binaryen 108 ends the process on input it cannot parse and silently
** miscompiles some valid constructs, so this reader decides what binaryen
** may be given, and gathers what the rewriter needs that binaryen does not
** expose (code offsets of function bodies, original names, custom sections).
** `wprof run` reads with it what a module needs of the host, and libwprof
** the module's wprof custom sections. What only the rewriter must refuse
** (an instrumented module, blocks with parameters) is reported as a fact.
** It never crashes and never reads out of bounds, whatever the bytes.
*/
#ifndef WPROF_WASM_SCAN_H
#define WPROF_WASM_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WSCAN_ERR_MAX 256

enum wscan_status {
  WSCAN_OK = 0,
  WSCAN_NOT_WASM,       /* no wasm magic, or a component / unknown version */
  WSCAN_MALFORMED,      /* truncated, bad LEB128, section overruns, bad opcode... */
  WSCAN_UNSUPPORTED,    /* valid-looking but uses something we refuse (err says what) */
};

/* Features the module uses (bitset), so callers can enable exactly those. */
enum wscan_feature {
  WSCAN_FEAT_SIGN_EXT = 1u << 0,
  WSCAN_FEAT_SAT_FLOAT_TO_INT = 1u << 1,
  WSCAN_FEAT_BULK_MEMORY = 1u << 2,
  WSCAN_FEAT_REFERENCE_TYPES = 1u << 3,
  WSCAN_FEAT_MULTI_VALUE = 1u << 4,
  WSCAN_FEAT_SIMD = 1u << 5,
  WSCAN_FEAT_EXCEPTIONS = 1u << 6,
  WSCAN_FEAT_TAIL_CALL = 1u << 7,
  WSCAN_FEAT_THREADS = 1u << 8,
  WSCAN_FEAT_MUTABLE_GLOBALS = 1u << 9,
  WSCAN_FEAT_MEMORY64 = 1u << 10,
  WSCAN_FEAT_EXTENDED_CONST = 1u << 11,
};

enum wscan_extern_kind { WSCAN_FUNC = 0, WSCAN_TABLE = 1, WSCAN_MEMORY = 2, WSCAN_GLOBAL = 3, WSCAN_TAG = 4 };

struct wscan_import {
  char *module;
  char *name;
  enum wscan_extern_kind kind;
  uint32_t type_index;      /* WSCAN_FUNC / WSCAN_TAG */
  bool has_max;             /* WSCAN_TABLE / WSCAN_MEMORY */
};

struct wscan_export {
  char *name;
  enum wscan_extern_kind kind;
  uint32_t index;
};

struct wscan_custom {
  char *name;
  uint32_t offset;          /* file offset of the section id byte */
  uint32_t size;            /* whole section, id byte and size field included */
  uint32_t payload_offset;  /* file offset of the payload, after the name */
};

struct wscan_type {         /* a function type */
  uint32_t num_params, num_results;
  uint8_t *params, *results; /* value type bytes: 0x7f i32, 0x7e i64, 0x7d f32, 0x7c f64, 0x7b v128, 0x70 funcref, 0x6f externref */
};

struct wscan_func {         /* a defined function */
  uint32_t func_index;      /* in the function index space (imports first) */
  uint32_t type_index;
  uint32_t code_offset;     /* file offset of the body's size field */
  uint32_t body_offset;     /* file offset of the body itself (its locals), after the size field */
  uint32_t body_size;
  char *name;               /* name section, else first export name, else NULL */
  bool has_catch;           /* contains catch or catch_all */
  bool has_tail_call;       /* contains return_call or return_call_indirect */
  bool straight_line;       /* no loop, no call of any kind, no try, throw or rethrow */
  uint32_t instructions;    /* in the body, its final end included */
};

struct wscan_module {
  uint32_t features;        /* enum wscan_feature bits */
  uint32_t num_types, num_imports, num_exports, num_customs, num_funcs;
  uint32_t num_imported_funcs, num_tables, num_memories; /* tables/memories: imported + defined */
  bool imports_wprof;        /* imports from module "wprof": instrumented */
  bool has_functions_section; /* has a "wprof.functions" section: instrumented */
  uint32_t block_params_at; /* offset of the first block, loop, if or try with parameters, else 0 */
  struct wscan_type *types;
  struct wscan_import *imports;
  struct wscan_export *exports;
  struct wscan_custom *customs;
  struct wscan_func *funcs;
  bool has_name_section;    /* a well-formed "name" section; a malformed one is ignored, as engines do */
  bool has_dwarf;           /* any ".debug_*" custom section */
  uint32_t code_payload_offset; /* file offset of the code section's payload (its body count), where
                                   DWARF code addresses count from; 0 without a code section */
  bool has_start;
};

/* Parses bytes[0..len). On WSCAN_OK *out is filled (free with wscan_free).
** Otherwise *out is left empty and err holds one line without a trailing
** newline, e.g. "unexpected end of code section at offset 1234". The first
** problem met wins. */
enum wscan_status wscan_parse(const uint8_t *bytes, size_t len, struct wscan_module *out,
                              char err[WSCAN_ERR_MAX]);
/* As wscan_parse, but the function bodies are only delimited (code_offset,
** body_offset, body_size), not decoded: what only the code shows is not
** known (the features its instructions use, block_params_at, and each
** function's has_catch, has_tail_call, straight_line and instructions), and
** a malformed body is not noticed. Every section but the code is read as
** strictly. For readers of a module whose code has been checked already,
** which want its sections: libwprof's custom sections of the module V8 or
** `wprof run` loaded, the rewriter's copies of its input and of binaryen's
** output; decoding 30 MB of code again costs a quarter second. */
enum wscan_status wscan_parse_sections(const uint8_t *bytes, size_t len, struct wscan_module *out,
                                       char err[WSCAN_ERR_MAX]);
void wscan_free(struct wscan_module *m);

/* An unsigned LEB128 of at most 32 bits at bytes[*pos], as strict as the
** module's own (no over-long encoding, no unused bits set): for readers of
** the payload of a custom section. Advances *pos; false when malformed or
** past len. */
bool wscan_read_u32(const uint8_t *bytes, size_t len, size_t *pos, uint32_t *out);

#endif
