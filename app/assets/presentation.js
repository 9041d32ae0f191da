// Presentation mode (app/pages/present.py): one slide at a time, stepped by the keyboard or the
// buttons. The page is drawn by Dash after this file loads, so everything is looked up on use.
(function () {
  function slides() {
    var box = document.getElementById("presentation-slides");
    return box ? Array.prototype.slice.call(box.children) : [];
  }
  function current(all) {
    var at = all.findIndex(function (s) { return s.classList.contains("current"); });
    return at < 0 ? 0 : at;
  }
  function show(at) {
    var all = slides();
    if (!all.length) { return; }
    at = Math.max(0, Math.min(all.length - 1, at));
    all.forEach(function (s, i) { s.classList.toggle("current", i === at); s.hidden = i !== at; });
    var position = document.getElementById("presentation-position");
    if (position) { position.textContent = (at + 1) + " of " + all.length; }
  }
  function step(by) { var all = slides(); if (all.length) { show(current(all) + by); } }
  document.addEventListener("keydown", function (event) {
    if (!document.getElementById("presentation")) { return; }
    var forward = ["ArrowRight", "PageDown", " ", "ArrowDown"];
    var back = ["ArrowLeft", "PageUp", "ArrowUp"];
    if (forward.indexOf(event.key) >= 0) { step(1); event.preventDefault(); }
    else if (back.indexOf(event.key) >= 0) { step(-1); event.preventDefault(); }
    else if (event.key === "Home") { show(0); event.preventDefault(); }
    else if (event.key === "End") { show(slides().length - 1); event.preventDefault(); }
  });
  document.addEventListener("click", function (event) {
    if (event.target.id === "presentation-next") { step(1); }
    if (event.target.id === "presentation-previous") { step(-1); }
  });
  // Dash draws the page after load: show the first slide once the slides appear.
  new MutationObserver(function () {
    var all = slides();
    if (all.length && !all.some(function (s) { return s.classList.contains("current"); })) { show(0); }
  }).observe(document.documentElement, { childList: true, subtree: true });
})();
