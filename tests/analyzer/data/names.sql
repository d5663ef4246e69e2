-- On top of fib.sql: fib's name, from an untrusted name section, holds a ';'
-- (folded stacks' frame separator), a newline, an ESC colour sequence and a
-- backslash. Text outputs must spell them out: \x0a, \x1b, \\ (and ';' as
-- \x3b in folded stacks); JSON uses its own escapes.
UPDATE functions SET name = 'fi;b' || char(10) || 'x' || char(27) || '[31m\' WHERE fid = 1;
