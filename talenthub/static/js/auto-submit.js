// Filter forms marked data-auto-submit apply as soon as a choice changes (they still work,
// with their Apply button, when JavaScript is off).
(function () {
  "use strict";
  document.querySelectorAll("form[data-auto-submit]").forEach(function (form) {
    form.addEventListener("change", function (event) {
      if (event.target.matches("select, input[type=checkbox], input[type=date]")) {
        form.requestSubmit();
      }
    });
  });
})();
