// Prepared exports: asks the server every few seconds how each unfinished export is doing and
// updates its bar and count, showing the download button once the file is ready. Without this
// script the page shows the state when it loaded, in words. Text is set with textContent only.
(function () {
  "use strict";

  var INTERVAL_MS = 2000;

  // The page's policy refuses style="" attributes: the bar's width is set here, from the
  // value the progress bar announces.
  function draw(row, percent) {
    var bar = row.querySelector('[data-field="bar"]');
    bar.style.width = percent + "%";
    bar.parentNode.setAttribute("aria-valuenow", String(percent));
  }

  function start(row) {
    var shown = row.querySelector('[role="progressbar"]').getAttribute("aria-valuenow");
    draw(row, Number(shown) || 0);
    window.cosignStatusPoll(
      row,
      function (data) {
        draw(row, data.percent);
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
      },
      INTERVAL_MS
    );
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
