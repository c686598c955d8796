"""``sheetcrm doctor`` as a person runs it: each call a fresh process, against a workbook made
by ``sheetcrm init``, a broken one, a broken sheetcrm.toml, a real local SMTP server (and a
closed port), fonts seen through a fontconfig of the test's own, and Google Sheets served by
``sheetcrm emulator serve`` (present, absent, and answering Google's 403 envelopes)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from support import emulator_serve, one_line, run_sheetcrm, serving
from test_charts_stderr import mpl_without_noto

from sheetcrm.doctor import CHECKS, Status, diagnose
from sheetcrm.doctor.environment import font_families
from sheetcrm.errors import EXIT_USER

#: What the environment of a fresh process must not inherit from the machine running the tests.
PRIVATE = ("SHEETCRM_", "GOOGLE_APPLICATION_CREDENTIALS")
FONTS_PRESENT = bool(font_families("fa")) and bool(font_families("bn"))
needs_fonts = pytest.mark.skipif(
    not FONTS_PRESENT, reason="needs Persian and Bengali fonts (fonts-noto-core)"
)


def environment(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(PRIVATE)}
    # a home of its own: no sign-in token or gspread file of the machine is found
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), PYTHONUNBUFFERED="1")
    env.update(extra)
    return env


def sheetcrm(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return run_sheetcrm(*args, env=environment(cwd / "home", **env), cwd=cwd, inherit=False)


def doctor(cwd: Path, *args: str, **env: str) -> tuple[int, dict[str, dict[str, str]], str]:
    """Exit code, the checks by name (from --format json), and stderr."""
    done = sheetcrm(cwd, "doctor", "--format", "json", *args, **env)
    checks = json.loads(done.stdout)
    assert [c["check"] for c in checks] == list(CHECKS), done.stdout
    return done.returncode, {c["check"]: c for c in checks}, done.stderr


def statuses(checks: dict[str, dict[str, str]]) -> dict[str, str]:
    return {name: c["status"] for name, c in checks.items()}


@pytest.fixture
def book(tmp_path: Path) -> Path:
    """A workbook made by ``sheetcrm init`` in the test's folder."""
    done = sheetcrm(tmp_path, "init", "--xlsx", "crm.xlsx")
    assert done.returncode == 0, done.stderr
    return tmp_path / "crm.xlsx"


# -- a local workbook ----------------------------------------------------------------------


@needs_fonts
def test_a_workbook_made_by_init_passes_every_check(book, tmp_path):
    code, checks, stderr = doctor(tmp_path)
    assert code == 0, checks
    assert stderr == ""
    assert statuses(checks) == {
        "config": "pass",
        "credentials": "not_needed",
        "token": "not_needed",
        "api": "not_needed",
        "spreadsheet": "pass",
        "tabs": "pass",
        "fonts": "pass",
        "smtp": "not_needed",
    }
    assert "using defaults" in checks["config"]["detail"]
    assert "Noto Sans Bengali" in checks["fonts"]["detail"]
    assert all(c["fix"] is None for c in checks.values())


@needs_fonts
def test_the_text_report_lists_every_check_and_exits_0(book, tmp_path):
    done = sheetcrm(tmp_path, "doctor", "--xlsx", str(book))
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == len(CHECKS)
    assert lines[0].startswith("ok") and "Config" in lines[0]
    assert "Tabs and headers" in lines[5] and "headers valid" in lines[5]


def test_a_renamed_header_and_a_missing_tab_fail_the_tabs_check_with_the_fix(book, tmp_path):
    wb = openpyxl.load_workbook(book)
    header = wb["Leads"][1]
    next(c for c in header if c.value == "email").value = "E-mail address"
    del wb["Tasks"]
    wb.save(tmp_path / "edited.xlsx")
    code, checks, stderr = doctor(tmp_path, "--xlsx", "edited.xlsx")
    assert code == EXIT_USER
    assert one_line(stderr) == "sheetcrm: error: 1 of 8 checks failed (tabs)"
    tabs = checks["tabs"]
    assert tabs["status"] == "fail"
    assert "Leads: column 'email' missing" in tabs["detail"]
    assert "'E-mail address'" in tabs["detail"] and "no Tasks tab" in tabs["detail"]
    assert "rename it back" in tabs["fix"]
    assert "`sheetcrm init --xlsx edited.xlsx`" in tabs["fix"]
    assert checks["spreadsheet"]["status"] == "pass"


