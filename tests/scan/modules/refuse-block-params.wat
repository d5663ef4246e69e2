(module
  (func (param i32) (result i32)
    local.get 0
    (block (param i32) (result i32)
      i32.const 1
      i32.add)))
