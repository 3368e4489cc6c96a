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

// After a submit that failed: focus the error summary, so that the user (and a screen reader)
// starts from what went wrong; a link in it focuses its field.
(function () {
  function focusSummary(root) {
    var summary = (root || document).querySelector("[data-error-summary]");
    if (summary) summary.focus();
  }
  document.addEventListener("DOMContentLoaded", function () { focusSummary(document); });
  document.addEventListener("htmx:load", function (e) {
    if (e.target !== document.body) focusSummary(e.target);
  });
  document.addEventListener("click", function (e) {
    var link = e.target.closest && e.target.closest("[data-error-summary] a[href^='#']");
    if (!link) return;
    var field = document.getElementById(link.getAttribute("href").slice(1));
    if (!field) return;
    e.preventDefault();
    var label = document.querySelector("label[for='" + field.id + "']") || field;
    label.scrollIntoView({ block: "center" });
    field.focus({ preventScroll: true });
  });
})();

// The main menu on wide screens where the browser cannot show a closed <details>' content
// with CSS (::details-content): keep it open there.
(function () {
  var wide = window.matchMedia("(min-width: 700px)");
  var styled = window.CSS && CSS.supports && CSS.supports("selector(::details-content)");
  function sync() {
    var menu = document.querySelector("[data-nav-menu]");
    if (menu && !styled && wide.matches) menu.open = true;
  }
  document.addEventListener("DOMContentLoaded", sync);
  wide.addEventListener("change", sync);
})();

// What markup cannot say under the Content-Security-Policy (no script in htmx attributes),
// and a few generic behaviours, asked for with attributes:
//   data-pause-while="selector"  a polling element skips its request while the selector matches
//   hx-trigger="enter-key"       fires when Enter is pressed in an input inside the element
//   data-focus-new-row="selector" on an "add a row" button: focus the first field of the last
//                                 row matching the selector once htmx has put the new rows in
//   each table in its own scrolling box on narrow screens, focusable and named when it scrolls
(function () {
  function enhance(root) {
    root.querySelectorAll("main table").forEach(function (table) {
      var box = table.parentElement;
      if (!box.classList.contains("table-wrap")) {
        box = document.createElement("div");
        box.className = "table-wrap";
        table.parentNode.insertBefore(box, table);
        box.appendChild(table);
      }
    });
    labelScrollingTables(root);
  }
  function tableName(table) {
    if (table.caption) return table.caption.textContent.trim();
    if (table.getAttribute("aria-label")) return table.getAttribute("aria-label");
    var by = table.getAttribute("aria-labelledby");
    if (by && document.getElementById(by)) return document.getElementById(by).textContent.trim();
    var heads = table.closest("article, section, details, main");
    var head = heads && heads.querySelector("h1, h2, h3, summary");
    return (head ? head.textContent.trim() + ": " : "") + "table";
  }
  function labelScrollingTables(root) {
    (root.querySelectorAll ? root : document).querySelectorAll(".table-wrap").forEach(function (box) {
      var table = box.querySelector("table");
      if (!table) return;
      if (box.scrollWidth > box.clientWidth + 1) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", tableName(table) + " (scrolls sideways)");
      } else if (box.getAttribute("role") === "region") {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    });
  }
  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  document.addEventListener("htmx:load", function (e) { enhance(e.target); });
  document.addEventListener("toggle", function () { labelScrollingTables(document); }, true);
  window.addEventListener("resize", function () { labelScrollingTables(document); });

  document.addEventListener("htmx:confirm", function (e) {
    var selector = e.target.dataset && e.target.dataset.pauseWhile;
    if (selector && document.querySelector(selector)) e.preventDefault();
  });
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Enter" || !e.target.matches || !e.target.matches("input")) return;
    var row = e.target.closest("[hx-trigger='enter-key']");
    if (!row) return;
    e.preventDefault();
    htmx.trigger(row, "enter-key");
  });
  // On the swap itself, not after settling: focus moves in the same task that puts the row in,
  // so nothing typed in between (20 ms later) lands in the field the user started on.
  document.addEventListener("htmx:afterSwap", function (e) {
    var source = e.detail.requestConfig && e.detail.requestConfig.elt;
    var selector = source && source.dataset && source.dataset.focusNewRow;
    if (!selector) return;
    var rows = document.querySelectorAll(selector);
    var row = rows[rows.length - 1];
    var field = row && row.querySelector("input:not([type=hidden]), select, textarea");
    if (field) field.focus();
  });
})();
