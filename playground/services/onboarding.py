"""The onboarding domain's services: users and billing accounts (email is shared)."""

from __future__ import annotations

from typing import Any

from playground.services.base import Service, emit, handles


class Users(Service):
    """Signs users up."""

    name = "users"

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.users: dict[str, str] = {}

    @handles("RegisterUser")
    def register(self, user_id: str, email: str):
        if user_id not in self.users:
            self.users[user_id] = email
            self.note_state(user_id, None, "registered")
        return [emit("UserCreated", user_id=user_id, email=self.users[user_id])]


class Accounts(Service):
    """Opens and closes billing accounts, one per user."""

    name = "accounts"

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.accounts: dict[str, str] = {}

    @handles("OpenAccount")
    def open(self, user_id: str):
        if self.accounts.get(user_id) != "open":
            self.note_state(user_id, self.accounts.get(user_id), "open")
            self.accounts[user_id] = "open"
        return [emit("AccountCreated", user_id=user_id, account_id=f"acct-{user_id}")]

    @handles("CloseAccount")
    def close(self, user_id: str):
        if self.accounts.get(user_id) == "open":
            self.note_state(user_id, "open", "closed")
            self.accounts[user_id] = "closed"
        return [emit("AccountClosed", user_id=user_id, account_id=f"acct-{user_id}")]
