"""Who may see what, and who may change what: the questions every page, callback and export asks.

The user is the one signed in for this request (app/auth.py puts it on `flask.g`); the browser
never says who it is or what it may see. From the user come:
- the pages their role opens (`can_view`, `require_page`), as each page declared them
  (app/access.py ties every callback and export to its page);
- the scope of the figures (`current_scope`): the LAs and the suppression policy. `Scope.restrict`
  applies it to whatever filters a request asks for, so a crafted URL or callback payload gets at
  most the user's own LAs. Figures are partnership-wide: a partner sees what everyone with its LAs
  sees, with its figures protected;
- what a partner's agencies and areas limit: the records it may list (`Scope.record_filters`:
  its own agency's, never another's), the commentary it writes and the challenges it answers (its
  agency's KPIs: `may_write_commentary`, `may_answer`), and its agency's submissions (`may_submit`);
- what they may change (`require(permission)`), checked before every write to app state.

Outside a request (the command line, tests that call a callback as a function) the user is the
local operator: `SAFEGUARD_LOCAL_USER` (else the account running the process), with the role
`SAFEGUARD_LOCAL_ROLE` (admin by default), covering every loaded LA.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from enum import StrEnum

import dash
from flask import g, has_request_context

from app.state import per_warehouse_file, reader
from appstate.challenges import ChallengeQuery
from warehouse.db import WarehouseError
from warehouse.kpis.engine import AREA, Filters
from warehouse.kpis.model import Kpi
from warehouse.kpis.registry import REGISTRY
from warehouse.kpis.suppression import NO_SUPPRESSION, SuppressionPolicy
from warehouse.model.files import active_model
from warehouse.settings import environment


class Role(StrEnum):
    EXECUTIVE = "executive"
    PARTNER = "partner"
    DATA_TEAM = "data_team"
    ADMIN = "admin"

    @property
    def words(self) -> str:
        return self.value.replace("_", " ")


class Permission(StrEnum):
    SET_TARGETS = "set targets"
    WRITE_COMMENTARY = "write commentary"
    RAISE_CHALLENGES = "raise and close challenges"
    ANSWER_CHALLENGES = "answer challenges"
    MANAGE_ACTIONS = "raise and update actions"
    MANAGE_RISKS = "add and close risks"
    RESCORE_RISKS = "re-score risks"
    MANAGE_REVIEWS = "record reviews, findings, audit results and their actions"
    SIGN_OFF_REVIEWS = "sign reviews off"
    MANAGE_MEETINGS = "create meetings, set their attendees and agendas, and raise their actions"
    RECORD_DECISIONS = "record a meeting's decisions"
    SAVE_VIEWS = "save views"
    READ_AUDIT = "read the audit log"


GRANTS: dict[Role, frozenset[Permission]] = {
    Role.EXECUTIVE: frozenset(
        {
            Permission.WRITE_COMMENTARY,
            Permission.RAISE_CHALLENGES,
            Permission.ANSWER_CHALLENGES,
            # A risk's score is the board's judgement, reviewed at its meetings; the register's
            # entries (owner, controls, links) are kept by the data team, as actions are.
            Permission.RESCORE_RISKS,
            # Signing a review off is the board accepting its learning as done, at a meeting; the
            # review's record (findings, results, actions) is kept by the data team.
            Permission.SIGN_OFF_REVIEWS,
            # A meeting's decisions are the board's own record, which its chair or members write;
            # the meeting's agenda, attendees and actions are kept by the data team, as actions are.
            Permission.RECORD_DECISIONS,
            Permission.SAVE_VIEWS,
        }
    ),
    # A partner raises and updates only the actions their own agencies lead (Scope.covers), and writes
    # commentary and answers challenges for their own agencies' KPIs only (may_write_commentary, may_answer).
    Role.PARTNER: frozenset(
        {
            Permission.WRITE_COMMENTARY,
            Permission.ANSWER_CHALLENGES,
            Permission.MANAGE_ACTIONS,
            Permission.SAVE_VIEWS,
        }
    ),
    Role.DATA_TEAM: frozenset(
        {
            Permission.SET_TARGETS,
            Permission.WRITE_COMMENTARY,
            Permission.ANSWER_CHALLENGES,
            Permission.MANAGE_ACTIONS,
            Permission.MANAGE_RISKS,
            Permission.RESCORE_RISKS,
            Permission.MANAGE_REVIEWS,
            Permission.SIGN_OFF_REVIEWS,
            Permission.MANAGE_MEETINGS,
            Permission.RECORD_DECISIONS,
            Permission.SAVE_VIEWS,
        }
    ),
    Role.ADMIN: frozenset(Permission),
}

EVERYONE = frozenset(Role)
# The partnership-wide board pages: partners sit at the board table, with their figures protected.
BOARD = frozenset({Role.EXECUTIVE, Role.PARTNER, Role.DATA_TEAM, Role.ADMIN})
DATA = frozenset({Role.DATA_TEAM, Role.ADMIN})
ADMIN_ONLY = frozenset({Role.ADMIN})


def page_roles(path: str) -> frozenset[Role]:
    """The roles that open the page at `path`, as the page declared them where it is registered
    (`dash.register_page(..., roles=...)`; app/access.py). An unknown page, or one that declared
    no roles, opens for nobody."""
    page = next((p for p in dash.page_registry.values() if p["path"] == path), None)
    return frozenset(page.get("roles", ())) if page else frozenset()


def needs_exact_figures(path: str) -> bool:
    """A page that shows exact counts or rows (loads and rejections) declares `exact_figures=True`
    where it is registered: a role whose figures are protected does not open it."""
    page = next((p for p in dash.page_registry.values() if p["path"] == path), None)
    return bool(page and page.get("exact_figures"))


# The navigation's groups, in its order; a page names its group where it is registered
# (`dash.register_page(..., group=BOARD_PAGES)`), so that 26 pages read as four menus.
BOARD_PAGES = "Board"
DASHBOARDS = "Dashboards"
PARTNERSHIP_WORK = "Partnership work"
DATA_PAGES = "Data"
NAV_GROUPS = (BOARD_PAGES, DASHBOARDS, PARTNERSHIP_WORK, DATA_PAGES)


def nav_pages(user: User) -> list[dict]:
    """The pages in the navigation that the user's role opens, in the navigation's order."""
    pages = sorted(dash.page_registry.values(), key=lambda page: page.get("order") or 0)
    return [page for page in pages if page.get("nav", True) and user.can_view(page["path"])]


def nav_groups(user: User) -> list[tuple[str, list[dict]]]:
    """The navigation's groups that hold a page the user's role opens, each with those pages."""
    pages = nav_pages(user)
    grouped = [(group, [page for page in pages if page.get("group") == group]) for group in NAV_GROUPS]
    ungrouped = [page["path"] for page in pages if page.get("group") not in NAV_GROUPS]
    if ungrouped:  # a page the menus would leave out
        raise ValueError(f"pages {ungrouped} name no navigation group of {NAV_GROUPS}")
    return [(group, in_group) for group, in_group in grouped if in_group]


class NotSignedIn(Exception):
    """A request with no signed-in user reached a data path (auth answers 401 or sends to sign-in)."""


class NoDataInScope(WarehouseError):
    """The account's LAs have no data loaded: every data request answers so (503), not with a 500."""


