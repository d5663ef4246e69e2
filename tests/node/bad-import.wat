;; Imports a probe that ABI version 1 does not define: hosts must refuse it.
(module (import "wprof" "exit_i128" (func (param i32))))
