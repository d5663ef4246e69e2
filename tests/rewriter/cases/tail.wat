;; Tail calls fire the exit after their operands and stay tail calls.
(module
  (type $ii (func (param i32) (result i32)))
  (table 2 funcref)
  (elem (i32.const 0) $down $zero)
  ;; 1,000,000-deep tail recursion must not grow the stack
  (func $down (export "down") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 42))
      (else (return_call $down (i32.sub (local.get 0) (i32.const 1))))))
  ;; the same through the table
  (func $down_ind (export "down_ind") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 43))
      (else (return_call_indirect (type $ii) (i32.sub (local.get 0) (i32.const 1)) (i32.const 0)))))
  ;; a tail call with no operands
  (func $zero (export "zero") (param i32) (result i32) (i32.const 7))
  (func $noargs (result i32) (i32.const 9))
  (func $to_noargs (export "to_noargs") (result i32) (return_call $noargs))
  ;; an operand that is itself a call: it runs before the exit of $caller
  (func $caller (export "caller") (param i32) (result i32)
    (return_call $zero (call $noargs)))
)
