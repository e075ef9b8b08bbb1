// Vendor portal: the "all changes saved" indicator driven by autosave, and evidence uploads on a
// question (drag and drop, several files, progress) followed by attaching them to the question.
// Without JavaScript every form posts as a plain form: answers save and return to the question,
// an upload lands in the library and leads to "This document covers …" for the question.
(() => {
  // --- "All changes saved" -----------------------------------------------------------------------
  const status = document.querySelector("[data-save-status]");
  let pending = 0;
  let failed = "";

  function show() {
    if (!status) return;
    status.classList.toggle("saving", pending > 0);
    status.classList.toggle("failed", !pending && Boolean(failed));
    if (pending > 0) status.textContent = "Saving…";
    else if (failed) status.textContent = failed;
    else status.textContent = "All changes saved";
  }

  const isAnswerSave = (event) => event.detail?.elt?.closest?.(".answer-form");

  document.addEventListener("input", (event) => {
    if (!status || !event.target.closest(".answer-form")) return;
    if (!pending) {
      status.textContent = "Unsaved changes…";
      status.classList.add("saving");
    }
  });
  document.addEventListener("htmx:beforeRequest", (event) => {
    if (!isAnswerSave(event)) return;
    pending += 1;
    show();
  });
  document.addEventListener("htmx:afterRequest", (event) => {
    if (!isAnswerSave(event)) return;
    pending = Math.max(0, pending - 1);
    const xhr = event.detail.xhr;
    if (event.detail.successful) failed = "";
    else if (xhr && xhr.status === 409) failed = "Not saved: someone else changed an answer.";
    else if (xhr && xhr.status === 422) failed = "Not saved: an answer needs correcting.";
    else failed = "Not saved: check your connection.";
    show();
  });

  // An answer saved after the buyer's verdict: the card keeps or loses its "needs attention"
  // marker as the redrawn verdict says (the card itself is not redrawn while someone types in it).
  document.addEventListener("htmx:afterSettle", (event) => {
    const card = isAnswerSave(event)?.closest("article.question");
    const verdict = card?.querySelector(".verdict-slot[data-attention]");
    if (verdict) card.classList.toggle("needs-attention", verdict.dataset.attention === "yes");
  });

  // --- uploads on a question ---------------------------------------------------------------------
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
    const message = form.querySelector("[data-upload-status]");
    let progress = form.querySelector("progress");
    if (!progress) {
      progress = document.createElement("progress");
      progress.max = 100;
      message.before(progress);
    }
    const box = form.closest(".evidence-box");
    const ids = [];
    const errors = [];
    progress.value = 0;
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
        errors.push(error.message);
      }
    }
    progress.hidden = true;
    message.textContent = errors.join(" ");
    if (!ids.length) return;
    const values = { evidence_id: ids, csrf_token: form.querySelector('input[name="csrf_token"]').value };
    if (ids.length === 1) values.uploaded = "1"; // offer it for the other questions it covers
    htmx
      .ajax("POST", form.dataset.attach, { source: box, target: box, swap: "outerHTML", values })
      .then(() => {
        if (!errors.length) return;
        const again = document.getElementById(box.id)?.querySelector("[data-upload-status]");
        if (again) again.textContent = errors.join(" ");
      });
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
