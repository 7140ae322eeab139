"""conf.settings.load_settings: WPCOMPAT_* variables in, a frozen Settings (or one clear line) out."""

import os
import pathlib

import pytest

from conf.settings import DEV_SECRET_KEY, SettingsError, load_settings

EXAMPLE_ENV_FILE = pathlib.Path(__file__).resolve().parent.parent / "conf" / "production.env.example"

PRODUCTION = {
    "WPCOMPAT_ENV": "production",
    "WPCOMPAT_DATABASE_URL": "postgresql://wpcompat_app:s3cret@db.internal:5432/wpcompat",
    "WPCOMPAT_MIGRATE_DATABASE_URL": "postgresql://wpcompat_owner:0wner@db.internal:5432/wpcompat",
    "WPCOMPAT_SECRET_KEY": "k" * 32,
}


def settings_error(env):
    """The one line load_settings refuses `env` with."""
    with pytest.raises(SettingsError) as caught:
        load_settings(env)
    message = str(caught.value)
    assert message and "\n" not in message, f"not a single line: {message!r}"
    return message


# --- defaults ---------------------------------------------------------------------------------

def test_no_variables_gives_a_development_setup_on_sqlite_under_var():
    settings = load_settings({})
    assert settings.database_url == "sqlite:///var/wpcompat.sqlite3"
    assert settings.owner_database_url == settings.database_url
    assert not settings.is_postgres
    assert settings.app_role == "wpcompat_app"
    assert settings.app_role_password == ""
    assert settings.environment == "development"
    assert settings.secret_key == DEV_SECRET_KEY
    assert settings.log_level == "INFO"
    assert settings.pool_size == 8
    assert settings.max_body_bytes == 64 * 1024 * 1024
    assert settings.trust_forwarded_for is False
    assert settings.media_store == "local"
    assert settings.media_root == "var/uploads"
    assert settings.s3_bucket == ""


def test_empty_variables_fall_back_to_the_defaults():
    names = ("ENV", "DATABASE_URL", "MIGRATE_DATABASE_URL", "APP_ROLE", "POOL_SIZE", "SECRET_KEY",
             "LOG_LEVEL", "MAX_BODY_BYTES", "TRUST_FORWARDED_FOR", "MEDIA_STORE")
    assert load_settings({f"WPCOMPAT_{name}": "" for name in names}) == load_settings({})


