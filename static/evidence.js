// Evidence uploads: drag and drop onto the file field, and a progress bar through XHR.
// Without JavaScript the same form posts as plain multipart (CSRF token first, file last).
(() => {
  function showError(html, fallback) {
    const toasts = document.getElementById("toasts");
    if (toasts && html) toasts.insertAdjacentHTML("beforeend", html);
    else if (fallback) window.alert(fallback);
  }

  function setUp(form) {
    const input = form.querySelector('input[type="file"]');
    const zone = form.querySelector("[data-dropzone]");
    const progress = form.querySelector("[data-upload-progress]");
    const status = form.querySelector("[data-upload-status]");
    const button = form.querySelector('button[type="submit"]');
    const limit = Number(form.dataset.limit || 0);

    const describe = () => {
      const file = input.files[0];
      status.textContent = file ? `${file.name} · ${(file.size / 1048576).toFixed(1)} MB` : "";
    };
    input.addEventListener("change", describe);

    ["dragenter", "dragover"].forEach((name) =>
      zone.addEventListener(name, (event) => {
        event.preventDefault();
        zone.classList.add("dragging");
      }),
    );
    ["dragleave", "drop"].forEach((name) =>
      zone.addEventListener(name, () => zone.classList.remove("dragging")),
    );
    zone.addEventListener("drop", (event) => {
      event.preventDefault();
      if (event.dataTransfer.files.length) {
        input.files = event.dataTransfer.files;
        describe();
      }
    });

    form.addEventListener("submit", (event) => {
      const file = input.files[0];
      if (!file) return; // the browser's "required" message covers it
      event.preventDefault();
      if (limit && file.size > limit) {
        status.textContent = `${file.name} is larger than the ${form.dataset.limitLabel} upload limit.`;
        return;
      }
      const token = form.querySelector('input[name="csrf_token"]').value;
      const xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("X-CSRF-Token", token);
      xhr.setRequestHeader("HX-Request", "true");
      xhr.upload.addEventListener("progress", (e) => {
        if (e.lengthComputable) progress.value = Math.round((e.loaded / e.total) * 100);
      });
      xhr.addEventListener("load", () => {
        button.disabled = false;
        progress.hidden = true;
        const target = xhr.getResponseHeader("HX-Redirect");
        if (xhr.status < 400 && target) {
          window.location.assign(target);
          return;
        }
        status.textContent = "The upload was refused.";
        showError(xhr.responseText, status.textContent);
      });
      xhr.addEventListener("error", () => {
        button.disabled = false;
        progress.hidden = true;
        status.textContent = "The upload failed: check your connection and try again.";
      });
      progress.value = 0;
      progress.hidden = false;
      button.disabled = true;
      status.textContent = `Uploading ${file.name}…`;
      xhr.send(new FormData(form));
    });
  }

  document.querySelectorAll("form[data-evidence-upload]").forEach(setUp);
})();
