// "Show map" on the search results page: an enhancement only. The list of results is the
// real content and is complete without this script. The button is added here, and only when
// Leaflet has loaded and a tile server is configured. The map is drawn
// the first time it is opened; if no tiles can be fetched it still shows the markers on a
// plain background. Each marker opens a popup linking to the service, as the list does.
(function () {
  "use strict";

  var container = document.querySelector("[data-app-results-map]");
  if (!container || !window.L || !container.getAttribute("data-tile-url")) {
    return;
  }
  var points;
  try {
    points = JSON.parse(container.getAttribute("data-points") || "[]");
  } catch (error) {
    return;
  }
  if (!points.length) {
    return;
  }
  var map = null;

  function popup(point) {
    var link = document.createElement("a");
    link.className = "govuk-link";
    link.href = point.url;
    link.textContent = point.name;
    return link;
  }

  function draw() {
    var L = window.L;
    map = L.map(container, { scrollWheelZoom: false });
    L.tileLayer(container.getAttribute("data-tile-url"), {
      maxZoom: 18,
      attribution: container.getAttribute("data-tile-attribution") || "",
    }).addTo(map);
    var icon = L.icon({
      iconUrl: container.getAttribute("data-icon-url"),
      iconRetinaUrl: container.getAttribute("data-icon-retina-url"),
      shadowUrl: container.getAttribute("data-shadow-url"),
      iconSize: [25, 41],
      iconAnchor: [12, 41],
      popupAnchor: [1, -34],
      shadowSize: [41, 41],
    });
    var bounds = [];
    points.forEach(function (point) {
      L.marker([point.lat, point.lng], { icon: icon, alt: point.name, title: point.name })
        .bindPopup(popup(point))
        .addTo(map);
      bounds.push([point.lat, point.lng]);
    });
    if (bounds.length === 1) {
      map.setView(bounds[0], 14);
    } else {
      map.fitBounds(bounds, { padding: [24, 24], maxZoom: 15 });
    }
  }

  function show(open) {
    container.classList.toggle("app-map--ready", open);
    button.setAttribute("aria-expanded", open ? "true" : "false");
    button.textContent = open ? "Hide map" : "Show map";
    if (open && !map) {
      draw();
    } else if (open) {
      map.invalidateSize();
    }
  }

  var button = document.createElement("button");
  button.type = "button";
  button.className = "govuk-button govuk-button--secondary govuk-!-margin-bottom-4";
  button.setAttribute("data-app-map-toggle", "");
  button.setAttribute("aria-controls", container.id);
  button.setAttribute("aria-expanded", "false");
  button.textContent = "Show map";
  container.parentNode.insertBefore(button, container);
  button.addEventListener("click", function () {
    show(button.getAttribute("aria-expanded") !== "true");
  });
})();
