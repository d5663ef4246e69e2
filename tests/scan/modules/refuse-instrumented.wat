(module (import "wprof" "enter" (func (param i32))) (func))
