"""Where the data folder is, and the refusal to keep it on a network drive."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from platformdirs import user_data_path

from socialsafe import paths
from socialsafe.paths import DataDirError, data_dir, is_network_path, prepare_data_dir

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="mount tables are read on POSIX systems only")


# data_dir precedence -------------------------------------------------------


def test_the_flag_beats_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOCIALSAFE_HOME", str(tmp_path / "env"))

    assert data_dir(tmp_path / "flag") == tmp_path / "flag"
    assert data_dir(str(tmp_path / "flag")) == tmp_path / "flag"


def test_the_environment_beats_the_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOCIALSAFE_HOME", str(tmp_path / "env"))

    assert data_dir() == tmp_path / "env"
    assert data_dir(None) == tmp_path / "env"
    assert data_dir("") == tmp_path / "env"  # an empty flag is no flag


@pytest.mark.parametrize("env", [None, ""], ids=["unset", "empty"])
def test_the_default_is_the_platform_user_data_folder(monkeypatch: pytest.MonkeyPatch, env: str | None) -> None:
    if env is None:
        monkeypatch.delenv("SOCIALSAFE_HOME", raising=False)
    else:
        monkeypatch.setenv("SOCIALSAFE_HOME", env)

    found = data_dir()

    assert found == user_data_path("SocialSafe", "LeafTrust", roaming=False)
    assert "SocialSafe" in found.parts


def test_a_home_folder_shorthand_is_expanded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("USERPROFILE", str(tmp_path))
    monkeypatch.setenv("SOCIALSAFE_HOME", "~/socialsafe-data")

    assert data_dir() == tmp_path / "socialsafe-data"
    assert data_dir("~/flagged") == tmp_path / "flagged"


# Network paths -------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["\\\\fileserver\\staff\\socialsafe", "//fileserver/staff/socialsafe", "\\\\fileserver\\staff"],
    ids=["UNC backslashes", "UNC slashes", "share root"],
)
def test_unc_paths_are_network_paths(path: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(paths, "_read_mounts", lambda: [("/", "ext4")])

    assert is_network_path(Path(path))


@posix_only
@pytest.mark.parametrize("fs_type", ["cifs", "nfs", "nfs4", "smb3", "fuse.sshfs"])
def test_a_folder_under_a_network_mount_is_a_network_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fs_type: str
) -> None:
    mount = tmp_path.resolve() / "mnt" / "staff"
    monkeypatch.setattr(paths, "_read_mounts", lambda: [("/", "ext4"), (str(mount), fs_type)])

    assert is_network_path(mount / "socialsafe")
    assert is_network_path(mount)
    assert not is_network_path(tmp_path / "mnt" / "staff-local")  # a sibling whose name only starts the same


@posix_only
def test_the_deepest_mount_decides(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    share = tmp_path.resolve() / "share"
    local = share / "local-disk"
    monkeypatch.setattr(paths, "_read_mounts", lambda: [("/", "ext4"), (str(share), "nfs"), (str(local), "ext4")])

    assert is_network_path(share / "x")
    assert not is_network_path(local / "x")


@posix_only
def test_a_local_mount_is_not_a_network_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(paths, "_read_mounts", lambda: [("/", "ext4"), (str(tmp_path.resolve()), "tmpfs")])

    assert not is_network_path(tmp_path / "data")


def test_a_local_temporary_folder_is_not_a_network_path(tmp_path: Path) -> None:
    assert not is_network_path(tmp_path)


@posix_only
def test_no_mount_table_means_local(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(paths, "_read_mounts", list)

    assert not is_network_path(tmp_path)


# prepare_data_dir ----------------------------------------------------------


def test_prepare_data_dir_creates_the_folder_and_its_logs_folder(tmp_path: Path) -> None:
    folder = tmp_path / "deep" / "data"

    assert prepare_data_dir(folder) == folder

    assert folder.is_dir()
    assert (folder / "logs").is_dir()


def test_prepare_data_dir_accepts_an_existing_folder(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    (folder / "logs").mkdir(parents=True)
    (folder / "socialsafe.db").write_bytes(b"kept")

    prepare_data_dir(folder)

    assert (folder / "socialsafe.db").read_bytes() == b"kept"


@posix_only
def test_prepare_data_dir_refuses_a_folder_on_a_network_mount(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mount = tmp_path.resolve() / "share"
    monkeypatch.setattr(paths, "_read_mounts", lambda: [("/", "ext4"), (str(mount), "cifs")])
    folder = mount / "socialsafe"

    with pytest.raises(DataDirError, match="network"):
        prepare_data_dir(folder)

    assert not folder.exists()


def test_prepare_data_dir_refuses_a_unc_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(paths, "_read_mounts", lambda: [("/", "ext4")])

    with pytest.raises(DataDirError, match="network") as raised:
        prepare_data_dir(Path("//fileserver/staff/socialsafe"))

    assert "fileserver" in str(raised.value)


def test_prepare_data_dir_refuses_a_path_under_a_file(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")

    with pytest.raises(DataDirError, match="Cannot create"):
        prepare_data_dir(blocker / "data")


def test_extra_pack_dirs_skips_empty_entries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOCIALSAFE_PACKS", os.pathsep.join(["", str(tmp_path / "a"), ""]))

    assert paths.extra_pack_dirs() == [tmp_path / "a"]
    assert paths.extra_pack_dirs([str(tmp_path / "b")]) == [tmp_path / "b"]
