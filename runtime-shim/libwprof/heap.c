/*
** libwprof heap accounting: the allocation probes. Each live block's size
** and allocation site (call path) are remembered where the guest's
** allocator put it: allocators return 8-byte aligned blocks, so a shadow of
** the guest's 4 GiB address space has one entry per 8-byte granule, in
** leaves of 64 KiB of guest memory made when a block first starts in one.
** A probe then touches the shadow of the memory the allocator just touched:
** a hash table spreads SQLite's 260,000 live blocks over 16 MB at random,
** and a cache miss per event cost it 200 ns (bench/RESULTS.md). The shadow
** takes as much memory as the guest's heap spans, at most.
**
** Blocks at other addresses go to an open addressing table on the pointer.
** Freed blocks leave a mark (a granule's WPROF_GRANULE_FREED, a table's
** tombstone until the next rehash), so that a second free of the same
** pointer is told apart from a free of a pointer never allocated.
**
** Per-site peaks cost O(1) per event: the heap's peak epoch is bumped at
** each new peak, and a site copies its live counts into its peak counts
** before its first change after a peak (it had not changed since, so that
** is what it had live at the peak). wprof__heap_settle finishes the job
** for sites untouched since the last peak.
*/
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS, MADV_HUGEPAGE, MADV_POPULATE_WRITE */
#include "wprof-internal.h"

#include <stdlib.h>
#include <sys/mman.h>

#define FIRST_BLOCK_SLOTS 1024u

#define GRANULE_SHIFT 3                           /* 8-byte granules */
#define LEAF_SHIFT 16                             /* a leaf shadows 64 KiB of guest memory */
#define LEAF_GRANULES (1u << (LEAF_SHIFT - GRANULE_SHIFT))
#define LEAF_BYTES (LEAF_GRANULES * sizeof(struct wprof_granule))
#define SHADOW_LEAVES (1u << (32 - LEAF_SHIFT))
#define LEAF_RUN (32u * LEAF_BYTES)                /* leaves are mapped 32 at a time */

#define HUGE_PAGE (2u << 20)
#define MAPPED_TABLE (64u << 10)

