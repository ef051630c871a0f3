// The export page's "copy" buttons: each selects the text area it names and copies its text.
(function () {
  "use strict";

  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    button.addEventListener("click", function () {
      var area = document.getElementById(button.dataset.copyTarget);
      area.select();
      if (navigator.clipboard) {
        navigator.clipboard.writeText(area.value);
      } else {
        document.execCommand("copy");
      }
    });
  });
})();
