;; Hand-instrumented module with legacy exception handling (wat2wasm
;; --enable-exceptions). Five imports, so fid = function index - 5.
;;   fid 0 thrower, 1 middle, 2 outer, 3 catcher, 4 run, 5 escape
(module
  (import "wprof" "enter" (func $enter (param i32)))
  (import "wprof" "exit" (func $exit (param i32)))
  (import "wprof" "exit_i32" (func $exit_i32 (param i32 i32) (result i32)))
  (import "wprof" "frame" (func $frame (result i32)))
  (import "wprof" "catch" (func $catch (param i32 i32)))
  (tag $boom (param i32))

  (func $thrower (param i32)
    (call $enter (i32.const 0))
    (throw $boom (local.get 0))
    (call $exit (i32.const 0)))

  (func $middle (param i32)
    (call $enter (i32.const 1))
    (call $thrower (local.get 0))
    (call $exit (i32.const 1)))

  (func $outer (param i32)
    (call $enter (i32.const 2))
    (call $middle (local.get 0))
    (call $exit (i32.const 2)))

  ;; Catches what thrower throws three frames down and returns its value.
  (func $catcher (param i32) (result i32)
    (local $depth i32) (local $value i32)
    (call $enter (i32.const 3))
    (local.set $depth (call $frame))
    (call $exit_i32 (i32.const 3)
      (try (result i32)
        (do (call $outer (local.get 0)) (i32.const -1))
        (catch $boom
          (local.set $value)
          (call $catch (i32.const 3) (local.get $depth))
          (local.get $value))
        (catch_all
          (call $catch (i32.const 3) (local.get $depth))
          (i32.const -2)))))

  (func $run (export "run") (param i32) (result i32)
    (call $enter (i32.const 4))
    (call $exit_i32 (i32.const 4) (call $catcher (local.get 0))))

  ;; Nobody catches: the exception leaves wasm like a trap.
  (func $escape (export "escape") (param i32)
    (call $enter (i32.const 5))
    (call $outer (local.get 0))
    (call $exit (i32.const 5)))
)
