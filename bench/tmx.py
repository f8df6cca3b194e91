"""TMX import/export speed and memory on a synthetic translation memory.

    python bench/tmx.py                  # 1,000,000 units (a few minutes)
    python bench/tmx.py --units 100000

Writes a synthetic TMX (news-like English/Russian sentences, numbers varied so every unit is
distinct, a prop on every tenth unit), then times, each in a fresh child process so peak RSS is
its own: ``import`` into an empty database, and ``export`` of everything. Prints a table.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tm.tmx import export_header
from tm.tmx.model import Prop, TMXUnit, TMXVariant
from tm.tmx.write import write_tmx

_EN = ["The ministry said {n} people were evacuated from {c} on {d}.",
       "Prices in {c} rose by {n} percent in the year to {d}.",
       "Officials expect {n} visitors at the festival in {c}.",
       "The council of {c} approved a budget of {n} million roubles on {d}."]
_RU = ["Министерство сообщило, что из {c} эвакуированы {n} человек {d}.",
       "Цены в {c} за год выросли на {n} процента к {d}.",
       "Чиновники ожидают {n} посетителей на фестивале в {c}.",
       "Совет {c} утвердил бюджет в {n} миллионов рублей {d}."]
_CITIES = [("Kazan", "Казани"), ("Omsk", "Омска"), ("Tver", "Твери"), ("Perm", "Перми")]
_DAYS = [("Monday", "в понедельник"), ("Friday", "в пятницу"), ("March", "в марте")]


def synthetic_units(n: int, seed: int = 1) -> Iterator[TMXUnit]:
    """``n`` distinct English/Russian units."""
    rnd = random.Random(seed)
    for i in range(n):
        k = rnd.randrange(len(_EN))
        (ce, cr), (de, dr) = rnd.choice(_CITIES), rnd.choice(_DAYS)
        num = f"{i:,}"
        props = (Prop("x-source", f"bench-{i // 1000}"),) if i % 10 == 0 else ()
        yield TMXUnit((TMXVariant("en", _EN[k].format(n=num, c=ce, d=de)),
                       TMXVariant("ru", _RU[k].format(n=num, c=cr, d=dr))), props=props)


def _child(code: str) -> tuple[float, float, float]:
    """Run ``code`` in a fresh interpreter; returns wall seconds, CPU seconds (user + system:
    what the machine's other load does not inflate) and peak RSS MB of that child."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"benchmark step failed with exit code {proc.returncode}")
    cpu = usage.ru_utime + usage.ru_stime
    return time.perf_counter() - start, cpu, usage.ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--units", type=int, default=1_000_000)
    ap.add_argument("--dir", type=Path, default=None, help="work folder [default: a temp dir]")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        src, db, out = Path(tmp, "in.tmx"), Path(tmp, "tm.db"), Path(tmp, "out.tmx")
        t = time.perf_counter()
        with open(src, "wb") as f:
            write_tmx(f, export_header(version="bench"), synthetic_units(args.units))
        gen = time.perf_counter() - t
        imp = _child(
            "from pathlib import Path; from tm.store import TM; from tm.tmx import import_tmx\n"
            f"tm = TM.open({str(db)!r}); print(import_tmx(tm, Path({str(src)!r})))")
        exp = _child(
            "from tm.store import TM; from tm.tmx import export_tmx\n"
            f"tm = TM.open({str(db)!r})\n"
            f"with open({str(out)!r}, 'wb') as f: export_tmx(tm, f)")
        mb = 1024 * 1024
        print(f"\n{args.units:,} units; TMX {src.stat().st_size / mb:.0f} MB (generated in "
              f"{gen:.1f} s); database {db.stat().st_size / mb:.0f} MB\n")
        print(f"{'step':<8}{'wall s':>9}{'CPU s':>9}{'units/s (wall)':>16}{'peak RSS MB':>13}")
        for name, (wall, cpu, rss) in (("import", imp), ("export", exp)):
            print(f"{name:<8}{wall:>9.1f}{cpu:>9.1f}{args.units / wall:>16,.0f}{rss:>13.0f}")


if __name__ == "__main__":
    main()