class PermissionDenied(Exception):
    """Raised on the server when a user asks for something their role does not allow."""


@dataclass(frozen=True)
class User:
    username: str
    role: Role
    la_codes: tuple[str, ...] = ()  # empty: every loaded LA
    agencies: tuple[str, ...] = ()  # a partner's agencies; empty: all
    areas: tuple[str, ...] = ()  # a partner's areas; empty: all
    unsuppressed: bool = False

    def can(self, permission: Permission) -> bool:
        return permission in GRANTS[self.role]

    def speaks_for(self, agency: str | None) -> bool:
        """Whether the account acts for `agency`: a partner limited to agencies for those only,
        everyone else (and a partner of every agency) for all."""
        return not self.agencies or agency in self.agencies

    def can_view(self, path: str) -> bool:
        """The role opens the page, and the page shows nothing exact (`exact_figures`) or the
        account sees exact figures."""
        return self.role in page_roles(path) and (self.unsuppressed or not needs_exact_figures(path))


def local_operator() -> User:
    settings = environment()
    return User(username=settings.local_user or getpass.getuser(), role=Role(settings.local_role))


def current_user() -> User:
    """The user this request acts as; raises NotSignedIn when a request has none."""
    if not has_request_context():
        return local_operator()
    user = g.get("user")
    if user is None:
        raise NotSignedIn("sign in first")
    return user


def require(permission: Permission) -> User:
    """The current user, if their role allows `permission`; every app-state write asks this first."""
    user = current_user()
    if not user.can(permission):
        raise PermissionDenied(f"{user.username} ({user.role.words}) may not {permission.value}")
    return user


def may_write_commentary(user: User, kpi: Kpi) -> bool:
    """Whether the user writes the commentary of `kpi`: a partner, only for its own agency's KPIs."""
    return user.can(Permission.WRITE_COMMENTARY) and user.speaks_for(kpi.agency)


def challenge_agency(kpi_id: str | None, agency: str | None) -> str | None:
    """The agency that answers a challenge: the agency of the KPI it is about, else the agency it was
    raised against."""
    kpi = REGISTRY.get(kpi_id or "")
    return kpi.agency if kpi is not None else agency


def may_answer(user: User, kpi_id: str | None, agency: str | None) -> bool:
    """Whether the user answers a challenge about `kpi_id` raised against `agency`: a partner, only
    those its own agency answers (challenge_agency)."""
    return user.can(Permission.ANSWER_CHALLENGES) and user.speaks_for(challenge_agency(kpi_id, agency))


def may_submit(user: User, agency: str) -> bool:
    """Whether the user submits, and sees the submissions of, `agency`'s figures: a partner its own
    agencies' only; the data team and admins any agency's (executives read the figures, not the
    submissions)."""
    if user.role is Role.PARTNER:
        return user.speaks_for(agency)
    return user.role in DATA


