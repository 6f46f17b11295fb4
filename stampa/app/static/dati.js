// The entries on a map, from the app's own JSON: district outlines and one point per entry.
// No tiles (the app works offline). Names are set as text, never as HTML.
(function () {
  "use strict";
  var box = document.getElementById("mappa-voci");
  if (!box || typeof L === "undefined") { return; }
  fetch(box.getAttribute("data-sorgente"), { credentials: "same-origin", cache: "no-store" })
    .then(function (r) { return r.json(); })
    .then(function (data) {
      // A view first: markers added to a map without one cannot be placed.
      // No animations: the map is in place the moment it says so (data-voci), for staff dragging a
      // point at once and for the browser test doing the same.
      var map = L.map(box, { attributionControl: false, zoomAnimation: false, fadeAnimation: false, markerZoomAnimation: false })
        .setView([45.18, 9.15], 11);
      var layers = [];
      if (data.confini) {
        layers.push(L.geoJSON(data.confini, { style: { color: "#0b4f8a", weight: 1.5, fillOpacity: 0.04 } }).addTo(map));
      }
      var result = document.getElementById("esito-posizione");
      function send(v, marker) {
        var p = marker.getLatLng();
        var body = new FormData();
        body.append("csrf", box.getAttribute("data-csrf"));
        body.append("riga", v.riga);
        body.append("lat", p.lat.toFixed(6));
        body.append("lon", p.lng.toFixed(6));
        fetch(box.getAttribute("data-correggi"), { method: "POST", body: body, credentials: "same-origin" })
          .then(function (r) { return r.json(); })
          .then(function (answer) {
            result.textContent = answer.messaggio;
            result.className = answer.ok ? "fatto" : "errore-testo";
            if (!answer.ok) { marker.setLatLng([v.lat, v.lon]); } else { v.lat = p.lat; v.lon = p.lng; }
          });
      }
      // The same correction from the keyboard (for who cannot drag): Tab to a dashed point, arrows
      // move it (Shift: longer steps), Enter writes it as a drag would, Esc puts it back.
      var STEP_PX = 4, LONG_STEP_PX = 20;
      var ARROWS = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
      function byKeyboard(v, m) {
        var el = m.getElement();
        if (!el || el.getAttribute("data-tastiera")) { return; }
        el.setAttribute("data-tastiera", "1");
        el.setAttribute("aria-label", v.numero + ". " + v.nome + ": frecce per spostarlo, Invio per salvare, Esc per annullare");
        var moved = false;
        el.addEventListener("keydown", function (e) {
          if (e.altKey || e.ctrlKey || e.metaKey) { return; }
          var dir = ARROWS[e.key];
          if (dir) {
            var step = e.shiftKey ? LONG_STEP_PX : STEP_PX;
            var at = map.latLngToContainerPoint(m.getLatLng()).add(L.point(dir[0] * step, dir[1] * step));
            m.setLatLng(map.containerPointToLatLng(at));
            map.panInside(m.getLatLng(), { padding: [24, 24], animate: false });
            moved = true;
            result.textContent = "«" + v.nome + "» spostato: Invio per salvare la nuova posizione, Esc per annullare.";
            result.className = "";
          } else if (e.key === "Enter" && moved) {
            moved = false;
            send(v, m);
          } else if (e.key === "Escape" && moved) {
            moved = false;
            m.setLatLng([v.lat, v.lon]);
            result.textContent = "Spostamento di «" + v.nome + "» annullato: la posizione è quella di prima.";
            result.className = "";
          } else {
            return;  // Enter on a point not moved: Leaflet opens its label, as a click does
          }
          // The map would pan on the arrows and open the label on Enter: this key was ours.
          e.preventDefault();
          e.stopPropagation();
        });
      }
      var points = data.voci.map(function (v) {
        var fill = v.tipo === "laboratorio" ? "#a0141e" : "#0b4f8a";
        var m;
        if (v.posizione !== "file") {
          // From the geocoding record: draggable, with a dashed ring so staff see which ones can move.
          m = L.marker([v.lat, v.lon], {
            draggable: true, keyboard: true, title: v.numero + ". " + v.nome,
            icon: L.divIcon({ className: "punto-mobile", iconSize: [18, 18], html: "" })
          });
          m.getElement = m.getElement || function () { return null; };
          m.on("add", function () { var el = m.getElement(); if (el) { el.style.background = fill; el.setAttribute("data-riga", v.riga); } });
          m.on("dragend", function () { send(v, m); });
          m.on("add", function () { byKeyboard(v, m); });
        } else {
          m = L.circleMarker([v.lat, v.lon], { radius: 6, color: "#fff", weight: 2, fillColor: fill, fillOpacity: 1 });
        }
        var text = document.createElement("div");
        var strong = document.createElement("strong");
        strong.textContent = v.numero + ". " + v.nome;
        text.appendChild(strong);
        text.appendChild(document.createElement("br"));
        text.appendChild(document.createTextNode(v.comune + (v.quartiere ? " · " + v.quartiere : "") + " — posizione: " + v.posizione));
        m.bindPopup(text);
        return m.addTo(map);
      });
      var group = L.featureGroup(layers.concat(points));
      if (group.getLayers().length) { map.fitBounds(group.getBounds(), { padding: [12, 12], animate: false }); }
      box.setAttribute("data-voci", String(points.length));
    });
})();
