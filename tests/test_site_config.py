"""The site config (socialsafe.toml): reading it, its problems, and where each setting comes from.

Every test here points SOCIALSAFE_SITE_CONFIG at a file in its own temporary
folder, so none of them reads or writes the real machine-wide config folder.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

import pytest
from platformdirs import site_config_path

from socialsafe import cli, site_config
from socialsafe.config import (
    ALL_ROLES,
    DEFAULT_IDLE_MINUTES,
    TIERS,
    Settings,
    Source,
    effective,
    effective_all,
)
from socialsafe.content.model import Pack, Role
from socialsafe.domain.status import (
    DEFAULT_VALIDITY_MONTHS,
    PolicyPacks,
    counted_modules,
    person_status,
    validity_period,
)
from socialsafe.site_config import (
    ENV_SITE_CONFIG,
    KEYS,
    SiteConfig,
    check_value,
    default_site_config_file,
    load_site_config,
    pass_mark_for,
    raise_to_minimum,
    site_config_file,
    site_pass_mark,
    site_validity_months,
)
from socialsafe.storage.store import Store


def _hash(passphrase: str = "correct horse battery staple") -> str:
    """A passphrase hash in the format the PINs use (socialsafe.domain.pin)."""
    salt = b"0123456789abcdef"
    digest = hashlib.scrypt(passphrase.encode(), salt=salt, n=2**14, r=8, p=1, dklen=32)
    return "$".join(["scrypt", "16384", "8", "1", base64.b64encode(salt).decode(), base64.b64encode(digest).decode()])


HASH = _hash()

GOOD = f"""\
# The site config for every PC of Example School
share_folder = '{{share}}'
school_name = "  Example   School "
roles = ["volunteer", "teacher", "teacher"]
pass_mark = 0.9
valid_for_months = 24
admin_passphrase_hash = "{HASH}"
idle_minutes = 10
admin_authority = "k3q7-m2xd 9f4a-t8wc"
"""


@pytest.fixture(autouse=True)
def site_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This test's site config file (not created): the real site folder is never read."""
    path = tmp_path / "site" / "socialsafe.toml"
    path.parent.mkdir()
    monkeypatch.setenv(ENV_SITE_CONFIG, str(path))
    return path


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


class Saved:
    """This PC's saved settings, as the store gives them."""

    def __init__(self, **values: str) -> None:
        self.values = values

    def setting(self, key: str, default: str | None = None) -> str | None:
        return self.values.get(key, default)


def settings(tmp_path: Path, share: str | None = None) -> Settings:
    return Settings.resolve(str(tmp_path / "home"), share, None)


# Where the file is ---------------------------------------------------------------


def test_the_file_is_in_the_platform_site_config_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_SITE_CONFIG)

    expected = site_config_path("SocialSafe", "LeafTrust") / "socialsafe.toml"
    assert default_site_config_file() == expected
    assert site_config_file() == expected


def test_an_empty_environment_variable_is_no_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_SITE_CONFIG, "")

    assert site_config_file() == default_site_config_file()


def test_the_environment_variable_names_the_file(site_file: Path, tmp_path: Path) -> None:
    write(site_file, 'school_name = "Example School"\n')

    assert site_config_file() == site_file
    assert site_config.site_config().values.school_name == "Example School"
    assert site_config.site_config().path == site_file


# Reading it ------------------------------------------------------------------------


def test_a_missing_file_is_no_site_config_and_no_problem(site_file: Path, tmp_path: Path) -> None:
    config = load_site_config(site_file)

    assert config == SiteConfig(site_file)
    assert not config.found
    assert config.problems == ()
    assert config.given == []
    assert all(config.get(key) is None for key in KEYS)


def test_every_key_is_read(site_file: Path, tmp_path: Path) -> None:
    share = tmp_path / "share"
    write(site_file, GOOD.format(share=share))

    config = load_site_config(site_file)

    assert config.problems == ()
    assert config.found
    assert config.given == list(KEYS)
    values = config.values
    assert values.share_folder == str(share)
    assert values.school_name == "Example School"  # white space tidied as the School field does
    assert values.roles == (Role.TEACHER, Role.VOLUNTEER)  # in the policy's order, each once
    assert values.pass_mark == 0.9
    assert values.valid_for_months == 24
    assert values.admin_passphrase_hash == HASH
    assert values.idle_minutes == 10
    assert values.admin_authority == "k3q7-m2xd 9f4a-t8wc"  # compared as a fingerprint: case and spaces aside


