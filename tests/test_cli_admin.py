"""The admin commands as IT staff and office managers run them: the passphrase gate (exit 4),
``roster import`` and ``erase``, as real processes on real folders."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from socialsafe.admin import FAILURES_SETTING, LAST_FAILURE_SETTING, hash_passphrase, set_passphrase
from socialsafe.storage.store import Store
from sync_helpers import MINI, add_result, mini_content, mini_pack, read_device_file

SECRET = "correct horse battery"
STAFF = (
    "\ufeffName,Email,Role,School,Phone\n"
    "Ann Lee,ann@oak.sch.uk,Teacher,Oak Primary,0123\n"
    "Bob Roe,,Support staff,Oak Primary,\n"
    '=HYPERLINK("http://evil"),,parent helper,Oak Primary,\n'
    ",,teacher,Oak Primary,\n"
    "Cy Tan,,Cook,Oak Primary,\n"
    "Ann Lee,ANN@oak.sch.uk,teacher,Oak Primary,\n"
)


def socialsafe(
    home: Path, *args: str, share: Path | None = None, stdin: str | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    """``socialsafe --data-dir HOME [--share S] --packs tests/packs/mini ARGS``, with no terminal."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SOCIALSAFE_")}
    environment["SOCIALSAFE_SITE_CONFIG"] = os.environ[
        "SOCIALSAFE_SITE_CONFIG"
    ]  # conftest's: none, unless a test writes it
    environment.update(env)
    where = ["--share", str(share)] if share is not None else []
    result = subprocess.run(
        [sys.executable, "-m", "socialsafe", "--data-dir", str(home), *where, "--packs", str(MINI), *args],
        input=stdin,
        stdin=subprocess.DEVNULL if stdin is None else None,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=environment,
        timeout=120,
    )
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    return result


def refused(result: subprocess.CompletedProcess[str], code: int = 4) -> str:
    """Exit ``code`` with one sentence on standard error and nothing on standard output."""
    assert result.returncode == code, result.stdout + result.stderr
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def with_passphrase(home: Path) -> None:
    """An admin passphrase saved on this PC, as the app's Settings would save it."""
    home.mkdir(parents=True, exist_ok=True)
    store = Store(home / "socialsafe.db")
    try:
        set_passphrase(store, SECRET)
    finally:
        store.close()


def settings_of(home: Path) -> dict[str, str]:
    with sqlite3.connect(home / "socialsafe.db") as connection:
        return dict(connection.execute("SELECT key, value FROM setting").fetchall())


def learners_of(home: Path) -> list[tuple[str, str | None]]:
    with sqlite3.connect(home / "socialsafe.db") as connection:
        return sorted(connection.execute("SELECT name, email FROM learner").fetchall())


def count(home: Path, table: str) -> int:
    with sqlite3.connect(home / "socialsafe.db") as connection:
        return int(connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def roster_rows(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    reader = csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline=""))
    assert reader.fieldnames == ["name", "email", "role", "school", "exempt_until", "exempt_reason"]
    return list(reader)


def exported(home: Path, tmp_path: Path, share: Path | None = None) -> list[dict[str, Any]]:
    out = tmp_path / "export.json"
    result = socialsafe(home, "export", "--out", str(out), "--format", "json", share=share)
    assert result.returncode == 0, result.stderr
    rows: list[dict[str, Any]] = json.loads(out.read_text("utf-8"))
    return sorted(rows, key=lambda r: r["name"])


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def staff(tmp_path: Path) -> Path:
    path = tmp_path / "staff.csv"
    path.write_bytes(STAFF.encode("utf-8"))
    return path


ADMIN_COMMANDS = {
    "record": [
        "record",
        "--name",
        "Ann Lee",
        "--school",
        "Oak Primary",
        "--role",
        "teacher",
        "--module",
        "photos",
        "--score",
        "2",
        "--max-score",
        "2",
    ],
    "acknowledge": ["acknowledge", "--name", "Ann Lee", "--school", "Oak Primary", "--policy", "example-policy"],
    "erase": ["erase", "--email", "ann@oak.sch.uk", "--yes"],
    "roster import": ["roster", "import", "STAFF"],
}


def admin_args(name: str, staff: Path) -> list[str]:
    return [str(staff) if a == "STAFF" else a for a in ADMIN_COMMANDS[name]]


# The passphrase gate ------------------------------------------------------------------------


