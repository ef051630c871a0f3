// The import preview: ticking "Keep line N anyway" adds that line, so the confirm button counts
// it. The server gives the button's words for one and for several signatures ("%(n)s" for the
// number); without this script the button names no number and a sentence says what is added.
(function () {
  "use strict";

  function init() {
    var buttons = document.querySelectorAll("button[data-import-count]");
    for (var i = 0; i < buttons.length; i++) {
      watch(buttons[i]);
    }
  }

  function watch(button) {
    var form = button.form;
    var base = parseInt(button.dataset.importCount, 10);
    var lang = document.documentElement.lang;
    var rules = window.Intl && Intl.PluralRules ? new Intl.PluralRules(lang) : null;
    var noNumber = button.textContent;
    if (!form || isNaN(base)) {
      return;
    }
    function update() {
      var n = base + form.querySelectorAll("input[name=keep]:checked").length;
      if (n === 0) {
        button.textContent = noNumber;
        return;
      }
      // The catalogues' forms for 1 and for 2: CLDR's "one" is gettext's singular in English
      // and French (0 and 1), and Khmer has one form for every number.
      var one = rules ? rules.select(n) === "one" : n === 1;
      var words = one ? button.dataset.one : button.dataset.other;
      button.textContent = words.replace("%(n)s", String(n));
    }
    form.addEventListener("change", function (event) {
      if (event.target.name === "keep") {
        update();
      }
    });
    update();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
