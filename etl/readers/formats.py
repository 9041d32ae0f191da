"""Which reader a file needs, named by the user or told from the file itself."""

from __future__ import annotations

from pathlib import Path

from etl.errors import ExtractError
from etl.readers.cin_xml import dtd_refusal
from etl.readers.figures import is_figures_header, is_figures_workbook
from etl.readers.native_csv import normalise_header

FORMATS = ("native_csv", "ssda903", "annex_a", "cin_xml", "figures_xlsx", "figures_csv")
FORMAT_TITLES = {
    "native_csv": "native extract (CSV)",
    "ssda903": "SSDA903 missing file (CSV)",
    "annex_a": "Ofsted Annex A workbook (xlsx)",
    "cin_xml": "CIN census (XML)",
    "figures_xlsx": "figures submitted by an agency (the template's workbook, xlsx)",
    "figures_csv": "figures submitted by an agency (the template's CSV twin)",
}
# An SSDA903 missing file names the child (CHILD) and at least one of the missing file's own fields;
# the reader then names any required column it lacks.
_SSDA903_CHILD = "child"
_SSDA903_OWN = {"missing", "mis_start", "mis_end"}
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
_OLD_EXCEL = b"\xd0\xcf\x11\xe0"


def _not_a_workbook(path: Path, head: bytes) -> ExtractError:
    if head.startswith(_OLD_EXCEL):
        what = "an old Excel 97-2003 workbook (.xls) or another Office file"
        advice = "open it in Excel and save it as an Excel Workbook (.xlsx)"
    elif not head.strip():
        what, advice = "empty", "export the workbook again"
    elif head.lstrip(b"\xef\xbb\xbf").lstrip().startswith(b"<"):
        what, advice = (
            "XML or HTML text (some systems export a web page named .xlsx)",
            "open it in Excel and save it as an Excel Workbook (.xlsx)",
        )
    else:
        what, advice = (
            "not a zip file, as every .xlsx workbook is",
            "it may be damaged, or another file renamed: export the workbook again",
        )
    return ExtractError(
        path, f"the file is named {path.suffix} but is not an Excel workbook: it is {what}; {advice}"
    )


def detect_format(path: Path, data: bytes) -> str:
    """The format of a file from its first bytes (`data` is the file's bytes): a workbook, XML, or
    a CSV's header."""
    head = data[:4096]
    if head.startswith(b"PK\x03\x04"):
        return "figures_xlsx" if is_figures_workbook(data) else "annex_a"
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        raise _not_a_workbook(path, head)
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if text.startswith(b"<"):
        if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
            raise dtd_refusal(path, "a DOCTYPE")
        if b"<Message" in head and b"<Collection>CIN<" in head.replace(b" ", b""):
            return "cin_xml"
        raise ExtractError(path, "the file is XML but not a CIN census (its header has no <Collection>CIN)")
    first_line = text.split(b"\n", 1)[0].decode("utf-8", errors="replace")
    header = {normalise_header(name) for name in first_line.split(",")}
    if is_figures_header(list(header)):
        return "figures_csv"
    return "ssda903" if _SSDA903_CHILD in header and header & _SSDA903_OWN else "native_csv"
