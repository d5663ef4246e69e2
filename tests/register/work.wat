;; tests/register/work.wat: the guest of app.mjs. work(x) calls leaf twice,
;; so every call of the export work is one call of the path work and two of
;; work;leaf; trap() traps (unreachable).
(module
  (func $leaf (param i32) (result i32)
    local.get 0
    i32.const 1
    i32.add)
  (func $work (export "work") (param i32) (result i32)
    local.get 0
    call $leaf
    call $leaf)
  (func $trap (export "trap")
    unreachable))
