// Shared by every page. Memory text is only ever put in the page with textContent.
"use strict";

const desk = {
  async api(method, path, body) {
    const init = {method, headers: {"Accept": "application/json"}, credentials: "same-origin"};
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const resp = await fetch(path, init);
    if (!resp.ok) {
      let message = resp.status + " " + resp.statusText;
      let body = null;
      try { body = await resp.json(); message = body.error || message; } catch (e) { /* not JSON */ }
      const err = new Error(message);
      err.status = resp.status;  // 409: someone changed it meanwhile (body says who and when),
      err.body = body;  // or the stored document a save would duplicate
      throw err;
    }
    return resp;
  },

  el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  },

  // Fill `parent` with `text`, wrapping the [start, stop) ranges in <mark class=cls>.
  marked(parent, text, ranges, cls) {
    parent.textContent = "";
    let pos = 0;
    for (const [a, b] of (ranges || []).slice().sort((x, y) => x[0] - y[0])) {
      if (a < pos || b > text.length || a >= b) continue;
      if (a > pos) parent.append(document.createTextNode(text.slice(pos, a)));
      parent.append(desk.el("mark", cls, text.slice(a, b)));
      pos = b;
    }
    if (pos < text.length) parent.append(document.createTextNode(text.slice(pos)));
  },

  toast(message, bad) {
    const box = document.getElementById("toast");
    box.textContent = message;
    box.className = bad ? "show bad" : "show";
    clearTimeout(desk._toast);
    desk._toast = setTimeout(() => { box.className = ""; }, bad ? 6000 : 1800);
  },

  async copy(text) {
    try {
      await navigator.clipboard.writeText(text);
    } catch (e) {  // no clipboard API outside a secure context (http://host:port)
      const area = desk.el("textarea");
      area.value = text;
      document.body.append(area);
      area.select();
      document.execCommand("copy");
      area.remove();
    }
    desk.toast("Translation copied");
  },

  status(message, bad) {
    const box = document.getElementById("status");
    if (box) { box.textContent = message; box.classList.toggle("bad", !!bad); }
  },

  download(blob, name) {
    const a = desk.el("a");
    a.href = URL.createObjectURL(blob);
    a.download = name;
    document.body.append(a);
    a.click();
    setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  },
};
