"""Every KPI, declared once, as KPI-DEFINITIONS.md defines it.

Each declaration names the cube measures that compute it (warehouse/transforms/020_cubes.sql
and, for counts of children, missing_child_month). Everything else (the engine, the cards, the
CLI and the docs) looks KPIs up here by id.
"""

from __future__ import annotations

from warehouse.kpis.model import COMMON_DIMENSIONS, Dimension, Direction, Kpi, Timing, Unit

N, L, H = Direction.NEUTRAL, Direction.LOWER_IS_BETTER, Direction.HIGHER_IS_BETTER
FLOW, STOCK = Timing.FLOW, Timing.STOCK
CP_DIMENSIONS = (*COMMON_DIMENSIONS, Dimension.CATEGORY)
MISSING_DIMENSIONS = (*COMMON_DIMENSIONS, Dimension.IN_CARE)

KPIS: tuple[Kpi, ...] = (
    # Front door
    Kpi(
        id="contacts",
        title="Contacts",
        dataset="contacts",
        unit=Unit.COUNT,
        direction=N,
        timing=FLOW,
        numerator="contacts",
        local_definition=True,
        definition="Contacts received in the period.",
        help="DfE does not collect contacts, so there is no national benchmark.",
    ),
    Kpi(
        id="contact_conversion",
        title="Contacts leading to referral",
        dataset="contacts",
        unit=Unit.PERCENT,
        direction=N,
        timing=FLOW,
        numerator="contacts_to_referral",
        denominator="contacts_with_outcome",
        local_definition=True,
        definition="Contacts in the period whose outcome is a referral to children's social care, as a % of "
        "contacts in the period whose outcome is recorded.",
        help="A typical city converts about 25-30% of contacts.",
    ),
    Kpi(
        id="contacts_by_source",
        title="Contacts by source",
        dataset="contacts",
        unit=Unit.PERCENT,
        direction=N,
        timing=FLOW,
        numerator="contacts",
        breakdown=Dimension.AGENCY,
        local_definition=True,
        definition="Share of contacts in the period by source agency group.",
    ),
    Kpi(
        id="referrals",
        title="Referrals",
        dataset="referrals",
        unit=Unit.COUNT,
        direction=N,
        timing=FLOW,
        numerator="referrals",
        per_10k=True,
        benchmark="referrals",
        rate_benchmark="referrals_rate",
        definition="Referrals to children's social care received in the period (count and rate per 10,000 "
        "children aged 0 to 17).",
    ),
    Kpi(
        id="re_referral_12m",
        title="Re-referrals within 12 months",
        dataset="referrals",
        unit=Unit.PERCENT,
        direction=L,
        timing=FLOW,
        numerator="rereferrals_12m",
        denominator="referrals",
        benchmark="re_referral_12m",
        definition="Referrals in the period that came within 12 months of a previous referral of the same "
        "child, as a % of referrals in the period.",
        help="A referral exactly 12 months after the previous one counts as within 12 months.",
    ),
    Kpi(
        id="referral_nfa",
        title="Referrals with no further action",
        dataset="referrals",
        unit=Unit.PERCENT,
        direction=L,
        timing=FLOW,
        numerator="referrals_nfa",
        denominator="referrals",
        benchmark="referral_nfa",
        definition="Referrals in the period that resulted in no further action, as a % of referrals in the period.",
    ),
    Kpi(
        id="referrals_by_source",
        title="Referrals by source",
        dataset="referrals",
        unit=Unit.PERCENT,
        direction=N,
        timing=FLOW,
        numerator="referrals",
        breakdown=Dimension.AGENCY,
        benchmark="referrals_by_source",
        definition="Share of referrals in the period by source agency group (CIN referral source codes).",
        help="DfE publishes LA figures only for schools, health and police (LAIT).",
    ),
    # Section 47 and ICPC
    Kpi(
        id="s47",
        title="Section 47 enquiries",
        dataset="s47",
        unit=Unit.COUNT,
        direction=N,
        timing=FLOW,
        numerator="s47_started",
        per_10k=True,
        benchmark="s47",
        rate_benchmark="s47_rate",
        definition="Section 47 enquiries starting in the period (count and rate per 10,000 children aged 0 to 17).",
    ),
    Kpi(
        id="s47_to_icpc",
        title="S47s leading to an ICPC",
        dataset="s47",
        unit=Unit.PERCENT,
        direction=N,
        timing=FLOW,
        numerator="s47_ended_icpc",
        denominator="s47_ended",
        definition="Section 47 enquiries that ended in the period with an initial child protection conference, "
        "as a % of those that ended in the period.",
    ),
    Kpi(
        id="s47_nfa",
        title="S47s ending with no further action",
        dataset="s47",
        unit=Unit.PERCENT,
        direction=N,
        timing=FLOW,
        numerator="s47_ended_nfa",
        denominator="s47_ended",
        local_definition=True,
        definition="Section 47 enquiries that ended in the period with no further action (no ICPC and no CIN "
        "plan), as a % of those that ended in the period.",
    ),
    Kpi(
        id="icpc",
        title="Initial child protection conferences",
        dataset="s47",
        unit=Unit.COUNT,
        direction=N,
        timing=FLOW,
        numerator="icpc",
        benchmark="icpc",
        definition="Initial child protection conferences held in the period.",
    ),
    Kpi(
        id="icpc_15wd",
        title="ICPCs within 15 working days",
        dataset="s47",
        unit=Unit.PERCENT,
        direction=H,
        timing=FLOW,
        numerator="icpc_15wd",
        denominator="icpc",
        benchmark="icpc_15wd",
        definition="ICPCs in the period held within 15 working days of the start of the section 47 enquiry "
        "that led to them, as a % of ICPCs in the period.",
        help="Working days exclude weekends and English bank holidays.",
    ),
    # Child protection plans
    Kpi(
        id="cp_starts",
        title="CP plans started",
        dataset="cp_plans",
        unit=Unit.COUNT,
        direction=N,
        timing=FLOW,
        numerator="cp_started",
        dimensions=CP_DIMENSIONS,
        definition="Child protection plans starting in the period.",
    ),
    Kpi(
        id="cp_open",
        title="Children on a CP plan",
        dataset="cp_plans",
        unit=Unit.COUNT,
        direction=N,
        timing=STOCK,
        numerator="cp_open",
        per_10k=True,
        benchmark="cp_open",
        rate_benchmark="cp_open_rate",
        dimensions=CP_DIMENSIONS,
        definition="Child protection plans open at the end of the period (count and rate per 10,000 children "
        "aged 0 to 17).",
        help="By the plan's latest category of abuse.",
    ),
    Kpi(
        id="cp_repeat",
        title="Repeat CP plans",
        dataset="cp_plans",
        unit=Unit.PERCENT,
        direction=L,
        timing=FLOW,
        numerator="cp_started_repeat",
        denominator="cp_started",
        benchmark="cp_repeat",
        dimensions=CP_DIMENSIONS,
        definition="Child protection plans starting in the period that are a second or subsequent plan (ever), "
        "as a % of plans starting in the period.",
    ),
    Kpi(
        id="cp_2yrs",
        title="CP plans open 2 years or more",
        dataset="cp_plans",
        unit=Unit.PERCENT,
        direction=L,
        timing=STOCK,
        numerator="cp_open_2yrs",
        denominator="cp_open",
        benchmark="cp_2yrs",
        dimensions=CP_DIMENSIONS,
        definition="Child protection plans open at the end of the period that started 2 or more years before it, "
        "as a % of plans open at the end of the period.",
        help="The count of such plans is the numerator, tracked monthly.",
    ),
    Kpi(
        id="cp_2yrs_ended",
        title="Ended CP plans that lasted 2+ years",
        dataset="cp_plans",
        unit=Unit.PERCENT,
        direction=L,
        timing=FLOW,
        numerator="cp_ended_2yrs",
        denominator="cp_ended",
        local_definition=True,
        dimensions=CP_DIMENSIONS,
        definition="Child protection plans ending in the period that had lasted 2 years or more, as a % of plans "
        "ending in the period.",
    ),
    Kpi(
        id="cp_category",
        title="CP plans by category of abuse",
        dataset="cp_plans",
        unit=Unit.PERCENT,
        direction=N,
        timing=FLOW,
        numerator="cp_started",
        breakdown=Dimension.CATEGORY,
        dimensions=CP_DIMENSIONS,
        definition="Share of child protection plans starting in the period by initial category: neglect, "
        "emotional, physical, sexual, multiple.",
        help="DfE does not publish LA figures by category.",
    ),
    # Missing
    Kpi(
        id="missing_episodes",
        title="Missing episodes",
        dataset="missing_episodes",
        unit=Unit.COUNT,
        direction=N,
        timing=FLOW,
        numerator="missing_episodes",
        benchmark="missing_episodes",
        dimensions=MISSING_DIMENSIONS,
        definition="Missing episodes starting in the period, for children in care and not in care; missing and "
        "away are counted separately.",
        help="The DfE benchmark counts missing incidents of children in care only.",
    ),
    Kpi(
        id="children_missing",
        title="Children who went missing",
        dataset="missing_episodes",
        unit=Unit.COUNT,
        direction=N,
        timing=FLOW,
        numerator="missing_children",
        benchmark="children_missing",
        dimensions=MISSING_DIMENSIONS,
        distinct_children=True,
        definition="Distinct children with at least one missing episode starting in the period.",
    ),
    Kpi(
        id="missing_per_child",
        title="Episodes per missing child",
        dataset="missing_episodes",
        unit=Unit.RATIO,
        direction=L,
        timing=FLOW,
        numerator="missing_child_episodes",
        denominator="missing_children",
        benchmark="missing_per_child",
        dimensions=MISSING_DIMENSIONS,
        distinct_children=True,
        definition="Missing episodes starting in the period divided by the children who went missing.",
    ),
    Kpi(
        id="missing_repeat",
        title="Children missing more than once",
        dataset="missing_episodes",
        unit=Unit.PERCENT,
        direction=L,
        timing=FLOW,
        numerator="missing_children_repeat",
        denominator="missing_children",
        benchmark="missing_repeat",
        dimensions=MISSING_DIMENSIONS,
        distinct_children=True,
        definition="Children with 2 or more missing episodes starting in the period, as a % of the children who "
        "went missing.",
    ),
    Kpi(
        id="rhi_72h",
        title="Return interviews offered within 72 hours",
        dataset="missing_episodes",
        unit=Unit.PERCENT,
        direction=H,
        timing=FLOW,
        numerator="rhi_72h",
        denominator="missing_ended",
        local_definition=True,
        dimensions=MISSING_DIMENSIONS,
        definition="Episodes that ended in the period where a return home interview was offered within 72 hours "
        "of return, as a % of episodes that ended in the period.",
        help="No national measure; about 63% in a published study of several LAs.",
    ),
    Kpi(
        id="rhi_accepted",
        title="Return interviews accepted",
        dataset="missing_episodes",
        unit=Unit.PERCENT,
        direction=H,
        timing=FLOW,
        numerator="rhi_accepted",
        denominator="rhi_offered",
        local_definition=True,
        dimensions=MISSING_DIMENSIONS,
        definition="Return home interviews accepted as a % of those offered, for episodes that ended in the period.",
    ),
)


