"""Password rules (NIST SP 800-63B 5.1.1.2, NCSC password guidance) and how accounts keep them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from carewise.store.accounts import (
    MAX_PASSWORD,
    AccountError,
    create_user,
    password_problem,
    temporary_password,
    verify_password,
)


@pytest.fixture
def store(tmp_path):
    from carewise.store import Store

    return Store(f"sqlite:///{tmp_path / 'accounts.db'}")


@pytest.mark.parametrize("password", ["", "a", "elevenchars", "x" * 11])
def test_shorter_than_12_characters_is_refused(password):
    assert "at least 12 characters" in password_problem(password)


@pytest.mark.parametrize("password", [" " * 12, "\t" * 20, " \u00a0 \n" * 5])
def test_only_white_space_is_refused(password):
    assert "not only spaces" in password_problem(password)


@pytest.mark.parametrize("password", ["password1234", "PASSWORD1234", "qwertyuiop12", "123456789012",
                                      "aaaaaaaaaaaa", "letmein12345", "Password1234!", "iloveyou2024"])
def test_common_and_breached_passwords_are_refused(password):
    problem = password_problem(password)
    assert problem and ("common passwords" in problem or "too easy to guess" in problem), password


def test_the_users_own_name_with_a_little_added_is_refused():
    assert "too easy to guess" in password_problem("jo.bloggs2024", "jo.bloggs@council.gov.uk")


@pytest.mark.parametrize("password", ["correct horse battery staple", "tall ships at dawn", "żółta łódź nad zatoką",
                                      "µ-µ green tea leaves", "💡 bright idea lamp",
                                      "the quick brown fox jumps over the lazy dog and then "
                                      "the lazy dog wakes up and chases the fox into the woods"])
def test_long_passphrases_and_any_characters_are_accepted(password):
    assert password_problem(password) is None


def test_passphrases_up_to_256_characters_are_accepted():
    words = "".join(f"harbour {n} lights " for n in range(40))
    assert password_problem(words[:MAX_PASSWORD]) is None
    assert "at most 256" in password_problem(words[:MAX_PASSWORD + 1])


def test_accounts_refuse_bad_passwords_naming_the_field(store):
    with pytest.raises(AccountError) as refused:
        create_user(store, "someone", "password1234", "analyst")
    assert refused.value.field == "password"
    with pytest.raises(AccountError) as refused:
        create_user(store, " ", "tall ships at dawn", "analyst")
    assert refused.value.field == "username"


def test_new_accounts_default_to_the_least_privileged_role(store):
    assert create_user(store, "newcomer", "tall ships at dawn").role.value == "panel"


def test_passwords_are_stored_as_argon2_hashes(store):
    from carewise.store import schema

    create_user(store, "hashed", "tall ships at dawn", "analyst")
    with store.engine.connect() as conn:
        stored = conn.execute(select(schema.web_user.c.password_hash)
                              .where(schema.web_user.c.username == "hashed")).scalar()
    assert stored.startswith("$argon2id$") and "tall ships" not in stored
    assert verify_password(store, "hashed", "tall ships at dawn") is not None
    assert verify_password(store, "hashed", "tall ships at dusk") is None


def test_temporary_passwords_are_random_and_acceptable():
    made = {temporary_password() for _ in range(50)}
    assert len(made) == 50
    assert all(len(p) >= 12 and password_problem(p) is None for p in made)


def test_unknown_users_are_checked_against_a_dummy_hash(store, monkeypatch):
    from carewise.store import accounts

    used: list[str] = []
    real = accounts._dummy_hash
    monkeypatch.setattr(accounts, "_dummy_hash", lambda: used.append(real()) or real())
    assert verify_password(store, "nobody", "tall ships at dawn") is None
    assert used and used[0].startswith("$argon2"), "an argon2 check happens even for unknown names"
