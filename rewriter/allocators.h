/*
** allocators: which functions are allocators, and what their arguments mean.
**
** wasm-instrument puts allocation probes inside allocator functions. This
** file is the one place that knows their names (C, C++ mangled for wasm32,
** Rust, TinyGo) and, per kind, which argument is the size, the old pointer
** or the out-pointer (docs/probe-abi.md, "Allocation probes").
*/
#ifndef WPROF_ALLOCATORS_H
#define WPROF_ALLOCATORS_H

#include <stdint.h>

/* Numbering is part of the probe ABI (wprof.functions flags, bits 8-15). */
enum alloc_kind {
  ALLOC_NONE = 0,
  ALLOC_MALLOC = 1,         /* (size, ...) -> ptr */
  ALLOC_CALLOC = 2,         /* (count, size) -> ptr */
  ALLOC_REALLOC = 3,        /* (old, size) -> ptr */
  ALLOC_FREE = 4,           /* (ptr, ...) */
  ALLOC_ALIGNED_ALLOC = 5,  /* (align, size) -> ptr */
  ALLOC_POSIX_MEMALIGN = 6, /* (out, align, size) -> int, *out = ptr */
  ALLOC_RUST_REALLOC = 7,   /* (old, old_size, align, new_size) -> ptr */
};

/* The kind of a well-known allocator name, or ALLOC_NONE. */
enum alloc_kind alloc_kind_of_name(const char *name);

/* Parses a kind name as given to --alloc NAME=KIND; ALLOC_NONE if unknown. */
enum alloc_kind alloc_kind_parse(const char *kind);

/* "malloc", "calloc", ... */
const char *alloc_kind_name(enum alloc_kind kind);

/* How many i32 parameters the kind reads at least, and whether it needs an
** i32 result; used to check a function's signature before probing it. */
unsigned alloc_kind_min_params(enum alloc_kind kind);
int alloc_kind_has_result(enum alloc_kind kind);

/* The kind names, for --help: "malloc|calloc|...". */
const char *alloc_kind_choices(void);

#endif
