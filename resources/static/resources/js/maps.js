/* Maps for the directory and detail pages. Progressive enhancement: every page is complete
   without them (the list, the address, the map-app links), so the map container stays hidden
   unless Leaflet and this script both run, and it is hidden again when tiles cannot be had.

   Tiles never hold the page up: the map starts only after the page has loaded (tile images
   requested earlier would delay the load event until they fail), and if no tile has arrived
   TILE_WAIT_MS later, or the first one fails, the map gives way to the list at once. */
(function () {
  "use strict";

  var TILE_WAIT_MS = 3000;

  function say(element, text) {
    var status = document.getElementById(element.id + "-status");
    if (status && text) { status.textContent = text; }
  }

  function baseMap(element) {
    element.hidden = false;
    var map = L.map(element, { scrollWheelZoom: false }).setView(
      [parseFloat(element.dataset.lat), parseFloat(element.dataset.lng)],
      parseInt(element.dataset.zoom, 10) || 13
    );
    var tiles = L.tileLayer(element.dataset.tiles, {
      attribution: element.dataset.attribution,
      maxZoom: 19
    });
    var arrived = false;
    var failed = false;
    function giveUp() {
      if (arrived || failed) { return; }
      failed = true;
      map.remove();
      element.hidden = true;
      say(element, element.dataset.tilesErrorText);
    }
    var timer = window.setTimeout(giveUp, TILE_WAIT_MS);
    tiles.on("tileload", function () { arrived = true; window.clearTimeout(timer); });
    tiles.on("tileerror", giveUp);
    tiles.addTo(map);
    map.tsunaguFailed = function () { return failed; };
    return map;
  }

  function pinIcon(count) {
    // A round pin of 36 px (axe target-size asks for 24); several listings at one address
    // share one pin, which shows how many.
    var html = document.createElement("span");
    html.className = "map-pin__count";
    html.setAttribute("aria-hidden", "true");
    html.textContent = count > 1 ? String(count) : "";
    return L.divIcon({
      className: "map-pin" + (count > 1 ? " map-pin--many" : ""),
      html: html,
      iconSize: [36, 36],
      iconAnchor: [18, 18],
      popupAnchor: [0, -18]
    });
  }

  function clusterIcon(element) {
    return function (cluster) {
      var count = cluster.getChildCount();
      var box = document.createElement("span");
      var number = document.createElement("span");
      number.setAttribute("aria-hidden", "true");
      number.textContent = String(count);
      var label = document.createElement("span");
      label.className = "visually-hidden";
      label.textContent = element.dataset.clusterLabel.replace("{n}", count);
      box.appendChild(number);
      box.appendChild(label);
      return L.divIcon({ className: "map-cluster", html: box, iconSize: [44, 44] });
    };
  }

  function entry(marker) {
    // Built from text nodes: titles come from editors and are never parsed as HTML.
    var item = document.createElement("li");
    var link = document.createElement("a");
    link.href = marker.url;
    link.textContent = marker.title;
    item.appendChild(link);
    var detail = [marker.town, marker.kind, marker.area].filter(Boolean).join(" / ");
    if (detail) {
      item.appendChild(document.createTextNode(" " + detail));
    }
    return item;
  }

  function popup(markers) {
    var list = document.createElement("ul");
    list.className = "map-popup";
    markers.forEach(function (marker) { list.appendChild(entry(marker)); });
    return list;
  }

  function byPlace(markers) {
    // Activities held at one hall have the hall's coordinates: one pin for all of them.
    var groups = {};
    var order = [];
    markers.forEach(function (marker) {
      var key = marker.lat.toFixed(6) + "," + marker.lng.toFixed(6);
      if (!groups[key]) { groups[key] = []; order.push(key); }
      groups[key].push(marker);
    });
    return order.map(function (key) { return groups[key]; });
  }

  function pinTitle(element, group) {
    if (group.length === 1) { return group[0].title; }
    return element.dataset.mergedLabel
      .replace("{title}", group[0].title)
      .replace("{n}", group.length - 1);
  }

  function showResults(element) {
    var map = baseMap(element);
    fetch(element.dataset.markersUrl, { headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      })
      .then(function (data) {
        if (map.tsunaguFailed()) { return; }
        var layer = L.markerClusterGroup
          ? L.markerClusterGroup({
            showCoverageOnHover: false,
            maxClusterRadius: 48,
            spiderfyOnMaxZoom: true,
            iconCreateFunction: clusterIcon(element)
          })
          : L.layerGroup();
        var points = byPlace(data.markers).map(function (group) {
          var first = group[0];
          layer.addLayer(
            L.marker([first.lat, first.lng], {
              icon: pinIcon(group.length),
              title: pinTitle(element, group)
            }).bindPopup(popup(group))
          );
          return [first.lat, first.lng];
        });
        layer.addTo(map);
        if (points.length) { map.fitBounds(points, { padding: [32, 32], maxZoom: 15 }); }
        say(element, element.dataset.countTemplate.replace("{n}", data.markers.length));
      })
      .catch(function () {
        if (map.tsunaguFailed()) { return; }
        map.remove();
        element.hidden = true;
        say(element, element.dataset.errorText);
      });
  }

  function showPlace(element) {
    var map = baseMap(element);
    L.marker([parseFloat(element.dataset.lat), parseFloat(element.dataset.lng)], {
      icon: pinIcon(1),
      title: element.dataset.title
    }).addTo(map);
  }

  function start() {
    if (!window.L) { return; }
    var results = document.getElementById("directory-map");
    if (results && window.fetch) { showResults(results); }
    var place = document.getElementById("listing-map");
    if (place) { showPlace(place); }
  }

  if (document.readyState === "complete") {
    start();
  } else {
    window.addEventListener("load", start);
  }
})();
