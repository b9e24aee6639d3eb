"""Contracts of the onboarding domain: users, welcome email and billing accounts."""

from playground.catalog.base import MessageSpec

S = str

ONBOARDING_SPECS = [
    MessageSpec("RegisterUser", "command", "users", {"user_id": S, "email": S}, "Sign a new user up."),
    MessageSpec("UserCreated", "event", "users", {"user_id": S, "email": S}, "A user now exists."),
    MessageSpec("SendWelcome", "command", "email", {"user_id": S, "email": S}, "Send the welcome email."),
    MessageSpec("WelcomeEmailSent", "event", "email", {"user_id": S, "email": S}, "The welcome email went out."),
    MessageSpec("OpenAccount", "command", "accounts", {"user_id": S}, "Open a billing account for a user."),
    MessageSpec("AccountCreated", "event", "accounts", {"user_id": S, "account_id": S}, "A billing account exists."),
    MessageSpec("CloseAccount", "command", "accounts", {"user_id": S}, "Close a user's billing account."),
    MessageSpec("AccountClosed", "event", "accounts", {"user_id": S, "account_id": S}, "A billing account was closed."),
]
