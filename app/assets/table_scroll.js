// A table wider than its box (app/components/table_scroll.py) or a grid wider than its box scrolls
// sideways inside it. This file marks the box with the sides that have more columns
// (data-more="right", "left right" or "left"), which the stylesheet shows as a hint above the table
// and a shadow at its edge. Dash draws the pages after this file loads, and a grid draws its rows
// later still: the boxes are looked up again on every change to the page, scroll and resize.
(function () {
  function scroller(box) {
    return box.classList.contains("table-scroll")
      ? box.querySelector(".table-scroll-box")
      : box.querySelector(".ag-center-cols-viewport");
  }
  function mark(box) {
    var el = scroller(box);
    if (!el) { return; }
    var sides = [];
    if (el.scrollLeft > 1) { sides.push("left"); }
    if (el.scrollLeft + el.clientWidth < el.scrollWidth - 1) { sides.push("right"); }
    var more = sides.join(" ");
    if ((box.getAttribute("data-more") || "") === more) { return; }
    if (more) { box.setAttribute("data-more", more); } else { box.removeAttribute("data-more"); }
  }
  var queued = false;
  function markAll() {
    if (queued) { return; }
    queued = true;
    window.requestAnimationFrame(function () {
      queued = false;
      document.querySelectorAll(".table-scroll, .ag-theme-alpine").forEach(mark);
    });
  }
  document.addEventListener("scroll", markAll, true);  // scroll does not bubble: caught on its way down
  window.addEventListener("resize", markAll);
  new MutationObserver(markAll).observe(document.documentElement, { childList: true, subtree: true });
})();
