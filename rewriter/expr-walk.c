/*
** expr-walk: the children of every binaryen expression kind, visited in
** evaluation order, each replaced by what the rewrite callback returns.
** See expr-walk.h.
*/
#include "expr-walk.h"

#include <stddef.h>

struct walk {
  walk_rewrite_fn fn;
  void *ctx;
  bool unsupported;
  bool shallow;  /* walk_children: fn replaces each child, which it walks itself */
};

static BinaryenExpressionRef visit(struct walk *w, BinaryenExpressionRef expr);

/* One child slot: get it, rewrite it, set it back when it changed. */
#define CHILD(KIND, FIELD)                                                        \
  do {                                                                            \
    BinaryenExpressionRef child_ = Binaryen##KIND##Get##FIELD(expr);              \
    if (child_) {                                                                 \
      BinaryenExpressionRef new_ = visit(w, child_);                              \
      if (new_ != child_) Binaryen##KIND##Set##FIELD(expr, new_);                 \
    }                                                                             \
  } while (0)

/* A list of child slots: operands, block children, catch bodies. */
#define CHILDREN(KIND, COUNT, AT)                                                 \
  do {                                                                            \
    BinaryenIndex n_ = Binaryen##KIND##GetNum##COUNT(expr);                       \
    for (BinaryenIndex i_ = 0; i_ < n_; i_++) {                                   \
      BinaryenExpressionRef child_ = Binaryen##KIND##Get##AT##At(expr, i_);       \
      BinaryenExpressionRef new_ = visit(w, child_);                              \
      if (new_ != child_) Binaryen##KIND##Set##AT##At(expr, i_, new_);            \
    }                                                                             \
  } while (0)

