/*
** libwprof calling-context tree: the slow path of wprof_probe_enter (a
** callee other than the one predicted, see struct wprof_node), node storage, and the
** numbering of call paths when the run is written. Each thread has its own
** tree, so probes never synchronise; nodes are numbered in creation order
** over the whole run (one atomic increment per new path), and trees of
** several threads are merged path by path at the end.
*/
#include "wprof-internal.h"

#include <stdlib.h>

#define FIRST_BLOCK_NODES 256u
#define FIRST_CHILD_SLOTS 4u


void wprof__cct_init_root(struct wprof_node *root) {
  *root = (struct wprof_node){.fid = WPROF_ROOT_FID};
}

uint64_t wprof__cct_framed_instructions(const wprof_thread *t) {
  uint64_t sum = 0;
  for (uint32_t i = 0; i < t->root.child_cap; i++)
    if (t->root.children[i]) sum += t->root.children[i]->incl_instructions;
  return sum;
}

static WPROF_PROBE_CODE struct wprof_node *node_alloc(wprof_thread *t) {
  struct wprof_node_block *b = t->blocks;
  if (!b || b->used == b->cap) {
    uint32_t cap = b ? b->cap * 2 : FIRST_BLOCK_NODES;
    struct wprof_node_block *nb = malloc(sizeof *nb + (size_t)cap * sizeof nb->nodes[0]);
    if (!nb) wprof__out_of_memory();
    nb->next = b;
    nb->used = 0;
    nb->cap = cap;
    t->blocks = b = nb;
  }
  return &b->nodes[b->used++];
}

static WPROF_PROBE_CODE void child_insert(struct wprof_node **slots, uint32_t cap, struct wprof_node *child) {
  uint32_t i = wprof__fid_slot(child->fid, cap);
  while (slots[i]) i = (i + 1) & (cap - 1);
  slots[i] = child;
}

static WPROF_PROBE_CODE void children_grow(struct wprof_node *parent) {
  uint32_t cap = parent->child_cap ? parent->child_cap * 2 : FIRST_CHILD_SLOTS;
  struct wprof_node **slots = calloc(cap, sizeof *slots);
  if (!slots) wprof__out_of_memory();
  for (uint32_t i = 0; i < parent->child_cap; i++)
    if (parent->children[i]) child_insert(slots, cap, parent->children[i]);
  free(parent->children);
  parent->children = slots;
  parent->child_cap = cap;
}

WPROF_PROBE_CODE uint32_t wprof__node_id(wprof_thread *t, struct wprof_node *node) {
  if (node->raw_id == 0)
    node->raw_id = atomic_fetch_add_explicit(&t->rec->next_node_id, 1, memory_order_relaxed);
  return node->raw_id;
}

/* A new call path: kept out of wprof__child, so that a lookup (a
** mispredicted callee) saves no registers for it. */
static WPROF_PROBE_CODE __attribute__((noinline, cold)) struct wprof_node *child_new(wprof_thread *t, struct wprof_node *parent,
                                                                     uint32_t fid) {
  struct wprof_node *node = node_alloc(t);
  *node = (struct wprof_node){.fid = fid, .depth = parent->depth + 1, .parent = parent};
  node->successor = node;
  for (const struct wprof_node *a = parent; a->depth > 0; a = a->parent) {
    if (a->fid == fid) {
      node->recursive = true;
      break;
    }
  }
  wprof__node_id(t, node);
  if ((parent->nchildren + 1) * 2 > parent->child_cap) children_grow(parent);
  child_insert(parent->children, parent->child_cap, node);
  parent->nchildren++;
  return node;
}

WPROF_PROBE_CODE struct wprof_node *wprof__child_find(const struct wprof_node *parent, uint32_t fid) {
  uint32_t mask = parent->child_cap - 1;
  if (parent->child_cap) {
    for (uint32_t i = wprof__fid_slot(fid, parent->child_cap); parent->children[i]; i = (i + 1) & mask) {
      if (parent->children[i]->fid == fid) return parent->children[i];
    }
  }
  return NULL;
}

static WPROF_PROBE_CODE struct wprof_node *child_lookup(wprof_thread *t, struct wprof_node *parent, uint32_t fid) {
  struct wprof_node *node = wprof__child_find(parent, fid);
  return node ? node : child_new(t, parent, fid);
}

/* The child `fid` of `parent`, the path of the top frame. On a
** misprediction, the child entered before it learns it as its successor. */
WPROF_PROBE_CODE struct wprof_node *wprof__child(wprof_thread *t, struct wprof_node *parent, uint32_t fid) {
  struct wprof_node *node = parent->predicted;
  if (node == NULL || node->fid != fid) {
    node = child_lookup(t, parent, fid);
    if (parent->last_entered) parent->last_entered->successor = node;
  }
  parent->last_entered = node;
  parent->predicted = node->successor;
  return node;
}

static void node_free_children(struct wprof_node *node) {
  free(node->children);
}

void wprof__cct_free(wprof_thread *t) {
  node_free_children(&t->root);
  for (struct wprof_node_block *b = t->blocks, *next; b; b = next) {
    next = b->next;
    for (uint32_t i = 0; i < b->used; i++) node_free_children(&b->nodes[i]);
    free(b);
  }
  t->blocks = NULL;
}

/* Every numbered node of every thread, indexed by raw id (1..count). */
struct wprof_node **wprof__cct_collect(wprof_recorder *rec, uint32_t *count) {
  *count = atomic_load(&rec->next_node_id) - 1;
  struct wprof_node **by_raw = calloc((size_t)*count + 1, sizeof *by_raw);
  if (!by_raw) return NULL;
  for (wprof_thread *t = rec->threads; t; t = t->next) {
    if (t->root.raw_id) by_raw[t->root.raw_id] = &t->root;
    for (struct wprof_node_block *b = t->blocks; b; b = b->next)
      for (uint32_t i = 0; i < b->used; i++) by_raw[b->nodes[i].raw_id] = &b->nodes[i];
  }
  return by_raw;
}

/* Gives each node its call_paths id: nodes of different threads with the
** same path share one id. With one thread ids equal raw ids. Parents are
** numbered before their children because raw ids follow creation order.
** Returns the number of ids (0 on allocation failure). */
uint32_t wprof__cct_assign_final_ids(struct wprof_node **by_raw, uint32_t count, bool *renumbered) {
  /* key: (final id of the parent path, 0 for roots, UINT32_MAX for a thread's root; fid) */
  uint32_t cap = 16;
  while (cap < count * 2u) cap *= 2;
  uint64_t *keys = malloc(cap * sizeof *keys);
  uint32_t *ids = calloc(cap, sizeof *ids);
  if (!keys || !ids) {
    free(keys);
    free(ids);
    return 0;
  }
  uint32_t next = 1;
  *renumbered = false;
  for (uint32_t raw = 1; raw <= count; raw++) {
    struct wprof_node *n = by_raw[raw];
    uint32_t parent = n->depth == 0 ? UINT32_MAX : n->depth == 1 ? 0 : n->parent->final_id;
    uint64_t key = (uint64_t)parent << 32 | n->fid;
    uint32_t i = (uint32_t)((key * 0x9E3779B97F4A7C15u) >> 40) & (cap - 1);
    while (ids[i] && keys[i] != key) i = (i + 1) & (cap - 1);
    if (!ids[i]) {
      keys[i] = key;
      ids[i] = next++;
    }
    n->final_id = ids[i];
    if (n->final_id != raw) *renumbered = true;
  }
  free(keys);
  free(ids);
  return next - 1;
}
