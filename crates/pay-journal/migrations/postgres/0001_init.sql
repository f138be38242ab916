-- pay-journal schema version 1 (PostgreSQL). docs/journal.md describes every column.
CREATE TABLE pay_journal_entries (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    provider          TEXT    NOT NULL,
    operation         TEXT    NOT NULL,
    method            TEXT    NOT NULL,
    path              TEXT    NOT NULL,
    merchant_reference TEXT,
    idempotency_key   TEXT,
    amount_minor      BIGINT,
    currency          TEXT,
    request_summary   TEXT,
    state             TEXT    NOT NULL
        CHECK (state IN ('pending', 'succeeded', 'failed', 'ambiguous')),
    http_status       BIGINT,
    provider_ids      TEXT,
    request_id        TEXT,
    detail            TEXT,
    recorded_at_ms    BIGINT  NOT NULL,
    settled_at_ms     BIGINT,
    settled_by        TEXT CHECK (settled_by IN ('call', 'recover'))
);
CREATE INDEX pay_journal_entries_open ON pay_journal_entries (state, recorded_at_ms);
CREATE INDEX pay_journal_entries_reference ON pay_journal_entries (provider, merchant_reference);

CREATE TABLE pay_journal_seen_events (
    provider   TEXT   NOT NULL,
    event_id   TEXT   NOT NULL,
    seen_at_ms BIGINT NOT NULL,
    PRIMARY KEY (provider, event_id)
);
CREATE INDEX pay_journal_seen_events_age ON pay_journal_seen_events (seen_at_ms);
