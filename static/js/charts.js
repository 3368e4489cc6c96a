// Switchboard's charts: every page with a plotly.js figure loads this after plotly.js (templates/includes/plotly.html).
//
// - `<div data-plotly="ID">` beside `{{ figure|json_script:"ID" }}`: the figure is drawn from
//   that JSON when the page loads, and again whenever htmx brings in new content holding it.
// - `<div data-charts data-charts-src="URL" data-poll="SECONDS" data-etag="…">` around such
//   figures (each with `data-key`): the box asks URL for fresh data every SECONDS with
//   If-None-Match. A 304 costs nothing; an answer redraws the traces with Plotly.react (the
//   layout's `uirevision` keeps the user's zoom) and puts `numbers` into `[data-number=key]`,
//   the server-rendered `tables` into `[data-tables]` and the `verdict` into `[data-verdict]`.
// - In the page's language (<html lang>): plotly's locale (month names; French registered by
//   static/vendor/plotly/plotly-locale-fr.js) and the same decimal and thousands separators as
//   the page's tables (Django's formats), on the first drawing and on every update.
(function () {
  var language = document.documentElement.lang || "en";
  var config = { responsive: true, displaylogo: false, locale: language };
  var SEPARATORS = { fr: ",\u00a0", en: ".," };

  function localized(layout) {
    layout = layout || {};
    layout.separators = SEPARATORS[language] || SEPARATORS.en;
    return layout;
  }

  function within(root, selector) {
    var found = Array.prototype.slice.call(root.querySelectorAll(selector));
    if (root.matches && root.matches(selector)) found.unshift(root);
    return found;
  }

  function draw(root) {
    within(root, "[data-plotly]").forEach(function (el) {
      var source = document.getElementById(el.dataset.plotly);
      if (!source) return;
      var fig = JSON.parse(source.textContent);
      Plotly.react(el, fig.data, localized(fig.layout), config);
    });
  }

  function update(box, body) {
    Object.keys(body.figures || {}).forEach(function (key) {
      var el = box.querySelector('[data-key="' + key + '"]');
      if (el && el.layout) Plotly.react(el, body.figures[key], localized(el.layout), config);
    });
    Object.keys(body.numbers || {}).forEach(function (key) {
      box.querySelectorAll('[data-number="' + key + '"]').forEach(function (n) {
        n.textContent = body.numbers[key];
      });
    });
    var tables = box.querySelector("[data-tables]");
    if (tables && typeof body.tables === "string") tables.innerHTML = body.tables;
    var verdict = box.querySelector("[data-verdict]");
    if (verdict && body.verdict) verdict.textContent = body.verdict;
    box.dataset.updated = String(Date.now());
  }

  function poll(box) {
    var every = parseFloat(box.dataset.poll || "0");
    if (!box.dataset.chartsSrc || !every || box.dataset.polling) return;
    box.dataset.polling = "1";
    var etag = box.dataset.etag ? '"' + box.dataset.etag + '"' : null;
    var busy = false;
    var timer = setInterval(function () {
      if (!document.body.contains(box)) { clearInterval(timer); return; }
      if (busy || document.hidden) return;
      busy = true;
      var headers = { Accept: "application/json" };
      if (etag) headers["If-None-Match"] = etag;
      fetch(box.dataset.chartsSrc, { headers: headers, cache: "no-store", credentials: "same-origin" })
        .then(function (r) {
          if (r.status === 304 || !r.ok) return null;
          etag = r.headers.get("ETag") || etag;
          return r.json();
        })
        .then(function (body) { if (body) update(box, body); })
        .catch(function () {})
        .finally(function () { busy = false; });
    }, every * 1000);
  }

  function init(root) {
    if (typeof Plotly === "undefined") return;
    draw(root);
    within(root, "[data-charts]").forEach(poll);
  }

  document.addEventListener("htmx:load", function (e) { init(e.target); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(document); });
  } else {
    init(document);
  }
})();
