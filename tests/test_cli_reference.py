"""The README's CLI reference is every command's `--help` as the CLI prints it today (cog)."""
import subprocess
import sys

from .conftest import ROOT


def test_readme_cli_reference_is_up_to_date():
    result = subprocess.run([sys.executable, "-m", "cogapp", "--check", "--diff", "README.md"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, (
        "README.md's CLI reference differs from the commands' --help: run `cog -r README.md` "
        f"(from the repository root) and commit the result\n{result.stdout[-5000:]}\n{result.stderr[-3000:]}")
    assert "Checking README.md" in result.stdout
