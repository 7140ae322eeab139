"""Peewee models, all bound to wpcompat.db.db. The tables are created by migrations/, not here."""

from wpcompat.models.acf import (AcfField, AcfFieldGroup, MediaCustomField, OptionCustomField, TermCustomField,
                                 UserCustomField)
from wpcompat.models.audit import AuditTrail
from wpcompat.models.comments import Comment
from wpcompat.models.content import CustomField, Media, Post, PostTerm, Term
from wpcompat.models.ids import WpIdSequence
from wpcompat.models.people import AppPassword, LoginFailure, Tenant, TenantHost, User
from wpcompat.models.revisions import Revision
from wpcompat.models.workflow import WorkflowState

TENANT_MODELS = (User, AppPassword, Term, Post, PostTerm, CustomField, Media, WorkflowState,
                 AuditTrail, WpIdSequence, AcfFieldGroup, AcfField, TermCustomField, UserCustomField,
                 MediaCustomField, OptionCustomField, Revision, Comment, LoginFailure)
ALL_MODELS = (Tenant, TenantHost) + TENANT_MODELS

__all__ = ["AcfField", "AcfFieldGroup", "AppPassword", "AuditTrail", "Comment", "CustomField", "LoginFailure", "Media",
           "MediaCustomField", "OptionCustomField", "Post", "PostTerm", "Revision", "Tenant", "TenantHost", "Term",
           "TermCustomField", "User", "UserCustomField", "WorkflowState", "WpIdSequence", "TENANT_MODELS",
           "ALL_MODELS"]
