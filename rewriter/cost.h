/*
** cost: the instruction counter of `wasm-instrument --cost`.
**
** The module gets a mutable i64 global, exported as WPROF_ABI_COST_EXPORT,
** that counts the wasm instructions the module executes, exactly, in the
** unit docs/probe-abi.md defines ("Instruction cost"): each straight-line
** run of instructions adds its static count to the global where the run
** starts, so the program pays one add per run and never a host call. The
** host reads the global at each probe event, which makes it a clock that
** ticks per instruction and repeats from run to run.
*/
#ifndef WPROF_COST_H
#define WPROF_COST_H

#include <stdbool.h>
#include <stddef.h>
#include <binaryen-c.h>

/* Adds the counter global and its export. Returns 0, or -1 with a one-line
** reason in err (the module already has a global or an export of that name). */
int cost_add_counter(BinaryenModuleRef module, char *err, size_t errlen);

/* Makes a new local of the given type in the function being rewritten and
** returns its index. */
typedef BinaryenIndex (*cost_new_local_fn)(void *ctx, BinaryenType type);

/* Returns body with the counter's adds in it. Calls, br_if, if and joins
** that carry a value need a temporary: new_local makes it (one per type per
** function). Sets *unsupported when the body has an expression kind the
** walk does not know. */
BinaryenExpressionRef cost_rewrite_body(BinaryenModuleRef module, BinaryenExpressionRef body,
                                        cost_new_local_fn new_local, void *ctx, bool *unsupported);

#endif
