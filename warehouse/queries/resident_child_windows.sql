-- The children missing in every window of 1, 3, 6 and 12 months of every LA, to hold in memory
-- (warehouse/kpis/resident.py): the counts, then their cell keys, in resident._WINDOW_MEASURES' order.
SELECT la_code, first_month, last_month,
       missing_children, missing_children_repeat, missing_child_episodes,
       missing_children_key, missing_children_repeat_key, missing_child_episodes_key
FROM missing_children_window_la;
