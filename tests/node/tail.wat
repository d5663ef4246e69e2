;; Hand-instrumented tail calls (wat2wasm --enable-tail-call): the exit probe
;; fires after the operands and before return_call, so the shadow stack stays
;; flat. Two imports, so fid = function index - 2.
;;   fid 0 count, 1 sum, 2 via_table, 3 sum_indirect
(module
  (import "wprof" "enter" (func $enter (param i32)))
  (import "wprof" "exit" (func $exit (param i32)))
  (import "wprof" "exit_i32" (func $exit_i32 (param i32 i32) (result i32)))
  (type $count_type (func (param i32 i32) (result i32)))
  (table 1 funcref)
  (elem (i32.const 0) $count)

  ;; count(n, acc) = acc + n + (n-1) + ... + 1, by n+1 tail calls.
  (func $count (param $n i32) (param $acc i32) (result i32)
    (call $enter (i32.const 0))
    (if (i32.eqz (local.get $n))
      (then (return (call $exit_i32 (i32.const 0) (local.get $acc)))))
    (i32.sub (local.get $n) (i32.const 1))
    (i32.add (local.get $acc) (local.get $n))
    (call $exit (i32.const 0))
    (return_call $count))

  (func $sum (export "sum") (param i32) (result i32)
    (call $enter (i32.const 1))
    (call $exit_i32 (i32.const 1) (call $count (local.get 0) (i32.const 0))))

  (func $via_table (param i32) (result i32)
    (call $enter (i32.const 2))
    (local.get 0)
    (i32.const 0)
    (i32.const 0)
    (call $exit (i32.const 2))
    (return_call_indirect (type $count_type)))

  (func $sum_indirect (export "sum_indirect") (param i32) (result i32)
    (call $enter (i32.const 3))
    (call $exit_i32 (i32.const 3) (call $via_table (local.get 0))))
)
