import dash
from dash import dcc, html

dash.register_page(__name__, path="/404", name="Not found", nav=False)

layout = html.Div(
    [html.H1("Page not found"), html.P(["There is no page at this address. ", dcc.Link("Go to the overview", href="/")])]
)
