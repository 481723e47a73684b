// Registers the service worker. Everything else works with plain HTML and htmx attributes.
(function () {
  "use strict";
  var url = document.body && document.body.dataset.serviceWorker;
  if (url && "serviceWorker" in navigator) {
    navigator.serviceWorker.register(url, { scope: "/" }).catch(function () {
      // Without a service worker the app still works online; nothing to tell the person.
    });
  }
})();
