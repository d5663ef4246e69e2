/*
** cost: puts the instruction counter's adds into a function body. See
** cost.h, and docs/probe-abi.md ("Instruction cost") for the unit.
**
** A run is a stretch of instructions that always execute together: it
** starts at the function's entry, at a loop's head, at each arm of an `if`,
** at each catch body, and after every instruction that may transfer control
** (a call, `br_if`, `if`, `try`, or a block that branches reach); it ends at
** the next of those. The body is walked twice in evaluation order: the first
** walk counts each run's instructions, the second puts
** `wprof$cost += N` where each run starts (none where N is 0 or the run can
** never execute). Both walks meet the same runs in the same order because
** the second changes nothing it has not walked yet.
*/
#include "cost.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr-walk.h"
#include "wprof-abi.h"
#include "xalloc.h"

#define COST_GLOBAL "wprof$cost"
#define MAX_TEMPS 16

struct cost_walk {
  BinaryenModuleRef m;
  bool apply;              /* the second walk: put the adds in */
  uint64_t *runs;          /* instructions per run, in the order the runs start */
  size_t nruns, cap_runs;
  size_t run;              /* the current run */
  const char **targets;    /* labels that some br, br_if or br_table names */
  size_t ntargets, cap_targets;
  struct {
    BinaryenType type;
    BinaryenIndex index;
  } temps[MAX_TEMPS];
  size_t ntemps;
  cost_new_local_fn new_local;
  void *ctx;
  bool unsupported;
};

static void *grow(void *array, size_t *cap, size_t size) {
  *cap = *cap ? 2 * *cap : 64;
  return wprof_xrealloc(array, *cap * size);
}

int cost_add_counter(BinaryenModuleRef m, char *err, size_t errlen) {
  if (BinaryenGetGlobal(m, COST_GLOBAL) || BinaryenGetExport(m, WPROF_ABI_COST_EXPORT)) {
    snprintf(err, errlen, "the module already has a global %s or an export %s", COST_GLOBAL, WPROF_ABI_COST_EXPORT);
    return -1;
  }
  BinaryenAddGlobal(m, COST_GLOBAL, BinaryenTypeInt64(), true, BinaryenConst(m, BinaryenLiteralInt64(0)));
  BinaryenAddGlobalExport(m, COST_GLOBAL, WPROF_ABI_COST_EXPORT);
  return 0;
}

/* ---- the labels branches reach ---- */

static void add_target(struct cost_walk *c, const char *name) {
  if (!name) return;
  for (size_t i = 0; i < c->ntargets; i++)
    if (strcmp(c->targets[i], name) == 0) return;
  if (c->ntargets == c->cap_targets) c->targets = grow(c->targets, &c->cap_targets, sizeof *c->targets);
  c->targets[c->ntargets++] = name;
}

static BinaryenExpressionRef collect_targets(void *ctx, BinaryenExpressionRef expr) {
  struct cost_walk *c = ctx;
  BinaryenExpressionId id = BinaryenExpressionGetId(expr);
  if (id == BinaryenBreakId()) {
    add_target(c, BinaryenBreakGetName(expr));
  } else if (id == BinaryenSwitchId()) {
    for (BinaryenIndex i = 0; i < BinaryenSwitchGetNumNames(expr); i++) add_target(c, BinaryenSwitchGetNameAt(expr, i));
    add_target(c, BinaryenSwitchGetDefaultName(expr));
  }
  return expr;
}

static bool is_target(const struct cost_walk *c, const char *name) {
  for (size_t i = 0; name && i < c->ntargets; i++)
    if (strcmp(c->targets[i], name) == 0) return true;
  return false;
}

/* ---- runs ---- */

/* Starts the next run; in the second walk, returns its instruction count. */
static uint64_t begin_run(struct cost_walk *c) {
  if (c->apply) {
    c->run++;
    return c->runs[c->run];
  }
  if (c->nruns == c->cap_runs) c->runs = grow(c->runs, &c->cap_runs, sizeof *c->runs);
  c->runs[c->nruns] = 0;
  c->run = c->nruns++;
  return 0;
}

static void count(struct cost_walk *c, uint64_t n) {
  if (!c->apply) c->runs[c->run] += n;
}

/* wprof$cost += n */
static BinaryenExpressionRef charge(struct cost_walk *c, uint64_t n) {
  BinaryenType i64 = BinaryenTypeInt64();
  return BinaryenGlobalSet(c->m, COST_GLOBAL,
                           BinaryenBinary(c->m, BinaryenAddInt64(), BinaryenGlobalGet(c->m, COST_GLOBAL, i64),
                                          BinaryenConst(c->m, BinaryenLiteralInt64((int64_t)n))));
}

/* A run of n instructions that starts with expr. */
static BinaryenExpressionRef charge_before(struct cost_walk *c, BinaryenExpressionRef expr, uint64_t n) {
  if (!c->apply || n == 0) return expr;
  BinaryenExpressionRef parts[2] = {charge(c, n), expr};
  return BinaryenBlock(c->m, NULL, parts, 2, BinaryenTypeAuto());
}