@pytest.mark.parametrize("command", list(ADMIN_COMMANDS))
def test_with_a_passphrase_set_an_admin_command_without_one_exits_4_and_changes_nothing(
    command: str, home: Path, staff: Path
) -> None:
    with_passphrase(home)
    before = settings_of(home)
    message = refused(socialsafe(home, *admin_args(command, staff)))
    assert "SOCIALSAFE_ADMIN_PASSPHRASE" in message
    assert learners_of(home) == []
    assert not (home / "roster.csv").exists()
    assert settings_of(home) == before  # a missing passphrase is not a wrong try


@pytest.mark.parametrize("command", ["record", "roster import"])
def test_the_right_passphrase_in_the_environment_lets_it_run(command: str, home: Path, staff: Path) -> None:
    with_passphrase(home)
    result = socialsafe(home, *admin_args(command, staff), SOCIALSAFE_ADMIN_PASSPHRASE=SECRET)
    assert result.returncode in (0, 1), result.stderr  # the staff file has rows with problems
    assert learners_of(home) if command == "record" else (home / "roster.csv").exists()


def test_a_wrong_passphrase_exits_4_and_counts_as_a_wrong_try(home: Path) -> None:
    with_passphrase(home)
    args = ADMIN_COMMANDS["acknowledge"]
    assert refused(socialsafe(home, *args, SOCIALSAFE_ADMIN_PASSPHRASE="wrong")) == "The admin passphrase is wrong."
    assert settings_of(home)[FAILURES_SETTING] == "1"
    socialsafe(home, *args, SOCIALSAFE_ADMIN_PASSPHRASE="wrong again")
    third = refused(socialsafe(home, *args, SOCIALSAFE_ADMIN_PASSPHRASE="still wrong"))
    assert third == "The admin passphrase is wrong: wait 2 seconds before trying again."
    assert learners_of(home) == []


def test_an_empty_variable_is_no_passphrase(home: Path) -> None:
    with_passphrase(home)
    message = refused(socialsafe(home, *ADMIN_COMMANDS["acknowledge"], SOCIALSAFE_ADMIN_PASSPHRASE=""))
    assert "SOCIALSAFE_ADMIN_PASSPHRASE" in message


def test_while_waiting_after_wrong_tries_even_the_right_one_exits_4(home: Path) -> None:
    with_passphrase(home)
    store = Store(home / "socialsafe.db")
    store.set_setting(FAILURES_SETTING, "6")
    store.set_setting(LAST_FAILURE_SETTING, dt.datetime.now(dt.UTC).isoformat())
    store.close()
    message = refused(socialsafe(home, *ADMIN_COMMANDS["acknowledge"], SOCIALSAFE_ADMIN_PASSPHRASE=SECRET))
    assert message.startswith("Too many wrong admin passphrases: try again in ")
    assert settings_of(home)[FAILURES_SETTING] == "6"
    assert learners_of(home) == []


def test_the_right_passphrase_clears_the_wrong_tries(home: Path) -> None:
    with_passphrase(home)
    socialsafe(home, *ADMIN_COMMANDS["acknowledge"], SOCIALSAFE_ADMIN_PASSPHRASE="wrong")
    result = socialsafe(home, *ADMIN_COMMANDS["acknowledge"], SOCIALSAFE_ADMIN_PASSPHRASE=SECRET)
    assert result.returncode == 0, result.stderr
    assert settings_of(home)[FAILURES_SETTING] == "0"


def test_a_passphrase_from_the_site_config_is_required_too(home: Path) -> None:
    Path(os.environ["SOCIALSAFE_SITE_CONFIG"]).write_text(
        f'admin_passphrase_hash = "{hash_passphrase(SECRET)}"\n', encoding="utf-8"
    )
    refused(socialsafe(home, *ADMIN_COMMANDS["acknowledge"]))
    result = socialsafe(home, *ADMIN_COMMANDS["acknowledge"], SOCIALSAFE_ADMIN_PASSPHRASE=SECRET)
    assert result.returncode == 0, result.stderr


def test_with_no_passphrase_set_admin_commands_run_first_use(home: Path) -> None:
    result = socialsafe(home, *ADMIN_COMMANDS["acknowledge"])
    assert result.returncode == 0, result.stderr


# roster import --------------------------------------------------------------------------------


