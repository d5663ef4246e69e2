;; Imports a probe that the probe ABI does not define: hosts must refuse it.
(module (import "wprof" "exit_i128" (func (param i32))))
