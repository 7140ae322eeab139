"""`wpcompat import wxr FILE [FILE…] --tenant SLUG`: the CLI face of importers.wxr.

Runs as the app role with the tenant set (like `acf import-groups`), so RLS guards every write.
A progress bar (tqdm) is shown on a terminal only; the summary is printed at the end and, with
`--report FILE`, written as JSON.
"""

import sys

from wpcompat.commands import CommandError, app_database, find_site


def add_commands(commands):
    """Register `import wxr` on `wpcompat`'s sub-command parser."""
    group = commands.add_parser("import", help="import content exported by other systems")
    kinds = group.add_subparsers(dest="kind", required=True, parser_class=type(group))
    wxr = kinds.add_parser("wxr", help="import WordPress export (WXR) files into a tenant")
    wxr.add_argument("files", nargs="+", metavar="FILE")
    wxr.add_argument("--tenant", required=True, metavar="SLUG")
    wxr.add_argument("--dry-run", action="store_true", help="parse, validate and report; write nothing")
    wxr.add_argument("--authors", default="create", metavar="map.csv|create|assign:LOGIN",
                     help="create users from the file (default), give every post to LOGIN, "
                          "or map source logins to existing ones with a CSV (source,target)")
    wxr.add_argument("--media", default="link", choices=("download", "link", "skip"),
                     help="download attachment files, link to them where they are (default), or skip them")
    wxr.add_argument("--media-base-url", default="", metavar="URL",
                     help="base URL of downloaded files in rewritten content (default: the tenant's URL)")
    wxr.add_argument("--no-rewrite-urls", dest="rewrite_urls", action="store_false",
                     help="keep links to the old site as they are (default: rewrite them to the tenant's URL)")
    wxr.add_argument("--batch-size", type=_positive, default=500, metavar="N", help="items per transaction")
    wxr.add_argument("--report", metavar="FILE", help="write the summary as JSON to FILE")
    wxr.add_argument("--allow-private-addresses", action="store_true",
                     help="let downloads reach private/loopback/link-local addresses (an intranet source site)")
    wxr.set_defaults(handler=cmd_import_wxr)


def _positive(text):
    import argparse

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 1 <= value <= 10_000:
        raise argparse.ArgumentTypeError("must be between 1 and 10000")
    return value


def _progress_bar():
    if not sys.stderr.isatty():
        return None, None
    from tqdm import tqdm

    bar = tqdm(unit="B", unit_scale=True, file=sys.stderr, leave=False)

    def update(done, total):
        if total and bar.total != total:
            bar.reset(total=total)
        bar.n = min(done, total) if total else done
        bar.refresh()
    return bar, update


def cmd_import_wxr(args, settings):
    from importers.wxr import Options, WxrError, import_wxr
    from importers.wxr.run import WRITERS
    from importers.wxr.downloads import Fetcher

    if args.authors != "create" and not args.authors.startswith("assign:") and not args.authors.endswith(".csv"):
        raise CommandError("--authors must be create, assign:LOGIN or a .csv file")
    from wpcompat import storage

    storage.configure(settings)                      # the media store downloads go to, as serving uses it
    database = app_database(settings, pool_size=1 + WRITERS)   # this thread's and one per writer thread
    tenant = find_site(args.tenant)
    bar, update = _progress_bar()
    options = Options(authors=args.authors, media=args.media, media_base_url=args.media_base_url,
                      batch_size=args.batch_size, dry_run=args.dry_run, progress=update,
                      rewrite_urls=args.rewrite_urls,
                      fetcher=Fetcher(allow_private=args.allow_private_addresses))
    try:
        report = import_wxr(args.files, tenant, options, database)
    except WxrError as error:
        raise CommandError(str(error)) from None
    finally:
        if bar is not None:
            bar.close()
    print(report.summary())
    if args.report:
        try:
            report.write_json(args.report)
        except OSError as error:
            raise CommandError(f"cannot write {args.report}: {error.strerror or error}") from None
