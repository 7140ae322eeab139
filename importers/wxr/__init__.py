"""WXR (WordPress eXtended RSS) importer: `import_wxr(paths, tenant, Options(...)) -> Report`.

Migration scripts use it as the CLI does (`wpcompat import wxr`): bind the database (as the
app role), then call `import_wxr`. See run.py for transactions and resuming, reader.py for
the safe streaming parse, and the README's "WXR import" section.
"""

from importers.wxr.context import Options
from importers.wxr.reader import WxrError
from importers.wxr.report import Report
from importers.wxr.run import import_wxr

__all__ = ["Options", "Report", "WxrError", "import_wxr"]
