"""`python -m bot console` (the staff console's server) and `python -m bot staff ...` (its accounts: add, passwd,
disable, enable, list).

There is no default account: the first one is made here, on the server. Passwords are asked twice without
echo, or read from standard input with --password-stdin (scripts, tests).
"""
import argparse
import getpass
import sys
from typing import Callable

from bot.console import audit, server, texts
from bot.console.accounts import MIN_PASSWORD, AccountError, StaffAccounts, check_name

# Who the audit log names for account changes made on the server's command line.
COMMAND_LINE = "命令行"


def register(subparsers: argparse._SubParsersAction) -> None:
    console = subparsers.add_parser("console", help="启动工作人员网页工作台（默认 http://127.0.0.1:5010/）")
    console.add_argument("--port", type=int, help="端口（默认 CONSOLE_PORT，即 5010）")
    console.add_argument("--host", help="监听地址（默认 CONSOLE_HOST，即 127.0.0.1，仅本机）")
    console.set_defaults(handler=console_command)

    staff = subparsers.add_parser("staff", help="工作台账号：创建、改密码、停用、列出")
    commands = staff.add_subparsers(dest="staff_command", metavar="ACTION", required=True)
    add = commands.add_parser("add", help="创建账号（会要求输入两次密码）")
    add.add_argument("name", help="用户名（汉字、字母、数字和 . _ -）")
    add.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码（一行），供脚本使用")
    add.set_defaults(handler=add_command)
    passwd = commands.add_parser("passwd", help="修改账号的密码（该账号已登录的地方都会退出）")
    passwd.add_argument("name")
    passwd.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码（一行），供脚本使用")
    passwd.set_defaults(handler=passwd_command)
    disable = commands.add_parser("disable", help="停用账号（立即退出登录，之后无法登录）")
    disable.add_argument("name")
    disable.set_defaults(handler=disable_command)
    enable = commands.add_parser("enable", help="重新启用停用的账号")
    enable.add_argument("name")
    enable.set_defaults(handler=enable_command)
    listing = commands.add_parser("list", help="列出所有账号")
    listing.set_defaults(handler=list_command)


def console_command(args: argparse.Namespace) -> int:
    host, port = server.address()
    return server.run(args.host or host, port if args.port is None else args.port)


def add_command(args: argparse.Namespace) -> int:
    accounts = StaffAccounts()
    try:
        check_name(args.name)  # before asking for a password
        account = accounts.add(args.name, _new_password(args))
    except AccountError as error:
        print(error, file=sys.stderr)
        return 1
    audit.record(COMMAND_LINE, "staff_add", account.name)
    host, port = server.address()
    print(texts.ACCOUNT_ADDED.format(name=account.name, url=f"http://{host}:{port}/"))
    return 0


def passwd_command(args: argparse.Namespace) -> int:
    try:
        password = _new_password(args)
        account = StaffAccounts().set_password(args.name, password)
    except AccountError as error:
        print(error, file=sys.stderr)
        return 1
    audit.record(COMMAND_LINE, "staff_passwd", account.name)
    print(texts.PASSWORD_CHANGED.format(name=account.name))
    return 0


def disable_command(args: argparse.Namespace) -> int:
    return _switch(args.name, StaffAccounts().disable, "staff_disable", texts.ACCOUNT_DISABLED,
                   texts.ACCOUNT_ALREADY_DISABLED)


def enable_command(args: argparse.Namespace) -> int:
    return _switch(args.name, StaffAccounts().enable, "staff_enable", texts.ACCOUNT_ENABLED,
                   texts.ACCOUNT_ALREADY_ENABLED)


def _switch(name: str, change: Callable[[str], bool], action: str, done: str, already: str) -> int:
    """Disable or enable an account: `change` says whether it changed anything; only a change is audited."""
    try:
        changed = change(name)
    except AccountError as error:
        print(error, file=sys.stderr)
        return 1
    name = name.strip()
    if not changed:
        print(already.format(name=name))
        return 0
    audit.record(COMMAND_LINE, action, name)
    print(done.format(name=name))
    return 0


def list_command(args: argparse.Namespace) -> int:
    found = StaffAccounts().list()
    if not found:
        print(texts.NO_ACCOUNT_YET)
        return 0
    for account in found:
        print(texts.ACCOUNT_LINE.format(
            name=account.name, state=texts.DISABLED if account.disabled else texts.ENABLED,
            created=f"{account.created_at:%Y-%m-%d %H:%M}",
            last=f"{account.last_sign_in_at:%Y-%m-%d %H:%M}" if account.last_sign_in_at else texts.NEVER))
    return 0


def _new_password(args: argparse.Namespace) -> str:
    """The new password, typed twice without echo, or one line of standard input with --password-stdin."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass(texts.PASSWORD_PROMPT.format(name=args.name, minimum=MIN_PASSWORD))
    if getpass.getpass(texts.PASSWORD_AGAIN) != first:
        raise AccountError(texts.PASSWORDS_DIFFER)
    return first
