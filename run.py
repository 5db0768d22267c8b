#!/usr/bin/env python3
"""The README's two commands, with nothing but Python >= 3.11 on the machine.

    python3 run.py demo   set up .venv, migrate, load the sample town, serve http://127.0.0.1:8000
    python3 run.py test   set up .venv and run the whole test suite (extra args go to pytest)

The virtualenv is (re)installed whenever pyproject.toml or requirements.lock change, from the
lock file as constraints, so every machine gets the same versions.
"""

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / "python"
STAMP = VENV / ".tsunagu-installed"
INPUTS = ("pyproject.toml", "requirements.lock")


def _fingerprint() -> str:
    digest = hashlib.sha256()
    for name in INPUTS:
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()


def _run(*args: str | Path, **kwargs) -> None:
    subprocess.run([str(a) for a in args], cwd=ROOT, check=True, **kwargs)


def ensure_venv() -> None:
    """Create and install the virtualenv unless it is already up to date."""
    if sys.version_info < (3, 11):
        sys.exit("Python 3.11 以上が必要です / Python >= 3.11 is required.")
    fingerprint = _fingerprint()
    if STAMP.exists() and STAMP.read_text() == fingerprint and PYTHON.exists():
        return
    if not PYTHON.exists():
        print("==> 仮想環境を作成しています (.venv)")
        venv.EnvBuilder(with_pip=True).create(VENV)
    print("==> 依存パッケージをインストールしています (初回は数分かかります)")
    _run(PYTHON, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    _run(
        PYTHON, "-m", "pip", "install", "--quiet",
        "-c", ROOT / "requirements.lock", "-e", f"{ROOT}[dev]",
    )  # fmt: skip
    STAMP.write_text(fingerprint)


def demo() -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tsunagu.settings.dev"}
    print("==> データベースを準備しています")
    _run(PYTHON, "manage.py", "migrate", "--noinput", env=env)
    print("==> サンプルの町（和泊町）を読み込んでいます")
    loaded = subprocess.run([str(PYTHON), "manage.py", "load_demo"], cwd=ROOT, env=env)
    if loaded.returncode != 0:
        print("    サンプルは読み込みませんでした。既存のデータのまま起動します。")
    print(
        "\n==> http://127.0.0.1:8000/ で公開しています (Ctrl+C で停止)\n"
        "    管理画面: http://127.0.0.1:8000/admin/ — ユーザー名 admin、パスワードは初回に表示\n"
        "    初回ログインで二要素認証（スマートフォンの認証アプリ）を設定します。\n"
        "    パスワードを忘れたら: .venv/bin/python manage.py changepassword admin\n"
    )
    os.execve(PYTHON, [str(PYTHON), "manage.py", "runserver", "127.0.0.1:8000"], env)


def test(pytest_args: list[str]) -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tsunagu.settings.test"}
    os.execve(PYTHON, [str(PYTHON), "-m", "pytest", *pytest_args], env)


def main() -> None:
    command, *rest = sys.argv[1:] or ["help"]
    if command not in {"demo", "test"}:
        sys.exit(__doc__)
    os.chdir(ROOT)
    ensure_venv()
    if command == "demo":
        demo()
    else:
        test(rest)


if __name__ == "__main__":
    main()
