"""WordPress 6.1.9 on this machine, beside wpcompat: the baseline's stack, measured in the same hour.

    apt-get install wordpress php8.2-fpm php8.2-mysql mariadb-server nginx wrk   # Debian 12's packages
    .venv/bin/python bench/wordpress.py setup          # once: database, config, install, 30 posts
    .venv/bin/python bench/wordpress.py bench          # WordPress alone: the baseline's table
    .venv/bin/python bench/rest.py --load-only         # then, alternating WordPress and wpcompat:
    .venv/bin/python bench/wordpress.py compare [--rounds 2] [--only categories]

../shared/bench/wordpress-baseline.md measured Debian's WordPress 6.1.9 (PHP 8.2 php-fpm with opcache,
Debian's default pool: dynamic, at most 5 workers; nginx; MariaDB 10.11; no object or page cache;
WP-cron off) on a machine like ours. This host's speed moves by about 2x within an hour (README,
Speed), so a ratio against that fixed table says as much about the hour as about wpcompat. `compare`
runs the baseline's requests against this same stack and against wpcompat (`bench/rest.py`'s loaded
database and server), one after the other, row by row, with the same wrk settings, and prints both
and their ratio. Figures only: nothing here asserts a speed.

The site is made as the baseline's was (../shared/golden/README.md): 30 published posts with block
content, categories three levels deep, tags, post meta and featured images (attachments with their
image sizes), pretty permalinks, timezone UTC. Everything lives in its own MariaDB database
(`wpcompat_wpbench`), a config file for its host in /etc/wordpress, and a private nginx config; php-fpm
runs Debian's default pool.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import rest  # noqa: E402  (bench/rest.py: the wpcompat side, wrk)

PORT = 8081                                     # the golden site's port
HOST = "127.0.0.1"
DATABASE = "wpcompat_wpbench"
WORDPRESS = Path("/usr/share/wordpress")
CONFIG = Path(f"/etc/wordpress/config-{HOST}.php")
STATE = Path(tempfile.gettempdir()) / "wpcompat-wordpress-bench"
FPM_SOCKET = Path("/run/php/php8.2-fpm.sock")
POSTS = 30
NEEDED = {"mariadb": "mariadb-server", "php-fpm8.2": "php8.2-fpm", "php": "php8.2-cli", "nginx": "nginx",
          "wrk": "wrk"}

NGINX_CONF = """\
user www-data;               # php-fpm's socket is www-data's, as in Debian's own nginx.conf
worker_processes auto;
pid {state}/nginx.pid;
error_log {state}/error.log;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    server {{
        listen {host}:{port};
        root {root};
        index index.php;
        location / {{ try_files $uri $uri/ /index.php?$args; }}
        location ~ \\.php$ {{
            try_files $uri =404;
            include /etc/nginx/fastcgi.conf;
            fastcgi_pass unix:{socket};
        }}
    }}
}}
"""

WP_CONFIG = """\
<?php
define('DB_NAME', '{database}');
define('DB_USER', '{database}');
define('DB_PASSWORD', '{database}');
define('DB_HOST', 'localhost');
define('DISABLE_WP_CRON', true);
define('WP_HOME', 'http://{host}:{port}');
define('WP_SITEURL', 'http://{host}:{port}');
"""

# Run by php-cli: installs the site once, then makes its content (again only if it has fewer posts).
SITE_PHP = """\
<?php
$_SERVER['HTTP_HOST'] = '%(host)s:%(port)d';
$_SERVER['SERVER_NAME'] = '%(host)s';
$_SERVER['REQUEST_URI'] = '/';
define('WP_INSTALLING', true);
require '%(root)s/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
if (!is_blog_installed()) {
    wp_install('wpcompat bench', 'admin', 'admin@example.com', true, '', wp_generate_password(24));
}
update_option('permalink_structure', '/%%postname%%/');
update_option('timezone_string', 'UTC');
flush_rewrite_rules(true);
$have = wp_count_posts('post')->publish;
if ($have >= %(posts)d) { echo "site ready: $have published posts\\n"; exit(0); }
function term_id($name, $taxonomy, $parent = 0) {
    $found = term_exists($name, $taxonomy, $parent);
    if ($found) return (int) $found['term_id'];
    $made = wp_insert_term($name, $taxonomy, array('parent' => $parent));
    return (int) $made['term_id'];
}
$tech = term_id('Tecnologia', 'category');
$prog = term_id('Programação', 'category', $tech);
$categories = array(term_id('Python', 'category', $prog), term_id('PHP', 'category', $prog),
    term_id('Hardware', 'category', $tech), term_id('São Paulo', 'category',
        term_id('Brasil', 'category', term_id('Notícias', 'category'))), term_id('Cultura 🎭', 'category'));
