// Upload evidence with a progress bar. Without JavaScript the form posts normally;
// with it, the same POST goes through XMLHttpRequest so upload progress can be shown,
// then the step page (with the server's messages about each file) is loaded.
(function () {
  "use strict";

  function setup(form) {
    var box = form.querySelector("[data-upload-progress]");
    var bar = box ? box.querySelector("progress") : null;
    var status = form.querySelector("[data-upload-status]");
    var button = form.querySelector("button[type=submit]");

    form.addEventListener("submit", function (event) {
      if (!window.FormData || !bar) {
        return; // let the browser post the form
      }
      event.preventDefault();
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) {
          var percent = Math.round((e.loaded / e.total) * 100);
          bar.value = percent;
          status.textContent = form.dataset.msgProgress + " " + percent + "%";
        }
      });
      xhr.addEventListener("load", function () {
        var target = null;
        try {
          target = JSON.parse(xhr.responseText).redirect;
        } catch (e) {
          target = null;
        }
        if (xhr.status === 200 && target) {
          status.textContent = form.dataset.msgDone;
          window.location.assign(target);
        } else {
          // Refused before the view ran (session expired, CSRF): reload the page, which says why.
          window.location.reload();
        }
      });
      xhr.addEventListener("error", function () {
        button.disabled = false;
        status.textContent = form.dataset.msgError;
      });
      box.classList.remove("d-none");
      button.disabled = true;
      bar.value = 0;
      xhr.send(new FormData(form));
    });
  }

  document.querySelectorAll("form[data-upload]").forEach(setup);
})();
