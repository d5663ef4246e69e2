;; Exceptions: a throw unwinds frames without exits; the catch probe of the
;; catching frame tells the host the depth it unwound to.
(module
  (tag $e (param i32))
  (func $thrower (param i32) (throw $e (local.get 0)))
  (func $middle (param i32) (call $thrower (local.get 0)))
  (func $inner (param i32) (call $middle (local.get 0)))
  ;; a throw across three frames (inner -> middle -> thrower), caught here
  (func $catcher (export "catcher") (param i32) (result i32)
    (try (result i32)
      (do (call $inner (local.get 0)) (i32.const -1))
      (catch $e (i32.add (i32.const 1000)))))
  ;; catch_all and a rethrow caught one frame up
  (func $rethrower (param i32)
    (try (do (call $thrower (local.get 0)))
      (catch_all (rethrow 0))))
  (func $catch_all (export "catch_all") (param i32) (result i32)
    (try (result i32)
      (do (call $rethrower (local.get 0)) (i32.const -1))
      (catch_all (i32.const 77))))
  ;; delegate hands the exception to the enclosing try of the same function
  (func $delegating (export "delegating") (param i32) (result i32)
    (try $outer (result i32)
      (do (try (do (call $middle (local.get 0))) (delegate $outer)) (i32.const -1))
      (catch $e)))
  ;; recursion: the activation that catches is not the innermost catcher2
  (func $catcher2 (export "catcher2") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (call $inner (i32.const 5)) (i32.const -1))
      (else
        (try (result i32)
          (do (call $catcher2 (i32.sub (local.get 0) (i32.const 1))))
          (catch $e)))))
)
