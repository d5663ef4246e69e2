;; Imports, exports, start, locals and a name section (built with --debug-names).
(module
  (import "env" "log" (func $log (param i32)))
  (import "env" "counter" (global $counter (mut i32)))
  (import "env" "mem" (memory 1 2))
  (func $first (export "first_export") (export "second_export") (param i32) (result i32)
    local.get 0)
  (func (export "anon_exported") (result i32)
    i32.const 7)
  (func
    i32.const 1
    call $log)
  (func $named_internal (param i64) (result i64) (local i32 f64)
    local.get 0)
  (func $init)
  (start $init))
