;; a block with parameters: valid, refused (binaryen 108 miscompiles them)
(module
  (func $f (param i32) (result i32)
    (local.get 0) (i32.const 2)
    (block (param i32 i32) (result i32) (i32.add))))
