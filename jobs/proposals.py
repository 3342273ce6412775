"""The proposal-writing job: takes ids, reloads, and does nothing if the run is not its own."""

from __future__ import annotations

import uuid

from crmapp.services.platform.db import tenant_session
from crmapp.services.proposals import generation
from crmapp.services.tenancy import orgs
from jobs.queues import INTERACTIVE, queue


def write_proposal(proposal_id: str, org_id: str, user_id: str, request_id: str) -> str:
    """Write the proposal (or section) `request_id` asked for; returns the final state."""
    org, user = uuid.UUID(org_id), uuid.UUID(user_id)
    actor = orgs.member_actor(org, user, "writer")
    with tenant_session(org, user) as session:
        return generation.run(session, actor, uuid.UUID(proposal_id), request_id)


def enqueue_writing(
    proposal_id: uuid.UUID, org_id: uuid.UUID, user_id: uuid.UUID, request_id: str
) -> None:
    """Queue the run on the interactive worker, which waits for nothing else (its id is the
    request id: enqueueing twice runs it once)."""
    queue(INTERACTIVE).enqueue(
        write_proposal,
        str(proposal_id),
        str(org_id),
        str(user_id),
        request_id,
        job_id=f"proposal-write-{request_id}",
        job_timeout=600,
    )


def job_state(request_id: str) -> str:
    """RQ's status of a run ("" when RQ no longer knows it)."""
    from rq.exceptions import NoSuchJobError
    from rq.job import Job

    try:
        job = Job.fetch(f"proposal-write-{request_id}", connection=queue().connection)
    except NoSuchJobError:
        return ""
    status = job.get_status(refresh=True)
    return status.value if status is not None else ""
