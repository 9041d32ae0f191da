-- Derived flags for the LAs of a load ($la_codes), recomputed over their whole history,
-- because a new extract can change the history that an older row's flag depends on.
-- (Child IDs are hashed with the LA code, so no child's history spans two LAs.)

-- Re-referral: the same child had an earlier referral on or after this referral's date minus
-- 12 months (so a referral exactly 12 months after the previous one counts).
UPDATE referral AS r
SET is_rereferral_12m = d.is_rereferral_12m
FROM (
    SELECT la_code, referral_id,
           coalesce(
               lag(referral_date) OVER (PARTITION BY child_id ORDER BY referral_date, referral_id)
                   >= referral_date - INTERVAL 12 MONTH,
               FALSE) AS is_rereferral_12m
    FROM referral
    WHERE list_contains($la_codes, la_code)
) AS d
WHERE r.la_code = d.la_code AND r.referral_id = d.referral_id;

-- Working days from the S47 start to the ICPC: working days after the start, up to and
-- including the ICPC date, on the English bank-holiday calendar.
UPDATE s47_enquiry AS s
SET icpc_working_days = CASE WHEN s.icpc_date IS NOT NULL THEN icpc.working_day_number - start.working_day_number END
FROM calendar AS start, calendar AS icpc
WHERE list_contains($la_codes, s.la_code)
  AND start.calendar_date = s.start_date
  AND icpc.calendar_date = coalesce(s.icpc_date, s.start_date);

-- Repeat plan: the extract says the child had earlier plans, or the warehouse holds one.
UPDATE cp_plan AS p
SET is_repeat_plan = d.is_repeat_plan
FROM (
    SELECT la_code, cp_plan_id,
           coalesce(previous_plans, 0) > 0
           OR row_number() OVER (PARTITION BY child_id ORDER BY start_date, cp_plan_id) > 1 AS is_repeat_plan
    FROM cp_plan
    WHERE list_contains($la_codes, la_code)
) AS d
WHERE p.la_code = d.la_code AND p.cp_plan_id = d.cp_plan_id;
