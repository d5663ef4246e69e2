;; Harness self-test: the module instantiates, then all five assertions are
;; wrong and must be reported as failures.
(module
  (func (export "f32") (param f32) (result f32) (local.get 0))
  (func (export "one") (result i32) (i32.const 1))
  (func (export "trap") (unreachable)))
(assert_return (invoke "f32" (f32.const nan:0x200000)) (f32.const nan:0x200001))
(assert_return (invoke "f32" (f32.const nan:0x200000)) (f32.const nan:canonical))
(assert_return (invoke "one") (i32.const 2))
(assert_trap (invoke "one") "unreachable")
(assert_return (invoke "trap"))
