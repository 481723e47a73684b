"""Accounts: sign-up, login, sessions, passwords, roles, and the office's people pages."""
