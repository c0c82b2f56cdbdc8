<?php
// Installs WordPress into the database named in the Debian config (the one
// WORDPRESS_CONFIG names, else the one for 127.0.0.1) and writes posts that
// exercise what the wordpress profile reads: captions (classic shortcode and
// block figure), categories, tags, an author with a display name, a
// featured-image-free post, pagination of a category.
// Run by record.sh and by tests/wordpress_site.py.
if (getenv('WORDPRESS_CONFIG') !== false) {
    $_SERVER['WORDPRESS_CONFIG'] = getenv('WORDPRESS_CONFIG');
}
$_SERVER['HTTP_HOST'] = '127.0.0.1';
$_SERVER['SERVER_NAME'] = '127.0.0.1';
$_SERVER['REQUEST_URI'] = '/';
define('WP_INSTALLING', true);
require '/usr/share/wordpress/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';

$base = getenv('WP_BASE');
$theme = getenv('WP_THEME');
if (!is_blog_installed()) {
    wp_install('Harbour Gazette', 'editor', 'editor@example.org', true, '', 'not-a-secret-pw');
}
update_option('siteurl', $base);
update_option('home', $base);
// Through $wp_rewrite, not update_option: wp_install() may have left its own
// structure in $wp_rewrite (it probes the running site for pretty permalinks,
// and keeps /%year%/%monthnum%/%day%/%postname%/ when the probe answers in
// time), and flush_rewrite_rules() below writes the rules of the structure in
// memory: the month URLs then 404 for good.
$wp_rewrite->set_permalink_structure('/%year%/%monthnum%/%postname%/');
update_option('posts_per_page', 3);
update_option('blog_public', 1);
switch_theme($theme);

if (get_page_by_path('harbour-reopens-after-storm', OBJECT, 'post')) {
    flush_rewrite_rules();
    exit(0);
}
$author = wp_insert_user(['user_login' => 'mholt', 'user_pass' => 'x-not-used-x',
    'display_name' => 'Mira Holt', 'role' => 'author']);
$news = wp_insert_term('Local News', 'category', ['slug' => 'local-news'])['term_id'];
$world = wp_insert_term('World', 'category', ['slug' => 'world'])['term_id'];

$classic_caption = '[caption id="attachment_31" align="aligncenter" width="640"]'
    . '<img class="size-large wp-image-31" src="' . $base . '/wp-content/uploads/2023/05/harbour-640x427.jpg" alt="" width="640" height="427" />'
    . ' Boats return to the harbour after the storm. (Reuters)[/caption]';
$block_image = '<!-- wp:image {"id":32,"sizeSlug":"large"} --><figure class="wp-block-image size-large">'
    . '<img src="' . $base . '/wp-content/uploads/2023/05/council.jpg" alt="" class="wp-image-32"/>'
    . '<figcaption class="wp-element-caption">Councillors vote on the budget (AP Photo/Jo Lee)</figcaption></figure><!-- /wp:image -->';

$posts = [
    ['harbour-reopens-after-storm', 'Harbour reopens after storm', '2023-05-04 08:15:00', [$news], ['harbour', 'storms'],
     "<p>The harbour reopened on Thursday, two days after the storm closed it.</p>\n\n$classic_caption\n\n<p>Fishing boats were the first to leave, followed by the ferry to the islands.</p>\n\n<h2>What the council said</h2>\n\n<blockquote><p>“We are open for business,” the mayor said.</p></blockquote>\n\n<ul>\n<li>Ferries run again from Friday;</li>\n<li>the fish market opens on Monday.</li>\n</ul>"],
    ['council-approves-the-budget', 'Council approves the budget', '2023-05-06 10:00:00', [$news], ['budget'],
     "<!-- wp:paragraph --><p>The council approved the budget late on Wednesday after a long debate.</p><!-- /wp:paragraph -->\n$block_image\n<!-- wp:heading --><h2 class=\"wp-block-heading\">What changes</h2><!-- /wp:heading -->\n<!-- wp:paragraph --><p>Bus fares fall and parking costs rise from June.</p><!-- /wp:paragraph -->"],
];
for ($i = 1; $i <= 5; $i++) {
    $posts[] = ["world-brief-$i", "World brief number $i", sprintf('2023-04-%02d 09:00:00', 10 + $i), [$world], ['briefs'],
        "<p>World brief $i: ministers met in Geneva, and talks will continue next week.</p>\n\n<p>Officials said the second round would focus on trade.</p>"];
}
foreach ($posts as [$slug, $title, $date, $cats, $tags, $content]) {
    $id = wp_insert_post(['post_name' => $slug, 'post_title' => $title, 'post_content' => $content,
        'post_status' => 'publish', 'post_date' => $date, 'post_author' => $author,
        'post_category' => $cats, 'tags_input' => $tags]);
    if (is_wp_error($id)) { fwrite(STDERR, $id->get_error_message()); exit(1); }
}
flush_rewrite_rules();