@pytest.mark.parametrize("value", ['"K3Q7-M2XD"', '"not a key at all!"', "17"])
def test_an_authority_that_is_no_fingerprint_or_key_is_ignored(site_file: Path, value: str) -> None:
    write(site_file, f"admin_authority = {value}\n")

    config = load_site_config(site_file)

    assert config.values.admin_authority is None
    [problem] = config.problems
    assert "admin_authority" in problem.message
    assert "fingerprint" in problem.message


def test_a_byte_order_mark_is_tolerated(site_file: Path) -> None:
    site_file.write_bytes(b"\xef\xbb\xbfidle_minutes = 3\n")

    config = load_site_config(site_file)

    assert config.problems == ()
    assert config.values.idle_minutes == 3


def test_an_integer_pass_mark_of_one_is_a_fraction(site_file: Path) -> None:
    write(site_file, "pass_mark = 1\n")

    assert load_site_config(site_file).values.pass_mark == 1.0


def test_broken_toml_is_reported_with_its_line_and_ignored_whole(site_file: Path) -> None:
    write(site_file, 'school_name = "Example School"\nidle_minutes = 10\nroles = [teacher]\n')

    config = load_site_config(site_file)

    assert config.found
    assert config.given == []  # nothing of a file that cannot be parsed is trusted
    [problem] = config.problems
    assert problem.path == site_file
    assert problem.line == 3
    assert str(problem).startswith(f"{site_file}:3: not valid TOML: ")
    assert "the whole site config is ignored" in str(problem)


def test_a_windows_path_in_double_quotes_gets_a_hint(site_file: Path) -> None:
    write(site_file, 'idle_minutes = 10\nshare_folder = "S:\\Training\\SocialSafe"\n')

    [problem] = load_site_config(site_file).problems

    assert problem.line == 2
    assert "single quotes" in problem.message


def test_an_unknown_key_is_reported_with_its_line_and_the_rest_applies(site_file: Path, tmp_path: Path) -> None:
    write(site_file, f"idle_minutes = 10\nshared_folder = '{tmp_path}'\nschool_name = \"Example School\"\n")

    config = load_site_config(site_file)

    [problem] = config.problems
    assert problem.line == 2
    assert str(problem) == (
        f"{site_file}:2: shared_folder is not a site config key (did you mean share_folder?); it is ignored."
    )
    assert config.values.idle_minutes == 10
    assert config.values.school_name == "Example School"
    assert config.values.share_folder is None


def test_an_unknown_table_is_an_unknown_key(site_file: Path) -> None:
    write(site_file, "idle_minutes = 10\n\n[colours]\nheader = 'green'\n")

    config = load_site_config(site_file)

    [problem] = config.problems
    assert problem.line == 3
    assert "colours is not a site config key" in problem.message
    assert config.values.idle_minutes == 10


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ("share_folder = 42", "share_folder"),
        ("share_folder = 'relative/folder'", "share_folder"),
        ("share_folder = ''", "share_folder"),
        ("school_name = 7", "school_name"),
        ("school_name = '   '", "school_name"),
        (f"school_name = '{'x' * 121}'", "school_name"),
        ('roles = "teacher"', "roles"),
        ("roles = []", "roles"),
        ("roles = [1]", "roles"),
        ("pass_mark = 80", "pass_mark"),
        ("pass_mark = 0", "pass_mark"),
        ('pass_mark = "0.8"', "pass_mark"),
        ("pass_mark = true", "pass_mark"),
        ("valid_for_months = 0", "valid_for_months"),
        ("valid_for_months = 12.5", "valid_for_months"),
        ('valid_for_months = "12"', "valid_for_months"),
        ("valid_for_months = 2026-01-01", "valid_for_months"),
        ("admin_passphrase_hash = 'letmein'", "admin_passphrase_hash"),
        ("admin_passphrase_hash = 'scrypt$16384$8$1$not base64$AAAA'", "admin_passphrase_hash"),
        (
            "admin_passphrase_hash = 'bcrypt$16384$8$1$MDEyMzQ1Njc4OWFiY2RlZg==$" + "A" * 44 + "'",
            "admin_passphrase_hash",
        ),
        ("idle_minutes = -1", "idle_minutes"),
        ("idle_minutes = 121", "idle_minutes"),
        ("idle_minutes = '5'", "idle_minutes"),
        ("idle_minutes = 5.5", "idle_minutes"),
    ],
)
def test_a_wrong_value_is_reported_with_its_line_and_only_that_key_is_ignored(
    site_file: Path, line: str, key: str
) -> None:
    other = "school_name = 'Other School'" if key != "school_name" else "idle_minutes = 9"
    write(site_file, f"# site config\n{other}\n{line}\n")

    config = load_site_config(site_file)

    [problem] = config.problems
    assert problem.line == 3
    text = str(problem)
    assert text.startswith(f"{site_file}:3: {key}")
    assert text.endswith("ignored.")
    assert text.count(". ") == 0  # one sentence
    assert config.get(key) is None
    assert config.given == ["school_name" if key != "school_name" else "idle_minutes"]


