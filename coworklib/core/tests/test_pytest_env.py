"""The test environment (config/pytest_env.py) leaves no data folder behind in the system's temporary directory."""

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]

TRIVIAL_TESTS = """
import os
from pathlib import Path


def test_one():
    Path(os.environ["OUT"], f"one-{os.getpid()}").write_text(os.environ["COWORKLIB_DATA_DIR"])


def test_two():
    Path(os.environ["OUT"], f"two-{os.getpid()}").write_text(os.environ["COWORKLIB_DATA_DIR"])
"""


def run_pytest(tmp_path: Path, *args: str, data_dir: str | None = None) -> tuple[Path, list[str]]:
    """Runs the trivial tests in another pytest process whose TMPDIR is a fresh folder; returns that folder and
    the data folders the tests saw."""
    system_tmp, out = tmp_path / "system-tmp", tmp_path / "out"
    system_tmp.mkdir()
    out.mkdir()
    test_file = tmp_path / "test_trivial.py"
    test_file.write_text(TRIVIAL_TESTS)
    environment = {
        key: value for key, value in os.environ.items() if key not in {"COWORKLIB_DATA_DIR", "PYTEST_XDIST_WORKER"}
    }
    environment.update(TMPDIR=str(system_tmp), OUT=str(out))
    environment.pop("PYTEST_ADDOPTS", None)
    if data_dir is not None:
        environment["COWORKLIB_DATA_DIR"] = data_dir
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-c", str(REPO / "pyproject.toml")]
    completed = subprocess.run(
        [*command, "--rootdir", str(REPO), *args, str(test_file)],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return system_tmp, [path.read_text() for path in sorted(out.iterdir())]


def leftovers(system_tmp: Path) -> list[Path]:
    # pytest's own basetemp (pytest-of-<user>) is pytest's business, and kept on purpose.
    return [path for path in system_tmp.iterdir() if path.name.startswith("coworklib-test-")]


def test_xdist_workers_share_the_controller_s_folder_which_is_removed_at_the_end(tmp_path: Path) -> None:
    system_tmp, seen = run_pytest(tmp_path, "-n", "2")

    assert len(seen) == 2 and len(set(seen)) == 1
    assert Path(seen[0]).parent == system_tmp
    assert Path(seen[0]).name.startswith("coworklib-test-")
    assert leftovers(system_tmp) == []


def test_a_data_folder_given_by_the_environment_is_used_and_kept(tmp_path: Path) -> None:
    given = tmp_path / "given"
    given.mkdir()

    system_tmp, seen = run_pytest(tmp_path, data_dir=str(given))

    assert set(seen) == {str(given)}
    assert leftovers(system_tmp) == []
    assert given.is_dir()
