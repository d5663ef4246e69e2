;; probe-loop: run(n) calls the empty $callee n times. Instrumented by
;; wasm-instrument, every call of $callee makes two probe events (enter,
;; exit), which probe-cost.mjs binds to empty functions or to the addon.
(module
  (func $callee)
  (func (export "run") (param $n i32)
    (loop $again
      (call $callee)
      (br_if $again (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))))
