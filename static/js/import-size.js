// The import form: a pasted list larger than the server reads in one form is stopped here, with
// the message shown above the fields, so that the text stays in the box to cut or save as a file.
(function () {
  "use strict";

  function init() {
    var forms = document.querySelectorAll("form[data-paste-limit]");
    for (var i = 0; i < forms.length; i++) {
      watch(forms[i]);
    }
  }

  function watch(form) {
    var limit = parseInt(form.dataset.pasteLimit, 10);
    var area = form.querySelector("textarea[name=text]");
    var alert = form.querySelector("[data-paste-too-big]");
    if (!limit || !area || !alert || !window.Blob) {
      return;
    }
    form.addEventListener("submit", function (event) {
      var tooBig = new Blob([area.value]).size > limit;
      alert.hidden = !tooBig;
      if (tooBig) {
        event.preventDefault();
        area.focus();
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
