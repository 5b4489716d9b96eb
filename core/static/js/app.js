// memoflow: small behaviours, no inline scripts. Pages work without JavaScript.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var phone = window.matchMedia("(max-width: 63.99rem)");

  // The signatory's sheet: on a phone it starts closed, as a bar at the bottom of the screen, unless it shows an
  // error (then it is open and the field in error has the focus, by autofocus). A link to #act opens it.
  function sheet() { return document.querySelector("[data-sheet]"); }
  function openSheet() {
    var s = sheet();
    if (s && !s.open) s.open = true;
  }
  var s = sheet();
  if (s && phone.matches && !s.hasAttribute("data-errors") && window.location.hash !== "#act") s.open = false;
  window.addEventListener("hashchange", function () { if (window.location.hash === "#act") openSheet(); });

  // Typed words are kept: the opinion is saved in this tab's sessionStorage as it is typed and put back when the
  // page comes again with an empty box (after a sign-in that a timed-out session asked for, or a reload).
  var kept = document.querySelectorAll("form[data-keep]");
  for (var k = 0; k < kept.length; k++) {
    (function (form) {
      var key = "memoflow:" + form.getAttribute("data-keep");
      var box = form.querySelector("textarea[name$=opinion]");
      if (!box) return;
      try {
        if (!box.value && window.sessionStorage.getItem(key)) {
          box.value = window.sessionStorage.getItem(key);
          openSheet();
        }
      } catch (e) { return; }
      box.addEventListener("input", function () {
        try { window.sessionStorage.setItem(key, box.value); } catch (e) { /* storage full or off */ }
      });
    })(kept[k]);
  }
  // Once the step is signed the form is gone: forget what was kept for this memo.
  var act = document.querySelector("[data-signed-memo]");
  if (act) {
    try {
      for (var i = window.sessionStorage.length - 1; i >= 0; i--) {
        var name = window.sessionStorage.key(i);
        if (name && name.indexOf("memoflow:opinion:" + act.getAttribute("data-signed-memo") + ":") === 0) window.sessionStorage.removeItem(name);
      }
    } catch (e) { /* storage off */ }
  }

  // Chips are one stop for the Tab key (a toolbar): the arrow keys move between them.
  var bars = document.querySelectorAll("[data-roving]");
  for (var b = 0; b < bars.length; b++) {
    var chips = bars[b].querySelectorAll("button");
    for (var c = 0; c < chips.length; c++) chips[c].tabIndex = c === 0 ? 0 : -1;
  }
  document.addEventListener("keydown", function (event) {
    var bar = event.target.closest && event.target.closest("[data-roving]");
    if (!bar) return;
    var step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[event.key];
    if (!step) return;
    var all = Array.prototype.slice.call(bar.querySelectorAll("button"));
    var at = all.indexOf(event.target);
    var next = all[(at + step + all.length) % all.length];
    event.target.tabIndex = -1;
    next.tabIndex = 0;
    next.focus();
    event.preventDefault();
  });

  // The account menu closes when a tap lands elsewhere.
  document.addEventListener("click", function (event) {
    var menus = document.querySelectorAll("[data-menu][open]");
    for (var m = 0; m < menus.length; m++) if (!menus[m].contains(event.target)) menus[m].open = false;
  });
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
