"""The static HTML review page of an alignment (``diptych align -o review.html``).

One self-contained file (inline CSS, no script, no external resource), readable from a phone to
a wide screen: each bead is a CSS grid row whose two text columns take the width (on a narrow
screen the Russian side goes under the English one). Beads and sentences are numbered from 1,
the same way everywhere. Weak beads carry an amber bar and the word "weak", omissions a red bar
and "no English"/"no Russian". All text is escaped by lxml; characters XML cannot carry are
dropped.
"""

from __future__ import annotations

import lxml.html
from lxml.html import builder as E

from align.clean import clean_text
from align.types import Alignment, Bead

_CSS = """
*{box-sizing:border-box}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;margin:0;
 background:#f4f6f9;color:#1d2430}
header{padding:12px 20px;background:#fff;border-bottom:1px solid #d9dee6;position:sticky;top:0;
 z-index:1}
h1{font-size:19px;margin:0 0 4px;overflow-wrap:anywhere}
.summary{color:#5d6775}.warn{color:#9a4a00}
.legend{display:flex;flex-wrap:wrap;gap:6px 14px;margin-top:6px;font-size:13px}
.legend span{padding:1px 8px;border-radius:3px;border-left:5px solid transparent}
main{max-width:1500px;margin:0 auto;padding:10px 16px 40px}
.head,.bead{display:grid;grid-template-columns:3.2em minmax(0,1fr) minmax(0,1fr) 5.6em;
 gap:2px 14px;padding:6px 10px}
.head{font-weight:600;font-size:13px;color:#5d6775;text-transform:uppercase;letter-spacing:.04em}
.bead{background:#fff;border:1px solid #e1e5eb;border-left:5px solid transparent;
 border-radius:5px;margin-bottom:3px}
.n{color:#5d6775;text-align:right;font-variant-numeric:tabular-nums}
.t{overflow-wrap:anywhere;min-width:0}
.s{text-align:right;font-size:13px;font-variant-numeric:tabular-nums;color:#5d6775}
.ids{display:block;color:#8a93a0;font-size:11px}
.none{color:#8a93a0}
.bead.weak{border-left-color:#d97706;background:#fff4d6!important}.bead.weak .s{color:#9a4a00;font-weight:700}
.bead.omit{border-left-color:#b3261e;background:#fdecea!important}
.bead.omit .s{color:#b3261e;font-weight:700}
@media (max-width:700px){
 header{position:static;padding:10px 12px}main{padding:8px 6px 30px}
 .head{display:none}
 .bead{grid-template-columns:minmax(0,1fr) auto;gap:2px 8px;padding:5px 8px}
 .bead .n{grid-column:1;grid-row:1;text-align:left;font-size:12px}
 .bead .s{grid-column:2;grid-row:1}
 .bead .t.src{grid-column:1/-1;grid-row:2}
 .bead .t.tgt{grid-column:1/-1;grid-row:3;border-top:1px dashed #d9dee6;padding-top:4px}
}
"""

def shade(score: float) -> str:
    """Background of a paired bead: green when confident, amber when weak."""
    hue = 40 + 80 * max(0.0, min(1.0, score))  # 40 = amber .. 120 = green
    return f"background:hsl({hue:.0f},60%,95%)"


def _ids(lang: str, ids: tuple[int, ...]) -> str:
    """1-based sentence numbers: ``EN 6-7``."""
    if not ids:
        return ""
    first, last = ids[0] + 1, ids[-1] + 1
    return f"{lang.upper()} {first}" if first == last else f"{lang.upper()} {first}–{last}"


def _label(b: Bead, weak: float, src_lang: str, tgt_lang: str) -> tuple[str, str]:
    if not b.tgt or not b.src:
        doubt = f" ({b.score:.2f} doubtful)" if b.score < weak else ""
        return "omit", f"no {(src_lang if b.tgt else tgt_lang).upper()}{doubt}"
    if b.score < weak:
        return "weak", f"{b.score:.2f} weak"
    return "ok", f"{b.score:.2f}"


def to_html(al: Alignment, *, src_lang: str, tgt_lang: str, weak: float, title: str) -> str:
    """One self-contained review page: both editions side by side, beads shaded by confidence."""
    src_lang, tgt_lang, title = clean_text(src_lang), clean_text(tgt_lang), clean_text(title)
    _, n_weak, n_omit, n_doubt = al.counts(weak)
    rows = [E.DIV({"class": "head"}, E.SPAN("#", {"class": "n"}), E.SPAN(src_lang.upper()),
                  E.SPAN(tgt_lang.upper()), E.SPAN("conf", {"class": "s"}))]
    for no, (src, tgt, b) in enumerate(al.pairs(), 1):
        cls, label = _label(b, weak, src_lang, tgt_lang)
        cells = [E.DIV({"class": f"t {side}", "lang": lang},
                       clean_text(text) if text else E.SPAN("—", {"class": "none"}),
                       E.SPAN(_ids(lang, ids), {"class": "ids"}))
                 for side, lang, text, ids in (("src", src_lang, src, b.src),
                                               ("tgt", tgt_lang, tgt, b.tgt))]
        rows.append(E.DIV({"class": f"bead {cls}", "id": f"b{no}",
                           "style": shade(b.score) if cls != "omit" else "",
                           "title": f"bead {no}: {b.kind}"},
                          E.DIV(str(no), {"class": "n"}), *cells,
                          E.DIV(label, {"class": "s"})))
    summary = (f"{len(al.src)} {src_lang.upper()} / {len(al.tgt)} {tgt_lang.upper()} sentences,"
               f" {len(al.beads)} beads: {n_weak} weak (confidence < {weak:.2f}),"
               f" {n_omit} omissions"
               + (f" ({n_doubt} doubtful)" if n_doubt else ""))
    page = E.HTML(
        E.HEAD(E.META(charset="utf-8"),
               E.META(name="viewport", content="width=device-width, initial-scale=1"),
               E.TITLE(title), E.STYLE(_CSS)),
        E.BODY(
            E.HEADER(
                E.H1(title), E.DIV(summary, {"class": "summary"}),
                *[E.DIV("⚠ " + clean_text(w), {"class": "warn"}) for w in al.warnings],
                E.DIV({"class": "legend"}, E.SPAN("confident", style=shade(1.0)),
                      E.SPAN("weak", style="background:#fff4d6;border-left-color:#d97706"),
                      E.SPAN("omitted", style="background:#fdecea;border-left-color:#b3261e")),
            ),
            E.MAIN(*rows),
        ),
        lang=src_lang,
    )
    return "<!DOCTYPE html>\n" + str(lxml.html.tostring(page, encoding="unicode",
                                                       pretty_print=True))
