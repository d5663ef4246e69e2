/*
** instrument: probe insertion with the binaryen C API. See instrument.h for
** the shape of a rewritten function and docs/probe-abi.md for the contract.
*/
#include "instrument.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cost.h"
#include "expr-walk.h"
#include "xalloc.h"

#define BODY_LABEL "wprof$body"
#define ALLOC_DEPTH_GLOBAL "wprof$alloc_depth"
#define MAX_ALLOC_ARGS 4

struct instrumenter {
  BinaryenModuleRef m;
  bool count_cost;              /* --cost: the instruction counter's adds go in first */
  bool alloc_depth_added;
  char *err;
  size_t errlen;
  bool failed;
};

/* Per-function state while its body is walked. New locals are numbered
** after the existing ones and created when the function is rebuilt. */
struct func_rewrite {
  struct instrumenter *in;
  uint32_t fid;
  bool probe_calls;             /* enter/exit probes */
  bool hook_exits;              /* returns go to BODY_LABEL (probes or allocator epilogue) */
  BinaryenIndex first_new_local;
  BinaryenType *new_locals;
  BinaryenIndex num_new_locals, cap_new_locals;
  BinaryenIndex depth_local;    /* valid when has_catch */
  BinaryenIndex saved_alloc_depth_local; /* valid when has_catch && alloc_depth_added */
  bool has_catch;
  /* while rewriting one catch body: its pop replaced by this local */
  BinaryenIndex pop_local;
  BinaryenType pop_type;
  bool pop_found;
};

static void fail(struct instrumenter *in, const char *fmt, const char *arg) {
  if (!in->failed) snprintf(in->err, in->errlen, fmt, arg);
  in->failed = true;
}

static BinaryenIndex add_local(struct func_rewrite *fr, BinaryenType type) {
  if (fr->num_new_locals == fr->cap_new_locals) {
    fr->cap_new_locals = fr->cap_new_locals ? 2 * fr->cap_new_locals : 8;
    fr->new_locals = wprof_xrealloc(fr->new_locals, fr->cap_new_locals * sizeof *fr->new_locals);
  }
  fr->new_locals[fr->num_new_locals] = type;
  return fr->first_new_local + fr->num_new_locals++;
}

static BinaryenIndex new_cost_local(void *ctx, BinaryenType type) { return add_local(ctx, type); }

/* The internal name of probe `name`, importing it on first use. */
static const char *probe(struct instrumenter *in, const char *name, BinaryenType params,
                         BinaryenType results) {
  static char internal[64];
  snprintf(internal, sizeof internal, "wprof$%s", name);
  BinaryenFunctionRef existing = BinaryenGetFunction(in->m, internal);
  if (existing) {
    const char *module = BinaryenFunctionImportGetModule(existing);
    if (!module || strcmp(module, WPROF_ABI_IMPORT_MODULE) != 0) /* "" when not an import */
      fail(in, "a function is already named %s", internal);
    return BinaryenFunctionGetName(existing);
  }
  BinaryenAddFunctionImport(in->m, internal, WPROF_ABI_IMPORT_MODULE, name, params, results);
  return BinaryenFunctionGetName(BinaryenGetFunction(in->m, internal));
}

static BinaryenExpressionRef i32_const(struct instrumenter *in, int32_t v) {
  return BinaryenConst(in->m, BinaryenLiteralInt32(v));
}

static BinaryenExpressionRef call_probe(struct instrumenter *in, const char *name,
                                        BinaryenExpressionRef *args, BinaryenIndex nargs,
                                        BinaryenType result) {
  BinaryenType types[MAX_ALLOC_ARGS];
  for (BinaryenIndex i = 0; i < nargs; i++) types[i] = BinaryenExpressionGetType(args[i]);
  const char *target = probe(in, name, BinaryenTypeCreate(types, nargs), result);
  return BinaryenCall(in->m, target, args, nargs, result);
}

static BinaryenExpressionRef call_fid_probe(struct instrumenter *in, const char *name, uint32_t fid) {
  BinaryenExpressionRef arg = i32_const(in, (int32_t)fid);
  return call_probe(in, name, &arg, 1, BinaryenTypeNone());
}

