"""Dates as WordPress writes them: site-local and GMT, 'YYYY-MM-DDTHH:MM:SS'."""

import datetime
import zoneinfo

FORMAT = "%Y-%m-%dT%H:%M:%S"


def zone_of(site):
    try:
        return zoneinfo.ZoneInfo(site.timezone_string or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return datetime.timezone.utc


def fmt(value):
    return value.strftime(FORMAT) if value is not None else None


def to_local(utc_naive, zone):
    if utc_naive is None:
        return None
    return utc_naive.replace(tzinfo=datetime.timezone.utc).astimezone(zone).replace(tzinfo=None)


def to_utc(local_naive, zone):
    if local_naive is None:
        return None
    return local_naive.replace(tzinfo=zone).astimezone(datetime.timezone.utc).replace(tzinfo=None)


def split(value, zone, is_gmt):
    """(local, utc) naive datetimes from a parsed request date; an offset in the string wins."""
    if value.tzinfo is not None:
        utc = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
        return to_local(utc, zone), utc
    if is_gmt:
        return to_local(value, zone), value
    return value, to_utc(value, zone)
