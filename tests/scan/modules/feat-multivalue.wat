(module (func (result i32 i64) i32.const 1 i64.const 2))
