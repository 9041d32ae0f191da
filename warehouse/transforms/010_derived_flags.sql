-- Derived flags for the LAs of a load ($la_codes), recomputed over their whole history,
-- because a new extract can change the history that an older row's flag depends on.
-- (Child IDs are hashed with the LA code, so no child's history spans two LAs.)

-- KPI re_referral_12m: A referral is a re-referral when the same child had a referral on an earlier
-- day within the 12 months before it (a referral exactly 12 months after the previous one counts).
-- A referral on the same day as another referral of the child is not a re-referral: the same day
-- holds one referral recorded twice, not a second referral.
UPDATE referral AS r
SET is_rereferral_12m = d.is_rereferral_12m
FROM (
    SELECT la_code, referral_id,
           coalesce(
               max(referral_date) OVER (PARTITION BY child_id ORDER BY referral_date
                                        RANGE BETWEEN UNBOUNDED PRECEDING AND INTERVAL 1 DAY PRECEDING)
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

-- KPI cp_repeat: A plan is a repeat plan when the return states that the child had previous plans
-- (its number of previous plans is 1 or more); a stated 0 makes it a first plan, whatever else the
-- warehouse holds, as the return counts plans in every LA and at any time. Only where the number
-- is not stated does an earlier plan of the child in the warehouse make it a repeat, and a plan
-- that starts on the same day as the child's other plan is not a repeat of it.
UPDATE cp_plan AS p
SET is_repeat_plan = d.is_repeat_plan
FROM (
    SELECT la_code, cp_plan_id,
           CASE WHEN previous_plans IS NOT NULL THEN previous_plans > 0
                ELSE min(start_date) OVER (PARTITION BY child_id) < start_date
           END AS is_repeat_plan
    FROM cp_plan
    WHERE list_contains($la_codes, la_code)
) AS d
WHERE p.la_code = d.la_code AND p.cp_plan_id = d.cp_plan_id;
