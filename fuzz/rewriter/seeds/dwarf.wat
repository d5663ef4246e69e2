;; a junk DWARF custom section (no source locations; dropped from the output) and a producers section
(module
  (func $f (export "f") (result i32) (i32.const 1))
  (@custom ".debug_info" "\04\00\00\00\02\00")
  (@custom "producers" "\01\08language\01\01C\00"))
