// Draws a small Leaflet map of the places listed on the page, as an enhancement only: the
// addresses and "Get directions" links in the page are the real content. The map stays hidden
// unless Leaflet loaded and a tile server is configured, and its markers are left out of the
// tab order because the same places are listed in words just above it.
(function () {
  "use strict";

  function init(container) {
    var tileUrl = container.getAttribute("data-tile-url");
    if (!window.L || !tileUrl) {
      return;
    }
    var points = [];
    try {
      points = JSON.parse(container.getAttribute("data-points") || "[]");
    } catch (error) {
      return;
    }
    if (points.length === 0) {
      return;
    }
    container.classList.add("app-map--ready");
    var map = window.L.map(container, {
      keyboard: false,
      scrollWheelZoom: false,
      zoomControl: false,
      attributionControl: true,
    });
    window.L.tileLayer(tileUrl, {
      maxZoom: 18,
      attribution: container.getAttribute("data-tile-attribution") || "",
    }).addTo(map);
    var icon = window.L.icon({
      iconUrl: container.getAttribute("data-icon-url"),
      iconRetinaUrl: container.getAttribute("data-icon-retina-url"),
      shadowUrl: container.getAttribute("data-shadow-url"),
      iconSize: [25, 41],
      iconAnchor: [12, 41],
      shadowSize: [41, 41],
    });
    var bounds = [];
    points.forEach(function (point) {
      window.L.marker([point.lat, point.lng], {
        icon: icon,
        keyboard: false,
        alt: point.name,
        title: point.name,
      }).addTo(map);
      bounds.push([point.lat, point.lng]);
    });
    if (bounds.length === 1) {
      map.setView(bounds[0], 15);
    } else {
      map.fitBounds(bounds, { padding: [24, 24] });
    }
  }

  document.querySelectorAll("[data-app-map]").forEach(init);
})();
