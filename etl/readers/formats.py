"""Which reader a file needs, named by the user or told from the file itself."""

from __future__ import annotations

from pathlib import Path

from etl.errors import ExtractError
from etl.readers.native_csv import normalise_header

FORMATS = ("native_csv", "ssda903", "annex_a", "cin_xml")
FORMAT_TITLES = {
    "native_csv": "native extract (CSV)",
    "ssda903": "SSDA903 missing file (CSV)",
    "annex_a": "Ofsted Annex A workbook (xlsx)",
    "cin_xml": "CIN census (XML)",
}
_SSDA903_COLUMNS = {"child", "missing", "mis_start"}


def detect_format(path: Path) -> str:
    """The format of a file from its first bytes: a workbook, XML, or a CSV's header."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(4096)
    except OSError as error:
        raise ExtractError(path, f"cannot read the file: {error.strerror}") from error
    if head.startswith(b"PK\x03\x04"):
        return "annex_a"
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if text.startswith(b"<"):
        if b"<Message" in head and b"<Collection>CIN<" in head.replace(b" ", b""):
            return "cin_xml"
        raise ExtractError(path, "the file is XML but not a CIN census (its header has no <Collection>CIN)")
    first_line = text.split(b"\n", 1)[0].decode("utf-8", errors="replace")
    header = {normalise_header(name) for name in first_line.split(",")}
    return "ssda903" if _SSDA903_COLUMNS <= header else "native_csv"
