/*
** expr-walk: a post-order rewriting walk over binaryen expression trees.
**
** binaryen's C API has getters and setters for each kind of expression but
** no generic way to visit children. The rewriter needs to reach every
** `return`, tail call and `try` however deeply nested, so this file knows
** the children of every expression kind that wasm-scan lets through (no GC
** kinds) and puts back whatever the callback returns in their place.
*/
#ifndef WPROF_EXPR_WALK_H
#define WPROF_EXPR_WALK_H

#include <stdbool.h>
#include <binaryen-c.h>

/* Called once per expression, children first. Returns the expression to
** put in its place (often expr itself). */
typedef BinaryenExpressionRef (*walk_rewrite_fn)(void *ctx, BinaryenExpressionRef expr);

/* Rewrites the tree under root and returns the new root. Sets *unsupported
** (and stops descending there) when it meets an expression kind it does not
** know: the caller must then refuse the module. */
BinaryenExpressionRef walk_rewrite(BinaryenExpressionRef root, walk_rewrite_fn fn, void *ctx,
                                   bool *unsupported);

/* Replaces each child of expr, in evaluation order, by fn(ctx, child); fn
** walks the child's own children itself if it wants to (a walk that must act
** before, between and after children, as the cost pass does at control flow).
** False when expr is of a kind this file does not know. */
bool walk_children(BinaryenExpressionRef expr, walk_rewrite_fn fn, void *ctx);

#endif
