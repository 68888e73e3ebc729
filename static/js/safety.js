/*
 * Safety pre-screen: after a submit, move keyboard and screen-reader focus to the result (or to
 * the error summary) so the answer is announced. Loaded only when there is one to focus.
 */
(function () {
  "use strict";

  var target =
    document.getElementById("urgent-heading") ||
    document.getElementById("result-heading") ||
    document.getElementById("error-summary");
  if (target) {
    target.focus();
  }
})();
