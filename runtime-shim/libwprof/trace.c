/*
** libwprof --trace: every call and every allocation event as a row. Guest
** threads append records to their own fixed-size chunks; a full chunk is
** handed to the writer thread through a bounded queue (one lock per chunk,
** never per event). The writer inserts rows into the temporary database in
** large transactions with multi-row INSERT statements while the guest runs.
** The guest never waits for SQLite: when the queue is full, the guest thread
** appends the chunk to a spill file beside the database (one write of the
** whole chunk), and so do later chunks until the writer has read the file
** back: the file continues the queue on disk, first in, first out, so rows
** reach SQLite roughly in id order. Only records that can be neither queued
** nor spilled (the disk is full), or whose storing the user interrupts after
** the guest has finished, are lost, and counted in run.lost_events.
*/
#include "wprof-internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_CHUNK_RECORDS 4096u
/* The queue may hold this many chunks (about 50 MB of records) before
** chunks go to the spill file. Chunks are allocated as the queue grows, so
** a guest the writer keeps up with uses only the first few. */
#define DEFAULT_QUEUE_CHUNKS 256u
#define PREALLOCATED_CHUNKS 64u
#define ROWS_PER_TRANSACTION (1u << 20)

struct wprof_trace_writer {
  struct wprof_batch calls, allocs;
  bool in_transaction;
  uint64_t rows_in_transaction;
};

static void *chunk_records(struct wprof_chunk *c) {
  return c + 1;
}

static size_t record_size(enum wprof_chunk_kind kind) {
  return kind == WPROF_CHUNK_CALLS ? sizeof(struct wprof_call_rec) : sizeof(struct wprof_alloc_rec);
}

/* A chunk holds records of either kind. */
static struct wprof_chunk *chunk_new(const struct wprof_trace *tr) {
  size_t calls = record_size(WPROF_CHUNK_CALLS), allocs = record_size(WPROF_CHUNK_ALLOCS);
  return calloc(1, sizeof(struct wprof_chunk) + tr->chunk_records * (calls > allocs ? calls : allocs));
}

static void chunk_list_free(struct wprof_chunk *c) {
  for (struct wprof_chunk *next; c; c = next) {
    next = c->next;
    free(c);
  }
}

static void enqueue_locked(struct wprof_trace *tr, struct wprof_chunk *c) {
  c->next = NULL;
  if (tr->tail)
    tr->tail->next = c;
  else
    tr->head = c;
  tr->tail = c;
  tr->queued++;
  pthread_cond_signal(&tr->wake);
}

/* Writes (pwrite) or reads (pread) all of buf at offset of the spill file. */
static bool spill_io(int fd, void *buf, size_t len, uint64_t offset, bool writing) {
  for (char *p = buf; len > 0;) {
    ssize_t n = writing ? pwrite(fd, p, len, (off_t)offset) : pread(fd, p, len, (off_t)offset);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n, len -= (size_t)n, offset += (uint64_t)n;
  }
  return true;
}

/* The spill file: created on first use beside the database and unlinked at
** once, so that nothing is left behind whatever happens to the process. */
static bool spill_open(const wprof_recorder *rec, struct wprof_trace *tr) {
  if (tr->spill_fd >= 0) return true;
  size_t len = strlen(rec->db_path) + sizeof ".spill-XXXXXX";
  char *path = malloc(len);
  if (!path) return false;
  snprintf(path, len, "%s.spill-XXXXXX", rec->db_path);
  tr->spill_fd = mkstemp(path);
  if (tr->spill_fd >= 0) unlink(path);
  free(path);
  return tr->spill_fd >= 0;
}

/* Appends a chunk (header and records) to the spill file for the writer;
** when that fails (disk full), its records are lost and counted. A failed
** write is not counted in spill_end, so the file's readable part stays
** whole. Appends are serialised, so the chunks before a complete one are
** complete too. */
static void chunk_spill(const wprof_recorder *rec, struct wprof_trace *tr, struct wprof_chunk *c) {
  size_t bytes = sizeof *c + c->count * record_size(c->kind);
  pthread_mutex_lock(&tr->spill_lock);
  bool ok = !rec->hooks.no_spill && spill_open(rec, tr) && spill_io(tr->spill_fd, c, bytes, tr->spill_end, true);
  if (ok) tr->spill_end += bytes;
  pthread_mutex_unlock(&tr->spill_lock);
  pthread_mutex_lock(&tr->lock);
  if (ok) {
    tr->spill_pending++;
    tr->spilled += c->count;
    pthread_cond_signal(&tr->wake);
  } else {
    tr->lost += c->count;
  }
  pthread_mutex_unlock(&tr->lock);
}

