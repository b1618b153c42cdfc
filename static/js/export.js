/* The workbook export page: poll the job's status every second, move the progress bar,
   and show the download link or the error. Without this script the page reloads itself
   (a <noscript> refresh) and offers a reload link. */
(function () {
  "use strict";
  var box = document.getElementById("export-job");
  if (!box) return;
  var url = box.getAttribute("data-status-url");
  var bar = document.getElementById("export-bar");
  var progress = document.getElementById("export-progress");
  var statusText = document.getElementById("export-status");
  var steps = document.getElementById("export-steps");
  var failed = document.getElementById("export-failed");
  var detail = document.getElementById("export-error-detail");
  var done = document.getElementById("export-done");
  var link = document.getElementById("export-download");
  var reload = document.getElementById("export-reload");

  function show(state) {
    bar.style.width = state.percent + "%";
    bar.textContent = state.percent + "%";
    progress.setAttribute("aria-valuenow", String(state.percent));
    statusText.textContent = state.status_label;
    statusText.setAttribute("data-status", state.status);
    steps.textContent = state.done + " / " + state.total;
    var waiting = document.getElementById("export-waiting");
    if (waiting) waiting.classList.toggle("d-none", !state.waiting);
    if (state.status === "done") {
      bar.classList.remove("progress-bar-striped", "progress-bar-animated");
      bar.classList.add("bg-success");
      link.setAttribute("href", state.download_url);
      done.classList.remove("d-none");
      if (reload) reload.classList.add("d-none");
      return true;
    }
    if (state.status === "failed") {
      bar.classList.remove("progress-bar-striped", "progress-bar-animated");
      bar.classList.add("bg-danger");
      detail.textContent = state.error || "";
      failed.classList.remove("d-none");
      if (reload) reload.classList.add("d-none");
      return true;
    }
    return false;
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (state) {
        if (!show(state)) window.setTimeout(poll, 1000);
      })
      .catch(function () {
        window.setTimeout(poll, 3000); // a dropped connection: keep trying, more slowly
      });
  }

  var initial = statusText.getAttribute("data-status");
  if (initial === "queued" || initial === "running") window.setTimeout(poll, 1000);
})();
