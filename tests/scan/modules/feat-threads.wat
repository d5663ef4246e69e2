(module
  (memory 1 1 shared)
  (func (result i32)
    (drop (i32.atomic.rmw.add (i32.const 0) (i32.const 1)))
    atomic.fence
    (i32.atomic.load (i32.const 0))))