def test_a_wrong_role_code_is_named(site_file: Path) -> None:
    write(site_file, 'roles = ["teacher", "suport_staff"]\n')

    config = load_site_config(site_file)

    [problem] = config.problems
    assert "'suport_staff' is not a role code" in problem.message
    assert config.values.roles is None  # the whole list is ignored: every role is offered


def test_several_problems_are_each_reported_and_the_good_keys_still_apply(site_file: Path, tmp_path: Path) -> None:
    write(
        site_file,
        "\n".join(
            [
                f"share_folder = '{tmp_path / 'share'}'",
                "pass_mark = 1.5",
                "valid_for_months = 18",
                "idle_minute = 3",
                "idle_minutes = 'ten'",
                "school_name = 'Example School'",
            ]
        )
        + "\n",
    )

    config = load_site_config(site_file)

    assert [p.line for p in config.problems] == [2, 4, 5]
    assert config.given == ["share_folder", "school_name", "valid_for_months"]


def test_a_file_that_is_not_utf8_is_reported(site_file: Path) -> None:
    site_file.write_bytes(b"idle_minutes = 5\nschool_name = 'Caf\xe9'\n")

    config = load_site_config(site_file)

    [problem] = config.problems
    assert problem.line == 2
    assert "UTF-8" in problem.message
    assert config.given == []


def test_a_folder_in_place_of_the_file_is_reported(site_file: Path) -> None:
    site_file.mkdir()

    config = load_site_config(site_file)

    [problem] = config.problems
    assert "folder" in problem.message
    assert config.given == []