def _index(kpis: tuple[Kpi, ...]) -> dict[str, Kpi]:
    index: dict[str, Kpi] = {}
    for kpi in kpis:
        if kpi.id in index:
            raise ValueError(f"KPI id {kpi.id!r} is declared twice")
        index[kpi.id] = kpi
    return index


REGISTRY: dict[str, Kpi] = _index(KPIS)

# The executive summary's default set: one or two KPIs per strategic priority.
EXECUTIVE_KPIS: tuple[str, ...] = (
    "referrals",
    "re_referral_12m",
    "icpc_15wd",
    "cp_open",
    "cp_repeat",
    "cp_2yrs",
    "missing_repeat",
    "rhi_72h",
)

# Measures counted per child rather than per event; the rest come from kpi_cube.
CHILD_MEASURES = frozenset({"missing_children", "missing_children_repeat", "missing_child_episodes"})


def _check_executive_set() -> None:
    unknown = [kpi_id for kpi_id in EXECUTIVE_KPIS if kpi_id not in REGISTRY]
    if unknown:
        raise ValueError(f"executive KPIs not in the registry: {unknown}")


_check_executive_set()


def get_kpi(kpi_id: str) -> Kpi:
    try:
        return REGISTRY[kpi_id]
    except KeyError:
        raise KeyError(f"no KPI {kpi_id!r}; known: {', '.join(REGISTRY)}") from None