static BinaryenIndex temp(struct cost_walk *c, BinaryenType type) {
  for (size_t i = 0; i < c->ntemps; i++)
    if (c->temps[i].type == type) return c->temps[i].index;
  if (c->ntemps == MAX_TEMPS) abort(); /* more value types than wasm has */
  c->temps[c->ntemps].type = type;
  return c->temps[c->ntemps++].index = c->new_local(c->ctx, type);
}

/* A run starts right after expr (which may transfer control): its add goes
** after expr, whose value, if any, waits in a temporary meanwhile. Nothing
** after an expression that never falls through can run. */
static BinaryenExpressionRef charge_after(struct cost_walk *c, BinaryenExpressionRef expr) {
  uint64_t n = begin_run(c);
  BinaryenType type = BinaryenExpressionGetType(expr);
  if (!c->apply || n == 0 || type == BinaryenTypeUnreachable()) return expr;
  if (type == BinaryenTypeNone()) {
    BinaryenExpressionRef parts[2] = {expr, charge(c, n)};
    return BinaryenBlock(c->m, NULL, parts, 2, BinaryenTypeNone());
  }
  BinaryenIndex t = temp(c, type);
  BinaryenExpressionRef parts[3] = {BinaryenLocalSet(c->m, t, expr), charge(c, n), BinaryenLocalGet(c->m, t, type)};
  return BinaryenBlock(c->m, NULL, parts, 3, type);
}

/* ---- the walk ---- */

/* Instructions of the unit: everything but structure (block, loop, try and
** their ends) and what is not an instruction of the binary format (nop
** does nothing and engines drop it; pop and tuples are binaryen's own). */
static bool counted(BinaryenExpressionId id) {
  return id != BinaryenBlockId() && id != BinaryenLoopId() && id != BinaryenTryId() && id != BinaryenNopId() &&
         id != BinaryenPopId() && id != BinaryenTupleMakeId() && id != BinaryenTupleExtractId();
}

/* Instructions after which the next one is not always the next in line. */
static bool ends_run(BinaryenExpressionId id) {
  return id == BinaryenCallId() || id == BinaryenCallIndirectId() || id == BinaryenBreakId() ||
         id == BinaryenSwitchId() || id == BinaryenReturnId() || id == BinaryenUnreachableId() ||
         id == BinaryenThrowId() || id == BinaryenRethrowId();
}

static BinaryenExpressionRef visit(void *ctx, BinaryenExpressionRef expr);

/* A run that starts with the subtree expr (a loop body, an arm, a catch). */
static BinaryenExpressionRef visit_run(struct cost_walk *c, BinaryenExpressionRef expr) {
  uint64_t n = begin_run(c);
  return charge_before(c, visit(c, expr), n);
}

static BinaryenExpressionRef visit(void *ctx, BinaryenExpressionRef expr) {
  struct cost_walk *c = ctx;
  BinaryenExpressionId id = BinaryenExpressionGetId(expr);
  if (id == BinaryenLoopId()) {
    BinaryenExpressionRef body = BinaryenLoopGetBody(expr);
    BinaryenLoopSetBody(expr, is_target(c, BinaryenLoopGetName(expr)) ? visit_run(c, body) : visit(c, body));
    return expr;
  }
  if (id == BinaryenIfId()) {
    BinaryenIfSetCondition(expr, visit(c, BinaryenIfGetCondition(expr)));
    count(c, 1);
    BinaryenIfSetIfTrue(expr, visit_run(c, BinaryenIfGetIfTrue(expr)));
    if (BinaryenIfGetIfFalse(expr)) BinaryenIfSetIfFalse(expr, visit_run(c, BinaryenIfGetIfFalse(expr)));
    return charge_after(c, expr);
  }
  if (id == BinaryenTryId()) {
    BinaryenTrySetBody(expr, visit(c, BinaryenTryGetBody(expr)));
    for (BinaryenIndex i = 0; i < BinaryenTryGetNumCatchBodies(expr); i++)
      BinaryenTrySetCatchBodyAt(expr, i, visit_run(c, BinaryenTryGetCatchBodyAt(expr, i)));
    return charge_after(c, expr);
  }
  if (!walk_children(expr, visit, c)) c->unsupported = true;
  if (counted(id)) count(c, 1);
  if (ends_run(id) || (id == BinaryenBlockId() && is_target(c, BinaryenBlockGetName(expr))))
    return charge_after(c, expr);
  return expr;
}

BinaryenExpressionRef cost_rewrite_body(BinaryenModuleRef module, BinaryenExpressionRef body,
                                        cost_new_local_fn new_local, void *ctx, bool *unsupported) {
  struct cost_walk c = {.m = module, .new_local = new_local, .ctx = ctx};
  walk_rewrite(body, collect_targets, &c, unsupported);
  if (!*unsupported) {
    visit_run(&c, body); /* counts: changes nothing */
    c.apply = true;
    c.run = (size_t)-1;
    body = visit_run(&c, body);
    *unsupported = c.unsupported;
  }
  free(c.runs);
  free(c.targets);
  return body;
}
