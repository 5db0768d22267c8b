"""MAP_TILE_URL: the tile server is a setting; set empty, there is no map (the list only)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import json; from tsunagu.settings import base as s; print(json.dumps({"
    "'url': s.MAP_TILE_URL, 'leaflet': s.LEAFLET_CONFIG['TILES'], 'origin': s.MAP_TILES_ORIGIN,"
    "'img': s.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src']}))"
)
OSM = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"


def _map_settings(**env: str) -> dict:
    clean = {k: v for k, v in os.environ.items() if k not in {"MAP_TILE_URL", "MAP_TILES_URL"}}
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    ("env", "url", "img_src"),
    [
        pytest.param({}, OSM, ["'self'", "data:", "https://tile.openstreetmap.org"], id="default"),
        pytest.param(
            {"MAP_TILE_URL": "https://tiles.town.example.jp/{z}/{x}/{y}.png"},
            "https://tiles.town.example.jp/{z}/{x}/{y}.png",
            ["'self'", "data:", "https://tiles.town.example.jp"],
            id="self-hosted",
        ),
        pytest.param(
            {"MAP_TILE_URL": "/tiles/{z}/{x}/{y}.png"},
            "/tiles/{z}/{x}/{y}.png",
            ["'self'", "data:"],
            id="same origin",
        ),
        pytest.param({"MAP_TILE_URL": ""}, "", ["'self'", "data:"], id="empty: no map"),
        pytest.param(
            # docker-compose passes the older name, empty when unset: that keeps the default.
            {"MAP_TILES_URL": ""},
            OSM,
            ["'self'", "data:", "https://tile.openstreetmap.org"],
            id="older name empty",
        ),
        pytest.param(
            {"MAP_TILES_URL": "https://old.example.jp/{z}/{x}/{y}.png"},
            "https://old.example.jp/{z}/{x}/{y}.png",
            ["'self'", "data:", "https://old.example.jp"],
            id="older name",
        ),
    ],
)
def test_map_tile_url(env: dict[str, str], url: str, img_src: list[str]) -> None:
    loaded = _map_settings(**env)
    assert loaded["url"] == loaded["leaflet"] == url
    assert loaded["img"] == img_src
