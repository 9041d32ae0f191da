import dash
from dash import dcc, html

from app.scope import EVERYONE

dash.register_page(__name__, path="/404", name="Not found", nav=False, roles=EVERYONE)

layout = html.Div(
    [
        html.H1("Page not found"),
        html.P(["There is no page at this address. ", dcc.Link("Go to the overview", href="/")]),
    ]
)
