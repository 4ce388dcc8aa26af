// Draws the device page's charts (page count, supply levels) from its history JSON with uPlot.
(function () {
  "use strict";
  const PALETTE = { black: "#222", cyan: "#0097a7", magenta: "#c2185b", yellow: "#f9a825" };
  const OTHER = ["#5c6bc0", "#8d6e63", "#43a047", "#fb8c00", "#7e57c2"];

  function colourOf(series, n) {
    const name = (series.color || "").toLowerCase();
    return PALETTE[name] || OTHER[n % OTHER.length];
  }

  function chart(host, title, times, series, width) {
    const box = document.createElement("div");
    box.className = "chart";
    box.setAttribute("data-chart", title);
    host.appendChild(box);
    const opts = {
      title: title,
      width: width,
      height: 240,
      axes: [{}, { size: 80 }],
      series: [{}].concat(series.map(function (s) {
        return { label: s.label, stroke: s.stroke, width: 2, spanGaps: true };
      })),
    };
    return new uPlot(opts, [times].concat(series.map(function (s) { return s.values; })), box);
  }

  function draw(host, data) {
    const width = Math.max(320, host.clientWidth - 16);
    chart(host, host.dataset.pagesLabel, data.times,
      [{ label: host.dataset.pagesLabel, stroke: "#1565c0", values: data.pages }], width);
    chart(host, host.dataset.levelLabel, data.times, data.supplies.map(function (s, n) {
      return { label: s.label, stroke: colourOf(s, n), values: s.levels };
    }), width);
    host.setAttribute("data-ready", String(data.times.length));
  }

  document.addEventListener("DOMContentLoaded", function () {
    const host = document.getElementById("charts");
    if (!host) { return; }
    fetch(host.dataset.history, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) { draw(host, data); });
  });
})();
