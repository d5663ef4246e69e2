;; An exception thrown by a callee and caught by its caller. The call ends
;; the caller's run, so the instructions after it in the try body, which never
;; run, are never counted.
;; thrower: local.get throw = 2.
;; catcher: "i32.const 7; call $thrower" = 2; the catch body "i32.const 1;
;;   i32.add" = 2 (taking the tag's value is not an instruction): self 4.
;; _start: "call $catcher" = 1, then "drop" = 1 after it returns: self 2.
;; expect run.instructions 8
;; expect run.status exited
;; expect _start self 2 incl 8 calls 1
;; expect _start;catcher self 4 incl 6 calls 1
;; expect _start;catcher;thrower self 2 incl 2 calls 1
(module
  (tag $e (param i32))
  (func $thrower (param i32) local.get 0 throw $e)
  (func $catcher (result i32)
    try (result i32)
      i32.const 7 call $thrower
      i32.const 0
    catch $e
      i32.const 1 i32.add
    end)
  (func (export "_start") call $catcher drop))
