/* Draws every <canvas data-chart="ID"> from the JSON in <script id="ID">, with Chart.js (vendor/chart.umd.js). */
(function () {
  "use strict";
  var PALETTE = ["#1d4ed8", "#0f766e", "#b45309", "#7c3aed", "#be123c", "#4d7c0f", "#0369a1", "#a16207",
                 "#6b7280", "#c2410c"];

  function dataset(ds, index, type) {
    var many = type === "doughnut" || type === "pie";
    var colour = PALETTE[index % PALETTE.length];
    return Object.assign({
      backgroundColor: many ? PALETTE : colour,
      borderColor: many ? "#ffffff" : colour,
      borderWidth: type === "line" ? 2 : 1,
      pointRadius: 0,
      tension: 0,
      yAxisID: ds.axis || "y"
    }, ds);
  }

  function draw(root) {
    if (!window.Chart) { return; }
    (root || document).querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      if (window.Chart.getChart(canvas)) { return; }
      var source = document.getElementById(canvas.dataset.chart);
      if (!source) { return; }
      var spec = JSON.parse(source.textContent);
      var scales = {};
      if (spec.type !== "doughnut" && spec.type !== "pie") {
        // spec.autoSkip === false: every category label stays (tilted up to 45 degrees when they do not fit).
        var keepAll = spec.autoSkip === false;
        var categories = { ticks: { maxRotation: keepAll ? 45 : 0, autoSkip: !keepAll } };
        scales = spec.horizontal
          ? { x: { beginAtZero: true }, y: categories }
          : { x: categories, y: { beginAtZero: true } };
        if (spec.datasets.some(function (ds) { return ds.axis === "y2"; })) {
          scales.y2 = { beginAtZero: true, position: "right", grid: { drawOnChartArea: false } };
        }
      }
      new window.Chart(canvas, {
        type: spec.type,
        data: {
          labels: spec.labels,
          datasets: spec.datasets.map(function (ds, i) { return dataset(ds, i, spec.type); })
        },
        options: {
          animation: false,
          responsive: true,
          maintainAspectRatio: false,
          indexAxis: spec.horizontal ? "y" : "x",
          scales: scales,
          plugins: { legend: { display: spec.datasets.length > 1 || spec.type === "doughnut" } }
        }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSettle", function (event) { draw(event.target); });
})();
