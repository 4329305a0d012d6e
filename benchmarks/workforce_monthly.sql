-- workforce_monthly in DuckDB SQL: the same event-based method as workforce/marts/compute.py, cell for cell.
--
-- Reads three relations the caller defines:
--   staff(employer_id, person_key, profession_code, sector_code, municipality_code, start_date,
--         end_date, contract_hours_week, birth_year, leave_reason)      the effective staff rows
--   months(employer_id, first_month, last_month)                          covered months per employer
--   entry_ages(profession_code, entry_age)                                youngest age per profession
-- benchmarks/marts_build.py checks the result equal to the mart before it reports any figure.

WITH neighbours AS (
    SELECT
        s.*,
        ROW_NUMBER() OVER person_order = 1 AS first_in_region,
        LEAD(start_date) OVER person_order AS next_start,
        LEAD(employer_id) OVER person_order AS next_employer_id,
        LAG(end_date) OVER person_order AS previous_end,
        LAG(employer_id) OVER person_order AS previous_employer_id
    FROM staff AS s
    WINDOW person_order AS (
        PARTITION BY person_key ORDER BY start_date, employer_id, end_date NULLS LAST
    )
),

moves AS (
    SELECT
        n.*,
        COALESCE(
            end_date IS NOT NULL AND next_start IS NOT NULL
            AND (next_start - end_date) BETWEEN -31 AND 183,
            FALSE
        ) AS to_next,
        COALESCE(
            previous_end IS NOT NULL
            AND (start_date - previous_end) BETWEEN -31 AND 183,
            FALSE
        ) AS from_previous
    FROM neighbours AS n
),

linked AS (
    SELECT
        m.employer_id,
        m.sector_code,
        m.municipality_code,
        m.profession_code,
        m.start_date,
        m.end_date,
        m.contract_hours_week,
        m.birth_year,
        CASE
            WHEN from_previous AND previous_employer_id = m.employer_id THEN 'internal'
            WHEN from_previous THEN 'other_care_employer'
            WHEN first_in_region AND year(start_date) - birth_year <= a.entry_age + 5
                THEN 'education'
            ELSE 'outside'
        END AS hire_origin,
        CASE
            WHEN end_date IS NULL THEN NULL
            WHEN to_next AND next_employer_id = m.employer_id THEN 'internal'
            WHEN to_next THEN 'other_care_employer'
            WHEN leave_reason = 'retirement' THEN 'retirement'
            WHEN leave_reason IN ('outside_sector', 'study') THEN 'outside_sector'
            WHEN leave_reason = 'other_care_employer' THEN 'care_outside_region'
            ELSE 'unknown'
        END AS leaver_destination
    FROM moves AS m
    LEFT JOIN entry_ages AS a ON a.profession_code = m.profession_code
),

spells AS (
    SELECT
        l.*,
        c.first_month,
        c.last_month,
        date_trunc('month', start_date)::DATE AS start_month,
        date_trunc('month', end_date)::DATE AS end_month,
        greatest(date_trunc('month', start_date)::DATE, c.first_month) AS entry_month
    FROM linked AS l
    JOIN months AS c USING (employer_id)
    WHERE date_trunc('month', start_date)::DATE <= c.last_month
      AND (end_date IS NULL OR date_trunc('month', end_date)::DATE >= c.first_month)
),