def test_roster_import_without_a_share_keeps_it_in_the_data_folder_and_reports_show_it(
    home: Path, staff: Path, tmp_path: Path
) -> None:
    result = socialsafe(home, "roster", "import", str(staff))
    assert result.returncode == 1, result.stderr  # some rows were left out, the rest imported
    assert f"{staff}: 6 rows read." in result.stdout
    assert (
        "0 already on the roster (0 updated), 0 on this PC but not yet on the roster, 3 new, 1 duplicate, "
        "2 rows with problems." in result.stdout
    )
    assert f"{staff}:5: a row with no name" in result.stdout
    assert f"{staff}:6: role Cook is not one of the policy's roles" in result.stdout
    assert f"{staff}:7: Ann Lee is already on line 2: left out" in result.stdout
    assert result.stderr.strip() == "3 rows were left out (listed above)."
    rows = roster_rows(home / "roster.csv")
    assert [(r["name"], r["email"], r["role"]) for r in rows] == [
        ("Ann Lee", "ann@oak.sch.uk", "teacher"),
        ("Bob Roe", "", "support_staff"),
        ('\'=HYPERLINK("http://evil")', "", "parent_helper"),
    ]
    # export and report list them as not started, with no share at all.
    listed = exported(home, tmp_path)
    mini = [r for r in listed if r["modules_total"] == 2 or r["role"] == "parent_helper"]
    assert {r["name"]: r["status"] for r in mini} == {
        '=HYPERLINK("http://evil")': "not_started",
        "Ann Lee": "not_started",
        "Bob Roe": "not_started",
    }
    report = socialsafe(home, "report")
    assert "Bob Roe" in report.stdout


def test_a_second_import_updates_and_matches_learners_on_this_pc(home: Path, tmp_path: Path, staff: Path) -> None:
    socialsafe(home, "roster", "import", str(staff))
    dee = ["acknowledge", "--name", "Dee Fox", "--school", "Oak Primary", "--policy", "example-policy"]
    assert socialsafe(home, *dee).returncode == 0
    second = tmp_path / "second.csv"
    second.write_text(
        "name,email,role,school\nBob Roe,bob@oak.sch.uk,volunteer,Oak Primary\nDee Fox,,trustee,Oak Primary\n",
        encoding="utf-8",
    )
    result = socialsafe(home, "roster", "import", str(second))
    assert result.returncode == 0, result.stderr
    assert "1 already on the roster (1 updated), 1 on this PC but not yet on the roster, 0 new" in result.stdout
    assert f"{second}:2: Bob Roe: email, role will change" in result.stdout
    assert "Saved the roster, 4 people, to" in result.stdout
    rows = {r["name"]: r for r in roster_rows(home / "roster.csv")}
    assert (rows["Bob Roe"]["email"], rows["Bob Roe"]["role"]) == ("bob@oak.sch.uk", "volunteer")
    assert rows["Dee Fox"]["role"] == "trustee"
    assert rows["Ann Lee"]["role"] == "teacher"  # not in the second file: kept


def test_a_dry_run_writes_nothing(home: Path, staff: Path) -> None:
    result = socialsafe(home, "roster", "import", str(staff), "--dry-run")
    assert result.returncode == 1
    assert "3 new" in result.stdout
    assert "Dry run: nothing was changed." in result.stdout
    assert not (home / "roster.csv").exists()


def test_importing_a_file_that_is_not_there_or_not_utf8_exits_1(home: Path, tmp_path: Path) -> None:
    assert "There is no file" in refused(socialsafe(home, "roster", "import", str(tmp_path / "none.csv")), 1)
    latin = tmp_path / "latin.csv"
    latin.write_bytes("name,email,role,school\nZoë,,teacher,Oak\n".encode("cp1252"))
    assert "CSV UTF-8" in refused(socialsafe(home, "roster", "import", str(latin)), 1)
    assert not (home / "roster.csv").exists()


def test_roster_import_with_a_share_writes_the_shares_roster_and_every_pc_reports_it(
    tmp_path: Path, staff: Path
) -> None:
    share, office, classroom = tmp_path / "share", tmp_path / "office", tmp_path / "classroom"
    share.mkdir()
    result = socialsafe(office, "roster", "import", str(staff), share=share)
    assert result.returncode == 1, result.stderr
    rows = roster_rows(share / "roster" / "roster.csv")
    assert [r["name"] for r in rows] == ["Ann Lee", "Bob Roe", '\'=HYPERLINK("http://evil")']
    assert not (office / "roster.csv").exists()
    assert not [p for p in (share / "roster").iterdir() if p.name.startswith(".tmp-")]
    # Another PC's export includes them, read from the share; its sync puts them in the share's reports.
    names = {r["name"] for r in exported(classroom, tmp_path, share=share)}
    assert {"Ann Lee", "Bob Roe", '=HYPERLINK("http://evil")'} <= names
    assert socialsafe(classroom, "sync", share=share).returncode == 0
    completions = (share / "reports" / "completions.csv").read_text("utf-8-sig")
    assert "Bob Roe" in completions


