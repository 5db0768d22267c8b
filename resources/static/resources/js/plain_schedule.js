/* The editors' plain-words schedule: shows only the fields the chosen 「どのくらい」 needs and
   asks the server for the next dates whenever a field changes (the same rules the calendar
   uses, so the preview cannot disagree with the published page). No inline script (CSP). */
(function () {
  "use strict";

  function values(widget) {
    var params = new URLSearchParams();
    widget.querySelectorAll("input, select").forEach(function (input) {
      if (!input.name || !input.name.startsWith("when_")) { return; }
      if ((input.type === "checkbox" || input.type === "radio") && !input.checked) { return; }
      params.append(input.name, input.value);
    });
    return params;
  }

  function showFor(widget) {
    var repeat = widget.querySelector("[name=when_repeat]").value;
    var hidden = {
      once: ["when_days", "when_weeks", "when_until"],
      weekly: ["when_weeks"],
      monthly: []
    }[repeat] || [];
    widget.querySelectorAll("[data-when]").forEach(function (field) {
      field.hidden = hidden.indexOf(field.dataset.when) !== -1;
    });
  }

  function refresh(widget) {
    showFor(widget);
    var text = widget.querySelector("[data-preview-text]");
    var list = widget.querySelector("[data-preview-dates]");
    // Answers can arrive out of order (two fields changed quickly): only the latest counts.
    var asked = (widget.previewAsked = (widget.previewAsked || 0) + 1);
    fetch(widget.dataset.previewUrl + "?" + values(widget).toString(), {
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (asked !== widget.previewAsked) { return; }
        list.replaceChildren();
        if (data.errors) {
          text.textContent = Object.values(data.errors).map(function (e) { return e.join(" "); }).join(" ");
          return;
        }
        text.textContent = data.text;
        data.dates.forEach(function (day) {
          var item = document.createElement("li");
          item.textContent = day;
          list.appendChild(item);
        });
      })
      .catch(function () { text.textContent = ""; });
  }

  function start() {
    document.querySelectorAll("[data-plain-schedule]").forEach(function (widget) {
      widget.addEventListener("change", function () { refresh(widget); });
      refresh(widget);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
