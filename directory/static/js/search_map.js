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

  function link(point) {
    var anchor = document.createElement("a");
    anchor.className = "govuk-link";
    anchor.href = point.url;
    anchor.textContent = point.name;
    return anchor;
  }

  function popup(group) {
    if (group.length === 1) {
      return link(group[0]);
    }
    var list = document.createElement("ul");
    list.className = "govuk-list";
    group.forEach(function (point) {
      var item = document.createElement("li");
      item.appendChild(link(point));
      list.appendChild(item);
    });
    return list;
  }

  // Markers closer than this many pixels become one marker listing every service there, so
  // no marker hides another (WCAG 2.2 target size) and services at one venue stay reachable.
  var GROUP_PX = 32;
  var layer = null;

  function groups() {
    var found = [];
    points.forEach(function (point) {
      var at = map.latLngToLayerPoint([point.lat, point.lng]);
      var near = null;
      for (var i = 0; i < found.length; i += 1) {
        if (found[i].at.distanceTo(at) < GROUP_PX) {
          near = found[i];
          break;
        }
      }
      if (near) {
        near.points.push(point);
      } else {
        found.push({ at: at, points: [point] });
      }
    });
    return found;
  }

  function placeMarkers(icon) {
    var L = window.L;
    if (layer) {
      layer.clearLayers();
    } else {
      layer = L.layerGroup().addTo(map);
    }
    groups().forEach(function (group) {
      var first = group.points[0];
      var label = group.points.length === 1
        ? first.name
        : group.points.length + " services here: " + group.points.map(function (p) {
          return p.name;
        }).join(", ");
      L.marker([first.lat, first.lng], { icon: icon, alt: label, title: label })
        .bindPopup(popup(group.points))
        .addTo(layer);
    });
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
    var bounds = points.map(function (point) {
      return [point.lat, point.lng];
    });
    if (bounds.length === 1) {
      map.setView(bounds[0], 14);
    } else {
      map.fitBounds(bounds, { padding: [24, 24], maxZoom: 15 });
    }
    placeMarkers(icon);
    map.on("zoomend", function () {
      placeMarkers(icon);
    });
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
