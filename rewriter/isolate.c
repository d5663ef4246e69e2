/*
** isolate: the forked binaryen child and the reading of its results.
** See isolate.h.
*/
#include "isolate.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <binaryen-c.h>

#include "exit-codes.h"

/* Exit codes of the child, beyond binaryen's own. */
enum { CHILD_OK = 0, CHILD_REFUSED = 10, CHILD_INTERNAL = 11 };

/* binaryen's recursive writer and our walk recurse once per nesting level. */
#define CHILD_STACK_SIZE ((size_t)1 << 30)

struct child_job {
  const uint8_t *input;
  size_t len;
  uint32_t features;
  const struct func_plan *plan;
  uint32_t num_funcs;
  bool count_cost;
  FILE *out, *msg;
  int status;
};

/* Does binaryen see the untouched input as valid? Asked only when the
** rewritten module fails validation, to tell a binaryen limit from our bug. */
static bool binaryen_accepts_input(const struct child_job *job) {
  BinaryenModuleRef module = BinaryenModuleRead((char *)job->input, job->len);
  BinaryenModuleSetFeatures(module, job->features);
  bool valid = BinaryenModuleValidate(module);
  BinaryenModuleDispose(module);
  return valid;
}

static void *child_main(void *arg) {
  struct child_job *job = arg;
  char err[512];
  BinaryenModuleRef module = BinaryenModuleRead((char *)job->input, job->len);
  BinaryenModuleSetFeatures(module, job->features);
  if (instrument_module(module, job->plan, job->num_funcs, job->count_cost, err, sizeof err) != 0) {
    fprintf(job->msg, "%s\n", err);
    job->status = CHILD_REFUSED;
    return NULL;
  }
  /* one validation, of the result: the input was validated by wabt */
  if (!BinaryenModuleValidate(module)) {
    if (!binaryen_accepts_input(job)) {
      fprintf(job->msg, "binaryen 108 does not read this module back as valid\n");
      job->status = CHILD_REFUSED;
    } else {
      fprintf(job->msg, "internal error: the instrumented module does not validate\n");
      job->status = CHILD_INTERNAL;
    }
    return NULL;
  }
  BinaryenSetDebugInfo(true); /* keep the name section */
  BinaryenModuleAllocateAndWriteResult written = BinaryenModuleAllocateAndWrite(module, NULL);
  if (fwrite(written.binary, 1, written.binaryBytes, job->out) != written.binaryBytes ||
      fflush(job->out) != 0) {
    fprintf(job->msg, "internal error: cannot write a temporary file: %s\n", strerror(errno));
    job->status = CHILD_INTERNAL;
    return NULL;
  }
  job->status = CHILD_OK;
  return NULL;
}

static int run_child(struct child_job *job) {
  pthread_attr_t attr;
  pthread_t thread;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, CHILD_STACK_SIZE);
  if (pthread_create(&thread, &attr, child_main, job) != 0) {
    child_main(job);
  } else {
    pthread_join(thread, NULL);
  }
  pthread_attr_destroy(&attr);
  return job->status;
}

/* First line of f (from the start), without its newline. */
static void first_line(FILE *f, char *buf, size_t size) {
  buf[0] = '\0';
  rewind(f);
  while (fgets(buf, (int)size, f)) {
    buf[strcspn(buf, "\r\n")] = '\0';
    if (buf[0]) return;
  }
  buf[0] = '\0';
}

static int read_all(FILE *f, struct bytes *out) {
  if (fseek(f, 0, SEEK_END) != 0) return -1;
  long size = ftell(f);
  if (size < 0) return -1;
  rewind(f);
  out->data = malloc(size ? (size_t)size : 1);
  if (!out->data) return -1;
  out->len = out->cap = (size_t)size;
  return fread(out->data, 1, (size_t)size, f) == (size_t)size ? 0 : -1;
}

/* Runs child(context) in a forked process that dies with wasm-instrument
** (a killed parent must not leave it running: binaryen can allocate without
** bound on hostile input), its stdout and stderr into log when given; waits
** for it. Returns 0 with its wait status, or -1 with err filled. */
static int run_forked(int (*child)(void *context), void *context, FILE *log, int *wstatus, char *err,
                      size_t errlen) {
  fflush(stdout);
  fflush(stderr);
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) {
    snprintf(err, errlen, "cannot fork: %s", strerror(errno));
    return -1;
  }
  if (pid == 0) {
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent) _exit(CHILD_INTERNAL);
    if (log) {
      dup2(fileno(log), STDERR_FILENO);
      dup2(fileno(log), STDOUT_FILENO);
    }
    _exit(child(context));
  }
  while (waitpid(pid, wstatus, 0) < 0) {
    if (errno != EINTR) {
      snprintf(err, errlen, "cannot wait for the child process: %s", strerror(errno));
      return -1;
    }
  }
  return 0;
}

