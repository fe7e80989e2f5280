/* Interactive charts, after the page has painted. Each chart is already on the page as an SVG
   drawn at build time (course/charts.py), inside its container div; its spec sits in the JSON
   script after it. Once the page has loaded, this loads the vendored vega bundle (never a
   CDN), draws each chart out of sight at the container's width, and swaps it in for the SVG.
   Loaded (deferred) on chart pages only, by course/book/site.py; the print media keeps the SVG. */
(function () {
  "use strict";
  const BUNDLE = new URL("vega-bundle.js", document.currentScript.src).href;
  let runtime = null;

  function loadRuntime() {
    if (!runtime) {
      runtime = new Promise(function (resolve, reject) {
        const script = document.createElement("script");
        script.src = BUNDLE;
        script.async = true;
        script.onload = function () { resolve(window.vegaEmbed); };
        script.onerror = function () { reject(new Error("could not load " + BUNDLE)); };
        document.head.appendChild(script);
      });
    }
    return runtime;
  }

  function draw(vegaEmbed, source) {
    const holder = document.getElementById(source.dataset.chart);
    if (!holder) return Promise.resolve();
    const chart = JSON.parse(source.textContent);
    const live = document.createElement("div");
    live.className = "course-chart-live";
    holder.appendChild(live);
    return vegaEmbed(live, chart.spec, chart.options).then(function () {
      holder.querySelectorAll(".course-chart-static").forEach(function (still) {
        still.remove();
      });
      holder.classList.add("is-interactive");
    }).catch(function (error) {
      // The static SVG stays: a reader still sees the chart, only without its tooltips.
      live.remove();
      console.error("chart " + holder.id + " stays static: " + error.message);
    });
  }

  function start() {
    const sources = document.querySelectorAll("script.course-chart-spec[data-chart]");
    if (!sources.length || window.matchMedia("print").matches) return;
    loadRuntime().then(function (vegaEmbed) {
      sources.forEach(function (source) { draw(vegaEmbed, source); });
    }, function (error) {
      console.error(error.message + ": the charts stay static");
    });
  }

  // After the load event the first paint is done: the bundle never delays it.
  if (document.readyState === "complete") start();
  else window.addEventListener("load", start, { once: true });
})();