/* Hands a full chunk to the writer and returns an empty one, without
** waiting: when the queue is full (or no memory is left for a new chunk),
** or spilled chunks wait to be read, the chunk is spilled and reused. */
static struct wprof_chunk *chunk_handoff(wprof_recorder *rec, struct wprof_chunk *full) {
  struct wprof_trace *tr = &rec->trace;
  enum wprof_chunk_kind kind = full->kind;
  struct wprof_chunk *empty = NULL;
  pthread_mutex_lock(&tr->lock);
  if (tr->spill_pending == 0 && tr->queued < tr->queue_cap) {
    empty = tr->free_chunks;
    if (empty)
      tr->free_chunks = empty->next;
    else
      empty = chunk_new(tr);
  }
  if (empty) enqueue_locked(tr, full);
  pthread_mutex_unlock(&tr->lock);
  if (!empty) {
    chunk_spill(rec, tr, full);
    empty = full;
  }
  empty->kind = kind;
  empty->count = 0;
  return empty;
}

void wprof__trace_calls_full(wprof_thread *t) {
  struct wprof_trace *tr = &t->rec->trace;
  t->call_chunk->count = tr->chunk_records;
  t->call_chunk = chunk_handoff(t->rec, t->call_chunk);
  t->call_cur = chunk_records(t->call_chunk);
  t->call_end = t->call_cur + tr->chunk_records;
}

void wprof__trace_alloc(wprof_thread *t, enum wprof_alloc_event kind, uint64_t now, uint64_t old, uint64_t ptr,
                        uint64_t size, uint64_t id, uint32_t path) {
  struct wprof_trace *tr = &t->rec->trace;
  if (t->alloc_cur == t->alloc_end) {
    t->alloc_chunk->count = tr->chunk_records;
    t->alloc_chunk = chunk_handoff(t->rec, t->alloc_chunk);
    t->alloc_cur = chunk_records(t->alloc_chunk);
    t->alloc_end = t->alloc_cur + tr->chunk_records;
  }
  *t->alloc_cur++ = (struct wprof_alloc_rec){
      .id = id, .time = now, .ptr = ptr, .old = old, .size = size, .path = path, .kind = kind};
}

int wprof__trace_attach(wprof_thread *t) {
  struct wprof_trace *tr = &t->rec->trace;
  t->call_chunk = chunk_new(tr);
  t->alloc_chunk = chunk_new(tr);
  if (!t->call_chunk || !t->alloc_chunk) {
    free(t->call_chunk);
    free(t->alloc_chunk);
    return -1;
  }
  t->call_chunk->kind = WPROF_CHUNK_CALLS;
  t->alloc_chunk->kind = WPROF_CHUNK_ALLOCS;
  t->call_cur = chunk_records(t->call_chunk);
  t->call_end = t->call_cur + tr->chunk_records;
  t->alloc_cur = chunk_records(t->alloc_chunk);
  t->alloc_end = t->alloc_cur + tr->chunk_records;
  return 0;
}

/* Rows are recorded at exit but numbered at entry, so a caller's row follows
** its callees'. Sorting each chunk by id (an insertion sort: a record moves
** past its own callees only) lets SQLite append instead of seeking. */
static void sort_calls_by_id(struct wprof_call_rec *r, uint32_t n) {
  for (uint32_t i = 1; i < n; i++) {
    if (r[i - 1].id < r[i].id) continue;
    struct wprof_call_rec moving = r[i];
    uint32_t j = i;
    for (; j > 0 && r[j - 1].id > moving.id; j--) r[j] = r[j - 1];
    r[j] = moving;
  }
}

