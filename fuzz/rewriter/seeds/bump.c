/* A small freestanding C program: a bump allocator and callers, so the seed
** has C-shaped code (stack pointer global, loops, indirect calls). */
static unsigned char heap[4096];
static unsigned long top;

void *malloc(unsigned long n) {
  void *p = heap + top;
  top += (n + 7) & ~7ul;
  return p;
}
void free(void *p) { (void)p; }

static int square(int x) { return x * x; }
static int twice(int x) { return 2 * x; }
int (*volatile ops[2])(int) = {square, twice};

__attribute__((export_name("run"))) int run(int n) {
  int *a = malloc(n * sizeof *a), s = 0;
  for (int i = 0; i < n; i++) a[i] = ops[i & 1](i);
  for (int i = 0; i < n; i++) s += a[i];
  free(a);
  return s;
}
