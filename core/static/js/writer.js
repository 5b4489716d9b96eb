// memoflow, the writer's enclosures: after htmx swaps in a refused upload's form, the file input (kept as it
// was by hx-preserve, so the chosen file stays chosen) is marked invalid, as the server would have marked it.
(function () {
  "use strict";
  document.addEventListener("htmx:afterSwap", function () {
    var slots = document.querySelectorAll("[data-errors-for]");
    for (var i = 0; i < slots.length; i++) {
      var input = document.getElementById(slots[i].getAttribute("data-errors-for"));
      if (!input) continue;
      if (slots[i].textContent.trim()) {
        input.setAttribute("aria-invalid", "true");
      } else {
        input.removeAttribute("aria-invalid");
      }
    }
  });
})();
