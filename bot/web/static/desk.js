// Live updates for the desk: the server says "changed" over server-sent events and every
// part of the page that shows cases fetches itself again (hx-trigger="changed from:body").
// A file of its own, not inline script: the Content-Security-Policy allows only 'self'.
(function () {
  "use strict";
  var source = document.body.getAttribute("data-live");
  if (!source || !window.EventSource) {
    return;
  }
  var events = new EventSource(source);
  events.addEventListener("changed", function () {
    document.body.dispatchEvent(new CustomEvent("changed"));
  });
  events.addEventListener("open", function () {
    document.body.setAttribute("data-live-open", "1");
  });
})();