def test_a_doubled_header_is_fixed_by_hand_not_by_init(book, tmp_path):
    wb = openpyxl.load_workbook(book)
    ws = wb["Customers"]
    ws.cell(1, ws.max_column + 1, "Name")  # 'name' again
    wb.save(book)
    results = {r.name: r for r in diagnose(None, str(book))}
    assert results["tabs"].status is Status.FAIL
    assert "appears twice" in results["tabs"].detail
    assert results["tabs"].fix == "fix the header row by hand"


def test_no_workbook_yet_says_run_init_and_skips_the_tabs(tmp_path):
    code, checks, _ = doctor(tmp_path)
    assert code == EXIT_USER
    assert checks["spreadsheet"]["status"] == "fail"
    assert "crm.xlsx does not exist" in checks["spreadsheet"]["detail"]
    assert "sheetcrm init" in checks["spreadsheet"]["fix"]
    assert checks["tabs"]["status"] == "skipped"
    assert "spreadsheet" in checks["tabs"]["detail"]


def test_a_file_that_is_no_workbook_fails_the_spreadsheet_check(tmp_path):
    (tmp_path / "crm.xlsx").write_text("not a zip file", encoding="utf-8")
    results = {r.name: r for r in diagnose(None, str(tmp_path / "crm.xlsx"))}
    assert results["spreadsheet"].status is Status.FAIL
    assert "not a readable .xlsx workbook" in results["spreadsheet"].detail
    assert results["tabs"].status is Status.SKIPPED


def test_checking_a_workbook_loads_no_google_library(book, tmp_path):
    probe = (
        "import sys; from sheetcrm.doctor import diagnose; diagnose(None, 'crm.xlsx'); "
        "print(sorted({'gspread', 'google.auth'} & set(sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=environment(tmp_path / "home"),
        timeout=120,
    )
    assert done.stdout.strip() == "[]", done.stderr


# -- the config ----------------------------------------------------------------------------


def test_the_config_check_names_the_file_it_read(book, tmp_path):
    (tmp_path / "sheetcrm.toml").write_text('spreadsheet = "crm.xlsx"\n', encoding="utf-8")
    _, checks, _ = doctor(tmp_path)
    assert checks["config"]["status"] == "pass"
    assert checks["config"]["detail"] == f"{(tmp_path / 'sheetcrm.toml').resolve()} is valid"
    assert checks["tabs"]["status"] == "pass"


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("spreadsheet = \n", "not valid TOML"),
        ('[locale]\nregon = "IR"\n', "unknown key 'regon'"),
    ],
)
def test_a_broken_config_fails_first_and_skips_what_needs_it(tmp_path, text, said):
    (tmp_path / "sheetcrm.toml").write_text(text, encoding="utf-8")
    code, checks, stderr = doctor(tmp_path)
    assert code == EXIT_USER
    assert "checks failed (config" in one_line(stderr)
    assert checks["config"]["status"] == "fail" and said in checks["config"]["detail"]
    assert "sheetcrm.toml" in checks["config"]["detail"]
    assert "Configuration section" in checks["config"]["fix"]
    for name in ("credentials", "token", "api", "spreadsheet", "tabs", "smtp"):
        assert checks[name]["status"] == "skipped", name
        assert "sheetcrm.toml" in checks[name]["detail"]
    assert checks["fonts"]["status"] in ("pass", "fail")  # needs no config: it still runs


