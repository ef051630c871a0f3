// The sign form of a letter that more than one kind of signatory may sign. The page holds every
// kind's fields; choosing a kind shows its fields (and its labels and help) and puts the others
// out of sight, keeping what was typed in them: choosing back brings it back. Without this
// script, the "Change" button draws the form again for the kind chosen, as typed.
(function () {
  "use strict";

  function start(form) {
    var radios = form.querySelectorAll('input[type="radio"][name="kind"]');
    if (!radios.length) {
      return;
    }
    var change = form.querySelector(".sign-kind-change");
    if (change) {
      change.remove(); // else it would be the button the Enter key presses
    }

    function show(kind) {
      form.querySelectorAll("[data-kinds]").forEach(function (element) {
        element.hidden = element.dataset.kinds.split(" ").indexOf(kind) === -1;
      });
    }

    radios.forEach(function (radio) {
      radio.addEventListener("change", function () {
        if (radio.checked) {
          show(radio.value);
        }
      });
    });
    var checked = form.querySelector('input[type="radio"][name="kind"]:checked');
    if (checked) {
      show(checked.value); // a browser may restore another choice on going back
    }
  }

  document.querySelectorAll("form.sign-form").forEach(start);
})();
