-- A --trace run: main calls parse (which calls eval) and eval twice (the
-- first eval calls parse). Calls (ns):
--   id path                 start   dur    end
--   1  main                     0  10000  10000
--   2  main;parse            1234   3000   4234
--   3  main;parse;eval       1500   1000   2500
--   4  main;eval             5000   4000   9000
--   5  main;eval             9200    500   9700
--   6  main;eval;parse       6000   1500   7500
-- Paths: 1 main incl 10000 self 2500; 2 main;parse 3000/2000;
-- 3 main;parse;eval 1000/1000; 4 main;eval (2 calls) 4500/3000;
-- 5 main;eval;parse 1500/1500.
INSERT INTO run VALUES (1, 'trace.wasm', '00000000000000000000000000000001', 10, 1, '["trace.wasm","a b"]', 'wasm2c',
  '2026-01-02T03:04:05.5Z', 12000, 'tsc', 2500000000.0, 'exact', NULL, 0, 0, 1, 'exited', 3, NULL, 6, 6, 0, 0,
  0, 0, 0, 0, 0, NULL);
INSERT INTO functions VALUES (0, 0, 'main', 1, 1, NULL, 0, NULL, NULL), (1, 1, 'parse', 2, 1, NULL, 0, NULL, NULL), (2, 2, 'eval', 3, 1, NULL, 0, NULL, NULL);
INSERT INTO call_paths VALUES
  (1, NULL, 0, 1, 0, 1, 0, 10000, 2500, 0, 0, 0),
  (2, 1, 1, 2, 0, 1, 0, 3000, 2000, 0, 0, 0),
  (3, 2, 2, 3, 0, 1, 0, 1000, 1000, 0, 0, 0),
  (4, 1, 2, 2, 0, 2, 0, 4500, 3000, 0, 0, 0),
  (5, 4, 1, 3, 0, 1, 0, 1500, 1500, 0, 0, 0);
INSERT INTO calls VALUES (1, 1, 0, 10000, 0), (2, 2, 1234, 3000, 0), (3, 3, 1500, 1000, 0),
  (4, 4, 5000, 4000, 0), (5, 4, 9200, 500, 0), (6, 5, 6000, 1500, 0);
