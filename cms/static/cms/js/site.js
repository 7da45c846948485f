// Small behaviours every page may use, declared with data attributes instead of inline code, which
// the Content-Security-Policy refuses (inline handlers, style attributes, htmx's hx-on).
(function () {
  "use strict";

  // <div class="progress__bar" data-percent="40">: the bar's width, here and in HTML htmx swaps in.
  function sizeBars(root) {
    var bars = Array.from(root.querySelectorAll("[data-percent]"));
    if (root.matches && root.matches("[data-percent]")) {
      bars.push(root);
    }
    bars.forEach(function (bar) {
      bar.style.width = Math.max(0, Math.min(100, Number(bar.dataset.percent) || 0)) + "%";
    });
  }

  // <button data-print>: prints the page.
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) {
      window.print();
    }
  });

  // A form inside [data-swap-errors] comes back re-rendered with its errors as a 400: swap it in
  // like a success instead of treating it as a failed request.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr.status === 400 && event.target.closest("[data-swap-errors]")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.addEventListener("htmx:load", function (event) {
    sizeBars(event.detail.elt);
  });
  sizeBars(document);
})();