def test_a_config_path_that_does_not_exist_is_a_failed_check_not_a_usage_error(tmp_path):
    code, checks, _ = doctor(tmp_path, "--config", "elsewhere.toml")
    assert code == EXIT_USER
    assert checks["config"]["detail"] == "config file not found: elsewhere.toml"
    assert "existing file" in checks["config"]["fix"]


def test_both_targets_at_once_is_a_usage_error(tmp_path):
    done = sheetcrm(tmp_path, "doctor", "--xlsx", "a.xlsx", "--sheet", "x" * 44)
    assert done.returncode == 2
    assert "either --xlsx or --sheet" in done.stderr


# -- fonts ---------------------------------------------------------------------------------


def fontconfig(tmp_path: Path, *fonts: Path) -> str:
    """A fontconfig file that sees only ``fonts`` (copied into a folder of its own)."""
    folder = tmp_path / "fonts"
    folder.mkdir()
    for font in fonts:
        shutil.copy(font, folder)
    conf = tmp_path / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n'
        f"<fontconfig><dir>{folder}</dir><cachedir>{tmp_path / 'fc-cache'}</cachedir>"
        "</fontconfig>\n",
        encoding="utf-8",
    )
    return str(conf)


needs_fc_list = pytest.mark.skipif(shutil.which("fc-list") is None, reason="needs fontconfig")
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


@needs_fc_list
def test_no_fonts_at_all_names_both_languages_and_the_package(book, tmp_path):
    code, checks, stderr = doctor(tmp_path, FONTCONFIG_FILE=fontconfig(tmp_path))
    assert code == EXIT_USER
    assert one_line(stderr) == "sheetcrm: error: 1 of 8 checks failed (fonts)"
    fonts = checks["fonts"]
    assert fonts["detail"] == "no font for Persian or Bengali text in charts and PDFs"
    assert "for Persian, install fonts-noto-core" in fonts["fix"]
    assert "for Bengali, install fonts-noto-core (Noto Sans Bengali)" in fonts["fix"]


@needs_fc_list
@pytest.mark.skipif(not DEJAVU.exists(), reason="needs DejaVu Sans (fonts-dejavu-core)")
def test_a_font_for_persian_only_says_bengali_lacks_one(book, tmp_path):
    code, checks, _ = doctor(tmp_path, FONTCONFIG_FILE=fontconfig(tmp_path, DEJAVU))
    assert code == EXIT_USER
    assert checks["fonts"]["detail"] == "no font for Bengali text in charts and PDFs"
    assert "Persian" not in checks["fonts"]["fix"]


@needs_fonts
def test_fonts_the_pages_have_but_the_charts_lack_fail_the_check_too(book, tmp_path):
    """The charts draw with matplotlib's fonts, which fontconfig does not list: doctor asks
    the charts' own font choice (here: fontconfig has Bengali, matplotlib has not)."""
    config = mpl_without_noto(tmp_path)
    code, checks, stderr = doctor(tmp_path, MPLCONFIGDIR=str(config))
    assert code == EXIT_USER and stderr.count("\n") == 1
    assert checks["fonts"]["detail"] == "no font for Bengali text in charts and PDFs"
    assert checks["fonts"]["fix"] == "for Bengali, install fonts-noto-core (Noto Sans Bengali)"


# -- SMTP ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def smtp_config(folder: Path, port: int) -> None:
    (folder / "sheetcrm.toml").write_text(
        f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n'
        'from = "Shop <shop@example.com>"\n',
        encoding="utf-8",
    )


def test_smtp_is_reached_with_ehlo_and_no_mail_is_sent(book, tmp_path):
    from aiosmtpd.controller import Controller

    received: list[bytes] = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):  # pragma: no cover - never
            received.append(envelope.content)
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        smtp_config(tmp_path, controller.port)
        _, checks, _ = doctor(tmp_path)
    finally:
        controller.stop()
    smtp = checks["smtp"]
    assert smtp["status"] == "pass", smtp
    assert smtp["detail"].startswith(f"127.0.0.1:{controller.port} answered EHLO (none)")
    assert received == []