/* "i32", "i64", ... for the exit_T probe of a single value type. */
static const char *value_type_suffix(BinaryenType t) {
  if (t == BinaryenTypeInt32()) return "i32";
  if (t == BinaryenTypeInt64()) return "i64";
  if (t == BinaryenTypeFloat32()) return "f32";
  if (t == BinaryenTypeFloat64()) return "f64";
  if (t == BinaryenTypeVec128()) return "v128";
  if (t == BinaryenTypeFuncref()) return "funcref";
  if (t == BinaryenTypeExternref()) return "externref";
  return NULL;
}

/* exit_T(fid, value): fires the exit probe after value is computed and
** hands the value on unchanged. */
static BinaryenExpressionRef exit_passing(struct instrumenter *in, uint32_t fid,
                                          BinaryenExpressionRef value) {
  BinaryenType t = BinaryenExpressionGetType(value);
  const char *suffix = value_type_suffix(t);
  if (!suffix) {
    fail(in, "unsupported value type in %s", "a result or tail-call operand");
    return value;
  }
  char name[32];
  snprintf(name, sizeof name, "exit_%s", suffix);
  BinaryenExpressionRef args[2] = {i32_const(in, (int32_t)fid), value};
  return call_probe(in, name, args, 2, t);
}

static BinaryenExpressionRef alloc_depth(struct instrumenter *in) {
  return BinaryenGlobalGet(in->m, ALLOC_DEPTH_GLOBAL, BinaryenTypeInt32());
}

static BinaryenExpressionRef replace_pop(void *ctx, BinaryenExpressionRef expr) {
  struct func_rewrite *fr = ctx;
  if (BinaryenExpressionGetId(expr) != BinaryenPopId()) return expr;
  if (!fr->pop_found) {
    fr->pop_found = true;
    fr->pop_type = BinaryenExpressionGetType(expr);
    fr->pop_local = add_local(fr, fr->pop_type);
  }
  return BinaryenLocalGet(fr->in->m, fr->pop_local, fr->pop_type);
}

/* catch body B  ->  { local.set tmp (pop); [restore alloc depth]; catch(fid, depth); B' }
** where B' is B reading tmp instead of the pop. The pop must stay first. */
static BinaryenExpressionRef instrument_catch_body(struct func_rewrite *fr,
                                                   BinaryenExpressionRef body) {
  struct instrumenter *in = fr->in;
  fr->pop_found = false;
  bool unsupported;
  body = walk_rewrite(body, replace_pop, fr, &unsupported);
  BinaryenExpressionRef parts[4];
  BinaryenIndex n = 0;
  if (fr->pop_found)
    parts[n++] = BinaryenLocalSet(in->m, fr->pop_local, BinaryenPop(in->m, fr->pop_type));
  if (in->alloc_depth_added)
    parts[n++] = BinaryenGlobalSet(
        in->m, ALLOC_DEPTH_GLOBAL,
        BinaryenLocalGet(in->m, fr->saved_alloc_depth_local, BinaryenTypeInt32()));
  BinaryenExpressionRef args[2] = {i32_const(in, (int32_t)fr->fid),
                                   BinaryenLocalGet(in->m, fr->depth_local, BinaryenTypeInt32())};
  parts[n++] = call_probe(in, "catch", args, 2, BinaryenTypeNone());
  parts[n++] = body;
  return BinaryenBlock(in->m, NULL, parts, n, BinaryenTypeAuto());
}

/* A tail call leaves the function: fire the exit after its operands. */
static BinaryenExpressionRef instrument_tail_call(struct func_rewrite *fr,
                                                  BinaryenExpressionRef call, bool indirect) {
  struct instrumenter *in = fr->in;
  if (indirect) {
    BinaryenCallIndirectSetTarget(
        call, exit_passing(in, fr->fid, BinaryenCallIndirectGetTarget(call)));
    return call;
  }
  BinaryenIndex n = BinaryenCallGetNumOperands(call);
  if (n > 0) {
    BinaryenCallSetOperandAt(call, n - 1,
                             exit_passing(in, fr->fid, BinaryenCallGetOperandAt(call, n - 1)));
    return call;
  }
  BinaryenExpressionRef parts[2] = {call_fid_probe(in, "exit", fr->fid), call};
  return BinaryenBlock(in->m, NULL, parts, 2, BinaryenTypeAuto());
}

