/*
** instrument: inserts the probes of docs/probe-abi.md into a binaryen module.
**
** This is the heart of wasm-instrument. Given a module binaryen has read
** and a plan per defined function (probe its calls? is it an allocator?), it
** rewrites each function so that:
**   - a function planned count-only gets `count(fid)` first and nothing else;
**   - otherwise `enter(fid)` runs first, and the body runs inside a block that every
**     normal way out reaches (returns become branches to it), after which
**     the exit probe fires once;
**   - tail calls fire the exit probe after their operands and stay tail calls;
**   - catch bodies report the depth the exception unwound to;
**   - allocators report their allocations once, from the outermost one.
** binaryen 108 cannot add locals to a function, so a function that needs
** temporaries is rebuilt with the same name, params, locals and body.
*/
#ifndef WPROF_INSTRUMENT_H
#define WPROF_INSTRUMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <binaryen-c.h>

#include "allocators.h"

struct func_plan {
  bool probe_calls;          /* its calls are counted: enter/exit probes, or count */
  bool count_only;           /* with probe_calls: one count probe on entry and no frame (--count-leaves) */
  enum alloc_kind alloc;     /* allocation probes of this kind, or ALLOC_NONE */
};

/* plan[k] is for the k-th defined function (fid k). With count_cost, the
** module also counts the instructions it executes (cost.h), every function
** included, probed or not. Returns 0, or -1 with a one-line reason in err. */
int instrument_module(BinaryenModuleRef module, const struct func_plan *plan, uint32_t num_funcs,
                      bool count_cost, char *err, size_t errlen);

#endif
