;; empty-probes.wat: every probe of docs/probe-abi.md as an empty wasm
;; function (exit_T hands its value back): run-empty.mjs binds a guest's
;; `wprof` imports to them, the floor under any recorder of the probe ABI
;; in wasm (bench/node/overhead.sh).
(module
  (func (export "enter") (param i32))
  (func (export "exit") (param i32))
  (func (export "count") (param i32))
  (func (export "exit_i32") (param i32 i32) (result i32) (local.get 1))
  (func (export "exit_i64") (param i32 i64) (result i64) (local.get 1))
  (func (export "exit_f32") (param i32 f32) (result f32) (local.get 1))
  (func (export "exit_f64") (param i32 f64) (result f64) (local.get 1))
  (func (export "exit_v128") (param i32 v128) (result v128) (local.get 1))
  (func (export "exit_funcref") (param i32 funcref) (result funcref) (local.get 1))
  (func (export "exit_externref") (param i32 externref) (result externref) (local.get 1))
  (func (export "frame") (result i32) (i32.const 0))
  (func (export "catch") (param i32 i32))
  (func (export "alloc") (param i32 i32))
  (func (export "realloc") (param i32 i32 i32))
  (func (export "free") (param i32)))
