/* The digital Mappa: markers, popups and the list, built from the JSON in #dati.
 * Every text from the data goes through textContent (never innerHTML), and a link gets an href
 * only if it is http(s), mailto or tel: no markup or script from the data can reach the page. */
(function () {
  "use strict";

  var data = JSON.parse(document.getElementById("dati").textContent);
  var SAFE_LINK = /^(https?:\/\/|mailto:|tel:)/i;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null && text !== "") node.textContent = String(text);
    return node;
  }

  function link(item) {
    if (!SAFE_LINK.test(item.href)) return el("span", "", item.testo);
    var a = el("a", "", item.testo);
    a.setAttribute("href", item.href);
    if (/^https?:/i.test(item.href)) {
      a.setAttribute("target", "_blank");
      a.setAttribute("rel", "noopener noreferrer");
    }
    return a;
  }

  // Where the point comes from, when it is not from the data file: a reader should know that a
  // point found from a street name alone may be a few hundred metres off.
  var PRECISIONE = { civico: "dal numero civico", via: "approssimato: solo la via",
                     frazione: "approssimato: solo la frazione", comune: "approssimato: solo il comune" };
  function posizione(v) {
    if (v.posizione === "geocodificata") return "Punto trovato dall'indirizzo (" + (PRECISIONE[v.precisione] || "precisione sconosciuta") + ").";
    if (v.posizione === "corretta a mano") return "Punto corretto a mano.";
    return "";
  }

  function card(v) {
    var box = el("div", "scheda");
    box.appendChild(el("h3", "", v.numero + ". " + v.nome));
    box.appendChild(el("p", "tipo", (v.novita ? "Novità · " : "") + v.tipo_etichetta));
    var where = [v.indirizzo, v.quartiere, v.comune].filter(function (s) { return s; }).join(", ");
    if (where) box.appendChild(el("p", "dove", where));
    if (v.ente) box.appendChild(el("p", "ente", "A cura di: " + v.ente));
    if (v.attivita) box.appendChild(el("p", "attivita", v.attivita));
    if (v.orari) box.appendChild(el("p", "orari", "Quando: " + v.orari));
    var origine = posizione(v);
    if (origine) box.appendChild(el("p", "posizione", origine));
    if (v.collegamenti.length) {
      var ul = el("ul", "contatti");
      v.collegamenti.forEach(function (item) {
        var li = el("li");
        li.appendChild(link(item));
        ul.appendChild(li);
      });
      box.appendChild(ul);
    }
    return box;
  }

  var map = L.map("mappa", { zoomSnap: 0.25 });
  if (data.tessere) {
    L.tileLayer(data.tessere.url, {
      attribution: data.tessere.attribuzione,
      subdomains: data.tessere.sottodomini || "abc",
      maxZoom: data.tessere.zoom_massimo || 19,
      detectRetina: false
    }).addTo(map);
  }
  data.crediti.forEach(function (text) { map.attributionControl.addAttribution(text); });

  var boundaries = L.geoJSON(data.confini, {
    interactive: false,
    style: function (feature) {
      if (feature.properties.ruolo === "distretto") {
        return { color: data.colori.distretto, weight: 3, opacity: 0.9, fill: false };
      }
      return { color: data.colori.confine, weight: 1.2, opacity: 0.9, dashArray: "4 3",
               fillColor: data.colori.fondo, fillOpacity: 0.25 };
    }
  }).addTo(map);
  map.fitBounds(boundaries.getBounds(), { padding: [8, 8] });

  // Comune names sit under the markers: a label must never hide an entry.
  map.createPane("etichette");
  map.getPane("etichette").style.zIndex = 450;
  map.getPane("etichette").style.pointerEvents = "none";
  data.etichette.forEach(function (label) {
    L.tooltip({ permanent: true, direction: "center", className: "nome-comune", interactive: false, pane: "etichette" })
      .setLatLng([label.lat, label.lon])
      .setContent(el("span", "", label.nome))
      .addTo(map);
  });

  var markers = {};
  var items = {};

  // Going to an entry from the list. Leaflet drops a setView asked for while a zoom animation runs
  // (Map._tryAnimatedZoom returns at once), so an entry clicked during the previous one's zoom left
  // the map where it was and opened its popup off-screen. So a request made while the map moves waits
  // for that move to end (only the latest one counts), and the popup opens once the map has arrived,
  // where its own automatic pan can see the final view.
  var moving = false;
  var wanted = null;
  var request = 0;
  map.on("movestart zoomstart", function () { moving = true; });
  map.on("moveend", function () {
    moving = false;
    if (wanted !== null) {
      var n = wanted;
      wanted = null;
      show(n);
    }
  });

  function show(n) {
    select(n);
    if (moving) {
      wanted = n;
      return;
    }
    var marker = markers[n];
    var mine = ++request;
    map.once("moveend", function () { if (mine === request) marker.openPopup(); });
    map.setView(marker.getLatLng(), Math.max(map.getZoom(), 15));  // always ends with a moveend
  }

  function select(numero) {
    Object.keys(items).forEach(function (k) { items[k].classList.toggle("attiva", String(k) === String(numero)); });
    Object.keys(markers).forEach(function (k) {
      var icon = markers[k].getElement();
      if (icon) icon.classList.toggle("attivo", String(k) === String(numero));
    });
  }

  data.voci.forEach(function (v) {
    var face = el("span", "", String(v.numero));
    var marker = L.marker([v.lat, v.lon], {
      icon: L.divIcon({ className: "segnaposto " + v.tipo, html: face, iconSize: [26, 26], iconAnchor: [13, 13],
                        popupAnchor: [0, -12] }),
      title: v.numero + ". " + v.nome,
      alt: v.numero + ". " + v.nome,
      riseOnHover: true,
      zIndexOffset: 1000 - v.numero
    });
    marker.bindPopup(card(v), { maxWidth: 300 });
    marker.on("click", function () {
      select(v.numero);
      var item = items[v.numero];
      if (item) item.scrollIntoView({ block: "nearest", behavior: "smooth" });
    });
    marker.addTo(map);
    markers[v.numero] = marker;
  });

  var byNumber = {};
  data.voci.forEach(function (v) { byNumber[v.numero] = v; });
  var list = document.getElementById("elenco");
  data.gruppi.forEach(function (group) {
    list.appendChild(el("h3", "comune", group.comune));
    group.quartieri.forEach(function (q) {
      if (q.quartiere) list.appendChild(el("h4", "quartiere", q.quartiere));
      var ol = el("ol", "voci");
      q.numeri.forEach(function (n) {
        var v = byNumber[n];
        var li = el("li", "voce");
        li.setAttribute("data-numero", String(n));
        var button = el("button");
        button.setAttribute("type", "button");
        button.appendChild(el("span", "numero " + v.tipo, String(n)));
        var text = el("span", "testo");
        text.appendChild(el("span", "nome", v.nome));
        // Outside the capoluogo the quartiere is no heading: it goes with the entry, as on paper.
        var kind = (v.novita ? "Novità · " : "") + v.tipo_etichetta + (!group.capoluogo && v.quartiere ? " · " + v.quartiere : "");
        text.appendChild(el("span", "tipo", kind));
        button.appendChild(text);
        button.addEventListener("click", function () { show(n); });
        li.appendChild(button);
        ol.appendChild(li);
        items[n] = li;
      });
      list.appendChild(ol);
    });
  });
  // Two views, as the paper has the district map and the inset of the city: the whole district,
  // and the capoluogo's entries (where most of them crowd).
  var cityPoints = [];
  data.gruppi.forEach(function (group) {
    if (!group.capoluogo) return;
    group.quartieri.forEach(function (q) {
      q.numeri.forEach(function (n) { cityPoints.push([byNumber[n].lat, byNumber[n].lon]); });
    });
  });
  var Views = L.Control.extend({
    options: { position: "topright" },
    onAdd: function () {
      var box = L.DomUtil.create("div", "leaflet-bar viste");
      function button(label, action) {
        var b = el("button", "vista", label);
        b.setAttribute("type", "button");
        L.DomEvent.disableClickPropagation(b);
        b.addEventListener("click", action);
        box.appendChild(b);
      }
      button("Tutto il distretto", function () { map.fitBounds(boundaries.getBounds(), { padding: [8, 8] }); });
      if (cityPoints.length > 1) {
        var cityName = data.gruppi.filter(function (g) { return g.capoluogo; })[0].comune;
        button(cityName + " da vicino", function () { map.fitBounds(L.latLngBounds(cityPoints), { padding: [30, 30] }); });
      }
      return box;
    }
  });
  new Views().addTo(map);
  document.body.setAttribute("data-pronta", "si");
})();
