"""Peewee models, all bound to wpcompat.db.db. The tables are created by migrations/, not here."""

from wpcompat.models.audit import AuditTrail
from wpcompat.models.content import CustomField, Media, Post, PostTerm, Term
from wpcompat.models.ids import WpIdSequence
from wpcompat.models.people import AppPassword, Tenant, TenantHost, User
from wpcompat.models.workflow import WorkflowState

TENANT_MODELS = (User, AppPassword, Term, Post, PostTerm, CustomField, Media, WorkflowState,
                 AuditTrail, WpIdSequence)
ALL_MODELS = (Tenant, TenantHost) + TENANT_MODELS

__all__ = ["AppPassword", "AuditTrail", "CustomField", "Media", "Post", "PostTerm", "Tenant",
           "TenantHost", "Term", "User", "WorkflowState", "WpIdSequence", "TENANT_MODELS", "ALL_MODELS"]
