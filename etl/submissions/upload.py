"""A file of figures uploaded through the app by a partner account: what the upload page calls.

`submitter_for` says who an account submits as (its agencies and LAs); `upload_figures` reads,
checks and loads the uploaded bytes as `safeguard submit` loads a file: all its figures or none, in
the load history either way (a refused upload is a failed load, its problems among the rejections).
"""

from __future__ import annotations

import getpass
import hashlib
from datetime import date, datetime
from pathlib import Path, PureWindowsPath

from etl.errors import ExtractError
from etl.limits import check_file_size
from etl.load import figures as submitted
from etl.pipeline import FileOutcome, figures_outcomes, publish_figures
from etl.readers.formats import detect_format
from etl.validate.figures import Submitter
from warehouse.settings import Settings, environment

NOT_FIGURES = (
    "not a file of figures: upload the template (the workbook, or its CSV twin) filled in, as downloaded for "
    "the period"
)


def submitter_for(username: str | None, via: str = "upload", note: str | None = None) -> Submitter:
    """Who submits: an account of the app, limited by its role and scope (a partner to its agencies
    and LAs; a data team or admin account to its LAs), or, without one, the operator running a
    command, who may submit for any agency and LA. ValueError for an account that may not submit."""
    if username is None:
        return Submitter(environment().local_user or getpass.getuser(), via, note=note)
    from appstate.db import session
    from appstate.users import get_user

    with session() as db:
        account = get_user(db, username)
    if account is None or not account.active:
        raise ValueError(f"no active account {username!r} (safeguard users list)")
    if account.role == "executive":
        raise ValueError(f"{account.username} is an executive account, which does not submit figures")
    agencies = account.agency_list if account.role == "partner" else ()
    return Submitter(account.username, via, agencies, account.la_list, note)


def upload_figures(
    settings: Settings, file_name: str, data: bytes, submitter: Submitter, today: date | None = None
) -> list[FileOutcome]:
    """Load an uploaded file of figures. Returns an outcome per submission it held (loaded, or
    unchanged: the same figures again), or one failed outcome whose rejections name each problem's
    sheet, row and field."""
    # The name only (old browsers send the whole path, C:\Users\...): messages name the file as the user knows it.
    path = Path(PureWindowsPath(file_name).name)
    sha256 = hashlib.sha256(data).hexdigest()
    day = today or date.today()

    def prepare() -> list[FileOutcome]:
        source_format = "figures_xlsx"
        try:
            source_format = detect_format(path, data)
            if source_format not in submitted.FIGURE_FORMATS:
                raise ExtractError(path, NOT_FIGURES)
            check_file_size(path, len(data), source_format)
            file = submitted.read_figures(path, data, source_format)
        except ExtractError as error:
            failed = FileOutcome(path=path, sha256=sha256, source_format=source_format, message=error.message)
            failed.finished_at = datetime.now()
            return [failed]
        return figures_outcomes(file, sha256, source_format, submitter, day)

    return publish_figures(settings, submitter, prepare, record_refusal=True)