static int write_calls(const wprof_recorder *rec, struct wprof_batch *b, struct wprof_chunk *c) {
  sort_calls_by_id(chunk_records(c), c->count);
  const struct wprof_call_rec *r = chunk_records(c);
  for (uint32_t i = 0; i < c->count; i++, r++) {
    uint64_t start = wprof__ticks_to_ns(rec, r->start - rec->t0), end = wprof__ticks_to_ns(rec, r->end - rec->t0);
    struct wprof_value *v = wprof__batch_next(b);
    v[0] = (struct wprof_value){.type = SQLITE_INTEGER, .i = (sqlite3_int64)r->id};
    v[1] = (struct wprof_value){.type = SQLITE_INTEGER, .i = r->path};
    v[2] = (struct wprof_value){.type = SQLITE_INTEGER, .i = (sqlite3_int64)start};
    v[3] = (struct wprof_value){.type = SQLITE_INTEGER, .i = (sqlite3_int64)(end - start)};
    v[4] = (struct wprof_value){.type = SQLITE_INTEGER, .i = r->unwound};
    int rc = wprof__batch_push(b);
    if (rc != SQLITE_OK) return rc;
  }
  return SQLITE_OK;
}

static int write_allocs(const wprof_recorder *rec, struct wprof_batch *b, struct wprof_chunk *c) {
  static const char *const kinds[] = {"alloc", "free", "realloc"};
  const struct wprof_alloc_rec *r = chunk_records(c);
  for (uint32_t i = 0; i < c->count; i++, r++) {
    struct wprof_value *v = wprof__batch_next(b);
    bool is_free = r->kind == WPROF_EV_FREE, is_realloc = r->kind == WPROF_EV_REALLOC;
    v[0] = (struct wprof_value){.type = SQLITE_INTEGER, .i = (sqlite3_int64)r->id};
    v[1] = (struct wprof_value){.type = SQLITE_INTEGER, .i = (sqlite3_int64)wprof__ticks_to_ns(rec, r->time - rec->t0)};
    v[2] = (struct wprof_value){.type = SQLITE_TEXT, .s = kinds[r->kind]};
    v[3] = (struct wprof_value){.type = SQLITE_INTEGER, .i = (sqlite3_int64)(is_free ? r->old : r->ptr)};
    v[4] = is_realloc ? (struct wprof_value){.type = SQLITE_INTEGER, .i = (sqlite3_int64)r->old}
                      : (struct wprof_value){.type = SQLITE_NULL};
    v[5] = (struct wprof_value){.type = SQLITE_INTEGER, .i = (sqlite3_int64)r->size};
    v[6] = (struct wprof_value){.type = SQLITE_INTEGER, .i = r->path};
    int rc = wprof__batch_push(b);
    if (rc != SQLITE_OK) return rc;
  }
  return SQLITE_OK;
}

static int writer_commit(wprof_recorder *rec, struct wprof_trace_writer *w) {
  int rc = wprof__batch_flush(&w->calls);
  if (rc == SQLITE_OK) rc = wprof__batch_flush(&w->allocs);
  if (rc == SQLITE_OK) rc = sqlite3_exec(rec->db, "COMMIT", NULL, NULL, NULL);
  w->in_transaction = false;
  w->rows_in_transaction = 0;
  return rc;
}

static int writer_write(wprof_recorder *rec, struct wprof_trace_writer *w, struct wprof_chunk *c) {
  int rc = SQLITE_OK;
  if (!w->in_transaction) {
    rc = sqlite3_exec(rec->db, "BEGIN", NULL, NULL, NULL);
    if (rc != SQLITE_OK) return rc;
    w->in_transaction = true;
  }
  rc = c->kind == WPROF_CHUNK_CALLS ? write_calls(rec, &w->calls, c) : write_allocs(rec, &w->allocs, c);
  w->rows_in_transaction += c->count;
  if (rc == SQLITE_OK && w->rows_in_transaction >= ROWS_PER_TRANSACTION) rc = writer_commit(rec, w);
  return rc;
}

/* Records the writer's first error: rc, and what failed (NULL: SQLite's message). */
static void writer_fail(wprof_recorder *rec, int rc, const char *what) {
  struct wprof_trace *tr = &rec->trace;
  pthread_mutex_lock(&tr->lock);
  if (!tr->error) {
    tr->error = rc;
    wprof__errf(tr->errmsg, sizeof tr->errmsg, "writing the trace: %s", what ? what : sqlite3_errmsg(rec->db));
  }
  pthread_mutex_unlock(&tr->lock);
}

static void writer_state_free(struct wprof_trace *tr) {
  struct wprof_trace_writer *w = tr->writer_state;
  if (!w) return;
  wprof__batch_free(&w->calls);
  wprof__batch_free(&w->allocs);
  free(w);
  tr->writer_state = NULL;
}