def test_a_closed_smtp_port_fails_the_smtp_check(book, tmp_path):
    port = free_port()  # nothing listens there once the probe socket is closed
    smtp_config(tmp_path, port)
    code, checks, stderr = doctor(tmp_path, "--timeout", "2")
    assert code == EXIT_USER
    assert "smtp" in one_line(stderr)
    smtp = checks["smtp"]
    assert smtp["status"] == "fail"
    assert f"cannot reach the SMTP server 127.0.0.1:{port}" in smtp["detail"]
    assert "[smtp] host, port and security" in smtp["fix"]


def test_an_incomplete_smtp_table_fails_with_what_is_missing(book, tmp_path):
    (tmp_path / "sheetcrm.toml").write_text('[smtp]\nhost = "127.0.0.1"\n', encoding="utf-8")
    _, checks, _ = doctor(tmp_path)
    assert checks["smtp"]["status"] == "fail"
    assert "no sender address" in checks["smtp"]["detail"]


# -- the JSON shape ------------------------------------------------------------------------


def test_json_is_a_list_of_checks_in_order_with_five_keys(tmp_path):
    done = sheetcrm(tmp_path, "doctor", "--format", "json")
    checks = json.loads(done.stdout)
    assert isinstance(checks, list) and len(checks) == 8
    for check in checks:
        assert set(check) == {"check", "title", "status", "detail", "fix"}
        assert check["status"] in {s.value for s in Status}
        assert isinstance(check["detail"], str) and check["detail"]
        assert (check["fix"] is None) == (check["status"] != "fail")
    assert [c["title"] for c in checks][:3] == ["Config", "Credentials", "Token"]


# -- Google Sheets, served by `sheetcrm emulator serve` --------------------------------------


@pytest.fixture
def served(tmp_path):
    """``sheetcrm emulator serve --port 0`` in a process of its own: its URL and sheet ID."""
    with emulator_serve(tmp_path, env=environment(tmp_path / "home")) as (url, [sheet]):
        yield url, sheet


def serve(tmp_path: Path, *argv: str):
    """A Python process that prints its URL and a spreadsheet ID on its first two lines;
    stopped when the caller is done."""
    with serving(tmp_path, *argv, env=environment(tmp_path / "home")) as (url, [sheet]):
        yield url, sheet


GOOGLE = ("credentials", "token", "api", "spreadsheet", "tabs")


def test_a_spreadsheet_made_by_init_passes_the_google_checks(served, tmp_path):
    url, sheet = served
    done = sheetcrm(tmp_path, "init", "--sheet", sheet, SHEETCRM_API_ENDPOINT=url)
    assert done.returncode == 0, done.stderr
    _, checks, _ = doctor(tmp_path, "--sheet", sheet, SHEETCRM_API_ENDPOINT=url)
    assert {n: checks[n]["status"] for n in GOOGLE} == {
        "credentials": "pass",
        "token": "not_needed",
        "api": "pass",
        "spreadsheet": "pass",
        "tabs": "pass",
    }
    assert "anonymous (emulator)" in checks["credentials"]["detail"]
    assert url in checks["api"]["detail"]


def test_a_blank_spreadsheet_fails_the_tabs_check_with_init_for_it(served, tmp_path):
    url, sheet = served
    code, checks, _ = doctor(tmp_path, "--sheet", sheet, SHEETCRM_API_ENDPOINT=url)
    assert code == EXIT_USER
    assert checks["spreadsheet"]["status"] == "pass"
    tabs = checks["tabs"]
    assert tabs["status"] == "fail"
    assert "no Customers tab" in tabs["detail"] and "no Tasks tab" in tabs["detail"]
    assert f"`sheetcrm init --sheet {sheet}`" in tabs["fix"]


