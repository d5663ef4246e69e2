-- On top of fib.sql: a 100,000-deep direct recursion. main (self 10 ns)
-- calls fib, which calls itself down to depth 100,001; each fib has 10 ns of
-- self time (so main;fib... at depth d has incl (100,002 - d) * 10 ns), and
-- the deepest allocates 64 bytes, still live. Drawn with the recursion
-- collapsed: main 10 ns self, main;fib 100,000 calls and 1,000,000 ns self.
-- Instructions likewise: main 5 self, each fib 3 self (incl (100,002 - d) * 3),
-- so collapsed main 5 self and 300,005 incl, main;fib 300,000 self and incl.
DELETE FROM alloc_sites;
DELETE FROM call_paths WHERE id > 1;
UPDATE call_paths SET incl_ns = 1000010, self_ns = 10, incl_instructions = 300005, self_instructions = 5 WHERE id = 1;
WITH RECURSIVE chain(id) AS (SELECT 2 UNION ALL SELECT id + 1 FROM chain WHERE id < 100001)
INSERT INTO call_paths SELECT id, id - 1, 1, id, id > 2, 1, 0, (100002 - id) * 10, 10, 0, (100002 - id) * 3, 3 FROM chain;
INSERT INTO alloc_sites VALUES (100001, 1, 64, 0, 0, 1, 64, 1, 64);
UPDATE run SET instructions = 300005, total_calls = 100001, total_exits = 100001, peak_live_bytes = 64, peak_live_objects = 1;
