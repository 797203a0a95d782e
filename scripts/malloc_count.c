/* Counts heap allocations of a process, for scripts/bench (allocations per parsed SIP message).
   Build: gcc -O2 -shared -fPIC -o malloc_count.so malloc_count.c; run with LD_PRELOAD=./malloc_count.so.
   The benchmark reads the counter through dlsym("sipc_malloc_count"). */
#define _GNU_SOURCE
#include <stddef.h>
#include <errno.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);

static unsigned long long count;

static void bump(void) { __atomic_add_fetch(&count, 1, __ATOMIC_RELAXED); }

void *malloc(size_t n) { bump(); return __libc_malloc(n); }
void *calloc(size_t a, size_t b) { bump(); return __libc_calloc(a, b); }
void *realloc(void *p, size_t n) { bump(); return __libc_realloc(p, n); }
void *aligned_alloc(size_t al, size_t n) { bump(); return __libc_memalign(al, n); }
void *memalign(size_t al, size_t n) { bump(); return __libc_memalign(al, n); }
int posix_memalign(void **out, size_t al, size_t n) {
    bump();
    void *p = __libc_memalign(al, n);
    if (!p) return ENOMEM;
    *out = p;
    return 0;
}
unsigned long long sipc_malloc_count(void) { return __atomic_load_n(&count, __ATOMIC_RELAXED); }
