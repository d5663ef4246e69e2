;; tailcall: uses return_call, which wasm2c 1.0.32 cannot translate.
(module
  (func $f (return_call $g))
  (func $g)
  (func (export "_start") (call $f)))
