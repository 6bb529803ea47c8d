"""`maturity audit verify` and `maturity audit head`."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from maturity.audit.management.commands.audit import Command
from maturity.audit.models import AuditRecord

from .conftest import raw


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("audit", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_verify_reports_ok_with_the_count(append):
    append(4)
    out, err = run("verify", "--batch-size", "3")
    assert out.strip() == "OK: 4 records verified"
    assert err == ""


def test_verify_an_empty_trail(db):
    assert run("verify")[0].strip() == "OK: 0 records verified"


def test_verify_prints_each_problem_where_it_is_and_fails(append, without_guards):
    append(6)
    without_guards()
    raw("UPDATE audit_auditrecord SET reason = 'x' WHERE \"sequence\" = 2")
    raw('DELETE FROM audit_auditrecord WHERE "sequence" = 5')
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("audit", "verify", stdout=out, stderr=err)
    assert failure.value.returncode == 1
    assert str(failure.value) == "2 problems found in 5 audit records."
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("Record 2: edited. ")
    assert lines[1].startswith("Record 5: deleted. Record 5 missing")
    assert "triggers that refuse changes" in err.getvalue()


@pytest.mark.django_db(transaction=True)
def test_the_exit_status_is_1_on_problems_and_0_when_intact(append, capsys):
    # run_from_argv is the path `maturity audit verify` takes: CommandError becomes the status.
    append(3)
    Command().run_from_argv(["maturity", "audit", "verify"])
    assert "OK: 3 records verified" in capsys.readouterr().out

    anchor = "9:" + "ab" * 32  # a head this chain never reached
    with pytest.raises(SystemExit) as exit_:
        Command().run_from_argv(["maturity", "audit", "verify", "--anchor", anchor])
    assert exit_.value.code == 1
    captured = capsys.readouterr()
    assert "Record 9: deleted." in captured.out
    assert "1 problem found in 3 audit records." in captured.err


def test_head_prints_sequence_and_hash(append):
    append(2)
    head = AuditRecord.objects.get(sequence=2)
    assert run("head")[0].strip() == f"2:{head.hash}"


def test_head_of_an_empty_trail(db):
    assert run("head")[0].strip() == "The audit trail is empty."


def test_verify_checks_an_anchor(append):
    append(2)
    anchor = run("head")[0].strip()
    append(1)
    assert run("verify", "--anchor", anchor)[0].strip() == "OK: 3 records verified"


@pytest.mark.parametrize(
    "arguments", [["verify", "--anchor", "nonsense"], ["verify", "--batch-size", "0"]]
)
def test_bad_options_are_refused(db, arguments):
    with pytest.raises(CommandError):
        call_command("audit", *arguments)


def test_an_unknown_subcommand_is_refused(db):
    with pytest.raises(CommandError):
        call_command("audit", "repair")
