-- Version 16: the children missing in every window of 1, 3, 6 or 12 months, per LA, worked out when
-- the cubes are built (transforms/030_rollups.sql), so that a view with no filter but its scope reads
-- them instead of grouping each child's months at every request: the months, quarters, half-years,
-- financial years and rolling years that every page asks for are all such windows. A window with no
-- child missing has no row. Counts of children add up across LAs, as a child's pseudonymised ID is
-- its LA's own. The keys are the cell keys of each count (disclosure control), as in
-- queries/missing_children.sql. The rows are made when the cubes are rebuilt from the facts, which
-- follows every migration.
CREATE TABLE missing_children_window_la (
    la_code                     VARCHAR NOT NULL,
    months                      INTEGER NOT NULL,  -- the window's length
    first_month                 DATE NOT NULL,
    last_month                  DATE NOT NULL,
    missing_children            BIGINT NOT NULL,
    missing_children_repeat     BIGINT NOT NULL,
    missing_child_episodes      BIGINT NOT NULL,
    missing_children_key        BIGINT NOT NULL,
    missing_children_repeat_key BIGINT NOT NULL,
    missing_child_episodes_key  BIGINT NOT NULL
);
