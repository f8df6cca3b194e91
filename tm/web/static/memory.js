// The memory pages: save an edit, undo it, delete a unit or a document (through the JSON API).
"use strict";

(() => {
  const form = document.getElementById("unit-form");

  async function act(run, then) {
    try {
      await run();
      if (then) location.assign(then); else location.reload();
    } catch (err) {
      desk.status(err.message, true);
      desk.toast(err.message, true);
    }
  }

  document.addEventListener("click", (e) => {
    const unit = e.target.closest("[data-delete-unit]");
    const doc = e.target.closest("[data-delete-doc]");
    if (unit && confirm("Delete unit " + unit.dataset.deleteUnit + " from the memory?")) {
      act(() => desk.api("DELETE", "/api/units/" + unit.dataset.deleteUnit), unit.dataset.then);
    }
    if (doc && confirm("Delete document " + doc.dataset.deleteDoc +
                       " and the units no other document holds?")) {
      act(() => desk.api("DELETE", "/api/documents/" + doc.dataset.deleteDoc), doc.dataset.then);
    }
  });

  if (form) {
    const id = form.dataset.unit;
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      act(() => desk.api("PATCH", "/api/units/" + id, {
        en: document.getElementById("unit-en").value,
        ru: document.getElementById("unit-ru").value}));
    });
    const undo = document.getElementById("unit-undo");
    if (undo) undo.addEventListener("click", () => act(() => desk.api("POST", "/api/units/" + id + "/undo")));
  }
})();
