"""Demo figures submitted by agencies: every figures dataset of the model (the education, health, and
training and feedback packs: warehouse/model/builtin/submitted_*.toml) for both demo partnerships,
for each period of its cadence from the start of the demo window to `as_of`.

Deterministic (seeded per LA and dataset) and at each partnership's scale: the city's crisis team
has about 120 referrals a quarter, the county's about 95. Two things a real year has, so the
dashboard and the tracker show them:
- **a correction**: the city's health figures for the quarter before last were submitted, then
  corrected a week later (the crisis team's out-of-hours referrals had been left out);
- **a late return**: the county's health figures for the latest quarter due are missing.

They are loaded in one load (`load_demo_figures`, called by `safeguard demo`), as submissions whose
source is 'demo', each with its row in the load history and the time it would have come in.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zlib import crc32

import duckdb
import numpy as np

from etl.demo import REFERENCE_POPULATION, ons_population
from etl.load.publish import load_lock, publish
from warehouse.db import LOADS_DIR, get_meta, run_sql_file, set_meta, single_value
from warehouse.kpis.figures import CADENCE_KINDS
from warehouse.kpis.periods import Period, period_ending
from warehouse.model.files import Model, published_model
from warehouse.queries.run import query_text
from warehouse.settings import Settings
from warehouse.submissions import Figure, Submission, record_submission

CITY, COUNTY = "E08000021", "E06000057"
SOURCE_FORMAT = "figures_demo"
LATE = (COUNTY, "health_returns")  # the return still missing for the latest quarter due
CORRECTED = (CITY, "health_returns")  # the return corrected, for the quarter before last
# Who submits each agency's figures in the demo (partner accounts' names; none signs in as them).
SUBMITTERS = {
    "Health": "health.analyst",
    "Schools and education": "education.team",
    "Local authority": "lscp.unit",
}


@dataclass(frozen=True)
class Scale:
    """A partnership's size in each pack's terms, a quarter's worth (a year's figures are four of them)."""

    crisis_referrals: float
    crisis_24h_share: float
    self_harm: float
    camhs_started: float
    camhs_12wk_share: float
    missing_education: float
    school_age: float
    home_educated_share: float
    suspensions: float
    trained: float
    feedback: float


SCALES = {
    CITY: Scale(120, 0.78, 45, 150, 0.55, 150, 37_400, 0.0091, 180, 300, 60),
    COUNTY: Scale(95, 0.72, 35, 130, 0.61, 110, 36_100, 0.0118, 140, 220, 40),
}


def scale_of(la_code: str) -> Scale:
    """A demo LA's own scale; any other English LA's is the city's, its counts (not its shares) in
    proportion to its children (ONS mid-2024), as the national benchmark generates its records."""
    if la_code in SCALES:
        return SCALES[la_code]
    ratio = ons_population(la_code) / REFERENCE_POPULATION
    city = SCALES[CITY]
    return Scale(
        **{name: value if name.endswith("_share") else value * ratio for name, value in vars(city).items()}
    )


# A return's figures: each measure's whole, or its parts by code.
Values = dict[str, float | dict[str, float]]
SELF_HARM_AGES = {"0-12": 0.06, "13-15": 0.50, "16-17": 0.44}
TRAINED_AGENCIES = {"LA": 0.35, "Health": 0.2, "Police": 0.1, "Education": 0.25, "Other": 0.1}
FEEDBACK_SCORES = np.array([0.02, 0.03, 0.07, 0.18, 0.70])  # 1 to 5: a mean of about 4.5
# Schools are shut for much of the summer quarter: fewer suspensions, and less training.
TERM_TIME = {4: 1.0, 7: 0.55, 10: 1.1, 1: 1.05}  # by the quarter's first month


def _rng(seed: int, la_code: str, dataset: str) -> np.random.Generator:
    return np.random.default_rng([seed, crc32(la_code.encode()), crc32(dataset.encode())])


def _split(rng: np.random.Generator, total: int, shares: dict[str, float]) -> dict[str, float]:
    return dict(zip(shares, map(float, rng.multinomial(total, list(shares.values())))))


def _health(rng: np.random.Generator, scale: Scale, period: Period, step: int) -> Values:
    referrals = int(rng.poisson(scale.crisis_referrals))
    started = int(rng.poisson(scale.camhs_started))
    # CAMHS waits improve over the window, as the partnership's investment lands.
    camhs_share = min(scale.camhs_12wk_share + 0.01 * step, 0.85)
    return {
        "crisis_team_referrals": float(referrals),
        "crisis_team_seen_24h": float(rng.binomial(referrals, scale.crisis_24h_share)),
        "self_harm_u18": _split(rng, int(rng.poisson(scale.self_harm)), SELF_HARM_AGES),
        "camhs_started": float(started),
        "camhs_started_12wk": float(rng.binomial(started, camhs_share)),
    }


def _education(rng: np.random.Generator, scale: Scale, period: Period, step: int) -> Values:
    missing = int(rng.poisson(scale.missing_education * (1 + 0.01 * step)))
    school_age = round(scale.school_age * (1 + 0.002 * step))
    # Home education has risen since 2020 in every English LA.
    home = int(rng.poisson(school_age * scale.home_educated_share * (1 + 0.012 * step)))
    return {
        "cme_open": float(missing),
        "cme_open_sen": float(rng.binomial(missing, 0.55)),
        "ehe_open": float(home),
        "school_age_children": float(school_age),
        "suspensions_sw": float(rng.poisson(scale.suspensions * TERM_TIME[period.first_month.month])),
    }


def _training(rng: np.random.Generator, scale: Scale, period: Period, step: int) -> Values:
    trained = int(rng.poisson(scale.trained * TERM_TIME[period.first_month.month]))
    evaluations = int(rng.binomial(trained, 0.7))
    responses = int(rng.poisson(scale.feedback))
    scores = rng.choice(np.arange(1, 6), size=responses, p=FEEDBACK_SCORES)
    return {
        "trained_people": _split(rng, trained, TRAINED_AGENCIES),
        "training_evaluations": float(evaluations),
        "training_rated_good": float(rng.binomial(evaluations, 0.9)),
        "feedback_responses": float(responses),
        "feedback_score_total": float(scores.sum()),
    }


FIGURES_OF: dict[str, Callable[[np.random.Generator, Scale, Period, int], Values]] = {
    "health_returns": _health,
    "education_returns": _education,
    "partnership_returns": _training,
}


def _figures(values: Values) -> list[Figure]:
    found = []
    for measure, value in values.items():
        if isinstance(value, dict):
            found += [Figure(measure, part, part_value) for part, part_value in value.items()]
        else:
            found.append(Figure(measure, "", value))
    return found


def _periods(first_day: date, cadence: str, as_of: date) -> list[Period]:
    """The dataset's periods that start on or after `first_day` and have ended before `as_of`."""
    period = period_ending(CADENCE_KINDS[cadence], first_day)
    if period.start < first_day:
        period = period.shifted(period.months)
    found = []
    while period.end < as_of:
        found.append(period)
        period = period.shifted(period.months)
    return found


