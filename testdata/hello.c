/* hello: fixed lines on stdout and stderr, then its arguments and one
 * environment variable echoed on stdout, for byte-for-byte comparison of a
 * host's WASI stdio, args and environ. argv[0] is not printed: hosts name the
 * program differently. Built at -O0. */
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) void echo_args(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        printf("arg %d: %s\n", i, argv[i]);
}

__attribute__((noinline)) void echo_env(void)
{
    const char *value = getenv("WPROF_HELLO");
    if (value)
        printf("WPROF_HELLO=%s\n", value);
    else
        printf("WPROF_HELLO is not set\n");
}

int main(int argc, char **argv)
{
    printf("hello, stdout\n");
    fputs("hello, stderr\n", stderr);
    echo_args(argc, argv);
    echo_env();
    return 0;
}
