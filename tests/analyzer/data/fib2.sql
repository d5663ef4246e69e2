-- fib.sql changed for wprof diff (applied on top of fib.sql):
-- fib 15 -> 19 calls, main self +100 us, free no longer called,
-- main;malloc allocates one more 100-byte block (kept), and a new site
-- main;fib;fib;malloc allocates 64 bytes (kept).
UPDATE call_paths SET calls = 8 WHERE id = 5;
UPDATE call_paths SET calls = 4 WHERE id = 6;
UPDATE call_paths SET self_ns = 1100000, incl_ns = 1500000 WHERE id = 1;
DELETE FROM call_paths WHERE id = 8;
INSERT INTO call_paths VALUES (10, 3, 2, 4, 0, 1, 0, 0, 0, 0, 0, 0);
UPDATE alloc_sites SET alloc_objects = 3, alloc_bytes = 500, live_objects = 2, live_bytes = 400 WHERE path_id = 7;
INSERT INTO alloc_sites VALUES (10, 1, 64, 0, 0, 1, 64, 1, 64);
