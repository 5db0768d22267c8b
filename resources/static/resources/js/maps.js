/* Maps for the directory and detail pages. Progressive enhancement: every page is complete
   without them, so the map container stays hidden unless Leaflet and this script both run. */
(function () {
  "use strict";

  function baseMap(element) {
    element.hidden = false;
    var map = L.map(element, { scrollWheelZoom: false }).setView(
      [parseFloat(element.dataset.lat), parseFloat(element.dataset.lng)],
      parseInt(element.dataset.zoom, 10) || 13
    );
    L.tileLayer(element.dataset.tiles, {
      attribution: element.dataset.attribution,
      maxZoom: 19
    }).addTo(map);
    return map;
  }

  function popup(marker) {
    // Built from text nodes: titles come from editors and are never parsed as HTML.
    var box = document.createElement("div");
    var link = document.createElement("a");
    link.href = marker.url;
    link.textContent = marker.title;
    box.appendChild(link);
    var detail = [marker.kind, marker.area].filter(Boolean).join(" / ");
    if (detail) {
      var line = document.createElement("p");
      line.textContent = detail;
      box.appendChild(line);
    }
    return box;
  }

  function showResults(element) {
    var status = document.getElementById(element.id + "-status");
    var map = baseMap(element);
    fetch(element.dataset.markersUrl, { headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      })
      .then(function (data) {
        var points = data.markers.map(function (marker) {
          L.marker([marker.lat, marker.lng], { title: marker.title, alt: marker.title })
            .bindPopup(popup(marker))
            .addTo(map);
          return [marker.lat, marker.lng];
        });
        if (points.length) { map.fitBounds(points, { padding: [32, 32], maxZoom: 15 }); }
        if (status) { status.textContent = element.dataset.countTemplate.replace("{n}", points.length); }
      })
      .catch(function () {
        element.hidden = true;
        if (status) { status.textContent = element.dataset.errorText; }
      });
  }

  function showPlace(element) {
    var map = baseMap(element);
    L.marker([parseFloat(element.dataset.lat), parseFloat(element.dataset.lng)], {
      title: element.dataset.title,
      alt: element.dataset.title
    }).addTo(map);
  }

  if (!window.L) { return; }
  var results = document.getElementById("directory-map");
  if (results && window.fetch) { showResults(results); }
  var place = document.getElementById("listing-map");
  if (place) { showPlace(place); }
})();
