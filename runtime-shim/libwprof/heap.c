/*
** libwprof heap accounting: the allocation probes. A table of live blocks
** (open addressing on the pointer) remembers each block's size and the
** allocation site (call path) it is credited to; freed blocks stay in the
** table as tombstones until the next rehash, so that a second free of the
** same pointer is told apart from a free of a pointer never allocated.
** Slots are 16 bytes and found by a multiplicative hash: a home slot that
** followed the address (to share cache lines between neighbouring blocks)
** was no faster on SQLite's allocations and, at 16-byte granules, ten
** times slower (long probe runs); bench/libwprof replays such traces.
**
** Per-site peaks cost O(1) per event: the heap's peak epoch is bumped at
** each new peak, and a site copies its live counts into its peak counts
** before its first change after a peak (it had not changed since, so that
** is what it had live at the peak). wprof__heap_resolve_peaks finishes the
** job for sites untouched since the last peak.
*/
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS, MADV_HUGEPAGE, MADV_POPULATE_WRITE */
#include "wprof-internal.h"

#include <stdlib.h>
#include <sys/mman.h>

#define FIRST_BLOCK_SLOTS 1024u

#define HUGE_PAGE (2u << 20)
#define MAPPED_TABLE (64u << 10)

/* A zeroed table of cap blocks. A table's pages are all touched soon after
** it is made, and where page faults are dear (virtual machines: ~10 us
** each here) one fault per 4 KiB page costs more than all the probes' work.
** So large tables are mapped, asked for transparent huge pages, and
** populated by one system call; all three are hints the kernel may ignore. */
static WPROF_PROBE_CODE struct wprof_block *blocks_alloc(size_t cap) {
  size_t bytes = cap * sizeof(struct wprof_block);
  if (bytes < MAPPED_TABLE) return calloc(cap, sizeof(struct wprof_block));
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
  return (struct wprof_block *)p;
}

static WPROF_PROBE_CODE void blocks_free(struct wprof_block *slots, size_t cap) {
  if (cap * sizeof(struct wprof_block) < MAPPED_TABLE) free(slots);
  else munmap(slots, cap * sizeof(struct wprof_block));
}

int wprof__heap_init(struct wprof_heap *heap) {
  *heap = (struct wprof_heap){.next_event_id = 1};
  heap->slots = blocks_alloc(FIRST_BLOCK_SLOTS);
  if (!heap->slots) return -1;
  heap->cap = FIRST_BLOCK_SLOTS;
  return pthread_mutex_init(&heap->lock, NULL) == 0 ? 0 : -1;
}


static WPROF_PROBE_CODE size_t block_slot(const struct wprof_block *slots, size_t cap, uint32_t ptr) {
  size_t i = (size_t)(((uint64_t)ptr * 0x9E3779B97F4A7C15u) >> 20) & (cap - 1);
  while (slots[i].ptr && slots[i].ptr != ptr) i = (i + 1) & (cap - 1);
  return i;
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

static WPROF_PROBE_CODE struct wprof_site *site_of(wprof_thread *t, struct wprof_heap *heap, struct wprof_node *node) {
  if (node->site) return node->site;
  wprof__node_id(t, node); /* the thread's root is numbered once it allocates */
  struct wprof_site_block *b = heap->sites;
  if (!b || b->used == sizeof b->sites / sizeof b->sites[0]) {
    b = calloc(1, sizeof *b);
    if (!b) wprof__out_of_memory();
    b->next = heap->sites;
    heap->sites = b;
  }
  return node->site = &b->sites[b->used++];
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

static WPROF_PROBE_CODE void block_release(struct wprof_heap *heap, struct wprof_block *b) {
  struct wprof_site *site = b->site;
  site_touch(heap, site);
  site->free_objects++;
  site->free_bytes += b->size;
  site->live_objects--;
  site->live_bytes -= b->size;
  heap->live_objects--;
  heap->live_bytes -= b->size;
  heap->live--;
  b->site = NULL;
  b->size = 0;
}

static WPROF_PROBE_CODE void block_free(struct wprof_heap *heap, uint32_t ptr) {
  struct wprof_block *b = &heap->slots[block_slot(heap->slots, heap->cap, ptr)];
  if (!b->ptr)
    heap->unknown_frees++;
  else if (!b->site)
    heap->double_frees++;
  else
    block_release(heap, b);
}

static WPROF_PROBE_CODE void block_alloc(wprof_thread *t, struct wprof_heap *heap, struct wprof_node *node, uint32_t ptr, uint32_t size) {
  struct wprof_block *b = &heap->slots[block_slot(heap->slots, heap->cap, ptr)];
  if (b->site) block_release(heap, b);  /* its free was not seen */
  if (!b->ptr) {
    if ((heap->used + 1) * 10 > heap->cap * 7) {
      blocks_rehash(heap);
      b = &heap->slots[block_slot(heap->slots, heap->cap, ptr)];
    }
    heap->used++;
  }
  struct wprof_site *site = site_of(t, heap, node);
  site_touch(heap, site);
  site->alloc_objects++;
  site->alloc_bytes += size;
  site->live_objects++;
  site->live_bytes += size;
  *b = (struct wprof_block){.ptr = ptr, .size = size, .site = site};
  heap->live++;
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

/* One allocation probe (docs/probe-abi.md): ALLOC (ptr, size), FREE (old),
** REALLOC (old, ptr, size), credited to the call path on top of the stack. */
WPROF_PROBE_CODE void wprof__heap_event(wprof_thread *t, enum wprof_alloc_event kind, uint32_t old, uint32_t ptr, uint32_t size) {
  if (kind == WPROF_EV_FREE && old == 0) return;  /* free(NULL) is a no-op */
  struct wprof_heap *heap = &t->rec->heap;
  bool shared = atomic_load_explicit(&t->rec->nthreads, memory_order_relaxed) > 1;
  if (shared) pthread_mutex_lock(&heap->lock);
  struct wprof_node *node = t->probe.cur;
  if (kind == WPROF_EV_REALLOC && old != 0 && (ptr != 0 || size == 0)) block_free(heap, old);
  if (kind == WPROF_EV_FREE) block_free(heap, old);
  if (kind != WPROF_EV_FREE && ptr != 0) block_alloc(t, heap, node, ptr, size);
  if (t->trace) {
    uint64_t id = heap->next_event_id++;
    wprof__trace_alloc(t, kind, wprof__now(t), old, ptr, size, id, wprof__node_id(t, node));
  }
  if (shared) pthread_mutex_unlock(&heap->lock);
}

void wprof__heap_resolve_peaks(struct wprof_heap *heap) {
  for (struct wprof_site_block *b = heap->sites; b; b = b->next)
    for (uint32_t i = 0; i < b->used; i++) site_touch(heap, &b->sites[i]);
}

void wprof__heap_free_all(struct wprof_heap *heap) {
  for (struct wprof_site_block *b = heap->sites, *next; b; b = next) {
    next = b->next;
    free(b);
  }
  blocks_free(heap->slots, heap->cap);
  pthread_mutex_destroy(&heap->lock);
  *heap = (struct wprof_heap){0};
}