def test_roster_import_to_an_unreachable_share_exits_3_and_writes_nothing(
    home: Path, tmp_path: Path, staff: Path
) -> None:
    gone = tmp_path / "not-mounted"
    result = socialsafe(home, "roster", "import", str(staff), share=gone)
    assert result.returncode == 3
    assert "cannot be reached" in result.stderr
    assert not gone.exists()
    assert not (home / "roster.csv").exists()


# erase ----------------------------------------------------------------------------------------


def two_pcs_and_a_share(tmp_path: Path) -> tuple[Path, Path, Path]:
    """PC A and PC B, each with Ann's results, synced through a share, and a roster with Ann and Bob."""
    share, pc_a, pc_b = tmp_path / "share", tmp_path / "a", tmp_path / "b"
    share.mkdir()
    pack = mini_pack(mini_content())
    for pc, module in ((pc_a, "photos"), (pc_b, "friend-requests")):
        pc.mkdir()
        store = Store(pc / "socialsafe.db")
        add_result(store, pack, "Ann Lee", module_id=module, email="ann@oak.sch.uk")
        store.acknowledge(store.learners()[0].id, pack, "Ann Lee")
        add_result(store, pack, "Bob Roe", module_id=module)
        store.close()
    for pc in (pc_a, pc_b, pc_a):
        assert socialsafe(pc, "sync", share=share).returncode == 0
    roster_file = tmp_path / "roster.csv"
    roster_file.write_text(
        "name,email,role,school\nAnn Lee,ann@oak.sch.uk,teacher,Oak Primary\nBob Roe,,teacher,Oak Primary\n",
        encoding="utf-8",
    )
    assert socialsafe(pc_a, "roster", "import", str(roster_file), share=share).returncode == 0
    return share, pc_a, pc_b


def test_erase_removes_the_person_here_from_the_roster_and_on_the_other_pc_at_its_sync(tmp_path: Path) -> None:
    share, pc_a, pc_b = two_pcs_and_a_share(tmp_path)
    assert ("Ann Lee", "ann@oak.sch.uk") in learners_of(pc_b)
    result = socialsafe(pc_a, "erase", "--email", " ANN@oak.sch.uk ", "--yes", share=share)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("This will erase:\n")
    assert "learner record: Ann Lee, Oak Primary, ann@oak.sch.uk, teacher (this PC)" in out
    assert "learner record: Ann Lee, Oak Primary, ann@oak.sch.uk, teacher (copied from another PC)" in out
    assert "2 quiz attempts and 2 sign-offs" in out  # both PCs'
    assert "roster entry: Ann Lee, Oak Primary, ann@oak.sch.uk, teacher (in " in out
    assert "Erased 2 learner records on this PC." in out
    assert "Shared the erasure with the other PCs through the shared folder." in out
    # Gone here: learners, attempts, sign-offs; Bob untouched.
    assert learners_of(pc_a) == [("Bob Roe", None), ("Bob Roe", None)]
    assert count(pc_a, "acknowledgement") == 0
    assert count(pc_a, "erasure") == 2
    assert [r["name"] for r in roster_rows(share / "roster" / "roster.csv")] == ["Bob Roe"]
    # A's device file holds the erasures and none of Ann's data; the share's reports leave her out.
    _head, records = read_device_file(share / "devices" / f"{settings_of(pc_a)['device_id']}.jsonl")
    assert "ann" not in json.dumps(records).casefold()
    assert sorted(r["kind"] for r in records if r["kind"] == "erasure") == ["erasure", "erasure"]
    assert "Ann Lee" not in (share / "reports" / "completions.csv").read_text("utf-8-sig")
    # B still has her until it syncs; then she is gone there too, and from what B publishes.
    assert ("Ann Lee", "ann@oak.sch.uk") in learners_of(pc_b)
    synced = socialsafe(pc_b, "sync", share=share)
    assert synced.returncode == 0, synced.stderr
    assert learners_of(pc_b) == [("Bob Roe", None), ("Bob Roe", None)]
    assert count(pc_b, "acknowledgement") == 0
    _head, records = read_device_file(share / "devices" / f"{settings_of(pc_b)['device_id']}.jsonl")
    assert "ann" not in json.dumps(records).casefold()
    # And another run finds no one.
    gone = refused(socialsafe(pc_a, "erase", "--email", "ann@oak.sch.uk", "--yes", share=share), 1)
    assert gone.startswith("No one with the email address ann@oak.sch.uk is known")


