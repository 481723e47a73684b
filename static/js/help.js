// "I need help": press and hold (about two seconds, pointer or keyboard) sends the call at once;
// a short press opens the confirmation page, as without JavaScript. Offline, or when the call
// cannot be sent, the phone dials the community office instead.
(function () {
  "use strict";
  var HOLD_MS = 2000;
  var hold = null;
  var justSent = false; // the click that ends a completed hold must not open the confirmation

  function dial(form) {
    var tel = form.dataset.tel;
    if (!tel) return;
    form.dataset.dialled = tel; // what the phone was asked to dial (the tests read it)
    window.location.href = tel;
  }

  function send(form) {
    form.classList.add("help-sending");
    var label = form.querySelector(".help-label");
    if (label && form.dataset.sending) label.textContent = form.dataset.sending;
    if (!navigator.onLine) {
      dial(form);
      return;
    }
    var body = new FormData();
    body.append("csrf_token", form.dataset.csrf);
    fetch(form.dataset.pressUrl, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("status " + response.status);
        window.location.assign(response.url);
      })
      .catch(function () {
        form.classList.remove("help-sending");
        dial(form);
      });
  }

  // The bar follows the hold itself (not a CSS transition: large-text mode and reduced motion
  // switch those off, and the bar is the person's own progress, not something that moves).
  function fill(form, fraction) {
    var bar = form.querySelector(".help-progress-bar");
    if (bar) bar.style.width = Math.round(Math.min(1, fraction) * 100) + "%";
  }

  function tick() {
    if (!hold || hold.done) return;
    fill(hold.form, (Date.now() - hold.started) / HOLD_MS);
    window.requestAnimationFrame(tick);
  }

  function start(form) {
    if (hold) return;
    form.classList.add("help-holding");
    hold = {
      form: form,
      started: Date.now(),
      timer: window.setTimeout(function () {
        hold.done = true;
        fill(form, 1);
        form.classList.remove("help-holding");
        send(form);
      }, HOLD_MS),
      done: false,
    };
    window.requestAnimationFrame(tick);
  }

  function stop() {
    if (!hold) return;
    window.clearTimeout(hold.timer);
    hold.form.classList.remove("help-holding");
    if (!hold.done) fill(hold.form, 0);
    justSent = hold.done;
    hold = null;
  }

  function pressForm(target) {
    return target && target.closest ? target.closest("form.help-press") : null;
  }

  function prepare(root) {
    var forms = (root || document).querySelectorAll("form.help-press");
    Array.prototype.forEach.call(forms, function (form) {
      var hint = form.querySelector(".help-hint");
      if (hint && hint.dataset.holdHint) hint.textContent = hint.dataset.holdHint;
      form.classList.add("help-ready");
    });
  }

  document.addEventListener("pointerdown", function (event) {
    var form = pressForm(event.target);
    if (form && event.button === 0) start(form);
  });
  document.addEventListener("pointerup", stop, true);
  document.addEventListener("pointercancel", stop, true);
  document.addEventListener("pointerleave", function (event) {
    // Only leaving the button itself ends the hold, not moving between its parts.
    if (event.target.classList && event.target.classList.contains("help-button")) stop();
  }, true);
  document.addEventListener("keydown", function (event) {
    var form = pressForm(event.target);
    if (!form || (event.key !== " " && event.key !== "Enter")) return;
    event.preventDefault(); // no click from the key: the hold decides
    if (!event.repeat) start(form);
  });
  document.addEventListener("keyup", function (event) {
    var form = pressForm(event.target);
    if (!form || (event.key !== " " && event.key !== "Enter")) return;
    event.preventDefault();
    if (!hold) return;
    var early = !hold.done;
    stop();
    justSent = false; // a key makes no click
    if (early) form.requestSubmit(); // released early: the confirmation page, as a short tap
  });
  document.addEventListener("click", function (event) {
    var form = pressForm(event.target);
    if (!form) return;
    if (justSent || (hold && hold.done)) {
      // The click that ends a completed hold: the call is on its way already.
      event.preventDefault();
      justSent = false;
    } else if (!navigator.onLine) {
      event.preventDefault();
      dial(form);
    }
  });
  document.addEventListener("contextmenu", function (event) {
    // A long press on a phone would open the context menu over the button.
    if (pressForm(event.target)) event.preventDefault();
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.classList && form.classList.contains("help-confirm") && !navigator.onLine) {
      event.preventDefault();
      dial(form);
    }
  });
  document.addEventListener("DOMContentLoaded", function () { prepare(document); });
  document.addEventListener("htmx:load", function (event) { prepare(event.target); });
})();
