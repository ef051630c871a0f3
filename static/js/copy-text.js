// "Copy" buttons beside a field to copy (a link, a snippet of HTML, a secret): shown only where
// this script runs (without it, the field is there to select), each copies its field's text and
// says so in the status line named after it, where the page has one.
(function () {
  "use strict";

  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    var field = document.getElementById(button.dataset.copyTarget);
    var status = document.querySelector('[data-copy-status="' + button.dataset.copyTarget + '"]');
    if (!field) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      field.select();
      var done = function () {
        if (status) {
          status.textContent = button.dataset.copiedText || "";
        }
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done, function () {
          document.execCommand("copy");
          done();
        });
      } else {
        document.execCommand("copy");
        done();
      }
    });
  });
})();