/* Zeroed memory for a table or a run of leaves. Its pages are all touched
** soon after it is made, and where page faults are dear (virtual machines:
** ~10 us each here) one fault per 4 KiB page costs more than all the
** probes' work. So large tables are mapped, asked for transparent huge
** pages, and populated by one system call; all three are hints the kernel
** may ignore. */
static WPROF_PROBE_CODE void *zeroed_map(size_t bytes) {
  size_t align = bytes >= HUGE_PAGE ? HUGE_PAGE : 0;
  char *p = mmap(NULL, bytes + align, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return NULL;
  if (align) { /* trim to start on a huge page */
    size_t head = (align - (uintptr_t)p % align) % align;
    if (head) munmap(p, head);
    munmap(p + head + bytes, align - head);
    p += head;
    madvise(p, bytes, MADV_HUGEPAGE);
  }
#ifdef MADV_POPULATE_WRITE
  madvise(p, bytes, MADV_POPULATE_WRITE);
#endif
  return p;
}

/* A zeroed table of cap blocks. */
static WPROF_PROBE_CODE struct wprof_block *blocks_alloc(size_t cap) {
  size_t bytes = cap * sizeof(struct wprof_block);
  return bytes < MAPPED_TABLE ? calloc(cap, sizeof(struct wprof_block)) : zeroed_map(bytes);
}

static WPROF_PROBE_CODE void blocks_free(struct wprof_block *slots, size_t cap) {
  if (cap * sizeof(struct wprof_block) < MAPPED_TABLE) free(slots);
  else munmap(slots, cap * sizeof(struct wprof_block));
}

int wprof__heap_init(struct wprof_heap *heap) {
  *heap = (struct wprof_heap){.next_event_id = 1};
  heap->leaves = calloc(SHADOW_LEAVES, sizeof *heap->leaves); /* untouched pages: no memory until used */
  heap->slots = blocks_alloc(FIRST_BLOCK_SLOTS);
  if (!heap->leaves || !heap->slots) {
    free(heap->leaves);
    if (heap->slots) blocks_free(heap->slots, FIRST_BLOCK_SLOTS);
    return -1;
  }
  heap->cap = FIRST_BLOCK_SLOTS;
  return pthread_mutex_init(&heap->lock, NULL) == 0 ? 0 : -1;
}


static WPROF_PROBE_CODE size_t block_slot(const struct wprof_block *slots, size_t cap, uint32_t ptr) {
  size_t i = (size_t)(((uint64_t)ptr * 0x9E3779B97F4A7C15u) >> 20) & (cap - 1);
  while (slots[i].ptr && slots[i].ptr != ptr) i = (i + 1) & (cap - 1);
  return i;
}

/* ptr's granule within its leaf. */
static inline uint32_t granule_in_leaf(uint32_t ptr) {
  return (ptr & ((1u << LEAF_SHIFT) - 1)) >> GRANULE_SHIFT;
}

/* The granule where ptr (8-byte aligned) starts; NULL if its leaf was never
** made and make is false. */
static WPROF_PROBE_CODE struct wprof_granule *granule_of(struct wprof_heap *heap, uint32_t ptr, bool make) {
  struct wprof_granule **leaf = &heap->leaves[ptr >> LEAF_SHIFT];
  if (WPROF_UNLIKELY(!*leaf)) {
    if (!make) return NULL;
    if (heap->leaf_next == heap->leaf_end) {
      heap->leaf_next = zeroed_map(LEAF_RUN);
      if (!heap->leaf_next) wprof__out_of_memory();
      heap->leaf_end = heap->leaf_next + LEAF_RUN;
    }
    *leaf = (struct wprof_granule *)(void *)heap->leaf_next;
    heap->leaf_next += LEAF_BYTES;
  }
  return &(*leaf)[granule_in_leaf(ptr)];
}

static bool in_shadow(uint32_t ptr) {
  return (ptr & ((1u << GRANULE_SHIFT) - 1)) == 0;
}

/* Rebuilds the table without its tombstones, larger if live blocks fill a quarter of it. */
static WPROF_PROBE_CODE void blocks_rehash(struct wprof_heap *heap) {
  size_t cap = heap->live * 4 > heap->cap ? heap->cap * 2 : heap->cap;
  struct wprof_block *slots = blocks_alloc(cap);
  if (!slots) wprof__out_of_memory();
  for (size_t i = 0; i < heap->cap; i++) {
    if (heap->slots[i].site) slots[block_slot(slots, cap, heap->slots[i].ptr)] = heap->slots[i];
  }
  blocks_free(heap->slots, heap->cap);
  heap->slots = slots;
  heap->cap = cap;
  heap->used = heap->live;
}

/* The site of a call path, made at its first allocation. */
static WPROF_PROBE_CODE struct wprof_site *site_of(wprof_thread *t, struct wprof_heap *heap, struct wprof_node *node) {
  if (node->site) return node->site;
  wprof__node_id(t, node); /* the thread's root is numbered once it allocates */
  if (heap->nsites == heap->sites_cap) {
    uint32_t cap = heap->sites_cap ? heap->sites_cap * 2 : 256;
    struct wprof_site **sites = realloc(heap->sites, cap * sizeof *sites);
    if (!sites) wprof__out_of_memory();
    heap->sites = sites;
    heap->sites_cap = cap;
  }
  struct wprof_site *site = calloc(1, sizeof *site);
  if (!site) wprof__out_of_memory();
  site->index = heap->nsites;
  heap->sites[heap->nsites++] = site;
  return node->site = site;
}

/* Before a site changes: if the heap peaked since its last change, what it
** has live now is what it had live at that peak. */
static WPROF_PROBE_CODE void site_touch(const struct wprof_heap *heap, struct wprof_site *site) {
  if (site->snap_epoch < heap->epoch) {
    site->peak_objects = site->live_objects;
    site->peak_bytes = site->live_bytes;
    site->snap_epoch = heap->epoch;
  }
}

/* A block of size bytes allocated at site is freed. */
static WPROF_PROBE_CODE void site_release(struct wprof_heap *heap, struct wprof_site *site, uint32_t size) {
  site_touch(heap, site);
  site->free_objects++;
  site->free_bytes += size;
  site->live_objects--;
  site->live_bytes -= size;
  heap->live_objects--;
  heap->live_bytes -= size;
}

/* A block of size bytes is allocated at site. */
static WPROF_PROBE_CODE void site_acquire(wprof_thread *t, struct wprof_heap *heap, struct wprof_site *site, uint32_t size) {
  site_touch(heap, site);
  site->alloc_objects++;
  site->alloc_bytes += size;
  site->live_objects++;
  site->live_bytes += size;
  heap->live_objects++;
  heap->live_bytes += size;
  if (heap->live_bytes > heap->peak_bytes) {
    heap->peak_bytes = heap->live_bytes;
    heap->peak_objects = heap->live_objects;
    heap->peak_ticks = wprof__clock_read(t->rec, t->rec->clock); /* the run's clock, also with sampled time */
    heap->epoch++;
    site->peak_objects = site->live_objects;
    site->peak_bytes = site->live_bytes;
    site->snap_epoch = heap->epoch;
  }
}

static WPROF_PROBE_CODE void granule_release(struct wprof_heap *heap, struct wprof_granule *g) {
  site_release(heap, heap->sites[g->site - 1], g->size);
  *g = (struct wprof_granule){.site = WPROF_GRANULE_FREED};
}

static WPROF_PROBE_CODE void slot_release(struct wprof_heap *heap, struct wprof_block *b) {
  site_release(heap, b->site, b->size);
  heap->live--;
  b->site = NULL;
  b->size = 0;
}

static WPROF_PROBE_CODE void block_free(struct wprof_heap *heap, uint32_t ptr) {
  if (in_shadow(ptr)) {
    struct wprof_granule *g = granule_of(heap, ptr, false);
    if (!g || !g->site)
      heap->unknown_frees++;
    else if (g->site == WPROF_GRANULE_FREED)
      heap->double_frees++;
    else
      granule_release(heap, g);
    return;
  }
  struct wprof_block *b = &heap->slots[block_slot(heap->slots, heap->cap, ptr)];
  if (!b->ptr)
    heap->unknown_frees++;
  else if (!b->site)
    heap->double_frees++;
  else
    slot_release(heap, b);
}

static WPROF_PROBE_CODE void block_alloc(wprof_thread *t, struct wprof_heap *heap, struct wprof_node *node, uint32_t ptr, uint32_t size) {
  struct wprof_site *site = site_of(t, heap, node);
  if (in_shadow(ptr)) {
    struct wprof_granule *g = granule_of(heap, ptr, true);
    if (g->site && g->site != WPROF_GRANULE_FREED) granule_release(heap, g); /* its free was not seen */
    *g = (struct wprof_granule){.size = size, .site = site->index + 1};
  } else {
    struct wprof_block *b = &heap->slots[block_slot(heap->slots, heap->cap, ptr)];
    if (b->site) slot_release(heap, b); /* its free was not seen */
    if (!b->ptr) {
      if ((heap->used + 1) * 10 > heap->cap * 7) {
        blocks_rehash(heap);
        b = &heap->slots[block_slot(heap->slots, heap->cap, ptr)];
      }
      heap->used++;
    }
    *b = (struct wprof_block){.ptr = ptr, .size = size, .site = site};
    heap->live++;
  }
  site_acquire(t, heap, site, size);
}

/* A free of an aligned block waits for the next allocation event (or the
** end of the run) to be counted: its granule, cold when the block was
** allocated long before, is prefetched now, and the guest's own free()
** hides the cache miss. Events are still counted in their order. */
static WPROF_PROBE_CODE void free_later(struct wprof_heap *heap, uint32_t ptr) {
  struct wprof_granule *leaf = heap->leaves[ptr >> LEAF_SHIFT];
  if (leaf) __builtin_prefetch(&leaf[granule_in_leaf(ptr)], 1);
  heap->pending_free = ptr;
}

static WPROF_PROBE_CODE void free_pending(struct wprof_heap *heap) {
  if (heap->pending_free) {
    block_free(heap, heap->pending_free);
    heap->pending_free = 0;
  }
}

/* One allocation probe (docs/probe-abi.md): ALLOC (ptr, size), FREE (old),
** REALLOC (old, ptr, size), credited to the call path on top of the stack. */
WPROF_PROBE_CODE void wprof__heap_event(wprof_thread *t, enum wprof_alloc_event kind, uint32_t old, uint32_t ptr, uint32_t size) {
  if (kind == WPROF_EV_FREE && old == 0) return;  /* free(NULL) is a no-op */
  struct wprof_heap *heap = &t->rec->heap;
  bool shared = atomic_load_explicit(&t->rec->nthreads, memory_order_relaxed) > 1;
  if (shared) pthread_mutex_lock(&heap->lock);
  free_pending(heap);
  struct wprof_node *node = t->probe.cur;
  if (kind == WPROF_EV_REALLOC && old != 0 && (ptr != 0 || size == 0)) block_free(heap, old);
  if (kind == WPROF_EV_FREE) {
    if (in_shadow(old))
      free_later(heap, old);
    else
      block_free(heap, old);
  }
  if (kind != WPROF_EV_FREE && ptr != 0) block_alloc(t, heap, node, ptr, size);
  if (t->trace) {
    uint64_t id = heap->next_event_id++;
    wprof__trace_alloc(t, kind, wprof__now(t), old, ptr, size, id, wprof__node_id(t, node));
  }
  if (shared) pthread_mutex_unlock(&heap->lock);
}

void wprof__heap_settle(struct wprof_heap *heap) {
  free_pending(heap);
  for (uint32_t i = 0; i < heap->nsites; i++) site_touch(heap, heap->sites[i]);
}

void wprof__heap_free_all(struct wprof_heap *heap) {
  for (uint32_t i = 0; i < heap->nsites; i++) free(heap->sites[i]);
  free(heap->sites);
  for (uint32_t i = 0; i < SHADOW_LEAVES; i++)
    if (heap->leaves[i]) munmap(heap->leaves[i], LEAF_BYTES);
  if (heap->leaf_next != heap->leaf_end) munmap(heap->leaf_next, (size_t)(heap->leaf_end - heap->leaf_next));
  free(heap->leaves);
  blocks_free(heap->slots, heap->cap);
  pthread_mutex_destroy(&heap->lock);
  *heap = (struct wprof_heap){0};
}
