/* The call list's "Print" button: a static script, as the admin's Content-Security-Policy
   refuses inline event handlers. */
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-outbox-print]")) { window.print(); }
});
