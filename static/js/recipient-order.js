// The coordinator's recipients, in the order of the To: block. Without this script the page
// works with its forms alone: a place number per recipient, a search that reloads the page, one
// save per page of the directory. With it, a ticked directory entry joins the list at once, the
// arrows move recipients, and searching or turning the directory's pages keeps what was chosen,
// so any number of changes are saved together. Loaded as a file (no inline script).
(function () {
  "use strict";

  function start(form, chosen, results, search) {
    function rows() {
      return Array.prototype.slice.call(chosen.children);
    }

    function renumber() {
      rows().forEach(function (row, index) {
        var place = row.querySelector(".recipient-place");
        if (place) {
          place.value = String(index + 1);
        }
      });
      var empty = document.getElementById("no-recipient");
      if (empty) {
        empty.hidden = chosen.children.length > 0;
      }
    }

    function showButtons(row) {
      var buttons = row.querySelector("[data-move-buttons]");
      if (buttons) {
        buttons.hidden = false;
      }
    }

    function moveTo(row, index) {
      var others = rows().filter(function (r) {
        return r !== row;
      });
      index = Math.max(0, Math.min(index, others.length));
      chosen.insertBefore(row, others[index] || null);
      renumber();
    }

    function chosenIds() {
      var ids = {};
      rows().forEach(function (row) {
        ids[row.dataset.recipient] = true;
      });
      return ids;
    }

    function load(url) {
      results.setAttribute("aria-busy", "true");
      fetch(url, { credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("directory: HTTP " + response.status);
          }
          return response.text();
        })
        .then(function (html) {
          // The same page, rendered (and escaped) by the server: take its directory part.
          var page = new DOMParser().parseFromString(html, "text/html");
          var fresh = page.getElementById("directory-results");
          if (!fresh) {
            throw new Error("directory: no results in the page");
          }
          var ids = chosenIds();
          fresh.querySelectorAll("[data-recipient]").forEach(function (row) {
            if (ids[row.dataset.recipient]) {
              row.remove(); // already chosen on this page, not yet saved
            }
          });
          results.innerHTML = fresh.innerHTML;
          results.removeAttribute("aria-busy");
          form.action = url; // after saving, come back to this search
          window.history.replaceState(null, "", url);
        })
        .catch(function () {
          window.location.href = url; // let the page itself show it
        });
    }

    rows().forEach(showButtons);
    results.classList.add("recipient-scripted"); // a directory entry is ticked, not numbered
    document.querySelectorAll("[data-without-script]").forEach(function (hint) {
      hint.hidden = true;
    });

    document.addEventListener("click", function (event) {
      var button = event.target.closest("[data-move]");
      if (button && chosen.contains(button)) {
        var row = button.closest("li");
        var index = rows().indexOf(row);
        var to = { first: 0, up: index - 1, down: index + 1 }[button.dataset.move];
        moveTo(row, to);
        button.focus();
        return;
      }
      var link = event.target.closest("#" + results.id + " a.page-link");
      if (link) {
        event.preventDefault();
        load(link.href);
      }
    });

    document.addEventListener("change", function (event) {
      var target = event.target;
      var row = target.closest("li[data-recipient]");
      if (!row) {
        return;
      }
      if (target.type === "checkbox" && target.checked && results.contains(row)) {
        chosen.appendChild(row); // ticked in the directory: it joins the list, last
        showButtons(row);
        renumber();
      } else if (target.classList.contains("recipient-place") && chosen.contains(row)) {
        var place = parseInt(target.value, 10);
        moveTo(row, isNaN(place) ? rows().length : place - 1);
      }
    });

    search.addEventListener("submit", function (event) {
      event.preventDefault();
      var query = new URLSearchParams(new FormData(search)).toString();
      load(search.action + (query ? "?" + query : ""));
    });
  }

  function init() {
    var form = document.getElementById("recipient-choice");
    var chosen = document.getElementById("chosen-recipients");
    var results = document.getElementById("directory-results");
    var search = document.getElementById("directory-search");
    if (!form || !chosen || !results || !search || !window.fetch || !window.DOMParser) {
      return;
    }
    if (!form.hasAttribute("data-editable")) {
      return; // a frozen letter: nothing moves
    }
    start(form, chosen, results, search);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
