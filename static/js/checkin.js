// The door's camera: where the browser has BarcodeDetector, a button scans a ticket's QR code
// and sends its token through the same form as a typed code. Elsewhere the button stays hidden
// and the typed code works alone. Loaded by full page loads of the door (its links opt out of
// hx-boost); it sets itself up again after htmx swaps the page.
(function () {
  "use strict";
  var stream = null;

  function stop() {
    if (stream) {
      stream.getTracks().forEach(function (track) { track.stop(); });
      stream = null;
    }
  }

  function setUp() {
    var box = document.querySelector("[data-scan]");
    if (!box || box.dataset.ready || !("BarcodeDetector" in window)) {
      return;
    }
    box.dataset.ready = "1";
    box.hidden = false;
    var button = box.querySelector("[data-scan-start]");
    var video = box.querySelector("[data-scan-video]");
    var hint = box.querySelector("[data-scan-hint]");
    var form = document.getElementById("door-form");
    var input = form && form.querySelector("input[name=code]");
    button.addEventListener("click", function () {
      var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
        .then(function (media) {
          stream = media;
          video.srcObject = media;
          video.hidden = false;
          hint.hidden = false;
          return video.play();
        })
        .then(function look() {
          if (!stream) {
            return;
          }
          detector.detect(video).then(function (codes) {
            if (codes.length && input) {
              input.value = codes[0].rawValue;
              stop();
              video.hidden = true;
              form.requestSubmit();
            } else {
              window.setTimeout(look, 250);
            }
          }, function () { window.setTimeout(look, 500); });
        })
        .catch(function () {
          stop();
          hint.hidden = false;
        });
    });
  }

  document.addEventListener("DOMContentLoaded", setUp);
  document.addEventListener("htmx:afterSettle", setUp);
  window.addEventListener("pagehide", stop);
  setUp();
})();
