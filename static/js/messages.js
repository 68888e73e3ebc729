/*
 * The page's words for the scripts' messages: the "js-messages" blob the page renders
 * (templates/base.html), read once. message(key, english) gives the page's word, or the English
 * when the page gives none. Loaded before map.js and locate.js, which use it.
 */
(function () {
  "use strict";

  var messages = {};
  try {
    messages = JSON.parse(document.getElementById("js-messages").textContent);
  } catch (error) {
    messages = {};
  }
  window.jointcareMessage = function (key, english) {
    return messages[key] || english;
  };
})();
