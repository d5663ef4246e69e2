;; nostart: a library module without _start.
(module (func (export "f")))
