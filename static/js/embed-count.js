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
  var lang = document.documentElement.lang || undefined;
  var format = new Intl.NumberFormat(lang);
  var plural = new Intl.PluralRules(lang);

  // The count in the words the server gave for one and for several, the number in bold.
  function say(total) {
    var words = (plural.select(total) === "one" ? holder.dataset.one : holder.dataset.other) || "#";
    var at = words.indexOf("#");
    number.textContent = format.format(total);
    holder.replaceChildren(words.slice(0, at), number, words.slice(at + 1));
  }

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
          say(total);
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
