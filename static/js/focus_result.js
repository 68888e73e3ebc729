/*
 * After a search or an estimate, move keyboard and screen-reader focus to the result's heading,
 * so the answer is announced and the next Tab continues from it. The form points the browser at
 * the heading's fragment, which already scrolls there without JavaScript; this only adds focus.
 * The heading's id is in the script tag's data-target.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var target = script && document.getElementById(script.dataset.target || "");
  if (target) {
    target.focus();
  }
})();