static void visit_children(struct walk *w, BinaryenExpressionRef expr) {
  BinaryenExpressionId id = BinaryenExpressionGetId(expr);
  if (id == BinaryenBlockId()) {
    CHILDREN(Block, Children, Child);
  } else if (id == BinaryenIfId()) {
    CHILD(If, Condition);
    CHILD(If, IfTrue);
    CHILD(If, IfFalse);
  } else if (id == BinaryenLoopId()) {
    CHILD(Loop, Body);
  } else if (id == BinaryenBreakId()) {
    CHILD(Break, Value);
    CHILD(Break, Condition);
  } else if (id == BinaryenSwitchId()) {
    CHILD(Switch, Value);
    CHILD(Switch, Condition);
  } else if (id == BinaryenCallId()) {
    CHILDREN(Call, Operands, Operand);
  } else if (id == BinaryenCallIndirectId()) {
    CHILDREN(CallIndirect, Operands, Operand);
    CHILD(CallIndirect, Target);
  } else if (id == BinaryenLocalSetId()) {
    CHILD(LocalSet, Value);
  } else if (id == BinaryenGlobalSetId()) {
    CHILD(GlobalSet, Value);
  } else if (id == BinaryenLoadId()) {
    CHILD(Load, Ptr);
  } else if (id == BinaryenStoreId()) {
    CHILD(Store, Ptr);
    CHILD(Store, Value);
  } else if (id == BinaryenAtomicRMWId()) {
    CHILD(AtomicRMW, Ptr);
    CHILD(AtomicRMW, Value);
  } else if (id == BinaryenAtomicCmpxchgId()) {
    CHILD(AtomicCmpxchg, Ptr);
    CHILD(AtomicCmpxchg, Expected);
    CHILD(AtomicCmpxchg, Replacement);
  } else if (id == BinaryenAtomicWaitId()) {
    CHILD(AtomicWait, Ptr);
    CHILD(AtomicWait, Expected);
    CHILD(AtomicWait, Timeout);
  } else if (id == BinaryenAtomicNotifyId()) {
    CHILD(AtomicNotify, Ptr);
    CHILD(AtomicNotify, NotifyCount);
  } else if (id == BinaryenSIMDExtractId()) {
    CHILD(SIMDExtract, Vec);
  } else if (id == BinaryenSIMDReplaceId()) {
    CHILD(SIMDReplace, Vec);
    CHILD(SIMDReplace, Value);
  } else if (id == BinaryenSIMDShuffleId()) {
    CHILD(SIMDShuffle, Left);
    CHILD(SIMDShuffle, Right);
  } else if (id == BinaryenSIMDTernaryId()) {
    CHILD(SIMDTernary, A);
    CHILD(SIMDTernary, B);
    CHILD(SIMDTernary, C);
  } else if (id == BinaryenSIMDShiftId()) {
    CHILD(SIMDShift, Vec);
    CHILD(SIMDShift, Shift);
  } else if (id == BinaryenSIMDLoadId()) {
    CHILD(SIMDLoad, Ptr);
  } else if (id == BinaryenSIMDLoadStoreLaneId()) {
    CHILD(SIMDLoadStoreLane, Ptr);
    CHILD(SIMDLoadStoreLane, Vec);
  } else if (id == BinaryenMemoryInitId()) {
    CHILD(MemoryInit, Dest);
    CHILD(MemoryInit, Offset);
    CHILD(MemoryInit, Size);
  } else if (id == BinaryenMemoryCopyId()) {
    CHILD(MemoryCopy, Dest);
    CHILD(MemoryCopy, Source);
    CHILD(MemoryCopy, Size);
  } else if (id == BinaryenMemoryFillId()) {
    CHILD(MemoryFill, Dest);
    CHILD(MemoryFill, Value);
    CHILD(MemoryFill, Size);
  } else if (id == BinaryenUnaryId()) {
    CHILD(Unary, Value);
  } else if (id == BinaryenBinaryId()) {
    CHILD(Binary, Left);
    CHILD(Binary, Right);
  } else if (id == BinaryenSelectId()) {
    CHILD(Select, IfTrue);
    CHILD(Select, IfFalse);
    CHILD(Select, Condition);
  } else if (id == BinaryenDropId()) {
    CHILD(Drop, Value);
  } else if (id == BinaryenReturnId()) {
    CHILD(Return, Value);
  } else if (id == BinaryenMemoryGrowId()) {
    CHILD(MemoryGrow, Delta);
  } else if (id == BinaryenRefIsId()) {
    CHILD(RefIs, Value);
  } else if (id == BinaryenRefEqId()) {
    CHILD(RefEq, Left);
    CHILD(RefEq, Right);
  } else if (id == BinaryenTableGetId()) {
    CHILD(TableGet, Index);
  } else if (id == BinaryenTableSetId()) {
    CHILD(TableSet, Index);
    CHILD(TableSet, Value);
  } else if (id == BinaryenTableGrowId()) {
    CHILD(TableGrow, Value);
    CHILD(TableGrow, Delta);
  } else if (id == BinaryenTryId()) {
    CHILD(Try, Body);
    CHILDREN(Try, CatchBodies, CatchBody);
  } else if (id == BinaryenThrowId()) {
    CHILDREN(Throw, Operands, Operand);
  } else if (id == BinaryenTupleMakeId()) {
    CHILDREN(TupleMake, Operands, Operand);
  } else if (id == BinaryenTupleExtractId()) {
    CHILD(TupleExtract, Tuple);
  } else if (id == BinaryenNopId() || id == BinaryenLocalGetId() || id == BinaryenGlobalGetId() ||
             id == BinaryenAtomicFenceId() || id == BinaryenDataDropId() ||
             id == BinaryenConstId() || id == BinaryenMemorySizeId() ||
             id == BinaryenUnreachableId() || id == BinaryenPopId() || id == BinaryenRefNullId() ||
             id == BinaryenRefFuncId() || id == BinaryenTableSizeId() ||
             id == BinaryenRethrowId()) {
    /* leaves */
  } else {
    w->unsupported = true;
  }
}

static BinaryenExpressionRef visit(struct walk *w, BinaryenExpressionRef expr) {
  if (!w->shallow) visit_children(w, expr);
  return w->fn(w->ctx, expr);
}

BinaryenExpressionRef walk_rewrite(BinaryenExpressionRef root, walk_rewrite_fn fn, void *ctx,
                                   bool *unsupported) {
  struct walk w = {fn, ctx, false, false};
  BinaryenExpressionRef out = visit(&w, root);
  *unsupported = w.unsupported;
  return out;
}

bool walk_children(BinaryenExpressionRef expr, walk_rewrite_fn fn, void *ctx) {
  struct walk w = {fn, ctx, false, true};
  visit_children(&w, expr);
  return !w.unsupported;
}
