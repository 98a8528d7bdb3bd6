CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, v REAL);
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x<300)
INSERT INTO t SELECT x, printf('name%05d', (x*7919)%300), (x*31)%97 FROM c;
CREATE INDEX t_name ON t(name);
SELECT count(*), sum(v) FROM t WHERE name > 'name00150';
SELECT v, count(*) FROM t GROUP BY v ORDER BY 2 DESC LIMIT 5;
SELECT a.id FROM t a JOIN t b ON a.id = b.id + 1 WHERE a.v < b.v LIMIT 3;
