"""pip-audit over the locked dependencies (uv.lock), for `make audit`.

Exit 1 when a known vulnerability is found or pip-audit itself fails. When the vulnerability
service cannot be reached, or answers for none of the packages (this happens behind mirrors
and proxies that serve PyPI's simple index but not its per-version JSON API), print one clear
SKIPPED line and exit 0: no network must not block the suite, but it must never read as "no
vulnerabilities" either.

    .venv/bin/python ops/audit.py
"""

import json

# Runs only our own tools (uv, pip-audit) with fixed arguments.
import subprocess  # nosec B404
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UV = ROOT / ".tools" / "bin" / "uv"
PIP_AUDIT = ROOT / ".venv" / "bin" / "pip-audit"
NETWORK_ERRORS = (
    "ConnectionError",
    "ConnectTimeout",
    "ReadTimeout",
    "ProxyError",
    "SSLError",
    "Max retries exceeded",
    "Temporary failure in name resolution",
    "Name or service not known",
)


def verdict(report: dict) -> tuple[int, str]:
    """Exit code and one summary line for a pip-audit JSON report."""
    deps = report.get("dependencies", [])
    vulnerable = [dep for dep in deps if dep.get("vulns")]
    audited = [dep for dep in deps if "skip_reason" not in dep]
    if vulnerable:
        found = ", ".join(
            f"{dep['name']} {dep['version']} ({', '.join(v['id'] for v in dep['vulns'])})"
            for dep in vulnerable
        )
        return 1, f"pip-audit: FAILED: known vulnerabilities in {found}"
    if deps and not audited:
        return 0, (
            f"pip-audit: SKIPPED: the vulnerability service answered for none of the "
            f"{len(deps)} locked packages (no network or a mirror without PyPI's JSON API); "
            "nothing was checked."
        )
    skipped = len(deps) - len(audited)
    note = f"; {skipped} could not be checked" if skipped else ""
    return 0, f"pip-audit: ok: no known vulnerabilities in {len(audited)} packages{note}."


def run() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        requirements = Path(tmp) / "requirements.txt"
        subprocess.run(  # noqa: S603  # nosec B603
            [UV, "export", "--frozen", "--no-hashes", "--no-emit-project", "--all-groups"]
            + ["--quiet", "--output-file", requirements],
            check=True,
            cwd=ROOT,
        )
        result = subprocess.run(  # noqa: S603  # nosec B603
            [PIP_AUDIT, "--requirement", requirements, "--no-deps", "--disable-pip"]
            + ["--progress-spinner", "off", "--timeout", "10", "--format", "json"],
            capture_output=True,
            text=True,
            check=False,
        )
    try:
        report = json.loads(result.stdout)
    except ValueError:
        if any(error in result.stderr for error in NETWORK_ERRORS):
            reason = result.stderr.strip().splitlines()[-1][:200]
            print(f"pip-audit: SKIPPED: the vulnerability service cannot be reached ({reason}).")
            return 0
        print(result.stderr, file=sys.stderr)
        print("pip-audit: FAILED: pip-audit did not produce a report (see above).")
        return 1
    code, line = verdict(report)
    print(line)
    return code


if __name__ == "__main__":
    sys.exit(run())
