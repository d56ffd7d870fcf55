"""⚙ Env in the app: edit as TOML, validate, save (0600), reload, and survive broken files."""

from __future__ import annotations

import os
import stat

import pytest
from textual.widgets import Static, TextArea

from dsv4_tui.app import DSV4App
from dsv4_tui.host.paths import config_dir, env_path
from dsv4_tui.screens.env_screen import EnvScreen
from tui_helpers import as_shown, block_on_screen, command_on_screen, notes, plain

SIZE = (100, 40)
TOKEN = "hf_FakeToken0123456789abcdef"


@pytest.fixture(autouse=True)
def no_local_clipboard(monkeypatch):
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "TMUX"):
        monkeypatch.delenv(name, raising=False)


async def open_env(pilot) -> EnvScreen:
    await pilot.press("e")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, EnvScreen)
    return screen


async def save_text(pilot, text: str) -> None:
    """Replace the editor's text and press Ctrl+S, like a user pasting a new Env."""
    screen = await open_env(pilot)
    editor = screen.query_one("#env-editor", TextArea)
    assert pilot.app.focused is editor
    editor.load_text(text)
    await pilot.press("ctrl+s")
    await pilot.pause()


def errors_shown(screen: EnvScreen) -> str:
    return plain(screen.query_one("#env-errors", Static))


async def test_editor_starts_with_every_key_and_its_default(rules):
    app = DSV4App(rules, detect=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_env(pilot)
        text = screen.query_one("#env-editor", TextArea).text
        for key, ph in rules.model.placeholders.items():
            assert f'{key} = "{ph.default}"' in text
        assert str(env_path()) in plain(screen.query_one(".path"))
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, EnvScreen)
        assert not env_path().exists()  # cancel writes nothing