def test_erase_reaches_a_pc_this_one_has_not_synced_with_yet(tmp_path: Path) -> None:
    share, pc_a, pc_c = tmp_path / "share", tmp_path / "a", tmp_path / "c"
    share.mkdir()
    pack = mini_pack(mini_content())
    for pc in (pc_a, pc_c):
        pc.mkdir()
        store = Store(pc / "socialsafe.db")
        add_result(store, pack, "Ann Lee", email="ann@oak.sch.uk")
        store.close()
    assert socialsafe(pc_a, "sync", share=share).returncode == 0
    assert socialsafe(pc_c, "sync", share=share).returncode == 0  # A has not seen C's record of Ann
    result = socialsafe(pc_a, "erase", "--email", "ann@oak.sch.uk", "--yes", share=share)
    assert result.returncode == 0, result.stderr
    assert "(another PC, through the shared folder)" in result.stdout
    assert socialsafe(pc_c, "sync", share=share).returncode == 0
    assert learners_of(pc_c) == []
    assert learners_of(pc_a) == []


def test_erase_by_name_and_school_without_a_share(home: Path) -> None:
    home.mkdir()
    store = Store(home / "socialsafe.db")
    pack = mini_pack(mini_content())
    add_result(store, pack, "Ann Lee")
    add_result(store, pack, "Ann Lee", school="Elm School")
    store.close()
    result = socialsafe(home, "erase", "--name", "  ann   LEE ", "--school", "oak primary", "--yes")
    assert result.returncode == 0, result.stderr
    assert "1 quiz attempt and 0 sign-offs" in result.stdout
    assert learners_of(home) == [("Ann Lee", None)]
    with sqlite3.connect(home / "socialsafe.db") as connection:
        assert connection.execute("SELECT school FROM learner").fetchall() == [("Elm School",)]


def test_erase_without_yes_and_without_a_terminal_exits_2_and_erases_nothing(home: Path) -> None:
    home.mkdir()
    store = Store(home / "socialsafe.db")
    add_result(store, mini_pack(mini_content()), "Ann Lee", email="ann@oak.sch.uk")
    store.close()
    result = socialsafe(home, "erase", "--email", "ann@oak.sch.uk")
    assert result.returncode == 2
    assert "This will erase:" in result.stdout
    assert "--yes" in result.stderr
    assert learners_of(home) == [("Ann Lee", "ann@oak.sch.uk")]
    assert count(home, "erasure") == 0


def test_erase_of_someone_unknown_exits_1(home: Path) -> None:
    message = refused(socialsafe(home, "erase", "--name", "Zed", "--school", "Oak Primary", "--yes"), 1)
    assert message == "No one called Zed at Oak Primary is known on this PC or on its roster."


@pytest.mark.parametrize(
    "args",
    [[], ["--name", "Ann Lee"], ["--school", "Oak"], ["--email", "a@b.c", "--name", "Ann", "--school", "Oak"]],
)
def test_erase_needs_an_email_or_a_name_and_school(home: Path, args: list[str]) -> None:
    assert refused(socialsafe(home, "erase", *args, "--yes"), 2).startswith("Say who to erase")


def test_erase_by_name_when_two_people_share_it_asks_for_the_email(home: Path) -> None:
    home.mkdir()
    store = Store(home / "socialsafe.db")
    store.add_learner("Ann Lee", "teacher", "Oak Primary", "ann1@oak.sch.uk")
    store.close()
    roster_file = home.parent / "staff.csv"
    roster_file.write_text("name,email,role,school\nAnn Lee,ann2@oak.sch.uk,teacher,Oak Primary\n", encoding="utf-8")
    assert socialsafe(home, "roster", "import", str(roster_file)).returncode == 0
    message = refused(socialsafe(home, "erase", "--name", "Ann Lee", "--school", "Oak Primary", "--yes"), 2)
    assert "ann1@oak.sch.uk, ann2@oak.sch.uk" in message
    assert count(home, "learner") == 1


