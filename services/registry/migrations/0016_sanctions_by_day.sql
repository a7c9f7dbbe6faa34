-- The days a sanction's recorded terms could apply, indexed, so that the reads asking which
-- sanctions apply on a day read only those that could (storage/sanctions_by_day.py):
-- `sanctions(activeOn:)` across vendors read every vendor's timeline to keep those in force,
-- and `screenBidders` by name every vendor ever sanctioned with its sanctions (EXPLAIN ANALYZE
-- and the benchmark at 100,000 sanctions: tests/benchmarks/HISTORY.md).
--
-- A period as recorded (an imposition's, or an amendment's new one, which counts from the
-- sanction's start) runs from `starts_on` to its last day: `periods.sanction_last_day`, except
-- that months are added as PostgreSQL adds them (clamped to the month's end, as relativedelta
-- does) without the civil code's day before, so the last day here is that day or the one
-- after: never earlier, which is all a pre-filter needs (the timeline then says exactly).
-- No period at all (indefinite): no last day. A last day before the start: no day.
-- The event contract bounds what comes in (months <= 600, days <= 36,500, dates <= 9999), so
-- no row can overflow a date here and fail its insert.
CREATE FUNCTION registry_sanction_last_day(
    starts_on date, duration_months integer, duration_days integer, ends_on date
) RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN duration_months IS NOT NULL
            THEN (starts_on + make_interval(months => duration_months))::date
        WHEN duration_days IS NOT NULL THEN starts_on + (duration_days - 1)
        ELSE ends_on
    END
$$;

-- [starts_on, last day], empty when the last day comes before the start, unbounded when there
-- is none. LEAST drops a NULL, so an indefinite period keeps its start; an inverted one
-- becomes [d, d), empty, where daterange would refuse lower > upper. The last day is written
-- out again, not asked of registry_sanction_last_day: the index below calls this function,
-- and PostgreSQL builds an index (a restore, REINDEX, VACUUM FULL; from version 17 every
-- CREATE INDEX) with a search path of pg_catalog alone, where a function of ours named
-- without its schema is not found.
CREATE FUNCTION registry_sanction_days(
    starts_on date, duration_months integer, duration_days integer, ends_on date
) RETURNS daterange LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT daterange(LEAST(starts_on, last_day + 1), last_day + 1)
    FROM (SELECT CASE
              WHEN duration_months IS NOT NULL
                  THEN (starts_on + make_interval(months => duration_months))::date
              WHEN duration_days IS NOT NULL THEN starts_on + (duration_days - 1)
              ELSE ends_on
          END AS last_day) AS period
$$;

-- The imposition's period; an amendment's new period is found from the changes (far fewer),
-- joined to their sanction's start. Every sanction inserted writes an entry (the batches'
-- throughput with it is not measured yet).
CREATE INDEX registry_sanctions_days ON registry_sanctions USING gist (
    registry_sanction_days(starts_on, duration_months, duration_days, ends_on)
);
