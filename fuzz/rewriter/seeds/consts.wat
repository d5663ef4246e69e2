;; extended-const globals, sign-ext, saturating truncation, imports, start
(module
  (import "env" "log" (func $log (param i32)))
  (import "env" "g" (global $ig i32))
  (global $e i32 (i32.add (global.get $ig) (i32.mul (i32.const 2) (i32.const 3))))
  (memory 1)
  (func $s (call $log (i32.extend8_s (i32.trunc_sat_f32_s (f32.const 3.5)))))
  (func $loop (param i32) (result i32)
    (loop $l (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
    (block $a (block $b (br_table $a $b (local.get 0))))
    (select (global.get $e) (i32.const 0) (local.get 0)))
  (start $s))
