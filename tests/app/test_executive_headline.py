"""The executive summary's headline agrees with its own cards: the RAG counts are the cards' badges,
and the KPIs said to have moved the wrong way are the cards that say "(worse)" on the previous period."""

from __future__ import annotations

import re

from tests.app.serving import page_layout, signed_in


def _nodes(node):
    if isinstance(node, dict):
        yield node
        yield from _nodes(node.get("props", {}).get("children"))
    elif isinstance(node, list):
        for child in node:
            yield from _nodes(child)


def _text(node) -> str:
    if isinstance(node, str | int | float):
        return str(node)
    if isinstance(node, dict):
        return _text(node.get("props", {}).get("children"))
    if isinstance(node, list):
        return "".join(_text(child) for child in node)
    return ""


def test_the_headline_counts_the_cards_badges_and_names_the_worse_ones(demo_app):
    with demo_app.server.test_client() as client:
        signed_in(client)
        layout = page_layout(client, "/", "?period=2025-26-Q4&la=E08000021")
    nodes = list(_nodes(layout))
    cards = [n for n in nodes if n.get("props", {}).get("className") == "kpi-card"]
    assert len(cards) == 8
    badges = {colour: 0 for colour in ("green", "amber", "red")}
    worse = []
    for card in cards:
        for node in _nodes(card):
            classes = node.get("props", {}).get("className") or ""
            if classes.startswith("rag rag-"):
                badges[classes.split("rag-")[1]] += 1
            first_change = classes == "changes" and _text(node.get("props", {}).get("children")[0])
            if first_change and "(worse)" in first_change:  # the first line: on the previous period
                worse.append(
                    _text(next(n for n in _nodes(card) if n["props"].get("className") == "card-title"))
                )
    headline = next(n for n in nodes if n.get("props", {}).get("className") == "headline")
    words = _text(headline)
    shown = {words_: int(n) for n, words_ in re.findall(r"(\d+) (on target|near|off)", words)}
    assert shown, words
    assert {"green": shown["on target"], "amber": shown["near"], "red": shown["off"]} == badges
    assert sum(badges.values()) > 0 and f"of {sum(badges.values())} KPIs with a target" in words
    titles = [t.replace(" local definition", "") for t in worse]
    if titles:
        assert words.endswith("Moved the wrong way on the previous period: " + ", ".join(titles) + ".")
    else:
        assert words.endswith("None moved the wrong way on the previous period.")
