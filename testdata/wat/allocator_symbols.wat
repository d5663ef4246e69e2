;; allocator_symbols: one module defining every allocator spelling that the
;; compilers here cannot produce in a name section -- Rust's __rust_* ABI and
;; the mangled C++ operator new/delete forms (wasm-ld 14 writes demangled C++
;; names) -- plus memalign, which wasi-libc lacks. Names come from the name
;; section only (assembled with --debug-names); nothing but _start, memory and
;; the audit globals is exported.
;;
;; Allocators call each other the way real runtimes do (__rust_alloc ->
;; __rdl_alloc -> malloc, _Znam -> _Znwm -> malloc, __rust_realloc -> realloc
;; -> malloc + free, ...), so a profiler must report each allocation once.
;; Every block really comes from $heap_take and goes back through
;; $heap_release, which tally what they see in exported globals
;; (audit_alloc_objects/bytes, audit_free_objects/bytes); check-program.mjs
;; reads them after _start to check the hand-derived totals.
(module
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 1024))
  (global $alloc_objects (export "audit_alloc_objects") (mut i32) (i32.const 0))
  (global $alloc_bytes (export "audit_alloc_bytes") (mut i32) (i32.const 0))
  (global $free_objects (export "audit_free_objects") (mut i32) (i32.const 0))
  (global $free_bytes (export "audit_free_bytes") (mut i32) (i32.const 0))

  ;; ---- the heap: bump allocation, block size kept in the 4 bytes before it.
  (func $heap_take (param $size i32) (param $align i32) (result i32)
    (local $block i32)
    (if (i32.lt_u (local.get $align) (i32.const 16))
      (then (local.set $align (i32.const 16))))
    ;; block = align_up(heap + 4, align)
    (local.set $block
      (i32.and (i32.add (i32.add (global.get $heap) (i32.const 4))
                        (i32.sub (local.get $align) (i32.const 1)))
               (i32.sub (i32.const 0) (local.get $align))))
    (i32.store (i32.sub (local.get $block) (i32.const 4)) (local.get $size))
    (global.set $heap (i32.add (local.get $block) (local.get $size)))
    (global.set $alloc_objects (i32.add (global.get $alloc_objects) (i32.const 1)))
    (global.set $alloc_bytes (i32.add (global.get $alloc_bytes) (local.get $size)))
    (local.get $block))

  (func $heap_release (param $block i32)
    (if (i32.eqz (local.get $block)) (then (return)))
    (global.set $free_objects (i32.add (global.get $free_objects) (i32.const 1)))
    (global.set $free_bytes
      (i32.add (global.get $free_bytes)
               (i32.load (i32.sub (local.get $block) (i32.const 4))))))

  ;; ---- C allocators
  (func $malloc (param $size i32) (result i32)
    (call $heap_take (local.get $size) (i32.const 16)))
  (func $calloc (param $count i32) (param $size i32) (result i32)
    (call $malloc (i32.mul (local.get $count) (local.get $size))))
  (func $realloc (param $old i32) (param $size i32) (result i32)
    (local $new i32)
    (local.set $new (call $malloc (local.get $size)))
    (call $free (local.get $old))
    (local.get $new))
  (func $memalign (param $align i32) (param $size i32) (result i32)
    (call $heap_take (local.get $size) (local.get $align)))
  (func $aligned_alloc (param $align i32) (param $size i32) (result i32)
    (call $heap_take (local.get $size) (local.get $align)))
  (func $free (param $block i32)
    (call $heap_release (local.get $block)))

  ;; ---- Rust's global-allocator ABI (as rustc's std emits it)
  (func $__rdl_alloc (param $size i32) (param $align i32) (result i32)
    (call $malloc (local.get $size)))
  (func $__rust_alloc (param $size i32) (param $align i32) (result i32)
    (call $__rdl_alloc (local.get $size) (local.get $align)))
  (func $__rust_alloc_zeroed (param $size i32) (param $align i32) (result i32)
    (call $calloc (local.get $size) (i32.const 1)))
  (func $__rust_realloc (param $ptr i32) (param $old_size i32) (param $align i32)
                        (param $new_size i32) (result i32)
    (call $realloc (local.get $ptr) (local.get $new_size)))
  (func $__rust_dealloc (param $ptr i32) (param $size i32) (param $align i32)
    (call $free (local.get $ptr)))

  ;; ---- C++ operator new/delete, Itanium-mangled (size_t = unsigned long
  ;; "m" on wasm32-wasi; "j" = unsigned int, as some toolchains spell it)
  (func $_Znwm (param $size i32) (result i32)
    (call $malloc (local.get $size)))
  (func $_Znam (param $size i32) (result i32)
    (call $_Znwm (local.get $size)))
  (func $_Znwj (param $size i32) (result i32)
    (call $malloc (local.get $size)))
  (func $_Znaj (param $size i32) (result i32)
    (call $_Znwj (local.get $size)))
  (func $_ZnwmRKSt9nothrow_t (param $size i32) (param $nothrow i32) (result i32)
    (call $_Znwm (local.get $size)))
  (func $_ZnamRKSt9nothrow_t (param $size i32) (param $nothrow i32) (result i32)
    (call $_Znam (local.get $size)))
  (func $_ZnwmSt11align_val_t (param $size i32) (param $align i32) (result i32)
    (call $aligned_alloc (local.get $align) (local.get $size)))
  (func $_ZnamSt11align_val_t (param $size i32) (param $align i32) (result i32)
    (call $_ZnwmSt11align_val_t (local.get $size) (local.get $align)))
  (func $_ZdlPv (param $ptr i32)
    (call $free (local.get $ptr)))
  (func $_ZdaPv (param $ptr i32)
    (call $_ZdlPv (local.get $ptr)))
  (func $_ZdlPvm (param $ptr i32) (param $size i32)
    (call $_ZdlPv (local.get $ptr)))
  (func $_ZdaPvm (param $ptr i32) (param $size i32)
    (call $_ZdaPv (local.get $ptr)))
  (func $_ZdlPvRKSt9nothrow_t (param $ptr i32) (param $nothrow i32)
    (call $_ZdlPv (local.get $ptr)))
  (func $_ZdaPvRKSt9nothrow_t (param $ptr i32) (param $nothrow i32)
    (call $_ZdaPv (local.get $ptr)))
  (func $_ZdlPvSt11align_val_t (param $ptr i32) (param $align i32)
    (call $free (local.get $ptr)))
  (func $_ZdaPvSt11align_val_t (param $ptr i32) (param $align i32)
    (call $_ZdlPvSt11align_val_t (local.get $ptr) (local.get $align)))
  (func $_ZdlPvmSt11align_val_t (param $ptr i32) (param $size i32) (param $align i32)
    (call $_ZdlPvSt11align_val_t (local.get $ptr) (local.get $align)))

  ;; ---- the allocating code (see allocator_symbols.expected)
  (func $rust_drop_boxes (param $a i32) (param $b i32) (param $c i32)
    (call $__rust_dealloc (local.get $a) (i32.const 8) (i32.const 8))
    (call $__rust_dealloc (local.get $b) (i32.const 8) (i32.const 8))
    (call $__rust_dealloc (local.get $c) (i32.const 8) (i32.const 8)))

  (func $rust_boxes
    (call $rust_drop_boxes
      (call $__rust_alloc (i32.const 8) (i32.const 8))
      (call $__rust_alloc (i32.const 8) (i32.const 8))
      (call $__rust_alloc (i32.const 8) (i32.const 8))))

  (func $rust_zeroed
    (call $__rust_dealloc
      (call $__rust_alloc_zeroed (i32.const 64) (i32.const 8)) (i32.const 64) (i32.const 8)))

  ;; A Vec<u32> growing 4 -> 8 -> 16 elements; its buffer leaks.
  (func $rust_vec
    (local $buffer i32)
    (local.set $buffer (call $__rust_alloc (i32.const 16) (i32.const 4)))
    (local.set $buffer
      (call $__rust_realloc (local.get $buffer) (i32.const 16) (i32.const 4) (i32.const 32)))
    (local.set $buffer
      (call $__rust_realloc (local.get $buffer) (i32.const 32) (i32.const 4) (i32.const 64)))
    (i32.store (local.get $buffer) (i32.const 7)))

  (func $cxx_scalar
    (local $a i32) (local $b i32)
    (local.set $a (call $_Znwm (i32.const 12)))
    (local.set $b (call $_Znwm (i32.const 12)))
    (call $_ZdlPv (local.get $a))
    (call $_ZdlPvm (local.get $b) (i32.const 12)))

  (func $cxx_array
    (local $a i32) (local $b i32)
    (local.set $a (call $_Znam (i32.const 40)))
    (local.set $b (call $_Znam (i32.const 20)))
    (call $_ZdaPv (local.get $a))
    (call $_ZdaPvm (local.get $b) (i32.const 20)))

  (func $cxx_aligned
    (local $a i32) (local $b i32) (local $c i32)
    (local.set $a (call $_ZnwmSt11align_val_t (i32.const 64) (i32.const 32)))
    (local.set $b (call $_ZnamSt11align_val_t (i32.const 128) (i32.const 64)))
    (local.set $c (call $_ZnwmSt11align_val_t (i32.const 32) (i32.const 16)))
    (call $_ZdlPvSt11align_val_t (local.get $a) (i32.const 32))
    (call $_ZdaPvSt11align_val_t (local.get $b) (i32.const 64))
    (call $_ZdlPvmSt11align_val_t (local.get $c) (i32.const 32) (i32.const 16)))

  (func $cxx_nothrow
    (local $a i32) (local $b i32)
    (local.set $a (call $_ZnwmRKSt9nothrow_t (i32.const 16) (i32.const 0)))
    (local.set $b (call $_ZnamRKSt9nothrow_t (i32.const 48) (i32.const 0)))
    (call $_ZdlPvRKSt9nothrow_t (local.get $a) (i32.const 0))
    (call $_ZdaPvRKSt9nothrow_t (local.get $b) (i32.const 0)))

  ;; Both blocks leak.
  (func $cxx_unsigned_int
    (drop (call $_Znwj (i32.const 8)))
    (drop (call $_Znaj (i32.const 24))))

  (func $c_memalign
    (call $free (call $memalign (i32.const 64) (i32.const 100))))

  (func $_start (export "_start")
    (call $rust_boxes)
    (call $rust_zeroed)
    (call $rust_vec)
    (call $cxx_scalar)
    (call $cxx_array)
    (call $cxx_aligned)
    (call $cxx_nothrow)
    (call $cxx_unsigned_int)
    (call $c_memalign)))
