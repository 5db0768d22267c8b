/* The header's reading aids: 文字サイズ (標準・大・特大) and ふりがな, remembered in this browser.

   Furigana: when on, the kanji-bearing text of the page is sent to /furigana/ (readings from
   the dictionary and the town's list of place names) and each text node is replaced by the same
   text with <ruby> over its kanji. Nothing is fetched until a resident turns it on; turned off,
   the readings are only hidden (rt is display:none, so screen readers and copying skip them). */
(function () {
  "use strict";

  var root = document.documentElement;
  var SIZE_KEY = "tsunagu:text-size";
  var FURIGANA_KEY = "tsunagu:furigana";
  var KANJI = /[\u3005\u3006\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u30f6]/;
  // Never inside these: form values, code, existing ruby, the map (Leaflet owns its DOM).
  var SKIP = "script,style,noscript,template,textarea,select,option,code,pre,kbd,samp,ruby," +
    "svg,math,[contenteditable],.leaflet-container";
  var MAX_TEXTS = 500;
  var MAX_CHARS = 25000;
  var panel = document.getElementById("reading-aids");
  var furiganaDone = false;

  function remember(key, value) {
    try {
      if (value) { window.localStorage.setItem(key, value); } else { window.localStorage.removeItem(key); }
    } catch (error) {
      // Storage blocked: the choice lasts for this page only.
    }
  }

  function showPressed() {
    var size = root.getAttribute("data-text-size") || "normal";
    panel.querySelectorAll("[data-text-size]").forEach(function (button) {
      button.setAttribute("aria-pressed", String(button.getAttribute("data-text-size") === size));
    });
    panel.querySelector("[data-furigana-toggle]").setAttribute(
      "aria-pressed", String(root.getAttribute("data-furigana") === "on")
    );
  }

  function setSize(size) {
    if (size === "large" || size === "largest") {
      root.setAttribute("data-text-size", size);
      remember(SIZE_KEY, size);
    } else {
      root.removeAttribute("data-text-size");
      remember(SIZE_KEY, "");
    }
    showPressed();
  }

  function kanjiTextNodes() {
    var walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {
      acceptNode: function (node) {
        var parent = node.parentElement;
        if (!KANJI.test(node.nodeValue) || !parent || parent.closest(SKIP)) {
          return NodeFilter.FILTER_REJECT;
        }
        return NodeFilter.FILTER_ACCEPT;
      }
    });
    var nodes = [];
    while (walker.nextNode()) { nodes.push(walker.currentNode); }
    return nodes;
  }

  function rubyFragment(segments) {
    var fragment = document.createDocumentFragment();
    segments.forEach(function (segment) {
      if (!segment[1]) {
        fragment.appendChild(document.createTextNode(segment[0]));
        return;
      }
      var ruby = document.createElement("ruby");
      var reading = document.createElement("rt");
      ruby.appendChild(document.createTextNode(segment[0]));
      reading.textContent = segment[1];
      ruby.appendChild(reading);
      fragment.appendChild(ruby);
    });
    return fragment;
  }

  function batches(texts) {
    var all = [];
    var current = [];
    var chars = 0;
    texts.forEach(function (text) {
      if (current.length && (current.length >= MAX_TEXTS || chars + text.length > MAX_CHARS)) {
        all.push(current);
        current = [];
        chars = 0;
      }
      current.push(text);
      chars += text.length;
    });
    if (current.length) { all.push(current); }
    return all;
  }

  function addFurigana() {
    if (furiganaDone || !window.fetch) { return; }
    furiganaDone = true;
    var nodes = kanjiTextNodes();
    var texts = [];
    var seen = {};
    nodes.forEach(function (node) {
      if (!Object.prototype.hasOwnProperty.call(seen, node.nodeValue)) {
        seen[node.nodeValue] = null;
        texts.push(node.nodeValue);
      }
    });
    var requests = batches(texts).map(function (batch) {
      return fetch(panel.getAttribute("data-furigana-url"), {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ texts: batch })
      })
        .then(function (response) {
          if (!response.ok) { throw new Error(response.status); }
          return response.json();
        })
        .then(function (data) {
          batch.forEach(function (text, index) { seen[text] = data.ruby[index]; });
        });
    });
    Promise.all(requests)
      .then(function () {
        nodes.forEach(function (node) {
          var segments = seen[node.nodeValue];
          if (segments && node.parentNode) { node.parentNode.replaceChild(rubyFragment(segments), node); }
        });
        root.setAttribute("data-furigana-ready", "");
      })
      .catch(function () {
        // The page reads as before; a later toggle may try again.
        furiganaDone = false;
      });
  }

  function setFurigana(on) {
    if (on) {
      root.setAttribute("data-furigana", "on");
      addFurigana();
    } else {
      root.removeAttribute("data-furigana");
    }
    remember(FURIGANA_KEY, on ? "on" : "");
    showPressed();
  }

  if (!panel) { return; }
  panel.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button) { return; }
    if (button.hasAttribute("data-text-size")) { setSize(button.getAttribute("data-text-size")); }
    if (button.hasAttribute("data-furigana-toggle")) {
      setFurigana(root.getAttribute("data-furigana") !== "on");
    }
  });
  // Another tab changed a choice: follow it here too.
  window.addEventListener("storage", function (event) {
    if (event.key === SIZE_KEY) { setSize(event.newValue); }
    if (event.key === FURIGANA_KEY) { setFurigana(event.newValue === "on"); }
  });
  if (root.getAttribute("data-furigana") === "on") { addFurigana(); }
  showPressed();
  panel.hidden = false;
})();
