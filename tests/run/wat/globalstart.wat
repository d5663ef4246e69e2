;; globalstart: a global, not a function, is exported as _start.
(module (global (export "_start") i32 (i32.const 0)))
