// Turning web push on and off for this device, on the notification settings page.
// The browser is asked for permission only when the person taps "turn on", never on load.
(function () {
  "use strict";
  if (window.communityPush) return; // loaded once; the handlers below serve any later page
  window.communityPush = true;

  var supported = "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  function keyBytes(base64url) {
    var padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = window.atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i += 1) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  function sameKey(subscription, key) {
    var current = subscription.options && subscription.options.applicationServerKey;
    if (!current) return true;
    var a = new Uint8Array(current);
    if (a.length !== key.length) return false;
    for (var i = 0; i < a.length; i += 1) if (a[i] !== key[i]) return false;
    return true;
  }

  function say(panel, name) {
    var status = panel.querySelector("[data-push-status]");
    if (status) status.textContent = panel.getAttribute("data-text-" + name) || "";
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(body),
    }).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response;
    });
  }

  function show(panel, subscribed) {
    var on = panel.querySelector("[data-push-subscribe]");
    var off = panel.querySelector("[data-push-unsubscribe]");
    if (on) on.hidden = subscribed;
    if (off) off.hidden = !subscribed;
    document.querySelectorAll(".device[data-endpoint]").forEach(function (row) {
      var mark = row.querySelector(".this-device");
      if (mark) mark.hidden = !(subscribed && subscribed.endpoint === row.getAttribute("data-endpoint"));
    });
  }

  function registration() {
    return navigator.serviceWorker.ready;
  }

  // What the panel shows on load: no permission prompt, only a look at what is there already.
  function setUp(panel) {
    if (!panel || panel.getAttribute("data-push-ready")) return;
    panel.setAttribute("data-push-ready", "1");
    var needsScript = panel.querySelector("[data-push-needs-script]");
    if (needsScript) needsScript.hidden = true;
    if (!supported) {
      say(panel, "unsupported");
      return;
    }
    if (Notification.permission === "denied") say(panel, "denied");
    show(panel, null);
    registration()
      .then(function (reg) { return reg.pushManager.getSubscription(); })
      .then(function (subscription) {
        if (subscription && Notification.permission === "granted") {
          show(panel, subscription);
          say(panel, "on");
        }
      })
      .catch(function () {});
  }

  function turnOn(panel) {
    var key = keyBytes(panel.getAttribute("data-key"));
    say(panel, "working");
    // The permission prompt comes from this tap, and from nowhere else.
    Notification.requestPermission()
      .then(function (permission) {
        if (permission !== "granted") {
          say(panel, "denied");
          return null;
        }
        return registration()
          .then(function (reg) {
            return reg.pushManager.getSubscription().then(function (existing) {
              if (existing && sameKey(existing, key)) return existing;
              // Subscribed with an older server key: start again with the current one.
              var before = existing ? existing.unsubscribe() : Promise.resolve();
              return before.then(function () {
                return reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
              });
            });
          })
          .then(function (subscription) {
            return post(panel.getAttribute("data-subscribe-url"), subscription.toJSON()).then(function () {
              window.location.reload(); // the device list shows the new device
              return subscription;
            });
          });
      })
      .catch(function () {
        say(panel, "error");
      });
  }

  function turnOff(panel) {
    registration()
      .then(function (reg) { return reg.pushManager.getSubscription(); })
      .then(function (subscription) {
        if (!subscription) return null;
        var endpoint = subscription.endpoint;
        return subscription.unsubscribe().then(function () {
          return post(panel.getAttribute("data-forget-url"), { endpoint: endpoint });
        });
      })
      .then(function () {
        window.location.reload();
      })
      .catch(function () {
        say(panel, "error");
      });
  }

  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    var on = target && target.closest("[data-push-subscribe]");
    var off = target && target.closest("[data-push-unsubscribe]");
    if (!on && !off) return;
    event.preventDefault();
    var panel = (on || off).closest("[data-push-panel]");
    if (on) turnOn(panel);
    else turnOff(panel);
  });

  function setUpAll() {
    document.querySelectorAll("[data-push-panel]").forEach(setUp);
  }
  setUpAll();
  // The page may come back from htmx's history without reloading this script.
  document.addEventListener("htmx:load", setUpAll);
})();
