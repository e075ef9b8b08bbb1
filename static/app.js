// Assay's small client behaviour. Loaded as a file: the CSP allows no inline script.
document.addEventListener("click", (event) => {
  const dismiss = event.target.closest("[data-dismiss]");
  if (dismiss) dismiss.closest("article, .flash")?.remove();
});

// On a narrow screen the navigation folds behind its Menu button (app.css hides the links while
// the button says aria-expanded="false"). Without this script the button stays hidden and the
// links simply wrap, so nothing depends on it.
const navToggle = document.querySelector(".nav-toggle");
if (navToggle) {
  const setOpen = (open) => navToggle.setAttribute("aria-expanded", String(open));
  navToggle.hidden = false;
  navToggle.addEventListener("click", () => setOpen(navToggle.getAttribute("aria-expanded") !== "true"));
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && navToggle.getAttribute("aria-expanded") === "true") {
      setOpen(false);
      navToggle.focus();
    }
  });
}