$tags = array();
foreach (array('café', 'São João', '🚀 lançamento', 'saúde', 'clínica') as $tag) {
    $made = term_exists($tag, 'post_tag') ?: wp_insert_term($tag, 'post_tag');
    $tags[] = (int) $made['term_id'];
}
$images = array();
foreach (array(array(320, 240), array(640, 480), array(200, 200), array(400, 300)) as $i => $size) {
    $file = sprintf('2026/11/imagem-%%d.png', $i + 1);
    $id = wp_insert_attachment(array('post_title' => "Imagem $i", 'post_mime_type' => 'image/png',
        'post_status' => 'inherit', 'post_excerpt' => "Legenda $i", 'guid' => "http://%(host)s:%(port)d/wp-content/uploads/$file"), $file);
    update_post_meta($id, '_wp_attachment_image_alt', "Texto alternativo $i");
    wp_update_attachment_metadata($id, array('width' => $size[0], 'height' => $size[1], 'file' => $file,
        'sizes' => array('thumbnail' => array('file' => "imagem-$i-150x150.png", 'width' => 150, 'height' => 150,
            'mime-type' => 'image/png')), 'image_meta' => array()));
    $images[] = $id;
}
for ($n = $have + 1; $n <= %(posts)d; $n++) {
    $content = "<!-- wp:paragraph -->\\n<p>Post número $n: \\"aspas\\" -- e reticências...</p>\\n<!-- /wp:paragraph -->\\n"
        . "<!-- wp:heading -->\\n<h2>Seção</h2>\\n<!-- /wp:heading -->\\n"
        . "<!-- wp:list -->\\n<ul><li>um</li><li>dois</li></ul>\\n<!-- /wp:list -->\\n"
        . "<!-- wp:paragraph -->\\n<p>" . str_repeat("Texto de exemplo sobre saúde e tecnologia. ", 4) . "</p>\\n<!-- /wp:paragraph -->";
    $id = wp_insert_post(array('post_title' => "Post $n — título “texturizado” 🚀", 'post_content' => $content,
        'post_status' => 'publish', 'post_author' => 1,
        'post_category' => array($categories[$n %% 5], $categories[($n + 2) %% 5]),
        'tags_input' => array($tags[$n %% 5]), 'meta_input' => array('anchor_subtitle' => "Subtítulo $n",
        'anchor_rating' => $n %% 5)));
    if ($n %% 8 == 0) set_post_thumbnail($id, $images[($n / 8) %% 4]);
}
echo "site ready: " . wp_count_posts('post')->publish . " published posts\\n";
"""

CASES = [  # the baseline's rows; the single post is the middle one of the site's posts
    ("posts?per_page=10", "/wp-json/wp/v2/posts?per_page=10"),
    ("posts/ID", None),
    ("posts?per_page=100", "/wp-json/wp/v2/posts?per_page=100"),
    ("categories", "/wp-json/wp/v2/categories"),
]


def run(*command, **kwargs):
    return subprocess.run(command, check=True, capture_output=True, text=True, **kwargs).stdout


def answers(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


def check_tools():
    missing = [package for tool, package in NEEDED.items() if not shutil.which(tool)]
    if missing or not (WORDPRESS / "wp-settings.php").exists():
        missing += [] if (WORDPRESS / "wp-settings.php").exists() else ["wordpress"]
        raise SystemExit(f"missing: apt-get install {' '.join(sorted(set(missing)))} php8.2-mysql")


def start_services():
    """MariaDB, php-fpm (Debian's pool) and this bench's nginx, each started only if not running."""
    if subprocess.run(["mariadb-admin", "ping"], capture_output=True).returncode:
        subprocess.run(["service", "mariadb", "start"], check=True, capture_output=True)
    if not FPM_SOCKET.exists():
        FPM_SOCKET.parent.mkdir(parents=True, exist_ok=True)
        run("php-fpm8.2", "--daemonize")
    STATE.mkdir(exist_ok=True)
    conf = STATE / "nginx.conf"
    conf.write_text(NGINX_CONF.format(state=STATE, host=HOST, port=PORT, root=WORDPRESS, socket=FPM_SOCKET))
    pid = STATE / "nginx.pid"
    if not (pid.exists() and Path(f"/proc/{pid.read_text().strip()}").exists()):
        run("nginx", "-c", str(conf))
    for _ in range(50):
        if answers(f"http://{HOST}:{PORT}/wp-json/") or not CONFIG.exists():
            return
        time.sleep(0.2)


def setup(_args):
    check_tools()
    start_services()
    run("mariadb", "-e", f"CREATE DATABASE IF NOT EXISTS {DATABASE} CHARACTER SET utf8mb4; "
                         f"CREATE USER IF NOT EXISTS '{DATABASE}'@'localhost' IDENTIFIED BY '{DATABASE}'; "
                         f"GRANT ALL ON {DATABASE}.* TO '{DATABASE}'@'localhost';")
    CONFIG.write_text(WP_CONFIG.format(database=DATABASE, host=HOST, port=PORT))
    with tempfile.NamedTemporaryFile("w", suffix=".php", delete=False) as script:
        script.write(SITE_PHP % {"host": HOST, "port": PORT, "root": WORDPRESS, "posts": POSTS})
    try:
        print(run("php", script.name).strip())
    finally:
        os.unlink(script.name)
    start_services()
    if not answers(f"http://{HOST}:{PORT}/wp-json/wp/v2/posts"):
        raise SystemExit(f"WordPress does not answer on http://{HOST}:{PORT}/wp-json/ (see {STATE}/error.log)")


def wordpress_cases():
    start_services()
    if not answers(f"http://{HOST}:{PORT}/wp-json/wp/v2/posts"):
        raise SystemExit("WordPress is not set up here: run bench/wordpress.py setup first")
    with urllib.request.urlopen(f"http://{HOST}:{PORT}/wp-json/wp/v2/posts?per_page=100&_fields=id") as response:
        ids = sorted(post["id"] for post in json.load(response))
    middle = ids[len(ids) // 2]
    return [(name, f"http://{HOST}:{PORT}" + (path or f"/wp-json/wp/v2/posts/{middle}")) for name, path in CASES]


def measure(url, args):
    if args.warmup:
        rest.wrk(url, args.warmup)
    return rest.wrk(url, args.duration)


def bench(args):
    print(f"\nWordPress 6.1.9 (Debian), this host, wrk -t1 -c8 -d{args.duration}s --latency\n")
    print("| request | req/s | p50 | p99 | non-2xx |")
    print("|---|---:|---:|---:|---:|")
    for name, url in wordpress_cases():
        if args.only and not any(wanted in name for wanted in args.only):
            continue
        rate, p50, p99, errors = measure(url, args)
        print(f"| `GET {url.split(str(PORT), 1)[1]}` | {rate:,.1f} | {p50} | {p99} | {errors} |", flush=True)


def compare(args):
    """Row by row: WordPress, then wpcompat (bench/rest.py's kept database), then the ratio."""
    cases = wordpress_cases()
    port = rest.free_port()
    server = rest.serve(port, args.workers)
    base = f"http://127.0.0.1:{port}/wp-json/wp/v2"
    ours = {"posts?per_page=10": f"{base}/posts?per_page=10", "posts/ID": f"{base}/posts/{101 + args.posts // 2}",
            "posts?per_page=100": f"{base}/posts?per_page=100", "categories": f"{base}/categories"}
    print(f"\nSame host, same hour: WordPress 6.1.9 (30 posts) and wpcompat ({args.posts} posts, "
          f"`wpcompat serve --workers {args.workers}`), wrk -t1 -c8 -d{args.duration}s --latency, one after the other\n")
    print("| round | request | WordPress req/s, p50, p99 | wpcompat req/s, p50, p99 | × WordPress |")
    print("|---:|---|---:|---:|---:|")
    try:
        for round_ in range(1, args.rounds + 1):
            for name, url in cases:
                if args.only and not any(wanted in name for wanted in args.only):
                    continue
                wp_rate, wp50, wp99, wp_errors = measure(url, args)
                rate, p50, p99, errors = measure(ours[name], args)
                flag = " (non-2xx!)" if wp_errors or errors else ""
                print(f"| {round_} | `{name}` | {wp_rate:,.1f}, {wp50}, {wp99} | {rate:,.0f}, {p50}, {p99} | "
                      f"**{rate / wp_rate:.1f}×**{flag} |", flush=True)
    finally:
        rest.shut_down(server, drop_database=False)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("setup", help="install and fill the WordPress site (once)")
    for name in ("bench", "compare"):
        command = commands.add_parser(name)
        command.add_argument("--duration", type=int, default=15)
        command.add_argument("--warmup", type=int, default=2, help="an unmeasured wrk run first (seconds, 0: none)")
        command.add_argument("--only", action="append", metavar="NAME")
        if name == "compare":
            command.add_argument("--rounds", type=int, default=1)
            command.add_argument("--posts", type=int, default=10000, help="the posts bench/rest.py loaded")
            command.add_argument("--workers", type=int, default=8)        # as bench/rest.py: one per connection
    args = parser.parse_args()
    {"setup": setup, "bench": bench, "compare": compare}[args.command](args)


if __name__ == "__main__":
    main()
