// A mailing's open and click rates: drawn from the figure embedded with json_script, and again
// after each 30-second refresh of its numbers (an htmx swap).
(function () {
  function draw() {
    var data = document.getElementById("mailing-figure");
    var el = document.getElementById("mailing-chart");
    if (!data || !el || !window.Plotly) return;
    var fig = JSON.parse(data.textContent);
    Plotly.react(el, fig.data, fig.layout, { responsive: true, displaylogo: false });
  }
  window.addEventListener("load", draw);
  document.addEventListener("htmx:afterSettle", draw);
})();
