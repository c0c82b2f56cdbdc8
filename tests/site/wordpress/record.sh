#!/usr/bin/env bash
# Records real WordPress output as fixtures for the wordpress profile:
# Debian's wordpress package + MariaDB, served by `php -S` on 127.0.0.1.
#   apt-get install wordpress php-cli php-mysql php-xml wordpress-theme-twentytwentyone wordpress-theme-twentytwentythree
#   bash tests/site/wordpress/record.sh
# Writes tests/site/wordpress/<theme>/*.html.gz. The tests read the recordings;
# they never need WordPress itself.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
port="${WP_PORT:-8089}"
base="http://127.0.0.1:$port"
db=wp_record

mariadb -uroot -e "DROP DATABASE IF EXISTS $db; CREATE DATABASE $db;
  CREATE USER IF NOT EXISTS 'wp_record'@'localhost' IDENTIFIED BY 'wp_record';
  GRANT ALL ON $db.* TO 'wp_record'@'localhost';"
# A config of its own (router.php and populate.php pass WORDPRESS_CONFIG on to
# Debian's wp-config.php), not the global one for the host 127.0.0.1.
export WORDPRESS_CONFIG=archive-record
config=/etc/wordpress/config-$WORDPRESS_CONFIG.php
cat > "$config" <<PHP
<?php
define('DB_NAME', '$db');
define('DB_USER', 'wp_record');
define('DB_PASSWORD', 'wp_record');
define('DB_HOST', 'localhost');
define('WP_CONTENT_DIR', '/usr/share/wordpress/wp-content');
define('WP_HOME', '$base');
define('WP_SITEURL', '$base');
// php -S serves one request at a time: no cron request holding it (see tests/wordpress_site.py).
define('DISABLE_WP_CRON', true);
define('WP_HTTP_BLOCK_EXTERNAL', true);
PHP

php -S "127.0.0.1:$port" -t /usr/share/wordpress "$here/router.php" >/tmp/wp-php-server.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -f "$config"' EXIT
for _ in $(seq 50); do  # until php answers
  curl -fsS -o /dev/null "$base/robots.txt" && break
  sleep 0.1
done

record() {  # record THEME FILE PATH
  mkdir -p "$here/$1"
  curl -fsS "$base$3" | gzip -9n > "$here/$1/$2.gz"
}

for theme in twentytwentyone twentytwentythree; do
  WP_BASE="$base" WP_THEME="$theme" php "$here/populate.php"
  record "$theme" post-classic-caption.html /2023/05/harbour-reopens-after-storm/
  record "$theme" post-block-caption.html /2023/05/council-approves-the-budget/
  record "$theme" category-page-1.html /category/world/
  record "$theme" category-page-2.html /category/world/page/2/
  record "$theme" tag-listing.html /tag/harbour/
  record "$theme" author-listing.html /author/mholt/
  record "$theme" search.html /?s=harbour
  record "$theme" feed.xml /feed/
  record "$theme" wp-sitemap.xml /wp-sitemap.xml
done
echo "recorded into $here"
