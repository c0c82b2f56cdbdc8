"""A real WordPress for tests: Debian's package, MariaDB, `php -S` on 127.0.0.1.

`.ci/run` installs the packages; elsewhere the tests that need it skip
(under CI=true they fail instead). Populated by tests/site/wordpress/populate.php.

Debian's /usr/share/wordpress/wp-config.php loads
`/etc/wordpress/config-<name>.php`, where <name> is `$_SERVER['WORDPRESS_CONFIG']`
when set (letters, digits and dashes), else the request's host without its
port. Keyed by host, every WordPress on 127.0.0.1 would share one global file,
`config-127.0.0.1.php`; so each site here gets a config of its own,
`config-archive-test-<id>.php`, named by WORDPRESS_CONFIG (router.php and
populate.php copy it from the environment into `$_SERVER`), and removed with
the site. The folder is Debian's choice, hard-coded in its wp-config.php: a
file there cannot be avoided, one shared by two runs can.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support import http_get, http_status, start_on_free_port, stop_process, wait_until

WORDPRESS = Path("/usr/share/wordpress")
SCRIPTS = Path(__file__).parent / "site" / "wordpress"
CONFIG_DIR = Path("/etc/wordpress")
HEALTH_PATH = "/__archive-test-health"  # answered by router.php with WP_TEST_TOKEN


def missing() -> str | None:
    """Why a real WordPress cannot run here, or None."""
    if not (WORDPRESS / "wp-load.php").exists():
        return "Debian's wordpress package is not installed"
    if not shutil.which("php") or not shutil.which("mariadb"):
        return "php-cli or the mariadb client is missing"
    if subprocess.run(["mariadb", "-uroot", "-e", "SELECT 1"], capture_output=True,
                      timeout=30).returncode:
        return "MariaDB does not answer as root"
    if not os.access(CONFIG_DIR if CONFIG_DIR.exists() else CONFIG_DIR.parent, os.W_OK):
        return f"{CONFIG_DIR} is not writable (Debian's WordPress reads its config there)"
    return None


def _mariadb(sql: str, check: bool = True) -> None:
    subprocess.run(["mariadb", "-uroot", "-e", sql], check=check, capture_output=True,
                   timeout=60)


@contextmanager
def wordpress_site(theme: str = "twentytwentyone") -> Iterator[str]:
    """A populated WordPress served by `php -S`; yields its base URL."""
    name = f"archive-test-{uuid.uuid4().hex[:12]}"
    database = name.replace("-", "_")
    config = CONFIG_DIR / f"config-{name}.php"
    token = uuid.uuid4().hex
    env = {**os.environ, "WORDPRESS_CONFIG": name, "WP_TEST_TOKEN": token, "WP_THEME": theme}
    _mariadb(f"CREATE DATABASE {database}; "
             "CREATE USER IF NOT EXISTS 'wp_test'@'localhost' IDENTIFIED BY 'wp_test'; "
             f"GRANT ALL ON {database}.* TO 'wp_test'@'localhost';")
    server: subprocess.Popen[bytes] | None = None
    try:
        CONFIG_DIR.mkdir(parents=True, exist_ok=True)

        def start(port: int) -> subprocess.Popen[bytes]:
            # The site's URL names its port: the config is written for each try.
            base = f"http://127.0.0.1:{port}"
            config.write_text(
                "<?php\n"
                f"define('DB_NAME', '{database}');\ndefine('DB_USER', 'wp_test');\n"
                "define('DB_PASSWORD', 'wp_test');\ndefine('DB_HOST', 'localhost');\n"
                "define('WP_CONTENT_DIR', '/usr/share/wordpress/wp-content');\n"
                f"define('WP_HOME', '{base}');\ndefine('WP_SITEURL', '{base}');\n"
                # No wp-cron and no calls out: `php -S` serves one request at a
                # time, and the cron request a page spawns (update checks against
                # api.wordpress.org, unreachable here) held it for 10 s and more.
                "define('DISABLE_WP_CRON', true);\ndefine('WP_HTTP_BLOCK_EXTERNAL', true);\n")
            return subprocess.Popen(
                ["php", "-S", f"127.0.0.1:{port}", "-t", str(WORDPRESS),
                 str(SCRIPTS / "router.php")],
                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        def ours(port: int) -> bool:  # answered with our token: our php, no other program
            return http_get(f"http://127.0.0.1:{port}{HEALTH_PATH}") == token.encode()

        server, port = start_on_free_port(start, ours, "php -S (WordPress)", timeout=60)
        base = f"http://127.0.0.1:{port}"
        subprocess.run(["php", str(SCRIPTS / "populate.php")], env={**env, "WP_BASE": base},
                       check=True, capture_output=True, timeout=300)
        # Ready when a post answers at its pretty URL: the rules stored for
        # another structure (see populate.php) once had every post 404.
        post = f"{base}/2023/05/harbour-reopens-after-storm/"
        wait_until(lambda: http_get(post, timeout=10) is not None, 60,
                   "the WordPress to serve its posts at their permalinks",
                   details=lambda: http_status(post))
        yield base
    finally:
        if server is not None:
            stop_process(server, timeout=10)
        config.unlink(missing_ok=True)
        _mariadb(f"DROP DATABASE IF EXISTS {database}", check=False)
