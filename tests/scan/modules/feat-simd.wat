(module
  (memory 1)
  (func (result i32)
    (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15
      (v128.const i32x4 1 2 3 4)
      (v128.load8_lane 3 (i32.const 0) (v128.const i64x2 0 0)))
    (i32x4.extract_lane 2)))