def sees_submitted_values(user: User, agency: str) -> bool:
    """Whether the user sees `agency`'s submitted figures as they were sent (their history, every
    revision exact): whoever sees exact figures, and a partner its own agencies' figures, which it
    sent itself; a protected viewer sees the figures rounded on the board pages only."""
    return may_submit(user, agency) and (user.unsuppressed or agency in user.agencies)


def require_page(path: str) -> User:
    """The current user, if their role opens the page at `path`; its callbacks and exports ask too."""
    user = current_user()
    if not user.can_view(path):
        raise PermissionDenied(f"{user.username} ({user.role.words}) may not open {path}")
    return user


@dataclass(frozen=True)
class Scope:
    la_codes: tuple[str, ...]
    policy: SuppressionPolicy
    agencies: tuple[str, ...] = ()  # empty: no restriction
    areas: tuple[str, ...] = ()

    def allowed(self, requested: tuple[str, ...]) -> tuple[str, ...]:
        """The requested LAs that the scope includes; all of the scope if none are asked for. Unlike
        agencies and areas, an empty list of LAs is no scope at all, never "no limit"."""
        kept = tuple(code for code in requested if code in self.la_codes)
        return kept or self.la_codes

    @staticmethod
    def _within(requested: tuple[str, ...], allowed: tuple[str, ...]) -> tuple[str, ...]:
        """What was asked for, cut to `allowed`; all of it when that leaves nothing (empty: no limit)."""
        if not allowed:
            return requested
        return tuple(v for v in requested if v in allowed) or allowed

    def covers(self, la_code: str, agency: str | None) -> bool:
        """Whether an entry about `la_code` and `agency` (a challenge, say) is the scope's: an
        agency-limited partner's entries are those raised against one of their agencies."""
        return la_code in self.la_codes and (not self.agencies or agency in self.agencies)

    def restrict(self, filters: Filters) -> Filters:
        """The filters cut to the scope's LAs: asking for more, or for others, gives the scope's. The
        figures are partnership-wide (the same for everyone with these LAs), so a partner's agencies
        and areas do not cut them; its protection (`policy`) does."""
        return filters.replaced(la_codes=self.allowed(filters.la_codes))

    def record_filters(self, filters: Filters, dataset: str) -> Filters | None:
        """The filters for listing `dataset`'s records, or None when the viewer may list none of them.

        A viewer whose figures are exact lists every record in its scope. A protected viewer lists
        none (a list can be counted, undoing the rounding), except a partner limited to agencies,
        which lists the records of a dataset its own agency provides (the dataset's `agency`): it
        sent them. Another agency's dataset it lists none of, not even the records its agency
        dimension says came from the partner (a police contact, a plan after a police referral):
        what became of them is the other agency's, and counting them would give the partner an exact
        small part of a figure it sees suppressed (a police-referred plan lasting two years or more)."""
        within = filters.replaced(la_codes=self.allowed(filters.la_codes))
        if self.areas:
            within = within.replaced(**{AREA: self._within(within.values(AREA), self.areas)})
        if not self.policy.enabled and not self.agencies:
            return within
        if not self.agencies:
            return None
        model = active_model()
        if dataset in model.figures:
            # An LA's totals as an agency submitted them: listed to that agency's partners only (they
            # sent them), and not to one limited to areas, as the totals are the whole LA's.
            mine = model.figures[dataset].agency in self.agencies and not self.areas
            return within if mine else None
        if model.datasets[dataset].agency not in self.agencies:
            return None
        if self.areas and AREA not in model.dimensions_of(dataset):
            return None  # its records carry no area to hold the list to the partner's own
        return within


def challenge_query(
    scope: Scope, la_codes: tuple[str, ...], status: tuple[str, ...] = (), overdue_only: bool = False
) -> ChallengeQuery:
    """The challenge log entries of `la_codes` (already within the scope) that the viewer lists: a
    partner limited to agencies, those raised against its agencies or about their KPIs (which it answers)."""
    return ChallengeQuery(
        la_codes=la_codes,
        agencies=scope.agencies,
        kpi_ids=tuple(k.id for k in REGISTRY.values() if k.agency in scope.agencies),
        status=status,
        overdue_only=overdue_only,
    )


def scope_for(user: User, loaded_las: tuple[str, ...]) -> Scope:
    las = tuple(code for code in loaded_las if not user.la_codes or code in user.la_codes)
    policy = NO_SUPPRESSION if user.unsuppressed else SuppressionPolicy()
    return Scope(la_codes=las, policy=policy, agencies=user.agencies, areas=user.areas)


@per_warehouse_file(maxsize=4)
def loaded_las() -> tuple[str, ...]:
    """The LAs the warehouse holds, read once per published warehouse file (every request asks)."""
    return tuple(reader().query("loaded_las")["la_code"])


def current_scope() -> Scope:
    user = current_user()
    scope = scope_for(user, loaded_las())
    if not scope.la_codes:
        raise NoDataInScope(
            f"No data is loaded for the local authorities your account covers ({', '.join(user.la_codes)})."
        )
    return scope
