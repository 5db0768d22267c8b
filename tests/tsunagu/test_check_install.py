"""``manage.py check_install``: one Japanese line per finding, failing on essential ones."""

import os
import time
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

ROOT = Path(__file__).resolve().parents[2]
SMTP = "django.core.mail.backends.smtp.EmailBackend"

pytestmark = pytest.mark.django_db


def report() -> tuple[list[str], str | None]:
    out = StringIO()
    try:
        call_command("check_install", stdout=out, stderr=StringIO())
    except CommandError as exc:
        return out.getvalue().splitlines(), str(exc)
    return out.getvalue().splitlines(), None


@pytest.fixture
def ready(settings, tmp_path, monkeypatch):
    """An install with everything in place: set up, 2FA, mail, DEBUG off, a fresh backup."""
    call_command("setup_town", str(ROOT / "deploy" / "town.example.toml"), stdout=StringIO())
    admin = get_user_model().objects.create_superuser("chief", "chief@town.example.jp", "x")
    TOTPDevice.objects.create(user=admin, name="authenticator", confirmed=True)
    settings.OUTBOX_EMAIL_BACKEND = SMTP
    settings.EMAIL_HOST = "smtp.town.example.jp"
    settings.DEFAULT_FROM_EMAIL = "tsunagu@town.example.jp"
    settings.DEBUG = False
    settings.MAP_TILE_URL = "https://tiles.town.example.jp/{z}/{x}/{y}.png"
    (tmp_path / "tsunagu-2026-12-01.dump").write_bytes(b"PGDMP")
    monkeypatch.setenv("BACKUP_DIR", str(tmp_path))
    return admin


def test_a_complete_install_passes(ready):
    lines, failure = report()
    assert failure is None
    assert lines == [
        "[OK] 和泊町 は設定済みです（地区 2 件）。",
        "[OK] 管理画面を使う職員 1 人全員が2段階認証を設定しています。",
        "[OK] メールは smtp.town.example.jp から差出人 tsunagu@town.example.jp で送られます。",
        "[OK] DEBUG はオフです。",
        "[OK] 最新のバックアップ: tsunagu-2026-12-01.dump（1 件保存）。",
        "[OK] 地図のタイルは https://tiles.town.example.jp/{z}/{x}/{y}.png から読み込みます。",
    ]


def test_an_empty_install_lists_every_essential_gap(settings, monkeypatch):
    monkeypatch.delenv("BACKUP_DIR", raising=False)
    settings.OUTBOX_EMAIL_BACKEND = SMTP
    settings.EMAIL_HOST = "localhost"
    settings.DEFAULT_FROM_EMAIL = "tsunagu@localhost"
    settings.DEBUG = True
    settings.MAP_TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    lines, failure = report()
    assert lines == [
        "[要対応] 町が設定されていません。setup_town 設定ファイル を実行してください。",
        "[要対応] 管理者がいません。createsuperuser で作成してください。",
        "[要対応] メールの設定が初期値のままです。"
        "EMAIL_HOST、DEFAULT_FROM_EMAIL を設定してください。",
        "[要対応] DEBUG がオンです。住民が使う前にオフにしてください。",
        "[要対応] バックアップが設定されていません。"
        "BACKUP_DIR にバックアップの保存先を設定してください。",
        "[注意] 地図に OpenStreetMap の公開タイルサーバーを使っています。"
        "サービスでの利用は想定されていないため、"
        "MAP_TILE_URL に町のタイルサーバーか契約したタイル提供元を設定してください。",
    ]
    assert failure == "必須の項目が 5 件足りません。"


def test_staff_without_a_second_factor_are_named(ready):
    get_user_model().objects.create_user("clerk", is_staff=True)
    get_user_model().objects.create_user("resident")  # no admin access: not counted
    lines, failure = report()
    assert "[要対応] 2段階認証を設定していない職員（1 人）: clerk" in lines
    assert failure == "必須の項目が 1 件足りません。"


def test_an_unconfirmed_device_does_not_count(ready):
    TOTPDevice.objects.filter(user=ready).update(confirmed=False)
    assert "[要対応] 2段階認証を設定していない職員（1 人）: chief" in report()[0]


def test_an_old_or_missing_backup_is_reported(ready, tmp_path, monkeypatch):
    dump = tmp_path / "tsunagu-2026-12-01.dump"
    old = time.time() - 72 * 3600
    os.utime(dump, (old, old))
    assert (
        "[要対応] 最新のバックアップ tsunagu-2026-12-01.dump は 72 時間前のものです。"
        in report()[0]
    )
    dump.unlink()
    assert f"[要対応] {tmp_path} にバックアップがまだありません。" in report()[0]
    monkeypatch.setenv("BACKUP_DIR", str(tmp_path / "nowhere"))
    assert f"[要対応] バックアップの保存先 {tmp_path / 'nowhere'} がありません。" in report()[0]


def test_the_sample_town_is_not_a_real_install(settings):
    call_command("load_demo", stdout=StringIO())
    lines, _failure = report()
    assert (
        lines[0]
        == "[要対応] サンプルの町のデータが入っています。空のデータベースから始めてください。"
    )
