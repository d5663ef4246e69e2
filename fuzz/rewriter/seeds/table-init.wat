;; table.init and elem.drop: valid, but binaryen 108 cannot read them (refused, exit 1)
(module
  (table $t 2 funcref)
  (elem $e func $f)
  (func $f
    (table.init $t $e (i32.const 0) (i32.const 0) (i32.const 1))
    (elem.drop $e)))
