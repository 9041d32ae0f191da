"""A page's static parts sent as HTML: one component for a whole table or card, not one per cell.

Dash keeps every component of a page in its store and, on each step of a callback, asks every one
of them whether it changed; at a few hundred components that asking is most of a filter change's
time in the browser. The parts of a page that no callback writes and that hold nothing interactive
(tables of figures, the words and numbers of a card) need none of it. `flatten` replaces each
largest such subtree of plain `html` components by a `StaticHtml` of the same element, whose
content is that subtree written as HTML (app/assets/static_html.js draws it); the page's DOM is
the same element for element. A part built to be static from the start (a table of figures) can
be made of `Markup` elements instead of Dash components: the same HTML, without Dash's checks of
every component's props, which cost more than writing the element.

Every text and attribute value is escaped here, and a link or image may only be a web address or an image, so nothing in
a figure, a name or a comment can become markup or script.
"""

from __future__ import annotations

import re
from html import escape
from typing import TYPE_CHECKING, Any

from dash import html
from dash.development.base_component import Component

NAMESPACE = "safeguard_static"  # app/assets/static_html.js registers the component under this name

# React's names for the attributes whose HTML names differ.
_HTML_NAMES = {"className": "class", "htmlFor": "for"}
_VOID_ELEMENTS = {"area", "br", "col", "embed", "hr", "img", "input", "source", "track", "wbr"}
# Dash's own bookkeeping on every html component, which is no attribute of the element.
_NOT_ATTRIBUTES = {"n_clicks", "n_clicks_timestamp", "disable_n_clicks", "loading_state", "key", "children"}
_SAFE_URL = re.compile(r"^(?:/(?!/)|#|\?|https?://|mailto:|data:image/(?:svg\+xml|png)[;,])", re.IGNORECASE)
_URL_ATTRIBUTES = {"href", "src", "action", "formAction"}
_TAG = re.compile(r"^[a-z][a-z0-9]*$")
_ATTRIBUTE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


class StaticHtml(Component):
    """One HTML element, `tag`, with React's `attributes` and `children` as HTML already escaped."""

    _namespace = NAMESPACE
    _type = "StaticHtml"
    # Component's own attributes, declared as Dash's generated components declare them.
    _prop_names = ["tag", "attributes", "children"]  # noqa: RUF012
    _valid_wildcard_attributes: list[str] = []  # noqa: RUF012
    available_properties = _prop_names
    available_wildcard_properties: list[str] = []  # noqa: RUF012
    _base_nodes: list[str] = []  # noqa: RUF012  (its children are markup, no components to walk)

    def __init__(self, tag: str, attributes: dict[str, Any], children: str) -> None:
        # Given no keyword arguments: Component checks each one against the props, and for a namespace
        # it cannot import (this one is the browser's) it first tries to import it, a search of the
        # whole path, again for every argument of every StaticHtml, 15% of a page's time. These three
        # are the props.
        super().__init__()
        self.tag, self.attributes, self.children = tag, attributes, children


# To the type checker Markup is a Component, as it is to Dash: it goes wherever a component may, and
# Dash sends it as its StaticHtml (to_plotly_json). It is none at run time, so is made without the
# checks that make a Component cost more than the HTML it stands for.
if TYPE_CHECKING:
    _MarkupBase = Component
else:
    _MarkupBase = object


class Markup(_MarkupBase):
    """An element written as static HTML without becoming a Dash component: `Markup("td", "12",
    className="num")` as `html.Td("12", className="num")`. Its children are text, numbers and other
    Markup only; its attributes are React's names, checked and escaped as any static element's."""

    __slots__ = ("attributes", "children", "tag")

    def __init__(self, tag: str, children: Any = None, **attributes: Any) -> None:
        self.tag, self.children, self.attributes = tag, children, attributes

    def to_plotly_json(self) -> dict[str, Any]:
        """As the StaticHtml it becomes: what Dash's JSON encoder asks of anything it sends, should a
        callback return Markup that no page's flatten has written."""
        return _as_static(self).to_plotly_json()


