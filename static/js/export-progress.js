// Prepared exports: asks the server every few seconds how each unfinished export is doing and
// updates its bar and count, showing the download button once the file is ready. Without this
// script the page shows the state when it loaded. Text is set with textContent only.
(function () {
  "use strict";

  var INTERVAL_MS = 2000;
  var MAX_FAILURES = 5;

  function start(row) {
    var url = row.dataset.statusUrl;
    if (!url || !window.fetch || row.dataset.ended === "true") {
      return;
    }
    var failures = 0;

    function update(data) {
      var bar = row.querySelector('[data-field="bar"]');
      bar.style.width = data.percent + "%";
      bar.parentNode.setAttribute("aria-valuenow", String(data.percent));
      var label = data.label;
      if (data.rows_total !== null) {
        label += " · " + data.rows_done + " / " + data.rows_total;
      }
      var text = row.querySelector('[data-field="label"]');
      if (text.textContent !== label) {
        text.textContent = label;
      }
      var link = row.querySelector('[data-field="download"]');
      if (data.download_url) {
        link.href = data.download_url;
        link.hidden = false;
      }
    }

    function poll() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("export status: HTTP " + response.status);
          }
          return response.json();
        })
        .then(function (data) {
          failures = 0;
          update(data);
          if (data.ended) {
            row.dataset.ended = "true";
            return;
          }
          window.setTimeout(poll, INTERVAL_MS);
        })
        .catch(function () {
          failures += 1;
          if (failures < MAX_FAILURES) {
            window.setTimeout(poll, INTERVAL_MS * (failures + 1));
          }
        });
    }

    window.setTimeout(poll, INTERVAL_MS);
  }

  function init() {
    var rows = document.querySelectorAll("tr[data-export-job]");
    for (var i = 0; i < rows.length; i++) {
      start(rows[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
