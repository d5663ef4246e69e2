;; multi-value results (block params live in block-params.wat: refused)
(module
  (func $two (export "two") (result i32 i64) (i32.const 1) (i64.const 2))
  (func $swap (param i32 f32) (result f32 i32) (local.get 1) (local.get 0))
  (func $blk (param i32) (result i32)
    (block (result i32 i32) (local.get 0) (i32.const 2))
    (i32.add) (call $two) (drop) (i32.add))
  (func $ret (result i32 i32) (i32.const 1) (i32.const 2) (return)))
