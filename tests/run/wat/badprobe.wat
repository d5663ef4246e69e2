;; badprobe: imports the enter probe with the wrong type, (i64) -> () instead of (i32) -> ().
(module
  (import "wprof" "enter" (func $enter (param i64)))
  (memory (export "memory") 1)
  (func (export "_start") (call $enter (i64.const 1))))
