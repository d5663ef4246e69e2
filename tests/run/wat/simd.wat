;; simd: a v128 function, which wasm2c 1.0.32 cannot translate.
(module
  (func $f (param v128) (result v128) (local.get 0))
  (func (export "_start")))
