;; A trap by `unreachable`, which ends its run, is counted exactly.
;; _start: "i32.const 4; call $boom" = 2 (the drop after the call never runs).
;; boom: local.get i32.const i32.add drop unreachable = 5.
;; expect run.instructions 7
;; expect run.status trapped
;; expect _start self 2 incl 7 calls 1
;; expect _start;boom self 5 incl 5 calls 1
(module
  (func $boom (param i32) (result i32)
    local.get 0 i32.const 1 i32.add drop unreachable)
  (func (export "_start") i32.const 4 call $boom drop))
