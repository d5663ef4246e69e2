-- Mutual recursion main -> even(3) -> odd(2) -> even(1) -> odd(0), which
-- traps (integer divide by zero): all 5 frames are closed by unwinding.
--   path                         rec  self    incl
--   1 main                        0  100000  200000
--   2 main;even                   0   10000  100000
--   3 main;even;odd               0   20000   90000
--   4 main;even;odd;even          1   30000   70000
--   5 main;even;odd;even;odd      1   40000   40000
-- flat: even calls 2/1 self 40000 incl 100000; odd 2/1 self 60000 incl 90000.
INSERT INTO run VALUES (1, 'mutual.wasm', 'fedcba9876543210fedcba9876543210', 999, 1, '["mutual.wasm"]', 'node',
  '2026-11-22T04:05:06Z', 250000, 'clock_gettime', NULL, 'exact', NULL, 0, 0, 0, 'trapped', NULL, 'integer divide by zero',
  5, 0, 5, 0, 0, 0, 0, 0, 0, NULL);
INSERT INTO functions VALUES (0, 1, 'main', 10, 1, NULL, 0, NULL, NULL), (1, 2, 'even', 20, 1, NULL, 0, NULL, NULL), (2, 3, 'odd', 30, 1, NULL, 0, NULL, NULL);
INSERT INTO call_paths VALUES
  (1, NULL, 0, 1, 0, 1, 1, 200000, 100000, 0, 0, 0),
  (2, 1, 1, 2, 0, 1, 1, 100000, 10000, 0, 0, 0),
  (3, 2, 2, 3, 0, 1, 1, 90000, 20000, 0, 0, 0),
  (4, 3, 1, 4, 1, 1, 1, 70000, 30000, 0, 0, 0),
  (5, 4, 2, 5, 1, 1, 1, 40000, 40000, 0, 0, 0);
