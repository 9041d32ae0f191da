// The component app/components/static_html.py sends for a page's static parts: one element whose
// content is HTML the server wrote and escaped. Dash finds it as window.safeguard_static.StaticHtml.
(function () {
  function StaticHtml(props) {
    var attributes = Object.assign({}, props.attributes);
    if (props.children) {  // a void element (img, br) has none, and React refuses it any
      attributes.dangerouslySetInnerHTML = { __html: props.children };
    }
    return window.React.createElement(props.tag, attributes);
  }
  window.safeguard_static = { StaticHtml: StaticHtml };
})();
