(module (global i32 (i32.add (i32.const 1) (i32.mul (i32.const 2) (i32.const 3)))))
