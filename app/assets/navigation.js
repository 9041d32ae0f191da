// The navigation's menus (app/main.py `_nav`): native <details>, so they open by mouse, keyboard and
// screen reader without this file. This file makes them behave as menus do: one open at a time,
// closed on choosing a page, on Escape and on a click elsewhere; and it marks the current page
// (aria-current) and its menu, after every navigation, Dash's own included.
(function () {
  function groups() { return Array.prototype.slice.call(document.querySelectorAll(".nav-group")); }
  function closeAll(except) {
    groups().forEach(function (group) { if (group !== except) { group.open = false; } });
  }
  function markCurrent() {
    var here = window.location.pathname;
    document.querySelectorAll(".nav .nav-link").forEach(function (link) {
      var current = new URL(link.href, window.location.href).pathname === here;
      if (current) { link.setAttribute("aria-current", "page"); } else { link.removeAttribute("aria-current"); }
    });
    groups().forEach(function (group) {
      group.classList.toggle("nav-group-current", !!group.querySelector("[aria-current=page]"));
    });
  }
  document.addEventListener("toggle", function (event) {
    if (event.target.classList && event.target.classList.contains("nav-group") && event.target.open) {
      closeAll(event.target);
    }
  }, true);  // toggle does not bubble
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".nav .nav-link");
    if (link || !(event.target.closest && event.target.closest(".nav-group"))) { closeAll(null); }
    if (link) { window.setTimeout(markCurrent, 0); }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    var open = groups().filter(function (group) { return group.open; })[0];
    if (open) { open.open = false; open.querySelector("summary").focus(); }
  });
  // Dash's links and its URL component announce their navigation with this event.
  window.addEventListener("_dashprivate_pushstate", markCurrent);
  window.addEventListener("popstate", markCurrent);
  // The navigation is drawn by Dash after this file loads.
  new MutationObserver(function (changes, observer) {
    if (document.querySelector(".nav")) { markCurrent(); observer.disconnect(); }
  }).observe(document.documentElement, { childList: true, subtree: true });
})();
