;; A trap in the middle of a run (a division by zero) also counts the rest of
;; the run, as docs/probe-abi.md says: div's one run is
;; "i32.const 10; local.get 0; i32.div_u; i32.const 1; i32.add" = 5, though
;; only 3 executed. _start: "i32.const 0; call $div" = 2.
;; expect run.instructions 7
;; expect run.status trapped
;; expect _start self 2 incl 7 calls 1
;; expect _start;div self 5 incl 5 calls 1
(module
  (func $div (param i32) (result i32)
    i32.const 10 local.get 0 i32.div_u i32.const 1 i32.add)
  (func (export "_start") i32.const 0 call $div drop))
