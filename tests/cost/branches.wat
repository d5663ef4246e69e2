;; Straight-line code, an early return, br_table, a loop, calls through a
;; table and proc_exit, with each function's instruction count derived by
;; hand in the unit of docs/probe-abi.md ("Instruction cost": every
;; instruction but block/loop/if's else/end and nop; if counts).
;;
;; _start: six calls of the form "i32.const X; call $f; drop" = 3 each (18),
;;   then "i32.const 3; call $proc_exit" = 2: self 20.
;; half(5), odd:  local.get i32.const i32.and if | i32.const return      = 6
;; half(8), even: local.get i32.const i32.and if | local.get i32.const i32.shr_u = 7
;; classify(0) and (1): local.get br_table | i32.const return            = 4 each
;; classify(7):         local.get br_table | i32.const                   = 3
;; loop(10): entry "i32.const 0; local.set 1" = 2; 11 checks of
;;   "local.get local.get i32.ge_u br_if" = 44; 10 bodies of 13 = 130; "local.get 2" = 1:
;;   self 177; i = 0..9 calls double for even i, square for odd: 5 calls each, 3 each.
;; expect run.instructions 251
;; expect run.status exited
;; expect _start self 20 incl 251 calls 1
;; expect _start;half self 13 incl 13 calls 2
;; expect _start;classify self 11 incl 11 calls 3
;; expect _start;loop self 177 incl 207 calls 1
;; expect _start;loop;double self 15 incl 15 calls 5
;; expect _start;loop;square self 15 incl 15 calls 5
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (type $unop (func (param i32) (result i32)))
  (table 2 funcref)
  (elem (i32.const 0) $double $square)
  (memory (export "memory") 1)
  (func $double (type $unop) local.get 0 i32.const 2 i32.mul)
  (func $square (type $unop) local.get 0 local.get 0 i32.mul)
  (func $half (param i32) (result i32)
    local.get 0 i32.const 1 i32.and
    if i32.const 0 return end
    nop
    local.get 0 i32.const 1 i32.shr_u)
  (func $classify (param i32) (result i32)
    block $c block $b block $a
      local.get 0 br_table $a $b $c
    end i32.const 10 return
    end i32.const 20 return
    end i32.const 30)
  (func $loop (param i32) (result i32) (local i32 i32)
    i32.const 0 local.set 1
    block $done
      loop $l
        local.get 1 local.get 0 i32.ge_u br_if $done
        local.get 2
        local.get 1
        local.get 1 i32.const 1 i32.and
        call_indirect (type $unop)
        i32.add local.set 2
        local.get 1 i32.const 1 i32.add local.set 1
        br $l
      end
    end
    local.get 2)
  (func (export "_start")
    i32.const 5 call $half drop
    i32.const 8 call $half drop
    i32.const 0 call $classify drop
    i32.const 1 call $classify drop
    i32.const 7 call $classify drop
    i32.const 10 call $loop drop
    i32.const 3 call $proc_exit))
