/* Removing an unfinished temporary file when a signal ends the process (see temp-file.h). */
#include "temp-file.h"

#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#define NSIGNALS 3
static const int signals[NSIGNALS] = {SIGINT, SIGTERM, SIGHUP};
static struct sigaction saved[NSIGNALS];
static const char *volatile guarded;

static void remove_and_die(int sig) {
  const char *path = guarded;
  if (path) unlink(path);
  signal(sig, SIG_DFL);
  raise(sig); /* delivered once the handler returns: the default action */
}

void wprof_temp_file_guard(const char *path) {
  guarded = path;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = remove_and_die;
  sigemptyset(&sa.sa_mask);
  for (size_t i = 0; i < NSIGNALS; i++) {
    sigaction(signals[i], NULL, &saved[i]);
    if (saved[i].sa_handler != SIG_IGN) sigaction(signals[i], &sa, NULL); /* nohup and friends stay obeyed */
  }
}

void wprof_temp_file_forget(void) {
  for (size_t i = 0; i < NSIGNALS; i++) sigaction(signals[i], &saved[i], NULL);
  guarded = NULL;
}
