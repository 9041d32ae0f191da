"""Synthetic extracts of the record-level partner packs (warehouse/model/builtin/early_help.toml,
lado.toml, police.toml, exploitation.toml) for a demo LA, beside its social care extracts.

Deterministic: each LA draws from its own random stream, from the seed and its LA code. The early help
and exploitation records are about the children of the LA's social care extracts, with their details:
some early help episodes end in one of their referrals (step-up), some start after one (step-down), and
the exploitation panel takes referred children of 10 to 17. The volumes each partnership aims at are
written beside its profile below.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Protocol

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from etl.demo_columns import codes as _codes
from etl.demo_columns import dates as _dates
from etl.demo_columns import datetimes as _datetimes
from etl.demo_columns import day_number as _day
from etl.demo_columns import write_csv as _write_csv
from warehouse.model.files import active_model

YEAR = 365
CHILD_COLUMNS = ("child_id", "date_of_birth", "gender", "ethnicity", "disability", "area_code", "postcode")


class DemoArea(Protocol):
    # Read-only members (properties), so that a frozen dataclass satisfies the protocol.
    @property
    def code(self) -> str: ...
    @property
    def weight(self) -> float: ...


class DemoLa(Protocol):
    """What the partner extracts need of a demo LA (etl/demo.py's DemoLa, which imports this module)."""

    @property
    def code(self) -> str: ...
    @property
    def prefix(self) -> str: ...
    @property
    def areas(self) -> Sequence[DemoArea]: ...
    @property
    def stream_key(self) -> int: ...


@dataclass(frozen=True)
class PartnerProfile:
    early_help_per_month: float  # assessments started ("110 a month" in a city partnership's report)
    lado_per_month: float  # allegations referred (15 to 25 a month)
    da_incidents_per_month: float  # police domestic abuse incidents with children present (~250 in the city)
    exploitation_opened_per_month: float  # opened to the panel; with ~9 months on it, 60 to 120 open


PROFILES = {
    "E08000021": PartnerProfile(110, 20, 250, 11),  # the city
    "E06000057": PartnerProfile(85, 15, 190, 8),  # the county
}

# Mixes, as shares.
LEAD_AGENCY = {
    "Schools and education": 0.42,
    "Health": 0.2,
    "Local authority": 0.22,
    "Police": 0.05,
    "Other": 0.11,
}
EH_SOURCE = {"agency_request": 0.62, "family_request": 0.13, "front_door": 0.25}  # step-downs are added
EH_OTHER_ENDINGS = {"needs_met": 0.74, "consent_withdrawn": 0.15, "moved_away": 0.06, "other": 0.05}
LADO_SOURCE = {
    "Schools and education": 0.44, "Local authority": 0.16, "Police": 0.12, "Health": 0.08, "Individual": 0.1, "Other": 0.1,
}  # fmt: skip
LADO_SECTOR = {
    "education": 0.42, "early_years": 0.12, "social_care": 0.16, "health": 0.08, "police": 0.04, "faith": 0.03,
    "sport": 0.06, "other": 0.09,
}  # fmt: skip
LADO_CATEGORY = {"physical": 0.4, "sexual": 0.24, "emotional": 0.1, "neglect": 0.06, "suitability": 0.2}
LADO_OUTCOME = {
    "unsubstantiated": 0.34,
    "substantiated": 0.26,
    "unfounded": 0.25,
    "false": 0.1,
    "malicious": 0.05,
}
DASH = {"standard": 0.55, "medium": 0.3, "high": 0.12}  # the rest are not graded
EXPLOITATION_TYPE = {"CCE": 0.45, "CSE": 0.3, "both": 0.15, "trafficking": 0.1}
EXPLOITATION_RISK = {"low": 0.3, "medium": 0.45, "high": 0.25}


def write_partner_extracts(
    la: DemoLa,
    tables: dict[str, pa.Table],
    window: tuple[date, date],
    seed: int,
    out_dir: Path,
    scale: float = 1.0,
) -> list[Path]:
    """The LA's four partner extracts, from its simulated social care `tables` (by dataset), their
    volumes multiplied by `scale` as the social care ones are."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, la.stream_key, 20]))
    volumes = PROFILES.get(la.code, PROFILES["E08000021"])
    profile = PartnerProfile(*(getattr(volumes, f) * scale for f in PartnerProfile.__dataclass_fields__))
    start, end = _day(window[0]), _day(window[1])
    made = {
        "early_help_episodes": _early_help(rng, profile, tables["referrals"], tables["contacts"], start, end),
        "lado_allegations": _lado(rng, profile, la, start, end),
        "police_da_incidents": _police(rng, profile, la, start, end),
        "exploitation_panel": _exploitation(rng, profile, tables["referrals"], start, end),
    }
    return [
        _write_csv(_extract(name, la, columns, start, end), out_dir / f"{la.code}_{name}.csv")
        for name, columns in made.items()
    ]


def _extract(name: str, la: DemoLa, columns: dict[str, pa.Array], start: int, end: int) -> pa.Table:
    """The dataset's columns in its file's order; a free-text column is left blank (never stored)."""
    dataset = active_model().datasets[name]
    n = len(next(iter(columns.values())))
    common = {
        "la_code": pa.array([la.code] * n),
        "coverage_start": _dates(np.full(n, start)),
        "coverage_end": _dates(np.full(n, end)),
    }
    blank = pa.nulls(n, pa.string())
    everything = common | columns
    return pa.table(
        [everything.get(c, blank) for c in dataset.column_names], names=list(dataset.column_names)
    )


def _choice(rng: np.random.Generator, mix: dict[str, float], size: int) -> np.ndarray:
    shares = np.array(list(mix.values()))
    return rng.choice(len(mix), size=size, p=shares / shares.sum())


def _days(column: pa.ChunkedArray) -> np.ndarray:
    """A date column as day numbers."""
    return pc.cast(column, pa.date32()).cast(pa.int32()).to_numpy(zero_copy_only=False).astype(np.int64)


def _weekday(days: np.ndarray) -> np.ndarray:
    """The nearest weekday on or after each day (day 0, 1 January 1970, was a Thursday)."""
    weekday = (days + 3) % 7  # 0 = Monday
    return days + np.where(weekday >= 5, 7 - weekday, 0)


def _children(source: pa.Table, rows: np.ndarray) -> dict[str, pa.Array]:
    taken = source.take(pa.array(rows))
    return {name: taken[name].combine_chunks() for name in CHILD_COLUMNS}


def _early_help(
    rng: np.random.Generator,
    profile: PartnerProfile,
    referrals: pa.Table,
    contacts: pa.Table,
    start: int,
    end: int,
) -> dict[str, pa.Array]:
    """Episodes started in the window and the year before it (those still open on its first day are
    written, with their earlier start). Step-ups end on a referral of the same child; step-downs start
    after one; the rest are of children seen at the front door."""
    first = start - YEAR
    months = (end - first) / 30.44
    total = rng.poisson(profile.early_help_per_month * months)
    referral_day = _days(referrals["referral_date"])
    n_up, n_down = int(total * 0.09), int(total * 0.05)
    up = rng.choice(np.flatnonzero(referral_day >= start - YEAR // 2), size=n_up, replace=False)
    down = rng.choice(len(referral_day), size=n_down, replace=False)
    contact_day = _days(contacts["contact_date"])
    rest = rng.choice(len(contact_day), size=total - n_up - n_down)
    # Start days: a step-up's 2 to 8 months before its referral, a step-down's 3 to 10 weeks after,
    # the rest within three weeks of the contact (and spread back over the year before the window).
    up_start = referral_day[up] - rng.integers(60, 240, n_up)
    down_start = referral_day[down] + rng.integers(21, 70, n_down)
    rest_start = np.where(
        rng.random(len(rest)) < YEAR / (end - first), rng.integers(first, start, len(rest)), contact_day[rest]
    ) + rng.integers(0, 21, len(rest))
    starts = _weekday(np.concatenate([up_start, down_start, rest_start]))
    n = len(starts)
    source = np.concatenate([np.full(n_up, -1), np.full(n_down, -2), _choice(rng, EH_SOURCE, len(rest))])
    # Completion: about four in five within 45 working days (63 calendar days), some never completed.
    assessed = starts + np.round(rng.gamma(4.0, 12.0, n)).astype(np.int64) + 3
    assessed_missing = rng.random(n) < 0.08
    # End: months after the assessment; a step-up on its referral.
    ends = assessed + rng.integers(60, 300, n)
    assessed[:n_up] = np.minimum(assessed[:n_up], referral_day[up] - 1)  # started 60 days or more before
    ends[:n_up] = referral_day[up]
    reason = np.concatenate([np.full(n_up, 0), _choice(rng, EH_OTHER_ENDINGS, n - n_up) + 1])
    kept = (starts <= end) & ((starts >= start) | (ends >= start))
    assessed_missing |= assessed > end
    open_ = ends > end
    order = np.flatnonzero(kept)[np.argsort(starts[kept], kind="stable")]
    children = _stacked_children(referrals, contacts, order, n_up, n_down, up, down, rest)
    sources = ("agency_request", "family_request", "front_door", "step_down")
    endings = ("step_up", *EH_OTHER_ENDINGS)
    source_code = np.where(source[order] == -2, 3, np.where(source[order] < 0, 0, source[order]))
    return children | {
        "episode_id": pa.array([f"EHE{i:07d}" for i in range(1, len(order) + 1)]),
        "start_date": _dates(starts[order]),
        "source": _codes(sources, source_code),
        "lead_agency": _codes(list(LEAD_AGENCY), _choice(rng, LEAD_AGENCY, len(order))),
        "assessment_completed_date": _dates(assessed[order], missing=assessed_missing[order]),
        "end_date": _dates(ends[order], missing=open_[order]),
        "closure_reason": _codes(endings, reason[order], missing=open_[order]),
    }


def _stacked_children(
    referrals: pa.Table,
    contacts: pa.Table,
    order: np.ndarray,
    n_up: int,
    n_down: int,
    up: np.ndarray,
    down: np.ndarray,
    rest: np.ndarray,
) -> dict[str, pa.Array]:
    """The child columns of each episode, in `order`: from its referral (step-ups and step-downs) or
    its contact (the rest)."""
    from_referrals = _children(referrals, np.concatenate([up, down]))
    from_contacts = _children(contacts, rest)
    stacked = {
        name: pa.concat_arrays([from_referrals[name], from_contacts[name].cast(from_referrals[name].type)])
        for name in CHILD_COLUMNS
    }
    taken = pa.array(order)
    return {name: values.take(taken) for name, values in stacked.items()}


def _lado(
    rng: np.random.Generator, profile: PartnerProfile, la: DemoLa, start: int, end: int
) -> dict[str, pa.Array]:
    """Allegations referred in the window and the year before it (those still open on its first day,
    or concluded in it, are written with their earlier referral date)."""
    first = start - YEAR
    n = rng.poisson(profile.lado_per_month * (end - first) / 30.44)
    referred = _weekday(rng.integers(first, end + 1, n))
    # A weekend at the window's end would move to the Monday after it: such referrals are not in it.
    referred = np.sort(referred[referred <= end])
    n = len(referred)
    # Days to conclusion: most within a month, a third within three, a few beyond twelve.
    band = rng.choice(4, size=n, p=[0.52, 0.33, 0.13, 0.02])
    low, high = np.array([4, 31, 92, 366])[band], np.array([30, 91, 365, 540])[band]
    concluded = referred + rng.integers(low, high + 1)
    kept = (referred >= start) | (concluded >= start)
    referred, concluded = referred[kept], concluded[kept]
    n = len(referred)
    open_ = concluded > end
    return {
        "allegation_id": pa.array([f"LADO{i:07d}" for i in range(1, n + 1)]),
        "referral_date": _dates(referred),
        "person_id": pa.array([f"{la.prefix}P{i:06d}" for i in rng.choice(900_000, size=n, replace=False)]),
        "referral_source": _codes(list(LADO_SOURCE), _choice(rng, LADO_SOURCE, n)),
        "employer_sector": _codes(list(LADO_SECTOR), _choice(rng, LADO_SECTOR, n)),
        "category": _codes(list(LADO_CATEGORY), _choice(rng, LADO_CATEGORY, n)),
        "concluded_date": _dates(concluded, missing=open_),
        "outcome": _codes(list(LADO_OUTCOME), _choice(rng, LADO_OUTCOME, n), missing=open_),
    }


def _police(
    rng: np.random.Generator, profile: PartnerProfile, la: DemoLa, start: int, end: int
) -> dict[str, pa.Array]:
    """Incidents in the window. About a third are at a household with an incident in the year before."""
    n = rng.poisson(profile.da_incidents_per_month * (end - start + 1) / 30.44)
    # Minutes since 1970: evenings and nights are busiest.
    day = np.sort(rng.integers(start, end + 1, n))
    hour = rng.choice(24, size=n, p=_HOURS / _HOURS.sum())
    at = day * 1440 + hour * 60 + rng.integers(0, 60, n)
    household = np.empty(n, np.int64)
    next_household = 0
    repeat = rng.random(n) < 0.34
    for i in range(n):  # a repeat picks one of the households of the year before
        earlier = np.searchsorted(day, day[i] - YEAR)
        if repeat[i] and earlier < i:
            household[i] = household[rng.integers(earlier, i)]
        else:
            household[i] = next_household
            next_household += 1
    area_codes = [a.code for a in la.areas]
    area_of_household = rng.choice(len(area_codes), size=next_household, p=[a.weight for a in la.areas])
    dash = rng.choice(4, size=n, p=[*DASH.values(), 1 - sum(DASH.values())])
    marac = np.where(dash == 2, rng.random(n) < 0.9, rng.random(n) < 0.03)
    told = rng.random(n) < 0.86
    # Told within hours, mostly by the next morning; about nine in ten before the school day starts.
    notified = at + rng.integers(20, 14 * 60, n)
    before_school = rng.random(n) < 0.88
    return {
        "incident_id": pa.array([f"{la.prefix}DA{i:07d}" for i in range(1, n + 1)]),
        "incident_at": _datetimes(at),
        "household_id": pa.array([f"{la.prefix}H{h:07d}" for h in household]),
        "area_code": _codes(area_codes, area_of_household[household]),
        "children_present": pa.array(rng.choice([1, 2, 3, 4], size=n, p=[0.45, 0.33, 0.15, 0.07])).cast(
            pa.string()
        ),
        "dash_risk": _codes(list(DASH), np.minimum(dash, 2), missing=dash == 3),
        "marac_referral": _codes(["N", "Y"], marac.astype(np.int64)),
        "encompass_notified_at": _datetimes(notified, missing=~told),
        "encompass_before_school": _codes(["N", "Y"], before_school.astype(np.int64), missing=~told),
    }


_HOURS = np.array([4, 3, 2, 2, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 4, 5, 6, 7, 8, 8, 8, 7, 5], dtype=float)


def _exploitation(
    rng: np.random.Generator, profile: PartnerProfile, referrals: pa.Table, start: int, end: int
) -> dict[str, pa.Array]:
    """Children of 10 to 17 among those referred, opened to the panel in the window and the two years
    before it (those still open on its first day are written with their earlier date), for about nine
    months each."""
    first = start - 2 * YEAR
    n = rng.poisson(profile.exploitation_opened_per_month * (end - first) / 30.44)
    opened = _weekday(rng.integers(first, end + 1, n))
    birth = _days(referrals["date_of_birth"].fill_null(pa.scalar(date(1900, 1, 1), pa.date32())))
    referral_day = _days(referrals["referral_date"])
    age_years = (referral_day - birth) / 365.25
    teenagers = np.flatnonzero((age_years >= 10) & (age_years < 16.5))
    child = rng.choice(teenagers, size=n, replace=False)
    closed = opened + np.round(rng.gamma(2.0, 135.0, n)).astype(np.int64) + 14
    # Nobody stays on the panel past 18.
    closed = np.minimum(closed, birth[child] + int(18 * 365.25) - 1)
    opened = np.minimum(opened, closed - 7)
    kept = (
        (opened <= end)
        & ((opened >= start) | (closed >= start))
        & (opened >= birth[child] + int(10 * 365.25) + 1)
    )
    kind = _choice(rng, EXPLOITATION_TYPE, n)
    nrm_share = np.array([0.22, 0.08, 0.25, 0.7])[kind]  # CCE, CSE, both, trafficking
    nrm = opened + rng.integers(5, 90, n)
    no_nrm = (rng.random(n) >= nrm_share) | (nrm > np.minimum(closed, end))
    order = np.flatnonzero(kept)[np.argsort(opened[kept], kind="stable")]
    return _children(referrals, child[order]) | {
        "case_id": pa.array([f"CEP{i:07d}" for i in range(1, len(order) + 1)]),
        "opened_date": _dates(opened[order]),
        "closed_date": _dates(closed[order], missing=closed[order] > end),
        "exploitation_type": _codes(list(EXPLOITATION_TYPE), kind[order]),
        "risk_level": _codes(list(EXPLOITATION_RISK), _choice(rng, EXPLOITATION_RISK, len(order))),
        "nrm_referral_date": _dates(nrm[order], missing=no_nrm[order]),
    }
