/* Share and print buttons on detail pages. Both need a script, so both stay hidden without one:
   Web Share only where the browser has it (phones mostly), print wherever there is a printer
   dialog. The LINE link is a plain link and works with no script at all. */
(function () {
  "use strict";

  function reveal(button) { button.closest("li").hidden = false; }

  document.querySelectorAll("[data-web-share]").forEach(function (button) {
    if (!navigator.share) { return; }
    reveal(button);
    button.addEventListener("click", function () {
      navigator.share({ title: button.getAttribute("data-share-title"), url: window.location.href })
        .catch(function () {
          // Closed without sharing: nothing to do.
        });
    });
  });

  document.querySelectorAll("[data-print]").forEach(function (button) {
    if (!window.print) { return; }
    reveal(button);
    button.addEventListener("click", function () { window.print(); });
  });
})();
