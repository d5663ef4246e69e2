;; tinygo_alloc: a TinyGo-style module. TinyGo's garbage-collected heap is
;; reached through `runtime.alloc(size, layout, context) -> ptr` and nothing is
;; ever freed explicitly. The allocator is both exported and named
;; "runtime.alloc" in the name section (assembled with --debug-names).
;;
;; It keeps its own tally of what it hands out in exported globals
;; (audit_alloc_objects/bytes, audit_free_objects/bytes), read by
;; tests/testdata/check-program.mjs after _start to check the hand-derived
;; totals in tinygo_alloc.expected.
(module
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 1024))
  (global $alloc_objects (export "audit_alloc_objects") (mut i32) (i32.const 0))
  (global $alloc_bytes (export "audit_alloc_bytes") (mut i32) (i32.const 0))
  (global $free_objects (export "audit_free_objects") (mut i32) (i32.const 0))
  (global $free_bytes (export "audit_free_bytes") (mut i32) (i32.const 0))

  ;; Bump allocation, 16-byte aligned; the layout and context are unused.
  (func $runtime.alloc (export "runtime.alloc")
        (param $size i32) (param $layout i32) (param $context i32) (result i32)
    (local $block i32)
    (local.set $block (global.get $heap))
    (global.set $heap
      (i32.add (local.get $block)
               (i32.and (i32.add (local.get $size) (i32.const 15)) (i32.const -16))))
    (global.set $alloc_objects (i32.add (global.get $alloc_objects) (i32.const 1)))
    (global.set $alloc_bytes (i32.add (global.get $alloc_bytes) (local.get $size)))
    (local.get $block))

  ;; Like a Go `&T{}` of a 24-byte struct.
  (func $new_object (result i32)
    (call $runtime.alloc (i32.const 24) (i32.const 0) (i32.const 0)))

  ;; Like make([]byte, 100).
  (func $new_slice (result i32)
    (call $runtime.alloc (i32.const 100) (i32.const 0) (i32.const 0)))

  (func $_start (export "_start")
    (local $i i32)
    (loop $again
      (drop (call $new_object))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $again (i32.lt_u (local.get $i) (i32.const 3))))
    (drop (call $new_slice))))
