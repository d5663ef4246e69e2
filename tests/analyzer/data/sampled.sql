-- A sampled run (timing 'sampled', one sample per 1 ms): main parses its
-- input, then sorts it recursively. Samples per path chosen by hand; then
-- self = samples * 1000000 ns and incl = self + children's incl.
--   path                          calls  samples  self (ms)  incl (ms)
--   1 (root)                          0        5          5          5
--   2 main                            1       25         25        995
--   3 main;parse                      1      150        150        150
--   4 main;sort                       1      300        300        820
--   5 main;sort;sort (recursive)      6      200        200        420
--   6 main;sort;compare             500      100        100        100
--   7 main;sort;sort;compare       2500      220        220        220
--   8 main;parse;tokenize             4        0          0          0
-- run.samples = 1000 (1.00 s, = main's incl + (root)'s), total_calls = 3013;
-- 30 more samples landed in the probes (30 / 1030 = 2.91% of the run), so
-- the wall time, 1.032 s, is a little more than the 1030 samples.
-- Per function: sort 500 samples (7 calls, 1 outermost, incl 820 ms),
-- compare 320, parse 150, main 25, (root) 5, tokenize 0.
INSERT INTO run VALUES (1, 'sort.wasm', 'fedcba9876543210fedcba9876543210', 4321, 1, '["sort.wasm","input.txt"]',
  'wasm2c', '2026-11-23T10:00:00.000Z', 1032000000, 'clock_gettime', NULL, 'sampled', 1000000, 1000, 30, 0, 'exited',
  0, NULL, 3013, 3013, 0, 0, 0, 0, 0, 0, 0, NULL);
INSERT INTO functions VALUES (-1, -1, '(root)', 0, 0, NULL, 0, NULL, NULL), (0, 10, 'main', 1000, 1, NULL, 0, NULL, NULL),
  (1, 11, 'parse', 1100, 1, NULL, 0, NULL, NULL), (2, 12, 'sort', 1200, 1, NULL, 0, NULL, NULL), (3, 13, 'compare', 1300, 1, NULL, 0, NULL, NULL),
  (4, 14, 'tokenize', 1400, 1, NULL, 0, NULL, NULL);
INSERT INTO call_paths VALUES
  (1, NULL, -1, 0, 0, 0, 0, 5000000, 5000000, 5, 0, 0),
  (2, NULL, 0, 1, 0, 1, 0, 995000000, 25000000, 25, 0, 0),
  (3, 2, 1, 2, 0, 1, 0, 150000000, 150000000, 150, 0, 0),
  (4, 2, 2, 2, 0, 1, 0, 820000000, 300000000, 300, 0, 0),
  (5, 4, 2, 3, 1, 6, 0, 420000000, 200000000, 200, 0, 0),
  (6, 4, 3, 3, 0, 500, 0, 100000000, 100000000, 100, 0, 0),
  (7, 5, 3, 4, 0, 2500, 0, 220000000, 220000000, 220, 0, 0),
  (8, 3, 4, 3, 0, 4, 0, 0, 0, 0, 0, 0);