events AS (
    SELECT
        employer_id, sector_code, municipality_code, profession_code,
        entry_month AS month,
        1 AS headcount,
        contract_hours_week AS hours,
        (start_month >= first_month AND hire_origin = 'internal')::INT AS hires_internal,
        (start_month >= first_month AND hire_origin = 'other_care_employer')::INT
            AS hires_other_care_employer,
        (start_month >= first_month AND hire_origin = 'education')::INT AS hires_education,
        (start_month >= first_month AND hire_origin = 'outside')::INT AS hires_outside,
        0 AS leavers_internal, 0 AS leavers_other_care_employer, 0 AS leavers_care_outside_region,
        0 AS leavers_outside_sector, 0 AS leavers_retirement, 0 AS leavers_unknown,
        year(entry_month) - birth_year AS band_age,
        1 AS band_sign,
        NULL::INT AS old_band_age
    FROM spells
    UNION ALL
    SELECT
        employer_id, sector_code, municipality_code, profession_code,
        end_month,
        -1,
        -contract_hours_week,
        0, 0, 0, 0,
        (leaver_destination = 'internal')::INT,
        (leaver_destination = 'other_care_employer')::INT,
        (leaver_destination = 'care_outside_region')::INT,
        (leaver_destination = 'outside_sector')::INT,
        (leaver_destination = 'retirement')::INT,
        (leaver_destination = 'unknown')::INT,
        year(end_month) - birth_year,
        -1,
        NULL
    FROM spells
    WHERE end_month <= last_month
    UNION ALL
    SELECT
        employer_id, sector_code, municipality_code, profession_code,
        make_date(birth_year + boundary, 1, 1),
        0, 0.0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        boundary,
        1,
        boundary - 1
    FROM spells
    CROSS JOIN (VALUES (25), (35), (45), (55), (60), (65)) AS b (boundary)
    WHERE make_date(birth_year + boundary, 1, 1) > entry_month
      AND make_date(birth_year + boundary, 1, 1)
          <= least(coalesce(end_month, last_month), last_month)
),

banded AS (
    SELECT
        e.*,
        CASE
            WHEN band_age <= 24 THEN 0 WHEN band_age <= 34 THEN 1 WHEN band_age <= 44 THEN 2
            WHEN band_age <= 54 THEN 3 WHEN band_age <= 59 THEN 4 WHEN band_age <= 64 THEN 5
            ELSE 6
        END AS band,
        CASE
            WHEN old_band_age IS NULL THEN NULL
            WHEN old_band_age <= 24 THEN 0 WHEN old_band_age <= 34 THEN 1
            WHEN old_band_age <= 44 THEN 2 WHEN old_band_age <= 54 THEN 3
            WHEN old_band_age <= 59 THEN 4 WHEN old_band_age <= 64 THEN 5
            ELSE 6
        END AS old_band
    FROM events AS e
),

per_month AS (
    SELECT
        employer_id, sector_code, municipality_code, profession_code, month,
        sum(headcount) AS headcount,
        sum(hours) AS hours,
        sum(hires_internal) AS hires_internal,
        sum(hires_other_care_employer) AS hires_other_care_employer,
        sum(hires_education) AS hires_education,
        sum(hires_outside) AS hires_outside,
        sum(leavers_internal) AS leavers_internal,
        sum(leavers_other_care_employer) AS leavers_other_care_employer,
        sum(leavers_care_outside_region) AS leavers_care_outside_region,
        sum(leavers_outside_sector) AS leavers_outside_sector,
        sum(leavers_retirement) AS leavers_retirement,
        sum(leavers_unknown) AS leavers_unknown,
        sum(band_sign * ((band = 0)::INT - coalesce((old_band = 0)::INT, 0))) AS band_0,
        sum(band_sign * ((band = 1)::INT - coalesce((old_band = 1)::INT, 0))) AS band_1,
        sum(band_sign * ((band = 2)::INT - coalesce((old_band = 2)::INT, 0))) AS band_2,
        sum(band_sign * ((band = 3)::INT - coalesce((old_band = 3)::INT, 0))) AS band_3,
        sum(band_sign * ((band = 4)::INT - coalesce((old_band = 4)::INT, 0))) AS band_4,
        sum(band_sign * ((band = 5)::INT - coalesce((old_band = 5)::INT, 0))) AS band_5,
        sum(band_sign * ((band = 6)::INT - coalesce((old_band = 6)::INT, 0))) AS band_6
    FROM banded
    GROUP BY ALL
),