/* Reads the spilled chunk at *offset into c and moves the offset past it. */
static bool spill_read_chunk(struct wprof_trace *tr, struct wprof_chunk *c, uint64_t *offset) {
  struct wprof_chunk header;
  if (!spill_io(tr->spill_fd, &header, sizeof header, *offset, false) || header.count > tr->chunk_records) return false;
  size_t bytes = header.count * record_size(header.kind);
  if (!spill_io(tr->spill_fd, chunk_records(c), bytes, *offset + sizeof header, false)) return false;
  c->kind = header.kind;
  c->count = header.count;
  *offset += sizeof header + bytes;
  return true;
}

/* Once the guest has finished, a stop request (a SIGINT while the backlog
** is stored) gives up the spilled chunks not read yet. */
static bool abandon_spill(const wprof_recorder *rec) {
  return rec->trace.guest_finished && rec->stop_requests != rec->trace.stops_at_finish;
}

/* Takes the queue's chunks first, then the spill file's (they are younger),
** until told to stop with both empty. After an error, or once the storing
** is given up, spilled chunks are skipped unread; whatever was spilled and
** not read back is counted as lost when the writer ends. */
static void *writer_main(void *arg) {
  wprof_recorder *rec = arg;
  struct wprof_trace *tr = &rec->trace;
  struct wprof_trace_writer *w = tr->writer_state;
  struct wprof_chunk *from_file = chunk_new(tr);
  uint64_t offset = 0;
  pthread_mutex_lock(&tr->lock);
  for (;;) {
    while (!tr->stopping && (tr->paused || (!tr->head && !tr->spill_pending))) pthread_cond_wait(&tr->wake, &tr->lock);
    struct wprof_chunk *c = tr->head;
    if (c) {
      tr->head = c->next;
      if (!tr->head) tr->tail = NULL;
      tr->queued--;
      pthread_cond_signal(&tr->done);
    } else if (!tr->spill_pending) {
      break; /* stopping, and nothing is left */
    } else {
      tr->spill_pending--;
      if (tr->error || !from_file || abandon_spill(rec)) continue;
    }
    bool failed = tr->error != 0;
    pthread_mutex_unlock(&tr->lock);
    int rc = SQLITE_OK;
    if (!c && !spill_read_chunk(tr, from_file, &offset)) {
      writer_fail(rec, SQLITE_IOERR, "reading the trace spill file back failed");
      pthread_mutex_lock(&tr->lock);
      continue;
    }
    struct wprof_chunk *rows = c ? c : from_file;
    if (!failed) rc = writer_write(rec, w, rows);
    if (rc != SQLITE_OK) writer_fail(rec, rc, NULL);
    pthread_mutex_lock(&tr->lock);
    if (failed || rc != SQLITE_OK) tr->lost += rows->count;
    if (c) {
      c->next = tr->free_chunks;
      tr->free_chunks = c;
    } else {
      tr->spill_read += rows->count;
    }
  }
  tr->lost += tr->spilled - tr->spill_read;
  pthread_mutex_unlock(&tr->lock);
  free(from_file);
  if (w->in_transaction) {
    int rc = writer_commit(rec, w);
    if (rc != SQLITE_OK) writer_fail(rec, rc, NULL);
  }
  return NULL;
}

int wprof__trace_start(wprof_recorder *rec, char *err, size_t errlen) {
  struct wprof_trace *tr = &rec->trace;
  tr->chunk_records = rec->hooks.chunk_records ? rec->hooks.chunk_records : DEFAULT_CHUNK_RECORDS;
  tr->queue_cap = rec->hooks.queue_chunks ? rec->hooks.queue_chunks : DEFAULT_QUEUE_CHUNKS;
  tr->paused = rec->hooks.writer_paused;
  tr->spill_fd = -1;
  pthread_mutex_init(&tr->lock, NULL);
  pthread_mutex_init(&tr->spill_lock, NULL);
  pthread_cond_init(&tr->wake, NULL);
  pthread_cond_init(&tr->done, NULL);
  tr->ready = true;
  uint32_t prealloc = tr->queue_cap < PREALLOCATED_CHUNKS ? tr->queue_cap + 1 : PREALLOCATED_CHUNKS;
  for (uint32_t i = 0; i < prealloc; i++) {
    struct wprof_chunk *c = chunk_new(tr);
    if (!c) {
      wprof__errf(err, errlen, "out of memory for the trace buffers");
      return -1;
    }
    c->next = tr->free_chunks;
    tr->free_chunks = c;
  }
  struct wprof_trace_writer *w = tr->writer_state = calloc(1, sizeof *w);
  if (!w) {
    wprof__errf(err, errlen, "out of memory");
    return -1;
  }
  if (wprof__batch_init(&w->calls, rec->db, "calls", "id,path_id,start_ns,dur_ns,unwound", 5) != SQLITE_OK ||
      wprof__batch_init(&w->allocs, rec->db, "alloc_events", "id,time_ns,kind,ptr,old_ptr,size,path_id", 7) !=
          SQLITE_OK) {
    wprof__errf(err, errlen, "preparing the trace statements: %s", sqlite3_errmsg(rec->db));
    return -1;
  }
  if (pthread_create(&tr->writer, NULL, writer_main, rec) != 0) {
    wprof__errf(err, errlen, "cannot start the trace writer thread");
    return -1;
  }
  tr->writer_started = true;
  return 0;
}

