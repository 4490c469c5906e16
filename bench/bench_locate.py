"""Locating a GPS fix costs about the same with 1,000 zones as with 10: the index, not a loop.

Loads 10 and then 1,000 synthetic zones (a grid of small squares over Issy) into two temporary
SQLite databases through the real zones services, and times in one run, per lookup (timeit, best
of several repeats, so the ratios hold on any machine):
- the index query alone (`ZoneIndex.zone_ids_at`: the STRtree of zones/locator.py);
- the whole `zones_at` service of `GET /zones/locate` (fingerprint query, index, zones fetched);
- for contrast, a loop testing every zone's prepared polygon, what the index avoids;
- and, once per worker after a zone write, rebuilding the index from the database.
Each is printed as a ratio, cost at 1,000 zones / cost at 10.

    python bench/bench_locate.py
"""

import random
import sys
import tempfile
import timeit
from collections.abc import Callable
from pathlib import Path

# Run as a script from anywhere: the project root holds the `app` and `zones` packages.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402 - importable only once the root is on the path
from shapely import prepare  # noqa: E402
from shapely.geometry import Point  # noqa: E402

from app import create_app  # noqa: E402
from app.db import db  # noqa: E402
from bench.harness import result  # noqa: E402
from zones.geometry import to_shape  # noqa: E402
from zones.locator import build_index, current_index, zones_at  # noqa: E402
from zones.services import create_zone  # noqa: E402

REPEATS = 7
CELL = 0.002  # degrees: a zone some 150 x 220 m
WEST, SOUTH = 2.24, 48.81
GRIDS = {10: (5, 2), 1000: (40, 25)}  # zones: (columns, rows)
LOOKUPS = 200


def square(column: int, row: int) -> dict:
    lon, lat = round(WEST + column * CELL, 6), round(SOUTH + row * CELL, 6)
    east, north = round(lon + CELL, 6), round(lat + CELL, 6)
    ring = [[lon, lat], [east, lat], [east, north], [lon, north], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def fixes(columns: int, rows: int) -> list[tuple[float, float]]:
    """GPS fixes (lat, lon) spread over the grid, the same draw for every run."""
    draw = random.Random(42)
    return [
        (SOUTH + draw.uniform(0, rows * CELL), WEST + draw.uniform(0, columns * CELL))
        for _ in range(LOOKUPS)
    ]


def best_time(work: Callable[[], object]) -> float:
    timer = timeit.Timer(work)
    number, _ = timer.autorange()
    return min(timer.repeat(repeat=REPEATS, number=number)) / number


def per_lookup(lookup: Callable[[float, float], object], points: list) -> float:
    def run() -> None:
        for lat, lon in points:
            lookup(lat, lon)

    return best_time(run) / len(points)


def measure(zone_count: int, directory: Path) -> dict[str, float]:
    columns, rows = GRIDS[zone_count]
    database = directory / f"locate-{zone_count}.sqlite3"
    env = {"DATABASE_URL": f"sqlite:///{database}", "LOG_LEVEL": "WARNING"}
    app = create_app(env)
    with app.app_context():
        upgrade()
        for column in range(columns):
            for row in range(rows):
                create_zone(f"G{column:02d}-{row:02d}", "Grid zone", square(column, row))
        db.session.commit()
        points = fixes(columns, rows)
        index = current_index()
        shapes = [to_shape(square(c, r)) for c in range(columns) for r in range(rows)]
        for shape in shapes:
            prepare(shape)
        return {
            "index query": per_lookup(lambda lat, lon: index.zone_ids_at(lon, lat), points),
            "locate service": per_lookup(zones_at, points),
            "loop over zones": per_lookup(
                lambda lat, lon: [s for s in shapes if s.intersects(Point(lon, lat))], points
            ),
            "index rebuild": best_time(build_index),
        }


def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        costs = {count: measure(count, Path(directory)) for count in GRIDS}
    print(f"{'cost':<17}{'10 zones':>11}{'1000 zones':>12}{'1000/10':>9}")
    for name in costs[10]:
        small, large = costs[10][name], costs[1000][name]
        print(f"{name:<17}{small * 1e6:>9.1f}us{large * 1e6:>10.1f}us{large / small:>8.2f}x")
    ratio = costs[1000]["index query"] / costs[10]["index query"]
    print(f"\nindex query 1000 / 10 zones: {ratio:.2f}x (for 100x the zones)")
    result("locate, index query, 1,000 zones", f"{ratio:.2f}x", "the same with 10 zones", "")


if __name__ == "__main__":
    main()
