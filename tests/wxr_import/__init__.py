"""Tests of the WXR importer (issue 6): every corpus file through the REST API, downloads, hostile files."""
