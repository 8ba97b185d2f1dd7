/* chatlift dashboard: draws the plotly charts, sorts tables, keeps the live panel current. */
"use strict";

(function () {
  function drawCharts() {
    if (typeof Plotly === "undefined") return;
    document.querySelectorAll("figure.chart").forEach(function (figure) {
      const target = figure.querySelector(".plot");
      const spec = figure.querySelector("script.figure");
      if (!target || !spec) return;
      const parsed = JSON.parse(spec.textContent);
      Plotly.newPlot(target, parsed.data, parsed.layout, {
        responsive: true, displaylogo: false, displayModeBar: window.innerWidth < 600 ? false : "hover",
        modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d", "toggleSpikelines"],
      });
    });
  }

  /* Tables with data-sortable: each column heading holds a button; aria-sort says the order. */
  function sortable(table) {
    const headings = Array.from(table.querySelectorAll("thead th"));
    headings.forEach(function (th, column) {
      const button = th.querySelector("button[data-sort]");
      if (!button) return;
      button.addEventListener("click", function () {
        const ascending = th.getAttribute("aria-sort") !== "ascending";
        headings.forEach(function (other) { if (other.hasAttribute("aria-sort")) other.setAttribute("aria-sort", "none"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        const numeric = button.dataset.sort === "number";
        const body = table.tBodies[0];
        const rows = Array.from(body.rows);
        function key(row) {
          const cell = row.cells[column];
          const raw = cell.dataset.sortValue !== undefined ? cell.dataset.sortValue : cell.textContent.trim();
          return numeric ? (raw === "" ? null : Number(raw)) : raw.toLowerCase();
        }
        rows.sort(function (a, b) {
          const x = key(a), y = key(b);
          if (x === y) return 0;
          if (x === null) return 1;  /* empty cells last, whatever the order */
          if (y === null) return -1;
          return (x < y ? -1 : 1) * (ascending ? 1 : -1);
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  }

  /* The live panel polls its JSON twin (/live.json, the same figures as the page, with their text)
     and updates the numbers in place; the grid is an aria-live region. */
  function live(panel) {
    const seconds = Math.max(0.5, Number(panel.dataset.refresh) || 10);
    const status = panel.querySelector("[data-live-status]");
    let busy = false;

    function set(element, text) { if (element && element.textContent !== text) element.textContent = text; }

    async function refresh() {
      if (busy) return;
      busy = true;
      try {
        const response = await fetch(panel.dataset.url, {credentials: "same-origin", headers: {"Accept": "application/json"}});
        if (!response.ok) throw new Error("HTTP " + response.status);
        const found = await response.json();
        found.figures.forEach(function (figure) {
          const item = panel.querySelector('.live-item[data-live="' + figure.metric + '"]');
          if (!item) return;
          set(item.querySelector("[data-live-value]"), figure.text);
          set(item.querySelector("[data-live-n]"), String(figure.n));
        });
        const conversations = panel.querySelector('[data-live="conversations"]');
        set(conversations.querySelector("[data-live-value]"), found.conversations.toLocaleString("en-US"));
        set(conversations.querySelector("[data-live-detail]"), Object.entries(found.per_channel)
          .map(function (pair) { return pair[0] + " " + pair[1]; }).join(" \u00b7 "));
        if (panel.dataset.day !== found.day) {
          panel.dataset.day = found.day;
          set(panel.querySelector("[data-live-day]"), found.day);
        }
        set(status, "updated " + new Date().toLocaleTimeString("en-GB"));
        panel.classList.remove("stale");
      } catch (error) {
        set(status, "could not update (" + error.message + "); retrying");
        panel.classList.add("stale");
      } finally {
        busy = false;
      }
    }
    window.setInterval(refresh, seconds * 1000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    drawCharts();
    document.querySelectorAll("table[data-sortable]").forEach(sortable);
    const panel = document.getElementById("live");
    if (panel) live(panel);
  });
})();
