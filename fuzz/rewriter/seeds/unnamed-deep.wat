;; unreachable code, nested blocks, no names
(module
  (type (func))
  (func (unreachable) (i32.add) (drop))
  (func (result i32) (block (result i32) (block (result i32) (block (result i32) (i32.const 1) (br 2)))))
  (func (param i32) (if (local.get 0) (then (return)) (else (nop))) (call_indirect (type 0) (i32.const 0)))
  (table 1 funcref))
