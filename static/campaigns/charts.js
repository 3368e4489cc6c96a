// Campaign charts: draw each figure from its embedded JSON, then, where the box asks for it,
// poll the data endpoint with If-None-Match; a 304 costs nothing, new data redraws only the
// traces with Plotly.react (the layout keeps `uirevision`, so the user's zoom stays).
(function () {
  var plotConfig = { responsive: true, displaylogo: false };

  function setup(box) {
    box.querySelectorAll("[data-figure]").forEach(function (el) {
      var fig = JSON.parse(document.getElementById(el.dataset.figure).textContent);
      Plotly.newPlot(el, fig.data, fig.layout, plotConfig);
    });
    var src = box.dataset.chartsSrc;
    var every = parseFloat(box.dataset.poll || "0");
    if (!src || !every) return;
    var etag = box.dataset.etag ? '"' + box.dataset.etag + '"' : null;
    var busy = false;
    var timer = setInterval(function () {
      if (!document.body.contains(box)) { clearInterval(timer); return; }
      if (busy || document.hidden) return;
      busy = true;
      var headers = { Accept: "application/json" };
      if (etag) headers["If-None-Match"] = etag;
      fetch(src, { headers: headers, cache: "no-store", credentials: "same-origin" })
        .then(function (r) {
          if (r.status === 304 || !r.ok) return null;
          etag = r.headers.get("ETag") || etag;
          return r.json();
        })
        .then(function (body) {
          if (!body) return;
          Object.keys(body.figures || {}).forEach(function (key) {
            var el = box.querySelector('[data-key="' + key + '"]');
            if (el && el.layout) Plotly.react(el, body.figures[key], el.layout, plotConfig);
          });
          Object.keys(body.numbers || {}).forEach(function (key) {
            box.querySelectorAll('[data-number="' + key + '"]').forEach(function (n) {
              n.textContent = body.numbers[key];
            });
          });
          // The tables beside the charts come rendered by the server, with the same numbers.
          var tables = box.querySelector("[data-tables]");
          if (tables && typeof body.tables === "string") tables.innerHTML = body.tables;
          var verdict = box.querySelector("[data-verdict]");
          if (verdict && body.verdict) verdict.textContent = body.verdict;
          box.dataset.updated = String(Date.now());
        })
        .catch(function () {})
        .finally(function () { busy = false; });
    }, every * 1000);
  }

  function init(root) {
    if (typeof Plotly === "undefined") return;
    (root || document).querySelectorAll("[data-charts]").forEach(function (box) {
      if (box.dataset.ready) return;
      box.dataset.ready = "1";
      setup(box);
    });
  }
  window.switchboardCharts = init;
  document.addEventListener("htmx:load", function (e) { init(e.target); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(document); });
  } else {
    init(document);
  }
})();
