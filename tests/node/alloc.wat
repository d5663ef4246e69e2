;; Allocation probes fired with constant arguments from two call paths, as an
;; instrumented allocator would fire them. Expected totals are worked out by
;; hand in host.test.mjs. Five imports, so fid = function index - 5.
;;   fid 0 site_a, 1 site_b, 2 main
(module
  (import "wprof" "enter" (func $enter (param i32)))
  (import "wprof" "exit" (func $exit (param i32)))
  (import "wprof" "alloc" (func $alloc (param i32 i32)))
  (import "wprof" "realloc" (func $realloc (param i32 i32 i32)))
  (import "wprof" "free" (func $free (param i32)))

  (func $site_a
    (call $enter (i32.const 0))
    (call $alloc (i32.const 16) (i32.const 100))
    (call $alloc (i32.const 32) (i32.const 50))
    (call $alloc (i32.const 0) (i32.const 7))           ;; failed
    (call $exit (i32.const 0)))

  (func $site_b
    (call $enter (i32.const 1))
    (call $realloc (i32.const 16) (i32.const 48) (i32.const 200))  ;; moved
    (call $realloc (i32.const 32) (i32.const 32) (i32.const 60))   ;; in place
    (call $realloc (i32.const 0) (i32.const 64) (i32.const 10))    ;; = alloc
    (call $realloc (i32.const 64) (i32.const 0) (i32.const 0))     ;; = free
    (call $realloc (i32.const 48) (i32.const 0) (i32.const 999))   ;; failed, 48 stays
    (call $free (i32.const 0))                                     ;; no-op
    (call $free (i32.const 32))
    (call $free (i32.const 32))                                    ;; double free
    (call $free (i32.const 1234))                                  ;; unknown
    (call $realloc (i32.const 16) (i32.const 80) (i32.const 5))    ;; 16 freed already
    (call $alloc (i32.const 0x80000000) (i32.const 8))             ;; high address
    (call $free (i32.const 0x80000000))
    (call $exit (i32.const 1)))

  (func $main (export "main")
    (call $enter (i32.const 2))
    (call $site_a)
    (call $site_b)
    (call $exit (i32.const 2)))
)
