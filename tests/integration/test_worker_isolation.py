"""Work isolated by urgency and by organisation, with the real workers `make run` starts (one per
class of queues) on a stack of their own: a publish and a proposal due while a long bulk job runs
go out at once, and one organisation's bulk jobs take turns with another's."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from rq.job import Job, JobStatus

from crmapp.launcher.processes import child_env, start_workers, stop_workers
from crmapp.services.platform.redis_client import get_redis
from crmapp.services.proposals import generation, knowledge_base
from jobs import fair
from jobs import kb as kb_jobs
from jobs.proposals import enqueue_writing
from tests import factories
from tests.integration import test_social_worker as social
from tests.integration.test_kb import HANDBOOK
from tests.integration.test_proposals import load, make_proposal
from tests.integration.test_social_worker import account_on, published, schedule, wait_for
from tests.jobs_support import hold

pytestmark = pytest.mark.integration
# The social worker tests' own stack (PostgreSQL + Redis no other worker uses) and network fakes.
fakes, stack = social.fakes, social.stack


@pytest.fixture(scope="module")
def workers(stack) -> Iterator[dict]:
    """The urgent, interactive and bulk workers, as `make run` starts them."""
    started = start_workers(child_env(stack.env), Path(stack.env["TANDEM_DATA_DIR"]) / "logs")
    yield started
    stop_workers(started)


def queue_document(signed, filename: str) -> str:
    """Upload a document and queue its embedding (a bulk job); returns the job id."""
    with factories.scoped(signed) as session:
        document = knowledge_base.add_document(
            session, signed.actor, filename=filename, content=HANDBOOK.encode()
        )
    kb_jobs.enqueue_embedding(document.id, signed.actor.org_id)
    return f"kb-embed-{document.id}"


def status(job_id: str) -> JobStatus | None:
    return Job.fetch(job_id, connection=get_redis()).get_status()


@pytest.fixture
def long_bulk_job(stack, workers) -> Iterator[str]:
    """Another organisation's bulk job, running until the test ends."""
    busy = factories.signup("Busy Imports")
    flag = f"tandem:test:release:{uuid.uuid4()}"
    job_id = fair.enqueue(
        busy.actor.org_id, hold, flag, job_id=f"test-hold-{uuid.uuid4()}", job_timeout=300
    )
    wait_for(lambda: status(job_id) == JobStatus.STARTED, 60, "the bulk job to start")
    try:
        yield job_id
    finally:
        get_redis().set(flag, "1")
        wait_for(lambda: status(job_id) == JobStatus.FINISHED, 30, "the bulk job to finish")


def test_a_post_due_during_a_long_bulk_job_goes_out_while_it_runs(fakes, long_bulk_job):
    mastodon, _ = fakes
    owner = factories.signup("On Time")
    account = account_on(
        owner, "mastodon", mastodon.alice["id"], mastodon.alice_token, base_url=mastodon.base_url
    )
    post = schedule(
        owner, account, "Not behind the import", datetime.now(UTC) + timedelta(seconds=2)
    )
    published(owner, post, timeout=60)
    assert status(long_bulk_job) == JobStatus.STARTED  # the bulk job is still running
    assert [s for s in mastodon.created() if "Not behind the import" in s["content"]]


def test_a_proposal_written_during_a_long_bulk_job_does_not_wait_for_it(long_bulk_job):
    owner = factories.signup("Writers")
    proposal = make_proposal(owner)
    with factories.scoped(owner) as session:
        request_id = generation.start(session, owner.actor, proposal.id)
    enqueue_writing(proposal.id, owner.actor.org_id, owner.actor.user_id, request_id)
    wait_for(lambda: load(owner, proposal).generation == "done", 60, "the draft")
    assert status(long_bulk_job) == JobStatus.STARTED


def test_one_organisations_bulk_jobs_take_turns_with_anothers(stack, workers):
    """Organisation A queues three documents, then B one: B's starts after A's first, not after
    all of A's; and A's run one at a time."""
    first, second = factories.signup("Many Docs"), factories.signup("One Doc")
    flag = f"tandem:test:release:{uuid.uuid4()}"
    blocker = fair.enqueue(
        first.actor.org_id, hold, flag, job_id=f"test-hold-{uuid.uuid4()}", job_timeout=300
    )
    wait_for(lambda: status(blocker) == JobStatus.STARTED, 60, "A's first job to start")
    ids = [
        queue_document(first, "a2.md"),
        queue_document(first, "a3.md"),
        queue_document(second, "b1.md"),
    ]
    get_redis().set(flag, "1")
    wait_for(lambda: all(status(i) == JobStatus.FINISHED for i in ids), 120, "every document")
    runs = {i: Job.fetch(i, connection=get_redis()) for i in [blocker, *ids]}
    a1, a2, a3, b1 = (runs[i] for i in [blocker, *ids])
    assert b1.started_at < a2.started_at, "B waited for A's backlog"
    assert a1.ended_at <= a2.started_at and a2.ended_at <= a3.started_at  # one at a time
