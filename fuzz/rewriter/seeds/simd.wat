;; SIMD: v128 params, results, locals, globals, memory lanes
(module
  (memory 1)
  (global $g (mut v128) (v128.const i32x4 1 2 3 4))
  (func $add (export "add") (param v128 v128) (result v128)
    (i32x4.add (local.get 0) (local.get 1)))
  (func $lane (param i32) (result f32)
    (local v128)
    (local.set 1 (v128.load (local.get 0)))
    (v128.store8_lane 0 (local.get 0) (local.get 1))
    (f32x4.extract_lane 2 (f32x4.splat (f32.const 1.5))))
  (func (result v128) (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 (global.get $g) (global.get $g))))
