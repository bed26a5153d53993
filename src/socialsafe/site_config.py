"""The site config: one ``socialsafe.toml`` an IT technician puts on every PC.

It lives in the machine-wide config folder (platformdirs' site config path for
"SocialSafe" by "LeafTrust"), or wherever ``SOCIALSAFE_SITE_CONFIG`` points,
and gives every PC the same starting values without anyone clicking through
Settings. ``docs/it-guide.md`` documents every key.

Reading it never raises. A missing file is normal (no site config). A file
that cannot be read or is not valid TOML is ignored as a whole; otherwise
each key that is unknown or has a wrong value is ignored on its own, and the
others still apply. Every problem is one sentence naming the file and, where
known, the line, for the log and for the app to show.

Which value wins when a flag, the environment or this PC's saved settings say
otherwise is decided in :mod:`socialsafe.config`, not here.
"""

from __future__ import annotations

import base64
import binascii
import difflib
import os
import threading
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from platformdirs import site_config_path
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from socialsafe.content.loader import Problem, _Lines, _toml_problem
from socialsafe.content.model import Role
from socialsafe.i18n import _
from socialsafe.log import log
from socialsafe.paths import APP_AUTHOR, APP_NAME

ENV_SITE_CONFIG = "SOCIALSAFE_SITE_CONFIG"
SITE_CONFIG_NAME = "socialsafe.toml"
MAX_IDLE_MINUTES = 120  # the Settings dialog offers 0 (never) to 120
MAX_VALID_FOR_MONTHS = 120  # as a pack's valid_for_months
MAX_SCHOOL_NAME = 120  # as the School field


def _check_passphrase_hash(text: str) -> str:
    """``scrypt$N$r$p$salt$digest`` (salt and digest in base64), as the PIN hashes are stored."""
    parts = text.split("$")
    try:
        scheme, n, r, p, salt, digest = parts
        cost, block, parallel = int(n), int(r), int(p)
        salt_bytes = base64.b64decode(salt, validate=True)
        digest_bytes = base64.b64decode(digest, validate=True)
    except (ValueError, binascii.Error):
        raise ValueError("malformed") from None
    if scheme != "scrypt" or cost < 2 or cost & (cost - 1) or block < 1 or parallel < 1:
        raise ValueError("malformed")
    if len(salt_bytes) < 8 or len(digest_bytes) < 16:
        raise ValueError("malformed")
    return text


def _check_authority(text: str) -> str:
    """A key fingerprint as SocialSafe shows it (16 characters in groups of 4), or a whole public key."""
    from socialsafe.trust.keys import KEY_BYTES, unb64

    letters = text.upper().replace("-", "").replace(" ", "")
    if unb64(text, KEY_BYTES) is None and not (len(letters) == 16 and letters.isalnum() and letters.isascii()):
        raise ValueError("malformed")
    return text


class SiteValues(BaseModel):
    """The keys of ``socialsafe.toml``; every one is optional, None when not given (or ignored)."""

    # Unknown keys are almost always typos ("shared_folder"), so they are problems.
    model_config = ConfigDict(extra="forbid", frozen=True)

    share_folder: Annotated[str, Field(strict=True, min_length=1)] | None = None
    school_name: Annotated[str, Field(strict=True, min_length=1, max_length=MAX_SCHOOL_NAME)] | None = None
    roles: Annotated[tuple[Role, ...], Field(min_length=1)] | None = None
    pass_mark: Annotated[float, Field(strict=True, gt=0, le=1)] | None = None
    valid_for_months: Annotated[int, Field(strict=True, ge=1, le=MAX_VALID_FOR_MONTHS)] | None = None
    admin_passphrase_hash: Annotated[str, Field(strict=True)] | None = None
    idle_minutes: Annotated[int, Field(strict=True, ge=0, le=MAX_IDLE_MINUTES)] | None = None
    # The office's admin authority every PC of the site must trust: its fingerprint, or its whole public key.
    admin_authority: Annotated[str, Field(strict=True)] | None = None

    @field_validator("share_folder")
    @classmethod
    def _full_path(cls, value: str | None) -> str | None:
        if value is not None and not Path(value.strip()).expanduser().is_absolute():
            raise ValueError("not a full path")
        return value.strip() if value is not None else None

    @field_validator("school_name")
    @classmethod
    def _one_line(cls, value: str | None) -> str | None:
        if value is None:
            return None
        text = " ".join(value.split())
        if not text:
            raise ValueError("empty")
        return text

    @field_validator("roles")
    @classmethod
    def _in_policy_order(cls, value: tuple[Role, ...] | None) -> tuple[Role, ...] | None:
        # Offered in the policy's order, each once, whatever order the file gives.
        return None if value is None else tuple(r for r in Role if r in value)

    @field_validator("admin_passphrase_hash")
    @classmethod
    def _scrypt(cls, value: str | None) -> str | None:
        return None if value is None else _check_passphrase_hash(value.strip())

    @field_validator("admin_authority")
    @classmethod
    def _authority(cls, value: str | None) -> str | None:
        return None if value is None else _check_authority(value.strip())