def test_an_absent_spreadsheet_fails_the_spreadsheet_check_and_skips_the_tabs(served, tmp_path):
    url, _ = served
    absent = "1" + "x" * 43
    code, checks, stderr = doctor(tmp_path, "--sheet", absent, SHEETCRM_API_ENDPOINT=url)
    assert code == EXIT_USER
    assert one_line(stderr) == "sheetcrm: error: 1 of 8 checks failed (spreadsheet)"
    assert checks["api"]["status"] == "pass"  # the API answered: it is enabled
    assert checks["spreadsheet"]["status"] == "fail"
    assert absent in checks["spreadsheet"]["detail"]
    assert "check the spreadsheet ID or URL" in checks["spreadsheet"]["fix"]
    assert checks["tabs"]["status"] == "skipped"


def test_an_unreachable_api_fails_the_api_check(tmp_path):
    closed = f"http://127.0.0.1:{free_port()}"
    sheet = "1" + "y" * 43
    code, checks, _ = doctor(
        tmp_path, "--sheet", sheet, "--timeout", "2", SHEETCRM_API_ENDPOINT=closed
    )
    assert code == EXIT_USER
    assert checks["api"]["status"] == "fail"
    assert checks["api"]["fix"].startswith(f"check the network connection to {closed}")
    assert checks["spreadsheet"]["status"] == "skipped"
    assert checks["tabs"]["status"] == "skipped"


def private(path: Path, data: dict[str, object]) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    path.chmod(0o600)
    return path


def test_an_oauth_client_secret_given_as_credentials_fails_first_with_the_fix(tmp_path):
    secret = private(
        tmp_path / "client_secret.json",
        {"installed": {"client_id": "x.apps.googleusercontent.com", "client_secret": "s"}},
    )
    code, checks, _ = doctor(tmp_path, "--sheet", "1" + "z" * 43, SHEETCRM_CREDENTIALS=str(secret))
    assert code == EXIT_USER
    assert checks["credentials"]["status"] == "fail"
    assert str(secret) in checks["credentials"]["detail"]
    assert f"sheetcrm auth login --client-secret {secret}" in checks["credentials"]["fix"]
    for name in ("token", "api", "spreadsheet", "tabs"):
        assert checks[name]["status"] == "skipped", name
        assert "credentials" in checks[name]["detail"]


# -- Google's 403s, from the emulator's fault injection, in a server process of its own ------

#: ``sheetcrm emulator serve`` scripts no faults, so this process serves the same emulator
#: with one scripted: every request answered with Google's SERVICE_DISABLED envelope, or
#: the spreadsheet not shared with the caller (PERMISSION_DENIED).
FAULTY_SERVER = """
import json, sys
from sheetcrm.emulator import Emulator, LoopbackServer
emu = Emulator()
sheet = emu.create_spreadsheet("Doctor").id
if sys.argv[1] == "service-disabled":
    emu.fail("", 403, times=1000, body=json.loads(sys.argv[2]))
else:
    emu.deny(sheet)
server = LoopbackServer(emu, "127.0.0.1", 0)
print("listening on", server.url, flush=True)
print("spreadsheet:", sheet, flush=True)
server.serve_forever()
"""
ENABLE = (
    "https://console.developers.google.com/apis/api/sheets.googleapis.com/overview?project=4242"
)
SERVICE_DISABLED = {
    "error": {
        "code": 403,
        "message": "Google Sheets API has not been used in project 4242 before or it is "
        f"disabled. Enable it by visiting {ENABLE} then retry. If you enabled this API "
        "recently, wait a few minutes for the action to propagate to our systems and retry.",
        "status": "PERMISSION_DENIED",
        "details": [
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "SERVICE_DISABLED",
                "domain": "googleapis.com",
                "metadata": {
                    "consumer": "projects/4242",
                    "service": "sheets.googleapis.com",
                    "activationUrl": ENABLE,
                },
            },
            {
                "@type": "type.googleapis.com/google.rpc.Help",
                "links": [
                    {"description": "Google developers console API activation", "url": ENABLE}
                ],
            },
        ],
    }
}


