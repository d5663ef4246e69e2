-- fib.sql changed for wprof diff (applied on top of fib.sql):
-- fib 15 -> 19 calls, main self +100 us, free no longer called,
-- main;malloc allocates one more 100-byte block (kept), and a new site
-- main;fib;fib;malloc allocates 64 bytes (kept).
-- Instructions (fib.sql's, by hand): 12 per fib call, so path 5 (8 calls)
-- self 96, incl 96 + 48 = 144; path 6 (4 calls) 48; path 4 incl 48 + 144 =
-- 192; the new path 10 self = incl = 50; path 3 incl 24 + 192 + 50 = 266;
-- path 2 incl 12 + 266 + 150 = 428; main does 3% more work: self 1030, incl
-- 1030 + 428 + 200 = 1658 = run.instructions (free's 80 are gone).
-- Self instructions per function, base -> new: main 1000 -> 1030 (+3.00%),
-- fib 180 -> 228 (+26.67%), malloc 350 -> 400 (+14.29%), free 80 -> gone.
UPDATE call_paths SET calls = 8, incl_instructions = 144, self_instructions = 96 WHERE id = 5;
UPDATE call_paths SET calls = 4, incl_instructions = 48, self_instructions = 48 WHERE id = 6;
UPDATE call_paths SET incl_instructions = 192 WHERE id = 4;
UPDATE call_paths SET incl_instructions = 266 WHERE id = 3;
UPDATE call_paths SET incl_instructions = 428 WHERE id = 2;
UPDATE call_paths SET self_ns = 1100000, incl_ns = 1500000, incl_instructions = 1658, self_instructions = 1030 WHERE id = 1;
DELETE FROM call_paths WHERE id = 8;
INSERT INTO call_paths VALUES (10, 3, 2, 4, 0, 1, 0, 0, 0, 0, 50, 50);
UPDATE run SET instructions = 1658;
UPDATE alloc_sites SET alloc_objects = 3, alloc_bytes = 500, live_objects = 2, live_bytes = 400 WHERE path_id = 7;
INSERT INTO alloc_sites VALUES (10, 1, 64, 0, 0, 1, 64, 1, 64);
