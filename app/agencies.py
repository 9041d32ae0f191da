"""The agencies an entry of app state (an action, a risk) may be led or owned by."""

from __future__ import annotations

from app.filters import FilterOptions, filter_options
from app.scope import Scope
from warehouse.kpis.engine import AGENCY
from warehouse.model.datasets import NOT_AGENCIES

# The local authority leads many actions and owns many risks, but the agencies in the data may not
# include it (it is one only where it reports contacts of its own).
LOCAL_AUTHORITY = "Local authority"


def agency_choices(scope: Scope) -> list[str]:
    """A partner's own agencies, else the local authority and every agency in the data, once each (the
    referral sources that are no agency left out)."""
    if scope.agencies:
        return list(scope.agencies)
    return list(dict.fromkeys([LOCAL_AUTHORITY, *agencies_in_data(filter_options(scope.la_codes))]))


def agencies_in_data(options: FilterOptions) -> list[str]:
    """The agencies the data's records came from, without the referral sources that are no agency."""
    return [agency for agency in options.labels(AGENCY).values() if agency not in NOT_AGENCIES]
