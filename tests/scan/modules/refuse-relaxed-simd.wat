(module (func (param v128) (result v128) local.get 0 i32x4.relaxed_trunc_f32x4_s))