static BinaryenExpressionRef rewrite(void *ctx, BinaryenExpressionRef expr) {
  struct func_rewrite *fr = ctx;
  struct instrumenter *in = fr->in;
  BinaryenExpressionId id = BinaryenExpressionGetId(expr);
  if (id == BinaryenReturnId() && fr->hook_exits)
    return BinaryenBreak(in->m, BODY_LABEL, NULL, BinaryenReturnGetValue(expr));
  if (id == BinaryenCallId() && BinaryenCallIsReturn(expr) && fr->probe_calls)
    return instrument_tail_call(fr, expr, false);
  if (id == BinaryenCallIndirectId() && BinaryenCallIndirectIsReturn(expr) && fr->probe_calls)
    return instrument_tail_call(fr, expr, true);
  if (id == BinaryenTryId() && BinaryenTryGetNumCatchBodies(expr) > 0) {
    if (!fr->has_catch) {
      fr->has_catch = true;
      fr->depth_local = add_local(fr, BinaryenTypeInt32());
      if (in->alloc_depth_added) fr->saved_alloc_depth_local = add_local(fr, BinaryenTypeInt32());
    }
    BinaryenIndex n = BinaryenTryGetNumCatchBodies(expr);
    for (BinaryenIndex i = 0; i < n; i++)
      BinaryenTrySetCatchBodyAt(expr, i,
                                instrument_catch_body(fr, BinaryenTryGetCatchBodyAt(expr, i)));
  }
  return expr;
}

/* Which arguments the allocation event needs after the body ran. */
static unsigned alloc_saved_args(enum alloc_kind kind, unsigned args[MAX_ALLOC_ARGS]) {
  switch (kind) {
    case ALLOC_MALLOC: args[0] = 0; return 1;
    case ALLOC_CALLOC: args[0] = 0; args[1] = 1; return 2;
    case ALLOC_REALLOC: args[0] = 0; args[1] = 1; return 2;
    case ALLOC_ALIGNED_ALLOC: args[0] = 1; return 1;
    case ALLOC_POSIX_MEMALIGN: args[0] = 0; args[1] = 2; return 2;
    case ALLOC_RUST_REALLOC: args[0] = 0; args[1] = 3; return 2;
    default: return 0;
  }
}

/* The allocation event, from the saved arguments and the result local. */
static BinaryenExpressionRef alloc_event(struct instrumenter *in, enum alloc_kind kind,
                                         const BinaryenIndex *saved, BinaryenIndex result) {
  BinaryenModuleRef m = in->m;
  BinaryenType i32 = BinaryenTypeInt32();
#define SAVED(i) BinaryenLocalGet(m, saved[i], i32)
#define RESULT BinaryenLocalGet(m, result, i32)
  BinaryenExpressionRef a[3];
  switch (kind) {
    case ALLOC_MALLOC:
    case ALLOC_ALIGNED_ALLOC:
      a[0] = RESULT, a[1] = SAVED(0);
      return call_probe(in, "alloc", a, 2, BinaryenTypeNone());
    case ALLOC_CALLOC:
      a[0] = RESULT, a[1] = BinaryenBinary(m, BinaryenMulInt32(), SAVED(0), SAVED(1));
      return call_probe(in, "alloc", a, 2, BinaryenTypeNone());
    case ALLOC_REALLOC:
    case ALLOC_RUST_REALLOC:
      a[0] = SAVED(0), a[1] = RESULT, a[2] = SAVED(1);
      return call_probe(in, "realloc", a, 3, BinaryenTypeNone());
    case ALLOC_POSIX_MEMALIGN: {
      /* on success (result 0) the block is at *out; on failure report ptr 0 */
      BinaryenExpressionRef ok[2] = {BinaryenLoad(m, 4, false, 0, 0, i32, SAVED(0)), SAVED(1)};
      BinaryenExpressionRef failed[2] = {i32_const(in, 0), SAVED(1)};
      return BinaryenIf(m, BinaryenUnary(m, BinaryenEqZInt32(), RESULT),
                        call_probe(in, "alloc", ok, 2, BinaryenTypeNone()),
                        call_probe(in, "alloc", failed, 2, BinaryenTypeNone()));
    }
    default:
      return NULL;
  }
#undef SAVED
#undef RESULT
}

static BinaryenExpressionRef set_alloc_depth(struct instrumenter *in, BinaryenOp op) {
  return BinaryenGlobalSet(in->m, ALLOC_DEPTH_GLOBAL,
                           BinaryenBinary(in->m, op, alloc_depth(in), i32_const(in, 1)));
}

