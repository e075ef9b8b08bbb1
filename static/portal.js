// Vendor portal: evidence uploads on a question (drag and drop, several files, progress), then
// attaching the uploaded files to the question. Without JavaScript the upload form posts to the
// evidence library as a plain form and files are attached from the library list.
(() => {
  function uploadOne(form, file, onProgress) {
    return new Promise((resolve, reject) => {
      const data = new FormData();
      // The evidence endpoint reads the small fields first and the file last.
      data.append("csrf_token", form.querySelector('input[name="csrf_token"]').value);
      form.querySelectorAll('select[name="kind"], input[name="valid_until"]').forEach((field) => {
        if (field.value) data.append(field.name, field.value);
      });
      data.append("file", file, file.name);
      const xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.setRequestHeader("X-CSRF-Token", data.get("csrf_token"));
      xhr.upload.addEventListener("progress", (e) => {
        if (e.lengthComputable) onProgress(e.loaded / e.total);
      });
      xhr.addEventListener("load", () => {
        let body = {};
        try {
          body = JSON.parse(xhr.responseText);
        } catch (_) {
          body = {};
        }
        if (xhr.status < 300 && body.id) resolve(body.id);
        else reject(new Error(body.detail || `${file.name} was refused.`));
      });
      xhr.addEventListener("error", () => reject(new Error("The upload failed: check your connection.")));
      xhr.send(data);
    });
  }

  async function upload(form, files) {
    const progress = form.querySelector("[data-upload-progress]");
    const status = form.querySelector("[data-upload-status]");
    const attach = document.getElementById(form.dataset.attachForm);
    const ids = [];
    progress.hidden = false;
    for (const [index, file] of Array.from(files).entries()) {
      status.textContent = `Uploading ${file.name} (${index + 1} of ${files.length})…`;
      try {
        ids.push(
          await uploadOne(form, file, (share) => {
            progress.value = Math.round(((index + share) / files.length) * 100);
          }),
        );
      } catch (error) {
        status.textContent = error.message;
      }
    }
    progress.hidden = true;
    if (!ids.length || !attach) return;
    ids.forEach((id) => {
      const input = document.createElement("input");
      input.type = "hidden";
      input.name = "evidence_id";
      input.value = id;
      attach.appendChild(input);
    });
    attach.requestSubmit();
  }

  document.addEventListener("submit", (event) => {
    const form = event.target.closest("form[data-portal-upload]");
    if (!form) return;
    const input = form.querySelector('input[type="file"]');
    if (!input.files.length) return;
    event.preventDefault();
    upload(form, input.files);
  });

  document.addEventListener("dragover", (event) => {
    const zone = event.target.closest("form[data-portal-upload] [data-dropzone]");
    if (!zone) return;
    event.preventDefault();
    zone.classList.add("dragging");
  });
  document.addEventListener("dragleave", (event) => {
    event.target.closest?.("[data-dropzone]")?.classList.remove("dragging");
  });
  document.addEventListener("drop", (event) => {
    const zone = event.target.closest("form[data-portal-upload] [data-dropzone]");
    if (!zone) return;
    event.preventDefault();
    zone.classList.remove("dragging");
    if (event.dataTransfer.files.length) upload(zone.closest("form"), event.dataTransfer.files);
  });
})();
