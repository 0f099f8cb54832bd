"""Tests for qingshan.standards workdays, penalties, petitions and random_inspection."""
