"""A real WordPress for tests: Debian's package, MariaDB, `php -S` on 127.0.0.1.

`.ci/run` installs the packages; elsewhere the tests that need it skip
(under CI=true they fail instead). Populated by tests/site/wordpress/populate.php.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

WORDPRESS = Path("/usr/share/wordpress")
SCRIPTS = Path(__file__).parent / "site" / "wordpress"
CONFIG = Path("/etc/wordpress/config-127.0.0.1.php")


def missing() -> str | None:
    """Why a real WordPress cannot run here, or None."""
    if not (WORDPRESS / "wp-load.php").exists():
        return "Debian's wordpress package is not installed"
    if not shutil.which("php") or not shutil.which("mariadb"):
        return "php-cli or the mariadb client is missing"
    if subprocess.run(["mariadb", "-uroot", "-e", "SELECT 1"], capture_output=True).returncode:
        return "MariaDB does not answer as root"
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def wordpress_site(theme: str = "twentytwentyone") -> Iterator[str]:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    database = f"wp_test_{uuid.uuid4().hex[:8]}"
    subprocess.run(["mariadb", "-uroot", "-e",
                    f"CREATE DATABASE {database}; "
                    f"CREATE USER IF NOT EXISTS 'wp_test'@'localhost' IDENTIFIED BY 'wp_test'; "
                    f"GRANT ALL ON {database}.* TO 'wp_test'@'localhost';"], check=True)
    CONFIG.parent.mkdir(parents=True, exist_ok=True)
    CONFIG.write_text(
        "<?php\n"
        f"define('DB_NAME', '{database}');\ndefine('DB_USER', 'wp_test');\n"
        "define('DB_PASSWORD', 'wp_test');\ndefine('DB_HOST', 'localhost');\n"
        "define('WP_CONTENT_DIR', '/usr/share/wordpress/wp-content');\n"
        f"define('WP_HOME', '{base}');\ndefine('WP_SITEURL', '{base}');\n")
    env = {**os.environ, "WP_BASE": base, "WP_THEME": theme}
    subprocess.run(["php", str(SCRIPTS / "populate.php")], env=env, check=True,
                   capture_output=True)
    server = subprocess.Popen(
        ["php", "-S", f"127.0.0.1:{port}", "-t", str(WORDPRESS), str(SCRIPTS / "router.php")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(50):
            try:
                urllib.request.urlopen(base + "/robots.txt", timeout=2)
                break
            except OSError:
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)
        subprocess.run(["mariadb", "-uroot", "-e", f"DROP DATABASE IF EXISTS {database}"],
                       check=False)
