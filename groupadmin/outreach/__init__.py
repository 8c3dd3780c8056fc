"""Newcomer outreach: requests for a call (public pages, or met in person), follow-up plans, digests,
escalations, erasure on schedule, and the figures the reports read."""
