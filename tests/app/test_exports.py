"""CSV downloads never carry a live spreadsheet formula."""

from __future__ import annotations

import pandas as pd

from app.components.exports import csv_text


def test_formula_like_text_is_neutralised_and_numbers_are_not():
    frame = pd.DataFrame({
        "value": ["=HYPERLINK(\"http://x\")", "+1+2", "-2+3", "@SUM(A1)", "\tcmd", "plain", None],
        "count": [-5, 1, 2, 3, 4, 5, 6],
    })
    lines = csv_text(frame).splitlines()
    assert lines[0] == "value,count"
    assert [line.rsplit(",", 1)[0] for line in lines[1:]] == [
        '"\'=HYPERLINK(""http://x"")"', "'+1+2", "'-2+3", "'@SUM(A1)", "'\tcmd", "plain", ""]
    assert lines[1].endswith(",-5")
