// memoflow: the signature pad on the profile page (draw with a finger, a pen or the mouse; pointer events).
// Without JavaScript the pad stays hidden and the file upload still works.
(function () {
  "use strict";
  function setUp(form) {
    var pad = form.querySelector("[data-pad]");
    var canvas = form.querySelector("[data-pad-canvas]");
    var value = form.querySelector("[data-pad-value]");
    var status = form.querySelector("[data-pad-status]");
    if (!pad || !canvas || !canvas.getContext) return;
    pad.hidden = false;
    var context = canvas.getContext("2d");
    var drawing = false;
    var inked = false;
    var last = null;

    function resize() {
      // The drawing buffer follows the displayed size and the screen's density, so strokes stay sharp.
      var ratio = window.devicePixelRatio || 1;
      var rect = canvas.getBoundingClientRect();
      if (!rect.width) return;
      canvas.width = Math.round(rect.width * ratio);
      canvas.height = Math.round(rect.height * ratio);
      context.setTransform(ratio, 0, 0, ratio, 0, 0);
      context.lineCap = "round";
      context.lineJoin = "round";
      context.lineWidth = Math.max(2, rect.width / 200);
      context.strokeStyle = "#000";
      inked = false;
    }
    function point(event) {
      var rect = canvas.getBoundingClientRect();
      return { x: event.clientX - rect.left, y: event.clientY - rect.top };
    }
    function stroke(to) {
      context.beginPath();
      context.moveTo(last.x, last.y);
      context.lineTo(to.x, to.y);
      context.stroke();
      last = to;
      inked = true;
    }
    canvas.addEventListener("pointerdown", function (event) {
      event.preventDefault();
      canvas.setPointerCapture(event.pointerId);
      drawing = true;
      last = point(event);
      stroke({ x: last.x + 0.01, y: last.y + 0.01 }); // a tap leaves a dot
      status.textContent = "";
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) return;
      event.preventDefault();
      var events = event.getCoalescedEvents ? event.getCoalescedEvents() : [event];
      (events.length ? events : [event]).forEach(function (e) { stroke(point(e)); });
    });
    function end() { drawing = false; last = null; }
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);
    form.querySelector("[data-pad-clear]").addEventListener("click", function () {
      context.clearRect(0, 0, canvas.width, canvas.height);
      inked = false;
      value.value = "";
    });
    form.addEventListener("submit", function (event) {
      var submitter = event.submitter;
      if (!submitter || submitter.value !== "draw") return;
      if (!inked) {
        event.preventDefault();
        status.textContent = pad.getAttribute("data-empty-message") || status.textContent;
        canvas.focus();
        return;
      }
      value.value = canvas.toDataURL("image/png");
    });
    resize();
    window.addEventListener("resize", function () { if (!inked) resize(); });
  }
  document.querySelectorAll("form[data-signature-pad]").forEach(setUp);
})();