KEYS: tuple[str, ...] = tuple(SiteValues.model_fields)


def _expected(key: str) -> str:
    """What a key's value must be, as the end of a sentence."""
    roles = ", ".join(str(r) for r in Role)
    return {
        "share_folder": _(
            "a full path in quotes, such as 'S:\\Training\\SocialSafe' or '\\\\server\\share\\SocialSafe'"
        ),
        "school_name": _("the school's name in quotes, at most {n} characters").format(n=MAX_SCHOOL_NAME),
        "roles": _('a list of one or more of the role codes {roles}, such as ["teacher", "support_staff"]').format(
            roles=roles
        ),
        "pass_mark": _("a fraction above 0 and at most 1, such as 0.8 for 80%"),
        "valid_for_months": _("a whole number of months from 1 to {n}, such as 12").format(n=MAX_VALID_FOR_MONTHS),
        "admin_passphrase_hash": _("a passphrase hash made by SocialSafe, starting with scrypt$"),
        "idle_minutes": _("a whole number of minutes from 0 (never) to {n}").format(n=MAX_IDLE_MINUTES),
        "admin_authority": _(
            "the office's key fingerprint as SocialSafe shows it, such as 'K3Q7-M2XD-9F4A-T8WC', in quotes"
        ),
    }[key]


def check_value(key: str, value: object) -> Any:
    """``value`` checked as the site config checks ``key``; raises ValueError with a sentence when wrong.

    :mod:`socialsafe.config` uses it for this PC's saved settings, so that a
    saved value is held to the same rules as the site's.
    """
    try:
        return getattr(SiteValues.model_validate({key: value}), key)
    except ValidationError:
        raise ValueError(_("{key} must be {expected}.").format(key=key, expected=_expected(key))) from None


@dataclass(frozen=True)
class SiteConfig:
    """What the site config says, and what was wrong with it."""

    path: Path
    values: SiteValues = field(default_factory=SiteValues)
    problems: tuple[Problem, ...] = ()
    found: bool = False  # the file exists (it may still be unusable)

    def get(self, key: str) -> Any:
        """The value of ``key`` here, or None when the file does not give it (or gives a wrong one)."""
        if key not in KEYS:
            raise KeyError(key)
        return getattr(self.values, key)

    @property
    def given(self) -> list[str]:
        """The keys the file sets with a usable value."""
        return [key for key in KEYS if getattr(self.values, key) is not None]


def default_site_config_file() -> Path:
    """``socialsafe.toml`` in the machine-wide config folder of this platform.

    Windows: ``C:\\ProgramData\\LeafTrust\\SocialSafe``; macOS:
    ``/Library/Application Support/SocialSafe``; Linux: ``/etc/xdg/SocialSafe``
    (the first folder of ``XDG_CONFIG_DIRS`` when that is set).
    """
    return site_config_path(APP_NAME, APP_AUTHOR) / SITE_CONFIG_NAME


def site_config_file() -> Path:
    """The site config file in force: ``SOCIALSAFE_SITE_CONFIG`` (a file path), else the platform's."""
    env = os.environ.get(ENV_SITE_CONFIG, "").strip()
    return Path(env).expanduser() if env else default_site_config_file()


def load_site_config(path: Path | None = None) -> SiteConfig:
    """Read and check the site config at ``path`` (default: :func:`site_config_file`). Never raises."""
    path = path if path is not None else site_config_file()
    try:
        if path.is_dir():  # Windows says "permission denied" when a folder is read as a file
            return _unusable(
                path, _("this is a folder; the site config must be a file named {name}").format(name=SITE_CONFIG_NAME)
            )
        raw = path.read_bytes()
    except FileNotFoundError:
        return SiteConfig(path)
    except OSError as error:
        return _unusable(path, _("cannot be read ({reason})").format(reason=error.strerror or error))
    try:
        text = raw.decode("utf-8-sig")  # Notepad may add a byte order mark
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        return _unusable(path, _("the file is not UTF-8 text; save it as UTF-8"), line)
    return parse_site_config(path, text)


