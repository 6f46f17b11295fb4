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
      var map = L.map(box, { attributionControl: false }).setView([45.18, 9.15], 11);
      var layers = [];
      if (data.confini) {
        layers.push(L.geoJSON(data.confini, { style: { color: "#0b4f8a", weight: 1.5, fillOpacity: 0.04 } }).addTo(map));
      }
      var points = data.voci.map(function (v) {
        var m = L.circleMarker([v.lat, v.lon], { radius: 6, color: "#fff", weight: 2, fillColor: v.tipo === "laboratorio" ? "#a0141e" : "#0b4f8a", fillOpacity: 1 });
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
      if (group.getLayers().length) { map.fitBounds(group.getBounds(), { padding: [12, 12] }); }
      box.setAttribute("data-voci", String(points.length));
    });
})();
