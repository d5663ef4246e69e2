/* procexit: WASI proc_exit(5) called directly from nested calls
 * (run -> outer -> inner), bypassing exit(): no atexit handlers, no stdio
 * flush, no destructors -- the host sees the run end with open frames.
 * Output uses write() so it is not lost. Built at -O0. */
#include <string.h>
#include <unistd.h>
#include <wasi/api.h>

__attribute__((noinline)) void say(const char *text)
{
    (void)!write(1, text, strlen(text));
}

__attribute__((noinline)) void inner(void)
{
    say("proc_exit 5\n");
    __wasi_proc_exit(5);
}

__attribute__((noinline)) void outer(void)
{
    say("outer\n");
    inner();
    say("never printed\n");
}

__attribute__((noinline)) void run(void)
{
    outer();
}

int main(void)
{
    run();
    return 0;
}
