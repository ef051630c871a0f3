// Delivery progress on the coordinator's delivery and press release pages: asks the server every
// few seconds how each e-mail is doing and updates the counts, the badges, the rows, the letter's
// status badge and the banner in place, until every delivery has ended. Without this script the
// page shows the state when it loaded.
// Text is set with textContent only: error messages and responses come from mail servers.
(function () {
  "use strict";

  var INTERVAL_MS = 2500;
  var BADGE = {
    sent: "success",
    failed: "danger",
    retry: "warning",
    postal: "secondary",
    queued: "info",
    sending: "info",
  };

  // As templates/author/fragment_status_badge.html colours them.
  var LETTER_BADGE = {
    open: "success",
    closed: "warning",
    finalized: "info",
    sent: "primary",
    to_post: "primary",
    partly_delivered: "danger",
  };

  function setText(element, text) {
    if (element && element.textContent !== text) {
      element.textContent = text; // only on change, so the live region speaks only then
    }
  }

  function updateRow(row, data) {
    var badge = row.querySelector('[data-field="status"]');
    if (badge) {
      setText(badge, data.label);
      badge.className = "badge delivery-badge text-bg-" + (BADGE[data.status] || "info");
    }
    setText(row.querySelector('[data-field="attempts"]'), String(data.attempts));
    setText(row.querySelector('[data-field="reason"]'), data.reason);
    setText(row.querySelector('[data-field="sent_at"]'), data.sent_at);
    setText(row.querySelector('[data-field="response"]'), data.response);
    var retry = row.querySelector("form[data-retry]");
    if (retry) {
      retry.hidden = data.status !== "failed";
    }
  }

  function updatePdf(status, error) {
    var box = document.getElementById("delivery-pdf");
    if (!box || !status) {
      return;
    }
    box.dataset.pdfStatus = status;
    var parts = box.querySelectorAll("[data-pdf]");
    for (var i = 0; i < parts.length; i++) {
      parts[i].hidden = parts[i].dataset.pdf !== status;
    }
    setText(box.querySelector("[data-pdf-error]"), error || "");
  }

  // The letter's badge in the page's header, and the banner saying where delivery stands.
  function updateLetter(letter, banner) {
    var badge = document.querySelector(".status-badge[data-letter-status]");
    if (badge && letter && badge.dataset.letterStatus !== letter.status) {
      badge.dataset.letterStatus = letter.status;
      badge.className = "badge status-badge text-bg-" + (LETTER_BADGE[letter.status] || "secondary");
      setText(badge, letter.label);
    }
    var box = document.getElementById("delivery-banner");
    if (box && banner) {
      box.className = "alert alert-" + banner.tone;
      setText(box, banner.text);
    }
  }

  function start(section) {
    window.cosignStatusPoll(
      section,
      function (data) {
        // Each count with its words, singular or plural as the server's language wants them.
        Object.keys(data.count_labels).forEach(function (key) {
          setText(section.querySelector('[data-count="' + key + '"]'), data.count_labels[key]);
        });
        data.rows.forEach(function (row) {
          var tr = section.querySelector('tr[data-delivery-id="' + row.id + '"]');
          if (tr) {
            updateRow(tr, row);
          }
        });
        updatePdf(data.pdf, data.pdf_error);
        updateLetter(data.letter, data.banner);
      },
      INTERVAL_MS
    );
  }

  function init() {
    var sections = document.querySelectorAll("section[data-status-url]");
    for (var i = 0; i < sections.length; i++) {
      start(sections[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
