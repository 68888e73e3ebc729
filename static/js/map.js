/*
 * Maps for the search results and a provider's page: progressive enhancement only.
 *
 * The server renders the list, which works without JavaScript and is the default view; this
 * script adds a Leaflet map of the same places. It reads:
 *   #map                  the map element (rendered hidden), with data attributes:
 *     data-markers        id of a json_script blob: [{lat, lng, name, url, address, details}, ...]
 *                         (details: extra popup lines, such as the distance and a price)
 *     data-tile-url       tile URL template (settings.MAP_TILE_URL); empty means no tiles
 *     data-attribution    tile attribution HTML (settings.MAP_TILE_ATTRIBUTION)
 *     data-status         id of a role="status" element for messages
 *     data-list           (search page) id of the list that the map toggles with
 *   [data-map-toggle]     (search page) a group of buttons with data-view="list" / "map"
 *   [data-map-view]       (search page) the hidden box around #map, shown with the map
 * Without data-list the map is shown at once, beside the list it illustrates.
 * If Leaflet did not load, or the tiles fail, the page stays as it is: the list has everything.
 */
(function () {
  "use strict";

  var mapEl = document.getElementById("map");
  if (!mapEl || !window.L) {
    return;
  }
  var dataEl = document.getElementById(mapEl.dataset.markers || "");
  var markers = [];
  try {
    markers = dataEl ? JSON.parse(dataEl.textContent) : [];
  } catch (error) {
    markers = [];
  }
  if (!markers.length) {
    return;
  }
  var statusEl = document.getElementById(mapEl.dataset.status || "");
  var map = null;

  // The page's words for these messages (static/js/messages.js), English when it gives none.
  var message = window.jointcareMessage || function (key, english) { return english; };

  function say(text) {
    if (statusEl) {
      statusEl.textContent = text;
    }
  }

  function popupContent(marker) {
    var box = document.createElement("div");
    var name = document.createElement(marker.url ? "a" : "strong");
    if (marker.url) {
      name.href = marker.url;
    }
    name.textContent = marker.name;
    box.appendChild(name);
    [marker.address].concat(marker.details || []).forEach(function (text) {
      var line = document.createElement("div");
      line.textContent = text;
      box.appendChild(line);
    });
    return box;
  }

  function addTiles() {
    var url = mapEl.dataset.tileUrl;
    if (!url) {
      mapEl.classList.add("map-no-tiles");
      return;
    }
    var failed = false;
    var tiles = L.tileLayer(url, { attribution: mapEl.dataset.attribution || "", maxZoom: 19 });
    tiles.on("tileerror", function () {
      if (failed) {
        return;
      }
      failed = true;
      mapEl.classList.add("map-no-tiles");
      say(message("map_tiles_failed", "The map background could not load. The pins still " +
        "show where each place is, and the list has the same information."));
    });
    tiles.addTo(map);
  }

  function build() {
    // Scroll-wheel zoom off: scrolling the page past the map should not zoom it.
    map = L.map(mapEl, { scrollWheelZoom: false, keyboard: true });
    addTiles();
    var points = [];
    markers.forEach(function (item) {
      var label = item.name + ", " + item.address;
      L.marker([item.lat, item.lng], { alt: label, title: label, keyboard: true })
        .bindPopup(popupContent(item))
        .addTo(map);
      points.push([item.lat, item.lng]);
    });
    if (points.length === 1) {
      map.setView(points[0], 14);
    } else {
      // More room at the top: a pin is drawn above its point.
      map.fitBounds(points, { paddingTopLeft: [32, 56], paddingBottomRight: [32, 24], maxZoom: 14 });
    }
  }

  var listEl = document.getElementById(mapEl.dataset.list || "");
  var toggle = document.querySelector("[data-map-toggle]");
  var viewEl = mapEl.closest("[data-map-view]") || mapEl;
  if (!listEl || !toggle) {
    mapEl.hidden = false;
    build();
    return;
  }

  var buttons = toggle.querySelectorAll("button[data-view]");
  function show(view) {
    var showMap = view === "map";
    listEl.hidden = showMap;
    viewEl.hidden = !showMap;
    Array.prototype.forEach.call(buttons, function (button) {
      button.setAttribute("aria-pressed", String(button.dataset.view === view));
    });
    if (showMap) {
      if (map) {
        map.invalidateSize();
      } else {
        build();
      }
    }
    say(showMap
      ? message("map_shown", "Showing the map. Each pin opens the provider's name and a link.")
      : message("list_shown", "Showing the list."));
  }
  Array.prototype.forEach.call(buttons, function (button) {
    button.addEventListener("click", function () {
      show(button.dataset.view);
    });
  });
  toggle.hidden = false;
})();
