;; tests/register/reentry.wat: the guest of reentry.mjs, whose JavaScript
;; import js.call(n) throws, or calls back into the guest, as n says.
;;   outer(n)  -> inner(n) -> js.call(n)           two frames under the import
;;   shield(n) -> inner(n) -> js.call(n), in a try: catch_all returns 1
;;   trap()    -> fault() -> unreachable
;;   init()    -> inner(js.boot) -> js.call(js.boot)   the start function
;; The application's funcref table js.funcs gets outer at 0; js.refs is an
;; externref table. (wasm-instrument takes no export of a second table.)
(module
  (import "js" "call" (func $js (param i32)))
  (import "js" "boot" (global $boot i32))
  (import "js" "funcs" (table $funcs 1 funcref))
  (import "js" "refs" (table $refs 1 externref))
  (start $init)
  (func $init
    global.get $boot
    call $inner)
  (elem (table $funcs) (i32.const 0) func $outer)
  (func $outer (export "outer") (param i32)
    local.get 0
    call $inner)
  (func $inner (param i32)
    local.get 0
    call $js)
  (func $shield (export "shield") (param i32) (result i32)
    try (result i32)
      local.get 0
      call $inner
      i32.const 0
    catch_all
      i32.const 1
    end)
  (func $trap (export "trap")
    call $fault)
  (func $fault
    unreachable))
