/* Inlined at the end of every page's body by course/book/critical.py. The stylesheet links and
   script files that the first frame does not need wait in inert
   <template data-course-after-paint> elements; this puts them in place, in document order, once
   the page's first contentful paint is on screen. The static chart pictures wait as lazy images
   and load at that moment too. Fetched and run with the HTML, they competed
   with that frame for the CPU (benchmarks/RESULTS.md). */
(function () {
  "use strict";
  var doc = document;
  var started = false;

  function start() {
    if (started) return;
    if (doc.readyState === "loading") {
      // A long page can paint before it is parsed; the scripts expect a parsed page.
      doc.addEventListener("DOMContentLoaded", start);
      return;
    }
    started = true;
    // The chart pictures held back from the first paint (lazy until now) load at once.
    doc.querySelectorAll("img[data-course-eager]").forEach(function (img) {
      img.loading = "eager";
    });
    var listen = doc.addEventListener;
    var waiting = 1;
    // Scripts written for `defer` may wait for DOMContentLoaded, which has passed by now: such a
    // handler runs at once (design-tabs.js listens for nothing else).
    doc.addEventListener = function (type, handler, options) {
      if (type !== "DOMContentLoaded") listen.call(doc, type, handler, options);
      else if (typeof handler === "function") setTimeout(handler);
      else if (handler) setTimeout(function () { handler.handleEvent(); });
    };
    function done() {
      if (--waiting > 0) return;
      // After the handlers the last script put off with setTimeout.
      setTimeout(function () {
        delete doc.addEventListener;
        doc.documentElement.dataset.courseAfterPaint = "done";
      });
    }
    doc.querySelectorAll("template[data-course-after-paint]").forEach(function (held) {
      var content = held.content.cloneNode(true);
      content.querySelectorAll("script[src]").forEach(function (script) {
        waiting++;
        // An inserted script runs as soon as it arrives unless told to keep its place.
        script.async = script.hasAttribute("async");
        script.addEventListener("load", done);
        script.addEventListener("error", done);
      });
      held.replaceWith(content);
    });
    done();
  }

  try {
    new PerformanceObserver(function (list, observer) {
      if (list.getEntriesByName("first-contentful-paint").length) {
        observer.disconnect();
        setTimeout(start);
      }
    }).observe({ type: "paint", buffered: true });
  } catch (error) {
    // No paint timing in this browser: the fallback below starts.
  }
  // A page that reports no paint (a tab opened in the background) still gets its scripts.
  window.addEventListener("load", function () {
    setTimeout(start, 1000);
  });
  // Printed at once: the print rules come with the stylesheets.
  window.addEventListener("beforeprint", start);
})();
