(module (memory 1) (func (memory.copy (i32.const 0) (i32.const 1) (i32.const 2))))