@pytest.mark.cold_rules_cache  # lists the config folder: nothing in it but what the test made
async def test_save_applies_writes_0600_and_reloads(rules):
    app = DSV4App(rules, detect=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "--port 30000" in command_on_screen(app)
        text = '# my box\nPORT = "8080"\n'
        await save_text(pilot, text)
        assert not isinstance(app.screen, EnvScreen)
        path = config_dir() / "env.toml"
        assert path.read_text(encoding="utf-8") == text  # saved as typed, comments kept
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert app.env.get("PORT") == "8080"
        assert "--port 8080" in command_on_screen(app)
        assert "--port 30000" not in command_on_screen(app)
        await pilot.press("p")
        await pilot.pause()
        assert "  -p 8080:8080 \\\n" in command_on_screen(app)
        assert any(title == "⚙ Env" and message == f"Saved to {path}" for title, _, message in notes(app))
        # No stray temp files from the atomic write.
        left = {p.name for p in config_dir().iterdir()} - {"state.toml"}  # saved when it settles
        assert left == {"env.toml"}

    again = DSV4App(rules, detect=False)
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert again.env.get("PORT") == "8080"
        assert "  -p 8080:8080 \\\n" in command_on_screen(again)  # framing remembered too
        screen = await open_env(pilot)
        assert 'PORT = "8080"' in screen.query_one("#env-editor", TextArea).text


async def test_save_button_saves(rules):
    app = DSV4App(rules, detect=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_env(pilot)
        screen.query_one("#env-editor", TextArea).load_text('HOST_IP = "127.0.0.1"\n')
        assert await pilot.click("#env-save")
        await pilot.pause()
        assert not isinstance(app.screen, EnvScreen)
        assert "--host 127.0.0.1" in command_on_screen(app)
        assert env_path().is_file()


async def test_typing_into_the_editor(rules):
    app = DSV4App(rules, detect=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_env(pilot)
        editor = screen.query_one("#env-editor", TextArea)
        editor.load_text("")
        await pilot.press(*'PORT = "9001"')
        assert editor.text == 'PORT = "9001"'
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "--port 9001" in command_on_screen(app)


async def test_ctrl_a_selects_all_and_typing_replaces_it(rules):
    app = DSV4App(rules, detect=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_env(pilot)
        editor = screen.query_one("#env-editor", TextArea)
        editor.focus()
        await pilot.pause()
        await pilot.press("ctrl+a")
        assert editor.selected_text == editor.text != ""
        await pilot.press(*'PORT = "9002"')
        assert editor.text == 'PORT = "9002"'


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ('HOST_IP = "0.0.0.0"\nPORT = "99999"\n', 2, "PORT must be a port number 1-65535, got '99999'"),
        ('PORT = "8080"\nHF_TOKEN = "abc\n', 2, "TOML syntax error"),
        ('PORT = "8080"\n\nBOGUS = "1"\n', 3, "unknown key 'BOGUS'"),
    ],
)
async def test_invalid_env_is_not_saved_and_says_where(rules, text, line, words):
    path = env_path()
    path.write_text('PORT = "7000"\n', encoding="utf-8")
    before = path.read_bytes()
    app = DSV4App(rules, detect=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await save_text(pilot, text)
        screen = app.screen
        assert isinstance(screen, EnvScreen)  # still open, the text still there to fix
        assert screen.query_one("#env-editor", TextArea).text == text
        errors = errors_shown(screen)
        assert errors.startswith("Not saved:")
        assert f"{path}:{line}" in errors
        assert words in errors
        assert path.read_bytes() == before
        assert app.env.get("PORT") == "7000"
        assert "--port 7000" in command_on_screen(app)
        # Fixing the text and saving again works.
        screen.query_one("#env-editor", TextArea).load_text('PORT = "8080"\n')
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, EnvScreen)
        assert "--port 8080" in command_on_screen(app)


@pytest.mark.parametrize(
    ("content", "where"),
    [(b'PORT = "99999"\n', ":1: PORT must be a port number"), (b'# ok\nPORT = "80\n', ":2:")],
)
async def test_corrupt_env_file_at_startup(rules, content, where):
    path = env_path()
    path.write_bytes(content)
    app = DSV4App(rules, detect=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.env.get("PORT") == "30000"  # defaults in use
        assert "--port 30000" in command_on_screen(app)
        [(title, severity, message)] = notes(app)
        assert severity == "error"
        assert "Could not use your Env file" in message
        assert f"{path}{where}" in message
        # The editor opens on the broken file with the problem shown, so it can be fixed.
        screen = await open_env(pilot)
        assert screen.query_one("#env-editor", TextArea).text == content.decode()
        assert f"{path}{where}" in errors_shown(screen)
        await pilot.press("escape")
        await pilot.press("p")  # and the app keeps working
        await pilot.pause()
        assert app.framing == "docker"
        await pilot.press("q")
    assert path.read_bytes() == content  # untouched: never overwritten by defaults


async def test_unwritable_config_dir_keeps_the_new_values_for_the_session(rules, tmp_path, monkeypatch):
    app = DSV4App(rules, detect=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        # Tests run as root, where chmod does not stop writes: put the folder under a file.
        afile = tmp_path / "afile"
        afile.write_text("not a folder")
        monkeypatch.setenv("DSV4_CONFIG_DIR", str(afile / "cfg"))
        await save_text(pilot, 'PORT = "8080"\n')
        assert not isinstance(app.screen, EnvScreen)
        errors = [(t, m) for t, s, m in notes(app) if s == "error"]
        assert errors and errors[0][0] == "⚙ Env"
        assert "NOT saved" in errors[0][1] and "cfg" in errors[0][1]
        assert "--port 8080" in command_on_screen(app)
        await pilot.press("p")  # remembering state fails silently; the app goes on
        await pilot.pause()
        assert "  -p 8080:8080 \\\n" in command_on_screen(app)
        app.choose("hw", "h200")
        await pilot.pause()
        assert app.selection.hw == "h200" and "--port 8080" in command_on_screen(app)
    assert afile.read_text() == "not a folder"


async def test_app_starts_with_a_config_dir_under_a_file(rules, tmp_path, monkeypatch):
    afile = tmp_path / "afile"
    afile.write_text("not a folder")
    monkeypatch.setenv("DSV4_CONFIG_DIR", str(afile / "cfg"))
    app = DSV4App(rules, detect=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "--port 30000" in command_on_screen(app)
        app.choose("hw", "mi355x")
        await pilot.pause()
        assert app.selection.hw == "mi355x"


async def test_hf_token_is_masked_on_screen_but_copied_for_real(rules):
    app = DSV4App(rules, detect=False)
    async with app.run_test(size=SIZE) as pilot:
        await save_text(pilot, f'HF_TOKEN = "{TOKEN}"\n')
        await pilot.press("p")
        await pilot.pause()
        shown = command_on_screen(app)
        assert TOKEN not in shown
        assert '--env "HF_TOKEN=hf_' + "•" * 12 + '"' in shown
        assert shown == as_shown(app, app.view.display)
        await pilot.press("c")
        await pilot.pause()
        assert f'--env "HF_TOKEN={TOKEN}"' in app.clipboard
        assert app.clipboard == app.view.command
        # The notification does not leak it either.
        assert all(TOKEN not in message for _, _, message in notes(app))
        await pilot.press("x")
        await pilot.pause()
    assert f"HF_TOKEN={TOKEN}" in app.return_value
    assert stat.S_IMODE(os.stat(env_path()).st_mode) == 0o600


# --------------------------------------------------------------------------- secrets and unsaved edits


async def test_the_token_is_never_shown_in_full_in_the_editor(rules):
    app = DSV4App(rules, detect=False)
    async with app.run_test(size=SIZE) as pilot:
        await save_text(pilot, f'HF_TOKEN = "{TOKEN}"\nPORT = "8080"\n')
        screen = await open_env(pilot)
        editor = screen.query_one("#env-editor", TextArea)
        assert TOKEN not in editor.text
        assert 'HF_TOKEN = "hf_' + "•" * 12 + '"' in editor.text
        # Saving with the masked line untouched keeps the saved token (and the other edit lands).
        editor.load_text(editor.text.replace('PORT = "8080"', 'PORT = "9090"'))
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, EnvScreen)
        assert app.env.get("HF_TOKEN") == TOKEN and app.env.get("PORT") == "9090"
        saved = env_path().read_text(encoding="utf-8")
        assert f'HF_TOKEN = "{TOKEN}"' in saved and "•" not in saved


async def test_ctrl_r_reveals_the_token_on_purpose(rules):
    app = DSV4App(rules, detect=False)
    async with app.run_test(size=SIZE) as pilot:
        await save_text(pilot, f'HF_TOKEN = "{TOKEN}"\n')
        screen = await open_env(pilot)
        editor = screen.query_one("#env-editor", TextArea)
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert f'HF_TOKEN = "{TOKEN}"' in editor.text
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert TOKEN not in editor.text


async def test_a_half_edited_masked_token_is_not_saved(rules):
    app = DSV4App(rules, detect=False)
    async with app.run_test(size=SIZE) as pilot:
        await save_text(pilot, f'HF_TOKEN = "{TOKEN}"\n')
        screen = await open_env(pilot)
        editor = screen.query_one("#env-editor", TextArea)
        editor.load_text(editor.text.replace('"hf_•', '"hf_x•'))
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, EnvScreen)
        assert "edited in its masked form" in errors_shown(screen)
        assert app.env.get("HF_TOKEN") == TOKEN


async def test_esc_with_unsaved_edits_asks_first(rules):
    from dsv4_tui.screens.confirm_screen import ConfirmScreen

    app = DSV4App(rules, detect=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_env(pilot)
        editor = screen.query_one("#env-editor", TextArea)
        editor.load_text(editor.text.replace('PORT = "30000"', 'PORT = "8081"'))
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")  # keep editing: the edit is still there
        await pilot.pause()
        assert app.screen is screen and 'PORT = "8081"' in editor.text
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("y")  # discard
        await pilot.pause()
        assert not isinstance(app.screen, (EnvScreen, ConfirmScreen))
        assert app.env.get("PORT") == "30000" and not env_path().exists()


async def test_esc_without_edits_closes_at_once(rules):
    app = DSV4App(rules, detect=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_env(pilot)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, EnvScreen)


async def test_an_unknown_key_gets_the_closest_known_one(rules):
    app = DSV4App(rules, detect=False)
    async with app.run_test(size=SIZE) as pilot:
        await save_text(pilot, 'CURL_PROT = "31000"\n')
        assert "unknown key 'CURL_PROT' (did you mean CURL_PORT?)" in errors_shown(app.screen)


async def test_a_token_in_python_framing_says_how_to_use_it(rules):
    app = DSV4App(rules, detect=False)
    async with app.run_test(size=SIZE) as pilot:
        await save_text(pilot, f'HF_TOKEN = "{TOKEN}"\n')
        notes_text = block_on_screen(app, "notes")
        assert "run `export HF_TOKEN=…` first" in notes_text and TOKEN not in notes_text
        assert "HF_TOKEN" not in command_on_screen(app)  # never injected into the Python command
