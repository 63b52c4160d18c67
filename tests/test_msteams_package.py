"""`python -m bot teams-package` writes an app package Teams accepts."""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from bot.__main__ import main
from handlers.msteams.package import MANIFEST_VERSION, SCHEMA_URL
from tests.node_checks import check_manifest

CLIENT_ID = "0b7c8e2a-5f14-4d3b-9a61-2e8f0c4d7b95"
APP_ID = "6e1d2c3b-4a59-4867-8f9e-0a1b2c3d4e5f"


@pytest.fixture
def teams_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Only the two variables the command reads, and no .env file to add others."""
    for name in list(os.environ):
        if name.startswith("TEAMS_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TEAMS_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("TEAMS_APP_ID", APP_ID)
    return tmp_path


def write_package(directory: Path, *argv: str) -> dict[str, bytes]:
    out = directory / "delight-teams.zip"
    assert main(["teams-package", "--out", str(out), *argv]) == 0
    with zipfile.ZipFile(out) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def manifest_of(files: dict[str, bytes]) -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads(files["manifest.json"])
    return manifest


def test_the_package_holds_the_manifest_and_both_icons_at_its_root(teams_env: Path) -> None:
    files = write_package(teams_env)
    assert sorted(files) == ["color.png", "manifest.json", "outline.png"]
    icons = manifest_of(files)["icons"]
    assert {icons["color"], icons["outline"]} == {"color.png", "outline.png"}


def test_the_manifest_validates_against_microsofts_schema(teams_env: Path) -> None:
    manifest = manifest_of(write_package(teams_env, "--domain", "delight.example.com"))
    assert check_manifest(manifest) == []


def test_the_schema_checker_would_see_a_broken_manifest(teams_env: Path) -> None:
    manifest = manifest_of(write_package(teams_env))
    manifest["bots"][0]["scopes"].append("everywhere")
    del manifest["accentColor"]
    errors = check_manifest(manifest)
    assert any("/bots/0/scopes/3" in error for error in errors), errors
    assert any("accentColor" in error for error in errors), errors


def test_the_manifest_is_at_a_generally_available_schema_version(teams_env: Path) -> None:
    manifest = manifest_of(write_package(teams_env))
    assert manifest["manifestVersion"] == MANIFEST_VERSION
    assert manifest["$schema"] == SCHEMA_URL
    assert f"/v{MANIFEST_VERSION}/" in SCHEMA_URL
    major, minor = (int(part) for part in MANIFEST_VERSION.split("."))
    assert (major, minor) >= (1, 24)


def test_the_app_is_the_configured_id_and_the_bot_is_the_client_id(teams_env: Path) -> None:
    manifest = manifest_of(write_package(teams_env))
    assert manifest["id"] == APP_ID
    [bot] = manifest["bots"]
    assert bot["botId"] == CLIENT_ID
    assert sorted(bot["scopes"]) == ["groupChat", "personal", "team"]
    [extension] = manifest["composeExtensions"]
    assert extension["botId"] == CLIENT_ID


def test_the_app_id_has_a_stable_default(teams_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TEAMS_APP_ID")
    first = manifest_of(write_package(teams_env))["id"]
    assert first == manifest_of(write_package(teams_env))["id"]
    assert first != APP_ID


def test_the_personal_chat_lists_its_commands(teams_env: Path) -> None:
    [bot] = manifest_of(write_package(teams_env))["bots"]
    [commands] = bot["commandLists"]
    assert commands["scopes"] == ["personal"]
    titles = [command["title"] for command in commands["commands"]]
    assert titles == ["help", "me", "top", "undo", "home", "settings", "tips"]
    assert all(command["description"] for command in commands["commands"])


def test_the_message_action_opens_a_dialog_from_messages_and_the_compose_box(
    teams_env: Path,
) -> None:
    [extension] = manifest_of(write_package(teams_env))["composeExtensions"]
    [command] = extension["commands"]
    assert command["id"] == "recognise"
    assert command["title"] == "Recognise with Delight"
    assert command["type"] == "action"
    assert command["fetchTask"] is True
    assert sorted(command["context"]) == ["commandBox", "compose", "message"]


def test_valid_domains_are_the_ones_given(teams_env: Path) -> None:
    assert "validDomains" not in manifest_of(write_package(teams_env))
    manifest = manifest_of(write_package(teams_env, "--domain", "Delight.Example.com"))
    assert manifest["validDomains"] == ["delight.example.com"]


def test_the_colour_icon_is_192_pixels_square_and_opaque(teams_env: Path) -> None:
    icon = Image.open(io.BytesIO(write_package(teams_env)["color.png"]))
    assert icon.format == "PNG"
    assert icon.size == (192, 192)
    assert icon.mode == "RGB"
    assert len(icon.getcolors(192 * 192) or []) > 2  # a drawing, not a blank square


def test_the_outline_icon_is_32_pixels_white_on_transparent(teams_env: Path) -> None:
    icon = Image.open(io.BytesIO(write_package(teams_env)["outline.png"]))
    assert icon.format == "PNG"
    assert icon.size == (32, 32)
    assert icon.mode == "RGBA"
    colours = icon.getcolors(32 * 32) or []
    assert {pixel[:3] for _count, pixel in colours} == {(255, 255, 255)}  # the alpha draws
    transparent = sum(count for count, pixel in colours if pixel[3] == 0)
    assert transparent > 32 * 32 // 3  # a transparent background…
    assert icon.getpixel((0, 31)) == (255, 255, 255, 0)
    assert max(pixel[3] for _count, pixel in colours) == 255  # …and an opaque mark


def test_the_same_settings_make_the_same_bytes(teams_env: Path) -> None:
    assert write_package(teams_env) == write_package(teams_env)


def test_the_package_needs_neither_slack_nor_a_database(teams_env: Path) -> None:
    assert not any(name.startswith(("SLACK_", "DATABASE_URL")) for name in os.environ)
    write_package(teams_env)
    assert sorted(path.name for path in teams_env.iterdir()) == ["delight-teams.zip"]


def test_without_the_client_id_the_command_says_so_and_writes_nothing(
    teams_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("TEAMS_CLIENT_ID")
    assert main(["teams-package", "--out", str(teams_env / "delight-teams.zip")]) == 2
    error = capsys.readouterr().err
    assert error.startswith("python -m bot teams-package: TEAMS_CLIENT_ID is not set")
    assert len(error.strip().splitlines()) == 1
    assert not (teams_env / "delight-teams.zip").exists()


@pytest.mark.parametrize(
    "argv",
    [("--domain", "https://delight.example.com/"), ("--app-version", "2"), ("--terms-url", "x")],
)
def test_a_wrong_option_is_one_line_and_exit_2(
    teams_env: Path, capsys: pytest.CaptureFixture[str], argv: tuple[str, str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["teams-package", *argv])
    assert exit_.value.code == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