def demo_submissions(
    model: Model, as_of: date, first_day: date, seed: int = 2026, la_codes: Sequence[str] = (CITY, COUNTY)
) -> list[tuple[Submission, list[Figure]]]:
    """Every demo submission, in the order they came in: each period of each figures dataset the demo
    models, for each LA, from `first_day` to `as_of`, with its correction; the late return left out."""
    found = []
    for name, dataset in model.figures.items():
        make = FIGURES_OF.get(name)
        if make is None:  # a partnership's own figures dataset: no demo figures for it
            continue
        periods = _periods(first_day, dataset.cadence, as_of)
        due = [p for p in periods if p.end + timedelta(days=dataset.deadline_days) < as_of]
        for la_code in la_codes:
            rng = _rng(seed, la_code, name)
            for step, period in enumerate(periods):
                values = make(rng, scale_of(la_code), period, step)
                if (la_code, name) == LATE and due and period == due[-1]:
                    continue
                # Most returns come in a week or two after the quarter ends, before the deadline.
                came_in = datetime.combine(period.end + timedelta(days=int(rng.integers(5, 18))), time(10))
                if came_in.date() >= as_of:
                    continue  # not in yet
                who = SUBMITTERS.get(dataset.agency, "demo")
                submission = Submission(
                    name, la_code, dataset.agency, period.start, period.end, who, came_in, "demo",
                    file_name=f"{name}_{period.code}.xlsx",
                )  # fmt: skip
                found.append((submission, _figures(values)))
                if (la_code, name) == CORRECTED and len(due) >= 2 and period == due[-2]:
                    found.append(_correction(submission, values))
    return sorted(found, key=lambda item: item[0].submitted_at)


def _correction(submission: Submission, values: Values) -> tuple[Submission, list[Figure]]:
    """The crisis team's figures for the quarter again, a week later, with the out-of-hours service's
    referrals (8, 6 of them seen within 24 hours) that the first return left out."""
    referrals, seen = values["crisis_team_referrals"], values["crisis_team_seen_24h"]
    assert isinstance(referrals, float) and isinstance(seen, float)  # wholes, not parts
    corrected: Values = {"crisis_team_referrals": referrals + 8, "crisis_team_seen_24h": seen + 6}
    later = replace(
        submission,
        submitted_at=submission.submitted_at + timedelta(days=7),
        file_name=(submission.file_name or "").replace(".xlsx", "_corrected.xlsx"),
        note="Corrected: the out-of-hours service's referrals had been left out.",
    )
    return later, _figures(corrected)


def load_demo_figures(
    settings: Settings,
    as_of: date,
    first_day: date,
    seed: int = 2026,
    la_codes: Sequence[str] = (CITY, COUNTY),
) -> int:
    """Load the demo submissions of `la_codes` into the warehouse in one load (copy-and-swap, under
    the load lock), each with its row in the load history marked synthetic; returns how many were
    loaded."""
    model = published_model(settings.warehouse_path)
    submissions = demo_submissions(model, as_of, first_day, seed, la_codes)

    def change(con: duckdb.DuckDBPyConnection) -> None:
        load_id = single_value(con, query_text("next_load_id"))
        for submission, figures in submissions:
            _record_load(con, load_id, submission, len(figures))
            record_submission(con, submission, figures, load_id)
            load_id += 1
        version = int(get_meta(con).get("data_version", "0")) + 1
        set_meta(con, data_version=str(version), last_load_at=datetime.now().isoformat(timespec="seconds"))

    with load_lock(settings.lock_path):
        publish(settings.warehouse_path, change)
    return len(submissions)


def _record_load(con: duckdb.DuckDBPyConnection, load_id: int, submission: Submission, figures: int) -> None:
    """The submission's row in the load history, as an upload of its figures would have made it."""
    run_sql_file(
        con,
        LOADS_DIR / "record_load.sql",
        load_id=load_id,
        file_name=submission.file_name,
        file_sha256=None,
        source_format=SOURCE_FORMAT,
        dataset=submission.dataset,
        la_code=submission.la_code,
        coverage_start=submission.period_start,
        coverage_end=submission.period_end,
        rows_read=figures,
        rows_loaded=figures,
        rows_rejected=0,
        rows_replaced=0,
        status="loaded",
        message=submission.note,
        is_synthetic=True,
        started_at=submission.submitted_at,
        finished_at=submission.submitted_at,
        loaded_by=submission.submitted_by,
    )
