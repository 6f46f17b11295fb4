// Live progress of the build: poll the app's status until the build ends, then reload the page
// (which then shows the verdict, previews and downloads). Text only, never HTML from the server.
(function () {
  "use strict";
  var box = document.getElementById("costruzione");
  if (!box || box.getAttribute("data-stato") !== "in corso") { return; }
  var list = document.getElementById("fasi");
  var state = document.getElementById("stato");
  function show(data) {
    state.textContent = data.stato;
    while (list.firstChild) { list.removeChild(list.firstChild); }
    data.fasi.forEach(function (f) {
      var li = document.createElement("li");
      li.textContent = f.etichetta + " — " + (f.secondi === null ? "in corso…" : "fatto (" + f.secondi + " s)");
      list.appendChild(li);
    });
  }
  function poll() {
    fetch(box.getAttribute("data-sorgente"), { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        show(data);
        if (data.stato === "in corso") { window.setTimeout(poll, 700); } else { window.location.reload(); }
      })
      .catch(function () { window.setTimeout(poll, 2000); });
  }
  window.setTimeout(poll, 500);
})();
