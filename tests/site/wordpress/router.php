<?php
// php -S router: real files are served as they are, every other path goes to
// WordPress's front controller, as Apache's rewrite rules would do.
//
// WORDPRESS_CONFIG in the environment names Debian's config file for this
// site (/etc/wordpress/config-<name>.php), instead of the host: two sites on
// 127.0.0.1 then never share one. WP_TEST_TOKEN, answered on the health path,
// tells the tests that the server on the port is this one.
if (getenv('WORDPRESS_CONFIG') !== false) {
    $_SERVER['WORDPRESS_CONFIG'] = getenv('WORDPRESS_CONFIG');
}
$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
if ($path === '/__archive-test-health') {
    header('Content-Type: text/plain');
    echo getenv('WP_TEST_TOKEN');
    return true;
}
$file = $_SERVER['DOCUMENT_ROOT'] . $path;
if ($path !== '/' && file_exists($file) && !is_dir($file)) {
    return false;
}
$_SERVER['SCRIPT_NAME'] = '/index.php';
$_SERVER['SCRIPT_FILENAME'] = $_SERVER['DOCUMENT_ROOT'] . '/index.php';
require $_SERVER['DOCUMENT_ROOT'] . '/index.php';
