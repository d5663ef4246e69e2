(module (global $g (mut i32) (i32.const 0)) (export "g" (global $g)))
