// A click on a bar or a point of a chart a click drills into (app/callbacks/drill.py), passed on
// to the server with the chart's URL key only when something was clicked: a page's charts also
// report, with nothing clicked, each time a page is drawn.
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  drill: {
    clicked: function () {
      var context = window.dash_clientside.callback_context;
      var triggered = context.triggered[0];
      var chart = context.triggered_id;
      var points = triggered && triggered.value && triggered.value.points;
      if (!points || !points.length || points[0].customdata == null || typeof chart !== "object") {
        return window.dash_clientside.no_update;
      }
      // the time of the click: a second click on the same bar is a new click
      return { param: chart.param, value: points[0].customdata, at: Date.now() };
    },
  },
});
