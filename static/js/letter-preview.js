// Live preview of the letter being edited. The server renders it with the same code as the
// published letter, so what you see is what readers get. Without this script the preview shows
// the last saved text. Loaded as a file (no inline script), so a strict CSP can allow it.
(function () {
  "use strict";

  var DELAY_MS = 400;

  function start(form) {
    var target = document.getElementById(form.dataset.previewTarget);
    var url = form.dataset.previewUrl;
    if (!target || !url || !window.fetch || !window.FormData) {
      return;
    }
    var timer = null;
    var controller = null;

    function refresh() {
      if (controller) {
        controller.abort(); // only the newest text matters
      }
      controller = window.AbortController ? new AbortController() : null;
      target.setAttribute("aria-busy", "true");
      fetch(url, {
        method: "POST",
        body: new FormData(form), // carries the csrfmiddlewaretoken field
        credentials: "same-origin",
        headers: { "X-Requested-With": "XMLHttpRequest" },
        signal: controller ? controller.signal : undefined,
      })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("preview: HTTP " + response.status);
          }
          return response.text();
        })
        .then(function (html) {
          // Server-rendered and sanitized by the same renderer as the public page.
          target.innerHTML = html;
          target.removeAttribute("aria-busy");
        })
        .catch(function (error) {
          if (error && error.name === "AbortError") {
            return;
          }
          target.removeAttribute("aria-busy");
        });
    }

    function schedule() {
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, DELAY_MS);
    }

    form.addEventListener("input", schedule);
    form.addEventListener("change", schedule);
  }

  function init() {
    var forms = document.querySelectorAll("form[data-preview-url]");
    for (var i = 0; i < forms.length; i++) {
      start(forms[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
