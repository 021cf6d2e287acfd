"""`python -m data_pipeline users …`: add (piped or generated password), list, disable, enable, reset, in Chinese."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from data_pipeline import accounts, appstate, cli


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = tmp_path / "appstate.sqlite"
    monkeypatch.setenv("UNION_DASH_APPSTATE", str(db))
    monkeypatch.delenv(accounts.REQUIRE_LOGIN_ENV, raising=False)
    monkeypatch.setattr("sys.stdin", Terminal())
    return db


def run(monkeypatch: pytest.MonkeyPatch, *argv: str, stdin: str | None = None) -> int:
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return cli.main(["users", *argv])


def sign_in(db: Path, login: str, password: str) -> accounts.SignIn:
    with appstate.connect(db) as con:
        return accounts.sign_in(con, login, password)


@pytest.mark.parametrize("action", [[], ["add"], ["list"], ["disable"], ["enable"], ["reset"]])
def test_every_users_verb_has_help(action, capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["users", *action, "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "usage" in out and re.search(r"[\u4e00-\u9fff]", out)


def test_add_with_a_piped_password_resolves_the_county_and_turns_sign_in_on(state, monkeypatch, capsys):
    assert not accounts.login_required(state)
    code = run(
        monkeypatch,
        "add",
        "xintai",
        "--role",
        "county",
        "--county",
        "新泰市总工会",
        "--name",
        "新泰",
        stdin="a-good-password\n",
    )
    out = capsys.readouterr().out
    assert code == 0 and "已新增账号 xintai（县市区工会 · 新泰市）" in out and "已启用登录" in out
    assert "a-good-password" not in out and "初始密码" not in out
    assert sign_in(state, "xintai", "a-good-password").ok
    with appstate.connect(state) as con:
        assert appstate.get_account(con, "xintai").county == "xintai"
    assert accounts.login_required(state)


def test_add_from_a_terminal_prints_a_generated_password_once(state, monkeypatch, capsys):
    assert (
        run(
            monkeypatch,
            "add",
            "c10",
            "--role",
            "chain",
            "--chain",
            "医药及医疗器械产业链",
            "--email",
            "c10@example.com",
        )
        == 0
    )
    out = capsys.readouterr().out
    generated = re.search(r"初始密码.*：(\S+)", out).group(1)
    assert out.count(generated) == 1 and sign_in(state, "c10", generated).ok
    with appstate.connect(state) as con:
        account = appstate.get_account(con, "c10")
    assert account.chain == "C10" and account.email == "c10@example.com"


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["add", "someone", "--role", "county", "--county", "北京"], "未知县市区：北京"),
        (["add", "someone", "--role", "county"], "--county"),
        (["add", "someone", "--role", "boss"], "未知角色：boss"),
        (["add", "someone", "--role", "chain", "--chain", "C99"], "未知产业链：C99"),
        (["add", "a b", "--role", "admin"], "账号名"),
    ],
)
def test_mistakes_are_one_chinese_sentence_and_create_nothing(state, monkeypatch, capsys, argv, says):
    assert run(monkeypatch, *argv) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("操作失败：") and says in err and "\n" not in err
    assert not accounts.login_required(state)


def test_a_short_piped_password_is_refused(state, monkeypatch, capsys):
    assert run(monkeypatch, "add", "boss", "--role", "admin", stdin="short\n") == 1
    assert "至少需要 10 个字符" in capsys.readouterr().err


def test_list_disable_enable_and_reset(state, monkeypatch, capsys):
    run(monkeypatch, "list")
    assert "尚无账号" in capsys.readouterr().out
    run(monkeypatch, "add", "boss", "--role", "admin", "--name", "市总管理员", stdin="first-password-1\n")
    run(monkeypatch, "add", "boss", "--role", "admin", stdin="first-password-1\n")
    assert "已存在" in capsys.readouterr().err

    assert run(monkeypatch, "disable", "boss") == 0
    assert not sign_in(state, "boss", "first-password-1").ok
    run(monkeypatch, "list")
    listing = capsys.readouterr().out
    assert re.search(r"boss\t市总管理员\t管理员\t停用", listing)
    assert run(monkeypatch, "enable", "boss") == 0
    assert sign_in(state, "boss", "first-password-1").ok

    assert run(monkeypatch, "reset", "boss", stdin="second-password-2\n") == 0
    assert not sign_in(state, "boss", "first-password-1").ok and sign_in(state, "boss", "second-password-2").ok
    assert run(monkeypatch, "reset", "nobody") == 1
    assert "账号 nobody 不存在" in capsys.readouterr().err

    with appstate.connect(state) as con:
        actions = [e.action for e in appstate.read_audit(con) if e.actor.startswith("cli:")]
    assert actions == ["account_reset", "account_enable", "account_disable", "account_add"]
