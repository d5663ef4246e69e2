/*
** The table a compiled module hands to the wasm2c host.
**
** `wprof run` appends a few lines of C to each module's wasm2c output that
** define `wprof_module_entry`, a struct of this type, so the host can drive
** any module through one fixed interface after dlopen(). The same field list
** is pasted into that generated C as text (WPROF_MODULE_ENTRY_TEXT), so the
** two definitions cannot drift apart.
*/
#ifndef WPROF_MODULE_ENTRY_H
#define WPROF_MODULE_ENTRY_H

#include <stddef.h>
#include <stdint.h>

#include <wasm-rt.h>

#define WPROF_MODULE_ENTRY_ABI 4

#define WPROF_MODULE_ENTRY_FIELDS                                                    \
  unsigned abi;                                                                      \
  size_t instance_size;                                                              \
  void (*init_module)(void);                                                         \
  void (*instantiate)(void *instance, void *wasi, void *probes);                     \
  void (*start)(void *instance);                                                     \
  wasm_rt_memory_t *(*memory)(void *instance); /* NULL: the module exports none */ \
  uint64_t *(*instructions)(void *instance);   /* returns NULL: no instruction counter */ \
  void (*free_instance)(void *instance);                                             \
  const char *const *function_names; /* wasm2c's C name of each defined function, in index order */ \
  uint32_t nfunctions;

struct wprof_module_entry {
  WPROF_MODULE_ENTRY_FIELDS
};

#define WPROF_STRINGIFY_(x) #x
#define WPROF_STRINGIFY(x) WPROF_STRINGIFY_(x)
#define WPROF_MODULE_ENTRY_TEXT \
  "struct wprof_module_entry { " WPROF_STRINGIFY(WPROF_MODULE_ENTRY_FIELDS) " };\n"

#endif
