/*
** wprof-abi: the probe ABI of docs/probe-abi.md as C constants.
**
** The one place the rewriter (which writes modules), libwprof (which reads
** their wprof.functions section) and the hosts (which link their imports and
** read their instruction counter) take the ABI's facts from, the way wasm2c's
** wasm-rt.h is shared by generated code and host. Header only, no code.
*/
#ifndef WPROF_ABI_H
#define WPROF_ABI_H

/* The version wasm-instrument writes, and the oldest a host still reads.
** 2 = 1 + the count probe and flag bit 2; 3 = 2 + the instruction counter
** (the WPROF_ABI_COST_EXPORT global). Each version's modules are valid
** modules of the next, so hosts read every version from MIN up. */
#define WPROF_ABI_VERSION 3
#define WPROF_ABI_VERSION_MIN 1

/* The import module of every probe. */
#define WPROF_ABI_IMPORT_MODULE "wprof"

/* The custom section that names and flags the functions. */
#define WPROF_ABI_FUNCTIONS_SECTION "wprof.functions"

/* The optional custom section of the functions' source files and lines, read
** from the input's DWARF (docs/probe-abi.md, "Source locations"). Hosts that do
** not know it ignore it, so it needs no version of its own. */
#define WPROF_ABI_SOURCES_SECTION "wprof.sources"

/* wasm-instrument --cost: the exported mutable i64 global counting the wasm
** instructions executed so far (docs/probe-abi.md, "Instruction cost"). */
#define WPROF_ABI_COST_EXPORT "wprof.cost"

/* The probes, each X(NAME, PARAMS, RESULTS) with its types in wasm value types (as strings); a module
** imports those it needs from WPROF_ABI_IMPORT_MODULE. */
#define WPROF_ABI_PROBES(X)                               \
  X(enter, "i32", "")                                     \
  X(exit, "i32", "")                                      \
  X(count, "i32", "")                                     \
  X(exit_i32, "i32 i32", "i32")                           \
  X(exit_i64, "i32 i64", "i64")                           \
  X(exit_f32, "i32 f32", "f32")                           \
  X(exit_f64, "i32 f64", "f64")                           \
  X(exit_v128, "i32 v128", "v128")                        \
  X(exit_funcref, "i32 funcref", "funcref")               \
  X(exit_externref, "i32 externref", "externref")         \
  X(frame, "", "i32")                                     \
  X(catch, "i32 i32", "")                                 \
  X(alloc, "i32 i32", "")                                 \
  X(realloc, "i32 i32 i32", "")                           \
  X(free, "i32", "")

/* Bits of a function's flags in the wprof.functions section. */
#define WPROF_ABI_FLAG_COUNTED 0x1u    /* its calls are counted (enter/exit, or count) */
#define WPROF_ABI_FLAG_CATCH 0x2u      /* it has a catch probe */
#define WPROF_ABI_FLAG_FRAMELESS 0x4u  /* counted by the count probe, without a frame (version 2) */
#define WPROF_ABI_ALLOC_KIND_SHIFT 8   /* bits 8-15: the allocator kind below */
#define WPROF_ABI_ALLOC_KIND(flags) (((flags) >> WPROF_ABI_ALLOC_KIND_SHIFT) & 0xffu)

/* The allocator kinds, X(NAME, number, "name"), numbered as in the flags. */
#define WPROF_ABI_ALLOC_KINDS(X)                     \
  X(MALLOC, 1, "malloc")                             \
  X(CALLOC, 2, "calloc")                             \
  X(REALLOC, 3, "realloc")                           \
  X(FREE, 4, "free")                                 \
  X(ALIGNED_ALLOC, 5, "aligned_alloc")               \
  X(POSIX_MEMALIGN, 6, "posix_memalign")             \
  X(RUST_REALLOC, 7, "rust_realloc")
#define WPROF_ABI_ALLOC_KIND_COUNT 8 /* one past the largest number above */

#endif
