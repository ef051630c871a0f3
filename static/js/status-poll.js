// Asks element.dataset.statusUrl for a JSON status every few seconds and hands it to `update`,
// until the status says it has ended (then element.dataset.ended is "true"). Used by the
// delivery and the prepared-exports pages; without it they show the state when they loaded.
window.cosignStatusPoll = function (element, update, intervalMs) {
  "use strict";

  var MAX_FAILURES = 5; // a lost session or a server down: stop rather than hammer it
  var url = element.dataset.statusUrl;
  if (!url || !window.fetch || element.dataset.ended === "true") {
    return;
  }
  var failures = 0;

  function poll() {
    if (document.hidden) {
      window.setTimeout(poll, intervalMs); // nobody is looking: ask later
      return;
    }
    fetch(url, {
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-Requested-With": "XMLHttpRequest" },
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("status: HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        failures = 0;
        update(data);
        if (data.ended) {
          element.dataset.ended = "true";
          return;
        }
        window.setTimeout(poll, intervalMs);
      })
      .catch(function () {
        failures += 1;
        if (failures < MAX_FAILURES) {
          window.setTimeout(poll, intervalMs * (failures + 1));
        }
      });
  }

  window.setTimeout(poll, intervalMs);
};
