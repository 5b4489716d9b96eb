// memoflow: small behaviours, no inline scripts. Pages work without JavaScript.
(function () {
  "use strict";
  // Common phrases: a tap appends the phrase to the opinion box.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-phrase]");
    if (!button) return;
    var box = document.getElementById(button.getAttribute("data-target"));
    if (!box) return;
    var phrase = button.getAttribute("data-phrase");
    box.value = box.value.trim() ? box.value.trim() + " " + phrase : phrase;
    box.focus();
  });
  // Enclosure upload: show the progress of the request (htmx).
  document.addEventListener("htmx:xhr:progress", function (event) {
    var bar = event.target.querySelector && event.target.querySelector("progress");
    if (bar && event.detail.lengthComputable) {
      bar.hidden = false;
      bar.value = Math.round((event.detail.loaded / event.detail.total) * 100);
    }
  });
})();
