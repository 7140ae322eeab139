"""Advanced Custom Fields over REST (spec/acf.md): field groups, typed values, both wire formats.

- definitions: the tenant's field groups and fields (acf_field_groups, acf_fields);
- location: which groups apply to an object;
- types / formats: per field type, the schema and stored text (input) and ACF's light and
  standard values (output); objects: what relational fields point at;
- values: the custom_fields tables (one query to read, one upsert to write);
- reading / writing: the read and write pipelines, PHI rules and audit included;
- wp: the `acf` field of /wp/v2 routes; importer and cli: loading an ACF JSON export.
/acf/v3 is served by wpcompat/routes/acf.py.
"""

from wpcompat.acf.wp import attach, check_input, schema_for

__all__ = ["attach", "check_input", "schema_for"]
