"""The API of reviews, one module per resource: the reviews themselves, their outcomes, members and roles,
invitations, the audit trail, webhooks, who am I and the schema. Each view: access check (`ReviewApiView`),
one service or selector, serialize. The URL conf imports the resource modules (nothing is re-exported here).
"""