/* Replaces f by a function of the same name, signature, locals and local
** names, with the new locals appended and the given body. */
static void rebuild_function(struct instrumenter *in, BinaryenFunctionRef f,
                             const struct func_rewrite *fr, BinaryenExpressionRef body) {
  const char *name = BinaryenFunctionGetName(f);
  BinaryenType params = BinaryenFunctionGetParams(f), results = BinaryenFunctionGetResults(f);
  BinaryenIndex num_vars = BinaryenFunctionGetNumVars(f);
  BinaryenIndex num_locals = BinaryenFunctionGetNumLocals(f);
  BinaryenIndex total_vars = num_vars + fr->num_new_locals;
  BinaryenType *vars = wprof_xmalloc(total_vars * sizeof *vars);
  const char **local_names = wprof_xcalloc(num_locals, sizeof *local_names);
  for (BinaryenIndex i = 0; i < num_vars; i++) vars[i] = BinaryenFunctionGetVar(f, i);
  for (BinaryenIndex i = 0; i < fr->num_new_locals; i++) vars[num_vars + i] = fr->new_locals[i];
  for (BinaryenIndex i = 0; i < num_locals; i++)
    if (BinaryenFunctionHasLocalName(f, i)) local_names[i] = BinaryenFunctionGetLocalName(f, i);
  BinaryenRemoveFunction(in->m, name);
  BinaryenFunctionRef g = BinaryenAddFunction(in->m, name, params, results, vars, total_vars, body);
  for (BinaryenIndex i = 0; i < num_locals; i++)
    if (local_names[i]) BinaryenFunctionSetLocalName(g, i, local_names[i]);
  free(vars);
  free(local_names);
}

/* The body with the probes: enter first, then allocator bookkeeping, the body
** in a block every normal way out reaches, and the exit (instrument.h). */
static BinaryenExpressionRef add_probes(struct func_rewrite *fr, BinaryenExpressionRef body,
                                       const struct func_plan *plan, BinaryenType results) {
  struct instrumenter *in = fr->in;
  BinaryenModuleRef m = in->m;
  uint32_t fid = fr->fid, num_results = results == BinaryenTypeNone() ? 0 : BinaryenTypeArity(results);
  enum alloc_kind alloc = plan->alloc;

  /* Allocator arguments are saved first thing: the body may reuse them. */
  unsigned arg_index[MAX_ALLOC_ARGS];
  unsigned num_saved = alloc_saved_args(alloc, arg_index);
  BinaryenIndex saved[MAX_ALLOC_ARGS];
  for (unsigned i = 0; i < num_saved; i++) saved[i] = add_local(fr, BinaryenTypeInt32());

  BinaryenExpressionRef parts[16];
  BinaryenIndex n = 0;
  if (plan->probe_calls) parts[n++] = call_fid_probe(in, "enter", fid);
  if (fr->has_catch)
    parts[n++] = BinaryenLocalSet(m, fr->depth_local, call_probe(in, "frame", NULL, 0, BinaryenTypeInt32()));
  if (alloc == ALLOC_FREE) {
    BinaryenExpressionRef ptr = BinaryenLocalGet(m, 0, BinaryenTypeInt32());
    parts[n++] = BinaryenIf(m, BinaryenUnary(m, BinaryenEqZInt32(), alloc_depth(in)),
                            call_probe(in, "free", &ptr, 1, BinaryenTypeNone()), NULL);
  }
  if (alloc != ALLOC_NONE) parts[n++] = set_alloc_depth(in, BinaryenAddInt32());
  for (unsigned i = 0; i < num_saved; i++)
    parts[n++] = BinaryenLocalSet(m, saved[i], BinaryenLocalGet(m, arg_index[i], BinaryenTypeInt32()));
  if (fr->has_catch && in->alloc_depth_added)
    parts[n++] = BinaryenLocalSet(m, fr->saved_alloc_depth_local, alloc_depth(in));

  if (!fr->hook_exits) {
    parts[n++] = body;
  } else {
    BinaryenExpressionRef core = BinaryenBlock(m, BODY_LABEL, &body, 1, results);
    bool result_local = num_results > 1 || (num_results == 1 && alloc != ALLOC_NONE);
    if (num_results == 0 || result_local) {
      BinaryenIndex result = 0;
      if (result_local) {
        result = add_local(fr, results);
        parts[n++] = BinaryenLocalSet(m, result, core);
      } else {
        parts[n++] = core;
      }
      if (alloc != ALLOC_NONE) {
        parts[n++] = set_alloc_depth(in, BinaryenSubInt32());
        BinaryenExpressionRef event = alloc_event(in, alloc, saved, result);
        if (event) parts[n++] = BinaryenIf(m, BinaryenUnary(m, BinaryenEqZInt32(), alloc_depth(in)), event, NULL);
      }
      if (plan->probe_calls) parts[n++] = call_fid_probe(in, "exit", fid);
      if (result_local) parts[n++] = BinaryenLocalGet(m, result, results);
    } else {
      parts[n++] = plan->probe_calls ? exit_passing(in, fid, core) : core;
    }
  }
  return BinaryenBlock(m, NULL, parts, n, results);
}

