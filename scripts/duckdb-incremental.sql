-- Keeps the DuckDB table `ratings` equal to a full `rubric export`, from increments. Run it
-- where the export is, on a database file that persists between runs:
--
--     rubric export --format jsonl > increment.jsonl            # the first time: everything
--     duckdb qa.duckdb < scripts/duckdb-incremental.sql
--     rubric export --format jsonl --since-commit "$LAST" > increment.jsonl   # then: changes
--     duckdb qa.duckdb < scripts/duckdb-incremental.sql
--
-- where $LAST is the commit the previous export ran at (`git rev-parse HEAD` then, on a clean
-- checkout). A full export is the increment from nothing: every row an `upsert`.
-- scripts/duckdb-incremental.sh checks that this SQL over a scripted history gives the same
-- table as a full export.

-- (review, category) is the key of a row: one review's rating of one category.
CREATE TABLE IF NOT EXISTS ratings (
    review VARCHAR NOT NULL, agent VARCHAR, team VARCHAR, reviewer VARCHAR, date VARCHAR,
    rubric VARCHAR, version INTEGER, conversation VARCHAR, url VARCHAR, channel VARCHAR,
    category VARCHAR NOT NULL, rating INTEGER, value DOUBLE, scale INTEGER, weight DOUBLE,
    critical BOOLEAN, review_score DOUBLE, pass BOOLEAN, calibration VARCHAR, path VARCHAR,
    comment VARCHAR, root_causes VARCHAR[], review_comment VARCHAR, change VARCHAR,
    "commit" VARCHAR,
    PRIMARY KEY (review, category)
);

BEGIN TRANSACTION;

CREATE OR REPLACE TEMP TABLE increment AS
SELECT *
FROM read_json('increment.jsonl', format = 'newline_delimited', columns = {
    review: 'VARCHAR', agent: 'VARCHAR', team: 'VARCHAR', reviewer: 'VARCHAR',
    date: 'VARCHAR', rubric: 'VARCHAR', version: 'INTEGER', conversation: 'VARCHAR',
    url: 'VARCHAR', channel: 'VARCHAR', category: 'VARCHAR', rating: 'INTEGER',
    value: 'DOUBLE', scale: 'INTEGER', weight: 'DOUBLE', critical: 'BOOLEAN',
    review_score: 'DOUBLE', pass: 'BOOLEAN', calibration: 'VARCHAR', path: 'VARCHAR',
    comment: 'VARCHAR', root_causes: 'VARCHAR[]', review_comment: 'VARCHAR',
    change: 'VARCHAR', "commit": 'VARCHAR'
});

-- A `delete` row names a row that is gone: a review deleted or left out as invalid, or a
-- category a changed review no longer rates. Its key is never also upserted.
DELETE FROM ratings
WHERE EXISTS (
    SELECT 1 FROM increment i
    WHERE i.change = 'delete' AND i.review = ratings.review AND i.category = ratings.category
);

-- An `upsert` row is a row as it is now: added, or replacing the row with its key.
INSERT OR REPLACE INTO ratings
SELECT * FROM increment WHERE change = 'upsert';

COMMIT;
