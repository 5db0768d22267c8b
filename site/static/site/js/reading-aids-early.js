/* Runs in <head>, before the page is drawn: applies the resident's text size and furigana choice
   from this browser's storage. Pages are cached as one copy for everyone, so the choice must
   live here and not in the HTML; reading it this early means the page never flashes at the
   wrong size. reading-aids.js has the controls. */
(function () {
  "use strict";
  try {
    var root = document.documentElement;
    var size = window.localStorage.getItem("tsunagu:text-size");
    if (size === "large" || size === "largest") { root.setAttribute("data-text-size", size); }
    if (window.localStorage.getItem("tsunagu:furigana") === "on") {
      root.setAttribute("data-furigana", "on");
    }
  } catch (error) {
    // Storage blocked (a private window, strict settings): the defaults stay.
  }
})();
