;; badimport: imports a function wprof run does not provide.
(module
  (import "env" "host_thing" (func $h))
  (func (export "_start") (call $h)))
