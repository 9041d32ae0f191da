"""Demo children and families assessments, with the factors identified at their end.

Each referral that is not closed with no further action leads, mostly, to an assessment starting
within a week and authorised a few weeks later (still open at the end of the window if not yet).
Each completed assessment records factors drawn one by one with the shares below: a guide taken
from Newcastle's DfE table C3 for 2024/25 (episodes with the factor / episodes with assessment
factors, rounded), varied a little per LA so that the two demo partnerships differ. A few
completed assessments have no factors recorded, as in real returns. Deterministic for a seed.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pyarrow as pa

from warehouse.model.files import active_model

# Factor code -> share of completed assessments with factors recorded (Newcastle, c3 2025:
# e.g. domestic abuse of the parent 620 of 1,669 = 37%, neglect 406 = 24%).
FACTOR_SHARES = {
    "1B": 0.15,  # alcohol misuse: parent or carer
    "2B": 0.15,  # drug misuse: parent or carer
    "3A": 0.03,  # domestic abuse: child
    "3B": 0.37,  # domestic abuse: parent or carer
    "4A": 0.20,  # mental health: child
    "4B": 0.41,  # mental health: parent or carer
    "5A": 0.18,  # learning disability: child
    "10A": 0.035,  # going missing
    "11A": 0.018,  # child sexual exploitation
    "15A": 0.058,  # self-harm
    "16A": 0.24,  # neglect
    "17A": 0.43,  # emotional abuse
    "24A": 0.043,  # child criminal exploitation
    "20": 0.13,  # other
}
ASSESSED = 0.92  # of referrals not closed with no further action
NOT_RECORDED = 0.04  # completed assessments with no factors recorded
LA_VARIATION = 0.15  # each LA's share of a factor is the guide's x (1 +- up to this)


def assessments_table(
    la_code: str, prefix: str, referrals: pa.Table, window: tuple[date, date], seed: int
) -> pa.Table:
    """The LA's assessments extract, in the dataset's column order, from its referrals extract."""
    dataset = active_model().datasets["assessments"]
    rng = np.random.default_rng([seed, int(la_code[1:]), 4])  # the LA's own stream, as etl/demo.py
    frame = referrals.to_pandas()
    frame = frame[(frame["is_nfa"] != "Y") & (rng.random(len(frame)) < ASSESSED)].reset_index(drop=True)
    n = len(frame)
    referral_day = frame["referral_date"].map(date.toordinal).to_numpy()
    start = referral_day + rng.integers(0, 8, n)
    # Most are authorised within 45 working days (about 63 calendar days); a tail runs longer.
    authorised = start + np.minimum(rng.gamma(4.0, 8.0, n).astype(int) + 5, 120)
    last = window[1].toordinal()
    keep = start <= last
    frame, start, authorised = frame[keep].reset_index(drop=True), start[keep], authorised[keep]
    order = np.lexsort((np.arange(len(start)), start))
    frame, start, authorised = frame.iloc[order].reset_index(drop=True), start[order], authorised[order]
    is_open = authorised > last
    factors = _factors(rng, len(frame), is_open)
    numbers = rng.integers(10_000, 90_000) + np.cumsum(rng.integers(1, 4, len(frame)))
    columns = {
        "assessment_id": [f"{prefix}-AS-{number:07d}" for number in numbers],
        "referral_id": frame["referral_id"].tolist(),
        "start_date": [date.fromordinal(int(day)) for day in start],
        "authorised_date": [None if o else date.fromordinal(int(day)) for day, o in zip(authorised, is_open)],
        "factors": factors,
    }
    shared = {name: frame[name].tolist() for name in dataset.column_names if name not in columns}
    table = {**shared, **columns}
    return pa.table({name: table[name] for name in dataset.column_names})


def _factors(rng: np.random.Generator, n: int, is_open: np.ndarray) -> list[str | None]:
    """';'-joined factor codes of each completed assessment; blank while open or not recorded."""
    codes = list(FACTOR_SHARES)
    shares = np.array([FACTOR_SHARES[c] for c in codes]) * (
        1 + rng.uniform(-LA_VARIATION, LA_VARIATION, len(codes))
    )
    drawn = rng.random((n, len(codes))) < shares
    not_recorded = rng.random(n) < NOT_RECORDED
    found: list[str | None] = []
    for row, blank, open_ in zip(drawn, not_recorded, is_open):
        chosen = [code for code, has in zip(codes, row) if has]
        found.append(None if open_ or blank else ";".join(chosen or ["20"]))
    return found