uint64_t wprof_trace_backlog(wprof_recorder *rec) {
  struct wprof_trace *tr = &rec->trace;
  if (!rec->tracing) return 0;
  pthread_mutex_lock(&tr->lock);
  uint64_t backlog = (uint64_t)tr->queued * tr->chunk_records + tr->spilled - tr->spill_read;
  pthread_mutex_unlock(&tr->lock);
  return backlog;
}

void wprof__trace_pause(wprof_recorder *rec, bool paused) {
  struct wprof_trace *tr = &rec->trace;
  pthread_mutex_lock(&tr->lock);
  tr->paused = paused;
  pthread_cond_signal(&tr->wake);
  pthread_mutex_unlock(&tr->lock);
}

/* Stops the writer once the queue and the spill file are empty and frees
** its statements. */
static void writer_join(struct wprof_trace *tr) {
  pthread_mutex_lock(&tr->lock);
  tr->stopping = true;
  tr->paused = false;
  pthread_cond_signal(&tr->wake);
  pthread_mutex_unlock(&tr->lock);
  pthread_join(tr->writer, NULL);
  tr->writer_started = false;
  writer_state_free(tr);
}

/* At the end of the run: queues the threads' last chunks (waiting for room:
** the guest is done), lets the writer drain the queue and stops it. */
int wprof__trace_stop(wprof_recorder *rec, char *err, size_t errlen) {
  struct wprof_trace *tr = &rec->trace;
  pthread_mutex_lock(&tr->lock);
  tr->guest_finished = true;
  tr->stops_at_finish = rec->stop_requests;
  if (rec->hooks.stop_while_storing) wprof_request_stop(rec);
  tr->paused = false;
  pthread_cond_signal(&tr->wake);
  for (wprof_thread *t = rec->threads; t; t = t->next) {
    t->call_chunk->count = (uint32_t)(t->call_cur - (struct wprof_call_rec *)chunk_records(t->call_chunk));
    t->alloc_chunk->count = (uint32_t)(t->alloc_cur - (struct wprof_alloc_rec *)chunk_records(t->alloc_chunk));
    struct wprof_chunk *last[2] = {t->call_chunk, t->alloc_chunk};
    for (int i = 0; i < 2; i++) {
      while (tr->queued >= tr->queue_cap) pthread_cond_wait(&tr->done, &tr->lock);
      enqueue_locked(tr, last[i]);
    }
    t->call_chunk = t->alloc_chunk = NULL;
    t->call_cur = t->call_end = NULL;
    t->alloc_cur = t->alloc_end = NULL;
  }
  pthread_mutex_unlock(&tr->lock);
  writer_join(tr);
  if (tr->error) {
    wprof__errf(err, errlen, "%s", tr->errmsg);
    return -1;
  }
  return 0;
}

void wprof__trace_free(wprof_recorder *rec) {
  struct wprof_trace *tr = &rec->trace;
  if (!tr->ready) return;
  if (tr->writer_started) writer_join(tr);
  for (wprof_thread *t = rec->threads; t; t = t->next) {
    free(t->call_chunk);
    free(t->alloc_chunk);
    t->call_chunk = t->alloc_chunk = NULL;
  }
  chunk_list_free(tr->head);
  chunk_list_free(tr->free_chunks);
  writer_state_free(tr);
  if (tr->spill_fd >= 0) close(tr->spill_fd);
  pthread_cond_destroy(&tr->wake);
  pthread_cond_destroy(&tr->done);
  pthread_mutex_destroy(&tr->lock);
  pthread_mutex_destroy(&tr->spill_lock);
  *tr = (struct wprof_trace){0};
}
