;; The block's type is a type index (two results), the function's is not.
(module (func (result i32) (block (result i32 i32) (i32.const 1) (i32.const 2)) drop))
