"""What the reviews API's modules share: the user model and the roles."""
from __future__ import annotations

from django.contrib.auth import get_user_model

from ..models import Membership

User = get_user_model()
Role = Membership.Role
