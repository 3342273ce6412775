"""Upload cost of a large picture: peak memory and time of Tandem's check + thumbnail (made once at
upload, a JPEG decoded at reduced scale, no full-size copy) beside the naive path in the same run
(turn and convert the full-size image, then shrink it), for a 6,000 x 6,000 PNG and JPEG.

Each variant runs in a fresh interpreter; its peak is the resident set sampled every millisecond,
above what it held before the work.

    .venv/bin/python bench/media_bench.py
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIDE = 6000

CHILD = r"""
import io, json, os, sys, threading, time
from PIL import Image, ImageOps
from crmapp.services.social import media

PAGE = os.sysconf("SC_PAGE_SIZE")


def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE


peak, running = [0], [True]


def sample():  # the resident set, every millisecond
    while running[0]:
        peak[0] = max(peak[0], rss())
        time.sleep(0.001)


data = open(sys.argv[2], "rb").read()
before = rss()
threading.Thread(target=sample, daemon=True).start()
start = time.perf_counter()
if sys.argv[1] == "tandem":
    media.inspect(data, "big")
    media.thumbnail(data)
else:  # naive: a full-size upright RGB copy, then shrink
    full = ImageOps.exif_transpose(Image.open(io.BytesIO(data))).convert("RGB")
    full.thumbnail((media.THUMB_SIDE, media.THUMB_SIDE))
    full.save(io.BytesIO(), format="JPEG", quality=80)
ms = (time.perf_counter() - start) * 1000
running[0] = False
time.sleep(0.01)
print(json.dumps({"ms": ms, "mb": (max(peak[0], rss()) - before) / 2**20}))
"""


def _picture(fmt: str) -> bytes:
    from PIL import Image

    gradient = Image.linear_gradient("L").resize((SIDE, SIDE))
    image = Image.merge("RGB", (gradient, gradient.rotate(90), gradient.rotate(180)))
    out = io.BytesIO()
    image.save(out, format=fmt, **({"quality": 90} if fmt == "JPEG" else {}))
    return out.getvalue()


def _run(variant: str, path: Path) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, variant, str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    tmp = ROOT / ".data" / "bench"
    tmp.mkdir(parents=True, exist_ok=True)
    for fmt in ("PNG", "JPEG"):
        path = tmp / f"big.{fmt.lower()}"
        path.write_bytes(_picture(fmt))
        size = path.stat().st_size / 1e6
        ours, naive = _run("tandem", path), _run("naive", path)
        print(
            f"{SIDE}x{SIDE} {fmt} ({size:.1f} MB): check + thumbnail peak +{ours['mb']:.0f} MB "
            f"in {ours['ms']:.0f} ms; naive (full-size copy) +{naive['mb']:.0f} MB "
            f"in {naive['ms']:.0f} ms; memory ratio {ours['mb'] / max(naive['mb'], 1):.2f}"
        )
        path.unlink()


if __name__ == "__main__":
    main()
