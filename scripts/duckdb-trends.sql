-- IQS per agent and month from `rubric export`, the same rows as `rubric trends --format json`
-- (key, period, reviews, score, change). Run it where the export is:
--
--     rubric export --format jsonl > ratings.jsonl
--     duckdb < scripts/duckdb-trends.sql
--
-- scripts/duckdb-trends.sh runs it and compares every row with `rubric trends`.

-- One row per rating. `date` is declared as text on purpose: left to itself DuckDB reads a
-- column of RFC 3339 times as TIMESTAMP WITH TIME ZONE and converts them to UTC (or to the
-- session's TimeZone), which moves a review made at 00:30 on 1 December in Tallinn into
-- November. rubric has already written every date in the qa.yaml time zone: an RFC 3339 time
-- carries that zone's offset (2026-12-01T00:30:00+02:00) and a date-only `reviewed_at` is a
-- calendar day in that zone (2026-12-01). Either way the first 7 characters are the review's
-- month in the configured zone, the month `rubric trends` puts it in.
CREATE OR REPLACE TEMP VIEW ratings AS
SELECT *
FROM read_json('ratings.jsonl', format = 'newline_delimited', columns = {
    review: 'VARCHAR', agent: 'VARCHAR', reviewer: 'VARCHAR', date: 'VARCHAR',
    rubric: 'VARCHAR', version: 'INTEGER', category: 'VARCHAR', rating: 'INTEGER',
    value: 'DOUBLE', scale: 'INTEGER', weight: 'DOUBLE', critical: 'BOOLEAN',
    review_score: 'DOUBLE', pass: 'BOOLEAN', calibration: 'VARCHAR', path: 'VARCHAR'
});

WITH reviews AS (
    -- IQS is a mean over reviews, not over ratings: each review's fields repeat on every one
    -- of its rating rows, so keep one row per review file. Calibration reviews are re-ratings
    -- of a conversation, not the agent's record, and a review without a score (every rating
    -- `na`, or only weight-0 categories) counts in no average.
    SELECT DISTINCT path, review, agent, left(date, 7) AS month, review_score
    FROM ratings
    WHERE calibration IS NULL AND review_score IS NOT NULL
),
monthly AS (
    SELECT agent AS key, month AS period, count(*) AS reviews, avg(review_score) AS score
    FROM reviews
    GROUP BY agent, month
)
SELECT m.key, m.period, m.reviews, m.score,
       -- against the calendar month just before; null when the agent had no review then
       m.score - p.score AS change
FROM monthly m
LEFT JOIN monthly p
    ON p.key = m.key
   AND p.period = strftime(CAST(m.period || '-01' AS DATE) - INTERVAL 1 MONTH, '%Y-%m')
ORDER BY m.key, m.period;
