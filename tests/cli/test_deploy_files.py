"""The deployment files: systemd units that systemd accepts and that run commands the app has, an nginx
configuration that nginx accepts with limits matching gunicorn's and the app's, a settings example that
loads, and the commands docs/deployment.md tells the operator to run."""

from __future__ import annotations

import configparser
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from accelerator.config import load_config
from accelerator.web.sellers import UPLOAD_FORM_ALLOWANCE

ROOT = Path(__file__).resolve().parents[2]
UNITS = ROOT / "deploy" / "systemd"
NGINX_CONF = ROOT / "deploy" / "nginx" / "accelerator.conf"
FLASK = "/srv/accelerator/.venv/bin/flask --app wsgi "
SENDERS = {"accelerator-webhooks.service", "accelerator-reminders.service", "accelerator-claim-cases.service"}


def _unit(path: Path) -> configparser.ConfigParser:
    unit = configparser.ConfigParser(interpolation=None, strict=True, empty_lines_in_values=False)
    unit.optionxform = str  # systemd keys are case-sensitive
    unit.read_string(path.read_text())
    return unit


def _flask_args(exec_start: str) -> list[str]:
    assert exec_start.startswith(FLASK), exec_start
    return shlex.split(exec_start[len(FLASK):])


def test_the_units_are_the_app_and_its_senders_with_a_timer_for_each_oneshot():
    names = {path.name for path in UNITS.iterdir()}
    assert {"accelerator.service", *SENDERS} <= names
    app = _unit(UNITS / "accelerator.service")["Service"]
    for name in SENDERS:
        unit = _unit(UNITS / name)
        service = unit["Service"]
        for key in ("User", "Group", "WorkingDirectory", "EnvironmentFile", "ProtectSystem", "ReadWritePaths",
                    "NoNewPrivileges"):
            assert service[key] == app[key], (name, key)  # runs as the app does, with its settings
        assert unit["Unit"]["Description"]
        if service["Type"] == "oneshot":
            timer = _unit(UNITS / name.replace(".service", ".timer"))
            assert timer["Timer"]["OnCalendar"] and timer["Timer"]["Persistent"] == "true"
            assert timer["Install"]["WantedBy"] == "timers.target"
            assert "Install" not in unit  # started by its timer only
        else:
            assert service["Restart"] == "always" and "--loop" in _flask_args(service["ExecStart"])
    for timer in UNITS.glob("*.timer"):
        assert (UNITS / timer.name.replace(".timer", ".service")).exists(), timer.name


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_accepts_every_unit(tmp_path):
    # systemd-analyze checks that ExecStart's program exists: point the units at this checkout.
    venv_bin = Path(sys.executable).parent
    for path in UNITS.iterdir():
        text = path.read_text().replace("/srv/accelerator/.venv/bin/", f"{venv_bin}/")
        (tmp_path / path.name).write_text(text.replace("/srv/accelerator", str(ROOT)))
    units = sorted(str(path) for path in tmp_path.iterdir())
    done = subprocess.run(["systemd-analyze", "verify", *units], capture_output=True, text=True, timeout=60,
                          cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Unknown key" not in done.stderr and "Unknown section" not in done.stderr, done.stderr


def test_every_command_a_unit_runs_exists_in_the_cli(app):
    runner = app.test_cli_runner()
    gunicorn = _unit(UNITS / "accelerator.service")["Service"]["ExecStart"].split()
    assert gunicorn[0].endswith("/gunicorn") and (ROOT / gunicorn[gunicorn.index("--config") + 1]).is_file()
    assert gunicorn[-1] == "wsgi:app" and (ROOT / "wsgi.py").is_file()
    for name in SENDERS:
        args = _flask_args(_unit(UNITS / name)["Service"]["ExecStart"])
        # --help after the options: click parses them first, so an unknown option still fails.
        result = runner.invoke(args=[*args, "--help"])
        assert result.exit_code == 0, (name, result.output)
        assert f"{args[0]} {args[1]} [OPTIONS]" in result.output.splitlines()[0], result.output


def test_the_deployment_guide_runs_only_commands_the_cli_has(app):
    runner = app.test_cli_runner()
    guide = (ROOT / "docs" / "deployment.md").read_text()
    commands = set(re.findall(r"(?:flask --app wsgi|run-flask) ([a-z][a-z-]*(?: [a-z][a-z-]*)?)", guide))
    assert {"db upgrade", "db backup", "db current", "users create-admin", "api-keys create"} <= commands
    for command in commands:
        result = runner.invoke(args=[*command.split(), "--help"])
        assert result.exit_code == 0, (command, result.output)
    assert "docs/operations.md" in guide or "(operations.md)" in guide


def test_the_settings_example_loads_as_production_settings(tmp_path, monkeypatch):
    example = (ROOT / "deploy" / "accelerator.env.example").read_text()
    settings = {}
    for line in example.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            settings[key] = shlex.split(value)[0] if value else ""
    assert "CHANGE-ME" in settings["SECRET_KEY"]  # no secret in the repository
    for key, value in settings.items():
        monkeypatch.setenv(key, value)
    config = load_config(str(tmp_path))
    assert config["ENV_NAME"] == "production" and config["TRUSTED_PROXIES"] == 1
    assert [str(net) for net in config["TRUSTED_PROXY_ADDRESSES"]] == ["127.0.0.1/32"]
    assert config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")


def _nginx_size(text: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([km]?)", text).groups()
    return int(number) * {"": 1, "k": 1024, "m": 1024 * 1024}[unit]


def test_nginx_limits_match_gunicorn_and_the_app(tmp_path, monkeypatch):
    conf = NGINX_CONF.read_text()
    body = _nginx_size(re.search(r"client_max_body_size (\S+);", conf).group(1))
    monkeypatch.setenv("SECRET_KEY", "x")
    defaults = load_config(str(tmp_path))
    assert body >= 2 * defaults["UPLOAD_MAX_BYTES"] + UPLOAD_FORM_ALLOWANCE  # the largest body the app takes
    buffers = _nginx_size(re.search(r"large_client_header_buffers \d+ (\S+);", conf).group(1))
    gunicorn = {}
    # The config file sets PROMETHEUS_MULTIPROC_DIR for its workers: given here, the test's own process
    # has it taken back afterwards (else this process's /metrics would read an empty folder).
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "metrics"))
    exec((ROOT / "gunicorn.conf.py").read_text(), gunicorn)
    # A header line gunicorn would pass reaches it through nginx, so the app answers 431 itself.
    assert buffers >= gunicorn["limit_request_field_size"]
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in conf  # replaced, not appended to
    assert 'Strict-Transport-Security "max-age=31536000; includeSubDomains" always' in conf


@pytest.mark.skipif(shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists(),
                    reason="nginx is not installed (scripts/test.sh installs nginx-light)")
def test_nginx_accepts_the_configuration(tmp_path):
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=accelerator.example.com", "-keyout", str(tmp_path / "key.pem"),
                    "-out", str(tmp_path / "cert.pem")], check=True, capture_output=True, timeout=60)
    site = NGINX_CONF.read_text().replace(
        "/etc/letsencrypt/live/accelerator.example.com/fullchain.pem", str(tmp_path / "cert.pem")).replace(
        "/etc/letsencrypt/live/accelerator.example.com/privkey.pem", str(tmp_path / "key.pem"))
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log stderr;\nevents {{}}\nhttp {{\n    access_log off;\n"
        f"    client_body_temp_path {tmp_path}/body;\n    proxy_temp_path {tmp_path}/proxy;\n"
        f"    include {tmp_path}/site.conf;\n}}\n")
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    done = subprocess.run([nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-e", "stderr"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "test is successful" in done.stderr