static void instrument_function(struct instrumenter *in, BinaryenFunctionRef f, uint32_t fid,
                                const struct func_plan *plan) {
  BinaryenModuleRef m = in->m;
  BinaryenType results = BinaryenFunctionGetResults(f);
  struct func_rewrite fr = {
      .in = in,
      .fid = fid,
      .probe_calls = plan->probe_calls && !plan->count_only,
      .hook_exits = (plan->probe_calls && !plan->count_only) || plan->alloc != ALLOC_NONE,
      .first_new_local = BinaryenFunctionGetNumLocals(f),
  };
  BinaryenExpressionRef body = BinaryenFunctionGetBody(f), original = body;
  bool unsupported = false;
  if (in->count_cost) body = cost_rewrite_body(m, body, new_cost_local, &fr, &unsupported);
  if (plan->count_only) { /* straight-line, no calls, not an allocator: nothing else to hook */
    BinaryenExpressionRef parts[2] = {call_fid_probe(in, "count", fid), body};
    body = BinaryenBlock(m, NULL, parts, 2, results);
  } else if (!unsupported) {
    body = walk_rewrite(body, rewrite, &fr, &unsupported);
    if (fr.hook_exits || fr.has_catch) body = add_probes(&fr, body, plan, results);
  }
  if (unsupported) fail(in, "function %s uses an expression kind wasm-instrument does not know",
                        BinaryenFunctionGetName(f));
  if (in->failed || (body == original && fr.num_new_locals == 0)) goto out;
  if (fr.num_new_locals > 0)
    rebuild_function(in, f, &fr, body);
  else
    BinaryenFunctionSetBody(f, body);
out:
  free(fr.new_locals);
}

int instrument_module(BinaryenModuleRef module, const struct func_plan *plan, uint32_t num_funcs,
                      bool count_cost, char *err, size_t errlen) {
  struct instrumenter in = {.m = module, .count_cost = count_cost, .err = err, .errlen = errlen};

  /* Collect the defined functions first: rebuilding moves a function to the
  ** end of binaryen's list. */
  BinaryenIndex total = BinaryenGetNumFunctions(module);
  BinaryenFunctionRef *defined = wprof_xmalloc(total * sizeof *defined);
  uint32_t count = 0;
  for (BinaryenIndex i = 0; i < total; i++) {
    BinaryenFunctionRef f = BinaryenGetFunctionByIndex(module, i);
    const char *import_module = BinaryenFunctionImportGetModule(f); /* "" when defined */
    if (!import_module || !import_module[0]) defined[count++] = f;
  }
  if (count != num_funcs) {
    snprintf(err, errlen, "binaryen read %u defined functions where the binary has %u", count, num_funcs);
    free(defined);
    return -1;
  }
  for (uint32_t k = 0; k < count; k++) {
    if (plan[k].alloc != ALLOC_NONE && !in.alloc_depth_added) {
      BinaryenAddGlobal(module, ALLOC_DEPTH_GLOBAL, BinaryenTypeInt32(), true, i32_const(&in, 0));
      in.alloc_depth_added = true;
    }
  }
  if (count_cost && cost_add_counter(module, err, errlen) != 0) {
    free(defined);
    return -1;
  }
  /* every function is walked: one with catch clauses reports unwinding
  ** even when its calls are not probed */
  for (uint32_t k = 0; k < count && !in.failed; k++) instrument_function(&in, defined[k], k, &plan[k]);
  free(defined);
  return in.failed ? -1 : 0;
}
