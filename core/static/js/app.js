// memoflow: small behaviours, no inline scripts. Pages work without JavaScript.
(function () {
  "use strict";
  // Common phrases: a tap appends the phrase to the opinion box; on the decision step, a phrase that names a
  // decision (ทราบ, อนุมัติ, ไม่อนุมัติ) chooses that decision instead.
  document.addEventListener("click", function (event) {
    var chosen = event.target.closest("[data-decision]");
    if (chosen) {
      var form = chosen.closest("form");
      var radios = form ? form.querySelectorAll("input[type=radio]") : [];
      for (var i = 0; i < radios.length; i++) {
        if (radios[i].name === chosen.getAttribute("data-target") && radios[i].value === chosen.getAttribute("data-decision")) {
          radios[i].checked = true;
          radios[i].dispatchEvent(new Event("change", { bubbles: true }));
        }
      }
      return;
    }
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
