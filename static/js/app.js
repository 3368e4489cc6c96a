// Switchboard: toasts (from the page and from htmx's HX-Trigger "toasts" event).
(function () {
  function container() { return document.getElementById("toasts"); }
  function dismissLater(el) { setTimeout(function () { el.remove(); }, 8000); }
  function showToast(message, tags) {
    var el = document.createElement("div");
    el.className = "toast toast-" + (tags || "info");
    el.textContent = message;
    var close = document.createElement("button");
    close.type = "button"; close.className = "toast-close"; close.setAttribute("aria-label", "Dismiss"); close.textContent = "×";
    el.appendChild(close);
    container().appendChild(el);
    dismissLater(el);
  }
  window.switchboardToast = showToast;
  document.addEventListener("click", function (e) {
    if (e.target.classList && e.target.classList.contains("toast-close")) e.target.parentElement.remove();
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("#toasts .toast").forEach(dismissLater);
  });
  document.addEventListener("toasts", handle);
  function handle(e) {
    (e.detail && e.detail.value || e.detail || []).forEach(function (t) { showToast(t.message, t.tags); });
  }
  // A provider or network failure on an htmx request: say so instead of doing nothing.
  document.addEventListener("htmx:responseError", function (e) {
    showToast("The request failed (HTTP " + e.detail.xhr.status + "). Nothing was changed.", "error");
  });
  document.addEventListener("htmx:sendError", function () {
    showToast("Switchboard cannot be reached. Check your connection.", "error");
  });
})();
