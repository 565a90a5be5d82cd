/* Draws every <canvas data-chart="key" data-type="line|bar|hbar|doughnut"> from the JSON in
   #chart-data ({key: {labels: [...], values: [...]}}). No inline scripts (CSP-friendly); the same
   numbers are always in a table next to the chart, for screen readers and printing. */
(function () {
  "use strict";
  var source = document.getElementById("chart-data");
  if (!source || typeof Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var blue = "#0d6efd";
  var palette = ["#0d6efd", "#0dcaf0", "#198754", "#6c757d", "#ffc107", "#dc3545", "#6610f2", "#fd7e14"];
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var series = data[canvas.dataset.chart];
    if (!series) { return; }
    var kind = canvas.dataset.type || "bar";
    var type = kind === "hbar" ? "bar" : kind;
    new Chart(canvas, {
      type: type,
      data: { labels: series.labels, datasets: [{ data: series.values,
        backgroundColor: type === "line" ? "rgba(13,110,253,.15)" : (type === "doughnut" ? palette : blue),
        borderColor: type === "doughnut" ? "#fff" : blue, fill: type === "line", tension: 0.25,
        pointRadius: 0 }] },
      options: { responsive: true, maintainAspectRatio: false, animation: false,
        indexAxis: kind === "hbar" ? "y" : "x",
        scales: type === "doughnut" ? {} : { y: { beginAtZero: true, ticks: { precision: 0 } } },
        plugins: { legend: { display: type === "doughnut", position: "bottom" } } }
    });
  });
})();
