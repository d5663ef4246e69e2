-- A run that made no call at all (the guest's _start was never instrumented).
INSERT INTO run VALUES (1, 'empty.wasm', '00000000000000000000000000000000', 8, 0, '[]', 'wasm2c',
  '2026-11-22T04:05:06Z', 1000, 'tsc', NULL, 'exact', NULL, 0, 0, 0, 'exited', 0, NULL, 0, 0, 0, 0, 0, 0, 0, 0, 0, NULL);
