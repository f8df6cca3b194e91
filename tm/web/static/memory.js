// The memory pages: save an edit, undo it, delete a unit or a document (through the JSON API).
"use strict";

(() => {
  const form = document.getElementById("unit-form");

  async function act(run, then, retry) {
    try {
      await run();
      if (then) location.assign(then); else location.reload();
    } catch (err) {
      desk.status(err.message, true);
      desk.toast(err.message, true);
      if (err.status === 409 && retry) conflict(err, retry);
    }
  }

  // Someone saved the unit since this page was opened: reload it, or save over theirs (the
  // retry names the version they made, so a third change is refused again).
  function conflict(err, retry) {
    const box = document.getElementById("conflict");
    if (!box) return;
    document.getElementById("conflict-text").textContent = err.message;
    box.hidden = false;
    document.getElementById("conflict-reload").onclick = () => location.reload();
    document.getElementById("conflict-overwrite").onclick = () => {
      box.hidden = true;
      act(() => retry(err.body.version), null, retry);
    };
  }

  document.addEventListener("click", (e) => {
    const unit = e.target.closest("[data-delete-unit]");
    const doc = e.target.closest("[data-delete-doc]");
    if (unit && confirm("Delete unit " + unit.dataset.deleteUnit + " from the memory?")) {
      const remove = (v) => desk.api("DELETE", "/api/units/" + unit.dataset.deleteUnit +
                                     (v ? "?version=" + v : ""));
      act(() => remove(form && form.dataset.version), unit.dataset.then, remove);
    }
    if (doc && confirm("Delete document " + doc.dataset.deleteDoc +
                       " and the units no other document holds?")) {
      act(() => desk.api("DELETE", "/api/documents/" + doc.dataset.deleteDoc), doc.dataset.then);
    }
  });

  if (form) {
    const id = form.dataset.unit;
    const save = (version) => desk.api("PATCH", "/api/units/" + id, {
      en: document.getElementById("unit-en").value,
      ru: document.getElementById("unit-ru").value, version: Number(version)});
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      act(() => save(form.dataset.version), null, save);
    });
    const undo = document.getElementById("unit-undo");
    const back = (v) => desk.api("POST", "/api/units/" + id + "/undo?version=" + v);
    if (undo) undo.addEventListener("click", () => act(() => back(form.dataset.version), null, back));
  }
})();
