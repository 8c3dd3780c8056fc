"""The outbox: enqueue (in the caller's transaction), the relay that delivers, retention, forgetting.

Every message leaves through here. ``enqueue`` renders a pair of templates and adds one row for one
recipient to the caller's transaction, so mail exists exactly when the change that causes it is
committed; the same idempotency key twice adds nothing (a unique constraint and an
``INSERT ... ON CONFLICT DO NOTHING``, so two processes racing cannot both add it). The relay
(``deliver_due``) claims due rows with a lease, sends them, and commits each mark right after its
send: at worst a crash between the server's acceptance and the mark sends one message twice; no
message is lost.

Modules: ``addressing`` (names, links, headers), ``enqueueing`` (rendering and adding a message),
``stop_links``, ``relay`` (claiming, delivering, failures), ``retries`` (backoff), ``envelope`` (the
message on the wire), ``undeliverable`` (flagged addresses and alerts), ``hooks`` (domains told of
failures), ``retention`` (purge and forget), ``pages`` (what pages and commands show, and the
administrator's actions), ``tables``.
"""

from groupadmin import crypto  # noqa: F401  (tests reach it as services.crypto)
from groupadmin.extensions import db  # noqa: F401  (bench/mail_relay.py reads services.db)
from groupadmin.mail import transports  # noqa: F401  (tests reach it as services.transports)
from groupadmin.mail.services.addressing import (
    MailError,
    can_write_to,
    check_header,
    external_url,
    normalise_address,
    sender_address,
)
from groupadmin.mail.services.enqueueing import (
    enqueue,
    enqueue_many,
    key_exists,
    recognise_account_holders,
    render,
    send_test,
)
from groupadmin.mail.services.envelope import ROW_COLUMNS, build_envelope
from groupadmin.mail.services.hooks import on_delivery_failed
from groupadmin.mail.services.pages import (
    clear_undeliverable,
    count_undeliverable_for_group,
    counts_by_status,
    counts_for_keys,
    mask,
    messages_page,
    outbox_page,
    retry,
    status_lines,
    undeliverable_for_group,
    waiting_count,
)
from groupadmin.mail.services.relay import RelayStats, claim, deliver_due, relay_owner, transport_from_config
from groupadmin.mail.services.retention import cancel_waiting, forget_address, purge_expired
from groupadmin.mail.services.retries import RETRY_CAP, retry_delay
from groupadmin.mail.services.stop_links import STOP_LINK_MAX_AGE, load_stop_token, stop_address, stop_token
from groupadmin.mail.services.tables import FORGOTTEN, HELD
from groupadmin.mail.services.undeliverable import (
    flag_undeliverable,
    is_undeliverable,
    open_alerts,
)

_ROW_COLUMNS = ROW_COLUMNS  # bench/mail_relay.py reads the old private name

__all__ = [
    "FORGOTTEN",
    "HELD",
    "RETRY_CAP",
    "ROW_COLUMNS",
    "STOP_LINK_MAX_AGE",
    "MailError",
    "RelayStats",
    "build_envelope",
    "can_write_to",
    "cancel_waiting",
    "check_header",
    "claim",
    "clear_undeliverable",
    "count_undeliverable_for_group",
    "counts_by_status",
    "counts_for_keys",
    "deliver_due",
    "enqueue",
    "enqueue_many",
    "external_url",
    "flag_undeliverable",
    "forget_address",
    "is_undeliverable",
    "key_exists",
    "load_stop_token",
    "normalise_address",
    "on_delivery_failed",
    "open_alerts",
    "messages_page",
    "mask",
    "outbox_page",
    "purge_expired",
    "recognise_account_holders",
    "relay_owner",
    "render",
    "retry",
    "retry_delay",
    "send_test",
    "sender_address",
    "status_lines",
    "stop_address",
    "stop_token",
    "transport_from_config",
    "undeliverable_for_group",
    "waiting_count",
]
