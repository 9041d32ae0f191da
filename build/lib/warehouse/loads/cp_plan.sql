INSERT INTO cp_plan
SELECT la_code, cp_plan_id, child_id, area_code, s47_id, CAST(start_date AS DATE), CAST(end_date AS DATE),
       initial_category, coalesce(latest_category, initial_category), CAST(previous_plans AS INTEGER),
       NULL, $load_id
FROM incoming;
