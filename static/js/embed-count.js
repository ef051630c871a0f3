// The embed page's count of signatures, asked for again every 30 seconds from the public API.
// The count written by the server stays whenever the API does not answer, or answers otherwise.
(function () {
  "use strict";

  var PERIOD = 30000;
  var holder = document.querySelector("[data-counts-url]");
  if (!holder || !window.fetch) {
    return;
  }
  var number = holder.querySelector(".embed-count-number");
  var shown = Number(holder.dataset.total);
  var format = new Intl.NumberFormat(document.documentElement.lang || undefined);

  function ask() {
    fetch(holder.dataset.countsUrl, { headers: { Accept: "application/json" }, credentials: "omit" })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (counts) {
        var total = counts && counts.total;
        if (Number.isInteger(total) && total >= 0 && total !== shown) {
          shown = total;
          holder.dataset.total = String(total);
          number.textContent = format.format(total);
        }
      })
      .catch(function () {});  // offline, or no API: the count on the page stays
  }

  window.setInterval(function () {
    if (!document.hidden) {
      ask();
    }
  }, PERIOD);
})();
