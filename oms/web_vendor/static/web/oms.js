/* Behaviour every page of the shop and the console shares, from this file only (the Content-Security-Policy
   allows no inline script): a banner when an htmx request fails, and the buttons that print or reload. */
(function () {
  "use strict";

  function showError(kind) {
    var banner = document.getElementById("page-error");
    if (!banner) { return; }
    banner.querySelectorAll("[data-error]").forEach(function (line) {
      line.hidden = line.getAttribute("data-error") !== kind;
    });
    banner.hidden = false;
    banner.focus();
  }

  // htmx leaves the page as it was on an error answer (it swaps only 2xx): without this the click did nothing.
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    if (xhr && xhr.getResponseHeader("X-OMS-Error") === "csrf_failed") {
      showError("expired");
    } else if (xhr && xhr.status >= 500) {
      showError("server");
    } else {
      showError("refused");
    }
  });
  document.addEventListener("htmx:sendError", function () { showError("offline"); });
  document.addEventListener("htmx:timeout", function () { showError("offline"); });

  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target : event.target.parentElement;
    if (!target) { return; }
    if (target.closest("[data-reload]")) {
      window.location.reload();
    } else if (target.closest("[data-dismiss]")) {
      document.getElementById("page-error").hidden = true;
    } else if (target.closest("[data-print]")) {
      window.print();
    }
  });
})();
