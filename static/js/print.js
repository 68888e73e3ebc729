/*
 * Buttons marked data-print open the browser's print dialog (the Good Faith Estimate).
 * An event listener rather than onclick="", which the Content-Security-Policy forbids.
 */
(function () {
  "use strict";

  var buttons = document.querySelectorAll("[data-print]");
  for (var i = 0; i < buttons.length; i++) {
    buttons[i].addEventListener("click", function () {
      window.print();
    });
  }
})();
