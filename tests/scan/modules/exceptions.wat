;; Legacy exception handling: try/catch/catch_all/throw/rethrow/delegate.
(module
  (tag $e (param i32))
  (func $thrower (param i32)
    local.get 0
    throw $e)
  (func $catcher (result i32)
    (try (result i32)
      (do (call $thrower (i32.const 1)) (i32.const 0))
      (catch $e)
      (catch_all (i32.const 2))))
  (func $catch_all_only
    (try (do (call $plain)) (catch_all)))
  (func $rethrower
    (try (do (call $thrower (i32.const 3))) (catch_all (rethrow 0))))
  (func $delegator
    (try (do (try (do (call $thrower (i32.const 4))) (delegate 0))) (catch $e (drop))))
  (func $plain nop))
