(module (table $t 1 externref) (func (result externref) (table.get $t (i32.const 0))))
