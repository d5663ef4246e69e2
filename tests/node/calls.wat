;; Hand-instrumented module: probes written exactly as wasm-instrument would
;; place them (docs/probe-abi.md). Three imports, so fid = function index - 3.
;;   fid 0 leaf, 1 mid, 2 fac, 3 main, 4 boom, 5 trap
(module
  (import "wprof" "enter" (func $enter (param i32)))
  (import "wprof" "exit" (func $exit (param i32)))
  (import "wprof" "exit_i32" (func $exit_i32 (param i32 i32) (result i32)))

  (func $leaf (param i32) (result i32)
    (call $enter (i32.const 0))
    (call $exit_i32 (i32.const 0) (i32.add (local.get 0) (i32.const 1))))

  (func $mid
    (call $enter (i32.const 1))
    (drop (call $leaf (i32.const 1)))
    (drop (call $leaf (i32.const 2)))
    (call $exit (i32.const 1)))

  ;; Recursive, leaves through `return` in the base case.
  (func $fac (param i32) (result i32)
    (call $enter (i32.const 2))
    (if (i32.le_u (local.get 0) (i32.const 1))
      (then (return (call $exit_i32 (i32.const 2) (i32.const 1)))))
    (call $exit_i32 (i32.const 2)
      (i32.mul (local.get 0) (call $fac (i32.sub (local.get 0) (i32.const 1))))))

  ;; main = fac(5) after mid x3 and leaf x1: leaf 7 calls, mid 3, fac 5, main 1.
  (func $main (export "main") (result i32)
    (call $enter (i32.const 3))
    (call $mid) (call $mid) (call $mid)
    (drop (call $leaf (i32.const 0)))
    (call $exit_i32 (i32.const 3) (call $fac (i32.const 5))))

  ;; Traps after a balanced call to leaf; its exit is never reached.
  (func $boom
    (call $enter (i32.const 4))
    (drop (call $leaf (i32.const 0)))
    (unreachable)
    (call $exit (i32.const 4)))

  (func $trap (export "trap")
    (call $enter (i32.const 5))
    (call $boom)
    (call $exit (i32.const 5)))
)
