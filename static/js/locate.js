/*
 * "Use my location" on the search form: progressive enhancement only.
 *
 * The button is rendered hidden and shown only when the browser can share a location
 * (geolocation in a secure context). A click asks for the position, puts it, rounded to about
 * 100 metres, into the form's hidden lat/lng inputs, clears the ZIP/city box (the search takes
 * one or the other) and submits. Typing in the box clears lat/lng again.
 */
(function () {
  "use strict";

  var button = document.getElementById("use-location");
  if (!button || !button.form || !("geolocation" in navigator) || !window.isSecureContext) {
    return;
  }
  var form = button.form;
  var near = document.getElementById("near");
  var lat = document.getElementById("lat");
  var lng = document.getElementById("lng");
  var statusEl = document.getElementById("locate-status");
  if (!near || !lat || !lng) {
    return;
  }

  // The page's words for these messages (static/js/messages.js), English when it gives none.
  var message = window.jointcareMessage || function (key, english) { return english; };

  function say(text) {
    if (statusEl) {
      statusEl.textContent = text;
    }
  }

  near.addEventListener("input", function () {
    lat.value = "";
    lng.value = "";
  });

  button.addEventListener("click", function () {
    button.disabled = true;
    say(message("finding", "Finding your location…"));
    navigator.geolocation.getCurrentPosition(
      function (position) {
        lat.value = position.coords.latitude.toFixed(3);
        lng.value = position.coords.longitude.toFixed(3);
        near.value = "";
        say(message("searching", "Searching near your location…"));
        if (form.requestSubmit) {
          form.requestSubmit();
        } else {
          form.submit();
        }
      },
      function (error) {
        button.disabled = false;
        if (error.code === error.PERMISSION_DENIED) {
          say(message("denied", "Your browser did not share your location. Type a ZIP code or city instead."));
        } else {
          say(message("failed", "We could not find your location. Type a ZIP code or city instead."));
        }
      },
      { enableHighAccuracy: false, timeout: 15000, maximumAge: 600000 }
    );
  });

  button.closest("[data-locate]").hidden = false;
})();