def serve_faulty(tmp_path: Path, kind: str):
    yield from serve(tmp_path, "-c", FAULTY_SERVER, kind, json.dumps(SERVICE_DISABLED))


GRANT = (200, {"access_token": "ya29.doctor", "expires_in": 3600, "token_type": "Bearer"})
REFUSE = (400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."})


def token_server(answer: tuple[int, dict[str, object]]):
    """A token endpoint on loopback giving every request the same answer."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    status, payload = answer
    body = json.dumps(payload).encode()

    class Token(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Token)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/token"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def token_endpoint():
    """A token endpoint that grants every service-account JWT an access token."""
    yield from token_server(GRANT)


ROBOT = "doctor@shop-4242.iam.gserviceaccount.com"


def service_account(tmp_path: Path, token_uri: str) -> Path:
    """A service-account key of its own (a fresh RSA key) whose token endpoint is loopback."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return private(
        tmp_path / "key.json",
        {
            "type": "service_account",
            "project_id": "shop-4242",
            "private_key_id": "1",
            "private_key": pem,
            "client_email": ROBOT,
            "client_id": "1",
            "token_uri": token_uri,
        },
    )


def test_service_disabled_fails_the_api_check_with_the_enable_link(tmp_path):
    for url, sheet in serve_faulty(tmp_path, "service-disabled"):
        code, checks, stderr = doctor(tmp_path, "--sheet", sheet, SHEETCRM_API_ENDPOINT=url)
        assert code == EXIT_USER
        assert one_line(stderr) == "sheetcrm: error: 1 of 8 checks failed (api)"
        api = checks["api"]
        assert api["status"] == "fail"
        assert api["fix"].startswith(f"enable it at {ENABLE}")
        assert checks["spreadsheet"]["status"] == "skipped"
        assert checks["tabs"]["status"] == "skipped"
        assert "Sheets API" in checks["tabs"]["detail"]


def test_not_shared_names_the_service_account_to_share_with(tmp_path, token_endpoint):
    key = service_account(tmp_path, token_endpoint)
    for url, sheet in serve_faulty(tmp_path, "not-shared"):
        code, checks, _ = doctor(
            tmp_path, "--sheet", sheet, SHEETCRM_API_ENDPOINT=url, SHEETCRM_CREDENTIALS=str(key)
        )
        assert code == EXIT_USER
        assert checks["credentials"]["status"] == "pass", checks["credentials"]
        assert ROBOT in checks["credentials"]["detail"]
        assert checks["token"]["status"] == "pass", checks["token"]
        assert checks["api"]["status"] == "pass"  # it answered: the API is enabled
        spreadsheet = checks["spreadsheet"]
        assert spreadsheet["status"] == "fail"
        assert f"share it with {ROBOT} as an Editor" in spreadsheet["fix"]
        assert checks["tabs"]["status"] == "skipped"


def test_a_refused_token_fails_the_token_check_and_skips_the_api(served, tmp_path):
    url, sheet = served
    for token_uri in token_server(REFUSE):
        key = service_account(tmp_path, token_uri)
        code, checks, stderr = doctor(
            tmp_path, "--sheet", sheet, SHEETCRM_API_ENDPOINT=url, SHEETCRM_CREDENTIALS=str(key)
        )
    assert code == EXIT_USER
    assert one_line(stderr) == "sheetcrm: error: 1 of 8 checks failed (token)"
    assert checks["credentials"]["status"] == "pass"
    token = checks["token"]
    assert token["status"] == "fail" and token["detail"] == "the token could not be refreshed"
    assert token["fix"]  # the credentials' own one line (what to do)
    for name in ("api", "spreadsheet", "tabs"):
        assert checks[name]["status"] == "skipped", name
        assert "token" in checks[name]["detail"]
