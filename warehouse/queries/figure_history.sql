-- Every revision of a figures dataset's figures for the LAs given, newest period first: each value
-- with who submitted it, when and how, and whether it is the cell's current figure (its latest
-- submission; a correction supersedes the earlier, which is kept). For the Submissions page.
SELECT la_code, measure, part, period_start, period_end, revision, value, previous_value,
       submitted_by, submitted_at, source, file_name, note, submission_id,
       row_number() OVER (
           PARTITION BY la_code, measure, period_start, part ORDER BY submission_id DESC
       ) = 1 AS is_current
FROM figure_history
WHERE dataset = $dataset AND list_contains($la_codes::VARCHAR[], la_code)
ORDER BY period_start DESC, la_code, measure, part, revision DESC;
