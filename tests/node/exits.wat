;; Hand-instrumented identity functions, one per exit_T probe, plus a
;; two-result function that uses plain `exit`. The bits_* wrappers are not
;; instrumented (flags 0): they only move float and v128 bits across the JS
;; boundary as integers, which JS can carry exactly.
;; Nine imports, so fid = function index - 9.
;;   fid 0 id_i32, 1 id_i64, 2 id_f32, 3 id_f64, 4 id_v128, 5 id_funcref,
;;   6 id_externref, 7 swap, 8 bits_f32, 9 bits_f64, 10 bits_v128
(module
  (import "wprof" "enter" (func $enter (param i32)))
  (import "wprof" "exit" (func $exit (param i32)))
  (import "wprof" "exit_i32" (func $exit_i32 (param i32 i32) (result i32)))
  (import "wprof" "exit_i64" (func $exit_i64 (param i32 i64) (result i64)))
  (import "wprof" "exit_f32" (func $exit_f32 (param i32 f32) (result f32)))
  (import "wprof" "exit_f64" (func $exit_f64 (param i32 f64) (result f64)))
  (import "wprof" "exit_v128" (func $exit_v128 (param i32 v128) (result v128)))
  (import "wprof" "exit_funcref" (func $exit_funcref (param i32 funcref) (result funcref)))
  (import "wprof" "exit_externref" (func $exit_externref (param i32 externref) (result externref)))

  (func $id_i32 (export "id_i32") (param i32) (result i32)
    (call $enter (i32.const 0))
    (call $exit_i32 (i32.const 0) (local.get 0)))
  (func $id_i64 (export "id_i64") (param i64) (result i64)
    (call $enter (i32.const 1))
    (call $exit_i64 (i32.const 1) (local.get 0)))
  (func $id_f32 (param f32) (result f32)
    (call $enter (i32.const 2))
    (call $exit_f32 (i32.const 2) (local.get 0)))
  (func $id_f64 (param f64) (result f64)
    (call $enter (i32.const 3))
    (call $exit_f64 (i32.const 3) (local.get 0)))
  (func $id_v128 (param v128) (result v128)
    (call $enter (i32.const 4))
    (call $exit_v128 (i32.const 4) (local.get 0)))
  (func $id_funcref (export "id_funcref") (param funcref) (result funcref)
    (call $enter (i32.const 5))
    (call $exit_funcref (i32.const 5) (local.get 0)))
  (func $id_externref (export "id_externref") (param externref) (result externref)
    (call $enter (i32.const 6))
    (call $exit_externref (i32.const 6) (local.get 0)))
  (func $swap (export "swap") (param i32 i64) (result i64 i32)
    (call $enter (i32.const 7))
    (local.get 1)
    (local.get 0)
    (call $exit (i32.const 7)))

  (func (export "bits_f32") (param i32) (result i32)
    (i32.reinterpret_f32 (call $id_f32 (f32.reinterpret_i32 (local.get 0)))))
  (func (export "bits_f64") (param i64) (result i64)
    (i64.reinterpret_f64 (call $id_f64 (f64.reinterpret_i64 (local.get 0)))))
  (func (export "bits_v128") (param i64 i64) (result i64 i64)
    (local $v v128)
    (local.set $v (call $id_v128
      (i64x2.replace_lane 1 (i64x2.splat (local.get 0)) (local.get 1))))
    (i64x2.extract_lane 0 (local.get $v))
    (i64x2.extract_lane 1 (local.get $v)))
)
