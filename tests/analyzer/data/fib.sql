-- fib(5) called from main: 15 calls of fib, 3 mallocs, 1 free.
-- Self times (ns) and self instructions (wasm-instrument --cost: 12 per fib
-- call) chosen by hand; incl = self + children's incl, for both.
--   path                      calls  self     incl     self_instr  incl_instr
--   1 main                        1  1000000  1400000        1000        1610
--   2 main;fib                    1   100000   350000          12         330
--   3 main;fib;fib                2    40000   200000          24         168
--   4 main;fib;fib;fib            4    60000   160000          48         144
--   5 main;fib*4                  6    60000   100000          72          96
--   6 main;fib*5                  2    40000    40000          24          24
--   7 main;malloc                 2    30000    30000         200         200
--   8 main;free                   1    20000    20000          80          80
--   9 main;fib;malloc             1    50000    50000         150         150
-- Sum of self = 1400000 = main's incl; sum of self instructions = 1610 =
-- main's incl = run.instructions. Per function (self, incl of outermost
-- activations): main 1000/1610, fib 180/330, malloc 350/350, free 80/80.
INSERT INTO run VALUES (1, 'fib.wasm', '0123456789abcdef0123456789abcdef', 1234, 1, '["fib.wasm","5"]', 'wasm2c',
  '2026-11-22T04:05:06.123Z', 2000000, 'tsc', 3000000000.0, 'exact', NULL, 0, 0, 0, 'exited', 0, NULL, 20, 20, 0, 0,
  2097552, 3, 500000, 0, 0, 1610);
INSERT INTO functions VALUES (0, 3, 'main', 100, 1, NULL, 0, NULL, NULL), (1, 4, 'fib', 200, 1, NULL, 0, NULL, NULL),
  (2, 5, 'malloc', 300, 1, 'malloc', 0, NULL, NULL), (3, 6, 'free', 400, 1, 'free', 0, NULL, NULL), (4, 7, 'unused', 500, 1, NULL, 0, NULL, NULL);
INSERT INTO call_paths VALUES
  (1, NULL, 0, 1, 0, 1, 0, 1400000, 1000000, 0, 1610, 1000),
  (2, 1, 1, 2, 0, 1, 0, 350000, 100000, 0, 330, 12),
  (3, 2, 1, 3, 1, 2, 0, 200000, 40000, 0, 168, 24),
  (4, 3, 1, 4, 1, 4, 0, 160000, 60000, 0, 144, 48),
  (5, 4, 1, 5, 1, 6, 0, 100000, 60000, 0, 96, 72),
  (6, 5, 1, 6, 1, 2, 0, 40000, 40000, 0, 24, 24),
  (7, 1, 2, 2, 0, 2, 0, 30000, 30000, 0, 200, 200),
  (8, 1, 3, 2, 0, 1, 0, 20000, 20000, 0, 80, 80),
  (9, 2, 2, 3, 0, 1, 0, 50000, 50000, 0, 150, 150);
INSERT INTO alloc_sites VALUES
  (7, 2, 400, 1, 100, 1, 300, 2, 400),
  (9, 1, 2097152, 0, 0, 1, 2097152, 1, 2097152);
