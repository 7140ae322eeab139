"""The item schema of media (attachments), as WordPress publishes it (with our healthcare fields).

WordPress builds it from the posts schema of the `attachment` type (no password,
content, excerpt, format, sticky, parent) and adds the attachment fields. The same
dict drives context filtering and OPTIONS.
"""

from wpcompat.schemas.posts import E, STATUSES, VE, VEM, rendered_field

MEDIA_TYPES = ["image", "video", "text", "application", "audio"]
MEDIA_STATUSES = ["inherit", "private", "trash"]


def _post_properties():
    """What attachments keep of the posts schema."""
    return {
        "date": {"description": "The date the post was published, in the site's timezone.",
                 "type": ["string", "null"], "format": "date-time", "context": VEM},
        "date_gmt": {"description": "The date the post was published, as GMT.", "type": ["string", "null"],
                     "format": "date-time", "context": VE},
        "guid": {"description": "The globally unique identifier for the post.", "type": "object",
                 "context": VE, "readonly": True, "properties": {
                     "raw": {"description": "GUID for the post, as it exists in the database.", "type": "string",
                             "context": E, "readonly": True},
                     "rendered": {"description": "GUID for the post, transformed for display.", "type": "string",
                                  "context": VE, "readonly": True}}},
        "id": {"description": "Unique identifier for the post.", "type": "integer", "context": VEM,
               "readonly": True},
        "link": {"description": "URL to the post.", "type": "string", "format": "uri", "context": VEM,
                 "readonly": True},
        "modified": {"description": "The date the post was last modified, in the site's timezone.",
                     "type": "string", "format": "date-time", "context": VE, "readonly": True},
        "modified_gmt": {"description": "The date the post was last modified, as GMT.", "type": "string",
                         "format": "date-time", "context": VE, "readonly": True},
        "slug": {"description": "An alphanumeric identifier for the post unique to its type.", "type": "string",
                 "context": VEM},
        "status": {"description": "A named status for the post.", "type": "string", "enum": STATUSES,
                   "context": VE},
        "type": {"description": "Type of post.", "type": "string", "context": VEM, "readonly": True},
        "permalink_template": {"description": "Permalink template for the post.", "type": "string",
                               "context": E, "readonly": True},
        "generated_slug": {"description": "Slug automatically generated from the post title.", "type": "string",
                           "context": E, "readonly": True},
        "title": rendered_field("The title for the post.", "title for the post", VEM, E, VEM),
        "author": {"description": "The ID for the author of the post.", "type": "integer", "context": VEM},
        "comment_status": {"description": "Whether or not comments are open on the post.", "type": "string",
                           "enum": ["open", "closed"], "context": VE},
        "ping_status": {"description": "Whether or not the post can be pinged.", "type": "string",
                        "enum": ["open", "closed"], "context": VE},
        "meta": {"description": "Meta fields.", "type": "object", "context": VE, "properties": {}},
        "template": {"description": "The theme file to use to display the post.", "type": "string",
                     "context": VE},
    }


def _attachment_properties():
    return {
        "alt_text": {"description": "Alternative text to display when attachment is not displayed.",
                     "type": "string", "context": VEM},
        "caption": rendered_field("The attachment caption.", "caption for the attachment", VEM, E, VEM),
        "description": rendered_field("The attachment description.", "description for the attachment", VE, E, VE),
        "media_type": {"description": "Attachment type.", "type": "string", "enum": ["image", "file"],
                       "context": VEM, "readonly": True},
        "mime_type": {"description": "The attachment MIME type.", "type": "string", "context": VEM,
                      "readonly": True},
        "media_details": {"description": "Details about the media file, specific to its type.", "type": "object",
                          "context": VEM, "readonly": True},
        "post": {"description": "The ID for the associated post of the attachment.", "type": "integer",
                 "context": VE},
        "source_url": {"description": "URL to the original attachment file.", "type": "string", "format": "uri",
                       "context": VEM, "readonly": True},
        "missing_image_sizes": {"description": "List of the missing image sizes of the attachment.",
                                "type": "array", "items": {"type": "string"}, "context": E, "readonly": True},
    }


def _healthcare_properties():
    """The seed's media columns (spec/healthcare-schema.md), for editors only."""
    return {
        "medical_content": {"description": "Whether the file shows medical content.", "type": "boolean",
                            "context": E},
        "contains_phi": {"description": "Whether the file holds protected health information.",
                         "type": "boolean", "context": E},
        "access_level": {"description": "Access level of the file.", "type": ["string", "null"],
                         "maxLength": 20, "context": E},
        "encryption_status": {"description": "How the stored file is encrypted.", "type": "string",
                              "context": E, "readonly": True},
        "dicom_metadata": {"description": "The DICOM file's tags (pixels and binary values left out).",
                           "type": ["object", "null"], "context": E, "readonly": True},
    }


def media_schema():
    properties = {**_post_properties(), **_attachment_properties(), **_healthcare_properties()}
    return {"$schema": "http://json-schema.org/draft-04/schema#", "title": "attachment", "type": "object",
            "properties": properties}