def test_erase_with_the_share_offline_erases_here_and_exits_3(tmp_path: Path) -> None:
    share, pc_a, _pc_b = two_pcs_and_a_share(tmp_path)
    offline = tmp_path / "share-offline"
    share.rename(offline)
    result = socialsafe(pc_a, "erase", "--email", "ann@oak.sch.uk", "--yes", share=share)
    assert result.returncode == 3
    assert "Erased here; it will reach the other PCs at the next sync." in result.stderr
    assert ("Ann Lee", "ann@oak.sch.uk") not in learners_of(pc_a)
    # Back online: the next sync publishes the erasure; running erase again takes her off the share's roster.
    offline.rename(share)
    again = socialsafe(pc_a, "erase", "--email", "ann@oak.sch.uk", "--yes", share=share)
    assert again.returncode == 0, again.stderr
    assert [r["name"] for r in roster_rows(share / "roster" / "roster.csv")] == ["Bob Roe"]


def test_a_roster_kept_on_this_pc_moves_to_the_share_at_the_next_import(
    home: Path, tmp_path: Path, staff: Path
) -> None:
    assert socialsafe(home, "roster", "import", str(staff)).returncode == 1
    share = tmp_path / "share"
    share.mkdir()
    more = tmp_path / "more.csv"
    more.write_text("name,email,role,school\nDee Fox,,trustee,Oak Primary\n", encoding="utf-8")
    result = socialsafe(home, "roster", "import", str(more), share=share)
    assert result.returncode == 0, result.stderr
    assert "Moved the roster kept on this PC" in result.stdout
    names = [r["name"] for r in roster_rows(share / "roster" / "roster.csv")]
    assert names == ["Ann Lee", "Bob Roe", '\'=HYPERLINK("http://evil")', "Dee Fox"]
    assert not (home / "roster.csv").exists()


# On a terminal ----------------------------------------------------------------------------------


def on_terminal(home: Path, typed: str, *args: str) -> tuple[int, str]:
    """Run the command with a pseudo-terminal as its standard input (and no other terminal), typing ``typed``."""
    import pty
    import select

    controller, terminal = pty.openpty()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SOCIALSAFE_")}
    environment["SOCIALSAFE_SITE_CONFIG"] = os.environ["SOCIALSAFE_SITE_CONFIG"]
    process = subprocess.Popen(
        [sys.executable, "-m", "socialsafe", "--data-dir", str(home), "--packs", str(MINI), *args],
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        env=environment,
        start_new_session=True,  # no controlling terminal but this one: getpass reads standard input
    )
    os.close(terminal)
    output = b""
    sent = False
    deadline = dt.datetime.now() + dt.timedelta(seconds=60)
    while dt.datetime.now() < deadline:
        ready, _w, _x = select.select([controller], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(controller, 4096)
            except OSError:
                break
            if not chunk:
                break
            output += chunk
            if not sent and b": " in output.rsplit(b"\n", 1)[-1]:
                os.write(controller, typed.encode() + b"\n")
                sent = True
        elif process.poll() is not None:
            break
    code = process.wait(timeout=60)
    os.close(controller)
    return code, output.decode("utf-8", "replace")


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")
def test_on_a_terminal_the_passphrase_is_asked_for_and_not_shown(home: Path) -> None:
    with_passphrase(home)
    code, output = on_terminal(home, SECRET, *ADMIN_COMMANDS["acknowledge"])
    assert code == 0, output
    assert "Admin passphrase: " in output
    assert SECRET not in output
    assert "Recorded the signed paper copy" in output
    code, output = on_terminal(home, "wrong guess", *ADMIN_COMMANDS["acknowledge"])
    assert code == 4, output
    assert "The admin passphrase is wrong." in output


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")
def test_on_a_terminal_erase_asks_before_erasing(home: Path) -> None:
    home.mkdir()
    store = Store(home / "socialsafe.db")
    add_result(store, mini_pack(mini_content()), "Ann Lee", email="ann@oak.sch.uk")
    store.close()
    code, output = on_terminal(home, "no", "erase", "--email", "ann@oak.sch.uk")
    assert code == 0, output
    assert "Type yes to confirm: " in output
    assert "Nothing was erased." in output
    assert learners_of(home) == [("Ann Lee", "ann@oak.sch.uk")]
    code, output = on_terminal(home, "yes", "erase", "--email", "ann@oak.sch.uk")
    assert code == 0, output
    assert "Erased 1 learner record on this PC." in output
    assert learners_of(home) == []
