// Follow a background document's job: poll its status every 2 seconds, move the progress bar,
// and offer the download (or say it failed) when the job is finished. Without JavaScript the
// page has a link to look again.
(function () {
  "use strict";
  var box = document.querySelector("[data-document-job]");
  if (!box || !window.fetch) {
    return;
  }
  var bar = box.querySelector("[data-job-progress]");
  var label = box.querySelector("[data-job-label]");
  var status = box.querySelector("[data-job-status]");
  var announced = "";

  function show(data) {
    bar.value = data.progress;
    label.textContent = data.label;
    if (data.download) {
      var link = document.createElement("a");
      link.className = "btn btn-primary";
      link.href = data.download;
      link.textContent = box.dataset.msgDownload;
      status.replaceChildren(box.dataset.msgReady + " ", link);
      return true;
    }
    if (data.status === "failed") {
      var error = document.createElement("span");
      error.className = "text-danger";
      error.textContent = data.error;
      status.replaceChildren(error);
      return true;
    }
    // Announce in steps of a quarter, not at every poll.
    var step = data.label + " " + Math.floor(data.progress / 25) * 25 + "%";
    if (step !== announced) {
      announced = step;
      status.textContent = step;
    }
    return false;
  }

  function poll() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (!show(data)) {
          window.setTimeout(poll, 2000);
        }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  poll();
})();
