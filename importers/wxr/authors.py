"""wp:author → users of the tenant (wxr.md §8.1).

Matching: an existing user with the same login, else the same e-mail (duplicates in the file
merge into one user). New users get no password (an unusable hash: they set one through an
application password or a reset), the role `subscriber` (WordPress's default role; an
administrator promotes them), and their source `wp:author_id` when it is free. A missing or
duplicate e-mail gets the placeholder `{login}@import.invalid`. `--authors assign:LOGIN`
gives every post to one existing user; a CSV map (source login,target login) maps listed
logins to existing users and creates the rest.
"""

import csv
import re
import uuid

from wpcompat import passwords
from wpcompat.accounts import unique_nicename
from wpcompat.models import User
from wpcompat.models.base import utcnow

from importers.wxr import ids
from importers.wxr.reader import WxrError

DEFAULT_ROLE = "subscriber"
LOGIN_UNSAFE = re.compile(r"[^A-Za-z0-9 _.\-@]")


def sanitize_login(text):
    """sanitize_user(strict): keep a-z A-Z 0-9 space _ . - @, collapse whitespace."""
    return re.sub(r"\s+", " ", LOGIN_UNSAFE.sub("", text or "")).strip()


def load_map(path):
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            return {row[0].strip(): row[1].strip() for row in csv.reader(handle) if len(row) >= 2 and row[0].strip()}
    except OSError as error:
        raise WxrError(f"{path}: cannot read the author map: {error.strerror or error}") from None


class Authors:
    def __init__(self, option, report):
        self.report = report
        self.assign_to = None
        self.mapping = {}
        if option.startswith("assign:"):
            self.assign_to = option.split(":", 1)[1]
        elif option != "create":
            self.mapping = load_map(option)

    def resolve_fixed(self):
        """Check that assign:/map targets exist before anything is written."""
        targets = [self.assign_to] if self.assign_to else list(self.mapping.values())
        found = {}
        for login in targets:
            user = User.get_or_none(User.login == login)
            if user is None:
                raise WxrError(f"--authors: no user {login!r} in this tenant")
            found[login] = user.id
        self.fixed = found

    def load(self, records, state, batch):
        for record in records:
            login = record["author_login"] or sanitize_login(record["author_display_name"])
            if not login:
                self.report.count("users", "skipped", reason="author without a login")
                continue
            user_id = self._user_for(record, login, batch)
            state.users_by_login[login] = user_id
            state.users_by_login.setdefault(sanitize_login(login), user_id)
            source_id = _int(record["author_id"])
            if source_id:
                state.users_by_source_id[source_id] = user_id

    def _user_for(self, record, login, batch):
        if self.assign_to:
            self.report.count("users", "skipped", reason="mapped to an existing user (--authors assign)")
            return self.fixed[self.assign_to]
        if login in self.mapping:
            self.report.count("users", "skipped", reason="mapped to an existing user (--authors map)")
            return self.fixed[self.mapping[login]]
        login = login[:60]
        existing = User.get_or_none(User.login == login)
        email = (record["author_email"] or "").strip()
        if existing is None and "@" in email:
            existing = User.get_or_none(User.email == email[:255])
        if existing is not None:
            self.report.count("users", "skipped", reason="user already exists (same login or e-mail)")
            return existing.id
        if "@" not in email or len(email) > 255 or User.select().where(User.email == email).exists():
            email = f"{re.sub(r'[^a-z0-9._-]+', '-', login.lower()).strip('-') or uuid.uuid4().hex[:8]}@import.invalid"
        source_id = _int(record["author_id"])
        (wp_id,) = ids.allocate("user", [source_id], self.report)
        now = utcnow()
        user = User.create(login=login, email=email, role=DEFAULT_ROLE, password_hash=passwords.UNUSABLE_PASSWORD,
                           wp_id=wp_id, nicename=unique_nicename(login),
                           display_name=(record["author_display_name"] or login)[:250],
                           first_name=record["author_first_name"][:100], last_name=record["author_last_name"][:100],
                           created_at=now, updated_at=now)
        self.report.count("users", "created")
        batch.audited("user", user.id, source_id or login)
        return user.id


def _int(text):
    try:
        return int(str(text).strip())
    except (TypeError, ValueError):
        return None