def flatten(node: Any) -> Any:
    """`node` with each largest subtree that is static (see the module) made one `StaticHtml`."""
    if isinstance(node, (list, tuple)):
        return [flatten(child) for child in node]
    if isinstance(node, Markup):
        return _as_static(node)
    if not isinstance(node, Component):
        return node
    if _is_static(node):
        return _as_static(node)
    children = getattr(node, "children", None)
    if children is not None:
        node.children = flatten(children)
    return node


def _is_static(node: Any) -> bool:
    if isinstance(node, (list, tuple)):
        return all(_is_static(child) for child in node)
    if node is None or isinstance(node, (str, int, float, Markup)):
        return True
    if not isinstance(node, Component) or node._namespace != html.Div._namespace:
        return False
    if getattr(node, "id", None) is not None:
        return False  # a callback may write it, or read it
    return _is_static(getattr(node, "children", None))


def _props(node: Component | Markup) -> dict[str, Any]:
    """The props set on a component, as `to_plotly_json` gives them (its props in their declared order,
    then its data-* and aria-* attributes), read from what was set rather than by trying each of the
    thirty-odd props an html element may have: a fifth of this module's time."""
    if isinstance(node, Markup):
        return {**node.attributes, "children": node.children}
    given = vars(node)
    props = {name: given[name] for name in node._prop_names if name in given}
    wildcards = tuple(node._valid_wildcard_attributes)
    props.update((name, value) for name, value in given.items() if wildcards and name.startswith(wildcards))
    return props


def _as_static(node: Component | Markup) -> StaticHtml:
    props = _props(node)
    attributes = {name: value for name, value in props.items() if name not in _NOT_ATTRIBUTES}
    for name, value in attributes.items():
        _check_attribute(node, name, value)
    return StaticHtml(tag=_tag(node), attributes=attributes, children=_inner_html(props.get("children")))


def _inner_html(children: Any) -> str:
    if children is None:
        return ""
    if isinstance(children, (list, tuple)):
        return "".join(_inner_html(child) for child in children)
    if isinstance(children, (Component, Markup)):
        return _outer_html(children)
    return escape(str(children), quote=False)


def _outer_html(node: Component | Markup) -> str:
    if isinstance(node, Component) and node._namespace != html.Div._namespace:
        raise ValueError(f"{node._type}: only html elements are written as static HTML")
    tag = _tag(node)
    props = _props(node)
    attributes = "".join(
        _attribute_html(node, name, value)
        for name, value in props.items()
        if name not in _NOT_ATTRIBUTES and value is not None and value is not False
    )
    if tag in _VOID_ELEMENTS:
        return f"<{tag}{attributes}>"
    return f"<{tag}{attributes}>{_inner_html(props.get('children'))}</{tag}>"


def _attribute_html(node: Component | Markup, name: str, value: Any) -> str:
    _check_attribute(node, name, value)
    html_name = _HTML_NAMES.get(name, name.lower() if not name.startswith(("aria-", "data-")) else name)
    if value is True:
        return f" {html_name}"
    if name == "style":
        value = "; ".join(f"{_css_name(key)}: {css}" for key, css in value.items())
    return f' {html_name}="{escape(str(value), quote=True)}"'


def _check_attribute(node: Component | Markup, name: str, value: Any) -> None:
    if not _ATTRIBUTE_NAME.match(name):
        raise ValueError(f"{_tag(node)}: {name!r} is no attribute name")
    if name.startswith("on"):
        raise ValueError(f"{_tag(node)}: no event handler attribute ({name}) in static HTML")
    if name in _URL_ATTRIBUTES and not _SAFE_URL.match(str(value)):
        raise ValueError(f"{_tag(node)}: {name}={value!r} leaves this site or is no image")
    if name == "style" and not all(isinstance(css, str) for css in value.values()):
        raise ValueError(f"{_tag(node)}: style values in static HTML are written with their units")


def _css_name(react_name: str) -> str:
    return re.sub(r"[A-Z]", lambda capital: "-" + capital.group().lower(), react_name)


def _tag(node: Component | Markup) -> str:
    if isinstance(node, Markup):
        if not _TAG.match(node.tag):
            raise ValueError(f"{node.tag!r} is no HTML element name")
        return node.tag
    return node._type.lower()
