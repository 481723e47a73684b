// "Read this page" (朗读本页) in large-text mode: speaks the text of <main> in the page's
// language, one sentence per utterance, only after a tap; a second tap stops. Shown only where
// the browser can speak (the button is hidden in the HTML, so without JavaScript too).
(function () {
  "use strict";
  if (!("speechSynthesis" in window)) return;
  var synth = window.speechSynthesis;

  function sentences(text) {
    var parts = text.match(/[^。！？.!?\n]+[。！？.!?]*/g) || [];
    return parts
      .map(function (part) { return part.replace(/\s+/g, " ").trim(); })
      .filter(function (part) { return /[\p{L}\p{N}]/u.test(part); });
  }

  function voiceFor(lang) {
    var wanted = lang.toLowerCase().replace("_", "-");
    var voices = synth.getVoices() || [];
    var norm = function (voice) { return (voice.lang || "").toLowerCase().replace("_", "-"); };
    return (
      voices.find(function (voice) { return norm(voice) === wanted; }) ||
      voices.find(function (voice) { return norm(voice).split("-")[0] === wanted.split("-")[0]; }) ||
      null
    );
  }

  function setReading(button, reading) {
    button.setAttribute("aria-pressed", reading ? "true" : "false");
    button.textContent = reading ? button.dataset.stopLabel : button.dataset.readLabel;
  }

  function read(button) {
    var main = document.querySelector("main");
    if (!main) return;
    var lang = document.documentElement.lang || "zh-CN";
    var voice = voiceFor(lang);
    var parts = sentences(main.innerText || main.textContent || "");
    if (!parts.length) return;
    synth.cancel();
    setReading(button, true);
    parts.forEach(function (text, index) {
      var utterance = new SpeechSynthesisUtterance(text);
      utterance.lang = lang;
      if (voice) utterance.voice = voice;
      if (index === parts.length - 1) {
        utterance.onend = function () { setReading(button, false); };
      }
      synth.speak(utterance);
    });
  }

  function reveal() {
    var buttons = document.querySelectorAll("button.read-aloud");
    Array.prototype.forEach.call(buttons, function (button) {
      button.hidden = false;
      setReading(button, false);
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button.read-aloud");
    if (!button) return;
    if (button.getAttribute("aria-pressed") === "true") {
      synth.cancel();
      setReading(button, false);
    } else {
      read(button);
    }
  });
  // Leaving the page (a boosted link swaps the body) ends the reading.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.boosted) synth.cancel();
  });
  window.addEventListener("pagehide", function () { synth.cancel(); });
  document.addEventListener("DOMContentLoaded", reveal);
  document.addEventListener("htmx:load", reveal);
})();
