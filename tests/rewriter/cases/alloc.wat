;; A bump allocator with the C names. calloc and realloc call malloc and
;; free, yet each allocation is reported once, by the outermost allocator.
(module
  (memory (export "memory") 1)
  (global $top (mut i32) (i32.const 1024))
  (func $malloc (export "malloc") (param $size i32) (result i32)
    (local $p i32)
    (if (i32.eqz (local.get $size)) (then (return (i32.const 0))))
    (local.set $p (global.get $top))
    (global.set $top (i32.add (global.get $top) (i32.and (i32.add (local.get $size) (i32.const 7)) (i32.const -8))))
    ;; the body reuses its parameter: the probe must report the size given
    (local.set $size (i32.const 0))
    (local.get $p))
  (func $free (export "free") (param i32))
  (func $calloc (export "calloc") (param i32 i32) (result i32)
    (call $malloc (i32.mul (local.get 0) (local.get 1))))
  (func $realloc (export "realloc") (param i32 i32) (result i32)
    (local $p i32)
    (local.set $p (call $malloc (local.get 1)))
    (call $free (local.get 0))
    (local.get $p))
  (func $posix_memalign (export "posix_memalign") (param i32 i32 i32) (result i32)
    (i32.store (local.get 0) (call $malloc (local.get 2)))
    (i32.const 0))
  (func $__rust_alloc (export "__rust_alloc") (param i32 i32) (result i32) (call $malloc (local.get 0)))
  (func $__rust_dealloc (export "__rust_dealloc") (param i32 i32 i32) (call $free (local.get 0)))
  (func $__rust_realloc (export "__rust_realloc") (param i32 i32 i32 i32) (result i32)
    (call $realloc (local.get 0) (local.get 3)))
  (func $_Znwm (export "_Znwm") (param i32) (result i32) (call $malloc (local.get 0)))
  (func $_ZdlPv (export "_ZdlPv") (param i32) (call $free (local.get 0)))
  (func $my_pool_get (export "my_pool_get") (param i32) (result i32) (call $malloc (local.get 0)))
  (func $work (export "work") (result i32)
    (local $a i32) (local $b i32)
    (local.set $a (call $malloc (i32.const 10)))          ;; alloc 10 (rounded by the allocator, reported as 10)
    (local.set $b (call $calloc (i32.const 3) (i32.const 4))) ;; alloc 12
    (local.set $a (call $realloc (local.get $a) (i32.const 100))) ;; free 10, alloc 100
    (call $free (local.get $b))                            ;; free 12
    (drop (call $posix_memalign (i32.const 0) (i32.const 16) (i32.const 40))) ;; alloc 40
    (drop (call $__rust_alloc (i32.const 24) (i32.const 8))) ;; alloc 24
    (local.set $b (call $_Znwm (i32.const 8)))             ;; alloc 8
    (call $_ZdlPv (local.get $b))                          ;; free 8
    (drop (call $my_pool_get (i32.const 64)))              ;; alloc 64 with --alloc my_pool_get=malloc
    (call $free (i32.const 0))                             ;; free(NULL): no block
    (local.get $a))
)
