;; callloop: _start calls $tick 20,000,000 times; $tick adds 1 to a global.
;; Nearly all of the run is the call and its probes: under sampled time most
;; samples must land in the probes' code (run.probe_samples), which the
;; wasm2c engine inlines into the guest's own.
(module
  (memory (export "memory") 1)
  (global $n (mut i32) (i32.const 0))
  (func $tick (global.set $n (i32.add (global.get $n) (i32.const 1))))
  (func $_start (export "_start")
    (local $i i32)
    (loop $calls
      (call $tick)
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $calls (i32.lt_u (local.get $i) (i32.const 20000000))))))
