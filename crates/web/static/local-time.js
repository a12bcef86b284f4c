// Herald: dates in the reader's time zone.
//
// Pages are rendered with dates in UTC inside <time datetime="..."> elements, and work
// fully without this script. When it runs, it shows those dates in the reader's own
// time zone: a <time> that shows a full date gets its text rewritten; one that shows a
// relative time ("5 minutes ago", which reads the same everywhere) keeps its text and
// gets its tooltip (title) rewritten. Nothing else on the page is touched.
(function () {
  "use strict";
  if (typeof Intl !== "object" || typeof Intl.DateTimeFormat !== "function") {
    return;
  }
  var format;
  try {
    format = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
      day: "numeric",
      month: "long",
      year: "numeric",
      hour: "2-digit",
      minute: "2-digit",
      timeZoneName: "short"
    });
  } catch (e) {
    return;
  }
  function localise(root) {
    var times = root.querySelectorAll("time[datetime]");
    for (var i = 0; i < times.length; i++) {
      var el = times[i];
      var when = new Date(el.getAttribute("datetime"));
      if (isNaN(when.getTime())) {
        continue;
      }
      var text = format.format(when);
      if (el.hasAttribute("title")) {
        el.setAttribute("title", text);
      } else {
        el.textContent = text;
      }
      el.setAttribute("data-local", "");
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      localise(document);
    });
  } else {
    localise(document);
  }
})();
