// The verification job page: poll the JSON status and move the progress bar
// until the report is ready (issue 5). No framework, CSP script-src 'self'.
(function () {
  "use strict";
  var box = document.getElementById("luot-kiem-tra");
  if (!box) { return; }
  var url = box.getAttribute("data-status-url");
  var bar = document.getElementById("tien-do");
  var text = document.getElementById("tien-do-chu");
  var report = document.getElementById("bao-cao");
  function poll() {
    fetch(url, { headers: { "Accept": "application/json", "X-Requested-With": "XMLHttpRequest" }, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (job) {
        bar.max = Math.max(job.total, 1);
        bar.value = job.done;
        text.textContent = job.done + " / " + (job.total || "?") + " sự kiện";
        if (job.finished) {
          report.innerHTML = job.html;
        } else {
          window.setTimeout(poll, 500);
        }
      })
      .catch(function () { window.setTimeout(poll, 2000); });
  }
  if (!report.innerHTML.trim()) { poll(); }
})();
