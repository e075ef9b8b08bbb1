// Vendor portal: evidence uploads on a question (drag and drop, several files, progress), then
// attaching the uploaded files to the question. Without JavaScript the upload form posts to the
// evidence library as a plain form, and files are attached with the page's one library picker and
// the question's "Attach library file" button.
(() => {
  function uploadFeedback(form) {
    // Progress and status are drawn on a card's first upload, not in every card of the page.
    let progress = form.querySelector("[data-upload-progress]");
    if (!progress) {
      progress = document.createElement("progress");
      progress.max = 100;
      progress.value = 0;
      progress.hidden = true;
      progress.dataset.uploadProgress = "";
      const text = document.createElement("span");
      text.className = "small";
      text.dataset.uploadStatus = "";
      form.querySelector('button[type="submit"]').before(progress, text);
    }
    return [progress, form.querySelector("[data-upload-status]")];
  }

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
    const [progress, message] = uploadFeedback(form);
    const box = form.closest(".evidence-box");
    const attach = box?.querySelector("[data-library-attach]");
    const ids = [];
    progress.hidden = false;
    for (const [index, file] of Array.from(files).entries()) {
      message.textContent = `Uploading ${file.name} (${index + 1} of ${files.length})…`;
      try {
        ids.push(
          await uploadOne(form, file, (share) => {
            progress.value = Math.round(((index + share) / files.length) * 100);
          }),
        );
      } catch (error) {
        message.textContent = error.message;
      }
    }
    progress.hidden = true;
    if (!ids.length || !attach) return;
    // The question's attach URL, with the uploaded files rather than the picker's choice.
    htmx.ajax("POST", attach.getAttribute("formaction"), {
      source: box,
      target: box,
      swap: "outerHTML",
      values: { evidence_id: ids },
    });
  }

  // A card's "Attach library file" button posts the page's one picker: with no file chosen there,
  // point at the picker (as the browser does for a plain form) instead of asking the server.
  document.addEventListener(
    "click",
    (event) => {
      const button = event.target.closest("button[data-library-attach]");
      const choice = button?.form?.elements.evidence_id;
      if (!choice || choice.value) return;
      event.preventDefault();
      event.stopPropagation();
      choice.reportValidity();
      choice.focus();
    },
    true,
  );

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
