-- The dashboard's counters (migration 7) against the orders they count:
-- one line "counters: N cells differ" (0 when they agree). Run by
-- bench/run.sh with sqlite3 after the write scenarios.
CREATE TEMP VIEW want_cells AS
SELECT COALESCE(dept_unit_id, 0) AS d, COALESCE(area_unit_id, 0) AS a, category_id AS c, state AS s,
	COUNT(*) AS n, SUM(overdue) AS o, SUM(problem) AS p,
	SUM(CASE WHEN resolved_on_time = 1 THEN 1 ELSE 0 END) AS r1, COUNT(resolved_on_time) AS rj,
	SUM(CASE WHEN accepted_on_time = 1 THEN 1 ELSE 0 END) AS a1, COUNT(accepted_on_time) AS aj,
	SUM(CASE WHEN rating IN ('satisfied', 'basic') THEN 1 ELSE 0 END) AS sa,
	SUM(CASE WHEN rating IN ('satisfied', 'basic', 'unsatisfied') THEN 1 ELSE 0 END) AS ra
FROM orders GROUP BY 1, 2, 3, 4;
CREATE TEMP VIEW have_cells AS
SELECT dept_unit_id, area_unit_id, category_id, state, n, overdue, problem, resolved_on_time,
	resolved_judged, accepted_on_time, accepted_judged, satisfied, rated
FROM order_counts WHERE n <> 0 OR overdue <> 0 OR problem <> 0 OR resolved_on_time <> 0
	OR resolved_judged <> 0 OR accepted_on_time <> 0 OR accepted_judged <> 0 OR satisfied <> 0
	OR rated <> 0;
CREATE TEMP VIEW want_totals AS
SELECT 'category' AS dim, c AS ref, s, SUM(n), SUM(o), SUM(p), SUM(r1), SUM(rj), SUM(a1), SUM(aj), SUM(sa), SUM(ra) FROM want_cells GROUP BY 2, 3
UNION ALL SELECT 'dept', d, s, SUM(n), SUM(o), SUM(p), SUM(r1), SUM(rj), SUM(a1), SUM(aj), SUM(sa), SUM(ra) FROM want_cells GROUP BY 2, 3
UNION ALL SELECT 'area', a, s, SUM(n), SUM(o), SUM(p), SUM(r1), SUM(rj), SUM(a1), SUM(aj), SUM(sa), SUM(ra) FROM want_cells GROUP BY 2, 3;
CREATE TEMP VIEW have_totals AS
SELECT dim, ref_id, state, n, overdue, problem, resolved_on_time, resolved_judged, accepted_on_time,
	accepted_judged, satisfied, rated FROM order_totals WHERE n <> 0 OR overdue <> 0
	OR problem <> 0 OR resolved_on_time <> 0 OR resolved_judged <> 0 OR accepted_on_time <> 0
	OR accepted_judged <> 0 OR satisfied <> 0 OR rated <> 0;
CREATE TEMP VIEW want_days AS
SELECT 'created' AS k, (created_at + 28800) / 86400 * 86400 - 28800 AS day, COALESCE(dept_unit_id, 0) AS d, COALESCE(area_unit_id, 0) AS a, COUNT(*) AS n FROM orders GROUP BY 2, 3, 4
UNION ALL SELECT 'resolved', (resolved_at + 28800) / 86400 * 86400 - 28800, COALESCE(dept_unit_id, 0), COALESCE(area_unit_id, 0), COUNT(*) FROM orders WHERE resolved_at IS NOT NULL GROUP BY 2, 3, 4;
CREATE TEMP VIEW want_days_all AS
SELECT k, day, -1 AS d, -1 AS a, SUM(n) AS n FROM want_days GROUP BY 1, 2 UNION ALL SELECT * FROM want_days;
CREATE TEMP VIEW have_days AS SELECT kind, day, dept_unit_id, area_unit_id, n FROM order_day_counts WHERE n <> 0;
SELECT 'counters: ' || (
	(SELECT COUNT(*) FROM (SELECT * FROM want_cells EXCEPT SELECT * FROM have_cells)) +
	(SELECT COUNT(*) FROM (SELECT * FROM have_cells EXCEPT SELECT * FROM want_cells)) +
	(SELECT COUNT(*) FROM (SELECT * FROM want_totals EXCEPT SELECT * FROM have_totals)) +
	(SELECT COUNT(*) FROM (SELECT * FROM have_totals EXCEPT SELECT * FROM want_totals)) +
	(SELECT COUNT(*) FROM (SELECT * FROM want_days_all EXCEPT SELECT * FROM have_days)) +
	(SELECT COUNT(*) FROM (SELECT * FROM have_days EXCEPT SELECT * FROM want_days_all))
) || ' cells differ';
