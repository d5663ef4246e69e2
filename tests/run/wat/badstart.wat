;; badstart: _start takes a parameter, so it is not a WASI command's entry point.
(module (func (export "_start") (param i32)))