def test_an_unreadable_file_is_reported(site_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(site_file, "idle_minutes = 5\n")

    def refuse(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", refuse)  # as a file only administrators may read
    config = load_site_config(site_file)

    [problem] = config.problems
    assert str(problem) == (
        f"{site_file}: cannot be read (Permission denied); the whole site config is ignored until this is mended."
    )
    assert config.given == []


def test_check_value_holds_a_value_to_the_site_rules() -> None:
    assert check_value("idle_minutes", 7) == 7
    assert check_value("roles", ["other", "teacher"]) == (Role.TEACHER, Role.OTHER)
    with pytest.raises(ValueError, match=r"^idle_minutes must be a whole number of minutes from 0 \(never\) to 120\.$"):
        check_value("idle_minutes", 500)


def test_site_config_is_read_again_when_the_file_changes(site_file: Path) -> None:
    write(site_file, "idle_minutes = 5\n")
    first = site_config.site_config()
    assert site_config.site_config() is first  # unchanged: not read again

    write(site_file, "idle_minutes = 15\nschool_name = 'Example School'\n")

    assert site_config.site_config().values.idle_minutes == 15
    site_file.unlink()
    assert site_config.site_config().given == []


def test_problems_go_to_the_log(site_file: Path, caplog: pytest.LogCaptureFixture) -> None:
    write(site_file, "idle_minutes = 'ten'\nfoo = 1\n")

    with caplog.at_level("WARNING", logger="socialsafe"):
        site_config.site_config()

    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 2
    assert all(str(site_file) in w for w in warnings)


# Precedence: flag > environment > this PC's saved setting > site config > default -------------


def test_every_setting_has_tiers_and_a_default() -> None:
    assert set(TIERS) == set(KEYS)
    assert all(tiers[-1] is Source.DEFAULT for tiers in TIERS.values())


@pytest.mark.parametrize(
    ("flag", "env", "saved", "site", "expected"),
    [
        (True, True, True, True, Source.FLAG),
        (False, True, True, True, Source.ENVIRONMENT),
        (False, False, True, True, Source.SAVED),
        (False, False, False, True, Source.SITE),
        (False, False, False, False, Source.DEFAULT),
    ],
)
def test_share_folder_precedence(
    tmp_path: Path,
    site_file: Path,
    monkeypatch: pytest.MonkeyPatch,
    flag: bool,
    env: bool,
    saved: bool,
    site: bool,
    expected: Source,
) -> None:
    folders = {source: tmp_path / source.name.lower() for source in Source}
    if env:
        monkeypatch.setenv("SOCIALSAFE_SHARE", str(folders[Source.ENVIRONMENT]))
    if site:
        write(site_file, f"share_folder = '{folders[Source.SITE]}'\n")
    store = Saved(share_folder=str(folders[Source.SAVED])) if saved else Saved()
    config = settings(tmp_path, str(folders[Source.FLAG]) if flag else None)

    resolved = effective("share_folder", config, store)

    assert resolved.source is expected
    assert resolved.value == (None if expected is Source.DEFAULT else folders[expected])
    assert config.share_folder(store.setting("share_folder")) == (resolved.value, resolved.source)


@pytest.mark.parametrize(
    ("key", "saved", "site_line", "site_value", "default"),
    [
        ("school_name", "This PC School", "school_name = 'Site School'", "Site School", None),
        ("idle_minutes", "0", "idle_minutes = 20", 20, DEFAULT_IDLE_MINUTES),
    ],
)
def test_a_saved_setting_beats_the_site_which_beats_the_default(
    tmp_path: Path, site_file: Path, key: str, saved: str, site_line: str, site_value: object, default: object
) -> None:
    config = settings(tmp_path)
    expected_saved = int(saved) if key == "idle_minutes" else saved

    assert effective(key, config, Saved()).source is Source.DEFAULT
    assert effective(key, config, Saved()).value == default
    write(site_file, site_line + "\n")
    assert effective(key, config, Saved()).source is Source.SITE
    assert effective(key, config, None).value == site_value  # no database open: the site's
    assert effective(key, config, Saved(**{key: saved})).source is Source.SAVED
    assert effective(key, config, Saved(**{key: saved})).value == expected_saved


def test_the_sites_admin_passphrase_beats_one_saved_on_this_pc(tmp_path: Path, site_file: Path) -> None:
    config = settings(tmp_path)
    local = _hash("local")
    assert effective("admin_passphrase_hash", config, Saved(admin_passphrase_hash=local)).value == local
    write(site_file, f"admin_passphrase_hash = '{HASH}'\n")
    resolved = effective("admin_passphrase_hash", config, Saved(admin_passphrase_hash=local))
    assert (resolved.value, resolved.source) == (HASH, Source.SITE)


@pytest.mark.parametrize(
    ("key", "bad"),
    [("idle_minutes", "soon"), ("idle_minutes", "999"), ("admin_passphrase_hash", "hunter2"), ("school_name", "  ")],
)
def test_a_saved_value_that_is_not_valid_is_passed_over(tmp_path: Path, site_file: Path, key: str, bad: str) -> None:
    write(site_file, "idle_minutes = 20\nschool_name = 'Site School'\n" + f"admin_passphrase_hash = '{HASH}'\n")

    resolved = effective(key, settings(tmp_path), Saved(**{key: bad}))

    assert resolved.source is Source.SITE


@pytest.mark.parametrize(
    ("key", "site_line", "site_value", "default"),
    [
        ("roles", "roles = ['teacher', 'support_staff']", (Role.TEACHER, Role.SUPPORT_STAFF), ALL_ROLES),
        ("pass_mark", "pass_mark = 0.9", 0.9, None),
        ("valid_for_months", "valid_for_months = 36", 36, DEFAULT_VALIDITY_MONTHS),
    ],
)
def test_site_wide_settings_come_from_the_site_or_the_default_never_from_one_pc(
    tmp_path: Path, site_file: Path, key: str, site_line: str, site_value: object, default: object
) -> None:
    config = settings(tmp_path)
    one_pc = Saved(roles="teacher", pass_mark="0.5", valid_for_months="1")

    assert effective(key, config, one_pc).value == default
    assert effective(key, config, one_pc).source is Source.DEFAULT
    write(site_file, site_line + "\n")
    assert effective(key, config, one_pc).value == site_value
    assert effective(key, config, one_pc).source is Source.SITE


def test_a_bad_site_key_falls_back_to_the_default_and_the_others_apply(tmp_path: Path, site_file: Path) -> None:
    write(site_file, "idle_minutes = 500\nschool_name = 'Site School'\nroles = ['teachers']\n")

    resolved = effective_all(settings(tmp_path), Saved())

    assert resolved["idle_minutes"].value == DEFAULT_IDLE_MINUTES
    assert resolved["idle_minutes"].source is Source.DEFAULT
    assert resolved["roles"].value == ALL_ROLES
    assert resolved["school_name"].value == "Site School"
    assert resolved["school_name"].source is Source.SITE


def test_the_real_store_is_a_source_of_saved_settings(tmp_path: Path, site_file: Path, store: Store) -> None:
    write(site_file, "idle_minutes = 20\n")
    store.set_setting("idle_minutes", "3")

    assert effective("idle_minutes", settings(tmp_path), store).value == 3


def test_an_unknown_setting_is_a_programming_error(tmp_path: Path) -> None:
    with pytest.raises(KeyError):
        effective("colour", settings(tmp_path))


def test_the_sources_read_as_the_app_shows_them() -> None:
    assert [str(s) for s in Source] == [
        "command line",
        "environment",
        "this PC's settings",
        "site config",
        "default",
    ]


# What follows from the site's values ---------------------------------------------------------


def test_site_validity_months_is_used_when_the_pack_sets_none(site_file: Path, mini_pack: Pack) -> None:
    assert mini_pack.header.pack.valid_for_months is None
    assert site_validity_months() is None
    assert validity_period(mini_pack, site_validity_months()) == 12

    write(site_file, "valid_for_months = 24\n")

    assert site_validity_months() == 24
    assert validity_period(mini_pack, site_validity_months()) == 24
    own = mini_pack.model_copy(
        update={
            "header": mini_pack.header.model_copy(
                update={"pack": mini_pack.header.pack.model_copy(update={"valid_for_months": 6})}
            )
        }
    )
    assert validity_period(own, site_validity_months()) == 6  # the pack's own period comes first


@dataclass
class _Pass:
    """A passed quiz attempt, as the status rules read it."""

    module_id: str
    finished_at: dt.datetime | None
    pack_id: str
    policy_version: str
    score: int | None = 5
    max_score: int = 5
    pass_mark: float = 0.8
    passed: bool | None = True
    source: str = "quiz"


@dataclass
class _SignOff:
    policy_id: str
    policy_version: str
    acknowledged_at: dt.datetime


def test_site_validity_months_sets_when_a_completion_expires(site_file: Path, mini_pack: Pack) -> None:
    write(site_file, "valid_for_months = 24\n")
    packs = PolicyPacks.of([mini_pack], mini_pack.policy.id)
    done = dt.datetime(2026, 1, 10, 12).astimezone().astimezone(dt.UTC)
    version = mini_pack.policy.version
    attempts = [_Pass(m.id, done, mini_pack.id, version) for m in counted_modules(mini_pack, "teacher")]
    signoffs = [_SignOff(mini_pack.policy.id, version, done)]

    status = person_status(
        packs, "teacher", attempts, signoffs, dt.date(2026, 2, 1), validity_months=site_validity_months()
    )

    assert status.completed_at == dt.date(2026, 1, 10)
    assert status.expires_on == dt.date(2028, 1, 10)


def test_the_site_pass_mark_raises_a_module_pass_mark_and_never_lowers_it(site_file: Path) -> None:
    assert site_pass_mark() is None
    assert pass_mark_for(0.8) == 0.8

    write(site_file, "pass_mark = 0.9\n")

    assert site_pass_mark() == 0.9
    assert pass_mark_for(0.8) == 0.9
    assert pass_mark_for(1.0) == 1.0
    assert raise_to_minimum(0.8, 0.5) == 0.8
    assert raise_to_minimum(0.5, None) == 0.5


# The command line ------------------------------------------------------------------------------


def test_a_command_reports_site_config_problems_and_carries_on(
    tmp_path: Path, site_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(site_file, "idle_minutes = 'ten'\n")

    code = cli.main(["--data-dir", str(tmp_path / "home"), "report"])

    err = capsys.readouterr().err
    assert code == 0
    assert f"{site_file}:1: idle_minutes must be" in err


def test_sync_uses_the_site_share_folder(tmp_path: Path, site_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    share = tmp_path / "share"
    share.mkdir()
    write(site_file, f"share_folder = '{share}'\n")

    code = cli.main(["--data-dir", str(tmp_path / "home"), "sync"])

    assert code == 0, capsys.readouterr()
    assert (share / "socialsafe-share.json").is_file()


def test_the_share_flag_still_beats_the_site_share_folder(tmp_path: Path, site_file: Path) -> None:
    site_share, flag_share = tmp_path / "site-share", tmp_path / "flag-share"
    site_share.mkdir()
    flag_share.mkdir()
    write(site_file, f"share_folder = '{site_share}'\n")

    assert cli.main(["--data-dir", str(tmp_path / "home"), "--share", str(flag_share), "sync"]) == 0

    assert (flag_share / "socialsafe-share.json").is_file()
    assert not (site_share / "socialsafe-share.json").exists()
