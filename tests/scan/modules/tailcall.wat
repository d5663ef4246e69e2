;; Tail calls: return_call and return_call_indirect.
(module
  (type $t (func (param i32) (result i32)))
  (table 1 funcref)
  (elem (i32.const 0) $callee)
  (func $callee (type $t) local.get 0)
  (func $direct (param i32) (result i32) local.get 0 return_call $callee)
  (func $indirect (param i32) (result i32) local.get 0 i32.const 0 return_call_indirect (type $t))
  (func $normal (param i32) (result i32) local.get 0 call $callee))