def parse_site_config(path: Path, text: str) -> SiteConfig:
    """The site config in ``text``, read from ``path``: each bad key is reported and left out."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        problem = _toml_problem(path, error)
        message = problem.message
        if problem.line is not None and _has_windows_path(text, problem.line):
            message += " " + _("(write a Windows path in single quotes, such as 'S:\\Training\\SocialSafe')")
        return _unusable(path, message, problem.line)
    lines = _Lines(text)
    problems: list[Problem] = []
    good: dict[str, Any] = {}
    for key, value in data.items():
        line = lines.find((key,))
        if key not in KEYS:
            problems.append(Problem(path, _unknown_key(key), line=line))
            continue
        try:
            good[key] = check_value(key, value)
        except ValueError as error:
            problems.append(Problem(path, _bad_value(key, value, str(error)), line=line))
    return SiteConfig(path, SiteValues.model_validate(good), tuple(problems), found=True)


def _unusable(path: Path, reason: str, line: int | None = None) -> SiteConfig:
    message = _("{reason}; the whole site config is ignored until this is mended.").format(reason=reason)
    return SiteConfig(path, problems=(Problem(path, message, line=line),), found=True)


def _has_windows_path(text: str, line: int) -> bool:
    lines = text.splitlines()
    return 0 < line <= len(lines) and "\\" in lines[line - 1] and '"' in lines[line - 1]


def _unknown_key(key: str) -> str:
    close = difflib.get_close_matches(key, KEYS, n=1)
    if close:
        return _("{key} is not a site config key (did you mean {close}?); it is ignored.").format(
            key=key, close=close[0]
        )
    return _("{key} is not a site config key (the keys are {keys}); it is ignored.").format(
        key=key, keys=", ".join(KEYS)
    )


def _bad_value(key: str, value: object, sentence: str) -> str:
    if key == "roles" and isinstance(value, list):
        known = {str(r) for r in Role}
        wrong = [v for v in value if not isinstance(v, str) or v not in known]
        if wrong:
            return _("roles: {value} is not a role code ({roles}); the roles setting is ignored.").format(
                value=repr(wrong[0]), roles=", ".join(str(r) for r in Role)
            )
    return sentence.removesuffix(".") + _("; this setting is ignored.")


# The site config of this PC, read once and again whenever the file changes. ---

_lock = threading.Lock()
_cached: tuple[tuple[object, ...], SiteConfig] | None = None


def _signature(path: Path) -> tuple[object, ...]:
    try:
        stat = path.stat()
    except OSError:
        return (str(path), None)
    return (str(path), stat.st_mtime_ns, stat.st_size, stat.st_ino)


def site_config() -> SiteConfig:
    """This PC's site config; its problems go to the log each time the file is (re)read."""
    global _cached
    path = site_config_file()
    signature = _signature(path)
    with _lock:
        if _cached is not None and _cached[0] == signature:
            return _cached[1]
        config = load_site_config(path)
        _cached = (signature, config)
    if config.found:
        log.info("site config %s: sets %s", path, ", ".join(config.given) or "nothing usable")
    for problem in config.problems:
        log.warning("site config: %s", problem)
    return config


def site_validity_months() -> int | None:
    """The site's ``valid_for_months``, for ``person_status(..., validity_months=...)``.

    None when the site sets none: then the status rules use the pack's period,
    else 12 months. A pack's own ``valid_for_months`` always comes first.
    """
    months: int | None = site_config().values.valid_for_months
    return months


def site_pass_mark() -> float | None:
    """The site's minimum pass mark (a fraction), or None when the site sets none."""
    mark: float | None = site_config().values.pass_mark
    return mark


def raise_to_minimum(module_pass_mark: float, site_mark: float | None) -> float:
    """A module's pass mark raised to the site's minimum: a site can raise the bar a pack sets, never lower it."""
    return module_pass_mark if site_mark is None else max(module_pass_mark, site_mark)


def pass_mark_for(module_pass_mark: float) -> float:
    """The pass mark an attempt at a module is held to on this PC: the module's, raised to the site's minimum."""
    return raise_to_minimum(module_pass_mark, site_pass_mark())