grid AS (
    SELECT
        cells.*,
        unnest(generate_series(c.first_month, c.last_month, INTERVAL 1 MONTH))::DATE AS month
    FROM (
        SELECT DISTINCT employer_id, sector_code, municipality_code, profession_code FROM spells
    ) AS cells
    JOIN months AS c USING (employer_id)
),

monthly AS (
    SELECT
        g.month, g.employer_id, g.sector_code, g.municipality_code, g.profession_code,
        sum(coalesce(p.headcount, 0)) OVER cell_months AS headcount,
        sum(coalesce(p.hours, 0)) OVER cell_months AS hours,
        coalesce(p.hires_internal, 0) AS hires_internal,
        coalesce(p.hires_other_care_employer, 0) AS hires_other_care_employer,
        coalesce(p.hires_education, 0) AS hires_education,
        coalesce(p.hires_outside, 0) AS hires_outside,
        coalesce(p.leavers_internal, 0) AS leavers_internal,
        coalesce(p.leavers_other_care_employer, 0) AS leavers_other_care_employer,
        coalesce(p.leavers_care_outside_region, 0) AS leavers_care_outside_region,
        coalesce(p.leavers_outside_sector, 0) AS leavers_outside_sector,
        coalesce(p.leavers_retirement, 0) AS leavers_retirement,
        coalesce(p.leavers_unknown, 0) AS leavers_unknown,
        sum(coalesce(p.band_0, 0)) OVER cell_months AS band_0,
        sum(coalesce(p.band_1, 0)) OVER cell_months AS band_1,
        sum(coalesce(p.band_2, 0)) OVER cell_months AS band_2,
        sum(coalesce(p.band_3, 0)) OVER cell_months AS band_3,
        sum(coalesce(p.band_4, 0)) OVER cell_months AS band_4,
        sum(coalesce(p.band_5, 0)) OVER cell_months AS band_5,
        sum(coalesce(p.band_6, 0)) OVER cell_months AS band_6
    FROM grid AS g
    LEFT JOIN per_month AS p
        USING (employer_id, sector_code, municipality_code, profession_code, month)
    WINDOW cell_months AS (
        PARTITION BY g.employer_id, g.sector_code, g.municipality_code, g.profession_code
        ORDER BY g.month ROWS UNBOUNDED PRECEDING
    )
),

flows AS (
    SELECT
        *,
        hires_internal + hires_other_care_employer + hires_education + hires_outside AS hires,
        leavers_internal + leavers_other_care_employer + leavers_care_outside_region
            + leavers_outside_sector + leavers_retirement + leavers_unknown AS leavers
    FROM monthly
)

SELECT
    month, employer_id, sector_code, municipality_code, profession_code,
    headcount::BIGINT AS headcount,
    round(hours / 36.0, 4) AS fte,
    hires::BIGINT AS hires,
    hires_internal::BIGINT AS hires_internal,
    hires_other_care_employer::BIGINT AS hires_other_care_employer,
    hires_education::BIGINT AS hires_education,
    hires_outside::BIGINT AS hires_outside,
    leavers::BIGINT AS leavers,
    leavers_internal::BIGINT AS leavers_internal,
    leavers_other_care_employer::BIGINT AS leavers_other_care_employer,
    leavers_care_outside_region::BIGINT AS leavers_care_outside_region,
    leavers_outside_sector::BIGINT AS leavers_outside_sector,
    leavers_retirement::BIGINT AS leavers_retirement,
    leavers_unknown::BIGINT AS leavers_unknown,
    band_0::BIGINT AS headcount_15_24,
    band_1::BIGINT AS headcount_25_34,
    band_2::BIGINT AS headcount_35_44,
    band_3::BIGINT AS headcount_45_54,
    band_4::BIGINT AS headcount_55_59,
    band_5::BIGINT AS headcount_60_64,
    band_6::BIGINT AS headcount_65_plus
FROM flows
WHERE headcount <> 0 OR hires <> 0 OR leavers <> 0
ORDER BY employer_id, sector_code, municipality_code, profession_code, month
