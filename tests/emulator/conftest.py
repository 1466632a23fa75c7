"""Fixtures for the emulator's own tests (shared ones live in tests/support/emulator.py)."""

from tests.support.emulator import emulator

__all__ = ["emulator"]
