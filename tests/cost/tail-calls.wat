;; Tail calls (wasm2c 1.0.32 cannot translate them: run under Node).
;; count(n > 0): local.get i32.eqz if | local.get i32.const i32.sub return_call = 7
;; count(0):     local.get i32.eqz if | i32.const return                      = 5
;; count(3) runs 3 * 7 + 5 = 26; each tail call leaves its frame first, so
;; the four activations are four calls of one path under _start.
;; _start: "i32.const 3; call $count" = 2, then "drop" = 1: self 3.
;; expect run.instructions 29
;; expect _start self 3 incl 29 calls 1
;; expect _start;count self 26 incl 26 calls 4
(module
  (memory (export "memory") 1) ;; node:wasi wants one
  (func $count (param i32) (result i32)
    local.get 0 i32.eqz
    if i32.const 100 return end
    local.get 0 i32.const 1 i32.sub return_call $count)
  (func (export "_start") i32.const 3 call $count drop))
