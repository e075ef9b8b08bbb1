// Assay's small client behaviour. Loaded as a file: the CSP allows no inline script.
document.addEventListener("click", (event) => {
  const dismiss = event.target.closest("[data-dismiss]");
  if (dismiss) dismiss.closest("article, .flash")?.remove();
});
