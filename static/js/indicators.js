// Charts of the indicator pages, drawn with ECharts from the JSON the page embeds in
// <script type="application/json" id="indicator-charts">: a list of
// {id, kind: "line"|"bar", title, unit, years|categories, values, target?, band?}.
// Hidden small numbers arrive as null and are left out of the chart.
(function () {
  "use strict";

  function lineOption(chart) {
    var series = {
      type: "line",
      name: chart.title,
      data: chart.values,
      connectNulls: true,
      symbolSize: 6,
      label: { show: true, fontSize: 10 },
    };
    if (chart.target !== undefined && chart.target !== null) {
      series.markLine = {
        symbol: "none",
        lineStyle: { type: "dashed", color: "#dc3545" },
        label: { formatter: chart.target_label + " " + chart.target, fontSize: 10 },
        data: [{ yAxis: chart.target }],
      };
    }
    if (chart.band && chart.band[0] !== null && chart.band[1] !== null) {
      series.markArea = {
        itemStyle: { color: "rgba(25, 135, 84, 0.12)" },
        label: { show: true, position: "insideTopLeft", fontSize: 10 },
        data: [[{ name: chart.band_label, yAxis: chart.band[0] }, { yAxis: chart.band[1] }]],
      };
    }
    return {
      title: { text: chart.title, textStyle: { fontSize: 12, fontWeight: "normal" } },
      tooltip: { trigger: "axis" },
      grid: { left: 48, right: 16, top: 40, bottom: 28 },
      xAxis: { type: "category", data: chart.years },
      yAxis: { type: "value", name: chart.unit, nameTextStyle: { fontSize: 10 } },
      series: [series],
    };
  }

  function barOption(chart) {
    return {
      title: { text: chart.title, textStyle: { fontSize: 12, fontWeight: "normal" } },
      tooltip: { trigger: "axis" },
      grid: { left: 48, right: 16, top: 40, bottom: 60 },
      xAxis: {
        type: "category",
        data: chart.categories,
        axisLabel: { interval: 0, rotate: chart.categories.length > 4 ? 30 : 0, fontSize: 10 },
      },
      yAxis: { type: "value", name: chart.unit, nameTextStyle: { fontSize: 10 } },
      series: [{ type: "bar", data: chart.values, label: { show: true, position: "top", fontSize: 10 } }],
    };
  }

  function draw() {
    var source = document.getElementById("indicator-charts");
    if (!source || typeof echarts === "undefined") {
      return;
    }
    var charts = JSON.parse(source.textContent);
    var drawn = [];
    charts.forEach(function (chart) {
      var element = document.getElementById("chart-" + chart.id);
      if (!element) {
        return;
      }
      var instance = echarts.init(element, null, { renderer: "canvas" });
      instance.setOption(chart.kind === "bar" ? barOption(chart) : lineOption(chart));
      drawn.push(instance);
    });
    window.addEventListener("resize", function () {
      drawn.forEach(function (instance) {
        instance.resize();
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