def test_settings_are_read_from_os_environ_when_no_mapping_is_given(monkeypatch):
    for name in [name for name in os.environ if name.startswith("WPCOMPAT_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("WPCOMPAT_LOG_LEVEL", "debug")
    monkeypatch.setenv("WPCOMPAT_POOL_SIZE", "3")
    settings = load_settings()
    assert settings.log_level == "DEBUG" and settings.pool_size == 3


def test_settings_cannot_be_changed_after_loading():
    settings = load_settings({})
    with pytest.raises(AttributeError):
        settings.app_role = "postgres"


def test_values_are_parsed_and_normalised():
    settings = load_settings({
        "WPCOMPAT_LOG_LEVEL": "warning", "WPCOMPAT_MEDIA_STORE": "LOCAL", "WPCOMPAT_ENV": "Development",
        "WPCOMPAT_POOL_SIZE": "200", "WPCOMPAT_MAX_BODY_BYTES": "1024", "WPCOMPAT_TRUST_FORWARDED_FOR": " Yes ",
        "WPCOMPAT_APP_ROLE": "clinic_app_2", "WPCOMPAT_DATABASE_URL": "sqlite:////srv/wpcompat/site.db"})
    assert settings.log_level == "WARNING"
    assert settings.media_store == "local"
    assert settings.environment == "development"
    assert settings.pool_size == 200 and settings.max_body_bytes == 1024
    assert settings.trust_forwarded_for is True
    assert settings.app_role == "clinic_app_2"
    assert settings.database_url == "sqlite:////srv/wpcompat/site.db"


@pytest.mark.parametrize("raw, expected", [("1", True), ("true", True), ("on", True), ("YES", True),
                                           ("0", False), ("false", False), ("off", False), ("No", False)])
def test_boolean_spellings(raw, expected):
    assert load_settings({"WPCOMPAT_TRUST_FORWARDED_FOR": raw}).trust_forwarded_for is expected


def test_migrations_may_use_their_own_owner_url():
    settings = load_settings({"WPCOMPAT_DATABASE_URL": "postgresql://app@db/wp",
                              "WPCOMPAT_MIGRATE_DATABASE_URL": "postgres://owner@db/wp"})
    assert settings.is_postgres
    assert settings.database_url == "postgresql://app@db/wp"
    assert settings.owner_database_url == "postgres://owner@db/wp"


def test_postgres_url_with_a_driver_suffix_counts_as_postgres():
    assert load_settings({"WPCOMPAT_DATABASE_URL": "postgresql+psycopg2://app@db/wp"}).is_postgres


# --- invalid values: one line naming the variable ---------------------------------------------

@pytest.mark.parametrize("variable, value", [
    ("WPCOMPAT_POOL_SIZE", "abc"),
    ("WPCOMPAT_POOL_SIZE", "8.5"),
    ("WPCOMPAT_MAX_BODY_BYTES", "64MB"),
])
def test_a_number_that_is_not_whole_is_refused(variable, value):
    message = settings_error({variable: value})
    assert message.startswith(variable)
    assert "whole number" in message and repr(value) in message


@pytest.mark.parametrize("variable, value", [
    ("WPCOMPAT_POOL_SIZE", "0"),
    ("WPCOMPAT_POOL_SIZE", "201"),
    ("WPCOMPAT_POOL_SIZE", "-3"),
    ("WPCOMPAT_MAX_BODY_BYTES", "1023"),
    ("WPCOMPAT_MAX_BODY_BYTES", str(4 * 1024 ** 3 + 1)),
])
def test_a_number_out_of_range_is_refused_with_the_range(variable, value):
    message = settings_error({variable: value})
    assert message.startswith(variable)
    assert "between" in message and value in message


@pytest.mark.parametrize("value", ["maybe", "2", "y e s"])
def test_a_boolean_that_is_neither_true_nor_false_is_refused(value):
    message = settings_error({"WPCOMPAT_TRUST_FORWARDED_FOR": value})
    assert message.startswith("WPCOMPAT_TRUST_FORWARDED_FOR")
    assert "true or false" in message


@pytest.mark.parametrize("variable, value, choices", [
    ("WPCOMPAT_LOG_LEVEL", "LOUD", "DEBUG, INFO, WARNING, ERROR, CRITICAL"),
    ("WPCOMPAT_MEDIA_STORE", "ftp", "local, s3"),
    ("WPCOMPAT_ENV", "staging", "development, production"),
])
def test_a_value_outside_the_choices_is_refused_with_the_choices(variable, value, choices):
    message = settings_error({variable: value})
    assert message.startswith(variable)
    assert choices in message


@pytest.mark.parametrize("variable", ["WPCOMPAT_DATABASE_URL", "WPCOMPAT_MIGRATE_DATABASE_URL"])
@pytest.mark.parametrize("url", ["mysql://x/y", "postgresq://db/wp", "/var/wpcompat.sqlite3"])
def test_a_database_url_of_another_kind_is_refused(variable, url):
    message = settings_error({variable: url})
    assert message.startswith(variable)
    assert "sqlite:///" in message and "postgresql://" in message


@pytest.mark.parametrize("url", ["postgresql://postgres@127.0.0.1:5432", "postgres://db/", "postgresql://"])
def test_a_postgres_url_without_a_database_name_is_refused(url):
    message = settings_error({"WPCOMPAT_DATABASE_URL": url})
    assert message.startswith("WPCOMPAT_DATABASE_URL must name a database")


@pytest.mark.parametrize("role", ["x; drop", "wpcompat-app", "1app", "app role", "a" * 64, "app'--"])
def test_an_app_role_that_is_not_a_plain_identifier_is_refused(role):
    message = settings_error({"WPCOMPAT_APP_ROLE": role})
    assert message.startswith("WPCOMPAT_APP_ROLE must be") and "SQL identifier" in message


def test_an_app_role_with_capitals_is_refused():
    # PostgreSQL folds an unquoted CREATE ROLE Clinic_App to clinic_app, while role lookups and
    # SET ROLE use the name as given: such a role would be created but never found.
    message = settings_error({"WPCOMPAT_APP_ROLE": "Clinic_App"})
    assert message.startswith("WPCOMPAT_APP_ROLE must be") and "'Clinic_App'" in message


def test_a_short_secret_key_is_refused_without_echoing_it():
    message = settings_error({"WPCOMPAT_SECRET_KEY": "short-secret-31-characters-long"})
    assert message == "WPCOMPAT_SECRET_KEY must be at least 32 characters long"


def test_production_without_a_secret_key_is_refused():
    env = dict(PRODUCTION)
    del env["WPCOMPAT_SECRET_KEY"]
    message = settings_error(env)
    assert message.startswith("WPCOMPAT_SECRET_KEY must be set")
    assert "WPCOMPAT_ENV=production" in message


@pytest.mark.parametrize("url", [None, "sqlite:////srv/wpcompat.sqlite3"])
def test_production_on_sqlite_is_refused(url):
    env = dict(PRODUCTION)
    del env["WPCOMPAT_DATABASE_URL"]
    if url:
        env["WPCOMPAT_DATABASE_URL"] = url
    message = settings_error(env)
    assert message.startswith("WPCOMPAT_DATABASE_URL must be a postgresql:// URL")


def test_s3_media_store_without_a_bucket_is_refused():
    message = settings_error({"WPCOMPAT_MEDIA_STORE": "s3"})
    assert message.startswith("WPCOMPAT_S3_BUCKET must be set")


# --- production ---------------------------------------------------------------------------------

def test_valid_production_settings_load():
    settings = load_settings({**PRODUCTION, "WPCOMPAT_MEDIA_STORE": "s3", "WPCOMPAT_S3_BUCKET": "clinic-media",
                              "WPCOMPAT_S3_PREFIX": "wpcompat/", "WPCOMPAT_APP_ROLE_PASSWORD": "pw"})
    assert settings.environment == "production"
    assert settings.is_postgres
    assert settings.owner_database_url == PRODUCTION["WPCOMPAT_MIGRATE_DATABASE_URL"]
    assert settings.secret_key == "k" * 32
    assert settings.media_store == "s3" and settings.s3_bucket == "clinic-media"
    assert settings.s3_prefix == "wpcompat/" and settings.s3_region == "us-east-1"
    assert settings.app_role_password == "pw"


def test_the_example_production_env_file_loads():
    env = {}
    for line in EXAMPLE_ENV_FILE.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            env[name.strip()] = value.strip()
    assert env["WPCOMPAT_ENV"] == "production"
    settings = load_settings(env)
    assert settings.environment == "production" and settings.is_postgres
    assert settings.owner_database_url == env["WPCOMPAT_MIGRATE_DATABASE_URL"]
    assert settings.trust_forwarded_for is True
    assert settings.media_store == "s3" and settings.s3_bucket == "clinic-media"


def test_a_database_password_never_appears_in_an_error_line():
    with pytest.raises(SettingsError) as error:
        load_settings({"WPCOMPAT_DATABASE_URL": "postgresql://clinic:s3cret-pw@db.internal"})
    assert "s3cret-pw" not in str(error.value) and "***" in str(error.value)


@pytest.mark.parametrize("name, attribute, default", [("WPCOMPAT_MEDIA_ROOT", "media_root", "var/uploads"),
                                                      ("WPCOMPAT_S3_REGION", "s3_region", "us-east-1")])
def test_an_empty_text_setting_takes_its_default(name, attribute, default):
    assert getattr(load_settings({name: ""}), attribute) == default
