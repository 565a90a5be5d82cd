/* Draws the analytics charts from the JSON in #chart-data (no inline scripts: CSP-friendly).
   The same numbers are in the tables below each chart, for screen readers and printing. */
(function () {
  "use strict";
  var source = document.getElementById("chart-data");
  if (!source || typeof Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var blue = "#0d6efd";
  var palette = ["#0d6efd", "#0dcaf0", "#198754", "#6c757d", "#ffc107", "#dc3545", "#6610f2", "#fd7e14"];
  function draw(id, type, series, options) {
    var canvas = document.getElementById(id);
    if (!canvas) { return; }
    new Chart(canvas, {
      type: type,
      data: { labels: series.labels, datasets: [{ data: series.values,
        backgroundColor: type === "line" ? "rgba(13,110,253,.15)" : (type === "doughnut" ? palette : blue),
        borderColor: type === "doughnut" ? "#fff" : blue, fill: type === "line", tension: 0.25,
        pointRadius: 0 }] },
      options: Object.assign({ responsive: true, maintainAspectRatio: false, animation: false,
        plugins: { legend: { display: type === "doughnut", position: "bottom" } } }, options || {})
    });
  }
  draw("chart-per-day", "line", data.perDay, { scales: { y: { beginAtZero: true } } });
  draw("chart-department", "bar", data.byDepartment, { indexAxis: "y" });
  draw("chart-status", "doughnut", data.byStatus);
  draw("chart-new-patients", "bar", data.newPatients, { scales: { y: { beginAtZero: true } } });
})();
