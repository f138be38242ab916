-- pay-journal schema version 2 (SQLite). The open entries of one keyed write, found without
-- reading every open entry: the settling UPDATE after a keyed write succeeds looks them up
-- by (provider, operation, idempotency_key). Partial: settled and unkeyed entries, most of
-- the table, are not in it.
CREATE INDEX pay_journal_entries_open_keys
    ON pay_journal_entries (provider, operation, idempotency_key)
    WHERE idempotency_key IS NOT NULL AND state IN ('pending', 'ambiguous');
