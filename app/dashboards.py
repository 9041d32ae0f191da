"""The operational dashboards, declared once each: front door, S47 and ICPC, CP plans, missing.

Only the declarations live here, with nothing imported from the rest of the app, so that the filters
(which offer the dashboards as pack sections) and the pages that draw them can all read them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class OperationalPage:
    slug: str
    title: str
    intro: str
    kpis: tuple[str, ...]
    trends: tuple[str, ...]
    by_area: str  # the KPI split by area on the page


PAGES = (
    OperationalPage(
        "front-door",
        "Front door",
        "Contacts, conversion to referral, and referrals by source and area.",
        (
            "contacts",
            "contact_conversion",
            "referrals",
            "re_referral_12m",
            "referral_nfa",
            "referrals_by_source",
            "contacts_by_source",
        ),
        ("referrals", "re_referral_12m"),
        "referrals",
    ),
    OperationalPage(
        "s47-icpc",
        "S47 and ICPC",
        "Section 47 enquiries, their outcomes, and the timeliness of initial child protection conferences.",
        ("s47", "s47_to_icpc", "s47_nfa", "icpc", "icpc_15wd"),
        ("s47", "icpc_15wd"),
        "s47",
    ),
    OperationalPage(
        "cp-plans",
        "CP plans",
        "Children on plans, starts and ends, categories, repeat plans and plans lasting 2 years or more.",
        ("cp_open", "cp_starts", "cp_repeat", "cp_2yrs", "cp_2yrs_ended", "cp_category"),
        ("cp_open", "cp_repeat"),
        "cp_open",
    ),
    OperationalPage(
        "missing",
        "Missing",
        "Missing and away episodes of children in care and not in care, "
        "repeat missing children and return interviews.",
        (
            "missing_episodes",
            "children_missing",
            "missing_per_child",
            "missing_repeat",
            "rhi_72h",
            "rhi_accepted",
        ),
        ("missing_episodes", "rhi_72h"),
        "missing_episodes",
    ),
)