static int rewrite_child(void *context) {
  struct child_job *job = context;
  int code = run_child(job);
  fflush(job->msg);
  return code;
}

enum isolate_result isolate_rewrite(const uint8_t *input, size_t len, uint32_t features,
                                    const struct func_plan *plan, uint32_t num_funcs, bool count_cost,
                                    struct bytes *out, char *err, size_t errlen) {
  FILE *result = tmpfile(), *messages = tmpfile(), *binaryen_log = tmpfile();
  enum isolate_result status = ISOLATE_INTERNAL;
  if (!result || !messages || !binaryen_log) {
    snprintf(err, errlen, "cannot create a temporary file: %s", strerror(errno));
    goto done;
  }
  /* binaryen's own messages (Fatal: ..., validator dumps) go to binaryen_log */
  struct child_job job = {input, len, features, plan, num_funcs, count_cost, result, messages, CHILD_INTERNAL};
  int wstatus;
  if (run_forked(rewrite_child, &job, binaryen_log, &wstatus, err, errlen) != 0) goto done;
  char line[400];
  first_line(messages, line, sizeof line);
  if (!line[0]) {
    /* binaryen prints "[parse exception: why (at 0:683)]Fatal: error ..." */
    first_line(binaryen_log, line, sizeof line);
    char *fatal = strstr(line, "]Fatal:");
    if (line[0] == '[' && fatal) {
      *fatal = '\0';
      memmove(line, line + 1, strlen(line));
    }
  }
  if (WIFSIGNALED(wstatus)) {
    snprintf(err, errlen, "binaryen 108 crashed on this module (signal %d%s%s)",
             WTERMSIG(wstatus), line[0] ? ": " : "", line);
    status = ISOLATE_REFUSED;
  } else if (WEXITSTATUS(wstatus) == CHILD_OK) {
    if (read_all(result, out) == 0) {
      status = ISOLATE_OK;
    } else {
      snprintf(err, errlen, "cannot read back the rewritten module");
      bytes_free(out);
    }
  } else if (WEXITSTATUS(wstatus) == WPROF_EXIT_INTERNAL) { /* wprof_out_of_memory */
    snprintf(err, errlen, "out of memory while rewriting");
  } else if (WEXITSTATUS(wstatus) == CHILD_REFUSED || WEXITSTATUS(wstatus) == CHILD_INTERNAL) {
    snprintf(err, errlen, "%s", line[0] ? line : "rewriting failed");
    status = WEXITSTATUS(wstatus) == CHILD_REFUSED ? ISOLATE_REFUSED : ISOLATE_INTERNAL;
  } else {
    snprintf(err, errlen, "binaryen 108 cannot read this module%s%s", line[0] ? ": " : "", line);
    status = ISOLATE_REFUSED;
  }
done:
  if (result) fclose(result);
  if (messages) fclose(messages);
  if (binaryen_log) fclose(binaryen_log);
  return status;
}

/* ---- the DWARF reader ---- */

struct sources_job {
  const uint8_t *input;
  size_t len;
  const struct wscan_module *scan;
  FILE *out, *msg;
};

static int sources_child(void *context) {
  struct sources_job *job = context;
  struct source_table table = {0};
  char why[256];
  if (dwarf_sources_read(job->input, job->len, job->scan, &table, why, sizeof why) != 0) {
    fprintf(job->msg, "%s\n", why);
    fflush(job->msg);
    return CHILD_REFUSED;
  }
  if (source_table_known(&table)) {
    struct bytes payload = {0};
    sources_encode(&payload, &table);
    if (fwrite(payload.data, 1, payload.len, job->out) != payload.len || fflush(job->out) != 0) return CHILD_INTERNAL;
  }
  return CHILD_OK;
}

int isolate_read_sources(const uint8_t *input, size_t len, const struct wscan_module *scan, struct bytes *payload,
                         char *why, size_t whylen) {
  FILE *result = tmpfile(), *messages = tmpfile();
  int wstatus, rc = -1;
  struct sources_job job = {input, len, scan, result, messages};
  if (!result || !messages) {
    snprintf(why, whylen, "cannot create a temporary file: %s", strerror(errno));
  } else if (run_forked(sources_child, &job, NULL, &wstatus, why, whylen) == 0) {
    if (WIFSIGNALED(wstatus)) {
      snprintf(why, whylen, "the DWARF reader crashed on them (signal %d)", WTERMSIG(wstatus));
    } else if (WEXITSTATUS(wstatus) == CHILD_OK && read_all(result, payload) == 0) {
      rc = 0;
    } else {
      first_line(messages, why, whylen);
      if (!why[0]) snprintf(why, whylen, "the DWARF reader failed (exit %d)", WEXITSTATUS(wstatus));
    }
  }
  if (result) fclose(result);
  if (messages) fclose(messages);
  return rc;
}
